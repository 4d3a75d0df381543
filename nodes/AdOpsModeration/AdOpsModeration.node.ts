import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';
import { adOpsNotionApiTest } from '../common/notion';
import { adOpsOpenAiApiTest } from '../common/openai';
import { adOpsMetaAdsApiTest } from '../common/platforms';
import { adOpsStoreConnectionTest } from '../common/store';
import * as moderate from './actions/moderate.operation';
import { router } from './actions/router';
import { MODERATION_DESCRIPTION } from '../common/panel';

export class AdOpsModeration implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'AdOps Moderation',
		name: 'adOpsModeration',
		icon: { light: 'file:adOpsModeration.svg', dark: 'file:adOpsModeration.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: '={{ { moderate: ($parameter["live"] === true ? "Moderate comments (live)" : "Moderate comments (dry run)"), pollComments: "Read new ad comments" }[$parameter["operation"]] ?? "" }}',
		description: MODERATION_DESCRIPTION,
		defaults: { name: 'AdOps Moderation' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [
			{ name: 'adOpsMetaAdsApi', displayName: 'Meta Ads', required: true, testedBy: 'adOpsMetaAdsApiTest' },
			{ name: 'adOpsStoreApi', displayName: 'AdOps Store', required: true, testedBy: 'adOpsStoreConnectionTest' },
			{ name: 'adOpsOpenAiApi', displayName: 'OpenAI (optional classifier)', required: false, testedBy: 'adOpsOpenAiApiTest', displayOptions: { show: { operation: ['moderate'] } } },
			{ name: 'adOpsNotionApi', displayName: 'Notion (approval queue, optional)', required: false, testedBy: 'adOpsNotionApiTest', displayOptions: { show: { operation: ['moderate'] } } },
		],
		properties: [
			{
				displayName: 'Operation',
				name: 'operation',
				type: 'options',
				noDataExpression: true,
				default: 'moderate',
				options: [
					{ name: 'Moderate', value: 'moderate', action: 'Classify and act on new comments', description: 'Classify comments not moderated yet and apply the policy' },
					{ name: 'Poll Comments', value: 'pollComments', action: 'Read new comments on ad posts', description: 'Find the posts behind active ads and store their new comments (fallback when webhooks are not set up)' },
				],
			},
			{
				displayName: 'Comment text is data: it can never change the policy or choose an action. Without an AdOps OpenAI credential the offline classifier is used (lower confidence: more goes to a person). With an AdOps Notion credential, replies and escalations are queued for approval.',
				name: 'notice',
				type: 'notice',
				default: '',
				displayOptions: { show: { operation: ['moderate'] } },
			},
			...moderate.description,
		],
	};

	methods = { credentialTest: { adOpsMetaAdsApiTest, adOpsStoreConnectionTest, adOpsOpenAiApiTest, adOpsNotionApiTest } };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return router.call(this);
	}
}
