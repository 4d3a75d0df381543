/**
 * Google Ads adapter over `google-ads-api` (GAQL through the library's REST
 * searchStream path, `customer.query`; mutations through its per-service
 * methods).
 *
 * - `metrics.cost_micros` → spend exactly (money.microsToMajor), fractional
 *   `metrics.conversions` kept, `metrics.conversions_value` → revenue;
 *   `segments.date` is already in the account time zone (`customer.time_zone`).
 *   Leads are not a Google Ads metric: null.
 * - Endpoints: with the defaults (`apiBaseUrl` https://googleads.googleapis.com,
 *   `tokenUrl` https://oauth2.googleapis.com/token, the library's API version)
 *   the library runs untouched. Any other value routes the same `Customer`
 *   through the library's hooks to that base URL with tokens from that token
 *   URL (./google-ads-rest.ts): same REST requests, the library's own parser.
 * - Caller hooks (`hooks`) run first and may answer a query themselves with
 *   `cancel(rows)` (rows in the library's parsed shape).
 * - Campaign control (`CampaignControl`): state from one GAQL query over
 *   `campaign` with its `campaign_budget` (amount, period, sharing) and the
 *   customer's currency and time zone; status through `customer.campaigns.update`,
 *   budget through the campaign's `campaign_budget` resource
 *   (`customer.campaignBudgets.update`), both with `validate_only` for a check
 *   without a change. Shared budgets and non-daily periods are not editable
 *   here (a change would move every campaign on the budget).
 * - Change history (`listCampaignChanges`): one GAQL query over `change_event`
 *   per account (Google keeps 30 days; the query needs a finite
 *   `change_date_time` range in the account's time zone and a LIMIT ≤ 10,000):
 *   CAMPAIGN_BUDGET events with old/new `amount_micros`, CAMPAIGN events that
 *   change `status`, who by `user_email`, where from `client_type`.
 * - Errors: `GoogleAdsFailure` → PlatformApiError; quota errors (`quota_error`
 *   RESOURCE_EXHAUSTED / RESOURCE_TEMPORARILY_EXHAUSTED) carry the
 *   `quota_error_details.retry_delay` as `retryAfterMs`, kind `quota`;
 *   a short delay (≤ 60 s: the per-second rate limit, what a 429 is) is
 *   waited for and retried like the other platforms' 429; RESOURCE_EXHAUSTED
 *   with a long delay (the daily quota) is not retried (the account stops
 *   cleanly). A success status with a body that is not JSON is a malformed
 *   answer, retried; 5xx are retried. A refused
 *   OAuth refresh token or an UNAUTHENTICATED answer → kind `auth` with a hint.
 */
import { GoogleAdsApi, enums, errors, type Customer, type Hooks } from 'google-ads-api';
import { CallExecutor, type ExecutorOptions } from '../resilience/call-policy';
import { PlatformApiError, type PlatformErrorKind } from '../resilience/errors';
import {
	GOOGLE_ADS_API_BASE_URL,
	GOOGLE_ADS_LIBRARY_API_VERSION,
	GOOGLE_OAUTH_TOKEN_URL,
	GoogleAdsHttpError,
	GoogleAdsRestClient,
	GoogleOAuthError,
	OAuthTokenSource,
	composeHooks,
	libraryRestParser,
	normalizeBaseUrl,
	type RestParser,
} from './google-ads-rest';
import { cachedAccountInfo, campaignStateOf, checkBudgetInput, checkStatusInput, digitsCampaignId, refusedChange, zonedTimeToIso } from './campaign-state';
import { decimalField, majorToMicros, microsToMajor } from './money';
import { wallClock } from '../text/dates';
import type { CreateAdInput, CreatedAd } from './ad-publish';
import { googleAdIdentity, googleAdsAdDailyQuery, type AdMetricsResult } from './ad-report';
import { GOOGLE_ADS_AD_PUBLISHING, googleBestAdGroup, googleCreateAd, googleFindAd } from './google-ads-publish';
import {
	parseDay,
	toCallMeta,
	type AccountInfo,
	type AdState,
	type AdStatusResult,
	type AdStatusTarget,
	type CallMeta,
	type CampaignChange,
	type CampaignChangeResult,
	type CampaignChangeTarget,
	type CampaignControl,
	type CampaignInfo,
	type CampaignList,
	type CampaignState,
	type CampaignStates,
	type DailyMetricRow,
	type DailyMetricsQuery,
	type DailyMetricsResult,
	type PlatformAdapter,
} from './types';

export interface GoogleAdsAdapterConfig extends ExecutorOptions {
	clientId: string;
	clientSecret: string;
	developerToken: string;
	refreshToken: string;
	/** Manager (MCC) account id when the customer is reached through one; digits, dashes allowed. */
	loginCustomerId?: string;
	linkedCustomerId?: string;
	/** Google Ads API base URL (default https://googleads.googleapis.com: the library's own path). */
	apiBaseUrl?: string;
	/** OAuth 2.0 token endpoint for the refresh-token grant (default https://oauth2.googleapis.com/token). */
	tokenUrl?: string;
	/** API version in REST paths (default: the library's, `v25`); another version needs a non-default path. */
	apiVersion?: string;
	/**
	 * `rest` (default): every call goes through this package's REST requests
	 * behind the library's hooks, against `apiBaseUrl` with tokens from
	 * `tokenUrl`: the path the tests exercise, and the one that keeps a quota
	 * error's retry delay (the library's own REST parser drops it).
	 * `library`: the library's own transport (REST reports, gRPC mutations,
	 * its own token refresh), only with Google's default endpoints.
	 */
	transport?: 'rest' | 'library';
	/** Timeout of one REST request on the custom-endpoint path (default 120 s). */
	timeoutMs?: number;
	/** Library hooks (logging, caching…); they run before the endpoint routing and may answer a query themselves. */
	hooks?: Hooks;
}

export { GOOGLE_ADS_API_BASE_URL, GOOGLE_OAUTH_TOKEN_URL, GOOGLE_ADS_LIBRARY_API_VERSION } from './google-ads-rest';

export const GOOGLE_ADS_ACCOUNT_QUERY = 'SELECT customer.id, customer.descriptive_name, customer.currency_code, customer.time_zone, customer.status FROM customer LIMIT 1';
export const GOOGLE_ADS_CAMPAIGNS_QUERY =
	"SELECT campaign.id, campaign.name, campaign.status, campaign_budget.amount_micros, campaign_budget.total_amount_micros, customer.currency_code FROM campaign WHERE campaign.status != 'REMOVED'";

