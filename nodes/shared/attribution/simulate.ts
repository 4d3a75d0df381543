/**
 * A journey simulator with a known ground truth, for checking the models.
 *
 * Its conversion mechanism is none of the models' own forms (not a Markov
 * chain of channel transitions, not a game of channel sets, not a rule over
 * positions): every person carries a latent purchase intent. Each touch of
 * channel c adds strength(c) · repeat^m to it (m = the person's earlier
 * touches of c: diminishing returns), and intent decays with a half-life
 * between touches and until the conversion moment. The person converts with
 * probability σ(steepness · (intent − threshold)), a logistic threshold, so
 * touches interact (two weak touches can push past the threshold together,
 * a third adds little once past it) and timing matters.
 *
 * Two decision modes. `after_each_touch` (default): after every touch the
 * person converts with that probability (a hazard), and the journey ends at
 * the conversion, as tracked journeys do (nobody is retargeted into a
 * purchase they already made); the planned touches after it are never seen.
 * `at_end`: every planned touch happens and the person decides once, half a
 * day after the last.
 *
 * Ground truth (a counterfactual): channel c's true credit is the drop in
 * expected conversions when c is removed from every journey (its touches
 * never happen, everything else unchanged: the person's planned exposures to
 * the other channels, at the same times), Σ_j p_j − p_j(without c), and the
 * true shares are these drops normalised to sum to 1. Expectations are exact
 * given the simulated exposures (no sampling noise in the truth); the
 * observed outcome of each journey is one Bernoulli draw of p_j.
 *
 * The random source is passed in (a seeded PRNG), so the same seed gives the
 * same journeys.
 */
import type { Journey, Touchpoint } from './journey';

export interface SimChannel {
	channel: string;
	platform: string;
	/** Relative frequency of this channel among touches. */
	reach: number;
	/** Intent a first touch adds. */
	strength: number;
	/** Extra weight on being the journey's late touches (retargeting, brand search), 0 = none. */
	lateBias?: number;
}

export interface SimParams {
	channels: SimChannel[];
	/** Mean touches per journey beyond the first (Poisson). Default 2.5. */
	extraTouches?: number;
	maxTouches?: number;
	/** Mean gap between touches, ms (exponential). Default 1.5 days. */
	meanGapMs?: number;
	/** Intent half-life, ms. Default 4 days. */
	intentHalfLifeMs?: number;
	/** Each repeat of a channel adds this factor of the previous one. Default 0.5. */
	repeatFactor?: number;
	threshold?: number;
	steepness?: number;
	/** Delay from the last touch to the conversion moment, ms. Default 12 hours. */
	conversionDelayMs?: number;
	start?: number;
	/** When the person decides (see above). Default `after_each_touch`. */
	decision?: 'after_each_touch' | 'at_end';
}

const DAY = 24 * 3600 * 1000;

interface Resolved extends Required<Omit<SimParams, 'channels'>> {
	channels: SimChannel[];
	strength: Map<string, number>;
}

function resolve(p: SimParams): Resolved {
	return {
		channels: p.channels,
		extraTouches: p.extraTouches ?? 2.5,
		maxTouches: p.maxTouches ?? 12,
		meanGapMs: p.meanGapMs ?? 1.5 * DAY,
		intentHalfLifeMs: p.intentHalfLifeMs ?? 4 * DAY,
		repeatFactor: p.repeatFactor ?? 0.5,
		threshold: p.threshold ?? (p.decision === 'at_end' ? 2.2 : 3),
		steepness: p.steepness ?? 2.5,
		conversionDelayMs: p.conversionDelayMs ?? 0.5 * DAY,
		decision: p.decision ?? 'after_each_touch',
		start: p.start ?? Date.UTC(2025, 5, 1),
		strength: new Map(p.channels.map((c) => [c.channel, c.strength])),
	};
}

/** Probability that a person with these planned touches converts, leaving out `without`'s touches. */
export function conversionProbability(journey: Journey, params: SimParams, without?: string): number {
	return probability(journey, resolve(params), without);
}

function sigmoid(x: number): number {
	return 1 / (1 + Math.exp(-x));
}

