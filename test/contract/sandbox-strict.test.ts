// The sandbox is as strict as the platforms: versions past their sunset are
// refused in each vendor's own words (scripts/sandbox/versions.ts), and
// throttling comes in each platform's own shape (scripts/sandbox/throttling.ts),
// which the package's Meta adapter waits out as Meta asks.
import { describe, test, beforeAll, afterAll } from 'vitest';
import assert from 'node:assert/strict';
import axios from 'axios';
import { startSandbox, type Sandbox } from '../../scripts/sandbox';
import { addDays } from '../../scripts/sandbox/rng';
import { MetaAdsAdapter } from '../../nodes/shared/platforms/meta';
import { PLATFORM_REGISTRY, pinnedApiVersion } from '../../nodes/shared/platforms/registry';
import type { Clock } from '../../nodes/shared/resilience/clock';

const TODAY = '2026-12-06';

describe('sandbox: versions past their sunset are refused as the vendor refuses them', () => {
	let sb: Sandbox;
	beforeAll(async () => {
		sb = await startSandbox({ seed: 3, today: TODAY });
	});
	afterAll(async () => {
		await sb.close();
	});

	test('LinkedIn: 202510 (sunset 2026-10-15) answers 426 NONEXISTENT_VERSION; 202601 is served', async () => {
		const li = (version: string) => axios.get(`${sb.urls.linkedin}/rest/adAccounts/${sb.world.accounts.find((a) => a.platform === 'linkedin')!.id}`, { headers: { Authorization: `Bearer ${sb.credentials.linkedin.accessToken}`, 'LinkedIn-Version': version, 'X-Restli-Protocol-Version': '2.0.0' }, validateStatus: () => true });
		const old = await li('202510');
		assert.equal(old.status, 426);
		assert.deepEqual(old.data, { status: 426, code: 'NONEXISTENT_VERSION', message: 'Requested version 20251001 is not active' });
		assert.equal((await li('202601')).status, 200);
		sb.reset({ today: '2026-10-14' });
		assert.equal((await li('202510')).status, 200, 'served until its sunset day');
		sb.reset({ today: TODAY });
	});

	test('Meta: the registry\'s Marketing API dates: v25.0 is served until 2027-02-23, v24.0 (2026-11-10) answers error 2635 naming the latest version', async () => {
		const act = sb.world.accounts.find((a) => a.platform === 'meta')!.id;
		const get = (version: string) => axios.get(`${sb.urls.meta}/${version}/act_${act}/campaigns`, { params: { access_token: sb.credentials.meta.accessToken }, validateStatus: () => true });
		assert.equal(PLATFORM_REGISTRY.meta.api.history.find((v) => v.version === 'v24.0')?.sunset, '2026-11-10', 'the dates this test names are the registry\'s');
		assert.equal((await get('v25.0')).status, 200);
		assert.equal((await get(pinnedApiVersion('meta'))).status, 200);
		const expired = await get('v24.0');
		assert.equal(expired.status, 400);
		assert.equal(expired.data.error.code, 2635);
		assert.equal(expired.data.error.type, 'OAuthException');
		assert.equal(expired.data.error.message, '(#2635) You are calling a deprecated version of the Ads API. Please update to the latest version: v27.0.');
		assert.equal((await get('v20.0')).data.error?.code, 2635, 'older than the registry lists: long expired');
		sb.reset({ today: '2026-11-09' });
		assert.equal((await get('v24.0')).status, 200, 'served until its sunset day');
		sb.reset({ today: '2027-02-23' });
		assert.equal((await get('v25.0')).data.error?.code, 2635);
		assert.equal((await get('v26.0')).status, 200);
		sb.reset({ today: TODAY });
	});

	test('Klaviyo: a revision is retired two years after its date (JSON:API error); 2025-10-15 is deprecated but served', async () => {
		const kl = (revision: string) => axios.get(`${sb.urls.klaviyo}/api/accounts/`, { headers: { Authorization: `Klaviyo-API-Key ${sb.credentials.klaviyo.apiKey}`, revision }, validateStatus: () => true });
		assert.equal((await kl('2025-10-15')).status, 200);
		const retired = await kl('2024-10-15');
		assert.equal(retired.status, 400);
		assert.equal(retired.data.errors[0].code, 'invalid');
		assert.equal(retired.data.errors[0].status, 400);
		assert.match(retired.data.errors[0].detail, /revision '2024-10-15' has been retired.*'2026-10-15'/);
	});

	test('Google Ads: a sunset version (v22, 2026-10-07) and an unknown one answer 404; v25 is served', async () => {
		const token = await axios.post(sb.urls.googleOAuthToken, new URLSearchParams({ grant_type: 'refresh_token', refresh_token: sb.credentials.googleAds.refreshToken, client_id: sb.credentials.googleAds.clientId, client_secret: sb.credentials.googleAds.clientSecret }));
		const customer = sb.world.accounts.find((a) => a.platform === 'google')!.id.replace(/-/g, '');
		const search = (version: string) =>
			axios.post(`${sb.urls.googleAds}/${version}/customers/${customer}/googleAds:search`, { query: 'SELECT customer.id FROM customer' }, { headers: { Authorization: `Bearer ${token.data.access_token}`, 'developer-token': sb.credentials.googleAds.developerToken, 'login-customer-id': sb.credentials.googleAds.loginCustomerId }, validateStatus: () => true });
		assert.equal((await search('v22')).status, 404);
		assert.equal((await search('v99')).status, 404);
		assert.equal((await search('v25')).status, 200);
	});
});

