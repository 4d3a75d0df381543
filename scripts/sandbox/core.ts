/**
 * Shared plumbing of the sandbox server: request context, replies, routes,
 * per-platform behaviour (auth, error shapes), fault injection and the
 * request log.
 */
import type { IncomingMessage } from 'node:http';
import type { ResponderRegistry } from './openai-model';
import type { World } from './world';

export type PlatformName = 'meta' | 'linkedin' | 'klaviyo' | 'tiktok' | 'notion' | 'slack' | 'openai' | 'googleads' | 'googleoauth' | 'effects' | 'databox' | 'admin';

export interface Reply {
	status: number;
	headers?: Record<string, string>;
	/** JSON-serialised unless `raw` is set. */
	body?: unknown;
	/** Send `body` (a string) as is. */
	raw?: boolean;
}

export interface Ctx {
	req: IncomingMessage;
	method: string;
	/** Path below the platform prefix, e.g. `/v21.0/act_1/insights`. */
	path: string;
	/** The full path as received (with prefix, without query). */
	fullPath: string;
	/** Raw query string without `?` (Rest.li needs it undecoded). */
	rawQuery: string;
	query: URLSearchParams;
	headers: IncomingMessage['headers'];
	rawBody: string;
	/** The body's bytes as received (binary uploads: Slack's file upload URL). */
	rawBytes: Buffer;
	/** Parsed JSON or form body; undefined when empty or unparseable. */
	body: unknown;
	bodyError?: string;
	params: string[];
	/** `http://host:port` as the client addressed us. */
	origin: string;
	state: SandboxState;
}

export type Handler = (ctx: Ctx) => Reply | Promise<Reply>;

export interface Route {
	name: string;
	method: string;
	pattern: RegExp;
	handler: Handler;
}

export interface Platform {
	name: PlatformName;
	/** URL prefix, e.g. `/meta`. */
	prefix: string;
	routes: Route[];
	/** Returns an error reply when the request is not authorised. */
	authenticate?: (ctx: Ctx) => Reply | undefined;
	/** The platform's error reply for an injected or generic fault. */
	errorReply: (status: number, kind: 'rate_limit' | 'server' | 'not_found' | 'bad_request', message: string, retryAfterSeconds?: number) => Reply;
	/** Adds headers to every reply (Meta usage headers, request ids). */
	decorate?: (ctx: Ctx, reply: Reply) => void;
}

export type FaultKind = '429' | '5xx' | 'latency' | 'timeout' | 'malformed' | 'throttle';

export interface FaultSpec {
	/** Route name (`meta.insights`, `slack.*`) or `METHOD /path/glob` (full path, `*` wildcard). */
	route: string;
	kind: FaultKind;
	/** How many matching requests it affects (default 1). */
	count?: number;
	/** 5xx status (default 500). */
	status?: number;
	/** Retry-After seconds for 429 (default 1). */
	retryAfter?: number;
	/** Also send `retry-after-ms` (OpenAI's SDK honours it on 429 and 5xx) for fast tests. */
	retryAfterMs?: number;
	/** Latency in ms (kind `latency`; also delays other kinds when set). */
	latencyMs?: number;
	/** `truncated` (default) or `invalid` JSON. */
	malformed?: 'truncated' | 'invalid';
	/**
	 * The answer is lost *after* the effect happened: the request is handled
	 * (the budget changes, the reply is posted) and only then does the fault
	 * apply (`5xx` replaces the answer, `malformed` corrupts it, `timeout`
	 * never answers, `latency` answers `latencyMs` late). `429` ignores it.
	 */
	afterEffect?: boolean;
	/**
	 * Kind `throttle`: the platform's own throttling answer (scripts/sandbox/throttling.ts):
	 * `user` (Meta error 17; LinkedIn member day limit), `buc` (Meta 80000-80014 with
	 * X-Business-Use-Case-Usage), `day` (LinkedIn application day limit). Default `user`.
	 */
	throttle?: 'user' | 'buc' | 'day';
	/** Meta `estimated_time_to_regain_access` (minutes) of a `buc` throttle (default 5). */
	regainMinutes?: number;
}

export interface Fault extends Required<Pick<FaultSpec, 'route' | 'kind'>> {
	id: number;
	remaining: number;
	spec: FaultSpec;
	hits: number;
}

