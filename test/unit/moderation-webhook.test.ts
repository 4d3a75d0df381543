import assert from 'node:assert/strict';
import { describe, test } from 'vitest';
import fc from 'fast-check';
import {
	InMemoryReplayGuard,
	computeMetaSignature,
	deliveryReplayKey,
	eventReplayKey,
	filterReplays,
	parseMetaDelivery,
	releaseClaims,
	toIsoTime,
	toSocialMediaItemRow,
	verifyMetaRequest,
	verifyMetaSignature,
	verifyMetaSubscription,
} from '../../nodes/shared/moderation/meta-webhook';
import { handleMetaWebhook } from '../../nodes/shared/moderation/run';
import { graphTime } from '../../nodes/shared/platforms/meta-comments';
import { socialMediaItemRow } from '../../nodes/shared/schema/rows';
import type { Store } from '../../nodes/shared/store/types';

const SECRET = 'app-secret-0123456789abcdef';

function feedDelivery(values: unknown[], extraChanges: unknown[] = []): string {
	return JSON.stringify({
		object: 'page',
		entry: [{ id: '1055', time: 1760000100, changes: [...values.map((value) => ({ field: 'feed', value })), ...extraChanges] }],
	});
}

const addComment = {
	from: { id: '700001', name: 'Ana Ruiz' },
	post: { status_type: 'added_photos', is_published: false, id: '1055_2001' },
	message: 'Do you ship to Canada? 🇨🇦',
	post_id: '1055_2001',
	comment_id: '2001_990001',
	created_time: 1760000000,
	item: 'comment',
	parent_id: '1055_2001',
	verb: 'add',
};

describe('Meta webhook: GET subscription check', () => {
	const query = { 'hub.mode': 'subscribe', 'hub.verify_token': 'my-verify-token', 'hub.challenge': '1158201444' };

	test('the right token returns the challenge (flat, nested and URLSearchParams queries)', () => {
		assert.deepEqual(verifyMetaSubscription({ verifyToken: 'my-verify-token', query }), { ok: true, challenge: '1158201444' });
		assert.deepEqual(verifyMetaSubscription({ verifyToken: 'my-verify-token', query: { hub: { mode: 'subscribe', verify_token: 'my-verify-token', challenge: '42' } } }), { ok: true, challenge: '42' });
		assert.deepEqual(verifyMetaSubscription({ verifyToken: 'my-verify-token', query: new URLSearchParams(query) }), { ok: true, challenge: '1158201444' });
	});

	test('refusals carry reason codes and never echo the configured token', () => {
		const reason = (q: Record<string, unknown>, token = 'my-verify-token') => {
			const r = verifyMetaSubscription({ verifyToken: token, query: q });
			assert.equal(r.ok, false);
			if (!r.ok) assert.ok(!r.message.includes('my-verify-token'));
			return r.ok ? 'ok' : r.reason;
		};
		assert.equal(reason({ ...query, 'hub.verify_token': 'my-verify-tokem' }), 'bad_token');
		assert.equal(reason({ ...query, 'hub.verify_token': 'my-verify-token-longer' }), 'bad_token');
		assert.equal(reason({ ...query, 'hub.mode': 'unsubscribe' }), 'not_subscribe');
		assert.equal(reason({ 'hub.mode': 'subscribe', 'hub.challenge': '1' }), 'missing_token');
		assert.equal(reason({ 'hub.mode': 'subscribe', 'hub.verify_token': 'my-verify-token' }), 'missing_challenge');
		assert.equal(reason({ ...query, 'hub.challenge': '<script>alert(1)</script>' }), 'bad_challenge');
		assert.equal(reason({ ...query, 'hub.verify_token': ['my-verify-token', 'x'] }), 'missing_token');
		assert.equal(reason(query, ''), 'not_configured');
		assert.equal(verifyMetaSubscription({ verifyToken: 'x', query: null }).ok, false);
	});
});

