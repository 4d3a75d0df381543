import assert from 'node:assert/strict';
import { describe, test } from 'vitest';
import fc from 'fast-check';
import { derivedMetrics } from '../../nodes/shared/ingest/metrics';
import {
	DERIVED_METRICS,
	RulesInputError,
	accountAverage,
	buildMetricIndex,
	dayNumber,
	dayString,
	derivedValue,
	localClock,
	metricValue,
	previousWindow,
	resolveWindow,
	windowSums,
	type MetricRowInput,
} from '../../nodes/shared/rules';

function row(date: string, campaign: string, m: Partial<MetricRowInput> = {}): MetricRowInput {
	return { date, platform: 'meta', account_id: 'A', campaign_id: campaign, currency: 'USD', spend: 0, impressions: 0, clicks: 0, conversions: 0, revenue: null, leads: null, ...m };
}

const D = (date: string) => dayNumber(date);

/** Fisher-Yates with a seeded LCG: a reproducible permutation. */
function shuffle<T>(items: readonly T[], seed: number): T[] {
	const out = [...items];
	let x = seed >>> 0;
	for (let i = out.length - 1; i > 0; i--) {
		x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
		const j = x % (i + 1);
		[out[i], out[j]] = [out[j], out[i]];
	}
	return out;
}

describe('rules metrics: window sums', () => {
	test('sums come from the window only; derived metrics are ratios of sums, not averages of daily ratios', () => {
		const idx = buildMetricIndex([
			row('2025-06-01', 'c', { spend: 100, conversions: 1, clicks: 50, impressions: 1000, revenue: 300 }),
			row('2025-06-02', 'c', { spend: 10, conversions: 9, clicks: 10, impressions: 1000, revenue: null }),
			row('2025-06-03', 'c', { spend: 999, conversions: 0 }),
		]);
		const s = windowSums(idx.series.get('meta|A|c'), D('2025-06-01'), D('2025-06-02'));
		assert.deepEqual(s, { spend: 110, impressions: 2000, clicks: 60, conversions: 10, revenue: 300, leads: null, rows: 2, comments: 0, negative_comments: 0, abusive_comments: 0 });
		// CPA = 110 / 10 = 11 (the average of the daily CPAs 100 and 1.11 would be 50.56)
		assert.equal(metricValue(s, 'cpa'), 11);
		// CTR = 60 / 2000 = 0.03; CPC = 110 / 60; ROAS = 300 / 110 (revenue reported on one day only)
		assert.equal(metricValue(s, 'ctr'), 0.03);
		assert.equal(metricValue(s, 'cpc'), 110 / 60);
		assert.equal(metricValue(s, 'roas'), 300 / 110);
		// leads never reported: CPL undefined, not 0 or Infinity
		assert.equal(metricValue(s, 'cpl'), null);
		assert.equal(metricValue(s, 'leads'), null);
	});

	test('division by zero is undefined (null), never Infinity or NaN', () => {
		const idx = buildMetricIndex([row('2025-06-01', 'z', { spend: 50, leads: 0, revenue: 0 })]);
		const s = windowSums(idx.series.get('meta|A|z'), D('2025-06-01'), D('2025-06-01'));
		assert.deepEqual(
			DERIVED_METRICS.map((m) => [m, derivedValue(s, m)]),
			[['ctr', null], ['cpc', null], ['cpa', null], ['cpl', null], ['roas', 0]],
		);
		const empty = windowSums(idx.series.get('meta|A|z'), D('2025-06-02'), D('2025-06-09'));
		assert.deepEqual(empty, { spend: 0, impressions: 0, clicks: 0, conversions: 0, revenue: null, leads: null, rows: 0, comments: 0, negative_comments: 0, abusive_comments: 0 });
		assert.equal(metricValue(empty, 'roas'), null);
		assert.equal(windowSums(undefined, 0, 100).rows, 0);
	});

	test('property: window sums equal brute-force sums and do not depend on row order', () => {
		const money = fc.integer({ min: 0, max: 10_000_000 }).map((c) => c / 100);
		const rowArb = fc.record({
			day: fc.integer({ min: 0, max: 40 }),
			campaign: fc.constantFrom('a', 'b', 'c'),
			spend: money,
			impressions: fc.integer({ min: 0, max: 1_000_000 }),
			clicks: fc.integer({ min: 0, max: 50_000 }),
			conversions: fc.integer({ min: 0, max: 100_000 }).map((c) => c / 100),
			revenue: fc.option(money, { nil: null }),
			leads: fc.option(fc.integer({ min: 0, max: 500 }), { nil: null }),
		});
		fc.assert(
			fc.property(fc.uniqueArray(rowArb, { selector: (r) => `${r.campaign}${r.day}`, maxLength: 80 }), fc.integer({ min: -2, max: 42 }), fc.integer({ min: 0, max: 45 }), fc.integer(), (raw, start, len, seed) => {
				const base = D('2025-05-01');
				const rows = raw.map((r) => row(dayString(base + r.day), r.campaign, r));
				const shuffled = shuffle(rows, seed);
				const a = buildMetricIndex(rows);
				const b = buildMetricIndex(shuffled);
				for (const c of ['a', 'b', 'c']) {
					const lo = base + start;
					const hi = lo + len;
					const got = windowSums(a.series.get(`meta|A|${c}`), lo, hi);
					assert.deepEqual(windowSums(b.series.get(`meta|A|${c}`), lo, hi), got);
					const inside = raw.filter((r) => r.campaign === c && base + r.day >= lo && base + r.day <= hi);
					const micro = (f: (r: (typeof raw)[number]) => number) => inside.reduce((t, r) => t + Math.round(f(r) * 1e6), 0) / 1e6;
					assert.equal(got.rows, inside.length);
					assert.equal(got.spend, micro((r) => r.spend));
					assert.equal(got.impressions, inside.reduce((t, r) => t + r.impressions, 0));
					assert.equal(got.conversions, micro((r) => r.conversions));
					const rev = inside.filter((r) => r.revenue !== null);
					assert.equal(got.revenue, rev.length === 0 ? null : micro((r) => r.revenue ?? 0));
				}
			}),
			{ numRuns: 150 },
		);
	});

	test('property: a one-day window agrees with the table\'s derived metrics (derivedMetrics) to 1e-12', () => {
		fc.assert(
			fc.property(
				fc.integer({ min: 0, max: 100_000_000 }),
				fc.integer({ min: 0, max: 10_000_000 }),
				fc.integer({ min: 0, max: 100_000 }),
				fc.integer({ min: 0, max: 1_000_000 }),
				fc.option(fc.integer({ min: 0, max: 100_000_000 }), { nil: null }),
				fc.option(fc.integer({ min: 0, max: 10_000 }), { nil: null }),
				(spendC, impressions, clicks, conv100, revC, leads) => {
					const r = { spend: spendC / 100, impressions, clicks: Math.min(clicks, impressions), conversions: conv100 / 100, revenue: revC === null ? null : revC / 100, leads };
					const idx = buildMetricIndex([row('2025-06-01', 'x', r)]);
					const s = windowSums(idx.series.get('meta|A|x'), D('2025-06-01'), D('2025-06-01'));
					const table = derivedMetrics(r);
					for (const m of DERIVED_METRICS) {
						const ours = derivedValue(s, m);
						const theirs = table[m];
						if (theirs === null) assert.equal(ours, null, m);
						else assert.ok(ours !== null && Math.abs(ours - theirs) <= 1e-12 * Math.max(1, Math.abs(theirs)), `${m}: ${ours} vs ${theirs}`);
					}
				},
			),
			{ numRuns: 300 },
		);
	});

	test('account average: additive metrics per campaign with data, ratios pooled', () => {
		const idx = buildMetricIndex([
			row('2025-06-01', 'a', { spend: 100, conversions: 4 }),
			row('2025-06-02', 'a', { spend: 50, conversions: 1 }),
			row('2025-06-01', 'b', { spend: 30, conversions: 0 }),
			row('2025-06-01', 'c', { spend: 10, conversions: 5 }),
			row('2025-05-01', 'd', { spend: 1000, conversions: 1 }), // outside the window: not a campaign "with data"
			row('2025-06-01', 'e', { spend: 7, platform: 'google_ads' }), // other platform, other account
		]);
		const a = idx.accountWindow('meta|A', D('2025-06-01'), D('2025-06-02'));
		assert.ok(a);
		assert.equal(a.campaigns, 3);
		// spend: (150 + 30 + 10) / 3 campaigns = 63.33…; CPA pooled: 190 / 10 = 19
		assert.equal(accountAverage(a, 'spend', true), 190 / 3);
		assert.equal(accountAverage(a, 'cpa', true), 19);
		assert.equal(accountAverage(idx.accountWindow('meta|A', D('2025-07-01'), D('2025-07-02')), 'spend', true), null);
		assert.equal(idx.accountWindow('meta|nope', 0, 1), null);
	});

	test('account average of money metrics is undefined when the account mixes currencies', () => {
		const idx = buildMetricIndex([row('2025-06-01', 'a', { spend: 10 }), row('2025-06-01', 'b', { spend: 10, currency: 'EUR' })]);
		const a = idx.accountWindow('meta|A', D('2025-06-01'), D('2025-06-01'));
		assert.equal(accountAverage(a, 'spend', true), null);
		assert.equal(accountAverage(a, 'impressions', false), 0);
	});
});

