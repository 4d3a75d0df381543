import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';
import { openApprovalQueue } from '../../common/notion';
import { notionDatabaseFromLocator } from '../../common/list-search';
import { runOperation, type Operation } from '../../common/router';
import { openStoreFromNode } from '../../common/store';
import type { ApprovalQueue } from '../../shared/approvals';
import * as enqueue from './enqueue.operation';
import * as executeApproved from './executeApproved.operation';
import * as expire from './expire.operation';
import * as pollDecisions from './pollDecisions.operation';
import * as resolveStuck from './resolveStuck.operation';
import * as slackInteraction from './slackInteraction.operation';
import * as syncDecisions from './syncDecisions.operation';
import { limitsFromNode } from '../../common/shared-limits';

const operations = { enqueue, syncDecisions, pollDecisions, executeApproved, expire, resolveStuck, slackInteraction } as const;

export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const operation = this.getNodeParameter('operation', 0) as keyof typeof operations;
	const op = operations[operation];
	if (!op) throw new NodeOperationError(this.getNode(), `Unknown operation "${operation}"`);

	const store = await openStoreFromNode(this);
	try {
		const options = this.getNodeParameter('queueOptions', 0, {}) as IDataObject;
		let queue;
		try {
			const database = notionDatabaseFromLocator(this.getNodeParameter('approvalDatabase', 0, ''));
			queue = await openApprovalQueue(await this.getCredentials('adOpsNotionApi'), store, { database, approvers: options.approvers as string | undefined, slackUsers: options.slackUsers as string | undefined, limits: await limitsFromNode(this) });
		} catch (error) {
			throw new NodeOperationError(this.getNode(), error as Error, { description: 'Check the Approval Database, the AdOps Notion credential (token, approval database id, API URL) and the Approvers / Slack Users options.' });
		}
		// Operations on the whole queue run once per execution, whatever the number of input items.
		return [await runOperation(this, op as Operation<ApprovalQueue>, queue)];
	} finally {
		await store.release();
	}
}
