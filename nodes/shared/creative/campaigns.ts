/**
 * The campaigns a scheduled creative run writes for: those of the creative
 * platforms with spend in the last days, from `campaign_performance` (one
 * query), newest name first.
 */
import type { Store } from '../store';
import { roundAmount } from '../metrics';
import { accountUrl, campaignUrl } from '../platforms/account-url';
import type { AccountChoice } from '../platforms/listing';
import { CREATIVE_PLATFORMS, type CreativePlatform } from './variant';

export interface ActiveCampaign {
	platform: CreativePlatform;
	accountId: string;
	campaignId: string;
	campaignName: string | null;
	/** Spend over the window, in the rows' currency. */
	spend: number;
	currency: string | null;
	lastDate: string;
}

export interface ActiveCampaignOptions {
	/** Days back from `now` (default 7). */
	days?: number;
	/** Default: every creative platform (Google Ads, Meta, LinkedIn). */
	platforms?: readonly CreativePlatform[];
	/** Only these accounts (default: all). */
	accountIds?: readonly string[];
	now?: Date;
}

export async function activeCampaigns(store: Store, options: ActiveCampaignOptions = {}): Promise<ActiveCampaign[]> {
	const days = options.days ?? 7;
	if (!(Number.isInteger(days) && days >= 1 && days <= 365)) throw new RangeError('days must be a whole number from 1 to 365');
	const platforms = options.platforms?.length ? [...options.platforms] : [...CREATIVE_PLATFORMS];
	for (const p of platforms) if (!(CREATIVE_PLATFORMS as readonly string[]).includes(p)) throw new RangeError(`"${p}" is not a creative platform (google_ads, meta, linkedin)`);
	const since = new Date((options.now ?? new Date()).getTime() - days * 86_400_000).toISOString().slice(0, 10);
	const rows = await store.select('campaign_performance', {
		where: { platform: { in: platforms }, date: { gte: since }, ...(options.accountIds?.length ? { account_id: { in: [...options.accountIds] } } : {}) },
		order: [{ column: 'date', ascending: false }],
	});
	const byCampaign = new Map<string, ActiveCampaign>();
	for (const r of rows) {
		const key = `${r.platform}|${r.account_id}|${r.campaign_id}`;
		const seen = byCampaign.get(key);
		if (seen) {
			seen.spend += Number(r.spend ?? 0);
			continue;
		}
		byCampaign.set(key, {
			platform: r.platform as CreativePlatform,
			accountId: r.account_id,
			campaignId: r.campaign_id,
			campaignName: r.campaign_name ?? null,
			spend: Number(r.spend ?? 0),
			currency: r.currency ?? null,
			lastDate: r.date,
		});
	}
	// sums of float rows carry noise (277.42199999999997): spend is shown in the currency's minor unit
	for (const c of byCampaign.values()) c.spend = roundAmount(c.spend, c.currency);
	return [...byCampaign.values()].filter((c) => c.spend > 0).sort((a, b) => (a.platform + a.accountId + a.campaignId < b.platform + b.accountId + b.campaignId ? -1 : 1));
}

const contains = (needle: string, ...texts: Array<string | null>) => !needle || texts.some((t) => (t ?? '').toLowerCase().includes(needle));

/**
 * Campaigns as picker entries ("Spring Sale · 120210000000001", and "· account 123" when the list
 * spans accounts), those whose name or id contains `filter` (any case), by name then id; each links
 * to the campaign in its platform's manager.
 */
export function campaignChoices(campaigns: readonly ActiveCampaign[], options: { filter?: string; accountNamed?: boolean } = {}): AccountChoice[] {
	const needle = (options.filter ?? '').trim().toLowerCase();
	return campaigns
		.filter((c) => contains(needle, c.campaignId, c.campaignName))
		.sort((a, b) => (a.campaignName ?? a.campaignId).localeCompare(b.campaignName ?? b.campaignId, 'en') || a.campaignId.localeCompare(b.campaignId))
		.map((c) => ({
			name: [c.campaignName ?? c.campaignId, c.campaignName ? c.campaignId : null, options.accountNamed ? `account ${c.accountId}` : null].filter(Boolean).join(' · '),
			value: c.campaignId,
			url: campaignUrl(c.platform, c.accountId, c.campaignId),
		}));
}

/**
 * The accounts of `campaigns` as picker entries ("123 · USD · 4 campaigns with spend"), those whose
 * id contains `filter`, by id; each links to the account in its platform's manager.
 */
export function campaignAccountChoices(campaigns: readonly ActiveCampaign[], filter = ''): AccountChoice[] {
	const needle = filter.trim().toLowerCase();
	const byAccount = new Map<string, { platform: CreativePlatform; campaigns: number; currency: string | null }>();
	for (const c of campaigns) {
		const seen = byAccount.get(c.accountId) ?? { platform: c.platform, campaigns: 0, currency: c.currency };
		byAccount.set(c.accountId, { ...seen, campaigns: seen.campaigns + 1 });
	}
	return [...byAccount]
		.filter(([id]) => contains(needle, id))
		.sort(([a], [b]) => a.localeCompare(b))
		.map(([id, a]) => ({ name: [id, a.currency, `${a.campaigns} campaign${a.campaigns === 1 ? '' : 's'} with spend`].filter(Boolean).join(' · '), value: id, url: accountUrl(a.platform, id) }));
}
