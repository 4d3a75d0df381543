/**
 * Table registry: the one place that knows, per table, the SQL type of every
 * column, the natural key, the primary key and which columns the database
 * computes. Every SQL fragment the store builds uses identifiers from here
 * only; caller-supplied strings are never spliced into SQL.
 */
import { ANOMALY_COLUMNS, ANOMALY_NATURAL_KEY, BUDGET_PLAN_COLUMNS, BUDGET_PLAN_NATURAL_KEY } from '../insights/rows';
import { ATTRIBUTED_CONVERSION_COLUMNS, ATTRIBUTED_CONVERSION_NATURAL_KEY } from '../attribution/rows';
import { CONVERSION_UPLOAD_COLUMNS, CONVERSION_UPLOAD_NATURAL_KEY } from '../conversions/rows';
import { EVENT_QUARANTINE_COLUMNS, EVENT_QUARANTINE_NATURAL_KEY, MARKETING_EVENT_COLUMNS, MARKETING_EVENT_NATURAL_KEY } from '../events/rows';
import { rowSchemas, type TableName } from '../schema/rows';
import { isViewName, VIEWS } from './views';

import type { ColumnKind, TableDef } from './defs';

export type { ColumnKind, TableDef } from './defs';

const ts = { created_at: 'timestamptz', updated_at: 'timestamptz' } as const;

/** The money and metric columns of a daily performance row: campaign_performance and ad_performance, one list. */
const performance = {
	currency: 'text',
	source_currency: 'text',
	fx_rate: 'numeric',
	fx_rate_date: 'date',
	spend: 'numeric',
	impressions: 'bigint',
	clicks: 'bigint',
	conversions: 'numeric',
	revenue: 'numeric',
	leads: 'numeric',
	ctr: 'numeric',
	cpc: 'numeric',
	cpa: 'numeric',
	cpl: 'numeric',
	roas: 'numeric',
} as const;

function def(
	name: TableName,
	naturalKey: readonly string[],
	columns: Record<string, ColumnKind>,
	extraReadOnly: readonly string[] = [],
	primaryKey = 'id',
): TableDef {
	const writable = Object.keys(rowSchemas[name].shape);
	for (const column of writable) {
		if (!(column in columns)) throw new Error(`table registry: ${name}.${column} has no column type`);
	}
	const readOnly = Object.keys(columns).filter((c) => !writable.includes(c));
	for (const column of extraReadOnly) if (!readOnly.includes(column)) readOnly.push(column);
	return { name, columns, naturalKey, primaryKey, readOnly };
}