describe('rules metrics: input handling', () => {
	test('numeric strings (pg numeric) are read; unusable rows are rejected with a reason, the rest kept', () => {
		const idx = buildMetricIndex([
			row('2025-06-01', 'a', { spend: '12.34', clicks: '3' }),
			row('2025-06-02', 'a', { spend: -1 }),
			row('2025-02-30', 'a', { spend: 1 }),
			row('2025-06-03', 'a', { currency: 'usd' }),
			row('2025-06-04', 'a', { impressions: 'many' }),
		]);
		assert.deepEqual(idx.rejected, [
			{ index: 1, reason: 'spend -1 is not a number >= 0' },
			{ index: 2, reason: 'date 2025-02-30 is not YYYY-MM-DD' },
			{ index: 3, reason: 'currency usd is not an ISO 4217 code' },
			{ index: 4, reason: 'impressions many is not a number >= 0' },
		]);
		const s = windowSums(idx.series.get('meta|A|a'), 0, D('2030-01-01'));
		assert.equal(s.spend, 12.34);
		assert.equal(s.clicks, 3);
		assert.equal(s.rows, 1);
	});

	test('a value too large to sum exactly is rejected instead of turning every later window into Infinity/NaN', () => {
		const idx = buildMetricIndex([row('2025-06-01', 'a', { spend: 1e303 }), row('2025-06-02', 'a', { spend: 5 }), row('2025-06-03', 'a', { impressions: 2 ** 53 })]);
		assert.deepEqual(idx.rejected, [
			{ index: 0, reason: 'spend 1e+303 is too large (at most 9007199254.740991)' },
			{ index: 2, reason: `impressions ${2 ** 53} is too large (at most 9007199254740991)` },
		]);
		const s = windowSums(idx.series.get('meta|A|a'), 0, D('2030-01-01'));
		assert.equal(s.spend, 5);
		assert.equal(s.rows, 1);
	});

	test('two rows with the same natural key are refused', () => {
		assert.throws(() => buildMetricIndex([row('2025-06-01', 'a'), row('2025-06-02', 'a'), row('2025-06-01', 'a')]), (e: unknown) => e instanceof RulesInputError && /two metric rows for meta\|A\|a on 2025-06-01/.test(e.message));
	});
});

