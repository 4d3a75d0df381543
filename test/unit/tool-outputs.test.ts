/**
 * An AdOps node used as an AI Agent's tool answers on its first output only
 * (n8n gives the agent result[0]): the run's summary first, every output's
 * items after it, bounded. As a plain node, the outputs stay as they are.
 */
import assert from 'node:assert/strict';
import { test } from 'vitest';
import type { INodeExecutionData } from 'n8n-workflow';
import { isToolExecution, outputsForCaller, TOOL_MAX_ITEMS } from '../../nodes/common/tool';

const ctx = (type: string) => ({ getNode: () => ({ type }) as never });
const item = (json: Record<string, unknown>): INodeExecutionData => ({ json: json as never, pairedItem: { item: 0 } });

test('as a tool (type …Tool): one output, the summary first, then executed, proposals and gated items', () => {
	const outputs = [[item({ outcome: 'executed', id: 1 })], [item({ outcome: 'proposed', id: 2 })], [item({ outcome: 'gated', id: 3 }), item({ outcome: 'summary', summary: { execute: 1 } })]];
	assert.equal(isToolExecution(ctx('n8n-nodes-adops.adOpsOptimizerTool')), true);
	const out = outputsForCaller(ctx('n8n-nodes-adops.adOpsOptimizerTool'), outputs);
	assert.equal(out.length, 1);
	assert.deepEqual(out[0]!.map((i) => i.json.outcome), ['summary', 'executed', 'proposed', 'gated']);
});

test('as a tool, a backtest report counts as the summary; more than the bound are counted, not dropped silently', () => {
	const many = Array.from({ length: TOOL_MAX_ITEMS + 7 }, (_, i) => item({ outcome: 'backtest_gated', i }));
	const out = outputsForCaller(ctx('x.adOpsOptimizerTool'), [[], [], [...many, item({ outcome: 'backtest_report', days: 30 })]]);
	assert.equal(out[0]![0]!.json.outcome, 'backtest_report');
	assert.equal(out[0]!.length, TOOL_MAX_ITEMS + 1);
	assert.match(String(out[0]!.at(-1)!.json.text), /^8 more items left out/);
});

test('as a plain node the three outputs are returned unchanged', () => {
	const outputs = [[item({ outcome: 'executed' })], [], [item({ outcome: 'summary' })]];
	assert.equal(isToolExecution(ctx('n8n-nodes-adops.adOpsOptimizer')), false);
	assert.equal(outputsForCaller(ctx('n8n-nodes-adops.adOpsOptimizer'), outputs), outputs);
});