/** Campaign state: status, start, budget (amount, period, sharing), customer currency and time zone. */
export const GOOGLE_ADS_CAMPAIGN_STATE_QUERY =
	'SELECT customer.id, customer.currency_code, customer.time_zone, campaign.id, campaign.name, campaign.status, campaign.start_date_time, campaign.campaign_budget, ' +
	"campaign_budget.amount_micros, campaign_budget.period, campaign_budget.explicitly_shared, campaign_budget.reference_count FROM campaign WHERE campaign.status != 'REMOVED'";

/** The most rows a `change_event` query may ask for (Google's LIMIT bound). */
export const GOOGLE_ADS_CHANGE_EVENT_LIMIT = 10_000;

/** `ChangeClientType` → where the change was made, in words. */
const CHANGE_CLIENTS: Record<string, string> = {
	GOOGLE_ADS_WEB_CLIENT: 'Google Ads web interface',
	GOOGLE_ADS_AUTOMATED_RULE: 'a Google Ads automated rule',
	GOOGLE_ADS_SCRIPTS: 'Google Ads scripts',
	GOOGLE_ADS_BULK_UPLOAD: 'a Google Ads bulk upload',
	GOOGLE_ADS_API: 'the Google Ads API',
	GOOGLE_ADS_EDITOR: 'Google Ads Editor',
	GOOGLE_ADS_MOBILE_APP: 'the Google Ads mobile app',
	GOOGLE_ADS_RECOMMENDATIONS: 'Google Ads recommendations (applied)',
	GOOGLE_ADS_RECOMMENDATIONS_SUBSCRIPTION: 'Google Ads recommendations (auto-applied)',
	SEARCH_ADS_360_SYNC: 'Search Ads 360 (sync)',
	SEARCH_ADS_360_POST: 'Search Ads 360',
	INTERNAL_TOOL: 'a Google internal tool',
};

/** An instant → the account's wall clock as GAQL date-time literals take it (`2026-03-02 09:12:07`). */
function gaqlDateTime(ms: number, timeZone: string): string {
	const w = wallClock(timeZone, ms);
	const pad = (n: number) => String(n).padStart(2, '0');
	return `${w.date} ${pad(w.hour % 24)}:${pad(w.minute)}:${pad(w.second)}`;
}

/**
 * The `change_event` query of the campaigns' budget and status changes made
 * in [since, until] (instants, written in the account's time zone, as
 * Google reads them), newest first, at most 10,000 rows.
 */
export function googleAdsChangeEventQuery(sinceMs: number, untilMs: number, timeZone: string): string {
	return (
		'SELECT change_event.resource_name, change_event.change_date_time, change_event.change_resource_type, change_event.change_resource_name, ' +
		'change_event.client_type, change_event.user_email, change_event.old_resource, change_event.new_resource, change_event.changed_fields, ' +
		'change_event.resource_change_operation, change_event.campaign FROM change_event ' +
		`WHERE change_event.change_date_time >= '${gaqlDateTime(sinceMs, timeZone)}' AND change_event.change_date_time <= '${gaqlDateTime(untilMs, timeZone)}' ` +
		"AND change_event.change_resource_type IN ('CAMPAIGN', 'CAMPAIGN_BUDGET') " +
		`ORDER BY change_event.change_date_time DESC LIMIT ${GOOGLE_ADS_CHANGE_EVENT_LIMIT}`
	);
}

/**
 * A `change_event` row (the library's parsed shape: snake_case, enums as
 * numbers, INT64 as numbers; REST names and strings read too) → a budget or
 * status change of a campaign, or null for any other change. Budgets from
 * micros to major units of the account currency (micros are currency-free:
 * 5,000 JPY is 5,000,000,000 micros); `change_date_time` is the account's
 * wall clock. A budget event without a campaign (a shared budget) is left out;
 * one that changes no amount (its name, say) is no change here; one whose new
 * amount is missing while `changed_fields` names `amount_micros` is a budget
 * change with `budgetAfter` null (amount unknown, the change still counts); a
 * campaign's row without a readable `change_date_time` throws (malformed response).
 */
