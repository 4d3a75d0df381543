/**
 * Zod schemas of the rows the Store writes, one per table.
 *
 * Each schema describes the *writable* columns of a table. Columns the
 * database owns are not part of it and are rejected when given: `id`,
 * `created_at`, `updated_at` and the derived metrics of
 * `campaign_performance` (ctr, cpc, cpa, cpl, roas are GENERATED columns).
 * Optional columns default to `null` (or the column's default) on output, so
 * every parsed row of a table has the same set of keys.
 *
 * Conventions: dates are `YYYY-MM-DD` strings, timestamps ISO-8601 strings,
 * money and counts JavaScript numbers, currencies ISO-4217 upper case.
 *
 * Text: the store cleans every string of a row (text columns and inside
 * jsonb, at any depth) before these schemas see it (text/clean.ts, applied
 * in store/validate.ts), so no row can carry a NUL or an unpaired surrogate.
 * Money: spend and revenue are at most their currency's ceiling
 * (platforms/currency.ts `moneyCeiling`), checked across columns by
 * `rowChecks` below.
 */
import { PLATFORM_IDS } from '../platforms/registry';
import { z } from 'zod';
import { anomalyProblems, anomalyRow, budgetPlanRow } from '../insights/rows';
import { eventQuarantineRow, marketingEventRow } from '../events/rows';
import { attributedConversionRow } from '../attribution/rows';
import { conversionUploadRow } from '../conversions/rows';
import { HIGHEST_MONEY_CEILING, amountInWords, moneyProblem } from '../platforms/currency';
import { isCalendarDate } from '../text/dates';

const nonEmpty = z.string().trim().min(1, 'must not be empty');

/** Calendar date `YYYY-MM-DD` (a real date, not 2025-02-30; text/dates.ts `calendarDayMs`). */
export const isoDate = z.string().refine(isCalendarDate, { message: 'must be a date YYYY-MM-DD' });

/** Timestamp with time zone: an ISO-8601 string with offset or `Z`, or a Date. */
export const isoTimestamp = z.union([
	z.string().datetime({ offset: true, message: 'must be an ISO-8601 timestamp with time zone' }),
	z.date().transform((d) => d.toISOString()),
]);

export const currencyCode = z.string().regex(/^[A-Z]{3}$/, 'must be an ISO-4217 code like USD');
export const uuid = z.string().uuid();
/** Lower-case hex SHA-256 digest. */
export const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/, 'must be a lower-case hex SHA-256 digest');

const money = z.number().finite().nonnegative();
/** Spend and revenue: also below the highest currency ceiling here; `rowChecks` holds them to their own currency's. */
const moneyAmount = money.max(HIGHEST_MONEY_CEILING, `must be at most ${amountInWords(HIGHEST_MONEY_CEILING)} (the highest money ceiling of any currency)`);
const count = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);

/** JSON value (what a jsonb column holds). */
export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
/** How deep a jsonb value may nest (as deep as the store boundary's text cleaning goes). */
export const JSON_MAX_DEPTH = 200;

/**
 * A JSON value checked and copied in one walk: text, finite numbers, true/false, null, lists and objects (own keys),
 * nothing else (undefined, NaN, a Date or a Map are refused with the path to them). Hand-written rather than a
 * z.union over z.lazy: zod 3 calls a lazy getter on every parse and tries each member of a union in turn, which made
 * the jsonb columns most of a 10,000-campaign optimizer run's time (test/bench/rules.bench.ts, "write").
 */
