/**
 * TikTok API for Business adapter (Marketing API v1.3, pinned in the registry).
 *
 * - Every request: `Access-Token: <long-term token>`; base
 *   `https://business-api.tiktok.com/open_api/v1.3/…` (paths end with `/`).
 * - Every answer is an envelope `{ code, message, request_id, data }`. TikTok
 *   answers errors with HTTP 200 and a non-zero `code` (the code wins over the
 *   HTTP status): 40100/40016/40133 throttled ("Too many requests"), 40102/
 *   40104/40105 token expired/empty/invalid, 40001/40106/40119/40125 no
 *   permission on the advertiser, 40002/40000 parameter error, 40300/40301
 *   no such advertiser, 50000/50002/51305/60001 server side. No Retry-After:
 *   throttling is retried with the executor's backoff.
 * - Account: `GET advertiser/info/` (name, currency, `display_timezone`, the
 *   IANA zone reports use; `timezone` as a fallback).
 * - Metrics: `GET report/integrated/get/` (BASIC, AUCTION_CAMPAIGN,
 *   dimensions `campaign_id` + `stat_time_day`), at most 30 days per request
 *   (TikTok's limit with `stat_time_day`), paged by `page`/`page_info`
 *   (page_size 1000). Days are the advertiser's calendar days; money is a
 *   decimal string in the advertiser's currency. Mapping: conversions =
 *   `complete_payment`, revenue = `total_complete_payment_rate` (the
 *   complete-payment value, despite its name), leads = `form`.
 * - Campaign control (`CampaignControl`): `GET campaign/get/`
 *   (`operation_status` ENABLE/DISABLE, `budget_mode`, `budget`,
 *   `create_time` in UTC); `POST campaign/status/update/` (ENABLE/DISABLE)
 *   and `POST campaign/update/` (`budget` in major units; only
 *   BUDGET_MODE_DAY budgets are daily). TikTok has no validate-only mode.
 */
