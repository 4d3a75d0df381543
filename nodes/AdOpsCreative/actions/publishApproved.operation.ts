import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { PUBLISH_SETTING_FIELDS, publishTargets } from '../../common/creative-publish';
import { numberParam } from '../../common/params';
import { PUBLISH_PLATFORMS, publishAlert, publishApprovedVariants, type PublishDeps } from '../../shared/creative/publish';
import { PLATFORM_LABELS, type PlatformId } from '../../shared/platforms/registry';
import type { Store } from '../../shared/store';

/** Publish Approved's context: the store and the adapters of the platform credentials set on the node. */
export interface PublishContext {
	store: Store;
	adapters: PublishDeps['adapters'];
}

const show = { show: { operation: ['publishApproved'] } };
const link = PUBLISH_SETTING_FIELDS.find((f) => f.name === 'link')!;

export const description: INodeProperties[] = [
	{ ...link, required: true, displayOptions: show },
	{
		displayName: 'Platforms',
		name: 'publishPlatforms',
		type: 'multiOptions',
		default: [],
		displayOptions: show,
		description: 'Only variants of these platforms; none: every platform',
		options: PUBLISH_PLATFORMS.map((p) => ({ name: PLATFORM_LABELS[p], value: p })).sort((a, b) => a.name.localeCompare(b.name)),
	},
	{
		displayName: 'Campaign ID',
		name: 'publishCampaignId',
		type: 'string',
		default: '',
		displayOptions: show,
		description: "Only this campaign's variants; empty: every campaign",
	},
	{
		displayName: 'Variant IDs',
		name: 'variantIds',
		type: 'string',
		default: '',
		displayOptions: show,
		description: 'Comma-separated variant IDs (creative_variants.id); empty: every approved variant not yet published',
	},
	{
		displayName: 'Limit',
		name: 'publishLimit',
		type: 'number',
		default: 20,
		typeOptions: { minValue: 1 },
		displayOptions: show,
		description: 'Max number of results to return',
	},
	{
		displayName: 'Publish Options',
		name: 'publishOptions',
		type: 'collection',
		default: {},
		placeholder: 'Add Option',
		displayOptions: show,
		options: PUBLISH_SETTING_FIELDS.filter((f) => f.name !== 'link'),
	},
];

export const once = true;

/**
 * One item per variant: {variantId, platform, accountId, campaignId, outcome (published, failed, unknown,
 * not_supported), adId, url (the ad in the platform's web app), text (words for a person), alert (for AdOps Alert)}.
 */
export async function execute(this: IExecuteFunctions, itemIndex: number, ctx: PublishContext): Promise<INodeExecutionData[][]> {
	const options = this.getNodeParameter('publishOptions', itemIndex, {}) as IDataObject;
	const targets = publishTargets({ ...options, link: this.getNodeParameter('link', itemIndex, '') });
	const ids = String(this.getNodeParameter('variantIds', itemIndex, '') ?? '')
		.split(',')
		.map((s) => s.trim())
		.filter(Boolean);
	const results = await publishApprovedVariants({ store: ctx.store, adapters: ctx.adapters, runId: `n8n-execution-${this.getExecutionId()}` }, targets, {
		variantIds: ids,
		platforms: this.getNodeParameter('publishPlatforms', itemIndex, []) as PlatformId[],
		campaignId: String(this.getNodeParameter('publishCampaignId', itemIndex, '') ?? '').trim() || undefined,
		limit: numberParam(this.getNodeParameter('publishLimit', itemIndex, 20), 'Limit', 20, { min: 1, integer: true }),
	});
	return [
		results.map((r) => ({
			json: {
				variantId: r.variantId,
				platform: r.platform,
				accountId: r.accountId,
				campaignId: r.campaignId,
				outcome: r.outcome,
				...(r.outcome === 'published' ? { adId: r.adId, url: r.url, parentId: r.parentId, adStatus: r.adStatus, how: r.how } : {}),
				...(r.outcome === 'failed' ? { retryable: r.retryable } : {}),
				text: r.text,
				alert: publishAlert(r),
			} as unknown as IDataObject,
			pairedItem: { item: itemIndex },
		})),
	];
}
