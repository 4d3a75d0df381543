/**
 * What the AdOps Approval Trigger emits: each decision on a proposal once,
 * whether it was made on the Notion card or with a Slack button.
 *
 * A poll first syncs decided Notion cards into the store (`syncDecisions`),
 * then reads the proposals the store changed since the previous poll (its
 * cursor lives in the store's app_state, not in n8n's static data, so it
 * survives restarts and is shared by every n8n instance). Each decision and
 * each refusal has an emission key claimed in the action ledger before it is
 * emitted: overlapping windows, two pollers (queue mode, two mains) or a
 * manual test run never emit the same decision twice. A poll that crashes
 * after claiming but before n8n stores the execution loses that notification,
 * never the decision: the store still holds it and Execute approved reads the
 * store, not the trigger's items.
 */
import type { Approval } from '../schema/rows';
import type { ApprovalEvent, RefusalReason } from './events';
import { deciderFromStored } from './alerting';
import { proposalFromRow, type Proposal } from './proposal';
import type { ApprovalQueue, SyncResult } from './queue';

/** Refusals that also end the proposal (rejected or expired): emitted as the refusal, not as a decision. */
const FINAL_REFUSALS: ReadonlySet<string> = new Set<RefusalReason>(['edited_after_queue', 'payload_tampered', 'hash_mismatch', 'approved_after_expiry']);
const DECIDED: ReadonlySet<string> = new Set(['approved', 'executing', 'executed', 'failed', 'rejected', 'expired']);

export interface PollOptions {
	/** Who consumes the decisions (one trigger node): each consumer sees each decision once. */
	consumer: string;
	/** Clock (tests). */
	now?: Date;
	/** How far each poll reaches back before the previous poll's start (default 5 min: clocks of n8n and the database may differ). */
	overlapMs?: number;
	/** The first poll of a consumer reads decisions this far back (default 24 h). */
	firstLookbackMs?: number;
	/** Most proposals read per poll (default 500); the rest come with the next poll. */
	limit?: number;
	/** Skip the Notion sync (decisions only from the store: Slack, or another poller's sync). */
	skipSync?: boolean;
}

export interface PolledDecision {
	event: ApprovalEvent;
	proposal: Proposal;
}

export interface PollResult {
	decisions: PolledDecision[];
	sync?: SyncResult;
	/** The cursor stored for the next poll. */
	cursor: string;
	/** Proposals read from the store in this poll. */
	scanned: number;
}

const MINUTE_MS = 60_000;

/** The app_state key of a consumer's cursor. */
export function triggerCursorKey(consumer: string): string {
	return `approvals.trigger.${consumer}`;
}

interface Emission {
	key: string;
	type: ApprovalEvent['type'];
	reason?: RefusalReason;
}

/** The emissions a stored proposal stands for: its decision and its latest refusal. */
function emissionsOf(row: Approval): Emission[] {
	const out: Emission[] = [];
	const flag = row.flag as RefusalReason | null;
	if (row.decided_at && DECIDED.has(row.status)) {
		const key = `decision:${new Date(row.decided_at).toISOString()}`;
		if (flag && FINAL_REFUSALS.has(flag) && (row.status === 'rejected' || row.status === 'expired')) out.push({ key, type: 'refused', reason: flag });
		else if (row.status === 'rejected') out.push({ key, type: 'rejected' });
		else if (row.status !== 'expired') out.push({ key, type: 'approved' });
	}
	if (flag && row.refusals > 0 && !(FINAL_REFUSALS.has(flag) && (row.status === 'rejected' || row.status === 'expired'))) {
		out.push({ key: `refusal:${row.refusals}`, type: 'refused', reason: flag });
	}
	return out;
}

function synthesized(type: ApprovalEvent['type'], p: Proposal, reason: RefusalReason | undefined, at: string): ApprovalEvent {
	const decider = deciderFromStored(p.decidedBy);
	const who = decider ? (decider.source === 'slack' ? `Slack user ${decider.id}` : `Notion user ${decider.id}`) : 'someone';
	const via = decider?.source === 'slack' ? ' in Slack' : '';
	const message =
		type === 'approved'
			? `${who} approved "${p.title}"${via}; it will execute once.`
			: type === 'rejected'
				? `${who} rejected "${p.title}"${via}; it will not execute.`
				: p.error && FINAL_REFUSALS.has(reason ?? '')
					? p.error
					: `A decision on "${p.title}" was refused (${reason ?? 'refused'}); nothing was executed.`;
	return {
		type,
		proposalId: p.id,
		kind: p.kind,
		status: p.status,
		message,
		at,
		title: p.title,
		...(p.notionPageId ? { pageId: p.notionPageId } : {}),
		...(decider ? { decidedBy: decider } : {}),
		...(reason ? { reason, flagged: true } : {}),
	};
}

