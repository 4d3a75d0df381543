/**
 * Semantic similarity: vectors, cosine, a storable form, the injected
 * `Embedder` and an offline embedder that needs no network.
 *
 * Vectors are Float32Array. The index normalizes every vector to unit length
 * when it is added, so cosine is a dot product there. Zero vectors (empty
 * text) have cosine 0 with everything, themselves included.
 */
import { contentTokens, isEmoji, isNumber } from './normalize';
import { AD_COPY_THESAURUS, GENERIC_CONCEPTS } from './thesaurus';

/** Turns texts into vectors, one per text, in order. */
export type EmbedFn = (texts: string[]) => Promise<Float32Array[]>;

/**
 * An embedding model, injected. `model` names the model and its dimensions
 * (e.g. `text-embedding-3-small@512`); vectors cached under another name are
 * not compared with this one's and are recomputed.
 */
export interface Embedder {
	readonly model: string;
	readonly embed: EmbedFn;
}

/** Wraps a plain function as an `Embedder`. */
export function embedderFromFunction(model: string, embed: EmbedFn): Embedder {
	return { model, embed };
}

/** Thrown for vectors of the wrong length or an unreadable stored form. */
export class VectorFormatError extends Error {
	override readonly name = 'VectorFormatError';
}

/** Dot product in float64, dimensions in ascending order. */
export function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
	if (a.length !== b.length) throw new VectorFormatError(`Vector lengths differ: ${a.length} and ${b.length}.`);
	let s = 0;
	for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
	return s;
}

/** Euclidean norm. */
export function norm(a: ArrayLike<number>): number {
	let s = 0;
	for (let i = 0; i < a.length; i++) s += a[i]! * a[i]!;
	return Math.sqrt(s);
}

/** Cosine similarity in [-1, 1]; 0 when either vector is zero. */
export function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
	const na = norm(a);
	const nb = norm(b);
	if (na === 0 || nb === 0) {
		if (a.length !== b.length) throw new VectorFormatError(`Vector lengths differ: ${a.length} and ${b.length}.`);
		return 0;
	}
	return clamp(dot(a, b) / (na * nb));
}

function clamp(x: number): number {
	return x > 1 ? 1 : x < -1 ? -1 : x;
}

/** A unit-length copy (a zero vector stays zero). Non-finite components are rejected. */
export function normalizeVector(v: ArrayLike<number>): Float32Array {
	const out = new Float32Array(v.length);
	const n = norm(v);
	if (!Number.isFinite(n)) throw new VectorFormatError('Vector has a non-finite component.');
	if (n === 0) return out;
	for (let i = 0; i < v.length; i++) out[i] = v[i]! / n;
	return out;
}

/**
 * Storable form: base64 of the little-endian IEEE-754 float32 bytes, the
 * same as OpenAI's `encoding_format: "base64"`. 1,536 dimensions → 8,192
 * characters; 512 → 2,732.
 */
export function packVector(v: Float32Array): string {
	const bytes = Buffer.alloc(v.length * 4);
	for (let i = 0; i < v.length; i++) bytes.writeFloatLE(v[i]!, i * 4);
	return bytes.toString('base64');
}

/** Reads `packVector`'s form back; checks the length against `dimensions` when given. */
export function unpackVector(packed: string, dimensions?: number): Float32Array {
	if (!/^[A-Za-z0-9+/]*={0,2}$/.test(packed)) throw new VectorFormatError('Packed vector is not base64.');
	const bytes = Buffer.from(packed, 'base64');
	if (bytes.length % 4 !== 0) throw new VectorFormatError(`Packed vector has ${bytes.length} bytes, not a multiple of 4.`);
	const v = new Float32Array(bytes.length / 4);
	for (let i = 0; i < v.length; i++) v[i] = bytes.readFloatLE(i * 4);
	if (dimensions !== undefined && v.length !== dimensions) throw new VectorFormatError(`Packed vector has ${v.length} dimensions, expected ${dimensions}.`);
	return v;
}