function copyJson(value: unknown, depth: number): { ok: true; value: Json } | { ok: false; path: Array<string | number>; message: string } {
	if (value === null || typeof value === 'string' || typeof value === 'boolean') return { ok: true, value };
	if (typeof value === 'number') return Number.isFinite(value) ? { ok: true, value } : { ok: false, path: [], message: `must be a finite number, not ${value}` };
	if (typeof value !== 'object') return { ok: false, path: [], message: `must be a JSON value (text, a number, true/false, null, a list or an object), not ${typeof value}` };
	if (depth >= JSON_MAX_DEPTH) return { ok: false, path: [], message: `nests deeper than ${JSON_MAX_DEPTH} levels` };
	if (Array.isArray(value)) {
		const out: Json[] = new Array(value.length);
		for (let i = 0; i < value.length; i++) {
			const r = copyJson(value[i], depth + 1);
			if (!r.ok) return { ...r, path: [i, ...r.path] };
			out[i] = r.value;
		}
		return { ok: true, value: out };
	}
	if (value instanceof Date || value instanceof Map || value instanceof Set || value instanceof Promise || ArrayBuffer.isView(value)) {
		return { ok: false, path: [], message: `must be a JSON value, not a ${value.constructor.name}` };
	}
	const out: { [key: string]: Json } = {};
	for (const key of Object.keys(value)) {
		const r = copyJson((value as Record<string, unknown>)[key], depth + 1);
		if (!r.ok) return { ...r, path: [key, ...r.path] };
		// A "__proto__" key is data, not the copy's prototype.
		if (key === '__proto__') Object.defineProperty(out, key, { value: r.value, enumerable: true, writable: true, configurable: true });
		else out[key] = r.value;
	}
	return { ok: true, value: out };
}

/** JSON value (what a jsonb column holds), copied. */
export const json = z.unknown().transform((value, ctx): Json => {
	const r = copyJson(value, 0);
	if (r.ok) return r.value;
	ctx.addIssue({ code: 'custom', path: r.path, message: r.message });
	return z.NEVER;
}) as unknown as z.ZodType<Json, z.ZodTypeDef, Json>;
/** A JSON value for a NOT NULL jsonb column. */
export const jsonValue = json.refine((v) => v !== null, { message: 'must not be null' });

/**
 * A text column whose CHECK lists its values: validated like `z.enum`, typed
 * `string`. Rows another writer stored before the CHECK (left NOT VALID on
 * such a database) are read back as they are, so readers keep the wide type.
 */
function oneOf(values: readonly string[]) {
	const allowed: ReadonlySet<string> = new Set(values);
	return z.string().refine((v) => allowed.has(v), (v) => ({ message: `must be one of ${values.join(', ')} (got ${JSON.stringify(v.slice(0, 50))})` }));
}

function nullable<T extends z.ZodTypeAny>(schema: T) {
	return schema.nullable().default(null);
}

/** Platform ids, from the platform registry (the one list). */
export const PLATFORMS = PLATFORM_IDS;
export const platform = z.enum(PLATFORMS);
export type Platform = z.infer<typeof platform>;

export const campaignPerformanceRow = z
	.object({
		date: isoDate,
		platform,
		account_id: nonEmpty,
		campaign_id: nonEmpty,
		campaign_name: nullable(z.string()),
		currency: currencyCode,
		source_currency: nullable(currencyCode),
		fx_rate: nullable(z.number().finite().positive()),
		fx_rate_date: nullable(isoDate),
		spend: moneyAmount.default(0),
		impressions: count.default(0),
		clicks: count.default(0),
		conversions: money.default(0),
		revenue: nullable(moneyAmount),
		leads: nullable(money),
		ingest_run_id: nullable(uuid),
	})
	.strict();

/**
 * `ad_performance` (issue 20): a `campaign_performance` row of one ad, with
 * its ad group (Google Ads) / ad set (Meta) / campaign (LinkedIn) and the ad;
 * no ingest run id (ad-level runs are not `ingest_runs`: see ingest/ads.ts).
 */
export const adPerformanceRow = campaignPerformanceRow
	.omit({ ingest_run_id: true })
	.extend({
		ad_group_id: nonEmpty,
		ad_group_name: nullable(z.string()),
		ad_id: nonEmpty,
		ad_name: nullable(z.string()),
	})
	.strict();

export const fxRateRow = z
	.object({
		base: currencyCode,
		quote: currencyCode,
		rate_date: isoDate,
		rate: z.number().finite().positive(),
		source: nullable(z.string()),
	})
	.strict();

