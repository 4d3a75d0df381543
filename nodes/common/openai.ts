// n8n glue for the AdOps OpenAI credential: the SDK client and the credential test.
import type { ICredentialDataDecryptedObject, ICredentialTestFunctions, ICredentialsDecrypted, INodeCredentialTestResult } from 'n8n-workflow';
import OpenAI from 'openai';

export interface OpenAiSettings {
	apiKey: string;
	organization: string | undefined;
	baseUrl: string | undefined;
	chatModel: string;
	embeddingModel: string;
}

export function openAiSettings(data: ICredentialDataDecryptedObject): OpenAiSettings {
	const text = (v: unknown) => String(v ?? '').trim();
	return {
		apiKey: text(data.apiKey),
		organization: text(data.organization) || undefined,
		baseUrl: text(data.baseUrl).replace(/\/+$/, '') || undefined,
		chatModel: text(data.chatModel) || 'gpt-4o-mini',
		embeddingModel: text(data.embeddingModel) || 'text-embedding-3-small',
	};
}

/** The SDK client: it retries 429 and 5xx itself (honouring Retry-After), `maxRetries` times. */
export function openAiClient(settings: OpenAiSettings, options: { maxRetries?: number; timeoutMs?: number } = {}): OpenAI {
	return new OpenAI({ apiKey: settings.apiKey, organization: settings.organization, baseURL: settings.baseUrl, maxRetries: options.maxRetries ?? 3, timeout: options.timeoutMs ?? 60_000 });
}

/** Lists the key's models and checks the chat and embedding models; never throws, never echoes the key. */
export async function openAiCredentialTest(data: ICredentialDataDecryptedObject): Promise<INodeCredentialTestResult> {
	const settings = openAiSettings(data);
	if (!settings.apiKey) return { status: 'Error', message: 'No API key: fill in API Key (sk-…)' };
	const where = settings.baseUrl ?? 'https://api.openai.com/v1';
	const scrub = (t: string) => t.split(settings.apiKey).join('***');
	try {
		const client = openAiClient(settings, { maxRetries: 0, timeoutMs: 15_000 });
		const ids = new Set<string>();
		for await (const model of client.models.list()) ids.add(model.id);
		const missing = [settings.chatModel, settings.embeddingModel].filter((m) => !ids.has(m));
		if (missing.length) return { status: 'Error', message: scrub(`The key works, but cannot use ${missing.join(' and ')}: pick models from its list (${[...ids].slice(0, 8).join(', ')}${ids.size > 8 ? ', …' : ''})`) };
		return { status: 'OK', message: `Connected; ${settings.chatModel} and ${settings.embeddingModel} are available` };
	} catch (error) {
		const e = error as { status?: number; message?: string; code?: string };
		let message: string;
		if (error instanceof OpenAI.AuthenticationError) message = 'OpenAI rejected the API key (401): create a new key and paste it again';
		else if (error instanceof OpenAI.PermissionDeniedError) message = 'The key may not list models (403): check the key\'s permissions and the organization';
		else if (error instanceof OpenAI.RateLimitError) message = 'OpenAI rate-limited the test (429): try again in a minute, or check the organization\'s quota';
		else if (error instanceof OpenAI.APIConnectionTimeoutError) message = `No answer from ${where} within 15 s: check Base URL and the network`;
		else if (error instanceof OpenAI.APIConnectionError) message = `Cannot reach the OpenAI API at ${where}: check Base URL (default https://api.openai.com/v1) and the network`;
		else if (typeof e.status === 'number') message = `${where} answered HTTP ${e.status}: ${(e.message ?? '').split('\n')[0]}`;
		else message = (e.message ?? String(error)).split('\n')[0]!;
		return { status: 'Error', message: scrub(message) };
	}
}

export async function adOpsOpenAiApiTest(this: ICredentialTestFunctions, credential: ICredentialsDecrypted): Promise<INodeCredentialTestResult> {
	return openAiCredentialTest(credential.data ?? {});
}
