/**
 * Issue 13 scenarios with hand-computed decisions (arithmetic in the comments),
 * each semantic on Meta, Google Ads and LinkedIn campaigns, and the JPY
 * minor-unit case. now = 2025-06-11T14:00Z (Wednesday).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'vitest';
import { description as runDescription, settingsFromOptions } from '../../nodes/AdOpsOptimizer/actions/run.operation';
import { evaluate, GATES, GATE_NAMES, GATE_NODE_OPTIONS, optimizationPayloadSchema, parseRule, type ActionRecord, type Decision, type EntityInput, type GateResult, type MetricRowInput } from '../../nodes/shared/rules';

const NOW = '2025-06-11T14:00:00Z';
const PLATFORMS = [
	{ platform: 'meta', accountId: 'act1', timezone: 'Europe/Berlin' },
	{ platform: 'google_ads', accountId: '1234567890', timezone: 'America/New_York' },
	{ platform: 'linkedin', accountId: '507', timezone: 'UTC' },
] as const;

function entity(p: (typeof PLATFORMS)[number], over: Partial<EntityInput> = {}): EntityInput {
	return { platform: p.platform, accountId: p.accountId, campaignId: 'c1', name: 'Brand', status: 'ACTIVE', createdAt: '2025-05-01T00:00:00Z', dailyBudget: 200, currency: 'USD', timezone: p.timezone, ...over };
}
function rows(p: (typeof PLATFORMS)[number], currency = 'USD', todaySpend = 0): MetricRowInput[] {
	const out: MetricRowInput[] = [];
	for (let d = 28; d <= 41; d++) {
		const date = new Date(Date.UTC(2025, 4, d)).toISOString().slice(0, 10);
		out.push({ date, platform: p.platform, account_id: p.accountId, campaign_id: 'c1', currency, spend: 50, impressions: 10_000, clicks: 200, conversions: 2, revenue: 150, leads: null });
	}
	if (todaySpend > 0) out.push({ date: '2025-06-11', platform: p.platform, account_id: p.accountId, campaign_id: 'c1', currency, spend: todaySpend, impressions: 1000, clicks: 10, conversions: 0, revenue: 0, leads: null });
	return out;
}
const scale = (percent: number, extra: Record<string, unknown> = {}) => ({ id: 'scale', name: 'Scale', conditions: { metric: 'roas', window: 'last_7_days', op: '>=', value: 2 }, action: { type: 'scale_budget', percent }, ...extra });
function decide(p: (typeof PLATFORMS)[number], o: { rules?: unknown[]; entity?: Partial<EntityInput>; actions?: ActionRecord[]; gates?: Record<string, unknown>; now?: string; currency?: string; todaySpend?: number; settings?: Record<string, unknown> }): Decision {
	const r = evaluate({
		rules: o.rules ?? [scale(20)],
		entities: [entity(p, o.entity)],
		metrics: rows(p, o.currency ?? o.entity?.currency ?? 'USD', o.todaySpend),
		actions: o.actions ?? [],
		settings: { now: o.now ?? NOW, gates: { cooldownHours: 0, maxChangePct: 25, maxDailyChangePct: 20, ...o.gates }, ...o.settings },
	});
	assert.equal(r.decisions.length, 1, r.decisions.map((d) => `${d.ruleId}:${d.decision}`).join());
	return r.decisions[0]!;
}
const gateOf = (d: Decision, name: string): GateResult => {
	const g = d.gates.find((x) => x.gate === name);
	assert.ok(g, `${name} in ${d.gates.map((x) => x.gate).join()}`);
	return g;
};
const change = (p: (typeof PLATFORMS)[number], at: string, before: number, after: number, extra: Partial<ActionRecord> = {}): ActionRecord => ({ platform: p.platform, accountId: p.accountId, campaignId: 'c1', at, action: 'scale_budget', budgetBefore: before, budgetAfter: after, ruleId: 'r-earlier', ...extra });

for (const p of PLATFORMS) {
	describe(`issue 13 on ${p.platform}`, () => {
		test('1. the rolling 24 h bound: +12 % of 200 = 224 at 09:00 UTC, then +8 % asked: 224 × 1.08 = 241.92 > 1.2 × 200 = 240 → clamped to 240.00 (fail mode: gated)', () => {
			const earlier = [change(p, '2025-06-11T09:00:00Z', 200, 224)];
			const d = decide(p, { rules: [scale(8)], entity: { dailyBudget: 224 }, actions: earlier });
			assert.equal(d.decision, 'execute');
			assert.equal(d.action!.budgetAfter, 240);
			const g = gateOf(d, 'daily_change');
			assert.equal(g.values.budget24hAgo, 200);
			assert.equal(g.values.bound, 240);
			assert.equal(g.values.leftAmount, 16);
			assert.match(g.detail, /^budget 24 h ago 200\.00 USD, lowest held 200\.00 USD, highest 224\.00 USD; changes since: budget changed 200\.00 → 224\.00 USD by rule r-earlier at \d{2}:\d{2}; at most 20% above 200\.00 USD = 240\.00 USD: clamped to 240\.00 USD/);
			const fail = decide(p, { rules: [scale(8)], entity: { dailyBudget: 224 }, actions: earlier, gates: { changeMode: 'fail' } });
			assert.equal(fail.decision, 'gated');
			assert.equal(gateOf(fail, 'daily_change').status, 'fail');
		});

		test('1b. an unknown outcome counts as applied: the same +12 % with its answer lost bounds the next change the same way', () => {
			const d = decide(p, { rules: [scale(8)], entity: { dailyBudget: 224 }, actions: [change(p, '2025-06-11T09:00:00Z', 200, 224, { unknown: true })] });
			assert.equal(d.action!.budgetAfter, 240);
			assert.match(gateOf(d, 'daily_change').detail, /by rule r-earlier \(outcome unknown, counted as applied\)/);
		});

		test('2. "already done" does not hide the cap: the same key done today is gated by already_done AND the list shows daily_change\'s own verdict; after midnight the new key is still bounded', () => {
			// today's run already executed this rule's key: +20 % 200 → 240 at 13:00 UTC
			const first = decide(p, { rules: [scale(20)], entity: { dailyBudget: 200 } });
			const key = first.idempotencyKey!;
			const done = [change(p, '2025-06-11T13:00:00Z', 200, 240, { ruleId: 'scale', idempotencyKey: key })];
			const again = decide(p, { rules: [scale(20)], entity: { dailyBudget: 240 }, actions: done });
			assert.equal(again.decision, 'gated');
			assert.equal(gateOf(again, 'already_done').status, 'fail');
			assert.equal(gateOf(again, 'daily_change').status, 'fail', 'the cap states its own verdict: nothing left (240 = 1.2 × 200)');
			// the next local day, 23 h later: a new key, but 200 → 240 is inside the 24 h: still nothing left
			const tomorrow = decide(p, { rules: [scale(20)], entity: { dailyBudget: 240 }, actions: done, now: '2025-06-12T12:00:00Z' });
			assert.notEqual(tomorrow.idempotencyKey, key);
			assert.equal(gateOf(tomorrow, 'already_done').status, 'pass');
			assert.equal(tomorrow.decision, 'gated');
			assert.match(gateOf(tomorrow, 'daily_change').detail, /nothing left \(budget now 240\.00 USD\)$/);
		});

		test('3. approval is judged on the change asked: +60 % with approval above 30 % and a 30 % cap is proposed (not executed as +30 %), the card shows asked vs allowed vs will execute', () => {
			const d = decide(p, { rules: [scale(60)], entity: { dailyBudget: 100 }, gates: { maxChangePct: 30, maxDailyChangePct: 100, approval: { percent: 30 } } });
			assert.equal(d.decision, 'propose');
			assert.equal(d.action!.budgetAfter, 130);
			assert.deepEqual(d.approval!.reasons, ['asked +60% (the caps allow +30%) > approval threshold 30%']);
			const payload = optimizationPayloadSchema.parse(d.proposal!.payload) as Record<string, unknown>;
			assert.equal(payload.budgetAfter, 130, 'what executes if approved');
			const raw = d.proposal!.payload as Record<string, Record<string, unknown>>;
			assert.deepEqual(raw.asked, { budget: 160, changePct: 60 });
			assert.deepEqual(raw.allowed, { budget: 130, changePct: 30, clampedBy: ['max_change'] });
			assert.match(d.proposal!.proposedChange, /Asked \+60% \(100\.00 USD → 160\.00 USD\); the caps allow \+30% \(max_change\); approving executes 100\.00 USD → 130\.00 USD\.$/);
			// at or under the threshold as asked: executes (+30 % exactly)
			assert.equal(decide(p, { rules: [scale(30)], entity: { dailyBudget: 100 }, gates: { maxChangePct: 30, maxDailyChangePct: 100, approval: { percent: 30 } } }).decision, 'execute');
		});

		test('4. an outside edit starts the cooldown: budget 80 → 120 by Jane Doe in the platform\'s UI 3 h ago < cooldown 24 h', () => {
			const outside: ActionRecord = { platform: p.platform, accountId: p.accountId, campaignId: 'c1', at: '2025-06-11T11:00:00Z', action: 'set_budget', budgetBefore: 80, budgetAfter: 120, source: 'outside', by: 'Jane Doe', via: 'Ads Manager' };
			const d = decide(p, { entity: { dailyBudget: 120 }, actions: [outside], gates: { cooldownHours: 24 } });
			assert.equal(d.decision, 'gated');
			assert.match(gateOf(d, 'cooldown').detail, /^budget changed 80\.00 → 120\.00 USD by Jane Doe in Ads Manager at \d{2}:\d{2}, 3 h ago < cooldown 24 h \(a change made outside the package\)$/);
			assert.equal(gateOf(d, 'cooldown').values.lastChangeBy, 'Jane Doe');
			// with no cooldown, the edit still bounds the 24 h: lowest held 80 → at most 1.2 × 80 = 96 < 120: nothing left to raise
			const noCooldown = decide(p, { entity: { dailyBudget: 120 }, actions: [outside] });
			assert.equal(gateOf(noCooldown, 'daily_change').status, 'fail');
		});

		test('schedule with its own time zone: Mon–Fri 09:00–17:00 America/New_York; Wed 14:00 UTC is 10:00 in New York: inside; 22:00 UTC is 18:00: outside', () => {
			const rule = scale(10, { gates: { schedule: [{ days: ['mon', 'tue', 'wed', 'thu', 'fri'], from: '09:00', to: '17:00', timeZone: 'America/New_York' }] } });
			assert.equal(gateOf(decide(p, { rules: [rule] }), 'schedule').status, 'pass');
			const late = decide(p, { rules: [rule], now: '2025-06-11T22:00:00Z' });
			assert.equal(gateOf(late, 'schedule').status, 'fail');
			assert.match(gateOf(late, 'schedule').detail, /wed 18:00 America\/New_York is outside the rule schedule \(mon,tue,wed,thu,fri 09:00-17:00 America\/New_York\)$/);
		});

		test('max_daily_spend (the README example): spent 120 today > 100 → no raise; a cut passes', () => {
			const raise = decide(p, { rules: [scale(10, { gates: { maxDailySpend: 100 } })], todaySpend: 120 });
			assert.equal(raise.decision, 'gated');
			assert.equal(gateOf(raise, 'max_daily_spend').detail, 'spent 120 today (2025-06-11) > 100: no raise today');
			const cut = decide(p, { rules: [scale(-10, { gates: { maxDailySpend: 100 } })], todaySpend: 120 });
			assert.equal(cut.decision, 'execute');
			assert.equal(gateOf(cut, 'max_daily_spend').status, 'skip');
			// not configured: not listed at all (the existing gates' output is unchanged)
			assert.equal(decide(p, {}).gates.some((g) => g.gate === 'max_daily_spend'), false);
		});

		test('the money ceiling: a planned budget above the currency\'s ceiling is refused with the reason', () => {
			const d = decide(p, { entity: { dailyBudget: 9_000_000_000 }, gates: { maxDailyChangePct: 100 } });
			assert.equal(d.decision, 'gated');
			assert.match(gateOf(d, 'budget_bounds').detail, /^the planned daily budget of .* USD is above the ceiling of/);
		});
	});
}

describe('issue 13: JPY minor units', () => {
	const p = PLATFORMS[0];
	test('1,003 JPY, +12 % then +8 % under 20 % per 24 h: bound 1.2 × 1,003 = 1,203.6 → 1,203 (rounded toward the current budget, never above the bound)', () => {
		// 1,003 × 1.12 = 1,123.36 → 1,123 (the earlier change); 1,123 × 1.08 = 1,212.84 > 1,203.6 → clamped, rounded down to 1,203
		const d = decide(p, { rules: [scale(8)], entity: { dailyBudget: 1123, currency: 'JPY' }, actions: [change(p, '2025-06-11T09:00:00Z', 1003, 1123)] });
		assert.equal(d.action!.budgetAfter, 1203);
		assert.match(gateOf(d, 'daily_change').detail, /at most 20% above 1003 JPY = 1204 JPY: clamped to 1204 JPY/);
	});
	test('= and ≠ on money compare within half a minor unit of the metric currency (0.5 JPY, 0.005 USD); a tolerance can be given', () => {
		// 14 days × spend 50: CPA last 7 days = 350 / 14 = 25
		const eq = (value: number, currency: string, extra: Record<string, unknown> = {}) =>
			decide(p, { rules: [{ id: 'eq', name: 'Eq', conditions: { metric: 'cpa', window: 'last_7_days', op: '=', value, ...extra }, action: { type: 'notify' } }], entity: { currency }, currency, settings: { output: 'full' } }).matched;
		assert.equal(eq(25.4, 'JPY'), true);
		assert.equal(eq(25.6, 'JPY'), false);
		assert.equal(eq(25.004, 'USD'), true);
		assert.equal(eq(25.01, 'USD'), false);
		assert.equal(eq(26, 'USD', { tolerance: 1 }), true);
		const ne = decide(p, { rules: [{ id: 'ne', name: 'Ne', conditions: { metric: 'cpa', window: 'last_7_days', op: '≠', value: 30 }, action: { type: 'notify' } }] });
		assert.equal(ne.decision, 'execute');
		assert.match((ne.conditions as { text: string }).text, /^cpa last 7 days \(2025-06-04\.\.2025-06-10\) = 25 ≠ 30 \(± 0\.005\) → met$/);
		assert.throws(() => parseRule({ id: 'x', name: 'x', conditions: { metric: 'cpa', window: 'yesterday', op: '>', value: 1, tolerance: 1 }, action: { type: 'notify' } }), /tolerance: only used with op "=" or "!="/);
	});
});

describe('one registry of gates', () => {
	test('the list is ordered, every gate has a meaning; node options and settings come from it', () => {
		assert.deepEqual(GATE_NAMES, ['kill_switch', 'schedule', 'entity_age', 'data_volume', 'already_done', 'cooldown', 'max_daily_spend', 'budget_bounds', 'max_change', 'daily_change', 'has_effect', 'max_actions', 'conflict', 'unreconciled']);
		for (const g of GATES) assert.ok(g.meaning.length > 40, g.name);
		assert.ok(GATE_NODE_OPTIONS.some((o) => o.name === 'maxDailySpend' && o.gate === 'max_daily_spend'));
		// a rule-level setting of a registered gate parses; an unknown one is refused with its path
		assert.equal(parseRule({ ...scale(10), gates: { maxDailySpend: 50 } }).gates.maxDailySpend, 50);
		assert.throws(() => parseRule({ ...scale(10), gates: { maxDailySpendd: 50 } }), /gates: unknown key "maxDailySpendd"/);
	});
	test('the node offers the options of registered gates it does not spell out (max_daily_spend), sorted with the others', () => {
		const options = (runDescription.find((p) => p.name === 'runOptions')!.options ?? []) as Array<{ name: string; displayName: string }>;
		assert.ok(options.some((o) => o.name === 'maxDailySpend'));
		assert.deepEqual(options.map((o) => o.displayName), [...options.map((o) => o.displayName)].sort((a, b) => a.localeCompare(b)));
		assert.equal((settingsFromOptions({ maxDailySpend: 100 }, true, false).gates as Record<string, unknown>).maxDailySpend, 100);
		assert.equal((settingsFromOptions({ maxDailySpend: 0 }, true, false).gates as Record<string, unknown>).maxDailySpend, null);
	});
});