export const TABLES: { [T in TableName]: TableDef } = {
	campaign_performance: def('campaign_performance', ['platform', 'account_id', 'campaign_id', 'date'], {
		id: 'uuid',
		date: 'date',
		platform: 'text',
		account_id: 'text',
		campaign_id: 'text',
		campaign_name: 'text',
		...performance,
		ingest_run_id: 'uuid',
		...ts,
	}),
	ad_performance: def('ad_performance', ['platform', 'account_id', 'campaign_id', 'ad_group_id', 'ad_id', 'date'], {
		id: 'uuid',
		date: 'date',
		platform: 'text',
		account_id: 'text',
		campaign_id: 'text',
		campaign_name: 'text',
		ad_group_id: 'text',
		ad_group_name: 'text',
		ad_id: 'text',
		ad_name: 'text',
		...performance,
		...ts,
	}),
	fx_rates: def('fx_rates', ['base', 'quote', 'rate_date'], {
		id: 'uuid',
		base: 'text',
		quote: 'text',
		rate_date: 'date',
		rate: 'numeric',
		source: 'text',
		...ts,
	}),
	creative_variants: def('creative_variants', ['platform', 'campaign_id', 'content_hash'], {
		id: 'uuid',
		platform: 'text',
		account_id: 'text',
		campaign_id: 'text',
		headline: 'text',
		primary_text: 'text',
		description: 'text',
		call_to_action: 'text',
		copy_angle: 'text',
		rationale: 'text',
		similarity_score: 'numeric',
		nearest_variant_id: 'uuid',
		content_hash: 'text',
		embedding: 'real[]',
		/** `embedding` as bytes (novelty/packed.ts), set by a trigger; read-only. */
		embedding_f32: 'bytea',
		status: 'text',
		lexical_score: 'numeric',
		semantic_score: 'numeric',
		verdict: 'text',
		embedding_model: 'text',
		run_id: 'uuid',
		proposal_id: 'text',
		placement: 'text',
		tone: 'text',
		model: 'text',
		grounding: 'jsonb',
		evidence: 'jsonb',
		rejection_reason: 'text',
		platform_ad_id: 'text',
		platform_creative_id: 'text',
		platform_parent_id: 'text',
		platform_status: 'text',
		approved_by: 'text',
		approved_at: 'timestamptz',
		published_at: 'timestamptz',
		publish_outcome: 'text',
		publish_error: 'text',
		...ts,
	}),
	creative_runs: def('creative_runs', [], {
		id: 'uuid',
		platform: 'text',
		account_id: 'text',
		campaign_id: 'text',
		placement: 'text',
		tone: 'text',
		brief_hash: 'text',
		metric: 'text',
		chat_model: 'text',
		embedding_model: 'text',
		variants_requested: 'integer',
		max_attempts: 'integer',
		token_budget: 'bigint',
		prompt_tokens: 'bigint',
		completion_tokens: 'bigint',
		embedding_tokens: 'bigint',
		chat_requests: 'integer',
		embedding_requests: 'integer',
		status: 'text',
		message: 'text',
		variants_queued: 'integer',
		variants_duplicate: 'integer',
		variants_policy: 'integer',
		variants_existing: 'integer',
		variants_missing: 'integer',
		embeddings_cached: 'integer',
		details: 'jsonb',
		started_at: 'timestamptz',
		finished_at: 'timestamptz',
		...ts,
	}),
	optimization_rules: def('optimization_rules', ['rule_name'], {
		id: 'uuid',
		rule_name: 'text',
		platform: 'text',
		rule_type: 'text',
		conditions: 'jsonb',
		actions: 'jsonb',
		service_time_gating: 'jsonb',
		priority: 'integer',
		is_active: 'boolean',
		...ts,
	}),
	optimization_actions: def('optimization_actions', ['idempotency_key'], {
		id: 'uuid',
		idempotency_key: 'text',
		platform: 'text',
		account_id: 'text',
		campaign_id: 'text',
		rule_id: 'uuid',
		action_type: 'text',
		decision: 'text',
		action_details: 'jsonb',
		performance_snapshot: 'jsonb',
		service_time_met: 'boolean',
		action_taken: 'boolean',
		rule_key: 'text',
		evaluated_at: 'timestamptz',
		gates: 'jsonb',
		dry_run: 'boolean',
		outcome: 'text',
		proposal_id: 'text',
		platform_response: 'jsonb',
		error: 'text',
		executed_at: 'timestamptz',
		...ts,
	}),
	social_media_items: def('social_media_items', ['platform', 'object_id'], {
		id: 'uuid',
		platform: 'text',
		object_id: 'text',
		object_type: 'text',
		parent_id: 'text',
		post_id: 'text',
		ad_id: 'text',
		user_id: 'text',
		text: 'text',
		permalink: 'text',
		created_time: 'timestamptz',
		raw_data: 'jsonb',
		account_id: 'text',
		campaign_id: 'text',
		is_hidden: 'boolean',
		removed_at: 'timestamptz',
		moderated_at: 'timestamptz',
		...ts,
	}),
	item_classifications: def('item_classifications', ['item_id', 'model'], {
		id: 'uuid',
		item_id: 'uuid',
		model: 'text',
		intent: 'text',
		sentiment: 'text',
		language: 'text',
		categories: 'jsonb',
		confidence_score: 'numeric',
		reply_required: 'boolean',
		sentiment_score: 'numeric',
		source: 'text',
		fallback_reason: 'text',
		reasons: 'jsonb',
		...ts,
	}),
	moderation_actions: def('moderation_actions', ['idempotency_key'], {
		id: 'uuid',
		idempotency_key: 'text',
		item_id: 'uuid',
		action_type: 'text',
		action_status: 'text',
		suggested_reply: 'text',
		notion_record_id: 'text',
		executed_at: 'timestamptz',
		platform: 'text',
		comment_id: 'text',
		mode: 'text',
		rule_id: 'text',
		policy_version: 'text',
		reason: 'text',
		model: 'text',
		proposal_id: 'text',
		result: 'jsonb',
		error: 'text',
		...ts,
	}),
	ad_comment_signals: def('ad_comment_signals', ['platform', 'account_id', 'ad_id', 'date'], {
		id: 'uuid',
		platform: 'text',
		account_id: 'text',
		campaign_id: 'text',
		ad_id: 'text',
		date: 'date',
		comments: 'integer',
		negative_comments: 'integer',
		abusive_comments: 'integer',
		excluded_comments: 'integer',
		negative_share: 'numeric',
		abusive_share: 'numeric',
		...ts,
	}),
	webhook_replay_keys: def('webhook_replay_keys', ['replay_key'], {
		id: 'uuid',
		replay_key: 'text',
		expires_at: 'timestamptz',
		...ts,
	}),
	ingest_runs: def('ingest_runs', [], {
		id: 'uuid',
		platform: 'text',
		account_id: 'text',
		window_start: 'date',
		window_end: 'date',
		started_at: 'timestamptz',
		finished_at: 'timestamptz',
		duration_ms: 'bigint',
		rows_written: 'integer',
		rows_quarantined: 'integer',
		rows_unchanged: 'integer',
		rows_flagged: 'integer',
		outcome: 'text',
		error: 'text',
		warnings: 'jsonb',
		...ts,
	}),
	quarantine: def('quarantine', ['source', 'content_hash'], {
		id: 'uuid',
		source: 'text',
		platform: 'text',
		account_id: 'text',
		ingest_run_id: 'uuid',
		raw_payload: 'jsonb',
		reason: 'text',
		content_hash: 'text',
		created_at: 'timestamptz',
	}),
	quality_reports: def('quality_reports', ['report_date', 'scope'], {
		id: 'uuid',
		report_date: 'date',
		scope: 'text',
		score: 'numeric',
		level: 'text',
		checks: 'jsonb',
		generated_at: 'timestamptz',
		...ts,
	}),
	approvals: def('approvals', ['proposal_id'], {
		id: 'uuid',
		proposal_id: 'text',
		kind: 'text',
		status: 'text',
		payload: 'jsonb',
		payload_hash: 'text',
		evidence: 'jsonb',
		expires_at: 'timestamptz',
		notion_page_id: 'text',
		decided_by: 'text',
		decided_at: 'timestamptz',
		result: 'jsonb',
		error: 'text',
		title: 'text',
		platform: 'text',
		account_id: 'text',
		entity: 'text',
		proposed_change: 'text',
		impact: 'text',
		requested_at: 'timestamptz',
		card_hash: 'text',
		flag: 'text',
		flagged_at: 'timestamptz',
		refusals: 'integer',
		...ts,
	}),
	action_ledger: def('action_ledger', ['idempotency_key'], {
		id: 'uuid',
		idempotency_key: 'text',
		kind: 'text',
		target: 'text',
		intent: 'jsonb',
		status: 'text',
		attempts: 'integer',
		response: 'jsonb',
		error: 'text',
		completed_at: 'timestamptz',
		claimed_by: 'text',
		resolution: 'text',
		resolved_at: 'timestamptz',
		...ts,
	}),
	alert_threads: def('alert_threads', ['channel', 'thread_key'], {
		id: 'uuid',
		channel: 'text',
		thread_key: 'text',
		ts: 'text',
		...ts,
	}),
	app_state: def('app_state', ['key'], { key: 'text', value: 'jsonb', updated_at: 'timestamptz' }, [], 'key'),
	anomalies: def('anomalies', ANOMALY_NATURAL_KEY, ANOMALY_COLUMNS),
	budget_plans: def('budget_plans', BUDGET_PLAN_NATURAL_KEY, BUDGET_PLAN_COLUMNS),
	marketing_events: def('marketing_events', MARKETING_EVENT_NATURAL_KEY, MARKETING_EVENT_COLUMNS),
	event_quarantine: def('event_quarantine', EVENT_QUARANTINE_NATURAL_KEY, EVENT_QUARANTINE_COLUMNS),
	attributed_conversions: def('attributed_conversions', ATTRIBUTED_CONVERSION_NATURAL_KEY, ATTRIBUTED_CONVERSION_COLUMNS),
	conversion_uploads: def('conversion_uploads', CONVERSION_UPLOAD_NATURAL_KEY, CONVERSION_UPLOAD_COLUMNS),
};

