import { test, describe, beforeAll, afterAll, beforeEach } from 'vitest';
import assert from 'node:assert/strict';
import { RateLimiterMemory } from 'rate-limiter-flexible';
import { parseRetryAfter } from '../../nodes/shared/resilience/retry-after';
import { parseMetaUsage, usageDelayMs } from '../../nodes/shared/resilience/meta-usage';
import { PlatformApiError, scrubSecrets } from '../../nodes/shared/resilience/errors';
import { CallExecutor } from '../../nodes/shared/resilience/call-policy';
import { getPlatformBreaker, resetPlatformBreakers } from '../../nodes/shared/resilience/breaker';
import { FlexibleRateLimiter, RateLimitWaitTooLongError } from '../../nodes/shared/resilience/rate-limiter';
import { MetaAdsAdapter } from '../../nodes/shared/platforms/meta';
import { startServer, fakeClock, type FixtureServer, type Reply } from '../fixtures/platforms/server';

let server: FixtureServer;
let replies: Reply[] = [];
beforeAll(async () => {
	server = await startServer(() => replies.shift() ?? { status: 500, body: { error: { message: 'no more replies' } } });
});
afterAll(() => server.close());
beforeEach(() => {
	server.requests.length = 0;
	replies = [];
	resetPlatformBreakers();
});

const TOKEN = 'EAAtoken-resilience-999';
const meta = (clock = fakeClock(), extra = {}) => new MetaAdsAdapter({ accessToken: TOKEN, appSecret: 'shh-app-secret', baseUrl: server.base, clock, retry: { initialDelayMs: 100, maxDelayMs: 1000, maxRetries: 3 }, ...extra });
const account = { id: 'act_1', account_id: '1', name: 'A', currency: 'USD', timezone_name: 'UTC' };

describe('Retry-After', () => {
	test('seconds and HTTP dates', () => {
		const now = Date.parse('2025-03-01T10:00:00Z');
		assert.equal(parseRetryAfter('120', now), 120_000);
		assert.equal(parseRetryAfter('Sat, 01 Mar 2025 10:00:30 GMT', now), 30_000);
		assert.equal(parseRetryAfter('Sat, 01 Mar 2025 09:00:00 GMT', now), 0);
		assert.equal(parseRetryAfter('soon', now), undefined);
		assert.equal(parseRetryAfter(undefined, now), undefined);
	});

	test('429 with Retry-After (seconds) is honoured over the backoff; 503 with HTTP date too', async () => {
		const clock = fakeClock();
		replies = [
			{ status: 429, headers: { 'retry-after': '3' }, body: { error: { message: 'slow down' } } },
			{ status: 503, headers: { 'retry-after': new Date(clock.now() + 3_000 + 5_000).toUTCString() }, body: 'upstream unavailable' },
			{ body: account },
		];
		const a = meta(clock);
		const info = await a.describeAccount('1');
		assert.equal(info.name, 'A');
		assert.equal(server.requests.length, 3);
		assert.equal(clock.sleeps[0], 3_000);
		// HTTP-date has 1 s resolution; the wait is the date minus the (virtual) now
		assert.ok(clock.sleeps[1] >= 4_000 && clock.sleeps[1] <= 5_000, `sleeps ${clock.sleeps}`);
		assert.equal(a.http.executor.stats.retries, 2);
	});

	test('backoff grows with jitter when there is no Retry-After, then gives up with the last error', async () => {
		const clock = fakeClock();
		replies = [500, 502, 500, 500].map((status) => ({ status, body: { error: { message: 'boom', code: 2 } } }));
		await assert.rejects(meta(clock).describeAccount('1'), (e: unknown) => e instanceof PlatformApiError && e.kind === 'server' && e.httpStatus === 500);
		assert.equal(server.requests.length, 4); // first try + 3 retries
		assert.equal(clock.sleeps.length, 3);
		for (const s of clock.sleeps) assert.ok(s > 0 && s <= 1000, `sleeps ${clock.sleeps}`);
	});

	test('400 and 401 are never retried', async () => {
		replies = [{ status: 400, body: { error: { message: 'Invalid parameter', code: 100 } } }];
		await assert.rejects(meta().describeAccount('1'), (e: unknown) => e instanceof PlatformApiError && e.kind === 'bad_request' && !e.retryable);
		assert.equal(server.requests.length, 1);
		replies = [{ status: 401, body: {} }];
		await assert.rejects(meta().describeAccount('1'), (e: unknown) => e instanceof PlatformApiError && e.kind === 'auth');
		assert.equal(server.requests.length, 2);
	});

	test('a Retry-After longer than the limit is not waited for: error carries retryAfterMs', async () => {
		const clock = fakeClock();
		replies = [{ status: 429, headers: { 'retry-after': '3600' }, body: {} }];
		await assert.rejects(meta(clock, { retry: { maxRetryAfterMs: 60_000 } }).describeAccount('1'), (e: unknown) => e instanceof PlatformApiError && e.retryAfterMs === 3_600_000);
		assert.deepEqual(clock.sleeps, []);
	});

	test('timeouts are retried', async () => {
		let first = true;
		const slow = await startServer(async () => {
			if (first) {
				first = false;
				await new Promise((r) => setTimeout(r, 300));
			}
			return { body: account };
		});
		try {
			const a = new MetaAdsAdapter({ accessToken: TOKEN, baseUrl: slow.base, timeoutMs: 100, clock: fakeClock(), retry: { initialDelayMs: 1 } });
			assert.equal((await a.describeAccount('1')).name, 'A');
			assert.equal(a.http.executor.stats.retries, 1);
		} finally {
			await slow.close();
		}
	});
});

