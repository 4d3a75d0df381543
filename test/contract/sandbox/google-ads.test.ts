import assert from 'node:assert/strict';
import { afterAll, beforeAll, beforeEach, describe, it } from 'vitest';
import { errors } from 'google-ads-api';
import { accountTotals, findAccount, startSandbox, type Sandbox } from '../../../scripts/sandbox';
import { GoogleAdsAdapter, type GoogleAdsAdapterConfig } from '../../../nodes/shared/platforms/google-ads';
import { clearGoogleAccessTokenCache } from '../../../nodes/shared/platforms/google-ads-rest';
import { PlatformApiError } from '../../../nodes/shared/resilience/errors';
import { resetPlatformBreakers } from '../../../nodes/shared/resilience/breaker';
import { fakeClock } from '../../fixtures/platforms/server';

const TODAY = '2025-03-10';
const PAGE = 7;
const GAQL = `SELECT campaign.id, campaign.name, campaign.status, segments.date, metrics.cost_micros, metrics.impressions, metrics.clicks, metrics.conversions, metrics.conversions_value, customer.currency_code, customer.time_zone FROM campaign WHERE segments.date BETWEEN '2025-02-01' AND '2025-02-28'`;

type Json = Record<string, unknown>;

/** `{quotaError: 'RESOURCE_EXHAUSTED'}` names a value of the library's `errors.QuotaErrorEnum.QuotaError`. */
function libraryKnows(errorCode: Record<string, string>): boolean {
	const [[category, name]] = Object.entries(errorCode) as [[string, string]];
	const pascal = category.charAt(0).toUpperCase() + category.slice(1);
	const e = (errors as unknown as Record<string, Record<string, Record<string, unknown>> | undefined>)[`${pascal}Enum`]?.[pascal];
	return typeof e?.[name] === 'number';
}

