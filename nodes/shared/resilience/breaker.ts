/**
 * One circuit breaker per platform (and base URL), shared by every adapter
 * instance in the process: after `threshold` consecutive transient failures
 * (5xx, timeouts, network errors) calls to that platform fail fast for
 * `halfOpenAfterMs`; then one trial call decides whether it closes again.
 */
import { countsAsPlatformFailure } from './platform-failure';
import { BrokenCircuitError, CircuitState, ConsecutiveBreaker, circuitBreaker, handleWhen, type CircuitBreakerPolicy } from 'cockatiel';
import { circuitOpenError, PlatformApiError, type PlatformId } from './errors';
import type { SharedLimits } from './shared-limits';

export interface BreakerOptions {
	/** Consecutive transient failures that open the circuit (default 5). */
	threshold?: number;
	/** How long the circuit stays open before a trial call (default 60 s). */
	halfOpenAfterMs?: number;
	/**
	 * Circuits held in shared state (PostgreSQL or Redis, shared-limits.ts):
	 * one per platform, account and call, the same for every n8n process.
	 * Its own threshold and open time apply.
	 */
	shared?: SharedLimits;
}

export interface PlatformBreaker {
	readonly platform: PlatformId;
	readonly key: string;
	readonly policy: CircuitBreakerPolicy;
	readonly halfOpenAfterMs: number;
	readonly threshold: number;
	/** When the circuit last opened (ms since epoch), or undefined. */
	openedAt?: number;
	state(): 'closed' | 'open' | 'half_open' | 'isolated';
	execute<T>(fn: () => Promise<T>, context: { call: string; accountId?: string }): Promise<T>;
}

export { countsAsPlatformFailure };

const registry = new Map<string, PlatformBreaker>();

export function getPlatformBreaker(platform: PlatformId, scope = '', options: BreakerOptions = {}): PlatformBreaker {
	if (options.shared) return sharedBreaker(platform, scope, options.shared);
	const key = `${platform}|${scope}`;
	const existing = registry.get(key);
	if (existing) return existing;
	const threshold = options.threshold ?? 5;
	const halfOpenAfterMs = options.halfOpenAfterMs ?? 60_000;
	const policy = circuitBreaker(handleWhen(countsAsPlatformFailure), {
		halfOpenAfter: halfOpenAfterMs,
		breaker: new ConsecutiveBreaker(threshold),
	});
	const breaker: PlatformBreaker = {
		platform,
		key,
		policy,
		halfOpenAfterMs,
		threshold,
		state() {
			switch (policy.state) {
				case CircuitState.Open:
					return 'open';
				case CircuitState.HalfOpen:
					return 'half_open';
				case CircuitState.Isolated:
					return 'isolated';
				default:
					return 'closed';
			}
		},
		async execute<T>(fn: () => Promise<T>, context: { call: string; accountId?: string }): Promise<T> {
			try {
				return await policy.execute(fn);
			} catch (error) {
				if (error instanceof BrokenCircuitError) {
					const remaining = breaker.openedAt === undefined ? halfOpenAfterMs : Math.max(0, breaker.openedAt + halfOpenAfterMs - Date.now());
					throw circuitOpenError(platform, context, threshold, remaining);
				}
				throw error;
			}
		},
	};
	policy.onBreak(() => {
		breaker.openedAt = Date.now();
	});
	registry.set(key, breaker);
	return breaker;
}

/** A breaker whose state is shared by every process using the same SharedLimits store. */
function sharedBreaker(platform: PlatformId, scope: string, shared: SharedLimits): PlatformBreaker {
	let last: 'closed' | 'open' = 'closed';
	const key = (context: { call: string; accountId?: string }) => `${platform}:${context.accountId ?? ''}:${context.call}`;
	return {
		platform,
		key: `${platform}|${scope}|${shared.backend}`,
		// the shared breaker keeps its state outside cockatiel; this policy is never tripped
		policy: circuitBreaker(handleWhen(() => false), { halfOpenAfter: shared.halfOpenAfterMs, breaker: new ConsecutiveBreaker(Number.MAX_SAFE_INTEGER) }),
		halfOpenAfterMs: shared.halfOpenAfterMs,
		threshold: shared.threshold,
		state: () => last,
		async execute<T>(fn: () => Promise<T>, context: { call: string; accountId?: string }): Promise<T> {
			try {
				const result = await shared.execute(key(context), platform, fn, context);
				last = 'closed';
				return result;
			} catch (error) {
				if (error instanceof PlatformApiError && error.kind === 'circuit_open') last = 'open';
				throw error;
			}
		},
	};
}

/** Forget all breakers (tests). */
export function resetPlatformBreakers(): void {
	registry.clear();
}
