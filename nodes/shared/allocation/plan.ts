/**
 * The budget allocator (issue 19): splits a daily budget across campaigns on their response curves.
 *
 * Objectives: the most conversions or revenue for a total budget, or a target CPA / ROAS: the
 * largest total along the efficient frontier (for each total, the split that buys the most) whose
 * overall CPA / ROAS still meets the target, i.e. those conversions at the least spend.
 * Constraints: per-campaign floor and ceiling, a maximum change per step (default 20 % of the current
 * budget), locked and held campaigns stay where they are, currencies converted into the plan's
 * currency through the given FX rates. Each curve is sampled on its allowed range and replaced by
 * its upper concave envelope, where filling in order of marginal return is exact (envelope.ts).
 * Any input it cannot honour gives a refusal with the reason, never part of a plan.
 */
import { currencyExponent, fmtMoney } from '../platforms/currency';
import { envelopeSegments, fill, fillOrder, type Segment } from './envelope';
import { curveDiffSd, curveMean, curveSd, curveSlope, type CurveFit, type FitQuality } from './fit';

/** A campaign's expected daily outcome as a function of a steady daily spend (campaign currency). */
export interface ResponseModel {
	mean(x: number): number;
	/** Derivative of mean; numerical when absent. */
	slope?(x: number): number;
	/** Standard deviation of mean(x) (parameter uncertainty); 0 when absent. */
	sd?(x: number): number;
	/** Standard deviation of mean(x1) - mean(x0). */
	diffSd?(x1: number, x0: number): number;
	/** Daily spend range the data covered. */
	seen?: { low: number; high: number };
	quality?: FitQuality;
}

/** The model of a fit, or the reason the campaign is held (a string). */
export function responseModel(fit: CurveFit): ResponseModel | string {
	if (!fit.ok) return fit.reason;
	const c = fit.curve;
	return {
		mean: (x) => curveMean(c, x),
		slope: (x) => curveSlope(c, x),
		sd: (x) => curveSd(c, x),
		diffSd: (x1, x0) => curveDiffSd(c, x1, x0),
		seen: { low: fit.quality.seenLow, high: fit.quality.seenHigh },
		quality: fit.quality,
	};
}

export const OBJECTIVES = ['conversions', 'revenue', 'target-cpa', 'target-roas'] as const;
export type Objective = (typeof OBJECTIVES)[number];

export interface CampaignPlanInput {
	id: string;
	name?: string;
	/** ISO 4217 code of the campaign's budgets, spend and revenue. */
	currency: string;
	/** Current daily budget (campaign currency). */
	current: number;
	floor?: number;
	ceiling?: number;
	/** true, or the reason: held at its current budget. */
	locked?: boolean | string;
	/** Conversions model, or why there is none (the campaign is then held for conversion objectives). */
	conversions?: ResponseModel | string;
	/** Revenue model (campaign currency), or why there is none. */
	revenue?: ResponseModel | string;
}

export interface PlanInput {
	objective: Objective;
	/** CPA (plan currency per conversion) or ROAS (revenue / spend) for the target objectives. */
	target?: number;
	/** Daily total over all campaigns in scope (plan currency). Required for conversions/revenue; an upper limit for the targets. */
	totalBudget?: number;
	/** ISO 4217 code the plan is in. */
	currency: string;
	/** 1 unit of the key currency = rate units of the plan currency. */
	fx?: Readonly<Record<string, number>>;
	/** Largest change per campaign in one plan, as a fraction of its current budget (default 0.2); null for none. */
	maxStep?: number | null;
	/** Points sampled per curve (default 64). */
	gridPoints?: number;
	campaigns: readonly CampaignPlanInput[];
}

export interface Estimate {
	value: number;
	/** 95 % interval (parameter uncertainty of the fitted curves). */
	low: number;
	high: number;
}

export interface PlannedCampaign {
	id: string;
	name: string;
	currency: string;
	current: number;
	proposed: number;
	/** proposed / current - 1 (0 when current is 0). */
	change: number;
	status: 'moved' | 'unchanged' | 'locked' | 'held';
	reason?: string;
	/** The range this plan could use (campaign currency): floor, ceiling and step cap together. */
	low: number;
	high: number;
	/** Expected daily outcome (conversions, or revenue in the plan currency) at current and proposed. */
	expected?: { current: Estimate; proposed: Estimate };
	/** At the proposed budget: plan currency per extra conversion, or extra revenue per extra spend. */
	marginal?: { cpa?: number; roas?: number };
	/** Share of [low, high] outside the spend range the data covered. */
	extrapolatedShare?: number;
	/** The proposed budget lies outside the spend range the data covered. */
	extrapolated?: boolean;
	fit?: FitQuality;
}

