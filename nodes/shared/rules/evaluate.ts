/**
 * Pure, deterministic evaluation of a rule set over entities, their metric
 * history and the recent action history, at one instant (`settings.now`).
 *
 * One call = one run. Everything it needs comes in as data read in one batch
 * (see `historyRequirements` for how far back to read), nothing is read from
 * a clock, a store or the network, and the same input gives the same output
 * whatever the order of entities, rules, metric rows or actions.
 *
 * Per entity × rule in scope the result holds the condition tree with every
 * leaf's value, the gate results, a decision and its reasons (no_match ones
 * only with `settings.output: 'full'`; by default they are counted):
 * - `no_match`: the conditions are not met (or undefined), or the action does
 *   not apply to the entity's status (pause/scale/set act on active entities,
 *   enable on paused ones, notify on both; other statuses are left alone);
 * - `gated`: matched, but a gate failed or the rule lost a conflict;
 * - `propose`: matched, gates passed, above the approval threshold: the
 *   decision carries a `ProposalInput` (kind `optimization`);
 * - `execute`: matched and every gate passed.
 *
 * Conflicts: per entity, at most one *change* (pause, enable, budget) is
 * planned per run. Among the change rules whose conditions matched, the winner
 * is the lowest `priority` number; ties go to the safer action (pause, then a
 * budget decrease, then an increase, then enable), then to the smaller rule id.
 * Losers are `gated` with a `conflict` gate naming the winner. The winner is
 * chosen before its gates: if it is gated, no lower rule acts in its place
 * (a blocked "pause" must not let a "scale up" through). Notify rules never
 * conflict.
 *
 * Run order: the winners and notify rules are then gated in one global order —
 * priority, action safety, rule id, entity key — and every change planned
 * (executed or proposed) is added to the action history before the next one is
 * gated, so it counts toward cooldowns, the rolling 24 h cap and the maximum
 * actions per run of everything after it.
 *
 * Time: "today" and every window are calendar days in the entity's account
 * time zone at `settings.now` (see model.ts for windows); schedules use the
 * same local clock; entity age, cooldowns and the rolling 24 h are measured in
 * absolute time.
 */
import { hash } from 'node:crypto';
import type { ProposalInput } from '../approvals/proposal';
import { currencyExponent } from '../platforms/currency';
import type { Json } from '../schema/rows';
import { PLATFORMS } from '../schema/rows';
import {
	approvalCheck,
	conflictGate,
	fmt,
	gate,
	fmtMoney,
	fmtPct,
	killSwitchGate,
	planBudget,
	type BudgetPlan,
	type BudgetWindow,
	type ChangeEntry,
	type GateContext,
	type GateEntity,
	type GateHistory,
	type GateResult,
	type GateValue,
} from './gates';
import { EVALUATED_GATES, EVALUATED_INDEX, mergeGates, type MergedGates } from './gates/index';
import {
	accountAverage,
	buildMetricIndex,
	entityKey,
	accountKey as makeAccountKey,
	metricValue,
	emptySums,
	windowSumsInto,
	MetricIndex,
	type AccountWindow,
	type CommentSeries,
	type CommentSignalColumns,
	type CommentSignalRowInput,
	type MetricRowInput,
	type Series,
	type WindowSums,
} from './metrics';
import {
	BUDGET_ACTIONS,
	CHANGE_ACTIONS,
	COMMENT_SIGNAL_METRICS,
	MONEY_METRICS,
	RulesInputError,
	conditionLeaves,
	isLeaf,
	parseRules,
	parseSettings,
	type Action,
	type ActionType,
	type CompareTo,
	type Condition,
	type LeafCondition,
	type Metric,
	type Op,
	type Rule,
	type LeafWindow,
	type Settings,
	type Window,
} from './model';
import { runSteps, runStepsAsync, yieldToEventLoop, type Steps } from '../resilience/steps';
import { compileScope, scopeMiss, type ScopeTarget } from './scope';
import { INSIGHT_RULE_METRICS, insightKey, insightMetricValue, type InsightRuleMetric } from '../insights/rule-metrics';
import { ATTRIBUTION_RULE_METRICS, DEFAULT_ATTRIBUTION_RULE_MODEL, attributionKey, attributionMetricValue, hasAttributedRows, type AttributionRuleMetric, type AttributionRuleModel } from '../attribution/rule-metrics';
import { FIRST_PARTY_RULE_METRICS, firstPartyEventCount, firstPartyMetricValue, type FirstPartyRuleMetric, type FirstPartyValue } from '../events/rule-metrics';
import { DAY_MS, HOUR_MS, dayString, formatMinute, isValidTimeZone, localClock, type LocalClock } from './time';

// ---------------------------------------------------------------------------
// Inputs
// ---------------------------------------------------------------------------

/**
 * A campaign — or, with `adId`, one of its ads (rules of level `ad`) — as the
 * platform reports it now (read in the same batch as the metrics).
 */
export interface EntityInput {
	platform: string;
	accountId: string;
	campaignId: string;
	/** The ad (Meta ad, Google Ads ad group ad, LinkedIn creative): the entity is this ad of the campaign, evaluated by rules of level `ad` only. */
	adId?: string | null;
	/** The ad's ad set / ad group (Google Ads needs it to change the ad); null on LinkedIn. */
	adGroupId?: string | null;
	name?: string | null;
	labels?: readonly string[] | null;
	/** Platform status: ACTIVE/ENABLED → active, PAUSED → paused, anything else (ARCHIVED, REMOVED, …) is left alone. */
	status: string;
	/** When the campaign was created (learning period); null = unknown. */
	createdAt?: string | Date | null;
	/** Current daily budget in major units of `currency`; null = none at campaign level. */
	dailyBudget?: number | null;
	/** Budget (account) currency, ISO 4217. */
	currency: string;
	/** The account's IANA time zone. */
	timezone: string;
	/** Entity-specific bounds; they can only tighten the settings' floor/ceiling. */
	budgetFloor?: number | null;
	budgetCeiling?: number | null;
}

/**
 * A change (or notification) done earlier, from the ledger / `optimization_actions`
 * (`actionRecordFromRow`). Changes count toward cooldowns and the 24 h cap;
 * a record with an idempotency key also stops the same key from running again.
 */
export interface ActionRecord {
	platform: string;
	accountId: string;
	campaignId: string;
	/** A change of one ad of the campaign (it counts for that ad, not for its campaign). */
	adId?: string | null;
	at: string | Date | number;
	action: ActionType;
	budgetBefore?: number | null;
	budgetAfter?: number | null;
	ruleId?: string | null;
	idempotencyKey?: string | null;
	/** `outside`: a change read from the platform's change history (a person in the platform's UI, another tool), not made by this package. */
	source?: 'rule' | 'outside';
	/** Who made an outside change (a person's name or an app), when the platform says. */
	by?: string | null;
	/** Where it was made (Ads Manager, Google Ads web interface, API), when the platform says. */
	via?: string | null;
	/** The change's answer was lost: counted as applied until it is reconciled. */
	unknown?: boolean;
}

export interface EvaluationInput {
	/** Rules as JSON or parsed; validated here (RuleValidationError names the path). */
	rules: readonly unknown[];
	entities: readonly EntityInput[];
	/** `campaign_performance` rows, or an index built once with `buildMetricIndex` (then with its signal rows). */
	metrics: readonly MetricRowInput[] | MetricIndex;
	/**
	 * `ad_comment_signals` rows of the same accounts and days (the comment
	 * metrics); none = 0 comments everywhere. Only with metric rows: an index
	 * brings its own (`buildMetricIndex(rows, signals)`).
	 */
	commentSignals?: readonly CommentSignalRowInput[] | CommentSignalColumns;
	actions?: readonly ActionRecord[];
	/** `now` is required; see `Settings`. */
	settings: unknown;
}

// ---------------------------------------------------------------------------
// Outputs
// ---------------------------------------------------------------------------

export type DecisionKind = 'execute' | 'propose' | 'gated' | 'no_match';

export interface EntityRef {
	key: string;
	platform: string;
	accountId: string;
	campaignId: string;
	/** Present for an ad (rules of level `ad`). */
	adId?: string;
	adGroupId?: string | null;
	name: string | null;
}

export interface WindowInfo {
	kind: LeafWindow['kind'];
	/** Length in days (null for lifetime and the last hour). */
	days: number | null;
	/** First day (null for lifetime: from the first stored day). */
	start: string | null;
	end: string;
	label: string;
}

export interface LeafResult {
	type: 'leaf';
	metric: Metric;
	window: WindowInfo;
	op: Op;
	value: number | null;
	min: number | null;
	max: number | null;
	compareTo: CompareTo | null;
	/** The metric over the window (null = undefined, e.g. CPA without conversions). */
	actual: number | null;
	/** The previous window's value or the account average (with compareTo). */
	baseline: number | null;
	baselineWindow: WindowInfo | null;
	/** What was compared with the threshold: `actual`, or the change % against `baseline`. */
	compared: number | null;
	/** true/false; null = undefined (unknown). */
	result: boolean | null;
	/** The value was undefined and `ifUndefined: 'match'` counted it as met. */
	undefinedAsMatch: boolean;
	/** `=` / `!=` only: the tolerance used. */
	tolerance?: number;
	/** Attribution metrics only: the model whose credit was read. */
	model?: AttributionRuleModel;
	/** First-party money only: what was left out, in words (conversion value in other currencies). */
	note?: string;
	/** One line: "cpa last 7 days (…) = 63.2 > 50". */
	text: string;
}

export interface GroupResult {
	type: 'all' | 'any';
	result: boolean | null;
	children: ConditionResult[];
}

export type ConditionResult = LeafResult | GroupResult;

export interface PlannedAction {
	type: ActionType;
	/** What the rule asked for. */
	requested: { percent: number | null; amount: number | null; message: string | null };
	statusBefore: string;
	statusAfter: string;
	currency: string;
	/** Budget before/after for budget actions (null for status actions and notifications). */
	budgetBefore: number | null;
	budgetAfter: number | null;
	changeAmount: number | null;
	changePct: number | null;
	/** Gates that shrank the change (budget_bounds, max_change, daily_change). */
	clampedBy: string[];
	/** One line for people: "daily budget 100.00 USD → 120.00 USD (+20%)". */
	summary: string;
}

