import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';
import { AlertDeliveryError, createSlackClient, type SlackSettings } from '../../shared/alerts/post';
import { openOptionalStore, threadRegistry } from '../../common/store';
import * as post from './post.operation';

export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const operation = this.getNodeParameter('operation', 0) as string;
	if (operation !== 'post') throw new NodeOperationError(this.getNode(), `Unknown operation "${operation}"`);

	const credentials = (await this.getCredentials('adOpsSlackApi')) as unknown as SlackSettings;
	const retries = Number((this.getNodeParameter('options', 0, {}) as IDataObject).retries ?? 5);
	const slack = createSlackClient(credentials, { retries });
	const store = await openOptionalStore(this);
	const deps = { slack, defaultChannel: credentials.defaultChannel ?? '', threads: store ? threadRegistry(store) : undefined };

	const out: INodeExecutionData[] = [];
	try {
		for (let i = 0; i < items.length; i++) {
			try {
				out.push(await post.execute.call(this, i, deps));
			} catch (error) {
				const message = error instanceof Error ? error.message : String(error);
				if (this.continueOnFail()) {
					out.push({ json: { ok: false, error: message }, pairedItem: { item: i } });
					continue;
				}
				// An existing NodeOperationError passes through unchanged.
				throw new NodeOperationError(this.getNode(), error instanceof Error ? error : message, {
					itemIndex: i,
					description: error instanceof AlertDeliveryError && error.slackError ? `Slack error code: ${error.slackError}` : undefined,
				});
			}
		}
	} finally {
		await store?.release();
	}
	return [out];
}
