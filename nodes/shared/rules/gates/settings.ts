/** Settings pieces several gate files share. */
import type { ActionType } from '../action-types';
import { pctCap, type Window } from '../schema-parts';

/** What `maxChangePct` and `maxDailyChangePct` do with a larger change. */
export const CHANGE_MODES = ['clamp', 'fail'] as const;
export type ChangeMode = (typeof CHANGE_MODES)[number];
export const pctCapSchema = pctCap;

/**
 * Minimum data volume over a window: every given minimum must be reached.
 * `window` defaults to the widest window the rule's conditions use.
 */
export interface MinData {
	spend?: number;
	impressions?: number;
	clicks?: number;
	conversions?: number;
	window?: Window;
}

/**
 * Approval threshold: above it, a change becomes a proposal for the approval
 * queue instead of executing. `percent`: |budget change asked| in percent of
 * the current budget; `amount`: |budget change asked| in the budget currency;
 * `actions`: action types that always need approval (e.g. `pause`). Strictly
 * above: a change of exactly `percent` executes.
 */
export interface ApprovalThreshold {
	percent: number | null;
	amount: number | null;
	actions: ActionType[];
}
