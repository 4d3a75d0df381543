import { test, describe } from 'vitest';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
	parseApprovalInteraction,
	encodeApprovalValue,
	decodeApprovalValue,
	APPROVE_ACTION_ID,
	REJECT_ACTION_ID,
	MAX_INTERACTION_BODY_BYTES,
	type InteractionRejection,
} from '../../nodes/shared/alerts/interaction';
import { blockActionsPayload, signedInteraction, type ButtonClick } from '../../scripts/sandbox/slack-interaction';

const HASH = 'a'.repeat(16) + '0123456789abcdef'.repeat(3);
const VALUE = encodeApprovalValue('prop_2025-06-01_budget.42', HASH);

function body(click: Partial<ButtonClick> = {}, mutate?: (p: Record<string, unknown>) => void): string {
	const payload = blockActionsPayload({ actionId: APPROVE_ACTION_ID, value: VALUE, messageTs: '1760000000.000100', ...click });
	mutate?.(payload);
	return signedInteraction({ payload, timestamp: 1_760_000_000 }).body;
}

function rejected(raw: string | Uint8Array, reason: InteractionRejection) {
	const r = parseApprovalInteraction(raw);
	assert.equal(r.ok, false, 'expected a rejection');
	if (!r.ok) {
		assert.equal(r.reason, reason, r.message);
		assert.ok(r.message.length > 0);
	}
	return r;
}

describe('button values', () => {
	test('round-trip as compact JSON, and the id:hash form is read too', () => {
		assert.equal(VALUE, `{"id":"prop_2025-06-01_budget.42","hash":"${HASH}"}`);
		assert.deepEqual(decodeApprovalValue(VALUE), { proposalId: 'prop_2025-06-01_budget.42', payloadHash: HASH });
		assert.deepEqual(decodeApprovalValue(`p-1:${HASH}`), { proposalId: 'p-1', payloadHash: HASH });
		assert.deepEqual(decodeApprovalValue(`p-1:sha256:${HASH}`), { proposalId: 'p-1', payloadHash: `sha256:${HASH}` });
	});

	test('values that are not ours decode to nothing', () => {
		for (const v of [
			'',
			'approve',
			'{"id":"p1"}',
			`{"id":"p1","hash":"${HASH}","extra":1}`,
			`{"id":"<@U1>","hash":"${HASH}"}`,
			`{"id":"p1","hash":"short"}`,
			`{"id":1,"hash":"${HASH}"}`,
			`["p1","${HASH}"]`,
			'{not json',
			`:${HASH}`,
			`p 1:${HASH}`,
			`p1:${HASH}\n`,
			'x'.repeat(2001),
		]) {
			assert.equal(decodeApprovalValue(v), undefined, v.slice(0, 60));
		}
		assert.equal(decodeApprovalValue(42), undefined);
	});

	test('an id or hash that could not be read back is refused when building the button', () => {
		assert.throws(() => encodeApprovalValue('has space', HASH), /Proposal id/);
		assert.throws(() => encodeApprovalValue('p1', 'nothex!'), /Payload hash/);
		assert.throws(() => encodeApprovalValue('', HASH), /Proposal id/);
	});
});

