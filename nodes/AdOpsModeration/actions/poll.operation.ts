import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { commentPollAlert } from '../../shared/moderation/alert';
import { moderationBacklog, pollMetaComments } from '../../shared/moderation';
import type { ModerationContext } from './types';

export const description: INodeProperties[] = [];

export const once = true;

/** New comments on the posts behind the credential's ad accounts, since the cursor in the store: one item per new comment, and one item naming the stored backlog (comments not moderated yet, open comment actions) when there is one. */
export async function execute(this: IExecuteFunctions, itemIndex: number, ctx: ModerationContext): Promise<INodeExecutionData[]> {
	const result = await pollMetaComments({ accountIds: ctx.meta.accountIds }, { store: ctx.store, metaComments: ctx.meta.client });
	const items: INodeExecutionData[] = result.inserted.map((row) => ({ json: { itemId: row.id, ...row } as unknown as IDataObject, pairedItem: { item: itemIndex } }));
	// Work stored is work done: comments stored earlier (a webhook delivery, a run that died) and actions whose answer was lost
	// wait in the store; one item says so, so the Moderate step after this node runs even when nothing new came in.
	const backlog = await moderationBacklog(ctx.store, { exclude: result.inserted.map((r) => r.id) });
	if (backlog.comments > 0 || backlog.openActions > 0) {
		items.push({ json: { backlog: backlog.comments, openActions: backlog.openActions, note: `${backlog.comments} stored comment(s) wait for moderation and ${backlog.openActions} comment action(s) have an open outcome` }, pairedItem: { item: itemIndex } });
	}
	const alert = commentPollAlert(result.errors);
	if (alert) items.push({ json: { pollErrors: result.errors, alert } as unknown as IDataObject, pairedItem: { item: itemIndex } });
	return items;
}
