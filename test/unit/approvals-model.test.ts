import assert from 'node:assert/strict';
import { describe, test } from 'vitest';
import fc from 'fast-check';
import {
	ExecutorRegistry,
	ProposalError,
	approvalDatabaseProperties,
	canonicalJson,
	cardContent,
	cardHash,
	cardProperties,
	changedFields,
	createProposal,
	ledgerKey,
	payloadHash,
	parseApprovers,
	parseSlackUsers,
	payloadIntact,
	proposalFromRow,
	proposalToRow,
	readCardContent,
	richText,
	type CardPage,
	type ProposalInput,
} from '../../nodes/shared/approvals';
import { approvalRow, type Approval } from '../../nodes/shared/schema/rows';

const base: ProposalInput = {
	id: 'opt-2025-06-01-001',
	kind: 'optimization',
	title: 'Raise budget of "Brand | US" by 15%',
	payload: { action: 'set_budget', campaignId: '123', amount: 115, currency: 'USD' },
	evidence: { rule: 'scale-winners', roas7d: 4.2 },
	platform: 'meta',
	accountId: '998877',
	entity: 'campaign 123 "Brand | US"',
	proposedChange: 'Daily budget 100.00 USD → 115.00 USD',
	impact: '+15% spend, ROAS 4.2 over 7 days',
	requestedAt: '2025-06-01T08:00:00.000Z',
};

describe('approvals: canonical JSON and payload hash', () => {
	test('key order does not change the canonical form; values and kind do', () => {
		assert.equal(canonicalJson({ b: 1, a: [1, { d: null, c: 'x' }] }), '{"a":[1,{"c":"x","d":null}],"b":1}');
		const h = payloadHash('optimization', { a: 1, b: 2 });
		assert.equal(payloadHash('optimization', { b: 2, a: 1 }), h);
		assert.notEqual(payloadHash('optimization', { a: 1, b: 3 }), h);
		assert.notEqual(payloadHash('creative', { a: 1, b: 2 }), h);
		assert.notEqual(payloadHash('optimization', [1, 2]), payloadHash('optimization', [2, 1]));
		assert.match(h, /^[0-9a-f]{64}$/);
	});

	test('non-JSON values are refused, never dropped', () => {
		assert.throws(() => canonicalJson({ a: undefined }), ProposalError);
		assert.throws(() => canonicalJson({ a: Number.NaN }), /non-finite/);
		assert.throws(() => canonicalJson({ a: new Date(0) }), /non-plain/);
		assert.throws(() => canonicalJson({ a: 1n }), /bigint/);
	});

	test('property: canonical JSON parses back to an equal value and is stable under key shuffles', () => {
		fc.assert(
			fc.property(fc.jsonValue(), (value) => {
				const text = canonicalJson(value);
				assert.deepEqual(JSON.parse(text), JSON.parse(JSON.stringify(value)));
				assert.equal(canonicalJson(JSON.parse(text)), text);
			}),
			{ numRuns: 300 },
		);
	});
});

describe('approvals: proposal model', () => {
	test('createProposal fixes hash, status and a 24 h default expiry; row round trip keeps everything', () => {
		const p = createProposal(base);
		assert.equal(p.status, 'pending');
		assert.equal(p.payloadHash, payloadHash('optimization', base.payload as never));
		assert.equal(p.expiresAt, '2025-06-02T08:00:00.000Z');
		assert.equal(ledgerKey(p), `approval:${p.id}:${p.payloadHash}`);
		const row = approvalRow.parse(proposalToRow(p));
		const back = proposalFromRow({ ...row, id: '00000000-0000-4000-8000-000000000000', created_at: p.requestedAt, updated_at: p.requestedAt } as Approval);
		assert.deepEqual(back, p);
		assert.ok(payloadIntact(back));
		assert.equal(payloadIntact({ ...back, payload: { ...(back.payload as object), amount: 999 } }), false);
	});

	test('invalid proposals are refused with the field named', () => {
		assert.throws(() => createProposal({ ...base, id: 'has space' }), /id: may hold/);
		assert.throws(() => createProposal({ ...base, kind: 'Optimization' }), /kind:/);
		assert.throws(() => createProposal({ ...base, proposedChange: '  ' }), /proposedChange/);
		assert.throws(() => createProposal({ ...base, payload: null as never }), /payload/);
		assert.throws(() => createProposal({ ...base, expiresAt: '2025-06-01T07:00:00.000Z' }), /expiresAt must be after/);
		assert.throws(() => createProposal({ ...base, extra: 1 } as never), /Unrecognized key/);
	});
});

