/**
 * Moderation's side effects when answers are lost, processes die and runs
 * overlap (issue 12 items 2, 4, 8 and the comment-size limit of 10), against
 * the sandbox's Graph API and a real store: PGlite always, PostgreSQL when
 * DATABASE_URL is set (own schema, dropped after).
 *
 * - Lost answers (`afterEffect`: 5xx, malformed, timeout) and late answers
 *   (`latency` past the client's timeout) on hide, delete, like and reply at
 *   every retry, across two runs: exactly one effect each on the sandbox
 *   (hide state, the Page's like, deleted, replies counted), every ledger
 *   entry succeeded or failed after reconciliation.
 * - The approved-reply double post of the issue: the reply lands after the
 *   client gave up; the error never advises a retry; the retry finds the
 *   reply and posts nothing.
 * - SIGKILL at `moderation.after-platform` and `moderation.after-stored` in
 *   a child process (this file, run with ADOPS_MODERATION_FAULTS_CHILD),
 *   then the next run: no duplicate, nothing lost.
 * - Two concurrent live runs: every row in its true state, none stuck.
 * - Polling a post with a NUL or an unpaired surrogate in a comment: the
 *   cursor advances and later comments are stored.
 * - One comment-size limit for webhook and polling.
 *
 * Prints the attempts of each promise (requests on the sandbox) for the
 * fault table.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, test } from '../helpers/vitest-api';
import { Pool } from 'pg';
import type { Proposal } from '../../nodes/shared/approvals';
import {
	MAX_COMMENT_CHARS,
	claimHolder,
	computeMetaSignature,
	handleMetaWebhook,
	moderate,
	moderationExecutor,
	performCommentAction,
	pollCursorKey,
	pollMetaComments,
	reconcileModerationActions,
	type CommentActionType,
} from '../../nodes/shared/moderation';
import { MetaCommentsClient } from '../../nodes/shared/platforms/meta-comments';
import type { Json } from '../../nodes/shared/schema/rows';
import { openStore, type Store } from '../../nodes/shared/store';
import type { StoreConfig } from '../../nodes/shared/store/types';
import { metaCommentDelivery, startSandbox, type Sandbox } from '../../scripts/sandbox';

const CHILD = process.env.ADOPS_MODERATION_FAULTS_CHILD;
const DATABASE_URL = process.env.DATABASE_URL;
const TIMEOUT_MS = 400;

interface ChildJob {
	mode: 'moderate' | 'webhook';
	store: StoreConfig;
	baseUrl: string;
	accessToken: string;
	appSecret: string;
	itemIds?: string[];
	rawBody?: string;
}

/** The child process: one moderation step, killed by the armed failpoint. */
async function childMain(job: ChildJob): Promise<void> {
	const store = await openStore(job.store);
	if (job.mode === 'moderate') {
		const meta = new MetaCommentsClient({ accessToken: job.accessToken, baseUrl: job.baseUrl, retry: { maxRetries: 0 }, breaker: false });
		await moderate({ itemIds: job.itemIds, live: true, runId: 'child-run' }, { store, metaComments: meta });
	} else {
		const rawBody = job.rawBody!;
		await handleMetaWebhook({ method: 'POST', headers: { 'x-hub-signature-256': computeMetaSignature(job.appSecret, rawBody) }, rawBody }, { appSecret: job.appSecret, verifyToken: 'v' }, { store });
	}
	await store.close();
	process.stdout.write('survived\n');
}

/** Runs this file as a child with `failpoints` armed; resolves with how it ended. */
function runChild(job: ChildJob, failpoints: string): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string; stdout: string }> {
	return new Promise((resolve, reject) => {
		const child = spawn(process.execPath, ['--import', 'tsx', __filename], { env: { ...process.env, ADOPS_FAILPOINTS: failpoints, ADOPS_MODERATION_FAULTS_CHILD: JSON.stringify(job) }, stdio: ['ignore', 'pipe', 'pipe'] });
		let stderr = '';
		let stdout = '';
		child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
		child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
		child.on('error', reject);
		child.on('exit', (code, signal) => resolve({ code, signal, stderr, stdout }));
	});
}

