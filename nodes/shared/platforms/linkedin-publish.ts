/** Publishing a LinkedIn sponsored content creative from approved copy (issue 20); see ./ad-publish.ts. */
import { malformed, type AdPublishing, type CreateAdInput, type CreatedAd } from './ad-publish';
import { refusedChange } from './campaign-state';
import type { HttpTransport } from './http';

export const LINKEDIN_AD_PUBLISHING: AdPublishing = { validateFirst: false, parentLabel: null };

export async function linkedinCreateAd(http: HttpTransport, input: CreateAdInput): Promise<CreatedAd> {
	const id = input.accountId.replace(/^urn:li:sponsoredAccount:/, '');
	const call = `create sponsored content creative in campaign ${input.campaignId}`;
	if (!input.organizationId) throw refusedChange('linkedin', id, call, 'no organization was given', 'a sponsored content post is authored by a LinkedIn company page: set the Organization ID');
	if (!input.copy.primaryText) throw refusedChange('linkedin', id, call, 'the variant has no primary text', 'a sponsored content post needs its introductory text: give the variant one');
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
	// cursor paging (versions 202401+) takes pageSize, not the old index `count`; a campaign holds at most 100 creatives: one page
	const { data } = await http.request<{ elements?: Array<{ id?: string; name?: string; intendedStatus?: string }> }>(
		{ call: `list creatives of campaign ${input.campaignId}`, accountId: id, signal: input.signal },
		{ method: 'GET', url: `/rest/adAccounts/${encodeURIComponent(id)}/creatives?q=criteria&campaigns=${campaigns}&pageSize=100` },
	);
	const hit = (data.elements ?? []).find((c) => c.name === input.name);
	return hit?.id ? { platform: 'linkedin', accountId: id, adId: hit.id, creativeId: null, parentId: null, status: hit.intendedStatus ?? 'UNKNOWN', validateOnly: false } : null;
}
