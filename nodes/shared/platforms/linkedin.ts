/**
 * LinkedIn Marketing API adapter (versioned `/rest` endpoints, Rest.li 2.0).
 *
 * - Every request: `Authorization: Bearer`, `LinkedIn-Version: YYYYMM` (pinned,
 *   settable), `X-Restli-Protocol-Version: 2.0.0`.
 * - Analytics: `GET /rest/adAnalytics?q=analytics&pivot=CAMPAIGN&timeGranularity=DAILY
 *   &dateRange=(start:(year:Y,month:M,day:D),end:(…))&accounts=List(urn%3Ali%3AsponsoredAccount%3A…)
 *   &fields=…` — Rest.li 2.0 syntax: structure characters stay literal, the
 *   URNs inside are percent-encoded, so the query string is built by hand.
 * - Campaign names from `GET /rest/adAccounts/{id}/adCampaigns?q=search` (paged by `pageToken`).
 * - LinkedIn reports analytics days in UTC; money fields are decimal strings
 *   in the account currency (`costInLocalCurrency`, `conversionValueInLocalCurrency`).
 * - Campaign control (`CampaignControl`): state from the campaign search and
 *   `GET /rest/adAccounts/{id}/adCampaigns/{campaign}` (`status`,
 *   `dailyBudget`, `changeAuditStamps.created`); changes as a Rest.li
 *   `PARTIAL_UPDATE` (`POST` with `X-RestLi-Method: PARTIAL_UPDATE` and
 *   `{"patch":{"$set":{…}}}`, answered 204). LinkedIn has no validate-only mode.
 * - Change history: LinkedIn has none; `changeAuditStamps.lastModified` (the
 *   campaign's last modification, time only) from one paged campaign search.
 */
import type { CallContext } from '../resilience/call-policy';
import { HttpTransport, type HttpOptions, type InterpretedError } from './http';
import { PlatformApiError } from '../resilience/errors';
import { cachedAccountInfo, campaignStateOf, checkBudgetInput, checkStatusInput, instantToIso, pagedCampaignStates, refusedChange } from './campaign-state';
import { currencyExponent } from './currency';
import { decimalField, majorToScaled, reportedMetrics, scaledIntegerToDecimalString } from './money';
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
import { LINKEDIN_AD_PIVOTS, linkedInAdIdentity, type AdMetricsResult } from './ad-report';
import { LINKEDIN_AD_PUBLISHING, linkedinCreateAd, linkedinFindAd } from './linkedin-publish';

export const LINKEDIN_DEFAULT_BASE_URL = 'https://api.linkedin.com';
export const LINKEDIN_DEFAULT_VERSION = pinnedApiVersion('linkedin');
export const LINKEDIN_ANALYTICS_FIELDS = [
	'pivotValues',
	'dateRange',
	'costInLocalCurrency',
	'impressions',
	'clicks',
	'externalWebsiteConversions',
	'oneClickLeads',
	'conversionValueInLocalCurrency',
] as const;

export interface LinkedInAdapterConfig extends HttpOptions {
	accessToken: string;
	/** `LinkedIn-Version` header, YYYYMM (default 202510). */
	linkedInVersion?: string;
	/** Campaigns per page when listing (default 100). */
	pageSize?: number;
}

export interface LinkedInUrn {
	type: string;
	id: string;
}

/** `urn:li:sponsoredCampaign:123` → `{ type: 'sponsoredCampaign', id: '123' }`; undefined when not a URN. */
export function parseLinkedInUrn(urn: unknown): LinkedInUrn | undefined {
	if (typeof urn !== 'string') return undefined;
	const m = /^urn:li:([A-Za-z]+):(.+)$/.exec(urn.trim());
	return m ? { type: m[1], id: m[2] } : undefined;
}

/** `123`, or `urn:li:sponsoredAccount:123` → `123`. */
export function linkedInAccountId(accountId: string): string {
	const urn = parseLinkedInUrn(accountId);
	return urn ? urn.id : accountId.trim();
}

