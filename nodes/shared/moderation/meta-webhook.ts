/**
 * Meta (Facebook Page and Instagram) webhooks for comments, as Meta documents
 * them (https://developers.facebook.com/docs/graph-api/webhooks/getting-started):
 *
 * - GET verification: Meta calls the endpoint with `hub.mode=subscribe`,
 *   `hub.verify_token` (the token typed into the app dashboard) and
 *   `hub.challenge`; the endpoint answers 200 with the challenge when the
 *   token matches.
 * - POST deliveries carry `X-Hub-Signature-256: sha256=<hex>`, the
 *   HMAC-SHA256 of the raw request body keyed with the app secret. Meta
 *   computes it over the body bytes exactly as sent (with non-ASCII escaped as
 *   `\uXXXX`), so the check must use the raw body, never re-serialised JSON.
 * - Page `feed` changes with `item: "comment"` and Instagram `comments`
 *   changes become `CommentEvent`s; anything else in a delivery is skipped
 *   with a reason, never an error.
 *
 * Replays: a delivery is identified by the sha256 of its raw body, a comment
 * change by its comment id, verb and time (`eventReplayKey`). `ReplayGuard`
 * is the store-backed "seen before?" check; `InMemoryReplayGuard` is the
 * single-process version (tests, the embedded store). Check the signature
 * first: only authentic deliveries may write replay keys.
 *
 * Pure: no I/O, no logging; the verification functions never throw on what a
 * caller received, and the messages never contain a secret.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import type { RowInput } from '../schema/rows';
import { requestHeader, type RequestHeaders } from '../http/headers';
import { graphTime } from '../platforms/meta-comments';
import { limitCommentText } from './comment-text';
import { COMMENT_PLATFORM } from './platform';

export const META_SIGNATURE_HEADER = 'x-hub-signature-256';
export const META_SIGNATURE_PREFIX = 'sha256=';

/** Header values by name, as web frameworks and n8n webhooks hand them over. */
export type { RequestHeaders };

function constantTimeEqual(a: string, b: string): boolean {
	// Hash both sides to a fixed length: no early exit, and the length of the secret does not leak.
	const ha = createHash('sha256').update(a, 'utf8').digest();
	const hb = createHash('sha256').update(b, 'utf8').digest();
	return timingSafeEqual(ha, hb);
}

// ---- GET verification -----------------------------------------------------------

export type MetaSubscriptionFailure = 'not_configured' | 'not_subscribe' | 'missing_token' | 'bad_token' | 'missing_challenge' | 'bad_challenge';

export type MetaSubscriptionResult = { ok: true; challenge: string } | { ok: false; reason: MetaSubscriptionFailure; message: string };

/** Query parameters: flat (`{"hub.mode": …}`), nested (`{hub: {mode: …}}`) or URLSearchParams. */
export type QueryParams = URLSearchParams | Record<string, unknown> | undefined | null;

function queryValue(query: QueryParams, name: 'mode' | 'verify_token' | 'challenge'): string | undefined {
	if (!query) return undefined;
	if (query instanceof URLSearchParams) {
		const all = query.getAll(`hub.${name}`);
		return all.length === 1 ? all[0] : undefined;
	}
	if (typeof query !== 'object') return undefined;
	const flat = (query as Record<string, unknown>)[`hub.${name}`];
	const nested = (query as { hub?: unknown }).hub;
	const value = flat !== undefined ? flat : nested && typeof nested === 'object' ? (nested as Record<string, unknown>)[name] : undefined;
	if (Array.isArray(value)) return value.length === 1 && typeof value[0] === 'string' ? value[0] : undefined;
	return typeof value === 'string' ? value : undefined;
}

/**
 * Answers Meta's subscription check: the challenge to echo (HTTP 200, text
 * body) or why not (HTTP 403). The challenge must look like one (Meta sends
 * digits; letters, `-`, `_` and `.` are tolerated, 1..256 characters), so
 * the endpoint never reflects arbitrary text.
 */
