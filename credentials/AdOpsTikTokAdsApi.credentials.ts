import type { IAuthenticateGeneric, ICredentialTestRequest, ICredentialType, INodeProperties, Icon } from 'n8n-workflow';
import { PLATFORM_REGISTRY } from '../nodes/shared/platforms/registry';

const tiktok = PLATFORM_REGISTRY.tiktok;

/**
 * TikTok API for Business (Marketing API). The AdOps Ingest node tests it in
 * full (`adOpsTikTokAdsApiTest`: reads each advertiser, naming what is wrong);
 * the request below is the plain check n8n runs where no node test applies:
 * TikTok answers errors with HTTP 200 and a `code`, so the rules read the code.
 */
export class AdOpsTikTokAdsApi implements ICredentialType {
	name = tiktok.credentials[0].name;

	displayName = tiktok.credentials[0].displayName;

	icon: Icon = { light: 'file:icons/adops.svg', dark: 'file:icons/adops.dark.svg' };

	documentationUrl = 'https://business-api.tiktok.com/portal/docs?id=1738373164380162';

	properties: INodeProperties[] = [
		{
			displayName: 'Access Token',
			name: 'accessToken',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			description: 'Long-term access token of a TikTok for Business app authorised for the advertisers (Ad Account Management, Reporting and Campaign Management scopes)',
		},
		{
			displayName: 'Advertiser IDs',
			name: 'advertiserIds',
			type: 'string',
			default: '',
			placeholder: '7010000000001, 7010000000002',
			description: 'Comma-separated advertiser IDs this token may use',
		},
		{
			displayName: 'API Version',
			name: 'apiVersion',
			type: 'string',
			default: tiktok.api.version,
			description: 'Pinned so a TikTok release cannot change the payloads under you',
		},
		{
			displayName: 'API Base URL',
			name: 'baseUrl',
			type: 'string',
			default: 'https://business-api.tiktok.com',
			description: 'Change only to point at a proxy or a local sandbox',
		},
	];

	authenticate: IAuthenticateGeneric = {
		type: 'generic',
		properties: { headers: { 'Access-Token': '={{$credentials.accessToken}}' } },
	};

	test: ICredentialTestRequest = {
		request: {
			baseURL: '={{$credentials.baseUrl}}',
			url: `=/open_api/{{$credentials.apiVersion || "${tiktok.api.version}"}}/advertiser/info/`,
			qs: { advertiser_ids: '={{JSON.stringify(String($credentials.advertiserIds).split(/[\\s,;]+/).filter((id) => id).slice(0, 5))}}' },
		},
		rules: [
			{ type: 'responseSuccessBody', properties: { key: 'code', value: 40104, message: 'The access token is empty: paste the long-term access token' } },
			{ type: 'responseSuccessBody', properties: { key: 'code', value: 40105, message: 'TikTok does not know this access token: generate a new long-term token for the app' } },
			{ type: 'responseSuccessBody', properties: { key: 'code', value: 40102, message: 'The access token has expired: re-authorise the app and paste the new token' } },
			{ type: 'responseSuccessBody', properties: { key: 'code', value: 40001, message: 'The token has no permission for these advertisers: authorise the app for each advertiser ID' } },
			{ type: 'responseSuccessBody', properties: { key: 'code', value: 40002, message: 'TikTok refused the advertiser IDs: list the advertiser IDs (digits) this token may use' } },
			{ type: 'responseSuccessBody', properties: { key: 'code', value: 40100, message: 'TikTok is throttling this app right now: test again in a minute' } },
		],
	};
}
