import type { ICredentialType, INodeProperties, Icon } from 'n8n-workflow';

/** Google Ads API through n8n's OAuth2 flow plus the developer token. */
export class AdOpsGoogleAdsOAuth2Api implements ICredentialType {
	name = 'adOpsGoogleAdsOAuth2Api';

	extends = ['oAuth2Api'];

	displayName = 'AdOps Google Ads OAuth2 API';

	icon: Icon = { light: 'file:icons/adops.svg', dark: 'file:icons/adops.dark.svg' };

	documentationUrl = 'https://developers.google.com/google-ads/api/docs/oauth/overview';

	properties: INodeProperties[] = [
		{ displayName: 'Grant Type', name: 'grantType', type: 'hidden', default: 'authorizationCode' },
		{ displayName: 'Authorization URL', name: 'authUrl', type: 'hidden', default: 'https://accounts.google.com/o/oauth2/v2/auth' },
		{
			displayName: 'Access Token URL',
			name: 'accessTokenUrl',
			type: 'string',
			default: 'https://oauth2.googleapis.com/token',
			description: "Google's token endpoint; change only for a proxy or a local sandbox",
		},
		{ displayName: 'Scope', name: 'scope', type: 'hidden', default: 'https://www.googleapis.com/auth/adwords' },
		{ displayName: 'Auth URI Query Parameters', name: 'authQueryParameters', type: 'hidden', default: 'access_type=offline&prompt=consent' },
		{ displayName: 'Authentication', name: 'authentication', type: 'hidden', default: 'body' },
		{
			displayName: 'Developer Token',
			name: 'developerToken',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			description: 'From the Google Ads API Center of your manager account',
		},
		{
			displayName: 'Login Customer ID',
			name: 'loginCustomerId',
			type: 'string',
			default: '',
			placeholder: '123-456-7890',
			description: 'The manager (MCC) account the token reaches the customers through; empty when accessing a customer directly',
		},
		{
			displayName: 'Customer IDs',
			name: 'customerIds',
			type: 'string',
			default: '',
			placeholder: '111-222-3333, 444-555-6666',
			description: 'Comma-separated Google Ads customer IDs to work with',
		},
		{
			displayName: 'API Base URL',
			name: 'apiBaseUrl',
			type: 'string',
			default: 'https://googleads.googleapis.com',
			description: 'Change only to point at a proxy or a local sandbox',
		},
	];
}