function restliDate(day: string): string {
	const [y, m, d] = day.split('-').map(Number);
	return `(year:${y},month:${m},day:${d})`;
}

/** Rest.li 2.0 query string of the adAnalytics finder: one campaign pivot, or with `pivots` the statistics finder (up to three pivots). */
export function linkedInAnalyticsQuery(accountId: string, since: string, until: string, fields: readonly string[] = LINKEDIN_ANALYTICS_FIELDS, pivots?: readonly string[]): string {
	const urn = encodeURIComponent(`urn:li:sponsoredAccount:${linkedInAccountId(accountId)}`);
	return [
		...(pivots ? ['q=statistics', `pivots=List(${pivots.join(',')})`] : ['q=analytics', 'pivot=CAMPAIGN']),
		'timeGranularity=DAILY',
		`dateRange=(start:${restliDate(since)},end:${restliDate(until)})`,
		`accounts=List(${urn})`,
		`fields=${fields.join(',')}`,
	].join('&');
}

function dateRangeStart(range: unknown): string {
	const start = range && typeof range === 'object' ? (range as { start?: { year?: number; month?: number; day?: number } }).start : undefined;
	if (!start || typeof start.year !== 'number' || typeof start.month !== 'number' || typeof start.day !== 'number') return '';
	return `${String(start.year).padStart(4, '0')}-${String(start.month).padStart(2, '0')}-${String(start.day).padStart(2, '0')}`;
}

export function interpretLinkedInError(status: number, body: unknown, _headers: Record<string, unknown>, context: CallContext, version: string): InterpretedError {
	const b = body && typeof body === 'object' ? (body as Record<string, unknown>) : {};
	const code = (b.code as string | undefined) ?? (b.serviceErrorCode as number | undefined);
	const message = typeof b.message === 'string' ? b.message : undefined;
	const out: InterpretedError = { code, subcode: b.serviceErrorCode as number | undefined, message };
	const account = context.accountId ? `ad account ${linkedInAccountId(context.accountId)}` : 'the ad account';
	if (status === 426 || code === 'NONEXISTENT_VERSION' || code === 'VERSION_MISSING' || (status === 400 && /version/i.test(message ?? ''))) {
		return { ...out, kind: 'bad_request', retryable: false, hint: `LinkedIn-Version ${version} is not active: set a current YYYYMM version in the credential` };
	}
	if (status === 401) {
		return { ...out, kind: 'auth', retryable: false, hint: 'the LinkedIn access token expired (they last 60 days) or was revoked: reconnect the LinkedIn credential' };
	}
	const write = /^set/.test(context.call);
	if (status === 403) {
		return write
			? { ...out, kind: 'permission', retryable: false, hint: `the token cannot change campaigns of ${account}: it needs the rw_ads scope and the member needs the CAMPAIGN_MANAGER or ACCOUNT_MANAGER role on the ad account` }
			: { ...out, kind: 'permission', retryable: false, hint: `the token cannot read ${account}: it needs the r_ads and r_ads_reporting scopes and the member needs a role on the ad account` };
	}
	if (write && (status === 400 || status === 422)) {
		return { ...out, kind: 'bad_request', retryable: false, hint: 'LinkedIn refused the new value: check it against the campaign in Campaign Manager (minimum daily budget, campaign status that allows the change)' };
	}
	if (status === 404) {
		return { ...out, kind: 'not_found', retryable: false, hint: `${account} was not found: check the ad account id (the number in Campaign Manager) and the API base URL` };
	}
	if (status === 429 && _headers['retry-after'] === undefined) {
		// LinkedIn's limits are per UTC day and its 429 names no Retry-After: nothing helps before midnight UTC.
		const untilMidnightMs = 86_400_000 - (Date.now() % 86_400_000);
		const hours = Math.round(untilMidnightMs / 3_600_000);
		const when = hours >= 1 ? `${hours} ${hours === 1 ? 'hour' : 'hours'}` : `${Math.max(1, Math.ceil(untilMidnightMs / 60_000))} minutes`;
		const who = /MEMBER/.test(message ?? '') ? 'member' : 'app';
		return { ...out, kind: 'rate_limited', retryable: false, retryAfterMs: untilMidnightMs, hint: `LinkedIn's daily limit for this ${who} is used up; it resets at midnight UTC (in ${when})` };
	}
	return out;
}

