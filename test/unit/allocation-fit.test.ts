/**
 * Issue 19, the curve fit: on data from its own family (geometric adstock + Hill + weekday
 * intercepts, Gaussian noise) it recovers the curve on the spend range seen, and its 95 % interval
 * (delta method) covers the true expected outcome about 95 % of the time over replicates; the plan
 * reports how much of a campaign's range lies beyond the spend seen.
 */
import assert from 'node:assert/strict';
import { test } from 'vitest';
import { Rng } from '../../scripts/sandbox/rng';
import { adstock, curveMean, curveSd, fitResponse, hill, planBudget, responseModel } from '../../nodes/shared/allocation';

const TRUE = { beta: 30, k: 120, alpha: 0.7, theta: 0.3, week: [2, 1.5, 1, 1, 1.2, 2.5, 3] };

function sample(rng: Rng, days = 150, noise = 1) {
	const spend: number[] = [];
	let b = 100;
	for (let t = 0; t < days; t++) {
		if (t % 7 === 0) b = Math.min(160, Math.max(60, b * Math.exp(0.15 * rng.normal())));
		spend.push(Math.round(b * (1 + 0.05 * rng.normal()) * 100) / 100);
	}
	const a = adstock(spend, TRUE.theta);
	const outcome = spend.map((_, t) => TRUE.week[t % 7]! + TRUE.beta * hill(a[t]!, TRUE.k, TRUE.alpha) + noise * rng.normal());
	return { spend, outcome };
}

const trueMean = (x: number) => TRUE.week.reduce((s, v) => s + v, 0) / 7 + TRUE.beta * hill(x, TRUE.k, TRUE.alpha);

test('recovers its own family on the spend range seen, and the 95 % interval covers about 95 %', () => {
	const rng = new Rng(1919);
	let covered = 0;
	let total = 0;
	const errors: number[] = [];
	for (let rep = 0; rep < 120; rep++) {
		const { spend, outcome } = sample(rng);
		const fit = fitResponse({ firstWeekday: 0, spend, outcome });
		assert.ok(fit.ok, fit.ok ? '' : fit.reason);
		if (!fit.ok) return;
		const { seenLow, seenHigh } = fit.quality;
		let err = 0;
		for (let i = 0; i < 5; i++) {
			const x = seenLow + ((seenHigh - seenLow) * i) / 4;
			const m = curveMean(fit.curve, x);
			const sd = curveSd(fit.curve, x);
			err += Math.abs(m - trueMean(x)) / trueMean(x) / 5;
			if (Math.abs(m - trueMean(x)) <= 1.96 * sd) covered++;
			total++;
		}
		errors.push(err);
	}
	errors.sort((a, b) => a - b);
	const coverage = covered / total;
	console.log(`fit on its own family, 120 replicates of 150 days (noise sd 1 on ~20 a day): recovery error median ${(errors[60]! * 100).toFixed(2)} %, max ${(errors.at(-1)! * 100).toFixed(2)} %; 95 % interval coverage ${(coverage * 100).toFixed(1)} %`);
	assert.ok(errors[60]! < 0.01 && errors.at(-1)! < 0.03, `recovery ${errors[60]} / ${errors.at(-1)}`);
	assert.ok(coverage > 0.85 && coverage < 0.995, `coverage ${coverage}`);
});

test('the plan says how much of a range lies beyond the spend seen, and flags an extrapolated budget', () => {
	const rng = new Rng(7);
	const { spend, outcome } = sample(rng, 120, 0.5);
	const fit = fitResponse({ firstWeekday: 0, spend, outcome });
	assert.ok(fit.ok);
	if (!fit.ok) return;
	const m = responseModel(fit);
	const other = { mean: (x: number) => 0.01 * x };
	const hiCurrent = Math.round(fit.quality.seenHigh * 1.1 * 100) / 100;
	const plan = planBudget({
		objective: 'conversions',
		totalBudget: hiCurrent + 100 * 1.2,
		currency: 'EUR',
		campaigns: [
			{ id: 'seen', currency: 'EUR', current: hiCurrent, conversions: m },
			{ id: 'other', currency: 'EUR', current: 100, conversions: other },
		],
	});
	assert.equal(plan.status, 'planned');
	if (plan.status !== 'planned') return;
	const row = plan.campaigns[0]!;
	// the range is [0.8, 1.2] x 1.1 x seenHigh: everything above seenHigh lies beyond the data
	const expected = (row.high - fit.quality.seenHigh) / (row.high - row.low);
	assert.ok(Math.abs(row.extrapolatedShare! - expected) < 1e-9, `${row.extrapolatedShare} vs ${expected}`);
	assert.equal(row.extrapolated, row.proposed > fit.quality.seenHigh);
	assert.ok(row.fit!.r2 > 0.5 && row.fit!.residualSd > 0 && row.fit!.days === 120);
});
