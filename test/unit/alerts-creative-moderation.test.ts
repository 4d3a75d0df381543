// The alerts AdOps Creative and AdOps Moderation output for AdOps Alert
// (Message Source: JSON): what is announced, what is not, and that copy,
// comments and platform errors stay data in Slack.
import { test, describe } from 'vitest';
import assert from 'node:assert/strict';
import { heldBackAlert, heldBackDigestAlert, heldBackReason } from '../../nodes/shared/creative/alert';
import { alertSchema, renderAlert } from '../../nodes/shared/alerts/message';
import { DIGEST_LINES, commentPollAlert, moderatedCommentAlert, moderationDigestAlert } from '../../nodes/shared/moderation/alert';
import type { CreativeRunItem } from '../../nodes/shared/creative';
import type { ActionOutcome, ModeratedComment } from '../../nodes/shared/moderation';

const run = { platform: 'meta', campaignId: 'c-1' };

function item(over: Partial<CreativeRunItem>): CreativeRunItem {
	return {
		slot: 0,
		status: 'rejected_policy',
		variantId: 'v-1',
		storedStatus: 'rejected_policy',
		variant: null,
		contentHash: null,
		verdict: null,
		nearest: null,
		violations: [],
		findings: [],
		attempts: 1,
		proposal: null,
		reason: 'Breaks the policy: "guaranteed results".',
		...over,
	};
}

const nearest = { id: 'past-7', text: 'Spring sale <!channel> now', lexical: 0.912, semantic: 0.955, verdict: 'duplicate' as const, source: 'past' as const, slot: null, campaignId: 'c-1', status: 'approved' };

