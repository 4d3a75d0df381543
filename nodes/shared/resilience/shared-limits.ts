/**
 * Rate limits and circuit breakers that hold across every n8n process (queue
 * mode: a main, workers, webhook processors), per platform, account and
 * endpoint. The state lives where every process can reach it:
 *
 * - `memory` (default): this process only, right for one n8n process;
 * - `postgres`: two small tables in the store's schema (the AdOps Store's
 *   PostgreSQL or Supabase direct connection), updated with one atomic
 *   statement per call;
 * - `redis`: one Lua script per call on the Redis n8n's queue already uses.
 *
 * Windows are fixed and aligned on the epoch (a day window starts at
 * midnight UTC, as the platforms' daily quotas do), so processes that never
 * talk to each other count into the same window. A call that would pass a
 * window waits for the next one; a wait longer than `maxWaitMs` stops with
 * RateLimitWaitTooLongError before any request is sent, never with a refusal
 * from the platform.
 */
import { createConnection, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { systemClock, type Clock } from './clock';
import { circuitOpenError, type PlatformId } from './errors';
import { countsAsPlatformFailure } from './platform-failure';
import { RateLimitWaitTooLongError, type RateLimiter, type RateWindow } from './rate-limiter';

export type SharedLimitsBackend = 'memory' | 'postgres' | 'redis';

/** The part of `pg.Pool` (or a pg client) the postgres backend uses. */
export interface SqlQueryable {
	query(text: string, values?: unknown[]): Promise<{ rows: Array<Record<string, unknown>> }>;
}

/** A quota: windows that all hold at once for one key (platform:account:endpoint). */
export interface Quota {
	windows: readonly RateWindow[];
	/** Where the figure comes from, in words (shown in waits and docs). */
	source: string;
}

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/**
 * The platforms' published quotas, keyed by `platform` or `platform:endpoint`
 * (the most specific wins). Settable per credential (`quotas`).
 */
export const DEFAULT_QUOTAS: Readonly<Record<string, Quota>> = {
	// Meta: no fixed window. Its budget grows with the account's active ads
	// (standard tier: 300 calls + 40 per active ad an hour) and Meta itself
	// reports how much of it every caller together has used
	// (X-Business-Use-Case-Usage): meta-usage.ts slows down before 100 %, in
	// every process, from Meta's own count. An entry for meta (or meta:<call>) in
	// the credential's Quotas adds a fixed window.
	// Google Ads API Basic access: 15,000 operations a day per developer token.
	google_ads: { windows: [{ points: 15_000, durationMs: DAY }], source: 'Google Ads API Basic access: 15,000 operations a day' },
	// Klaviyo's values reports: 1/s burst, 2/min steady, 225/day per endpoint. The
	// steady window is not counted here: the Klaviyo adapter follows it from
	// Klaviyo's own RateLimit-Remaining / RateLimit-Reset answers, which count every
	// caller and hold when Klaviyo grants an account more than 2 a minute (a
	// client-side 2/min made a first 30-day backfill, 60 reports, wait 15 minutes
	// even where Klaviyo would have answered at once). A "klaviyo:reports" entry in
	// the credential's Quotas can add it.
	'klaviyo:reports': { windows: [{ points: 1, durationMs: SECOND }, { points: 225, durationMs: DAY }], source: "Klaviyo's reporting API: 1 a second and 225 a day (2 a minute followed from Klaviyo's answers)" },
	klaviyo: { windows: [{ points: 3, durationMs: SECOND }, { points: 60, durationMs: MINUTE }], source: "Klaviyo's small tier: 3 a second, 60 a minute" },
	// Notion: an average of three requests a second per integration.
	notion: { windows: [{ points: 3, durationMs: SECOND }], source: 'Notion API: about three requests a second' },
	// Slack chat.postMessage: about one message a second per channel.
	'slack:post': { windows: [{ points: 1, durationMs: SECOND }], source: 'Slack: about one message a second per channel' },
	// LinkedIn: daily application limits per endpoint (the developer portal shows them; 100,000 is the common analytics figure).
	linkedin: { windows: [{ points: 100_000, durationMs: DAY }], source: 'LinkedIn Marketing API: daily application limit per endpoint' },
	// TikTok answers code 40100 ("too many requests"); the Business API allows 10 queries a second per app by default.
	tiktok: { windows: [{ points: 10, durationMs: SECOND }], source: 'TikTok API for Business: 10 queries a second (code 40100 beyond)' },
};

/** The quota for a key `platform:…` : the first later part naming one (`klaviyo:reports:…`, `slack:T1:post:C1`), else the platform's. */
export function quotaFor(key: string, quotas: Readonly<Record<string, Quota>> = DEFAULT_QUOTAS): Quota | undefined {
	const [platform, ...rest] = key.split(':');
	for (const part of rest) if (quotas[`${platform}:${part}`]) return quotas[`${platform}:${part}`];
	return quotas[platform ?? ''];
}

/** Counting state shared by the processes. */
export interface LimitStore {
	readonly backend: SharedLimitsBackend;
	/** Adds `points` to the window starting at `start` unless that would pass `limit`; returns whether it did. */
	take(key: string, start: number, durationMs: number, points: number, limit: number): Promise<boolean>;
	/** Gives back `points` taken in a window (another window of the same call refused it). */
	giveBack(key: string, start: number, points: number): Promise<void>;
	/** Circuit state: consecutive failures and, when open, until when (ms since epoch). */
	circuit(key: string): Promise<{ failures: number; openUntil: number }>;
	/** One more consecutive failure; opens the circuit until `now + openMs` once `threshold` is reached. */
	failure(key: string, threshold: number, now: number, openMs: number): Promise<{ failures: number; openUntil: number }>;
	success(key: string): Promise<void>;
	close(): Promise<void>;
}

export class MemoryLimitStore implements LimitStore {
	readonly backend = 'memory' as const;
	private readonly counts = new Map<string, { start: number; points: number }>();
	private readonly circuits = new Map<string, { failures: number; openUntil: number }>();

	async take(key: string, start: number, _durationMs: number, points: number, limit: number): Promise<boolean> {
		const c = this.counts.get(key);
		const used = c && c.start === start ? c.points : 0;
		if (used + points > limit) return false;
		this.counts.set(key, { start, points: used + points });
		return true;
	}
	async giveBack(key: string, start: number, points: number): Promise<void> {
		const c = this.counts.get(key);
		if (c && c.start === start) c.points = Math.max(0, c.points - points);
	}
	async circuit(key: string) {
		return this.circuits.get(key) ?? { failures: 0, openUntil: 0 };
	}
	async failure(key: string, threshold: number, now: number, openMs: number) {
		const c = { ...(this.circuits.get(key) ?? { failures: 0, openUntil: 0 }) };
		c.failures += 1;
		if (c.failures >= threshold) c.openUntil = now + openMs;
		this.circuits.set(key, c);
		return c;
	}
	async success(key: string): Promise<void> {
		this.circuits.delete(key);
	}
	async close(): Promise<void> {}
}

function ident(name: string): string {
	if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new TypeError(`not a plain SQL identifier: ${name}`);
	return `"${name}"`;
}

/** State in two tables of the store's PostgreSQL schema (created on first use, RLS on, no grants). */
export class PostgresLimitStore implements LimitStore {
	readonly backend = 'postgres' as const;
	private ready: Promise<void> | undefined;
	private readonly windows: string;
	private readonly circuits: string;

	constructor(
		private readonly db: SqlQueryable,
		schema = 'public',
		private readonly onClose: () => Promise<void> = async () => undefined,
	) {
		this.windows = `${ident(schema)}.adops_shared_rate_windows`;
		this.circuits = `${ident(schema)}.adops_shared_circuits`;
	}

	private init(): Promise<void> {
		this.ready ??= (async () => {
			// two processes may create them at once: a duplicate is fine
			for (const sql of [
				`CREATE TABLE IF NOT EXISTS ${this.windows} (key text NOT NULL, window_start bigint NOT NULL, expires_at timestamptz NOT NULL, points integer NOT NULL, PRIMARY KEY (key, window_start))`,
				`CREATE TABLE IF NOT EXISTS ${this.circuits} (key text PRIMARY KEY, failures integer NOT NULL DEFAULT 0, open_until bigint NOT NULL DEFAULT 0, updated_at timestamptz NOT NULL DEFAULT now())`,
				`ALTER TABLE ${this.windows} ENABLE ROW LEVEL SECURITY`,
				`ALTER TABLE ${this.circuits} ENABLE ROW LEVEL SECURITY`,
			]) {
				await this.db.query(sql).catch((error: { code?: string }) => {
					if (error.code !== '23505' && error.code !== '42P07') throw error;
				});
			}
		})();
		return this.ready;
	}

	async take(key: string, start: number, durationMs: number, points: number, limit: number): Promise<boolean> {
		await this.init();
		if (Math.random() < 0.01) await this.db.query(`DELETE FROM ${this.windows} WHERE expires_at < now()`);
		const { rows } = await this.db.query(
			`INSERT INTO ${this.windows} AS w (key, window_start, expires_at, points) SELECT $1::text, $2::bigint, to_timestamp(($2::bigint + $3::bigint) / 1000.0), $4::int WHERE $4::int <= $5::int
			 ON CONFLICT (key, window_start) DO UPDATE SET points = w.points + EXCLUDED.points WHERE w.points + EXCLUDED.points <= $5::int
			 RETURNING points`,
			[key, start, durationMs, points, limit],
		);
		return rows.length > 0;
	}
	async giveBack(key: string, start: number, points: number): Promise<void> {
		await this.init();
		await this.db.query(`UPDATE ${this.windows} SET points = greatest(0, points - $3::int) WHERE key = $1::text AND window_start = $2::bigint`, [key, start, points]);
	}
	async circuit(key: string) {
		await this.init();
		const { rows } = await this.db.query(`SELECT failures, open_until FROM ${this.circuits} WHERE key = $1`, [key]);
		return { failures: Number(rows[0]?.failures ?? 0), openUntil: Number(rows[0]?.open_until ?? 0) };
	}
	async failure(key: string, threshold: number, now: number, openMs: number) {
		await this.init();
		const { rows } = await this.db.query(
			`INSERT INTO ${this.circuits} AS c (key, failures, open_until) VALUES ($1::text, 1, CASE WHEN 1 >= $2::int THEN $3::bigint + $4::bigint ELSE 0 END)
			 ON CONFLICT (key) DO UPDATE SET failures = c.failures + 1, updated_at = now(),
			   open_until = CASE WHEN c.failures + 1 >= $2::int THEN $3::bigint + $4::bigint ELSE c.open_until END
			 RETURNING failures, open_until`,
			[key, threshold, now, openMs],
		);
		return { failures: Number(rows[0]?.failures ?? 1), openUntil: Number(rows[0]?.open_until ?? 0) };
	}
	async success(key: string): Promise<void> {
		await this.init();
		await this.db.query(`UPDATE ${this.circuits} SET failures = 0, open_until = 0, updated_at = now() WHERE key = $1 AND (failures > 0 OR open_until > 0)`, [key]);
	}
	async close(): Promise<void> {
		await this.onClose();
	}
}

const TAKE_LUA = `local used = tonumber(redis.call('GET', KEYS[1]) or '0')
local points = tonumber(ARGV[1])
if used + points > tonumber(ARGV[2]) then return 0 end
redis.call('INCRBY', KEYS[1], points)
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return 1`;
const FAILURE_LUA = `local f = redis.call('HINCRBY', KEYS[1], 'failures', 1)
if f >= tonumber(ARGV[1]) then redis.call('HSET', KEYS[1], 'open_until', ARGV[2]) end
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return {f, tonumber(redis.call('HGET', KEYS[1], 'open_until') or '0')}`;

type Resp = string | number | null | Resp[];

/** A minimal Redis client (RESP2 over one socket, commands in order): enough for the limits' Lua scripts. */
export class RespClient {
	private socket: Socket | undefined;
	private buffer = Buffer.alloc(0);
	private readonly pending: Array<{ resolve: (v: Resp) => void; reject: (e: Error) => void }> = [];
	private connecting: Promise<void> | undefined;

	constructor(readonly url: string) {}

	private connect(): Promise<void> {
		this.connecting ??= new Promise<void>((resolve, reject) => {
			const u = new URL(this.url);
			const port = Number(u.port || 6379);
			const host = u.hostname || '127.0.0.1';
			const socket = u.protocol === 'rediss:' ? tlsConnect({ host, port, servername: host }) : createConnection(port, host);
			this.socket = socket;
			socket.once(u.protocol === 'rediss:' ? 'secureConnect' : 'connect', () => resolve());
			socket.once('error', (error) => {
				reject(error);
				for (const p of this.pending.splice(0)) p.reject(error);
				this.connecting = undefined;
			});
			socket.on('close', () => {
				this.connecting = undefined;
				for (const p of this.pending.splice(0)) p.reject(new Error('the Redis connection closed'));
			});
			socket.on('data', (chunk: Buffer) => {
				this.buffer = Buffer.concat([this.buffer, chunk]);
				for (;;) {
					const parsed = parseReply(this.buffer, 0);
					if (!parsed) break;
					this.buffer = this.buffer.subarray(parsed[1]);
					const p = this.pending.shift();
					if (!p) continue;
					if (parsed[0] instanceof Error) p.reject(parsed[0]);
					else p.resolve(parsed[0]);
				}
			});
		}).then(async () => {
			const u = new URL(this.url);
			if (u.password) await this.send(u.username ? ['AUTH', decodeURIComponent(u.username), decodeURIComponent(u.password)] : ['AUTH', decodeURIComponent(u.password)]);
			const db = u.pathname.replace(/^\//, '');
			if (db) await this.send(['SELECT', db]);
		});
		return this.connecting;
	}

	private send(args: readonly (string | number)[]): Promise<Resp> {
		return new Promise<Resp>((resolve, reject) => {
			this.pending.push({ resolve, reject });
			const parts = args.map((a) => String(a));
			this.socket!.write(`*${parts.length}\r\n${parts.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`);
		});
	}

	async command(args: readonly (string | number)[]): Promise<Resp> {
		await this.connect();
		return this.send(args);
	}

	async close(): Promise<void> {
		this.socket?.end();
		this.socket = undefined;
	}
}

function parseReply(buf: Buffer, at: number): [Resp | Error, number] | undefined {
	const end = buf.indexOf('\r\n', at);
	if (end < 0) return undefined;
	const type = String.fromCharCode(buf[at]!);
	const head = buf.toString('utf8', at + 1, end);
	if (type === '+') return [head, end + 2];
	if (type === '-') return [new Error(`Redis: ${head}`), end + 2];
	if (type === ':') return [Number(head), end + 2];
	if (type === '$') {
		const len = Number(head);
		if (len < 0) return [null, end + 2];
		if (buf.length < end + 2 + len + 2) return undefined;
		return [buf.toString('utf8', end + 2, end + 2 + len), end + 4 + len];
	}
	if (type === '*') {
		const n = Number(head);
		if (n < 0) return [null, end + 2];
		const items: Resp[] = [];
		let pos = end + 2;
		for (let i = 0; i < n; i++) {
			const r = parseReply(buf, pos);
			if (!r) return undefined;
			if (r[0] instanceof Error) return [r[0], r[1]];
			items.push(r[0]);
			pos = r[1];
		}
		return [items, pos];
	}
	throw new Error(`unexpected Redis reply type ${JSON.stringify(type)}`);
}

/** State in Redis: a counter per window (expiring with it) and a hash per circuit. */
export class RedisLimitStore implements LimitStore {
	readonly backend = 'redis' as const;
	constructor(
		private readonly client: RespClient,
		private readonly prefix = 'adops:limits',
	) {}
	async take(key: string, start: number, durationMs: number, points: number, limit: number): Promise<boolean> {
		const reply = await this.client.command(['EVAL', TAKE_LUA, 1, `${this.prefix}:w:${key}:${start}`, points, limit, Math.max(1, start + durationMs - Date.now() + 60_000)]);
		return Number(reply) === 1;
	}
	async giveBack(key: string, start: number, points: number): Promise<void> {
		await this.client.command(['DECRBY', `${this.prefix}:w:${key}:${start}`, points]);
	}
	async circuit(key: string) {
		const reply = (await this.client.command(['HMGET', `${this.prefix}:c:${key}`, 'failures', 'open_until'])) as Array<string | null>;
		return { failures: Number(reply[0] ?? 0), openUntil: Number(reply[1] ?? 0) };
	}
	async failure(key: string, threshold: number, now: number, openMs: number) {
		const reply = (await this.client.command(['EVAL', FAILURE_LUA, 1, `${this.prefix}:c:${key}`, threshold, now + openMs, openMs + DAY])) as [number, number];
		return { failures: Number(reply[0]), openUntil: Number(reply[1]) };
	}
	async success(key: string): Promise<void> {
		await this.client.command(['DEL', `${this.prefix}:c:${key}`]);
	}
	async close(): Promise<void> {
		await this.client.close();
	}
}

export interface SharedLimitsOptions {
	clock?: Clock;
	/** Quotas by `platform` or `platform:endpoint`, over the defaults. */
	quotas?: Readonly<Record<string, Quota>>;
	/** Give up before sending when the wait would pass this (default 10 min). */
	maxWaitMs?: number;
	/** Consecutive platform failures (5xx, timeouts, network) that open a circuit (default 5). */
	threshold?: number;
	/** How long an open circuit stays open before one trial call (default 60 s). */
	halfOpenAfterMs?: number;
}

/**
 * Rate limits and circuits over one LimitStore. Keys are
 * `platform:…` (e.g. `klaviyo:reports:campaign-values-reports:pk_abc`,
 * `slack:T123:post:C0ADOPS`: the last part picks the quota when it names one).
 */
export class SharedLimits implements RateLimiter {
	private readonly clock: Clock;
	readonly quotas: Readonly<Record<string, Quota>>;
	private readonly maxWaitMs: number;
	readonly threshold: number;
	readonly halfOpenAfterMs: number;

	constructor(
		readonly store: LimitStore,
		options: SharedLimitsOptions = {},
	) {
		this.clock = options.clock ?? systemClock;
		this.quotas = { ...DEFAULT_QUOTAS, ...(options.quotas ?? {}) };
		this.maxWaitMs = options.maxWaitMs ?? 600_000;
		this.threshold = options.threshold ?? 5;
		this.halfOpenAfterMs = options.halfOpenAfterMs ?? 60_000;
	}

	get backend(): SharedLimitsBackend {
		return this.store.backend;
	}

	private quota(key: string): Quota | undefined {
		return quotaFor(key, this.quotas);
	}

	/** Takes one call (or `points`) from every window of the key's quota, waiting for the next window when one is used up. */
	async acquire(key: string, points = 1, signal?: AbortSignal): Promise<number> {
		const quota = this.quota(key);
		if (!quota) return 0;
		let waited = 0;
		for (;;) {
			const now = this.clock.now();
			const taken: Array<{ wkey: string; start: number }> = [];
			let blocked: number | undefined;
			for (const w of quota.windows) {
				const start = Math.floor(now / w.durationMs) * w.durationMs;
				const wkey = `${key}|${w.durationMs}`;
				if (await this.store.take(wkey, start, w.durationMs, points, w.points)) {
					taken.push({ wkey, start });
				} else {
					blocked = start + w.durationMs - now;
					break;
				}
			}
			if (blocked === undefined) return waited;
			for (const t of taken) await this.store.giveBack(t.wkey, t.start, points);
			const wait = Math.max(1, blocked);
			if (waited + wait > this.maxWaitMs) throw new RateLimitWaitTooLongError(key, waited + wait);
			await this.clock.sleep(wait, signal);
			waited += wait;
		}
	}

	/**
	 * Runs one call under the circuit of `key` (`platform:account:endpoint`,
	 * or `platform` for the whole platform): an open circuit fails fast in
	 * every process; platform failures count for every process.
	 */
	async execute<T>(key: string, platform: PlatformId, fn: () => Promise<T>, context: { call: string; accountId?: string }): Promise<T> {
		const state = await this.store.circuit(key);
		const now = this.clock.now();
		if (state.openUntil > now) {
			const remaining = state.openUntil - now;
			throw circuitOpenError(platform, context, state.failures, remaining, ' across the n8n processes sharing these limits');
		}
		try {
			const result = await fn();
			if (state.failures > 0) await this.store.success(key);
			return result;
		} catch (error) {
			if (countsAsPlatformFailure(error)) await this.store.failure(key, this.threshold, this.clock.now(), this.halfOpenAfterMs);
			throw error;
		}
	}

	/** The circuit of a key as every process sees it. */
	async circuitState(key: string): Promise<'closed' | 'open'> {
		const s = await this.store.circuit(key);
		return s.openUntil > this.clock.now() ? 'open' : 'closed';
	}

	close(): Promise<void> {
		return this.store.close();
	}
}

export interface SharedLimitsConfig {
	backend: SharedLimitsBackend;
	/** postgres: the store's pool (or anything with `query`) and schema. */
	postgres?: { db: SqlQueryable; schema?: string; close?: () => Promise<void> };
	/** redis: `redis://[user:password@]host:port[/db]` or `rediss://…`. */
	redisUrl?: string;
	/** redis: key prefix (default `adops:limits`). */
	redisPrefix?: string;
}

/** Builds the limits a credential asks for ("Shared Limits": in-process, PostgreSQL, Redis). */
export function createSharedLimits(config: SharedLimitsConfig, options: SharedLimitsOptions = {}): SharedLimits {
	switch (config.backend) {
		case 'memory':
			return new SharedLimits(new MemoryLimitStore(), options);
		case 'postgres':
			if (!config.postgres) throw new TypeError('Shared Limits "PostgreSQL" needs the store on PostgreSQL (or Supabase with a direct connection string)');
			return new SharedLimits(new PostgresLimitStore(config.postgres.db, config.postgres.schema, config.postgres.close), options);
		case 'redis':
			if (!config.redisUrl || !/^rediss?:\/\//.test(config.redisUrl)) throw new TypeError('Shared Limits "Redis" needs a Redis URL such as redis://127.0.0.1:6379');
			return new SharedLimits(new RedisLimitStore(new RespClient(config.redisUrl), config.redisPrefix), options);
		default:
			throw new TypeError(`unknown Shared Limits backend ${String((config as { backend: unknown }).backend)}`);
	}
}