describe('rules metrics: windows in the account time zone', () => {
	test('one instant is a different local day in Tokyo and Los Angeles', () => {
		const now = Date.parse('2025-06-11T02:00:00Z');
		const tokyo = localClock('Asia/Tokyo', now); // 11:00 on 06-11
		const la = localClock('America/Los_Angeles', now); // 19:00 on 06-10 (PDT, UTC-7)
		assert.deepEqual([tokyo.date, tokyo.weekday, tokyo.minute], ['2025-06-11', 'wed', 660]);
		assert.deepEqual([la.date, la.weekday, la.minute], ['2025-06-10', 'tue', 1140]);
		assert.deepEqual(resolveWindow({ kind: 'yesterday' }, tokyo.day).info.start, '2025-06-10');
		assert.deepEqual(resolveWindow({ kind: 'yesterday' }, la.day).info.start, '2025-06-09');
	});

	test('last N days end yesterday; previous window is the N days before; lifetime includes today', () => {
		const today = D('2025-06-11');
		const w = resolveWindow({ kind: 'last_n_days', days: 7 }, today);
		assert.deepEqual([w.info.start, w.info.end, w.info.days, w.info.label], ['2025-06-04', '2025-06-10', 7, 'last 7 days (2025-06-04..2025-06-10)']);
		const p = previousWindow({ kind: 'last_n_days', days: 7 }, today);
		assert.deepEqual([p.info.start, p.info.end], ['2025-05-28', '2025-06-03']);
		assert.deepEqual([previousWindow({ kind: 'today' }, today).info.start, previousWindow({ kind: 'yesterday' }, today).info.start], ['2025-06-10', '2025-06-09']);
		const life = resolveWindow({ kind: 'lifetime' }, today);
		assert.deepEqual([life.info.start, life.info.end, life.info.days], [null, '2025-06-11', null]);
		assert.throws(() => previousWindow({ kind: 'lifetime' }, today), /no previous window/);
	});

	test('the local date across a DST change (New York, 2025-03-09) stays a calendar date', () => {
		assert.equal(localClock('America/New_York', Date.parse('2025-03-09T06:59:00Z')).date, '2025-03-09'); // 01:59 EST
		assert.equal(localClock('America/New_York', Date.parse('2025-03-09T07:00:00Z')).minute, 180); // 03:00 EDT
		assert.equal(localClock('America/New_York', Date.parse('2025-03-10T03:59:00Z')).date, '2025-03-09'); // 23:59 EDT
	});
});