describe('approvals: card content and hash', () => {
	const p = createProposal(base);
	const props = cardProperties(p, 'Name', { type: 'select', options: new Set(['Pending']) });
	// The API's response shape of the same properties.
	const asPage = (overrides: Record<string, string> = {}): CardPage => {
		const text = (v: string) => v.match(/[\s\S]{1,2000}/g)?.map((c) => ({ plain_text: c })) ?? [];
		const content = { ...cardContent(p), ...overrides };
		return {
			id: 'page',
			last_edited_time: '2025-06-01T08:00:00.000Z',
			last_edited_by: { id: 'u' },
			properties: {
				Name: { title: text(content.title) },
				Kind: { select: { name: content.kind } },
				Platform: { select: { name: content.platform } },
				Account: { rich_text: text(content.account) },
				Entity: { rich_text: text(content.entity) },
				'Proposed change': { rich_text: text(content.proposedChange) },
				Evidence: { rich_text: text(content.evidence) },
				Impact: { rich_text: text(content.impact) },
				'Proposal ID': { rich_text: text(content.proposalId) },
			},
		};
	};

	test('a card read back unchanged hashes like the queued one; any visible edit changes the hash', () => {
		const queued = cardHash(cardContent(p), p.payloadHash);
		assert.equal(cardHash(readCardContent(asPage(), 'Name'), p.payloadHash), queued);
		assert.equal(cardHash(readCardContent(asPage({ proposedChange: `${cardContent(p).proposedChange}\r\n` }), 'Name'), p.payloadHash), queued, 'line endings and trailing space are not edits');
		for (const field of ['title', 'platform', 'account', 'entity', 'proposedChange', 'evidence', 'impact', 'proposalId'] as const) {
			const edited = readCardContent(asPage({ [field]: `${cardContent(p)[field]} (edited)` }), 'Name');
			assert.notEqual(cardHash(edited, p.payloadHash), queued, field);
			assert.deepEqual(changedFields(cardContent(p), edited), [field]);
		}
		assert.notEqual(cardHash(cardContent(p), payloadHash('optimization', { other: true })), queued, 'a different payload is a different card');
		assert.equal((props.Evidence as { rich_text: Array<{ text: { content: string } }> }).rich_text[0]!.text.content, 'roas7d: 4.2\nrule: scale-winners');
	});

	test('long text is split into 2,000-character items without splitting characters', () => {
		const long = '😀'.repeat(2500);
		const items = richText(long);
		assert.equal(items.length, 2);
		assert.equal(items.map((i) => i.text.content).join(''), long);
		assert.ok(items.every((i) => Array.from(i.text.content).length <= 2000));
		const big = createProposal({ ...base, evidence: { log: 'x'.repeat(30_000) } });
		const content = cardContent(big);
		assert.equal(content.evidence.length, 20_000);
		assert.ok(content.evidence.endsWith('…'));
		assert.throws(() => createProposal({ ...base, proposedChange: 'x'.repeat(10_001) }), /proposedChange/);
	});

	test('database schema has every card property and all seven statuses', () => {
		const schema = approvalDatabaseProperties('status') as Record<string, Record<string, { options?: Array<{ name: string }> }>>;
		assert.deepEqual(Object.keys(schema).sort(), ['Account', 'Decided by', 'Entity', 'Evidence', 'Expires at', 'Impact', 'Kind', 'Name', 'Platform', 'Proposal ID', 'Proposed change', 'Requested at', 'Result', 'Status'].sort());
		assert.deepEqual(schema.Status!.status!.options!.map((o) => o.name), ['Pending', 'Approved', 'Rejected', 'Expired', 'Executing', 'Executed', 'Failed']);
	});
});

describe('approvals: executor registry', () => {
	test('one executor per kind; unregister frees the kind', async () => {
		const registry = new ExecutorRegistry();
		const off = registry.register('test.echo', async (payload) => ({ echoed: payload }));
		assert.throws(() => registry.register('test.echo', async () => null), /already registered/);
		assert.deepEqual(registry.kinds(), ['test.echo']);
		assert.deepEqual(await registry.get('test.echo')!({ a: 1 }, { proposal: createProposal(base), idempotencyKey: 'k', attempt: 1 }), { echoed: { a: 1 } });
		off();
		assert.equal(registry.has('test.echo'), false);
	});
});

describe('approvals: queue settings from node options', () => {
	test('approvers split on commas, semicolons and whitespace; Slack Users is a JSON object of strings', () => {
		assert.deepEqual(parseApprovers(' maya@example.com, U0MAYA0001;1f2e\nsam@example.com '), ['maya@example.com', 'U0MAYA0001', '1f2e', 'sam@example.com']);
		assert.deepEqual(parseApprovers(undefined), []);
		assert.deepEqual(parseSlackUsers('{"U0MAYA0001": "maya@example.com"}'), { U0MAYA0001: 'maya@example.com' });
		assert.deepEqual(parseSlackUsers({ U0SAM00001: '1f2e' }), { U0SAM00001: '1f2e' });
		assert.deepEqual(parseSlackUsers(''), {});
	});

	test('Slack Users that is not an object of strings is refused with the entry named, never turned into "null" or "[object Object]"', () => {
		assert.throws(() => parseSlackUsers('{"U0MAYA0001": '), /must be a JSON object/);
		assert.throws(() => parseSlackUsers('["U0MAYA0001"]'), /must be a JSON object/);
		assert.throws(() => parseSlackUsers('{"U0MAYA0001": null}'), /value of "U0MAYA0001" must be a Notion user id or email.*not null/);
		assert.throws(() => parseSlackUsers({ U0MAYA0001: { email: 'maya@example.com' } }), /value of "U0MAYA0001".*not object/);
	});
});
