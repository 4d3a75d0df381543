/**
 * Mapping between the rule core and the store's rows, plus the payload the
 * `optimization` executor receives from an approved proposal. Pure: no store
 * access here, only shapes.
 *
 * `optimization_rules`: `rule_name` = name, `priority`, `is_active` = enabled,
 * `rule_type` = action type, `platform` = the single scoped platform (else
 * null), `actions` = [action], `service_time_gating` = the rule's gates, and
 * `conditions` = `{ key, description, scope, when, requireApproval }`.
 * A rule read back gets the row's uuid as its id (ids go into idempotency keys
 * and `optimization_actions.rule_id`).
 *
 * `optimization_actions`: one row per executed, proposed or gated decision.
 * The idempotency key of an `execute`/`propose` row is the decision's key; a
 * gated row's key gets `:gated@<instant>` appended, so storing why something
 * did not happen never blocks the same action later that day (the column is
 * UNIQUE). `action_details` holds the budget before/after that cooldowns and
 * the 24 h cap read back through `actionRecordFromRow`; `rule_key`,
 * `evaluated_at`, `gates`, `outcome` and `proposal_id` (migration 20250605)
 * make the row queryable without opening the evidence. The run (run.ts) adds
 * the execution: `action_taken`, `executed_at`, `platform_response`, `dry_run`.
 */
import { z } from 'zod';
import { PLATFORMS, type Json, type Row, type RowInput } from '../schema/rows';
import { decisionEvidence, toJson, type ActionRecord, type Decision } from './evaluate';
import { ACTION_TYPES, parseRule, type Rule } from './model';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The `optimization_rules` row of a rule (its id is kept in `conditions.key`). */
export function ruleToRow(rule: Rule): RowInput<'optimization_rules'> {
	return {
		rule_name: rule.name,
		platform: rule.scope.platforms && rule.scope.platforms.length === 1 ? rule.scope.platforms[0] : null,
		rule_type: rule.action.type,
		conditions: toJson({ key: rule.id, description: rule.description, ...(rule.level !== 'campaign' ? { level: rule.level } : {}), scope: rule.scope, when: rule.conditions, requireApproval: rule.requireApproval }),
		actions: toJson([rule.action]),
		service_time_gating: toJson(gatesJson(rule)),
		priority: rule.priority,
		is_active: rule.enabled,
	};
}

