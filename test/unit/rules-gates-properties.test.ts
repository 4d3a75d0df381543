/**
 * Issue 13 properties over random sequences of runs, rules, evaluation windows,
 * approvals and outside edits (fast-check, thousands of cases), simulated on
 * one campaign with the pure core (`evaluate`) and an executor that applies
 * an approved proposal's planned budget when the campaign still has the
 * budget the proposal was planned from and nothing was changed outside the
 * package since (the optimization executor's checks):
 * - the rolling 24 h bound holds to the minor unit: a raise by the package
 *   never ends above (1 + cap) × any budget the campaign held in the 24 h
 *   before, a cut never below (1 − cap) × any (outside edits included; a
 *   person may move a budget past the band, the package only moves it back);
 * - no change of the package lands inside a cooldown an outside edit started;
 * - no change asked above the approval threshold executes without approval;
 * - with the kill switch on, a run executes and proposes nothing.
 */
import assert from 'node:assert/strict';
import { test } from 'vitest';
import fc from 'fast-check';
import { ISO_4217_EXPONENT } from '../../nodes/shared/platforms/currency';
import { evaluate, type ActionRecord, type MetricRowInput } from '../../nodes/shared/rules';

const HOUR = 3_600_000;
const START = Date.parse('2025-06-11T00:00:00Z');
const PLATFORMS = ['meta', 'google_ads', 'linkedin'] as const;
const ZONES = ['UTC', 'America/New_York', 'Asia/Tokyo'];
const CURRENCIES = ['USD', 'JPY', 'KWD'] as const;

const ruleArb = fc.record({
	kind: fc.constantFrom('scale', 'scale', 'set', 'pause', 'enable'),
	percent: fc.integer({ min: -60, max: 150 }).filter((p) => p !== 0),
	factor: fc.double({ min: 0.3, max: 3, noNaN: true }),
	window: fc.constantFrom('today', 'yesterday', 'last_3_days', 'last_7_days'),
	priority: fc.integer({ min: 1, max: 5 }),
	cooldownHours: fc.option(fc.integer({ min: 0, max: 48 }), { nil: undefined }),
	maxDailyChangePct: fc.option(fc.integer({ min: 5, max: 80 }), { nil: undefined }),
	approvalPercent: fc.option(fc.integer({ min: 0, max: 60 }), { nil: undefined }),
});
const eventArb = fc.oneof(
	{ weight: 5, arbitrary: fc.record({ type: fc.constant('run' as const), hours: fc.double({ min: 0.1, max: 12, noNaN: true }), kill: fc.boolean().map((b) => b && Math.random() < 0.2), rules: fc.uniqueArray(fc.integer({ min: 0, max: 3 }), { minLength: 1, maxLength: 4 }) }) },
	{ weight: 2, arbitrary: fc.record({ type: fc.constant('outside' as const), hours: fc.double({ min: 0.1, max: 12, noNaN: true }), factor: fc.double({ min: 0.4, max: 2.5, noNaN: true }), status: fc.constantFrom(null, 'PAUSED', 'ACTIVE') }) },
	{ weight: 2, arbitrary: fc.record({ type: fc.constant('approve' as const), hours: fc.double({ min: 0.1, max: 12, noNaN: true }), pick: fc.nat() }) },
);
const caseArb = fc.record({
	platform: fc.constantFrom(...PLATFORMS),
	zone: fc.constantFrom(...ZONES),
	currency: fc.constantFrom(...CURRENCIES),
	budgetMinor: fc.integer({ min: 1000, max: 5_000_000 }),
	gates: fc.record({
		cooldownHours: fc.integer({ min: 0, max: 30 }),
		maxChangePct: fc.integer({ min: 5, max: 100 }),
		maxDailyChangePct: fc.integer({ min: 5, max: 100 }),
		changeMode: fc.constantFrom('clamp', 'fail'),
		approval: fc.record({ percent: fc.option(fc.integer({ min: 0, max: 80 }), { nil: null }) }),
	}),
	rules: fc.array(ruleArb, { minLength: 4, maxLength: 4 }),
	events: fc.array(eventArb, { minLength: 3, maxLength: 14 }),
});

interface Change {
	atMs: number;
	before: number;
	after: number;
	by: 'package' | 'outside';
	status?: string;
	approved?: boolean;
	/** The daily cap of the rule that made it (the operator's, tightened by the rule's). */
	cap?: number;
}

