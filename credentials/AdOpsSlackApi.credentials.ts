import type { ICredentialType, INodeProperties, Icon } from 'n8n-workflow';

/**
 * Slack bot token. Tested by the AdOps Alert node (`testedBy: adOpsSlackApiTest`,
 * nodes/common/slack.ts): `auth.test`, with an explanation for a rejected token
 * and for an API URL that cannot be reached.
 *
 * No `authenticate` block: the package's clients send the token themselves,
 * and n8n adds a "Custom API Call" operation to every node whose credential
 * has one (test/unit/custom-api-call.test.ts).
 */
export class AdOpsSlackApi implements ICredentialType {
	name = 'adOpsSlackApi';

	displayName = 'AdOps Slack API';

	icon: Icon = { light: 'file:icons/adops.svg', dark: 'file:icons/adops.dark.svg' };

	documentationUrl = 'https://api.slack.com/authentication/token-types#bot';

	properties: INodeProperties[] = [
		{
			displayName: 'Bot Token',
			name: 'botToken',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			placeholder: 'xoxb-…',
			description: 'Bot User OAuth Token of the Slack app, with the chat:write scope',
		},
		{
			displayName: 'Default Channel',
			name: 'defaultChannel',
			type: 'string',
			default: '',
			placeholder: '#ad-ops',
			description: 'Channel name or ID used when a node does not name one. Invite the bot to it.',
		},
		{
			displayName: 'Signing Secret',
			name: 'signingSecret',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			description:
				"The Slack app's Signing Secret (Basic Information → App Credentials). Needed only to receive Approve/Reject button clicks: AdOps Approval → Handle Slack Interaction verifies every request with it.",
		},
		{
			displayName: 'API URL',
			name: 'apiUrl',
			type: 'string',
			default: 'https://slack.com/api/',
			description: "Base URL of Slack's Web API. Change it only to point at a local sandbox or a proxy.",
		},
	];
}
