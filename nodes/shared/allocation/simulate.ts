/**
 * Campaigns with known response curves, and a backtest of weekly plans on them (issue 19).
 *
 * The true world is deliberately NOT the fitted family (fit.ts: Hill + geometric adstock + additive
 * weekday intercepts + least squares):
 *   - shapes: Hill (alpha 0.8..2.5), exponential saturation 1 - e^(-x/k), and logarithmic ln(1 + x/k),
 *     which never saturates; only the first is a Hill curve;
 *   - adstock: geometric for some campaigns, delayed (peak after 1-3 days, weights over 14 days) for
 *     the others, which no geometric carry-over reproduces;
 *   - weekly seasonality multiplies the whole response (the fit has additive weekday intercepts);
 *   - noise: gamma-Poisson (negative binomial) counts, revenue = conversions x a noisy order value;
 *   - spend is the budget times a delivery factor (about +-5 %).
 * The random source is passed in (scripts/sandbox/rng.ts `Rng` fits), so nothing here owns a PRNG.
 */
import { responseModel, planBudget, type CampaignPlanInput, type ResponseModel } from './plan';
import { fitResponse, type CurveFit } from './fit';
import { quantileSorted } from '../insights/stats';

export interface Random {
	/** Uniform in [0, 1). */
	next(): number;
	/** Standard normal. */
	normal(): number;
}

export type TrueShape = 'hill' | 'exp' | 'log';

export interface TrueCampaign {
	id: string;
	shape: TrueShape;
	/** Conversions per day at saturation scale. */
	scale: number;
	k: number;
	alpha: number;
	/** Adstock weights, lag 0 first, summing to 1 (a steady spend x gives x). */
	carry: number[];
	/** Conversions per day without spend. */
	base: number;
	/** Multiplicative weekday factors, mean 1. */
	season: number[];
	/** Negative-binomial shape (larger: closer to Poisson). */
	dispersion: number;
	/** Mean revenue per conversion. */
	orderValue: number;
	/** The budget it starts with. */
	initial: number;
}

function shapeValue(c: TrueCampaign, x: number): number {
	if (x <= 0) return 0;
	if (c.shape === 'hill') return x ** c.alpha / (x ** c.alpha + c.k ** c.alpha);
	if (c.shape === 'exp') return 1 - Math.exp(-x / c.k);
	return Math.log(1 + x / c.k) / Math.log(6);
}

/** Expected conversions per day at a steady daily spend x (averaged over the week). */
export function trueMean(c: TrueCampaign, x: number): number {
	return c.base + c.scale * shapeValue(c, x);
}

/** The true curve as an allocator model (the oracle's). */
export function trueModel(c: TrueCampaign, outcome: 'conversions' | 'revenue' = 'conversions'): ResponseModel {
	const f = outcome === 'conversions' ? 1 : c.orderValue;
	return { mean: (x) => trueMean(c, x) * f };
}