describe('Meta usage headers', () => {
	test('parse all three headers and compute the wait', () => {
		const usage = parseMetaUsage({
			'x-app-usage': '{"call_count":28,"total_time":25,"total_cputime":25}',
			'x-ad-account-usage': '{"acc_id_util_pct":9.67,"reset_time_duration":0,"ads_api_access_tier":"standard_access"}',
			'X-Business-Use-Case-Usage': '{"112233":[{"type":"ads_insights","call_count":80,"total_cputime":12,"total_time":20,"estimated_time_to_regain_access":0}]}',
		})!;
		assert.equal(usage.entries.length, 3);
		assert.equal(usage.maxPct, 80);
		assert.equal(usage.entries[2].businessId, '112233');
		assert.equal(usageDelayMs(usage), 12_000); // (80-75)/25 × 60 s
		assert.equal(usageDelayMs(usage, { thresholdPct: 90 }), 0);
		assert.equal(usageDelayMs(parseMetaUsage({ 'x-app-usage': '{"call_count":100}' })), 60_000);
		assert.equal(usageDelayMs(parseMetaUsage({ 'x-business-use-case-usage': '{"1":[{"type":"ads_management","call_count":50,"estimated_time_to_regain_access":3}]}' })), 180_000);
		assert.equal(parseMetaUsage({ 'x-app-usage': 'not json' }), undefined);
		assert.equal(usageDelayMs(undefined), 0);
	});
});

describe('circuit breaker', () => {
	test('opens after repeated failures, says so, half-opens and closes on success', async () => {
		const breaker = getPlatformBreaker('linkedin', 'test', { threshold: 3, halfOpenAfterMs: 80 });
		const executor = new CallExecutor('linkedin', { breakerScope: 'test', retry: { maxRetries: 0 }, clock: fakeClock() });
		const fail = () => Promise.reject(new PlatformApiError({ platform: 'linkedin', call: 'x', kind: 'server', httpStatus: 503, retryable: true, hint: 'h' }));
		for (let i = 0; i < 3; i++) await assert.rejects(executor.run({ call: 'x' }, fail), (e: unknown) => e instanceof PlatformApiError && e.kind === 'server');
		assert.equal(breaker.state(), 'open');
		let called = false;
		await assert.rejects(
			executor.run({ call: 'fetchDailyMetrics', accountId: '9' }, async () => {
				called = true;
				return 1;
			}),
			(e: unknown) => e instanceof PlatformApiError && e.kind === 'circuit_open' && /LinkedIn failed 3 times in a row/.test(e.message) && (e.retryAfterMs ?? 0) <= 80,
		);
		assert.equal(called, false, 'fails fast while open');
		await new Promise((r) => setTimeout(r, 100));
		assert.equal(await executor.run({ call: 'x' }, async () => 42), 42); // trial call in half-open
		assert.equal(breaker.state(), 'closed');
	});

	test('account errors (401, 404) do not open the circuit', async () => {
		const breaker = getPlatformBreaker('klaviyo', 't2', { threshold: 2, halfOpenAfterMs: 1000 });
		const executor = new CallExecutor('klaviyo', { breakerScope: 't2', retry: { maxRetries: 0 } });
		for (let i = 0; i < 4; i++) {
			await assert.rejects(executor.run({ call: 'x' }, () => Promise.reject(new PlatformApiError({ platform: 'klaviyo', call: 'x', kind: 'auth', httpStatus: 401, retryable: false, hint: 'h' }))));
		}
		assert.equal(breaker.state(), 'closed');
	});
});

