/**
 * Small robust statistics used by the insights core: median, MAD, quantiles,
 * LOWESS (Cleveland 1979, tricube weights, local linear fit, optional
 * robustness weights), Student t and normal quantiles (for the generalized
 * ESD critical values and prediction intervals). Plain TypeScript, no
 * dependencies; every function ignores nothing silently: NaN inputs are the
 * caller's job (the series builder marks gaps and never passes them here).
 */

/** Median of `values[from..to)` (copies; the input is not reordered). */
export function median(values: ArrayLike<number>, from = 0, to = values.length): number {
	const n = to - from;
	if (n <= 0) return NaN;
	const a = new Float64Array(n);
	for (let i = 0; i < n; i++) a[i] = values[from + i];
	return medianInPlace(a);
}

/** Median of a scratch array (reordered by quickselect). */
export function medianInPlace(a: Float64Array): number {
	const n = a.length;
	if (n === 0) return NaN;
	const mid = n >> 1;
	const hi = select(a, mid);
	if (n % 2 === 1) return hi;
	// the largest of the lower half
	let lo = -Infinity;
	for (let i = 0; i < mid; i++) if (a[i] > lo) lo = a[i];
	return (lo + hi) / 2;
}

/** k-th smallest (0-based) by quickselect; afterwards a[0..k) <= a[k] <= a[k+1..). */
export function select(a: Float64Array, k: number): number {
	let left = 0;
	let right = a.length - 1;
	while (right > left) {
		// median of three: V-shaped inputs (|x − m| of a sorted run) would make a middle pivot quadratic
		const mid = (left + right) >> 1;
		const x = a[left];
		const y = a[mid];
		const z = a[right];
		const pivot = x < y ? (y < z ? y : x < z ? z : x) : x < z ? x : y < z ? z : y;
		let i = left;
		let j = right;
		while (i <= j) {
			while (a[i] < pivot) i++;
			while (a[j] > pivot) j--;
			if (i <= j) {
				const t = a[i];
				a[i] = a[j];
				a[j] = t;
				i++;
				j--;
			}
		}
		if (k <= j) right = j;
		else if (k >= i) left = i;
		else return a[k];
	}
	return a[k];
}

/** Median absolute deviation around `center` (unscaled). */
export function mad(values: ArrayLike<number>, center = median(values)): number {
	const a = new Float64Array(values.length);
	for (let i = 0; i < values.length; i++) a[i] = Math.abs(values[i] - center);
	return medianInPlace(a);
}

/** 1.4826 × MAD: a consistent estimate of σ for normal data. */
export const MAD_TO_SIGMA = 1.4826;

/** Linear-interpolated quantile (type 7) of a sorted array. */
export function quantileSorted(sorted: ArrayLike<number>, p: number): number {
	const n = sorted.length;
	if (n === 0) return NaN;
	const h = (n - 1) * Math.min(1, Math.max(0, p));
	const lo = Math.floor(h);
	const hi = Math.min(n - 1, lo + 1);
	return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
}

export function mean(values: ArrayLike<number>): number {
	let s = 0;
	for (let i = 0; i < values.length; i++) s += values[i];
	return values.length === 0 ? NaN : s / values.length;
}

/**
 * LOWESS smoother for points at x = 0..n-1 (evenly spaced days): each point
 * gets a weighted local linear fit over its `span` nearest neighbours with
 * tricube distance weights, times `robustness` weights when given (bisquare
 * weights from a previous pass, so outliers do not pull the curve).
 */
export function lowess(y: ArrayLike<number>, span: number, robustness?: ArrayLike<number>, out = new Float64Array(y.length)): Float64Array {
	const n = y.length;
	if (n === 0) return out;
	const q = Math.max(2, Math.min(n, Math.round(span)));
	for (let i = 0; i < n; i++) {
		let left = i - (q >> 1);
		if (left < 0) left = 0;
		let right = left + q - 1;
		if (right > n - 1) {
			right = n - 1;
			left = Math.max(0, right - q + 1);
		}
		const h = Math.max(i - left, right - i) + 1e-9;
		let sw = 0;
		let sx = 0;
		let sy = 0;
		let sxx = 0;
		let sxy = 0;
		for (let j = left; j <= right; j++) {
			const d = Math.abs(j - i) / (h + 1);
			const t = 1 - d * d * d;
			let w = t * t * t;
			if (robustness) w *= robustness[j];
			if (w <= 0) continue;
			const x = j - i;
			sw += w;
			sx += w * x;
			sy += w * y[j];
			sxx += w * x * x;
			sxy += w * x * y[j];
		}
		if (sw <= 0) {
			out[i] = y[i];
			continue;
		}
		const mx = sx / sw;
		const my = sy / sw;
		const vx = sxx / sw - mx * mx;
		// value of the local line at x = 0 (the point itself)
		out[i] = vx > 1e-12 ? my - ((sxy / sw - mx * my) / vx) * mx : my;
	}
	return out;
}

