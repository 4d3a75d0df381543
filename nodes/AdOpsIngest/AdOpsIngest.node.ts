import type { IExecuteFunctions, INodeCredentialDescription, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';
import { PLATFORM_CREDENTIAL_TESTS, platformCredentialTest } from '../common/platforms';
import { PLATFORM_REGISTRY, platformList, platformsWith } from '../shared/platforms/registry';
import { searchAdAccounts } from '../common/list-search';
import { adOpsStoreConnectionTest } from '../common/store';
import { router } from './actions/router';
import * as ingest from './actions/ingest.operation';
import * as qualityReport from './actions/qualityReport.operation';
import * as fatigue from './actions/fatigue.operation';

/**
 * A platform credential shows for its platform only. The condition form
 * (`_cnd: { eq }`) rather than a plain value list: n8n's editor takes a
 * parameter whose every option appears as a plain value in the credentials'
 * display options for the node's "authentication" field (nodeTypesUtils
 * getMainAuthField). It then hides that parameter, and every parameter it
 * depends on, from the panel and fills the slot of every required credential
 * without display options (AdOps Store) with those credentials
 * (useNodeCredentialOptions showMixedCredentials): Platform and Operation
 * were invisible and AdOps Store could not be picked. The engine evaluates
 * both forms the same way (NodeHelpers.displayParameter).
 */
const onPlatform = (platform: string) => ({ show: { operation: ['ingest'], platform: [{ _cnd: { eq: platform } }] } });

/** "Ingest · Google Ads": the platform's name from the registry. */
const PRODUCT_LABELS = JSON.stringify(Object.fromEntries(platformsWith('ingest').map((id) => [id, PLATFORM_REGISTRY[id].productLabel])));

export class AdOpsIngest implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'AdOps Ingest',
		name: 'adOpsIngest',
		icon: { light: 'file:adOpsIngest.svg', dark: 'file:adOpsIngest.dark.svg' },
		group: ['input'],
		// 2: Ad Account is a resource locator (From list / By ID / By URL); 1 keeps the comma-separated Account IDs text.
		version: [1, 2],
		defaultVersion: 2,
		subtitle: `={{$parameter["operation"] === "ingest" ? "Ingest · " + (${PRODUCT_LABELS}[$parameter["platform"]] ?? $parameter["platform"]) : $parameter["operation"] === "fatigue" ? "Creative Fatigue" : "Data Quality Report"}}`,
		description: `Load daily ad performance from ${platformList(platformsWith('ingest'))} into one normalized, validated table`,
		defaults: { name: 'AdOps Ingest' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [
			{ name: 'adOpsStoreApi', displayName: 'AdOps Store', required: true, testedBy: 'adOpsStoreConnectionTest' },
			...platformsWith('ingest').map((id) => {
				const credential = PLATFORM_REGISTRY[id].credentials[0];
				return {
					name: credential.name,
					displayName: PLATFORM_REGISTRY[id].productLabel,
					required: true,
					...platformCredentialTest(credential.name),
					// n8n's types list plain values only for credentials; NodeHelpers.displayParameter evaluates conditions for both
					displayOptions: onPlatform(id) as unknown as INodeCredentialDescription['displayOptions'],
				};
			}),
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
						name: 'Check Creative Fatigue',
						value: 'fatigue',
						action: 'Check stored ads for creative fatigue',
						description: 'Judge every stored ad\'s CTR against its own past (ad_performance); one output item per fatigued ad, with the numbers in words',
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
			...fatigue.description,
		],
	};

	methods = {
		credentialTest: { adOpsStoreConnectionTest, ...PLATFORM_CREDENTIAL_TESTS },
		listSearch: { searchAdAccounts },
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return router.call(this);
	}
}
