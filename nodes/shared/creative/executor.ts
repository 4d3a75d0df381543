/**
 * The approval loop's executor for proposals of kind `creative`: the approved
 * variant (`approve_variant`), or every variant of a campaign run's batch
 * (`approve_variants`), is marked `approved` in `creative_variants`, then,
 * when publish settings are given for its platform, published through
 * creative/publish.ts `publishVariant` (one ad, paused unless the settings
 * say live, exactly once through the ledger key `publish:<variant id>`).
 * Without publish settings the variant is only marked approved and the
 * result says how to publish it (AdOps Creative, Publish Approved).
 *
 * Outcomes, as the approval loop reads them (approvals/executors.ts):
 * every variant published (or already) → the result lists the ads and their
 * links; a variant refused or not sent → a plain error (the proposal is
 * `failed`; Retry Failed publishes what is left, the published ones say
 * "already published"); a lost or late answer → `ExecutionOutcomeUnknown`
 * (the proposal stays executing), and `reconcile` reads the platform with
 * `checkPublished`, which never sends a create.
 *
 * The executor needs the store the variants live in, which is per
 * credential and so per execution. So there is no import-time registration:
 * the node that runs `ApprovalQueue.executeApproved` builds a registry per
 * execution and adds this executor with the queue's store:
 *
 * ```ts
 * const registry = new ExecutorRegistry();
 * registerCreativeExecutor(registry, queue.store);   // kind 'creative'
 * await queue.executeApproved(registry, options);
 * ```
 *
 * The approval loop runs an executor at most once per proposal and payload
 * (ledger claim); marking is idempotent anyway (`markCreativeDecision`).
 */
import { z } from 'zod';
import { ExecutionOutcomeUnknown, type ExecutionContext, type Executor, type ExecutorRegistry, type ReconcileResult } from '../approvals/executors';
import type { PlatformId } from '../platforms/registry';
import type { Json } from '../schema/rows';
import type { Store } from '../store/types';
import { checkPublished, publishVariant, type PublishDeps, type PublishResult, type PublishTarget } from './publish';
import { markCreativeDecision } from './run';
import { creativePlatform } from './variant';

/** Proposal kind of creative variants. */
export const CREATIVE_PROPOSAL_KIND = 'creative';

/** The part of a creative proposal's payload (`creativeProposalInput`) the executor reads. */
const contentHash = z.string().regex(/^[0-9a-f]{64}$/);
const creativePayload = z.discriminatedUnion('action', [
	z.object({ action: z.literal('approve_variant'), platform: creativePlatform, accountId: z.string().nullable(), campaignId: z.string().min(1), contentHash }),
	// one proposal for the novel variants of a campaign run (`creativeBatchProposalInput`)
	z.object({ action: z.literal('approve_variants'), platform: creativePlatform, accountId: z.string().nullable(), campaignId: z.string().min(1), contentHashes: z.array(contentHash).min(1) }),
]);

/** Thrown when an approved creative proposal cannot be applied; the approval loop records it as the failure. */
export class CreativeExecutionError extends Error {
	override readonly name = 'CreativeExecutionError';
}

/** What publishing needs: the platforms' adapters and, per platform, where and how its ads go live. */
export interface CreativePublishing {
	/** The adapters by platform (`createPlatformAdapter`), each an `AdPublisher`. */
	adapters: PublishDeps['adapters'];
	/** Publish settings per platform; a variant of a platform without settings is only marked approved. */
	targets: Partial<Record<PlatformId, PublishTarget>>;
	/** Who publishes (n8n's execution id): holder of the publish claims. */
	runId?: string;
	now?: () => Date;
}