interface LinkedInPage<T> {
	elements?: T[];
	paging?: { start?: number; count?: number; total?: number };
	metadata?: { nextPageToken?: string };
}

/** A LinkedIn creative id: digits (the number of `urn:li:sponsoredCreative:…`, or the URN itself). */
function linkedInCreativeId(accountId: string, call: string, adId: string): string {
	const urn = parseLinkedInUrn(adId);
	const id = (urn ? urn.id : String(adId ?? '')).trim();
	if (!/^\d+$/.test(id)) throw refusedChange('linkedin', accountId, call, `creative id must be digits or urn:li:sponsoredCreative:…, got "${adId}"`, 'pass the creative id shown in Campaign Manager');
	return id;
}

/** A LinkedIn campaign id: digits (the number in Campaign Manager, or the id of `urn:li:sponsoredCampaign:…`). */
function linkedInCampaignId(accountId: string, call: string, campaignId: string): string {
	const urn = parseLinkedInUrn(campaignId);
	const id = (urn ? urn.id : String(campaignId ?? '')).trim();
	if (!/^\d+$/.test(id)) throw refusedChange('linkedin', accountId, call, `campaign id must be digits or urn:li:sponsoredCampaign:…, got "${campaignId}"`, 'pass the campaign id shown in Campaign Manager');
	return id;
}

/** 204 No Content (partial updates) has no body: read it as `{}`; other bodies are parsed as JSON when they are JSON. */
function parseMaybeEmpty(data: unknown): unknown {
	if (data === undefined || data === null || data === '') return {};
	if (typeof data !== 'string') return data;
	try {
		return JSON.parse(data) as unknown;
	} catch {
		return data;
	}
}

/**
 * A campaign entity → its last modification as a change of kind `other`
 * when `changeAuditStamps.lastModified.time` (epoch ms) is at or after
 * `sinceMs`, else null. LinkedIn gives the time only: no who, no what.
 * A campaign without an id or a readable `lastModified` time throws
 * (malformed response): it cannot be told unchanged.
 */
export function linkedInChangeFromCampaign(c: Record<string, unknown>, accountId: string, sinceMs: number): CampaignChange | null {
	const stamps = c.changeAuditStamps as { lastModified?: { time?: unknown } } | undefined;
	const at = instantToIso(stamps?.lastModified?.time);
	if (!at || c.id === undefined || c.id === null)
		throw new PlatformApiError({ platform: 'linkedin', accountId, call: 'listCampaignChanges', kind: 'malformed_response', retryable: false, platformMessage: `campaign ${String(c.id ?? '(no id)')} has no readable changeAuditStamps.lastModified.time (${JSON.stringify(stamps?.lastModified?.time ?? null)})`, hint: 'LinkedIn answered a campaign without its last modification time' });
	if (Date.parse(at) < sinceMs) return null;
	return {
		platform: 'linkedin',
		accountId,
		campaignId: String(c.id),
		at,
		kind: 'other',
		budgetBefore: null,
		budgetAfter: null,
		statusBefore: null,
		statusAfter: null,
		by: null,
		via: null,
		raw: { id: c.id, changeAuditStamps: c.changeAuditStamps },
	};
}

/** An ad account entity → AccountInfo (LinkedIn reports in UTC; an account has no time zone of its own). */
function linkedInAccountInfo(accountId: string, raw: Record<string, unknown>): AccountInfo {
	return {
		platform: 'linkedin',
		accountId,
		name: typeof raw.name === 'string' ? raw.name : null,
		currency: typeof raw.currency === 'string' ? raw.currency : null,
		timezone: 'UTC',
		status: typeof raw.status === 'string' ? raw.status : null,
		raw,
	};
}

/** The headers every LinkedIn Marketing API call carries besides the token. */
function linkedInHeaders(version: string): Record<string, string> {
	return { 'LinkedIn-Version': version, 'X-Restli-Protocol-Version': '2.0.0' };
}

