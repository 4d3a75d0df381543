/**
 * A budget plan as PNG charts for Slack (charts/render.ts): current vs
 * proposed daily budget per campaign, and the fitted response curves of the
 * largest movers with both budgets marked and the 95 % band.
 */
import type { EChartsCoreOption } from 'echarts';
import { renderChart, type RenderedChart } from '../charts/render';
import type { PlannedCampaign, ResponseModel } from './plan';

const Z95 = 1.959964;
const short = (s: string, n = 28) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

/** Bars: current and proposed budget of each campaign (moved first, largest move first; at most `max`). */
export function planBudgetOption(campaigns: readonly PlannedCampaign[], title: string, max = 20): EChartsCoreOption {
	const rows = [...campaigns].sort((a, b) => Number(b.status === 'moved') - Number(a.status === 'moved') || Math.abs(b.change) - Math.abs(a.change)).slice(0, max).reverse();
	const label = (c: PlannedCampaign) => `${short(c.name)} (${c.currency})`;
	return {
		title: { text: title, left: 10, top: 6, textStyle: { fontSize: 14 } },
		legend: { data: ['Current', 'Proposed'], top: 8, right: 10 },
		grid: { left: 210, right: 40, top: 44, bottom: 30 },
		xAxis: { type: 'value', name: 'daily budget', nameLocation: 'middle', nameGap: 22 },
		yAxis: { type: 'category', data: rows.map(label), axisLabel: { fontSize: 10 } },
		series: [
			{ name: 'Current', type: 'bar', data: rows.map((c) => c.current), itemStyle: { color: '#9aa5b1' }, barGap: '10%' },
			{ name: 'Proposed', type: 'bar', data: rows.map((c) => ({ value: c.proposed, itemStyle: { color: c.status !== 'moved' ? '#cbd2d9' : c.proposed > c.current ? '#2f855a' : '#c05621' } })) },
		],
	};
}

/** One campaign's curve over its range and a little beyond, the band, and the current and proposed budgets. */
export function planCurveOption(c: PlannedCampaign, model: ResponseModel, outcomeLabel: string): EChartsCoreOption {
	const hi = Math.max(c.high, c.current, c.proposed, model.seen?.high ?? 0) * 1.25;
	const xs = Array.from({ length: 61 }, (_, i) => (hi * i) / 60);
	const mean = xs.map((x) => [x, model.mean(x)]);
	const sd = xs.map((x) => model.sd?.(x) ?? 0);
	const lower = xs.map((x, i) => [x, Math.max(0, model.mean(x) - Z95 * sd[i]!)]);
	const width = xs.map((x, i) => [x, Math.max(0, model.mean(x) + Z95 * sd[i]!) - Math.max(0, model.mean(x) - Z95 * sd[i]!)]);
	const mark = (x: number, name: string, color: string) => ({ name, xAxis: x, lineStyle: { color, type: 'dashed' }, label: { formatter: name, color } });
	return {
		title: { text: short(c.name, 60), subtext: `${outcomeLabel} a day vs daily budget (${c.currency}); shaded: 95 % band; grey: spend seen`, left: 10, top: 4, textStyle: { fontSize: 13 }, subtextStyle: { fontSize: 10 } },
		grid: { left: 60, right: 30, top: 60, bottom: 36 },
		xAxis: { type: 'value', min: 0, max: Math.round(hi * 100) / 100 },
		yAxis: { type: 'value', min: 0 },
		series: [
			{ type: 'line', data: lower, stack: 'band', symbol: 'none', lineStyle: { opacity: 0 } },
			{ type: 'line', data: width, stack: 'band', symbol: 'none', lineStyle: { opacity: 0 }, areaStyle: { color: '#bee3f8', opacity: 0.6 } },
			{
				name: 'fitted',
				type: 'line',
				data: mean,
				symbol: 'none',
				lineStyle: { color: '#2b6cb0', width: 2 },
				markLine: { symbol: 'none', data: [mark(c.current, 'current', '#718096'), mark(c.proposed, 'proposed', c.proposed >= c.current ? '#2f855a' : '#c05621')] },
				...(model.seen ? { markArea: { itemStyle: { color: 'rgba(160,174,192,0.15)' }, data: [[{ xAxis: model.seen.low }, { xAxis: model.seen.high }]] } } : {}),
			},
		],
	};
}

/** The plan's charts: the budgets, then the curves of up to `movers` campaigns that move the most. */
export function planCharts(campaigns: readonly PlannedCampaign[], models: ReadonlyMap<string, ResponseModel | string>, title: string, outcomeLabel: string, movers = 3): Array<{ chart: RenderedChart; filename: string }> {
	const out = [{ chart: renderChart(planBudgetOption(campaigns, title), { width: 760, height: Math.max(260, 60 + 26 * Math.min(20, campaigns.length)) }), filename: 'budget-plan.png' }];
	const top = campaigns
		.filter((c) => c.status === 'moved' && typeof models.get(c.id) === 'object')
		.sort((a, b) => Math.abs(b.proposed - b.current) - Math.abs(a.proposed - a.current))
		.slice(0, movers);
	top.forEach((c, i) => out.push({ chart: renderChart(planCurveOption(c, models.get(c.id) as ResponseModel, outcomeLabel), { width: 640, height: 320 }), filename: `budget-plan-curve-${i + 1}.png` }));
	return out;
}