export function verifyMetaSubscription(input: { verifyToken: string; query: QueryParams }): MetaSubscriptionResult {
	try {
		const { verifyToken, query } = input;
		if (typeof verifyToken !== 'string' || verifyToken.length === 0) {
			return { ok: false, reason: 'not_configured', message: 'No verify token is configured: set the same token here and in the Meta app\'s webhook settings' };
		}
		const mode = queryValue(query, 'mode');
		if (mode !== 'subscribe') return { ok: false, reason: 'not_subscribe', message: 'The request is not a subscription check (hub.mode is not "subscribe")' };
		const token = queryValue(query, 'verify_token');
		if (!token) return { ok: false, reason: 'missing_token', message: 'The subscription check has no hub.verify_token' };
		if (!constantTimeEqual(token, verifyToken)) return { ok: false, reason: 'bad_token', message: 'hub.verify_token does not match the configured verify token' };
		const challenge = queryValue(query, 'challenge');
		if (!challenge) return { ok: false, reason: 'missing_challenge', message: 'The subscription check has no hub.challenge' };
		if (!/^[A-Za-z0-9._-]{1,256}$/u.test(challenge)) return { ok: false, reason: 'bad_challenge', message: 'hub.challenge is not a plain token, so it is not echoed back' };
		return { ok: true, challenge };
	} catch {
		return { ok: false, reason: 'not_subscribe', message: 'The subscription check could not be read' };
	}
}

// ---- POST signature ---------------------------------------------------------------

export type MetaSignatureFailure = 'not_configured' | 'missing_header' | 'malformed' | 'no_raw_body' | 'bad_signature';

export type MetaSignatureResult = { ok: true } | { ok: false; reason: MetaSignatureFailure; message: string };

/** `sha256=<hex>` of a raw body: what Meta sends, and what the sandbox signs with. */
export function computeMetaSignature(appSecret: string, rawBody: string | Uint8Array): string {
	const hmac = createHmac('sha256', appSecret);
	if (typeof rawBody === 'string') hmac.update(rawBody, 'utf8');
	else hmac.update(rawBody);
	return `${META_SIGNATURE_PREFIX}${hmac.digest('hex')}`;
}

function failure(reason: MetaSignatureFailure, message: string): MetaSignatureResult {
	return { ok: false, reason, message };
}

/**
 * Checks `X-Hub-Signature-256` against the raw body. Any failure means the
 * caller answers 401 and emits nothing.
 */
export function verifyMetaSignature(input: { appSecret: string; signature: string | undefined | null; rawBody: string | Uint8Array | undefined | null }): MetaSignatureResult {
	try {
		const { appSecret, signature, rawBody } = input;
		if (typeof appSecret !== 'string' || appSecret.length === 0) {
			return failure('not_configured', 'No app secret is configured: copy it from the Meta app\'s "Basic" settings into the credential');
		}
		const sig = typeof signature === 'string' ? signature.trim() : '';
		if (!sig) return failure('missing_header', 'The request has no X-Hub-Signature-256 header, so it cannot be shown to come from Meta');
		if (!sig.toLowerCase().startsWith(META_SIGNATURE_PREFIX)) return failure('malformed', 'X-Hub-Signature-256 does not start with "sha256="');
		const hex = sig.slice(META_SIGNATURE_PREFIX.length);
		if (!/^[0-9a-fA-F]{64}$/u.test(hex)) return failure('malformed', 'X-Hub-Signature-256 is not 64 hexadecimal digits after "sha256="');
		if (typeof rawBody !== 'string' && !(rawBody instanceof Uint8Array)) {
			return failure('no_raw_body', 'The raw request body is not available: enable "Raw Body" on the webhook so the signature can be checked');
		}
		const expected = Buffer.from(computeMetaSignature(appSecret, rawBody).slice(META_SIGNATURE_PREFIX.length), 'hex');
		const received = Buffer.from(hex, 'hex');
		if (expected.length !== received.length || !timingSafeEqual(expected, received)) {
			return failure('bad_signature', 'X-Hub-Signature-256 does not match the body and the app secret: the request was not sent by this Meta app or was altered');
		}
		return { ok: true };
	} catch {
		return failure('malformed', 'The Meta request could not be checked: its headers or body have an unexpected type');
	}
}

/** Same as `verifyMetaSignature`, reading the header from a request's headers (any case). */
export function verifyMetaRequest(input: { appSecret: string; headers: RequestHeaders | undefined; rawBody: string | Uint8Array | undefined | null }): MetaSignatureResult {
	return verifyMetaSignature({ appSecret: input.appSecret, signature: requestHeader(input.headers, META_SIGNATURE_HEADER), rawBody: input.rawBody });
}

// ---- payload parsing --------------------------------------------------------------

export const COMMENT_VERBS = ['add', 'edited', 'remove', 'hide', 'unhide'] as const;
export type CommentVerb = (typeof COMMENT_VERBS)[number];

