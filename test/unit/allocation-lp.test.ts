/**
 * Issue 19: the greedy allocator against the exact optimum of a linear program (HiGHS) on
 * piecewise-linear segments of the same curves, on 50 random instances of 5-200 campaigns with
 * random concave curves (Hill alpha <= 1, exponential saturation, logarithm, power), floors,
 * ceilings, step caps, locked campaigns and a second currency through an FX rate.
 * The LP is built here from the raw input (its own bounds: floor, ceiling, step cap, minor units),
 * 80 segments per campaign, so it shares no code with the allocator. Every constraint is checked
 * on every proposed budget.
 */
import assert from 'node:assert/strict';
import { test } from 'vitest';
import highsLoader from 'highs';
import { Rng } from '../../scripts/sandbox/rng';
import { planBudget, type CampaignPlanInput, type PlanInput, type ResponseModel } from '../../nodes/shared/allocation';

interface Instance {
	input: PlanInput;
	curves: Array<(x: number) => number>;
}

/** A random concave curve in the campaign's currency, scaled to give a few to a few hundred conversions. */
function randomCurve(rng: Rng, current: number): (x: number) => number {
	const kind = rng.int(0, 3);
	const k = current * Math.exp(rng.float(-1.5, 1.5));
	const s = (current / rng.float(5, 60)) * rng.float(0.5, 3);
	if (kind === 0) {
		const a = rng.float(0.3, 1);
		return (x) => (x <= 0 ? 0 : (s * x ** a) / (x ** a + k ** a));
	}
	if (kind === 1) return (x) => s * (1 - Math.exp(-x / k));
	if (kind === 2) return (x) => s * Math.log(1 + x / k);
	const p = rng.float(0.3, 0.9);
	return (x) => s * (Math.max(0, x) / k) ** p;
}

const FX = 1.17; // 1 GBP = 1.17 EUR

/** The range the plan may use, from the raw input (campaign currency, cents inwards). */
function rawBounds(c: CampaignPlanInput, maxStep: number | null): [number, number] {
	if (c.locked) return [c.current, c.current];
	const lo = Math.max(c.floor ?? 0, maxStep === null ? 0 : c.current * (1 - maxStep));
	const hi = Math.min(c.ceiling ?? Infinity, maxStep === null ? Infinity : c.current * (1 + maxStep));
	return [Math.ceil(lo * 100 - 1e-9) / 100, Math.floor(hi * 100 + 1e-9) / 100];
}

function randomInstance(rng: Rng, objective: 'conversions' | 'revenue' = 'conversions'): Instance {
	const n = rng.int(5, 200);
	const maxStep = rng.pick([0.1, 0.2, 0.2, 0.3, 0.5, null]);
	const campaigns: CampaignPlanInput[] = [];
	const curves: Array<(x: number) => number> = [];
	for (let i = 0; i < n; i++) {
		const current = Math.round(rng.float(5, 800) * 100) / 100;
		const currency = rng.chance(0.3) ? 'GBP' : 'EUR';
		const f = randomCurve(rng, current);
		const c: CampaignPlanInput = { id: `c${i}`, currency, current, [objective]: { mean: f } satisfies ResponseModel };
		if (rng.chance(0.4)) c.floor = Math.round(current * rng.float(0.3, 1) * 100) / 100;
		if (rng.chance(0.4) || maxStep === null) c.ceiling = Math.round(current * rng.float(1, 3) * 100) / 100;
		if (rng.chance(0.1)) c.locked = 'locked by the buyer';
		campaigns.push(c);
		curves.push(f);
	}
	let low = 0;
	let high = 0;
	for (const c of campaigns) {
		const [lo, hi] = rawBounds(c, maxStep);
		const fx = c.currency === 'GBP' ? FX : 1;
		low += lo * fx;
		high += hi * fx;
	}
	const total = Math.round((low + rng.next() * (high - low)) * 100) / 100;
	return { input: { objective, totalBudget: Math.min(Math.max(total, Math.ceil(low * 100) / 100), Math.floor(high * 100) / 100), currency: 'EUR', fx: { GBP: FX }, maxStep, campaigns }, curves };
}

const SEGMENTS = 80;

