// The attribution models (nodes/shared/attribution) on journeys small enough to check by hand.
import assert from 'node:assert/strict';
import { test } from 'vitest';
import { attribute, markovCredit, shapleyCredit, shares, touchWeights, type Journey } from '../../nodes/shared/attribution';
import { Rng } from '../../scripts/sandbox/rng';

const H = 3_600_000;
const j = (channels: string[], converted: boolean, value = converted ? 100 : 0): Journey => ({
	touchpoints: channels.map((channel, i) => ({ channel, time: i * H })),
	converted,
	value,
});
const close = (a: number, b: number, eps = 1e-9) => assert.ok(Math.abs(a - b) <= eps, `${a} ≠ ${b}`);
const byChannel = (credit: Array<{ channel: string; conversions: number }>) => Object.fromEntries(credit.map((c) => [c.channel, c.conversions]));

test('rule weights: last, first, linear, position-based (40/20/40, 50/50, 100) and time-decay halving per half-life', () => {
	const four = j(['a', 'b', 'c', 'd'], true);
	assert.deepEqual(touchWeights('last_click', four), [0, 0, 0, 1]);
	assert.deepEqual(touchWeights('first_click', four), [1, 0, 0, 0]);
	assert.deepEqual(touchWeights('linear', four), [0.25, 0.25, 0.25, 0.25]);
	assert.deepEqual(touchWeights('position_based', four), [0.4, 0.1, 0.1, 0.4]);
	assert.deepEqual(touchWeights('position_based', j(['a', 'b'], true)), [0.5, 0.5]);
	assert.deepEqual(touchWeights('position_based', j(['a'], true)), [1]);
	// touches 3 h, 2 h, 1 h, 0 h before the conversion with a 1 h half-life: 1/8, 1/4, 1/2, 1 (÷ 15/8)
	const w = touchWeights('time_decay', four, { halfLifeMs: H });
	[1 / 15, 2 / 15, 4 / 15, 8 / 15].forEach((x, i) => close(w[i], x));
	assert.throws(() => touchWeights('time_decay', four, { halfLifeMs: 0 }), /half-life must be positive/);
});

test('attribute sorts touchpoints by time and credits only converting journeys, value split like conversions', () => {
	const journeys: Journey[] = [
		{ touchpoints: [{ channel: 'late', time: 5 }, { channel: 'early', time: 1 }], converted: true, value: 80 },
		j(['late'], false),
	];
	assert.deepEqual(attribute('last_click', journeys), [{ channel: 'late', conversions: 1, value: 80 }]);
	assert.deepEqual(attribute('first_click', journeys), [{ channel: 'early', conversions: 1, value: 80 }]);
	assert.deepEqual(attribute('linear', journeys), [
		{ channel: 'early', conversions: 0.5, value: 40 },
		{ channel: 'late', conversions: 0.5, value: 40 },
	]);
});

test('Markov removal effect: the three-path example (c1>c2>c3 converts, c1 and c2>c3 do not) gives 0.2 / 0.4 / 0.4', () => {
	const r = markovCredit([j(['c1', 'c2', 'c3'], true), j(['c1'], false), j(['c2', 'c3'], false)]);
	close(r.conversionProbability, 1 / 3);
	close(r.removalEffects.get('c1') as number, 0.5);
	close(r.removalEffects.get('c2') as number, 1);
	close(r.removalEffects.get('c3') as number, 1);
	const credit = byChannel(r.credit);
	close(credit.c1, 0.2);
	close(credit.c2, 0.4);
	close(credit.c3, 0.4);
});

test('Shapley: a channel that never changes the conversion rate gets nothing; symmetric channels share equally', () => {
	// a alone converts 50 %, b alone 0 %, a+b 50 %: b adds nothing
	const journeys = [
		...Array.from({ length: 10 }, (_, i) => j(['a'], i < 5)),
		...Array.from({ length: 10 }, () => j(['b'], false)),
		...Array.from({ length: 10 }, (_, i) => j(['a', 'b'], i < 5)),
	];
	const r = shapleyCredit(journeys);
	assert.equal(r.method, 'exact');
	const credit = byChannel(r.credit);
	close(credit.a, 10);
	close(credit.b, 0);
	// x and y only ever appear together: equal halves
	const both = byChannel(shapleyCredit(Array.from({ length: 8 }, (_, i) => j(['x', 'y'], i < 6))).credit);
	close(both.x, 3);
	close(both.y, 3);
});

test('Shapley: a channel whose value is negative (journeys with it convert less) gets 0, the others keep the total; never a negative credit', () => {
	// a alone converts 50 %, b alone 0 %, a+b only 20 %: adding b lowers the rate, so its Shapley value is negative
	const journeys = [
		...Array.from({ length: 10 }, (_, i) => j(['a'], i < 5)),
		...Array.from({ length: 10 }, () => j(['b'], false)),
		...Array.from({ length: 10 }, (_, i) => j(['a', 'b'], i < 2)),
	];
	// v({a}) = 10 × 0.5 + 10 × 0.5 = 10, v({b}) = 0, v({a,b}) = 5 + 0 + 2 = 7: phi_a = 8.5, phi_b = -1.5
	const r = shapleyCredit(journeys);
	const credit = byChannel(r.credit);
	close(credit.a, 7);
	close(credit.b, 0);
	assert.deepEqual(r.clamped, ['b']);
	const value = Object.fromEntries(r.credit.map((c) => [c.channel, c.value]));
	close(value.a, 700);
	close(value.b, 0);
	assert.deepEqual(shapleyCredit([j(['x'], true), j(['y'], false)]).clamped, []);
});

test('Shapley is efficient (credits add up to the conversions) and sampling converges to the exact values with a seed', () => {
	const rng = new Rng(5);
	const channels = Array.from({ length: 8 }, (_, i) => `ch${i}`);
	const journeys: Journey[] = Array.from({ length: 3000 }, () => {
		const n = 1 + Math.floor(rng.next() * 4);
		const touches = Array.from({ length: n }, () => channels[Math.floor(rng.next() * (rng.next() < 0.5 ? 3 : 8))]);
		const strength = touches.reduce((s, c) => s + (c < 'ch3' ? 0.25 : 0.08), 0);
		return j(touches, rng.next() < strength);
	});
	const conversions = journeys.filter((x) => x.converted).length;
	const exact = shapleyCredit(journeys);
	close(exact.credit.reduce((s, c) => s + c.conversions, 0), conversions, 1e-6);
	const r1 = new Rng(9);
	const sampled = shapleyCredit(journeys, { exactUpTo: 4, samples: 4000, random: () => r1.next() });
	assert.equal(sampled.method, 'sampled');
	const ex = shares(exact.credit);
	const sa = shares(sampled.credit);
	for (const [c, s] of ex) assert.ok(Math.abs(s - (sa.get(c) as number)) < 0.01, `${c}: exact ${s}, sampled ${sa.get(c)}`);
	const r2 = new Rng(9);
	assert.deepEqual(shapleyCredit(journeys, { exactUpTo: 4, samples: 4000, random: () => r2.next() }).credit, sampled.credit);
	assert.throws(() => shapleyCredit(journeys, { exactUpTo: 4 }), /pass a seeded `random` source/);
});
