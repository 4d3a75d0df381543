import { test, describe, beforeEach, afterAll } from 'vitest';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import axios, { AxiosError, type AxiosAdapter, type InternalAxiosRequestConfig } from 'axios';
import { GoogleAdsApi, enums, errors, type Customer, type Hooks, type ReportOptions } from 'google-ads-api';
import { GoogleAdsAdapter, durationToMs, googleErrorCode, usesLibraryEndpoints } from '../../nodes/shared/platforms/google-ads';
import { OAuthTokenSource, clearGoogleAccessTokenCache, jsonDurationToProto, restMutatePath, toRestJson } from '../../nodes/shared/platforms/google-ads-rest';
import { PlatformApiError } from '../../nodes/shared/resilience/errors';
import { resetPlatformBreakers } from '../../nodes/shared/resilience/breaker';
import { fixture, fakeClock, startServer, type FixtureServer, type Recorded, type Reply } from '../fixtures/platforms/server';

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

// ---- custom API base URL / token URL: the library's requests, made by the adapter --------------------------

type Route = (req: Recorded) => Reply | undefined;

/** A fake Google (API + token endpoint) on a local port; `route` answers API calls, the token endpoint issues `tok-N`. */
async function fakeGoogle(route: Route, tokenReply?: (req: Recorded) => Reply | undefined): Promise<FixtureServer & { tokenCalls: () => Recorded[]; apiCalls: () => Recorded[] }> {
	let n = 0;
	const server = await startServer((req) => {
		if (req.path === '/oauth/token') {
			const custom = tokenReply?.(req);
			if (custom) return custom;
			n += 1;
			return { body: { access_token: `tok-${n}`, expires_in: 3599, token_type: 'Bearer', scope: 'https://www.googleapis.com/auth/adwords' } };
		}
		return route(req) ?? { status: 404, body: { error: { code: 404, message: 'not found', status: 'NOT_FOUND' } } };
	});
	return Object.assign(server, {
		tokenCalls: () => server.requests.filter((r) => r.path === '/oauth/token'),
		apiCalls: () => server.requests.filter((r) => r.path !== '/oauth/token'),
	});
}

interface LibraryCall {
	url: string;
	headers: Record<string, unknown>;
	body: unknown;
}

/**
 * Runs `fn` with the library's own transport (axios, the same instance it
 * imports) answered by `answer`, and its access token fixed: what the library
 * sends and what it returns for a given REST payload, without a network.
 */
async function withLibraryTransport<T>(answer: (url: string) => { status: number; body: string }, fn: () => Promise<T>): Promise<{ result?: T; error?: unknown; calls: LibraryCall[] }> {
	const calls: LibraryCall[] = [];
	const previous = axios.defaults.adapter;
	const adapter: AxiosAdapter = async (config: InternalAxiosRequestConfig) => {
		calls.push({ url: String(config.url), headers: config.headers.toJSON() as Record<string, unknown>, body: JSON.parse(String(config.data)) });
		const { status, body } = answer(String(config.url));
		const response = { data: config.responseType === 'stream' ? Readable.from([Buffer.from(body)]) : body, status, statusText: String(status), headers: { 'content-type': 'application/json' }, config, request: {} };
		if (status >= 400) throw new AxiosError(`Request failed with status code ${status}`, AxiosError.ERR_BAD_RESPONSE, config, {}, response);
		return response;
	};
	axios.defaults.adapter = adapter;
	try {
		return { result: await fn(), calls };
	} catch (error) {
		return { error, calls };
	} finally {
		axios.defaults.adapter = previous;
	}
}

const LOGIN = '111-222-3333';

function libraryCustomer(hooks?: Hooks): Customer {
	const client = new GoogleAdsApi({ client_id: SECRETS.clientId, client_secret: SECRETS.clientSecret, developer_token: SECRETS.developerToken });
	const customer = client.Customer({ customer_id: '1234567890', refresh_token: SECRETS.refreshToken, login_customer_id: '1112223333' }, hooks);
	// The library's own token source would call Google; its REST path is what is compared here.
	(customer as unknown as { getAccessToken: () => Promise<string> }).getAccessToken = async () => 'tok-1';
	return customer;
}

