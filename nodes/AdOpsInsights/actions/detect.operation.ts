import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { numberParam } from '../../common/params';
import { anomalyChart } from '../../shared/charts/from-insights';
import { DEFAULT_ALPHA } from '../../shared/insights/detect';
import { deliverAnomalyGroups, detectAnomalies, parseTimeZoneChanges, type DetectedAnomaly } from '../../shared/insights/run';
import type { RenderedChart } from '../../shared/charts/render';
import { INSIGHT_METRICS, METRIC_LABELS, type InsightMetric } from '../../shared/insights/series';
import { asJson, scopeOf } from './common';
import { deliveryJson, fileName, withChart } from './deliver';
import type { InsightsContext } from './types';

const show = { show: { operation: ['detect'] } };

export const description: INodeProperties[] = [
	{
		displayName: 'Metrics',
		name: 'metrics',
		type: 'multiOptions',
		default: [...INSIGHT_METRICS],
		options: INSIGHT_METRICS.map((m) => ({ name: METRIC_LABELS[m].replace(/^./, (c) => c.toUpperCase()), value: m })),
		displayOptions: show,
		description: 'Metrics scanned for each account and campaign',
	},
	{
		displayName: 'Detect Options',
		name: 'detectOptions',
		type: 'collection',
		default: {},
		placeholder: 'Add Option',
		displayOptions: show,
		options: [
			{ displayName: 'Attach Charts', name: 'attachCharts', type: 'boolean', default: true, description: 'Whether each alerting anomaly carries its PNG chart as binary "chart"' },
			{ displayName: 'End Date', name: 'end', type: 'string', default: '', placeholder: 'YYYY-MM-DD', description: 'Last day scanned (empty: the latest day stored)' },
			{ displayName: 'False-Alarm Level', name: 'alpha', type: 'number', default: DEFAULT_ALPHA, typeOptions: { minValue: 0.001, maxValue: 0.5, numberPrecision: 3 }, description: "Generalized ESD's level per series: the chance of one false alarm in a clean series" },
			{ displayName: 'History (Days)', name: 'historyDays', type: 'number', default: 182, typeOptions: { minValue: 28 }, description: 'Days of history read per series' },
			{ displayName: 'Lookback (Days)', name: 'lookbackDays', type: 'number', default: 3, typeOptions: { minValue: 1 }, description: 'Anomalies of the last N days are reported' },
			{
				displayName: 'Method',
				name: 'method',
				type: 'options',
				default: 'stl',
				options: [
					{ name: 'STL (LOWESS Decomposition)', value: 'stl', description: 'Trend and weekly season by robust LOWESS, then median/MAD and generalized ESD on the remainder' },
					{ name: 'Same Weekday', value: 'weekday', description: 'Median of the same weekday over the last weeks as the baseline' },
				],
			},
			{ displayName: 'Minimum Change', name: 'minChange', type: 'number', default: 0.3, typeOptions: { minValue: 0, numberPrecision: 2 }, description: 'Smallest |actual − expected| / expected worth an alert' },
			{
				displayName: 'Time Zone Changes',
				name: 'timeZoneChanges',
				type: 'string',
				default: '',
				placeholder: 'meta:act_123:2025-06-09',
				description: "Accounts whose time zone changed, as platform:account:first day in the new zone (comma separated): that day has more or fewer than 24 hours and is not judged; the result says so instead of alerting",
			},
			{ displayName: 'Worsening Factor', name: 'worsening', type: 'number', default: 1.25, typeOptions: { minValue: 1, numberPrecision: 2 }, description: 'An episode already alerted alerts again when its |score| reaches this multiple of the last alerted score' },
		],
	},
];

export const once = true;

