/**
 * The rule model: what a rule looks at (scope), when it fires (a nested
 * AND/OR tree of metric conditions over windows), what it does (one action)
 * and how the gates around it are configured.
 *
 * Rules arrive as JSON (the `optimization_rules` table, the node's JSON
 * parameter) and are parsed here once; every error names its path
 * (`rules[2].conditions.all[1].value: required for op ">"`), so a marketing
 * ops person can fix the JSON without reading zod output.
 *
 * Units and meanings:
 * - `ctr` is a fraction (clicks / impressions, 0.02 = 2 %), `roas` a ratio
 *   (revenue / spend), and so are the comment shares
 *   (`abusive_comment_share` 0.2 = 20 % of the window's comments); comment
 *   counts are numbers of comments; money thresholds (spend, revenue, cpc, cpa, cpl) are
 *   in the currency of the entity's metric rows (`campaign_performance.currency`).
 *   Scope a rule with `scope.currencies` when accounts report in different currencies.
 * - `percent` values are percent (20 = 20 %), never fractions.
 * - Budget amounts (set_budget, floors, ceilings, approval amount) are major
 *   units of the entity's budget currency (`EntityInput.currency`).
 *
 * Gate configuration comes from two places: the run's settings (the
 * operator's limits) and the rule (`rule.gates`). A rule can only make a gate
 * stricter, never looser: numbers merge by the stricter of the two and
 * schedules intersect (see `resolveGates` in gates.ts).
 */
import { z } from 'zod';
import { PLATFORMS, currencyCode } from '../schema/rows';
import { linearRegexRefusal } from './scope';
import { finite, leafWindowSchema } from './schema-parts';
import { GATE_SETTING_SHAPES } from './gates/index';
import { ATTRIBUTION_RULE_METRICS, ATTRIBUTION_RULE_MODELS } from '../attribution/rule-metrics';
import { FIRST_PARTY_RULE_METRICS } from '../events/rule-metrics';
import { INSIGHT_RULE_METRICS } from '../insights/rule-metrics';
import {
	COMPARE_TO,
	METRICS,
	OPS,
	RULE_LEVELS,
	type Action,
	type AllCondition,
	type AnyCondition,
	type Condition,
	type CurrencyGates,
	type GateConfig,
	type LeafCondition,
	type NamePattern,
	type Op,
	type Rule,
	type RuleGates,
	type Scope,
	type Settings,
} from './rule-types';

// The types, metric lists and operators (their own file, so gates/, metrics.ts and scope.ts need not import this one).
export * from './rule-types';

// ---------------------------------------------------------------------------
// Windows
// ---------------------------------------------------------------------------

export { MAX_WINDOW_DAYS, leafWindowSchema, windowSchema, type LeafWindow, type Window } from './schema-parts';

// ---------------------------------------------------------------------------
// Conditions
// ---------------------------------------------------------------------------

const OP_ALIASES: Readonly<Record<string, Op>> = {
	gt: '>',
	gte: '>=',
	'≥': '>=',
	'=>': '>=',
	lt: '<',
	lte: '<=',
	'≤': '<=',
	'=<': '<=',
	eq: '=',
	'==': '=',
	ne: '!=',
	neq: '!=',
	'≠': '!=',
	'<>': '!=',
};

export const MAX_CONDITION_DEPTH = 6;
export const MAX_CONDITION_LEAVES = 50;


