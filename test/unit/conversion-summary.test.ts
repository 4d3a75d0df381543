// conversions/summary.ts with hand-made numbers: platform-reported against first-party credited
// conversions per platform, in words, as an alert and as a grouped bar chart (a real PNG).
import { describe, expect, test } from 'vitest';
import { boxesIntersect, chartTextBoxes } from '../../nodes/shared/charts/render';
import { comparisonAlert, comparisonChart, comparisonChartOption, comparisonKey, compareConversions, readComparison } from '../../nodes/shared/conversions/summary';

const DAY = '2026-12-06';

describe('compareConversions', () => {
	const c = compareConversions({
		from: DAY,
		to: DAY,
		model: 'markov',
		// Meta 120 reported, 96 credited (20 % fewer); Google Ads 50 vs 60 (20 % more); LinkedIn reported 4, credited none;
		// TikTok credited 2.5 without reporting; Klaviyo neither (left out); a UTM newsletter credited 1.5
		reported: { meta: 120, google_ads: 50, linkedin: 4 },
		attributed: { meta: 96, google_ads: 60, tiktok: 2.5, 'utm:newsletter/email': 1.5 },
		firstParty: 170,
	});

	test('per platform in the registry order, in words with the difference', () => {
		expect(c.platforms.map((p) => [p.platform, p.reported, p.attributed, p.differencePct])).toEqual([
			['google_ads', 50, 60, 20],
			['meta', 120, 96, -20],
			['linkedin', 4, 0, -100],
			['tiktok', 0, 2.5, null],
		]);
		expect(c.platforms[1]!.summary).toBe(`Meta reported 120 conversions on ${DAY}; your own events credit Meta with 96 (Markov chain), 20 % fewer.`);
		expect(c.platforms[0]!.summary).toBe(`Google Ads reported 50 conversions on ${DAY}; your own events credit Google Ads with 60 (Markov chain), 20 % more.`);
		expect(c.platforms[2]!.summary).toBe(`LinkedIn reported 4 conversions on ${DAY}; your own events credit LinkedIn with none (Markov chain), 100 % fewer.`);
		expect(c.platforms[3]!.summary).toBe(`TikTok reported no conversions on ${DAY}; your own events credit TikTok with 2.5 (Markov chain).`);
		expect(c.otherChannels).toBe(1.5);
		expect(c.summary.split('\n').at(-1)).toBe(`Your own events hold 170 conversions on ${DAY}; Markov chain credits 160 of them to a touch; 1.5 to channels other than ad platforms.`);
		expect(c.modelLabel).toBe('Markov chain (removal effect)');
	});

	test('a window, about the same, nothing at all', () => {
		const w = compareConversions({ from: '2026-12-01', to: '2026-12-07', model: 'last_click', reported: { meta: 1000 }, attributed: { meta: 998 }, firstParty: 1 });
		expect(w.platforms[0]!.summary).toBe('Meta reported 1,000 conversions from 2026-12-01 to 2026-12-07; your own events credit Meta with 998 (Last click), about the same.');
		expect(w.summary).toMatch(/Your own events hold 1 conversion from 2026-12-01 to 2026-12-07; Last click credits 998 of them/);
		const none = compareConversions({ from: DAY, to: DAY, model: 'linear', reported: {}, attributed: {}, firstParty: 0 });
		expect(none.platforms).toEqual([]);
		expect(none.summary).toBe(`No platform reported conversions on ${DAY}, and your own events credit none to a platform.\nYour own events hold 0 conversions on ${DAY}.`);
	});

	test('the alert and the ledger key', () => {
		const a = comparisonAlert(c);
		expect(a).toMatchObject({ kind: 'summary', title: `Conversions on ${DAY}: platforms vs your own events`, message: c.summary });
		expect(a.fields).toContainEqual({ label: 'Meta', value: 'reported 120, credited 96' });
		expect(comparisonKey(c, ['purchase', 'lead'])).toBe(comparisonKey(c, ['lead', 'purchase']));
		expect(comparisonKey(c, ['purchase'])).not.toBe(comparisonKey({ ...c, model: 'linear' }, ['purchase']));
	});

	test('the grouped bar chart: one category per platform label, two series with the numbers; texts do not overlap; a PNG', () => {
		const option = comparisonChartOption(c) as { xAxis: { data: string[] }; series: Array<{ name: string; data: number[] }> };
		expect(option.xAxis.data).toEqual(['Google Ads', 'Meta', 'LinkedIn', 'TikTok']);
		expect(option.series.map((s) => [s.name, s.data])).toEqual([
			['Reported by the platform', [50, 120, 4, 0]],
			['Your own events (Markov chain)', [60, 96, 0, 2.5]],
		]);
		const boxes = chartTextBoxes(comparisonChartOption(c)).filter((b) => /Conversions|Reported|Your own/.test(b.text));
		for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) expect(boxesIntersect(boxes[i]!, boxes[j]!), `${boxes[i]!.text} / ${boxes[j]!.text}`).toBe(false);
		const png = comparisonChart(c);
		expect([...png.png.subarray(0, 8)]).toEqual([137, 80, 78, 71, 13, 10, 26, 10]);
		expect(png.png.readUInt32BE(16)).toBe(1440);
		expect(png.svg).toContain('Meta');
	});
});

describe('readComparison', () => {
	test('sums the platforms\' reported conversions, the model\'s credit and counts the conversion events of the window', async () => {
		const queries: Array<{ table: string; where: unknown }> = [];
		const rows: Record<string, Array<Record<string, unknown>>> = {
			campaign_performance: [
				{ platform: 'meta', conversions: 70 },
				{ platform: 'meta', conversions: 50 },
				{ platform: 'google_ads', conversions: 8 },
			],
			attributed_conversions: [
				{ platform: 'meta', conversions: 0.5 },
				{ platform: 'meta', conversions: 1.25 },
				{ platform: 'google_ads', conversions: 1.25 },
			],
			marketing_events: [{ event_id: 'a' }, { event_id: 'b' }, { event_id: 'c' }, { event_id: 'd' }],
		};
		const store = {
			selectColumns: async (table: string, _columns: readonly string[], query?: { where?: unknown }) => {
				queries.push({ table, where: query?.where });
				return rows[table]!;
			},
		} as unknown as Parameters<typeof readComparison>[0];
		const c = await readComparison(store, { from: DAY, to: DAY, model: 'shapley', conversionTypes: ['purchase'] });
		expect(c.platforms.map((p) => [p.platform, p.reported, p.attributed])).toEqual([
			['google_ads', 8, 1.25],
			['meta', 120, 1.75],
		]);
		expect(c.firstParty).toBe(4);
		expect(queries).toEqual([
			{ table: 'campaign_performance', where: { date: { gte: DAY, lte: DAY } } },
			{ table: 'attributed_conversions', where: { date: { gte: DAY, lte: DAY }, model: 'shapley' } },
			{ table: 'marketing_events', where: { event_type: { in: ['purchase'] }, event_time: { gte: `${DAY}T00:00:00Z`, lt: '2026-12-07T00:00:00Z' } } },
		]);
	});
});
