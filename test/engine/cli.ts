/**
 * What the e2e suite did with `n8n execute`, on the engine: tests moved here from test/e2e keep their
 * workflows, their credential imports and their assertions over `nodeOutput(result, …)`; only the
 * process around them changes (n8n-core in this process instead of one `n8n execute` per run).
 *
 *   const n8n = cli(engine);
 *   n8n.importWorkflows([workflow]);           // by id, as `n8n import:workflow`
 *   n8n.importCredentials([...]);               // extra credentials by id, as `n8n import:credentials`
 *   const result = await n8n.execute(id);       // an ExecutionResult (test/helpers/n8n), status 'success' or it throws
 */
import type { INodeExecutionData } from 'n8n-workflow';
import type { ExecutionResult, WorkflowInput } from '../helpers/n8n';
import { readWorkflow, type Engine, type WorkflowJson } from './harness';

export interface EngineCli {
	importWorkflow(workflow: WorkflowInput): void;
	importWorkflows(workflows: WorkflowInput[]): void;
	/** Credentials by id (a node naming `{ id }` gets these values; other nodes get the sandbox's by type). */
	importCredentials(credentials: Array<{ id: string; name?: string; type: string; data: Record<string, unknown> }>): void;
	/**
	 * Runs the workflow from its manual trigger ("Run Now" first), as `n8n execute --id` does; or from `start`
	 * (a Webhook, say) with `input` as its items, which `n8n execute` could not.
	 */
	execute(id: string, options?: { allowError?: boolean; start?: string; input?: INodeExecutionData[] }): Promise<ExecutionResult>;
}

export function cli(engine: Engine): EngineCli {
	const saved = new Map<string, WorkflowJson>();
	const importWorkflow = (workflow: WorkflowInput) => {
		if (typeof workflow.id !== 'string') throw new Error(`workflow ${String(workflow.name)} has no id`);
		saved.set(workflow.id, structuredClone(workflow) as unknown as WorkflowJson);
	};
	return {
		importWorkflow,
		importWorkflows: (list) => list.forEach(importWorkflow),
		importCredentials(list) {
			for (const c of list) engine.credentials.values[`${c.type}#${c.id}`] = structuredClone(c.data) as never;
		},
		async execute(id, options = {}) {
			const workflow = saved.get(id);
			if (!workflow) throw new Error(`no workflow ${id} was imported`);
			const started = Date.now();
			const run = await engine.run(workflow, { mode: 'cli', ...(options.start ? { start: options.start } : {}), ...(options.input ? { input: options.input } : {}) });
			const runData = run.run.data.resultData.runData;
			const error = run.error as (Error & { description?: string | null; node?: { name?: string } }) | undefined;
			const result: ExecutionResult = {
				status: run.status,
				finished: run.run.finished ?? run.status === 'success',
				runData: runData as unknown as ExecutionResult['runData'],
				lastNodeExecuted: run.run.data.resultData.lastNodeExecuted,
				lastNodeOutput: (run.order.length ? (runData[run.order.at(-1)!]?.at(-1)?.data?.main?.[0] ?? []) : []) as INodeExecutionData[] as unknown as ExecutionResult['lastNodeOutput'],
				...(error ? { error: { message: error.message, description: error.description ?? null, node: error.node?.name, name: error.name } } : {}),
				raw: run.run as unknown as Record<string, unknown>,
				ms: Date.now() - started,
			};
			if (run.status !== 'success' && !options.allowError) throw new Error(`workflow ${id} ended ${run.status}: ${error?.node?.name ?? ''} ${error?.message ?? ''}`);
			return result;
		},
	};
}

/** A workflow node as the tests patch it (parameters, disabled, credentials). */
export type WfNode = { name: string; type: string; parameters: Record<string, unknown>; [k: string]: unknown };

/** workflows/optimize.json with its Optimizer switched to Live, as a user does once the dry runs look right. */
export function liveOptimizeWorkflow(): WorkflowInput {
	const workflow = readWorkflow('optimize.json') as unknown as WorkflowInput;
	for (const n of workflow.nodes as unknown as WfNode[]) if (n.name === 'Optimizer') n.parameters.mode = 'live';
	return workflow;
}

/**
 * Manual Trigger → Poll Decisions → Execute Approved → Execution Alert, with the nodes and credentials
 * workflows/approvals.json ships (`n8n execute` could not start at the approval trigger).
 */
export function approvalsRunner(id: string, name: string, consumer: string): WorkflowInput {
	const shipped = readWorkflow('approvals.json') as unknown as WorkflowInput;
	const node = (n: string) => structuredClone((shipped.nodes as unknown as WfNode[]).find((x) => x.name === n)!);
	return {
		id,
		name,
		nodes: [
			{ parameters: {}, name: 'Start', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 0] },
			{ parameters: { resource: 'decision', operation: 'pollDecisions', consumer, queueOptions: {} }, name: 'Decisions', type: 'n8n-nodes-adops.adOpsApproval', typeVersion: 2, position: [200, 0], credentials: node('Execute Approved').credentials },
			{ ...node('Execute Approved'), executeOnce: true },
			node('Execution Alert'),
		],
		connections: {
			Start: { main: [[{ node: 'Decisions', type: 'main', index: 0 }]] },
			Decisions: { main: [[{ node: 'Execute Approved', type: 'main', index: 0 }]] },
			'Execute Approved': { main: [[{ node: 'Execution Alert', type: 'main', index: 0 }]] },
		},
		settings: { executionOrder: 'v1' },
	} as unknown as WorkflowInput;
}