const leafSchema = z
	.object({
		metric: z.enum(METRICS),
		window: leafWindowSchema,
		op: z.preprocess((v) => (typeof v === 'string' ? (OP_ALIASES[v.trim().toLowerCase()] ?? v.trim()) : v), z.enum(OPS)),
		value: finite.optional(),
		min: finite.optional(),
		max: finite.optional(),
		tolerance: finite.min(0, 'must be at least 0').optional(),
		compareTo: z.enum(COMPARE_TO).optional(),
		ifUndefined: z.enum(['no_match', 'match']).default('no_match'),
		model: z.enum(ATTRIBUTION_RULE_MODELS).optional(),
	})
	.strict()
	.superRefine((leaf, ctx) => {
		const attributed = (ATTRIBUTION_RULE_METRICS as readonly string[]).includes(leaf.metric);
		if (leaf.model !== undefined && !attributed) ctx.addIssue({ code: 'custom', path: ['model'], message: `only used with ${ATTRIBUTION_RULE_METRICS.join(', ')}` });
		const firstParty = (FIRST_PARTY_RULE_METRICS as readonly string[]).includes(leaf.metric);
		if (leaf.window.kind === 'last_hour') {
			if (!firstParty) ctx.addIssue({ code: 'custom', path: ['window'], message: `"last_hour" is only known for first_party_conversions and first_party_revenue (events have a time; ${leaf.metric} is stored per day)` });
			else if (leaf.metric === 'first_party_roas') ctx.addIssue({ code: 'custom', path: ['window'], message: 'first_party_roas has no "last_hour": spend is stored per day, so the last hour has no spend to divide by (use today)' });
			if (leaf.compareTo !== undefined) ctx.addIssue({ code: 'custom', path: ['compareTo'], message: 'not available over "last_hour"' });
		}
		if (firstParty && leaf.window.kind === 'lifetime') ctx.addIssue({ code: 'custom', path: ['window'], message: `${leaf.metric} counts stored events: use today, last_hour, yesterday or last_N_days (up to 365), not lifetime` });
		if (leaf.op === 'between') {
			if (leaf.min === undefined) ctx.addIssue({ code: 'custom', path: ['min'], message: 'required for op "between"' });
			if (leaf.max === undefined) ctx.addIssue({ code: 'custom', path: ['max'], message: 'required for op "between"' });
			if (leaf.min !== undefined && leaf.max !== undefined && leaf.min > leaf.max) ctx.addIssue({ code: 'custom', path: ['min'], message: `must not exceed max (${leaf.max})` });
			if (leaf.value !== undefined) ctx.addIssue({ code: 'custom', path: ['value'], message: 'not used with op "between" (give min and max)' });
		} else {
			if (leaf.value === undefined) ctx.addIssue({ code: 'custom', path: ['value'], message: `required for op "${leaf.op}"` });
			if (leaf.min !== undefined || leaf.max !== undefined) ctx.addIssue({ code: 'custom', path: [leaf.min !== undefined ? 'min' : 'max'], message: `only used with op "between"` });
		}
		if (leaf.tolerance !== undefined && leaf.op !== '=' && leaf.op !== '!=') ctx.addIssue({ code: 'custom', path: ['tolerance'], message: 'only used with op "=" or "!="' });
		if (leaf.compareTo === 'previous_window' && leaf.window.kind === 'lifetime') {
			ctx.addIssue({ code: 'custom', path: ['compareTo'], message: 'a lifetime window has no previous window' });
		}
	});

// Each group's object schema is built once, on the first parse (zod 3's z.lazy calls its getter on every parse).
let allObject: z.ZodType<AllCondition, z.ZodTypeDef, unknown> | undefined;
let anyObject: z.ZodType<AnyCondition, z.ZodTypeDef, unknown> | undefined;
const groupAll: z.ZodType<AllCondition, z.ZodTypeDef, unknown> = z.lazy(
	() => (allObject ??= z.object({ all: z.array(conditionSchema).min(1, 'needs at least one condition') }).strict()),
);
const groupAny: z.ZodType<AnyCondition, z.ZodTypeDef, unknown> = z.lazy(
	() => (anyObject ??= z.object({ any: z.array(conditionSchema).min(1, 'needs at least one condition') }).strict()),
);

/** Nesting the schema parses before the rule's depth limit is applied; deeper input is refused unparsed. */
const CONDITION_PARSE_DEPTH = 32;

