/**
 * Calendar dates (`YYYY-MM-DD`) and wall clocks in IANA time zones: the one
 * place that decides what a calendar date is and how an instant reads in a
 * zone, for the schema, ingest, the platform adapters, rules and moderation.
 * Plain `Date` arithmetic in UTC and `Intl.DateTimeFormat` (no time zone
 * library). Callers keep their own error messages on top of these answers.
 */

export const DAY_MS = 86_400_000;
export const HOUR_MS = 3_600_000;

const DATE_SHAPE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Dates already looked at (a batch of rows or a metric window has few distinct ones). */
const dayCache = new Map<string, number>();
const DAY_CACHE_MAX = 50_000;

/**
 * UTC midnight (epoch ms) of the calendar date `value`, or NaN when `value`
 * is not one: exactly `YYYY-MM-DD` (four-digit year, two-digit month and day,
 * nothing around them) naming a day that exists, by the Gregorian leap-year
 * rule (2024-02-29 and 2000-02-29 exist, 2025-02-29 and 2100-02-29 do not).
 * Years 0100 to 9999: `Date.UTC` reads 0000–0099 as 1900–1999, so those are
 * never taken for the day they spell.
 */
export function calendarDayMs(value: string): number {
	const cached = dayCache.get(value);
	if (cached !== undefined) return cached;
	let ms = Number.NaN;
	const m = DATE_SHAPE.exec(value);
	if (m) {
		const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
		const t = Date.UTC(y, mo - 1, d);
		const back = new Date(t);
		if (back.getUTCFullYear() === y && back.getUTCMonth() === mo - 1 && back.getUTCDate() === d) ms = t;
	}
	if (dayCache.size >= DAY_CACHE_MAX) dayCache.clear();
	dayCache.set(value, ms);
	return ms;
}

/** True when `value` is a calendar date `YYYY-MM-DD` (see `calendarDayMs`). */
export function isCalendarDate(value: unknown): value is string {
	return typeof value === 'string' && !Number.isNaN(calendarDayMs(value));
}

/** The UTC calendar date `YYYY-MM-DD` of an instant (epoch ms). */
export function utcDate(ms: number): string {
	return new Date(ms).toISOString().slice(0, 10);
}

/**
 * Calendar dates `from` to `to` (both included) in windows of `days` days, as
 * date conditions `{ gte, lte }` (the last window may be shorter); none when
 * either is not a calendar date or `from` is after `to`.
 */
export function dayWindows(from: string, to: string, days: number): Array<{ gte: string; lte: string }> {
	if (!Number.isInteger(days) || days < 1) throw new RangeError(`dayWindows: days must be a whole number of at least 1, got ${days}`);
	const out: Array<{ gte: string; lte: string }> = [];
	const end = calendarDayMs(to);
	for (let t = calendarDayMs(from); t <= end; t += days * DAY_MS) out.push({ gte: utcDate(t), lte: utcDate(Math.min(end, t + (days - 1) * DAY_MS)) });
	return out;
}

/** An instant to the minute for people: "2026-12-07 18:20 UTC". */
export function utcMinute(t: Date): string {
	return `${t.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** The wall clock of an instant in a time zone. */
export interface WallClock {
	/** Local calendar date `YYYY-MM-DD`. */
	date: string;
	year: number;
	/** 1–12. */
	month: number;
	day: number;
	/** 0–23. */
	hour: number;
	minute: number;
	second: number;
	/** `Mon` … `Sun`. */
	weekday: string;
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
			second: '2-digit',
			weekday: 'short',
		});
		formatters.set(timeZone, f);
	}
	return f;
}

/** True when the runtime knows `timeZone` as an IANA zone (or offset such as `+02:00`). */
export function isValidTimeZone(timeZone: unknown): boolean {
	if (typeof timeZone !== 'string' || timeZone.length === 0) return false;
	try {
		formatter(timeZone);
		return true;
	} catch {
		return false;
	}
}

/** The wall clock of instant `ms` (epoch ms or a Date) in `timeZone`. Throws RangeError for an unknown zone. */
export function wallClock(timeZone: string, ms: number | Date): WallClock {
	const p: Record<string, string> = {};
	for (const part of formatter(timeZone).formatToParts(ms)) p[part.type] = part.value;
	return {
		date: `${p.year}-${p.month}-${p.day}`,
		year: Number(p.year),
		month: Number(p.month),
		day: Number(p.day),
		hour: Number(p.hour),
		minute: Number(p.minute),
		second: Number(p.second),
		weekday: p.weekday!,
	};
}

/** The calendar date `YYYY-MM-DD` of instant `ms` in `timeZone`. Throws RangeError for an unknown zone. */
export function dateInZone(timeZone: string, ms: number | Date): string {
	return wallClock(timeZone, ms).date;
}
