import type { IExecuteFunctions, INodeExecutionData, INodePropertyOptions, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';
import { adOpsNotionApiTest, searchNotionDatabases } from '../common/notion';
import { NOTION_DATABASE_MODES } from '../common/list-search';
import { CONTROLLED_CREDENTIALS, PLATFORM_CREDENTIAL_TESTS, platformCredentialTest } from '../common/platforms';
import { adOpsSlackApiTest } from '../common/slack';
import { adOpsStoreConnectionTest } from '../common/store';
import { PLATFORM_REGISTRY } from '../shared/platforms/registry';
import * as enqueue from './actions/enqueue.operation';
import * as executeApproved from './actions/executeApproved.operation';
import * as pollDecisions from './actions/pollDecisions.operation';
import * as resolveStuck from './actions/resolveStuck.operation';
import { router } from './actions/router';
import * as slackInteraction from './actions/slackInteraction.operation';
import { APPROVAL_DESCRIPTION } from '../common/panel';

const OPERATIONS = {
	enqueue: { name: 'Enqueue', value: 'enqueue', action: 'Queue proposals for approval', description: 'Create one Notion card per proposal (idempotent by proposal ID)' },
	executeApproved: { name: 'Execute Approved', value: 'executeApproved', action: 'Execute approved proposals', description: 'Run the executor of each approved proposal exactly once' },
	expire: { name: 'Expire', value: 'expire', action: 'Expire overdue proposals', description: 'Mark pending proposals past their expiry as Expired' },
	slackInteraction: { name: 'Handle Slack Interaction', value: 'slackInteraction', action: 'Handle a Slack approve or reject click', description: 'Verify a Slack button click and record the decision' },
	pollDecisions: { name: 'Poll Decisions', value: 'pollDecisions', action: 'Emit new decisions once', description: 'What the AdOps Approval Trigger does on each poll: one item per decision not yet emitted' },
	resolveStuck: { name: 'Resolve Stuck', value: 'resolveStuck', action: 'Record the outcome of a stuck execution', description: 'After checking the platform, record whether a stuck execution happened' },
	syncDecisions: { name: 'Sync Decisions', value: 'syncDecisions', action: 'Read decisions from Notion', description: 'Record decided cards (who decided) in the store' },
} satisfies Record<string, INodePropertyOptions>;

/**
 * Version 2 groups the operations by resource (Proposal, Decision). Version 1
 * keeps its single Operation list: workflows saved with it store `operation`
 * without `resource`, and a resource default could cover only one group, so
 * they stay on version 1 unchanged. Every operation value, and every
 * parameter shown for it, is the same in both versions; the router reads
 * `operation` only.
 */
export class AdOpsApproval implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'AdOps Approval',
		name: 'adOpsApproval',
		icon: { light: 'file:adOpsApproval.svg', dark: 'file:adOpsApproval.dark.svg' },
		group: ['transform'],
		version: [1, 2],
		defaultVersion: 2,
		subtitle: '={{ { enqueue: "Queue for approval", executeApproved: "Execute approved changes", expire: "Expire overdue cards", slackInteraction: "Record Slack clicks", pollDecisions: "Read new decisions", resolveStuck: "Resolve a stuck execution", syncDecisions: "Sync decisions from Notion" }[$parameter["operation"]] ?? "" }}',
		description: APPROVAL_DESCRIPTION,
		defaults: { name: 'AdOps Approval' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [
			{ name: 'adOpsNotionApi', displayName: 'Notion (approval database)', required: true, testedBy: 'adOpsNotionApiTest' },
			{ name: 'adOpsStoreApi', displayName: 'AdOps Store', required: true, testedBy: 'adOpsStoreConnectionTest' },
			{ name: 'adOpsSlackApi', displayName: 'Slack', required: true, testedBy: 'adOpsSlackApiTest', displayOptions: { show: { operation: ['slackInteraction'] } } },
			// Execute Approved: one optional credential per platform the optimizer controls (platform registry), Meta's also for moderation proposals;
			// token credentials with their test (`<credential type>Test` in methods), OAuth2 ones are checked by their connect flow
			...CONTROLLED_CREDENTIALS.map(({ platform, credential }) => ({
				name: credential,
				displayName: PLATFORM_REGISTRY[platform].productLabel,
				required: false,
				...platformCredentialTest(credential),
				displayOptions: { show: { operation: ['executeApproved'] } },
			})),
		],
		properties: [
			{
				displayName: 'Resource',
				name: 'resource',
				type: 'options',
				noDataExpression: true,
				displayOptions: { show: { '@version': [2] } },
				default: 'proposal',
				options: [
					{ name: 'Decision', value: 'decision', description: 'Decisions people made on a card or with a Slack button' },
					{ name: 'Proposal', value: 'proposal', description: 'Approval cards: queue them, execute approved ones, expire overdue ones' },
				],
			},
			{
				displayName: 'Operation',
				name: 'operation',
				type: 'options',
				noDataExpression: true,
				displayOptions: { show: { '@version': [2], resource: ['proposal'] } },
				default: 'enqueue',
				options: [OPERATIONS.enqueue, OPERATIONS.executeApproved, OPERATIONS.expire, OPERATIONS.resolveStuck],
			},
			{
				displayName: 'Operation',
				name: 'operation',
				type: 'options',
				noDataExpression: true,
				displayOptions: { show: { '@version': [2], resource: ['decision'] } },
				default: 'syncDecisions',
				options: [OPERATIONS.slackInteraction, OPERATIONS.pollDecisions, OPERATIONS.syncDecisions],
			},
			{
				displayName: 'Operation',
				name: 'operation',
				type: 'options',
				noDataExpression: true,
				displayOptions: { show: { '@version': [1] } },
				default: 'enqueue',
				options: [
					OPERATIONS.enqueue,
					OPERATIONS.executeApproved,
					OPERATIONS.expire,
					OPERATIONS.slackInteraction,
					OPERATIONS.pollDecisions,
					OPERATIONS.resolveStuck,
					OPERATIONS.syncDecisions,
				],
			},
			...enqueue.description,
			...executeApproved.description,
			...pollDecisions.description,
			...resolveStuck.description,
			...slackInteraction.description,
			{
				displayName: 'Approval Database',
				name: 'approvalDatabase',
				type: 'resourceLocator',
				default: { mode: 'list', value: '' },
				description: "The Notion database the approval cards live in. Empty: the one in the AdOps Notion credential (which the AdOps Approval Trigger polls, so change it there to move the whole loop).",
				modes: NOTION_DATABASE_MODES,
			},
			{
				displayName: 'Queue Options',
				name: 'queueOptions',
				type: 'collection',
				default: {},
				placeholder: 'Add Option',
				options: [
					{
						displayName: 'Approvers',
						name: 'approvers',
						type: 'string',
						default: '',
						placeholder: 'maya@example.com, U0MAYA0001',
						description: 'Who may approve: Notion user IDs, emails or Slack user IDs, comma-separated. Empty: every person. Rejections always count.',
					},
					{
						displayName: 'Slack Users',
						name: 'slackUsers',
						type: 'json',
						default: '{}',
						description: 'Slack user ID → Notion user ID or email, so Slack approvers match the allow-list and show in Decided By',
					},
				],
			},
		],
	};

	methods = { credentialTest: { adOpsNotionApiTest, adOpsStoreConnectionTest, adOpsSlackApiTest, ...PLATFORM_CREDENTIAL_TESTS }, listSearch: { searchNotionDatabases } };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return router.call(this);
	}
}
