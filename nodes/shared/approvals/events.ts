/**
 * What the approval loop reports: one structured event per decision, refusal,
 * execution and expiry, ready for Slack messages and n8n items.
 */
import type { Json } from '../schema/rows';
import type { ProposalStatus } from './proposal';

export type ApprovalEventType =
	/** A card exists for the proposal (`created` says whether this call made it). */
	| 'queued'
	| 'approved'
	| 'rejected'
	/** A decision that does not count; nothing was executed. `reason` says why. */
	| 'refused'
	| 'expired'
	| 'executed'
	| 'failed'
	/** The outcome is unknown and nothing can check it by itself (no reconciler, or a claim whose run is gone): a person checks and resolves it. Never re-run automatically. */
	| 'stuck'
	/** Another live run holds the execution claim ("in progress by run X since …"); this run left it alone. */
	| 'in_progress'
	/** The executor's answer was lost or late: possibly applied, counted as applied, being checked (reconciled) before anything acts; never re-sent blindly. */
	| 'unknown'
	/** Approved but not run now (no executor registered for the kind, or its executor holds it: the stored kill switch). */
	| 'skipped'
	/** A decision on a proposal that was no longer pending (a second click): nothing changed, nothing was written. */
	| 'unchanged';

export type RefusalReason =
	/** The approver is not on the allow-list. The proposal stays pending; the card goes back to Pending. */
	| 'approver_not_allowed'
	/** The approving edit came from no identifiable person (or from another integration). Stays pending. */
	| 'unknown_approver'
	/** The card's visible content changed after it was queued. Final: the proposal is rejected. */
	| 'edited_after_queue'
	/** The payload hash on the Slack button differs from the stored one: the approval covers another payload. Final: rejected. */
	| 'hash_mismatch'
	/** The stored payload no longer matches its hash. Final: rejected. */
	| 'payload_tampered'
	/** The approved card is not the card that was queued for this proposal id (a duplicated card). */
	| 'not_the_queued_card'
	/** Approved after the proposal expired. Final: expired. */
	| 'approved_after_expiry'
	/** Decided after it was already decided (rejected, expired, or — from Slack — approved or further): nothing changes. */
	| 'already_decided';

export interface Decider {
	/** `notion` for a card click, `slack` for a button click. */
	source: 'notion' | 'slack';
	/** The platform's user id (a Notion user id, or a Slack user id `U…`/`W…`). */
	id: string;
	/** Notion: the person's name. Slack: the user's handle (display only; the id identifies). */
	name?: string;
	email?: string;
}

export interface ApprovalEvent {
	type: ApprovalEventType;
	proposalId: string;
	kind: string;
	/** The proposal's status in the store after this event. */
	status: ProposalStatus;
	/** One human sentence: what happened and what (if anything) to do. */
	message: string;
	at: string;
	title?: string;
	pageId?: string;
	url?: string;
	decidedBy?: Decider;
	reason?: RefusalReason;
	/** `skipped` by its executor's hold: why it waits (the stored kill switch, who turned it on, when, why). */
	held?: string;
	/** Refusals that need a person's attention. */
	flagged?: boolean;
	/** `edited_after_queue`: which card fields differ from what was queued. */
	changedFields?: string[];
	/** `queued`: whether this call created the card. */
	created?: boolean;
	/** `queued`: the card existed but the store did not know it (an earlier run created it and lost the answer or crashed): announced like a new one. */
	adopted?: boolean;
	idempotencyKey?: string;
	attempts?: number;
	result?: Json;
	error?: string;
	/** `executed`: false when the side effect had already happened and only the write-back was finished now. */
	executedNow?: boolean;
	/** `in_progress`, `stuck`: who holds (held) the execution claim, and since when. */
	claimedBy?: string;
	since?: string;
	/** How an unknown outcome was settled (what was read), when it was. */
	resolution?: string;
	/** Set when the store was updated but the card could not be (the next sync repairs it). */
	cardError?: string;
}
