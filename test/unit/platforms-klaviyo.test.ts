import { test, describe } from 'vitest';
import assert from 'node:assert/strict';
import { KlaviyoAdapter, groupValuesResults } from '../../nodes/shared/platforms/klaviyo';
import { PlatformApiError } from '../../nodes/shared/resilience/errors';
import { useFixtureServer, fixture, fakeClock, type Recorded, type Reply } from '../fixtures/platforms/server';
import { PLATFORM_REGISTRY } from '../../nodes/shared/platforms/registry';

const KEY = 'pk_live_secret_key_0123456789';
const server = useFixtureServer();

const adapter = (extra = {}) => new KlaviyoAdapter({ apiKey: KEY, baseUrl: server.base, clock: fakeClock(), retry: { initialDelayMs: 1, maxDelayMs: 2 }, ...extra });

function world(req: Recorded, base: string): Reply {
	if (req.path === '/api/accounts/') return { body: fixture('klaviyo-accounts.json', base) };
	if (req.path === '/api/metrics/') return { body: fixture(req.query.get('page[cursor]') ? 'klaviyo-metrics-p2.json' : 'klaviyo-metrics-p1.json', base) };
	if (req.path === '/api/campaigns/') return { body: fixture('klaviyo-campaigns.json') };
	if (req.path === '/api/flows/') return { body: fixture('klaviyo-flows.json') };
	if (req.path === '/api/campaign-values-reports/' || req.path === '/api/flow-values-reports/') {
		const body = JSON.parse(req.body);
		const day = body.data.attributes.timeframe.start.slice(0, 10);
		const kind = req.path.includes('campaign') ? 'campaign' : 'flow';
		if (day === '2025-03-01') return { body: fixture(`klaviyo-${kind}-values-2025-03-01.json`) };
		return { body: { data: { type: `${kind}-values-report`, attributes: { results: [] } } } };
	}
	return { status: 404, body: { errors: [{ id: 'x', code: 'not_found', title: 'Not found', detail: req.path }] } };
}

describe('Klaviyo values reports', () => {
	test('email campaigns and flows joined into daily rows, one request per day', async () => {
		server.route = world;
		const result = await adapter().fetchDailyMetrics({ accountId: 'XyZ123', since: '2025-03-01', until: '2025-03-02' });
		for (const r of server.requests) {
			assert.equal(r.headers.authorization, `Klaviyo-API-Key ${KEY}`);
			assert.equal(r.headers.revision, PLATFORM_REGISTRY.klaviyo.api.version, 'the registry\'s pinned revision');
		}
		const reports = server.requests.filter((r) => r.method === 'POST');
		assert.equal(reports.length, 4); // 2 days × (campaign + flow)
		const body = JSON.parse(reports[0].body);
		assert.equal(body.data.type, 'campaign-values-report');
		assert.equal(body.data.attributes.conversion_metric_id, 'Y8mLzP'); // "Placed Order" found on page 2 of /api/metrics/
		assert.deepEqual(body.data.attributes.timeframe, { start: '2025-03-01T00:00:00+00:00', end: '2025-03-02T00:00:00+00:00' });
		assert.equal(result.account.currency, 'EUR');
		assert.equal(result.account.timezone, 'Europe/Berlin');
		assert.equal(result.rows.length, 2);
		const [campaign, flow] = result.rows;
		// two email messages summed; the SMS message excluded (channel filter)
		assert.deepEqual({ ...campaign, raw: null }, { platform: 'klaviyo', accountId: 'XyZ123', campaignId: '01JNCAMPAIGN0000000000001', campaignName: 'March Newsletter', date: '2025-03-01', currency: 'EUR', spend: 0, impressions: 1500, clicks: 50, conversions: 7, revenue: 250.3, leads: null, raw: null });
		assert.equal((campaign.raw as { results: unknown[] }).results.length, 2);
		assert.equal(flow.campaignId, 'flow:XVTP5Q');
		assert.equal(flow.campaignName, 'Welcome Series');
		assert.equal(flow.revenue, 49.99);
		assert.equal(flow.conversions, 1);
		assert.equal(flow.impressions, 220);
	});

	test('configured metric id skips the lookup; sms channel can be included', async () => {
		server.route = world;
		const result = await adapter({ conversionMetricId: 'ABC123', sendChannels: ['email', 'sms'], includeFlows: false }).fetchDailyMetrics({ accountId: 'XyZ123', since: '2025-03-01', until: '2025-03-01' });
		assert.equal(server.requests.filter((r) => r.path === '/api/metrics/').length, 0);
		assert.equal(result.rows.length, 1);
		assert.equal(result.rows[0].revenue, 1150.3);
		assert.equal(result.rows[0].conversions, 16);
	});

	test('429 with Retry-After is waited for, then succeeds', async () => {
		let n = 0;
		server.route = (req, base) => {
			if (req.path === '/api/accounts/' && n++ === 0) return { status: 429, headers: { 'retry-after': '7' }, body: { errors: [{ id: '1', code: 'throttled', title: 'Request was throttled.', detail: 'Expected available in 7 seconds.' }] } };
			return world(req, base);
		};
		const clock = fakeClock();
		const account = await adapter({ clock }).describeAccount('XyZ123');
		assert.equal(account.name, 'Acme Store');
		assert.ok(clock.sleeps.includes(7000), `sleeps ${clock.sleeps}`);
	});

	test('bad key → auth error with hint, key scrubbed', async () => {
		server.route = () => ({ status: 401, body: fixture('klaviyo-error-401.json') });
		await assert.rejects(adapter().describeAccount('XyZ123'), (e: unknown) => {
			assert.ok(e instanceof PlatformApiError);
			assert.equal(e.kind, 'auth');
			assert.match(e.hint, /create a new private key/);
			assert.ok(!JSON.stringify(e).includes(KEY) && !e.message.includes(KEY));
			return true;
		});
	});

	test('unknown conversion metric name → config error', async () => {
		server.route = world;
		await assert.rejects(adapter({ conversionMetricName: 'Ordered Product X' }).fetchDailyMetrics({ accountId: 'XyZ123', since: '2025-03-01', until: '2025-03-01' }), (e: unknown) => e instanceof PlatformApiError && e.kind === 'config');
	});

	test('grouping keeps a non-numeric statistic for quarantine', () => {
		const groups = groupValuesResults(
			[
				{ groupings: { campaign_id: 'c1', send_channel: 'email' }, statistics: { conversions: 'n/a', conversion_value: 1 } },
				{ groupings: { campaign_id: 'c1', send_channel: 'email' }, statistics: { conversions: 2, conversion_value: 2 } },
			],
			'campaign_id',
			['email'],
		);
		assert.equal(groups.get('c1')!.stats.conversions, 'n/a');
		assert.equal(groups.get('c1')!.stats.conversion_value, 3);
	});
});
