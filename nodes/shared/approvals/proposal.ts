/**
 * The proposal model: something risky that waits for a person's click.
 *
 * A proposal carries the exact payload its executor will run, the evidence
 * that justifies it and what the approver sees (title, proposed change,
 * impact). `payloadHash` is the sha256 of the canonical JSON of
 * `{ kind, payload }`; it is fixed when the proposal is created, stored with
 * it, re-checked before execution and part of the ledger's idempotency key.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { APPROVAL_STATUSES, isoTimestamp, json, jsonValue, type Approval, type Json, type RowInput } from '../schema/rows';

export const PROPOSAL_KINDS = ['creative', 'optimization', 'moderation'] as const;
/** `creative`, `optimization`, `moderation`, or another registered kind (`test.echo`). */
export type ProposalKind = (typeof PROPOSAL_KINDS)[number] | (string & {});

export const PROPOSAL_STATUSES = APPROVAL_STATUSES;
export type ProposalStatus = (typeof PROPOSAL_STATUSES)[number];

/** Default time a proposal waits for a decision. */
export const DEFAULT_TTL_MS = 24 * 60 * 60 * 1000;

const text = (max: number) => z.string().trim().min(1, 'must not be empty').max(max);

/** Proposal ids end up in Notion text, ledger keys and Slack action values. */
export const proposalId = z
	.string()
	.trim()
	.min(1, 'must not be empty')
	.max(200)
	.regex(/^[A-Za-z0-9][A-Za-z0-9._:@/-]*$/, 'may hold letters, digits and . _ : @ / - only');

export const proposalKind = z
	.string()
	.trim()
	.regex(/^[a-z][a-z0-9_.-]{0,63}$/, 'must be lower case letters, digits, . _ - (e.g. optimization, test.echo)');

const optionalText = (max: number) => z.string().trim().max(max).nullable().default(null);

/** What a caller provides to create a proposal. */
export const proposalInput = z
	.object({
		id: proposalId,
		kind: proposalKind,
		/** Card title (short, human). */
		title: text(300),
		/** The exact payload the executor receives. */
		payload: jsonValue,
		evidence: json.nullable().default(null),
		platform: optionalText(100),
		accountId: optionalText(200),
		entity: optionalText(500),
		/** What will change, in words: the approver approves this text. */
		proposedChange: text(10_000),
		impact: optionalText(2_000),
		requestedAt: isoTimestamp.optional(),
		/** Default: requestedAt + 24 h. */
		expiresAt: isoTimestamp.optional(),
	})
	.strict();

export type ProposalInput = z.input<typeof proposalInput>;

export const proposal = z.object({
	id: proposalId,
	kind: proposalKind,
	title: z.string(),
	payload: jsonValue,
	evidence: json.nullable(),
	payloadHash: z.string().regex(/^[0-9a-f]{64}$/),
	platform: z.string().nullable(),
	accountId: z.string().nullable(),
	entity: z.string().nullable(),
	proposedChange: z.string(),
	impact: z.string().nullable(),
	requestedAt: z.string(),
	expiresAt: z.string(),
	status: z.enum(PROPOSAL_STATUSES),
	decidedBy: z.string().nullable(),
	decidedAt: z.string().nullable(),
	result: json.nullable(),
	error: z.string().nullable(),
	notionPageId: z.string().nullable(),
	cardHash: z.string().nullable(),
	flag: z.string().nullable(),
});

export type Proposal = z.infer<typeof proposal>;

export class ProposalError extends Error {
	constructor(message: string) {
		super(message);
		this.name = 'ProposalError';
	}
}

/**
 * Canonical JSON: object keys sorted by code unit, no whitespace, arrays in
 * order, numbers as JSON.stringify writes them. Non-JSON values (undefined,
 * NaN, Infinity, functions, bigint) are refused rather than silently dropped,
 * so two different payloads can never share a hash.
 */
export function canonicalJson(value: unknown): string {
	if (value === null) return 'null';
	switch (typeof value) {
		case 'string':
		case 'boolean':
			return JSON.stringify(value);
		case 'number':
			if (!Number.isFinite(value)) throw new ProposalError(`payload holds a non-finite number (${value})`);
			return JSON.stringify(value);
		case 'object': {
			if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
			const proto = Object.getPrototypeOf(value) as unknown;
			if (proto !== Object.prototype && proto !== null) throw new ProposalError('payload holds a non-plain object (Date, Map, class instance); convert it to JSON first');
			const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
			return `{${entries
				.map(([k, v]) => {
					if (v === undefined) throw new ProposalError(`payload key "${k}" is undefined; omit it or use null`);
					return `${JSON.stringify(k)}:${canonicalJson(v)}`;
				})
				.join(',')}}`;
		}
		default:
			throw new ProposalError(`payload holds a ${typeof value}, which is not JSON`);
	}
}

