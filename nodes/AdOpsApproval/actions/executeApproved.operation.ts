import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { ExecutorRegistry, proposalKind, webhookExecutor, type ApprovalQueue } from '../../shared/approvals';
import { eventItems } from '../../common/approvals';
import { registerCreativeExecutor } from '../../shared/creative/executor';
import { registerModerationExecutor } from '../../shared/moderation/executor';
import type { MetaCommentsClient } from '../../shared/platforms/meta-comments';
import type { OptimizerAdapters } from '../../shared/rules/apply';
import { registerOptimizationExecutor } from '../../shared/rules/executor';
import { registerBudgetPlanExecutor } from '../../shared/allocation/executor';
import { metaCommentSettings } from '../../common/meta';
import { controlledAdaptersFromNode } from '../../common/platforms';
import { optionalCredentials } from '../../common/credentials';
import { numberParam } from '../../common/params';
import { PUBLISH_SETTING_FIELDS, publishTargets } from '../../common/creative-publish';
import type { CreativePublishing } from '../../shared/creative/executor';

const show = { show: { operation: ['executeApproved'] } };

export const description: INodeProperties[] = [
	{
		displayName: 'Webhook Executors',
		name: 'webhooks',
		type: 'fixedCollection',
		typeOptions: { multipleValues: true },
		default: {},
		placeholder: 'Add Webhook Executor',
		displayOptions: show,
		description:
			'Kinds without a built-in executor are executed by POSTing the approved proposal to a URL (another workflow\'s Webhook, an internal service) with an Idempotency-Key header. The URL comes from here, never from the proposal.',
		options: [
			{
				displayName: 'Executor',
				name: 'executor',
				values: [
					{ displayName: 'Kind', name: 'kind', type: 'string', default: '', placeholder: 'e.g. announce', description: 'Proposal kind this URL executes' },
					{ displayName: 'URL', name: 'url', type: 'string', default: '', placeholder: 'https://…' },
					{ displayName: 'Header Name', name: 'headerName', type: 'string', default: '', placeholder: 'Authorization', description: 'Optional header sent with each request' },
					{ displayName: 'Header Value', name: 'headerValue', type: 'string', typeOptions: { password: true }, default: '' },
					{ displayName: 'Timeout (Seconds)', name: 'timeout', type: 'number', default: 30, typeOptions: { minValue: 1 } },
					{
						displayName: 'Receipt Lookup URL',
						name: 'lookupUrl',
						type: 'string',
						default: '',
						placeholder: 'https://…/receipts/{key}',
						description:
							'Optional. A URL (GET) that says whether the receiver got a request with a given Idempotency-Key ({key} is replaced): 2xx yes, 404 no. When an answer is lost, the proposal is checked here instead of being sent again.',
					},
					{
						displayName: 'Receiver Acts Once per Idempotency-Key',
						name: 'dedupesByKey',
						type: 'boolean',
						default: false,
						description:
							'Whether the receiver is documented to act at most once per Idempotency-Key. Without a lookup URL, a lost answer is then settled by sending the same request again with the same key. Leave off unless the receiver really does this.',
					},
				],
			},
		],
	},
	{
		displayName: 'Creative Publishing',
		name: 'creativePublishing',
		type: 'collection',
		default: {},
		placeholder: 'Add Publish Setting',
		displayOptions: show,
		description:
			"With a Landing Page URL set, an approved creative variant is published as one ad (paused unless Ad Status says Live) on its platform through the platform's credential on this node, exactly once. Without it, approved variants are only marked approved (publish them with AdOps Creative, Publish Approved).",
		options: PUBLISH_SETTING_FIELDS,
	},
	{
		displayName: 'Options',
		name: 'executeOptions',
		type: 'collection',
		default: {},
		placeholder: 'Add Option',
		displayOptions: show,
		options: [
			{
				displayName: 'Retry Failed',
				name: 'retryFailed',
				type: 'boolean',
				default: false,
				description: 'Whether to run proposals whose executor failed again (still at most one successful side effect each)',
			},
			{ displayName: 'Only Proposal IDs', name: 'proposalIds', type: 'string', default: '', description: 'Comma-separated proposal IDs; empty: every approved proposal' },
			{ displayName: 'Limit', name: 'limit', type: 'number', default: 100, typeOptions: { minValue: 1 }, description: 'Max number of results to return' },
			{
				displayName: 'Claim Lease (Minutes)',
				name: 'claimLeaseMinutes',
				type: 'number',
				default: 10,
				typeOptions: { minValue: 1 },
				description:
					'How long a proposal claimed by another run on another host counts as in progress. Only an older claim is checked and settled by this run. Keep it above the longest webhook timeout.',
			},
		],
	},
];

