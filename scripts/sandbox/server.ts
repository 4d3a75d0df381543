/**
 * `startSandbox()`: the local HTTP server that stands in for Meta Graph,
 * LinkedIn, Klaviyo, Notion, Slack, OpenAI, Google Ads (REST) and Google's OAuth token endpoint
 * over a deterministic world, with fault injection and a request log.
 * Loopback only.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { isIP, type Socket } from 'node:net';
import {
	json,
	redact,
	redactQuery,
	sleep,
	takeFault,
	validateFaultSpec,
	type Ctx,
	type EffectReceipt,
	type Fault,
	type FaultSpec,
	type Platform,
	type Reply,
	type RequestLogEntry,
	type Route,
	type SandboxState,
	type SlackResponse,
} from './core';
import { ResponderRegistry, globalResponders, type Responder } from './openai-model';
import { effects, listEffects, parseHold } from './platforms/effects';
import { databox, databoxPush } from './platforms/databox';
import { googleads } from './platforms/googleads';
import { googleoauth } from './platforms/googleoauth';
import { klaviyo } from './platforms/klaviyo';
import { linkedin } from './platforms/linkedin';
import { meta } from './platforms/meta';
import { withInstagram } from './platforms/instagram';
import { editPage, findPage, notion, pageJson } from './platforms/notion';
import { openai } from './platforms/openai';
import { slack, slackHooks } from './platforms/slack';
import { PlantError, plantAnomaly, type PlantSpec } from './plant';
import { tiktok } from './platforms/tiktok';
import { withConversions } from './platforms/conversions';
import { dateToMs, fnv1a, isIsoDate, utcToday } from './rng';
import { overDailyQuota, throttleReply, validateQuota } from './throttling';
import { versionRefusal } from './versions';
import { advanceWorld, createWorld, metaTime, type MetaComment, type SandboxCredentials, type World } from './world';

export interface SandboxOptions {
	/** World seed (default 1). */
	seed?: number;
	/** Loopback address to bind (default 127.0.0.1). */
	host?: string;
	/** Port; 0 (default) picks a free one. */
	port?: number;
	/** Pinned current date `YYYY-MM-DD` (default: real today, UTC). */
	today?: string;
	/**
	 * The sandbox clock's instant at start (ISO-8601, on `today`; default: `today` at the real time of day). The clock
	 * then runs in real time. A test whose own clock is fixed pins it here, so the times the platforms stamp (change
	 * histories, Notion edits) are near the test's clock whatever the hour the test runs at.
	 */
	now?: string;
	/** Rows per Google Ads `search` page and `searchStream` batch (default 10,000, as Google). */
	googleAdsPageSize?: number;
	/**
	 * Enforce the platforms' published request limits (Klaviyo's values-report
	 * windows: 1/s, 2/min, 225/day). Default false in-process, because tests
	 * written before the limits fire report requests back to back on the real
	 * clock; `npm run sandbox` turns it on. Version sunsets are always enforced.
	 */
	enforceLimits?: boolean;
}

export interface SandboxUrls {
	/** Graph API base (Facebook and Instagram): requests go to `${meta}/v27.0/act_…`. */
	meta: string;
	/** LinkedIn base: requests go to `${linkedin}/rest/…`. */
	linkedin: string;
	/** Klaviyo base: requests go to `${klaviyo}/api/…`. */
	klaviyo: string;
	/** TikTok API for Business base: requests go to `${tiktok}/open_api/v1.3/…`. */
	tiktok: string;
	/** `@notionhq/client` `baseUrl`. */
	notion: string;
	/** `@slack/web-api` `slackApiUrl`. */
	slack: string;
	/** `openai` `baseURL`. */
	openai: string;
	/** Google Ads API base URL (the credential's `apiBaseUrl`): requests go to `${googleAds}/v25/customers/…`. */
	googleAds: string;
	/** Google OAuth 2.0 token endpoint (the credential's `tokenUrl`). */
	googleOAuthToken: string;
	/** Base of interaction `response_url`s: `${slackActions}/{team}/{hook}/{token}` (see `signedInteraction`'s `responseUrlBase`). */
	slackActions: string;
	/** Effects receiver base: side effects are POSTed to `${effects}/{name}`. */
	effects: string;
	/** Databox API v1 base (the AdOps Databox API credential's Base URL, datasets mode): `${databox}/v1/…`. */
	databox: string;
	/** Databox legacy push API base (Base URL in legacy push mode): `${databoxPush}/data`. */
	databoxPush: string;
}

