import type { IDataObject, INodeType, INodeTypeDescription, IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';
import { NodeConnectionTypes, NodeOperationError } from 'n8n-workflow';
import { metaCommentSettings } from '../common/meta';
import { adOpsMetaAdsApiTest } from '../common/platforms';
import { adOpsStoreConnectionTest, openStoreFromNode } from '../common/store';
import { handleMetaWebhook } from '../shared/moderation';
import { outcomeLog, skippedEntries } from './skipped';
import { MODERATION_DESCRIPTION, triggerEvent } from '../common/panel';

interface RawRequest {
	method: string;
	query: Record<string, unknown>;
	headers: Record<string, string | string[] | undefined>;
	rawBody?: Buffer;
	readRawBody?: () => Promise<void>;
}

// Meta's Page webhooks are set up once per app in the Meta dashboard (callback URL and verify token), not per
// workflow through an API this node could call with the credential's token, so there is nothing to register here.
// eslint-disable-next-line @n8n/community-nodes/webhook-lifecycle-complete
export class AdOpsModerationTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'AdOps Moderation Trigger',
		name: 'adOpsModerationTrigger',
		icon: { light: 'file:adOpsModerationTrigger.svg', dark: 'file:adOpsModerationTrigger.dark.svg' },
		group: ['trigger'],
		version: 1,
		// the panel shows this for the entry it merges with AdOps Moderation; the trigger's own words are its Event (common/panel.ts)
		description: MODERATION_DESCRIPTION,
		subtitle: 'On new ad comment',
		defaults: { name: 'AdOps Moderation Trigger' },
		inputs: [],
		// Comments; with Options › Output Skipped Entries also Skipped (what a delivery held that was not stored, and why).
		outputs: `={{ $parameter.options?.outputSkipped === true ? [{ type: "${NodeConnectionTypes.Main}", displayName: "Comments" }, { type: "${NodeConnectionTypes.Main}", displayName: "Skipped" }] : ["${NodeConnectionTypes.Main}"] }}`,
		credentials: [
			{ name: 'adOpsMetaAdsApi', displayName: 'Meta Ads', required: true, testedBy: 'adOpsMetaAdsApiTest' },
			{ name: 'adOpsStoreApi', displayName: 'AdOps Store', required: true, testedBy: 'adOpsStoreConnectionTest' },
		],
		webhooks: [
			{ name: 'setup', httpMethod: 'GET', responseMode: 'onReceived', path: 'adops-meta-comments', isFullPath: true },
			{ name: 'default', httpMethod: 'POST', responseMode: 'onReceived', path: 'adops-meta-comments', isFullPath: true },
		],
		properties: [
			triggerEvent({ name: 'New Ad Comment', value: 'newComment', action: 'On new ad comment', description: "Starts the workflow for new comments on your Facebook and Instagram ads, from Meta's webhooks" }),
			{
				displayName:
					"Use this node's production URL as the callback URL of the Meta app's Page webhook (field feed; Instagram: comments), with the Verify Token from the AdOps Meta Ads credential. Every delivery is checked against X-Hub-Signature-256 with the credential's App Secret; a missing or wrong signature gets 401 and starts nothing, a replayed delivery starts nothing.",
				name: 'notice',
				type: 'notice',
				default: '',
			},
			{
				displayName: 'Options',
				name: 'options',
				type: 'collection',
				default: {},
				placeholder: 'Add Option',
				options: [
					{
						displayName: 'Output Skipped Entries',
						name: 'outputSkipped',
						type: 'boolean',
						default: false,
						description:
							'Whether to add a second output, Skipped, with one item per entry of a signed delivery that did not become a stored comment (likes and other feed changes, comments under posts no ad uses, comments without text, malformed changes) and the reason. Each such delivery then starts the workflow, so this is meant for setting up and checking the webhook. Skipped entries are always written to the n8n log.',
					},
				],
			},
		],
	};

	methods = { credentialTest: { adOpsMetaAdsApiTest, adOpsStoreConnectionTest } };

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		const req = this.getRequestObject() as unknown as RawRequest;
		const res = this.getResponseObject();
		const meta = metaCommentSettings(await this.getCredentials('adOpsMetaAdsApi'));
		if (req.method.toUpperCase() === 'POST' && !req.rawBody && req.readRawBody) await req.readRawBody();
		const store = await openStoreFromNode(this);
		try {
			const outcome = await handleMetaWebhook(
				{ method: req.method, query: req.query as never, headers: req.headers, rawBody: req.rawBody ?? null },
				{ appSecret: meta.appSecret, verifyToken: meta.verifyToken },
				{ store },
			);
			res.status(outcome.status).type(outcome.contentType).send(outcome.body);
			// What was skipped and why goes to the log always, and to the Skipped output when asked for.
			const skipped = skippedEntries(outcome);
			const log = outcomeLog(outcome, skipped);
			if (log) this.logger[log.level](log.message, log.meta);
			const inserted = outcome.kind === 'delivery' ? (outcome.ingest?.inserted ?? []) : [];
			const comments = inserted.map((row) => ({ json: { itemId: row.id, ...row } as unknown as IDataObject }));
			const outputSkipped = (this.getNodeParameter('options', {}) as IDataObject).outputSkipped === true;
			const skippedItems = outputSkipped ? skipped.map((entry) => ({ json: { ...entry } as IDataObject })) : [];
			if (comments.length === 0 && skippedItems.length === 0) return { noWebhookResponse: true };
			return { noWebhookResponse: true, workflowData: outputSkipped ? [comments, skippedItems] : [comments] };
		} catch (error) {
			// Replay claims were released: Meta's retry of this delivery will be accepted.
			res.status(500).type('text/plain').send('could not store the delivery; Meta will retry');
			throw new NodeOperationError(this.getNode(), error as Error, { description: 'The delivery was not stored (store unreachable?); Meta retries it and the retry is accepted.' });
		} finally {
			await store.release();
		}
	}
}
