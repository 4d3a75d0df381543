import assert from 'node:assert/strict';
import { describe, test } from 'vitest';
import fc from 'fast-check';
import { canonicalJson } from '../../nodes/shared/approvals';
import {
	RulesInputError,
	SEED_RULES,
	actionRecordFromRow,
	buildMetricIndex,
	decisionEvidence,
	decisionToActionRow,
	evaluate,
	resultLeaves,
	type Decision,
	type EntityInput,
	type EvaluationResult,
	type LeafResult,
	type MetricRowInput,
} from '../../nodes/shared/rules';
import { optimizationActionRow, type Row } from '../../nodes/shared/schema/rows';

const NOW = '2025-06-11T10:00:00Z'; // Wednesday; UTC entities: today 2025-06-11, yesterday 06-10

function entity(campaignId: string, over: Partial<EntityInput> = {}): EntityInput {
	return { platform: 'meta', accountId: 'A', campaignId, name: `Campaign ${campaignId}`, status: 'ACTIVE', createdAt: '2025-01-01T00:00:00Z', dailyBudget: 100, currency: 'USD', timezone: 'UTC', ...over };
}

/** One row per day for `days` days ending `end` (inclusive), same values each day. */
function daily(campaignId: string, days: number, end: string, m: Partial<MetricRowInput>, account = 'A'): MetricRowInput[] {
	const out: MetricRowInput[] = [];
	const last = Date.parse(end);
	for (let i = days - 1; i >= 0; i--) {
		out.push({ date: new Date(last - i * 86_400_000).toISOString().slice(0, 10), platform: 'meta', account_id: account, campaign_id: campaignId, currency: 'USD', spend: 0, impressions: 0, clicks: 0, conversions: 0, revenue: null, leads: null, ...m });
	}
	return out;
}

function decide(rules: unknown[], entities: EntityInput[], metrics: MetricRowInput[], settings: Record<string, unknown> = {}): EvaluationResult {
	return evaluate({ rules, entities, metrics, settings: { now: NOW, output: 'full', ...settings } });
}

const leaf = (d: Decision, i = 0): LeafResult => resultLeaves(d.conditions ?? { type: 'all', result: null, children: [] })[i];