import type { AxiosRequestConfig } from 'axios';
import type { CallContext } from '../resilience/call-policy';
import { PlatformApiError, type PlatformErrorKind } from '../resilience/errors';
import { cachedAccountInfo, campaignStateOf, checkBudgetInput, checkStatusInput, digitsCampaignId, pagedCampaignStates, refusedChange } from './campaign-state';
import { currencyExponent } from './currency';
import { HttpTransport, type HttpOptions, type InterpretedError } from './http';
import { decimalField, majorToScaled, reportedMetrics, scaledIntegerToDecimalString } from './money';
import { PLATFORM_REGISTRY } from './registry';
import {
	eachDay,
	toCallMeta,
	type AccountInfo,
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

export const TIKTOK_DEFAULT_BASE_URL = 'https://business-api.tiktok.com';
/** Days per report request: TikTok's limit when `stat_time_day` is a dimension. */
export const TIKTOK_REPORT_MAX_DAYS = 30;
export const TIKTOK_REPORT_METRICS = ['campaign_name', 'spend', 'impressions', 'clicks', 'complete_payment', 'total_complete_payment_rate', 'form'] as const;
export const TIKTOK_CAMPAIGN_FIELDS = ['campaign_id', 'campaign_name', 'advertiser_id', 'operation_status', 'secondary_status', 'budget_mode', 'budget', 'objective_type', 'create_time', 'modify_time'] as const;

const ID = PLATFORM_REGISTRY.tiktok.id;

export interface TikTokAdapterConfig extends HttpOptions {
	accessToken: string;
	/** API version in the path (default: the registry's pin, v1.3). */
	apiVersion?: string;
	/** Rows per report / campaign page (default 1000, TikTok's maximum). */
	pageSize?: number;
}

/** TikTok's answer envelope. */
export interface TikTokEnvelope<T> {
	code?: unknown;
	message?: unknown;
	request_id?: unknown;
	data?: T;
}

interface TikTokPage<T> {
	list?: T[];
	page_info?: { page?: number; page_size?: number; total_number?: number; total_page?: number };
}

const THROTTLED = new Set([40016, 40100, 40133]);
const AUTH = new Set([40102, 40104, 40105, 40109]);
const PERMISSION = new Set([40001, 40106, 40118, 40119, 40125]);
const NO_ADVERTISER = new Set([40300, 40301]);
const SERVER = new Set([40202, 50000, 50002, 51305, 60001]);

/** What a TikTok return code means, in our terms (code 0 and 20001 are successes and never reach here). */
export function interpretTikTokCode(code: number, message: string | undefined, context: CallContext): InterpretedError & { kind: PlatformErrorKind; retryable: boolean } {
	const advertiser = context.accountId ? `advertiser ${context.accountId}` : 'the advertiser';
	const write = /^set/.test(context.call);
	if (THROTTLED.has(code)) {
		return { code, message, kind: 'rate_limited', retryable: true, hint: 'TikTok is throttling requests (it sends no Retry-After): retried with backoff; if it persists, run less often or for fewer advertisers' };
	}
	if (AUTH.has(code)) {
		return { code, message, kind: 'auth', retryable: false, hint: 'TikTok rejected the access token (expired, revoked or empty): generate a new long-term token for the app and update the AdOps TikTok Ads credential' };
	}
	if (PERMISSION.has(code)) {
		return write
			? { code, message, kind: 'permission', retryable: false, hint: `the token cannot change campaigns of ${advertiser}: the app needs the Campaign Management scope and the authorising user needs operator access to the advertiser` }
			: { code, message, kind: 'permission', retryable: false, hint: `the token cannot read ${advertiser}: authorise the app for this advertiser (Ad Account Management and Reporting scopes)` };
	}
	if (NO_ADVERTISER.has(code)) {
		return { code, message, kind: 'not_found', retryable: false, hint: `${advertiser} does not exist or is not authorised for this token: check the advertiser id (Ads Manager → account) and the API base URL` };
	}
	if (code === 40007) return { code, message, kind: 'not_found', retryable: false, hint: `not found in ${advertiser}: check the campaign id` };
	if (code === 40006 || code === 40051 || code === 41001) {
		return { code, message, kind: 'bad_request', retryable: false, hint: `TikTok does not accept this API version or endpoint: keep the API version at ${PLATFORM_REGISTRY.tiktok.api.version} and the base URL at the TikTok Business API` };
	}
	if (SERVER.has(code)) {
		return { code, message, kind: 'server', retryable: true, hint: 'TikTok had a server-side error: usually temporary, retried automatically' };
	}
	if (write) return { code, message, kind: 'bad_request', retryable: false, hint: 'TikTok refused the new value: check it against the campaign in Ads Manager (minimum daily budget, a status that allows the change)' };
	return { code, message, kind: 'bad_request', retryable: false, hint: 'TikTok rejected the request parameters: check the advertiser id and the dates' };
}

function envelopeCode(body: unknown): { code: number; message?: string; requestId?: string } | undefined {
	if (!body || typeof body !== 'object') return undefined;
	const b = body as TikTokEnvelope<unknown>;
	const code = typeof b.code === 'number' ? b.code : typeof b.code === 'string' && /^\d+$/.test(b.code) ? Number(b.code) : undefined;
	if (code === undefined) return undefined;
	return { code, message: typeof b.message === 'string' ? b.message : undefined, requestId: typeof b.request_id === 'string' ? b.request_id : undefined };
}

/** An HTTP-level error (4xx/5xx: the request did not reach TikTok's API logic) in our terms. */
export function interpretTikTokError(status: number, body: unknown, _headers: Record<string, unknown>, context: CallContext): InterpretedError {
	const env = envelopeCode(body);
	if (env && env.code !== 0) return { ...interpretTikTokCode(env.code, env.message, context), requestId: env.requestId };
	if (status === 404) return { kind: 'not_found', retryable: false, hint: 'TikTok has no such endpoint: check the API base URL (https://business-api.tiktok.com) and that paths end with /' };
	return {};
}

/** `2025-03-01 00:00:00` (UTC, as TikTok writes `create_time`) → ISO instant; null otherwise. */
export function tiktokTimeToIso(value: unknown): string | null {
	if (typeof value !== 'string') return null;
	const m = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})$/.exec(value.trim());
	if (!m) return null;
	const ms = Date.parse(`${m[1]}T${m[2]}Z`);
	return Number.isFinite(ms) ? new Date(ms).toISOString() : null;
}

