// The per-item loop every AdOps node shares: run an operation for each input
// item (or once, for operations on a whole queue or store), honour "Continue
// On Fail", and give every error its item index.
import type { IDataObject, IExecuteFunctions, INodeExecutionData, JsonObject } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';
import { PlatformApiError } from '../shared/resilience/errors';

/** An operation's `execute`; `R` is its items (one output) or one array of items per output. */
export interface Operation<C, R = INodeExecutionData[]> {
	execute(this: IExecuteFunctions, itemIndex: number, context: C): Promise<R>;
	/** Runs once per execution, whatever the number of input items. */
	once?: boolean;
}

export interface LoopOptions {
	/** The json of the item an error becomes under "Continue On Fail" (default `{ error }`). */
	errorJson?: (message: string) => IDataObject;
	/** A description for the node error, e.g. the API's own error code. */
	describe?: (error: unknown) => string | undefined;
}

/**
 * A platform's refusal (it answered with an HTTP error) as n8n's NodeApiError:
 * the message is ours (call, account, the platform's words, the hint), the
 * HTTP status and the platform's error code travel with it, and the item
 * index names the item. Failures without an answer (network, timeout) stay
 * NodeOperationErrors: n8n would replace their text with a generic one.
 */
export function platformApiError(ctx: Pick<IExecuteFunctions, 'getNode'>, error: PlatformApiError, itemIndex: number, description?: string): NodeApiError {
	const response: JsonObject = { message: error.message, platform: error.platform, call: error.call, kind: error.kind };
	if (error.code !== undefined) response.code = String(error.code);
	if (error.requestId) response.requestId = error.requestId;
	return new NodeApiError(ctx.getNode(), response, { message: error.message, httpCode: String(error.httpStatus), itemIndex, ...(description ? { description } : {}) });
}

async function eachItem<C, R>(ctx: IExecuteFunctions, op: Operation<C, R>, context: C, onResult: (result: R) => void, onError: (item: INodeExecutionData) => void, options: LoopOptions = {}): Promise<void> {
	const items = ctx.getInputData();
	const count = op.once ? Math.min(1, items.length) : items.length;
	for (let i = 0; i < count; i++) {
		try {
			onResult(await op.execute.call(ctx, i, context));
		} catch (error) {
			const message = error instanceof Error ? error.message : String(error);
			if (ctx.continueOnFail()) {
				onError({ json: options.errorJson ? options.errorJson(message) : { error: message }, pairedItem: { item: i } });
				continue;
			}
			const description = options.describe?.(error);
			// An operation's NodeApiError (it carries its item index) is n8n's own error already.
			// eslint-disable-next-line @n8n/community-nodes/require-node-api-error
			if (error instanceof NodeApiError) throw error;
			if (error instanceof PlatformApiError && error.httpStatus !== undefined) throw platformApiError(ctx, error, i, description);
			// An existing NodeOperationError passes through unchanged.
			throw new NodeOperationError(ctx.getNode(), error instanceof Error ? error : message, { itemIndex: i, ...(description ? { description } : {}) });
		}
	}
}

/** One output: the items of every call, in input order; errors as items under "Continue On Fail". */
export async function runOperation<C>(ctx: IExecuteFunctions, op: Operation<C>, context: C, options?: LoopOptions): Promise<INodeExecutionData[]> {
	const out: INodeExecutionData[] = [];
	await eachItem(ctx, op, context, (items) => out.push(...items), (item) => out.push(item), options);
	return out;
}

/** Several outputs: each call returns one array per output; errors under "Continue On Fail" go to `errorOutput` (default: the last). */
export async function runOperationOutputs<C>(
	ctx: IExecuteFunctions,
	op: Operation<C, INodeExecutionData[][]>,
	context: C,
	outputs: number,
	errorOutput = outputs - 1,
): Promise<INodeExecutionData[][]> {
	const out: INodeExecutionData[][] = Array.from({ length: outputs }, () => []);
	await eachItem(
		ctx,
		op,
		context,
		(result) => result.forEach((items, o) => out[o]!.push(...items)),
		(item) => out[errorOutput]!.push(item),
	);
	return out;
}
