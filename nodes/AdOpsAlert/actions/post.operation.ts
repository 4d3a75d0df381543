import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';
import { ALERT_KINDS, alertSchema, type Alert } from '../../shared/alerts/message';
import { alertIdempotencyKey, postAlert, type SlackPoster, type ThreadRegistry } from '../../shared/alerts/post';
import { readableValue } from '../../shared/alerts/readable';
import { jsonParam } from '../../common/params';
import { PROPOSAL_ALERT_TYPES, proposalAlert, proposalAlertKey, proposalThreadKey, type ProposalAlertEvent } from '../../shared/alerts/proposal';
import { SLACK_CHANNEL_MODES, slackChannelFromLocator } from '../../common/list-search';

const show = { show: { operation: ['post'] } };
const fromFields = { show: { operation: ['post'], source: ['fields'] } };

export const description: INodeProperties[] = [
	{
		displayName: 'Message Source',
		name: 'source',
		type: 'options',
		default: 'fields',
		displayOptions: show,
		options: [
			{ name: 'Fields Below', value: 'fields', description: 'Compose the alert from the fields of this node' },
			{
				name: 'JSON',
				value: 'json',
				description: 'Take a whole alert object ({kind, title, message, fields, items, link, footer, mention}) from an expression, e.g. the "alert" an AdOps node outputs',
			},
			{
				name: 'Proposal Event',
				value: 'proposal',
				description:
					'A step in a proposal\'s life from AdOps Approval or its trigger: awaiting approval (with Approve/Reject buttons and the Notion link), decided, executed, refused, expired, failed. Threaded per proposal.',
			},
		],
	},
	{
		displayName: 'Proposal Event (JSON)',
		name: 'proposalEvent',
		type: 'json',
		default: '={{ $json.proposalEvent }}',
		description: 'The "proposalEvent" AdOps Approval and AdOps Approval Trigger output. Items without one (nothing worth a message) are passed through unposted.',
		displayOptions: { show: { operation: ['post'], source: ['proposal'] } },
	},
	{
		displayName: 'Alert (JSON)',
		name: 'alertJson',
		type: 'json',
		default: '={{ $json.alert }}',
		description: 'An alert object; AdOps nodes that report results output one as "alert". Items whose alert is empty (null) pass through unposted.',
		displayOptions: { show: { operation: ['post'], source: ['json'] } },
	},
	{
		displayName: 'Kind',
		name: 'kind',
		type: 'options',
		default: 'info',
		displayOptions: fromFields,
		options: ALERT_KINDS.map((k) => ({
			name: k[0].toUpperCase() + k.slice(1),
			value: k,
			description: {
				info: 'Something worth knowing',
				action: 'A change was made (or would be, in dry-run)',
				failure: 'Something failed and needs a person',
				summary: 'A daily or per-run result',
			}[k],
		})),
	},
	{
		displayName: 'Title',
		name: 'title',
		type: 'string',
		default: '',
		required: true,
		displayOptions: fromFields,
	},
	{
		displayName: 'Message',
		name: 'message',
		type: 'string',
		typeOptions: { rows: 4 },
		default: '',
		description: 'Body in Slack mrkdwn',
		displayOptions: fromFields,
	},
	{
		displayName: 'Fields',
		name: 'fields',
		type: 'fixedCollection',
		typeOptions: { multipleValues: true },
		default: {},
		placeholder: 'Add Field',
		description: 'Label/value pairs shown as a grid',
		displayOptions: fromFields,
		options: [
			{
				displayName: 'Field',
				name: 'field',
				values: [
					{ displayName: 'Label', name: 'label', type: 'string', default: '' },
					{ displayName: 'Value', name: 'value', type: 'string', default: '' },
				],
			},
		],
	},
	{
		displayName: 'Items',
		name: 'items',
		type: 'json',
		default: '[]',
		description: 'Bullet lines as a JSON array of strings, e.g. one per failed account',
		displayOptions: fromFields,
	},
	{
		displayName: 'Channel',
		name: 'channel',
		type: 'string',
		default: '',
		placeholder: '#ad-ops',
		description: "Channel name or ID. Empty uses the credential's default channel.",
		displayOptions: { show: { ...show.show, '@version': [1] } },
	},
	{
		displayName: 'Channel',
		name: 'channel',
		type: 'resourceLocator',
		default: { mode: 'list', value: '' },
		description: "The channel to post in. Empty uses the credential's default channel.",
		displayOptions: { show: { ...show.show, '@version': [{ _cnd: { gte: 1.1 } }] } },
		modes: SLACK_CHANNEL_MODES,
	},
	{
		displayName: 'Thread Key',
		name: 'threadKey',
		type: 'string',
		default: '',
		description: 'Alerts with the same key are threaded under the first one (needs an AdOps Store credential to remember the thread)',
		displayOptions: show,
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		default: {},
		placeholder: 'Add Option',
		displayOptions: show,
		options: [
			{ displayName: 'Footer', name: 'footer', type: 'string', default: '', description: 'Small print under the message' },
			{ displayName: 'Link Text', name: 'linkText', type: 'string', default: 'Open' },
			{ displayName: 'Link URL', name: 'linkUrl', type: 'string', default: '', description: 'Adds a button that opens this URL' },
			{ displayName: 'Mention', name: 'mention', type: 'string', default: '', placeholder: '@here', description: '@here, @channel, a user ID (U…) or a user-group ID (S…)' },
			{
				displayName: 'Idempotency Key',
				name: 'idempotencyKey',
				type: 'string',
				default: '',
				description:
					'Posts with the same key appear once: before posting, the channel (or thread) is read for a message carrying the key, and a post whose answer was lost is looked up instead of sent again. Proposal events have their own key (proposal, step). Empty: this execution, node and item (a retry of this node never doubles a post).',
			},
			{
				displayName: 'Retries',
				name: 'retries',
				type: 'number',
				default: 5,
				description: 'How often a post is retried after an answer that proves it was not posted (rate limit, connection refused). A lost answer is never re-posted: it is looked up.',
			},
		],
	},
];

