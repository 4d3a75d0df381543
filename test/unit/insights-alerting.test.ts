import assert from 'node:assert/strict';
import { test } from 'vitest';
import { alertKey, decideAlerts, type Anomaly } from '../../nodes/shared/insights';
import { groupAlerts, groupKey } from '../../nodes/shared/insights/alerting';
import { anomalyGroupAlert } from '../../nodes/shared/insights/run';
import { anomalyProblems, anomalyRow, budgetPlanRow } from '../../nodes/shared/insights/rows';

function anomaly(date: string, score: number, episodeStart = '2025-06-09'): Anomaly {
	return { platform: 'meta', accountId: 'a', campaignId: 'c', campaignName: null, metric: 'spend', date, episodeStart, actual: 300, expected: 100, lower: 60, upper: 140, score, direction: 'spike', volume: 300, currency: 'USD', pattern: null, lastDays: [] };
}

test('an anomaly alerts once per episode, again only when at least 1.25 × worse; a possibly-sent alert counts as sent', () => {
	const first = decideAlerts([anomaly('2025-06-09', 8)], []);
	assert.deepEqual(first.map((d) => d.decision), [{ alert: true, reason: 'new', previous: null }]);
	const sent = [{ platform: 'meta', accountId: 'a', campaignId: 'c', metric: 'spend', episodeStart: '2025-06-09', score: 8 }];
	// rerun of the same day: nothing new
	assert.equal(decideAlerts([anomaly('2025-06-09', 8)], sent)[0].decision.alert, false);
	// next day of the same episode, a bit worse: no; much worse: yes
	assert.equal(decideAlerts([anomaly('2025-06-10', 9.5)], sent)[0].decision.alert, false);
	assert.deepEqual(decideAlerts([anomaly('2025-06-10', 10)], sent)[0].decision, { alert: true, reason: 'worse', previous: 8 });
	// within one run: the first day alerts, the next only if worse
	const run = decideAlerts([anomaly('2025-06-10', 9), anomaly('2025-06-09', 8)], []);
	assert.deepEqual(run.map((d) => [d.anomaly.date, d.decision.alert]), [['2025-06-09', true], ['2025-06-10', false]]);
	// a new episode alerts again
	assert.equal(decideAlerts([anomaly('2025-06-20', 5, '2025-06-20')], sent)[0].decision.alert, true);
	assert.equal(alertKey(anomaly('2025-06-10', 9)), 'insights.alert:meta|a|c|spend|2025-06-09|2025-06-10');
});

test('row schemas of the insights tables refuse what the migration refuses', () => {
	const ok = { platform: 'meta', account_id: 'a', metric: 'spend', date: '2025-06-10', episode_start: '2025-06-09', direction: 'spike', actual: 3, expected: 1, lower_bound: 0.5, upper_bound: 1.5, score: 9, volume: 3, method: 'stl', alpha: 0.05 };
	assert.equal(anomalyRow.parse(ok).campaign_id, '');
	assert.deepEqual(anomalyProblems({ ...ok, episode_start: '2025-06-11' }), ['episode_start must not be after date']);
	assert.deepEqual(anomalyProblems(ok), []);
	assert.throws(() => anomalyRow.parse({ ...ok, metric: 'likes' }));
	assert.throws(() => budgetPlanRow.parse({ platform: 'meta', account_id: 'a', month: '2025-06-15', amount: 10, currency: 'USD' }));
	assert.equal(budgetPlanRow.parse({ platform: 'meta', account_id: 'a', month: '2025-06-01', amount: 10, currency: 'USD' }).campaign_id, '');
});

test('alerts group per entity and day, the named pattern first, then the stronger score; the key names each member and a worse one', () => {
	const at = (metric: Anomaly['metric'], score: number, over: Partial<Anomaly> = {}): Anomaly => ({ ...anomaly('2025-06-10', score, '2025-06-10'), metric, ...over });
	const decided = decideAlerts(
		[at('spend', 6), at('clicks', 9), at('conversions', -5, { direction: 'drop', pattern: 'tracking_break' }), at('spend', 7, { campaignId: null }), at('spend', 8, { date: '2025-06-11', episodeStart: '2025-06-11' })],
		[{ platform: 'meta', accountId: 'a', campaignId: null, metric: 'spend', episodeStart: '2025-06-10', score: 7 }],
	);
	const groups = groupAlerts(decided);
	// the account's spend was sent already: no group; the campaign's two days are two groups
	assert.deepEqual(groups.map((g) => g.members.map((m) => m.anomaly.metric)), [['conversions', 'clicks', 'spend'], ['spend']]);
	assert.equal(groups[0]!.key, 'insights.anomalies:meta|a|c|2025-06-10|clicks@2025-06-10,conversions@2025-06-10,spend@2025-06-10');
	assert.equal(groupKey([...groups[0]!.members].reverse()), groups[0]!.key, 'the key does not depend on the order');
	const alert = anomalyGroupAlert(groups[0]!.members);
	assert.equal(alert.title, 'Tracking break and 2 more on Meta account a, campaign c');
	assert.equal(alert.kind, 'failure');
	assert.equal(alert.message!.split('\n').filter((l) => l.startsWith('• ')).length, 3);
	assert.match(alert.message!, /3 metrics left their normal range on 2025-06-10; each is charted below/);
	// one member: the single alert, unchanged
	assert.equal(anomalyGroupAlert(groups[1]!.members).title, 'Spend spike on Meta account a, campaign c');
	// worse: the key carries the score it is worse than, so it is not the first message's key
	const worse = decideAlerts([at('spend', 10)], [{ platform: 'meta', accountId: 'a', campaignId: 'c', metric: 'spend', episodeStart: '2025-06-10', score: 6 }]);
	assert.equal(groupAlerts(worse)[0]!.key, 'insights.anomalies:meta|a|c|2025-06-10|spend@2025-06-10>6.000');
	// held episodes do not alert
	const held = decideAlerts([at('spend', 10)], [], 1.25, new Map([['meta|a|c|spend|2025-06-10', 'the channel could not be read']]));
	assert.deepEqual(held[0]!.decision, { alert: false, reason: 'held', why: 'the channel could not be read' });
	assert.equal(groupAlerts(held).length, 0);
});
