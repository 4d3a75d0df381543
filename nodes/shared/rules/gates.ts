/**
 * Gates: the checks between "a rule matched" and "something changes". Each
 * gate is a pure function returning pass / fail / skip with the numbers it
 * used, so the ledger, the approval card and the Slack message can show why.
 *
 * Decisions:
 * - A rule only tightens the operator's gates (`resolveGates`): minimum data,
 *   entity age and cooldown take the larger value; change caps and approval
 *   thresholds the smaller; schedules intersect; budget floors take the
 *   larger, ceilings the smaller of settings (per currency) and entity.
 * - Change caps clamp by default (`changeMode: 'clamp'`): a rule asking for
 *   +50 % under a 25 % cap changes by +25 % and reports `clampedBy`. With
 *   `changeMode: 'fail'` the action is gated instead. Either way no executed
 *   change exceeds a cap. Budget bounds always clamp (set_budget 1,000 under a
 *   ceiling of 500 plans 500) but never reverse the direction: a budget already
 *   at or above its ceiling is not "scaled up" to the ceiling, the gate fails.
 * - Every planned budget lies inside [floor, ceiling]. When the change caps do
 *   not let a budget that is outside its bounds reach them, the action fails
 *   the bounds gate rather than writing another out-of-bounds budget.
 * - Budgets are rounded to the currency's minor unit (ISO 4217 exponent)
 *   toward the current budget, so rounding never makes a change larger than
 *   the caps allowed; a change that rounds to nothing fails `has_effect`.
 * - Cumulative change over a rolling 24 h is the sum of |after − before| /
 *   before of every budget change in (now − 24 h, now], planned ones of this
 *   run included: +20 % then −20 % counts as 40 %. Status changes (pause,
 *   enable) count for the cooldown, not for the budget caps.
 * - Cooldown: a change passes when at least `cooldownHours` passed since the
 *   entity's last change by any rule (exactly the cooldown passes).
 * - Comparisons against caps allow a relative 1e-9 for floating point.
 */
import { currencyExponent } from '../platforms/currency';
import type { ActionType, ChangeMode, GateConfig, MinData, Rule, ScheduleWindow, Settings, Window } from './model';
import type { MetricSums } from './metrics';
import { DAY_MS, HOUR_MS, formatMinute, previousWeekday, type LocalClock } from './time';

export const GATE_NAMES = [
	'kill_switch',
	'schedule',
	'entity_age',
	'data_volume',
	'already_done',
	'cooldown',
	'budget_bounds',
	'max_change',
	'daily_change',
	'has_effect',
	'max_actions',
	'conflict',
	// a change of the campaign whose outcome is unknown (answer lost) or held by another run: nothing else acts on it until it is settled
	'unreconciled',
] as const;
export type GateName = (typeof GATE_NAMES)[number];
export type GateStatus = 'pass' | 'fail' | 'skip';
export type GateValue = number | string | boolean | null;

export interface GateResult {
	gate: GateName;
	/** `skip`: not configured or not applicable to this action. */
	status: GateStatus;
	/** One line for people: the numbers and the verdict. */
	detail: string;
	/** The numbers used, for the ledger. */
	values: Record<string, GateValue>;
}

/** Relative tolerance of cap comparisons. */
export const EPS = 1e-9;

// ---------------------------------------------------------------------------
// Formatting
// ---------------------------------------------------------------------------

/** A number for people: at most 4 decimals, no trailing zeros. */
export function fmt(n: number | null | undefined): string {
	if (n === null || n === undefined || !Number.isFinite(n)) return 'undefined';
	if (Number.isInteger(n)) return String(n);
	const k = Math.round(n * 10_000);
	const r = k / 10_000;
	if (r === 0) return '0';
	// |k| < 1e13: String(k / 10^4) is k's decimal digits with the point 4 places
	// from the right (no shorter decimal rounds to the same double), so it is
	// written from the integer k without the shortest-round-trip search.
	return k > -1e13 && k < 1e13 ? fourDecimals(k) : String(r);
}