/** A world of n campaigns with different shapes, carry-over, seasonality and noise. */
export function generateCampaigns(rng: Random, n: number, volume = 1, dispersion: readonly [number, number] = [5, 50]): TrueCampaign[] {
	const shapes: TrueShape[] = ['hill', 'exp', 'log'];
	const out: TrueCampaign[] = [];
	for (let i = 0; i < n; i++) {
		const shape = shapes[i % 3]!;
		const k = 50 * Math.exp(rng.normal() * 0.8);
		const cpaAtK = 4 * Math.exp(rng.normal() * 0.4);
		let carry: number[];
		if (rng.next() < 0.5) {
			const theta = rng.next() * 0.6;
			carry = Array.from({ length: 14 }, (_, l) => theta ** l);
		} else {
			const peak = 1 + Math.floor(rng.next() * 3);
			const width = 1 + rng.next() * 2;
			carry = Array.from({ length: 14 }, (_, l) => Math.exp(-(((l - peak) / width) ** 2)));
		}
		const sum = carry.reduce((a, b) => a + b, 0);
		carry = carry.map((w) => w / sum);
		const amp = 0.05 + rng.next() * 0.25;
		const phase = rng.next() * 2 * Math.PI;
		const raw = Array.from({ length: 7 }, (_, d) => 1 + amp * Math.sin((2 * Math.PI * d) / 7 + phase));
		const mean = raw.reduce((a, b) => a + b, 0) / 7;
		out.push({
			id: `sim-${i + 1}`,
			shape,
			scale: (volume * k) / cpaAtK,
			k,
			alpha: 0.8 + rng.next() * 1.7,
			carry,
			base: ((volume * k) / cpaAtK) * rng.next() * 0.1,
			season: raw.map((s) => s / mean),
			dispersion: dispersion[0] + rng.next() * (dispersion[1] - dispersion[0]),
			orderValue: 30 + rng.next() * 120,
			// from a third to three times the curve's scale: some far too high, some far too low
			initial: Math.round(k * Math.exp((rng.next() * 2 - 1) * 1.1) * 100) / 100,
		});
	}
	return out;
}