export interface Plan {
	status: 'planned';
	objective: Objective;
	outcome: 'conversions' | 'revenue';
	currency: string;
	campaigns: PlannedCampaign[];
	totals: {
		currentSpend: number;
		proposedSpend: number;
		current: Estimate;
		proposed: Estimate;
		uplift: Estimate;
		/** How far below the envelope optimum the plan may be (outcome per day); 0 on concave curves. */
		envelopeGap: number;
		/** CPA (plan currency) or ROAS at current and proposed. */
		currentRatio: number;
		proposedRatio: number;
	};
	/** The plan in sentences, money rounded. */
	text: string[];
}

export interface Refusal {
	status: 'refused';
	reason: string;
	problems: string[];
}

export type PlanResult = Plan | Refusal;

const Z95 = 1.959964;

function refuse(reason: string, problems: string[] = []): Refusal {
	return { status: 'refused', reason, problems };
}

function num(n: number, digits = 1): string {
	const s = 10 ** digits;
	return (Math.round(n * s) / s).toLocaleString('en-US', { maximumFractionDigits: digits });
}

interface Prepared {
	input: CampaignPlanInput;
	name: string;
	fx: number;
	/** Minor unit (0.01 for EUR) and minor units per unit (100): amounts are whole minor units divided by `minor`, so 57 cents is 0.57, not 57 * 0.01 = 0.5700000000000001. */
	unit: number;
	minor: number;
	model?: ResponseModel;
	fixed: boolean;
	status: PlannedCampaign['status'];
	reason?: string;
	/** campaign currency */
	low: number;
	high: number;
}

function slopeOf(m: ResponseModel, x: number): number {
	if (m.slope) return m.slope(x);
	const h = Math.max(1e-6, Math.abs(x) * 1e-4);
	const lo = Math.max(0, x - h);
	return (m.mean(x + h) - m.mean(lo)) / (x + h - lo);
}

