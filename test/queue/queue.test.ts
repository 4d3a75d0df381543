// The bundled workflows in n8n 2.40.7 queue mode (issue 21): one main, two
// workers and a webhook processor on PostgreSQL and Redis, the package
// installed on every process, the sandbox for every platform, the store on
// PostgreSQL (the embedded store is single-process). Each scenario counts the
// side effects the sandbox saw (platform mutations, Slack posts, Notion
// writes, effects-receiver calls) and requires each exactly once with nothing
// lost:
//
//   concurrent schedules       four copies of optimize.json on one 10-second schedule, live, three campaigns
//   duplicated deliveries      five parallel copies of one signed Meta comment delivery
//   approvals clicked twice    two cards approved twice, then three Execute Approved at once (the
//                              trigger's path: poll then execute; and two 15-minute sweeps) while the
//                              receiver answers late, so the runs overlap on each proposal
//   shared limits              a TikTok ingest run six times at once on both workers against a sandbox
//                              daily quota: in-process, PostgreSQL and Redis limits on the AdOps Store
//                              credential
//   a worker killed            at optimizer.after-platform, optimizer.after-ledger,
//                              approval.after-executor, moderation.after-platform,
//                              moderation.after-stored; the next run on a restarted worker
//
// Executions start where n8n's queue mode starts them: published webhooks
// (through the webhook processor) and published schedules (the main).
//
// ADOPS_QUEUE_LEDGER_CLAIM=off runs the suite with the action ledger's claim
// disabled, to show the suite notices: a trigger on the store's action_ledger
// deletes an existing entry before every claim's insert, so every claim is
// granted, as if `claimAction` always answered "claimed". Every scenario that
// relies on the claim must then fail with a count above 1.
import { test, beforeAll, afterAll, describe } from 'vitest';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { randomBytes, randomUUID } from 'node:crypto';
import pg from 'pg';
import { metaCommentDelivery, startSandbox, sandboxN8nCredentials, type AdAccount, type Campaign, type Sandbox } from '../../scripts/sandbox';
import { addDays } from '../../scripts/sandbox/rng';
import { openStore, type Store, type StoreConfig } from '../../nodes/shared/store';
import type { RowInput } from '../../nodes/shared/schema/rows';
import type { WorkflowInput } from '../helpers/n8n';
import { queueServices, startQueueCluster, type QueueCluster } from '../helpers/queue';
import { RespClient } from '../../nodes/shared/resilience/shared-limits';

const ROOT = join(__dirname, '..', '..');
const ALERTS = 'C0ADOPSALR';
const KIND = 'queue.effect';
const ALWAYS = { metric: 'impressions', window: 'last_7_days', op: '>=', value: 0 };
const CRED = { store: { id: 'adopsStoreCred01', name: 'AdOps Store' }, notion: { id: 'adopsNotionCred01', name: 'AdOps Notion' }, slack: { id: 'adopsSlackCred01', name: 'AdOps Slack' } };
const CLAIM_OFF = process.env.ADOPS_QUEUE_LEDGER_CLAIM === 'off';
/** The shared-limits scenario: the sandbox's daily quota on TikTok's report route, the same figure in the credential's Quotas. */
const LIMITS = { quota: 20, runs: 6, windowDays: 240, route: 'tiktok.report', call: 'fetchDailyMetrics' } as const;
const LIMIT_CREDS = { memory: 'adopsStoreLimMem', postgres: 'adopsStoreLimPgs', redis: 'adopsStoreLimRed' } as const;

type WfNode = { name: string; type: string; parameters: Record<string, unknown>; disabled?: boolean; [k: string]: unknown };
type Conns = Record<string, { main: Array<Array<{ node: string; type: string; index: number }>> }>;
type Picked = Campaign & { account: AdAccount };
type Row = Record<string, unknown>;

const redisUrl = (): string => {
	const { redis } = queueServices();
	return `redis://${redis.host}:${redis.port}`;
};

/**
 * ADOPS_QUEUE_LEDGER_CLAIM=off: every claim is granted. A BEFORE INSERT
 * trigger removes the entry a claim's INSERT … ON CONFLICT DO NOTHING would
 * meet, so the insert always lands and `claimAction` answers claimed, whether
 * another run holds the key or it already succeeded.
 */
async function disableLedgerClaim(connectionString: string, schema: string): Promise<void> {
	const client = new pg.Client({ connectionString });
	await client.connect();
	try {
		await client.query(`CREATE FUNCTION ${schema}.adops_test_claim_off() RETURNS trigger LANGUAGE plpgsql AS $$
			BEGIN DELETE FROM ${schema}.action_ledger WHERE idempotency_key = NEW.idempotency_key; RETURN NEW; END $$`);
		await client.query(`CREATE TRIGGER adops_test_claim_off BEFORE INSERT ON ${schema}.action_ledger FOR EACH ROW EXECUTE FUNCTION ${schema}.adops_test_claim_off()`);
	} finally {
		await client.end();
	}
}

