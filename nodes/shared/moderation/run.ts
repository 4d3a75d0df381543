/**
 * The moderation run layer: comments in (webhook deliveries or polling),
 * classified, decided by the policy, acted on or proposed, and summed up as
 * a per-ad daily signal. What the `AdOps Moderation Trigger` and
 * `AdOps Moderation` nodes call; no n8n here.
 *
 * Ingest
 * - `handleMetaWebhook`: the whole webhook endpoint (GET subscription
 *   check; POST signature check on the raw body, replay filter, ingest). It
 *   returns the HTTP answer for the node to send and what was stored.
 * - `pollMetaComments`: the posts behind the accounts' active ads, their
 *   comments since a cursor per post (`app_state`), for when webhooks are
 *   not set up. Both land in `social_media_items`, unique per platform and
 *   comment id: a comment seen twice is stored once, and running either
 *   again stores nothing new. `ingestComments` takes either source.
 * - Where a post belongs to an ad is learnt when polling discovers it
 *   (`app_state` key `moderation.meta.ad_posts.<account>`); webhook comments
 *   on a known post get its ad, account and campaign.
 * - Comments written by the Page itself (its own replies) are not stored.
 *
 * Moderate (`moderate`)
 * - Comments not yet moderated (`moderated_at` null, not removed), oldest
 *   first, or the ids the caller names.
 * - Classified offline, or with the LLM path when `deps.llm` is given
 *   (batched structured outputs + the moderation endpoint, offline fallback
 *   per comment). Stored in `item_classifications` with the model used.
 * - `decide` (the policy) picks actions from intent and confidence only.
 *   Automatic actions (hide; delete or like when the policy says so) run at
 *   once through the action ledger when `live` is on, and are only
 *   recorded (`dry_run`) otherwise — the default. Actions that need a
 *   person become proposals of kind `moderation` (a drafted reply, an
 *   escalation, a review), enqueued when `deps.approvals` is given (live
 *   runs only: a dry run returns them and creates no approval card) and
 *   returned either way. Every action is a `moderation_actions` row keyed
 *   per comment and action type.
 * - The comment is marked moderated last: a run that fails half way is
 *   picked up again by the next, and everything it repeats is idempotent
 *   (ledger keys, unique action keys, proposal ids).
 * - The per-ad, per-day signal is recomputed for every ad and day the run
 *   touched, from all classified comments of those days (one batched read),
 *   and upserted into `ad_comment_signals`; `refreshCommentSignals`
 *   recomputes any span of days (backfills, a changed time zone).
 */
import type { ApprovalEvent } from '../approvals/events';
import type { ProposalInput } from '../approvals/proposal';
import type { CommentTarget, MetaCommentRecord, MetaCommentsClient } from '../platforms/meta-comments';
import { metaAccountDigits } from '../platforms/meta';
import type { Json, Row, RowInput } from '../schema/rows';
import type { Store } from '../store/types';
import { chunk } from '../store/validate';
import { classifyAllOffline, toItemClassificationRow, OFFLINE_MODEL, type Classification, type ClassifiedComment, type OfflineOptions } from './classify';
import { randomUUID } from 'node:crypto';
import { failpoint } from '../resilience/failpoints';
import { limitCommentText } from './comment-text';
import { performCommentAction, type CommentActionType } from './executor';
import { COMMENT_ACTION_KINDS, claimHolder, reconcileModerationActions, type ReconcileSweepResult } from './reconcile';
import { classifyWithLlm, type LlmClassifyOptions, type LlmDeps, type LlmUsage } from './llm';
import {
	COMMENT_OBJECT_TYPES,
	DEFAULT_REPLAY_TTL_MS,
	filterReplays,
	parseMetaDelivery,
	releaseClaims,
	toSocialMediaItemRow,
	verifyMetaRequest,
	verifyMetaSubscription,
	type CommentEvent,
	type ParsedDelivery,
	type QueryParams,
	type ReplayGuard,
	type RequestHeaders,
} from './meta-webhook';
import { decide, planActions, resolvePolicy, type ModerationPolicy, type ModerationPolicyInput, type PlannedAction } from './policy';
import { buildActionProposal, buildReplyProposal, draftReply, validateDraft, type ProposalContext, type ReplyOptions } from './reply';
import type { AdCommentSignal } from './signal';
import { refreshSignals, zoneResolver } from './signal-store';
import { StoreReplayGuard } from './store-replay';
import { COMMENT_PLATFORM } from './platform';

export * from './signal-store';

type ItemRow = Row<'social_media_items'>;

function errorText(error: unknown): string {
	return error instanceof Error ? error.message : String(error);
}

// ---- where posts belong ---------------------------------------------------------

/** `app_state` key prefix of the post → ad index, one key per ad account. */
export const AD_POSTS_STATE_PREFIX = 'moderation.meta.ad_posts.';
/** `app_state` key of the list of accounts that have an index (text ranges over keys depend on the collation, so no prefix scan). */
export const AD_POSTS_ACCOUNTS_KEY = 'moderation.meta.ad_post_accounts';

/** The ad (and account, campaign) behind a post or media. */
export interface PostOwner {
	accountId: string;
	/** The first of the ads that show the post (sorted); all of them in `adIds`. */
	adId: string;
	adIds: string[];
	campaignId: string | null;
}

interface AdPostsState {
	refreshedAt: string;
	targets: Array<Pick<CommentTarget, 'source' | 'objectId' | 'adIds' | 'campaignIds'>>;
}

/**
 * Records which posts the ads of an account show (written by polling).
 * Posts seen before stay (an ad that is paused still owns the comments
 * under its post); a post seen again takes its current ads.
 */