function parseItems(ctx: IExecuteFunctions, raw: unknown, itemIndex: number): string[] {
	let value = raw;
	if (typeof raw === 'string') {
		const trimmed = raw.trim();
		if (!trimmed) return [];
		try {
			value = JSON.parse(trimmed);
		} catch {
			throw new NodeOperationError(ctx.getNode(), 'Items must be a JSON array of strings', { itemIndex });
		}
	}
	if (value === undefined || value === null) return [];
	if (!Array.isArray(value)) throw new NodeOperationError(ctx.getNode(), 'Items must be a JSON array of strings', { itemIndex });
	return value.map((v) => readableValue(v));
}

/** The proposal event of an item, or undefined when the item carries none; a malformed one is an error. */
function parseProposalEvent(ctx: IExecuteFunctions, raw: unknown, itemIndex: number): ProposalAlertEvent | undefined {
	const value = jsonParam(raw, 'Proposal Event (JSON)');
	if (value === undefined || value === null) return undefined;
	const e = value as { type?: unknown; proposal?: { proposalId?: unknown; kind?: unknown; title?: unknown; payloadHash?: unknown } };
	const problems = [
		!PROPOSAL_ALERT_TYPES.includes(e.type as ProposalAlertEvent['type']) && `type must be one of ${PROPOSAL_ALERT_TYPES.join(', ')}`,
		!e.proposal && 'proposal is missing',
		e.proposal && typeof e.proposal.proposalId !== 'string' && 'proposal.proposalId must be a string',
		e.proposal && typeof e.proposal.title !== 'string' && 'proposal.title must be a string',
		e.proposal && typeof e.proposal.kind !== 'string' && 'proposal.kind must be a string',
		e.proposal && typeof e.proposal.payloadHash !== 'string' && 'proposal.payloadHash must be a string',
	].filter(Boolean);
	if (problems.length) throw new NodeOperationError(ctx.getNode(), `Invalid proposal event: ${problems.join('; ')}`, { itemIndex });
	return value as ProposalAlertEvent;
}

