/**
 * Meta's webhook deliveries for comments of the sandbox world, as Meta sends
 * them: a Page `feed` change (`item: "comment"`) in an `entry` of the Page,
 * the body with non-ASCII characters escaped as `\uXXXX`, and
 * `X-Hub-Signature-256: sha256=<HMAC-SHA256 of the body with the app
 * secret>`. For tests and the demo, which POST it to a webhook under test
 * (the sandbox does not call out by itself).
 */
import { createHmac } from 'node:crypto';
import type { World } from './world';

export interface SandboxDelivery {
	/** The body exactly as Meta would send it (sign and send these bytes). */
	rawBody: string;
	/** `content-type` and `x-hub-signature-256`. */
	headers: Record<string, string>;
}

/** `JSON.stringify` with every non-ASCII UTF-16 unit escaped, like Meta's bodies. */
export function metaJson(value: unknown): string {
	const unit = (code: number) => `\\u${code.toString(16).padStart(4, '0')}`;
	// Astral characters (emoji) become their two surrogate escapes, as in Meta's bodies.
	return JSON.stringify(value).replace(/[^ -~\t\n\r]/gu, (ch) => Array.from({ length: ch.length }, (_, i) => unit(ch.charCodeAt(i))).join(''));
}

/**
 * The delivery of a change (`add` by default) of comment `commentId` of the
 * world, signed with the world's Meta app secret (or `appSecret`).
 */
export function metaCommentDelivery(world: World, commentId: string, options: { verb?: 'add' | 'edited' | 'remove' | 'hide' | 'unhide'; appSecret?: string; time?: number } = {}): SandboxDelivery {
	const comment = world.meta.comments.find((c) => c.id === commentId);
	if (!comment) throw new Error(`no comment ${commentId} in the sandbox world`);
	const post = world.meta.posts.find((p) => p.id === comment.postId)!;
	const page = world.meta.pages.find((p) => p.id === post.pageId)!;
	const created = Math.floor(Date.parse(comment.createdTime.replace(/\+0000$/u, 'Z')) / 1000);
	const verb = options.verb ?? 'add';
	const value: Record<string, unknown> = {
		from: comment.byPage ? { id: page.id, name: page.name } : comment.from,
		post: { status_type: post.published ? 'added_photos' : 'dark_post', is_published: post.published, id: post.id },
		item: 'comment',
		verb,
		comment_id: comment.id,
		post_id: post.id,
		parent_id: comment.parentId ?? post.id,
		created_time: created,
		...(verb === 'add' || verb === 'edited' ? { message: comment.message } : {}),
	};
	const rawBody = metaJson({ object: 'page', entry: [{ id: page.id, time: options.time ?? created + 2, changes: [{ field: 'feed', value }] }] });
	const signature = `sha256=${createHmac('sha256', options.appSecret ?? world.credentials.meta.appSecret).update(rawBody, 'utf8').digest('hex')}`;
	return { rawBody, headers: { 'content-type': 'application/json', 'x-hub-signature-256': signature } };
}
