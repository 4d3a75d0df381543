// Posting alerts to Slack: the message, the thread it belongs to, and errors
// that say what to do.
//
// A post happens at most once per idempotency key. The key travels with the
// message as Slack message metadata (`event_type` adops_alert,
// `event_payload.idempotency_key`). Before a keyed post is sent again (a new
// run, n8n's Retry On Fail) the channel's recent history (or the thread) is
// read for that key; after a lost answer (5xx, timeout, unreadable answer)
// it is read again instead of posting again. @slack/web-api's own retry is
// off for posts: it would resend after a timeout or a 5xx (p-retry retries
// every error but its AbortError). Only answers that prove nothing was
// posted are retried here: 429 (Retry-After honoured) and a connection that
// was never made.
//
// Every message (a post, a file shared into a channel) first takes one call
// from the client's limits (`createSlackClient(…, { limits })`: the AdOps
// Store credential's Shared Limits), keyed `slack:post:<channel>`: Slack's
// about one message a second per channel (DEFAULT_QUOTAS 'slack:post'),
// counted in this process or, on PostgreSQL or Redis, across every process.
import { createHash } from 'node:crypto';
import { WebClient, type WebAPICallResult, ErrorCode, LogLevel } from '@slack/web-api';
import { unknownOutcomeText } from '../resilience/outcome';
import { RateLimitWaitTooLongError, type RateLimiter } from '../resilience/rate-limiter';
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

/** Slack message metadata that carries an alert's idempotency key. */
export const ALERT_METADATA_EVENT = 'adops_alert';

interface HistoryMessage {
	ts?: string;
	thread_ts?: string;
	metadata?: { event_type?: string; event_payload?: Record<string, unknown> };
}
type HistoryPage = WebAPICallResult & { messages?: HistoryMessage[]; has_more?: boolean; response_metadata?: { next_cursor?: string } };

