/**
 * Attribution results as optimizer conditions (issue 22 item 2): the rules
 * core reads `attributed_conversions`, `attributed_revenue` and
 * `attributed_roas` from the attribution values attached to the metric index
 * (MetricIndex.withInsights(…, attribution), filled by
 * readAttributionRuleMetrics in one batch), per campaign, under the
 * condition's model (default markov), over the rule's window.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'vitest';
import { attributionKey, attributionMetricValue, type AttributedDay, type AttributionRuleValues } from '../../nodes/shared/attribution/rule-metrics';
import { buildMetricIndex, evaluate, historyRequirements, parseRule, resultLeaves, type EntityInput, type MetricRowInput } from '../../nodes/shared/rules';

const NOW = '2025-06-11T10:00:00Z'; // UTC entities: today 2025-06-11; last 7 days = 06-04 … 06-10
const DAY_MS = 86_400_000;
const day = (date: string) => Date.parse(`${date}T00:00:00Z`) / DAY_MS;

const entity = (campaignId: string, over: Partial<EntityInput> = {}): EntityInput => ({ platform: 'meta', accountId: 'A', campaignId, name: `Campaign ${campaignId}`, status: 'ACTIVE', createdAt: '2025-01-01T00:00:00Z', dailyBudget: 150, currency: 'USD', timezone: 'UTC', ...over });

function daily(campaignId: string, spend: number, currency = 'USD'): MetricRowInput[] {
	return Array.from({ length: 7 }, (_, i) => ({ date: `2025-06-${String(4 + i).padStart(2, '0')}`, platform: 'meta', account_id: 'A', campaign_id: campaignId, currency, spend, impressions: 10_000, clicks: 300, conversions: 12, revenue: null, leads: null }));
}

/** A hand-made attributed_conversions table of one campaign: [model, date, currency, conversions, revenue]. */
function table(rows: Array<[string, string, string, number, number]>): AttributionRuleValues {
	const v: Record<string, AttributedDay[]> = {};
	for (const [model, date, currency, conversions, revenue] of rows) (v[model] ??= []).push({ day: day(date), currency, conversions, revenue });
	return v as AttributionRuleValues;
}

const WEEK = [day('2025-06-04'), day('2025-06-10')] as const;

const ROAS_RULE = {
	id: 'pause-low-attributed-roas',
	name: 'Pause when attributed ROAS over the last 7 days is below 1 on a campaign spending over 500',
	conditions: {
		all: [
			{ metric: 'attributed_roas', model: 'markov', window: 'last_7_days', op: '<', value: 1 },
			{ metric: 'spend', window: 'last_7_days', op: '>', value: 500 },
		],
	},
	action: { type: 'pause' },
};

describe('attribution metric values over a hand-made table', () => {
	const v = table([
		['markov', '2025-06-03', 'USD', 9, 900], // before the window
		['markov', '2025-06-04', 'USD', 2.5, 250.25],
		['markov', '2025-06-07', 'USD', 1.25, 100],
		['markov', '2025-06-10', 'USD', 0, 0], // a rerun zeroed this day
		['markov', '2025-06-11', 'USD', 4, 400], // today: after the window
		['last_click', '2025-06-05', 'USD', 3, 30],
	]);

	test('sums over the window per model; roas = revenue / the same window\'s spend (the metrics module\'s ratio)', () => {
		assert.equal(attributionMetricValue(v, 'attributed_conversions', 'markov', ...WEEK, null), 3.75);
		assert.equal(attributionMetricValue(v, 'attributed_revenue', 'markov', ...WEEK, null), 350.25);
		assert.equal(attributionMetricValue(v, 'attributed_roas', 'markov', ...WEEK, { spend: 700.5, currency: 'USD' }), 350.25 / 700.5);
		assert.equal(attributionMetricValue(v, 'attributed_conversions', 'last_click', ...WEEK, null), 3);
		assert.equal(attributionMetricValue(v, 'attributed_revenue', 'last_click', ...WEEK, null), 30);
		// one day: 06-10 holds only a zeroed row: 0, not unknown
		assert.equal(attributionMetricValue(v, 'attributed_conversions', 'markov', day('2025-06-10'), day('2025-06-10'), null), 0);
		assert.equal(attributionMetricValue(v, 'attributed_roas', 'markov', day('2025-06-10'), day('2025-06-10'), { spend: 100, currency: 'USD' }), 0);
	});

	test('unknown (null), never 0: no row of the model in the window, no spend, another currency, mixed currencies', () => {
		assert.equal(attributionMetricValue(v, 'attributed_conversions', 'shapley', ...WEEK, null), null, 'model not computed');
		assert.equal(attributionMetricValue(v, 'attributed_conversions', 'last_click', day('2025-06-06'), day('2025-06-10'), null), null, 'no row in the window');
		assert.equal(attributionMetricValue(undefined, 'attributed_revenue', 'markov', ...WEEK, null), null, 'campaign not in the table');
		assert.equal(attributionMetricValue(v, 'attributed_roas', 'markov', ...WEEK, { spend: 0, currency: 'USD' }), null, 'spend 0');
		assert.equal(attributionMetricValue(v, 'attributed_roas', 'markov', ...WEEK, { spend: 700, currency: 'EUR' }), null, 'revenue in USD, spend in EUR');
		assert.equal(attributionMetricValue(v, 'attributed_roas', 'markov', ...WEEK, { spend: 700, currency: null }), null, 'spend in mixed currencies');
		const mixed = table([
			['markov', '2025-06-05', 'USD', 1, 100],
			['markov', '2025-06-06', 'EUR', 1, 90],
		]);
		assert.equal(attributionMetricValue(mixed, 'attributed_conversions', 'markov', ...WEEK, null), 2, 'conversions have no currency');
		assert.equal(attributionMetricValue(mixed, 'attributed_revenue', 'markov', ...WEEK, null), null, 'USD + EUR is not a number');
		assert.equal(attributionMetricValue(mixed, 'attributed_roas', 'markov', ...WEEK, { spend: 100, currency: 'USD' }), null);
	});
});