describe('Meta webhook: X-Hub-Signature-256', () => {
	const body = feedDelivery([addComment]);
	const signature = computeMetaSignature(SECRET, body);

	test('a valid signature verifies, from a string, bytes or headers in any case', () => {
		assert.match(signature, /^sha256=[0-9a-f]{64}$/);
		assert.deepEqual(verifyMetaSignature({ appSecret: SECRET, signature, rawBody: body }), { ok: true });
		assert.deepEqual(verifyMetaSignature({ appSecret: SECRET, signature, rawBody: Buffer.from(body, 'utf8') }), { ok: true });
		assert.deepEqual(verifyMetaRequest({ appSecret: SECRET, headers: { 'X-Hub-Signature-256': signature }, rawBody: body }), { ok: true });
		assert.deepEqual(verifyMetaSignature({ appSecret: SECRET, signature: `sha256=${signature.slice(7).toUpperCase()}`, rawBody: body }), { ok: true });
	});

	test('a wrong secret is a bad signature, and the message never contains a secret', () => {
		const r = verifyMetaSignature({ appSecret: 'another-apps-secret', signature, rawBody: body });
		assert.equal(r.ok, false);
		assert.equal(!r.ok && r.reason, 'bad_signature');
		assert.ok(!r.ok && !r.message.includes(SECRET) && !r.message.includes('another-apps-secret'));
	});

	test('a body altered by one byte is a bad signature (every position, string and bytes)', () => {
		const bytes = Buffer.from(body, 'utf8');
		fc.assert(
			fc.property(fc.integer({ min: 0, max: bytes.length - 1 }), fc.integer({ min: 1, max: 255 }), (i, delta) => {
				const altered = Buffer.from(bytes);
				altered[i] = (altered[i]! + delta) % 256;
				const r = verifyMetaSignature({ appSecret: SECRET, signature, rawBody: altered });
				return !r.ok && r.reason === 'bad_signature';
			}),
			{ numRuns: 200 },
		);
		const r = verifyMetaSignature({ appSecret: SECRET, signature, rawBody: body.replace('Canada', 'Canadb') });
		assert.equal(!r.ok && r.reason, 'bad_signature');
		// Re-serialised JSON is not the raw body.
		const reserialised = verifyMetaSignature({ appSecret: SECRET, signature, rawBody: JSON.stringify(JSON.parse(body), null, 1) });
		assert.equal(reserialised.ok, false);
	});

	test('a missing header is refused as missing_header', () => {
		for (const headers of [{}, { 'x-hub-signature': 'sha1=abc' }, { 'x-hub-signature-256': '' }, { 'x-hub-signature-256': ['a', 'b'] }, undefined]) {
			const r = verifyMetaRequest({ appSecret: SECRET, headers, rawBody: body });
			assert.equal(!r.ok && r.reason, 'missing_header', JSON.stringify(headers));
		}
	});

	test('a malformed header is refused as malformed', () => {
		for (const sig of ['sha1=' + 'a'.repeat(40), signature.slice(7), 'sha256=' + 'a'.repeat(63), 'sha256=' + 'g'.repeat(64), 'sha256=' + 'a'.repeat(65), 'sha256 =' + 'a'.repeat(64)]) {
			const r = verifyMetaSignature({ appSecret: SECRET, signature: sig, rawBody: body });
			assert.equal(!r.ok && r.reason, 'malformed', sig);
		}
	});

	test('no secret or no raw body is refused; odd input types never throw', () => {
		assert.equal((verifyMetaSignature({ appSecret: '', signature, rawBody: body }) as { reason: string }).reason, 'not_configured');
		assert.equal((verifyMetaSignature({ appSecret: SECRET, signature, rawBody: undefined }) as { reason: string }).reason, 'no_raw_body');
		assert.equal(verifyMetaSignature({ appSecret: 42 as unknown as string, signature, rawBody: body }).ok, false);
		assert.equal(verifyMetaSignature({ appSecret: SECRET, signature: {} as unknown as string, rawBody: body }).ok, false);
		assert.equal(verifyMetaSignature({ appSecret: SECRET, signature, rawBody: { a: 1 } as unknown as string }).ok, false);
	});
});

