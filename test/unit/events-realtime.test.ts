// First-party metrics as batches land (nodes/shared/events/realtime.ts): the start of today in a time
// zone (DST days and a zone that skips midnight), the last hour's edges, grouping by attribution's
// touchOf (click id → platform, UTM campaign, utm:<source>/<medium>), values per currency, the filters.
// The store is a fake of its one read (selectColumnar over event_time), which records the query.
import assert from 'node:assert/strict';
import { test } from 'vitest';
import { liveMetrics, LiveMetricsError, startOfDayIn } from '../../nodes/shared/events/realtime';
import { fakeEventStore as fakeStore, type FakeEvent as Ev } from '../helpers/fake-event-store';

const iso = (s: string) => new Date(s).toISOString();

test('the start of today in a zone: UTC, Berlin in winter and summer, New York, Kolkata (+05:30), Chatham (+13:45), and Havana where March skips midnight', () => {
	const at = (zone: string, now: string) => new Date(startOfDayIn(zone, new Date(now))).toISOString();
	assert.equal(at('UTC', '2026-12-07T10:30:00Z'), '2026-12-07T00:00:00.000Z');
	assert.equal(at('Europe/Berlin', '2026-12-07T10:30:00Z'), '2026-12-06T23:00:00.000Z');
	// 23:30 UTC is already the next day in Berlin
	assert.equal(at('Europe/Berlin', '2026-12-07T23:30:00Z'), '2026-12-07T23:00:00.000Z');
	assert.equal(at('Europe/Berlin', '2026-07-01T12:00:00Z'), '2026-06-30T22:00:00.000Z');
	// the day DST starts in Berlin (29 March 2026, 02:00 → 03:00): midnight is still +01:00
	assert.equal(at('Europe/Berlin', '2026-03-29T20:00:00Z'), '2026-03-28T23:00:00.000Z');
	// New York: 03:00 UTC on 7 December is still 6 December there
	assert.equal(at('America/New_York', '2026-12-07T03:00:00Z'), '2026-12-06T05:00:00.000Z');
	assert.equal(at('Asia/Kolkata', '2026-12-07T10:30:00Z'), '2026-12-06T18:30:00.000Z');
	// Chatham in summer (+13:45): 10:30 UTC is 00:15 on 8 December there, a day that began 15 minutes ago
	assert.equal(at('Pacific/Chatham', '2026-12-07T10:30:00Z'), '2026-12-07T10:15:00.000Z');
	assert.equal(at('Pacific/Chatham', '2026-12-07T10:14:00Z'), '2026-12-06T10:15:00.000Z');
	// Cuba starts DST at midnight (8 March 2026: 00:00 → 01:00): that day begins at 01:00 CDT = 05:00 UTC
	assert.equal(at('America/Havana', '2026-03-08T12:00:00Z'), '2026-03-08T05:00:00.000Z');
	assert.equal(at('America/Havana', '2026-03-09T12:00:00Z'), '2026-03-09T04:00:00.000Z');
	assert.throws(() => startOfDayIn('Mars/Olympus', new Date()), (e: Error) => e instanceof LiveMetricsError && /Time zone "Mars\/Olympus" is not an IANA time zone/.test(e.message));
});

test('one read over event_time from the earlier of the day start and an hour ago to now; today and the last hour counted at their edges', async () => {
	const now = new Date('2026-12-07T00:20:00Z');
	const { store, queries } = fakeStore([
		// 23:20 yesterday (UTC): exactly an hour ago, outside the last hour (it is now − 60 min < time)
		{ event_type: 'purchase', event_time: '2026-12-06T23:20:00Z', platform: 'meta', campaign_id: 'c1', value: 10, currency: 'EUR' },
		// 23:20:00.001: inside the last hour, yesterday
		{ event_type: 'purchase', event_time: '2026-12-06T23:20:00.001Z', platform: 'meta', campaign_id: 'c1', value: 20, currency: 'EUR' },
		// 00:00:00 today: both
		{ event_type: 'purchase', event_time: '2026-12-07T00:00:00Z', platform: 'meta', campaign_id: 'c1', value: 30, currency: 'EUR' },
		// exactly now: both
		{ event_type: 'click', event_time: '2026-12-07T00:20:00Z', platform: 'meta', campaign_id: 'c1' },
		// after now (clock skew): neither, until its time has come
		{ event_type: 'purchase', event_time: '2026-12-07T00:20:00.001Z', platform: 'meta', campaign_id: 'c1', value: 40, currency: 'EUR' },
	]);
	const m = await liveMetrics(store, { now });
	assert.equal(queries.length, 1);
	assert.deepEqual(queries[0], { table: 'marketing_events', query: { where: { event_time: { gte: iso('2026-12-06T23:20:00Z'), lte: now.toISOString() } } } });
	assert.equal(m.dayStart, '2026-12-07T00:00:00.000Z');
	assert.equal(m.hourStart, '2026-12-06T23:20:00.000Z');
	assert.equal(m.day, '2026-12-07');
	assert.equal(m.campaigns.length, 1);
	const [c] = m.campaigns;
	assert.deepEqual(c!.today, { clicks: 1, leads: 0, purchases: 1, conversions: 1, value: { EUR: 30 } });
	assert.deepEqual(c!.lastHour, { clicks: 1, leads: 0, purchases: 2, conversions: 2, value: { EUR: 50 } });
	assert.equal(c!.summary, 'Meta campaign c1: today 1 purchase worth 30.00 EUR, 2 in the last hour worth 50.00 EUR; 1 click today (1 in the last hour).');

	// at noon the read starts at the day's start (earlier than an hour ago)
	const later = fakeStore([]);
	await liveMetrics(later.store, { now: new Date('2026-12-07T12:00:00Z'), timeZone: 'Europe/Berlin' });
	assert.deepEqual((later.queries[0] as { query: unknown }).query, { where: { event_time: { gte: '2026-12-06T23:00:00.000Z', lte: '2026-12-07T12:00:00.000Z' } } });
});

