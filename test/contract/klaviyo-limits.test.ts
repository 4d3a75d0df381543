// Klaviyo's reporting limits (values reports: burst 1/s, steady 2/min, 225/day
// per account and endpoint) enforced by the sandbox, and the package's
// Klaviyo ingest paced to them. The adapter's clock is the sandbox's clock:
// every wait advances it, so half an hour of pacing takes a second.
import { describe, test, beforeAll, afterAll } from 'vitest';
import assert from 'node:assert/strict';
import axios from 'axios';
import { startSandbox, type Sandbox } from '../../scripts/sandbox';
import { addDays } from '../../scripts/sandbox/rng';
import { KlaviyoAdapter, waitInWords } from '../../nodes/shared/platforms/klaviyo';
import { PlatformApiError } from '../../nodes/shared/resilience/errors';
import { WindowRateLimiter } from '../../nodes/shared/resilience/rate-limiter';
import type { Clock } from '../../nodes/shared/resilience/clock';

const TODAY = '2025-06-11';

/** A clock that is the sandbox's clock: sleeping moves the sandbox's time forward. */
function sandboxClock(sb: Sandbox): Clock & { slept: number } {
	const clock = {
		slept: 0,
		now: () => sb.now(),
		sleep: async (ms: number) => {
			clock.slept += ms;
			sb.advanceClock(ms);
		},
	};
	return clock;
}

function reportBody(sb: Sandbox, type: string, day: string) {
	return { data: { type, attributes: { statistics: ['recipients'], timeframe: { start: `${day}T00:00:00+00:00`, end: `${addDays(day, 1)}T00:00:00+00:00` }, conversion_metric_id: sb.world.klaviyo.placedOrderMetricId } } };
}

