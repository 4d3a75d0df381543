import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { jsonParam, numberParam } from '../../common/params';
import { commentPollAlert, moderatedCommentAlert, moderationDigestAlert } from '../../shared/moderation/alert';
import type { PollResult } from '../../shared/moderation';
import { proposalAlert, proposalThreadKey } from '../../shared/alerts/proposal';
import { alertEventFor } from '../../shared/approvals';
import { moderate } from '../../shared/moderation';
import { metaAccountTimeZones } from '../../common/meta';
import type { ModerationContext } from './types';

const show = { show: { operation: ['moderate'] } };

export const description: INodeProperties[] = [
	{
		displayName: 'Live Mode',
		name: 'live',
		type: 'boolean',
		default: false,
		displayOptions: show,
		description: 'Whether automatic actions (hiding spam, scams and abuse) are carried out on Facebook/Instagram. Off: they are only recorded (dry run). Replies and escalations always wait for approval.',
	},
	{
		displayName: 'Brand Voice',
		name: 'brandVoice',
		type: 'string',
		typeOptions: { rows: 3 },
		default: 'Friendly, brief and helpful. No promises we cannot keep; point to support for orders.',
		displayOptions: show,
		description: 'How suggested replies sound. The comment itself is quoted to the model as data only.',
	},
	{
		displayName: 'Options',
		name: 'moderateOptions',
		type: 'collection',
		default: {},
		placeholder: 'Add Option',
		displayOptions: show,
		options: [
			{ displayName: 'Facts for Replies', name: 'facts', type: 'string', typeOptions: { rows: 3 }, default: '', description: 'Shipping times, return policy, links: what a reply may state' },
			{ displayName: 'Limit', name: 'limit', type: 'number', default: 500, typeOptions: { minValue: 1 }, description: 'Max number of results to return' },
			{
				displayName: 'Max Age of Waiting Comments (Days)',
				name: 'maxAgeDays',
				type: 'number',
				default: 7,
				typeOptions: { minValue: 0 },
				description: 'Besides the comments in the input, every stored comment not moderated yet is taken (up to Limit), e.g. one stored just before a crash; comments stored longer ago than this are left out unless named in the input',
			},
			{ displayName: 'Policy (JSON)', name: 'policy', type: 'json', default: '{}', description: 'Overrides of the moderation policy (thresholds per intent, delete enabled, …); see the README' },
			{ displayName: 'Retry Failed Actions', name: 'retryFailed', type: 'boolean', default: false, description: 'Whether to try automatic actions that failed in earlier runs once more (live mode)' },
			{
				displayName: 'Time Zone',
				name: 'timeZone',
				type: 'string',
				default: '',
				placeholder: 'e.g. America/New_York',
				description: "IANA time zone of the days of the comment signal (ad_comment_signals). Empty: each ad account's own zone as Meta reports it, the days its performance is stored in, so optimization rules compare like with like.",
			},
		],
	},
];

export const once = true;

export async function execute(this: IExecuteFunctions, itemIndex: number, ctx: ModerationContext): Promise<INodeExecutionData[]> {
	const o = this.getNodeParameter('moderateOptions', itemIndex, {}) as IDataObject;
	const policy = jsonParam(o.policy, 'Policy (JSON)') ?? {};
	// Items from the trigger or the poll name the comments to moderate first; every other stored comment not moderated yet follows (bounded age and Limit).
	const itemIds = this.getInputData()
		.map((i) => i.json.itemId)
		.filter((id): id is string => typeof id === 'string' && id.length > 0);
	const live = this.getNodeParameter('live', itemIndex, false) as boolean;
	const zone = String(o.timeZone ?? '').trim();
	const accountZones = zone ? undefined : await metaAccountTimeZones(ctx.metaCredential, ctx.store);
	const result = await moderate(
		{
			...(itemIds.length ? { itemIds } : {}),
			live,
			policy: policy as never,
			limit: numberParam(o.limit, 'Limit', 500, { min: 1, integer: true }),
			maxAgeMs: numberParam(o.maxAgeDays, 'Max Age of Waiting Comments (Days)', 7, { min: 0 }) * 86_400_000,
			retryFailed: o.retryFailed === true,
			...(zone ? { timeZone: zone } : { timeZone: 'UTC', timeZones: accountZones!.zones }),
			reply: { brandVoice: String(this.getNodeParameter('brandVoice', itemIndex, '')), ...(o.facts ? { facts: String(o.facts) } : {}) },
			...(ctx.chatModel ? { llm: { model: ctx.chatModel } } : {}),
		},
		{ store: ctx.store, metaComments: ctx.meta.client, ...(ctx.llm ? { llm: ctx.llm } : {}), ...(ctx.queue ? { approvals: ctx.queue } : {}) },
	);
	const warnings = accountZones?.warnings ?? [];
	// each comment is paired with the input item that named it (backlog comments, named by none, with the first item)
	const byItemId = new Map<unknown, number>();
	this.getInputData().forEach((input, k) => {
		if (!byItemId.has(input.json.itemId)) byItemId.set(input.json.itemId, k);
	});
	// A dry run is announced as one digest (the last item); a live run announces each comment that needs a person.
	const out: INodeExecutionData[] = result.comments.map((c) => ({ json: { ...c, dryRun: result.dryRun, model: result.model, alert: result.dryRun ? null : moderatedCommentAlert(c), ...(warnings.length ? { warnings } : {}) } as unknown as IDataObject, pairedItem: { item: byItemId.get(c.itemId) ?? itemIndex } }));
	// Poll Comments reports accounts or posts it could not read as items with `pollErrors`: they reach Slack through this node.
	const polled = this.getInputData().flatMap((input, k) => (Array.isArray(input.json.pollErrors) ? [{ errors: input.json.pollErrors as PollResult['errors'], k }] : []));
	if (!result.dryRun) for (const p of polled) out.push({ json: { pollErrors: p.errors, alert: commentPollAlert(p.errors) } as unknown as IDataObject, pairedItem: { item: p.k } });
	// a live run's approval requests (a dry run queues none)
	for (const event of result.enqueued) {
		const row = ctx.queue ? await ctx.queue.get(event.proposalId) : undefined;
		const alertEvent = row ? alertEventFor(event, row) : undefined;
		out.push({
			json: { ...event, alert: alertEvent ? proposalAlert(alertEvent) : null, threadKey: proposalThreadKey(event.proposalId) } as unknown as IDataObject,
			pairedItem: { item: itemIndex },
		});
	}
	// proposals nothing queued (no approval queue on the node, or a dry run, which creates no card): items without an alert
	if (!ctx.queue || result.dryRun) for (const p of result.proposals) out.push({ json: { proposal: p, dryRun: result.dryRun, alert: null } as unknown as IDataObject, pairedItem: { item: itemIndex } });
	if (result.dryRun) {
		// the requests a live run would queue as cards and announce one by one, counted
		const digest = moderationDigestAlert(result.comments, polled.flatMap((p) => p.errors), result.proposals.length);
		if (digest) out.push({ json: { digest: true, dryRun: true, comments: result.comments.length, alert: digest } as unknown as IDataObject, pairedItem: { item: polled[0]?.k ?? itemIndex } });
	}
	return out;
}