/** Meta's spellings of the same verbs. */
const VERB_ALIASES: Record<string, CommentVerb> = { add: 'add', edited: 'edited', edit: 'edited', remove: 'remove', delete: 'remove', hide: 'hide', unhide: 'unhide' };

export const COMMENT_SOURCES = ['facebook', 'instagram'] as const;
export type CommentSource = (typeof COMMENT_SOURCES)[number];

export interface CommentEvent {
	source: CommentSource;
	verb: CommentVerb;
	/** The Page (or Instagram account) the webhook entry belongs to. */
	pageId: string;
	commentId: string;
	/** The post (Facebook) or media (Instagram) the comment is under. */
	postId: string | null;
	/** What the comment answers: the post for top-level comments, another comment for replies. */
	parentId: string | null;
	/** True when the comment answers another comment. */
	isReply: boolean;
	from: { id: string; name: string | null } | null;
	/** Null for removals and for hide/unhide changes that carry no text. */
	message: string | null;
	/** When the comment was made (ISO-8601 UTC), or null when the change does not say. */
	createdTime: string | null;
	/** When Meta sent the change (entry time, ISO-8601 UTC). */
	entryTime: string | null;
}

export type SkipReason = 'not_json' | 'unknown_object' | 'invalid_entry' | 'unrelated_field' | 'not_a_comment' | 'unknown_verb' | 'invalid_change';

export interface ParsedDelivery {
	events: CommentEvent[];
	/** What was left out and why (a delivery may mix comments with likes, posts, reactions). */
	skipped: Array<{ reason: SkipReason; field?: string; item?: string; verb?: string }>;
}

const idString = z.union([z.string().trim().min(1).max(200), z.number().int().nonnegative().transform(String)]);
const timeValue = z.union([z.number().finite(), z.string().max(64)]).optional().nullable();

const fbCommentValue = z.object({
	item: z.string(),
	verb: z.string(),
	comment_id: idString,
	post_id: idString.optional().nullable(),
	parent_id: idString.optional().nullable(),
	from: z.object({ id: idString, name: z.string().max(500).optional().nullable() }).passthrough().optional().nullable(),
	/** Any length: the text is cut to `MAX_COMMENT_CHARS` where it is stored (comment-text.ts), as for polling. */
	message: z.string().optional().nullable(),
	created_time: timeValue,
});

const igCommentValue = z.object({
	id: idString,
	text: z.string().optional().nullable(),
	parent_id: idString.optional().nullable(),
	from: z.object({ id: idString, username: z.string().max(500).optional().nullable() }).passthrough().optional().nullable(),
	media: z.object({ id: idString }).passthrough().optional().nullable(),
	timestamp: timeValue,
});

const change = z.object({ field: z.string(), value: z.unknown() }).passthrough();
const entry = z.object({ id: idString, time: timeValue, changes: z.array(z.unknown()).max(10_000).optional() }).passthrough();
const delivery = z.object({ object: z.string(), entry: z.array(z.unknown()).max(10_000) }).passthrough();

/** Unix seconds, unix milliseconds or an ISO/Graph timestamp (`2025-06-01T10:00:00+0000`) → ISO UTC, or null (the Graph client's `graphTime`). */
export const toIsoTime: (value: unknown) => string | null = graphTime;

/**
 * Parses a webhook delivery (raw body or already-parsed JSON) into comment
 * events. Tolerant: anything that is not a comment change is skipped with a
 * reason; never throws.
 */
