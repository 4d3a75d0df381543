/**
 * Generalized ESD test (Rosner 1983) in its robust ("hybrid") form, as in
 * Twitter's S-H-ESD: at step i the most extreme remaining point is scored
 * R_i = |r − median| / (1.4826 · MAD) and compared with Rosner's critical
 * value λ_i = (n−i)·t / sqrt((n−i−1+t²)(n−i+1)), t the Student t quantile
 * at p = 1 − α/(2(n−i+1)) with n−i−1 degrees of freedom. The number of
 * anomalies is the largest i with R_i > λ_i. Testing up to k points with a
 * per-step level keeps the family-wise false-alarm rate near α for the whole
 * window, which a fixed "3 sigma" cut does not (with 180 days, a 3-sigma cut
 * raises a false alarm in roughly 4 of 10 clean normal series).
 */
import { MAD_TO_SIGMA, median, medianInPlace, studentTQuantile } from './stats';

const criticalCache = new Map<string, number>();

/** Rosner's λ_i for a sample of n, step i (1-based), level α. */
export function esdCritical(n: number, i: number, alpha: number): number {
	const key = `${n}:${i}:${alpha}`;
	let v = criticalCache.get(key);
	if (v === undefined) {
		const df = n - i - 1;
		if (df < 1) return Infinity;
		const p = 1 - alpha / (2 * (n - i + 1));
		const t = studentTQuantile(p, df);
		v = ((n - i) * t) / Math.sqrt((n - i - 1 + t * t) * (n - i + 1));
		if (criticalCache.size > 50_000) criticalCache.clear();
		criticalCache.set(key, v);
	}
	return v;
}

/**
 * MAD of the sorted run sorted[lo..hi] around med in O(m): the deviations
 * left of the centre decrease and right of it increase, so merging the two
 * sorted lists up to the middle gives the median deviation.
 */
function sortedMad(sorted: Float64Array, lo: number, hi: number, med: number, scratch: Float64Array): number {
	const m = hi - lo + 1;
	let r = lo;
	while (r <= hi && sorted[r] < med) r++;
	let l = r - 1;
	const need = (m >> 1) + 1;
	let k = 0;
	while (k < need) {
		const dl = l >= lo ? med - sorted[l] : Infinity;
		const dr = r <= hi ? sorted[r] - med : Infinity;
		if (dl <= dr) {
			scratch[k++] = dl;
			l--;
		} else {
			scratch[k++] = dr;
			r++;
		}
	}
	return m % 2 ? scratch[need - 1] : (scratch[need - 2] + scratch[need - 1]) / 2;
}

export interface EsdResult {
	/** Indices (into the input) found anomalous, most extreme first. */
	anomalies: number[];
	/** Robust centre and scale of the residuals (all tested points). */
	center: number;
	sigma: number;
	/** λ of the first step: the band half-width in σ for a single day. */
	threshold: number;
	/** Points tested (finite residuals). */
	tested: number;
}

/**
 * Runs the hybrid generalized ESD over `residuals` (NaN = not tested).
 * `maxShare` bounds k (default 0.2 of the tested points).
 */
export function generalizedEsd(residuals: ArrayLike<number>, alpha = 0.05, maxShare = 0.2): EsdResult {
	const idx: number[] = [];
	for (let i = 0; i < residuals.length; i++) if (Number.isFinite(residuals[i])) idx.push(i);
	const n = idx.length;
	const values = new Float64Array(n);
	for (let j = 0; j < n; j++) values[j] = residuals[idx[j]];
	const center = median(values);
	const abs = new Float64Array(n);
	for (let j = 0; j < n; j++) abs[j] = Math.abs(values[j] - center);
	const sigma = MAD_TO_SIGMA * medianInPlace(abs);
	const threshold = n >= 3 ? esdCritical(n, 1, alpha) : Infinity;
	const k = Math.max(1, Math.floor(n * maxShare));
	if (n < 8) return { anomalies: [], center, sigma, threshold, tested: n };
	// sort once: the point furthest from the median is always at one end of the remaining range
	const order = Array.from({ length: n }, (_, j) => j).sort((a, b) => values[a] - values[b]);
	const sorted = new Float64Array(n);
	for (let j = 0; j < n; j++) sorted[j] = values[order[j]];
	let lo = 0;
	let hi = n - 1;
	const removed: number[] = [];
	let found = 0;
	const scratch = new Float64Array(n);
	for (let i = 1; i <= k && hi - lo >= 2; i++) {
		const m = hi - lo + 1;
		const mid = lo + (m >> 1);
		const med = m % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
		const s = MAD_TO_SIGMA * sortedMad(sorted, lo, hi, med, scratch);
		const dLo = med - sorted[lo];
		const dHi = sorted[hi] - med;
		let pick: number;
		let dev: number;
		if (dHi >= dLo) {
			pick = order[hi--];
			dev = dHi;
		} else {
			pick = order[lo++];
			dev = dLo;
		}
		removed.push(idx[pick]);
		const R = s > 0 ? dev / s : dev > 0 ? Infinity : 0;
		if (R > esdCritical(n, i, alpha)) found = i;
	}
	return { anomalies: removed.slice(0, found), center, sigma, threshold, tested: n };
}
