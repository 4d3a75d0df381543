// AdOps Ingest's ad level on n8n-core against the sandbox and the store (PGlite, or PostgreSQL with
// DATABASE_URL): Level "Campaigns and Ads" loads campaign_performance and ad_performance in one run
// (ads summing to their campaigns to the cent), and Check Creative Fatigue outputs one item per
// fatigued ad, with the numbers in words, equal to the core's own check on the same store.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { checkFatigue } from '../../nodes/shared/fatigue';
import { openStore, type Store } from '../../nodes/shared/store';
import { toMinor } from '../../scripts/sandbox/rng';
import { startEngine, type Engine } from './harness';
import { expectNodeError, expectPaired, json } from './expect';

describe('AdOps Ingest ad level on n8n-core', () => {
	let engine: Engine;
	let creds: Record<string, { id: string; name: string }>;
	const node = (parameters: Record<string, unknown>) => ({ name: 'Ingest', type: 'adOpsIngest', parameters, credentials: creds });
	const withStore = async <T>(fn: (store: Store) => Promise<T>): Promise<T> => {
		const store = await openStore(engine.store.config);
		try {
			return await fn(store);
		} finally {
			await store.close();
		}
	};
	beforeAll(async () => {
		engine = await startEngine({ seed: 21 });
		creds = { ...engine.credentialRef('adOpsStoreApi'), ...engine.credentialRef('adOpsGoogleAdsOAuth2Api'), ...engine.credentialRef('adOpsKlaviyoApi') };
	});
	afterAll(async () => {
		await engine?.close();
	});

	test('Level "Campaigns and Ads": one campaign and one ad outcome per account; the ads sum to their campaigns to the cent', async () => {
		const account = engine.sandbox.world.accounts.find((a) => a.platform === 'google')!;
		const run = await engine.runNode(node({ operation: 'ingest', platform: 'google_ads', accounts: account.id, reportingCurrency: account.currency, lookbackDays: 1, initialBackfillDays: 45, options: { level: 'both' } }));
		expect(run.status, run.error?.message).toBe('success');
		const out = json(run.items('Ingest')) as Array<{ status: string; level?: string; rowsWritten: number }>;
		expect(out.map((o) => [o.status, o.level ?? 'campaign'])).toEqual([
			['success', 'campaign'],
			['success', 'ad'],
		]);
		expectPaired(run);
		const [campaigns, ads] = await withStore((s) => Promise.all([s.select('campaign_performance', { where: { account_id: account.id } }), s.select('ad_performance', { where: { account_id: account.id } })]));
		expect(ads).toHaveLength(out[1]!.rowsWritten);
		expect(ads.length).toBeGreaterThan(campaigns.length);
		for (const c of campaigns) {
			const mine = ads.filter((a) => a.campaign_id === c.campaign_id && a.date === c.date);
			expect(mine.reduce((t, a) => t + toMinor(a.spend, c.currency), 0), `${c.campaign_id} ${c.date}`).toBe(toMinor(c.spend, c.currency));
			expect(mine.reduce((t, a) => t + a.clicks, 0)).toBe(c.clicks);
		}
	});

	test('Check Creative Fatigue: one item per fatigued ad with the numbers in words, as the core finds them', async () => {
		const run = await engine.runNode(node({ operation: 'fatigue', fatiguePlatforms: ['google_ads'], fatigueOptions: {} }));
		expect(run.status, run.error?.message).toBe('success');
		const items = json(run.items('Ingest')) as Array<{ adId: string; ctrChangePct: number; summary: string; alert: { title: string; items: string[] } }>;
		const expected = await withStore((store) => checkFatigue({ store, platforms: ['google_ads'] }));
		expect(expected.judged).toBeGreaterThan(0);
		expect(items.map((i) => i.adId).sort()).toEqual(expected.fatigued.map((a) => a.adId).sort());
		expect(items.length, 'the sandbox world has tiring ads (platforms/ad-reports.ts)').toBeGreaterThan(0);
		for (const i of items) {
			expect(i.ctrChangePct).toBeLessThanOrEqual(-20);
			expect(i.summary).toMatch(/^CTR fell \d+ % .* to \d+\.\d\d % over the \d+ days since \d{4}-\d{2}-\d{2} .*Fatigued: evidence/);
			expect(i.alert.title).toMatch(/^Creative fatigue: 1 of \d+ ad\(s\) judged$/);
			expect(i.alert.items[0]).not.toMatch(/[{}]/);
		}
	});

	test('a bad As Of names itself; Klaviyo refuses the ad level in words', async () => {
		const bad = await engine.runNode(node({ operation: 'fatigue', asOf: '12/01/2026', fatigueOptions: {} }));
		expectNodeError(bad, 'Ingest', /As Of must be YYYY-MM-DD, got "12\/01\/2026"/, 0);
		const klaviyo = await engine.runNode(node({ operation: 'ingest', platform: 'klaviyo', accounts: '', reportingCurrency: 'USD', lookbackDays: 1, initialBackfillDays: 2, options: { level: 'ad' } }));
		expectNodeError(klaviyo, 'Ingest', /Klaviyo does not report metrics per ad here .*set Level to Campaigns/, 0);
	});
});
