/**
 * Meta (Facebook/Instagram) Marketing API adapter, over the Graph API.
 *
 * - Insights: `GET /{version}/act_{id}/insights` with `level=campaign`,
 *   `time_increment=1`, `time_range`, `fields`, `limit`, following
 *   `paging.next` until it is absent.
 * - `actions` / `action_values` → conversions, revenue, leads by configurable
 *   action types. Meta reports overlapping types (`omni_purchase` contains
 *   `purchase`, which contains `offsite_conversion.fb_pixel_purchase`), so by
 *   default the *first* type of the priority list present in a row is taken
 *   (no double counting); `actionTypeMode: 'sum'` adds disjoint custom types.
 * - Budgets are in Meta's minor units (offset table in currency.ts); insights
 *   `spend` is a decimal string in major units.
 * - `appsecret_proof` = HMAC-SHA256(access token, app secret) on every call
 *   when an app secret is set.
 * - Usage headers slow requests down before Meta throttles (resilience/meta-usage).
 */
import { createHmac } from 'node:crypto';
import { type UsageThrottleOptions, parseMetaUsage, usageDelayMs } from '../resilience/meta-usage';
import type { CallContext } from '../resilience/executor';
import { PlatformApiError } from '../resilience/errors';
import { HttpTransport, type HttpOptions, type InterpretedError } from './http';
import { decimalField, scaledToMajor, type NumericField } from './money';
import { metaMinorUnitDigits } from './currency';
import { parseDay, toCallMeta, type AccountInfo, type CampaignInfo, type CampaignList, type DailyMetricRow, type DailyMetricsQuery, type DailyMetricsResult, type PlatformAdapter } from './types';

export const META_DEFAULT_BASE_URL = 'https://graph.facebook.com';
export const META_DEFAULT_API_VERSION = 'v23.0';
export const META_DEFAULT_PURCHASE_ACTION_TYPES = ['omni_purchase', 'purchase', 'offsite_conversion.fb_pixel_purchase'] as const;
export const META_DEFAULT_LEAD_ACTION_TYPES = ['lead', 'onsite_conversion.lead_grouped', 'offsite_conversion.fb_pixel_lead'] as const;

export const META_INSIGHTS_FIELDS = [
	'account_id',
	'account_currency',
	'campaign_id',
	'campaign_name',
	'date_start',
	'date_stop',
	'spend',
	'impressions',
	'clicks',
	'actions',
	'action_values',
] as const;

export interface MetaAdapterConfig extends HttpOptions {
	accessToken: string;
	/** When set, every request carries `appsecret_proof`. */
	appSecret?: string;
	/** Graph API version, pinned (default v23.0). */
	apiVersion?: string;
	/** Priority list of purchase action types (conversions and revenue). */
	purchaseActionTypes?: readonly string[];
	/** Priority list of lead action types. */
	leadActionTypes?: readonly string[];
	/** `first` (default): the first listed type present; `sum`: add all listed types (only for disjoint types). */
	actionTypeMode?: 'first' | 'sum';
	/** Rows per insights page (default 500). */
	pageSize?: number;
	usageThrottle?: UsageThrottleOptions;
}

interface MetaAction {
	action_type?: string;
	value?: unknown;
}

export interface MetaInsightsRow {
	account_id?: string;
	account_currency?: string;
	campaign_id?: string;
	campaign_name?: string;
	date_start?: string;
	date_stop?: string;
	spend?: unknown;
	impressions?: unknown;
	clicks?: unknown;
	actions?: MetaAction[];
	action_values?: MetaAction[];
	[key: string]: unknown;
}

interface MetaPage<T> {
	data?: T[];
	paging?: { next?: string; cursors?: { before?: string; after?: string } };
}

/** `act_123` or `123` → `123`. */
export function metaAccountDigits(accountId: string): string {
	return accountId.trim().replace(/^act_/, '');
}

export function appSecretProof(accessToken: string, appSecret: string): string {
	return createHmac('sha256', appSecret).update(accessToken).digest('hex');
}

/** Pick action counts/values by type list: first present type, or the sum of all listed. */
export function pickActions(actions: unknown, types: readonly string[], mode: 'first' | 'sum'): NumericField {
	if (actions === undefined || actions === null) return 0; // Meta omits `actions` when nothing happened
	if (!Array.isArray(actions)) return actions as NumericField;
	const byType = new Map<string, unknown>();
	for (const a of actions as MetaAction[]) if (a && typeof a.action_type === 'string') byType.set(a.action_type, a.value);
	if (mode === 'first') {
		for (const type of types) if (byType.has(type)) return decimalField(byType.get(type));
		return 0;
	}
	let total: NumericField = 0;
	for (const type of types) {
		if (!byType.has(type)) continue;
		const v = decimalField(byType.get(type));
		if (typeof v !== 'number') return v;
		total = (total as number) + v;
	}
	return total;
}

const THROTTLE_CODES = new Set([4, 17, 32, 613]);

