import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { commentPollAlert } from '../../shared/alerts/moderation';
import { pollMetaComments } from '../../shared/moderation';
import type { ModerationContext } from './router';

export const description: INodeProperties[] = [];

export const once = true;

/** New comments on the posts behind the credential's ad accounts, since the cursor in the store: one item per new comment. */
export async function execute(this: IExecuteFunctions, itemIndex: number, ctx: ModerationContext): Promise<INodeExecutionData[]> {
	const result = await pollMetaComments({ accountIds: ctx.meta.accountIds }, { store: ctx.store, metaComments: ctx.meta.client });
	const items: INodeExecutionData[] = result.inserted.map((row) => ({ json: { itemId: row.id, ...row } as unknown as IDataObject, pairedItem: { item: itemIndex } }));
	const alert = commentPollAlert(result.errors);
	if (alert) items.push({ json: { pollErrors: result.errors, alert } as unknown as IDataObject, pairedItem: { item: itemIndex } });
	return items;
}
