/**
 * Creating one ad from approved copy, per platform (issue 20): the calls the
 * adapters' `createAd` / `findAd` make. creative/publish.ts decides when to
 * call them (ledger, validate-only first, reconciliation); this file only
 * speaks each platform's API.
 *
 * - Meta: `POST act_{id}/adcreatives` (object_story_spec: page, link_data
 *   with link, message, name = headline, description, call_to_action) then
 *   `POST act_{id}/ads` (name, adset_id, creative {creative_id}, status). The
 *   ad set is the chosen one or the campaign's first (`GET {campaign}/adsets`).
 *   Found again by its name (`GET act_{id}/ads`).
 * - Google Ads: `adGroupAds:mutate` create of a responsive search ad
 *   (headlines and descriptions with their pinned positions, final URL) in
 *   the chosen ad group, `validate_only` when asked. Found again by reading
 *   the ad group's ads (`FROM ad_group_ad`) and comparing the text exactly.
 *   A policy finding names the policy, the text and whether an exemption can
 *   be requested.
 * - LinkedIn: `POST adAccounts/{id}/creatives?action=createInline`: a
 *   sponsored content creative with its inline post (commentary, article
 *   link and title) by the organization, under the campaign. Found again by
 *   its name among the campaign's creatives.
 *
 * Creating an ad is not idempotent: every create call runs with
 * `sideEffect: 'once'` (a lost answer is not retried; it is `unknown`).
 */
import { errors, type Customer } from 'google-ads-api';
import { PlatformApiError, type PlatformId } from '../resilience/errors';
import type { CallExecutor } from '../resilience/call-policy';
import type { HttpTransport } from './http';

export type PublishPlatform = Extract<PlatformId, 'meta' | 'google_ads' | 'linkedin'>;
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
	/** Meta ad set, Google Ads ad group (required there); unused on LinkedIn. */
	parentId?: string;
	/** Meta: the Facebook Page the ad speaks for. */
	pageId?: string;
	/** LinkedIn: the organization (company page) that authors the post. */
	organizationId?: string;
	status: AdStatus;
	copy: AdCopy;
	/** Google Ads: ask the platform to check the ad without creating it. */
	validateOnly?: boolean;
	signal?: AbortSignal;
}

export interface CreatedAd {
	platform: PublishPlatform;
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

/** An adapter that can publish ads (Meta, Google Ads, LinkedIn). */
export interface AdPublisher {
	readonly platform: PlatformId;
	createAd(input: CreateAdInput): Promise<CreatedAd>;
	/** The ad created for `input` earlier, read back from the platform; null when there is none. */
	findAd(input: CreateAdInput): Promise<CreatedAd | null>;
}

export function isAdPublisher(adapter: unknown): adapter is AdPublisher {
	return !!adapter && typeof (adapter as AdPublisher).createAd === 'function' && typeof (adapter as AdPublisher).findAd === 'function';
}

function configError(platform: PublishPlatform, accountId: string, call: string, hint: string): PlatformApiError {
	return new PlatformApiError({ platform, accountId, call, kind: 'config', retryable: false, hint });
}

function malformed(platform: PublishPlatform, accountId: string, call: string, got: unknown): PlatformApiError {
	return new PlatformApiError({ platform, accountId, call, kind: 'malformed_response', retryable: false, platformMessage: `unexpected answer ${JSON.stringify(got).slice(0, 160)}`, hint: 'the ad may have been created: its outcome is unknown until the account is read back' });
}

// ---------------------------------------------------------------------------------------------
// Meta
// ---------------------------------------------------------------------------------------------

/** `Shop now` → `SHOP_NOW`. */
export function metaCallToAction(text: string | null): string | null {
	if (text === null || text.trim() === '') return null;
	return text
		.trim()
		.toUpperCase()
		.replace(/[^A-Z0-9]+/g, '_')
		.replace(/^_|_$/g, '');
}

interface MetaAccess {
	http: HttpTransport;
	apiVersion: string;
	auth: Record<string, string>;
}

async function metaPost(m: MetaAccess, accountId: string, call: string, path: string, form: Record<string, string>, signal?: AbortSignal): Promise<Record<string, unknown>> {
	const body = new URLSearchParams({ ...form, ...m.auth });
	try {
		const { data } = await m.http.request<Record<string, unknown>>({ call, accountId, signal, sideEffect: 'once' }, { method: 'POST', url: `/${m.apiVersion}/${path}`, data: body.toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } });
		return data;
	} catch (error) {
		// Meta's words (error_user_msg) name the field; the fix is in the variant's text or the publish settings, not the campaign
		if (error instanceof PlatformApiError && error.kind === 'bad_request') {
			throw new PlatformApiError({ platform: 'meta', accountId, call, kind: 'bad_request', retryable: false, httpStatus: error.httpStatus, code: error.code, subcode: error.subcode, platformMessage: error.platformMessage, requestId: error.requestId, hint: 'change what Meta names (the variant\'s text within Meta\'s limits, or the Page, ad set or link in the publish settings) and publish again' });
		}
		throw error;
	}
}