export function interpretMetaError(status: number, body: unknown, headers: Record<string, unknown>, context: CallContext, apiVersion: string): InterpretedError {
	const error = body && typeof body === 'object' ? (body as { error?: Record<string, unknown> }).error : undefined;
	if (!error || typeof error !== 'object') return {};
	const code = typeof error.code === 'number' ? error.code : Number(error.code);
	const subcode = error.error_subcode as number | undefined;
	const message = [error.message, error.error_user_msg].filter((m) => typeof m === 'string' && m).join(' — ') || undefined;
	const out: InterpretedError = { code: Number.isFinite(code) ? code : undefined, subcode, message, requestId: typeof error.fbtrace_id === 'string' ? error.fbtrace_id : undefined };
	const account = context.accountId ? `act_${metaAccountDigits(context.accountId)}` : 'the ad account';
	if (code === 190 || code === 102) {
		return { ...out, kind: 'auth', retryable: false, hint: 'the access token expired or was revoked: generate a new one (a System User token does not expire) and update the credential' };
	}
	if (code === 10 || (code >= 200 && code <= 299)) {
		return { ...out, kind: 'permission', retryable: false, hint: `the token has no access to ${account}: grant ads_read (and ads_management to change budgets) and assign the ad account to the user or System User` };
	}
	if (code === 100 && subcode === 33) {
		return { ...out, kind: 'not_found', retryable: false, hint: `${account} does not exist or this token cannot see it: check the ad account id (the number after act_ in Ads Manager)` };
	}
	if (code === 2635 || code === 12) {
		return { ...out, kind: 'bad_request', retryable: false, hint: `Graph API ${apiVersion} is deprecated or unavailable: set a newer Graph API version in the credential` };
	}
	if (THROTTLE_CODES.has(code) || (code >= 80000 && code <= 80014)) {
		const regain = parseMetaUsage(headers)?.regainAccessMs;
		return { ...out, kind: 'rate_limited', retryable: true, retryAfterMs: regain && regain > 0 ? regain : undefined, hint: 'Meta is throttling this app/ad account: requests slow down automatically; if it persists, ingest fewer accounts per run or less often' };
	}
	if (code === 1 || code === 2 || error.is_transient === true) {
		return { ...out, kind: 'server', retryable: true, hint: 'Meta reported a temporary error: retried automatically' };
	}
	if (code === 100) {
		return { ...out, kind: 'bad_request', retryable: false, hint: 'Meta rejected a parameter: check the account id, fields and action types' };
	}
	return status >= 500 ? { ...out, retryable: true } : out;
}

export class MetaAdsAdapter implements PlatformAdapter {
	readonly platform = 'meta' as const;
	readonly http: HttpTransport;
	readonly apiVersion: string;
	private readonly purchaseTypes: readonly string[];
	private readonly leadTypes: readonly string[];
	private readonly mode: 'first' | 'sum';
	private readonly proof?: string;

	constructor(private readonly config: MetaAdapterConfig) {
		if (!config.accessToken) throw new TypeError('Meta: accessToken is required');
		this.apiVersion = config.apiVersion || META_DEFAULT_API_VERSION;
		if (!/^v\d+\.\d+$/.test(this.apiVersion)) throw new TypeError(`Meta: apiVersion must look like v23.0, got ${this.apiVersion}`);
		this.purchaseTypes = config.purchaseActionTypes ?? META_DEFAULT_PURCHASE_ACTION_TYPES;
		this.leadTypes = config.leadActionTypes ?? META_DEFAULT_LEAD_ACTION_TYPES;
		this.mode = config.actionTypeMode ?? 'first';
		this.proof = config.appSecret ? appSecretProof(config.accessToken, config.appSecret) : undefined;
		const secrets = [config.accessToken, config.appSecret ?? '', this.proof ?? ''].filter(Boolean);
		let http: HttpTransport | undefined = undefined;
		this.http = http = new HttpTransport(
			'meta',
			{ ...config, defaultBaseUrl: META_DEFAULT_BASE_URL },
			(status, body, headers, context) => interpretMetaError(status, body, headers, context, this.apiVersion),
			() => secrets,
			(headers) => http?.executor.gate.delay(usageDelayMs(parseMetaUsage(headers), config.usageThrottle)),
		);
	}

	private authParams(): Record<string, string> {
		return this.proof ? { access_token: this.config.accessToken, appsecret_proof: this.proof } : { access_token: this.config.accessToken };
	}

	private async get<T extends object>(context: CallContext, path: string, params: Record<string, string | number>): Promise<T> {
		const { data } = await this.http.request<T>(context, { method: 'GET', url: path, params: { ...params, ...this.authParams() } });
		return data;
	}

