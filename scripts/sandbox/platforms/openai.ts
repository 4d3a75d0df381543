/**
 * OpenAI API under `/openai/v1/…`: chat completions (honouring
 * `response_format` json_schema / json_object, and `tools`: a call of the
 * offered function that fits the user's words, then an answer from its result), embeddings (float or base64),
 * moderations and models. Deterministic: the same request body gives the same
 * answer.
 */
import { bearer, bodyObject, json, now, type Ctx, type Platform, type Reply, type Route } from '../core';
import {
	answerFromToolResult,
	checkAgainstSchema,
	chooseTool,
	countTokens,
	embed,
	generateFromSchema,
	isRefusal,
	messageText,
	moderate,
	promptWordsOf,
	type ChatMessage,
	type JsonSchema,
	type ToolOffer,
} from '../openai-model';
import { Rng, fnv1a } from '../rng';

function oaError(status: number, message: string, type: string, code: string | null, param: string | null = null): Reply {
	return json(status, { error: { message, type, param, code } });
}

const invalid = (message: string, param: string | null = null): Reply => oaError(400, message, 'invalid_request_error', null, param);

export const MODELS: Array<{ id: string; created: number; owned_by: string }> = [
	{ id: 'gpt-4o-mini', created: 1721172741, owned_by: 'system' },
	{ id: 'gpt-4o', created: 1715367049, owned_by: 'system' },
	{ id: 'gpt-4.1-mini', created: 1744318173, owned_by: 'system' },
	{ id: 'gpt-5-mini', created: 1754425928, owned_by: 'system' },
	{ id: 'text-embedding-3-small', created: 1705948997, owned_by: 'system' },
	{ id: 'text-embedding-3-large', created: 1705953180, owned_by: 'system' },
	{ id: 'text-embedding-ada-002', created: 1671217299, owned_by: 'openai-internal' },
	{ id: 'omni-moderation-latest', created: 1731689265, owned_by: 'system' },
	{ id: 'text-moderation-latest', created: 1677610602, owned_by: 'system' },
];

const CHAT_MODELS = ['gpt-4o-mini', 'gpt-4o', 'gpt-4.1-mini', 'gpt-5-mini'];
const MODERATION_MODELS = ['omni-moderation-latest', 'text-moderation-latest', 'omni-moderation-2024-09-26'];

/** A model this organization can use: one of `ids`, or a dated snapshot of one (`gpt-4o-mini-2024-07-18`). */
function knownModel(model: string, ids: readonly string[]): boolean {
	return ids.includes(model) || ids.some((id) => model.startsWith(`${id}-`) && /^\d{4}-\d{2}-\d{2}$/.test(model.slice(id.length + 1)));
}

/** OpenAI's answer to a model that does not exist or the key cannot use: 404 `model_not_found`. */
function modelNotFound(model: string): Reply {
	return oaError(404, `The model \`${model}\` does not exist or you do not have access to it.`, 'invalid_request_error', 'model_not_found');
}

const EMBEDDING_DIMS: Record<string, number> = { 'text-embedding-3-small': 1536, 'text-embedding-3-large': 3072, 'text-embedding-ada-002': 1536 };

function reqId(ctx: Ctx): string {
	return `req_${fnv1a(`${ctx.state.nextSeq}|${ctx.rawBody}`).toString(16).padStart(8, '0')}`;
}