export async function saveAdPosts(store: Store, accountId: string, targets: readonly CommentTarget[], now: Date = new Date()): Promise<void> {
	const key = `${AD_POSTS_STATE_PREFIX}${metaAccountDigits(accountId)}`;
	const previous = (await store.getState<Json>(key)) as unknown as Partial<AdPostsState> | undefined;
	const merged = new Map<string, AdPostsState['targets'][number]>();
	for (const t of Array.isArray(previous?.targets) ? previous!.targets : []) if (t && typeof t.objectId === 'string') merged.set(`${t.source}:${t.objectId}`, t);
	for (const t of targets) merged.set(`${t.source}:${t.objectId}`, { source: t.source, objectId: t.objectId, adIds: t.adIds, campaignIds: t.campaignIds });
	const state: AdPostsState = { refreshedAt: now.toISOString(), targets: [...merged.values()] };
	await store.setState(key, state as unknown as Json);
	// Read-modify-write: two first polls of different accounts at the same instant can lose one entry; its next poll adds it again.
	const accounts = await store.getState<Json>(AD_POSTS_ACCOUNTS_KEY);
	const list = Array.isArray(accounts) ? accounts.filter((a): a is string => typeof a === 'string') : [];
	const digits = metaAccountDigits(accountId);
	if (!list.includes(digits)) await store.setState(AD_POSTS_ACCOUNTS_KEY, [...list, digits].sort());
}

/** Post or media id → the ad behind it, over every account polling has seen. */
export async function loadAdPosts(store: Store): Promise<Map<string, PostOwner>> {
	const accounts = await store.getState<Json>(AD_POSTS_ACCOUNTS_KEY);
	const keys = (Array.isArray(accounts) ? accounts : []).filter((a): a is string => typeof a === 'string').map((a) => `${AD_POSTS_STATE_PREFIX}${a}`);
	const rows = keys.length ? await store.select('app_state', { where: { key: { in: keys } } }) : [];
	const out = new Map<string, PostOwner>();
	for (const row of rows) {
		const accountId = row.key.slice(AD_POSTS_STATE_PREFIX.length);
		const state = row.value as unknown as Partial<AdPostsState> | null;
		for (const t of Array.isArray(state?.targets) ? state!.targets : []) {
			if (!t || typeof t.objectId !== 'string' || !Array.isArray(t.adIds) || t.adIds.length === 0) continue;
			out.set(t.objectId, { accountId, adId: String(t.adIds[0]), adIds: t.adIds.map(String), campaignId: Array.isArray(t.campaignIds) && t.campaignIds.length ? String(t.campaignIds[0]) : null });
		}
	}
	return out;
}

// ---- ingest ------------------------------------------------------------------------

export type IngestSkipReason = 'own_comment' | 'no_text' | 'not_an_ad_post';

export interface IngestResult {
	/** Comments (or changes) looked at. */
	received: number;
	/** Rows stored by this call, as stored (with ids). */
	inserted: ItemRow[];
	/** Comments that were already stored (nothing new). */
	existing: number;
	/** Stored comments whose state changed (edited text, hidden, unhidden, removed). */
	updated: number;
	skipped: Array<{ commentId: string; reason: IngestSkipReason }>;
}

function emptyIngest(): IngestResult {
	return { received: 0, inserted: [], existing: 0, updated: 0, skipped: [] };
}

async function itemsByObjectId(store: Store, ids: readonly string[]): Promise<Map<string, ItemRow>> {
	const out = new Map<string, ItemRow>();
	for (const part of chunk([...new Set(ids)])) {
		for (const row of await store.select('social_media_items', { where: { platform: COMMENT_PLATFORM, object_id: { in: part } } })) out.set(row.object_id, row);
	}
	return out;
}

/** Stores new comments (ON CONFLICT DO NOTHING) and returns the ones this call inserted. */
async function insertNew(store: Store, rows: ReadonlyArray<RowInput<'social_media_items'>>, result: IngestResult): Promise<void> {
	if (rows.length === 0) return;
	const ids = rows.map((r) => r.object_id);
	const before = await itemsByObjectId(store, ids);
	const fresh = rows.filter((r) => !before.has(r.object_id));
	result.existing += rows.length - fresh.length;
	if (fresh.length === 0) return;
	await store.upsert('social_media_items', fresh, { onConflict: 'ignore' });
	const after = await itemsByObjectId(store, fresh.map((r) => r.object_id));
	for (const r of fresh) {
		const row = after.get(r.object_id);
		// Inserted by a concurrent run between the two reads: stored once, reported by whoever saw it first.
		if (row && !before.has(r.object_id)) result.inserted.push(row);
	}
}

export interface IngestOptions {
	/** Store only comments under posts that an ad is known to show (default false: every comment of the Page). */
	adPostsOnly?: boolean;
	now?: () => Date;
}

/** Stores the comment events of a (verified, replay-filtered) webhook delivery. */
export async function ingestWebhookEvents(store: Store, events: readonly CommentEvent[], options: IngestOptions = {}): Promise<IngestResult> {
	const result = emptyIngest();
	result.received = events.length;
	if (events.length === 0) return result;
	const owners = await loadAdPosts(store);
	const now = (options.now ?? (() => new Date()))();
	const adds: Array<RowInput<'social_media_items'>> = [];
	const changes: CommentEvent[] = [];
	for (const e of events) {
		if (e.from?.id && e.from.id === e.pageId) {
			result.skipped.push({ commentId: e.commentId, reason: 'own_comment' });
			continue;
		}
		if (e.verb === 'add' || e.verb === 'edited') {
			const owner = e.postId ? owners.get(e.postId) : undefined;
			if (!owner && options.adPostsOnly) {
				result.skipped.push({ commentId: e.commentId, reason: 'not_an_ad_post' });
				continue;
			}
			if (e.message === null) {
				result.skipped.push({ commentId: e.commentId, reason: 'no_text' });
				continue;
			}
			adds.push({ ...toSocialMediaItemRow(e, { adId: owner?.adId ?? null }), account_id: owner?.accountId ?? null, campaign_id: owner?.campaignId ?? null });
		}
		if (e.verb !== 'add') changes.push(e);
	}
	await insertNew(store, adds, result);
	if (result.inserted.length) failpoint('moderation.after-stored');
	for (const e of changes) {
		const patch: Partial<RowInput<'social_media_items'>> =
			e.verb === 'hide' ? { is_hidden: true }
			: e.verb === 'unhide' ? { is_hidden: false }
			: e.verb === 'remove' ? { removed_at: e.entryTime ?? now.toISOString() }
			: { text: limitCommentText(e.message).text };
		// An edit of a comment first seen by this delivery is just its text; an edit of a stored one changes it.
		if (e.verb === 'edited' && result.inserted.some((r) => r.object_id === e.commentId)) continue;
		const { updated } = await store.update('social_media_items', { platform: COMMENT_PLATFORM, object_id: e.commentId }, patch);
		result.updated += updated;
	}
	return result;
}