export async function execute(this: IExecuteFunctions, itemIndex: number, ctx: InsightsContext): Promise<INodeExecutionData[]> {
	const o = this.getNodeParameter('detectOptions', itemIndex, {}) as IDataObject;
	const scope = scopeOf(this, itemIndex);
	const metrics = this.getNodeParameter('metrics', itemIndex, [...INSIGHT_METRICS]) as InsightMetric[];
	const result = await detectAnomalies(ctx.store, {
		...(scope.platform ? { platform: scope.platform } : {}),
		...(scope.accountId ? { accountIds: [scope.accountId] } : {}),
		metrics: metrics.length ? metrics : [...INSIGHT_METRICS],
		...(String(o.end ?? '').trim() ? { end: String(o.end).trim() } : {}),
		...(o.method ? { method: o.method as 'stl' | 'weekday' } : {}),
		...(o.alpha !== undefined ? { alpha: numberParam(o.alpha, 'False-Alarm Level', DEFAULT_ALPHA, { min: 0.001, max: 0.5 }) } : {}),
		...(o.historyDays !== undefined ? { historyDays: numberParam(o.historyDays, 'History (Days)', 182, { min: 28, integer: true }) } : {}),
		...(o.lookbackDays !== undefined ? { lookbackDays: numberParam(o.lookbackDays, 'Lookback (Days)', 3, { min: 1, integer: true }) } : {}),
		...(o.minChange !== undefined ? { minChange: numberParam(o.minChange, 'Minimum Change', 0.3, { min: 0 }) } : {}),
		...(o.worsening !== undefined ? { worsening: numberParam(o.worsening, 'Worsening Factor', 1.25, { min: 1 }) } : {}),
		...(String(o.timeZoneChanges ?? '').trim() ? { timeZoneChanges: parseTimeZoneChanges(String(o.timeZoneChanges)) } : {}),
		...(ctx.slack ? { slack: ctx.slack } : {}),
	});
	const attach = o.attachCharts !== false;
	// one message per entity and day: with AdOps Slack posted here with the charts of its strongest members, else
	// handed on as its lead member's alert (AdOps Alert keeps it once by its idempotency key)
	const charts = new Map<DetectedAnomaly, { chart: RenderedChart; filename: string }>();
	const chartOf = (d: DetectedAnomaly) => {
		let c = charts.get(d);
		if (!c) {
			const a = d.anomaly;
			c = { chart: anomalyChart(a), filename: fileName(['anomaly', a.platform, a.accountId, a.campaignId ?? 'account', a.metric, a.date]) };
			charts.set(d, c);
		}
		return c;
	};
	const deliveries = await deliverAnomalyGroups(ctx.store, ctx.slack, result.groups, chartOf);
	const out: INodeExecutionData[] = [];
	for (const d of result.anomalies) {
		const a = d.anomaly;
		const delivery = d.group && d.alert ? deliveries.get(d.group) : undefined;
		const alert = ctx.slack ? null : d.alert;
		const chart = d.group && attach ? chartOf(d) : undefined;
		const json: IDataObject = {
			outcome: 'anomaly',
			platform: a.platform,
			accountId: a.accountId,
			campaignId: a.campaignId,
			campaignName: a.campaignName,
			metric: a.metric,
			date: a.date,
			episodeStart: a.episodeStart,
			direction: a.direction,
			pattern: a.pattern,
			actual: a.actual,
			expected: a.expected,
			expectedBand: { lower: a.lower, upper: a.upper },
			score: a.score,
			volume: a.volume,
			currency: a.currency,
			lastDays: asJson(a.lastDays) as unknown as IDataObject,
			alertDecision: d.decision.reason,
			...(d.decision.reason === 'held' ? { heldBecause: d.decision.why } : {}),
			alertGroup: d.group,
			idempotencyKey: d.alertKey,
			alert: alert as unknown as IDataObject,
			...(delivery ? { slack: deliveryJson(delivery) } : {}),
		};
		const item: INodeExecutionData = { json, pairedItem: { item: itemIndex } };
		out.push(chart ? await withChart(this, item, chart.chart, chart.filename) : item);
	}
	out.push({
		json: {
			outcome: 'scan',
			end: result.scan.end,
			anomalies: result.anomalies.length,
			alerts: result.anomalies.filter((d) => d.decision.alert).length,
			messages: result.groups.length,
			held: result.anomalies.filter((d) => d.decision.reason === 'held').length,
			settled: result.settled,
			series: result.scan.series,
			scanned: result.scan.scanned,
			decomposed: result.scan.decomposed,
			quiet: result.scan.quiet,
			skipped: asJson(result.scan.skipped.slice(0, 200)) as unknown as IDataObject,
			skippedCount: result.scan.skipped.length,
			timeZoneChanges: result.scan.skipped.filter((x) => x.status === 'time_zone_change').map((x) => `${x.platform} account ${x.accountId}: ${x.reason}`),
			timings: asJson(result.scan.timings),
			alert: null,
		},
		pairedItem: { item: itemIndex },
	});
	return out;
}