function gamma(rng: Random, shape: number): number {
	// Marsaglia–Tsang (shape >= 1; boosted below 1)
	if (shape < 1) return gamma(rng, shape + 1) * rng.next() ** (1 / shape);
	const d = shape - 1 / 3;
	const c = 1 / Math.sqrt(9 * d);
	for (;;) {
		let x: number;
		let v: number;
		do {
			x = rng.normal();
			v = 1 + c * x;
		} while (v <= 0);
		v = v * v * v;
		const u = rng.next();
		if (u < 1 - 0.0331 * x ** 4 || Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v;
	}
}

function poisson(rng: Random, mean: number): number {
	if (mean <= 0) return 0;
	if (mean > 40) return Math.max(0, Math.round(mean + Math.sqrt(mean) * rng.normal()));
	const l = Math.exp(-mean);
	let k = 0;
	let p = 1;
	do {
		k++;
		p *= rng.next();
	} while (p > l);
	return k - 1;
}

/** A campaign's daily record so far (the fitter's input) and its true expected conversions. */
export interface SimHistory {
	spend: number[];
	conversions: number[];
	revenue: number[];
	/** Noise-free expected conversions per day. */
	expected: number[];
	/** The budget it runs at after the last day. */
	budget: number;
}

/** Expected conversions on day t of a spend path (adstock over the path, weekday of day t). */
function expectedOn(c: TrueCampaign, spend: readonly number[], t: number, firstWeekday: number): number {
	let a = 0;
	for (let l = 0; l < c.carry.length; l++) a += c.carry[l]! * (t - l >= 0 ? spend[t - l]! : spend[0]!);
	return c.season[(firstWeekday + t) % 7]! * trueMean(c, a);
}

/** Appends days at the given budget: spend with delivery noise, noisy conversions and revenue. */
export function simulateDays(rng: Random, c: TrueCampaign, h: SimHistory, budget: number, days: number, firstWeekday: number): void {
	for (let i = 0; i < days; i++) {
		const spend = Math.max(0, budget * (1 + 0.05 * rng.normal()));
		h.spend.push(Math.round(spend * 100) / 100);
		const t = h.spend.length - 1;
		const mu = expectedOn(c, h.spend, t, firstWeekday);
		h.expected.push(mu);
		const conv = poisson(rng, gamma(rng, c.dispersion) * (mu / c.dispersion));
		h.conversions.push(conv);
		let rev = 0;
		for (let j = 0; j < conv; j++) rev += c.orderValue * Math.exp(0.4 * rng.normal() - 0.08);
		h.revenue.push(Math.round(rev * 100) / 100);
	}
}

/** History with the budget moved every week (what past rule changes leave behind): +-12 % steps. */
export function simulateHistory(rng: Random, c: TrueCampaign, days: number, firstWeekday = 0): SimHistory {
	const h: SimHistory = { spend: [], conversions: [], revenue: [], expected: [], budget: c.initial };
	let budget = c.initial;
	for (let d = 0; d < days; d += 7) {
		simulateDays(rng, c, h, budget, Math.min(7, days - d), firstWeekday);
		budget = Math.min(1.6 * c.initial, Math.max(0.6 * c.initial, budget * Math.exp(0.12 * rng.normal())));
	}
	h.budget = Math.round(budget * 100) / 100;
	return h;
}

/** Mean relative error of a fitted curve against the true one on the spend range it saw (10 points). */
export function recoveryError(fit: CurveFit, c: TrueCampaign, mean: (x: number) => number): number | undefined {
	if (!fit.ok) return undefined;
	const { seenLow, seenHigh } = fit.quality;
	let s = 0;
	for (let i = 0; i < 10; i++) {
		const x = seenLow + ((seenHigh - seenLow) * i) / 9;
		const t = trueMean(c, x);
		s += Math.abs(mean(x) - t) / t;
	}
	return s / 10;
}

export interface BacktestOptions {
	campaigns?: number;
	historyDays?: number;
	weeks?: number;
	maxStep?: number;
	/** Days of history each weekly fit reads (default 365). */
	window?: number;
	/**
	 * Range of the negative-binomial shape r (default 5-50): the day-to-day spread beyond Poisson, a
	 * coefficient of variation of at least 1/sqrt(r) however many conversions (45 % at r = 5, 14 % at 50).
	 */
	dispersion?: readonly [number, number];
	/** Conversions per unit of spend, as a multiple of the default world (median 6 a day per campaign, p10 2, p90 25). */
	volume?: number;
}

export interface BacktestResult {
	/** Expected conversions over the simulated weeks, noise-free, per strategy. */
	flat: number;
	plan: number;
	oracle: number;
	/** (plan - flat) / (oracle - flat). */
	share: number;
	/** Campaigns held at some weekly plan (any reason), counted once each. */
	held: number;
	/** Weekly plans refused. */
	refused: number;
	/** Recovery error of the first fits: median and 90th percentile over campaigns, and how many fitted. */
	recovery: { median: number; p90: number; fitted: number };
	/**
	 * The weekly plans' own claims: how many plans, how many of their 95 % uplift intervals held the
	 * true uplift (true curves, steady state), and the predicted and true uplift summed over the plans.
	 */
	claims: { plans: number; covered: number; predicted: number; truth: number };
	/** Budgets at the start and after the last week, per campaign. */
	budgets: { start: number[]; plan: number[]; oracle: number[] };
	world: TrueCampaign[];
}

function budgetsValue(world: TrueCampaign[], hist: number[][], from: number): number {
	let s = 0;
	world.forEach((c, i) => {
		for (let t = from; t < hist[i]!.length; t++) s += expectedOn(c, hist[i]!, t, 0);
	});
	return s;
}

/**
 * Weekly plans over `weeks` weeks after `historyDays` of history: flat budgets, plans on curves
 * fitted each week from the simulated data, and the oracle's plans on the true curves, all under the
 * same total, floors (a fifth of the budget at the start), ceilings (four times) and step cap. The value of a
 * strategy is its true expected conversions over the weeks (the noise does not decide the comparison).
 */
export function backtest(rng: Random, options: BacktestOptions = {}): BacktestResult {
	const n = options.campaigns ?? 20;
	const historyDays = options.historyDays ?? 180;
	const weeks = options.weeks ?? 26;
	const maxStep = options.maxStep ?? 0.2;
	const window = options.window ?? 365;
	const world = generateCampaigns(rng, n, options.volume ?? 1, options.dispersion);
	const histories = world.map((c) => simulateHistory(rng, c, historyDays));
	const floors = histories.map((h) => Math.round(h.budget * 20) / 100);
	const ceilings = histories.map((h) => Math.round(h.budget * 400) / 100);

	const recov: number[] = [];
	let fitted = 0;
	for (let i = 0; i < n; i++) {
		const f = fitResponse({ firstWeekday: 0, spend: histories[i]!.spend, outcome: histories[i]!.conversions });
		const m = responseModel(f);
		if (typeof m === 'object') {
			fitted++;
			const e = recoveryError(f, world[i]!, m.mean);
			if (e !== undefined) recov.push(e);
		}
	}
	recov.sort((a, b) => a - b);

	// spend paths (budgets, noise-free) for flat and oracle; the plan path lives in the histories
	const flatPath = histories.map((h) => h.spend.slice());
	const oraclePath = histories.map((h) => h.spend.slice());
	const planPath = histories.map((h) => h.spend.slice());
	let planBudgets = histories.map((h) => h.budget);
	let oracleBudgets = histories.map((h) => h.budget);
	const held = new Set<string>();
	let refused = 0;
	const claims = { plans: 0, covered: 0, predicted: 0, truth: 0 };
	const inputs = (budgets: number[], models: Array<ResponseModel | string>): CampaignPlanInput[] =>
		world.map((c, i) => ({ id: c.id, currency: 'EUR', current: budgets[i]!, floor: floors[i], ceiling: ceilings[i], conversions: models[i] }));
	for (let w = 0; w < weeks; w++) {
		const models = histories.map((h) => {
			const from = Math.max(0, h.spend.length - window);
			const first = from % 7;
			return responseModel(fitResponse({ firstWeekday: first, spend: h.spend.slice(from), outcome: h.conversions.slice(from) }));
		});
		const plan = planBudget({ objective: 'conversions', totalBudget: planBudgets.reduce((a, b) => a + b, 0), currency: 'EUR', maxStep, campaigns: inputs(planBudgets, models) });
		if (plan.status === 'planned') {
			// the plan's own uplift claim against the true curves (steady state)
			const truth = world.reduce((acc, c, i) => acc + trueMean(c, plan.campaigns[i]!.proposed) - trueMean(c, planBudgets[i]!), 0);
			const u = plan.totals.uplift;
			claims.plans++;
			if (truth >= u.low && truth <= u.high) claims.covered++;
			claims.predicted += u.value;
			claims.truth += truth;
			planBudgets = plan.campaigns.map((c) => c.proposed);
			for (const c of plan.campaigns) if (c.status === 'held') held.add(c.id);
		} else refused++;
		const oracle = planBudget({ objective: 'conversions', totalBudget: oracleBudgets.reduce((a, b) => a + b, 0), currency: 'EUR', maxStep, campaigns: inputs(oracleBudgets, world.map((c) => trueModel(c))) });
		if (oracle.status === 'planned') oracleBudgets = oracle.campaigns.map((c) => c.proposed);
		world.forEach((c, i) => {
			simulateDays(rng, c, histories[i]!, planBudgets[i]!, 7, 0);
			for (let d = 0; d < 7; d++) {
				flatPath[i]!.push(histories[i]!.budget);
				oraclePath[i]!.push(oracleBudgets[i]!);
				planPath[i]!.push(planBudgets[i]!);
			}
		});
	}
	const flat = budgetsValue(world, flatPath, historyDays);
	const planV = budgetsValue(world, planPath, historyDays);
	const oracleV = budgetsValue(world, oraclePath, historyDays);
	return {
		flat,
		plan: planV,
		oracle: oracleV,
		share: (planV - flat) / (oracleV - flat),
		held: held.size,
		refused,
		claims,
		budgets: { start: histories.map((h) => h.budget), plan: planBudgets, oracle: oracleBudgets },
		world,
		recovery: { median: quantileSorted(recov, 0.5), p90: quantileSorted(recov, 0.9), fitted },
	};
}
