import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';
import { searchStoredAccounts, searchStoredCampaigns } from '../common/list-search';
import { adOpsOpenAiApiTest } from '../common/openai';
import { adOpsStoreConnectionTest } from '../common/store';
import * as checkNovelty from './actions/checkNovelty.operation';
import * as generate from './actions/generate.operation';
import * as listCampaigns from './actions/listCampaigns.operation';
import * as publishApproved from './actions/publishApproved.operation';
import { router } from './actions/router';
import { PLATFORM_CREDENTIAL_TESTS, platformCredentialTest } from '../common/platforms';
import { PUBLISH_PLATFORMS } from '../shared/creative/publish';
import { PLATFORM_REGISTRY } from '../shared/platforms/registry';

/** The operations of versions 1 and 1.1 (1.2 adds Publish Approved). */
const OPERATIONS = [
	{ name: 'Generate Variants', value: 'generate', action: 'Generate ad copy variants', description: 'Write variants, check rules, policy and novelty; novel ones come out with a proposal for AdOps Approval' },
	{ name: 'List Active Campaigns', value: 'listCampaigns', action: 'List campaigns with recent spend', description: 'One item per campaign with spend in the last days (from the store), with a brief, for a scheduled run' },
	{ name: 'Check Novelty', value: 'checkNovelty', action: 'Check copy against past variants', description: 'Compare hand-written copy with every past variant of the account' },
];

/** The credentials of the platforms approved copy is published to. */
const PUBLISH_CREDENTIALS = PUBLISH_PLATFORMS.map((platform) => ({ platform, credential: PLATFORM_REGISTRY[platform].credentials[0].name }));

export class AdOpsCreative implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'AdOps Creative',
		name: 'adOpsCreative',
		icon: { light: 'file:adOpsCreative.svg', dark: 'file:adOpsCreative.dark.svg' },
		group: ['transform'],
		// 1.1: Generate Variants' Ad Account and Campaign are locators (From list / By ID / By URL); 1 keeps them as text.
		// 1.2: the Publish Approved operation and the platform credentials it uses; 1 and 1.1 are unchanged.
		version: [1, 1.1, 1.2],
		defaultVersion: 1.2,
		subtitle: '={{ { generate: "Write ad copy variants", listCampaigns: "List active campaigns", checkNovelty: "Check copy against past variants", publishApproved: "Publish approved variants as ads" }[$parameter["operation"]] ?? "" }}',
		description: 'Write ad copy with OpenAI that fits each platform, passes policy and never repeats past copy',
		defaults: { name: 'AdOps Creative' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		// Generate Variants: Queued and Held Back; the other operations have one output named for what it holds.
		outputs: `={{ $parameter.operation === "listCampaigns" ? [{ type: "${NodeConnectionTypes.Main}", displayName: "Campaigns" }] : $parameter.operation === "checkNovelty" || $parameter.operation === "publishApproved" ? [{ type: "${NodeConnectionTypes.Main}", displayName: "Results" }] : [{ type: "${NodeConnectionTypes.Main}", displayName: "Queued" }, { type: "${NodeConnectionTypes.Main}", displayName: "Held Back" }] }}`,
		credentials: [
			// Publish Approved writes no copy: no OpenAI credential there
			{ name: 'adOpsOpenAiApi', displayName: 'OpenAI', required: true, testedBy: 'adOpsOpenAiApiTest', displayOptions: { hide: { operation: ['publishApproved'] } } },
			{ name: 'adOpsStoreApi', displayName: 'AdOps Store', required: true, testedBy: 'adOpsStoreConnectionTest' },
			// one optional credential per platform approved copy can be published to (the registry's creativePublish platforms)
			...PUBLISH_CREDENTIALS.map(({ platform, credential }) => ({ name: credential, displayName: PLATFORM_REGISTRY[platform].productLabel, required: false, ...platformCredentialTest(credential), displayOptions: { show: { operation: ['publishApproved'] } } })),
		],
		properties: [
			{
				displayName: 'Operation',
				name: 'operation',
				type: 'options',
				noDataExpression: true,
				default: 'generate',
				displayOptions: { show: { '@version': [1, 1.1] } },
				options: OPERATIONS,
			},
			{
				displayName: 'Operation',
				name: 'operation',
				type: 'options',
				noDataExpression: true,
				default: 'generate',
				displayOptions: { show: { '@version': [{ _cnd: { gte: 1.2 } }] } },
				options: [
					...OPERATIONS,
					{ name: 'Publish Approved', value: 'publishApproved', action: 'Publish approved variants as ads', description: 'Create one ad per approved variant on its platform (paused unless set live), exactly once' },
				],
			},
			...generate.description,
			...publishApproved.description,
			...checkNovelty.description,
			...listCampaigns.description,
		],
	};

	methods = {
		credentialTest: { adOpsOpenAiApiTest, adOpsStoreConnectionTest, ...PLATFORM_CREDENTIAL_TESTS },
		listSearch: { searchStoredAccounts, searchStoredCampaigns },
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return router.call(this);
	}
}
