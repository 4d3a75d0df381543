/**
 * Pacing and forecasts: generated months with known delivery, the recommended
 * daily budget against linear pacing in the same run; the narrowing band;
 * forecast model choice and interval coverage; forecasts for any scope.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'vitest';
import { bandAt, buildSeries, dayNumber, dayString, daysInMonth, forecast, forecastScope, forecastTotal, pace, PacingInputError, weekday, type PerformanceRow } from '../../nodes/shared/insights';
import { gaussian, generateSeries, rng } from './insights-fixtures';

/**
 * One month paced day by day. The platform (unknown to the pacer) delivers
 * budget × ρ × weekday factor × log-normal noise, capped at twice the budget
 * (Google's daily overdelivery limit): ρ 0.7–1.2, weekends 0.7–1.0, noise
 * 3–15 %. 8 weeks of history with budgets precede the month.
 */
function simulateMonth(seed: number, mode: 'recommended' | 'linear'): number {
	const r = rng(seed);
	const month = `2025-${String(1 + Math.floor(r() * 12)).padStart(2, '0')}`;
	const dim = daysInMonth(month);
	const first = dayNumber(`${month}-01`);
	const plan = Math.round(3000 + r() * 297000);
	const rho = 0.7 + 0.5 * r();
	const wk = Array.from({ length: 7 }, () => 1 + 0.1 * (r() - 0.5));
	wk[5] *= 0.7 + 0.3 * r();
	wk[6] *= 0.7 + 0.3 * r();
	const sd = 0.03 + 0.12 * r();
	const deliver = (b: number, day: number) => Math.min(2 * b, b * rho * wk[weekday(day)] * Math.exp(sd * gaussian(r)));
	const daily: Array<{ date: string; spend: number; budget: number }> = [];
	let b = (plan / dim) * (0.8 + 0.4 * r());
	for (let day = first - 56; day < first; day++) {
		b *= Math.exp(0.02 * gaussian(r));
		daily.push({ date: dayString(day), spend: deliver(b, day), budget: b });
	}
	let total = 0;
	for (let day = first; day < first + dim; day++) {
		const p = pace({ month, asOf: dayString(day - 1), daily, plan, forecast: { models: ['seasonal_naive'] } });
		const budget = mode === 'recommended' ? p.recommendedDailyBudget : p.linearDailyBudget;
		const spend = deliver(budget, day);
		total += spend;
		daily.push({ date: dayString(day), spend, budget });
	}
	return (total - plan) / plan;
}

describe('insights: pacing', () => {
	test('recommended daily budget lands month-end spend within ±1 % of plan in >= 95 % of 200 generated months (linear pacing in the same run)', () => {
		const within = { recommended: 0, linear: 0 };
		for (let seed = 1; seed <= 200; seed++) {
			if (Math.abs(simulateMonth(seed, 'recommended')) <= 0.01) within.recommended++;
			if (Math.abs(simulateMonth(seed, 'linear')) <= 0.01) within.linear++;
		}
		console.log(`pacing within ±1 % of plan: recommended ${within.recommended / 2} %, linear pacing ${within.linear / 2} % of 200 months`);
		assert.ok(within.recommended / 200 >= 0.95, `recommended ${within.recommended}/200`);
		assert.ok(within.recommended > within.linear, 'the delivery model beats linear pacing');
	});

	test('the band narrows from ±25 % to ±1 % and the status follows it', () => {
		assert.deepEqual(bandAt(0), { lower: 0.75, upper: 1.25 });
		const end = bandAt(1);
		assert.ok(Math.abs(end.lower - 0.99) < 1e-12 && Math.abs(end.upper - 1.01) < 1e-12);
		const mid = bandAt(0.5);
		assert.ok(Math.abs(mid.upper - 1.13) < 1e-12);
		// a steady 100/day campaign in a 30-day month: plan 3000 is on track, 2000 is over, 4500 is under
		const daily = Array.from({ length: 60 }, (_, i) => ({ date: dayString(dayNumber('2025-05-01') + i), spend: 100, conversions: 5 }));
		const on = pace({ month: '2025-06', asOf: '2025-06-15', daily, plan: 3000 });
		assert.equal(on.status, 'on_track');
		assert.equal(on.daysElapsed, 15);
		assert.equal(on.spentToDate, 1500);
		assert.ok(Math.abs(on.forecastMonthSpend.mean - 3000) < 1);
		assert.ok(Math.abs(on.recommendedDailyBudget - 100) < 1);
		assert.ok(Math.abs(on.forecastMonthConversions!.mean - 150) < 0.5);
		assert.equal(pace({ month: '2025-06', asOf: '2025-06-15', daily, plan: 2000 }).status, 'over');
		const under = pace({ month: '2025-06', asOf: '2025-06-15', daily, plan: 4500 });
		assert.equal(under.status, 'under');
		assert.ok(Math.abs(under.recommendedDailyBudget - 200) < 1);
		assert.match(under.summary, /^under-pacing: spent 1,500 of 4,500 after 15 of 30 days; forecast month-end spend 3,000/);
	});

	test('bad input: no plan, month over, no history', () => {
		assert.throws(() => pace({ month: '2025-06', asOf: '2025-06-10', daily: [], plan: 0 }), PacingInputError);
		const daily = Array.from({ length: 30 }, (_, i) => ({ date: dayString(dayNumber('2025-06-01') + i), spend: 10 }));
		const over = pace({ month: '2025-06', asOf: '2025-07-03', daily, plan: 300 });
		assert.equal(over.daysRemaining, 0);
		assert.equal(over.summary, '2025-06 is over: spent 300 of a 300 plan (100 %).');
		assert.throws(() => pace({ month: '2025-06', asOf: '2025-06-03', daily: daily.slice(0, 3), plan: 300 }), /not enough history to forecast: 3 of 14 days/);
	});
});

