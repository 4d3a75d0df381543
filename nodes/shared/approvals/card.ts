/**
 * The Notion approval card: the database schema, the properties of a card
 * built from a proposal, reading them back, and the card hash that detects a
 * card edited after it was queued.
 */
import { PLATFORM_IDS } from '../platforms/registry';
import { canonicalJson, sha256Hex, type Proposal, type ProposalStatus } from './proposal';
import { keyWords, readableValue } from '../alerts/readable';

export const PROPS = {
	kind: 'Kind',
	status: 'Status',
	platform: 'Platform',
	account: 'Account',
	entity: 'Entity',
	proposedChange: 'Proposed change',
	evidence: 'Evidence',
	impact: 'Impact',
	requestedAt: 'Requested at',
	expiresAt: 'Expires at',
	decidedBy: 'Decided by',
	proposalId: 'Proposal ID',
	/** Optional: what execution returned, or why it failed. Older databases without it still work. */
	result: 'Result',
} as const;

/** Default name of the title property (a data source may call it otherwise; the queue reads it from the schema). */
export const TITLE_PROPERTY = 'Name';

export const CARD_STATUSES = ['Pending', 'Approved', 'Rejected', 'Expired', 'Executing', 'Executed', 'Failed'] as const;
export type CardStatus = (typeof CARD_STATUSES)[number];

const STATUS_COLORS: Record<CardStatus, string> = {
	Pending: 'yellow',
	Approved: 'green',
	Rejected: 'red',
	Expired: 'gray',
	Executing: 'purple',
	Executed: 'blue',
	Failed: 'pink',
};

export const CARD_STATUS: Record<ProposalStatus, CardStatus> = {
	pending: 'Pending',
	approved: 'Approved',
	rejected: 'Rejected',
	expired: 'Expired',
	executing: 'Executing',
	executed: 'Executed',
	failed: 'Failed',
};

/**
 * Property schema for `databases.create({ initial_data_source: { properties } })`.
 * Status is a `select` by default: Notion's API cannot create the options of a
 * `status` property everywhere; the queue works with either type.
 */
export function approvalDatabaseProperties(statusType: 'select' | 'status' = 'select'): Record<string, unknown> {
	const rich = { rich_text: {} };
	return {
		[TITLE_PROPERTY]: { title: {} },
		[PROPS.kind]: { select: { options: [{ name: 'creative', color: 'purple' }, { name: 'optimization', color: 'blue' }, { name: 'moderation', color: 'orange' }] } },
		[PROPS.status]: { [statusType]: { options: CARD_STATUSES.map((name) => ({ name, color: STATUS_COLORS[name] })) } },
		[PROPS.platform]: { select: { options: PLATFORM_IDS.map((name) => ({ name })) } },
		[PROPS.account]: rich,
		[PROPS.entity]: rich,
		[PROPS.proposedChange]: rich,
		[PROPS.evidence]: rich,
		[PROPS.impact]: rich,
		[PROPS.requestedAt]: { date: {} },
		[PROPS.expiresAt]: { date: {} },
		[PROPS.decidedBy]: { people: {} },
		[PROPS.proposalId]: rich,
		[PROPS.result]: rich,
	};
}

/** A result or error as the card's Result text (at most one rich-text item). */
export function resultText(outcome: { result?: unknown; error?: string | null }): string {
	if (outcome.error) return cardText(`Error: ${outcome.error}`, ITEM_CHARS);
	if (outcome.result === undefined || outcome.result === null) return cardText('Done (no result returned)', ITEM_CHARS);
	let text: string;
	try {
		text = readableValue(outcome.result, { sortKeys: true });
	} catch {
		text = String(outcome.result);
	}
	return cardText(text, ITEM_CHARS);
}

/** Notion limits: 2,000 characters per rich-text item, 100 items. */
const ITEM_CHARS = 2000;
const MAX_CHARS = 20_000;

/** Normalizes text as it is written to and compared on the card. */
export function cardText(value: string | null | undefined, max = MAX_CHARS): string {
	const normalized = (value ?? '').replace(/\r\n?/g, '\n').normalize('NFC').trim();
	if (normalized.length <= max) return normalized;
	return `${normalized.slice(0, max - 1)}…`;
}

export function richText(value: string): Array<{ type: 'text'; text: { content: string } }> {
	const out: Array<{ type: 'text'; text: { content: string } }> = [];
	const chars = Array.from(value); // never split a surrogate pair
	for (let i = 0; i < chars.length; i += ITEM_CHARS) out.push({ type: 'text', text: { content: chars.slice(i, i + ITEM_CHARS).join('') } });
	return out;
}

