/**
 * Rate limiting that can hold across processes.
 *
 * `RateLimiter` is the seam: the adapters call `acquire(key)` before each
 * request. The default is in-memory (one n8n process). For queue mode, back it
 * with rate-limiter-flexible's `RateLimiterPostgres` / `RateLimiterRedis`
 * (built by the store layer from its pool/client) through
 * `FlexibleRateLimiter`: every worker then draws from the same budget.
 */
import { RateLimiterRes } from 'rate-limiter-flexible';
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

/** No limit (tests, or when the platform's own 429 + Retry-After is enough). */
export const unlimited: RateLimiter = { acquire: async () => 0 };

/** At most `points` requests in any `durationMs`. */
export interface RateWindow {
	points: number;
	durationMs: number;
}

export interface WindowRateLimiterOptions extends FlexibleRateLimiterOptions {
	/** Added to every window, so requests spaced exactly by a server's fixed window still land in different windows (default 250 ms). */
	marginMs?: number;
}

/**
 * Several sliding windows at once (Klaviyo's reports: 1 a second, 2 a minute,
 * 225 a day), per key, on an injectable clock. A sliding window is stricter
 * than a server's fixed windows of the same size, so a client paced by it is
 * never refused whatever the alignment of the two clocks. In-process state:
 * back it with a shared limiter (`KeyedRateLimiter`'s fallback) for queue mode.
 */
export class WindowRateLimiter implements RateLimiter {
	private readonly clock: Clock;
	private readonly maxWaitMs: number;
	private readonly marginMs: number;
	private readonly hits = new Map<string, number[]>();
	private readonly holds = new Map<string, number>();

	constructor(
		readonly windows: readonly RateWindow[],
		options: WindowRateLimiterOptions = {},
	) {
		if (windows.length === 0 || windows.some((w) => !(w.points >= 1) || !(w.durationMs > 0))) throw new TypeError('each rate window needs points >= 1 and durationMs > 0');
		this.clock = options.clock ?? systemClock;
		this.maxWaitMs = options.maxWaitMs ?? 600_000;
		this.marginMs = options.marginMs ?? 250;
	}

	/**
	 * No request under `key` during the next `ms` (the server said its window
	 * is used up, e.g. Klaviyo's `RateLimit-Remaining: 0` with `RateLimit-Reset`).
	 */
	hold(key: string, ms: number): void {
		if (!(ms > 0)) return;
		const until = this.clock.now() + ms;
		this.holds.set(key, Math.max(this.holds.get(key) ?? 0, until));
	}

	/** How long a request under `key` would have to wait now (0: it may go). */
	waitMs(key: string, points = 1): number {
		const now = this.clock.now();
		const hits = this.hits.get(key) ?? [];
		let wait = Math.max(0, (this.holds.get(key) ?? 0) - now);
		for (const w of this.windows) {
			const span = w.durationMs + this.marginMs;
			const inWindow = hits.filter((t) => t > now - span);
			const excess = inWindow.length + points - w.points;
			// the request may go once the `excess` oldest hits of the window have left it
			if (excess > 0) wait = Math.max(wait, inWindow[excess - 1]! + span - now);
		}
		return Math.max(0, wait);
	}

	async acquire(key: string, points = 1, signal?: AbortSignal): Promise<number> {
		const longest = Math.max(...this.windows.map((w) => w.durationMs + this.marginMs));
		let waited = 0;
		for (;;) {
			const wait = this.waitMs(key, points);
			if (wait <= 0) {
				const now = this.clock.now();
				const hits = (this.hits.get(key) ?? []).filter((t) => t > now - longest);
				for (let i = 0; i < points; i++) hits.push(now);
				this.hits.set(key, hits);
				return waited;
			}
			if (waited + wait > this.maxWaitMs) throw new RateLimitWaitTooLongError(key, waited + wait);
			await this.clock.sleep(wait, signal);
			waited += wait;
		}
	}
}

/**
 * Routes keys to their own limiter (`match` is a key prefix), then always
 * through `fallback` (the shared budget, e.g. a Postgres-backed limiter).
 */
export class KeyedRateLimiter implements RateLimiter {
	constructor(
		private readonly routes: ReadonlyArray<{ prefix: string; limiter: RateLimiter }>,
		private readonly fallback: RateLimiter = unlimited,
	) {}

	async acquire(key: string, points = 1, signal?: AbortSignal): Promise<number> {
		let waited = 0;
		for (const r of this.routes) if (key.startsWith(r.prefix)) waited += await r.limiter.acquire(key, points, signal);
		return waited + (await this.fallback.acquire(key, points, signal));
	}
}
