/**
 * The rule model's types and the lists they are made of (metrics, operators,
 * comparisons), and the error of unusable evaluation input. No schema here:
 * rules/model.ts parses rules and settings into these types (and re-exports
 * everything below). Its own file so the gates (gates/*), the window sums
 * (metrics.ts) and the scope matcher (scope.ts) can read the types without
 * importing model.ts, which imports the gates to build its settings schemas.
 */
import { ATTRIBUTION_RULE_METRICS, type AttributionRuleModel } from '../attribution/rule-metrics';
import { FIRST_PARTY_RULE_METRICS } from '../events/rule-metrics';
import { INSIGHT_RULE_METRICS } from '../insights/rule-metrics';
import { BASE_METRIC_FIELDS, DERIVED_METRIC_NAMES } from '../metrics';
import type { PLATFORMS } from '../schema/rows';
import type { ApprovalThreshold, ChangeMode, MinData } from './gates/settings';
import type { LeafWindow, ScheduleWindow } from './schema-parts';

// ---------------------------------------------------------------------------
// Metrics
// ---------------------------------------------------------------------------

/** Metrics stored per row of `campaign_performance`; additive over days (the metrics module's base metrics). */
export const BASE_METRICS = BASE_METRIC_FIELDS;
/** Ratios computed from a window's sums (never an average of daily ratios; the metrics module's derived metrics). */
export const DERIVED_METRICS = DERIVED_METRIC_NAMES;
/**
 * Comment counts of `ad_comment_signals` (the moderation run's per-ad daily
 * signal), summed over the campaign's ads per day; additive over days, 0 on
 * days without a signal row. `comments` leaves out spam and scams;
 * `negative_comments` have a negative sentiment; `abusive_comments` were
 * classified harassment/abuse or hate.
 */
export const COMMENT_COUNT_METRICS = ['comments', 'negative_comments', 'abusive_comments'] as const;
/** Shares of a window's comment sums (fractions: 0.2 = 20 %); undefined when the window has no comment. */
export const COMMENT_SHARE_METRICS = ['negative_comment_share', 'abusive_comment_share'] as const;
/** Every metric read from the comment signal. */
export const COMMENT_SIGNAL_METRICS = [...COMMENT_COUNT_METRICS, ...COMMENT_SHARE_METRICS] as const;
/**
 * AdOps Insights' findings (nodes/shared/insights/rule-metrics.ts, read in one
 * batch when a rule uses them): `anomaly_score` (the largest stored anomaly
 * dated in the window, signed: spikes +, drops −; 0 when none),
 * `anomaly_direction` (+1, −1, 0), `pacing_ratio` and `forecast_month_spend`
 * (as of the last complete day, whatever the window). Not window sums: no
 * `compareTo`. Listed once, as INSIGHT_RULE_METRICS there (not to be confused
 * with insights/series.ts's INSIGHT_METRICS, the metrics the anomaly scan reads).
 */
/**
 * Attribution results (nodes/shared/attribution/rule-metrics.ts, read in one
 * batch when a rule uses them): `attributed_conversions`,
 * `attributed_revenue` (sums over the window of `attributed_conversions`
 * under the condition's `model`, default markov) and `attributed_roas`
 * (attributed revenue / the campaign's spend over the same window; null
 * without spend or in another currency). null without any attributed row in
 * the window (the decision is gated for missing data, never read as 0). Not window
 * sums: with `compareTo` a leaf is unknown (as an insight's); level `campaign` only. Listed once, as ATTRIBUTION_RULE_METRICS there.
 */
/**
 * First-party counts (nodes/shared/events/rule-metrics.ts, read from
 * `marketing_events` in one batch when a rule uses them):
 * `first_party_conversions` (lead and purchase events of the campaign),
 * `first_party_revenue` (their value in the campaign's currency; other
 * currencies left out, and said so) and `first_party_roas` (that revenue /
 * the campaign's spend over the same window). Windows: `today` (the account's
 * day so far), `last_hour` (not for roas: spend is stored per day),
 * `yesterday`, `last_N_days`; not lifetime. null without any first-party
 * event of the campaign in the window (the decision is gated for missing
 * data, never read as 0). Not window sums: with `compareTo` a leaf is
 * unknown; level `campaign` only. Listed once, as FIRST_PARTY_RULE_METRICS there.
 */
