import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';
import type { ApprovalQueue, ProposalInput } from '../../shared/approvals';
import { eventItems } from '../../common/approvals';
import { jsonParam } from '../../common/params';

export const description: INodeProperties[] = [
	{
		displayName: 'Proposal (JSON)',
		name: 'proposal',
		type: 'json',
		default: '={{ $json.proposal ?? $json }}',
		required: true,
		displayOptions: { show: { operation: ['enqueue'] } },
		description:
			'One proposal per item: {id, kind, title, payload, proposedChange, evidence?, platform?, accountId?, entity?, impact?, expiresAt?}. The ID makes enqueueing idempotent: running again never duplicates a card.',
	},
];

export async function execute(this: IExecuteFunctions, itemIndex: number, queue: ApprovalQueue): Promise<INodeExecutionData[]> {
	const raw = jsonParam(this.getNodeParameter('proposal', itemIndex), 'Proposal (JSON)');
	if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw new NodeOperationError(this.getNode(), 'Proposal (JSON) must be an object', { itemIndex });
	const events = await queue.enqueue([raw as ProposalInput]);
	return eventItems(queue, events, itemIndex);
}
