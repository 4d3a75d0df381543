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
 * Three outcomes: the answer says it happened (`succeeded`), Meta refused
 * it or it never left (`failed`), or the answer was lost or late
 * (`unknown`: it may have happened). Ledger states met by a later call: a
 * key already `succeeded` is `already_done` (nothing is sent); a key
 * `unknown`, or `claimed` by a run that is gone (a crash between the call
 * and its record), is reconciled first by reading the comment
 * (reconcile.ts): observed → done, observed not done (after a settle time)
 * → failed; until then it stays unknown and nothing is sent. A key
 * `claimed` by a live run is `in_progress` ("in progress by run X since
 * T"), left to that run. A `failed` key is retried only when the caller
 * says so (the approval loop's explicit retry does). The Graph calls
 * declare their side effect: replies are `once` (never retried after a
 * possibly-applied answer), hide / unhide / delete / like `idempotent`.
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
import { randomUUID } from 'node:crypto';
import { PlatformApiError } from '../resilience/errors';
import { failpoint } from '../resilience/failpoints';
import { sideEffectOutcome, unknownOutcomeText, markOutcomeUnknown } from '../resilience/outcome';
import { moderationActionKey } from './policy';
import { claimHolder, holderName, reconcileCommentAction, type ReconcileOptions } from './reconcile';
import { moderationPayload } from './reply';
import { COMMENT_PLATFORM, COMMENT_PLATFORM_LABEL, type CommentPlatform } from './platform';

/** Proposal kind of moderation actions. */
export const MODERATION_PROPOSAL_KIND = 'moderation';

export type CommentActionType = 'hide' | 'unhide' | 'delete' | 'like' | 'reply';

export interface CommentAction {
	type: CommentActionType;
	/** `COMMENT_PLATFORM` (Meta). */
	platform: string;
	commentId: string;
	/** Required for `reply`. */
	message?: string;
	source?: MetaCommentSource;
	postId?: string | null;
	accountId?: string | null;
}

/**
 * `executed`: done by this call (or an earlier attempt whose lost answer
 * was reconciled: `reconciled` says how). `already_done`: the ledger says
 * another run or an approval did it. `failed`: known not applied.
 * `unknown`: the answer was lost and the platform does not show the effect
 * yet; counts as possibly applied, never re-sent before it is reconciled.
 * `in_progress`: a live run holds the claim right now. `stuck` is no longer
 * produced (older rows may hold it).
 */
export type CommentActionStatus = 'executed' | 'already_done' | 'failed' | 'unknown' | 'in_progress' | 'stuck';

export interface CommentActionOutcome {
	status: CommentActionStatus;
	/** The ledger key of the side effect. */
	ledgerKey: string;
	/** What Meta answered (this time, or the first time for `already_done`). */
	result: Json | null;
	/** Why it failed, is unknown or is in progress, in words. */
	error?: string;
	/** How an earlier lost answer was settled by reading the comment (when it was). */
	reconciled?: string;
	/** True when this call performed or settled the side effect (its record is the truth to write). */
	own: boolean;
	attempts: number;
}

/** The ledger key of an action on a comment: one hide, one reply, … per comment, ever. */
export function commentActionKey(platform: string, commentId: string, type: CommentActionType): string {
	return type === 'reply' || type === 'unhide' ? `moderation:${platform}:${commentId}:${type}` : moderationActionKey(platform, commentId, type);
}

function message(error: unknown): string {
	return error instanceof Error ? error.message : String(error);
}

/** Why an outcome is unknown, in words that advise nothing (no platform text such as "please retry"). */
function lostCause(error: unknown): string {
	if (error instanceof PlatformApiError) {
		const call = error.call ? `${error.call}: ` : '';
		switch (error.kind) {
			case 'timeout':
				return `${call}Meta did not answer in time`;
			case 'server':
				return `${call}Meta answered HTTP ${error.httpStatus ?? '5xx'} after the request was sent`;
			case 'malformed_response':
				return `${call}Meta's answer was broken`;
			case 'network':
				return `${call}the connection broke after the request was sent`;
			default:
				return `${call}an earlier attempt's answer was lost (${error.kind})`;
		}
	}
	return `the answer was lost (${message(error).slice(0, 200)})`;
}

export interface PerformOptions extends ReconcileOptions {
	/** Re-claim an action that failed before (and one reconciled as not applied). */
	retryFailed?: boolean;
	proposalId?: string;
	/** Who claims (`claimHolder(runId)`); default this process with a random run id. */
	claimedBy?: string;
}

/**
 * Performs one action on a comment at most once (see the module comment).
 * Never throws for what Meta answers: failures come back as `failed`, lost
 * answers as `unknown`.
 */
export async function performCommentAction(
	deps: { store: Store; metaComments: MetaCommentsClient },
	action: CommentAction,
	options: PerformOptions = {},
): Promise<CommentActionOutcome> {
	if (action.platform !== COMMENT_PLATFORM) throw new Error(`Moderation: platform "${action.platform}" has no comment client; only ${COMMENT_PLATFORM_LABEL} comments can be moderated`);
	if (action.type === 'reply' && !action.message?.trim()) throw new Error(`Moderation: a reply to comment ${action.commentId} needs a message`);
	const ledgerKey = commentActionKey(action.platform, action.commentId, action.type);
	const claimedBy = options.claimedBy ?? claimHolder(randomUUID());
	const what = `${action.type} of comment ${action.commentId}`;
	const intent: Json = {
		type: action.type,
		platform: action.platform,
		commentId: action.commentId,
		source: action.source ?? 'facebook',
		postId: action.postId ?? null,
		accountId: action.accountId ?? null,
		...(action.message !== undefined ? { message: action.message } : {}),
		...(options.proposalId ? { proposalId: options.proposalId } : {}),
	};
	const claimIntent = { kind: `moderation.${action.type}`, target: `${action.platform}:comment:${action.commentId}`, intent, retryFailed: options.retryFailed === true, claimedBy };
	let claim = await deps.store.claimAction(ledgerKey, claimIntent);
	let reconciled: string | undefined;
	if (!claim.claimed && (claim.entry.status === 'unknown' || claim.entry.status === 'claimed')) {
		// Settle an earlier lost answer (or a dead run's open claim) by reading the comment before anything acts on it.
		const r = await reconcileCommentAction(deps, claim.entry, options);
		const e = r.entry;
		if (r.status === 'in_progress') {
			return { status: 'in_progress', ledgerKey, result: null, own: false, attempts: e.attempts, error: `${what} is ${r.resolution}; it is left to that run` };
		}
		if (r.status === 'pending' || r.status === 'error') {
			return { status: 'unknown', ledgerKey, result: null, own: false, attempts: e.attempts, error: unknownOutcomeText(`${what} (ledger key ${ledgerKey})`, r.resolution) };
		}
		reconciled = r.resolution;
		if (r.status === 'succeeded') return { status: 'executed', ledgerKey, result: e.response ?? null, reconciled, own: true, attempts: e.attempts };
		if (!options.retryFailed) return { status: 'failed', ledgerKey, result: null, reconciled, own: true, attempts: e.attempts, error: `an earlier ${what} was not applied (${r.resolution})` };
		claim = await deps.store.claimAction(ledgerKey, claimIntent);
	}
	if (!claim.claimed) {
		const e = claim.entry;
		if (e.status === 'succeeded') return { status: 'already_done', ledgerKey, result: e.response ?? null, own: false, attempts: e.attempts };
		if (e.status === 'failed') return { status: 'failed', ledgerKey, result: e.response ?? null, own: false, error: e.error ?? 'an earlier attempt failed', attempts: e.attempts };
		return { status: 'in_progress', ledgerKey, result: null, own: false, attempts: e.attempts, error: `${what} is in progress by ${holderName(e.claimed_by)} since ${e.updated_at ?? e.created_at}` };
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
		if (sideEffectOutcome(error) === 'unknown') {
			const entry = await deps.store.completeAction(ledgerKey, { status: 'unknown', error: text.slice(0, 2000) });
			return { status: 'unknown', ledgerKey, result: null, own: true, attempts: entry.attempts, error: unknownOutcomeText(`${what} (ledger key ${ledgerKey})`, lostCause(error)) };
		}
		const entry = await deps.store.completeAction(ledgerKey, { status: 'failed', error: text.slice(0, 2000) });
		return { status: 'failed', ledgerKey, result: null, own: true, error: text, attempts: entry.attempts, ...(reconciled ? { reconciled } : {}) };
	}
	failpoint('moderation.after-platform');
	const entry = await deps.store.completeAction(ledgerKey, { status: 'succeeded', response: result });
	return { status: 'executed', ledgerKey, result, own: true, attempts: entry.attempts, ...(reconciled ? { reconciled } : {}) };
}

/** What a moderation executor's result records about the comment's state in the store. */
async function recordOnItem(store: Store, item: Row<'social_media_items'> | undefined, type: CommentActionType, at: string): Promise<void> {
	if (!item) return;
	if (type === 'hide' || type === 'unhide') await store.update('social_media_items', { id: item.id }, { is_hidden: type === 'hide' });
	if (type === 'delete') await store.update('social_media_items', { id: item.id }, { removed_at: at });
}

export interface ModerationExecutorDeps extends ReconcileOptions {
	store: Store;
	/** The Meta client of the credential that may moderate the Page's comments. */
	metaComments: MetaCommentsClient;
	now?: () => Date;
	/** Who claims (`claimHolder(executionId)`); default this process with a random run id. */
	claimedBy?: string;
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
		const [item] = await deps.store.select('social_media_items', { where: { platform: p.platform as CommentPlatform, object_id: p.commentId }, limit: 1 });
		const source: MetaCommentSource = item?.object_type === 'instagram_comment' ? 'instagram' : 'facebook';
		const outcome = await performCommentAction(
			deps,
			{ type: p.type, platform: p.platform, commentId: p.commentId, message: p.type === 'reply' ? p.message : undefined, source, postId: item?.post_id ?? null, accountId: item?.account_id ?? null },
			{ retryFailed: true, proposalId: ctx.proposal.id, claimedBy: deps.claimedBy, now: deps.now, settleMs: deps.settleMs, staleClaimMs: deps.staleClaimMs },
		);
		if (outcome.status === 'in_progress') {
			// Another run holds the claim: its record is the truth; this approval's execution fails without touching the comment.
			throw new ModerationExecutionError(`${p.type} of comment ${p.commentId} (proposal ${ctx.proposal.id}) was not sent: ${outcome.error}`);
		}
		if (outcome.status === 'unknown') {
			await mark({ action_status: 'unknown', error: outcome.error ?? null, result: outcome.result });
			throw markOutcomeUnknown(new ModerationExecutionError(`proposal ${ctx.proposal.id}: ${outcome.error}`));
		}
		if (outcome.status === 'failed' || outcome.status === 'stuck') {
			await mark({ action_status: outcome.status, error: outcome.error ?? null, result: outcome.result });
			throw new ModerationExecutionError(`${p.type} of comment ${p.commentId} (proposal ${ctx.proposal.id}) failed: ${outcome.error}`);
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
