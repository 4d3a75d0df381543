/**
 * daily_change: within any rolling 24 h a budget stays within (1 ± cap) × the
 * budget it had at the start of that 24 h, whatever the number of rules, runs,
 * windows, approvals and outside edits (budget-plan.ts has the exact rule).
 */
import { pctCapSchema } from './settings';
import { minOf } from './common';
import { defineGate } from './types';

export const dailyChange = defineGate({
	name: 'daily_change',
	stage: 'evaluate',
	appliesTo: 'budget',
	meaning:
		'Within any rolling 24 h a budget never rises above (1 + cap) × nor falls below (1 − cap) × the budget it had at the start of that 24 h (cap = maxDailyChangePct, the smaller of the operator\'s and the rule\'s). Checked at each change against every budget held in the last 24 h (the budget 24 h ago, each change since — by rules, with unknown outcomes, or outside the package — and the current one): a raise reaches at most (1 + cap) × the lowest, a cut at least (1 − cap) × the highest. Clamped to that bound exactly (changeMode clamp) or gated (fail). Status changes do not count.',
	settings: { node: { maxDailyChangePct: pctCapSchema.default(50) }, rule: { maxDailyChangePct: pctCapSchema.optional() } },
	nodeOptions: [{ name: 'maxDailyChangePct', displayName: 'Max Change per 24 h (%)', type: 'number', description: 'Within any 24 h a budget stays within ± this percent of its value at the start of the 24 h' }],
	merge: ({ node, rule }) => ({ maxDailyChangePct: minOf(node.maxDailyChangePct as number, rule.maxDailyChangePct as number | undefined) as number }),
	check: (ctx) => ctx.plan().gates.filter((g) => g.gate === 'daily_change'),
});