async function chat(ctx: Ctx): Promise<Reply> {
	const body = bodyObject(ctx);
	if (ctx.bodyError) return invalid('We could not parse the JSON body of your request.');
	const model = body.model;
	if (typeof model !== 'string' || !model) return invalid('you must provide a model parameter', 'model');
	if (!knownModel(model, CHAT_MODELS)) return modelNotFound(model);
	const messages = body.messages;
	if (!Array.isArray(messages) || messages.length === 0) return invalid("[] is too short - 'messages'", 'messages');
	for (const [i, m] of (messages as ChatMessage[]).entries()) {
		if (!m || typeof m.role !== 'string') return invalid(`Missing required parameter: 'messages[${i}].role'.`, `messages[${i}].role`);
	}
	const prompt = (messages as ChatMessage[]).map((m) => messageText(m.content)).join('\n');
	const userText = messageText([...(messages as ChatMessage[])].reverse().find((m) => m.role === 'user')?.content);
	const n = body.n === undefined ? 1 : Number(body.n);
	if (!Number.isInteger(n) || n < 1 || n > 8) return invalid('n must be between 1 and 8', 'n');
	const rf = body.response_format as { type?: string; json_schema?: { name?: string; schema?: JsonSchema; strict?: boolean } } | undefined;
	const promptWords = promptWordsOf(userText || prompt);
	const choices = [];
	let completionTokens = 0;
	const turn = rf ? undefined : toolTurn(body, messages as ToolChatMessage[], userText, promptWords);
	if (turn) {
		completionTokens += countTokens(turn.message.content ?? JSON.stringify(turn.message.tool_calls ?? []));
		choices.push({ index: 0, message: turn.message, logprobs: null, finish_reason: turn.finishReason });
	}
	for (let index = turn ? n : 0; index < n; index++) {
		const rng = new Rng(`${model}|${JSON.stringify(messages)}|${JSON.stringify(rf ?? null)}|${index}|${body.seed ?? ''}`);
		let content: string | null;
		let refusal: string | null = null;
		if (rf?.type === 'json_schema') {
			const js = rf.json_schema;
			if (!js || typeof js.name !== 'string' || !/^[A-Za-z0-9_-]{1,64}$/.test(js.name)) return invalid("Invalid 'response_format.json_schema.name': must match ^[a-zA-Z0-9_-]{1,64}$.", 'response_format.json_schema.name');
			const schema = js.schema;
			if (!schema || typeof schema !== 'object') return invalid("Missing required parameter: 'response_format.json_schema.schema'.", 'response_format.json_schema.schema');
			if (js.strict) {
				const problem = strictProblem(schema);
				if (problem) return invalid(`Invalid schema for response_format '${js.name}': ${problem}`, 'response_format');
			}
			const generate = generateFromSchema(schema, rng, promptWords);
			const responder = ctx.state.responders.get(js.name);
			let value: unknown;
			if (responder) {
				value = await responder({ schemaName: js.name, schema, strict: !!js.strict, messages: messages as ChatMessage[], model, request: body, prompt, userText, rng, generate });
			} else value = generate(schema);
			if (isRefusal(value)) {
				content = null;
				refusal = value.refusal;
			} else content = typeof value === 'string' ? value : JSON.stringify(value);
		} else if (rf?.type === 'json_object') {
			if (!/json/i.test(prompt)) return invalid("'messages' must contain the word 'json' in some form, to use 'response_format' of type 'json_object'.", 'messages');
			content = JSON.stringify({ answer: promptWords.slice(0, 6).join(' ') || 'ok' });
		} else {
			const words = promptWords.length ? promptWords : ['noted'];
			content = `Sandbox reply: ${Array.from({ length: rng.int(6, 14) }, () => rng.pick(words)).join(' ')}.`;
		}
		completionTokens += countTokens(content ?? refusal ?? '');
		choices.push({ index, message: { role: 'assistant', content, refusal, annotations: [] }, logprobs: null, finish_reason: 'stop' });
	}
	const promptTokens = (messages as ChatMessage[]).reduce((s, m) => s + 4 + countTokens(messageText(m.content)), 3) + (rf?.type === 'json_schema' ? countTokens(JSON.stringify(rf.json_schema?.schema ?? {})) : 0);
	return json(200, {
		id: `chatcmpl-${fnv1a(ctx.rawBody).toString(36)}${ctx.state.nextSeq.toString(36)}`,
		object: 'chat.completion',
		created: Math.floor(now(ctx.state) / 1000),
		model: model.includes('-20') ? model : `${model}-2024-07-18`,
		choices,
		usage: {
			prompt_tokens: promptTokens,
			completion_tokens: completionTokens,
			total_tokens: promptTokens + completionTokens,
			prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
			completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
		},
		service_tier: 'default',
		system_fingerprint: 'fp_sandbox',
	});
}

interface ToolCall {
	id: string;
	type: 'function';
	function: { name: string; arguments: string };
}

type ToolChatMessage = ChatMessage & { tool_call_id?: string; tool_calls?: ToolCall[] };

/** The functions a request offers (`tools: [{type: 'function', function: {name, description, parameters}}]`). */
function toolOffers(tools: unknown): ToolOffer[] {
	if (!Array.isArray(tools)) return [];
	return tools.flatMap((t) => {
		const f = (t as { type?: unknown; function?: { name?: unknown; description?: unknown; parameters?: unknown } } | null)?.function;
		if (!f || typeof f.name !== 'string') return [];
		return [{ name: f.name, description: typeof f.description === 'string' ? f.description : '', parameters: f.parameters && typeof f.parameters === 'object' ? (f.parameters as JsonSchema) : undefined }];
	});
}

/**
 * An agent's turn when the request offers tools: after the user speaks, a call
 * of the offered function that fits their words best (or the one `tool_choice`
 * names); after the tools answered, the answer built from their results.
 * Undefined when no tool fits (the plain reply follows).
 */
