/**
 * One optimizer run: read everything in one batch, evaluate the rules, act on
 * the decisions safely, record every decision with its evidence. What an
 * `AdOps Optimizer` node calls (Run Rules); no n8n here. Not pure (store, platforms):
 * the pure part is `evaluate` (evaluate.ts).
 *
 * Reads (one query per table, never one per campaign):
 * - `optimization_rules`: the enabled rules (plus the rules given as JSON);
 * - the platforms: every campaign of each account with its state (status,
 *   daily budget, currency, time zone, creation), one listing per account;
 * - `campaign_performance`: the rows of those accounts since
 *   `historyRequirements(...).metricsFrom`, as columns (`selectColumnar`);
 * - `ad_comment_signals`: the per-ad daily comment counts of those accounts
 *   since the same date, as columns, when an enabled rule uses a comment
 *   metric (`comments`, `abusive_comment_share`, …);
 * - `action_ledger`: the open `optimization` entries (unknown outcomes, claims),
 *   settled first by reading the campaigns back (`reconcileOptimizationActions`,
 *   with the states just listed); on Supabase also the recent completed ones, to
 *   rebuild records a crash lost (`repairOptimizationRecords`);
 * - `optimization_actions`: the changes confirmed (or unknown: counted as
 *   applied at their attempt, at their target) since `actionsFrom` (cooldowns,
 *   the rolling 24 h cap, idempotency);
 * - `approvals`: whether this run's proposals are already queued.
 *
 * Then per decision:
 * - `execute` (live): ledger claim with the decision's idempotency key →
 *   re-read the campaign → refuse when it changed since the evaluation →
 *   apply → record the platform's answer (apply.ts); the row is written with
 *   the ledger completion (one transaction on SQL stores). A lost or late
 *   answer is `unknown` (counts as applied; settled by the next run's
 *   reconciliation). A campaign with an open (unknown, or claimed by another
 *   run) change gets no new change: its decisions are gated `unreconciled`.
 * - Settled entries come out as `reconciled` items, and changes of a run that
 *   died before it could report them as `recovered` items (both for Slack). `notify` decisions change nothing: they are recorded
 *   as done (so hourly reruns do not repeat them) and go to Slack.
 * - `execute` (dry run, the default): no ledger, no change; the same re-read
 *   and freshness check, the same evidence, stored under `<key>:dry-run`.
 * - `propose`: a `ProposalInput` (kind `optimization`) for the approval
 *   queue, unless a proposal with that id is already stored (queued earlier
 *   today: the id comes from the same key); dry-run proposals get their own id
 *   (`…-dry`) and a payload with `dryRun: true`, so approving one changes nothing.
 * - `gated`: stored only (`<key>:gated@<instant>`).
 * Gated, proposed and dry-run rows are written in one upsert at the end.
 *
 * The result lists one item per executed / proposed / gated decision with
 * what Slack needs (rule, matched conditions with their values, gate results
 * with their numbers, the change, what the platform answered) and a summary.
 */
import { randomUUID } from 'node:crypto';
import type { ProposalInput } from '../approvals/proposal';
import { PLATFORM_REGISTRY, type PlatformDefinition } from '../platforms/registry';
import type { CampaignChange, CampaignState } from '../platforms/types';
import type { Json, Row, RowInput } from '../schema/rows';
import { selectColumnarParts, type Store, type Where } from '../store/types';
import { dayWindows, isCalendarDate, utcDate } from '../text/dates';
import {
	applyPlannedChange,
	changeSubject,
	CLAIM_LEASE_MS,
	controlFor,
	CONTROLLED_PLATFORMS,
	errorInfo,
	holderId,
	holderProcessGone,
	holderRun,
	inProgressText,
	openEntryRecord,
	reconcileOptimizationActions,
	repairOptimizationRecords,
	type ApplyRecord,
	type ApplyResult,
	type ControlledPlatform,
	type CurrentState,
	type ErrorInfo,
	type OptimizerAdapters,
	type PlannedChange,
	type ReconciledEntry,
} from './apply';
import { evaluateAsync, historyRequirements, resultLeaves, toJson, type ActionRecord, type Decision, type EntityInput, type EvaluationSummary, type PlannedAction } from './evaluate';
import type { GateResult } from './gates';
import { MetricIndex, entityKey, type CommentSignalColumns, type MetricColumns } from './metrics';
import { readInsightRuleMetrics, type InsightRuleValues } from '../insights/rule-metrics';
import { readAttributionRuleMetrics, type AttributionRuleValues } from '../attribution/rule-metrics';
import { readFirstPartyRuleMetrics, type FirstPartyRuleValues } from '../events/rule-metrics';
import { DAY_MS, dayString } from './time';
import { parseRule, RuleValidationError, validateRules, type ValidationIssue } from './model';
import { actionDetails, actionRecordFromRow, decisionToActionRow, ruleInputFromRow } from './rows';
import { readAds } from './ad-entities';
import { withStoredKillSwitch } from './kill-switch';
import { DEFAULT_SLICE_MS, yieldToEventLoop } from '../resilience/steps';
import { conditionWords, type OptimizerCondition } from './evidence';

export type { OptimizerAdapters, ControlledPlatform } from './apply';

/** The run's own settings beside the evaluation's. */
export interface OptimizerSettings {
	/** Dry run (default true): nothing changes on any platform; the same evidence is recorded. */
	dryRun?: boolean;
	/** In a dry run, ask Meta and Google Ads to validate each change without making it (default false: no platform write call at all). */
	validateOnDryRun?: boolean;
	/** Attempts of one change (ledger `attempts`, one per run that tried) before it is given up for the day (default 3). */
	maxAttempts?: number;
	/** Operator gates (rules/model.ts `GateConfig`): minimum data, entity age, schedule, cooldown, change caps, floor and ceiling, approval threshold. */
	gates?: unknown;
	/** Global kill switch: every decision is gated (also when the store's kill switch is on: rules/kill-switch.ts). */
	killSwitch?: boolean;
	/** Why it is on, for the gate's detail (set from the stored switch). */
	killSwitchReason?: string;
	/** Changes (executed or proposed) one run may plan (default 100). */
	maxActionsPerRun?: number;
	/** Money gates per budget currency. */
	currencies?: unknown;
	/** `actionable` (default) or `full` (also every no-match with its condition values). */
	output?: 'actionable' | 'full';
}

export interface OptimizerInput {
	/** Rules as JSON (the node's parameter), evaluated together with the stored ones. */
	rules?: readonly unknown[];
	/** Read the enabled rules of `optimization_rules` (default true). */
	useStoredRules?: boolean;
	settings?: OptimizerSettings;
	/** Ad accounts per platform, as in the credentials (`act_…`, dashes and URNs are fine). */
	accounts: Partial<Record<ControlledPlatform, readonly string[]>>;
}

export interface OptimizerDeps {
	store: Store;
	/** Adapters per platform, from `createPlatformAdapter` (Meta, LinkedIn, Google Ads). */
	adapters: OptimizerAdapters;
	/** Clock (tests, replays); default the system clock. */
	now?: () => Date;
	signal?: AbortSignal;
	/**
	 * This run's id (the node passes n8n's execution id; default a random
	 * one): ledger claims are held as `<runId> (<host>:<pid>)`, and a
	 * concurrent run reports them "in progress by run <runId> since …".
	 */
	runId?: string;
	/** A claim older than this (and not this run's) is treated as abandoned and reconciled (default 10 min). */
	claimLeaseMs?: number;
}

