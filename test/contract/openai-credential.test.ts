// The AdOps OpenAI credential test against the sandbox's OpenAI API, through the real `openai` SDK.
import assert from 'node:assert/strict';
import { afterAll, beforeAll, describe, test } from 'vitest';
import { openAiCredentialTest } from '../../nodes/common/openai';
import { startSandbox, type Sandbox } from '../../scripts/sandbox';

describe('AdOps OpenAI credential test (sandbox)', () => {
	let sb: Sandbox;
	beforeAll(async () => {
		sb = await startSandbox({ seed: 3 });
	});
	afterAll(async () => {
		await sb?.close();
	});
	const data = (extra: Record<string, unknown> = {}) => ({ apiKey: sb.credentials.openai.apiKey, baseUrl: sb.urls.openai, chatModel: 'gpt-4o-mini', embeddingModel: 'text-embedding-3-small', ...extra });

	test('a working key with both models', async () => {
		const r = await openAiCredentialTest(data());
		assert.equal(r.status, 'OK', r.message);
		assert.match(r.message, /gpt-4o-mini and text-embedding-3-small are available/);
	});

	test('a rejected key, a model the key cannot use, an unreachable URL, no key: each says what to do, never the key', async () => {
		const wrong = await openAiCredentialTest(data({ apiKey: 'sk-wrong-key-123' }));
		assert.equal(wrong.status, 'Error');
		assert.match(wrong.message, /rejected the API key \(401\)/);
		assert.doesNotMatch(wrong.message, /sk-wrong-key-123/);
		const model = await openAiCredentialTest(data({ chatModel: 'gpt-nonexistent' }));
		assert.equal(model.status, 'Error');
		assert.match(model.message, /cannot use gpt-nonexistent: pick models from its list/);
		const down = await openAiCredentialTest(data({ baseUrl: 'http://127.0.0.1:9/v1' }));
		assert.match(down.message, /Cannot reach the OpenAI API at http:\/\/127\.0\.0\.1:9\/v1/);
		assert.match((await openAiCredentialTest(data({ apiKey: '' }))).message, /No API key/);
	});
});
