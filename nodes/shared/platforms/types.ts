/**
 * One interface for every ad platform. Adapters return platform rows mapped
 * to a common shape, *not yet validated*: a value the platform sent in a form
 * we cannot read (a non-numeric spend) is kept as-is in the row and in `raw`,
 * so the validation layer can quarantine the row with the original payload.
 */
import type { PlatformId } from '../resilience/errors';
import type { CallStats } from '../resilience/executor';
import type { NumericField } from './money';

export type { PlatformId } from '../resilience/errors';
export type { NumericField, InvalidNumber } from './money';

export interface AccountInfo {
	platform: PlatformId;
	accountId: string;
	name: string | null;
	/** ISO 4217 code of the account currency, as the platform reports it. */
	currency: string | null;
	/** IANA timezone the platform reports dates in (LinkedIn: always UTC). */
	timezone: string | null;
	status: string | null;
	raw: unknown;
}

export interface CampaignInfo {
	platform: PlatformId;
	accountId: string;
	campaignId: string;
	name: string | null;
	status: string | null;
	/** Daily budget in major units of `currency`, when the platform sets one at campaign level. */
	dailyBudget: NumericField;
	lifetimeBudget: NumericField;
	currency: string | null;
	raw: unknown;
}

export interface DailyMetricRow {
	platform: PlatformId;
	accountId: string;
	campaignId: string;
	campaignName: string | null;
	/** YYYY-MM-DD in the account's timezone, as the platform reports it. */
	date: string;
	/** The platform's account currency (no conversion here). */
	currency: string | null;
	/** Major units; exact conversion from micros / minor units. */
	spend: NumericField;
	impressions: NumericField;
	clicks: NumericField;
	/** Fractional conversions are kept (Google Ads data-driven attribution). */
	conversions: NumericField;
	revenue: NumericField;
	leads: NumericField;
	/** The platform's original row, for quarantine. */
	raw: unknown;
}

export interface CallMeta extends CallStats {
	/** Pages of results fetched (after paging). */
	pages: number;
}

export interface DailyMetricsQuery {
	accountId: string;
	/** First day, YYYY-MM-DD, inclusive. */
	since: string;
	/** Last day, YYYY-MM-DD, inclusive. */
	until: string;
	signal?: AbortSignal;
}

export interface DailyMetricsResult {
	rows: DailyMetricRow[];
	account: AccountInfo;
	meta: CallMeta;
	/** Things worth a look that did not stop the fetch (ambiguous metric, unknown action type…). */
	warnings: string[];
}

export interface CampaignList {
	campaigns: CampaignInfo[];
	meta: CallMeta;
}

export interface PlatformAdapter {
	readonly platform: PlatformId;
	/** Cheap call for credential tests: name, currency, timezone. Failures are PlatformApiError with a hint. */
	describeAccount(accountId: string, signal?: AbortSignal): Promise<AccountInfo>;
	listCampaigns(accountId: string, signal?: AbortSignal): Promise<CampaignList>;
	fetchDailyMetrics(query: DailyMetricsQuery): Promise<DailyMetricsResult>;
}

export function toCallMeta(before: CallStats, after: CallStats, pages: number): CallMeta {
	return {
		requests: after.requests - before.requests,
		retries: after.retries - before.retries,
		retryWaitMs: after.retryWaitMs - before.retryWaitMs,
		throttleWaitMs: after.throttleWaitMs - before.throttleWaitMs,
		rateLimitWaitMs: after.rateLimitWaitMs - before.rateLimitWaitMs,
		pages,
	};
}

/** Every day from `since` to `until` inclusive (YYYY-MM-DD, calendar arithmetic in UTC). */
export function eachDay(since: string, until: string): string[] {
	const start = parseDay(since);
	const end = parseDay(until);
	if (end < start) throw new RangeError(`until (${until}) is before since (${since})`);
	const days: string[] = [];
	for (let t = start; t <= end; t += 86_400_000) days.push(new Date(t).toISOString().slice(0, 10));
	return days;
}

export function parseDay(day: string): number {
	const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
	const t = m ? Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) : NaN;
	if (!m || Number.isNaN(t) || new Date(t).toISOString().slice(0, 10) !== day) throw new RangeError(`not a date YYYY-MM-DD: ${day}`);
	return t;
}