describe('rate limiter', () => {
	test('rate-limiter-flexible backed limiter waits for the next window', async () => {
		const limiter = new FlexibleRateLimiter(new RateLimiterMemory({ points: 2, duration: 1 }));
		const started = Date.now();
		assert.equal(await limiter.acquire('meta:1'), 0);
		assert.equal(await limiter.acquire('meta:1'), 0);
		const waited = await limiter.acquire('meta:1');
		assert.ok(waited > 0 && Date.now() - started >= waited - 5, `waited ${waited}`);
		assert.equal(await limiter.acquire('other-key'), 0);
	});

	test('gives up when the wait would exceed the maximum', async () => {
		const limiter = new FlexibleRateLimiter(new RateLimiterMemory({ points: 1, duration: 60 }), { maxWaitMs: 1000 });
		await limiter.acquire('k');
		await assert.rejects(limiter.acquire('k'), RateLimitWaitTooLongError);
	});

	test('executor reports limiter waits', async () => {
		const clock = fakeClock();
		const sleeps: number[] = [];
		let calls = 0;
		const executor = new CallExecutor('meta', {
			breaker: false,
			clock,
			rateLimiter: { acquire: async () => (++calls === 2 ? (sleeps.push(250), 250) : 0) },
		});
		await executor.run({ call: 'a' }, async () => 1);
		await executor.run({ call: 'b' }, async () => 2);
		assert.equal(executor.stats.rateLimitWaitMs, 250);
		assert.equal(executor.stats.requests, 2);
	});
});

describe('secrets never reach messages', () => {
	test('scrubSecrets removes tokens from URLs, headers and JSON', () => {
		const text =
			'GET https://graph.facebook.com/v23.0/act_1/insights?access_token=EAAB123abc&appsecret_proof=deadbeef01&limit=5 ' +
			'Authorization: Bearer ya29.a0AfH6SM-token_value Klaviyo-API-Key pk_abcdef1234567890 {"refresh_token":"1//xyz"}';
		const out = scrubSecrets(text, ['my-literal-secret']);
		for (const secret of ['EAAB123abc', 'deadbeef01', 'ya29.a0AfH6SM-token_value', 'pk_abcdef1234567890', '1//xyz']) assert.ok(!out.includes(secret), `${secret} in ${out}`);
		assert.match(out, /access_token=\*\*\*&appsecret_proof=\*\*\*&limit=5/);
		assert.equal(scrubSecrets('x my-literal-secret y', ['my-literal-secret']), 'x *** y');
	});

	test('an error whose platform message echoes the token and the URL is scrubbed', async () => {
		replies = [{ status: 400, body: { error: { message: `Invalid OAuth access token - Cannot parse access token: ${TOKEN} (url ${server.base}/v23.0/me?access_token=${TOKEN})`, code: 190 } } }];
		await assert.rejects(meta().describeAccount('1'), (e: unknown) => {
			assert.ok(e instanceof PlatformApiError);
			const everything = [e.message, e.stack, JSON.stringify(e), e.platformMessage].join('\n');
			assert.ok(!everything.includes(TOKEN), everything);
			assert.ok(!everything.includes('shh-app-secret'));
			return true;
		});
	});
});
