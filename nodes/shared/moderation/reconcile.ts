/**
 * Reconciliation of comment actions whose outcome is not known: a hide,
 * unhide, delete, like or reply whose answer was lost or late (ledger status
 * `unknown`), or whose claim was left open by a run that died between the
 * Graph call and its record (`claimed`, holder gone).
 *
 * The platform's state decides, read through the Meta client:
 * - hide / unhide: the comment's `is_hidden` (Instagram `hidden`);
 * - delete: the comment is gone;
 * - like: the Page in the comment's likes edge (`summary.has_liked`);
 * - reply: a reply by the Page (author id = the post's Page) with exactly
 *   the intended text among the comment's replies.
 *
 * Observed applied → `succeeded`. Observed not applied → `failed` only once
 * the answer was lost more than `settleMs` ago (a late request can still
 * land; until then the entry stays unknown and nothing acts on it; then it
 * may be claimed again). A read that fails leaves the entry as it is. Each
 * resolution is recorded with `store.resolveAction` (compare-and-set, the
 * words of how it was observed), and the `moderation_actions` rows and the
 * stored comment get the settled state.
 *
 * Runs automatically: `performCommentAction` reconciles an entry before it
 * acts on that comment again, and every live `moderate` run sweeps the open
 * entries first (`reconcileModerationActions`, also callable on demand).
 */
import { hostname } from 'node:os';
import type { MetaCommentSource, MetaCommentsClient } from '../platforms/meta-comments';
import type { ActionLedgerEntry, Json } from '../schema/rows';
import type { Store } from '../store/types';
import { COMMENT_PLATFORM } from './platform';

/** A lost answer is taken as "not applied" only after this long (default 2 minutes). */
export const DEFAULT_SETTLE_MS = 120_000;
/** A claim older than this whose holder cannot be checked is taken as abandoned (default 10 minutes). */
export const DEFAULT_STALE_CLAIM_MS = 10 * 60_000;

export const COMMENT_ACTION_KINDS = ['moderation.hide', 'moderation.unhide', 'moderation.delete', 'moderation.like', 'moderation.reply'] as const;

export interface ReconcileOptions {
	now?: () => Date;
	/** See `DEFAULT_SETTLE_MS`. */
	settleMs?: number;
	/** See `DEFAULT_STALE_CLAIM_MS`. */
	staleClaimMs?: number;
}

export interface Reconciled {
	ledgerKey: string;
	type: string;
	commentId: string;
	/** `succeeded` / `failed`: settled now (or by a concurrent reconciler); `pending`: not observed yet, still unknown; `error`: the read failed; `in_progress`: a live run holds the claim. */
	status: 'succeeded' | 'failed' | 'pending' | 'error' | 'in_progress';
	/** How it was observed, in words. */
	resolution: string;
	entry: ActionLedgerEntry;
}

interface Intent {
	type: string;
	commentId: string;
	source: MetaCommentSource;
	message?: string;
	postId?: string | null;
	accountId?: string | null;
	proposalId?: string;
}

function intentOf(entry: ActionLedgerEntry): Intent | undefined {
	const i = entry.intent as Record<string, unknown> | null;
	if (!i || typeof i !== 'object' || typeof i.type !== 'string' || typeof i.commentId !== 'string') return undefined;
	return {
		type: i.type,
		commentId: i.commentId,
		source: i.source === 'instagram' ? 'instagram' : 'facebook',
		...(typeof i.message === 'string' ? { message: i.message } : {}),
		postId: typeof i.postId === 'string' ? i.postId : null,
		accountId: typeof i.accountId === 'string' ? i.accountId : null,
		...(typeof i.proposalId === 'string' ? { proposalId: i.proposalId } : {}),
	};
}

// ---- who holds a claim -------------------------------------------------------------

/** `host:pid:run`: who holds a claim, so a concurrent run can say "in progress by run X" and a later one can tell a dead holder. */
export function claimHolder(runId: string): string {
	return `${hostname()}:${process.pid}:${runId}`.slice(0, 500);
}

function parseHolder(claimedBy: string | null | undefined): { host: string; pid: number; run: string } | undefined {
	const m = /^([^:]+):(\d+):(.*)$/su.exec(claimedBy ?? '');
	return m ? { host: m[1]!, pid: Number(m[2]), run: m[3]! } : undefined;
}

/** The run part of a holder, for people ("run 6f1c…"), or the whole text. */
export function holderName(claimedBy: string | null | undefined): string {
	const h = parseHolder(claimedBy);
	if (h) return `run ${h.run} (process ${h.pid} on ${h.host})`;
	return claimedBy ? claimedBy : 'a run that did not say who it is';
}

