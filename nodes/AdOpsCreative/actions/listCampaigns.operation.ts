import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { numberParam } from '../../common/params';
import { activeCampaigns, type CreativePlatform } from '../../shared/creative';
import type { CreativeContext } from './types';

const show = { show: { operation: ['listCampaigns'] } };

export const description: INodeProperties[] = [
	{
		displayName: 'Active in the Last (Days)',
		name: 'days',
		type: 'number',
		default: 7,
		typeOptions: { minValue: 1, maxValue: 365 },
		displayOptions: show,
		description: 'Campaigns with spend in this many days, from the ingested performance in the store',
	},
	{
		displayName: 'Platforms',
		name: 'platforms',
		type: 'multiOptions',
		default: ['google_ads', 'meta', 'linkedin'],
		displayOptions: show,
		options: [
			{ name: 'Google Ads', value: 'google_ads' },
			{ name: 'LinkedIn', value: 'linkedin' },
			{ name: 'Meta', value: 'meta' },
		],
	},
	{
		displayName: 'Limit',
		name: 'limit',
		type: 'number',
		default: 10,
		typeOptions: { minValue: 1 },
		displayOptions: show,
		description: 'Max number of results to return',
	},
	{
		displayName: 'Brief',
		name: 'defaultBrief',
		type: 'string',
		typeOptions: { rows: 3 },
		default: 'Fresh variants for the campaign "{campaign}": keep what works in the best performers, avoid the angles of the worst.',
		displayOptions: show,
		description: 'The brief each campaign gets; {campaign} is replaced by its name',
	},
];

export const once = true;

/** One item per active campaign (the `limit` with the most spend): {platform, accountId, campaignId, campaignName, brief}, ready for Generate Variants. */
export async function execute(this: IExecuteFunctions, itemIndex: number, ctx: CreativeContext): Promise<[INodeExecutionData[], INodeExecutionData[]]> {
	const campaigns = await activeCampaigns(ctx.store, {
		days: numberParam(this.getNodeParameter('days', itemIndex, 7), 'Active in the Last (Days)', 7, { min: 1, max: 365, integer: true }),
		platforms: this.getNodeParameter('platforms', itemIndex, []) as CreativePlatform[],
	});
	const limit = numberParam(this.getNodeParameter('limit', itemIndex, 10), 'Limit', 10, { min: 1, integer: true });
	const top = [...campaigns].sort((a, b) => b.spend - a.spend).slice(0, limit);
	const brief = String(this.getNodeParameter('defaultBrief', itemIndex, ''));
	return [top.map((c) => ({ json: { ...c, brief: brief.split('{campaign}').join(c.campaignName ?? c.campaignId) } as unknown as IDataObject, pairedItem: { item: itemIndex } })), []];
}