export interface Decision {
	ruleId: string;
	ruleName: string;
	priority: number;
	entity: EntityRef;
	decision: DecisionKind;
	reasons: string[];
	/** Result of the condition tree (null when not evaluated: out of scope or not applicable). */
	matched: boolean | null;
	conditions: ConditionResult | null;
	gates: GateResult[];
	action: PlannedAction | null;
	/** sha256 of (rule, entity, action, evaluation window); the ledger's key. Null for no_match. */
	idempotencyKey: string | null;
	evaluation: { at: string; timezone: string; localDate: string; localTime: string; window: WindowInfo };
	conflict: { winnerRuleId: string; winnerRuleName: string; winnerPriority: number } | null;
	approval: { required: boolean; reasons: string[] } | null;
	proposal: ProposalInput | null;
}

export interface EvaluationSummary {
	execute: number;
	propose: number;
	gated: number;
	no_match: number;
	outOfScope: number;
	/** Changes planned (execute + propose of change actions). */
	actionsPlanned: number;
	entities: number;
	rules: number;
	disabledRules: number;
}

export interface EvaluationResult {
	at: string;
	killSwitch: boolean;
	/** Sorted by entity key, then rule (priority, id). */
	decisions: Decision[];
	summary: EvaluationSummary;
	/** Entities left out, with the reason (unknown time zone, currency, …). */
	skippedEntities: Array<{ entity: Partial<EntityRef>; reason: string }>;
	/** Metric rows the index could not read (bad date, negative spend, …). */
	rejectedRows: number;
	/** Comment signal rows the index could not use (no campaign, impossible counts, …). */
	rejectedSignalRows: number;
	/** Action records that could not be read (bad timestamp). */
	rejectedActions: number;
}

// ---------------------------------------------------------------------------
// Normalized inputs
// ---------------------------------------------------------------------------

export type EntityStatus = 'active' | 'paused' | 'other';

/** An entity after validation; what the evaluation and the backtest work on. */
export interface Entity extends GateEntity {
	accountKey: string;
	/** The ad, for an ad entity; null for a campaign. */
	adId: string | null;
	adGroupId: string | null;
	name: string | null;
	labels: string[];
	status: EntityStatus;
	rawStatus: string;
}

export function normalizeStatus(status: string): EntityStatus {
	const s = String(status).trim().toUpperCase();
	if (s === 'ACTIVE' || s === 'ENABLED') return 'active';
	if (s === 'PAUSED') return 'paused';
	return 'other';
}

function timeMs(value: unknown): number | null {
	if (value === null || value === undefined) return null;
	const ms = value instanceof Date ? value.getTime() : typeof value === 'number' ? value : typeof value === 'string' ? Date.parse(value) : Number.NaN;
	return Number.isFinite(ms) ? ms : Number.NaN;
}

const optionalMoney = (v: unknown) => v === null || v === undefined || (typeof v === 'number' && Number.isFinite(v) && v >= 0);

/** Distinct string labels, sorted. */
function normalizeLabels(labels: readonly unknown[]): string[] {
	if (labels.length === 0) return [];
	if (labels.length === 1) return typeof labels[0] === 'string' ? [labels[0]] : [];
	return [...new Set(labels.filter((l): l is string => typeof l === 'string'))].sort();
}

/** Validates and sorts entities by key. Throws RulesInputError on a duplicate key. */
export function normalizeEntities(inputs: readonly EntityInput[]): { entities: Entity[]; skipped: EvaluationResult['skippedEntities'] } {
	const entities: Entity[] = [];
	const skipped: EvaluationResult['skippedEntities'] = [];
	const seen = new Set<string>();
	// a run has few distinct zones and currencies: check each once
	const zones = new Map<unknown, boolean>();
	const currencies = new Map<unknown, boolean>();
	for (const e of inputs) {
		const ref = { platform: e?.platform, accountId: e?.accountId, campaignId: e?.campaignId, name: e?.name ?? null };
		const bad = (reason: string) => skipped.push({ entity: ref, reason });
		if (!e || typeof e !== 'object') {
			skipped.push({ entity: {}, reason: 'not an object' });
			continue;
		}
		if (!(PLATFORMS as readonly string[]).includes(e.platform)) {
			bad(`unknown platform ${String(e.platform)}`);
			continue;
		}
		if (typeof e.accountId !== 'string' || e.accountId === '' || typeof e.campaignId !== 'string' || e.campaignId === '') {
			bad('accountId and campaignId must be non-empty strings');
			continue;
		}
		let knownCurrency = currencies.get(e.currency);
		if (knownCurrency === undefined) currencies.set(e.currency, (knownCurrency = currencyExponent(e.currency) !== undefined));
		if (!knownCurrency) {
			bad(`unknown currency ${String(e.currency)}`);
			continue;
		}
		let knownZone = zones.get(e.timezone);
		if (knownZone === undefined) zones.set(e.timezone, (knownZone = isValidTimeZone(e.timezone)));
		if (!knownZone) {
			bad(`unknown time zone ${String(e.timezone)}`);
			continue;
		}
		const createdAtMs = timeMs(e.createdAt);
		if (Number.isNaN(createdAtMs)) {
			bad(`createdAt ${String(e.createdAt)} is not a timestamp`);
			continue;
		}
		if (!optionalMoney(e.dailyBudget) || !optionalMoney(e.budgetFloor) || !optionalMoney(e.budgetCeiling)) {
			bad('dailyBudget, budgetFloor and budgetCeiling must be numbers >= 0 or null');
			continue;
		}
		if (e.adId !== undefined && e.adId !== null && (typeof e.adId !== 'string' || e.adId === '')) {
			bad('adId must be a non-empty string when given');
			continue;
		}
		const adId = e.adId || null;
		const key = entityKey(e.platform, e.accountId, e.campaignId, adId);
		if (seen.has(key)) throw new RulesInputError(`entity ${key} is listed twice`);
		seen.add(key);
		entities.push({
			key,
			accountKey: makeAccountKey(e.platform, e.accountId, adId === null ? 'campaign' : 'ad'),
			platform: e.platform,
			accountId: e.accountId,
			campaignId: e.campaignId,
			adId,
			adGroupId: adId === null ? null : (e.adGroupId ?? null),
			name: typeof e.name === 'string' ? e.name : null,
			labels: Array.isArray(e.labels) ? normalizeLabels(e.labels) : [],
			status: normalizeStatus(e.status),
			rawStatus: String(e.status),
			createdAtMs,
			dailyBudget: e.dailyBudget ?? null,
			currency: e.currency,
			timezone: e.timezone,
			budgetFloor: e.budgetFloor ?? null,
			budgetCeiling: e.budgetCeiling ?? null,
		});
	}
	entities.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
	return { entities, skipped };
}

/** One change or notification in the history, in epoch ms (by a rule, or outside the package). */
export type HistoryEntry = ChangeEntry;

/**
 * The action history by entity: last change, the budgets held over the rolling
 * 24 h, and idempotency keys already used. `add` appends a planned change of
 * this run. Changes made outside the package (read from the platforms' change
 * history) and changes with an unknown outcome are entries like any other.
 */
export class ActionHistory implements GateHistory {
	readonly #byEntity = new Map<string, HistoryEntry[]>();
	readonly #keys = new Map<string, number>();
	readonly #parent: ActionHistory | null;
	/** Records that could not be read (bad timestamp or ids). */
	rejected = 0;

