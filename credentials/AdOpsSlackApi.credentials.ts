import type { IAuthenticateGeneric, ICredentialTestRequest, ICredentialType, INodeProperties, Icon } from 'n8n-workflow';

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
			displayName: 'API URL',
			name: 'apiUrl',
			type: 'string',
			default: 'https://slack.com/api/',
			description: "Base URL of Slack's Web API. Change it only to point at a local sandbox or a proxy.",
		},
	];

	authenticate: IAuthenticateGeneric = {
		type: 'generic',
		properties: {
			headers: { Authorization: '=Bearer {{$credentials.botToken}}' },
		},
	};

	test: ICredentialTestRequest = {
		request: {
			baseURL: '={{$credentials.apiUrl.replace(/\\/+$/, "")}}',
			url: '/auth.test',
			method: 'POST',
		},
		rules: [
			{ type: 'responseSuccessBody', properties: { key: 'error', value: 'invalid_auth', message: 'Slack rejected the bot token (invalid_auth): copy the Bot User OAuth Token (xoxb-…) from the Slack app again' } },
			{ type: 'responseSuccessBody', properties: { key: 'error', value: 'not_authed', message: 'No bot token was sent: fill in Bot Token' } },
			{ type: 'responseSuccessBody', properties: { key: 'error', value: 'token_revoked', message: 'The bot token was revoked: reinstall the Slack app and paste the new token' } },
			{ type: 'responseSuccessBody', properties: { key: 'error', value: 'account_inactive', message: 'The token belongs to a deactivated app or user: reinstall the Slack app' } },
			{ type: 'responseSuccessBody', properties: { key: 'ok', value: false, message: 'Slack did not accept the token: check Bot Token and API URL' } },
		],
	};
}
