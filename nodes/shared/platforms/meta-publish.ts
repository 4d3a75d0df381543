/** Publishing a Meta ad from approved copy (issue 20); see ./ad-publish.ts. */
import { PlatformApiError } from '../resilience/errors';
import { failpoint } from '../resilience/failpoints';
import { malformed, type AdPublishing, type CreateAdInput, type CreatedAd } from './ad-publish';
import { refusedChange } from './campaign-state';
import type { HttpTransport } from './http';

export const META_AD_PUBLISHING: AdPublishing = { validateFirst: false, parentLabel: 'ad set' };

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

/** The campaign's first ad set (`GET {campaign}/adsets`), or null when it has none. */
export async function metaFirstAdSet(m: MetaAccess, input: { accountId: string; campaignId: string; signal?: AbortSignal }): Promise<{ id: string; why: string } | null> {
	const id = input.accountId.replace(/^act_/, '');
	const { data } = await m.http.request<{ data?: Array<{ id?: string; name?: string }> }>(
		{ call: `list ad sets of campaign ${input.campaignId}`, accountId: id, signal: input.signal },
		{ method: 'GET', url: `/${m.apiVersion}/${input.campaignId}/adsets`, params: { fields: 'id,name,status', limit: 1, ...m.auth } },
	);
	const first = data.data?.[0];
	return first?.id ? { id: first.id, why: `ad set ${first.id}${first.name ? ` ("${first.name}")` : ''}, the campaign's first` } : null;
}

/** The image hash of the campaign's existing ads (`GET {campaign}/ads`, creative{image_hash}): the first one that has an image. */
async function campaignImageHash(m: MetaAccess, id: string, campaignId: string, signal?: AbortSignal): Promise<string | null> {
	const { data } = await m.http.request<{ data?: Array<{ id?: string; creative?: { image_hash?: string } }> }>(
		{ call: `list ads of campaign ${campaignId}`, accountId: id, signal },
		{ method: 'GET', url: `/${m.apiVersion}/${campaignId}/ads`, params: { fields: 'id,creative{image_hash}', limit: 100, ...m.auth } },
	);
	return (data.data ?? []).map((a) => a.creative?.image_hash).find((h): h is string => typeof h === 'string' && h !== '') ?? null;
}

type CreativeRow = { id?: string; name?: string; object_story_spec?: { page_id?: string; link_data?: Record<string, unknown> } };

/**
 * The creative an earlier attempt made for this ad (same name, same Page and link data), read from the
 * account's creatives: when the creative's answer was lost, or the ad's call failed after it, the next
 * attempt reuses it instead of leaving an orphan creative and making a second one.
 */
async function earlierCreative(m: MetaAccess, id: string, name: string, pageId: string, linkData: Record<string, unknown>, signal?: AbortSignal): Promise<string | null> {
	const same = (a: unknown, b: unknown): boolean => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
	let after: string | undefined;
	for (let page = 0; page < 50; page++) {
		const { data } = await m.http.request<{ data?: CreativeRow[]; paging?: { cursors?: { after?: string }; next?: string } }>(
			{ call: 'list ad creatives', accountId: id, signal },
			{ method: 'GET', url: `/${m.apiVersion}/act_${id}/adcreatives`, params: { fields: 'id,name,object_story_spec', limit: 100, ...(after ? { after } : {}), ...m.auth } },
		);
		const hit = (data.data ?? []).find((c) => {
			if (c.name !== name || String(c.object_story_spec?.page_id ?? '') !== pageId) return false;
			const got = c.object_story_spec?.link_data ?? {};
			return Object.keys(linkData).every((k) => same(got[k], linkData[k]));
		});
		if (hit?.id) return hit.id;
		after = data.paging?.next ? data.paging.cursors?.after : undefined;
		if (!after) return null;
	}
	return null;
}

