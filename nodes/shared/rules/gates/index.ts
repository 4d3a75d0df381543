/**
 * The gates, in the order they are checked and listed. Adding a gate: one
 * file exporting its definition (settings schemas, merge, check, reason with
 * numbers) and one line here. The rule model's settings schemas
 * (`settings.gates`, `rule.gates`, `settings.currencies.<ISO>`), the
 * evaluation loop, the backtest, the node's options and the approval card
 * all read this list.
 */
import type { z } from 'zod';
import { alreadyDone } from './already-done';
import { approval } from './approval';
import { budgetBounds } from './budget-bounds';
import { conflict } from './conflict';
import { cooldown } from './cooldown';
import { dailyChange } from './daily-change';
import { dataVolume } from './data-volume';
import { entityAge } from './entity-age';
import { hasEffect } from './has-effect';
import { killSwitch } from './kill-switch';
import { maxActions } from './max-actions';
import { maxChange } from './max-change';
import { maxDailySpend } from './max-daily-spend';
import { schedule } from './schedule';
import { unreconciled } from './unreconciled';
import type { GateName } from './common';
import type { GateDefinition, GateNodeOption, MergeInput, ResolvedGates } from './types';

export const GATES = [
	killSwitch,
	schedule,
	entityAge,
	dataVolume,
	alreadyDone,
	cooldown,
	maxDailySpend,
	budgetBounds,
	maxChange,
	dailyChange,
	hasEffect,
	maxActions,
	conflict,
	unreconciled,
	approval,
] as const;

export type { GateName } from './common';
// every registered gate's name is a GateName (a compile error here names the one that is not)
const _names: ReadonlyArray<GateName | 'approval'> = GATES.map((g) => g.name);
void _names;
export const GATE_NAMES = (GATES as ReadonlyArray<GateDefinition<string, unknown>>).filter((g) => g.stage !== 'approval').map((g) => g.name as GateName);

/** The gates the evaluation loop runs, in order. */
export const EVALUATED_GATES: ReadonlyArray<GateDefinition<string, unknown>> = GATES.filter((g) => g.stage === 'evaluate') as ReadonlyArray<GateDefinition<string, unknown>>;

function shapes(level: 'node' | 'rule' | 'currency'): z.ZodRawShape {
	const out: z.ZodRawShape = {};
	for (const g of GATES as ReadonlyArray<GateDefinition<string, unknown>>) {
		for (const [k, v] of Object.entries(g.settings[level] ?? {})) {
			// one key may serve two gates (budgetFloor: node and currency levels of budget_bounds); the first definition wins
			if (!(k in out)) out[k] = v;
		}
	}
	return out;
}

/** zod shapes of `settings.gates`, `rule.gates` and `settings.currencies.<ISO>`, from every gate's own settings. */
export const GATE_SETTING_SHAPES = { node: shapes('node'), rule: shapes('rule'), currency: shapes('currency') };

/** The node's options of every gate, in list order. */
export const GATE_NODE_OPTIONS: ReadonlyArray<GateNodeOption & { gate: string }> = (GATES as ReadonlyArray<GateDefinition<string, unknown>>).flatMap((g) =>
	(g.nodeOptions ?? []).map((o) => ({ ...o, gate: g.name })),
);

/** Each gate's own merged settings (the `own` of its check), in GATES order, and all of them flat. */
export interface MergedGates {
	flat: ResolvedGates;
	own: unknown[];
}

export function mergeGates(input: MergeInput): MergedGates {
	const own: unknown[] = [];
	const flat: Record<string, unknown> = {};
	for (const g of GATES as ReadonlyArray<GateDefinition<string, unknown>>) {
		const r = g.merge(input);
		own.push(r);
		if (r !== null && typeof r === 'object') Object.assign(flat, r);
	}
	return { flat: flat as unknown as ResolvedGates, own };
}

/** Position of each evaluated gate's settings in `MergedGates.own`. */
export const EVALUATED_INDEX: readonly number[] = (GATES as ReadonlyArray<GateDefinition<string, unknown>>).flatMap((g, i) => (g.stage === 'evaluate' ? [i] : []));

export { GATES as GATE_LIST };
export type { GateDefinition, GateContext, GateEntity, GateHistory, ChangeEntry, BudgetWindow, ResolvedGates, MergeInput, GateNodeOption } from './types';
