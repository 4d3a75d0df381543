// The per-item loop every AdOps node shares: run an operation for each input
// item (or once, for operations on a whole queue or store), honour "Continue
// On Fail", and give every error its item index.
import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

export interface Operation<C> {
	execute(this: IExecuteFunctions, itemIndex: number, context: C): Promise<INodeExecutionData[]>;
	/** Runs once per execution, whatever the number of input items. */
	once?: boolean;
}

export async function runOperation<C>(ctx: IExecuteFunctions, op: Operation<C>, context: C): Promise<INodeExecutionData[]> {
	const items = ctx.getInputData();
	const count = op.once ? Math.min(1, items.length) : items.length;
	const out: INodeExecutionData[] = [];
	for (let i = 0; i < count; i++) {
		try {
			out.push(...(await op.execute.call(ctx, i, context)));
		} catch (error) {
			if (ctx.continueOnFail()) {
				out.push({ json: { error: error instanceof Error ? error.message : String(error) }, pairedItem: { item: i } });
				continue;
			}
			throw new NodeOperationError(ctx.getNode(), error as Error, { itemIndex: i });
		}
	}
	return out;
}
