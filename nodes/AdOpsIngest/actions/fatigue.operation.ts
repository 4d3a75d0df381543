import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';
import { checkFatigue, fatigueItem, noFatigueSentence, FATIGUE_DEFAULTS } from '../../shared/fatigue';
import type { Store } from '../../shared/store';
import { numberParam } from '../../common/params';
import { PLATFORM_OPTIONS } from '../../common/platforms';
import { PLATFORM_REGISTRY } from '../../shared/platforms/registry';

const show = { show: { operation: ['fatigue'] } };

export const description: INodeProperties[] = [
	{
		displayName: 'Platforms',
		name: 'fatiguePlatforms',
		type: 'multiOptions',
		default: [],
		description: 'Platforms whose stored ads are checked; none selected checks all of them',
		displayOptions: show,
		options: PLATFORM_OPTIONS.filter((o) => PLATFORM_REGISTRY[o.value].capabilities.ingest),
	},
	{
		displayName: 'Account ID',
		name: 'fatigueAccountId',
		type: 'string',
		default: '',
		description: 'Only this account (as stored). Empty: every account.',
		displayOptions: show,
	},
	{
		displayName: 'As Of',
		name: 'asOf',
		type: 'string',
		default: '',
		placeholder: 'YYYY-MM-DD',
		description: 'Last day judged. Empty: the latest day stored in ad_performance.',
		displayOptions: show,
	},
	{
		displayName: 'Options',
		name: 'fatigueOptions',
		type: 'collection',
		default: {},
		placeholder: 'Add Option',
		displayOptions: show,
		options: [
			{ displayName: 'Include Ads Not Fatigued', name: 'includeAll', type: 'boolean', default: false, description: 'Whether to output nothing but the fatigued ads (off) or one summary item even when none is fatigued (on)' },
			{ displayName: 'Minimum Drop (%)', name: 'minDropPct', type: 'number', default: FATIGUE_DEFAULTS.minDrop * 100, description: 'Smallest fall of the CTR against the ad\'s own baseline that counts as fatigue' },
			{ displayName: 'Evidence Threshold', name: 'threshold', type: 'number', default: FATIGUE_DEFAULTS.threshold, description: 'How sure the drop must be (quasi-likelihood ratio); higher: fewer and later alerts' },
		],
	},
];

/** Runs once per execution (the check reads the store, not the input items). */
export const once = true;

export async function execute(this: IExecuteFunctions, itemIndex: number, store: Store): Promise<INodeExecutionData[]> {
	const asOf = (this.getNodeParameter('asOf', itemIndex, '') as string).trim();
	if (asOf && !/^\d{4}-\d{2}-\d{2}$/.test(asOf)) throw new NodeOperationError(this.getNode(), `As Of must be YYYY-MM-DD, got "${asOf}"`, { itemIndex });
	const options = this.getNodeParameter('fatigueOptions', itemIndex, {}) as IDataObject;
	const minDropPct = numberParam(options.minDropPct, 'Minimum Drop (%)', FATIGUE_DEFAULTS.minDrop * 100, { min: 1, max: 99 });
	const threshold = numberParam(options.threshold, 'Evidence Threshold', FATIGUE_DEFAULTS.threshold, { min: 0 });
	const result = await checkFatigue({
		store,
		platforms: this.getNodeParameter('fatiguePlatforms', itemIndex, []) as string[],
		accountId: (this.getNodeParameter('fatigueAccountId', itemIndex, '') as string).trim() || undefined,
		asOf: asOf || undefined,
		params: { minDrop: (minDropPct ?? FATIGUE_DEFAULTS.minDrop * 100) / 100, threshold: threshold ?? FATIGUE_DEFAULTS.threshold },
	});
	const items: INodeExecutionData[] = result.fatigued.map((ad) => ({ json: fatigueItem(ad, result.asOf, result.judged) as IDataObject, pairedItem: { item: itemIndex } }));
	if (items.length === 0 && options.includeAll) {
		items.push({ json: { asOf: result.asOf, judged: result.judged, notJudged: result.notJudged, fatigued: 0, summary: noFatigueSentence(result.judged, result.notJudged) }, pairedItem: { item: itemIndex } });
	}
	return items;
}