describe('Meta webhook: payload parsing', () => {
	test('a page feed comment becomes a CommentEvent', () => {
		const { events, skipped } = parseMetaDelivery(feedDelivery([addComment]));
		assert.deepEqual(skipped, []);
		assert.deepEqual(events, [
			{
				source: 'facebook',
				verb: 'add',
				pageId: '1055',
				commentId: '2001_990001',
				postId: '1055_2001',
				parentId: '1055_2001',
				isReply: false,
				from: { id: '700001', name: 'Ana Ruiz' },
				message: 'Do you ship to Canada? 🇨🇦',
				createdTime: '2025-10-09T08:53:20.000Z',
				entryTime: '2025-10-09T08:55:00.000Z',
			},
		]);
	});

	test('all verbs, replies, aliases; unrelated changes are skipped with a reason', () => {
		const reply = { ...addComment, comment_id: '2001_990002', parent_id: '2001_990001', message: 'Same question!' };
		const edited = { ...addComment, verb: 'edited', message: 'Do you ship to Canada and the US?' };
		const removed = { item: 'comment', verb: 'remove', comment_id: '2001_990001', post_id: '1055_2001', parent_id: '1055_2001', created_time: 1760000000, from: { id: '700001' } };
		const hidden = { ...removed, verb: 'hide' };
		const unhidden = { ...removed, verb: 'unhide' };
		const deleteAlias = { ...removed, verb: 'delete' };
		const like = { item: 'like', verb: 'add', post_id: '1055_2001', user_id: '7' };
		const reaction = { item: 'reaction', verb: 'add', reaction_type: 'love', post_id: '1055_2001' };
		const oddVerb = { ...addComment, verb: 'block' };
		const noId = { ...addComment, comment_id: undefined };
		const { events, skipped } = parseMetaDelivery(feedDelivery([addComment, reply, edited, removed, hidden, unhidden, deleteAlias, like, reaction, oddVerb, noId], [{ field: 'ratings', value: {} }, { nonsense: true }]));
		assert.deepEqual(events.map((e) => [e.commentId, e.verb, e.isReply, e.message]), [
			['2001_990001', 'add', false, 'Do you ship to Canada? 🇨🇦'],
			['2001_990002', 'add', true, 'Same question!'],
			['2001_990001', 'edited', false, 'Do you ship to Canada and the US?'],
			['2001_990001', 'remove', false, null],
			['2001_990001', 'hide', false, null],
			['2001_990001', 'unhide', false, null],
			['2001_990001', 'remove', false, null],
		]);
		assert.deepEqual(events[3]!.from, { id: '700001', name: null });
		assert.deepEqual(skipped.map((s) => s.reason), ['not_a_comment', 'not_a_comment', 'unknown_verb', 'invalid_change', 'unrelated_field', 'invalid_change']);
	});

	test('Instagram comments are parsed; other objects and broken bodies are skipped, never thrown', () => {
		const ig = JSON.stringify({ object: 'instagram', entry: [{ id: '1784', time: 1760000100, changes: [{ field: 'comments', value: { from: { id: '55', username: 'trail.ana' }, media: { id: '1790', media_product_type: 'AD' }, id: '1801', text: 'Love it 😍' } }, { field: 'mentions', value: {} }] }] });
		const { events, skipped } = parseMetaDelivery(ig);
		assert.deepEqual(events.map((e) => [e.source, e.verb, e.commentId, e.postId, e.parentId, e.from?.name, e.message, e.createdTime]), [['instagram', 'add', '1801', '1790', '1790', 'trail.ana', 'Love it 😍', '2025-10-09T08:55:00.000Z']]);
		assert.deepEqual(skipped, [{ reason: 'unrelated_field', field: 'mentions' }]);
		assert.deepEqual(parseMetaDelivery('{not json').skipped, [{ reason: 'not_json' }]);
		assert.deepEqual(parseMetaDelivery({ object: 'user', entry: [] }).skipped, [{ reason: 'unknown_object', field: 'user' }]);
		assert.deepEqual(parseMetaDelivery(null).events, []);
		assert.deepEqual(parseMetaDelivery(JSON.stringify({ object: 'page', entry: [42, { id: '1' }] })).skipped, [{ reason: 'invalid_entry' }]);
		fc.assert(fc.property(fc.jsonValue(), (v) => Array.isArray(parseMetaDelivery(v).events)), { numRuns: 200 });
	});

	test('a signed delivery reports what it could not use (a comment change without its id, a body that is not JSON) instead of dropping it silently', async () => {
		const noId = { ...addComment, comment_id: undefined };
		const like = { item: 'like', verb: 'add', post_id: '1055_2001', user_id: '7' };
		// No comment event reaches the store, so none is needed.
		const store = {} as Store;
		const post = (rawBody: string) => handleMetaWebhook({ method: 'POST', headers: { 'x-hub-signature-256': computeMetaSignature(SECRET, rawBody) }, rawBody }, { appSecret: SECRET, verifyToken: 'v' }, { store, replayGuard: new InMemoryReplayGuard() });
		const out = await post(feedDelivery([noId, like]));
		assert.deepEqual([out.status, out.kind, out.events.length, out.ingest?.received], [200, 'delivery', 0, 0]);
		assert.deepEqual(out.skipped, [{ reason: 'invalid_change', field: 'feed', item: 'comment' }, { reason: 'not_a_comment', field: 'feed', item: 'like' }]);
		assert.deepEqual((await post('{"object": "page", "entry": [')).skipped, [{ reason: 'not_json' }]);
		const unsigned = await handleMetaWebhook({ method: 'POST', headers: {}, rawBody: '{}' }, { appSecret: SECRET, verifyToken: 'v' }, { store });
		assert.deepEqual([unsigned.status, unsigned.skipped], [401, []], 'nothing of an unsigned body is read');
	});

	test('times: unix seconds, milliseconds, Graph and ISO strings', () => {
		assert.equal(toIsoTime(1760000000), '2025-10-09T08:53:20.000Z');
		assert.equal(toIsoTime(1760000000000), '2025-10-09T08:53:20.000Z');
		assert.equal(toIsoTime('1760000000'), '2025-10-09T08:53:20.000Z');
		assert.equal(toIsoTime('2025-06-01T10:00:00+0000'), '2025-06-01T10:00:00.000Z');
		assert.equal(toIsoTime('2025-06-01T12:00:00+02:00'), '2025-06-01T10:00:00.000Z');
		assert.equal(toIsoTime('yesterday'), null);
		assert.equal(toIsoTime(null), null);
		// Out of the Date range: null, not a RangeError (the Graph client reads comment times with the same function).
		for (const v of [1e16, -1e16, Number.NaN, Infinity]) {
			assert.equal(toIsoTime(v), null, String(v));
			assert.equal(graphTime(v), null, String(v));
		}
		assert.equal(graphTime('1760000000'), '2025-10-09T08:53:20.000Z');
	});

	test('a comment becomes a valid social_media_items row (platform meta, unique per comment id)', () => {
		const [event] = parseMetaDelivery(feedDelivery([addComment])).events;
		const row = socialMediaItemRow.parse(toSocialMediaItemRow(event!, { adId: '120210000001' }));
		assert.equal(row.platform, 'meta');
		assert.equal(row.object_id, '2001_990001');
		assert.equal(row.object_type, 'facebook_comment');
		assert.equal(row.ad_id, '120210000001');
		assert.equal(row.text, 'Do you ship to Canada? 🇨🇦');
	});
});