/** Depth of an unparsed condition tree (`all`/`any` arrays of objects), without recursion. */
function rawConditionDepth(value: unknown): number {
	let max = 0;
	const stack: Array<[unknown, number]> = [[value, 1]];
	while (stack.length > 0) {
		const [node, depth] = stack.pop() as [unknown, number];
		if (depth > max) max = depth;
		if (node === null || typeof node !== 'object') continue;
		for (const key of ['all', 'any'] as const) {
			const list = (node as Record<string, unknown>)[key];
			if (Array.isArray(list)) for (const child of list) if (child !== null && typeof child === 'object') stack.push([child, depth + 1]);
		}
	}
	return max;
}

/**
 * A condition: `{ all: [...] }`, `{ any: [...] }` or a leaf. The shape is
 * chosen by its keys first, so an error points into the branch that was meant
 * rather than reporting "invalid input" for a union.
 */
export const conditionSchema: z.ZodType<Condition, z.ZodTypeDef, unknown> = z.unknown().transform((value, ctx): Condition => {
	if (value === null || typeof value !== 'object' || Array.isArray(value)) {
		ctx.addIssue({ code: 'custom', message: 'must be a condition: { all: [...] }, { any: [...] } or { metric, window, op, value }' });
		return z.NEVER;
	}
	const depth = rawConditionDepth(value);
	if (depth > CONDITION_PARSE_DEPTH) {
		// checked before parsing: the schema recurses per level, and JSON nested thousands deep would overflow the stack
		ctx.addIssue({ code: 'custom', message: `nests ${depth} levels deep; at most ${MAX_CONDITION_DEPTH}` });
		return z.NEVER;
	}
	const hasAll = 'all' in value;
	const hasAny = 'any' in value;
	if (hasAll && hasAny) {
		ctx.addIssue({ code: 'custom', message: 'use either "all" or "any" in one condition, not both' });
		return z.NEVER;
	}
	const schema: z.ZodType<Condition, z.ZodTypeDef, unknown> = hasAll ? groupAll : hasAny ? groupAny : (leafSchema as z.ZodType<LeafCondition, z.ZodTypeDef, unknown>);
	const parsed = schema.safeParse(value);
	if (parsed.success) return parsed.data;
	for (const issue of parsed.error.issues) ctx.addIssue(issue as z.IssueData);
	return z.NEVER;
});

export function isLeaf(c: Condition): c is LeafCondition {
	return 'metric' in c;
}

function children(c: Condition): Condition[] {
	const list = 'all' in c ? c.all : 'any' in c ? c.any : [];
	return Array.isArray(list) ? list.filter((x) => x !== null && typeof x === 'object') : [];
}

/** Leaves in tree order (depth first, left to right). */
export function conditionLeaves(c: Condition): LeafCondition[] {
	const out: LeafCondition[] = [];
	const walk = (n: Condition) => {
		if (isLeaf(n)) out.push(n);
		else for (const child of children(n)) walk(child);
	};
	walk(c);
	return out;
}

// Also runs on partly invalid trees (zod refines a rule whose conditions had issues), so it only trusts objects.
function conditionDepth(c: Condition): number {
	if (isLeaf(c)) return 1;
	return 1 + Math.max(0, ...children(c).map(conditionDepth));
}

// ---------------------------------------------------------------------------
// Actions
// ---------------------------------------------------------------------------

export { ACTION_TYPES, CHANGE_ACTIONS, BUDGET_ACTIONS, type ActionType } from './action-types';

/** Smallest and largest `scale_budget.percent`. */
export const MIN_SCALE_PERCENT = -90;
export const MAX_SCALE_PERCENT = 1000;