/** Accepts a vector as stored or received: Float32Array, number[] (JSON, pg float8[]) or base64. */
export function toVector(value: unknown, dimensions?: number): Float32Array {
	let v: Float32Array;
	if (value instanceof Float32Array) v = value;
	else if (typeof value === 'string') v = unpackVector(value);
	else if (Array.isArray(value) && value.every((x) => typeof x === 'number' && Number.isFinite(x))) v = Float32Array.from(value as number[]);
	else throw new VectorFormatError('A vector must be a Float32Array, an array of finite numbers or a base64 string.');
	if (dimensions !== undefined && v.length !== dimensions) throw new VectorFormatError(`Vector has ${v.length} dimensions, expected ${dimensions}.`);
	return v;
}

/** FNV-1a, 32 bit. */
export function fnv1a(text: string): number {
	let h = 0x811c9dc5;
	for (let i = 0; i < text.length; i++) {
		h ^= text.charCodeAt(i);
		h = Math.imul(h, 0x01000193) >>> 0;
	}
	return h >>> 0;
}

interface PhraseTable {
	/** First stem of a phrase → phrases starting with it, longest first. */
	byFirst: Map<string, Array<{ stems: string[]; concept: string }>>;
}

let phraseTable: PhraseTable | undefined;

function phrases(): PhraseTable {
	if (phraseTable) return phraseTable;
	const byFirst = new Map<string, Array<{ stems: string[]; concept: string }>>();
	for (const [concept, list] of AD_COPY_THESAURUS) {
		for (const phrase of list) {
			const stems = contentTokens(phrase);
			if (stems.length === 0) continue;
			const arr = byFirst.get(stems[0]!) ?? [];
			arr.push({ stems, concept });
			byFirst.set(stems[0]!, arr);
		}
	}
	for (const arr of byFirst.values()) arr.sort((a, b) => b.stems.length - a.stems.length);
	phraseTable = { byFirst };
	return phraseTable;
}

/**
 * Content tokens with thesaurus phrases replaced by their concept (`=concept`),
 * longest match first: "Ships free to your door" → ["=free_shipping", "=shipping"].
 */
export function conceptTokens(text: string): string[] {
	const tokens = contentTokens(text);
	const { byFirst } = phrases();
	const out: string[] = [];
	for (let i = 0; i < tokens.length; ) {
		const options = byFirst.get(tokens[i]!);
		let matched = 0;
		if (options) {
			for (const { stems, concept } of options) {
				if (stems.every((s, k) => tokens[i + k] === s)) {
					out.push(`=${concept}`);
					matched = stems.length;
					break;
				}
			}
		}
		if (matched === 0) {
			out.push(tokens[i]!);
			matched = 1;
		}
		i += matched;
	}
	return out;
}

export interface OfflineEmbedderOptions {
	/** Vector length (default 512). More dimensions → fewer hash collisions, bigger vectors. */
	dimensions?: number;
}

/** Weight of a unigram feature. */
function unigramWeight(token: string): number {
	if (token.startsWith('=')) return GENERIC_CONCEPTS.has(token.slice(1)) ? 0.35 : 1;
	if (isEmoji(token)) return 0.4;
	if (isNumber(token)) return 1;
	return 1;
}

/**
 * Offline embedding of one text: feature hashing ("the hashing trick") of
 * - each distinct content token after stopword removal, stemming and the
 *   thesaurus (weight 1; generic concepts like "buy", "now" 0.35; emoji 0.4),
 * - each distinct pair of adjacent such tokens (weight 0.5, a little word order),
 * into `dimensions` signed buckets, then L2-normalized.
 *
 * What it captures: shared words after inflection ("saving"/"saves"), listed
 * synonyms and phrases ("free delivery" = "ships free"), numbers and emoji,
 * and some local word order. What it does not: meaning. Paraphrases in words
 * outside the thesaurus, negation ("not waterproof"), sarcasm and other
 * languages are invisible to it, and unrelated texts get small nonzero
 * cosines from hash collisions (about ±1/√dimensions). It is a better
 * lexical signal, not a language model; OpenAI embeddings are the real
 * semantic signal when a key is set.
 */
