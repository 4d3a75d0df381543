import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import type { Alert } from '../../shared/alerts/message';
import type { RenderedChart } from '../../shared/charts/render';
import { postWithChart, type Delivery } from '../../shared/insights/deliver';
import type { InsightsContext } from './types';

export { postWithCharts, type Delivery } from '../../shared/insights/deliver';

/**
 * An alert's way out: with AdOps Slack, posted here as its chart (then the
 * item's alert is null, so AdOps Alert does not post it again); without, the
 * item keeps its alert. The chart is rendered only when it is posted or attached.
 */
export async function routeAlert(
	ctx: InsightsContext,
	input: { key: string; alert: Alert | null; attach: boolean; chart: () => RenderedChart; filename: string },
): Promise<{ alert: Alert | null; delivery?: Delivery; chart?: RenderedChart }> {
	if (!input.alert || (!input.attach && !ctx.slack)) return { alert: input.alert };
	const chart = input.chart();
	if (!ctx.slack) return { alert: input.alert, chart };
	return { alert: null, chart, delivery: await postWithChart(ctx.store, ctx.slack, input.key, input.alert, chart, input.filename) };
}

export const fileName = (parts: Array<string | null | undefined>): string => `${parts.map((p) => p ?? 'all').join('-')}.png`.replace(/[^A-Za-z0-9._-]/g, '_');

/** The chart as the item's binary `chart` (PNG). */
export async function withChart(ctx: IExecuteFunctions, item: INodeExecutionData, chart: RenderedChart, filename: string): Promise<INodeExecutionData> {
	const binary = await ctx.helpers.prepareBinaryData(chart.png, filename, 'image/png');
	return { ...item, binary: { chart: binary } };
}

export const deliveryJson = (d: Delivery): IDataObject => ({ ...d });
