/** Publishing a LinkedIn sponsored content creative from approved copy (issue 20); see ./ad-publish.ts. */
import { PlatformApiError } from '../resilience/errors';
import { malformed, type AdPublishing, type CreateAdInput, type CreatedAd } from './ad-publish';
import { refusedChange } from './campaign-state';
import type { HttpTransport } from './http';

export const LINKEDIN_AD_PUBLISHING: AdPublishing = { validateFirst: false, parentLabel: null };

/**
 * A creative LinkedIn refused naming a field (400 or 422 whose `message` starts with the field's path, e.g.
 * "/creative/inlineContent/post/commentary: The commentary has 713 characters; at most 600 are allowed.") says
 * what to change: the variant's text or the publish settings. The transport's hint for it was made for reads and
 * campaign writes, not for a new creative. Other refusals (an inactive LinkedIn-Version, …) keep their hint.
 */
async function refusalInWords<T>(accountId: string, call: string, send: () => Promise<T>): Promise<T> {
	try {
		return await send();
	} catch (error) {
		if (error instanceof PlatformApiError && error.kind === 'bad_request' && /^\/\S+: /.test(error.platformMessage ?? '')) {
			throw new PlatformApiError({ platform: 'linkedin', accountId, call, kind: 'bad_request', retryable: false, httpStatus: error.httpStatus, code: error.code, subcode: error.subcode, platformMessage: error.platformMessage, requestId: error.requestId, hint: "change what LinkedIn names (the variant's text within LinkedIn's limits, or the organization or link in the publish settings) and publish again" });
		}
		throw error;
	}
}

export async function linkedinCreateAd(http: HttpTransport, input: CreateAdInput): Promise<CreatedAd> {
	const id = input.accountId.replace(/^urn:li:sponsoredAccount:/, '');
	const call = `create sponsored content creative in campaign ${input.campaignId}`;
	if (!input.organizationId) throw refusedChange('linkedin', id, call, 'no organization was given', 'a sponsored content post is authored by a LinkedIn company page: set the Organization ID');
	if (!input.copy.primaryText) throw refusedChange('linkedin', id, call, 'the variant has no primary text', 'a sponsored content post needs its introductory text: give the variant one');
	const headline = input.copy.headlines[0]?.text;
	const organization = input.organizationId.replace(/^urn:li:organization:/, '');
	const data = await refusalInWords(id, call, () => http.request<{ value?: { creative?: string; post?: string } }>(
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
							author: `urn:li:organization:${organization}`,
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
	).then((r) => r.data));
	const urn = data.value?.creative;
	if (typeof urn !== 'string' || urn === '') throw malformed('linkedin', id, call, data);
	return { platform: 'linkedin', accountId: id, adId: urn, creativeId: data.value?.post ?? null, parentId: null, status: input.status, validateOnly: false };
}

/** Pages of 100 creatives `linkedinFindAd` reads before it gives up. */
export const LINKEDIN_FIND_PAGES = 50;

export async function linkedinFindAd(http: HttpTransport, input: CreateAdInput): Promise<CreatedAd | null> {
	const id = input.accountId.replace(/^urn:li:sponsoredAccount:/, '');
	const campaigns = `List(${encodeURIComponent(`urn:li:sponsoredCampaign:${input.campaignId}`)})`;
	// cursor paging (versions 202401+): pageSize and pageToken, the next token in metadata.nextPageToken
	let token: string | undefined;
	for (let page = 0; page < LINKEDIN_FIND_PAGES; page++) {
		const { data } = await http.request<{ elements?: Array<{ id?: string; name?: string; intendedStatus?: string }>; metadata?: { nextPageToken?: string | null } }>(
			{ call: `list creatives of campaign ${input.campaignId}`, accountId: id, signal: input.signal },
			{ method: 'GET', url: `/rest/adAccounts/${encodeURIComponent(id)}/creatives?q=criteria&campaigns=${campaigns}&pageSize=100${token ? `&pageToken=${encodeURIComponent(token)}` : ''}` },
		);
		const hit = (data.elements ?? []).find((c) => c.name === input.name);
		if (hit?.id) return { platform: 'linkedin', accountId: id, adId: hit.id, creativeId: null, parentId: null, status: hit.intendedStatus ?? 'UNKNOWN', validateOnly: false };
		token = data.metadata?.nextPageToken ?? undefined;
		if (!token) return null;
	}
	// not read to the end: "not there" would let the caller create a second creative
	throw new Error(`LinkedIn campaign ${input.campaignId} has more creatives than the ${LINKEDIN_FIND_PAGES * 100} read; none named "${input.name}" among them, so whether it exists is not known`);
}
