/**
 * Month pacing of an account or campaign against its monthly plan.
 *
 *   spent so far + forecast of the remaining days (seasonal naive or ETS, by
 *   backtest) = forecast month-end spend, with its prediction interval;
 *   pacing ratio = forecast / plan, judged against a band that narrows as the
 *   month passes: ±25 % on day 1 down to ±1 % on the last day (Optmyzr's
 *   75–125 % early → 99–101 % at the end), linear in the share of the month
 *   elapsed.
 *
 * Recommended daily budget: what to set today so the month lands on plan if
 * re-paced every day. The platforms do not spend a daily budget exactly:
 * each delivers a share of it that depends on the campaign and the weekday
 * (Google may spend up to twice the daily budget on a day, Meta often less
 * at weekends). From the days with a known budget the delivery ratio
 * ρ = median(spend / budget) and a weekday profile w (median ratio per
 * weekday ÷ ρ) are learnt, and
 *     budget = (plan − spent) / (ρ · Σ w over the remaining days).
 * Without budget history ρ = 1 and w comes from the weekday shares of spend.
 * Linear pacing (plan − spent) / remaining days is returned alongside; the
 * pacing test compares both on the same generated months.
 */
import { dayNumber, dayString, daysInMonth, firstDayOfMonth, weekday } from './days';
import { forecast, forecastTotal, type ForecastModel, type ForecastOptions } from './forecast';

export interface PacingDay {
	date: string;
	spend: number | null;
	conversions?: number | null;
	/** The daily budget in force that day, when known. */
	budget?: number | null;
}

export interface PacingInput {
	/** YYYY-MM. */
	month: string;
	/** Last complete day (in the account's time zone); days after it are not counted as spent. */
	asOf: string;
	/** Daily history: this month so far and earlier days (4+ weeks make the forecast better). */
	daily: readonly PacingDay[];
	plan: number;
	/** Band half-width on day 1 and on the last day (default 0.25 and 0.01). */
	band?: { early?: number; end?: number };
	forecast?: ForecastOptions;
}

export type PacingStatus = 'on_track' | 'under' | 'over';

export interface PacingResult {
	month: string;
	daysInMonth: number;
	daysElapsed: number;
	daysRemaining: number;
	plan: number;
	spentToDate: number;
	forecastMonthSpend: { mean: number; lower: number; upper: number; level: number };
	forecastMonthConversions: { mean: number; lower: number; upper: number } | null;
	model: ForecastModel | null;
	pacingRatio: number;
	band: { lower: number; upper: number };
	status: PacingStatus;
	recommendedDailyBudget: number;
	linearDailyBudget: number;
	deliveryRatio: number;
	/** In words, for people. */
	summary: string;
}

export class PacingInputError extends Error {}

export function bandAt(elapsedShare: number, early = 0.25, end = 0.01): { lower: number; upper: number } {
	const f = Math.min(1, Math.max(0, elapsedShare));
	const tol = early - (early - end) * f;
	return { lower: 1 - tol, upper: 1 + tol };
}

function medianOf(a: number[]): number {
	if (a.length === 0) return NaN;
	const s = [...a].sort((x, y) => x - y);
	const m = s.length;
	return m % 2 ? s[m >> 1] : (s[m / 2 - 1] + s[m / 2]) / 2;
}

/** Delivery ratio and weekday profile from days with a known budget (last 8 weeks). */
export function deliveryModel(days: ReadonlyArray<{ day: number; spend: number; budget: number | null | undefined }>): { ratio: number; weekday: number[]; learnt: boolean } {
	const recent = days.filter((d) => d.budget && d.budget > 0 && Number.isFinite(d.spend)).slice(-56);
	if (recent.length < 7) return { ratio: 1, weekday: new Array(7).fill(1), learnt: false };
	const ratios = recent.map((d) => d.spend / (d.budget as number));
	const ratio = medianOf(ratios);
	const weekdayProfile = new Array(7).fill(1);
	for (let k = 0; k < 7; k++) {
		const r = recent.filter((d) => weekday(d.day) === k).map((d) => d.spend / (d.budget as number));
		if (r.length >= 2 && ratio > 0) weekdayProfile[k] = medianOf(r) / ratio;
	}
	return { ratio: ratio > 0 ? ratio : 1, weekday: weekdayProfile, learnt: true };
}

/** Weekday shares of spend (mean 1) when no budget is known. */
function spendProfile(days: ReadonlyArray<{ day: number; spend: number }>): number[] {
	const recent = days.filter((d) => Number.isFinite(d.spend)).slice(-56);
	const overall = medianOf(recent.map((d) => d.spend));
	const out = new Array(7).fill(1);
	if (!(overall > 0)) return out;
	for (let k = 0; k < 7; k++) {
		const r = recent.filter((d) => weekday(d.day) === k).map((d) => d.spend);
		if (r.length >= 2) out[k] = medianOf(r) / overall;
	}
	const mean = out.reduce((a, b) => a + b, 0) / 7;
	return out.map((v) => (mean > 0 ? v / mean : 1));
}