/**
 * What became of a decision: the migration's `optimization_actions.outcome`,
 * plus `already_executed` (the ledger had it: nothing sent again) and
 * `no_match` (only with `output: 'full'`).
 */
export type OptimizerOutcome =
	| 'executed'
	| 'dry_run'
	| 'proposed'
	| 'gated'
	| 'refused'
	| 'failed'
	/** The answer was lost or late: the change may have been applied; settled by the next run's reconciliation. */
	| 'unknown'
	| 'in_progress'
	| 'already_executed'
	/** An earlier unknown outcome (or abandoned claim) settled by reading the campaign back. */
	| 'reconciled'
	/** A change an earlier run made and recorded but died before reporting. */
	| 'recovered'
	| 'no_match';

/** Where the node sends an item: Slack (`alert`), the approval queue (`approval`), nowhere (`stored`). */
export type OptimizerRoute = 'alert' | 'approval' | 'stored';

export type { OptimizerCondition } from './evidence';

export interface OptimizerItem {
	outcome: OptimizerOutcome;
	route: OptimizerRoute;
	decision: Decision['decision'];
	dryRun: boolean;
	rule: { id: string; name: string; priority: number };
	/** The campaign, or with `adId` one of its ads (rules of level `ad`). */
	entity: { platform: string; accountId: string; campaignId: string; adId?: string; adGroupId?: string | null; name: string | null };
	/** The planned change with its numbers (null for no_match). */
	action: PlannedAction | null;
	/** Every leaf of the rule's conditions with its value (the matched ones have `result: true`). */
	conditions: OptimizerCondition[];
	/** Every gate with its numbers. */
	gates: GateResult[];
	/** The matched conditions in words: metric, window with its dates, value and threshold in the metric's unit. */
	evidence: string[];
	reasons: string[];
	idempotencyKey: string | null;
	evaluatedAt: string;
	/** The campaign as re-read right before the change (live and dry run), when it was. */
	current: CurrentState | null;
	/** Set when the platform confirmed the change (or the ledger had it). */
	execution: { at: string; response: Json; attempts: number } | null;
	/** A dry run's validate-only answer from the platform, when one was asked for. */
	validation: Json | null;
	error: ErrorInfo | null;
	/** The proposal of a `propose` decision (also in `OptimizerResult.proposals` when new). */
	proposal: ProposalInput | null;
	/** Status of the proposal in the approval queue when it was already there (`pending`, `approved`, …), else null. */
	proposalStatus: string | null;
	/** One line for Slack: what happened, the rule, the conditions that matched. */
	text: string;
}

export interface OptimizerSummary extends EvaluationSummary {
	executed: number;
	dryRun: number;
	proposed: number;
	proposalsNew: number;
	gatedStored: number;
	refused: number;
	failed: number;
	inProgress: number;
	alreadyExecuted: number;
	notified: number;
	/** Changes whose answer was lost or late (this run's, and earlier ones still open). */
	unknown: number;
	/** Earlier unknown outcomes or abandoned claims settled at the start of this run. */
	reconciled: number;
	/** Changes of runs that died before reporting them. */
	recovered: number;
	/** Decisions gated because their campaign has an open (unknown or in-progress) change. */
	blocked: number;
}

export interface OptimizerResult {
	at: string;
	dryRun: boolean;
	killSwitch: boolean;
	items: OptimizerItem[];
	/** New proposals for the approval queue (AdOps Approval → enqueue); already-queued ones are left out. */
	proposals: ProposalInput[];
	summary: OptimizerSummary;
	accounts: Array<{ platform: string; accountId: string; campaigns: number; error: ErrorInfo | null }>;
	/** Stored rules that could not be read, campaigns left out, unreadable metric rows. */
	warnings: string[];
	/** `runId`: this run's id (ledger claims are held by it). `signalRows`: `ad_comment_signals` rows read (null: no rule uses a comment metric, the table was not read). */
	stats: { runId: string; ruleRows: number; metricRows: number; signalRows: number | null; adRows: number | null; actionRows: number; metricsFrom: string | null; actionsFrom: string; readMs: number; evaluateMs: number; applyMs: number; writeMs: number };
}

/**
 * A run's metrics: `where` from `from` on (all days when null), read in windows of METRIC_READ_DAYS days (issue
 * 21: on PGlite one query blocks the event loop for its duration; 10,000 campaigns × 30 days in one read was one
 * block); each window is an index range, the last one open towards the future.
 */
export async function readRunMetrics(store: Pick<Store, 'selectColumnar'>, where: Where<'campaign_performance'>, from: string | null, now: unknown): Promise<MetricColumns> {
	if (!from) return store.selectColumnar('campaign_performance', METRIC_COLUMNS, { where });
	return selectColumnarParts(store, 'campaign_performance', METRIC_COLUMNS, metricWindows(from, now).map((date) => ({ where: { ...where, date } })));
}

/** Days per metrics read of a run (10,000 campaigns: 30,000 rows a read). */
const METRIC_READ_DAYS = 3;

/**
 * The date windows of a run's metrics read: from `from` through the day after the run's instant (UTC) in
 * METRIC_READ_DAYS, the last one open (so a row dated later is read too, whatever the clock).
 */
function metricWindows(from: string, now: unknown): Array<{ gte: string; lte?: string }> {
	const at = typeof now === 'string' && Number.isFinite(Date.parse(now)) ? Date.parse(now) : Date.now();
	const windows: Array<{ gte: string; lte?: string }> = isCalendarDate(from) ? dayWindows(from, utcDate(at + DAY_MS), METRIC_READ_DAYS) : [];
	if (windows.length === 0) return [{ gte: from }];
	delete windows[windows.length - 1]!.lte;
	return windows;
}

const METRIC_COLUMNS = ['date', 'platform', 'account_id', 'campaign_id', 'currency', 'spend', 'impressions', 'clicks', 'conversions', 'revenue', 'leads'] as const;
const SIGNAL_COLUMNS = ['date', 'platform', 'account_id', 'campaign_id', 'ad_id', 'comments', 'negative_comments', 'abusive_comments'] as const;
const ACTION_COLUMNS = ['idempotency_key', 'platform', 'account_id', 'campaign_id', 'action_type', 'action_details', 'action_taken', 'created_at', 'executed_at', 'outcome'] as const;
const RULE_COLUMNS = ['id', 'rule_name', 'conditions', 'actions', 'service_time_gating', 'priority', 'is_active'] as const;

/** The run's settings split into the evaluation's and the run's own, with defaults. */
export function splitSettings(s: OptimizerSettings = {}): { evaluation: Record<string, unknown>; dryRun: boolean; validateOnDryRun: boolean; maxAttempts: number } {
	const { dryRun, validateOnDryRun, maxAttempts, ...rest } = s;
	const evaluation: Record<string, unknown> = {};
	for (const [k, v] of Object.entries(rest)) if (v !== undefined) evaluation[k] = v;
	if (maxAttempts !== undefined && !(Number.isInteger(maxAttempts) && maxAttempts >= 1)) {
		throw new RuleValidationError('settings', [{ path: 'settings.maxAttempts', message: 'must be a whole number of at least 1' }]);
	}
	return { evaluation, dryRun: dryRun !== false, validateOnDryRun: validateOnDryRun === true, maxAttempts: maxAttempts ?? 3 };
}

