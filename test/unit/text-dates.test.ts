// The one calendar-date and time zone module (nodes/shared/text/dates.ts) and
// the callers that used to carry their own copies: same answers, same messages.
import { test, describe } from 'vitest';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { DAY_MS, calendarDayMs, dateInZone, dayWindows, isCalendarDate, isValidTimeZone, utcDate, wallClock } from '../../nodes/shared/text/dates';
import { isoDate } from '../../nodes/shared/schema/rows';
import { addDays, dayIn, isValidTimeZone as ingestTimeZone } from '../../nodes/shared/ingest/dates';
import { eachDay, parseDay } from '../../nodes/shared/platforms/types';
import { dayNumber, dayString, isValidTimeZone as rulesTimeZone, localClock } from '../../nodes/shared/rules/time';
import { localDate } from '../../nodes/shared/moderation/signal';
import { metricRowSchema, validateMetricRow, validateMetricRowWithSchema, type ValidationContext } from '../../nodes/shared/ingest/validate';
import type { DailyMetricRow } from '../../nodes/shared/platforms/types';

const pad = (n: number, width: number) => String(n).padStart(width, '0');
const daysIn = (y: number, m: number) => [31, (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1]!;

describe('calendar dates', () => {
	test('leap years, month lengths and the year range', () => {
		for (const ok of ['2024-02-29', '2000-02-29', '1900-02-28', '2025-12-31', '0100-01-01', '9999-12-31', '1970-01-01']) assert.ok(isCalendarDate(ok), ok);
		for (const no of ['2025-02-29', '2100-02-29', '1900-02-29', '2025-04-31', '2025-13-01', '2025-00-10', '2025-01-00', '2025-01-32', '0099-12-31', '0000-01-01'])
			assert.ok(!isCalendarDate(no), no);
		assert.equal(calendarDayMs('1970-01-02'), DAY_MS);
		assert.ok(Number.isNaN(calendarDayMs('2025-02-30')));
	});

	test('only exactly YYYY-MM-DD', () => {
		for (const no of ['', '2025-1-01', '2025-01-1', '20250101', ' 2025-01-01', '2025-01-01 ', '2025-01-01T00:00:00Z', '+02025-01-01', '२०२५-०१-०१', '2025/01/01']) assert.ok(!isCalendarDate(no), JSON.stringify(no));
		for (const no of [null, undefined, 20250101, new Date(0)]) assert.equal(isCalendarDate(no), false);
	});

	test('property: a date is valid exactly when the calendar has that day, and reads back as itself', () => {
		fc.assert(
			fc.property(fc.integer({ min: 0, max: 9999 }), fc.integer({ min: 0, max: 13 }), fc.integer({ min: 0, max: 32 }), (y, m, d) => {
				const text = `${pad(y, 4)}-${pad(m, 2)}-${pad(d, 2)}`;
				const expected = y >= 100 && m >= 1 && m <= 12 && d >= 1 && d <= daysIn(y, m);
				assert.equal(isCalendarDate(text), expected, text);
				if (expected) assert.equal(utcDate(calendarDayMs(text)), text);
			}),
			{ numRuns: 5000 },
		);
	});

	test('every caller answers as before, with its own message', () => {
		const bad = '2025-02-29';
		assert.deepEqual(isoDate.safeParse(bad).error?.issues.map((i) => i.message), ['must be a date YYYY-MM-DD']);
		assert.equal(isoDate.parse('2024-02-29'), '2024-02-29');
		assert.throws(() => parseDay(bad), { name: 'RangeError', message: `not a date YYYY-MM-DD: ${bad}` });
		assert.throws(() => parseDay('0099-12-31'), RangeError);
		assert.equal(parseDay('2024-02-29'), Date.UTC(2024, 1, 29));
		assert.ok(Number.isNaN(dayNumber(bad)));
		assert.equal(dayNumber('2024-03-01') - dayNumber('2024-02-28'), 2);
		assert.equal(dayString(dayNumber('2024-02-29')), '2024-02-29');
		assert.deepEqual(eachDay('2024-02-28', '2024-03-01'), ['2024-02-28', '2024-02-29', '2024-03-01']);
		assert.equal(addDays('2024-02-28', 1), '2024-02-29');
		assert.throws(() => addDays(bad, 1), /not a date YYYY-MM-DD: 2025-02-29/);
		// ingest: the fast path and the schema agree on what a day is
		const ctx: ValidationContext = { platform: 'meta', today: '2025-12-31', timezone: 'UTC', accountCurrency: 'USD' };
		const schema = metricRowSchema(ctx);
		const row = (date: string) => ({ platform: 'meta', accountId: 'a', campaignId: 'c', campaignName: null, date, currency: 'USD', spend: 1, impressions: 10, clicks: 1, conversions: 0, revenue: 0, leads: 0 }) as unknown as DailyMetricRow;
		for (const date of [bad, '0099-12-31', '2025-1-01']) {
			const fast = validateMetricRow(schema, row(date), ctx);
			assert.deepEqual(fast, validateMetricRowWithSchema(schema, row(date), ctx));
			assert.equal(fast.ok, false, date);
		}
		assert.ok(validateMetricRow(schema, row('2024-02-29'), ctx).ok);
	});
});

describe('time zones', () => {
	test('known and unknown zones, the same answer everywhere', () => {
		for (const [zone, known] of [['UTC', true], ['Europe/Berlin', true], ['+05:30', true], ['Mars/Olympus', false], ['', false], [undefined, false], [42, false]] as const) {
			assert.equal(isValidTimeZone(zone), known, String(zone));
			assert.equal(rulesTimeZone(zone as string), known, String(zone));
			if (typeof zone === 'string') assert.equal(ingestTimeZone(zone), known, zone);
		}
		assert.throws(() => wallClock('Mars/Olympus', 0), RangeError);
		assert.throws(() => localDate('2025-01-01T00:00:00Z', 'Mars/Olympus'), RangeError);
	});

	test('wall clocks: UTC, fixed offsets, DST changes, the date line', () => {
		assert.deepEqual(wallClock('UTC', Date.UTC(2024, 1, 29, 23, 59, 58)), { date: '2024-02-29', year: 2024, month: 2, day: 29, hour: 23, minute: 59, second: 58, weekday: 'Thu' });
		assert.deepEqual(wallClock('Etc/GMT-14', Date.UTC(2024, 1, 29, 10, 0, 0)), { date: '2024-03-01', year: 2024, month: 3, day: 1, hour: 0, minute: 0, second: 0, weekday: 'Fri' });
		// New York springs forward at 07:00 UTC on 2025-03-09: 01:59 EST, then 03:00 EDT
		assert.equal(wallClock('America/New_York', Date.UTC(2025, 2, 9, 6, 59)).hour, 1);
		assert.equal(wallClock('America/New_York', Date.UTC(2025, 2, 9, 7, 0)).hour, 3);
		assert.equal(wallClock('Europe/Berlin', Date.UTC(2025, 11, 31, 23, 0)).hour, 0, 'midnight is 0, never 24');
		assert.equal(dateInZone('Pacific/Kiritimati', Date.UTC(2025, 0, 1, 10)), '2025-01-02');
		assert.equal(dateInZone('Pacific/Pago_Pago', Date.UTC(2025, 0, 1, 10)), '2024-12-31');
	});

	test('property: the ingest day, the comment day and the rules clock are the one wall clock', () => {
		const zones = ['UTC', 'Europe/Berlin', 'America/New_York', 'Asia/Kolkata', 'Australia/Lord_Howe', 'Pacific/Chatham', 'America/St_Johns'];
		fc.assert(
			fc.property(fc.constantFrom(...zones), fc.integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2040, 0, 1) }), (zone, ms) => {
				const c = wallClock(zone, ms);
				assert.equal(dayIn(zone, new Date(ms)), c.date);
				assert.equal(localDate(new Date(ms).toISOString(), zone), c.date);
				const clock = localClock(zone, ms);
				assert.deepEqual([clock.date, clock.minute, clock.weekday], [c.date, c.hour * 60 + c.minute, c.weekday.toLowerCase()]);
				// the wall clock read as UTC lies within a day of the instant
				assert.ok(Math.abs(Date.UTC(c.year, c.month - 1, c.day, c.hour, c.minute, c.second) - Math.floor(ms / 1000) * 1000) <= 14 * 3_600_000);
			}),
			{ numRuns: 2000 },
		);
	});
});

test('dayWindows: calendar dates in windows of n days, the last one shorter; none for a reversed or bad range; n a whole number', () => {
	assert.deepEqual(dayWindows('2025-02-26', '2025-03-03', 3), [
		{ gte: '2025-02-26', lte: '2025-02-28' },
		{ gte: '2025-03-01', lte: '2025-03-03' },
	]);
	assert.deepEqual(dayWindows('2024-02-28', '2024-03-01', 2), [
		{ gte: '2024-02-28', lte: '2024-02-29' },
		{ gte: '2024-03-01', lte: '2024-03-01' },
	]);
	assert.deepEqual(dayWindows('2025-03-03', '2025-03-01', 3), []);
	assert.deepEqual(dayWindows('2025-02-30', '2025-03-03', 3), []);
	assert.throws(() => dayWindows('2025-03-01', '2025-03-03', 0), /whole number of at least 1/);
	assert.throws(() => dayWindows('2025-03-01', '2025-03-03', 1.5), /whole number of at least 1/);
});
