/**
 * Plan Budget's Slack message (nodes/shared/allocation/slack.ts), once per plan
 * id through the ledger, against the sandbox's Meta API (the lab account of
 * scripts/sandbox/allocation.ts) and Slack, on a real store (PostgreSQL when
 * DATABASE_URL is set, PGlite otherwise). The proposals are queued as AdOps
 * Approval would, so the rerun is `pending`: it proposes nothing and must still
 * settle the plan's own post. A lost completeUploadExternal answer (shared,
 * answer lost): the pending rerun finds it and posts nothing. Refused before
 * the effect (unknown to the client): the pending rerun posts it once. A late
 * answer (past the client's timeout, shared meanwhile): found, posted once. A
 * run killed between the steps (SIGKILL at `slack.after-upload`: uploaded, not
 * shared; at `insights.after-post`: shared, the ledger not told), in a child
 * process (this file with ADOPS_ALLOC_SLACK_CHILD): the rerun posts it once, or
 * finds it and posts nothing. Each case is its own plan (its own total budget).
 */
import assert from 'node:assert/strict';
import { afterAll, beforeAll, describe, test } from '../helpers/vitest-api';
import { createSlackClient } from '../../nodes/shared/alerts/post';
import { runBudgetPlan, type BudgetPlanOutcome, type BudgetPlanRequest } from '../../nodes/shared/allocation/propose';
import { deliverBudgetPlan, planSlackKey } from '../../nodes/shared/allocation/slack';
import { createProposal, proposalToRow } from '../../nodes/shared/approvals/proposal';
import type { RowInput } from '../../nodes/shared/schema/rows';
import { openStore, type Store, type StoreConfig } from '../../nodes/shared/store';
import { startSandbox, type AdAccount, type Sandbox } from '../../scripts/sandbox';
import { addAllocationAccount, ALLOCATION_ACCOUNT_ID } from '../../scripts/sandbox/allocation';
import { assertKilledAt, runChildJob, runFailpointChild } from '../helpers/failpoint-child';
import { sandboxAdapters, type SandboxRef } from '../helpers/sandbox-adapters';
import { testStore, type TestStore } from '../helpers/store';

const CHILD = process.env.ADOPS_ALLOC_SLACK_CHILD;
const TODAY = '2026-03-20';
const NOW = new Date(`${TODAY}T18:00:00Z`);
const CHANNEL = 'C0ADOPSALR';
/** The sandbox's clock (its Slack's message times): the channel history is read back from here. */
const AT = { now: () => NOW };
const ADAPTER_OPTIONS = { retry: { maxRetries: 0, initialDelayMs: 1, maxDelayMs: 5 }, timeoutMs: 2_000, breaker: false } as const;

interface ChildJob {
	store: StoreConfig;
	sandbox: SandboxRef;
	total: number;
}

const request = (totalBudget: number): BudgetPlanRequest => ({ accounts: { meta: [`act_${ALLOCATION_ACCOUNT_ID}`] }, scopeLabel: 'the lab account', objective: 'conversions', totalBudget, proposalMode: 'campaign', settings: { gates: { cooldownHours: 24, maxDailyChangePct: 100 } } });