export function pace(input: PacingInput): PacingResult {
	if (!(input.plan > 0)) throw new PacingInputError(`the monthly plan must be a positive amount, got ${input.plan}`);
	const dim = daysInMonth(input.month);
	const first = firstDayOfMonth(input.month);
	const last = first + dim - 1;
	const asOf = Math.min(dayNumber(input.asOf), last);
	const elapsed = Math.max(0, asOf - first + 1);
	const remaining = dim - elapsed;
	const rows = input.daily
		.map((d) => ({ day: dayNumber(d.date), spend: d.spend === null ? NaN : Number(d.spend), conversions: d.conversions === null || d.conversions === undefined ? NaN : Number(d.conversions), budget: d.budget }))
		.filter((d) => d.day <= asOf)
		.sort((a, b) => a.day - b.day);
	let spent = 0;
	let conversionsSoFar = 0;
	for (const d of rows) {
		if (d.day >= first && d.day <= asOf) {
			if (Number.isFinite(d.spend)) spent += d.spend;
			if (Number.isFinite(d.conversions)) conversionsSoFar += d.conversions;
		}
	}
	// daily series up to asOf (gaps NaN)
	const start = rows.length ? rows[0].day : asOf;
	const n = asOf - start + 1;
	const spendSeries = new Float64Array(Math.max(0, n)).fill(NaN);
	const convSeries = new Float64Array(Math.max(0, n)).fill(NaN);
	for (const d of rows) {
		spendSeries[d.day - start] = d.spend;
		convSeries[d.day - start] = d.conversions;
	}
	const level = input.forecast?.level ?? 0.8;
	let model: ForecastModel | null = null;
	let monthSpend = { mean: spent, lower: spent, upper: spent, level };
	let monthConv: PacingResult['forecastMonthConversions'] = null;
	if (remaining > 0) {
		const f = forecast(spendSeries, remaining, input.forecast);
		model = f.model;
		const t = forecastTotal(f);
		monthSpend = { mean: spent + t.mean, lower: spent + t.lower, upper: spent + t.upper, level };
		try {
			const fc = forecast(convSeries, remaining, input.forecast);
			const tc = forecastTotal(fc);
			monthConv = { mean: conversionsSoFar + tc.mean, lower: conversionsSoFar + tc.lower, upper: conversionsSoFar + tc.upper };
		} catch {
			monthConv = null; // conversions not reported: no conversion forecast
		}
	} else monthConv = { mean: conversionsSoFar, lower: conversionsSoFar, upper: conversionsSoFar };
	const band = bandAt(elapsed / dim, input.band?.early, input.band?.end);
	const pacingRatio = monthSpend.mean / input.plan;
	const status: PacingStatus = pacingRatio < band.lower ? 'under' : pacingRatio > band.upper ? 'over' : 'on_track';
	const left = input.plan - spent;
	const delivery = deliveryModel(rows);
	const profile = delivery.learnt ? delivery.weekday : spendProfile(rows);
	let weights = 0;
	for (let day = asOf + 1; day <= last; day++) weights += profile[weekday(day)];
	const recommended = remaining > 0 && left > 0 ? left / (delivery.ratio * Math.max(weights, 1e-9)) : 0;
	const linear = remaining > 0 && left > 0 ? left / remaining : 0;
	const money = (v: number) => (Math.round(v * 100) / 100).toLocaleString('en-US', { maximumFractionDigits: 2 });
	const pct = (v: number) => `${Math.round(v * 1000) / 10} %`;
	const statusWords = status === 'on_track' ? 'on track' : status === 'under' ? 'under-pacing' : 'over-pacing';
	const summary =
		remaining === 0
			? `${input.month} is over: spent ${money(spent)} of a ${money(input.plan)} plan (${pct(spent / input.plan)}).`
			: `${statusWords}: spent ${money(spent)} of ${money(input.plan)} after ${elapsed} of ${dim} days; forecast month-end spend ${money(monthSpend.mean)} (${Math.round(level * 100)} % interval ${money(monthSpend.lower)} to ${money(monthSpend.upper)}), ${pct(pacingRatio)} of plan against a band of ${pct(band.lower)} to ${pct(band.upper)} today. A daily budget of ${money(recommended)} lands on plan${delivery.learnt ? ` (the campaign delivers ${pct(delivery.ratio)} of its budget)` : ''}.`;
	return {
		month: input.month,
		daysInMonth: dim,
		daysElapsed: elapsed,
		daysRemaining: remaining,
		plan: input.plan,
		spentToDate: spent,
		forecastMonthSpend: monthSpend,
		forecastMonthConversions: monthConv,
		model,
		pacingRatio,
		band,
		status,
		recommendedDailyBudget: recommended,
		linearDailyBudget: linear,
		deliveryRatio: delivery.ratio,
		summary,
	};
}

export { dayString };
