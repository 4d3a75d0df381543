// Throughput of the bundled workflows in n8n queue mode with one worker, then
// two (issue 21): the 7-account ingest (ingest.json: 2 Google Ads, 2 Meta,
// 2 LinkedIn accounts and Klaviyo, a fixed 30-day window so every run does the
// same work) and the optimizer's dry run over 10,000 campaigns (added to a
// sandbox Meta account, 30 days of their performance in the store, the rules
// benchmark's 20 realistic rules). RUNS copies of each are queued at once;
// the figure is the wall time from the first queued to the last finished, and
// runs a minute. Opt-in (about 6 minutes on an idle machine, more under load):
//
//   ADOPS_QUEUE_THROUGHPUT=1 DATABASE_URL=… npx vitest run --project queue test/queue/throughput.test.ts
//
// ADOPS_QUEUE_THROUGHPUT_RUNS (4), ADOPS_QUEUE_THROUGHPUT_CAMPAIGNS (10000) and
// ADOPS_QUEUE_THROUGHPUT_CONCURRENCY (5, the harness's worker --concurrency) change the workload.
//
// The load average is printed with every figure: on a machine shared with
// other work a second worker competes for the same cores.
import { test, beforeAll, afterAll, describe } from 'vitest';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { loadavg, cpus } from 'node:os';
import { join } from 'node:path';
import { randomBytes, randomUUID } from 'node:crypto';
import pg from 'pg';
import { startSandbox, sandboxN8nCredentials, type Sandbox } from '../../scripts/sandbox';
import { addDays } from '../../scripts/sandbox/rng';
import { openStore } from '../../nodes/shared/store';
import type { RowInput } from '../../nodes/shared/schema/rows';
import type { WorkflowInput } from '../helpers/n8n';
import { queueServices, startQueueCluster, type ExecutionRow, type QueueCluster } from '../helpers/queue';
import { ruleSet } from '../fixtures/rules-workload/workload';

const ROOT = join(__dirname, '..', '..');
const ON = process.env.ADOPS_QUEUE_THROUGHPUT === '1';
const RUNS = Number(process.env.ADOPS_QUEUE_THROUGHPUT_RUNS ?? 4);
const CAMPAIGNS = Number(process.env.ADOPS_QUEUE_THROUGHPUT_CAMPAIGNS ?? 10_000);
/** Jobs a worker takes at once (`n8n worker --concurrency`): with the harness's 5, one worker takes every queued run and a second one idles. */
const CONCURRENCY = Number(process.env.ADOPS_QUEUE_THROUGHPUT_CONCURRENCY ?? 5);
const DAYS = 30;

type WfNode = { name: string; type: string; parameters: Record<string, unknown>; [k: string]: unknown };
type Conns = Record<string, { main: Array<Array<{ node: string; type: string; index: number }>> }>;

/** The workflow with its triggers replaced by one published Webhook node that feeds what the first trigger fed. */
function viaWebhook(w: WorkflowInput, id: string, path: string, triggers: string[], keep?: string[]): WorkflowInput {
	const out = structuredClone(w);
	const conns = out.connections as Conns;
	const fed = conns[triggers[0]!]!.main;
	out.nodes = (out.nodes as WfNode[]).filter((n) => !triggers.includes(n.name) && n.type !== 'n8n-nodes-base.stickyNote' && (!keep || keep.includes(n.name)));
	for (const t of triggers) delete conns[t];
	if (keep) {
		for (const k of Object.keys(conns)) {
			if (!keep.includes(k)) delete conns[k];
			else conns[k] = { main: conns[k]!.main.map((o) => o.filter((c) => keep.includes(c.node))) };
		}
	}
	out.nodes.push({ parameters: { httpMethod: 'POST', path, responseMode: 'onReceived', options: {} }, name: 'Queue Webhook', type: 'n8n-nodes-base.webhook', typeVersion: 2, position: [-200, 0], webhookId: randomUUID() });
	conns['Queue Webhook'] = { main: fed.map((o) => o.filter((c) => !keep || keep.includes(c.node))) };
	return { ...out, id, name: `throughput ${path}` };
}

const load = () => loadavg().map((l) => l.toFixed(1)).join(', ');