/** The decimal of k / 10^4 (k an integer, 0 < |k| < 1e13), trailing zeros dropped. */
function fourDecimals(k: number): string {
	const neg = k < 0;
	const a = neg ? -k : k;
	const whole = Math.floor(a / 10_000);
	let frac = a - whole * 10_000;
	let text = String(whole);
	if (frac !== 0) {
		let digits = 4;
		while (frac % 10 === 0) {
			frac /= 10;
			digits--;
		}
		text += `.${String(frac).padStart(digits, '0')}`;
	}
	return neg ? `-${text}` : text;
}

/** Money with the currency's minor digits: `1234.50 USD`. */
export function fmtMoney(n: number | null | undefined, currency: string): string {
	if (n === null || n === undefined || !Number.isFinite(n)) return 'undefined';
	return `${n.toFixed(currencyExponent(currency) ?? 2)} ${currency}`;
}

/** A signed percent: `+20%`, `-12.5%`. */
export function fmtPct(n: number | null | undefined): string {
	if (n === null || n === undefined || !Number.isFinite(n)) return 'undefined';
	return `${n > 0 ? '+' : ''}${fmt(n)}%`;
}

function gate(name: GateName, status: GateStatus, detail: string, values: Record<string, GateValue> = {}): GateResult {
	return { gate: name, status, detail, values };
}

/**
 * Gate results that only depend on a few settings are built once and shared
 * between decisions (frozen: output is read-only). Large runs hold tens of
 * thousands of decisions; sharing keeps them cheap.
 */
const shared = new Map<string, GateResult>();
function memo(id: string, make: () => GateResult): GateResult {
	let r = shared.get(id);
	if (!r) {
		r = make();
		Object.freeze(r.values);
		Object.freeze(r);
		if (shared.size < 10_000) shared.set(id, r);
	}
	return r;
}

// ---------------------------------------------------------------------------
// Effective configuration
// ---------------------------------------------------------------------------

/** The gate configuration that applies to one rule on one entity. */
export interface ResolvedGates {
	minData: { spend: number | null; impressions: number | null; clicks: number | null; conversions: number | null };
	/** Window the data volume is measured over. */
	dataWindow: Window;
	minEntityAgeDays: number;
	/** Every listed schedule must allow the moment (operator's, then the rule's). */
	schedules: Array<{ source: 'settings' | 'rule'; windows: ScheduleWindow[] }>;
	cooldownHours: number;
	maxChangePct: number;
	maxDailyChangePct: number;
	changeMode: ChangeMode;
	budgetFloor: number | null;
	budgetCeiling: number | null;
	approvalPercent: number | null;
	approvalAmount: number | null;
	approvalActions: ActionType[];
}

const maxOf = (a: number | null | undefined, b: number | null | undefined): number | null =>
	a === null || a === undefined ? (b ?? null) : b === null || b === undefined ? a : Math.max(a, b);
const minOf = (a: number | null | undefined, b: number | null | undefined): number | null =>
	a === null || a === undefined ? (b ?? null) : b === null || b === undefined ? a : Math.min(a, b);

export interface EntityBounds {
	currency: string;
	budgetFloor?: number | null;
	budgetCeiling?: number | null;
}

/**
 * Merges the operator's gates (with the per-currency money values of the
 * entity's budget currency), the rule's gates and the entity's own bounds.
 * `defaultDataWindow` is used when neither sets `minData.window`.
 */
