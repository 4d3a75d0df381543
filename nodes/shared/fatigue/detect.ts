/**
 * Creative fatigue: an ad's click-through rate falling away from its own past
 * as the audience sees it again and again (frequency) or simply as it ages.
 *
 * Method: a one-sided changepoint test on the daily clicks of one ad, as a
 * quasi-binomial likelihood ratio. For every candidate start `k` of a
 * "recent" segment that runs to the last day (2 to 14 days long), the days
 * before it (21 to 28 of them) are the ad's baseline. With p0 the baseline's
 * CTR (clicks / impressions), p1 the recent segment's and p the pooled one,
 *
 *     LR(k) = 2 [ l(p0; baseline) + l(p1; recent) − l(p; both) ] / phi,
 *     l(q; days) = clicks ln q + (impressions − clicks) ln(1 − q),
 *
 * where phi (≥ 1) is the baseline's overdispersion: its Pearson statistic
 * Σ (c − n p0)² / (n p0 (1 − p0)) over its degrees of freedom. Day-to-day
 * swings a binomial does not have (weekdays, auctions, budget changes) raise
 * phi and so lower LR instead of raising false alerts. The ad is fatigued when
 * the largest LR(k) over the candidates whose CTR fell by at least `minDrop`
 * is above `threshold`; the `k` that gives it is the estimated onset. One bad
 * day (a tracking gap) is not enough: without the recent segment's lowest
 * day, the drop must still be at least half of `minDrop`. The baseline's
 * weekday pattern (factors shrunk towards 1 by `weekdayPrior` clicks) is
 * taken out of the recent segment before comparing.
 *
 * The detector assumes no shape of the decay (no logistic, no exponential):
 * only "lower than before, by this much, this surely". The generator it is
 * measured on (simulate.ts) draws logistic and hazard-shaped decays with
 * weekly seasonality, day-level CTR noise and binomial clicks.
 *
 * The defaults were tuned on the even seeds of simulate.ts and are measured on
 * the odd ones (test/unit/fatigue-quality.test.ts checks both).
 */

export interface FatigueDay {
	/** `YYYY-MM-DD`. */
	date: string;
	impressions: number;
	clicks: number;
	/** Average impressions per person that day, when the platform reports it (Meta). */
	frequency?: number | null;
}

export interface FatigueParams {
	/** Most baseline days before the recent segment (default 28). */
	baselineDays: number;
	/** Fewest baseline days with impressions (default 21: an ad younger than 23 days is not judged). */
	minBaselineDays: number;
	/** Longest recent segment (default 14): how long after its onset an ad stays flagged. */
	maxRecentDays: number;
	/** Shortest recent segment (default 2): one bad day is never fatigue. */
	minRecentDays: number;
	/** Smallest relative CTR drop that counts (default 0.2 = 20 %). */
	minDrop: number;
	/** Quasi-likelihood-ratio threshold (default tuned, see the header). */
	threshold: number;
	/** Fewest baseline clicks to judge at all (default 30). */
	minBaselineClicks: number;
	/** Clicks of shrinkage towards 1 in the weekday factors (default 20). */
	weekdayPrior: number;
}

export const FATIGUE_DEFAULTS: Readonly<FatigueParams> = Object.freeze({
	baselineDays: 28,
	minBaselineDays: 21,
	maxRecentDays: 14,
	minRecentDays: 2,
	minDrop: 0.2,
	threshold: 14,
	minBaselineClicks: 30,
	weekdayPrior: 20,
});

export interface FatigueSegment {
	/** First and last day of the segment. */
	from: string;
	to: string;
	days: number;
	impressions: number;
	clicks: number;
	/** clicks / impressions. */
	ctr: number;
	/** Mean reported frequency over the segment's days that have one (null: none reported). */
	frequency: number | null;
}

