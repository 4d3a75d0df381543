/**
 * Safety properties over random metric histories, rule sets and settings, run
 * through the backtest (many steps, changes applied and fed back into the
 * history): budgets stay inside floor and ceiling, no entity changes twice
 * inside its cooldown, no change exceeds the per-action cap, the cumulative
 * change over any rolling 24 h stays within its cap, the run cap holds, and
 * the kill switch stops everything.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'vitest';
import fc from 'fast-check';
import { ISO_4217_EXPONENT } from '../../nodes/shared/platforms/currency';
import { backtest, buildMetricIndex, evaluate, METRICS, type ActionRecord, type BacktestReport, type EntityInput, type MetricRowInput } from '../../nodes/shared/rules';

/** The seed of the bounds-and-caps property (its activity check needs a run with enough budget changes). */
const SEED = Number(process.env.ADOPS_PROPERTY_SEED ?? 20261207);

const HOUR = 3_600_000;
const CURRENCIES = ['USD', 'JPY', 'KWD'] as const;
const ZONES = ['UTC', 'Europe/Berlin', 'America/Los_Angeles', 'Asia/Kolkata'];
const FIRST_DAY = Date.parse('2025-05-12');
const HISTORY_DAYS = 30; // 2025-05-12 … 2025-06-10

const dayArb = fc.record({
	spend: fc.integer({ min: 0, max: 60_000 }).map((c) => c / 100),
	impressions: fc.integer({ min: 0, max: 50_000 }),
	clicks: fc.integer({ min: 0, max: 800 }),
	conversions: fc.integer({ min: 0, max: 30 }),
	revenue: fc.option(fc.integer({ min: 0, max: 300_000 }).map((c) => c / 100), { nil: null }),
	leads: fc.option(fc.integer({ min: 0, max: 40 }), { nil: null }),
});

const entityArb = fc.record({
	budget: fc.option(fc.integer({ min: 500, max: 150_000 }).map((c) => c / 100), { nil: null, freq: 8 }),
	paused: fc.boolean(),
	floor: fc.option(fc.integer({ min: 0, max: 30 }), { nil: null }),
	ceiling: fc.option(fc.integer({ min: 20, max: 3000 }), { nil: null }),
	ageDays: fc.oneof(fc.integer({ min: -5, max: 10 }), { arbitrary: fc.integer({ min: 10, max: 90 }), weight: 3 }),
	currency: fc.constantFrom(...CURRENCIES),
	zone: fc.constantFrom(...ZONES),
	days: fc.array(dayArb, { minLength: HISTORY_DAYS, maxLength: HISTORY_DAYS }),
});

const windowArb = fc.constantFrom('today', 'yesterday', 'last_3_days', 'last_7_days', 'lifetime');
const leafArb = fc
	.record({
		metric: fc.constantFrom(...METRICS),
		window: windowArb,
		op: fc.constantFrom('>', '>=', '<', '<='),
		value: fc.constantFrom(0, 0.01, 0.5, 1, 2, 5, 20, 100, 500, 2000),
		compareTo: fc.constantFrom(undefined, undefined, 'previous_window', 'account_average'),
		ifUndefined: fc.constantFrom('no_match', 'match'),
	})
	.map((l) => {
		const out: Record<string, unknown> = { ...l };
		// first-party counts read stored events over bounded windows only (a lifetime window is refused by the rule model)
		if (l.metric.startsWith('first_party_') && l.window === 'lifetime') out.window = 'last_7_days';
		if (l.compareTo === undefined || (l.compareTo === 'previous_window' && l.window === 'lifetime')) delete out.compareTo;
		return out;
	});
