/**
 * Issue 20, creative fatigue on generated ads with a known onset (nodes/shared/fatigue/simulate.ts):
 * logistic or hazard-step decays (final drop 35-70 %), weekly CTR seasonality up to 15 %, day-level
 * CTR noise, budget steps, exact binomial clicks; the detector (detect.ts) is a quasi-binomial
 * changepoint test with weekday factors and knows none of these shapes.
 *
 * Tuning and scoring use disjoint seeds: the defaults were chosen on the EVEN seeds 0..998 (the lowest
 * threshold whose false alerts stayed at most 3 % with a 21-day baseline: threshold 14, minimum drop
 * 20 %; there 93.0 % found in time, 3.0 % false alerts, and one bad day alone never counts; the first test checks
 * this on the even seeds). The second test scores the ODD seeds 1..999 only,
 * one fatiguing and one steady ad per seed (500 + 500), running the detector as a daily job would
 * (every prefix of the series): found = first alert from the onset day to 3 days after it; an alert
 * before the onset counts as a miss; a steady ad (60 days) alerted on any day is a false alert.
 */
import assert from 'node:assert/strict';
import { test } from 'vitest';
import { Rng } from '../../scripts/sandbox/rng';
import { FATIGUE_DEFAULTS, firstAlert, scoreCases, simulateAd, type FatigueParams, type QualityCase } from '../../nodes/shared/fatigue';

const TUNING = Array.from({ length: 500 }, (_, i) => 2 * i);
const HELD_OUT = Array.from({ length: 500 }, (_, i) => 2 * i + 1);

/** One fatiguing and one steady ad per seed, each run as a daily job would. */
function score(seeds: readonly number[], params: Partial<FatigueParams> = {}, shapes = new Set<string>()): ReturnType<typeof scoreCases> {
	const cases: QualityCase[] = [];
	for (const seed of seeds) {
		const rng = new Rng(`fatigue-${seed}`);
		const tiring = simulateAd(rng, true);
		const steady = simulateAd(rng, false);
		shapes.add(tiring.shape);
		cases.push({ fatiguing: true, onset: tiring.onset, alert: firstAlert(tiring.series, params) });
		cases.push({ fatiguing: false, onset: -1, alert: firstAlert(steady.series, params) });
	}
	return scoreCases(cases);
}

// The header's tuning claim, checked on the tuning half only: false alerts fall as the threshold rises (an ad is
// alerted at T when its largest qualifying statistic exceeds T), so "the lowest whole threshold with at most 3 %"
// is the default exactly when the default has at most 3 % and one less has more.
test('tuning seeds (even): the default threshold is the lowest whole one with at most 3 % false alerts, at the minimum drop of 20 %', { timeout: 120_000 }, () => {
	assert.equal(FATIGUE_DEFAULTS.minDrop, 0.2);
	assert.equal(FATIGUE_DEFAULTS.minBaselineDays, 21);
	const at = score(TUNING);
	const below = score(TUNING, { threshold: FATIGUE_DEFAULTS.threshold - 1 });
	const line = (q: ReturnType<typeof scoreCases>): string => `found in time ${(q.detectionRate * 100).toFixed(1)} %, false alerts ${q.falseAlerts}/${q.steady} (${(q.falseAlertRate * 100).toFixed(1)} %)`;
	console.log(`fatigue tuning, even seeds: threshold ${FATIGUE_DEFAULTS.threshold}: ${line(at)}; ${FATIGUE_DEFAULTS.threshold - 1}: ${line(below)}`);
	assert.ok(at.falseAlertRate <= 0.03, line(at));
	assert.ok(below.falseAlertRate > 0.03, line(below));
	// the figures the header quotes for the tuning half
	assert.equal((at.detectionRate * 100).toFixed(1), '93.0');
	assert.equal((at.falseAlertRate * 100).toFixed(1), '3.0');
});

test('held-out seeds: fatigue found within 3 days of onset in >= 90 % of ads, false alerts on <= 5 % of steady ads', { timeout: 120_000 }, () => {
	assert.deepEqual(new Set([...TUNING, ...HELD_OUT]).size, TUNING.length + HELD_OUT.length, 'the two halves share no seed');
	const shapes = new Set<string>();
	const q = score(HELD_OUT, {}, shapes);
	assert.deepEqual(shapes, new Set(['logistic', 'hazard']));
	const summary = `found in time ${q.foundInTime}/${q.fatiguing} (${(q.detectionRate * 100).toFixed(1)} %, early ${q.early}, late or missed ${q.lateOrMissed}, median delay ${q.medianDelay} day(s)); false alerts ${q.falseAlerts}/${q.steady} (${(q.falseAlertRate * 100).toFixed(1)} %)`;
	console.log(`fatigue quality, held-out odd seeds: ${summary}`);
	assert.ok(q.detectionRate >= 0.9, summary);
	assert.ok(q.falseAlertRate <= 0.05, summary);
});