function toolTurn(body: Record<string, unknown>, messages: ToolChatMessage[], userText: string, promptWords: string[]): { message: Record<string, unknown> & { content: string | null; tool_calls?: ToolCall[] }; finishReason: string } | undefined {
	const tools = toolOffers(body.tools);
	if (tools.length === 0 || body.tool_choice === 'none') return undefined;
	const last = messages[messages.length - 1];
	if (last?.role === 'tool') {
		let start = messages.length - 1;
		while (start > 0 && messages[start - 1].role === 'tool') start--;
		const calls = messages[start - 1]?.tool_calls ?? [];
		const answers = messages.slice(start).map((m) => answerFromToolResult(calls.find((c) => c.id === m.tool_call_id)?.function.name ?? 'the tool', messageText(m.content)));
		return { message: { role: 'assistant', content: answers.join('\n'), refusal: null, annotations: [] }, finishReason: 'stop' };
	}
	const forced = (body.tool_choice as { function?: { name?: string } } | undefined)?.function?.name;
	const tool = forced ? tools.find((t) => t.name === forced) : chooseTool(tools, userText);
	if (!tool) return undefined;
	const rng = new Rng(`tool|${tool.name}|${JSON.stringify(messages)}`);
	const args = tool.parameters ? generateFromSchema(tool.parameters, rng, promptWords)(tool.parameters) : {};
	const call: ToolCall = { id: `call_${fnv1a(`${tool.name}|${JSON.stringify(messages)}`).toString(36)}`, type: 'function', function: { name: tool.name, arguments: JSON.stringify(args ?? {}) } };
	return { message: { role: 'assistant', content: null, refusal: null, tool_calls: [call], annotations: [] }, finishReason: 'tool_calls' };
}

/** The checks OpenAI applies to strict schemas: objects closed and fully required. */
function strictProblem(schema: JsonSchema, root: JsonSchema = schema, path = 'root', depth = 0): string | undefined {
	if (depth > 10) return `${path}: nesting deeper than 10 levels`;
	const visit = (s: unknown, p: string): string | undefined => (s && typeof s === 'object' ? strictProblem(s as JsonSchema, root, p, depth + 1) : undefined);
	if (schema.type === 'object' || (Array.isArray(schema.type) && schema.type.includes('object'))) {
		if (schema.additionalProperties !== false) return `In context=('${path}'), 'additionalProperties' is required to be supplied and to be false.`;
		const props = Object.keys((schema.properties ?? {}) as object);
		const req = (schema.required ?? []) as string[];
		const missing = props.find((p) => !req.includes(p));
		if (missing) return `In context=('${path}'), 'required' is required to be supplied and to be an array including every key in properties. Missing '${missing}'.`;
		for (const [k, v] of Object.entries((schema.properties ?? {}) as Record<string, unknown>)) {
			const e = visit(v, `${path}.properties.${k}`);
			if (e) return e;
		}
	}
	if (schema.items) {
		const e = visit(schema.items, `${path}.items`);
		if (e) return e;
	}
	for (const key of ['anyOf', 'definitions', '$defs'] as const) {
		const v = schema[key];
		if (Array.isArray(v)) for (const [i, s] of v.entries()) {
			const e = visit(s, `${path}.${key}.${i}`);
			if (e) return e;
		}
		else if (v && typeof v === 'object') for (const [k, s] of Object.entries(v)) {
			const e = visit(s, `${path}.${key}.${k}`);
			if (e) return e;
		}
	}
	return undefined;
}

function embeddings(ctx: Ctx): Reply {
	const body = bodyObject(ctx);
	const model = String(body.model ?? '');
	const native = EMBEDDING_DIMS[model];
	if (!native) return modelNotFound(model);
	const input = body.input;
	const texts = typeof input === 'string' ? [input] : Array.isArray(input) && input.every((x) => typeof x === 'string') ? (input as string[]) : undefined;
	if (!texts) return invalid("'$.input' is invalid. The sandbox accepts a string or an array of strings.", 'input');
	if (texts.length === 0 || texts.length > 2048) return invalid('input must have between 1 and 2048 entries', 'input');
	if (texts.some((t) => t === '')) return invalid("'$.input' is invalid. Please check the API reference: https://platform.openai.com/docs/api-reference.", 'input');
	let dims = native;
	if (body.dimensions !== undefined) {
		if (model === 'text-embedding-ada-002') return invalid('This model does not support specifying dimensions.', 'dimensions');
		const d = Number(body.dimensions);
		if (!Number.isInteger(d) || d < 1 || d > native) return invalid(`dimensions must be between 1 and ${native}`, 'dimensions');
		dims = d;
	}
	const format = body.encoding_format ?? 'float';
	if (format !== 'float' && format !== 'base64') return invalid("encoding_format must be 'float' or 'base64'", 'encoding_format');
	let tokens = 0;
	const data = texts.map((text, index) => {
		tokens += countTokens(text);
		if (countTokens(text) > 8192) return undefined;
		const vector = embed(text, dims);
		const embedding = format === 'base64' ? Buffer.from(new Float32Array(vector).buffer).toString('base64') : vector;
		return { object: 'embedding', index, embedding };
	});
	if (data.some((d) => d === undefined)) return invalid("This model's maximum context length is 8192 tokens.", 'input');
	return json(200, { object: 'list', data, model, usage: { prompt_tokens: tokens, total_tokens: tokens } });
}

