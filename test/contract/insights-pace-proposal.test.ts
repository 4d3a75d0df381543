/**
 * Pace Budgets → the approval loop against the sandbox's Meta API and a real
 * store (PostgreSQL when DATABASE_URL is set, PGlite otherwise): an
 * over-pacing campaign plan becomes one optimizer rule (pace-proposal.ts);
 * AdOps Optimizer's run plans it through the gates into a proposal (never an
 * execution: it always asks a person); the `optimization` executor applies
 * the approved payload once under the proposal's ledger key; executed again,
 * it sends nothing. A lost answer (every retry's answer lost after the
 * effect) is unknown with no retry advice, and executing the proposal again
 * reads the campaign back instead of sending the change again. A run killed
 * (SIGKILL, a child process) after the platform applied the approved budget
 * and before the ledger heard: the next execution finds the budget on the
 * platform and sends nothing.
 */
import assert from 'node:assert/strict';
import { afterAll, beforeAll, describe, test } from '../helpers/vitest-api';
import { paceBudgets } from '../../nodes/shared/insights/run';
import { parseRule } from '../../nodes/shared/rules';
import type { OptimizerAdapters } from '../../nodes/shared/rules/apply';
import { optimizationExecutor } from '../../nodes/shared/rules/executor';
import { runOptimizer, type OptimizerSettings } from '../../nodes/shared/rules/run';
import { sideEffectOutcome } from '../../nodes/shared/resilience/outcome';
import type { RowInput } from '../../nodes/shared/schema/rows';
import { openStore, type Store, type StoreConfig } from '../../nodes/shared/store';
import { startSandbox, type AdAccount, type Campaign, type Sandbox } from '../../scripts/sandbox';
import { addDays } from '../../scripts/sandbox/rng';
import { assertKilledAt, runChildJob, runFailpointChild } from '../helpers/failpoint-child';
import { sandboxAdapters } from '../helpers/sandbox-adapters';
import { testStore, type TestStore } from '../helpers/store';

const TODAY = '2026-03-20';
const ASOF = addDays(TODAY, -1);
const NOW = new Date(`${TODAY}T18:00:00Z`);
const RETRIES = 2;
const LIVE: OptimizerSettings = { dryRun: false, gates: { cooldownHours: 24, maxChangePct: 50, maxDailyChangePct: 100 } };
type Target = Campaign & { account: AdAccount };

const CHILD = process.env.ADOPS_PACE_PROPOSAL_CHILD;
const ADAPTER_OPTIONS = { retry: { maxRetries: RETRIES, initialDelayMs: 1, maxDelayMs: 5 }, timeoutMs: 400, breaker: false } as const;

/** What the child needs to execute one approved proposal: the store, the sandbox's addresses, the proposal, the clock. */
interface ChildJob {
	store: StoreConfig;
	sandbox: Pick<Sandbox, 'credentials' | 'urls'>;
	proposal: { id: string; payload: unknown };
	nowMs: number;
}

