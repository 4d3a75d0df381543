// What a person reads in Slack and on a Notion card: evidence, platform
// answers and results as words and numbers, never JSON. Every alert builder
// is rendered with nested objects in its data, and no text may carry `{"`.
import { test, describe } from 'vitest';
import assert from 'node:assert/strict';
import { renderAlert, type Alert } from '../../nodes/shared/alerts/message';
import { keyWords, readableNumber, readableValue } from '../../nodes/shared/alerts/readable';
import { optimizerAlert } from '../../nodes/shared/rules/alert';
import { PROPOSAL_ALERT_TYPES, proposalAlert, type ProposalAlertEvent, type ProposalAlertInput } from '../../nodes/shared/alerts/proposal';
import { heldBackAlert } from '../../nodes/shared/creative/alert';
import { commentPollAlert, moderatedCommentAlert } from '../../nodes/shared/moderation/alert';
import { ingestSummaryAlert } from '../../nodes/shared/ingest/alert';
import { evidenceText, resultText } from '../../nodes/shared/approvals/card';
import type { OptimizerItem } from '../../nodes/shared/rules/run';
import { optimizerItem as baseItem } from '../helpers/optimizer-item';
import type { CreativeRunItem } from '../../nodes/shared/creative';
import type { ModeratedComment } from '../../nodes/shared/moderation';
import type { IngestOutcome } from '../../nodes/shared/ingest';

const NOW = new Date('2026-03-02T10:00:00.000Z');
const nested = { campaign: { id: '42', daily_budget: 12000, status: 'ACTIVE' }, warnings: [{ code: 'LOW', message: 'budget low' }], ratio: 0.30000000000000004 };

/** Every text a person sees in a rendered message: blocks and the notification text. */
function texts(alert: Alert): string[] {
	const m = renderAlert(alert);
	const out = [m.text];
	for (const b of m.blocks) {
		if (b.type === 'header') out.push(b.text.text);
		if (b.type === 'section') out.push(...(b.text ? [b.text.text] : []), ...(b.fields ?? []).map((f) => f.text));
		if (b.type === 'context') out.push(...b.elements.map((e) => e.text));
		if (b.type === 'actions') out.push(...b.elements.map((e) => e.text.text));
	}
	return out;
}

function assertNoJson(name: string, lines: string[]): void {
	for (const line of lines) {
		assert.ok(!line.includes('{"') && !line.includes('{&quot;') && !/"\w+":/.test(line), `${name}: JSON in "${line.slice(0, 200)}"`);
		assert.doesNotMatch(line, /\d\.\d{5,}/, `${name}: float noise in "${line.slice(0, 200)}"`);
	}
}

/** An executed change whose platform answer and re-read budget carry nested data and float noise. */
function optimizerItem(over: Partial<OptimizerItem>): OptimizerItem {
	return baseItem({
		current: { status: 'ACTIVE', dailyBudget: 277.42199999999997, currency: 'USD', budgetEditable: true, budgetNote: null },
		execution: { at: '2026-03-02T10:00:01.000Z', response: nested, attempts: 1 },
		...over,
	});
}

const proposal: ProposalAlertInput = {
	proposalId: 'opt-abc',
	kind: 'optimization',
	title: 'Raise the budget of Spring sale',
	payloadHash: 'a'.repeat(64),
	platform: 'meta',
	account: '111',
	entity: 'campaign 42',
	proposedChange: '100.00 USD → 120.00 USD',
	evidence: { rule: 'Scale winners', roas_7d: 4.2, gates: { volume: 'pass', cooldown: 'pass' }, novelty: { lexical: 0.41234567, nearest: { id: 'v-1' } } },
	requestedAt: '2026-03-02T09:00:00.000Z',
	expiresAt: '2026-03-03T09:00:00.000Z',
};

describe('readable values', () => {
	test('objects are key-value words, lists are joined, numbers lose float noise', () => {
		assert.equal(readableValue({ daily_budget: 12000, status: 'ACTIVE' }), 'daily budget 12000, status ACTIVE');
		assert.equal(readableValue({ campaign: { id: '42', dailyBudget: 5 } }), 'campaign (id 42, daily budget 5)');
		assert.equal(readableValue([1, 2.5, 'x']), '1, 2.5, x');
		assert.equal(readableValue({ ok: true, missing: null }), 'ok yes, missing —');
		assert.equal(readableValue({ b: 1, a: 2 }, { sortKeys: true }), 'a 2, b 1');
		assert.equal(readableNumber(277.42199999999997), '277.42');
		assert.equal(readableNumber(0.30000000000000004), '0.3');
		assert.equal(keyWords('campaignId'), 'campaign id');
		assert.equal(readableValue({ a: { b: { c: { d: 1 } } } }), 'a (b (c (…)))');
	});
});

