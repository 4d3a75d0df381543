// An optimizer item as AdOps Optimizer outputs it (an executed budget raise with its evidence), for tests of what is shown from it.
import type { OptimizerItem } from '../../nodes/shared/rules/run';

export function optimizerItem(over: Partial<OptimizerItem>): OptimizerItem {
	return {
		outcome: 'executed',
		route: 'alert',
		decision: 'execute',
		dryRun: false,
		rule: { id: 'scale-winners', name: 'Scale winners', priority: 20 },
		entity: { platform: 'meta', accountId: '111', campaignId: '42', name: 'Spring *sale* <!here>' },
		action: { type: 'scale_budget', requested: { percent: 20, amount: null, message: null }, statusBefore: 'ACTIVE', statusAfter: 'ACTIVE', currency: 'USD', budgetBefore: 100, budgetAfter: 120, changeAmount: 20, changePct: 20, clampedBy: [], summary: 'daily budget of campaign 42 "Spring sale" 100.00 USD → 120.00 USD (+20%)' },
		conditions: [
			{ metric: 'roas', window: 'last 7 days', op: '>', value: 3, min: null, max: null, compareTo: null, actual: 4.2, baseline: null, compared: null, result: true, text: 'roas last 7 days (2026-02-23..2026-03-01) = 4.2 > 3 → met' },
			{ metric: 'spend', window: 'last 7 days', op: '>=', value: 500, min: null, max: null, compareTo: null, actual: 100, baseline: null, compared: null, result: false, text: 'spend last 7 days = 100 >= 500 → not met' },
		],
		gates: [
			{ gate: 'cooldown', status: 'pass', detail: 'last change 30.0 h ago ≥ 24 h', values: {} },
			{ gate: 'schedule', status: 'skip', detail: 'no schedule', values: {} },
		],
		evidence: ['return on ad spend (roas) over last 7 days (2026-02-23..2026-03-01) was 4.20, above the threshold of 3.00'],
		reasons: ['all gates passed'],
		idempotencyKey: 'opt:0123456789abcdef0123456789abcdef',
		evaluatedAt: '2026-03-02T10:00:00.000Z',
		current: { status: 'ACTIVE', dailyBudget: 100, currency: 'USD', budgetEditable: true, budgetNote: null },
		execution: { at: '2026-03-02T10:00:01.000Z', response: { success: true }, attempts: 1 },
		validation: null,
		error: null,
		proposal: null,
		proposalStatus: null,
		text: 'Executed: daily budget … — rule "Scale winners" (priority 20). because roas last 7 days = 4.2 > 3 → met',
		...over,
	};
}
