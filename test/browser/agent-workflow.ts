// The AI Agent workflow the browser suite runs: Run Now → AI Agent, with n8n's
// OpenAI Chat Model (pointed at the sandbox, whose model answers with tool
// calls) and AdOps Optimizer as its tool in dry-run mode. It is what a person
// builds from the canvas: the agent's tool slot → AdOps Optimizer → Run Rules.
import type { WorkflowInput } from '../helpers/n8n';
import type { N8nCredential, Sandbox } from '../../scripts/sandbox';
import { WORKFLOW_CREDENTIAL_IDS } from '../../scripts/sandbox/n8n-credentials';

/** n8n's own OpenAI credential (the chat model's), with the sandbox as its Base URL. */
export const N8N_OPENAI_CREDENTIAL = { id: 'adopsN8nOpenAi01', name: 'OpenAI (sandbox)' };

export function n8nOpenAiCredential(sandbox: Sandbox): N8nCredential {
	return { ...N8N_OPENAI_CREDENTIAL, type: 'openAiApi', data: { apiKey: sandbox.credentials.openai.apiKey, url: sandbox.urls.openai } };
}

/** What the person asks the agent. */
export const AGENT_PROMPT = 'Run the optimizer rules as a dry run and tell me the summary.';

const ids = WORKFLOW_CREDENTIAL_IDS;

export const AGENT_WORKFLOW: WorkflowInput = {
	id: 'AdOpsBrowserAgent1',
	name: 'AdOps: ask the optimizer (AI Agent)',
	active: false,
	settings: { executionOrder: 'v1' },
	nodes: [
		{ id: 'b7f1c2a0-0000-4000-8000-000000000001', name: 'Run Now', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 0], parameters: {} },
		{
			id: 'b7f1c2a0-0000-4000-8000-000000000002',
			name: 'AI Agent',
			type: '@n8n/n8n-nodes-langchain.agent',
			typeVersion: 3.1,
			position: [260, 0],
			parameters: { promptType: 'define', text: AGENT_PROMPT, options: {} },
		},
		{
			id: 'b7f1c2a0-0000-4000-8000-000000000003',
			name: 'OpenAI Chat Model',
			type: '@n8n/n8n-nodes-langchain.lmChatOpenAi',
			typeVersion: 1.3,
			position: [160, 240],
			// Chat Completions (the sandbox speaks it with tools), not the Responses API.
			parameters: { model: { __rl: true, mode: 'list', value: 'gpt-4o-mini' }, responsesApiEnabled: false, options: {} },
			credentials: { openAiApi: N8N_OPENAI_CREDENTIAL },
		},
		{
			id: 'b7f1c2a0-0000-4000-8000-000000000004',
			name: 'AdOps Optimizer',
			type: 'n8n-nodes-adops.adOpsOptimizerTool',
			typeVersion: 1,
			position: [400, 240],
			parameters: { operation: 'run', mode: 'dryRun' },
			credentials: {
				adOpsStoreApi: { id: ids.store, name: 'AdOps Store' },
				adOpsMetaAdsApi: { id: ids.meta, name: 'AdOps Meta Ads' },
				adOpsLinkedInAdsOAuth2Api: { id: ids.linkedin, name: 'AdOps LinkedIn Ads' },
				adOpsGoogleAdsOAuth2Api: { id: ids.googleAds, name: 'AdOps Google Ads' },
			},
		},
	],
	connections: {
		'Run Now': { main: [[{ node: 'AI Agent', type: 'main', index: 0 }]] },
		'OpenAI Chat Model': { ai_languageModel: [[{ node: 'AI Agent', type: 'ai_languageModel', index: 0 }]] },
		'AdOps Optimizer': { ai_tool: [[{ node: 'AI Agent', type: 'ai_tool', index: 0 }]] },
	},
};