describe('sandbox: Google Ads REST API and OAuth token endpoint', () => {
	let sb: Sandbox;
	let token: string;
	const api = (path: string) => `${sb.urls.googleAds}/v25/customers/${path}`;
	const post = async (url: string, body: unknown, headers: Record<string, string | undefined> = {}) => {
		const h: Record<string, string> = { 'content-type': 'application/json', authorization: `Bearer ${token}`, 'developer-token': sb.credentials.googleAds.developerToken };
		for (const [k, v] of Object.entries(headers)) if (v === undefined) delete h[k];
		else h[k] = v;
		const res = await fetch(url, { method: 'POST', headers: h, body: JSON.stringify(body) });
		return { status: res.status, body: (await res.json()) as unknown };
	};
	const failureOf = (body: unknown) => ((body as { error: { details: Array<{ errors: Array<{ errorCode: Record<string, string>; message: string; details?: Json }> }> } }).error.details[0]!.errors[0]!);

	beforeAll(async () => {
		sb = await startSandbox({ seed: 5, today: TODAY, googleAdsPageSize: PAGE });
		const g = sb.credentials.googleAds;
		const res = await fetch(sb.urls.googleOAuthToken, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: g.refreshToken, client_id: g.clientId, client_secret: g.clientSecret }) });
		assert.equal(res.status, 200);
		const t = (await res.json()) as { access_token: string; expires_in: number; token_type: string };
		assert.equal(t.token_type, 'Bearer');
		assert.equal(t.expires_in, 3599);
		token = t.access_token;
	});
	afterAll(() => sb.close());

	it('token endpoint: refresh-token grant; invalid_grant and invalid_client as Google answers them', async () => {
		const g = sb.credentials.googleAds;
		const grant = (over: Record<string, string>) => fetch(sb.urls.googleOAuthToken, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: g.refreshToken, client_id: g.clientId, client_secret: g.clientSecret, ...over }) });
		const bad = await grant({ refresh_token: 'revoked' });
		assert.equal(bad.status, 400);
		assert.deepEqual(await bad.json(), { error: 'invalid_grant', error_description: 'Token has been expired or revoked.' });
		const client = await grant({ client_secret: 'nope' });
		assert.equal(client.status, 401);
		assert.equal(((await client.json()) as Json).error, 'invalid_client');
		assert.equal((await grant({ grant_type: 'password' })).status, 400);
	});

	it('search: REST rows (camelCase, INT64 as strings, enum names), fixed-size pages with page tokens, fieldMask, summary row', async () => {
		const rows: Json[] = [];
		let pageToken: string | undefined;
		let pages = 0;
		let last: Json = {};
		do {
			const res = await post(api('1234567890/googleAds:search'), { query: GAQL, ...(pageToken ? { pageToken } : {}), searchSettings: { returnSummaryRow: true, returnTotalResultsCount: true } });
			assert.equal(res.status, 200, JSON.stringify(res.body));
			last = res.body as Json;
			rows.push(...((last.results as Json[]) ?? []));
			pageToken = last.nextPageToken as string | undefined;
			pages += 1;
			if (pageToken) assert.equal((last.results as unknown[]).length, PAGE);
		} while (pageToken);
		assert.ok(pages > 2);
		assert.equal(Number(last.totalResultsCount), rows.length);
		assert.equal(last.fieldMask, 'campaign.id,campaign.name,campaign.status,segments.date,metrics.costMicros,metrics.impressions,metrics.clicks,metrics.conversions,metrics.conversionsValue,customer.currencyCode,customer.timeZone');
		const r = rows[0] as { campaign: Json; metrics: Json; segments: Json; customer: Json };
		assert.match(String(r.campaign.resourceName), /^customers\/1234567890\/campaigns\/\d+$/);
		assert.equal(typeof r.campaign.id, 'string');
		assert.ok(r.campaign.status === 'ENABLED' || r.campaign.status === 'PAUSED');
		for (const k of ['costMicros', 'impressions', 'clicks']) assert.match(String(r.metrics[k]), /^\d+$/, k);
		assert.equal(typeof r.metrics.costMicros, 'string');
		assert.equal(typeof r.metrics.conversions, 'number');
		assert.equal(r.customer.resourceName, 'customers/1234567890');
		const truth = accountTotals(findAccount(sb.world, 'google', '1234567890')!, '2025-02-01', '2025-02-28');
		const micros = rows.reduce((s, x) => s + Number((x.metrics as Json).costMicros), 0);
		assert.equal(micros, Math.round(truth.spend * 1e6));
		assert.equal((last.summaryRow as { metrics: Json }).metrics.costMicros, String(micros));
		// Google's v17+ rules and errors.
		const sized = await post(api('1234567890/googleAds:search'), { query: GAQL, pageSize: 5 });
		assert.equal(sized.status, 400);
		assert.deepEqual(failureOf(sized.body).errorCode, { requestError: 'PAGE_SIZE_NOT_SUPPORTED' });
		const token2 = await post(api('1234567890/googleAds:search'), { query: GAQL, pageToken: 'forged' });
		assert.deepEqual(failureOf(token2.body).errorCode, { requestError: 'INVALID_PAGE_TOKEN' });
		// proto field names are valid proto3 JSON too (google-ads-api sends page_token snake_case)
		const first = await post(api('1234567890/googleAds:search'), { query: GAQL });
		const second = await post(api('1234567890/googleAds:search'), { query: GAQL, page_token: (first.body as Json).nextPageToken });
		assert.deepEqual((second.body as Json).results, rows.slice(PAGE, 2 * PAGE));
	});

	it('searchStream: a JSON array of batches; errors as a one-element array in Google\'s error shape', async () => {
		const res = await post(api('9876543210/googleAds:searchStream'), { query: GAQL });
		assert.equal(res.status, 200);
		const batches = res.body as Array<{ results?: Json[]; fieldMask: string; requestId: string }>;
		assert.ok(batches.length > 1);
		assert.ok(batches.slice(0, -1).every((b) => b.results!.length === PAGE));
		assert.match(batches[0]!.requestId, /^[a-z0-9]{22}$/);
		const rows = batches.flatMap((b) => b.results ?? []);
		for (const row of rows) assert.equal(Number((row.metrics as Json).costMicros) % 1_000_000, 0, 'JPY has no minor unit');
		const bad = await post(api('1234567890/googleAds:searchStream'), { query: 'SELECT campaign.bogus FROM campaign' });
		assert.equal(bad.status, 400);
		assert.ok(Array.isArray(bad.body));
		const envelope = (bad.body as Array<{ error: { code: number; status: string; details: Array<{ '@type': string }> } }>)[0]!.error;
		assert.equal(envelope.status, 'INVALID_ARGUMENT');
		assert.equal(envelope.details[0]!['@type'], 'type.googleapis.com/google.ads.googleads.v25.errors.GoogleAdsFailure');
		assert.deepEqual(failureOf(envelope && { error: envelope }).errorCode, { queryError: 'UNRECOGNIZED_FIELD' });
		const inherited = await post(api('1234567890/googleAds:searchStream'), { query: 'SELECT constructor FROM campaign' });
		assert.equal(inherited.status, 400, 'a name inherited from Object.prototype is not a field');
		assert.deepEqual(failureOf({ error: (inherited.body as Array<{ error: unknown }>)[0]!.error }).errorCode, { queryError: 'UNRECOGNIZED_FIELD' });
	});

	it('checks Authorization, developer-token and login-customer-id as Google does; every error code is one the library knows', async () => {
		const codes: Array<Record<string, string>> = [];
		const missing = await post(api('1234567890/googleAds:search'), { query: GAQL }, { authorization: undefined });
		assert.equal(missing.status, 401);
		assert.equal((missing.body as { error: Json }).error.status, 'UNAUTHENTICATED');
		assert.equal((missing.body as { error: Json }).error.details, undefined);
		const forged = await post(api('1234567890/googleAds:search'), { query: GAQL }, { authorization: 'Bearer ya29.sandbox.99999999999999.x' });
		assert.equal(forged.status, 401);
		const dev = await post(api('1234567890/googleAds:search'), { query: GAQL }, { 'developer-token': 'wrong' });
		assert.equal(dev.status, 401);
		codes.push(failureOf(dev.body).errorCode);
		const noDev = await post(api('1234567890/googleAds:search'), { query: GAQL }, { 'developer-token': undefined });
		codes.push(failureOf(noDev.body).errorCode);
		assert.equal((await post(api('1234567890/googleAds:search'), { query: GAQL }, { 'login-customer-id': sb.credentials.googleAds.loginCustomerId })).status, 200);
		const login = await post(api('1234567890/googleAds:search'), { query: GAQL }, { 'login-customer-id': '5555555555' });
		assert.equal(login.status, 403);
		codes.push(failureOf(login.body).errorCode);
		const unknown = await post(api('1111111111/googleAds:search'), { query: GAQL });
		codes.push(failureOf(unknown.body).errorCode);
		for (const q of ['SELECT campaign.id FROM ad_group', 'SELECT segments.date, metrics.clicks FROM campaign', 'SELECT campaign.id FROM campaign WHERE segments.date DURING NEXT_YEAR']) codes.push(failureOf((await post(api('1234567890/googleAds:search'), { query: q })).body).errorCode);
		const account = findAccount(sb.world, 'google', '1234567890')!;
		const c = account.campaigns[0]!;
		for (const body of [
			{ operations: [{ update: { resourceName: `customers/1234567890/campaignBudgets/${c.budgetId}`, amountMicros: '1234' }, updateMask: 'amountMicros' }] },
			{ operations: [{ update: { resourceName: `customers/1234567890/campaignBudgets/${c.budgetId}`, amountMicros: '-10000' }, updateMask: 'amountMicros' }] },
			{ operations: [{ update: { resourceName: `customers/1234567890/campaignBudgets/1` , amountMicros: '10000' }, updateMask: 'amountMicros' }] },
			{ operations: [{ update: { resourceName: `customers/1234567890/campaignBudgets/${c.budgetId}`, amountMicros: '10000' } }] },
			{ operations: [{ create: { name: 'x' } }] },
		]) codes.push(failureOf((await post(api('1234567890/campaignBudgets:mutate'), body)).body).errorCode);
		sb.injectFault({ route: 'googleads.search', kind: '429', retryAfter: 3 });
		codes.push(failureOf((await post(api('1234567890/googleAds:search'), { query: GAQL })).body).errorCode);
		sb.injectFault({ route: 'googleads.search', kind: '5xx' });
		codes.push(failureOf((await post(api('1234567890/googleAds:search'), { query: GAQL })).body).errorCode);
		assert.equal(codes.length, 14);
		for (const code of codes) assert.ok(libraryKnows(code), JSON.stringify(code));
	});
});

