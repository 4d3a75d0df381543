/**
 * Ads with a known fatigue onset, to measure detect.ts on (issue 20 item 3).
 *
 * The decay is deliberately NOT what the detector tests for (a drop of the
 * CTR level between two segments, quasi-binomial):
 *   - shape: half the fatiguing ads decay as a logistic in time
 *     (1 − D / (1 + e^(−(t − mu)/s)), s 0.5..1.5 days), half by a step in the
 *     hazard of a person tiring (from day t0 a share 1 − e^(−lambda (t − t0))
 *     of the audience is tired, lambda 0.25..0.8 a day), so the CTR slides
 *     smoothly rather than stepping; final drop D 35..70 %;
 *   - weekly seasonality of the CTR (amplitude 0..15 %), day-level CTR noise
 *     (lognormal, sigma 0.03..0.10), impressions that vary day to day
 *     (lognormal 0.25) and, for a third of the ads, a budget step (x0.5..x2);
 *   - clicks are binomial draws from the day's impressions and CTR (exact,
 *     by geometric gaps);
 *   - non-fatiguing ads get a slow drift instead (−0.3..+0.3 % a day).
 * The onset is the first day whose true CTR (before seasonality and noise) is
 * at least 10 % below the ad's pre-fatigue level. Baseline CTR 0.5..3 %,
 * impressions 5,000..40,000 a day (log-uniform): about 25 to 1,200 clicks a day.
 * Frequency is the cumulative impressions over the people reached in an
 * audience of 3..15 times the daily impressions.
 */
import type { Random } from '../allocation/simulate';
import type { FatigueDay } from './detect';

export interface SimulatedAd {
	series: FatigueDay[];
	/** Index of the onset day in `series`; -1 for an ad that does not fatigue. */
	onset: number;
	shape: 'logistic' | 'hazard' | 'none';
	/** Final relative CTR drop (0 when none). */
	drop: number;
}

function logUniform(rng: Random, lo: number, hi: number): number {
	return Math.exp(Math.log(lo) + (Math.log(hi) - Math.log(lo)) * rng.next());
}

function uniform(rng: Random, lo: number, hi: number): number {
	return lo + (hi - lo) * rng.next();
}

/** Exact binomial draw for small p: count successes by geometric gaps. */
export function binomial(rng: Random, n: number, p: number): number {
	if (p <= 0 || n <= 0) return 0;
	if (p >= 1) return n;
	const logQ = Math.log(1 - p);
	let position = 0;
	let count = 0;
	for (;;) {
		position += Math.floor(Math.log(1 - rng.next()) / logQ) + 1;
		if (position > n) return count;
		count++;
	}
}

function isoDay(start: number, offset: number): string {
	return new Date((start + offset) * 86_400_000).toISOString().slice(0, 10);
}

/**
 * One ad. `fatiguing` decides whether it tires; the rest is drawn from `rng`.
 * Fatiguing ads run to 10 days after an onset on day 28..42; the others run 60 days.
 */
