/**
 * The ads a run evaluates for rules of level `ad` (issue 20 item 4). Not pure:
 * it reads the store and the platforms.
 *
 * - Metrics: `ad_performance` of the run's accounts since the rules' first
 *   day, one columnar read, appended to the campaign rows with their `ad_id`
 *   (metrics.ts keeps each ad in a series of its own, with the campaigns'
 *   window semantics: calendar days in the account's zone, exact sums, ratios
 *   of sums).
 * - Entities: every ad with a row in that read whose campaign the run listed
 *   (its account's currency and time zone), with the
 *   ad's status read from its platform (`AdControl.getAdState`, one read per
 *   ad, at most AD_READS_PER_RUN per run, a few at a time). An ad the
 *   platform no longer has, or whose read fails, is left out with a warning.
 */
import type { CampaignState } from '../platforms/types';
import type { PlatformId } from '../platforms/registry';
import type { Store, Where } from '../store/types';
import { adControlFor, errorInfo, type OptimizerAdapters } from './apply';
import type { EntityInput } from './evaluate';
import { entityKey, type MetricColumns } from './metrics';

/** The `ad_performance` columns the run reads. */
const AD_COLUMNS = ['date', 'platform', 'account_id', 'campaign_id', 'ad_group_id', 'ad_id', 'ad_name', 'currency', 'spend', 'impressions', 'clicks', 'conversions', 'revenue', 'leads'] as const;
/** Most ad status reads one run makes; further ads are left out with a warning. */
export const AD_READS_PER_RUN = 2_000;
const PARALLEL_READS = 4;

export interface AdRead {
	/** The campaign rows with the ad rows appended (`ad_id` set on these only). */
	metrics: MetricColumns;
	entities: EntityInput[];
	/** `ad_performance` rows read. */
	adRows: number;
}

/** Campaign rows plus ad rows as one columnar input of the metric index. */
function appendAdRows(campaigns: MetricColumns, ads: { length: number; columns: Record<string, ReadonlyArray<unknown>> }): MetricColumns {
	const fields = ['date', 'platform', 'account_id', 'campaign_id', 'currency', 'spend', 'impressions', 'clicks', 'conversions', 'revenue', 'leads'] as const;
	const columns: Record<string, unknown[]> = {};
	for (const f of fields) columns[f] = [...((campaigns.columns as Record<string, ReadonlyArray<unknown>>)[f] ?? new Array(campaigns.length).fill(null)), ...(ads.columns[f] ?? [])];
	columns.ad_id = [...new Array(campaigns.length).fill(null), ...ads.columns.ad_id];
	return { length: campaigns.length + ads.length, columns } as unknown as MetricColumns;
}

export async function readAds(
	store: Store,
	adapters: OptimizerAdapters,
	where: { platforms: string[]; accountIds: string[]; from: string | null },
	campaigns: ReadonlyMap<string, CampaignState>,
	metrics: MetricColumns,
	warnings: string[],
	signal?: AbortSignal,
): Promise<AdRead> {
	const filter: Where<'ad_performance'> = { platform: { in: where.platforms as PlatformId[] }, account_id: { in: where.accountIds } };
	if (where.from) filter.date = { gte: where.from };
	const rows = await store.selectColumnar('ad_performance', AD_COLUMNS, { where: filter });
	const c = rows.columns;
	// one entity per ad whose campaign was listed (its zone, currency and labels come from there)
	const ads = new Map<string, { campaign: CampaignState; adId: string; adGroupId: string | null; name: string | null }>();
	for (let i = 0; i < rows.length; i++) {
		const campaign = campaigns.get(entityKey(c.platform[i], c.account_id[i], c.campaign_id[i]));
		if (!campaign || !c.ad_id[i]) continue;
		const key = entityKey(c.platform[i], c.account_id[i], c.campaign_id[i], c.ad_id[i]);
		const seen = ads.get(key);
		// the latest name wins (rows come in any order: keep the non-empty one)
		if (!seen) ads.set(key, { campaign, adId: c.ad_id[i], adGroupId: c.ad_group_id[i] || null, name: c.ad_name[i] || null });
		else if (!seen.name && c.ad_name[i]) seen.name = c.ad_name[i];
	}
	const list = [...ads.values()].sort((a, b) => (a.campaign.platform + a.adId < b.campaign.platform + b.adId ? -1 : 1));
	if (list.length > AD_READS_PER_RUN) warnings.push(`${list.length} ads have rows in ad_performance: the first ${AD_READS_PER_RUN} are evaluated this run (their statuses are read one by one)`);
	const entities: EntityInput[] = [];
	const todo = list.slice(0, AD_READS_PER_RUN);
	let next = 0;
	const worker = async () => {
		while (next < todo.length) {
			const ad = todo[next++];
			const s = ad.campaign;
			try {
				const state = await adControlFor(adapters, s.platform).getAdState(s.accountId, ad.adId, signal);
				if (!state) {
					warnings.push(`${s.platform} ad ${ad.adId} of campaign ${s.campaignId} has rows in ad_performance but is not in account ${s.accountId} any more (removed?): not evaluated`);
					continue;
				}
				entities.push({
					platform: s.platform,
					accountId: s.accountId,
					campaignId: s.campaignId,
					adId: ad.adId,
					adGroupId: state.adGroupId ?? ad.adGroupId,
					name: state.name ?? ad.name,
					status: state.status,
					createdAt: null,
					dailyBudget: null,
					currency: s.currency ?? '',
					timezone: s.timezone ?? '',
				});
			} catch (error) {
				warnings.push(`${s.platform} ad ${ad.adId} of campaign ${s.campaignId} was not evaluated: reading its status failed (${errorInfo(error).message})`);
			}
		}
	};
	await Promise.all(Array.from({ length: Math.min(PARALLEL_READS, todo.length) }, worker));
	return { metrics: appendAdRows(metrics, { length: rows.length, columns: rows.columns as unknown as Record<string, ReadonlyArray<unknown>> }), entities, adRows: rows.length };
}
