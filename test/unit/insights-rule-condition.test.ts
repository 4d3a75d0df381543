/**
 * AdOps Insights' findings as optimizer conditions (issue 18 item 2): the
 * rules core reads `anomaly_score`, `anomaly_direction`, `pacing_ratio` and
 * `forecast_month_spend` from the insight values attached to the metric index
 * (MetricIndex.withInsights, filled by readInsightRuleMetrics in one batch).
 * The rule of the issue: "pause when conversions break to zero on a campaign
 * spending over 100/day".
 */
import assert from 'node:assert/strict';
import { describe, test } from 'vitest';
import { dayNumber, insightKey, type InsightRuleValues } from '../../nodes/shared/insights';
import { buildMetricIndex, evaluate, historyRequirements, parseRule, resultLeaves, type EntityInput, type MetricRowInput } from '../../nodes/shared/rules';

const NOW = '2025-06-11T10:00:00Z'; // UTC entities: today 2025-06-11, yesterday 06-10

const entity = (campaignId: string, over: Partial<EntityInput> = {}): EntityInput => ({ platform: 'meta', accountId: 'A', campaignId, name: `Campaign ${campaignId}`, status: 'ACTIVE', createdAt: '2025-01-01T00:00:00Z', dailyBudget: 150, currency: 'USD', timezone: 'UTC', ...over });

function daily(campaignId: string, spend: number): MetricRowInput[] {
	return Array.from({ length: 7 }, (_, i) => ({ date: `2025-06-${String(4 + i).padStart(2, '0')}`, platform: 'meta', account_id: 'A', campaign_id: campaignId, currency: 'USD', spend, impressions: 10_000, clicks: 300, conversions: 12, revenue: null, leads: null }));
}

const values = (anomalies: Array<[string, number]>, over: Partial<InsightRuleValues> = {}): InsightRuleValues => ({
	anomaly_score: 0,
	anomaly_direction: 0,
	anomaly: null,
	anomalies: anomalies.map(([date, score]) => ({ day: dayNumber(date), score, text: `conversions ${score < 0 ? 'drop' : 'spike'} on ${date}` })),
	pacing_ratio: null,
	forecast_month_spend: null,
	...over,
});

/** The seed rule: a drop with a robust score beyond 4 yesterday, on a campaign spending over 100 a day. */
const TRACKING_BREAK_RULE = {
	id: 'pause-tracking-break',
	name: 'Pause when conversions break to zero on a campaign spending over 100/day',
	priority: 5,
	conditions: {
		all: [
			{ metric: 'anomaly_score', window: 'yesterday', op: '<=', value: -4 },
			{ metric: 'spend', window: 'last_7_days', op: '>', value: 700 },
		],
	},
	action: { type: 'pause' },
};

