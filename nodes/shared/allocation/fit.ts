/**
 * Response curves per campaign (issue 19): daily spend -> daily conversions (or revenue).
 *
 *   y_t = c_{weekday(t)} + beta * hill(A_t)
 *   A_t = (1 - theta) * x_t + theta * A_{t-1}     geometric adstock, normalised: a steady daily
 *                                                 spend x gives A = x; theta in [0, 0.9]
 *   hill(A) = A^alpha / (A^alpha + K^alpha)      Hill saturation, alpha in [0.3, 1.5]
 *   base = mean of the c_d >= 0                   no negative conversions without spend
 *
 * Seven weekday intercepts c_d carry the base level and the weekly seasonality; beta * hill(x) is what
 * the spend buys. alpha is bounded at 1.5, not Robyn's 3: on one campaign's daily counts over a
 * spend range of +-30 %, a steep S (alpha 2-3) is mostly noise fitted (simulate.ts backtest, 12 seeds,
 * median 12 conversions a day: 79.9 % of the oracle's uplift with alpha up to 3, 86.0 % up to 2,
 * 89.7 % up to 1.5, 88.7 % up to 1); up to 1.5 a mild S stays
 * possible and the allocator takes the concave envelope. The base >= 0 bound ties the curve to the
 * origin, which is most of what identifies its slope on noisy data.
 *
 * The fit is separable least squares (variable projection): for given (theta, alpha, K) the linear
 * part (beta and the intercepts) has a closed form (weekday centring, one regression; with the base
 * bound active, one more term), so the search runs over three bounded parameters only: a grid of 210
 * starts, then a bounded pattern search from the best 3 distinct ones. No dependency: a
 * Levenberg–Marquardt over all 11 parameters needs starting values for the intercepts, has more local
 * minima and does not take the base bound.
 * Uncertainty: the delta method on (beta, theta, ln alpha, ln K) with the residual variance, a
 * parameter on its bound taken as known, directions the data do not determine dropped (pseudo-
 * inverse). It covers parameter uncertainty on the spend range seen, not a wrong model family and not
 * extrapolation (the plan reports how much of a campaign's range lies beyond the spend seen).
 */
import { quantileSorted } from '../insights/stats';

export interface DailyHistory {
	/** Weekday of the first day, 0..6 (any fixed convention; only the grouping matters). */
	firstWeekday: number;
	/** Spend per day (campaign currency), consecutive days, 0 for a day without spend. */
	spend: ArrayLike<number>;
	/** The outcome per day (conversions, or revenue in the campaign currency), same days. */
	outcome: ArrayLike<number>;
}

export interface FitOptions {
	/** Fewer days than this: held (default 28). */
	minDays?: number;
	/** Spend spread (p90 - p10) / median below this: held (default 0.1). */
	minSpendVariation?: number;
	/** Outcome total below this over the history: held (default 20). */
	minOutcomeTotal?: number;
}

/** A fitted curve: enough to evaluate it, its slope and its uncertainty anywhere. */
export interface HillCurve {
	beta: number;
	k: number;
	alpha: number;
	theta: number;
	/** Mean of the weekday intercepts: the expected daily outcome without spend (as fitted). */
	base: number;
	/** Variance of `base`. */
	baseVar: number;
	/** Covariance of (beta, theta, ln alpha, ln K), row-major 4 x 4. */
	cov: number[];
}

export interface FitQuality {
	days: number;
	/** 1 - SSE / total sum of squares around the mean (weekday intercepts count as explained). */
	r2: number;
	/** Residual standard deviation (outcome per day). */
	residualSd: number;
	/** residualSd over the mean daily outcome. */
	residualCv: number;
	/** Spend range seen: 5th and 95th percentile of the adstocked daily spend. */
	seenLow: number;
	seenHigh: number;
	/** (Explained by spend) / residual variance: how clearly the spend effect stands out of the noise (F, 1 df). */
	spendF: number;
}

export type CurveFit = { ok: true; curve: HillCurve; quality: FitQuality } | { ok: false; reason: string; quality?: Partial<FitQuality> };

