/**
 * The budget a budget rule writes: bounds, the per-action cap, the exact
 * rolling 24 h bound, rounding to the currency's minor unit. One plan per
 * decision; the gates budget_bounds, max_change, daily_change and has_effect
 * report its parts (their files hold their settings and meaning).
 *
 * The rolling 24 h bound (daily_change): within any 24 h a budget stays within
 * (1 ± cap) × the budget it had at the start of that 24 h. Checked at each
 * change against every budget held in (now − 24 h, now] (the budget 24 h ago,
 * each change's result, the current one): a raise may reach at most
 * (1 + cap) × the lowest of them, a cut at least (1 − cap) × the highest.
 * Every window that contains this change starts at one of those budgets, so no
 * window, however it is placed, sees more than the cap — whatever the number
 * of rules, runs, evaluation windows, approvals and outside edits. Changes
 * with an unknown outcome count as applied.
 */
import { currencyExponent, moneyProblem } from '../../platforms/currency';
import { EPS, fmt, fmtMoney, fmtPct, gate, notEvaluated, roundTowardCurrent, type GateName, type GateResult, type GateValue } from './common';
import { describeChange } from './changes';
import type { ChangeMode } from './settings';
import type { BudgetWindow } from './types';

export interface BudgetPlanInput {
	/** Current daily budget (major units); null/0 = no daily budget to change. */
	current: number | null;
	currency: string;
	action: { type: 'scale_budget'; percent: number } | { type: 'set_budget'; amount: number; currency?: string };
	floor: number | null;
	ceiling: number | null;
	maxChangePct: number;
	maxDailyChangePct: number;
	/** The entity's budget over the last 24 h (ActionHistory.budgetWindow); absent = no change in 24 h. */
	window?: BudgetWindow;
	mode: ChangeMode;
	/** For the words naming earlier changes (account's zone) and "now". */
	timeZone?: string;
	nowMs?: number;
}

export interface BudgetPlan {
	ok: boolean;
	before: number | null;
	/** The budget the rule asked for (before any bound or cap). */
	requested: number | null;
	/** The budget the caps and bounds allow toward the request (before rounding), when computed. */
	allowed: number | null;
	/** The budget to write (rounded), when ok. */
	after: number | null;
	changeAmount: number | null;
	changePct: number | null;
	/** Gates that shrank the change. */
	clampedBy: GateName[];
	/** budget_bounds, max_change, daily_change, has_effect. */
	gates: GateResult[];
}

export const BUDGET_GATES = ['budget_bounds', 'max_change', 'daily_change', 'has_effect'] as const;

