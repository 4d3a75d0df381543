/**
 * Executors by proposal kind. Creative publishing, optimization actions and
 * moderation actions register here; the approval loop only knows kinds.
 */
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

/** Performs the side effect and returns what to record as the result (JSON). */
export type Executor = (payload: Json, ctx: ExecutionContext) => Promise<Json | void>;

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

