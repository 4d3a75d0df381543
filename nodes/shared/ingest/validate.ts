/**
 * Validation of platform rows (zod). A row the platforms sent in a shape we
 * cannot trust is rejected with every reason at once, worded so a person can
 * act on it: `clicks (120) > impressions (100)`,
 * `spend: not a number (got "1.234,56")`.
 *
 * Rules (quarantine): missing platform / account / campaign ids, a date that
 * is not YYYY-MM-DD or lies after today in the account's time zone, a missing
 * or non-ISO-4217 currency, non-numeric / non-finite / negative metrics,
 * fractional impressions or clicks, clicks > impressions on an ad platform,
 * an account or campaign id with a NUL character or an unpaired surrogate
 * (text/clean.ts: an id is never altered, so the row waits in quarantine),
 * spend or revenue above the currency's ceiling (platforms/currency.ts
 * `moneyCeiling`: 10^12 minor units a day for one campaign, e.g. a spend of
 * 1e30).
 *
 * The campaign name is free text: it is cleaned (NUL removed, unpaired
 * surrogates → U+FFFD), so the stored name equals the cleaned one and a
 * rerun finds the row unchanged.
 *
 * Email is different: a Klaviyo campaign is delivered (its "impressions")
 * once, and its clicks keep coming on later days, when nothing is delivered.
 * So for Klaviyo, clicks > impressions is a flag, not a quarantine.
 *
 * Flag (stored, not quarantined): conversions > clicks. View-through and
 * cross-device conversions (Meta's default 1-day-view window, Google Ads
 * view-through, Klaviyo email conversions attributed to opens) legitimately
 * exceed clicks, so the row is kept and the run reports a warning; the
 * quality report counts such rows in its metric-relationship check.
 *
 * A metric the platform does not report (`null`) is 0 for spend,
 * impressions, clicks and conversions (e.g. Klaviyo has no spend) and stays
 * NULL for revenue and leads (NULL = "not reported", not zero).
 */
import { z } from 'zod';
import type { MetricRow } from '../metrics';
import type { DailyMetricRow } from '../platforms/types';
import { isKnownCurrency, moneyCeiling, moneyProblem } from '../platforms/currency';
import { PLATFORM_DEFINITIONS } from '../platforms/registry';
import { PLATFORMS, isoDate, type Platform } from '../schema/rows';
import { cleanText, textFlaw } from '../text/clean';
import { isCalendarDate } from '../text/dates';

/** Platforms whose engagement lags delivery: a day's clicks can exceed that day's impressions. */
export const LAGGED_ENGAGEMENT: ReadonlySet<Platform> = new Set<Platform>(PLATFORM_DEFINITIONS.filter((p) => p.ingest.laggedEngagement).map((p) => p.id));

export interface ValidationContext {
	/** The platform of the run; a row of another platform is rejected. */
	platform: Platform;
	/** Today in the account's time zone (rows dated after it are rejected). */
	today: string;
	/** Time zone `today` is in (named in the reason). */
	timezone: string;
	/** Account currency, used when a row has none. */
	accountCurrency: string | null;
}

/** A row that passed validation, in its source currency (the metrics module's six base metrics). */
export interface ValidMetricRow extends MetricRow {
	platform: Platform;
	accountId: string;
	campaignId: string;
	campaignName: string | null;
	date: string;
	currency: string;
}

export type ValidationResult = { ok: true; row: ValidMetricRow; warnings: string[] } | { ok: false; reasons: string[] };

const notANumber = { invalid_type_error: 'not a number' };
const amount = z.number(notANumber).finite('not a finite number').nonnegative('negative').nullable();
const count = z
	.number(notANumber)
	.finite('not a finite number')
	.int('not a whole number')
	.nonnegative('negative')
	.max(Number.MAX_SAFE_INTEGER, 'too large')
	.nullable();
const id = (label: string) =>
	z
		.string({ required_error: `${label} is missing`, invalid_type_error: `${label} is missing` })
		.trim()
		.min(1, `${label} is missing`)
		.superRefine((v, zctx) => {
			const flaw = textFlaw(v);
			if (flaw !== undefined) zctx.addIssue({ code: 'custom', message: `${label} ${flaw}; an identifier is never altered, so the row is quarantined` });
		});

