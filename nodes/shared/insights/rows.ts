/**
 * Row schemas of the insights tables (migration 20250611000000_insights.sql),
 * registered in schema/rows.ts (rowSchemas, rowChecks) and store/tables.ts.
 */
import { z } from 'zod';
import { INSIGHT_METRICS } from './series';

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date YYYY-MM-DD');
const nonEmpty = z.string().min(1);
const finite = z.number().finite();

export const ANOMALY_PATTERNS = ['tracking_break', 'spend_stuck_at_zero', 'delivery_collapse', 'cost_spike'] as const;

export const anomalyRow = z
	.object({
		platform: nonEmpty,
		account_id: nonEmpty,
		/** '' = the account as a whole. */
		campaign_id: z.string().default(''),
		campaign_name: z.string().nullable().default(null),
		metric: z.enum(INSIGHT_METRICS),
		date: isoDate,
		episode_start: isoDate,
		direction: z.enum(['spike', 'drop']),
		pattern: z.enum(ANOMALY_PATTERNS).nullable().default(null),
		actual: finite,
		expected: finite,
		lower_bound: finite,
		upper_bound: finite,
		score: finite,
		volume: finite.min(0),
		currency: z.string().regex(/^[A-Z]{3}$/).nullable().default(null),
		method: z.enum(['stl', 'weekday']),
		alpha: z.number().gt(0).lt(1),
		last_days: z.array(z.object({ date: isoDate, value: z.number().nullable(), expected: z.number().nullable() })).default([]),
		alerted_score: finite.nullable().default(null),
		alerted_at: z.string().nullable().default(null),
		alert_ts: z.string().nullable().default(null),
	})
	.strict();

/** Checks across columns of an anomaly row (run by the store after the schema, schema/rows.ts rowChecks). */
export function anomalyProblems(row: { episode_start?: string; date?: string }): string[] {
	return row.episode_start !== undefined && row.date !== undefined && row.episode_start > row.date ? ['episode_start must not be after date'] : [];
}

export const budgetPlanRow = z
	.object({
		platform: nonEmpty,
		account_id: nonEmpty,
		campaign_id: z.string().default(''),
		month: isoDate.refine((d) => d.endsWith('-01'), 'must be the first day of the month'),
		amount: z.number().positive().finite(),
		currency: z.string().regex(/^[A-Z]{3}$/),
		note: z.string().nullable().default(null),
	})
	.strict();

export const ANOMALY_NATURAL_KEY = ['platform', 'account_id', 'campaign_id', 'metric', 'date'] as const;
export const BUDGET_PLAN_NATURAL_KEY = ['platform', 'account_id', 'campaign_id', 'month'] as const;

export const ANOMALY_COLUMNS = {
	id: 'uuid',
	platform: 'text',
	account_id: 'text',
	campaign_id: 'text',
	campaign_name: 'text',
	metric: 'text',
	date: 'date',
	episode_start: 'date',
	direction: 'text',
	pattern: 'text',
	actual: 'numeric',
	expected: 'numeric',
	lower_bound: 'numeric',
	upper_bound: 'numeric',
	score: 'numeric',
	volume: 'numeric',
	currency: 'text',
	method: 'text',
	alpha: 'numeric',
	last_days: 'jsonb',
	alerted_score: 'numeric',
	alerted_at: 'timestamptz',
	alert_ts: 'text',
	created_at: 'timestamptz',
	updated_at: 'timestamptz',
} as const;

export const BUDGET_PLAN_COLUMNS = {
	id: 'uuid',
	platform: 'text',
	account_id: 'text',
	campaign_id: 'text',
	month: 'date',
	amount: 'numeric',
	currency: 'text',
	note: 'text',
	created_at: 'timestamptz',
	updated_at: 'timestamptz',
} as const;