describe('parseApprovalInteraction', () => {
	test('an Approve click', () => {
		const r = parseApprovalInteraction(body({ userId: 'U0SAM00002', userName: 'sam', channelId: 'C0ADOPSAPR', responseUrl: 'https://hooks.slack.com/actions/T0ADOPS001/1/abc', actionTime: 1_760_000_001.5 }));
		assert.deepEqual(r, {
			ok: true,
			interaction: {
				decision: 'approve',
				proposalId: 'prop_2025-06-01_budget.42',
				payloadHash: HASH,
				slackUserId: 'U0SAM00002',
				slackUserName: 'sam',
				responseUrl: 'https://hooks.slack.com/actions/T0ADOPS001/1/abc',
				channelId: 'C0ADOPSAPR',
				messageTs: '1760000000.000100',
				teamId: 'T0ADOPS001',
				actionTs: '1760000001.500000',
			},
		});
	});

	test('a Reject click, from bytes, with channel and ts taken from the message when the container lacks them', () => {
		const raw = body({ actionId: REJECT_ACTION_ID }, (p) => {
			p.container = { type: 'message' };
		});
		const r = parseApprovalInteraction(Buffer.from(raw));
		assert.equal(r.ok, true);
		if (r.ok) {
			assert.equal(r.interaction.decision, 'reject');
			assert.equal(r.interaction.channelId, 'C0ADOPSAPR');
			assert.equal(r.interaction.messageTs, '1760000000.000100');
		}
	});

	test('a foreign action id, or a non-button action, is not a decision', () => {
		rejected(body({ actionId: 'adops_link' }), 'foreign_action');
		rejected(body({ actionId: 'ADOPS_APPROVE' }), 'foreign_action');
		rejected(
			body({}, (p) => {
				(p.actions as Array<Record<string, unknown>>)[0].type = 'static_select';
			}),
			'foreign_action',
		);
		rejected(
			body({}, (p) => {
				delete (p.actions as Array<Record<string, unknown>>)[0].action_id;
			}),
			'foreign_action',
		);
	});

	test('a forged or foreign value is refused', () => {
		for (const value of ['approve-everything', '{"id":"p1","hash":"<!channel>"}', `{"id":"p1","hash":"${HASH}","execute":"DROP TABLE approvals"}`, 'x'.repeat(5000)]) {
			rejected(body({ value }), 'invalid_value');
		}
		rejected(
			body({}, (p) => {
				delete (p.actions as Array<Record<string, unknown>>)[0].value;
			}),
			'invalid_value',
		);
	});

	test('malformed JSON, a missing payload, an empty body and other interaction types', () => {
		rejected('payload=' + encodeURIComponent('{"type":"block_actions",'), 'malformed');
		rejected('payload=' + encodeURIComponent('"block_actions"'), 'malformed');
		rejected('payload=' + encodeURIComponent('[]'), 'malformed');
		rejected('payload=a&payload=b', 'malformed');
		rejected('token=x&team_id=T1', 'missing_payload');
		rejected('', 'missing_payload');
		rejected(undefined as unknown as string, 'malformed');
		rejected('payload=' + encodeURIComponent(JSON.stringify({ type: 'view_submission' })), 'not_block_actions');
		rejected('payload=' + encodeURIComponent(JSON.stringify({ actions: [] })), 'not_block_actions');
	});

	test('missing or invalid user, channel, message ts and response URL', () => {
		const cases: Array<[(p: Record<string, unknown>) => void, RegExp]> = [
			[(p) => delete p.user, /user\.id/],
			[(p) => (p.user = { id: '<@U1>' }), /user\.id/],
			[(p) => ((p.container = {}), delete p.channel), /channel id/],
			[(p) => ((p.container = {}), delete p.message), /message ts/],
			[(p) => delete p.response_url, /response_url/],
			[(p) => (p.response_url = 'javascript:alert(1)'), /response_url/],
			[(p) => (p.response_url = 'not a url'), /response_url/],
			[(p) => (p.actions = []), /no action/],
		];
		for (const [mutate, message] of cases) {
			const r = rejected(body({}, mutate), 'missing_fields');
			assert.match(!r.ok ? r.message : '', message);
		}
		rejected(
			body({}, (p) => {
				p.actions = [...(p.actions as unknown[]), ...(p.actions as unknown[])];
			}),
			'malformed',
		);
	});

	test('an oversized body is refused before parsing', () => {
		rejected('payload=' + 'a'.repeat(MAX_INTERACTION_BODY_BYTES), 'oversized');
	});

	test('untrusted text stays data: a user name is returned as is (bounded), never interpreted', () => {
		const r = parseApprovalInteraction(body({ userName: '<!channel> *boss* ' + 'x'.repeat(1000) }));
		assert.equal(r.ok, true);
		if (r.ok) {
			assert.ok(r.interaction.slackUserName.startsWith('<!channel> *boss* '));
			assert.equal(r.interaction.slackUserName.length, 256);
		}
	});

	test('property: any body gives a typed result, never an exception', () => {
		const reasons = new Set(['missing_payload', 'oversized', 'malformed', 'not_block_actions', 'foreign_action', 'invalid_value', 'missing_fields']);
		const payloadish = fc.oneof(
			fc.string(),
			fc.json().map((j) => 'payload=' + encodeURIComponent(j)),
			fc.record({ type: fc.constant('block_actions'), actions: fc.array(fc.record({ action_id: fc.constantFrom(APPROVE_ACTION_ID, 'x'), value: fc.string() }), { maxLength: 2 }), user: fc.anything() }).map((p) => 'payload=' + encodeURIComponent(JSON.stringify(p))),
		);
		fc.assert(
			fc.property(payloadish, (raw) => {
				const r = parseApprovalInteraction(raw);
				if (!r.ok) assert.ok(reasons.has(r.reason));
			}),
			{ numRuns: 300 },
		);
	});
});
