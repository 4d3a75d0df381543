/**
 * Rate limiting that can hold across processes.
 *
 * `RateLimiter` is the seam: the adapters call `acquire(key)` before each
 * request. The default is in-memory (one n8n process). For queue mode, back it
 * with rate-limiter-flexible's `RateLimiterPostgres` / `RateLimiterRedis`
 * (built by the store layer from its pool/client) through
 * `FlexibleRateLimiter`: every worker then draws from the same budget.
 */
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import { systemClock, type Clock } from './clock';

export interface RateLimiter {
	/** Wait until one request (or `points`) may be made under `key`; resolves with the ms waited. */
	acquire(key: string, points?: number, signal?: AbortSignal): Promise<number>;
}

/** The part of rate-limiter-flexible's limiters (Memory, Postgres, Redis, …) we use. */
export interface FlexibleLimiterLike {
	consume(key: string | number, pointsToConsume?: number): Promise<RateLimiterRes>;
}

export class RateLimitWaitTooLongError extends Error {
	override readonly name = 'RateLimitWaitTooLongError';
	constructor(
		readonly key: string,
		readonly waitMs: number,
	) {
		super(`rate limit for ${key} needs a wait of ${waitMs} ms, more than allowed`);
	}
}

export interface FlexibleRateLimiterOptions {
	clock?: Clock;
	/** Give up (throw RateLimitWaitTooLongError) when the total wait would pass this (default 10 min). */
	maxWaitMs?: number;
}

export class FlexibleRateLimiter implements RateLimiter {
	private readonly clock: Clock;
	private readonly maxWaitMs: number;

	constructor(
		private readonly limiter: FlexibleLimiterLike,
		options: FlexibleRateLimiterOptions = {},
	) {
		this.clock = options.clock ?? systemClock;
		this.maxWaitMs = options.maxWaitMs ?? 600_000;
	}

	async acquire(key: string, points = 1, signal?: AbortSignal): Promise<number> {
		let waited = 0;
		for (;;) {
			try {
				await this.limiter.consume(key, points);
				return waited;
			} catch (rejection) {
				if (!(rejection instanceof RateLimiterRes)) throw rejection;
				const wait = Math.max(1, rejection.msBeforeNext);
				if (waited + wait > this.maxWaitMs) throw new RateLimitWaitTooLongError(key, waited + wait);
				await this.clock.sleep(wait, signal);
				waited += wait;
			}
		}
	}
}

/** In-memory limiter: `points` requests per `durationSec` per key, in this process only. */
export function memoryRateLimiter(points: number, durationSec: number, options: FlexibleRateLimiterOptions = {}): RateLimiter {
	return new FlexibleRateLimiter(new RateLimiterMemory({ points, duration: durationSec }), options);
}

/** No limit (tests, or when the platform's own 429 + Retry-After is enough). */
export const unlimited: RateLimiter = { acquire: async () => 0 };
