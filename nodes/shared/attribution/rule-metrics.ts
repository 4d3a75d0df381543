/**
 * Attribution results as rule metrics (issue 22 item 2), read in one batch
 * like AdOps Insights' rule metrics (insights/rule-metrics.ts): one read of
 * `attributed_conversions` for the run's platforms, the models the enabled
 * rules name and the days of their longest window; nothing per campaign.
 *
 *   attributed_conversions  conversions credited to the campaign by the
 *                           leaf's model, summed over the rule's window
 *   attributed_revenue      revenue credited likewise; null when the
 *                           window's rows carry more than one currency
 *   attributed_roas         attributed_revenue / the campaign's spend over
 *                           the same window (the metrics module's `roas`
 *                           ratio): null when the spend is 0, the revenue is
 *                           null, or the revenue's currency is not the
 *                           spend's (currencies are never mixed)
 *
 * The model is the condition's `model` field (default `markov`, the
 * data-driven removal-effect model every attribution run computes; any of
 * ATTRIBUTION_MODELS may be named). Without a single attributed row of that
 * model for the campaign in the window, every metric is null ("no data",
 * never 0): the condition is undefined and the rules core gates the decision
 * for missing attribution data. A stored row of 0 (attribution ran and
 * credited nothing) is 0.
 *
 * Days: `attributed_conversions.date` is the conversion's UTC day, while the
 * rules' windows are days of the account's time zone (as
 * `campaign_performance` days are). The UTC date is placed on the window's
 * day of the same calendar date, unconverted: for an account far from UTC a
 * conversion near midnight can count in the neighbouring day (at most the
 * hours of the zone's offset at each end of the window). The table keeps no
 * time of day, so an exact conversion is not possible from it.
 *
 * Keys are `platform|campaign` (the table has no account column; a campaign
 * id is unique within its platform).
 */
import type { Store } from '../store/types';
import { ratio } from '../metrics';
import { MODEL_IDS } from './rows';

export const ATTRIBUTION_RULE_METRICS = ['attributed_conversions', 'attributed_revenue', 'attributed_roas'] as const;
export type AttributionRuleMetric = (typeof ATTRIBUTION_RULE_METRICS)[number];
export type AttributionRuleModel = (typeof MODEL_IDS)[number];
export const ATTRIBUTION_RULE_MODELS = MODEL_IDS;
/** The model of a condition without `model`. */
export const DEFAULT_ATTRIBUTION_RULE_MODEL: AttributionRuleModel = 'markov';

/** One stored row of a campaign under one model: its UTC day number (days since 1970-01-01). */
export interface AttributedDay {
	day: number;
	currency: string;
	conversions: number;
	revenue: number;
}

/** A campaign's attributed rows per model, days ascending. */
export type AttributionRuleValues = Partial<Record<AttributionRuleModel, AttributedDay[]>>;

export interface AttributionRuleMetricsInput {
	platforms: readonly string[];
	models: readonly AttributionRuleModel[];
	/** First and last date (YYYY-MM-DD) read. */
	from: string;
	to: string;
}

export function attributionKey(platform: string, campaignId: string | null | undefined): string {
	return `${platform}|${campaignId ?? ''}`;
}

const DAY_MS = 86_400_000;
const dayOf = (date: string) => Math.floor(Date.parse(`${date.slice(0, 10)}T00:00:00Z`) / DAY_MS);

/** The campaign's spend over the same window and its currency (null: mixed or unknown), for attributed_roas. */
export interface WindowSpend {
	spend: number;
	currency: string | null;
}

/**
 * A rule metric of a campaign over a window of day numbers [start, end]
 * under `model`; null without a stored row of the model in the window (see
 * the module comment), with mixed currencies for money, or (roas) without
 * spend or with another currency than the spend's.
 */
export function attributionMetricValue(v: AttributionRuleValues | undefined, metric: AttributionRuleMetric, model: AttributionRuleModel, start: number, end: number, spend: WindowSpend | null): number | null {
	const days = v?.[model];
	if (!days) return null;
	let rows = 0;
	let conversions = 0;
	let revenue = 0;
	let currency: string | null | undefined;
	for (const d of days) {
		if (d.day < start || d.day > end) continue;
		rows++;
		conversions += d.conversions;
		revenue += d.revenue;
		// a row of 0 revenue has no money in it: it does not decide the currency
		if (d.revenue > 0) currency = currency === undefined || currency === d.currency ? d.currency : null;
	}
	if (rows === 0) return null;
	if (metric === 'attributed_conversions') return round6(conversions);
	if (currency === null) return null;
	if (metric === 'attributed_revenue') return round6(revenue);
	if (!spend) return null;
	if (currency !== undefined && currency !== spend.currency) return null;
	return ratio('roas', { spend: spend.spend, revenue: round6(revenue), impressions: 0, clicks: 0, conversions: 0, leads: null });
}

/** Sums of numeric(…) values read as doubles: rounded to micro-units as the rules' window sums are. */
const round6 = (x: number) => Math.round(x * 1e6) / 1e6;

/** Whether the campaign has any stored row of the model in the window (the missing-data gate's question). */
export function hasAttributedRows(v: AttributionRuleValues | undefined, model: AttributionRuleModel, start: number, end: number): boolean {
	return (v?.[model] ?? []).some((d) => d.day >= start && d.day <= end);
}

export async function readAttributionRuleMetrics(store: Pick<Store, 'selectColumnar'>, input: AttributionRuleMetricsInput): Promise<Map<string, AttributionRuleValues>> {
	const out = new Map<string, AttributionRuleValues>();
	if (input.platforms.length === 0 || input.models.length === 0) return out;
	const read = await store.selectColumnar('attributed_conversions', ['model', 'date', 'platform', 'campaign_id', 'currency', 'conversions', 'revenue'], {
		where: { platform: { in: [...input.platforms] }, model: { in: [...input.models] }, date: { gte: input.from, lte: input.to } },
	});
	const c = read.columns;
	for (let i = 0; i < read.length; i++) {
		const campaign = String(c.campaign_id[i] ?? '');
		if (campaign === '') continue; // credit without a known campaign belongs to no rule's entity
		const key = attributionKey(String(c.platform[i]), campaign);
		let v = out.get(key);
		if (!v) out.set(key, (v = {}));
		const model = String(c.model[i]) as AttributionRuleModel;
		(v[model] ??= []).push({ day: dayOf(String(c.date[i])), currency: String(c.currency[i] ?? ''), conversions: Number(c.conversions[i]), revenue: Number(c.revenue[i]) });
	}
	for (const v of out.values()) for (const days of Object.values(v)) days?.sort((a, b) => a.day - b.day);
	return out;
}