export interface MetaWebhookRequest {
	/** HTTP method (GET for the subscription check, POST for deliveries). */
	method: string;
	/** Query parameters (flat `hub.mode` keys, nested `hub: {mode}` or URLSearchParams). */
	query?: QueryParams;
	headers?: RequestHeaders;
	/** The body exactly as received (n8n: the webhook's raw body). */
	rawBody?: string | Uint8Array | null;
}

export interface MetaWebhookConfig {
	/** The Meta app secret (signs deliveries). */
	appSecret: string;
	/** The verify token typed into the app's webhook settings. */
	verifyToken: string;
	/** How long replay keys are kept (default 36 h). */
	replayTtlMs?: number;
	adPostsOnly?: boolean;
}

export interface MetaWebhookOutcome {
	/** HTTP status to answer with. */
	status: 200 | 401 | 403 | 405;
	/** Response body (the challenge for a subscription check). */
	body: string;
	contentType: 'text/plain' | 'application/json';
	/** `verification`: GET check answered; `delivery`: stored; `duplicate`: a replayed delivery, nothing done; `rejected`: refused. */
	kind: 'verification' | 'delivery' | 'duplicate' | 'rejected';
	/** Why a request was refused (reason code of the core's verification). */
	reason?: string;
	/** Comment changes in the delivery that were not replays. */
	events: CommentEvent[];
	/** Changes dropped as replays of earlier deliveries. */
	replayed: number;
	/**
	 * What a signed delivery held besides comment changes, with the reason
	 * (`parseMetaDelivery`): likes and other feed items, but also a body that
	 * is not JSON or a comment change without the fields it needs
	 * (`not_json`, `invalid_entry`, `invalid_change`), which are otherwise lost.
	 */
	skipped: ParsedDelivery['skipped'];
	/** What was stored. */
	ingest?: IngestResult;
}

/**
 * The Meta webhook endpoint. GET: answers the subscription check (200 with
 * the challenge, 403 otherwise). POST: 401 without processing anything when
 * the signature is missing or wrong; 200 for a replayed delivery without
 * storing anything; otherwise stores the comments and answers 200. When
 * storing fails the claims are released and the error is thrown, so the
 * node answers 5xx and Meta's retry is accepted.
 */
export async function handleMetaWebhook(request: MetaWebhookRequest, config: MetaWebhookConfig, deps: { store: Store; replayGuard?: ReplayGuard; now?: () => Date }): Promise<MetaWebhookOutcome> {
	const method = String(request.method ?? '').toUpperCase();
	const reject = (status: 401 | 403 | 405, reason: string, body: string): MetaWebhookOutcome => ({ status, body, contentType: 'text/plain', kind: 'rejected', reason, events: [], replayed: 0, skipped: [] });
	if (method === 'GET') {
		const check = verifyMetaSubscription({ verifyToken: config.verifyToken, query: request.query });
		if (!check.ok) return reject(403, check.reason, check.message);
		return { status: 200, body: check.challenge, contentType: 'text/plain', kind: 'verification', events: [], replayed: 0, skipped: [] };
	}
	if (method !== 'POST') return reject(405, 'method_not_allowed', 'Meta webhooks use GET (subscription check) and POST (deliveries)');
	const signature = verifyMetaRequest({ appSecret: config.appSecret, headers: request.headers, rawBody: request.rawBody });
	if (!signature.ok) return reject(401, signature.reason, signature.message);
	const rawBody = request.rawBody as string | Uint8Array;
	const parsed = parseMetaDelivery(rawBody);
	const guard = deps.replayGuard ?? new StoreReplayGuard(deps.store);
	const filtered = await filterReplays(guard, rawBody, parsed.events, config.replayTtlMs ?? DEFAULT_REPLAY_TTL_MS);
	if (filtered.duplicateDelivery) return { status: 200, body: '{"ok":true,"duplicate":true}', contentType: 'application/json', kind: 'duplicate', events: [], replayed: filtered.replayed.length, skipped: [] };
	try {
		const ingest = await ingestWebhookEvents(deps.store, filtered.fresh, { adPostsOnly: config.adPostsOnly, now: deps.now });
		return { status: 200, body: '{"ok":true}', contentType: 'application/json', kind: 'delivery', events: filtered.fresh, replayed: filtered.replayed.length, skipped: parsed.skipped, ingest };
	} catch (error) {
		await releaseClaims(guard, filtered.claimed).catch(() => undefined);
		throw error;
	}
}

// ---- polling ----------------------------------------------------------------------

/** `app_state` key of a post's polling cursor. */
export function pollCursorKey(source: string, objectId: string): string {
	return `moderation.meta.cursor.${source}.${objectId}`;
}

interface PollCursor {
	/** Creation time of the newest comment seen under the post. */
	since: string;
}

export interface PollInput {
	/** Meta ad account ids (with or without `act_`). */
	accountIds: readonly string[];
	/** Only the posts of ads that are delivering (default true). */
	activeOnly?: boolean;
	/** Comments are re-read from this long before the cursor, for late arrivals (default 10 minutes); duplicates are not stored twice. */
	overlapMs?: number;
	/** How far back the first poll of a post reads (default 3 days). */
	initialLookbackMs?: number;
	/** Pages of comments per post and poll (default 20). */
	maxPagesPerPost?: number;
	adPostsOnly?: boolean;
}

