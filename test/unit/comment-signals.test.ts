/**
 * The comment signal as rule metrics (issue 7, item 5): `ad_comment_signals`
 * rows summed per campaign and day in the metric index, window sums and
 * shares, account averages, the rule "abusive comments over 20 % with at
 * least 30 comments over the last 7 days → pause" in evaluate and the
 * backtest. Every expected number is counted by hand in the comments.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'vitest';
import {
	COMMENT_COUNT_METRICS,
	COMMENT_SHARE_METRICS,
	METRICS,
	MONEY_METRICS,
	RulesInputError,
	SEED_RULES,
	accountAverage,
	backtest,
	buildMetricIndex,
	dayNumber,
	evaluate,
	metricValue,
	parseRule,
	resultLeaves,
	windowSums,
	type CommentSignalColumns,
	type CommentSignalRowInput,
	type EntityInput,
	type MetricRowInput,
} from '../../nodes/shared/rules';
import { COMMENT_METRICS } from '../../nodes/shared/moderation/signal';

const D = (date: string) => dayNumber(date);
const NOW = '2025-06-11T10:00:00Z'; // UTC entities: today 2025-06-11, last 7 days 2025-06-04..2025-06-10

function signal(date: string, campaign: string | null, ad: string, comments: number, negative: number, abusive: number, account = 'A'): CommentSignalRowInput {
	return { date, platform: 'meta', account_id: account, campaign_id: campaign, ad_id: ad, comments, negative_comments: negative, abusive_comments: abusive };
}

function perf(date: string, campaign: string, spend = 10): MetricRowInput {
	return { date, platform: 'meta', account_id: 'A', campaign_id: campaign, currency: 'USD', spend, impressions: 1000, clicks: 10, conversions: 1, revenue: null, leads: null };
}

function entity(campaignId: string, over: Partial<EntityInput> = {}): EntityInput {
	return { platform: 'meta', accountId: 'A', campaignId, name: `Campaign ${campaignId}`, status: 'ACTIVE', createdAt: '2025-01-01T00:00:00Z', dailyBudget: 100, currency: 'USD', timezone: 'UTC', ...over };
}

/** The rule: pause when abusive comments pass 20 % with at least 30 comments (last 7 days). */
const ABUSE_RULE = {
	id: 'abuse',
	name: 'Pause on abusive comments',
	conditions: {
		all: [
			{ metric: 'abusive_comment_share', window: 'last_7_days', op: '>', value: 0.2 },
			{ metric: 'comments', window: 'last_7_days', op: '>=', value: 30 },
		],
	},
	action: { type: 'pause' },
};

/** `total` comments of which `abusive` abusive (also negative), spread over ads a1/a2 on 2025-06-05 and 06-08. */
function week(campaign: string, total: number, abusive: number): CommentSignalRowInput[] {
	const first = Math.floor(total / 2);
	const firstAbusive = Math.min(abusive, first);
	return [signal('2025-06-05', campaign, `${campaign}-a1`, first, firstAbusive, firstAbusive), signal('2025-06-08', campaign, `${campaign}-a2`, total - first, abusive - firstAbusive, abusive - firstAbusive)];
}

describe('comment signal metrics: names and model', () => {
	test('five comment metrics, not money; the moderation signal uses the same names', () => {
		assert.deepEqual([...COMMENT_COUNT_METRICS], ['comments', 'negative_comments', 'abusive_comments']);
		assert.deepEqual([...COMMENT_SHARE_METRICS], ['negative_comment_share', 'abusive_comment_share']);
		for (const m of [...COMMENT_COUNT_METRICS, ...COMMENT_SHARE_METRICS]) {
			assert.ok((METRICS as readonly string[]).includes(m));
			assert.equal(MONEY_METRICS.has(m), false);
		}
		assert.deepEqual(Object.values(COMMENT_METRICS).sort(), [...COMMENT_COUNT_METRICS, ...COMMENT_SHARE_METRICS].sort());
		const r = parseRule(ABUSE_RULE);
		assert.equal(r.action.type, 'pause');
		assert.throws(() => parseRule({ ...ABUSE_RULE, conditions: { metric: 'comment_count', window: 'yesterday', op: '>', value: 1 } }), /conditions\.metric/);
	});
});