export interface PostDeps {
	threads?: ThreadRegistry;
	slack: SlackPoster;
	defaultChannel: string;
}

/** One message per item; an item without an alert (or proposal event) passes through unposted. */
export async function execute(this: IExecuteFunctions, itemIndex: number, deps: PostDeps): Promise<INodeExecutionData[]> {
	const options = this.getNodeParameter('options', itemIndex, {}) as IDataObject;
	const overrides = {
		...(options.linkUrl ? { link: { url: String(options.linkUrl), text: String(options.linkText || 'Open') } } : {}),
		...(options.footer ? { footer: String(options.footer) } : {}),
		...(options.mention ? { mention: String(options.mention) } : {}),
	};
	let candidate: unknown;
	let idempotencyKey = String(options.idempotencyKey ?? '').trim();
	let checkFirst = idempotencyKey !== '';
	let threadKey = this.getNodeParameter('threadKey', itemIndex, '') as string;
	const source = this.getNodeParameter('source', itemIndex, 'fields') as string;
	if (source === 'proposal') {
		const event = parseProposalEvent(this, this.getNodeParameter('proposalEvent', itemIndex, null) as unknown, itemIndex);
		if (!event) return [{ json: { ok: true, skipped: true, reason: 'no proposal event on this item' }, pairedItem: { item: itemIndex } }];
		try {
			candidate = { ...proposalAlert(event), ...overrides };
		} catch (error) {
			throw new NodeOperationError(this.getNode(), `Invalid proposal event: ${error instanceof Error ? error.message : String(error)}`, { itemIndex });
		}
		threadKey ||= proposalThreadKey(event.proposal.proposalId);
		if (!idempotencyKey) {
			idempotencyKey = proposalAlertKey(event);
			checkFirst = true;
		}
	} else if (source === 'json') {
		const raw = jsonParam(this.getNodeParameter('alertJson', itemIndex, {}), 'Alert (JSON)');
		if (raw === null || raw === undefined) {
			return [{ json: { ok: true, skipped: true, reason: 'no alert on this item' }, pairedItem: { item: itemIndex } }];
		}
		if (!raw || typeof raw !== 'object' || Array.isArray(raw)) {
			throw new NodeOperationError(this.getNode(), 'Alert (JSON) must be an object with at least kind and title', { itemIndex });
		}
		candidate = { ...(raw as IDataObject), ...overrides };
	} else {
		const fields = ((this.getNodeParameter('fields', itemIndex, {}) as IDataObject).field as IDataObject[] | undefined) ?? [];
		candidate = {
			kind: this.getNodeParameter('kind', itemIndex),
			title: this.getNodeParameter('title', itemIndex),
			message: (this.getNodeParameter('message', itemIndex, '') as string) || undefined,
			fields: fields.map((f) => ({ label: String(f.label ?? ''), value: String(f.value ?? '') })),
			items: parseItems(this, this.getNodeParameter('items', itemIndex, '[]'), itemIndex),
			...overrides,
		};
	}
	const parsed = alertSchema.safeParse(candidate);
	if (!parsed.success) {
		const issue = parsed.error.issues[0];
		throw new NodeOperationError(this.getNode(), `Invalid alert: ${issue.path.join('.') || 'alert'}: ${issue.message}`, { itemIndex });
	}
	const alert: Alert = parsed.data;
	// Version 1: text; 1.1: a locator (older values may still be plain text).
	const channel = slackChannelFromLocator(this.getNodeParameter('channel', itemIndex, '')) || deps.defaultChannel;
	const posted = await postAlert(deps.slack, alert, {
		channel,
		threadKey,
		threads: deps.threads,
		idempotencyKey: idempotencyKey ? alertIdempotencyKey(idempotencyKey) : alertIdempotencyKey('n8n', String(this.getExecutionId() ?? ''), this.getNode().name, String(itemIndex)),
		checkFirst,
	});
	return [{ json: { ok: true, kind: alert.kind, title: alert.title, ...posted } as unknown as IDataObject, pairedItem: { item: itemIndex } }];
}