export interface PollResult extends IngestResult {
	/** Posts and media read. */
	targets: Array<CommentTarget & { comments: number; since: string; truncated: boolean }>;
	/** Accounts or posts that failed; the others were polled. Cursors of failed posts did not move. */
	errors: Array<{ accountId: string; objectId?: string; message: string }>;
}

function ownerOf(t: CommentTarget): PostOwner | undefined {
	return t.adIds.length ? { accountId: t.accountId, adId: t.adIds[0]!, adIds: t.adIds, campaignId: t.campaignIds[0] ?? null } : undefined;
}

function recordToRow(c: MetaCommentRecord, owner: PostOwner | undefined): RowInput<'social_media_items'> {
	const limited = limitCommentText(c.message);
	return {
		platform: COMMENT_PLATFORM,
		object_id: c.commentId,
		object_type: COMMENT_OBJECT_TYPES[c.source],
		parent_id: c.parentId ?? c.postId,
		post_id: c.postId,
		ad_id: owner?.adId ?? null,
		account_id: owner?.accountId ?? null,
		campaign_id: owner?.campaignId ?? null,
		user_id: c.from?.id || null,
		text: limited.text,
		permalink: c.permalink,
		created_time: c.createdTime,
		is_hidden: c.isHidden,
		raw_data: { source: c.source, from_name: c.from?.name ?? null, is_reply: c.parentId !== null, ad_ids: owner?.adIds ?? [], via: 'poll', ...(limited.truncatedFrom !== null ? { truncated_from: limited.truncatedFrom } : {}) },
	};
}

/**
 * Polls the comments under the posts behind the accounts' ads. Per post:
 * comments since the post's cursor (minus `overlapMs`), stored once; the
 * cursor moves to the newest comment seen only after the post's comments
 * are stored. A failing account or post is reported in `errors` and the
 * others go on.
 */
export async function pollMetaComments(input: PollInput, deps: { store: Store; metaComments: MetaCommentsClient; now?: () => Date; signal?: AbortSignal }): Promise<PollResult> {
	const now = (deps.now ?? (() => new Date()))();
	const overlap = Math.max(0, input.overlapMs ?? 10 * 60_000);
	const lookback = Math.max(0, input.initialLookbackMs ?? 3 * 86_400_000);
	const result: PollResult = { ...emptyIngest(), targets: [], errors: [] };
	for (const raw of input.accountIds) {
		const accountId = metaAccountDigits(String(raw));
		let targets: CommentTarget[];
		try {
			targets = (await deps.metaComments.findAdPosts(accountId, { activeOnly: input.activeOnly !== false, signal: deps.signal })).targets;
			await saveAdPosts(deps.store, accountId, targets, now);
		} catch (error) {
			result.errors.push({ accountId, message: errorText(error) });
			continue;
		}
		for (const t of targets) {
			const key = pollCursorKey(t.source, t.objectId);
			try {
				const cursor = await deps.store.getState<PollCursor & Json>(key);
				const sinceMs = cursor?.since ? Date.parse(cursor.since) - overlap : now.getTime() - lookback;
				const since = new Date(sinceMs).toISOString();
				const listed = await deps.metaComments.listComments(t, { since, accountId, maxPages: input.maxPagesPerPost ?? 20, signal: deps.signal });
				const owner = ownerOf(t);
				const rows: Array<RowInput<'social_media_items'>> = [];
				for (const c of listed.comments) {
					result.received++;
					if (c.byPage) result.skipped.push({ commentId: c.commentId, reason: 'own_comment' });
					else if (c.message === null) result.skipped.push({ commentId: c.commentId, reason: 'no_text' });
					else rows.push(recordToRow(c, owner));
				}
				const before = result.inserted.length;
				await insertNew(deps.store, rows, result);
				if (result.inserted.length > before) failpoint('moderation.after-stored');
				const newest = listed.comments.reduce<string | null>((m, c) => (c.createdTime && (!m || c.createdTime > m) ? c.createdTime : m), cursor?.since ?? null);
				// A truncated listing moves the cursor only as far as it read (comments come oldest first).
				// never past now: a comment timestamped in the future (clock skew) would otherwise make the next poll skip what arrives meanwhile
				const upTo = newest && Date.parse(newest) > now.getTime() ? now.toISOString() : newest;
				if (upTo && upTo !== cursor?.since) await deps.store.setState(key, { since: upTo });
				result.targets.push({ ...t, comments: listed.comments.length, since, truncated: listed.truncated });
			} catch (error) {
				result.errors.push({ accountId, objectId: t.objectId, message: errorText(error) });
			}
		}
	}
	return result;
}

export type IngestInput = ({ source: 'webhook'; events: readonly CommentEvent[] } & IngestOptions) | ({ source: 'poll' } & PollInput);

/** Stores comments from a webhook's events or from a poll (see `pollMetaComments`). */
export async function ingestComments(input: IngestInput, deps: { store: Store; metaComments?: MetaCommentsClient; now?: () => Date; signal?: AbortSignal }): Promise<IngestResult | PollResult> {
	if (input.source === 'webhook') return ingestWebhookEvents(deps.store, input.events, { adPostsOnly: input.adPostsOnly, now: input.now ?? deps.now });
	if (!deps.metaComments) throw new TypeError('Polling Meta comments needs a Meta client (deps.metaComments)');
	return pollMetaComments(input, { store: deps.store, metaComments: deps.metaComments, now: deps.now, signal: deps.signal });
}

// ---- moderate ---------------------------------------------------------------------

export interface ReplyInput extends Omit<ReplyOptions, 'model' | 'brandVoice'> {
	/** Chat model for drafts (default: the classification model). */
	model?: string;
	/** The brand voice, for drafts by the model (no drafts without it). */
	brandVoice?: string;
	/**
	 * A fixed reply proposed when no model drafts one (no OpenAI credential,
	 * or the draft failed its checks). Without it such comments become a
	 * review for a person.
	 */
	template?: string;
}

