/**
 * Instagram's side of the Graph API, over the Facebook routes of
 * `platforms/meta.ts` (same host, same versions, same token): the Instagram
 * media behind ads (`creative{effective_instagram_media_id}` on the ads
 * listing), their comments with nested `replies`, and the moderation calls
 * the package makes on Instagram comments:
 *
 *   GET    /{v}/{ig-media-id}/comments   fields id,text,timestamp,username,from,hidden,replies{…}
 *   GET    /{v}/{ig-comment-id}/replies
 *   POST   /{v}/{ig-comment-id}/replies  message=…   → {id}
 *   POST   /{v}/{ig-comment-id}          hide=true|false → {success: true}
 *   GET    /{v}/{ig-comment-id}          fields id,hidden,text,…
 *   DELETE /{v}/{ig-comment-id}          → {success: true}
 *
 * (developers.facebook.com/docs/instagram-platform/instagram-graph-api/reference/ig-media/comments,
 * …/ig-comment, …/ig-comment/replies). Instagram has no `filter=stream`, no
 * `since` and no comment likes in the Graph API. Ids that are not Instagram
 * objects fall through to the Facebook handlers, so every Facebook answer
 * is the one `meta.ts` gives. Route names are Meta's (faults, throttles and
 * quotas by name apply to both), plus `meta.igReplies` for the replies edge.
 */
import { json, now, param, type Ctx, type Handler, type Platform, type Reply, type Route } from '../core';
import { metaTime, type InstagramComment, type World } from '../world';
import { parseFields } from './meta';

const V = '/v\\d+(?:\\.\\d+)?';

function graphError(ctx: Ctx, status: number, message: string, type: string, code: number, subcode?: number): Reply {
	return json(status, { error: { message, type, code, ...(subcode !== undefined ? { error_subcode: subcode } : {}), fbtrace_id: `AIg${ctx.state.nextSeq}` } });
}

const badParam = (ctx: Ctx, message: string) => graphError(ctx, 400, `(#100) ${message}`, 'OAuthException', 100);

const media = (world: World, id: string) => world.instagram.media.find((m) => m.id === id);
const comment = (world: World, id: string) => world.instagram.comments.find((c) => c.id === id && !c.deleted);

function fieldsOf(ctx: Ctx, fallback: string): Map<string, Map<string, unknown> | null> {
	return parseFields(ctx.query.get('fields') ?? fallback);
}

/** An Instagram comment in the Graph shape, limited to the requested fields (`replies{…}` nested one level). */
function commentJson(world: World, c: InstagramComment, fields: Map<string, Map<string, unknown> | null>): Record<string, unknown> {
	const owner = media(world, c.mediaId);
	const from = c.byAccount && owner ? { id: owner.igUserId, username: owner.username } : c.from;
	const all: Record<string, unknown> = {
		id: c.id,
		text: c.text,
		timestamp: c.timestamp,
		username: from.username,
		from,
		hidden: c.hidden,
		like_count: 0,
		media: { id: c.mediaId },
		...(c.parentId ? { parent_id: c.parentId } : {}),
	};
	const out: Record<string, unknown> = { id: c.id };
	for (const [f, sub] of fields) {
		if (f === 'replies' && !c.parentId) {
			const replies = world.instagram.comments.filter((r) => r.parentId === c.id && !r.deleted);
			if (replies.length > 0) out.replies = { data: replies.map((r) => commentJson(world, r, sub instanceof Map ? (sub as Map<string, Map<string, unknown> | null>) : new Map([['id', null]]))) };
		} else if (f in all) out[f] = all[f];
	}
	return out;
}

/** Offset cursors and Graph paging, as the Facebook listings page. */
function paged<T>(ctx: Ctx, items: T[], defaultLimit: number): Reply {
	const limit = ctx.query.get('limit') === null ? defaultLimit : Number(ctx.query.get('limit'));
	if (!Number.isInteger(limit) || limit <= 0) return badParam(ctx, 'Param limit must be a positive integer');
	const after = ctx.query.get('after');
	const start = after ? Number(/^offset:(\d+)$/.exec(Buffer.from(after, 'base64').toString('utf8'))?.[1] ?? NaN) : 0;
	if (!Number.isInteger(start)) return badParam(ctx, 'Invalid cursor');
	const cursor = (n: number) => Buffer.from(`offset:${n}`).toString('base64').replace(/=+$/, '');
	const data = items.slice(start, start + limit);
	const body: Record<string, unknown> = { data };
	if (items.length > 0) {
		const paging: Record<string, unknown> = { cursors: { before: cursor(start), after: cursor(start + data.length) } };
		if (start + limit < items.length) {
			const next = new URLSearchParams(ctx.query);
			next.set('after', cursor(start + limit));
			next.set('limit', String(limit));
			paging.next = `${ctx.origin}/meta${ctx.path}?${next.toString()}`;
		}
		body.paging = paging;
	}
	return json(200, body);
}

const COMMENT_FIELDS = 'id,text,timestamp';

function listMediaComments(ctx: Ctx): Reply {
	const world = ctx.state.world;
	const m = media(world, ctx.params[0]!)!;
	if (ctx.query.get('filter') !== null) return badParam(ctx, 'Tried accessing nonexisting field (filter) on node type (IGMedia)');
	const top = world.instagram.comments.filter((c) => c.mediaId === m.id && !c.parentId && !c.deleted);
	// Instagram lists a media's comments newest first.
	const ordered = [...top].sort((a, b) => (a.timestamp === b.timestamp ? (a.id < b.id ? 1 : -1) : a.timestamp < b.timestamp ? 1 : -1));
	const fields = fieldsOf(ctx, COMMENT_FIELDS);
	return paged(ctx, ordered.map((c) => commentJson(world, c, fields)), 50);
}