/** Plans the budget split, or refuses with the reason. */
export function planBudget(input: PlanInput): PlanResult {
	const { objective, campaigns } = input;
	const outcome: 'conversions' | 'revenue' = objective === 'conversions' || objective === 'target-cpa' ? 'conversions' : 'revenue';
	const isTarget = objective === 'target-cpa' || objective === 'target-roas';
	const maxStep = input.maxStep === undefined ? 0.2 : input.maxStep;
	const grid = input.gridPoints ?? 64;
	if (!OBJECTIVES.includes(objective)) return refuse(`the objective must be one of ${OBJECTIVES.join(', ')}, got ${String(objective)}`);
	if (currencyExponent(input.currency) === undefined) return refuse(`the plan currency ${input.currency} is not an ISO 4217 code`);
	if (campaigns.length === 0) return refuse('no campaigns in scope: nothing to plan');
	if (campaigns.length === 1) return refuse(`only one campaign in scope (${campaigns[0]!.name ?? campaigns[0]!.id}): a split needs two or more; change its budget directly`);
	if (!(Number.isInteger(grid) && grid >= 2)) return refuse(`the points sampled per curve must be a whole number of at least 2, got ${grid}`);
	if (maxStep !== null && !(maxStep >= 0 && Number.isFinite(maxStep))) return refuse(`the maximum change per step must be a fraction of at least 0, got ${maxStep}`);
	if (isTarget && !(input.target !== undefined && input.target > 0 && Number.isFinite(input.target))) return refuse(`a ${objective} plan needs a positive target, got ${input.target}`);
	if (!isTarget && !(input.totalBudget !== undefined && input.totalBudget >= 0 && Number.isFinite(input.totalBudget))) return refuse(`a ${objective} plan needs a total budget of at least 0, got ${input.totalBudget}`);
	if (isTarget && input.totalBudget !== undefined && !(input.totalBudget >= 0 && Number.isFinite(input.totalBudget))) return refuse(`the total budget must be at least 0, got ${input.totalBudget}`);

	// currencies and numbers
	const problems: string[] = [];
	const missingFx = new Map<string, string[]>();
	const ids = new Set<string>();
	for (const c of campaigns) {
		const label = c.name ?? c.id;
		if (ids.has(c.id)) problems.push(`campaign id ${c.id} appears twice`);
		ids.add(c.id);
		if (currencyExponent(c.currency) === undefined) problems.push(`${label}: currency ${c.currency} is not an ISO 4217 code`);
		else if (c.currency !== input.currency) {
			const r = input.fx?.[c.currency];
			if (r === undefined) missingFx.set(c.currency, [...(missingFx.get(c.currency) ?? []), label]);
			else if (!(r > 0 && Number.isFinite(r))) problems.push(`${label}: the FX rate for ${c.currency} is ${r}, not a positive number`);
		}
		if (!(c.current >= 0 && Number.isFinite(c.current))) problems.push(`${label}: current budget ${c.current} is not a number of at least 0`);
		if (c.floor !== undefined && !(c.floor >= 0 && Number.isFinite(c.floor))) problems.push(`${label}: floor ${c.floor} is not a number of at least 0`);
		if (c.ceiling !== undefined && !(c.ceiling >= 0 && Number.isFinite(c.ceiling))) problems.push(`${label}: ceiling ${c.ceiling} is not a number of at least 0`);
		if (c.floor !== undefined && c.ceiling !== undefined && c.floor > c.ceiling) problems.push(`${label}: floor ${fmtMoney(c.floor, c.currency)} is above its ceiling ${fmtMoney(c.ceiling, c.currency)}`);
	}
	for (const [cur, names] of missingFx) problems.push(`no FX rate from ${cur} to ${input.currency} for ${names.join(', ')}`);
	if (missingFx.size > 0) return refuse(`mixed currencies without FX rates: ${[...missingFx.keys()].join(', ')} cannot be converted into ${input.currency}`, problems);
	if (problems.length > 0) return refuse('the input has problems', problems);

	// bounds, in the campaign currency, on its minor units (rounded inwards)
	const prepared: Prepared[] = campaigns.map((c) => {
		const minor = 10 ** (currencyExponent(c.currency) ?? 2);
		const unit = 1 / minor;
		const fx = c.currency === input.currency ? 1 : input.fx![c.currency]!;
		const name = c.name ?? c.id;
		const m = outcome === 'conversions' ? c.conversions : c.revenue;
		const base: Prepared = { input: c, name, fx, unit, minor, fixed: true, status: 'locked', low: c.current, high: c.current };
		if (c.locked) return { ...base, reason: typeof c.locked === 'string' ? c.locked : 'locked', model: typeof m === 'object' ? m : undefined };
		if (typeof m !== 'object') return { ...base, status: 'held', reason: m ?? `no ${outcome} curve` };
		if (c.current === 0 && maxStep !== null) return { ...base, status: 'held', reason: 'paused (budget 0): a plan does not start a campaign', model: m };
		let low = Math.max(c.floor ?? 0, maxStep === null ? 0 : c.current * (1 - maxStep));
		let high = Math.min(c.ceiling ?? Infinity, maxStep === null ? Infinity : c.current * (1 + maxStep));
		low = Math.ceil(low * minor - 1e-9) / minor;
		if (Number.isFinite(high)) high = Math.floor(high * minor + 1e-9) / minor;
		return { ...base, model: m, fixed: false, status: 'unchanged', low, high };
	});
	for (const p of prepared) {
		if (p.fixed) continue;
		const c = p.input;
		if (!Number.isFinite(p.high)) problems.push(`${p.name}: no ceiling and no step cap: set one of them`);
		else if (p.low > p.high + 1e-9) {
			const why = c.floor !== undefined && c.floor > c.current ? `floor ${fmtMoney(c.floor, c.currency)} is above what one step of ${num((maxStep ?? 0) * 100, 0)} % can reach from ${fmtMoney(c.current, c.currency)}` : `ceiling ${fmtMoney(c.ceiling ?? 0, c.currency)} is below what one step of ${num((maxStep ?? 0) * 100, 0)} % can reach from ${fmtMoney(c.current, c.currency)}`;
			problems.push(`${p.name}: ${why}`);
		}
	}
	if (problems.length > 0) return refuse('floors, ceilings and the step cap leave no budget for some campaigns', problems);
	const free = prepared.filter((p) => !p.fixed);
	if (free.length === 0) {
		return refuse(
			`nothing to plan: all ${prepared.length} campaigns are locked or held`,
			prepared.map((p) => `${p.name}: ${p.reason}`),
		);
	}

	// money in the plan currency
	const fixedSpend = prepared.reduce((s, p) => (p.fixed ? s + p.input.current * p.fx : s), 0);
	const sumLow = free.reduce((s, p) => s + p.low * p.fx, 0);
	const sumHigh = free.reduce((s, p) => s + p.high * p.fx, 0);
	const money = (n: number) => fmtMoney(n, input.currency);
	if (!isTarget) {
		const freeBudget = input.totalBudget! - fixedSpend;
		if (freeBudget < sumLow - 1e-6) {
			const floors = free.reduce((s, p) => s + (p.input.floor ?? 0) * p.fx, 0);
			return refuse(
				`the total ${money(input.totalBudget!)} is below what the campaigns must get: ${money(sumLow + fixedSpend)} (floors ${money(floors)}, the ${num((maxStep ?? 0) * 100, 0)} % step cap and ${money(fixedSpend)} locked or held)`,
			);
		}
		if (freeBudget > sumHigh + 1e-6) {
			return refuse(`the total ${money(input.totalBudget!)} is above what ceilings and the ${num((maxStep ?? 0) * 100, 0)} % step cap let the campaigns spend: ${money(sumHigh + fixedSpend)} (${money(fixedSpend)} of it locked or held)`);
		}
	}

	// sample each free curve on its range (plan currency in, plan-currency value out), take the envelope
	const segments: Segment[] = [];
	const value = (p: Prepared, xPlan: number) => p.model!.mean(xPlan / p.fx) * (outcome === 'revenue' ? p.fx : 1);
	const lowValue = new Float64Array(free.length);
	const noNumber: string[] = [];
	for (const p of prepared) {
		if (p.fixed && p.model && !Number.isFinite(p.model.mean(p.input.current))) noNumber.push(`${p.name}: its ${outcome} curve gives ${p.model.mean(p.input.current)} at ${fmtMoney(p.input.current, p.input.currency)}`);
	}
	free.forEach((p, i) => {
		const lo = p.low * p.fx;
		const hi = p.high * p.fx;
		const xs = new Float64Array(grid + 1);
		const ys = new Float64Array(grid + 1);
		let bad = false;
		for (let j = 0; j <= grid; j++) {
			xs[j] = j === grid ? hi : lo + ((hi - lo) * j) / grid;
			ys[j] = value(p, xs[j]!);
			if (!Number.isFinite(ys[j]!) && !bad) {
				bad = true;
				noNumber.push(`${p.name}: its ${outcome} curve gives ${ys[j]} at ${money(xs[j]!)}`);
			}
		}
		lowValue[i] = ys[0]!;
		if (hi > lo) segments.push(...envelopeSegments(i, xs, ys));
	});
	if (noNumber.length > 0) return refuse('some response curves give no number on their range', noNumber);
	const ordered = fillOrder(segments);

	let amount: number;
	if (!isTarget) amount = input.totalBudget! - fixedSpend - sumLow;
	else {
		const cap = Math.min(sumHigh, (input.totalBudget ?? Infinity) - fixedSpend);
		if (cap < sumLow - 1e-6) return refuse(`the total ${money(input.totalBudget!)} is below what the campaigns must get: ${money(sumLow + fixedSpend)}`);
		const t = input.target!;
		// g(S) = a V(S) - b S >= 0; concave along the frontier: its largest root up to the cap
		const [a, b] = objective === 'target-cpa' ? [t, 1] : [1, t];
		let s = sumLow;
		let v = lowValue.reduce((x, y) => x + y, 0);
		let bestRatio = objective === 'target-cpa' ? s / v : v / s;
		let bestAt = s;
		let found = a * v - b * s >= 0 ? s : -1;
		for (const seg of ordered) {
			if (s >= cap - 1e-12) break;
			const w = Math.min(seg.width, cap - s);
			const s2 = s + w;
			const v2 = v + seg.slope * w;
			const g1 = a * v - b * s;
			const g2 = a * v2 - b * s2;
			if (g2 >= 0) found = s2;
			else if (g1 >= 0) found = s + (g1 / (g1 - g2)) * w;
			const r = objective === 'target-cpa' ? s2 / v2 : v2 / s2;
			if (v2 > 0 && (objective === 'target-cpa' ? r < bestRatio || !(bestRatio > 0) : r > bestRatio)) {
				bestRatio = r;
				bestAt = s2;
			}
			s = s2;
			v = v2;
		}
		if (found < 0) {
			const what = objective === 'target-cpa' ? `a CPA of ${money(t)}` : `a ROAS of ${num(t, 2)}`;
			const best = objective === 'target-cpa' ? `the lowest CPA these campaigns can reach within their bounds is ${money(bestRatio)}` : `the highest ROAS these campaigns can reach within their bounds is ${num(bestRatio, 2)}`;
			return refuse(`${what} is not reachable: ${best}, at ${money(bestAt + fixedSpend)} a day`);
		}
		amount = found - sumLow;
	}
	const add = fill(ordered, free.length, amount);

	// to minor units: down, then the leftover by largest remainder (never above the budget)
	const exact = free.map((p, i) => (p.low * p.fx + add[i]!) / p.fx);
	const units = exact.map((x, i) => Math.max(Math.round(free[i]!.low * free[i]!.minor), Math.floor(x / free[i]!.unit + 1e-9)));
	let left = amount + sumLow - units.reduce((s, u, i) => s + u * free[i]!.unit * free[i]!.fx, 0);
	const byRemainder = exact.map((x, i) => ({ i, r: x / free[i]!.unit - units[i]! })).sort((x, y) => y.r - x.r);
	for (const { i, r } of byRemainder) {
		const p = free[i]!;
		const step = p.unit * p.fx;
		if (r > 1e-9 && step <= left + 1e-9 && (units[i]! + 1) * p.unit <= p.high + 1e-9) {
			units[i]!++;
			left -= step;
		}
	}
	const proposedOf = new Map<Prepared, number>();
	free.forEach((p, i) => proposedOf.set(p, Math.min(p.high, Math.max(p.low, units[i]! / p.minor))));

	// envelope gap: envelope value at the fill minus the curve there (only a partly filled segment has one)
	let envelopeGap = 0;
	{
		// walk each owner's segments in order
		const perOwner = new Map<number, Segment[]>();
		for (const seg of segments) {
			const list = perOwner.get(seg.owner);
			if (list) list.push(seg);
			else perOwner.set(seg.owner, [seg]);
		}
		free.forEach((p, i) => {
			let left2 = add[i]!;
			let env = lowValue[i]!;
			for (const seg of perOwner.get(i) ?? []) {
				const w = Math.min(seg.width, left2);
				env += seg.slope * w;
				left2 -= w;
				if (left2 <= 0) break;
			}
			envelopeGap += Math.max(0, env - value(p, p.low * p.fx + add[i]!));
		});
	}

	// per campaign figures
	const scale = (p: Prepared) => (outcome === 'revenue' ? p.fx : 1);
	const est = (p: Prepared, x: number): Estimate => {
		const v = p.model!.mean(x) * scale(p);
		const sd = (p.model!.sd?.(x) ?? 0) * scale(p);
		return { value: v, low: v - Z95 * sd, high: v + Z95 * sd };
	};
	let curV = 0;
	let newV = 0;
	let curVar = 0;
	let newVar = 0;
	let upVar = 0;
	let curSpend = 0;
	let newSpend = 0;
	const rows: PlannedCampaign[] = prepared.map((p) => {
		const c = p.input;
		const proposed = p.fixed ? c.current : proposedOf.get(p)!;
		curSpend += c.current * p.fx;
		newSpend += proposed * p.fx;
		const row: PlannedCampaign = {
			id: c.id,
			name: p.name,
			currency: c.currency,
			current: c.current,
			proposed,
			change: c.current > 0 ? proposed / c.current - 1 : 0,
			status: p.fixed ? p.status : Math.abs(proposed - c.current) < p.unit / 2 ? 'unchanged' : 'moved',
			low: p.low,
			high: p.high,
		};
		if (p.reason) row.reason = p.reason;
		if (p.model) {
			const m = p.model;
			const e0 = est(p, c.current);
			const e1 = est(p, proposed);
			row.expected = { current: e0, proposed: e1 };
			curV += e0.value;
			newV += e1.value;
			curVar += ((e0.high - e0.value) / Z95) ** 2;
			newVar += ((e1.high - e1.value) / Z95) ** 2;
			upVar += ((m.diffSd?.(proposed, c.current) ?? 0) * scale(p)) ** 2;
			const slope = slopeOf(m, proposed);
			row.marginal = outcome === 'conversions' ? { cpa: slope > 0 ? p.fx / slope : Infinity } : { roas: slope };
			if (m.seen) {
				const width = p.high - p.low;
				const outside = Math.max(0, Math.min(p.high, m.seen.low) - p.low) + Math.max(0, p.high - Math.max(p.low, m.seen.high));
				row.extrapolatedShare = width > 0 ? Math.min(1, outside / width) : proposed < m.seen.low || proposed > m.seen.high ? 1 : 0;
				row.extrapolated = proposed < m.seen.low - 1e-9 || proposed > m.seen.high + 1e-9;
			}
			if (m.quality) row.fit = m.quality;
		}
		return row;
	});
	const iv = (v: number, variance: number): Estimate => ({ value: v, low: v - Z95 * Math.sqrt(variance), high: v + Z95 * Math.sqrt(variance) });
	const uplift = newV - curV;
	const ratio = (spend: number, v: number) => (outcome === 'conversions' ? (v > 0 ? spend / v : Infinity) : spend > 0 ? v / spend : 0);
	const totals: Plan['totals'] = {
		currentSpend: curSpend,
		proposedSpend: newSpend,
		current: iv(curV, curVar),
		proposed: iv(newV, newVar),
		uplift: iv(uplift, upVar),
		envelopeGap,
		currentRatio: ratio(curSpend, curV),
		proposedRatio: ratio(newSpend, newV),
	};
	const plan: Plan = { status: 'planned', objective, outcome, currency: input.currency, campaigns: rows, totals, text: [] };
	plan.text = planText(plan);
	return plan;
}

