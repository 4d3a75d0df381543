/**
 * Daily series per entity (a campaign, or an account as the sum of its
 * campaigns) and metric, from `campaign_performance` rows (objects or the
 * store's columnar read). The rows' dates are already each account's own
 * calendar days (ingest asks every platform for days in the account's time
 * zone), so a series is that account's days in order.
 *
 * A day without a row is a gap (NaN), never a zero: platforms skip days
 * without delivery in some reports and a missing day must not read as a
 * collapse. A row with zeros is a zero. Revenue that no row of the day
 * reports is a gap for revenue and ROAS.
 */
import { dayNumber, dayString } from './days';

export const INSIGHT_METRICS = ['spend', 'impressions', 'clicks', 'conversions', 'revenue', 'ctr', 'cpc', 'cpa', 'roas'] as const;
export type InsightMetric = (typeof INSIGHT_METRICS)[number];

export const METRIC_LABELS: Record<InsightMetric, string> = {
	spend: 'spend',
	impressions: 'impressions',
	clicks: 'clicks',
	conversions: 'conversions',
	revenue: 'revenue',
	ctr: 'click-through rate',
	cpc: 'cost per click',
	cpa: 'cost per conversion',
	roas: 'return on ad spend',
};

/** Metrics whose values are money in the row's reporting currency. */
export const MONEY_METRICS: ReadonlySet<InsightMetric> = new Set(['spend', 'revenue', 'cpc', 'cpa']);

type Num = number | string | null | undefined;

export interface PerformanceRow {
	date: string;
	platform: string;
	account_id: string;
	campaign_id: string;
	campaign_name?: string | null;
	currency: string;
	spend: Num;
	impressions: Num;
	clicks: Num;
	conversions: Num;
	revenue?: Num;
}

export interface PerformanceColumns {
	length: number;
	columns: {
		date: ReadonlyArray<string>;
		platform: ReadonlyArray<string>;
		account_id: ReadonlyArray<string>;
		campaign_id: ReadonlyArray<string>;
		currency: ReadonlyArray<string>;
		spend: ReadonlyArray<Num>;
		impressions: ReadonlyArray<Num>;
		clicks: ReadonlyArray<Num>;
		conversions: ReadonlyArray<Num>;
		revenue?: ReadonlyArray<Num>;
		campaign_name?: ReadonlyArray<string | null>;
	};
}

export interface EntitySeries {
	/** `platform|account` or `platform|account|campaign`. */
	key: string;
	platform: string;
	accountId: string;
	/** null: the account as a whole. */
	campaignId: string | null;
	campaignName: string | null;
	/** Day number of index 0; the series runs to `end` inclusive. */
	start: number;
	days: number;
	/** Reporting currency per day ('' on gap days). */
	currency: string[];
	spend: Float64Array;
	impressions: Float64Array;
	clicks: Float64Array;
	conversions: Float64Array;
	revenue: Float64Array;
}

function num(v: Num): number {
	if (v === null || v === undefined || v === '') return 0;
	const n = typeof v === 'number' ? v : Number(v);
	return Number.isFinite(n) ? n : 0;
}

function optNum(v: Num): number {
	if (v === null || v === undefined || v === '') return NaN;
	const n = typeof v === 'number' ? v : Number(v);
	return Number.isFinite(n) ? n : NaN;
}

export interface BuildOptions {
	/** Last day of every series (default: the latest date in the rows). */
	end?: string;
	/** Days per series (default 182). */
	historyDays?: number;
	/** Build account totals too (default true) and campaign series (default true). */
	accounts?: boolean;
	campaigns?: boolean;
}

