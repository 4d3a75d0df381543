/**
 * Comments on Meta ads, over the Graph API: the posts behind active ads, the
 * comments under them, and the moderation calls (hide / unhide, reply,
 * delete) for Facebook Page posts (including dark posts, which exist only as
 * ad creatives) and Instagram media.
 *
 * - Posts: `GET /{v}/act_{id}/ads` with
 *   `creative{effective_object_story_id,effective_instagram_media_id}`,
 *   filtered to `effective_status=["ACTIVE"]` by default. The same post can
 *   run in several ads; `findAdPosts` groups them per post.
 * - Facebook comments: `GET /{v}/{post-id}/comments?filter=stream` (replies
 *   included), chronological, paged through `paging.next`, optionally
 *   `since` a unix time (the polling cursor). Hide / unhide:
 *   `POST /{comment-id}` with `is_hidden`; reply: `POST /{comment-id}/comments`;
 *   delete: `DELETE /{comment-id}`.
 * - Instagram comments: `GET /{v}/{media-id}/comments` with nested
 *   `replies` (Instagram has no `filter=stream` and no `since`: the time
 *   filter is applied here). Hide: `POST /{comment-id}` with `hide`; reply:
 *   `POST /{comment-id}/replies`; delete: `DELETE /{comment-id}`.
 *
 * Safety of writes: hide, unhide, delete and like are idempotent on the
 * platform and go through the usual retries (`sideEffect: 'idempotent'`:
 * when an answer was lost on any attempt, the final error is marked
 * unknown, resilience/outcome.ts). A reply is not: a retried POST after a
 * timeout can post twice. Replies are therefore `sideEffect: 'once'`: sent
 * without automatic retries (only Meta's throttling answers, which Meta
 * sends before acting, are waited out and retried), and after an ambiguous
 * failure (timeout, 5xx, broken answer) the comment's replies are read
 * back: a reply from the Page with the same text posted since the attempt
 * started is taken as the result (`recovered: true`); otherwise the error is
 * an unknown outcome (the reply may still land) that is never re-sent.
 *
 * Reads for reconciliation (moderation/reconcile.ts): `readComment` (exists,
 * `is_hidden`), `findReply` (a reply by the Page with a given text among the
 * comment's replies) and `hasLiked` (the Page in the comment's likes edge).
 *
 * Errors are `PlatformApiError`s whose call names the comment, post or
 * account (`hideComment 123_456 on post 104_880`) and whose hint says what
 * to do (Page token with pages_manage_engagement, comment deleted, …).
 * Tokens never appear in messages.
 */
import type { UsageThrottleOptions } from '../resilience/meta-usage';
import type { CallContext } from '../resilience/call-policy';
import { PlatformApiError } from '../resilience/errors';
import { markOutcomeUnknown } from '../resilience/outcome';
import { HttpTransport, type HttpOptions, type InterpretedError } from './http';
import { META_DEFAULT_API_VERSION, appSecretProof, interpretMetaError, metaAccountDigits, metaPages, metaSecrets, metaTransport, type MetaPage } from './meta';

export type MetaCommentSource = 'facebook' | 'instagram';

export interface MetaCommentsConfig extends HttpOptions {
	/** A token that can read the ad account and moderate the Page's comments (Page token or System User token). */
	accessToken: string;
	/** When set, every request carries `appsecret_proof`. */
	appSecret?: string;
	/** Graph API version, pinned (default v23.0). */
	apiVersion?: string;
	/** Ads and comments per page (default 100). */
	pageSize?: number;
	usageThrottle?: UsageThrottleOptions;
	/** Retries of a reply after Meta throttled it (default 2). */
	replyThrottleRetries?: number;
}

