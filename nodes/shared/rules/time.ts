/**
 * Calendar days and local clock times in an account's IANA time zone (the
 * calendar and the zones themselves are text/dates.ts). Days are handled as
 * integer day numbers (days since 1970-01-01) so windows are plain integer
 * ranges.
 */
import { DAY_MS, HOUR_MS, calendarDayMs, utcDate, wallClock } from '../text/dates';
import type { Weekday } from './schema-parts';
import { WEEKDAYS } from './schema-parts';

export { DAY_MS, HOUR_MS };

/** Day number of `YYYY-MM-DD`, or NaN when it is not a real calendar date. */
export function dayNumber(date: string): number {
	return calendarDayMs(date) / DAY_MS;
}

/** `YYYY-MM-DD` of a day number. */
export function dayString(day: number): string {
	return utcDate(day * DAY_MS);
}

/** True when the runtime knows `timeZone` as an IANA zone. */
export { isValidTimeZone } from '../text/dates';

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
	const c = wallClock(timeZone, ms);
	return { date: c.date, day: dayNumber(c.date), weekday: WEEKDAY_OF[c.weekday], minute: c.hour * 60 + c.minute, timeZone };
}

/** The weekday before `w`. */
export function previousWeekday(w: Weekday): Weekday {
	return WEEKDAYS[(WEEKDAYS.indexOf(w) + 6) % 7];
}

/** `HH:MM` of minutes after midnight. */
export function formatMinute(minute: number): string {
	return `${String(Math.floor(minute / 60)).padStart(2, '0')}:${String(minute % 60).padStart(2, '0')}`;
}
