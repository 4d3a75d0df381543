import { test, describe, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { errors, type Hooks } from 'google-ads-api';
import { GoogleAdsAdapter, durationToMs, googleErrorCode } from '../../nodes/shared/platforms/google-ads';
import { PlatformApiError } from '../../nodes/shared/resilience/errors';
import { resetPlatformBreakers } from '../../nodes/shared/resilience/breaker';
import { fixture, fakeClock } from '../fixtures/platforms/server';

const SECRETS = { clientId: 'cid.apps.googleusercontent.com', clientSecret: 'GOCSPX-client-secret', developerToken: 'dev-token-secret-xyz', refreshToken: '1//refresh-token-secret' };

/** A simulated Google Ads: answers GAQL by cancelling the real client's query with fixture rows. */
function simulated(answer: (query: string, customerId: string) => unknown): { hooks: Hooks; queries: string[] } {
	const queries: string[] = [];
	return {
		queries,
		hooks: {
			onQueryStart: ({ query, credentials, cancel }) => {
				queries.push(query);
				cancel(answer(query, credentials.customer_id));
			},
		},
	};
}

beforeEach(() => resetPlatformBreakers());

describe('Google Ads via google-ads-api hooks', () => {
	test('GAQL daily query; micros → spend exactly; fractional conversions kept', async () => {
		const sim = simulated((q, customer) => {
			assert.equal(customer, '1234567890');
			return q.includes('FROM customer') ? fixture('google-ads-customer.json') : fixture('google-ads-daily.json');
		});
		const adapter = new GoogleAdsAdapter({ ...SECRETS, loginCustomerId: '111-222-3333', hooks: sim.hooks, clock: fakeClock() });
		const result = await adapter.fetchDailyMetrics({ accountId: '123-456-7890', since: '2025-03-01', until: '2025-03-02' });
		assert.match(sim.queries[1], /metrics\.cost_micros/);
		assert.match(sim.queries[1], /segments\.date BETWEEN '2025-03-01' AND '2025-03-02'/);
		assert.equal(result.account.currency, 'GBP');
		assert.equal(result.account.timezone, 'Europe/London');
		assert.equal(result.account.name, 'Acme Search');
		const [brand, generic, big] = result.rows;
		assert.deepEqual({ ...brand, raw: null }, { platform: 'google_ads', accountId: '1234567890', campaignId: '111', campaignName: 'Brand', date: '2025-03-01', currency: 'GBP', spend: 12345.67, impressions: 4000, clicks: 210, conversions: 12.5, revenue: 1043.37, leads: null, raw: null });
		assert.equal(generic.spend, 0.01);
		assert.equal(generic.conversions, 0); // omitted proto3 default
		assert.equal(big.spend, 9007199254.740993); // INT64 string beyond 2^53 converted exactly
		assert.equal(big.conversions, 0.333333);
		assert.equal(result.meta.requests, 2);
	});

	test('RESOURCE_EXHAUSTED surfaces as a typed quota error with the retry delay, not retried', async () => {
		let calls = 0;
		const hooks: Hooks = {
			onQueryStart: () => {
				calls += 1;
				throw new errors.GoogleAdsFailure({
					errors: [
						{
							error_code: { quota_error: errors.QuotaErrorEnum.QuotaError.RESOURCE_EXHAUSTED },
							message: 'Number of operations for basic access has been exceeded.',
							details: { quota_error_details: { rate_scope: errors.QuotaErrorDetails.QuotaRateScope.DEVELOPER, rate_name: 'Number of operations for basic access', retry_delay: { seconds: 3600 } } },
						},
					],
					request_id: 'req-1',
				});
			},
		};
		const adapter = new GoogleAdsAdapter({ ...SECRETS, hooks, clock: fakeClock() });
		await assert.rejects(adapter.describeAccount('1234567890'), (e: unknown) => {
			assert.ok(e instanceof PlatformApiError);
			assert.equal(e.kind, 'quota');
			assert.equal(e.code, 'quota_error.RESOURCE_EXHAUSTED');
			assert.equal(e.retryAfterMs, 3_600_000);
			assert.equal(e.retryable, false);
			assert.match(e.hint, /3600 s/);
			for (const s of Object.values(SECRETS).slice(1)) assert.ok(!JSON.stringify(e).includes(s));
			return true;
		});
		assert.equal(calls, 1);
	});

	test('RESOURCE_TEMPORARILY_EXHAUSTED (REST JSON shape) is retried after its delay', async () => {
		const clock = fakeClock();
		let calls = 0;
		const hooks: Hooks = {
			onQueryStart: ({ cancel }) => {
				calls += 1;
				if (calls === 1) {
					throw new errors.GoogleAdsFailure({
						errors: [{ error_code: { quota_error: 'RESOURCE_TEMPORARILY_EXHAUSTED' }, message: 'Too many requests. Retry in 12 seconds.', details: { quota_error_details: { retry_delay: '12s' } } }],
					} as never);
				}
				cancel(fixture('google-ads-customer.json'));
			},
		};
		const account = await new GoogleAdsAdapter({ ...SECRETS, hooks, clock }).describeAccount('1234567890');
		assert.equal(account.currency, 'GBP');
		assert.equal(calls, 2);
		assert.ok(clock.sleeps.includes(12_000), `sleeps ${clock.sleeps}`);
	});

	test('permission and auth failures get hints', async () => {
		const failing = (error_code: object) =>
			new GoogleAdsAdapter({ ...SECRETS, clock: fakeClock(), hooks: { onQueryStart: () => { throw new errors.GoogleAdsFailure({ errors: [{ error_code, message: 'denied' }] }); } } });
		await assert.rejects(failing({ authorization_error: errors.AuthorizationErrorEnum.AuthorizationError.USER_PERMISSION_DENIED }).describeAccount('1'), (e: unknown) => e instanceof PlatformApiError && e.kind === 'permission' && /login customer id/.test(e.hint));
		await assert.rejects(failing({ authorization_error: 'DEVELOPER_TOKEN_NOT_APPROVED' }).describeAccount('1'), (e: unknown) => e instanceof PlatformApiError && /Basic access/.test(e.hint));
		await assert.rejects(failing({ authentication_error: 'OAUTH_TOKEN_EXPIRED' }).describeAccount('1'), (e: unknown) => e instanceof PlatformApiError && e.kind === 'auth');
	});

	test('helpers: durations and enum names', () => {
		assert.equal(durationToMs({ seconds: 2, nanos: 500_000_000 }), 2500);
		assert.equal(durationToMs('1.5s'), 1500);
		assert.equal(durationToMs(undefined), undefined);
		assert.deepEqual(googleErrorCode({ quota_error: 2 }), ['quota_error', 'RESOURCE_EXHAUSTED']);
	});
});
