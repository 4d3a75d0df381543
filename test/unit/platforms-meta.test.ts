import { test, describe } from 'vitest';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { MetaAdsAdapter, pickActions, appSecretProof, metaPages, type MetaPage } from '../../nodes/shared/platforms/meta';
import { PlatformApiError } from '../../nodes/shared/resilience/errors';
import { metaConversions } from '../../nodes/shared/platforms/meta-conversions';
import type { EventRow } from '../../nodes/shared/conversions/payloads';
import { useFixtureServer, fixture, fakeClock, type Reply } from '../fixtures/platforms/server';

const TOKEN = 'EAAsecret-token-123456';
const APP_SECRET = 'app-secret-abcdef';

const server = useFixtureServer();

function adapter(extra: Partial<ConstructorParameters<typeof MetaAdsAdapter>[0]> = {}) {
	// The fake server answers the paths of the recorded fixtures (v23.0); the adapter's default is the registry's pin.
	return new MetaAdsAdapter({ accessToken: TOKEN, appSecret: APP_SECRET, apiVersion: 'v23.0', baseUrl: server.base, clock: fakeClock(), retry: { initialDelayMs: 1, maxDelayMs: 5 }, ...extra });
}

describe('Meta insights', () => {
	test('follows paging.next across three pages and maps every row', async () => {
		server.route = (req, base) => {
			if (req.path === '/v23.0/act_1001') return { body: fixture('meta-account-usd.json') };
			if (req.path === '/v23.0/act_1001/insights') {
				const after = req.query.get('after');
				return { body: fixture(after === 'MQZDZD' ? 'meta-insights-p2.json' : after === 'MwZDZD' ? 'meta-insights-p3.json' : 'meta-insights-p1.json', base) };
			}
			return { status: 404, body: { error: { message: 'unknown path', code: 803 } } };
		};
		const result = await adapter().fetchDailyMetrics({ accountId: 'act_1001', since: '2025-03-01', until: '2025-03-02' });
		assert.equal(result.meta.pages, 3);
		assert.equal(result.meta.requests, 4); // account + 3 pages
		assert.equal(result.rows.length, 5);
		assert.equal(result.account.timezone, 'America/Los_Angeles');

		const first = server.requests.find((r) => r.path.endsWith('/insights'))!;
		assert.equal(first.query.get('level'), 'campaign');
		assert.equal(first.query.get('time_increment'), '1');
		assert.deepEqual(JSON.parse(first.query.get('time_range')!), { since: '2025-03-01', until: '2025-03-02' });
		assert.match(first.query.get('fields')!, /actions,action_values/);
		assert.equal(first.query.get('limit'), '500');
		// appsecret_proof = HMAC-SHA256(token, app secret); the token in paging.next is replaced by ours
		const proof = createHmac('sha256', APP_SECRET).update(TOKEN).digest('hex');
		for (const r of server.requests) {
			assert.equal(r.query.get('access_token'), TOKEN);
			assert.equal(r.query.get('appsecret_proof'), proof);
			assert.equal(r.query.getAll('access_token').length, 1);
		}

		const [spring1, prospect1, spring2, prospect2, leadGen] = result.rows;
		// omni_purchase wins over purchase / pixel purchase: no double counting
		assert.deepEqual(
			{ ...spring1, raw: undefined },
			{ platform: 'meta', accountId: '1001', campaignId: '23850000001', campaignName: 'Spring Sale', date: '2025-03-01', currency: 'USD', spend: 123.45, impressions: 10234, clicks: 321, conversions: 8, revenue: 799.2, leads: 2, raw: undefined },
		);
		// no actions key at all → zero conversions, revenue and leads
		assert.equal(prospect1.conversions, 0);
		assert.equal(prospect1.revenue, 0);
		assert.equal(prospect1.leads, 0);
		assert.equal(prospect1.spend, 0.1);
		// only purchase + pixel purchase present → purchase (priority), not their sum
		assert.equal(spring2.conversions, 3);
		assert.equal(spring2.revenue, 150.15);
		assert.equal(spring2.spend, 0.2);
		// a malformed spend survives unchanged into the row and raw, for quarantine
		assert.equal(prospect2.spend, '12,50');
		assert.equal((prospect2.raw as { spend: string }).spend, '12,50');
		// lead falls back to onsite_conversion.lead_grouped
		assert.equal(leadGen.leads, 4);
		assert.equal(leadGen.campaignId, '23850000003');
	});

	test('metaPages: next links on the configured base path without their token; maxPages; a repeated link is malformed_response', async () => {
		const fetched: Array<[string, Record<string, string | number>]> = [];
		const links: Record<string, string | undefined> = {
			'': 'https://graph.facebook.com/proxy/v23.0/act_1/ads?after=A&access_token=THEIRS&appsecret_proof=P',
			A: 'https://graph.facebook.com/v23.0/act_1/ads?after=B',
			B: undefined,
		};
		const fetchPage = async (path: string, params: Record<string, string | number>): Promise<MetaPage<number>> => {
			fetched.push([path, params]);
			return { data: [fetched.length], paging: { next: links[String(params.after ?? '')] } };
		};
		const context = { call: 'listThings act_1', accountId: '1' };
		const options = { baseUrl: 'https://proxy.example/proxy', loopHint: 'run again' };
		const all: number[] = [];
		for await (const page of metaPages(fetchPage, context, '/v23.0/act_1/ads', { limit: 2 }, options)) all.push(...(page.data ?? []));
		assert.deepEqual(all, [1, 2, 3]);
		assert.deepEqual(fetched, [
			['/v23.0/act_1/ads', { limit: 2 }],
			['/v23.0/act_1/ads', { after: 'A' }],
			['/v23.0/act_1/ads', { after: 'B' }],
		]);
		fetched.length = 0;
		const capped: number[] = [];
		for await (const page of metaPages(fetchPage, context, '/v23.0/act_1/ads', {}, { ...options, maxPages: 2 })) capped.push(...(page.data ?? []));
		assert.deepEqual(capped, [1, 2]);
		links.B = links[''];
		await assert.rejects(
			async () => {
				for await (const _page of metaPages(fetchPage, context, '/v23.0/act_1/ads', {}, options));
			},
			(e: unknown) => e instanceof PlatformApiError && e.kind === 'malformed_response' && e.call === 'listThings act_1' && e.hint === 'run again' && /came back twice/.test(e.message) && !e.message.includes('THEIRS'),
		);
	});

	test('zero-decimal currency: JPY spend and budgets in minor units', async () => {
		server.route = (req) => {
			if (req.path === '/v23.0/act_2002') return { body: fixture('meta-account-jpy.json') };
			if (req.path === '/v23.0/act_2002/insights') return { body: fixture('meta-insights-jpy.json') };
			if (req.path === '/v23.0/act_2002/campaigns') return { body: fixture('meta-campaigns-jpy.json') };
			return { status: 404, body: {} };
		};
		const a = adapter();
		const result = await a.fetchDailyMetrics({ accountId: '2002', since: '2025-03-01', until: '2025-03-01' });
		assert.equal(result.rows[0].currency, 'JPY');
		assert.equal(result.rows[0].spend, 15234);
		assert.equal(result.rows[0].revenue, 180000);
		const { campaigns } = await a.listCampaigns('2002');
		assert.equal(campaigns[0].dailyBudget, 5000); // offset 1: ¥5000, not ¥50
		assert.equal(campaigns[1].lifetimeBudget, 1200000);
		assert.equal(campaigns[1].dailyBudget, null);
	});

	test('multi-currency: two accounts keep their own currencies; USD budget cents → dollars', async () => {
		server.route = (req) => {
			if (req.path === '/v23.0/act_1001') return { body: fixture('meta-account-usd.json') };
			if (req.path === '/v23.0/act_1001/campaigns') return { body: fixture('meta-campaigns-usd.json') };
			if (req.path === '/v23.0/act_2002') return { body: fixture('meta-account-jpy.json') };
			if (req.path === '/v23.0/act_2002/campaigns') return { body: fixture('meta-campaigns-jpy.json') };
			return { status: 404, body: {} };
		};
		const a = adapter();
		const [usd, jpy] = await Promise.all([a.listCampaigns('1001'), a.listCampaigns('2002')]);
		assert.equal(usd.campaigns[0].currency, 'USD');
		assert.equal(usd.campaigns[0].dailyBudget, 25.5);
		assert.equal(jpy.campaigns[0].currency, 'JPY');
	});

	test('describeAccount: expired token → auth error with hint, token scrubbed', async () => {
		server.route = () => ({ status: 400, body: fixture('meta-error-190.json') });
		await assert.rejects(adapter().describeAccount('1001'), (error: unknown) => {
			assert.ok(error instanceof PlatformApiError);
			assert.equal(error.kind, 'auth');
			assert.equal(error.code, 190);
			assert.equal(error.retryable, false);
			assert.match(error.hint, /expired or was revoked: generate a new one/);
			const text = JSON.stringify(error) + error.message + String(error.stack);
			assert.ok(!text.includes(TOKEN), 'token leaked');
			assert.ok(!text.includes(APP_SECRET), 'app secret leaked');
			return true;
		});
		assert.equal(server.requests.length, 1, '4xx is not retried');
	});

	test('describeAccount: wrong account id → not_found; wrong base URL → hint names the base URL', async () => {
		server.route = () => ({ status: 400, body: fixture('meta-error-100-33.json') });
		await assert.rejects(adapter().describeAccount('999'), (e: unknown) => e instanceof PlatformApiError && e.kind === 'not_found' && /check the ad account id/.test(e.hint));
		server.route = () => ({ status: 404, body: '<html>Not Found</html>', headers: { 'content-type': 'text/html' } });
		await assert.rejects(adapter().describeAccount('1001'), (e: unknown) => e instanceof PlatformApiError && e.kind === 'not_found' && e.hint.includes(server.base));
	});

	test('throttling code 80004 is retried after the usage header wait; usage >75 % slows the next call', async () => {
		let calls = 0;
		server.route = (): Reply => {
			calls += 1;
			if (calls === 1) {
				return {
					status: 400,
					body: fixture('meta-error-80004.json'),
					headers: { 'x-business-use-case-usage': JSON.stringify({ '1001': [{ type: 'ads_insights', call_count: 100, total_cputime: 40, total_time: 40, estimated_time_to_regain_access: 2 }] }) },
				};
			}
			return { body: fixture('meta-account-usd.json'), headers: { 'x-app-usage': JSON.stringify({ call_count: 90, total_time: 10, total_cputime: 10 }) } };
		};
		const clock = fakeClock();
		const a = adapter({ clock });
		const account = await a.describeAccount('1001');
		assert.equal(account.name, 'Acme US');
		assert.equal(calls, 2);
		// regain access in 2 minutes: the gate waits that long before the retry
		assert.ok(clock.sleeps.includes(120_000), `sleeps ${clock.sleeps}`);
		// 90 % app usage → (90-75)/25 × 60 s = 36 s before the next request
		await a.describeAccount('1001');
		assert.ok(clock.sleeps.includes(36_000), `sleeps ${clock.sleeps}`);
		assert.equal(a.http.executor.stats.retryWaitMs, 120_000);
		assert.equal(a.http.executor.stats.throttleWaitMs, 36_000);
	});

	test('send-back (Conversions API) shares the adapter\'s transport: 90 % app usage slows the next batch by 36 s, the proof never shows', async () => {
		server.route = (req): Reply => {
			if (req.path === '/v23.0/777/events') return { body: { events_received: 1 }, headers: { 'x-app-usage': JSON.stringify({ call_count: 90, total_time: 10, total_cputime: 10 }) } };
			return { status: 404, body: { error: { message: 'unknown path', code: 803 } } };
		};
		const clock = fakeClock();
		const sender = metaConversions.create({ platform: 'meta', accessToken: TOKEN, appSecret: APP_SECRET, apiVersion: 'v23.0', baseUrl: server.base, accountIds: [] }, { clock, retry: { initialDelayMs: 1, maxDelayMs: 5 } });
		const event = { event_id: 'order-1', event_type: 'purchase', event_name: null, event_time: new Date().toISOString(), value: 10, currency: 'EUR', email_sha256: 'a'.repeat(64) } as unknown as EventRow;
		await sender.send('777', [event]);
		assert.deepEqual(clock.sleeps, [], 'the first batch is not held back');
		await sender.send('777', [{ ...event, event_id: 'order-2' }]);
		// the same rule as the adapter's: (90-75)/25 × 60 s before the next request
		assert.deepEqual(clock.sleeps, [36_000]);
		assert.equal(server.requests.length, 2);
		const proof = appSecretProof(TOKEN, APP_SECRET);
		assert.equal(JSON.parse(server.requests[0].body).appsecret_proof, proof);
		// a refusal whose text repeats them bare (no key=value for the pattern scrub to catch): the token, the secret and the
		// proof are redacted from the error because the transport knows them
		server.route = (): Reply => ({ status: 400, body: { error: { message: `Invalid signature ${proof} for token ${TOKEN} and secret ${APP_SECRET}`, type: 'OAuthException', code: 100 } } });
		await assert.rejects(sender.send('777', [{ ...event, event_id: 'order-3' }]), (error: unknown) => {
			assert.ok(error instanceof PlatformApiError);
			const text = JSON.stringify(error) + error.message + String(error.stack);
			for (const secret of [proof, TOKEN, APP_SECRET]) assert.ok(!text.includes(secret), `${secret.slice(0, 6)}… leaked: ${error.message}`);
			return true;
		});
	});

	test('pickActions: first-match vs sum, and malformed lists kept', () => {
		const actions = [
			{ action_type: 'offsite_conversion.custom.1', value: '2' },
			{ action_type: 'offsite_conversion.custom.2', value: '3' },
		];
		assert.equal(pickActions(actions, ['offsite_conversion.custom.1', 'offsite_conversion.custom.2'], 'first'), 2);
		assert.equal(pickActions(actions, ['offsite_conversion.custom.1', 'offsite_conversion.custom.2'], 'sum'), 5);
		assert.equal(pickActions(undefined, ['purchase'], 'first'), 0);
		assert.equal(pickActions('oops', ['purchase'], 'first'), 'oops');
		assert.equal(appSecretProof('t', 's'), createHmac('sha256', 's').update('t').digest('hex'));
	});
});
