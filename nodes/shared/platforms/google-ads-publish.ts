/** Publishing a Google Ads responsive search ad from approved copy (issue 20); see ./ad-publish.ts. */
import { errors, type Customer } from 'google-ads-api';
import { PlatformApiError } from '../resilience/errors';
import type { CallExecutor } from '../resilience/call-policy';
import { refusedChange } from './campaign-state';
import { malformed, type AdPublishing, type AdText, type CreateAdInput, type CreatedAd } from './ad-publish';

export const GOOGLE_ADS_AD_PUBLISHING: AdPublishing = { validateFirst: true, parentLabel: 'ad group' };

interface GoogleAccess {
	customer: (accountId: string, observer?: { signal?: AbortSignal }) => Customer;
	executor: CallExecutor;
	toError: (error: unknown, context: { call: string; accountId: string }) => PlatformApiError;
}

const gid = (id: string) => id.replace(/-/g, '');

/** The URL custom parameter that tags an ad with its variant: `{adopsvariant}` (keys are alphanumeric, at most 16 characters). */
export const GOOGLE_AD_TAG_KEY = 'adopsvariant';
/** The tag's value for a variant id (custom parameter values take no spaces; a UUID's hyphens are dropped). */
export const googleAdTag = (variantId: string): string => variantId.replace(/[^A-Za-z0-9]/g, '').toLowerCase();

/**
 * Ad text as compared when an ad has no tag: Unicode NFKC (full-width and
 * compatibility forms as Google stores them), whitespace runs collapsed and
 * trimmed; case kept (a change of case is a change of the ad).
 */
export const normalizeAdText = (text: string): string => text.normalize('NFKC').replace(/\s+/g, ' ').trim();

/** A final URL as compared: lower-case scheme and host, no trailing slash on the path, query and fragment kept. */
export function normalizeFinalUrl(url: string): string {
	try {
		const u = new URL(url.trim());
		const path = u.pathname.replace(/\/+$/, '');
		return `${u.protocol}//${u.host.toLowerCase()}${path}${u.search}${u.hash}`;
	} catch {
		return url.trim();
	}
}

/** Error categories that refuse the ad's content or shape (described field by field). */
const AD_REFUSALS: ReadonlySet<string> = new Set(['policy_finding_error', 'policy_violation_error', 'ad_error', 'ad_group_ad_error', 'string_length_error', 'field_error', 'mutate_error', 'url_field_error']);

type Failure = { errors?: Array<{ error_code?: Record<string, unknown>; message?: string; trigger?: { string_value?: string }; location?: { field_path_elements?: Array<{ field_name?: string; index?: number }> }; details?: { policy_violation_details?: { external_policy_name?: string; is_exemptible?: boolean; key?: { violating_text?: string; policy_name?: string } }; policy_finding_details?: { policy_topic_entries?: Array<{ topic?: string }> } } }> };

/** The field a Google error points at: `headlines[2].text`. */
function fieldPath(e: NonNullable<Failure['errors']>[number]): string {
	const parts = (e.location?.field_path_elements ?? []).filter((p) => p.field_name && !['operations', 'create', 'ad', 'responsive_search_ad'].includes(p.field_name));
	return parts.map((p) => `${p.field_name}${p.index !== undefined && p.index !== null ? `[${p.index}]` : ''}`).join('.');
}

/** Words for a refused responsive search ad: each error's field and text; policy findings name the policy and whether it is exemptible. */
export function describeGoogleAdFailure(error: unknown): { message: string; hint: string } | undefined {
	if (!(error instanceof errors.GoogleAdsFailure)) return undefined;
	const list = (error as unknown as Failure).errors ?? [];
	// only refusals of the ad itself; internal, quota and auth errors keep the adapter's own classification
	if (list.length === 0 || !list.every((e) => Object.keys(e.error_code ?? {}).every((c) => AD_REFUSALS.has(c)))) return undefined;
	const lines: string[] = [];
	let policy = false;
	let exemptible = true;
	for (const e of list) {
		const where = fieldPath(e);
		const v = e.details?.policy_violation_details;
		const topic = v?.key?.policy_name ?? e.details?.policy_finding_details?.policy_topic_entries?.[0]?.topic;
		if (v || topic) {
			policy = true;
			exemptible &&= v?.is_exemptible === true;
			lines.push(`${where}: "${e.trigger?.string_value ?? v?.key?.violating_text ?? ''}" violates ${v?.external_policy_name ?? topic} (${topic ?? 'policy'}${v?.is_exemptible ? ', exemptible' : ', not exemptible'})`);
		} else {
			lines.push(`${where || 'ad'}: ${e.message ?? 'refused'}${e.trigger?.string_value ? ` ("${e.trigger.string_value}")` : ''}`);
		}
	}
	const hint = policy
		? exemptible
			? 'change the flagged text, or request a policy exemption for it in Google Ads (the topics are exemptible) and publish again'
			: 'change the flagged text and publish again: the policy cannot be exempted'
		: 'fix the named fields (responsive search ads take 3–15 headlines of at most 30 characters and 2–4 descriptions of at most 90) and publish again';
	return { message: lines.join('; '), hint };
}