/** ENABLE → ACTIVE, DISABLE → PAUSED, a deleted campaign → DELETED, anything else upper-cased. */
export function tiktokCampaignStatus(operationStatus: unknown, secondaryStatus: unknown): string {
	if (typeof secondaryStatus === 'string' && /DELETE/.test(secondaryStatus)) return 'DELETED';
	const s = typeof operationStatus === 'string' ? operationStatus.trim().toUpperCase() : '';
	if (s === 'ENABLE') return 'ACTIVE';
	if (s === 'DISABLE') return 'PAUSED';
	return s || 'UNKNOWN';
}

/** [since, until] cut into ranges of at most `days` days. */
export function dayChunks(since: string, until: string, days = TIKTOK_REPORT_MAX_DAYS): Array<[string, string]> {
	const all = eachDay(since, until);
	const out: Array<[string, string]> = [];
	for (let i = 0; i < all.length; i += days) out.push([all[i], all[Math.min(i + days, all.length) - 1]]);
	return out;
}

function advertiserId(accountId: string, call: string): string {
	const id = PLATFORM_REGISTRY.tiktok.accountId.canonicalize(String(accountId ?? ''));
	if (!/^\d+$/.test(id)) throw refusedChange(ID, id, call, `advertiser id must be digits, got "${accountId}"`, 'pass the advertiser id shown in TikTok Ads Manager');
	return id;
}

function campaignIdOf(accountId: string, call: string, campaignId: unknown): string {
	return digitsCampaignId(ID, accountId, call, campaignId, 'TikTok Ads Manager');
}

export class TikTokAdsAdapter implements PlatformAdapter, CampaignControl {
	readonly platform = ID;
	readonly canValidateOnly = false;
	readonly http: HttpTransport;
	readonly apiVersion: string;
	private readonly accounts = new Map<string, Promise<AccountInfo>>();

	constructor(private readonly config: TikTokAdapterConfig) {
		if (!config.accessToken) throw new TypeError('TikTok: accessToken is required');
		this.apiVersion = config.apiVersion || PLATFORM_REGISTRY.tiktok.api.version;
		if (!/^v\d+\.\d+$/.test(this.apiVersion)) throw new TypeError(`TikTok: apiVersion must look like v1.3, got ${this.apiVersion}`);
		this.http = new HttpTransport(
			ID,
			{ ...config, defaultBaseUrl: TIKTOK_DEFAULT_BASE_URL, headers: { 'Access-Token': config.accessToken } },
			interpretTikTokError,
			() => [config.accessToken],
		);
	}

	private path(endpoint: string): string {
		return `/open_api/${this.apiVersion}/${endpoint}/`;
	}

	/**
	 * One call through the executor: the envelope's `code` decides success
	 * (0, or 20001 partial success), so a throttled or refused call (HTTP 200
	 * with a code) is retried or reported like an HTTP error.
	 */
	async call<T>(context: CallContext, config: AxiosRequestConfig): Promise<{ data: T; requestId: string | null }> {
		return this.http.executor.run(context, async () => {
			let response;
			try {
				response = await this.http.axios.request({ ...config, signal: context.signal });
			} catch (error) {
				throw this.http.toPlatformError(error, context);
			}
			const body = response.data as unknown;
			const env = envelopeCode(body);
			if (!body || typeof body !== 'object' || env === undefined) {
				throw new PlatformApiError({
					platform: ID,
					accountId: context.accountId,
					call: context.call,
					kind: 'malformed_response',
					httpStatus: response.status,
					platformMessage: typeof body === 'string' ? `expected TikTok's JSON envelope, got text starting "${body.slice(0, 60)}"` : 'expected TikTok\'s JSON envelope {code, message, request_id, data}',
					retryable: true,
					hint: 'TikTok answered with a body that is not its JSON envelope: retried automatically; check the API base URL if it persists',
					secrets: [this.config.accessToken],
				});
			}
			if (env.code !== 0 && env.code !== 20001) {
				const found = interpretTikTokCode(env.code, env.message, context);
				throw new PlatformApiError({
					platform: ID,
					accountId: context.accountId,
					call: context.call,
					kind: found.kind,
					httpStatus: response.status,
					code: env.code,
					platformMessage: env.message,
					retryable: found.retryable,
					hint: found.hint ?? 'TikTok refused the request',
					requestId: env.requestId,
					secrets: [this.config.accessToken],
				});
			}
			return { data: (body as TikTokEnvelope<T>).data as T, requestId: env.requestId ?? null };
		});
	}

