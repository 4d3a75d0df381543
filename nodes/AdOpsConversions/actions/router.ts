import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';
import { optionalCredentials } from '../../common/credentials';
import { PLATFORM_CREDENTIAL, platformCredentials, platformSettings } from '../../common/platforms';
import { runOperation, type Operation } from '../../common/router';
import { limitsFromNode } from '../../common/shared-limits';
import { openStoreFromNode } from '../../common/store';
import * as attribute from './attribute.operation';
import * as metrics from './metrics.operation';
import * as sendBack from './sendBack.operation';
import * as settleHeld from './settleHeld.operation';
import * as summary from './summary.operation';
import type { ConversionsContext } from './types';

export type { ConversionsContext } from './types';

const operations = { attribute, metrics, sendBack, settleHeld, summary } as const;

export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const operation = this.getNodeParameter('operation', 0) as keyof typeof operations;
	const op = operations[operation];
	if (!op) throw new NodeOperationError(this.getNode(), `Unknown operation "${operation}"`);
	const store = await openStoreFromNode(this);
	const context: ConversionsContext = {
		store,
		platformSettings: async (platform) => {
			const data = await optionalCredentials(this, PLATFORM_CREDENTIAL[platform]);
			return data ? platformSettings(platform, await platformCredentials(this, platform, data)) : undefined;
		},
		limits: () => limitsFromNode(this),
	};
	try {
		return [await runOperation(this, op as Operation<ConversionsContext>, context)];
	} finally {
		await store.release();
	}
}
