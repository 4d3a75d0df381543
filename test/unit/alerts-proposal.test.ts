import { test, describe } from 'vitest';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { deciderText, proposalAlert, proposalThreadKey, PROPOSAL_ALERT_TYPES, EVIDENCE_VALUE_MAX, type DeciderShown, type ProposalAlertEvent, type ProposalAlertInput } from '../../nodes/shared/alerts/proposal';
import { renderAlert, SLACK_LIMITS, escapeMrkdwn, type ButtonElement, type SlackMessage } from '../../nodes/shared/alerts/message';
import { textsOf } from '../helpers/blocks';
import { parseApprovalInteraction, APPROVE_ACTION_ID, REJECT_ACTION_ID } from '../../nodes/shared/alerts/interaction';
import { validateBlocks } from '../../scripts/sandbox/platforms/slack';
import { blockActionsPayload, signedInteraction } from '../../scripts/sandbox/slack-interaction';

const NOW = new Date('2025-06-01T12:00:00Z');
const HASH = 'f'.repeat(8) + '0123456789abcdef'.repeat(3) + '01234567';

const proposal: ProposalAlertInput = {
	proposalId: 'prop_42',
	kind: 'optimization',
	title: 'Raise daily budget of Spring Sale by 20%',
	payloadHash: HASH,
	platform: 'Meta',
	account: 'act_1001',
	entity: 'Spring Sale (campaign 2380001)',
	proposedChange: 'daily budget 50.00 EUR → 60.00 EUR',
	impact: '+10.00 EUR/day, est. +4 conversions',
	evidence: { rule: 'Scale winners', roas_7d: 4.2, spend_7d: '350.00 EUR', gates: { volume: 'pass', cooldown: 'pass' } },
	requestedAt: '2025-06-01T11:00:00Z',
	expiresAt: '2025-06-02T11:00:00Z',
	notionUrl: 'https://www.notion.so/adops/Raise-budget-0123456789abcdef0123456789abcdef',
	dryRun: false,
};

function events(p: ProposalAlertInput): ProposalAlertEvent[] {
	return [
		{ type: 'awaiting', proposal: p },
		{ type: 'decided', proposal: p, decision: 'approve', decidedBy: 'Maya Lopez', via: 'slack' },
		{ type: 'executed', proposal: p, result: { previousBudget: 50, newBudget: 60 }, decidedBy: 'Maya Lopez' },
		{ type: 'refused', proposal: p, reason: 'hash_mismatch', detail: 'card says 70.00 EUR' },
		{ type: 'refused', proposal: p, reason: 'approver_not_allowed', decidedBy: 'Sam' },
		{ type: 'refused', proposal: p, reason: 'expired' },
		{ type: 'refused', proposal: p, reason: 'rejected', decidedBy: 'Priya' },
		{ type: 'expired', proposal: p },
		{ type: 'failed', proposal: p, error: 'Meta API 400: (#100) Invalid parameter', attempt: 2, willRetry: true },
		{ type: 'stuck', proposal: p, detail: 'claimed at 2025-06-01T10:00:00.000Z and never recorded an outcome', since: '2025-06-01T10:00:00.000Z' },
		{ type: 'unknown', proposal: p, detail: 'POST https://hooks.example/x: the outcome is unknown (no answer within 30 s)' },
	];
}


function buttons(m: SlackMessage): ButtonElement[] {
	return m.blocks.flatMap((b) => (b.type === 'actions' ? b.elements : []));
}

function assertValidForSlack(m: SlackMessage) {
	assert.deepEqual(validateBlocks(m.blocks), []);
	assert.ok(m.blocks.length <= SLACK_LIMITS.blocksPerMessage);
	assert.ok(m.text.length <= SLACK_LIMITS.fallbackText);
	for (const b of m.blocks) {
		if (b.type === 'header') assert.ok(b.text.text.length <= SLACK_LIMITS.headerText);
		if (b.type === 'actions') {
			assert.ok(b.elements.length <= SLACK_LIMITS.actionsPerBlock);
			for (const e of b.elements) {
				assert.ok(e.text.text.length <= SLACK_LIMITS.buttonText);
				assert.ok(e.action_id.length <= SLACK_LIMITS.actionId);
				assert.ok((e.value ?? '').length <= SLACK_LIMITS.buttonValue);
			}
		}
	}
}

