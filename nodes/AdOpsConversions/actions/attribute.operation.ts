import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { numberParam, ParameterError } from '../../common/params';
import { ATTRIBUTION_MODELS, DEFAULT_HALF_LIFE_MS, MODEL_LABELS, type AttributionModel } from '../../shared/attribution';
import { readAttribution } from '../../shared/attribution/read';
import { runAttribution } from '../../shared/attribution/run';
import { DAY_MS, utcDate } from '../../shared/text/dates';
import { conversionTypesOf } from './common';
import type { ConversionsContext } from './types';

const show = { show: { operation: ['attribute'] } };

export const description: INodeProperties[] = [
	{
		displayName: 'From',
		name: 'from',
		type: 'string',
		default: '',
		placeholder: 'YYYY-MM-DD',
		displayOptions: show,
		description: 'First conversion day credited, in UTC (empty: the To day)',
	},
	{
		displayName: 'To',
		name: 'to',
		type: 'string',
		default: '',
		placeholder: 'YYYY-MM-DD',
		displayOptions: show,
		description: 'Last conversion day credited, in UTC (empty: yesterday). A rerun over the same days replaces their rows.',
	},
	{
		displayName: 'Lookback (Days)',
		name: 'lookbackDays',
		type: 'number',
		default: 30,
		typeOptions: { minValue: 1, maxValue: 365 },
		displayOptions: show,
		description: "Touches up to this many days before a conversion belong to its journey",
	},
	{
		displayName: 'Models',
		name: 'models',
		type: 'multiOptions',
		default: [...ATTRIBUTION_MODELS],
		options: ATTRIBUTION_MODELS.map((m) => ({ name: MODEL_LABELS[m], value: m })).sort((a, b) => a.name.localeCompare(b.name, 'en')),
		displayOptions: show,
		description: 'The attribution models computed; each writes its own rows to attributed_conversions',
	},
	{
		displayName: 'Output Attributed Rows',
		name: 'outputRows',
		type: 'boolean',
		default: false,
		displayOptions: show,
		description: 'Whether the summary is followed by one item per model, platform, campaign and currency over the window, read back from attributed_conversions',
	},
	{
		displayName: 'Attribution Options',
		name: 'attributionOptions',
		type: 'collection',
		default: {},
		placeholder: 'Add Option',
		displayOptions: show,
		options: [
			{
				displayName: 'Time-Decay Half-Life (Days)',
				name: 'halfLifeDays',
				type: 'number',
				default: DEFAULT_HALF_LIFE_MS / DAY_MS,
				typeOptions: { minValue: 0.01, numberPrecision: 2 },
				description: 'Under time decay, a touch this many days before the conversion weighs half as much as one at the conversion',
			},
		],
	},
];

/** The From and To days: given, or yesterday (UTC). */
function windowOf(from: string, to: string, now: number): { from: string; to: string } {
	const end = to || utcDate(now - DAY_MS);
	return { from: from || end, to: end };
}

export async function execute(this: IExecuteFunctions, itemIndex: number, ctx: ConversionsContext): Promise<INodeExecutionData[]> {
	const text = (name: string) => String(this.getNodeParameter(name, itemIndex, '') ?? '').trim();
	const { from, to } = windowOf(text('from'), text('to'), Date.now());
	const lookbackDays = numberParam(this.getNodeParameter('lookbackDays', itemIndex, 30), 'Lookback (Days)', 30, { min: 1, max: 365, integer: true });
	const chosen = this.getNodeParameter('models', itemIndex, [...ATTRIBUTION_MODELS]) as unknown;
	const models = (Array.isArray(chosen) ? chosen.map(String) : []) as AttributionModel[];
	const unknown = models.filter((m) => !(ATTRIBUTION_MODELS as readonly string[]).includes(m));
	if (unknown.length) throw new ParameterError(`Models must be among ${ATTRIBUTION_MODELS.join(', ')}; got ${unknown.map((m) => `"${m}"`).join(', ')}`);
	if (models.length === 0) throw new ParameterError('Models is empty: choose at least one attribution model');
	const conversionTypes = conversionTypesOf(this.getNodeParameter('conversionTypes', itemIndex, ['purchase']));
	const o = this.getNodeParameter('attributionOptions', itemIndex, {}) as IDataObject;
	const halfLifeDays = numberParam(o.halfLifeDays, 'Time-Decay Half-Life (Days)', DEFAULT_HALF_LIFE_MS / DAY_MS, { min: 0.01 });
	const run = await runAttribution(ctx.store, { from, to, lookbackDays, models, conversionTypes, halfLifeMs: halfLifeDays * DAY_MS });
	const read = await readAttribution(ctx.store, { from, to, models, run: { ...run, lookbackDays } });
	const out: INodeExecutionData[] = [
		{
			json: {
				outcome: 'attribution',
				from,
				to,
				lookbackDays,
				models,
				conversionTypes,
				...run,
				byModel: read.byModel as unknown as IDataObject[],
				summary: read.summary,
			},
			pairedItem: { item: itemIndex },
		},
	];
	if (this.getNodeParameter('outputRows', itemIndex, false) === true) {
		for (const r of read.rows) out.push({ json: { outcome: 'attributed', from, to, ...r } as unknown as IDataObject, pairedItem: { item: itemIndex } });
	}
	return out;
}
