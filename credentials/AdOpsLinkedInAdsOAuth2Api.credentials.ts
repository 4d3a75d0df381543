import type { ICredentialType, INodeProperties, Icon } from 'n8n-workflow';
import { PLATFORM_REGISTRY } from '../nodes/shared/platforms/registry';

/** LinkedIn Marketing API through n8n's OAuth2 flow. */
export class AdOpsLinkedInAdsOAuth2Api implements ICredentialType {
	name = 'adOpsLinkedInAdsOAuth2Api';

	extends = ['oAuth2Api'];

	displayName = 'AdOps LinkedIn Ads OAuth2 API';

	icon: Icon = { light: 'file:icons/adops.svg', dark: 'file:icons/adops.dark.svg' };

	documentationUrl = 'https://learn.microsoft.com/en-us/linkedin/marketing/getting-started';

	properties: INodeProperties[] = [
		{ displayName: 'Grant Type', name: 'grantType', type: 'hidden', default: 'authorizationCode' },
		{ displayName: 'Authorization URL', name: 'authUrl', type: 'hidden', default: 'https://www.linkedin.com/oauth/v2/authorization' },
		{
			displayName: 'Access Token URL',
			name: 'accessTokenUrl',
			type: 'string',
			default: 'https://www.linkedin.com/oauth/v2/accessToken',
			description: "LinkedIn's token endpoint; change only for a proxy or a local sandbox",
		},
		{ displayName: 'Scope', name: 'scope', type: 'hidden', default: 'r_ads r_ads_reporting rw_ads' },
		{ displayName: 'Auth URI Query Parameters', name: 'authQueryParameters', type: 'hidden', default: '' },
		{ displayName: 'Authentication', name: 'authentication', type: 'hidden', default: 'body' },
		{
			displayName: 'Ad Account IDs',
			name: 'adAccountIds',
			type: 'string',
			default: '',
			placeholder: '508123456, 508234567',
			description: 'Comma-separated sponsored ad account IDs (numbers or urn:li:sponsoredAccount:… URNs)',
		},
		{
			displayName: 'LinkedIn-Version',
			name: 'linkedInVersion',
			type: 'string',
			default: PLATFORM_REGISTRY.linkedin.api.version,
			description: 'The LinkedIn-Version header (YYYYMM), pinned so a LinkedIn release cannot change the payloads under you',
		},
		{
			displayName: 'API Base URL',
			name: 'baseUrl',
			type: 'string',
			default: 'https://api.linkedin.com',
			description: 'Change only to point at a proxy or a local sandbox',
		},
	];
}
