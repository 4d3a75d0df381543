// Google Ads' account list for the pickers (listAdAccounts) against the sandbox: every customer
// the user reaches, described; customers Google lists but the credential cannot read (outside
// the login customer's tree) are left out rather than failing the whole list; when none can be
// read, the refusal itself is the error.
import { afterAll, beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { GoogleAdsAdapter } from '../../nodes/shared/platforms/google-ads';
import { PlatformApiError } from '../../nodes/shared/resilience/errors';
import { startSandbox, type Sandbox } from '../../scripts/sandbox';
import { sandboxPlatformSettings } from '../helpers/sandbox-adapters';
import { createPlatformAdapter } from '../../nodes/shared/platforms/factory';

describe('Google Ads listAdAccounts', () => {
	let sb: Sandbox;
	beforeAll(async () => {
		sb = await startSandbox({ seed: 7, today: '2026-03-02' });
	});
	afterAll(async () => {
		await sb?.close();
	});
	const adapter = (loginCustomerId: string): GoogleAdsAdapter => {
		const settings = sandboxPlatformSettings(sb, 'google_ads');
		assert.equal(settings.platform, 'google_ads');
		return createPlatformAdapter({ ...(settings as Extract<typeof settings, { loginCustomerId?: string }>), loginCustomerId }, { retry: { maxRetries: 0 } }) as GoogleAdsAdapter;
	};
	const customers = () => sb.world.accounts.filter((a) => a.platform === 'google');

	test('with the manager as login customer: every customer, named, in its currency and time zone', async () => {
		const listed = await adapter(sb.credentials.googleAds.loginCustomerId).listAdAccounts();
		assert.deepEqual(
			listed.map((a) => [a.accountId, a.name, a.currency]).sort(),
			customers().map((a) => [a.id, a.name, a.currency]).sort(),
		);
		assert.ok(customers().length >= 2, 'the world has several Google customers');
	});

	test('with one customer as login customer: the others (refused by Google) are left out, the list does not fail', async () => {
		const [one] = customers();
		const listed = await adapter(one!.id).listAdAccounts();
		assert.deepEqual(listed.map((a) => a.accountId), [one!.id]);
	});

	test('when no customer can be read, the permission refusal is the error', async () => {
		await assert.rejects(adapter('9999999999').listAdAccounts(), (e: unknown) => e instanceof PlatformApiError && e.kind === 'permission' && /cannot access/.test(e.message));
	});
});
