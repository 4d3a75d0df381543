/**
 * Klaviyo adapter: email (and optionally SMS) revenue and conversions joined
 * into the same daily row model as the ad platforms, with spend 0, so ROAS
 * and CPL across channels can include email.
 *
 * - Auth `Authorization: Klaviyo-API-Key <private key>`, `revision` header pinned (default 2025-10-15).
 * - Conversion metric: `conversionMetricId`, or looked up in `GET /api/metrics/`
 *   by name (default "Placed Order"; first match, ambiguity reported as a warning).
 * - Reports: `POST /api/campaign-values-reports/` and `/api/flow-values-reports/`,
 *   **one request per day** (timeframe = that day in the company timezone, as
 *   Klaviyo applies it), so each result is one campaign/flow on one day.
 *   Values reports attribute to the send, like the Klaviyo UI; the series
 *   endpoint would save calls for flows but there is none for campaigns, so
 *   both use the same per-day shape. Cost: 2 report calls per day of window
 *   (one per endpoint). Klaviyo allows each values-report endpoint 1/s burst,
 *   2/min steady and 225/day per account, so the adapter paces them itself:
 *   one a second per endpoint always (`reportLimits`, a sliding window on the
 *   executor's clock), and when an answer says the steady window is used up
 *   (`RateLimit-Remaining: 0`, Klaviyo's headers on every non-429 answer) no
 *   request to that endpoint before `RateLimit-Reset` seconds have passed. A
 *   60-day backfill is never refused and takes about half an hour at Klaviyo's
 *   2/min; the wait is in the result's `meta.rateLimitWaitMs` and a warning
 *   says it in words. A window longer than 225 days is refused before any
 *   request.
 * - Results (one per campaign × message × channel) are summed per campaign /
 *   flow per day. Mapping: impressions = delivered, clicks = clicks_unique,
 *   conversions = conversions, revenue = conversion_value, spend = 0, leads = null.
 * - Ids: campaigns keep Klaviyo's campaign id; flows are `flow:<flow id>` so the
 *   two id spaces never meet in the natural key.
 */
import type { CallContext } from '../resilience/call-policy';
import { HttpTransport, type HttpOptions, type HttpResponse, type InterpretedError } from './http';
import { PlatformApiError } from '../resilience/errors';
import { KeyedRateLimiter, WindowRateLimiter, unlimited, type RateWindow } from '../resilience/rate-limiter';
import { decimalField, sumFields, type NumericField } from './money';
import { DAY_MS, utcDate } from '../text/dates';
import { eachDay, parseDay, toCallMeta, type AccountInfo, type CampaignInfo, type CampaignList, type DailyMetricRow, type DailyMetricsQuery, type DailyMetricsResult, type PlatformAdapter } from './types';
import { pinnedApiVersion } from './registry';

export const KLAVIYO_DEFAULT_BASE_URL = 'https://a.klaviyo.com';
export const KLAVIYO_DEFAULT_REVISION = pinnedApiVersion('klaviyo');
export const KLAVIYO_REPORT_STATISTICS = ['conversions', 'conversion_value', 'clicks_unique', 'delivered', 'recipients'] as const;

/**
 * Klaviyo's limits of each values-report endpoint (campaign-values-reports,
 * flow-values-reports), per account: burst 1/s, steady 2/m, daily 225/d
 * (API reference of Query Campaign Values and Query Flow Values). The burst
 * window is kept client-side; the steady window is followed from Klaviyo's
 * `RateLimit-Remaining` / `RateLimit-Reset` answers (a client-side 2/min would
 * also hold when Klaviyo grants more); the daily one is checked per run.
 */
export const KLAVIYO_REPORT_LIMITS: readonly RateWindow[] = [{ points: 1, durationMs: 1_000 }];
export const KLAVIYO_REPORT_DAILY_LIMIT = 225;

