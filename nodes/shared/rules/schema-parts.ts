/**
 * zod pieces shared by the rule model (model.ts) and the gates' own settings
 * schemas (gates/*.ts): numbers, windows, weekdays, schedule windows. This file
 * depends on zod alone, so the gate files can be loaded by model.ts.
 */
import { z } from 'zod';

export const finite = z.number({ invalid_type_error: 'must be a number' }).finite('must be a finite number');
export const nonNegative = finite.min(0, 'must be at least 0');
/** A percent cap: more than 0, at most 1000. */
export const pctCap = finite.gt(0, 'must be greater than 0').max(1000);

/** Longest `last_n_days` window. */
export const MAX_WINDOW_DAYS = 365;

/**
 * A span of calendar days in the account's time zone, relative to the day of
 * the evaluation ("today"):
 * - `today`: today only (the partial day the store holds, if any);
 * - `yesterday`: the day before today;
 * - `last_n_days`: the `days` complete days ending yesterday (today excluded,
 *   as in the platforms' own "last 7 days");
 * - `lifetime`: every stored day up to and including today.
 *
 * JSON shorthand: `"today"`, `"yesterday"`, `"lifetime"`, `"last_7_days"`.
 */
export type Window = { kind: 'today' } | { kind: 'yesterday' } | { kind: 'last_n_days'; days: number } | { kind: 'lifetime' };

function windowShorthand(value: unknown): unknown {
	if (typeof value !== 'string') return value;
	const s = value.trim().toLowerCase();
	const m = /^last_(\d{1,4})_days?$/.exec(s);
	if (m) return { kind: 'last_n_days', days: Number(m[1]) };
	// unknown strings become `{ kind }`, so the error lists the valid kinds
	return { kind: s };
}

const DAY_WINDOW_OBJECTS = [
	z.object({ kind: z.literal('today') }).strict(),
	z.object({ kind: z.literal('yesterday') }).strict(),
	z.object({ kind: z.literal('last_n_days'), days: z.number().int('must be a whole number of days').min(1).max(MAX_WINDOW_DAYS) }).strict(),
	z.object({ kind: z.literal('lifetime') }).strict(),
] as const;

export const windowSchema: z.ZodType<Window, z.ZodTypeDef, unknown> = z.preprocess(windowShorthand, z.discriminatedUnion('kind', [...DAY_WINDOW_OBJECTS]));

/**
 * A condition's window: a day window, or `last_hour` — the 60 minutes ending
 * at the evaluation (now − 60 min < time ≤ now). Only first-party metrics
 * have it (stored events carry their time; campaign_performance only days):
 * model.ts refuses it on other metrics. JSON shorthand `"last_hour"`.
 */
export type LeafWindow = Window | { kind: 'last_hour' };

export const leafWindowSchema: z.ZodType<LeafWindow, z.ZodTypeDef, unknown> = z.preprocess(
	windowShorthand,
	z.discriminatedUnion('kind', [...DAY_WINDOW_OBJECTS, z.object({ kind: z.literal('last_hour') }).strict()]),
);

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

const hhmm = z
	.string()
	.regex(/^([01]\d|2[0-3]):[0-5]\d$|^24:00$/, 'must be a time HH:MM (00:00 to 24:00)')
	.transform((s) => Number(s.slice(0, 2)) * 60 + Number(s.slice(3)));

/**
 * A time window on the local clock: `days` (default every day), from `from`
 * (inclusive) to `to` (exclusive), as minutes after midnight, in `timeZone`
 * (an IANA zone; absent: the account's). `from` > `to` wraps past midnight
 * (22:00–06:00); the part after midnight belongs to the day the window started
 * on (Fri 22:00–06:00 includes Saturday 02:00).
 */
export interface ScheduleWindow {
	days: Weekday[];
	fromMinute: number;
	toMinute: number;
	/** The zone the window is written in; absent = the account's time zone. */
	timeZone?: string;
}

function knownZone(zone: string): boolean {
	try {
		new Intl.DateTimeFormat('en-US', { timeZone: zone });
		return true;
	} catch {
		return false;
	}
}

export const scheduleWindowSchema: z.ZodType<ScheduleWindow, z.ZodTypeDef, unknown> = z
	.object({
		days: z.array(z.enum(WEEKDAYS)).min(1, 'must not be empty (omit it for every day)').default([...WEEKDAYS]),
		from: hhmm.default('00:00'),
		to: hhmm.default('24:00'),
		timeZone: z
			.string()
			.trim()
			.min(1)
			.max(100)
			.refine(knownZone, (z) => ({ message: `"${z}" is not an IANA time zone (e.g. America/New_York)` }))
			.optional(),
	})
	.strict()
	.superRefine((w, ctx) => {
		if (w.from === w.to) ctx.addIssue({ code: 'custom', path: ['to'], message: 'must differ from "from"' });
	})
	.transform((w) => ({
		days: [...new Set(w.days)].sort((a, b) => WEEKDAYS.indexOf(a) - WEEKDAYS.indexOf(b)),
		fromMinute: w.from,
		toMinute: w.to,
		...(w.timeZone !== undefined ? { timeZone: w.timeZone } : {}),
	}));