/**
 * The cheapest call a LinkedIn token must pass (the member's first ad
 * account, `GET /rest/adAccounts?q=search&pageSize=1`), without the token:
 * what the nodes send through n8n's OAuth2 helper so that an expired token is
 * renewed before the adapter runs (nodes/common/platforms.ts).
 */
export function linkedInTokenCheck(config: Pick<LinkedInAdapterConfig, 'baseUrl' | 'linkedInVersion'>): { method: 'GET'; url: string; qs: Record<string, string | number>; headers: Record<string, string> } {
	return {
		method: 'GET',
		url: `${(config.baseUrl || LINKEDIN_DEFAULT_BASE_URL).replace(/\/+$/, '')}/rest/adAccounts`,
		qs: { q: 'search', pageSize: 1 },
		headers: linkedInHeaders(config.linkedInVersion || LINKEDIN_DEFAULT_VERSION),
	};
}

export class LinkedInAdsAdapter implements PlatformAdapter, CampaignControl {
	readonly platform = 'linkedin' as const;
	readonly canValidateOnly = false;
	readonly http: HttpTransport;
	readonly version: string;
	/** Account currency, read once per account (a re-read before a change needs only the campaign). */
	private readonly accounts = new Map<string, Promise<AccountInfo>>();

	constructor(private readonly config: LinkedInAdapterConfig) {
		if (!config.accessToken) throw new TypeError('LinkedIn: accessToken is required');
		this.version = config.linkedInVersion || LINKEDIN_DEFAULT_VERSION;
		if (!/^\d{6}(\.\d{2})?$/.test(this.version)) throw new TypeError(`LinkedIn: version must be YYYYMM, got ${this.version}`);
		this.http = new HttpTransport(
			'linkedin',
			{
				...config,
				defaultBaseUrl: LINKEDIN_DEFAULT_BASE_URL,
				headers: { Authorization: `Bearer ${config.accessToken}`, ...linkedInHeaders(this.version) },
			},
			(status, body, headers, context) => interpretLinkedInError(status, body, headers, context, this.version),
			() => [config.accessToken],
		);
	}

	async describeAccount(accountId: string, signal?: AbortSignal): Promise<AccountInfo> {
		const id = linkedInAccountId(accountId);
		const { data: raw } = await this.http.request<Record<string, unknown>>({ call: 'describeAccount', accountId: id, signal }, { method: 'GET', url: `/rest/adAccounts/${encodeURIComponent(id)}` });
		return linkedInAccountInfo(id, raw);
	}

	async listCampaigns(accountId: string, signal?: AbortSignal): Promise<CampaignList> {
		const before = { ...this.http.executor.stats };
		const id = linkedInAccountId(accountId);
		const campaigns: CampaignInfo[] = [];
		let pages = 0;
		for await (const data of this.campaignPages({ call: 'listCampaigns', accountId: id, signal }, id)) {
			pages += 1;
			for (const c of data.elements ?? []) {
				const daily = c.dailyBudget as { amount?: unknown; currencyCode?: string } | undefined;
				const total = c.totalBudget as { amount?: unknown; currencyCode?: string } | undefined;
				campaigns.push({
					platform: 'linkedin',
					accountId: id,
					campaignId: String(c.id ?? ''),
					name: typeof c.name === 'string' ? c.name : null,
					status: typeof c.status === 'string' ? c.status : null,
					dailyBudget: daily ? decimalField(daily.amount) : null,
					lifetimeBudget: total ? decimalField(total.amount) : null,
					currency: daily?.currencyCode ?? total?.currencyCode ?? null,
					raw: c,
				});
			}
		}
		return { campaigns, meta: toCallMeta(before, this.http.executor.stats, pages) };
	}

