// AdOps Conversions run in-process by n8n-core (test/engine/harness.ts) against the store (PGlite, or
// PostgreSQL with DATABASE_URL). Events reach the store through the events trigger's own core
// (ingestEvents, what AdOps Events Trigger calls per post), as a website would send them:
// - Attribute Conversions over journeys whose credit each model gives is known by hand; the summary in
//   words, the rows read back from attributed_conversions, a rerun that replaces instead of adding, the
//   default window (yesterday, UTC), and refused input with the item's index.
// - First-Party Metrics: a batch, a query, a second batch, the next query counts it (no cache, no
//   rollup); Berlin's day; filters; an unknown time zone refused with the item's index.
// - Send to Ad Platforms (the sendback helper's operation, wired here): the Meta credential selected on the node
//   reaches the sender through the router's context; consented purchases reach the sandbox's Conversions API once.
import { test, describe, beforeAll, afterAll, expect } from 'vitest';
import { ingestEvents } from '../../nodes/shared/events/ingest';
import { conversionReceipts } from '../../scripts/sandbox/platforms/conversions';
import { startEngine, type Engine } from './harness';
import { expectNodeError, expectPaired, json } from './expect';
import { withStore } from './world';

const DAY = '2026-11-20';
const at = (day: string, hhmm: string) => `${day}T${hhmm}:00Z`;
const before = (days: number) => new Date(Date.parse(`${DAY}T00:00:00Z`) - days * 86_400_000).toISOString().slice(0, 10);

