/**
 * Ad-level reports of the sandbox world (issue 20 item 2): every campaign's
 * daily delivery split over its ads, so that the ads of a campaign sum to the
 * campaign's own row exactly (impressions, clicks, conversions and leads as
 * whole numbers, spend and revenue to the currency's minor unit).
 *
 * The ads of a campaign (deterministic in the world seed):
 *   - Google Ads: the two ad groups of publish.ts (`googleAdGroupId(c, 1)`
 *     "| Core" with three fifths of the delivery, `googleAdGroupId(c, 2)`
 *     "| Broad" with the rest), two responsive search ads in each;
 *   - Meta: the campaign's one ad set (`metaAdSetId`) and its seeded ads
 *     (`world.meta.ads`);
 *   - LinkedIn: two sponsored creatives under the campaign (LinkedIn has no
 *     level between campaign and creative: the ad group is the campaign);
 *   - ads made through the publish endpoints deliver from the day after they
 *     were created while they are ACTIVE / ENABLED.
 * Each ad has its own share of impressions (0.5..1.5) and CTR factor
 * (0.75..1.25); about one ad in three tires: its CTR falls by 40..60 % along a
 * logistic centred 5..12 days before the world's first `today` (so the fatigue
 * check has something recent to find).
 *
 * A day is split by largest remainders (ties to the earlier ad): impressions
 * by share, clicks by impressions x CTR factor (never more than the ad's
 * impressions), conversions and leads by clicks, spend (in minor units) by
 * impressions, revenue (in minor units) by conversions.
 *
 * Served as: Meta insights `level=ad` (ad_id, ad_name, adset_id, adset_name),
 * Google Ads GAQL `FROM ad_group_ad` with `segments.date`, LinkedIn
 * adAnalytics `q=statistics&pivots=List(CAMPAIGN,CREATIVE)`.
 */
import { HISTORY_DAYS, findAccount, type AdAccount, type AdPlatform, type Campaign, type DailyMetrics, type World } from '../world';
import { addDays, daysBetween, fromMinor, rngFor, toMinor } from '../rng';
import { googleAdGroupId, metaAdSetId, publishedAds, type PublishedPlatform } from './publish';

export interface SandboxAd {
	adGroupId: string;
	adGroupName: string;
	adId: string;
	adName: string;
	/** First day the ad can deliver. */
	from: string;
	/** Relative share of the campaign's impressions. */
	share: number;
	ctrFactor: number;
	/** Fatigue: day index (from the world's first date) of the logistic's midpoint and its final drop; drop 0 = none. */
	fatigueMid: number;
	fatigueDrop: number;
}

function adOf(world: World, platform: AdPlatform, adGroupId: string, adGroupName: string, adId: string, adName: string, from: string, groupShare = 1): SandboxAd {
	const rng = rngFor(world.seed, 'ad-split', platform, adId);
	const share = rng.float(0.5, 1.5) * groupShare;
	const ctrFactor = rng.float(0.75, 1.25);
	const tires = rng.chance(1 / 3);
	// the CTR halves around 5 to 12 days before the world's first today: a fresh fatigue the check can still see
	const fatigueMid = rng.int(HISTORY_DAYS - 12, HISTORY_DAYS - 5);
	const fatigueDrop = tires ? rng.float(0.4, 0.6) : 0;
	return { adGroupId, adGroupName, adId, adName, from, share, ctrFactor, fatigueMid, fatigueDrop };
}

const PUBLISHED: Record<AdPlatform, PublishedPlatform> = { google: 'google_ads', meta: 'meta', linkedin: 'linkedin' };

/** Ads created through the publish endpoints that deliver (ACTIVE / ENABLED), from the day after their creation. */
function published(world: World, platform: AdPlatform, campaign: Campaign): Array<{ id: string; parentId?: string; name: string; from: string }> {
	return publishedAds(world, PUBLISHED[platform])
		.filter((a) => a.campaignId === campaign.id && (a.status === 'ACTIVE' || a.status === 'ENABLED'))
		.map((a) => ({ id: platform === 'linkedin' ? (/(\d+)$/.exec(a.creativeId ?? a.id)?.[1] ?? a.id) : platform === 'google' ? (/(\d+)$/.exec(a.id)?.[1] ?? a.id) : a.id, parentId: a.parentId, name: a.name, from: addDays(new Date(a.createdAtMs).toISOString().slice(0, 10), 1) }));
}