export function planBudget(input: BudgetPlanInput): BudgetPlan {
	const { current, currency, mode } = input;
	const money = (n: number) => fmtMoney(n, currency);
	const exponent = currencyExponent(currency);
	const gates: GateResult[] = [];
	const clampedBy: GateName[] = [];
	let allowed: number | null = null;
	const fail = (name: GateName, detail: string, values: Record<string, GateValue>, requested: number | null): BudgetPlan => {
		gates.push(gate(name, 'fail', detail, values));
		for (const n of BUDGET_GATES) {
			if (!gates.some((g) => g.gate === n)) gates.push(notEvaluated(n, `${name} failed`));
		}
		return { ok: false, before: current, requested, allowed, after: null, changeAmount: null, changePct: null, clampedBy, gates: order(gates) };
	};
	if (exponent === undefined) return fail('budget_bounds', `unknown currency ${currency}`, { currency }, null);
	if (current === null || !Number.isFinite(current) || current <= 0) return fail('budget_bounds', 'the entity has no daily budget to change', { budget: current }, null);
	const readProblem = moneyProblem('the daily budget read from the platform', current, currency);
	if (readProblem) return fail('budget_bounds', readProblem, { budget: current, currency }, null);
	if (input.action.type === 'set_budget' && input.action.currency !== undefined && input.action.currency !== currency) {
		return fail('budget_bounds', `the rule sets an amount in ${input.action.currency}, the budget is in ${currency}`, { currency, ruleCurrency: input.action.currency }, null);
	}

	const requested = input.action.type === 'scale_budget' ? current * (1 + input.action.percent / 100) : input.action.amount;
	const dir = Math.sign(requested - current);
	const minUnit = 1 / 10 ** exponent;
	const lo = Math.max(input.floor ?? 0, minUnit);
	const hi = input.ceiling ?? Number.POSITIVE_INFINITY;
	const boundValues: Record<string, GateValue> = { floor: input.floor, ceiling: input.ceiling, before: current, requested };
	if (dir === 0) return fail('has_effect', `requested budget ${money(requested)} equals the current one`, { before: current, requested }, requested);
	if (lo > hi) return fail('budget_bounds', `floor ${money(lo)} is above ceiling ${money(hi)}`, boundValues, requested);

	let target = Math.min(Math.max(requested, lo), hi);
	if (Math.sign(target - current) !== dir) {
		const limit = dir > 0 ? `ceiling ${money(hi)}` : `floor ${money(lo)}`;
		return fail('budget_bounds', `budget ${money(current)} is already at or beyond the ${limit}`, boundValues, requested);
	}
	const boundsClamped = target !== requested;
	if (boundsClamped) clampedBy.push('budget_bounds');

	// per-action cap
	const requestedPct = (Math.abs(target - current) / current) * 100;
	const maxValues = { maxChangePct: input.maxChangePct, requestedChangePct: requestedPct, mode };
	if (requestedPct > input.maxChangePct * (1 + EPS)) {
		if (mode === 'fail') return fail('max_change', `change ${fmt(requestedPct)}% > max ${fmt(input.maxChangePct)}% per action`, maxValues, requested);
		target = current + (dir * current * input.maxChangePct) / 100;
		clampedBy.push('max_change');
		gates.push(gate('max_change', 'pass', `change ${fmt(requestedPct)}% clamped to max ${fmt(input.maxChangePct)}% per action`, { ...maxValues, clamped: true }));
	} else {
		gates.push(gate('max_change', 'pass', `change ${fmt(requestedPct)}% <= max ${fmt(input.maxChangePct)}% per action`, { ...maxValues, clamped: false }));
	}

	// the exact rolling 24 h bound
	const cap = input.maxDailyChangePct;
	const w = input.window;
	const lowest = Math.min(current, w?.lowest ?? current);
	const highest = Math.max(current, w?.highest ?? current);
	const start = w?.startBudget ?? current;
	const upper = lowest * (1 + cap / 100);
	const lower = highest * (1 - cap / 100);
	const bound = dir > 0 ? upper : lower;
	const changes = w?.changes ?? [];
	const since =
		changes.length === 0
			? 'no budget change in the last 24 h'
			: `changes since: ${changes.map((c) => describeChange(c, currency, input.timeZone ?? 'UTC', input.nowMs ?? c.atMs)).join('; ')}`;
	const held = lowest === highest ? `` : `, lowest held ${money(lowest)}, highest ${money(highest)}`;
	const left = dir > 0 ? Math.max(0, upper - current) : Math.max(0, current - lower);
	const dailyValues: Record<string, GateValue> = {
		maxDailyChangePct: cap,
		budget24hAgo: start,
		changesIn24h: changes.length,
		lowest24h: lowest,
		highest24h: highest,
		bound,
		leftAmount: left,
		leftPct: (left / current) * 100,
		mode,
	};
	const head = `budget 24 h ago ${money(start)}${held}; ${since}; ${dir > 0 ? `at most ${fmt(cap)}% above ${money(lowest)} = ${money(upper)}` : `at least ${fmt(cap)}% below ${money(highest)} = ${money(lower)}`}`;
	if (dir > 0 ? current >= upper * (1 - EPS) : current <= lower * (1 + EPS)) {
		return fail('daily_change', `${head}: nothing left (budget now ${money(current)})`, dailyValues, requested);
	}
	const beyond = dir > 0 ? target > upper * (1 + EPS) : target < lower * (1 - EPS);
	if (beyond) {
		if (mode === 'fail') return fail('daily_change', `${head}: ${money(target)} is beyond it (${money(left)} left)`, dailyValues, requested);
		target = bound;
		clampedBy.push('daily_change');
		gates.push(gate('daily_change', 'pass', `${head}: clamped to ${money(bound)} (${fmtPct(((bound - current) / current) * 100)}, all that is left)`, { ...dailyValues, clamped: true }));
	} else {
		gates.push(gate('daily_change', 'pass', `${head}: ${money(target)} is within it (${money(left)} left)`, { ...dailyValues, clamped: false }));
	}
	allowed = target;

	const after = roundTowardCurrent(target, current, exponent);
	if (after === current || Math.sign(after - current) !== dir) {
		return fail('has_effect', `the change rounds to less than one minor unit of ${currency}`, { before: current, target }, requested);
	}
	const plannedProblem = moneyProblem('the planned daily budget', after, currency);
	if (plannedProblem) return fail('budget_bounds', plannedProblem, { ...boundValues, after }, requested);
	if (after < lo || after > hi) {
		return fail('budget_bounds', `within the change caps the budget cannot reach [${money(lo)}, ${Number.isFinite(hi) ? money(hi) : '∞'}] (at most ${money(after)})`, { ...boundValues, reachable: after }, requested);
	}
	gates.push(
		gate(
			'budget_bounds',
			'pass',
			`${money(after)} within [${money(lo)}, ${Number.isFinite(hi) ? money(hi) : '∞'}]${boundsClamped ? ` (requested ${money(requested)} clamped)` : ''}`,
			{ ...boundValues, after, clamped: boundsClamped },
		),
	);
	gates.push(gate('has_effect', 'pass', `${money(current)} → ${money(after)}`, { before: current, after }));
	const changeAmount = after - current;
	return { ok: true, before: current, requested, allowed, after, changeAmount, changePct: (changeAmount / current) * 100, clampedBy, gates: order(gates) };
}

/** The gates in BUDGET_GATES order (others first), each name's gates in their order. */
function order(gates: GateResult[]): GateResult[] {
	const out = gates.filter((g) => !(BUDGET_GATES as readonly string[]).includes(g.gate));
	for (const name of BUDGET_GATES) for (const g of gates) if (g.gate === name) out.push(g);
	return out;
}