describe('Pace Budgets proposals through the optimizer, the approval executor and the ledger', () => {
	let sb: Sandbox;
	let store: Store;
	let ts: TestStore | undefined;
	let adapters: OptimizerAdapters;
	let first: Target;
	const used = new Set<string>();
	const writes = () => sb.requests({ route: 'meta.update' }).filter((r) => r.method === 'POST').length;
	const cents = (x: number) => Math.round(x * 100);

	function campaign(): Target {
		for (const account of sb.world.accounts.filter((a) => a.platform === 'meta')) {
			for (const c of account.campaigns) {
				const spent = c.daily.filter((d) => d.date >= addDays(ASOF, -70) && d.date <= ASOF && d.spend > 0).length;
				if (c.status !== 'ACTIVE' || used.has(c.id) || !(c.dailyBudget > 0) || spent < 60) continue;
				used.add(c.id);
				return Object.assign(c, { account });
			}
		}
		throw new Error('no unused active Meta campaign with 60 days of spend');
	}

	/** The campaign's stored days and a plan of `share` × what it is heading for: it over-paces. */
	async function overPacing(c: Target, share = 0.8): Promise<void> {
		const days = c.daily.filter((d) => d.date >= addDays(ASOF, -70) && d.date <= ASOF);
		const perf: Array<RowInput<'campaign_performance'>> = days.map((d) => ({ date: d.date, platform: 'meta', account_id: c.account.id, campaign_id: c.id, campaign_name: c.name, currency: c.account.currency, spend: d.spend, impressions: d.impressions, clicks: d.clicks, conversions: d.conversions, revenue: d.revenue, leads: d.leads }));
		await store.upsert('campaign_performance', perf);
		const recent = days.slice(-28);
		const heading = (recent.reduce((a, d) => a + d.spend, 0) / recent.length) * 31;
		await store.upsert('budget_plans', [{ platform: 'meta', account_id: c.account.id, campaign_id: c.id, month: '2026-03-01', amount: Math.round(heading * share), currency: c.account.currency }]);
	}

	async function proposalFor(c: Target) {
		const paced = await paceBudgets(store, { platform: 'meta', accountId: c.account.id, campaignId: c.id, asOf: ASOF, proposeBudgets: true });
		const p = paced.pacing[0]!;
		assert.ok(p, JSON.stringify(paced.problems));
		assert.equal(p.result.status, 'over', p.result.summary);
		assert.ok(p.rule, String(p.proposalNote));
		parseRule(p.rule); // a valid optimizer rule
		const run = await runOptimizer({ rules: [p.rule], useStoredRules: false, settings: LIVE, accounts: { meta: [`act_${c.account.id}`] } }, { store, adapters, now: () => NOW });
		const item = run.items.find((i) => i.rule.id === p.rule!.id && i.entity.campaignId === c.id)!;
		assert.ok(item, JSON.stringify(run.items.map((i) => [i.rule.id, i.outcome, i.text])));
		assert.equal(item.outcome, 'proposed', `${item.text} ${JSON.stringify(item.gates.filter((g) => g.status === 'fail'))}`);
		assert.match(item.conditions.map((x) => x.text).join(' '), /forecast_month_spend yesterday \([\d-]+\) = [\d.]+ > [\d.]+ → met/);
		const proposal = run.proposals.find((x) => x.id === item.proposal!.id)!;
		assert.ok(proposal, 'queued for approval');
		return { pacing: p, proposal, budgetAfter: (proposal.payload as { budgetAfter: number }).budgetAfter, key: (proposal.payload as { idempotencyKey: string }).idempotencyKey };
	}
	const ctxOf = (proposal: { id: string }) => ({ proposal: { ...proposal, decidedBy: 'notion:maya', evidence: null } }) as unknown as Parameters<ReturnType<typeof optimizationExecutor>>[1];

	beforeAll(async () => {
		// the sandbox clock pinned at midday, before NOW: the executors' clocks are NOW + hours, so a platform change stamped at
		// the real time of day (after 18:00 UTC: later than NOW) was read as a change made outside the package (CI at 18:37 failed)
		sb = await startSandbox({ seed: 22, today: TODAY, now: `${TODAY}T12:00:00Z` });
		ts = await testStore('adops-pace-proposal');
		store = await openStore(ts.config);
		adapters = sandboxAdapters(sb, ['meta'], ADAPTER_OPTIONS);
	});
	afterAll(async () => {
		await store?.close();
		await sb?.close();
		await ts?.cleanup();
	});

	test('an approved pace proposal lowers the daily budget once; executed again it sends nothing; the run never executes it by itself', async () => {
		const c = (first = campaign());
		await overPacing(c);
		const before = c.dailyBudget;
		const sent = writes();
		const { pacing, proposal, budgetAfter, key } = await proposalFor(c);
		assert.equal(writes(), sent, 'proposing changes nothing');
		assert.equal(c.dailyBudget, before);
		assert.ok(budgetAfter < before, `a lower budget (${before} → ${budgetAfter}; recommended ${pacing.result.recommendedDailyBudget.toFixed(2)})`);
		const execute = optimizationExecutor({ store, adapters, now: () => new Date(NOW.getTime() + 3_600_000) });
		const result = (await execute(proposal.payload, ctxOf(proposal))) as { outcome: string };
		assert.equal(result.outcome, 'executed', JSON.stringify(result));
		assert.equal(cents(c.dailyBudget), cents(budgetAfter), 'the platform holds the approved budget');
		assert.equal(writes() - sent, 1, 'one write');
		assert.equal((await store.select('action_ledger', { where: { idempotency_key: key } }))[0]!.status, 'succeeded');
		const again = (await execute(proposal.payload, ctxOf(proposal))) as { outcome: string };
		assert.equal(again.outcome, 'already_executed');
		assert.equal(writes() - sent, 1, 'still one write');
		// the next run the same day: the campaign has had its change (cooldown), nothing new is proposed or executed
		const rerun = await runOptimizer({ rules: [pacing.rule!], useStoredRules: false, settings: LIVE, accounts: { meta: [`act_${c.account.id}`] } }, { store, adapters, now: () => new Date(NOW.getTime() + 2 * 3_600_000) });
		assert.deepEqual(rerun.proposals, []);
		assert.equal(writes() - sent, 1);
	});

	test('a lost answer is unknown, with no retry advice; executing the proposal again reads the campaign back and sends nothing', async () => {
		const c = campaign();
		await overPacing(c, 0.85);
		const { proposal, budgetAfter, key } = await proposalFor(c);
		const execute = optimizationExecutor({ store, adapters, now: () => new Date(NOW.getTime() + 3_600_000) });
		const sent = writes();
		sb.injectFault({ route: 'meta.update', kind: 'timeout', afterEffect: true, count: RETRIES + 1 });
		const error = await execute(proposal.payload, ctxOf(proposal)).then(
			() => null,
			(e: unknown) => e as Error,
		);
		sb.clearFaults();
		assert.ok(error, 'a lost answer is not reported executed');
		assert.equal(sideEffectOutcome(error), 'unknown');
		assert.match(error.message, /outcome is unknown/);
		assert.doesNotMatch(error.message, /retry|try again/i);
		assert.equal(cents(c.dailyBudget), cents(budgetAfter), 'the platform applied it');
		assert.equal((await store.select('action_ledger', { where: { idempotency_key: key } }))[0]!.status, 'unknown');
		const lost = writes() - sent;
		const again = (await execute(proposal.payload, ctxOf(proposal))) as { outcome: string };
		assert.equal(again.outcome, 'already_executed', 'reconciled by reading the campaign back');
		assert.equal(writes() - sent, lost, 'not sent again');
		assert.equal((await store.select('action_ledger', { where: { idempotency_key: key } }))[0]!.status, 'succeeded');
	});

	test('a run killed after the platform applied the approved budget, before the ledger heard (SIGKILL at optimizer.after-platform): executing again finds it and sends nothing', { timeout: 120_000 }, async () => {
		const c = campaign();
		await overPacing(c, 0.75);
		const { proposal, budgetAfter, key } = await proposalFor(c);
		const sent = writes();
		await store.close(); // the child owns the store while it runs (PGlite is one process at a time)
		const job: ChildJob = { store: ts!.config, sandbox: { credentials: sb.credentials, urls: sb.urls }, proposal: { id: proposal.id, payload: proposal.payload }, nowMs: NOW.getTime() + 3_600_000 };
		const run = await runFailpointChild(__filename, 'ADOPS_PACE_PROPOSAL_CHILD', job, 'optimizer.after-platform');
		store = await openStore(ts!.config);
		assertKilledAt(run, 'optimizer.after-platform');
		assert.equal(cents(c.dailyBudget), cents(budgetAfter), 'the platform applied it before the kill');
		assert.equal(writes() - sent, 1);
		assert.equal((await store.select('action_ledger', { where: { idempotency_key: key } }))[0]!.status, 'claimed', 'the claim the dead run left open');
		const execute = optimizationExecutor({ store, adapters, now: () => new Date(NOW.getTime() + 2 * 3_600_000) });
		const again = (await execute(proposal.payload, ctxOf(proposal))) as { outcome: string };
		assert.equal(again.outcome, 'already_executed', JSON.stringify(again));
		assert.equal(writes() - sent, 1, 'not sent again');
		assert.equal(cents(c.dailyBudget), cents(budgetAfter));
		assert.equal((await store.select('action_ledger', { where: { idempotency_key: key } }))[0]!.status, 'succeeded');
	});

	test('an account plan and an on-track plan propose nothing, and say why', async () => {
		const c = first;
		const heading = (await paceBudgets(store, { platform: 'meta', accountId: c.account.id, campaignId: c.id, asOf: ASOF, monthlyBudget: 1 })).pacing[0]!.result.forecastMonthSpend.mean;
		const onTrack = await paceBudgets(store, { platform: 'meta', accountId: c.account.id, campaignId: c.id, asOf: ASOF, monthlyBudget: heading, proposeBudgets: true });
		assert.equal(onTrack.pacing[0]!.result.status, 'on_track');
		assert.equal(onTrack.pacing[0]!.rule, null);
		assert.equal(onTrack.pacing[0]!.proposalNote, 'on track: nothing to propose');
		const account = await paceBudgets(store, { platform: 'meta', accountId: c.account.id, asOf: ASOF, monthlyBudget: 10, proposeBudgets: true });
		assert.equal(account.pacing[0]!.rule, null);
		assert.match(account.pacing[0]!.proposalNote!, /an account or platform plan has no one daily budget to set/);
	});
});

if (CHILD) {
	const job = JSON.parse(CHILD) as ChildJob;
	runChildJob(async () => {
		const store = await openStore(job.store);
		const adapters = sandboxAdapters(job.sandbox, ['meta'], ADAPTER_OPTIONS);
		const execute = optimizationExecutor({ store, adapters, now: () => new Date(job.nowMs) });
		await execute(job.proposal.payload as never, { proposal: { ...job.proposal, decidedBy: 'notion:maya', evidence: null } } as never);
		await store.close();
	});
}
