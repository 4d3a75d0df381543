import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';
import { proposalThreadKey } from '../../shared/alerts/proposal';
import { CREATIVE_PLATFORMS, runCreative, type CreativePlatform, type CreativeRunItem, type CreativeRunResult } from '../../shared/creative';
import type { CreativeContext } from './router';

const show = { show: { operation: ['generate'] } };

export const description: INodeProperties[] = [
	{
		displayName: 'Brief',
		name: 'brief',
		type: 'string',
		typeOptions: { rows: 4 },
		default: '={{ $json.brief ?? $json.body?.brief }}',
		required: true,
		displayOptions: show,
		description: 'What to advertise and to whom. Treated as data: it cannot change the instructions, the rules or the policy.',
	},
	{
		displayName: 'Platform',
		name: 'platform',
		type: 'options',
		default: 'meta',
		displayOptions: show,
		options: [
			{ name: 'Google Ads (Responsive Search Ad)', value: 'google_ads' },
			{ name: 'LinkedIn', value: 'linkedin' },
			{ name: 'Meta (Facebook/Instagram)', value: 'meta' },
		],
	},
	{ displayName: 'Account ID', name: 'accountId', type: 'string', default: '={{ $json.accountId ?? $json.body?.accountId }}', required: true, displayOptions: show },
	{ displayName: 'Campaign ID', name: 'campaignId', type: 'string', default: '={{ $json.campaignId ?? $json.body?.campaignId }}', required: true, displayOptions: show },
	{
		displayName: 'Variants',
		name: 'count',
		type: 'number',
		default: 5,
		typeOptions: { minValue: 1, maxValue: 50 },
		displayOptions: show,
		description: 'How many variants to write',
	},
	{
		displayName: 'Ground On',
		name: 'metric',
		type: 'options',
		default: 'roas',
		displayOptions: show,
		description: 'The best and worst past campaigns of the account by this metric, with their numbers, are shown to the model',
		options: [
			{ name: 'ROAS', value: 'roas' },
			{ name: 'CPA (Lower Is Better)', value: 'cpa' },
			{ name: 'CTR', value: 'ctr' },
		],
	},
	{
		displayName: 'Options',
		name: 'generateOptions',
		type: 'collection',
		default: {},
		placeholder: 'Add Option',
		displayOptions: show,
		options: [
			{ displayName: 'Banned Claims', name: 'bannedClaims', type: 'string', typeOptions: { rows: 3 }, default: '', description: 'One per line, optionally "claim | reason"' },
			{ displayName: 'Banned Words', name: 'bannedWords', type: 'string', default: '', description: 'Comma-separated words or phrases the copy must not use (a trailing * matches any ending)' },
			{ displayName: 'Campaign Name', name: 'campaignName', type: 'string', default: '', description: 'Shown on the approval card; default: the name in the store' },
			{ displayName: 'Duplicate Threshold (Lexical)', name: 'lexicalDuplicate', type: 'number', default: 0.9, typeOptions: { minValue: 0, maxValue: 1, numberPrecision: 2 } },
			{ displayName: 'Duplicate Threshold (Semantic)', name: 'semanticDuplicate', type: 'number', default: 0.95, typeOptions: { minValue: 0, maxValue: 1, numberPrecision: 2 } },
			{ displayName: 'Expires In (Hours)', name: 'expiresInHours', type: 'number', default: 72, description: 'How long an approval card waits for a decision' },
			{ displayName: 'Max Attempts per Variant', name: 'maxAttempts', type: 'number', default: 3, typeOptions: { minValue: 1, maxValue: 10 }, description: 'A variant that breaks a hard rule is regenerated with the reasons, at most this often, then reported' },
			{ displayName: 'Max Tokens (Run Budget)', name: 'maxTokens', type: 'number', default: 0, description: 'Stop generating cleanly when the run has used this many chat tokens; 0 for no budget' },
			{ displayName: 'Near-Duplicate Threshold (Lexical)', name: 'lexicalNear', type: 'number', default: 0.5, typeOptions: { minValue: 0, maxValue: 1, numberPrecision: 2 } },
			{ displayName: 'Near-Duplicate Threshold (Semantic)', name: 'semanticNear', type: 'number', default: 0.8, typeOptions: { minValue: 0, maxValue: 1, numberPrecision: 2 } },
			{ displayName: 'Placement', name: 'placement', type: 'string', default: '', placeholder: 'e.g. feed, stories, search' },
			{ displayName: 'Tone', name: 'tone', type: 'string', default: '', placeholder: 'e.g. warm, confident, no exclamation marks' },
		],
	},
];

function words(raw: unknown): string[] {
	return String(raw ?? '')
		.split(',')
		.map((w) => w.trim())
		.filter(Boolean);
}

