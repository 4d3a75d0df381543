import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';
import { adOpsStoreConnectionTest } from '../common/store';
import { CONTROLLED_CREDENTIALS, PLATFORM_CREDENTIAL_TESTS, platformCredentialTest } from '../common/platforms';
import { PLATFORM_REGISTRY } from '../shared/platforms/registry';
import { adOpsSlackApiTest, searchSlackChannels } from '../common/slack';
import { router } from './actions/router';
import * as detect from './actions/detect.operation';
import * as digest from './actions/digest.operation';
import * as forecast from './actions/forecast.operation';
import * as pace from './actions/pace.operation';
import * as pushKpis from './actions/push-kpis.operation';
import { common } from './actions/common';
import { ONE_VERSION } from '../common/panel';

export class AdOpsInsights implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'AdOps Insights',
		name: 'adOpsInsights',
		icon: { light: 'file:adOpsInsights.svg', dark: 'file:adOpsInsights.dark.svg' },
		group: ['transform'],
		// [1] with its default: no "Custom API Call" from n8n for the platform OAuth2 credentials (common/panel.ts)
		...ONE_VERSION,
		subtitle: '={{ { detect: "Detect anomalies", pace: "Pace budgets", forecast: "Forecast " + $parameter["metric"], digest: "Weekly digest", pushKpis: "Push KPIs to Databox" }[$parameter["operation"]] ?? "" }}',
		description: 'Anomalies, budget pacing and forecasts over the stored daily performance of every account, as alerts with their charts',
		defaults: { name: 'AdOps Insights' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [
			{ name: 'adOpsStoreApi', displayName: 'AdOps Store', required: true, testedBy: 'adOpsStoreConnectionTest' },
			{ name: 'adOpsSlackApi', displayName: 'Slack (alerts with charts, optional)', required: false, testedBy: 'adOpsSlackApiTest', displayOptions: { show: { operation: ['detect', 'pace', 'digest'] } } },
			{ name: 'adOpsDataboxApi', displayName: 'Databox', required: false, testedBy: 'adOpsDataboxApiTest', displayOptions: { show: { operation: ['pushKpis'] } } },
			// Pace Budgets' plan source "platform": the campaigns' own budgets, read as the optimizer reads them
			...CONTROLLED_CREDENTIALS.map(({ platform, credential }) => ({ name: credential, displayName: PLATFORM_REGISTRY[platform].productLabel, required: false, ...platformCredentialTest(credential), displayOptions: { show: { operation: ['pace'], planSource: ['platform'] } } })),
		],
		properties: [
			{
				displayName: 'Operation',
				name: 'operation',
				type: 'options',
				noDataExpression: true,
				default: 'detect',
				options: [
					{
						name: 'Detect Anomalies',
						value: 'detect',
						action: 'Detect anomalies in daily performance',
						description: 'Scan every account and campaign for spikes and drops of the nine metrics; store each anomaly; one item per anomaly, with an alert when it is new or worse',
					},
					{
						name: 'Forecast',
						value: 'forecast',
						action: 'Forecast a metric',
						description: 'A metric of a scope (all, a platform, an account or a campaign) for the next days, with prediction intervals',
					},
					{
						name: 'Pace Budgets',
						value: 'pace',
						action: 'Pace budgets against the monthly plan',
						description: 'Month-to-date spend against the plan, the forecast of month-end spend, on track / under / over and the daily budget that lands on plan',
					},
					{
						name: 'Push KPIs',
						value: 'pushKpis',
						action: 'Push KPIs to Databox',
						description: 'The daily KPIs per platform, account and campaign (the KPI views) to Databox, each value once',
					},
					{
						name: 'Weekly Digest',
						value: 'digest',
						action: 'Sum up the week',
						description: "The week's anomalies, pacing per plan and the top movers in one message, with one spend chart per platform",
					},
				],
			},
			...common,
			...detect.description,
			...pace.description,
			...forecast.description,
			...digest.description,
			...pushKpis.description,
		],
	};

	methods = { credentialTest: { adOpsStoreConnectionTest, adOpsSlackApiTest, adOpsDataboxApiTest: pushKpis.adOpsDataboxApiTest, ...PLATFORM_CREDENTIAL_TESTS }, listSearch: { searchSlackChannels } };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return router.call(this);
	}
}