const THETA_MAX = 0.9;
const ALPHA_MIN = 0.3;
/** Concave up to alpha 1, a mild S up to 1.5 (the allocator takes the envelope); steeper fits noise (see the header). */
const ALPHA_MAX = 1.5;
const GRID_THETA = [0, 0.2, 0.4, 0.6, 0.8];
const GRID_ALPHA = [0.3, 0.5, 0.75, 1, 1.25, 1.5];
const GRID_K = 7;
const STARTS = 3;

/** The Hill term at adstocked spend a: a^alpha / (a^alpha + k^alpha), written as a logistic in ln a. */
export function hill(a: number, k: number, alpha: number): number {
	if (a <= 0) return 0;
	return 1 / (1 + Math.exp(-alpha * (Math.log(a) - Math.log(k))));
}

/** Expected daily outcome at a steady daily spend x (campaign currency): base + beta * hill(x). */
export function curveMean(c: HillCurve, x: number): number {
	return c.base + c.beta * hill(x, c.k, c.alpha);
}

/** What the spend buys at a steady daily spend x: beta * hill(x) (0 at 0). */
export function curveResponse(c: HillCurve, x: number): number {
	return c.beta * hill(x, c.k, c.alpha);
}

/** d mean / dx at x. */
export function curveSlope(c: HillCurve, x: number): number {
	if (x <= 0) return c.alpha > 1 ? 0 : c.alpha === 1 ? c.beta / c.k : Infinity;
	const h = hill(x, c.k, c.alpha);
	return (c.beta * c.alpha * h * (1 - h)) / x;
}

/** Gradient of the mean at x with respect to (beta, theta, ln alpha, ln K). */
function gradient(c: HillCurve, x: number): [number, number, number, number] {
	const h = hill(x, c.k, c.alpha);
	if (x <= 0) return [0, 0, 0, 0];
	const d = c.beta * h * (1 - h) * c.alpha;
	return [h, 0, d * (Math.log(x) - Math.log(c.k)), -d];
}

function quad(cov: number[], g: number[]): number {
	let s = 0;
	for (let i = 0; i < 4; i++) for (let j = 0; j < 4; j++) s += g[i]! * cov[i * 4 + j]! * g[j]!;
	return Math.max(0, s);
}

/** Standard deviation of the expected daily outcome at x (parameter uncertainty, delta method). */
export function curveSd(c: HillCurve, x: number): number {
	return Math.sqrt(quad(c.cov, gradient(c, x)) + c.baseVar);
}

/** Standard deviation of mean(x1) - mean(x0) (the base cancels). */
export function curveDiffSd(c: HillCurve, x1: number, x0: number): number {
	const g1 = gradient(c, x1);
	const g0 = gradient(c, x0);
	return Math.sqrt(quad(c.cov, g1.map((v, i) => v - g0[i]!)));
}

/** Adstock of spend with carry-over theta into `out` (starts from the first week's mean). */
export function adstock(spend: ArrayLike<number>, theta: number, out = new Float64Array(spend.length)): Float64Array {
	const n = spend.length;
	let start = 0;
	const m = Math.min(7, n);
	for (let i = 0; i < m; i++) start += spend[i]!;
	let a = m > 0 ? start / m : 0;
	for (let t = 0; t < n; t++) {
		a = (1 - theta) * spend[t]! + theta * a;
		out[t] = a;
	}
	return out;
}

interface Problem {
	n: number;
	spend: ArrayLike<number>;
	weekday: Uint8Array;
	groupN: Float64Array;
	/** outcome centred within its weekday */
	yc: Float64Array;
	syy: number;
	/** mean of the weekday means of the outcome */
	yBar: number;
	lnA: Map<number, Float64Array>;
	kLow: number;
	kHigh: number;
}

interface Point {
	theta: number;
	lnAlpha: number;
	lnK: number;
	/** Residual sum of squares. */
	sse: number;
	beta: number;
	/** The base (mean weekday intercept) would be negative: held at 0. */
	atZero: boolean;
}

