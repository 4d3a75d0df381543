/**
 * Row schema of attributed_conversions (migration 20250617000100_attributed_conversions.sql),
 * registered in schema/rows.ts (rowSchemas) and store/tables.ts.
 */
import { z } from 'zod';

/** The rule-based models (rules.ts), then the data-driven ones: the one list of model ids (index.ts ATTRIBUTION_MODELS). */
export const RULE_MODEL_IDS = ['last_click', 'first_click', 'linear', 'time_decay', 'position_based'] as const;
export const MODEL_IDS = [...RULE_MODEL_IDS, 'markov', 'shapley'] as const;

export const attributedConversionRow = z
	.object({
		model: z.enum(MODEL_IDS),
		date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date YYYY-MM-DD'),
		platform: z.string().min(1),
		campaign_id: z.string().default(''),
		currency: z.string().default(''),
		conversions: z.number().finite().nonnegative(),
		revenue: z.number().finite().nonnegative(),
		lookback_days: z.number().int().positive(),
		computed_at: z.string().datetime({ offset: true }),
	})
	.strict();

export const ATTRIBUTED_CONVERSION_COLUMNS = {
	id: 'uuid',
	model: 'text',
	date: 'date',
	platform: 'text',
	campaign_id: 'text',
	currency: 'text',
	conversions: 'numeric',
	revenue: 'numeric',
	lookback_days: 'integer',
	computed_at: 'timestamptz',
	created_at: 'timestamptz',
	updated_at: 'timestamptz',
} as const;
export const ATTRIBUTED_CONVERSION_NATURAL_KEY = ['model', 'date', 'platform', 'campaign_id', 'currency'] as const;