export interface FatigueVerdict {
	fatigued: boolean;
	/** Why no verdict could be reached (too few days or clicks), in words; null when judged. */
	notJudged: string | null;
	/** The strongest drop found (also when below the threshold); null when not judged. */
	baseline: FatigueSegment | null;
	recent: FatigueSegment | null;
	/** The recent CTR with the baseline's weekday pattern taken out (what `change` compares). */
	recentAdjustedCtr: number | null;
	/** Relative CTR change, weekday-adjusted recent vs baseline (−0.38 = fell 38 %). */
	change: number | null;
	/** The quasi-likelihood ratio of that split and the threshold it is held to. */
	statistic: number | null;
	threshold: number;
	/** Baseline overdispersion (≥ 1). */
	dispersion: number | null;
	/** Days from the ad's first day with impressions to its last row. */
	ageDays: number;
}

const DAY_MS = 86_400_000;

function dayNumber(date: string): number {
	return Math.round(Date.parse(`${date}T00:00:00Z`) / DAY_MS);
}

function logLik(clicks: number, impressions: number, p: number): number {
	if (impressions <= 0) return 0;
	const a = clicks > 0 ? clicks * Math.log(p) : 0;
	const b = impressions - clicks > 0 ? (impressions - clicks) * Math.log(1 - p) : 0;
	return a + b;
}

function segment(days: ReadonlyArray<FatigueDay>, from: number, to: number): FatigueSegment {
	let impressions = 0;
	let clicks = 0;
	let freqSum = 0;
	let freqN = 0;
	for (let i = from; i <= to; i++) {
		impressions += days[i].impressions;
		clicks += days[i].clicks;
		const f = days[i].frequency;
		if (typeof f === 'number' && Number.isFinite(f)) {
			freqSum += f;
			freqN++;
		}
	}
	return {
		from: days[from].date,
		to: days[to].date,
		days: to - from + 1,
		impressions,
		clicks,
		ctr: impressions > 0 ? clicks / impressions : 0,
		frequency: freqN > 0 ? freqSum / freqN : null,
	};
}

/**
 * CTR factor of each weekday over `days[from..to]` (1 = the baseline's CTR),
 * shrunk towards 1 by `prior` clicks: (clicks_w + prior) / (expected_w + prior).
 * With fewer than 14 days every factor is 1 (two of each weekday at least).
 */
function weekdayFactors(days: ReadonlyArray<FatigueDay>, weekday: ReadonlyArray<number>, from: number, to: number, p0: number, prior: number): Float64Array {
	const f = new Float64Array(7).fill(1);
	if (to - from + 1 < 14 || !(prior >= 0)) return f;
	const clicks = new Float64Array(7);
	const expected = new Float64Array(7);
	for (let i = from; i <= to; i++) {
		clicks[weekday[i]] += days[i].clicks;
		expected[weekday[i]] += days[i].impressions * p0;
	}
	for (let w = 0; w < 7; w++) f[w] = (clicks[w] + prior) / (expected[w] + prior);
	return f;
}

/** Pearson overdispersion of `days[from..to]` around the CTR `p` times the weekday factors, at least 1. */
function dispersion(days: ReadonlyArray<FatigueDay>, weekday: ReadonlyArray<number>, factors: Float64Array, from: number, to: number, p: number): number {
	if (p <= 0 || p >= 1 || to <= from) return 1;
	let chi = 0;
	for (let i = from; i <= to; i++) {
		const q = Math.min(p * factors[weekday[i]], 1 - 1e-12);
		const e = days[i].impressions * q;
		chi += (days[i].clicks - e) ** 2 / (e * (1 - q));
	}
	const fitted = to - from + 1 >= 14 ? 7 : 1;
	return Math.max(1, chi / Math.max(1, to - from + 1 - fitted));
}

/**
 * Judges the ad as of its last row. `series` holds one row per day, in date
 * order (days without impressions are left out of the test).
 */
