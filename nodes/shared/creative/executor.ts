/**
 * The approval loop's executor for proposals of kind `creative`: the approved
 * variant (`approve_variant`), or every variant of a campaign run's batch
 * (`approve_variants`), is marked `approved` in `creative_variants`.
 * Publishing it to the platform is a later step; the result says so.
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
import type { ExecutionContext, Executor, ExecutorRegistry } from '../approvals/executors';
import type { Json } from '../schema/rows';
import type { Store } from '../store/types';
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

/** The executor of kind `creative` over `store` (see the module comment). */
export function creativeExecutor(store: Store): Executor {
	return async (payload: Json, ctx: ExecutionContext): Promise<Json> => {
		const parsed = creativePayload.safeParse(payload);
		if (!parsed.success) {
			throw new CreativeExecutionError(`Proposal ${ctx.proposal.id} is not a creative variant proposal: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'payload'}: ${i.message}`).join('; ')}`);
		}
		const p = parsed.data;
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
			if (variant.status !== 'approved') {
				throw new CreativeExecutionError(`Variant ${variant.id} of proposal ${ctx.proposal.id} is ${variant.status}, not pending approval; it was not marked approved.`);
			}
			return variant;
		});
		const common = { platform: p.platform, campaignId: p.campaignId, changed: result.updated > 0, published: false };
		if (p.action === 'approve_variant') {
			return { action: 'marked_approved', variantId: variants[0]!.id, ...common, contentHash: p.contentHash, note: 'The variant is approved in the store; publishing it to the platform is a later step.' };
		}
		return { action: 'marked_approved', variantIds: variants.map((v) => v.id), ...common, contentHashes: p.contentHashes, note: `${variants.length} variants are approved in the store; publishing them to the platform is a later step.` };
	};
}

/** Registers `creativeExecutor(store)` for kind `creative` in `registry`; returns the unregister function. */
export function registerCreativeExecutor(registry: ExecutorRegistry, store: Store): () => void {
	return registry.register(CREATIVE_PROPOSAL_KIND, creativeExecutor(store));
}
