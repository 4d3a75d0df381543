/**
 * The attribution operation over stored events (nodes/shared/attribution/run.ts)
 * on PGlite, and PostgreSQL with DATABASE_URL: events posted through the
 * events core are stitched across user id, e-mail and click id, every model
 * credits exactly the window's conversions and revenue, a rerun after more
 * events overwrites the rows and zeroes the ones it no longer produces.
 */
import assert from 'node:assert/strict';
import { afterAll, beforeAll, describe, test } from 'vitest';
import { ingestEvents } from '../../nodes/shared/events';
import { runAttribution } from '../../nodes/shared/attribution/run';
import { ATTRIBUTION_MODELS } from '../../nodes/shared/attribution';
import type { Store } from '../../nodes/shared/store';
import { openStoreOfKind, STORE_KINDS, type OpenedTestStore } from '../helpers/store-kind';

const NOW = () => new Date('2025-06-30T12:00:00Z');

for (const kind of STORE_KINDS) {
	describe(`attribution over stored events (${kind})`, () => {
		let store: Store;
		let opened: OpenedTestStore | undefined;
		beforeAll(async () => {
			opened = await openStoreOfKind(kind, 'attribution');
			({ store } = opened);
		}, 120_000);
		afterAll(() => opened?.close());

		test('journeys stitched by user id, e-mail and click id; every model credits the window exactly; rerun zeroes stale rows', async () => {
			const events = [
				// Ana: a Meta impression (user id), a Google click (gclid only), a purchase carrying the gclid and her e-mail, her user id on a lead with the e-mail
				{ event_id: 'a1', type: 'impression', time: '2025-06-10T09:00:00Z', platform: 'meta', campaign_id: 'm-1', user: { id: 'ana' } },
				{ event_id: 'a2', type: 'click', time: '2025-06-12T09:00:00Z', click_ids: { gclid: 'G-ana' }, utm: { campaign: 'brand' } },
				{ event_id: 'a3', type: 'lead', time: '2025-06-12T09:05:00Z', user: { id: 'ana', email: 'ana@example.com' } },
				{ event_id: 'a4', type: 'purchase', time: '2025-06-13T10:00:00Z', value: 120, currency: 'EUR', click_ids: { gclid: 'G-ana' }, user: { email: 'Ana@Example.com' } },
				// Ben: a newsletter click, a purchase, later a TikTok impression that does not convert
				{ event_id: 'b1', type: 'click', time: '2025-06-14T08:00:00Z', utm: { source: 'newsletter', medium: 'email' }, user: { phone: '+44 7700 900123' } },
				{ event_id: 'b2', type: 'purchase', time: '2025-06-14T09:00:00Z', value: 30, currency: 'EUR', user: { phone: '+447700900123' } },
				{ event_id: 'b3', type: 'impression', time: '2025-06-20T08:00:00Z', platform: 'tiktok', campaign_id: 't-9', user: { phone: '+447700900123' } },
			];
			const answer = await ingestEvents(store, events, { source: 'site', now: NOW });
			assert.equal(answer.stored, 7);
			const first = await runAttribution(store, { from: '2025-06-01', to: '2025-06-30', now: NOW });
			const rows = await store.select('attributed_conversions');
			assert.deepEqual(first, { events: 7, journeys: 3, conversions: 2, unattributed: 0, rowsWritten: rows.length, rowsZeroed: 0 });
			for (const model of ATTRIBUTION_MODELS) {
				const mine = rows.filter((r) => r.model === model);
				const conv = mine.reduce((s, r) => s + Number(r.conversions), 0);
				const rev = mine.reduce((s, r) => s + Number(r.revenue), 0);
				assert.ok(Math.abs(conv - 2) < 1e-9 && Math.abs(rev - 150) < 1e-6, `${model}: ${conv} conversions, ${rev} revenue`);
			}
			const last = rows.filter((r) => r.model === 'last_click').map((r) => [r.date, r.platform, r.campaign_id, Number(r.conversions), Number(r.revenue)]).sort();
			assert.deepEqual(last, [
				['2025-06-13', 'google_ads', 'brand', 1, 120],
				['2025-06-14', 'utm:newsletter/email', '', 1, 30],
			]);
			const firstClick = rows.filter((r) => r.model === 'first_click' && Number(r.conversions) > 0).map((r) => `${r.platform}:${r.campaign_id}`).sort();
			assert.deepEqual(firstClick, ['meta:m-1', 'utm:newsletter/email:']);

			// a LinkedIn click for Ben before his purchase arrives late: last click moves off the newsletter
			await ingestEvents(store, [{ event_id: 'b0', type: 'click', time: '2025-06-14T08:30:00Z', click_ids: { li_fat_id: 'L-1' }, user: { phone: '+447700900123' } }], { source: 'site', now: NOW });
			const second = await runAttribution(store, { from: '2025-06-01', to: '2025-06-30', models: ['last_click'], now: NOW });
			assert.ok(second.rowsZeroed >= 1);
			const after = (await store.select('attributed_conversions', { where: { model: 'last_click' } })).map((r) => [r.platform, Number(r.conversions)]).sort();
			// options that cannot run are refused in words, before anything is read or written
			for (const [bad, problem] of [
				[{ from: '2025-06-31', to: '2025-06-30' }, 'from must be a date YYYY-MM-DD'],
				[{ from: 'yesterday', to: '2025-06-30' }, 'from must be a date YYYY-MM-DD'],
				[{ from: '2025-06-30', to: '2025-06-01' }, 'from (2025-06-30) is after to (2025-06-01)'],
				[{ from: '2025-06-01', to: '2025-06-30', lookbackDays: 0 }, 'lookbackDays must be a whole number of days from 1 to 365'],
			] as const) {
				await assert.rejects(runAttribution(store, { ...bad, now: NOW }), { message: `Attribution not run: ${problem}.` });
			}
			assert.deepEqual(after, [
				['google_ads', 1],
				['linkedin', 1],
				['utm:newsletter/email', 0],
			]);
		}, 120_000);
	});
}
