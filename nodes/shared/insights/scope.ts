/**
 * Forecast for any scope: all, a platform, an account or a campaign. The
 * campaign series inside the scope are summed per day (account totals are
 * not added again), in one currency only: a scope mixing currencies is
 * refused in words rather than summed.
 */
import { dayString } from './days';
import { forecast, forecastTotal, type ForecastOptions, type ForecastResult } from './forecast';
import { metricSeries, type EntitySeries, type InsightMetric } from './series';

export interface Scope {
	platform?: string;
	accountId?: string;
	campaignId?: string;
}

export interface ScopeForecast {
	scope: Scope;
	metric: InsightMetric;
	currency: string | null;
	campaigns: number;
	history: number;
	days: Array<{ date: string; mean: number; lower: number; upper: number }>;
	total: { mean: number; lower: number; upper: number };
	model: ForecastResult['model'];
	backtestMae: ForecastResult['backtestMae'];
	level: number;
}

export class ScopeError extends Error {}

export function scopeLabel(scope: Scope): string {
	if (scope.campaignId) return `campaign ${scope.campaignId}`;
	if (scope.accountId) return `${scope.platform ? `${scope.platform} ` : ''}account ${scope.accountId}`;
	if (scope.platform) return `every ${scope.platform} account`;
	return 'every account';
}

export function inScope(s: EntitySeries, scope: Scope): boolean {
	if (s.campaignId === null) return false;
	if (scope.platform && s.platform !== scope.platform) return false;
	if (scope.accountId && s.accountId !== scope.accountId) return false;
	if (scope.campaignId && s.campaignId !== scope.campaignId) return false;
	return true;
}

/** The daily sum of a metric over the scope's campaigns (counts and money only). */
export function scopeSeries(all: readonly EntitySeries[], scope: Scope, metric: 'spend' | 'impressions' | 'clicks' | 'conversions' | 'revenue'): { values: Float64Array; start: number; campaigns: number; currency: string | null } {
	const chosen = all.filter((s) => inScope(s, scope));
	if (chosen.length === 0) throw new ScopeError(`no data for ${scopeLabel(scope)}`);
	const start = Math.min(...chosen.map((s) => s.start));
	const end = Math.max(...chosen.map((s) => s.start + s.days - 1));
	const values = new Float64Array(end - start + 1).fill(NaN);
	const currencies = new Set<string>();
	for (const s of chosen) {
		const { values: v } = metricSeries(s, metric);
		for (let i = 0; i < s.days; i++) {
			if (!Number.isFinite(v[i])) continue;
			const t = s.start + i - start;
			values[t] = (Number.isFinite(values[t]) ? values[t] : 0) + v[i];
			if (s.currency[i]) currencies.add(s.currency[i]);
		}
	}
	const money = metric === 'spend' || metric === 'revenue';
	if (money && currencies.size > 1) throw new ScopeError(`${scopeLabel(scope)} mixes currencies (${[...currencies].sort().join(', ')}): forecast one currency at a time`);
	return { values, start, campaigns: chosen.length, currency: money ? ([...currencies][0] ?? null) : null };
}

export function forecastScope(all: readonly EntitySeries[], scope: Scope, metric: 'spend' | 'impressions' | 'clicks' | 'conversions' | 'revenue', horizon: number, options: ForecastOptions = {}): ScopeForecast {
	if (!(horizon >= 1 && horizon <= 366)) throw new ScopeError(`the horizon must be 1 to 366 days, got ${horizon}`);
	const { values, start, campaigns, currency } = scopeSeries(all, scope, metric);
	const f = forecast(values, horizon, options);
	const last = start + values.length - 1;
	return {
		scope,
		metric,
		currency,
		campaigns,
		history: values.length,
		days: f.mean.map((mean, h) => ({ date: dayString(last + h + 1), mean, lower: f.lower[h], upper: f.upper[h] })),
		total: forecastTotal(f),
		model: f.model,
		backtestMae: f.backtestMae,
		level: f.level,
	};
}