export const actionSchema: z.ZodType<Action, z.ZodTypeDef, unknown> = z.discriminatedUnion('type', [
	z.object({ type: z.literal('pause') }).strict(),
	z.object({ type: z.literal('enable') }).strict(),
	z
		.object({
			type: z.literal('scale_budget'),
			percent: finite
				.min(MIN_SCALE_PERCENT, `must be at least ${MIN_SCALE_PERCENT} (use pause to stop spend)`)
				.max(MAX_SCALE_PERCENT)
				.refine((p) => p !== 0, 'must not be 0'),
		})
		.strict(),
	z.object({ type: z.literal('set_budget'), amount: finite.positive('must be greater than 0'), currency: currencyCode.optional() }).strict(),
	z.object({ type: z.literal('notify'), message: z.string().trim().min(1).max(500).optional() }).strict(),
]);

// ---------------------------------------------------------------------------
// Scope
// ---------------------------------------------------------------------------

/**
 * Longest name pattern (glob or regex source), in characters. With names cut
 * to 1,024 characters and a linear-time matcher, a pattern's cost on one name
 * is bounded by pattern length × name length.
 */
export const MAX_PATTERN_LENGTH = 200;

/**
 * Why a regular expression is refused as a name pattern, or null when it can
 * run. Patterns run on RE2 (linear time in the name, whatever the nesting of
 * quantifiers), so what is refused is: more than MAX_PATTERN_LENGTH
 * characters, invalid JavaScript syntax (`u` flag), and what RE2 cannot run in
 * linear time: backreferences, lookahead and lookbehind (and the rare
 * constructs RE2 lacks, e.g. a repeat count above 1,000).
 */
export function unsafeRegexReason(source: string): string | null {
	if (source.length > MAX_PATTERN_LENGTH) return `must be at most ${MAX_PATTERN_LENGTH} characters (it has ${source.length})`;
	try {
		new RegExp(source, 'u');
	} catch (error) {
		return `is not a valid regular expression (${(error as Error).message})`;
	}
	return linearRegexRefusal(source);
}

const namePatternSchema: z.ZodType<NamePattern, z.ZodTypeDef, unknown> = z
	.object({
		glob: z.string().min(1, 'must not be empty').max(MAX_PATTERN_LENGTH, `must be at most ${MAX_PATTERN_LENGTH} characters`).optional(),
		regex: z.string().min(1, 'must not be empty').max(MAX_PATTERN_LENGTH, `must be at most ${MAX_PATTERN_LENGTH} characters`).optional(),
		caseSensitive: z.boolean().default(false),
	})
	.strict()
	.superRefine((p, ctx) => {
		if ((p.glob === undefined) === (p.regex === undefined)) ctx.addIssue({ code: 'custom', message: 'give exactly one of "glob" or "regex"' });
		if (p.regex !== undefined && p.regex.length <= MAX_PATTERN_LENGTH) {
			const reason = unsafeRegexReason(p.regex);
			if (reason) ctx.addIssue({ code: 'custom', path: ['regex'], message: `the name pattern /${p.regex.length > 60 ? `${p.regex.slice(0, 60)}…` : p.regex}/ is refused: it ${reason}` });
		}
	})
	.transform((p): NamePattern => (p.glob !== undefined ? { glob: p.glob, caseSensitive: p.caseSensitive } : { regex: p.regex as string, caseSensitive: p.caseSensitive }));

const idList = z.array(z.string().trim().min(1, 'must not be empty').max(200)).min(1, 'must not be empty (omit it to match all)').max(10_000);

export const scopeSchema: z.ZodType<Scope, z.ZodTypeDef, unknown> = z
	.object({
		platforms: z.array(z.enum(PLATFORMS)).min(1, 'must not be empty (omit it to match all)').optional(),
		accountIds: idList.optional(),
		campaignIds: idList.optional(),
		currencies: z.array(currencyCode).min(1, 'must not be empty (omit it to match all)').optional(),
		name: namePatternSchema.optional(),
		labels: idList.optional(),
		excludeLabels: idList.optional(),
	})
	.strict();

// ---------------------------------------------------------------------------
// Gate configuration
// ---------------------------------------------------------------------------