	async describeAccount(accountId: string, signal?: AbortSignal): Promise<AccountInfo> {
		const id = advertiserId(accountId, 'describeAccount');
		const { data } = await this.call<TikTokPage<Record<string, unknown>>>(
			{ call: 'describeAccount', accountId: id, signal },
			{ method: 'GET', url: this.path('advertiser/info'), params: { advertiser_ids: JSON.stringify([id]), fields: JSON.stringify(['advertiser_id', 'name', 'currency', 'timezone', 'display_timezone', 'status']) } },
		);
		const raw = (Array.isArray(data?.list) ? data.list : []).find((a) => String(a.advertiser_id ?? '') === id);
		if (!raw) {
			throw new PlatformApiError({ platform: ID, accountId: id, call: 'describeAccount', kind: 'not_found', retryable: false, hint: `advertiser ${id} is not among the advertisers this token may read: authorise the app for it or fix the advertiser id` });
		}
		const zone = typeof raw.display_timezone === 'string' && raw.display_timezone ? raw.display_timezone : typeof raw.timezone === 'string' ? raw.timezone : null;
		return {
			platform: ID,
			accountId: id,
			name: typeof raw.name === 'string' ? raw.name : null,
			currency: typeof raw.currency === 'string' ? raw.currency : null,
			timezone: zone,
			status: typeof raw.status === 'string' ? raw.status : null,
			raw,
		};
	}

	private accountInfo(id: string, signal?: AbortSignal): Promise<AccountInfo> {
		return cachedAccountInfo(this.accounts, id, () => this.describeAccount(id, signal));
	}

	/** Pages of `campaign/get/` (optionally filtered to campaign ids), until `page_info.total_page`. */
	private async *campaignPages(context: CallContext, id: string, campaignIds?: string[]): AsyncGenerator<Array<Record<string, unknown>>> {
		for (let page = 1; ; page++) {
			const { data } = await this.call<TikTokPage<Record<string, unknown>>>(context, {
				method: 'GET',
				url: this.path('campaign/get'),
				params: {
					advertiser_id: id,
					fields: JSON.stringify(TIKTOK_CAMPAIGN_FIELDS),
					page,
					page_size: this.config.pageSize ?? 1000,
					...(campaignIds ? { filtering: JSON.stringify({ campaign_ids: campaignIds }) } : {}),
				},
			});
			const list = Array.isArray(data?.list) ? data.list : [];
			yield list;
			const total = data?.page_info?.total_page;
			if (typeof total !== 'number' || page >= total || list.length === 0) return;
		}
	}

	async listCampaigns(accountId: string, signal?: AbortSignal): Promise<CampaignList> {
		const before = { ...this.http.executor.stats };
		const id = advertiserId(accountId, 'listCampaigns');
		const account = await this.accountInfo(id, signal);
		const campaigns: CampaignInfo[] = [];
		let pages = 0;
		for await (const list of this.campaignPages({ call: 'listCampaigns', accountId: id, signal }, id)) {
			pages += 1;
			for (const c of list) {
				const mode = c.budget_mode;
				campaigns.push({
					platform: ID,
					accountId: id,
					campaignId: String(c.campaign_id ?? ''),
					name: typeof c.campaign_name === 'string' ? c.campaign_name : null,
					status: tiktokCampaignStatus(c.operation_status, c.secondary_status),
					dailyBudget: mode === 'BUDGET_MODE_DAY' ? decimalField(c.budget) : null,
					lifetimeBudget: mode === 'BUDGET_MODE_TOTAL' ? decimalField(c.budget) : null,
					currency: account.currency,
					raw: c,
				});
			}
		}
		return { campaigns, meta: toCallMeta(before, this.http.executor.stats, pages) };
	}

