import type { ICredentialType, INodeProperties, Icon } from 'n8n-workflow';

/**
 * Notion integration for the approval queue. Tested by the AdOps Approval
 * node (`testedBy: adOpsNotionApiTest`, nodes/common/notion.ts): finds the
 * approval data source and checks that it has every property the queue
 * needs, naming what is missing.
 *
 * No `authenticate` block: the package's clients send the token themselves,
 * and n8n adds a "Custom API Call" operation to every node whose credential
 * has one (test/unit/custom-api-call.test.ts).
 */
export class AdOpsNotionApi implements ICredentialType {
	name = 'adOpsNotionApi';

	displayName = 'AdOps Notion API';

	icon: Icon = { light: 'file:icons/adops.svg', dark: 'file:icons/adops.dark.svg' };

	documentationUrl = 'https://developers.notion.com/docs/authorization#internal-integration-auth-flow-set-up';

	properties: INodeProperties[] = [
		{
			displayName: 'Integration Token',
			name: 'token',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			placeholder: 'ntn_…',
			description: 'Internal integration secret. Share the approval database with the integration (database menu → Connections).',
		},
		{
			displayName: 'Approval Database ID',
			name: 'dataSourceId',
			type: 'string',
			default: '',
			required: true,
			description:
				'The approval database (the ID in its URL) or its data source ID. scripts/notion/provision.ts creates the database with the right properties and prints both.',
		},
		{
			displayName: 'API URL',
			name: 'baseUrl',
			type: 'string',
			default: 'https://api.notion.com',
			description: "Base URL of Notion's API. Change it only to point at a local sandbox or a proxy.",
		},
	];
}