export function parseMetaDelivery(body: string | Uint8Array | unknown): ParsedDelivery {
	const events: CommentEvent[] = [];
	const skipped: ParsedDelivery['skipped'] = [];
	let json: unknown = body;
	if (typeof body === 'string' || body instanceof Uint8Array) {
		try {
			json = JSON.parse(typeof body === 'string' ? body : Buffer.from(body).toString('utf8'));
		} catch {
			return { events, skipped: [{ reason: 'not_json' }] };
		}
	}
	const d = delivery.safeParse(json);
	if (!d.success) return { events, skipped: [{ reason: 'not_json' }] };
	const source: CommentSource | undefined = d.data.object === 'page' ? 'facebook' : d.data.object === 'instagram' ? 'instagram' : undefined;
	if (!source) return { events, skipped: [{ reason: 'unknown_object', field: d.data.object.slice(0, 50) }] };
	for (const rawEntry of d.data.entry) {
		const e = entry.safeParse(rawEntry);
		if (!e.success) {
			skipped.push({ reason: 'invalid_entry' });
			continue;
		}
		const entryTime = toIsoTime(e.data.time);
		for (const rawChange of e.data.changes ?? []) {
			const c = change.safeParse(rawChange);
			if (!c.success) {
				skipped.push({ reason: 'invalid_change' });
				continue;
			}
			const field = c.data.field;
			if (source === 'facebook') {
				if (field !== 'feed') {
					skipped.push({ reason: 'unrelated_field', field: field.slice(0, 50) });
					continue;
				}
				const item = (c.data.value as { item?: unknown } | null)?.item;
				if (item !== 'comment') {
					skipped.push({ reason: 'not_a_comment', field, item: typeof item === 'string' ? item.slice(0, 50) : undefined });
					continue;
				}
				const v = fbCommentValue.safeParse(c.data.value);
				if (!v.success) {
					skipped.push({ reason: 'invalid_change', field, item: 'comment' });
					continue;
				}
				const verb = VERB_ALIASES[v.data.verb];
				if (!verb) {
					skipped.push({ reason: 'unknown_verb', field, item: 'comment', verb: v.data.verb.slice(0, 30) });
					continue;
				}
				const postId = v.data.post_id ?? null;
				const parentId = v.data.parent_id ?? null;
				events.push({
					source,
					verb,
					pageId: e.data.id,
					commentId: v.data.comment_id,
					postId,
					parentId,
					isReply: parentId !== null && parentId !== postId,
					from: v.data.from ? { id: v.data.from.id, name: v.data.from.name ?? null } : null,
					message: typeof v.data.message === 'string' ? v.data.message : null,
					createdTime: toIsoTime(v.data.created_time),
					entryTime,
				});
			} else {
				if (field !== 'comments' && field !== 'live_comments') {
					skipped.push({ reason: 'unrelated_field', field: field.slice(0, 50) });
					continue;
				}
				const v = igCommentValue.safeParse(c.data.value);
				if (!v.success) {
					skipped.push({ reason: 'invalid_change', field });
					continue;
				}
				const postId = v.data.media?.id ?? null;
				const parentId = v.data.parent_id ?? null;
				events.push({
					source,
					verb: 'add',
					pageId: e.data.id,
					commentId: v.data.id,
					postId,
					parentId: parentId ?? postId,
					isReply: parentId !== null,
					from: v.data.from ? { id: v.data.from.id, name: v.data.from.username ?? null } : null,
					message: typeof v.data.text === 'string' ? v.data.text : null,
					createdTime: toIsoTime(v.data.timestamp) ?? entryTime,
					entryTime,
				});
			}
		}
	}
	return { events, skipped };
}

/** `object_type` of comments in `social_media_items`. */
export const COMMENT_OBJECT_TYPES: Record<CommentSource, string> = { facebook: 'facebook_comment', instagram: 'instagram_comment' };

/**
 * The `social_media_items` row of an added or edited comment (unique per
 * platform and comment id; both sources are the comment platform, Meta). `adId` is the
 * caller's: webhooks do not say which ad a post belongs to.
 */
export function toSocialMediaItemRow(event: CommentEvent, options: { adId?: string | null; permalink?: string | null } = {}): RowInput<'social_media_items'> {
	const limited = limitCommentText(event.message);
	return {
		platform: COMMENT_PLATFORM,
		object_id: event.commentId,
		object_type: COMMENT_OBJECT_TYPES[event.source],
		parent_id: event.parentId,
		post_id: event.postId,
		ad_id: options.adId ?? null,
		user_id: event.from?.id ?? null,
		text: limited.text,
		permalink: options.permalink ?? null,
		created_time: event.createdTime,
		raw_data: {
			source: event.source,
			verb: event.verb,
			page_id: event.pageId,
			from_name: event.from?.name ?? null,
			entry_time: event.entryTime,
			is_reply: event.isReply,
			...(limited.truncatedFrom !== null ? { truncated_from: limited.truncatedFrom } : {}),
		},
	};
}

// ---- replays ------------------------------------------------------------------------

function sha256(text: string | Uint8Array): string {
	const h = createHash('sha256');
	if (typeof text === 'string') h.update(text, 'utf8');
	else h.update(text);
	return h.digest('hex');
}

/** The key of one delivery: the same bytes delivered again are a replay. */
export function deliveryReplayKey(rawBody: string | Uint8Array): string {
	return `meta:delivery:${sha256(rawBody)}`;
}

