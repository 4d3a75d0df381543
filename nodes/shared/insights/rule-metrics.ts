/**
 * Insights as rule metrics (issue 18 item 2), read in batches like the
 * rules' comment signals: one read of `anomalies`, one of `budget_plans` and
 * one columnar read of `campaign_performance` (this month and four weeks
 * before it) for all the run's accounts at once; nothing per campaign.
 *
 *   anomaly_score        the largest |robust z| of the campaign's stored
 *                        anomalies dated within `anomalyDays` (default 1:
 *                        today's scan) of `asOf`, signed by direction
 *                        (spikes +, drops −); 0 when none
 *   anomaly_direction    +1 spike, −1 drop, 0 none (of that anomaly)
 *   pacing_ratio         forecast month-end spend / the month's plan
 *                        (budget_plans; null without a plan)
 *   forecast_month_spend spent this month + the forecast of the rest
 *                        (seasonal naive or ETS by backtest; null with
 *                        fewer than 14 days of history)
 *
 * Keys are `platform|account|campaign` (an account-level plan or anomaly
 * has campaign ''). The rules core turns the map into condition values
 * through `insightMetricValue`: an anomaly metric over a rule window is the
 * largest stored anomaly dated inside that window of the account's own days
 * (`yesterday`: the last complete day's scan); pacing_ratio and
 * forecast_month_spend are as of `asOf` whatever the window.
 */
import type { Store } from '../store/types';
import { dayNumber, dayString, daysInMonth } from './days';
import { forecast } from './forecast';
import { pace } from './pacing';

export const INSIGHT_RULE_METRICS = ['anomaly_score', 'anomaly_direction', 'pacing_ratio', 'forecast_month_spend'] as const;
export type InsightRuleMetric = (typeof INSIGHT_RULE_METRICS)[number];

export interface InsightRuleValues {
	anomaly_score: number;
	anomaly_direction: -1 | 0 | 1;
	/** The anomaly behind the score, in words. */
	anomaly: string | null;
	/** Every stored anomaly read for the key: day number, signed score (spike +, drop −), words. */
	anomalies: Array<{ day: number; score: number; text: string }>;
	pacing_ratio: number | null;
	forecast_month_spend: number | null;
}

export interface InsightRuleMetricsInput {
	accounts: ReadonlyArray<{ platform: string; accountId: string }>;
	/** Last complete day (YYYY-MM-DD). */
	asOf: string;
	/** Days back from asOf whose anomalies count (default 1 = asOf only). */
	anomalyDays?: number;
	/** Which metrics are wanted (default all): pacing and forecast read campaign_performance. */
	metrics?: readonly InsightRuleMetric[];
	/** First day whose anomalies are read (overrides anomalyDays; the optimizer reads a few days around every account's own yesterday). */
	anomaliesFrom?: string;
	/** Last day whose anomalies are read (default asOf). */
	anomaliesTo?: string;
}

export function insightKey(platform: string, accountId: string, campaignId: string | null | undefined): string {
	return `${platform}|${accountId}|${campaignId ?? ''}`;
}

const emptyValues = (): InsightRuleValues => ({ anomaly_score: 0, anomaly_direction: 0, anomaly: null, anomalies: [], pacing_ratio: null, forecast_month_spend: null });

/**
 * A rule metric of an entity over a window of day numbers [start, end]
 * (the account's own days): the anomaly metrics from the stored anomalies
 * dated in the window (0 when none: a quiet campaign has score 0, never
 * "unknown"); pacing_ratio and forecast_month_spend as read (null without a
 * plan or enough history, so the condition is unknown, never met by accident).
 */
export function insightMetricValue(v: InsightRuleValues | undefined, metric: InsightRuleMetric, start: number, end: number): number | null {
	if (metric === 'pacing_ratio') return v?.pacing_ratio ?? null;
	if (metric === 'forecast_month_spend') return v?.forecast_month_spend ?? null;
	let best = 0;
	for (const a of v?.anomalies ?? []) if (a.day >= start && a.day <= end && Math.abs(a.score) > Math.abs(best)) best = a.score;
	return metric === 'anomaly_score' ? best : Math.sign(best);
}

