import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';
import { CONTROLLED_CREDENTIALS, PLATFORM_CREDENTIAL_TESTS, platformCredentialTest } from '../common/platforms';
import { platformAdAccountSearches } from '../common/list-search';
import { adOpsStoreConnectionTest } from '../common/store';
import { adOpsSlackApiTest } from '../common/slack';
import { PLATFORM_REGISTRY, platformList, platformsWith } from '../shared/platforms/registry';
import { router } from './actions/router';
import * as backtest from './actions/backtest.operation';
import * as reconcile from './actions/reconcile.operation';
import * as planBudget from './actions/planBudget.operation';
import * as run from './actions/run.operation';
import * as setKillSwitch from './actions/setKillSwitch.operation';

export class AdOpsOptimizer implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'AdOps Optimizer',
		name: 'adOpsOptimizer',
		icon: { light: 'file:adOpsOptimizer.svg', dark: 'file:adOpsOptimizer.dark.svg' },
		group: ['transform'],
		// 1.1: the per-platform account options are ad account locators (From list / By ID / By URL); 1 keeps them as text.
		// Being a node with an older version also keeps n8n from adding "Custom API Call" to Operation
		// (n8n adds it only where defaultVersion is undefined or equals version; see test/unit/canvas-custom-api-call.test.ts).
		version: [1, 1.1],
		defaultVersion: 1.1,
		subtitle: '={{$parameter["operation"] === "run" ? ($parameter["mode"] === "live" ? "run rules (live)" : "run rules (dry run)") : $parameter["operation"] === "planBudget" ? "plan budget" : $parameter["operation"] === "setKillSwitch" ? "kill switch " + $parameter["killSwitchState"] : $parameter["operation"]}}',
		description: `Rules propose pauses and budget changes across ${platformList(platformsWith('optimizer'))}; gates decide; every change happens at most once`,
		defaults: { name: 'AdOps Optimizer' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main, NodeConnectionTypes.Main, NodeConnectionTypes.Main],
		outputNames: ['Executed', 'Proposals', 'Gated'],
		credentials: [
			{ name: 'adOpsStoreApi', displayName: 'AdOps Store', required: true, testedBy: 'adOpsStoreConnectionTest' },
			// one optional credential per platform the optimizer controls (platform registry), named by the platform's product
			...CONTROLLED_CREDENTIALS.map(({ platform, credential }) => {
				return { name: credential, displayName: PLATFORM_REGISTRY[platform].productLabel, required: false, ...platformCredentialTest(credential) };
			}),
			{ name: 'adOpsSlackApi', displayName: 'Slack (the plan as charts, optional)', required: false, testedBy: 'adOpsSlackApiTest', displayOptions: { show: { operation: ['planBudget'] } } },
		],
		properties: [
			{
				displayName: 'Operation',
				name: 'operation',
				type: 'options',
				noDataExpression: true,
				default: 'run',
				options: [
					{
						name: 'Backtest',
						value: 'backtest',
						action: 'Backtest the rules over stored history',
						description: 'Replay the rules day by day over the stored performance: what would have executed, been proposed or gated, and the budget path; changes nothing',
					},
					{
						name: 'Plan Budget',
						value: 'planBudget',
						action: 'Plan the budget split across campaigns',
						description: 'Fit a response curve per campaign to its stored history, split the total where it buys the most, and propose each changed budget for approval through the gates',
					},
					{
						name: 'Reconcile',
						value: 'reconcile',
						action: 'Reconcile changes whose outcome is unknown',
						description: 'Read each campaign whose last change lost its answer (or whose run died) and record whether it happened; changes nothing',
					},
					{
						name: 'Run Rules',
						value: 'run',
						action: 'Run the optimization rules',
						description: 'Evaluate the rules over stored performance and current campaign state; execute, propose or gate each decision with its evidence',
					},
					{
						name: 'Set Kill Switch',
						value: 'setKillSwitch',
						action: 'Turn the kill switch on or off',
						description: 'One switch in the store that holds every optimizer run, Plan Budget and approved budget or status change, on every worker, until it is turned off',
					},
				],
			},
			...run.description,
			...backtest.description,
			...reconcile.description,
			...planBudget.description,
			...setKillSwitch.description,
		],
	};

	methods = {
		credentialTest: { adOpsStoreConnectionTest, adOpsSlackApiTest, ...PLATFORM_CREDENTIAL_TESTS },
		listSearch: platformAdAccountSearches(CONTROLLED_CREDENTIALS.map((c) => c.platform)),
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return router.call(this);
	}
}
