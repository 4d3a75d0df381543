// AdOps Moderation Trigger: what a delivery held that was not stored, and the
// log line that says so (the node's webhook itself runs in real n8n in
// test/e2e/moderation.test.ts).
import { test, describe } from 'vitest';
import assert from 'node:assert/strict';
import { parseMetaDelivery, type IngestResult, type MetaWebhookOutcome } from '../../nodes/shared/moderation';
import { outcomeLog, skippedEntries } from '../../nodes/AdOpsModerationTrigger/skipped';

const PAGE = '1122334455';

function delivery(changes: unknown[]): string {
	return JSON.stringify({ object: 'page', entry: [{ id: PAGE, time: 1_748_772_000, changes }] });
}

const comment = (id: string, extra: Record<string, unknown> = {}) => ({ field: 'feed', value: { item: 'comment', verb: 'add', comment_id: id, post_id: `${PAGE}_9`, parent_id: `${PAGE}_9`, from: { id: '77', name: 'Visitor' }, message: 'Where is my order?', created_time: 1_748_772_000, ...extra } });

function outcome(rawBody: string, ingest: Partial<IngestResult> = {}, replayed = 0): MetaWebhookOutcome {
	const parsed = parseMetaDelivery(rawBody);
	return {
		status: 200,
		body: '{"ok":true}',
		contentType: 'application/json',
		kind: 'delivery',
		events: parsed.events,
		replayed,
		skipped: parsed.skipped,
		ingest: { received: parsed.events.length, inserted: [], existing: 0, updated: 0, skipped: [], ...ingest },
	};
}

describe('skipped entries of a delivery', () => {
	test('delivery-level skips (with field, item, verb) come first, then comments the store did not take, with their ids; never comment text', () => {
		const o = outcome(
			delivery([
				{ field: 'feed', value: { item: 'reaction', verb: 'add', reaction_type: 'like' } },
				{ field: 'feed', value: { item: 'comment', verb: 'add' } },
				comment('c_strange', { verb: 'block' }),
				{ field: 'mention', value: {} },
				comment('c_own', { from: { id: PAGE } }),
				comment('c_sticker', { message: null }),
			]),
			{ skipped: [{ commentId: 'c_own', reason: 'own_comment' }, { commentId: 'c_sticker', reason: 'no_text' }] },
		);
		const entries = skippedEntries(o);
		assert.deepEqual(entries, [
			{ stage: 'delivery', reason: 'not_a_comment', field: 'feed', item: 'reaction' },
			{ stage: 'delivery', reason: 'invalid_change', field: 'feed', item: 'comment' },
			{ stage: 'delivery', reason: 'unknown_verb', field: 'feed', item: 'comment', verb: 'block' },
			{ stage: 'delivery', reason: 'unrelated_field', field: 'mention' },
			{ stage: 'store', reason: 'own_comment', commentId: 'c_own' },
			{ stage: 'store', reason: 'no_text', commentId: 'c_sticker' },
		]);
		assert.doesNotMatch(JSON.stringify(entries), /Where is my order/);

		const log = outcomeLog(o, entries)!;
		assert.equal(log.level, 'warn', 'a change that could not be read is lost data');
		assert.equal(log.message, 'AdOps Moderation Trigger: 0 new comments stored, 6 entries skipped (not_a_comment ×1, invalid_change ×1, unknown_verb ×1, unrelated_field ×1, own_comment ×1, no_text ×1)');
		assert.deepEqual(log.meta.skipped, { not_a_comment: 1, invalid_change: 1, unknown_verb: 1, unrelated_field: 1, own_comment: 1, no_text: 1 });
		assert.deepEqual(log.meta.entries, entries);
		assert.doesNotMatch(JSON.stringify(log), /Where is my order/);
	});

	test('levels: skipped comments are info, the feed\'s other changes and replays debug; a delivery stored in full says nothing', () => {
		const stored = { id: 'row-1' } as unknown as IngestResult['inserted'][number];
		const likes = outcome(delivery([{ field: 'feed', value: { item: 'reaction', verb: 'add' } }, comment('c1')]), { inserted: [stored] });
		assert.deepEqual(
			[outcomeLog(likes)!.level, outcomeLog(likes)!.message],
			['debug', 'AdOps Moderation Trigger: 1 new comment stored, 1 entry skipped (not_a_comment ×1)'],
		);
		const noText = outcome(delivery([comment('c2', { message: null })]), { skipped: [{ commentId: 'c2', reason: 'no_text' }] });
		assert.equal(outcomeLog(noText)!.level, 'info');
		const replay = outcome(delivery([comment('c3')]), {}, 1);
		assert.deepEqual([outcomeLog(replay)!.level, outcomeLog(replay)!.message], ['debug', 'AdOps Moderation Trigger: 0 new comments stored, 1 replayed change ignored']);
		assert.equal(outcomeLog(outcome(delivery([comment('c4')]), { inserted: [stored] })), undefined);
		const notJson = outcome('{not json');
		assert.deepEqual(skippedEntries(notJson), [{ stage: 'delivery', reason: 'not_json' }]);
		assert.equal(outcomeLog(notJson)!.level, 'warn');
		const instagramToPage = outcome(JSON.stringify({ object: 'user', entry: [] }));
		assert.deepEqual(skippedEntries(instagramToPage), [{ stage: 'delivery', reason: 'unknown_object', field: 'user' }]);
	});

	test('refused requests are warnings, replayed deliveries debug; neither has skipped entries to output', () => {
		const base = { body: '', contentType: 'text/plain' as const, events: [], replayed: 0, skipped: [] };
		const refused: MetaWebhookOutcome = { ...base, status: 401, kind: 'rejected', reason: 'bad_signature' };
		assert.deepEqual(skippedEntries(refused), []);
		assert.deepEqual(outcomeLog(refused), { level: 'warn', message: 'AdOps Moderation Trigger: refused a request (HTTP 401, bad_signature); no workflow was started', meta: { status: 401, reason: 'bad_signature' } });
		const duplicate: MetaWebhookOutcome = { ...base, status: 200, kind: 'duplicate', replayed: 2 };
		assert.deepEqual([skippedEntries(duplicate), outcomeLog(duplicate)?.level], [[], 'debug']);
		assert.equal(outcomeLog({ ...base, status: 200, kind: 'verification' }), undefined);
	});
});
