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