const baseSchema = z.object({
	platform: z.enum(PLATFORMS, { errorMap: () => ({ message: 'unknown platform' }) }),
	accountId: id('account id'),
	campaignId: id('campaign id'),
	campaignName: z.string().transform(cleanText).nullable().catch(null),
	date: z.string({ invalid_type_error: 'date is missing', required_error: 'date is missing' }).pipe(isoDate),
	currency: z.unknown(),
	spend: amount,
	impressions: count,
	clicks: count,
	conversions: amount,
	revenue: amount,
	leads: amount,
});

function show(value: unknown): string {
	if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
	if (typeof value === 'number' || typeof value === 'boolean' || value === null || value === undefined) return String(value);
	try {
		const text = JSON.stringify(value);
		return text.length > 60 ? `${text.slice(0, 60)}…` : text;
	} catch {
		return typeof value;
	}
}

/** The currency a row is in (its own, else the account's), upper case; undefined when missing. */
export function rowCurrency(row: Pick<DailyMetricRow, 'currency'>, accountCurrency: string | null): string | undefined {
	const raw = row.currency ?? accountCurrency;
	return typeof raw === 'string' && raw.trim() !== '' ? raw.trim().toUpperCase() : undefined;
}

/** Marks issues whose message is already complete (cross-field rules). */
const OWN = { own: true };

/** Builds the zod schema of one run (the context decides "future" and the expected platform). */
export function metricRowSchema(ctx: ValidationContext) {
	return baseSchema.superRefine((row, zctx) => {
		if (typeof row.platform === 'string' && row.platform !== ctx.platform) {
			zctx.addIssue({ code: 'custom', params: OWN, path: ['platform'], message: `"${row.platform}" is not the run's platform ${ctx.platform}` });
		}
		const currency = rowCurrency(row as Pick<DailyMetricRow, 'currency'>, ctx.accountCurrency);
		if (currency === undefined) {
			zctx.addIssue({ code: 'custom', params: OWN, path: ['currency'], message: 'currency is missing (neither the row nor the account has one)' });
		} else if (!isKnownCurrency(currency)) {
			zctx.addIssue({ code: 'custom', params: OWN, path: ['currency'], message: `"${currency}" is not an ISO 4217 currency code` });
		}
		if (typeof row.date === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(row.date) && row.date > ctx.today) {
			zctx.addIssue({ code: 'custom', params: OWN, path: ['date'], message: `${row.date} is in the future (today in ${ctx.timezone} is ${ctx.today})` });
		}
		if (typeof row.clicks === 'number' && typeof row.impressions === 'number' && row.clicks > row.impressions && !LAGGED_ENGAGEMENT.has(ctx.platform)) {
			zctx.addIssue({ code: 'custom', params: OWN, path: ['clicks'], message: `clicks (${row.clicks}) > impressions (${row.impressions})` });
		}
		if (currency !== undefined && isKnownCurrency(currency)) {
			for (const field of ['spend', 'revenue'] as const) {
				const amount = row[field];
				if (typeof amount !== 'number' || !Number.isFinite(amount) || amount < 0) continue; // worded by the field's own rule
				const problem = moneyProblem(field, amount, currency);
				if (problem !== undefined) zctx.addIssue({ code: 'custom', params: OWN, path: [field], message: problem });
			}
		}
	});
}

export type MetricRowSchema = ReturnType<typeof metricRowSchema>;

function describe(issue: z.ZodIssue, input: Record<string, unknown>): string {
	const field = String(issue.path[0] ?? '');
	if ((issue.code === 'custom' && issue.params?.own === true) || field === 'accountId' || field === 'campaignId' || issue.message === 'date is missing') return issue.message;
	return `${field}: ${issue.message} (got ${show(input[field])})`;
}

const PLATFORM_SET: ReadonlySet<unknown> = new Set<unknown>(PLATFORMS);

const isAmount = (v: unknown): v is number | null => v === null || (typeof v === 'number' && Number.isFinite(v) && v >= 0);
const isCount = (v: unknown): v is number | null =>
	v === null || (typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= Number.MAX_SAFE_INTEGER);

/**
 * The fast path of `validateMetricRow`: plain checks of exactly the rules of
 * `metricRowSchema(ctx)` for a row that passes all of them, giving the same
 * row zod gives. It only ever accepts: anything it does not accept (every
 * bad row, and anything unusual) goes through the zod schema, which decides
 * and words the reasons. A unit test compares both on generated rows.
 */
