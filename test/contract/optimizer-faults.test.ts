/**
 * The optimizer's side effects when answers are lost, late, or the process
 * dies (issue 12), against the sandbox's Meta, LinkedIn and Google Ads APIs
 * and a real store: PGlite always, PostgreSQL when DATABASE_URL is set.
 *
 * - Lost answers (`afterEffect`: 5xx, malformed, timeout) and late answers
 *   (answered after the client's timeout) on budget and status changes, at
 *   every retry, across two runs: exactly one effect on the platform (the
 *   final budget to the cent), the first run says `unknown` (never failed,
 *   never a retry advice), the second run reconciles it by reading the
 *   campaign back and sends nothing.
 * - The issue's reproductions: 227 → 249.70 once (not 274.67); a +25 % rule
 *   with caps 25 %/action and 50 %/24 h on 116 never passes 174 in the day.
 * - SIGKILL at `optimizer.after-ledger` and `optimizer.after-platform` (a
 *   child process running a run with ADOPS_FAILPOINTS): no change is invisible
 *   to the gates, the next run reports it.
 * - Concurrent runs: the loser reports "in progress by run X since …".
 * - The approval executor: a lost answer is unknown, then settled.
 * - Google Ads reads retry a single 429 and a single malformed answer.
 *
 * Child mode: with OPT_FAULT_CHILD set this file runs one optimizer run for
 * the SIGKILL tests instead of registering tests.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, test } from '../helpers/vitest-api';
import { Pool } from 'pg';
import type { PlatformAdapter } from '../../nodes/shared/platforms/types';
import { sideEffectOutcome } from '../../nodes/shared/resilience/outcome';
import type { RuleInput } from '../../nodes/shared/rules';
import { reconcileOptimizationActions, type OptimizerAdapters } from '../../nodes/shared/rules/apply';
import { optimizationExecutor } from '../../nodes/shared/rules/executor';
import { runOptimizer, type OptimizerItem, type OptimizerResult, type OptimizerSettings } from '../../nodes/shared/rules/run';
import type { RowInput } from '../../nodes/shared/schema/rows';
import { openStore, type Store, type StoreConfig } from '../../nodes/shared/store';
import { startSandbox, type AdAccount, type Campaign, type Sandbox } from '../../scripts/sandbox';
import { addDays } from '../../scripts/sandbox/rng';
import { applyCampaignChange } from '../../scripts/sandbox/world';
import { sandboxAdapters, type SandboxRef } from '../helpers/sandbox-adapters';

const DATABASE_URL = process.env.DATABASE_URL;
const TODAY = '2026-03-02';
const HOUR = 3_600_000;
const T0 = Date.parse(`${TODAY}T18:00:00Z`);
const at = (hours: number) => new Date(T0 + hours * HOUR);
const TIMEOUT_MS = 400;
const RETRIES = 2;
const LIVE: OptimizerSettings = { dryRun: false, gates: { cooldownHours: 24, maxChangePct: 50, maxDailyChangePct: 100, approval: { percent: 25 } } };
const ALWAYS = { metric: 'impressions', window: 'last_7_days', op: '>=', value: 0 };
const PLATFORM = { meta: 'meta', linkedin: 'linkedin', google: 'google_ads' } as const;
type WorldPlatform = keyof typeof PLATFORM;
type Target = Campaign & { account: AdAccount };

const FAULT_PLATFORMS = ['meta', 'linkedin', 'google_ads'] as const;

function faultAdapters(sb: SandboxRef): OptimizerAdapters {
	return sandboxAdapters(sb, FAULT_PLATFORMS, { retry: { maxRetries: RETRIES, initialDelayMs: 1, maxDelayMs: 5 }, timeoutMs: TIMEOUT_MS, breaker: false });
}

const rule = (id: string, c: Campaign, action: Record<string, unknown>, extra: Record<string, unknown> = {}): RuleInput => ({ id, name: `Fault ${id}`, priority: 50, scope: { campaignIds: [c.id] }, conditions: ALWAYS, action, ...extra });
const accountsOf = (c: Target) => ({ [PLATFORM[c.account.platform]]: [c.account.platform === 'meta' ? `act_${c.account.id}` : c.account.id] });

// ------------------------------------------------------------------------------------------------
// Child mode: one live run, killed at a failpoint (ADOPS_FAILPOINTS)
// ------------------------------------------------------------------------------------------------
async function child(raw: string): Promise<never> {
	const spec = JSON.parse(raw) as { sandbox: SandboxRef; store: StoreConfig; rules: RuleInput[]; accounts: Record<string, string[]>; at: string; runId: string };
	const store = await openStore(spec.store);
	const adapters = faultAdapters(spec.sandbox);
	await runOptimizer({ rules: spec.rules, useStoredRules: false, settings: LIVE, accounts: spec.accounts }, { store, adapters, now: () => new Date(spec.at), runId: spec.runId });
	await store.close();
	process.stdout.write('run finished without being killed\n');
	process.exit(0);
}
const CHILD = process.env.OPT_FAULT_CHILD;
if (CHILD) void child(CHILD);

/** The fault table of this suite (promise, attempts, held), printed at the end for the note. */
const table: Array<{ promise: string; attempts: string; held: boolean }> = [];