function conditionsOf(d: Decision): OptimizerCondition[] {
	if (!d.conditions) return [];
	return resultLeaves(d.conditions).map((l) => ({
		metric: l.metric,
		window: l.window.label,
		op: l.op,
		value: l.value,
		min: l.min,
		max: l.max,
		compareTo: l.compareTo,
		actual: l.actual,
		baseline: l.baseline,
		compared: l.compared,
		result: l.result,
		...(l.model ? { model: l.model } : {}),
		...(l.note ? { note: l.note } : {}),
		text: l.text,
	}));
}

const ROUTE: Record<OptimizerOutcome, OptimizerRoute> = {
	executed: 'alert',
	dry_run: 'alert',
	refused: 'alert',
	failed: 'alert',
	unknown: 'alert',
	reconciled: 'alert',
	recovered: 'alert',
	// the run that holds the claim reports its own outcome
	in_progress: 'stored',
	already_executed: 'stored',
	proposed: 'approval',
	gated: 'stored',
	no_match: 'stored',
};

const LEAD: Record<OptimizerOutcome, string> = {
	executed: 'Executed',
	dry_run: 'Dry run, not executed',
	refused: 'Refused',
	failed: 'Failed',
	unknown: 'Outcome unknown',
	reconciled: 'Reconciled',
	recovered: 'Recovered',
	in_progress: 'Not executed here, another run is applying it',
	already_executed: 'Already executed',
	proposed: 'Needs approval',
	gated: 'Gated',
	no_match: 'No match',
};

function itemText(item: Omit<OptimizerItem, 'text'>): string {
	const what = item.action?.summary ?? changeSubject(item.entity);
	const met = item.conditions.filter((c) => c.result === true).map((c) => c.text);
	const failedGates = item.gates.filter((g) => g.status === 'fail').map((g) => `${g.gate}: ${g.detail}`);
	const parts = [`${LEAD[item.outcome]}: ${what} — rule "${item.rule.name}" (priority ${item.rule.priority})`];
	if (met.length > 0) parts.push(`because ${met.join('; ')}`);
	if (item.outcome === 'gated' && failedGates.length > 0) parts.push(`gated by ${failedGates.join('; ')}`);
	if (item.outcome === 'refused' || item.outcome === 'in_progress') parts.push(item.reasons[item.reasons.length - 1] ?? '');
	if ((item.outcome === 'failed' || item.outcome === 'unknown') && item.error) parts.push(`${item.error.message}`);
	if (item.outcome === 'proposed' && item.proposalStatus) parts.push(`already in the approval queue (${item.proposalStatus})`);
	return parts.filter(Boolean).join('. ');
}

/** The rule JSON of every enabled stored rule; unreadable rows become warnings. */
async function storedRules(store: Store, warnings: string[]): Promise<{ inputs: Array<Record<string, unknown>>; ids: Set<string>; rows: number }> {
	const rows = await store.selectColumns('optimization_rules', RULE_COLUMNS, { where: { is_active: true }, order: [{ column: 'priority' }, { column: 'rule_name' }] });
	const inputs: Array<Record<string, unknown>> = [];
	for (const row of rows) {
		const input = ruleInputFromRow(row);
		try {
			parseRule(input, `optimization_rules[${row.rule_name}]`);
			inputs.push(input);
		} catch (error) {
			warnings.push(`rule "${row.rule_name}" (optimization_rules ${row.id}) is left out: ${(error as Error).message}`);
		}
	}
	return { inputs, ids: new Set(inputs.map((r) => r.id as string)), rows: rows.length };
}

/** A campaign's state as the evaluation reads it. */
export function entityOf(s: CampaignState): EntityInput {
	return {
		platform: s.platform,
		accountId: s.accountId,
		campaignId: s.campaignId,
		name: s.name,
		status: s.status,
		createdAt: s.createdAt,
		// a budget the optimizer must not change (shared, lifetime, ad-set level) is no budget to it
		dailyBudget: s.budgetEditable ? s.dailyBudget : null,
		currency: s.currency ?? '',
		timezone: s.timezone ?? '',
	};
}

function plannedOf(d: Decision): PlannedChange {
	const a = d.action as PlannedAction;
	return {
		idempotencyKey: d.idempotencyKey as string,
		platform: d.entity.platform,
		accountId: d.entity.accountId,
		campaignId: d.entity.campaignId,
		...(d.entity.adId ? { adId: d.entity.adId, adGroupId: d.entity.adGroupId ?? null } : {}),
		action: a.type,
		statusBefore: a.statusBefore,
		budgetBefore: a.budgetBefore,
		budgetAfter: a.budgetAfter,
		currency: a.currency,
		ruleId: d.ruleId,
		evaluatedAt: d.evaluation.at,
		ruleName: d.ruleName,
		details: actionDetails(d),
		requestedType: a.type,
	};
}

/** A dry run's proposal: its own id and a payload that says so, so approving it never changes anything. */
function dryRunProposal(p: ProposalInput): ProposalInput {
	return {
		...p,
		id: `${p.id}-dry`,
		title: `[dry run] ${p.title}`.slice(0, 300),
		payload: { ...(p.payload as Record<string, Json>), dryRun: true },
		proposedChange: `Dry run — approving records what would happen and changes nothing. ${p.proposedChange}`.slice(0, 10_000),
	};
}

/** What a run (or a backtest) reads before it evaluates: rules, campaign state from the platforms, history from the store. */
export interface RunInputs {
	ruleInputs: unknown[];
	stored: { inputs: Array<Record<string, unknown>>; ids: Set<string>; rows: number };
	req: ReturnType<typeof historyRequirements>;
	states: Map<string, CampaignState>;
	accounts: Array<{ platform: string; accountId: string; campaigns: number; error: ErrorInfo | null }>;
	metrics: MetricColumns;
	signals: CommentSignalColumns | undefined;
	/** AdOps Insights' values per `platform|account|campaign`, when a rule uses an insight metric (readInsightRuleMetrics). */
	insights: Map<string, InsightRuleValues> | undefined;
	/** Attribution's credit per `platform|campaign`, when a rule uses an attribution metric (readAttributionRuleMetrics). */
	attribution: Map<string, AttributionRuleValues> | undefined;
	/** First-party events per `platform|campaign`, when a rule uses a first-party metric (readFirstPartyRuleMetrics). */
	firstParty: FirstPartyRuleValues | undefined;
	history: ActionRecord[];
	/** The ads evaluated by rules of level `ad` (empty without such a rule). */
	ads: EntityInput[];
	/** `ad_performance` rows read (null: no rule of level `ad`, the table was not read). */
	adRows: number | null;
	actionRows: number;
	/** The `optimization_actions` rows the history was read from. */
	actionRowsRead: Array<Pick<Row<'optimization_actions'>, (typeof ACTION_COLUMNS)[number]>>;
	/** Changes read from the platforms' change history that this package did not make (in `history`, source `outside`). */
	outsideChanges: number;
}

/** How far apart a platform's record of our own change and our record of it may be (clocks, the call's duration). */
const OWN_CHANGE_SLACK_MS = 15 * 60_000;