export function resolveGates(settings: Pick<Settings, 'gates' | 'currencies'>, rule: Pick<Rule, 'gates'>, entity: EntityBounds, defaultDataWindow: Window): ResolvedGates {
	const g: GateConfig = settings.gates;
	const cur = settings.currencies[entity.currency] ?? {};
	const has = <K extends keyof typeof cur>(k: K) => Object.prototype.hasOwnProperty.call(cur, k) && cur[k] !== undefined;
	const r = rule.gates;
	const baseMin: MinData = g.minData;
	const ruleMin: MinData = r.minData ?? {};
	const baseSpend = has('minSpend') ? (cur.minSpend ?? null) : (baseMin.spend ?? null);
	const schedules: ResolvedGates['schedules'] = [];
	if (g.schedule.length > 0) schedules.push({ source: 'settings', windows: g.schedule });
	if (r.schedule && r.schedule.length > 0) schedules.push({ source: 'rule', windows: r.schedule });
	return {
		minData: {
			spend: maxOf(baseSpend, ruleMin.spend),
			impressions: maxOf(baseMin.impressions, ruleMin.impressions),
			clicks: maxOf(baseMin.clicks, ruleMin.clicks),
			conversions: maxOf(baseMin.conversions, ruleMin.conversions),
		},
		dataWindow: ruleMin.window ?? baseMin.window ?? defaultDataWindow,
		minEntityAgeDays: maxOf(g.minEntityAgeDays, r.minEntityAgeDays) ?? 0,
		schedules,
		cooldownHours: maxOf(g.cooldownHours, r.cooldownHours) ?? 0,
		maxChangePct: minOf(g.maxChangePct, r.maxChangePct) as number,
		maxDailyChangePct: minOf(g.maxDailyChangePct, r.maxDailyChangePct) as number,
		changeMode: g.changeMode,
		budgetFloor: maxOf(has('budgetFloor') ? cur.budgetFloor : g.budgetFloor, entity.budgetFloor),
		budgetCeiling: minOf(has('budgetCeiling') ? cur.budgetCeiling : g.budgetCeiling, entity.budgetCeiling),
		approvalPercent: minOf(g.approval.percent, r.approvalPercent),
		approvalAmount: minOf(has('approvalAmount') ? cur.approvalAmount : g.approval.amount, r.approvalAmount),
		approvalActions: g.approval.actions,
	};
}

// ---------------------------------------------------------------------------
// Gates
// ---------------------------------------------------------------------------

export function killSwitchGate(on: boolean): GateResult {
	return memo(`kill|${on}`, () =>
		on ? gate('kill_switch', 'fail', 'kill switch is on: nothing executes or is proposed', { killSwitch: true }) : gate('kill_switch', 'pass', 'kill switch is off', { killSwitch: false }),
	);
}

function inWindow(w: ScheduleWindow, clock: LocalClock): boolean {
	if (w.fromMinute < w.toMinute) return w.days.includes(clock.weekday) && clock.minute >= w.fromMinute && clock.minute < w.toMinute;
	// wraps past midnight: the part after midnight belongs to the previous day's window
	return (w.days.includes(clock.weekday) && clock.minute >= w.fromMinute) || (w.days.includes(previousWeekday(clock.weekday)) && clock.minute < w.toMinute);
}

export function describeWindow(w: ScheduleWindow): string {
	const days = w.days.length === 7 ? 'every day' : w.days.join(',');
	return `${days} ${formatMinute(w.fromMinute)}-${formatMinute(w.toMinute)}`;
}

/** Passes when every schedule has a window holding the local time (skip when none is configured). */
export function scheduleGate(schedules: ResolvedGates['schedules'], clock: LocalClock): GateResult {
	const local = `${clock.weekday} ${formatMinute(clock.minute)} ${clock.timeZone}`;
	const values: Record<string, GateValue> = { localTime: `${clock.date} ${formatMinute(clock.minute)}`, weekday: clock.weekday, timeZone: clock.timeZone };
	if (schedules.length === 0) return gate('schedule', 'skip', 'no schedule configured', values);
	for (const s of schedules) {
		values[s.source] = s.windows.map(describeWindow).join('; ');
		if (!s.windows.some((w) => inWindow(w, clock))) return gate('schedule', 'fail', `local time ${local} is outside the ${s.source} schedule (${values[s.source]})`, values);
	}
	return gate('schedule', 'pass', `local time ${local} is inside the schedule`, values);
}