const text = (name: string): string => JSON.stringify(fixture(name));

describe('Google Ads with a custom API base URL and token URL', () => {
	let google: Awaited<ReturnType<typeof fakeGoogle>> | undefined;
	const adapterFor = (server: FixtureServer, extra: Partial<ConstructorParameters<typeof GoogleAdsAdapter>[0]> = {}) =>
		new GoogleAdsAdapter({ ...SECRETS, loginCustomerId: LOGIN, apiBaseUrl: `${server.base}/ads/`, tokenUrl: `${server.base}/oauth/token`, clock: fakeClock(), ...extra });
	/** Starts a fake Google, closing the previous one (also when a test failed before closing it). */
	const serve = async (...args: Parameters<typeof fakeGoogle>) => {
		await google?.close();
		google = await fakeGoogle(...args);
		return google;
	};
	beforeEach(() => clearGoogleAccessTokenCache());
	afterAll(async () => google?.close());

	test('the REST transport is the default (also for Google\'s own endpoints); the library transport is opt-in and only for Google\'s endpoints', () => {
		const byDefault = new GoogleAdsAdapter({ ...SECRETS });
		assert.ok(byDefault.rest, 'production takes the tested REST path');
		assert.equal(byDefault.rest!.base, 'https://googleads.googleapis.com');
		assert.equal(new GoogleAdsAdapter({ ...SECRETS, transport: 'library' }).rest, undefined);
		assert.equal(new GoogleAdsAdapter({ ...SECRETS, transport: 'library', apiBaseUrl: 'https://googleads.googleapis.com/', tokenUrl: 'https://oauth2.googleapis.com/token', apiVersion: 'v25' }).rest, undefined);
		assert.throws(() => new GoogleAdsAdapter({ ...SECRETS, transport: 'library', apiBaseUrl: 'http://127.0.0.1:1/x' }), /library transport only reaches Google/);
		assert.equal(usesLibraryEndpoints({ apiBaseUrl: 'http://127.0.0.1:4100/googleads' }), false);
		assert.equal(usesLibraryEndpoints({ tokenUrl: 'https://proxy.example/token' }), false);
		assert.equal(usesLibraryEndpoints({ apiVersion: 'v24' }), false);
		assert.ok(new GoogleAdsAdapter({ ...SECRETS, apiBaseUrl: 'http://127.0.0.1:1/x' }).rest);
		assert.throws(() => new GoogleAdsAdapter({ ...SECRETS, apiBaseUrl: 'ftp://x' }), /http\(s\) URL/);
		assert.throws(() => new GoogleAdsAdapter({ ...SECRETS, apiVersion: '25' }), /apiVersion/);
	});

	test('searchStream: same path, headers and body as the library; rows equal the library\'s own parse of the same payload', async () => {
		const gaql = 'SELECT customer.id, customer.currency_code, customer.time_zone, campaign.id, campaign.name, campaign.status, campaign.advertising_channel_type, segments.date, metrics.cost_micros, metrics.impressions, metrics.clicks, metrics.conversions, metrics.conversions_value FROM campaign WHERE segments.date BETWEEN \'2025-03-01\' AND \'2025-03-02\'';
		const lib = await withLibraryTransport(() => ({ status: 200, body: text('google-ads-rest-stream.json') }), () => libraryCustomer().query(gaql));
		assert.equal(lib.error, undefined);
		const google = await serve((req) => (req.path.endsWith('googleAds:searchStream') ? { body: fixture('google-ads-rest-stream.json') } : undefined));
		const ours = await adapterFor(google).customer('1234567890').query(gaql);
		assert.deepEqual(ours, lib.result);
		// The library's parse, spelled out: snake_case keys, INT64 as numbers, enums as numbers.
		const first = (ours as Array<Record<string, Record<string, unknown>>>)[0]!;
		assert.deepEqual(first.metrics, { cost_micros: 12_345_670_000, impressions: 4000, clicks: 210, conversions: 12.5, conversions_value: 1043.37 });
		assert.equal(first.campaign!.status, enums.CampaignStatus.ENABLED);
		assert.equal(first.campaign!.advertising_channel_type, enums.AdvertisingChannelType.SEARCH);
		// The request: the library's URL below our base, its headers, its body.
		const [libCall] = lib.calls;
		const [ourCall] = google.apiCalls();
		assert.equal(libCall!.url, 'https://googleads.googleapis.com/v25/customers/1234567890/googleAds:searchStream');
		assert.equal(ourCall!.path, '/ads/v25/customers/1234567890/googleAds:searchStream');
		assert.deepEqual(JSON.parse(ourCall!.body), libCall!.body);
		assert.deepEqual(libCall!.body, { query: gaql });
		for (const h of ['authorization', 'developer-token', 'login-customer-id']) assert.equal(ourCall!.headers[h], libCall!.headers[Object.keys(libCall!.headers).find((k) => k.toLowerCase() === h)!], h);
		assert.equal(ourCall!.headers.authorization, 'Bearer tok-1');
		// The token request: a standard refresh-token grant.
		const form = new URLSearchParams(google.tokenCalls()[0]!.body);
		assert.deepEqual(Object.fromEntries(form), { grant_type: 'refresh_token', refresh_token: SECRETS.refreshToken, client_id: SECRETS.clientId, client_secret: SECRETS.clientSecret });
		assert.match(String(google.tokenCalls()[0]!.headers['content-type']), /application\/x-www-form-urlencoded/);
	});

	test('paginated search (report options with search settings): pages and summary row as the library assembles them', async () => {
		const pages = fixture('google-ads-rest-search-pages.json') as unknown[];
		const report: ReportOptions = { entity: 'campaign', attributes: ['campaign.id', 'campaign.status'], metrics: ['metrics.cost_micros', 'metrics.clicks'], search_settings: { return_summary_row: true } };
		const lib = await withLibraryTransport(
			() => ({ status: 200, body: JSON.stringify(pages[0]) }),
			async () => {
				let call = 0;
				// second page on the second call
				const prev = axios.defaults.adapter as AxiosAdapter;
				axios.defaults.adapter = (config) => {
					call += 1;
					const original = prev(config);
					if (call === 1) return original;
					return original.then((r) => ({ ...r, data: JSON.stringify(pages[1]) }));
				};
				return libraryCustomer().report(report);
			},
		);
		assert.equal(lib.error, undefined);
		const google = await serve((req) => {
			if (!req.path.endsWith('googleAds:search')) return undefined;
			const body = JSON.parse(req.body) as { page_token?: string };
			return { body: body.page_token === 'page-2' ? pages[1] : pages[0] };
		});
		const ours = await adapterFor(google).customer('1234567890').report(report);
		assert.deepEqual(ours, lib.result);
		assert.equal(ours.length, 4);
		assert.deepEqual(ours[0], { metrics: { cost_micros: 2_500_000, clicks: 4 } }, 'summary row first');
		const bodies = google.apiCalls().map((r) => JSON.parse(r.body) as Record<string, unknown>);
		assert.deepEqual(bodies, [lib.calls[0]!.body, lib.calls[1]!.body]);
		assert.equal(bodies[1]!.page_token, 'page-2');
	});

	test('quota error: the library\'s GoogleAdsFailure plus the retry delay its REST parser drops → quota stop with retryAfterMs', async () => {
		const lib = await withLibraryTransport(() => ({ status: 429, body: text('google-ads-rest-quota-error.json') }), () => libraryCustomer().query('SELECT customer.id FROM customer'));
		assert.ok(lib.error instanceof errors.GoogleAdsFailure);
		const google = await serve(() => ({ status: 429, body: fixture('google-ads-rest-quota-error.json') }));
		let raw: unknown;
		const adapter = adapterFor(google, { hooks: { onQueryError: ({ error }) => void (raw = error) } });
		const ourFailure = await adapter.customer('1234567890').query('SELECT customer.id FROM customer').catch((e: unknown) => e);
		assert.equal(raw, undefined, 'cancelled queries do not reach onQueryError');
		assert.ok(ourFailure instanceof errors.GoogleAdsFailure);
		const strip = (f: unknown) => JSON.parse(JSON.stringify(f), (k, v: unknown) => (k === 'retry_delay' ? undefined : v)) as unknown;
		assert.deepEqual(strip(ourFailure), strip(lib.error));
		assert.equal((lib.error as errors.GoogleAdsFailure).errors[0]!.details?.quota_error_details?.retry_delay ?? undefined, undefined, 'library REST parse loses retry_delay');
		assert.deepEqual(ourFailure.errors[0]!.details!.quota_error_details!.retry_delay, { seconds: 3600, nanos: 0 });
		await assert.rejects(adapter.describeAccount('1234567890'), (e: unknown) => {
			assert.ok(e instanceof PlatformApiError);
			assert.equal(e.kind, 'quota');
			assert.equal(e.code, 'quota_error.RESOURCE_EXHAUSTED');
			assert.equal(e.retryAfterMs, 3_600_000);
			assert.equal(e.retryable, false);
			assert.ok(!JSON.stringify(e).includes('tok-1'));
			return true;
		});
		assert.equal(google.apiCalls().length, 2, 'one call each, no retry of RESOURCE_EXHAUSTED');
	});

	test('UNAUTHENTICATED without failure details: same Error as the library; a cached token is refreshed once, then auth error with a hint', async () => {
		const lib = await withLibraryTransport(() => ({ status: 401, body: text('google-ads-rest-unauthenticated.json') }), () => libraryCustomer().query('SELECT customer.id FROM customer'));
		let refuse = true;
		const google = await serve((req) => {
			if (req.headers.authorization === 'Bearer tok-1' || refuse) return { status: 401, body: fixture('google-ads-rest-unauthenticated.json') };
			return { body: fixture('google-ads-rest-customer.json') };
		});
		const adapter = adapterFor(google);
		const ours = await adapter.customer('1234567890').query('SELECT customer.id FROM customer').catch((e: unknown) => e);
		assert.ok(ours instanceof Error && lib.error instanceof Error);
		assert.equal(ours.message, lib.error.message);
		assert.deepEqual(ours.cause, (lib.error as Error).cause);
		await assert.rejects(adapter.describeAccount('1234567890'), (e: unknown) => e instanceof PlatformApiError && e.kind === 'auth' && e.httpStatus === 401 && /reconnect the Google Ads credential/.test(e.hint));
		// tok-1 is cached and refused: one refresh (tok-2), which works once the API accepts it.
		refuse = false;
		const account = await adapter.describeAccount('1234567890');
		assert.equal(account.name, 'Acme Search');
		// query: fresh tok-1 refused (no retry: it was not cached); describeAccount: cached tok-1 refused → tok-2 refused → error; then tok-2 works.
		assert.deepEqual(google.apiCalls().map((r) => r.headers.authorization), ['Bearer tok-1', 'Bearer tok-1', 'Bearer tok-2', 'Bearer tok-2']);
		assert.equal(google.tokenCalls().length, 2);
	});

	test('tokens are cached across adapters until shortly before expiry; a refused refresh token is an auth error with a hint', async () => {
		let now = 1_000_000;
		const first = await serve((req) => (req.path.endsWith(':searchStream') ? { body: fixture('google-ads-rest-customer.json') } : undefined));
		const a = adapterFor(first);
		await a.describeAccount('1234567890');
		await adapterFor(first).describeAccount('1234567890');
		assert.equal(first.tokenCalls().length, 1);
		// expiry: a token source with a clock
		const source = new OAuthTokenSource({ tokenUrl: `${first.base}/oauth/token`, clientId: 'other-client', clientSecret: 's', refreshToken: 'r', now: () => now });
		assert.deepEqual(await source.get(), { token: 'tok-2', cached: false });
		now += 3_000_000;
		assert.deepEqual(await source.get(), { token: 'tok-2', cached: true });
		now += 600_000; // 59 s before expiry: refresh
		assert.deepEqual(await source.get(), { token: 'tok-3', cached: false });
		const google = await serve(
			() => ({ body: [] }),
			(req) => {
				const form = new URLSearchParams(req.body);
				if (form.get('client_secret') !== SECRETS.clientSecret) return { status: 401, body: { error: 'invalid_client', error_description: 'Unauthorized' } };
				if (form.get('refresh_token') !== SECRETS.refreshToken) return { status: 400, body: { error: 'invalid_grant', error_description: 'Token has been expired or revoked.' } };
				return undefined;
			},
		);
		await assert.rejects(adapterFor(google, { refreshToken: '1//revoked' }).describeAccount('1234567890'), (e: unknown) => {
			assert.ok(e instanceof PlatformApiError);
			assert.equal(e.kind, 'auth');
			assert.equal(e.code, 'invalid_grant');
			assert.match(e.hint, /reconnect the Google Ads credential/);
			assert.ok(!JSON.stringify(e).includes('1//revoked'));
			return true;
		});
		await assert.rejects(adapterFor(google, { clientSecret: 'wrong-secret' }).describeAccount('1234567890'), (e: unknown) => e instanceof PlatformApiError && e.kind === 'auth' && /client id\/secret/.test(e.hint));
		assert.equal(google.apiCalls().length, 0, 'no API call without a token');
	});

	test('a proxy error page (non-JSON 502) is a retried server error; a 404 base URL is not_found with a hint', async () => {
		let calls = 0;
		const google = await serve((req) => {
			if (req.path.startsWith('/wrong/')) return { status: 404, body: '<html>Not Found</html>' };
			calls += 1;
			return calls === 1 ? { status: 502, body: '<html><body>Bad Gateway</body></html>' } : { body: fixture('google-ads-rest-customer.json') };
		});
		const clock = fakeClock();
		const account = await adapterFor(google, { clock }).describeAccount('1234567890');
		assert.equal(account.currency, 'GBP');
		assert.equal(calls, 2);
		assert.equal(clock.sleeps.length, 1);
		await assert.rejects(adapterFor(google, { apiBaseUrl: `${google.base}/wrong` }).describeAccount('1234567890'), (e: unknown) => e instanceof PlatformApiError && e.kind === 'not_found' && e.httpStatus === 404 && /API base URL/.test(e.hint));
	});

	test('mutations: the library\'s gRPC request as REST :mutate (validate_only honoured); response in the gRPC shape', async () => {
		const google = await serve((req) => {
			if (req.path.endsWith('googleAds:searchStream')) {
				return {
					body: [
						{
							results: [
								{
									customer: { resourceName: 'customers/1234567890', id: '1234567890', currencyCode: 'GBP', timeZone: 'Europe/London' },
									campaign: { resourceName: 'customers/1234567890/campaigns/111', id: '111', name: 'Brand', status: 'ENABLED', startDateTime: '2025-01-01 00:00:00', campaignBudget: 'customers/1234567890/campaignBudgets/999' },
									campaignBudget: { resourceName: 'customers/1234567890/campaignBudgets/999', amountMicros: '30000000', period: 'DAILY', explicitlyShared: false, referenceCount: '1' },
								},
							],
							fieldMask:
								'customer.id,customer.currencyCode,customer.timeZone,campaign.id,campaign.name,campaign.status,campaign.startDateTime,campaign.campaignBudget,campaignBudget.amountMicros,campaignBudget.period,campaignBudget.explicitlyShared,campaignBudget.referenceCount',
						},
					],
				};
			}
			const body = JSON.parse(req.body) as { validateOnly?: boolean; operations: Array<{ update: { resourceName: string } }> };
			if (req.path.endsWith(':mutate')) return { body: body.validateOnly ? {} : { results: body.operations.map((o) => ({ resourceName: o.update.resourceName })) } };
			return undefined;
		});
		const adapter = adapterFor(google);
		const dry = await adapter.setStatus({ accountId: '123-456-7890', campaignId: '111', status: 'PAUSED', validateOnly: true });
		assert.deepEqual({ ...dry, meta: null }, { platform: 'google_ads', accountId: '1234567890', campaignId: '111', call: 'setStatus', request: { status: 'PAUSED' }, validateOnly: true, response: { resourceNames: [], validateOnly: true }, meta: null });
		const live = await adapter.setDailyBudget({ accountId: '1234567890', campaignId: '111', dailyBudget: 42.1, currency: 'GBP', validateOnly: false });
		assert.deepEqual({ ...live, meta: null }, {
			platform: 'google_ads',
			accountId: '1234567890',
			campaignId: '111',
			call: 'setDailyBudget',
			request: { dailyBudget: 42.1, currency: 'GBP', platformAmount: '42100000 micros' },
			validateOnly: false,
			response: { resourceNames: ['customers/1234567890/campaignBudgets/999'], validateOnly: false, budgetResourceName: 'customers/1234567890/campaignBudgets/999' },
			meta: null,
		});
		assert.equal(live.meta.requests, 2, 'the state read, then the mutation');
		const [statusCall, stateCall, budgetCall] = google.apiCalls();
		assert.match(JSON.parse(stateCall!.body).query, /campaign_budget\.period.*AND campaign\.id = 111$/);
		assert.equal(statusCall!.path, '/ads/v25/customers/1234567890/campaigns:mutate');
		assert.deepEqual(JSON.parse(statusCall!.body), { operations: [{ update: { resourceName: 'customers/1234567890/campaigns/111', status: 'PAUSED' }, updateMask: 'resourceName,status' }], validateOnly: true });
		assert.equal(budgetCall!.path, '/ads/v25/customers/1234567890/campaignBudgets:mutate');
		assert.deepEqual(JSON.parse(budgetCall!.body), { operations: [{ update: { resourceName: 'customers/1234567890/campaignBudgets/999', amountMicros: '42100000' }, updateMask: 'resourceName,amountMicros' }], validateOnly: false });
		assert.equal(statusCall!.headers['login-customer-id'], '1112223333');
		// The request equals what the library hands to gRPC, in proto3 JSON form.
		let grpcRequest: unknown;
		const spy = new GoogleAdsApi({ client_id: 'a', client_secret: 'b', developer_token: 'c' }).Customer({ customer_id: '1234567890', refresh_token: 'r' }, { onMutationStart: ({ cancel, ...args }) => { grpcRequest = (args as { mutation?: unknown }).mutation; cancel({}); } });
		await spy.campaigns.update([{ resource_name: 'customers/1234567890/campaigns/111', status: enums.CampaignStatus.PAUSED }], { validate_only: true });
		const wire = (grpcRequest as { operations: Array<{ update: unknown; update_mask: { paths: string[] } }> }).operations[0]!;
		assert.deepEqual(wire.update_mask.paths, ['resource_name', 'status']);
		// mutateResources cannot carry validate_only into hooks: refused, nothing sent.
		const before = google.apiCalls().length;
		await assert.rejects(adapter.customer('1234567890').mutateResources([{ entity: 'campaign', operation: 'update', resource: { resource_name: 'customers/1234567890/campaigns/111', status: enums.CampaignStatus.PAUSED } }]), /validate_only/);
		await assert.rejects(async () => { for await (const _row of adapter.customer('1234567890').queryStream('SELECT campaign.id FROM campaign')) break; }, /use query\(\)/);
		assert.equal(google.apiCalls().length, before);
	});

	test('helpers: REST JSON of proto objects, mutate paths, JSON durations', () => {
		assert.deepEqual(toRestJson({ operations: [{ update: { resource_name: 'r', amount_micros: '5' }, update_mask: { paths: ['resource_name', 'amount_micros'] } }], validate_only: true }), {
			operations: [{ update: { resourceName: 'r', amountMicros: '5' }, updateMask: 'resourceName,amountMicros' }],
			validateOnly: true,
		});
		assert.equal(restMutatePath('CampaignBudgetService.mutateCampaignBudgets'), '/campaignBudgets:mutate');
		assert.equal(restMutatePath('CustomerService.mutateCustomer'), ':mutate');
		assert.throws(() => restMutatePath('GoogleAdsService.search'), /not a mutate method/);
		assert.deepEqual(jsonDurationToProto('30s'), { seconds: 30, nanos: 0 });
		assert.deepEqual(jsonDurationToProto('1.5s'), { seconds: 1, nanos: 500_000_000 });
		assert.equal(jsonDurationToProto({ seconds: 1 }), undefined);
		assert.equal(durationToMs(jsonDurationToProto('2.25s')), 2250);
	});
});
