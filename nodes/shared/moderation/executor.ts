/**
 * Side effects on comments, each at most once, and the approval loop's
 * executor for proposals of kind `moderation`.
 *
 * `performCommentAction` is the one path to the Graph API for hide, unhide,
 * delete, like and reply, used by the automatic actions of `moderate`
 * (run.ts) and by the executor alike. Every call first claims a ledger key
 * per comment and action (`moderation:meta:<comment>:hide`,
 * `…:reply`, …): the comment is hidden once and answered once, whichever
 * path gets there first and however often either runs. An automatic hide
 * and an approved "hide this?" proposal for the same comment share a key.
 *
 * Ledger states: a key already `succeeded` is `already_done` (nothing is
 * sent); a key still `claimed` is `stuck` (a crash between the call and its
 * record: someone must check the comment, never re-sent automatically); a
 * `failed` key is retried only when the caller says so (the approval
 * loop's explicit retry does).
 *
 * The executor needs the store and a Meta client, which are per credential
 * and so per execution; the node that runs `executeApproved` adds it to its
 * per-execution registry:
 *
 * ```ts
 * registerModerationExecutor(registry, { store: queue.store, metaComments });
 * await queue.executeApproved(registry, options);
 * ```
 */
import type { ExecutionContext, Executor, ExecutorRegistry } from '../approvals/executors';
import type { MetaCommentSource, MetaCommentsClient } from '../platforms/meta-comments';
import type { Json, Row } from '../schema/rows';
import type { Store } from '../store/types';
import { moderationActionKey } from './policy';
import { moderationPayload } from './reply';

/** Proposal kind of moderation actions. */
export const MODERATION_PROPOSAL_KIND = 'moderation';

export type CommentActionType = 'hide' | 'unhide' | 'delete' | 'like' | 'reply';

export interface CommentAction {
	type: CommentActionType;
	/** `meta`. */
	platform: string;
	commentId: string;
	/** Required for `reply`. */
	message?: string;
	source?: MetaCommentSource;
	postId?: string | null;
	accountId?: string | null;
}

export type CommentActionStatus = 'executed' | 'already_done' | 'failed' | 'stuck';

export interface CommentActionOutcome {
	status: CommentActionStatus;
	/** The ledger key of the side effect. */
	ledgerKey: string;
	/** What Meta answered (this time, or the first time for `already_done`). */
	result: Json | null;
	/** Why it failed or is stuck. */
	error?: string;
	attempts: number;
}

/** The ledger key of an action on a comment: one hide, one reply, … per comment, ever. */
export function commentActionKey(platform: string, commentId: string, type: CommentActionType): string {
	return type === 'reply' || type === 'unhide' ? `moderation:${platform}:${commentId}:${type}` : moderationActionKey(platform, commentId, type);
}

function message(error: unknown): string {
	return error instanceof Error ? error.message : String(error);
}

/**
 * Performs one action on a comment at most once (see the module comment).
 * Never throws for what Meta answers: failures come back as `failed`.
 */
export async function performCommentAction(
	deps: { store: Store; metaComments: MetaCommentsClient },
	action: CommentAction,
	options: { retryFailed?: boolean; proposalId?: string } = {},
): Promise<CommentActionOutcome> {
	if (action.platform !== 'meta') throw new Error(`Moderation: platform "${action.platform}" has no comment client; only meta comments can be moderated`);
	if (action.type === 'reply' && !action.message?.trim()) throw new Error(`Moderation: a reply to comment ${action.commentId} needs a message`);
	const ledgerKey = commentActionKey(action.platform, action.commentId, action.type);
	const intent: Json = {
		type: action.type,
		platform: action.platform,
		commentId: action.commentId,
		source: action.source ?? 'facebook',
		...(action.message !== undefined ? { message: action.message } : {}),
		...(options.proposalId ? { proposalId: options.proposalId } : {}),
	};
	const claim = await deps.store.claimAction(ledgerKey, { kind: `moderation.${action.type}`, target: `${action.platform}:comment:${action.commentId}`, intent, retryFailed: options.retryFailed === true });
	if (!claim.claimed) {
		const e = claim.entry;
		if (e.status === 'succeeded') return { status: 'already_done', ledgerKey, result: e.response ?? null, attempts: e.attempts };
		if (e.status === 'failed') return { status: 'failed', ledgerKey, result: e.response ?? null, error: e.error ?? 'an earlier attempt failed', attempts: e.attempts };
		return {
			status: 'stuck',
			ledgerKey,
			result: null,
			attempts: e.attempts,
			error: `an earlier ${action.type} of comment ${action.commentId} started at ${e.created_at} and never recorded its outcome; check the comment in Meta Business Suite, then resolve ledger key ${ledgerKey} (it is never re-sent automatically)`,
		};
	}
	const ref = { commentId: action.commentId, source: action.source ?? 'facebook', postId: action.postId ?? null, accountId: action.accountId ?? null };
	let result: Json;
	try {
		switch (action.type) {
			case 'hide':
				result = await deps.metaComments.hideComment(ref);
				break;
			case 'unhide':
				result = await deps.metaComments.unhideComment(ref);
				break;
			case 'delete':
				result = await deps.metaComments.deleteComment(ref);
				break;
			case 'like':
				result = await deps.metaComments.likeComment(ref);
				break;
			case 'reply': {
				const reply = await deps.metaComments.replyToComment(ref, action.message!);
				result = { replyId: reply.replyId, recovered: reply.recovered };
				break;
			}
		}
	} catch (error) {
		const text = message(error);
		const entry = await deps.store.completeAction(ledgerKey, { status: 'failed', error: text.slice(0, 2000) });
		return { status: 'failed', ledgerKey, result: null, error: text, attempts: entry.attempts };
	}
	const entry = await deps.store.completeAction(ledgerKey, { status: 'succeeded', response: result });
	return { status: 'executed', ledgerKey, result, attempts: entry.attempts };
}

