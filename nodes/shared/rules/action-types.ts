/** Action types of the rule model (model.ts re-exports them); alone here so the gate files can use them while model.ts loads them. */
export const ACTION_TYPES = ['pause', 'enable', 'scale_budget', 'set_budget', 'notify'] as const;
export type ActionType = (typeof ACTION_TYPES)[number];
/** Actions that change an entity (and so count toward cooldowns, caps and max actions per run). */
export const CHANGE_ACTIONS: ReadonlySet<ActionType> = new Set<ActionType>(['pause', 'enable', 'scale_budget', 'set_budget']);
export const BUDGET_ACTIONS: ReadonlySet<ActionType> = new Set<ActionType>(['scale_budget', 'set_budget']);
