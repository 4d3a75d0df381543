import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import type { ApprovalQueue } from '../../shared/approvals';
import { eventItems } from '../../common/approvals';

export const description: INodeProperties[] = [];

export const once = true;

/** Reads decided cards into the store: one item per decision or refusal recorded now. */
export async function execute(this: IExecuteFunctions, itemIndex: number, queue: ApprovalQueue): Promise<INodeExecutionData[]> {
	const result = await queue.syncDecisions();
	return eventItems(queue, result.events, itemIndex);
}