describe('heldBackAlert', () => {
	test('a duplicate names the copy it repeats and both similarities', () => {
		const alert = heldBackAlert(item({ status: 'rejected_duplicate', verdict: 'duplicate', nearest }), run)!;
		assert.equal(alert.kind, 'info');
		assert.equal(alert.title, 'Creative held back: rejected duplicate');
		assert.match(heldBackReason(item({ status: 'rejected_duplicate', verdict: 'duplicate', nearest })), /^Duplicate of past variant past-7: "Spring sale/);
		assert.deepEqual(alert.fields, [
			{ label: 'Platform', value: 'meta' },
			{ label: 'Campaign', value: 'c-1' },
			{ label: 'Similarity', value: 'lexical 0.91, semantic 0.95' },
		]);
		assert.ok(alertSchema.safeParse(alert).success);
	});

	test('a near-duplicate of a variant of the same run says so; without vectors only the lexical score', () => {
		const alert = heldBackAlert(item({ status: 'rejected_duplicate', verdict: 'near_duplicate', nearest: { ...nearest, source: 'batch', slot: 2, semantic: null } }), run)!;
		assert.match(alert.message!, /^Near-duplicate of variant 2 of this run/);
		assert.equal(alert.fields!.at(-1)!.value, 'lexical 0.91');
	});

	test('generated copy can never become a mention or a link in Slack', () => {
		const alert = heldBackAlert(item({ status: 'rejected_duplicate', verdict: 'duplicate', nearest }), run)!;
		const rendered = JSON.stringify(renderAlert(alert));
		assert.ok(!rendered.includes('<!channel>'), rendered);
		assert.ok(rendered.includes('&lt;!channel&gt;'));
	});

	test('a missing variant is a failure; rule violations and policy findings are listed', () => {
		const alert = heldBackAlert(
			item({
				status: 'missing',
				reason: 'No valid variant after 3 attempts.',
				violations: [{ message: 'Headline is 41 characters; the limit is 40' } as CreativeRunItem['violations'][number]],
				findings: [{ message: 'Claims a guarantee' } as CreativeRunItem['findings'][number]],
			}),
			run,
		)!;
		assert.equal(alert.kind, 'failure');
		assert.equal(alert.message, 'No valid variant after 3 attempts.');
		assert.deepEqual(alert.items, ['Headline is 41 characters; the limit is 40', 'Claims a guarantee']);
	});

	test('copy the campaign already has is never announced again', () => {
		assert.equal(heldBackAlert(item({ status: 'already_stored' }), run), null);
	});
});

function comment(actions: Array<Partial<ActionOutcome>>, over: Partial<ModeratedComment> = {}): ModeratedComment {
	return {
		itemId: 'i-1',
		commentId: 'cm-1',
		postId: 'p-1',
		adId: 'ad-1',
		accountId: 'act_1',
		text: 'Where is my order? <!here>',
		classification: { intent: 'question', sentiment: 'neutral', sentimentScore: 0, language: 'en', replyNeeded: true, confidence: 0.876, model: 'offline', reasons: [], categories: [] },
		source: 'offline',
		ruleIds: [],
		actions: actions.map((a) => ({ type: 'hide', mode: 'auto', ruleId: 'r', reason: 'r', idempotencyKey: 'k', status: 'dry_run', ...a }) as ActionOutcome),
		...over,
	} as ModeratedComment;
}

describe('moderatedCommentAlert', () => {
	test('nothing notable (dry runs, proposals) is not announced', () => {
		assert.equal(moderatedCommentAlert(comment([{ status: 'dry_run' }, { type: 'propose_reply', status: 'proposed' }])), null);
		assert.equal(moderatedCommentAlert(comment([])), null);
	});

	test('an executed hide is info; a complaint or hate is an action; a failure wins', () => {
		assert.equal(moderatedCommentAlert(comment([{ status: 'executed' }]))!.kind, 'info');
		const complaint = comment([{ type: 'escalate', status: 'proposed' }]);
		complaint.classification.intent = 'complaint';
		assert.equal(moderatedCommentAlert(complaint)!.kind, 'action');
		assert.equal(moderatedCommentAlert(comment([{ status: 'executed' }, { type: 'delete', status: 'stuck' }]))!.kind, 'failure');
	});

	test('says what happened to each notable action, with the comment and the classifier as fields', () => {
		const alert = moderatedCommentAlert(comment([{ status: 'failed', error: 'HTTP 500 <b>' }, { type: 'human_review', status: 'proposed' }]))!;
		assert.equal(alert.title, 'Comment question on ad ad-1');
		assert.equal(alert.message, 'hide: failed (HTTP 500 &lt;b&gt;)\nhuman review: proposed');
		assert.deepEqual(alert.fields, [
			{ label: 'Comment', value: 'Where is my order? <!here>' },
			{ label: 'Confidence', value: '0.88' },
			{ label: 'Classifier', value: 'offline' },
			{ label: 'Account', value: 'act_1' },
		]);
		assert.ok(!JSON.stringify(renderAlert(alert)).includes('<!here>'), 'the comment is data');
	});
});

describe('commentPollAlert', () => {
	test('no errors: no alert; errors: one failure alert with a line per account or post', () => {
		assert.equal(commentPollAlert([]), null);
		const alert = commentPollAlert([{ accountId: 'act_1', message: 'HTTP 500' }, { accountId: 'act_2', objectId: 'p-9', message: 'timeout' }])!;
		assert.equal(alert.kind, 'failure');
		assert.deepEqual(alert.items, ['act_1: HTTP 500', 'act_2 / p-9: timeout']);
		assert.ok(alertSchema.safeParse(alert).success);
	});
});

describe('digests: one message per run instead of one per comment or variant', () => {
	test('a moderation dry run: counts by intent and by action, the comments that would go to a person, the poll failures', () => {
		assert.equal(moderationDigestAlert([]), null);
		const many = Array.from({ length: DIGEST_LINES + 5 }, () => comment([{ type: 'escalate', status: 'dry_run' }]));
		const alert = moderationDigestAlert([...many, comment([{ status: 'dry_run' }])], [{ accountId: 'act_9', message: 'HTTP 500' }])!;
		assert.ok(alertSchema.safeParse(alert).success);
		assert.equal(alert.kind, 'failure', 'a poll failure makes it a failure');
		assert.equal(alert.title, `Comment moderation: ${DIGEST_LINES + 6} comment(s) classified, nothing hidden or posted`);
		assert.match(alert.message!, /^By intent: question 26\.\nThe policy would: escalate 25, hide 1\.\n25 comment\(s\) would go to a person\./);
		assert.equal(alert.items!.length, DIGEST_LINES + 2);
		assert.match(alert.items![0]!, /^question \(confidence 0\.88\) on ad ad-1: "Where is my order\? <!here>" → escalate dry run$/);
		assert.equal(alert.items![DIGEST_LINES], '…and 5 more comment(s) that would need a person');
		assert.equal(alert.items!.at(-1), 'Poll failed: act_9: HTTP 500');
		assert.match(moderationDigestAlert([comment([])], [], 11)!.message!, /A live run would ask a person about 11 of them \(replies, escalations\) on Notion approval cards; the dry run created none\./);
		assert.ok(!JSON.stringify(renderAlert(alert)).includes('<!here>'), 'the comment is data');
	});

	test('held-back variants of a campaign run: one alert listing each with its reason; already stored copy is left out', () => {
		assert.equal(heldBackDigestAlert([item({ status: 'already_stored' })], run), null);
		const alert = heldBackDigestAlert([item({ slot: 0 }), item({ slot: 1, status: 'rejected_duplicate', verdict: 'duplicate', nearest }), item({ slot: 2, status: 'already_stored' })], run)!;
		assert.ok(alertSchema.safeParse(alert).success);
		assert.equal(alert.title, 'Creative held back: 2 variant(s) for campaign c-1');
		assert.equal(alert.items!.length, 2);
		assert.match(alert.items![0]!, /^Variant 1, rejected policy: Breaks the policy/);
		assert.match(alert.items![1]!, /^Variant 2, rejected duplicate: Duplicate of past variant past-7: .* \(similarity: lexical 0\.91, semantic 0\.95\)$/);
		assert.equal(heldBackDigestAlert([item({ status: 'missing' })], run)!.kind, 'failure');
	});

	test('the digest (what a run posts) keeps generated copy data in Slack: no mention, no link', () => {
		const rendered = JSON.stringify(renderAlert(heldBackDigestAlert([item({ reason: 'Breaks the policy: "<https://x.test|click> <!here>"' }), item({ slot: 1, status: 'rejected_duplicate', verdict: 'duplicate', nearest })], run)!));
		for (const raw of ['<!channel>', '<!here>', '<https://x.test|click>']) assert.ok(!rendered.includes(raw), `${raw} in ${rendered}`);
		assert.ok(rendered.includes('&lt;!channel&gt;') && rendered.includes('&lt;!here&gt;'), rendered);
	});
});
