// The learning loop (issue 20 item 3) over a real store: published variants and their ads' days stored,
// read back through the creative_variant_results view in one query; ranking, volume gate and scoreboard
// checked against numbers computed by hand.
import assert from 'node:assert/strict';
import { afterAll, beforeAll, describe, test } from 'vitest';
import { angleScoreboard, learnFromVariants, learningLines, readVariantResults, scoreboardWords } from '../../nodes/shared/creative';
import { storedAdId, variantResults } from '../../nodes/shared/ingest/variant-ads';
import { openStoreOfKind, STORE_KINDS, type OpenedTestStore } from '../helpers/store-kind';

const A1 = 'act-111';

/** A published variant: headline, angle, platform ad id. */
const variant = (platform: 'meta' | 'google_ads' | 'linkedin', account: string, hash: string, headline: string, angle: string | null, platformAdId: string | null) => ({
	platform,
	account_id: account,
	campaign_id: 'cmp-1',
	content_hash: hash,
	headline,
	copy_angle: angle,
	status: platformAdId ? ('published' as const) : ('approved' as const),
	platform_ad_id: platformAdId,
});

/** One day of an ad. */
const day = (platform: 'meta' | 'google_ads' | 'linkedin', account: string, adId: string, date: string, impressions: number, clicks: number, spend: number, conversions: number, revenue: number | null, currency = 'USD') => ({
	date,
	platform,
	account_id: account,
	campaign_id: 'cmp-1',
	ad_group_id: 'grp-1',
	ad_id: adId,
	currency,
	spend,
	impressions,
	clicks,
	conversions,
	revenue,
});

