/**
 * Runs one logical platform call with the whole resilience stack:
 *
 *   rate limiter (shared budget) → usage gate (Meta headers) → circuit breaker
 *   → attempt, and around it a cockatiel retry with exponential backoff and
 *   decorrelated jitter that honours `retryAfterMs` (Retry-After) and only
 *   retries errors marked retryable (429, 5xx, timeouts, network).
 *
 * Cockatiel decides *whether* and *how long* to wait; the wait itself goes
 * through the injected `Clock`, so tests observe delays without sleeping.
 */
import { DelegateBackoff, ExponentialBackoff, decorrelatedJitterGenerator, handleWhen, retry, type IBackoff } from 'cockatiel';
import { getPlatformBreaker, type BreakerOptions, type PlatformBreaker } from './breaker';
import { systemClock, type Clock } from './clock';
import { PlatformApiError, type PlatformId } from './errors';
import { markOutcomeUnknown, sideEffectOutcome } from './outcome';
import { unlimited, RateLimitWaitTooLongError, type RateLimiter } from './rate-limiter';
import type { SharedLimits } from './shared-limits';

export interface RetryOptions {
	/** Retries after the first attempt (default 4). */
	maxRetries?: number;
	/** First backoff (default 500 ms). */
	initialDelayMs?: number;
	/** Backoff cap (default 30 s). */
	maxDelayMs?: number;
	/** A Retry-After longer than this is not waited for: the error is thrown with its retryAfterMs (default 5 min). */
	maxRetryAfterMs?: number;
}

export interface CallStats {
	requests: number;
	retries: number;
	/** Time spent in backoff / Retry-After waits. */
	retryWaitMs: number;
	/** Time spent waiting on the usage gate (Meta usage headers). */
	throttleWaitMs: number;
	/** Time spent waiting on the rate limiter. */
	rateLimitWaitMs: number;
}

export function emptyStats(): CallStats {
	return { requests: 0, retries: 0, retryWaitMs: 0, throttleWaitMs: 0, rateLimitWaitMs: 0 };
}

/** A wait that must pass before the next request: set from usage headers. */
export class UsageGate {
	private notBefore = 0;
	constructor(private readonly clock: Clock = systemClock) {}
	/** Ask that no request start during the next `ms`. */
	delay(ms: number): void {
		if (ms > 0) this.notBefore = Math.max(this.notBefore, this.clock.now() + ms);
	}
	pendingMs(): number {
		return Math.max(0, this.notBefore - this.clock.now());
	}
}

export interface ExecutorOptions {
	clock?: Clock;
	retry?: RetryOptions;
	/** `false` disables the breaker; otherwise the per-platform breaker of `breakerScope`. */
	breaker?: BreakerOptions | false;
	breakerScope?: string;
	rateLimiter?: RateLimiter;
	/** Limiter key; default `<platform>`. Calls may override with their own key. */
	rateLimitKey?: string;
	/** Share one gate between executors of the same app/business (default: a gate of this executor). */
	gate?: UsageGate;
	/**
	 * The platforms' quotas per platform, account and endpoint (shared-limits.ts),
	 * taken before every request on top of `rateLimiter`. In-process ("memory")
	 * they count for this process; on PostgreSQL or Redis for every process
	 * sharing the store, and then the circuits are shared the same way.
	 */
	limits?: SharedLimits;
}

export interface CallContext {
	call: string;
	accountId?: string;
	rateLimitKey?: string;
	signal?: AbortSignal;
	/**
	 * A mutating call. `idempotent` (set a budget or a status to a value):
	 * retried like a read, but when any attempt's outcome was unknown the
	 * final error is marked unknown (resilience/outcome.ts). `once` (post a
	 * reply, create a page): retried only after an answer that proves the
	 * change was not made (429, refused connection); an unknown outcome is
	 * thrown at once, never repeated.
	 */
	sideEffect?: 'idempotent' | 'once';
}

export class CallExecutor {
	readonly clock: Clock;
	readonly gate: UsageGate;
	readonly stats: CallStats = emptyStats();
	private readonly breaker?: PlatformBreaker;
	private readonly limiter: RateLimiter;
	private readonly retryOptions: Required<RetryOptions>;