describe('evaluate: conditions', () => {
	test('three-valued logic: undefined CPA does not match, unless ifUndefined is "match"; OR with a true branch matches', () => {
		const metrics = daily('c', 7, '2025-06-10', { spend: 30, clicks: 10, impressions: 1000, conversions: 0 }); // 7 × 30 = 210 spent, 0 conversions
		const cpa = { metric: 'cpa', window: 'last_7_days', op: '>', value: 50 };
		const r = decide(
			[
				{ id: 'strict', name: 'strict', conditions: cpa, action: { type: 'notify' } },
				{ id: 'lenient', name: 'lenient', conditions: { ...cpa, ifUndefined: 'match' }, action: { type: 'notify' } },
				{ id: 'and', name: 'and', conditions: { all: [cpa, { metric: 'spend', window: 'last_7_days', op: '>', value: 1000 }] }, action: { type: 'notify' } },
				{ id: 'or', name: 'or', conditions: { any: [cpa, { metric: 'spend', window: 'last_7_days', op: '>=', value: 210 }] }, action: { type: 'notify' } },
			],
			[entity('c')],
			metrics,
		);
		const by = Object.fromEntries(r.decisions.map((d) => [d.ruleId, d]));
		assert.deepEqual([by.strict.decision, by.strict.matched], ['no_match', null]);
		assert.equal(by.strict.reasons[0], 'conditions undefined: cpa last 7 days (2025-06-04..2025-06-10) = undefined > 50 → undefined');
		assert.deepEqual([by.lenient.decision, leaf(by.lenient).undefinedAsMatch], ['execute', true]);
		// AND(unknown, false) = false
		assert.deepEqual([by.and.decision, by.and.matched], ['no_match', false]);
		// OR(unknown, true) = true
		assert.deepEqual([by.or.decision, by.or.matched], ['execute', true]);
	});

	test('change against the previous window: CPA 7 days 06-04..06-10 = 40, 05-28..06-03 = 25 → +60 %', () => {
		// previous: 7 × spend 50 / 7 × 2 conversions = 25; current: 7 × 80 / 7 × 2 = 40; (40 − 25) / 25 = 60 %
		const metrics = [...daily('c', 7, '2025-06-03', { spend: 50, conversions: 2 }), ...daily('c', 7, '2025-06-10', { spend: 80, conversions: 2 })];
		const rule = (value: number) => ({ id: `up${value}`, name: 'CPA up', conditions: { metric: 'cpa', window: 'last_7_days', compareTo: 'previous_window', op: '>', value }, action: { type: 'notify' } });
		const r = decide([rule(59), rule(60)], [entity('c')], metrics);
		const [a, b] = r.decisions;
		assert.deepEqual([leaf(a).actual, leaf(a).baseline, leaf(a).compared], [40, 25, 60]);
		assert.equal(leaf(a).baselineWindow?.label, 'previous last 7 days (2025-05-28..2025-06-03)');
		assert.equal(a.decision, 'execute');
		assert.equal(b.decision, 'no_match'); // 60 > 60 is false
		assert.equal(leaf(a).text, 'cpa last 7 days (2025-06-04..2025-06-10) = 40 vs previous window 25: change +60% > 59% → met');
	});

	test('change against the account average: spend yesterday 300 vs (300 + 100 + 50) / 3 = 150 → +100 %', () => {
		const metrics = [
			...daily('c1', 1, '2025-06-10', { spend: 300 }),
			...daily('c2', 1, '2025-06-10', { spend: 100 }),
			...daily('c3', 1, '2025-06-10', { spend: 50 }),
			...daily('c4', 1, '2025-06-09', { spend: 999 }), // no row yesterday: not in the average
			...daily('x', 1, '2025-06-10', { spend: 5000 }, 'OTHER'), // another account
		];
		const rule = { id: 'hot', name: 'hot', conditions: { metric: 'spend', window: 'yesterday', compareTo: 'account_average', op: 'between', min: 50, max: 100 }, action: { type: 'notify' } };
		const r = decide([rule], [entity('c1'), entity('c2'), entity('c3')], metrics);
		assert.deepEqual(
			r.decisions.map((d) => [d.entity.campaignId, leaf(d).baseline, leaf(d).compared, d.decision]),
			[
				['c1', 150, 100, 'execute'], // +100 % is inside [50, 100]
				['c2', 150, ((100 - 150) / 150) * 100, 'no_match'], // −33.3 %
				['c3', 150, ((50 - 150) / 150) * 100, 'no_match'], // −66.7 %
			],
		);
	});

	test('a previous window with a zero baseline makes the change undefined', () => {
		const metrics = daily('c', 1, '2025-06-10', { spend: 10 });
		const r = decide([{ id: 'x', name: 'x', conditions: { metric: 'spend', window: 'yesterday', compareTo: 'previous_window', op: '>', value: 0 }, action: { type: 'notify' } }], [entity('c')], metrics);
		assert.deepEqual([leaf(r.decisions[0]).baseline, leaf(r.decisions[0]).compared, r.decisions[0].matched], [0, null, null]);
	});

	test('"today" is the account\'s local today: the row of 2025-06-11 counts in UTC, not yet in Los Angeles (still 06-11 03:00)', () => {
		const metrics = [...daily('utc', 1, '2025-06-11', { spend: 500 }), ...daily('la', 1, '2025-06-11', { spend: 500 })];
		const rule = { id: 'stop', name: 'stop', conditions: { metric: 'spend', window: 'today', op: '>=', value: 200 }, action: { type: 'pause' } };
		const r = decide([rule], [entity('utc'), entity('la', { timezone: 'America/Los_Angeles' })], metrics, { now: '2025-06-11T10:00:00Z' });
		// Los Angeles at 10:00Z is 03:00 on 2025-06-11 — the same date; at 05:00Z it is still 06-10
		assert.deepEqual(r.decisions.map((d) => [d.entity.campaignId, d.decision]), [['la', 'execute'], ['utc', 'execute']]);
		const early = decide([rule], [entity('utc'), entity('la', { timezone: 'America/Los_Angeles' })], metrics, { now: '2025-06-11T05:00:00Z' });
		assert.deepEqual(early.decisions.map((d) => [d.entity.campaignId, d.decision, leaf(d).window.start]), [['la', 'no_match', '2025-06-10'], ['utc', 'execute', '2025-06-11']]);
	});
});