function claims(raw: unknown): Array<{ claim: string; reason?: string }> {
	return String(raw ?? '')
		.split('\n')
		.map((l) => l.trim())
		.filter(Boolean)
		.map((l) => {
			const [claim, ...reason] = l.split('|');
			return { claim: claim!.trim(), ...(reason.length ? { reason: reason.join('|').trim() } : {}) };
		});
}

function held(item: CreativeRunItem): string {
	if (item.status === 'rejected_duplicate' && item.nearest) {
		return `${item.verdict === 'duplicate' ? 'Duplicate' : 'Near-duplicate'} of ${item.nearest.source === 'past' ? `past variant ${item.nearest.id}` : `variant ${item.nearest.slot} of this run`}: "${item.nearest.text.slice(0, 200)}"`;
	}
	return item.reason;
}

/** One item per variant: queued ones (with `proposal`) on output 0, held-back ones on output 1. */
export function toItems(result: CreativeRunResult, itemIndex: number): [INodeExecutionData[], INodeExecutionData[]] {
	const run = { runId: result.runId, runStatus: result.status, runMessage: result.message, usage: result.usage, budget: result.budget };
	const queued: INodeExecutionData[] = [];
	const heldBack: INodeExecutionData[] = [];
	for (const item of result.items) {
		const json = { ...item, ...run } as unknown as IDataObject;
		if (item.proposal) queued.push({ json: { ...json, threadKey: proposalThreadKey(item.proposal.id) }, pairedItem: { item: itemIndex } });
		else if (item.status === 'already_stored') {
			// Copy this campaign already has (a rerun): reported, never announced again.
			heldBack.push({ json: { ...json, alert: null }, pairedItem: { item: itemIndex } });
		} else {
			heldBack.push({
				json: {
					...json,
					alert: {
						kind: item.status === 'missing' ? 'failure' : 'info',
						title: `Creative held back: ${item.status.replace(/_/g, ' ')}`,
						message: held(item),
						fields: [
							{ label: 'Platform', value: result.platform },
							{ label: 'Campaign', value: result.campaignId },
							...(item.nearest ? [{ label: 'Similarity', value: `lexical ${item.nearest.lexical.toFixed(2)}${item.nearest.semantic === null ? '' : `, semantic ${item.nearest.semantic.toFixed(2)}`}` }] : []),
						],
						items: [...item.violations.map((v) => v.message), ...item.findings.map((f) => f.message)].slice(0, 20),
					},
				} as unknown as IDataObject,
				pairedItem: { item: itemIndex },
			});
		}
	}
	for (const r of result.requeued) queued.push({ json: { status: 'requeued', variantId: r.variantId, proposal: r.proposal, reason: r.reason, ...run } as unknown as IDataObject, pairedItem: { item: itemIndex } });
	return [queued, heldBack];
}

export async function execute(this: IExecuteFunctions, itemIndex: number, ctx: CreativeContext): Promise<[INodeExecutionData[], INodeExecutionData[]]> {
	const o = this.getNodeParameter('generateOptions', itemIndex, {}) as IDataObject;
	const platform = this.getNodeParameter('platform', itemIndex) as CreativePlatform;
	if (!CREATIVE_PLATFORMS.includes(platform)) throw new NodeOperationError(this.getNode(), `Unknown platform "${platform}"`, { itemIndex });
	const text = (name: string) => String(this.getNodeParameter(name, itemIndex, '') ?? '').trim();
	const maxTokens = Number(o.maxTokens ?? 0);
	const thresholds = {
		lexical: { nearDuplicate: Number(o.lexicalNear ?? 0.5), duplicate: Number(o.lexicalDuplicate ?? 0.9) },
		semantic: { nearDuplicate: Number(o.semanticNear ?? 0.8), duplicate: Number(o.semanticDuplicate ?? 0.95) },
	};
	const result = await runCreative(
		{
			brief: text('brief'),
			accountId: text('accountId'),
			campaignId: text('campaignId'),
			campaignName: String(o.campaignName ?? '').trim() || null,
			platform,
			placement: String(o.placement ?? '').trim() || null,
			tone: String(o.tone ?? '').trim() || null,
			bannedWords: words(o.bannedWords),
			bannedClaims: claims(o.bannedClaims),
			metric: this.getNodeParameter('metric', itemIndex) as 'roas' | 'cpa' | 'ctr',
			count: Number(this.getNodeParameter('count', itemIndex, 5)),
			maxAttempts: Number(o.maxAttempts ?? 3),
			maxTokens: maxTokens > 0 ? maxTokens : null,
			thresholds,
			expiresInHours: o.expiresInHours === undefined ? 72 : Number(o.expiresInHours),
		},
		{ store: ctx.store, openai: ctx.openai, chatModel: ctx.settings.chatModel, embeddingModel: ctx.settings.embeddingModel },
	);
	return toItems(result, itemIndex);
}