const conditionArb = fc.oneof(
	leafArb,
	fc.record({ all: fc.array(leafArb, { minLength: 1, maxLength: 3 }) }),
	fc.record({ any: fc.array(fc.oneof(leafArb, fc.record({ all: fc.array(leafArb, { minLength: 1, maxLength: 2 }) })), { minLength: 1, maxLength: 3 }) }),
	{ arbitrary: fc.constant({ metric: 'spend', window: 'yesterday', op: '>=', value: 0 }), weight: 2 }, // always true: many attempts
);
// budget actions weigh more: they are what the caps are about
const actionArb = fc.oneof(
	fc.constant({ type: 'pause' }),
	fc.constant({ type: 'enable' }),
	fc.constant({ type: 'notify' }),
	{ arbitrary: fc.integer({ min: -90, max: 300 }).filter((p) => p !== 0).map((percent) => ({ type: 'scale_budget', percent })), weight: 3 },
	{ arbitrary: fc.integer({ min: 1, max: 300_000 }).map((c) => ({ type: 'set_budget', amount: c / 100 })), weight: 2 },
);
const ruleGatesArb = fc.record(
	{
		cooldownHours: fc.integer({ min: 0, max: 72 }),
		maxChangePct: fc.integer({ min: 1, max: 200 }),
		maxDailyChangePct: fc.integer({ min: 1, max: 300 }),
		minEntityAgeDays: fc.integer({ min: 0, max: 20 }),
	},
	{ requiredKeys: [] },
);
const rulesArb = fc
	.array(
		fc.record({
			priority: fc.integer({ min: 1, max: 4 }),
			conditions: conditionArb,
			action: actionArb,
			gates: fc.tuple(ruleGatesArb, fc.option(fc.integer({ min: 0, max: 50 }), { nil: undefined, freq: 4 })).map(([g, approvalPercent]) => (approvalPercent === undefined ? g : { ...g, approvalPercent })),
			requireApproval: fc.boolean().chain((b) => (b ? fc.boolean() : fc.constant(false))).chain((b) => (b ? fc.boolean() : fc.constant(false))),
		}),
		{ minLength: 1, maxLength: 6 },
	).map((rules) => rules.map((r, i) => ({ id: `r${i}`, name: `Rule ${i}`, ...r })));

const settingsArb = fc.record({
	cooldownHours: fc.integer({ min: 0, max: 48 }),
	maxChangePct: fc.integer({ min: 1, max: 100 }),
	maxDailyChangePct: fc.integer({ min: 1, max: 150 }),
	changeMode: fc.constantFrom('clamp', 'fail'),
	budgetFloor: fc.option(fc.integer({ min: 0, max: 30 }), { nil: null }),
	budgetCeiling: fc.option(fc.integer({ min: 30, max: 3000 }), { nil: null }),
	approvalPercent: fc.option(fc.integer({ min: 0, max: 60 }), { nil: null, freq: 3 }),
	maxActionsPerRun: fc.oneof(fc.constant(0), { arbitrary: fc.integer({ min: 1, max: 4 }), weight: 4 }),
	everyHours: fc.constantFrom(6, 12, 24),
	approveProposals: fc.boolean(),
	todayData: fc.constantFrom('hidden', 'full_day'),
});

type World = { entities: EntityInput[]; metrics: MetricRowInput[]; actions: ActionRecord[] };

const worldArb = fc.array(entityArb, { minLength: 1, maxLength: 4 }).chain((list) =>
	fc.array(fc.record({ who: fc.integer({ min: 0, max: list.length - 1 }), hoursBefore: fc.integer({ min: 1, max: 30 }), pct: fc.integer({ min: -40, max: 40 }) }), { maxLength: 3 }).map((prior): World => {
		const start = Date.parse('2025-06-01T00:00:00Z');
		const entities = list.map((e, i) => ({
			platform: 'meta',
			accountId: i % 2 ? 'A' : 'B',
			campaignId: `c${i}`,
			name: `Campaign ${i}`,
			status: e.paused ? 'PAUSED' : 'ACTIVE',
			createdAt: new Date(start - e.ageDays * 86_400_000).toISOString(),
			dailyBudget: e.budget === null ? null : roundTo(e.budget, e.currency),
			currency: e.currency,
			timezone: e.zone,
			budgetFloor: e.floor,
			budgetCeiling: e.ceiling,
		}));
		const metrics = list.flatMap((e, i) =>
			e.days.map((d) => ({ date: '', platform: 'meta', account_id: i % 2 ? 'A' : 'B', campaign_id: `c${i}`, currency: e.currency, ...d })).map((r, k) => ({ ...r, date: new Date(FIRST_DAY + k * 86_400_000).toISOString().slice(0, 10) })),
		);
		const actions = prior.map((p) => {
			const e = entities[p.who];
			const before = e.dailyBudget ?? 100;
			return { platform: 'meta', accountId: e.accountId, campaignId: e.campaignId, at: new Date(start + 6 * HOUR - p.hoursBefore * HOUR).toISOString(), action: 'set_budget' as const, budgetBefore: before, budgetAfter: before * (1 + p.pct / 100) };
		});
		return { entities, metrics, actions };
	}),
);

