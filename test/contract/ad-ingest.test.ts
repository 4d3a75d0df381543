/**
 * Ad-level ingest (issue 20 item 2) against the sandbox and a real store (PGlite always, PostgreSQL
 * when DATABASE_URL is set): for Google Ads (GAQL FROM ad_group_ad), Meta (insights level=ad) and
 * LinkedIn (adAnalytics pivots CAMPAIGN,CREATIVE), through the real adapters,
 *   - the stored ad rows equal the sandbox's ground truth (platforms/ad-reports.ts) to the cent;
 *   - per campaign and day they sum to the campaign rows the campaign ingest stored, to the cent;
 *   - a rerun of the window writes nothing (values and updated_at unchanged);
 *   - bad ad rows (no ad id, negative spend, a NUL in the ad group id) are quarantined with the
 *     platform's payload and a reason, the good rows of the batch still load, and a rerun adds no
 *     second quarantine record.
 * Reporting currency = each account's own, so no FX rounding stands between the platform and the store.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pool } from 'pg';
import { afterAll, beforeAll, describe, test } from 'vitest';
import { AD_QUARANTINE_SOURCE, runAdIngest, runIngest, variantResults } from '../../nodes/shared/ingest';
import type { AdMetricRow, AdReporting } from '../../nodes/shared/platforms/ad-report';
import type { PlatformAdapter } from '../../nodes/shared/platforms/types';
import { openStore, type Store } from '../../nodes/shared/store';
import { startSandbox, type Sandbox } from '../../scripts/sandbox';
import { adGroundTruth } from '../../scripts/sandbox/platforms/ad-reports';
import { addDays, toMinor } from '../../scripts/sandbox/rng';
import { sandboxAdapters } from '../helpers/sandbox-adapters';

const DATABASE_URL = process.env.DATABASE_URL;
const TODAY = '2026-03-02';
const SINCE = addDays(TODAY, -21);
const UNTIL = addDays(TODAY, -1);
const WORLD = { meta: 'meta', linkedin: 'linkedin', google_ads: 'google' } as const;
type P = keyof typeof WORLD;
const NOW = () => new Date(`${TODAY}T12:00:00Z`);

const cents = (amount: number | null, currency: string) => (amount === null ? null : toMinor(amount, currency));

function registerSuite(name: string, open: () => Promise<{ store: Store; cleanup: () => Promise<void> }>): void {
	describe(`ad-level ingest against the sandbox (${name})`, () => {
		let sb: Sandbox;
		let store: Store;
		let cleanup: () => Promise<void>;
		let adapters: Partial<Record<P, PlatformAdapter & AdReporting>>;

		beforeAll(async () => {
			sb = await startSandbox({ seed: 5, today: TODAY });
			({ store, cleanup } = await open());
			adapters = sandboxAdapters(sb, ['meta', 'linkedin', 'google_ads'], { retry: { maxRetries: 0 } }) as typeof adapters;
		}, 120_000);
		afterAll(async () => {
			await cleanup?.();
			await sb?.close();
		});

		for (const platform of ['google_ads', 'meta', 'linkedin'] as const) {
			test(`${platform}: ad rows equal the sandbox's to the cent, sum to the campaign rows, and a rerun writes nothing`, async () => {
				const account = sb.world.accounts.find((a) => a.platform === WORLD[platform])!;
				const adapter = adapters[platform]!;
				const window = { start: SINCE, end: UNTIL };
				const ads = await runAdIngest({ store, adapter, accountId: account.id, reportingCurrency: account.currency, window, now: NOW });
				assert.equal(ads.status, 'success', JSON.stringify(ads.error ?? ads.quarantineReasons));
				const campaigns = await runIngest({ store, adapter, accountId: account.id, reportingCurrency: account.currency, window, now: NOW });
				assert.equal(campaigns.status, 'success', JSON.stringify(campaigns.error));

				const truth = adGroundTruth(sb.world, WORLD[platform], account.id, SINCE, UNTIL);
				const stored = await store.select('ad_performance', { where: { platform, account_id: account.id } });
				assert.ok(truth.length > 20, `${truth.length} ad rows in the window`);
				assert.equal(ads.rowsWritten, truth.length);
				assert.equal(stored.length, truth.length);
				const key = (c: string, g: string, a: string, d: string) => `${c}|${g}|${a}|${d}`;
				const byKey = new Map(stored.map((s) => [key(s.campaign_id, s.ad_group_id, s.ad_id, s.date), s]));
				for (const t of truth) {
					const s = byKey.get(key(t.campaign.id, t.ad.adGroupId, t.ad.adId, t.metrics.date));
					assert.ok(s, `stored row for ad ${t.ad.adId} on ${t.metrics.date}`);
					const cur = account.currency;
					// a metric the platform leaves out when it is 0 (Meta's actions) is stored NULL; Google Ads reports no leads
					assert.deepEqual(
						[cents(s.spend, cur), s.impressions, s.clicks, s.conversions, cents(s.revenue, cur) ?? 0, s.leads ?? 0],
						[cents(t.metrics.spend, cur), t.metrics.impressions, t.metrics.clicks, t.metrics.conversions, cents(t.metrics.revenue, cur), platform === 'google_ads' ? 0 : t.metrics.leads],
						`ad ${t.ad.adId} on ${t.metrics.date}`,
					);
				}

				// the ads of a campaign day sum to the campaign row, to the cent
				const rollup = await store.select('campaign_performance', { where: { platform, account_id: account.id, date: { gte: SINCE, lte: UNTIL } } });
				assert.ok(rollup.length > 5);
				for (const c of rollup) {
					const mine = stored.filter((s) => s.campaign_id === c.campaign_id && s.date === c.date);
					const sum = (f: (r: (typeof stored)[number]) => number | null) => mine.reduce((t, r) => t + (f(r) ?? 0), 0);
					assert.equal(sum((r) => cents(r.spend, c.currency)), cents(c.spend, c.currency), `spend of ${c.campaign_id} on ${c.date}`);
					assert.equal(sum((r) => cents(r.revenue, c.currency)), cents(c.revenue, c.currency) ?? 0, `revenue of ${c.campaign_id} on ${c.date}`);
					assert.equal(sum((r) => r.impressions), c.impressions);
					assert.equal(sum((r) => r.clicks), c.clicks);
					assert.equal(sum((r) => r.conversions), c.conversions);
					assert.equal(sum((r) => r.leads), c.leads ?? 0);
				}

				// idempotent: the same window again writes nothing and leaves every row as it was
				const rerun = await runAdIngest({ store, adapter, accountId: account.id, reportingCurrency: account.currency, window, now: NOW });
				assert.equal(rerun.status, 'success');
				assert.equal(rerun.rowsWritten, 0);
				assert.equal(rerun.rowsUnchanged, truth.length);
				const again = await store.select('ad_performance', { where: { platform, account_id: account.id } });
				const snap = (rows: typeof stored) => rows.map((r) => JSON.stringify(r)).sort();
				assert.deepEqual(snap(again), snap(stored));
			}, 120_000);
		}

		test('a published variant is linked to its ad: variantResults sums the ad\'s stored days (Google Ads resource name, LinkedIn URN)', async () => {
			for (const platform of ['google_ads', 'linkedin'] as const) {
				const account = sb.world.accounts.find((a) => a.platform === WORLD[platform])!;
				const truth = adGroundTruth(sb.world, WORLD[platform], account.id, SINCE, UNTIL);
				const ad = truth[truth.length - 1]!.ad;
				const mine = truth.filter((t) => t.ad.adId === ad.adId);
				const platformAdId = platform === 'google_ads' ? `customers/${account.id}/adGroupAds/${ad.adGroupId}~${ad.adId}` : `urn:li:sponsoredCreative:${ad.adId}`;
				const [r] = await variantResults(store, [{ id: 'v1', platform, account_id: account.id, platform_ad_id: platformAdId }]);
				assert.equal(r!.adId, ad.adId);
				assert.equal(r!.days, mine.length);
				assert.equal(r!.clicks, mine.reduce((t, m) => t + m.metrics.clicks, 0));
				assert.equal(toMinor(r!.spend, account.currency), mine.reduce((t, m) => t + toMinor(m.metrics.spend, account.currency), 0));
			}
			const [none] = await variantResults(store, [{ id: 'v2', platform: 'meta', account_id: null, platform_ad_id: null }]);
			assert.deepEqual([none!.adId, none!.days, none!.ctr], [null, 0, null]);
		}, 60_000);

		test('bad ad rows are quarantined with the payload and a reason, the rest loads, a rerun records nothing twice', async () => {
			const account = sb.world.accounts.find((a) => a.platform === 'meta')!;
			const real = adapters.meta!;
			const day = addDays(TODAY, -2);
			const bad = (over: Partial<AdMetricRow>): AdMetricRow => ({ platform: 'meta', accountId: account.id, campaignId: account.campaigns[0]!.id, campaignName: 'x', date: day, currency: account.currency, spend: 1, impressions: 10, clicks: 1, conversions: 0, revenue: null, leads: null, adGroupId: 'set-bad', adGroupName: null, adId: 'ad-bad', adName: null, raw: { marker: 'planted', ...over }, ...over });
			const adapter = Object.assign(Object.create(real) as typeof real, {
				async fetchAdDailyMetrics(q: Parameters<typeof real.fetchAdDailyMetrics>[0]) {
					const r = await real.fetchAdDailyMetrics(q);
					return { ...r, rows: [...r.rows, bad({ adId: '' }), bad({ adId: 'ad-neg', spend: -5 }), bad({ adGroupId: 'set\u0000x', adId: 'ad-nul' })] };
				},
			});
			const window = { start: day, end: day };
			const first = await runAdIngest({ store, adapter, accountId: account.id, reportingCurrency: account.currency, window, now: NOW });
			assert.equal(first.status, 'partial');
			assert.equal(first.rowsQuarantined, 3);
			assert.equal(first.quarantineRecordsAdded, 3);
			assert.ok(first.rowsUnchanged + first.rowsWritten > 0, 'the good rows of the batch load');
			assert.match(first.quarantineReasons.join('\n'), /ad id is missing/);
			assert.match(first.quarantineReasons.join('\n'), /spend: negative/);
			assert.match(first.quarantineReasons.join('\n'), /ad group id .*identifier is never altered/);
			const records = await store.select('quarantine', { where: { source: AD_QUARANTINE_SOURCE, account_id: account.id } });
			assert.equal(records.length, 3);
			for (const r of records) assert.equal((r.raw_payload as { marker?: string }).marker, 'planted');
			const second = await runAdIngest({ store, adapter, accountId: account.id, reportingCurrency: account.currency, window, now: NOW });
			assert.equal(second.rowsQuarantined, 3);
			assert.equal(second.quarantineRecordsAdded, 0);
			assert.equal(second.rowsWritten, 0);
			assert.equal((await store.select('quarantine', { where: { source: AD_QUARANTINE_SOURCE, account_id: account.id } })).length, 3);
			assert.equal((await store.select('ad_performance', { where: { ad_id: { in: ['ad-neg', 'ad-nul', ''] } } })).length, 0);
		}, 120_000);
	});
}

const pgliteDir = mkdtempSync(join(tmpdir(), 'adops-ad-ingest-'));
registerSuite('PGlite', async () => {
	const store = await openStore({ kind: 'embedded', path: pgliteDir });
	return {
		store,
		cleanup: async () => {
			await store.close();
			rmSync(pgliteDir, { recursive: true, force: true });
		},
	};
});

if (DATABASE_URL) {
	const schema = `adops_ad_ingest_${randomBytes(5).toString('hex')}`;
	registerSuite(`PostgreSQL (schema ${schema})`, async () => {
		const store = await openStore({ kind: 'postgres', connectionString: DATABASE_URL, ssl: 'disable', schema });
		return {
			store,
			cleanup: async () => {
				await store.close();
				const admin = new Pool({ connectionString: DATABASE_URL, max: 1 });
				await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
				await admin.end();
			},
		};
	});
}