/** Evidence as one readable line per top-level key, in words (never JSON), keys sorted at every level. */
export function evidenceText(evidence: unknown): string {
	if (evidence === null || evidence === undefined) return '';
	if (typeof evidence === 'string') return evidence;
	if (typeof evidence === 'object' && !Array.isArray(evidence)) {
		return Object.entries(evidence as Record<string, unknown>)
			.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)) // jsonb reorders keys; the card must not depend on it
			.map(([k, v]) => `${keyWords(k)}: ${readableValue(v, { sortKeys: true })}`)
			.join('\n');
	}
	return readableValue(evidence, { sortKeys: true });
}

/** The human-visible content of a card, as written. */
export interface CardContent {
	title: string;
	kind: string;
	platform: string;
	account: string;
	entity: string;
	proposedChange: string;
	evidence: string;
	impact: string;
	proposalId: string;
}

export function cardContent(p: Proposal): CardContent {
	return {
		title: cardText(p.title, ITEM_CHARS),
		kind: p.kind,
		platform: cardText(p.platform, 100).replace(/,/g, ' '),
		account: cardText(p.accountId),
		entity: cardText(p.entity),
		proposedChange: cardText(p.proposedChange),
		evidence: cardText(evidenceText(p.evidence)),
		impact: cardText(p.impact),
		proposalId: p.id,
	};
}

/**
 * sha256 of what the approver sees and approves, together with the payload
 * hash: a card whose text differs from what was queued hashes differently.
 */
export function cardHash(content: CardContent, payloadHashHex: string): string {
	const normalized = Object.fromEntries(Object.entries(content).map(([k, v]) => [k, cardText(v)]));
	return sha256Hex(canonicalJson({ card: normalized, payloadHash: payloadHashHex }));
}

export interface StatusProperty {
	type: 'status' | 'select';
	options: Set<string>;
}

export function statusValue(prop: StatusProperty, status: CardStatus): Record<string, unknown> {
	return prop.type === 'status' ? { status: { name: status } } : { select: { name: status } };
}

export function cardProperties(p: Proposal, titleProperty: string, statusProp: StatusProperty): Record<string, unknown> {
	const c = cardContent(p);
	const props: Record<string, unknown> = {
		[titleProperty]: { title: richText(c.title) },
		[PROPS.kind]: { select: { name: c.kind } },
		[PROPS.status]: statusValue(statusProp, 'Pending'),
		[PROPS.account]: { rich_text: richText(c.account) },
		[PROPS.entity]: { rich_text: richText(c.entity) },
		[PROPS.proposedChange]: { rich_text: richText(c.proposedChange) },
		[PROPS.evidence]: { rich_text: richText(c.evidence) },
		[PROPS.impact]: { rich_text: richText(c.impact) },
		[PROPS.requestedAt]: { date: { start: p.requestedAt } },
		[PROPS.expiresAt]: { date: { start: p.expiresAt } },
		[PROPS.proposalId]: { rich_text: richText(c.proposalId) },
	};
	if (c.platform) props[PROPS.platform] = { select: { name: c.platform } };
	return props;
}

/** A page as returned by the API (only what the queue reads). */
export interface CardPage {
	id: string;
	url?: string;
	last_edited_time: string;
	last_edited_by: { id: string };
	properties: Record<string, Record<string, unknown> & { type?: string }>;
}

function plain(value: unknown): string {
	if (!Array.isArray(value)) return '';
	return value.map((t) => (t && typeof t === 'object' && typeof (t as { plain_text?: unknown }).plain_text === 'string' ? (t as { plain_text: string }).plain_text : '')).join('');
}

export function readText(page: CardPage, name: string): string {
	const prop = page.properties[name];
	if (!prop) return '';
	return plain(prop.title ?? prop.rich_text);
}

export function readSelect(page: CardPage, name: string): string {
	const prop = page.properties[name];
	const v = (prop?.select ?? prop?.status) as { name?: unknown } | null | undefined;
	return typeof v?.name === 'string' ? v.name : '';
}

export function readPeople(page: CardPage, name: string): string[] {
	const people = page.properties[name]?.people;
	return Array.isArray(people) ? people.map((u) => String((u as { id?: unknown }).id ?? '')).filter(Boolean) : [];
}

/** The card's content as it is now. */
export function readCardContent(page: CardPage, titleProperty: string): CardContent {
	return {
		title: readText(page, titleProperty),
		kind: readSelect(page, PROPS.kind),
		platform: readSelect(page, PROPS.platform),
		account: readText(page, PROPS.account),
		entity: readText(page, PROPS.entity),
		proposedChange: readText(page, PROPS.proposedChange),
		evidence: readText(page, PROPS.evidence),
		impact: readText(page, PROPS.impact),
		proposalId: readText(page, PROPS.proposalId),
	};
}

/** Which visible fields differ between two card contents. */
export function changedFields(queued: CardContent, now: CardContent): string[] {
	return (Object.keys(queued) as Array<keyof CardContent>).filter((k) => cardText(queued[k]) !== cardText(now[k]));
}