/**
 * The action records of the changes read from the platforms' change
 * histories, without those this package made (a change of ours is in the
 * history too: same campaign, within 15 minutes, same budget or status; a
 * change the platform does not detail — kind `other`, LinkedIn's last
 * modification time — is ours when one of our changes of the campaign is
 * within those 15 minutes). An `other` change becomes a change record with
 * no budgets (`set_budget`, before/after null): it counts for the cooldown,
 * not for the 24 h budget bound.
 */
export function outsideChangeRecords(changes: readonly CampaignChange[], own: readonly ActionRecord[], before?: string): ActionRecord[] {
	const beforeMs = before ? Date.parse(before) : Number.POSITIVE_INFINITY;
	const out: ActionRecord[] = [];
	for (const c of changes) {
		const atMs = Date.parse(c.at);
		if (!Number.isFinite(atMs) || atMs >= beforeMs) continue;
		const action: ActionRecord['action'] = c.kind === 'status' ? (c.statusAfter === 'PAUSED' ? 'pause' : 'enable') : 'set_budget';
		const ours = own.some((r) => {
			if (r.source === 'outside' || r.platform !== c.platform || r.campaignId !== c.campaignId) return false;
			const t = typeof r.at === 'number' ? r.at : Date.parse(String(r.at instanceof Date ? r.at.toISOString() : r.at));
			if (!(Math.abs(t - atMs) <= OWN_CHANGE_SLACK_MS)) return false;
			if (c.kind === 'budget') return r.budgetAfter !== null && r.budgetAfter !== undefined && c.budgetAfter !== null && Math.abs(r.budgetAfter - c.budgetAfter) < 1e-6;
			if (c.kind === 'status') return r.action === action;
			return true;
		});
		if (ours) continue;
		out.push({
			platform: c.platform,
			accountId: c.accountId,
			campaignId: c.campaignId,
			at: c.at,
			action,
			budgetBefore: c.budgetBefore,
			budgetAfter: c.budgetAfter,
			ruleId: null,
			idempotencyKey: null,
			source: 'outside',
			by: c.by,
			via: c.via,
		});
	}
	return out;
}

/**
 * How far back a run reads a platform's change history: from `actionsFrom`,
 * but no further back than the platform keeps it (Google Ads: 30 days; its
 * API refuses an older start). `now` is the run's instant (settings.now).
 */
export function changesSince(platform: string, actionsFrom: string, now: unknown): string {
	const days = (PLATFORM_REGISTRY as Record<string, PlatformDefinition | undefined>)[platform]?.changeHistory?.days;
	const nowMs = typeof now === 'string' ? Date.parse(now) : Number.NaN;
	if (days === null || days === undefined || !Number.isFinite(nowMs)) return actionsFrom;
	const oldest = nowMs - days * 86_400_000;
	return Date.parse(actionsFrom) < oldest ? new Date(oldest).toISOString() : actionsFrom;
}

/**
 * The reads of a run, one per table and one listing per account: the rules
 * (stored and JSON, validated together), every campaign's state from its
 * platform, `campaign_performance` (and `ad_comment_signals` when a rule uses
 * a comment metric) since the first day the rules look at, and the changes
 * confirmed since `actionsFrom` (before `actionsBefore`, for a backtest).
 * Accounts that cannot be listed are reported in `accounts[].error` and as
 * warnings; their campaigns are left out.
 */