	/** Pages of the account's campaigns (`q=search`), following `metadata.nextPageToken` until it is absent or repeats. */
	private async *campaignPages(context: CallContext, id: string): AsyncGenerator<LinkedInPage<Record<string, unknown>>> {
		let pageToken: string | undefined;
		do {
			const { data } = await this.http.request<LinkedInPage<Record<string, unknown>>>(context, {
				method: 'GET',
				url: `/rest/adAccounts/${encodeURIComponent(id)}/adCampaigns`,
				params: { q: 'search', pageSize: this.config.pageSize ?? 100, ...(pageToken ? { pageToken } : {}) },
			});
			yield data;
			const next = data.metadata?.nextPageToken;
			pageToken = next && next !== pageToken ? next : undefined;
		} while (pageToken);
	}

	private accountInfo(accountId: string, signal?: AbortSignal): Promise<AccountInfo> {
		const id = linkedInAccountId(accountId);
		return cachedAccountInfo(this.accounts, id, () => this.describeAccount(id, signal));
	}

	/** A campaign entity → its state (budget in the account currency, creation from the audit stamp). */
	campaignState(c: Record<string, unknown>, account: AccountInfo): CampaignState {
		const daily = c.dailyBudget as { amount?: unknown; currencyCode?: unknown } | undefined;
		const total = c.totalBudget as { amount?: unknown } | undefined;
		const amount = daily ? decimalField(daily.amount) : null;
		const currency = typeof daily?.currencyCode === 'string' ? daily.currencyCode : account.currency;
		let dailyBudget: number | null = typeof amount === 'number' && Number.isFinite(amount) && amount > 0 ? amount : null;
		let note: string | null = null;
		if (daily && dailyBudget === null) note = `dailyBudget.amount ${JSON.stringify(daily.amount)} is not a positive amount`;
		else if (dailyBudget !== null && account.currency && currency !== account.currency) {
			note = `the daily budget is in ${String(currency)}, the account in ${account.currency}`;
			dailyBudget = null;
		} else if (dailyBudget === null) note = total ? 'the campaign has a total budget only, no daily budget' : 'the campaign has no daily budget';
		const stamps = c.changeAuditStamps as { created?: { time?: unknown } } | undefined;
		const platformStatus = typeof c.status === 'string' ? c.status : null;
		const name = typeof c.name === 'string' ? c.name : null;
		return campaignStateOf(account, { platform: 'linkedin', campaignId: String(c.id ?? ''), name, platformStatus, dailyBudget, budgetNote: note, createdAt: instantToIso(stamps?.created?.time), raw: c });
	}

	async listCampaignStates(accountId: string, signal?: AbortSignal): Promise<CampaignStates> {
		const id = linkedInAccountId(accountId);
		const pages = () => this.campaignPages({ call: 'listCampaignStates', accountId: id, signal }, id);
		return pagedCampaignStates(this, this.accounts, id, signal, pages, (data) => data.elements);
	}

	/**
	 * Changes of the account's campaigns since `since`, from one paged read of
	 * the campaigns (the same finder as the listing, never a read per
	 * campaign). LinkedIn keeps no change history: `changeAuditStamps.lastModified`
	 * says only when a campaign was last modified, not what or by whom, so each
	 * campaign modified after `since` gives one change of kind `other` (the
	 * run tells the package's own changes apart by their time).
	 */
	async listCampaignChanges(accountId: string, since: string, signal?: AbortSignal): Promise<CampaignChange[]> {
		const id = linkedInAccountId(accountId);
		const sinceMs = Date.parse(since);
		if (!Number.isFinite(sinceMs)) throw new RangeError(`LinkedIn: since must be an ISO-8601 instant, got ${since}`);
		const out: CampaignChange[] = [];
		for await (const data of this.campaignPages({ call: 'listCampaignChanges', accountId: id, signal }, id)) {
			for (const c of data.elements ?? []) {
				const change = linkedInChangeFromCampaign(c, id, sinceMs);
				if (change) out.push(change);
			}
		}
		return out;
	}

