/**
 * The `optimization` executor of the approval loop: applies an approved
 * proposal's exact payload (`optimizationPayloadSchema`), with the same
 * ledger key, freshness check and record as a run (apply.ts).
 *
 * - The payload is applied as approved: the planned status change, or the
 *   exact `budgetAfter`, never a value recomputed at approval time.
 * - Stale state is refused, not overwritten: when the campaign's status or
 *   daily budget is no longer the one the proposal was made on, the executor
 *   throws, so the queue marks the proposal failed with that reason (the card
 *   shows it) and nothing changes on the platform.
 * - The ledger key is the decision's (`opt:…`): a change a run already made
 *   under the same key is not made again (the executor returns its recorded
 *   result), and a run cannot repeat a change an approval made.
 * - A dry-run proposal (`dryRun: true`) re-reads and checks the campaign and
 *   records what would happen; nothing is sent.
 * - The `optimization_actions` row of the proposal is updated with the
 *   outcome (executed, refused, failed, dry run).
 */
import type { ExecutionContext, Executor, ExecutorRegistry } from '../approvals/executors';
import type { Json, RowInput } from '../schema/rows';
import type { Store } from '../store/types';
import { applyPlannedChange, controlFor, type OptimizerAdapters, type PlannedChange } from './apply';
import { toJson } from './evaluate';
import { optimizationPayloadSchema, type OptimizationPayload } from './rows';

export const OPTIMIZATION_KIND = 'optimization';

export interface OptimizationExecutorDeps {
	store: Store;
	/** Adapters per platform, from `createPlatformAdapter` (Meta, LinkedIn, Google Ads). */
	adapters: OptimizerAdapters;
	now?: () => Date;
	/** In a dry-run proposal, ask Meta and Google Ads to validate the change (default false). */
	validateOnDryRun?: boolean;
	/** Ledger attempts after which the change is not tried again (default: no limit; retries of an approval are explicit). */
	maxAttempts?: number;
}

function details(p: OptimizationPayload, ctx: ExecutionContext, extra: Record<string, unknown>): Json {
	return toJson({
		ruleId: p.ruleId,
		ruleName: p.ruleName,
		idempotencyKey: p.idempotencyKey,
		evaluatedAt: p.evaluatedAt,
		window: p.window,
		requested: p.requested,
		statusBefore: p.statusBefore,
		statusAfter: p.statusAfter,
		budgetBefore: p.budgetBefore,
		budgetAfter: p.budgetAfter,
		changePct: p.changePct,
		currency: p.currency,
		source: 'approval',
		proposalId: ctx.proposal.id,
		approvedBy: ctx.proposal.decidedBy,
		...extra,
	});
}

/** Updates the proposal's row, or writes one from the payload when the run never stored it. */
async function record(store: Store, p: OptimizationPayload, ctx: ExecutionContext, patch: Partial<RowInput<'optimization_actions'>>): Promise<void> {
	const key = p.dryRun ? `${p.idempotencyKey}:dry-run` : p.idempotencyKey;
	const { updated } = await store.update('optimization_actions', { idempotency_key: key }, patch);
	if (updated > 0) return;
	await store.upsert('optimization_actions', [
		{
			idempotency_key: key,
			platform: p.platform,
			account_id: p.accountId,
			campaign_id: p.campaignId,
			rule_id: null,
			rule_key: p.ruleId,
			action_type: p.requested.type,
			decision: 'propose',
			performance_snapshot: ctx.proposal.evidence,
			service_time_met: true,
			evaluated_at: p.evaluatedAt,
			proposal_id: ctx.proposal.id,
			dry_run: p.dryRun,
			...patch,
		},
	]);
}

/**
 * The executor of `optimization` proposals; see the module doc. Returns the
 * result JSON the queue writes on the card; throws (so the proposal fails
 * with the message) when the payload is not an optimization change, the
 * campaign changed since the proposal, or the platform refused.
 */
