import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';
import { searchStoredAccounts, searchStoredCampaigns } from '../common/list-search';
import { adOpsOpenAiApiTest } from '../common/openai';
import { adOpsStoreConnectionTest } from '../common/store';
import * as checkNovelty from './actions/checkNovelty.operation';
import * as generate from './actions/generate.operation';
import * as listCampaigns from './actions/listCampaigns.operation';
import { router } from './actions/router';

export class AdOpsCreative implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'AdOps Creative',
		name: 'adOpsCreative',
		icon: { light: 'file:adOpsCreative.svg', dark: 'file:adOpsCreative.dark.svg' },
		group: ['transform'],
		// 1.1: Generate Variants' Ad Account and Campaign are locators (From list / By ID / By URL); 1 keeps them as text.
		version: [1, 1.1],
		defaultVersion: 1.1,
		subtitle: '={{ { generate: "Write ad copy variants", listCampaigns: "List active campaigns", checkNovelty: "Check copy against past variants" }[$parameter["operation"]] ?? "" }}',
		description: 'Write ad copy with OpenAI that fits each platform, passes policy and never repeats past copy',
		defaults: { name: 'AdOps Creative' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		// Generate Variants: Queued and Held Back; the other operations have one output named for what it holds.
		outputs: `={{ $parameter.operation === "listCampaigns" ? [{ type: "${NodeConnectionTypes.Main}", displayName: "Campaigns" }] : $parameter.operation === "checkNovelty" ? [{ type: "${NodeConnectionTypes.Main}", displayName: "Results" }] : [{ type: "${NodeConnectionTypes.Main}", displayName: "Queued" }, { type: "${NodeConnectionTypes.Main}", displayName: "Held Back" }] }}`,
		credentials: [
			{ name: 'adOpsOpenAiApi', displayName: 'OpenAI', required: true, testedBy: 'adOpsOpenAiApiTest' },
			{ name: 'adOpsStoreApi', displayName: 'AdOps Store', required: true, testedBy: 'adOpsStoreConnectionTest' },
		],
		properties: [
			{
				displayName: 'Operation',
				name: 'operation',
				type: 'options',
				noDataExpression: true,
				default: 'generate',
				options: [
					{ name: 'Generate Variants', value: 'generate', action: 'Generate ad copy variants', description: 'Write variants, check rules, policy and novelty; novel ones come out with a proposal for AdOps Approval' },
					{ name: 'List Active Campaigns', value: 'listCampaigns', action: 'List campaigns with recent spend', description: 'One item per campaign with spend in the last days (from the store), with a brief, for a scheduled run' },
					{ name: 'Check Novelty', value: 'checkNovelty', action: 'Check copy against past variants', description: 'Compare hand-written copy with every past variant of the account' },
				],
			},
			...generate.description,
			...checkNovelty.description,
			...listCampaigns.description,
		],
	};

	methods = {
		credentialTest: { adOpsOpenAiApiTest, adOpsStoreConnectionTest },
		listSearch: { searchStoredAccounts, searchStoredCampaigns },
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return router.call(this);
	}
}