/** One ad and the post (or Instagram media) its creative shows. */
export interface AdPost {
	accountId: string;
	adId: string;
	adName: string | null;
	campaignId: string | null;
	/** `ACTIVE`, `PAUSED`, `CAMPAIGN_PAUSED`, … */
	effectiveStatus: string | null;
	creativeId: string | null;
	/** `{page-id}_{post-id}` of the Facebook post (published or dark), or null. */
	postId: string | null;
	/** The Instagram media of the creative, or null. */
	instagramMediaId: string | null;
}

/** A post or media under which comments are read, with the ads that show it. */
export interface CommentTarget {
	source: MetaCommentSource;
	/** Facebook post id or Instagram media id. */
	objectId: string;
	accountId: string;
	/** The ads that show this object, sorted. */
	adIds: string[];
	/** Their campaigns, sorted, without duplicates. */
	campaignIds: string[];
}

export interface AdPostsResult {
	ads: AdPost[];
	/** One entry per distinct post / media, in first-seen order. */
	targets: CommentTarget[];
	pages: number;
}

/** A comment as read from the Graph API, in one shape for both sources. */
export interface MetaCommentRecord {
	source: MetaCommentSource;
	commentId: string;
	/** The post or media the comment is under. */
	postId: string;
	/** The comment it answers, or null for a top-level comment. */
	parentId: string | null;
	from: { id: string; name: string | null } | null;
	message: string | null;
	/** ISO-8601 UTC, or null when Meta did not say. */
	createdTime: string | null;
	isHidden: boolean | null;
	permalink: string | null;
	/** Written by the Page (or Instagram account) itself, e.g. the brand's own replies. */
	byPage: boolean;
}

export interface ListCommentsOptions {
	/** Only comments created at or after this instant (ISO-8601 or a Date). */
	since?: string | Date | null;
	/** The ad account, for error messages and rate-limit keys. */
	accountId?: string;
	/** Stop after this many pages (default 50); `truncated` says when it did. */
	maxPages?: number;
	signal?: AbortSignal;
}

export interface ListCommentsResult {
	comments: MetaCommentRecord[];
	pages: number;
	/** True when `maxPages` stopped the listing before the last page. */
	truncated: boolean;
}

/** Where a moderation call applies: the comment and, for messages and sources, its post and account. */
export interface CommentRef {
	commentId: string;
	/** Default `facebook`. */
	source?: MetaCommentSource;
	postId?: string | null;
	accountId?: string | null;
	signal?: AbortSignal;
}

/** What `readComment` saw: whether the comment still exists and whether it is hidden. */
export interface CommentState {
	exists: boolean;
	/** `is_hidden` (Facebook) or `hidden` (Instagram); null when gone or not said. */
	isHidden: boolean | null;
	/** The post (Facebook `object{id}`), when Meta said. */
	postId: string | null;
}

export interface ReplyResult {
	/** Id of the reply comment. */
	replyId: string;
	/** True when the reply was found after an ambiguous failure instead of posted by this call's answer. */
	recovered: boolean;
}

interface GraphAd {
	id?: unknown;
	name?: unknown;
	campaign_id?: unknown;
	effective_status?: unknown;
	creative?: { id?: unknown; effective_object_story_id?: unknown; effective_instagram_media_id?: unknown } | null;
}

interface GraphComment {
	id?: unknown;
	message?: unknown;
	text?: unknown;
	created_time?: unknown;
	timestamp?: unknown;
	from?: { id?: unknown; name?: unknown; username?: unknown } | null;
	username?: unknown;
	is_hidden?: unknown;
	hidden?: unknown;
	parent?: { id?: unknown } | null;
	parent_id?: unknown;
	permalink_url?: unknown;
	replies?: MetaPage<GraphComment> | null;
}

export const FACEBOOK_COMMENT_FIELDS = 'id,message,created_time,from,is_hidden,parent{id},permalink_url';
export const INSTAGRAM_COMMENT_FIELDS = 'id,text,timestamp,username,from,hidden,replies{id,text,timestamp,username,from,hidden}';
export const AD_POST_FIELDS = 'id,name,campaign_id,effective_status,creative{id,effective_object_story_id,effective_instagram_media_id}';