	/** A `campaign/get` entry → its state (only a BUDGET_MODE_DAY budget is a daily budget). */
	campaignState(c: Record<string, unknown>, account: AccountInfo): CampaignState {
		const mode = typeof c.budget_mode === 'string' ? c.budget_mode : null;
		const amount = decimalField(c.budget);
		let dailyBudget: number | null = null;
		let note: string | null = null;
		if (mode === 'BUDGET_MODE_DAY') {
			if (typeof amount === 'number' && Number.isFinite(amount) && amount > 0) dailyBudget = amount;
			else note = `budget ${JSON.stringify(c.budget)} is not a positive amount`;
		} else if (mode === 'BUDGET_MODE_TOTAL') note = 'the campaign has a lifetime budget only, no daily budget';
		else note = 'the campaign has no budget of its own (budgets are set on its ad groups)';
		const platformStatus = typeof c.operation_status === 'string' ? c.operation_status : null;
		const name = typeof c.campaign_name === 'string' ? c.campaign_name : null;
		const status = tiktokCampaignStatus(c.operation_status, c.secondary_status);
		return campaignStateOf(account, { platform: ID, campaignId: String(c.campaign_id ?? ''), name, status, platformStatus, dailyBudget, budgetNote: note, createdAt: tiktokTimeToIso(c.create_time), raw: c });
	}

	async listCampaignStates(accountId: string, signal?: AbortSignal): Promise<CampaignStates> {
		const id = advertiserId(accountId, 'listCampaignStates');
		const pages = () => this.campaignPages({ call: 'listCampaignStates', accountId: id, signal }, id);
		return pagedCampaignStates(this, this.accounts, id, signal, pages, (list) => list);
	}

	async getCampaignState(accountId: string, campaignId: string, signal?: AbortSignal): Promise<CampaignState | null> {
		const id = advertiserId(accountId, 'getCampaignState');
		const campaign = campaignIdOf(id, 'getCampaignState', campaignId);
		const account = await this.accountInfo(id, signal);
		for await (const list of this.campaignPages({ call: `getCampaignState campaign ${campaign}`, accountId: id, signal }, id, [campaign])) {
			const found = list.find((c) => String(c.campaign_id ?? '') === campaign);
			if (found) return this.campaignState(found, account);
		}
		return null;
	}

	private async change(call: CampaignChangeResult['call'], target: CampaignChangeTarget, id: string, campaign: string, endpoint: string, body: Record<string, unknown>, request: CampaignChangeResult['request']): Promise<CampaignChangeResult> {
		const label = `${call} campaign ${campaign}`;
		if (target.validateOnly) throw refusedChange(ID, id, label, 'TikTok has no validate-only mode', 'run without validateOnly (dry-run checks nothing on TikTok)');
		const before = { ...this.http.executor.stats };
		const { data, requestId } = await this.call<Record<string, unknown>>(
			// setting a value is idempotent: retried, and the final error is marked unknown when an attempt may have applied it
			{ call: `${label} → ${request.status ?? `daily budget ${request.platformAmount} ${request.currency}`}`, accountId: id, signal: target.signal, sideEffect: 'idempotent' },
			{ method: 'POST', url: this.path(endpoint), data: body, headers: { 'Content-Type': 'application/json' } },
		);
		return { platform: ID, accountId: id, campaignId: campaign, call, request, validateOnly: false, response: { request_id: requestId, ...(data && typeof data === 'object' ? data : {}) }, meta: toCallMeta(before, this.http.executor.stats, 1) };
	}

