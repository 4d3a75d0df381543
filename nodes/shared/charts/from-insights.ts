/** Charts straight from the insights core's results. */
import type { Anomaly } from '../insights/detect';
import type { PacingResult } from '../insights/pacing';
import { entityLabel, METRIC_LABELS } from '../insights/series';
import { anomalyChartOption, pacingChartOption } from './insights';
import { renderChart, type RenderedChart } from './render';

export function anomalyChart(a: Anomaly): RenderedChart {
	const half = (a.upper - a.lower) / 2;
	return renderChart(
		anomalyChartOption({
			title: `${METRIC_LABELS[a.metric]}: ${a.direction} on ${a.date}`,
			subtitle: entityLabel(a),
			days: a.lastDays,
			band: { halfWidth: half },
			anomalies: [a.date],
			unit: a.currency ?? '',
		}),
	);
}

/** `cumulative`: spend per elapsed day of the month, summed. */
export function pacingChart(p: PacingResult, cumulative: readonly number[], label: string, currency?: string): RenderedChart {
	// the cone: mean and interval of cumulative spend, widening like √h towards the month-end interval
	const remaining = p.daysRemaining;
	const spent = p.spentToDate;
	const endMean = p.forecastMonthSpend.mean;
	const forecast = Array.from({ length: remaining }, (_, h) => {
		const share = (h + 1) / remaining;
		const mean = spent + (endMean - spent) * share;
		const spread = Math.sqrt(share);
		return { mean, lower: mean - (endMean - p.forecastMonthSpend.lower) * spread, upper: mean + (p.forecastMonthSpend.upper - endMean) * spread };
	});
	return renderChart(
		pacingChartOption({
			title: `${label}: ${Math.round(p.pacingRatio * 100)} % of plan forecast for ${p.month}`,
			subtitle: p.status === 'on_track' ? 'on track' : p.status === 'under' ? 'under-pacing' : 'over-pacing',
			month: p.month,
			daysInMonth: p.daysInMonth,
			plan: p.plan,
			cumulative,
			forecast,
			currency,
		}),
	);
}
