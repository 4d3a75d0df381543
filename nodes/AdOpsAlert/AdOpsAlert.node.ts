import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';
import { adOpsStoreConnectionTest } from '../common/store';
import { adOpsSlackApiTest, searchSlackChannels } from '../common/slack';
import { router } from './actions/router';
import * as post from './actions/post.operation';

export class AdOpsAlert implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'AdOps Alert',
		name: 'adOpsAlert',
		icon: { light: 'file:adOpsAlert.svg', dark: 'file:adOpsAlert.dark.svg' },
		group: ['output'],
		// 1.1: Channel is a resource locator (From list / By ID / By URL); 1 keeps it as text.
		version: [1, 1.1],
		defaultVersion: 1.1,
		// Words in every mode: the fields' kind and title, or where the message comes from.
		subtitle: '={{ $parameter["source"] === "json" ? "Post the alert of each item" : $parameter["source"] === "proposal" ? "Post each proposal step" : { info: "Info", action: "Action", failure: "Failure", summary: "Summary" }[$parameter["kind"]] + ": " + (String($parameter["title"] ?? "").startsWith("=") ? "from the input" : $parameter["title"]) }}',
		description: 'Post ad-operations alerts to Slack as Block Kit messages, threaded by key',
		defaults: { name: 'AdOps Alert' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [
			{ name: 'adOpsSlackApi', displayName: 'Slack', required: true, testedBy: 'adOpsSlackApiTest' },
			{ name: 'adOpsStoreApi', displayName: 'AdOps Store (threads and once-only posting)', required: false, testedBy: 'adOpsStoreConnectionTest' },
		],
		properties: [
			{
				displayName: 'Operation',
				name: 'operation',
				type: 'options',
				noDataExpression: true,
				default: 'post',
				options: [{ name: 'Post Alert', value: 'post', action: 'Post an alert to Slack', description: 'Post one Slack message per input item' }],
			},
			...post.description,
		],
	};

	methods = { credentialTest: { adOpsStoreConnectionTest, adOpsSlackApiTest }, listSearch: { searchSlackChannels } };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return router.call(this);
	}
}
