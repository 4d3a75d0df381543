import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';
import { adOpsKlaviyoApiTest, adOpsMetaAdsApiTest, adOpsTikTokAdsApiTest } from '../common/platforms';
import { PLATFORM_DEFINITIONS, platformList, platformsWith } from '../shared/platforms/registry';
import { adOpsStoreConnectionTest } from '../common/store';
import { router } from './actions/router';
import * as ingest from './actions/ingest.operation';
import * as qualityReport from './actions/qualityReport.operation';

const onPlatform = (platform: string) => ({ show: { operation: ['ingest'], platform: [platform] } });

/** Credential test functions by credential type (token / API-key credentials; OAuth2 is checked by its connect flow). */
const CREDENTIAL_TESTS: Record<string, string> = { adOpsMetaAdsApi: 'adOpsMetaAdsApiTest', adOpsKlaviyoApi: 'adOpsKlaviyoApiTest', adOpsTikTokAdsApi: 'adOpsTikTokAdsApiTest' };

export class AdOpsIngest implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'AdOps Ingest',
		name: 'adOpsIngest',
		icon: { light: 'file:adOpsIngest.svg', dark: 'file:adOpsIngest.dark.svg' },
		group: ['input'],
		version: 1,
		subtitle: '={{$parameter["operation"] === "ingest" ? "ingest " + $parameter["platform"] : "data quality report"}}',
		description: `Load daily ad performance from ${platformList(platformsWith('ingest'))} into one normalized, validated table`,
		defaults: { name: 'AdOps Ingest' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [
			{ name: 'adOpsStoreApi', required: true, testedBy: 'adOpsStoreConnectionTest' },
			...PLATFORM_DEFINITIONS.filter((p) => p.capabilities.ingest).map((p) => ({
				name: p.credentials[0].name,
				required: true,
				...(CREDENTIAL_TESTS[p.credentials[0].name] ? { testedBy: CREDENTIAL_TESTS[p.credentials[0].name] } : {}),
				displayOptions: onPlatform(p.id),
			})),
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
		credentialTest: { adOpsStoreConnectionTest, adOpsMetaAdsApiTest, adOpsKlaviyoApiTest, adOpsTikTokAdsApiTest },
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return router.call(this);
	}
}