export function detectFatigue(series: ReadonlyArray<FatigueDay>, params: Partial<FatigueParams> = {}): FatigueVerdict {
	const p: FatigueParams = { ...FATIGUE_DEFAULTS, ...params };
	const days = series.filter((d) => d.impressions > 0 && d.clicks >= 0 && d.clicks <= d.impressions);
	const ageDays = days.length > 0 ? dayNumber(series[series.length - 1].date) - dayNumber(days[0].date) + 1 : 0;
	const verdict: FatigueVerdict = {
		fatigued: false,
		notJudged: null,
		baseline: null,
		recent: null,
		recentAdjustedCtr: null,
		change: null,
		statistic: null,
		threshold: p.threshold,
		dispersion: null,
		ageDays,
	};
	const n = days.length;
	if (n < p.minBaselineDays + p.minRecentDays) {
		verdict.notJudged = `${n} day(s) with impressions; fatigue needs at least ${p.minBaselineDays + p.minRecentDays} (${p.minBaselineDays} of baseline and ${p.minRecentDays} recent)`;
		return verdict;
	}
	// prefix sums of impressions and clicks
	const ci = new Float64Array(n + 1);
	const cc = new Float64Array(n + 1);
	for (let i = 0; i < n; i++) {
		ci[i + 1] = ci[i] + days[i].impressions;
		cc[i + 1] = cc[i] + days[i].clicks;
	}
	const weekday = days.map((d) => ((dayNumber(d.date) % 7) + 7) % 7);
	let best: { k: number; b0: number; stat: number; phi: number; drop: number; p1: number; qualifies: boolean } | null = null;
	let anyVolume = false;
	for (let len = p.minRecentDays; len <= p.maxRecentDays; len++) {
		const k = n - len;
		if (k < p.minBaselineDays) break;
		const b0 = Math.max(0, k - p.baselineDays);
		const N0 = ci[k] - ci[b0];
		const C0 = cc[k] - cc[b0];
		if (C0 < p.minBaselineClicks) continue;
		anyVolume = true;
		const p0 = C0 / N0;
		const factors = weekdayFactors(days, weekday, b0, k - 1, p0, p.weekdayPrior);
		// the recent days' impressions weighted by their weekday's CTR factor: p1 is the recent CTR with the week taken out
		let N1 = 0;
		for (let i = k; i < n; i++) N1 += days[i].impressions * factors[weekday[i]];
		const C1 = cc[n] - cc[k];
		const p1 = Math.min(C1 / N1, 1 - 1e-12);
		const drop = 1 - p1 / p0;
		const pooled = (C0 + C1) / (N0 + N1);
		const lr = 2 * (logLik(C0, N0, p0) + logLik(C1, N1, p1) - logLik(C0 + C1, N0 + N1, pooled));
		const phi = dispersion(days, weekday, factors, b0, k - 1, p0);
		const stat = p1 < p0 ? lr / phi : 0;
		// robust to one bad day (a tracking gap): without the recent day that falls most, the drop must still be half the minimum
		let worst = k;
		for (let i = k + 1; i < n; i++) if (days[i].clicks / (days[i].impressions * factors[weekday[i]]) < days[worst].clicks / (days[worst].impressions * factors[weekday[worst]])) worst = i;
		const rest = 1 - (C1 - days[worst].clicks) / (N1 - days[worst].impressions * factors[weekday[worst]]) / p0;
		// the strongest qualifying drop; when none qualifies, the strongest drop at all (reported, not flagged)
		const qualifies = drop >= p.minDrop && rest >= p.minDrop / 2;
		const bestQualifies: boolean = best !== null && best.qualifies;
		if (best === null || (qualifies && !bestQualifies) || (qualifies === bestQualifies && stat > best.stat)) best = { k, b0, stat, phi, drop, p1, qualifies };
	}
	if (!anyVolume || best === null) {
		verdict.notJudged = `fewer than ${p.minBaselineClicks} clicks in the baseline: too little volume to judge the CTR`;
		return verdict;
	}
	verdict.baseline = segment(days, best.b0, best.k - 1);
	verdict.recent = segment(days, best.k, n - 1);
	verdict.recentAdjustedCtr = best.p1;
	verdict.change = -best.drop;
	verdict.statistic = best.stat;
	verdict.dispersion = best.phi;
	verdict.fatigued = best.qualifies && best.stat > p.threshold;
	return verdict;
}

/**
 * The first day (index into `series`) on which `detectFatigue` over the rows up
 * to that day says fatigued, or -1: what a daily run would have alerted.
 */
export function firstAlert(series: ReadonlyArray<FatigueDay>, params: Partial<FatigueParams> = {}, from = 0): number {
	for (let t = Math.max(from, 1); t < series.length; t++) {
		if (detectFatigue(series.slice(0, t + 1), params).fatigued) return t;
	}
	return -1;
}