/** "29 minutes 30 seconds", "1 hour 2 minutes", "less than a second". */
export function waitInWords(ms: number): string {
	const total = Math.round(ms / 1000);
	if (total < 1) return 'less than a second';
	const parts: string[] = [];
	const h = Math.floor(total / 3600);
	const m = Math.floor((total % 3600) / 60);
	const sec = total % 60;
	if (h) parts.push(`${h} hour${h === 1 ? '' : 's'}`);
	if (m) parts.push(`${m} minute${m === 1 ? '' : 's'}`);
	if (sec && !h) parts.push(`${sec} second${sec === 1 ? '' : 's'}`);
	return parts.join(' ');
}

export interface KlaviyoAdapterConfig extends HttpOptions {
	/** Private API key (pk_…); scopes accounts:read, metrics:read, campaigns:read, flows:read. */
	apiKey: string;
	revision?: string;
	/** Conversion metric id; looked up by `conversionMetricName` when absent. */
	conversionMetricId?: string;
	conversionMetricName?: string;
	/** Send channels to include (default ['email']). */
	sendChannels?: readonly string[];
	includeCampaigns?: boolean;
	includeFlows?: boolean;
	/** Pacing of the values-report endpoints (default KLAVIYO_REPORT_LIMITS); `false` sends them unpaced (Klaviyo then answers 429). */
	reportLimits?: readonly RateWindow[] | false;
}

interface JsonApiList<T> {
	data?: T[];
	links?: { next?: string | null };
}

interface JsonApiResource {
	id?: string;
	type?: string;
	attributes?: Record<string, unknown>;
}

interface ValuesReportResponse {
	data?: { attributes?: { results?: KlaviyoValuesResult[] } };
	links?: { next?: string | null };
}

export interface KlaviyoValuesResult {
	groupings?: Record<string, unknown>;
	statistics?: Record<string, unknown>;
}

export function interpretKlaviyoError(status: number, body: unknown, _headers: Record<string, unknown>, _context: CallContext, revision: string): InterpretedError {
	const first = body && typeof body === 'object' && Array.isArray((body as { errors?: unknown }).errors) ? ((body as { errors: Record<string, unknown>[] }).errors[0] ?? {}) : {};
	const code = typeof first.code === 'string' ? first.code : undefined;
	const message = [first.title, first.detail].filter((m) => typeof m === 'string' && m).join(': ') || undefined;
	const out: InterpretedError = { code, message, requestId: typeof first.id === 'string' ? first.id : undefined };
	if (status === 401 || code === 'not_authenticated' || code === 'authentication_failed') {
		return { ...out, kind: 'auth', retryable: false, hint: 'Klaviyo rejected the private API key: create a new private key (pk_…) and update the credential' };
	}
	if (status === 403 || code === 'permission_denied') {
		return { ...out, kind: 'permission', retryable: false, hint: 'the private API key lacks a scope: it needs accounts:read, metrics:read, campaigns:read and flows:read' };
	}
	if (status === 400 && /revision/i.test(message ?? '')) {
		return { ...out, kind: 'bad_request', retryable: false, hint: `Klaviyo revision ${revision} is not accepted: set a current revision (YYYY-MM-DD) in the credential` };
	}
	return out;
}

function nextDay(day: string): string {
	return utcDate(parseDay(day) + DAY_MS);
}

/** Sum values-report results per campaign/flow id, keeping the raw results of each group. */
export function groupValuesResults(results: unknown, idKey: 'campaign_id' | 'flow_id', channels: readonly string[]): Map<string, { stats: Record<string, NumericField>; raw: KlaviyoValuesResult[]; name: string | null }> {
	const groups = new Map<string, { parts: Record<string, NumericField[]>; raw: KlaviyoValuesResult[]; name: string | null }>();
	for (const result of Array.isArray(results) ? (results as KlaviyoValuesResult[]) : []) {
		const g = result.groupings ?? {};
		const channel = typeof g.send_channel === 'string' ? g.send_channel : undefined;
		if (channel !== undefined && !channels.includes(channel)) continue;
		const id = g[idKey] === undefined || g[idKey] === null ? '' : String(g[idKey]);
		let group = groups.get(id);
		if (!group) {
			group = { parts: {}, raw: [], name: typeof g.flow_name === 'string' ? g.flow_name : null };
			groups.set(id, group);
		}
		group.raw.push(result);
		for (const stat of KLAVIYO_REPORT_STATISTICS) {
			(group.parts[stat] ??= []).push(decimalField(result.statistics?.[stat]));
		}
	}
	const out = new Map<string, { stats: Record<string, NumericField>; raw: KlaviyoValuesResult[]; name: string | null }>();
	for (const [id, g] of groups) {
		const stats: Record<string, NumericField> = {};
		for (const stat of KLAVIYO_REPORT_STATISTICS) stats[stat] = sumFields(g.parts[stat] ?? []) ?? 0;
		out.set(id, { stats, raw: g.raw, name: g.name });
	}
	return out;
}