	async getCampaignState(accountId: string, campaignId: string, signal?: AbortSignal): Promise<CampaignState | null> {
		const id = linkedInAccountId(accountId);
		const campaign = linkedInCampaignId(id, 'getCampaignState', campaignId);
		const account = await this.accountInfo(id, signal);
		try {
			const { data } = await this.http.request<Record<string, unknown>>(
				{ call: `getCampaignState campaign ${campaign}`, accountId: id, signal },
				{ method: 'GET', url: `/rest/adAccounts/${encodeURIComponent(id)}/adCampaigns/${campaign}` },
			);
			return this.campaignState(data, account);
		} catch (error) {
			if (error instanceof PlatformApiError && error.kind === 'not_found') return null;
			throw error;
		}
	}

	private async change(call: CampaignChangeResult['call'], target: CampaignChangeTarget, campaign: string, set: Record<string, unknown>, request: CampaignChangeResult['request']): Promise<CampaignChangeResult> {
		const id = linkedInAccountId(target.accountId);
		const label = `${call} campaign ${campaign}`;
		if (target.validateOnly) throw refusedChange('linkedin', id, label, 'LinkedIn has no validate-only mode', 'run without validateOnly (dry-run checks nothing on LinkedIn)');
		const before = { ...this.http.executor.stats };
		const { status, data } = await this.http.request<Record<string, unknown>>(
			// setting a value is idempotent: retried, and the final error is marked unknown when an attempt may have applied it
			{ call: `${label} → ${request.status ?? `daily budget ${request.platformAmount} ${request.currency}`}`, accountId: id, signal: target.signal, sideEffect: 'idempotent' },
			{
				method: 'POST',
				url: `/rest/adAccounts/${encodeURIComponent(id)}/adCampaigns/${campaign}`,
				headers: { 'X-RestLi-Method': 'PARTIAL_UPDATE', 'content-type': 'application/json' },
				data: { patch: { $set: set } },
				transformResponse: [parseMaybeEmpty],
			},
		);
		return { platform: 'linkedin', accountId: id, campaignId: campaign, call, request, validateOnly: false, response: { httpStatus: status, ...data }, meta: toCallMeta(before, this.http.executor.stats, 1) };
	}

	/** One creative's state (`GET /rest/adAccounts/{id}/creatives/{urn}`: `intendedStatus`); null when the account has no such creative. */
	async getAdState(accountId: string, adId: string, signal?: AbortSignal): Promise<AdState | null> {
		const id = linkedInAccountId(accountId);
		const creative = linkedInCreativeId(id, 'getAdState', adId);
		try {
			const { data } = await this.http.request<Record<string, unknown>>(
				{ call: `getAdState creative ${creative}`, accountId: id, signal },
				{ method: 'GET', url: `/rest/adAccounts/${encodeURIComponent(id)}/creatives/${encodeURIComponent(`urn:li:sponsoredCreative:${creative}`)}` },
			);
			const status = typeof data.intendedStatus === 'string' ? data.intendedStatus : '';
			const campaign = parseLinkedInUrn(data.campaign);
			return { platform: 'linkedin', accountId: id, campaignId: campaign ? campaign.id : null, adGroupId: null, adId: creative, name: typeof data.name === 'string' ? data.name : null, status: status || 'UNKNOWN', platformStatus: status || null, raw: data };
		} catch (error) {
			if (error instanceof PlatformApiError && error.kind === 'not_found') return null;
			throw error;
		}
	}

	/** Pause or activate one creative (a partial update of `intendedStatus`); LinkedIn has no validate-only mode. */
	async setAdStatus(input: AdStatusTarget): Promise<AdStatusResult> {
		const id = linkedInAccountId(input.accountId);
		const creative = linkedInCreativeId(id, 'setAdStatus', input.adId);
		const label = `setAdStatus creative ${creative}`;
		checkStatusInput('linkedin', id, label, input.status, 'pause or activate only');
		if (input.validateOnly) throw refusedChange('linkedin', id, label, 'LinkedIn has no validate-only mode', 'run without validateOnly (dry-run checks nothing on LinkedIn)');
		const before = { ...this.http.executor.stats };
		const { status, data } = await this.http.request<Record<string, unknown>>(
			// setting a status is idempotent: retried, and the final error is marked unknown when an attempt may have applied it
			{ call: `${label} → ${input.status}`, accountId: id, signal: input.signal, sideEffect: 'idempotent' },
			{
				method: 'POST',
				url: `/rest/adAccounts/${encodeURIComponent(id)}/creatives/${encodeURIComponent(`urn:li:sponsoredCreative:${creative}`)}`,
				headers: { 'X-RestLi-Method': 'PARTIAL_UPDATE', 'content-type': 'application/json' },
				data: { patch: { $set: { intendedStatus: input.status } } },
				transformResponse: [parseMaybeEmpty],
			},
		);
		return { platform: 'linkedin', accountId: id, adId: creative, call: 'setAdStatus', request: { status: input.status }, validateOnly: false, response: { httpStatus: status, ...data }, meta: toCallMeta(before, this.http.executor.stats, 1) };
	}

