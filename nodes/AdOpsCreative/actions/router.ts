import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';
import { openAiClient, openAiSettings } from '../../common/openai';
import { runOperationOutputs, type Operation } from '../../common/router';
import { openStoreFromNode } from '../../common/store';
import { outputsForCaller } from '../../common/tool';
import type { CreativeContext } from './types';
import * as checkNovelty from './checkNovelty.operation';
import * as generate from './generate.operation';
import * as listCampaigns from './listCampaigns.operation';
import * as publishApproved from './publishApproved.operation';
import { controlledAdaptersFromNode } from '../../common/platforms';

const operations = { generate, checkNovelty, listCampaigns } as const;

/** Generate Variants: two outputs, queued variants and variants held back; List Active Campaigns and Check Novelty: one. */
export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const operation = this.getNodeParameter('operation', 0) as keyof typeof operations | 'publishApproved';
	if (operation === 'publishApproved') {
		// no OpenAI: the adapters of the platform credentials set on the node (the others are left out)
		const store = await openStoreFromNode(this);
		try {
			const { adapters } = await controlledAdaptersFromNode(this, { maxRetries: 3 });
			return await runOperationOutputs(this, publishApproved as Operation<publishApproved.PublishContext, INodeExecutionData[][]>, { store, adapters }, 1, 0);
		} finally {
			await store.release();
		}
	}
	const op = operations[operation];
	if (!op) throw new NodeOperationError(this.getNode(), `Unknown operation "${operation}"`);
	const settings = openAiSettings(await this.getCredentials('adOpsOpenAiApi'));
	const store = await openStoreFromNode(this);
	const ctx: CreativeContext = { store, openai: openAiClient(settings, { maxRetries: 3 }), settings };
	try {
		// Errors under "Continue On Fail" go to Held Back (Generate Variants) or to the one output.
		const outputs = await runOperationOutputs(this, op as Operation<CreativeContext, INodeExecutionData[][]>, ctx, 2, operation === 'generate' ? 1 : 0);
		// as an AI Agent's tool: one output (n8n gives an agent only the first; Queued is empty when every variant was held back)
		return outputsForCaller(this, operation === 'generate' ? outputs : outputs.slice(0, 1));
	} finally {
		await store.release();
	}
}
