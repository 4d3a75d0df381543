// workflows/moderation.json in real n8n 2.40.7 against the sandbox (Meta
// Graph with comments, Notion, Slack, OpenAI) and the store (PostgreSQL when
// DATABASE_URL is set, PGlite otherwise). Live mode is switched on, as a
// user does once the dry runs look right.
import { test, beforeAll, afterAll, describe } from 'vitest';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { metaCommentDelivery, startSandbox, sandboxN8nCredentials, type Sandbox } from '../../scripts/sandbox';
import { SANDBOX_META_VERIFY_TOKEN } from '../../scripts/sandbox/n8n-credentials';
import { computeMetaSignature } from '../../nodes/shared/moderation';
import { startN8n, nodeOutput, type N8nHost, type WorkflowInput } from '../helpers/n8n';
import { testStore } from '../helpers/store';

const ROOT = join(__dirname, '..', '..');

type WfNode = { name: string; type: string; parameters: Record<string, unknown>; [k: string]: unknown };

describe('workflows/moderation.json in real n8n', () => {
	let sandbox: Sandbox;
	let n8n: N8nHost;
	let cleanup: () => Promise<void> = async () => undefined;
	let workflow: WorkflowInput;
	let postId = '';
	let replyProposal = '';
	let questionId = '';
	const ids: Record<string, string> = {};

	const sideEffects = () => ({ update: sandbox.requests({ route: 'meta.update' }).length, reply: sandbox.requests({ route: 'meta.reply' }).length, delete: sandbox.requests({ route: 'meta.delete' }).length });

	async function comment(message: string): Promise<string> {
		const res = await fetch(`${sandbox.url}/_admin/meta/comments`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ post_id: postId, message, from_name: 'E2E Visitor' }) });
		assert.equal(res.status, 200);
		return ((await res.json()) as { comment: { id: string } }).comment.id;
	}

	async function waitFor<T>(what: string, fn: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 60_000): Promise<T> {
		const deadline = Date.now() + timeoutMs;
		for (;;) {
			const v = await fn();
			if (v) return v;
			if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\n${n8n.serverLog(40)}`);
			await new Promise((r) => setTimeout(r, 250));
		}
	}

	beforeAll(async () => {
		sandbox = await startSandbox({ seed: 7 });
		const ts = await testStore('adops-e2e-moderation');
		cleanup = ts.cleanup;
		workflow = JSON.parse(await readFile(join(ROOT, 'workflows', 'moderation.json'), 'utf8')) as WorkflowInput;
		for (const n of workflow.nodes as unknown as WfNode[]) if (n.name === 'Moderate') n.parameters.live = true;
		// The bundled workflow ships with its webhook and schedule switched off (Execute workflow runs "Run Now"); going live switches them on.
		for (const n of workflow.nodes as unknown as WfNode[]) delete n.disabled;
		// What a delivery held that was not stored goes to the trigger's Skipped output, and from there to the sandbox.
		for (const n of workflow.nodes as unknown as WfNode[]) if (n.name === 'Meta Comments') n.parameters.options = { outputSkipped: true };
		(workflow.nodes as unknown as WfNode[]).push({
			parameters: { method: 'POST', url: `${sandbox.urls.effects}/skipped`, sendBody: true, specifyBody: 'json', jsonBody: '={{ JSON.stringify($json) }}', options: { timeout: 10000 } },
			name: 'Report Skipped',
			type: 'n8n-nodes-base.httpRequest',
			typeVersion: 4.2,
			position: [260, 420],
		});
		(workflow.connections as Record<string, { main: unknown[][] }>)['Meta Comments']!.main[1] = [{ node: 'Report Skipped', type: 'main', index: 0 }];
		// AdOps Approval at typeVersion 1, as workflows saved before it had resources: `operation` alone still runs.
		const approvals = {
			id: 'AdOpsModApprovals',
			name: 'e2e moderation approvals',
			nodes: [
				{ parameters: {}, name: 'Start', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 0] },
				{ parameters: { operation: 'pollDecisions', consumer: 'moderation-e2e', queueOptions: {} }, name: 'Decisions', type: 'n8n-nodes-adops.adOpsApproval', typeVersion: 1, position: [200, 0], credentials: { adOpsNotionApi: { id: 'adopsNotionCred01', name: 'AdOps Notion' }, adOpsStoreApi: { id: 'adopsStoreCred01', name: 'AdOps Store' } } },
				{
					parameters: { operation: 'executeApproved', webhooks: {}, executeOptions: {}, queueOptions: {} },
					name: 'Execute',
					type: 'n8n-nodes-adops.adOpsApproval',
					typeVersion: 1,
					position: [400, 0],
					executeOnce: true,
					credentials: { adOpsNotionApi: { id: 'adopsNotionCred01', name: 'AdOps Notion' }, adOpsStoreApi: { id: 'adopsStoreCred01', name: 'AdOps Store' }, adOpsMetaAdsApi: { id: 'adopsMetaCred0001', name: 'AdOps Meta Ads' } },
				},
			],
			connections: { Start: { main: [[{ node: 'Decisions', type: 'main', index: 0 }]] }, Decisions: { main: [[{ node: 'Execute', type: 'main', index: 0 }]] } },
			settings: { executionOrder: 'v1' },
		} as unknown as WorkflowInput;
		n8n = await startN8n();
		await n8n.importCredentials(sandboxN8nCredentials(sandbox, ts.credential));
		await n8n.importWorkflows([workflow, approvals]);
		await n8n.publishWorkflow(workflow.id as string);
		ids.approvals = approvals.id as string;
	});

	afterAll(async () => {
		await n8n?.dispose();
		await sandbox?.close();
		await cleanup();
	});

	test('Run Now: the posts behind active ads are polled, every comment classified and acted on within policy; a second poll does nothing new', async () => {
		const first = await n8n.execute(workflow.id as string);
		const polled = nodeOutput(first, 'Poll Comments').map((i) => i.json as { itemId: string; post_id: string; ad_id: string | null });
		assert.ok(polled.length > 5, `comments were stored (${polled.length})`);
		postId = polled.find((p) => p.ad_id)!.post_id;
		const moderated = nodeOutput(first, 'Moderate').map((i) => i.json as { commentId?: string; actions?: Array<{ type: string; status: string }> });
		assert.ok(moderated.filter((m) => m.commentId).length >= polled.length, 'each new comment was moderated');
		const effects = sideEffects();
		assert.ok(effects.update > 0, 'spam or abuse was hidden (live)');
		assert.equal(effects.reply, 0, 'no reply goes out without approval');
		assert.equal(effects.delete, 0, 'nothing is deleted by default');

		const second = await n8n.execute(workflow.id as string);
		assert.equal(nodeOutput(second, 'Poll Comments').length, 0, 'no new comment');
		assert.deepEqual(sideEffects(), effects, 'no new side effect');
	});

	test('published: the signed webhook delivery of an abusive comment hides it exactly once; forged and replayed deliveries do nothing', { timeout: 180_000 }, async () => {
		await n8n.start();
		const url = `${n8n.url}/webhook/adops-meta-comments`;
		const check = await fetch(`${url}?hub.mode=subscribe&hub.verify_token=${SANDBOX_META_VERIFY_TOKEN}&hub.challenge=424242`);
		assert.deepEqual([check.status, await check.text()], [200, '424242']);
		const wrong = await fetch(`${url}?hub.mode=subscribe&hub.verify_token=nope&hub.challenge=1`);
		assert.equal(wrong.status, 403);

		const abusive = await comment('You are all incompetent morons, shut up and fix your website');
		const d = metaCommentDelivery(sandbox.world, abusive);
		const forged = await fetch(url, { method: 'POST', headers: { ...d.headers, 'x-hub-signature-256': computeMetaSignature('not-the-app-secret', d.rawBody) }, body: d.rawBody });
		assert.equal(forged.status, 401);
		const altered = await fetch(url, { method: 'POST', headers: d.headers, body: d.rawBody.replace('morons', 'morona') });
		assert.equal(altered.status, 401);
		assert.equal(sandbox.world.meta.comments.find((c) => c.id === abusive)!.isHidden, false, 'nothing happened for forged deliveries');

		const ok = await fetch(url, { method: 'POST', headers: d.headers, body: d.rawBody });
		assert.equal(ok.status, 200, await ok.text());
		await waitFor('the abusive comment hidden', () => sandbox.world.meta.comments.find((c) => c.id === abusive)!.isHidden);
		const replay = await fetch(url, { method: 'POST', headers: d.headers, body: d.rawBody });
		assert.equal(replay.status, 200);
		await new Promise((r) => setTimeout(r, 3000));
		const hides = sandbox.requests({ route: 'meta.update' }).filter((r) => r.path.endsWith(`/${abusive}`));
		assert.equal(hides.length, 1, 'hidden exactly once');

		// A question: a reply proposal in Notion, nothing posted yet.
		questionId = await comment('Do you ship to Iceland? Going hiking there in March');
		const q = metaCommentDelivery(sandbox.world, questionId);
		assert.equal((await fetch(url, { method: 'POST', headers: q.headers, body: q.rawBody })).status, 200);
		const card = await waitFor('a reply card in Notion', async () => {
			const res = await fetch(`${sandbox.url}/_admin/notion/pages?data_source_id=${sandbox.world.notion.approvalDataSourceId}`);
			const pages = ((await res.json()) as { pages: Array<{ id: string; properties: Record<string, { rich_text?: Array<{ plain_text?: string }>; select?: { name: string } | null }> }> }).pages;
			return pages.find((p) => p.properties.Kind?.select?.name === 'moderation' && JSON.stringify(p.properties).includes(questionId));
		});
		replyProposal = (card.properties['Proposal ID']?.rich_text ?? []).map((t) => t.plain_text).join('');
		assert.equal(sandbox.world.meta.comments.filter((c) => c.parentId === questionId).length, 0, 'no reply before approval');
		const edit = await fetch(`${sandbox.url}/_admin/notion/pages/${card.id}/edit`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user: 'Maya Lopez', properties: { Status: { status: { name: 'Approved' } } } }) });
		assert.equal(edit.status, 200);
		await n8n.stop();
	});

	test('published: what a signed delivery held besides new comments is logged with the reason and, with Output Skipped Entries, sent to the Skipped output only', { timeout: 180_000 }, async () => {
		await n8n.start();
		const url = `${n8n.url}/webhook/adops-meta-comments`;
		const page = sandbox.world.meta.pages[0]!.id;
		const post = `${page}_424242`;
		const change = (value: Record<string, unknown>) => ({ field: 'feed', value: { post_id: post, parent_id: post, created_time: Math.floor(Date.now() / 1000), ...value } });
		const rawBody = JSON.stringify({
			object: 'page',
			entry: [
				{
					id: page,
					time: Math.floor(Date.now() / 1000),
					changes: [
						change({ item: 'reaction', verb: 'add', reaction_type: 'like', from: { id: '901', name: 'Fan' } }),
						change({ item: 'comment', verb: 'add', from: { id: '902', name: 'Visitor' } }),
						change({ item: 'comment', verb: 'add', comment_id: `${post}_own`, from: { id: page, name: 'The Page' }, message: 'Thanks for asking!' }),
						change({ item: 'comment', verb: 'add', comment_id: `${post}_sticker`, from: { id: '903', name: 'Visitor' } }),
					],
				},
			],
		});
		const before = sideEffects();
		const answer = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-hub-signature-256': computeMetaSignature(sandbox.world.credentials.meta.appSecret, rawBody) }, body: rawBody });
		assert.equal(answer.status, 200, await answer.text());
		const reported = await waitFor('four skipped entries at the Skipped output', () => {
			const got = sandbox.effects('skipped');
			return got.length >= 4 && got;
		});
		const byReason = (a: unknown, b: unknown) => String((a as { reason: string }).reason).localeCompare(String((b as { reason: string }).reason));
		assert.deepEqual(
			reported.map((r) => r.body).sort(byReason),
			[
				{ stage: 'delivery', reason: 'not_a_comment', field: 'feed', item: 'reaction' },
				{ stage: 'delivery', reason: 'invalid_change', field: 'feed', item: 'comment' },
				{ stage: 'store', reason: 'own_comment', commentId: `${post}_own` },
				{ stage: 'store', reason: 'no_text', commentId: `${post}_sticker` },
			].sort(byReason),
		);
		await waitFor('the warning in the n8n log', () => n8n.serverLog(400).includes('AdOps Moderation Trigger: 0 new comments stored, 4 entries skipped (not_a_comment ×1, invalid_change ×1, own_comment ×1, no_text ×1)'));
		// A replay of the same delivery starts nothing and reports nothing again.
		assert.equal((await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-hub-signature-256': computeMetaSignature(sandbox.world.credentials.meta.appSecret, rawBody) }, body: rawBody })).status, 200);
		const forged = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-hub-signature-256': computeMetaSignature('not-the-app-secret', rawBody) }, body: rawBody });
		assert.equal(forged.status, 401);
		await waitFor('the refusal in the n8n log', () => n8n.serverLog(400).includes('AdOps Moderation Trigger: refused a request (HTTP 401, bad_signature); no workflow was started'));
		await new Promise((r) => setTimeout(r, 2000));
		assert.equal(sandbox.effects('skipped').length, 4);
		assert.deepEqual(sideEffects(), before, 'nothing was moderated: no comment reached the Comments output');
		await n8n.stop();
	});

	test('the approved reply is posted exactly once, however often the approvals run', async () => {
		const first = await n8n.execute(ids.approvals!);
		const executed = nodeOutput(first, 'Execute').map((i) => i.json as { type: string; proposalId: string });
		assert.deepEqual(executed.map((e) => `${e.proposalId}:${e.type}`), [`${replyProposal}:executed`]);
		await n8n.execute(ids.approvals!);
		const replies = sandbox.world.meta.comments.filter((c) => c.parentId === questionId);
		assert.equal(replies.length, 1);
		// Without reply facts in the node, the drafted reply must not promise anything; it is posted as the Page.
		assert.ok(replies[0]!.message.length > 10, replies[0]!.message);
		assert.equal(replies[0]!.byPage, true, 'posted by the Page');
		assert.equal(sandbox.requests({ route: 'meta.reply' }).length, 1);
	});
});
