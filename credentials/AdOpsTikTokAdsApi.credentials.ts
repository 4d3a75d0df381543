import type { IAuthenticateGeneric, ICredentialType, INodeProperties, Icon } from 'n8n-workflow';
import { PLATFORM_REGISTRY } from '../nodes/shared/platforms/registry';

const tiktok = PLATFORM_REGISTRY.tiktok;

/**
 * TikTok API for Business (Marketing API). Tested by the nodes that use it
 * (AdOps Ingest, AdOps Optimizer: `testedBy: 'adOpsTikTokAdsApiTest'`), which
 * read each advertiser (at most 5) through the adapter and name what is wrong
 * with TikTok's own code and what to do. No declarative `test` here: n8n
 * 2.40.7 runs a credential's own `test` request instead of any node's
 * `testedBy` method (CredentialsTester.getCredentialTestFunction), so one
 * would hide the adapter's messages behind a generic "Connection successful!".
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
}
