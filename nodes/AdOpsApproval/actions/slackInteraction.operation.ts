import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';
import { handleSlackInteraction, type ApprovalQueue } from '../../shared/approvals';
import { eventItems } from '../../common/approvals';
import { jsonParam } from '../../common/params';

const show = { show: { operation: ['slackInteraction'] } };

export const description: INodeProperties[] = [
	{
		displayName:
			'Connect a Webhook node (POST, Respond: Using \'Respond to Webhook\' Node, option Raw Body on) as the Slack app\'s Interactivity Request URL. Answer with the "status" and "body" this node outputs, then POST "reply.message" to "reply.url".',
		name: 'slackNotice',
		type: 'notice',
		default: '',
		displayOptions: show,
	},
	{
		displayName: 'Raw Body Binary Property',
		name: 'rawBodyProperty',
		type: 'string',
		default: 'data',
		displayOptions: show,
		description: "The binary property holding the request body exactly as received (the Webhook node's Raw Body option writes it to \"data\"). The signature covers these bytes; a re-serialized body never verifies.",
	},
	{
		displayName: 'Headers',
		name: 'headers',
		type: 'json',
		default: '={{ $json.headers }}',
		displayOptions: show,
		description: 'The request headers (X-Slack-Signature and X-Slack-Request-Timestamp are needed)',
	},
];

export async function execute(this: IExecuteFunctions, itemIndex: number, queue: ApprovalQueue): Promise<INodeExecutionData[]> {
	const credentials = await this.getCredentials('adOpsSlackApi');
	const signingSecret = String(credentials.signingSecret ?? '').trim();
	if (!signingSecret) {
		throw new NodeOperationError(this.getNode(), 'The AdOps Slack credential has no Signing Secret', {
			itemIndex,
			description: "Copy it from the Slack app's Basic Information → App Credentials into the credential; without it no click can be verified.",
		});
	}
	const property = String(this.getNodeParameter('rawBodyProperty', itemIndex, 'data'));
	const item = this.getInputData()[itemIndex];
	if (!item?.binary?.[property]) {
		throw new NodeOperationError(this.getNode(), `No raw request body in binary property "${property}"`, {
			itemIndex,
			description: 'Turn on the Webhook node\'s option "Raw Body" so the exact bytes Slack signed reach this node.',
		});
	}
	const rawBody = await this.helpers.getBinaryDataBuffer(itemIndex, property);
	const headers = jsonParam(this.getNodeParameter('headers', itemIndex, {}), 'Headers');
	const answer = await handleSlackInteraction({ queue, signingSecret, headers: (headers ?? {}) as Record<string, string>, rawBody });
	const events = answer.events.length ? await eventItems(queue, answer.events, itemIndex) : [];
	return [
		{
			json: {
				status: answer.status,
				body: answer.body as unknown as IDataObject,
				outcome: answer.outcome,
				message: answer.message,
				...(answer.reason ? { reason: answer.reason } : {}),
				...(answer.reply ? { reply: answer.reply as unknown as IDataObject } : {}),
				...(answer.interaction ? { proposalId: answer.interaction.proposalId, decision: answer.interaction.decision, slackUserId: answer.interaction.slackUserId } : {}),
				events: events.map((e) => e.json),
			},
			pairedItem: { item: itemIndex },
		},
	];
}
