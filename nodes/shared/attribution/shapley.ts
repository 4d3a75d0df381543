/**
 * Shapley-value attribution over channels.
 *
 * The game: v(S) = the conversions expected if only the channels in S had
 * run. It is estimated from the journeys themselves: a journey whose channel
 * set is T would, with only S running, have had the touches T ∩ S, and would
 * have converted at the observed conversion rate r(T ∩ S) of journeys whose
 * channel set is exactly T ∩ S. So v(S) = Σ_T n(T) · r(T ∩ S), with n(T) the
 * journeys of set T, r(∅) = 0 (nobody converts untouched) and v(all) = the
 * observed conversions, which the Shapley values therefore add up to. A set
 * never observed takes the mean rate of its subsets one channel smaller.
 *
 * Exact (every subset) up to `exactUpTo` channels (default 12: 4,096
 * subsets); beyond, the mean marginal contribution over `samples` random
 * channel orders drawn with the caller's `random` (a seeded generator makes
 * the result repeatable). Value credit is the same game on value per journey.
 *
 * Credit is never negative. A channel's Shapley value is negative when adding
 * it lowers the observed rates on average (journeys that also saw it converted
 * less often, which small or selected samples show routinely): credit has no
 * negative conversions (`attributed_conversions` holds none, and a negative
 * share would fail the whole run), so such a channel gets 0 and the positive
 * values are scaled to keep the total (the observed conversions and value).
 * `clamped` names those channels.
 */
import { channelIndex, type ChannelCredit, type Journey } from './journey';

export interface ShapleyOptions {
	/** Largest channel count computed exactly (default 12). */
	exactUpTo?: number;
	/** Permutations sampled beyond `exactUpTo` (default 2,000). */
	samples?: number;
	/** Uniform [0, 1) source for the sampled case, e.g. a seeded PRNG's `next`. */
	random?: () => number;
}

export interface ShapleyResult {
	credit: ChannelCredit[];
	method: 'exact' | 'sampled';
	/** Permutations used (sampled), or subsets evaluated (exact). */
	evaluations: number;
	/** Channels whose Shapley value was negative (conversions or value), credited 0 instead. */
	clamped: string[];
}

/** Negative values to 0, the positive ones scaled so the total stays (the game's efficiency); indexes of those set to 0. */
function nonNegative(values: Float64Array): number[] {
	let total = 0;
	let positive = 0;
	const clamped: number[] = [];
	for (let c = 0; c < values.length; c++) {
		total += values[c];
		if (values[c] > 0) positive += values[c];
		else if (values[c] < 0) clamped.push(c);
	}
	if (clamped.length === 0) return clamped;
	const scale = positive > 0 && total > 0 ? total / positive : 0;
	for (let c = 0; c < values.length; c++) values[c] = values[c] > 0 ? values[c] * scale : 0;
	return clamped;
}

const MAX_CHANNELS = 30;

interface Patterns {
	masks: number[];
	count: number[];
	rate: Map<number, number>;
	valueRate: Map<number, number>;
}

function patterns(journeys: readonly Journey[], index: Map<string, number>): Patterns {
	const byMask = new Map<number, { n: number; conv: number; value: number }>();
	for (const j of journeys) {
		if (j.touchpoints.length === 0) continue;
		let mask = 0;
		for (const t of j.touchpoints) mask |= 1 << (index.get(t.channel) as number);
		const p = byMask.get(mask) ?? { n: 0, conv: 0, value: 0 };
		p.n += 1;
		if (j.converted) {
			p.conv += 1;
			p.value += j.value;
		}
		byMask.set(mask, p);
	}
	const rate = new Map<number, number>([[0, 0]]);
	const valueRate = new Map<number, number>([[0, 0]]);
	for (const [mask, p] of byMask) {
		rate.set(mask, p.conv / p.n);
		valueRate.set(mask, p.value / p.n);
	}
	return { masks: [...byMask.keys()], count: [...byMask.values()].map((p) => p.n), rate, valueRate };
}

