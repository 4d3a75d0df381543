/**
 * An ad account id from the address of the account in the platform's own web
 * app, for the "By URL" mode of the account pickers. Pure string rules; the
 * id comes back in the platform's canonical form (registry `accountId`).
 *
 * - Meta Ads Manager / Business Suite: `…?act=123456789` (`business_id` etc. ignored)
 * - Google Ads: `…/aw/…?__e=1234567890` (the customer id Google puts in every UI link);
 *   a `customerId=` or `ocid=` parameter is not the customer id and is not read
 * - LinkedIn Campaign Manager: `…/campaignmanager/accounts/508123456/…`
 * - TikTok Ads Manager: `…?aadvid=7000000000000` (or `advid=`)
 * - Klaviyo: none; an API key belongs to one account, so the field stays empty.
 */
import { canonicalAccountIdOf, PLATFORM_REGISTRY, type PlatformId } from './registry';

function parse(url: string): URL | null {
	try {
		return new URL(url.trim());
	} catch {
		return null;
	}
}

const DIGITS = /^\d+$/;

const RULES: { readonly [K in PlatformId]: { url(id: string): string; find(url: URL): string | null } } = {
	meta: { url: (id) => `https://adsmanager.facebook.com/adsmanager/manage/campaigns?act=${id}`, find: (u) => u.searchParams.get('act') },
	google_ads: { url: (id) => `https://ads.google.com/aw/overview?__e=${id}`, find: (u) => u.searchParams.get('__e') },
	linkedin: { url: (id) => `https://www.linkedin.com/campaignmanager/accounts/${id}/campaigns`, find: (u) => /\/accounts\/(\d+)(?:\/|$)/.exec(u.pathname)?.[1] ?? null },
	tiktok: { url: (id) => `https://ads.tiktok.com/i18n/dashboard?aadvid=${id}`, find: (u) => u.searchParams.get('aadvid') ?? u.searchParams.get('advid') },
	klaviyo: { url: () => 'https://www.klaviyo.com/dashboard', find: () => null },
};

/** The account's page in the platform's web app (the "open" link of a picked account). */
export function accountUrl(platform: PlatformId, accountId: string): string {
	return RULES[platform].url(encodeURIComponent(accountId));
}

/** An example address for placeholders; empty when the platform has none (Klaviyo). */
export function accountUrlExample(platform: PlatformId): string {
	return PLATFORM_REGISTRY[platform].ingest.accountFromCredential ? '' : accountUrl(platform, PLATFORM_REGISTRY[platform].accountId.example);
}

/** The account id in `url`, canonical, or why there is none (what address is expected). */
export function parseAccountUrl(platform: PlatformId, url: string): { accountId: string } | { problem: string } {
	const label = PLATFORM_REGISTRY[platform].productLabel;
	const example = accountUrlExample(platform);
	if (!example) return { problem: `${label} has no account address: its API key belongs to one account, so leave the account empty` };
	const parsed = parse(url);
	const found = parsed ? RULES[platform].find(parsed)?.trim().replace(/^act_/, '') : null;
	if (!found || !DIGITS.test(found)) return { problem: `"${url}" is not a ${label} account address; expected one like ${example}` };
	return { accountId: canonicalAccountIdOf(platform, found) };
}

/**
 * A campaign id from the address of the campaign in the platform's manager,
 * for the "By URL" mode of the campaign pickers:
 *
 * - Meta Ads Manager: `…/adsmanager/manage/adsets?act=123&selected_campaign_ids=456` (one campaign selected)
 * - Google Ads: `…/aw/adgroups?campaignId=456&__e=123` (the `campaignId` parameter; `__e` is the customer)
 * - LinkedIn Campaign Manager: `…/campaignmanager/accounts/508123456/campaigns/456/details`
 *
 * TikTok and Klaviyo have no campaign rule (no node picks their campaigns).
 */