test("grouping by attribution's touch: click ids name the platform, UTM campaign the campaign, utm:<source>/<medium> without either; values per currency; filters", async () => {
	const now = new Date('2026-12-07T10:30:00Z');
	const t = (hhmm: string) => `2026-12-07T${hhmm}:00Z`;
	const events: Ev[] = [
		{ event_type: 'purchase', event_time: t('09:45'), platform: 'meta', campaign_id: '1202', value: 1000.5, currency: 'EUR' },
		{ event_type: 'purchase', event_time: t('08:00'), fbclid: 'fb.x', utm_campaign: '1202', value: 234, currency: 'EUR' },
		{ event_type: 'purchase', event_time: t('07:00'), platform: 'meta', campaign_id: '1202', value: 99.99, currency: 'USD' },
		{ event_type: 'lead', event_time: t('10:00'), platform: 'meta', campaign_id: '1202' },
		{ event_type: 'click', event_time: t('10:10'), fbclid: 'fb.y', campaign_id: '1202' },
		{ event_type: 'impression', event_time: t('10:11'), platform: 'meta', campaign_id: '1202' },
		// Google by its gclid, no campaign
		{ event_type: 'purchase', event_time: t('10:20'), gclid: 'g1', value: 1500, currency: 'JPY' },
		// neither platform nor click id: utm:newsletter/email, its UTM campaign
		{ event_type: 'lead', event_time: t('06:00'), utm_source: 'newsletter', utm_medium: 'email', utm_campaign: 'spring' },
		// no UTM at all
		{ event_type: 'purchase', event_time: t('05:00'), value: 5, currency: 'EUR' },
		// yesterday: not read at all
		{ event_type: 'purchase', event_time: '2026-12-06T20:00:00Z', platform: 'meta', campaign_id: '1202', value: 7, currency: 'EUR' },
	];
	const { store } = fakeStore(events);
	const m = await liveMetrics(store, { now });
	assert.equal(m.eventsRead, 9);
	const by = Object.fromEntries(m.campaigns.map((c) => [`${c.platform}|${c.campaignId}`, c]));
	assert.deepEqual(Object.keys(by).sort(), ['google_ads|null', 'meta|1202', 'utm:(none)/(none)|null', 'utm:newsletter/email|spring']);
	assert.deepEqual(by['meta|1202']!.today, { clicks: 1, leads: 1, purchases: 3, conversions: 3, value: { EUR: 1234.5, USD: 99.99 } });
	assert.deepEqual(by['meta|1202']!.lastHour, { clicks: 1, leads: 1, purchases: 1, conversions: 1, value: { EUR: 1000.5 } });
	assert.equal(by['meta|1202']!.summary, 'Meta campaign 1202: today 3 purchases worth 1,234.50 EUR and 99.99 USD, 1 in the last hour worth 1,000.50 EUR; 1 lead today (1 in the last hour); 1 click today (1 in the last hour).');
	assert.deepEqual(by['google_ads|null']!.today.value, { JPY: 1500 });
	assert.equal(by['google_ads|null']!.summary, 'Google Ads, no campaign: today 1 purchase worth 1,500 JPY, 1 in the last hour worth 1,500 JPY.');
	assert.equal(by['utm:newsletter/email|spring']!.label, 'UTM newsletter/email campaign spring');
	assert.equal(by['utm:newsletter/email|spring']!.summary, 'UTM newsletter/email campaign spring: today 0 purchases, 0 in the last hour; 1 lead today (0 in the last hour).');
	// most of today's conversions first
	assert.equal(m.campaigns[0]!.platform, 'meta');
	assert.equal(m.summary, '4 campaigns with first-party events since the start of 2026-12-07 (UTC), 5 purchases in all.');

	// leads and purchases as conversions: both counted and valued
	const both = await liveMetrics(store, { now, conversionTypes: ['purchase', 'lead'] });
	const meta = both.campaigns.find((c) => c.platform === 'meta')!;
	assert.equal(meta.today.conversions, 4);
	assert.match(meta.summary, /^Meta campaign 1202: today 4 conversions worth 1,234.50 EUR and 99.99 USD, 2 in the last hour worth 1,000.50 EUR; 3 purchases today \(1 in the last hour\); 1 lead today/);

	// filters: a platform, a campaign, a UTM channel; nothing matching says so
	assert.deepEqual((await liveMetrics(store, { now, platform: 'meta' })).campaigns.map((c) => c.campaignId), ['1202']);
	assert.deepEqual((await liveMetrics(store, { now, campaignId: 'spring' })).campaigns.map((c) => c.platform), ['utm:newsletter/email']);
	const none = await liveMetrics(store, { now, platform: 'linkedin' });
	assert.deepEqual(none.campaigns, []);
	assert.equal(none.summary, 'No first-party events for LinkedIn since the start of 2026-12-07 (UTC) or in the last hour.');

	// the same events in Tokyo: its day began at 15:00 UTC yesterday, so yesterday's 20:00 UTC purchase is today's there
	const tokyo = await liveMetrics(store, { now, timeZone: 'Asia/Tokyo' });
	assert.equal(tokyo.dayStart, '2026-12-06T15:00:00.000Z');
	assert.deepEqual(tokyo.campaigns.find((c) => c.platform === 'meta')!.today.value, { EUR: 1241.5, USD: 99.99 });
	await assert.rejects(liveMetrics(store, { now, timeZone: 'Europe/Atlantis' }), /Time zone "Europe\/Atlantis" is not an IANA time zone/);
});
