import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';
import { AlertDeliveryError, createSlackClient, slackPoster, type SlackSettings } from '../../shared/alerts/post';
import { numberParam } from '../../common/params';
import { runOperation } from '../../common/router';
import { openOptionalStore, threadRegistry } from '../../common/store';
import { limitsFromNode } from '../../common/shared-limits';
import * as post from './post.operation';

export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const operation = this.getNodeParameter('operation', 0) as string;
	if (operation !== 'post') throw new NodeOperationError(this.getNode(), `Unknown operation "${operation}"`);

	const credentials = (await this.getCredentials('adOpsSlackApi')) as unknown as SlackSettings;
	let retries: number;
	try {
		retries = numberParam((this.getNodeParameter('options', 0, {}) as IDataObject).retries, 'Retries', 5, { min: 0, integer: true });
	} catch (error) {
		throw new NodeOperationError(this.getNode(), error as Error, { itemIndex: 0 });
	}
	// Slack's message budget per channel, counted where the AdOps Store credential's Shared Limits say (this process, PostgreSQL or Redis)
	const slack = createSlackClient(credentials, { retries, limits: await limitsFromNode(this) });
	const store = await openOptionalStore(this);
	const deps: post.PostDeps = { slack: slackPoster(slack), defaultChannel: credentials.defaultChannel ?? '', threads: store ? threadRegistry(store) : undefined };

	try {
		return [
			await runOperation(this, post, deps, {
				errorJson: (error) => ({ ok: false, error }),
				describe: (error) => (error instanceof AlertDeliveryError && error.slackError ? `Slack error code: ${error.slackError}` : undefined),
			}),
		];
	} finally {
		await store?.release();
	}
}
