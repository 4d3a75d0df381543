/**
 * Attribution results as rule metrics in a live optimizer run (issue 22 item
 * 2): the sandbox's Meta, a real store (PGlite, and PostgreSQL with
 * DATABASE_URL), `attributed_conversions` rows as the attribution run writes
 * them. The rule "pause when attributed ROAS (Markov) over the last 7 days is
 * below 1 and spend is above 10" pauses exactly the campaign whose attributed
 * revenue is low; a campaign without attributed rows is gated for missing
 * data (not read as 0); the table is read once, and only when an enabled
 * rule uses an attribution metric.
 */
import assert from 'node:assert/strict';
import { afterAll, beforeAll, describe, test } from 'vitest';
import type { RuleInput } from '../../nodes/shared/rules';
import type { RowInput } from '../../nodes/shared/schema/rows';
import type { Campaign } from '../../scripts/sandbox';
import { addDays } from '../../scripts/sandbox/rng';
import { assertNotReadUnlessUsed, openRuleMetricsWorld, pauseRule, runPausingFirst, type RuleMetricsWorld } from '../helpers/rule-metrics-world';
import { registerStoreSuites, type OpenStoreVariant } from '../helpers/store-suites';

const TODAY = '2026-03-02';
const NOW = new Date(`${TODAY}T18:00:00Z`);

/** Attributed rows of a campaign on three days inside every time zone's last 7 days: `revenue` split evenly. */
function attributed(model: string, c: Campaign, revenue: number, conversions: number): Array<RowInput<'attributed_conversions'>> {
	return [-5, -4, -3].map((d) => ({ model, date: addDays(TODAY, d), platform: 'meta', campaign_id: c.id, currency: 'USD', conversions: conversions / 3, revenue: revenue / 3, lookback_days: 30, computed_at: `${TODAY}T06:00:00Z` }) as RowInput<'attributed_conversions'>);
}

function registerSuite(name: string, open: OpenStoreVariant): void {
	describe(`attribution rule metrics in a live optimizer run (${name})`, () => {
		let w: RuleMetricsWorld;
		let low: Campaign;
		let good: Campaign;
		let none: Campaign;

		beforeAll(async () => {
			w = await openRuleMetricsWorld(open, TODAY);
			[low, good, none] = w.campaigns;
			const spend = w.weekSpend;
			// Markov credits `low` a fifth of its spend and `good` five times it; last click would credit `low` generously (the rule reads Markov)
			await w.store.upsert('attributed_conversions', [
				...attributed('markov', low, spend(low) * 0.2, 3),
				...attributed('markov', good, spend(good) * 5, 30),
				...attributed('last_click', low, spend(low) * 4, 20),
				...attributed('last_click', none, spend(none) * 4, 20),
			]);
		});
		afterAll(() => w?.close());

		const rule = (over: Partial<RuleInput> = {}): RuleInput =>
			pauseRule(
				w,
				'pause-low-attributed-roas',
				'Pause when attributed ROAS (Markov) over the last 7 days is below 1 and spend is above 10',
				{
					all: [
						{ metric: 'attributed_roas', model: 'markov', window: 'last_7_days', op: '<', value: 1 },
						{ metric: 'spend', window: 'last_7_days', op: '>', value: 10 },
					],
				},
				over,
			);

		test('a rule without an enabled attribution metric does not read attributed_conversions', () => assertNotReadUnlessUsed(w, rule(), 'attributed_conversions', NOW));

		test('pauses exactly the campaign whose Markov-attributed revenue is low; evidence names the model; no attributed rows is gated for missing data', async () => {
			const { paused, kept, gated } = await runPausingFirst(w, rule(), 'attributed_conversions', NOW);
			// attributed_roas = the Markov revenue / the spend of the same window (the spend leaf's own sum)
			const [roas, spend] = paused.conditions;
			assert.equal(roas!.metric, 'attributed_roas');
			assert.equal(roas!.model, 'markov');
			assert.ok(Math.abs(roas!.actual! - (0.2 * w.weekSpend(low)) / spend!.actual!) < 1e-9, `${roas!.actual} vs ${(0.2 * w.weekSpend(low)) / spend!.actual!}`);
			assert.ok(roas!.actual! < 0.3);
			assert.match(paused.evidence[0]!, /^attributed return on ad spend \(attributed_roas, markov model\) over last 7 days \(\d{4}-\d{2}-\d{2}\.\.\d{4}-\d{2}-\d{2}\) was 0\.\d\d, below the threshold of 1\.00$/);
			assert.match(paused.evidence[1]!, /^spend over last 7 days .* was [\d,.]+ USD, above the threshold of 10\.00 USD$/);

			assert.ok(kept.conditions[0]!.actual! > 4, String(kept.conditions[0]!.actual));

			assert.match(gated.reasons.join('\n'), new RegExp(`no attributed conversions of the markov model for campaign ${none.id} over last 7 days \\(\\d{4}-\\d{2}-\\d{2}\\.\\.\\d{4}-\\d{2}-\\d{2}\\): attributed_roas is unknown, not 0`));
		});
	});
}

registerStoreSuites('attr-rule-metrics', registerSuite);
