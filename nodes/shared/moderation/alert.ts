// Slack alerts of comment moderation: one per moderated comment that is worth
// a person's attention, and one for accounts or posts that could not be polled.
import { escapeMrkdwn, type Alert } from '../alerts/message';
import { keyWords as words } from '../alerts/readable';
import type { ModeratedComment, PollResult } from './run';

/**
 * The alert for a moderated comment, or null when nothing notable happened.
 * Notable: an action that was executed, failed or got stuck, and every
 * escalation or human review. The comment text goes into a field (escaped by
 * the renderer); the message is escaped too, since platform errors quote input.
 */
export function moderatedCommentAlert(c: ModeratedComment): Alert | null {
	const notable = c.actions.filter((a) => a.status === 'executed' || a.status === 'failed' || a.status === 'stuck' || a.type === 'escalate' || a.type === 'human_review');
	if (notable.length === 0) return null;
	const failed = notable.some((a) => a.status === 'failed' || a.status === 'stuck');
	const intent = c.classification.intent;
	return {
		kind: failed ? 'failure' : intent === 'complaint' || intent === 'hate' ? 'action' : 'info',
		title: `Comment ${words(intent)} on ad ${c.adId ?? c.postId ?? '?'}`,
		message: escapeMrkdwn(notable.map((a) => `${words(a.type)}: ${words(a.status)}${a.error ? ` (${a.error})` : ''}`).join('\n')),
		fields: [
			{ label: 'Comment', value: c.text.slice(0, 500) },
			{ label: 'Confidence', value: c.classification.confidence.toFixed(2) },
			{ label: 'Classifier', value: c.source === 'llm' ? 'LLM' : 'offline' },
			{ label: 'Account', value: c.accountId ?? '-' },
		],
	};
}

/** The alert for accounts or posts a comment poll could not read, or null when every one was read. */
export function commentPollAlert(errors: PollResult['errors']): Alert | null {
	if (errors.length === 0) return null;
	return {
		kind: 'failure',
		title: 'Comment polling failed for part of the accounts',
		message: 'The other accounts and posts were polled; the failed ones are read again from the same point next time.',
		items: errors.map((e) => `${e.accountId}${e.objectId ? ` / ${e.objectId}` : ''}: ${e.message}`),
	};
}

/** Most comments a digest lists by name; the rest are counted. */
export const DIGEST_LINES = 20;

/**
 * One alert for a whole dry run (instead of one per comment): how many
 * comments were classified, by intent, what the policy would do (by action),
 * the comments that would need a person, the approval requests a live run
 * would queue (a dry run creates no Notion card and posts none of them), and
 * the accounts or posts the poll could not read. Null when nothing was
 * classified and nothing failed. A comment is moderated once, so a later dry
 * run announces only comments it has not seen.
 */
export function moderationDigestAlert(comments: readonly ModeratedComment[], pollErrors: PollResult['errors'] = [], wouldQueue = 0): Alert | null {
	if (comments.length === 0 && pollErrors.length === 0 && wouldQueue === 0) return null;
	const count = (keys: string[]) => {
		const m = new Map<string, number>();
		for (const k of keys) m.set(k, (m.get(k) ?? 0) + 1);
		return [...m].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
	};
	const intents = count(comments.map((c) => c.classification.intent));
	const actions = count(comments.flatMap((c) => c.actions.map((a) => a.type)));
	const notable = comments.filter((c) => c.actions.some((a) => a.type === 'escalate' || a.type === 'human_review' || a.status === 'failed' || a.status === 'stuck'));
	const lines = notable.slice(0, DIGEST_LINES).map((c) => `${words(c.classification.intent)} (confidence ${c.classification.confidence.toFixed(2)}) on ad ${c.adId ?? c.postId ?? '?'}: "${c.text.slice(0, 120)}" → ${c.actions.map((a) => `${words(a.type)} ${words(a.status)}`).join(', ')}`);
	if (notable.length > DIGEST_LINES) lines.push(`…and ${notable.length - DIGEST_LINES} more comment(s) that would need a person`);
	const failed = pollErrors.length > 0;
	return {
		kind: failed ? 'failure' : 'summary',
		label: 'Dry run',
		title: `Comment moderation: ${comments.length} comment(s) classified, nothing hidden or posted`,
		message: escapeMrkdwn(
			[
				comments.length ? `By intent: ${intents.map(([k, n]) => `${words(k)} ${n}`).join(', ')}.` : 'No new comments.',
				actions.length ? `The policy would: ${actions.map(([k, n]) => `${words(k)} ${n}`).join(', ')}.` : 'The policy would take no action.',
				notable.length ? `${notable.length} comment(s) would go to a person.` : null,
				wouldQueue ? `A live run would ask a person about ${wouldQueue} of them (replies, escalations) on Notion approval cards; the dry run created none.` : null,
				failed ? `Polling failed for ${pollErrors.length} account(s) or post(s); they are read again from the same point next time.` : null,
			]
				.filter(Boolean)
				.join('\n'),
		),
		items: [...lines, ...pollErrors.map((e) => `Poll failed: ${e.accountId}${e.objectId ? ` / ${e.objectId}` : ''}: ${e.message}`)],
	};
}