	/** Follow `paging.next` (kept on the configured base URL; our token replaces the one in the link). */
	private async *pages<T>(context: CallContext, path: string, params: Record<string, string | number>): AsyncGenerator<MetaPage<T>> {
		let page = await this.get<MetaPage<T>>(context, path, params);
		yield page;
		const seen = new Set<string>();
		while (page.paging?.next) {
			const next = new URL(page.paging.next);
			next.searchParams.delete('access_token');
			next.searchParams.delete('appsecret_proof');
			const key = next.pathname + next.search;
			if (seen.has(key)) {
				throw new PlatformApiError({ platform: 'meta', accountId: context.accountId, call: context.call, kind: 'malformed_response', retryable: false, platformMessage: 'the same paging.next link came back twice', hint: 'Meta paging looped: run again; if it persists, fetch a shorter window' });
			}
			seen.add(key);
			const nextParams: Record<string, string> = {};
			next.searchParams.forEach((v, k) => (nextParams[k] = v));
			page = await this.get<MetaPage<T>>(context, next.pathname, nextParams);
			yield page;
		}
	}

	async describeAccount(accountId: string, signal?: AbortSignal): Promise<AccountInfo> {
		const id = metaAccountDigits(accountId);
		const raw = await this.get<Record<string, unknown>>({ call: 'describeAccount', accountId: id, signal }, `/${this.apiVersion}/act_${id}`, {
			fields: 'id,account_id,name,currency,timezone_name,account_status',
		});
		return {
			platform: 'meta',
			accountId: id,
			name: typeof raw.name === 'string' ? raw.name : null,
			currency: typeof raw.currency === 'string' ? raw.currency : null,
			timezone: typeof raw.timezone_name === 'string' ? raw.timezone_name : null,
			status: raw.account_status === undefined ? null : String(raw.account_status),
			raw,
		};
	}

	async listCampaigns(accountId: string, signal?: AbortSignal): Promise<CampaignList> {
		const before = { ...this.http.executor.stats };
		const account = await this.describeAccount(accountId, signal);
		const digits = account.currency ? metaMinorUnitDigits(account.currency) : undefined;
		const budget = (v: unknown): NumericField => (v === undefined || v === null || v === '' ? null : digits === undefined ? (v as NumericField) : scaledToMajor(v, digits));
		const campaigns: CampaignInfo[] = [];
		let pages = 0;
		const context = { call: 'listCampaigns', accountId: account.accountId, signal };
		for await (const page of this.pages<Record<string, unknown>>(context, `/${this.apiVersion}/act_${account.accountId}/campaigns`, {
			fields: 'id,name,status,effective_status,daily_budget,lifetime_budget',
			limit: this.config.pageSize ?? 500,
		})) {
			pages += 1;
			for (const c of page.data ?? []) {
				campaigns.push({
					platform: 'meta',
					accountId: account.accountId,
					campaignId: String(c.id ?? ''),
					name: typeof c.name === 'string' ? c.name : null,
					status: typeof c.effective_status === 'string' ? c.effective_status : typeof c.status === 'string' ? c.status : null,
					dailyBudget: budget(c.daily_budget),
					lifetimeBudget: budget(c.lifetime_budget),
					currency: account.currency,
					raw: c,
				});
			}
		}
		return { campaigns, meta: toCallMeta(before, this.http.executor.stats, pages) };
	}

	mapInsightsRow(row: MetaInsightsRow, account: AccountInfo): DailyMetricRow {
		return {
			platform: 'meta',
			accountId: account.accountId,
			campaignId: row.campaign_id === undefined ? '' : String(row.campaign_id),
			campaignName: typeof row.campaign_name === 'string' ? row.campaign_name : null,
			date: typeof row.date_start === 'string' ? row.date_start : '',
			currency: typeof row.account_currency === 'string' ? row.account_currency : account.currency,
			spend: decimalField(row.spend),
			impressions: decimalField(row.impressions),
			clicks: decimalField(row.clicks),
			conversions: pickActions(row.actions, this.purchaseTypes, this.mode),
			revenue: pickActions(row.action_values, this.purchaseTypes, this.mode),
			leads: pickActions(row.actions, this.leadTypes, this.mode),
			raw: row,
		};
	}

	async fetchDailyMetrics(query: DailyMetricsQuery): Promise<DailyMetricsResult> {
		parseDay(query.since);
		parseDay(query.until);
		const before = { ...this.http.executor.stats };
		const account = await this.describeAccount(query.accountId, query.signal);
		const rows: DailyMetricRow[] = [];
		const warnings: string[] = [];
		let pages = 0;
		const context = { call: 'fetchDailyMetrics', accountId: account.accountId, signal: query.signal };
		for await (const page of this.pages<MetaInsightsRow>(context, `/${this.apiVersion}/act_${account.accountId}/insights`, {
			level: 'campaign',
			time_increment: 1,
			time_range: JSON.stringify({ since: query.since, until: query.until }),
			fields: META_INSIGHTS_FIELDS.join(','),
			limit: this.config.pageSize ?? 500,
		})) {
			pages += 1;
			if (page.data !== undefined && !Array.isArray(page.data)) {
				warnings.push(`page ${pages}: "data" is not a list; skipped`);
				continue;
			}
			for (const row of page.data ?? []) rows.push(this.mapInsightsRow(row, account));
		}
		return { rows, account, meta: toCallMeta(before, this.http.executor.stats, pages), warnings };
	}
}
