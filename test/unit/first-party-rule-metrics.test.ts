/**
 * First-party counts as optimizer conditions (issue 22 item 4): the rules
 * core reads `first_party_conversions`, `first_party_revenue` and
 * `first_party_roas` from the campaign's events attached to the metric index
 * (MetricIndex.withInsights(…, …, firstParty), filled by
 * readFirstPartyRuleMetrics in one read), over the rule's window in the
 * account's time zone, `today` and `last_hour` being the First-Party Metrics
 * operation's own windows (live-counts.ts).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'vitest';
import { firstPartyMetricValue, readFirstPartyRuleMetrics, type FirstPartyRuleValues } from '../../nodes/shared/events/rule-metrics';
import { lastHourSpan, todaySpan } from '../../nodes/shared/events/live-counts';
import { liveMetrics } from '../../nodes/shared/events/realtime';
import { conditionWords } from '../../nodes/shared/rules/evidence';
import { buildMetricIndex, evaluate, historyRequirements, parseRule, resultLeaves, type EntityInput, type MetricRowInput } from '../../nodes/shared/rules';
import { fakeEventStore as eventStore, type FakeEvent as Ev } from '../helpers/fake-event-store';

// Berlin (UTC+1 in December): today began at 2026-12-06T23:00:00Z; the last hour is (09:00, 10:00]
const NOW = new Date('2026-12-07T10:00:00Z');
const BERLIN = 'Europe/Berlin';
const read = (events: Ev[], now = NOW) => readFirstPartyRuleMetrics(eventStore(events).store, { platforms: ['meta', 'google_ads'], from: now.getTime() - 9 * 86_400_000, to: now.getTime() });
const p = (campaign_id: string, event_time: string, event_type = 'purchase', value: number | null = null, currency: string | null = null): Ev => ({ platform: 'meta', campaign_id, event_time, event_type, value, ...(currency ? { currency } : {}) });

describe('first-party metric values: windows, join, currencies, missing data', () => {
	test('the last hour\'s edge: an event exactly an hour ago is out, a millisecond later in; an event after now is never counted', async () => {
		const v = await read([
			p('c1', '2026-12-07T09:00:00.000Z', 'purchase', 10, 'EUR'),
			p('c1', '2026-12-07T09:00:00.001Z', 'lead'),
			p('c1', '2026-12-07T10:00:00.000Z', 'purchase', 5, 'EUR'),
			p('c1', '2026-12-07T10:00:00.001Z', 'purchase', 99, 'EUR'), // read up to now only: a clock-skewed event waits for its time
		]);
		const hour = lastHourSpan(NOW);
		const c = v.get('meta', 'c1');
		assert.deepEqual(firstPartyMetricValue(c, 'first_party_conversions', hour, 'EUR', null), { value: 2, note: null });
		assert.deepEqual(firstPartyMetricValue(c, 'first_party_revenue', hour, 'EUR', null), { value: 5, note: null });
		assert.deepEqual(firstPartyMetricValue(c, 'first_party_conversions', todaySpan(BERLIN, NOW), 'EUR', null), { value: 3, note: null });
	});

	test('today starts at the account zone\'s midnight: 22:59:59.999Z is Berlin\'s yesterday, 23:00Z its today; New York\'s today starts at 05:00Z', async () => {
		const v = await read([p('c1', '2026-12-06T22:59:59.999Z'), p('c1', '2026-12-06T23:00:00.000Z'), p('c1', '2026-12-07T04:59:00Z'), p('c1', '2026-12-07T05:00:00Z')]);
		const c = v.get('meta', 'c1');
		assert.equal(firstPartyMetricValue(c, 'first_party_conversions', todaySpan(BERLIN, NOW), null, null).value, 3);
		assert.equal(firstPartyMetricValue(c, 'first_party_conversions', todaySpan('America/New_York', NOW), null, null).value, 1);
		assert.equal(firstPartyMetricValue(c, 'first_party_conversions', todaySpan('UTC', NOW), null, null).value, 2);
	});

	test('revenue in the campaign\'s currency only, the rest left out in words; roas through the metrics module\'s ratio; no spend is undefined', async () => {
		const v = await read([p('c1', '2026-12-07T08:00:00Z', 'purchase', 120, 'USD'), p('c1', '2026-12-07T08:10:00Z', 'purchase', 40, 'EUR'), p('c1', '2026-12-07T08:20:00Z', 'purchase', 30.5, 'USD'), p('c1', '2026-12-07T08:30:00Z', 'lead')]);
		const c = v.get('meta', 'c1');
		const today = todaySpan(BERLIN, NOW);
		const note = '40.00 EUR of conversion value in other currencies than USD left out';
		assert.deepEqual(firstPartyMetricValue(c, 'first_party_conversions', today, 'USD', null), { value: 4, note: null });
		assert.deepEqual(firstPartyMetricValue(c, 'first_party_revenue', today, 'USD', null), { value: 150.5, note });
		assert.deepEqual(firstPartyMetricValue(c, 'first_party_roas', today, 'USD', { spend: 100, currency: 'USD' }), { value: 1.505, note });
		assert.equal(firstPartyMetricValue(c, 'first_party_roas', today, 'USD', { spend: 0, currency: 'USD' }).value, null, 'spend 0');
		assert.equal(firstPartyMetricValue(c, 'first_party_roas', today, 'USD', { spend: 100, currency: 'EUR' }).value, null, 'spend in another currency');
		// a campaign in EUR: the USD is what is left out
		assert.deepEqual(firstPartyMetricValue(c, 'first_party_revenue', today, 'EUR', null), { value: 40, note: '150.50 USD of conversion value in other currencies than EUR left out' });
	});

	test('no event of the campaign in the window is unknown (null), not 0; events without a conversion are an honest 0', async () => {
		const v = await read([p('clicks-only', '2026-12-07T08:00:00Z', 'click'), p('old', '2026-12-01T08:00:00Z')]);
		const today = todaySpan(BERLIN, NOW);
		assert.deepEqual(firstPartyMetricValue(v.get('meta', 'none'), 'first_party_conversions', today, 'USD', null), { value: null, note: null });
		assert.equal(firstPartyMetricValue(v.get('meta', 'old'), 'first_party_revenue', today, 'USD', null).value, null);
		assert.equal(firstPartyMetricValue(v.get('meta', 'clicks-only'), 'first_party_conversions', today, 'USD', null).value, 0);
		assert.equal(firstPartyMetricValue(v.get('meta', 'clicks-only'), 'first_party_revenue', today, 'USD', null).value, 0);
	});

	test('events join campaigns as attribution\'s touchOf does: a click id gives the platform, the UTM campaign the campaign; other channels are not read into any campaign', async () => {
		const { store, queries } = eventStore([
			{ event_type: 'purchase', event_time: '2026-12-07T08:00:00Z', fbclid: 'fb.1', utm_campaign: 'c7' },
			{ event_type: 'purchase', event_time: '2026-12-07T08:00:00Z', gclid: 'g.1', campaign_id: 'g9', utm_campaign: 'ignored' },
			{ event_type: 'purchase', event_time: '2026-12-07T08:00:00Z', utm_source: 'newsletter', utm_medium: 'email', utm_campaign: 'c7' },
			{ event_type: 'purchase', event_time: '2026-12-07T08:00:00Z', platform: 'tiktok', campaign_id: 't1' },
		]);
		const v = await readFirstPartyRuleMetrics(store, { platforms: ['meta', 'google_ads'], from: Date.parse('2026-12-01T00:00:00Z'), to: NOW.getTime() });
		assert.equal(queries.length, 1);
		assert.deepEqual(queries[0], { table: 'marketing_events', query: { where: { event_time: { gte: '2026-12-01T00:00:00.000Z', lte: NOW.toISOString() } } } });
		assert.deepEqual([...v.campaigns.keys()].sort(), ['google_ads|g9', 'meta|c7']);
		assert.equal(v.eventsRead, 4);
	});

	test('one definition: today\'s and the last hour\'s counts equal the First-Party Metrics operation\'s with lead and purchase as conversion types', async () => {
		const events = [p('c1', '2026-12-06T23:30:00Z', 'lead'), p('c1', '2026-12-07T09:30:00Z', 'purchase', 12, 'USD'), p('c1', '2026-12-07T09:45:00Z', 'click'), p('c1', '2026-12-07T03:00:00Z', 'purchase', 8, 'USD')];
		const live = await liveMetrics(eventStore(events).store, { now: NOW, timeZone: BERLIN, conversionTypes: ['lead', 'purchase'] });
		const c = (await read(events)).get('meta', 'c1');
		const [op] = live.campaigns;
		assert.equal(firstPartyMetricValue(c, 'first_party_conversions', todaySpan(BERLIN, NOW), 'USD', null).value, op!.today.conversions);
		assert.equal(firstPartyMetricValue(c, 'first_party_revenue', todaySpan(BERLIN, NOW), 'USD', null).value, op!.today.value.USD);
		assert.equal(firstPartyMetricValue(c, 'first_party_conversions', lastHourSpan(NOW), 'USD', null).value, op!.lastHour.conversions);
		assert.deepEqual([op!.today.conversions, op!.lastHour.conversions, op!.today.value.USD], [3, 1, 20]);
	});
});

describe('first-party metrics in optimizer conditions', () => {
	const entity = (campaignId: string, over: Partial<EntityInput> = {}): EntityInput => ({ platform: 'meta', accountId: 'A', campaignId, name: `Campaign ${campaignId}`, status: 'ACTIVE', createdAt: '2025-01-01T00:00:00Z', dailyBudget: 150, currency: 'USD', timezone: BERLIN, ...over });
	/** campaign_performance: 7 days of 100 spend before today and `today` spent so far. */
	const perf = (campaignId: string, today: number): MetricRowInput[] => [
		...Array.from({ length: 7 }, (_, i) => ({ date: new Date(Date.parse('2026-11-30T00:00:00Z') + i * 86_400_000).toISOString().slice(0, 10), platform: 'meta', account_id: 'A', campaign_id: campaignId, currency: 'USD', spend: 100, impressions: 1000, clicks: 50, conversions: 2, revenue: null, leads: null })),
		{ date: '2026-12-07', platform: 'meta', account_id: 'A', campaign_id: campaignId, currency: 'USD', spend: today, impressions: 500, clicks: 20, conversions: 0, revenue: null, leads: null },
	];
	const RULE = {
		id: 'pause-few-first-party-today',
		name: 'Pause when first-party conversions today are below 2 and spend today is above 50',
		conditions: {
			all: [
				{ metric: 'first_party_conversions', window: 'today', op: '<', value: 2 },
				{ metric: 'spend', window: 'today', op: '>', value: 50 },
			],
		},
		action: { type: 'pause' },
	};
	let values: FirstPartyRuleValues;
	const events: Ev[] = [
		// low: one purchase today, clicks; good: three today; quiet: only yesterday's events (Berlin), one at 22:59:59.999Z; small: one today but spend 20
		p('low', '2026-12-07T08:00:00Z', 'purchase', 30, 'USD'),
		p('low', '2026-12-07T08:05:00Z', 'click'),
		p('good', '2026-12-07T07:00:00Z'),
		p('good', '2026-12-07T07:30:00Z'),
		p('good', '2026-12-06T23:00:00Z', 'lead'),
		p('quiet', '2026-12-06T22:59:59.999Z', 'purchase', 10, 'USD'),
		p('small', '2026-12-07T09:00:00Z'),
		p('eur', '2026-12-07T09:30:00Z', 'purchase', 500, 'EUR'),
	];
	const metrics = [...perf('low', 80), ...perf('good', 80), ...perf('quiet', 80), ...perf('small', 20), ...perf('none', 80), ...perf('eur', 80)];
	const entities = ['low', 'good', 'quiet', 'small', 'none', 'eur'].map((c) => entity(c));
	const run = async (rules: unknown[], output: 'full' | 'actionable' = 'full', over: Partial<{ killSwitch: boolean }> = {}) => {
		values ??= await read(events);
		const r = evaluate({ rules, entities, metrics: buildMetricIndex(metrics).withInsights(undefined, undefined, values), settings: { now: NOW.toISOString(), output, ...over } });
		return { r, by: Object.fromEntries(r.decisions.map((d) => [d.entity.campaignId, d])) };
	};

	for (const output of ['full', 'actionable'] as const) {
		test(`pause when first_party_conversions today < 2 and spend today > 50: the campaigns with events and few conversions; no event today is gated in words (${output})`, async () => {
			const { r, by } = await run([RULE], output);
			assert.equal(by.low!.decision, 'execute');
			assert.equal(by.low!.action?.type, 'pause');
			const leaf = resultLeaves(by.low!.conditions!)[0]!;
			assert.equal(leaf.actual, 1);
			assert.equal(leaf.text, 'first_party_conversions today (2026-12-07) = 1 < 2 → met');
			assert.equal(by.eur!.decision, 'execute', 'one purchase (in EUR) is one conversion');
			for (const c of ['quiet', 'none']) {
				assert.equal(by[c]!.decision, 'gated', c);
				assert.deepEqual(by[c]!.gates.map((g) => [g.gate, g.status]), [['kill_switch', 'pass'], ['data_volume', 'fail']]);
				assert.equal(by[c]!.reasons[0], `data_volume: no first-party events for campaign ${c} over today (2026-12-07) in Europe/Berlin: first_party_conversions is unknown, not 0`);
				assert.equal(resultLeaves(by[c]!.conditions!)[0]!.actual, null);
			}
			if (output === 'full') {
				assert.equal(by.good!.decision, 'no_match', '3 conversions today (one at Berlin midnight)');
				assert.equal(resultLeaves(by.good!.conditions!)[0]!.actual, 3);
				assert.equal(by.small!.decision, 'no_match', 'spend 20');
			} else {
				assert.equal(by.good, undefined);
				assert.equal(r.summary.no_match, 2);
			}
			assert.equal(r.summary.execute, 2);
			assert.equal(r.summary.gated, 2);
		});
	}

	test('a campaign with events but no conversion is an honest 0 (not gated); ifUndefined "match" does not turn no events into a pause; a false leaf elsewhere is a plain no_match', async () => {
		const clicksOnly = [...events, p('clicky', '2026-12-07T09:59:00Z', 'click')];
		const v = await read(clicksOnly);
		const ents = [entity('clicky'), entity('none'), entity('small-none')];
		const m = [...perf('clicky', 80), ...perf('none', 80), ...perf('small-none', 20)];
		const matchRule = { ...RULE, conditions: { all: [{ ...RULE.conditions.all[0], ifUndefined: 'match' }, RULE.conditions.all[1]] } };
		const r = evaluate({ rules: [matchRule], entities: ents, metrics: buildMetricIndex(m).withInsights(undefined, undefined, v), settings: { now: NOW.toISOString(), output: 'full' } });
		const by = Object.fromEntries(r.decisions.map((d) => [d.entity.campaignId, d]));
		assert.equal(by.clicky!.decision, 'execute');
		assert.equal(resultLeaves(by.clicky!.conditions!)[0]!.actual, 0);
		assert.equal(by.none!.decision, 'gated');
		assert.equal(by['small-none']!.decision, 'no_match', 'spend 20 < 50: false whatever the events');
		// without first-party values read at all: gated, never 0
		const unread = evaluate({ rules: [RULE], entities: [entity('low')], metrics: buildMetricIndex(metrics), settings: { now: NOW.toISOString(), output: 'actionable' } });
		assert.equal(unread.decisions[0]!.decision, 'gated');
	});

	test('last hour, revenue in the campaign\'s currency with the rest said, roas over the last 7 days against their spend; evidence in words', async () => {
		const rules = [
			{ id: 'hour', name: 'No conversion in the last hour', conditions: { metric: 'first_party_conversions', window: 'last_hour', op: '<', value: 1 }, action: { type: 'notify' } },
			{ id: 'rev', name: 'Revenue today below 100', conditions: { metric: 'first_party_revenue', window: 'today', op: '<', value: 100 }, action: { type: 'notify' } },
			{ id: 'roas', name: 'First-party ROAS over the week below 1', conditions: { metric: 'first_party_roas', window: 'last_7_days', op: '<', value: 1 }, action: { type: 'notify' } },
		];
		const { r } = await run(rules, 'full');
		const d = (rule: string, c: string) => r.decisions.find((x) => x.ruleId === rule && x.entity.campaignId === c)!;
		// last hour (09:00, 10:00]: small's purchase at 09:00:00 is out, eur's at 09:30 in
		assert.equal(d('hour', 'eur').decision, 'no_match');
		assert.equal(d('hour', 'small').decision, 'gated', 'its one event is exactly an hour old');
		assert.match(d('hour', 'small').reasons[0]!, /^data_volume: no first-party events for campaign small over the last hour \(after 09:00 UTC\): first_party_conversions is unknown, not 0$/);
		// revenue: eur's 500 EUR is not USD
		const rev = d('rev', 'eur');
		assert.equal(rev.decision, 'execute');
		const leaf = resultLeaves(rev.conditions!)[0]!;
		assert.equal(leaf.actual, 0);
		assert.equal(leaf.note, '500.00 EUR of conversion value in other currencies than USD left out');
		assert.equal(leaf.text, 'first_party_revenue today (2026-12-07) = 0 < 100 → met (500.00 EUR of conversion value in other currencies than USD left out)');
		assert.equal(
			conditionWords({ ...leaf, window: leaf.window.label }, 'USD'),
			'first-party revenue (first_party_revenue) over today (2026-12-07) was 0.00 USD, below the threshold of 100.00 USD (500.00 EUR of conversion value in other currencies than USD left out)',
		);
		assert.equal(d('rev', 'low').decision, 'execute');
		assert.equal(resultLeaves(d('rev', 'low').conditions!)[0]!.actual, 30);
		// roas over the last 7 days (11-30..12-06, Berlin): only good's lead at 23:00Z on 12-06 (= 00:00 on 12-07 Berlin) is not in it; quiet's purchase of 10 at 22:59:59.999Z is
		assert.equal(resultLeaves(d('roas', 'quiet').conditions!)[0]!.actual, 10 / 700);
		assert.equal(d('roas', 'good').decision, 'gated', 'good\'s events are all today in Berlin');
		const roasLeaf = resultLeaves(d('roas', 'quiet').conditions!)[0]!;
		assert.equal(conditionWords({ ...roasLeaf, window: roasLeaf.window.label }, 'USD'), 'first-party return on ad spend (first_party_roas) over last 7 days (2026-11-30..2026-12-06) was 0.01, below the threshold of 1.00');
	});

	test('compareTo is unknown; the kill switch is listed on the missing-data gate', async () => {
		const rule = { ...RULE, conditions: { metric: 'first_party_conversions', compareTo: 'previous_window', window: 'today', op: '<', value: 1000 } };
		const { by } = await run([rule], 'full');
		assert.equal(by.low!.decision, 'no_match');
		assert.equal(resultLeaves(by.low!.conditions!)[0]!.compared, null);
		const { by: killed } = await run([RULE], 'actionable', { killSwitch: true });
		assert.deepEqual(killed.none!.gates.map((g) => [g.gate, g.status]), [['kill_switch', 'fail'], ['data_volume', 'fail']]);
	});

	test('the rule set asks for the events read (days before today of the longest window); windows and levels that cannot be counted are refused in words', () => {
		const NOW_S = NOW.toISOString();
		assert.deepEqual(historyRequirements([RULE], { now: NOW_S }).firstParty, { days: 0 });
		assert.deepEqual(historyRequirements([{ ...RULE, conditions: { metric: 'first_party_conversions', window: 'last_hour', op: '<', value: 1 } }], { now: NOW_S }).firstParty, { days: 0 });
		assert.deepEqual(historyRequirements([RULE, { ...RULE, id: 'b', conditions: { metric: 'first_party_roas', window: 'last_14_days', op: '<', value: 1 } }], { now: NOW_S }).firstParty, { days: 14 });
		assert.equal(historyRequirements([{ ...RULE, conditions: { metric: 'spend', window: 'today', op: '>', value: 1 } }], { now: NOW_S }).firstParty, undefined);
		assert.equal(historyRequirements([{ ...RULE, enabled: false }], { now: NOW_S }).firstParty, undefined);
		const refused = (conditions: unknown, over: Record<string, unknown> = {}) => assert.throws(() => parseRule({ ...RULE, ...over, conditions }));
		assert.throws(() => parseRule({ ...RULE, conditions: { metric: 'spend', window: 'last_hour', op: '>', value: 1 } }), /"last_hour" is only known for first_party_conversions and first_party_revenue/);
		assert.throws(() => parseRule({ ...RULE, conditions: { metric: 'first_party_roas', window: 'last_hour', op: '<', value: 1 } }), /spend is stored per day/);
		assert.throws(() => parseRule({ ...RULE, conditions: { metric: 'first_party_conversions', window: 'lifetime', op: '<', value: 1 } }), /not lifetime/);
		assert.throws(() => parseRule({ ...RULE, conditions: { metric: 'first_party_conversions', window: 'last_hour', compareTo: 'previous_window', op: '<', value: 1 } }), /not available over "last_hour"/);
		assert.throws(() => parseRule({ ...RULE, level: 'ad', conditions: { metric: 'first_party_conversions', window: 'today', op: '<', value: 1 } }), /not available on level "ad"/);
		refused({ metric: 'first_party_conversions', model: 'markov', window: 'today', op: '<', value: 1 });
		// the minimum-data gate's window stays a day window
		refused(RULE.conditions, { gates: { minData: { window: 'last_hour' } } });
		// a rule on the last hour alone decides on today's key and minimum-data window
		assert.doesNotThrow(() => parseRule({ ...RULE, conditions: { metric: 'first_party_revenue', window: 'last_hour', op: '<', value: 1 } }));
	});
});