/**
 * Statuses of `creative_variants`: `draft` (the column default, rows not
 * written by a generation run), `pending_approval` (novel, queued),
 * `rejected_duplicate` (near-duplicate or duplicate of past copy),
 * `rejected_policy` (still broke a hard platform rule or a blocking policy
 * finding after its attempts), `approved`, `rejected` (decided by a person),
 * `published` (created on the platform: creative/publish.ts, 20250614000000_creative_publish.sql).
 */
export const CREATIVE_VARIANT_STATUSES = ['draft', 'pending_approval', 'rejected_duplicate', 'rejected_policy', 'approved', 'rejected', 'published'] as const;
export type CreativeVariantStatus = (typeof CREATIVE_VARIANT_STATUSES)[number];
export const NOVELTY_VERDICTS = ['novel', 'near_duplicate', 'duplicate'] as const;

export const creativeVariantRow = z
	.object({
		platform,
		account_id: nullable(z.string()),
		campaign_id: nonEmpty,
		headline: nullable(z.string()),
		primary_text: nullable(z.string()),
		description: nullable(z.string()),
		call_to_action: nullable(z.string()),
		copy_angle: nullable(z.string()),
		rationale: nullable(z.string()),
		similarity_score: nullable(z.number().min(-1).max(1)),
		nearest_variant_id: nullable(uuid),
		content_hash: nonEmpty,
		embedding: nullable(z.array(z.number().finite()).min(1)),
		/** One of `CREATIVE_VARIANT_STATUSES`, as the database's CHECK requires (20250608000000_status_checks.sql). */
		status: oneOf(CREATIVE_VARIANT_STATUSES).default('draft'),
		/** Trigram Jaccard with the nearest past variant (or earlier candidate of the run). */
		lexical_score: nullable(z.number().min(0).max(1)),
		/** Embedding cosine with the nearest past variant; null without vectors. */
		semantic_score: nullable(z.number().min(-1).max(1)),
		verdict: nullable(z.enum(NOVELTY_VERDICTS)),
		/** `Embedder.model` of `embedding` (`text-embedding-3-small@512`). */
		embedding_model: nullable(nonEmpty),
		run_id: nullable(uuid),
		proposal_id: nullable(nonEmpty),
		placement: nullable(z.string()),
		tone: nullable(z.string()),
		/** Chat model that wrote the copy. */
		model: nullable(z.string()),
		grounding: nullable(json),
		evidence: nullable(json),
		rejection_reason: nullable(z.string()),
		// publishing (20250614000000_creative_publish.sql)
		platform_ad_id: nullable(nonEmpty),
		platform_creative_id: nullable(nonEmpty),
		platform_parent_id: nullable(nonEmpty),
		platform_status: nullable(nonEmpty),
		approved_by: nullable(z.string()),
		approved_at: nullable(isoTimestamp),
		published_at: nullable(isoTimestamp),
		publish_outcome: nullable(z.enum(['published', 'failed', 'unknown'])),
		publish_error: nullable(z.string()),
	})
	.strict();

export const CREATIVE_RUN_STATUSES = ['running', 'complete', 'incomplete', 'budget_exhausted', 'error'] as const;
export type CreativeRunStatus = (typeof CREATIVE_RUN_STATUSES)[number];

const smallCount = count.max(2_147_483_647);

export const creativeRunRow = z
	.object({
		platform: nonEmpty,
		account_id: nonEmpty,
		campaign_id: nonEmpty,
		placement: nullable(z.string()),
		tone: nullable(z.string()),
		brief_hash: sha256Hex,
		metric: z.enum(['roas', 'cpa', 'ctr']),
		chat_model: nonEmpty,
		embedding_model: nonEmpty,
		variants_requested: smallCount.min(1),
		max_attempts: smallCount.min(1),
		token_budget: nullable(count.min(1)),
		prompt_tokens: count.default(0),
		completion_tokens: count.default(0),
		embedding_tokens: count.default(0),
		chat_requests: smallCount.default(0),
		embedding_requests: smallCount.default(0),
		status: z.enum(CREATIVE_RUN_STATUSES).default('running'),
		message: nullable(z.string()),
		variants_queued: smallCount.default(0),
		variants_duplicate: smallCount.default(0),
		variants_policy: smallCount.default(0),
		variants_existing: smallCount.default(0),
		variants_missing: smallCount.default(0),
		embeddings_cached: smallCount.default(0),
		details: nullable(json),
		started_at: isoTimestamp.default(() => new Date().toISOString()),
		finished_at: nullable(isoTimestamp),
	})
	.strict();