describe('insights: forecasts', () => {
	test('model choice by backtest: seasonal naive wins on a pure weekly pattern, ETS on a trending series; 80 % intervals cover about 80 %', () => {
		const weekly = Array.from({ length: 84 }, (_, t) => [100, 120, 130, 125, 110, 60, 50][t % 7]);
		assert.equal(forecast(weekly, 7).model, 'seasonal_naive');
		let covered = 0;
		let total = 0;
		const models = new Map<string, number>();
		for (let seed = 1; seed <= 60; seed++) {
			const g = generateSeries(seed, { anomalies: 0, days: 126 });
			const f = forecast(g.values.subarray(0, 112), 14);
			models.set(f.model, (models.get(f.model) ?? 0) + 1);
			for (let h = 0; h < 14; h++) {
				total++;
				if (g.values[112 + h] >= f.lower[h] && g.values[112 + h] <= f.upper[h]) covered++;
			}
		}
		const coverage = covered / total;
		console.log(`forecast: 80 % interval coverage ${(coverage * 100).toFixed(1)} %, models chosen ${JSON.stringify(Object.fromEntries(models))}`);
		assert.ok(coverage >= 0.72 && coverage <= 0.9, `coverage ${coverage}`);
		const trending = Array.from({ length: 84 }, (_, t) => 100 + 3 * t + [0, 5, 8, 6, 2, -15, -20][t % 7]);
		const ft = forecast(trending, 7);
		assert.equal(ft.model, 'ets');
		assert.ok(Math.abs(ft.mean[0] - (100 + 3 * 84)) < 8, String(ft.mean[0]));
		const sum = forecastTotal(ft);
		assert.ok(sum.lower < sum.mean && sum.mean < sum.upper);
	});

	test('forecast for any scope: all, a platform, an account, a campaign; mixed currencies are refused in words', () => {
		const rows: PerformanceRow[] = [];
		const add = (platform: string, account: string, campaign: string, currency: string, level: number) => {
			for (let i = 0; i < 56; i++) rows.push({ date: dayString(dayNumber('2025-05-01') + i), platform, account_id: account, campaign_id: campaign, currency, spend: level, impressions: level * 10, clicks: level, conversions: 1 });
		};
		add('meta', 'a1', 'c1', 'USD', 100);
		add('meta', 'a1', 'c2', 'USD', 50);
		add('google_ads', 'g1', 'c3', 'USD', 20);
		add('linkedin', 'l1', 'c4', 'EUR', 30);
		const series = buildSeries(rows, { historyDays: 56 });
		const meta = forecastScope(series, { platform: 'meta' }, 'spend', 30);
		assert.equal(meta.campaigns, 2);
		assert.ok(Math.abs(meta.total.mean - 4500) < 1, String(meta.total.mean));
		assert.equal(meta.days[0].date, '2025-06-26');
		assert.equal(meta.currency, 'USD');
		assert.ok(Math.abs(forecastScope(series, { campaignId: 'c3' }, 'spend', 7).total.mean - 140) < 1);
		assert.ok(Math.abs(forecastScope(series, { platform: 'meta', accountId: 'a1' }, 'clicks', 1).total.mean - 150) < 1);
		assert.throws(() => forecastScope(series, {}, 'spend', 7), /every account mixes currencies \(EUR, USD\): forecast one currency at a time/);
		assert.ok(Math.abs(forecastScope(series, {}, 'clicks', 1).total.mean - 200) < 1);
		assert.throws(() => forecastScope(series, { platform: 'tiktok' }, 'spend', 7), /no data for every tiktok account/);
	});
});