/** Bisquare robustness weights from residuals (Cleveland: scale 6 × median |r|). */
export function bisquareWeights(residuals: ArrayLike<number>, out = new Float64Array(residuals.length)): Float64Array {
	const abs = new Float64Array(residuals.length);
	for (let i = 0; i < residuals.length; i++) abs[i] = Math.abs(residuals[i]);
	const h = 6 * medianInPlace(abs.slice());
	for (let i = 0; i < residuals.length; i++) {
		if (h <= 0) {
			out[i] = 1;
			continue;
		}
		const u = Math.abs(residuals[i]) / h;
		out[i] = u >= 1 ? 0 : (1 - u * u) * (1 - u * u);
	}
	return out;
}

// ---------------------------------------------------------------------------
// Distributions
// ---------------------------------------------------------------------------

/** log Γ(x) (Lanczos, g = 7). */
export function logGamma(x: number): number {
	const c = [0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7];
	if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
	x -= 1;
	let a = c[0];
	const t = x + 7.5;
	for (let i = 1; i < 9; i++) a += c[i] / (x + i);
	return 0.5 * Math.log(2 * Math.PI) + (x + 0.5) * Math.log(t) - t + Math.log(a);
}

/** Continued fraction of the regularized incomplete beta (Numerical Recipes `betacf`). */
function betaContinuedFraction(a: number, b: number, x: number): number {
	const tiny = 1e-300;
	let c = 1;
	let d = 1 - ((a + b) * x) / (a + 1);
	if (Math.abs(d) < tiny) d = tiny;
	d = 1 / d;
	let h = d;
	for (let m = 1; m <= 300; m++) {
		const m2 = 2 * m;
		let aa = (m * (b - m) * x) / ((a + m2 - 1) * (a + m2));
		d = 1 + aa * d;
		if (Math.abs(d) < tiny) d = tiny;
		c = 1 + aa / c;
		if (Math.abs(c) < tiny) c = tiny;
		d = 1 / d;
		h *= d * c;
		aa = (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + m2 + 1));
		d = 1 + aa * d;
		if (Math.abs(d) < tiny) d = tiny;
		c = 1 + aa / c;
		if (Math.abs(c) < tiny) c = tiny;
		d = 1 / d;
		const del = d * c;
		h *= del;
		if (Math.abs(del - 1) < 1e-14) break;
	}
	return h;
}

/** Regularized incomplete beta I_x(a, b). */
export function incompleteBeta(x: number, a: number, b: number): number {
	if (x <= 0) return 0;
	if (x >= 1) return 1;
	const bt = Math.exp(logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log(1 - x));
	if (x < (a + 1) / (a + b + 2)) return (bt * betaContinuedFraction(a, b, x)) / a;
	return 1 - (bt * betaContinuedFraction(b, a, 1 - x)) / b;
}

/** CDF of Student's t with `df` degrees of freedom. */
export function studentTCdf(t: number, df: number): number {
	const x = df / (df + t * t);
	const tail = 0.5 * incompleteBeta(x, df / 2, 0.5);
	return t >= 0 ? 1 - tail : tail;
}

/** Quantile of Student's t (bisection on the CDF; 1e-10 precision). */
export function studentTQuantile(p: number, df: number): number {
	if (!(p > 0 && p < 1)) throw new RangeError(`quantile probability must be in (0, 1), got ${p}`);
	if (p === 0.5) return 0;
	if (p < 0.5) return -studentTQuantile(1 - p, df);
	let lo = 0;
	let hi = 1;
	while (studentTCdf(hi, df) < p) hi *= 2;
	for (let i = 0; i < 200 && hi - lo > 1e-10; i++) {
		const mid = (lo + hi) / 2;
		if (studentTCdf(mid, df) < p) lo = mid;
		else hi = mid;
	}
	return (lo + hi) / 2;
}

/** Standard normal quantile (Acklam's rational approximation, |error| < 1.2e-9). */
export function normalQuantile(p: number): number {
	if (!(p > 0 && p < 1)) throw new RangeError(`quantile probability must be in (0, 1), got ${p}`);
	const a = [-3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1, 2.506628277459239];
	const b = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1];
	const c = [-7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
	const d = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];
	const pl = 0.02425;
	if (p < pl) {
		const q = Math.sqrt(-2 * Math.log(p));
		return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
	}
	if (p > 1 - pl) return -normalQuantile(1 - p);
	const q = p - 0.5;
	const r = q * q;
	return ((((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q) / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
}