export async function readRunInputs(
	input: Pick<OptimizerInput, 'rules' | 'useStoredRules' | 'accounts'>,
	settings: Record<string, unknown>,
	deps: Pick<OptimizerDeps, 'store' | 'adapters' | 'signal'>,
	warnings: string[],
	options: {
		actionsBefore?: string;
		/** Last day of stored anomalies read for the insight metrics (a backtest's last day; default the run's day). */
		insightsUntil?: string;
		/** Runs after the campaigns were listed and before the history is read (the live run's reconciliation and repair). */
		beforeHistory?: (listed: { states: Map<string, CampaignState>; accounts: RunInputs['accounts']; actionsFrom: string }) => Promise<void>;
	} = {},
): Promise<RunInputs> {
	const { store } = deps;
	// --- which accounts, which adapters ---------------------------------------------
	const wanted: Array<{ platform: ControlledPlatform; accountId: string }> = [];
	for (const [platform, ids] of Object.entries(input.accounts ?? {}) as Array<[string, readonly string[] | undefined]>) {
		if (!ids || ids.length === 0) continue;
		controlFor(deps.adapters, platform); // throws with what to configure
		for (const id of new Set(ids.map((x) => String(x).trim()).filter(Boolean))) wanted.push({ platform: platform as ControlledPlatform, accountId: id });
	}
	if (wanted.length === 0) throw new Error(`No ad accounts to optimize: give account ids for at least one of ${CONTROLLED_PLATFORMS.join(', ')}`);

	// --- rules ------------------------------------------------------------------------
	const jsonRules = [...(input.rules ?? [])];
	const jsonIssues = validateRules(jsonRules);
	if (jsonIssues.length > 0) throw new RuleValidationError('rules', jsonIssues);
	const stored = input.useStoredRules === false ? { inputs: [], ids: new Set<string>(), rows: 0 } : await storedRules(store, warnings);
	const ruleInputs: unknown[] = [...stored.inputs, ...jsonRules];
	// each rule is valid on its own by now: what is left are ids used twice (a JSON rule reusing a stored rule's uuid)
	const clash: ValidationIssue[] = validateRules(ruleInputs);
	if (clash.length > 0) throw new RuleValidationError('rules', clash);
	const req = historyRequirements(ruleInputs, settings);

	// --- entity state from the platforms (one listing per account) ---------------------
	const states = new Map<string, CampaignState>();
	const accounts: RunInputs['accounts'] = [];
	// the campaigns' state and the platforms' change history (outside changes count for the cooldown and the 24 h bound): one read each per account, all at once
	const listed = await Promise.all(
		wanted.map(async (w) => {
			const control = controlFor(deps.adapters, w.platform);
			const changes = control.listCampaignChanges
				? control.listCampaignChanges(w.accountId, changesSince(w.platform, req.actionsFrom, settings.now), deps.signal).then(
						(list) => ({ list, error: null }),
						(error: unknown) => ({ list: null, error: errorInfo(error) }),
					)
				: Promise.resolve({ list: [] as CampaignChange[], error: null });
			try {
				return { w, list: await control.listCampaignStates(w.accountId, deps.signal), error: null, changes: await changes };
			} catch (error) {
				await changes;
				return { w, list: null, error: errorInfo(error), changes: { list: [] as CampaignChange[], error: null } };
			}
		}),
	);
	const outside: CampaignChange[] = [];
	const accountIds = new Set<string>();
	for (const { w, list, error, changes } of listed) {
		if (changes.error) warnings.push(`${w.platform} account ${w.accountId}: its change history could not be read (${changes.error.message}); changes made outside the package are not counted for the cooldown and the 24 h bound this run`);
		else if (changes.list) outside.push(...changes.list);
		if (!list) {
			accounts.push({ platform: w.platform, accountId: w.accountId, campaigns: 0, error });
			warnings.push(`${w.platform} account ${w.accountId} was not evaluated: ${error?.message ?? 'unknown error'}`);
			continue;
		}
		const canonical = list.account.accountId;
		if (accounts.some((a) => a.platform === w.platform && a.accountId === canonical)) continue; // the same account under two spellings
		accounts.push({ platform: w.platform, accountId: canonical, campaigns: list.campaigns.length, error: null });
		accountIds.add(canonical);
		for (const s of list.campaigns) states.set(entityKey(s.platform, s.accountId, s.campaignId), s);
	}
	const platforms = [...new Set(accounts.filter((a) => !a.error).map((a) => a.platform))];

	// --- history: one read per table ------------------------------------------------------
	let metrics: MetricColumns = { length: 0, columns: { date: [], platform: [], account_id: [], campaign_id: [], currency: [], spend: [], impressions: [], clicks: [], conversions: [], revenue: [], leads: [] } };
	let signals: CommentSignalColumns | undefined;
	let insights: Map<string, InsightRuleValues> | undefined;
	let attribution: Map<string, AttributionRuleValues> | undefined;
	let firstParty: FirstPartyRuleValues | undefined;
	let actionRows = 0;
	const history: ActionRecord[] = [];
	let actionRowsRead: RunInputs['actionRowsRead'] = [];
	let ads: EntityInput[] = [];
	let adRows: number | null = null;
	if (options.beforeHistory) await options.beforeHistory({ states, accounts, actionsFrom: req.actionsFrom });
	if (accountIds.size > 0) {
		const where: Where<'campaign_performance'> = { platform: { in: platforms }, account_id: { in: [...accountIds] } };
		metrics = await readRunMetrics(store, where, req.metricsFrom, settings.now);
		if (req.ads) {
			const read = await readAds(store, deps.adapters, { platforms, accountIds: [...accountIds], from: req.metricsFrom }, states, metrics, warnings, deps.signal);
			metrics = read.metrics;
			ads = read.entities;
			adRows = read.adRows;
		}
		if (req.commentSignals) {
			const signalWhere: Where<'ad_comment_signals'> = { platform: { in: platforms }, account_id: { in: [...accountIds] } };
			if (req.metricsFrom) signalWhere.date = { gte: req.metricsFrom };
			signals = await store.selectColumnar('ad_comment_signals', SIGNAL_COLUMNS, { where: signalWhere });
		}
		if (req.insights) {
			// anomalies dated in any account's own window: from the longest window before the earliest local day to the latest
			const todayUtc = Math.floor(Date.parse(String(settings.now)) / DAY_MS);
			insights = await readInsightRuleMetrics(store, {
				accounts: accounts.filter((a) => !a.error).map((a) => ({ platform: a.platform, accountId: a.accountId })),
				asOf: dayString(todayUtc - 1),
				anomaliesFrom: dayString(todayUtc - req.insights.days - 2),
				anomaliesTo: options.insightsUntil ?? dayString(todayUtc + 1),
			});
		}
		if (req.attribution) {
			// UTC conversion days of every account's own window: the longest window before the earliest local day to the latest
			const todayUtc = Math.floor(Date.parse(String(settings.now)) / DAY_MS);
			attribution = await readAttributionRuleMetrics(store, {
				platforms,
				models: req.attribution.models,
				from: dayString(todayUtc - req.attribution.days - 2),
				to: options.insightsUntil ?? dayString(todayUtc + 1),
			});
		}
		if (req.firstParty) {
			// every account's own window: its first local day starts at most a day and the zone's offset (≤ 14 h) before now's UTC day;
			// events up to now (a backtest: to the end of its last day), never later (an event stamped ahead of the clock counts when its time comes)
			const nowMs = Date.parse(String(settings.now));
			firstParty = await readFirstPartyRuleMetrics(store, {
				platforms,
				from: nowMs - (req.firstParty.days + 2) * DAY_MS,
				to: options.insightsUntil ? Date.parse(`${options.insightsUntil}T00:00:00Z`) + 2 * DAY_MS : nowMs,
			});
		}
		const rows = await store.selectColumns('optimization_actions', ACTION_COLUMNS, { where: { action_taken: true, executed_at: { gte: req.actionsFrom, ...(options.actionsBefore ? { lt: options.actionsBefore } : {}) }, platform: { in: platforms } } });
		actionRows = rows.length;
		actionRowsRead = rows;
		for (const row of rows) {
			const record = actionRecordFromRow(row);
			if (record) history.push(record);
		}
	}
	const outsideRecords = outsideChangeRecords(outside, history, options.actionsBefore);
	history.push(...outsideRecords);

	return { ruleInputs, stored, req, states, accounts, metrics, signals, insights, attribution, firstParty, history, ads, adRows, actionRows, actionRowsRead, outsideChanges: outsideRecords.length };
}

/** The app_state key of a live run's marker: running → finished; a run that died stays `running`. */
const runMarkerKey = (by: string) => `optimizer.run:${by}`.slice(0, 500);

interface RunMarker {
	status: 'running' | 'finished' | 'recovered';
	by: string;
	startedAt: string;
}

/** Words for the change of a ledger intent: "pause", "daily budget 227.00 → 249.70 EUR". */
function changeWords(e: ReconciledEntry): string {
	const t = e.target;
	if (t.action === 'pause' || t.action === 'enable') return t.action;
	return `daily budget ${t.budgetBefore ?? '?'} → ${t.budgetAfter ?? '?'} ${t.currency}`;
}

/**
 * Runs the optimizer once; see the module doc. Throws RuleValidationError for
 * invalid JSON rules or settings, and Error when a platform named in
 * `accounts` has no adapter; one account failing to list is reported in
 * `accounts[].error` and its campaigns are not evaluated.
 */