function listReplies(ctx: Ctx): Reply {
	const world = ctx.state.world;
	const parent = comment(world, ctx.params[0]!);
	if (!parent) return graphError(ctx, 400, `Unsupported get request. Object with ID '${ctx.params[0]}' does not exist, cannot be loaded due to missing permissions, or does not support this operation.`, 'GraphMethodException', 100, 33);
	const replies = world.instagram.comments.filter((c) => c.parentId === parent.id && !c.deleted);
	const fields = fieldsOf(ctx, COMMENT_FIELDS);
	return paged(ctx, replies.map((c) => commentJson(world, c, fields)), 50);
}

function createReply(ctx: Ctx): Reply {
	const world = ctx.state.world;
	const parent = comment(world, ctx.params[0]!);
	if (!parent) return graphError(ctx, 400, `Unsupported post request. Object with ID '${ctx.params[0]}' does not exist, cannot be loaded due to missing permissions, or does not support this operation.`, 'GraphMethodException', 100, 33);
	if (parent.parentId) return badParam(ctx, 'Replies can only be made to top-level comments');
	const message = param(ctx, 'message');
	if (typeof message !== 'string' || message.trim() === '') return badParam(ctx, 'The parameter message is required');
	if (message.length > 2200) return badParam(ctx, 'The comment is too long (2,200 characters at most)');
	ctx.state.idSeq++;
	const reply: InstagramComment = {
		id: `1799${String(900000 + ctx.state.idSeq).padStart(7, '0')}${String(world.instagram.comments.length).padStart(6, '0')}`,
		mediaId: parent.mediaId,
		parentId: parent.id,
		text: message,
		from: { id: '', username: '' },
		timestamp: metaTime(now(ctx.state)),
		hidden: false,
		deleted: false,
		byAccount: true,
	};
	world.instagram.comments.push(reply);
	return json(200, { id: reply.id });
}

function getComment(ctx: Ctx): Reply {
	const world = ctx.state.world;
	return json(200, commentJson(world, comment(world, ctx.params[0]!)!, fieldsOf(ctx, COMMENT_FIELDS)));
}

function hideComment(ctx: Ctx): Reply {
	const c = comment(ctx.state.world, ctx.params[0]!)!;
	const raw = param(ctx, 'hide');
	const hide = raw === true || raw === 'true' ? true : raw === false || raw === 'false' ? false : undefined;
	if (hide === undefined) return badParam(ctx, 'Param hide must be a boolean');
	if (c.byAccount) return badParam(ctx, "The account cannot hide its own comments");
	c.hidden = hide;
	return json(200, { success: true });
}

function deleteComment(ctx: Ctx): Reply {
	const c = comment(ctx.state.world, ctx.params[0]!)!;
	c.deleted = true;
	for (const r of ctx.state.world.instagram.comments) if (r.parentId === c.id) r.deleted = true;
	return json(200, { success: true });
}

/** The ads listing with `effective_instagram_media_id` in each creative whose ad shows Instagram media (when the fields ask for it). */
function withInstagramMedia(listAds: Handler): Handler {
	return async (ctx) => {
		const reply = await listAds(ctx);
		const wanted = parseFields(ctx.query.get('fields') ?? 'id').get('creative');
		if (reply.status !== 200 || !(wanted instanceof Map) || !wanted.has('effective_instagram_media_id')) return reply;
		const body = reply.body as { data?: Array<{ id: string; creative?: Record<string, unknown> }> };
		for (const ad of body.data ?? []) {
			const m = ctx.state.world.instagram.media.find((x) => x.adId === ad.id);
			if (m && ad.creative) ad.creative.effective_instagram_media_id = m.id;
		}
		return reply;
	};
}

/** `when(ctx)` picks the Instagram handler; otherwise Meta's own route answers. */
function either(route: Route, when: (ctx: Ctx) => boolean, instagram: Handler): Route {
	return { ...route, handler: (ctx) => (when(ctx) ? instagram(ctx) : route.handler(ctx)) };
}

/** Meta's platform with Instagram's routes layered over its Facebook ones. */
export function withInstagram(meta: Platform): Platform {
	const byName = (name: string, method: string) => {
		const r = meta.routes.find((x) => x.name === name && x.method === method);
		if (!r) throw new Error(`sandbox: Meta route ${method} ${name} is missing`);
		return r;
	};
	const isMedia = (ctx: Ctx) => !!media(ctx.state.world, ctx.params[0]!);
	const isComment = (ctx: Ctx) => !!comment(ctx.state.world, ctx.params[0]!);
	const layered: Route[] = [
		{ ...byName('meta.ads', 'GET'), handler: withInstagramMedia(byName('meta.ads', 'GET').handler) },
		either(byName('meta.comments', 'GET'), isMedia, listMediaComments),
		{ name: 'meta.igReplies', method: 'GET', pattern: new RegExp(`^${V}/(\\d+)/replies$`), handler: listReplies },
		{ name: 'meta.reply', method: 'POST', pattern: new RegExp(`^${V}/(\\d+)/replies$`), handler: createReply },
		either(byName('meta.object', 'GET'), isComment, getComment),
		either(byName('meta.update', 'POST'), isComment, hideComment),
		either(byName('meta.delete', 'DELETE'), isComment, deleteComment),
	];
	const replaced = new Set(layered.map((r) => `${r.method} ${r.name}`));
	return { ...meta, routes: [...layered, ...meta.routes.filter((r) => !replaced.has(`${r.method} ${r.name}`) || r.name === 'meta.reply')] };
}
