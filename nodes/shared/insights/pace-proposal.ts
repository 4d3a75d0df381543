/**
 * Pace Budgets → the approval loop (issue 18 item 1, "as a proposal for the
 * approval loop when the user turns that on").
 *
 * An off-pace campaign plan becomes one optimizer rule, not a change of its
 * own: `set_budget` to the daily budget that lands the month on plan, with
 * `requireApproval`, scoped to that campaign, on the condition that the
 * month-end forecast is still outside the band (`forecast_month_spend`, a
 * rule metric the optimizer reads itself when it runs). AdOps Optimizer
 * (Run Rules, the rules as JSON) then plans it like any budget change: the
 * same gates (change caps, the rolling 24 h bound, cooldown, floor and
 * ceiling, currency), the same proposal (`opt-…` id, the `optimization`
 * executor's payload) for AdOps Approval, the same ledger key when it is
 * approved and executed. One definition of a budget change: nothing here
 * talks to a platform.
 *
 * Only campaign plans are proposed: an account's plan has no one daily
 * budget to set (the result says so).
 */
import { createHash } from 'node:crypto';
import type { PacingResult } from './pacing';
import type { Scope } from './scope';

/** An optimizer rule as JSON (what AdOps Optimizer's Rules (JSON) and `parseRule` take). */
export interface PaceRule {
	id: string;
	name: string;
	description: string;
	priority: number;
	scope: { platforms: string[]; campaignIds: string[] };
	conditions: { metric: 'forecast_month_spend'; window: 'yesterday'; op: '>' | '<'; value: number };
	action: { type: 'set_budget'; amount: number; currency?: string };
	requireApproval: true;
}

/** Priority of pace rules: after the stop-losses and pauses (5–20), before scaling (50). */
export const PACE_RULE_PRIORITY = 40;

/**
 * The rule of an off-pace campaign plan, or the reason there is none (on
 * track, an account plan, nothing left to spend). `amount` is the
 * recommended daily budget to the cent; the optimizer rounds to the budget
 * currency's minor unit and gates it.
 */
export function paceRule(plan: Scope, result: PacingResult, label: string, currency: string | null): { rule: PaceRule | null; note: string } {
	if (result.status === 'on_track') return { rule: null, note: 'on track: nothing to propose' };
	if (!plan.campaignId || !plan.platform || !plan.accountId) return { rule: null, note: `${label}: an account or platform plan has no one daily budget to set; add campaign plans to get budget proposals` };
	if (!(result.recommendedDailyBudget > 0)) return { rule: null, note: `${label}: the plan is spent (${result.spentToDate.toFixed(2)} of ${result.plan.toFixed(2)}); pausing is a person's call, nothing proposed` };
	const over = result.status === 'over';
	const amount = Math.round(result.recommendedDailyBudget * 100) / 100;
	const threshold = Math.round(result.plan * (over ? result.band.upper : result.band.lower) * 100) / 100;
	const hash = createHash('sha256').update(`${plan.platform}|${plan.accountId}|${plan.campaignId}|${result.month}`).digest('hex').slice(0, 16);
	return {
		rule: {
			id: `pace:${result.month}:${hash}`,
			name: `Pace ${label} to its ${result.month} plan`,
			description: `AdOps Insights, Pace Budgets: ${result.summary}`,
			priority: PACE_RULE_PRIORITY,
			scope: { platforms: [plan.platform], campaignIds: [plan.campaignId] },
			conditions: { metric: 'forecast_month_spend', window: 'yesterday', op: over ? '>' : '<', value: threshold },
			action: { type: 'set_budget', amount, ...(currency ? { currency } : {}) },
			requireApproval: true,
		},
		note: `${label}: proposes a daily budget of ${amount.toFixed(2)}${currency ? ` ${currency}` : ''} while the month-end forecast stays ${over ? 'above' : 'below'} ${threshold.toFixed(2)}`,
	};
}