const str = (v: unknown): string | null => (typeof v === 'string' && v.length > 0 ? v : typeof v === 'number' && Number.isFinite(v) ? String(v) : null);

/**
 * A Graph or webhook time (`2025-06-01T10:00:00+0000`, ISO, unix seconds or
 * milliseconds, as a number or a digit string) as ISO-8601 UTC, or null for
 * anything else (including instants outside the Date range).
 */
export function graphTime(value: unknown): string | null {
	let ms: number;
	if (typeof value === 'number') ms = value > 1e12 ? value : value * 1000;
	else if (typeof value === 'string' && /^\d{9,13}$/u.test(value)) ms = Number(value) > 1e12 ? Number(value) : Number(value) * 1000;
	else if (typeof value === 'string' && value) ms = Date.parse(value.replace(/([+-]\d{2})(\d{2})$/u, '$1:$2'));
	else return null;
	const d = new Date(ms);
	return Number.isNaN(d.getTime()) ? null : d.toISOString();
}

function sinceMs(since: string | Date | null | undefined): number | undefined {
	if (since === undefined || since === null || since === '') return undefined;
	const ms = since instanceof Date ? since.getTime() : Date.parse(since);
	if (!Number.isFinite(ms)) throw new TypeError(`Meta listComments: since must be an ISO-8601 time, got ${String(since).slice(0, 40)}`);
	return ms;
}

/** Ids go into URL paths: Graph ids are digits with `_` (Facebook) or digits (Instagram). */
function checkedId(id: string, what: string): string {
	if (typeof id !== 'string' || !/^[0-9]+(?:_[0-9]+)?$/u.test(id)) throw new TypeError(`Meta: ${what} must be a Graph id (digits, optionally page_post), got ${JSON.stringify(String(id).slice(0, 60))}`);
	return id;
}

function where(ref: { commentId?: string; postId?: string | null }): string {
	return [ref.commentId ? ref.commentId : '', ref.postId ? `on post ${ref.postId}` : ''].filter(Boolean).join(' ');
}

/**
 * Meta's error answers for comment calls: the ads interpretation
 * (`interpretMetaError`), with hints about Pages and comments instead of ad
 * accounts where that is what went wrong.
 */
export function interpretMetaCommentError(status: number, body: unknown, headers: Record<string, unknown>, context: CallContext, apiVersion: string): InterpretedError {
	const base = interpretMetaError(status, body, headers, context, apiVersion);
	const call = context.call;
	const onComment = /^(hide|unhide|reply|delete|like|readReplies|readComment|readLikes)/u.test(call);
	const onPost = call.startsWith('listComments');
	if (base.kind === 'permission') {
		return {
			...base,
			hint: onComment || onPost
				? 'the token cannot read or moderate this Page\'s comments: use a Page access token (or a System User with the Page assigned) with pages_read_engagement, pages_read_user_content and pages_manage_engagement (instagram_manage_comments for Instagram)'
				: base.hint,
		};
	}
	if (base.kind === 'not_found' || (base.code === 100 && base.subcode === 33)) {
		if (onComment) return { ...base, kind: 'not_found', retryable: false, hint: 'the comment no longer exists (deleted by its author or the Page) or this token\'s Page cannot see it: nothing to do for a deleted comment; otherwise check the Page the token belongs to' };
		if (onPost) return { ...base, kind: 'not_found', retryable: false, hint: 'the post or media does not exist or this token cannot see it: check that the token\'s Page owns the ad\'s post (dark posts belong to the Page of the ad)' };
	}
	if (base.kind === 'bad_request' && base.code === 100 && onComment) {
		return { ...base, hint: 'Meta refused the change on this comment (for example the Page\'s own comments cannot be hidden, or the reply text was refused): check the comment in Meta Business Suite' };
	}
	return base;
}