	/** Pause or activate a campaign (`campaign/status/update/`, ENABLE / DISABLE). */
	async setStatus(input: CampaignChangeTarget & { status: 'ACTIVE' | 'PAUSED' }): Promise<CampaignChangeResult> {
		const id = advertiserId(input.accountId, 'setStatus');
		const campaign = campaignIdOf(id, 'setStatus', input.campaignId);
		checkStatusInput(ID, id, `setStatus campaign ${campaign}`, input.status, 'pause or activate only');
		const operation = input.status === 'ACTIVE' ? 'ENABLE' : 'DISABLE';
		return this.change('setStatus', input, id, campaign, 'campaign/status/update', { advertiser_id: id, campaign_ids: [campaign], operation_status: operation }, { status: input.status });
	}

	/** Set a daily (BUDGET_MODE_DAY) budget, major units of the advertiser currency (`campaign/update/`). */
	async setDailyBudget(input: CampaignChangeTarget & { dailyBudget: number; currency: string }): Promise<CampaignChangeResult> {
		const id = advertiserId(input.accountId, 'setDailyBudget');
		const campaign = campaignIdOf(id, 'setDailyBudget', input.campaignId);
		const call = `setDailyBudget campaign ${campaign}`;
		const account = await this.accountInfo(id, input.signal);
		checkBudgetInput(ID, id, call, input.dailyBudget, input.currency, account.currency);
		const digits = currencyExponent(input.currency) as number;
		const amount = scaledIntegerToDecimalString(majorToScaled(input.dailyBudget, digits), digits, true);
		return this.change('setDailyBudget', input, id, campaign, 'campaign/update', { advertiser_id: id, campaign_id: campaign, budget: Number(amount) }, { dailyBudget: input.dailyBudget, currency: input.currency, platformAmount: amount });
	}

	async fetchDailyMetrics(query: DailyMetricsQuery): Promise<DailyMetricsResult> {
		const chunks = dayChunks(query.since, query.until);
		const before = { ...this.http.executor.stats };
		const id = advertiserId(query.accountId, 'fetchDailyMetrics');
		const account = await this.describeAccount(id, query.signal);
		this.accounts.set(id, Promise.resolve(account));
		const rows: DailyMetricRow[] = [];
		const warnings: string[] = [];
		let pages = 0;
		for (const [start, end] of chunks) {
			for (let page = 1; ; page++) {
				const { data } = await this.call<TikTokPage<{ dimensions?: Record<string, unknown>; metrics?: Record<string, unknown> }>>(
					{ call: 'fetchDailyMetrics', accountId: id, signal: query.signal },
					{
						method: 'GET',
						url: this.path('report/integrated/get'),
						params: {
							advertiser_id: id,
							service_type: 'AUCTION',
							report_type: 'BASIC',
							data_level: 'AUCTION_CAMPAIGN',
							dimensions: JSON.stringify(['campaign_id', 'stat_time_day']),
							metrics: JSON.stringify(TIKTOK_REPORT_METRICS),
							start_date: start,
							end_date: end,
							page,
							page_size: this.config.pageSize ?? 1000,
						},
					},
				);
				pages += 1;
				const list = Array.isArray(data?.list) ? data.list : [];
				for (const entry of list) {
					const d = entry?.dimensions ?? {};
					const m = entry?.metrics ?? {};
					const day = typeof d.stat_time_day === 'string' ? d.stat_time_day.slice(0, 10) : '';
					if (!d.campaign_id) warnings.push(`report row without a campaign id: ${JSON.stringify(d)}`);
					rows.push({
						platform: ID,
						accountId: id,
						campaignId: String(d.campaign_id ?? ''),
						campaignName: typeof m.campaign_name === 'string' ? m.campaign_name : null,
						date: day,
						currency: account.currency,
						...reportedMetrics({ spend: m.spend, impressions: m.impressions, clicks: m.clicks, conversions: m.complete_payment, revenue: m.total_complete_payment_rate, leads: m.form }),
						raw: entry,
					});
				}
				const total = data?.page_info?.total_page;
				if (typeof total !== 'number' || page >= total || list.length === 0) break;
			}
		}
		return { rows, account, meta: toCallMeta(before, this.http.executor.stats, pages), warnings };
	}
}
