/**
 * Detection quality on generated series (see insights-fixtures.ts for why the
 * generator does not share the detector's functional form) and bad input.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'vitest';
import { buildSeries, detectSeries, esdCritical, generalizedEsd, scanSeries, studentTQuantile, type PerformanceRow } from '../../nodes/shared/insights';
import { dayString, dayNumber } from '../../nodes/shared/insights/days';
import { generateSeries, rng, scoreEvents } from './insights-fixtures';

describe('insights: statistics', () => {
	test('Student t quantiles match tables; Rosner critical values match his published ones', () => {
		assert.ok(Math.abs(studentTQuantile(0.975, 10) - 2.228139) < 1e-5);
		assert.ok(Math.abs(studentTQuantile(0.995, 5) - 4.032143) < 1e-5);
		// Rosner (1983) Table: n = 54, alpha = 0.05: λ1 = 3.158
		assert.ok(Math.abs(esdCritical(54, 1, 0.05) - 3.158) < 0.002, String(esdCritical(54, 1, 0.05)));
	});
	test('generalized ESD finds exactly the planted outliers of a normal sample', () => {
		const r = rng(7);
		const x = Array.from({ length: 100 }, () => Math.sqrt(-2 * Math.log(r() || 1e-9)) * Math.cos(2 * Math.PI * r()));
		x[10] = 9;
		x[50] = -8;
		const res = generalizedEsd(x, 0.05, 0.2);
		assert.deepEqual([...res.anomalies].sort((a, b) => a - b), [10, 50]);
	});
});

describe('insights: detection quality on generated series', () => {
	test('50 seeds × 182 days, 6 planted anomalies of mixed type and size: mean F1 >= 0.95, no seed below 0.8', () => {
		const f1: number[] = [];
		const kinds = new Map<string, { planted: number; found: number }>();
		for (let seed = 1; seed <= 50; seed++) {
			const g = generateSeries(seed);
			assert.equal(g.planted.length, 6);
			const d = detectSeries(g.values, null);
			assert.equal(d.status, 'ok');
			const s = scoreEvents(d.flagged.map((f) => f.index), g.planted);
			f1.push(s.f1);
			for (const p of g.planted) {
				const k = kinds.get(p.kind) ?? { planted: 0, found: 0 };
				k.planted++;
				if (d.flagged.some((f) => f.index >= p.start - 1 && f.index <= p.end + 1)) k.found++;
				kinds.set(p.kind, k);
			}
		}
		const mean = f1.reduce((a, b) => a + b, 0) / f1.length;
		const min = Math.min(...f1);
		console.log(`detection: mean F1 ${mean.toFixed(4)}, lowest seed ${min.toFixed(3)}; found per kind ${JSON.stringify(Object.fromEntries(kinds))}`);
		assert.ok(kinds.size >= 5, 'mixed anomaly types');
		assert.ok(mean >= 0.95, `mean F1 ${mean}`);
		assert.ok(min >= 0.8, `lowest F1 ${min}`);
	});

	test('50 clean series: at most one alert per 90 days each', () => {
		let total = 0;
		for (let seed = 1001; seed <= 1050; seed++) {
			const g = generateSeries(seed, { anomalies: 0 });
			const d = detectSeries(g.values, null);
			total += d.flagged.length;
			assert.ok(d.flagged.length <= Math.floor(182 / 90), `seed ${seed}: ${d.flagged.length} alerts in 182 days`);
		}
		console.log(`clean series: ${total} alerts over 50 × 182 days`);
	});

	test('the same-weekday baseline (Google-style) also separates planted anomalies from noise', () => {
		const f1: number[] = [];
		for (let seed = 1; seed <= 50; seed++) {
			const g = generateSeries(seed);
			f1.push(scoreEvents(detectSeries(g.values, null, { method: 'weekday' }).flagged.map((f) => f.index), g.planted).f1);
		}
		const mean = f1.reduce((a, b) => a + b, 0) / f1.length;
		console.log(`weekday baseline: mean F1 ${mean.toFixed(4)} (it cannot score the first 3 weeks)`);
		assert.ok(mean >= 0.9, `weekday mean F1 ${mean}`);
	});

	test('direction, band and score of a spike and of a drop', () => {
		const g = generateSeries(3, { anomalies: 0 });
		const x = Float64Array.from(g.values);
		x[100] *= 2.5;
		x[140] *= 0.3;
		const d = detectSeries(x, null);
		const spike = d.flagged.find((f) => f.index === 100);
		const drop = d.flagged.find((f) => f.index === 140);
		assert.ok(spike && drop, JSON.stringify(d.flagged.map((f) => f.index)));
		assert.equal(spike.direction, 'spike');
		assert.equal(drop.direction, 'drop');
		assert.ok(spike.score > 0 && drop.score < 0);
		assert.ok(spike.actual > spike.upper && drop.actual < drop.lower);
	});
});

// ---------------------------------------------------------------------------
// Rows → scan: patterns and bad input
// ---------------------------------------------------------------------------

function campaignRows(opts: { campaign?: string; days?: number; end?: string; seed?: number; currency?: (i: number) => string; mutate?: (i: number, r: PerformanceRow) => PerformanceRow | null }): PerformanceRow[] {
	const days = opts.days ?? 120;
	const end = dayNumber(opts.end ?? '2025-06-10');
	const g = generateSeries(opts.seed ?? 5, { anomalies: 0, days, level: 400, noise: 0.02 });
	const rows: PerformanceRow[] = [];
	for (let i = 0; i < days; i++) {
		const spend = g.values[i];
		let row: PerformanceRow | null = {
			date: dayString(end - days + 1 + i),
			platform: 'meta',
			account_id: 'act_1',
			campaign_id: opts.campaign ?? 'c1',
			campaign_name: 'Summer sale',
			currency: opts.currency ? opts.currency(i) : 'USD',
			spend,
			impressions: Math.round(spend * 100),
			clicks: Math.round(spend * 2),
			conversions: Math.round(spend * 0.1),
			revenue: spend * 3,
		};
		if (opts.mutate) row = opts.mutate(i, row);
		if (row) rows.push(row);
	}
	return rows;
}

describe('insights: named patterns', () => {
	test('tracking break: conversions fall to zero while clicks hold', () => {
		const rows = campaignRows({ mutate: (i, r) => (i === 119 ? { ...r, conversions: 0 } : r) });
		const res = scanSeries(buildSeries(rows, { historyDays: 120 }), { lookbackDays: 1 });
		const a = res.anomalies.find((x) => x.metric === 'conversions' && x.campaignId === 'c1');
		assert.ok(a, JSON.stringify(res.anomalies.map((x) => [x.metric, x.campaignId])));
		assert.equal(a.pattern, 'tracking_break');
		assert.equal(a.direction, 'drop');
		assert.equal(a.lastDays.length, 14);
		assert.equal(a.lastDays[13].value, 0);
		assert.ok(!res.anomalies.some((x) => x.metric === 'clicks'), 'clicks held');
	});
	test('spend stuck at zero, delivery collapse and cost spike', () => {
		const rows = campaignRows({
			mutate: (i, r) => {
				if (i === 119) return { ...r, spend: 0, impressions: 0, clicks: 0, conversions: 0, revenue: 0 };
				if (i === 100) return { ...r, impressions: Math.round(Number(r.impressions) * 0.2) };
				if (i === 80) return { ...r, spend: Number(r.spend) * 3, revenue: Number(r.spend) * 3 };
				return r;
			},
		});
		const res = scanSeries(buildSeries(rows, { historyDays: 120 }), { lookbackDays: 0 });
		const byPattern = (p: string) => res.anomalies.filter((a) => a.pattern === p && a.campaignId === 'c1');
		assert.ok(byPattern('spend_stuck_at_zero').some((a) => a.date === '2025-06-10'));
		assert.ok(byPattern('delivery_collapse').some((a) => a.date === dayString(dayNumber('2025-06-10') - 19)));
		assert.ok(byPattern('cost_spike').some((a) => a.metric === 'cpc' && a.date === dayString(dayNumber('2025-06-10') - 39)));
	});
});

describe('insights: bad input gives a stated result, never a false alarm or a crash', () => {
	test('a campaign created last week: not enough history', () => {
		const res = scanSeries(buildSeries(campaignRows({ days: 5 }), { historyDays: 120 }), { metrics: ['spend'] });
		assert.equal(res.anomalies.length, 0);
		assert.ok(res.skipped.some((s) => s.reason === 'not enough history: 5 of 28 days'), JSON.stringify(res.skipped));
	});
	test('gaps are never scored and never read as zero; too many gaps are said', () => {
		const some = campaignRows({ mutate: (i, r) => (i % 9 === 4 || i === 119 ? null : r) });
		const res = scanSeries(buildSeries(some, { historyDays: 120, end: '2025-06-10' }), { lookbackDays: 0 });
		assert.equal(res.anomalies.length, 0, JSON.stringify(res.anomalies.map((a) => [a.metric, a.date])));
		const many = campaignRows({ mutate: (i, r) => (i % 2 ? null : r) });
		const res2 = scanSeries(buildSeries(many, { historyDays: 120 }), { metrics: ['spend'] });
		assert.match(res2.skipped.find((s) => s.campaignId === 'c1')!.reason, /^too many gaps: \d+ of \d+ days have no data/);
	});
	test('a currency change: money metrics wait for enough days in the new currency; counts go on', () => {
		const rows = campaignRows({ currency: (i) => (i < 108 ? 'EUR' : 'USD'), mutate: (i, r) => (i >= 108 ? { ...r, spend: Number(r.spend) * 1.1 } : r) });
		const res = scanSeries(buildSeries(rows, { historyDays: 120 }), { lookbackDays: 0 });
		assert.ok(!res.anomalies.some((a) => a.metric === 'spend'), 'no false spend alarm at the currency change');
		const skip = res.skipped.find((s) => s.metric === 'spend' && s.campaignId === 'c1');
		assert.equal(skip?.reason, 'currency changed from EUR to USD on 2025-05-30: 12 of 28 days since');
		assert.ok(!res.skipped.some((s) => s.metric === 'clicks' && s.campaignId === 'c1'));
	});
	test('days with zero volume: a metric below its minimum volume is "information missing", not an alert', () => {
		const rows = campaignRows({ mutate: (i, r) => ({ ...r, conversions: i === 119 ? 2 : i % 7 === 0 ? 1 : 0.2 }) });
		const res = scanSeries(buildSeries(rows, { historyDays: 120 }), { metrics: ['conversions'], lookbackDays: 1 });
		assert.equal(res.anomalies.length, 0);
		assert.ok(res.skipped.some((s) => s.status === 'low_volume' && /^information missing: 2 conversions on 2025-06-10, below the minimum of 3/.test(s.reason)), JSON.stringify(res.skipped));
		const zeros = campaignRows({ mutate: (_i, r) => ({ ...r, conversions: 0 }) });
		const res2 = scanSeries(buildSeries(zeros, { historyDays: 120 }), { metrics: ['conversions', 'cpa'] });
		assert.ok(res2.skipped.some((s) => s.reason === 'no volume: every one of 120 days is zero'));
		assert.ok(res2.skipped.some((s) => s.metric === 'cpa' && /not enough history: 0 of 28 days/.test(s.reason)));
	});
	test('a time-zone change: the partial day is left out, no false alarm', () => {
		const rows = campaignRows({ mutate: (i, r) => (i === 118 ? { ...r, spend: Number(r.spend) * 0.55, impressions: Math.round(Number(r.impressions) * 0.55), clicks: Math.round(Number(r.clicks) * 0.55) } : r) });
		const without = scanSeries(buildSeries(rows, { historyDays: 120 }), { lookbackDays: 3 });
		assert.ok(without.anomalies.some((a) => a.date === '2025-06-09'), 'the short day looks like a drop without the change');
		const withChange = scanSeries(buildSeries(rows, { historyDays: 120 }), { lookbackDays: 3, timeZoneChanges: [{ platform: 'meta', accountId: 'act_1', date: '2025-06-09' }] });
		assert.equal(withChange.anomalies.length, 0);
		// a stated result, once for the account: not an alert, not silence
		const stated = withChange.skipped.filter((x) => x.status === 'time_zone_change');
		assert.equal(stated.length, 1, JSON.stringify(stated));
		assert.deepEqual([stated[0]!.accountId, stated[0]!.campaignId], ['act_1', null]);
		assert.match(stated[0]!.reason, /^time zone changed on 2025-06-09: that day has more or fewer than 24 hours and is not judged/);
		// a change outside the reported days says nothing
		const old = scanSeries(buildSeries(campaignRows({}), { historyDays: 120 }), { lookbackDays: 3, timeZoneChanges: [{ platform: 'meta', accountId: 'act_1', date: '2025-04-01' }] });
		assert.equal(old.skipped.filter((x) => x.status === 'time_zone_change').length, 0);
	});
	test('garbage numbers and NaN do not crash', () => {
		const rows = campaignRows({ mutate: (i, r) => (i === 50 ? { ...r, spend: 'abc', clicks: null } : r) });
		assert.doesNotThrow(() => scanSeries(buildSeries(rows, { historyDays: 120 })));
		assert.equal(detectSeries([], null).reason, 'not enough history: 0 of 28 days');
	});
});