/** The LP optimum of the instance on SEGMENTS linear pieces per campaign (plan currency). */
function lpOptimum(highs: Awaited<ReturnType<typeof highsLoader>>, inst: Instance): { value: number; atLow: number; ms: number } {
	const { input, curves } = inst;
	const maxStep = input.maxStep === undefined ? 0.2 : input.maxStep;
	let fixed = 0;
	let base = 0;
	const objective: string[] = [];
	const bounds: string[] = [];
	const vars: string[] = [];
	input.campaigns.forEach((c, i) => {
		const fx = c.currency === 'GBP' ? FX : 1;
		const [lo, hi] = rawBounds(c, maxStep);
		const f = (xPlan: number) => curves[i]!(xPlan / fx) * (input.objective === 'revenue' ? fx : 1);
		if (c.locked) {
			fixed += c.current * fx;
			base += f(c.current * fx);
			return;
		}
		fixed += lo * fx;
		base += f(lo * fx);
		const w = ((hi - lo) * fx) / SEGMENTS;
		if (!(w > 0)) return;
		for (let j = 0; j < SEGMENTS; j++) {
			const v = `y${i}_${j}`;
			const slope = (f(lo * fx + (j + 1) * w) - f(lo * fx + j * w)) / w;
			objective.push(`${slope >= 0 ? '+' : '-'} ${Math.abs(slope)} ${v}`);
			bounds.push(`0 <= ${v} <= ${w}`);
			vars.push(v);
		}
	});
	const rhs = input.totalBudget! - fixed;
	const lp = `Maximize\n obj: ${objective.join(' ')}\nSubject To\n budget: ${vars.join(' + ')} = ${rhs}\nBounds\n ${bounds.join('\n ')}\nEnd\n`;
	const t0 = performance.now();
	// presolve off: on these LPs (one row, many bounded columns) HiGHS's presolve takes 5x the solve
	const sol = highs.solve(lp, { presolve: 'off' });
	const ms = performance.now() - t0;
	assert.equal(sol.Status, 'Optimal', `LP status ${sol.Status}`);
	return { value: base + sol.ObjectiveValue, atLow: base, ms };
}

test('50 random instances: the allocator within 0.05 % of the LP optimum, every constraint held', async () => {
	const highs = await highsLoader();
	const rng = new Rng(19_050);
	const gaps: number[] = [];
	// the same gap over what the plan can move: the optimum's gain above every campaign at its low end
	const movable: number[] = [];
	let campaignsChecked = 0;
	for (let k = 0; k < 50; k++) {
		const inst = randomInstance(rng, k % 5 === 4 ? 'revenue' : 'conversions');
		const { input, curves } = inst;
		const plan = planBudget(input);
		assert.equal(plan.status, 'planned', `instance ${k}: ${plan.status === 'refused' ? `${plan.reason} ${plan.problems.join('; ')}` : ''}`);
		if (plan.status !== 'planned') continue;
		const maxStep = input.maxStep === undefined ? 0.2 : input.maxStep;
		let value = 0;
		let spend = 0;
		plan.campaigns.forEach((row, i) => {
			const c = input.campaigns[i]!;
			const fx = c.currency === 'GBP' ? FX : 1;
			assert.equal(row.id, c.id);
			const x = row.proposed;
			const where = `instance ${k} campaign ${c.id}: ${c.current} -> ${x}`;
			if (c.locked) assert.equal(x, c.current, where);
			if (c.floor !== undefined) assert.ok(x >= c.floor - 1e-9, `${where} below floor ${c.floor}`);
			if (c.ceiling !== undefined) assert.ok(x <= c.ceiling + 1e-9, `${where} above ceiling ${c.ceiling}`);
			if (maxStep !== null && !c.locked) assert.ok(Math.abs(x - c.current) <= maxStep * c.current + 1e-9, `${where} beyond the ${maxStep} step cap`);
			assert.equal(x, Math.round(x * 100) / 100, `${where} not on cents`);
			value += curves[i]!(x) * (input.objective === 'revenue' ? fx : 1);
			spend += x * fx;
			campaignsChecked++;
		});
		// never above the total; below it by at most a cent per campaign (GBP cents do not add up to EUR cents)
		assert.ok(spend <= input.totalBudget! + 1e-6, `instance ${k}: spends ${spend} of ${input.totalBudget}`);
		assert.ok(spend >= input.totalBudget! - 0.01 * FX * input.campaigns.length, `instance ${k}: spends ${spend} of ${input.totalBudget}`);
		const lp = lpOptimum(highs, inst);
		const gap = (lp.value - value) / lp.value;
		gaps.push(gap);
		movable.push((lp.value - value) / (lp.value - lp.atLow));
		// measured: at most 0.0135 % (README); 0.5 % here let a 37-fold regression pass
		assert.ok(gap <= 0.0005, `instance ${k} (${input.campaigns.length} campaigns): allocator ${value}, LP ${lp.value}, gap ${(gap * 100).toFixed(3)} %`);
	}
	gaps.sort((a, b) => a - b);
	movable.sort((a, b) => a - b);
	console.log(`allocation vs LP: 50 instances, ${campaignsChecked} campaigns checked; gap (LP - allocator) / LP: max ${(gaps.at(-1)! * 100).toFixed(4)} %, median ${(gaps[25]! * 100).toFixed(4)} %, min ${(gaps[0]! * 100).toFixed(4)} % (negative: the allocator above the 80-piece LP, which cuts the curves' corners); of the movable part (optimum above the low ends): max ${(movable.at(-1)! * 100).toFixed(4)} %`);
}, 10 * 60_000);
