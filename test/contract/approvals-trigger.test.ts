/**
 * What the AdOps Approval nodes add to the queue, against the sandbox's
 * Notion and effects receiver and a real PGlite store: the trigger's poll
 * (each decision once per consumer, from Notion or Slack, also under
 * concurrent polls), the webhook executor, the Result written to the card,
 * the Notion credential test, and the mapping of events to Slack alerts.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, test } from 'vitest';
import {
	ApprovalQueue,
	ExecutorRegistry,
	alertEventFor,
	createProposal,
	pollDecisions,
	resolveApprovalDataSource,
	notionClient,
	webhookExecutor,
	executionOutcome,
	type ApprovalEvent,
	type ProposalInput,
} from '../../nodes/shared/approvals';
import { proposalAlert } from '../../nodes/shared/alerts/proposal';
import { openStore, type Store } from '../../nodes/shared/store';
import { notionApprovalTest } from '../../nodes/common/notion';
import { startSandbox, type Sandbox } from '../../scripts/sandbox';
import { provisionApprovalDatabase } from '../../scripts/notion/approval-database';

const dir = mkdtempSync(join(tmpdir(), 'adops-trigger-'));

describe('approval trigger, webhook executor and Notion credential test (sandbox + PGlite)', () => {
	let sb: Sandbox;
	let store: Store;
	let queue: ApprovalQueue;
	let dataSourceId: string;
	let databaseId: string;
	let seq = 0;

	const userId = (name: string) => sb.world.notion.users.find((u) => u.name === name)!.id;
	const proposal = (overrides: Partial<ProposalInput> = {}): ProposalInput => {
		seq++;
		return {
			id: `trg-${randomBytes(3).toString('hex')}-${seq}`,
			kind: 'test.effect',
			title: `Pause ad set ${seq}`,
			payload: { action: 'pause', adSetId: `as-${seq}` },
			evidence: { cpa: 41.2 },
			proposedChange: `Pause ad set as-${seq}`,
			...overrides,
		};
	};

	async function setStatus(pageId: string, user: string, status: string): Promise<void> {
		const res = await fetch(`${sb.url}/_admin/notion/pages/${pageId}/edit`, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({ user, properties: { Status: { select: { name: status } } } }),
		});
		assert.equal(res.status, 200, await res.text());
	}

	async function queued(): Promise<{ id: string; pageId: string }> {
		const [e] = await queue.enqueue([proposal()]);
		return { id: e!.proposalId, pageId: e!.pageId! };
	}

	beforeAll(async () => {
		sb = await startSandbox({ seed: 11 });
		store = await openStore({ kind: 'embedded', path: dir });
		const db = await provisionApprovalDatabase({ token: sb.credentials.notion.token, baseUrl: sb.urls.notion, parentPageId: sb.world.notion.workspacePageId, title: 'Trigger under test' });
		dataSourceId = db.dataSourceId;
		databaseId = db.databaseId;
		queue = new ApprovalQueue({
			store,
			notion: { token: sb.credentials.notion.token, baseUrl: sb.urls.notion, dataSourceId, retry: { maxRetries: 3, initialRetryDelayMs: 10, maxRetryDelayMs: 2000 } },
			approvers: [userId('Maya Lopez'), 'U0MAYA0001'],
		});
	});
	afterAll(async () => {
		await store?.close();
		await sb?.close();
		rmSync(dir, { recursive: true, force: true });
	});

	test('each decision is emitted once per consumer, from Notion and from Slack; refusals each time they happen', async () => {
		const a = await queued();
		const b = await queued();
		const c = await queued();
		const d = await queued();
		await setStatus(a.pageId, 'Maya Lopez', 'Approved');
		await setStatus(b.pageId, 'Sam Okafor', 'Rejected');
		await setStatus(d.pageId, 'Casey Contractor', 'Approved');

		const first = await pollDecisions(queue, { consumer: 'one' });
		const seen = (r: typeof first) => r.decisions.map((x) => `${x.event.proposalId}:${x.event.type}${x.event.reason ? `:${x.event.reason}` : ''}`).sort();
		assert.deepEqual(seen(first), [`${a.id}:approved`, `${b.id}:rejected`, `${d.id}:refused:approver_not_allowed`].sort());
		assert.match(first.decisions.find((x) => x.event.proposalId === a.id)!.event.message, /Maya Lopez.*approved/);
		assert.equal((await pollDecisions(queue, { consumer: 'one' })).decisions.length, 0, 'a second poll emits nothing');

		// A Slack decision reaches the store without a card edit; the poll still emits it, once.
		const [slack] = await queue.decide(c.id, { decision: 'approve', source: 'slack', payloadHash: (await queue.get(c.id))!.payloadHash, actor: { slackUserId: 'U0MAYA0001', slackUserName: 'maya' } });
		assert.equal(slack!.type, 'approved');
		const afterSlack = await pollDecisions(queue, { consumer: 'one' });
		assert.deepEqual(seen(afterSlack), [`${c.id}:approved`]);
		assert.match(afterSlack.decisions[0]!.event.message, /Slack user U0MAYA0001 approved .* in Slack/);
		assert.equal(afterSlack.decisions[0]!.event.decidedBy?.source, 'slack');

		// The contractor tries again: a second refusal is a new event.
		await setStatus(d.pageId, 'Casey Contractor', 'Approved');
		assert.deepEqual(seen(await pollDecisions(queue, { consumer: 'one' })), [`${d.id}:refused:approver_not_allowed`]);

		// Another consumer has its own stream (first poll reaches back 24 h).
		const other = await pollDecisions(queue, { consumer: 'two' });
		assert.deepEqual(seen(other), [`${a.id}:approved`, `${b.id}:rejected`, `${c.id}:approved`, `${d.id}:refused:approver_not_allowed`].sort());
	});

	test('a payload altered after its approval: Execute Approved refuses it and the trigger emits that refusal once, after the approval', async () => {
		const t = await queued();
		await setStatus(t.pageId, 'Maya Lopez', 'Approved');
		const seen = (r: Awaited<ReturnType<typeof pollDecisions>>) => r.decisions.filter((x) => x.event.proposalId === t.id).map((x) => `${x.event.type}${x.event.reason ? `:${x.event.reason}` : ''}`);
		assert.deepEqual(seen(await pollDecisions(queue, { consumer: 'tamper' })), ['approved']);
		// someone edits the stored payload behind the queue's back
		await store.update('approvals', { proposal_id: t.id }, { payload: { action: 'delete', adSetId: 'everything' } });
		const registry = new ExecutorRegistry();
		let ran = 0;
		registry.register('test.effect', async () => {
			ran++;
			return { ok: true };
		});
		const events = await queue.executeApproved(registry, { proposalIds: [t.id] });
		assert.deepEqual(events.map((e) => `${e.type}:${e.reason}`), ['refused:payload_tampered']);
		assert.equal(ran, 0, 'nothing executed');
		const row = (await store.select('approvals', { where: { proposal_id: t.id } }))[0]!;
		assert.equal(row.status, 'rejected');
		assert.equal(row.refusals, 1);
		const after = await pollDecisions(queue, { consumer: 'tamper' });
		assert.deepEqual(seen(after), ['refused:payload_tampered']);
		assert.match(after.decisions.find((x) => x.event.proposalId === t.id)!.event.message, /no longer matches the approved payload hash/);
		assert.deepEqual(seen(await pollDecisions(queue, { consumer: 'tamper' })), [], 'once');
		assert.deepEqual(await queue.executeApproved(registry, { proposalIds: [t.id] }), [], 'a rejected proposal is not looked at again');
	});

	test('refusals at the same moment are each counted (no lost increment), so each is emitted', async () => {
		const r = await queued();
		const p = (await queue.get(r.id))!;
		const slackTry = () => queue.decide(r.id, { decision: 'approve', source: 'slack', payloadHash: p.payloadHash, actor: { slackUserId: 'U0CASEY001', slackUserName: 'casey' } });
		const results = await Promise.all([slackTry(), slackTry(), slackTry()]);
		assert.ok(results.every((events) => events.some((e) => e.type === 'refused' && e.reason === 'approver_not_allowed')));
		const row = (await store.select('approvals', { where: { proposal_id: r.id } }))[0]!;
		assert.equal(row.refusals, 3);
		assert.equal(row.status, 'pending');
	});

	test('two pollers at once (queue mode, two mains) never emit a decision twice', async () => {
		const ps = [await queued(), await queued(), await queued()];
		for (const p of ps) await setStatus(p.pageId, 'Maya Lopez', 'Approved');
		const results = await Promise.all([pollDecisions(queue, { consumer: 'shared' }), pollDecisions(queue, { consumer: 'shared' }), pollDecisions(queue, { consumer: 'shared' })]);
		const emitted = results.flatMap((r) => r.decisions.map((x) => x.event.proposalId)).filter((id) => ps.some((p) => p.id === id));
		assert.deepEqual(emitted.sort(), ps.map((p) => p.id).sort());
	});

	test('the cursor lives in the store: a new queue object (a restarted n8n) continues where the last one stopped', async () => {
		const p = await queued();
		await pollDecisions(queue, { consumer: 'restart' });
		await setStatus(p.pageId, 'Maya Lopez', 'Approved');
		const fresh = new ApprovalQueue({ store, notion: { token: sb.credentials.notion.token, baseUrl: sb.urls.notion, dataSourceId }, approvers: [userId('Maya Lopez')] });
		const r = await pollDecisions(fresh, { consumer: 'restart' });
		assert.deepEqual(r.decisions.map((x) => `${x.event.proposalId}:${x.event.type}`), [`${p.id}:approved`]);
		const state = await store.getState<{ since: string }>('approvals.trigger.restart');
		assert.equal(state?.since, r.cursor);
	});

	async function pollAllPaged(consumer: string, ids: readonly string[]): Promise<void> {
		const emitted: string[] = [];
		let polls = 0;
		for (; polls < 40; polls++) {
			const r = await pollDecisions(queue, { consumer, limit: 2, skipSync: true });
			emitted.push(...r.decisions.map((x) => x.event.proposalId));
			if (r.scanned < 2) break;
		}
		assert.ok(polls < 40, 'the polls reach the end of the rows instead of re-reading the same full page');
		assert.deepEqual(emitted.filter((id) => ids.includes(id)).sort(), [...ids].sort());
		assert.equal(new Set(emitted).size, emitted.length, 'nothing emitted twice');
	}

	test('a full page (limit) moves the cursor on: more decisions than the limit within the overlap all come out over later polls', async () => {
		const ps = [await queued(), await queued(), await queued(), await queued(), await queued()];
		for (const p of ps) {
			await queue.decide(p.id, { decision: 'reject', source: 'slack', payloadHash: (await queue.get(p.id))!.payloadHash, actor: { slackUserId: 'U0MAYA0001' } });
		}
		await pollAllPaged('paged', ps.map((p) => p.id));
	});

	test('a full page moves on even when more rows than the limit share one updated_at (one bulk update)', async () => {
		const ps = [await queued(), await queued(), await queued(), await queued(), await queued()];
		const ids = ps.map((p) => p.id);
		const { updated } = await store.update('approvals', { proposal_id: { in: ids } }, { status: 'rejected', decided_by: 'slack:U0MAYA0001', decided_at: new Date().toISOString() });
		assert.equal(updated, 5);
		const stamps = await store.select('approvals', { where: { proposal_id: { in: ids } } });
		assert.equal(new Set(stamps.map((r) => r.updated_at)).size, 1, 'one statement, one updated_at');
		await pollAllPaged('bulk', ids);
	});

	test('webhook executor: one POST with the Idempotency-Key; a 502 is an unknown outcome (never "failed", never re-sent blindly), settled by the receipt lookup', async () => {
		// Changed with issue 12: a 5xx used to be recorded as failed and retried on request, which could double an effect
		// the receiver had applied before failing. It is unknown now: checked through the lookup, else left for a person.
		const withLookup = new ExecutorRegistry();
		withLookup.register('test.effect', webhookExecutor({ url: `${sb.urls.effects}/trigger-test`, timeoutMs: 5000, lookupUrl: `${sb.urls.effects}/trigger-test/receipts/{key}` }));
		const blind = new ExecutorRegistry();
		blind.register('test.effect', webhookExecutor({ url: `${sb.urls.effects}/trigger-blind`, timeoutMs: 5000 }));
		const ok = await queued();
		const bad = await queued();
		const unchecked = await queued();
		for (const q of [ok, bad, unchecked]) await setStatus(q.pageId, 'Maya Lopez', 'Approved');
		await queue.syncDecisions();
		sb.injectFault({ route: 'effects.receive', kind: '5xx', status: 502, count: 1 });
		const events = await queue.executeApproved(withLookup, { proposalIds: [bad.id, ok.id] });
		assert.deepEqual(events.map((e) => e.type), ['executed', 'executed'], JSON.stringify(events));
		const receipts = sb.effects('trigger-test');
		assert.equal(receipts.length, 2, 'the 502 came before the effect: the lookup found nothing, so it was sent once more');
		assert.deepEqual(new Set(receipts.map((r) => r.idempotencyKey)), new Set(events.map((e) => e.idempotencyKey)));
		const first = events.find((e) => e.attempts === 2)!;
		assert.ok(first, 'one proposal ran on attempt 2 after the check');
		assert.deepEqual((events[0]!.result as { status: number }).status, 200);

		const pageResult = (pageId: string) => {
			const page = sb.world.notion.pages.find((p) => p.id === pageId)!;
			return ((page.properties.Result?.rich_text as Array<{ plain_text?: string; text?: { content: string } }>) ?? []).map((t) => t.plain_text ?? t.text?.content).join('');
		};
		// the card's Result reads in words (keys sorted), never JSON
		assert.match(pageResult(ok.pageId), /^body \(.*\), status 200$/);
		assert.match(pageResult(bad.pageId), /^body \(.*\), status 200$/);

		sb.injectFault({ route: 'effects.receive', kind: '5xx', status: 502, count: 1 });
		const [stuck] = await queue.executeApproved(blind, { proposalIds: [unchecked.id] });
		assert.equal(stuck!.type, 'stuck');
		assert.match(stuck!.error!, /POST http:\/\/127\.0\.0\.1:\d+\/effects\/trigger-blind: the outcome is unknown \(HTTP 502/);
		assert.doesNotMatch(stuck!.message, /retry/i);
		assert.equal((await queue.get(unchecked.id))!.status, 'executing');
		assert.match(pageResult(unchecked.pageId), /^Outcome unknown, being checked: /);
		assert.deepEqual(await queue.executeApproved(blind, { proposalIds: [unchecked.id], retryFailed: true }).then((e) => e.map((x) => x.type)), ['stuck']);
		assert.equal(sb.effects('trigger-blind').length, 0, 'never re-sent');
	});

	test('webhook executor: unreachable, slow and non-http receivers fail with a clear message', async () => {
		const p = createProposal(proposal());
		const ctx = { proposal: p, idempotencyKey: 'approval:x:y', attempt: 1 };
		const closed = await new Promise<number>((resolve) => {
			const server = createServer().listen(0, '127.0.0.1', () => {
				const { port } = server.address() as AddressInfo;
				server.close(() => resolve(port));
			});
		});
		await assert.rejects(webhookExecutor({ url: `http://127.0.0.1:${closed}/nowhere` })(p.payload, ctx), (e: Error) => /failed before the request was sent \(ECONNREFUSED\): nothing was executed/.test(e.message) && executionOutcome(e) === 'failed');
		sb.holdEffects(3000, 1);
		await assert.rejects(webhookExecutor({ url: `${sb.urls.effects}/slow`, timeoutMs: 300 })(p.payload, ctx), (e: Error) => /the outcome is unknown \(no answer within 300 ms\); it may have been applied/.test(e.message) && executionOutcome(e) === 'unknown' && !/retry/i.test(e.message));
		assert.throws(() => webhookExecutor({ url: 'file:///etc/passwd' }), /must be http\(s\)/);
		assert.throws(() => webhookExecutor({ url: 'not a url' }), /is not a URL/);
	});

	test('the Notion credential test: the data source from a database id, a wrong token, a database without the properties', async () => {
		const base = { token: sb.credentials.notion.token, baseUrl: sb.urls.notion };
		const ok = await notionApprovalTest({ ...base, dataSourceId: databaseId });
		assert.equal(ok.status, 'OK', ok.message);
		assert.match(ok.message, new RegExp(dataSourceId));
		assert.equal(await resolveApprovalDataSource(notionClient(base), dataSourceId), dataSourceId);
		const wrong = await notionApprovalTest({ ...base, token: 'ntn_wrong_token', dataSourceId });
		assert.equal(wrong.status, 'Error');
		assert.match(wrong.message, /rejected the integration token/);
		assert.doesNotMatch(wrong.message, /ntn_wrong_token/);
		const missing = await notionApprovalTest({ ...base, dataSourceId: '00000000-0000-4000-8000-000000000000' });
		assert.equal(missing.status, 'Error');
		assert.match(missing.message, /no data source or database .* share the database with the integration/);
		// The sandbox's own approval database has every property, a workspace page has none.
		const notApproval = await provisionApprovalDatabase({ ...base, parentPageId: sb.world.notion.workspacePageId, title: 'Plain' });
		await fetch(`${sb.urls.notion}/v1/data_sources/${notApproval.dataSourceId}`, {
			method: 'PATCH',
			headers: { authorization: `Bearer ${base.token}`, 'notion-version': '2025-09-03', 'content-type': 'application/json' },
			body: JSON.stringify({ properties: { Evidence: null } }),
		});
		const lacking = await notionApprovalTest({ ...base, dataSourceId: notApproval.dataSourceId });
		assert.equal(lacking.status, 'Error');
		assert.match(lacking.message, /lacks Evidence \(rich_text\)/);
		const unreachable = await notionApprovalTest({ ...base, baseUrl: 'http://127.0.0.1:9', dataSourceId });
		assert.match(unreachable.message, /Cannot reach the Notion API at http:\/\/127\.0\.0\.1:9 /);
	});

	test('events map to the alerts a person needs; nothing for re-runs and skips', async () => {
		const p = { ...createProposal(proposal({ platform: 'meta', entity: 'ad set 1' })), notionPageId: '1f2e3d4c-0000-4000-8000-000000000001', decidedBy: 'notion:abc' };
		const ev = (type: ApprovalEvent['type'], extra: Partial<ApprovalEvent> = {}): ApprovalEvent => ({ type, proposalId: p.id, kind: p.kind, status: p.status, message: 'm', at: new Date().toISOString(), ...extra });
		assert.equal(alertEventFor(ev('queued', { created: true }), p)?.type, 'awaiting');
		assert.equal(alertEventFor(ev('queued', { created: false }), p), undefined);
		assert.equal(alertEventFor(ev('skipped'), p), undefined);
		assert.equal(alertEventFor(ev('unchanged'), p), undefined);
		const decided = alertEventFor(ev('approved', { decidedBy: { source: 'notion', id: 'abc', name: 'Maya Lopez' } }), p);
		assert.deepEqual(decided && decided.type === 'decided' && [decided.decision, decided.decidedBy, decided.via], ['approve', 'Maya Lopez', 'notion']);
		const refused = alertEventFor(ev('refused', { reason: 'edited_after_queue', message: 'card edited' }), p);
		assert.deepEqual(refused && refused.type === 'refused' && [refused.reason, refused.detail], ['edited_after_queue', 'card edited']);
		const failed = alertEventFor(ev('failed', { error: 'HTTP 502', attempts: 2 }), p);
		assert.deepEqual(failed && failed.type === 'failed' && [failed.error, failed.attempt], ['HTTP 502', 2]);
		assert.equal(alertEventFor(ev('stuck'), p)?.type, 'stuck');
		const awaiting = alertEventFor(ev('queued', { created: true }), p)!;
		assert.equal(awaiting.proposal.notionUrl, 'https://www.notion.so/1f2e3d4c000040008000000000000001');
		assert.equal(awaiting.proposal.payloadHash, p.payloadHash);
		// Every mapped event renders.
		for (const type of ['queued', 'approved', 'rejected', 'refused', 'expired', 'executed', 'failed', 'stuck'] as const) {
			const e = alertEventFor(ev(type, { created: true, reason: 'approver_not_allowed' }), p);
			assert.ok(e && proposalAlert(e).title, type);
		}
	});
});