export interface RequestLogEntry {
	seq: number;
	at: string;
	platform: PlatformName | 'unknown';
	route: string;
	method: string;
	path: string;
	query: Record<string, string>;
	body?: unknown;
	status: number;
	durationMs: number;
	fault?: FaultKind;
}

/** One message an app POSTed to an interaction's `response_url` (and Slack accepted). */
export interface SlackResponse {
	seq: number;
	/** Sandbox clock, ISO 8601. */
	at: string;
	/** Full path, `/slack/actions/{team}/{hook}/{token}`. */
	path: string;
	teamId: string;
	hookId: string;
	/** The JSON message as received. */
	body: Record<string, unknown>;
	/** `body.text`, or '' when the message only has blocks or attachments. */
	text: string;
	/** `ephemeral` (Slack's default: only the clicking user sees it) or `in_channel`. */
	responseType: 'ephemeral' | 'in_channel';
	replaceOriginal: boolean;
	deleteOriginal: boolean;
}

/** One side effect the effects receiver was told about. Every POST is one receipt, duplicates included. */
export interface EffectReceipt {
	seq: number;
	/** The `{name}` of `POST /effects/{name}`. */
	name: string;
	/** The parsed JSON body, `null` when empty. */
	body: unknown;
	/** The `Idempotency-Key` header, `null` when absent. */
	idempotencyKey: string | null;
	/** Sandbox clock, ISO 8601. */
	receivedAt: string;
}

export interface SandboxState {
	world: World;
	faults: Fault[];
	nextFaultId: number;
	log: RequestLogEntry[];
	nextSeq: number;
	/** Added to Date.now() so the clock's date equals `world.today`. */
	clockOffsetMs: number;
	/** Meta call-volume accounting for usage headers. */
	metaUsage: { perCallPct: number; windowMs: number; calls: Array<{ at: number; accountId?: string }> };
	slackSeq: number;
	idSeq: number;
	responders: ResponderRegistry;
	/** Sockets held open by `timeout` faults; destroyed on close/reset. */
	held: Set<import('node:net').Socket>;
	/** Google Ads `search` page / `searchStream` batch size (Google: 10,000); small in tests to exercise paging. */
	googleAdsPageSize?: number;
	/** Messages POSTed to `response_url`s, oldest first. */
	slackResponses: SlackResponse[];
	/** Last `SlackResponse.seq` handed out (kept across resets). */
	slackResponseSeq: number;
	/** Receipts of the effects receiver, oldest first. */
	effects: EffectReceipt[];
	/** Last `EffectReceipt.seq` handed out (kept across resets). */
	effectSeq: number;
	/** The next `remaining` receipts are answered `ms` after they are recorded. */
	effectHold: { ms: number; remaining: number };
	/** Enforce published request limits (Klaviyo values reports); see SandboxOptions.enforceLimits. */
	enforceLimits: boolean;
	/** Daily quotas per route, reset at midnight UTC of the sandbox clock (throttling.ts). */
	dailyQuotas?: Array<{ route: string; perDay: number; counts: Record<string, number> }>;
	/** Fixed-window request counters of enforced platform limits (Klaviyo reporting), by `key@windowStart`. */
	rateWindows?: Record<string, number>;
}

export function now(state: SandboxState): number {
	return Date.now() + state.clockOffsetMs;
}

export function json(status: number, body: unknown, headers?: Record<string, string>): Reply {
	return { status, body, ...(headers ? { headers } : {}) };
}

export function header(ctx: Ctx, name: string): string | undefined {
	const value = ctx.headers[name.toLowerCase()];
	return Array.isArray(value) ? value[0] : value;
}

export function bearer(ctx: Ctx): string | undefined {
	const auth = header(ctx, 'authorization');
	const m = auth ? /^Bearer\s+(.+)$/i.exec(auth.trim()) : null;
	return m ? m[1] : undefined;
}

/** A field from the parsed body or, failing that, the query string. */
export function param(ctx: Ctx, name: string): unknown {
	const body = ctx.body;
	if (body && typeof body === 'object' && !Array.isArray(body) && name in body) return (body as Record<string, unknown>)[name];
	return ctx.query.get(name) ?? undefined;
}

export function bodyObject(ctx: Ctx): Record<string, unknown> {
	const body = ctx.body;
	return body && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>) : {};
}

const SECRET_KEY = /token|secret|key|password|authorization|signature|proof|cookie/i;