export interface Sandbox {
	url: string;
	host: string;
	port: number;
	urls: SandboxUrls;
	credentials: SandboxCredentials;
	/** The live world (replaced by `reset`). */
	readonly world: World;
	/** Plug in deterministic structured-output behaviour for one schema name (this sandbox only). */
	registerResponder(schemaName: string, fn: Responder): () => void;
	injectFault(spec: FaultSpec): Fault;
	clearFaults(): void;
	requests(filter?: { route?: string; platform?: string }): RequestLogEntry[];
	/** Messages apps POSTed to `response_url`s, oldest first; `url` (full URL or path) keeps one interaction's. */
	slackResponses(filter?: { url?: string }): SlackResponse[];
	/** Effects receiver receipts, oldest first, duplicates included; `name` keeps one receiver's. */
	effects(name?: string): EffectReceipt[];
	/** The next `count` (default 1) effects are recorded, then answered `ms` later; `count` 0 disarms. */
	holdEffects(ms: number, count?: number): void;
	/** Forgets every receipt (and their idempotency keys) and disarms a hold. */
	clearEffects(): void;
	reset(options?: { seed?: number; today?: string }): void;
	advance(days?: number): void;
	/**
	 * Moves the sandbox clock forward by `ms` without a new world day: rate
	 * windows (Klaviyo's per-second, per-minute and per-day limits) and daily
	 * quotas see the time pass, so a test can pace a client on a fake clock
	 * instead of waiting.
	 */
	advanceClock(ms: number): void;
	/** The sandbox clock (ms since epoch): real time plus the offset that pins `today`. */
	now(): number;
	/** A daily quota on a route (`linkedin.analytics`) or platform (`linkedin.*`), reset at midnight UTC; `perDay` undefined removes it. */
	setDailyQuota(route: string, perDay?: number): void;
	/** Turns the platforms' published request limits on or off (see SandboxOptions.enforceLimits). */
	enforceLimits(on: boolean): void;
	close(): Promise<void>;
}

/** Matched in order by prefix: `slackHooks` (`/slack/actions`) before `slack`. */
const PLATFORMS: Platform[] = withConversions([withInstagram(meta), linkedin, klaviyo, tiktok, notion, slackHooks, slack, openai, googleads, googleoauth, effects, databoxPush, databox]);

export function isLoopback(host: string): boolean {
	const h = host.replace(/^\[|\]$/g, '').toLowerCase();
	if (h === 'localhost') return true;
	if (isIP(h) === 4) return h.startsWith('127.');
	if (isIP(h) === 6) return h === '::1' || h === '0:0:0:0:0:0:0:1' || /^::ffff:127\./.test(h);
	return false;
}

/**
 * The clock's offset from the real one: `today` at the real time of day, or at ADOPS_SANDBOX_TIME (`HH:MM`, UTC) when
 * set, to run tests as if at another hour of the day (tests with fixed clocks have broken after 18:00 UTC).
 */
function clockOffset(today: string): number {
	const at = process.env.ADOPS_SANDBOX_TIME;
	if (at) {
		if (!/^([01]\d|2[0-3]):[0-5]\d$/.test(at)) throw new Error(`ADOPS_SANDBOX_TIME must be HH:MM (UTC), got "${at}"`);
		return Date.parse(`${today}T${at}:00Z`) - Date.now();
	}
	return dateToMs(today) - dateToMs(utcToday());
}

function newState(seed: number, today: string, responders: ResponderRegistry, prev?: SandboxState, googleAdsPageSize?: number): SandboxState {
	return {
		world: createWorld(seed, today),
		faults: [],
		nextFaultId: 1,
		log: [],
		nextSeq: prev?.nextSeq ?? 1,
		clockOffsetMs: clockOffset(today),
		metaUsage: { perCallPct: prev?.metaUsage.perCallPct ?? 0.5, windowMs: prev?.metaUsage.windowMs ?? 60_000, calls: [] },
		slackSeq: 0,
		idSeq: 0,
		responders,
		held: prev?.held ?? new Set<Socket>(),
		slackResponses: [],
		slackResponseSeq: prev?.slackResponseSeq ?? 0,
		effects: [],
		effectSeq: prev?.effectSeq ?? 0,
		effectHold: { ms: 0, remaining: 0 },
		enforceLimits: prev?.enforceLimits ?? false,
		...((googleAdsPageSize ?? prev?.googleAdsPageSize) !== undefined ? { googleAdsPageSize: googleAdsPageSize ?? prev?.googleAdsPageSize } : {}),
	};
}