describe('proposal alerts', () => {
	test('every kind renders within Slack limits and passes the sandbox Block Kit validator', () => {
		const seen = new Set<string>();
		for (const e of events(proposal)) {
			seen.add(e.type);
			const m = renderAlert(proposalAlert(e, { now: NOW }));
			assertValidForSlack(m);
			assert.equal(m.truncated, false, e.type);
		}
		assert.deepEqual([...seen].sort(), [...PROPOSAL_ALERT_TYPES].sort());
	});

	test('awaiting approval: header, facts, expiry, evidence, Notion link, Approve/Reject carrying id and hash', () => {
		const m = renderAlert(proposalAlert({ type: 'awaiting', proposal }, { now: NOW }));
		const all = m.blocks.flatMap(textsOf).join('\n');
		assert.equal(textsOf(m.blocks[0])[0], 'Approval needed: Raise daily budget of Spring Sale by 20%');
		assert.match(all, /\*Proposed change\*\ndaily budget 50\.00 EUR → 60\.00 EUR/);
		assert.match(all, /\*Impact\*\n\+10\.00 EUR\/day/);
		assert.match(all, /\*Expires\*\n2025-06-02 11:00 UTC \(in 23 h\)/);
		assert.match(all, /Evidence · roas 7d: 4\.2/);
		assert.match(all, /Evidence · gates: volume pass, cooldown pass/);
		assert.match(all, /Proposal prop_42 · payload ffffffff0123/);
		const [approve, reject, link] = buttons(m);
		assert.deepEqual([approve.action_id, approve.style, approve.text.text], [APPROVE_ACTION_ID, 'primary', 'Approve']);
		assert.deepEqual([reject.action_id, reject.style, reject.text.text], [REJECT_ACTION_ID, 'danger', 'Reject']);
		assert.ok(approve.confirm, 'approving asks for confirmation');
		assert.equal(link.url, proposal.notionUrl);
		assert.equal(link.value, undefined);

		// What Slack sends back on a click is what the parser reads.
		for (const button of [approve, reject]) {
			const click = signedInteraction({ payload: blockActionsPayload({ actionId: button.action_id, value: button.value!, messageTs: '1748779200.000100', messageBlocks: m.blocks }) });
			const r = parseApprovalInteraction(click.body);
			assert.equal(r.ok, true);
			if (r.ok) {
				assert.equal(r.interaction.decision, button === approve ? 'approve' : 'reject');
				assert.equal(r.interaction.proposalId, 'prop_42');
				assert.equal(r.interaction.payloadHash, HASH);
			}
		}
	});

	test('buttons only on the awaiting alert', () => {
		for (const e of events(proposal)) {
			const decisionButtons = buttons(renderAlert(proposalAlert(e, { now: NOW }))).filter((b) => b.action_id === APPROVE_ACTION_ID || b.action_id === REJECT_ACTION_ID);
			assert.equal(decisionButtons.length, e.type === 'awaiting' ? 2 : 0, e.type);
		}
		const noLink = renderAlert(proposalAlert({ type: 'expired', proposal: { ...proposal, notionUrl: undefined } }, { now: NOW }));
		assert.equal(buttons(noLink).length, 0);
	});

	test('refused, failed and expired say why and that nothing ran', () => {
		const text = (e: ProposalAlertEvent) => renderAlert(proposalAlert(e, { now: NOW })).blocks.flatMap(textsOf).join('\n');
		const hash = proposalAlert({ type: 'refused', proposal, reason: 'hash_mismatch', detail: 'card says 70.00 EUR' });
		assert.equal(hash.kind, 'failure');
		assert.match(text({ type: 'refused', proposal, reason: 'hash_mismatch', detail: 'card says 70.00 EUR' }), /Refused: .*[\s\S]*Nothing was executed[\s\S]*payload hash mismatch[\s\S]*card says 70\.00 EUR/);
		assert.match(text({ type: 'refused', proposal, reason: 'approver_not_allowed', decidedBy: 'Sam' }), /allow-list[\s\S]*Decided by\*\nSam/);
		assert.match(text({ type: 'refused', proposal, reason: 'rejected' }), /was rejected/);
		assert.match(text({ type: 'refused', proposal, reason: 'expired' }), /expired before/);
		assert.match(text({ type: 'refused', proposal, reason: '<!here> custom_code' }), /refused \(&lt;!here&gt; custom_code\)/);
		assert.equal(proposalAlert({ type: 'refused', proposal, reason: 'rejected' }).kind, 'info');
		assert.equal(proposalAlert({ type: 'refused', proposal, reason: 'payload_tampered' }).kind, 'failure');
		assert.match(text({ type: 'refused', proposal, reason: 'approved_after_expiry' }), /after the proposal had expired/);
		assert.match(text({ type: 'failed', proposal, error: 'Meta API 400: (#100) Invalid parameter', attempt: 2, willRetry: true }), /Failed: [\s\S]*will be retried[\s\S]*Meta API 400[\s\S]*Attempt\*\n2/);
		assert.match(text({ type: 'expired', proposal }, ), /Expired: [\s\S]*never execute[\s\S]*2025-06-02 11:00 UTC/);
		assert.match(text({ type: 'executed', proposal: { ...proposal, dryRun: true } }), /Executed \(dry run\): [\s\S]*nothing was changed/);
		assert.match(text({ type: 'executed', proposal, result: { newBudget: 60 } }), /Executed: [\s\S]*applied once[\s\S]*Result · new budget: 60/);
		const stuck = proposalAlert({ type: 'stuck', proposal, detail: 'claimed 40 s ago, no outcome', since: '2025-06-01T10:00:00.000Z' }, { now: NOW });
		assert.equal(stuck.kind, 'failure');
		assert.match(text({ type: 'stuck', proposal, detail: 'claimed 40 s ago, no outcome' }), /Outcome unknown: [\s\S]*not run again[\s\S]*Resolve Stuck[\s\S]*claimed 40 s ago, no outcome/);
		// a lost answer: being checked, counted as applied, never "retry"
		const unknown = text({ type: 'unknown', proposal, detail: 'no answer within 30 s' });
		assert.match(unknown, /Outcome unknown[\s\S]*being checked[\s\S]*counts as applied[\s\S]*not sent again[\s\S]*no answer within 30 s/);
		assert.doesNotMatch(unknown, /retry/i);
		assert.equal(proposalAlert({ type: 'unknown', proposal, detail: 'x' }, { now: NOW }).kind, 'failure');
	});

	test('the approver of an executed change is named, with their email when known; the platform id only when nothing else is', () => {
		const text = (e: ProposalAlertEvent) => renderAlert(proposalAlert(e, { now: NOW })).blocks.flatMap(textsOf).join('\n');
		const id = '0f3c9d1e-5b7a-4c2e-9a8b-1d2e3f4a5b6c';
		const approvedBy = (decidedBy: DeciderShown) => /Approved by\*\n(.*)/.exec(text({ type: 'executed', proposal, result: { newBudget: 60 }, decidedBy }))?.[1];
		assert.equal(approvedBy({ source: 'notion', id, name: 'Maya Lopez', email: 'maya@example.com' }), 'Maya Lopez &lt;maya@example.com&gt;');
		assert.equal(approvedBy({ source: 'notion', id, name: 'Maya Lopez' }), 'Maya Lopez');
		assert.equal(approvedBy({ source: 'notion', id, email: 'maya@example.com' }), 'maya@example.com');
		assert.equal(approvedBy({ source: 'notion', id }), `Notion user ${id}`);
		assert.equal(approvedBy({ source: 'slack', id: 'U0MAYA0001', name: 'maya' }), '@maya (Slack)');
		assert.equal(approvedBy({ source: 'slack', id: 'U0SAM00002', email: 'sam@example.com' }), 'sam@example.com (Slack)');
		assert.equal(approvedBy({ source: 'slack', id: 'U0LEE00004' }), 'Slack user U0LEE00004');
		assert.equal(approvedBy({ id: 'someone-else' }), 'someone-else');
		assert.equal(approvedBy('Maya Lopez'), 'Maya Lopez', 'text is shown as it is');
		assert.doesNotMatch(text({ type: 'executed', proposal, decidedBy: { source: 'notion', id: ' ' } }), /Approved by/);
		assert.match(text({ type: 'decided', proposal, decision: 'approve', via: 'notion', decidedBy: { source: 'notion', id, name: 'Maya Lopez', email: 'maya@example.com' } }), /Decided by\*\nMaya Lopez &lt;maya@example\.com&gt;/);
		assert.equal(deciderText(undefined), undefined);
		assert.equal(deciderText({ source: 'notion', id, name: '  ', email: '' }), `Notion user ${id}`);
	});

	test('evidence, names and errors are data: escaped, never mentions or links, and not auto-linked', () => {
		const hostile: ProposalAlertInput = {
			...proposal,
			title: '<!channel> pay <https://evil.example|here>',
			entity: '<@U0MAYA0001> & <#C0ADOPSAPR>',
			evidence: [
				{ label: '<!here>', value: '<https://evil.example|click me> @channel' },
				{ label: 'note', value: '<!subteam^S0123ABC>' },
			],
		};
		for (const e of [...events(hostile), { type: 'failed', proposal: hostile, error: '<!everyone> <https://x.example|x>' } as ProposalAlertEvent]) {
			const m = renderAlert(proposalAlert(e, { now: NOW }));
			assertValidForSlack(m);
			const mrkdwn = m.blocks.flatMap((b) => (b.type === 'section' ? [...(b.text ? [b.text] : []), ...(b.fields ?? [])] : b.type === 'context' ? b.elements : []));
			const joined = mrkdwn.map((t) => t.text).join('\n');
			for (const markup of ['<!channel>', '<!here>', '<@U0MAYA0001>', '<#C0ADOPSAPR>', '<https://evil.example', '<!subteam', '<!everyone>', '<https://x.example']) {
				assert.ok(!joined.includes(markup), `${e.type}: ${markup} leaked`);
			}
			// Sections holding data are verbatim, so Slack does not auto-link "@channel" or bare URLs.
			for (const b of m.blocks) {
				if (b.type === 'section' && b.fields) for (const f of b.fields) assert.equal((f as { verbatim?: boolean }).verbatim, true);
			}
			// The header is plain text: Slack never parses markup there.
			assert.equal(m.blocks[0].type, 'header');
			// The notification text is mrkdwn: the title and data are escaped there as well.
			for (const markup of ['<!channel>', '<!here>', '<https://evil.example', '<!subteam']) assert.ok(!m.text.includes(markup), `${e.type}: ${markup} in fallback text`);
		}
		const awaiting = renderAlert(proposalAlert({ type: 'awaiting', proposal: hostile }, { now: NOW })).blocks.flatMap(textsOf).join('\n');
		assert.ok(awaiting.includes(escapeMrkdwn('<https://evil.example|click me>')));
		assert.ok(awaiting.includes('&lt;@U0MAYA0001&gt; &amp; &lt;#C0ADOPSAPR&gt;'));
	});

	test('long evidence and errors are cut visibly, and the message stays valid', () => {
		const long: ProposalAlertInput = {
			...proposal,
			title: 'T'.repeat(500),
			proposedChange: 'change '.repeat(500),
			evidence: Object.fromEntries(Array.from({ length: 400 }, (_, i) => [`metric_${i}`, 'x'.repeat(5000)])),
		};
		const m = renderAlert(proposalAlert({ type: 'awaiting', proposal: long }, { now: NOW }));
		assertValidForSlack(m);
		assert.equal(m.truncated, true);
		const all = m.blocks.flatMap(textsOf).join('\n');
		assert.ok(/Evidence · metric 0: x+ …\[truncated: \d+ more characters\]/.test(all), 'evidence cut visibly');
		assert.ok(/\*Proposed change\*\n(change )+[a-z]* …\[truncated: \d+ more characters\]/.test(all), 'proposed change cut visibly');
		assert.ok(/\d+ more items not shown/.test(all), 'evidence beyond the block budget is counted');
		const evidenceLine = all.split('\n').find((l) => l.includes('metric 0:'))!;
		assert.ok(evidenceLine.length <= '• Evidence · metric 0: '.length + EVIDENCE_VALUE_MAX);
		// The buttons survive any amount of evidence.
		assert.deepEqual(buttons(m).map((b) => b.action_id), [APPROVE_ACTION_ID, REJECT_ACTION_ID, 'adops_link']);

		const failed = renderAlert(proposalAlert({ type: 'failed', proposal, error: 'stack '.repeat(2000) }, { now: NOW }));
		assertValidForSlack(failed);
		assert.ok(/\*Error\*\n(stack )+[a-z]* …\[truncated: \d+ more characters\]/.test(failed.blocks.flatMap(textsOf).join('\n')), 'error cut visibly');
	});

	test('property: any proposal renders valid Slack blocks for every kind', () => {
		const text = fc.string({ unit: fc.constantFrom('a', 'é', '👍🏽', ' ', '*', '<', '>', '&', '@', '\n'), maxLength: 3000 });
		const arb = fc.record({
			proposalId: fc.stringMatching(/^[a-z0-9][a-z0-9_.:-]{0,60}$/),
			kind: fc.constantFrom('creative', 'optimization', 'moderation'),
			title: text.filter((s) => s.trim().length > 0),
			payloadHash: fc.stringMatching(/^[0-9a-f]{64}$/),
			proposedChange: fc.option(text, { nil: undefined }),
			impact: fc.option(text, { nil: undefined }),
			evidence: fc.option(fc.dictionary(fc.string({ minLength: 1, maxLength: 50 }), fc.oneof(text, fc.double(), fc.boolean(), fc.constant(null))), { nil: undefined }),
			expiresAt: fc.option(fc.date({ min: new Date('2020-01-01'), max: new Date('2030-01-01'), noInvalidDate: true }).map((d) => d.toISOString()), { nil: undefined }),
			dryRun: fc.option(fc.boolean(), { nil: undefined }),
		}) as fc.Arbitrary<ProposalAlertInput>;
		fc.assert(
			fc.property(arb, text, (p, error) => {
				for (const e of [...events(p), { type: 'failed', proposal: p, error } as ProposalAlertEvent]) {
					assertValidForSlack(renderAlert(proposalAlert(e, { now: NOW })));
				}
			}),
			{ numRuns: 40 },
		);
	});

	test('one thread per proposal', () => {
		assert.equal(proposalThreadKey('prop_42'), 'proposal:prop_42');
		assert.notEqual(proposalThreadKey('prop_42'), proposalThreadKey('prop_43'));
		assert.throws(() => proposalThreadKey('  '), /proposal id/);
	});

	test('a Notion link that is not an http(s) URL is refused', () => {
		assert.throws(() => proposalAlert({ type: 'awaiting', proposal: { ...proposal, notionUrl: 'javascript:alert(1)' } }), /http\(s\)/);
		assert.throws(() => proposalAlert({ type: 'awaiting', proposal: { ...proposal, notionUrl: 'notion card' } }), /not a URL/);
	});
});