function roundTo(amount: number, currency: string): number {
	const scale = 10 ** ISO_4217_EXPONENT[currency];
	return Math.max(1, Math.round(amount * scale)) / scale;
}

type Settings = typeof settingsArb extends fc.Arbitrary<infer T> ? T : never;

function run(world: World, rules: unknown[], s: Settings, killSwitch = false): BacktestReport {
	return backtest({
		rules,
		entities: world.entities,
		metrics: world.metrics,
		actions: world.actions,
		settings: {
			killSwitch,
			maxActionsPerRun: s.maxActionsPerRun,
			gates: {
				cooldownHours: s.cooldownHours,
				maxChangePct: s.maxChangePct,
				maxDailyChangePct: s.maxDailyChangePct,
				changeMode: s.changeMode,
				budgetFloor: s.budgetFloor,
				budgetCeiling: s.budgetCeiling !== null && s.budgetFloor !== null && s.budgetCeiling < s.budgetFloor ? s.budgetFloor : s.budgetCeiling,
				approval: { percent: s.approvalPercent },
			},
		},
		from: '2025-06-01',
		to: '2025-06-10',
		at: '06:00',
		everyHours: s.everyHours,
		approveProposals: s.approveProposals,
		todayData: s.todayData as 'hidden' | 'full_day',
	});
}

const pct = (a: ActionRecord) => (typeof a.budgetBefore === 'number' && typeof a.budgetAfter === 'number' && a.budgetBefore > 0 ? (Math.abs(a.budgetAfter - a.budgetBefore) / a.budgetBefore) * 100 : 0);
const ms = (a: ActionRecord) => Date.parse(String(a.at));
const TOL = 1e-6;

