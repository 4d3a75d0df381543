/**
 * Daily metrics per ad (issue 20 item 2): what ingest/ads.ts reads from the
 * platforms, through each adapter's own client (`fetchAdDailyMetrics`):
 *   - Google Ads: GAQL `FROM ad_group_ad` with `segments.date` (ad group and ad);
 *   - Meta: insights `level=ad` (`adset_id`, `adset_name`, `ad_id`, `ad_name`);
 *   - LinkedIn: adAnalytics `q=statistics&pivots=List(CAMPAIGN,CREATIVE)`: the
 *     creative is the ad, and the campaign stands as its ad group (LinkedIn
 *     has no level between campaign and creative).
 * Rows are the campaign rows' shape (DailyMetricRow, not yet validated) plus
 * the ad group and ad; a missing or unreadable id stays '' so validation
 * quarantines the row with the platform's payload.
 */
import type { DailyMetricRow, DailyMetricsQuery, DailyMetricsResult } from './types';
import { parseDay } from './types';

export interface AdIdentity {
	/** Google Ads ad group, Meta ad set, LinkedIn campaign. */
	adGroupId: string;
	adGroupName: string | null;
	/** Google Ads ad id, Meta ad id, LinkedIn creative id (the URN's digits). */
	adId: string;
	adName: string | null;
}

export type AdMetricRow = DailyMetricRow & AdIdentity;

export interface AdMetricsResult extends Omit<DailyMetricsResult, 'rows'> {
	rows: AdMetricRow[];
}

/** An adapter that reports daily metrics per ad. */
export interface AdReporting {
	fetchAdDailyMetrics(query: DailyMetricsQuery): Promise<AdMetricsResult>;
}

export function canReportAds(adapter: unknown): adapter is AdReporting {
	return typeof (adapter as Partial<AdReporting> | null)?.fetchAdDailyMetrics === 'function';
}

const text = (v: unknown): string => (typeof v === 'string' || typeof v === 'number' ? String(v) : '');
const name = (v: unknown): string | null => (typeof v === 'string' ? v : null);

/** GAQL of the daily ad report (the campaign report's columns plus ad group and ad). */
export function googleAdsAdDailyQuery(since: string, until: string): string {
	parseDay(since);
	parseDay(until);
	return (
		'SELECT customer.id, customer.currency_code, customer.time_zone, campaign.id, campaign.name, ad_group.id, ad_group.name, ' +
		'ad_group_ad.ad.id, ad_group_ad.ad.name, segments.date, ' +
		'metrics.cost_micros, metrics.impressions, metrics.clicks, metrics.conversions, metrics.conversions_value ' +
		`FROM ad_group_ad WHERE segments.date BETWEEN '${since}' AND '${until}'`
	);
}

/** Ad group and ad of a Google Ads row (the library's snake_case objects). */
export function googleAdIdentity(row: Record<string, Record<string, unknown> | undefined>): AdIdentity {
	const ad = (row.ad_group_ad?.ad ?? {}) as Record<string, unknown>;
	return { adGroupId: text(row.ad_group?.id), adGroupName: name(row.ad_group?.name), adId: text(ad.id), adName: name(ad.name) };
}

/** Insights fields of an ad row, added to the campaign fields. */
export const META_AD_FIELDS = ['adset_id', 'adset_name', 'ad_id', 'ad_name'] as const;

export function metaAdIdentity(row: Record<string, unknown>): AdIdentity {
	return { adGroupId: text(row.adset_id), adGroupName: name(row.adset_name), adId: text(row.ad_id), adName: name(row.ad_name) };
}

/** LinkedIn pivots of the ad report: campaign first, then the creative. */
export const LINKEDIN_AD_PIVOTS = ['CAMPAIGN', 'CREATIVE'] as const;

/** Ad identity of a LinkedIn element pivoted by campaign and creative (the ad group is the campaign). */
export function linkedInAdIdentity(pivotValues: unknown, campaignName: string | null): AdIdentity & { campaignId: string } {
	const values = Array.isArray(pivotValues) ? pivotValues : [];
	const digits = (urn: unknown, type: string): string => {
		const m = typeof urn === 'string' ? new RegExp(`^urn:li:${type}:(\\d+)$`).exec(urn.trim()) : null;
		return m ? m[1]! : '';
	};
	const campaignId = digits(values[0], 'sponsoredCampaign');
	return { campaignId, adGroupId: campaignId, adGroupName: campaignName, adId: digits(values[1], 'sponsoredCreative'), adName: null };
}