/** How long a stored comment waits for moderation before a run no longer picks it up by itself (default 7 days). */
export const DEFAULT_MODERATION_BACKLOG_MS = 7 * 86_400_000;

/** Work a Moderate run would pick up besides the newly stored comments: comments stored earlier and not moderated (within `maxAgeMs`), and comment actions whose outcome is open (unknown, or claimed by a run that may have died). */
export interface ModerationBacklog {
	/** Stored comments within the age bound, not moderated and not removed, outside `exclude`. */
	comments: number;
	/** Ledger entries of comment actions still unknown or claimed. */
	openActions: number;
}

/**
 * Counts the moderation work waiting in the store, so a poll that stored
 * nothing new still hands a Moderate step something to run on: work stored
 * is work done, even when the run that stored it died before moderating it.
 * Counts at most `limit` of each.
 */
export async function moderationBacklog(store: Store, options: { maxAgeMs?: number; exclude?: readonly string[]; now?: Date; limit?: number } = {}): Promise<ModerationBacklog> {
	const now = options.now ?? new Date();
	const limit = Math.max(1, Math.floor(options.limit ?? 500));
	const maxAgeMs = Math.max(0, options.maxAgeMs ?? DEFAULT_MODERATION_BACKLOG_MS);
	const exclude = new Set(options.exclude ?? []);
	const waiting = await store.selectColumns('social_media_items', ['id'], {
		where: { platform: COMMENT_PLATFORM, moderated_at: null, removed_at: null, created_at: { gte: new Date(now.getTime() - maxAgeMs).toISOString() } },
		limit: limit + exclude.size,
	});
	const open = await store.selectColumns('action_ledger', ['idempotency_key'], { where: { kind: { in: [...COMMENT_ACTION_KINDS] }, status: { in: ['unknown', 'claimed'] } }, limit });
	return { comments: Math.min(limit, waiting.filter((r) => !exclude.has(r.id)).length), openActions: open.length };
}

export interface ModerateInput {
	/**
	 * These `social_media_items` ids first (e.g. the trigger's output); then,
	 * up to `limit`, every other stored comment not moderated yet (stored
	 * within `maxAgeMs`), so a comment stored before a crash is moderated by
	 * the next run whatever its input.
	 */
	itemIds?: readonly string[];
	/** Most comments per run (default 500). */
	limit?: number;
	/** Stored comments older than this (by when they were stored) are not picked up unless named (default 7 days). */
	maxAgeMs?: number;
	/** Names this run in ledger claims ("in progress by run X"); default a random id. */
	runId?: string;
	/** A lost answer counts as "not applied" only after this long (reconcile.ts, default 2 minutes). */
	settleMs?: number;
	/** An open claim whose holder cannot be checked is taken as abandoned after this long (default 10 minutes). */
	staleClaimMs?: number;
	/** Run automatic actions (hide, …) on the platform. Default false: dry run, actions are only recorded. */
	live?: boolean;
	policy?: ModerationPolicyInput | ModerationPolicy;
	/** Chat model of the LLM path (default `gpt-4o-mini`), and its batching options. */
	llm?: Partial<Omit<LlmClassifyOptions, 'offline'>>;
	offline?: OfflineOptions;
	/** Brand voice and facts for reply drafts. */
	reply?: ReplyInput;
	/**
	 * IANA time zone of the days of the signal (default UTC), or one per ad
	 * account (`timeZones`, account id with or without `act_`). Give the ad
	 * account's own zone: optimization rules read the rows as the account's
	 * calendar days. Checked before anything is done (RangeError).
	 */
	timeZone?: string;
	timeZones?: Readonly<Record<string, string>>;
	/** How long proposals wait for a decision (default: the queue's, 24 h). */
	proposalTtlMs?: number;
	/**
	 * Live only: try automatic actions that failed in earlier runs once more
	 * (at most `limit` of them, each still at most once on the platform).
	 * Failed automatic actions are never retried without it.
	 */
	retryFailed?: boolean;
}

export interface ModerateDeps {
	store: Store;
	/** Needed for automatic actions in live mode. */
	metaComments?: MetaCommentsClient;
	/** The LLM path (openai.ts `openAIModerationDeps`); offline without it. */
	llm?: LlmDeps & { errors?: readonly string[] };
	/** Enqueues proposals (an `ApprovalQueue`); without it they are only returned. */
	approvals?: { enqueue(proposals: ReadonlyArray<ProposalInput>): Promise<ApprovalEvent[]> };
	now?: () => Date;
}

/**
 * What became of an action: `dry_run` (recorded, not sent), `executed`,
 * `already_done` (the ledger says an earlier run or approval did it),
 * `failed`, `stuck` (an earlier attempt never recorded its outcome),
 * `proposed` (waits for a person), `acknowledged` (a person handled it).
 */
export type ActionStatus = 'dry_run' | 'executed' | 'already_done' | 'failed' | 'unknown' | 'in_progress' | 'stuck' | 'proposed' | 'acknowledged';

const ACTION_STATUSES: ReadonlySet<string> = new Set(['dry_run', 'executed', 'already_done', 'failed', 'unknown', 'stuck', 'proposed', 'acknowledged']);
/** Row states a run's own later outcome may replace (never a person's, never a done action by someone else). */
const UNSETTLED_ROW_STATUSES = ['dry_run', 'proposed', 'failed', 'unknown', 'stuck'];
/** Row states the run that performed (or settled) the side effect replaces with what it observed. */
const PERFORMER_ROW_STATUSES = ['dry_run', 'proposed', 'executed', 'already_done', 'failed', 'unknown', 'stuck'];

export interface ActionOutcome {
	type: PlannedAction['type'];
	mode: PlannedAction['mode'];
	ruleId: string;
	reason: string;
	/** The `moderation_actions` key (one per comment and action type). */
	idempotencyKey: string;
	status: ActionStatus;
	proposalId?: string;
	/** The drafted reply of a reply proposal. */
	suggestedReply?: string;
	result?: Json | null;
	error?: string;
}