const CAMPAIGN_RULES: { readonly [K in PlatformId]?: { url(accountId: string, campaignId: string): string; example: string; pattern: string; find(url: URL): { campaignIds: string[]; accountId: string | null } } } = {
	meta: {
		url: (a, c) => `https://adsmanager.facebook.com/adsmanager/manage/adsets?act=${a}&selected_campaign_ids=${c}`,
		example: '120210000000001',
		pattern: 'https?://([a-z0-9-]+\\.)*facebook\\.com/.*[?&]selected_campaign_ids=[0-9].*',
		find: (u) => ({ campaignIds: (u.searchParams.get('selected_campaign_ids') ?? '').split(',').map((s) => s.trim()).filter(Boolean), accountId: u.searchParams.get('act') }),
	},
	google_ads: {
		url: (a, c) => `https://ads.google.com/aw/adgroups?campaignId=${c}&__e=${a}`,
		example: '20123456789',
		pattern: 'https?://ads\\.google\\.com/.*[?&]campaignId=[0-9]+.*',
		find: (u) => ({ campaignIds: [u.searchParams.get('campaignId') ?? ''].filter(Boolean), accountId: u.searchParams.get('__e') }),
	},
	linkedin: {
		url: (a, c) => `https://www.linkedin.com/campaignmanager/accounts/${a}/campaigns/${c}/details`,
		example: '612345678',
		pattern: 'https?://(www\\.)?linkedin\\.com/campaignmanager/accounts/[0-9]+/campaigns/[0-9]+([/?#].*)?',
		find: (u) => {
			const m = /\/accounts\/(\d+)\/campaigns\/(\d+)(?:\/|$)/.exec(u.pathname);
			return { campaignIds: m ? [m[2]!] : [], accountId: m?.[1] ?? null };
		},
	},
};

/** Whether campaigns of `platform` can be named by their manager address. */
export function hasCampaignUrl(platform: PlatformId): boolean {
	return CAMPAIGN_RULES[platform] !== undefined;
}

/** The campaign's page in the platform's manager ('' when the platform has no campaign rule). */
export function campaignUrl(platform: PlatformId, accountId: string, campaignId: string): string {
	return CAMPAIGN_RULES[platform]?.url(encodeURIComponent(accountId.replace(/^act_/, '')), encodeURIComponent(campaignId)) ?? '';
}

/** An example campaign address for placeholders ('' when none). */
export function campaignUrlExample(platform: PlatformId): string {
	const rule = CAMPAIGN_RULES[platform];
	return rule ? campaignUrl(platform, PLATFORM_REGISTRY[platform].accountId.example, rule.example) : '';
}

/** The regular expression a campaign address of `platform` matches (n8n anchors it: ^…$), '' when none. */
export function campaignUrlPattern(platform: PlatformId): string {
	return CAMPAIGN_RULES[platform]?.pattern ?? '';
}

/** The campaign (and, where the address holds it, the account, canonical) in `url`, or why there is none. */
export function parseCampaignUrl(platform: PlatformId, url: string): { campaignId: string; accountId: string | null } | { problem: string } {
	const label = PLATFORM_REGISTRY[platform].productLabel;
	const rule = CAMPAIGN_RULES[platform];
	if (!rule) return { problem: `${label} campaigns cannot be named by an address here; give the campaign ID` };
	const parsed = parse(url);
	const found = parsed ? rule.find(parsed) : null;
	const expected = `expected one like ${campaignUrlExample(platform)}`;
	if (!found || found.campaignIds.length === 0 || !found.campaignIds.every((id) => DIGITS.test(id))) return { problem: `"${url}" is not the address of a ${label} campaign; ${expected}` };
	if (found.campaignIds.length > 1) return { problem: `"${url}" selects ${found.campaignIds.length} campaigns; open one campaign and copy its address` };
	const account = found.accountId?.trim().replace(/^act_/, '');
	return { campaignId: found.campaignIds[0]!, accountId: account && DIGITS.test(account) ? canonicalAccountIdOf(platform, account) : null };
}