describe('Meta webhook: replays', () => {
	const body = feedDelivery([addComment]);

	test('a replayed delivery is dropped; a new delivery repeating the same change is dropped per event', async () => {
		const guard = new InMemoryReplayGuard();
		const { events } = parseMetaDelivery(body);
		const first = await filterReplays(guard, body, events);
		assert.equal(first.duplicateDelivery, false);
		assert.equal(first.fresh.length, 1);
		const replay = await filterReplays(guard, body, events);
		assert.equal(replay.duplicateDelivery, true);
		assert.deepEqual(replay.fresh, []);
		// Same change, re-batched with another comment in a different delivery.
		const other = { ...addComment, comment_id: '2001_990009', message: 'Nice' };
		const rebatched = feedDelivery([other, addComment]);
		const second = await filterReplays(guard, rebatched, parseMetaDelivery(rebatched).events);
		assert.equal(second.duplicateDelivery, false);
		assert.deepEqual(second.fresh.map((e) => e.commentId), ['2001_990009']);
		assert.deepEqual(second.replayed.map((e) => e.commentId), ['2001_990001']);
	});

	test('keys: edits with new text and repeated hide/unhide are not replays; TTL expiry and release', async () => {
		const base = { source: 'facebook' as const, commentId: 'c1', createdTime: '2025-06-01T10:00:00.000Z', message: 'a', entryTime: '2025-06-01T10:00:05.000Z' };
		assert.equal(eventReplayKey({ ...base, verb: 'add' }), eventReplayKey({ ...base, verb: 'add', entryTime: 'later' }));
		assert.notEqual(eventReplayKey({ ...base, verb: 'edited' }), eventReplayKey({ ...base, verb: 'edited', message: 'b' }));
		assert.notEqual(eventReplayKey({ ...base, verb: 'hide' }), eventReplayKey({ ...base, verb: 'hide', entryTime: '2025-06-01T11:00:00.000Z' }));
		assert.match(deliveryReplayKey(body), /^meta:delivery:[0-9a-f]{64}$/);

		let now = 1_000;
		const guard = new InMemoryReplayGuard({ now: () => now, maxKeys: 3 });
		assert.equal(await guard.claim('k', 100), true);
		assert.equal(await guard.claim('k', 100), false);
		now += 101;
		assert.equal(await guard.claim('k', 100), true, 'expired keys can be claimed again');
		await guard.release('k');
		assert.equal(await guard.claim('k', 100), true, 'released keys can be claimed again');
		for (const k of ['a', 'b', 'c', 'd']) await guard.claim(k, 10_000);
		assert.ok(guard.size <= 3, 'size bound holds');

		const g2 = new InMemoryReplayGuard();
		const r = await filterReplays(g2, body, parseMetaDelivery(body).events);
		await releaseClaims(g2, r.claimed);
		assert.equal((await filterReplays(g2, body, parseMetaDelivery(body).events)).duplicateDelivery, false, 'a failed delivery released its keys for the retry');
	});
});
