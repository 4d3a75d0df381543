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
 * - Campaign control (`CampaignControl`): state from `GET act_{id}/campaigns`
 *   and `GET /{campaign-id}` (configured `status`, `daily_budget` in minor
 *   units, `created_time`); changes as `POST /{campaign-id}` with a form body
 *   (`status`, `daily_budget`), the token in the body, and
 *   `execution_options=["validate_only"]` for a check without a change.
 */
import { createHmac } from 'node:crypto';
import { type UsageThrottleOptions, parseMetaUsage, usageDelayMs } from '../resilience/meta-usage';
import type { CallContext } from '../resilience/call-policy';
import { PlatformApiError } from '../resilience/errors';
import { HttpTransport, type ErrorInterpreter, type HttpOptions, type InterpretedError } from './http';
import { decimalField, majorToScaled, scaledToMajor, type NumericField } from './money';
import { metaMinorUnitDigits } from './currency';
import { cachedAccountInfo, campaignStateOf, checkBudgetInput, checkStatusInput, digitsCampaignId, instantToIso, pagedCampaignStates, refusedChange } from './campaign-state';
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
import { pinnedApiVersion } from './registry';
import type { CreateAdInput, CreatedAd } from './ad-publish';
import { META_AD_FIELDS, metaAdIdentity, type AdMetricsResult } from './ad-report';
import { META_AD_PUBLISHING, metaCreateAd, metaFindAd, metaFirstAdSet } from './meta-publish';

export const META_DEFAULT_BASE_URL = 'https://graph.facebook.com';
export const META_DEFAULT_API_VERSION = pinnedApiVersion('meta');
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

/** One page of a Graph API listing. */
export interface MetaPage<T> {
	data?: T[];
	paging?: { next?: string; cursors?: { before?: string; after?: string } };
}

export interface MetaPagesOptions {
	/** The transport's base URL: a `paging.next` link's path is kept on it (its own base path taken off). */
	baseUrl: string;
	/** Hint of the error when Meta hands back a `paging.next` link it already gave. */
	loopHint: string;
	/** Stop after this many pages (default: until `paging.next` is absent). */
	maxPages?: number;
}

/**
 * Pages of a Graph API listing: `fetchPage(path, params)` for the first,
 * then `paging.next` until it is absent (or `maxPages`). The link is absolute
 * on Meta's host: its path and query are fetched on the configured base URL,
 * without the link's `access_token` / `appsecret_proof` (`fetchPage` adds
 * ours). A link that comes back twice is a `malformed_response`, not a loop.
 */
