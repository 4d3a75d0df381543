/**
 * The shape of a gate (one file per gate under gates/, registered in
 * gates/index.ts) and what a gate's check can read about one decision.
 */
import type { z } from 'zod';
import type { MetricSums } from '../metrics';
import type { ActionType } from '../action-types';
import type { GateConfig, Rule, Settings } from '../rule-types';
import type { ScheduleWindow, Window } from '../schema-parts';
import type { LocalClock } from '../time';
import type { GateResult } from './common';

/** An earlier change of the entity: by a rule of this package, or made outside it (a person in the platform's UI, another tool). */
export interface ChangeEntry {
	atMs: number;
	action: ActionType;
	budgetBefore: number | null;
	budgetAfter: number | null;
	ruleId: string | null;
	idempotencyKey: string | null;
	/** `outside`: read from the platform's change history, not made by this package. */
	source?: 'outside';
	/** Who made it (a person's name, an app), when known. */
	by?: string | null;
	/** Where it was made (Ads Manager, Google Ads web interface, API), when known. */
	via?: string | null;
	/** The change's outcome was lost (unknown): counted as applied. */
	unknown?: boolean;
}

/** The rolling 24 h of one entity's budget: what the daily cap is measured against. */
export interface BudgetWindow {
	/** The budget 24 h ago: before the first budget change in (now − 24 h, now], else the current one. */
	startBudget: number | null;
	/** Lowest and highest budget held at any moment of the last 24 h (the current one included). */
	lowest: number | null;
	highest: number | null;
	/** The budget changes in the window, oldest first. */
	changes: ChangeEntry[];
}

/** What the gate checks read about the action history. */
export interface GateHistory {
	/** When this idempotency key was done, or null. */
	doneAt(idempotencyKey: string): number | null;
	/** The entity's latest change (not a notification), or null. */
	lastChangeEntry(entityKey: string): ChangeEntry | null;
	/** The entity's budget over the rolling 24 h ending at `nowMs`, with `current` as the budget now. */
	budgetWindow(entityKey: string, nowMs: number, current: number | null): BudgetWindow;
}

/** The entity as the gates see it. */
export interface GateEntity {
	key: string;
	platform: string;
	accountId: string;
	campaignId: string;
	status: 'active' | 'paused' | 'other';
	createdAtMs: number | null;
	dailyBudget: number | null;
	currency: string;
	timezone: string;
	budgetFloor: number | null;
	budgetCeiling: number | null;
}

/** The settings of every registered gate merged for one rule on one entity (rule and node level, per currency). */
export interface ResolvedGates extends Pick<GateConfig, 'minEntityAgeDays' | 'cooldownHours' | 'maxChangePct' | 'maxDailyChangePct' | 'changeMode' | 'budgetFloor' | 'budgetCeiling'> {
	minData: { spend: number | null; impressions: number | null; clicks: number | null; conversions: number | null };
	/** Window the data volume is measured over. */
	dataWindow: Window;
	/** Every listed schedule must allow the moment (operator's, then the rule's). */
	schedules: Array<{ source: 'settings' | 'rule'; windows: ScheduleWindow[] }>;
	approvalPercent: number | null;
	approvalAmount: number | null;
	approvalActions: ActionType[];
}

/** What a gate's `merge` gets: the node-level (operator's) settings, the rule's, the per-currency ones, the entity. */
export interface MergeInput {
	/** `settings.gates` (node level), parsed. */
	node: Record<string, unknown>;
	/** `rule.gates` (rule level), parsed. */
	rule: Record<string, unknown>;
	/** `settings.currencies[<entity's budget currency>]` (only the keys given). */
	currency: Record<string, unknown>;
	entity: { currency: string; budgetFloor?: number | null; budgetCeiling?: number | null };
	/** The rule's widest condition window (the data window when none is set). */
	defaultDataWindow: Window;
}

/** What a gate's `check` can read about one decision. */
export interface GateContext {
	readonly settings: Settings;
	readonly rule: Rule;
	readonly entity: GateEntity;
	readonly clock: LocalClock;
	readonly nowMs: number;
	/** The rule changes the entity (pause, enable, budget); false for notify. */
	readonly change: boolean;
	/** The rule changes the budget (scale_budget, set_budget). */
	readonly budget: boolean;
	/** Budget actions: the direction the rule asks for (1 raise, −1 lower, 0 none or not a budget action). */
	readonly direction: number;
	readonly idempotencyKey: string;
	readonly history: GateHistory;
	/** Every gate's settings merged (`own` of each check is its part). */
	readonly resolved: ResolvedGates;
	/** Sums over the data window and its label. */
	dataVolume(): { sums: MetricSums; label: string };
	/** Sums of the local today (spend so far today, in the metric rows' currency). */
	today(): MetricSums;
	/** Changes already planned (executed or proposed) in this run. */
	readonly used: number;
	/** The results listed so far for this decision. */
	readonly results: readonly GateResult[];
	/** Budget actions: the plan (bounds, caps, rounding), computed once. */
	plan(): import('./budget-plan').BudgetPlan;
}

/** Where the node's options show a gate setting (AdOps Optimizer → Options). */
export interface GateNodeOption {
	/** The key in `settings.gates`. */
	name: string;
	displayName: string;
	type: 'number' | 'boolean';
	description: string;
}

/**
 * One gate. `check` runs for every decision the gate applies to, in the order
 * of the list in gates/index.ts; it returns its result(s) with numbers, or null
 * when it has nothing to say (not configured, and listing a skip would only add
 * noise). `stage: 'external'` gates are decided outside the evaluation loop
 * (conflicts between rules, open changes in the ledger); `approval` decides
 * between execute and propose after every gate passed.
 */
export interface GateDefinition<N extends string = string, R = unknown> {
	readonly name: N;
	readonly stage: 'evaluate' | 'external' | 'approval';
	/** `every` decision, `change` actions (not notify), `budget` actions only. */
	readonly appliesTo: 'every' | 'change' | 'budget';
	/** One line: what the gate guarantees, exactly (README, node option descriptions, cards). */
	readonly meaning: string;
	/** zod shapes of its settings: node level (`settings.gates`), rule level (`rule.gates`), per currency (`settings.currencies.<ISO>`). */
	readonly settings: { node?: z.ZodRawShape; rule?: z.ZodRawShape; currency?: z.ZodRawShape };
	/** Number/boolean settings the node offers as options. */
	readonly nodeOptions?: readonly GateNodeOption[];
	merge(input: MergeInput): R;
	check(ctx: GateContext, own: R): GateResult | readonly GateResult[] | null;
}

/** Declares a gate (keeps its literal name and its settings' type). */
export function defineGate<N extends string, R>(def: GateDefinition<N, R>): GateDefinition<N, R> {
	return def;
}