export async function metaCreateAd(m: MetaAccess, input: CreateAdInput): Promise<CreatedAd> {
	const id = input.accountId.replace(/^act_/, '');
	if (!input.pageId) throw configError('meta', id, 'create ad creative', 'a Meta ad needs the Facebook Page it speaks for: set the Page ID');
	const headline = input.copy.headlines[0]?.text;
	let adSet = input.parentId;
	if (!adSet) {
		const { data } = await m.http.request<{ data?: Array<{ id?: string }> }>({ call: `list ad sets of campaign ${input.campaignId}`, accountId: id, signal: input.signal }, { method: 'GET', url: `/${m.apiVersion}/${input.campaignId}/adsets`, params: { fields: 'id,name,status', limit: 1, ...m.auth } });
		adSet = data.data?.[0]?.id;
		if (!adSet) throw configError('meta', id, `list ad sets of campaign ${input.campaignId}`, `campaign ${input.campaignId} has no ad set: create one in Ads Manager or choose the ad set`);
	}
	const cta = metaCallToAction(input.copy.callToAction);
	const linkData: Record<string, unknown> = {
		link: input.copy.link,
		message: input.copy.primaryText ?? '',
		...(headline !== undefined ? { name: headline } : {}),
		...(input.copy.descriptions[0] ? { description: input.copy.descriptions[0].text } : {}),
		...(cta ? { call_to_action: { type: cta, value: { link: input.copy.link } } } : {}),
	};
	const creative = await metaPost(m, id, 'create ad creative', `act_${id}/adcreatives`, { name: input.name, object_story_spec: JSON.stringify({ page_id: input.pageId, link_data: linkData }) }, input.signal);
	if (typeof creative.id !== 'string') throw malformed('meta', id, 'create ad creative', creative);
	const ad = await metaPost(m, id, `create ad in ad set ${adSet}`, `act_${id}/ads`, { name: input.name, adset_id: adSet, creative: JSON.stringify({ creative_id: creative.id }), status: input.status }, input.signal);
	if (typeof ad.id !== 'string') throw malformed('meta', id, `create ad in ad set ${adSet}`, ad);
	return { platform: 'meta', accountId: id, adId: ad.id, creativeId: creative.id, parentId: adSet, status: input.status, validateOnly: false };
}

export async function metaFindAd(m: MetaAccess, input: CreateAdInput): Promise<CreatedAd | null> {
	const id = input.accountId.replace(/^act_/, '');
	let after: string | undefined;
	for (let page = 0; page < 200; page++) {
		const { data } = await m.http.request<{ data?: Array<{ id?: string; name?: string; status?: string; creative?: { id?: string } }>; paging?: { cursors?: { after?: string }; next?: string } }>(
			{ call: 'list ads', accountId: id, signal: input.signal },
			{ method: 'GET', url: `/${m.apiVersion}/act_${id}/ads`, params: { fields: 'id,name,status,creative{id}', limit: 100, ...(after ? { after } : {}), ...m.auth } },
		);
		const hit = (data.data ?? []).find((a) => a.name === input.name);
		if (hit?.id) return { platform: 'meta', accountId: id, adId: hit.id, creativeId: hit.creative?.id ?? null, parentId: input.parentId ?? null, status: hit.status ?? 'UNKNOWN', validateOnly: false };
		after = data.paging?.next ? data.paging.cursors?.after : undefined;
		if (!after) return null;
	}
	return null;
}