export function redact(value: unknown, depth = 0): unknown {
	if (depth > 8) return '[…]';
	if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1));
	if (value && typeof value === 'object') {
		const out: Record<string, unknown> = {};
		for (const [k, v] of Object.entries(value)) out[k] = SECRET_KEY.test(k) ? '[redacted]' : redact(v, depth + 1);
		return out;
	}
	return value;
}

export function redactQuery(query: URLSearchParams): Record<string, string> {
	const out: Record<string, string> = {};
	for (const [k, v] of query) out[k] = SECRET_KEY.test(k) ? '[redacted]' : v;
	return out;
}

function globToRegExp(glob: string): RegExp {
	return new RegExp(`^${glob.split('*').map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
}

export function faultMatches(fault: Fault, routeName: string, method: string, fullPath: string): boolean {
	const spec = fault.route.trim();
	const space = spec.indexOf(' ');
	if (space > 0 && /^[A-Z]+$/i.test(spec.slice(0, space))) {
		const m = spec.slice(0, space).toUpperCase();
		if (m !== '*' && m !== method.toUpperCase()) return false;
		return globToRegExp(spec.slice(space + 1).trim()).test(fullPath);
	}
	return globToRegExp(spec).test(routeName);
}

const FAULT_KINDS: FaultKind[] = ['429', '5xx', 'latency', 'timeout', 'malformed', 'throttle'];

export function validateFaultSpec(input: unknown): FaultSpec | string {
	if (!input || typeof input !== 'object') return 'fault must be an object';
	const f = input as Record<string, unknown>;
	if (typeof f.route !== 'string' || f.route.trim() === '') return 'fault.route must be a route name (e.g. "meta.insights", "slack.*") or "METHOD /path/glob"';
	const kind = String(f.kind ?? '');
	if (!FAULT_KINDS.includes(kind as FaultKind)) return `fault.kind must be one of ${FAULT_KINDS.join(', ')}`;
	for (const key of ['count', 'status', 'retryAfter', 'retryAfterMs', 'latencyMs'] as const) {
		if (f[key] !== undefined && (typeof f[key] !== 'number' || !Number.isFinite(f[key]) || (f[key] as number) < 0)) return `fault.${key} must be a non-negative number`;
	}
	if (f.status !== undefined && ((f.status as number) < 500 || (f.status as number) > 599)) return 'fault.status must be 500-599';
	if (f.malformed !== undefined && f.malformed !== 'truncated' && f.malformed !== 'invalid') return 'fault.malformed must be "truncated" or "invalid"';
	if (f.afterEffect !== undefined && typeof f.afterEffect !== 'boolean') return 'fault.afterEffect must be a boolean';
	if (f.throttle !== undefined && f.throttle !== 'user' && f.throttle !== 'buc' && f.throttle !== 'day') return 'fault.throttle must be "user", "buc" or "day"';
	if (f.regainMinutes !== undefined && (typeof f.regainMinutes !== 'number' || !Number.isFinite(f.regainMinutes) || f.regainMinutes < 0)) return 'fault.regainMinutes must be a non-negative number';
	return {
		route: f.route.trim(),
		kind: kind as FaultKind,
		...(f.count !== undefined ? { count: f.count as number } : {}),
		...(f.status !== undefined ? { status: f.status as number } : {}),
		...(f.retryAfter !== undefined ? { retryAfter: f.retryAfter as number } : {}),
		...(f.retryAfterMs !== undefined ? { retryAfterMs: f.retryAfterMs as number } : {}),
		...(f.latencyMs !== undefined ? { latencyMs: f.latencyMs as number } : {}),
		...(f.malformed !== undefined ? { malformed: f.malformed as 'truncated' | 'invalid' } : {}),
		...(f.afterEffect !== undefined ? { afterEffect: f.afterEffect } : {}),
		...(f.throttle !== undefined ? { throttle: f.throttle as 'user' | 'buc' | 'day' } : {}),
		...(f.regainMinutes !== undefined ? { regainMinutes: f.regainMinutes as number } : {}),
	};
}

/** Consume one use of the first fault matching this request, if any. */
export function takeFault(state: SandboxState, routeName: string, method: string, fullPath: string): Fault | undefined {
	const fault = state.faults.find((f) => f.remaining > 0 && faultMatches(f, routeName, method, fullPath));
	if (!fault) return undefined;
	fault.remaining--;
	fault.hits++;
	return fault;
}

export function sleep(ms: number): Promise<void> {
	return new Promise((resolve) => setTimeout(resolve, ms));
}
