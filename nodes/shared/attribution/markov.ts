/**
 * First-order Markov-chain attribution with the removal effect (Anderl et al.
 * 2016; the ChannelAttribution package's `markov_model`, order 1).
 *
 * Every journey is a path start → c1 → … → cn → (conversion | null). The
 * transition probabilities between states are the observed transition
 * frequencies. The chain's conversion probability P is the probability of
 * being absorbed in `conversion` from `start`. Removing channel c sends every
 * transition into c to `null`; its removal effect is RE(c) = 1 - P(without c)/P.
 * A channel's credit is its share of the summed removal effects times the
 * observed conversions (and value).
 */
import { channelIndex, type ChannelCredit, type Journey } from './journey';

export interface MarkovResult {
	credit: ChannelCredit[];
	/** Conversion probability of the whole chain. */
	conversionProbability: number;
	removalEffects: Map<string, number>;
}

/** Transition counts: rows start (0) and channels (1..k); columns channels (1..k), conversion (k+1), null (k+2). */
function transitionCounts(journeys: readonly Journey[], index: Map<string, number>, k: number): Float64Array[] {
	const rows = Array.from({ length: k + 1 }, () => new Float64Array(k + 3));
	for (const j of journeys) {
		if (j.touchpoints.length === 0) continue;
		let from = 0;
		for (const t of j.touchpoints) {
			const to = (index.get(t.channel) as number) + 1;
			rows[from][to] += 1;
			from = to;
		}
		rows[from][j.converted ? k + 1 : k + 2] += 1;
	}
	return rows;
}

/** Probability of reaching conversion from start, with the `removed` channel states (1..k) leading to null. */
function absorption(counts: Float64Array[], k: number, removed: number): number {
	const n = k + 1; // transient states: start + channels
	// A x = b with A = I - Q, b = R[:, conversion]; a removed state has x = 0.
	const a = Array.from({ length: n }, () => new Float64Array(n + 1));
	for (let s = 0; s < n; s++) {
		a[s][s] = 1;
		if (s === removed) continue;
		const row = counts[s];
		let total = 0;
		for (let t = 1; t < k + 3; t++) total += row[t];
		if (total === 0) continue; // never left: cannot convert
		for (let t = 1; t <= k; t++) if (t !== removed && row[t] > 0) a[s][t] -= row[t] / total;
		a[s][n] = row[k + 1] / total;
	}
	// Gaussian elimination with partial pivoting.
	for (let col = 0; col < n; col++) {
		let pivot = col;
		for (let r = col + 1; r < n; r++) if (Math.abs(a[r][col]) > Math.abs(a[pivot][col])) pivot = r;
		[a[col], a[pivot]] = [a[pivot], a[col]];
		const p = a[col][col];
		if (Math.abs(p) < 1e-15) continue;
		for (let r = 0; r < n; r++) {
			if (r === col || a[r][col] === 0) continue;
			const f = a[r][col] / p;
			for (let c = col; c <= n; c++) a[r][c] -= f * a[col][c];
		}
	}
	return Math.abs(a[0][0]) < 1e-15 ? 0 : a[0][n] / a[0][0];
}

export function markovCredit(journeys: readonly Journey[]): MarkovResult {
	const { channels, index } = channelIndex(journeys);
	const k = channels.length;
	const counts = transitionCounts(journeys, index, k);
	const p = absorption(counts, k, -1);
	let conversions = 0;
	let value = 0;
	for (const j of journeys) {
		if (j.converted && j.touchpoints.length > 0) {
			conversions += 1;
			value += j.value;
		}
	}
	const removalEffects = new Map<string, number>();
	let sum = 0;
	for (let c = 0; c < k; c++) {
		const re = p > 0 ? Math.max(0, 1 - absorption(counts, k, c + 1) / p) : 0;
		removalEffects.set(channels[c], re);
		sum += re;
	}
	const credit = channels.map((channel) => {
		const share = sum > 0 ? (removalEffects.get(channel) as number) / sum : 0;
		return { channel, conversions: share * conversions, value: share * value };
	});
	return { credit, conversionProbability: p, removalEffects };
}
