/**
 * The one definition of first-party counts (issue 22, item 4), shared by the
 * First-Party Metrics operation (realtime.ts) and the rules' first-party
 * metrics (rule-metrics.ts):
 *
 * - which campaign an event belongs to: attribution's `touchOf` (its own
 *   platform, else its click id's; its campaign id, else its UTM campaign; an
 *   event with neither platform nor click id is `utm:<source>/<medium>`);
 * - the windows: "today" = [first instant of the calendar day in a time zone,
 *   now]; "last hour" = now − 60 min < time ≤ now; any span is half-open
 *   [from, until) in epoch ms (times are whole milliseconds);
 * - what an event adds to the counts (`countEvent`): clicks, leads,
 *   purchases, conversions (events of the conversion types) and their value
 *   per currency (a value without a currency is not money of any currency).
 *
 * Plain TypeScript without the words of realtime.ts, so the rules engine
 * can load it.
 */
import type { Store } from '../store/types';
import { TOUCH_COLUMNS, touchOf } from '../attribution/stitch';
import { roundAmount } from '../metrics';
import { DAY_MS, HOUR_MS, isValidTimeZone, utcDate, wallClock } from '../text/dates';

export { HOUR_MS };

/** Refused options, in words (the node reports it with the item's index). */
export class LiveMetricsError extends Error {
	override name = 'LiveMetricsError';
}

export interface LiveCounts {
	clicks: number;
	leads: number;
	purchases: number;
	/** Events of the conversion types. */
	conversions: number;
	/** Value of the conversions per currency (rounded to the currency's minor unit). */
	value: Record<string, number>;
}

/** A span of time: from ≤ t < until, epoch ms. */
export interface Span {
	from: number;
	until: number;
}

export const inSpan = (time: number, s: Span): boolean => time >= s.from && time < s.until;

/**
 * The first instant (epoch ms) of calendar day `day` (YYYY-MM-DD) in
 * `timeZone` (a valid IANA zone): the instant whose local date is `day` while
 * the instant one millisecond earlier is still the day before. Zone offsets
 * are within −12 h and +14 h and change on whole minutes, and the local date
 * never goes back, so a bisection over the minutes of [day at 00:00 UTC −
 * 15 h, + 12 h] finds it: at local midnight, or at the end of the gap where a
 * DST change skips midnight (America/Havana in March). `notAfter` (ms) may
 * narrow the search when an instant on `day` is known.
 */
export function startOfDateIn(timeZone: string, day: string, notAfter = Number.POSITIVE_INFINITY): number {
	const utcMidnight = Date.parse(`${day}T00:00:00Z`);
	// lo: a minute still on an earlier day; hi: a minute on `day` or later
	let lo = Math.floor((utcMidnight - 15 * HOUR_MS) / 60_000);
	let hi = Math.min(Math.floor(notAfter / 60_000), Math.ceil((utcMidnight + 12 * HOUR_MS) / 60_000));
	while (hi - lo > 1) {
		const mid = Math.floor((lo + hi) / 2);
		if (wallClock(timeZone, mid * 60_000).date < day) lo = mid;
		else hi = mid;
	}
	return hi * 60_000;
}

/** The first instant (epoch ms) of the calendar day that `now` falls on in `timeZone`; see startOfDateIn. */
export function startOfDayIn(timeZone: string, now: Date): number {
	if (!isValidTimeZone(timeZone)) throw new LiveMetricsError(`Time zone "${timeZone}" is not an IANA time zone (such as Europe/Berlin or America/New_York)`);
	return startOfDateIn(timeZone, wallClock(timeZone, now).date, now.getTime());
}

/** Today in `timeZone`: from the day's first instant to `now`, both included. */
export function todaySpan(timeZone: string, now: Date): Span {
	return { from: startOfDayIn(timeZone, now), until: now.getTime() + 1 };
}

/** The last hour: now − 60 min < time ≤ now. */
export function lastHourSpan(now: Date): Span {
	return { from: now.getTime() - HOUR_MS + 1, until: now.getTime() + 1 };
}

/** Local calendar days [first, last] (day numbers, days since 1970-01-01) in `timeZone`, ending no later than `now` (included). */
export function daysSpan(timeZone: string, first: number, last: number, now: Date): Span {
	const date = (d: number) => utcDate(d * DAY_MS);
	return { from: startOfDateIn(timeZone, date(first)), until: Math.min(startOfDateIn(timeZone, date(last + 1)), now.getTime() + 1) };
}

export const emptyCounts = (): LiveCounts => ({ clicks: 0, leads: 0, purchases: 0, conversions: 0, value: {} });

/** What one event adds to the counts. */
export function countEvent(c: LiveCounts, type: string, isConversion: boolean, value: number, currency: string | null): void {
	if (type === 'click') c.clicks++;
	else if (type === 'lead') c.leads++;
	else if (type === 'purchase') c.purchases++;
	if (isConversion) {
		c.conversions++;
		if (currency && value) c.value[currency] = (c.value[currency] ?? 0) + value;
	}
}

/** The counts with each currency's value rounded to its minor unit (currencies sorted). */
export function roundedCounts(c: LiveCounts): LiveCounts {
	const value: Record<string, number> = {};
	for (const currency of Object.keys(c.value).sort()) value[currency] = roundAmount(c.value[currency]!, currency);
	return { ...c, value };
}

/** One stored event, joined to its campaign by `touchOf`. */
export interface FirstPartyEvent {
	/** A registry platform id, or `utm:<source>/<medium>` for events without platform or click id. */
	platform: string;
	campaignId: string | null;
	time: number;
	type: string;
	value: number;
	currency: string | null;
}

const READ_COLUMNS = ['event_type', 'value', 'currency', ...TOUCH_COLUMNS] as const;

/**
 * One read of `marketing_events` with event_time in [from, to] (epoch ms,
 * both included; the `idx_marketing_events_time` index serves it), each event
 * joined to its campaign; events outside the range (a driver's rounding) are
 * left out. `read` is the rows the store returned.
 */
export async function readFirstPartyEvents(store: Pick<Store, 'selectColumnar'>, from: number, to: number): Promise<{ read: number; events: FirstPartyEvent[] }> {
	const data = await store.selectColumnar('marketing_events', READ_COLUMNS, {
		where: { event_time: { gte: new Date(from).toISOString(), lte: new Date(to).toISOString() } },
	});
	const col = data.columns;
	const events: FirstPartyEvent[] = [];
	for (let i = 0; i < data.length; i++) {
		const touch = touchOf(Object.fromEntries(TOUCH_COLUMNS.map((c) => [c, col[c][i]])) as Parameters<typeof touchOf>[0]);
		if (touch.time > to || touch.time < from) continue;
		events.push({ platform: touch.platform ?? touch.channel, campaignId: touch.campaignId ?? null, time: touch.time, type: String(col.event_type[i]), value: Number(col.value[i] ?? 0), currency: col.currency[i] ?? null });
	}
	return { read: data.length, events };
}