export const METRICS = [...BASE_METRICS, ...DERIVED_METRICS, ...COMMENT_SIGNAL_METRICS, ...INSIGHT_RULE_METRICS, ...ATTRIBUTION_RULE_METRICS, ...FIRST_PARTY_RULE_METRICS] as const;
export type BaseMetric = (typeof BASE_METRICS)[number];
export type DerivedMetric = (typeof DERIVED_METRICS)[number];
export type CommentCountMetric = (typeof COMMENT_COUNT_METRICS)[number];
export type CommentShareMetric = (typeof COMMENT_SHARE_METRICS)[number];
export type CommentSignalMetric = (typeof COMMENT_SIGNAL_METRICS)[number];
export type Metric = (typeof METRICS)[number];
/** Metrics expressed in money of the metric rows' currency. */
export const MONEY_METRICS: ReadonlySet<Metric> = new Set<Metric>(['spend', 'revenue', 'cpc', 'cpa', 'cpl', 'first_party_revenue']);

// ---------------------------------------------------------------------------
// Conditions
// ---------------------------------------------------------------------------

/**
 * `=` and `!=` (also written `≠`) compare within a tolerance: `tolerance` when
 * given (absolute, in the metric's unit or percent with compareTo), else half a
 * minor unit of the metric rows' currency for money metrics (0.005 USD, 0.5
 * JPY) and a relative 1e-9 for the others.
 */
export const OPS = ['>', '>=', '<', '<=', 'between', '=', '!='] as const;
export type Op = (typeof OPS)[number];

/**
 * What a leaf compares with its threshold:
 * - absent: the metric's value over the window;
 * - `previous_window`: the percent change of the value against the previous
 *   window of the same length (last 7 days vs the 7 days before; today vs
 *   yesterday; not allowed with `lifetime`);
 * - `account_average`: the percent change against the account's average over
 *   the same window (additive metrics: account total / campaigns with data in
 *   the window; derived metrics: the account's pooled ratio of sums).
 *
 * With `compareTo`, `value`/`min`/`max` are percents: `{ metric: 'cpa',
 * compareTo: 'previous_window', op: '>', value: 30 }` = CPA rose by more than 30 %.
 */
export const COMPARE_TO = ['previous_window', 'account_average'] as const;
export type CompareTo = (typeof COMPARE_TO)[number];

/**
 * A leaf condition. A value that cannot be computed (CPA with 0 conversions,
 * a change against a baseline of 0) is *undefined*: the leaf is unknown and
 * the tree uses three-valued logic (AND: false wins, then unknown; OR: true
 * wins, then unknown). A rule whose tree is unknown does not match.
 * `ifUndefined: 'match'` makes an undefined value count as met instead — for
 * "CPA above target, or no conversions at all".
 */
export interface LeafCondition {
	metric: Metric;
	/** `last_hour` with first-party metrics only (model.ts). */
	window: LeafWindow;
	op: Op;
	/** Threshold for >, >=, <, <= (a percent with `compareTo`). */
	value?: number;
	/** Inclusive bounds for `between`. */
	min?: number;
	max?: number;
	/** For `=` and `!=`: how far apart still counts as equal (see OPS). */
	tolerance?: number;
	compareTo?: CompareTo;
	ifUndefined: 'no_match' | 'match';
	/** Attribution metrics only: the attribution model whose credit is read (default `markov`). */
	model?: AttributionRuleModel;
}

export interface AllCondition {
	all: Condition[];
}
export interface AnyCondition {
	any: Condition[];
}
export type Condition = LeafCondition | AllCondition | AnyCondition;

// ---------------------------------------------------------------------------
// Actions
// ---------------------------------------------------------------------------

export type Action =
	| { type: 'pause' }
	| { type: 'enable' }
	| { type: 'scale_budget'; percent: number }
	/** `amount` in the entity's budget currency; with `currency`, entities budgeting in another currency are gated. */
	| { type: 'set_budget'; amount: number; currency?: string }
	| { type: 'notify'; message?: string };

// ---------------------------------------------------------------------------
// Scope
// ---------------------------------------------------------------------------

export type NamePattern = { glob: string; caseSensitive: boolean } | { regex: string; caseSensitive: boolean };

/**
 * Which entities a rule looks at. Every given criterion must hold (AND);
 * within a list any element may match (OR). Omitted = no restriction.
 * `labels`: the entity has at least one of them; `excludeLabels`: none of them.
 */
export interface Scope {
	platforms?: Array<(typeof PLATFORMS)[number]>;
	accountIds?: string[];
	campaignIds?: string[];
	currencies?: string[];
	name?: NamePattern;
	labels?: string[];
	excludeLabels?: string[];
}

