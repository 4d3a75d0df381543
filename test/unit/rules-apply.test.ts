// The freshness check between evaluation and change: never act on a stale
// status or budget, to half a minor unit of the currency.
import assert from 'node:assert/strict';
import { describe, test } from 'vitest';
import { checkFreshness, controlFor, type PlannedChange } from '../../nodes/shared/rules/apply';
import type { CampaignState } from '../../nodes/shared/platforms/types';

const planned = (over: Partial<PlannedChange> = {}): PlannedChange => ({
	idempotencyKey: `opt:${'a'.repeat(64)}`,
	platform: 'meta',
	accountId: '42',
	campaignId: '7',
	action: 'scale_budget',
	statusBefore: 'active',
	budgetBefore: 100,
	budgetAfter: 120,
	currency: 'USD',
	ruleId: 'r',
	evaluatedAt: '2025-06-11T10:00:00.000Z',
	...over,
});
const state = (over: Partial<CampaignState> = {}): CampaignState => ({
	platform: 'meta',
	accountId: '42',
	campaignId: '7',
	name: 'C',
	status: 'ACTIVE',
	platformStatus: 'ACTIVE',
	dailyBudget: 100,
	budgetEditable: true,
	budgetNote: null,
	currency: 'USD',
	timezone: 'UTC',
	createdAt: null,
	raw: null,
	...over,
});

describe('checkFreshness', () => {
	test('the state the change was planned on is fresh', () => {
		assert.deepEqual(checkFreshness(planned(), state()), { fresh: true, reason: null, current: { status: 'ACTIVE', dailyBudget: 100, currency: 'USD', budgetEditable: true, budgetNote: null } });
		assert.equal(checkFreshness(planned(), state({ dailyBudget: 100.004 })).fresh, true, 'within half a cent');
		assert.equal(checkFreshness(planned({ action: 'enable', statusBefore: 'paused', budgetBefore: null, budgetAfter: null }), state({ status: 'PAUSED', dailyBudget: 55 })).fresh, true, 'a status change ignores the budget');
		assert.equal(checkFreshness(planned({ action: 'pause', budgetBefore: null }), state({ status: 'ENABLED', dailyBudget: null, budgetEditable: false })).fresh, true);
	});

	test('a budget changed since the evaluation is stale, named with both numbers', () => {
		const f = checkFreshness(planned(), state({ dailyBudget: 100.01 }));
		assert.equal(f.fresh, false);
		assert.match(f.reason!, /^stale: the daily budget is 100\.01 USD on the platform now, the change was planned on 100 USD at 2025-06-11T10:00:00\.000Z; not overwritten/);
		assert.equal(f.current!.dailyBudget, 100.01);
		assert.equal(checkFreshness(planned({ currency: 'JPY', budgetBefore: 5000 }), state({ currency: 'JPY', dailyBudget: 5000.4 })).fresh, true, 'JPY: half a yen');
		assert.equal(checkFreshness(planned({ currency: 'JPY', budgetBefore: 5000 }), state({ currency: 'JPY', dailyBudget: 5001 })).fresh, false);
	});

	test('a status changed since the evaluation is stale, for every kind of change', () => {
		for (const action of ['pause', 'scale_budget', 'set_budget'] as const) {
			const f = checkFreshness(planned({ action }), state({ status: 'PAUSED' }));
			assert.equal(f.fresh, false);
			assert.match(f.reason!, /^stale: the campaign is PAUSED on the platform now, the change was planned on ACTIVE/);
		}
		assert.equal(checkFreshness(planned({ action: 'enable', statusBefore: 'paused' }), state({ status: 'ARCHIVED' })).fresh, false);
	});

	test('gone, other currency, or a budget that may not be changed: refused with the reason', () => {
		assert.match(checkFreshness(planned(), null).reason!, /campaign 7 no longer exists in account 42/);
		assert.match(checkFreshness(planned(), state({ currency: 'EUR' })).reason!, /budgets in EUR now, the change was planned in USD/);
		assert.match(checkFreshness(planned(), state({ budgetEditable: false, budgetNote: 'shared budget used by 3 campaigns: changing it would move all of them' })).reason!, /cannot be changed: shared budget used by 3 campaigns/);
		assert.match(checkFreshness(planned(), state({ dailyBudget: null, budgetEditable: false, budgetNote: null })).reason!, /no daily budget/);
	});
});

describe('controlFor', () => {
	test('says what to configure for a platform without an adapter or without campaign control', () => {
		assert.throws(() => controlFor({}, 'meta'), /No meta adapter was given to the optimizer/);
		assert.throws(() => controlFor({}, 'klaviyo'), /cannot change klaviyo campaigns/);
		assert.throws(() => controlFor({ linkedin: { platform: 'linkedin' } as never }, 'linkedin'), /cannot read or change campaigns/);
	});
});