export interface ModeratedComment {
	itemId: string;
	commentId: string;
	postId: string | null;
	adId: string | null;
	accountId: string | null;
	text: string;
	classification: Classification;
	source: 'llm' | 'offline';
	fallbackReason?: string;
	ruleIds: string[];
	actions: ActionOutcome[];
}

export interface ModerateResult {
	dryRun: boolean;
	/** The model asked (`gpt-4o-mini`) or the offline classifier. */
	model: string;
	policyVersion: string;
	comments: ModeratedComment[];
	/** Proposals of kind `moderation` built by this run (already-proposed actions are not repeated). */
	proposals: ProposalInput[];
	/** The queue's events when `deps.approvals` was given. */
	enqueued: ApprovalEvent[];
	/** Signals recomputed for the ads and days this run touched. */
	signals: AdCommentSignal[];
	/** Open actions of earlier runs (lost answers, dead runs' claims) reconciled against Meta before this run acted (live runs). */
	reconciled?: ReconcileSweepResult;
	/** Comments left unmarked because another live run holds one of their actions (it records them). */
	inProgress: string[];
	/** Earlier failed automatic actions tried again (`retryFailed`). */
	retried: Array<{ commentId: string; type: PlannedAction['type']; idempotencyKey: string; status: ActionStatus; error?: string }>;
	usage: LlmUsage & { replyRequests: number; replyTokens: number };
	/** Calls that failed and were worked around (model unreachable → offline fallback, …). */
	warnings: string[];
}

/** The named comments (not yet moderated), then the backlog: every other comment stored within `maxAgeMs` and not moderated, oldest first; at most `limit`. */
async function pendingItems(store: Store, input: ModerateInput, now: Date): Promise<ItemRow[]> {
	const limit = Math.max(1, Math.min(10_000, Math.floor(input.limit ?? 500)));
	const maxAgeMs = Math.max(0, input.maxAgeMs ?? DEFAULT_MODERATION_BACKLOG_MS);
	const out: ItemRow[] = [];
	if (input.itemIds) {
		const named: ItemRow[] = [];
		for (const part of chunk([...new Set(input.itemIds)])) named.push(...(await store.select('social_media_items', { where: { id: { in: part } } })));
		out.push(
			...named
				.filter((r) => r.platform === COMMENT_PLATFORM && r.moderated_at === null && r.removed_at === null)
				.sort((a, b) => (a.created_time ?? '').localeCompare(b.created_time ?? '') || a.object_id.localeCompare(b.object_id))
				.slice(0, limit),
		);
	}
	if (out.length >= limit) return out;
	const seen = new Set(out.map((r) => r.id));
	const backlog = await store.select('social_media_items', {
		where: { platform: COMMENT_PLATFORM, moderated_at: null, removed_at: null, created_at: { gte: new Date(now.getTime() - maxAgeMs).toISOString() } },
		order: [{ column: 'created_time' }, { column: 'object_id' }],
		limit,
	});
	for (const r of backlog) {
		if (out.length >= limit) break;
		if (!seen.has(r.id)) out.push(r);
	}
	return out;
}

function sourceOf(item: ItemRow): 'facebook' | 'instagram' {
	return item.object_type === COMMENT_OBJECT_TYPES.instagram ? 'instagram' : 'facebook';
}

function classificationRow(itemId: string, c: ClassifiedComment): RowInput<'item_classifications'> {
	return {
		...toItemClassificationRow(itemId, c.classification),
		sentiment_score: c.classification.sentimentScore,
		source: c.source,
		fallback_reason: c.fallbackReason ?? null,
		reasons: c.classification.reasons,
	};
}