describe("Plan Budget's Slack post: once per plan, settled by a pending rerun after a lost or late answer or a kill", () => {
	let sb: Sandbox;
	let ts: TestStore;
	let store: Store;
	let lab: AdAccount;
	let total = 0;
	let cases = 0;
	const channel = () => sb.world.slack.channels.find((c) => c.id === CHANNEL)!;
	const withFiles = () => channel().messages.filter((m) => m.files?.length).length;
	const slack = (timeoutMs = 5_000) => ({ client: createSlackClient({ botToken: sb.credentials.slack.botToken, apiUrl: sb.urls.slack }, { retries: 0, timeoutMs }), channel: CHANNEL });
	const plan = async (t: number): Promise<BudgetPlanOutcome> => runBudgetPlan(request(t), { store, adapters: sandboxAdapters(sb, ['meta'], ADAPTER_OPTIONS), now: () => NOW });
	/** The next case's total: a plan of its own (another id), a little above today's total. */
	const nextTotal = () => Math.round(total * (1 + 0.03 * ++cases) * 100) / 100;
	/** What AdOps Approval's enqueue does with the plan's proposals: the next run is pending. */
	async function queue(out: BudgetPlanOutcome): Promise<void> {
		assert.equal(out.status, 'planned', out.text.join('\n'));
		if (out.status !== 'planned') return;
		assert.ok(out.proposals.length > 0, out.text.join('\n'));
		await store.upsert('approvals', out.proposals.map((p) => proposalToRow(createProposal(p, NOW))) as never);
	}
	/** Decided against, so the next case's plan is not pending behind this one. */
	async function reject(out: BudgetPlanOutcome): Promise<void> {
		if (out.status !== 'planned') return;
		await store.update('approvals', { proposal_id: { in: out.proposals.map((p) => p.id) } }, { status: 'rejected' } as never);
	}
	async function pendingRerun(t: number, planId: string): Promise<BudgetPlanOutcome> {
		const rerun = await plan(t);
		assert.equal(rerun.status, 'pending', rerun.text.join('\n'));
		assert.equal(rerun.status === 'pending' && rerun.planId, planId, 'the same plan');
		return rerun;
	}
	const ledger = async (planId: string) => (await store.select('action_ledger', { where: { idempotency_key: planSlackKey(planId) } }))[0];

	beforeAll(async () => {
		sb = await startSandbox({ seed: 23, today: TODAY });
		lab = addAllocationAccount(sb.world);
		ts = await testStore('adops-allocation-slack');
		store = await openStore(ts.config);
		const rows: Array<RowInput<'campaign_performance'>> = lab.campaigns.flatMap((c) => c.daily.map((d) => ({ date: d.date, platform: 'meta', account_id: lab.id, campaign_id: c.id, campaign_name: c.name, currency: lab.currency, spend: d.spend, impressions: d.impressions, clicks: d.clicks, conversions: d.conversions, revenue: d.revenue, leads: d.leads })));
		await store.upsert('campaign_performance', rows);
		total = lab.campaigns.reduce((s, c) => s + c.dailyBudget, 0);
	});
	afterAll(async () => {
		await store?.close();
		await sb?.close();
		await ts?.cleanup();
	});

	test('posted once with its charts; a pending rerun posts nothing', async () => {
		const t = nextTotal();
		const before = withFiles();
		const out = await plan(t);
		const first = await deliverBudgetPlan(store, slack(), out, AT);
		assert.equal(first?.status, 'posted', JSON.stringify(first));
		assert.ok(((first as { fileIds: string[] }).fileIds.length ?? 0) >= 2, 'the plan chart and the top movers');
		await queue(out);
		const rerun = await pendingRerun(t, (out as { planId: string }).planId);
		assert.deepEqual(await deliverBudgetPlan(store, slack(), rerun, AT), { status: 'already_posted', ledger: 'succeeded' });
		assert.equal(withFiles(), before + 1);
		await reject(out);
	});

	test('a lost completeUploadExternal answer (shared): unknown; the pending rerun finds it in the channel and posts nothing', async () => {
		const t = nextTotal();
		const before = withFiles();
		const out = await plan(t);
		sb.injectFault({ route: 'slack.completeUploadExternal', kind: '5xx', status: 502, afterEffect: true });
		const lost = await deliverBudgetPlan(store, slack(), out, AT);
		sb.clearFaults();
		assert.equal(lost?.status, 'unknown', JSON.stringify(lost));
		assert.equal(withFiles(), before + 1, 'shared: only its answer was lost');
		await queue(out);
		const planId = (out as { planId: string }).planId;
		const settled = await deliverBudgetPlan(store, slack(), await pendingRerun(t, planId), AT);
		assert.equal(settled?.status, 'already_posted', JSON.stringify(settled));
		assert.equal(withFiles(), before + 1);
		assert.equal((await ledger(planId))!.status, 'succeeded');
		assert.deepEqual(await deliverBudgetPlan(store, slack(), await pendingRerun(t, planId), AT), { status: 'already_posted', ledger: 'succeeded' });
		assert.equal(withFiles(), before + 1);
		await reject(out);
	});

	test('refused before the effect (a 503, unknown to the client): the pending rerun reads the channel, it is not there, posted once', async () => {
		const t = nextTotal();
		const before = withFiles();
		const out = await plan(t);
		sb.injectFault({ route: 'slack.completeUploadExternal', kind: '5xx', status: 503 });
		const refused = await deliverBudgetPlan(store, slack(), out, AT);
		sb.clearFaults();
		assert.equal(refused?.status, 'unknown', JSON.stringify(refused));
		assert.equal(withFiles(), before);
		await queue(out);
		const planId = (out as { planId: string }).planId;
		const posted = await deliverBudgetPlan(store, slack(), await pendingRerun(t, planId), AT);
		assert.equal(posted?.status, 'posted', JSON.stringify(posted));
		assert.equal(withFiles(), before + 1);
		const text = channel().messages.filter((m) => m.files?.length).at(-1)!.text;
		assert.match(text, new RegExp(`Budget plan for the lab account \\(\\d{4}-W\\d{2}, ${planId}\\): \\d+ budget changes? proposed for approval`), 'the text first composed, not the pending run\'s');
		assert.deepEqual(await deliverBudgetPlan(store, slack(), await pendingRerun(t, planId), AT), { status: 'already_posted', ledger: 'succeeded' });
		assert.equal(withFiles(), before + 1);
		await reject(out);
	});

	test('a late answer (past the client timeout, shared meanwhile): unknown; the pending rerun finds it, posted once', async () => {
		const t = nextTotal();
		const before = withFiles();
		const out = await plan(t);
		sb.injectFault({ route: 'slack.completeUploadExternal', kind: 'latency', latencyMs: 1_200, afterEffect: true });
		const late = await deliverBudgetPlan(store, slack(300), out, AT);
		assert.equal(late?.status, 'unknown', JSON.stringify(late));
		await new Promise((r) => setTimeout(r, 1_200)); // the late answer arrives and is dropped
		sb.clearFaults();
		assert.equal(withFiles(), before + 1);
		await queue(out);
		const planId = (out as { planId: string }).planId;
		const settled = await deliverBudgetPlan(store, slack(), await pendingRerun(t, planId), AT);
		assert.equal(settled?.status, 'already_posted', JSON.stringify(settled));
		assert.equal(withFiles(), before + 1);
		assert.equal((await ledger(planId))!.status, 'succeeded');
		await reject(out);
	});

	describe('a run killed between the steps (SIGKILL in a child process)', () => {
		/** The child plans and posts, killed at `point`; PGlite is one process at a time, so the child owns the store meanwhile. */
		async function killedAt(point: string, t: number): Promise<void> {
			await store.close();
			const run = await runFailpointChild(__filename, 'ADOPS_ALLOC_SLACK_CHILD', { store: ts.config, sandbox: { urls: sb.urls, credentials: sb.credentials }, total: t } satisfies ChildJob, point);
			store = await openStore(ts.config);
			assertKilledAt(run, point);
		}

		test('after the upload, before completeUploadExternal: nothing shared; the rerun (nothing queued: planned again, the same plan) posts it once', async () => {
			const t = nextTotal();
			const before = withFiles();
			await killedAt('slack.after-upload', t);
			assert.equal(withFiles(), before, 'uploaded, never shared');
			const out = await plan(t);
			assert.equal(out.status, 'planned', out.text.join('\n'));
			const planId = (out as { planId: string }).planId;
			assert.equal((await ledger(planId))!.status, 'claimed', 'the claim the dead run left open');
			const next = await deliverBudgetPlan(store, slack(), out, AT);
			assert.equal(next?.status, 'posted', JSON.stringify(next));
			assert.equal(withFiles(), before + 1);
			await queue(out);
			assert.deepEqual(await deliverBudgetPlan(store, slack(), await pendingRerun(t, planId), AT), { status: 'already_posted', ledger: 'succeeded' });
			assert.equal(withFiles(), before + 1);
			await reject(out);
		});

		test('after completeUploadExternal, before the ledger write: shared once; the rerun finds it and posts nothing', async () => {
			const t = nextTotal();
			const before = withFiles();
			await killedAt('insights.after-post', t);
			assert.equal(withFiles(), before + 1);
			const out = await plan(t);
			const planId = (out as { planId: string }).planId;
			assert.equal((await ledger(planId))!.status, 'claimed');
			const next = await deliverBudgetPlan(store, slack(), out, AT);
			assert.equal(next?.status, 'already_posted', JSON.stringify(next));
			assert.equal(withFiles(), before + 1);
			const entry = await ledger(planId);
			assert.equal(entry!.status, 'succeeded');
			assert.match(String(entry!.resolution), /stopped while posting; found in Slack/);
		});
	});
});

if (CHILD) {
	const job = JSON.parse(CHILD) as ChildJob;
	runChildJob(async () => {
		const store = await openStore(job.store);
		const out = await runBudgetPlan(request(job.total), { store, adapters: sandboxAdapters(job.sandbox, ['meta'], ADAPTER_OPTIONS), now: () => NOW });
		const slack = { client: createSlackClient({ botToken: job.sandbox.credentials.slack.botToken, apiUrl: job.sandbox.urls.slack }, { retries: 0, timeoutMs: 5_000 }), channel: CHANNEL };
		await deliverBudgetPlan(store, slack, out, AT);
		await store.close();
	});
}