/** Replaces a workflow's triggers with one published Webhook node (`path`) feeding `target`. */
function viaWebhook(w: WorkflowInput, path: string, target: string, drop: string[]): WorkflowInput {
	const out = structuredClone(w);
	out.nodes = (out.nodes as WfNode[]).filter((n) => !drop.includes(n.name) && n.type !== 'n8n-nodes-base.stickyNote');
	const conns = out.connections as Conns;
	for (const d of drop) delete conns[d];
	out.nodes.push({ parameters: { httpMethod: 'POST', path, responseMode: 'onReceived', options: {} }, name: 'Queue Webhook', type: 'n8n-nodes-base.webhook', typeVersion: 2, position: [-200, 0], webhookId: randomUUID() });
	conns['Queue Webhook'] = { main: [[{ node: target, type: 'main', index: 0 }]] };
	return out;
}

/** Replaces a workflow's triggers with a Schedule Trigger every `seconds` (aligned on the clock, so copies fire together). */
function viaSchedule(w: WorkflowInput, seconds: number, target: string, drop: string[]): WorkflowInput {
	const out = structuredClone(w);
	out.nodes = (out.nodes as WfNode[]).filter((n) => !drop.includes(n.name) && n.type !== 'n8n-nodes-base.stickyNote');
	const conns = out.connections as Conns;
	for (const d of drop) delete conns[d];
	out.nodes.push({ parameters: { rule: { interval: [{ field: 'seconds', secondsInterval: seconds }] } }, name: 'Queue Schedule', type: 'n8n-nodes-base.scheduleTrigger', typeVersion: 1.2, position: [-200, 0] });
	conns['Queue Schedule'] = { main: [[{ node: target, type: 'main', index: 0 }]] };
	return out;
}