export async function metaCreateAd(m: MetaAccess, input: CreateAdInput): Promise<CreatedAd> {
	const id = input.accountId.replace(/^act_/, '');
	if (!input.pageId) throw refusedChange('meta', id, 'create ad creative', 'no Facebook Page was given', 'a Meta ad needs the Facebook Page it speaks for: set the Page ID');
	const headline = input.copy.headlines[0]?.text;
	let adSet = input.parentId;
	if (!adSet) {
		adSet = (await metaFirstAdSet(m, { accountId: id, campaignId: input.campaignId, signal: input.signal }))?.id;
		if (!adSet) throw refusedChange('meta', id, `list ad sets of campaign ${input.campaignId}`, `campaign ${input.campaignId} has no ad set`, 'create an ad set in Ads Manager or choose the ad set');
	}
	let imageHash: string | undefined;
	if (input.image && 'hash' in input.image) imageHash = input.image.hash;
	else if (input.image) {
		imageHash = (await campaignImageHash(m, id, input.campaignId, input.signal)) ?? undefined;
		if (!imageHash) throw refusedChange('meta', id, `list ads of campaign ${input.campaignId}`, `no ad of campaign ${input.campaignId} has an image`, "give the image hash of an image uploaded to the ad account (Ads Manager → Media), or publish without an image");
	}
	const cta = metaCallToAction(input.copy.callToAction);
	const linkData: Record<string, unknown> = {
		link: input.copy.link,
		message: input.copy.primaryText ?? '',
		...(headline !== undefined ? { name: headline } : {}),
		...(input.copy.descriptions[0] ? { description: input.copy.descriptions[0].text } : {}),
		...(imageHash ? { image_hash: imageHash } : {}),
		...(cta ? { call_to_action: { type: cta, value: { link: input.copy.link } } } : {}),
	};
	let creativeId = await earlierCreative(m, id, input.name, input.pageId, linkData, input.signal);
	if (!creativeId) {
		const creative = await metaPost(m, id, 'create ad creative', `act_${id}/adcreatives`, { name: input.name, object_story_spec: JSON.stringify({ page_id: input.pageId, link_data: linkData }) }, input.signal);
		if (typeof creative.id !== 'string') throw malformed('meta', id, 'create ad creative', creative);
		creativeId = creative.id;
	}
	// the creative exists, the ad not yet: a kill here is found again by earlierCreative on the next attempt
	failpoint('meta.publish.after-creative');
	const ad = await metaPost(m, id, `create ad in ad set ${adSet}`, `act_${id}/ads`, { name: input.name, adset_id: adSet, creative: JSON.stringify({ creative_id: creativeId }), status: input.status }, input.signal);
	if (typeof ad.id !== 'string') throw malformed('meta', id, `create ad in ad set ${adSet}`, ad);
	return { platform: 'meta', accountId: id, adId: ad.id, creativeId, parentId: adSet, status: input.status, validateOnly: false };
}

/** Pages of 100 ads `metaFindAd` reads before it gives up (an account with more cannot be told to lack the ad). */
export const META_FIND_PAGES = 200;

export async function metaFindAd(m: MetaAccess, input: CreateAdInput): Promise<CreatedAd | null> {
	const id = input.accountId.replace(/^act_/, '');
	let after: string | undefined;
	for (let page = 0; page < META_FIND_PAGES; page++) {
		const { data } = await m.http.request<{ data?: Array<{ id?: string; name?: string; status?: string; adset_id?: string; creative?: { id?: string } }>; paging?: { cursors?: { after?: string }; next?: string } }>(
			{ call: 'list ads', accountId: id, signal: input.signal },
			{ method: 'GET', url: `/${m.apiVersion}/act_${id}/ads`, params: { fields: 'id,name,status,adset_id,creative{id}', limit: 100, ...(after ? { after } : {}), ...m.auth } },
		);
		const hit = (data.data ?? []).find((a) => a.name === input.name);
		// the ad set is the ad's own (it was the campaign's first when none was chosen)
		if (hit?.id) return { platform: 'meta', accountId: id, adId: hit.id, creativeId: hit.creative?.id ?? null, parentId: hit.adset_id ?? input.parentId ?? null, status: hit.status ?? 'UNKNOWN', validateOnly: false };
		after = data.paging?.next ? data.paging.cursors?.after : undefined;
		if (!after) return null;
	}
	// not read to the end: "not there" would let the caller create a second ad
	throw new Error(`Meta account ${id} has more ads than the ${META_FIND_PAGES * 100} read; no ad "${input.name}" among them, so whether it exists is not known`);
}
