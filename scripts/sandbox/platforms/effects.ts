/**
 * Effects receiver under `/effects/{name}` (letters, digits, `.`, `_`, `-`;
 * up to 128, starting with a letter or digit): a generic webhook target that
 * stands for whatever an approved action changes in the outside world. Each
 * POST is one side effect: it is recorded (with its `Idempotency-Key`) before
 * the answer is sent, so tests can count how often an action really ran.
 *
 * Injected faults apply before the handler: a 5xx, 429 or timeout fault
 * records nothing (the side effect did not happen); a latency fault delays
 * it. `holdEffects` covers the other case: recorded, then answered late, so a
 * caller can die after the effect happened but before it learned of it.
 *
 * The receiver documents two ways to settle a lost answer without doing the
 * effect twice: a lookup, `GET /effects/{name}/receipts/{Idempotency-Key}`
 * (200 with the first receipt when that key was received, 404 `not_found`
 * when it never was), and dedupe by key: a POST whose `Idempotency-Key` was
 * already received answers `duplicate: true` (it is still listed as a
 * receipt, so tests see every request that arrived).
 */
import { header, json, now, type Ctx, type EffectReceipt, type Platform, type Reply, type Route, type SandboxState } from '../core';

/** Longest hold `holdEffects` accepts (ms). */
export const MAX_EFFECT_HOLD_MS = 600_000;

function fail(status: number, error: string, message?: string): Reply {
	return json(status, { ok: false, error, ...(message ? { message } : {}) });
}

function idempotencyKey(ctx: Ctx): string | null {
	const key = header(ctx, 'idempotency-key');
	return key === undefined || key === '' ? null : key;
}

function seenBefore(state: SandboxState, name: string, key: string | null): boolean {
	return key !== null && state.effects.some((r) => r.name === name && r.idempotencyKey === key);
}

/** Records one receipt and says whether its key was seen before for this name. */
function recordEffect(state: SandboxState, name: string, body: unknown, key: string | null): { receipt: EffectReceipt; duplicate: boolean } {
	const duplicate = seenBefore(state, name, key);
	const receipt: EffectReceipt = { seq: ++state.effectSeq, name, body: body ?? null, idempotencyKey: key, receivedAt: new Date(now(state)).toISOString() };
	state.effects.push(receipt);
	return { receipt, duplicate };
}

/** Waits when a hold is armed, using up one of its receipts. The timer does not keep the process alive. */
function holdIfArmed(state: SandboxState): Promise<void> {
	const hold = state.effectHold;
	if (hold.remaining <= 0) return Promise.resolve();
	hold.remaining--;
	return new Promise((resolve) => setTimeout(resolve, hold.ms).unref());
}

async function receive(ctx: Ctx): Promise<Reply> {
	const name = ctx.params[0]!;
	if (ctx.bodyError) return fail(400, 'invalid_json', `The body must be JSON: ${ctx.bodyError}`);
	const { receipt, duplicate } = recordEffect(ctx.state, name, ctx.body, idempotencyKey(ctx));
	await holdIfArmed(ctx.state);
	return json(200, { ok: true, receipt: receipt.seq, duplicate });
}

/** `GET /effects/{name}/receipts/{key}`: whether (and when) a POST with that Idempotency-Key was received. */
function lookup(ctx: Ctx): Reply {
	const name = ctx.params[0]!;
	let key: string;
	try {
		key = decodeURIComponent(ctx.params[1]!);
	} catch {
		return fail(400, 'bad_request', 'The key is not URL-encoded correctly');
	}
	const all = ctx.state.effects.filter((r) => r.name === name && r.idempotencyKey === key);
	if (all.length === 0) return fail(404, 'not_found', `No request with Idempotency-Key ${key} was received`);
	const first = all[0]!;
	return json(200, { ok: true, receipt: first.seq, idempotencyKey: key, receivedAt: first.receivedAt, received: all.length });
}

/** Validates `{ms, count}` for a hold; returns the hold or an error message. */
export function parseHold(input: unknown): { ms: number; remaining: number } | string {
	const b = input && typeof input === 'object' && !Array.isArray(input) ? (input as Record<string, unknown>) : {};
	const ms = Number(b.ms);
	const count = b.count === undefined ? 1 : Number(b.count);
	if (!Number.isInteger(ms) || ms < 0 || ms > MAX_EFFECT_HOLD_MS) return `ms must be an integer 0-${MAX_EFFECT_HOLD_MS}`;
	if (!Number.isInteger(count) || count < 0) return 'count must be a non-negative integer';
	return { ms, remaining: count };
}

/** Receipts, oldest first, optionally only those for one name. */
export function listEffects(state: SandboxState, name?: string | null): EffectReceipt[] {
	return state.effects.filter((r) => !name || r.name === name);
}

const routes: Route[] = [
	{ name: 'effects.receive', method: 'POST', pattern: /^\/([A-Za-z0-9][A-Za-z0-9._-]{0,127})$/, handler: receive },
	{ name: 'effects.lookup', method: 'GET', pattern: /^\/([A-Za-z0-9][A-Za-z0-9._-]{0,127})\/receipts\/([^/]{1,1000})$/, handler: lookup },
];

export const effects: Platform = {
	name: 'effects',
	prefix: '/effects',
	routes,
	errorReply(status, kind, message, retryAfter) {
		if (kind === 'rate_limit') return { ...fail(429, 'rate_limited', message), headers: { 'retry-after': String(retryAfter ?? 1) } };
		if (kind === 'server') return fail(status, 'server_error', message);
		if (kind === 'not_found') return fail(404, 'not_found', message);
		return fail(400, 'bad_request', message);
	},
};
