/**
 * Whether an approval counts: one pure check used by both decision paths (a
 * card synced from Notion and a Slack button), so the two can never disagree
 * on what makes an approval valid. Rejections are not checked: stopping is
 * always safe.
 *
 * The checks, in order (the first that fails decides):
 * 1. already decided: only a pending proposal can be approved;
 * 2. what was shown: the card still shows what was queued (card hash), or the
 *    Slack button was posted for the stored payload (payload hash);
 * 3. the stored payload still matches the hash it was queued with;
 * 4. expiry: approved before `expiresAt` (Notion rounds its edit time down
 *    to the minute, so a card gets `graceMs` = one minute);
 * 5. the approver: a person (not an integration) and, when an allow-list is
 *    set, on it. Pass `approver` once it is known; left out, the check stops
 *    after 4 (Slack looks the approver up only when 1-4 pass).
 */
import { payloadIntact, type Proposal } from './proposal';
import type { RefusalReason } from './events';

export type ApproverStatus = 'allowed' | 'not_allowed' | 'unidentified' | 'integration';

export interface DecisionCheckInput {
	proposal: Proposal;
	/** When the decision was made (ms): the card's last edit, or the click. */
	decidedAtMs: number;
	/** Now (ms). */
	nowMs: number;
	/** Notion: the card hash of what the card shows now (undefined when it cannot be read). */
	shownCardHash?: string;
	/** Slack: the payload hash the button was posted for. */
	buttonPayloadHash?: string;
	/** Added to the decision time when comparing with the expiry (Notion: one minute). */
	graceMs?: number;
	approver?: ApproverStatus;
}

export type DecisionCheck =
	| { ok: true }
	| {
			ok: false;
			reason: RefusalReason;
			/** `rejected`/`expired`: the proposal is closed; `pending`: it stays open for another approver; `unchanged`: it was already decided. */
			outcome: 'rejected' | 'expired' | 'pending' | 'unchanged';
	  };

export function checkDecision(input: DecisionCheckInput): DecisionCheck {
	const p = input.proposal;
	if (p.status !== 'pending') return { ok: false, reason: 'already_decided', outcome: 'unchanged' };
	if (input.buttonPayloadHash !== undefined && input.buttonPayloadHash !== p.payloadHash) return { ok: false, reason: 'hash_mismatch', outcome: 'rejected' };
	if (input.buttonPayloadHash === undefined && (!p.cardHash || input.shownCardHash !== p.cardHash)) return { ok: false, reason: 'edited_after_queue', outcome: 'rejected' };
	if (!payloadIntact(p)) return { ok: false, reason: 'payload_tampered', outcome: 'rejected' };
	const expiresMs = Date.parse(p.expiresAt);
	if (input.nowMs > expiresMs && !(input.decidedAtMs + (input.graceMs ?? 0) <= expiresMs)) return { ok: false, reason: 'approved_after_expiry', outcome: 'expired' };
	switch (input.approver) {
		case undefined:
		case 'allowed':
			return { ok: true };
		case 'unidentified':
		case 'integration':
			return { ok: false, reason: 'unknown_approver', outcome: 'pending' };
		case 'not_allowed':
			return { ok: false, reason: 'approver_not_allowed', outcome: 'pending' };
	}
}
