import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';
import { accountIdFromLocator, adAccountModes, campaignFromLocator, campaignModes, STORED_CAMPAIGN_DAYS } from '../../common/list-search';
import { numberParam, ParameterError } from '../../common/params';
import { heldBackDigestAlert } from '../../shared/creative/alert';
import { proposalThreadKey } from '../../shared/alerts/proposal';
import { CREATIVE_PLATFORMS, MAX_ATTEMPTS, MAX_COUNT, runCreative, type CreativePlatform, type CreativeRunResult } from '../../shared/creative';
import type { CreativeContext } from './types';

const show = { show: { operation: ['generate'] } };
const onVersion = (v: 1 | 1.1) => ({ show: { operation: ['generate'], '@version': v === 1 ? [1] : [{ _cnd: { gte: 1.1 } }] } });

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
	// Version 1: the IDs as text. 1.1: locators (From list: the campaigns in the store; By ID; By URL: the address in
	// the platform's manager), by default still the input item's IDs (a scheduled run feeds them). One locator each for
	// every platform, as the Platform may come from an expression.
	{ displayName: 'Account ID', name: 'accountId', type: 'string', default: '={{ $json.accountId ?? $json.body?.accountId }}', required: true, displayOptions: onVersion(1) },
	{ displayName: 'Campaign ID', name: 'campaignId', type: 'string', default: '={{ $json.campaignId ?? $json.body?.campaignId }}', required: true, displayOptions: onVersion(1) },
	{
		displayName: 'Ad Account',
		name: 'accountId',
		type: 'resourceLocator',
		default: { mode: 'id', value: '={{ $json.accountId ?? $json.body?.accountId }}' },
		description: "The account whose past campaigns ground the copy. The list shows the accounts of the Platform with campaigns in the store. Empty: the account in the Campaign's address.",
		displayOptions: onVersion(1.1),
		modes: adAccountModes(CREATIVE_PLATFORMS, 'searchStoredAccounts', false),
	},
	{
		displayName: 'Campaign',
		name: 'campaignId',
		type: 'resourceLocator',
		default: { mode: 'id', value: '={{ $json.campaignId ?? $json.body?.campaignId }}' },
		required: true,
		description: `The campaign the copy is for. The list shows the account's campaigns with spend in the last ${STORED_CAMPAIGN_DAYS} days, from the store; an address may also name the account.`,
		displayOptions: onVersion(1.1),
		modes: campaignModes(CREATIVE_PLATFORMS),
	},
	{
		displayName: 'Variants',
		name: 'count',
		type: 'number',
		default: 5,
		typeOptions: { minValue: 1, maxValue: MAX_COUNT },
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
			{
				displayName: 'One Approval Card per Campaign',
				name: 'batchApprovals',
				type: 'boolean',
				default: true,
				description: 'Whether the new variants of a campaign go to one Notion card and one Slack request (approve or reject them together). Off: one card and one request per variant.',
			},
			{ displayName: 'Max Attempts per Variant', name: 'maxAttempts', type: 'number', default: 3, typeOptions: { minValue: 1, maxValue: MAX_ATTEMPTS }, description: 'A variant that breaks a hard rule is regenerated with the reasons, at most this often, then reported' },
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

/**
 * Output 0: one item per proposal to queue — a campaign run's batch (its
 * variants under `variants`) or a single variant. Output 1: one item per
 * held-back variant (no alert of its own) and, last, one digest alert for
 * them all.
 */
export function toItems(result: CreativeRunResult, itemIndex: number): [INodeExecutionData[], INodeExecutionData[]] {
	const run = { runId: result.runId, runStatus: result.status, runMessage: result.message, usage: result.usage, budget: result.budget };
	const queued: INodeExecutionData[] = [];
	const heldBack: INodeExecutionData[] = [];
	const byProposal = new Map<string, typeof result.items>();
	for (const item of result.items) {
		if (item.proposal) byProposal.set(item.proposal.id, [...(byProposal.get(item.proposal.id) ?? []), item]);
		// Copy this campaign already has (a rerun) is reported, never announced again.
		else heldBack.push({ json: { ...item, ...run, alert: null } as unknown as IDataObject, pairedItem: { item: itemIndex } });
	}
	for (const [id, variants] of byProposal) {
		const json = variants.length === 1 ? { ...variants[0]!, ...run } : { ...variants[0]!, status: 'pending_approval', variants: variants.map(({ proposal: _p, ...v }) => v), ...run };
		queued.push({ json: { ...json, threadKey: proposalThreadKey(id) } as unknown as IDataObject, pairedItem: { item: itemIndex } });
	}
	const digest = heldBackDigestAlert(result.items, result);
	if (digest) heldBack.push({ json: { digest: true, heldBack: heldBack.length, ...run, alert: digest as unknown as IDataObject }, pairedItem: { item: itemIndex } });
	for (const r of result.requeued) queued.push({ json: { status: 'requeued', variantId: r.variantId, proposal: r.proposal, reason: r.reason, ...run } as unknown as IDataObject, pairedItem: { item: itemIndex } });
	return [queued, heldBack];
}

export async function execute(this: IExecuteFunctions, itemIndex: number, ctx: CreativeContext): Promise<[INodeExecutionData[], INodeExecutionData[]]> {
	const o = this.getNodeParameter('generateOptions', itemIndex, {}) as IDataObject;
	const platform = this.getNodeParameter('platform', itemIndex) as CreativePlatform;
	if (!CREATIVE_PLATFORMS.includes(platform)) throw new NodeOperationError(this.getNode(), `Unknown platform "${platform}"`, { itemIndex });
	const text = (name: string) => String(this.getNodeParameter(name, itemIndex, '') ?? '').trim();
	const maxTokens = numberParam(o.maxTokens, 'Max Tokens (Run Budget)', 0, { min: 0, integer: true });
	const threshold = (value: unknown, label: string) => numberParam(value, label, undefined, { min: 0, max: 1 });
	// Empty thresholds take the core's defaults.
	const thresholds = {
		lexical: { nearDuplicate: threshold(o.lexicalNear, 'Near-Duplicate Threshold (Lexical)'), duplicate: threshold(o.lexicalDuplicate, 'Duplicate Threshold (Lexical)') },
		semantic: { nearDuplicate: threshold(o.semanticNear, 'Near-Duplicate Threshold (Semantic)'), duplicate: threshold(o.semanticDuplicate, 'Duplicate Threshold (Semantic)') },
	};
	// version 1 holds text, 1.1 locators (a campaign's address may also name its account)
	const campaign = campaignFromLocator(platform, this.getNodeParameter('campaignId', itemIndex, ''));
	const picked = accountIdFromLocator(platform, this.getNodeParameter('accountId', itemIndex, ''));
	// an address of a campaign in another account would ground the copy on the wrong account's past
	if (picked && campaign.accountId && picked !== campaign.accountId) throw new ParameterError(`Campaign: the address is of account ${campaign.accountId}, but Ad Account is ${picked}; pick one account`);
	const accountId = picked || campaign.accountId || '';
	if (!accountId) throw new ParameterError("Ad Account is empty: pick one, or give the Campaign by an address that names its account");
	const campaignId = campaign.campaignId;
	const result = await runCreative(
		{
			brief: text('brief'),
			accountId,
			campaignId,
			campaignName: String(o.campaignName ?? '').trim() || null,
			platform,
			placement: String(o.placement ?? '').trim() || null,
			tone: String(o.tone ?? '').trim() || null,
			bannedWords: words(o.bannedWords),
			bannedClaims: claims(o.bannedClaims),
			metric: this.getNodeParameter('metric', itemIndex) as 'roas' | 'cpa' | 'ctr',
			count: numberParam(this.getNodeParameter('count', itemIndex, 5), 'Variants', 5, { min: 1, max: MAX_COUNT, integer: true }),
			maxAttempts: numberParam(o.maxAttempts, 'Max Attempts per Variant', undefined, { min: 1, max: MAX_ATTEMPTS, integer: true }),
			maxTokens: maxTokens > 0 ? maxTokens : null,
			thresholds,
			expiresInHours: numberParam(o.expiresInHours, 'Expires In (Hours)', 72, { min: 0 }),
			batchApprovals: o.batchApprovals !== false,
		},
		{ store: ctx.store, openai: ctx.openai, chatModel: ctx.settings.chatModel, embeddingModel: ctx.settings.embeddingModel },
	);
	return toItems(result, itemIndex);
}