/** Builds one series per campaign and per account over the same days [end − historyDays + 1, end]. */
export function buildSeries(input: readonly PerformanceRow[] | PerformanceColumns, options: BuildOptions = {}): EntitySeries[] {
	const isArray = Array.isArray(input);
	const rows = input as readonly PerformanceRow[];
	const cols = (input as PerformanceColumns).columns;
	const n = isArray ? rows.length : (input as PerformanceColumns).length;
	const colOf = (k: string): ReadonlyArray<unknown> | undefined => (isArray ? undefined : (cols as Record<string, ReadonlyArray<unknown>>)[k]);
	const direct: Record<string, ReadonlyArray<unknown> | undefined> = {};
	for (const k of ['date', 'platform', 'account_id', 'campaign_id', 'currency', 'spend', 'impressions', 'clicks', 'conversions', 'revenue', 'campaign_name']) direct[k] = colOf(k);
	const get = <K extends keyof PerformanceRow>(i: number, k: K): PerformanceRow[K] => (isArray ? rows[i][k] : (direct[k]?.[i] as PerformanceRow[K]));
	let endDay = options.end ? dayNumber(options.end) : -Infinity;
	const dayCache = new Map<string, number>();
	const dayOf = (d: string): number => {
		let v = dayCache.get(d);
		if (v === undefined) {
			v = dayNumber(d);
			dayCache.set(d, v);
		}
		return v;
	};
	if (!options.end) for (let i = 0; i < n; i++) endDay = Math.max(endDay, dayOf(get(i, 'date')));
	if (!Number.isFinite(endDay)) return [];
	const days = options.historyDays ?? 182;
	const start = endDay - days + 1;
	const wantAccounts = options.accounts !== false;
	const wantCampaigns = options.campaigns !== false;
	const map = new Map<string, EntitySeries>();
	const make = (key: string, platform: string, accountId: string, campaignId: string | null): EntitySeries => {
		const s: EntitySeries = {
			key,
			platform,
			accountId,
			campaignId,
			campaignName: null,
			start,
			days,
			currency: new Array<string>(days).fill(''),
			spend: new Float64Array(days).fill(NaN),
			impressions: new Float64Array(days).fill(NaN),
			clicks: new Float64Array(days).fill(NaN),
			conversions: new Float64Array(days).fill(NaN),
			revenue: new Float64Array(days).fill(NaN),
		};
		map.set(key, s);
		return s;
	};
	const add = (s: EntitySeries, t: number, currency: string, spend: number, imp: number, clk: number, conv: number, rev: number) => {
		if (Number.isNaN(s.spend[t])) {
			s.spend[t] = 0;
			s.impressions[t] = 0;
			s.clicks[t] = 0;
			s.conversions[t] = 0;
		}
		s.spend[t] += spend;
		s.impressions[t] += imp;
		s.clicks[t] += clk;
		s.conversions[t] += conv;
		if (!Number.isNaN(rev)) s.revenue[t] = (Number.isNaN(s.revenue[t]) ? 0 : s.revenue[t]) + rev;
		// an account mixing currencies on one day cannot be summed: mark it
		s.currency[t] = s.currency[t] === '' || s.currency[t] === currency ? currency : '*';
	};
	// entity lookup without building a key string per row: platform → account → campaign
	const byPlatform = new Map<string, Map<string, { account: EntitySeries | null; campaigns: Map<string, EntitySeries> }>>();
	const entry = (platform: string, account: string) => {
		let accounts = byPlatform.get(platform);
		if (!accounts) byPlatform.set(platform, (accounts = new Map()));
		let e = accounts.get(account);
		if (!e) accounts.set(account, (e = { account: null, campaigns: new Map() }));
		return e;
	};
	for (let i = 0; i < n; i++) {
		const t = dayOf(get(i, 'date')) - start;
		if (t < 0 || t >= days) continue;
		const platform = get(i, 'platform');
		const account = get(i, 'account_id');
		const campaign = get(i, 'campaign_id');
		const e = entry(platform, account);
		const currency = get(i, 'currency');
		const spend = num(get(i, 'spend'));
		const imp = num(get(i, 'impressions'));
		const clk = num(get(i, 'clicks'));
		const conv = num(get(i, 'conversions'));
		const rev = optNum(get(i, 'revenue'));
		if (wantCampaigns) {
			let s = e.campaigns.get(campaign);
			if (!s) e.campaigns.set(campaign, (s = make(`${platform}|${account}|${campaign}`, platform, account, campaign)));
			const name = get(i, 'campaign_name');
			if (name) s.campaignName = name;
			add(s, t, currency, spend, imp, clk, conv, rev);
		}
		if (wantAccounts) add((e.account ??= make(`${platform}|${account}`, platform, account, null)), t, currency, spend, imp, clk, conv, rev);
	}
	return [...map.values()];
}

/** The values of one metric (ratios of the day's sums; NaN where undefined) and the volume behind each day. */
export function metricSeries(s: EntitySeries, metric: InsightMetric, scratch?: { values: Float64Array; volume: Float64Array }): { values: Float64Array; volume: Float64Array } {
	const n = s.days;
	const values = scratch && scratch.values.length === n ? scratch.values : new Float64Array(n);
	const volume = scratch && scratch.volume.length === n ? scratch.volume : new Float64Array(n);
	const ratio = (num: Float64Array, den: Float64Array, scale = 1) => {
		for (let i = 0; i < n; i++) {
			const d = den[i];
			volume[i] = Number.isNaN(d) ? 0 : d;
			values[i] = d > 0 && !Number.isNaN(num[i]) ? (num[i] / d) * scale : NaN;
		}
	};
	switch (metric) {
		case 'spend':
		case 'impressions':
		case 'clicks':
		case 'conversions':
		case 'revenue': {
			const src = s[metric];
			for (let i = 0; i < n; i++) {
				values[i] = src[i];
				volume[i] = Number.isNaN(src[i]) ? 0 : src[i];
			}
			break;
		}
		case 'ctr':
			ratio(s.clicks, s.impressions);
			break;
		case 'cpc':
			ratio(s.spend, s.clicks);
			break;
		case 'cpa':
			ratio(s.spend, s.conversions);
			break;
		case 'roas':
			ratio(s.revenue, s.spend);
			break;
	}
	return { values, volume };
}

export function dateAt(s: Pick<EntitySeries, 'start'>, index: number): string {
	return dayString(s.start + index);
}

/** Entity label for people: "Meta account 123, campaign Summer sale (456)". */
export function entityLabel(s: Pick<EntitySeries, 'platform' | 'accountId' | 'campaignId' | 'campaignName'>): string {
	const platform = s.platform.charAt(0).toUpperCase() + s.platform.slice(1);
	if (s.campaignId === null) return `${platform} account ${s.accountId}`;
	const name = s.campaignName ? `${s.campaignName} (${s.campaignId})` : s.campaignId;
	return `${platform} account ${s.accountId}, campaign ${name}`;
}