export const optimizationRuleRow = z
	.object({
		rule_name: nonEmpty,
		platform: nullable(platform),
		rule_type: nonEmpty,
		conditions: json.default({}),
		actions: json.default([]),
		service_time_gating: nullable(json),
		priority: z.number().int().default(100),
		is_active: z.boolean().default(true),
	})
	.strict();

/** What the rules core decided (`optimization_actions.decision`). */
export const OPTIMIZATION_DECISIONS = ['execute', 'propose', 'gated'] as const;
/** What became of a decision (`optimization_actions.outcome`; see the 20250605 migration). */
export const OPTIMIZATION_OUTCOMES = ['executed', 'dry_run', 'proposed', 'gated', 'refused', 'failed', 'unknown', 'in_progress'] as const;
export type OptimizationOutcome = (typeof OPTIMIZATION_OUTCOMES)[number];

export const optimizationActionRow = z
	.object({
		idempotency_key: nonEmpty,
		platform,
		account_id: nullable(z.string()),
		campaign_id: nonEmpty,
		rule_id: nullable(uuid),
		action_type: nonEmpty,
		decision: nullable(z.enum(OPTIMIZATION_DECISIONS)),
		action_details: nullable(json),
		/** The decision's evidence: rule, conditions with values, gates with numbers, planned action. */
		performance_snapshot: nullable(json),
		service_time_met: nullable(z.boolean()),
		action_taken: z.boolean().default(false),
		/** The rule's id as the optimizer knew it (uuid of a stored rule, or a JSON rule's own id). */
		rule_key: nullable(nonEmpty),
		evaluated_at: nullable(isoTimestamp),
		/** Gate results with their numbers. */
		gates: nullable(z.array(json)),
		dry_run: z.boolean().default(false),
		outcome: nullable(z.enum(OPTIMIZATION_OUTCOMES)),
		proposal_id: nullable(nonEmpty),
		platform_response: nullable(json),
		error: nullable(z.string()),
		/** When the platform confirmed the change (the database requires it with `action_taken`, and refuses `dry_run` with it). */
		executed_at: nullable(isoTimestamp),
	})
	.strict();

export const socialMediaItemRow = z
	.object({
		platform,
		object_id: nonEmpty,
		object_type: nonEmpty,
		parent_id: nullable(z.string()),
		post_id: nullable(z.string()),
		ad_id: nullable(z.string()),
		user_id: nullable(z.string()),
		text: nullable(z.string()),
		permalink: nullable(z.string()),
		created_time: nullable(isoTimestamp),
		raw_data: nullable(json),
		/** Ad account (Meta without `act_`) and campaign of `ad_id`; null when no known ad uses the post. */
		account_id: nullable(z.string()),
		campaign_id: nullable(z.string()),
		/** What the platform last said about the comment's visibility. */
		is_hidden: nullable(z.boolean()),
		/** When the platform reported the comment removed. */
		removed_at: nullable(isoTimestamp),
		/** When a moderation run finished with the comment; null = still to do. */
		moderated_at: nullable(isoTimestamp),
	})
	.strict();