describe('AdOps Conversions on n8n-core', () => {
	let engine: Engine;
	let creds: Record<string, { id: string; name: string }>;
	const node = (parameters: Record<string, unknown>) => ({ name: 'Conversions', type: 'adOpsConversions', parameters, credentials: creds });
	const post = (events: unknown[], source = 'web') => withStore(engine, (store) => ingestEvents(store, { events }, { source }));

	beforeAll(async () => {
		engine = await startEngine({ seed: 22 });
		creds = engine.credentialRef('adOpsStoreApi');
	}, 240_000);
	afterAll(async () => {
		await engine?.close();
	});

	test('Attribute Conversions: each model credits the known touches; summary in words, rows read back rounded; a rerun replaces them', async () => {
		// A: Meta click (m1) 3 days before, Google click (g1) the day before, buys for 100 EUR.
		// B: Meta click (m1) 2 days before, buys for 50.10 EUR. C: a Google click, no purchase. D: buys for 20 EUR without any touch.
		const answer = await post([
			{ event_id: 'a-1', type: 'click', time: at(before(3), '09:00'), user: { id: 'A' }, click_ids: { fbclid: 'fbA' }, campaign_id: 'm1' },
			{ event_id: 'a-2', type: 'click', time: at(before(1), '09:00'), user: { id: 'A' }, click_ids: { gclid: 'gA' }, campaign_id: 'g1' },
			{ event_id: 'a-3', type: 'purchase', time: at(DAY, '10:00'), user: { id: 'A' }, value: 100, currency: 'EUR' },
			{ event_id: 'b-1', type: 'click', time: at(before(2), '09:00'), user: { email: 'b@example.com' }, platform: 'meta', campaign_id: 'm1' },
			{ event_id: 'b-2', type: 'purchase', time: at(DAY, '11:00'), user: { email: ' B@example.com' }, value: 50.1, currency: 'EUR' },
			{ event_id: 'c-1', type: 'click', time: at(before(1), '12:00'), user: { id: 'C' }, click_ids: { gclid: 'gC' }, campaign_id: 'g1' },
			{ event_id: 'd-1', type: 'purchase', time: at(DAY, '12:00'), user: { id: 'D' }, value: 20, currency: 'EUR' },
		]);
		expect(answer).toMatchObject({ stored: 7, quarantined: 0 });
		const params = { operation: 'attribute', from: DAY, to: DAY, models: ['last_click', 'first_click', 'linear', 'markov'], outputRows: true };
		const run = await engine.runNode(node(params));
		expect(run.status, JSON.stringify(run.error)).toBe('success');
		expectPaired(run);
		const [summary, ...rows] = json(run.items('Conversions'));
		expect(summary).toMatchObject({ outcome: 'attribution', from: DAY, to: DAY, lookbackDays: 30, conversionTypes: ['purchase'], events: 7, conversions: 3, unattributed: 1 });
		expect(summary!.summary).toContain(`Attribution of ${DAY} (UTC days, 30-day lookback): 3 conversions in 4 journeys from 7 events; not credited, without a touch in the lookback: 1.`);
		expect(summary!.summary).toContain('Last click: Google Ads 50 %, Meta 50 % of 2 conversions worth 150.10 EUR.');
		expect(summary!.summary).toContain('First click: Meta 100 % of 2 conversions worth 150.10 EUR.');
		expect(summary!.summary).toContain('Linear: Meta 75 %, Google Ads 25 % of 2 conversions worth 150.10 EUR.');
		expect(summary!.summary).toMatch(/Markov chain \(removal effect\): (Meta|Google Ads) [\d.]+ %, (Meta|Google Ads) [\d.]+ % of 2 conversions worth 150.10 EUR\./);
		const row = (model: string, platform: string) => rows.find((r) => r.model === model && r.platform === platform);
		expect(rows.every((r) => r.outcome === 'attributed' && r.currency === 'EUR')).toBe(true);
		expect(row('last_click', 'google_ads')).toMatchObject({ campaignId: 'g1', conversions: 1, revenue: 100, modelLabel: 'Last click', summary: `Last click: Google Ads campaign g1, 1 conversion worth 100.00 EUR on ${DAY}.` });
		expect(row('last_click', 'meta')).toMatchObject({ campaignId: 'm1', conversions: 1, revenue: 50.1 });
		expect(row('first_click', 'meta')).toMatchObject({ conversions: 2, revenue: 150.1 });
		expect(row('first_click', 'google_ads')).toBeUndefined();
		expect(row('linear', 'meta')).toMatchObject({ conversions: 1.5, revenue: 100.1 });
		expect(row('linear', 'google_ads')).toMatchObject({ conversions: 0.5, revenue: 50 });
		const markov = rows.filter((r) => r.model === 'markov');
		expect(markov.reduce((s, r) => s + (r.conversions as number), 0)).toBeCloseTo(2, 2);
		// the items are the table's rows for the window
		const stored = await withStore(engine, (store) => store.select('attributed_conversions', { where: { date: DAY } }));
		expect(stored.filter((r) => Number(r.conversions) > 0)).toHaveLength(rows.length);
		expect(summary!.rowsWritten).toBe(stored.length);

		// a rerun over the same day replaces the rows: same items, same table
		const again = await engine.runNode(node(params));
		expect(json(again.items('Conversions')).slice(1)).toEqual(rows);
		expect(await withStore(engine, (store) => store.select('attributed_conversions', { where: { date: DAY } }))).toHaveLength(stored.length);

		// only the summary without Output Attributed Rows; leads as conversions credit nothing here (there are none)
		const leads = await engine.runNode(node({ operation: 'attribute', from: DAY, to: DAY, models: ['linear'], conversionTypes: ['lead'] }));
		expect(json(leads.items('Conversions'))).toEqual([expect.objectContaining({ outcome: 'attribution', conversions: 0, summary: expect.stringContaining('Linear: nothing credited.') })]);
	}, 180_000);

	test('Attribute Conversions: the window defaults to yesterday (UTC); refused input names the problem and the item', async () => {
		const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
		const run = await engine.runNode(node({ operation: 'attribute', models: ['last_click'] }));
		expect(run.status, JSON.stringify(run.error)).toBe('success');
		expect(json(run.items('Conversions'))[0]).toMatchObject({ from: yesterday, to: yesterday });

		// the second item's From is after its To: runAttribution refuses before reading or writing
		const bad = await engine.runNode(node({ operation: 'attribute', from: '={{ $json.from }}', to: '2026-12-01', models: ['last_click'] }), [{ from: '2026-11-30' }, { from: '2026-12-07' }]);
		expectNodeError(bad, 'Conversions', /Attribution not run: from \(2026-12-07\) is after to \(2026-12-01\)\./, 1);
		const word = await engine.runNode(node({ operation: 'attribute', from: 'yesterday', models: ['last_click'] }));
		expectNodeError(word, 'Conversions', /Attribution not run: from must be a date YYYY-MM-DD\./, 0);
		const lookback = await engine.runNode(node({ operation: 'attribute', lookbackDays: 0, models: ['last_click'] }));
		expectNodeError(lookback, 'Conversions', /Lookback \(Days\) must be a whole number from 1 to 365; got 0/, 0);
		const none = await engine.runNode(node({ operation: 'attribute', models: [] }));
		expectNodeError(none, 'Conversions', /Models is empty/, 0);
		// under Continue On Fail, the refused item becomes an error item paired with it
		const cont = await engine.runNode(node({ operation: 'attribute', from: '={{ $json.from }}', to: '2026-12-01', models: ['last_click'] }), [{ from: '2026-11-30' }, { from: '2026-12-07' }], { continueOnFail: true });
		expect(cont.status).toBe('success');
		const items = json(cont.items('Conversions'));
		expect(items.map((i) => i.outcome ?? 'error')).toEqual(['attribution', 'error']);
		expect(items[1]!.error).toMatch(/from \(2026-12-07\) is after to/);
	}, 180_000);

	test('First-Party Metrics: current as soon as a batch lands (post, query, post, query); per campaign in words; Berlin\'s day; filters', async () => {
		const ASOF = '2026-12-07T10:30:00Z'; // 11:30 in Berlin, whose day began at 23:00 UTC
		const first = await post(
			[
				{ event_id: 'm-1', type: 'purchase', time: '2026-12-06T23:30:00Z', platform: 'meta', campaign_id: '1202', value: 1000, currency: 'EUR' },
				{ event_id: 'm-2', type: 'purchase', time: '2026-12-07T08:00:00Z', click_ids: { fbclid: 'fbM' }, utm: { campaign: '1202' }, value: 234.5, currency: 'EUR' },
				{ event_id: 'm-3', type: 'purchase', time: '2026-12-07T10:00:00Z', platform: 'meta', campaign_id: '1202', value: 100, currency: 'EUR' },
				{ event_id: 'm-4', type: 'click', time: '2026-12-07T10:05:00Z', platform: 'meta', campaign_id: '1202' },
				{ event_id: 'g-1', type: 'lead', time: '2026-12-07T09:00:00Z', click_ids: { gclid: 'gL' }, campaign_id: 'g7' },
				// 22:30 UTC on the 6th is still the 6th in Berlin: not today's
				{ event_id: 'm-0', type: 'purchase', time: '2026-12-06T22:30:00Z', platform: 'meta', campaign_id: '1202', value: 5, currency: 'EUR' },
			],
			'shop',
		);
		expect(first).toMatchObject({ stored: 6 });
		const params = { operation: 'metrics', timeZone: 'Europe/Berlin', metricsOptions: { asOf: ASOF } };
		const one = await engine.runNode(node(params));
		expect(one.status, JSON.stringify(one.error)).toBe('success');
		expectPaired(one);
		const items = json(one.items('Conversions'));
		expect(items.map((i) => `${i.platform}|${i.campaignId}`)).toEqual(['meta|1202', 'google_ads|g7']);
		expect(items[0]).toMatchObject({
			outcome: 'firstPartyMetrics',
			timeZone: 'Europe/Berlin',
			day: '2026-12-07',
			dayStart: '2026-12-06T23:00:00.000Z',
			hourStart: '2026-12-07T09:30:00.000Z',
			asOf: '2026-12-07T10:30:00.000Z',
			today: { clicks: 1, leads: 0, purchases: 3, conversions: 3, value: { EUR: 1334.5 } },
			lastHour: { clicks: 1, leads: 0, purchases: 1, conversions: 1, value: { EUR: 100 } },
			summary: 'Meta campaign 1202: today 3 purchases worth 1,334.50 EUR, 1 in the last hour worth 100.00 EUR; 1 click today (1 in the last hour).',
		});
		expect(items[1]!.summary).toBe('Google Ads campaign g7: today 0 purchases, 0 in the last hour; 1 lead today (0 in the last hour).');

		// the next batch lands: the next query counts it
		const second = await post(
			[
				{ event_id: 'm-5', type: 'purchase', time: '2026-12-07T10:20:00Z', platform: 'meta', campaign_id: '1202', value: 66.25, currency: 'EUR' },
				{ event_id: 'm-6', type: 'purchase', time: '2026-12-07T10:25:00Z', platform: 'meta', campaign_id: '1202', value: 12, currency: 'USD' },
				{ event_id: 'l-1', type: 'purchase', time: '2026-12-07T10:29:00Z', click_ids: { li_fat_id: 'liX' }, campaign_id: 'li9', value: 40, currency: 'EUR' },
				{ event_id: 'm-3', type: 'purchase', time: '2026-12-07T10:00:00Z', platform: 'meta', campaign_id: '1202', value: 100, currency: 'EUR' },
			],
			'shop',
		);
		expect(second).toMatchObject({ stored: 3, duplicates: 1 });
		const two = json((await engine.runNode(node(params))).items('Conversions'));
		expect(two.map((i) => `${i.platform}|${i.campaignId}`)).toEqual(['meta|1202', 'linkedin|li9', 'google_ads|g7']);
		expect(two[0]).toMatchObject({
			today: { clicks: 1, purchases: 5, conversions: 5, value: { EUR: 1400.75, USD: 12 } },
			lastHour: { purchases: 3, conversions: 3, value: { EUR: 166.25, USD: 12 } },
			summary: 'Meta campaign 1202: today 5 purchases worth 1,400.75 EUR and 12.00 USD, 3 in the last hour worth 166.25 EUR and 12.00 USD; 1 click today (1 in the last hour).',
		});
		expect(two[1]).toMatchObject({ label: 'LinkedIn campaign li9', today: { purchases: 1, value: { EUR: 40 } } });

		// filters, and leads counted as conversions
		const onlyMeta = json((await engine.runNode(node({ ...params, platform: 'meta' }))).items('Conversions'));
		expect(onlyMeta.map((i) => i.campaignId)).toEqual(['1202']);
		const g7 = json((await engine.runNode(node({ ...params, campaignId: 'g7', conversionTypes: ['purchase', 'lead'] }))).items('Conversions'));
		expect(g7).toEqual([expect.objectContaining({ platform: 'google_ads', today: expect.objectContaining({ leads: 1, conversions: 1 }), summary: expect.stringMatching(/^Google Ads campaign g7: today 1 conversion, 0 in the last hour; 1 lead today/) })]);
		const tiktok = json((await engine.runNode(node({ ...params, platform: 'tiktok' }))).items('Conversions'));
		expect(tiktok).toEqual([expect.objectContaining({ outcome: 'noEvents', summary: 'No first-party events for TikTok since the start of 2026-12-07 (Europe/Berlin) or in the last hour.' })]);
	}, 180_000);

	test('First-Party Metrics: an unknown time zone or As Of is refused in words with the item index', async () => {
		const run = await engine.runNode(node({ operation: 'metrics', timeZone: '={{ $json.zone }}' }), [{ zone: 'UTC' }, { zone: 'Mars/Olympus' }]);
		expectNodeError(run, 'Conversions', /Time zone "Mars\/Olympus" is not an IANA time zone/, 1);
		const asOf = await engine.runNode(node({ operation: 'metrics', metricsOptions: { asOf: 'soon' } }));
		expectNodeError(asOf, 'Conversions', /As Of must be a date and time/, 0);
		const types = await engine.runNode(node({ operation: 'metrics', conversionTypes: ['click'] }));
		expectNodeError(types, 'Conversions', /Conversion Types must be among lead, purchase, custom; got "click"/, 0);
	}, 120_000);

	test('Send to Ad Platforms: the Meta credential on the node reaches the sender; each consented purchase once, a rerun sends nothing; no destination is refused with the item index', async () => {
		const ago = (minutes: number) => new Date(Date.now() - minutes * 60_000).toISOString();
		const consent = { ad_storage: true, ad_user_data: true };
		const answer = await post(
			[
				{ event_id: 's-1', type: 'purchase', time: ago(30), click_ids: { fbclid: 'fbS1' }, value: 10, currency: 'EUR', consent },
				{ event_id: 's-2', type: 'purchase', time: ago(20), user: { email: 's2@example.com' }, value: 20, currency: 'EUR', consent },
				// no consent given: never sent
				{ event_id: 's-3', type: 'purchase', time: ago(10), click_ids: { fbclid: 'fbS3' }, value: 30, currency: 'EUR' },
			],
			'sendback',
		);
		expect(answer).toMatchObject({ stored: 3 });
		const PIXEL = '998877665';
		const withMeta = (parameters: Record<string, unknown>) => ({ ...node(parameters), credentials: { ...creds, ...engine.credentialRef('adOpsMetaAdsApi') } });
		const sent = () => conversionReceipts(engine.sandbox.world, 'meta').filter((r) => r.destination === PIXEL);
		const run = await engine.runNode(withMeta({ operation: 'sendBack', metaDestination: PIXEL }));
		expect(run.status, JSON.stringify(run.error)).toBe('success');
		expectPaired(run);
		const [result] = json(run.items('Conversions'));
		expect(result).toMatchObject({ outcome: 'sendBack', platform: 'meta', destination: PIXEL, accepted: 2, failed: 0, unknown: 0 });
		expect((result!.skipped as { noConsent: number }).noConsent).toBeGreaterThanOrEqual(1);
		expect(sent().map((r) => r.eventId).sort()).toEqual(['s-1', 's-2']);
		const again = await engine.runNode(withMeta({ operation: 'sendBack', metaDestination: PIXEL }));
		expect(json(again.items('Conversions'))[0]).toMatchObject({ platform: 'meta', accepted: 0 });
		expect(sent()).toHaveLength(2);
		const none = await engine.runNode(withMeta({ operation: 'sendBack' }));
		expectNodeError(none, 'Conversions', /No destination is set/, 0);
	}, 180_000);
});