function readBody(req: IncomingMessage): Promise<Buffer> {
	return new Promise((resolve, reject) => {
		const chunks: Buffer[] = [];
		let size = 0;
		req.on('data', (c: Buffer) => {
			size += c.length;
			if (size > 20 * 1024 * 1024) {
				reject(new Error('body too large'));
				req.destroy();
				return;
			}
			chunks.push(c);
		});
		req.on('end', () => resolve(Buffer.concat(chunks)));
		req.on('error', reject);
	});
}

function parseBody(raw: string, contentType: string | undefined): { body: unknown; error?: string } {
	if (!raw) return { body: undefined };
	const ct = (contentType ?? '').toLowerCase();
	if (ct.includes('application/x-www-form-urlencoded')) return { body: Object.fromEntries(new URLSearchParams(raw)) };
	if (ct.includes('json') || /^\s*[[{]/.test(raw)) {
		try {
			return { body: JSON.parse(raw) };
		} catch (error) {
			return { body: undefined, error: (error as Error).message };
		}
	}
	return { body: undefined, error: `unsupported content-type ${ct}` };
}

function serialise(reply: Reply): string {
	if (reply.body === undefined) return '';
	return reply.raw ? String(reply.body) : JSON.stringify(reply.body);
}

function corrupt(text: string, mode: 'truncated' | 'invalid'): string {
	if (mode === 'invalid') return `{"sandbox_malformed": tru, "data": [${text.slice(0, 40)}`;
	const cut = Math.max(1, Math.floor(text.length / 2));
	return text.slice(0, cut);
}

export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
	const host = options.host ?? '127.0.0.1';
	if (!isLoopback(host)) {
		throw new Error(`The sandbox only binds loopback addresses (127.0.0.0/8, ::1, localhost); refusing to bind "${host}". It accepts any token-shaped secret it knows and must never be reachable from the network.`);
	}
	const seed = options.seed ?? 1;
	if (!Number.isInteger(seed) || seed < 0) throw new Error(`seed must be a non-negative integer, got ${String(options.seed)}`);
	const today = options.today ?? utcToday();
	if (!isIsoDate(today)) throw new Error(`today must be a YYYY-MM-DD date, got ${String(options.today)}`);
	const port = options.port ?? 0;
	if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`port must be 0-65535, got ${String(options.port)}`);

	if (options.now !== undefined && !(Number.isFinite(Date.parse(options.now)) && new Date(options.now).toISOString().slice(0, 10) === today)) {
		throw new Error(`now must be an ISO-8601 instant on ${today} (the sandbox's today), got ${String(options.now)}`);
	}
	const pageSize = options.googleAdsPageSize;
	if (pageSize !== undefined && (!Number.isInteger(pageSize) || pageSize < 1)) throw new Error(`googleAdsPageSize must be a positive integer, got ${String(pageSize)}`);
	const responders = new ResponderRegistry(globalResponders);
	let state = newState(seed, today, responders, undefined, pageSize);
	if (options.now !== undefined) state.clockOffsetMs = Date.parse(options.now) - Date.now();
	state.enforceLimits = options.enforceLimits === true;

	const admin = adminPlatform(() => state, (next) => {
		state = next;
	}, responders);
	const platforms = [...PLATFORMS, admin];

	const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
		const started = Date.now();
		const url = new URL(req.url ?? '/', 'http://sandbox.local');
		const fullPath = url.pathname;
		const method = (req.method ?? 'GET').toUpperCase();
		let raw = '';
		let rawBytes: Buffer = Buffer.alloc(0);
		try {
			rawBytes = await readBody(req);
			raw = rawBytes.toString('utf8');
		} catch {
			res.statusCode = 413;
			res.end();
			return;
		}
		const platform = platforms.find((p) => fullPath === p.prefix || fullPath.startsWith(`${p.prefix}/`));
		const subPath = platform ? fullPath.slice(platform.prefix.length) || '/' : fullPath;
		let route: Route | undefined;
		let params: string[] = [];
		if (platform) {
			for (const r of platform.routes) {
				if (r.method !== method) continue;
				const m = r.pattern.exec(subPath);
				if (m) {
					route = r;
					params = m.slice(1).map((x) => x ?? '');
					break;
				}
			}
		}
		const parsed = parseBody(raw, req.headers['content-type']);
		const ctx: Ctx = {
			req,
			method,
			path: subPath,
			fullPath,
			rawQuery: url.search.replace(/^\?/, ''),
			query: url.searchParams,
			headers: req.headers,
			rawBody: raw,
			rawBytes,
			body: parsed.body,
			...(parsed.error ? { bodyError: parsed.error } : {}),
			params,
			origin: `http://${req.headers.host ?? `${host}:${port}`}`,
			state,
		};
		const entry: RequestLogEntry = {
			seq: state.nextSeq++,
			at: new Date(Date.now() + state.clockOffsetMs).toISOString(),
			platform: platform?.name ?? 'unknown',
			route: route?.name ?? (platform ? `${platform.name}.unknown` : 'unknown'),
			method,
			path: fullPath,
			query: redactQuery(url.searchParams),
			...(parsed.body !== undefined && platform?.name !== 'admin' ? { body: redact(parsed.body) } : {}),
			status: 0,
			durationMs: 0,
		};
		if (platform?.name !== 'admin') state.log.push(entry);
		if (state.log.length > 20_000) state.log.splice(0, state.log.length - 20_000);

		let reply: Reply;
		let malformed: 'truncated' | 'invalid' | undefined;
		try {
			const fault = platform && platform.name !== 'admin' ? takeFault(state, entry.route, method, fullPath) : undefined;
			const after = fault?.spec.afterEffect === true && fault.kind !== '429' && fault.kind !== 'throttle';
			if (fault) {
				entry.fault = fault.kind;
				if (fault.spec.latencyMs && !after) await sleep(fault.spec.latencyMs);
			}
			if (after && platform && route && !platform.authenticate?.(ctx) && !versionRefusal(platform.name, ctx)) {
				// the effect happens, then its answer is lost, corrupted or late
				const applied = await route.handler(ctx);
				if (fault.spec.latencyMs) await sleep(fault.spec.latencyMs);
				if (fault.kind === 'timeout') {
					state.held.add(req.socket);
					req.socket.once('close', () => state.held.delete(req.socket));
					entry.status = applied.status;
					entry.durationMs = Date.now() - started;
					return;
				}
				reply = fault.kind === '5xx' ? platform.errorReply(fault.spec.status ?? 500, 'server', '') : applied;
				if (fault.kind === 'malformed') malformed = fault.spec.malformed ?? 'truncated';
			} else if (fault?.kind === 'timeout') {
				// Hold the socket without answering until the client gives up or the sandbox closes.
				state.held.add(req.socket);
				req.socket.once('close', () => state.held.delete(req.socket));
				entry.durationMs = Date.now() - started;
				return;
			} else if (!platform) reply = json(404, { error: `No simulated API at ${fullPath}. Prefixes: ${platforms.map((p) => p.prefix).join(', ')}` });
			else if (fault?.kind === '429') reply = platform.errorReply(429, 'rate_limit', '', fault.spec.retryAfter ?? 1);
			else if (fault?.kind === '5xx') reply = platform.errorReply(fault.spec.status ?? 500, 'server', '');
			else if (fault?.kind === 'throttle') reply = throttleReply(platform, ctx, entry.route, fault.spec.throttle ?? 'user', fault.spec.regainMinutes);
			else {
				const authError = platform.authenticate?.(ctx) ?? versionRefusal(platform.name, ctx);
				if (authError) reply = authError;
				else if (!route) reply = platform.errorReply(404, 'not_found', `${method} ${subPath}`);
				else if (platform.name !== 'admin' && overDailyQuota(state, route.name)) reply = throttleReply(platform, ctx, route.name, 'day');
				else reply = await route.handler(ctx);
			}
			if (fault?.spec.retryAfterMs !== undefined && (fault.kind === '429' || fault.kind === '5xx')) reply.headers = { ...reply.headers, 'retry-after-ms': String(fault.spec.retryAfterMs) };
			if (fault?.kind === 'malformed' && !after) malformed = fault.spec.malformed ?? 'truncated';
		} catch (error) {
			reply = platform ? platform.errorReply(500, 'server', (error as Error).message) : json(500, { error: (error as Error).message });
			process.stderr.write(`[sandbox] ${method} ${fullPath} failed: ${(error as Error).stack}\n`);
		}
		platform?.decorate?.(ctx, reply);
		let text = serialise(reply);
		if (malformed) text = corrupt(text || '{}', malformed);
		const headers: Record<string, string> = { ...(reply.body !== undefined && !reply.raw ? { 'content-type': 'application/json; charset=utf-8' } : {}), ...reply.headers };
		entry.status = reply.status;
		entry.durationMs = Date.now() - started;
		res.writeHead(reply.status, { ...headers, 'content-length': String(Buffer.byteLength(text)) });
		res.end(text);
	};

	const server = createServer((req, res) => {
		handle(req, res).catch((error: unknown) => {
			process.stderr.write(`[sandbox] unhandled: ${(error as Error).stack}\n`);
			if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
			res.end(JSON.stringify({ error: 'sandbox internal error' }));
		});
	});
	// longer than any client keeps an idle socket: a client that reuses a socket the server just closed sees ECONNRESET (seen when a test process blocks for seconds, e.g. importing n8n-core)
	server.keepAliveTimeout = 65_000;
	server.headersTimeout = 66_000;
	await new Promise<void>((resolve, reject) => {
		server.once('error', reject);
		server.listen(port, host.replace(/^\[|\]$/g, ''), () => resolve());
	});
	const address = server.address();
	if (!address || typeof address === 'string') throw new Error('sandbox failed to bind');
	const hostForUrl = address.family === 'IPv6' ? `[${address.address}]` : address.address;
	const base = `http://${hostForUrl}:${address.port}`;

	const sandbox: Sandbox = {
		url: base,
		host: address.address,
		port: address.port,
		urls: {
			meta: `${base}/meta`,
			linkedin: `${base}/linkedin`,
			klaviyo: `${base}/klaviyo`,
			tiktok: `${base}/tiktok`,
			notion: `${base}/notion`,
			slack: `${base}/slack/api/`,
			openai: `${base}/openai/v1`,
			googleAds: `${base}/googleads`,
			googleOAuthToken: `${base}/googleoauth/token`,
			slackActions: `${base}/slack/actions`,
			effects: `${base}/effects`,
			databox: `${base}/databox`,
			databoxPush: `${base}/databox-push`,
		},
		credentials: state.world.credentials,
		get world() {
			return state.world;
		},
		registerResponder: (name, fn) => responders.register(name, fn),
		injectFault(spec) {
			const checked = validateFaultSpec(spec);
			if (typeof checked === 'string') throw new Error(checked);
			const fault: Fault = { id: state.nextFaultId++, route: checked.route, kind: checked.kind, remaining: checked.count ?? 1, spec: checked, hits: 0 };
			state.faults.push(fault);
			return fault;
		},
		clearFaults() {
			state.faults = [];
		},
		requests(filter) {
			return state.log.filter((e) => (!filter?.route || e.route === filter.route || (filter.route.endsWith('*') && e.route.startsWith(filter.route.slice(0, -1)))) && (!filter?.platform || e.platform === filter.platform));
		},
		slackResponses(filter) {
			return filterResponses(state, filter?.url);
		},
		effects(name) {
			return listEffects(state, name);
		},
		holdEffects(ms, count = 1) {
			const hold = parseHold({ ms, count });
			if (typeof hold === 'string') throw new Error(hold);
			state.effectHold = hold;
		},
		clearEffects() {
			clearEffects(state);
		},
		reset(opts) {
			releaseHeld(state);
			state = newState(opts?.seed ?? state.world.seed, opts?.today ?? state.world.today, responders, state);
		},
		advance(days = 1) {
			advanceWorld(state.world, days);
			state.clockOffsetMs += days * 86_400_000;
		},
		advanceClock(ms) {
			if (!Number.isFinite(ms) || ms < 0) throw new Error(`advanceClock needs a non-negative number of ms, got ${String(ms)}`);
			state.clockOffsetMs += ms;
		},
		now() {
			return Date.now() + state.clockOffsetMs;
		},
		setDailyQuota(route, perDay) {
			const error = setQuota(state, route, perDay);
			if (error) throw new Error(error);
		},
		enforceLimits(on) {
			state.enforceLimits = on;
		},
		close() {
			releaseHeld(state);
			return new Promise<void>((resolve) => {
				server.close(() => resolve());
				server.closeAllConnections();
			});
		},
	};
	return sandbox;
}