export async function* metaPages<P extends { paging?: { next?: string } }>(
	fetchPage: (path: string, params: Record<string, string | number>) => Promise<P>,
	context: CallContext,
	path: string,
	params: Record<string, string | number>,
	options: MetaPagesOptions,
): AsyncGenerator<P> {
	const maxPages = options.maxPages ?? Number.POSITIVE_INFINITY;
	let page = await fetchPage(path, params);
	yield page;
	const seen = new Set<string>();
	for (let n = 1; page.paging?.next && n < maxPages; n++) {
		const next = new URL(page.paging.next);
		next.searchParams.delete('access_token');
		next.searchParams.delete('appsecret_proof');
		const key = next.pathname + next.search;
		if (seen.has(key)) {
			throw new PlatformApiError({ platform: 'meta', accountId: context.accountId, call: context.call, kind: 'malformed_response', retryable: false, platformMessage: 'the same paging.next link came back twice', hint: options.loopHint });
		}
		seen.add(key);
		const nextParams: Record<string, string> = {};
		next.searchParams.forEach((v, k) => (nextParams[k] = v));
		const basePath = new URL(options.baseUrl).pathname.replace(/\/+$/u, '');
		page = await fetchPage(basePath && next.pathname.startsWith(basePath) ? next.pathname.slice(basePath.length) : next.pathname, nextParams);
		yield page;
	}
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

/** Fields of a campaign read for its state. */
export const META_CAMPAIGN_STATE_FIELDS = 'id,account_id,name,status,effective_status,daily_budget,lifetime_budget,created_time';

/** A Meta campaign id: digits only (it goes into the URL path). */
function checkCampaignId(accountId: string, call: string, campaignId: string): string {
	return digitsCampaignId('meta', accountId, call, campaignId, 'Ads Manager');
}

/** The ad account fields read for its AccountInfo. */
const META_ACCOUNT_FIELDS = 'id,account_id,name,currency,timezone_name,account_status';

/** An ad account object (META_ACCOUNT_FIELDS) → its AccountInfo. */
function metaAccountInfo(accountId: string, raw: Record<string, unknown>): AccountInfo {
	return {
		platform: 'meta',
		accountId,
		name: typeof raw.name === 'string' ? raw.name : null,
		currency: typeof raw.currency === 'string' ? raw.currency : null,
		timezone: typeof raw.timezone_name === 'string' ? raw.timezone_name : null,
		status: raw.account_status === undefined ? null : String(raw.account_status),
		raw,
	};
}

/** What Meta calls must never show: the token, the app secret and the proof made of them. */
export function metaSecrets(accessToken: string, appSecret: string | undefined, proof: string | undefined): string[] {
	return [accessToken, appSecret ?? '', proof ?? ''].filter(Boolean);
}

/**
 * Meta's one transport, for every client of the Graph API (the adapter, comments, conversions): Meta's errors read
 * by `interpret`, `secrets` redacted from logs and errors, and the usage headers (x-app-usage,
 * x-business-use-case-usage) slowing the next call through the transport's gate before Meta throttles.
 */
export function metaTransport(options: HttpOptions, interpret: ErrorInterpreter, secrets: readonly string[], usageThrottle?: UsageThrottleOptions): HttpTransport {
	let http: HttpTransport | undefined = undefined;
	http = new HttpTransport('meta', { ...options, defaultBaseUrl: META_DEFAULT_BASE_URL }, interpret, () => secrets, (headers) =>
		http?.executor.gate.delay(usageDelayMs(parseMetaUsage(headers), usageThrottle)),
	);
	return http;
}

export class MetaAdsAdapter implements PlatformAdapter, CampaignControl {
	readonly platform = 'meta' as const;
	readonly canValidateOnly = true;
	/** Account currency and time zone, read once per account (a re-read before a change needs only the campaign). */
	private readonly accounts = new Map<string, Promise<AccountInfo>>();
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
		this.http = metaTransport(config, (status, body, headers, context) => interpretMetaError(status, body, headers, context, this.apiVersion), metaSecrets(config.accessToken, config.appSecret, this.proof), config.usageThrottle);
	}

	private authParams(): Record<string, string> {
		return this.proof ? { access_token: this.config.accessToken, appsecret_proof: this.proof } : { access_token: this.config.accessToken };
	}

	private async get<T extends object>(context: CallContext, path: string, params: Record<string, string | number>): Promise<T> {
		const { data } = await this.http.request<T>(context, { method: 'GET', url: path, params: { ...params, ...this.authParams() } });
		return data;
	}

	/** Pages of a listing (`metaPages`), unbounded: an ingest reads the whole window. */
	private pages<T>(context: CallContext, path: string, params: Record<string, string | number>): AsyncGenerator<MetaPage<T>> {
		return metaPages((p, q) => this.get<MetaPage<T>>(context, p, q), context, path, params, { baseUrl: this.http.baseUrl, loopHint: 'Meta paging looped: run again; if it persists, fetch a shorter window' });
	}

	async describeAccount(accountId: string, signal?: AbortSignal): Promise<AccountInfo> {
		const id = metaAccountDigits(accountId);
		const raw = await this.get<Record<string, unknown>>({ call: 'describeAccount', accountId: id, signal }, `/${this.apiVersion}/act_${id}`, { fields: META_ACCOUNT_FIELDS });
		return metaAccountInfo(id, raw);
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

	private accountInfo(accountId: string, signal?: AbortSignal): Promise<AccountInfo> {
		const id = metaAccountDigits(accountId);
		return cachedAccountInfo(this.accounts, id, () => this.describeAccount(id, signal));
	}

	/** A campaign object (Graph fields of META_CAMPAIGN_STATE_FIELDS) → its state. */
	campaignState(c: Record<string, unknown>, account: AccountInfo): CampaignState {
		const digits = account.currency ? metaMinorUnitDigits(account.currency) : undefined;
		const minor = (v: unknown) => (v === undefined || v === null || v === '' || v === '0' || v === 0 ? null : digits === undefined ? undefined : scaledToMajor(v, digits));
		const daily = minor(c.daily_budget);
		const lifetime = minor(c.lifetime_budget);
		const dailyBudget = typeof daily === 'number' && Number.isFinite(daily) && daily > 0 ? daily : null;
		let note: string | null = null;
		if (digits === undefined) note = `the account currency ${account.currency ?? '(none)'} is unknown: budgets cannot be read`;
		else if (daily !== null && dailyBudget === null) note = `daily_budget ${String(c.daily_budget)} is not a budget in minor units`;
		else if (dailyBudget === null && lifetime !== null) note = 'the campaign has a lifetime budget, not a daily one';
		else if (dailyBudget === null) note = 'the budget is set on the ad sets (no campaign budget)';
		const platformStatus = typeof c.status === 'string' ? c.status : null;
		const name = typeof c.name === 'string' ? c.name : null;
		return campaignStateOf(account, { platform: 'meta', campaignId: String(c.id ?? ''), name, platformStatus, dailyBudget, budgetNote: note, createdAt: instantToIso(c.created_time), raw: c });
	}

	async listCampaignStates(accountId: string, signal?: AbortSignal): Promise<CampaignStates> {
		const id = metaAccountDigits(accountId);
		const pages = () => this.pages<Record<string, unknown>>({ call: 'listCampaignStates', accountId: id, signal }, `/${this.apiVersion}/act_${id}/campaigns`, { fields: META_CAMPAIGN_STATE_FIELDS, limit: this.config.pageSize ?? 500 });
		return pagedCampaignStates(this, this.accounts, id, signal, pages, (page) => page.data);
	}

	/**
	 * Budget and status changes of the account's campaigns since `since`, from
	 * the ad account's `activities` edge (one paged read per account; Meta keeps
	 * about 90 days): `update_campaign_budget` and `update_campaign_run_status`,
	 * with the person (`actor_name`), the app (`application_name`: Ads Manager,
	 * or the API app) and the old and new values from `extra_data`.
	 */
	async listCampaignChanges(accountId: string, since: string, signal?: AbortSignal): Promise<CampaignChange[]> {
		const id = metaAccountDigits(accountId);
		const account = await this.accountInfo(id, signal);
		const digits = account.currency ? metaMinorUnitDigits(account.currency) : undefined;
		const sinceS = Math.floor(Date.parse(since) / 1000);
		if (!Number.isFinite(sinceS)) throw new RangeError(`Meta: since must be an ISO-8601 instant, got ${since}`);
		const out: CampaignChange[] = [];
		for await (const page of this.pages<Record<string, unknown>>({ call: 'listCampaignChanges', accountId: id, signal }, `/${this.apiVersion}/act_${id}/activities`, {
			fields: 'event_type,event_time,actor_name,application_name,object_id,object_type,extra_data',
			since: sinceS,
			limit: this.config.pageSize ?? 500,
		})) {
			for (const a of page.data ?? []) {
				const type = String(a.event_type ?? '');
				if (type !== 'update_campaign_budget' && type !== 'update_campaign_run_status') continue;
				const at = instantToIso(a.event_time);
				if (!at || a.object_id === undefined) continue;
				const extra = parseExtra(a.extra_data);
				const money = (v: unknown): number | null => {
					const n = digits === undefined ? null : scaledToMajor(typeof v === 'object' && v !== null ? ((v as Record<string, unknown>).new_value ?? (v as Record<string, unknown>).old_value) : v, digits);
					return typeof n === 'number' && Number.isFinite(n) ? n : null;
				};
				const status = (v: unknown): string | null => (typeof v === 'string' ? (/^(active|enabled)$/i.test(v) ? 'ACTIVE' : /^(paused|inactive)$/i.test(v) ? 'PAUSED' : v.toUpperCase()) : null);
				const budget = type === 'update_campaign_budget';
				out.push({
					platform: 'meta',
					accountId: id,
					campaignId: String(a.object_id),
					at,
					kind: budget ? 'budget' : 'status',
					budgetBefore: budget ? money(extra.old_value) : null,
					budgetAfter: budget ? money(extra.new_value) : null,
					statusBefore: budget ? null : status(extra.old_value),
					statusAfter: budget ? null : status(extra.new_value),
					by: typeof a.actor_name === 'string' && a.actor_name ? a.actor_name : null,
					via: typeof a.application_name === 'string' && a.application_name ? a.application_name : null,
					raw: a,
				});
			}
		}
		return out;
	}

	async getCampaignState(accountId: string, campaignId: string, signal?: AbortSignal): Promise<CampaignState | null> {
		const id = metaAccountDigits(accountId);
		const campaign = checkCampaignId(id, 'getCampaignState', campaignId);
		const account = await this.accountInfo(id, signal);
		let c: Record<string, unknown>;
		try {
			c = await this.get<Record<string, unknown>>({ call: `getCampaignState campaign ${campaign}`, accountId: id, signal }, `/${this.apiVersion}/${campaign}`, { fields: META_CAMPAIGN_STATE_FIELDS });
		} catch (error) {
			if (error instanceof PlatformApiError && error.kind === 'not_found') return null;
			throw error;
		}
		// A campaign of another ad account is not this account's campaign.
		if (c.account_id !== undefined && metaAccountDigits(String(c.account_id)) !== id) return null;
		return this.campaignState(c, account);
	}

	private async change(call: CampaignChangeResult['call'], target: CampaignChangeTarget, campaignId: string, form: Record<string, string>, request: CampaignChangeResult['request']): Promise<CampaignChangeResult> {
		const id = metaAccountDigits(target.accountId);
		const before = { ...this.http.executor.stats };
		const validateOnly = target.validateOnly === true;
		const what = request.status ?? `daily budget ${request.platformAmount} (minor units)`;
		const body = new URLSearchParams({ ...form, ...(validateOnly ? { execution_options: '["validate_only"]' } : {}), ...this.authParams() });
		const { data, status } = await this.http.request<Record<string, unknown>>(
			// setting a value is idempotent: retried, and the final error is marked unknown when an attempt may have applied it
			{ call: `${call} campaign ${campaignId} → ${what}${validateOnly ? ' (validate only)' : ''}`, accountId: id, signal: target.signal, sideEffect: 'idempotent' },
			{ method: 'POST', url: `/${this.apiVersion}/${campaignId}`, data: body.toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } },
		);
		if (data.success !== true) {
			throw new PlatformApiError({
				platform: 'meta',
				accountId: id,
				call: `${call} campaign ${campaignId}`,
				kind: 'malformed_response',
				httpStatus: status,
				retryable: false,
				platformMessage: `expected {"success": true}, got ${JSON.stringify(data).slice(0, 120)}`,
				hint: 'the change may have been made: its outcome is unknown until the campaign is read back (the optimizer does that before it acts on this campaign again)',
			});
		}
		return { platform: 'meta', accountId: id, campaignId, call, request, validateOnly, response: data, meta: toCallMeta(before, this.http.executor.stats, 1) };
	}

	/** One ad's state (`GET /{ad_id}`: its configured `status`, not `effective_status`); null when the account has no such ad. */
	async getAdState(accountId: string, adId: string, signal?: AbortSignal): Promise<AdState | null> {
		const id = metaAccountDigits(accountId);
		const ad = digitsCampaignId('meta', id, 'getAdState', adId, 'Ads Manager (ad id)');
		let a: Record<string, unknown>;
		try {
			a = await this.get<Record<string, unknown>>({ call: `getAdState ad ${ad}`, accountId: id, signal }, `/${this.apiVersion}/${ad}`, { fields: 'id,account_id,campaign_id,adset_id,name,status,effective_status' });
		} catch (error) {
			if (error instanceof PlatformApiError && error.kind === 'not_found') return null;
			throw error;
		}
		if (a.account_id !== undefined && metaAccountDigits(String(a.account_id)) !== id) return null;
		const status = typeof a.status === 'string' ? a.status : '';
		return { platform: 'meta', accountId: id, campaignId: a.campaign_id === undefined ? null : String(a.campaign_id), adGroupId: a.adset_id === undefined ? null : String(a.adset_id), adId: ad, name: typeof a.name === 'string' ? a.name : null, status: status || 'UNKNOWN', platformStatus: status || null, raw: a };
	}

	/** Pause or activate one ad (`POST /{ad_id}` with `status`; its ad set and campaign keep theirs). */
	async setAdStatus(input: AdStatusTarget): Promise<AdStatusResult> {
		const id = metaAccountDigits(input.accountId);
		const ad = digitsCampaignId('meta', id, 'setAdStatus', input.adId, 'Ads Manager (ad id)');
		checkStatusInput('meta', id, `setAdStatus ad ${ad}`, input.status, 'pause or activate only');
		const before = { ...this.http.executor.stats };
		const validateOnly = input.validateOnly === true;
		const body = new URLSearchParams({ status: input.status, ...(validateOnly ? { execution_options: '["validate_only"]' } : {}), ...this.authParams() });
		const { data, status } = await this.http.request<Record<string, unknown>>(
			// setting a status is idempotent: retried, and the final error is marked unknown when an attempt may have applied it
			{ call: `setAdStatus ad ${ad} → ${input.status}${validateOnly ? ' (validate only)' : ''}`, accountId: id, signal: input.signal, sideEffect: 'idempotent' },
			{ method: 'POST', url: `/${this.apiVersion}/${ad}`, data: body.toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } },
		);
		if (data.success !== true) {
			throw new PlatformApiError({
				platform: 'meta',
				accountId: id,
				call: `setAdStatus ad ${ad}`,
				kind: 'malformed_response',
				httpStatus: status,
				retryable: false,
				platformMessage: `expected {"success": true}, got ${JSON.stringify(data).slice(0, 120)}`,
				hint: 'the change may have been made: its outcome is unknown until the ad is read back (the optimizer does that before it acts on this ad again)',
			});
		}
		return { platform: 'meta', accountId: id, adId: ad, call: 'setAdStatus', request: { status: input.status }, validateOnly, response: data, meta: toCallMeta(before, this.http.executor.stats, 1) };
	}

	/** Pause or activate a campaign (`status` on the campaign; ad sets and ads keep theirs). */
	async setStatus(input: CampaignChangeTarget & { status: 'ACTIVE' | 'PAUSED' }): Promise<CampaignChangeResult> {
		const id = metaAccountDigits(input.accountId);
		const campaign = checkCampaignId(id, 'setStatus', input.campaignId);
		checkStatusInput('meta', id, `setStatus campaign ${campaign}`, input.status, 'pause or activate only');
		return this.change('setStatus', input, campaign, { status: input.status }, { status: input.status });
	}

	/**
	 * Set the campaign's daily budget (campaign budget optimization). The
	 * amount is major units of the account currency, sent in Meta's minor
	 * units (offset table in currency.ts) exactly.
	 */
	async setDailyBudget(input: CampaignChangeTarget & { dailyBudget: number; currency: string }): Promise<CampaignChangeResult> {
		const id = metaAccountDigits(input.accountId);
		const campaign = checkCampaignId(id, 'setDailyBudget', input.campaignId);
		const call = `setDailyBudget campaign ${campaign}`;
		const account = await this.accountInfo(id, input.signal);
		checkBudgetInput('meta', id, call, input.dailyBudget, input.currency, account.currency);
		const digits = metaMinorUnitDigits(input.currency) as number;
		let minor: bigint;
		try {
			minor = majorToScaled(input.dailyBudget, digits);
		} catch {
			throw refusedChange('meta', id, call, `${input.dailyBudget} ${input.currency} cannot be expressed in Meta's units (${digits} decimals for ${input.currency})`, `round the budget to ${digits} decimals: Meta stores ${input.currency} budgets ${digits === 0 ? 'in whole units' : 'in cents'}`);
		}
		return this.change('setDailyBudget', input, campaign, { daily_budget: minor.toString() }, { dailyBudget: input.dailyBudget, currency: input.currency, platformAmount: minor.toString() });
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

	/** Daily insights rows at `level` (campaign or ad), one per entity and day, each mapped by `map`. */
	private async dailyInsights<R>(query: DailyMetricsQuery, call: string, level: 'campaign' | 'ad', fields: readonly string[], map: (row: MetaInsightsRow, account: AccountInfo) => R): Promise<{ rows: R[]; account: AccountInfo; meta: CallMeta; warnings: string[] }> {
		parseDay(query.since);
		parseDay(query.until);
		const before = { ...this.http.executor.stats };
		const account = await this.describeAccount(query.accountId, query.signal);
		const rows: R[] = [];
		const warnings: string[] = [];
		let pages = 0;
		const context = { call, accountId: account.accountId, signal: query.signal };
		for await (const page of this.pages<MetaInsightsRow>(context, `/${this.apiVersion}/act_${account.accountId}/insights`, {
			level,
			time_increment: 1,
			time_range: JSON.stringify({ since: query.since, until: query.until }),
			fields: fields.join(','),
			limit: this.config.pageSize ?? 500,
		})) {
			pages += 1;
			if (page.data !== undefined && !Array.isArray(page.data)) {
				warnings.push(`page ${pages}: "data" is not a list; skipped`);
				continue;
			}
			for (const row of page.data ?? []) rows.push(map(row, account));
		}
		return { rows, account, meta: toCallMeta(before, this.http.executor.stats, pages), warnings };
	}

	async fetchDailyMetrics(query: DailyMetricsQuery): Promise<DailyMetricsResult> {
		return this.dailyInsights(query, 'fetchDailyMetrics', 'campaign', META_INSIGHTS_FIELDS, (row, account) => this.mapInsightsRow(row, account));
	}

	/** Daily metrics per ad (issue 20, ./ad-report.ts): insights `level=ad`, each row the campaign row plus its ad set and ad. */
	async fetchAdDailyMetrics(query: DailyMetricsQuery): Promise<AdMetricsResult> {
		return this.dailyInsights(query, 'fetchAdDailyMetrics', 'ad', [...META_INSIGHTS_FIELDS, ...META_AD_FIELDS], (row, account) => ({ ...this.mapInsightsRow(row, account), ...metaAdIdentity(row as Record<string, unknown>) }));
	}

	/** The ad accounts the token may read (`GET /me/adaccounts`), for the account pickers. */
	async listAdAccounts(signal?: AbortSignal): Promise<AccountInfo[]> {
		const out: AccountInfo[] = [];
		for await (const page of this.pages<Record<string, unknown>>({ call: 'listAdAccounts', accountId: '', signal }, `/${this.apiVersion}/me/adaccounts`, { fields: META_ACCOUNT_FIELDS, limit: 100 })) {
			for (const raw of page.data ?? []) out.push(metaAccountInfo(metaAccountDigits(String(raw.account_id ?? raw.id ?? '')), raw));
		}
		return out;
	}

	/** How this platform publishes ads (issue 20): creative/publish.ts reads it. */
	readonly adPublishing = META_AD_PUBLISHING;

	/** Publishes one ad from approved copy (issue 20, ./ad-publish.ts): an ad creative, then the ad in the ad set. */
	createAd(input: CreateAdInput): Promise<CreatedAd> {
		return metaCreateAd({ http: this.http, apiVersion: this.apiVersion, auth: this.authParams() }, input);
	}

	/** The ad `createAd` made for `input`, found by its name; null when there is none. */
	findAd(input: CreateAdInput): Promise<CreatedAd | null> {
		return metaFindAd({ http: this.http, apiVersion: this.apiVersion, auth: this.authParams() }, input);
	}

	/** The campaign's first ad set (where an ad goes when none is chosen). */
	defaultParent(input: { accountId: string; campaignId: string; signal?: AbortSignal }): Promise<{ id: string; why: string } | null> {
		return metaFirstAdSet({ http: this.http, apiVersion: this.apiVersion, auth: this.authParams() }, input);
	}
}

/** `extra_data` of an activity: a JSON string (or object) with `old_value` / `new_value`. */
function parseExtra(value: unknown): Record<string, unknown> {
	if (value && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
	if (typeof value !== 'string') return {};
	try {
		const parsed = JSON.parse(value) as unknown;
		return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : {};
	} catch {
		return {};
	}
}