describe('comment signal metrics: the index', () => {
	test('ads of a campaign are summed per day; shares are ratios of window sums, not averages of daily ratios; no row = 0 comments', () => {
		const idx = buildMetricIndex(
			[perf('2025-06-01', 'c'), perf('2025-06-02', 'c')],
			[
				// 06-01: a1 10 comments (4 negative, 1 abusive) + a2 10 (6 negative, 5 abusive) = 20, 10, 6 → daily abusive share 0.3
				signal('2025-06-01', 'c', 'a1', 10, 4, 1),
				signal('2025-06-01', 'c', 'a2', 10, 6, 5),
				// 06-02: a1 10 comments, none negative → daily share 0
				signal('2025-06-02', 'c', 'a1', 10, 0, 0),
				// 06-03: a comment signal on a day without a performance row
				signal('2025-06-03', 'c', 'a2', 5, 5, 0),
				// another campaign's ad
				signal('2025-06-01', 'other', 'b1', 7, 7, 7),
			],
		);
		const s = windowSums(idx.series.get('meta|A|c'), D('2025-06-01'), D('2025-06-02'), idx.comments.get('meta|A|c'));
		assert.deepEqual([s.comments, s.negative_comments, s.abusive_comments, s.rows, s.spend], [30, 10, 6, 2, 20]);
		// pooled: 6 / 30 = 0.2 (the average of the daily shares 0.3 and 0 would be 0.15); negative 10 / 30
		assert.equal(metricValue(s, 'abusive_comment_share'), 0.2);
		assert.equal(metricValue(s, 'negative_comment_share'), 10 / 30);
		assert.equal(metricValue(s, 'comments'), 30);
		// 06-03 only: 5 comments, all negative, none abusive; no performance row that day
		const third = windowSums(idx.series.get('meta|A|c'), D('2025-06-03'), D('2025-06-03'), idx.comments.get('meta|A|c'));
		assert.deepEqual([third.comments, third.negative_comments, third.abusive_comments, third.rows, metricValue(third, 'negative_comment_share'), metricValue(third, 'abusive_comment_share')], [5, 5, 0, 0, 1, 0]);
		// a day without a signal row: 0 comments, shares undefined (no comment to share)
		const none = windowSums(idx.series.get('meta|A|c'), D('2025-06-04'), D('2025-06-10'), idx.comments.get('meta|A|c'));
		assert.deepEqual([none.comments, metricValue(none, 'comments'), metricValue(none, 'abusive_comment_share'), metricValue(none, 'negative_comment_share')], [0, 0, null, null]);
		// without the comment series (or for a campaign without signal rows) the counts are 0
		assert.equal(windowSums(idx.series.get('meta|A|c'), D('2025-06-01'), D('2025-06-03')).comments, 0);
		assert.equal(idx.signalRowCount, 5);
		assert.deepEqual(idx.rejectedSignals, []);
	});

	test('columns give the same index as rows; row order does not matter', () => {
		const rows = [signal('2025-06-02', 'c', 'a1', 3, 1, 1), signal('2025-06-01', 'c', 'a2', 4, 2, 0), signal('2025-06-01', 'c', 'a1', 5, 0, 0)];
		const columns: CommentSignalColumns = {
			length: rows.length,
			columns: {
				date: rows.map((r) => r.date),
				platform: rows.map((r) => r.platform),
				account_id: rows.map((r) => r.account_id),
				campaign_id: rows.map((r) => r.campaign_id),
				ad_id: rows.map((r) => r.ad_id ?? null),
				comments: rows.map((r) => String(r.comments)), // numeric columns may arrive as strings
				negative_comments: rows.map((r) => r.negative_comments),
				abusive_comments: rows.map((r) => r.abusive_comments),
			},
		};
		const a = buildMetricIndex([], rows).comments.get('meta|A|c')!;
		const b = buildMetricIndex([], columns).comments.get('meta|A|c')!;
		const c = buildMetricIndex([], [...rows].reverse()).comments.get('meta|A|c')!;
		assert.deepEqual([...a.days], [D('2025-06-01'), D('2025-06-02')]);
		assert.deepEqual(b, a);
		assert.deepEqual(c, a);
		// 06-01: 5 + 4 = 9 comments, 2 negative, 0 abusive; 06-02: 3, 1, 1 → both days 12, 3, 1
		const s = windowSums(undefined, D('2025-06-01'), D('2025-06-02'), a);
		assert.deepEqual([s.comments, s.negative_comments, s.abusive_comments], [12, 3, 1]);
	});

	test('unusable rows are rejected with their reason; the same ad twice on a day is refused like a duplicate metric row', () => {
		const idx = buildMetricIndex([], [
			signal('2025-06-01', null, 'orphan', 3, 1, 1),
			signal('2025-06-01', 'c', 'a1', 3, 4, 0),
			signal('2025-06-01', 'c', 'a2', 3, 0, 4),
			signal('2025-06-01', 'c', 'a3', 1.5, 0, 0),
			signal('2025-06-01', 'c', 'a4', -1, 0, 0),
			signal('06/01/2025', 'c', 'a5', 1, 0, 0),
			{ ...signal('2025-06-01', 'c', 'a6', 1, 0, 0), account_id: '' },
			signal('2025-06-01', 'c', 'ok', 2, 1, 1),
		]);
		assert.deepEqual(
			idx.rejectedSignals.map((r) => [r.index, r.reason]),
			[
				[0, "campaign_id is missing (the comments' campaign was not known)"],
				[1, 'negative_comments 4 or abusive_comments 0 exceeds comments 3'],
				[2, 'negative_comments 0 or abusive_comments 4 exceeds comments 3'],
				[3, 'comments 1.5 is not a whole number from 0 to 2147483647'],
				[4, 'comments -1 is not a whole number from 0 to 2147483647'],
				[5, 'date 06/01/2025 is not YYYY-MM-DD'],
				[6, 'account_id is missing'],
			],
		);
		assert.equal(windowSums(undefined, D('2025-06-01'), D('2025-06-01'), idx.comments.get('meta|A|c')).comments, 2);
		assert.throws(() => buildMetricIndex([], [signal('2025-06-01', 'c', 'a1', 1, 0, 0), signal('2025-06-01', 'c', 'a1', 2, 0, 0)]), (e: unknown) => e instanceof RulesInputError && /two comment signal rows for ad a1 of meta\|A on 2025-06-01/.test(e.message));
		// rows without an ad id cannot be told apart: they are summed
		const noAd = buildMetricIndex([], [{ ...signal('2025-06-01', 'c', 'x', 1, 0, 0), ad_id: undefined }, { ...signal('2025-06-01', 'c', 'x', 2, 1, 0), ad_id: null }]);
		assert.equal(windowSums(undefined, D('2025-06-01'), D('2025-06-01'), noAd.comments.get('meta|A|c')).comments, 3);
	});

	test('account average: comment counts per campaign with any data (a campaign without a signal row had 0 comments); shares pooled', () => {
		const idx = buildMetricIndex(
			// c1 and c2 report performance; c3 has comments only
			[perf('2025-06-05', 'c1'), perf('2025-06-05', 'c2')],
			[signal('2025-06-05', 'c1', 'a1', 30, 12, 9), signal('2025-06-06', 'c3', 'a3', 10, 2, 1)],
		);
		const a = idx.accountWindow('meta|A', D('2025-06-04'), D('2025-06-10'))!;
		assert.deepEqual([a.campaigns, a.campaignsWithAnyData, a.sums.comments, a.sums.negative_comments, a.sums.abusive_comments], [2, 3, 40, 14, 10]);
		// 40 comments over c1, c2, c3 = 13.33; 10 abusive / 40 = 0.25; 14 negative / 40 = 0.35
		assert.equal(accountAverage(a, 'comments', false), 40 / 3);
		assert.equal(accountAverage(a, 'abusive_comments', false), 10 / 3);
		assert.equal(accountAverage(a, 'abusive_comment_share', false), 0.25);
		assert.equal(accountAverage(a, 'negative_comment_share', false), 0.35);
		// performance metrics keep their own divisor (campaigns with performance rows)
		assert.equal(accountAverage(a, 'spend', true), 10);
		// an account known only from comments
		const onlyComments = buildMetricIndex([], [signal('2025-06-05', 'c9', 'a9', 4, 1, 1, 'B')]).accountWindow('meta|B', D('2025-06-01'), D('2025-06-10'));
		assert.deepEqual([onlyComments!.campaigns, onlyComments!.campaignsWithAnyData, accountAverage(onlyComments, 'comments', false), accountAverage(onlyComments, 'spend', true)], [0, 1, 4, null]);
		assert.equal(accountAverage(idx.accountWindow('meta|A', D('2025-05-01'), D('2025-05-02')), 'abusive_comment_share', false), null);
	});
});

