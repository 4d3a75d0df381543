/**
 * Calendar days and local clock times in an account's IANA time zone, through
 * `Intl.DateTimeFormat` (no time zone library). Days are handled as integer
 * day numbers (days since 1970-01-01) so windows are plain integer ranges.
 */
import type { Weekday } from './model';
import { WEEKDAYS } from './model';

export const DAY_MS = 86_400_000;
export const HOUR_MS = 3_600_000;

const dayCache = new Map<string, number>();

/** Day number of `YYYY-MM-DD`, or NaN when it is not a real calendar date. */
export function dayNumber(date: string): number {
	const cached = dayCache.get(date);
	if (cached !== undefined) return cached;
	const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
	let n = Number.NaN;
	if (m) {
		const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
		const ms = Date.UTC(y, mo - 1, d);
		const back = new Date(ms);
		if (back.getUTCFullYear() === y && back.getUTCMonth() === mo - 1 && back.getUTCDate() === d) n = ms / DAY_MS;
	}
	if (dayCache.size < 100_000) dayCache.set(date, n);
	return n;
}

/** `YYYY-MM-DD` of a day number. */
export function dayString(day: number): string {
	return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
	let f = formatters.get(timeZone);
	if (!f) {
		f = new Intl.DateTimeFormat('en-US', {
			timeZone,
			hourCycle: 'h23',
			year: 'numeric',
			month: '2-digit',
			day: '2-digit',
			hour: '2-digit',
			minute: '2-digit',
			weekday: 'short',
		});
		formatters.set(timeZone, f);
	}
	return f;
}

/** True when the runtime knows `timeZone` as an IANA zone. */
export function isValidTimeZone(timeZone: string): boolean {
	if (typeof timeZone !== 'string' || timeZone.length === 0) return false;
	try {
		formatter(timeZone);
		return true;
	} catch {
		return false;
	}
}

/** The wall clock of an instant in a time zone. */
export interface LocalClock {
	/** Local calendar date `YYYY-MM-DD`. */
	date: string;
	/** Its day number. */
	day: number;
	weekday: Weekday;
	/** Minutes after local midnight (0–1439). */
	minute: number;
	timeZone: string;
}

const WEEKDAY_OF: Readonly<Record<string, Weekday>> = { Mon: 'mon', Tue: 'tue', Wed: 'wed', Thu: 'thu', Fri: 'fri', Sat: 'sat', Sun: 'sun' };

/** Local date, weekday and time of `ms` in `timeZone` (throws RangeError for an unknown zone). */
export function localClock(timeZone: string, ms: number): LocalClock {
	const parts: Record<string, string> = {};
	for (const p of formatter(timeZone).formatToParts(ms)) parts[p.type] = p.value;
	const date = `${parts.year}-${parts.month}-${parts.day}`;
	return { date, day: dayNumber(date), weekday: WEEKDAY_OF[parts.weekday], minute: Number(parts.hour) * 60 + Number(parts.minute), timeZone };
}

/** The weekday before `w`. */
export function previousWeekday(w: Weekday): Weekday {
	return WEEKDAYS[(WEEKDAYS.indexOf(w) + 6) % 7];
}

/** `HH:MM` of minutes after midnight. */
export function formatMinute(minute: number): string {
	return `${String(Math.floor(minute / 60)).padStart(2, '0')}:${String(minute % 60).padStart(2, '0')}`;
}