export function offlineEmbed(text: string, dimensions = 512): Float32Array {
	const v = new Float64Array(dimensions);
	const tokens = conceptTokens(text);
	const seen = new Set<string>();
	const add = (feature: string, weight: number): void => {
		if (seen.has(feature)) return;
		seen.add(feature);
		const h = fnv1a(feature);
		v[h % dimensions]! += h & 0x80000000 ? -weight : weight;
	};
	for (let i = 0; i < tokens.length; i++) {
		add(`u:${tokens[i]}`, unigramWeight(tokens[i]!));
		if (i > 0) add(`b:${tokens[i - 1]} ${tokens[i]}`, 0.5);
	}
	return normalizeVector(v);
}

/** The offline embedder (model id `adops-offline-v1@<dimensions>`); synchronous work behind the async interface. */
export function offlineEmbedder(options: OfflineEmbedderOptions = {}): Embedder {
	const dimensions = options.dimensions ?? 512;
	if (!Number.isInteger(dimensions) || dimensions < 16 || dimensions > 65_536) throw new RangeError('dimensions must be an integer from 16 to 65536.');
	return {
		model: `adops-offline-v1@${dimensions}`,
		embed: async (texts) => texts.map((t) => offlineEmbed(t, dimensions)),
	};
}

/** The part of the `openai` client this adapter uses (structural, so the core does not import `openai`). */
export interface OpenAIEmbeddingsClient {
	embeddings: {
		create(body: { model: string; input: string[]; dimensions?: number; encoding_format?: 'float' | 'base64' }): Promise<{ data: Array<{ index: number; embedding: number[] | string }> }>;
	};
}

export interface OpenAIEmbedderOptions {
	model?: string;
	/** Shorten the vectors (text-embedding-3-* only); 512 keeps storage and scans small. */
	dimensions?: number;
	/** Texts per request (default 256; the API takes up to 2,048). */
	batchSize?: number;
}

/**
 * An `Embedder` over an `openai` client (`new OpenAI({ apiKey, baseURL })`).
 * Empty texts are not sent (the API rejects them); they get zero vectors.
 * An answer that lacks a vector is an error. Retries are the client's own
 * (`maxRetries`).
 */
export function openAIEmbedder(client: OpenAIEmbeddingsClient, options: OpenAIEmbedderOptions = {}): Embedder {
	const model = options.model ?? 'text-embedding-3-small';
	const batchSize = options.batchSize ?? 256;
	return {
		model: options.dimensions ? `${model}@${options.dimensions}` : model,
		embed: async (texts) => {
			const out: Float32Array[] = new Array(texts.length);
			const todo = texts.map((t, i) => [t, i] as const).filter(([t]) => t.trim() !== '');
			for (let start = 0; start < todo.length; start += batchSize) {
				const chunk = todo.slice(start, start + batchSize);
				const res = await client.embeddings.create({ model, input: chunk.map(([t]) => t), dimensions: options.dimensions, encoding_format: 'base64' });
				for (const d of res.data) {
					const slot = chunk[d.index];
					if (!slot) throw new VectorFormatError(`Embedding answer has an unexpected index ${d.index}.`);
					out[slot[1]] = toVector(d.embedding);
				}
				const lost = chunk.find(([, i]) => !out[i]);
				if (lost) throw new VectorFormatError(`Embedding answer has no vector for input ${lost[1]}.`);
			}
			const dims = out.find((v) => v)?.length ?? options.dimensions ?? 1536;
			for (let i = 0; i < out.length; i++) if (!out[i]) out[i] = new Float32Array(dims);
			return out;
		},
	};
}
