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
				[{ ad_group: `customers/${id}/adGroups/${input.parentId}`, status: input.status === 'PAUSED' ? 'PAUSED' : 'ENABLED', ad: { final_urls: [input.copy.link], responsive_search_ad: { headlines: pins(input.copy.headlines), descriptions: pins(input.copy.descriptions) } } }] as never,
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

type AdRow = { ad_group_ad?: { resource_name?: string; status?: unknown; ad?: { responsive_search_ad?: { headlines?: Array<{ text?: string }>; descriptions?: Array<{ text?: string }> } } } };

export async function googleFindAd(g: GoogleAccess, input: CreateAdInput): Promise<CreatedAd | null> {
	const id = gid(input.accountId);
	if (!input.parentId || !/^\d+$/.test(input.parentId)) return null;
	const call = `list ads of ad group ${input.parentId}`;
	const customer = g.customer(id, { signal: input.signal });
	const rows = await g.executor.run({ call, accountId: id, signal: input.signal }, async () => {
		try {
			return (await customer.query(
				`SELECT ad_group.id, ad_group_ad.resource_name, ad_group_ad.status, ad_group_ad.ad.id, ad_group_ad.ad.responsive_search_ad.headlines, ad_group_ad.ad.responsive_search_ad.descriptions FROM ad_group_ad WHERE ad_group.id = ${input.parentId} AND ad_group_ad.status != 'REMOVED'`,
			)) as AdRow[];
		} catch (error) {
			throw g.toError(error, { call, accountId: id });
		}
	});
	const same = (a: Array<{ text?: string }> | undefined, b: AdText[]) => (a ?? []).length === b.length && b.every((t, i) => a?.[i]?.text === t.text);
	const hit = rows.find((r) => same(r.ad_group_ad?.ad?.responsive_search_ad?.headlines, input.copy.headlines) && same(r.ad_group_ad?.ad?.responsive_search_ad?.descriptions, input.copy.descriptions));
	const name = hit?.ad_group_ad?.resource_name;
	if (!name) return null;
	const status = hit.ad_group_ad?.status;
	return { platform: 'google_ads', accountId: id, adId: name, creativeId: null, parentId: input.parentId, status: status === 3 || status === 'PAUSED' ? 'PAUSED' : status === 2 || status === 'ENABLED' ? 'ACTIVE' : String(status), validateOnly: false };
}