/** The ads of a campaign, in a fixed order. */
export function sandboxAds(world: World, account: AdAccount, campaign: Campaign): SandboxAd[] {
	const start = campaign.createdDate;
	const extra = published(world, account.platform, campaign);
	if (account.platform === 'google') {
		const groups: Array<[string, string, number]> = [
			[googleAdGroupId(campaign.id, 1), `${campaign.name} | Core`, 0.6],
			[googleAdGroupId(campaign.id, 2), `${campaign.name} | Broad`, 0.4],
		];
		const ads: SandboxAd[] = [];
		for (const [id, name, share] of groups) {
			const mine = [adOf(world, 'google', id, name, `${id}1`, 'Responsive search ad 1', start), adOf(world, 'google', id, name, `${id}2`, 'Responsive search ad 2', start)];
			const total = mine.reduce((s, a) => s + a.share, 0);
			for (const a of mine) a.share = (a.share / total) * share;
			ads.push(...mine);
			for (const p of extra.filter((x) => x.parentId === id)) ads.push(adOf(world, 'google', id, name, p.id, p.name, p.from, share / 2));
		}
		return ads;
	}
	if (account.platform === 'meta') {
		const setId = metaAdSetId(campaign.id);
		const setName = `${campaign.name} | Ad set`;
		const fresh = new Map(extra.map((p) => [p.id, p]));
		const madeHere = new Set(publishedAds(world, 'meta').map((p) => p.id));
		return world.meta.ads
			.filter((a) => a.campaignId === campaign.id && (!madeHere.has(a.id) || fresh.has(a.id)))
			.map((a) => adOf(world, 'meta', setId, setName, a.id, a.name, fresh.get(a.id)?.from ?? start));
	}
	const creatives = [1, 2].map((n) => adOf(world, 'linkedin', campaign.id, campaign.name, `5${campaign.id.slice(-6)}${n}`, `Sponsored content ${n}`, start));
	return [...creatives, ...extra.map((p) => adOf(world, 'linkedin', campaign.id, campaign.name, p.id, p.name, p.from))];
}

/** Integer split of `total` by `weights` (largest remainders, ties to the earlier index); equal weights when all are 0. */
export function splitInteger(total: number, weights: readonly number[]): number[] {
	const n = weights.length;
	if (n === 0) return [];
	const sum = weights.reduce((s, w) => s + Math.max(0, w), 0);
	const w = sum > 0 ? weights.map((x) => Math.max(0, x) / sum) : weights.map(() => 1 / n);
	const exact = w.map((x) => total * x);
	const out = exact.map(Math.floor);
	let left = total - out.reduce((s, x) => s + x, 0);
	const order = exact.map((x, i) => [x - Math.floor(x), i] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
	for (let k = 0; left > 0; k = (k + 1) % n, left--) out[order[k]![1]]! += 1;
	return out;
}

function ctrOn(ad: SandboxAd, dayIndex: number): number {
	if (ad.fatigueDrop === 0) return ad.ctrFactor;
	return ad.ctrFactor * (1 - ad.fatigueDrop / (1 + Math.exp(-(dayIndex - ad.fatigueMid) / 1.5)));
}

export interface AdDay {
	ad: SandboxAd;
	metrics: DailyMetrics;
}

/** One campaign day split over the ads live that day (all of them get a row, zeros included). */
export function splitDay(world: World, account: AdAccount, ads: readonly SandboxAd[], day: DailyMetrics): AdDay[] {
	const live = ads.filter((a) => a.from <= day.date);
	if (live.length === 0) return [];
	const t = daysBetween(world.firstDate, day.date);
	const impressions = splitInteger(day.impressions, live.map((a) => a.share));
	const clicks = splitInteger(day.clicks, live.map((a, i) => impressions[i]! * ctrOn(a, t)));
	// never more clicks than impressions: move the excess to ads with room, largest first
	for (let i = 0; i < live.length; i++) {
		let excess = clicks[i]! - impressions[i]!;
		for (let j = 0; excess > 0 && j < live.length; j++) {
			const room = impressions[j]! - clicks[j]!;
			if (j === i || room <= 0) continue;
			const moved = Math.min(room, excess);
			clicks[j]! += moved;
			clicks[i]! -= moved;
			excess -= moved;
		}
	}
	const conversions = splitInteger(day.conversions, clicks);
	const leads = splitInteger(day.leads, clicks);
	const spend = splitInteger(toMinor(day.spend, account.currency), impressions);
	const revenue = splitInteger(toMinor(day.revenue, account.currency), conversions.some((c) => c > 0) ? conversions : clicks);
	return live.map((ad, i) => ({
		ad,
		metrics: {
			date: day.date,
			impressions: impressions[i]!,
			clicks: clicks[i]!,
			conversions: conversions[i]!,
			leads: leads[i]!,
			spend: fromMinor(spend[i]!, account.currency),
			revenue: fromMinor(revenue[i]!, account.currency),
		},
	}));
}

export interface AdReportRow {
	account: AdAccount;
	campaign: Campaign;
	ad: SandboxAd;
	metrics: DailyMetrics;
}

/** The ad rows of an account over `since..until`: days with impressions only, as the platforms report them. */
export function adReport(world: World, account: AdAccount, since: string, until: string, campaigns: readonly Campaign[] = account.campaigns): AdReportRow[] {
	const rows: AdReportRow[] = [];
	for (const campaign of campaigns) {
		const ads = sandboxAds(world, account, campaign);
		for (const day of campaign.daily) {
			if (day.date < since || day.date > until || day.impressions === 0) continue;
			for (const { ad, metrics } of splitDay(world, account, ads, day)) if (metrics.impressions > 0) rows.push({ account, campaign, ad, metrics });
		}
	}
	return rows;
}

/** Ground truth for tests: the ad rows of one account of the world. */
export function adGroundTruth(world: World, platform: AdPlatform, accountId: string, since: string, until: string): AdReportRow[] {
	const account = findAccount(world, platform, accountId);
	if (!account) throw new Error(`sandbox: no ${platform} account ${accountId}`);
	return adReport(world, account, since, until);
}

// ---------------------------------------------------------------------------------------------
// Google Ads: GAQL `FROM ad_group_ad` with `segments.date` (REST rows, lowerCamelCase, int64 as strings)
// ---------------------------------------------------------------------------------------------

/** True for a daily ad report query (`FROM ad_group_ad` selecting `segments.date`); publish.ts answers the other `ad_group_ad` reads. */
export function isGoogleAdReport(body: unknown): boolean {
	const q = (body as { query?: unknown } | undefined)?.query;
	if (typeof q !== 'string') return false;
	const select = /^\s*SELECT\s+([\s\S]*?)\s+FROM\b/i.exec(q)?.[1] ?? '';
	return /\bFROM\s+ad_group_ad\b/i.test(q) && /\bsegments\.date\b/.test(select);
}

const camel = (s: string): string => s.replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase());