	/** Pause or activate a campaign (`status`; a partial update). */
	async setStatus(input: CampaignChangeTarget & { status: 'ACTIVE' | 'PAUSED' }): Promise<CampaignChangeResult> {
		const id = linkedInAccountId(input.accountId);
		const campaign = linkedInCampaignId(id, 'setStatus', input.campaignId);
		checkStatusInput('linkedin', id, `setStatus campaign ${campaign}`, input.status, 'pause or activate only');
		return this.change('setStatus', input, campaign, { status: input.status }, { status: input.status });
	}

	/** Set `dailyBudget` (`{amount: "123.45", currencyCode}`), major units of the account currency. */
	async setDailyBudget(input: CampaignChangeTarget & { dailyBudget: number; currency: string }): Promise<CampaignChangeResult> {
		const id = linkedInAccountId(input.accountId);
		const campaign = linkedInCampaignId(id, 'setDailyBudget', input.campaignId);
		const call = `setDailyBudget campaign ${campaign}`;
		const account = await this.accountInfo(id, input.signal);
		checkBudgetInput('linkedin', id, call, input.dailyBudget, input.currency, account.currency);
		const digits = currencyExponent(input.currency) as number;
		// "123.45" / "100.00": every digit of the currency, as Campaign Manager shows it
		const amount = scaledIntegerToDecimalString(majorToScaled(input.dailyBudget, digits), digits, true);
		return this.change('setDailyBudget', input, campaign, { dailyBudget: { amount, currencyCode: input.currency } }, { dailyBudget: input.dailyBudget, currency: input.currency, platformAmount: amount });
	}

	/** Daily adAnalytics elements of one account (`baseQuery` of `linkedInAnalyticsQuery`), each mapped by `map`; paged by token or start. */
	private async dailyAnalytics<R>(query: DailyMetricsQuery, call: string, fields: { pivots?: readonly string[] }, map: (e: Record<string, unknown>, account: AccountInfo, names: Map<string, string | null>, warnings: string[]) => R): Promise<{ rows: R[]; account: AccountInfo; meta: CallMeta; warnings: string[] }> {
		parseDay(query.since);
		parseDay(query.until);
		const before = { ...this.http.executor.stats };
		const account = await this.describeAccount(query.accountId, query.signal);
		const { campaigns } = await this.listCampaigns(account.accountId, query.signal);
		const names = new Map(campaigns.map((c) => [c.campaignId, c.name]));
		const rows: R[] = [];
		const warnings: string[] = [];
		let pages = 0;
		const baseQuery = linkedInAnalyticsQuery(account.accountId, query.since, query.until, LINKEDIN_ANALYTICS_FIELDS, fields.pivots);
		let start = 0;
		let pageToken: string | undefined;
		for (;;) {
			const extra = pageToken ? `&pageToken=${encodeURIComponent(pageToken)}` : start > 0 ? `&start=${start}` : '';
			const { data } = await this.http.request<LinkedInPage<Record<string, unknown>>>(
				{ call, accountId: account.accountId, signal: query.signal },
				{ method: 'GET', url: `/rest/adAnalytics?${baseQuery}${extra}` },
			);
			pages += 1;
			const elements = Array.isArray(data.elements) ? data.elements : [];
			for (const e of elements) rows.push(map(e, account, names, warnings));
			const next = data.metadata?.nextPageToken;
			if (next && next !== pageToken) {
				pageToken = next;
				continue;
			}
			const p = data.paging;
			if (!next && p && typeof p.total === 'number' && typeof p.count === 'number' && p.count > 0 && elements.length > 0 && (p.start ?? 0) + p.count < p.total) {
				start = (p.start ?? 0) + p.count;
				continue;
			}
			break;
		}
		return { rows, account, meta: toCallMeta(before, this.http.executor.stats, pages), warnings };
	}

