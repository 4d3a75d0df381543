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
 *   outcome (executed, refused, failed, unknown, dry run), in one transaction
 *   with the ledger completion where the store allows it.
 * - Before it acts, the campaign's open ledger entries are reconciled (read
 *   back from the platform). A change whose answer is lost or late is
 *   *unknown*: the executor throws an error marked unknown
 *   (`sideEffectOutcome(error) === 'unknown'`) whose text never advises a
 *   retry; executing the proposal again is safe (the ledger returns the same
 *   unknown until a reconciliation settles it, then its recorded result). A
 *   campaign with another open change is not changed (the error says which).
 */
import type { ExecutionContext, Executor, ExecutorRegistry } from '../approvals/executors';
import { markOutcomeUnknown } from '../resilience/outcome';
import type { Json, RowInput } from '../schema/rows';
import type { Store } from '../store/types';
import { applyPlannedChange, controlFor, holderId, inProgressText, reconcileOptimizationActions, type ApplyResult, type OptimizerAdapters, type PlannedChange } from './apply';
import { toJson } from './evaluate';
import { changesSince, outsideChangeRecords } from './run';
import { describeChange } from './gates/changes';
import { actionRecordFromRow, optimizationPayloadSchema, type OptimizationPayload } from './rows';
import { killSwitchHold } from './kill-switch';

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
	/** Who executes (the node passes n8n's execution id): ledger claims are held by it. */
	runId?: string;
	/** A claim older than this is treated as abandoned and reconciled (default 10 min). */
	claimLeaseMs?: number;
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
	const execute: Executor = async (payload, ctx) => {
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
			...(p.adId ? { adId: p.adId, adGroupId: p.adGroupId ?? null } : {}),
			// budget proposals arrive as set_budget with the exact budgetAfter; the rule's own action is in `requested`
			action: p.action,
			statusBefore: p.statusBefore,
			budgetBefore: p.budgetBefore,
			budgetAfter: p.budgetAfter,
			currency: p.currency,
			ruleId: p.ruleId,
			evaluatedAt: p.evaluatedAt,
		};
		const campaign = p.adId ? `${p.platform} ad ${p.adId}${p.campaignName ? ` "${p.campaignName}"` : ''} of campaign ${p.campaignId} (account ${p.accountId})` : `${p.platform} campaign ${p.campaignId}${p.campaignName ? ` "${p.campaignName}"` : ''} (account ${p.accountId})`;
		const by = holderId(deps.runId ?? `approval ${ctx.proposal.id}`);
		if (!p.dryRun) {
			// settle what earlier attempts left open on this account before acting; another open change of the campaign blocks this one
			const reconciled = await reconcileOptimizationActions(deps.store, deps.adapters, { now, accounts: [{ platform: p.platform, accountId: p.accountId }], leaseMs: deps.claimLeaseMs, claimedBy: by });
			const other = reconciled.open.find((e) => e.target.campaignId === p.campaignId && e.target.adId === (p.adId ?? null) && e.key !== p.idempotencyKey);
			if (other) {
				const why = other.status === 'in_progress' ? inProgressText(other.by, other.since) : other.reason;
				throw new Error(`not applied to ${campaign}: another change of this campaign (ledger ${other.key}) is open — ${why}`);
			}
			// a change made outside the package since the proposal (a person paused and re-enabled it, set the budget and back):
			// the proposal's cooldown and 24 h numbers no longer hold, so it is not applied (issue 13)
			// (the platforms' change histories are read per campaign: an ad's change is checked by its own cooldown at evaluation)
			if (control.listCampaignChanges && !p.adId) {
				const since = p.evaluatedAt;
				// read no further back than the platform keeps (Google Ads refuses a start over 30 days back)
				const changes = (await control.listCampaignChanges(p.accountId, changesSince(p.platform, since, now().toISOString()))).filter((c) => c.campaignId === p.campaignId && Date.parse(c.at) > Date.parse(since));
				if (changes.length > 0) {
					const own = (await deps.store.select('optimization_actions', { where: { platform: p.platform, campaign_id: p.campaignId, action_taken: true, executed_at: { gte: since } } }))
						.map((row) => actionRecordFromRow(row))
						.filter((r): r is NonNullable<typeof r> => r !== null);
					const outside = outsideChangeRecords(changes, own);
					if (outside.length > 0) {
						const last = outside[outside.length - 1]!;
						const what = describeChange(
							{ atMs: Date.parse(String(last.at)), action: last.action, budgetBefore: last.budgetBefore ?? null, budgetAfter: last.budgetAfter ?? null, ruleId: null, idempotencyKey: null, source: 'outside', by: last.by ?? null, via: last.via ?? null },
							p.currency,
							'UTC',
							now().getTime(),
						);
						throw new Error(`not applied to ${campaign}: it was changed outside the package since the proposal (${what}); the proposal's cooldown and 24 h numbers no longer hold — the next run decides again`);
					}
				}
			}
		}
		const patchOf = (result: ApplyResult): Partial<RowInput<'optimization_actions'>> | null => {
			switch (result.outcome) {
				case 'executed':
				case 'already_executed':
					return {
						outcome: 'executed',
						action_taken: true,
						executed_at: result.at,
						platform_response: result.response,
						error: null,
						action_details: details(p, ctx, { executedAt: result.at, attempts: result.attempts, runId: by, ...(result.outcome === 'already_executed' ? { alreadyExecuted: true } : {}) }),
					};
				case 'refused':
					return { outcome: 'refused', error: result.reason, action_details: details(p, ctx, { current: result.current, attempts: result.attempts, runId: by }) };
				case 'failed':
					return { outcome: 'failed', error: result.error.message, platform_response: toJson({ error: result.error }), action_details: details(p, ctx, { attempts: result.attempts, runId: by }) };
				case 'unknown':
					// counts as applied from the attempt, at its target, until reconciled
					return { outcome: 'unknown', action_taken: true, executed_at: result.at, error: result.error.message, platform_response: toJson({ error: result.error }), action_details: details(p, ctx, { attemptedAt: result.at, attempts: result.attempts, runId: by }) };
				default:
					return null;
			}
		};
		const result = await applyPlannedChange(
			{ ...planned, ruleName: p.ruleName, details: details(p, ctx, {}), requestedType: p.requested.type },
			{
				store: deps.store,
				control,
				now,
				dryRun: p.dryRun,
				validateOnly: deps.validateOnDryRun,
				maxAttempts: deps.maxAttempts ?? Number.POSITIVE_INFINITY,
				source: 'approval',
				proposalId: ctx.proposal.id,
				claimedBy: by,
				record: async (tx, r) => {
					const patch = patchOf(r);
					if (patch) await record(tx, p, ctx, patch);
				},
			},
		);
		switch (result.outcome) {
			case 'executed':
			case 'already_executed':
				return toJson({ outcome: result.outcome, campaign, executedAt: result.at, change: { action: p.action, statusAfter: p.statusAfter, budgetBefore: p.budgetBefore, budgetAfter: p.budgetAfter, currency: p.currency }, platformResponse: result.response });
			case 'dry_run':
				await record(deps.store, p, ctx, { outcome: 'dry_run', platform_response: result.validation, action_details: details(p, ctx, { approvedDryRun: true, current: result.current }) });
				return toJson({ outcome: 'dry_run', campaign, note: 'dry run: nothing was changed on the platform', wouldApply: { action: p.action, statusAfter: p.statusAfter, budgetBefore: p.budgetBefore, budgetAfter: p.budgetAfter, currency: p.currency }, current: result.current, validation: result.validation });
			case 'refused':
				throw new Error(`not applied to ${campaign}: ${result.reason}`);
			case 'failed':
				throw new Error(`${campaign}: ${result.error.message}`);
			case 'unknown':
				throw markOutcomeUnknown(new Error(`${campaign}: ${result.error.message}`));
			case 'in_progress':
				throw new Error(`${campaign}: the change is ${inProgressText(result.by, result.since)}`);
		}
	};
	// the stored kill switch holds every approved change (it stays approved, nothing is read or sent) until it is off
	return Object.assign(execute, { hold: () => killSwitchHold(deps.store) });
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