for (const kind of STORE_KINDS) {
	describe(`learning loop over published variants (${kind})`, () => {
		let s: OpenedTestStore;
		beforeAll(async () => {
			s = await openStoreOfKind(kind, 'learning');
			await s.store.upsert('creative_variants', [
				// angle "time saved" on Meta account A1
				variant('meta', A1, 'h1', 'Save 3 hours a week', 'time saved', '101'), // CTR 3 %, CPA 10, ROAS 4
				variant('meta', A1, 'h2', 'Less admin, more selling', 'time saved', '102'), // CTR 1 %, CPA 16, ROAS 1.25
				variant('meta', A1, 'h3', 'Done by lunch', 'time saved', '103'), // 800 impressions, 1 conversion: nothing ranked
				variant('meta', A1, 'h4', 'Your evenings back', 'Time saved ', '104'), // 19 clicks (CTR gated), CPA 9, ROAS 6.67
				// angle "Social proof" (and its spelling variant) on Meta account A1
				variant('meta', A1, 'h5', 'Trusted by 4,000 shops', 'Social proof', '105'), // CTR 2.5 %, CPA 10, no revenue
				variant('meta', A1, 'h6', 'Rated 4.8 by owners', 'social proof', '106'), // published, no day stored yet
				// not published: never in the view
				variant('meta', A1, 'h7', 'Not live yet', 'time saved', null),
				// other platforms' id forms
				variant('google_ads', '1234567890', 'g1', 'Light Down Jackets', 'lightness', 'customers/1234567890/adGroupAds/456~789'),
				variant('linkedin', '5005', 'l1', 'Outfit your team', 'teams', 'urn:li:sponsoredCreative:555'),
			]);
			await s.store.upsert('ad_performance', [
				day('meta', A1, '101', '2025-06-01', 3000, 90, 60, 6, 240),
				day('meta', A1, '101', '2025-06-02', 2000, 60, 40, 4, 160),
				day('meta', A1, '102', '2025-06-01', 4000, 40, 80, 5, 100),
				day('meta', A1, '103', '2025-06-01', 800, 30, 10, 1, 20),
				day('meta', A1, '104', '2025-06-01', 2000, 19, 45, 5, 300),
				day('meta', A1, '105', '2025-06-01', 10000, 250, 200, 20, null),
				// same ad id in another account: not variant 101's
				day('meta', 'act-999', '101', '2025-06-01', 99999, 9999, 999, 99, 999),
				day('google_ads', '1234567890', '789', '2025-06-01', 1500, 45, 30.5, 3, 90),
				day('linkedin', '5005', '555', '2025-06-01', 700, 7, 55.25, 0, null),
			]);
		});
		afterAll(async () => {
			await s?.close();
		});

		test('the view joins each published variant to its own ad, as storedAdId/variantResults do', async () => {
			const all = await s.store.selectView('creative_variant_results', { order: [{ column: 'variant_id' }] });
			assert.equal(all.length, 8, 'seven published Meta/Google/LinkedIn variants plus none for the unpublished one');
			const variants = (await s.store.select('creative_variants')).filter((v) => v.platform_ad_id !== null);
			assert.equal(variants.length, 8);
			const viaTs = await variantResults(s.store, variants);
			for (const v of viaTs) {
				const row = all.find((r) => r.variant_id === v.variantId)!;
				assert.ok(row, v.variantId);
				assert.equal(row.ad_id, v.adId);
				assert.deepEqual([row.days, row.impressions, row.clicks, row.spend, row.conversions, row.revenue], [v.days, v.impressions, v.clicks, v.spend, v.conversions, v.revenue], v.variantId);
			}
			const google = all.find((r) => r.platform === 'google_ads')!;
			assert.deepEqual([google.ad_id, google.impressions, google.spend], ['789', 1500, 30.5]);
			const li = all.find((r) => r.platform === 'linkedin')!;
			assert.deepEqual([li.ad_id, li.clicks, li.spend], ['555', 7, 55.25]);
		});

		test('best and worst per angle by CTR, CPA and ROAS, low volume named information missing', async () => {
			const rows = await readVariantResults(s.store, { platform: 'meta', accountId: A1 });
			assert.equal(rows.length, 6);
			const l = learnFromVariants(rows);
			assert.deepEqual(
				l.angles.map((a) => [a.angle, a.variants]),
				[
					['Social proof', 2],
					['time saved', 4],
				],
			);
			const head = (id: { copy: { headline: string | null } } | null) => id?.copy.headline ?? null;
			const time = l.angles[1].rankings;
			// CTR: v1 150/5000 = 3 %, v2 40/4000 = 1 %; v4 (19 clicks) and v3 (800 impressions) gated
			assert.deepEqual([head(time.ctr.best), time.ctr.best!.ctr, head(time.ctr.worst), time.ctr.worst!.ctr, time.ctr.ranked], ['Save 3 hours a week', 0.03, 'Less admin, more selling', 0.01, 2]);
			assert.deepEqual(time.ctr.missing.map((m) => [head(m.variant), m.reason]).sort(), [
				['Done by lunch', '800 impressions and 30 clicks; CTR needs 1,000 and 20'],
				['Your evenings back', '2,000 impressions and 19 clicks; CTR needs 1,000 and 20'],
			]);
			// CPA: v4 45/5 = 9 best, v1 100/10 = 10, v2 80/5 = 16 worst; v3 1 conversion gated
			assert.deepEqual([head(time.cpa.best), time.cpa.best!.cpa, head(time.cpa.worst), time.cpa.worst!.cpa, time.cpa.ranked], ['Your evenings back', 9, 'Less admin, more selling', 16, 3]);
			assert.deepEqual(time.cpa.missing.map((m) => [head(m.variant), m.reason]), [['Done by lunch', '1 conversions; CPA needs 5']]);
			// ROAS: v4 300/45 = 6.67 best, v1 400/100 = 4, v2 100/80 = 1.25 worst
			assert.deepEqual([head(time.roas.best), head(time.roas.worst), time.roas.worst!.roas], ['Your evenings back', 'Less admin, more selling', 1.25]);
			assert.ok(Math.abs(time.roas.best!.roas! - 300 / 45) < 1e-12);

			const social = l.angles[0].rankings;
			// one eligible variant: a best, no worst; the one without days is information missing everywhere
			assert.deepEqual([head(social.ctr.best), social.ctr.worst, social.ctr.ranked], ['Trusted by 4,000 shops', null, 1]);
			assert.deepEqual([social.roas.best, social.roas.ranked], [null, 0], 'no revenue reported: no ROAS to rank');
			assert.deepEqual(social.roas.missing.map((m) => m.reason).sort(), ['0 conversions; ROAS needs 5', 'no revenue reported; ROAS needs revenue']);

			const lines = learningLines(l);
			assert.ok(lines.includes('angle "time saved", best by CTR: "Save 3 hours a week" (CTR 3 %, 5,000 impressions, 150 clicks)'), lines.join('\n'));
			assert.ok(lines.includes('angle "time saved", worst by CPA: "Less admin, more selling" (CPA 16.00 USD, 5 conversions, 80.00 USD spent)'), lines.join('\n'));
			assert.ok(lines.includes('angle "time saved", best by ROAS: "Your evenings back" (ROAS 6.67, 5 conversions, 45.00 USD spent)'), lines.join('\n'));
			assert.ok(lines.includes('angle "time saved", information missing (too little volume to rank): "Done by lunch"'), lines.join('\n'));
			assert.ok(lines.includes('angle "Social proof", information missing (too little volume to rank): "Rated 4.8 by owners"'), lines.join('\n'));
			assert.ok(!lines.some((x) => x.includes('Not live yet')));
		});

		test('per-angle scoreboard of the account, by hand', async () => {
			const rows = await readVariantResults(s.store, { platform: 'meta', accountId: A1 });
			const board = angleScoreboard(rows, { platform: 'meta', accountId: A1 });
			assert.deepEqual(board.angles, [
				// 10,000 impressions, 250 clicks (2.5 %), 20 conversions, 200 spent: CPA 10; no revenue: no ROAS
				{ angle: 'Social proof', variantsPublished: 2, impressions: 10000, clicks: 250, ctr: 0.025, conversions: 20, currency: 'USD', spend: 200, cpa: 10, roas: null },
				// 5000+4000+800+2000 = 11,800 impressions, 150+40+30+19 = 239 clicks: 0.020254 -> 0.0203;
				// 21 conversions, 235 spent: CPA 11.190476 -> 11.19; revenue 820: ROAS 3.489361 -> 3.49
				{ angle: 'time saved', variantsPublished: 4, impressions: 11800, clicks: 239, ctr: 0.0203, conversions: 21, currency: 'USD', spend: 235, cpa: 11.19, roas: 3.49 },
			]);
			const words = scoreboardWords(board);
			assert.equal(
				words,
				[
					'Copy angles on meta account act-111:',
					'• "Social proof": 2 variants published, 10,000 impressions, 250 clicks, CTR 2.5 %, 20 conversions, CPA 10.00 USD, ROAS information missing',
					'• "time saved": 4 variants published, 11,800 impressions, 239 clicks, CTR 2.03 %, 21 conversions, CPA 11.19 USD, ROAS 3.49',
				].join('\n'),
			);
			assert.ok(!words.includes('{'), 'words, not JSON');
			assert.equal(scoreboardWords(angleScoreboard(rows, { platform: 'meta', accountId: 'act-none' })), 'Copy angles on meta account act-none: no published variant yet.');
		});

		test("the view's ad id is storedAdId's for every id form, odd ones included (one rule, no drift between SQL and TS)", async () => {
			const forms = [
				'customers/1234567890/adGroupAds/456~789',
				'urn:li:sponsoredCreative:555',
				'120210000012300001',
				' 4242 ',
				'4242\n',
				'\t4242\u00a0',
				'customers/1/adGroups/2',
				'xadGroupAds/1~2',
				'urn:li:share:1',
				'urn:li:sponsoredCreative:12x',
				'12 34',
				'abc',
			];
			const platforms = ['meta', 'google_ads', 'linkedin'] as const;
			const rows = platforms.flatMap((p) => forms.map((id, i) => variant(p, 'act-forms', `f-${p}-${i}`, `form ${i}`, 'forms', id)));
			await s.store.upsert('creative_variants', rows);
			const view = await s.store.selectView('creative_variant_results', { where: { account_id: 'act-forms' } });
			assert.equal(view.length, rows.length);
			const variants = await s.store.select('creative_variants', { where: { account_id: 'act-forms' } });
			for (const v of variants) {
				const got = view.find((r) => r.variant_id === v.id)!;
				assert.equal(got.ad_id, storedAdId(v.platform, v.platform_ad_id), `${v.platform} ${JSON.stringify(v.platform_ad_id)}`);
			}
		});
	});
}