/** Learning period: the entity must be at least `minDays` old (unknown age fails when a minimum is set). */
export function entityAgeGate(createdAtMs: number | null, nowMs: number, minDays: number): GateResult {
	const ageDays = createdAtMs === null ? null : (nowMs - createdAtMs) / DAY_MS;
	const values = { ageDays: ageDays === null ? null : Math.round(ageDays * 1000) / 1000, minDays };
	if (minDays <= 0) return gate('entity_age', 'skip', 'no minimum age configured', values);
	if (ageDays === null) return gate('entity_age', 'fail', `age unknown (no createdAt), minimum ${fmt(minDays)} days`, values);
	return ageDays >= minDays
		? gate('entity_age', 'pass', `age ${fmt(ageDays)} days >= ${fmt(minDays)}`, values)
		: gate('entity_age', 'fail', `age ${fmt(ageDays)} days < ${fmt(minDays)} (learning period)`, values);
}

const DATA_VOLUME_KEYS = [
	['spend', 'min_spend'],
	['impressions', 'min_impressions'],
	['clicks', 'min_clicks'],
	['conversions', 'min_conversions'],
] as const;

/** Minimum data volume over the data window: every configured minimum must be reached. */
export function dataVolumeGate(min: ResolvedGates['minData'], sums: MetricSums, windowLabel: string): GateResult {
	const values: Record<string, GateValue> = { window: windowLabel };
	const short: string[] = [];
	const met: string[] = [];
	for (const [k, minKey] of DATA_VOLUME_KEYS) {
		const need = min[k];
		if (need === null) continue;
		values[minKey] = need;
		values[k] = sums[k];
		(sums[k] >= need ? met : short).push(`${k} ${fmt(sums[k])} ${sums[k] >= need ? '>=' : '<'} ${fmt(need)}`);
	}
	if (short.length === 0 && met.length === 0) return gate('data_volume', 'skip', 'no minimum data volume configured', values);
	return short.length > 0
		? gate('data_volume', 'fail', `not enough data over ${windowLabel}: ${short.join(', ')}`, values)
		: gate('data_volume', 'pass', `${met.join(', ')} over ${windowLabel}`, values);
}

/** Fails when the ledger already holds this idempotency key. */
export function alreadyDoneGate(key: string, doneAtMs: number | null): GateResult {
	// the key itself is on the decision; a pass is the same for every key
	return doneAtMs === null
		? memo('done|pass', () => gate('already_done', 'pass', 'not done before (same rule, entity, action and window)'))
		: gate('already_done', 'fail', `already done at ${new Date(doneAtMs).toISOString()} (same rule, entity, action and window)`, { idempotencyKey: key, doneAt: new Date(doneAtMs).toISOString() });
}

const cooldownNone = new Map<number, GateResult>();

/** Time since the entity's last change (by any rule, this run included) must reach the cooldown. */
export function cooldownGate(lastChangeMs: number | null, nowMs: number, hours: number): GateResult {
	const since = lastChangeMs === null ? null : Math.max(0, nowMs - lastChangeMs) / HOUR_MS;
	const values = { lastChangeAt: lastChangeMs === null ? null : new Date(lastChangeMs).toISOString(), hoursSince: since === null ? null : Math.round(since * 1000) / 1000, cooldownHours: hours };
	if (hours <= 0 && since === null) return memo('cooldown|skip', () => gate('cooldown', 'skip', 'no cooldown configured', values));
	if (hours <= 0) return gate('cooldown', 'skip', 'no cooldown configured', values);
	if (since === null) {
		// the usual case (no change in the history): one shared result per cooldown
		let r = cooldownNone.get(hours);
		if (!r) {
			r = memo(`cooldown|none|${hours}`, () => gate('cooldown', 'pass', `no earlier change (cooldown ${fmt(hours)} h)`, values));
			if (cooldownNone.size < 1000) cooldownNone.set(hours, r);
		}
		return r;
	}
	return since >= hours
		? gate('cooldown', 'pass', `last change ${fmt(since)} h ago >= ${fmt(hours)} h`, values)
		: gate('cooldown', 'fail', `last change ${fmt(since)} h ago < cooldown ${fmt(hours)} h`, values);
}

export function maxActionsGate(used: number, max: number): GateResult {
	return used < max
		? gate('max_actions', 'pass', `action ${used + 1} of at most ${max} this run`, { used, max })
		: memo(`max|${used}|${max}`, () => gate('max_actions', 'fail', `${used} actions already planned this run (max ${max})`, { used, max }));
}