function acceptFast(row: unknown, ctx: ValidationContext): ValidMetricRow | undefined {
	// plain objects only (zod treats arrays, dates, maps, sets and promises as other types)
	if (typeof row !== 'object' || row === null) return undefined;
	const proto: unknown = Object.getPrototypeOf(row);
	if (proto !== Object.prototype && proto !== null) return undefined;
	const r = row as Record<string, unknown>;
	if (typeof r.then === 'function') return undefined;
	const { platform, accountId, campaignId, date } = r;
	if (!PLATFORM_SET.has(platform) || platform !== ctx.platform) return undefined;
	if (typeof accountId !== 'string' || typeof campaignId !== 'string') return undefined;
	const account = accountId.trim();
	const campaign = campaignId.trim();
	if (account.length === 0 || campaign.length === 0) return undefined;
	if (textFlaw(account) !== undefined || textFlaw(campaign) !== undefined) return undefined;
	if (!isCalendarDate(date) || date > ctx.today) return undefined; // the schema's `isoDate` rule (text/dates.ts, cached there)
	const currency = rowCurrency(r as Pick<DailyMetricRow, 'currency'>, ctx.accountCurrency);
	if (currency === undefined || !isKnownCurrency(currency)) return undefined;
	const { spend, impressions, clicks, conversions, revenue, leads } = r;
	if (!isAmount(spend) || !isCount(impressions) || !isCount(clicks) || !isAmount(conversions) || !isAmount(revenue) || !isAmount(leads)) return undefined;
	const ceiling = moneyCeiling(currency) as number;
	if ((spend ?? 0) > ceiling || (revenue ?? 0) > ceiling) return undefined;
	if (clicks !== null && impressions !== null && clicks > impressions && !LAGGED_ENGAGEMENT.has(ctx.platform)) return undefined;
	return {
		platform: platform as Platform,
		accountId: account,
		campaignId: campaign,
		campaignName: typeof r.campaignName === 'string' ? cleanText(r.campaignName) : null,
		date,
		currency,
		spend: spend ?? 0,
		impressions: impressions ?? 0,
		clicks: clicks ?? 0,
		conversions: conversions ?? 0,
		revenue,
		leads,
	};
}

function accepted(valid: ValidMetricRow, clicksReported: boolean): ValidationResult {
	const warnings: string[] = [];
	if (valid.clicks > valid.impressions) {
		warnings.push(`clicks (${valid.clicks}) > impressions (${valid.impressions}): kept (email clicks arrive after the send day)`);
	}
	if (clicksReported && valid.conversions > valid.clicks) {
		warnings.push(`conversions (${valid.conversions}) > clicks (${valid.clicks}): kept (view-through or modelled conversions)`);
	}
	return { ok: true, row: valid, warnings };
}

/** Validates one platform row; on success the row is in its source currency with nulls resolved. */
export function validateMetricRow(schema: MetricRowSchema, row: DailyMetricRow, ctx: ValidationContext): ValidationResult {
	const fast = acceptFast(row, ctx);
	if (fast !== undefined) return accepted(fast, (row as unknown as Record<string, unknown>).clicks !== null);
	return validateMetricRowWithSchema(schema, row, ctx);
}

/** `validateMetricRow` through the zod schema alone (no fast path); the reference the fast path is tested against. */
export function validateMetricRowWithSchema(schema: MetricRowSchema, row: DailyMetricRow, ctx: ValidationContext): ValidationResult {
	const input = row as unknown as Record<string, unknown>;
	const parsed = schema.safeParse(row);
	if (!parsed.success) return { ok: false, reasons: parsed.error.issues.map((i) => describe(i, input)) };
	const r = parsed.data;
	const valid: ValidMetricRow = {
		platform: r.platform,
		accountId: r.accountId,
		campaignId: r.campaignId,
		campaignName: r.campaignName,
		date: r.date,
		currency: rowCurrency(row, ctx.accountCurrency) as string,
		spend: r.spend ?? 0,
		impressions: r.impressions ?? 0,
		clicks: r.clicks ?? 0,
		conversions: r.conversions ?? 0,
		revenue: r.revenue,
		leads: r.leads,
	};
	return accepted(valid, r.clicks !== null);
}