function processAlive(pid: number): boolean {
	try {
		process.kill(pid, 0);
		return true;
	} catch (error) {
		return (error as NodeJS.ErrnoException).code === 'EPERM';
	}
}

/** Whether an open claim's holder is gone: a process of this host that no longer runs, or a claim older than `staleClaimMs`. */
export function claimAbandoned(entry: ActionLedgerEntry, now: Date, staleClaimMs = DEFAULT_STALE_CLAIM_MS): boolean {
	const h = parseHolder(entry.claimed_by);
	if (h && h.host === hostname() && h.pid !== process.pid && !processAlive(h.pid)) return true;
	const since = Date.parse(entry.updated_at ?? entry.created_at);
	return Number.isFinite(since) && now.getTime() - since > staleClaimMs;
}

// ---- reading the platform ----------------------------------------------------------------

function message(error: unknown): string {
	return error instanceof Error ? error.message : String(error);
}

type Observation = { applied: true; resolution: string; response?: Json } | { applied: false; resolution: string } | { error: string };

async function observe(meta: MetaCommentsClient, intent: Intent, store: Store): Promise<Observation> {
	let postId = intent.postId ?? null;
	let accountId = intent.accountId ?? null;
	if (!postId) {
		const [item] = await store.select('social_media_items', { where: { platform: COMMENT_PLATFORM, object_id: intent.commentId }, limit: 1 });
		postId = item?.post_id ?? null;
		accountId = accountId ?? item?.account_id ?? null;
	}
	const ref = { commentId: intent.commentId, source: intent.source, postId, accountId };
	try {
		switch (intent.type) {
			case 'hide':
			case 'unhide': {
				const want = intent.type === 'hide';
				const state = await meta.readComment(ref);
				if (!state.exists) return { applied: false, resolution: `read back: comment ${intent.commentId} no longer exists on Meta, so it was not ${want ? 'hidden' : 'unhidden'} by this action` };
				if (state.isHidden === want) return { applied: true, resolution: `read back: comment ${intent.commentId} is ${want ? 'hidden' : 'visible'} (is_hidden ${String(want)})`, response: { success: true, reconciled: true } };
				if (state.isHidden === null) return { error: `Meta did not say whether comment ${intent.commentId} is hidden` };
				return { applied: false, resolution: `read back: comment ${intent.commentId} is ${want ? 'not hidden' : 'still hidden'} (is_hidden ${String(!want)})` };
			}
			case 'delete': {
				const state = await meta.readComment(ref);
				if (!state.exists) return { applied: true, resolution: `read back: comment ${intent.commentId} no longer exists on Meta`, response: { success: true, alreadyGone: true, reconciled: true } };
				return { applied: false, resolution: `read back: comment ${intent.commentId} still exists on Meta` };
			}
			case 'like': {
				const liked = await meta.hasLiked(ref);
				return liked
					? { applied: true, resolution: `read back: the Page is among the likes of comment ${intent.commentId}`, response: { success: true, reconciled: true } }
					: { applied: false, resolution: `read back: the Page is not among the likes of comment ${intent.commentId}` };
			}
			case 'reply': {
				if (!intent.message) return { error: 'the ledger entry does not hold the reply text' };
				const found = await meta.findReply(ref, intent.message);
				return found
					? { applied: true, resolution: `read back: reply ${found.commentId} by the Page with the intended text is under comment ${intent.commentId}`, response: { replyId: found.commentId, recovered: true, reconciled: true } }
					: { applied: false, resolution: `read back: no reply by the Page with the intended text is under comment ${intent.commentId}` };
			}
			default:
				return { error: `no way to read the state of a "${intent.type}"` };
		}
	} catch (error) {
		return { error: message(error) };
	}
}

/**
 * Reconciles one ledger entry of a comment action (`unknown`, or `claimed`
 * and abandoned) against Meta and records the resolution. Entries in any
 * other state are returned as they are.
 */