function lnAdstock(p: Problem, theta: number): Float64Array {
	let v = p.lnA.get(theta);
	if (!v) {
		v = adstock(p.spend, theta);
		for (let t = 0; t < v.length; t++) v[t] = v[t]! > 0 ? Math.log(v[t]!) : -Infinity;
		if (p.lnA.size > 64) p.lnA.clear();
		p.lnA.set(theta, v);
	}
	return v;
}

const groupSums = new Float64Array(7);

/** SSE and beta of the best linear part for (theta, alpha, K); beta clamped at 0 (no negative response). */
function evaluate(p: Problem, theta: number, lnAlpha: number, lnK: number): Point {
	const lnA = lnAdstock(p, theta);
	const alpha = Math.exp(lnAlpha);
	groupSums.fill(0);
	let sxy = 0;
	let sxx = 0;
	const { yc, weekday } = p;
	for (let t = 0; t < p.n; t++) {
		const h = 1 / (1 + Math.exp(-alpha * (lnA[t]! - lnK)));
		sxy += h * yc[t]!;
		sxx += h * h;
		groupSums[weekday[t]!] += h;
	}
	let hBar = 0;
	let groups = 0;
	for (let d = 0; d < 7; d++) {
		if (p.groupN[d]! > 0) {
			sxx -= (groupSums[d]! * groupSums[d]!) / p.groupN[d]!;
			hBar += groupSums[d]! / p.groupN[d]!;
			groups++;
		}
	}
	hBar /= groups;
	if (!(sxx > 1e-12 * p.n) || !(sxy > 0)) {
		const rss0 = p.syy + (p.yBar < 0 ? p.n * p.yBar * p.yBar : 0);
		return { theta, lnAlpha, lnK, sse: rss0, beta: 0, atZero: p.yBar < 0 };
	}
	const beta = sxy / sxx;
	if (p.yBar - beta * hBar >= 0) return { theta, lnAlpha, lnK, sse: p.syy - beta * sxy, beta, atZero: false };
	// base held at 0: the weekday effects sum to 0 and the overall level is beta * hBar alone
	// (groups taken as equal in size, which 7-day cycles make them to within a day)
	const b = Math.max(0, (sxy + p.n * p.yBar * hBar) / (sxx + p.n * hBar * hBar));
	const r = p.yBar - b * hBar;
	const rss = p.syy - 2 * b * sxy + b * b * sxx + p.n * r * r;
	return { theta, lnAlpha, lnK, sse: rss, beta: b, atZero: true };
}

function clampPoint(p: Problem, theta: number, lnAlpha: number, lnK: number): [number, number, number] {
	return [Math.min(THETA_MAX, Math.max(0, theta)), Math.min(Math.log(ALPHA_MAX), Math.max(Math.log(ALPHA_MIN), lnAlpha)), Math.min(p.kHigh, Math.max(p.kLow, lnK))];
}

/** Bounded pattern search (compass search) from a start. */
function refine(p: Problem, start: Point): Point {
	let best = start;
	const step = [0.1, 0.2, 0.4];
	const minStep = [0.005, 0.01, 0.02];
	for (let iter = 0; iter < 80; iter++) {
		let improved = false;
		for (let dim = 0; dim < 3; dim++) {
			for (const sign of [1, -1]) {
				const v = [best.theta, best.lnAlpha, best.lnK];
				v[dim]! += sign * step[dim]!;
				const [a, b, c] = clampPoint(p, v[0]!, v[1]!, v[2]!);
				if (a === best.theta && b === best.lnAlpha && c === best.lnK) continue;
				const e = evaluate(p, a, b, c);
				if (e.sse < best.sse - 1e-12 * (1 + best.sse)) {
					best = e;
					improved = true;
					break;
				}
			}
		}
		if (!improved) {
			let done = true;
			for (let dim = 0; dim < 3; dim++) {
				step[dim]! /= 2;
				if (step[dim]! >= minStep[dim]!) done = false;
			}
			if (done) break;
		}
	}
	return best;
}

