import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';
import type OpenAI from 'openai';
import { openAiClient, openAiSettings, type OpenAiSettings } from '../../common/openai';
import { openStoreFromNode } from '../../common/store';
import type { Store } from '../../shared/store';
import * as checkNovelty from './checkNovelty.operation';
import * as generate from './generate.operation';
import * as listCampaigns from './listCampaigns.operation';

export interface CreativeContext {
	store: Store;
	openai: OpenAI;
	settings: OpenAiSettings;
}

const operations = { generate, checkNovelty, listCampaigns } as const;

/** Two outputs: queued variants (or novelty results), and variants held back. */
export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const operation = this.getNodeParameter('operation', 0) as keyof typeof operations;
	const op = operations[operation];
	if (!op) throw new NodeOperationError(this.getNode(), `Unknown operation "${operation}"`);
	const settings = openAiSettings(await this.getCredentials('adOpsOpenAiApi'));
	const store = await openStoreFromNode(this);
	const ctx: CreativeContext = { store, openai: openAiClient(settings, { maxRetries: 3 }), settings };
	const out: [INodeExecutionData[], INodeExecutionData[]] = [[], []];
	try {
		const items = this.getInputData();
		const count = 'once' in op && op.once ? Math.min(1, items.length) : items.length;
		for (let i = 0; i < count; i++) {
			try {
				const [a, b] = await op.execute.call(this, i, ctx);
				out[0].push(...a);
				out[1].push(...b);
			} catch (error) {
				if (this.continueOnFail()) {
					out[1].push({ json: { error: error instanceof Error ? error.message : String(error) }, pairedItem: { item: i } });
					continue;
				}
				throw new NodeOperationError(this.getNode(), error as Error, { itemIndex: i });
			}
		}
	} finally {
		await store.release();
	}
	return out;
}
