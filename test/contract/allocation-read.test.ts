/**
 * Plan Budget's store read (nodes/shared/allocation/read.ts) on a real store
 * (PostgreSQL when DATABASE_URL is set, PGlite otherwise): one columnar read
 * for every account in scope; each campaign's series starts at its first
 * stored day, a day without a row is a day without spend, rows of an account
 * outside the scope are left out even when its platform and id each appear in
 * the scope (the query filters platforms and accounts separately), a series
 * whose rows mix currencies says so, revenue is null when no row reports it.
 * And the plan's ISO week across a year boundary.
 */
import assert from 'node:assert/strict';
import { afterAll, beforeAll, describe, test } from '../helpers/vitest-api';
import { historyWindow, readDailyHistory, seriesKey } from '../../nodes/shared/allocation/read';
import { isoWeek } from '../../nodes/shared/allocation/propose';
import type { RowInput } from '../../nodes/shared/schema/rows';
import { openStore, type Store } from '../../nodes/shared/store';
import { testStore, type TestStore } from '../helpers/store';

describe('allocation read: daily series from campaign_performance in one read', () => {
	let ts: TestStore | undefined;
	let store: Store;
	const row = (platform: string, account: string, campaign: string, date: string, spend: number, conversions: number, extra: Partial<RowInput<'campaign_performance'>> = {}): RowInput<'campaign_performance'> =>
		({ date, platform, account_id: account, campaign_id: campaign, campaign_name: campaign, currency: 'USD', spend, impressions: 100, clicks: 5, conversions, revenue: null, leads: 0, ...extra }) as RowInput<'campaign_performance'>;

	beforeAll(async () => {
		ts = await testStore('adops-allocation-read');
		store = await openStore(ts.config);
		await store.upsert('campaign_performance', [
			row('meta', 'A1', 'c1', '2026-03-10', 10, 1, { revenue: 50 }),
			row('meta', 'A1', 'c1', '2026-03-12', 12, 2),
			row('meta', 'A1', 'c2', '2026-03-11', 20, 3, { currency: 'EUR' }),
			row('meta', 'A1', 'c2', '2026-03-12', 21, 3),
			row('meta', 'A1', 'old', '2026-01-01', 5, 1),
			// google_ads account A1 and meta account G1 are not in scope, though each id and platform is
			row('google_ads', 'A1', 'g1', '2026-03-12', 99, 9),
			row('meta', 'G1', 'm9', '2026-03-12', 99, 9),
			row('google_ads', 'G1', 'g2', '2026-03-12', 7, 1),
		]);
	});
	afterAll(async () => {
		await store?.close();
		await ts?.cleanup();
	});

	test('series per campaign from its first day, zeros for missing days, scope pairs only, mixed currencies and revenue flagged', async () => {
		const { from, to } = historyWindow('2026-03-14', 5);
		assert.deepEqual([from, to], ['2026-03-09', '2026-03-13']);
		const { series, rows } = await readDailyHistory(store, {
			accounts: [
				{ platform: 'meta', accountId: 'A1' },
				{ platform: 'google_ads', accountId: 'G1' },
			],
			from,
			to,
		});
		assert.equal(rows, 7, 'one read: the database filters platforms and accounts (7 rows), the pairs are filtered after');
		assert.deepEqual([...series.keys()].sort(), [seriesKey('google_ads', 'G1', 'g2'), seriesKey('meta', 'A1', 'c1'), seriesKey('meta', 'A1', 'c2')].sort());
		const c1 = series.get(seriesKey('meta', 'A1', 'c1'))!;
		assert.equal(c1.firstDate, '2026-03-10');
		assert.deepEqual([...c1.spend], [10, 0, 12, 0]);
		assert.deepEqual([...c1.conversions], [1, 0, 2, 0]);
		assert.deepEqual([...c1.revenue!], [50, 0, 0, 0]);
		assert.equal(c1.currency, 'USD');
		assert.deepEqual(c1.mixedCurrencies, []);
		const c2 = series.get(seriesKey('meta', 'A1', 'c2'))!;
		assert.equal(c2.firstDate, '2026-03-11');
		assert.deepEqual([...c2.spend], [20, 21, 0]);
		assert.equal(c2.revenue, null, 'no row reports revenue');
		assert.deepEqual([c2.currency, ...c2.mixedCurrencies].sort(), ['EUR', 'USD']);
	});

	test('no accounts: nothing read', async () => {
		assert.deepEqual(await readDailyHistory(store, { accounts: [], from: '2026-03-01', to: '2026-03-13' }), { series: new Map(), rows: 0 });
	});

	test('ISO weeks of the plan id: Monday to Sunday, the week of the Thursday, across year ends', () => {
		assert.equal(isoWeek('2026-12-07'), '2026-W50');
		assert.equal(isoWeek('2026-12-13'), '2026-W50');
		assert.equal(isoWeek('2026-12-14'), '2026-W51');
		assert.equal(isoWeek('2026-12-31'), '2026-W53');
		assert.equal(isoWeek('2027-01-03'), '2026-W53');
		assert.equal(isoWeek('2027-01-04'), '2027-W01');
		assert.equal(isoWeek('2024-12-30'), '2025-W01');
		assert.equal(isoWeek('2021-01-03'), '2020-W53');
	});
});
