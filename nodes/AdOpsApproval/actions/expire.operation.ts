import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import type { ApprovalQueue } from '../../shared/approvals';
import { eventItems } from '../../common/approvals';

export const description: INodeProperties[] = [];

export const once = true;

/** Pending proposals past their expiry become Expired (store and card): one item per proposal expired now. */
export async function execute(this: IExecuteFunctions, itemIndex: number, queue: ApprovalQueue): Promise<INodeExecutionData[]> {
	const events = await queue.expire();
	return eventItems(queue, events, itemIndex);
}