/** Classifies, decides, acts or proposes, and records; see the module comment. */
export async function moderate(input: ModerateInput, deps: ModerateDeps): Promise<ModerateResult> {
	const clock = deps.now ?? (() => new Date());
	const policy = resolvePolicy((input.policy ?? {}) as ModerationPolicyInput);
	zoneResolver(input); // an unknown time zone fails here, before anything is classified or sent
	const live = input.live === true;
	if (live && !deps.metaComments) throw new TypeError('Live moderation needs a Meta client (deps.metaComments); without one, run it as a dry run');
	const model = deps.llm ? (input.llm?.model ?? 'gpt-4o-mini') : OFFLINE_MODEL;
	const result: ModerateResult = {
		dryRun: !live,
		model,
		policyVersion: policy.version,
		comments: [],
		proposals: [],
		enqueued: [],
		signals: [],
		inProgress: [],
		retried: [],
		usage: { requests: 0, moderationRequests: 0, promptTokens: 0, completionTokens: 0, totalTokens: 0, replyRequests: 0, replyTokens: 0 },
		warnings: [],
	};
	const holder = claimHolder(input.runId ?? `moderation-${randomUUID()}`);
	const perform = { claimedBy: holder, now: clock, settleMs: input.settleMs, staleClaimMs: input.staleClaimMs };
	// Lost answers and dead runs' claims of earlier runs are settled by reading Meta before this run acts.
	if (live) result.reconciled = await reconcileModerationActions({ store: deps.store, metaComments: deps.metaComments! }, { ...perform, limit: input.limit });
	if (live && input.retryFailed) await retryFailedActions(deps, input, result, clock, perform);
	const pending = await pendingItems(deps.store, input, clock());
	// Comments without text (stickers, photos) have nothing to classify: done at once.
	const empty = pending.filter((r) => typeof r.text !== 'string' || r.text.trim() === '').map((r) => r.id);
	for (const part of chunk(empty)) await deps.store.update('social_media_items', { id: { in: part } }, { moderated_at: clock().toISOString() });
	const items = pending.filter((r) => typeof r.text === 'string' && r.text.trim() !== '');
	if (items.length === 0) return result;

	// 1. Classify.
	const inputs = items.map((i) => ({ id: i.id, text: i.text ?? '' }));
	let classified: ClassifiedComment[];
	if (deps.llm) {
		const errorsBefore = deps.llm.errors?.length ?? 0;
		const out = await classifyWithLlm(inputs, deps.llm, { ...input.llm, model, offline: input.offline });
		classified = out.results;
		Object.assign(result.usage, out.usage);
		if (out.fallbacks.length) result.warnings.push(`${out.fallbacks.length} comment(s) classified offline instead (${[...new Set(out.fallbacks.map((f) => f.reason))].join(', ')})`);
		if (out.moderationFailures) result.warnings.push(`the moderation endpoint failed for ${out.moderationFailures} batch(es); those comments have no toxicity categories`);
		for (const e of deps.llm.errors?.slice(errorsBefore) ?? []) result.warnings.push(e);
	} else {
		classified = classifyAllOffline(inputs, input.offline);
	}
	const byId = new Map(classified.map((c) => [c.id, c]));
	for (const part of chunk(items)) {
		await deps.store.upsert('item_classifications', part.map((i) => classificationRow(i.id, byId.get(i.id)!)));
	}

	// 2. Decide, act, propose.
	const requestedAt = clock().toISOString();
	const expiresAt = input.proposalTtlMs ? new Date(Date.parse(requestedAt) + input.proposalTtlMs).toISOString() : undefined;
	const actionRows: Array<RowInput<'moderation_actions'>> = [];
	const proposalOf = new Map<string, ModeratedComment>();
	/** Keys whose side effect this run performed or settled (its outcome is the row's truth), and keys another live run holds (not written here). */
	const ownKeys = new Set<string>();
	const heldKeys = new Set<string>();
	/** Keys this run's reconciliation found applied (a dead run's or a lost answer's effect): the row is this run's to write, as executed. */
	const settledHere = new Map((result.reconciled?.reconciled ?? []).filter((r) => r.status === 'succeeded').map((r) => [r.ledgerKey, r.resolution]));
	const existingActions = new Map<string, Row<'moderation_actions'>>();
	for (const part of chunk(items)) {
		for (const row of await deps.store.select('moderation_actions', { where: { item_id: { in: part.map((i) => i.id) } } })) existingActions.set(row.idempotency_key, row);
	}
	for (const item of items) {
		const c = byId.get(item.id)!;
		const decision = decide(c.classification, policy);
		const planned = planActions(decision, { platform: COMMENT_PLATFORM, commentId: item.object_id });
		const moderated: ModeratedComment = {
			itemId: item.id,
			commentId: item.object_id,
			postId: item.post_id,
			adId: item.ad_id,
			accountId: item.account_id,
			text: item.text ?? '',
			classification: c.classification,
			source: c.source,
			...(c.fallbackReason ? { fallbackReason: c.fallbackReason } : {}),
			ruleIds: decision.ruleIds,
			actions: [],
		};
		const ctx: ProposalContext = {
			platform: COMMENT_PLATFORM,
			accountId: item.account_id,
			commentId: item.object_id,
			postId: item.post_id,
			adId: item.ad_id,
			commentText: item.text ?? '',
			classification: c.classification,
			ruleId: '',
			policyVersion: policy.version,
			requestedAt,
			...(expiresAt ? { expiresAt } : {}),
		};
		for (const action of planned) {
			const base: Omit<ActionOutcome, 'status'> = { type: action.type, mode: action.mode, ruleId: action.ruleId, reason: action.reason, idempotencyKey: action.idempotencyKey };
			const previous = existingActions.get(action.idempotencyKey);
			let outcome: ActionOutcome;
			if (action.mode === 'auto') {
				if (!live) outcome = { ...base, status: 'dry_run' };
				else {
					const type = action.type as CommentActionType;
					const done = await performCommentAction(
						{ store: deps.store, metaComments: deps.metaComments! },
						{ type, platform: COMMENT_PLATFORM, commentId: item.object_id, source: sourceOf(item), postId: item.post_id, accountId: item.account_id },
						perform,
					);
					const settled = done.status === 'already_done' ? settledHere.get(done.ledgerKey) : undefined;
					if (done.own || settled) ownKeys.add(action.idempotencyKey);
					if (done.status === 'in_progress') heldKeys.add(action.idempotencyKey);
					outcome = { ...base, status: settled ? 'executed' : done.status, result: done.result, ...(done.error ? { error: done.error } : {}) };
				}
			} else if (previous?.proposal_id) {
				// Proposed by an earlier run (which stopped before marking the comment done): not proposed again.
				const status = ACTION_STATUSES.has(previous.action_status) ? (previous.action_status as ActionStatus) : 'proposed';
				outcome = { ...base, status, proposalId: previous.proposal_id, ...(previous.suggested_reply ? { suggestedReply: previous.suggested_reply } : {}) };
			} else {
				const proposal = await proposalFor(action, { ...ctx, ruleId: action.ruleId }, c.classification, input, deps, result);
				result.proposals.push(proposal.input);
				proposalOf.set(proposal.input.id, moderated);
				const reply = proposal.reply ? { suggestedReply: proposal.reply } : {};
				// A dry run shows what it would ask a person (the proposal, the drafted reply) and queues nothing: no card, no id on the row.
				outcome = live ? { ...base, status: 'proposed', proposalId: proposal.input.id, ...reply } : { ...base, status: 'dry_run', ...reply };
			}
			moderated.actions.push(outcome);
			actionRows.push({
				idempotency_key: action.idempotencyKey,
				item_id: item.id,
				action_type: action.type,
				action_status: outcome.status,
				suggested_reply: outcome.suggestedReply ?? null,
				platform: COMMENT_PLATFORM,
				comment_id: item.object_id,
				mode: action.mode,
				rule_id: action.ruleId,
				policy_version: policy.version,
				reason: action.reason,
				model: c.classification.model,
				proposal_id: outcome.proposalId ?? null,
				result: outcome.result ?? null,
				error: outcome.error ?? null,
				executed_at: outcome.status === 'executed' ? clock().toISOString() : null,
			});
		}
		result.comments.push(moderated);
	}

	// 3. Enqueue, live runs only (a failure leaves every comment of the run to the next run; nothing above repeats a side effect).
	if (live && deps.approvals && result.proposals.length > 0) {
		result.enqueued = await deps.approvals.enqueue(result.proposals);
		const pageOf = new Map(result.enqueued.filter((e) => e.pageId).map((e) => [e.proposalId, e.pageId!]));
		for (const row of actionRows) if (row.proposal_id && pageOf.has(row.proposal_id)) row.notion_record_id = pageOf.get(row.proposal_id)!;
	}

	// 4. Record actions: new rows as planned. The run that performed (or settled) a side effect writes what it observed over
	//    any earlier state; other outcomes replace only unsettled states (compare-and-set on the status, so a concurrent
	//    run's "executed" is never overwritten), never a person's. Actions another live run holds are left to it.
	const rows = actionRows.filter((r) => !heldKeys.has(r.idempotency_key));
	for (const part of chunk(rows)) await deps.store.upsert('moderation_actions', part, { onConflict: 'ignore' });
	for (const row of rows) {
		const { idempotency_key, item_id, ...patch } = row;
		void item_id;
		if (ownKeys.has(idempotency_key)) {
			await deps.store.update('moderation_actions', { idempotency_key, action_status: { in: PERFORMER_ROW_STATUSES } }, patch);
			continue;
		}
		const previous = existingActions.get(idempotency_key);
		if (!previous || !UNSETTLED_ROW_STATUSES.includes(previous.action_status)) continue;
		await deps.store.update('moderation_actions', { idempotency_key, action_status: { in: UNSETTLED_ROW_STATUSES } }, patch);
	}

	// 5. Mark the comments done (and hidden where a hide went through). A comment with an action another live run holds
	//    stays pending: that run records it, and if it dies the next run reconciles its claim.
	const at = clock().toISOString();
	const hidden = result.comments.filter((m) => m.actions.some((a) => a.type === 'hide' && (a.status === 'executed' || a.status === 'already_done'))).map((m) => m.itemId);
	for (const part of chunk(hidden)) await deps.store.update('social_media_items', { id: { in: part } }, { is_hidden: true });
	result.inProgress = result.comments.filter((m) => m.actions.some((a) => a.status === 'in_progress')).map((m) => m.itemId);
	const held = new Set(result.inProgress);
	for (const part of chunk(items.map((i) => i.id).filter((id) => !held.has(id)))) await deps.store.update('social_media_items', { id: { in: part } }, { moderated_at: at });

	// 6. Signals of the ads and days touched.
	result.signals = await refreshSignals(deps.store, items, input);
	return result;
}

