/**
 * The optimizer run and the `optimization` executor against the sandbox's
 * Meta, LinkedIn and Google Ads APIs, the sandbox's Notion (approval queue)
 * and a real store: PGlite always, PostgreSQL when DATABASE_URL is set (own
 * schema, dropped afterwards).
 *
 * Every change is checked in the sandbox's world (the platforms' ground
 * truth) and in its request log (what was sent); the rules are JSON rules
 * scoped to chosen campaigns, with conditions that always hold, so each test
 * knows exactly which decisions to expect.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, test } from 'vitest';
import { Pool } from 'pg';
import { ApprovalQueue, ExecutorRegistry } from '../../nodes/shared/approvals';
import type { CampaignControl, PlatformAdapter } from '../../nodes/shared/platforms/types';
import { parseRule, ruleFromRow, SEED_RULES, type RuleInput } from '../../nodes/shared/rules';
import type { OptimizerAdapters } from '../../nodes/shared/rules/apply';
import { registerOptimizationExecutor } from '../../nodes/shared/rules/executor';
import { killSwitchHold, readKillSwitch, setKillSwitch } from '../../nodes/shared/rules/kill-switch';
import { budgetPlanExecutor } from '../../nodes/shared/allocation/executor';
import { runOptimizer, type OptimizerItem, type OptimizerResult, type OptimizerSettings } from '../../nodes/shared/rules/run';
import { runBacktest } from '../../nodes/shared/rules/backtest-run';
import type { RowInput } from '../../nodes/shared/schema/rows';
import { applySeed, openStore, type Store } from '../../nodes/shared/store';
import { defaultSeedFile } from '../../nodes/shared/store/migrations';
import { embeddedExecutor } from '../../nodes/shared/store/embedded';
import { PgPoolExecutor } from '../../nodes/shared/store/sql-runner';
import { startSandbox, type AdAccount, type Campaign, type Sandbox } from '../../scripts/sandbox';
import { addDays } from '../../scripts/sandbox/rng';
import { provisionApprovalDatabase } from '../../scripts/notion/approval-database';
import { sandboxAdapters } from '../helpers/sandbox-adapters';
import { countingStore } from '../helpers/counting-store';

const DATABASE_URL = process.env.DATABASE_URL;
const TODAY = '2026-03-02';
const HOUR = 3_600_000;
/** 10:00 in Los Angeles, 13:00 in New York, 19:00 in Berlin, 03:00 (next day) in Tokyo. */
const T0 = Date.parse(`${TODAY}T18:00:00Z`);
const at = (hours: number) => new Date(T0 + hours * HOUR);
/** The sandbox's own clock (today's time of day on TODAY): Notion stamps card edits with it, so the queue polls by it. */
const sandboxClock = () => new Date(Date.now() + Date.parse(TODAY) - Date.parse(new Date().toISOString().slice(0, 10)));

const LIVE: OptimizerSettings = { dryRun: false, gates: { cooldownHours: 24, maxChangePct: 50, maxDailyChangePct: 100, approval: { percent: 25 } } };
const DEFAULTS: OptimizerSettings = { gates: LIVE.gates };
const ALWAYS = { metric: 'impressions', window: 'last_7_days', op: '>=', value: 0 };

function rule(id: string, campaign: Campaign, action: Record<string, unknown>, extra: Record<string, unknown> = {}): RuleInput {
	return { id, name: `Test ${id}`, priority: 50, scope: { campaignIds: [campaign.id] }, conditions: ALWAYS, action, ...extra };
}

type WorldPlatform = 'meta' | 'linkedin' | 'google';
const PLATFORM = { meta: 'meta', linkedin: 'linkedin', google: 'google_ads' } as const;