export function optimizationExecutor(deps: OptimizationExecutorDeps): Executor {
	const now = deps.now ?? (() => new Date());
	return async (payload, ctx) => {
		const parsed = optimizationPayloadSchema.safeParse(payload);
		if (!parsed.success) {
			throw new Error(`proposal ${ctx.proposal.id} does not carry an optimization change: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'payload'}: ${i.message}`).join('; ')}`);
		}
		const p = parsed.data;
		const control = controlFor(deps.adapters, p.platform);
		const planned: PlannedChange = {
			idempotencyKey: p.idempotencyKey,
			platform: p.platform,
			accountId: p.accountId,
			campaignId: p.campaignId,
			// budget proposals arrive as set_budget with the exact budgetAfter; the rule's own action is in `requested`
			action: p.action,
			statusBefore: p.statusBefore,
			budgetBefore: p.budgetBefore,
			budgetAfter: p.budgetAfter,
			currency: p.currency,
			ruleId: p.ruleId,
			evaluatedAt: p.evaluatedAt,
		};
		const campaign = `${p.platform} campaign ${p.campaignId}${p.campaignName ? ` "${p.campaignName}"` : ''} (account ${p.accountId})`;
		const result = await applyPlannedChange(planned, {
			store: deps.store,
			control,
			now,
			dryRun: p.dryRun,
			validateOnly: deps.validateOnDryRun,
			maxAttempts: deps.maxAttempts ?? Number.POSITIVE_INFINITY,
			source: 'approval',
			proposalId: ctx.proposal.id,
		});
		switch (result.outcome) {
			case 'executed':
			case 'already_executed':
				await record(deps.store, p, ctx, {
					outcome: 'executed',
					action_taken: true,
					executed_at: result.at,
					platform_response: result.response,
					error: null,
					action_details: details(p, ctx, { executedAt: result.at, attempts: result.attempts, ...(result.outcome === 'already_executed' ? { alreadyExecuted: true } : {}) }),
				});
				return toJson({ outcome: result.outcome, campaign, executedAt: result.at, change: { action: p.action, statusAfter: p.statusAfter, budgetBefore: p.budgetBefore, budgetAfter: p.budgetAfter, currency: p.currency }, platformResponse: result.response });
			case 'dry_run':
				await record(deps.store, p, ctx, { outcome: 'dry_run', platform_response: result.validation, action_details: details(p, ctx, { approvedDryRun: true, current: result.current }) });
				return toJson({ outcome: 'dry_run', campaign, note: 'dry run: nothing was changed on the platform', wouldApply: { action: p.action, statusAfter: p.statusAfter, budgetBefore: p.budgetBefore, budgetAfter: p.budgetAfter, currency: p.currency }, current: result.current, validation: result.validation });
			case 'refused':
				await record(deps.store, p, ctx, { outcome: 'refused', error: result.reason, action_details: details(p, ctx, { current: result.current, attempts: result.attempts }) });
				throw new Error(`not applied to ${campaign}: ${result.reason}`);
			case 'failed':
				await record(deps.store, p, ctx, { outcome: 'failed', error: result.error.message, platform_response: toJson({ error: result.error }), action_details: details(p, ctx, { attempts: result.attempts }) });
				throw new Error(`${campaign}: ${result.error.message}`);
			case 'in_progress':
				throw new Error(`${campaign}: the change is claimed in the action ledger since ${result.since} and never completed (another run, or one that stopped midway); check the campaign on the platform before resolving it`);
		}
	};
}

/**
 * Registers the `optimization` executor in `registry` (as the creative and
 * moderation executors register theirs); returns the unregister function.
 * A registry holds one executor per kind: register into the per-execution
 * registry the Approval node builds per execution (one executor per kind).
 */
export function registerOptimizationExecutor(registry: ExecutorRegistry, deps: OptimizationExecutorDeps): () => void {
	return registry.register(OPTIMIZATION_KIND, optimizationExecutor(deps));
}
