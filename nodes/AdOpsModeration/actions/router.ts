import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';
import { optionalCredentials } from '../../common/credentials';
import { metaCommentSettings } from '../../common/meta';
import { openApprovalQueue } from '../../common/notion';
import { openAiClient, openAiSettings } from '../../common/openai';
import { runOperation, type Operation } from '../../common/router';
import { openStoreFromNode } from '../../common/store';
import { openAIModerationDeps } from '../../shared/moderation/openai';
import type { ModerationContext } from './types';
import * as moderate from './moderate.operation';
import * as poll from './poll.operation';
import { limitsFromNode } from '../../common/shared-limits';

const operations = { pollComments: poll, moderate } as const;

export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const operation = this.getNodeParameter('operation', 0) as keyof typeof operations;
	const op = operations[operation];
	if (!op) throw new NodeOperationError(this.getNode(), `Unknown operation "${operation}"`);
	const metaCredential = await this.getCredentials('adOpsMetaAdsApi');
	const meta = metaCommentSettings(metaCredential);
	const store = await openStoreFromNode(this);
	try {
		const ctx: ModerationContext = { store, meta, metaCredential };
		if (operation === 'moderate') {
			const openai = await optionalCredentials(this, 'adOpsOpenAiApi');
			if (openai) {
				const settings = openAiSettings(openai);
				ctx.llm = openAIModerationDeps(openAiClient(settings, { maxRetries: 3 }));
				ctx.chatModel = settings.chatModel;
			}
			const notion = await optionalCredentials(this, 'adOpsNotionApi');
			if (notion) ctx.queue = await openApprovalQueue(notion, store, { limits: await limitsFromNode(this) });
		}
		return [await runOperation(this, op as Operation<ModerationContext>, ctx)];
	} finally {
		await store.release();
	}
}