export function sha256Hex(textValue: string): string {
	return createHash('sha256').update(textValue, 'utf8').digest('hex');
}

/** sha256 (hex) of the canonical JSON of `{ kind, payload }`. */
export function payloadHash(kind: string, payload: Json): string {
	return sha256Hex(canonicalJson({ kind, payload }));
}

/** Validates input and fixes the payload hash, timestamps and status. */
export function createProposal(input: ProposalInput, now: Date = new Date()): Proposal {
	const parsed = proposalInput.safeParse(input);
	if (!parsed.success) {
		const id = typeof (input as { id?: unknown })?.id === 'string' ? ` ${(input as { id: string }).id}` : '';
		throw new ProposalError(`invalid proposal${id}: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'proposal'}: ${i.message}`).join('; ')}`);
	}
	const p = parsed.data;
	const requestedAt = p.requestedAt ?? now.toISOString();
	const expiresAt = p.expiresAt ?? new Date(Date.parse(requestedAt) + DEFAULT_TTL_MS).toISOString();
	if (Date.parse(expiresAt) <= Date.parse(requestedAt)) throw new ProposalError(`invalid proposal ${p.id}: expiresAt must be after requestedAt`);
	return {
		id: p.id,
		kind: p.kind,
		title: p.title,
		payload: p.payload,
		evidence: p.evidence,
		payloadHash: payloadHash(p.kind, p.payload),
		platform: p.platform,
		accountId: p.accountId,
		entity: p.entity,
		proposedChange: p.proposedChange,
		impact: p.impact,
		requestedAt: new Date(requestedAt).toISOString(),
		expiresAt: new Date(expiresAt).toISOString(),
		status: 'pending',
		decidedBy: null,
		decidedAt: null,
		result: null,
		error: null,
		notionPageId: null,
		cardHash: null,
		flag: null,
	};
}

/** The `approvals` row that stores a new proposal. */
export function proposalToRow(p: Proposal): RowInput<'approvals'> {
	return {
		proposal_id: p.id,
		kind: p.kind,
		status: p.status,
		payload: p.payload,
		payload_hash: p.payloadHash,
		evidence: p.evidence,
		expires_at: p.expiresAt,
		notion_page_id: p.notionPageId,
		decided_by: p.decidedBy,
		decided_at: p.decidedAt,
		result: p.result,
		error: p.error,
		title: p.title,
		platform: p.platform,
		account_id: p.accountId,
		entity: p.entity,
		proposed_change: p.proposedChange,
		impact: p.impact,
		requested_at: p.requestedAt,
		card_hash: p.cardHash,
		flag: p.flag,
	};
}

export function proposalFromRow(row: Approval): Proposal {
	return {
		id: row.proposal_id,
		kind: row.kind,
		title: row.title ?? row.proposal_id,
		payload: row.payload,
		evidence: row.evidence,
		payloadHash: row.payload_hash,
		platform: row.platform,
		accountId: row.account_id,
		entity: row.entity,
		proposedChange: row.proposed_change ?? '',
		impact: row.impact,
		requestedAt: row.requested_at,
		// Rows written without an expiry never expire by themselves; far future keeps the type simple.
		expiresAt: row.expires_at ?? '9999-12-31T23:59:59.000Z',
		status: row.status,
		decidedBy: row.decided_by,
		decidedAt: row.decided_at,
		result: row.result,
		error: row.error,
		notionPageId: row.notion_page_id,
		cardHash: row.card_hash,
		flag: row.flag,
	};
}

/** True when the stored payload still hashes to the stored hash. */
export function payloadIntact(p: Pick<Proposal, 'kind' | 'payload' | 'payloadHash'>): boolean {
	try {
		return payloadHash(p.kind, p.payload) === p.payloadHash;
	} catch {
		return false;
	}
}

/** The ledger key: one side effect per proposal and exact payload. */
export function ledgerKey(p: Pick<Proposal, 'id' | 'payloadHash'>): string {
	return `approval:${p.id}:${p.payloadHash}`;
}
