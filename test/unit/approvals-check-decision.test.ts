// checkDecision: the one check of whether an approval counts, shared by the
// Notion card path and the Slack button path (approvals/check-decision.ts).
import { describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { checkDecision } from '../../nodes/shared/approvals/check-decision';
import { cardContent, cardHash } from '../../nodes/shared/approvals/card';
import { createProposal, type Proposal } from '../../nodes/shared/approvals/proposal';

const NOW = Date.parse('2025-06-01T12:00:00Z');

function queued(): Proposal {
	const p = createProposal(
		{ id: 'opt-1', kind: 'optimization', title: 'Raise budget by 15%', payload: { action: 'set_budget', campaignId: '123', amount: 115, currency: 'USD' }, evidence: { rule: 'r' }, platform: 'meta', accountId: '998877', entity: 'campaign 123', proposedChange: 'Daily budget 100.00 USD → 115.00 USD', impact: '+15% spend', expiresAt: '2025-06-02T12:00:00Z' },
		new Date(NOW - 60_000),
	);
	return { ...p, cardHash: cardHash(cardContent(p), p.payloadHash) };
}

describe('checkDecision', () => {
	test('a pending proposal, shown as queued, approved in time by an allowed person counts (card and button)', () => {
		const p = queued();
		assert.deepEqual(checkDecision({ proposal: p, decidedAtMs: NOW, nowMs: NOW, shownCardHash: p.cardHash!, graceMs: 60_000, approver: 'allowed' }), { ok: true });
		assert.deepEqual(checkDecision({ proposal: p, decidedAtMs: NOW, nowMs: NOW, buttonPayloadHash: p.payloadHash, approver: 'allowed' }), { ok: true });
	});

	test('each check refuses with its reason, the first failing one deciding', () => {
		const p = queued();
		const card = { decidedAtMs: NOW, nowMs: NOW, shownCardHash: p.cardHash!, graceMs: 60_000 };
		assert.deepEqual(checkDecision({ ...card, proposal: { ...p, status: 'rejected' } }), { ok: false, reason: 'already_decided', outcome: 'unchanged' });
		assert.deepEqual(checkDecision({ ...card, proposal: p, shownCardHash: 'f'.repeat(64) }), { ok: false, reason: 'edited_after_queue', outcome: 'rejected' });
		assert.deepEqual(checkDecision({ ...card, proposal: { ...p, cardHash: null } }), { ok: false, reason: 'edited_after_queue', outcome: 'rejected' });
		assert.deepEqual(checkDecision({ proposal: p, decidedAtMs: NOW, nowMs: NOW, buttonPayloadHash: 'a'.repeat(64) }), { ok: false, reason: 'hash_mismatch', outcome: 'rejected' });
		const tampered = { ...p, payload: { ...(p.payload as Record<string, unknown>), amount: 999 } };
		assert.deepEqual(checkDecision({ ...card, proposal: tampered }), { ok: false, reason: 'payload_tampered', outcome: 'rejected' });
		assert.deepEqual(checkDecision({ ...card, proposal: tampered, shownCardHash: 'f'.repeat(64) }), { ok: false, reason: 'edited_after_queue', outcome: 'rejected' }, 'the card check comes first');
		assert.deepEqual(checkDecision({ ...card, proposal: p, approver: 'unidentified' }), { ok: false, reason: 'unknown_approver', outcome: 'pending' });
		assert.deepEqual(checkDecision({ ...card, proposal: p, approver: 'integration' }), { ok: false, reason: 'unknown_approver', outcome: 'pending' });
		assert.deepEqual(checkDecision({ ...card, proposal: p, approver: 'not_allowed' }), { ok: false, reason: 'approver_not_allowed', outcome: 'pending' });
	});

	test('expiry: a card edited before the expiry minute counts when synced late; a click after expiry does not', () => {
		const p = queued();
		const exp = Date.parse(p.expiresAt);
		// Notion rounds last_edited_time down to the minute: an edit stamped one minute before expiry was made before it
		assert.deepEqual(checkDecision({ proposal: p, decidedAtMs: exp - 60_000, nowMs: exp + 3_600_000, shownCardHash: p.cardHash!, graceMs: 60_000, approver: 'allowed' }), { ok: true });
		assert.deepEqual(checkDecision({ proposal: p, decidedAtMs: exp - 30_000, nowMs: exp + 3_600_000, shownCardHash: p.cardHash!, graceMs: 60_000 }), { ok: false, reason: 'approved_after_expiry', outcome: 'expired' });
		assert.deepEqual(checkDecision({ proposal: p, decidedAtMs: exp + 1, nowMs: exp + 1, buttonPayloadHash: p.payloadHash }), { ok: false, reason: 'approved_after_expiry', outcome: 'expired' });
		assert.deepEqual(checkDecision({ proposal: p, decidedAtMs: exp, nowMs: exp, buttonPayloadHash: p.payloadHash }), { ok: true }, 'at the expiry instant it still counts');
	});
});
