/**
 * Executors by proposal kind. Creative publishing, optimization actions and
 * moderation actions register here; the approval loop only knows kinds.
 *
 * ## Three outcomes
 * An executor ends in one of three ways, and the approval loop records each
 * differently:
 * - it **returns** (the effect happened): the proposal becomes `executed`;
 * - it **throws an ordinary error** (known not applied: a refusal, a 4xx, a
 *   connection that was never made): the proposal becomes `failed`, and runs
 *   again only when someone asks (`retryFailed`);
 * - it **throws an error marked unknown** (the request may have reached the
 *   platform but its answer was lost or late): the proposal stays
 *   `executing` with its ledger entry `unknown`. It counts as possibly
 *   applied, is never run again blindly, and is reconciled (the executor's
 *   `reconcile`, else a person with Resolve Stuck) before anything acts.
 *
 * How an executor says "unknown" (any one of these):
 * - `throw new ExecutionOutcomeUnknown('what happened', { cause })`;
 * - `throw markOutcomeUnknown(error)` (resilience/outcome.ts): what a
 *   `CallExecutor.run({ sideEffect })` call already throws when an attempt
 *   may have applied;
 * - throw a `PlatformApiError` that `sideEffectOutcome` classifies `unknown`
 *   (5xx, timeout, malformed answer, reset connection).
 * A plain `Error` is taken as "not applied" (`failed`), as before.
 *
 * An executor may carry `reconcile` (see `Reconciler`): asked after an
 * unknown outcome, or when the run that claimed the proposal died, whether
 * the effect is observable on the platform.
 */
import { PlatformApiError } from '../resilience/errors';
import { markOutcomeUnknown, sideEffectOutcome } from '../resilience/outcome';
import type { Json } from '../schema/rows';
import type { Proposal } from './proposal';

export interface ExecutionContext {
	/** The approved proposal (payload already checked against its hash). */
	proposal: Readonly<Proposal>;
	/** The ledger key of this side effect: pass it to APIs that take one. */
	idempotencyKey: string;
	/** 1 on the first run, 2 after one explicit retry of a failure, … */
	attempt: number;
}

/**
 * What reading the platform showed: `applied` (the effect is there; `result`
 * is recorded as the execution's result), `not_applied` (it is observably
 * absent: the proposal may run again), or `unknown` (cannot tell; a person
 * resolves it). `how` says what was read, in words (kept in the ledger).
 */
export type ReconcileResult = { state: 'applied'; result?: Json; how: string } | { state: 'not_applied'; how: string } | { state: 'unknown'; how: string };

/** Reads the platform's state for one proposal's effect. Must not perform the effect. */
export type Reconciler = (payload: Json, ctx: ExecutionContext) => Promise<ReconcileResult>;

/**
 * Performs the side effect and returns what to record as the result (JSON). May carry `reconcile`, and `hold`: why
 * its proposals must wait now (the stored kill switch), or null. A held proposal keeps its status, nothing of it is
 * claimed, read or sent, and the next Execute Approved after the hold lifts runs it.
 */
export type Executor = ((payload: Json, ctx: ExecutionContext) => Promise<Json | void>) & { reconcile?: Reconciler; hold?: () => Promise<string | null> };

const UNKNOWN_MARK = Symbol.for('adops.outcomeUnknown');

/** Thrown by an executor whose effect may have happened (its answer was lost or late). */
export class ExecutionOutcomeUnknown extends Error {
	constructor(message: string, options?: { cause?: unknown }) {
		super(message, options);
		this.name = 'ExecutionOutcomeUnknown';
		markOutcomeUnknown(this);
	}
}

/**
 * How the approval loop reads an executor's error: `unknown` when the error
 * says so (marked, or a PlatformApiError whose answer was lost), else
 * `failed`.
 */
export function executionOutcome(error: unknown): 'failed' | 'unknown' {
	if (error && typeof error === 'object' && (error as Record<symbol, unknown>)[UNKNOWN_MARK] === true) return 'unknown';
	if (error instanceof PlatformApiError) return sideEffectOutcome(error);
	return 'failed';
}

export class ExecutorRegistry {
	readonly #executors = new Map<string, Executor>();

	/** Registers the executor of `kind`; a second registration of the same kind is an error. Returns an unregister function. */
	register(kind: string, fn: Executor): () => void {
		if (this.#executors.has(kind)) throw new Error(`An executor for proposal kind "${kind}" is already registered`);
		this.#executors.set(kind, fn);
		return () => {
			if (this.#executors.get(kind) === fn) this.#executors.delete(kind);
		};
	}

	get(kind: string): Executor | undefined {
		return this.#executors.get(kind);
	}

	has(kind: string): boolean {
		return this.#executors.has(kind);
	}

	kinds(): string[] {
		return [...this.#executors.keys()].sort();
	}
}