export { WEEKDAYS, scheduleWindowSchema, type Weekday, type ScheduleWindow } from './schema-parts';
export { minDataSchema } from './gates/data-volume';
export { CHANGE_MODES, type ChangeMode, type MinData, type ApprovalThreshold } from './gates/settings';

/** Defaults of every gate (what an empty `settings.gates` means). */
export const DEFAULT_GATES: Readonly<GateConfig> = Object.freeze({
	minData: {},
	minEntityAgeDays: 0,
	schedule: [],
	cooldownHours: 24,
	maxChangePct: 25,
	maxDailyChangePct: 50,
	changeMode: 'clamp',
	budgetFloor: null,
	budgetCeiling: null,
	maxDailySpend: null,
	approval: { percent: null, amount: null, actions: [] },
});

export const gateConfigSchema: z.ZodType<GateConfig, z.ZodTypeDef, unknown> = z
	.object(GATE_SETTING_SHAPES.node)
	.strict()
	.superRefine((g, ctx) => {
		const floor = g.budgetFloor as number | null;
		const ceiling = g.budgetCeiling as number | null;
		if (floor !== null && ceiling !== null && floor > ceiling) {
			ctx.addIssue({ code: 'custom', path: ['budgetFloor'], message: `must not exceed budgetCeiling (${ceiling})` });
		}
	}) as unknown as z.ZodType<GateConfig, z.ZodTypeDef, unknown>;

export const ruleGatesSchema: z.ZodType<RuleGates, z.ZodTypeDef, unknown> = z.object(GATE_SETTING_SHAPES.rule).strict() as unknown as z.ZodType<RuleGates, z.ZodTypeDef, unknown>;

const currencyGatesSchema: z.ZodType<CurrencyGates, z.ZodTypeDef, unknown> = z.object(GATE_SETTING_SHAPES.currency).strict() as unknown as z.ZodType<CurrencyGates, z.ZodTypeDef, unknown>;

// ---------------------------------------------------------------------------
// Rule
// ---------------------------------------------------------------------------

/** Rule ids end up in idempotency keys, proposal evidence and ledger rows. */
export const ruleIdSchema = z
	.string()
	.trim()
	.min(1, 'must not be empty')
	.max(100)
	.regex(/^[A-Za-z0-9][A-Za-z0-9._:-]*$/, 'may hold letters, digits and . _ : - only');

/** Actions an ad-level rule may take (an ad has no budget of its own here). */
export const AD_LEVEL_ACTIONS: ReadonlySet<Action['type']> = new Set<Action['type']>(['pause', 'enable', 'notify']);
/** `{ type: 'pause_ad' }` / `{ type: 'enable_ad' }`: shorthands of `level: 'ad'` with pause / enable. */
const AD_ACTION_ALIASES: Readonly<Record<string, 'pause' | 'enable'>> = { pause_ad: 'pause', enable_ad: 'enable' };

function adActionShorthand(value: unknown): unknown {
	if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
	const rule = value as Record<string, unknown>;
	const action = rule.action as Record<string, unknown> | undefined;
	const alias = action && typeof action === 'object' && typeof action.type === 'string' ? AD_ACTION_ALIASES[action.type] : undefined;
	if (!alias || !action) return value;
	// an explicit other level is reported by the refinement below (the alias says "ad")
	return { ...rule, level: rule.level ?? 'ad', action: { ...action, type: alias }, [ALIAS_MARK]: action.type };
}
const ALIAS_MARK = '__adActionAlias';