describe('rules properties (backtest over 10 days, random worlds)', () => {
	test('budgets stay in bounds and on the minor unit; changes respect the per-action cap, cooldowns, the rolling 24 h cap and the run cap', () => {
		let applied = 0;
		let budgetChanges = 0;
		fc.assert(
			fc.property(worldArb, rulesArb, settingsArb, (world, rules, s) => {
				const report = run(world, rules, s);
				const changes = report.applied.filter((a) => a.action !== 'notify');
				applied += changes.length;
				const byEntity = new Map(world.entities.map((e) => [`${e.platform}|${e.accountId}|${e.campaignId}`, e]));
				for (const a of changes) {
					const e = byEntity.get(`${a.platform}|${a.accountId}|${a.campaignId}`) as EntityInput;
					if (a.action === 'scale_budget' || a.action === 'set_budget') {
						budgetChanges++;
						const after = a.budgetAfter as number;
						const ceiling = Math.min(s.budgetCeiling ?? Infinity, e.budgetCeiling ?? Infinity);
						const floor = Math.max(s.budgetFloor ?? 0, e.budgetFloor ?? 0);
						assert.ok(after <= Math.max(ceiling, floor) + TOL && (floor > ceiling || after >= floor - TOL) && after > 0, `budget ${after} outside [${floor}, ${ceiling}]`);
						const scale = 10 ** ISO_4217_EXPONENT[e.currency];
						assert.ok(Math.abs(after * scale - Math.round(after * scale)) < 1e-6, `${after} ${e.currency} is not on the minor unit`);
						assert.ok(pct(a) <= s.maxChangePct + TOL, `change ${pct(a)}% > ${s.maxChangePct}%`);
					}
				}
				for (const key of byEntity.keys()) {
					const mine = (list: ActionRecord[]) => list.filter((a) => `${a.platform}|${a.accountId}|${a.campaignId}` === key && a.action !== 'notify').sort((x, y) => ms(x) - ms(y));
					const ours = mine(changes);
					const all = mine([...world.actions, ...changes]);
					// cooldown: between any two consecutive changes (earlier history included)
					for (let i = 1; i < all.length; i++) {
						if (!ours.includes(all[i])) continue;
						assert.ok(ms(all[i]) - ms(all[i - 1]) >= s.cooldownHours * HOUR, `${key} changed ${(ms(all[i]) - ms(all[i - 1])) / HOUR} h after the last change (cooldown ${s.cooldownHours} h)`);
					}
					// the rolling 24 h bound (issue 13; it used to be a sum of each change's |%|, which let +12 % then +8 %
					// reach 241.92 from 200 under a 20 % cap): a raise we made never ends above (1 + cap) × any budget
					// held in the 24 h before it, a cut never below (1 − cap) × any; status changes do not count
					for (const c of ours.filter((a) => a.action === 'scale_budget' || a.action === 'set_budget')) {
						const held = [c.budgetBefore as number];
						for (const a of all) if (a !== c && ms(a) > ms(c) - 24 * HOUR && ms(a) <= ms(c) && typeof a.budgetAfter === 'number' && typeof a.budgetBefore === 'number') held.push(a.budgetBefore, a.budgetAfter);
						const after = c.budgetAfter as number;
						const cap = s.maxDailyChangePct / 100;
						for (const b of held) {
							if (after > (c.budgetBefore as number)) assert.ok(after <= (1 + cap) * b * (1 + 1e-9) + 1e-9, `${key}: raised to ${after} at ${c.at}, above (1 + ${cap}) × ${b} held within 24 h: ${JSON.stringify(all)}`);
							else assert.ok(after >= (1 - cap) * b * (1 - 1e-9) - 1e-9, `${key}: cut to ${after} at ${c.at}, below (1 − ${cap}) × ${b} held within 24 h: ${JSON.stringify(all)}`);
						}
					}
				}
				for (const step of report.steps) {
					const atStep = changes.filter((a) => a.at === step.at);
					assert.ok(atStep.length <= s.maxActionsPerRun, `${atStep.length} changes in one run (max ${s.maxActionsPerRun})`);
					assert.equal(new Set(atStep.map((a) => `${a.campaignId}`)).size, atStep.length, 'one change per entity per run');
				}
			}),
			// a fixed seed (ADOPS_PROPERTY_SEED tries others): with a random one the activity below ranged 19–151 budget
			// changes over 12 runs and fell to 14 in CI (7 December), failing the bound by chance
			{ numRuns: 120, seed: SEED },
		);
		// the generators must produce real activity, or the properties above prove nothing
		// (over random seeds: 68–179 changes and 19–151 budget changes in 12 runs; the bounds are for the fixed seed's run
		// and for other seeds tried by hand; the fixed seed: 88 changes, 56 budget changes)
		assert.ok(applied > 40, `only ${applied} changes applied over all runs`);
		assert.ok(budgetChanges > 15, `only ${budgetChanges} budget changes over all runs (seed ${SEED})`);
	});

	test('the kill switch stops everything: no change, no proposal, every decision gated by it', () => {
		let events = 0;
		fc.assert(
			fc.property(worldArb, rulesArb, settingsArb, (world, rules, s) => {
				const report = run(world, rules, s, true);
				assert.deepEqual(report.applied, []);
				events += report.events.length;
				for (const e of report.events) {
					assert.equal(e.decision, 'gated');
					assert.ok(e.failedGates.includes('kill_switch'), `${e.ruleId}: ${e.failedGates.join()}`);
				}
				for (const path of Object.values(report.budgetPaths)) assert.equal(path.length, 1);
				for (const step of report.steps) assert.deepEqual([step.execute, step.propose, step.applied], [0, 0, 0]);
			}),
			{ numRuns: 40 },
		);
		assert.ok(events > 200, `only ${events} gated events over all runs`); // typically 1,400–3,000
	});

	test('one evaluation: every planned change obeys the same caps, whatever the input order', () => {
		fc.assert(
			fc.property(worldArb, rulesArb, settingsArb, fc.boolean(), (world, rules, s, killSwitch) => {
				const settings = { now: '2025-06-11T09:30:00Z', killSwitch, maxActionsPerRun: s.maxActionsPerRun, gates: { cooldownHours: s.cooldownHours, maxChangePct: s.maxChangePct, maxDailyChangePct: s.maxDailyChangePct, changeMode: s.changeMode } };
				const result = evaluate({ rules, entities: world.entities, metrics: buildMetricIndex(world.metrics), actions: world.actions, settings });
				const planned = result.decisions.filter((d) => d.decision === 'execute' || d.decision === 'propose');
				if (killSwitch) assert.equal(planned.length, 0);
				assert.ok(result.summary.actionsPlanned <= s.maxActionsPerRun);
				for (const d of planned) {
					const a = d.action;
					if (a && a.budgetBefore !== null && a.budgetAfter !== null) assert.ok(Math.abs(a.changePct as number) <= s.maxChangePct + TOL);
				}
				const reversed = evaluate({ rules: [...rules].reverse(), entities: [...world.entities].reverse(), metrics: [...world.metrics].reverse(), actions: [...world.actions].reverse(), settings });
				assert.deepEqual(reversed, result);
			}),
			{ numRuns: 80 },
		);
	});
});
