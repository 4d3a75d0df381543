/**
 * An OpenAI model that does not exist (or that the key cannot use) is
 * answered as OpenAI answers it: HTTP 404 with `model_not_found` in OpenAI's
 * error shape, for chat completions, embeddings and moderations; the
 * package's clients (the real `openai` SDK against the sandbox) say which
 * call, which model and what to do. Known models and their dated snapshots
 * still answer.
 */
import assert from 'node:assert/strict';
import { afterAll, beforeAll, describe, test } from 'vitest';
import OpenAI from 'openai';
import { completeWithOpenAI, embedderWithOpenAI } from '../../nodes/shared/creative/openai';
import { moderateWithOpenAI } from '../../nodes/shared/moderation/openai';
import { OpenAICallError } from '../../nodes/shared/resilience/openai-errors';
import { startSandbox, type Sandbox } from '../../scripts/sandbox';

describe('OpenAI: unknown models (sandbox)', () => {
	let sb: Sandbox;
	let openai: OpenAI;
	beforeAll(async () => {
		sb = await startSandbox({ seed: 3, today: '2026-12-06' });
		openai = new OpenAI({ apiKey: sb.credentials.openai.apiKey, baseURL: sb.urls.openai, maxRetries: 0 });
	});
	afterAll(async () => {
		await sb?.close();
	});

	const post = async (path: string, body: unknown) => {
		const res = await fetch(`${sb.urls.openai}${path}`, { method: 'POST', headers: { authorization: `Bearer ${sb.credentials.openai.apiKey}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
		return { status: res.status, body: (await res.json()) as Record<string, unknown> };
	};

	test('404 model_not_found in OpenAI\'s error shape, on every endpoint the package calls', async () => {
		const answers = [
			await post('/chat/completions', { model: 'gpt-9-imaginary', messages: [{ role: 'user', content: 'hi' }] }),
			await post('/chat/completions', { model: 'o7-mini', messages: [{ role: 'user', content: 'hi' }] }),
			await post('/embeddings', { model: 'text-embedding-9', input: 'hi' }),
			await post('/moderations', { model: 'omni-moderation-imaginary', input: 'hi' }),
		];
		for (const [i, model] of ['gpt-9-imaginary', 'o7-mini', 'text-embedding-9', 'omni-moderation-imaginary'].entries()) {
			assert.equal(answers[i]!.status, 404, model);
			assert.deepEqual(answers[i]!.body, { error: { message: `The model \`${model}\` does not exist or you do not have access to it.`, type: 'invalid_request_error', param: null, code: 'model_not_found' } });
		}
	});

	test('known models and their dated snapshots answer', async () => {
		for (const model of ['gpt-4o-mini', 'gpt-4o-mini-2024-07-18', 'gpt-5-mini']) {
			const r = await post('/chat/completions', { model, messages: [{ role: 'user', content: 'hi' }] });
			assert.equal(r.status, 200, model);
		}
		assert.equal((await post('/embeddings', { model: 'text-embedding-3-small', input: 'hi' })).status, 200);
		assert.equal((await post('/moderations', { model: 'omni-moderation-latest', input: 'hi' })).status, 200);
		assert.equal((await post('/moderations', { input: 'hi' })).status, 200, 'the default moderation model');
	});

	test('the package says which call, which model and what to do', async () => {
		const complete = completeWithOpenAI(openai, 'gpt-9-imaginary');
		const chat = await complete({ messages: [{ role: 'user', content: 'Write copy for a jacket.' }], round: 1, requested: 1, repairs: 0, maxCompletionTokens: null }).then(
			() => assert.fail('an unknown chat model answered'),
			(e: unknown) => e,
		);
		assert.ok(chat instanceof OpenAICallError);
		assert.deepEqual([chat.call, chat.kind, chat.status, chat.model], ['chat.completions', 'model_not_found', 404, 'gpt-9-imaginary']);
		assert.equal(
			chat.message,
			'OpenAI chat completion with model "gpt-9-imaginary" failed: the model does not exist or this key cannot use it (HTTP 404): The model `gpt-9-imaginary` does not exist or you do not have access to it. Pick a chat model this key can use (the organization\'s models at platform.openai.com, or GET /v1/models) and set it as the Chat Model of the AdOps OpenAI credential.',
		);
		assert.match(chat.requestId ?? '', /^req_/);

		const embedder = embedderWithOpenAI(openai, 'text-embedding-9');
		const emb = await embedder.embed(['a fleece jacket']).then(
			() => assert.fail('an unknown embedding model answered'),
			(e: unknown) => e,
		);
		assert.ok(emb instanceof OpenAICallError);
		assert.deepEqual([emb.call, emb.kind, emb.status], ['embeddings', 'model_not_found', 404]);
		assert.match(emb.message, /^OpenAI embeddings request with model "text-embedding-9" failed: the model does not exist or this key cannot use it \(HTTP 404\): .* Pick an embedding model this key can use \(text-embedding-3-small, text-embedding-3-large\) and set it as the Embedding Model of the AdOps OpenAI credential\.$/);

		const errors: string[] = [];
		const moderate = moderateWithOpenAI(openai, 'omni-moderation-imaginary', { onError: (m) => errors.push(m) });
		const mod = await moderate(['you are great']).then(
			() => assert.fail('an unknown moderation model answered'),
			(e: unknown) => e,
		);
		assert.ok(mod instanceof OpenAICallError);
		assert.deepEqual([mod.call, mod.kind, mod.status], ['moderations', 'model_not_found', 404]);
		assert.match(mod.message, /with model "omni-moderation-imaginary" failed: the model does not exist .* Pick a moderation model this key can use \(omni-moderation-latest\)\./);
		assert.deepEqual(errors, [mod.message]);
	});
});
