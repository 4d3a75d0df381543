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
	/** A ledger claim is open (a crash between side effect and write-back, or a run still in progress); never re-run automatically. */
	| 'stuck'
	/** Approved but not run now (no executor registered for the kind). */
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
	/** Refusals that need a person's attention. */
	flagged?: boolean;
	/** `edited_after_queue`: which card fields differ from what was queued. */
	changedFields?: string[];
	/** `queued`: whether this call created the card. */
	created?: boolean;
	idempotencyKey?: string;
	attempts?: number;
	result?: Json;
	error?: string;
	/** `executed`: false when the side effect had already happened and only the write-back was finished now. */
	executedNow?: boolean;
	/** Set when the store was updated but the card could not be (the next sync repairs it). */
	cardError?: string;
}