export class KlaviyoAdapter implements PlatformAdapter {
	readonly platform = 'klaviyo' as const;
	readonly http: HttpTransport;
	readonly revision: string;
	private readonly channels: readonly string[];
	private readonly reportPacer?: WindowRateLimiter;

	constructor(private readonly config: KlaviyoAdapterConfig) {
		if (!config.apiKey) throw new TypeError('Klaviyo: apiKey is required');
		this.revision = config.revision || KLAVIYO_DEFAULT_REVISION;
		if (!/^\d{4}-\d{2}-\d{2}(\.[a-z0-9]+)?$/.test(this.revision)) throw new TypeError(`Klaviyo: revision must be YYYY-MM-DD, got ${this.revision}`);
		this.channels = config.sendChannels ?? ['email'];
		const limits = config.reportLimits ?? KLAVIYO_REPORT_LIMITS;
		this.reportPacer = limits === false ? undefined : new WindowRateLimiter(limits, { clock: config.clock, maxWaitMs: 5 * 60_000 });
		const rateLimiter = this.reportPacer ? new KeyedRateLimiter([{ prefix: 'klaviyo:reports:', limiter: this.reportPacer }], config.rateLimiter ?? unlimited) : config.rateLimiter;
		this.http = new HttpTransport(
			'klaviyo',
			{
				...config,
				...(rateLimiter ? { rateLimiter } : {}),
				defaultBaseUrl: KLAVIYO_DEFAULT_BASE_URL,
				headers: {
					Authorization: `Klaviyo-API-Key ${config.apiKey}`,
					revision: this.revision,
					Accept: 'application/vnd.api+json',
					'Content-Type': 'application/vnd.api+json',
				},
			},
			(status, body, headers, context) => interpretKlaviyoError(status, body, headers, context, this.revision),
			() => [config.apiKey],
		);
	}

	/** Path + query of an absolute `links.next`, so paging stays on the configured base URL. */
	private relative(link: string): string {
		const u = new URL(link, this.http.baseUrl);
		return u.pathname + u.search;
	}

	private async *list(context: CallContext, path: string, params?: Record<string, string>): AsyncGenerator<JsonApiResource[]> {
		let url: string | undefined = path;
		let first = true;
		const seen = new Set<string>();
		while (url) {
			const { data }: HttpResponse<JsonApiList<JsonApiResource>> = await this.http.request<JsonApiList<JsonApiResource>>(context, { method: 'GET', url, params: first ? params : undefined });
			first = false;
			yield Array.isArray(data.data) ? data.data : [];
			const next: string | undefined = data.links?.next ? this.relative(data.links.next) : undefined;
			url = next && !seen.has(next) ? next : undefined;
			if (next) seen.add(next);
		}
	}

	async describeAccount(accountId: string, signal?: AbortSignal): Promise<AccountInfo> {
		const { data } = await this.http.request<JsonApiList<JsonApiResource>>({ call: 'describeAccount', accountId, signal }, { method: 'GET', url: '/api/accounts/' });
		const account = Array.isArray(data.data) ? data.data[0] : undefined;
		const attributes = account?.attributes ?? {};
		const contact = (attributes.contact_information ?? {}) as Record<string, unknown>;
		return {
			platform: 'klaviyo',
			accountId: account?.id ?? accountId,
			name: typeof contact.organization_name === 'string' ? contact.organization_name : null,
			currency: typeof attributes.preferred_currency === 'string' ? attributes.preferred_currency : null,
			timezone: typeof attributes.timezone === 'string' ? attributes.timezone : null,
			status: null,
			raw: account ?? data,
		};
	}