/**
 * The rows of a daily ad report of `customerId`: every selected field of `customer`, `campaign`,
 * `ad_group`, `ad_group_ad` (`ad.id`, `ad.name`, `status`), `segments.date` and `metrics` (cost_micros,
 * impressions, clicks, conversions, conversions_value). `segments.date BETWEEN 'a' AND 'b'` is required,
 * `campaign.id = X` narrows. Throws `problem(reason)` for what Google would refuse.
 */
export function googleAdReportRows(world: World, account: AdAccount, query: string, problem: (name: string, message: string) => Error): Array<Record<string, unknown>> {
	const select = /^\s*SELECT\s+([\s\S]*?)\s+FROM\b/i.exec(query)?.[1] ?? '';
	const fields = select.split(',').map((f) => f.trim()).filter(Boolean);
	const range = /segments\.date\s+BETWEEN\s+'(\d{4}-\d{2}-\d{2})'\s+AND\s+'(\d{4}-\d{2}-\d{2})'/i.exec(query);
	if (!range) throw problem('EXPECTED_FILTERS_ON_DATE_RANGE', 'Filters on segments.date are required when segments.date is selected.');
	const campaignId = /\bcampaign\.id\s*=\s*(\d+)/i.exec(query)?.[1];
	const known = /^(customer\.(id|currency_code|time_zone|descriptive_name)|campaign\.(id|name|status)|ad_group\.(id|name)|ad_group_ad\.(ad\.id|ad\.name|status)|segments\.date|metrics\.(cost_micros|impressions|clicks|conversions|conversions_value))$/;
	for (const f of fields) if (!known.test(f)) throw problem('UNRECOGNIZED_FIELD', `Unrecognized field in the query: '${f}'.`);
	const campaigns = account.campaigns.filter((c) => campaignId === undefined || c.id === campaignId);
	return adReport(world, account, range[1]!, range[2]!, campaigns).map((r) => {
		const full: Record<string, Record<string, unknown>> = {
			customer: { resource_name: `customers/${account.id}`, id: account.id, currency_code: account.currency, time_zone: account.timezone, descriptive_name: account.name },
			campaign: { resource_name: `customers/${account.id}/campaigns/${r.campaign.id}`, id: r.campaign.id, name: r.campaign.name, status: r.campaign.status === 'ACTIVE' ? 'ENABLED' : 'PAUSED' },
			ad_group: { resource_name: `customers/${account.id}/adGroups/${r.ad.adGroupId}`, id: r.ad.adGroupId, name: r.ad.adGroupName },
			ad_group_ad: { resource_name: `customers/${account.id}/adGroupAds/${r.ad.adGroupId}~${r.ad.adId}`, 'ad.id': r.ad.adId, 'ad.name': r.ad.adName, status: 'ENABLED' },
			segments: { date: r.metrics.date },
			metrics: {
				cost_micros: String(Math.round(toMinor(r.metrics.spend, account.currency) * 10 ** (6 - minorDigits(account.currency)))),
				impressions: String(r.metrics.impressions),
				clicks: String(r.metrics.clicks),
				conversions: r.metrics.conversions,
				conversions_value: r.metrics.revenue,
			},
		};
		const out: Record<string, Record<string, unknown>> = {};
		for (const f of fields) {
			const [resource, ...rest] = f.split('.');
			const key = rest.join('.');
			const value = full[resource!]?.[key];
			if (value === undefined) continue;
			const target = (out[camel(resource!)] ??= {});
			if (key.startsWith('ad.')) ((target.ad ??= {}) as Record<string, unknown>)[camel(key.slice(3))] = value;
			else target[camel(key)] = value;
			if (full[resource!]!.resource_name !== undefined) target.resourceName = full[resource!]!.resource_name;
		}
		return out;
	});
}

function minorDigits(currency: string): number {
	return Math.round(Math.log10(toMinor(1, currency)));
}