/** A kind of failure after which a non-idempotent request may or may not have happened. */
function ambiguous(error: PlatformApiError): boolean {
	if (error.kind === 'timeout' || error.kind === 'server' || error.kind === 'malformed_response') return true;
	return error.kind === 'network' && error.code !== 'ECONNREFUSED' && error.code !== 'ENOTFOUND';
}

export class MetaCommentsClient {
	readonly platform = 'meta' as const;
	readonly apiVersion: string;
	/** Reads and idempotent writes (hide, unhide, delete), with retries. */
	readonly http: HttpTransport;
	/** Replies: no automatic retries (see the module comment). */
	readonly replyHttp: HttpTransport;
	private readonly proof?: string;
	private readonly pageSize: number;

	constructor(private readonly config: MetaCommentsConfig) {
		if (!config.accessToken) throw new TypeError('Meta comments: accessToken is required');
		this.apiVersion = config.apiVersion || META_DEFAULT_API_VERSION;
		if (!/^v\d+\.\d+$/u.test(this.apiVersion)) throw new TypeError(`Meta comments: apiVersion must look like v23.0, got ${this.apiVersion}`);
		this.pageSize = Math.max(1, Math.min(500, Math.floor(config.pageSize ?? 100)));
		this.proof = config.appSecret ? appSecretProof(config.accessToken, config.appSecret) : undefined;
		const secrets = metaSecrets(config.accessToken, config.appSecret, this.proof);
		const interpret = (status: number, body: unknown, headers: Record<string, unknown>, context: CallContext) => interpretMetaCommentError(status, body, headers, context, this.apiVersion);
		const make = (options: HttpOptions): HttpTransport => metaTransport(options, interpret, secrets, config.usageThrottle);
		this.http = make(config);
		this.replyHttp = make({ ...config, retry: { ...config.retry, maxRetries: 0 }, gate: config.gate ?? this.http.executor.gate });
	}

	private auth(): Record<string, string> {
		return this.proof ? { access_token: this.config.accessToken, appsecret_proof: this.proof } : { access_token: this.config.accessToken };
	}

	private async get<T extends object>(context: CallContext, path: string, params: Record<string, string | number>): Promise<T> {
		return (await this.http.request<T>(context, { method: 'GET', url: path, params: { ...params, ...this.auth() } })).data;
	}