export async function readInsightRuleMetrics(store: Pick<Store, 'select' | 'selectColumnar'>, input: InsightRuleMetricsInput): Promise<Map<string, InsightRuleValues>> {
	const out = new Map<string, InsightRuleValues>();
	if (input.accounts.length === 0) return out;
	const wanted = new Set(input.metrics ?? INSIGHT_RULE_METRICS);
	const platforms = [...new Set(input.accounts.map((a) => a.platform))];
	const accountIds = [...new Set(input.accounts.map((a) => a.accountId))];
	const inRun = new Set(input.accounts.map((a) => `${a.platform}|${a.accountId}`));
	const get = (key: string) => {
		let v = out.get(key);
		if (!v) out.set(key, (v = emptyValues()));
		return v;
	};
	const asOfDay = dayNumber(input.asOf);

	if (wanted.has('anomaly_score') || wanted.has('anomaly_direction')) {
		const from = input.anomaliesFrom ?? dayString(asOfDay - Math.max(1, input.anomalyDays ?? 1) + 1);
		const to = input.anomaliesTo ?? input.asOf;
		const rows = await store.select('anomalies', { where: { platform: { in: platforms }, account_id: { in: accountIds }, date: { gte: from, lte: to } } });
		for (const r of rows) {
			if (!inRun.has(`${r.platform}|${r.account_id}`)) continue;
			const v = get(insightKey(r.platform, r.account_id, r.campaign_id));
			const score = Math.abs(Number(r.score));
			const dir = r.direction === 'spike' ? 1 : -1;
			const date = String(r.date).slice(0, 10);
			const text = `${r.metric} ${r.direction} on ${date}: ${Number(r.actual)} against ${Number(r.expected).toFixed(2)} expected (score ${score.toFixed(1)})${r.pattern ? `, ${r.pattern.replace(/_/g, ' ')}` : ''}`;
			v.anomalies.push({ day: dayNumber(date), score: dir * score, text });
			if (score > Math.abs(v.anomaly_score)) {
				v.anomaly_score = dir * score;
				v.anomaly_direction = dir;
				v.anomaly = text;
			}
		}
	}

	if (wanted.has('pacing_ratio') || wanted.has('forecast_month_spend')) {
		const month = input.asOf.slice(0, 7);
		const first = dayNumber(`${month}-01`);
		const plans = wanted.has('pacing_ratio') ? await store.select('budget_plans', { where: { platform: { in: platforms }, account_id: { in: accountIds }, month: `${month}-01` } }) : [];
		const perf = await store.selectColumnar('campaign_performance', ['date', 'platform', 'account_id', 'campaign_id', 'spend'], {
			where: { platform: { in: platforms }, account_id: { in: accountIds }, date: { gte: dayString(first - 28), lte: input.asOf } },
		});
		// daily spend per campaign and per account (index 0 = first − 28)
		const span = asOfDay - (first - 28) + 1;
		const daily = new Map<string, Float64Array>();
		const add = (key: string, t: number, v: number) => {
			let a = daily.get(key);
			if (!a) daily.set(key, (a = new Float64Array(span).fill(NaN)));
			a[t] = (Number.isNaN(a[t]) ? 0 : a[t]) + v;
		};
		const c = perf.columns;
		for (let i = 0; i < perf.length; i++) {
			const platform = String(c.platform[i]);
			const account = String(c.account_id[i]);
			if (!inRun.has(`${platform}|${account}`)) continue;
			const t = dayNumber(String(c.date[i])) - (first - 28);
			const v = Number(c.spend[i]);
			if (!Number.isFinite(v) || t < 0 || t >= span) continue;
			add(insightKey(platform, account, String(c.campaign_id[i])), t, v);
			add(insightKey(platform, account, ''), t, v);
		}
		const planOf = new Map(plans.map((p) => [insightKey(p.platform, p.account_id, p.campaign_id), Number(p.amount)]));
		const elapsed = asOfDay - first + 1;
		const remaining = daysInMonth(month) - elapsed;
		for (const [key, values] of daily) {
			let known = 0;
			for (let i = 0; i < span; i++) if (Number.isFinite(values[i])) known++;
			if (known < 14) continue;
			const plan = planOf.get(key);
			const v = get(key);
			if (plan !== undefined && plan > 0) {
				const p = pace({ month, asOf: input.asOf, plan, daily: Array.from(values, (s, i) => ({ date: dayString(first - 28 + i), spend: Number.isFinite(s) ? s : null })) });
				v.pacing_ratio = p.pacingRatio;
				v.forecast_month_spend = p.forecastMonthSpend.mean;
			} else if (wanted.has('forecast_month_spend')) {
				let spent = 0;
				for (let i = 28; i < span; i++) if (Number.isFinite(values[i])) spent += values[i];
				const rest = remaining > 0 ? forecast(values, remaining).mean.reduce((a, b) => a + b, 0) : 0;
				v.forecast_month_spend = spent + rest;
			}
		}
	}
	return out;
}
