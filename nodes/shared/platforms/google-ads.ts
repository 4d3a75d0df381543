/**
 * Google Ads adapter over `google-ads-api` (GAQL through the library's REST
 * searchStream path, `customer.query`).
 *
 * - `metrics.cost_micros` → spend exactly (money.microsToMajor), fractional
 *   `metrics.conversions` kept, `metrics.conversions_value` → revenue;
 *   `segments.date` is already in the account time zone (`customer.time_zone`).
 *   Leads are not a Google Ads metric: null.
 * - Hooks are injectable: the sandbox simulates Google Ads with
 *   `onQueryStart` + `cancel(rows)` (rows in the library's parsed shape:
 *   snake_case keys, INT64 as numbers) and can throw a `GoogleAdsFailure`
 *   from the hook to simulate errors. The real client runs either way.
 * - Errors: `GoogleAdsFailure` → PlatformApiError; quota errors (`quota_error`
 *   RESOURCE_EXHAUSTED / RESOURCE_TEMPORARILY_EXHAUSTED) carry the
 *   `quota_error_details.retry_delay` as `retryAfterMs`, kind `quota`;
 *   RESOURCE_EXHAUSTED is not retried (the account stops cleanly).
 */
import { GoogleAdsApi, errors, type Customer, type Hooks } from 'google-ads-api';
import { CallExecutor, type ExecutorOptions } from '../resilience/executor';
import { PlatformApiError, type PlatformErrorKind } from '../resilience/errors';
import { decimalField, microsToMajor } from './money';
import { parseDay, toCallMeta, type AccountInfo, type CampaignInfo, type CampaignList, type DailyMetricRow, type DailyMetricsQuery, type DailyMetricsResult, type PlatformAdapter } from './types';

export interface GoogleAdsAdapterConfig extends ExecutorOptions {
	clientId: string;
	clientSecret: string;
	developerToken: string;
	refreshToken: string;
	/** Manager (MCC) account id when the customer is reached through one; digits, dashes allowed. */
	loginCustomerId?: string;
	linkedCustomerId?: string;
	/** Library hooks (the sandbox's onQueryStart, logging…). */
	hooks?: Hooks;
}

export const GOOGLE_ADS_ACCOUNT_QUERY = 'SELECT customer.id, customer.descriptive_name, customer.currency_code, customer.time_zone, customer.status FROM customer LIMIT 1';
export const GOOGLE_ADS_CAMPAIGNS_QUERY =
	"SELECT campaign.id, campaign.name, campaign.status, campaign_budget.amount_micros, campaign_budget.total_amount_micros, customer.currency_code FROM campaign WHERE campaign.status != 'REMOVED'";

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
			const temporary = name === 'RESOURCE_TEMPORARILY_EXHAUSTED';
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
			authentication_error: ['auth', false, 'Google rejected the OAuth credentials: reconnect the Google Ads credential (the refresh token may be revoked or expired)'],
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
	const e = error as { message?: string; code?: unknown; response?: { status?: number } };
	const message = typeof e?.message === 'string' ? e.message : String(error);
	if (/invalid_grant|invalid_client|unauthorized_client/i.test(message)) {
		return new PlatformApiError({ ...base, kind: 'auth', retryable: false, platformMessage: message, hint: 'Google refused the OAuth refresh token or client: reconnect the Google Ads credential' });
	}
	const status = e?.response?.status;
	if (typeof status === 'number') {
		const kind: PlatformErrorKind = status === 429 ? 'rate_limited' : status >= 500 ? 'server' : status === 401 ? 'auth' : status === 403 ? 'permission' : 'bad_request';
		return new PlatformApiError({ ...base, kind, httpStatus: status, platformMessage: message, retryable: status === 429 || status >= 500, hint: 'Google Ads returned an HTTP error: see the message' });
	}
	const code = typeof e?.code === 'string' ? e.code : undefined;
	const timeout = code === 'ECONNABORTED' || code === 'ETIMEDOUT';
	return new PlatformApiError({
		...base,
		kind: timeout ? 'timeout' : 'network',
		code,
		platformMessage: message,
		retryable: code !== undefined && code !== 'ENOTFOUND',
		hint: timeout ? 'Google Ads did not answer in time: retried automatically' : 'could not reach Google Ads: check the network',
	});
}

type Row = Record<string, Record<string, unknown> | undefined>;

export class GoogleAdsAdapter implements PlatformAdapter {
	readonly platform = 'google_ads' as const;
	readonly client: GoogleAdsApi;
	readonly executor: CallExecutor;
	private readonly secrets: string[];

	constructor(private readonly config: GoogleAdsAdapterConfig) {
		for (const key of ['clientId', 'clientSecret', 'developerToken', 'refreshToken'] as const) {
			if (!config[key]) throw new TypeError(`Google Ads: ${key} is required`);
		}
		this.client = new GoogleAdsApi({ client_id: config.clientId, client_secret: config.clientSecret, developer_token: config.developerToken });
		this.executor = new CallExecutor('google_ads', config);
		this.secrets = [config.clientSecret, config.developerToken, config.refreshToken];
	}

	customer(accountId: string): Customer {
		return this.client.Customer(
			{
				customer_id: googleCustomerId(accountId),
				refresh_token: this.config.refreshToken,
				login_customer_id: this.config.loginCustomerId ? googleCustomerId(this.config.loginCustomerId) : undefined,
				linked_customer_id: this.config.linkedCustomerId ? googleCustomerId(this.config.linkedCustomerId) : undefined,
			},
			this.config.hooks,
		);
	}

	private async query(call: string, accountId: string, gaql: string, signal?: AbortSignal): Promise<Row[]> {
		const id = googleCustomerId(accountId);
		const customer = this.customer(id);
		return this.executor.run({ call, accountId: id, signal }, async () => {
			try {
				const rows: unknown = await customer.query(gaql);
				if (!Array.isArray(rows)) {
					throw new PlatformApiError({ platform: 'google_ads', accountId: id, call, kind: 'malformed_response', retryable: true, platformMessage: `expected a list of rows, got ${typeof rows}`, hint: 'Google Ads answered with an unexpected shape: retried automatically' });
				}
				return rows as Row[];
			} catch (error) {
				throw toGoogleAdsError(error, { call, accountId: id }, this.secrets);
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

	async fetchDailyMetrics(query: DailyMetricsQuery): Promise<DailyMetricsResult> {
		const before = { ...this.executor.stats };
		const gaql = googleAdsDailyQuery(query.since, query.until);
		const account = await this.describeAccount(query.accountId, query.signal);
		const rows = await this.query('fetchDailyMetrics', account.accountId, gaql, query.signal);
		return { rows: rows.map((r) => this.mapRow(r, account)), account, meta: toCallMeta(before, this.executor.stats, 1), warnings: [] };
	}
}
