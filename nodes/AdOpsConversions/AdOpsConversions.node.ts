import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';
import { adOpsStoreConnectionTest } from '../common/store';
import { adOpsSlackApiTest, searchSlackChannels } from '../common/slack';
import { ONE_VERSION } from '../common/panel';
import { PLATFORM_CREDENTIAL_TESTS, platformCredentialTest } from '../common/platforms';
import { SEND_BACK_PLATFORMS } from '../shared/conversions';
import { PLATFORM_REGISTRY } from '../shared/platforms/registry';
import { router } from './actions/router';
import * as attribute from './actions/attribute.operation';
import * as metrics from './actions/metrics.operation';
import * as sendBack from './actions/sendBack.operation';
import * as settleHeld from './actions/settleHeld.operation';
import * as summary from './actions/summary.operation';
import { conversionTypes } from './actions/common';

export class AdOpsConversions implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'AdOps Conversions',
		name: 'adOpsConversions',
		icon: { light: 'file:adOpsConversions.svg', dark: 'file:adOpsConversions.dark.svg' },
		group: ['transform'],
		// [1] with its default: no "Custom API Call" from n8n for platform OAuth2 credentials (common/panel.ts)
		...ONE_VERSION,
		subtitle: '={{ { attribute: "Attribute conversions", metrics: "First-party metrics", sendBack: "Send to ad platforms", settleHeld: "Settle held conversions", summary: "Compare with platforms" }[$parameter["operation"]] ?? "" }}',
		description: 'Your own conversions (from AdOps Events Trigger) attributed to platforms and campaigns under seven models, counted live per campaign, and sent back to the ad platforms',
		defaults: { name: 'AdOps Conversions' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [
			{ name: 'adOpsStoreApi', displayName: 'AdOps Store', required: true, testedBy: 'adOpsStoreConnectionTest' },
			// Send to Ad Platforms: the credential of each platform that takes conversions (the registry's `conversions`)
			...SEND_BACK_PLATFORMS.map((platform) => {
				const credential = PLATFORM_REGISTRY[platform].credentials[0].name;
				return { name: credential, displayName: PLATFORM_REGISTRY[platform].productLabel, required: false, ...platformCredentialTest(credential), displayOptions: { show: { operation: ['sendBack'] } } };
			}),
			// Compare with Platforms: posts its summary with the chart (optional, like AdOps Insights)
			{ name: 'adOpsSlackApi', displayName: 'Slack (summary with chart, optional)', required: false, testedBy: 'adOpsSlackApiTest', displayOptions: { show: { operation: ['summary'] } } },
		],
		properties: [
			{
				displayName: 'Operation',
				name: 'operation',
				type: 'options',
				noDataExpression: true,
				default: 'attribute',
				options: [
					{
						name: 'Attribute Conversions',
						value: 'attribute',
						action: 'Attribute conversions to platforms and campaigns',
						description: 'Stitch the stored first-party events into journeys and credit each conversion to its touches under last click, first click, linear, time decay, position-based, Markov chain and Shapley; writes attributed_conversions',
					},
					{
						name: 'First-Party Metrics',
						value: 'metrics',
						action: 'Count first-party conversions per campaign, live',
						description: "Per platform and campaign, today's and the last hour's clicks, leads, purchases, conversions and their value, current as soon as a batch of events is stored",
					},
					{
						name: 'Send to Ad Platforms',
						value: 'sendBack',
						action: 'Send conversions to the ad platforms',
						description: "Upload the stored conversions to Meta's Conversions API, Google Ads click conversions, LinkedIn's Conversions API and TikTok's Events API, each event once per destination, with consent respected",
					},
					{
						name: 'Settle Held Conversions',
						value: 'settleHeld',
						action: 'Record a verdict on held conversions',
						description: "Conversions whose answer was lost longer ago than the platform's dedupe window are held, never resent (a resend could count twice). After checking the platform, mark them received (counted as accepted) or not received (sent once by the next Send to Ad Platforms run)",
					},
					{
						name: 'Compare with Platforms',
						value: 'summary',
						action: 'Compare platform-reported with first-party conversions',
						description: "Per platform, the conversions it reported next to those your own events credit it with under one model, in words and a bar chart, posted to Slack once per day",
					},
				],
			},
			...attribute.description,
			...metrics.description,
			conversionTypes,
			...sendBack.description,
			...settleHeld.description,
			...summary.description,
		],
	};

	methods = { credentialTest: { adOpsStoreConnectionTest, adOpsSlackApiTest, ...PLATFORM_CREDENTIAL_TESTS }, listSearch: { searchSlackChannels } };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return router.call(this);
	}
}
