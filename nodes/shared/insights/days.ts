/** Calendar days as integers (days since 1970-01-01); the dates are already the account's own days. */
const DAY_MS = 86_400_000;
const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

export function dayNumber(date: string): number {
	const m = DATE_RE.exec(date);
	if (!m) throw new RangeError(`not a date YYYY-MM-DD: ${JSON.stringify(date)}`);
	return Math.floor(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) / DAY_MS);
}

export function dayString(day: number): string {
	return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

/** Whether `value` is a calendar day written YYYY-MM-DD (2026-02-30 and 2026-13-01 are not). */
export function isDay(value: string): boolean {
	return DATE_RE.test(value) && dayString(dayNumber(value)) === value;
}

/** 0 = Monday … 6 = Sunday. */
export function weekday(day: number): number {
	return (day + 3) % 7; // 1970-01-01 was a Thursday
}

export function daysInMonth(month: string): number {
	const m = /^(\d{4})-(\d{2})$/.exec(month);
	if (!m) throw new RangeError(`not a month YYYY-MM: ${JSON.stringify(month)}`);
	return new Date(Date.UTC(Number(m[1]), Number(m[2]), 0)).getUTCDate();
}

export function monthOf(date: string): string {
	return date.slice(0, 7);
}

export function firstDayOfMonth(month: string): number {
	return dayNumber(`${month}-01`);
}