/** Built-in executors (those that need the store get the queue's) plus this node's webhook executors. */
export function registryFor(
	webhooks: IDataObject[],
	queue: ApprovalQueue,
	platforms: { metaComments?: MetaCommentsClient; optimizer?: OptimizerAdapters; creativePublishing?: CreativePublishing } = {},
): ExecutorRegistry {
	const registry = new ExecutorRegistry();
	// Creative proposals: marked approved, and published when the node has publish settings (their adapters are the platform credentials')
	registerCreativeExecutor(registry, queue.store, platforms.creativePublishing);
	// Moderation proposals act on Meta comments: their executor needs the node's AdOps Meta Ads credential.
	if (platforms.metaComments) registerModerationExecutor(registry, { store: queue.store, metaComments: platforms.metaComments });
	// Optimization proposals change campaigns: their executor needs the credential of each platform they act on.
	if (platforms.optimizer && Object.keys(platforms.optimizer).length > 0) {
		registerOptimizationExecutor(registry, { store: queue.store, adapters: platforms.optimizer });
		registerBudgetPlanExecutor(registry, { store: queue.store, adapters: platforms.optimizer });
	}
	const builtIn = new Set(registry.kinds());
	for (const w of webhooks) {
		const kind = String(w.kind ?? '').trim();
		const parsed = proposalKind.safeParse(kind);
		if (!parsed.success) throw new Error(`Webhook executor kind "${kind}" ${parsed.error.issues[0]?.message ?? 'is invalid'}`);
		if (registry.has(kind)) throw new Error(`Kind "${kind}" already has ${builtIn.has(kind) ? 'a built-in executor' : 'a webhook executor'}; give each kind one executor`);
		const headerName = String(w.headerName ?? '').trim();
		registry.register(
			kind,
			webhookExecutor({
				url: String(w.url ?? ''),
				headers: headerName ? { [headerName]: String(w.headerValue ?? '') } : undefined,
				timeoutMs: numberParam(w.timeout, `Timeout (Seconds) of the webhook executor for "${kind}"`, 30, { min: 1 }) * 1000,
				...(String(w.lookupUrl ?? '').trim() ? { lookupUrl: String(w.lookupUrl).trim() } : {}),
				dedupesByKey: w.dedupesByKey === true,
			}),
		);
	}
	return registry;
}

export const once = true;

export async function execute(this: IExecuteFunctions, itemIndex: number, queue: ApprovalQueue): Promise<INodeExecutionData[]> {
	const webhooks = ((this.getNodeParameter('webhooks', itemIndex, {}) as IDataObject).executor as IDataObject[] | undefined) ?? [];
	const options = this.getNodeParameter('executeOptions', itemIndex, {}) as IDataObject;
	const ids = String(options.proposalIds ?? '')
		.split(',')
		.map((s) => s.trim())
		.filter(Boolean);
	// Without an AdOps Meta Ads credential on this node, moderation proposals stay approved (skipped) until one is set;
	// without any platform credential, so do optimization proposals.
	const meta = await optionalCredentials(this, 'adOpsMetaAdsApi');
	const metaComments = meta ? metaCommentSettings(meta).client : undefined;
	const { adapters: optimizer } = await controlledAdaptersFromNode(this, { maxRetries: 3 });
	const publishSettings = this.getNodeParameter('creativePublishing', itemIndex, {}) as IDataObject;
	const runId = `n8n-execution-${this.getExecutionId()}`;
	const creativePublishing: CreativePublishing | undefined = String(publishSettings.link ?? '').trim() ? { adapters: optimizer, targets: publishTargets(publishSettings), runId } : undefined;
	const events = await queue.executeApproved(registryFor(webhooks, queue, { metaComments, optimizer, creativePublishing }), {
		retryFailed: options.retryFailed === true,
		...(ids.length ? { proposalIds: ids } : {}),
		...(options.limit ? { limit: numberParam(options.limit, 'Limit', undefined, { min: 1, integer: true }) } : {}),
		...(options.claimLeaseMinutes !== undefined ? { claimLeaseMs: numberParam(options.claimLeaseMinutes, 'Claim Lease (Minutes)', 10, { min: 1 }) * 60_000 } : {}),
		runId,
	});
	return eventItems(queue, events, itemIndex);
}