	constructor(
		readonly platform: PlatformId,
		private readonly options: ExecutorOptions = {},
	) {
		this.clock = options.clock ?? systemClock;
		this.gate = options.gate ?? new UsageGate(this.clock);
		this.limiter = options.rateLimiter ?? unlimited;
		this.retryOptions = {
			maxRetries: options.retry?.maxRetries ?? 4,
			initialDelayMs: options.retry?.initialDelayMs ?? 500,
			maxDelayMs: options.retry?.maxDelayMs ?? 30_000,
			maxRetryAfterMs: options.retry?.maxRetryAfterMs ?? 300_000,
		};
		if (options.breaker !== false) {
			const shared = options.limits && options.limits.backend !== 'memory' ? { shared: options.limits } : {};
			this.breaker = getPlatformBreaker(platform, options.breakerScope ?? '', { ...options.breaker, ...shared });
		}
	}

	/** Run `attempt` (one HTTP request) with limiter, usage gate, breaker and retries. */
	async run<T>(context: CallContext, attempt: () => Promise<T>): Promise<T> {
		const { maxRetries, initialDelayMs, maxDelayMs, maxRetryAfterMs } = this.retryOptions;
		const expo = new ExponentialBackoff({ initialDelay: initialDelayMs, maxDelay: maxDelayMs, generator: decorrelatedJitterGenerator });
		let expoState: IBackoff<unknown> | undefined;
		let pendingDelay = 0;
		const backoff = new DelegateBackoff<{ result: { error: Error } | { value: unknown } }>((ctx) => {
			expoState = expoState ? expoState.next(undefined) : expo.next();
			const error = 'error' in ctx.result ? ctx.result.error : undefined;
			const retryAfter = error instanceof PlatformApiError ? (error.retryAfterMs ?? 0) : 0;
			pendingDelay = Math.max(expoState.duration, retryAfter);
			return 0; // the wait happens in the attempt below, through the injected clock
		});
		let possiblyApplied = false;
		const policy = retry(
			handleWhen(
				(error) =>
					error instanceof PlatformApiError &&
					error.retryable &&
					(error.retryAfterMs ?? 0) <= maxRetryAfterMs &&
					(context.sideEffect !== 'once' || sideEffectOutcome(error) === 'failed'),
			),
			{ maxAttempts: maxRetries, backoff },
		);
		const attempts = policy.execute(async () => {
			if (pendingDelay > 0) {
				const wait = pendingDelay;
				pendingDelay = 0;
				this.stats.retries += 1;
				this.stats.retryWaitMs += wait;
				await this.clock.sleep(wait, context.signal);
			}
			await this.beforeRequest(context);
			const once = async () => {
				this.stats.requests += 1;
				try {
					return await attempt();
				} catch (error) {
					if (context.sideEffect && sideEffectOutcome(error) === 'unknown') possiblyApplied = true;
					throw error;
				}
			};
			return this.breaker ? this.breaker.execute(once, context) : once();
		});
		if (!context.sideEffect) return attempts;
		try {
			return await attempts;
		} catch (error) {
			throw possiblyApplied ? markOutcomeUnknown(error) : error;
		}
	}

	/** The quota key of a call: the call's own when it names the platform (`klaviyo:reports:…`), else `platform:account:call`. */
	limitsKey(context: CallContext): string {
		const own = context.rateLimitKey ?? this.options.rateLimitKey;
		return own?.startsWith(`${this.platform}:`) ? own : `${this.platform}:${context.accountId ?? ''}:${context.call}`;
	}

	private async beforeRequest(context: CallContext): Promise<void> {
		try {
			this.stats.rateLimitWaitMs += await this.limiter.acquire(context.rateLimitKey ?? this.options.rateLimitKey ?? this.platform, 1, context.signal);
			if (this.options.limits) this.stats.rateLimitWaitMs += await this.options.limits.acquire(this.limitsKey(context), 1, context.signal);
		} catch (error) {
			if (error instanceof RateLimitWaitTooLongError) {
				throw new PlatformApiError({
					platform: this.platform,
					accountId: context.accountId,
					call: context.call,
					kind: 'rate_limited',
					retryable: false,
					retryAfterMs: error.waitMs,
					hint: `the shared request budget for ${error.key} is used up: run later or lower the number of accounts per run`,
				});
			}
			throw error;
		}
		const gateWait = this.gate.pendingMs();
		if (gateWait > 0) {
			this.stats.throttleWaitMs += gateWait;
			await this.clock.sleep(gateWait, context.signal);
		}
	}
}
