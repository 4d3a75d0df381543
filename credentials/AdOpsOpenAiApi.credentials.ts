import type { ICredentialType, INodeProperties, Icon } from 'n8n-workflow';

/**
 * OpenAI for creative generation (chat with structured outputs, embeddings
 * for the novelty check). Tested by the AdOps Creative node (`testedBy:
 * adOpsOpenAiApiTest`, nodes/common/openai.ts): lists the models the key can
 * use and checks that the chat and embedding models are among them.
 *
 * No `authenticate` block: the package's clients send the token themselves,
 * and n8n adds a "Custom API Call" operation to every node whose credential
 * has one (test/unit/custom-api-call.test.ts).
 */
export class AdOpsOpenAiApi implements ICredentialType {
	name = 'adOpsOpenAiApi';

	displayName = 'AdOps OpenAI API';

	icon: Icon = { light: 'file:icons/adops.svg', dark: 'file:icons/adops.dark.svg' };

	documentationUrl = 'https://platform.openai.com/docs/api-reference/authentication';

	properties: INodeProperties[] = [
		{
			displayName: 'API Key',
			name: 'apiKey',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			placeholder: 'sk-…',
		},
		{
			displayName: 'Organization ID',
			name: 'organization',
			type: 'string',
			default: '',
			placeholder: 'org-…',
			description: 'Optional: bills the calls to this organization',
		},
		{
			displayName: 'Chat Model',
			name: 'chatModel',
			type: 'string',
			default: 'gpt-4o-mini',
			description: 'A model with structured outputs (JSON schema), used to write copy',
		},
		{
			displayName: 'Embedding Model',
			name: 'embeddingModel',
			type: 'string',
			default: 'text-embedding-3-small',
			description: 'Used for the semantic novelty check; past variants are embedded once and cached in the store',
		},
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: 'https://api.openai.com/v1',
			description: "Base URL of OpenAI's API. Change it only to point at a proxy, a compatible gateway or a local sandbox.",
		},
	];
}