/** What a moderation executor's result records about the comment's state in the store. */
async function recordOnItem(store: Store, item: Row<'social_media_items'> | undefined, type: CommentActionType, at: string): Promise<void> {
	if (!item) return;
	if (type === 'hide' || type === 'unhide') await store.update('social_media_items', { id: item.id }, { is_hidden: type === 'hide' });
	if (type === 'delete') await store.update('social_media_items', { id: item.id }, { removed_at: at });
}

export interface ModerationExecutorDeps {
	store: Store;
	/** The Meta client of the credential that may moderate the Page's comments. */
	metaComments: MetaCommentsClient;
	now?: () => Date;
}

/** Thrown when an approved moderation proposal cannot be carried out; the approval loop records it as the failure. */
export class ModerationExecutionError extends Error {
	override readonly name = 'ModerationExecutionError';
}

/**
 * The executor of kind `moderation`: an approved `reply`, `hide`,
 * `unhide` or `delete` is performed once (ledger key per comment and
 * action); `acknowledge` has no platform side effect and records that a
 * person handled the comment. The `moderation_actions` rows of the proposal
 * get the outcome.
 */
export function moderationExecutor(deps: ModerationExecutorDeps): Executor {
	const now = deps.now ?? (() => new Date());
	return async (payload: Json, ctx: ExecutionContext): Promise<Json> => {
		const parsed = moderationPayload.safeParse(payload);
		if (!parsed.success) {
			throw new ModerationExecutionError(`Proposal ${ctx.proposal.id} is not a moderation proposal: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'payload'}: ${i.message}`).join('; ')}`);
		}
		const p = parsed.data;
		const at = now().toISOString();
		const mark = (patch: { action_status: string; result?: Json; error?: string | null; executed_at?: string | null }) =>
			deps.store.update('moderation_actions', { proposal_id: ctx.proposal.id }, patch);
		if (p.type === 'acknowledge') {
			await mark({ action_status: 'acknowledged', executed_at: at, result: { acknowledgedBy: ctx.proposal.decidedBy ?? null } });
			return { type: 'acknowledge', platform: p.platform, commentId: p.commentId, status: 'acknowledged', decidedBy: ctx.proposal.decidedBy ?? null };
		}
		const [item] = await deps.store.select('social_media_items', { where: { platform: p.platform as 'meta', object_id: p.commentId }, limit: 1 });
		const source: MetaCommentSource = item?.object_type === 'instagram_comment' ? 'instagram' : 'facebook';
		const outcome = await performCommentAction(
			deps,
			{ type: p.type, platform: p.platform, commentId: p.commentId, message: p.type === 'reply' ? p.message : undefined, source, postId: item?.post_id ?? null, accountId: item?.account_id ?? null },
			{ retryFailed: true, proposalId: ctx.proposal.id },
		);
		if (outcome.status === 'failed' || outcome.status === 'stuck') {
			await mark({ action_status: outcome.status, error: outcome.error ?? null, result: outcome.result });
			throw new ModerationExecutionError(`${p.type} of comment ${p.commentId} (proposal ${ctx.proposal.id}) ${outcome.status === 'stuck' ? 'is stuck' : 'failed'}: ${outcome.error}`);
		}
		await recordOnItem(deps.store, item, p.type, at);
		await mark({ action_status: outcome.status, executed_at: at, result: outcome.result, error: null });
		return { type: p.type, platform: p.platform, commentId: p.commentId, status: outcome.status, ledgerKey: outcome.ledgerKey, result: outcome.result };
	};
}

/** Registers `moderationExecutor(deps)` for kind `moderation` in `registry`; returns the unregister function. */
export function registerModerationExecutor(registry: ExecutorRegistry, deps: ModerationExecutorDeps): () => void {
	return registry.register(MODERATION_PROPOSAL_KIND, moderationExecutor(deps));
}