/** `hazards` receives each touch's conversion chance (after_each_touch). */
function probability(journey: Journey, p: Resolved, without?: string, hazards?: number[]): number {
	let intent = 0;
	let last: number | undefined;
	let survive = 1;
	const seen = new Map<string, number>();
	for (const t of journey.touchpoints) {
		if (t.channel === without) continue;
		if (last !== undefined) intent *= Math.pow(2, -(t.time - last) / p.intentHalfLifeMs);
		const m = seen.get(t.channel) ?? 0;
		seen.set(t.channel, m + 1);
		intent += (p.strength.get(t.channel) ?? 0) * Math.pow(p.repeatFactor, m);
		last = t.time;
		if (p.decision === 'after_each_touch') {
			const h = sigmoid(p.steepness * (intent - p.threshold));
			hazards?.push(h);
			survive *= 1 - h;
		}
	}
	if (last === undefined) return 0; // nobody converts untouched
	if (p.decision === 'after_each_touch') return 1 - survive;
	const end = journey.conversionTime ?? last + p.conversionDelayMs;
	intent *= Math.pow(2, -Math.max(0, end - last) / p.intentHalfLifeMs);
	return sigmoid(p.steepness * (intent - p.threshold));
}

export interface Simulation {
	/** What tracking sees: touches up to the conversion. */
	journeys: Journey[];
	/** Every planned touch (the counterfactuals are computed on these). */
	plans: Journey[];
	/** The true credit shares (normalised drops), by channel. */
	truth: Map<string, number>;
	/** Σ_j p_j − p_j(without c), by channel. */
	drops: Map<string, number>;
	expectedConversions: number;
	observedConversions: number;
}

function poisson(mean: number, random: () => number): number {
	const l = Math.exp(-mean);
	let k = 0;
	let prod = random();
	while (prod > l) {
		k++;
		prod *= random();
	}
	return k;
}

export function simulateJourneys(count: number, params: SimParams, random: () => number): Simulation {
	const p = resolve(params);
	const journeys: Journey[] = [];
	const plans: Journey[] = [];
	for (let j = 0; j < count; j++) {
		const n = Math.min(p.maxTouches, 1 + poisson(p.extraTouches, random));
		let time = p.start + random() * 30 * DAY;
		const touchpoints: Touchpoint[] = [];
		for (let i = 0; i < n; i++) {
			if (i > 0) time += -Math.log(1 - random()) * p.meanGapMs;
			const late = n === 1 ? 1 : i / (n - 1);
			let total = 0;
			const weights = p.channels.map((c) => {
				const w = c.reach * (1 + (c.lateBias ?? 0) * late);
				total += w;
				return w;
			});
			let u = random() * total;
			let pick = 0;
			while (pick < weights.length - 1 && u >= weights[pick]) u -= weights[pick++];
			const ch = p.channels[pick];
			touchpoints.push({ channel: ch.channel, platform: ch.platform, campaignId: `${ch.channel}-c${1 + Math.floor(random() * 3)}`, time: Math.round(time) });
		}
		const planned: Journey = { id: `j${j}`, touchpoints, converted: false, value: 0 };
		let converted = false;
		let seenTouches = touchpoints.length;
		if (p.decision === 'after_each_touch') {
			const hazards: number[] = [];
			probability(planned, p, undefined, hazards);
			for (let i = 0; i < hazards.length && !converted; i++) {
				if (random() < hazards[i]) {
					converted = true;
					seenTouches = i + 1;
				}
			}
		} else {
			planned.conversionTime = Math.round(time + p.conversionDelayMs);
			converted = random() < probability(planned, p);
		}
		plans.push(planned);
		const seen = touchpoints.slice(0, seenTouches);
		const journey: Journey = { id: planned.id, touchpoints: seen, converted, value: 0, conversionTime: seen[seen.length - 1].time + Math.round(p.conversionDelayMs) };
		if (converted) {
			journey.value = Math.round(40 * Math.exp(0.5 * Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random())) * 100) / 100;
		}
		journeys.push(journey);
	}
	const drops = new Map<string, number>(p.channels.map((c) => [c.channel, 0]));
	let expected = 0;
	let observed = 0;
	for (const journey of journeys) if (journey.converted) observed += 1;
	for (const plan of plans) {
		const all = probability(plan, p);
		expected += all;
		const present = new Set(plan.touchpoints.map((t) => t.channel));
		for (const c of present) drops.set(c, (drops.get(c) as number) + all - probability(plan, p, c));
	}
	const sum = [...drops.values()].reduce((s, d) => s + d, 0);
	const truth = new Map([...drops].map(([c, d]) => [c, sum > 0 ? d / sum : 0]));
	return { journeys, plans, truth, drops, expectedConversions: expected, observedConversions: observed };
}