// ---------------------------------------------------------------------------
// Gate configuration
// ---------------------------------------------------------------------------

/**
 * The operator's gate configuration (settings.gates, the node's options): the
 * node-level settings of every registered gate (gates/index.ts), each with its
 * default. The keys below are those of the gates the package ships; a gate
 * added later brings its own (read it through its check's `own` settings).
 */
export interface GateConfig {
	minData: MinData;
	/** Learning period: minimum age of the entity (from `createdAt`) in days. */
	minEntityAgeDays: number;
	/** Allowed windows; empty = always. */
	schedule: ScheduleWindow[];
	/** Minimum hours between two changes of one entity (by any rule, or outside the package). */
	cooldownHours: number;
	/** Largest budget change of one action, percent of the current budget. */
	maxChangePct: number;
	/** Within any rolling 24 h a budget stays within ± this percent of its value at the start of the 24 h. */
	maxDailyChangePct: number;
	/** `clamp`: shrink a larger change to the cap (default); `fail`: gate the action. */
	changeMode: ChangeMode;
	/** Absolute budget bounds in the entity's budget currency (null = none). */
	budgetFloor: number | null;
	budgetCeiling: number | null;
	/** Never raise a budget once the campaign spent more than this today (null = no limit). */
	maxDailySpend: number | null;
	approval: ApprovalThreshold;
}

/**
 * A rule's own gate settings (the rule-level settings of every registered
 * gate). They only tighten the operator's: minimums and cooldown by the larger
 * value, caps and approval thresholds by the smaller, schedules intersect.
 */
export interface RuleGates {
	minData?: MinData;
	minEntityAgeDays?: number;
	schedule?: ScheduleWindow[];
	cooldownHours?: number;
	maxChangePct?: number;
	maxDailyChangePct?: number;
	maxDailySpend?: number;
	approvalPercent?: number;
	approvalAmount?: number;
}

/** Per-currency replacements of the money gates (the base values are meaningless across JPY and USD). */
export interface CurrencyGates {
	budgetFloor?: number | null;
	budgetCeiling?: number | null;
	approvalAmount?: number | null;
	minSpend?: number | null;
	maxDailySpend?: number | null;
}

// ---------------------------------------------------------------------------
// Rule
// ---------------------------------------------------------------------------

/**
 * What a rule acts on: `campaign` (the default; metrics from
 * `campaign_performance`) or `ad` (one ad — Meta ad, Google Ads ad group ad,
 * LinkedIn creative —, metrics from `ad_performance` with the same windows,
 * actions pause / enable / notify only).
 */
export const RULE_LEVELS = ['campaign', 'ad'] as const;
export type RuleLevel = (typeof RULE_LEVELS)[number];

export interface Rule {
	id: string;
	name: string;
	description: string | null;
	/** Lower number = higher priority (as in `optimization_rules.priority`, default 100). */
	priority: number;
	enabled: boolean;
	/** The entities the rule looks at (default `campaign`). */
	level: RuleLevel;
	scope: Scope;
	conditions: Condition;
	action: Action;
	gates: RuleGates;
	/** Every change of this rule goes to the approval queue. */
	requireApproval: boolean;
}

// ---------------------------------------------------------------------------
// Settings of one evaluation
// ---------------------------------------------------------------------------

export interface Settings {
	/** Evaluation instant, epoch ms (required: the core never reads the clock). */
	nowMs: number;
	/** Global kill switch: every decision is gated, nothing executes or is proposed. */
	killSwitch: boolean;
	/** Why it is on (the stored switch: who, when, why), for the gate's detail. */
	killSwitchReason?: string;
	/** Changes (executed or proposed) one evaluation may plan. */
	maxActionsPerRun: number;
	gates: GateConfig;
	/** Money gates per budget currency; a given key replaces the base value for that currency. */
	currencies: Record<string, CurrencyGates>;
	/**
	 * `actionable` (default): execute, propose and gated decisions are listed,
	 * no_match ones only counted; `full`: every in-scope entity × rule with its
	 * condition values (for explaining why a rule did not fire; large).
	 */
	output: 'full' | 'actionable';
	/** List out-of-scope entity × rule pairs as no_match too (large). */
	includeOutOfScope: boolean;
}

// ---------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------

/** Thrown for unusable evaluation input (duplicate entities or metric rows). */
export class RulesInputError extends Error {
	constructor(message: string) {
		super(message);
		this.name = 'RulesInputError';
	}
}
