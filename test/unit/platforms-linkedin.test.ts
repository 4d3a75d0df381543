import { test, describe } from 'vitest';
import assert from 'node:assert/strict';
import { LinkedInAdsAdapter, parseLinkedInUrn, linkedInAnalyticsQuery } from '../../nodes/shared/platforms/linkedin';
import { PlatformApiError } from '../../nodes/shared/resilience/errors';
import { useFixtureServer, fixture, fakeClock } from '../fixtures/platforms/server';

const TOKEN = 'AQVlinkedin-secret-token';
const server = useFixtureServer();

const adapter = () => new LinkedInAdsAdapter({ accessToken: TOKEN, baseUrl: server.base, linkedInVersion: '202510', clock: fakeClock(), retry: { initialDelayMs: 1, maxDelayMs: 2 } });

describe('LinkedIn adAnalytics', () => {
	test('Rest.li 2.0 query, headers, campaign names across pages, URN parsing and mapping', async () => {
		server.route = (req) => {
			if (req.path === '/rest/adAccounts/508000111') return { body: fixture('linkedin-account.json') };
			if (req.path === '/rest/adAccounts/508000111/adCampaigns') return { body: fixture(req.query.get('pageToken') === 'tok-2' ? 'linkedin-campaigns-p2.json' : 'linkedin-campaigns-p1.json') };
			if (req.path === '/rest/adAnalytics') return { body: fixture('linkedin-analytics.json') };
			return { status: 404, body: { status: 404, message: 'no route' } };
		};
		const result = await adapter().fetchDailyMetrics({ accountId: 'urn:li:sponsoredAccount:508000111', since: '2025-03-01', until: '2025-03-02' });
		const analytics = server.requests.find((r) => r.path === '/rest/adAnalytics')!;
		// raw query string: structure literal, URN percent-encoded inside List(...)
		assert.match(analytics.url, /[?&]q=analytics&pivot=CAMPAIGN&timeGranularity=DAILY&/);
		assert.ok(analytics.url.includes('dateRange=(start:(year:2025,month:3,day:1),end:(year:2025,month:3,day:2))'), analytics.url);
		assert.ok(analytics.url.includes('accounts=List(urn%3Ali%3AsponsoredAccount%3A508000111)'), analytics.url);
		assert.ok(analytics.url.includes('fields=pivotValues,dateRange,costInLocalCurrency'), analytics.url);
		for (const r of server.requests) {
			assert.equal(r.headers['linkedin-version'], '202510');
			assert.equal(r.headers['x-restli-protocol-version'], '2.0.0');
			assert.equal(r.headers.authorization, `Bearer ${TOKEN}`);
		}
		assert.equal(server.requests.filter((r) => r.path.endsWith('/adCampaigns')).length, 2);
		assert.equal(result.account.currency, 'EUR');
		assert.equal(result.account.timezone, 'UTC');
		assert.equal(result.rows.length, 3);
		const [a, b, c] = result.rows;
		assert.deepEqual({ ...a, raw: null }, { platform: 'linkedin', accountId: '508000111', campaignId: '401000001', campaignName: 'ABM Q1', date: '2025-03-01', currency: 'EUR', spend: 87.129999, impressions: 5120, clicks: 41, conversions: 3, revenue: 300, leads: 0, raw: null });
		// missing externalWebsiteConversions / conversionValueInLocalCurrency → 0
		assert.equal(b.campaignName, 'Webinar Leads');
		assert.equal(b.conversions, 0);
		assert.equal(b.revenue, 0);
		assert.equal(b.leads, 2);
		assert.equal(b.spend, 0.07);
		assert.equal(c.date, '2025-03-02');
		assert.equal(c.spend, 91.5);
	});

	test('pages through paging.start/count when the response pages', async () => {
		server.route = (req) => {
			if (req.path === '/rest/adAccounts/1') return { body: { id: 1, name: 'x', currency: 'USD' } };
			if (req.path === '/rest/adAccounts/1/adCampaigns') return { body: { elements: [] } };
			const start = Number(req.query.get('start') ?? 0);
			const el = (day: number) => ({ pivotValues: ['urn:li:sponsoredCampaign:9'], dateRange: { start: { year: 2025, month: 1, day } }, costInLocalCurrency: '1.10', impressions: 1, clicks: 0 });
			return { body: { elements: start === 0 ? [el(1), el(2)] : [el(3)], paging: { start, count: 2, total: 3 } } };
		};
		const result = await adapter().fetchDailyMetrics({ accountId: '1', since: '2025-01-01', until: '2025-01-03' });
		assert.deepEqual(result.rows.map((r) => r.date), ['2025-01-01', '2025-01-02', '2025-01-03']);
		assert.equal(result.meta.pages, 2);
	});

	test('expired token → auth error naming the fix, token never in the error', async () => {
		server.route = () => ({ status: 401, body: fixture('linkedin-error-401.json') });
		await assert.rejects(adapter().describeAccount('508000111'), (e: unknown) => {
			assert.ok(e instanceof PlatformApiError);
			assert.equal(e.kind, 'auth');
			assert.equal(e.code, 'INVALID_ACCESS_TOKEN');
			assert.match(e.hint, /reconnect/);
			assert.ok(!JSON.stringify(e).includes(TOKEN) && !e.message.includes(TOKEN));
			return true;
		});
		server.route = () => ({ status: 426, body: { status: 426, code: 'NONEXISTENT_VERSION', message: 'Requested version 202001 is not active' } });
		await assert.rejects(adapter().describeAccount('1'), (e: unknown) => e instanceof PlatformApiError && /LinkedIn-Version 202510 is not active/.test(e.hint));
		server.route = () => ({ status: 403, body: { status: 403, serviceErrorCode: 100, code: 'ACCESS_DENIED', message: 'Not enough permissions' } });
		await assert.rejects(adapter().describeAccount('1'), (e: unknown) => e instanceof PlatformApiError && e.kind === 'permission' && /r_ads_reporting/.test(e.hint));
	});

	test('URN helpers', () => {
		assert.deepEqual(parseLinkedInUrn('urn:li:sponsoredCampaign:401000001'), { type: 'sponsoredCampaign', id: '401000001' });
		assert.equal(parseLinkedInUrn('401000001'), undefined);
		assert.equal(parseLinkedInUrn(42), undefined);
		assert.match(linkedInAnalyticsQuery('urn:li:sponsoredAccount:7', '2024-12-31', '2025-01-01'), /dateRange=\(start:\(year:2024,month:12,day:31\),end:\(year:2025,month:1,day:1\)\)/);
	});
});