/**
 * Pseudo-inverse of a small symmetric positive semi-definite matrix (Jacobi scaling, Jacobi
 * eigenvalues, eigenvalues below 1e-9 of the largest dropped): directions the data do not determine
 * (beta against K when the curve is nearly a power law on the range seen) add no false variance.
 */
function pseudoInverse(m: number[], n: number): number[] {
	const s = Array.from({ length: n }, (_, i) => (m[i * n + i]! > 0 ? 1 / Math.sqrt(m[i * n + i]!) : 0));
	const a = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => m[i * n + j]! * s[i]! * s[j]!));
	const v = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j): number => (i === j ? 1 : 0)));
	for (let sweep = 0; sweep < 50; sweep++) {
		let off = 0;
		for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) off += a[i]![j]! ** 2;
		if (off < 1e-22) break;
		for (let pi = 0; pi < n; pi++) {
			for (let q = pi + 1; q < n; q++) {
				const apq = a[pi]![q]!;
				if (Math.abs(apq) < 1e-300) continue;
				const theta = (a[q]![q]! - a[pi]![pi]!) / (2 * apq);
				const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
				const c = 1 / Math.sqrt(t * t + 1);
				const sn = t * c;
				for (let k = 0; k < n; k++) {
					const akp = a[k]![pi]!;
					const akq = a[k]![q]!;
					a[k]![pi] = c * akp - sn * akq;
					a[k]![q] = sn * akp + c * akq;
				}
				for (let k = 0; k < n; k++) {
					const apk = a[pi]![k]!;
					const aqk = a[q]![k]!;
					a[pi]![k] = c * apk - sn * aqk;
					a[q]![k] = sn * apk + c * aqk;
				}
				for (let k = 0; k < n; k++) {
					const vkp = v[k]![pi]!;
					const vkq = v[k]![q]!;
					v[k]![pi] = c * vkp - sn * vkq;
					v[k]![q] = sn * vkp + c * vkq;
				}
			}
		}
	}
	const eig = Array.from({ length: n }, (_, i) => a[i]![i]!);
	const top = Math.max(0, ...eig);
	const out = new Array<number>(n * n).fill(0);
	for (let e = 0; e < n; e++) {
		if (!(eig[e]! > 1e-9 * top)) continue;
		for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) out[i * n + j] += (v[i]![e]! * v[j]![e]!) / eig[e]!;
	}
	for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) out[i * n + j] = out[i * n + j]! * s[i]! * s[j]!;
	return out;
}

/** Model prediction's spend part beta * hill(A_t) for the given parameters. */
function spendPart(p: Problem, theta: number, alpha: number, k: number, beta: number): Float64Array {
	const a = adstock(p.spend, theta);
	for (let t = 0; t < p.n; t++) a[t] = beta * hill(a[t]!, k, alpha);
	return a;
}

/** v minus its weekday means; with the base held at 0, the mean of the weekday means is kept. */
function centre(p: Problem, v: Float64Array, keepLevel: boolean): Float64Array {
	const sums = new Float64Array(7);
	for (let t = 0; t < p.n; t++) sums[p.weekday[t]!] += v[t]!;
	let level = 0;
	let groups = 0;
	for (let d = 0; d < 7; d++) {
		if (p.groupN[d]! > 0) {
			level += sums[d]! / p.groupN[d]!;
			groups++;
		}
	}
	level = keepLevel ? level / groups : 0;
	for (let t = 0; t < p.n; t++) v[t] = v[t]! - sums[p.weekday[t]!]! / p.groupN[p.weekday[t]!]! + level;
	return v;
}

/**
 * Fits the curve to one campaign's daily history, or says why it is held: too few days, too little
 * spend variation, too few outcomes, or no positive spend response.
 */