// ---------------------------------------------------------------------------------------------
// Google Ads
// ---------------------------------------------------------------------------------------------

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
	if (!input.parentId) throw configError('google_ads', id, call, 'a responsive search ad goes into an ad group: choose the ad group');
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

// ---------------------------------------------------------------------------------------------
// LinkedIn
// ---------------------------------------------------------------------------------------------

export async function linkedinCreateAd(http: HttpTransport, input: CreateAdInput): Promise<CreatedAd> {
	const id = input.accountId.replace(/^urn:li:sponsoredAccount:/, '');
	const call = `create sponsored content creative in campaign ${input.campaignId}`;
	if (!input.organizationId) throw configError('linkedin', id, call, 'a sponsored content post is authored by a LinkedIn company page: set the Organization ID');
	if (!input.copy.primaryText) throw configError('linkedin', id, call, 'a sponsored content post needs its introductory text (the variant has none)');
	const headline = input.copy.headlines[0]?.text;
	const { data } = await http.request<{ value?: { creative?: string; post?: string } }>(
		{ call, accountId: id, signal: input.signal, sideEffect: 'once' },
		{
			method: 'POST',
			url: `/rest/adAccounts/${encodeURIComponent(id)}/creatives?action=createInline`,
			headers: { 'content-type': 'application/json' },
			data: {
				creative: {
					campaign: `urn:li:sponsoredCampaign:${input.campaignId}`,
					intendedStatus: input.status,
					name: input.name,
					inlineContent: {
						post: {
							author: `urn:li:organization:${input.organizationId.replace(/^urn:li:organization:/, '')}`,
							commentary: input.copy.primaryText,
							visibility: 'PUBLIC',
							lifecycleState: 'PUBLISHED',
							isReshareDisabledByAuthor: false,
							adContext: { dscAdAccount: `urn:li:sponsoredAccount:${id}`, dscStatus: 'ACTIVE' },
							content: { article: { source: input.copy.link, ...(headline !== undefined ? { title: headline } : {}), ...(input.copy.descriptions[0] ? { description: input.copy.descriptions[0].text } : {}) } },
						},
					},
				},
			},
		},
	);
	const urn = data.value?.creative;
	if (typeof urn !== 'string' || urn === '') throw malformed('linkedin', id, call, data);
	return { platform: 'linkedin', accountId: id, adId: urn, creativeId: data.value?.post ?? null, parentId: null, status: input.status, validateOnly: false };
}

export async function linkedinFindAd(http: HttpTransport, input: CreateAdInput): Promise<CreatedAd | null> {
	const id = input.accountId.replace(/^urn:li:sponsoredAccount:/, '');
	const campaigns = `List(${encodeURIComponent(`urn:li:sponsoredCampaign:${input.campaignId}`)})`;
	const { data } = await http.request<{ elements?: Array<{ id?: string; name?: string; intendedStatus?: string }> }>(
		{ call: `list creatives of campaign ${input.campaignId}`, accountId: id, signal: input.signal },
		{ method: 'GET', url: `/rest/adAccounts/${encodeURIComponent(id)}/creatives?q=criteria&campaigns=${campaigns}&count=100` },
	);
	const hit = (data.elements ?? []).find((c) => c.name === input.name);
	return hit?.id ? { platform: 'linkedin', accountId: id, adId: hit.id, creativeId: null, parentId: null, status: hit.intendedStatus ?? 'UNKNOWN', validateOnly: false } : null;
}