export function googleAdsChangeFromRow(row: Row, accountId: string, timeZone: string): CampaignChange | null {
	const e = row.change_event;
	if (!e) return null;
	const type = enumName(enums.ChangeEventResourceType as unknown as Record<string, string>, e.change_resource_type);
	const campaignId = typeof e.campaign === 'string' ? /\/campaigns\/(\d+)$/.exec(e.campaign)?.[1] : undefined;
	const paths = (() => {
		const f = e.changed_fields as { paths?: unknown } | string | undefined;
		const list = typeof f === 'string' ? f.split(',') : Array.isArray(f?.paths) ? (f.paths as unknown[]).map(String) : [];
		return list.map((p) => p.trim().replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`));
	})();
	if (!campaignId || !(type === 'CAMPAIGN_BUDGET' || (type === 'CAMPAIGN' && paths.includes('status')))) return null;
	const local = typeof e.change_date_time === 'string' ? e.change_date_time : '';
	const whole = zonedTimeToIso(local, timeZone);
	// a budget or status change without its time cannot be placed against the cooldown: the read fails (the run warns) rather than drop it
	if (!whole)
		throw new PlatformApiError({ platform: 'google_ads', accountId, call: 'listCampaignChanges', kind: 'malformed_response', retryable: false, platformMessage: `change_event ${String(e.resource_name ?? '')} of campaign ${campaignId} has no readable change_date_time (${JSON.stringify(e.change_date_time ?? null)})`, hint: 'Google Ads answered a change_event row without its time' });
	const fraction = /\.(\d{1,6})$/.exec(local.trim());
	const at = new Date(Date.parse(whole) + (fraction ? Math.floor(Number(`0.${fraction[1]}`) * 1000) : 0)).toISOString();
	const part = (r: unknown, key: string): Record<string, unknown> => {
		const v = (r as Record<string, unknown> | undefined)?.[key] ?? (r as Record<string, unknown> | undefined)?.[key.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase())];
		return v && typeof v === 'object' ? (v as Record<string, unknown>) : {};
	};
	const clientType = enumName(enums.ChangeClientType as unknown as Record<string, string>, e.client_type);
	const base = {
		platform: 'google_ads' as const,
		accountId,
		campaignId,
		at,
		by: typeof e.user_email === 'string' && e.user_email ? e.user_email : null,
		via: clientType ? (CHANGE_CLIENTS[clientType] ?? null) : null,
		raw: row,
	};
	if (type === 'CAMPAIGN_BUDGET') {
		const money = (r: unknown): number | null => {
			const b = part(r, 'campaign_budget');
			const n = microsToMajor(b.amount_micros ?? b.amountMicros);
			return typeof n === 'number' && Number.isFinite(n) ? n : null;
		};
		const before = money(e.old_resource);
		const after = money(e.new_resource);
		if (after === null && !paths.includes('amount_micros')) return null;
		return { ...base, kind: 'budget', budgetBefore: before, budgetAfter: after, statusBefore: null, statusAfter: null };
	}
	if (type === 'CAMPAIGN' && paths.includes('status')) {
		const status = (r: unknown): string | null => {
			const name = enumName(enums.CampaignStatus as unknown as Record<string, string>, part(r, 'campaign').status);
			return name === 'ENABLED' ? 'ACTIVE' : name;
		};
		return { ...base, kind: 'status', budgetBefore: null, budgetAfter: null, statusBefore: status(e.old_resource), statusAfter: status(e.new_resource) };
	}
	return null;
}

/** An enum value of the library's parsed rows (number) or of REST JSON (name) → its name. */
function enumName(values: Record<string | number, string | number>, value: unknown): string | null {
	if (value === undefined || value === null) return null;
	if (typeof value === 'number') return typeof values[value] === 'string' ? (values[value] as string) : String(value);
	return String(value);
}

export function googleAdsDailyQuery(since: string, until: string): string {
	parseDay(since);
	parseDay(until);
	return (
		'SELECT customer.id, customer.currency_code, customer.time_zone, campaign.id, campaign.name, segments.date, ' +
		'metrics.cost_micros, metrics.impressions, metrics.clicks, metrics.conversions, metrics.conversions_value ' +
		`FROM campaign WHERE segments.date BETWEEN '${since}' AND '${until}'`
	);
}

/** `123-456-7890` → `1234567890`. */
export function googleCustomerId(id: string): string {
	return id.replace(/[\s-]/g, '');
}

/** protobuf Duration (`{seconds, nanos}`, Long seconds, or JSON "1.5s") → ms. */
export function durationToMs(d: unknown): number | undefined {
	if (d === null || d === undefined) return undefined;
	if (typeof d === 'string') {
		const m = /^(\d+(?:\.\d+)?)s$/.exec(d.trim());
		return m ? Math.round(Number(m[1]) * 1000) : undefined;
	}
	if (typeof d === 'object') {
		const o = d as { seconds?: unknown; nanos?: unknown };
		const seconds = Number(o.seconds === undefined || o.seconds === null ? 0 : String(o.seconds));
		const nanos = Number(o.nanos ?? 0);
		if (!Number.isFinite(seconds) || !Number.isFinite(nanos)) return undefined;
		return Math.round(seconds * 1000 + nanos / 1e6);
	}
	return undefined;
}

function pascal(snake: string): string {
	return snake.replace(/(^|_)([a-z])/g, (_m, _p, c: string) => c.toUpperCase());
}

/** `{ quota_error: 2 }` → `['quota_error', 'RESOURCE_EXHAUSTED']` (enum numbers resolved to names). */
export function googleErrorCode(errorCode: unknown): [string, string] | undefined {
	if (!errorCode || typeof errorCode !== 'object') return undefined;
	for (const [key, value] of Object.entries(errorCode as Record<string, unknown>)) {
		if (value === null || value === undefined) continue;
		if (typeof value === 'string') return [key, value];
		if (typeof value === 'number') {
			const name = pascal(key);
			const enumObj = (errors as unknown as Record<string, Record<string, Record<number, string>> | undefined>)[`${name}Enum`]?.[name];
			return [key, enumObj?.[value] ?? String(value)];
		}
	}
	return undefined;
}

interface FailureLike {
	errors?: Array<{ error_code?: unknown; message?: string; details?: { quota_error_details?: { retry_delay?: unknown; rate_name?: string } } }>;
	request_id?: string;
}

/** A quota error asking to wait at most this long is a rate limit, retried (longer: the daily quota, the account stops). */
export const SHORT_QUOTA_DELAY_MS = 60_000;

export function toGoogleAdsError(error: unknown, context: { call: string; accountId?: string }, secrets: readonly string[]): PlatformApiError {
	if (error instanceof PlatformApiError) return error;
	const base = { platform: 'google_ads' as const, accountId: context.accountId, call: context.call, secrets };
	const failure = (error instanceof errors.GoogleAdsFailure ? error : undefined) as FailureLike | undefined;
	if (failure?.errors?.length) {
		const first = failure.errors[0];
		const [category, name] = googleErrorCode(first.error_code) ?? ['unknown', 'UNKNOWN'];
		const code = `${category}.${name}`;
		const message = failure.errors.map((e) => e.message).filter(Boolean).join('; ') || undefined;
		const common = { ...base, code, platformMessage: message, requestId: failure.request_id };
		const customer = context.accountId ? `customer ${context.accountId}` : 'the customer';
		if (category === 'quota_error') {
			const retryAfterMs = durationToMs(first.details?.quota_error_details?.retry_delay);
			// RESOURCE_EXHAUSTED with a short retry delay is Google's rate limit (requests per second): wait and retry like
			// the other platforms' 429; a long delay (the daily operations quota) stops the account until it resets
			const temporary = name === 'RESOURCE_TEMPORARILY_EXHAUSTED' || (retryAfterMs !== undefined && retryAfterMs <= SHORT_QUOTA_DELAY_MS);
			return new PlatformApiError({
				...common,
				kind: 'quota',
				retryable: temporary,
				retryAfterMs,
				hint: temporary
					? 'Google Ads is rate limiting this developer token: retried after the delay it asked for'
					: `the Google Ads API quota of this developer token is used up: this account stops for now; run again after ${retryAfterMs === undefined ? 'the quota resets' : `${Math.ceil(retryAfterMs / 1000)} s`}, or apply for a higher access level`,
			});
		}
		const table: Record<string, [PlatformErrorKind, boolean, string]> = {
			authentication_error:
				name === 'DEVELOPER_TOKEN_INVALID'
					? ['auth', false, 'Google does not know this developer token: copy it from the API Center of the Google Ads manager account into the credential']
					: ['auth', false, 'Google rejected the OAuth credentials: reconnect the Google Ads credential (the refresh token may be revoked or expired)'],
			authorization_error:
				name === 'DEVELOPER_TOKEN_NOT_APPROVED' || name === 'DEVELOPER_TOKEN_PROHIBITED'
					? ['permission', false, 'the developer token is not approved for production accounts: apply for Basic access in the API Center, or use a test account']
					: ['permission', false, `the Google user cannot access ${customer}: give it access, and if the account is under a manager account set the login customer id to the manager's id`],
			request_error: name === 'INVALID_CUSTOMER_ID' ? ['not_found', false, `${customer} is not valid: use the 10-digit customer id (dashes are fine)`] : ['bad_request', false, 'Google Ads rejected the request: check the customer id and the query'],
			customer_error: ['not_found', false, `${customer} is not enabled or was not found: check the customer id`],
			query_error: ['bad_request', false, 'Google Ads rejected the GAQL query: this is a bug in the adapter or an API version change'],
			internal_error: ['server', true, 'Google Ads had an internal error: retried automatically'],
		};
		const [kind, retryable, hint] = table[category] ?? ['bad_request', false, 'Google Ads rejected the request'];
		return new PlatformApiError({ ...common, kind, retryable, hint });
	}
	if (error instanceof GoogleOAuthError) {
		const status = error.httpStatus;
		if (status === undefined) {
			return new PlatformApiError({ ...base, kind: 'network', code: error.code, platformMessage: error.message, retryable: true, hint: 'could not reach the OAuth token endpoint: check the token URL of the Google Ads credential and the network' });
		}
		if (status === 429 || status >= 500) {
			return new PlatformApiError({ ...base, kind: status === 429 ? 'rate_limited' : 'server', httpStatus: status, code: error.oauthError, platformMessage: error.message, retryable: true, hint: 'the OAuth token endpoint failed: retried automatically' });
		}
		const unknownEndpoint = status === 404 || error.oauthError === undefined;
		return new PlatformApiError({
			...base,
			kind: unknownEndpoint ? 'config' : 'auth',
			httpStatus: status,
			code: error.oauthError,
			platformMessage: error.message,
			retryable: false,
			hint: unknownEndpoint
				? 'the token URL of the Google Ads credential did not answer like an OAuth 2.0 token endpoint: check it'
				: error.oauthError === 'invalid_client' || error.oauthError === 'unauthorized_client'
					? 'Google does not accept the OAuth client id/secret: check them in the Google Ads credential'
					: 'Google refused the OAuth refresh token (revoked, expired or issued to another client): reconnect the Google Ads credential',
		});
	}
	const e = error as { message?: string; code?: unknown; response?: { status?: number }; cause?: unknown };
	const message = typeof e?.message === 'string' ? e.message : String(error);
	// A Google error without GoogleAdsFailure details (the library keeps the status object as `cause`).
	const cause = e?.cause as { code?: unknown; status?: unknown; message?: unknown } | undefined;
	const rpcStatus = cause && typeof cause === 'object' && typeof cause.status === 'string' ? cause.status : undefined;
	if (rpcStatus) {
		const httpStatus = typeof cause?.code === 'number' ? cause.code : undefined;
		const table: Record<string, [PlatformErrorKind, boolean, string]> = {
			UNAUTHENTICATED: ['auth', false, 'Google Ads rejected the access token: reconnect the Google Ads credential, and check that its token URL issues tokens for this API'],
			PERMISSION_DENIED: ['permission', false, 'Google Ads denied access: check the account access of the connected Google user and the login customer id'],
			RESOURCE_EXHAUSTED: ['rate_limited', true, 'Google Ads is rate limiting: retried automatically'],
			UNAVAILABLE: ['server', true, 'Google Ads is unavailable: retried automatically'],
			INTERNAL: ['server', true, 'Google Ads had an internal error: retried automatically'],
			DEADLINE_EXCEEDED: ['timeout', true, 'Google Ads did not answer in time: retried automatically'],
			NOT_FOUND: ['not_found', false, 'Google Ads does not know this path: check the API base URL and version of the Google Ads credential'],
		};
		const [kind, retryable, hint] = table[rpcStatus] ?? ['bad_request', false, 'Google Ads rejected the request: see the message'];
		return new PlatformApiError({ ...base, kind, retryable, httpStatus, code: rpcStatus, platformMessage: message, hint });
	}
	if (/invalid_grant|invalid_client|unauthorized_client/i.test(message)) {
		return new PlatformApiError({ ...base, kind: 'auth', retryable: false, platformMessage: message, hint: 'Google refused the OAuth refresh token or client: reconnect the Google Ads credential' });
	}
	const status = error instanceof GoogleAdsHttpError ? error.httpStatus : e?.response?.status;
	if (error instanceof GoogleAdsHttpError && status !== undefined && status < 300) {
		// a success status with a body that is not the expected JSON (cut off, a proxy's page): retried like the other
		// platforms' malformed answers; on a change it means the outcome is unknown (the change may have been made)
		return new PlatformApiError({ ...base, kind: 'malformed_response', httpStatus: status, platformMessage: message, retryable: true, hint: 'Google Ads answered with a body that is not the expected JSON: retried automatically; check the API base URL if it persists' });
	}
	if (typeof status === 'number') {
		const kind: PlatformErrorKind = status === 429 ? 'rate_limited' : status >= 500 ? 'server' : status === 401 ? 'auth' : status === 403 ? 'permission' : status === 404 ? 'not_found' : 'bad_request';
		return new PlatformApiError({
			...base,
			kind,
			httpStatus: status,
			platformMessage: message,
			retryable: status === 429 || status >= 500,
			hint: status === 404 ? 'Google Ads does not know this path: check the API base URL and version of the Google Ads credential' : 'Google Ads returned an HTTP error: see the message',
		});
	}
	const code = typeof e?.code === 'string' ? e.code : undefined;
	const timeout = code === 'ECONNABORTED' || code === 'ETIMEDOUT';
	return new PlatformApiError({
		...base,
		kind: timeout ? 'timeout' : 'network',
		code,
		platformMessage: message,
		retryable: code !== undefined && code !== 'ENOTFOUND',
		hint: timeout ? 'Google Ads did not answer in time: retried automatically' : 'could not reach Google Ads: check the network and the API base URL',
	});
}

type Row = Record<string, Record<string, unknown> | undefined>;

export interface GoogleAdsMutationResult {
	/** Resource names the API reports as changed; empty when `validateOnly`. */
	resourceNames: string[];
	validateOnly: boolean;
}

/** True when the endpoints are exactly the library's own (then the library runs untouched). */
export function usesLibraryEndpoints(config: Pick<GoogleAdsAdapterConfig, 'apiBaseUrl' | 'tokenUrl' | 'apiVersion'>): boolean {
	return (
		normalizeBaseUrl(config.apiBaseUrl || GOOGLE_ADS_API_BASE_URL) === GOOGLE_ADS_API_BASE_URL &&
		normalizeBaseUrl(config.tokenUrl || GOOGLE_OAUTH_TOKEN_URL) === GOOGLE_OAUTH_TOKEN_URL &&
		(config.apiVersion || GOOGLE_ADS_LIBRARY_API_VERSION) === GOOGLE_ADS_LIBRARY_API_VERSION
	);
}

export class GoogleAdsAdapter implements PlatformAdapter, CampaignControl {
	readonly platform = 'google_ads' as const;
	readonly canValidateOnly = true;
	readonly client: GoogleAdsApi;
	readonly executor: CallExecutor;
	/** The REST transport (absent only with `transport: 'library'`). */
	readonly rest?: GoogleAdsRestClient;
	private readonly secrets: string[];
	/** Account currency and time zone, read once per account (the change history reads `change_date_time` in that zone). */
	private readonly accounts = new Map<string, Promise<AccountInfo>>();

	constructor(private readonly config: GoogleAdsAdapterConfig) {
		for (const key of ['clientId', 'clientSecret', 'developerToken', 'refreshToken'] as const) {
			if (!config[key]) throw new TypeError(`Google Ads: ${key} is required`);
		}
		const apiVersion = config.apiVersion || GOOGLE_ADS_LIBRARY_API_VERSION;
		if (!/^v\d+$/.test(apiVersion)) throw new TypeError(`Google Ads: apiVersion must look like v${GOOGLE_ADS_LIBRARY_API_VERSION.slice(1)}, got ${apiVersion}`);
		for (const key of ['apiBaseUrl', 'tokenUrl'] as const) {
			const url = config[key];
			if (url && !/^https?:\/\/[^/\s]+/i.test(url.trim())) throw new TypeError(`Google Ads: ${key} must be an http(s) URL, got ${url}`);
		}
		this.client = new GoogleAdsApi({ client_id: config.clientId, client_secret: config.clientSecret, developer_token: config.developerToken });
		this.executor = new CallExecutor('google_ads', config);
		this.secrets = [config.clientSecret, config.developerToken, config.refreshToken];
		const transport = config.transport ?? 'rest';
		if (transport === 'library' && !usesLibraryEndpoints(config)) {
			throw new TypeError('Google Ads: the library transport only reaches Google\'s own endpoints; use the rest transport with a custom API base URL, token URL or API version');
		}
		if (transport === 'rest') {
			const tokens = new OAuthTokenSource({
				tokenUrl: normalizeBaseUrl(config.tokenUrl || GOOGLE_OAUTH_TOKEN_URL),
				clientId: config.clientId,
				clientSecret: config.clientSecret,
				refreshToken: config.refreshToken,
				...(config.timeoutMs ? { timeoutMs: config.timeoutMs } : {}),
			});
			this.rest = new GoogleAdsRestClient({ apiBaseUrl: config.apiBaseUrl || GOOGLE_ADS_API_BASE_URL, apiVersion, developerToken: config.developerToken, tokens, ...(config.timeoutMs ? { timeoutMs: config.timeoutMs } : {}) });
		}
	}

	/**
	 * A `google-ads-api` Customer for the account. With custom endpoints its
	 * queries and per-service mutations go there (see ./google-ads-rest.ts).
	 */
	customer(accountId: string, observer: { onPages?: (pages: number) => void; signal?: AbortSignal } = {}): Customer {
		const options = {
			customer_id: googleCustomerId(accountId),
			refresh_token: this.config.refreshToken,
			login_customer_id: this.config.loginCustomerId ? googleCustomerId(this.config.loginCustomerId) : undefined,
			linked_customer_id: this.config.linkedCustomerId ? googleCustomerId(this.config.linkedCustomerId) : undefined,
		};
		if (!this.rest) return this.client.Customer(options, this.config.hooks);
		let parser: RestParser | undefined;
		const hooks: Hooks = {};
		const customer = this.client.Customer(options, hooks);
		Object.assign(hooks, composeHooks(this.config.hooks, this.rest.hooks(() => (parser ??= libraryRestParser(customer)), observer)));
		return customer;
	}

	private errorSecrets(): string[] {
		return this.rest ? [...this.secrets, ...this.rest.tokensSeen] : this.secrets;
	}

	private async query(call: string, accountId: string, gaql: string, signal?: AbortSignal, pages?: { count: number }): Promise<Row[]> {
		const id = googleCustomerId(accountId);
		const customer = this.customer(id, { signal, onPages: (n) => pages && (pages.count = n) });
		return this.executor.run({ call, accountId: id, signal }, async () => {
			try {
				const rows: unknown = await customer.query(gaql);
				if (!Array.isArray(rows)) {
					throw new PlatformApiError({ platform: 'google_ads', accountId: id, call, kind: 'malformed_response', retryable: true, platformMessage: `expected a list of rows, got ${typeof rows}`, hint: 'Google Ads answered with an unexpected shape: retried automatically' });
				}
				return rows as Row[];
			} catch (error) {
				throw toGoogleAdsError(error, { call, accountId: id }, this.errorSecrets());
			}
		});
	}

	private async mutation(call: string, accountId: string, validateOnly: boolean, signal: AbortSignal | undefined, run: (customer: Customer, options: { validate_only: boolean }) => Promise<unknown>): Promise<GoogleAdsMutationResult> {
		const id = googleCustomerId(accountId);
		const customer = this.customer(id, { signal });
		// setting a status or an amount is idempotent: retried, and the final error is marked unknown when an attempt may have applied it
		return this.executor.run({ call, accountId: id, signal, sideEffect: 'idempotent' }, async () => {
			try {
				const response = (await run(customer, { validate_only: validateOnly })) as { results?: Array<{ resource_name?: unknown }> } | undefined;
				const resourceNames = (response?.results ?? []).map((r) => r?.resource_name).filter((r): r is string => typeof r === 'string' && r !== '');
				return { resourceNames, validateOnly };
			} catch (error) {
				throw toGoogleAdsError(error, { call, accountId: id }, this.errorSecrets());
			}
		});
	}

	async describeAccount(accountId: string, signal?: AbortSignal): Promise<AccountInfo> {
		const id = googleCustomerId(accountId);
		const [row] = await this.query('describeAccount', id, GOOGLE_ADS_ACCOUNT_QUERY, signal);
		const c = row?.customer ?? {};
		return {
			platform: 'google_ads',
			accountId: id,
			name: typeof c.descriptive_name === 'string' ? c.descriptive_name : null,
			currency: typeof c.currency_code === 'string' ? c.currency_code : null,
			timezone: typeof c.time_zone === 'string' ? c.time_zone : null,
			status: c.status === undefined ? null : String(c.status),
			raw: row ?? null,
		};
	}

	async listCampaigns(accountId: string, signal?: AbortSignal): Promise<CampaignList> {
		const before = { ...this.executor.stats };
		const id = googleCustomerId(accountId);
		const rows = await this.query('listCampaigns', id, GOOGLE_ADS_CAMPAIGNS_QUERY, signal);
		const campaigns: CampaignInfo[] = rows.map((row) => ({
			platform: 'google_ads',
			accountId: id,
			campaignId: row.campaign?.id === undefined ? '' : String(row.campaign.id),
			name: typeof row.campaign?.name === 'string' ? row.campaign.name : null,
			status: row.campaign?.status === undefined ? null : String(row.campaign.status),
			dailyBudget: microsToMajor(row.campaign_budget?.amount_micros),
			lifetimeBudget: microsToMajor(row.campaign_budget?.total_amount_micros),
			currency: typeof row.customer?.currency_code === 'string' ? row.customer.currency_code : null,
			raw: row,
		}));
		return { campaigns, meta: toCallMeta(before, this.executor.stats, 1) };
	}

	/** A row of GOOGLE_ADS_CAMPAIGN_STATE_QUERY → the campaign's state. */
	campaignState(row: Row, accountId: string): CampaignState {
		const c = row.campaign ?? {};
		const b = row.campaign_budget ?? {};
		const customer = row.customer ?? {};
		const currency = typeof customer.currency_code === 'string' ? customer.currency_code : null;
		const timezone = typeof customer.time_zone === 'string' ? customer.time_zone : null;
		const rawStatus = enumName(enums.CampaignStatus as unknown as Record<string, string>, c.status);
		const amount = microsToMajor(b.amount_micros);
		const period = enumName(enums.BudgetPeriod as unknown as Record<string, string>, b.period);
		const references = Number(b.reference_count ?? 0);
		const dailyBudget = typeof amount === 'number' && Number.isFinite(amount) && amount > 0 && (period === null || period === 'DAILY') ? amount : null;
		let note: string | null = null;
		if (typeof c.campaign_budget !== 'string' || c.campaign_budget === '') note = 'the campaign has no campaign budget';
		else if (period !== null && period !== 'DAILY') note = `the budget period is ${period}, not DAILY`;
		else if (dailyBudget === null) note = `the budget amount ${String(b.amount_micros)} micros is not a positive amount`;
		else if (b.explicitly_shared === true || references > 1) note = `shared budget used by ${references > 1 ? `${references} campaigns` : 'several campaigns'}: changing it would move all of them`;
		const name = typeof c.name === 'string' ? c.name : null;
		const campaignId = c.id === undefined ? '' : String(c.id);
		return campaignStateOf({ accountId, currency, timezone }, { platform: 'google_ads', campaignId, name, platformStatus: rawStatus, dailyBudget, budgetNote: note, createdAt: zonedTimeToIso(c.start_date_time, timezone), raw: row });
	}

	async listCampaignStates(accountId: string, signal?: AbortSignal): Promise<CampaignStates> {
		const before = { ...this.executor.stats };
		const id = googleCustomerId(accountId);
		const account = await this.describeAccount(id, signal);
		this.accounts.set(id, Promise.resolve(account));
		const pages = { count: 1 };
		const rows = await this.query('listCampaignStates', id, GOOGLE_ADS_CAMPAIGN_STATE_QUERY, signal, pages);
		return { account, campaigns: rows.map((row) => this.campaignState(row, id)), meta: toCallMeta(before, this.executor.stats, pages.count + 1) };
	}

	/**
	 * Budget and status changes of the account's campaigns since `since`, from
	 * `change_event` (one query; Google keeps 30 days, so `since` must be
	 * within them — the run asks no further back). Newest first; past 10,000
	 * events the oldest are not read.
	 */
	async listCampaignChanges(accountId: string, since: string, signal?: AbortSignal): Promise<CampaignChange[]> {
		const id = googleCustomerId(accountId);
		const sinceMs = Date.parse(since);
		if (!Number.isFinite(sinceMs)) throw new RangeError(`Google Ads: since must be an ISO-8601 instant, got ${since}`);
		const account = await cachedAccountInfo(this.accounts, id, () => this.describeAccount(id, signal));
		if (!account.timezone) throw new PlatformApiError({ platform: 'google_ads', accountId: id, call: 'listCampaignChanges', kind: 'malformed_response', retryable: false, platformMessage: 'customer.time_zone is missing', hint: 'change_event times are in the account time zone, which Google Ads did not give' });
		// the range must be finite: past now on this machine and past any run's now (the run asks at most 30 days back)
		const untilMs = Math.max(Date.now(), sinceMs + 31 * 86_400_000) + 86_400_000;
		const rows = await this.query('listCampaignChanges', id, googleAdsChangeEventQuery(sinceMs, untilMs, account.timezone), signal);
		const out: CampaignChange[] = [];
		for (const row of rows) {
			const change = googleAdsChangeFromRow(row, id, account.timezone);
			if (change && Date.parse(change.at) >= sinceMs) out.push(change);
		}
		return out;
	}

	async getCampaignState(accountId: string, campaignId: string, signal?: AbortSignal): Promise<CampaignState | null> {
		const id = googleCustomerId(accountId);
		const campaign = digitsCampaignId('google_ads', id, 'getCampaignState', campaignId, 'Google Ads');
		const rows = await this.query(`getCampaignState campaign ${campaign}`, id, `${GOOGLE_ADS_CAMPAIGN_STATE_QUERY} AND campaign.id = ${campaign}`, signal);
		return rows.length > 0 ? this.campaignState(rows[0], id) : null;
	}

	/** One ad group ad's state (GAQL `FROM ad_group_ad WHERE ad_group_ad.ad.id = X`); null when the customer has no such ad (or it is removed). */
	async getAdState(accountId: string, adId: string, signal?: AbortSignal): Promise<AdState | null> {
		const id = googleCustomerId(accountId);
		const ad = digitsCampaignId('google_ads', id, 'getAdState', adId, 'Google Ads (ad id)');
		const rows = await this.query(`getAdState ad ${ad}`, id, `SELECT campaign.id, ad_group.id, ad_group_ad.ad.id, ad_group_ad.ad.name, ad_group_ad.status FROM ad_group_ad WHERE ad_group_ad.ad.id = ${ad} AND ad_group_ad.status != 'REMOVED'`, signal);
		const row = rows[0] as { campaign?: { id?: unknown }; ad_group?: { id?: unknown }; ad_group_ad?: { status?: unknown; ad?: { name?: unknown } } } | undefined;
		if (!row) return null;
		const raw = row.ad_group_ad?.status;
		const status = raw === 3 || raw === 'PAUSED' ? 'PAUSED' : raw === 2 || raw === 'ENABLED' ? 'ACTIVE' : String(raw);
		return { platform: 'google_ads', accountId: id, campaignId: row.campaign?.id === undefined ? null : String(row.campaign.id), adGroupId: row.ad_group?.id === undefined ? null : String(row.ad_group.id), adId: ad, name: typeof row.ad_group_ad?.ad?.name === 'string' ? row.ad_group_ad.ad.name : null, status, platformStatus: raw === undefined ? null : String(raw), raw: row };
	}

	/** Pause or enable one ad group ad (AdGroupAdService mutate, `update` of `status`; `ACTIVE` is `ENABLED`). */
	async setAdStatus(input: AdStatusTarget): Promise<AdStatusResult> {
		const id = googleCustomerId(input.accountId);
		const call = `setAdStatus ad ${String(input.adId ?? '').trim()} → ${input.status}`;
		checkStatusInput('google_ads', id, call, input.status, 'pause or enable only');
		const ad = digitsCampaignId('google_ads', id, call, input.adId, 'Google Ads (ad id)');
		const before = { ...this.executor.stats };
		let group = input.adGroupId ? String(input.adGroupId).trim() : '';
		if (!group) {
			const state = await this.getAdState(id, ad, input.signal);
			if (!state?.adGroupId) throw new PlatformApiError({ platform: 'google_ads', accountId: id, call, kind: 'not_found', retryable: false, hint: `ad ${ad} was not found in customer ${id} (or is removed): check the ad id` });
			group = state.adGroupId;
		}
		if (!/^\d+$/.test(group)) throw refusedChange('google_ads', id, call, `ad group id must be digits, got "${group}"`, 'pass the ad group id shown in Google Ads');
		const validateOnly = input.validateOnly === true;
		const status = enums.AdGroupAdStatus[input.status === 'ACTIVE' ? 'ENABLED' : 'PAUSED'];
		const result = await this.mutation(call, id, validateOnly, input.signal, (customer, options) => customer.adGroupAds.update([{ resource_name: `customers/${id}/adGroupAds/${group}~${ad}`, status }], options));
		return { platform: 'google_ads', accountId: id, adId: ad, call: 'setAdStatus', request: { status: input.status }, validateOnly, response: result, meta: toCallMeta(before, this.executor.stats, 1) };
	}

	/** Pause or enable a campaign (`ACTIVE` is Google's `ENABLED`). */
	async setStatus(input: CampaignChangeTarget & { status: 'ACTIVE' | 'PAUSED' }): Promise<CampaignChangeResult> {
		const id = googleCustomerId(input.accountId);
		checkStatusInput('google_ads', id, `setStatus campaign ${input.campaignId}`, input.status, 'pause or enable only');
		const call = `setStatus campaign ${String(input.campaignId ?? '').trim()} → ${input.status}`;
		const campaign = digitsCampaignId('google_ads', id, call, input.campaignId, 'Google Ads');
		const before = { ...this.executor.stats };
		const validateOnly = input.validateOnly === true;
		const status = enums.CampaignStatus[input.status === 'ACTIVE' ? 'ENABLED' : 'PAUSED'];
		const result = await this.mutation(call, id, validateOnly, input.signal, (customer, options) => customer.campaigns.update([{ resource_name: `customers/${id}/campaigns/${campaign}`, status }], options));
		return { platform: 'google_ads', accountId: id, campaignId: campaign, call: 'setStatus', request: { status: input.status }, validateOnly, response: result, meta: toCallMeta(before, this.executor.stats, 1) };
	}

	/**
	 * Set the campaign's daily budget through its `campaign_budget` resource.
	 * Reads the campaign first (budget resource, period, sharing, currency) and
	 * refuses a shared or non-daily budget, or a currency other than the account's.
	 */
	async setDailyBudget(input: CampaignChangeTarget & { dailyBudget: number; currency: string }): Promise<CampaignChangeResult> {
		const id = googleCustomerId(input.accountId);
		const call = `setDailyBudget campaign ${input.campaignId}`;
		const before = { ...this.executor.stats };
		const state = await this.getCampaignState(id, input.campaignId, input.signal);
		if (!state) throw new PlatformApiError({ platform: 'google_ads', accountId: id, call, kind: 'not_found', retryable: false, hint: `campaign ${input.campaignId} was not found in customer ${id} (or is removed): check the campaign id` });
		checkBudgetInput('google_ads', id, call, input.dailyBudget, input.currency, state.currency);
		if (!state.budgetEditable) throw refusedChange('google_ads', id, call, state.budgetNote ?? 'the budget cannot be changed here', 'change it in Google Ads, or give the campaign its own daily budget');
		const budget = (state.raw as Row).campaign?.campaign_budget as string;
		const micros = majorToMicros(input.dailyBudget);
		// amount_micros travels as a JS number: beyond 2^53 it would no longer be the amount asked for
		if (micros > BigInt(Number.MAX_SAFE_INTEGER)) throw refusedChange('google_ads', id, call, `${input.dailyBudget} ${input.currency} is too large for a daily budget in micros`, 'check the planned budget (at most 9,007,199,254 in major units)');
		const validateOnly = input.validateOnly === true;
		const result = await this.mutation(call, id, validateOnly, input.signal, (customer, options) => customer.campaignBudgets.update([{ resource_name: budget, amount_micros: Number(micros) }], options));
		return {
			platform: 'google_ads',
			accountId: id,
			campaignId: input.campaignId,
			call: 'setDailyBudget',
			request: { dailyBudget: input.dailyBudget, currency: input.currency, platformAmount: `${micros} micros` },
			validateOnly,
			response: { ...result, budgetResourceName: budget },
			meta: toCallMeta(before, this.executor.stats, 2),
		};
	}

	mapRow(row: Row, account: AccountInfo): DailyMetricRow {
		const m = row.metrics ?? {};
		return {
			platform: 'google_ads',
			accountId: account.accountId,
			campaignId: row.campaign?.id === undefined ? '' : String(row.campaign.id),
			campaignName: typeof row.campaign?.name === 'string' ? row.campaign.name : null,
			date: typeof row.segments?.date === 'string' ? row.segments.date : '',
			currency: typeof row.customer?.currency_code === 'string' ? row.customer.currency_code : account.currency,
			// absent metrics are zero in Google Ads responses (proto3 default values are omitted)
			spend: microsToMajor(m.cost_micros ?? 0),
			impressions: decimalField(m.impressions ?? 0),
			clicks: decimalField(m.clicks ?? 0),
			conversions: decimalField(m.conversions ?? 0),
			revenue: decimalField(m.conversions_value ?? 0),
			leads: null,
			raw: row,
		};
	}

	/** A daily GAQL report of one account, each row mapped by `map`. */
	private async dailyReport<R>(query: DailyMetricsQuery, call: string, gaql: string, map: (row: Row, account: AccountInfo) => R): Promise<{ rows: R[]; account: AccountInfo; meta: CallMeta; warnings: string[] }> {
		const before = { ...this.executor.stats };
		const account = await this.describeAccount(query.accountId, query.signal);
		const pages = { count: 1 };
		const rows = await this.query(call, account.accountId, gaql, query.signal, pages);
		return { rows: rows.map((r) => map(r, account)), account, meta: toCallMeta(before, this.executor.stats, pages.count), warnings: [] };
	}

	async fetchDailyMetrics(query: DailyMetricsQuery): Promise<DailyMetricsResult> {
		return this.dailyReport(query, 'fetchDailyMetrics', googleAdsDailyQuery(query.since, query.until), (r, account) => this.mapRow(r, account));
	}

	/** Daily metrics per ad (issue 20, ./ad-report.ts): GAQL `FROM ad_group_ad` by day, each row the campaign row plus its ad group and ad. */
	async fetchAdDailyMetrics(query: DailyMetricsQuery): Promise<AdMetricsResult> {
		return this.dailyReport(query, 'fetchAdDailyMetrics', googleAdsAdDailyQuery(query.since, query.until), (r, account) => ({ ...this.mapRow(r, account), ...googleAdIdentity(r) }));
	}

	/**
	 * The customers the OAuth user reaches directly (`customers:listAccessibleCustomers`), each described
	 * (name, currency, time zone), for the account pickers; at most `limit` are described. Google lists
	 * customers the credential cannot read (a cancelled one: CUSTOMER_NOT_ENABLED; one outside the login
	 * customer's tree: USER_PERMISSION_DENIED): those are left out of the list; when no customer can be
	 * read, the first refusal is thrown.
	 */
	async listAdAccounts(signal?: AbortSignal, limit = 50): Promise<AccountInfo[]> {
		const call = 'listAccessibleCustomers';
		const ids = await this.executor.run({ call, accountId: '', signal }, async () => {
			try {
				if (this.rest) return await this.rest.listAccessibleCustomers(signal);
				const response = await this.client.listAccessibleCustomers(this.config.refreshToken);
				return (response.resource_names ?? []).map((n) => String(n).replace(/^customers\//, ''));
			} catch (error) {
				throw toGoogleAdsError(error, { call }, this.errorSecrets());
			}
		});
		const out: AccountInfo[] = [];
		let refused: PlatformApiError | null = null;
		for (const id of ids.slice(0, limit)) {
			try {
				out.push(await this.describeAccount(id, signal));
			} catch (error) {
				if (!(error instanceof PlatformApiError && (error.kind === 'permission' || error.kind === 'not_found'))) throw error;
				refused ??= error;
			}
		}
		if (out.length === 0 && refused) throw refused;
		return out;
	}

	/** How this platform publishes ads (issue 20): creative/publish.ts reads it. */
	readonly adPublishing = GOOGLE_ADS_AD_PUBLISHING;

	/** Publishes one responsive search ad from approved copy (issue 20, ./ad-publish.ts); `validateOnly` checks it without creating it. */
	createAd(input: CreateAdInput): Promise<CreatedAd> {
		return googleCreateAd({ customer: (id, o) => this.customer(id, o ?? {}), executor: this.executor, toError: (e, c) => toGoogleAdsError(e, c, this.errorSecrets()) }, input);
	}

	/** The ad `createAd` made for `input`, found by its tag (else its final URL and text) among the ad group's ads; null when there is none. */
	findAd(input: CreateAdInput): Promise<CreatedAd | null> {
		return googleFindAd({ customer: (id, o) => this.customer(id, o ?? {}), executor: this.executor, toError: (e, c) => toGoogleAdsError(e, c, this.errorSecrets()) }, input);
	}

	/** The campaign's best enabled ad group: most conversions, then most clicks, over the last 30 days. */
	defaultParent(input: { accountId: string; campaignId: string; signal?: AbortSignal }): Promise<{ id: string; why: string } | null> {
		return googleBestAdGroup({ customer: (id, o) => this.customer(id, o ?? {}), executor: this.executor, toError: (e, c) => toGoogleAdsError(e, c, this.errorSecrets()) }, input);
	}
}