export function tableDef(table: string): TableDef {
	// the read-only KPI views (views.ts) share the tables' column checks
	if (isViewName(table)) return VIEWS[table];
	if (!Object.prototype.hasOwnProperty.call(TABLES, table)) {
		throw new Error(`Unknown table "${table}". Known tables: ${Object.keys(TABLES).join(', ')}`);
	}
	return TABLES[table as TableName];
}

/** Columns a filter may use: scalar columns (not jsonb / arrays). */
export function isFilterable(kind: ColumnKind): boolean {
	return kind !== 'jsonb' && kind !== 'real[]';
}

/** Normalises a value read from any adapter to the store's JS representation. */
export function fromDb(table: TableDef, raw: Record<string, unknown>): Record<string, unknown> {
	const out: Record<string, unknown> = {};
	for (const [column, value] of Object.entries(raw)) {
		const kind = table.columns[column];
		out[column] = kind ? convert(kind, value) : value;
	}
	return out;
}

/** Normalises one value of a column of `kind` as `fromDb` does (for column-wise reads). */
export function convert(kind: ColumnKind, value: unknown): unknown {
	if (value === null || value === undefined) return null;
	switch (kind) {
		case 'numeric':
		case 'bigint':
		case 'integer':
			return typeof value === 'number' ? value : Number(value);
		case 'timestamptz':
			return new Date(value as string).toISOString();
		case 'date':
			return typeof value === 'string' ? value.slice(0, 10) : value;
		case 'real[]':
			return Array.isArray(value) ? value.map(Number) : value;
		case 'bytea':
			// JSON (to_jsonb, json_agg) and PostgREST give bytea as `\x` + hex
			return typeof value === 'string' && value.startsWith('\\x') ? Buffer.from(value.slice(2), 'hex') : value;
		default:
			return value;
	}
}