export function conflictGate(winner: { id: string; name: string; priority: number }, loser: { priority: number }): GateResult {
	const why = winner.priority < loser.priority ? `priority ${winner.priority} < ${loser.priority}` : `same priority ${winner.priority}, tie-break (safer action, then rule id)`;
	return gate('conflict', 'fail', `lost to rule "${winner.name}" (${winner.id}) on this entity: ${why}`, { winnerRuleId: winner.id, winnerPriority: winner.priority });
}

/** A gate that was not evaluated because an earlier one decided. */
export function notEvaluated(name: GateName, because: string): GateResult {
	let byReason = notEvaluatedCache.get(name);
	if (!byReason) notEvaluatedCache.set(name, (byReason = new Map()));
	let r = byReason.get(because);
	if (!r) {
		r = memo(`skip|${name}|${because}`, () => gate(name, 'skip', `not evaluated: ${because}`));
		if (byReason.size < 1000) byReason.set(because, r);
	}
	return r;
}
const notEvaluatedCache = new Map<GateName, Map<string, GateResult>>();

// ---------------------------------------------------------------------------
// Budget planning: bounds, per-action cap, rolling 24 h cap, rounding
// ---------------------------------------------------------------------------

/** |after − before| / before in percent; 0 when not a budget change. */
export function budgetChangePct(before: number | null | undefined, after: number | null | undefined): number {
	if (typeof before !== 'number' || typeof after !== 'number' || !(before > 0) || !Number.isFinite(after)) return 0;
	return (Math.abs(after - before) / before) * 100;
}

/**
 * Rounds `target` to the minor unit of a currency with `exponent` digits,
 * toward `current` (a change is truncated, never enlarged). A tolerance of
 * 1e-7 minor units absorbs binary noise (12.03 stored as 12.0299999…).
 */
export function roundTowardCurrent(target: number, current: number, exponent: number): number {
	const scale = 10 ** exponent;
	const x = target * scale;
	const units = target >= current ? Math.floor(x + 1e-7) : Math.ceil(x - 1e-7);
	return units / scale;
}

export interface BudgetPlanInput {
	/** Current daily budget (major units); null/0 = no daily budget to change. */
	current: number | null;
	currency: string;
	action: { type: 'scale_budget'; percent: number } | { type: 'set_budget'; amount: number; currency?: string };
	floor: number | null;
	ceiling: number | null;
	maxChangePct: number;
	maxDailyChangePct: number;
	/** Sum of |change %| of the entity's budget changes in the last 24 h. */
	dailyUsedPct: number;
	mode: ChangeMode;
}

export interface BudgetPlan {
	ok: boolean;
	before: number | null;
	/** The budget the rule asked for. */
	requested: number | null;
	/** The budget to write (rounded), when ok. */
	after: number | null;
	changeAmount: number | null;
	changePct: number | null;
	/** Gates that shrank the change. */
	clampedBy: GateName[];
	/** budget_bounds, max_change, daily_change, has_effect. */
	gates: GateResult[];
}