function parse(payload: Json, ctx: ExecutionContext) {
	const parsed = creativePayload.safeParse(payload);
	if (!parsed.success) {
		throw new CreativeExecutionError(`Proposal ${ctx.proposal.id} is not a creative variant proposal: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'payload'}: ${i.message}`).join('; ')}`);
	}
	return parsed.data;
}

/** One published ad, compact: the approval's Slack alert shows the result as `label: value` lines. */
const publishedJson = (r: PublishResult): Json => (r.outcome === 'published' ? { variantId: r.variantId, adId: r.adId, status: r.adStatus, link: r.url } : { variantId: r.variantId, outcome: r.outcome });

/** One approval's publish results → the executor's result, or the error the approval loop records. */
function settle(results: PublishResult[], common: Record<string, Json>): Json {
	const unknown = results.filter((r) => r.outcome === 'unknown');
	const failed = results.filter((r) => r.outcome === 'failed' || r.outcome === 'not_supported');
	// possibly applied wins over failed: the loop must not run the batch blindly again
	if (unknown.length > 0) throw new ExecutionOutcomeUnknown([...unknown, ...failed].map((r) => r.text).join(' | '));
	if (failed.length > 0) {
		const done = results.filter((r) => r.outcome === 'published');
		throw new CreativeExecutionError(`${failed.map((r) => r.text).join(' | ')}${done.length ? ` | Published meanwhile (kept, not created again on retry): ${done.map((r) => r.text).join(' | ')}` : ''}`);
	}
	return { action: 'published', published: results.map((r) => r.text).join(' | '), ads: results.map(publishedJson), ...common };
}

/** The executor of kind `creative` over `store` (see the module comment); with `publishing`, approved variants are published. */
export function creativeExecutor(store: Store, publishing?: CreativePublishing): Executor {
	const deps = (): PublishDeps => ({ store, adapters: publishing?.adapters ?? {}, ...(publishing?.runId ? { runId: publishing.runId } : {}), ...(publishing?.now ? { now: publishing.now } : {}) });
	const execute = async (payload: Json, ctx: ExecutionContext): Promise<Json> => {
		const p = parse(payload, ctx);
		const hashes = p.action === 'approve_variant' ? [p.contentHash] : p.contentHashes;
		const result = await markCreativeDecision(store, ctx.proposal.id, 'approved');
		const variants = hashes.map((hash) => {
			const variant = result.variants.find((v) => v.contentHash === hash && v.campaignId === p.campaignId && v.platform === p.platform);
			if (!variant) {
				throw new CreativeExecutionError(
					result.found === 0
						? `No creative variant is linked to proposal ${ctx.proposal.id}; it may have been deleted from creative_variants. Nothing was marked.`
						: `The variant linked to proposal ${ctx.proposal.id} holds other copy than the approved payload (content hash ${hash.slice(0, 12)}…); nothing was marked.`,
				);
			}
			// published: an earlier run of this proposal (a batch retried after one variant failed) already made its ad
			if (variant.status !== 'approved' && variant.status !== 'published') {
				throw new CreativeExecutionError(`Variant ${variant.id} of proposal ${ctx.proposal.id} is ${variant.status}, not pending approval; it was not marked approved.`);
			}
			return variant;
		});
		const target = publishing?.targets[p.platform];
		const ids: Record<string, Json> = p.action === 'approve_variant' ? { variantId: variants[0]!.id, contentHash: p.contentHash } : { variantIds: variants.map((v) => v.id), contentHashes: p.contentHashes };
		if (!target) {
			const note =
				p.action === 'approve_variant'
					? 'The variant is approved in the store; it is not published: no publish settings for this platform were given here (publish it with AdOps Creative, Publish Approved).'
					: `${variants.length} variants are approved in the store; they are not published: no publish settings for this platform were given here (publish them with AdOps Creative, Publish Approved).`;
			return { action: 'marked_approved', ...ids, platform: p.platform, campaignId: p.campaignId, changed: result.updated > 0, published: false, note };
		}
		const results: PublishResult[] = [];
		for (const v of variants) results.push(await publishVariant(deps(), { variantId: v.id, target }));
		return settle(results, { ...ids, platform: p.platform, campaignId: p.campaignId, changed: result.updated > 0 });
	};
	if (!publishing) return execute;
	/** Reads the platform for each variant (never creates): all there → applied; any unreadable → unknown; else not applied (the loop runs it again, the published ones are not created twice). */
	const reconcile = async (payload: Json, ctx: ExecutionContext): Promise<ReconcileResult> => {
		const p = parse(payload, ctx);
		const target = publishing.targets[p.platform];
		if (!target) return { state: 'unknown', how: `no publish settings for ${p.platform} were given to this run, so the platform was not read` };
		const rows = await store.select('creative_variants', { where: { proposal_id: ctx.proposal.id } });
		const hashes = p.action === 'approve_variant' ? [p.contentHash] : p.contentHashes;
		const variants = hashes.map((h) => rows.find((r) => r.content_hash === h && r.campaign_id === p.campaignId && r.platform === p.platform));
		if (variants.some((v) => !v)) return { state: 'unknown', how: `a variant of proposal ${ctx.proposal.id} is no longer in creative_variants` };
		const results: PublishResult[] = [];
		for (const v of variants) results.push(await checkPublished(deps(), { variantId: v!.id, target }));
		const how = results.map((r) => r.text).join(' | ');
		if (results.some((r) => r.outcome === 'unknown')) return { state: 'unknown', how };
		if (results.every((r) => r.outcome === 'published')) return { state: 'applied', how, result: { action: 'published', published: how, ads: results.map(publishedJson), platform: p.platform, campaignId: p.campaignId } };
		return { state: 'not_applied', how };
	};
	return Object.assign(execute, { reconcile });
}

/**
 * Registers `creativeExecutor(store, publishing)` for kind `creative` in `registry`; returns the unregister
 * function. Without `publishing` (or with no target for a variant's platform) approved variants are only marked.
 */
export function registerCreativeExecutor(registry: ExecutorRegistry, store: Store, publishing?: CreativePublishing): () => void {
	return registry.register(CREATIVE_PROPOSAL_KIND, creativeExecutor(store, publishing));
}