/** `response_url` messages, optionally only those POSTed to one URL (full URL or path). */
function filterResponses(state: SandboxState, url?: string | null): SlackResponse[] {
	const path = url ? new URL(url, 'http://sandbox.local').pathname : undefined;
	return state.slackResponses.filter((r) => !path || r.path === path);
}

function clearEffects(state: SandboxState): number {
	const removed = state.effects.length;
	state.effects = [];
	state.effectHold = { ms: 0, remaining: 0 };
	return removed;
}

function setQuota(state: SandboxState, route: string, perDay: number | undefined): string | undefined {
	const others = (state.dailyQuotas ?? []).filter((q) => q.route !== route);
	if (perDay === undefined) {
		state.dailyQuotas = others;
		return undefined;
	}
	const checked = validateQuota({ route, perDay });
	if (typeof checked === 'string') return checked;
	state.dailyQuotas = [...others, { ...checked, counts: {} }];
	return undefined;
}

function releaseHeld(state: SandboxState): void {
	for (const socket of state.held) socket.destroy();
	state.held.clear();
}

function adminPlatform(get: () => SandboxState, set: (s: SandboxState) => void, responders: ResponderRegistry): Platform {
	const bad = (message: string): Reply => json(400, { error: message });
	const obj = (ctx: Ctx): Record<string, unknown> => (ctx.body && typeof ctx.body === 'object' && !Array.isArray(ctx.body) ? (ctx.body as Record<string, unknown>) : {});
	const routes: Route[] = [
		{ name: 'admin.health', method: 'GET', pattern: /^\/health$/, handler: (ctx) => json(200, { ok: true, seed: ctx.state.world.seed, today: ctx.state.world.today }) },
		{ name: 'admin.world', method: 'GET', pattern: /^\/world$/, handler: (ctx) => json(200, ctx.state.world) },
		{
			name: 'admin.reset',
			method: 'POST',
			pattern: /^\/reset$/,
			handler: (ctx) => {
				const b = obj(ctx);
				const seed = b.seed === undefined ? ctx.state.world.seed : Number(b.seed);
				const today = b.today === undefined ? ctx.state.world.today : String(b.today);
				if (!Number.isInteger(seed) || seed < 0) return bad('seed must be a non-negative integer');
				if (!isIsoDate(today)) return bad('today must be YYYY-MM-DD');
				releaseHeld(ctx.state);
				set(newState(seed, today, responders, ctx.state));
				return json(200, { ok: true, seed, today });
			},
		},
		{
			name: 'admin.advance',
			method: 'POST',
			pattern: /^\/advance$/,
			handler: (ctx) => {
				const days = obj(ctx).days === undefined ? 1 : Number(obj(ctx).days);
				if (!Number.isInteger(days) || days < 1 || days > 366) return bad('days must be an integer 1-366');
				advanceWorld(ctx.state.world, days);
				ctx.state.clockOffsetMs += days * 86_400_000;
				return json(200, { ok: true, today: ctx.state.world.today });
			},
		},
		{
			name: 'admin.clock',
			method: 'POST',
			pattern: /^\/clock$/,
			handler: (ctx) => {
				const ms = Number(obj(ctx).advanceMs);
				if (!Number.isFinite(ms) || ms < 0) return bad('advanceMs must be a non-negative number');
				ctx.state.clockOffsetMs += ms;
				return json(200, { now: new Date(Date.now() + ctx.state.clockOffsetMs).toISOString(), today: ctx.state.world.today });
			},
		},
		{
			name: 'admin.quotas',
			method: 'POST',
			pattern: /^\/quotas$/,
			handler: (ctx) => {
				const b = obj(ctx);
				if (b.enforceLimits !== undefined) {
					if (typeof b.enforceLimits !== 'boolean') return bad('enforceLimits must be a boolean');
					ctx.state.enforceLimits = b.enforceLimits;
				}
				if (b.route === undefined) return json(200, { enforceLimits: ctx.state.enforceLimits, quotas: ctx.state.dailyQuotas ?? [] });
				const error = setQuota(ctx.state, String(b.route), b.perDay === undefined || b.perDay === null ? undefined : (b.perDay as number));
				return error ? bad(error) : json(200, { enforceLimits: ctx.state.enforceLimits, quotas: ctx.state.dailyQuotas ?? [] });
			},
		},
		{ name: 'admin.faults', method: 'GET', pattern: /^\/faults$/, handler: (ctx) => json(200, { faults: ctx.state.faults }) },
		{
			name: 'admin.addFaults',
			method: 'POST',
			pattern: /^\/faults$/,
			handler: (ctx) => {
				const b = ctx.body;
				const specs = Array.isArray(b) ? b : Array.isArray((b as { faults?: unknown })?.faults) ? (b as { faults: unknown[] }).faults : [b];
				const checked: FaultSpec[] = [];
				for (const s of specs) {
					const c = validateFaultSpec(s);
					if (typeof c === 'string') return bad(c);
					checked.push(c);
				}
				const st = get();
				const added = checked.map((c): Fault => ({ id: st.nextFaultId++, route: c.route, kind: c.kind, remaining: c.count ?? 1, spec: c, hits: 0 }));
				st.faults.push(...added);
				return json(200, { faults: added });
			},
		},
		{
			name: 'admin.clearFaults',
			method: 'DELETE',
			pattern: /^\/faults$/,
			handler: (ctx) => {
				const removed = ctx.state.faults.length;
				ctx.state.faults = [];
				releaseHeld(ctx.state);
				return json(200, { ok: true, removed });
			},
		},
		{
			name: 'admin.requests',
			method: 'GET',
			pattern: /^\/requests$/,
			handler: (ctx) => {
				const route = ctx.query.get('route');
				const platform = ctx.query.get('platform');
				const since = Number(ctx.query.get('since') ?? '0');
				const requests = ctx.state.log.filter((e) => e.seq > since && (!route || e.route === route || (route.endsWith('*') && e.route.startsWith(route.slice(0, -1)))) && (!platform || e.platform === platform));
				return json(200, { requests });
			},
		},
		{
			name: 'admin.clearRequests',
			method: 'DELETE',
			pattern: /^\/requests$/,
			handler: (ctx) => {
				ctx.state.log = [];
				return json(200, { ok: true });
			},
		},
		{
			name: 'admin.slackMessages',
			method: 'GET',
			pattern: /^\/slack\/messages$/,
			handler: (ctx) => {
				const wanted = ctx.query.get('channel')?.replace(/^#/, '');
				const channels = ctx.state.world.slack.channels.filter((c) => !wanted || c.id === wanted || c.name === wanted);
				if (wanted && channels.length === 0) return json(404, { error: `unknown channel ${wanted}` });
				return json(200, { messages: channels.flatMap((c) => c.messages.map((m) => ({ ...m, channelName: c.name }))).sort((a, b) => Number(a.ts) - Number(b.ts)) });
			},
		},
		{
			name: 'admin.plant',
			method: 'POST',
			pattern: /^\/plant$/,
			handler: (ctx) => {
				try {
					return json(200, { ok: true, planted: plantAnomaly(ctx.state.world, obj(ctx) as unknown as PlantSpec) });
				} catch (error) {
					if (error instanceof PlantError) return bad(error.message);
					throw error;
				}
			},
		},
		{ name: 'admin.slackResponses', method: 'GET', pattern: /^\/slack\/responses$/, handler: (ctx) => json(200, { responses: filterResponses(ctx.state, ctx.query.get('url')) }) },
		{ name: 'admin.effects', method: 'GET', pattern: /^\/effects$/, handler: (ctx) => json(200, { effects: listEffects(ctx.state, ctx.query.get('name')) }) },
		{ name: 'admin.clearEffects', method: 'DELETE', pattern: /^\/effects$/, handler: (ctx) => json(200, { ok: true, removed: clearEffects(ctx.state) }) },
		{
			name: 'admin.holdEffects',
			method: 'POST',
			pattern: /^\/effects\/_hold$/,
			handler: (ctx) => {
				const hold = parseHold(ctx.body);
				if (typeof hold === 'string') return bad(hold);
				ctx.state.effectHold = hold;
				return json(200, { ms: hold.ms, count: hold.remaining });
			},
		},
		{
			name: 'admin.notionEdit',
			method: 'POST',
			pattern: /^\/notion\/pages\/([0-9a-fA-F-]{32,36})\/edit$/,
			handler: (ctx) => {
				const world = ctx.state.world;
				const page = findPage(world, ctx.params[0]!);
				if (!page) return json(404, { error: `no page ${ctx.params[0]}` });
				const b = obj(ctx);
				const who = String(b.user ?? '');
				const user = world.notion.users.find((u) => u.id === who || u.name === who || u.email === who);
				if (!user) return bad(`user must be a Notion user id, name or email: ${world.notion.users.map((u) => u.name).join(', ')}`);
				const err = editPage(ctx, page, b.properties ?? {}, user.id);
				if (err) return err;
				return json(200, pageJson(world, page));
			},
		},
		{
			name: 'admin.notionPages',
			method: 'GET',
			pattern: /^\/notion\/pages$/,
			handler: (ctx) => {
				const ds = ctx.query.get('data_source_id');
				const world = ctx.state.world;
				const pages = world.notion.pages.filter((p) => !ds || (p.parent.type === 'data_source_id' && p.parent.dataSourceId === ds));
				return json(200, { pages: pages.map((p) => ({ ...pageJson(world, p), history: p.history })) });
			},
		},
		{
			name: 'admin.metaComment',
			method: 'POST',
			pattern: /^\/meta\/comments$/,
			handler: (ctx) => {
				const world = ctx.state.world;
				const b = obj(ctx);
				const post = world.meta.posts.find((p) => p.id === b.post_id);
				if (!post) return bad(`post_id must be one of ${world.meta.posts.map((p) => p.id).join(', ')}`);
				if (typeof b.message !== 'string' || !b.message) return bad('message is required');
				const parent = b.parent_id ? world.meta.comments.find((c) => c.id === b.parent_id) : undefined;
				if (b.parent_id && !parent) return bad('parent_id does not exist');
				const name = typeof b.from_name === 'string' ? b.from_name : 'Sandbox Visitor';
				ctx.state.idSeq++;
				const createdMs = typeof b.created_time === 'string' ? Date.parse(b.created_time) : Date.now() + ctx.state.clockOffsetMs;
				if (Number.isNaN(createdMs)) return bad('created_time must be ISO 8601');
				const comment: MetaComment = {
					id: `${post.id.split('_')[1]}_${String(997000000000 + ctx.state.idSeq * 17 + world.meta.comments.length)}`,
					postId: post.id,
					...(parent ? { parentId: parent.id } : {}),
					message: b.message,
					from: { id: String(700000000000000 + fnv1a(name)), name },
					createdTime: metaTime(createdMs),
					isHidden: false,
					deleted: false,
					likeCount: 0,
				};
				world.meta.comments.push(comment);
				return json(200, { comment });
			},
		},
		{
			name: 'admin.metaUsage',
			method: 'POST',
			pattern: /^\/meta\/usage$/,
			handler: (ctx) => {
				const b = obj(ctx);
				const u = ctx.state.metaUsage;
				if (b.perCallPct !== undefined) {
					const v = Number(b.perCallPct);
					if (!(v >= 0 && v <= 100)) return bad('perCallPct must be 0-100');
					u.perCallPct = v;
				}
				if (b.windowMs !== undefined) {
					const v = Number(b.windowMs);
					if (!(v >= 100)) return bad('windowMs must be ≥ 100');
					u.windowMs = v;
				}
				if (b.reset === true) u.calls = [];
				return json(200, { perCallPct: u.perCallPct, windowMs: u.windowMs, callsInWindow: u.calls.length });
			},
		},
	];
	return {
		name: 'admin',
		prefix: '/_admin',
		routes,
		errorReply: (status, _kind, message) => json(status === 404 ? 404 : status, { error: message || 'admin error' }),
	};
}
