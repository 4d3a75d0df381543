/**
 * One interface for every ad platform. Adapters return platform rows mapped
 * to a common shape, *not yet validated*: a value the platform sent in a form
 * we cannot read (a non-numeric spend) is kept as-is in the row and in `raw`,
 * so the validation layer can quarantine the row with the original payload.
 */
import type { PlatformId } from '../resilience/errors';
import type { CallStats } from '../resilience/call-policy';
import type { NumericField } from './money';
import { DAY_MS, calendarDayMs, utcDate } from '../text/dates';

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

/**
 * A campaign's current state as the optimizer reads it: what it evaluates
 * (status, daily budget, age, account currency and time zone) and what it
 * re-reads right before a change (never act on a stale budget).
 */
export interface CampaignState {
	platform: PlatformId;
	accountId: string;
	campaignId: string;
	name: string | null;
	/**
	 * `ACTIVE`, `PAUSED`, or the platform's own value for anything else
	 * (`ARCHIVED`, `REMOVED`, `DRAFT`, …), which the optimizer leaves alone.
	 * Google Ads' `ENABLED` is `ACTIVE`; Meta's is the configured `status`,
	 * not `effective_status`.
	 */
	status: string;
	/** The status value as the platform sent it. */
	platformStatus: string | null;
	/** Daily budget in force, major units of `currency`; null when the campaign has no daily budget of its own. */
	dailyBudget: number | null;
	/**
	 * Whether `setDailyBudget` may change this budget: false for shared
	 * budgets (Google Ads: a change would move every campaign on it), non-daily
	 * periods, lifetime budgets and budgets set below the campaign (Meta ad sets).
	 */
	budgetEditable: boolean;
	/** Why the budget is not editable (or absent); null when it is. */
	budgetNote: string | null;
	/** Account currency, ISO 4217. */
	currency: string | null;
	/** The account's IANA time zone (LinkedIn: UTC, the zone its reports use). */
	timezone: string | null;
	/** When the campaign was created, ISO-8601 UTC (Google Ads: its start time, the API has no creation time); null when unknown. */
	createdAt: string | null;
	raw: unknown;
}

export interface CampaignStates {
	account: AccountInfo;
	campaigns: CampaignState[];
	meta: CallMeta;
}

/** Which campaign a change is for; `validateOnly` asks the platform to check it without making it (`canValidateOnly`). */
export interface CampaignChangeTarget {
	accountId: string;
	campaignId: string;
	validateOnly?: boolean;
	signal?: AbortSignal;
}

export interface CampaignChangeResult {
	platform: PlatformId;
	accountId: string;
	campaignId: string;
	call: 'setStatus' | 'setDailyBudget';
	/** What was asked: the status, or the budget in major units with its currency and the platform's own units. */
	request: { status?: 'ACTIVE' | 'PAUSED'; dailyBudget?: number; currency?: string; platformAmount?: string };
	/** True when the platform only validated the change. */
	validateOnly: boolean;
	/** The platform's answer (JSON, no secrets): `{ success: true }`, the HTTP status of a 204, resource names. */
	response: unknown;
	meta: CallMeta;
}

/**
 * What optimization needs from an ad platform: read campaign state, pause or
 * enable, set the daily budget. Meta, LinkedIn and Google Ads implement it;
 * Klaviyo (email) does not. Errors are PlatformApiError naming the account,
 * the call (with the campaign) and what to do.
 */
export interface CampaignControl {
	readonly platform: PlatformId;
	/** The platform can check a change without making it (Meta `execution_options`, Google Ads `validate_only`). */
	readonly canValidateOnly: boolean;
	/** Every campaign of the account (removed/deleted ones excepted where the API allows) with its state. */
	listCampaignStates(accountId: string, signal?: AbortSignal): Promise<CampaignStates>;
	/** One campaign's state now; null when the account has no such campaign. */
	getCampaignState(accountId: string, campaignId: string, signal?: AbortSignal): Promise<CampaignState | null>;
	setStatus(input: CampaignChangeTarget & { status: 'ACTIVE' | 'PAUSED' }): Promise<CampaignChangeResult>;
	/** `dailyBudget` in major units of `currency`, which must be the account's currency. */
	setDailyBudget(input: CampaignChangeTarget & { dailyBudget: number; currency: string }): Promise<CampaignChangeResult>;
	/**
	 * Budget and status changes of the account's campaigns since `since`
	 * (ISO-8601), from the platform's change history, one read per account
	 * (Meta: the ad account's `activities` edge; Google Ads: `change_event`,
	 * which refuses a `since` over 30 days back; LinkedIn: the campaigns'
	 * `changeAuditStamps.lastModified`, kind `other`, no who or what). The run
	 * asks no further back than the registry's `changeHistory.days`. The
	 * optimizer counts them for the cooldown and the 24 h bound. Optional:
	 * a platform without a history gives none.
	 */
	listCampaignChanges?(accountId: string, since: string, signal?: AbortSignal): Promise<CampaignChange[]>;
}