describe('no JSON in any rendered alert', () => {
	test('optimizer: executed (platform answer), dry run (validation), failed, in progress', () => {
		for (const over of [{}, { outcome: 'dry_run', dryRun: true, execution: null, validation: nested }, { outcome: 'failed', execution: null, error: { message: 'budget too low' } }, { outcome: 'in_progress', execution: null }] as Array<Partial<OptimizerItem>>) {
			const alert = optimizerAlert(optimizerItem(over));
			assert.ok(alert, over.outcome ?? 'executed');
			assertNoJson(`optimizer ${over.outcome ?? 'executed'}`, texts(alert));
		}
		assert.ok(texts(optimizerAlert(optimizerItem({}))!).some((t) => t.includes('daily budget 12000, status ACTIVE')), 'the platform answer in words');
		assert.ok(texts(optimizerAlert(optimizerItem({}))!).some((t) => t.includes('daily budget 277.42 USD')), 'the re-read budget rounded');
		const reRead = (dailyBudget: number, currency: string | null): string[] => texts(optimizerAlert(optimizerItem({ current: { status: 'ACTIVE', dailyBudget, currency, budgetEditable: true, budgetNote: null } }))!);
		assert.ok(reRead(12.5, 'USD').some((t) => t.includes('daily budget 12.50 USD')), 'the re-read budget in the currency\'s minor digits');
		assert.ok(reRead(1500, 'JPY').some((t) => t.includes('daily budget 1500 JPY')), 'no minor digits for JPY');
		assert.ok(reRead(12.5, null).some((t) => t.includes('daily budget 12.5,') || t.endsWith('daily budget 12.5')), 'no currency known: the number alone');
	});

	test('proposal events of every type, with nested evidence and results', () => {
		const events: ProposalAlertEvent[] = PROPOSAL_ALERT_TYPES.map((type) => ({ type, proposal, decision: 'approve', via: 'slack', reason: 'hash_mismatch', error: 'boom', detail: 'lost answer', since: '2026-03-02T09:30:00.000Z', result: nested, decidedBy: { source: 'slack', id: 'U1', name: 'maya' } }) as unknown as ProposalAlertEvent);
		for (const e of events) assertNoJson(`proposal ${e.type}`, texts(proposalAlert(e, { now: NOW })));
		const awaiting = texts(proposalAlert({ type: 'awaiting', proposal }, { now: NOW })).join('\n');
		assert.match(awaiting, /Evidence · gates: volume pass, cooldown pass/);
		assert.match(awaiting, /Evidence · novelty: lexical 0\.4123, nearest \(id v-1\)/);
	});

	test('creative held back, moderated comment, poll failure, ingest summary', () => {
		const creative: CreativeRunItem = { slot: 0, status: 'rejected_policy', variantId: 'v-1', storedStatus: 'rejected_policy', variant: null, contentHash: null, verdict: null, nearest: { id: 'p-1', text: 'Spring', lexical: 0.912345, semantic: 0.95, verdict: 'near_duplicate', source: 'past', slot: null, campaignId: 'c', status: 'approved' }, violations: [], findings: [], attempts: 1, proposal: null, reason: 'Breaks the policy.' };
		assertNoJson('creative', texts(heldBackAlert(creative, { platform: 'meta', campaignId: 'c-1' })!));
		const comment = { commentId: 'c1', platform: 'meta', accountId: 'act_1', postId: 'p1', adId: 'ad1', text: 'Terrible', classification: { intent: 'complaint', confidence: 0.8712345, reasons: [] }, source: 'offline', actions: [{ type: 'escalate', status: 'executed' }] } as unknown as ModeratedComment;
		assertNoJson('moderation', texts(moderatedCommentAlert(comment)!));
		assertNoJson('poll', texts(commentPollAlert([{ accountId: 'act_1', objectId: 'p1', message: 'rate limited' }] as never)!));
		const outcome = { platform: 'meta', accountId: 'act_1', status: 'partial', runId: null, window: { start: '2025-06-01', end: '2025-06-02', mode: 'incremental' }, timezone: 'UTC', rowsFetched: 12, rowsWritten: 10, rowsUnchanged: 1, rowsQuarantined: 1, quarantineRecordsAdded: 1, rowsFlagged: 0, duplicatesCollapsed: 0, quarantineReasons: ['spend: must be a number'], warnings: [], fetch: null } as unknown as IngestOutcome;
		assertNoJson('ingest', texts(ingestSummaryAlert([outcome])));
	});

	test('the Notion card: evidence and result in words, keys sorted at every level', () => {
		const evidence = evidenceText(proposal.evidence);
		assertNoJson('card evidence', evidence.split('\n'));
		assert.match(evidence, /^gates: cooldown pass, volume pass$/m);
		assert.equal(evidenceText({ x: { b: 1, a: 2 } }), evidenceText({ x: { a: 2, b: 1 } }), 'jsonb key order does not change the card');
		assertNoJson('card result', [resultText({ result: nested })]);
	});
});