export const itemClassificationRow = z
	.object({
		item_id: uuid,
		model: nonEmpty,
		intent: nullable(z.string()),
		sentiment: nullable(z.string()),
		language: nullable(z.string()),
		categories: json.default([]),
		confidence_score: nullable(z.number().min(0).max(1)),
		reply_required: nullable(z.boolean()),
		sentiment_score: nullable(z.number().min(-1).max(1)),
		/** `llm` when the model's answer was used, `offline` for the rules (and per-comment fallbacks). */
		source: nullable(z.enum(['llm', 'offline'])),
		fallback_reason: nullable(z.string()),
		reasons: json.default([]),
	})
	.strict();

/**
 * Statuses of `moderation_actions`: `dry_run` (an automatic action of a run
 * that is not live), `proposed` (waits for a person in the approval queue),
 * `executed`, `already_done` (the platform had it done before), `failed`,
 * `stuck` (claimed, outcome never recorded), `acknowledged` (a person handled
 * the comment; no platform side effect).
 */
export const MODERATION_ACTION_STATUSES = ['dry_run', 'proposed', 'executed', 'already_done', 'failed', 'unknown', 'stuck', 'acknowledged'] as const;
export type ModerationActionStatus = (typeof MODERATION_ACTION_STATUSES)[number];

export const moderationActionRow = z
	.object({
		idempotency_key: nonEmpty,
		item_id: uuid,
		action_type: nonEmpty,
		/** One of `MODERATION_ACTION_STATUSES`, as the database's CHECK requires (20250608000000_status_checks.sql). */
		action_status: oneOf(MODERATION_ACTION_STATUSES),
		suggested_reply: nullable(z.string()),
		notion_record_id: nullable(z.string()),
		executed_at: nullable(isoTimestamp),
		platform: nullable(z.string()),
		comment_id: nullable(z.string()),
		mode: nullable(z.enum(['auto', 'approval'])),
		rule_id: nullable(z.string()),
		policy_version: nullable(z.string()),
		reason: nullable(z.string()),
		/** The model whose classification the decision was made on. */
		model: nullable(z.string()),
		proposal_id: nullable(z.string()),
		result: nullable(json),
		error: nullable(z.string()),
	})
	.strict();

/** Per ad and local day: comments counted, negative and abusive ones (moderation/signal.ts). */
export const adCommentSignalRow = z
	.object({
		platform: nonEmpty,
		account_id: z.string(),
		campaign_id: z.string().nullable(),
		ad_id: nonEmpty,
		date: isoDate,
		comments: count.max(2_147_483_647),
		negative_comments: count.max(2_147_483_647),
		abusive_comments: count.max(2_147_483_647),
		excluded_comments: count.max(2_147_483_647),
		negative_share: z.number().min(0).max(1).nullable(),
		abusive_share: z.number().min(0).max(1).nullable(),
	})
	.strict();

/** A Meta webhook delivery or change seen within its TTL (moderation/store-replay.ts). */
export const webhookReplayKeyRow = z
	.object({
		replay_key: nonEmpty,
		expires_at: isoTimestamp,
	})
	.strict();

export const ingestRunRow = z
	.object({
		platform: nonEmpty,
		account_id: nonEmpty,
		window_start: isoDate,
		window_end: isoDate,
		started_at: isoTimestamp.default(() => new Date().toISOString()),
		finished_at: nullable(isoTimestamp),
		duration_ms: nullable(count),
		rows_written: count.default(0),
		rows_quarantined: count.default(0),
		rows_unchanged: count.max(2_147_483_647).default(0),
		rows_flagged: count.max(2_147_483_647).default(0),
		outcome: nullable(z.enum(['success', 'partial', 'failed'])),
		error: nullable(z.string()),
		warnings: nullable(json),
	})
	.strict();

export const quarantineRow = z
	.object({
		source: nonEmpty,
		platform: nullable(z.string()),
		account_id: nullable(z.string()),
		ingest_run_id: nullable(uuid),
		raw_payload: jsonValue,
		reason: nonEmpty,
		/** sha256 hex of the record's canonical content; unique per `source` (NULL: not de-duplicated). */
		content_hash: nullable(sha256Hex),
	})
	.strict();

export const QUALITY_LEVELS = ['Excellent', 'Good', 'Fair', 'Poor', 'Critical'] as const;

