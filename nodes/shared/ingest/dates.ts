/** Calendar days (`YYYY-MM-DD`) in a time zone, and the ingest window. */
import { parseDay } from '../platforms/types';
import { DAY_MS, dateInZone, utcDate } from '../text/dates';

/** True when `timeZone` is an IANA zone this runtime knows. */
export { isValidTimeZone } from '../text/dates';

/** The calendar date of instant `now` in `timeZone` (throws RangeError for an unknown zone). */
export function dayIn(timeZone: string, now: Date): string {
	return dateInZone(timeZone, now);
}

export function addDays(day: string, days: number): string {
	return utcDate(parseDay(day) + days * DAY_MS);
}

/** Whole days from `a` to `b` (b - a). */
export function daysBetween(a: string, b: string): number {
	return Math.round((parseDay(b) - parseDay(a)) / DAY_MS);
}

export interface IngestWindow {
	/** First day, inclusive. */
	start: string;
	/** Last day, inclusive (yesterday in the account's time zone). */
	end: string;
	/** Why this window: first run (backfill) or incremental after `lastEnd`. */
	mode: 'backfill' | 'incremental';
	lastEnd: string | null;
}

export interface WindowInput {
	/** `window_end` of the last successful (or partial) run of this platform + account; null on the first run. */
	lastEnd: string | null;
	/** Days before and including `lastEnd` fetched again (late conversions change the past). 0 = strictly new days. */
	lookbackDays: number;
	/** Days fetched on the first run, ending yesterday. */
	initialBackfillDays: number;
	/** Today in the account's time zone. */
	today: string;
}

/**
 * The window of one run, or null when there is nothing to fetch (already
 * loaded up to yesterday and no lookback). End = yesterday; start = the
 * day after `lastEnd` minus `lookbackDays`, or `initialBackfillDays` back on
 * the first run. The start never passes the end.
 */
export function computeWindow(input: WindowInput): IngestWindow | null {
	const { lookbackDays, initialBackfillDays } = input;
	if (!Number.isInteger(lookbackDays) || lookbackDays < 0) throw new RangeError(`lookbackDays must be a whole number >= 0, got ${lookbackDays}`);
	if (!Number.isInteger(initialBackfillDays) || initialBackfillDays < 1) {
		throw new RangeError(`initialBackfillDays must be a whole number >= 1, got ${initialBackfillDays}`);
	}
	const end = addDays(input.today, -1);
	if (input.lastEnd === null) {
		return { start: addDays(end, -(initialBackfillDays - 1)), end, mode: 'backfill', lastEnd: null };
	}
	const start = addDays(input.lastEnd, 1 - lookbackDays);
	if (start > end) return null;
	return { start, end, mode: 'incremental', lastEnd: input.lastEnd };
}
