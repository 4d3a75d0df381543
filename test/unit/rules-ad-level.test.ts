// The ad level of the rule core, without store or platforms: ad rows live in series of their own (the
// campaign's sums and its account average are unchanged by them), rules see the entities of their level
// only, an ad's idempotency key differs from its campaign's while a campaign's key is the same as before,
// the rule model's level/pause_ad, and the evidence sentences.
import { describe, expect, test } from 'vitest';
import { accountKey, buildMetricIndex, dayNumber, entityKey, evaluate, idempotencyKey, metricValue, parseRule, windowSums, type EntityInput, type MetricRowInput } from '../../nodes/shared/rules';
import { conditionWords } from '../../nodes/shared/rules/evidence';

const DAYS = ['2026-03-01', '2026-03-02', '2026-03-03'];
const campaignRows: MetricRowInput[] = DAYS.map((date) => ({ date, platform: 'meta', account_id: '1', campaign_id: 'c1', currency: 'EUR', spend: 100, impressions: 10_000, clicks: 200, conversions: 4 }));
// two ads splitting the campaign: a1 with a low CTR, a2 with the rest
const adRows: MetricRowInput[] = DAYS.flatMap((date) => [
	{ date, platform: 'meta', account_id: '1', campaign_id: 'c1', ad_id: 'a1', currency: 'EUR', spend: 40, impressions: 5_000, clicks: 25, conversions: 1 },
	{ date, platform: 'meta', account_id: '1', campaign_id: 'c1', ad_id: 'a2', currency: 'EUR', spend: 60, impressions: 5_000, clicks: 175, conversions: 3 },
]);

describe('rules on ad level (core)', () => {
	test('ad rows form their own series; the campaign series and its account are as without them', () => {
		const alone = buildMetricIndex(campaignRows);
		const both = buildMetricIndex([...adRows, ...campaignRows]);
		const [start, end] = [dayNumber(DAYS[0]!), dayNumber(DAYS[2]!)];
		const c = entityKey('meta', '1', 'c1');
		expect(windowSums(both.series.get(c), start, end)).toEqual(windowSums(alone.series.get(c), start, end));
		expect(both.accountWindow(accountKey('meta', '1'), start, end)).toEqual(alone.accountWindow(accountKey('meta', '1'), start, end));
		const a1 = windowSums(both.series.get(entityKey('meta', '1', 'c1', 'a1')), start, end);
		expect([a1.spend, a1.impressions, a1.clicks, metricValue(a1, 'ctr')]).toEqual([120, 15_000, 75, 0.005]);
		const ads = both.accountWindow(accountKey('meta', '1', 'ad'), start, end)!;
		expect([ads.campaigns, ads.sums.clicks, ads.sums.spend]).toEqual([2, 600, 300]);
	});

	test('rule model: level defaults to campaign; pause_ad means level ad; budget actions and a contradicting level are refused with their path', () => {
		const base = { id: 'r', name: 'r', conditions: { metric: 'ctr', window: 'last_7_days', op: '<', value: 0.01 } };
		expect(parseRule({ ...base, action: { type: 'pause' } }).level).toBe('campaign');
		const short = parseRule({ ...base, action: { type: 'pause_ad' } });
		expect([short.level, short.action.type]).toEqual(['ad', 'pause']);
		expect(parseRule({ ...base, action: { type: 'enable_ad' } }).action.type).toBe('enable');
		expect(() => parseRule({ ...base, level: 'ad', action: { type: 'set_budget', amount: 10 } })).toThrow(/action\.type: "set_budget" is not an ad-level action/);
		expect(() => parseRule({ ...base, level: 'campaign', action: { type: 'pause_ad' } })).toThrow(/level: must be "ad" with action "pause_ad"/);
		expect(() => parseRule({ ...base, level: 'adset', action: { type: 'pause' } })).toThrow(/level/);
	});

	test('each rule sees the entities of its level: the ad rule pauses a1 only, the campaign rule looks at c1 only; keys differ per ad', () => {
		const common = { platform: 'meta', accountId: '1', campaignId: 'c1', status: 'ACTIVE', currency: 'EUR', timezone: 'UTC' };
		const entities: EntityInput[] = [{ ...common, name: 'Campaign' }, { ...common, adId: 'a1', name: 'Ad 1' }, { ...common, adId: 'a2', name: 'Ad 2' }];
		const low = { metric: 'ctr', window: 'last_3_days', op: '<', value: 0.01 };
		const result = evaluate({
			rules: [
				{ id: 'ads', name: 'low ctr ads', level: 'ad', conditions: low, action: { type: 'pause' } },
				{ id: 'campaigns', name: 'any campaign', conditions: { metric: 'impressions', window: 'last_3_days', op: '>', value: 0 }, action: { type: 'notify' } },
			],
			entities,
			metrics: [...campaignRows, ...adRows],
			settings: { now: '2026-03-04T12:00:00Z' },
		});
		const decided = result.decisions.map((d) => [d.ruleId, d.entity.adId ?? null, d.decision]).sort();
		expect(decided).toEqual([
			['ads', 'a1', 'execute'],
			['campaigns', null, 'execute'],
		]);
		const ad = result.decisions.find((d) => d.ruleId === 'ads')!;
		expect(ad.action!.summary).toBe('pause ad a1 "Ad 1" of campaign c1 (now active)');
		const campaignKey = idempotencyKey('ads', { platform: 'meta', accountId: '1', campaignId: 'c1' }, { type: 'pause' }, ad.evaluation.localDate, ad.evaluation.window);
		expect(ad.idempotencyKey).toBe(idempotencyKey('ads', { platform: 'meta', accountId: '1', campaignId: 'c1', adId: 'a1' }, { type: 'pause' }, ad.evaluation.localDate, ad.evaluation.window));
		expect(ad.idempotencyKey).not.toBe(campaignKey);
		const words = ad.conditions && 'type' in ad.conditions && ad.conditions.type === 'leaf' ? conditionWords({ ...ad.conditions, window: ad.conditions.window.label } as never, 'EUR') : null;
		expect(words).toBe('click-through rate (ctr) over last 3 days (2026-03-01..2026-03-03) was 0.50 %, below the threshold of 1.00 %');
	});

	test('a history record of an ad counts for that ad (cooldown), not for its campaign or sibling', () => {
		const common = { platform: 'meta', accountId: '1', campaignId: 'c1', status: 'ACTIVE', currency: 'EUR', timezone: 'UTC' };
		const result = evaluate({
			rules: [
				{ id: 'ads', name: 'every ad', level: 'ad', conditions: { metric: 'impressions', window: 'last_3_days', op: '>', value: 0 }, action: { type: 'pause' } },
				{ id: 'campaigns', name: 'every campaign', conditions: { metric: 'impressions', window: 'last_3_days', op: '>', value: 0 }, action: { type: 'pause' } },
			],
			entities: [common, { ...common, adId: 'a1' }, { ...common, adId: 'a2' }],
			metrics: [...campaignRows, ...adRows],
			actions: [{ platform: 'meta', accountId: '1', campaignId: 'c1', adId: 'a1', at: '2026-03-04T06:00:00Z', action: 'enable' }],
			settings: { now: '2026-03-04T12:00:00Z' },
		});
		const byEntity = Object.fromEntries(result.decisions.map((d) => [d.entity.adId ?? 'campaign', [d.decision, d.gates.filter((g) => g.status === 'fail').map((g) => g.gate)]]));
		expect(byEntity).toEqual({ a1: ['gated', ['cooldown']], a2: ['execute', []], campaign: ['execute', []] });
	});
});
