import type { IBinaryData, IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { digestChart, weeklyDigest } from '../../shared/insights/run';
import { asJson, scopeOf } from './common';
import { deliveryJson, fileName, postWithCharts, type Delivery } from './deliver';
import type { InsightsContext } from './types';

export const description: INodeProperties[] = [
	{
		displayName: 'Week Ending',
		name: 'weekEnd',
		type: 'string',
		default: '',
		placeholder: 'YYYY-MM-DD',
		displayOptions: { show: { operation: ['digest'] } },
		description: 'Last day of the week summed up (empty: the latest day stored)',
	},
];

export const once = true;

export async function execute(this: IExecuteFunctions, itemIndex: number, ctx: InsightsContext): Promise<INodeExecutionData[]> {
	const scope = scopeOf(this, itemIndex);
	const end = String(this.getNodeParameter('weekEnd', itemIndex, '') ?? '').trim();
	const digest = await weeklyDigest(ctx.store, { ...(end ? { end } : {}), ...(scope.platform ? { platform: scope.platform } : {}) });
	if (!digest) return [{ json: { outcome: 'digest', problems: ['no performance stored yet: run AdOps Ingest first'], alert: null }, pairedItem: { item: itemIndex } }];
	const charts = digest.series.map((s) => ({ chart: digestChart(s, digest.from, digest.end), filename: fileName(['digest', s.platform, s.currency, digest.end]), key: `chart_${s.platform}_${s.currency}`.replace(/[^A-Za-z0-9_]/g, '_') }));
	let delivery: Delivery | undefined;
	if (ctx.slack && charts.length > 0) delivery = await postWithCharts(ctx.store, ctx.slack, digest.alertKey, digest.alert, charts.slice(0, 10));
	const binary: Record<string, IBinaryData> = {};
	for (const c of charts) binary[c.key] = await this.helpers.prepareBinaryData(c.chart.png, c.filename, 'image/png');
	const { alert, series, ...rest } = digest;
	return [
		{
			json: {
				outcome: 'digest',
				...asJson(rest),
				platforms: series.map((s) => ({ platform: s.platform, currency: s.currency, thisWeek: s.thisWeek, lastWeek: s.lastWeek, anomalyDays: s.anomalyDays })) as unknown as IDataObject[],
				idempotencyKey: digest.alertKey,
				alert: (delivery ? null : alert) as unknown as IDataObject,
				...(delivery ? { slack: deliveryJson(delivery) } : {}),
			},
			binary,
			pairedItem: { item: itemIndex },
		},
	];
}