/** The part of the Slack client this module uses (a WebClient satisfies it). `conversations` lets keyed posts be checked; without it a lost answer stays unknown. */
export interface SlackPoster {
	chat: {
		postMessage(args: {
			channel: string;
			text: string;
			blocks: unknown[];
			thread_ts?: string;
			unfurl_links?: boolean;
			metadata?: { event_type: string; event_payload: Record<string, unknown> };
		}): Promise<WebAPICallResult & { ts?: string; channel?: string }>;
	};
	conversations?: {
		history(args: { channel: string; oldest?: string; limit?: number; cursor?: string; include_all_metadata?: boolean }): Promise<HistoryPage>;
		replies(args: { channel: string; ts: string; limit?: number; cursor?: string; include_all_metadata?: boolean }): Promise<HistoryPage>;
		list?(args: { types?: string; exclude_archived?: boolean; limit?: number; cursor?: string }): Promise<WebAPICallResult & { channels?: Array<{ id?: string; name?: string }>; response_metadata?: { next_cursor?: string } }>;
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
	/** The idempotency key the message carries. */
	idempotencyKey?: string;
	/** The message was already in Slack (an earlier post whose answer was lost, or a rerun): nothing was posted now. */
	alreadyPosted?: boolean;
	/** A lost answer was settled by reading Slack: how. */
	resolution?: string;
}

export class AlertDeliveryError extends Error {
	constructor(
		message: string,
		readonly slackError?: string,
		/** `unknown`: the message may have been posted (its answer was lost). */
		readonly outcome: 'failed' | 'unknown' = 'failed',
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

/** How often a post is retried after an answer proving it was not posted (429, connection never made). */
const postRetries = new WeakMap<object, number>();
/** The limits a client's messages count against (the AdOps Store credential's Shared Limits). */
const postLimits = new WeakMap<object, RateLimiter>();

/** The limits key of a message to `channel`: one window per channel as written (an ID and a name of one channel count apart). */
export function slackPostKey(channel: string): string {
	return `slack:post:${channel.trim().replace(/^#/, '')}`;
}

/**
 * Takes one message to `channel` from the client's limits, waiting for the
 * channel's next window when this one is used (Slack: about one a second).
 * A wait past the limits' longest (10 min) stops here, before anything is
 * sent, as a `failed` AlertDeliveryError.
 */
export async function takeSlackMessage(client: object, channel: string): Promise<void> {
	const limits = postLimits.get(client);
	if (!limits) return;
	try {
		await limits.acquire(slackPostKey(channel));
	} catch (error) {
		if (!(error instanceof RateLimitWaitTooLongError)) throw error;
		throw new AlertDeliveryError(`Slack's message budget for ${channel} is used up for the next ${Math.round(error.waitMs / 60_000)} min (the Quotas of the AdOps Store credential); nothing was posted: post later or raise "slack:post" there`, 'ratelimited');
	}
}

/**
 * The Slack client: the SDK's own retry is off (it would resend a post whose
 * answer was lost) and 429s are handed back, so `postAlert` retries only
 * answers that prove nothing was posted (`retries` times, default 5).
 */
export function createSlackClient(settings: SlackSettings, options: { retries?: number; timeoutMs?: number; limits?: RateLimiter } = {}): WebClient {
	const client = new WebClient(settings.botToken, {
		slackApiUrl: normalizeSlackApiUrl(settings.apiUrl),
		retryConfig: { retries: 0 },
		rejectRateLimitedCalls: true,
		timeout: options.timeoutMs ?? 30_000,
		logLevel: LogLevel.ERROR,
	});
	postRetries.set(client, options.retries ?? 5);
	if (options.limits) postLimits.set(client, options.limits);
	return client;
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
	ratelimited: 'Slack rate limit reached and retries were used up (nothing was posted): try again later',
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
		return new AlertDeliveryError(`Slack ${call} to ${channel} was rate limited and retries were used up (nothing was posted): try again later`, 'ratelimited');
	}
	if (e?.code === ErrorCode.HTTPError) {
		return new AlertDeliveryError(`Slack ${call} to ${channel} failed with an HTTP error (${e.message}): Slack may be unavailable, try again later`);
	}
	return new AlertDeliveryError(`Slack ${call} to ${channel} failed: ${e?.message ?? String(error)}`);
}

/** A WebClient as the poster `postAlert` takes (its method types are wider unions than the arguments used here). */
export function slackPoster(client: WebClient): SlackPoster {
	return client as unknown as SlackPoster;
}

/** How a post's error leaves the message: `failed` (not posted: retry may help), `unknown` (maybe posted). */
export function slackPostOutcome(error: unknown): 'failed' | 'unknown' | 'rate_limited' | 'not_sent' {
	const e = error as { code?: string; original?: unknown; statusCode?: number } | undefined;
	if (e?.code === ErrorCode.RateLimitedError) return 'rate_limited';
	if (e?.code === ErrorCode.PlatformError) return 'failed'; // Slack answered ok:false: nothing was posted
	if (e?.code === ErrorCode.RequestError) {
		for (let c = e.original as { code?: unknown; cause?: unknown } | undefined, depth = 0; c && depth < 5; c = c.cause as typeof c, depth++) {
			if (c.code === 'ECONNREFUSED' || c.code === 'ENOTFOUND' || c.code === 'EAI_AGAIN') return 'not_sent';
		}
	}
	return 'unknown';
}

/** A stable idempotency key from parts (hashed when long or unusual). */
export function alertIdempotencyKey(...parts: string[]): string {
	const joined = parts.join(':');
	return /^[A-Za-z0-9:._@/-]{1,200}$/.test(joined) ? joined : `h:${createHash('sha256').update(joined, 'utf8').digest('hex').slice(0, 40)}`;
}

const CHANNEL_ID = /^[CGD][A-Z0-9]{6,}$/;
const channelIds = new WeakMap<object, Map<string, Promise<string | undefined>>>();

/** The channel's id: as given when it is one, else looked up by name (conversations.list; cached per client). */
async function channelId(slack: SlackPoster, channel: string): Promise<string | undefined> {
	const bare = channel.replace(/^#/, '');
	if (CHANNEL_ID.test(bare)) return bare;
	const list = slack.conversations?.list;
	if (!list) return undefined;
	let cache = channelIds.get(slack);
	if (!cache) channelIds.set(slack, (cache = new Map()));
	let found = cache.get(bare);
	if (!found) {
		found = (async () => {
			let cursor: string | undefined;
			for (let page = 0; page < 20; page++) {
				const res = await list.call(slack.conversations, { types: 'public_channel,private_channel', exclude_archived: true, limit: 1000, ...(cursor ? { cursor } : {}) });
				const hit = res.channels?.find((c) => c.name === bare);
				if (hit?.id) return hit.id;
				cursor = res.response_metadata?.next_cursor || undefined;
				if (!cursor) break;
			}
			return undefined;
		})();
		cache.set(bare, found);
		found.catch(() => cache!.delete(bare));
	}
	return found;
}

/** Longest look back through a channel's history for a keyed message (default 24 h), and pages read at most. */
const DEFAULT_LOOKBACK_MS = 24 * 60 * 60_000;
const MAX_PAGES = 5;

/**
 * Finds a message carrying `key` in its metadata: in the thread when
 * `threadTs` is given, else in the channel's history of the last
 * `lookbackMs`. Undefined: not found (or the client cannot read history).
 */
export async function findPostedAlert(slack: SlackPoster, channel: string, key: string, options: { threadTs?: string; lookbackMs?: number; now?: Date } = {}): Promise<{ ts: string; channel: string } | undefined> {
	if (!slack.conversations) return undefined;
	const id = await channelId(slack, channel);
	if (!id) return undefined;
	const oldest = ((options.now ?? new Date()).getTime() - (options.lookbackMs ?? DEFAULT_LOOKBACK_MS)) / 1000;
	let cursor: string | undefined;
	for (let page = 0; page < MAX_PAGES; page++) {
		const res = options.threadTs
			? await slack.conversations.replies({ channel: id, ts: options.threadTs, include_all_metadata: true, limit: 200, ...(cursor ? { cursor } : {}) })
			: await slack.conversations.history({ channel: id, oldest: oldest.toFixed(6), include_all_metadata: true, limit: 200, ...(cursor ? { cursor } : {}) });
		const hit = res.messages?.find((m) => m.metadata?.event_type === ALERT_METADATA_EVENT && m.metadata.event_payload?.idempotency_key === key);
		if (hit?.ts) return { ts: hit.ts, channel: id };
		cursor = res.has_more ? res.response_metadata?.next_cursor || undefined : undefined;
		if (!cursor) break;
	}
	return undefined;
}

function sleep(ms: number): Promise<void> {
	return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Posts an alert. With a thread key, the first alert of that key starts a
 * thread and every later one is posted as a reply in it.
 *
 * With `idempotencyKey`, the message is posted at most once per key: when
 * `checkFirst` is set (a key that can repeat across runs), Slack is read for
 * the key before posting; after a lost answer it is always read instead of
 * posting again. A message found is returned with `alreadyPosted`. A lost
 * answer that reading cannot settle throws an `unknown` AlertDeliveryError
 * (the next keyed post reads again before posting).
 */
export async function postAlert(
	slack: SlackPoster,
	alert: Alert,
	options: { channel: string; threadKey?: string; threads?: ThreadRegistry; idempotencyKey?: string; checkFirst?: boolean; lookbackMs?: number; retries?: number },
): Promise<PostedAlert> {
	const channel = options.channel.trim();
	if (!channel) throw new AlertDeliveryError('No Slack channel: set one on the node or a default channel in the AdOps Slack credential');
	const threadKey = options.threadKey?.trim() || undefined;
	if (threadKey && !options.threads) {
		throw new AlertDeliveryError('A thread key needs somewhere to remember threads: select an AdOps Store credential on the node');
	}
	const key = options.idempotencyKey?.trim() || undefined;
	const message = renderAlert(alert);
	const threadTs = threadKey ? await options.threads!.find(channel, threadKey) : undefined;
	const done = async (ts: string, postedChannel: string, extra: Partial<PostedAlert> = {}): Promise<PostedAlert> => {
		if (threadKey && !threadTs) await options.threads!.remember(channel, threadKey, ts);
		return { channel: postedChannel, ts, threadTs, threadKey, truncated: message.truncated, blockCount: message.blocks.length, ...(key ? { idempotencyKey: key } : {}), ...extra };
	};
	const look = () => findPostedAlert(slack, channel, key!, { threadTs, lookbackMs: options.lookbackMs });

	if (key && options.checkFirst) {
		const found = await look().catch(() => undefined);
		if (found) return done(found.ts, found.channel, { alreadyPosted: true });
	}

	const retries = options.retries ?? postRetries.get(slack) ?? 5;
	let result: WebAPICallResult & { ts?: string; channel?: string };
	for (let attempt = 0; ; attempt++) {
		await takeSlackMessage(slack, channel);
		try {
			result = await slack.chat.postMessage({
				channel,
				text: message.text,
				blocks: message.blocks,
				thread_ts: threadTs,
				unfurl_links: false,
				...(key ? { metadata: { event_type: ALERT_METADATA_EVENT, event_payload: { idempotency_key: key } } } : {}),
			});
			break;
		} catch (error) {
			const outcome = slackPostOutcome(error);
			if ((outcome === 'rate_limited' || outcome === 'not_sent') && attempt < retries) {
				const retryAfter = (error as { retryAfter?: number }).retryAfter;
				await sleep(outcome === 'rate_limited' && typeof retryAfter === 'number' ? retryAfter * 1000 : Math.min(30_000, 500 * 2 ** attempt));
				continue;
			}
			if (outcome !== 'unknown') throw describeSlackError(error, 'chat.postMessage', channel);
			const cause = describeSlackError(error, 'chat.postMessage', channel).message;
			if (key) {
				const found = await look().catch(() => undefined);
				if (found) return done(found.ts, found.channel, { alreadyPosted: true, resolution: `the answer was lost (${cause}); the message was found in Slack by its idempotency key` });
			}
			throw new AlertDeliveryError(
				`${unknownOutcomeText(`Posting to ${channel}`, cause)}${key ? '; reading the channel did not find it yet, so the next post with the same key reads again before posting' : ''}`,
				undefined,
				'unknown',
			);
		}
	}
	if (!result.ts) throw new AlertDeliveryError(`Slack chat.postMessage to ${channel} answered without a message timestamp`);
	return done(result.ts, result.channel ?? channel);
}
