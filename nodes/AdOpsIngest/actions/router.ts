import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';
import { runOperation, type Operation } from '../../common/router';
import { openStoreFromNode } from '../../common/store';
import * as ingest from './ingest.operation';
import * as qualityReport from './qualityReport.operation';
import * as fatigue from './fatigue.operation';

const operations = { ingest, qualityReport, fatigue } as const;

export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const operation = this.getNodeParameter('operation', 0) as keyof typeof operations;
	const op = operations[operation];
	if (!op) throw new NodeOperationError(this.getNode(), `Unknown operation "${operation}"`);

	const store = await openStoreFromNode(this);
	try {
		return [await runOperation(this, op as Operation<typeof store>, store)];
	} finally {
		await store.release();
	}
}