export const qualityReportRow = z
	.object({
		report_date: isoDate,
		/** `all`, or the sorted, comma-separated platforms the report covers. */
		scope: nonEmpty.default('all'),
		score: z.number().finite().min(0).max(100),
		level: z.enum(QUALITY_LEVELS),
		checks: jsonValue,
		generated_at: isoTimestamp,
	})
	.strict();

export const APPROVAL_STATUSES = ['pending', 'approved', 'rejected', 'expired', 'executing', 'executed', 'failed'] as const;

export const approvalRow = z
	.object({
		proposal_id: nonEmpty,
		kind: nonEmpty,
		status: z.enum(APPROVAL_STATUSES).default('pending'),
		payload: jsonValue,
		payload_hash: sha256Hex,
		evidence: nullable(json),
		expires_at: nullable(isoTimestamp),
		notion_page_id: nullable(z.string()),
		decided_by: nullable(z.string()),
		decided_at: nullable(isoTimestamp),
		result: nullable(json),
		error: nullable(z.string()),
		title: nullable(z.string()),
		platform: nullable(z.string()),
		account_id: nullable(z.string()),
		entity: nullable(z.string()),
		proposed_change: nullable(z.string()),
		impact: nullable(z.string()),
		requested_at: isoTimestamp.default(() => new Date().toISOString()),
		/** sha256 hex of the card's human-visible content as queued (approvals/card.ts). */
		card_hash: nullable(sha256Hex),
		/** Why the last decision was refused (`approver_not_allowed`, `edited_after_queue`, …). */
		flag: nullable(z.string()),
		flagged_at: nullable(isoTimestamp),
		refusals: count.max(2_147_483_647).default(0),
	})
	.strict();

/**
 * `claimed`: being performed by `claimed_by`; `succeeded` / `failed`: the
 * answer said so (failed = not applied, may be claimed again); `unknown`: the
 * answer was lost or late, counts as possibly applied until reconciled
 * against the platform (`resolveAction`, which records `resolution`).
 */
export const LEDGER_STATUSES = ['claimed', 'succeeded', 'failed', 'unknown'] as const;
export type LedgerStatus = (typeof LEDGER_STATUSES)[number];

export const actionLedgerRow = z
	.object({
		idempotency_key: nonEmpty,
		kind: nonEmpty,
		target: nonEmpty,
		intent: jsonValue,
		status: z.enum(LEDGER_STATUSES).default('claimed'),
		attempts: z.number().int().min(1).default(1),
		response: nullable(json),
		error: nullable(z.string()),
		completed_at: nullable(isoTimestamp),
		/** Who holds (or last held) the claim: a run id, or host:pid. */
		claimed_by: nullable(z.string().max(500)),
		/** How an unknown (or abandoned claimed) outcome was settled, in words. */
		resolution: nullable(z.string()),
		resolved_at: nullable(isoTimestamp),
	})
	.strict();

export const alertThreadRow = z
	.object({
		channel: nonEmpty,
		thread_key: nonEmpty,
		ts: nonEmpty,
	})
	.strict();

export const appStateRow = z
	.object({
		key: nonEmpty,
		value: jsonValue,
	})
	.strict();

/** Write schema of every table, by table name. */
export const rowSchemas = {
	campaign_performance: campaignPerformanceRow,
	ad_performance: adPerformanceRow,
	fx_rates: fxRateRow,
	creative_variants: creativeVariantRow,
	creative_runs: creativeRunRow,
	optimization_rules: optimizationRuleRow,
	optimization_actions: optimizationActionRow,
	social_media_items: socialMediaItemRow,
	item_classifications: itemClassificationRow,
	moderation_actions: moderationActionRow,
	ad_comment_signals: adCommentSignalRow,
	webhook_replay_keys: webhookReplayKeyRow,
	ingest_runs: ingestRunRow,
	quarantine: quarantineRow,
	quality_reports: qualityReportRow,
	approvals: approvalRow,
	action_ledger: actionLedgerRow,
	alert_threads: alertThreadRow,
	app_state: appStateRow,
	anomalies: anomalyRow,
	budget_plans: budgetPlanRow,
	marketing_events: marketingEventRow,
	event_quarantine: eventQuarantineRow,
	attributed_conversions: attributedConversionRow,
	conversion_uploads: conversionUploadRow,
} as const;

