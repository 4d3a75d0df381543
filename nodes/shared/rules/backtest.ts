/**
 * Backtest: replay a rule set over stored history, one evaluation per step
 * (daily by default), with the same evaluation and gates as a live run.
 *
 * Decisions:
 * - Steps are instants `from`…`to` at `at` (UTC, default 06:00), every
 *   `everyHours` (default 24). Each step sees the metric rows of the days
 *   before the entity's local "today": the stored rows of today are complete
 *   days, so showing them at 06:00 would look into the future. Rules on the
 *   `today` window therefore see no data in a backtest unless
 *   `todayData: 'full_day'` (which does look ahead, knowingly).
 * - Executed changes are applied to the simulated entity (budget, status) and
 *   appended to the action history, so later steps see them in cooldowns, the
 *   rolling 24 h cap and idempotency. Proposals are not applied unless
 *   `approveProposals` (then they apply at the step that proposed them).
 * - Metrics and comment signals are replayed as stored: the backtest does
 *   not model what a paused campaign or a larger budget would have spent
 *   (or drawn in comments) instead.
 * - Entities created after a step (`createdAt`) are not evaluated at that step.
 */
import { HOUR_MS } from './time';
import { ActionHistory, evaluateParsed, metricIndexOf, normalizeEntities, type ActionRecord, type Decision, type DecisionKind, type Entity, type EntityInput, type EntityStatus } from './evaluate';
import type { CommentSignalColumns, CommentSignalRowInput, MetricIndex, MetricRowInput } from './metrics';
import { CHANGE_ACTIONS, RuleValidationError, parseRules, parseSettings, type ActionType } from './model';

export interface BacktestInput {
	rules: readonly unknown[];
	/** Entities as they were at the start of the backtest. */
	entities: readonly EntityInput[];
	metrics: readonly MetricRowInput[] | MetricIndex;
	/** `ad_comment_signals` rows (comment metrics), as for `evaluate`; a step sees the same days of them as of the metrics. */
	commentSignals?: readonly CommentSignalRowInput[] | CommentSignalColumns;
	/** Actions before the start (cooldowns, 24 h cap, idempotency). */
	actions?: readonly ActionRecord[];
	/** As for `evaluate`, without `now` (each step sets it). */
	settings?: Record<string, unknown>;
	/** First and last step date, `YYYY-MM-DD` (UTC). */
	from: string;
	to: string;
	/** Time of day of each step, `HH:MM` UTC (default 06:00). */
	at?: string;
	/** Hours between steps (default 24). */
	everyHours?: number;
	/** Apply proposals as if approved at once (default false: they never apply). */
	approveProposals?: boolean;
	/** `hidden` (default): a step sees days before local today; `full_day`: today's stored row too (looks ahead). */
	todayData?: 'hidden' | 'full_day';
	/** Also list every gated decision as an event (default true). */
	includeGated?: boolean;
}

export interface BacktestEvent {
	at: string;
	ruleId: string;
	ruleName: string;
	entityKey: string;
	decision: Exclude<DecisionKind, 'no_match'>;
	action: ActionType;
	budgetBefore: number | null;
	budgetAfter: number | null;
	changePct: number | null;
	statusBefore: string;
	statusAfter: string;
	/** The change was applied to the simulated entity. */
	applied: boolean;
	/** Failed gates (gated decisions). */
	failedGates: string[];
	reasons: string[];
	idempotencyKey: string | null;
}

export interface BudgetPoint {
	at: string;
	budget: number | null;
	status: EntityStatus;
	/** The rule that made this change (null for the starting point). */
	ruleId: string | null;
	action: ActionType | null;
}

export interface BacktestStep {
	at: string;
	execute: number;
	propose: number;
	gated: number;
	no_match: number;
	applied: number;
}

export interface BacktestReport {
	from: string;
	to: string;
	steps: BacktestStep[];
	events: BacktestEvent[];
	/** Per entity key: the starting point and every applied change. */
	budgetPaths: Record<string, BudgetPoint[]>;
	/** Per rule id: execute/propose/gated decisions and applied changes over the whole backtest. */
	byRule: Record<string, { execute: number; propose: number; gated: number; applied: number }>;
	/** Every applied change, as action records (what the ledger would hold). */
	applied: ActionRecord[];
	/** Entities at the end. */
	finalState: Array<{ key: string; status: EntityStatus; dailyBudget: number | null }>;
	skippedEntities: Array<{ entity: unknown; reason: string }>;
}

/** Longest backtest, in steps. */
export const MAX_BACKTEST_STEPS = 100_000;