// Schedules are stored in their JSON form (HH:MM), not the parsed minutes.
const hhmm = (m: number) => `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
function gatesJson(rule: Rule): unknown {
	const g = rule.gates;
	return { ...g, schedule: g.schedule?.map((w) => ({ days: w.days, from: hhmm(w.fromMinute), to: hhmm(w.toMinute) })) };
}

type RuleRow = Pick<Row<'optimization_rules'>, 'id' | 'rule_name' | 'conditions' | 'actions' | 'service_time_gating' | 'priority' | 'is_active'>;

/**
 * The rule JSON of an `optimization_rules` row (what `parseRule` and
 * `evaluate` accept), not yet validated; the id is the row's uuid.
 */
export function ruleInputFromRow(row: RuleRow): Record<string, unknown> {
	const c = (row.conditions && typeof row.conditions === 'object' && !Array.isArray(row.conditions) ? row.conditions : {}) as Record<string, Json>;
	const actions = Array.isArray(row.actions) ? row.actions : [];
	return {
		id: row.id,
		name: row.rule_name,
		description: c.description ?? null,
		priority: row.priority,
		enabled: row.is_active,
		...(c.level !== undefined ? { level: c.level } : {}),
		scope: c.scope ?? {},
		conditions: c.when,
		action: actions.length === 1 ? actions[0] : actions,
		gates: row.service_time_gating ?? {},
		requireApproval: c.requireApproval ?? false,
	};
}

/** A rule from its `optimization_rules` row; the id is the row's uuid. Throws RuleValidationError. */
export function ruleFromRow(row: RuleRow): Rule {
	return parseRule(ruleInputFromRow(row), `optimization_rules[${row.rule_name}]`);
}

/** What `optimization_actions.action_details` holds for a decision. */
export function actionDetails(d: Decision): Json {
	const a = d.action;
	return toJson({
		ruleId: d.ruleId,
		ruleName: d.ruleName,
		idempotencyKey: d.idempotencyKey,
		evaluatedAt: d.evaluation.at,
		window: d.evaluation.window,
		requested: a?.requested ?? null,
		statusBefore: a?.statusBefore ?? null,
		statusAfter: a?.statusAfter ?? null,
		budgetBefore: a?.budgetBefore ?? null,
		budgetAfter: a?.budgetAfter ?? null,
		changePct: a?.changePct ?? null,
		currency: a?.currency ?? null,
		clampedBy: a?.clampedBy ?? [],
		summary: a?.summary ?? null,
		// an ad's change: the ad it is about (the row's campaign_id is the ad's campaign)
		...(d.entity.adId ? { level: 'ad', adId: d.entity.adId, adGroupId: d.entity.adGroupId ?? null } : {}),
	});
}

/**
 * The `optimization_actions` row of an execute, propose or gated decision
 * (`action_taken` false: the executor sets it after the platform confirmed).
 * Returns null for no_match decisions.
 */
export function decisionToActionRow(d: Decision): RowInput<'optimization_actions'> | null {
	if (d.decision === 'no_match' || !d.action || !d.idempotencyKey) return null;
	return {
		idempotency_key: d.decision === 'gated' ? `${d.idempotencyKey}:gated@${d.evaluation.at}` : d.idempotencyKey,
		platform: d.entity.platform as (typeof PLATFORMS)[number],
		account_id: d.entity.accountId,
		campaign_id: d.entity.campaignId,
		rule_id: UUID.test(d.ruleId) ? d.ruleId : null,
		action_type: d.action.type,
		decision: d.decision,
		action_details: actionDetails(d),
		performance_snapshot: decisionEvidence(d),
		service_time_met: d.gates.every((g) => g.status !== 'fail'),
		action_taken: false,
		rule_key: d.ruleId,
		evaluated_at: d.evaluation.at,
		gates: d.gates.map((g) => toJson({ gate: g.gate, status: g.status, detail: g.detail, values: g.values })),
		outcome: d.decision === 'propose' ? 'proposed' : d.decision === 'gated' ? 'gated' : null,
		proposal_id: d.proposal?.id ?? null,
	};
}

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/**
 * The action record of a stored `optimization_actions` row, for cooldowns,
 * the 24 h cap and idempotency; null for rows that changed nothing
 * (`action_taken` false) or of an unknown action type. The time is
 * `executed_at` (when the platform confirmed the change), else
 * `action_details.executedAt`, else `created_at`.
 */
export function actionRecordFromRow(
	row: Pick<Row<'optimization_actions'>, 'idempotency_key' | 'platform' | 'account_id' | 'campaign_id' | 'action_type' | 'action_details' | 'action_taken' | 'created_at'> & {
		executed_at?: string | null;
	},
): ActionRecord | null {
	if (!row.action_taken || !(ACTION_TYPES as readonly string[]).includes(row.action_type)) return null;
	const details = (row.action_details && typeof row.action_details === 'object' && !Array.isArray(row.action_details) ? row.action_details : {}) as Record<string, Json>;
	return {
		platform: row.platform,
		accountId: row.account_id ?? '',
		campaignId: row.campaign_id,
		...(typeof details.adId === 'string' && details.adId !== '' ? { adId: details.adId } : {}),
		at: row.executed_at ?? (typeof details.executedAt === 'string' ? details.executedAt : row.created_at),
		action: row.action_type as ActionRecord['action'],
		budgetBefore: num(details.budgetBefore),
		budgetAfter: num(details.budgetAfter),
		ruleId: typeof details.ruleId === 'string' ? details.ruleId : null,
		idempotencyKey: row.idempotency_key,
	};
}

/** The payload of an `optimization` proposal: what the executor applies after approval. */
export const optimizationPayloadSchema = z
	.object({
		version: z.literal(1),
		idempotencyKey: z.string().regex(/^opt:[0-9a-f]{64}$/),
		ruleId: z.string(),
		ruleName: z.string(),
		platform: z.enum(PLATFORMS),
		accountId: z.string().min(1),
		campaignId: z.string().min(1),
		/** An ad's change (rules of level `ad`): the ad, and its ad group where the platform needs it. */
		adId: z.string().min(1).optional(),
		adGroupId: z.string().nullable().optional(),
		campaignName: z.string().nullable(),
		/** Budget actions arrive as `set_budget` with the exact `budgetAfter`. */
		action: z.enum(['pause', 'enable', 'set_budget']),
		requested: z.object({ type: z.enum(ACTION_TYPES), percent: z.number().nullable(), amount: z.number().nullable() }),
		statusBefore: z.string(),
		statusAfter: z.string(),
		/** The executor re-reads the budget and refuses when it no longer equals this (never act on stale budgets). */
		budgetBefore: z.number().nullable(),
		budgetAfter: z.number().positive().nullable(),
		changePct: z.number().nullable(),
		currency: z.string().regex(/^[A-Z]{3}$/),
		evaluatedAt: z.string(),
		window: z.object({ date: z.string(), start: z.string().nullable(), end: z.string() }),
		/** Proposed by a dry run: approving it records what would happen and changes nothing (run.ts sets it). */
		dryRun: z.boolean().default(false),
		/** A clamped change: what the rule asked and what the caps allow (budgetAfter is what executes). For the card. */
		asked: z.object({ budget: z.number(), changePct: z.number() }).strict().optional(),
		allowed: z.object({ budget: z.number(), changePct: z.number(), clampedBy: z.array(z.string()) }).strict().optional(),
	})
	.strict()
	.superRefine((p, ctx) => {
		if (p.action === 'set_budget' && (p.budgetAfter === null || p.budgetBefore === null)) ctx.addIssue({ code: 'custom', path: ['budgetAfter'], message: 'set_budget needs budgetBefore and budgetAfter' });
	});

export type OptimizationPayload = z.infer<typeof optimizationPayloadSchema>;
