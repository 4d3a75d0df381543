/**
 * One scenario per gate with hand-computed numbers (the arithmetic is in the
 * comments). Base scenario, unless a test says otherwise:
 *   now 2025-06-11T14:00Z = Wednesday 16:00 in Europe/Berlin (CEST, UTC+2);
 *   campaign meta/acc1/c1 "Brand | DE", active, created 2025-05-01T00:00Z,
 *   daily budget 100.00 EUR;
 *   every day 2025-05-28 … 2025-06-10: spend 50, impressions 10,000,
 *   clicks 200, conversions 2, revenue 150
 *   → last 7 days (06-04 … 06-10): spend 350, clicks 1,400, conversions 14,
 *     revenue 1,050, ROAS 3, CPA 25.
 *   Rule "scale": ROAS last 7 days >= 2 → scale budget +20 %.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'vitest';
import { createProposal } from '../../nodes/shared/approvals';
import {
	approvalCheck,
	cooldownGate,
	dataVolumeGate,
	entityAgeGate,
	evaluate,
	localClock,
	optimizationPayloadSchema,
	parseRule,
	parseSettings,
	planBudget,
	resolveGates,
	roundTowardCurrent,
	scheduleGate,
	type ActionRecord,
	type Decision,
	type EntityInput,
	type GateResult,
	type MetricRowInput,
} from '../../nodes/shared/rules';

const NOW = '2025-06-11T14:00:00Z';
const ENTITY: EntityInput = {
	platform: 'meta',
	accountId: 'acc1',
	campaignId: 'c1',
	name: 'Brand | DE',
	status: 'ACTIVE',
	createdAt: '2025-05-01T00:00:00Z',
	dailyBudget: 100,
	currency: 'EUR',
	timezone: 'Europe/Berlin',
};

function history(campaign = 'c1', account = 'acc1'): MetricRowInput[] {
	const rows: MetricRowInput[] = [];
	for (let d = 28; d <= 41; d++) {
		const date = new Date(Date.UTC(2025, 4, d)).toISOString().slice(0, 10);
		rows.push({ date, platform: 'meta', account_id: account, campaign_id: campaign, currency: 'EUR', spend: 50, impressions: 10_000, clicks: 200, conversions: 2, revenue: 150, leads: null });
	}
	return rows;
}

const SCALE = { id: 'scale', name: 'Scale', conditions: { metric: 'roas', window: 'last_7_days', op: '>=', value: 2 }, action: { type: 'scale_budget', percent: 20 } };

function run(opts: { rules?: unknown[]; entities?: EntityInput[]; metrics?: MetricRowInput[]; actions?: ActionRecord[]; settings?: Record<string, unknown> } = {}): Decision[] {
	return evaluate({
		rules: opts.rules ?? [SCALE],
		entities: opts.entities ?? [ENTITY],
		metrics: opts.metrics ?? history(),
		actions: opts.actions ?? [],
		settings: { now: NOW, gates: { cooldownHours: 24, maxChangePct: 25, maxDailyChangePct: 50 }, ...opts.settings },
	}).decisions;
}

function only(decisions: Decision[]): Decision {
	assert.equal(decisions.length, 1, `expected one decision, got ${decisions.map((d) => `${d.ruleId}:${d.decision}`).join(', ')}`);
	return decisions[0];
}

function gateOf(d: Decision, name: string): GateResult {
	const g = d.gates.find((x) => x.gate === name);
	assert.ok(g, `gate ${name} in ${d.gates.map((x) => x.gate).join(', ')}`);
	return g;
}

describe('gates: the base scenario executes with every gate reported', () => {
	test('ROAS 3 >= 2 → +20 %: 100.00 → 120.00 EUR, all gates pass or skip, evidence complete', () => {
		const d = only(run());
		assert.equal(d.decision, 'execute');
		assert.deepEqual(d.gates.map((g) => `${g.gate}:${g.status}`), [
			'kill_switch:pass',
			'schedule:skip',
			'entity_age:skip',
			'data_volume:skip',
			'already_done:pass',
			'cooldown:pass',
			'budget_bounds:pass',
			'max_change:pass',
			'daily_change:pass',
			'has_effect:pass',
			'max_actions:pass',
		]);
		assert.equal(d.action?.budgetBefore, 100);
		assert.equal(d.action?.budgetAfter, 120);
		assert.equal(d.action?.changePct, 20);
		assert.equal(d.action?.summary, 'daily budget of campaign c1 "Brand | DE" 100.00 EUR → 120.00 EUR (+20%)');
		assert.deepEqual(d.evaluation.window, { kind: 'last_n_days', days: 7, start: '2025-06-04', end: '2025-06-10', label: 'last 7 days (2025-06-04..2025-06-10)' });
		assert.equal(d.evaluation.localTime, '16:00');
		assert.match(d.reasons[0], /roas last 7 days \(2025-06-04\.\.2025-06-10\) = 3 >= 2 → met/);
		assert.match(d.idempotencyKey ?? '', /^opt:[0-9a-f]{64}$/);
	});
});

describe('gates: kill switch', () => {
	test('on: a matching change and a notification are both gated; nothing is planned', () => {
		const notify = { id: 'tell', name: 'Tell', priority: 200, conditions: { metric: 'spend', window: 'yesterday', op: '>', value: 0 }, action: { type: 'notify' } };
		const result = evaluate({ rules: [SCALE, notify], entities: [ENTITY], metrics: history(), settings: { now: NOW, killSwitch: true } });
		assert.deepEqual(result.decisions.map((d) => [d.ruleId, d.decision]), [['scale', 'gated'], ['tell', 'gated']]);
		assert.equal(result.summary.actionsPlanned, 0);
		for (const d of result.decisions) assert.equal(gateOf(d, 'kill_switch').status, 'fail');
		assert.equal(result.decisions[0].reasons[0], 'kill_switch: kill switch is on: nothing executes or is proposed');
		// the decision still shows what it would have done
		assert.equal(result.decisions[0].action?.budgetAfter, 120);
	});
});

describe('gates: schedule in the account time zone', () => {
	test('Wednesday 16:00 Berlin is outside mon–fri 08:00–12:00 (14:00 UTC would be inside 08–15 UTC)', () => {
		const d = only(run({ rules: [{ ...SCALE, gates: { schedule: [{ days: ['mon', 'tue', 'wed', 'thu', 'fri'], from: '08:00', to: '12:00' }] } }] }));
		assert.equal(d.decision, 'gated');
		assert.equal(gateOf(d, 'schedule').detail, 'local time wed 16:00 Europe/Berlin is outside the rule schedule (mon,tue,wed,thu,fri 08:00-12:00)');
		const ok = only(run({ rules: [{ ...SCALE, gates: { schedule: [{ days: ['wed'], from: '16:00', to: '16:01' }] } }] }));
		assert.equal(ok.decision, 'execute');
	});

	test('settings and rule schedules intersect: both must allow the moment', () => {
		const d = only(run({ rules: [{ ...SCALE, gates: { schedule: [{ from: '15:00', to: '18:00' }] } }], settings: { gates: { schedule: [{ days: ['sat', 'sun'] }] } } }));
		assert.equal(gateOf(d, 'schedule').status, 'fail');
		assert.match(gateOf(d, 'schedule').detail, /outside the settings schedule \(sat,sun 00:00-24:00\)/);
	});

	test('a window past midnight keeps its after-midnight part on the day it started', () => {
		const [w] = parseRule({ ...SCALE, gates: { schedule: [{ days: ['fri'], from: '22:00', to: '06:00' }] } }).gates.schedule ?? [];
		const at = (iso: string) => scheduleGate([{ source: 'rule', windows: [w] }], localClock('Europe/Berlin', Date.parse(iso))).status;
		assert.equal(at('2025-06-13T20:30:00Z'), 'pass'); // Fri 22:30 local
		assert.equal(at('2025-06-14T00:00:00Z'), 'pass'); // Sat 02:00 local: Friday's night
		assert.equal(at('2025-06-14T04:00:00Z'), 'fail'); // Sat 06:00 local: window over (to is exclusive)
		assert.equal(at('2025-06-13T00:00:00Z'), 'fail'); // Fri 02:00 local: that is Thursday's night
	});
});

describe('gates: minimum entity age (learning period)', () => {
	test('created 2025-05-01T00:00Z, now 2025-06-11T14:00Z: 41 days + 14 h = 41.583 days', () => {
		const young = only(run({ rules: [{ ...SCALE, gates: { minEntityAgeDays: 45 } }] }));
		assert.equal(young.decision, 'gated');
		assert.equal(gateOf(young, 'entity_age').detail, 'age 41.5 days < 45 (learning period)');
		assert.deepEqual(gateOf(young, 'entity_age').values, { ageDays: 41.5, minDays: 45 });
		assert.equal(only(run({ rules: [{ ...SCALE, gates: { minEntityAgeDays: 41.5 } }] })).decision, 'execute');
		const unknown = only(run({ entities: [{ ...ENTITY, createdAt: null }], settings: { gates: { minEntityAgeDays: 1 } } }));
		assert.equal(gateOf(unknown, 'entity_age').detail, 'age unknown (no createdAt), minimum 1 days');
		assert.equal(entityAgeGate(0, 5 * 86_400_000, 5).status, 'pass'); // exactly the minimum passes
	});
});

describe('gates: minimum data volume', () => {
	test('over the rule\'s widest window (last 7 days): spend 350 < 400 fails, conversions 14 >= 10 passes', () => {
		const d = only(run({ rules: [{ ...SCALE, gates: { minData: { spend: 400, conversions: 10 } } }] }));
		assert.equal(d.decision, 'gated');
		const g = gateOf(d, 'data_volume');
		assert.equal(g.detail, 'not enough data over last 7 days (2025-06-04..2025-06-10): spend 350 < 400');
		assert.deepEqual(g.values, { window: 'last 7 days (2025-06-04..2025-06-10)', min_spend: 400, spend: 350, min_conversions: 10, conversions: 14 });
	});

	test('an explicit window: last 14 days (05-28 … 06-10) has spend 14 × 50 = 700 >= 400', () => {
		const d = only(run({ rules: [{ ...SCALE, gates: { minData: { spend: 400, window: 'last_14_days' } } }] }));
		assert.equal(d.decision, 'execute');
		assert.equal(gateOf(d, 'data_volume').detail, 'spend 700 >= 400 over last 14 days (2025-05-28..2025-06-10)');
	});

	test('settings minimums apply, a rule can only raise them; per-currency minimum spend replaces the base', () => {
		// settings: clicks >= 1,500 over the window; rule asks clicks >= 100 → 1,500 stays; 1,400 < 1,500
		const d = only(run({ rules: [{ ...SCALE, gates: { minData: { clicks: 100 } } }], settings: { gates: { minData: { clicks: 1500 } } } }));
		assert.equal(gateOf(d, 'data_volume').detail, 'not enough data over last 7 days (2025-06-04..2025-06-10): clicks 1400 < 1500');
		// base spend minimum 1,000 (too much for EUR here) replaced by EUR's 300: 350 >= 300
		const e = only(run({ settings: { gates: { minData: { spend: 1000 } }, currencies: { EUR: { minSpend: 300 } } } }));
		assert.equal(gateOf(e, 'data_volume').status, 'pass');
		assert.equal(dataVolumeGate({ spend: null, impressions: null, clicks: null, conversions: null }, { spend: 0, impressions: 0, clicks: 0, conversions: 0, revenue: null, leads: null, rows: 0 }, 'x').status, 'skip');
	});
});

describe('gates: cooldown since the last change by any rule', () => {
	const change = (at: string, action: ActionRecord['action'] = 'set_budget'): ActionRecord => ({ platform: 'meta', accountId: 'acc1', campaignId: 'c1', at, action, budgetBefore: 90, budgetAfter: 100, ruleId: 'other-rule' });

	test('last change 2025-06-10T15:00Z: 23 h < 24 h fails; at 14:00Z: exactly 24 h passes', () => {
		const d = only(run({ actions: [change('2025-06-10T15:00:00Z')] }));
		assert.equal(d.decision, 'gated');
		// the gate names the change it counted (issue 13): what, by whom, when (Berlin time), how long ago
		assert.equal(gateOf(d, 'cooldown').detail, 'budget changed 90.00 → 100.00 EUR by rule other-rule at 2025-06-10 17:00, 23 h ago < cooldown 24 h');
		assert.equal(gateOf(d, 'cooldown').values.lastChangeRuleId, 'other-rule');
		assert.equal(only(run({ actions: [change('2025-06-10T14:00:00Z')] })).decision, 'execute');
	});

	test('a pause counts as a change; a notification does not; a rule can lengthen the cooldown, not shorten it', () => {
		assert.equal(only(run({ actions: [change('2025-06-11T10:00:00Z', 'pause')] })).decision, 'gated');
		assert.equal(only(run({ actions: [change('2025-06-11T10:00:00Z', 'notify')] })).decision, 'execute');
		// rule asks 1 h, settings say 24 h: 4 h since the change < 24 h
		assert.equal(gateOf(only(run({ rules: [{ ...SCALE, gates: { cooldownHours: 1 } }], actions: [change('2025-06-11T10:00:00Z')] })), 'cooldown').detail, 'budget changed 90.00 → 100.00 EUR by rule other-rule at 12:00, 4 h ago < cooldown 24 h');
		// rule asks 72 h: 2025-06-09T14:00Z is 48 h ago < 72 h
		assert.equal(gateOf(only(run({ rules: [{ ...SCALE, gates: { cooldownHours: 72 } }], actions: [change('2025-06-09T14:00:00Z')] })), 'cooldown').status, 'fail');
	});

	test('a change recorded in the future (clock skew) blocks rather than passes', () => {
		assert.equal(cooldownGate(Date.parse('2025-06-11T15:00:00Z'), Date.parse(NOW), 24).detail, 'last change 0 h ago < cooldown 24 h');
	});
});

describe('gates: maximum change per action', () => {
	test('clamp (default): +50 % under a 25 % cap → 100 × 1.25 = 125.00', () => {
		const d = only(run({ rules: [{ ...SCALE, action: { type: 'scale_budget', percent: 50 } }] }));
		assert.equal(d.decision, 'execute');
		assert.equal(d.action?.budgetAfter, 125);
		assert.deepEqual(d.action?.clampedBy, ['max_change']);
		assert.equal(gateOf(d, 'max_change').detail, 'change 50% clamped to max 25% per action');
		assert.match(d.reasons.join(' | '), /change clamped by max_change/);
	});

	test('fail mode: the same action is gated', () => {
		const d = only(run({ rules: [{ ...SCALE, action: { type: 'scale_budget', percent: 50 } }], settings: { gates: { maxChangePct: 25, changeMode: 'fail' } } }));
		assert.equal(d.decision, 'gated');
		assert.equal(gateOf(d, 'max_change').detail, 'change 50% > max 25% per action');
		assert.equal(d.action?.budgetAfter, null);
	});

	test('a rule can lower the cap (10 %: 100 → 110.00) but not raise it (50 % stays 25 %)', () => {
		assert.equal(only(run({ rules: [{ ...SCALE, gates: { maxChangePct: 10 } }] })).action?.budgetAfter, 110);
		assert.equal(only(run({ rules: [{ ...SCALE, action: { type: 'scale_budget', percent: 80 }, gates: { maxChangePct: 50 } }] })).action?.budgetAfter, 125);
	});

	test('set_budget is capped the same way: 100 → set 40 is −60 %, clamped to −25 % = 75.00', () => {
		const d = only(run({ rules: [{ ...SCALE, action: { type: 'set_budget', amount: 40 } }] }));
		assert.equal(d.action?.budgetAfter, 75);
		assert.equal(d.action?.changePct, -25);
	});
});

describe('gates: the exact rolling 24 h bound', () => {
	// Issue 13: within any 24 h the budget stays within (1 ± cap) × its value at the start of that 24 h.
	// The old rule summed each change's |%| (10 % + 9.0909 % "used"), which is not that bound.
	const changes: ActionRecord[] = [
		{ platform: 'meta', accountId: 'acc1', campaignId: 'c1', at: '2025-06-11T02:00:00Z', action: 'scale_budget', budgetBefore: 100, budgetAfter: 110, ruleId: 'r-up' },
		{ platform: 'meta', accountId: 'acc1', campaignId: 'c1', at: '2025-06-11T08:00:00Z', action: 'scale_budget', budgetBefore: 110, budgetAfter: 100, ruleId: 'r-down' },
		// exactly 24 h before now: outside (now − 24 h, now]
		{ platform: 'meta', accountId: 'acc1', campaignId: 'c1', at: '2025-06-10T14:00:00Z', action: 'set_budget', budgetBefore: 50, budgetAfter: 100 },
	];
	const settings = { gates: { cooldownHours: 0, maxChangePct: 25, maxDailyChangePct: 30 } };

	test('budgets held in 24 h: 100, 110, 100; a raise may reach 1.3 × 100 = 130: +20 % → 120.00 passes unclamped, with the numbers', () => {
		const d = only(run({ actions: changes, settings }));
		assert.equal(d.decision, 'execute');
		assert.equal(d.action?.budgetAfter, 120);
		assert.deepEqual(d.action?.clampedBy, []);
		const g = gateOf(d, 'daily_change');
		assert.equal(
			g.detail,
			'budget 24 h ago 100.00 EUR, lowest held 100.00 EUR, highest 110.00 EUR; changes since: budget changed 100.00 → 110.00 EUR by rule r-up at 04:00; budget changed 110.00 → 100.00 EUR by rule r-down at 10:00; at most 30% above 100.00 EUR = 130.00 EUR: 120.00 EUR is within it (30.00 EUR left)',
		);
		assert.equal(g.values.budget24hAgo, 100);
		assert.equal(g.values.changesIn24h, 2);
		assert.equal(g.values.bound, 130);
		assert.equal(g.values.leftAmount, 30);
	});

	test('the issue\'s case: +12 % of 200 = 224, then +8 % asked: the bound is 1.2 × 200 = 240, not 224 × 1.08 = 241.92', () => {
		const up: ActionRecord[] = [{ platform: 'meta', accountId: 'acc1', campaignId: 'c1', at: '2025-06-11T06:00:00Z', action: 'scale_budget', budgetBefore: 200, budgetAfter: 224, ruleId: 'r1' }];
		const d = only(run({ rules: [{ ...SCALE, action: { type: 'scale_budget', percent: 8 } }], entities: [{ ...ENTITY, dailyBudget: 224 }], actions: up, settings: { gates: { cooldownHours: 0, maxChangePct: 25, maxDailyChangePct: 20 } } }));
		// 224 × 1.08 = 241.92 > 240 → clamped to 240.00 exactly
		assert.equal(d.decision, 'execute');
		assert.equal(d.action?.budgetAfter, 240);
		assert.deepEqual(d.action?.clampedBy, ['daily_change']);
		const fail = only(run({ rules: [{ ...SCALE, action: { type: 'scale_budget', percent: 8 } }], entities: [{ ...ENTITY, dailyBudget: 224 }], actions: up, settings: { gates: { cooldownHours: 0, maxChangePct: 25, maxDailyChangePct: 20, changeMode: 'fail' } } }));
		assert.equal(fail.decision, 'gated');
		assert.match(gateOf(fail, 'daily_change').detail, /at most 20% above 200\.00 EUR = 240\.00 EUR: 241\.92 EUR is beyond it \(16\.00 EUR left\)$/);
	});

	test('nothing left: at the bound the raise is gated even in clamp mode; a cut may go down to 0.7 × the highest held', () => {
		const full = only(run({ entities: [{ ...ENTITY, dailyBudget: 130 }], actions: [{ platform: 'meta', accountId: 'acc1', campaignId: 'c1', at: '2025-06-11T08:00:00Z', action: 'scale_budget', budgetBefore: 100, budgetAfter: 130, ruleId: 'r-up' }], settings }));
		assert.equal(full.decision, 'gated');
		assert.match(gateOf(full, 'daily_change').detail, /: nothing left \(budget now 130\.00 EUR\)$/);
		// a cut of −25 % from 130 after 100 → 130: lower bound 0.7 × 130 = 91; 130 × 0.75 = 97.50 is within it
		const cut = only(run({ rules: [{ ...SCALE, action: { type: 'scale_budget', percent: -25 } }], entities: [{ ...ENTITY, dailyBudget: 130 }], actions: [{ platform: 'meta', accountId: 'acc1', campaignId: 'c1', at: '2025-06-11T08:00:00Z', action: 'scale_budget', budgetBefore: 100, budgetAfter: 130, ruleId: 'r-up' }], settings }));
		assert.equal(cut.action?.budgetAfter, 97.5);
	});

	test('status changes do not count for the bound', () => {
		const pauses: ActionRecord[] = [{ platform: 'meta', accountId: 'acc1', campaignId: 'c1', at: '2025-06-11T08:00:00Z', action: 'pause' }];
		assert.equal(gateOf(only(run({ actions: pauses, settings })), 'daily_change').values.changesIn24h, 0);
	});
});

describe('gates: absolute budget floor and ceiling', () => {
	test('ceiling 110: +20 % (120) is clamped to 110.00; already at 110 the gate fails rather than "scale" sideways', () => {
		const d = only(run({ settings: { gates: { budgetCeiling: 110 } } }));
		assert.equal(d.action?.budgetAfter, 110);
		assert.deepEqual(d.action?.clampedBy, ['budget_bounds']);
		const at = only(run({ entities: [{ ...ENTITY, dailyBudget: 110 }], settings: { gates: { budgetCeiling: 110 } } }));
		assert.equal(at.decision, 'gated');
		assert.equal(gateOf(at, 'budget_bounds').detail, 'budget 110.00 EUR is already at or beyond the ceiling 110.00 EUR');
	});

	test('floor 90: −20 % (80) is clamped to 90.00; the entity\'s own ceiling tightens the settings\'', () => {
		assert.equal(only(run({ rules: [{ ...SCALE, action: { type: 'scale_budget', percent: -20 } }], settings: { gates: { budgetFloor: 90 } } })).action?.budgetAfter, 90);
		// settings ceiling 500, entity ceiling 105: min = 105
		assert.equal(only(run({ entities: [{ ...ENTITY, budgetCeiling: 105 }], settings: { gates: { budgetCeiling: 500 } } })).action?.budgetAfter, 105);
		// entity ceiling 900 cannot loosen settings' 105
		assert.equal(only(run({ entities: [{ ...ENTITY, budgetCeiling: 900 }], settings: { gates: { budgetCeiling: 105 } } })).action?.budgetAfter, 105);
	});

	test('a budget above its ceiling that the caps cannot bring inside is gated, not moved to another outside value', () => {
		// 1,000 with ceiling 500, −10 %: bounds target 500 (−50 %), max change 25 % → 750, still > 500
		const d = only(run({ entities: [{ ...ENTITY, dailyBudget: 1000 }], rules: [{ ...SCALE, action: { type: 'scale_budget', percent: -10 } }], settings: { gates: { budgetCeiling: 500 } } }));
		assert.equal(d.decision, 'gated');
		assert.equal(gateOf(d, 'budget_bounds').detail, 'within the change caps the budget cannot reach [0.01 EUR, 500.00 EUR] (at most 750.00 EUR)');
	});

	test('per-currency bounds replace the base ones: JPY ceiling 12,000 while the base ceiling is 200', () => {
		const jpy: EntityInput = { ...ENTITY, currency: 'JPY', dailyBudget: 10_000, timezone: 'Asia/Tokyo' };
		// +20 % = 12,000 (inside 12,000), the base ceiling 200 would have gated it
		const d = only(run({ entities: [jpy], settings: { gates: { budgetCeiling: 200, maxChangePct: 25 }, currencies: { JPY: { budgetCeiling: 12_000 } } } }));
		assert.equal(d.action?.budgetAfter, 12_000);
		assert.equal(d.action?.summary, 'daily budget of campaign c1 "Brand | DE" 10000 JPY → 12000 JPY (+20%)');
	});

	test('set_budget with a currency is gated on an entity budgeting in another currency', () => {
		const d = only(run({ rules: [{ ...SCALE, action: { type: 'set_budget', amount: 110, currency: 'USD' } }] }));
		assert.equal(gateOf(d, 'budget_bounds').detail, 'the rule sets an amount in USD, the budget is in EUR');
		assert.equal(only(run({ rules: [{ ...SCALE, action: { type: 'set_budget', amount: 110, currency: 'EUR' } }] })).action?.budgetAfter, 110);
	});

	test('no daily budget at campaign level: budget rules are gated, pause is not affected', () => {
		const d = only(run({ entities: [{ ...ENTITY, dailyBudget: null }] }));
		assert.equal(gateOf(d, 'budget_bounds').detail, 'the entity has no daily budget to change');
		assert.equal(gateOf(d, 'max_change').status, 'skip');
	});
});

describe('gates: rounding to the minor unit toward the current budget', () => {
	const plan = (current: number, currency: string, percent: number) =>
		planBudget({ current, currency, action: { type: 'scale_budget', percent }, floor: null, ceiling: null, maxChangePct: 100, maxDailyChangePct: 100, mode: 'clamp' });

	test('JPY 1,003 +20 % = 1,203.6 → 1,203; USD 10.03 −15 % = 8.5255 → 8.53; KWD 12.3456 +10 % = 13.58016 → 13.580', () => {
		assert.equal(plan(1003, 'JPY', 20).after, 1203);
		assert.equal(plan(10.03, 'USD', -15).after, 8.53);
		assert.equal(plan(12.3456, 'KWD', 10).after, 13.58);
		// binary noise: 10.03 × 1.2 = 12.036 → 12.03 (not 12.04); 12.03 itself survives as 12.03
		assert.equal(plan(10.03, 'USD', 20).after, 12.03);
		assert.equal(roundTowardCurrent(12.03, 10, 2), 12.03);
		assert.equal(roundTowardCurrent(7.999999999, 10, 2), 8);
	});

	test('a change smaller than one minor unit fails has_effect: 0.04 USD +10 % = 0.044 → 0.04', () => {
		const p = plan(0.04, 'USD', 10);
		assert.equal(p.ok, false);
		assert.equal(p.gates.find((g) => g.gate === 'has_effect')?.detail, 'the change rounds to less than one minor unit of USD');
	});
});

describe('gates: maximum actions per run', () => {
	test('three matching campaigns, max 2: c1 and c2 execute (entity key order), c3 is gated; a notification does not count', () => {
		const entities = ['c1', 'c2', 'c3'].map((c) => ({ ...ENTITY, campaignId: c }));
		const metrics = ['c3', 'c1', 'c2'].flatMap((c) => history(c));
		const notify = { id: 'tell', name: 'Tell', conditions: { metric: 'spend', window: 'yesterday', op: '>', value: 0 }, action: { type: 'notify' } };
		const result = evaluate({ rules: [notify, SCALE], entities: [...entities].reverse(), metrics, settings: { now: NOW, maxActionsPerRun: 2 } });
		assert.deepEqual(
			result.decisions.filter((d) => d.ruleId === 'scale').map((d) => [d.entity.campaignId, d.decision]),
			[['c1', 'execute'], ['c2', 'execute'], ['c3', 'gated']],
		);
		const c3 = result.decisions.find((d) => d.ruleId === 'scale' && d.entity.campaignId === 'c3') as Decision;
		assert.equal(gateOf(c3, 'max_actions').detail, '2 actions already planned this run (max 2)');
		assert.equal(result.decisions.filter((d) => d.ruleId === 'tell' && d.decision === 'execute').length, 3);
		assert.equal(result.summary.actionsPlanned, 2);
	});

	test('higher-priority rules use the allowance first, whatever the entity order', () => {
		const entities = ['c1', 'c2'].map((c) => ({ ...ENTITY, campaignId: c }));
		const urgent = { ...SCALE, id: 'urgent', priority: 1, scope: { campaignIds: ['c2'] }, action: { type: 'scale_budget', percent: 10 } };
		const later = { ...SCALE, id: 'later', priority: 50, scope: { campaignIds: ['c1'] } };
		const r = evaluate({ rules: [later, urgent], entities, metrics: [...history('c1'), ...history('c2')], settings: { now: NOW, maxActionsPerRun: 1 } });
		assert.deepEqual(r.decisions.map((d) => [d.entity.campaignId, d.ruleId, d.decision]), [['c1', 'later', 'gated'], ['c2', 'urgent', 'execute']]);
	});
});

describe('gates: approval threshold', () => {
	test('percent 15: +20 % becomes a proposal for the approval queue with an exact payload', () => {
		const d = only(run({ settings: { gates: { approval: { percent: 15 } } } }));
		assert.equal(d.decision, 'propose');
		assert.deepEqual(d.approval, { required: true, reasons: ['change 20% > approval threshold 15%'] });
		const p = createProposal(d.proposal as NonNullable<Decision['proposal']>);
		assert.equal(p.kind, 'optimization');
		assert.equal(p.id, `opt-${(d.idempotencyKey as string).slice(4, 44)}`);
		assert.equal(p.proposedChange, 'Daily budget of campaign c1 "Brand | DE" 100.00 EUR → 120.00 EUR (+20%)');
		const payload = optimizationPayloadSchema.parse(p.payload);
		assert.deepEqual([payload.action, payload.budgetBefore, payload.budgetAfter, payload.currency, payload.idempotencyKey], ['set_budget', 100, 120, 'EUR', d.idempotencyKey]);
	});

	test('strictly above: exactly 20 % with threshold 20 executes; amount 10 EUR < the 20 EUR change proposes', () => {
		assert.equal(only(run({ settings: { gates: { approval: { percent: 20 } } } })).decision, 'execute');
		const d = only(run({ settings: { gates: { approval: { amount: 10 } } } }));
		assert.deepEqual(d.approval?.reasons, ['change 20.00 EUR > approval threshold 10.00 EUR']);
	});

	test('by action type, by rule, and a rule can only lower the threshold', () => {
		const pause = { ...SCALE, id: 'p', action: { type: 'pause' } };
		assert.deepEqual(only(run({ rules: [pause], settings: { gates: { approval: { actions: ['pause'] } } } })).approval?.reasons, ['pause always needs approval']);
		assert.equal(only(run({ rules: [{ ...SCALE, requireApproval: true }] })).decision, 'propose');
		assert.equal(only(run({ rules: [{ ...SCALE, gates: { approvalPercent: 50 } }], settings: { gates: { approval: { percent: 15 } } } })).decision, 'propose');
		assert.equal(only(run({ rules: [{ ...SCALE, gates: { approvalPercent: 10 } }] })).decision, 'propose');
	});

	test('a proposal counts toward the run\'s maximum actions like an execution', () => {
		const entities = ['c1', 'c2'].map((c) => ({ ...ENTITY, campaignId: c }));
		const r = evaluate({ rules: [SCALE], entities, metrics: [...history('c1'), ...history('c2')], settings: { now: NOW, maxActionsPerRun: 1, gates: { approval: { percent: 5 } } } });
		assert.deepEqual(r.decisions.map((d) => d.decision), ['propose', 'gated']);
		assert.equal(approvalCheck({ type: 'notify', changePct: null, changeAmount: null, currency: 'EUR', percent: 0, amount: 0, actions: [], ruleRequires: false }).required, false);
	});
});

describe('gates: idempotency', () => {
	test('the same rule, entity, action and local day gives the same key; a recorded key gates a rerun', () => {
		const first = only(run());
		const later = only(evaluate({ rules: [SCALE], entities: [ENTITY], metrics: history(), settings: { now: '2025-06-11T20:00:00Z' } }).decisions);
		assert.equal(later.idempotencyKey, first.idempotencyKey);
		const nextDay = only(evaluate({ rules: [SCALE], entities: [ENTITY], metrics: history(), settings: { now: '2025-06-12T08:00:00Z' } }).decisions);
		assert.notEqual(nextDay.idempotencyKey, first.idempotencyKey);
		const rerun = only(run({ actions: [{ platform: 'meta', accountId: 'acc1', campaignId: 'c1', at: '2025-06-11T13:00:00Z', action: 'notify', idempotencyKey: first.idempotencyKey }] }));
		assert.equal(rerun.decision, 'gated');
		assert.equal(gateOf(rerun, 'already_done').detail, 'already done at 2025-06-11T13:00:00.000Z (same rule, entity, action and window)');
	});

	test('resolveGates: the effective configuration merges settings, currency and rule', () => {
		const settings = parseSettings({ now: NOW, gates: { cooldownHours: 24, maxChangePct: 30, budgetCeiling: 1000, approval: { percent: 20 } }, currencies: { EUR: { budgetCeiling: 800 } } });
		const rule = parseRule({ ...SCALE, gates: { cooldownHours: 12, maxChangePct: 40, approvalPercent: 10 } });
		const g = resolveGates(settings, rule, { currency: 'EUR', budgetCeiling: 900 }, { kind: 'yesterday' });
		assert.deepEqual([g.cooldownHours, g.maxChangePct, g.budgetCeiling, g.approvalPercent, g.dataWindow.kind], [24, 30, 800, 10, 'yesterday']);
	});
});
