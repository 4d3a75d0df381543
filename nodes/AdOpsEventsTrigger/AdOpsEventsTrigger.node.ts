import type { IDataObject, INodeType, INodeTypeDescription, IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';
import { NodeConnectionTypes, NodeOperationError } from 'n8n-workflow';
import { adOpsStoreConnectionTest, openStoreFromNode } from '../common/store';
import { triggerEvent } from '../common/panel';
import { handleEventsPost, MAX_EVENTS_PER_POST } from '../shared/events';
import { adOpsEventsApiTest, eventsAuth, type RawRequest } from './credential';

// Senders post to this node's URL; there is nothing to register with a third party.
// eslint-disable-next-line @n8n/community-nodes/webhook-lifecycle-complete
export class AdOpsEventsTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'AdOps Events Trigger',
		name: 'adOpsEventsTrigger',
		icon: { light: 'file:adOpsEventsTrigger.svg', dark: 'file:adOpsEventsTrigger.dark.svg' },
		group: ['trigger'],
		version: 1,
		description: 'Receive first-party marketing events (impressions, clicks, leads, purchases) and store each once, identifiers hashed',
		subtitle: 'On events received',
		defaults: { name: 'AdOps Events Trigger' },
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: [
			{ name: 'adOpsEventsApi', displayName: 'AdOps Events (who may post)', required: true, testedBy: 'adOpsEventsApiTest' },
			{ name: 'adOpsStoreApi', displayName: 'AdOps Store', required: true, testedBy: 'adOpsStoreConnectionTest' },
		],
		webhooks: [{ name: 'default', httpMethod: 'POST', responseMode: 'onReceived', path: 'adops-events' }],
		properties: [
			triggerEvent({
				name: 'Events Received',
				value: 'eventsReceived',
				action: 'On events received',
				description: 'Starts the workflow once per accepted post, with its counts, after its events are stored',
			}),
			{
				displayName: `POST one event, a list, or {"events": [...]} (up to ${MAX_EVENTS_PER_POST.toLocaleString('en-US')} per post) as JSON. Every event is stored once per Source and event_id; e-mail, phone and user id are normalised and SHA-256 hashed before storing. The answer says how many were stored, duplicates and quarantined (with reasons). Posts failing the credential's check get 401 and store nothing.`,
				name: 'notice',
				type: 'notice',
				default: '',
			},
			{
				displayName: 'Source',
				name: 'source',
				type: 'string',
				default: 'website',
				required: true,
				description: 'Who sends these events (a site, an app, a CRM): event ids are unique per source',
			},
			{
				displayName: 'Options',
				name: 'options',
				type: 'collection',
				default: {},
				placeholder: 'Add Option',
				options: [
					{
						displayName: 'Default Country Calling Code',
						name: 'defaultCountryCode',
						type: 'string',
						default: '',
						placeholder: '49',
						description: 'For phone numbers written without + or 00: the country calling code to put in front (its leading 0 is dropped). Empty: such numbers are quarantined.',
					},
				],
			},
		],
	};

	methods = { credentialTest: { adOpsEventsApiTest, adOpsStoreConnectionTest } };

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		const req = this.getRequestObject() as unknown as RawRequest;
		const res = this.getResponseObject();
		if (!req.rawBody && req.readRawBody) await req.readRawBody();
		const auth = eventsAuth(await this.getCredentials('adOpsEventsApi'));
		const source = String(this.getNodeParameter('source', 'website')).trim() || 'website';
		const options = this.getNodeParameter('options', {}) as IDataObject;
		const store = await openStoreFromNode(this);
		try {
			const outcome = await handleEventsPost({ method: req.method, headers: req.headers, rawBody: req.rawBody ?? null, body: req.body }, auth, store, {
				source,
				defaultCountryCode: String(options.defaultCountryCode ?? '').trim() || undefined,
			});
			res.status(outcome.status).json(outcome.body);
			if (outcome.status !== 200 || !outcome.answer) {
				this.logger.warn(`AdOps Events Trigger refused a post (${outcome.status}): ${outcome.refused ?? 'refused'}`);
				return { noWebhookResponse: true };
			}
			const { refused, ...counts } = outcome.answer;
			return {
				noWebhookResponse: true,
				workflowData: [[{ json: { source, ...counts, refusedReasons: refused.map((r) => ({ ...r })), answeredInMs: Math.round(outcome.ms) } as IDataObject }]],
			};
		} catch (error) {
			res.status(500).json({ error: 'The events could not be stored; send the same post again (events already stored are not stored twice).' });
			throw new NodeOperationError(this.getNode(), error as Error, { description: 'The post was not stored (store unreachable?). A retry of the same post is safe: events are stored once per source and event id.' });
		} finally {
			await store.release();
		}
	}
}