describe('evaluate: scope and status', () => {
	const notifyAll = (scope: unknown) => ({ id: 's', name: 's', scope, conditions: { metric: 'spend', window: 'yesterday', op: '>=', value: 0 }, action: { type: 'notify' } });
	const entities = [
		entity('b1', { name: 'Brand | US', labels: ['evergreen'] }),
		entity('p1', { name: 'Prospecting | US', labels: ['test'] }),
		entity('g1', { platform: 'google_ads', accountId: 'G', name: 'Brand | DE' }),
		entity('j1', { accountId: 'J', name: 'Brand | JP', currency: 'JPY' }),
	];
	const metrics = [...daily('j1', 1, '2025-06-10', { spend: 1000, currency: 'JPY' }, 'J')];
	const ids = (scope: unknown, extra: Record<string, unknown> = {}) => decide([notifyAll(scope)], entities, metrics, extra).decisions.map((d) => d.entity.campaignId);

	test('platforms, accounts, campaign ids, currencies, labels, excluded labels, glob and regex', () => {
		assert.deepEqual(ids({ platforms: ['google_ads'] }), ['g1']);
		// decisions come sorted by entity key (platform|account|campaign)
		assert.deepEqual(ids({ accountIds: ['A', 'J'] }), ['b1', 'p1', 'j1']);
		assert.deepEqual(ids({ campaignIds: ['p1'] }), ['p1']);
		assert.deepEqual(ids({ currencies: ['JPY'] }), ['j1']); // from the metric rows; entities without rows use their budget currency
		assert.deepEqual(ids({ labels: ['evergreen', 'test'] }), ['b1', 'p1']);
		assert.deepEqual(ids({ excludeLabels: ['test'] }), ['g1', 'b1', 'j1']);
		assert.deepEqual(ids({ name: { glob: 'brand*' } }), ['g1', 'b1', 'j1']);
		assert.deepEqual(ids({ name: { regex: '\\| (US|DE)$' } }), ['g1', 'b1', 'p1']);
		assert.deepEqual(ids({ name: { regex: '^brand', caseSensitive: true } }), []);
		const out = decide([notifyAll({ platforms: ['google_ads'] })], entities, metrics, { includeOutOfScope: true }).decisions.find((d) => d.entity.campaignId === 'b1');
		assert.deepEqual([out?.decision, out?.reasons], ['no_match', ['out of scope: platform meta not in google_ads']]);
	});

	test('pause and budget rules act on active entities, enable on paused ones, nothing on archived ones', () => {
		const rules = [
			{ id: 'pause', name: 'pause', conditions: { metric: 'spend', window: 'yesterday', op: '>=', value: 0 }, action: { type: 'pause' } },
			{ id: 'enable', name: 'enable', conditions: { metric: 'spend', window: 'yesterday', op: '>=', value: 0 }, action: { type: 'enable' } },
		];
		const r = decide(rules, [entity('a'), entity('p', { status: 'PAUSED' }), entity('x', { status: 'ARCHIVED' })], []);
		// per entity, rules in (priority, id) order: both priority 100, so enable before pause
		assert.deepEqual(
			r.decisions.map((d) => [d.entity.campaignId, d.ruleId, d.decision, d.reasons[0]]),
			[
				['a', 'enable', 'no_match', 'not applicable: enable acts on paused entities only (status ACTIVE)'],
				['a', 'pause', 'execute', 'conditions met: spend yesterday (2025-06-10) = 0 >= 0 → met'],
				['p', 'enable', 'execute', 'conditions met: spend yesterday (2025-06-10) = 0 >= 0 → met'],
				['p', 'pause', 'no_match', 'not applicable: pause acts on active entities only (status PAUSED)'],
				['x', 'enable', 'no_match', 'not applicable: entity status is neither active nor paused (status ARCHIVED)'],
				['x', 'pause', 'no_match', 'not applicable: entity status is neither active nor paused (status ARCHIVED)'],
			],
		);
		assert.deepEqual([r.decisions[1].action?.statusBefore, r.decisions[1].action?.statusAfter], ['active', 'paused']);
	});

	test('unusable entities are skipped with a reason; duplicates and mixed-currency rows are refused', () => {
		const r = decide([notifyAll({})], [entity('ok'), entity('tz', { timezone: 'Mars/Olympus' }), entity('cur', { currency: 'XXX' }), entity('neg', { dailyBudget: -5 }), entity('plat', { platform: 'snapchat' })], []);
		assert.deepEqual(r.skippedEntities.map((s) => s.reason), ['unknown time zone Mars/Olympus', 'unknown currency XXX', 'dailyBudget, budgetFloor and budgetCeiling must be numbers >= 0 or null', 'unknown platform snapchat']);
		assert.deepEqual(r.decisions.map((d) => d.entity.campaignId), ['ok']);
		assert.throws(() => decide([notifyAll({})], [entity('d'), entity('d')], []), RulesInputError);
		const mixed = decide([notifyAll({})], [entity('m')], [...daily('m', 1, '2025-06-09', { spend: 1 }), ...daily('m', 1, '2025-06-10', { spend: 1, currency: 'EUR' })]);
		assert.equal(mixed.decisions[0].reasons[0], 'metric rows use several currencies (EUR, USD): sums would mix them');
	});

	test('disabled rules are not evaluated; the default output lists only actionable decisions', () => {
		const rules = [notifyAll({}), { ...notifyAll({}), id: 'off', enabled: false }, { ...notifyAll({}), id: 'never', conditions: { metric: 'spend', window: 'yesterday', op: '>', value: 1e9 } }];
		const full = decide(rules, [entity('a')], []);
		assert.deepEqual(full.decisions.map((d) => [d.ruleId, d.decision]), [['never', 'no_match'], ['s', 'execute']]);
		assert.equal(full.summary.disabledRules, 1);
		const actionable = evaluate({ rules, entities: [entity('a')], metrics: [], settings: { now: NOW } });
		assert.deepEqual(actionable.decisions.map((d) => d.ruleId), ['s']);
		assert.deepEqual([actionable.summary.no_match, actionable.summary.execute], [1, 1]);
	});
});

