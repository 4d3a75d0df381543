import type { ICredentialType, INodeProperties, Icon } from 'n8n-workflow';
import { PLATFORM_REGISTRY } from '../nodes/shared/platforms/registry';

/** Meta Marketing API. Tested by the AdOps Ingest node (reads each ad account). */
export class AdOpsMetaAdsApi implements ICredentialType {
	name = 'adOpsMetaAdsApi';

	displayName = 'AdOps Meta Ads API';

	icon: Icon = { light: 'file:icons/adops.svg', dark: 'file:icons/adops.dark.svg' };

	documentationUrl = 'https://developers.facebook.com/docs/marketing-api/overview/authorization';

	properties: INodeProperties[] = [
		{
			displayName: 'Access Token',
			name: 'accessToken',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			description: 'System-user or long-lived user token with ads_read (and ads_management to change budgets and comments)',
		},
		{
			displayName: 'App Secret',
			name: 'appSecret',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			description: 'When set, every call carries appsecret_proof (required if the app enforces it)',
		},
		{
			displayName: 'Webhook Verify Token',
			name: 'webhookVerifyToken',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			description:
				'Only for AdOps Moderation Trigger: the Verify Token you type into the Meta app\'s Webhooks settings. Deliveries are checked with the App Secret (X-Hub-Signature-256), so set that too.',
		},
		{
			displayName: 'Ad Account IDs',
			name: 'adAccountIds',
			type: 'string',
			default: '',
			placeholder: 'act_1234567890, act_2345678901',
			description: 'Comma-separated ad accounts this token may use (with or without act_)',
		},
		{
			displayName: 'Graph API Version',
			name: 'apiVersion',
			type: 'string',
			default: PLATFORM_REGISTRY.meta.api.version,
			description: 'Pinned so a Meta release cannot change the payloads under you',
		},
		{
			displayName: 'API Base URL',
			name: 'baseUrl',
			type: 'string',
			default: 'https://graph.facebook.com',
			description: 'Change only to point at a proxy or a local sandbox',
		},
	];
}
