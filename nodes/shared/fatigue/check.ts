/**
 * The fatigue check over stored ads (issue 20 item 3): reads `ad_performance`
 * for the days up to `asOf` (default: the latest stored day), judges every ad
 * with detect.ts, and returns the fatigued ones with their numbers and words.
 * An ad with no row on a day had no impressions that day (the platforms leave
 * such days out), so the series simply skips it.
 */
import type { Store } from '../store/types';
import { addDays } from '../ingest/dates';
import { storedAdId } from '../ingest/variant-ads';
import { detectFatigue, FATIGUE_DEFAULTS, type FatigueParams } from './detect';
import type { FatiguedAd } from './words';

export interface FatigueCheckOptions {
	store: Store;
	/** Only these platforms (empty: all). */
	platforms?: readonly string[];
	/** Only this account (canonical id as stored). */
	accountId?: string;
	/** Last day judged, `YYYY-MM-DD` (default: the latest day stored for the selection). */
	asOf?: string;
	/** Days of history read before `asOf` (default baseline + longest recent segment = 42). */
	historyDays?: number;
	params?: Partial<FatigueParams>;
}

export interface FatigueCheckResult {
	asOf: string | null;
	/** Ads with a verdict (fatigued or not). */
	judged: number;
	/** Ads without one (too young, too few clicks). */
	notJudged: number;
	fatigued: FatiguedAd[];
}

export async function checkFatigue(opts: FatigueCheckOptions): Promise<FatigueCheckResult> {
	const { store } = opts;
	const scope: Record<string, unknown> = {};
	if (opts.platforms && opts.platforms.length > 0) scope.platform = { in: [...opts.platforms] };
	if (opts.accountId) scope.account_id = opts.accountId;
	let asOf = opts.asOf ?? null;
	if (asOf === null) {
		const last = await store.select('ad_performance', { where: scope as never, order: { column: 'date', ascending: false }, limit: 1 });
		asOf = last.length > 0 ? last[0].date : null;
	}
	if (asOf === null) return { asOf: null, judged: 0, notJudged: 0, fatigued: [] };
	const history = opts.historyDays ?? (opts.params?.baselineDays ?? FATIGUE_DEFAULTS.baselineDays) + (opts.params?.maxRecentDays ?? FATIGUE_DEFAULTS.maxRecentDays);
	const rows = await store.select('ad_performance', {
		where: { ...scope, date: { gte: addDays(asOf, 1 - history), lte: asOf } } as never,
		order: [{ column: 'date' }],
	});
	const ads = new Map<string, typeof rows>();
	for (const r of rows) {
		const key = [r.platform, r.account_id, r.campaign_id, r.ad_group_id, r.ad_id].join('\u0000');
		const list = ads.get(key);
		if (list) list.push(r);
		else ads.set(key, [r]);
	}
	const result: FatigueCheckResult = { asOf, judged: 0, notJudged: 0, fatigued: [] };
	for (const series of ads.values()) {
		const last = series[series.length - 1];
		// an ad without delivery in the last 3 days up to asOf (paused, ended) is not judged: its CTR is not falling now
		if (last.date < addDays(asOf, -2)) {
			result.notJudged++;
			continue;
		}
		const verdict = detectFatigue(
			series.map((r) => ({ date: r.date, impressions: Number(r.impressions), clicks: Number(r.clicks) })),
			opts.params,
		);
		if (verdict.notJudged !== null) {
			result.notJudged++;
			continue;
		}
		result.judged++;
		if (verdict.fatigued) {
			const campaignName = [...series].reverse().find((r) => r.campaign_name)?.campaign_name ?? null;
			result.fatigued.push({ platform: last.platform, accountId: last.account_id, campaignId: last.campaign_id, adGroupId: last.ad_group_id, adId: last.ad_id, adName: last.ad_name ?? null, campaignName, copy: null, verdict });
		}
	}
	await attachCopy(store, result.fatigued);
	return result;
}

/**
 * Each fatigued ad's current copy: the stored creative variant published as that ad (its platform_ad_id
 * maps to the ad id by variant-ads.ts storedAdId; the latest published when several do). One read for
 * the fatigued ads' campaigns, text columns only.
 */
async function attachCopy(store: Store, ads: FatiguedAd[]): Promise<void> {
	if (ads.length === 0) return;
	const variants = await store.selectColumns('creative_variants', ['platform', 'account_id', 'campaign_id', 'platform_ad_id', 'published_at', 'headline', 'primary_text', 'description', 'copy_angle'], {
		where: { platform: { in: [...new Set(ads.map((a) => a.platform))] }, campaign_id: { in: [...new Set(ads.map((a) => a.campaignId))] } } as never,
	});
	for (const ad of ads) {
		const mine = variants
			.filter((v) => v.platform === ad.platform && (v.account_id === null || v.account_id === ad.accountId) && storedAdId(v.platform, v.platform_ad_id) === ad.adId)
			.sort((x, y) => (Date.parse(String(y.published_at ?? '')) || 0) - (Date.parse(String(x.published_at ?? '')) || 0));
		const v = mine[0];
		ad.copy = v ? { headline: v.headline ?? null, primaryText: v.primary_text ?? null, description: v.description ?? null, angle: v.copy_angle ?? null } : null;
	}
}
