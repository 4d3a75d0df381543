/**
 * The sandbox's deterministic "model": JSON-schema-driven structured output,
 * a responder registry for smarter behaviour per schema name (with built-in
 * responders, see `globalResponders`), feature-hashed
 * embeddings (similar wording → similar vectors) and a lexicon moderation.
 */
import { CREATIVE_SCHEMA_NAME, creativeResponder } from './creative-responder';
import { COMMENT_BATCH_SCHEMA_NAME, COMMENT_REPLY_SCHEMA_NAME, commentBatchResponder, commentReplyResponder } from './moderation-responder';
import { Rng, fnv1a } from './rng';

export type JsonSchema = Record<string, unknown>;

export interface ChatMessage {
	role: string;
	content: unknown;
}

export interface ResponderInput {
	schemaName: string;
	schema: JsonSchema;
	strict: boolean;
	messages: ChatMessage[];
	model: string;
	/** The whole request body. */
	request: Record<string, unknown>;
	/** Concatenated text of all messages. */
	prompt: string;
	/** Text of the last user message. */
	userText: string;
	/** Seeded by the prompt: same request → same stream. */
	rng: Rng;
	/** The generic generator, for parts the responder does not care about. */
	generate: (schema: JsonSchema) => unknown;
}

/** A value to serialise as the message content, or a refusal. */
export type ResponderOutput = unknown | { refusal: string };

export type Responder = (input: ResponderInput) => ResponderOutput | Promise<ResponderOutput>;

export class ResponderRegistry {
	private readonly map = new Map<string, Responder>();

	constructor(private readonly fallback?: ResponderRegistry) {}

	register(schemaName: string, fn: Responder): () => void {
		this.map.set(schemaName, fn);
		return () => {
			if (this.map.get(schemaName) === fn) this.map.delete(schemaName);
		};
	}

	get(schemaName: string): Responder | undefined {
		return this.map.get(schemaName) ?? this.fallback?.get(schemaName);
	}
}

/**
 * Built-in responders, under the global ones: a responder registered for the
 * same schema name (per sandbox or global) takes precedence, and removing it
 * brings the built-in back.
 * - `creative_variants`: ad copy from the brief (`creative-responder.ts`).
 * - `comment_batch`, `comment_reply`: comment classification and reply drafts (`moderation-responder.ts`).
 */
export const builtinResponders = new ResponderRegistry();
builtinResponders.register(CREATIVE_SCHEMA_NAME, creativeResponder);
builtinResponders.register(COMMENT_BATCH_SCHEMA_NAME, commentBatchResponder);
builtinResponders.register(COMMENT_REPLY_SCHEMA_NAME, commentReplyResponder);

/** Process-wide responders; each sandbox's own registry falls back to these, and these to the built-ins. */
export const globalResponders = new ResponderRegistry(builtinResponders);

export function registerResponder(schemaName: string, fn: Responder): () => void {
	return globalResponders.register(schemaName, fn);
}

export function isRefusal(value: unknown): value is { refusal: string } {
	return !!value && typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length === 1 && typeof (value as { refusal?: unknown }).refusal === 'string';
}

export function messageText(content: unknown): string {
	if (typeof content === 'string') return content;
	if (Array.isArray(content)) return content.map((p) => (p && typeof p === 'object' && typeof (p as { text?: unknown }).text === 'string' ? (p as { text: string }).text : '')).join('\n');
	return '';
}

const STOPWORDS = new Set(
	'a an the and or but if of to in on at by for with from as is are was were be been being it its this that these those i you he she we they me my your our their his her them us do does did not no so than too very can will just about into over under up down out off again then once here there when where why how all any both each few more most other some such only own same s t don should now what which who whom'.split(' '),
);

/** Lower-cased words without accents or punctuation; emoji kept as tokens. */
export function tokenize(text: string): string[] {
	return text
		.normalize('NFKD')
		.replace(/[\u0300-\u036f]/g, '')
		.toLowerCase()
		.split(/[^\p{L}\p{N}\p{Extended_Pictographic}]+/u)
		.filter(Boolean);
}

