/** Creative fatigue detector (nodes/shared/fatigue/detect.ts) and its words (words.ts) on hand-made series. */
import assert from 'node:assert/strict';
import { test } from 'vitest';
import { Rng } from '../../scripts/sandbox/rng';
import { binomial, detectFatigue, fatigueAlert, fatigueSentence, type FatigueDay } from '../../nodes/shared/fatigue';

function series(days: number, ctrAt: (t: number) => number, impressions = 20_000, seed = 1): FatigueDay[] {
	const rng = new Rng(seed);
	return Array.from({ length: days }, (_, t) => {
		const date = new Date(Date.UTC(2025, 4, 1 + t)).toISOString().slice(0, 10);
		return { date, impressions, clicks: binomial(rng, impressions, ctrAt(t)), frequency: 1 + t / 10 };
	});
}

test('a steady ad is judged and not fatigued', () => {
	const v = detectFatigue(series(40, () => 0.02));
	assert.equal(v.notJudged, null);
	assert.equal(v.fatigued, false);
	assert.equal(v.ageDays, 40);
});

test('a CTR halved for the last 4 days is fatigued, with the onset, the drop and the frequency', () => {
	const v = detectFatigue(series(40, (t) => (t >= 36 ? 0.01 : 0.02)));
	assert.equal(v.fatigued, true);
	assert.equal(v.recent?.from, '2025-06-06');
	assert.ok(v.change !== null && v.change < -0.4 && v.change > -0.6, String(v.change));
	const words = fatigueSentence(v);
	assert.match(words, /^CTR fell \d+ %/);
	assert.match(words, /Frequency went from \d+\.\d to \d+\.\d impressions per person/);
	assert.match(words, /The ad is 40 days old\. Fatigued: evidence \d+\.\d against a threshold of 14\./);
});

test('one bad day is never fatigue; a drop smaller than 20 % is not either', () => {
	assert.equal(detectFatigue(series(40, (t) => (t === 39 ? 0.005 : 0.02))).fatigued, false);
	assert.equal(detectFatigue(series(40, (t) => (t >= 34 ? 0.017 : 0.02)), { threshold: 0 }).fatigued, false);
});

test('too young or too few clicks: not judged, with the reason in words', () => {
	const young = detectFatigue(series(15, () => 0.02));
	assert.equal(young.fatigued, false);
	assert.match(young.notJudged ?? '', /15 day\(s\) with impressions; fatigue needs at least 23/);
	const thin = detectFatigue(series(40, () => 0.0005, 1000));
	assert.match(thin.notJudged ?? '', /fewer than 30 clicks in the baseline/);
	assert.match(fatigueSentence(thin), /^Not judged: /);
});

test('the alert lists fatigued ads in words (no JSON), and there is none when nothing is fatigued', () => {
	const tired = detectFatigue(series(40, (t) => (t >= 36 ? 0.01 : 0.02)));
	const fine = detectFatigue(series(40, () => 0.02, 20_000, 2));
	const ad = { platform: 'meta', accountId: '1', campaignId: 'c1', adGroupId: 's1', adId: 'a1', adName: 'Summer <sale>' };
	assert.equal(fatigueAlert([{ ...ad, verdict: fine }], 1), null);
	const alert = fatigueAlert([{ ...ad, verdict: tired }, { ...ad, adId: 'a2', verdict: fine }], 2);
	assert.ok(alert);
	assert.equal(alert.title, 'Creative fatigue: 1 of 2 ad(s) judged');
	assert.equal(alert.items?.length, 1);
	assert.match(alert.items?.[0] ?? '', /^meta ad "Summer &lt;sale&gt;" \(a1\) in campaign c1: CTR fell/);
	assert.doesNotMatch(JSON.stringify(alert), /\{\\"/);
});

test('binomial draws have the binomial mean and variance', () => {
	const rng = new Rng(7);
	const xs = Array.from({ length: 4000 }, () => binomial(rng, 5000, 0.01));
	const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
	const variance = xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (xs.length - 1);
	assert.ok(Math.abs(mean - 50) < 0.6, String(mean));
	assert.ok(Math.abs(variance / 49.5 - 1) < 0.1, String(variance));
});
