/**
 * Creating one ad from approved copy, per platform (issue 20): the types of
 * the adapters' `createAd` / `findAd` (meta-publish.ts, google-ads-publish.ts,
 * linkedin-publish.ts hold the calls). creative/publish.ts decides when to
 * call them (ledger, validate-only first, reconciliation); this file only
 * speaks each platform's API.
 *
 * - Meta: `POST act_{id}/adcreatives` (object_story_spec: page, link_data
 *   with link, message, name = headline, description, image_hash,
 *   call_to_action) then `POST act_{id}/ads` (name, adset_id, creative
 *   {creative_id}, status). The ad set is the chosen one or the campaign's
 *   first (`GET {campaign}/adsets`); the image is the given hash or the one of
 *   the campaign's existing ads (`GET {campaign}/ads`). Found again by its name
 *   (`GET act_{id}/ads`). The creative carries the same name, and an earlier
 *   attempt's creative (its answer lost, no ad made) is read back from
 *   `GET act_{id}/adcreatives` and reused instead of creating a second one.
 * - Google Ads: `adGroupAds:mutate` create of a responsive search ad
 *   (headlines and descriptions with their pinned positions, final URL, and
 *   the tag `{adopsvariant}` = the variant id among the ad's URL custom
 *   parameters) in the chosen ad group, or the campaign's best one by
 *   conversions then clicks over the last 30 days, `validate_only` when
 *   asked. Found again by reading the ad group's ads (`FROM ad_group_ad`): by
 *   the tag, else (an ad made before tags) by its final URL and its text
 *   compared normalized. A policy finding names the policy, the text and
 *   whether an exemption can be requested.
 * - LinkedIn: `POST adAccounts/{id}/creatives?action=createInline`: a
 *   sponsored content creative with its inline post (commentary, article
 *   link and title) by the organization, under the campaign. Found again by
 *   its name among the campaign's creatives.
 *
 * Creating an ad is not idempotent: every create call runs with
 * `sideEffect: 'once'` (a lost answer is not retried; it is `unknown`).
 */
import { PlatformApiError, type PlatformId } from '../resilience/errors';

export type AdStatus = 'PAUSED' | 'ACTIVE';

export interface AdText {
	text: string;
	/** Google Ads: `HEADLINE_1`…`HEADLINE_3`, `DESCRIPTION_1`, `DESCRIPTION_2`. */
	pinnedField?: string;
}

/** The approved copy as the platforms take it. */
export interface AdCopy {
	headlines: AdText[];
	descriptions: AdText[];
	/** Meta primary text, LinkedIn commentary; unused on Google. */
	primaryText: string | null;
	/** `Shop now`, `Learn more`: Meta's call to action (`SHOP_NOW`). */
	callToAction: string | null;
	/** Landing page. */
	link: string;
}

export interface CreateAdInput {
	accountId: string;
	campaignId: string;
	/** The ad's name on the platform: the key it is found again by (`AdOps <variant>`). */
	name: string;
	/** The variant id: Google Ads keeps it as the ad's URL custom parameter `{adopsvariant}` (its name is not kept for search ads). */
	tag: string;
	/** Meta ad set, Google Ads ad group (required there); unused on LinkedIn. */
	parentId?: string;
	/** Meta: the Facebook Page the ad speaks for. */
	pageId?: string;
	/** LinkedIn: the organization (company page) that authors the post. */
	organizationId?: string;
	/** Meta: the ad's image, an uploaded image's hash or the campaign's existing image; none: a link ad with the page's link preview. */
	image?: { hash: string } | { fromCampaign: true };
	status: AdStatus;
	copy: AdCopy;
	/** Google Ads: ask the platform to check the ad without creating it. */
	validateOnly?: boolean;
	signal?: AbortSignal;
}

export interface CreatedAd {
	platform: PlatformId;
	accountId: string;
	/** Meta ad id; Google Ads ad group ad resource name; LinkedIn creative URN. Empty after validate-only. */
	adId: string;
	/** Meta creative id; LinkedIn post URN; null on Google. */
	creativeId: string | null;
	/** Meta ad set / Google Ads ad group. */
	parentId: string | null;
	status: string;
	validateOnly: boolean;
}

/** How a platform publishes (the adapter's `adPublishing`). */
export interface AdPublishing {
	/** Ask the platform to validate the ad (validate_only) before creating it. */
	validateFirst: boolean;
	/** What the ad is created in, in words (`ad set`, `ad group`); null: directly under the campaign. */
	parentLabel: string | null;
}

/** An adapter that can publish ads (Meta, Google Ads, LinkedIn). */
export interface AdPublisher {
	readonly platform: PlatformId;
	readonly adPublishing: AdPublishing;
	createAd(input: CreateAdInput): Promise<CreatedAd>;
	/** The ad created for `input` earlier, read back from the platform; null when there is none. */
	findAd(input: CreateAdInput): Promise<CreatedAd | null>;
	/**
	 * Where an ad goes when none is chosen (Meta: the campaign's first ad set; Google Ads: its best ad group),
	 * with why in words; null when the campaign has none. Resolved once, before the claim, so a lost answer is
	 * looked for where it was sent.
	 */
	defaultParent?(input: { accountId: string; campaignId: string; signal?: AbortSignal }): Promise<{ id: string; why: string } | null>;
}

export function isAdPublisher(adapter: unknown): adapter is AdPublisher {
	return !!adapter && typeof (adapter as AdPublisher).adPublishing === 'object' && typeof (adapter as AdPublisher).createAd === 'function' && typeof (adapter as AdPublisher).findAd === 'function';
}

export function malformed(platform: PlatformId, accountId: string, call: string, got: unknown): PlatformApiError {
	return new PlatformApiError({ platform, accountId, call, kind: 'malformed_response', retryable: false, platformMessage: `unexpected answer ${JSON.stringify(got).slice(0, 160)}`, hint: 'the ad may have been created: its outcome is unknown until the account is read back' });
}

type AdUrl = (accountId: string, campaignId: string, ad: { adId: string; parentId: string | null }) => string;
const e = encodeURIComponent;
/** Where a published ad is seen in each platform's web app (as account-url.ts's RULES, keyed by platform). */
const AD_URLS: Partial<Record<PlatformId, AdUrl>> = {
	meta: (account, _campaign, ad) => `https://adsmanager.facebook.com/adsmanager/manage/ads?act=${e(account)}&selected_ad_ids=${e(ad.adId)}`,
	google_ads: (account, campaign, ad) => `https://ads.google.com/aw/ads?__e=${e(account.replace(/-/g, ''))}&campaignId=${e(campaign)}${ad.parentId ? `&adGroupId=${e(ad.parentId)}` : ''}`,
	linkedin: (account, campaign) => `https://www.linkedin.com/campaignmanager/accounts/${e(account)}/campaigns/${e(campaign)}/creatives`,
};

/** The ad's page in the platform's web app, for the person told it is published (Slack's link); null for a platform without one. */
export function publishedAdUrl(platform: string, accountId: string, campaignId: string, ad: { adId: string; parentId: string | null }): string | null {
	const url = (AD_URLS as Record<string, AdUrl | undefined>)[platform];
	return url ? url(accountId, campaignId, ad) : null;
}