export function simulateAd(rng: Random, fatiguing: boolean): SimulatedAd {
	const ctr0 = logUniform(rng, 0.005, 0.03);
	const imps0 = logUniform(rng, 5_000, 40_000);
	const amplitude = uniform(rng, 0, 0.15);
	const phase = rng.next() * 7;
	const sigma = uniform(rng, 0.03, 0.1);
	const budgetDay = rng.next() < 1 / 3 ? Math.floor(uniform(rng, 10, 50)) : -1;
	const budgetFactor = uniform(rng, 0.5, 2);
	const audience = imps0 * uniform(rng, 3, 15);
	const start = 20_000 + Math.floor(rng.next() * 365);

	let shape: SimulatedAd['shape'] = 'none';
	let drop = 0;
	let truth: (t: number) => number; // true relative CTR level (1 = pre-fatigue)
	const wanted = fatiguing ? Math.floor(uniform(rng, 28, 43)) : -1;
	if (!fatiguing) {
		const drift = uniform(rng, -0.003, 0.003);
		truth = (t) => (1 + drift) ** t;
	} else if (rng.next() < 0.5) {
		shape = 'logistic';
		drop = uniform(rng, 0.35, 0.7);
		const s = uniform(rng, 0.5, 1.5);
		// place the midpoint so that the 10 % point falls on the wanted day (plus a fraction)
		const at10 = s * Math.log(0.1 / drop / (1 - 0.1 / drop));
		const mu = wanted - at10 - rng.next() * 0.99;
		truth = (t) => 1 - drop / (1 + Math.exp(-(t - mu) / s));
	} else {
		shape = 'hazard';
		drop = uniform(rng, 0.35, 0.7);
		const lambda = uniform(rng, 0.25, 0.8);
		// from t0 on, a share 1 - e^(-lambda (t - t0)) of the audience is tired; place the 10 % point on the wanted day
		const to10 = -Math.log(1 - 0.1 / drop) / lambda;
		const t0 = wanted - to10 - rng.next() * 0.99;
		truth = (t) => (t <= t0 ? 1 : 1 - drop * (1 - Math.exp(-lambda * (t - t0))));
	}
	const length = fatiguing ? wanted + 11 : 60;
	let onset = -1;
	if (fatiguing) {
		for (let t = 0; t < length; t++) {
			if (1 - truth(t) >= 0.1) {
				onset = t;
				break;
			}
		}
	}
	const series: FatigueDay[] = [];
	let cumulative = 0;
	for (let t = 0; t < length; t++) {
		const season = 1 + amplitude * Math.sin((2 * Math.PI * (t + phase)) / 7);
		const ctr = Math.min(0.5, ctr0 * truth(t) * season * Math.exp(sigma * rng.normal()));
		const budget = budgetDay >= 0 && t >= budgetDay ? budgetFactor : 1;
		const impressions = Math.max(1, Math.round(imps0 * budget * Math.exp(0.25 * rng.normal() - 0.03125)));
		const clicks = binomial(rng, impressions, ctr);
		cumulative += impressions;
		const reach = audience * (1 - Math.exp(-cumulative / audience));
		series.push({ date: isoDay(start, t), impressions, clicks, frequency: cumulative / reach });
	}
	return { series, onset, shape, drop };
}

export interface QualityCase {
	fatiguing: boolean;
	onset: number;
	/** First alert index, -1 when none. */
	alert: number;
}

export interface FatigueQuality {
	fatiguing: number;
	/** Fatiguing ads alerted on a day from the onset to 3 days after it. */
	foundInTime: number;
	/** Fatiguing ads alerted before their onset. */
	early: number;
	/** Fatiguing ads alerted more than 3 days after the onset, or never. */
	lateOrMissed: number;
	steady: number;
	/** Non-fatiguing ads alerted on any day. */
	falseAlerts: number;
	/** Median days from onset to alert over the ads found in time. */
	medianDelay: number;
	detectionRate: number;
	falseAlertRate: number;
}

/** Scores cases: found = first alert on day onset..onset+3. */
export function scoreCases(cases: ReadonlyArray<QualityCase>, withinDays = 3): FatigueQuality {
	const q: FatigueQuality = { fatiguing: 0, foundInTime: 0, early: 0, lateOrMissed: 0, steady: 0, falseAlerts: 0, medianDelay: NaN, detectionRate: NaN, falseAlertRate: NaN };
	const delays: number[] = [];
	for (const c of cases) {
		if (c.fatiguing) {
			q.fatiguing++;
			if (c.alert >= 0 && c.alert < c.onset) q.early++;
			else if (c.alert >= c.onset && c.alert <= c.onset + withinDays) {
				q.foundInTime++;
				delays.push(c.alert - c.onset);
			} else q.lateOrMissed++;
		} else {
			q.steady++;
			if (c.alert >= 0) q.falseAlerts++;
		}
	}
	delays.sort((a, b) => a - b);
	q.medianDelay = delays.length > 0 ? delays[Math.floor(delays.length / 2)] : NaN;
	q.detectionRate = q.fatiguing > 0 ? q.foundInTime / q.fatiguing : NaN;
	q.falseAlertRate = q.steady > 0 ? q.falseAlerts / q.steady : NaN;
	return q;
}