describe('evaluate: conflicts', () => {
	const always = { metric: 'spend', window: 'yesterday', op: '>=', value: 0 };
	const r = (id: string, priority: number, action: unknown) => ({ id, name: `Rule ${id}`, priority, conditions: always, action });

	test('the lowest priority number wins; the loser is gated and names the winner; notifications never conflict', () => {
		const result = decide([r('scale', 20, { type: 'scale_budget', percent: 10 }), r('pause', 10, { type: 'pause' }), r('tell', 30, { type: 'notify' })], [entity('c')], []);
		assert.deepEqual(result.decisions.map((d) => [d.ruleId, d.decision]), [['pause', 'execute'], ['scale', 'gated'], ['tell', 'execute']]);
		const loser = result.decisions[1];
		assert.deepEqual(loser.conflict, { winnerRuleId: 'pause', winnerRuleName: 'Rule pause', winnerPriority: 10 });
		assert.equal(loser.reasons[0], 'conflict: lost to rule "Rule pause" (pause) on this entity: priority 10 < 20');
		assert.equal(loser.action?.summary, 'scale daily budget by +10% of campaign c "Campaign c" (now 100.00 USD)');
	});

	test('equal priority: the safer action wins (pause, decrease, increase), then the smaller rule id', () => {
		const tie = (rules: unknown[]) => decide(rules, [entity('c')], []).decisions.filter((d) => d.decision !== 'gated').map((d) => d.ruleId);
		assert.deepEqual(tie([r('a-up', 5, { type: 'scale_budget', percent: 10 }), r('z-pause', 5, { type: 'pause' })]), ['z-pause']);
		assert.deepEqual(tie([r('a-up', 5, { type: 'set_budget', amount: 120 }), r('z-down', 5, { type: 'set_budget', amount: 80 })]), ['z-down']);
		assert.deepEqual(tie([r('b-up', 5, { type: 'scale_budget', percent: 10 }), r('a-up', 5, { type: 'scale_budget', percent: 20 })]), ['a-up']);
		const detail = decide([r('b', 5, { type: 'scale_budget', percent: 10 }), r('a', 5, { type: 'scale_budget', percent: 20 })], [entity('c')], []).decisions[1].reasons[0];
		assert.equal(detail, 'conflict: lost to rule "Rule a" (a) on this entity: same priority 5, tie-break (safer action, then rule id)');
	});

	test('a gated winner still blocks lower rules: a pause held back by data volume does not let a scale-up through', () => {
		const pause = { ...r('pause', 1, { type: 'pause' }), gates: { minData: { spend: 1000 } } };
		const result = decide([pause, r('scale', 2, { type: 'scale_budget', percent: 10 })], [entity('c')], daily('c', 1, '2025-06-10', { spend: 10 }));
		assert.deepEqual(result.decisions.map((d) => [d.ruleId, d.decision, d.gates.find((g) => g.status === 'fail')?.gate]), [['pause', 'gated', 'data_volume'], ['scale', 'gated', 'conflict']]);
		assert.equal(result.summary.actionsPlanned, 0);
	});
});

