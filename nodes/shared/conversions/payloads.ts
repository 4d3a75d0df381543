/**
 * What every platform's conversion module shares (platforms/*-conversions.ts): the stored event a
 * conversion is built from (hashed identifiers only, never raw ones), the platform's answer for one
 * event, and the small helpers their request bodies use.
 */
import type { Row } from '../store/types';

export type EventRow = Row<'marketing_events'>;

/** The platform's answer for one event of a batch. */
export interface EventResult {
	source: string;
	eventId: string;
	status: 'accepted' | 'rejected';
	/** The platform's words (and code) when it refused the event, or a note on how it was taken. */
	reason?: string;
	code?: string;
}

/** Unix seconds of an ISO instant. */
export const unixSeconds = (iso: string): number => Math.floor(Date.parse(iso) / 1000);

/** The event name a pixel-based platform files it under: its standard name for the type, or the event's own for custom events. */
export function eventName(e: EventRow, names: Record<string, string>): string {
	return names[e.event_type] ?? (e.event_name || e.event_type);
}

/** Value and currency when the event has both. */
export const money = (e: EventRow): { value: number; currency: string } | undefined => (e.value !== null && e.currency ? { value: e.value, currency: e.currency } : undefined);

/** Every event taken: Meta and TikTok answer for the request as a whole. */
export function allAccepted(events: readonly EventRow[], note: string): EventResult[] {
	return events.map((e) => ({ source: e.source, eventId: e.event_id, status: 'accepted', reason: note }));
}