	/** POST with a form body (the token in the body, not in the URL). */
	private async post<T extends object>(http: HttpTransport, context: CallContext, path: string, form: Record<string, string>): Promise<T> {
		const body = new URLSearchParams({ ...form, ...this.auth() });
		return (await http.request<T>(context, { method: 'POST', url: path, data: body.toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } })).data;
	}

	/** One page of a listing; a `data` that is there but not a list is a broken answer, not an empty page. */
	private async page<T>(context: CallContext, path: string, params: Record<string, string | number>): Promise<MetaPage<T>> {
		const page = await this.get<MetaPage<T>>(context, path, params);
		if (page.data !== undefined && !Array.isArray(page.data)) {
			throw new PlatformApiError({ platform: 'meta', accountId: context.accountId, call: context.call, kind: 'malformed_response', retryable: false, platformMessage: `"data" is ${page.data === null ? 'null' : typeof page.data}, not a list`, hint: 'check that the API base URL points at the Graph API (a proxy or the wrong host answered); nothing was read from this listing' });
		}
		return page;
	}

	/** Pages of a listing (`metaPages`), each checked by `page`, at most `maxPages`. */
	private pages<T>(context: CallContext, path: string, params: Record<string, string | number>, maxPages: number): AsyncGenerator<MetaPage<T>> {
		return metaPages((p, q) => this.page<T>(context, p, q), context, path, params, { baseUrl: this.http.baseUrl, maxPages, loopHint: 'Meta paging looped: run again; if it persists, poll with a later since' });
	}

	/**
	 * The ads of an account and the posts / media their creatives show.
	 * `activeOnly` (default true) asks Meta for `effective_status=["ACTIVE"]`
	 * only; ads whose creative has neither a post nor a media are listed in
	 * `ads` but give no target.
	 */
	async findAdPosts(accountId: string, options: { activeOnly?: boolean; signal?: AbortSignal; maxPages?: number } = {}): Promise<AdPostsResult> {
		const id = metaAccountDigits(accountId);
		checkedId(id, 'the ad account id');
		const context: CallContext = { call: `findAdPosts act_${id}`, accountId: id, signal: options.signal };
		const params: Record<string, string | number> = { fields: AD_POST_FIELDS, limit: this.pageSize };
		if (options.activeOnly !== false) params.effective_status = JSON.stringify(['ACTIVE']);
		const ads: AdPost[] = [];
		let pages = 0;
		for await (const page of this.pages<GraphAd>(context, `/${this.apiVersion}/act_${id}/ads`, params, options.maxPages ?? 100)) {
			pages++;
			for (const raw of page.data ?? []) {
				const adId = str(raw?.id);
				if (!adId) continue;
				ads.push({
					accountId: id,
					adId,
					adName: str(raw.name),
					campaignId: str(raw.campaign_id),
					effectiveStatus: str(raw.effective_status),
					creativeId: str(raw.creative?.id),
					postId: str(raw.creative?.effective_object_story_id),
					instagramMediaId: str(raw.creative?.effective_instagram_media_id),
				});
			}
		}
		const byObject = new Map<string, CommentTarget>();
		const add = (source: MetaCommentSource, objectId: string, ad: AdPost) => {
			const key = `${source}:${objectId}`;
			let t = byObject.get(key);
			if (!t) byObject.set(key, (t = { source, objectId, accountId: id, adIds: [], campaignIds: [] }));
			if (!t.adIds.includes(ad.adId)) t.adIds.push(ad.adId);
			if (ad.campaignId && !t.campaignIds.includes(ad.campaignId)) t.campaignIds.push(ad.campaignId);
		};
		for (const ad of ads) {
			if (ad.postId) add('facebook', ad.postId, ad);
			if (ad.instagramMediaId) add('instagram', ad.instagramMediaId, ad);
		}
		const targets = [...byObject.values()].map((t) => ({ ...t, adIds: [...t.adIds].sort(), campaignIds: [...t.campaignIds].sort() }));
		return { ads, targets, pages };
	}

	/**
	 * Comments under a post (Facebook, `filter=stream`: replies included) or
	 * a media (Instagram, with replies), oldest first, optionally since an
	 * instant.
	 */
	async listComments(target: { source: MetaCommentSource; objectId: string }, options: ListCommentsOptions = {}): Promise<ListCommentsResult> {
		const objectId = checkedId(target.objectId, target.source === 'instagram' ? 'the Instagram media id' : 'the post id');
		const from = sinceMs(options.since);
		const maxPages = Math.max(1, options.maxPages ?? 50);
		const accountId = options.accountId ? metaAccountDigits(options.accountId) : undefined;
		const context: CallContext = { call: `listComments on ${target.source === 'instagram' ? 'media' : 'post'} ${objectId}`, accountId, signal: options.signal };
		const comments: MetaCommentRecord[] = [];
		let pages = 0;
		let truncated = false;
		const pageOwner = target.source === 'facebook' ? objectId.split('_')[0] : undefined;
		if (target.source === 'facebook') {
			const params: Record<string, string | number> = { filter: 'stream', order: 'chronological', fields: FACEBOOK_COMMENT_FIELDS, limit: this.pageSize };
			if (from !== undefined) params.since = Math.floor(from / 1000);
			for await (const page of this.pages<GraphComment>(context, `/${this.apiVersion}/${objectId}/comments`, params, maxPages)) {
				pages++;
				for (const raw of page.data ?? []) {
					const c = this.record('facebook', raw, objectId, pageOwner);
					if (c && (from === undefined || !c.createdTime || Date.parse(c.createdTime) >= from)) comments.push(c);
				}
				truncated = pages >= maxPages && !!page.paging?.next;
			}
		} else {
			for await (const page of this.pages<GraphComment>(context, `/${this.apiVersion}/${objectId}/comments`, { fields: INSTAGRAM_COMMENT_FIELDS, limit: this.pageSize }, maxPages)) {
				pages++;
				for (const raw of page.data ?? []) {
					const top = this.record('instagram', raw, objectId, undefined);
					if (!top) continue;
					const replies = Array.isArray(raw.replies?.data) ? raw.replies.data : [];
					for (const c of [top, ...replies.map((r) => this.record('instagram', { ...r, parent_id: top.commentId }, objectId, undefined)).filter((r): r is MetaCommentRecord => !!r)]) {
						if (from === undefined || !c.createdTime || Date.parse(c.createdTime) >= from) comments.push(c);
					}
				}
				truncated = pages >= maxPages && !!page.paging?.next;
			}
		}
		comments.sort((a, b) => (a.createdTime ?? '').localeCompare(b.createdTime ?? '') || a.commentId.localeCompare(b.commentId));
		return { comments, pages, truncated };
	}

	private record(source: MetaCommentSource, raw: GraphComment, postId: string, pageOwner: string | undefined): MetaCommentRecord | undefined {
		const commentId = str(raw?.id);
		if (!commentId) return undefined;
		const fromId = str(raw.from?.id);
		const fromName = str(raw.from?.name) ?? str(raw.from?.username) ?? str(raw.username);
		const parentId = str(raw.parent?.id) ?? str(raw.parent_id);
		const hidden = source === 'facebook' ? raw.is_hidden : raw.hidden;
		return {
			source,
			commentId,
			postId,
			parentId,
			from: fromId ? { id: fromId, name: fromName } : fromName ? { id: '', name: fromName } : null,
			message: typeof raw.message === 'string' ? raw.message : typeof raw.text === 'string' ? raw.text : null,
			createdTime: graphTime(source === 'facebook' ? raw.created_time : raw.timestamp),
			isHidden: typeof hidden === 'boolean' ? hidden : null,
			permalink: str(raw.permalink_url),
			byPage: !!(pageOwner && fromId === pageOwner),
		};
	}

	private context(call: string, ref: CommentRef): CallContext {
		return { call: `${call} ${where(ref)}`.trim(), accountId: ref.accountId ? metaAccountDigits(ref.accountId) : undefined, signal: ref.signal };
	}

	/** Hides (or with `hidden: false` unhides) a comment. Idempotent on Meta's side. */
	async setHidden(ref: CommentRef, hidden: boolean): Promise<{ success: boolean }> {
		const id = checkedId(ref.commentId, 'the comment id');
		const field = (ref.source ?? 'facebook') === 'instagram' ? 'hide' : 'is_hidden';
		const out = await this.post<{ success?: unknown }>(this.http, { ...this.context(hidden ? 'hideComment' : 'unhideComment', ref), sideEffect: 'idempotent' }, `/${this.apiVersion}/${id}`, { [field]: String(hidden) });
		return { success: out.success !== false };
	}

	hideComment(ref: CommentRef): Promise<{ success: boolean }> {
		return this.setHidden(ref, true);
	}

	unhideComment(ref: CommentRef): Promise<{ success: boolean }> {
		return this.setHidden(ref, false);
	}

	/**
	 * Deletes a comment. A comment Meta no longer finds (subcode 33) is
	 * reported as `alreadyGone` rather than an error: after a retry of an
	 * ambiguous first attempt that is exactly what deleted looks like.
	 */
	async deleteComment(ref: CommentRef): Promise<{ success: boolean; alreadyGone: boolean }> {
		const id = checkedId(ref.commentId, 'the comment id');
		try {
			const { data } = await this.http.request<{ success?: unknown }>({ ...this.context('deleteComment', ref), sideEffect: 'idempotent' }, { method: 'DELETE', url: `/${this.apiVersion}/${id}`, params: this.auth() });
			return { success: data.success !== false, alreadyGone: false };
		} catch (error) {
			if (error instanceof PlatformApiError && error.kind === 'not_found' && error.subcode === 33) return { success: true, alreadyGone: true };
			throw error;
		}
	}

	/** Likes a Facebook comment as the Page (`POST /{comment-id}/likes`; idempotent). Instagram has no comment likes in the Graph API. */
	async likeComment(ref: CommentRef): Promise<{ success: boolean }> {
		const id = checkedId(ref.commentId, 'the comment id');
		if ((ref.source ?? 'facebook') === 'instagram') throw new TypeError(`Meta likeComment ${id}: the Instagram Graph API cannot like comments; turn "like praise" off for Instagram`);
		const out = await this.post<{ success?: unknown }>(this.http, { ...this.context('likeComment', ref), sideEffect: 'idempotent' }, `/${this.apiVersion}/${id}/likes`, {});
		return { success: out.success !== false };
	}

	/**
	 * The comment as Meta has it now: gone (Meta answers "does not exist",
	 * code 100 subcode 33, or not found) or there, hidden or not. For
	 * reconciling a hide, unhide or delete whose answer was lost.
	 */
	async readComment(ref: CommentRef): Promise<CommentState> {
		const id = checkedId(ref.commentId, 'the comment id');
		const instagram = (ref.source ?? 'facebook') === 'instagram';
		try {
			const raw = await this.get<GraphComment & { object?: { id?: unknown } | null }>(this.context('readComment', ref), `/${this.apiVersion}/${id}`, { fields: instagram ? 'id,hidden' : 'id,is_hidden,object{id}' });
			const hidden = instagram ? raw.hidden : raw.is_hidden;
			return { exists: true, isHidden: typeof hidden === 'boolean' ? hidden : null, postId: str(raw.object?.id) };
		} catch (error) {
			if (error instanceof PlatformApiError && error.kind === 'not_found') return { exists: false, isHidden: null, postId: null };
			throw error;
		}
	}

	/**
	 * Whether the Page has liked the comment: Graph's `summary.has_liked` of
	 * `GET /{comment-id}/likes?summary=true` (the token's Page), or the Page
	 * among the likers listed.
	 */
	async hasLiked(ref: CommentRef & { pageId?: string | null }): Promise<boolean> {
		const id = checkedId(ref.commentId, 'the comment id');
		if ((ref.source ?? 'facebook') === 'instagram') throw new TypeError(`Meta hasLiked ${id}: the Instagram Graph API has no comment likes`);
		const pageId = ref.pageId ?? ref.postId?.split('_')[0] ?? null;
		let first = true;
		for await (const page of this.pages<{ id?: unknown }>(this.context('readLikes', ref), `/${this.apiVersion}/${id}/likes`, { summary: 'true', limit: this.pageSize }, 20)) {
			const summary = (page as { summary?: { has_liked?: unknown } }).summary;
			if (first && typeof summary?.has_liked === 'boolean') return summary.has_liked;
			first = false;
			if (pageId && (page.data ?? []).some((l) => str(l?.id) === pageId)) return true;
		}
		return false;
	}

	/**
	 * A reply to the comment with exactly `message`, written by the Page
	 * (Facebook: author id = the Page of the post, `{page-id}_{post-id}`;
	 * Instagram replies are matched by text, the Graph API not naming the
	 * account as the Page). Optionally only replies created at or after
	 * `sinceMs`.
	 */
	async findReply(ref: CommentRef, message: string, options: { sinceMs?: number } = {}): Promise<MetaCommentRecord | undefined> {
		const source = ref.source ?? 'facebook';
		let postId = ref.postId ?? null;
		if (source === 'facebook' && !postId) postId = (await this.readComment(ref)).postId;
		const replies = await this.readReplies({ ...ref, postId });
		return replies.find((r) => r.message === message && (source === 'instagram' || r.byPage) && (options.sinceMs === undefined || !r.createdTime || Date.parse(r.createdTime) >= options.sinceMs));
	}

	/** Replies under a comment (Facebook: its comments; Instagram: its replies), for checking what was posted. */
	async readReplies(ref: CommentRef): Promise<MetaCommentRecord[]> {
		const id = checkedId(ref.commentId, 'the comment id');
		const source = ref.source ?? 'facebook';
		const edge = source === 'instagram' ? 'replies' : 'comments';
		const fields = source === 'instagram' ? 'id,text,timestamp,username,from,hidden' : FACEBOOK_COMMENT_FIELDS;
		const out: MetaCommentRecord[] = [];
		for await (const page of this.pages<GraphComment>(this.context('readReplies', ref), `/${this.apiVersion}/${id}/${edge}`, { fields, limit: this.pageSize, ...(source === 'facebook' ? { order: 'reverse_chronological' } : {}) }, 5)) {
			for (const raw of page.data ?? []) {
				const r = this.record(source, { ...raw, parent_id: raw.parent_id ?? id }, ref.postId ?? '', ref.postId?.split('_')[0]);
				if (r) out.push(r);
			}
		}
		return out;
	}

	/**
	 * Posts `message` as a reply to the comment. Not retried after an
	 * ambiguous failure: the replies are read back instead, and a reply with
	 * the same text posted since the attempt began is returned as
	 * `recovered`. Meta's throttling answers are waited out (up to
	 * `replyThrottleRetries` times).
	 */
	async replyToComment(ref: CommentRef, message: string): Promise<ReplyResult> {
		const id = checkedId(ref.commentId, 'the comment id');
		if (typeof message !== 'string' || !message.trim()) throw new TypeError(`Meta replyToComment ${id}: the reply is empty`);
		const source = ref.source ?? 'facebook';
		const path = `/${this.apiVersion}/${id}/${source === 'instagram' ? 'replies' : 'comments'}`;
		const context: CallContext = { ...this.context('replyToComment', ref), sideEffect: 'once' };
		const clock = this.replyHttp.executor.clock;
		const started = clock.now();
		const throttleRetries = Math.max(0, this.config.replyThrottleRetries ?? 2);
		for (let attempt = 0; ; attempt++) {
			try {
				const out = await this.post<{ id?: unknown }>(this.replyHttp, context, path, { message });
				const replyId = str(out.id);
				if (!replyId) throw new PlatformApiError({ platform: 'meta', accountId: context.accountId, call: context.call, kind: 'malformed_response', retryable: false, platformMessage: 'the answer has no id', hint: 'check the comment in Meta Business Suite before trying again: the reply may have been posted' });
				return { replyId, recovered: false };
			} catch (error) {
				if (!(error instanceof PlatformApiError)) throw error;
				if (error.kind === 'rate_limited' && attempt < throttleRetries && (error.retryAfterMs ?? 0) <= 60_000) {
					await clock.sleep(Math.max(error.retryAfterMs ?? 0, 1000 * 2 ** attempt), ref.signal);
					continue;
				}
				if (!ambiguous(error)) throw error;
				let found: MetaCommentRecord | undefined;
				try {
					found = await this.findReply(ref, message, { sinceMs: started - 120_000 });
				} catch {
					found = undefined;
				}
				if (found) return { replyId: found.commentId, recovered: true };
				throw markOutcomeUnknown(new PlatformApiError({
					platform: 'meta',
					accountId: context.accountId,
					call: context.call,
					kind: error.kind,
					httpStatus: error.httpStatus,
					code: error.code,
					subcode: error.subcode,
					platformMessage: error.platformMessage,
					retryable: false,
					hint: 'the answer was lost, so whether the reply was posted is unknown (it may still appear under the comment); it is never sent again before the comment\'s replies have been read: the next moderation run (or reconcileModerationActions) settles it',
				}));
			}
		}
	}
}
