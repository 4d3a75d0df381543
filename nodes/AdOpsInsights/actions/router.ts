import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';
import { createSlackClient, type SlackSettings } from '../../shared/alerts/post';
import { optionalCredentials } from '../../common/credentials';
import { slackChannelFromLocator } from '../../common/list-search';
import { runOperation, type Operation } from '../../common/router';
import { limitsFromNode } from '../../common/shared-limits';
import { openStoreFromNode } from '../../common/store';
import * as detect from './detect.operation';
import * as digest from './digest.operation';
import * as forecast from './forecast.operation';
import * as pace from './pace.operation';
import * as pushKpis from './push-kpis.operation';
import type { InsightsContext, SlackDelivery } from './types';

export type { InsightsContext } from './types';

const operations = { detect, pace, forecast, digest, pushKpis } as const;

export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const operation = this.getNodeParameter('operation', 0) as keyof typeof operations;
	const op = operations[operation];
	if (!op) throw new NodeOperationError(this.getNode(), `Unknown operation "${operation}"`);
	let slack: SlackDelivery | undefined;
	if (operation !== 'forecast' && operation !== 'pushKpis') {
		const data = await optionalCredentials(this, 'adOpsSlackApi');
		if (data) {
			const settings = data as unknown as SlackSettings;
			const channel = slackChannelFromLocator(this.getNodeParameter('channel', 0, ''), 'Slack Channel') || String(settings.defaultChannel ?? '').trim();
			if (!channel) throw new NodeOperationError(this.getNode(), 'No Slack channel: set Slack Channel on the node or a default channel in the AdOps Slack credential');
			slack = { client: createSlackClient(settings, { retries: 3, limits: await limitsFromNode(this) }), channel };
		}
	}
	const store = await openStoreFromNode(this);
	try {
		return [await runOperation(this, op as Operation<InsightsContext>, { store, slack })];
	} finally {
		await store.release();
	}
}
