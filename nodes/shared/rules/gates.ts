/**
 * Gates: the checks between "a rule matched" and "something changes". One
 * file per gate under gates/ (settings schema, merge of rule- and node-level
 * settings, check, reason with numbers), one ordered list in gates/index.ts.
 * This module is their public face (the rules core's index exports it).
 *
 * - A rule only tightens the operator's gates (each gate's `merge`): minimum
 *   data, entity age and cooldown take the larger value; change caps and
 *   approval thresholds the smaller; schedules intersect; budget floors take
 *   the larger, ceilings the smaller of settings (per currency) and entity.
 * - Change caps clamp by default (`changeMode: 'clamp'`); `'fail'` gates the
 *   action instead. Either way no executed change exceeds a cap. Budget bounds
 *   always clamp but never reverse the direction.
 * - The rolling 24 h cap is exact: within any 24 h a budget stays within
 *   (1 ± cap) × its value at the start of that 24 h (gates/budget-plan.ts).
 * - Approval is judged on the change the rule asked for, before clamping.
 * - Comparisons against caps allow a relative 1e-9 for floating point.
 */
import type { Rule, Settings, Window } from './model';
import { mergeGates, type ResolvedGates } from './gates/index';

export * from './gates/common';
export { GATES, GATE_NAMES, EVALUATED_GATES, GATE_SETTING_SHAPES, GATE_NODE_OPTIONS, mergeGates, type MergedGates } from './gates/index';
export type { GateDefinition, GateContext, GateEntity, GateHistory, ChangeEntry, BudgetWindow, ResolvedGates, MergeInput, GateNodeOption } from './gates/types';
export { defineGate } from './gates/types';
export { planBudget, BUDGET_GATES, type BudgetPlan, type BudgetPlanInput } from './gates/budget-plan';
export { approvalCheck, type ApprovalCheck, type ApprovalThreshold } from './gates/approval';
export { killSwitchGate } from './gates/kill-switch';
export { scheduleGate, describeWindow } from './gates/schedule';
export { entityAgeGate } from './gates/entity-age';
export { dataVolumeGate } from './gates/data-volume';
export { alreadyDoneGate } from './gates/already-done';
export { cooldownGate } from './gates/cooldown';
export { maxActionsGate } from './gates/max-actions';
export { conflictGate } from './gates/conflict';
export { describeChange, changeValues } from './gates/changes';

export interface EntityBounds {
	currency: string;
	budgetFloor?: number | null;
	budgetCeiling?: number | null;
}

/**
 * Merges the operator's gates (with the per-currency values of the entity's
 * budget currency), the rule's gates and the entity's own bounds, through
 * every registered gate's `merge`. `defaultDataWindow` is used when neither
 * sets `minData.window`.
 */
export function resolveGates(settings: Pick<Settings, 'gates' | 'currencies'>, rule: Pick<Rule, 'gates'>, entity: EntityBounds, defaultDataWindow: Window): ResolvedGates {
	return mergeGates({
		node: settings.gates as unknown as Record<string, unknown>,
		rule: rule.gates as unknown as Record<string, unknown>,
		currency: (settings.currencies[entity.currency] ?? {}) as Record<string, unknown>,
		entity,
		defaultDataWindow,
	}).flat;
}
