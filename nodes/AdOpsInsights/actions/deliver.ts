import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { renderAlert, type Alert } from '../../shared/alerts/message';
import { findSharedFile, SlackUploadError, uploadSlackFiles } from '../../shared/alerts/slack-files';
import type { RenderedChart } from '../../shared/charts/render';
import type { Store } from '../../shared/store';
import type { InsightsContext, SlackDelivery } from './types';

export type { SlackDelivery } from './types';

export type Delivery =
	| { status: 'posted'; channel: string; fileId: string; fileIds: string[]; bytes: number }
	| { status: 'already_posted'; ledger: string; ts?: string; fileId?: string }
	| { status: 'failed' | 'unknown'; error: string };

/**
 * Posts an alert as its chart with the alert's text, at most once per key
 * (the ledger): a rerun posts nothing. An earlier post whose answer was lost
 * (`unknown`) is settled first by reading the channel: found, it counts as
 * posted; not there, the ledger says failed and it is posted now. When the
 * channel cannot be read it stays unknown and nothing is posted on a guess.
 */
export async function postWithChart(store: Store, slack: SlackDelivery, key: string, alert: Alert, chart: RenderedChart, filename: string): Promise<Delivery> {
	return postWithCharts(store, slack, key, alert, [{ chart, filename }]);
}

/** `postWithChart` with several charts in the one message (the weekly digest: one per platform). */
export async function postWithCharts(store: Store, slack: SlackDelivery, key: string, alert: Alert, charts: ReadonlyArray<{ chart: RenderedChart; filename: string }>): Promise<Delivery> {
	const text = renderAlert(alert).text;
	const intent = { kind: 'insights.alert', target: slack.channel, intent: { title: alert.title, files: charts.map((c) => c.filename) }, retryFailed: true };
	let claim = await store.claimAction(key, intent);
	if (!claim.claimed && claim.entry.status === 'unknown') {
		let found: { ts: string; fileId: string } | undefined;
		try {
			found = await findSharedFile(slack.client, slack.channel, text);
		} catch (error) {
			return { status: 'unknown', error: `an earlier post's answer was lost and the channel could not be read (${(error as Error).message}); nothing was posted` };
		}
		if (found) {
			await store.resolveAction(key, { from: 'unknown', status: 'succeeded', resolution: `found in Slack: message ${found.ts} with file ${found.fileId}`, response: found });
			return { status: 'already_posted', ledger: 'succeeded', ...found };
		}
		await store.resolveAction(key, { from: 'unknown', status: 'failed', resolution: 'not in the channel history: the earlier post did not happen' });
		claim = await store.claimAction(key, intent);
	}
	if (!claim.claimed) return { status: 'already_posted', ledger: claim.entry.status };
	try {
		const files = await uploadSlackFiles(slack.client, { channel: slack.channel, initialComment: text, files: charts.map((c) => ({ filename: c.filename, bytes: c.chart.png, title: alert.title, altText: alert.title })) });
		const bytes = files.reduce((n, f) => n + f.size, 0);
		await store.completeAction(key, { status: 'succeeded', response: { fileIds: files.map((f) => f.fileId), channel: files[0]!.channel, bytes } });
		return { status: 'posted', channel: files[0]!.channel, fileId: files[0]!.fileId, fileIds: files.map((f) => f.fileId), bytes };
	} catch (error) {
		const message = (error as Error).message;
		const outcome = error instanceof SlackUploadError ? error.outcome : 'unknown';
		await store.completeAction(key, outcome === 'failed' ? { status: 'failed', error: message } : { status: 'unknown', error: message });
		return { status: outcome, error: message };
	}
}

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