describe('Klaviyo reporting limits', () => {
	let sb: Sandbox;
	beforeAll(async () => {
		sb = await startSandbox({ seed: 5, today: TODAY, enforceLimits: true });
	});
	afterAll(async () => {
		await sb.close();
	});

	test('the sandbox answers 429 with Klaviyo body and Retry-After past each window, and the RateLimit headers before', async () => {
		sb.reset();
		const kl = axios.create({ baseURL: `${sb.urls.klaviyo}/api`, headers: { Authorization: `Klaviyo-API-Key ${sb.credentials.klaviyo.apiKey}`, revision: '2025-10-15', 'content-type': 'application/vnd.api+json' }, validateStatus: () => true });
		// start on a fresh minute so the windows are predictable
		sb.advanceClock(60_000 - (sb.now() % 60_000) + 10);
		const first = await kl.post('/campaign-values-reports/', reportBody(sb, 'campaign-values-report', '2025-06-01'));
		assert.equal(first.status, 200);
		assert.equal(first.headers['ratelimit-limit'], '2');
		assert.equal(first.headers['ratelimit-remaining'], '1');
		const burst = await kl.post('/campaign-values-reports/', reportBody(sb, 'campaign-values-report', '2025-06-02'));
		assert.equal(burst.status, 429, 'a second request in the same second is over the burst limit');
		assert.equal(burst.headers['retry-after'], '1');
		assert.equal(burst.data.errors[0].code, 'throttled');
		assert.equal(burst.data.errors[0].status, 429);
		assert.match(burst.data.errors[0].detail, /^Request was throttled\. Expected available in 1 second\.$/);
		// the other endpoint has its own windows
		assert.equal((await kl.post('/flow-values-reports/', reportBody(sb, 'flow-values-report', '2025-06-01'))).status, 200);
		sb.advanceClock(1_000);
		const second = await kl.post('/campaign-values-reports/', reportBody(sb, 'campaign-values-report', '2025-06-02'));
		assert.equal(second.status, 200);
		assert.equal(second.headers['ratelimit-remaining'], '0');
		sb.advanceClock(1_000);
		const steady = await kl.post('/campaign-values-reports/', reportBody(sb, 'campaign-values-report', '2025-06-03'));
		assert.equal(steady.status, 429, 'a third request in the same minute is over the steady limit');
		const wait = Number(steady.headers['retry-after']);
		assert.ok(wait >= 50 && wait <= 60, `Retry-After ${wait} s is the rest of the minute`);
		sb.advanceClock(wait * 1000);
		assert.equal((await kl.post('/campaign-values-reports/', reportBody(sb, 'campaign-values-report', '2025-06-03'))).status, 200);
	});

	test('225 values reports a day per endpoint, then 429 until the next UTC day', async () => {
		sb.reset();
		const kl = axios.create({ baseURL: `${sb.urls.klaviyo}/api`, headers: { Authorization: `Klaviyo-API-Key ${sb.credentials.klaviyo.apiKey}`, revision: '2025-10-15', 'content-type': 'application/vnd.api+json' }, validateStatus: () => true });
		// start just after midnight UTC so 225 requests at 2/min stay in one day
		sb.advanceClock(86_400_000 - (sb.now() % 86_400_000) + 10);
		let ok = 0;
		for (let i = 0; i < 225; i++) {
			const r = await kl.post('/flow-values-reports/', reportBody(sb, 'flow-values-report', '2025-06-01'));
			assert.equal(r.status, 200, `request ${i + 1}`);
			ok++;
			sb.advanceClock(i % 2 === 0 ? 1_000 : 59_000);
		}
		assert.equal(ok, 225);
		const refused = await kl.post('/flow-values-reports/', reportBody(sb, 'flow-values-report', '2025-06-01'));
		assert.equal(refused.status, 429);
		const retryAfter = Number(refused.headers['retry-after']);
		const untilMidnight = Math.ceil((86_400_000 - (sb.now() % 86_400_000)) / 1000);
		assert.ok(Math.abs(retryAfter - untilMidnight) <= 1, `Retry-After ${retryAfter} s is the time to midnight UTC (${untilMidnight} s)`);
		sb.advanceClock(retryAfter * 1000);
		assert.equal((await kl.post('/flow-values-reports/', reportBody(sb, 'flow-values-report', '2025-06-01'))).status, 200);
	});

	test('a 60-day backfill for one account finishes with 0 rejected requests and says how long it waited', async (t) => {
		sb.reset();
		const clock = sandboxClock(sb);
		const adapter = new KlaviyoAdapter({ apiKey: sb.credentials.klaviyo.apiKey, baseUrl: sb.urls.klaviyo, clock, breaker: false });
		const since = addDays(TODAY, -60);
		const until = addDays(TODAY, -1);
		const result = await adapter.fetchDailyMetrics({ accountId: '', since, until });
		const reports = sb.requests({ platform: 'klaviyo' }).filter((r) => r.route === 'klaviyo.campaignReport' || r.route === 'klaviyo.flowReport');
		assert.equal(reports.length, 120, 'one campaign and one flow report per day');
		assert.deepEqual(
			sb.requests({ platform: 'klaviyo' }).filter((r) => r.status === 429),
			[],
			'no request was rejected',
		);
		assert.equal(result.meta.retries, 0);
		// 60 reports per endpoint at 2 a minute: 30 minute windows, the first one partly gone when the run starts
		assert.ok(result.meta.rateLimitWaitMs >= 28 * 60_000, `waited ${result.meta.rateLimitWaitMs} ms`);
		assert.ok(result.meta.rateLimitWaitMs <= 32 * 60_000, `waited ${result.meta.rateLimitWaitMs} ms, no more than needed`);
		const warning = result.warnings.find((w) => w.includes('paced 120 report requests'));
		assert.ok(warning, result.warnings.join('\n'));
		assert.ok(warning.includes(`waited ${waitInWords(result.meta.rateLimitWaitMs)}`), warning);
		assert.match(warning, /waited (28|29|30|31) minutes/);
		void t.annotate(`${warning} (${result.meta.rateLimitWaitMs} ms on the sandbox's clock, 0 of ${reports.length} report requests rejected)`);
		// ground truth: every day with email results is a row
		const k = sb.world.klaviyo;
		let expected = 0;
		for (const src of [...k.campaigns, ...k.flows]) expected += src.daily.filter((d) => d.date >= since && d.date <= until && (d.recipients || d.opens || d.conversions)).length;
		assert.equal(result.rows.length, expected);
	});

	test('unpaced, the same backfill meets Klaviyo 429s (the sandbox is what makes the pacing necessary)', async () => {
		sb.reset();
		const clock = sandboxClock(sb);
		const adapter = new KlaviyoAdapter({ apiKey: sb.credentials.klaviyo.apiKey, baseUrl: sb.urls.klaviyo, clock, breaker: false, reportLimits: false, retry: { maxRetries: 0 } });
		await assert.rejects(adapter.fetchDailyMetrics({ accountId: '', since: addDays(TODAY, -10), until: addDays(TODAY, -1) }), (error: unknown) => {
			assert.ok(error instanceof PlatformApiError);
			assert.equal(error.kind, 'rate_limited');
			assert.ok((error.retryAfterMs ?? 0) >= 1000);
			return true;
		});
		assert.ok(sb.requests({ platform: 'klaviyo' }).some((r) => r.status === 429));
	});

	test('a window Klaviyo cannot serve in a day is refused before any request', async () => {
		sb.reset();
		const adapter = new KlaviyoAdapter({ apiKey: sb.credentials.klaviyo.apiKey, baseUrl: sb.urls.klaviyo, clock: sandboxClock(sb), breaker: false });
		await assert.rejects(adapter.fetchDailyMetrics({ accountId: '', since: addDays(TODAY, -300), until: addDays(TODAY, -1) }), /300 days needs 300 values reports of each kind, and Klaviyo allows 225 a day/);
		assert.equal(sb.requests({ platform: 'klaviyo' }).length, 0);
	});
});

describe('WindowRateLimiter', () => {
	function fake(): Clock & { t: number } {
		const c = { t: 1_000_000, now: () => c.t, sleep: async (ms: number) => void (c.t += ms) };
		return c;
	}

	test('holds every window at once, per key, and says what it waited', async () => {
		const clock = fake();
		const limiter = new WindowRateLimiter([{ points: 1, durationMs: 1_000 }, { points: 2, durationMs: 60_000 }], { clock, marginMs: 0 });
		assert.equal(await limiter.acquire('a'), 0);
		assert.equal(await limiter.acquire('a'), 1_000);
		assert.equal(await limiter.acquire('b'), 0, 'another key has its own windows');
		assert.equal(await limiter.acquire('a'), 59_000, 'the third in a minute waits for the first to leave the minute');
		assert.equal(limiter.waitMs('a'), 1_000);
	});

	test('a hold from the server delays the key; too long a wait is refused, not slept', async () => {
		const clock = fake();
		const limiter = new WindowRateLimiter([{ points: 1, durationMs: 1_000 }], { clock, marginMs: 0, maxWaitMs: 10_000 });
		limiter.hold('k', 5_000);
		assert.equal(await limiter.acquire('k'), 5_000);
		limiter.hold('k', 60_000);
		await assert.rejects(limiter.acquire('k'), /needs a wait of 60000 ms/);
	});
});
