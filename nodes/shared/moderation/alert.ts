// Slack alerts of comment moderation: one per moderated comment that is worth
// a person's attention, and one for accounts or posts that could not be polled.
import { escapeMrkdwn, type Alert } from '../alerts/message';
import type { ModeratedComment, PollResult } from './run';

const words = (s: string) => s.replace(/_/g, ' ');

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
