/**
 * The two insight charts:
 *   - `anomalyChartOption`: a metric's last days, its expected value (dashed)
 *     and expected band (shaded), the anomalous days marked in red;
 *   - `pacingChartOption`: the month's cumulative spend against the plan's
 *     straight line, and the forecast of the rest of the month with its cone
 *     (prediction interval).
 * Both are plain ECharts options (no n8n, no DOM); `renderChart` makes PNGs.
 */
import type { EChartsCoreOption } from 'echarts';

export interface AnomalyChartInput {
	title: string;
	subtitle?: string;
	days: ReadonlyArray<{ date: string; value: number | null; expected: number | null }>;
	/** Band of the expected value (same for every day, or per day). */
	band?: ReadonlyArray<{ lower: number; upper: number }> | { halfWidth: number };
	/** Dates marked anomalous. */
	anomalies: readonly string[];
	unit?: string;
}

const RED = '#d62728';
const BLUE = '#1f77b4';
const GREY = '#7f7f7f';

/**
 * The legend has a row of its own under the title and subtitle (title 15 px at
 * top 6, subtitle 12 px below it: down to about y 50), right-aligned; the plot
 * starts under the legend with room for the y axis name. At `top: 40` it shared
 * the subtitle's row and a long subtitle ("Meta account …, campaign …") ran
 * under it (test/unit/insights-chart-layout.test.ts measures the boxes). The
 * 24 px between legend items leave room for DejaVu Sans, the PNG's font, which
 * is wider than the text widths ECharts estimates when it lays out without a
 * browser (the names ran into the next item's symbol at the default 10 px),
 * and the 40 px on the right keep the last name inside the picture.
 */
const LEGEND = { right: 40, top: 58, itemGap: 24 } as const;
const GRID_TOP = 100;

function round(v: number | null): number | null {
	return v === null || !Number.isFinite(v) ? null : Math.round(v * 100) / 100;
}

export function anomalyChartOption(input: AnomalyChartInput): EChartsCoreOption {
	const dates = input.days.map((d) => d.date.slice(5));
	const lower: Array<number | null> = [];
	const width: Array<number | null> = [];
	input.days.forEach((d, i) => {
		let lo: number | null = null;
		let hi: number | null = null;
		if (input.band && 'halfWidth' in input.band && d.expected !== null) {
			lo = Math.max(0, d.expected - input.band.halfWidth);
			hi = d.expected + input.band.halfWidth;
		} else if (Array.isArray(input.band) && input.band[i]) {
			lo = input.band[i].lower;
			hi = input.band[i].upper;
		}
		lower.push(round(lo));
		width.push(lo === null || hi === null ? null : round(hi - lo));
	});
	const marked = new Set(input.anomalies);
	return {
		title: { text: input.title, subtext: input.subtitle, left: 10, top: 6, textStyle: { fontSize: 15 } },
		legend: { data: ['actual', 'expected', 'expected band', 'anomaly'], ...LEGEND },
		grid: { left: 60, right: 20, top: GRID_TOP, bottom: 40 },
		xAxis: { type: 'category', data: dates, boundaryGap: false },
		yAxis: { type: 'value', name: input.unit ?? '', scale: false },
		series: [
			{ name: 'band-base', type: 'line', data: lower, stack: 'band', lineStyle: { opacity: 0 }, symbol: 'none', silent: true },
			{ name: 'expected band', type: 'line', data: width, stack: 'band', lineStyle: { opacity: 0 }, areaStyle: { color: 'rgba(31,119,180,0.18)' }, symbol: 'none', itemStyle: { color: 'rgba(31,119,180,0.3)' } },
			{ name: 'expected', type: 'line', data: input.days.map((d) => round(d.expected)), lineStyle: { type: 'dashed', color: GREY, width: 2 }, itemStyle: { color: GREY }, symbol: 'none' },
			{ name: 'actual', type: 'line', data: input.days.map((d) => round(d.value)), lineStyle: { color: BLUE, width: 3 }, itemStyle: { color: BLUE }, symbolSize: 5 },
			{
				name: 'anomaly',
				type: 'scatter',
				data: input.days.map((d) => (marked.has(d.date) ? round(d.value) : null)),
				symbolSize: 16,
				z: 10,
				itemStyle: { color: RED, opacity: 1, borderColor: '#ffffff', borderWidth: 2 },
			},
		],
	};
}

export interface PacingChartInput {
	title: string;
	subtitle?: string;
	month: string;
	daysInMonth: number;
	plan: number;
	/** Cumulative spend of each elapsed day (index 0 = day 1). */
	cumulative: readonly number[];
	/** Forecast of cumulative spend for the remaining days: mean and interval. */
	forecast: ReadonlyArray<{ mean: number; lower: number; upper: number }>;
	currency?: string;
}

export function pacingChartOption(input: PacingChartInput): EChartsCoreOption {
	const n = input.daysInMonth;
	const days = Array.from({ length: n }, (_, i) => String(i + 1));
	const elapsed = input.cumulative.length;
	const planLine = days.map((_, i) => round((input.plan * (i + 1)) / n));
	const actual = days.map((_, i) => (i < elapsed ? round(input.cumulative[i]) : null));
	const mean: Array<number | null> = days.map(() => null);
	const lo: Array<number | null> = days.map(() => null);
	const width: Array<number | null> = days.map(() => null);
	if (elapsed > 0) {
		mean[elapsed - 1] = round(input.cumulative[elapsed - 1]);
		lo[elapsed - 1] = mean[elapsed - 1];
		width[elapsed - 1] = 0;
	}
	input.forecast.forEach((f, h) => {
		const i = elapsed + h;
		if (i >= n) return;
		mean[i] = round(f.mean);
		lo[i] = round(f.lower);
		width[i] = round(f.upper - f.lower);
	});
	return {
		title: { text: input.title, subtext: input.subtitle, left: 10, top: 6, textStyle: { fontSize: 15 } },
		legend: { data: ['spent', 'plan', 'forecast', 'forecast interval'], ...LEGEND },
		grid: { left: 70, right: 20, top: GRID_TOP, bottom: 52 },
		// the month under the day numbers (at the axis end it ran off the picture's right edge)
		xAxis: { type: 'category', data: days, boundaryGap: false, name: input.month, nameLocation: 'middle', nameGap: 28 },
		yAxis: { type: 'value', name: input.currency ?? '' },
		series: [
			{ name: 'cone-base', type: 'line', data: lo, stack: 'cone', lineStyle: { opacity: 0 }, symbol: 'none', silent: true },
			{ name: 'forecast interval', type: 'line', data: width, stack: 'cone', lineStyle: { opacity: 0 }, areaStyle: { color: 'rgba(255,127,14,0.22)' }, symbol: 'none', itemStyle: { color: 'rgba(255,127,14,0.4)' } },
			{ name: 'plan', type: 'line', data: planLine, lineStyle: { type: 'dashed', color: GREY, width: 2 }, itemStyle: { color: GREY }, symbol: 'none' },
			{ name: 'forecast', type: 'line', data: mean, lineStyle: { type: 'dashed', color: '#ff7f0e', width: 2 }, itemStyle: { color: '#ff7f0e' }, symbol: 'none' },
			{ name: 'spent', type: 'line', data: actual, lineStyle: { color: BLUE, width: 3 }, itemStyle: { color: BLUE }, symbol: 'none' },
		],
	};
}
