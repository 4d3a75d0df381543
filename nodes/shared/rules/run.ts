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
 * - `optimization_actions`: the changes confirmed since `actionsFrom`
 *   (cooldowns, the rolling 24 h cap, idempotency);
 * - `approvals`: whether this run's proposals are already queued.
 *
 * Then per decision:
 * - `execute` (live): ledger claim with the decision's idempotency key →
 *   re-read the campaign → refuse when it changed since the evaluation →
 *   apply → record the platform's answer (apply.ts); the row is written right
 *   after each change. `notify` decisions change nothing: they are recorded
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
import type { ProposalInput } from '../approvals/proposal';
import { hasCampaignControl, type CampaignState } from '../platforms/types';
import type { Json, RowInput } from '../schema/rows';
import type { Store, Where } from '../store/types';
import { applyPlannedChange, controlFor, CONTROLLED_PLATFORMS, errorInfo, type ApplyResult, type ControlledPlatform, type CurrentState, type ErrorInfo, type OptimizerAdapters, type PlannedChange } from './apply';
import { evaluate, historyRequirements, resultLeaves, toJson, type ActionRecord, type Decision, type EntityInput, type EvaluationSummary, type PlannedAction } from './evaluate';
import type { GateResult } from './gates';
import { buildMetricIndex, entityKey, type CommentSignalColumns, type MetricColumns } from './metrics';
import { parseRule, RuleValidationError, validateRules, type ValidationIssue } from './model';
import { actionDetails, actionRecordFromRow, decisionToActionRow, ruleInputFromRow } from './rows';

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
	/** Global kill switch: every decision is gated. */
	killSwitch?: boolean;
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
}

/**
 * What became of a decision: the migration's `optimization_actions.outcome`,
 * plus `already_executed` (the ledger had it: nothing sent again) and
 * `no_match` (only with `output: 'full'`).
 */
export type OptimizerOutcome = 'executed' | 'dry_run' | 'proposed' | 'gated' | 'refused' | 'failed' | 'in_progress' | 'already_executed' | 'no_match';

/** Where the node sends an item: Slack (`alert`), the approval queue (`approval`), nowhere (`stored`). */
export type OptimizerRoute = 'alert' | 'approval' | 'stored';

export interface OptimizerCondition {
	metric: string;
	window: string;
	op: string;
	value: number | null;
	min: number | null;
	max: number | null;
	compareTo: string | null;
	actual: number | null;
	baseline: number | null;
	compared: number | null;
	result: boolean | null;
	/** "cpa last 7 days (2025-06-04..2025-06-10) = 63.2 > 50 → met" */
	text: string;
}

export interface OptimizerItem {
	outcome: OptimizerOutcome;
	route: OptimizerRoute;
	decision: Decision['decision'];
	dryRun: boolean;
	rule: { id: string; name: string; priority: number };
	entity: { platform: string; accountId: string; campaignId: string; name: string | null };
	/** The planned change with its numbers (null for no_match). */
	action: PlannedAction | null;
	/** Every leaf of the rule's conditions with its value (the matched ones have `result: true`). */
	conditions: OptimizerCondition[];
	/** Every gate with its numbers. */
	gates: GateResult[];
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
	/** `signalRows`: `ad_comment_signals` rows read (null: no rule uses a comment metric, the table was not read). */
	stats: { ruleRows: number; metricRows: number; signalRows: number | null; actionRows: number; metricsFrom: string | null; actionsFrom: string; readMs: number; evaluateMs: number; applyMs: number; writeMs: number };
}

const METRIC_COLUMNS = ['date', 'platform', 'account_id', 'campaign_id', 'currency', 'spend', 'impressions', 'clicks', 'conversions', 'revenue', 'leads'] as const;
const SIGNAL_COLUMNS = ['date', 'platform', 'account_id', 'campaign_id', 'ad_id', 'comments', 'negative_comments', 'abusive_comments'] as const;
const ACTION_COLUMNS = ['idempotency_key', 'platform', 'account_id', 'campaign_id', 'action_type', 'action_details', 'action_taken', 'created_at', 'executed_at'] as const;
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
		text: l.text,
	}));
}

const ROUTE: Record<OptimizerOutcome, OptimizerRoute> = {
	executed: 'alert',
	dry_run: 'alert',
	refused: 'alert',
	failed: 'alert',
	in_progress: 'alert',
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
	in_progress: 'Not executed, another run holds it',
	already_executed: 'Already executed',
	proposed: 'Needs approval',
	gated: 'Gated',
	no_match: 'No match',
};

