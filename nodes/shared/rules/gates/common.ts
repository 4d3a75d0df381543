/**
 * What every gate file shares: the result shape, number and money words, the
 * shared (frozen) results, the "not evaluated" result. No gate logic here.
 */
import { fmtMoney } from '../../platforms/currency';
import { fmt } from '../../text/number';

/** The number-for-people rule every gate reason uses (its home is text/number.ts), and money for people (its home is platforms/currency.ts). */
export { fmt, fmtMoney };

/** Every gate that can appear in a decision's gate list (approval decides execute vs propose and is not listed). A new gate adds its name here (gates/index.ts checks every registered gate's name against it). */
export type GateName =
	| 'kill_switch'
	| 'schedule'
	| 'entity_age'
	| 'data_volume'
	| 'already_done'
	| 'cooldown'
	| 'max_daily_spend'
	| 'budget_bounds'
	| 'max_change'
	| 'daily_change'
	| 'has_effect'
	| 'max_actions'
	| 'conflict'
	| 'unreconciled';

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



/** A signed percent: `+20%`, `-12.5%`. */
export function fmtPct(n: number | null | undefined): string {
	if (n === null || n === undefined || !Number.isFinite(n)) return 'undefined';
	return `${n > 0 ? '+' : ''}${fmt(n)}%`;
}

export function gate(name: GateName, status: GateStatus, detail: string, values: Record<string, GateValue> = {}): GateResult {
	return { gate: name, status, detail, values };
}

/**
 * Gate results that only depend on a few settings are built once and shared
 * between decisions (frozen: output is read-only). Large runs hold tens of
 * thousands of decisions; sharing keeps them cheap.
 */
const shared = new Map<string, GateResult>();
export function memo(id: string, make: () => GateResult): GateResult {
	let r = shared.get(id);
	if (!r) {
		r = make();
		Object.freeze(r.values);
		Object.freeze(r);
		if (shared.size < 10_000) shared.set(id, r);
	}
	return r;
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

export const maxOf = (a: number | null | undefined, b: number | null | undefined): number | null =>
	a === null || a === undefined ? (b ?? null) : b === null || b === undefined ? a : Math.max(a, b);
export const minOf = (a: number | null | undefined, b: number | null | undefined): number | null =>
	a === null || a === undefined ? (b ?? null) : b === null || b === undefined ? a : Math.min(a, b);

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
