/**
 * The events trigger's core: a posted body (one event, a list, or
 * `{ "events": [...] }`) in; every event stored once, refused ones quarantined
 * with the reason, and the counts out. Writes are one statement per table per
 * post (`INSERT … ON CONFLICT DO NOTHING`): an event id already stored for
 * the source is a duplicate, and so is a repeat inside the post (the first
 * one counts). Nothing here logs; no answer or error carries a raw
 * identifier.
 */
import type { Store } from '../store/types';
import { contentHash, eventRow, safePayload, type MarketingEventRow } from './input';

export const MAX_EVENTS_PER_POST = 5000;
/** Reasons listed one by one in an answer; beyond, only counted. */
const MAX_LISTED = 200;

export interface IngestOptions {
	/** Who sends (stored with every event; event ids are unique per source). */
	source: string;
	defaultCountryCode?: string;
	maxFutureMs?: number;
	now?: () => Date;
}

export interface Refused {
	/** Position of the event in the post (0-based). */
	index: number;
	event_id: string | null;
	reason: string;
}

export interface IngestAnswer {
	received: number;
	/** New events stored by this post. */
	stored: number;
	/** Events whose id was already stored for this source, or repeated in the post. */
	duplicates: number;
	/** Events refused by this post (each with its reason in `refused`). */
	quarantined: number;
	/** Of those, how many were already in the quarantine, from an earlier post or earlier in this one (kept once): `quarantined - quarantinedBefore` rows were added. */
	quarantinedBefore: number;
	refused: Refused[];
	/** Refused events beyond the ones listed. */
	refusedNotListed: number;
}

export class EventsBodyError extends Error {
	constructor(message: string) {
		super(message);
		this.name = 'EventsBodyError';
	}
}

/** The events of a posted body, or an EventsBodyError saying what shape was expected. */
export function eventsOfBody(body: unknown): unknown[] {
	let events: unknown[];
	if (Array.isArray(body)) events = body;
	else if (typeof body === 'object' && body !== null && 'events' in body) {
		// {"events": "…"} is a wrapper gone wrong, not one event without an id: refused whole, saying so
		const inner = (body as { events: unknown }).events;
		if (!Array.isArray(inner)) throw new EventsBodyError(`"events" must be a list of events, not ${inner === null ? 'null' : typeof inner}.`);
		events = inner;
	} else if (typeof body === 'object' && body !== null) events = [body];
	else throw new EventsBodyError('The body must be a JSON event, a list of events, or {"events": [...]}.');
	if (events.length === 0) throw new EventsBodyError('The body holds no events.');
	if (events.length > MAX_EVENTS_PER_POST) throw new EventsBodyError(`A post holds at most ${MAX_EVENTS_PER_POST} events; this one has ${events.length}. Split it.`);
	return events;
}

export interface PreparedBatch {
	rows: MarketingEventRow[];
	/** Repeats of an event id earlier in the same post. */
	repeats: number;
	quarantine: Array<{ source: string; event_id: string | null; reason: string; payload: Record<string, unknown>; content_hash: string; received_at: string }>;
	refused: Refused[];
}

/** Validates and hashes every event (no I/O). */
export function prepareBatch(events: readonly unknown[], opts: IngestOptions): PreparedBatch {
	const now = (opts.now ?? (() => new Date()))();
	const rows: MarketingEventRow[] = [];
	const seen = new Set<string>();
	let repeats = 0;
	const quarantine: PreparedBatch['quarantine'] = [];
	const quarantined = new Set<string>();
	const refused: Refused[] = [];
	for (let index = 0; index < events.length; index++) {
		const raw = events[index];
		const row = eventRow(raw, { source: opts.source, defaultCountryCode: opts.defaultCountryCode, maxFutureMs: opts.maxFutureMs, now });
		if (row.ok) {
			if (seen.has(row.value.event_id)) repeats++;
			else {
				seen.add(row.value.event_id);
				rows.push(row.value);
			}
			continue;
		}
		const payload = safePayload(raw, opts);
		const id = typeof payload.event_id === 'string' && !payload.event_id.includes('[e-mail removed]') ? payload.event_id : typeof payload.event_id === 'number' ? String(payload.event_id) : null;
		refused.push({ index, event_id: id, reason: row.reason });
		const hash = contentHash(raw);
		if (quarantined.has(hash)) continue;
		quarantined.add(hash);
		quarantine.push({ source: opts.source, event_id: id, reason: row.reason, payload, content_hash: hash, received_at: now.toISOString() });
	}
	return { rows, repeats, quarantine, refused };
}

/** Stores one post's events; see the module comment. */
export async function ingestEvents(store: Store, body: unknown, opts: IngestOptions): Promise<IngestAnswer> {
	const events = eventsOfBody(body);
	const batch = prepareBatch(events, opts);
	const stored = batch.rows.length
		? (await store.upsert('marketing_events', batch.rows, { onConflict: 'ignore', chunkSize: batch.rows.length })).written
		: 0;
	const newInQuarantine = batch.quarantine.length
		? (await store.upsert('event_quarantine', batch.quarantine, { onConflict: 'ignore', chunkSize: batch.quarantine.length })).written
		: 0;
	return {
		received: events.length,
		stored,
		duplicates: batch.repeats + (batch.rows.length - stored),
		quarantined: batch.refused.length,
		quarantinedBefore: batch.refused.length - newInQuarantine,
		refused: batch.refused.slice(0, MAX_LISTED),
		refusedNotListed: Math.max(0, batch.refused.length - MAX_LISTED),
	};
}
