import assert from 'node:assert/strict';
import { test } from 'vitest';
import { alertKey, decideAlerts, type Anomaly } from '../../nodes/shared/insights';
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