/** Attempts per promise, for the fault table (printed at the end). */
const table: Array<{ promise: string; attempts: string; held: boolean }> = [];

function registerSuite(name: string, config: StoreConfig, cleanup: () => Promise<void>): void {
	describe(`moderation faults (${name})`, () => {
		let sb: Sandbox;
		let store: Store;
		let meta: MetaCommentsClient;
		let postId: string;
		let adId: string;
		let accountId: string;

		/** A visitor's comment under the post, in the sandbox world and stored as polling stores it. */
		async function stored(text: string, createdTime = new Date(Date.now() - 3_600_000).toISOString()): Promise<{ itemId: string; commentId: string }> {
			const res = await fetch(`${sb.url}/_admin/meta/comments`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ post_id: postId, message: text, created_time: createdTime }) });
			const { comment } = (await res.json()) as { comment: { id: string } };
			await store.upsert('social_media_items', [{ platform: 'meta', object_id: comment.id, object_type: 'facebook_comment', post_id: postId, parent_id: postId, ad_id: adId, account_id: accountId, text, created_time: createdTime }]);
			const [row] = await store.select('social_media_items', { where: { object_id: comment.id } });
			return { itemId: row!.id, commentId: comment.id };
		}
		const world = (id: string) => sb.world.meta.comments.find((c) => c.id === id)!;
		const pageReplies = (id: string) => sb.world.meta.comments.filter((c) => c.parentId === id && c.byPage && !c.deleted);
		const ledger = async (key: string) => (await store.select('action_ledger', { where: { idempotency_key: key } }))[0]!;
		const requests = (route: string, commentId: string) => sb.requests({ route }).filter((r) => r.path.includes(`/${commentId}`)).length;

		function proposal(id: string): Proposal {
			return { id, kind: 'moderation', title: 't', payload: {}, evidence: null, payloadHash: '0'.repeat(64), platform: 'meta', accountId: null, entity: null, proposedChange: 'x', impact: null, requestedAt: new Date().toISOString(), expiresAt: null, status: 'executing', decidedBy: 'notion:u1', decidedAt: null, result: null, error: null, notionPageId: null, cardHash: null, flag: null } as unknown as Proposal;
		}

		beforeAll(async () => {
			sb = await startSandbox({ seed: 33 });
			store = await openStore(config);
			meta = new MetaCommentsClient({ accessToken: sb.credentials.meta.accessToken, baseUrl: sb.urls.meta, timeoutMs: TIMEOUT_MS, retry: { maxRetries: 2, initialDelayMs: 1, maxDelayMs: 5 }, breaker: false });
			const ad = sb.world.meta.ads.find((a) => a.status === 'ACTIVE')!;
			adId = ad.id;
			accountId = ad.accountId;
			postId = ad.postId;
			// Many calls in a row: keep Meta's usage headers low so the client's usage gate does not slow the suite.
			await fetch(`${sb.url}/_admin/meta/usage`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ perCallPct: 0 }) });
		});
		beforeEach(() => sb.clearFaults());
		afterAll(async () => {
			await store?.close();
			await sb?.close();
			await cleanup();
		});

		const ROUTE: Record<CommentActionType, string> = { hide: 'meta.update', unhide: 'meta.update', delete: 'meta.delete', like: 'meta.like', reply: 'meta.reply' };
		const FAULTS = [
			{ label: 'lost (5xx after the effect)', spec: { kind: '5xx' as const, afterEffect: true } },
			{ label: 'lost (malformed after the effect)', spec: { kind: 'malformed' as const, afterEffect: true } },
			{ label: 'lost (no answer, client timeout)', spec: { kind: 'timeout' as const, afterEffect: true } },
			{ label: `late (answered ${TIMEOUT_MS + 300} ms after the effect, past the timeout)`, spec: { kind: 'latency' as const, afterEffect: true, latencyMs: TIMEOUT_MS + 300 } },
		];

		for (const type of ['hide', 'delete', 'like', 'reply'] as const) {
			test(`${type}: lost and late answers at every retry, across two runs → one effect, the ledger ends succeeded`, async () => {
				for (const fault of FAULTS) {
					const c = await stored(`Fault case ${type} ${fault.label}`);
					sb.injectFault({ route: ROUTE[type], ...fault.spec, count: 3 });
					const action = { type, platform: 'meta', commentId: c.commentId, postId, accountId, ...(type === 'reply' ? { message: `Thanks for the note (${fault.spec.kind})` } : {}) };
					const first = await performCommentAction({ store, metaComments: meta }, action);
					const sent = requests(ROUTE[type], c.commentId);
					// Run one: unknown (the answer was lost) or, where the client itself could tell, executed — never failed, never a false "done".
					sb.clearFaults();
					assert.ok(['unknown', 'executed'].includes(first.status), `${type}/${fault.label}: run one said ${first.status} ${first.error ?? ''}`);
					if (first.status === 'unknown') {
						assert.equal((await ledger(first.ledgerKey)).status, 'unknown');
						assert.match(first.error!, /outcome is unknown/);
						assert.doesNotMatch(first.error!, /most likely not posted|retr(y|ied)/i, 'no advice to retry, no platform text that reads as one');
					}
					if (type === 'reply') assert.equal(sent, 1, 'a reply is sent once: never retried after a possibly-applied answer');
					// Run two: the open entry is reconciled by reading the comment; nothing is sent again.
					const second = await performCommentAction({ store, metaComments: meta }, action);
					assert.ok(['executed', 'already_done'].includes(second.status), `${type}/${fault.label}: run two said ${second.status} ${second.error ?? ''}`);
					assert.equal(requests(ROUTE[type], c.commentId), sent, 'run two sends nothing');
					const entry = await ledger(first.ledgerKey);
					assert.equal(entry.status, 'succeeded');
					if (first.status === 'unknown') assert.match(entry.resolution!, /^read back: /);
					const w = world(c.commentId);
					if (type === 'hide') assert.equal(w.isHidden, true);
					if (type === 'delete') assert.equal(w.deleted, true);
					if (type === 'like') assert.equal(w.likeCount, 1);
					if (type === 'reply') assert.equal(pageReplies(c.commentId).length, 1, 'exactly one reply');
					table.push({ promise: `${type} once, ${fault.label}, every retry, two runs`, attempts: `${sent} ${type} request(s), run one ${first.status}, run two ${second.status}`, held: true });
				}
			});
		}

		test('hide: lost answers in a live moderation run leave the row unknown; the next run reconciles it to executed and hides nothing twice', async () => {
			const c = await stored('You are all incompetent morons, shut up');
			sb.injectFault({ route: 'meta.update', kind: '5xx', afterEffect: true, count: 3 });
			const one = await moderate({ itemIds: [c.itemId], live: true }, { store, metaComments: meta });
			const hide = one.comments.find((m) => m.commentId === c.commentId)!.actions[0]!;
			assert.deepEqual([hide.type, hide.status], ['hide', 'unknown']);
			const [row1] = await store.select('moderation_actions', { where: { comment_id: c.commentId } });
			assert.equal(row1!.action_status, 'unknown', 'the row says what is known: the outcome is unknown');
			const sent = requests('meta.update', c.commentId);
			const two = await moderate({ live: true }, { store, metaComments: meta });
			assert.ok(two.reconciled!.reconciled.some((r) => r.commentId === c.commentId && r.status === 'succeeded'));
			assert.equal(requests('meta.update', c.commentId), sent);
			const [row2] = await store.select('moderation_actions', { where: { comment_id: c.commentId } });
			assert.equal(row2!.action_status, 'executed');
			const [item] = await store.select('social_media_items', { where: { id: c.itemId } });
			assert.equal(item!.is_hidden, true);
			table.push({ promise: 'hide in a live run, 5xx after the effect ×3, next run reconciles', attempts: `${sent} hide requests, 0 in run two`, held: true });
		});

		test('a reply that never reached Meta stays unknown (never re-sent) until the settle time, is then failed, and a later run posts it once', async () => {
			const c = await stored('Do you ship to Norway?');
			sb.injectFault({ route: 'meta.reply', kind: '5xx' });
			const action = { type: 'reply' as const, platform: 'meta', commentId: c.commentId, postId, accountId, message: 'Yes, within 5 days.' };
			const first = await performCommentAction({ store, metaComments: meta }, action, { retryFailed: true });
			assert.equal(first.status, 'unknown');
			const again = await performCommentAction({ store, metaComments: meta }, action, { retryFailed: true });
			assert.equal(again.status, 'unknown', 'within the settle time: not posted again');
			assert.match(again.error!, /less than the 120 s a late request may take to land/);
			assert.equal(requests('meta.reply', c.commentId), 1);
			const later = () => new Date(Date.now() + 5 * 60_000);
			const third = await performCommentAction({ store, metaComments: meta }, action, { retryFailed: true, now: later });
			assert.equal(third.status, 'executed');
			assert.match(third.reconciled!, /no reply by the Page with the intended text/);
			assert.equal(pageReplies(c.commentId).length, 1);
			const entry = await ledger(first.ledgerKey);
			assert.deepEqual([entry.status, entry.attempts], ['succeeded', 2]);
			table.push({ promise: 'reply whose request failed before Meta (5xx), settle, re-post', attempts: `${requests('meta.reply', c.commentId)} reply requests over three runs, one reply`, held: true });
		});

		test("the issue's approved-reply double post: the reply lands after the timeout; the error advises no retry; the retry posts nothing", async () => {
			const c = await stored('Is the jacket waterproof?');
			const executor = moderationExecutor({ store, metaComments: meta });
			const pid = `p-${c.commentId}`;
			await store.upsert('moderation_actions', [{ idempotency_key: `moderation:meta:${c.commentId}:propose_reply`, item_id: c.itemId, action_type: 'propose_reply', action_status: 'proposed', proposal_id: pid }]);
			const payload: Json = { type: 'reply', platform: 'meta', commentId: c.commentId, message: 'Yes, fully waterproof.' };
			sb.injectFault({ route: 'meta.reply', kind: 'latency', latencyMs: TIMEOUT_MS + 250 });
			await assert.rejects(executor(payload, { proposal: proposal(pid), idempotencyKey: `approval:${pid}`, attempt: 1 }), (e: Error) => {
				assert.match(e.message, /outcome is unknown/);
				assert.doesNotMatch(e.message, /most likely not posted|retr(y|ied)/i);
				return true;
			});
			const [row] = await store.select('moderation_actions', { where: { proposal_id: pid } });
			assert.equal(row!.action_status, 'unknown');
			await new Promise((r) => setTimeout(r, 500)); // the reply lands
			assert.equal(pageReplies(c.commentId).length, 1);
			const retried = (await executor(payload, { proposal: proposal(pid), idempotencyKey: `approval:${pid}`, attempt: 2 })) as { status: string };
			assert.equal(retried.status, 'executed');
			assert.equal(pageReplies(c.commentId).length, 1, 'one reply, not two');
			assert.equal(requests('meta.reply', c.commentId), 1);
			const [done] = await store.select('moderation_actions', { where: { proposal_id: pid } });
			assert.equal(done!.action_status, 'executed');
			table.push({ promise: 'approved reply answered after the timeout, then retried (issue item 2)', attempts: '1 reply request, 1 reply', held: true });
		});

		test('SIGKILL at moderation.after-platform: the hide happened, the ledger never heard; the next run reconciles it, hides nothing twice', async () => {
			const c = await stored('Shut up you pathetic idiots, worst brand ever');
			await store.close();
			const job: ChildJob = { mode: 'moderate', store: config, baseUrl: sb.urls.meta, accessToken: sb.credentials.meta.accessToken, appSecret: sb.credentials.meta.appSecret, itemIds: [c.itemId] };
			const child = await runChild(job, 'moderation.after-platform');
			store = await openStore(config);
			assert.equal(child.signal, 'SIGKILL', child.stderr);
			assert.equal(world(c.commentId).isHidden, true, 'Meta hid it before the kill');
			const open = await ledger(`moderation:meta:${c.commentId}:hide`);
			assert.equal(open.status, 'claimed');
			assert.match(open.claimed_by!, /:child-run$/);
			const [item0] = await store.select('social_media_items', { where: { id: c.itemId } });
			assert.equal(item0!.moderated_at, null, 'not marked done');
			const run = await moderate({ live: true }, { store, metaComments: meta });
			assert.equal(requests('meta.update', c.commentId), 1, 'hidden once');
			const entry = await ledger(`moderation:meta:${c.commentId}:hide`);
			assert.equal(entry.status, 'succeeded');
			assert.match(entry.resolution!, /never recorded an outcome; read back: .* is hidden/);
			const [row] = await store.select('moderation_actions', { where: { comment_id: c.commentId } });
			assert.equal(row!.action_status, 'executed');
			assert.ok(run.comments.some((m) => m.commentId === c.commentId) || run.reconciled!.reconciled.some((r) => r.commentId === c.commentId));
			const [item] = await store.select('social_media_items', { where: { id: c.itemId } });
			assert.ok(item!.moderated_at !== null && item!.is_hidden === true);
			table.push({ promise: 'SIGKILL after Meta hid, before the ledger (moderation.after-platform)', attempts: '1 hide request, next run reconciles', held: true });
		});

		test('SIGKILL at moderation.after-stored: a webhook comment stored before the crash is moderated by the next run (whatever its input); the redelivery stores nothing twice', async () => {
			const res = await fetch(`${sb.url}/_admin/meta/comments`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ post_id: postId, message: 'You are all incompetent morons, shut up and go away' }) });
			const { comment } = (await res.json()) as { comment: { id: string } };
			const d = metaCommentDelivery(sb.world, comment.id);
			await store.close();
			const child = await runChild({ mode: 'webhook', store: config, baseUrl: sb.urls.meta, accessToken: sb.credentials.meta.accessToken, appSecret: sb.credentials.meta.appSecret, rawBody: d.rawBody }, 'moderation.after-stored');
			store = await openStore(config);
			assert.equal(child.signal, 'SIGKILL', child.stderr);
			const [crashed] = await store.select('social_media_items', { where: { object_id: comment.id } });
			assert.ok(crashed, 'stored before the kill');
			assert.equal(crashed!.moderated_at, null);
			// Meta redelivers (no 200 came back): a duplicate, nothing stored twice.
			const again = await handleMetaWebhook({ method: 'POST', headers: { 'x-hub-signature-256': computeMetaSignature(sb.credentials.meta.appSecret, d.rawBody) }, rawBody: d.rawBody }, { appSecret: sb.credentials.meta.appSecret, verifyToken: 'v' }, { store });
			assert.equal(again.kind, 'duplicate');
			// The next trigger run names only its own new comment; the stored one is moderated too.
			const next = await stored('Love it, best fleece ever');
			const run = await moderate({ itemIds: [next.itemId], live: true }, { store, metaComments: meta });
			assert.ok(run.comments.some((m) => m.commentId === comment.id), `the stored comment is moderated: ${JSON.stringify({ crashed: { ...crashed, text: undefined }, got: run.comments.map((m) => m.commentId) })}`);
			assert.equal(run.comments[0]!.commentId, next.commentId, 'the named comment first');
			assert.equal(world(comment.id).isHidden, true);
			assert.equal(requests('meta.update', comment.id), 1);
			assert.equal((await store.select('social_media_items', { where: { object_id: comment.id } })).length, 1);
			table.push({ promise: 'SIGKILL after a webhook comment was stored (moderation.after-stored)', attempts: '1 delivery + 1 redelivery, 1 hide', held: true });
		});

		test('work stored is work done, within a bounded age and batch', async () => {
			// Everything pending from earlier tests first, so this test counts its own comments.
			await moderate({ limit: 10_000 }, { store });
			const a = await stored('What sizes does it come in?');
			const b = await stored('Where do you ship from?');
			const one = await moderate({ limit: 1 }, { store });
			assert.equal(one.comments.length, 1, 'a bounded batch');
			const two = await moderate({}, { store });
			assert.deepEqual([...one.comments, ...two.comments].map((m) => m.itemId).sort(), [a.itemId, b.itemId].sort());
			// Stored more than the age bound ago (7 days by default): not picked up by itself, only when named.
			const old = await stored('Check my profile for cheap sneakers!! DM me');
			const in8days = () => new Date(Date.now() + 8 * 86_400_000);
			assert.deepEqual((await moderate({}, { store, now: in8days })).comments, []);
			assert.deepEqual((await moderate({ maxAgeMs: 9 * 86_400_000 }, { store, now: in8days })).comments.map((m) => m.itemId), [old.itemId], 'a longer bound takes it');
		});

		test('two concurrent live runs: each comment hidden once, every row executed, a held claim is "in progress by run …", never stuck', async () => {
			await moderate({ limit: 10_000 }, { store });
			const cs = [];
			for (let i = 0; i < 6; i++) cs.push(await stored(`You are all incompetent morons number ${i}, shut up`));
			sb.injectFault({ route: 'meta.update', kind: 'latency', latencyMs: 120, count: 12 });
			const [r1, r2] = await Promise.all([
				moderate({ itemIds: cs.map((c) => c.itemId), live: true, runId: 'run-A' }, { store, metaComments: meta }),
				moderate({ itemIds: cs.map((c) => c.itemId), live: true, runId: 'run-B' }, { store, metaComments: meta }),
			]);
			for (const c of cs) {
				assert.equal(world(c.commentId).isHidden, true);
				assert.equal(requests('meta.update', c.commentId), 1, 'hidden once');
				const [row] = await store.select('moderation_actions', { where: { comment_id: c.commentId } });
				assert.equal(row!.action_status, 'executed', `row of ${c.commentId}`);
				const [item] = await store.select('social_media_items', { where: { id: c.itemId } });
				assert.ok(item!.moderated_at !== null && item!.is_hidden === true);
			}
			const statuses = [...r1.comments, ...r2.comments].flatMap((m) => m.actions.map((a) => a));
			assert.ok(!statuses.some((a) => a.status === 'stuck'));
			for (const a of statuses.filter((x) => x.status === 'in_progress')) assert.match(a.error!, /is in progress by run run-[AB] \(process \d+ on .*\) since/);
			table.push({ promise: 'two concurrent live runs over six abusive comments', attempts: `6 hide requests, ${statuses.filter((a) => a.status === 'in_progress').length} reported in progress, 0 stuck`, held: true });
		});

		test('on demand: reconcileModerationActions settles what is open and leaves a live claim alone', async () => {
			const c = await stored('Idiots, all of you');
			sb.injectFault({ route: 'meta.update', kind: 'timeout', afterEffect: true, count: 3 });
			const first = await performCommentAction({ store, metaComments: meta }, { type: 'hide', platform: 'meta', commentId: c.commentId, postId, accountId });
			assert.equal(first.status, 'unknown');
			const swept = await reconcileModerationActions({ store, metaComments: meta });
			const mine = swept.reconciled.find((r) => r.commentId === c.commentId)!;
			assert.deepEqual([mine.status, (await ledger(first.ledgerKey)).status], ['succeeded', 'succeeded']);
			// A claim a live run holds right now is reported in progress and left alone.
			const held = await stored('Morons, the lot of you');
			const key = `moderation:meta:${held.commentId}:hide`;
			await store.claimAction(key, { kind: 'moderation.hide', target: `meta:comment:${held.commentId}`, intent: { type: 'hide', platform: 'meta', commentId: held.commentId, source: 'facebook', postId }, claimedBy: claimHolder('live-run') });
			const again = await reconcileModerationActions({ store, metaComments: meta });
			const live = again.reconciled.find((r) => r.commentId === held.commentId)!;
			assert.equal(live.status, 'in_progress');
			assert.match(live.resolution, /in progress by run live-run \(process \d+ on .*\) since/);
			assert.equal((await ledger(key)).status, 'claimed');
		});

		test('polling a post with a NUL or an unpaired surrogate in a comment: the cursor advances and later comments are stored', async () => {
			const t0 = Date.now() - 30 * 60_000;
			const add = async (message: string, at: number) => {
				const res = await fetch(`${sb.url}/_admin/meta/comments`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ post_id: postId, message, created_time: new Date(at).toISOString() }) });
				return ((await res.json()) as { comment: { id: string } }).comment.id;
			};
			const nul = await add('bad\u0000byte', t0);
			const lone = await add('half \ud83d pair', t0 + 1000);
			const first = await pollMetaComments({ accountIds: [accountId], initialLookbackMs: 2 * 3_600_000 }, { store, metaComments: meta });
			assert.deepEqual(first.errors.filter((e) => e.objectId === postId), [], 'the post polled without error');
			const later = await add('Scam!! DM me for free money', Date.now() - 60_000);
			const second = await pollMetaComments({ accountIds: [accountId] }, { store, metaComments: meta });
			assert.deepEqual(second.errors.filter((e) => e.objectId === postId), []);
			const stored3 = await store.select('social_media_items', { where: { object_id: { in: [nul, lone, later] } } });
			assert.equal(stored3.length, 3, 'the bad comments (cleaned) and the later one are stored');
			const cursor = (await store.getState<{ since: string } & Json>(pollCursorKey('facebook', postId)))!;
			assert.ok(Date.parse(cursor.since) >= Date.now() - 2 * 60_000, 'the cursor moved past them');
			// No NUL, and well-formed UTF-16 (a lone surrogate would not survive a UTF-8 round trip).
			for (const r of stored3) assert.ok(!(r.text ?? '').includes('\u0000') && Buffer.from(r.text ?? '', 'utf8').toString('utf8') === r.text, 'no NUL, no lone surrogate');
		});

		test(`one comment-size limit (${MAX_COMMENT_CHARS} characters) for the webhook and polling: longer text is stored cut and marked`, async () => {
			const long = `${'Spam spam! '.repeat(1200)}end`;
			const res = await fetch(`${sb.url}/_admin/meta/comments`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ post_id: postId, message: long }) });
			const { comment } = (await res.json()) as { comment: { id: string } };
			const d = metaCommentDelivery(sb.world, comment.id);
			const hook = await handleMetaWebhook({ method: 'POST', headers: { 'x-hub-signature-256': computeMetaSignature(sb.credentials.meta.appSecret, d.rawBody) }, rawBody: d.rawBody }, { appSecret: sb.credentials.meta.appSecret, verifyToken: 'v' }, { store });
			assert.equal(hook.ingest!.inserted.length, 1, 'stored, not skipped');
			const viaHook = hook.ingest!.inserted[0]!;
			assert.equal(viaHook.text!.length, MAX_COMMENT_CHARS);
			assert.equal((viaHook.raw_data as { truncated_from?: number }).truncated_from, long.length);
			// The same comment polled is the same row; a second long one through polling is cut the same way.
			const res2 = await fetch(`${sb.url}/_admin/meta/comments`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ post_id: postId, message: `x${long}` }) });
			const { comment: c2 } = (await res2.json()) as { comment: { id: string } };
			await pollMetaComments({ accountIds: [accountId] }, { store, metaComments: meta });
			const [viaPoll] = await store.select('social_media_items', { where: { object_id: c2.id } });
			assert.equal(viaPoll!.text!.length, MAX_COMMENT_CHARS);
			assert.equal((viaPoll!.raw_data as { truncated_from?: number }).truncated_from, long.length + 1);
		});
	});
}

if (CHILD) {
	childMain(JSON.parse(CHILD) as ChildJob).then(
		() => process.exit(0),
		(error: unknown) => {
			process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
			process.exit(1);
		},
	);
} else {
	const pgliteDir = mkdtempSync(join(tmpdir(), 'adops-moderation-faults-'));
	registerSuite('PGlite', { kind: 'embedded', path: pgliteDir }, async () => rmSync(pgliteDir, { recursive: true, force: true }));
	if (DATABASE_URL) {
		const schema = `adops_moderation_faults_${randomBytes(5).toString('hex')}`;
		registerSuite(`PostgreSQL (schema ${schema})`, { kind: 'postgres', connectionString: DATABASE_URL, ssl: 'disable', schema } as StoreConfig, async () => {
			const admin = new Pool({ connectionString: DATABASE_URL, max: 1 });
			await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
			await admin.end();
		});
	}
	afterAll(() => {
		if (table.length) process.stdout.write(`\nfault table (promise | attempts | held):\n${table.map((r) => `  ${r.promise} | ${r.attempts} | ${r.held ? 'held' : 'BROKEN'}`).join('\n')}\n`);
	});
}
