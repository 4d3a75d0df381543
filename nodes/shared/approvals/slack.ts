/**
 * Slack's interaction request for an Approve or Reject click, end to end:
 * verify the signature (before reading anything in the body), parse the
 * click, feed it to the queue's decision path and say what Slack should get
 * back. Never throws: every outcome is an answer.
 *
 * Slack wants an HTTP 200 within 3 seconds. For `block_actions` it does not
 * show the body of that answer; a message to the clicking user goes to the
 * interaction's `response_url`, which is why the answer carries `reply`
 * (POST `reply.message` as JSON to `reply.url`). `body` holds the same
 * message, so a caller that can only answer the request still says
 * something sensible.
 */
import { parseApprovalInteraction, type ApprovalInteraction, type InteractionRejection } from '../alerts/interaction';
import { escapeMrkdwn } from '../alerts/message';
import { verifySlackRequest, type RequestHeaders, type SlackSignatureFailure } from '../alerts/slack-signature';
import type { ApprovalEvent } from './events';
import { ApprovalError, type ApprovalQueue } from './queue';

/** How long the decision may wait for each Notion call before answering Slack anyway (the store decides; the card can follow). */
export const SLACK_NOTION_BUDGET_MS = 1500;

export type SlackInteractionOutcome =
	/** The click decided the proposal (approved or rejected). */
	| 'decided'
	/** The click was refused (allow-list, hash mismatch, expiry, tampering); nothing executes. */
	| 'refused'
	/** The proposal was no longer pending; nothing changed. */
	| 'unchanged'
	/** The button names a proposal that is not in the queue. */
	| 'unknown_proposal'
	/** Signature missing, wrong or stale: not from Slack (HTTP 401). */
	| 'unauthorized'
	/** Signed by Slack but not a readable Approve/Reject click (HTTP 400). */
	| 'bad_request'
	/** Signed by Slack but another kind of interaction or another app button (HTTP 200, ignored). */
	| 'ignored'
	/** The decision could not be recorded (store unreachable, …); nothing was decided. */
	| 'error';

/** A message for `response_url`: only the clicking user sees it, the alert stays as it is. */
export interface SlackReplyMessage {
	response_type: 'ephemeral';
	replace_original: false;
	text: string;
}

export interface SlackInteractionAnswer {
	/** HTTP status for Slack's request. */
	status: 200 | 400 | 401;
	/** HTTP body: the reply message, an error for 4xx, or '' when ignored. */
	body: SlackReplyMessage | { error: string; message: string } | '';
	outcome: SlackInteractionOutcome;
	events: ApprovalEvent[];
	/** POST `message` (JSON) to `url` to tell the clicking user what happened. */
	reply?: { url: string; message: SlackReplyMessage };
	/** The parsed click (after verification). */
	interaction?: ApprovalInteraction;
	/** Why the request was refused or failed (signature or parse reason, error code). */
	reason?: SlackSignatureFailure | InteractionRejection | 'unknown_proposal' | 'store_error';
	/** One line for logs. */
	message: string;
}

export interface SlackInteractionRequest {
	queue: ApprovalQueue;
	/** The Slack app's signing secret. */
	signingSecret: string;
	/** Request headers (any case). */
	headers: RequestHeaders | undefined;
	/** The body exactly as received. */
	rawBody: string | Uint8Array;
	/** Clock for the 5-minute timestamp window (tests). */
	now?: Date | number;
	/** See SLACK_NOTION_BUDGET_MS. */
	notionBudgetMs?: number;
}

/** Requests with these parse failures were meant for us but cannot be read: 400. Others are someone else's interaction: 200, ignored. */
const NOT_OURS: ReadonlySet<InteractionRejection> = new Set(['not_block_actions', 'foreign_action']);

const ICON: Partial<Record<ApprovalEvent['type'], string>> = {
	approved: ':white_check_mark:',
	rejected: ':no_entry_sign:',
	refused: ':warning:',
	expired: ':hourglass:',
	unchanged: ':information_source:',
};

function replyMessage(text: string): SlackReplyMessage {
	return { response_type: 'ephemeral', replace_original: false, text };
}

function eventLine(e: ApprovalEvent): string {
	const card = e.cardError ? `\n_The Notion card was not updated: ${escapeMrkdwn(e.cardError)}_` : '';
	return `${ICON[e.type] ?? ':information_source:'} ${escapeMrkdwn(e.message)}${card}`;
}

function outcomeOf(last: ApprovalEvent | undefined): SlackInteractionOutcome {
	if (!last) return 'unchanged';
	if (last.type === 'approved' || last.type === 'rejected') return 'decided';
	if (last.type === 'refused' || last.type === 'expired') return 'refused';
	return 'unchanged';
}

/** Verifies, parses and applies one Slack interaction request. Never throws. */
export async function handleSlackInteraction(request: SlackInteractionRequest): Promise<SlackInteractionAnswer> {
	const { queue, signingSecret, headers, rawBody, now } = request;
	const verified = verifySlackRequest({ signingSecret, headers, rawBody, now });
	if (!verified.ok) {
		return {
			status: 401,
			body: { error: 'invalid_request_signature', message: verified.message },
			outcome: 'unauthorized',
			events: [],
			reason: verified.reason,
			message: `Refused a request to the Slack interaction endpoint (${verified.reason}): ${verified.message}. Nothing was decided.`,
		};
	}
	const parsed = parseApprovalInteraction(rawBody);
	if (!parsed.ok) {
		if (NOT_OURS.has(parsed.reason)) {
			return { status: 200, body: '', outcome: 'ignored', events: [], reason: parsed.reason, message: `Ignored a Slack interaction that is not an AdOps approval click: ${parsed.message}` };
		}
		return {
			status: 400,
			body: { error: parsed.reason, message: parsed.message },
			outcome: 'bad_request',
			events: [],
			reason: parsed.reason,
			message: `A signed Slack interaction could not be read as an approval click (${parsed.reason}): ${parsed.message}. Nothing was decided.`,
		};
	}
	const interaction = parsed.interaction;
	const answer = (outcome: SlackInteractionOutcome, events: ApprovalEvent[], text: string, reason?: SlackInteractionAnswer['reason']): SlackInteractionAnswer => {
		const message = replyMessage(text);
		return {
			status: 200,
			body: message,
			outcome,
			events,
			reply: { url: interaction.responseUrl, message },
			interaction,
			...(reason ? { reason } : {}),
			message: events.length ? events.map((e) => e.message).join(' ') : text,
		};
	};
	try {
		const events = await queue.decide(interaction.proposalId, {
			decision: interaction.decision,
			source: 'slack',
			payloadHash: interaction.payloadHash,
			actor: { slackUserId: interaction.slackUserId, slackUserName: interaction.slackUserName },
			notionBudgetMs: request.notionBudgetMs ?? SLACK_NOTION_BUDGET_MS,
		});
		return answer(outcomeOf(events[events.length - 1]), events, events.map(eventLine).join('\n'));
	} catch (error) {
		if (error instanceof ApprovalError && error.code === 'unknown_proposal') {
			return answer(
				'unknown_proposal',
				[],
				`:information_source: Proposal ${escapeMrkdwn(interaction.proposalId)} is not in the approval queue (it was removed, or this message comes from another installation); your click changed nothing.`,
				'unknown_proposal',
			);
		}
		const detail = error instanceof Error ? error.message : String(error);
		return answer('error', [], `:x: Your ${interaction.decision === 'approve' ? 'approval' : 'rejection'} could not be recorded (${escapeMrkdwn(detail)}); nothing was decided. Click again, or decide on the Notion card.`, 'store_error');
	}
}