const SYNONYMS: Record<string, string> = {
	cheap: 'affordable',
	inexpensive: 'affordable',
	budget: 'affordable',
	buy: 'purchase',
	order: 'purchase',
	shop: 'purchase',
	jacket: 'coat',
	jackets: 'coat',
	coats: 'coat',
	quick: 'fast',
	rapid: 'fast',
	speedy: 'fast',
	free: 'free',
	complimentary: 'free',
	warm: 'warm',
	cozy: 'warm',
	cosy: 'warm',
	big: 'large',
	huge: 'large',
	great: 'good',
	excellent: 'good',
	amazing: 'good',
	awesome: 'good',
	discount: 'sale',
	deal: 'sale',
	deals: 'sale',
	offer: 'sale',
	delivery: 'shipping',
	shipped: 'shipping',
	ship: 'shipping',
};

function stem(word: string): string {
	const w = SYNONYMS[word] ?? word;
	if (w.length > 5 && w.endsWith('ing')) return w.slice(0, -3);
	if (w.length > 4 && w.endsWith('ed')) return w.slice(0, -2);
	if (w.length > 3 && w.endsWith('s') && !w.endsWith('ss')) return w.slice(0, -1);
	return w;
}

/**
 * Feature hashing of content-word unigrams (weight 1), bigrams (0.6) and
 * character trigrams (0.25) into `dimensions`, signed, L2-normalised.
 */
export function embed(text: string, dimensions: number): number[] {
	const v = new Float64Array(dimensions);
	const words = tokenize(text).filter((w) => !STOPWORDS.has(w)).map(stem);
	const add = (feature: string, weight: number): void => {
		const h = fnv1a(feature);
		const idx = h % dimensions;
		v[idx]! += (h & 0x80000000 ? -1 : 1) * weight;
	};
	words.forEach((w, i) => {
		add(`u:${w}`, 1);
		if (i > 0) add(`b:${words[i - 1]} ${w}`, 0.6);
		const padded = ` ${w} `;
		for (let j = 0; j + 3 <= padded.length; j++) add(`c:${padded.slice(j, j + 3)}`, 0.25);
	});
	let norm = 0;
	for (const x of v) norm += x * x;
	norm = Math.sqrt(norm);
	if (norm === 0) {
		// Empty text: a fixed unit vector so cosine stays defined.
		v[0] = 1;
		norm = 1;
	}
	return Array.from(v, (x) => Math.round((x / norm) * 1e7) / 1e7);
}

export function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
	let dot = 0;
	let na = 0;
	let nb = 0;
	for (let i = 0; i < a.length; i++) {
		dot += a[i]! * b[i]!;
		na += a[i]! * a[i]!;
		nb += b[i]! * b[i]!;
	}
	return na && nb ? dot / Math.sqrt(na * nb) : 0;
}

/** Rough token count (OpenAI averages ~4 characters per token for English). */
export function countTokens(text: string): number {
	if (!text) return 0;
	return Math.max(1, Math.ceil(text.length / 4));
}

export const MODERATION_CATEGORIES = [
	'harassment',
	'harassment/threatening',
	'hate',
	'hate/threatening',
	'illicit',
	'illicit/violent',
	'self-harm',
	'self-harm/intent',
	'self-harm/instructions',
	'sexual',
	'sexual/minors',
	'violence',
	'violence/graphic',
] as const;