function moderations(ctx: Ctx): Reply {
	const body = bodyObject(ctx);
	const input = body.input;
	const texts = typeof input === 'string' ? [input] : Array.isArray(input) ? input.map((x) => (typeof x === 'string' ? x : typeof (x as { text?: unknown })?.text === 'string' ? (x as { text: string }).text : undefined)) : undefined;
	if (!texts || texts.some((t) => t === undefined)) return invalid("'input' must be a string, an array of strings, or an array of {type:'text', text} objects", 'input');
	const model = typeof body.model === 'string' ? body.model : 'omni-moderation-latest';
	if (!knownModel(model, MODERATION_MODELS)) return modelNotFound(model);
	return json(200, { id: `modr-${fnv1a(ctx.rawBody).toString(36)}`, model: model === 'omni-moderation-latest' ? 'omni-moderation-2024-09-26' : model, results: (texts as string[]).map(moderate) });
}

function listModels(): Reply {
	return json(200, { object: 'list', data: MODELS.map((m) => ({ id: m.id, object: 'model', created: m.created, owned_by: m.owned_by })) });
}

function getModel(ctx: Ctx): Reply {
	const m = MODELS.find((x) => x.id === ctx.params[0]);
	if (!m) return oaError(404, `The model '${ctx.params[0]}' does not exist`, 'invalid_request_error', 'model_not_found', 'model');
	return json(200, { id: m.id, object: 'model', created: m.created, owned_by: m.owned_by });
}

function authenticate(ctx: Ctx): Reply | undefined {
	const key = bearer(ctx);
	if (!key) return oaError(401, "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).", 'invalid_request_error', null);
	if (key !== ctx.state.world.credentials.openai.apiKey) return oaError(401, `Incorrect API key provided: ${key.slice(0, 7)}${'*'.repeat(Math.max(0, key.length - 11))}${key.slice(-4)}. You can find your API key at https://platform.openai.com/account/api-keys.`, 'invalid_request_error', 'invalid_api_key');
	return undefined;
}

const routes: Route[] = [
	{ name: 'openai.chat', method: 'POST', pattern: /^\/v1\/chat\/completions$/, handler: chat },
	{ name: 'openai.embeddings', method: 'POST', pattern: /^\/v1\/embeddings$/, handler: embeddings },
	{ name: 'openai.moderations', method: 'POST', pattern: /^\/v1\/moderations$/, handler: moderations },
	{ name: 'openai.models', method: 'GET', pattern: /^\/v1\/models$/, handler: listModels },
	{ name: 'openai.model', method: 'GET', pattern: /^\/v1\/models\/([^/]+)$/, handler: getModel },
];

export const openai: Platform = {
	name: 'openai',
	prefix: '/openai',
	routes,
	authenticate,
	errorReply(status, kind, message, retryAfter) {
		if (kind === 'rate_limit') return { ...oaError(429, `Rate limit reached for requests. Please try again in ${retryAfter ?? 1}s. ${message}`.trim(), 'requests', 'rate_limit_exceeded'), headers: { 'retry-after': String(retryAfter ?? 1) } };
		if (kind === 'server') return oaError(status, `The server had an error while processing your request. Sorry about that! ${message}`.trim(), 'server_error', null);
		if (kind === 'not_found') return oaError(404, `Invalid URL (${message})`, 'invalid_request_error', null);
		return invalid(message);
	},
	decorate(ctx, reply) {
		reply.headers = {
			'x-request-id': reqId(ctx),
			'openai-processing-ms': '12',
			'x-ratelimit-limit-requests': '10000',
			'x-ratelimit-remaining-requests': String(Math.max(0, 10000 - (ctx.state.nextSeq % 10000))),
			'x-ratelimit-limit-tokens': '10000000',
			'x-ratelimit-remaining-tokens': '9990000',
			...reply.headers,
		};
	},
};

export { checkAgainstSchema };
