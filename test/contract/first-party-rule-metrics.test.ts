/**
 * First-party counts as rule metrics in a live optimizer run (issue 22 item
 * 4): the sandbox's Meta, a real store (PGlite, and PostgreSQL with
 * DATABASE_URL), `marketing_events` rows as the events trigger stores them.
 * The rule "pause when first_party_conversions over today is below 3 and
 * spend today is above 10" pauses exactly the campaign with one conversion
 * today (joined by its click id and UTM campaign, as attribution's touchOf
 * does); a campaign whose only event is one millisecond before the account's
 * midnight has no event today and is gated for missing data in words (not
 * read as 0); the events are read once, and only when an enabled rule uses a
 * first-party metric.
 */
import assert from 'node:assert/strict';
import { afterAll, beforeAll, describe, test } from 'vitest';
import { startOfDateIn } from '../../nodes/shared/events/live-counts';
import type { RuleInput } from '../../nodes/shared/rules';
import type { RowInput } from '../../nodes/shared/schema/rows';
import type { Campaign } from '../../scripts/sandbox';
import { assertNotReadUnlessUsed, openRuleMetricsWorld, pauseRule, runPausingFirst, type RuleMetricsWorld } from '../helpers/rule-metrics-world';
import { registerStoreSuites, type OpenStoreVariant } from '../helpers/store-suites';

const TODAY = '2026-03-02';
const NOW = new Date(`${TODAY}T18:00:00Z`);

function registerSuite(name: string, open: OpenStoreVariant): void {
	describe(`first-party rule metrics in a live optimizer run (${name})`, () => {
		let w: RuleMetricsWorld;
		let low: Campaign;
		let good: Campaign;
		let none: Campaign;

		beforeAll(async () => {
			w = await openRuleMetricsWorld(open, TODAY);
			[low, good, none] = w.campaigns;
			const { account } = w;
			const local = new Intl.DateTimeFormat('en-CA', { timeZone: account.timezone }).format(NOW);
			assert.equal(local, TODAY, `${account.timezone}: 18:00 UTC is on ${TODAY} there`);
			// today so far: 80 spent by each
			await w.store.upsert(
				'campaign_performance',
				account.campaigns.map((c) => ({ date: TODAY, platform: 'meta', account_id: account.id, campaign_id: c.id, campaign_name: c.name, currency: account.currency, spend: 80, impressions: 4000, clicks: 120, conversions: 1, revenue: null, leads: null })),
			);
			// the account's today began at its local midnight
			const dayStart = startOfDateIn(account.timezone, TODAY);
			const at = (ms: number) => new Date(ms).toISOString();
			let n = 0;
			const ev = (over: Partial<RowInput<'marketing_events'>> & Pick<RowInput<'marketing_events'>, 'event_type' | 'event_time'>): RowInput<'marketing_events'> => ({ source: 'web', event_id: `fp-${++n}`, received_at: at(NOW.getTime()), ...over }) as RowInput<'marketing_events'>;
			await w.store.upsert('marketing_events', [
				// low: a click and one purchase today, known by the Meta click id and the UTM campaign only (no platform, no campaign_id)
				ev({ event_type: 'click', event_time: at(dayStart + 60_000), fbclid: 'fb.1.low', utm_campaign: low.id }),
				ev({ event_type: 'purchase', event_time: at(dayStart), fbclid: 'fb.1.low', utm_campaign: low.id, value: 49.5, currency: 'USD' }),
				// good: four conversions today, the last ten minutes ago
				...[2, 3, 4].map((h) => ev({ event_type: 'purchase', event_time: at(NOW.getTime() - h * 3_600_000), platform: 'meta', campaign_id: good.id, value: 30, currency: 'USD' })),
				ev({ event_type: 'lead', event_time: at(NOW.getTime() - 600_000), platform: 'meta', campaign_id: good.id }),
				// none: its only event one millisecond before the account's midnight, i.e. yesterday there
				ev({ event_type: 'purchase', event_time: at(dayStart - 1), platform: 'meta', campaign_id: none.id, value: 10, currency: 'USD' }),
				// and one a minute after now (a clock ahead): not counted until its time comes
				ev({ event_type: 'purchase', event_time: at(NOW.getTime() + 60_000), platform: 'meta', campaign_id: none.id, value: 10, currency: 'USD' }),
			]);
		});
		afterAll(() => w?.close());

		const rule = (over: Partial<RuleInput> = {}): RuleInput =>
			pauseRule(
				w,
				'pause-few-first-party-conversions',
				'Pause when first-party conversions today are below 3 and spend today is above 10',
				{
					all: [
						{ metric: 'first_party_conversions', window: 'today', op: '<', value: 3 },
						{ metric: 'spend', window: 'today', op: '>', value: 10 },
					],
				},
				over,
			);

		test('a rule without an enabled first-party metric does not read marketing_events', () => assertNotReadUnlessUsed(w, rule(), 'marketing_events', NOW));

		test('pauses exactly the campaign with one conversion today; evidence in words; a campaign without an event today is gated for missing data', async () => {
			const { paused, kept, gated } = await runPausingFirst(w, rule(), 'marketing_events', NOW);
			const [conversions, spend] = paused.conditions;
			assert.equal(conversions!.metric, 'first_party_conversions');
			assert.equal(conversions!.actual, 1, 'the purchase at the account\'s midnight is today\'s');
			assert.equal(spend!.actual, 80);
			assert.equal(paused.evidence[0], `first-party conversions (first_party_conversions) over today (${TODAY}) was 1, below the threshold of 3`);

			assert.equal(kept.conditions[0]!.actual, 4);

			assert.ok(gated.reasons.includes(`data_volume: no first-party events for campaign ${none.id} over today (${TODAY}) in ${w.account.timezone}: first_party_conversions is unknown, not 0`), gated.reasons.join('\n'));
		});
	});
}

registerStoreSuites('fp-rule-metrics', registerSuite);
