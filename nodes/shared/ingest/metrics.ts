/**
 * Derived metrics of a daily performance row — the one place TypeScript
 * computes them. The database computes the same values as GENERATED columns
 * of `campaign_performance`; this function reproduces them exactly:
 *
 *   ctr  = clicks / impressions   NULL when impressions = 0
 *   cpc  = spend / clicks         NULL when clicks = 0
 *   cpa  = spend / conversions    NULL when conversions = 0
 *   cpl  = spend / leads          NULL when leads is 0 or NULL
 *   roas = revenue / spend        NULL when spend = 0 or revenue is NULL
 *
 * Division follows PostgreSQL `numeric` (at least 16 significant digits,
 * rounded half away from zero) on the exact decimals the store sends, and the
 * result is the double nearest to that decimal, i.e. the number the store
 * reads back. Never NaN or Infinity: a zero or missing denominator is `null`
 * (and so is a quotient beyond the double range, which only a denominator
 * below ~1e-292 can produce; the store would read that value as Infinity).
 */
import { fromNumber, pgDivide, toNumber, type Decimal } from './decimal';

export interface MetricInputs {
	spend: number;
	impressions: number;
	clicks: number;
	conversions: number;
	revenue?: number | null;
	leads?: number | null;
}

export interface DerivedMetrics {
	ctr: number | null;
	cpc: number | null;
	cpa: number | null;
	cpl: number | null;
	roas: number | null;
}

function dec(value: number | null | undefined): Decimal | null {
	return typeof value === 'number' && Number.isFinite(value) ? fromNumber(value) : null;
}

function ratio(numerator: Decimal | null, denominator: Decimal | null): number | null {
	if (numerator === null || denominator === null || denominator.int <= 0n) return null;
	const value = toNumber(pgDivide(numerator, denominator));
	// beyond the double range (only with absurd denominators like 1e-320): not a usable metric
	return Number.isFinite(value) ? value : null;
}

export function derivedMetrics(row: MetricInputs): DerivedMetrics {
	const spend = dec(row.spend);
	const clicks = dec(row.clicks);
	return {
		ctr: ratio(clicks, dec(row.impressions)),
		cpc: ratio(spend, clicks),
		cpa: ratio(spend, dec(row.conversions)),
		cpl: ratio(spend, dec(row.leads)),
		roas: ratio(dec(row.revenue), spend),
	};
}