export async function runOptimizer(input: OptimizerInput, deps: OptimizerDeps): Promise<OptimizerResult> {
	const clock = deps.now ?? (() => new Date());
	const { store } = deps;
	const startedAt = clock();
	const at = startedAt.toISOString();
	const { evaluation: evalSettings, dryRun, validateOnDryRun, maxAttempts } = splitSettings(input.settings);
	// the stored kill switch (Set Kill Switch) holds every run, live or dry, on every worker
	const settings = await withStoredKillSwitch(store, { ...evalSettings, now: at });
	const warnings: string[] = [];
	const runId = deps.runId ? String(deps.runId) : `run-${randomUUID()}`;
	const by = holderId(runId);
	const lease = deps.claimLeaseMs ?? CLAIM_LEASE_MS;

	// --- live runs: settle what earlier runs left open before anything is planned ----------
	let reconciledEntries: ReconciledEntry[] = [];
	let openEntries: ReconciledEntry[] = [];
	const beforeHistory = async ({ states, accounts: listedAccounts, actionsFrom }: { states: Map<string, CampaignState>; accounts: RunInputs['accounts']; actionsFrom: string }) => {
		const scope = listedAccounts.filter((a) => !a.error).map((a) => ({ platform: a.platform, accountId: a.accountId }));
		if (scope.length === 0) return;
		const r = await reconcileOptimizationActions(store, deps.adapters, { now: clock, states, accounts: scope, leaseMs: lease, claimedBy: by, signal: deps.signal });
		reconciledEntries = r.resolved;
		openEntries = r.open;
		for (const e of r.errors) warnings.push(`reconciliation: ${e}`);
		// Supabase commits the ledger and the record separately: rebuild records a crash lost before any gate reads them
		if (store.kind === 'supabase') {
			const repaired = await repairOptimizationRecords(store, { since: actionsFrom, accounts: scope });
			if (repaired.length > 0) warnings.push(`${repaired.length} optimization_actions rows were rebuilt from the action ledger (a run stopped between the change and its record): ${repaired.join(', ')}`);
		}
	};
	if (!dryRun) await store.setState(runMarkerKey(by), toJson({ status: 'running', by, startedAt: new Date().toISOString() } satisfies RunMarker));

	const t0 = performance.now();
	const { ruleInputs, stored, states, accounts, metrics, signals, insights, attribution, firstParty, history, ads, adRows, actionRows, actionRowsRead, req } = await readRunInputs(input, settings, deps, warnings, dryRun ? {} : { beforeHistory });
	const readMs = performance.now() - t0;

	// unknown entries count as applied at their attempt, at their target (their rows are in the history already; an
	// abandoned claim that could not be settled has none). A live claim of another run blocks its campaign below.
	const seen = new Set(history.map((h) => h.idempotencyKey));
	for (const e of openEntries) if (e.status === 'unknown' && !seen.has(e.key)) history.push(openEntryRecord(e));
	const blocked = new Map<string, ReconciledEntry>();
	for (const e of openEntries) {
		const key = entityKey(e.target.platform, e.target.accountId, e.target.campaignId, e.target.adId);
		if (!blocked.has(key)) blocked.set(key, e);
	}

	// --- evaluate -----------------------------------------------------------------------------
	const t1 = performance.now();
	// built and evaluated in 10 ms slices: a queue-mode worker renews its job lock meanwhile (issue 21)
	const index = await MetricIndex.build(metrics, signals);
	const result = await evaluateAsync({ rules: ruleInputs, entities: [...[...states.values()].map(entityOf), ...ads], metrics: index.withInsights(insights, attribution, firstParty), actions: history, settings });
	const evaluateMs = performance.now() - t1;
	for (const s of result.skippedEntities) warnings.push(`campaign ${s.entity.platform ?? '?'} ${s.entity.accountId ?? '?'} ${s.entity.campaignId ?? '?'} was not evaluated: ${s.reason}`);
	if (result.rejectedRows > 0) warnings.push(`${result.rejectedRows} campaign_performance rows could not be read (bad date or currency, negative or too large numbers) and were left out`);
	if (result.rejectedSignalRows > 0) warnings.push(`${result.rejectedSignalRows} ad_comment_signals rows could not be used (no campaign known for the ad, or impossible counts) and were left out of the comment metrics`);

	// --- a campaign with an open change gets no new change ---------------------------------------
	let blockedCount = 0;
	const decisions: Decision[] = result.decisions.map((d) => {
		if ((d.decision !== 'execute' && d.decision !== 'propose') || !d.action || d.action.type === 'notify') return d;
		const open = blocked.get(entityKey(d.entity.platform, d.entity.accountId, d.entity.campaignId, d.entity.adId));
		const noun = d.entity.adId ? 'ad' : 'campaign';
		// the same key held by another run: the claim reports it (in progress by …)
		if (!open || (open.status === 'in_progress' && open.key === d.idempotencyKey)) return d;
		const reason =
			open.status === 'in_progress'
				? `another change of this ${noun} (${changeWords(open)}, ledger ${open.key}) is ${inProgressText(open.by, open.since)}`
				: `an earlier change of this ${noun} (${changeWords(open)}, ledger ${open.key}) has an unknown outcome: ${open.reason}`;
		blockedCount++;
		return { ...d, decision: 'gated', proposal: null, reasons: [...d.reasons, reason], gates: [...d.gates, { gate: 'unreconciled', status: 'fail', detail: reason, values: { ledgerKey: open.key, status: open.status } }] };
	});

	// --- proposals already queued (one read) --------------------------------------------------
	const proposalOf = (d: Decision): ProposalInput | null => (d.proposal ? (dryRun ? dryRunProposal(d.proposal) : d.proposal) : null);
	const proposalIds = decisions.map(proposalOf).filter((p): p is ProposalInput => p !== null).map((p) => p.id);
	const queued = new Map<string, string>();
	if (proposalIds.length > 0) {
		for (const row of await store.selectColumns('approvals', ['proposal_id', 'status'], { where: { proposal_id: { in: proposalIds } } })) queued.set(row.proposal_id, row.status);
	}

	// --- act ---------------------------------------------------------------------------------------
	const t2 = performance.now();
	let writeMs = 0;
	const items: OptimizerItem[] = [];
	const proposals: ProposalInput[] = [];
	const batch: Array<RowInput<'optimization_actions'>> = [];
	const summary: OptimizerSummary = {
		...result.summary,
		executed: 0,
		dryRun: 0,
		proposed: 0,
		proposalsNew: 0,
		gatedStored: 0,
		refused: 0,
		failed: 0,
		inProgress: 0,
		alreadyExecuted: 0,
		notified: 0,
		unknown: 0,
		reconciled: reconciledEntries.length,
		recovered: 0,
		blocked: blockedCount,
	};

	// settled and still-open entries of earlier runs, and changes of runs that died before reporting them
	const ledgerItem = (e: ReconciledEntry, outcome: 'reconciled' | 'unknown' | 'recovered', text: string, execution: OptimizerItem['execution']): OptimizerItem => ({
		outcome,
		route: ROUTE[outcome],
		decision: 'execute',
		dryRun: false,
		rule: { id: e.target.ruleId, name: e.target.ruleName ?? e.target.ruleId, priority: 0 },
		entity: e.target.adId
			? { platform: e.target.platform, accountId: e.target.accountId, campaignId: e.target.campaignId, adId: e.target.adId, adGroupId: e.target.adGroupId, name: null }
			: { platform: e.target.platform, accountId: e.target.accountId, campaignId: e.target.campaignId, name: states.get(entityKey(e.target.platform, e.target.accountId, e.target.campaignId))?.name ?? null },
		action: null,
		conditions: [],
		gates: [],
		evidence: [],
		reasons: [e.reason],
		idempotencyKey: e.key,
		evaluatedAt: e.target.evaluatedAt,
		current: null,
		execution,
		validation: null,
		error: outcome === 'unknown' ? { message: e.reason } : null,
		proposal: null,
		proposalStatus: null,
		text,
	});
	const where = (e: ReconciledEntry) => `${changeSubject(e.target)} (account ${e.target.accountId})`;
	for (const e of reconciledEntries) {
		const text =
			e.status === 'succeeded'
				? `Reconciled: the ${changeWords(e)} of ${where(e)} tried at ${e.at} was applied — ${e.reason}; it counts from ${e.at}`
				: `Reconciled: the ${changeWords(e)} of ${where(e)} tried at ${e.at} was not applied — ${e.reason}; the rules may plan it again`;
		items.push(ledgerItem(e, 'reconciled', text, e.status === 'succeeded' ? { at: e.at, response: toJson({ resolution: e.reason }), attempts: e.attempts } : null));
	}
	for (const e of openEntries) {
		if (e.status !== 'unknown') continue;
		summary.unknown++;
		items.push(ledgerItem(e, 'unknown', `Outcome unknown: the ${changeWords(e)} of ${where(e)} tried at ${e.at} — ${e.reason}`, null));
	}
	const reconciledKeys = new Set(reconciledEntries.map((e) => e.key));
	if (!dryRun) {
		const others = new Map<string, Array<(typeof actionRowsRead)[number]>>();
		for (const row of actionRowsRead) {
			const runOf = typeof (row.action_details as Record<string, Json> | null)?.runId === 'string' ? ((row.action_details as Record<string, Json>).runId as string) : null;
			if (!runOf || runOf === by || (row.outcome !== 'executed' && row.outcome !== 'unknown')) continue;
			others.set(runOf, [...(others.get(runOf) ?? []), row]);
		}
		if (others.size > 0) {
			const markers = await store.select('app_state', { where: { key: { in: [...others.keys()].map(runMarkerKey) } } });
			for (const m of markers) {
				const marker = m.value as unknown as RunMarker;
				if (marker?.status !== 'running' || !(holderProcessGone(marker.by) || Date.now() - Date.parse(marker.startedAt) > lease)) continue;
				for (const row of others.get(marker.by) ?? []) {
					if (reconciledKeys.has(row.idempotency_key)) continue; // reported above as reconciled
					const d = (row.action_details ?? {}) as Record<string, Json>;
					const entry: ReconciledEntry = {
						key: row.idempotency_key,
						target: {
							source: 'run',
							proposalId: null,
							ruleId: String(d.ruleId ?? ''),
							ruleName: typeof d.ruleName === 'string' ? d.ruleName : null,
							platform: row.platform,
							accountId: row.account_id ?? '',
							campaignId: row.campaign_id,
							adId: typeof d.adId === 'string' ? d.adId : null,
							adGroupId: typeof d.adGroupId === 'string' ? d.adGroupId : null,
							action: row.action_type as ReconciledEntry['target']['action'],
							requestedType: row.action_type as ReconciledEntry['target']['action'],
							statusBefore: String(d.statusBefore ?? ''),
							statusAfter: String(d.statusAfter ?? ''),
							budgetBefore: typeof d.budgetBefore === 'number' ? d.budgetBefore : null,
							budgetAfter: typeof d.budgetAfter === 'number' ? d.budgetAfter : null,
							currency: String(d.currency ?? ''),
							evaluatedAt: String(d.evaluatedAt ?? ''),
							attemptedAt: row.executed_at,
							runId: marker.by,
							details: row.action_details,
						},
						from: 'claimed',
						status: row.outcome === 'executed' ? 'succeeded' : 'unknown',
						reason: `run ${holderRun(marker.by)} stopped before it reported this change`,
						at: row.executed_at ?? row.created_at,
						by: marker.by,
						since: marker.startedAt,
						attempts: 1,
					};
					summary.recovered++;
					const how = row.outcome === 'executed' ? 'was executed' : 'was tried (outcome unknown)';
					items.push(ledgerItem(entry, 'recovered', `Recovered: the ${changeWords(entry)} of ${where(entry)} ${how} at ${entry.at} by run ${holderRun(marker.by)}, which stopped before it reported it (recovered from the records)`, row.outcome === 'executed' ? { at: entry.at, response: null, attempts: 1 } : null));
				}
				await store.setState(runMarkerKey(marker.by), toJson({ ...marker, status: 'recovered' }));
			}
		}
	}

	/** The decision's row with the run's columns; `suffix` keeps dry-run rows apart from live ones. */
	const rowOf = (d: Decision, extra: Partial<RowInput<'optimization_actions'>>, suffix = ''): RowInput<'optimization_actions'> => {
		const base = decisionToActionRow(d) as RowInput<'optimization_actions'>;
		return { ...base, rule_id: stored.ids.has(d.ruleId) ? d.ruleId : null, dry_run: dryRun, ...extra, idempotency_key: `${base.idempotency_key}${suffix}` };
	};
	const writeNow = async (row: RowInput<'optimization_actions'>, onConflict: 'update' | 'ignore' = 'update', target: Store = store) => {
		const w = performance.now();
		await target.upsert('optimization_actions', [row], { onConflict });
		writeMs += performance.now() - w;
	};
	const details = (d: Decision, extra: Record<string, unknown>): Json => toJson({ ...(actionDetails(d) as Record<string, Json>), runId: by, ...extra });

	/** The live row of an apply result, written by apply.ts with the ledger completion. */
	const liveRow = (d: Decision, r: ApplyResult): { row: RowInput<'optimization_actions'>; onConflict: 'update' | 'ignore' } | null => {
		switch (r.outcome) {
			case 'executed':
				return { row: rowOf(d, { outcome: 'executed', action_taken: true, executed_at: r.at, platform_response: r.response, error: null, action_details: details(d, { executedAt: r.at, attempts: r.attempts }) }), onConflict: 'update' };
			case 'already_executed':
				// the ledger has it but the history read did not (its row was never written): write it now
				return { row: rowOf(d, { outcome: 'executed', action_taken: true, executed_at: r.at, platform_response: r.response, error: null, action_details: details(d, { executedAt: r.at, repaired: true }) }), onConflict: 'update' };
			case 'refused':
				return { row: rowOf(d, { outcome: 'refused', error: r.reason, action_details: details(d, { current: r.current, attempts: r.attempts }) }), onConflict: 'update' };
			case 'failed':
				return { row: rowOf(d, { outcome: 'failed', error: r.error.message, platform_response: toJson({ error: r.error }), action_details: details(d, { attempts: r.attempts, gaveUp: r.gaveUp }) }), onConflict: 'update' };
			case 'unknown':
				// counts as applied from the attempt, at its target, until reconciled
				return {
					row: rowOf(d, { outcome: 'unknown', action_taken: true, executed_at: r.at, error: r.error.message, platform_response: toJson({ error: r.error }), action_details: details(d, { attemptedAt: r.at, attempts: r.attempts }) }),
					onConflict: r.pending ? 'ignore' : 'update',
				};
			case 'in_progress':
				return { row: rowOf(d, { outcome: 'in_progress', error: inProgressText(r.by, r.since) }), onConflict: 'ignore' };
			default:
				return null;
		}
	};

	// A decision gated by a change made outside the package (a person's edit within the cooldown) goes to Slack once
	// per edit: its own row (`<key>:outside@<edit instant>`) says it was reported; one read for all of them.
	const outsideKey = (d: Decision): string | null => {
		if (d.decision !== 'gated' || !d.idempotencyKey) return null;
		const g = d.gates.find((x) => x.gate === 'cooldown' && x.status === 'fail' && x.values.lastChangeSource === 'outside');
		return g ? `${d.idempotencyKey}:outside@${String(g.values.lastChangeAt)}${dryRun ? ':dry-run' : ''}` : null;
	};
	const outsideKeys = decisions.map(outsideKey).filter((k): k is string => k !== null);
	const reported = new Set(
		outsideKeys.length === 0 ? [] : (await store.selectColumns('optimization_actions', ['idempotency_key'], { where: { idempotency_key: { in: outsideKeys } } })).map((r) => r.idempotency_key),
	);
	// A dry run is announced once per decision and local day: the key is per local day, and its `:dry-run` row
	// says an earlier run of the day already showed it in Slack; later hourly dry runs store it only (route `stored`).
	const dryRunKeys = dryRun ? decisions.filter((d) => d.decision === 'execute' && d.idempotencyKey).map((d) => `${d.idempotencyKey}:dry-run`) : [];
	const announcedDryRuns = new Set(
		dryRunKeys.length === 0
			? []
			: (await store.selectColumns('optimization_actions', ['idempotency_key', 'outcome'], { where: { idempotency_key: { in: dryRunKeys } } })).filter((r) => r.outcome === 'dry_run').map((r) => r.idempotency_key),
	);
	const dryRunRoute = (d: Decision): Partial<OptimizerItem> => (announcedDryRuns.has(`${d.idempotencyKey}:dry-run`) ? { route: 'stored', reasons: [...d.reasons, 'dry run already announced today: stored only'] } : {});
	// Items and records of 10,000 campaigns take about a second to build: the event loop gets a turn every 10 ms.
	let slice = performance.now();
	for (const d of decisions) {
		if (performance.now() - slice >= DEFAULT_SLICE_MS) {
			await yieldToEventLoop();
			slice = performance.now();
		}
		const base: Omit<OptimizerItem, 'text' | 'outcome' | 'route'> = {
			decision: d.decision,
			dryRun,
			rule: { id: d.ruleId, name: d.ruleName, priority: d.priority },
			entity: { platform: d.entity.platform, accountId: d.entity.accountId, campaignId: d.entity.campaignId, ...(d.entity.adId ? { adId: d.entity.adId, adGroupId: d.entity.adGroupId ?? null } : {}), name: d.entity.name },
			action: d.action,
			conditions: conditionsOf(d),
			gates: d.gates,
			evidence: conditionsOf(d)
				.filter((c) => c.result === true)
				.map((c) => conditionWords(c, d.action?.currency ?? null)),
			reasons: [...d.reasons],
			idempotencyKey: d.idempotencyKey,
			evaluatedAt: d.evaluation.at,
			current: null,
			execution: null,
			validation: null,
			error: null,
			proposal: null,
			proposalStatus: null,
		};
		const push = (outcome: OptimizerOutcome, extra: Partial<OptimizerItem> = {}) => {
			const item = { ...base, route: ROUTE[outcome], ...extra, outcome };
			items.push({ ...item, text: itemText(item) });
		};

		if (d.decision === 'no_match') {
			push('no_match');
			continue;
		}
		if (d.decision === 'gated') {
			// a decision gated before it got a key (a conflict's loser) has no row of its own
			if (decisionToActionRow(d)) batch.push(rowOf(d, {}));
			summary.gatedStored++;
			const ok = outsideKey(d);
			if (ok !== null && !reported.has(ok)) {
				// first run to see this outside edit: Slack hears why the rule did not act (later runs store it only)
				batch.push({ ...rowOf(d, {}), idempotency_key: ok });
				const item = { ...base, outcome: 'gated' as const, route: 'alert' as const };
				items.push({ ...item, text: itemText(item) });
				continue;
			}
			push('gated');
			continue;
		}
		if (d.decision === 'propose') {
			const proposal = proposalOf(d) as ProposalInput;
			const status = queued.get(proposal.id) ?? null;
			batch.push(rowOf(d, { outcome: 'proposed', proposal_id: proposal.id }, dryRun ? ':dry-run' : ''));
			summary.proposed++;
			if (status === null) {
				proposals.push(proposal);
				summary.proposalsNew++;
			}
			push('proposed', { proposal, proposalStatus: status });
			continue;
		}

		// execute
		if (d.action?.type === 'notify') {
			summary.notified++;
			if (dryRun) {
				batch.push(rowOf(d, { outcome: 'dry_run' }, ':dry-run'));
				summary.dryRun++;
				push('dry_run', dryRunRoute(d));
			} else {
				// recorded as done: its key then gates the same notification for the rest of the local day
				const doneAt = clock().toISOString();
				await writeNow(rowOf(d, { outcome: 'executed', action_taken: true, executed_at: doneAt, action_details: details(d, { executedAt: doneAt }) }));
				summary.executed++;
				push('executed', { execution: { at: doneAt, response: null, attempts: 1 } });
			}
			continue;
		}
		const control = controlFor(deps.adapters, d.entity.platform);
		const record: ApplyRecord = async (tx, r) => {
			const live = liveRow(d, r);
			if (live) await writeNow(live.row, live.onConflict, tx);
		};
		let applied: ApplyResult;
		try {
			applied = await applyPlannedChange(plannedOf(d), { store, control, now: clock, dryRun, validateOnly: validateOnDryRun, maxAttempts, source: 'run', signal: deps.signal, claimedBy: by, record: dryRun ? undefined : record });
		} catch (error) {
			// a store failure mid-run: what was done so far is recorded; the rest is not attempted
			throw new Error(`optimizer run stopped at ${changeSubject(d.entity)} (rule "${d.ruleName}"): ${(error as Error).message}`, { cause: error });
		}
		const suffix = dryRun ? ':dry-run' : '';
		switch (applied.outcome) {
			case 'executed':
				summary.executed++;
				push('executed', { current: applied.current, execution: { at: applied.at, response: applied.response, attempts: applied.attempts } });
				break;
			case 'already_executed':
				summary.alreadyExecuted++;
				push('already_executed', { execution: { at: applied.at, response: applied.response, attempts: applied.attempts }, reasons: [...d.reasons, 'already executed (action ledger): nothing sent again'] });
				break;
			case 'dry_run':
				batch.push(rowOf(d, { outcome: 'dry_run', platform_response: applied.validation, action_details: details(d, { current: applied.current }) }, suffix));
				summary.dryRun++;
				push('dry_run', { current: applied.current, validation: applied.validation, ...dryRunRoute(d) });
				break;
			case 'refused':
				if (dryRun) batch.push(rowOf(d, { outcome: 'refused', error: applied.reason, action_details: details(d, { current: applied.current, attempts: applied.attempts }) }, suffix));
				summary.refused++;
				push('refused', { current: applied.current, reasons: [...d.reasons, applied.reason] });
				break;
			case 'failed':
				if (dryRun) batch.push(rowOf(d, { outcome: 'failed', error: applied.error.message, platform_response: toJson({ error: applied.error }), action_details: details(d, { attempts: applied.attempts, gaveUp: applied.gaveUp }) }, suffix));
				summary.failed++;
				push('failed', { error: applied.error, reasons: [...d.reasons, applied.error.message] });
				break;
			case 'unknown':
				summary.unknown++;
				push('unknown', { error: applied.error, reasons: [...d.reasons, applied.error.message] });
				break;
			case 'in_progress': {
				const reason = inProgressText(applied.by, applied.since);
				summary.inProgress++;
				push('in_progress', { reasons: [...d.reasons, reason] });
				break;
			}
		}
	}
	if (batch.length > 0) {
		const w = performance.now();
		// proposals keep the evidence they were queued with (first write wins, as in the queue); gated rows
		// are unique per instant anyway; dry-run rows show the latest dry run of the day
		const keep = batch.filter((r) => r.outcome === 'proposed' || r.outcome === 'gated');
		const latest = batch.filter((r) => r.outcome !== 'proposed' && r.outcome !== 'gated');
		if (keep.length > 0) await store.upsert('optimization_actions', keep, { onConflict: 'ignore' });
		if (latest.length > 0) await store.upsert('optimization_actions', latest, { onConflict: 'update' });
		writeMs += performance.now() - w;
	}
	const applyMs = performance.now() - t2 - writeMs;
	if (!dryRun) await store.setState(runMarkerKey(by), toJson({ status: 'finished', by, startedAt: new Date().toISOString() } satisfies RunMarker));

	return {
		at,
		dryRun,
		killSwitch: result.killSwitch,
		items,
		proposals,
		summary,
		accounts,
		warnings,
		stats: { runId, ruleRows: stored.rows, metricRows: metrics.length - (adRows ?? 0), signalRows: signals ? signals.length : null, adRows, actionRows, metricsFrom: req.metricsFrom, actionsFrom: req.actionsFrom, readMs, evaluateMs, applyMs, writeMs },
	};
}
