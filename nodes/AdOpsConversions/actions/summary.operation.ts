import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { optionalCredentials } from '../../common/credentials';
import { SLACK_CHANNEL_MODES, slackChannelFromLocator } from '../../common/list-search';
import { ParameterError } from '../../common/params';
import { ATTRIBUTION_MODELS, MODEL_LABELS, type AttributionModel } from '../../shared/attribution';
import { DEFAULT_CONVERSION_TYPES } from '../../shared/attribution/stitch';
import { createSlackClient, type SlackSettings } from '../../shared/alerts/post';
import { comparisonAlert, comparisonChart, comparisonKey, readComparison } from '../../shared/conversions/summary';
import { postWithChart } from '../../shared/insights/deliver';
import { DAY_MS, utcDate } from '../../shared/text/dates';
import { conversionTypes, conversionTypesOf } from './common';
import type { ConversionsContext } from './types';

const show = { show: { operation: ['summary'] } };
const DAY = /^\d{4}-\d{2}-\d{2}$/;

export const description: INodeProperties[] = [
	{
		displayName: 'From',
		name: 'summaryFrom',
		type: 'string',
		default: '',
		placeholder: 'YYYY-MM-DD',
		displayOptions: show,
		description: 'First day compared, in UTC (empty: the To day)',
	},
	{
		displayName: 'To',
		name: 'summaryTo',
		type: 'string',
		default: '',
		placeholder: 'YYYY-MM-DD',
		displayOptions: show,
		description: 'Last day compared, in UTC (empty: yesterday). Run Attribute Conversions over the same days first.',
	},
	{
		displayName: 'Model',
		name: 'summaryModel',
		type: 'options',
		default: 'markov',
		options: ATTRIBUTION_MODELS.map((m) => ({ name: MODEL_LABELS[m], value: m })).sort((a, b) => a.name.localeCompare(b.name, 'en')),
		displayOptions: show,
		description: "The attribution model whose credit (attributed_conversions) is set next to each platform's own count",
	},
	// the shared Conversion Types (common.ts), shown here too
	{ ...conversionTypes, displayOptions: show, description: 'Which first-party events are counted as conversions (the same as Attribute Conversions used)' },
	{
		displayName: 'Slack Channel',
		name: 'channel',
		type: 'resourceLocator',
		default: { mode: 'list', value: '' },
		description:
			"With an AdOps Slack credential: where the comparison is posted with its chart, once per day (empty: the credential's default channel). Without one, the item's \"alert\" goes to AdOps Alert.",
		displayOptions: show,
		modes: SLACK_CHANNEL_MODES,
	},
];

function windowOf(from: string, to: string, now: number): { from: string; to: string } {
	const end = to || utcDate(now - DAY_MS);
	const start = from || end;
	for (const [label, day] of [['From', start], ['To', end]] as const) if (!DAY.test(day) || Number.isNaN(Date.parse(`${day}T00:00:00Z`))) throw new ParameterError(`${label} must be a date YYYY-MM-DD; got "${day}"`);
	if (start > end) throw new ParameterError(`From (${start}) is after To (${end})`);
	return { from: start, to: end };
}

export async function execute(this: IExecuteFunctions, itemIndex: number, ctx: ConversionsContext): Promise<INodeExecutionData[]> {
	const text = (name: string) => String(this.getNodeParameter(name, itemIndex, '') ?? '').trim();
	const { from, to } = windowOf(text('summaryFrom'), text('summaryTo'), Date.now());
	const model = text('summaryModel') || 'markov';
	if (!(ATTRIBUTION_MODELS as readonly string[]).includes(model)) throw new ParameterError(`Model must be one of ${ATTRIBUTION_MODELS.join(', ')}; got "${model}"`);
	const types = conversionTypesOf(this.getNodeParameter('conversionTypes', itemIndex, [...DEFAULT_CONVERSION_TYPES]));
	const comparison = await readComparison(ctx.store, { from, to, model: model as AttributionModel, conversionTypes: types });
	const alert = comparisonAlert(comparison);
	const chart = comparisonChart(comparison);
	const filename = `conversions-${from === to ? from : `${from}_${to}`}-${model}.png`;
	const json: IDataObject = { outcome: 'conversionsSummary', ...(JSON.parse(JSON.stringify(comparison)) as IDataObject), conversionTypes: types };
	const data = await optionalCredentials(this, 'adOpsSlackApi');
	if (data) {
		const settings = data as unknown as SlackSettings;
		const channel = slackChannelFromLocator(this.getNodeParameter('channel', itemIndex, ''), 'Slack Channel') || String(settings.defaultChannel ?? '').trim();
		if (!channel) throw new ParameterError('No Slack channel: set Slack Channel on the node or a default channel in the AdOps Slack credential');
		const slack = { client: createSlackClient(settings, { retries: 3, limits: await ctx.limits() }), channel };
		json.alert = null;
		json.slack = { ...(await postWithChart(ctx.store, slack, comparisonKey(comparison, types), alert, chart, filename)) };
	} else {
		json.alert = alert as unknown as IDataObject;
	}
	const binary = await this.helpers.prepareBinaryData(chart.png, filename, 'image/png');
	return [{ json, binary: { chart: binary }, pairedItem: { item: itemIndex } }];
}