describe('comment signal metrics: rules', () => {
	const decide = (signals: CommentSignalRowInput[], rules: unknown[] = [ABUSE_RULE], entities = [entity('c')]) =>
		evaluate({ rules, entities, metrics: [], commentSignals: signals, settings: { now: NOW, output: 'full' } });

	test('the example rule: 29 comments (7 abusive) does not fire; 30 comments with 7 abusive (23.3 %) pauses; 6 of 30 (exactly 20 %) does not', () => {
		const under = decide(week('c', 29, 7)).decisions[0]!;
		assert.equal(under.decision, 'no_match');
		assert.deepEqual(resultLeaves(under.conditions!).map((l) => [l.metric, l.actual, l.result]), [['abusive_comment_share', 7 / 29, true], ['comments', 29, false]]);
		assert.match(under.reasons[0]!, /comments last 7 days \(2025-06-04\.\.2025-06-10\) = 29 >= 30 → not met/);

		const fires = decide(week('c', 30, 7)).decisions[0]!;
		assert.equal(fires.decision, 'execute');
		assert.deepEqual(resultLeaves(fires.conditions!).map((l) => [l.metric, l.actual, l.result]), [['abusive_comment_share', 7 / 30, true], ['comments', 30, true]]);
		assert.equal(fires.action!.type, 'pause');
		assert.match(fires.reasons[0]!, /abusive_comment_share last 7 days \(2025-06-04\.\.2025-06-10\) = 0\.2333 > 0\.2 → met; comments last 7 days \(2025-06-04\.\.2025-06-10\) = 30 >= 30 → met/);

		assert.equal(decide(week('c', 30, 6)).decisions[0]!.decision, 'no_match'); // 6 / 30 = 0.2, not > 0.2

		// the window is the last 7 complete days: comments of today and of 8 days ago do not count
		const outside = [...week('c', 29, 7), signal('2025-06-11', 'c', 'c-a1', 5, 5, 5), signal('2025-06-03', 'c', 'c-a1', 5, 5, 5)];
		assert.equal(decide(outside).decisions[0]!.decision, 'no_match');
		// another campaign's comments do not count either
		assert.equal(decide([...week('c', 29, 7), ...week('other', 30, 30)], [ABUSE_RULE], [entity('c'), entity('other')]).decisions.find((d) => d.entity.campaignId === 'c')!.decision, 'no_match');
	});

	test('no comments at all: the share is undefined, so the rule does not match (unless ifUndefined says so)', () => {
		const none = decide([]).decisions[0]!;
		assert.equal(none.decision, 'no_match');
		assert.equal(none.matched, false); // comments 0 >= 30 is false, so AND is false
		assert.deepEqual(resultLeaves(none.conditions!).map((l) => l.actual), [null, 0]);
		const shareOnly = { ...ABUSE_RULE, id: 'share', conditions: { metric: 'abusive_comment_share', window: 'last_7_days', op: '<', value: 0.05 } };
		assert.equal(decide([], [shareOnly]).decisions[0]!.matched, null);
		assert.equal(decide([], [{ ...shareOnly, conditions: { ...shareOnly.conditions, ifUndefined: 'match' } }]).decisions[0]!.matched, true);
	});

	test('comparisons: the abusive share against the previous 7 days and against the account', () => {
		// last 7 days (06-04..06-10): 30 comments, 9 abusive = 0.3; the 7 days before (05-28..06-03): 40, 6 = 0.15 → +100 %
		const signals = [signal('2025-06-06', 'c', 'a1', 30, 9, 9), signal('2025-05-30', 'c', 'a1', 40, 6, 6), signal('2025-06-06', 'd', 'b1', 10, 1, 1)];
		const rising = { id: 'rising', name: 'Rising abuse', conditions: { metric: 'abusive_comment_share', window: 'last_7_days', compareTo: 'previous_window', op: '>', value: 50 }, action: { type: 'notify' } };
		const vsAccount = { id: 'vs-account', name: 'Above the account', conditions: { metric: 'abusive_comment_share', window: 'last_7_days', compareTo: 'account_average', op: '>', value: 20 }, action: { type: 'notify' } };
		const result = decide(signals, [rising, vsAccount], [entity('c'), entity('d')]);
		const of = (rule: string, campaign: string) => resultLeaves(result.decisions.find((d) => d.ruleId === rule && d.entity.campaignId === campaign)!.conditions!)[0]!;
		assert.deepEqual([of('rising', 'c').actual, of('rising', 'c').baseline], [0.3, 0.15]);
		assert.ok(Math.abs(of('rising', 'c').compared! - 100) < 1e-9);
		assert.equal(of('rising', 'c').result, true);
		// the account: (9 + 1) / (30 + 10) = 0.25; c: 0.3 is +20 % (not > 20); d: 0.1 is -60 %
		assert.equal(of('vs-account', 'c').baseline, 0.25);
		assert.ok(Math.abs(of('vs-account', 'c').compared! - 20) < 1e-9);
		assert.ok(Math.abs(of('vs-account', 'd').compared! + 60) < 1e-9);
	});

	test('a prebuilt index carries its signal; signals given beside an index are refused; input order does not change the result', () => {
		const signals = [...week('c', 30, 7), ...week('d', 40, 2)];
		const entities = [entity('c'), entity('d')];
		const a = evaluate({ rules: [ABUSE_RULE], entities, metrics: [], commentSignals: signals, settings: { now: NOW, output: 'full' } });
		const b = evaluate({ rules: [ABUSE_RULE], entities: [...entities].reverse(), metrics: buildMetricIndex([], [...signals].reverse()), settings: { now: NOW, output: 'full' } });
		assert.deepEqual(b, a);
		assert.deepEqual(a.decisions.map((d) => [d.entity.campaignId, d.decision]), [['c', 'execute'], ['d', 'no_match']]);
		assert.equal(a.rejectedSignalRows, 0);
		assert.throws(() => evaluate({ rules: [ABUSE_RULE], entities, metrics: buildMetricIndex([]), commentSignals: signals, settings: { now: NOW } }), RulesInputError);
		// rejected rows are counted in the result
		assert.equal(evaluate({ rules: [ABUSE_RULE], entities, metrics: [], commentSignals: [signal('2025-06-05', null, 'x', 1, 0, 0)], settings: { now: NOW } }).rejectedSignalRows, 1);
	});

	test('days are the account\'s calendar days: the same rows fall in or out of "last 7 days" by the entity\'s time zone', () => {
		// at 2025-06-11T10:00Z it is 06-11 19:00 in Tokyo (last 7 days 06-04..06-10) and 06-10 23:00 in Pago Pago (UTC-11: 06-03..06-09)
		const rows = [signal('2025-06-10', 'c', 'a1', 30, 7, 7)];
		assert.equal(decide(rows, [ABUSE_RULE], [entity('c', { timezone: 'Asia/Tokyo' })]).decisions[0]!.decision, 'execute');
		assert.equal(decide(rows, [ABUSE_RULE], [entity('c', { timezone: 'Pacific/Pago_Pago' })]).decisions[0]!.decision, 'no_match');
	});

	test('the seed rule (enabled) proposes the pause: anyone can write comments, so a person confirms', () => {
		const seed = SEED_RULES.find((r) => (r as { id: string }).id === 'pause-abusive-comments')!;
		assert.equal(decide(week('c', 30, 7), [seed]).summary.disabledRules, 1);
		const d = decide(week('c', 30, 7), [{ ...seed, enabled: true }]).decisions[0]!;
		assert.equal(d.decision, 'propose');
		assert.equal(d.proposal!.kind, 'optimization');
		assert.equal(decide(week('c', 29, 7), [{ ...seed, enabled: true }]).decisions[0]!.decision, 'no_match');
		assert.equal(decide(week('c', 30, 7), [{ ...seed, enabled: true }], [entity('c', { platform: 'google_ads' })]).summary.outOfScope, 1);
	});
});

