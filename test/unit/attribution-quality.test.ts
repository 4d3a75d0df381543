// Attribution quality on simulated journeys with a known ground truth
// (nodes/shared/attribution/simulate.ts): the simulator converts through a
// latent intent with diminishing returns, decay and a logistic threshold, which
// is none of the models' forms; the truth is each channel's normalised drop in
// expected conversions when it is removed from every journey. Every model's
// share error (mean absolute error over channels) is printed and written to
// $ADOPS_ATTRIBUTION_REPORT (default: the temp dir); the target for
// Markov and Shapley (0.03) is recorded per scenario (meetsTarget).
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'vitest';
import { ATTRIBUTION_MODELS, attribute, shareError, shares, type AttributionModel } from '../../nodes/shared/attribution';
import { simulateJourneys, type SimChannel, type SimParams } from '../../nodes/shared/attribution/simulate';
import { Rng } from '../../scripts/sandbox/rng';

/** Six channels of the simulated journeys (the platform tags only label touchpoints). */
const DEFAULT_SIM_CHANNELS: SimChannel[] = [
	{ channel: 'google_search', platform: 'google_ads', reach: 0.25, strength: 1.2, lateBias: 1.5 },
	{ channel: 'meta_social', platform: 'meta', reach: 0.3, strength: 0.7 },
	{ channel: 'linkedin', platform: 'linkedin', reach: 0.1, strength: 1.0 },
	{ channel: 'tiktok', platform: 'tiktok', reach: 0.15, strength: 0.4 },
	{ channel: 'email', platform: 'klaviyo', reach: 0.12, strength: 0.6, lateBias: 1.0 },
	{ channel: 'display', platform: 'google_ads', reach: 0.08, strength: 0.25 },
];

const TEN_CHANNELS: SimParams['channels'] = [
	...DEFAULT_SIM_CHANNELS,
	{ channel: 'meta_retargeting', platform: 'meta', reach: 0.1, strength: 0.9, lateBias: 2 },
	{ channel: 'tiktok_spark', platform: 'tiktok', reach: 0.08, strength: 0.5 },
	{ channel: 'linkedin_lead_gen', platform: 'linkedin', reach: 0.05, strength: 1.4 },
	{ channel: 'google_pmax', platform: 'google_ads', reach: 0.12, strength: 0.8, lateBias: 0.5 },
];

const BASE: Array<{ name: string; params: SimParams; journeys: number; seed: number }> = [
	{ name: 'six channels, search and e-mail late', params: { channels: DEFAULT_SIM_CHANNELS }, journeys: 60_000, seed: 22 },
	{ name: 'six channels, short memory, steep threshold', params: { channels: DEFAULT_SIM_CHANNELS, intentHalfLifeMs: 2 * 86_400_000, steepness: 4 }, journeys: 60_000, seed: 7 },
	{ name: 'ten channels, longer journeys', params: { channels: TEN_CHANNELS, extraTouches: 3.5 }, journeys: 80_000, seed: 2025 },
];
const SCENARIOS = BASE.flatMap((s) =>
	(['at_end', 'after_each_touch'] as const).map((decision) => ({ ...s, name: `${s.name}, decides ${decision.replace(/_/g, ' ')}`, params: { ...s.params, decision } })),
);

/** The target for Markov and Shapley. */
const TARGET = 0.03;
/**
 * What the standard models reach on these scenarios (measured when written,
 * rounded up): a guard against regressions, not the target. First-order
 * Markov misses the target everywhere, Shapley where journeys end at the
 * conversion; the note explains why (readme-events.md, "Measured errors").
 */
const GUARD: Partial<Record<AttributionModel, number>> = { markov: 0.065, shapley: 0.09 };

test('every model\'s credit shares against the simulated truth, side by side (Markov and Shapley under their guards)', () => {
	const report: Array<Record<string, unknown>> = [];
	for (const s of SCENARIOS) {
		const rng = new Rng(s.seed);
		const sim = simulateJourneys(s.journeys, s.params, () => rng.next());
		close1([...sim.truth.values()].reduce((a, b) => a + b, 0), 'truth shares');
		const errors = {} as Record<AttributionModel, number>;
		const modelShares = {} as Record<AttributionModel, Record<string, number>>;
		for (const model of ATTRIBUTION_MODELS) {
			const r = new Rng(s.seed + 1);
			const credit = attribute(model, sim.journeys, { random: () => r.next() });
			const total = credit.reduce((a, c) => a + c.conversions, 0);
			assert.ok(Math.abs(total - sim.observedConversions) < 1e-6 * sim.observedConversions, `${model} credits ${total} of ${sim.observedConversions} conversions`);
			const sh = shares(credit);
			errors[model] = shareError(sh, sim.truth);
			modelShares[model] = Object.fromEntries([...sh].map(([c, v]) => [c, Number(v.toFixed(4))]));
		}
		report.push({
			scenario: s.name,
			journeys: s.journeys,
			conversions: sim.observedConversions,
			expectedConversions: Number(sim.expectedConversions.toFixed(1)),
			truth: Object.fromEntries([...sim.truth].map(([c, v]) => [c, Number(v.toFixed(4))])),
			errors: Object.fromEntries(Object.entries(errors).map(([m, e]) => [m, Number(e.toFixed(4))])),
			meetsTarget: { markov: errors.markov <= TARGET, shapley: errors.shapley <= TARGET },
			shares: modelShares,
		});
	}
	const out = process.env.ADOPS_ATTRIBUTION_REPORT ?? join(tmpdir(), 'adops-attribution-quality.json');
	writeFileSync(out, JSON.stringify(report, null, 2));
	console.log(`share MAE against the truth (written to ${out}):`);
	console.table(
		Object.fromEntries(report.map((r) => [String(r.scenario), Object.fromEntries(Object.entries(r.errors as Record<string, number>).map(([m, e]) => [m, e.toFixed(3)]))])),
	);
	for (const row of report) {
		const errors = row.errors as Record<string, number>;
		for (const [model, bound] of Object.entries(GUARD)) {
			assert.ok(errors[model] <= (bound as number), `${row.scenario}: ${model} share MAE ${errors[model]} > ${bound}`);
		}
	}
}, 240_000);

function close1(x: number, what: string) {
	assert.ok(Math.abs(x - 1) < 1e-9, `${what} sum to ${x}`);
}
