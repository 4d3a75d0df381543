import type { IDataObject, INodeExecutionData, INodeType, INodeTypeDescription, IPollFunctions } from 'n8n-workflow';
import { NodeConnectionTypes, NodeOperationError } from 'n8n-workflow';
import { openApprovalQueue, adOpsNotionApiTest } from '../common/notion';
import { adOpsStoreConnectionTest, openStoreFromNode } from '../common/store';
import { pollDecisions } from '../shared/approvals';
import { eventItem } from '../common/approvals';
import { APPROVAL_DESCRIPTION, triggerEvent } from '../common/panel';
import { limitsFromNode } from '../common/shared-limits';

export class AdOpsApprovalTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'AdOps Approval Trigger',
		name: 'adOpsApprovalTrigger',
		icon: { light: 'file:adOpsApprovalTrigger.svg', dark: 'file:adOpsApprovalTrigger.dark.svg' },
		group: ['trigger'],
		version: 1,
		// the panel shows this for the entry it merges with AdOps Approval; the trigger's own words are its Event (common/panel.ts)
		description: APPROVAL_DESCRIPTION,
		subtitle: 'On new decision',
		defaults: { name: 'AdOps Approval Trigger' },
		polling: true,
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: [
			{ name: 'adOpsNotionApi', displayName: 'Notion (approval database)', required: true, testedBy: 'adOpsNotionApiTest' },
			{ name: 'adOpsStoreApi', displayName: 'AdOps Store', required: true, testedBy: 'adOpsStoreConnectionTest' },
		],
		properties: [
			triggerEvent({ name: 'New Decision', value: 'newDecision', action: 'On new decision', description: 'Starts the workflow once for each new decision on an approval card, in Notion or from Slack' }),
			{
				displayName:
					'Each decision (approved, rejected, or refused: edited card, approver not allowed, approved after expiry) is emitted once. The cursor lives in the AdOps Store, so restarts and queue mode never repeat or lose one.',
				name: 'notice',
				type: 'notice',
				default: '',
			},
			{
				displayName: 'Options',
				name: 'options',
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
						description: 'Who may approve: Notion user IDs, emails or Slack user IDs, comma-separated. Empty: every person. Use the same list as on AdOps Approval.',
					},
					{
						displayName: 'Slack Users',
						name: 'slackUsers',
						type: 'json',
						default: '{}',
						description: 'Slack user ID → Notion user ID or email (as on AdOps Approval)',
					},
					{
						displayName: 'Consumer Name',
						name: 'consumer',
						type: 'string',
						default: '',
						description: 'Decisions are emitted once per consumer. Default: this workflow and node. Give two triggers the same name to share one stream.',
					},
				],
			},
		],
	};

	methods = { credentialTest: { adOpsNotionApiTest, adOpsStoreConnectionTest } };

	async poll(this: IPollFunctions): Promise<INodeExecutionData[][] | null> {
		const options = this.getNodeParameter('options', {}) as IDataObject;
		const consumer = String(options.consumer ?? '').trim() || `${this.getWorkflow().id ?? 'workflow'}:${this.getNode().name}`;
		const store = await openStoreFromNode(this);
		try {
			let queue;
			try {
				queue = await openApprovalQueue(await this.getCredentials('adOpsNotionApi'), store, { approvers: options.approvers as string | undefined, slackUsers: options.slackUsers as string | undefined, limits: await limitsFromNode(this) });
			} catch (error) {
				throw new NodeOperationError(this.getNode(), error as Error, { description: 'Check the AdOps Notion credential (token, approval database id, API URL).' });
			}
			const result = await pollDecisions(queue, { consumer });
			if (result.decisions.length === 0) {
				// "Fetch Test Event" with nothing decided yet: say what makes an event, instead of n8n's generic "No data found".
				if (this.getMode() === 'manual') {
					throw new NodeOperationError(this.getNode(), 'No new decision on an approval card yet', {
						description:
							'An event is a decision on a card of the approval database: set a card\'s Status to Approved or Rejected in Notion, or click Approve or Reject on its Slack message, then fetch again. Cards come from AdOps Approval (Queue for approval) or from the bundled workflows (Optimizer, Creative, Moderation).',
					});
				}
				return null;
			}
			return [result.decisions.map((d) => eventItem(d.event, d.proposal, 0))];
		} finally {
			await store.release();
		}
	}
}
