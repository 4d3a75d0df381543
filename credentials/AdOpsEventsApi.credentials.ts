import type { ICredentialType, INodeProperties, Icon } from 'n8n-workflow';

/**
 * Who may post first-party events to the AdOps Events Trigger
 * (nodes/shared/events/auth.ts): a shared secret sent in a header, or an
 * HMAC-SHA256 of the raw body keyed with the secret (hex, `sha256=` prefix
 * optional). Checked by the trigger on every post; a post that fails is
 * answered 401 and stores nothing. Tested by the trigger
 * (`testedBy: adOpsEventsApiTest`): the secret is long enough and the header
 * name is a header name.
 */
export class AdOpsEventsApi implements ICredentialType {
	name = 'adOpsEventsApi';

	displayName = 'AdOps Events API';

	icon: Icon = { light: 'file:icons/adops.svg', dark: 'file:icons/adops.dark.svg' };

	documentationUrl = 'https://github.com/n8n-nodes-adops/n8n-nodes-adops#adops-events-trigger';

	properties: INodeProperties[] = [
		{
			displayName: 'Authentication',
			name: 'authMode',
			type: 'options',
			default: 'hmac',
			options: [
				{ name: 'HMAC-SHA256 Signature of the Body', value: 'hmac', description: 'The sender signs each body with the secret; the secret itself never travels' },
				{ name: 'Shared Secret Header', value: 'header', description: 'The sender puts the secret itself in a header (use HTTPS)' },
			],
			description: 'How a post proves it comes from your sender',
		},
		{
			displayName: 'Header Name',
			name: 'headerName',
			type: 'string',
			default: '',
			placeholder: 'X-AdOps-Signature',
			description: 'Header carrying the signature (default X-AdOps-Signature) or the secret (default X-AdOps-Secret)',
		},
		{
			displayName: 'Secret',
			name: 'secret',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			description: 'At least 16 characters; generate it randomly (e.g. openssl rand -hex 32) and give it only to the sender',
		},
	];
}