/**
 * The key of one comment change, stable across deliveries that repeat it in
 * a different batch. `add` happens once per comment (id + verb + created
 * time); an edit is identified by its new text as well; hide, unhide and
 * remove can repeat legitimately, so Meta's entry time is part of theirs.
 */
export function eventReplayKey(e: Pick<CommentEvent, 'source' | 'commentId' | 'verb' | 'createdTime' | 'message' | 'entryTime'>): string {
	const parts = [e.source, e.commentId, e.verb, e.createdTime ?? ''];
	if (e.verb === 'edited') parts.push(sha256(e.message ?? ''));
	if (e.verb === 'hide' || e.verb === 'unhide' || e.verb === 'remove') parts.push(e.entryTime ?? '');
	return `meta:event:${sha256(parts.join('\u0000'))}`;
}

/**
 * "Have I seen this key?" with a time to live, atomically. The store backs
 * it with a unique key (insert … on conflict do nothing); `claim` returns
 * true exactly once per key within its TTL, across processes.
 */
export interface ReplayGuard {
	/** Records the key; true when it was not seen within its TTL (process it), false for a replay (drop it). */
	claim(key: string, ttlMs: number): Promise<boolean>;
	/** Forgets a key, so a delivery whose processing failed can be retried by Meta. */
	release(key: string): Promise<void>;
}

/** How long replay keys are kept by default: Meta retries failed deliveries for up to about a day. */
export const DEFAULT_REPLAY_TTL_MS = 36 * 60 * 60 * 1000;

/** A single-process ReplayGuard with TTL and a size bound (oldest keys go first). */
export class InMemoryReplayGuard implements ReplayGuard {
	readonly #seen = new Map<string, number>();
	readonly #now: () => number;
	readonly #maxKeys: number;

	constructor(options: { now?: () => number; maxKeys?: number } = {}) {
		this.#now = options.now ?? Date.now;
		this.#maxKeys = Math.max(1, options.maxKeys ?? 100_000);
	}

	async claim(key: string, ttlMs: number): Promise<boolean> {
		const now = this.#now();
		const expires = this.#seen.get(key);
		if (expires !== undefined && expires > now) return false;
		this.#seen.delete(key);
		this.#seen.set(key, now + Math.max(0, ttlMs));
		this.#prune(now);
		return true;
	}

	async release(key: string): Promise<void> {
		this.#seen.delete(key);
	}

	/** Keys currently remembered (expired ones may linger until the next claim). */
	get size(): number {
		return this.#seen.size;
	}

	/** Oldest first (insertion order): drop expired keys and any beyond the size bound. */
	#prune(now: number): void {
		for (const [k, exp] of this.#seen) {
			if (exp <= now || this.#seen.size > this.#maxKeys) this.#seen.delete(k);
			else break;
		}
	}
}

export interface ReplayFiltered {
	/** The whole delivery was seen before: nothing in it is processed. */
	duplicateDelivery: boolean;
	/** Events to process. */
	fresh: CommentEvent[];
	/** Events dropped as replays (seen in an earlier delivery). */
	replayed: CommentEvent[];
	/** Keys claimed by this call, for `releaseClaims` when processing fails. */
	claimed: string[];
}

/**
 * Drops replays of a verified delivery: first the delivery as a whole, then
 * each comment change. Call only after `verifyMetaSignature` succeeded.
 */
export async function filterReplays(guard: ReplayGuard, rawBody: string | Uint8Array, events: readonly CommentEvent[], ttlMs: number = DEFAULT_REPLAY_TTL_MS): Promise<ReplayFiltered> {
	const deliveryKey = deliveryReplayKey(rawBody);
	if (!(await guard.claim(deliveryKey, ttlMs))) return { duplicateDelivery: true, fresh: [], replayed: [...events], claimed: [] };
	const claimed = [deliveryKey];
	const fresh: CommentEvent[] = [];
	const replayed: CommentEvent[] = [];
	for (const e of events) {
		const key = eventReplayKey(e);
		if (await guard.claim(key, ttlMs)) {
			fresh.push(e);
			claimed.push(key);
		} else replayed.push(e);
	}
	return { duplicateDelivery: false, fresh, replayed, claimed };
}

/** Releases the keys of a delivery whose processing failed, so Meta's retry is accepted. */
export async function releaseClaims(guard: ReplayGuard, claimed: readonly string[]): Promise<void> {
	for (const key of claimed) await guard.release(key);
}
