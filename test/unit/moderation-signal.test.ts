import assert from 'node:assert/strict';
import { describe, test } from 'vitest';
import type { Intent, SentimentLabel } from '../../nodes/shared/moderation/classify';
import { COMMENT_METRICS, adCommentSignalRow, aggregateCommentSignals, localDate, toMetricRecords, type SignalInput } from '../../nodes/shared/moderation/signal';

let n = 0;
function comment(adId: string | null, createdTime: string, intent: Intent, sentiment: SentimentLabel, commentId = `c${++n}`): SignalInput {
	return { platform: 'meta', accountId: '998877', campaignId: '2385001', adId, commentId, createdTime, classification: { intent, sentiment } };
}

describe('comment signal per ad and day', () => {
	test('shares of negative and abusive comments; spam and scams excluded; days in the account time zone', () => {
		const inputs = [
			comment('ad1', '2025-06-01T10:00:00Z', 'praise', 'positive'),
			comment('ad1', '2025-06-01T11:00:00Z', 'harassment_abuse', 'negative'),
			comment('ad1', '2025-06-01T12:00:00Z', 'hate', 'negative'),
			comment('ad1', '2025-06-01T13:00:00Z', 'complaint', 'negative'),
			comment('ad1', '2025-06-01T14:00:00Z', 'spam', 'neutral'),
			comment('ad1', '2025-06-01T15:00:00Z', 'scam_phishing', 'neutral'),
			// 23:30 UTC is the next day in Berlin.
			comment('ad1', '2025-06-01T23:30:00Z', 'question', 'neutral'),
			comment('ad2', '2025-06-01T09:00:00Z', 'spam', 'neutral'),
			comment(null, '2025-06-01T09:00:00Z', 'hate', 'negative', 'orphan'),
			comment('ad2', 'not a time', 'praise', 'positive', 'badtime'),
		];
		const { signals, skipped } = aggregateCommentSignals(inputs, { timeZone: 'Europe/Berlin' });
		assert.deepEqual(skipped, [{ commentId: 'orphan', reason: 'no_ad' }, { commentId: 'badtime', reason: 'invalid_time' }]);
		assert.deepEqual(
			signals.map((s) => [s.ad_id, s.date, s.comments, s.negative_comments, s.abusive_comments, s.excluded_comments, s.negative_share, s.abusive_share]),
			[
				['ad1', '2025-06-01', 4, 3, 2, 2, 0.75, 0.5],
				['ad1', '2025-06-02', 1, 0, 0, 0, 0, 0],
				['ad2', '2025-06-01', 0, 0, 0, 1, null, null],
			],
		);
		for (const s of signals) adCommentSignalRow.parse(s);
		assert.equal(signals[0]!.campaign_id, '2385001');
	});

	test('a comment classified twice counts once (the last classification wins)', () => {
		const a = comment('ad1', '2025-06-01T10:00:00Z', 'praise', 'positive', 'same');
		const b = comment('ad1', '2025-06-01T10:00:00Z', 'harassment_abuse', 'negative', 'same');
		const [s] = aggregateCommentSignals([a, b]).signals;
		assert.deepEqual([s!.comments, s!.abusive_comments], [1, 1]);
	});

	test('the rule example: abusive share over 20 % with at least 30 comments', () => {
		const inputs = Array.from({ length: 30 }, (_, i) => comment('ad9', `2025-06-03T${String(i % 24).padStart(2, '0')}:00:00Z`, i < 7 ? 'harassment_abuse' : 'praise', i < 7 ? 'negative' : 'positive'));
		const [s] = aggregateCommentSignals(inputs).signals;
		assert.equal(s!.comments, 30);
		assert.ok(s!.abusive_share! > 0.2);
		const records = toMetricRecords(s!);
		assert.deepEqual(Object.fromEntries(records.map((r) => [r.metric, r.value])), {
			[COMMENT_METRICS.comments]: 30,
			[COMMENT_METRICS.negativeComments]: 7,
			[COMMENT_METRICS.abusiveComments]: 7,
			[COMMENT_METRICS.negativeShare]: 0.2333,
			[COMMENT_METRICS.abusiveShare]: 0.2333,
		});
		assert.ok(records.every((r) => r.entity_level === 'ad' && r.entity_id === 'ad9' && r.date === '2025-06-03'));
	});

	test('dates and time zones', () => {
		assert.equal(localDate('2025-06-01T23:30:00Z'), '2025-06-01');
		assert.equal(localDate('2025-06-01T23:30:00Z', 'Asia/Tokyo'), '2025-06-02');
		assert.equal(localDate('2025-06-01T03:00:00Z', 'America/Los_Angeles'), '2025-05-31');
		assert.equal(localDate('nope'), null);
		assert.throws(() => aggregateCommentSignals([], { timeZone: 'Mars/Olympus' }), RangeError);
		assert.deepEqual(aggregateCommentSignals([]), { signals: [], skipped: [] });
	});
});