describe('evaluate: determinism and input order', () => {
	test('property: shuffled rules, entities, metric rows and actions give byte-identical results', () => {
		const rules = [
			...SEED_RULES,
			{ id: 'tie-a', name: 'A', priority: 50, conditions: { metric: 'ctr', window: 'last_3_days', op: '>', value: 0.01 }, action: { type: 'scale_budget', percent: -10 } },
			{ id: 'tie-b', name: 'B', priority: 50, conditions: { metric: 'cpc', window: 'last_3_days', op: '<', value: 2 }, action: { type: 'scale_budget', percent: 15 } },
			{ id: 'avg', name: 'Avg', priority: 60, conditions: { metric: 'cpa', window: 'last_7_days', compareTo: 'account_average', op: '<', value: 0 }, action: { type: 'set_budget', amount: 150 } },
		];
		const dayArb = fc.record({ spend: fc.integer({ min: 0, max: 40_000 }).map((c) => c / 100), impressions: fc.integer({ min: 0, max: 20_000 }), clicks: fc.integer({ min: 0, max: 400 }), conversions: fc.integer({ min: 0, max: 20 }), revenue: fc.option(fc.integer({ min: 0, max: 200_000 }).map((c) => c / 100), { nil: null }) });
		const campaignArb = fc.record({ days: fc.array(dayArb, { minLength: 15, maxLength: 15 }), budget: fc.integer({ min: 500, max: 50_000 }).map((c) => c / 100), paused: fc.boolean(), age: fc.integer({ min: 0, max: 60 }), recent: fc.option(fc.integer({ min: 1, max: 72 }), { nil: null }) });
		fc.assert(
			fc.property(fc.array(campaignArb, { minLength: 1, maxLength: 6 }), fc.integer({ min: 0, max: 2 ** 31 }), fc.integer({ min: 0, max: 3 }), (campaigns, seed, maxActions) => {
				const entities: EntityInput[] = [];
				const metrics: MetricRowInput[] = [];
				const actions: Array<Record<string, unknown>> = [];
				campaigns.forEach((c, i) => {
					const id = `c${i}`;
					entities.push(entity(id, { dailyBudget: c.budget, status: c.paused ? 'PAUSED' : 'ACTIVE', createdAt: new Date(Date.parse(NOW) - c.age * 86_400_000).toISOString(), timezone: i % 2 ? 'Europe/Berlin' : 'America/New_York', accountId: i % 3 ? 'A' : 'B' }));
					c.days.forEach((d, k) => metrics.push({ date: new Date(Date.parse('2025-05-27') + k * 86_400_000).toISOString().slice(0, 10), platform: 'meta', account_id: i % 3 ? 'A' : 'B', campaign_id: id, currency: 'USD', ...d, leads: null }));
					if (c.recent !== null) actions.push({ platform: 'meta', accountId: i % 3 ? 'A' : 'B', campaignId: id, at: new Date(Date.parse(NOW) - c.recent * 3_600_000).toISOString(), action: 'scale_budget', budgetBefore: c.budget / 1.1, budgetAfter: c.budget });
				});
				const settings = { now: NOW, output: 'full', maxActionsPerRun: maxActions, gates: { cooldownHours: 24, approval: { percent: 12 } } };
				const a = evaluate({ rules, entities, metrics, actions: actions as never, settings });
				const b = evaluate({ rules: shuffle(rules, seed), entities: shuffle(entities, seed + 1), metrics: shuffle(metrics, seed + 2), actions: shuffle(actions, seed + 3) as never, settings });
				assert.equal(JSON.stringify(b), JSON.stringify(a));
				assert.ok(a.summary.actionsPlanned <= maxActions);
				// the evidence of every decision is JSON (no undefined, NaN or Infinity)
				for (const d of a.decisions) canonicalJson(decisionEvidence(d));
			}),
			{ numRuns: 60 },
		);
	});

	test('a prebuilt index gives the same result as the rows', () => {
		const metrics = daily('c', 10, '2025-06-10', { spend: 20, conversions: 1, clicks: 30, impressions: 900, revenue: 90 });
		const settings = { now: NOW, output: 'full' };
		const a = evaluate({ rules: [...SEED_RULES], entities: [entity('c')], metrics, settings });
		const b = evaluate({ rules: [...SEED_RULES], entities: [entity('c')], metrics: buildMetricIndex(metrics), settings });
		assert.deepEqual(b, a);
	});
});

