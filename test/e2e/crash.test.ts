// Crashes at the step boundaries of a side effect, in real n8n 2.40.7 (issue
// 12): one `n8n execute` is killed with SIGKILL at a named failpoint
// (nodes/shared/resilience/failpoints.ts, armed through ADOPS_FAILPOINTS in
// the environment of that one process), then the same workflow runs again
// without it. Every point must end with no duplicate effect on the sandbox
// and no lost work in the store (PostgreSQL when DATABASE_URL is set, as in
// CI; PGlite otherwise, where the killed process also leaves the embedded
// store's lock behind).
//
//   optimizer.after-platform   the budget changed on the platform, the ledger never heard
//   optimizer.after-ledger     the ledger says succeeded, optimization_actions has no row
//   approval.after-executor    the approved proposal's effect happened, the approvals row says approved
//   moderation.after-platform  Meta hid the comment, the ledger never heard
//   moderation.after-stored    the polled comment is stored, never classified
//
// One n8n host, one sandbox and one store for the file.
import { test, beforeAll, afterAll, describe } from 'vitest';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startSandbox, sandboxN8nCredentials, type AdAccount, type Campaign, type Sandbox } from '../../scripts/sandbox';
import { addDays } from '../../scripts/sandbox/rng';
import { openStore, type Store, type StoreConfig } from '../../nodes/shared/store';
import type { RowInput } from '../../nodes/shared/schema/rows';
import { startN8n, nodeOutput, type ExecutionResult, type KilledExecution, type N8nHost, type WorkflowInput } from '../helpers/n8n';
import { testStore } from '../helpers/store';
import { skipWhen } from '../helpers/skip';

const ROOT = join(__dirname, '..', '..');
const ALERTS = 'C0ADOPSALR';
const KIND = 'crash.effect';
const ALWAYS = { metric: 'impressions', window: 'last_7_days', op: '>=', value: 0 };
const CRED = {
	store: { id: 'adopsStoreCred01', name: 'AdOps Store' },
	notion: { id: 'adopsNotionCred01', name: 'AdOps Notion' },
	slack: { id: 'adopsSlackCred01', name: 'AdOps Slack' },
};

type WfNode = { name: string; type: string; parameters: Record<string, unknown>; credentials?: unknown; [k: string]: unknown };
type Picked = Campaign & { account: AdAccount };
type Row = Record<string, unknown>;

/** Money as people read it in an alert: 1234.5 → /1,?234\.50?/ */
function moneyPattern(value: number): RegExp {
	const [int, frac] = value.toFixed(2).split('.') as [string, string];
	const grouped = int.replace(/\B(?=(\d{3})+(?!\d))/g, ',?');
	const cents = frac === '00' ? '(?:\\.00)?' : frac.endsWith('0') ? `\\.${frac[0]}0?` : `\\.${frac}`;
	return new RegExp(`(?<![\\d.])${grouped}${cents}(?!\\d)`);
}

