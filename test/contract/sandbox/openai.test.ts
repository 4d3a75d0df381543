import assert from 'node:assert/strict';
import { afterAll, beforeAll, describe, it } from 'vitest';
import OpenAI from 'openai';
import { zodResponseFormat } from 'openai/helpers/zod';
import { z } from 'zod';
import { cosine, startSandbox, type Sandbox } from '../../../scripts/sandbox';
import { chatWithOpenAI, moderateWithOpenAI } from '../../../nodes/shared/moderation/openai';
import { OpenAICallError } from '../../../nodes/shared/resilience/openai-errors';

const AdCopy = z.object({
	headline: z.string(),
	primary_text: z.string(),
	call_to_action: z.enum(['SHOP_NOW', 'LEARN_MORE', 'SIGN_UP']),
	angle: z.string(),
	score: z.number().min(0).max(1),
	tags: z.array(z.string()),
	notes: z.string().nullable(),
});

const Classification = z.object({
	items: z.array(z.object({ id: z.string(), intent: z.enum(['question', 'spam', 'other']), confidence: z.number() })),
});

describe('sandbox: OpenAI API with the openai SDK', () => {
	let sb: Sandbox;
	let client: OpenAI;
	beforeAll(async () => {
		sb = await startSandbox({ seed: 1, today: '2025-03-10' });
		client = new OpenAI({ apiKey: sb.credentials.openai.apiKey, baseURL: sb.urls.openai, maxRetries: 2 });
	});
	afterAll(() => sb.close());

	const brief = [
		{ role: 'system' as const, content: 'You write ad copy for Northwind Apparel.' },
		{ role: 'user' as const, content: 'Write a Meta ad for recycled fleece jackets, warm and light, free returns.' },
	];

	it('structured output conforms to the schema, parsed by zod, deterministic, usage counted', async () => {
		const req = { model: 'gpt-4o-mini', messages: brief, response_format: zodResponseFormat(AdCopy, 'ad_copy') };
		const a = await client.chat.completions.parse(req);
		const b = await client.chat.completions.parse(req);
		const parsed = a.choices[0]!.message.parsed!;
		assert.ok(parsed);
		AdCopy.parse(parsed);
		assert.deepEqual(parsed, b.choices[0]!.message.parsed);
		assert.ok(/fleece|jackets|recycled|warm|returns|Meta|light/i.test(parsed.headline + parsed.primary_text), 'text drawn from the prompt');
		assert.ok(a.usage!.prompt_tokens > 10 && a.usage!.completion_tokens > 5);
		assert.equal(a.usage!.total_tokens, a.usage!.prompt_tokens + a.usage!.completion_tokens);
		const other = await client.chat.completions.parse({ ...req, messages: [brief[0]!, { role: 'user', content: 'Write a LinkedIn ad for corporate uniforms.' }] });
		assert.notDeepEqual(other.choices[0]!.message.parsed, parsed);
	});

	it('a registered responder answers for its schema name; refusals come through', async () => {
		const off = sb.registerResponder('comment_batch', ({ userText }) => ({
			items: [...userText.matchAll(/\[(\w+)\] ([^\n]+)/g)].map((m) => ({ id: m[1]!, intent: /\?/.test(m[2]!) ? 'question' : /follow my page/i.test(m[2]!) ? 'spam' : 'other', confidence: 0.9 })),
		}));
		try {
			const res = await client.chat.completions.parse({
				model: 'gpt-4o-mini',
				messages: [{ role: 'user', content: 'Classify:\n[c1] Do you ship to Canada?\n[c2] Follow my page for giveaways\n[c3] First' }],
				response_format: zodResponseFormat(Classification, 'comment_batch'),
			});
			assert.deepEqual(res.choices[0]!.message.parsed!.items.map((i) => [i.id, i.intent]), [['c1', 'question'], ['c2', 'spam'], ['c3', 'other']]);
		} finally {
			off();
		}
		const offRefusal = sb.registerResponder('ad_copy', () => ({ refusal: "I can't help with that." }));
		try {
			const res = await client.chat.completions.parse({ model: 'gpt-4o-mini', messages: brief, response_format: zodResponseFormat(AdCopy, 'ad_copy') });
			assert.equal(res.choices[0]!.message.refusal, "I can't help with that.");
			assert.equal(res.choices[0]!.message.parsed, null);
		} finally {
			offRefusal();
		}
	});

	it('embeddings: paraphrase closer than unrelated; dimensions honoured; float and base64 agree', async () => {
		const texts = ['Warm recycled fleece jacket with free returns', 'Cozy fleece jackets made from recycled material, returns are free', 'Quarterly procurement report for office furniture'];
		const res = await client.embeddings.create({ model: 'text-embedding-3-small', input: texts, dimensions: 256 });
		const v = res.data.map((d) => d.embedding);
		assert.equal(v[0]!.length, 256);
		const para = cosine(v[0]!, v[1]!);
		const unrelated = cosine(v[0]!, v[2]!);
		assert.ok(para > 0.4 && para > unrelated + 0.3, `paraphrase ${para} vs unrelated ${unrelated}`);
		assert.ok(Math.abs(cosine(v[0]!, v[0]!) - 1) < 1e-6);
		const asFloat = await client.embeddings.create({ model: 'text-embedding-3-small', input: texts[0]!, dimensions: 256, encoding_format: 'float' });
		for (let i = 0; i < 256; i++) assert.ok(Math.abs(asFloat.data[0]!.embedding[i]! - v[0]![i]!) < 1e-6);
		assert.ok(res.usage.prompt_tokens > 0);
	});

	it('moderation flags abuse and hate from the lexicon, passes a question', async () => {
		const res = await client.moderations.create({ model: 'omni-moderation-latest', input: ['You people are idiots, worst company on earth 🤬', 'Nobody wants your kind in this country, go back where you came from', 'Do you ship to Canada?'] });
		const [abuse, hate, question] = res.results;
		assert.equal(abuse!.flagged, true);
		assert.equal(abuse!.categories.harassment, true);
		assert.equal(hate!.categories.hate, true);
		assert.equal(question!.flagged, false);
		assert.ok(question!.category_scores.harassment < 0.1);
	});

	it('moderation core: a failed moderation-endpoint call is described as one, a failed chat call as a chat completion', async () => {
		const once = new OpenAI({ apiKey: sb.credentials.openai.apiKey, baseURL: sb.urls.openai, maxRetries: 0 });
		const seen: string[] = [];
		sb.injectFault({ route: 'openai.moderations', kind: '5xx', status: 500, count: 1 });
		await assert.rejects(moderateWithOpenAI(once, 'omni-moderation-latest', { onError: (m) => seen.push(m) })(['Do you ship to Canada?']), (e: unknown) => {
			assert.ok(e instanceof OpenAICallError);
			assert.deepEqual([e.call, e.kind, e.status, e.model], ['moderations', 'server_error', 500, 'omni-moderation-latest']);
			assert.match(e.message, /^OpenAI moderation request with model "omni-moderation-latest" failed on OpenAI's side \(HTTP 500\).*Classification goes on without toxicity categories\.$/);
			return true;
		});
		const wrongKey = new OpenAI({ apiKey: 'sk-wrong-key-123456', baseURL: sb.urls.openai, maxRetries: 0 });
		await assert.rejects(moderateWithOpenAI(wrongKey, 'omni-moderation-latest', { onError: (m) => seen.push(m) })(['hi']), (e: unknown) => e instanceof OpenAICallError && e.kind === 'authentication' && /AdOps OpenAI credential/.test(e.message) && !e.message.includes('sk-wrong'));
		sb.injectFault({ route: 'openai.chat', kind: '429', count: 1, retryAfterMs: 10 });
		await assert.rejects(chatWithOpenAI(once, (m) => seen.push(m))({ model: 'gpt-4o-mini', messages: brief, response_format: { type: 'json_schema', json_schema: { name: 'x', strict: true, schema: { type: 'object', properties: {}, required: [], additionalProperties: false } } }, temperature: 0 }), (e: unknown) => e instanceof OpenAICallError && e.call === 'chat.completions' && e.kind === 'rate_limited');
		assert.equal(seen.length, 3);
		assert.match(seen[2]!, /^OpenAI chat completion with model "gpt-4o-mini" was rate-limited \(HTTP 429\)/);
		sb.clearFaults();
	});

	it('errors have OpenAI shapes; 429 and 500 are retried by the SDK; malformed body is an error', async () => {
		const bad = new OpenAI({ apiKey: 'sk-wrong-key-123456', baseURL: sb.urls.openai, maxRetries: 0 });
		const err = await bad.models.list().catch((e: unknown) => e);
		assert.ok(err instanceof OpenAI.AuthenticationError);
		assert.equal((err as InstanceType<typeof OpenAI.AuthenticationError>).code, 'invalid_api_key');

		sb.injectFault({ route: 'openai.chat', kind: '429', retryAfter: 1, retryAfterMs: 150 });
		sb.injectFault({ route: 'openai.chat', kind: '5xx', status: 500, count: 1, retryAfterMs: 50 });
		const res = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: brief });
		assert.equal(res.choices[0]!.message.role, 'assistant');
		assert.deepEqual(sb.requests({ route: 'openai.chat' }).slice(-3).map((e) => e.status), [429, 500, 200]);

		sb.injectFault({ route: 'openai.chat', kind: '5xx', count: 5, retryAfterMs: 20 });
		const burst = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: brief }).catch((e: unknown) => e);
		assert.ok(burst instanceof OpenAI.InternalServerError, 'burst longer than retries surfaces as 500');
		sb.clearFaults();

		sb.injectFault({ route: 'openai.chat', kind: 'malformed' });
		const broken = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: brief }).catch((e: unknown) => e);
		assert.ok(broken instanceof Error);

		const models = await client.models.list();
		assert.ok(models.data.some((m) => m.id === 'text-embedding-3-small'));
		const strictErr = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: brief, response_format: { type: 'json_schema', json_schema: { name: 'x', strict: true, schema: { type: 'object', properties: { a: { type: 'string' } } } } } }).catch((e: unknown) => e);
		assert.ok(strictErr instanceof OpenAI.BadRequestError);
	});
});
