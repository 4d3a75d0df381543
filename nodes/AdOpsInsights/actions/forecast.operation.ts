import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { numberParam } from '../../common/params';
import { FORECAST_METRICS, forecastMetric, type ForecastMetric } from '../../shared/insights/run';
import { scopeLabel } from '../../shared/insights/scope';
import { METRIC_LABELS } from '../../shared/insights/series';
import { asJson, scopeOf } from './common';
import type { InsightsContext } from './types';

const show = { show: { operation: ['forecast'] } };

export const description: INodeProperties[] = [
	{
		displayName: 'Metric',
		name: 'metric',
		type: 'options',
		default: 'spend',
		options: FORECAST_METRICS.map((m) => ({ name: METRIC_LABELS[m].replace(/^./, (c) => c.toUpperCase()), value: m })),
		displayOptions: show,
		description: 'Summed over the campaigns of the scope',
	},
	{
		displayName: 'Days Ahead',
		name: 'horizon',
		type: 'number',
		default: 14,
		typeOptions: { minValue: 1, maxValue: 366 },
		displayOptions: show,
		description: 'How many days after the last stored day are forecast',
	},
	{
		displayName: 'Interval Level',
		name: 'level',
		type: 'number',
		default: 0.8,
		typeOptions: { minValue: 0.5, maxValue: 0.99, numberPrecision: 2 },
		displayOptions: show,
		description: 'Central probability of the prediction interval',
	},
];

export async function execute(this: IExecuteFunctions, itemIndex: number, ctx: InsightsContext): Promise<INodeExecutionData[]> {
	const scope = scopeOf(this, itemIndex);
	const metric = this.getNodeParameter('metric', itemIndex, 'spend') as ForecastMetric;
	const horizon = numberParam(this.getNodeParameter('horizon', itemIndex, 14), 'Days Ahead', 14, { min: 1, max: 366, integer: true });
	const level = numberParam(this.getNodeParameter('level', itemIndex, 0.8), 'Interval Level', 0.8, { min: 0.5, max: 0.99 });
	const f = await forecastMetric(ctx.store, scope, metric, horizon, { level });
	const unit = f.currency ? ` ${f.currency}` : '';
	const r = (v: number) => Math.round(v * 100) / 100;
	const summary = `${METRIC_LABELS[metric]} of ${scopeLabel(scope)} over the ${horizon} days after ${f.end}: ${r(f.total.mean).toLocaleString('en-US')}${unit} (${Math.round(level * 100)} % interval ${r(f.total.lower).toLocaleString('en-US')} to ${r(f.total.upper).toLocaleString('en-US')}${unit}), ${f.model === 'ets' ? 'Holt-Winters (ETS)' : 'seasonal naive'} chosen by backtest over ${f.campaigns} campaign(s) and ${f.history} days.`;
	return [{ json: { outcome: 'forecast', ...asJson({ scope: f.scope, metric, currency: f.currency, lastDay: f.end, campaigns: f.campaigns, history: f.history, level: f.level, model: f.model, backtestMae: f.backtestMae, total: f.total, days: f.days }), summary } as IDataObject, pairedItem: { item: itemIndex } }];
}
