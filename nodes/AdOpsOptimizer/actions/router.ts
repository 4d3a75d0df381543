import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';
import { controlledAdaptersFromNode, CONTROLLED_CREDENTIALS } from '../../common/platforms';
import { runOperationOutputs, type Operation } from '../../common/router';
import { openStoreFromNode } from '../../common/store';
import { outputsForCaller } from '../../common/tool';
import * as backtest from './backtest.operation';
import * as planBudget from './planBudget.operation';
import * as reconcile from './reconcile.operation';
import * as run from './run.operation';
import * as setKillSwitch from './setKillSwitch.operation';
import type { OptimizerContext } from './types';

export type { OptimizerContext } from './types';

const operations = { run, backtest, reconcile, planBudget, setKillSwitch } as const;

/** Three outputs: executed (and failed) with their alerts, proposals for AdOps Approval, gated and everything stored only. */
export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const operation = this.getNodeParameter('operation', 0) as keyof typeof operations;
	const op = operations[operation];
	if (!op) throw new NodeOperationError(this.getNode(), `Unknown operation "${operation}"`);
	const { adapters, accounts } = await controlledAdaptersFromNode(this, { maxRetries: 3 });
	// the kill switch lives in the store alone: it needs no platform credential
	if (Object.keys(adapters).length === 0 && operation !== 'setKillSwitch') {
		throw new NodeOperationError(this.getNode(), `Select at least one platform credential (${CONTROLLED_CREDENTIALS.map((c) => c.label).join(', ')}): the optimizer reads each campaign's current state from its platform before it evaluates or changes anything`);
	}
	const store = await openStoreFromNode(this);
	try {
		// Errors under "Continue On Fail" go to the first output, where alerts are.
		const outputs = await runOperationOutputs(this, op as Operation<OptimizerContext, INodeExecutionData[][]>, { store, adapters, credentialAccounts: accounts }, 3, 0);
		// as an AI Agent's tool: one output, the run's summary first (n8n gives an agent only the first output)
		return outputsForCaller(this, outputs);
	} finally {
		await store.release();
	}
}
