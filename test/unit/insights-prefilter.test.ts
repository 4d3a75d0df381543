/**
 * The scan's prefilter (the same-weekday gate, gate.ts) is exact: with it the
 * scan gives the same anomalies and the same skipped series as without it, on
 * the quality workload cut at many ends so the lookback windows hold planted
 * anomalies of every kind, and it proves most series quiet.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'vitest';
import { gatePasses, scanSeries, windowMayFlag, type EntitySeries } from '../../nodes/shared/insights';
import { generateSeries } from './insights-fixtures';

function entity(seed: number, days: number): EntitySeries {
	// five base metrics from independent generated series (clicks and conversions share some of the spend's shape)
	const spend = generateSeries(seed, { days: 182 });
	const imp = generateSeries(seed + 5000, { days: 182, level: 20_000 });
	const clk = generateSeries(seed + 9000, { days: 182, level: 400 });
	const conv = generateSeries(seed + 13_000, { days: 182, level: 30 });
	const rev = generateSeries(seed + 17_000, { days: 182 });
	const cut = (a: Float64Array) => a.slice(0, days);
	return {
		key: `meta|act_1|c${seed}`,
		platform: 'meta',
		accountId: 'act_1',
		campaignId: `c${seed}`,
		campaignName: null,
		start: 20_000,
		days,
		currency: new Array<string>(days).fill('USD'),
		spend: cut(spend.values),
		impressions: cut(imp.values).map(Math.round),
		clicks: cut(clk.values).map(Math.round),
		conversions: cut(conv.values).map(Math.round),
		revenue: cut(rev.values),
	};
}

describe('insights: the prefilter is exact', () => {
	test('gate: a spike must clear the lowest same weekday of four weeks by the minimum change, a drop the highest; thin history passes; a gap never', () => {
		const x = [100, 0, 0, 0, 0, 0, 0, 110, 0, 0, 0, 0, 0, 0, 90, 0, 0, 0, 0, 0, 0, 120, 0, 0, 0, 0, 0, 0, 0];
		x[28] = 116; // 1.3 × 90 = 117: not a spike
		assert.equal(gatePasses(x, 28, 1, 0.3), false);
		x[28] = 118;
		assert.equal(gatePasses(x, 28, 1, 0.3), true);
		x[28] = 85; // 0.7 × 120 = 84: not a drop
		assert.equal(gatePasses(x, 28, -1, 0.3), false);
		x[28] = 83;
		assert.equal(gatePasses(x, 28, -1, 0.3), true);
		assert.equal(gatePasses(x, 21, 1, 0.3), true, 'three past weekdays only: passes');
		assert.equal(gatePasses([...x.slice(0, 28), NaN], 28, 1, 0.3), false, 'a gap day never passes');
		assert.equal(windowMayFlag(x.map((v, i) => (i % 7 === 0 ? 100 : v)), 28, 0.3), false);
		assert.equal(windowMayFlag(x.map((v, i) => (i % 7 === 0 ? 100 : v)), 26, 0.3), true, 'day 26 has three past weekdays only');
	});

	test('quality workload 25 seeds cut at every planted anomaly day: same anomalies and skipped with and without the prefilter, for lookbacks 1 and 3', () => {
		let anomalies = 0;
		let quiet = 0;
		let scanned = 0;
		const kinds = new Set<string>();
		for (let seed = 1; seed <= 25; seed++) {
			const planted = generateSeries(seed, { days: 182 }).planted;
			// ends: every planted anomaly's days (+0..2) and a few plain days
			const ends = new Set<number>([60, 100, 140, 182]);
			for (const p of planted) for (let d = p.start; d <= p.end + 2 && d < 182; d++) ends.add(d + 1);
			for (const days of ends) {
				if (days < 40) continue;
				const series = [entity(seed, days)];
				for (const lookbackDays of [1, 3]) {
					const on = scanSeries(series, { lookbackDays });
					const off = scanSeries(series, { lookbackDays, prefilter: false });
					assert.deepEqual(on.anomalies, off.anomalies, `seed ${seed}, ${days} days, lookback ${lookbackDays}`);
					assert.deepEqual(on.skipped, off.skipped, `seed ${seed}, ${days} days, lookback ${lookbackDays}: skipped`);
					assert.equal(off.quiet, 0);
					anomalies += on.anomalies.length;
					quiet += on.quiet;
					scanned += on.scanned;
					for (const a of on.anomalies) kinds.add(`${a.metric}:${a.direction}`);
				}
			}
		}
		console.log(`prefilter: ${anomalies} anomalies identical with and without; ${quiet} of ${scanned} series proven quiet (${((100 * quiet) / scanned).toFixed(1)} %); ${kinds.size} metric/direction kinds`);
		assert.ok(anomalies > 300, `the windows hold anomalies (${anomalies})`);
		assert.ok(kinds.size >= 10, [...kinds].join(', '));
		assert.ok(quiet > 0.15 * scanned, `the prefilter proves a good share quiet (${quiet} of ${scanned})`);
	});
});
