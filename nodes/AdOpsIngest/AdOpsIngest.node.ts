import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';
import { adOpsKlaviyoApiTest, adOpsMetaAdsApiTest } from '../common/platforms';
import { adOpsStoreConnectionTest } from '../common/store';
import { router } from './actions/router';
import * as ingest from './actions/ingest.operation';
import * as qualityReport from './actions/qualityReport.operation';

const onPlatform = (platform: string) => ({ show: { operation: ['ingest'], platform: [platform] } });

export class AdOpsIngest implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'AdOps Ingest',
		name: 'adOpsIngest',
		icon: { light: 'file:adOpsIngest.svg', dark: 'file:adOpsIngest.dark.svg' },
		group: ['input'],
		version: 1,
		subtitle: '={{$parameter["operation"] === "ingest" ? "ingest " + $parameter["platform"] : "data quality report"}}',
		description: 'Load daily ad performance from Google Ads, Meta, LinkedIn and Klaviyo into one normalized, validated table',
		defaults: { name: 'AdOps Ingest' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [
			{ name: 'adOpsStoreApi', required: true, testedBy: 'adOpsStoreConnectionTest' },
			{ name: 'adOpsMetaAdsApi', required: true, testedBy: 'adOpsMetaAdsApiTest', displayOptions: onPlatform('meta') },
			{ name: 'adOpsLinkedInAdsOAuth2Api', required: true, displayOptions: onPlatform('linkedin') },
			{ name: 'adOpsGoogleAdsOAuth2Api', required: true, displayOptions: onPlatform('google_ads') },
			{ name: 'adOpsKlaviyoApi', required: true, testedBy: 'adOpsKlaviyoApiTest', displayOptions: onPlatform('klaviyo') },
		],
		properties: [
			{
				displayName: 'Operation',
				name: 'operation',
				type: 'options',
				noDataExpression: true,
				default: 'ingest',
				options: [
					{
						name: 'Ingest Performance',
						value: 'ingest',
						action: 'Ingest daily performance',
						description: 'Fetch, normalize, validate and upsert daily campaign metrics; one output item per account',
					},
					{
						name: 'Data Quality Report',
						value: 'qualityReport',
						action: 'Score the data quality',
						description: 'Score freshness, completeness, metric relationships, volume and spend consistency (0-100)',
					},
				],
			},
			...ingest.description,
			...qualityReport.description,
		],
	};

	methods = {
		credentialTest: { adOpsStoreConnectionTest, adOpsMetaAdsApiTest, adOpsKlaviyoApiTest },
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return router.call(this);
	}
}