/** Automatic actions that failed in earlier runs, tried once more through the ledger (explicit retry). */
async function retryFailedActions(deps: ModerateDeps, input: ModerateInput, result: ModerateResult, clock: () => Date, perform: { claimedBy: string; now: () => Date; settleMs?: number; staleClaimMs?: number }): Promise<void> {
	const limit = Math.max(1, Math.min(10_000, Math.floor(input.limit ?? 500)));
	const failed = await deps.store.select('moderation_actions', { where: { action_status: 'failed', mode: 'auto' }, order: { column: 'updated_at' }, limit });
	for (const row of failed) {
		if (!row.comment_id || !['hide', 'delete', 'like'].includes(row.action_type)) continue;
		const [item] = await deps.store.select('social_media_items', { where: { id: row.item_id }, limit: 1 });
		if (!item || item.removed_at) continue;
		const type = row.action_type as 'hide' | 'delete' | 'like';
		const done = await performCommentAction(
			{ store: deps.store, metaComments: deps.metaComments! },
			{ type, platform: COMMENT_PLATFORM, commentId: row.comment_id, source: sourceOf(item), postId: item.post_id, accountId: item.account_id },
			{ ...perform, retryFailed: true },
		);
		if (done.status !== 'in_progress') {
			await deps.store.update('moderation_actions', { idempotency_key: row.idempotency_key, action_status: { in: UNSETTLED_ROW_STATUSES } }, { action_status: done.status, result: done.result, error: done.error ?? null, executed_at: done.status === 'executed' ? clock().toISOString() : row.executed_at });
		}
		if (type === 'hide' && (done.status === 'executed' || done.status === 'already_done')) await deps.store.update('social_media_items', { id: item.id }, { is_hidden: true });
		result.retried.push({ commentId: row.comment_id, type, idempotencyKey: row.idempotency_key, status: done.status, ...(done.error ? { error: done.error } : {}) });
	}
}

async function proposalFor(
	action: PlannedAction,
	ctx: ProposalContext,
	classification: Classification,
	input: ModerateInput,
	deps: ModerateDeps,
	result: ModerateResult,
): Promise<{ input: ProposalInput; reply?: string }> {
	if (action.type === 'propose_reply') {
		const reply = input.reply;
		let message: string | undefined;
		if (deps.llm && reply?.brandVoice) {
			const draft = await draftReply({ text: ctx.commentText, language: classification.language, intent: classification.intent }, deps.llm.chat, { ...reply, brandVoice: reply.brandVoice, model: reply.model ?? result.model });
			result.usage.replyRequests++;
			result.usage.replyTokens += draft.usage.total_tokens;
			if (draft.ok) message = draft.message;
			else result.warnings.push(`the reply drafted for comment ${ctx.commentId} was not used (${draft.error ?? draft.problems.join(', ')})`);
		}
		if (!message && reply?.template) {
			const checked = validateDraft(reply.template, reply);
			if (checked.ok) message = checked.message;
			else result.warnings.push(`the reply template was not used (${checked.problems.join(', ')})`);
		}
		if (message) return { input: buildReplyProposal(ctx, message), reply: message };
		// No draft: a person writes the reply.
		return { input: buildActionProposal({ type: 'human_review', mode: 'approval', ruleId: `${action.ruleId}.no_draft`, reason: 'a reply is needed and no draft could be made: write it in Meta Business Suite' }, ctx)! };
	}
	return { input: buildActionProposal(action, ctx)! };
}