describe('insight metrics in optimizer conditions', () => {
	test('anomaly_score over yesterday: the campaign with yesterday\'s drop is paused; an older drop, a spike, a small spender and a quiet campaign are not', () => {
		const metrics = [...daily('broken', 150), ...daily('older', 150), ...daily('spike', 150), ...daily('small', 50), ...daily('quiet', 150)];
		const insights = new Map<string, InsightRuleValues>([
			[insightKey('meta', 'A', 'broken'), values([['2025-06-10', -9.5], ['2025-06-08', -3]])],
			[insightKey('meta', 'A', 'older'), values([['2025-06-08', -9.5]])],
			[insightKey('meta', 'A', 'spike'), values([['2025-06-10', 12]])],
			[insightKey('meta', 'A', 'small'), values([['2025-06-10', -9.5]])],
		]);
		const r = evaluate({ rules: [TRACKING_BREAK_RULE], entities: ['broken', 'older', 'spike', 'small', 'quiet'].map((c) => entity(c)), metrics: buildMetricIndex(metrics).withInsights(insights), settings: { now: NOW, output: 'full' } });
		const by = Object.fromEntries(r.decisions.map((d) => [d.entity.campaignId, d]));
		assert.equal(by.broken!.decision, 'execute');
		assert.equal(by.broken!.action?.type, 'pause');
		const leaf = resultLeaves(by.broken!.conditions!)[0]!;
		assert.equal(leaf.actual, -9.5, 'the strongest anomaly of yesterday, signed (a drop is negative)');
		assert.match(leaf.text, /anomaly_score yesterday \(2025-06-10\) = -9\.5 <= -4 → met/);
		for (const c of ['older', 'spike', 'small', 'quiet']) assert.equal(by[c]!.decision, 'no_match', c);
		assert.equal(resultLeaves(by.quiet!.conditions!)[0]!.actual, 0, 'no stored anomaly: score 0, not unknown');
		assert.equal(resultLeaves(by.older!.conditions!)[0]!.actual, 0, 'an anomaly outside the window does not count');
	});

	test('a window of several days, anomaly_direction, pacing_ratio (unknown without a plan), and no insight values read: the conditions are unknown, never met', () => {
		const metrics = [...daily('a', 150), ...daily('b', 150)];
		const insights = new Map<string, InsightRuleValues>([[insightKey('meta', 'A', 'a'), values([['2025-06-08', -6]], { pacing_ratio: 1.4, forecast_month_spend: 6300 })]]);
		const rules = [
			{ id: 'week', name: 'week', conditions: { metric: 'anomaly_score', window: 'last_3_days', op: '<=', value: -4 }, action: { type: 'notify' } },
			{ id: 'dir', name: 'dir', conditions: { metric: 'anomaly_direction', window: 'last_7_days', op: '=', value: -1 }, action: { type: 'notify' } },
			{ id: 'over', name: 'over', conditions: { metric: 'pacing_ratio', window: 'yesterday', op: '>', value: 1.2 }, action: { type: 'scale_budget', percent: -10 } },
		];
		const r = evaluate({ rules, entities: [entity('a'), entity('b')], metrics: buildMetricIndex(metrics).withInsights(insights), settings: { now: NOW, output: 'full' } });
		const d = (c: string, rule: string) => r.decisions.find((x) => x.entity.campaignId === c && x.ruleId === rule)!;
		assert.equal(d('a', 'week').matched, true);
		assert.equal(d('a', 'dir').matched, true);
		assert.equal(d('a', 'over').decision, 'execute');
		assert.equal(d('b', 'over').decision, 'no_match');
		assert.match(d('b', 'over').reasons[0]!, /undefined/, 'no plan: pacing_ratio unknown');
		const without = evaluate({ rules, entities: [entity('a')], metrics, settings: { now: NOW, output: 'full' } });
		assert.ok(without.decisions.every((x) => x.decision === 'no_match'));
		assert.equal(resultLeaves(without.decisions.find((x) => x.ruleId === 'week')!.conditions!)[0]!.actual, null, 'not read: unknown');
	});

	test('the rule set asks for the insight read (longest window); compareTo on a finding is unknown, never met by accident', () => {
		assert.deepEqual(historyRequirements([TRACKING_BREAK_RULE], { now: NOW }).insights, { days: 1 });
		assert.equal(historyRequirements([{ ...TRACKING_BREAK_RULE, conditions: { metric: 'spend', window: 'last_7_days', op: '>', value: 1 } }], { now: NOW }).insights, undefined);
		const rule = parseRule({ ...TRACKING_BREAK_RULE, conditions: { metric: 'anomaly_score', window: 'last_7_days', compareTo: 'previous_window', op: '<', value: -4 } });
		const insights = new Map<string, InsightRuleValues>([[insightKey('meta', 'A', 'x'), values([['2025-06-10', -9.5]])]]);
		const r = evaluate({ rules: [rule], entities: [entity('x')], metrics: buildMetricIndex(daily('x', 150)).withInsights(insights), settings: { now: NOW, output: 'full' } });
		assert.equal(r.decisions[0]!.decision, 'no_match');
		assert.equal(resultLeaves(r.decisions[0]!.conditions!)[0]!.compared, null);
	});
});