function itemText(item: Omit<OptimizerItem, 'text'>): string {
	const what = item.action?.summary ?? `${item.entity.platform} campaign ${item.entity.campaignId}`;
	const met = item.conditions.filter((c) => c.result === true).map((c) => c.text);
	const failedGates = item.gates.filter((g) => g.status === 'fail').map((g) => `${g.gate}: ${g.detail}`);
	const parts = [`${LEAD[item.outcome]}: ${what} — rule "${item.rule.name}" (priority ${item.rule.priority})`];
	if (met.length > 0) parts.push(`because ${met.join('; ')}`);
	if (item.outcome === 'gated' && failedGates.length > 0) parts.push(`gated by ${failedGates.join('; ')}`);
	if (item.outcome === 'refused' || item.outcome === 'in_progress') parts.push(item.reasons[item.reasons.length - 1] ?? '');
	if (item.outcome === 'failed' && item.error) parts.push(`${item.error.message}`);
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
		action: a.type,
		statusBefore: a.statusBefore,
		budgetBefore: a.budgetBefore,
		budgetAfter: a.budgetAfter,
		currency: a.currency,
		ruleId: d.ruleId,
		evaluatedAt: d.evaluation.at,
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
	history: ActionRecord[];
	actionRows: number;
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
	options: { actionsBefore?: string } = {},
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
	const listed = await Promise.all(
		wanted.map(async (w) => {
			const control = controlFor(deps.adapters, w.platform);
			try {
				return { w, list: await control.listCampaignStates(w.accountId, deps.signal), error: null };
			} catch (error) {
				return { w, list: null, error: errorInfo(error) };
			}
		}),
	);
	const accountIds = new Set<string>();
	for (const { w, list, error } of listed) {
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
	let actionRows = 0;
	const history: ActionRecord[] = [];
	if (accountIds.size > 0) {
		const where: Where<'campaign_performance'> = { platform: { in: platforms }, account_id: { in: [...accountIds] } };
		if (req.metricsFrom) where.date = { gte: req.metricsFrom };
		metrics = await store.selectColumnar('campaign_performance', METRIC_COLUMNS, { where });
		if (req.commentSignals) {
			const signalWhere: Where<'ad_comment_signals'> = { platform: { in: platforms }, account_id: { in: [...accountIds] } };
			if (req.metricsFrom) signalWhere.date = { gte: req.metricsFrom };
			signals = await store.selectColumnar('ad_comment_signals', SIGNAL_COLUMNS, { where: signalWhere });
		}
		const rows = await store.selectColumns('optimization_actions', ACTION_COLUMNS, { where: { action_taken: true, executed_at: { gte: req.actionsFrom, ...(options.actionsBefore ? { lt: options.actionsBefore } : {}) }, platform: { in: platforms } } });
		actionRows = rows.length;
		for (const row of rows) {
			const record = actionRecordFromRow(row);
			if (record) history.push(record);
		}
	}

	return { ruleInputs, stored, req, states, accounts, metrics, signals, history, actionRows };
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
	const settings = { ...evalSettings, now: at };
	const warnings: string[] = [];

	const t0 = performance.now();
	const { ruleInputs, stored, states, accounts, metrics, signals, history, actionRows, req } = await readRunInputs(input, settings, deps, warnings);
	const readMs = performance.now() - t0;

	// --- evaluate -----------------------------------------------------------------------------
	const t1 = performance.now();
	const result = evaluate({ rules: ruleInputs, entities: [...states.values()].map(entityOf), metrics: buildMetricIndex(metrics, signals), actions: history, settings });
	const evaluateMs = performance.now() - t1;
	for (const s of result.skippedEntities) warnings.push(`campaign ${s.entity.platform ?? '?'} ${s.entity.accountId ?? '?'} ${s.entity.campaignId ?? '?'} was not evaluated: ${s.reason}`);
	if (result.rejectedRows > 0) warnings.push(`${result.rejectedRows} campaign_performance rows could not be read (bad date or currency, negative or too large numbers) and were left out`);
	if (result.rejectedSignalRows > 0) warnings.push(`${result.rejectedSignalRows} ad_comment_signals rows could not be used (no campaign known for the ad, or impossible counts) and were left out of the comment metrics`);

	// --- proposals already queued (one read) --------------------------------------------------
	const proposalOf = (d: Decision): ProposalInput | null => (d.proposal ? (dryRun ? dryRunProposal(d.proposal) : d.proposal) : null);
	const proposalIds = result.decisions.map(proposalOf).filter((p): p is ProposalInput => p !== null).map((p) => p.id);
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
	const summary: OptimizerSummary = { ...result.summary, executed: 0, dryRun: 0, proposed: 0, proposalsNew: 0, gatedStored: 0, refused: 0, failed: 0, inProgress: 0, alreadyExecuted: 0, notified: 0 };

	/** The decision's row with the run's columns; `suffix` keeps dry-run rows apart from live ones. */
	const rowOf = (d: Decision, extra: Partial<RowInput<'optimization_actions'>>, suffix = ''): RowInput<'optimization_actions'> => {
		const base = decisionToActionRow(d) as RowInput<'optimization_actions'>;
		return { ...base, rule_id: stored.ids.has(d.ruleId) ? d.ruleId : null, dry_run: dryRun, ...extra, idempotency_key: `${base.idempotency_key}${suffix}` };
	};
	const writeNow = async (row: RowInput<'optimization_actions'>, onConflict: 'update' | 'ignore' = 'update') => {
		const w = performance.now();
		await store.upsert('optimization_actions', [row], { onConflict });
		writeMs += performance.now() - w;
	};
	const details = (d: Decision, extra: Record<string, unknown>): Json => toJson({ ...(actionDetails(d) as Record<string, Json>), ...extra });

	for (const d of result.decisions) {
		const base: Omit<OptimizerItem, 'text' | 'outcome' | 'route'> = {
			decision: d.decision,
			dryRun,
			rule: { id: d.ruleId, name: d.ruleName, priority: d.priority },
			entity: { platform: d.entity.platform, accountId: d.entity.accountId, campaignId: d.entity.campaignId, name: d.entity.name },
			action: d.action,
			conditions: conditionsOf(d),
			gates: d.gates,
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
			const item = { ...base, ...extra, outcome, route: ROUTE[outcome] };
			items.push({ ...item, text: itemText(item) });
		};

		if (d.decision === 'no_match') {
			push('no_match');
			continue;
		}
		if (d.decision === 'gated') {
			batch.push(rowOf(d, {}));
			summary.gatedStored++;
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
				push('dry_run');
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
		let applied: ApplyResult;
		try {
			applied = await applyPlannedChange(plannedOf(d), { store, control, now: clock, dryRun, validateOnly: validateOnDryRun, maxAttempts, source: 'run', signal: deps.signal });
		} catch (error) {
			// a store failure mid-run: what was done so far is recorded; the rest is not attempted
			throw new Error(`optimizer run stopped at ${d.entity.platform} campaign ${d.entity.campaignId} (rule "${d.ruleName}"): ${(error as Error).message}`, { cause: error });
		}
		const suffix = dryRun ? ':dry-run' : '';
		switch (applied.outcome) {
			case 'executed': {
				await writeNow(
					rowOf(d, {
						outcome: 'executed',
						action_taken: true,
						executed_at: applied.at,
						platform_response: applied.response,
						action_details: details(d, { executedAt: applied.at, attempts: applied.attempts }),
					}),
				);
				summary.executed++;
				push('executed', { current: applied.current, execution: { at: applied.at, response: applied.response, attempts: applied.attempts } });
				break;
			}
			case 'already_executed': {
				// the ledger has it but the history read did not (its row was never written): write it now
				await writeNow(rowOf(d, { outcome: 'executed', action_taken: true, executed_at: applied.at, platform_response: applied.response, action_details: details(d, { executedAt: applied.at, repaired: true }) }));
				summary.alreadyExecuted++;
				push('already_executed', { execution: { at: applied.at, response: applied.response, attempts: applied.attempts }, reasons: [...d.reasons, 'already executed (action ledger): nothing sent again'] });
				break;
			}
			case 'dry_run': {
				batch.push(rowOf(d, { outcome: 'dry_run', platform_response: applied.validation, action_details: details(d, { current: applied.current }) }, suffix));
				summary.dryRun++;
				push('dry_run', { current: applied.current, validation: applied.validation });
				break;
			}
			case 'refused': {
				const row = rowOf(d, { outcome: 'refused', error: applied.reason, action_details: details(d, { current: applied.current, attempts: applied.attempts }) }, suffix);
				if (dryRun) batch.push(row);
				else await writeNow(row);
				summary.refused++;
				push('refused', { current: applied.current, reasons: [...d.reasons, applied.reason] });
				break;
			}
			case 'failed': {
				const row = rowOf(d, { outcome: 'failed', error: applied.error.message, platform_response: toJson({ error: applied.error }), action_details: details(d, { attempts: applied.attempts, gaveUp: applied.gaveUp }) }, suffix);
				if (dryRun) batch.push(row);
				else await writeNow(row);
				summary.failed++;
				push('failed', { error: applied.error, reasons: [...d.reasons, applied.error.message] });
				break;
			}
			case 'in_progress': {
				const reason = `claimed in the action ledger at ${applied.since} (attempt ${applied.attempts}) and never completed: another run may still be applying it, or one stopped between the change and its record; not retried automatically — check the campaign on the platform, then resolve the ledger entry`;
				await writeNow(rowOf(d, { outcome: 'in_progress', error: reason }), 'ignore');
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

	return {
		at,
		dryRun,
		killSwitch: result.killSwitch,
		items,
		proposals,
		summary,
		accounts,
		warnings,
		stats: { ruleRows: stored.rows, metricRows: metrics.length, signalRows: signals ? signals.length : null, actionRows, metricsFrom: req.metricsFrom, actionsFrom: req.actionsFrom, readMs, evaluateMs, applyMs, writeMs },
	};
}

/** True when the adapters can serve a run for `platform` (for the node's parameter checks). */
export function canOptimize(adapters: OptimizerAdapters, platform: string): boolean {
	const a = adapters[platform as ControlledPlatform];
	return a !== undefined && hasCampaignControl(a);
}
