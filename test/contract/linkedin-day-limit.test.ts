/**
 * LinkedIn's daily limits reset at midnight UTC and its 429 carries no
 * Retry-After: the package's LinkedIn adapter, against the sandbox's
 * day-limit throttle (fault and daily quota), stops at once (no retries that
 * cannot help), says when the limit resets, and carries the wait until
 * midnight UTC as retryAfterMs. A 429 with Retry-After stays a short,
 * retried throttle.
 */
import assert from 'node:assert/strict';
import { afterAll, beforeAll, describe, test } from 'vitest';
import { createPlatformAdapter } from '../../nodes/shared/platforms/factory';
import { pinnedApiVersion } from '../../nodes/shared/platforms/registry';
import { PlatformApiError } from '../../nodes/shared/resilience/errors';
import { startSandbox, type Sandbox } from '../../scripts/sandbox';

const DAY_MS = 86_400_000;

describe('LinkedIn daily limit (sandbox)', () => {
	let sb: Sandbox;
	let account: string;
	beforeAll(async () => {
		sb = await startSandbox({ seed: 4 });
		account = sb.world.accounts.find((a) => a.platform === 'linkedin')!.id;
	});
	afterAll(async () => {
		await sb?.close();
	});
	const adapter = () => createPlatformAdapter({ platform: 'linkedin', accessToken: sb.credentials.linkedin.accessToken, linkedInVersion: pinnedApiVersion('linkedin'), baseUrl: sb.urls.linkedin, accountIds: [] }, { retry: { maxRetries: 3, initialDelayMs: 1, maxDelayMs: 5 }, breaker: false });

	for (const throttle of ['day', 'user'] as const) {
		test(`${throttle === 'day' ? 'an application' : 'a member'} day limit: not retried, resets at midnight UTC, said in hours`, async () => {
			sb.clearFaults();
			const before = sb.requests({ route: 'linkedin.account' }).length;
			sb.injectFault({ route: 'linkedin.account', kind: 'throttle', throttle, count: 5 });
			const t0 = Date.now();
			const error = await adapter().describeAccount(account).then(
				() => assert.fail('a day limit answered'),
				(e: unknown) => e,
			);
			const t1 = Date.now();
			sb.clearFaults();
			assert.ok(error instanceof PlatformApiError, String(error));
			assert.equal(sb.requests({ route: 'linkedin.account' }).length - before, 1, 'one request: a retry cannot help before midnight UTC');
			assert.equal(error.kind, 'rate_limited');
			assert.equal(error.retryable, false);
			assert.equal(error.httpStatus, 429);
			const untilMidnight = (t: number) => DAY_MS - (t % DAY_MS);
			assert.ok(error.retryAfterMs !== undefined && error.retryAfterMs <= untilMidnight(t0) && error.retryAfterMs >= untilMidnight(t1), `retryAfterMs ${error.retryAfterMs}`);
			const hours = Math.round(error.retryAfterMs / 3_600_000);
			const when = hours >= 1 ? `${hours} ${hours === 1 ? 'hour' : 'hours'}` : `\\d+ minutes`;
			assert.match(error.hint, new RegExp(`^LinkedIn's daily limit for this ${throttle === 'day' ? 'app' : 'member'} is used up; it resets at midnight UTC \\(in ${when}\\)$`));
			assert.match(error.message, /TOO_MANY_REQUESTS/);
		});
	}

	test('the daily quota of a route: served until it is used up, then the same answer', async () => {
		sb.setDailyQuota('linkedin.account', 1);
		try {
			await adapter().describeAccount(account);
			await assert.rejects(adapter().describeAccount(account), (e: unknown) => e instanceof PlatformApiError && e.kind === 'rate_limited' && !e.retryable && /resets at midnight UTC/.test(e.hint));
		} finally {
			sb.setDailyQuota('linkedin.account');
		}
	});

	test('a 429 with Retry-After is a short throttle: retried, then served', async () => {
		sb.injectFault({ route: 'linkedin.account', kind: '429', retryAfter: 0, count: 1 });
		const info = await adapter().describeAccount(account);
		assert.ok(info.currency);
	});
});