const ruleObject = z
	.object({
		id: ruleIdSchema,
		name: z.string().trim().min(1, 'must not be empty').max(200),
		description: z.string().trim().max(2000).nullable().default(null),
		priority: z.number().int('must be a whole number').min(0).max(1_000_000).default(100),
		enabled: z.boolean().default(true),
		level: z.enum(RULE_LEVELS).default('campaign'),
		scope: scopeSchema.default({}),
		conditions: conditionSchema,
		action: actionSchema,
		gates: ruleGatesSchema.default({}),
		requireApproval: z.boolean().default(false),
		[ALIAS_MARK]: z.string().optional(),
	})
	.strict()
	.superRefine((rule, ctx) => {
		const alias = rule[ALIAS_MARK];
		if (alias !== undefined && rule.level !== 'ad') ctx.addIssue({ code: 'custom', path: ['level'], message: `must be "ad" with action "${alias}" (or omitted)` });
		if (rule.level === 'ad' && rule.action && !AD_LEVEL_ACTIONS.has(rule.action.type)) {
			ctx.addIssue({ code: 'custom', path: ['action', 'type'], message: `"${rule.action.type}" is not an ad-level action: a rule with level "ad" may pause, enable or notify (an ad has no budget of its own here)` });
		}
		if (!rule.conditions || typeof rule.conditions !== 'object') return;
		const depth = conditionDepth(rule.conditions);
		if (depth > MAX_CONDITION_DEPTH) ctx.addIssue({ code: 'custom', path: ['conditions'], message: `nests ${depth} levels deep; at most ${MAX_CONDITION_DEPTH}` });
		const leaves = conditionLeaves(rule.conditions).length;
		if (leaves > MAX_CONDITION_LEAVES) ctx.addIssue({ code: 'custom', path: ['conditions'], message: `has ${leaves} conditions; at most ${MAX_CONDITION_LEAVES}` });
		if (rule.level === 'ad') {
			const insight = conditionLeaves(rule.conditions).find((l) => (INSIGHT_RULE_METRICS as readonly string[]).includes(l.metric));
			if (insight) ctx.addIssue({ code: 'custom', path: ['conditions'], message: `${insight.metric} is a campaign finding of AdOps Insights: not available on level "ad"` });
			const attributed = conditionLeaves(rule.conditions).find((l) => (ATTRIBUTION_RULE_METRICS as readonly string[]).includes(l.metric));
			if (attributed) ctx.addIssue({ code: 'custom', path: ['conditions'], message: `${attributed.metric} is credited per campaign by attribution: not available on level "ad"` });
			const firstParty = conditionLeaves(rule.conditions).find((l) => (FIRST_PARTY_RULE_METRICS as readonly string[]).includes(l.metric));
			if (firstParty) ctx.addIssue({ code: 'custom', path: ['conditions'], message: `${firstParty.metric} counts first-party events per campaign: not available on level "ad"` });
		}
	});

export const ruleSchema: z.ZodType<Rule, z.ZodTypeDef, unknown> = z.preprocess(
	adActionShorthand,
	ruleObject.transform(({ [ALIAS_MARK]: _alias, ...rule }) => rule as Rule),
) as z.ZodType<Rule, z.ZodTypeDef, unknown>;

/** A rule as JSON (what `parseRule` accepts). */
export type RuleInput = Omit<z.input<typeof ruleObject>, typeof ALIAS_MARK> | Record<string, unknown>;

// ---------------------------------------------------------------------------
// Settings of one evaluation
// ---------------------------------------------------------------------------

const ISO_WITH_ZONE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

export const settingsSchema: z.ZodType<Settings, z.ZodTypeDef, unknown> = z
	.object({
		now: z.unknown().transform((v, ctx): number => {
			const ms = v instanceof Date ? v.getTime() : typeof v === 'number' && Number.isInteger(v) && v >= 0 ? v : typeof v === 'string' && ISO_WITH_ZONE.test(v) ? Date.parse(v) : Number.NaN;
			if (Number.isFinite(ms)) return ms;
			ctx.addIssue({ code: 'custom', message: v === undefined ? 'is required' : 'must be an ISO-8601 timestamp with time zone (…Z or …+02:00), a Date or epoch milliseconds' });
			return z.NEVER;
		}),
		killSwitch: z.boolean().default(false),
		/** Why the kill switch is on, for the gate's detail (the stored switch's words). */
		killSwitchReason: z.string().optional(),
		maxActionsPerRun: z.number().int('must be a whole number').min(0).max(1_000_000).default(100),
		gates: gateConfigSchema.default({}),
		currencies: z.record(currencyCode, currencyGatesSchema).default({}),
		output: z.enum(['full', 'actionable']).default('actionable'),
		includeOutOfScope: z.boolean().default(false),
	})
	.strict()
	.transform(({ now, ...rest }) => ({ nowMs: now, ...rest }));

