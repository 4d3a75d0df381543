// Approval events as n8n items: the event, the proposal's facts and, when the
// event deserves a Slack message, `proposalEvent` for AdOps Alert (source
// "Proposal Event") with the proposal's thread key.
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';
import { proposalThreadKey } from '../shared/alerts/proposal';
import { alertEventFor, proposalAlertInput, type ApprovalEvent, type ApprovalQueue, type Proposal } from '../shared/approvals';

export function eventItem(event: ApprovalEvent, proposal: Proposal | undefined, itemIndex: number): INodeExecutionData {
	const alertEvent = proposal ? alertEventFor(event, proposal) : undefined;
	return {
		json: {
			...event,
			...(proposal ? { proposal: proposalAlertInput(proposal, { notionUrl: event.url }) } : {}),
			...(alertEvent ? { proposalEvent: alertEvent } : {}),
			threadKey: proposalThreadKey(event.proposalId),
		} as unknown as IDataObject,
		pairedItem: { item: itemIndex },
	};
}

/** Items for events, with each proposal read once from the store (after the events: the status shown is the stored one). */
export async function eventItems(queue: ApprovalQueue, events: readonly ApprovalEvent[], itemIndex: number): Promise<INodeExecutionData[]> {
	const proposals = new Map<string, Proposal | undefined>();
	for (const e of events) if (!proposals.has(e.proposalId)) proposals.set(e.proposalId, await queue.get(e.proposalId));
	return events.map((e) => eventItem(e, proposals.get(e.proposalId), itemIndex));
}