export async function googleCreateAd(g: GoogleAccess, input: CreateAdInput): Promise<CreatedAd> {
	const id = gid(input.accountId);
	const validateOnly = input.validateOnly === true;
	const call = `create responsive search ad in ad group ${input.parentId ?? '?'}${validateOnly ? ' (validate only)' : ''}`;
	if (!input.parentId) throw refusedChange('google_ads', id, call, 'no ad group was given', 'a responsive search ad goes into an ad group: choose the ad group');
	const customer = g.customer(id, { signal: input.signal });
	const pins = (list: AdText[]) => list.map((t) => ({ text: t.text, ...(t.pinnedField ? { pinned_field: t.pinnedField } : {}) }));
	const response = await g.executor.run({ call, accountId: id, signal: input.signal, sideEffect: 'once' }, async () => {
		try {
			return (await customer.adGroupAds.create(
				[{ ad_group: `customers/${id}/adGroups/${input.parentId}`, status: input.status === 'PAUSED' ? 'PAUSED' : 'ENABLED', ad: { final_urls: [input.copy.link], url_custom_parameters: [{ key: GOOGLE_AD_TAG_KEY, value: googleAdTag(input.tag) }], responsive_search_ad: { headlines: pins(input.copy.headlines), descriptions: pins(input.copy.descriptions) } } }] as never,
				{ validate_only: validateOnly },
			)) as { results?: Array<{ resource_name?: unknown }> };
		} catch (error) {
			const words = describeGoogleAdFailure(error);
			if (words) throw new PlatformApiError({ platform: 'google_ads', accountId: id, call, kind: 'bad_request', retryable: false, code: 'ad_group_ad', platformMessage: words.message, hint: words.hint });
			throw g.toError(error, { call, accountId: id });
		}
	});
	if (validateOnly) return { platform: 'google_ads', accountId: id, adId: '', creativeId: null, parentId: input.parentId, status: input.status, validateOnly };
	const name = response?.results?.[0]?.resource_name;
	if (typeof name !== 'string' || name === '') throw malformed('google_ads', id, call, response);
	return { platform: 'google_ads', accountId: id, adId: name, creativeId: null, parentId: input.parentId, status: input.status, validateOnly };
}

type AdRow = {
	ad_group_ad?: {
		resource_name?: string;
		status?: unknown;
		ad?: { final_urls?: string[]; url_custom_parameters?: Array<{ key?: string; value?: string }>; responsive_search_ad?: { headlines?: Array<{ text?: string }>; descriptions?: Array<{ text?: string }> } };
	};
};

/** The same texts, normalized, in any order (Google may list an ad's assets in another order than they were sent). */
function sameTexts(a: Array<{ text?: string }> | undefined, b: AdText[]): boolean {
	const x = (a ?? []).map((t) => normalizeAdText(t.text ?? '')).sort();
	const y = b.map((t) => normalizeAdText(t.text)).sort();
	return x.length === y.length && x.every((t, i) => t === y[i]);
}

/**
 * The ad made for `input`, read back from its ad group. By the tag first: the ad's URL custom parameter
 * `{adopsvariant}` is written in the same create as the ad, so it is there exactly when the ad is, and it
 * names the variant whatever the text (two variants with the same copy stay apart, an ad edited in Google
 * Ads afterwards is still found). Without a tag (an ad created before tags were written) by its final URL
 * and its text, both normalized (whitespace, Unicode form, asset order), because Google does not keep a
 * search ad's name and may hand the text back in another form than it was sent; an ad carrying another
 * variant's tag never matches that way.
 */