function stepInstants(input: BacktestInput): number[] {
	const at = input.at ?? '06:00';
	if (!/^([01]\d|2[0-3]):[0-5]\d$/.test(at)) throw new RuleValidationError('backtest', [{ path: 'at', message: 'must be a time HH:MM (UTC)' }]);
	const start = Date.parse(`${input.from}T${at}:00.000Z`);
	const end = Date.parse(`${input.to}T${at}:00.000Z`);
	if (!/^\d{4}-\d{2}-\d{2}$/.test(input.from) || !Number.isFinite(start)) throw new RuleValidationError('backtest', [{ path: 'from', message: 'must be a date YYYY-MM-DD' }]);
	if (!/^\d{4}-\d{2}-\d{2}$/.test(input.to) || !Number.isFinite(end)) throw new RuleValidationError('backtest', [{ path: 'to', message: 'must be a date YYYY-MM-DD' }]);
	if (end < start) throw new RuleValidationError('backtest', [{ path: 'to', message: 'must not be before from' }]);
	const every = input.everyHours ?? 24;
	if (!(every > 0) || !Number.isFinite(every)) throw new RuleValidationError('backtest', [{ path: 'everyHours', message: 'must be a number > 0' }]);
	const count = Math.floor((end - start) / (every * HOUR_MS)) + 1;
	if (count > MAX_BACKTEST_STEPS) throw new RuleValidationError('backtest', [{ path: 'to', message: `${count} steps; at most ${MAX_BACKTEST_STEPS}` }]);
	return Array.from({ length: count }, (_, i) => start + i * every * HOUR_MS);
}

function applies(d: Decision, approveProposals: boolean): boolean {
	return d.decision === 'execute' || (d.decision === 'propose' && approveProposals);
}

/** Replays `rules` over the history from `from` to `to`. */
export function backtest(input: BacktestInput): BacktestReport {
	const rules = parseRules(input.rules);
	const instants = stepInstants(input);
	const base = parseSettings({ ...(input.settings ?? {}), now: new Date(instants[0]).toISOString() });
	const index = metricIndexOf(input.metrics, input.commentSignals);
	const { entities, skipped } = normalizeEntities(input.entities);
	const state = new Map<string, Entity>(entities.map((e) => [e.key, { ...e }]));
	const history = new ActionHistory(input.actions ?? []);
	const approve = input.approveProposals ?? false;
	const includeGated = input.includeGated ?? true;

	const report: BacktestReport = { from: input.from, to: input.to, steps: [], events: [], budgetPaths: {}, byRule: {}, applied: [], finalState: [], skippedEntities: skipped };
	const startIso = new Date(instants[0]).toISOString();
	for (const e of entities) report.budgetPaths[e.key] = [{ at: startIso, budget: e.dailyBudget, status: e.status, ruleId: null, action: null }];
	for (const r of rules) report.byRule[r.id] = { execute: 0, propose: 0, gated: 0, applied: 0 };

	for (const nowMs of instants) {
		const at = new Date(nowMs).toISOString();
		const current = [...state.values()].filter((e) => e.createdAtMs === null || e.createdAtMs <= nowMs);
		const run = history.fork();
		const result = evaluateParsed(rules, current, index, run, { ...base, nowMs, output: 'actionable', includeOutOfScope: false }, { hideToday: (input.todayData ?? 'hidden') === 'hidden' });
		const step: BacktestStep = { at, execute: result.summary.execute, propose: result.summary.propose, gated: result.summary.gated, no_match: result.summary.no_match, applied: 0 };
		for (const d of result.decisions) {
			if (d.decision === 'no_match') continue;
			const counts = report.byRule[d.ruleId];
			counts[d.decision]++;
			const a = d.action;
			if (!a) continue;
			const apply = applies(d, approve);
			const entity = state.get(d.entity.key) as Entity;
			if (apply) {
				if (CHANGE_ACTIONS.has(a.type)) {
					if (a.budgetAfter !== null) entity.dailyBudget = a.budgetAfter;
					if (a.type === 'pause') entity.status = 'paused';
					if (a.type === 'enable') entity.status = 'active';
					report.budgetPaths[d.entity.key].push({ at, budget: entity.dailyBudget, status: entity.status, ruleId: d.ruleId, action: a.type });
					step.applied++;
					counts.applied++;
				}
				history.add(d.entity.key, { atMs: nowMs, action: a.type, budgetBefore: a.budgetBefore, budgetAfter: a.budgetAfter, ruleId: d.ruleId, idempotencyKey: d.idempotencyKey });
				report.applied.push({
					platform: d.entity.platform,
					accountId: d.entity.accountId,
					campaignId: d.entity.campaignId,
					at,
					action: a.type,
					budgetBefore: a.budgetBefore,
					budgetAfter: a.budgetAfter,
					ruleId: d.ruleId,
					idempotencyKey: d.idempotencyKey,
				});
			}
			if (d.decision === 'gated' && !includeGated) continue;
			report.events.push({
				at,
				ruleId: d.ruleId,
				ruleName: d.ruleName,
				entityKey: d.entity.key,
				decision: d.decision,
				action: a.type,
				budgetBefore: a.budgetBefore,
				budgetAfter: a.budgetAfter,
				changePct: a.changePct,
				statusBefore: a.statusBefore,
				statusAfter: a.statusAfter,
				applied: apply,
				failedGates: d.gates.filter((g) => g.status === 'fail').map((g) => g.gate),
				reasons: d.reasons,
				idempotencyKey: d.idempotencyKey,
			});
		}
		report.steps.push(step);
	}
	for (const e of state.values()) report.finalState.push({ key: e.key, status: e.status, dailyBudget: e.dailyBudget });
	return report;
}
