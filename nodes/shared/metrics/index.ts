/**
 * The metrics module: the one place the six base metrics of a daily
 * performance row and the five derived metrics (CTR, CPC, CPA, CPL, ROAS)
 * are defined. Ingest, the rules engine, creative grounding and the benches
 * read them here; the database computes the same ratios as GENERATED columns
 * of `campaign_performance` (supabase/migrations/20250601000000_adops_core.sql),
 * and test/unit/metrics-sql.test.ts checks those columns against this module.
 *
 *   ctr  = clicks / impressions   null when impressions = 0
 *   cpc  = spend / clicks         null when clicks = 0
 *   cpa  = spend / conversions    null when conversions = 0
 *   cpl  = spend / leads          null when leads is 0 or null (not reported)
 *   roas = revenue / spend        null when spend = 0 or revenue is null
 *
 * Two evaluations of the same definitions:
 * - `derivedMetrics(row)`: exactly what the database stores for one row:
 *   PostgreSQL `numeric` division (at least 16 significant digits, rounded
 *   half away from zero) on the exact decimals, read back as the nearest
 *   double. Never NaN or Infinity: a zero or missing denominator is null (and
 *   so is a quotient beyond the double range, only possible with a
 *   denominator below ~1e-292, which the store would read as Infinity).
 * - `ratio(metric, sums)`: IEEE double division of a window's sums (the rules
 *   engine); agrees with the database to ~1e-15 relative.
 */
import { fromNumber, pgDivide, round, toNumber, type Decimal } from '../text/decimal';
import { roundMoney } from '../ingest/fx';
import { currencyExponent } from '../platforms/currency';

/** The six base metrics of a row, in table order. */
export const BASE_METRIC_FIELDS = ['spend', 'impressions', 'clicks', 'conversions', 'revenue', 'leads'] as const;
export type BaseMetricField = (typeof BASE_METRIC_FIELDS)[number];

/** A daily performance row's base metrics: spend and revenue in major units; revenue and leads null when the platform does not report them. */
export type MetricRow = {
	spend: number;
	impressions: number;
	clicks: number;
	conversions: number;
	revenue: number | null;
	leads: number | null;
};

/** The inputs of `derivedMetrics` (revenue and leads may be absent). */
export type MetricInputs = Omit<MetricRow, 'revenue' | 'leads'> & Partial<Pick<MetricRow, 'revenue' | 'leads'>>;

export const DERIVED_METRIC_NAMES = ['ctr', 'cpc', 'cpa', 'cpl', 'roas'] as const;
export type DerivedMetricName = (typeof DERIVED_METRIC_NAMES)[number];

/** Each derived metric as numerator / denominator (null when the denominator is 0 or not reported, or the numerator is not reported). */
export const DERIVED_DEFINITIONS: { readonly [K in DerivedMetricName]: { numerator: BaseMetricField; denominator: BaseMetricField; label: string } } = {
	ctr: { numerator: 'clicks', denominator: 'impressions', label: 'click-through rate' },
	cpc: { numerator: 'spend', denominator: 'clicks', label: 'cost per click' },
	cpa: { numerator: 'spend', denominator: 'conversions', label: 'cost per acquisition' },
	cpl: { numerator: 'spend', denominator: 'leads', label: 'cost per lead' },
	roas: { numerator: 'revenue', denominator: 'spend', label: 'return on ad spend' },
};

export interface DerivedMetrics {
	ctr: number | null;
	cpc: number | null;
	cpa: number | null;
	cpl: number | null;
	roas: number | null;
}

/** Sums a ratio reads (a window's sums or one row; revenue and leads null when not reported). */
export type RatioInputs = MetricRow;

/** A derived metric of sums, in doubles: null when the denominator is 0 or not reported (see DERIVED_DEFINITIONS). */
export function ratio(metric: DerivedMetricName, s: RatioInputs): number | null {
	switch (metric) {
		case 'ctr':
			return s.impressions > 0 ? s.clicks / s.impressions : null;
		case 'cpc':
			return s.clicks > 0 ? s.spend / s.clicks : null;
		case 'cpa':
			return s.conversions > 0 ? s.spend / s.conversions : null;
		case 'cpl':
			return s.leads !== null && s.leads > 0 ? s.spend / s.leads : null;
		case 'roas':
			return s.spend > 0 && s.revenue !== null ? s.revenue / s.spend : null;
	}
}

function dec(value: number | null | undefined): Decimal | null {
	return typeof value === 'number' && Number.isFinite(value) ? fromNumber(value) : null;
}

function exactRatio(numerator: Decimal | null, denominator: Decimal | null): number | null {
	if (numerator === null || denominator === null || denominator.int <= 0n) return null;
	const value = toNumber(pgDivide(numerator, denominator));
	// beyond the double range (only with absurd denominators like 1e-320): not a usable metric
	return Number.isFinite(value) ? value : null;
}

/** The derived metrics of one row, exactly as the database's GENERATED columns store them. */
export function derivedMetrics(row: MetricInputs): DerivedMetrics {
	const spend = dec(row.spend);
	const clicks = dec(row.clicks);
	return {
		ctr: exactRatio(clicks, dec(row.impressions)),
		cpc: exactRatio(spend, clicks),
		cpa: exactRatio(spend, dec(row.conversions)),
		cpl: exactRatio(spend, dec(row.leads)),
		roas: exactRatio(dec(row.revenue), spend),
	};
}

/**
 * Decimals a derived metric is shown with in output items and messages (a
 * CTR of 0.0312, a ROAS of 4.21); money amounts follow their currency's
 * minor unit instead (`roundMoney`).
 */
export const METRIC_DIGITS: { readonly [K in DerivedMetricName]: number } = { ctr: 4, cpc: 2, cpa: 2, cpl: 2, roas: 2 };

/** `value` rounded (half away from zero) to the metric's shown decimals; null stays null. */
export function roundMetric(metric: DerivedMetricName, value: number | null): number | null {
	if (value === null || !Number.isFinite(value)) return value;
	return toNumber(round(fromNumber(value), METRIC_DIGITS[metric]));
}

/**
 * A money amount as shown: to its currency's minor unit (`roundMoney`), or
 * to 2 decimals (half away from zero) when the currency is unknown or the
 * amount sums several currencies (null).
 */
export function roundAmount(amount: number, currency: string | null): number {
	if (currency && currencyExponent(currency) !== undefined) return roundMoney(amount, currency);
	return toNumber(round(fromNumber(amount), 2));
}
