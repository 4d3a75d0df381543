import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import type { ApprovalQueue } from '../../shared/approvals';
import { eventItems } from '../../common/approvals';

const show = { show: { operation: ['resolveStuck'] } };

export const description: INodeProperties[] = [
	{
		displayName: 'Proposal ID',
		name: 'proposalId',
		type: 'string',
		default: '={{ $json.proposalId }}',
		required: true,
		displayOptions: show,
		description: 'A proposal reported as stuck: its execution was claimed but no outcome was recorded',
	},
	{
		displayName: 'Outcome',
		name: 'outcome',
		type: 'options',
		default: 'succeeded',
		displayOptions: show,
		description: 'What you found on the platform. Resolving never runs the executor.',
		options: [
			{ name: 'It Happened (Mark Executed)', value: 'succeeded' },
			{ name: 'It Did Not Happen (Mark Failed, Retryable)', value: 'failed' },
		],
	},
	{
		displayName: 'Note',
		name: 'note',
		type: 'string',
		default: '',
		displayOptions: show,
		description: 'Recorded as the result (executed) or the error (failed)',
	},
];

export async function execute(this: IExecuteFunctions, itemIndex: number, queue: ApprovalQueue): Promise<INodeExecutionData[]> {
	const proposalId = String(this.getNodeParameter('proposalId', itemIndex)).trim();
	const outcome = this.getNodeParameter('outcome', itemIndex) as 'succeeded' | 'failed';
	const note = String(this.getNodeParameter('note', itemIndex, '')).trim();
	const event = await queue.resolveStuck(
		proposalId,
		outcome === 'succeeded' ? { status: 'succeeded', result: note ? { note } : null } : { status: 'failed', error: note || 'resolved as not executed' },
	);
	return eventItems(queue, [event], itemIndex);
}