	/** An element's metrics as a campaign row of `campaignId`. */
	private analyticsRow(e: Record<string, unknown>, account: AccountInfo, campaignId: string, names: Map<string, string | null>): DailyMetricRow {
		return {
			platform: 'linkedin',
			accountId: account.accountId,
			campaignId,
			campaignName: names.get(campaignId) ?? null,
			date: dateRangeStart(e.dateRange),
			currency: account.currency,
			...reportedMetrics({ spend: e.costInLocalCurrency, impressions: e.impressions, clicks: e.clicks, conversions: e.externalWebsiteConversions, revenue: e.conversionValueInLocalCurrency, leads: e.oneClickLeads }),
			raw: e,
		};
	}

	async fetchDailyMetrics(query: DailyMetricsQuery): Promise<DailyMetricsResult> {
		return this.dailyAnalytics(query, 'fetchDailyMetrics', {}, (e, account, names, warnings) => {
			const pivot = Array.isArray(e.pivotValues) ? e.pivotValues[0] : e.pivotValue;
			const urn = parseLinkedInUrn(pivot);
			if (!urn) warnings.push(`analytics element without a campaign URN: ${JSON.stringify(pivot)}`);
			return this.analyticsRow(e, account, urn?.id ?? '', names);
		});
	}

	/** Daily metrics per creative (issue 20, ./ad-report.ts): `q=statistics&pivots=List(CAMPAIGN,CREATIVE)`; the campaign stands as the ad group. */
	async fetchAdDailyMetrics(query: DailyMetricsQuery): Promise<AdMetricsResult> {
		return this.dailyAnalytics(query, 'fetchAdDailyMetrics', { pivots: LINKEDIN_AD_PIVOTS }, (e, account, names) => {
			const { campaignId, ...ad } = linkedInAdIdentity(e.pivotValues, null);
			return { ...this.analyticsRow(e, account, campaignId, names), ...ad, adGroupName: names.get(campaignId) ?? null };
		});
	}

	/** The ad accounts the member may use (`GET /rest/adAccounts?q=search`), for the account pickers. */
	async listAdAccounts(signal?: AbortSignal): Promise<AccountInfo[]> {
		const out: AccountInfo[] = [];
		let pageToken: string | undefined;
		do {
			const { data } = await this.http.request<LinkedInPage<Record<string, unknown>>>(
				{ call: 'listAdAccounts', accountId: '', signal },
				{ method: 'GET', url: '/rest/adAccounts', params: { q: 'search', pageSize: this.config.pageSize ?? 100, ...(pageToken ? { pageToken } : {}) } },
			);
			for (const raw of data.elements ?? []) {
				out.push(linkedInAccountInfo(linkedInAccountId(String(raw.id ?? '')), raw));
			}
			const next = data.metadata?.nextPageToken;
			pageToken = next && next !== pageToken ? next : undefined;
		} while (pageToken);
		return out;
	}

	/** How this platform publishes ads (issue 20): creative/publish.ts reads it. */
	readonly adPublishing = LINKEDIN_AD_PUBLISHING;

	/** Publishes one sponsored content creative with its inline post from approved copy (issue 20, ./ad-publish.ts). */
	createAd(input: CreateAdInput): Promise<CreatedAd> {
		return linkedinCreateAd(this.http, input);
	}

	/** The creative `createAd` made for `input`, found by its name among the campaign's creatives; null when there is none. */
	findAd(input: CreateAdInput): Promise<CreatedAd | null> {
		return linkedinFindAd(this.http, input);
	}
}