describe('evaluate: ledger rows close the loop', () => {
	test('an executed change stored through decisionToActionRow comes back as history and starts the cooldown', () => {
		const rule = { id: 'scale', name: 'Scale', conditions: { metric: 'spend', window: 'yesterday', op: '>=', value: 0 }, action: { type: 'scale_budget', percent: 10 } };
		const first = evaluate({ rules: [rule], entities: [entity('c')], metrics: [], settings: { now: NOW } }).decisions[0];
		assert.equal(first.decision, 'execute');
		const row = optimizationActionRow.parse(decisionToActionRow(first));
		assert.equal(row.idempotency_key, first.idempotencyKey);
		assert.equal(row.service_time_met, true);
		// the executor marks it taken; read back one hour later
		const stored = { ...row, action_taken: true, id: 'u', created_at: NOW, updated_at: NOW } as Row<'optimization_actions'>;
		const record = actionRecordFromRow(stored);
		assert.deepEqual(record && [record.action, record.budgetBefore, record.budgetAfter, record.at], ['scale_budget', 100, 110, NOW]);
		const next = evaluate({ rules: [rule], entities: [entity('c', { dailyBudget: 110 })], metrics: [], actions: [record as never], settings: { now: '2025-06-11T11:00:00Z' } }).decisions[0];
		assert.deepEqual(next.gates.filter((g) => g.status === 'fail').map((g) => g.gate), ['already_done', 'cooldown']);
		assert.equal(actionRecordFromRow({ ...stored, action_taken: false }), null);
	});

	test('a gated decision is stored under its own key, so it never blocks the action later that day', () => {
		const rule = { id: 'scale', name: 'Scale', conditions: { metric: 'spend', window: 'yesterday', op: '>=', value: 0 }, action: { type: 'scale_budget', percent: 10 } };
		const gated = evaluate({ rules: [rule], entities: [entity('c')], metrics: [], settings: { now: NOW, killSwitch: true } }).decisions[0];
		const row = decisionToActionRow(gated);
		assert.equal(row?.idempotency_key, `${gated.idempotencyKey}:gated@2025-06-11T10:00:00.000Z`);
		assert.equal(row?.service_time_met, false);
		assert.equal(decisionToActionRow({ ...gated, decision: 'no_match' }), null);
	});
});

/** Fisher-Yates with a seeded LCG: a reproducible permutation. */
function shuffle<T>(items: readonly T[], seed: number): T[] {
	const out = [...items];
	let x = seed >>> 0;
	for (let i = out.length - 1; i > 0; i--) {
		x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
		const j = x % (i + 1);
		[out[i], out[j]] = [out[j], out[i]];
	}
	return out;
}