export function fitResponse(history: DailyHistory, options: FitOptions = {}): CurveFit {
	const minDays = options.minDays ?? 28;
	const minVariation = options.minSpendVariation ?? 0.1;
	const minTotal = options.minOutcomeTotal ?? 20;
	const { spend, outcome } = history;
	const n = spend.length;
	if (!Number.isInteger(history.firstWeekday)) return { ok: false, reason: `the first day's weekday must be a whole number, got ${history.firstWeekday}` };
	if (outcome.length !== n) return { ok: false, reason: `spend has ${n} days but the outcome ${outcome.length}` };
	let total = 0;
	let spendDays = 0;
	for (let t = 0; t < n; t++) {
		if (!Number.isFinite(spend[t]!) || spend[t]! < 0 || !Number.isFinite(outcome[t]!)) return { ok: false, reason: `day ${t + 1} has no valid spend or outcome` };
		total += outcome[t]!;
		if (spend[t]! > 0) spendDays++;
	}
	if (spendDays < minDays) return { ok: false, reason: `too little data: ${spendDays} days with spend, at least ${minDays} needed`, quality: { days: spendDays } };
	const sorted = Float64Array.from(spend).sort();
	const p10 = quantileSorted(sorted, 0.1);
	const p50 = quantileSorted(sorted, 0.5);
	const p90 = quantileSorted(sorted, 0.9);
	const variation = p50 > 0 ? (p90 - p10) / p50 : 0;
	if (variation < minVariation) {
		return { ok: false, reason: `too little spend variation: daily spend moved ${Math.round(variation * 100)} % (p10 to p90 over the median), at least ${Math.round(minVariation * 100)} % needed`, quality: { days: n } };
	}
	if (total < minTotal) return { ok: false, reason: `too few outcomes: ${Math.round(total * 100) / 100} in ${n} days, at least ${minTotal} needed`, quality: { days: n } };

	const weekday = new Uint8Array(n);
	const groupN = new Float64Array(7);
	const groupY = new Float64Array(7);
	for (let t = 0; t < n; t++) {
		const d = (((history.firstWeekday + t) % 7) + 7) % 7;
		weekday[t] = d;
		groupN[d]++;
		groupY[d] += outcome[t]!;
	}
	const yc = new Float64Array(n);
	let syy = 0;
	let yBar = 0;
	let groups = 0;
	for (let d = 0; d < 7; d++) {
		if (groupN[d]! > 0) {
			yBar += groupY[d]! / groupN[d]!;
			groups++;
		}
	}
	yBar /= groups;
	for (let t = 0; t < n; t++) {
		yc[t] = outcome[t]! - groupY[weekday[t]!]! / groupN[weekday[t]!]!;
		syy += yc[t]! * yc[t]!;
	}
	const meanY = total / n;
	let sst = 0;
	for (let t = 0; t < n; t++) sst += (outcome[t]! - meanY) ** 2;
	const kLow = Math.log(Math.max(p10, 1e-9) * 0.05);
	const kHigh = Math.log(Math.max(p90, 1e-9) * 20);
	const p: Problem = { n, spend, weekday, groupN, yc, syy, yBar, lnA: new Map(), kLow, kHigh };

	// grid of starts
	const starts: Point[] = [];
	const gLow = Math.log(Math.max(p10, 1e-9) * 0.25);
	const gHigh = Math.log(Math.max(p90, 1e-9) * 5);
	for (const theta of GRID_THETA) {
		for (const alpha of GRID_ALPHA) {
			for (let i = 0; i < GRID_K; i++) starts.push(evaluate(p, theta, Math.log(alpha), gLow + ((gHigh - gLow) * i) / (GRID_K - 1)));
		}
	}
	starts.sort((a, b) => a.sse - b.sse);
	// no positive response anywhere: the flat curve (beta 0) is the fit
	let best = starts[0]!;
	const seen: Point[] = [];
	for (const s of starts) {
		if (seen.length >= STARTS) break;
		if (!(s.beta > 0)) continue;
		if (seen.some((q) => Math.abs(q.theta - s.theta) < 0.21 && Math.abs(q.lnAlpha - s.lnAlpha) < 0.3 && Math.abs(q.lnK - s.lnK) < 0.6)) continue;
		seen.push(s);
		const r = refine(p, s);
		if (r.sse < best.sse) best = r;
	}
	const alpha = Math.exp(best.lnAlpha);
	const k = Math.exp(best.lnK);
	const beta = best.beta;
	const df = Math.max(1, n - 11);
	const sigma2 = best.sse / df;

	// intercepts: weekday means of (y - spend part)
	const part = spendPart(p, best.theta, alpha, k, beta);
	const groupR = new Float64Array(7);
	for (let t = 0; t < n; t++) groupR[weekday[t]!] += outcome[t]! - part[t]!;
	let base = 0;
	for (let d = 0; d < 7; d++) if (groupN[d]! > 0) base += groupR[d]! / groupN[d]!;
	base = best.atZero ? 0 : Math.max(0, base / groups);

	// Jacobian (weekday-centred) in (beta, theta, ln alpha, ln K)
	const a = adstock(spend, best.theta);
	const jBeta = new Float64Array(n);
	const jLnAlpha = new Float64Array(n);
	const jLnK = new Float64Array(n);
	for (let t = 0; t < n; t++) {
		const h = hill(a[t]!, k, alpha);
		jBeta[t] = h;
		const d = a[t]! > 0 ? beta * h * (1 - h) * alpha : 0;
		jLnAlpha[t] = a[t]! > 0 ? d * (Math.log(a[t]!) - best.lnK) : 0;
		jLnK[t] = -d;
	}
	const eps = 1e-4;
	const tHi = Math.min(THETA_MAX, best.theta + eps);
	const tLo = Math.max(0, best.theta - eps);
	const up = spendPart(p, tHi, alpha, k, beta);
	const down = spendPart(p, tLo, alpha, k, beta);
	const jTheta = new Float64Array(n);
	for (let t = 0; t < n; t++) jTheta[t] = (up[t]! - down[t]!) / (tHi - tLo);
	const cols = [jBeta, jTheta, jLnAlpha, jLnK].map((c) => centre(p, c, best.atZero));
	const m = new Array<number>(16).fill(0);
	for (let i = 0; i < 4; i++) {
		for (let j = i; j < 4; j++) {
			let s = 0;
			for (let t = 0; t < n; t++) s += cols[i]![t]! * cols[j]![t]!;
			m[i * 4 + j] = s;
			m[j * 4 + i] = s;
		}
	}
	// a parameter on its bound is taken as known (its column dropped): the delta method needs an interior optimum
	const atBound = [false, best.theta <= 1e-9 || best.theta >= THETA_MAX - 1e-9, best.lnAlpha <= Math.log(ALPHA_MIN) + 1e-9 || best.lnAlpha >= Math.log(ALPHA_MAX) - 1e-9, best.lnK <= kLow + 1e-9 || best.lnK >= kHigh - 1e-9];
	const keep = [0, 1, 2, 3].filter((i) => !atBound[i]);
	const sub = keep.flatMap((i) => keep.map((j) => m[i * 4 + j]!));
	const subInv = pseudoInverse(sub, keep.length);
	const cov = new Array<number>(16).fill(0);
	keep.forEach((i, a) => keep.forEach((j, b) => (cov[i * 4 + j] = subInv[a * keep.length + b]! * sigma2)));
	const residualSd = Math.sqrt(sigma2);
	const sortedA = Float64Array.from(a).sort();
	const quality: FitQuality = {
		days: n,
		r2: sst > 0 ? 1 - best.sse / sst : 0,
		residualSd,
		residualCv: meanY > 0 ? residualSd / meanY : Infinity,
		seenLow: quantileSorted(sortedA, 0.05),
		seenHigh: quantileSorted(sortedA, 0.95),
		spendF: sigma2 > 0 ? (syy - best.sse) / sigma2 : Infinity,
	};
	return { ok: true, curve: { beta, k, alpha, theta: best.theta, base, baseVar: best.atZero ? 0 : sigma2 / n, cov }, quality };
}