/** The plan in sentences: the totals, then every campaign (moved ones first, largest move first). */
export function planText(plan: Plan): string[] {
	const t = plan.totals;
	const cur = plan.currency;
	const o = plan.outcome;
	const unit = o === 'conversions' ? '' : ` ${cur}`;
	const ratioValue = (r: number) => (o === 'conversions' ? fmtMoney(r, cur) : num(r, 2));
	const ratioText = (r: number) => `${o === 'conversions' ? 'CPA' : 'ROAS'} ${ratioValue(r)}`;
	const sign = (v: number) => (v >= 0 ? `+${num(v)}` : num(v));
	const lines = [
		`Daily budget ${fmtMoney(t.currentSpend, cur)} -> ${fmtMoney(t.proposedSpend, cur)} over ${plan.campaigns.length} campaigns (${plan.campaigns.filter((c) => c.status === 'moved').length} moved).`,
		`Expected ${o === 'conversions' ? `${num(t.current.value)} -> ${num(t.proposed.value)} conversions` : `revenue ${fmtMoney(t.current.value, cur)} -> ${fmtMoney(t.proposed.value, cur)}`} a day: ${sign(t.uplift.value)}${unit} (95 % interval ${sign(t.uplift.low)} to ${sign(t.uplift.high)}${unit}), ${ratioText(t.currentRatio)} -> ${ratioValue(t.proposedRatio)}.`,
	];
	const held = plan.campaigns.filter((c) => c.status === 'held' || c.status === 'locked');
	if (held.length > 0) lines.push(`Kept at their budget: ${held.map((c) => `${c.name} (${c.reason})`).join('; ')}.`);
	const moved = plan.campaigns.filter((c) => c.status === 'moved').sort((a, b) => Math.abs(b.change) - Math.abs(a.change));
	for (const c of moved) {
		const m = c.marginal?.cpa !== undefined ? `marginal CPA ${fmtMoney(c.marginal.cpa, cur)}` : c.marginal?.roas !== undefined ? `marginal ROAS ${num(c.marginal.roas, 2)}` : '';
		const e = c.expected ? `, ${num(c.expected.current.value)} -> ${num(c.expected.proposed.value)}${unit} a day` : '';
		const x = c.extrapolated ? ' (beyond the spend seen so far)' : '';
		lines.push(`${c.name}: ${fmtMoney(c.current, c.currency)} -> ${fmtMoney(c.proposed, c.currency)} (${c.change >= 0 ? '+' : ''}${num(c.change * 100)} %)${e}, ${m}${x}.`);
	}
	return lines;
}