describe('attribution metrics in optimizer conditions', () => {
	const attribution = new Map<string, AttributionRuleValues>([
		[attributionKey('meta', 'low'), table([['markov', '2025-06-05', 'USD', 2, 300], ['markov', '2025-06-09', 'USD', 1, 100], ['last_click', '2025-06-05', 'USD', 30, 3000]])],
		[attributionKey('meta', 'good'), table([['markov', '2025-06-05', 'USD', 20, 1500], ['markov', '2025-06-08', 'USD', 10, 900]])],
		[attributionKey('meta', 'small'), table([['markov', '2025-06-05', 'USD', 1, 10]])],
		[attributionKey('meta', 'other-model'), table([['last_click', '2025-06-05', 'USD', 1, 10]])],
	]);
	const metrics = [...daily('low', 150), ...daily('good', 150), ...daily('small', 50), ...daily('missing', 150), ...daily('other-model', 150)];
	const entities = ['low', 'good', 'small', 'missing', 'other-model'].map((c) => entity(c));

	for (const output of ['full', 'actionable'] as const) {
		test(`pause when attributed_roas (markov) < 1 and spend > 500: only the low campaign; no attributed rows is gated for missing data (${output})`, () => {
			const r = evaluate({ rules: [ROAS_RULE], entities, metrics: buildMetricIndex(metrics).withInsights(undefined, attribution), settings: { now: NOW, output } });
			const by = Object.fromEntries(r.decisions.map((d) => [d.entity.campaignId, d]));
			assert.equal(by.low!.decision, 'execute');
			assert.equal(by.low!.action?.type, 'pause');
			const leaf = resultLeaves(by.low!.conditions!)[0]!;
			assert.equal(leaf.actual, 400 / 1050);
			assert.equal(leaf.model, 'markov');
			assert.match(leaf.text, /^attributed_roas \(markov model\) last 7 days \(2025-06-04\.\.2025-06-10\) = 0\.381 < 1 → met$/);
			for (const c of ['missing', 'other-model']) {
				assert.equal(by[c]!.decision, 'gated', c);
				assert.deepEqual(by[c]!.gates.map((g) => [g.gate, g.status]), [['kill_switch', 'pass'], ['data_volume', 'fail']]);
				assert.match(by[c]!.reasons[0]!, new RegExp(`no attributed conversions of the markov model for campaign ${c} over last 7 days .*: attributed_roas is unknown, not 0`));
			}
			if (output === 'full') {
				assert.equal(by.good!.decision, 'no_match', 'roas 2.29');
				assert.equal(by.small!.decision, 'no_match', 'spend 350');
			} else {
				assert.equal(by.good, undefined);
				assert.equal(by.small, undefined);
				assert.equal(r.summary.no_match, 2);
			}
			assert.equal(r.summary.execute, 1);
			assert.equal(r.summary.gated, 2);
		});
	}

	test('the rule chooses the model: last click credits the low campaign 3000 (roas 2.86), so it is not paused; missing data with spend below the threshold is a plain no_match', () => {
		const rule = { ...ROAS_RULE, conditions: { all: [{ ...ROAS_RULE.conditions.all[0], model: 'last_click' }, ROAS_RULE.conditions.all[1]] } };
		const r = evaluate({ rules: [rule], entities: [...entities, entity('tiny')], metrics: buildMetricIndex([...metrics, ...daily('tiny', 10)]).withInsights(undefined, attribution), settings: { now: NOW, output: 'full' } });
		const by = Object.fromEntries(r.decisions.map((d) => [d.entity.campaignId, d]));
		assert.equal(by.low!.decision, 'no_match');
		assert.equal(resultLeaves(by.low!.conditions!)[0]!.actual, 3000 / 1050);
		assert.equal(by['other-model']!.decision, 'execute', 'last click: 10 / 1050');
		assert.match(resultLeaves(by['other-model']!.conditions!)[0]!.text, /attributed_roas \(last click model\)/);
		assert.equal(by.good!.decision, 'gated', 'good has markov rows only');
		assert.equal(by.tiny!.decision, 'no_match', 'spend 70 < 500: false whatever the attribution');
	});

	test('without attribution values read, every campaign is gated for missing data; ifUndefined "match" does not turn missing data into a pause', () => {
		const r = evaluate({ rules: [ROAS_RULE], entities: [entity('low')], metrics: buildMetricIndex(metrics), settings: { now: NOW, output: 'actionable' } });
		assert.equal(r.decisions[0]!.decision, 'gated');
		const matchRule = { ...ROAS_RULE, conditions: { all: [{ ...ROAS_RULE.conditions.all[0], ifUndefined: 'match' }, ROAS_RULE.conditions.all[1]] } };
		const m = evaluate({ rules: [matchRule], entities: [entity('missing')], metrics: buildMetricIndex(metrics).withInsights(undefined, attribution), settings: { now: NOW, output: 'actionable' } });
		assert.equal(m.decisions[0]!.decision, 'gated');
	});

	test('compareTo on an attribution metric is unknown, never met (as an insight\'s); the kill switch is listed on the missing-data gate', () => {
		const rule = { ...ROAS_RULE, conditions: { metric: 'attributed_roas', compareTo: 'previous_window', window: 'last_7_days', op: '<', value: 1000 } };
		const r = evaluate({ rules: [rule], entities: [entity('low')], metrics: buildMetricIndex(metrics).withInsights(undefined, attribution), settings: { now: NOW, output: 'full' } });
		assert.equal(r.decisions[0]!.decision, 'no_match');
		assert.equal(resultLeaves(r.decisions[0]!.conditions!)[0]!.compared, null);
		const killed = evaluate({ rules: [ROAS_RULE], entities: [entity('missing')], metrics: buildMetricIndex(metrics).withInsights(undefined, attribution), settings: { now: NOW, killSwitch: true } });
		assert.deepEqual(killed.decisions[0]!.gates.map((g) => [g.gate, g.status]), [['kill_switch', 'fail'], ['data_volume', 'fail']]);
	});

	test('the rule set asks for the attribution read (models, longest window); a model on another metric and level "ad" are refused', () => {
		assert.deepEqual(historyRequirements([ROAS_RULE], { now: NOW }).attribution, { days: 7, models: ['markov'] });
		assert.deepEqual(historyRequirements([ROAS_RULE, { ...ROAS_RULE, id: 'b', conditions: { metric: 'attributed_conversions', window: 'yesterday', op: '<', value: 1 } }], { now: NOW }).attribution, { days: 7, models: ['markov'] });
		assert.deepEqual(historyRequirements([{ ...ROAS_RULE, conditions: { metric: 'attributed_revenue', model: 'shapley', window: 'last_30_days', op: '<', value: 1 } }], { now: NOW }).attribution, { days: 30, models: ['shapley'] });
		assert.equal(historyRequirements([{ ...ROAS_RULE, conditions: { metric: 'spend', window: 'last_7_days', op: '>', value: 1 } }], { now: NOW }).attribution, undefined);
		assert.throws(() => parseRule({ ...ROAS_RULE, conditions: { metric: 'spend', model: 'markov', window: 'last_7_days', op: '>', value: 1 } }), /only used with attributed_conversions/);
		assert.throws(() => parseRule({ ...ROAS_RULE, level: 'ad', conditions: { metric: 'attributed_roas', window: 'last_7_days', op: '>', value: 1 } }), /not available on level "ad"/);
		assert.throws(() => parseRule({ ...ROAS_RULE, conditions: { metric: 'attributed_roas', model: 'magic', window: 'last_7_days', op: '>', value: 1 } }));
	});
});
