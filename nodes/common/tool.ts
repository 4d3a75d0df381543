import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

/**
 * An AdOps node used as an AI Agent's tool: n8n 2.x hands the agent only the
 * node's FIRST output (n8n-core `get-input-connection-data` → `mapResult`:
 * `result[0].flatMap(i => i.json)`), so a multi-output node whose summary is on
 * another output would answer the agent with nothing. n8n runs a node as a tool
 * under its tool type (`<type>Tool`, from `usableAsTool`).
 */
export function isToolExecution(ctx: Pick<IExecuteFunctions, 'getNode'>): boolean {
	return ctx.getNode().type.endsWith('Tool');
}

/** Items an agent gets at most (its context is small); the rest are counted in a last item. */
export const TOOL_MAX_ITEMS = 50;

/**
 * The node's outputs as one output for an agent: the run's summary items first
 * (`outcome` `summary` or `*_report`), then every other item in output order,
 * at most {@link TOOL_MAX_ITEMS}, and an item saying how many were left out.
 * Outside a tool execution the outputs are returned as they are.
 */
export function outputsForCaller(ctx: Pick<IExecuteFunctions, 'getNode'>, outputs: INodeExecutionData[][]): INodeExecutionData[][] {
	if (!isToolExecution(ctx)) return outputs;
	const all = outputs.flat();
	const isSummary = (i: INodeExecutionData): boolean => {
		const outcome = i.json.outcome;
		return typeof outcome === 'string' && (outcome === 'summary' || outcome.endsWith('_report'));
	};
	const ordered = [...all.filter(isSummary), ...all.filter((i) => !isSummary(i))];
	const kept = ordered.slice(0, TOOL_MAX_ITEMS);
	if (ordered.length > kept.length) {
		kept.push({ json: { outcome: 'more', text: `${ordered.length - kept.length} more items left out of this answer (the run's summary above counts them all)` }, pairedItem: { item: 0 } });
	}
	return [kept];
}