const LEXICON: Record<string, Array<[RegExp, number]>> = {
	harassment: [
		[/\b(idiot|idiots|moron|morons|stupid|clown|loser|losers|dumb|pathetic|useless)\b/i, 0.86],
		[/\b(inútiles?|idiotas?|ladrones|dummkopf|idiot(en)?|connard|imbécile)\b/i, 0.82],
		[/\bshut (it|up)\b/i, 0.55],
	],
	'harassment/threatening': [[/\b(i will|i'll|gonna) (find|hurt|kill|get) you\b/i, 0.9]],
	hate: [
		[/\b(your kind|go back (where|to) (you came from|your country))\b/i, 0.88],
		[/\b(vermin|subhuman)\b/i, 0.9],
	],
	'hate/threatening': [[/\b(should be|deserve to be) (killed|shot|wiped out)\b/i, 0.9]],
	illicit: [
		[/\b(doubled my bitcoin|crypto (investment|profits?)|invest with)\b/i, 0.74],
		[/\b(verify your account|claim (now|your prize)|you have been selected)\b/i, 0.62],
	],
	'illicit/violent': [[/\b(buy (a )?gun|make a bomb)\b/i, 0.9]],
	'self-harm': [[/\b(kill myself|end my life|self[- ]harm)\b/i, 0.9]],
	'self-harm/intent': [[/\b(i want to die|going to kill myself)\b/i, 0.9]],
	'self-harm/instructions': [[/\bhow to (kill myself|self[- ]harm)\b/i, 0.9]],
	sexual: [[/\b(nude|nudes|xxx|porn|onlyfans)\b/i, 0.85]],
	'sexual/minors': [],
	violence: [
		[/\b(kill|murder|stab|shoot|beat) (you|them|him|her|everyone)\b/i, 0.88],
		[/\b(burn (it|this place) down)\b/i, 0.7],
	],
	'violence/graphic': [[/\b(gore|blood everywhere|dismember)\b/i, 0.85]],
};

export function moderate(text: string): { flagged: boolean; categories: Record<string, boolean>; category_scores: Record<string, number>; category_applied_input_types: Record<string, string[]> } {
	const categories: Record<string, boolean> = {};
	const scores: Record<string, number> = {};
	const applied: Record<string, string[]> = {};
	const base = (fnv1a(text) % 1000) / 1e6;
	for (const cat of MODERATION_CATEGORIES) {
		let score = base;
		for (const [re, s] of LEXICON[cat] ?? []) if (re.test(text)) score = Math.max(score, s);
		// Shouting and angry emoji make harassment a little more likely.
		if (cat === 'harassment' && score > 0.3 && /🤬|!!!|[A-Z]{6,}/.test(text)) score = Math.min(0.99, score + 0.06);
		scores[cat] = Math.round(score * 1e6) / 1e6;
		categories[cat] = score >= 0.5;
		applied[cat] = ['text'];
	}
	return { flagged: Object.values(categories).some(Boolean), categories, category_scores: scores, category_applied_input_types: applied };
}

// ---- schema-driven generation ---------------------------------------------------

function resolveRef(root: JsonSchema, ref: string): JsonSchema {
	if (!ref.startsWith('#/')) throw new Error(`Only local $ref is supported, got ${ref}`);
	let node: unknown = root;
	for (const part of ref.slice(2).split('/')) node = (node as Record<string, unknown>)?.[part.replace(/~1/g, '/').replace(/~0/g, '~')];
	if (!node || typeof node !== 'object') throw new Error(`Unresolvable $ref ${ref}`);
	return node as JsonSchema;
}

function phrase(rng: Rng, words: string[], name: string, minLen: number, maxLen: number): string {
	const count = rng.int(3, 8);
	const out: string[] = [];
	for (let i = 0; i < count; i++) out.push(words.length ? rng.pick(words) : name);
	let s = out.join(' ');
	s = s.charAt(0).toUpperCase() + s.slice(1);
	if (s.length > maxLen) s = s.slice(0, maxLen).trimEnd();
	while (s.length < minLen) s += ` ${words.length ? rng.pick(words) : name}`;
	return s.slice(0, Math.max(maxLen, minLen));
}

/** Generates a value that conforms to `schema` (the subset OpenAI strict mode allows, plus common bounds). */
export function generateFromSchema(root: JsonSchema, rng: Rng, promptWords: string[]): (schema: JsonSchema) => unknown {
	const gen = (schema: JsonSchema, name: string, depth: number): unknown => {
		if (depth > 12) return null;
		if (typeof schema.$ref === 'string') return gen(resolveRef(root, schema.$ref), name, depth + 1);
		if ('const' in schema) return schema.const;
		if (Array.isArray(schema.enum) && schema.enum.length) return rng.pick(schema.enum);
		const variants = (schema.anyOf ?? schema.oneOf) as JsonSchema[] | undefined;
		if (Array.isArray(variants) && variants.length) {
			const nonNull = variants.filter((v) => v.type !== 'null');
			return gen(rng.pick(nonNull.length ? nonNull : variants), name, depth + 1);
		}
		if (Array.isArray(schema.allOf) && schema.allOf.length) return gen(Object.assign({}, ...(schema.allOf as JsonSchema[])), name, depth + 1);
		let type = schema.type;
		if (Array.isArray(type)) {
			const nonNull = type.filter((t) => t !== 'null');
			type = nonNull.length ? rng.pick(nonNull) : 'null';
		}
		switch (type) {
			case 'object': {
				const props = (schema.properties ?? {}) as Record<string, JsonSchema>;
				const out: Record<string, unknown> = {};
				for (const [k, v] of Object.entries(props)) out[k] = gen(v, k, depth + 1);
				return out;
			}
			case 'array': {
				const min = typeof schema.minItems === 'number' ? schema.minItems : 1;
				const max = typeof schema.maxItems === 'number' ? schema.maxItems : Math.max(min, 3);
				const n = rng.int(min, Math.max(min, Math.min(max, min + 3)));
				const items = (schema.items ?? {}) as JsonSchema;
				return Array.from({ length: n }, () => gen(items, name, depth + 1));
			}
			case 'string': {
				const min = typeof schema.minLength === 'number' ? schema.minLength : 0;
				const max = typeof schema.maxLength === 'number' ? schema.maxLength : 120;
				if (schema.format === 'date-time') return new Date(Date.UTC(2025, 0, 1) + rng.int(0, 365) * 86_400_000).toISOString();
				if (schema.format === 'date') return new Date(Date.UTC(2025, 0, 1) + rng.int(0, 365) * 86_400_000).toISOString().slice(0, 10);
				if (schema.format === 'email') return `user${rng.int(1, 999)}@example.com`;
				if (schema.format === 'uri') return `https://example.com/${rng.hex(6)}`;
				return phrase(rng, promptWords, name, min, max);
			}
			case 'integer':
			case 'number': {
				const min = typeof schema.minimum === 'number' ? schema.minimum : typeof schema.exclusiveMinimum === 'number' ? schema.exclusiveMinimum + (type === 'integer' ? 1 : 1e-6) : 0;
				const max = typeof schema.maximum === 'number' ? schema.maximum : typeof schema.exclusiveMaximum === 'number' ? schema.exclusiveMaximum - (type === 'integer' ? 1 : 1e-6) : Math.max(min, 1) * 100;
				if (type === 'integer') return rng.int(Math.ceil(min), Math.floor(max));
				return Math.round(rng.float(min, max) * 1000) / 1000;
			}
			case 'boolean':
				return rng.chance(0.5);
			case 'null':
				return null;
			default:
				return phrase(rng, promptWords, name, 0, 60);
		}
	};
	return (schema) => gen(schema, 'value', 0);
}

/** Strict-mode style validation; returns the first problem or undefined. */
export function checkAgainstSchema(root: JsonSchema, value: unknown, schema: JsonSchema = root, path = '$'): string | undefined {
	if (typeof schema.$ref === 'string') return checkAgainstSchema(root, value, resolveRef(root, schema.$ref), path);
	if ('const' in schema) return value === schema.const ? undefined : `${path} must equal ${JSON.stringify(schema.const)}`;
	if (Array.isArray(schema.enum)) return schema.enum.includes(value) ? undefined : `${path} must be one of ${JSON.stringify(schema.enum)}`;
	const variants = (schema.anyOf ?? schema.oneOf) as JsonSchema[] | undefined;
	if (Array.isArray(variants)) return variants.some((v) => checkAgainstSchema(root, value, v, path) === undefined) ? undefined : `${path} matches no variant`;
	const types = Array.isArray(schema.type) ? schema.type : schema.type ? [schema.type] : [];
	if (types.length === 0) return undefined;
	const actual = value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value === 'number' && Number.isInteger(value) ? 'integer' : typeof value;
	if (!types.includes(actual) && !(actual === 'integer' && types.includes('number'))) return `${path} must be ${types.join('|')}, got ${actual}`;
	if (actual === 'object') {
		const obj = value as Record<string, unknown>;
		const props = (schema.properties ?? {}) as Record<string, JsonSchema>;
		for (const req of (schema.required ?? []) as string[]) if (!(req in obj)) return `${path}.${req} is required`;
		if (schema.additionalProperties === false) for (const k of Object.keys(obj)) if (!(k in props)) return `${path}.${k} is not allowed`;
		for (const [k, v] of Object.entries(props)) if (k in obj) {
			const e = checkAgainstSchema(root, obj[k], v, `${path}.${k}`);
			if (e) return e;
		}
	}
	if (actual === 'array') {
		const arr = value as unknown[];
		if (typeof schema.minItems === 'number' && arr.length < schema.minItems) return `${path} needs at least ${schema.minItems} items`;
		if (typeof schema.maxItems === 'number' && arr.length > schema.maxItems) return `${path} allows at most ${schema.maxItems} items`;
		for (const [i, item] of arr.entries()) {
			const e = checkAgainstSchema(root, item, (schema.items ?? {}) as JsonSchema, `${path}[${i}]`);
			if (e) return e;
		}
	}
	if (actual === 'string') {
		const s = value as string;
		if (typeof schema.maxLength === 'number' && s.length > schema.maxLength) return `${path} longer than ${schema.maxLength}`;
		if (typeof schema.minLength === 'number' && s.length < schema.minLength) return `${path} shorter than ${schema.minLength}`;
	}
	if (actual === 'integer' || actual === 'number') {
		const n = value as number;
		if (typeof schema.minimum === 'number' && n < schema.minimum) return `${path} below ${schema.minimum}`;
		if (typeof schema.maximum === 'number' && n > schema.maximum) return `${path} above ${schema.maximum}`;
	}
	return undefined;
}

export function promptWordsOf(text: string): string[] {
	const words = text
		.split(/\s+/)
		.map((w) => w.replace(/^[^\p{L}\p{N}]+|[^\p{L}\p{N}]+$/gu, ''))
		.filter((w) => w.length > 2 && !STOPWORDS.has(w.toLowerCase()));
	return [...new Set(words)].slice(0, 200);
}

/** A function the caller offers (chat completions `tools[]`). */
export interface ToolOffer {
	name: string;
	description: string;
	parameters?: JsonSchema;
}

/**
 * The tool an agent's request asks for: the offered function whose name and
 * description share the most words with the user's text (at least one), or
 * undefined when none does. Deterministic: ties go to the first offered.
 */
export function chooseTool(tools: readonly ToolOffer[], userText: string): ToolOffer | undefined {
	const asked = new Set(tokenize(userText).filter((w) => !STOPWORDS.has(w)).map(stem));
	let best: { tool: ToolOffer; score: number } | undefined;
	for (const tool of tools) {
		const words = new Set(tokenize(`${tool.name.replace(/[_-]+/g, ' ')} ${tool.description}`).filter((w) => !STOPWORDS.has(w)).map(stem));
		let score = 0;
		for (const w of words) if (asked.has(w)) score++;
		if (score > 0 && (!best || score > best.score)) best = { tool, score };
	}
	return best?.tool;
}

/** Numbers of the first `summary` object found in a value (depth-first), as [key, number] pairs. */
function summaryNumbers(value: unknown, depth = 0): Array<[string, number]> | undefined {
	if (!value || typeof value !== 'object' || depth > 6) return undefined;
	if (Array.isArray(value)) {
		for (const v of value) {
			const found = summaryNumbers(v, depth + 1);
			if (found) return found;
		}
		return undefined;
	}
	const o = value as Record<string, unknown>;
	if (o.summary && typeof o.summary === 'object' && !Array.isArray(o.summary)) {
		const pairs = Object.entries(o.summary as Record<string, unknown>).filter((e): e is [string, number] => typeof e[1] === 'number');
		if (pairs.length > 0) return pairs;
	}
	for (const v of Object.values(o)) {
		const found = summaryNumbers(v, depth + 1);
		if (found) return found;
	}
	return undefined;
}

/**
 * The model's answer once a tool has answered: the tool's summary in words
 * ("adOpsOptimizer answered: execute 2, propose 1, …") when its result carries a
 * `summary` object, otherwise its first 200 characters.
 */
export function answerFromToolResult(toolName: string, content: string): string {
	let parsed: unknown;
	try {
		parsed = JSON.parse(content);
	} catch {
		parsed = undefined;
	}
	// A tool's result may itself be a JSON string inside the JSON (LangChain serialises twice).
	if (typeof parsed === 'string') {
		try {
			parsed = JSON.parse(parsed);
		} catch {
			/* plain text */
		}
	}
	const numbers = summaryNumbers(parsed);
	if (numbers) return `${toolName} answered: ${numbers.map(([k, v]) => `${k.replace(/_/g, ' ')} ${v}`).join(', ')}.`;
	const text = content.replace(/\s+/g, ' ').trim();
	return `${toolName} answered: ${text.length > 200 ? `${text.slice(0, 199)}…` : text}`;
}