export type TableName = keyof typeof rowSchemas;
export const TABLE_NAMES = Object.keys(rowSchemas) as TableName[];

/**
 * Checks across columns that a table's zod object does not express, run by
 * the store after the schema on every row and on every update patch (a patch
 * has only some columns: a check uses what is there). Each returns the
 * problems in words; none means the row is fine.
 */
export const rowChecks: { [T in TableName]?: (row: Partial<z.output<(typeof rowSchemas)[T]>>) => string[] } = {
	campaign_performance: (row) => {
		const problems: string[] = [];
		// XXX is ISO 4217's "no currency": a patch without the currency is held to the highest ceiling
		const currency = typeof row.currency === 'string' ? row.currency : 'XXX';
		for (const field of ['spend', 'revenue'] as const) {
			const amount = row[field];
			if (typeof amount !== 'number') continue;
			const problem = moneyProblem(field, amount, currency);
			if (problem !== undefined) problems.push(problem);
		}
		return problems;
	},
	anomalies: anomalyProblems,
};
rowChecks.ad_performance = rowChecks.campaign_performance as (typeof rowChecks)['ad_performance'];

/** What a caller passes in (optional columns may be omitted). */
export type RowInput<T extends TableName> = z.input<(typeof rowSchemas)[T]>;
/** A validated row, every writable column present. */
export type RowWrite<T extends TableName> = z.output<(typeof rowSchemas)[T]>;

type Timestamps = { created_at: string; updated_at: string };
type WithId = { id: string };

/** Columns the database adds to the writable ones. */
export interface SystemColumns {
	campaign_performance: WithId &
		Timestamps & { ctr: number | null; cpc: number | null; cpa: number | null; cpl: number | null; roas: number | null };
	ad_performance: WithId &
		Timestamps & { ctr: number | null; cpc: number | null; cpa: number | null; cpl: number | null; roas: number | null };
	fx_rates: WithId & Timestamps;
	/** `embedding_f32`: `embedding` as bytes (novelty/packed.ts), set by the database; null before a run backfills an older row. */
	creative_variants: WithId & Timestamps & { embedding_f32?: Uint8Array | null };
	creative_runs: WithId & Timestamps & { started_at: string };
	optimization_rules: WithId & Timestamps;
	optimization_actions: WithId & Timestamps;
	social_media_items: WithId & Timestamps;
	item_classifications: WithId & Timestamps;
	moderation_actions: WithId & Timestamps;
	ad_comment_signals: WithId & Timestamps;
	webhook_replay_keys: WithId & Timestamps;
	ingest_runs: WithId & Timestamps & { started_at: string };
	quarantine: WithId & { created_at: string };
	quality_reports: WithId & Timestamps;
	approvals: WithId & Timestamps;
	action_ledger: WithId & Timestamps;
	alert_threads: WithId & Timestamps;
	app_state: { updated_at: string };
	anomalies: WithId & Timestamps;
	budget_plans: WithId & Timestamps;
	marketing_events: WithId & { created_at: string };
	event_quarantine: WithId & { created_at: string };
	attributed_conversions: WithId & Timestamps;
	conversion_uploads: WithId & Timestamps;
}

/** A row as read back from the store. */
export type Row<T extends TableName> = Omit<RowWrite<T>, keyof SystemColumns[T]> & SystemColumns[T];

export type CampaignPerformance = Row<'campaign_performance'>;
export type ActionLedgerEntry = Row<'action_ledger'>;
export type Approval = Row<'approvals'>;
export type CreativeVariantRecord = Row<'creative_variants'>;
export type CreativeRun = Row<'creative_runs'>;