describe('sandbox: throttling in the platforms own shapes', () => {
	let sb: Sandbox;
	beforeAll(async () => {
		sb = await startSandbox({ seed: 3, today: '2025-06-11' });
	});
	afterAll(async () => {
		await sb.close();
	});

	const clockOf = (s: Sandbox): Clock & { slept: number[] } => {
		const c = { slept: [] as number[], now: () => s.now(), sleep: async (ms: number) => void (c.slept.push(ms), s.advanceClock(ms)) };
		return c;
	};

	test('Meta business-use-case throttling: code 80000 with X-Business-Use-Case-Usage and no Retry-After; the adapter waits the minutes Meta names', async () => {
		const act = sb.world.accounts.find((a) => a.platform === 'meta')!.id;
		sb.injectFault({ route: 'meta.insights', kind: 'throttle', throttle: 'buc', regainMinutes: 3 });
		const raw = await axios.get(`${sb.urls.meta}/v23.0/act_${act}/insights`, { params: { access_token: sb.credentials.meta.accessToken, level: 'campaign' }, validateStatus: () => true });
		assert.equal(raw.status, 400);
		assert.equal(raw.data.error.code, 80000);
		assert.equal(raw.headers['retry-after'], undefined);
		const usage = JSON.parse(String(raw.headers['x-business-use-case-usage']));
		assert.equal(usage[act][0].type, 'ads_insights');
		assert.equal(usage[act][0].estimated_time_to_regain_access, 3);

		const clock = clockOf(sb);
		const adapter = new MetaAdsAdapter({ accessToken: sb.credentials.meta.accessToken, appSecret: sb.credentials.meta.appSecret, apiVersion: 'v23.0', baseUrl: sb.urls.meta, clock, breaker: false });
		sb.injectFault({ route: 'meta.insights', kind: 'throttle', throttle: 'buc', regainMinutes: 2 });
		const result = await adapter.fetchDailyMetrics({ accountId: act, since: addDays('2025-06-11', -3), until: addDays('2025-06-11', -1) });
		assert.ok(result.rows.length > 0);
		assert.ok(clock.slept.some((ms) => ms >= 120_000), `waited the two minutes Meta named: ${clock.slept.join(', ')}`);
	});

	test('Meta user request limit: code 17, subcode 2446079, no Retry-After; the adapter backs off and succeeds', async () => {
		const act = sb.world.accounts.find((a) => a.platform === 'meta')!.id;
		sb.injectFault({ route: 'meta.insights', kind: 'throttle', throttle: 'user' });
		const raw = await axios.get(`${sb.urls.meta}/v23.0/act_${act}/insights`, { params: { access_token: sb.credentials.meta.accessToken, level: 'campaign' }, validateStatus: () => true });
		assert.equal(raw.data.error.code, 17);
		assert.equal(raw.data.error.error_subcode, 2446079);
		assert.equal(raw.headers['retry-after'], undefined);
		const clock = clockOf(sb);
		const adapter = new MetaAdsAdapter({ accessToken: sb.credentials.meta.accessToken, appSecret: sb.credentials.meta.appSecret, apiVersion: 'v23.0', baseUrl: sb.urls.meta, clock, breaker: false });
		sb.injectFault({ route: 'meta.insights', kind: 'throttle', throttle: 'user' });
		const result = await adapter.fetchDailyMetrics({ accountId: act, since: addDays('2025-06-11', -2), until: addDays('2025-06-11', -1) });
		assert.ok(result.rows.length > 0);
		assert.equal(result.meta.retries, 1);
	});

	test('LinkedIn daily limit: 429 without Retry-After in LinkedIn body until midnight UTC, then served again', async () => {
		const account = sb.world.accounts.find((a) => a.platform === 'linkedin')!.id;
		const li = () => axios.get(`${sb.urls.linkedin}/rest/adAccounts/${account}`, { headers: { Authorization: `Bearer ${sb.credentials.linkedin.accessToken}`, 'LinkedIn-Version': '202601', 'X-Restli-Protocol-Version': '2.0.0' }, validateStatus: () => true });
		// start just after midnight UTC
		sb.advanceClock(86_400_000 - (sb.now() % 86_400_000) + 1_000);
		sb.setDailyQuota('linkedin.account', 2);
		assert.equal((await li()).status, 200);
		assert.equal((await li()).status, 200);
		const refused = await li();
		assert.equal(refused.status, 429);
		assert.equal(refused.headers['retry-after'], undefined);
		assert.deepEqual(refused.data, { status: 429, code: 'TOO_MANY_REQUESTS', message: 'Resource level throttle APPLICATION DAY limit for calls to this resource is reached.' });
		sb.advanceClock(20 * 3_600_000);
		assert.equal((await li()).status, 429, 'still the same UTC day');
		sb.advanceClock(4 * 3_600_000);
		assert.equal((await li()).status, 200, 'a new UTC day');
		sb.setDailyQuota('linkedin.account');
	});
});