	constructor(records: readonly ActionRecord[] = [], parent: ActionHistory | null = null) {
		this.#parent = parent;
		const sorted: Array<[string, HistoryEntry]> = [];
		for (const r of records) {
			const atMs = timeMs(r?.at);
			if (atMs === null || Number.isNaN(atMs) || typeof r.platform !== 'string' || typeof r.accountId !== 'string' || typeof r.campaignId !== 'string') {
				this.rejected++;
				continue;
			}
			const entry: HistoryEntry = { atMs, action: r.action, budgetBefore: r.budgetBefore ?? null, budgetAfter: r.budgetAfter ?? null, ruleId: r.ruleId ?? null, idempotencyKey: r.idempotencyKey ?? null };
			if (r.source === 'outside') {
				entry.source = 'outside';
				entry.by = r.by ?? null;
				entry.via = r.via ?? null;
			}
			if (r.unknown) entry.unknown = true;
			sorted.push([entityKey(r.platform, r.accountId, r.campaignId, r.adId), entry]);
		}
		// a total order (instant, entity, then the entry itself), so the input order of the records never changes a decision
		const tie = (e: HistoryEntry) => JSON.stringify([e.action, e.budgetBefore, e.budgetAfter, e.ruleId, e.idempotencyKey, e.source ?? null, e.by ?? null, e.via ?? null, e.unknown ?? false]);
		sorted.sort((a, b) => a[1].atMs - b[1].atMs || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0) || (tie(a[1]) < tie(b[1]) ? -1 : tie(a[1]) > tie(b[1]) ? 1 : 0));
		for (const [key, entry] of sorted) this.add(key, entry);
	}

	/** A history that reads this one and keeps its own additions apart (one run of the backtest). */
	fork(): ActionHistory {
		return new ActionHistory([], this);
	}

	add(key: string, entry: HistoryEntry): void {
		let list = this.#byEntity.get(key);
		if (!list) {
			list = [];
			this.#byEntity.set(key, list);
		}
		list.push(entry);
		if (entry.idempotencyKey !== null && !this.#keys.has(entry.idempotencyKey)) this.#keys.set(entry.idempotencyKey, entry.atMs);
	}

	/** When this idempotency key was done, or null. */
	doneAt(idempotencyKey: string): number | null {
		return this.#parent?.doneAt(idempotencyKey) ?? this.#keys.get(idempotencyKey) ?? null;
	}

	/** Latest change (not notification) of the entity, or null. */
	lastChange(key: string): number | null {
		return this.lastChangeEntry(key)?.atMs ?? null;
	}

	/** The entity's latest change (not a notification), or null; on equal instants the one added last. */
	lastChangeEntry(key: string): HistoryEntry | null {
		let last: HistoryEntry | null = this.#parent?.lastChangeEntry(key) ?? null;
		for (const e of this.#byEntity.get(key) ?? []) if (CHANGE_ACTIONS.has(e.action) && (last === null || e.atMs >= last.atMs)) last = e;
		return last;
	}

	/**
	 * The entity's budget over (now − 24 h, now] (later entries count too: clock
	 * skew is not a way around the cap): the budget before the first change in
	 * it, every budget held since, the changes.
	 */
	budgetWindow(key: string, nowMs: number, current: number | null): BudgetWindow {
		const changes: HistoryEntry[] = [];
		for (const e of this.entries(key)) {
			if (e.atMs > nowMs - DAY_MS && BUDGET_ACTIONS.has(e.action) && e.budgetBefore !== null && e.budgetAfter !== null) changes.push(e);
		}
		if (changes.length === 0) return { startBudget: current, lowest: current, highest: current, changes };
		changes.sort((a, b) => a.atMs - b.atMs);
		let lowest = changes[0].budgetBefore as number;
		let highest = lowest;
		for (const c of changes) {
			for (const v of [c.budgetBefore as number, c.budgetAfter as number]) {
				if (v < lowest) lowest = v;
				if (v > highest) highest = v;
			}
		}
		if (current !== null) {
			if (current < lowest) lowest = current;
			if (current > highest) highest = current;
		}
		return { startBudget: changes[0].budgetBefore, lowest, highest, changes };
	}

	/** The entity's entries, oldest first (parent's, then own). */
	entries(key: string): HistoryEntry[] {
		return [...(this.#parent?.entries(key) ?? []), ...(this.#byEntity.get(key) ?? [])];
	}
}

// ---------------------------------------------------------------------------
// Windows
// ---------------------------------------------------------------------------

const LIFETIME_START = -100_000_000;

interface ResolvedWindow {
	info: WindowInfo;
	start: number;
	end: number;
}

function windowLength(w: LeafWindow): number {
	return w.kind === 'last_n_days' ? w.days : w.kind === 'lifetime' ? Number.POSITIVE_INFINITY : w.kind === 'last_hour' ? 1 / 24 : 1;
}

function windowName(w: LeafWindow): string {
	return w.kind === 'last_n_days' ? `last ${w.days} days` : w.kind === 'last_hour' ? 'last hour' : w.kind;
}

function makeWindow(w: LeafWindow, start: number, end: number, name: string): ResolvedWindow {
	const startDate = start === LIFETIME_START ? null : dayString(start);
	const endDate = dayString(end);
	const span = startDate === endDate ? endDate : `${startDate ?? ''}..${endDate}`;
	return { info: { kind: w.kind, days: startDate === null ? null : end - start + 1, start: startDate, end: endDate, label: `${name} (${span})` }, start, end };
}

/** The days of a window for local day `today` (the last hour: today's day number; first-party metrics take its instants). */
export function resolveWindow(w: LeafWindow, today: number): { start: number; end: number; info: WindowInfo } {
	switch (w.kind) {
		case 'today':
			return makeWindow(w, today, today, 'today');
		case 'last_hour':
			return { info: { kind: w.kind, days: null, start: dayString(today), end: dayString(today), label: 'last hour' }, start: today, end: today };
		case 'yesterday':
			return makeWindow(w, today - 1, today - 1, 'yesterday');
		case 'last_n_days':
			return makeWindow(w, today - w.days, today - 1, windowName(w));
		case 'lifetime':
			return makeWindow(w, LIFETIME_START, today, 'lifetime');
	}
}

/** The window of the same length just before (not defined for lifetime). */
export function previousWindow(w: LeafWindow, today: number): { start: number; end: number; info: WindowInfo } {
	const cur = resolveWindow(w, today);
	if (w.kind === 'lifetime') throw new RangeError('a lifetime window has no previous window');
	const len = cur.end - cur.start + 1;
	return makeWindow(w, cur.start - len, cur.start - 1, `previous ${windowName(w)}`);
}

const TODAY: Window = { kind: 'today' };

/**
 * The widest window a condition tree uses (lifetime > last N > one day > the
 * last hour; first in tree order on ties); the last hour alone is today's
 * (the decision's day: its key and the minimum-data gate's default window).
 */
export function widestWindow(c: Condition): Window {
	let best: LeafWindow | null = null;
	for (const leaf of conditionLeaves(c)) if (best === null || windowLength(leaf.window) > windowLength(best)) best = leaf.window;
	return (best as LeafWindow).kind === 'last_hour' ? TODAY : (best as Window);
}

// ---------------------------------------------------------------------------
// Conditions
// ---------------------------------------------------------------------------

/** Half a minor unit of a currency (0.005 USD, 0.5 JPY); 0.005 when unknown. */
function halfMinor(currency: string | null | undefined): number {
	const e = currency ? currencyExponent(currency) : undefined;
	return 0.5 / 10 ** (e ?? 2);
}

/** The tolerance of `=` / `!=` for a leaf on an entity whose metric rows are in `currency` (see OPS in model.ts). */
export function equalTolerance(leaf: LeafCondition, currency: string | null | undefined): number {
	if (leaf.tolerance !== undefined) return leaf.tolerance;
	if (MONEY_METRICS.has(leaf.metric) && leaf.compareTo === undefined) return halfMinor(currency);
	return 1e-9 * Math.max(1, Math.abs(leaf.value ?? 0));
}

function compare(op: Op, x: number, leaf: LeafCondition, tol = 0): boolean {
	switch (op) {
		case '=':
			return Math.abs(x - (leaf.value as number)) <= tol;
		case '!=':
			return Math.abs(x - (leaf.value as number)) > tol;
		case '>':
			return x > (leaf.value as number);
		case '>=':
			return x >= (leaf.value as number);
		case '<':
			return x < (leaf.value as number);
		case '<=':
			return x <= (leaf.value as number);
		case 'between':
			return x >= (leaf.min as number) && x <= (leaf.max as number);
	}
}

/** Percent change of `value` against `baseline`; undefined (null) when either is undefined or the baseline is 0. */
export function changePct(value: number | null, baseline: number | null): number | null {
	if (value === null || baseline === null || baseline === 0) return null;
	return ((value - baseline) / Math.abs(baseline)) * 100;
}

/** Per-entity evaluation state: cached window sums. */
interface EntityScope {
	entity: Entity;
	series: Series | undefined;
	comments: CommentSeries | undefined;
	today: number;
	cutoff: number;
	/** The evaluation instant (first-party windows end here). */
	nowMs: number;
	index: MetricIndex;
	windows: WindowSlots;
	/** The resolved windows of the entity's local day, by slot (shared by the entities of that day). */
	slots: Array<ResolvedWindow | undefined>;
	/** Window sums by slot, of the entity that computed them last (`id`). */
	pool: SumsPool;
	/** Unique in the run (> 0). */
	id: number;
	/** Position of the entity in key order (output and gate order). */
	rank: number;
	/** The entity's ref, shared by its decisions (made on first use). */
	ref: EntityRef | null;
}

/**
 * The windows of one run, numbered: every distinct window (kind and length,
 * current or previous) gets a slot, so a leaf finds its days and an entity its
 * cached sums by index. Resolved days are kept per local day; a slot's window
 * is resolved the first time it is used.
 */
class WindowSlots {
	readonly #byObject: [Map<LeafWindow, number>, Map<LeafWindow, number>] = [new Map(), new Map()];
	readonly #byKey = new Map<string, number>();
	readonly #specs: Array<{ window: LeafWindow; previous: boolean }> = [];
	readonly #days = new Map<number, Array<ResolvedWindow | undefined>>();

	/** The slot of a window (`previous`: the window of the same length just before). */
	slot(w: LeafWindow, previous: boolean): number {
		const byObject = this.#byObject[previous ? 1 : 0];
		let k = byObject.get(w);
		if (k === undefined) {
			const key = `${previous ? 'previous' : 'current'}|${w.kind}|${w.kind === 'last_n_days' ? w.days : ''}`;
			k = this.#byKey.get(key);
			if (k === undefined) {
				k = this.#specs.length;
				this.#specs.push({ window: w, previous });
				this.#byKey.set(key, k);
			}
			byObject.set(w, k);
		}
		return k;
	}

	/** The slots of local day `today` (filled as they are used). */
	day(today: number): Array<ResolvedWindow | undefined> {
		let list = this.#days.get(today);
		if (!list) this.#days.set(today, (list = []));
		return list;
	}

	resolve(list: Array<ResolvedWindow | undefined>, today: number, k: number): ResolvedWindow {
		let r = list[k];
		if (r === undefined) {
			const { window, previous } = this.#specs[k];
			r = list[k] = previous ? previousWindow(window, today) : resolveWindow(window, today);
		}
		return r;
	}

	get(w: LeafWindow, today: number, previous: boolean): ResolvedWindow {
		return this.resolve(this.day(today), today, this.slot(w, previous));
	}
}

function slotWindow(s: EntityScope, k: number): ResolvedWindow {
	return s.slots[k] ?? s.windows.resolve(s.slots, s.today, k);
}

/**
 * One run's cache of window sums: one reused object per slot, holding the sums
 * of the entity that asked last (`owner`). Entities are evaluated one after
 * the other, and nothing keeps a sums object: callers read the numbers they
 * need right away, so a run allocates no sums per entity and window.
 */
interface SumsPool {
	sums: WindowSums[];
	owner: number[];
	/** Account sums by slot, with the account and the local day (slots) and cutoff they were read for. */
	accounts: Array<AccountWindow | null>;
	accountKey: string[];
	accountDay: Array<Array<ResolvedWindow | undefined>>;
	accountCutoff: number[];
}

function sumsPool(): SumsPool {
	return { sums: [], owner: [], accounts: [], accountKey: [], accountDay: [], accountCutoff: [] };
}

/** The entity's sums over slot k's window (days after the cutoff left out); valid until the next call for another entity. */
function slotSums(s: EntityScope, k: number): WindowSums {
	const pool = s.pool;
	let v = pool.sums[k];
	if (v === undefined) v = pool.sums[k] = emptySums();
	if (pool.owner[k] !== s.id) {
		const w = slotWindow(s, k);
		windowSumsInto(v, s.series, w.start, Math.min(w.end, s.cutoff), s.comments);
		pool.owner[k] = s.id;
	}
	return v;
}

/** The sums of the entity's account over slot k's window (kept while the next entities are of the same account and day). */
function slotAccount(s: EntityScope, k: number): AccountWindow | null {
	const pool = s.pool;
	if (pool.accountKey[k] !== s.entity.accountKey || pool.accountDay[k] !== s.slots || pool.accountCutoff[k] !== s.cutoff) {
		const w = slotWindow(s, k);
		pool.accounts[k] = s.index.accountWindow(s.entity.accountKey, w.start, Math.min(w.end, s.cutoff));
		pool.accountKey[k] = s.entity.accountKey;
		pool.accountDay[k] = s.slots;
		pool.accountCutoff[k] = s.cutoff;
	}
	return pool.accounts[k];
}

/** A compiled condition: its verdict for an entity, without building results. */
type Verdict = (s: EntityScope) => boolean | null;

/**
 * A leaf compiled once per run: its windows as slots. The same values and
 * verdict as `evaluateLeaf` (true, false, or null when undefined), without a
 * result object. The closures call only monomorphic helpers (metricValue,
 * changePct, compare), so the engine inlines them and no number is boxed per
 * entity.
 */
function compileLeaf(leaf: LeafCondition, windows: WindowSlots): Verdict {
	const current = windows.slot(leaf.window, false);
	const metric = leaf.metric;
	const op = leaf.op;
	const undefinedResult = leaf.ifUndefined === 'match' ? true : null;
	if (FINDING_SET.has(metric)) {
		// a finding has no previous window or account average: compared with one it is unknown
		if (leaf.compareTo !== undefined) return () => undefinedResult;
		return (s) => {
			const v = findingValue(s, leaf, current);
			return v === null ? undefinedResult : compare(op, v, leaf, op === '=' || op === '!=' ? equalTolerance(leaf, null) : 0);
		};
	}
	if (op === '=' || op === '!=') {
		// equality within a tolerance (per entity: money's depends on the currency): through the full leaf
		return (s) => {
			const r = evaluateLeaf(leaf, s);
			return r.result;
		};
	}
	if (leaf.compareTo === 'previous_window') {
		const previous = windows.slot(leaf.window, true);
		return (s) => {
			const actual = metricValue(slotSums(s, current), metric);
			const compared = changePct(actual, metricValue(slotSums(s, previous), metric));
			return compared === null ? undefinedResult : compare(op, compared, leaf);
		};
	}
	if (leaf.compareTo === 'account_average') {
		const money = MONEY_METRICS.has(metric);
		return (s) => {
			const actual = metricValue(slotSums(s, current), metric);
			const compared = changePct(actual, accountAverage(slotAccount(s, current), metric, money));
			return compared === null ? undefinedResult : compare(op, compared, leaf);
		};
	}
	return (s) => {
		const compared = metricValue(slotSums(s, current), metric);
		return compared === null ? undefinedResult : compare(op, compared, leaf);
	};
}

/** A condition tree compiled once per run; three-valued AND/OR as `evaluateCondition`. */
function compileCondition(c: Condition, windows: WindowSlots): Verdict {
	if (isLeaf(c)) return compileLeaf(c, windows);
	const isAll = 'all' in c;
	const children = (isAll ? c.all : c.any).map((child) => compileCondition(child, windows));
	return (s) => {
		let unknown = false;
		for (const child of children) {
			const r = child(s);
			if (r === null) unknown = true;
			else if (r !== isAll) return r;
		}
		return unknown ? null : isAll;
	};
}

/** Insight metrics are not window sums: AdOps Insights' stored findings of the entity (null when none were read). */
const INSIGHT_SET: ReadonlySet<Metric> = new Set<Metric>(INSIGHT_RULE_METRICS);
/** Attribution metrics: attribution's stored credit of the campaign under the leaf's model (null when none was read). */
const ATTRIBUTION_SET: ReadonlySet<Metric> = new Set<Metric>(ATTRIBUTION_RULE_METRICS);
/** First-party metrics: the campaign's stored events over the leaf's window (null when none were read). */
const FIRST_PARTY_SET: ReadonlySet<Metric> = new Set<Metric>(FIRST_PARTY_RULE_METRICS);
/** Metrics read from stored findings (insights, attribution, first-party events) instead of the window sums. */
const FINDING_SET: ReadonlySet<Metric> = new Set<Metric>([...INSIGHT_RULE_METRICS, ...ATTRIBUTION_RULE_METRICS, ...FIRST_PARTY_RULE_METRICS]);

/** A finding's value for slot k's window: an insight, or an attribution metric (attributed_roas divides by the campaign's spend of the same window). */
function findingValue(s: EntityScope, leaf: LeafCondition, k: number): number | null {
	const w = slotWindow(s, k);
	if (INSIGHT_SET.has(leaf.metric)) return insightValue(s, leaf.metric as InsightRuleMetric, w);
	if (FIRST_PARTY_SET.has(leaf.metric)) return firstPartyValue(s, leaf, k).value;
	const values = s.index.attribution;
	if (!values) return null;
	const e = s.entity;
	const sums = leaf.metric === 'attributed_roas' ? slotSums(s, k) : null;
	const currency = s.series ? s.series.currency : e.currency;
	return attributionMetricValue(values.get(attributionKey(e.platform, e.campaignId)), leaf.metric as AttributionRuleMetric, leaf.model ?? DEFAULT_ATTRIBUTION_RULE_MODEL, w.start, Math.min(w.end, s.cutoff), sums ? { spend: sums.spend, currency } : null);
}

/** The span of slot k's window for the entity's account (its time zone) at the evaluation instant; null for lifetime (refused by the model). */
function firstPartySpan(s: EntityScope, k: number) {
	const values = s.index.firstParty;
	const w = slotWindow(s, k);
	if (!values || w.info.kind === 'lifetime') return null;
	return values.span(w.info.kind, s.entity.timezone, w.start, w.end, s.nowMs, s.cutoff);
}

/** A first-party metric of the entity over slot k's window (first_party_roas divides by the campaign's spend of the same window). */
function firstPartyValue(s: EntityScope, leaf: LeafCondition, k: number): FirstPartyValue {
	const span = firstPartySpan(s, k);
	if (!span) return { value: null, note: null };
	const e = s.entity;
	const currency = s.series ? s.series.currency : e.currency;
	const spend = leaf.metric === 'first_party_roas' ? { spend: slotSums(s, k).spend, currency } : null;
	return firstPartyMetricValue(s.index.firstParty?.get(e.platform, e.campaignId), leaf.metric as FirstPartyRuleMetric, span, currency, spend);
}

/** "today (2026-12-07) in Europe/Berlin", "the last hour (after 13:05 UTC)". */
function firstPartyWindowWords(s: EntityScope, w: ResolvedWindow): string {
	if (w.info.kind === 'last_hour') return `the last hour (after ${new Date(s.nowMs - HOUR_MS).toISOString().slice(11, 16)} UTC)`;
	return `${w.info.label} in ${s.entity.timezone}`;
}

/**
 * The conditions of a rule whose data is missing for the entity, in words
 * (empty: none): attribution metrics without a stored attributed row of their
 * model in their window, first-party metrics without a single event of the
 * campaign in theirs. The decision is gated for missing data instead of
 * reading them as 0.
 */
function missingData(s: EntityScope, rule: Rule): { texts: string[]; tables: string[] } {
	const texts = missingAttribution(s, rule);
	const tables = texts.length ? ['attributed_conversions'] : [];
	const e = s.entity;
	let firstParty = false;
	for (const leaf of conditionLeaves(rule.conditions)) {
		if (!FIRST_PARTY_SET.has(leaf.metric)) continue;
		const k = s.windows.slot(leaf.window, false);
		const span = firstPartySpan(s, k);
		if (span && firstPartyEventCount(s.index.firstParty?.get(e.platform, e.campaignId), span) > 0) continue;
		const text = `no first-party events for campaign ${e.campaignId} over ${firstPartyWindowWords(s, slotWindow(s, k))}: ${leaf.metric} is unknown, not 0`;
		if (!texts.includes(text)) texts.push(text);
		firstParty = true;
	}
	if (firstParty) tables.push('marketing_events');
	return { texts, tables };
}

/**
 * The attribution conditions of a rule without a stored attributed row of
 * their model for the entity in their window, in words (empty: none).
 */
function missingAttribution(s: EntityScope, rule: Rule): string[] {
	const out: string[] = [];
	const e = s.entity;
	const values = s.index.attribution?.get(attributionKey(e.platform, e.campaignId));
	for (const leaf of conditionLeaves(rule.conditions)) {
		if (!ATTRIBUTION_SET.has(leaf.metric)) continue;
		const model: AttributionRuleModel = leaf.model ?? DEFAULT_ATTRIBUTION_RULE_MODEL;
		const w = slotWindow(s, s.windows.slot(leaf.window, false));
		if (hasAttributedRows(values, model, w.start, Math.min(w.end, s.cutoff))) continue;
		const text = `no attributed conversions of the ${model.replace(/_/g, ' ')} model for campaign ${e.campaignId} over ${w.info.label}: ${leaf.metric} is unknown, not 0`;
		if (!out.includes(text)) out.push(text);
	}
	return out;
}
function insightValue(s: EntityScope, metric: InsightRuleMetric, w: ResolvedWindow): number | null {
	const values = s.index.insights;
	if (!values) return null;
	const e = s.entity;
	return insightMetricValue(values.get(insightKey(e.platform, e.accountId, e.campaignId)), metric, w.start, w.end);
}

function evaluateLeaf(leaf: LeafCondition, s: EntityScope): LeafResult {
	const k = s.windows.slot(leaf.window, false);
	const win = slotWindow(s, k);
	const firstParty = FIRST_PARTY_SET.has(leaf.metric) ? firstPartyValue(s, leaf, k) : null;
	const actual = firstParty ? firstParty.value : FINDING_SET.has(leaf.metric) ? findingValue(s, leaf, k) : metricValue(slotSums(s, k), leaf.metric);
	let baseline: number | null = null;
	let baselineWindow: WindowInfo | null = null;
	let compared = actual;
	if (leaf.compareTo === 'previous_window') {
		const p = s.windows.slot(leaf.window, true);
		baselineWindow = slotWindow(s, p).info;
		baseline = metricValue(slotSums(s, p), leaf.metric);
		compared = changePct(actual, baseline);
	} else if (leaf.compareTo === 'account_average') {
		baselineWindow = win.info;
		baseline = accountAverage(slotAccount(s, k), leaf.metric, MONEY_METRICS.has(leaf.metric));
		compared = changePct(actual, baseline);
	}
	const tol = leaf.op === '=' || leaf.op === '!=' ? equalTolerance(leaf, s.series?.currency ?? s.entity.currency) : 0;
	let result: boolean | null = compared === null ? null : compare(leaf.op, compared, leaf, tol);
	const undefinedAsMatch = result === null && leaf.ifUndefined === 'match';
	if (undefinedAsMatch) result = true;
	return {
		type: 'leaf',
		metric: leaf.metric,
		window: win.info,
		op: leaf.op,
		value: leaf.value ?? null,
		min: leaf.min ?? null,
		max: leaf.max ?? null,
		compareTo: leaf.compareTo ?? null,
		actual,
		baseline,
		baselineWindow,
		compared,
		result,
		undefinedAsMatch,
		...(leaf.op === '=' || leaf.op === '!=' ? { tolerance: tol } : {}),
		...(ATTRIBUTION_SET.has(leaf.metric) ? { model: leaf.model ?? DEFAULT_ATTRIBUTION_RULE_MODEL } : {}),
		...(firstParty?.note ? { note: firstParty.note } : {}),
		text: '',
	};
}

/** The one-line text of a leaf result: "cpa last 7 days (…) = 63.2 > 50 → met". */
export function leafText(l: LeafResult): string {
	// one join: a flat string (a template would leave a tree of a dozen pieces per text on the heap)
	const pct = l.compareTo !== null;
	const u = pct ? '%' : '';
	const parts: string[] = [l.metric, l.model ? ` (${l.model.replace(/_/g, ' ')} model)` : '', ' ', l.window.label, ' = ', fmt(l.actual)];
	if (pct) parts.push(' vs ', l.compareTo === 'previous_window' ? 'previous window' : 'account average', ' ', fmt(l.baseline), ': change ', fmtPct(l.compared));
	if (l.op === 'between') parts.push(' between ', fmt(l.min), u, ' and ', fmt(l.max), u);
	else if (l.op === '=' || l.op === '!=') parts.push(' ', l.op === '=' ? '=' : '≠', ' ', fmt(l.value), u, l.tolerance ? ` (± ${fmt(l.tolerance)}${u})` : '');
	else parts.push(' ', l.op, ' ', fmt(l.value), u);
	parts.push(l.result === null ? ' → undefined' : l.result ? (l.undefinedAsMatch ? ' → undefined, counted as met' : ' → met') : ' → not met');
	if (l.note) parts.push(' (', l.note, ')');
	return parts.join('');
}

/** Fills the `text` of every leaf (only for results that are returned). */
function annotate(r: ConditionResult): ConditionResult {
	for (const l of resultLeaves(r)) l.text = leafText(l);
	return r;
}

/** Three-valued AND/OR: AND is false if any child is false, else unknown if any is; OR dually. */
function evaluateCondition(c: Condition, s: EntityScope): ConditionResult {
	if (isLeaf(c)) return evaluateLeaf(c, s);
	const isAll = 'all' in c;
	const children = (isAll ? c.all : c.any).map((child) => evaluateCondition(child, s));
	let unknown = false;
	let decided: boolean | null = null;
	for (const child of children) {
		if (child.result === null) unknown = true;
		else if (child.result === !isAll) decided = !isAll;
	}
	const result = decided !== null ? decided : unknown ? null : isAll;
	return { type: isAll ? 'all' : 'any', result, children };
}

/** Leaves of a result tree in order. */
export function resultLeaves(r: ConditionResult, out: LeafResult[] = []): LeafResult[] {
	if (r.type === 'leaf') out.push(r);
	else for (const c of r.children) resultLeaves(c, out);
	return out;
}

// ---------------------------------------------------------------------------
// Actions, keys, proposals
// ---------------------------------------------------------------------------

const SAFETY_RANK: Record<string, number> = { pause: 0, decrease: 1, increase: 2, enable: 3, notify: 4 };

/** Tie-break rank of an action on an entity: pause 0, budget decrease 1, increase 2, enable 3, notify 4. */
export function safetyRank(action: Action, entity: Pick<Entity, 'dailyBudget'>): number {
	switch (action.type) {
		case 'pause':
		case 'enable':
		case 'notify':
			return SAFETY_RANK[action.type];
		case 'scale_budget':
			return action.percent < 0 ? SAFETY_RANK.decrease : SAFETY_RANK.increase;
		case 'set_budget':
			return entity.dailyBudget !== null && action.amount < entity.dailyBudget ? SAFETY_RANK.decrease : SAFETY_RANK.increase;
	}
}

function actionSpec(action: Action): { type: ActionType; percent?: number; amount?: number; currency?: string } {
	switch (action.type) {
		case 'scale_budget':
			return { type: action.type, percent: action.percent };
		case 'set_budget':
			return { type: action.type, amount: action.amount, ...(action.currency ? { currency: action.currency } : {}) };
		default:
			return { type: action.type };
	}
}

/**
 * The idempotency key of (rule, entity, action, evaluation window): `opt:` and
 * the sha256 of their canonical JSON. The window is the rule's primary window
 * for the entity's local day, so hourly reruns on one local day share a key and
 * the ledger executes the change once.
 */
export function idempotencyKey(ruleId: string, entity: Pick<Entity, 'platform' | 'accountId' | 'campaignId'> & { adId?: string | null }, action: Action, localDate: string, window: WindowInfo): string {
	// A JSON array of the parts: unambiguous (strings are quoted) and cheaper than canonical JSON of an object.
	const a = actionSpec(action);
	const parts: unknown[] = [1, ruleId, entity.platform, entity.accountId, entity.campaignId, a.type, a.percent ?? null, a.amount ?? null, a.currency ?? null, localDate, window.kind, window.start, window.end];
	// an ad's change: its id joins the parts (campaign keys stay as they were)
	if (entity.adId) parts.push({ ad: entity.adId });
	return `opt:${hash('sha256', JSON.stringify(parts), 'hex')}`;
}

function statusAfter(type: ActionType, before: EntityStatus): EntityStatus {
	return type === 'pause' ? 'paused' : type === 'enable' ? 'active' : before;
}

function entityLabel(e: Entity): string {
	if (e.adId !== null) return `ad ${e.adId}${e.name ? ` "${e.name}"` : ''} of campaign ${e.campaignId}`;
	return `campaign ${e.campaignId}${e.name ? ` "${e.name}"` : ''}`;
}

function actionSummary(a: PlannedAction, e: Entity): string {
	switch (a.type) {
		case 'pause':
			return `pause ${entityLabel(e)} (now ${a.statusBefore})`;
		case 'enable':
			return `enable ${entityLabel(e)} (now ${a.statusBefore})`;
		case 'notify':
			return `notify about ${entityLabel(e)}${a.requested.message ? `: ${a.requested.message}` : ''}`;
		default:
			if (a.budgetAfter === null) {
				const want = a.type === 'scale_budget' ? `scale daily budget by ${fmtPct(a.requested.percent)}` : `set daily budget to ${fmtMoney(a.requested.amount, a.currency)}`;
				return `${want} of ${entityLabel(e)} (now ${fmtMoney(a.budgetBefore, a.currency)})`;
			}
			return `daily budget of ${entityLabel(e)} ${fmtMoney(a.budgetBefore, a.currency)} → ${fmtMoney(a.budgetAfter, a.currency)} (${fmtPct(a.changePct)})`;
	}
}

/** Replaces undefined and non-finite numbers so the value is JSON (for payloads and evidence). */
export function toJson(value: unknown): Json {
	if (value === null || value === undefined) return null;
	if (typeof value === 'number') return Number.isFinite(value) ? value : null;
	if (typeof value === 'string' || typeof value === 'boolean') return value;
	if (Array.isArray(value)) return value.map(toJson);
	if (typeof value === 'object') {
		const out: Record<string, Json> = {};
		for (const [k, v] of Object.entries(value as Record<string, unknown>)) if (v !== undefined) out[k] = toJson(v);
		return out;
	}
	return null;
}

/**
 * What the rule asked for against what the caps allow, when they differ (a
 * clamped budget change): for the approval card ("asked +60 %, the caps allow
 * +30 %, approving executes 100.00 → 130.00 USD"). Null when nothing was clamped.
 */
export function askedVsAllowed(a: PlannedAction, plan: BudgetPlan | null): { asked: { budget: number; changePct: number }; allowed: { budget: number; changePct: number; clampedBy: string[] }; text: string } | null {
	if (plan === null || a.clampedBy.length === 0 || plan.requested === null || a.budgetBefore === null || a.budgetAfter === null || !(a.budgetBefore > 0)) return null;
	const askedPct = ((plan.requested - a.budgetBefore) / a.budgetBefore) * 100;
	const allowedPct = ((a.budgetAfter - a.budgetBefore) / a.budgetBefore) * 100;
	const text =
		`Asked ${fmtPct(askedPct)} (${fmtMoney(a.budgetBefore, a.currency)} → ${fmtMoney(plan.requested, a.currency)}); ` +
		`the caps allow ${fmtPct(allowedPct)} (${a.clampedBy.join(', ')}); approving executes ${fmtMoney(a.budgetBefore, a.currency)} → ${fmtMoney(a.budgetAfter, a.currency)}.`;
	return { asked: { budget: plan.requested, changePct: askedPct }, allowed: { budget: a.budgetAfter, changePct: allowedPct, clampedBy: [...a.clampedBy] }, text };
}

/** What the `optimization` executor receives (see OptimizationPayload in rows.ts). */
function proposalPayload(d: Decision, e: Entity, plan: BudgetPlan | null = null): Json {
	const a = d.action as PlannedAction;
	const limits = askedVsAllowed(a, plan);
	return toJson({
		version: 1,
		idempotencyKey: d.idempotencyKey,
		ruleId: d.ruleId,
		ruleName: d.ruleName,
		platform: e.platform,
		accountId: e.accountId,
		campaignId: e.campaignId,
		...(e.adId !== null ? { adId: e.adId, adGroupId: e.adGroupId } : {}),
		campaignName: e.name,
		action: BUDGET_ACTIONS.has(a.type) ? 'set_budget' : a.type,
		requested: { type: a.type, percent: a.requested.percent, amount: a.requested.amount },
		statusBefore: a.statusBefore,
		statusAfter: a.statusAfter,
		budgetBefore: a.budgetBefore,
		budgetAfter: a.budgetAfter,
		changePct: a.changePct,
		currency: a.currency,
		evaluatedAt: d.evaluation.at,
		window: { date: d.evaluation.localDate, start: d.evaluation.window.start, end: d.evaluation.window.end },
		...(limits ? { asked: limits.asked, allowed: limits.allowed } : {}),
	});
}

/**
 * The evidence of a decision as JSON: rule, leaves with values, gates with
 * numbers, planned action and window. Goes into proposals, the ledger's
 * `performance_snapshot` and the Slack message.
 */
export function decisionEvidence(d: Decision): Json {
	return toJson({
		rule: { id: d.ruleId, name: d.ruleName, priority: d.priority },
		entity: d.entity,
		decision: d.decision,
		evaluation: d.evaluation,
		conditions: d.conditions
			? resultLeaves(d.conditions).map((l) => ({
					metric: l.metric,
					window: l.window.label,
					actual: l.actual,
					compareTo: l.compareTo,
					baseline: l.baseline,
					compared: l.compared,
					op: l.op,
					value: l.value,
					min: l.min,
					max: l.max,
					result: l.result,
					text: l.text,
				}))
			: [],
		gates: d.gates.map((g) => ({ gate: g.gate, status: g.status, detail: g.detail, values: g.values })),
		action: d.action,
		approval: d.approval,
		reasons: d.reasons,
	});
}

function truncate(text: string, max: number): string {
	return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** The ProposalInput (kind `optimization`) of a `propose` decision. */
export function buildProposal(d: Decision, e: Entity, plan: BudgetPlan | null = null): ProposalInput {
	const a = d.action as PlannedAction;
	const met = d.conditions ? resultLeaves(d.conditions).filter((l) => l.result === true).map((l) => l.text) : [];
	const limits = askedVsAllowed(a, plan);
	const change = a.summary.charAt(0).toUpperCase() + a.summary.slice(1);
	return {
		id: `opt-${(d.idempotencyKey as string).slice(4, 44)}`,
		kind: 'optimization',
		title: truncate(`${d.ruleName}: ${a.summary}`, 300),
		payload: proposalPayload(d, e, plan),
		evidence: decisionEvidence(d),
		platform: e.platform,
		accountId: e.accountId,
		entity: truncate(entityLabel(e), 500),
		proposedChange: truncate(limits ? `${change}. ${limits.text}` : change, 10_000),
		impact: truncate(`Rule "${d.ruleName}" (priority ${d.priority}): ${met.join('; ')}. Needs approval: ${(d.approval?.reasons ?? []).join('; ')}.`, 2_000),
		requestedAt: d.evaluation.at,
	};
}

// ---------------------------------------------------------------------------
// The run
// ---------------------------------------------------------------------------

interface PreparedRule {
	rule: Rule;
	/** Position in the run's rule order (priority, id). */
	order: number;
	/** Position of the rule id in id order (tie-breaks). */
	idRank: number;
	primaryWindow: Window;
	primarySlot: number;
	change: boolean;
	/** Compiled once per run: `scopeMiss(rule.scope, target) === null`, and the conditions' verdict. */
	inScope: (target: ScopeTarget) => boolean;
	verdict: Verdict;
	/** The rule reads an attribution or first-party metric: an entity without their data is gated for missing data. */
	gatedOnMissing: boolean;
	/** Why the action does not apply to an entity of each status (null: it does). */
	notApplicable: Record<EntityStatus, string | null>;
	/** Merged gate settings by budget currency (entities without own bounds). */
	gates: Map<string, MergedGates>;
}

function ruleOrder(a: Rule, b: Rule): number {
	return a.priority - b.priority || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/** Options the backtest uses; a live run never sets them. */
export interface EvaluateOptions {
	/** Ignore metric rows of the local today (the backtest's stored days are complete, so "today" would look ahead). */
	hideToday?: boolean;
}

interface Candidate {
	prep: PreparedRule;
	entity: Entity;
	scope: EntityScope;
	clock: LocalClock;
	conditions: ConditionResult;
	rank: number;
}

/** The action as the rule asked for it, before gates (budgetAfter null). */
function requestedAction(action: Action, e: Entity, withSummary: boolean): PlannedAction {
	const a: PlannedAction = {
		type: action.type,
		requested: {
			percent: action.type === 'scale_budget' ? action.percent : null,
			amount: action.type === 'set_budget' ? action.amount : null,
			message: action.type === 'notify' ? (action.message ?? null) : null,
		},
		statusBefore: e.status,
		statusAfter: statusAfter(action.type, e.status),
		currency: e.currency,
		budgetBefore: BUDGET_ACTIONS.has(action.type) ? e.dailyBudget : null,
		budgetAfter: null,
		changeAmount: null,
		changePct: null,
		clampedBy: [],
		summary: '',
	};
	if (withSummary) a.summary = actionSummary(a, e);
	return a;
}

function applicable(action: Action, status: EntityStatus): string | null {
	if (status === 'other') return 'entity status is neither active nor paused';
	if (action.type === 'notify') return null;
	if (action.type === 'enable') return status === 'paused' ? null : 'enable acts on paused entities only';
	return status === 'active' ? null : `${action.type} acts on active entities only`;
}

/**
 * Sort positions of entities by key (equal keys share one). Entities usually
 * come sorted (`normalizeEntities`), then a position is the index.
 */
function entityRanks(entities: readonly Entity[]): Int32Array {
	const n = entities.length;
	const ranks = new Int32Array(n);
	let sorted = true;
	for (let i = 1; i < n && sorted; i++) sorted = entities[i - 1].key < entities[i].key;
	if (sorted) {
		for (let i = 0; i < n; i++) ranks[i] = i;
		return ranks;
	}
	const byKey = Array.from({ length: n }, (_, i) => i).sort((a, b) => (entities[a].key < entities[b].key ? -1 : entities[a].key > entities[b].key ? 1 : 0));
	let rank = 0;
	for (let j = 0; j < n; j++) {
		if (j > 0 && entities[byKey[j]].key !== entities[byKey[j - 1]].key) rank++;
		ranks[byKey[j]] = rank;
	}
	return ranks;
}

/** `items` in the order of their numeric positions, ties in input order (a stable sort without a comparator). */
function sortByPosition<T>(items: readonly T[], positions: readonly number[]): T[] {
	const n = items.length;
	let max = 0;
	for (const p of positions) if (p > max) max = p;
	if ((max + 1) * n >= Number.MAX_SAFE_INTEGER) {
		const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => positions[a] - positions[b] || a - b);
		return order.map((i) => items[i]);
	}
	const keys = new Float64Array(n);
	for (let i = 0; i < n; i++) keys[i] = positions[i] * n + i;
	keys.sort();
	const out = new Array<T>(n);
	for (let i = 0; i < n; i++) out[i] = items[keys[i] % n];
	return out;
}

/**
 * Evaluates parsed rules over normalized entities. Mutates `history` by adding
 * the changes planned in this run. Used by `evaluate` and the backtest.
 *
 * Rules are compiled once per run (scope matchers, condition closures over
 * numbered windows); every entity caches its window sums per window. Pairs
 * out of scope or not matching cost no allocation unless they are listed
 * (`output: 'full'`, `includeOutOfScope`).
 */
export function evaluateParsed(...args: EvaluationArgs): ParsedEvaluation {
	return runSteps(evaluationSteps(...args));
}

/** `evaluateParsed` letting the event loop in every 10 ms of work (issue 21: no block over 250 ms); the same result. */
export function evaluateParsedAsync(...args: EvaluationArgs): Promise<ParsedEvaluation> {
	return runStepsAsync(evaluationSteps(...args));
}

/** rules, entities, index, history, settings, options (one parameter list for the sync and async evaluation). */
type EvaluationArgs = Parameters<typeof evaluationSteps>;
type ParsedEvaluation = Omit<EvaluationResult, 'skippedEntities' | 'rejectedActions'>;

/** How many entities (or gated candidates) between two points where the evaluation may pause. */
const STEP = 64;

/** The evaluation as steps (resilience/steps.ts): it may pause every STEP entities and STEP candidates. */
function* evaluationSteps(
	rules: readonly Rule[],
	entities: readonly Entity[],
	index: MetricIndex,
	history: ActionHistory,
	settings: Settings,
	options: EvaluateOptions = {},
): Steps<ParsedEvaluation> {
	const nowMs = settings.nowMs;
	const at = new Date(nowMs).toISOString();
	const windows = new WindowSlots();
	const active = [...rules].filter((r) => r.enabled).sort(ruleOrder);
	const ids = active.map((r) => r.id).sort();
	const prepared: PreparedRule[] = active.map((rule, order) => {
		const primaryWindow = widestWindow(rule.conditions);
		return {
			rule,
			order,
			idRank: ids.indexOf(rule.id),
			primaryWindow,
			primarySlot: windows.slot(primaryWindow, false),
			change: CHANGE_ACTIONS.has(rule.action.type),
			inScope: compileScope(rule.scope),
			verdict: compileCondition(rule.conditions, windows),
			gatedOnMissing: conditionLeaves(rule.conditions).some((l) => ATTRIBUTION_SET.has(l.metric) || FIRST_PARTY_SET.has(l.metric)),
			notApplicable: { active: applicable(rule.action, 'active'), paused: applicable(rule.action, 'paused'), other: applicable(rule.action, 'other') },
			gates: new Map(),
		};
	});
	const summary: EvaluationSummary = { execute: 0, propose: 0, gated: 0, no_match: 0, outOfScope: 0, actionsPlanned: 0, entities: entities.length, rules: active.length, disabledRules: rules.length - active.length };
	const full = settings.output === 'full';
	const decisions: Decision[] = [];
	/** Output position of each decision: entity (by key), then rule. */
	const positions: number[] = [];
	const ranks = entityRanks(entities);
	const clocks = new Map<string, LocalClock>();
	const pool = sumsPool();
	const evaluations = new Map<string, Array<Decision['evaluation']>>();

	const record = (d: Decision, s: EntityScope, prep: PreparedRule) => {
		summary[d.decision]++;
		decisions.push(d);
		positions.push(s.rank * prepared.length + prep.order);
	};
	// Objects shared by the decisions of one entity (ref) or one zone and window (evaluation): read-only output.
	const refOf = (s: EntityScope): EntityRef => {
		const e = s.entity;
		return (s.ref ??= { key: e.key, platform: e.platform, accountId: e.accountId, campaignId: e.campaignId, ...(e.adId !== null ? { adId: e.adId, adGroupId: e.adGroupId } : {}), name: e.name });
	};
	const evaluationOf = (prep: PreparedRule, e: Entity, clock: LocalClock): Decision['evaluation'] => {
		let byRule = evaluations.get(e.timezone);
		if (!byRule) evaluations.set(e.timezone, (byRule = []));
		let v = byRule[prep.order];
		if (!v) byRule[prep.order] = v = { at, timezone: e.timezone, localDate: clock.date, localTime: formatMinute(clock.minute), window: windows.resolve(windows.day(clock.day), clock.day, prep.primarySlot).info };
		return v;
	};

	const base = (prep: PreparedRule, s: EntityScope, clock: LocalClock): Decision => ({
		ruleId: prep.rule.id,
		ruleName: prep.rule.name,
		priority: prep.rule.priority,
		entity: refOf(s),
		decision: 'no_match',
		reasons: [],
		matched: null,
		conditions: null,
		gates: [],
		action: null,
		idempotencyKey: null,
		evaluation: evaluationOf(prep, s.entity, clock),
		conflict: null,
		approval: null,
		proposal: null,
	});

	const killGate = killSwitchGate(settings.killSwitch, settings.killSwitchReason);
	const conflicts = new Map<PreparedRule, Map<number, GateResult>>();
	const conflictFor = (winner: PreparedRule, loser: PreparedRule): GateResult => {
		let m = conflicts.get(winner);
		if (!m) conflicts.set(winner, (m = new Map()));
		let g = m.get(loser.rule.priority);
		if (!g) m.set(loser.rule.priority, (g = conflictGate(winner.rule, loser.rule)));
		return g;
	};

	const candidates: Candidate[] = [];
	for (let ei = 0; ei < entities.length; ei++) {
		if (ei % STEP === STEP - 1) yield;
		const e = entities[ei];
		let clock = clocks.get(e.timezone);
		if (!clock) {
			clock = localClock(e.timezone, nowMs);
			clocks.set(e.timezone, clock);
		}
		const series = index.series.get(e.key);
		const target: ScopeTarget = {
			platform: e.platform,
			accountId: e.accountId,
			campaignId: e.campaignId,
			name: e.name,
			labels: e.labels,
			metricCurrency: series ? series.currency : e.currency,
			lowerName: undefined,
		};
		const s: EntityScope = {
			entity: e,
			series,
			comments: index.comments.get(e.key),
			today: clock.day,
			cutoff: options.hideToday ? clock.day - 1 : clock.day,
			nowMs,
			index,
			windows,
			slots: windows.day(clock.day),
			pool,
			id: ei + 1,
			rank: ranks[ei],
			ref: null,
		};
		const mixed = series !== undefined && series.currency === null;
		let matchedChanges: Candidate[] | null = null;
		const level = e.adId === null ? 'campaign' : 'ad';
		for (const prep of prepared) {
			// a rule looks at the entities of its level only (campaigns, or ads)
			if (prep.rule.level !== level) {
				summary.outOfScope++;
				continue;
			}
			if (!prep.inScope(target)) {
				summary.outOfScope++;
				if (settings.includeOutOfScope) {
					if (full) record({ ...base(prep, s, clock), reasons: [`out of scope: ${scopeMiss(prep.rule.scope, target)}`] }, s, prep);
					else summary.no_match++;
				}
				continue;
			}
			const na = prep.notApplicable[e.status];
			if (na !== null) {
				if (full) record({ ...base(prep, s, clock), reasons: [`not applicable: ${na} (status ${e.rawStatus})`] }, s, prep);
				else summary.no_match++;
				continue;
			}
			if (mixed) {
				if (full) record({ ...base(prep, s, clock), reasons: [`metric rows use several currencies (${(series as Series).currencies.join(', ')}): sums would mix them`] }, s, prep);
				else summary.no_match++;
				continue;
			}
			if (!full) {
				const verdict = prep.verdict(s);
				// undefined with an attribution or first-party metric: maybe missing data (gated below, not a quiet no_match)
				if (verdict !== true && !(verdict === null && prep.gatedOnMissing)) {
					summary.no_match++;
					continue;
				}
			}
			const conditions = evaluateCondition(prep.rule.conditions, s);
			if (prep.gatedOnMissing && conditions.result !== false) {
				const missing = missingData(s, prep.rule);
				if (missing.texts.length > 0) {
					const g = gate('data_volume', 'fail', missing.texts.join('; '), { missing: missing.tables.join(', ') });
					const gates = [killGate, g];
					record({ ...base(prep, s, clock), decision: 'gated', matched: conditions.result, conditions: annotate(conditions), gates, action: requestedAction(prep.rule.action, e, true), reasons: gates.filter((x) => x.status === 'fail').map((x) => `${x.gate}: ${x.detail}`) }, s, prep);
					continue;
				}
			}
			if (conditions.result !== true) {
				if (full) {
					annotate(conditions);
					const open = resultLeaves(conditions).filter((l) => l.result !== true).map((l) => l.text);
					record({ ...base(prep, s, clock), matched: conditions.result, conditions, reasons: [`conditions ${conditions.result === null ? 'undefined' : 'not met'}: ${open.join('; ')}`] }, s, prep);
				} else summary.no_match++;
				continue;
			}
			const c: Candidate = { prep, entity: e, scope: s, clock, conditions: annotate(conditions), rank: safetyRank(prep.rule.action, e) };
			if (prep.change) (matchedChanges ??= []).push(c);
			else candidates.push(c);
		}
		if (matchedChanges !== null) {
			if (matchedChanges.length > 1) matchedChanges.sort((a, b) => a.prep.rule.priority - b.prep.rule.priority || a.rank - b.rank || a.prep.idRank - b.prep.idRank);
			const winner = matchedChanges[0];
			candidates.push(winner);
			const w = winner.prep.rule;
			for (let li = 1; li < matchedChanges.length; li++) {
				const l = matchedChanges[li];
				const g = conflictFor(winner.prep, l.prep);
				record(
					{
						...base(l.prep, s, clock),
						decision: 'gated',
						matched: true,
						conditions: l.conditions,
						gates: [killGate, g],
						action: requestedAction(l.prep.rule.action, e, true),
						conflict: { winnerRuleId: w.id, winnerRuleName: w.name, winnerPriority: w.priority },
						reasons: [killGate, g].filter((x) => x.status === 'fail').map((x) => `${x.gate}: ${x.detail}`),
					},
					s,
					l.prep,
				);
			}
		}
	}

	yield;
	// Gate the candidates in one global, deterministic order: priority, safety, rule id, entity key.
	candidates.sort((a, b) => a.prep.rule.priority - b.prep.rule.priority || a.rank - b.rank || a.prep.idRank - b.prep.idRank || a.scope.rank - b.scope.rank);
	let used = 0;
	const mergedFor = (prep: PreparedRule, e: Entity): MergedGates => {
		const make = () =>
			mergeGates({
				node: settings.gates as unknown as Record<string, unknown>,
				rule: prep.rule.gates as unknown as Record<string, unknown>,
				currency: (settings.currencies[e.currency] ?? {}) as Record<string, unknown>,
				entity: e,
				defaultDataWindow: prep.primaryWindow,
			});
		if (e.budgetFloor !== null || e.budgetCeiling !== null) return make();
		let r = prep.gates.get(e.currency);
		if (!r) prep.gates.set(e.currency, (r = make()));
		return r;
	};
	const todaySlot = windows.slot({ kind: 'today' }, false);
	for (let ci = 0; ci < candidates.length; ci++) {
		if (ci % STEP === STEP - 1) yield;
		const c = candidates[ci];
		const { prep, entity: e, clock } = c;
		const rule = prep.rule;
		const d = base(prep, c.scope, clock);
		d.matched = true;
		d.conditions = c.conditions;
		const merged = mergedFor(prep, e);
		const g = merged.flat;
		const key = idempotencyKey(rule.id, e, rule.action, clock.date, d.evaluation.window);
		d.idempotencyKey = key;
		const action = requestedAction(rule.action, e, false);
		const isBudget = rule.action.type === 'scale_budget' || rule.action.type === 'set_budget';
		let plan: BudgetPlan | null = null;
		const budgetAction = rule.action;
		const gates: GateResult[] = [];
		const ctx: GateContext = {
			settings,
			rule,
			entity: e,
			clock,
			nowMs,
			change: prep.change,
			budget: isBudget,
			direction: isBudget && e.dailyBudget !== null ? Math.sign((budgetAction.type === 'scale_budget' ? e.dailyBudget * (1 + budgetAction.percent / 100) : budgetAction.type === 'set_budget' ? budgetAction.amount : e.dailyBudget) - e.dailyBudget) : 0,
			idempotencyKey: key,
			history,
			resolved: g,
			dataVolume: () => {
				const slot = windows.slot(g.dataWindow, false);
				return { sums: slotSums(c.scope, slot), label: slotWindow(c.scope, slot).info.label };
			},
			today: () => slotSums(c.scope, todaySlot),
			used,
			results: gates,
			plan: () =>
				(plan ??= planBudget({
					current: e.dailyBudget,
					currency: e.currency,
					action: budgetAction as Extract<Action, { type: 'scale_budget' | 'set_budget' }>,
					floor: g.budgetFloor,
					ceiling: g.budgetCeiling,
					maxChangePct: g.maxChangePct,
					maxDailyChangePct: g.maxDailyChangePct,
					window: history.budgetWindow(e.key, nowMs, e.dailyBudget),
					mode: g.changeMode,
					timeZone: e.timezone,
					nowMs,
				})),
		};
		for (let gi = 0; gi < EVALUATED_GATES.length; gi++) {
			const def = EVALUATED_GATES[gi];
			if ((def.appliesTo === 'change' && !prep.change) || (def.appliesTo === 'budget' && !isBudget)) continue;
			const r = def.check(ctx, merged.own[EVALUATED_INDEX[gi]]);
			if (r === null) continue;
			if (Array.isArray(r)) gates.push(...(r as GateResult[]));
			else gates.push(r as GateResult);
		}
		if (plan !== null) {
			const p = plan as BudgetPlan;
			action.budgetAfter = p.after;
			action.changeAmount = p.changeAmount;
			action.changePct = p.changePct;
			action.clampedBy = p.clampedBy;
		}
		action.summary = actionSummary(action, e);
		d.action = action;
		d.gates = gates;
		const failed = gates.filter((x) => x.status === 'fail');
		if (failed.length > 0) {
			d.decision = 'gated';
			d.reasons = failed.map((x) => `${x.gate}: ${x.detail}`);
		} else {
			const approval = prep.change
				? approvalCheck({
						type: rule.action.type,
						changePct: action.changePct,
						changeAmount: action.changeAmount,
						requestedPct: plan !== null && (plan as BudgetPlan).requested !== null && e.dailyBudget ? (((plan as BudgetPlan).requested as number) - e.dailyBudget) / e.dailyBudget * 100 : null,
						requestedAmount: plan !== null && (plan as BudgetPlan).requested !== null && e.dailyBudget ? ((plan as BudgetPlan).requested as number) - e.dailyBudget : null,
						currency: e.currency,
						percent: g.approvalPercent,
						amount: g.approvalAmount,
						actions: g.approvalActions,
						ruleRequires: rule.requireApproval,
					})
				: { required: false, reasons: [], values: {} as Record<string, GateValue> };
			d.approval = { required: approval.required, reasons: approval.reasons };
			d.decision = approval.required ? 'propose' : 'execute';
			d.reasons = [`conditions met: ${resultLeaves(c.conditions).map((l) => l.text).join('; ')}`];
			if (action.clampedBy.length > 0) d.reasons.push(`change clamped by ${action.clampedBy.join(', ')}`);
			if (approval.required) d.reasons.push(`needs approval: ${approval.reasons.join('; ')}`);
			if (prep.change) {
				used++;
				summary.actionsPlanned++;
				history.add(e.key, { atMs: nowMs, action: rule.action.type, budgetBefore: action.budgetBefore, budgetAfter: action.budgetAfter, ruleId: rule.id, idempotencyKey: key });
			}
			if (d.decision === 'propose') d.proposal = buildProposal(d, e, plan);
		}
		record(d, c.scope, prep);
	}

	yield;
	return { at, killSwitch: settings.killSwitch, decisions: sortByPosition(decisions, positions), summary, rejectedRows: index.rejected.length, rejectedSignalRows: index.rejectedSignals.length };
}

const COMMENT_SIGNAL_SET: ReadonlySet<Metric> = new Set<Metric>(COMMENT_SIGNAL_METRICS);

/** The index of an input's metrics and comment signal (an index passed in already holds its signal). */
export function metricIndexOf(metrics: readonly MetricRowInput[] | MetricIndex, commentSignals?: readonly CommentSignalRowInput[] | CommentSignalColumns): MetricIndex {
	if (!(metrics instanceof MetricIndex)) return buildMetricIndex(metrics, commentSignals);
	if (commentSignals !== undefined) throw new RulesInputError('commentSignals are given with a prebuilt MetricIndex: build the index with them (buildMetricIndex(rows, signals))');
	return metrics;
}

/**
 * Evaluates a rule set at `settings.now`. Validates rules and settings
 * (RuleValidationError with paths), skips unusable entities (listed in
 * `skippedEntities`), and throws RulesInputError for duplicate entities or
 * metric rows.
 */
export function evaluate(input: EvaluationInput): EvaluationResult {
	const rules = parseRules(input.rules);
	const settings = parseSettings(input.settings);
	const index = metricIndexOf(input.metrics, input.commentSignals);
	const e = entitiesOf(input);
	return withInputNotes(evaluateParsed(rules, e.entities, index, e.history, settings), e);
}

/** `evaluate` letting the event loop in every 10 ms (the index build and the evaluation): a run's path, so a queue-mode worker keeps its job lock. */
export async function evaluateAsync(input: EvaluationInput): Promise<EvaluationResult> {
	const rules = parseRules(input.rules);
	const settings = parseSettings(input.settings);
	const index = input.metrics instanceof MetricIndex ? metricIndexOf(input.metrics, input.commentSignals) : await MetricIndex.build(input.metrics, input.commentSignals);
	await yieldToEventLoop();
	const e = entitiesOf(input);
	await yieldToEventLoop();
	return withInputNotes(await evaluateParsedAsync(rules, e.entities, index, e.history, settings), e);
}

/** The entities and the action history of an input (read after its rules, settings and metrics: the first problem found is the one reported). */
function entitiesOf(input: EvaluationInput) {
	const { entities, skipped } = normalizeEntities(input.entities);
	return { entities, skipped, history: new ActionHistory(input.actions ?? []) };
}

function withInputNotes(result: ParsedEvaluation, p: { skipped: EvaluationResult['skippedEntities']; history: ActionHistory }): EvaluationResult {
	return { ...result, skippedEntities: p.skipped, rejectedActions: p.history.rejected };
}

/**
 * How far back one batch read must go for a rule set at `now`: metric rows
 * (and comment signal rows) from `metricsFrom` (a date; null = all, when a
 * rule uses a lifetime window), actions from `actionsFrom` (covers cooldowns
 * and the rolling 24 h). Dates are widened by one day for time zones ahead of
 * or behind UTC. `commentSignals`: an enabled rule uses a comment metric, so
 * `ad_comment_signals` must be read too. `insights`: an enabled rule uses an
 * AdOps Insights metric (anomaly_score, …), whose longest window is `days`.
 * `attribution`: an enabled rule uses an attribution metric (attributed_roas,
 * …): the models named and the longest window in days. `firstParty`: an
 * enabled rule uses a first-party metric (first_party_conversions, …): the
 * complete days before today its longest window reaches (0: today or the
 * last hour only).
 */
export function historyRequirements(
	ruleInputs: readonly unknown[],
	settingsInput: unknown,
): {
	metricsFrom: string | null;
	actionsFrom: string;
	commentSignals: boolean;
	insights?: { days: number };
	attribution?: { days: number; models: AttributionRuleModel[] };
	firstParty?: { days: number };
	ads?: true;
} {
	const rules = parseRules(ruleInputs).filter((r) => r.enabled);
	const settings = parseSettings(settingsInput);
	let span = 1;
	let lifetime = false;
	let commentSignals = false;
	let insightDays = 0;
	let attributionDays = 0;
	const attributionModels = new Set<AttributionRuleModel>();
	let firstPartyDays = -1;
	const consider = (w: LeafWindow, previous: boolean) => {
		if (w.kind === 'lifetime') lifetime = true;
		else span = Math.max(span, (w.kind === 'last_n_days' ? w.days : 1) * (previous ? 2 : 1) + (w.kind === 'today' || w.kind === 'last_hour' ? 0 : 1));
	};
	for (const r of rules) {
		for (const leaf of conditionLeaves(r.conditions)) {
			consider(leaf.window, leaf.compareTo === 'previous_window');
			if (COMMENT_SIGNAL_SET.has(leaf.metric)) commentSignals = true;
			if (INSIGHT_SET.has(leaf.metric)) insightDays = Math.max(insightDays, leaf.window.kind === 'last_n_days' ? leaf.window.days : leaf.window.kind === 'lifetime' ? 366 : 1);
			if (ATTRIBUTION_SET.has(leaf.metric)) {
				attributionModels.add(leaf.model ?? DEFAULT_ATTRIBUTION_RULE_MODEL);
				attributionDays = Math.max(attributionDays, leaf.window.kind === 'last_n_days' ? leaf.window.days : leaf.window.kind === 'lifetime' ? 3660 : 1);
			}
			if (FIRST_PARTY_SET.has(leaf.metric)) firstPartyDays = Math.max(firstPartyDays, leaf.window.kind === 'last_n_days' ? leaf.window.days : leaf.window.kind === 'yesterday' ? 1 : 0);
		}
		if (r.gates.minData?.window) consider(r.gates.minData.window, false);
	}
	if (settings.gates.minData.window) consider(settings.gates.minData.window, false);
	let cooldown = settings.gates.cooldownHours;
	for (const r of rules) cooldown = Math.max(cooldown, r.gates.cooldownHours ?? 0);
	const todayUtc = Math.floor(settings.nowMs / DAY_MS);
	return {
		metricsFrom: lifetime ? null : dayString(todayUtc - span - 1),
		actionsFrom: new Date(settings.nowMs - Math.max(cooldown * HOUR_MS, DAY_MS)).toISOString(),
		commentSignals,
		...(insightDays > 0 ? { insights: { days: insightDays } } : {}),
		...(attributionDays > 0 ? { attribution: { days: attributionDays, models: [...attributionModels].sort() } } : {}),
		...(firstPartyDays >= 0 ? { firstParty: { days: firstPartyDays } } : {}),
		// a rule of level `ad`: the run reads `ad_performance` and the ads' states too
		...(rules.some((r) => r.level === 'ad') ? { ads: true as const } : {}),
	};
}