export async function googleFindAd(g: GoogleAccess, input: CreateAdInput): Promise<CreatedAd | null> {
	const id = gid(input.accountId);
	if (!input.parentId || !/^\d+$/.test(input.parentId)) return null;
	const call = `list ads of ad group ${input.parentId}`;
	const customer = g.customer(id, { signal: input.signal });
	const rows = await g.executor.run({ call, accountId: id, signal: input.signal }, async () => {
		try {
			return (await customer.query(
				`SELECT ad_group.id, ad_group_ad.resource_name, ad_group_ad.status, ad_group_ad.ad.id, ad_group_ad.ad.final_urls, ad_group_ad.ad.url_custom_parameters, ad_group_ad.ad.responsive_search_ad.headlines, ad_group_ad.ad.responsive_search_ad.descriptions FROM ad_group_ad WHERE ad_group.id = ${input.parentId} AND ad_group_ad.status != 'REMOVED'`,
			)) as AdRow[];
		} catch (error) {
			throw g.toError(error, { call, accountId: id });
		}
	});
	const tagOf = (r: AdRow) => r.ad_group_ad?.ad?.url_custom_parameters?.find((p) => p.key === GOOGLE_AD_TAG_KEY)?.value;
	const tag = googleAdTag(input.tag);
	const url = normalizeFinalUrl(input.copy.link);
	const hit =
		rows.find((r) => tagOf(r) === tag) ??
		rows.find((r) => {
			const ad = r.ad_group_ad?.ad;
			return tagOf(r) === undefined && (ad?.final_urls ?? []).some((u) => normalizeFinalUrl(u) === url) && sameTexts(ad?.responsive_search_ad?.headlines, input.copy.headlines) && sameTexts(ad?.responsive_search_ad?.descriptions, input.copy.descriptions);
		});
	const name = hit?.ad_group_ad?.resource_name;
	if (!name) return null;
	const status = hit.ad_group_ad?.status;
	return { platform: 'google_ads', accountId: id, adId: name, creativeId: null, parentId: input.parentId, status: status === 3 || status === 'PAUSED' ? 'PAUSED' : status === 2 || status === 'ENABLED' ? 'ACTIVE' : String(status), validateOnly: false };
}

type AdGroupRow = { ad_group?: { id?: unknown; name?: string }; metrics?: { conversions?: unknown; clicks?: unknown } };

/** The campaign's best enabled ad group: most conversions, then most clicks, over the last 30 days (then the lowest id). */
export async function googleBestAdGroup(g: GoogleAccess, input: { accountId: string; campaignId: string; signal?: AbortSignal }): Promise<{ id: string; why: string } | null> {
	const id = gid(input.accountId);
	if (!/^\d+$/.test(input.campaignId)) return null;
	const call = `list ad groups of campaign ${input.campaignId}`;
	const customer = g.customer(id, { signal: input.signal });
	const rows = await g.executor.run({ call, accountId: id, signal: input.signal }, async () => {
		try {
			return (await customer.query(
				`SELECT ad_group.id, ad_group.name, metrics.conversions, metrics.clicks FROM ad_group WHERE campaign.id = ${input.campaignId} AND ad_group.status = 'ENABLED' AND segments.date DURING LAST_30_DAYS`,
			)) as AdGroupRow[];
		} catch (error) {
			throw g.toError(error, { call, accountId: id });
		}
	});
	// without segments.date in the SELECT Google sums the range per ad group; a paged answer may still split one: add up
	const groups = new Map<string, { name: string; conversions: number; clicks: number }>();
	for (const r of rows) {
		const key = String(r.ad_group?.id ?? '');
		if (!/^\d+$/.test(key)) continue;
		const g0 = groups.get(key) ?? { name: r.ad_group?.name ?? key, conversions: 0, clicks: 0 };
		g0.conversions += Number(r.metrics?.conversions ?? 0) || 0;
		g0.clicks += Number(r.metrics?.clicks ?? 0) || 0;
		groups.set(key, g0);
	}
	const best = [...groups.entries()].sort(([ia, a], [ib, b]) => b.conversions - a.conversions || b.clicks - a.clicks || (BigInt(ia) < BigInt(ib) ? -1 : 1))[0];
	if (!best) return null;
	const [groupId, m] = best;
	const round = (n: number) => (Number.isInteger(n) ? String(n) : n.toFixed(2));
	return { id: groupId, why: `ad group ${groupId} ("${m.name}"), the campaign's best of ${groups.size} by conversions then clicks over the last 30 days (${round(m.conversions)} conversions, ${round(m.clicks)} clicks)` };
}