describe('sandbox: the Google Ads adapter pointed at it by apiBaseUrl and tokenUrl', () => {
	let sb: Sandbox;
	const config = (extra: Partial<GoogleAdsAdapterConfig> = {}): GoogleAdsAdapterConfig => ({ ...sb.credentials.googleAds, apiBaseUrl: sb.urls.googleAds, tokenUrl: sb.urls.googleOAuthToken, clock: fakeClock(), ...extra });
	beforeAll(async () => {
		sb = await startSandbox({ seed: 5, today: TODAY, googleAdsPageSize: PAGE });
	});
	beforeEach(() => {
		sb.reset();
		clearGoogleAccessTokenCache();
		resetPlatformBreakers();
	});
	afterAll(() => sb.close());

	it('fetchDailyMetrics returns the ground truth to the micro for a window read over many stream batches', async () => {
		const adapter = new GoogleAdsAdapter(config());
		for (const id of ['123-456-7890', '9876543210']) {
			const result = await adapter.fetchDailyMetrics({ accountId: id, since: '2025-02-01', until: '2025-02-28' });
			const account = findAccount(sb.world, 'google', id.replace(/-/g, ''))!;
			assert.equal(result.account.currency, account.currency);
			assert.equal(result.account.timezone, account.timezone);
			assert.equal(result.account.name, account.name);
			const expected = account.campaigns.flatMap((c) => c.daily.filter((d) => d.date >= '2025-02-01' && d.date <= '2025-02-28' && d.impressions > 0).map((d) => ({ c, d })));
			assert.equal(result.rows.length, expected.length);
			assert.ok(result.meta.pages > 1, `pages ${result.meta.pages}`);
			assert.equal(result.meta.pages, Math.ceil(expected.length / PAGE));
			for (const { c, d } of expected) {
				const row = result.rows.find((r) => r.campaignId === c.id && r.date === d.date);
				assert.ok(row, `${c.id} ${d.date}`);
				assert.equal(Math.round((row.spend as number) * 1e6), Math.round(d.spend * 1e6), `${c.id} ${d.date} spend`);
				assert.deepEqual([row.impressions, row.clicks, row.conversions, row.currency, row.campaignName], [d.impressions, d.clicks, d.conversions, account.currency, c.name]);
			}
			const truth = accountTotals(account, '2025-02-01', '2025-02-28');
			assert.equal(result.rows.reduce((s, r) => s + Math.round((r.spend as number) * 1e6), 0), Math.round(truth.spend * 1e6));
		}
		const streams = sb.requests({ route: 'googleads.searchStream' });
		assert.equal(streams.length, 4);
		assert.ok(streams.every((r) => r.path.startsWith('/googleads/v25/customers/') && r.status === 200));
		assert.equal(sb.requests({ route: 'googleoauth.token' }).length, 1, 'one access token for all calls');
	});

	it('expired tokens are refreshed; a wrong refresh token is an auth error with a hint and no API call', async () => {
		const adapter = new GoogleAdsAdapter(config());
		await adapter.describeAccount('1234567890');
		sb.advance(1); // the cached token's hour is long over in sandbox time
		const campaigns = await adapter.listCampaigns('1234567890');
		assert.equal(campaigns.campaigns.length, 5);
		assert.equal(sb.requests({ route: 'googleoauth.token' }).length, 2);
		assert.deepEqual(sb.requests({ route: 'googleads.searchStream' }).map((r) => r.status), [200, 401, 200]);
		const before = sb.requests({ platform: 'googleads' }).length;
		await assert.rejects(new GoogleAdsAdapter(config({ refreshToken: 'revoked-refresh-token' })).fetchDailyMetrics({ accountId: '1234567890', since: '2025-03-01', until: '2025-03-02' }), (e: unknown) => {
			assert.ok(e instanceof PlatformApiError);
			assert.equal(e.kind, 'auth');
			assert.equal(e.code, 'invalid_grant');
			assert.match(e.hint, /reconnect the Google Ads credential/);
			assert.ok(!e.message.includes('revoked-refresh-token'));
			return true;
		});
		assert.equal(sb.requests({ platform: 'googleads' }).length, before);
		await assert.rejects(new GoogleAdsAdapter(config({ developerToken: 'not-the-token' })).describeAccount('1234567890'), (e: unknown) => e instanceof PlatformApiError && e.kind === 'auth' && e.code === 'authentication_error.DEVELOPER_TOKEN_INVALID' && /API Center/.test(e.hint));
		await assert.rejects(new GoogleAdsAdapter(config({ loginCustomerId: '555-555-5555' })).describeAccount('1234567890'), (e: unknown) => e instanceof PlatformApiError && e.kind === 'permission' && /login customer id/.test(e.hint));
	});

	it('a 429 with a long retry delay stops the account with RESOURCE_EXHAUSTED and its delay; a short one and a 5xx are retried', async () => {
		const clock = fakeClock();
		const adapter = new GoogleAdsAdapter(config({ clock }));
		sb.injectFault({ route: 'googleads.searchStream', kind: '429', retryAfter: 420 });
		await assert.rejects(adapter.fetchDailyMetrics({ accountId: '1234567890', since: '2025-02-01', until: '2025-02-28' }), (e: unknown) => {
			assert.ok(e instanceof PlatformApiError);
			assert.equal(e.kind, 'quota');
			assert.equal(e.code, 'quota_error.RESOURCE_EXHAUSTED');
			assert.equal(e.retryAfterMs, 420_000);
			assert.equal(e.retryable, false);
			assert.match(e.hint, /420 s|7 min/);
			return true;
		});
		assert.deepEqual(sb.requests({ route: 'googleads.searchStream' }).map((r) => r.status), [429], 'not retried');
		// issue 12: a single short RESOURCE_EXHAUSTED no longer fails the account (other platforms retry too)
		sb.injectFault({ route: 'googleads.searchStream', kind: '429', retryAfter: 42 });
		const short = await adapter.fetchDailyMetrics({ accountId: '1234567890', since: '2025-02-01', until: '2025-02-28' });
		assert.ok(short.rows.length > 0);
		assert.equal(short.meta.retries, 1);
		sb.injectFault({ route: 'googleads.searchStream', kind: '5xx', count: 2 });
		const result = await adapter.fetchDailyMetrics({ accountId: '1234567890', since: '2025-03-01', until: '2025-03-09' });
		assert.ok(result.rows.length > 0);
		assert.equal(result.meta.retries, 2);
		assert.deepEqual(sb.requests({ route: 'googleads.searchStream' }).map((r) => r.status), [429, 429, 200, 200, 500, 500, 200, 200]);
	});

	it('campaign control: validate_only changes nothing; without it status and budget change in the world and in later reads; mutation errors mapped', async () => {
		const adapter = new GoogleAdsAdapter(config());
		const account = findAccount(sb.world, 'google', '1234567890')!;
		const c = account.campaigns.find((x) => x.status === 'ACTIVE')!;
		const budget = c.dailyBudget;
		const currency = account.currency;
		const dryStatus = await adapter.setStatus({ accountId: '123-456-7890', campaignId: c.id, status: 'PAUSED', validateOnly: true });
		const dryBudget = await adapter.setDailyBudget({ accountId: '1234567890', campaignId: c.id, dailyBudget: 123.45, currency, validateOnly: true });
		assert.equal(dryStatus.validateOnly, true);
		assert.deepEqual(dryStatus.response, { resourceNames: [], validateOnly: true });
		assert.deepEqual(dryBudget.response, { resourceNames: [], validateOnly: true, budgetResourceName: `customers/1234567890/campaignBudgets/${c.budgetId}` });
		assert.equal(c.status, 'ACTIVE');
		assert.equal(c.dailyBudget, budget);
		const paused = await adapter.setStatus({ accountId: '1234567890', campaignId: c.id, status: 'PAUSED' });
		assert.deepEqual(paused.response, { resourceNames: [`customers/1234567890/campaigns/${c.id}`], validateOnly: false });
		assert.equal(c.status, 'PAUSED');
		const raised = await adapter.setDailyBudget({ accountId: '1234567890', campaignId: c.id, dailyBudget: 123.45, currency });
		assert.deepEqual(raised.response, { resourceNames: [`customers/1234567890/campaignBudgets/${c.budgetId}`], validateOnly: false, budgetResourceName: `customers/1234567890/campaignBudgets/${c.budgetId}` });
		assert.equal(raised.request.platformAmount, '123450000 micros');
		assert.equal(c.dailyBudget, 123.45);
		const listed = (await adapter.listCampaigns('1234567890')).campaigns.find((x) => x.campaignId === c.id)!;
		assert.equal(listed.dailyBudget, 123.45);
		assert.equal(listed.status, '3'); // CampaignStatus.PAUSED, as the library parses enums
		const state = (await adapter.getCampaignState('1234567890', c.id))!;
		assert.deepEqual([state.status, state.platformStatus, state.dailyBudget], ['PAUSED', 'PAUSED', 123.45]);
		// an amount the currency cannot hold is refused before any request
		const sent = sb.requests({ platform: 'googleads' }).length;
		await assert.rejects(adapter.setDailyBudget({ accountId: '1234567890', campaignId: c.id, dailyBudget: 10.001, currency, validateOnly: true }), (e: unknown) => e instanceof PlatformApiError && e.kind === 'config' && /more than 2 decimals/.test(e.message));
		assert.equal(sb.requests({ platform: 'googleads' }).length, sent + 1, 'only the state read');
		// a mutation's GoogleAdsFailure is mapped like a query's: RESOURCE_EXHAUSTED with a long delay stops the account, not retried
		sb.injectFault({ route: 'googleads.campaignBudgets.mutate', kind: '429', retryAfter: 120 });
		await assert.rejects(adapter.setDailyBudget({ accountId: '1234567890', campaignId: c.id, dailyBudget: 150, currency }), (e: unknown) => {
			assert.ok(e instanceof PlatformApiError);
			assert.equal(e.kind, 'quota');
			assert.equal(e.code, 'quota_error.RESOURCE_EXHAUSTED');
			assert.equal(e.retryAfterMs, 120_000);
			assert.match(e.message, new RegExp(`setDailyBudget campaign ${c.id}`));
			return true;
		});
		assert.equal(c.dailyBudget, 123.45);
		const mutations = sb.requests({ route: 'googleads.*' }).filter((r) => r.route.endsWith('.mutate'));
		assert.deepEqual(mutations.map((r) => [r.route, (r.body as { validateOnly?: boolean }).validateOnly, r.status]), [
			['googleads.campaigns.mutate', true, 200],
			['googleads.campaignBudgets.mutate', true, 200],
			['googleads.campaigns.mutate', false, 200],
			['googleads.campaignBudgets.mutate', false, 200],
			['googleads.campaignBudgets.mutate', false, 429],
		]);
	});
});