/** One change of a campaign read from the platform's change history. */
export interface CampaignChange {
	platform: PlatformId;
	accountId: string;
	campaignId: string;
	/** When it was made, ISO-8601 UTC. */
	at: string;
	/** `budget`: the daily budget changed; `status`: paused or enabled; `other`: a change the platform does not detail (LinkedIn's lastModified). */
	kind: 'budget' | 'status' | 'other';
	/** Major units of the account currency (budget changes), when the platform says. */
	budgetBefore: number | null;
	budgetAfter: number | null;
	/** `ACTIVE` / `PAUSED` (status changes), when the platform says. */
	statusBefore: string | null;
	statusAfter: string | null;
	/** Who made it (a person's name or e-mail), when the platform says. */
	by: string | null;
	/** Where it was made (Ads Manager, Google Ads web interface, an API app), when the platform says. */
	via: string | null;
	/** The platform's own record. */
	raw: unknown;
}

/** True when the adapter can read and change campaigns (Meta, LinkedIn, Google Ads). */
/**
 * One ad's state (a Meta ad, a Google Ads ad group ad, a LinkedIn creative):
 * what the ad-level rules read before they pause or enable it, and read back
 * when a change's answer was lost.
 */
export interface AdState {
	platform: PlatformId;
	accountId: string;
	/** The ad's campaign, when the platform says. */
	campaignId: string | null;
	/** Meta ad set / Google Ads ad group; null on LinkedIn (no level between campaign and creative). */
	adGroupId: string | null;
	adId: string;
	name: string | null;
	/** `ACTIVE`, `PAUSED`, or the platform's own value for anything else (Google's `ENABLED` is `ACTIVE`). */
	status: string;
	platformStatus: string | null;
	raw: unknown;
}

export interface AdStatusTarget {
	accountId: string;
	adId: string;
	/** Google Ads: the ad group of the ad (its resource name is `adGroupAds/{adGroup}~{ad}`); read from the ad when absent. */
	adGroupId?: string | null;
	status: 'ACTIVE' | 'PAUSED';
	validateOnly?: boolean;
	signal?: AbortSignal;
}

export interface AdStatusResult {
	platform: PlatformId;
	accountId: string;
	adId: string;
	call: 'setAdStatus';
	request: { status: 'ACTIVE' | 'PAUSED' };
	validateOnly: boolean;
	response: unknown;
	meta: CallMeta;
}

/** Reading and setting one ad's status (Meta POST /{ad_id} status, Google Ads AdGroupAdService, LinkedIn creatives intendedStatus). */
export interface AdControl {
	readonly platform: PlatformId;
	/** The ad's state now; null when the account has no such ad. */
	getAdState(accountId: string, adId: string, signal?: AbortSignal): Promise<AdState | null>;
	setAdStatus(input: AdStatusTarget): Promise<AdStatusResult>;
}

export function hasAdControl<T extends object>(adapter: T): adapter is T & AdControl {
	const a = adapter as Partial<AdControl>;
	return typeof a.getAdState === 'function' && typeof a.setAdStatus === 'function';
}

export function hasCampaignControl<T extends object>(adapter: T): adapter is T & CampaignControl {
	const a = adapter as Partial<CampaignControl>;
	return typeof a.listCampaignStates === 'function' && typeof a.getCampaignState === 'function' && typeof a.setStatus === 'function' && typeof a.setDailyBudget === 'function';
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
	for (let t = start; t <= end; t += DAY_MS) days.push(utcDate(t));
	return days;
}

/** UTC midnight (epoch ms) of a calendar date `YYYY-MM-DD`; RangeError for anything else (text/dates.ts `calendarDayMs`). */
export function parseDay(day: string): number {
	const t = calendarDayMs(day);
	if (Number.isNaN(t)) throw new RangeError(`not a date YYYY-MM-DD: ${day}`);
	return t;
}
