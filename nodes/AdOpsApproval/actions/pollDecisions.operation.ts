import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { pollDecisions, type ApprovalQueue } from '../../shared/approvals';
import { eventItem } from '../../common/approvals';

export const description: INodeProperties[] = [
	{
		displayName: 'Consumer Name',
		name: 'consumer',
		type: 'string',
		default: 'approvals',
		required: true,
		displayOptions: { show: { operation: ['pollDecisions'] } },
		description:
			'Each decision is emitted once per consumer name. Use the AdOps Approval Trigger\'s Consumer Name to share its stream (e.g. to poll from a Schedule Trigger or run it by hand).',
	},
];

export const once = true;

/** What AdOps Approval Trigger does on each poll, as an operation: sync Notion, then one item per decision not yet emitted to this consumer. */
export async function execute(this: IExecuteFunctions, itemIndex: number, queue: ApprovalQueue): Promise<INodeExecutionData[]> {
	const consumer = String(this.getNodeParameter('consumer', itemIndex, 'approvals')).trim();
	const result = await pollDecisions(queue, { consumer });
	return result.decisions.map((d) => eventItem(d.event, d.proposal, itemIndex));
}
