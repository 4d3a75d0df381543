import type { ICredentialType, INodeProperties, Icon } from 'n8n-workflow';
import { PLATFORM_REGISTRY } from '../nodes/shared/platforms/registry';

/** Klaviyo private API key. Tested by the AdOps Ingest node (reads the account). */
// The node names its test through the platform registry (AdOpsIngest CREDENTIAL_TESTS → `adOpsKlaviyoApiTest`), which the lint rule cannot follow.
// eslint-disable-next-line @n8n/community-nodes/credential-test-required
export class AdOpsKlaviyoApi implements ICredentialType {
	name = 'adOpsKlaviyoApi';

	displayName = 'AdOps Klaviyo API';

	icon: Icon = { light: 'file:icons/adops.svg', dark: 'file:icons/adops.dark.svg' };

	documentationUrl = 'https://developers.klaviyo.com/en/docs/authenticate_';

	properties: INodeProperties[] = [
		{
			displayName: 'Private API Key',
			name: 'apiKey',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			placeholder: 'pk_…',
			description: 'Private key with read access to accounts, metrics, campaigns and flows',
		},
		{
			displayName: 'API Revision',
			name: 'revision',
			type: 'string',
			default: PLATFORM_REGISTRY.klaviyo.api.version,
			description: 'The revision header, pinned so a Klaviyo release cannot change the payloads under you',
		},
		{
			displayName: 'API Base URL',
			name: 'baseUrl',
			type: 'string',
			default: 'https://a.klaviyo.com',
			description: 'Change only to point at a proxy or a local sandbox',
		},
	];
}
