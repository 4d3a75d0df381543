/**
 * One circuit breaker per platform (and base URL), shared by every adapter
 * instance in the process: after `threshold` consecutive transient failures
 * (5xx, timeouts, network errors) calls to that platform fail fast for
 * `halfOpenAfterMs`; then one trial call decides whether it closes again.
 */
import { BrokenCircuitError, CircuitState, ConsecutiveBreaker, circuitBreaker, handleWhen, type CircuitBreakerPolicy } from 'cockatiel';
import { PLATFORM_LABEL, PlatformApiError, type PlatformId } from './errors';

export interface BreakerOptions {
	/** Consecutive transient failures that open the circuit (default 5). */
	threshold?: number;
	/** How long the circuit stays open before a trial call (default 60 s). */
	halfOpenAfterMs?: number;
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

/** Errors that say "the platform is unwell", as opposed to "this request/account is wrong". */
export function countsAsPlatformFailure(error: unknown): boolean {
	return error instanceof PlatformApiError && (error.kind === 'server' || error.kind === 'timeout' || error.kind === 'network');
}

const registry = new Map<string, PlatformBreaker>();

export function getPlatformBreaker(platform: PlatformId, scope = '', options: BreakerOptions = {}): PlatformBreaker {
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
					throw new PlatformApiError({
						platform,
						accountId: context.accountId,
						call: context.call,
						kind: 'circuit_open',
						retryable: false,
						retryAfterMs: remaining,
						hint: `${PLATFORM_LABEL[platform]} failed ${threshold} times in a row (5xx, timeouts or network errors), so calls are paused for ${Math.ceil(remaining / 1000)} s: check the platform's status page or the API base URL, then run again`,
					});
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

/** Forget all breakers (tests). */
export function resetPlatformBreakers(): void {
	registry.clear();
}