function registerSuite(name: string, open: () => Promise<{ store: Store; config: StoreConfig; cleanup: () => Promise<void> }>): void {
	describe(`optimizer side effects with lost answers, late answers and crashes (${name})`, () => {
		let sb: Sandbox;
		let store: Store;
		let config: StoreConfig;
		let cleanup: () => Promise<void>;
		let adapters: OptimizerAdapters;
		const used = new Set<string>();

		function campaign(platform: WorldPlatform, status: 'ACTIVE' | 'PAUSED' = 'ACTIVE'): Target {
			for (const account of sb.world.accounts.filter((a) => a.platform === platform)) {
				for (const c of account.campaigns) {
					if (c.status !== status || used.has(c.id) || !(c.dailyBudget > 0)) continue;
					used.add(c.id);
					return Object.assign(c, { account });
				}
			}
			throw new Error(`no unused ${status} ${platform} campaign left`);
		}
		const WRITE_ROUTE = (c: Target, budget: boolean) => (c.account.platform === 'meta' ? 'meta.update' : c.account.platform === 'linkedin' ? 'linkedin.campaignUpdate' : budget ? 'googleads.campaignBudgets.mutate' : 'googleads.campaigns.mutate');
		const writes = (route: string) => sb.requests({ route }).filter((r) => r.method === 'POST').length;
		const run = (rules: RuleInput[], c: Target, when: Date, settings: OptimizerSettings = LIVE, runId?: string) =>
			runOptimizer({ rules, useStoredRules: false, settings, accounts: accountsOf(c) }, { store, adapters, now: () => when, ...(runId ? { runId } : {}) });
		const byRule = (r: OptimizerResult, id: string): OptimizerItem[] => r.items.filter((i) => i.rule.id === id && i.outcome !== 'reconciled' && i.outcome !== 'recovered' && i.outcome !== 'unknown' || (i.rule.id === id && i.outcome === 'unknown' && i.conditions.length > 0));
		const one = (r: OptimizerResult, id: string): OptimizerItem => {
			const list = byRule(r, id);
			assert.equal(list.length, 1, `one item for rule ${id}: ${JSON.stringify(r.items.map((i) => [i.rule.id, i.outcome, i.text]))}`);
			return list[0]!;
		};
		const ledger = async (key: string) => (await store.select('action_ledger', { where: { idempotency_key: key } }))[0]!;
		const row = async (key: string) => (await store.select('optimization_actions', { where: { idempotency_key: key } }))[0]!;
		const cents = (x: number) => Math.round(x * 100);

		beforeAll(async () => {
			sb = await startSandbox({ seed: 21, today: TODAY });
			// Meta's call-volume usage off: the adapter's slow-down near 100 % (moderation-faults and shared-limits test it)
			// otherwise made a Meta test wait out the sandbox's minute once the earlier tests' calls filled it (40 s a test)
			await fetch(`${sb.url}/_admin/meta/usage`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ perCallPct: 0 }) });
			({ store, config, cleanup } = await open());
			adapters = faultAdapters(sb);
			const perf: Array<RowInput<'campaign_performance'>> = [];
			for (const account of sb.world.accounts) {
				for (const c of account.campaigns) {
					for (const d of c.daily.filter((x) => x.date >= addDays(TODAY, -10) && x.impressions > 0)) {
						perf.push({ date: d.date, platform: PLATFORM[account.platform], account_id: account.id, campaign_id: c.id, campaign_name: c.name, currency: account.currency, spend: d.spend, impressions: d.impressions, clicks: d.clicks, conversions: d.conversions, revenue: d.revenue, leads: d.leads });
					}
				}
			}
			await store.upsert('campaign_performance', perf);
		});
		afterAll(async () => {
			await store?.close();
			await sb?.close();
			await cleanup?.();
		});

		const FAULTS = [
			{ label: 'lost (5xx after the effect)', spec: { kind: '5xx' as const, afterEffect: true } },
			{ label: 'lost (malformed after the effect)', spec: { kind: 'malformed' as const, afterEffect: true } },
			{ label: 'lost (no answer, client timeout)', spec: { kind: 'timeout' as const, afterEffect: true } },
			{ label: `late (answered ${TIMEOUT_MS + 300} ms after the effect, past the timeout)`, spec: { kind: 'latency' as const, afterEffect: true, latencyMs: TIMEOUT_MS + 300 } },
		];

		// one campaign per platform and change for the whole matrix: each case is its own rule (own key) with no cooldown
		const MATRIX: OptimizerSettings = { ...LIVE, gates: { ...(LIVE.gates as object), cooldownHours: 0, maxDailyChangePct: 1000 } };
		let hour = 0;
		for (const platform of ['meta', 'linkedin', 'google'] as const) {
			test(`${platform}: budget and status changes whose every answer is lost or late → one effect, unknown then reconciled across two runs`, async () => {
				const targets = { budget: campaign(platform), pause: campaign(platform) };
				for (const change of ['budget', 'pause'] as const) {
					for (const fault of FAULTS) {
						const c = targets[change];
						if (change === 'pause') applyCampaignChange(sb.world, c, { status: 'ACTIVE' });
						const budget = change === 'budget';
						const id = `${platform}-${change}-${fault.spec.kind}`;
						const before = c.dailyBudget;
						const rules = [rule(id, c, budget ? { type: 'scale_budget', percent: 10 } : { type: 'pause' })];
						const route = WRITE_ROUTE(c, budget);
						const sentBefore = writes(route);
						sb.injectFault({ route, ...fault.spec, count: RETRIES + 1 });
						const when = at(hour);
						hour += 0.05;
						const first = await run(rules, c, when, MATRIX);
						sb.clearFaults();
						const item = one(first, id);
						const sent = writes(route) - sentBefore;
						const label = `${id} (${fault.label})`;
						const key = item.idempotencyKey!;
						// unknown, or executed where the answer's status alone proves the change (LinkedIn's empty 2xx body) — never failed
						assert.ok(item.outcome === 'unknown' || (item.outcome === 'executed' && platform === 'linkedin' && fault.spec.kind === 'malformed'), `${label}: ${item.text}`);
						assert.doesNotMatch(item.text, /retry|try again|most likely not/i, `${label}: the text never advises a retry`);
						if (item.outcome === 'unknown') {
							assert.equal(item.route, 'alert');
							assert.match(item.error!.message, /outcome is unknown/);
							assert.equal(sent, RETRIES + 1, `${label}: an idempotent set is retried on every lost answer`);
							assert.equal((await ledger(key)).status, 'unknown');
							const r1 = await row(key);
							assert.equal(r1.outcome, 'unknown');
							assert.equal(r1.action_taken, true, 'an unknown change counts as applied');
							assert.equal(r1.executed_at, when.toISOString(), 'from its attempt');
						}
						// the platform did apply it (the answer was lost after the effect)
						if (budget) assert.equal(cents(c.dailyBudget), cents(item.action!.budgetAfter!), label);
						else assert.equal(c.status, 'PAUSED', `${label}: a pause whose answer is lost is never recorded failed while the campaign is paused`);

						// run two, an hour later: reconciled by reading the campaign back; nothing is sent again
						const second = await run(rules, c, new Date(when.getTime() + HOUR), MATRIX);
						assert.equal(writes(route) - sentBefore, sent, `${label}: run two sends nothing`);
						const rec = second.items.filter((i) => i.outcome === 'reconciled' && i.idempotencyKey === key);
						const entry = await ledger(key);
						assert.equal(entry.status, 'succeeded');
						if (item.outcome === 'unknown') {
							assert.equal(rec.length, 1, `${label}: ${JSON.stringify(second.items.map((i) => [i.outcome, i.text]))}`);
							assert.match(rec[0]!.text, /was applied/);
							assert.match(entry.resolution!, budget ? new RegExp(`^observed: daily budget ${item.action!.budgetAfter!.toFixed(2)} ${c.account.currency} equals the target at `) : /^observed: status PAUSED equals the target at /);
						}
						const r2 = await row(key);
						assert.equal(r2.outcome, 'executed');
						assert.equal(r2.executed_at, when.toISOString(), 'it counts from its attempt');
						if (budget) {
							assert.equal(one(second, id).outcome, 'gated', 'already done today');
							assert.equal(cents(c.dailyBudget), cents(item.action!.budgetAfter!), `${label}: one +10 % effect, to the cent`);
							assert.ok(Math.abs(item.action!.budgetAfter! - before * 1.1) < 0.01 && item.action!.budgetAfter! <= before * 1.1 + 1e-9, `${label}: +10 % of ${before}`);
						} else assert.deepEqual(byRule(second, id), [], 'paused: the rule no longer matches');
						table.push({ promise: `${platform} ${change} once, ${fault.label}, every retry, two runs`, attempts: `${sent} write request(s); run one ${item.outcome}, run two ${rec.length ? 'reconciled' : 'nothing to reconcile'} (${entry.status}), 0 sent`, held: true });
					}
				}
			});
		}

		test('reproduction: +10 % with every answer lost across runs takes 227 → 249.70 once (not 274.67)', async () => {
			const c = campaign('meta');
			applyCampaignChange(sb.world, c, { dailyBudget: 227 });
			const rules = [rule('repro-227', c, { type: 'scale_budget', percent: 10 })];
			const route = WRITE_ROUTE(c, true);
			const sentBefore = writes(route);
			sb.injectFault({ route, kind: 'malformed', afterEffect: true, count: 100 });
			const outcomes: string[] = [];
			for (let h = 0; h < 4; h++) {
				const r = await run(rules, c, at(30 + h));
				outcomes.push(r.items.map((i) => i.outcome).join('+'));
			}
			sb.clearFaults();
			assert.equal(c.dailyBudget, 249.7, `outcomes per run: ${outcomes.join(', ')}`);
			assert.equal(writes(route) - sentBefore, RETRIES + 1, 'sent in the first run only');
			const entries = await store.select('action_ledger', { where: { target: `meta|${c.account.id}|${c.id}` } });
			assert.equal(entries.length, 1);
			assert.equal(entries[0]!.status, 'succeeded');
			table.push({ promise: 'reproduction 227 → 249.70 once (malformed answers on every retry, 4 runs)', attempts: `${writes(route) - sentBefore} write requests; runs: ${outcomes.join(', ')}`, held: c.dailyBudget === 249.7 });
		});

		test('reproduction: a +25 % rule with caps 25 %/action and 50 %/24 h on 116 never passes 174 in the day, however many answers are lost', async () => {
			const c = campaign('linkedin');
			applyCampaignChange(sb.world, c, { dailyBudget: 116 });
			const settings: OptimizerSettings = { dryRun: false, gates: { cooldownHours: 0, maxChangePct: 25, maxDailyChangePct: 50, approval: { percent: 100 } } };
			const rules = [rule('repro-116', c, { type: 'scale_budget', percent: 25 })];
			const route = WRITE_ROUTE(c, true);
			const sentBefore = writes(route);
			const seen: number[] = [];
			for (let h = 0; h < 5; h++) {
				sb.injectFault({ route, kind: h % 2 ? 'timeout' : '5xx', afterEffect: true, count: RETRIES + 1 });
				await run(rules, c, at(40 + h), settings);
				sb.clearFaults();
				seen.push(c.dailyBudget);
			}
			assert.ok(seen.every((b) => b <= 174), `budgets after each run: ${seen.join(', ')}`);
			assert.equal(c.dailyBudget, 145, 'one +25 % change in the day (the key of the day is done once)');
			const entries = await store.select('action_ledger', { where: { target: `linkedin|${c.account.id}|${c.id}` } });
			assert.ok(entries.every((e) => e.status === 'succeeded' || e.status === 'failed'), JSON.stringify(entries.map((e) => e.status)));
			table.push({ promise: 'reproduction 116 +25 % (caps 25 %/50 %) never above 174 in the day, lost answers in 5 runs', attempts: `${writes(route) - sentBefore} write requests; budgets ${seen.join(' → ')}`, held: seen.every((b) => b <= 174) });
		});

		test('a campaign whose change stays unknown (neither target nor before) gets no new change and says why', async () => {
			const c = campaign('google');
			const rules = [rule('odd-g', c, { type: 'scale_budget', percent: 10 }), rule('odd-pause', c, { type: 'pause' }, { priority: 90 })];
			const route = WRITE_ROUTE(c, true);
			sb.injectFault({ route, kind: '5xx', afterEffect: true, count: RETRIES + 1 });
			const first = await run([rules[0]!], c, at(50));
			sb.clearFaults();
			assert.equal(one(first, 'odd-g').outcome, 'unknown');
			// a person sets another budget meanwhile: the lost change can be neither confirmed nor denied
			applyCampaignChange(sb.world, c, { dailyBudget: 333 });
			const second = await run([rules[1]!], c, at(51), { ...LIVE, gates: { ...(LIVE.gates as object), cooldownHours: 0 } });
			const open = second.items.filter((i) => i.outcome === 'unknown' && i.idempotencyKey === one(first, 'odd-g').idempotencyKey);
			assert.equal(open.length, 1);
			assert.match(open[0]!.text, /not reconciled: the campaign shows daily budget 333\.00 USD|not reconciled: the campaign shows daily budget 333\.00 /);
			const pause = one(second, 'odd-pause');
			assert.equal(pause.outcome, 'gated');
			const gate = pause.gates.find((g) => g.gate === 'unreconciled')!;
			assert.equal(gate.status, 'fail');
			assert.match(gate.detail, /has an unknown outcome/);
			assert.equal(c.status, 'ACTIVE');
			assert.equal((await ledger(open[0]!.idempotencyKey!)).status, 'unknown', 'left for a person');
			table.push({ promise: 'unreconcilable unknown blocks further changes of the campaign', attempts: `${RETRIES + 1} write requests, then 0`, held: c.status === 'ACTIVE' });
		});

		test('concurrent runs report truthfully: the other run is "in progress by run X since …", and rows end in their true state', async () => {
			const c = campaign('meta');
			const rules = [rule('race-m', c, { type: 'pause' })];
			const route = WRITE_ROUTE(c, false);
			const sentBefore = writes(route);
			// the first run's change is slow (answered in time, within a longer client timeout): the second run starts meanwhile
			const patient: OptimizerAdapters = sandboxAdapters(sb, FAULT_PLATFORMS, { retry: { maxRetries: 0 }, timeoutMs: 10_000, breaker: false });
			const runWith = (runId: string) => runOptimizer({ rules, useStoredRules: false, settings: LIVE, accounts: accountsOf(c) }, { store, adapters: patient, now: () => at(60), runId });
			sb.injectFault({ route, kind: 'latency', latencyMs: 6_000, count: 1 });
			const [a, b] = await Promise.all([runWith('run-A'), new Promise((r) => setTimeout(r, 1_500)).then(() => runWith('run-B'))]);
			sb.clearFaults();
			const ia = one(a, 'race-m');
			const ib = one(b, 'race-m');
			assert.equal(ia.outcome, 'executed', ia.text);
			assert.equal(ib.outcome, 'in_progress', ib.text);
			assert.match(ib.text, /in progress by run run-A since \d{4}-\d{2}-\d{2}/);
			assert.doesNotMatch(ib.text, /stuck|unknown/i);
			assert.equal(ib.route, 'stored', 'the run that holds it reports it');
			assert.equal(c.status, 'PAUSED');
			const r = await row(ia.idempotencyKey!);
			assert.equal(r.outcome, 'executed');
			assert.equal((await ledger(ia.idempotencyKey!)).status, 'succeeded');
			table.push({ promise: 'two concurrent runs: one change, the other reports in progress by run X', attempts: `${writes(route) - sentBefore} write request(s) for two runs`, held: r.outcome === 'executed' });
		});

		test('approval executor: a lost answer is unknown (no retry advice), then settled by reading the campaign back', async () => {
			const c = campaign('linkedin');
			const dry = await run([rule('appr-l', c, { type: 'scale_budget', percent: 40 })], c, at(70));
			const proposal = dry.proposals[0]!;
			assert.ok(proposal, JSON.stringify(dry.items.map((i) => [i.outcome, i.text])));
			const execute = optimizationExecutor({ store, adapters, now: () => at(71) });
			const ctx = { proposal: { ...proposal, id: proposal.id, decidedBy: 'notion:maya', evidence: null } } as unknown as Parameters<ReturnType<typeof optimizationExecutor>>[1];
			const route = WRITE_ROUTE(c, true);
			const sentBefore = writes(route);
			sb.injectFault({ route, kind: 'timeout', afterEffect: true, count: RETRIES + 1 });
			const error = await execute(proposal.payload, ctx).then(
				() => null,
				(e: unknown) => e as Error,
			);
			sb.clearFaults();
			assert.ok(error, 'a lost answer is not reported executed');
			assert.equal(sideEffectOutcome(error), 'unknown');
			assert.match(error.message, /outcome is unknown/);
			assert.doesNotMatch(error.message, /retry|try again/i);
			const budgetAfter = (proposal.payload as { budgetAfter: number }).budgetAfter;
			assert.equal(cents(c.dailyBudget), cents(budgetAfter), 'applied on the platform');
			const key = (proposal.payload as { idempotencyKey: string }).idempotencyKey;
			assert.equal((await row(key)).outcome, 'unknown');
			// executing again (a person clicks again): reconciles first, sends nothing, reports executed
			const again = (await execute(proposal.payload, ctx)) as { outcome: string };
			assert.equal(again.outcome, 'already_executed');
			assert.equal(writes(route) - sentBefore, RETRIES + 1);
			assert.equal((await ledger(key)).status, 'succeeded');
			assert.equal((await row(key)).outcome, 'executed');
			table.push({ promise: 'approved budget change once, answer lost on every retry, executed twice', attempts: `${writes(route) - sentBefore} write requests; first unknown, second already_executed`, held: true });
		});

		test('on demand: reconcileOptimizationActions settles an unknown status change (observed not applied → failed, retryable)', async () => {
			const c = campaign('google');
			const rules = [rule('demand-g', c, { type: 'pause' })];
			const route = WRITE_ROUTE(c, false);
			sb.injectFault({ route, kind: '5xx', afterEffect: true, count: RETRIES + 1 });
			const first = await run(rules, c, at(80));
			sb.clearFaults();
			const key = one(first, 'demand-g').idempotencyKey!;
			// someone re-enables it before the reconciliation: the pause is observed as not (or no longer) in force
			applyCampaignChange(sb.world, c, { status: 'ACTIVE' });
			const r = await reconcileOptimizationActions(store, adapters, { now: () => at(81) });
			const mine = r.resolved.find((e) => e.key === key)!;
			assert.equal(mine.status, 'failed');
			assert.match(mine.reason, /^observed not applied: status ACTIVE is still the value before the change/);
			assert.equal((await ledger(key)).status, 'failed');
			const stored = await row(key);
			assert.equal(stored.outcome, 'failed');
			assert.equal(stored.action_taken, false);
			table.push({ promise: 'on-demand reconciliation of an unknown pause observed not applied', attempts: `${RETRIES + 1} write requests`, held: stored.outcome === 'failed' });
		});

		for (const point of ['optimizer.after-ledger', 'optimizer.after-platform'] as const) {
			test(`SIGKILL at ${point}: a paused campaign is not re-enabled an hour later by another rule despite a 24 h cooldown, and the next run says it was paused`, async () => {
				const c = campaign(point === 'optimizer.after-ledger' ? 'meta' : 'linkedin');
				const pause = rule(`kill-pause-${point}`, c, { type: 'pause' });
				const enable = rule(`kill-enable-${point}`, c, { type: 'enable' });
				await store.close();
				const child = spawn(process.execPath, ['--import', 'tsx', join(__dirname, 'optimizer-faults.test.ts')], {
					env: {
						...process.env,
						ADOPS_FAILPOINTS: point,
						OPT_FAULT_CHILD: JSON.stringify({ sandbox: { urls: sb.urls, credentials: sb.credentials }, store: config, rules: [pause], accounts: accountsOf(c), at: at(90).toISOString(), runId: `crash-${point}` }),
					},
					stdio: ['ignore', 'pipe', 'pipe'],
				});
				let output = '';
				child.stdout.on('data', (d: Buffer) => (output += d.toString()));
				child.stderr.on('data', (d: Buffer) => (output += d.toString()));
				const signal = await new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, sig) => resolve(sig)));
				assert.equal(signal, 'SIGKILL', output);
				assert.match(output, new RegExp(`failpoint ${point.replace('.', '\\.')}: SIGKILL`));
				assert.equal(c.status, 'PAUSED', 'the child paused it before it died');
				store = await openStore(config);

				const next = await run([pause, enable], c, at(91));
				assert.deepEqual(byRule(next, `kill-enable-${point}`).map((i) => [i.outcome, i.gates.find((g) => g.gate === 'cooldown')?.status]), [['gated', 'fail']], JSON.stringify(next.items.map((i) => [i.rule.id, i.outcome, i.text])));
				assert.equal(c.status, 'PAUSED', 'not re-enabled');
				const told = next.items.filter((i) => (i.outcome === 'recovered' || i.outcome === 'reconciled') && i.entity.campaignId === c.id);
				assert.equal(told.length, 1, JSON.stringify(next.items.map((i) => [i.outcome, i.text])));
				assert.equal(told[0]!.route, 'alert');
				assert.match(told[0]!.text, /the pause of (meta|linkedin) campaign .* (was executed|was applied)/);
				if (point === 'optimizer.after-ledger') assert.match(told[0]!.text, /^Recovered: .*run crash-optimizer\.after-ledger, which stopped before it reported it/);
				const key = told[0]!.idempotencyKey!;
				assert.equal((await ledger(key)).status, 'succeeded');
				const r = await row(key);
				assert.equal(r.outcome, 'executed');
				assert.equal(r.executed_at, at(90).toISOString());
				// told once: the run after does not repeat it
				const later = await run([pause, enable], c, at(92));
				assert.deepEqual(later.items.filter((i) => (i.outcome === 'recovered' || i.outcome === 'reconciled') && i.entity.campaignId === c.id), []);
				table.push({ promise: `SIGKILL at ${point}: pause visible to the 24 h cooldown, reported by the next run`, attempts: `1 pause request; next run ${told[0]!.outcome}`, held: c.status === 'PAUSED' });
			});
		}

		test('Google Ads reads retry a single 429 and a single malformed answer like the other platforms (ingest and campaign reads)', async () => {
			const google = adapters.google_ads as PlatformAdapter;
			const account = sb.world.accounts.find((a) => a.platform === 'google')!;
			for (const fault of [
				{ kind: '429' as const, retryAfter: 0 },
				{ kind: 'malformed' as const },
				{ kind: '5xx' as const },
			]) {
				const before = sb.requests({ route: 'googleads.searchStream' }).length;
				sb.injectFault({ route: 'googleads.searchStream', ...fault, count: 1 });
				const result = await google.fetchDailyMetrics({ accountId: account.id, since: addDays(TODAY, -3), until: addDays(TODAY, -1) });
				assert.ok(result.rows.length > 0, `${fault.kind}: the account is read`);
				sb.injectFault({ route: 'googleads.searchStream', ...fault, count: 1 });
				const states = await (adapters.google_ads as unknown as { listCampaignStates: (id: string) => Promise<{ campaigns: unknown[] }> }).listCampaignStates(account.id);
				assert.ok(states.campaigns.length > 0);
				const requests = sb.requests({ route: 'googleads.searchStream' }).length - before;
				assert.equal(requests, 6, `${fault.kind}: one retry each (2 queries per call, one faulted)`);
				table.push({ promise: `Google Ads read after a single ${fault.kind}`, attempts: `${requests} searchStream requests for 2 calls`, held: true });
			}
		});
	});
}

const pgliteDir = CHILD ? '' : mkdtempSync(join(tmpdir(), 'adops-optimizer-faults-'));
if (!CHILD) registerSuite('PGlite', async () => {
	const config: StoreConfig = { kind: 'embedded', path: pgliteDir };
	return { store: await openStore(config), config, cleanup: async () => rmSync(pgliteDir, { recursive: true, force: true }) };
});

if (DATABASE_URL && !CHILD) {
	const schema = `adops_optfaults_${randomBytes(5).toString('hex')}`;
	registerSuite(`PostgreSQL (schema ${schema})`, async () => {
		const config: StoreConfig = { kind: 'postgres', connectionString: DATABASE_URL, ssl: 'disable', schema };
		return {
			store: await openStore(config),
			config,
			cleanup: async () => {
				const admin = new Pool({ connectionString: DATABASE_URL, max: 1 });
				await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
				await admin.end();
			},
		};
	});
}

afterAll(() => {
	if (table.length === 0) return;
	process.stdout.write(`\nFault table (optimizer):\n${table.map((r) => `| ${r.promise} | ${r.attempts} | ${r.held ? 'held' : 'BROKEN'} |`).join('\n')}\n`);
});
