/**
 * Seasonal baselines of a daily series (period 7: the week).
 *
 * `stlDecompose` — an STL-style decomposition (Cleveland et al. 1990) with
 * LOWESS: the seasonal part is a LOWESS of each weekday's sub-series (so a
 * weekly pattern that grows with the level is followed), low-pass filtered by
 * a centred 7-day mean so it carries no level; the trend is a LOWESS of the
 * deseasonalised series; both are refit with bisquare robustness weights
 * from the remainder, so anomalies (spikes, drops, a few days' outage) do not
 * bend the baseline towards themselves. Gap days (NaN) are linearly
 * interpolated for the fit with weight 0, so they never shape it.
 *
 * `weekdayBaseline` — what Google Ads' anomaly detector does: the expected
 * value of a day is the median of the same weekday over the previous N weeks
 * (default 8; Google uses 26), each scaled by how the level (median of the
 * 7 days before) moved since then, so a trend does not read as an anomaly.
 * Simpler and explainable; it needs 3 weeks before the first day it scores.
 */
import { bisquareWeights, lowess } from './stats';

export const PERIOD = 7;

export interface Decomposition {
	/** Expected value of every day: trend + seasonal (NaN where not scorable). */
	expected: Float64Array;
	trend: Float64Array;
	seasonal: Float64Array;
	/** x − expected (NaN on gap days and days without a baseline). */
	remainder: Float64Array;
}

export interface StlOptions {
	/** LOWESS span of each weekday's sub-series, in weeks (default 7). */
	seasonalWeeks?: number;
	/** LOWESS span of the trend, in days (default 21). */
	trendDays?: number;
	/** Robustness passes (default 3). */
	robustPasses?: number;
}

/** Linear interpolation over NaN (ends: nearest value). Returns a copy and the gap mask. */
export function fillGaps(x: ArrayLike<number>): { filled: Float64Array; gap: Uint8Array } {
	const n = x.length;
	const filled = new Float64Array(n);
	const gap = new Uint8Array(n);
	let last = -1;
	for (let i = 0; i < n; i++) {
		const v = x[i];
		if (Number.isFinite(v)) {
			filled[i] = v;
			if (last >= 0 && last < i - 1) {
				const a = filled[last];
				for (let j = last + 1; j < i; j++) filled[j] = a + ((v - a) * (j - last)) / (i - last);
			} else if (last < 0) {
				for (let j = 0; j < i; j++) filled[j] = v;
			}
			last = i;
		} else gap[i] = 1;
	}
	if (last < 0) return { filled, gap };
	for (let j = last + 1; j < n; j++) filled[j] = filled[last];
	return { filled, gap };
}

export function stlDecompose(x: ArrayLike<number>, options: StlOptions = {}): Decomposition {
	const n = x.length;
	const seasonalWeeks = options.seasonalWeeks ?? 7;
	const trendDays = options.trendDays ?? 21;
	const passes = options.robustPasses ?? 3;
	const { filled, gap } = fillGaps(x);
	const weights = new Float64Array(n);
	for (let i = 0; i < n; i++) weights[i] = gap[i] ? 0 : 1;
	const trend = new Float64Array(n);
	const seasonal = new Float64Array(n);
	const cycle = new Float64Array(n);
	const deseason = new Float64Array(n);
	const remainder = new Float64Array(n);
	const subLen = Math.ceil(n / PERIOD);
	const sub = new Float64Array(subLen);
	const subW = new Float64Array(subLen);
	const subOut = new Float64Array(subLen);
	for (let pass = 0; pass <= passes; pass++) {
		// 1. cycle sub-series: LOWESS of each weekday's detrended values
		for (let k = 0; k < PERIOD; k++) {
			let m = 0;
			for (let i = k; i < n; i += PERIOD) {
				sub[m] = filled[i] - trend[i];
				subW[m] = weights[i];
				m++;
			}
			const smooth = lowess(sub.subarray(0, m), seasonalWeeks, subW.subarray(0, m), subOut.subarray(0, m));
			m = 0;
			for (let i = k; i < n; i += PERIOD) cycle[i] = smooth[m++];
		}
		// 2. low-pass: remove the centred weekly mean, so the seasonal part has no level
		centredWeeklyMeanRemoved(cycle, seasonal);
		// 3. trend: LOWESS of the deseasonalised series
		for (let i = 0; i < n; i++) deseason[i] = filled[i] - seasonal[i];
		lowess(deseason, trendDays, weights, trend);
		for (let i = 0; i < n; i++) remainder[i] = filled[i] - trend[i] - seasonal[i];
		// 4. robustness weights for the next pass (gap days stay at 0)
		if (pass < passes) {
			bisquareWeights(remainder, weights);
			for (let i = 0; i < n; i++) if (gap[i]) weights[i] = 0;
		}
	}
	const expected = new Float64Array(n);
	for (let i = 0; i < n; i++) {
		expected[i] = trend[i] + seasonal[i];
		remainder[i] = gap[i] ? NaN : filled[i] - expected[i];
	}
	return { expected, trend, seasonal, remainder };
}

function centredWeeklyMeanRemoved(cycle: Float64Array, out: Float64Array): void {
	const n = cycle.length;
	const half = PERIOD >> 1;
	for (let i = 0; i < n; i++) {
		let lo = i - half;
		let hi = i + half;
		if (lo < 0) {
			hi -= lo;
			lo = 0;
		}
		if (hi > n - 1) {
			lo -= hi - (n - 1);
			hi = n - 1;
			if (lo < 0) lo = 0;
		}
		let s = 0;
		for (let j = lo; j <= hi; j++) s += cycle[j];
		out[i] = cycle[i] - s / (hi - lo + 1);
	}
}

export interface WeekdayOptions {
	/** Same-weekday values looked back at (default 8 weeks; at least 3 must exist). */
	weeks?: number;
}

export function weekdayBaseline(x: ArrayLike<number>, options: WeekdayOptions = {}): Decomposition {
	const n = x.length;
	const weeks = options.weeks ?? 8;
	const expected = new Float64Array(n).fill(NaN);
	const remainder = new Float64Array(n).fill(NaN);
	// level before each day: the median of the 7 days before it (one of each weekday)
	const level = new Float64Array(n).fill(NaN);
	const win: number[] = [];
	for (let i = 0; i < n; i++) {
		win.length = 0;
		for (let j = Math.max(0, i - PERIOD); j < i; j++) if (Number.isFinite(x[j])) win.push(x[j]);
		if (win.length >= 5) {
			win.sort((a, b) => a - b);
			const m = win.length;
			level[i] = m % 2 ? win[m >> 1] : (win[m / 2 - 1] + win[m / 2]) / 2;
		}
	}
	const buf: number[] = [];
	for (let i = 0; i < n; i++) {
		buf.length = 0;
		for (let k = 1; k <= weeks; k++) {
			const j = i - k * PERIOD;
			if (j < 0) break;
			// the same weekday k weeks ago, scaled by how the level moved since
			if (Number.isFinite(x[j]) && level[j] > 0 && Number.isFinite(level[i])) buf.push((x[j] * level[i]) / level[j]);
		}
		if (buf.length < 3) continue;
		buf.sort((a, b) => a - b);
		const m = buf.length;
		expected[i] = m % 2 ? buf[m >> 1] : (buf[m / 2 - 1] + buf[m / 2]) / 2;
		if (Number.isFinite(x[i])) remainder[i] = x[i] - expected[i];
	}
	return { expected, trend: level, seasonal: new Float64Array(n), remainder };
}