export async function reconcileCommentAction(deps: { store: Store; metaComments: MetaCommentsClient }, entry: ActionLedgerEntry, options: ReconcileOptions = {}): Promise<Reconciled> {
	const now = (options.now ?? (() => new Date()))();
	const settleMs = Math.max(0, options.settleMs ?? DEFAULT_SETTLE_MS);
	const intent = intentOf(entry);
	const base = { ledgerKey: entry.idempotency_key, type: intent?.type ?? entry.kind.replace(/^moderation\./u, ''), commentId: intent?.commentId ?? entry.target };
	if (entry.status === 'succeeded' || entry.status === 'failed') return { ...base, status: entry.status, resolution: entry.resolution ?? `already ${entry.status}`, entry };
	if (entry.status === 'claimed' && !claimAbandoned(entry, now, options.staleClaimMs)) {
		return { ...base, status: 'in_progress', resolution: `in progress by ${holderName(entry.claimed_by)} since ${entry.updated_at ?? entry.created_at}`, entry };
	}
	if (!intent) return { ...base, status: 'error', resolution: 'the ledger entry does not say which comment and action it is', entry };
	const seen = await observe(deps.metaComments, intent, deps.store);
	if ('error' in seen) return { ...base, status: 'error', resolution: `could not read the comment's state: ${seen.error}`, entry };
	const from = entry.status === 'claimed' ? 'claimed' : 'unknown';
	const lostAt = Date.parse((from === 'unknown' ? entry.completed_at : null) ?? entry.updated_at ?? entry.created_at);
	if (!seen.applied && Number.isFinite(lostAt) && now.getTime() - lostAt < settleMs) {
		return { ...base, status: 'pending', resolution: `${seen.resolution}; the answer was lost ${Math.round((now.getTime() - lostAt) / 1000)} s ago, less than the ${Math.round(settleMs / 1000)} s a late request may take to land, so it stays unknown`, entry };
	}
	const outcome = await deps.store.resolveAction(entry.idempotency_key, {
		from,
		status: seen.applied ? 'succeeded' : 'failed',
		resolution: from === 'claimed' ? `the run that claimed it (${holderName(entry.claimed_by)}) never recorded an outcome; ${seen.resolution}` : seen.resolution,
		...(seen.applied && seen.response !== undefined ? { response: seen.response } : {}),
		...(from === 'claimed' ? { attempts: entry.attempts } : {}),
	});
	const settled = outcome.entry;
	if (settled.status !== 'succeeded' && settled.status !== 'failed') return { ...base, status: 'pending', resolution: `the entry moved on meanwhile (now ${settled.status})`, entry: settled };
	await recordResolution(deps.store, intent, settled, now);
	return { ...base, status: settled.status, resolution: settled.resolution ?? seen.resolution, entry: settled };
}

/** Writes a settled outcome to the `moderation_actions` rows of the action and to the stored comment. */
async function recordResolution(store: Store, intent: Intent, entry: ActionLedgerEntry, now: Date): Promise<void> {
	const ok = entry.status === 'succeeded';
	const patch = {
		action_status: ok ? 'executed' : 'failed',
		result: (entry.response ?? null) as Json,
		error: ok ? null : `${intent.type} not applied: ${entry.resolution ?? 'observed not applied'}`,
		executed_at: ok ? (entry.resolved_at ?? now.toISOString()) : null,
	} as const;
	const unsettled = { in: ['unknown', 'stuck', 'failed'] };
	if (intent.proposalId) await store.update('moderation_actions', { proposal_id: intent.proposalId, action_status: unsettled }, patch);
	if (intent.type === 'hide' || intent.type === 'delete' || intent.type === 'like') {
		await store.update('moderation_actions', { idempotency_key: entry.idempotency_key, action_status: unsettled }, patch);
	}
	if (!ok) return;
	if (intent.type === 'hide' || intent.type === 'unhide') await store.update('social_media_items', { platform: COMMENT_PLATFORM, object_id: intent.commentId }, { is_hidden: intent.type === 'hide' });
	if (intent.type === 'delete') await store.update('social_media_items', { platform: COMMENT_PLATFORM, object_id: intent.commentId, removed_at: null }, { removed_at: now.toISOString() });
}

export interface ReconcileSweepResult {
	/** Entries looked at. */
	checked: number;
	reconciled: Reconciled[];
}

/**
 * Reconciles every open comment action (unknown, or claimed by a run that
 * is gone), oldest first, at most `limit` (default 200). What a live
 * `moderate` run does first; callable on demand (a maintenance workflow, a
 * person after an alert).
 */
export async function reconcileModerationActions(deps: { store: Store; metaComments: MetaCommentsClient }, options: ReconcileOptions & { limit?: number } = {}): Promise<ReconcileSweepResult> {
	const limit = Math.max(1, Math.min(10_000, Math.floor(options.limit ?? 200)));
	const open = await deps.store.select('action_ledger', {
		where: { kind: { in: [...COMMENT_ACTION_KINDS] }, status: { in: ['unknown', 'claimed'] } },
		order: { column: 'updated_at' },
		limit,
	});
	const out: ReconcileSweepResult = { checked: open.length, reconciled: [] };
	for (const entry of open) out.reconciled.push(await reconcileCommentAction(deps, entry, options));
	return out;
}