export type SettingsInput = z.input<typeof settingsSchema>;

// ---------------------------------------------------------------------------
// Errors and parsing
// ---------------------------------------------------------------------------

export interface ValidationIssue {
	/** `rules[2].conditions.all[1].value` */
	path: string;
	message: string;
}

export class RuleValidationError extends Error {
	readonly issues: ValidationIssue[];
	constructor(what: string, issues: ValidationIssue[]) {
		const shown = issues.slice(0, 10).map((i) => `${i.path || what}: ${i.message}`);
		if (issues.length > 10) shown.push(`… and ${issues.length - 10} more`);
		super(`invalid ${what}: ${shown.join('; ')}`);
		this.name = 'RuleValidationError';
		this.issues = issues;
	}
}

/** `['conditions', 'all', 1, 'value']` with prefix `rules[2]` → `rules[2].conditions.all[1].value`. */
export function formatPath(path: ReadonlyArray<string | number>, prefix = ''): string {
	let out = prefix;
	for (const part of path) {
		if (typeof part === 'number') out += `[${part}]`;
		else out += out === '' ? part : `.${part}`;
	}
	return out;
}

function issuesOf(error: z.ZodError, prefix: string): ValidationIssue[] {
	return error.issues.map((i) => {
		let message = i.message;
		if (i.code === 'unrecognized_keys') message = `unknown key${i.keys.length > 1 ? 's' : ''} ${i.keys.map((k) => `"${k}"`).join(', ')}`;
		else if (i.code === 'invalid_type' && i.received === 'undefined') message = 'is required';
		return { path: formatPath(i.path, prefix), message };
	});
}

/** Parses one rule; throws RuleValidationError naming every bad path. */
export function parseRule(input: unknown, prefix = ''): Rule {
	const parsed = ruleSchema.safeParse(input);
	if (parsed.success) return parsed.data;
	const id = input && typeof input === 'object' && typeof (input as { id?: unknown }).id === 'string' ? ` "${(input as { id: string }).id}"` : '';
	throw new RuleValidationError(`rule${id}`, issuesOf(parsed.error, prefix));
}

/** Issues of a rule set (empty = valid): every rule's own issues, then duplicate ids. */
export function validateRules(inputs: readonly unknown[]): ValidationIssue[] {
	const issues: ValidationIssue[] = [];
	const seen = new Map<string, number>();
	inputs.forEach((input, i) => {
		const parsed = ruleSchema.safeParse(input);
		if (!parsed.success) {
			issues.push(...issuesOf(parsed.error, `rules[${i}]`));
			return;
		}
		const first = seen.get(parsed.data.id);
		if (first !== undefined) issues.push({ path: `rules[${i}].id`, message: `"${parsed.data.id}" is also the id of rules[${first}]` });
		else seen.set(parsed.data.id, i);
	});
	return issues;
}

/** Parses a rule set; throws RuleValidationError with paths like `rules[2].action.percent`. */
export function parseRules(inputs: readonly unknown[]): Rule[] {
	if (!Array.isArray(inputs)) throw new RuleValidationError('rules', [{ path: 'rules', message: 'must be an array of rules' }]);
	const issues = validateRules(inputs);
	if (issues.length > 0) throw new RuleValidationError('rules', issues);
	return inputs.map((input) => ruleSchema.parse(input));
}

export function parseSettings(input: unknown): Settings {
	const parsed = settingsSchema.safeParse(input);
	if (parsed.success) return parsed.data;
	throw new RuleValidationError('settings', issuesOf(parsed.error, 'settings'));
}