describe('SIGKILL at the step boundaries of a side effect, in real n8n', () => {
	let sandbox: Sandbox;
	let n8n: N8nHost;
	let storeConfig: StoreConfig;
	let cleanup: () => Promise<void> = async () => undefined;
	const used = new Set<string>();
	let B1: Picked; // +10 % budget: killed after the platform call
	let P1: Picked; // pause, with an enable rule on the same campaign: killed after the ledger
	const wf: Record<string, WorkflowInput> = {};
	/** Per point: attempts (killed executions) and held (no duplicate, no lost work), for the note's table. */
	const table: Array<{ point: string; attempts: number; held: number }> = [];

	async function withStore<T>(fn: (store: Store) => Promise<T>): Promise<T> {
		const store = await openStore(storeConfig);
		try {
			return await fn(store);
		} finally {
			await store.close();
		}
	}
	const out = (r: ExecutionResult, node: string, output = 0) => nodeOutput(r, node, output).map((i) => i.json as Row);
	const ruleName = (i: Row) => ((i.rule as { name?: string } | undefined)?.name ?? '').replace(/^Crash /, '');
	const slack = () => sandbox.world.slack.channels.find((c) => c.id === ALERTS)!.messages.filter((m) => m.viaApi);
	const slackText = (m: unknown) => JSON.stringify(m);
	/** Which nodes ran and how many items each put out, for failure messages. */
	const ranText = (r: ExecutionResult) => Object.keys(r.runData).map((n) => `${n} (${nodeOutput(r, n).length})`).join(', ');

	function campaign(platform: 'meta', currency = 'USD'): Picked {
		for (const account of sandbox.world.accounts.filter((a) => a.platform === platform && a.currency === currency)) {
			for (const c of account.campaigns) {
				if (c.status !== 'ACTIVE' || used.has(c.id) || !c.daily.some((d) => d.impressions > 0 && d.date >= addDays(sandbox.world.today, -7))) continue;
				used.add(c.id);
				return Object.assign(c, { account });
			}
		}
		throw new Error(`the sandbox world has no unused active ${platform} campaign in ${currency}`);
	}
	/** POST writes the platform received for one Meta object (campaign budget/status, comment hide). */
	const metaWrites = (objectId: string) => sandbox.requests({ route: 'meta.update' }).filter((r) => r.method === 'POST' && r.path.endsWith(`/${objectId}`) && r.status < 300);
	const ledgerOf = (store: Store, kind: string) => store.select('action_ledger', { where: { kind } }) as Promise<Row[]>;

	/** Wall time of every n8n process, printed at the end (the file should stay under about four minutes). */
	const timings: string[] = [];
	async function exec(workflowId: string, options: { allowError?: boolean } = {}): Promise<ExecutionResult> {
		const result = await n8n.execute(workflowId, options);
		timings.push(`${workflowId} ${(result.ms / 1000).toFixed(1)} s`);
		return result;
	}

	/** Kills one execution at `point`; checks that the process died there and not elsewhere. */
	async function killAt(workflowId: string, point: string): Promise<KilledExecution> {
		const killed = await n8n.executeKilled(workflowId, { env: { ADOPS_FAILPOINTS: point } });
		timings.push(`${workflowId} killed at ${point} ${(killed.ms / 1000).toFixed(1)} s`);
		assert.equal(killed.signal, 'SIGKILL', `the n8n process was killed by SIGKILL (${JSON.stringify({ code: killed.code, signal: killed.signal })})\n${killed.output}`);
		assert.deepEqual(killed.failpoints, [point], `killed at ${point}\n${killed.output}`);
		return killed;
	}

	/** An optimize.json copy in Live mode with inline rules instead of the stored ones. */
	function optimizer(id: string, rules: unknown[], shipped: WorkflowInput): WorkflowInput {
		const w = structuredClone(shipped);
		for (const n of w.nodes as unknown as WfNode[]) {
			if (n.name === 'Optimizer') Object.assign(n.parameters, { mode: 'live', useStoredRules: false, rules: JSON.stringify(rules) });
		}
		return { ...w, id, name: `crash ${id}` };
	}
	const rule = (id: string, c: Picked, action: Record<string, unknown>) => ({ id, name: `Crash ${id}`, priority: 50, scope: { campaignIds: [c.id] }, conditions: ALWAYS, action });

	/** Manual Trigger → [Code emitting `items` | Poll Decisions] → AdOps Approval with `parameters` → AdOps Alert. */
	function approvalRunner(id: string, parameters: Record<string, unknown>, items?: unknown[] | 'poll'): WorkflowInput {
		const resource = ['enqueue', 'executeApproved', 'expire', 'resolveStuck'].includes(String(parameters.operation)) ? 'proposal' : 'decision';
		const nodes: WfNode[] = [{ parameters: {}, name: 'Start', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 0] }];
		const connections: Record<string, unknown> = {};
		if (items === 'poll') {
			// as approvals.json does it: the decisions polled now, then Execute Approved once
			nodes.push({ parameters: { resource: 'decision', operation: 'pollDecisions', consumer: 'crash-e2e', queueOptions: {} }, name: 'Decisions', type: 'n8n-nodes-adops.adOpsApproval', typeVersion: 2, position: [200, 0], credentials: { adOpsNotionApi: CRED.notion, adOpsStoreApi: CRED.store } });
			connections.Start = { main: [[{ node: 'Decisions', type: 'main', index: 0 }]] };
			connections.Decisions = { main: [[{ node: 'Approval', type: 'main', index: 0 }]] };
		} else if (items) {
			nodes.push({ parameters: { jsCode: `return ${JSON.stringify(items.map((proposal) => ({ json: { proposal } })))};` }, name: 'Proposals', type: 'n8n-nodes-base.code', typeVersion: 2, position: [200, 0] });
			connections.Start = { main: [[{ node: 'Proposals', type: 'main', index: 0 }]] };
			connections.Proposals = { main: [[{ node: 'Approval', type: 'main', index: 0 }]] };
		} else {
			connections.Start = { main: [[{ node: 'Approval', type: 'main', index: 0 }]] };
		}
		nodes.push({
			parameters: { resource, queueOptions: {}, ...parameters },
			name: 'Approval',
			type: 'n8n-nodes-adops.adOpsApproval',
			typeVersion: 2,
			position: [400, 0],
			credentials: { adOpsNotionApi: CRED.notion, adOpsStoreApi: CRED.store },
			...(items === 'poll' ? { executeOnce: true } : {}),
		});
		nodes.push({
			parameters: { operation: 'post', source: 'proposal', proposalEvent: '={{ $json.proposalEvent }}', channel: '', threadKey: '', options: {} },
			name: 'Alert',
			type: 'n8n-nodes-adops.adOpsAlert',
			typeVersion: 1,
			position: [600, 0],
			credentials: { adOpsSlackApi: CRED.slack, adOpsStoreApi: CRED.store },
		});
		connections.Approval = { main: [[{ node: 'Alert', type: 'main', index: 0 }]] };
		return { id, name: `crash ${id}`, nodes, connections, settings: { executionOrder: 'v1' } } as unknown as WorkflowInput;
	}

	beforeAll(async () => {
		sandbox = await startSandbox({ seed: 23 });
		const ts = await testStore('adops-e2e-crash');
		storeConfig = ts.config;
		cleanup = ts.cleanup;
		B1 = campaign('meta');
		P1 = campaign('meta');
		await withStore(async (store) => {
			const perf: Array<RowInput<'campaign_performance'>> = [];
			for (const c of [B1, P1]) {
				for (const d of c.daily.filter((x) => x.date >= addDays(sandbox.world.today, -35) && x.impressions > 0)) {
					perf.push({ date: d.date, platform: 'meta', account_id: c.account.id, campaign_id: c.id, campaign_name: c.name, currency: c.account.currency, spend: d.spend, impressions: d.impressions, clicks: d.clicks, conversions: d.conversions, revenue: d.revenue, leads: d.leads });
				}
			}
			await store.upsert('campaign_performance', perf);
		});

		const optimize = JSON.parse(await readFile(join(ROOT, 'workflows', 'optimize.json'), 'utf8')) as WorkflowInput;
		wf.budget = optimizer('CrashOptBudget01', [rule('scale-b1', B1, { type: 'scale_budget', percent: 10 })], optimize);
		wf.pause = optimizer('CrashOptPause001', [rule('pause-p1', P1, { type: 'pause' }), rule('enable-p1', P1, { type: 'enable' })], optimize);

		wf.enqueue = approvalRunner('CrashApprQueue01', { operation: 'enqueue', proposal: '={{ $json.proposal }}' }, [
			{
				id: 'crash-p1',
				kind: KIND,
				title: 'Raise budget of campaign crash-1 by 10%',
				payload: { action: 'set_budget', campaignId: 'crash-1', amount: 121 },
				evidence: { rule: 'scale-winners', roas7d: 4.2 },
				platform: 'meta',
				accountId: '998877',
				entity: 'campaign crash-1',
				proposedChange: 'Daily budget 110.00 → 121.00 USD',
				impact: '+10% spend',
			},
		]);
		// the receiver says whether it got a key (GET …/receipts/{key}): what lets a lost outcome be settled without a person
		const execute = {
			operation: 'executeApproved',
			webhooks: { executor: [{ kind: KIND, url: `${sandbox.urls.effects}/${KIND}`, timeout: 30, lookupUrl: `${sandbox.urls.effects}/${KIND}/receipts/{key}` }] },
			executeOptions: {},
		};
		wf.decideAndExecute = approvalRunner('CrashApprPollEx1', execute, 'poll');
		wf.execute = approvalRunner('CrashApprExec001', execute);

		const moderation = JSON.parse(await readFile(join(ROOT, 'workflows', 'moderation.json'), 'utf8')) as WorkflowInput;
		for (const n of moderation.nodes as unknown as WfNode[]) if (n.name === 'Moderate') n.parameters.live = true;
		wf.moderation = { ...moderation, id: 'CrashModeration1', name: 'crash moderation' };

		n8n = await startN8n();
		await n8n.importCredentials(sandboxN8nCredentials(sandbox, ts.credential));
		await n8n.importWorkflows(Object.values(wf));
	});

	afterAll(async () => {
		if (timings.length > 0) process.stdout.write(`# n8n processes: ${timings.join('; ')}\n`);
		if (table.length > 0) process.stdout.write(`# crash points (attempts/held): ${table.map((r) => `${r.point} ${r.held}/${r.attempts}`).join(', ')}\n`);
		await n8n?.dispose();
		await sandbox?.close();
		await cleanup();
	});

	test('optimizer.after-platform: the budget changed but the ledger never heard; the next run changes nothing more, settles the ledger from the platform, gates on it and says so', async () => {
		const before = B1.dailyBudget;
		const row = { point: 'optimizer.after-platform', attempts: 1, held: 0 };
		table.push(row);
		await killAt(wf.budget!.id as string, 'optimizer.after-platform');
		assert.equal(metaWrites(B1.id).length, 1, 'the killed run changed the budget once');
		const target = B1.dailyBudget;
		assert.ok(Math.abs(target - before * 1.1) < 0.011, `${target} ≈ ${before} × 1.1`);
		const planned = await withStore(async (store) => {
			const [entry] = (await ledgerOf(store, 'optimization')).filter((e) => String(e.target).includes(B1.id));
			assert.ok(entry, 'the killed run claimed the change in the ledger');
			assert.notEqual(entry.status, 'succeeded', 'the ledger never heard of the change');
			return entry;
		});
		assert.equal((planned.intent as { budgetAfter?: number }).budgetAfter, target, 'the platform holds the planned budget');

		const slackBefore = slack().length;
		const run = await exec(wf.budget!.id as string);
		assert.equal(metaWrites(B1.id).length, 1, 'no second budget change');
		assert.equal(B1.dailyBudget, target, 'the budget is exactly the target');
		assert.deepEqual(out(run, 'Optimizer', 1), [], 'nothing proposed');

		// the gates see the change: its rule is gated by the cooldown (and by its own record)
		const decisions = [0, 1, 2].flatMap((o) => out(run, 'Optimizer', o)).filter((i) => ruleName(i) === 'scale-b1');
		const gated = decisions.find((i) => i.outcome === 'gated');
		assert.ok(gated, `the rule is gated on the reconciled change: ${JSON.stringify(decisions.map((i) => i.outcome))}`);
		const gates = gated.gates as Array<{ gate: string; status: string; detail: string }>;
		assert.equal(gates.find((g) => g.gate === 'cooldown')?.status, 'fail', `cooldown sees the change: ${JSON.stringify(gates)}`);

		await withStore(async (store) => {
			const entries = (await ledgerOf(store, 'optimization')).filter((e) => String(e.target).includes(B1.id));
			assert.equal(entries.length, 1, 'one ledger entry');
			const [entry] = entries as [Row];
			assert.equal(entry.status, 'succeeded', `the ledger entry settled as succeeded: ${JSON.stringify({ status: entry.status, error: entry.error })}`);
			assert.ok(typeof entry.resolution === 'string' && entry.resolution.length > 0, 'with how it was observed');
			assert.ok(entry.resolved_at, 'and when');
			const actions = (await store.select('optimization_actions', { where: { idempotency_key: entry.idempotency_key as string } })) as Row[];
			assert.equal(actions.filter((a) => a.action_taken === true && !a.dry_run).length, 1, `one action record of the change: ${JSON.stringify(actions.map((a) => [a.outcome, a.action_taken]))}`);
		});

		// the alert says what happened: the campaign, the budget it found, that the earlier outcome was settled by reading the platform
		const posted = slack().slice(slackBefore);
		const said = posted.find((m) => (m.text.includes(B1.name) || m.text.includes(B1.id)) && moneyPattern(target).test(m.text));
		assert.ok(said, `an alert names the campaign and its budget of ${target.toFixed(2)}: ${posted.map(slackText).join('\n').slice(0, 2000)}`);
		assert.match(said.text, /reconcil|confirm|unknown|lost|found|observed/i, 'and says the outcome was settled from the platform');
		assert.doesNotMatch(said.text, /[{[]\s*"/, `in words, no raw JSON: ${said.text}`);
		row.held = 1;
	});

	test('optimizer.after-ledger: the pause is in the ledger but not in optimization_actions; the next run sees it, and no other rule re-enables the campaign within the cooldown', async () => {
		const row = { point: 'optimizer.after-ledger', attempts: 1, held: 0 };
		table.push(row);
		await killAt(wf.pause!.id as string, 'optimizer.after-ledger');
		assert.equal(P1.status, 'PAUSED', 'the killed run paused the campaign');
		assert.equal(metaWrites(P1.id).length, 1);

		const run = await exec(wf.pause!.id as string);
		assert.equal(P1.status, 'PAUSED', 'still paused: the enable rule did not act within the cooldown');
		assert.equal(metaWrites(P1.id).length, 1, 'one status change in all');
		assert.ok(!out(run, 'Optimizer', 0).some((i) => i.outcome === 'executed'), 'nothing executed');
		const enable = [1, 2].flatMap((o) => out(run, 'Optimizer', o)).find((i) => ruleName(i) === 'enable-p1');
		assert.ok(enable, 'the enable rule was evaluated');
		assert.equal(enable.outcome, 'gated', `enable is gated: ${String(enable.outcome)}`);
		assert.equal((enable.gates as Array<{ gate: string; status: string }>).find((g) => g.gate === 'cooldown')?.status, 'fail', 'by the cooldown of the pause');

		await withStore(async (store) => {
			const [entry] = (await ledgerOf(store, 'optimization')).filter((e) => String(e.target).includes(P1.id)) as Row[];
			assert.equal(entry?.status, 'succeeded');
			const actions = (await store.select('optimization_actions', { where: { idempotency_key: entry!.idempotency_key as string } })) as Row[];
			const executed = actions.filter((a) => a.action_taken === true && !a.dry_run);
			assert.equal(executed.length, 1, `the pause is visible in optimization_actions: ${JSON.stringify(actions.map((a) => [a.outcome, a.action_taken]))}`);
			assert.equal(executed[0]!.action_type, 'pause');
			assert.ok(executed[0]!.executed_at, 'with when it happened');
		});
		row.held = 1;
	});

	test('approval.after-executor: the approved effect happened but the proposal still says approved; the next Execute Approved does not repeat it and ends it executed', async () => {
		const row = { point: 'approval.after-executor', attempts: 1, held: 0 };
		table.push(row);
		await exec(wf.enqueue!.id as string);
		type Page = { id: string; properties: Record<string, { rich_text?: Array<{ plain_text?: string }>; status?: { name: string } | null }> };
		const cardOf = async () => {
			const r = await fetch(`${sandbox.url}/_admin/notion/pages?data_source_id=${sandbox.world.notion.approvalDataSourceId}`);
			const all = ((await r.json()) as { pages: Page[] }).pages;
			return all.find((p) => (p.properties['Proposal ID']?.rich_text ?? []).map((t) => t.plain_text).join('') === 'crash-p1')!;
		};
		const card = await cardOf();
		assert.ok(card, 'a card for crash-p1');
		const edit = await fetch(`${sandbox.url}/_admin/notion/pages/${card.id}/edit`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user: 'Maya Lopez', properties: { Status: { status: { name: 'Approved' } } } }) });
		assert.equal(edit.status, 200, await edit.text());
		await killAt(wf.decideAndExecute!.id as string, 'approval.after-executor');
		const receipts = () => sandbox.effects(KIND).filter((r) => (r.body as { proposalId?: string } | null)?.proposalId === 'crash-p1');
		assert.equal(receipts().length, 1, 'the effect happened before the kill');

		const run = await exec(wf.execute!.id as string);
		const events = out(run, 'Approval').map((e) => `${String(e.proposalId)}:${String(e.type)}`);
		assert.deepEqual(events, ['crash-p1:executed'], `the proposal ends executed: ${JSON.stringify(out(run, 'Approval').map((e) => e.message))}`);
		assert.equal(receipts().length, 1, 'effect count 1');
		assert.equal((await cardOf()).properties.Status?.status?.name, 'Executed');
		await withStore(async (store) => {
			const [approval] = (await store.select('approvals', { where: { proposal_id: 'crash-p1' } })) as Row[];
			assert.equal(approval?.status, 'executed');
			const ledger = await ledgerOf(store, `approval.${KIND}`);
			assert.deepEqual(ledger.map((e) => `${String(e.target)}:${String(e.status)}`), ['crash-p1:succeeded']);
			assert.ok(typeof ledger[0]!.resolution === 'string' && ledger[0]!.resolution.length > 0, 'with how it was observed');
		});
		const again = await exec(wf.execute!.id as string);
		assert.equal(out(again, 'Approval').length, 0, 'nothing left to execute');
		assert.equal(receipts().length, 1);
		row.held = 1;
	});

	test('moderation.after-platform: Meta hid the comment but the ledger never heard; the next run hides nothing twice, settles the ledger and moderates every stored comment', async () => {
		const row = { point: 'moderation.after-platform', attempts: 1, held: 0 };
		table.push(row);
		const seq = sandbox.requests().at(-1)?.seq ?? 0;
		await killAt(wf.moderation!.id as string, 'moderation.after-platform');
		// Facebook and Instagram comments alike: which comment the run acts on first depends on the sandbox's hour (its
		// comments arrive through the day), and an Instagram hide is `hide=true` where Facebook's is `is_hidden=true`
		const isHiddenNow = (id: string) => sandbox.world.meta.comments.find((c) => c.id === id)?.isHidden ?? sandbox.world.instagram.comments.find((c) => c.id === id)?.hidden;
		const commentIds = new Set([...sandbox.world.meta.comments, ...sandbox.world.instagram.comments].map((c) => c.id));
		const hidesOf = (id: string) => metaWrites(id).filter((r) => /is_hidden|"hide"/.test(JSON.stringify(r.body ?? {})));
		const killedHides = sandbox.requests({ route: 'meta.update' }).filter((r) => r.seq > seq && r.status < 300 && commentIds.has(r.path.split('/').pop()!));
		assert.ok(killedHides.length >= 1, `the killed run hid a comment: ${JSON.stringify(sandbox.requests().filter((r) => r.seq > seq && r.method !== 'GET').map((r) => `${r.route} ${r.method} ${r.path} ${r.status}`))}`);
		const hidden = killedHides.map((r) => r.path.split('/').pop()!);
		for (const id of hidden) assert.equal(isHiddenNow(id), true);
		const stored = await withStore(async (store) => (await store.select('social_media_items', {})) as Row[]);
		assert.ok(stored.length > 5, `the killed run stored the polled comments (${stored.length})`);

		const next = await exec(wf.moderation!.id as string);
		const ran = ranText(next);
		for (const id of hidden) assert.equal(hidesOf(id).length, 1, `comment ${id} hidden exactly once`);
		const twice = [...commentIds].filter((id) => hidesOf(id).length > 1);
		assert.deepEqual(twice, [], 'no comment hidden twice');
		await withStore(async (store) => {
			const ledger = (await store.select('action_ledger', {})) as Row[];
			const moderation = ledger.filter((e) => String(e.idempotency_key).startsWith('moderation:'));
			for (const id of hidden) {
				const entry = moderation.find((e) => e.idempotency_key === `moderation:meta:${id}:hide`);
				assert.equal(entry?.status, 'succeeded', `the hide of ${id} settled as succeeded: ${JSON.stringify({ status: entry?.status, error: entry?.error })}; the next run: ${ran}`);
				assert.ok(typeof entry?.resolution === 'string' && entry.resolution.length > 0, 'with how it was observed');
			}
			const open = moderation.filter((e) => e.status === 'claimed' || e.status === 'unknown');
			assert.deepEqual(open.map((e) => `${String(e.idempotency_key)}:${String(e.status)}`), [], 'no moderation side effect left open');
			const items = (await store.select('social_media_items', {})) as Row[];
			const unmoderated = items.filter((i) => !i.moderated_at);
			assert.deepEqual(unmoderated.map((i) => i.object_id), [], `every stored comment was moderated (none lost with the killed run); the next run: ${ran}`);
			const actions = (await store.select('moderation_actions', {})) as Row[];
			for (const id of hidden) {
				const item = items.find((i) => i.object_id === id);
				const hide = actions.filter((a) => a.item_id === item?.id && a.action_type === 'hide');
				assert.equal(hide.length, 1, `one hide record for ${id}`);
				assert.ok(['executed', 'already_done'].includes(String(hide[0]!.action_status)), `the hide of ${id} is recorded done: ${String(hide[0]!.action_status)}`);
			}
		});
		row.held = 1;
	});

	test('moderation.after-stored: a polled comment stored before the crash is moderated by the next run, once', async () => {
		const row = { point: 'moderation.after-stored', attempts: 1, held: 0 };
		table.push(row);
		// a post behind an ad, as the earlier polls stored it
		const posts = await withStore(async (store) => ((await store.select('social_media_items', {})) as Row[]).filter((i) => i.ad_id && i.post_id).map((i) => String(i.post_id)));
		const postId = posts.find((p) => sandbox.world.meta.posts.some((x) => x.id === p));
		assert.ok(postId, 'a post with an ad was polled before');
		const res = await fetch(`${sandbox.url}/_admin/meta/comments`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ post_id: postId, message: 'You are all incompetent morons, shut up and fix your website', from_name: 'Crash Visitor' }) });
		const answer = await res.text();
		assert.equal(res.status, 200, answer);
		const abusive = (JSON.parse(answer) as { comment: { id: string } }).comment.id;

		await killAt(wf.moderation!.id as string, 'moderation.after-stored');
		const item = await withStore(async (store) => ((await store.select('social_media_items', { where: { object_id: abusive } })) as Row[])[0]);
		assert.ok(item, 'the killed run stored the comment');
		assert.ok(!item.moderated_at, 'and did not moderate it');
		assert.equal(sandbox.world.meta.comments.find((c) => c.id === abusive)!.isHidden, false);

		const next = await exec(wf.moderation!.id as string);
		assert.equal(sandbox.world.meta.comments.find((c) => c.id === abusive)!.isHidden, true, `the next run moderated the stored comment; it ran: ${ranText(next)}`);
		assert.equal(metaWrites(abusive).length, 1, 'hidden once');
		await withStore(async (store) => {
			const [after] = (await store.select('social_media_items', { where: { object_id: abusive } })) as Row[];
			assert.ok(after?.moderated_at, 'marked moderated');
			assert.equal(((await store.select('item_classifications', { where: { item_id: after!.id as string } })) as Row[]).length >= 1, true, 'classified');
		});
		row.held = 1;
	});

	test('two processes on one embedded store folder: n8n is refused while this process holds it, with the folder and the holder named', { ...skipWhen(process.env.DATABASE_URL ? 'the embedded store only (no DATABASE_URL)' : false) }, async () => {
		assert.equal(storeConfig.kind, 'embedded');
		const folder = (storeConfig as { path: string }).path;
		const store = await openStore(storeConfig);
		let refused: ExecutionResult;
		try {
			refused = await exec(wf.execute!.id as string, { allowError: true });
		} finally {
			await store.close();
		}
		assert.equal(refused.status, 'error', 'the second process is refused');
		const message = `${refused.error?.message ?? ''} ${String(refused.error?.description ?? '')}`;
		assert.ok(message.includes(folder), `the error names the folder ${folder}: ${message}`);
		assert.match(message, new RegExp(`\\b${process.pid}\\b`), `and the holder (this process, pid ${process.pid}): ${message}`);
		// once the holder closed it, n8n opens it again
		const ok = await exec(wf.execute!.id as string);
		assert.equal(ok.status, 'success');
	});
});