export function planBudget(input: BudgetPlanInput): BudgetPlan {
	const { current, currency, mode } = input;
	const money = (n: number) => fmtMoney(n, currency);
	const exponent = currencyExponent(currency);
	const gates: GateResult[] = [];
	const clampedBy: GateName[] = [];
	const fail = (name: GateName, detail: string, values: Record<string, GateValue>, requested: number | null): BudgetPlan => {
		gates.push(gate(name, 'fail', detail, values));
		for (const n of ['budget_bounds', 'max_change', 'daily_change', 'has_effect'] as const) {
			if (!gates.some((g) => g.gate === n)) gates.push(notEvaluated(n, `${name} failed`));
		}
		return { ok: false, before: current, requested, after: null, changeAmount: null, changePct: null, clampedBy, gates: order(gates) };
	};
	if (exponent === undefined) return fail('budget_bounds', `unknown currency ${currency}`, { currency }, null);
	if (current === null || !Number.isFinite(current) || current <= 0) return fail('budget_bounds', 'the entity has no daily budget to change', { budget: current }, null);
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

	// rolling 24 h cap
	const remainingPct = input.maxDailyChangePct - input.dailyUsedPct;
	const plannedPct = (Math.abs(target - current) / current) * 100;
	const dailyValues = { maxDailyChangePct: input.maxDailyChangePct, usedPct: input.dailyUsedPct, remainingPct: Math.max(0, remainingPct), plannedPct, mode };
	if (remainingPct <= input.maxDailyChangePct * EPS) {
		return fail('daily_change', `${fmt(input.dailyUsedPct)}% of the ${fmt(input.maxDailyChangePct)}% allowed per 24 h already used`, dailyValues, requested);
	}
	if (plannedPct > remainingPct * (1 + EPS)) {
		if (mode === 'fail') return fail('daily_change', `change ${fmt(plannedPct)}% + ${fmt(input.dailyUsedPct)}% used in 24 h > ${fmt(input.maxDailyChangePct)}%`, dailyValues, requested);
		target = current + (dir * current * remainingPct) / 100;
		clampedBy.push('daily_change');
		gates.push(gate('daily_change', 'pass', `change clamped to the ${fmt(remainingPct)}% left of ${fmt(input.maxDailyChangePct)}% per 24 h`, { ...dailyValues, clamped: true }));
	} else {
		gates.push(gate('daily_change', 'pass', `${fmt(input.dailyUsedPct)}% used + ${fmt(plannedPct)}% <= ${fmt(input.maxDailyChangePct)}% per 24 h`, { ...dailyValues, clamped: false }));
	}

	const after = roundTowardCurrent(target, current, exponent);
	if (after === current || Math.sign(after - current) !== dir) {
		return fail('has_effect', `the change rounds to less than one minor unit of ${currency}`, { before: current, target }, requested);
	}
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
	return { ok: true, before: current, requested, after, changeAmount, changePct: (changeAmount / current) * 100, clampedBy, gates: order(gates) };
}

const BUDGET_GATE_ORDER: readonly GateName[] = ['budget_bounds', 'max_change', 'daily_change', 'has_effect'];
/** The gates in BUDGET_GATE_ORDER (others first), each name's gates in their order: a stable sort by that rank. */
function order(gates: GateResult[]): GateResult[] {
	const out = gates.filter((g) => !BUDGET_GATE_ORDER.includes(g.gate));
	for (const name of BUDGET_GATE_ORDER) for (const g of gates) if (g.gate === name) out.push(g);
	return out;
}

// ---------------------------------------------------------------------------
// Approval threshold
// ---------------------------------------------------------------------------

export interface ApprovalCheck {
	required: boolean;
	reasons: string[];
	values: Record<string, GateValue>;
}

/**
 * Whether a planned change goes to the approval queue instead of executing:
 * the rule requires it, the action type always needs approval, or the budget
 * change is strictly above the percent or amount threshold.
 */
export function approvalCheck(input: {
	type: ActionType;
	changePct: number | null;
	changeAmount: number | null;
	currency: string;
	percent: number | null;
	amount: number | null;
	actions: readonly ActionType[];
	ruleRequires: boolean;
}): ApprovalCheck {
	const reasons: string[] = [];
	if (input.ruleRequires) reasons.push('the rule requires approval');
	if (input.actions.includes(input.type)) reasons.push(`${input.type} always needs approval`);
	const pct = input.changePct === null ? null : Math.abs(input.changePct);
	const amt = input.changeAmount === null ? null : Math.abs(input.changeAmount);
	if (pct !== null && input.percent !== null && pct > input.percent * (1 + EPS)) reasons.push(`change ${fmt(pct)}% > approval threshold ${fmt(input.percent)}%`);
	if (amt !== null && input.amount !== null && amt > input.amount * (1 + EPS)) reasons.push(`change ${fmtMoney(amt, input.currency)} > approval threshold ${fmtMoney(input.amount, input.currency)}`);
	return {
		required: reasons.length > 0,
		reasons,
		values: { thresholdPct: input.percent, thresholdAmount: input.amount, changePct: pct, changeAmount: amt },
	};
}