	/** The conversion metric id: configured, or the first metric named `conversionMetricName`. */
	async conversionMetric(accountId: string, warnings: string[], signal?: AbortSignal): Promise<string> {
		if (this.config.conversionMetricId) return this.config.conversionMetricId;
		const name = this.config.conversionMetricName ?? 'Placed Order';
		const found: JsonApiResource[] = [];
		for await (const page of this.list({ call: 'conversionMetric', accountId, signal }, '/api/metrics/')) {
			found.push(...page.filter((m) => m.attributes?.name === name));
		}
		if (found.length === 0) {
			throw new PlatformApiError({
				platform: 'klaviyo',
				accountId,
				call: 'conversionMetric',
				kind: 'config',
				retryable: false,
				hint: `no metric named "${name}" in this Klaviyo account: set the conversion metric id (or its exact name) in the node`,
			});
		}
		if (found.length > 1) {
			warnings.push(`Klaviyo has ${found.length} metrics named "${name}" (${found.map((m) => m.id).join(', ')}); used ${found[0].id}. Set the conversion metric id to choose.`);
		}
		return String(found[0].id);
	}

	async listCampaigns(accountId: string, signal?: AbortSignal): Promise<CampaignList> {
		const before = { ...this.http.executor.stats };
		const campaigns: CampaignInfo[] = [];
		let pages = 0;
		const context = { call: 'listCampaigns', accountId, signal };
		const push = (r: JsonApiResource, id: string) =>
			campaigns.push({
				platform: 'klaviyo',
				accountId,
				campaignId: id,
				name: typeof r.attributes?.name === 'string' ? r.attributes.name : null,
				status: typeof r.attributes?.status === 'string' ? r.attributes.status : null,
				dailyBudget: null,
				lifetimeBudget: null,
				currency: null,
				raw: r,
			});
		if (this.config.includeCampaigns !== false) {
			for (const channel of this.channels) {
				for await (const page of this.list(context, '/api/campaigns/', { filter: `equals(messages.channel,'${channel}')` })) {
					pages += 1;
					for (const r of page) push(r, String(r.id ?? ''));
				}
			}
		}
		if (this.config.includeFlows !== false) {
			for await (const page of this.list(context, '/api/flows/')) {
				pages += 1;
				for (const r of page) push(r, `flow:${r.id ?? ''}`);
			}
		}
		return { campaigns, meta: toCallMeta(before, this.http.executor.stats, pages) };
	}

	private async valuesReport(kind: 'campaign' | 'flow', day: string, metricId: string, context: CallContext): Promise<{ results: KlaviyoValuesResult[]; pages: number }> {
		const groupBy = kind === 'campaign' ? ['campaign_id', 'campaign_message_id', 'send_channel'] : ['flow_id', 'flow_message_id', 'flow_name', 'send_channel'];
		const body = {
			data: {
				type: `${kind}-values-report`,
				attributes: {
					statistics: [...KLAVIYO_REPORT_STATISTICS],
					timeframe: { start: `${day}T00:00:00+00:00`, end: `${nextDay(day)}T00:00:00+00:00` },
					conversion_metric_id: metricId,
					group_by: groupBy,
					filter: `contains-any(send_channel,[${this.channels.map((c) => JSON.stringify(c)).join(',')}])`,
				},
			},
		};
		const results: KlaviyoValuesResult[] = [];
		let url: string | undefined = `/api/${kind}-values-reports/`;
		let pages = 0;
		const seen = new Set<string>();
		const rateLimitKey = `klaviyo:reports:${kind}-values-reports:${context.accountId ?? ''}`;
		while (url) {
			const { data, headers }: HttpResponse<ValuesReportResponse> = await this.http.request<ValuesReportResponse>({ ...context, rateLimitKey }, { method: 'POST', url, data: body });
			this.followRateLimitHeaders(rateLimitKey, headers);
			pages += 1;
			const page = data.data?.attributes?.results;
			if (Array.isArray(page)) results.push(...page);
			const next: string | undefined = data.links?.next ? this.relative(data.links.next) : undefined;
			url = next && !seen.has(next) ? next : undefined;
			if (next) seen.add(next);
		}
		return { results, pages };
	}

