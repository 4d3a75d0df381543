/**
 * Daily KPIs per platform, account and campaign, read from the KPI views
 * through the store (`selectView`):
 *
 *   platform   mv_platform_comparison     one row per platform, day and reporting currency
 *   account    mv_account_daily_summary   one row per platform, account, day and reporting currency
 *   campaign   mv_campaign_daily_summary  one row per campaign and day
 *
 * The views sum campaign_performance per reporting currency (money is never
 * summed across currencies) and compute the ratios of the sums with the
 * definitions of nodes/shared/metrics (DERIVED_DEFINITIONS); `viewRatiosAgree`
 * recomputes them from a row's sums with `derivedMetrics` (PostgreSQL's
 * numeric division), which the contract test runs on every row it reads.
 */
import { derivedMetrics } from '../metrics';
import { dayNumber, dayString, isDay } from './days';
import { INSIGHT_METRICS, type InsightMetric } from './series';
import type { Store } from '../store/types';
import type { KpiSums, ViewName, ViewQuery, ViewRow } from '../store/views';

export const KPI_LEVELS = ['platform', 'account', 'campaign'] as const;
export type KpiLevel = (typeof KPI_LEVELS)[number];

/** The view each level is read from. */
export const KPI_VIEWS: { readonly [L in KpiLevel]: ViewName } = {
	platform: 'mv_platform_comparison',
	account: 'mv_account_daily_summary',
	campaign: 'mv_campaign_daily_summary',
};

/** The KPIs of a row: the nine insight metrics (INSIGHT_METRICS), null when not defined that day. */
export const KPI_METRICS = INSIGHT_METRICS;
export type KpiMetric = InsightMetric;

/** Metrics that are amounts of money (in the row's reporting currency). */
export const MONEY_METRICS: ReadonlySet<KpiMetric> = new Set<KpiMetric>(['spend', 'revenue', 'cpc', 'cpa']);

export interface KpiRow {
	level: KpiLevel;
	date: string;
	platform: string;
	/** null on the platform level. */
	accountId: string | null;
	/** null on the platform and account levels. */
	campaignId: string | null;
	campaignName: string | null;
	currency: string;
	values: { [M in KpiMetric]: number | null };
}

export interface KpiQuery {
	/** First and last day, `YYYY-MM-DD`, both included. */
	from: string;
	to: string;
	/** Default: all three. */
	levels?: readonly KpiLevel[];
	platform?: string;
	accountId?: string;
}

export type KpiReader = Pick<Store, 'selectView'>;

/** A refused query (a day that is not a calendar day, an empty range), in words. */
export class KpiInputError extends Error {}

function isoDate(value: string, label: string): string {
	if (!isDay(value)) throw new KpiInputError(`${label} must be a day YYYY-MM-DD, got "${value}"`);
	return value;
}

function valuesOf(row: KpiSums): KpiRow['values'] {
	const out = {} as KpiRow['values'];
	for (const m of KPI_METRICS) out[m] = row[m] ?? null;
	return out;
}

/** The view rows of one level, as KpiRows, ordered by day then dimension. */
export async function readKpiLevel(store: KpiReader, level: KpiLevel, query: KpiQuery): Promise<KpiRow[]> {
	const where: Record<string, unknown> = { date: { gte: isoDate(query.from, 'From'), lte: isoDate(query.to, 'To') } };
	if (query.platform) where.platform = query.platform;
	if (query.accountId && level !== 'platform') where.account_id = query.accountId;
	const view = KPI_VIEWS[level];
	const order = [{ column: 'date' }, { column: 'platform' }, ...(level === 'platform' ? [] : [{ column: 'account_id' }]), ...(level === 'campaign' ? [{ column: 'campaign_id' }] : []), { column: 'currency' }];
	const rows = (await store.selectView(view, { where, order } as ViewQuery<typeof view>)) as Array<ViewRow<'mv_campaign_daily_summary'> | ViewRow<'mv_account_daily_summary'> | ViewRow<'mv_platform_comparison'>>;
	return rows.map((r) => ({
		level,
		date: r.date,
		platform: r.platform,
		accountId: 'account_id' in r ? r.account_id : null,
		campaignId: 'campaign_id' in r ? r.campaign_id : null,
		campaignName: 'campaign_name' in r ? r.campaign_name : null,
		currency: r.currency,
		values: valuesOf(r),
	}));
}

/** The `days` days up to `end`, both included; `end` must be a calendar day (End Date), `days` a whole number from 1. */
export function lastDays(end: string, days: number): { from: string; to: string } {
	const to = isoDate(end, 'End Date');
	if (!Number.isInteger(days) || days < 1) throw new KpiInputError(`Days must be a whole number from 1, got ${days}`);
	return { from: dayString(dayNumber(to) - (days - 1)), to };
}

/** Every level asked for (a platform-level `accountId` filter reads only the account and campaign levels). */
export async function readKpis(store: KpiReader, query: KpiQuery): Promise<KpiRow[]> {
	if (isoDate(query.from, 'From') > isoDate(query.to, 'To')) throw new KpiInputError(`The first day (${query.from}) is after the last (${query.to})`);
	const levels = (query.levels ?? KPI_LEVELS).filter((l) => !(query.accountId && l === 'platform'));
	const out: KpiRow[] = [];
	for (const level of levels) out.push(...(await readKpiLevel(store, level, query)));
	return out;
}

/** The latest day the KPI views hold (of one platform), or null when nothing is stored. */
export async function latestKpiDay(store: KpiReader, platform?: string): Promise<string | null> {
	const rows = await store.selectView('mv_platform_comparison', { ...(platform ? { where: { platform } } : {}), order: [{ column: 'date', ascending: false }], limit: 1 });
	return rows[0]?.date ?? null;
}

/** The row's dimension in words and as a stable key: e.g. meta, meta / act_1, meta / act_1 / cmp_9, with the currency. */
export function kpiDimension(row: Pick<KpiRow, 'level' | 'platform' | 'accountId' | 'campaignId' | 'currency'>): string {
	const parts = [row.platform];
	if (row.level !== 'platform' && row.accountId !== null) parts.push(row.accountId);
	if (row.level === 'campaign' && row.campaignId !== null) parts.push(row.campaignId);
	return `${parts.join(' / ')} (${row.currency})`;
}

/**
 * The ratios of a row recomputed from its sums by the metrics module
 * (`derivedMetrics`), and whether the view's own ratios equal them. A sum read
 * back as a double is exact for every amount the store accepts (money to the
 * minor unit, far below 15 significant digits), so equality is exact.
 */
export function viewRatiosAgree(row: KpiRow): { agree: boolean; expected: Pick<KpiRow['values'], 'ctr' | 'cpc' | 'cpa' | 'roas'> } {
	const v = row.values;
	const d = derivedMetrics({ spend: v.spend ?? 0, impressions: v.impressions ?? 0, clicks: v.clicks ?? 0, conversions: v.conversions ?? 0, revenue: v.revenue });
	const expected = { ctr: d.ctr, cpc: d.cpc, cpa: d.cpa, roas: d.roas };
	const agree = (['ctr', 'cpc', 'cpa', 'roas'] as const).every((m) => expected[m] === v[m]);
	return { agree, expected };
}
