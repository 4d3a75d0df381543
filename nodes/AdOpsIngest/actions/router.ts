import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';
import { openStoreFromNode } from '../../common/store';
import * as ingest from './ingest.operation';
import * as qualityReport from './qualityReport.operation';

const operations = { ingest, qualityReport } as const;

export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const operation = this.getNodeParameter('operation', 0) as keyof typeof operations;
	const op = operations[operation];
	if (!op) throw new NodeOperationError(this.getNode(), `Unknown operation "${operation}"`);

	const store = await openStoreFromNode(this);
	const out: INodeExecutionData[] = [];
	try {
		const count = 'once' in op && op.once ? Math.min(1, items.length) : items.length;
		for (let i = 0; i < count; i++) {
			try {
				out.push(...(await op.execute.call(this, i, store)));
			} catch (error) {
				if (this.continueOnFail()) {
					out.push({ json: { error: error instanceof Error ? error.message : String(error) }, pairedItem: { item: i } });
					continue;
				}
				throw new NodeOperationError(this.getNode(), error as Error, { itemIndex: i });
			}
		}
	} finally {
		await store.release();
	}
	return [out];
}