/** r(mask), filling an unobserved set with the mean of its one-smaller subsets. */
function rateOf(rates: Map<number, number>, mask: number): number {
	const known = rates.get(mask);
	if (known !== undefined) return known;
	let sum = 0;
	let n = 0;
	for (let m = mask; m !== 0; m &= m - 1) {
		const bit = m & -m;
		sum += rateOf(rates, mask & ~bit);
		n += 1;
	}
	const r = sum / n;
	rates.set(mask, r);
	return r;
}

export function shapleyCredit(journeys: readonly Journey[], opts: ShapleyOptions = {}): ShapleyResult {
	const { channels, index } = channelIndex(journeys);
	const k = channels.length;
	if (k > MAX_CHANNELS) throw new Error(`Shapley attribution takes at most ${MAX_CHANNELS} channels; these journeys have ${k}. Group channels (e.g. by platform).`);
	const pat = patterns(journeys, index);
	const game = (mask: number): [number, number] => {
		let conv = 0;
		let value = 0;
		for (let i = 0; i < pat.masks.length; i++) {
			const m = pat.masks[i] & mask;
			if (m === 0) continue;
			conv += pat.count[i] * rateOf(pat.rate, m);
			value += pat.count[i] * rateOf(pat.valueRate, m);
		}
		return [conv, value];
	};
	const phi = new Float64Array(k);
	const phiValue = new Float64Array(k);
	const exactUpTo = opts.exactUpTo ?? 12;
	let method: ShapleyResult['method'];
	let evaluations: number;
	if (k <= exactUpTo) {
		method = 'exact';
		const size = 1 << k;
		const v = new Float64Array(size);
		const vv = new Float64Array(size);
		for (let s = 0; s < size; s++) [v[s], vv[s]] = game(s);
		evaluations = size;
		// weight(|S|) = |S|! (k - |S| - 1)! / k!
		const weight = new Float64Array(k);
		for (let s = 0; s < k; s++) weight[s] = 1 / (k * binomial(k - 1, s));
		for (let s = 0; s < size; s++) {
			const bits = popcount(s);
			for (let c = 0; c < k; c++) {
				if (s & (1 << c)) continue;
				const w = weight[bits];
				phi[c] += w * (v[s | (1 << c)] - v[s]);
				phiValue[c] += w * (vv[s | (1 << c)] - vv[s]);
			}
		}
	} else {
		method = 'sampled';
		const random = opts.random;
		if (!random) throw new Error(`Shapley attribution over ${k} channels samples channel orders: pass a seeded \`random\` source (exact only up to ${exactUpTo}).`);
		const samples = opts.samples ?? 2000;
		const memo = new Map<number, [number, number]>();
		const cached = (mask: number) => {
			let r = memo.get(mask);
			if (!r) {
				r = game(mask);
				memo.set(mask, r);
			}
			return r;
		};
		const order = channels.map((_, i) => i);
		for (let s = 0; s < samples; s++) {
			for (let i = k - 1; i > 0; i--) {
				const j = Math.floor(random() * (i + 1));
				[order[i], order[j]] = [order[j], order[i]];
			}
			let mask = 0;
			let prev: [number, number] = [0, 0];
			for (const c of order) {
				mask |= 1 << c;
				const next = cached(mask);
				phi[c] += next[0] - prev[0];
				phiValue[c] += next[1] - prev[1];
				prev = next;
			}
		}
		for (let c = 0; c < k; c++) {
			phi[c] /= samples;
			phiValue[c] /= samples;
		}
		evaluations = samples;
	}
	const clamped = new Set([...nonNegative(phi), ...nonNegative(phiValue)]);
	return {
		credit: channels.map((channel, c) => ({ channel, conversions: phi[c], value: phiValue[c] })),
		method,
		evaluations,
		clamped: [...clamped].sort((a, b) => a - b).map((c) => channels[c]),
	};
}

function popcount(x: number): number {
	let n = 0;
	for (let m = x; m !== 0; m &= m - 1) n++;
	return n;
}

function binomial(n: number, r: number): number {
	let result = 1;
	for (let i = 1; i <= r; i++) result = (result * (n - r + i)) / i;
	return result;
}
