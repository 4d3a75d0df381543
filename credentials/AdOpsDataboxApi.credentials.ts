import type { ICredentialType, INodeProperties, Icon } from 'n8n-workflow';

/**
 * Databox, for AdOps Insights → Push KPIs (nodes/shared/insights/databox.ts).
 * Two APIs: the current Databox API (datasets; an API key sent as
 * `x-api-key`) and, for older accounts, the legacy push API (a data
 * source's push token sent as the basic-auth user). Tested by the AdOps
 * Insights node (`testedBy: adOpsDataboxApiTest`): `GET /v1/auth/validate-key`,
 * or `GET /ping` on the push API.
 *
 * No `authenticate` block: the client sends the key itself, in the form the
 * chosen API wants.
 */
export class AdOpsDataboxApi implements ICredentialType {
	name = 'adOpsDataboxApi';

	displayName = 'AdOps Databox API';

	icon: Icon = { light: 'file:icons/adops.svg', dark: 'file:icons/adops.dark.svg' };

	documentationUrl = 'https://developers.databox.com/docs/api/authentication';

	properties: INodeProperties[] = [
		{
			displayName: 'API Mode',
			name: 'apiMode',
			type: 'options',
			default: 'datasets',
			options: [
				{ name: 'Databox API (Datasets)', value: 'datasets', description: 'The current API: records into a dataset, with an API key' },
				{ name: 'Legacy Push API', value: 'push', description: "Older accounts: metrics pushed to a custom data source with its push token" },
			],
			description: 'Which Databox API receives the KPIs',
		},
		{
			displayName: 'API Key',
			name: 'apiKey',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			description:
				'Databox API: the key from Account Management → Profile → Password & Security → API key (admins only). Legacy push API: the push token of the custom data source.',
		},
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: '',
			placeholder: 'https://api.databox.com',
			description: 'Leave empty for Databox (https://api.databox.com, or https://push.databox.com in legacy push mode). Change it only to point at a local sandbox or a proxy.',
		},
	];
}