test('issue 13 properties: 24 h bound to the minor unit, outside cooldown, approval on the asked change, kill switch', { timeout: 600_000 }, () => {
	let runs = 0;
	let changes = 0;
	let outsideBlocks = 0;
	fc.assert(
		fc.property(caseArb, (c) => {
			const exp = ISO_4217_EXPONENT[c.currency]!;
			const scale = 10 ** exp;
			let budget = c.budgetMinor / scale;
			let status = 'ACTIVE';
			const account = c.platform === 'meta' ? 'act1' : c.platform === 'google_ads' ? '1234567890' : '507';
			const metrics: MetricRowInput[] = [];
			for (let d = 1; d <= 14; d++) {
				metrics.push({ date: new Date(START - d * 24 * HOUR).toISOString().slice(0, 10), platform: c.platform, account_id: account, campaign_id: 'c1', currency: c.currency, spend: 50, impressions: 1000, clicks: 10, conversions: 1, revenue: 100, leads: null });
			}
			const rules = c.rules.map((r, i) => ({
				id: `r${i}`,
				name: `Rule ${i}`,
				priority: r.priority,
				conditions: { metric: 'impressions', window: r.window, op: '>=', value: 0 },
				action: r.kind === 'scale' ? { type: 'scale_budget', percent: r.percent } : r.kind === 'set' ? { type: 'set_budget', amount: Math.max(1 / scale, Math.round(budget * r.factor * scale) / scale) } : { type: r.kind },
				gates: { ...(r.cooldownHours !== undefined ? { cooldownHours: r.cooldownHours } : {}), ...(r.maxDailyChangePct !== undefined ? { maxDailyChangePct: r.maxDailyChangePct } : {}), ...(r.approvalPercent !== undefined ? { approvalPercent: r.approvalPercent } : {}) },
			}));
			const history: ActionRecord[] = [];
			const log: Change[] = [];
			const pending: Array<{ before: number; after: number; key: string; ruleId: string; cap: number; atMs: number }> = [];
			let t = START;
			for (const e of c.events) {
				t += e.hours * HOUR;
				if (e.type === 'outside') {
					if (e.status && e.status !== status) {
						history.push({ platform: c.platform, accountId: account, campaignId: 'c1', at: t, action: e.status === 'PAUSED' ? 'pause' : 'enable', source: 'outside', by: 'Jane Doe', via: 'UI' });
						log.push({ atMs: t, before: budget, after: budget, by: 'outside', status: e.status });
						status = e.status;
					} else {
						const next = Math.max(1, Math.round(budget * e.factor * scale)) / scale;
						if (next !== budget) {
							history.push({ platform: c.platform, accountId: account, campaignId: 'c1', at: t, action: 'set_budget', budgetBefore: budget, budgetAfter: next, source: 'outside', by: 'Jane Doe', via: 'UI' });
							log.push({ atMs: t, before: budget, after: next, by: 'outside' });
							budget = next;
						}
					}
					continue;
				}
				if (e.type === 'approve') {
					if (pending.length === 0) continue;
					const p = pending.splice(e.pick % pending.length, 1)[0]!;
					// the executor: the planned budget, only when the campaign still has the budget it was planned from and
					// nothing was changed outside the package since the proposal (optimizationExecutor)
					if (status !== 'ACTIVE' || Math.abs(budget - p.before) > 0.5 / scale) continue;
					if (log.some((x) => x.by === 'outside' && x.atMs > p.atMs)) continue;
					history.push({ platform: c.platform, accountId: account, campaignId: 'c1', at: t, action: 'set_budget', budgetBefore: budget, budgetAfter: p.after, ruleId: p.ruleId, idempotencyKey: p.key });
					log.push({ atMs: t, before: budget, after: p.after, by: 'package', approved: true, cap: p.cap });
					budget = p.after;
					changes++;
					continue;
				}
				runs++;
				const result = evaluate({
					rules: e.rules.map((i) => rules[i]!),
					entities: [{ platform: c.platform, accountId: account, campaignId: 'c1', status, createdAt: '2025-01-01T00:00:00Z', dailyBudget: budget, currency: c.currency, timezone: c.zone }],
					metrics,
					actions: history,
					settings: { now: new Date(t).toISOString(), killSwitch: e.kill, gates: c.gates },
				});
				for (const d of result.decisions) {
					if (e.kill) assert.ok(d.decision !== 'execute' && d.decision !== 'propose', 'kill switch: nothing executes or is proposed');
					if (d.decision === 'propose' && d.action && d.action.budgetAfter !== null && d.action.budgetBefore !== null) pending.push({ before: d.action.budgetBefore, after: d.action.budgetAfter, key: d.idempotencyKey!, ruleId: d.ruleId, atMs: t, cap: Math.min(c.gates.maxDailyChangePct, c.rules[Number(d.ruleId.slice(1))]!.maxDailyChangePct ?? Infinity) / 100 });
					if (d.decision !== 'execute' || !d.action || d.action.type === 'notify') continue;
					// approval: what executes without approval was asked at or under every threshold
					const threshold = Math.min(c.gates.approval.percent ?? Infinity, (c.rules[Number(d.ruleId.slice(1))]!.approvalPercent ?? Infinity));
					if (d.action.budgetBefore !== null && d.action.budgetAfter !== null && Number.isFinite(threshold)) {
						const askedAmount = d.action.type === 'scale_budget' ? d.action.budgetBefore * (1 + (d.action.requested.percent as number) / 100) : (d.action.requested.amount as number);
						const asked = (Math.abs(askedAmount - d.action.budgetBefore) / d.action.budgetBefore) * 100;
						assert.ok(asked <= threshold * (1 + 1e-9), `executed without approval although ${asked}% was asked (threshold ${threshold}%)`);
					}
					const after = d.action.budgetAfter ?? budget;
					history.push({ platform: c.platform, accountId: account, campaignId: 'c1', at: t, action: d.action.type, budgetBefore: d.action.budgetBefore, budgetAfter: d.action.budgetAfter, ruleId: d.ruleId, idempotencyKey: d.idempotencyKey });
					const ruleCap = c.rules[Number(d.ruleId.slice(1))]!.maxDailyChangePct;
					log.push({ atMs: t, before: budget, after, by: 'package', cap: Math.min(c.gates.maxDailyChangePct, ruleCap ?? Infinity) / 100 });
					budget = after;
					if (d.action.type === 'pause') status = 'PAUSED';
					if (d.action.type === 'enable') status = 'ACTIVE';
					changes++;
				}
			}
			// the properties over the whole sequence
			for (let i = 0; i < log.length; i++) {
				const ch = log[i]!;
				if (ch.by !== 'package') continue;
				// every budget held in [t − 24 h, t): the one at the window's start and each one set since
				const held = [ch.before];
				for (let j = i - 1; j >= 0; j--) {
					const prior = log[j]!;
					if (prior.atMs <= ch.atMs - 24 * HOUR) {
						held.push(prior.after);
						break;
					}
					held.push(prior.after, prior.before);
				}
				const cap = ch.cap as number;
				if (ch.after !== ch.before) {
					// a raise never ends above (1 + cap) × any budget held in the 24 h, a cut never below (1 − cap) × any
					// (a person's edit may itself move the budget past the band: the package then only moves it back toward it)
					for (const b of held) {
						if (ch.after > ch.before) assert.ok(Math.round(ch.after * scale) <= Math.floor((1 + cap) * b * scale + 1e-6), `raised to ${ch.after}, above (1 + ${cap}) × ${b} within 24 h`);
						else assert.ok(Math.round(ch.after * scale) >= Math.ceil((1 - cap) * b * scale - 1e-6), `cut to ${ch.after}, below (1 − ${cap}) × ${b} within 24 h`);
					}
				}
				// no package change (a run's or an approval's) inside a cooldown started by an outside edit
				{
					const cooldown = Math.max(c.gates.cooldownHours, 0) * HOUR;
					for (const o of log) {
						if (o.by !== 'outside' || o.atMs >= ch.atMs) continue;
						if (ch.atMs - o.atMs < cooldown) {
							const ruleCooldowns = c.rules.map((r) => r.cooldownHours ?? 0);
							assert.fail(`a change at +${(ch.atMs - START) / HOUR} h landed ${(ch.atMs - o.atMs) / HOUR} h after an outside edit (cooldown ${c.gates.cooldownHours} h; rules ${ruleCooldowns.join(',')})`);
						}
					}
				}
			}
			outsideBlocks += log.filter((x) => x.by === 'outside').length;
		}),
		{ numRuns: Number(process.env.PROPERTY_RUNS ?? 3000), seed: Number(process.env.PROPERTY_SEED ?? 1313) },
	);
	console.log(`properties: ${runs} runs, ${changes} changes by the package, ${outsideBlocks} outside edits over the cases`);
});
