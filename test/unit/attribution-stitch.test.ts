// Stored events → journeys → attributed rows (nodes/shared/attribution/stitch.ts).
import assert from 'node:assert/strict';
import { test } from 'vitest';
import { attributedRows, people, stitchJourneys, type StoredEvent } from '../../nodes/shared/attribution/stitch';

const D = 86_400_000;
const T0 = Date.UTC(2025, 5, 1);
let n = 0;
function ev(type: string, day: number, fields: Partial<StoredEvent> = {}): StoredEvent {
	return {
		event_id: `e${n++}`,
		event_type: type,
		event_time: new Date(T0 + day * D).toISOString(),
		value: null,
		currency: null,
		platform: null,
		campaign_id: null,
		external_id_sha256: null,
		email_sha256: null,
		phone_sha256: null,
		gclid: null,
		fbclid: null,
		li_fat_id: null,
		ttclid: null,
		utm_source: null,
		utm_medium: null,
		utm_campaign: null,
		...fields,
	};
}

test('identifiers join transitively: user id ↔ e-mail ↔ click id make one person', () => {
	const events = [ev('click', 0, { gclid: 'G1' }), ev('lead', 1, { gclid: 'G1', email_sha256: 'a'.repeat(64) }), ev('purchase', 2, { email_sha256: 'a'.repeat(64), external_id_sha256: 'b'.repeat(64) }), ev('click', 0, { fbclid: 'F9' })];
	const p = people(events);
	assert.equal(p[0], p[1]);
	assert.equal(p[1], p[2]);
	assert.notEqual(p[0], p[3]);
});

test('journeys: touches since the previous conversion and within the lookback; the rest does not convert', () => {
	const u = { external_id_sha256: 'c'.repeat(64) };
	const events = [
		ev('click', 0, { ...u, platform: 'meta', campaign_id: 'm1' }),
		ev('impression', 40, { ...u, platform: 'tiktok', campaign_id: 't1' }),
		ev('click', 44, { ...u, gclid: 'G7', utm_campaign: 'brand' }),
		ev('purchase', 45, { ...u, value: 100, currency: 'EUR' }),
		ev('click', 46, { ...u, utm_source: 'newsletter', utm_medium: 'email' }),
		ev('purchase', 47, { ...u, value: 50, currency: 'EUR' }),
		ev('click', 50, { ...u, platform: 'linkedin' }),
	];
	const journeys = stitchJourneys(events, { lookbackDays: 30 });
	assert.deepEqual(
		journeys.map((j) => [j.converted, j.value, j.touchpoints.map((t) => `${t.channel}:${t.campaignId ?? ''}`)]),
		[
			[true, 100, ['tiktok:t1', 'google_ads:brand']], // the day-0 Meta click is outside the 30 days
			[true, 50, ['utm:newsletter/email:']],
			[false, 0, ['linkedin:']],
		],
	);
	const rows = attributedRows(journeys, ['last_click', 'linear', 'markov', 'shapley']);
	const of = (model: string) => rows.filter((r) => r.model === model);
	assert.deepEqual(
		of('last_click').map((r) => [r.date, r.platform, r.campaign_id, r.conversions, r.revenue]).sort(),
		[
			['2025-07-16', 'google_ads', 'brand', 1, 100],
			['2025-07-18', 'utm:newsletter/email', '', 1, 50],
		].sort(),
	);
	for (const model of ['linear', 'markov', 'shapley']) {
		const total = of(model).reduce((s, r) => s + r.conversions, 0);
		const revenue = of(model).reduce((s, r) => s + r.revenue, 0);
		assert.ok(Math.abs(total - 2) < 1e-9 && Math.abs(revenue - 150) < 1e-9, `${model}: ${total} conversions, ${revenue} revenue`);
	}
});
