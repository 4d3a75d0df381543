/**
 * A published creative variant's own results (issue 20 item 2): the variant's
 * `platform_ad_id` (publish.ts: Meta ad id, Google Ads ad group ad resource
 * name `customers/C/adGroupAds/G~A`, LinkedIn creative URN) is turned into the
 * ad id `ad_performance` stores (ads.ts: Meta ad id, Google ad id A, the
 * LinkedIn creative's digits), and that ad's stored days are summed.
 */
import { currencyExponent } from '../platforms/currency';
import type { Store } from '../store/types';

/**
 * The `ad_performance.ad_id` of a published ad; null when the id has no recognisable form. One rule for
 * every platform's published id: the digits after a Google Ads ad group ad's `~`, after a LinkedIn
 * `urn:li:sponsoredCreative:`, or the whole id when it is all digits (Meta). The platform is kept in the
 * signature for callers that know it; the forms do not overlap.
 */
export function storedAdId(_platform: string, platformAdId: string | null | undefined): string | null {
	const id = (platformAdId ?? '').trim();
	return /(?:\/adGroupAds\/\d+~|^urn:li:sponsoredCreative:|^)(\d+)$/.exec(id)?.[1] ?? null;
}

export interface VariantResults {
	variantId: string;
	adId: string | null;
	days: number;
	first: string | null;
	last: string | null;
	impressions: number;
	clicks: number;
	/** Reporting currency of the stored rows (null when none). */
	currency: string | null;
	spend: number;
	conversions: number;
	revenue: number | null;
	/** clicks / impressions; null without impressions. */
	ctr: number | null;
}

/** The summed stored days of each variant's ad (one read per platform), in input order. */
export async function variantResults(store: Store, variants: ReadonlyArray<{ id: string; platform: string; account_id: string | null; platform_ad_id: string | null }>): Promise<VariantResults[]> {
	const wanted = variants.map((v) => ({ v, adId: storedAdId(v.platform, v.platform_ad_id) }));
	const byPlatform = new Map<string, string[]>();
	for (const w of wanted) if (w.adId) byPlatform.set(w.v.platform, [...(byPlatform.get(w.v.platform) ?? []), w.adId]);
	const rows = (await Promise.all([...byPlatform].map(([platform, ids]) => store.select('ad_performance', { where: { platform, ad_id: { in: ids } }, order: [{ column: 'date' }] })))).flat();
	return wanted.map(({ v, adId }) => {
		const mine = rows.filter((r) => r.platform === v.platform && r.ad_id === adId && (v.account_id === null || r.account_id === v.account_id));
		const sum = (f: (r: (typeof mine)[number]) => number | null) => mine.reduce((t, r) => t + Number(f(r) ?? 0), 0);
		const currency = mine[0]?.currency ?? null;
		const unit = 10 ** (currency ? (currencyExponent(currency) ?? 2) : 2);
		const money = (x: number) => Math.round(x * unit) / unit;
		const impressions = sum((r) => r.impressions);
		const clicks = sum((r) => r.clicks);
		return {
			variantId: v.id,
			adId,
			days: mine.length,
			first: mine[0]?.date ?? null,
			last: mine[mine.length - 1]?.date ?? null,
			impressions,
			clicks,
			currency,
			spend: money(sum((r) => r.spend)),
			conversions: sum((r) => r.conversions),
			revenue: mine.some((r) => r.revenue !== null) ? money(sum((r) => r.revenue)) : null,
			ctr: impressions > 0 ? clicks / impressions : null,
		};
	});
}