/** A consumer's cursor in app_state. */
type TriggerCursor = {
	/** Rows updated on or after this (minus the overlap, unless `fullPage`) are read next. */
	since: string;
	/** The previous poll stopped at its limit: continue exactly at `since` (the database's own clock, so no overlap). */
	fullPage?: boolean;
	/** With `fullPage`: the rows of `since`'s millisecond up to this proposal id were read. */
	afterId?: string;
};

const BY_UPDATE: Array<{ column: 'updated_at' | 'proposal_id' }> = [{ column: 'updated_at' }, { column: 'proposal_id' }];

/**
 * The page after a full one. The store returns updated_at to the millisecond
 * while rows are ordered by the database's microseconds, so the last row's
 * millisecond is read again, this time ordered by proposal id; `afterId`
 * continues inside that millisecond when it alone filled a page. Every poll
 * thus moves on, even when more rows than the limit share one timestamp
 * (a bulk update); rows read twice are not emitted twice (the claims).
 */
async function readAfterFullPage(store: ApprovalQueue['store'], since: string, afterId: string | undefined, limit: number): Promise<{ rows: Approval[]; byId: boolean }> {
	const nextMs = new Date(Date.parse(since) + 1).toISOString();
	const same = await store.select('approvals', {
		where: { updated_at: { gte: since, lt: nextMs }, ...(afterId !== undefined ? { proposal_id: { gt: afterId } } : {}) },
		order: { column: 'proposal_id' },
		limit,
	});
	if (same.length >= limit) return { rows: same, byId: true };
	const later = await store.select('approvals', { where: { updated_at: { gte: nextMs } }, order: BY_UPDATE, limit: limit - same.length });
	return { rows: [...same, ...later], byId: false };
}

/** One poll: sync Notion, then emit each decision and refusal the consumer has not seen. */
export async function pollDecisions(queue: ApprovalQueue, options: PollOptions): Promise<PollResult> {
	const consumer = options.consumer.trim();
	if (!consumer) throw new Error('pollDecisions needs a consumer name');
	const startedAt = options.now ?? new Date();
	const overlapMs = options.overlapMs ?? 5 * MINUTE_MS;
	const store = queue.store;
	const sync = options.skipSync ? undefined : await queue.syncDecisions();

	const limit = options.limit ?? 500;
	const stateKey = triggerCursorKey(consumer);
	const state = await store.getState<TriggerCursor>(stateKey);
	const since = typeof state?.since === 'string' ? state.since : undefined;
	let page: { rows: Approval[]; byId: boolean };
	if (since && state?.fullPage === true) page = await readAfterFullPage(store, since, typeof state.afterId === 'string' ? state.afterId : undefined, limit);
	else {
		const from = since ? new Date(Date.parse(since) - overlapMs) : new Date(startedAt.getTime() - (options.firstLookbackMs ?? 24 * 60 * MINUTE_MS));
		page = { rows: await store.select('approvals', { where: { updated_at: { gte: from.toISOString() } }, order: BY_UPDATE, limit }), byId: false };
	}
	const rows = page.rows;

	const fromSync = new Map<string, ApprovalEvent[]>();
	for (const e of sync?.events ?? []) fromSync.set(e.proposalId, [...(fromSync.get(e.proposalId) ?? []), e]);

	const decisions: PolledDecision[] = [];
	for (const row of rows) {
		const p = proposalFromRow(row);
		for (const emission of emissionsOf(row)) {
			const key = `approval-trigger:${consumer}:${p.id}:${emission.key}`;
			const claim = await store.claimAction(key, { kind: 'approval.trigger', target: p.id, intent: { consumer, proposalId: p.id, event: emission.type, ...(emission.reason ? { reason: emission.reason } : {}) } });
			if (!claim.claimed) continue;
			await store.completeAction(key, { status: 'succeeded', response: null });
			const own = fromSync.get(p.id)?.find((e) => e.type === emission.type && (emission.type !== 'refused' || e.reason === emission.reason));
			const event = own ? { ...own, status: p.status } : synthesized(emission.type, p, emission.reason, startedAt.toISOString());
			decisions.push({ event, proposal: p });
		}
	}
	// Never move the cursor past what this poll has read: after a full page the next poll continues at the last row read (see readAfterFullPage).
	const last = rows.length >= limit ? rows[rows.length - 1] : undefined;
	const cursor = last ? new Date(last.updated_at).toISOString() : startedAt.toISOString();
	const next: TriggerCursor = last ? { since: cursor, fullPage: true, ...(page.byId ? { afterId: last.proposal_id } : {}) } : { since: cursor };
	await store.setState(stateKey, { ...next, lastPollAt: startedAt.toISOString() });
	return { decisions, ...(sync ? { sync } : {}), cursor, scanned: rows.length };
}
