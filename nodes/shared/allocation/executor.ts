/**
 * The `budget_plan` executor of the approval loop: a whole budget plan
 * approved as one proposal (Plan Budget with *Proposals: One for the Whole
 * Plan*). Its payload holds the optimizer's own payload of every change
 * (`optimizationPayloadSchema`, each gated when the plan was made), and each
 * is applied by the `optimization` executor (rules/executor.ts): the exact
 * approved budget, under the change's own ledger key, refused when the
 * campaign changed since the proposal. No second way to change a budget.
 *
 * Outcomes, per change and for the plan:
 * - every change executed (or already executed under its key): the plan
 *   returns the list;
 * - a change refused or failed (known not applied): the others still run;
 *   the plan throws an ordinary error naming each, so the proposal is
 *   `failed` with the list. Executing it again (Retry Failed) sends only what
 *   is not done: the executed ones return their recorded result from the
 *   ledger;
 * - a change whose answer was lost or late (unknown): the others still run
 *   (each campaign is its own change; a later change of the same account
 *   reads the lost one back first, and what the ledger then knows counts);
 *   still unknown at the end, the plan throws an error marked unknown, so the
 *   proposal stays `executing`: it counts as possibly applied and nothing is
 *   sent on a guess. Executing it again reads the campaign back first (the
 *   optimization executor reconciles its open entries).
 */
import { z } from 'zod';
import { ExecutionOutcomeUnknown, executionOutcome, type Executor, type ExecutorRegistry } from '../approvals/executors';
import type { Json } from '../schema/rows';
import { optimizationExecutor, type OptimizationExecutorDeps } from '../rules/executor';

export const BUDGET_PLAN_KIND = 'budget_plan';

export const budgetPlanPayloadSchema = z
	.object({
		version: z.literal(1),
		planId: z.string().min(1),
		week: z.string(),
		scope: z.string(),
		/** The optimizer's payload of each change, as its own proposal would carry it. */
		changes: z.array(z.record(z.unknown())).min(1),
	})
	.strict();

export type BudgetPlanPayload = z.infer<typeof budgetPlanPayloadSchema>;

function label(change: Record<string, unknown>): string {
	const name = change.campaignName ?? change.campaignId;
	return `${String(name)} (${String(change.platform)} ${String(change.campaignId)}): ${String(change.budgetBefore)} -> ${String(change.budgetAfter)} ${String(change.currency)}`;
}

/** The executor of `budget_plan` proposals; see the module doc. */
export function budgetPlanExecutor(deps: OptimizationExecutorDeps): Executor {
	const one = optimizationExecutor(deps);
	const execute: Executor = async (payload, ctx) => {
		const parsed = budgetPlanPayloadSchema.safeParse(payload);
		if (!parsed.success) throw new Error(`proposal ${ctx.proposal.id} does not carry a budget plan: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'payload'}: ${i.message}`).join('; ')}`);
		const p = parsed.data;
		const results: Array<{ change: string; outcome: 'executed' | 'failed' | 'unknown'; result?: Json; error?: string; note?: string }> = [];
		for (const change of p.changes) {
			try {
				const result = await one(change as Json, ctx);
				results.push({ change: label(change), outcome: 'executed', ...(result !== undefined ? { result } : {}) });
			} catch (error) {
				results.push({ change: label(change), outcome: executionOutcome(error), error: (error as Error).message });
			}
		}
		// a later change of the same account reads the earlier lost ones back first (the optimization executor reconciles
		// the account's open entries before it acts): what the ledger knows now is what happened
		for (const [i, r] of results.entries()) {
			if (r.outcome !== 'unknown') continue;
			const key = String(p.changes[i]!.idempotencyKey ?? '');
			const [entry] = key ? await deps.store.select('action_ledger', { where: { idempotency_key: key } }) : [];
			if (entry?.status === 'succeeded') Object.assign(r, { outcome: 'executed', note: `its answer was lost; read back from the platform: applied (${r.error})` });
			else if (entry?.status === 'failed') r.outcome = 'failed';
		}
		const done = results.filter((r) => r.outcome === 'executed').length;
		const unknown = results.filter((r) => r.outcome === 'unknown');
		const failed = results.filter((r) => r.outcome === 'failed');
		const n = results.length;
		if (unknown.length > 0) {
			throw new ExecutionOutcomeUnknown(
				`Budget plan ${p.planId}: ${unknown.length} of ${n} budget changes may have been applied (their answers were lost or late) and count as applied until they are read back: ${unknown.map((r) => `${r.change}: ${r.error}`).join('; ')}. ${done} executed${failed.length > 0 ? `, ${failed.length} refused: ${failed.map((r) => `${r.change}: ${r.error}`).join('; ')}` : ''}.`,
			);
		}
		if (failed.length > 0) {
			throw new Error(`Budget plan ${p.planId}: ${failed.length} of ${n} budget changes were not made: ${failed.map((r) => `${r.change}: ${r.error}`).join('; ')}. ${done} executed (recorded under their own keys: executing the plan again does not repeat them).`);
		}
		return { planId: p.planId, week: p.week, executed: results } as unknown as Json;
	};
	// held exactly when each of its changes would be (the optimization executor's hold: the stored kill switch)
	return Object.assign(execute, { hold: one.hold });
}

/** Registers the `budget_plan` executor (AdOps Approval's Execute Approved does, next to `optimization`). */
export function registerBudgetPlanExecutor(registry: ExecutorRegistry, deps: OptimizationExecutorDeps): () => void {
	return registry.register(BUDGET_PLAN_KIND, budgetPlanExecutor(deps));
}