describe.skipIf(!ON)('throughput in queue mode, 1 worker then 2 (opt-in: ADOPS_QUEUE_THROUGHPUT=1)', { timeout: 3_600_000 }, () => {
	let sandbox: Sandbox;
	let cluster: QueueCluster;
	let dropSchema = async () => undefined as void;
	const wf: Record<string, WorkflowInput> = {};
	const figures: string[] = [];
	/** The 10,000 campaigns are in the Meta account only while the optimizer is measured (the ingest reads the sandbox's 7 accounts as they are). */
	let extra: { add: () => void; remove: () => void } = { add: () => undefined, remove: () => undefined };

	beforeAll(async () => {
		sandbox = await startSandbox({ seed: 29 });
		const { storeUrl } = queueServices();
		// the ingest's store and the optimizer's (its 300,000 rows would weigh on the ingest's quality report)
		const schema = `adops_tput_${randomBytes(4).toString('hex')}`;
		const optSchema = `${schema}_opt`;
		dropSchema = async () => {
			const client = new pg.Client({ connectionString: storeUrl });
			await client.connect();
			for (const s of [schema, optSchema]) await client.query(`DROP SCHEMA IF EXISTS ${s} CASCADE`);
			await client.end();
		};
		// 10,000 campaigns in the first Meta account (the platform lists them), each with a template campaign's last 30 days in the store
		const account = sandbox.world.accounts.find((a) => a.platform === 'meta')!;
		const templates = account.campaigns.filter((c) => c.daily.some((d) => d.impressions > 0));
		const own = account.campaigns.length;
		const copies: typeof account.campaigns = [];
		extra = { add: () => account.campaigns.push(...copies), remove: () => void account.campaigns.splice(own) };
		const since = addDays(sandbox.world.today, -DAYS);
		const rows: Array<RowInput<'campaign_performance'>> = [];
		for (let i = 0; i < CAMPAIGNS; i++) {
			const t = templates[i % templates.length]!;
			const id = `239${String(i).padStart(12, '0')}`;
			copies.push({ ...t, id, name: `${t.name} · copy ${i}`, status: 'ACTIVE', statusHistory: [...t.statusHistory], budgetHistory: [...t.budgetHistory] });
			for (const d of t.daily) {
				if (d.date < since) continue;
				rows.push({ date: d.date, platform: 'meta', account_id: account.id, campaign_id: id, campaign_name: `${t.name} · copy ${i}`, currency: account.currency, spend: d.spend, impressions: d.impressions, clicks: d.clicks, conversions: d.conversions, revenue: d.revenue, leads: d.leads });
			}
		}
		const t0 = performance.now();
		const store = await openStore({ kind: 'postgres', connectionString: storeUrl, ssl: 'disable', schema: optSchema });
		try {
			for (let i = 0; i < rows.length; i += 20_000) await store.upsert('campaign_performance', rows.slice(i, i + 20_000));
		} finally {
			await store.close();
		}
		figures.push(`seeded ${CAMPAIGNS} campaigns, ${rows.length} performance rows in ${((performance.now() - t0) / 1000).toFixed(0)} s`);

		const ingest = JSON.parse(await readFile(join(ROOT, 'workflows', 'ingest.json'), 'utf8')) as WorkflowInput;
		const until = addDays(sandbox.world.today, -1);
		for (const n of ingest.nodes as WfNode[]) {
			if (n.type === 'n8n-nodes-adops.adOpsIngest' && n.parameters.operation === 'ingest') n.parameters.options = { ...(n.parameters.options as object), windowStart: addDays(until, -(DAYS - 1)), windowEnd: until };
		}
		const triggers = (w: WorkflowInput) => (w.nodes as WfNode[]).filter((n) => /trigger|adOpsRunNow/i.test(n.type)).map((n) => n.name);
		wf.ingest = viaWebhook(ingest, 'QueueTputIngest1', 'tput-ingest', triggers(ingest));
		const optimize = JSON.parse(await readFile(join(ROOT, 'workflows', 'optimize.json'), 'utf8')) as WorkflowInput;
		for (const n of optimize.nodes as WfNode[]) {
			if (n.name !== 'Optimizer') continue;
			Object.assign(n.parameters, { mode: 'dryRun', useStoredRules: false, rules: JSON.stringify(ruleSet('realistic')) });
			(n.credentials as Record<string, unknown>).adOpsStoreApi = { id: 'adopsStoreTput02', name: 'AdOps Store (optimizer)' };
		}
		wf.optimize = viaWebhook(optimize, 'QueueTputOptim01', 'tput-optimize', triggers(optimize), ['Optimizer']);

		cluster = await startQueueCluster({ workers: 1, concurrency: CONCURRENCY });
		await cluster.importCredentials([
			...sandboxN8nCredentials(sandbox, { backend: 'postgres', connectionString: storeUrl, ssl: 'disable', schema }),
			{ id: 'adopsStoreTput02', name: 'AdOps Store (optimizer)', type: 'adOpsStoreApi', data: { backend: 'postgres', connectionString: storeUrl, ssl: 'disable', schema: optSchema } },
		]);
		await cluster.importWorkflows(Object.values(wf));
		await cluster.publishWorkflows(Object.values(wf).map((w) => w.id as string));
		await cluster.start();
	});

	afterAll(async () => {
		process.stdout.write(`# throughput (${cpus().length} cores): \n${figures.map((f) => `#   ${f}`).join('\n')}\n`);
		await cluster?.dispose();
		await sandbox?.close();
		await dropSchema();
	});

	/** One webhook call; a 404 (the main may still be activating the workflow after it answers ready) is asked again, for up to 2 min. */
	async function post(path: string): Promise<{ status: number; text: string }> {
		const deadline = Date.now() + 120_000;
		for (;;) {
			const answer = await cluster.postWebhook(path, {});
			if (answer.status !== 404 || Date.now() > deadline) return answer;
			await new Promise((r) => setTimeout(r, 2000));
		}
	}

	/** RUNS executions of a workflow queued at once; the wall time from the first created to the last stopped. */
	async function measure(key: 'ingest' | 'optimize', workers: number): Promise<number> {
		const w = wf[key]!;
		if (key === 'optimize') extra.add();
		const before = load();
		const since = await cluster.lastExecutionId();
		const t0 = performance.now();
		const answers = await Promise.all(Array.from({ length: RUNS }, () => post(`tput-${key}`)));
		for (const a of answers) assert.equal(a.status, 200, a.text);
		const runs: ExecutionRow[] = await cluster.waitForExecutions({ workflowId: w.id as string, sinceId: since, count: RUNS, timeoutMs: 1_800_000 });
		const wall = (performance.now() - t0) / 1000;
		if (key === 'optimize') extra.remove();
		const failed = runs.filter((r) => r.status !== 'success');
		const each = runs.map((r) => ((r.stoppedAt?.getTime() ?? 0) - (r.startedAt?.getTime() ?? 0)) / 1000).sort((a, b) => a - b);
		figures.push(
			`${key}, ${workers} worker${workers > 1 ? 's' : ''}: ${RUNS} runs in ${wall.toFixed(0)} s (${((60 * RUNS) / wall).toFixed(2)} runs a minute), each ${each[0]!.toFixed(0)}–${each[each.length - 1]!.toFixed(0)} s${failed.length ? `, ${failed.length} failed` : ''}; load ${before} before, ${load()} after`,
		);
		assert.deepEqual(failed.map((r) => `#${r.id} ${r.status}`), [], `every ${key} run succeeded`);
		return wall;
	}

	test('one worker, then two: the 7-account ingest and the 10,000-campaign optimizer dry run', async () => {
		figures.push(`worker concurrency ${CONCURRENCY} (jobs each worker takes at once), ${RUNS} runs queued at once`);
		const one = { ingest: await measure('ingest', 1), optimize: await measure('optimize', 1) };
		const t0 = performance.now();
		await cluster.addWorker();
		figures.push(`second worker ready in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
		const two = { ingest: await measure('ingest', 2), optimize: await measure('optimize', 2) };
		figures.push(`1 → 2 workers: ingest ${(one.ingest / two.ingest).toFixed(2)}× the throughput, optimizer ${(one.optimize / two.optimize).toFixed(2)}×`);
	});
});
