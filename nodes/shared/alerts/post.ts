// Posting alerts to Slack: the message, the thread it belongs to, and errors
// that say what to do. Uses @slack/web-api, whose own retry honours 429
// Retry-After and retries transient failures.
import { WebClient, type WebAPICallResult, ErrorCode, retryPolicies } from '@slack/web-api';
import { renderAlert, type Alert } from './message';

export interface SlackSettings {
	botToken: string;
	/** Base URL of Slack's Web API, ending in `/api/`. */
	apiUrl?: string;
	defaultChannel?: string;
}

/** Where thread keys are remembered (the store's `alert_threads` table). */
export interface ThreadRegistry {
	find(channel: string, threadKey: string): Promise<string | undefined>;
	remember(channel: string, threadKey: string, ts: string): Promise<void>;
}

/** The part of the Slack client this module uses (a WebClient satisfies it). */
export interface SlackPoster {
	chat: {
		postMessage(args: { channel: string; text: string; blocks: unknown[]; thread_ts?: string; unfurl_links?: boolean }): Promise<WebAPICallResult & { ts?: string; channel?: string }>;
	};
}

export interface PostedAlert {
	channel: string;
	ts: string;
	/** The thread's parent message when the alert was posted as a follow-up. */
	threadTs?: string;
	threadKey?: string;
	truncated: boolean;
	blockCount: number;
}

export class AlertDeliveryError extends Error {
	constructor(
		message: string,
		readonly slackError?: string,
	) {
		super(message);
		this.name = 'AlertDeliveryError';
	}
}

export const DEFAULT_SLACK_API_URL = 'https://slack.com/api/';

export function normalizeSlackApiUrl(url: string | undefined): string {
	const u = (url ?? '').trim() || DEFAULT_SLACK_API_URL;
	return u.endsWith('/') ? u : `${u}/`;
}

export function createSlackClient(settings: SlackSettings, options: { retries?: number } = {}): WebClient {
	return new WebClient(settings.botToken, {
		slackApiUrl: normalizeSlackApiUrl(settings.apiUrl),
		retryConfig: options.retries === 0 ? { retries: 0 } : { ...retryPolicies.fiveRetriesInFiveMinutes, retries: options.retries ?? 5 },
		rejectRateLimitedCalls: false,
	});
}

const SLACK_ERROR_HINTS: Record<string, string> = {
	channel_not_found: 'the channel does not exist or the bot cannot see it: check the channel name or ID and invite the bot to it',
	not_in_channel: 'the bot is not a member of the channel: invite it with /invite',
	is_archived: 'the channel is archived: unarchive it or choose another channel',
	invalid_auth: 'Slack rejected the bot token: check the AdOps Slack credential',
	not_authed: 'no bot token was sent: check the AdOps Slack credential',
	token_revoked: 'the bot token was revoked: reinstall the Slack app and update the credential',
	account_inactive: 'the bot token belongs to a deactivated app or user: reinstall the Slack app',
	missing_scope: 'the bot token lacks the chat:write scope: add it to the Slack app and reinstall',
	invalid_blocks: 'Slack refused the message layout (a Block Kit limit was exceeded)',
	msg_too_long: 'the message text is too long for Slack',
	ratelimited: 'Slack rate limit reached and retries were used up: try again later',
};

/** Turns a @slack/web-api error into one sentence naming the call and what to do. */
export function describeSlackError(error: unknown, call: string, channel: string): AlertDeliveryError {
	const e = error as { code?: string; data?: { error?: string; response_metadata?: { messages?: string[] } }; original?: Error; message?: string };
	if (e?.code === ErrorCode.PlatformError && e.data?.error) {
		const code = e.data.error;
		const hint = SLACK_ERROR_HINTS[code] ?? 'see https://api.slack.com/methods/' + call;
		const details = e.data.response_metadata?.messages?.length ? ` (${e.data.response_metadata.messages.join('; ')})` : '';
		return new AlertDeliveryError(`Slack ${call} to ${channel} failed with "${code}": ${hint}${details}`, code);
	}
	if (e?.code === ErrorCode.RequestError) {
		return new AlertDeliveryError(`Slack ${call} to ${channel} could not reach the Slack API (${e.original?.message ?? e.message}): check the API URL in the AdOps Slack credential and the network`);
	}
	if (e?.code === ErrorCode.RateLimitedError) {
		return new AlertDeliveryError(`Slack ${call} to ${channel} was rate limited and retries were used up: try again later`, 'ratelimited');
	}
	if (e?.code === ErrorCode.HTTPError) {
		return new AlertDeliveryError(`Slack ${call} to ${channel} failed with an HTTP error (${e.message}): Slack may be unavailable, try again later`);
	}
	return new AlertDeliveryError(`Slack ${call} to ${channel} failed: ${e?.message ?? String(error)}`);
}

/**
 * Posts an alert. With a thread key, the first alert of that key starts a
 * thread and every later one is posted as a reply in it.
 */
export async function postAlert(
	slack: SlackPoster,
	alert: Alert,
	options: { channel: string; threadKey?: string; threads?: ThreadRegistry },
): Promise<PostedAlert> {
	const channel = options.channel.trim();
	if (!channel) throw new AlertDeliveryError('No Slack channel: set one on the node or a default channel in the AdOps Slack credential');
	const threadKey = options.threadKey?.trim() || undefined;
	if (threadKey && !options.threads) {
		throw new AlertDeliveryError('A thread key needs somewhere to remember threads: select an AdOps Store credential on the node');
	}
	const message = renderAlert(alert);
	const threadTs = threadKey ? await options.threads!.find(channel, threadKey) : undefined;

	let result: WebAPICallResult & { ts?: string; channel?: string };
	try {
		result = await slack.chat.postMessage({ channel, text: message.text, blocks: message.blocks, thread_ts: threadTs, unfurl_links: false });
	} catch (error) {
		throw describeSlackError(error, 'chat.postMessage', channel);
	}
	if (!result.ts) throw new AlertDeliveryError(`Slack chat.postMessage to ${channel} answered without a message timestamp`);
	if (threadKey && !threadTs) await options.threads!.remember(channel, threadKey, result.ts);

	return {
		channel: result.channel ?? channel,
		ts: result.ts,
		threadTs,
		threadKey,
		truncated: message.truncated,
		blockCount: message.blocks.length,
	};
}