describe('alert buttons in the model', () => {
	test('more than 25 buttons, duplicate action ids, a value over 2000 and an action id over 255 are refused', () => {
		const b = (i: number) => ({ text: `B${i}`, actionId: `a${i}`, value: 'v' });
		assert.throws(() => renderAlert({ kind: 'info', title: 't', actions: Array.from({ length: 26 }, (_, i) => b(i)) }));
		assert.throws(() => renderAlert({ kind: 'info', title: 't', actions: Array.from({ length: 25 }, (_, i) => b(i)), link: { url: 'https://x.example', text: 'x' } }), /25 buttons/);
		assert.throws(() => renderAlert({ kind: 'info', title: 't', actions: [b(1), b(1)] }), /used twice/);
		assert.throws(() => renderAlert({ kind: 'info', title: 't', actions: [{ ...b(1), actionId: 'adops_link' }], link: { url: 'https://x.example', text: 'x' } }), /used twice/);
		assert.throws(() => renderAlert({ kind: 'info', title: 't', actions: [{ ...b(1), value: 'v'.repeat(2001) }] }));
		assert.throws(() => renderAlert({ kind: 'info', title: 't', actions: [{ ...b(1), actionId: 'a'.repeat(256) }] }));
		const ok = renderAlert({ kind: 'info', title: 't', actions: Array.from({ length: 25 }, (_, i) => b(i)) });
		assertValidForSlack(ok);
	});

	test('a long button text is cut visibly to 75 characters; the value is never cut', () => {
		const m = renderAlert({ kind: 'info', title: 't', actions: [{ text: 'Approve '.repeat(20), actionId: 'a', value: 'v'.repeat(2000), confirm: 'Sure? '.repeat(100) }] });
		assertValidForSlack(m);
		const [button] = buttons(m);
		assert.ok(button.text.text.length <= 75);
		assert.match(button.text.text, /truncated/);
		assert.equal(button.value, 'v'.repeat(2000));
		assert.ok(button.confirm!.text.text.length <= SLACK_LIMITS.confirmText);
		assert.ok(button.confirm!.title.text.length <= SLACK_LIMITS.confirmTitle);
		assert.ok(button.confirm!.confirm.text.length <= SLACK_LIMITS.confirmButton);
		assert.equal(m.truncated, true);
	});

	test('a label replaces the kind in the header and the fallback text', () => {
		const m = renderAlert({ kind: 'action', label: 'Approval needed', title: 'x' });
		assert.equal(textsOf(m.blocks[0])[0], 'Approval needed: x');
		assert.match(m.text, /^Approval needed: x/);
	});
});