function registerSuite(name: string, open: () => Promise<{ store: Store; seed: (file: string) => Promise<void>; cleanup: () => Promise<void> }>): void {
	describe(`optimizer run against the sandbox (${name})`, () => {
		let sb: Sandbox;
		let store: Store;
		let seed: (file: string) => Promise<void>;
		let cleanup: () => Promise<void>;
		let adapters: OptimizerAdapters;
		let queue: ApprovalQueue;
		let registry: ExecutorRegistry;
		let clock = at(0);
		const used = new Set<string>();

		/** A campaign of `platform` with `status` not used by another test yet. */
		function campaign(platform: WorldPlatform, status: 'ACTIVE' | 'PAUSED', currency?: string): Campaign & { account: AdAccount } {
			for (const account of sb.world.accounts.filter((a) => a.platform === platform && (!currency || a.currency === currency))) {
				for (const c of account.campaigns) {
					if (c.status !== status || used.has(c.id)) continue;
					used.add(c.id);
					return Object.assign(c, { account });
				}
			}
			throw new Error(`the sandbox world has no unused ${status} ${platform} campaign left`);
		}
		const accounts = () => ({
			meta: sb.world.accounts.filter((a) => a.platform === 'meta').map((a) => `act_${a.id}`),
			linkedin: sb.world.accounts.filter((a) => a.platform === 'linkedin').map((a) => a.id),
			google_ads: sb.world.accounts.filter((a) => a.platform === 'google').map((a) => a.id.replace(/(\d{3})(\d{3})(\d{4})/, '$1-$2-$3')),
		});
		const writes = () => sb.requests().filter((r) => r.method === 'POST' && /^(meta\.update|linkedin\.campaignUpdate|googleads\.campaign(s|Budgets)\.mutate)$/.test(r.route));
		const run = (rules: RuleInput[], settings: OptimizerSettings, when: Date, deps: Partial<{ store: Store; adapters: OptimizerAdapters }> = {}) =>
			runOptimizer({ rules, useStoredRules: false, settings, accounts: accounts() }, { store: deps.store ?? store, adapters: deps.adapters ?? adapters, now: () => when });
		const byRule = (r: OptimizerResult, id: string): OptimizerItem[] => r.items.filter((i) => i.rule.id === id);
		const one = (r: OptimizerResult, id: string): OptimizerItem => {
			const list = byRule(r, id);
			assert.equal(list.length, 1, `one item for rule ${id}: ${JSON.stringify(r.items.map((i) => [i.rule.id, i.outcome]))}`);
			return list[0]!;
		};
		const rows = (keys: string[]) => store.select('optimization_actions', { where: { idempotency_key: { in: keys } } });
		const ledger = (key: string) => store.select('action_ledger', { where: { idempotency_key: key } }).then((r) => r[0]);
		async function approve(pageId: string): Promise<void> {
			const res = await fetch(`${sb.url}/_admin/notion/pages/${pageId}/edit`, {
				method: 'POST',
				headers: { 'content-type': 'application/json' },
				body: JSON.stringify({ user: 'Maya Lopez', properties: { Status: { select: { name: 'Approved' } } } }),
			});
			assert.equal(res.status, 200, await res.text());
		}
		/** What a person does in Ads Manager / Campaign Manager / Google Ads: change the budget directly. */
		const personSetsBudget = (c: Campaign & { account: AdAccount }, amount: number) => {
			const control = adapters[PLATFORM[c.account.platform]] as CampaignControl;
			return control.setDailyBudget({ accountId: c.account.id, campaignId: c.id, dailyBudget: amount, currency: c.account.currency });
		};

		beforeAll(async () => {
			sb = await startSandbox({ seed: 11, today: TODAY });
			({ store, seed, cleanup } = await open());
			adapters = sandboxAdapters(sb, ['meta', 'linkedin', 'google_ads'], { retry: { maxRetries: 0 } });
			// the metrics ingest would have stored: 35 days of every campaign with delivery
			const perf: Array<RowInput<'campaign_performance'>> = [];
			for (const account of sb.world.accounts) {
				for (const c of account.campaigns) {
					for (const d of c.daily.filter((x) => x.date >= addDays(TODAY, -35) && x.impressions > 0)) {
						perf.push({ date: d.date, platform: PLATFORM[account.platform], account_id: account.id, campaign_id: c.id, campaign_name: c.name, currency: account.currency, spend: d.spend, impressions: d.impressions, clicks: d.clicks, conversions: d.conversions, revenue: d.revenue, leads: d.leads });
					}
				}
			}
			await store.upsert('campaign_performance', perf);
			const db = await provisionApprovalDatabase({ token: sb.credentials.notion.token, baseUrl: sb.urls.notion, parentPageId: sb.world.notion.workspacePageId, title: `Optimizer approvals (${name})` });
			queue = new ApprovalQueue({ store, notion: { token: sb.credentials.notion.token, baseUrl: sb.urls.notion, dataSourceId: db.dataSourceId, retry: { maxRetries: 3, initialRetryDelayMs: 10, maxRetryDelayMs: 2000 } }, now: sandboxClock });
			registry = new ExecutorRegistry();
			registerOptimizationExecutor(registry, { store, adapters, now: () => clock });
		});
		afterAll(async () => {
			await cleanup?.();
			await sb?.close();
		});

		// One scenario through the tests below: a live run, its rerun, the approval of its proposal.
		let M1: Campaign & { account: AdAccount };
		let M2: Campaign & { account: AdAccount };
		let L1: Campaign & { account: AdAccount };
		let L2: Campaign & { account: AdAccount };
		let G1: Campaign & { account: AdAccount };
		let G2: Campaign & { account: AdAccount };
		let rules: RuleInput[];
		let first: OptimizerResult;
		let budgets: Map<string, number>;
		let cardId: string;

		test('one live run executes the expected changes once, with their evidence, reading each table once', async () => {
			M1 = campaign('meta', 'ACTIVE', 'USD');
			M2 = campaign('meta', 'ACTIVE', 'USD');
			L1 = campaign('linkedin', 'ACTIVE', 'USD');
			L2 = campaign('linkedin', 'ACTIVE');
			G1 = campaign('google', 'ACTIVE', 'USD');
			G2 = campaign('google', 'PAUSED');
			budgets = new Map([M2, L1, G1].map((c) => [c.id, c.dailyBudget]));
			rules = [
				rule('pause-m1', M1, { type: 'pause' }),
				rule('raise-m2', M2, { type: 'scale_budget', percent: 40 }),
				rule('scale-l1', L1, { type: 'scale_budget', percent: 10 }),
				rule('notify-l1', L1, { type: 'notify', message: 'check the lead form' }, { priority: 90 }),
				rule('volume-l2', L2, { type: 'pause' }, { gates: { minData: { spend: 1e9, window: 'last_7_days' } } }),
				rule('trim-g1', G1, { type: 'scale_budget', percent: -20 }),
				rule('enable-g2', G2, { type: 'enable' }),
			];
			const before = writes().length;
			const reads = new Map<string, number>();
			clock = at(0);
			first = await run(rules, LIVE, at(0), { store: countingStore(store, reads) });

			assert.deepEqual(
				first.items.map((i) => [i.rule.id, i.outcome]).sort(),
				[['enable-g2', 'executed'], ['notify-l1', 'executed'], ['pause-m1', 'executed'], ['raise-m2', 'proposed'], ['scale-l1', 'executed'], ['trim-g1', 'executed'], ['volume-l2', 'gated']].sort(),
			);
			// action_ledger: the open optimization entries, reconciled before anything is planned (issue 12)
			// campaign_performance in windows of three days (issue 21: a bounded block per read on PGlite): as many reads as
			// windows from the history's first day through the day after the run, never one per campaign
			const from = Date.parse(`${first.stats.metricsFrom}T00:00:00Z`);
			const windows = Math.ceil(((Date.parse(at(0).toISOString().slice(0, 10)) + 86_400_000 - from) / 86_400_000 + 1) / 3);
			assert.deepEqual(Object.fromEntries(reads), { action_ledger: 1, campaign_performance: windows, optimization_actions: 1, approvals: 1 }, 'one read per table (per window of days), none per campaign');
			assert.ok(first.stats.metricRows > 0 && first.accounts.every((a) => a.error === null && a.campaigns > 0));

			// the platforms' ground truth
			assert.equal(M1.status, 'PAUSED');
			assert.equal(G2.status, 'ACTIVE');
			const l1 = one(first, 'scale-l1');
			const g1 = one(first, 'trim-g1');
			assert.equal(l1.action!.budgetBefore, budgets.get(L1.id));
			assert.equal(L1.dailyBudget, l1.action!.budgetAfter);
			assert.ok(Math.abs(L1.dailyBudget - budgets.get(L1.id)! * 1.1) < 0.01 && L1.dailyBudget <= budgets.get(L1.id)! * 1.1);
			assert.equal(G1.dailyBudget, g1.action!.budgetAfter);
			assert.ok(Math.abs(G1.dailyBudget - budgets.get(G1.id)! * 0.8) < 0.01);
			assert.equal(M2.dailyBudget, budgets.get(M2.id), 'the change above the approval threshold waits');
			assert.equal(writes().length - before, 4, 'pause, budget, budget, enable: one write each (notify and proposals send nothing)');

			// evidence for Slack: the rule, the matched conditions with values, the gates with numbers, the platform's answer
			assert.equal(l1.route, 'alert');
			assert.equal(l1.conditions.length, 1);
			assert.equal(l1.conditions[0]!.result, true);
			assert.equal(typeof l1.conditions[0]!.actual, 'number');
			assert.match(l1.conditions[0]!.text, /^impressions last 7 days \(\d{4}-\d{2}-\d{2}\.\.\d{4}-\d{2}-\d{2}\) = \d+ >= 0 → met$/);
			const gate = (i: OptimizerItem, g: string) => i.gates.find((x) => x.gate === g)!;
			assert.equal(gate(l1, 'max_change').status, 'pass');
			assert.equal(gate(l1, 'max_change').values.maxChangePct, 50);
			assert.equal(gate(l1, 'cooldown').status, 'pass');
			assert.equal(l1.current!.dailyBudget, budgets.get(L1.id), 're-read right before the change');
			assert.equal(l1.execution!.at, at(0).toISOString());
			assert.match(l1.text, /^Executed: daily budget of campaign \d+ ".+" [\d.]+ USD → [\d.]+ USD \(\+10%\) — rule "Test scale-l1" \(priority 50\)\. because impressions last 7 days/);
			const gated = one(first, 'volume-l2');
			assert.equal(gated.route, 'stored');
			assert.equal(gate(gated, 'data_volume').status, 'fail');
			assert.match(gated.text, /gated by data_volume: /);

			// the ledger and optimization_actions
			const executed = first.items.filter((i) => i.outcome === 'executed');
			const stored = await rows(executed.map((i) => i.idempotencyKey!));
			assert.equal(stored.length, 5);
			for (const row of stored) {
				assert.equal(row.action_taken, true);
				assert.equal(row.outcome, 'executed');
				assert.equal(row.executed_at, at(0).toISOString());
				assert.equal(row.dry_run, false);
				assert.ok(Array.isArray(row.gates) && row.gates.length > 0);
				assert.ok(row.rule_key && row.evaluated_at === at(0).toISOString());
				if (row.action_type !== 'notify') {
					assert.ok(row.platform_response);
					const entry = await ledger(row.idempotency_key);
					assert.equal(entry?.status, 'succeeded');
					assert.equal(entry?.attempts, 1);
				} else assert.equal(await ledger(row.idempotency_key), undefined, 'a notification is no platform side effect');
			}
			const [gatedRow] = await store.select('optimization_actions', { where: { idempotency_key: `${gated.idempotencyKey}:gated@${at(0).toISOString()}` } });
			assert.equal(gatedRow?.outcome, 'gated');
			assert.equal(gatedRow?.action_taken, false);

			// the proposal, for the approval queue
			assert.equal(first.proposals.length, 1);
			const proposal = first.proposals[0]!;
			assert.equal(proposal.kind, 'optimization');
			assert.equal(proposal.id, one(first, 'raise-m2').proposal!.id);
			assert.ok(Math.abs((proposal.payload as { budgetAfter: number }).budgetAfter - budgets.get(M2.id)! * 1.4) < 0.01);
			const events = await queue.enqueue(first.proposals);
			assert.equal(events[0]!.type, 'queued');
			cardId = events[0]!.pageId!;
		});

		test('a rerun executes nothing new, an hour later too, and does not queue the proposal twice', async () => {
			for (const when of [at(0), at(1)]) {
				const before = writes().length;
				const again = await run(rules, LIVE, when);
				assert.equal(writes().length, before, 'nothing sent to any platform');
				assert.deepEqual(again.items.filter((i) => i.outcome === 'executed'), []);
				assert.deepEqual(again.proposals, [], 'the queued proposal is not proposed again');
				assert.equal(one(again, 'raise-m2').proposalStatus, 'pending');
				for (const id of ['scale-l1', 'trim-g1', 'notify-l1']) {
					const item = one(again, id);
					assert.equal(item.outcome, 'gated');
					assert.equal(item.gates.find((g) => g.gate === 'already_done')!.status, 'fail', `${id} is already done today`);
				}
				// paused and enabled campaigns no longer match their rules at all
				assert.deepEqual(byRule(again, 'pause-m1'), []);
				assert.deepEqual(byRule(again, 'enable-g2'), []);
			}
			assert.equal((await ledger(one(first, 'scale-l1').idempotencyKey!))!.attempts, 1);
		});

		test('a change above the approval threshold executes only through the registered executor, after approval', async () => {
			const proposal = first.proposals[0]!;
			const before = writes().length;
			assert.deepEqual(await queue.executeApproved(registry), [], 'pending: nothing to execute');
			assert.equal(M2.dailyBudget, budgets.get(M2.id));
			clock = at(2);
			await approve(cardId);
			assert.deepEqual((await queue.syncDecisions()).events.map((e) => [e.type, e.proposalId]), [['approved', proposal.id]]);
			const [executed] = await queue.executeApproved(registry);
			assert.equal(executed?.type, 'executed', JSON.stringify(executed));
			const budgetAfter = (proposal.payload as { budgetAfter: number }).budgetAfter;
			assert.equal(M2.dailyBudget, budgetAfter, 'the approved payload, exactly');
			assert.equal(writes().length - before, 1);
			const [row] = await rows([one(first, 'raise-m2').idempotencyKey!]);
			assert.equal(row!.action_taken, true);
			assert.equal(row!.outcome, 'executed');
			assert.equal(row!.proposal_id, proposal.id);
			assert.equal(row!.executed_at, at(2).toISOString());
			assert.equal((await ledger(row!.idempotency_key))!.status, 'succeeded');

			assert.deepEqual(await queue.executeApproved(registry), [], 'executed once');
			const later = await run(rules, LIVE, at(3));
			assert.equal(one(later, 'raise-m2').outcome, 'gated', 'the approved change is history for the next run');
			assert.equal(writes().length - before, 1);
		});

		test('a budget changed on the platform between evaluation and execution is not overwritten (run and approval)', async () => {
			// (a) in a run: someone edits the budget while the run is between its evaluation and the change
			const G3 = campaign('google', 'ACTIVE', 'USD');
			const planned = G3.dailyBudget;
			const google = adapters.google_ads as PlatformAdapter & CampaignControl;
			let edited = false;
			const racing = new Proxy(google, {
				get(target, prop, receiver) {
					const value = Reflect.get(target, prop, receiver) as unknown;
					if (prop !== 'getCampaignState' || typeof value !== 'function') return typeof value === 'function' ? value.bind(target) : value;
					return async (accountId: string, campaignId: string, signal?: AbortSignal) => {
						if (!edited && campaignId === G3.id) {
							edited = true;
							await personSetsBudget(G3, 123);
						}
						return (value as CampaignControl['getCampaignState']).call(target, accountId, campaignId, signal);
					};
				},
			});
			const stale = [rule('scale-g3', G3, { type: 'scale_budget', percent: 10 })];
			const refused = await run(stale, LIVE, at(4), { adapters: { ...adapters, google_ads: racing } });
			const item = one(refused, 'scale-g3');
			assert.equal(item.outcome, 'refused');
			assert.equal(item.route, 'alert');
			assert.equal(item.action!.budgetBefore, planned);
			assert.match(item.reasons.at(-1)!, new RegExp(`^stale: the daily budget is 123 USD on the platform now, the change was planned on ${planned} USD`));
			assert.equal(item.current!.dailyBudget, 123);
			assert.equal(G3.dailyBudget, 123, "the person's budget stands");
			const entry = await ledger(item.idempotencyKey!);
			assert.equal(entry!.status, 'failed');
			assert.match(entry!.error!, /^stale: /);
			const [row] = await rows([item.idempotencyKey!]);
			assert.equal(row!.outcome, 'refused');
			assert.equal(row!.action_taken, false);
			// the person's edit is in Google's change_event: under the 24 h cooldown the next run waits (issue 13) ...
			const waiting = await run(stale, LIVE, at(5));
			assert.match(one(waiting, 'scale-g3').gates.find((g) => g.gate === 'cooldown')!.detail, /^budget changed [\d.]+ → 123\.00 USD by adops-api@sandbox\.example in the Google Ads API at .* \(a change made outside the package\)$/);
			// ... and without a cooldown it plans again from the budget the platform has now
			const replanned = await run(stale, { ...LIVE, gates: { ...(LIVE.gates as Record<string, unknown>), cooldownHours: 0 } }, at(5));
			const done = one(replanned, 'scale-g3');
			assert.equal(done.outcome, 'executed');
			assert.equal(done.action!.budgetBefore, 123);
			assert.equal(G3.dailyBudget, 135.3);
			assert.equal((await ledger(item.idempotencyKey!))!.attempts, 2);

			// (b) through an approval: the budget changed after the proposal was made
			const M3 = campaign('meta', 'ACTIVE', 'USD');
			const proposed = await run([rule('raise-m3', M3, { type: 'scale_budget', percent: 40 })], LIVE, at(6));
			assert.equal(proposed.proposals.length, 1);
			const [queued] = await queue.enqueue(proposed.proposals);
			await personSetsBudget(M3, 42);
			clock = at(7);
			await approve(queued!.pageId!);
			await queue.syncDecisions();
			const before = writes().length;
			const [failed] = await queue.executeApproved(registry);
			assert.equal(failed?.type, 'failed');
			assert.match(String(failed?.error), new RegExp(`^not applied to meta campaign ${M3.id} .*: stale: the daily budget is 42 USD on the platform now`));
			assert.equal(M3.dailyBudget, 42);
			assert.equal(writes().length, before, 'nothing sent');
			const [m3row] = await rows([one(proposed, 'raise-m3').idempotencyKey!]);
			assert.equal(m3row!.outcome, 'refused');
			assert.equal(m3row!.action_taken, false);
		});

		test('dry run (the default) touches nothing on the platform and records the same evidence as a live run', async () => {
			const L3 = campaign('linkedin', 'ACTIVE');
			const M4 = campaign('meta', 'ACTIVE', 'EUR');
			const G4 = campaign('google', 'ACTIVE');
			const dryRules = [rule('dry-pause-l3', L3, { type: 'pause' }), rule('dry-scale-m4', M4, { type: 'scale_budget', percent: 20 }), rule('dry-raise-g4', G4, { type: 'scale_budget', percent: 40 })];
			const state = () => [L3.status, M4.dailyBudget, G4.dailyBudget];
			const before = { writes: writes().length, state: state() };
			const dry = await run(dryRules, DEFAULTS, at(8));
			const dryAgain = await run(dryRules, DEFAULTS, at(8));
			assert.equal(dry.dryRun, true);
			assert.equal(writes().length, before.writes, 'no change request reached any platform');
			assert.deepEqual(state(), before.state);
			assert.deepEqual(dry.items.map((i) => [i.rule.id, i.outcome]).sort(), [['dry-pause-l3', 'dry_run'], ['dry-raise-g4', 'proposed'], ['dry-scale-m4', 'dry_run']]);
			assert.deepEqual(dryAgain.items.map((i) => [i.rule.id, i.outcome]).sort(), [['dry-pause-l3', 'dry_run'], ['dry-raise-g4', 'proposed'], ['dry-scale-m4', 'dry_run']], 'a dry run leaves no history behind');
			const dryProposal = one(dry, 'dry-raise-g4').proposal!;
			assert.match(dryProposal.id, /^opt-[0-9a-f]{40}-dry$/);
			assert.equal((dryProposal.payload as { dryRun: boolean }).dryRun, true);
			for (const i of dry.items) if (i.outcome === 'dry_run') assert.equal(await ledger(i.idempotencyKey!), undefined, 'no ledger claim in a dry run');
			const dryRows = await rows(dry.items.map((i) => `${i.idempotencyKey}:dry-run`));
			assert.equal(dryRows.length, 3, 'one row per decision, however often the dry run ran');
			assert.ok(dryRows.every((r) => r.dry_run && !r.action_taken));

			const live = await run(dryRules, LIVE, at(8));
			assert.deepEqual(live.items.map((i) => [i.rule.id, i.outcome]).sort(), [['dry-pause-l3', 'executed'], ['dry-raise-g4', 'proposed'], ['dry-scale-m4', 'executed']]);
			const evidence = (i: OptimizerItem) => ({ rule: i.rule, entity: i.entity, action: i.action, conditions: i.conditions, gates: i.gates, key: i.idempotencyKey, current: i.current });
			for (const id of ['dry-pause-l3', 'dry-scale-m4', 'dry-raise-g4']) assert.deepEqual(evidence(one(dry, id)), evidence(one(live, id)), `${id}: same evidence`);
			assert.equal(`${one(live, 'dry-raise-g4').proposal!.id}-dry`, dryProposal.id);
			assert.equal(L3.status, 'PAUSED');
			assert.equal(M4.dailyBudget, one(live, 'dry-scale-m4').action!.budgetAfter);
		});

		test('the kill switch stops everything: nothing executed, proposed or sent', async () => {
			const L4 = campaign('linkedin', 'ACTIVE');
			const before = writes().length;
			const stopped = await run([rule('kill-l4', L4, { type: 'pause' })], { ...LIVE, killSwitch: true }, at(9));
			assert.equal(stopped.killSwitch, true);
			assert.deepEqual(stopped.items.map((i) => [i.rule.id, i.outcome, i.gates.find((g) => g.gate === 'kill_switch')!.status]), [['kill-l4', 'gated', 'fail']]);
			assert.equal(writes().length, before);
			assert.equal(L4.status, 'ACTIVE');
		});

		test('the stored kill switch (Set Kill Switch) holds live runs, dry runs and a change approved before it, on every run, until it is off; then the change runs once', async () => {
			const M5 = campaign('google', 'ACTIVE');
			const P5 = campaign('meta', 'PAUSED');
			const budget = M5.dailyBudget;
			const proposed = await run([rule('raise-m5', M5, { type: 'scale_budget', percent: 40 })], LIVE, at(10));
			assert.equal(proposed.proposals.length, 1);
			const [queued] = await queue.enqueue(proposed.proposals);
			clock = at(11);
			await approve(queued!.pageId!);
			await queue.syncDecisions();

			const on = await setKillSwitch(store, { on: true, by: 'Dana (marketing ops)', reason: 'Black Friday freeze', now: at(11) });
			assert.deepEqual(await readKillSwitch(store), on);
			const before = writes().length;
			// Execute Approved: held, still approved, nothing claimed, read or sent
			const reads = sb.requests().length;
			const [held] = await queue.executeApproved(registry);
			assert.equal(held?.type, 'skipped', JSON.stringify(held));
			assert.equal(held?.status, 'approved');
			assert.equal(held?.held, `the stored kill switch is on (turned on by Dana (marketing ops) at ${at(11).toISOString().slice(0, 16).replace('T', ' ')} UTC: Black Friday freeze); turn it off with AdOps Optimizer, Set Kill Switch, to let approved changes run`);
			assert.match(held!.message, /stays approved and nothing of it ran: the stored kill switch is on/);
			assert.equal(sb.requests().length, reads, 'no platform read either');
			assert.deepEqual(await store.select('action_ledger', { where: { target: queued!.proposalId } }), [], 'nothing claimed');
			// a budget plan approved before the switch waits the same way (its executor carries the same hold)
			assert.equal(await budgetPlanExecutor({ store, adapters }).hold!(), held?.held);
			// a live run and a dry run of this process (killSwitch not set on the node): every decision gated, in the stored switch's words
			for (const settings of [LIVE, DEFAULTS]) {
				const stopped = await run([rule('kill-stored-p5', P5, { type: 'enable' })], settings, at(12));
				assert.equal(stopped.killSwitch, true);
				const gate = one(stopped, 'kill-stored-p5').gates.find((g) => g.gate === 'kill_switch')!;
				assert.equal(gate.status, 'fail');
				assert.match(gate.detail, /^kill switch is on \(stored kill switch turned on by Dana \(marketing ops\) at .* UTC: Black Friday freeze\): nothing executes or is proposed$/);
			}
			assert.equal(writes().length, before);
			assert.equal(P5.status, 'PAUSED');
			assert.equal(M5.dailyBudget, budget);

			// off: the held change runs once, at the next Execute Approved
			await setKillSwitch(store, { on: false, by: 'Dana (marketing ops)', now: at(13) });
			clock = at(13);
			const [executed] = await queue.executeApproved(registry);
			assert.equal(executed?.type, 'executed', JSON.stringify(executed));
			assert.equal(M5.dailyBudget, (proposed.proposals[0]!.payload as { budgetAfter: number }).budgetAfter);
			assert.deepEqual(await queue.executeApproved(registry), [], 'once');
			assert.equal(writes().length - before, 1);
			// a switch nobody can read counts as on; a switch needs a name
			await store.setState('optimizer.kill_switch', { on: 'maybe' });
			assert.match((await killSwitchHold(store))!, /cannot be read, so it counts as on/);
			await assert.rejects(setKillSwitch(store, { on: true, by: '  ' }), /Say who turns the kill switch on \(Set By\)/);
			await setKillSwitch(store, { on: false, by: 'test', now: at(13) });
		});

		test('supabase/seed.sql rules read back as SEED_RULES and run (dry) from the store', async () => {
			await seed(defaultSeedFile());
			await seed(defaultSeedFile()); // re-applying the seed changes nothing
			const stored = await store.select('optimization_rules', {});
			assert.equal(stored.length, SEED_RULES.length);
			assert.deepEqual(stored.filter((r) => !r.is_active).map((r) => (r.conditions as { key?: string }).key), ['pause-abusive-comments'], 'the comment rule is seeded inactive');
			for (const s of SEED_RULES) {
				const row = stored.find((r) => (r.conditions as { key?: string }).key === (s as { id: string }).id)!;
				assert.ok(row, `${String((s as { id: string }).id)} is seeded`);
				assert.deepEqual({ ...ruleFromRow(row), id: 'x' }, { ...parseRule(s), id: 'x' });
			}
			const before = writes().length;
			const seeded = await runOptimizer({ useStoredRules: true, settings: DEFAULTS, accounts: accounts() }, { store, adapters, now: () => at(10) });
			assert.equal(seeded.stats.ruleRows, SEED_RULES.filter((s) => (s as { enabled?: boolean }).enabled !== false).length);
			assert.equal(seeded.stats.signalRows, null, 'no enabled rule uses a comment metric: ad_comment_signals is not read');
			assert.deepEqual(seeded.warnings.filter((w) => /left out/.test(w)), []);
			assert.ok(seeded.items.every((i) => stored.some((r) => r.id === i.rule.id)), 'stored rules carry their row ids');
			assert.equal(writes().length, before);
		});

		test('backtest over the store (the Backtest operation): day by day from the campaigns as they are now; no platform write, nothing stored', async () => {
			const C = campaign('google', 'ACTIVE');
			const D = campaign('linkedin', 'ACTIVE');
			const start = D.dailyBudget;
			const rules = [rule('bt-pause', C, { type: 'pause' }), rule('bt-scale', D, { type: 'scale_budget', percent: 10 })];
			const before = writes().length;
			const rowsBefore = (await store.select('optimization_actions')).length;
			const result = await runBacktest(
				{ rules, useStoredRules: false, settings: { gates: { cooldownHours: 20, maxChangePct: 50, maxDailyChangePct: 100 } }, accounts: accounts(), from: addDays(TODAY, -5), to: addDays(TODAY, -1), at: '18:00' },
				{ store, adapters },
			);
			const events = (id: string) => result.report.events.filter((e) => e.ruleId === id);
			assert.deepEqual(events('bt-pause').map((e) => [e.at.slice(0, 10), e.decision, e.applied]), [[addDays(TODAY, -5), 'execute', true]], 'paused once, on the first day; nothing left to pause afterwards');
			assert.deepEqual(events('bt-scale').map((e) => [e.at.slice(0, 10), e.decision]), [-5, -4, -3, -2, -1].map((d) => [addDays(TODAY, d), 'execute']), 'once a day: the 20 h cooldown has passed each time');
			const path = Object.entries(result.report.budgetPaths).find(([key]) => key.endsWith(`|${D.id}`))![1];
			assert.equal(path[0]!.budget, start, 'starts from the budget as it is now');
			assert.equal(path.length, 6);
			for (let i = 1; i < path.length; i++) assert.ok(Math.abs(path[i]!.budget! - path[i - 1]!.budget! * 1.1) <= 0.01 + 1e-9, `step ${i}: ${path[i - 1]!.budget} → ${path[i]!.budget}`);
			assert.equal(C.status, 'ACTIVE', 'the platforms are untouched');
			assert.equal(D.dailyBudget, start);
			assert.equal(writes().length, before);
			assert.equal((await store.select('optimization_actions')).length, rowsBefore, 'nothing stored');
			assert.ok(result.stats.metricRows > 0 && result.stats.signalRows === null);
			assert.ok(result.accounts.every((a) => a.error === null));
			await assert.rejects(runBacktest({ rules, useStoredRules: false, accounts: accounts(), from: 'yesterday', to: TODAY }, { store, adapters }), /from: must be a date YYYY-MM-DD/);
		});
	});
}

const pgliteDir = mkdtempSync(join(tmpdir(), 'adops-optimizer-'));
registerSuite('PGlite', async () => {
	const store = await openStore({ kind: 'embedded', path: pgliteDir });
	return {
		store,
		seed: async (file) => applySeed((await embeddedExecutor(pgliteDir))!, file),
		cleanup: async () => {
			await store.close();
			rmSync(pgliteDir, { recursive: true, force: true });
		},
	};
});

if (DATABASE_URL) {
	const schema = `adops_optimizer_${randomBytes(5).toString('hex')}`;
	registerSuite(`PostgreSQL (schema ${schema})`, async () => {
		const store = await openStore({ kind: 'postgres', connectionString: DATABASE_URL, ssl: 'disable', schema });
		const admin = new Pool({ connectionString: DATABASE_URL, max: 1 });
		return {
			store,
			seed: (file) => applySeed(new PgPoolExecutor(admin), file, schema),
			cleanup: async () => {
				await store.close();
				await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
				await admin.end();
			},
		};
	});
}
