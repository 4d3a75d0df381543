/**
 * Generated daily ad series for the insights quality tests and benchmark.
 *
 * The generator deliberately does NOT share the detector's functional form:
 * the detector models a series as additive trend (LOWESS) + weekly seasonal
 * (LOWESS of weekday sub-series) + a roughly normal remainder. The generator
 * is multiplicative throughout:
 *   level_t  = L0 · exp(w_t + g·t/n), w an integrated AR(1) (a smooth random
 *              walk of the log level, not a LOWESS curve)
 *   season_t = a weekday profile whose amplitude itself drifts (sinusoidally)
 *   noise_t  = 1 + s · T5 (Student t with 5 degrees of freedom: heavy tails)
 *   x_t      = level_t · season_t · noise_t · anomaly_t
 * and the anomalies are multiplicative shapes of their own: one-day spikes,
 * one-day dips, multi-day outages (a plateau at a lower level that then
 * recovers), triangular ramps (a promotion building up and fading), tracking
 * breaks (days at exactly zero) and temporary level shifts up, with sizes
 * drawn from wide ranges (mixed sizes: from 35 % to 150 % of the level).
 */

/** Mulberry32: small seeded PRNG. */
export function rng(seed: number): () => number {
	let a = seed >>> 0;
	return () => {
		a = (a + 0x6d2b79f5) >>> 0;
		let t = a;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

export function gaussian(r: () => number): number {
	let u = 0;
	while (u === 0) u = r();
	return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * r());
}

/** Student t with `df` degrees of freedom (normal / sqrt(chi² / df)). */
export function studentT(r: () => number, df: number): number {
	let chi = 0;
	for (let i = 0; i < df; i++) chi += gaussian(r) ** 2;
	return gaussian(r) / Math.sqrt(chi / df);
}

export type PlantedKind = 'spike' | 'dip' | 'outage' | 'ramp' | 'zero' | 'shift_up';

export interface Planted {
	kind: PlantedKind;
	start: number;
	/** Inclusive. */
	end: number;
	/** Relative size (fraction of the level). */
	size: number;
}

export interface Generated {
	values: Float64Array;
	/** The series without anomalies (same noise). */
	clean: Float64Array;
	planted: Planted[];
}

export interface GenerateOptions {
	days?: number;
	anomalies?: number;
	/** Noise scale (default 0.035 of the level, times a Student t with 5 df). */
	noise?: number;
	level?: number;
	/** Day 0's weekday offset. */
	phase?: number;
}

const KINDS: PlantedKind[] = ['spike', 'dip', 'outage', 'ramp', 'zero', 'shift_up'];

export function generateSeries(seed: number, options: GenerateOptions = {}): Generated {
	const r = rng(seed);
	const n = options.days ?? 182;
	const count = options.anomalies ?? 6;
	const noise = options.noise ?? 0.035;
	const level0 = options.level ?? Math.exp(Math.log(200) + 3 * r());
	const growth = (r() - 0.4) * 0.8; // −32 % … +48 % over the window
	// weekday profile: weekends lower or higher, one random shape per series
	const profile = Array.from({ length: 7 }, () => 1 + 0.35 * (r() - 0.5));
	profile[5] *= 0.6 + 0.5 * r();
	profile[6] *= 0.6 + 0.5 * r();
	const mean = profile.reduce((a, b) => a + b, 0) / 7;
	for (let k = 0; k < 7; k++) profile[k] /= mean;
	const ampDrift = 0.3 * r();
	const phase = options.phase ?? Math.floor(r() * 7);
	let drift = 0;
	let walk = 0;
	const clean = new Float64Array(n);
	for (let t = 0; t < n; t++) {
		drift = 0.85 * drift + 0.006 * gaussian(r);
		walk += drift;
		const amp = 1 + ampDrift * Math.sin((2 * Math.PI * t) / n);
		const season = 1 + (profile[(t + phase) % 7] - 1) * amp;
		const eps = Math.max(-0.9, noise * studentT(r, 5));
		clean[t] = level0 * Math.exp(walk + (growth * t) / n) * season * (1 + eps);
	}
	const values = new Float64Array(clean);
	const planted: Planted[] = [];
	// non-overlapping slots, at least 8 days apart, from day 21 to the last day
	let tries = 0;
	while (planted.length < count && tries++ < 10_000) {
		const kind = KINDS[Math.floor(r() * KINDS.length)];
		const len = kind === 'spike' || kind === 'dip' ? 1 : kind === 'zero' ? 1 + Math.floor(r() * 2) : kind === 'ramp' ? 3 + Math.floor(r() * 2) : 2 + Math.floor(r() * 2);
		const start = 21 + Math.floor(r() * (n - 21 - len + 1));
		const end = start + len - 1;
		if (planted.some((p) => start <= p.end + 8 && end >= p.start - 8)) continue;
		let size: number;
		switch (kind) {
			case 'spike':
				size = 0.45 + 1.05 * r();
				for (let t = start; t <= end; t++) values[t] *= 1 + size;
				break;
			case 'dip':
				size = 0.4 + 0.3 * r();
				for (let t = start; t <= end; t++) values[t] *= 1 - size;
				break;
			case 'outage':
				size = 0.45 + 0.4 * r();
				for (let t = start; t <= end; t++) values[t] *= 1 - size;
				break;
			case 'ramp': {
				size = 0.6 + 0.8 * r();
				const mid = (start + end) / 2;
				const half = (end - start) / 2 + 1;
				for (let t = start; t <= end; t++) values[t] *= 1 + size * (1 - Math.abs(t - mid) / half);
				break;
			}
			case 'zero':
				size = 1;
				for (let t = start; t <= end; t++) values[t] = 0;
				break;
			case 'shift_up':
				size = 0.45 + 0.6 * r();
				for (let t = start; t <= end; t++) values[t] *= 1 + size;
				break;
		}
		planted.push({ kind, start, end, size });
	}
	planted.sort((a, b) => a.start - b.start);
	return { values, clean, planted };
}

export interface Score {
	tp: number;
	fp: number;
	fn: number;
	precision: number;
	recall: number;
	f1: number;
}

/**
 * Event-level F1: flagged days are grouped into runs of consecutive days;
 * a run overlapping an anomaly's days (±1 day) is a true positive, any other
 * run a false positive; an anomaly no run touches is missed.
 */
export function scoreEvents(flagged: readonly number[], planted: readonly Planted[]): Score {
	const days = [...new Set(flagged)].sort((a, b) => a - b);
	const runs: Array<[number, number]> = [];
	for (const d of days) {
		const last = runs[runs.length - 1];
		if (last && d === last[1] + 1) last[1] = d;
		else runs.push([d, d]);
	}
	let fp = 0;
	let matchedRuns = 0;
	const hit = new Set<number>();
	for (const [a, b] of runs) {
		let matched = false;
		planted.forEach((p, i) => {
			if (a <= p.end + 1 && b >= p.start - 1) {
				matched = true;
				hit.add(i);
			}
		});
		if (matched) matchedRuns++;
		else fp++;
	}
	const tp = hit.size;
	const fn = planted.length - tp;
	const precision = runs.length === 0 ? (planted.length === 0 ? 1 : 0) : matchedRuns / runs.length;
	const recall = planted.length === 0 ? 1 : tp / planted.length;
	const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
	return { tp, fp, fn, precision, recall, f1 };
}