describe('the bundled workflows in n8n queue mode (main, two workers, webhook processor)', { timeout: 600_000 }, () => {
	let sandbox: Sandbox;
	let cluster: QueueCluster;
	let storeConfig: StoreConfig;
	let dropSchema = async () => undefined as void;
	const used = new Set<string>();
	const wf: Record<string, WorkflowInput> = {};
	const campaigns: Record<string, Picked[]> = {};
	/** Per scenario: the effects counted, for the note. */
	const table: string[] = [];
	const timings: string[] = [];
	const t0 = performance.now();
	const mark = (what: string) => timings.push(`${what} at ${((performance.now() - t0) / 1000).toFixed(0)} s`);

	async function withStore<T>(fn: (store: Store) => Promise<T>): Promise<T> {
		const store = await openStore(storeConfig);
		try {
			return await fn(store);
		} finally {
			await store.close();
		}
	}
	/** Facebook and Instagram comments (both moderated through Meta's Graph API), with whether each is hidden. */
	const allComments = () => [...sandbox.world.meta.comments.map((c) => ({ id: c.id, hidden: c.isHidden })), ...sandbox.world.instagram.comments.map((c) => ({ id: c.id, hidden: c.hidden }))];
	const slackPosts = () => sandbox.world.slack.channels.find((c) => c.id === ALERTS)!.messages.filter((m) => m.viaApi);
	const okWrites = (route: string) => sandbox.requests({ route }).filter((r) => r.status < 300);
	/** POST writes the platform received for one Meta object (campaign budget/status, comment hide). */
	const metaWrites = (objectId: string) => okWrites('meta.update').filter((r) => r.method === 'POST' && r.path.endsWith(`/${objectId}`));

	function campaign(): Picked {
		for (const account of sandbox.world.accounts.filter((a) => a.platform === 'meta')) {
			for (const c of account.campaigns) {
				if (c.status !== 'ACTIVE' || used.has(c.id) || !c.daily.some((d) => d.impressions > 0 && d.date >= addDays(sandbox.world.today, -7))) continue;
				used.add(c.id);
				return Object.assign(c, { account });
			}
		}
		throw new Error('the sandbox world has no unused active Meta campaign');
	}
	const rule = (id: string, c: Picked, action: Record<string, unknown>) => ({ id, name: `Queue ${id}`, priority: 50, scope: { campaignIds: [c.id] }, conditions: ALWAYS, action });
	function optimizer(shipped: WorkflowInput, rules: unknown[]): WorkflowInput {
		const w = structuredClone(shipped);
		for (const n of w.nodes as WfNode[]) if (n.name === 'Optimizer') Object.assign(n.parameters, { mode: 'live', useStoredRules: false, rules: JSON.stringify(rules) });
		return w;
	}

	/** Webhook → [Decisions (poll) →] AdOps Approval with `parameters` → AdOps Alert. */
	function approvalRunner(id: string, path: string, parameters: Record<string, unknown>, poll: boolean): WorkflowInput {
		const resource = ['enqueue', 'executeApproved'].includes(String(parameters.operation)) ? 'proposal' : 'decision';
		const creds = { adOpsNotionApi: CRED.notion, adOpsStoreApi: CRED.store };
		const nodes: WfNode[] = [{ parameters: { httpMethod: 'POST', path, responseMode: 'onReceived', options: {} }, name: 'Start', type: 'n8n-nodes-base.webhook', typeVersion: 2, position: [0, 0], webhookId: randomUUID() }];
		const connections: Conns = {};
		if (poll) {
			nodes.push({ parameters: { resource: 'decision', operation: 'pollDecisions', consumer: 'queue-e2e', queueOptions: {} }, name: 'Decisions', type: 'n8n-nodes-adops.adOpsApproval', typeVersion: 2, position: [200, 0], credentials: creds });
			connections.Start = { main: [[{ node: 'Decisions', type: 'main', index: 0 }]] };
			connections.Decisions = { main: [[{ node: 'Approval', type: 'main', index: 0 }]] };
		} else {
			connections.Start = { main: [[{ node: 'Approval', type: 'main', index: 0 }]] };
		}
		nodes.push({ parameters: { resource, queueOptions: {}, ...parameters }, name: 'Approval', type: 'n8n-nodes-adops.adOpsApproval', typeVersion: 2, position: [400, 0], credentials: creds, executeOnce: true });
		nodes.push({ parameters: { operation: 'post', source: 'proposal', proposalEvent: '={{ $json.proposalEvent }}', channel: '', threadKey: '', options: {} }, name: 'Alert', type: 'n8n-nodes-adops.adOpsAlert', typeVersion: 1, position: [600, 0], credentials: { adOpsSlackApi: CRED.slack, adOpsStoreApi: CRED.store } });
		connections.Approval = { main: [[{ node: 'Alert', type: 'main', index: 0 }]] };
		return { id, name: `queue ${id}`, nodes, connections, settings: { executionOrder: 'v1' } } as unknown as WorkflowInput;
	}
	const proposal = (id: string) => ({ id, kind: KIND, title: `Queue test proposal ${id}`, payload: { action: 'set_budget', campaignId: id, amount: 121 }, evidence: { rule: 'queue', roas7d: 4.2 }, platform: 'meta', accountId: '998877', entity: `campaign ${id}`, proposedChange: 'Daily budget 110.00 → 121.00 USD', impact: '+10% spend' });

	async function cardOf(proposalId: string): Promise<{ id: string; properties: Record<string, { status?: { name: string } | null }> } | undefined> {
		const r = await fetch(`${sandbox.url}/_admin/notion/pages?data_source_id=${sandbox.world.notion.approvalDataSourceId}`);
		const pages = ((await r.json()) as { pages: Array<{ id: string; properties: Record<string, { rich_text?: Array<{ plain_text?: string }>; status?: { name: string } | null }> }> }).pages;
		return pages.find((p) => (p.properties['Proposal ID']?.rich_text ?? []).map((t) => t.plain_text).join('') === proposalId);
	}
	async function approve(cardId: string): Promise<void> {
		const edit = await fetch(`${sandbox.url}/_admin/notion/pages/${cardId}/edit`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user: 'Maya Lopez', properties: { Status: { status: { name: 'Approved' } } } }) });
		assert.equal(edit.status, 200, await edit.text());
	}
	/** Whether a stored item's post is one of the sandbox's Facebook posts (where /_admin/meta/comments adds a comment). */
	function facebookPost(postId: unknown): boolean {
		return typeof postId === 'string' && sandbox.world.meta.posts.some((p) => p.id === postId);
	}

	async function abusiveComment(postId: string): Promise<string> {
		const res = await fetch(`${sandbox.url}/_admin/meta/comments`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ post_id: postId, message: `You are all incompetent morons, shut up and fix your website ${randomBytes(2).toString('hex')}`, from_name: 'Queue Visitor' }) });
		const text = await res.text();
		assert.equal(res.status, 200, text);
		return (JSON.parse(text) as { comment: { id: string } }).comment.id;
	}

	/** Triggers `count` executions of a webhook at once; waits until they all ended; returns the executions. */
	async function fire(workflowId: string, path: string, count = 1, timeoutMs = 180_000) {
		const since = await cluster.lastExecutionId();
		const answers = await Promise.all(Array.from({ length: count }, () => cluster.postWebhook(path, {})));
		for (const a of answers) assert.equal(a.status, 200, `webhook ${path}: ${a.text}\n${cluster.logs(10)}`);
		const runs = await cluster.waitForExecutions({ workflowId, sinceId: since, count, timeoutMs });
		const failed = runs.filter((r) => r.status !== 'success');
		if (failed.length > 0) {
			const details = await Promise.all(failed.map(async (r) => `#${r.id} ${r.status}: ${(await cluster.executionData(r.id).catch(() => ({ error: { message: 'no data' } }))).error?.message ?? ''}`));
			assert.fail(`executions of ${workflowId} failed: ${details.join('; ')}\n${cluster.logs(15)}`);
		}
		return runs;
	}

	/**
	 * The crash recipe: the first worker stops (and stays stopped for the
	 * crash scenarios), the second restarts with `point` armed and dies there
	 * (SIGKILL) on the next job; then it restarts without the failpoint, and
	 * the scenario's next run is that restarted worker's. Two boots per
	 * scenario (the second worker's), instead of four with both workers.
	 */
	async function killAt(point: string, workflowId: string, path: string): Promise<void> {
		const [other, armed] = [cluster.worker(0), cluster.worker(1)];
		await cluster.stopProcess(other);
		await cluster.restartWorker(1, { ADOPS_FAILPOINTS: point });
		mark(`armed ${point}`);
		const since = await cluster.lastExecutionId();
		const answer = await cluster.postWebhook(path, {});
		assert.equal(answer.status, 200, answer.text);
		const how = await cluster.waitForExit(armed, 120_000);
		assert.equal(how, 'SIGKILL', `the armed worker was killed by SIGKILL (${how})\n${armed.log(30)}`);
		assert.deepEqual(armed.failpoints().slice(-1), [point], `killed at ${point}\n${armed.log(30)}`);
		const runs = await cluster.executions({ workflowId, sinceId: since });
		assert.ok(runs.length >= 1 && runs.every((r) => r.status !== 'success'), `the killed execution did not finish: ${runs.map((r) => `#${r.id} ${r.status}`).join(', ')}`);
		await cluster.restartWorker(1, {});
		mark(`restarted after ${point}`);
	}

	beforeAll(async () => {
		sandbox = await startSandbox({ seed: 29 });
		const { storeUrl } = queueServices();
		const schema = `adops_queue_${randomBytes(4).toString('hex')}`;
		storeConfig = { kind: 'postgres', connectionString: storeUrl, ssl: 'disable', schema };
		dropSchema = async () => {
			const client = new pg.Client({ connectionString: storeUrl });
			await client.connect();
			await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
			await client.end();
		};
		campaigns.schedule = Array.from({ length: 3 }, () => campaign());
		campaigns.kill = [campaign(), campaign()];
		await withStore(async (store) => {
			const perf: Array<RowInput<'campaign_performance'>> = [];
			for (const c of [...campaigns.schedule!, ...campaigns.kill!]) {
				for (const d of c.daily.filter((x) => x.date >= addDays(sandbox.world.today, -35) && x.impressions > 0)) {
					perf.push({ date: d.date, platform: 'meta', account_id: c.account.id, campaign_id: c.id, campaign_name: c.name, currency: c.account.currency, spend: d.spend, impressions: d.impressions, clicks: d.clicks, conversions: d.conversions, revenue: d.revenue, leads: d.leads });
				}
			}
			await store.upsert('campaign_performance', perf);
		});
		if (CLAIM_OFF) {
			await disableLedgerClaim(storeUrl, schema);
			mark('ledger claim DISABLED (ADOPS_QUEUE_LEDGER_CLAIM=off)');
		}

		const optimize = JSON.parse(await readFile(join(ROOT, 'workflows', 'optimize.json'), 'utf8')) as WorkflowInput;
		const s = campaigns.schedule!;
		const scheduleRules = [
			...s.slice(0, 2).map((c, i) => rule(`scale-${i}`, c, { type: 'scale_budget', percent: 10 })),
			...s.slice(2).map((c, i) => rule(`pause-${i}`, c, { type: 'pause' })),
		];
		for (let i = 1; i <= 4; i++) {
			wf[`schedule${i}`] = { ...viaSchedule(optimizer(optimize, scheduleRules), 10, 'Optimizer', ['Every Hour', 'Run Now']), id: `QueueOptSched00${i}`, name: `queue optimizer schedule ${i}` };
		}
		const [B, P] = campaigns.kill as [Picked, Picked];
		wf.killBudget = { ...viaWebhook(optimizer(optimize, [rule('kill-scale', B, { type: 'scale_budget', percent: 10 })]), 'queue-opt-budget', 'Optimizer', ['Every Hour', 'Run Now']), id: 'QueueOptBudget01', name: 'queue optimizer budget' };
		wf.killPause = { ...viaWebhook(optimizer(optimize, [rule('kill-pause', P, { type: 'pause' }), rule('kill-enable', P, { type: 'enable' })]), 'queue-opt-pause', 'Optimizer', ['Every Hour', 'Run Now']), id: 'QueueOptPause001', name: 'queue optimizer pause' };

		const moderation = JSON.parse(await readFile(join(ROOT, 'workflows', 'moderation.json'), 'utf8')) as WorkflowInput;
		for (const n of moderation.nodes as WfNode[]) {
			if (n.name === 'Moderate') n.parameters.live = true;
			if (n.name === 'Meta Comments') delete n.disabled;
		}
		wf.moderation = { ...viaWebhook(moderation, 'queue-moderation-poll', 'Poll Comments', ['Every 5 Minutes', 'Run Now']), id: 'QueueModeration1', name: 'queue moderation' };

		wf.enqueue = approvalRunner('QueueApprQueue01', 'queue-approval-enqueue', { operation: 'enqueue', proposal: '={{ $json.body.proposal }}' }, false);
		// the runner's webhook gets one proposal per request, as { proposal }
		for (const n of wf.enqueue.nodes as WfNode[]) if (n.name === 'Approval') delete n.executeOnce;
		const execute = { operation: 'executeApproved', webhooks: { executor: [{ kind: KIND, url: `${sandbox.urls.effects}/${KIND}`, timeout: 30, lookupUrl: `${sandbox.urls.effects}/${KIND}/receipts/{key}` }] }, executeOptions: {} };
		wf.execute = approvalRunner('QueueApprExec001', 'queue-approval-execute', execute, true);
		// approvals.json's 15-minute sweep: Execute Approved without a new decision (what finishes a proposal a crash left behind)
		wf.sweep = approvalRunner('QueueApprSweep01', 'queue-approval-sweep', execute, false);
		// reads the cards' decisions into the store (a consumer of its own), so the sweeps see them approved
		wf.sync = {
			id: 'QueueApprSync001',
			name: 'queue approval sync',
			nodes: [
				{ parameters: { httpMethod: 'POST', path: 'queue-approval-sync', responseMode: 'onReceived', options: {} }, name: 'Start', type: 'n8n-nodes-base.webhook', typeVersion: 2, position: [0, 0], webhookId: randomUUID() },
				{ parameters: { resource: 'decision', operation: 'pollDecisions', consumer: 'queue-sync', queueOptions: {} }, name: 'Decisions', type: 'n8n-nodes-adops.adOpsApproval', typeVersion: 2, position: [200, 0], credentials: { adOpsNotionApi: CRED.notion, adOpsStoreApi: CRED.store } },
			],
			connections: { Start: { main: [[{ node: 'Decisions', type: 'main', index: 0 }]] } },
			settings: { executionOrder: 'v1' },
		} as unknown as WorkflowInput;

		// shared limits: one TikTok advertiser, LIMITS.windowDays of reports (one report call per 30 days), one workflow per Shared Limits choice
		const advertiser = sandbox.world.tiktok.advertisers[0]!.id;
		const until = addDays(sandbox.world.today, -1);
		for (const [mode, credId] of Object.entries(LIMIT_CREDS)) {
			wf[`limits-${mode}`] = {
				id: `QueueLimits${mode.slice(0, 3)}0001`.slice(0, 16),
				name: `queue limits ${mode}`,
				nodes: [
					{ parameters: { httpMethod: 'POST', path: `queue-limits-${mode}`, responseMode: 'onReceived', options: {} }, name: 'Start', type: 'n8n-nodes-base.webhook', typeVersion: 2, position: [0, 0], webhookId: randomUUID() },
					{
						parameters: { operation: 'ingest', platform: 'tiktok', accounts: advertiser, reportingCurrency: 'USD', lookbackDays: 3, initialBackfillDays: 30, options: { maxRetries: 0, windowStart: addDays(until, -(LIMITS.windowDays - 1)), windowEnd: until } },
						name: 'Ingest TikTok',
						type: 'n8n-nodes-adops.adOpsIngest',
						typeVersion: 1,
						position: [200, 0],
						credentials: { adOpsStoreApi: { id: credId, name: `AdOps Store (${mode} limits)` }, adOpsTikTokAdsApi: { id: 'adopsTikTokCred01', name: 'AdOps TikTok Ads' } },
					},
				],
				connections: { Start: { main: [[{ node: 'Ingest TikTok', type: 'main', index: 0 }]] } },
				settings: { executionOrder: 'v1' },
			} as unknown as WorkflowInput;
		}

		cluster = await startQueueCluster({ workers: 2 });
		const storeCredential = { backend: 'postgres', connectionString: storeUrl, ssl: 'disable', schema };
		const quotas = JSON.stringify({ [`tiktok:${LIMITS.call}`]: { windows: [{ points: LIMITS.quota, durationMs: 86_400_000 }] } });
		const limitCredentials = Object.entries(LIMIT_CREDS).map(([mode, id]) => ({ id, name: `AdOps Store (${mode} limits)`, type: 'adOpsStoreApi', data: { ...storeCredential, sharedLimits: mode, redisUrl: redisUrl(), quotas } }));
		await cluster.importCredentials([...sandboxN8nCredentials(sandbox, storeCredential), ...limitCredentials]);
		await cluster.importWorkflows(Object.values(wf));
		// the schedule copies are published by their test, once every worker is up (published now, they would fire
		// every 10 s while the cluster boots and leave a backlog behind)
		await cluster.publishWorkflows(Object.entries(wf).filter(([k]) => !k.startsWith('schedule')).map(([, w]) => w.id as string));
		mark('imported');
		await cluster.start();
		mark('cluster up');
	});

	afterAll(async () => {
		process.stdout.write(`# queue suite: ${timings.join('; ')}\n`);
		if (table.length > 0) process.stdout.write(`# effects per scenario:\n${table.map((r) => `#   ${r}`).join('\n')}\n`);
		await cluster?.dispose();
		await sandbox?.close();
		await dropSchema();
	});

	test('concurrent schedules: four live optimizer copies fire together on both workers; each of the three campaigns is changed once, recorded once, announced once', async () => {
		const ids = [1, 2, 3, 4].map((i) => wf[`schedule${i}`]!.id as string);
		for (const id of ids) await cluster.activate(id);
		mark('schedules published');
		// each copy fires at least twice (the 10-second marks are shared: the copies fire together), then they are unpublished
		for (const id of ids) await cluster.waitForExecutions({ workflowId: id, count: 2, timeoutMs: 120_000 });
		for (const id of ids) await cluster.deactivate(id);
		const runs = await Promise.all(ids.map((id) => cluster.executions({ workflowId: id })));
		// executions already queued run to the end
		const finished = await Promise.all(ids.map((id) => cluster.executions({ workflowId: id }).then((r) => cluster.waitForExecutions({ workflowId: id, count: r.length, timeoutMs: 120_000 }))));
		const all = finished.flat();
		mark(`schedules: ${all.length} executions`);
		assert.ok(all.length >= 8 && runs.every((r) => r.length >= 2), `each copy ran at least twice: ${finished.map((r) => r.length).join(', ')}`);
		assert.deepEqual(all.filter((r) => r.status !== 'success').map((r) => `#${r.id} ${r.status}`), [], 'every execution succeeded');
		const s = campaigns.schedule!;
		const writes = s.map((c) => metaWrites(c.id).length);
		assert.deepEqual(writes, [1, 1, 1], 'one platform mutation per campaign');
		for (const c of s.slice(2)) assert.equal(c.status, 'PAUSED');
		await withStore(async (store) => {
			const ledger = ((await store.select('action_ledger', { where: { kind: 'optimization' } })) as Row[]).filter((e) => s.some((c) => String(e.target).includes(c.id)));
			assert.deepEqual(ledger.map((e) => e.status), Array(3).fill('succeeded'), 'one ledger entry per change, succeeded');
			const actions = (await store.select('optimization_actions', {})) as Row[];
			const executed = actions.filter((a) => a.action_taken === true && !a.dry_run && s.some((c) => c.id === a.campaign_id));
			assert.equal(executed.length, 3, `one action record per change: ${executed.map((a) => a.campaign_id).join(', ')}`);
		});
		const named = s.map((c) => slackPosts().filter((m) => JSON.stringify(m).includes(c.name)).length);
		assert.deepEqual(named, [1, 1, 1], 'each change announced in Slack once');
		table.push(`concurrent schedules: ${all.length} executions, platform mutations ${writes.join('/')}, Slack posts naming each campaign ${named.join('/')}`);
	});

	test('moderation: two polls at once store every comment once and hide each abusive comment once; five parallel copies of a signed Meta delivery hide the new comment once', async () => {
		const before = okWrites('meta.update').length;
		const hiddenBefore = new Set(allComments().filter((c) => c.hidden).map((c) => c.id));
		await fire(wf.moderation!.id as string, 'queue-moderation-poll', 2);
		const polled = await withStore(async (store) => (await store.select('social_media_items', {})) as Row[]);
		assert.ok(polled.length > 5, `comments stored (${polled.length})`);
		assert.equal(new Set(polled.map((i) => i.object_id)).size, polled.length, 'each comment stored once');
		assert.deepEqual(polled.filter((i) => !i.moderated_at).map((i) => i.object_id), [], 'every stored comment moderated');
		const hidden = allComments().filter((c) => c.hidden && !hiddenBefore.has(c.id)).map((c) => c.id);
		const twice = allComments().map((c) => c.id).filter((id) => metaWrites(id).length > 1);
		assert.deepEqual(twice, [], 'no comment (Facebook or Instagram) written twice');
		assert.deepEqual(hidden.map((id) => metaWrites(id).length), hidden.map(() => 1), 'one mutation per hidden comment');
		// every write of the polls is one comment's (a hide, a reply, a like): none to a campaign
		const commentIds = new Set(allComments().map((c) => c.id));
		const polls = okWrites('meta.update').slice(before);
		assert.deepEqual(polls.filter((r) => !commentIds.has(r.path.split('?')[0]!.split('/').pop() ?? '')).map((r) => `${r.method} ${r.path}`), [], 'only comments written');

		// a Facebook post: the stored items hold Instagram comments too (their post is an Instagram media), in no set order
		const postId = String(polled.find((i) => i.ad_id && facebookPost(i.post_id))!.post_id);
		const abusive = await abusiveComment(postId);
		const d = metaCommentDelivery(sandbox.world, abusive);
		const since = await cluster.lastExecutionId();
		const slackBefore = slackPosts().length;
		const answers = await Promise.all(Array.from({ length: 5 }, () => fetch(`${cluster.webhookBase}/adops-meta-comments`, { method: 'POST', headers: d.headers, body: d.rawBody }).then((r) => r.status)));
		assert.deepEqual(answers, [200, 200, 200, 200, 200], 'every delivery acknowledged');
		const deadline = Date.now() + 90_000;
		while (!sandbox.world.meta.comments.find((c) => c.id === abusive)!.isHidden) {
			if (Date.now() > deadline) assert.fail(`the delivered comment was not hidden\n${cluster.logs(20)}`);
			await new Promise((r) => setTimeout(r, 300));
		}
		// whatever executions the deliveries started have ended
		const started = (await cluster.executions({ workflowId: wf.moderation!.id as string, sinceId: since })).length;
		await cluster.waitForExecutions({ workflowId: wf.moderation!.id as string, sinceId: since, count: started });
		await new Promise((r) => setTimeout(r, 2000));
		assert.equal(metaWrites(abusive).length, 1, 'hidden exactly once');
		const posts = slackPosts().slice(slackBefore).filter((m) => JSON.stringify(m).includes(abusive) || /hid/i.test(m.text)).length;
		assert.ok(posts <= 1, `at most one Slack post about it (${posts})`);
		await withStore(async (store) => {
			const items = (await store.select('social_media_items', { where: { object_id: abusive } })) as Row[];
			assert.equal(items.length, 1, 'stored once');
			const entry = ((await store.select('action_ledger', {})) as Row[]).filter((e) => e.idempotency_key === `moderation:meta:${abusive}:hide`);
			assert.deepEqual(entry.map((e) => e.status), ['succeeded']);
		});
		table.push(`moderation: 2 concurrent polls hid ${hidden.length} comments with ${hidden.length} hides (${polls.length} comment writes in all: hides, replies, likes), none twice; 5 duplicated deliveries started ${started} executions, 1 hide, ${posts} Slack post`);
	});

	test('approvals clicked twice: each approved proposal runs once across three overlapping Execute Approved runs (the trigger path and two sweeps); one receipt, one executed card, one Slack post each', async () => {
		const ids = ['queue-p1', 'queue-p2'];
		const notionCreates = okWrites('notion.createPage').length;
		for (const id of ids) {
			const answer = await cluster.postWebhook('queue-approval-enqueue', { proposal: proposal(id) });
			assert.equal(answer.status, 200, answer.text);
		}
		await cluster.waitForExecutions({ workflowId: wf.enqueue!.id as string, count: 2 });
		assert.equal(okWrites('notion.createPage').length - notionCreates, 2, 'one card per proposal');
		for (const id of ids) {
			const card = await cardOf(id);
			assert.ok(card, `a card for ${id}`);
			await approve(card.id);
			await approve(card.id); // clicked twice
		}
		// the decisions reach the store first, so every one of the three runs below finds both proposals approved
		await fire(wf.sync!.id as string, 'queue-approval-sync');
		await withStore(async (store) => {
			const rows = (await store.select('approvals', { where: { proposal_id: { in: ids } } })) as Row[];
			assert.deepEqual(rows.map((r) => r.status), ['approved', 'approved'], 'both approvals read from the cards');
		});
		const slackBefore = slackPosts().length;
		// the receiver records each effect at once and answers 5 s later: the three runs overlap on every proposal,
		// so only the ledger's claim keeps the second and third from running it again (without the hold, the first
		// run wrote "executed" before the others read the proposal, and they never reached the claim)
		sandbox.holdEffects(5000, 6);
		try {
			await Promise.all([fire(wf.execute!.id as string, 'queue-approval-execute', 1), fire(wf.sweep!.id as string, 'queue-approval-sweep', 2)]);
		} finally {
			sandbox.holdEffects(0, 0);
		}
		const receipts = ids.map((id) => sandbox.effects(KIND).filter((r) => (r.body as { proposalId?: string } | null)?.proposalId === id).length);
		assert.deepEqual(receipts, [1, 1], 'one effect per proposal');
		for (const id of ids) assert.equal((await cardOf(id))?.properties.Status?.status?.name, 'Executed');
		const executedPosts = ids.map((id) => slackPosts().slice(slackBefore).filter((m) => JSON.stringify(m).includes(`Queue test proposal ${id}`) && /execut/i.test(JSON.stringify(m))).length);
		assert.deepEqual(executedPosts, [1, 1], 'one Slack post of the execution per proposal');
		await withStore(async (store) => {
			const ledger = (await store.select('action_ledger', { where: { kind: `approval.${KIND}` } })) as Row[];
			assert.deepEqual(ledger.map((e) => `${String(e.target)}:${String(e.status)}`).sort(), ids.map((id) => `${id}:succeeded`));
		});
		table.push(`approvals clicked twice: 2 cards, 3 overlapping Execute Approved runs (receiver answering 5 s late): receipts ${receipts.join('/')}, executed Slack posts ${executedPosts.join('/')}`);
	});

	test(`shared limits: a TikTok ingest run ${LIMITS.runs} times at once on both workers against a sandbox quota of ${LIMITS.quota} report calls a day; in-process the platform refuses calls, shared (PostgreSQL, Redis) at least 90 % is used with none refused`, async () => {
		const figures: Record<string, { sent: number; used: number; refused: number; failed: number; workers: number }> = {};
		for (const mode of Object.keys(LIMIT_CREDS) as Array<keyof typeof LIMIT_CREDS>) {
			// a fresh quota on the platform, and on Redis a fresh day window (Redis keeps it between runs of the suite)
			sandbox.setDailyQuota(LIMITS.route, undefined);
			sandbox.setDailyQuota(LIMITS.route, LIMITS.quota);
			if (mode === 'redis') {
				const day = Math.floor(Date.now() / 86_400_000) * 86_400_000;
				const client = new RespClient(redisUrl());
				await client.command(['DEL', `adops:limits:w:tiktok:${sandbox.world.tiktok.advertisers[0]!.id}:${LIMITS.call}|86400000:${day}`]);
				await client.close();
			}
			const before = sandbox.requests({ route: LIMITS.route }).length;
			const workflowId = wf[`limits-${mode}`]!.id as string;
			const since = await cluster.lastExecutionId();
			// more runs than one worker takes at once (concurrency 5): both workers run some
			const answers = await Promise.all(Array.from({ length: LIMITS.runs }, () => cluster.postWebhook(`queue-limits-${mode}`, {})));
			for (const a of answers) assert.equal(a.status, 200, a.text);
			const runs = await cluster.waitForExecutions({ workflowId, sinceId: since, count: LIMITS.runs, timeoutMs: 180_000 });
			const sent = sandbox.requests({ route: LIMITS.route }).length - before;
			// the sandbox counts a call against the quota only when it answers it: past the quota every call is refused (TikTok's code 40100)
			const used = Math.min(sent, LIMITS.quota);
			const workers = cluster.workers.filter((w) => runs.some((r) => new RegExp(`execution(Id)?\\W{1,3}${r.id}\\b`, 'i').test(w.output))).length;
			figures[mode] = { sent, used, refused: sent - used, failed: runs.filter((r) => r.status !== 'success').length, workers };
		}
		const line = Object.entries(figures).map(([m, f]) => `${m}: ${f.used} of ${LIMITS.quota} used (${Math.round((100 * f.used) / LIMITS.quota)} %), ${f.refused} refused, ${f.sent} sent, ${f.failed} of ${LIMITS.runs} runs stopped, runs seen in the logs of ${f.workers} workers`).join('; ');
		table.push(`shared limits, ${LIMITS.runs} TikTok ingest runs of ${LIMITS.windowDays / 30} report calls each on 2 workers, quota ${LIMITS.quota}: ${line}`);
		assert.ok(figures.memory!.refused > 0, `in-process: each worker spends the quota as if alone, the platform refuses the excess (${line})`);
		for (const mode of ['postgres', 'redis'] as const) {
			assert.equal(figures[mode]!.refused, 0, `${mode}: no call refused (${line})`);
			assert.ok(figures[mode]!.used >= 0.9 * LIMITS.quota, `${mode}: at least 90 % of the quota used (${line})`);
		}
	});

	test('a worker killed at optimizer.after-platform, then restarted: the next run changes nothing more and settles the ledger from the platform', async () => {
		const B = campaigns.kill![0]!;
		const before = B.dailyBudget;
		await killAt('optimizer.after-platform', wf.killBudget!.id as string, 'queue-opt-budget');
		assert.equal(metaWrites(B.id).length, 1, 'the killed run changed the budget once');
		const target = B.dailyBudget;
		assert.ok(Math.abs(target - before * 1.1) < 0.011);
		await fire(wf.killBudget!.id as string, 'queue-opt-budget');
		assert.equal(metaWrites(B.id).length, 1, 'no second budget change');
		assert.equal(B.dailyBudget, target);
		await withStore(async (store) => {
			const entries = ((await store.select('action_ledger', { where: { kind: 'optimization' } })) as Row[]).filter((e) => String(e.target).includes(B.id));
			assert.deepEqual(entries.map((e) => e.status), ['succeeded']);
			assert.ok(String(entries[0]!.resolution ?? '').length > 0, 'with how it was observed');
		});
		table.push('killed at optimizer.after-platform: 1 budget mutation, ledger settled succeeded');
	});

	test('a worker killed at optimizer.after-ledger, then restarted: the pause is recorded, and the enable rule does not undo it', async () => {
		const P = campaigns.kill![1]!;
		await killAt('optimizer.after-ledger', wf.killPause!.id as string, 'queue-opt-pause');
		assert.equal(P.status, 'PAUSED');
		await fire(wf.killPause!.id as string, 'queue-opt-pause');
		assert.equal(P.status, 'PAUSED');
		assert.equal(metaWrites(P.id).length, 1, 'one status change');
		await withStore(async (store) => {
			const [entry] = ((await store.select('action_ledger', { where: { kind: 'optimization' } })) as Row[]).filter((e) => String(e.target).includes(P.id));
			assert.equal(entry?.status, 'succeeded');
			const actions = (await store.select('optimization_actions', { where: { idempotency_key: entry!.idempotency_key as string } })) as Row[];
			assert.equal(actions.filter((a) => a.action_taken === true && !a.dry_run).length, 1, 'the pause is recorded once');
		});
		table.push('killed at optimizer.after-ledger: 1 status mutation, 1 action record');
	});

	test('a worker killed at approval.after-executor, then restarted: the next Execute Approved (the 15-minute sweep: no new decision comes) does not repeat the effect and ends it executed', async () => {
		const id = 'queue-p3';
		assert.equal((await cluster.postWebhook('queue-approval-enqueue', { proposal: proposal(id) })).status, 200);
		const deadline = Date.now() + 90_000;
		let card = await cardOf(id);
		while (!card) {
			if (Date.now() > deadline) assert.fail('no card for queue-p3');
			await new Promise((r) => setTimeout(r, 300));
			card = await cardOf(id);
		}
		await approve(card.id);
		await killAt('approval.after-executor', wf.execute!.id as string, 'queue-approval-execute');
		const receipts = () => sandbox.effects(KIND).filter((r) => (r.body as { proposalId?: string } | null)?.proposalId === id).length;
		assert.equal(receipts(), 1, 'the effect happened before the kill');
		await fire(wf.sweep!.id as string, 'queue-approval-sweep');
		assert.equal(receipts(), 1, 'effect count 1');
		assert.equal((await cardOf(id))?.properties.Status?.status?.name, 'Executed');
		await withStore(async (store) => {
			const [approval] = (await store.select('approvals', { where: { proposal_id: id } })) as Row[];
			assert.equal(approval?.status, 'executed');
		});
		table.push('killed at approval.after-executor: 1 receipt, card Executed');
	});

	for (const point of ['moderation.after-platform', 'moderation.after-stored']) {
		test(`a worker killed at ${point}, then restarted: the new abusive comment is hidden once and every stored comment is moderated`, async () => {
			const postId = await withStore(async (store) => String(((await store.select('social_media_items', {})) as Row[]).find((i) => i.ad_id && facebookPost(i.post_id))!.post_id));
			const abusive = await abusiveComment(postId);
			await killAt(point, wf.moderation!.id as string, 'queue-moderation-poll');
			await fire(wf.moderation!.id as string, 'queue-moderation-poll');
			assert.equal(sandbox.world.meta.comments.find((c) => c.id === abusive)!.isHidden, true, 'hidden');
			assert.equal(metaWrites(abusive).length, 1, 'hidden once');
			const twice = allComments().map((c) => c.id).filter((cid) => metaWrites(cid).length > 1);
			assert.deepEqual(twice, [], 'no comment hidden twice');
			await withStore(async (store) => {
				const items = (await store.select('social_media_items', {})) as Row[];
				assert.deepEqual(items.filter((i) => !i.moderated_at).map((i) => i.object_id), [], 'nothing lost: every stored comment moderated');
				const open = ((await store.select('action_ledger', {})) as Row[]).filter((e) => String(e.idempotency_key).startsWith('moderation:') && (e.status === 'claimed' || e.status === 'unknown'));
				assert.deepEqual(open.map((e) => e.idempotency_key), [], 'no moderation side effect left open');
			});
			table.push(`killed at ${point}: 1 hide of the new comment, nothing left open`);
		});
	}
});