describe('comment signal metrics: backtest', () => {
	test('the backtest sees the same metrics: the pause happens on the first step whose last 7 days hold 30 comments over 20 % abusive', () => {
		// 5 comments a day from 06-01, 2 of them abusive from 06-05 on.
		const rows: CommentSignalRowInput[] = [];
		for (let t = Date.parse('2025-06-01'); t <= Date.parse('2025-06-12'); t += 86_400_000) {
			const date = new Date(t).toISOString().slice(0, 10);
			const abusive = date >= '2025-06-05' ? 2 : 0;
			rows.push(signal(date, 'c', 'a1', 5, abusive, abusive));
		}
		const report = backtest({ rules: [ABUSE_RULE], entities: [entity('c')], metrics: [], commentSignals: rows, from: '2025-06-05', to: '2025-06-12' });
		// steps at 06:00 UTC, last 7 complete days: 06-05 → 20 comments, 06-06 → 25 (fewer than 30);
		// 06-07 → 06-01..06-06: 30 comments, 4 abusive = 0.133; 06-08 → 06-01..06-07: 35, 6 = 0.171;
		// 06-09 → 06-02..06-08: 35, 8 = 0.229 > 0.2 → pause, applied to the simulated campaign
		assert.deepEqual(report.events.map((e) => [e.at.slice(0, 10), e.decision, e.action, e.applied]), [['2025-06-09', 'execute', 'pause', true]]);
		assert.deepEqual(report.finalState, [{ key: 'meta|A|c', status: 'paused', dailyBudget: 100 }]);
		// a step does not see today's row (stored days are complete: it would look ahead) unless todayData is full_day
		const today = { id: 'today', name: 'Comments today', conditions: { metric: 'comments', window: 'today', op: '>=', value: 5 }, action: { type: 'notify' } };
		const hidden = backtest({ rules: [today], entities: [entity('c')], metrics: [], commentSignals: rows, from: '2025-06-05', to: '2025-06-06' });
		const ahead = backtest({ rules: [today], entities: [entity('c')], metrics: [], commentSignals: rows, from: '2025-06-05', to: '2025-06-06', todayData: 'full_day' });
		assert.deepEqual([hidden.events.length, ahead.events.map((e) => [e.at.slice(0, 10), e.decision])], [0, [['2025-06-05', 'execute'], ['2025-06-06', 'execute']]]);
	});
});
