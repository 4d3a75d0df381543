/** Publishing a Meta ad from approved copy (issue 20); see ./ad-publish.ts. */
import { PlatformApiError } from '../resilience/errors';
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

export async function metaCreateAd(m: MetaAccess, input: CreateAdInput): Promise<CreatedAd> {
	const id = input.accountId.replace(/^act_/, '');
	if (!input.pageId) throw refusedChange('meta', id, 'create ad creative', 'no Facebook Page was given', 'a Meta ad needs the Facebook Page it speaks for: set the Page ID');
	const headline = input.copy.headlines[0]?.text;
	let adSet = input.parentId;
	if (!adSet) {
		const { data } = await m.http.request<{ data?: Array<{ id?: string }> }>({ call: `list ad sets of campaign ${input.campaignId}`, accountId: id, signal: input.signal }, { method: 'GET', url: `/${m.apiVersion}/${input.campaignId}/adsets`, params: { fields: 'id,name,status', limit: 1, ...m.auth } });
		adSet = data.data?.[0]?.id;
		if (!adSet) throw refusedChange('meta', id, `list ad sets of campaign ${input.campaignId}`, `campaign ${input.campaignId} has no ad set`, 'create an ad set in Ads Manager or choose the ad set');
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
	return null;
}
