/**
 * View registry: the read-only relations the store reads with `selectView`
 * (the KPI views of supabase/migrations 20250611000000_insights.sql and
 * 20250613000000_kpi_views.sql). Same shape as a table's definition, so the
 * adapters' column, filter and order checks apply unchanged; no natural key,
 * so nothing can be written through them. Values come back as from a table:
 * numeric columns as JS numbers (the nearest double), dates as `YYYY-MM-DD`.
 */
import type { TableName } from '../schema/rows';
import type { ColumnKind, Condition, TableDef } from './defs';

function view(name: string, columns: Record<string, ColumnKind>, orderColumn: string): TableDef {
	// `name` is a view, not a table: the cast lets the table checks (which only read `name` for messages) run on it
	return { name: name as TableName, columns, naturalKey: [], primaryKey: orderColumn, readOnly: Object.keys(columns) };
}

const sums = {
	spend: 'numeric',
	impressions: 'numeric',
	clicks: 'numeric',
	conversions: 'numeric',
	revenue: 'numeric',
	ctr: 'numeric',
	cpc: 'numeric',
	cpa: 'numeric',
	roas: 'numeric',
} as const satisfies Record<string, ColumnKind>;

export const VIEWS = {
	/** One row per campaign and day (campaign_performance's own row with its ratios). */
	mv_campaign_daily_summary: view('mv_campaign_daily_summary', { platform: 'text', account_id: 'text', campaign_id: 'text', campaign_name: 'text', date: 'date', currency: 'text', ...sums }, 'date'),
	/** One row per platform, account, day and reporting currency. */
	mv_account_daily_summary: view('mv_account_daily_summary', { platform: 'text', account_id: 'text', date: 'date', currency: 'text', campaigns: 'integer', ...sums }, 'date'),
	/** One row per platform, day and reporting currency. */
	mv_platform_comparison: view('mv_platform_comparison', { platform: 'text', date: 'date', currency: 'text', accounts: 'integer', campaigns: 'integer', ...sums }, 'date'),
	/** One row per published creative variant and reporting currency of its ad's days (20250621000000_creative_variant_results.sql): sums only, no ratios. */
	creative_variant_results: view(
		'creative_variant_results',
		{
			variant_id: 'text',
			platform: 'text',
			account_id: 'text',
			campaign_id: 'text',
			copy_angle: 'text',
			headline: 'text',
			primary_text: 'text',
			description: 'text',
			platform_ad_id: 'text',
			published_at: 'timestamptz',
			ad_id: 'text',
			currency: 'text',
			days: 'integer',
			spend: 'numeric',
			impressions: 'numeric',
			clicks: 'numeric',
			conversions: 'numeric',
			revenue: 'numeric',
		},
		'variant_id',
	),
} as const;

export type ViewName = keyof typeof VIEWS;

/** The daily sums and ratios every KPI view has (revenue and the ratios null when not defined). */
export interface KpiSums {
	spend: number;
	impressions: number;
	clicks: number;
	conversions: number;
	revenue: number | null;
	ctr: number | null;
	cpc: number | null;
	cpa: number | null;
	roas: number | null;
}

export interface ViewRows {
	mv_campaign_daily_summary: KpiSums & { platform: string; account_id: string; campaign_id: string; campaign_name: string | null; date: string; currency: string };
	mv_account_daily_summary: KpiSums & { platform: string; account_id: string; date: string; currency: string; campaigns: number };
	mv_platform_comparison: KpiSums & { platform: string; date: string; currency: string; accounts: number; campaigns: number };
	creative_variant_results: {
		variant_id: string;
		platform: string;
		account_id: string | null;
		campaign_id: string;
		copy_angle: string | null;
		headline: string | null;
		primary_text: string | null;
		description: string | null;
		platform_ad_id: string;
		published_at: string | null;
		/** The ad id ad_performance stores (null when platform_ad_id has no recognisable form). */
		ad_id: string | null;
		/** Reporting currency of the ad's days; null when no day is stored yet. */
		currency: string | null;
		days: number;
		spend: number;
		impressions: number;
		clicks: number;
		conversions: number;
		revenue: number | null;
	};
}

export type ViewRow<V extends ViewName> = ViewRows[V];

export interface ViewQuery<V extends ViewName> {
	where?: { [K in keyof ViewRow<V> & string]?: Condition };
	order?: ReadonlyArray<{ column: keyof ViewRow<V> & string; ascending?: boolean }>;
	limit?: number;
}

export function isViewName(name: string): name is ViewName {
	return Object.prototype.hasOwnProperty.call(VIEWS, name);
}

/** Every column of a view, in registry order. */
export function viewColumns(name: ViewName): string[] {
	return Object.keys(VIEWS[name].columns);
}