	/** `RateLimit-Remaining: 0` → hold the endpoint for `RateLimit-Reset` seconds (rounded up, plus a quarter second). */
	private followRateLimitHeaders(key: string, headers: Record<string, unknown>): void {
		if (!this.reportPacer) return;
		const get = (name: string): number | undefined => {
			const entry = Object.entries(headers).find(([k]) => k.toLowerCase() === name);
			const v = Array.isArray(entry?.[1]) ? entry[1][0] : entry?.[1];
			const n = typeof v === 'string' || typeof v === 'number' ? Number(v) : NaN;
			return Number.isFinite(n) ? n : undefined;
		};
		const remaining = get('ratelimit-remaining');
		const reset = get('ratelimit-reset');
		if (remaining !== undefined && remaining <= 0 && reset !== undefined && reset >= 0) this.reportPacer.hold(key, Math.ceil(reset) * 1000 + 250);
	}

	async fetchDailyMetrics(query: DailyMetricsQuery): Promise<DailyMetricsResult> {
		const days = eachDay(query.since, query.until);
		if (this.config.reportLimits !== false && days.length > KLAVIYO_REPORT_DAILY_LIMIT) {
			throw new PlatformApiError({
				platform: 'klaviyo',
				accountId: query.accountId,
				call: 'fetchDailyMetrics',
				kind: 'config',
				retryable: false,
				hint: `a window of ${days.length} days needs ${days.length} values reports of each kind, and Klaviyo allows ${KLAVIYO_REPORT_DAILY_LIMIT} a day per account: ingest at most ${KLAVIYO_REPORT_DAILY_LIMIT} days per run`,
			});
		}
		const before = { ...this.http.executor.stats };
		const warnings: string[] = [];
		const account = await this.describeAccount(query.accountId, query.signal);
		const metricId = await this.conversionMetric(account.accountId, warnings, query.signal);
		const list = await this.listCampaigns(account.accountId, query.signal);
		const names = new Map(list.campaigns.map((c) => [c.campaignId, c.name]));
		let pages = list.meta.pages;
		const rows: DailyMetricRow[] = [];
		const kinds: Array<'campaign' | 'flow'> = [];
		if (this.config.includeCampaigns !== false) kinds.push('campaign');
		if (this.config.includeFlows !== false) kinds.push('flow');
		for (const day of days) {
			for (const kind of kinds) {
				const { results, pages: p } = await this.valuesReport(kind, day, metricId, { call: `${kind}ValuesReport`, accountId: account.accountId, signal: query.signal });
				pages += p;
				for (const [id, group] of groupValuesResults(results, kind === 'campaign' ? 'campaign_id' : 'flow_id', this.channels)) {
					const campaignId = kind === 'flow' ? `flow:${id}` : id;
					rows.push({
						platform: 'klaviyo',
						accountId: account.accountId,
						campaignId,
						campaignName: names.get(campaignId) ?? group.name,
						date: day,
						currency: account.currency,
						spend: 0,
						impressions: group.stats.delivered,
						clicks: group.stats.clicks_unique,
						conversions: group.stats.conversions,
						revenue: group.stats.conversion_value,
						leads: null,
						raw: { kind, day, conversion_metric_id: metricId, results: group.raw },
					});
				}
			}
		}
		const meta = toCallMeta(before, this.http.executor.stats, pages);
		const reports = days.length * kinds.length;
		if (meta.rateLimitWaitMs >= 1000) {
			warnings.push(`Klaviyo's reporting limits (per report type one values report a second, and as many a minute as Klaviyo grants: two on its published limits) paced ${reports} report requests: the run waited ${waitInWords(meta.rateLimitWaitMs)} for them.`);
		}
		return { rows, account, meta, warnings };
	}

	/** The one account the API key belongs to (`GET /api/accounts/`), for the account pickers. */
	async listAdAccounts(signal?: AbortSignal): Promise<AccountInfo[]> {
		return [await this.describeAccount('', signal)];
	}
}
