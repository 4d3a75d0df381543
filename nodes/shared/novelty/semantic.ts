/**
 * Semantic similarity: vectors, cosine, a storable form, the injected
 * `Embedder` and an offline embedder that needs no network.
 *
 * Vectors are Float32Array. The index normalizes every vector to unit length
 * when it is added, so cosine is a dot product there. Zero vectors (empty
 * text) have cosine 0 with everything, themselves included.
 */
import { DEFAULT_SLICE_MS, yieldToEventLoop } from '../resilience/steps';
import { ENGLISH_STOPWORDS, isEmoji, normalizeText, stem } from './normalize';
import { prepareNumbers, quantityBuckets, readQuantities } from './quantities';
import { AD_COPY_THESAURUS, AD_FILLER_WORDS, GENERIC_CONCEPTS, PHRASE_REWRITES, WORD_FORMS } from './thesaurus';

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
	/**
	 * The cosines at which this model's vectors mean near-duplicate and
	 * duplicate copy, when they were calibrated for it (the offline embedder:
	 * see README.md). `resolveThresholds(input, embedder)` uses them where the
	 * user set no semantic threshold; without them the package defaults apply.
	 */
	readonly semanticThresholds?: { readonly nearDuplicate: number; readonly duplicate: number };
}

/**
 * The offline embedder's semantic thresholds, calibrated on the development
 * half of test/fixtures/novelty-pairs (scripts/eval-novelty.ts --sweep): the
 * near-duplicate cosine with the widest margin over both targets (precision
 * 0.95, recall 0.9) at the default lexical threshold. Its cosines run lower
 * than OpenAI's for the same paraphrase (a hashed bag of concepts, not a
 * language model), so the package default of 0.8 would miss restatements.
 */
export const OFFLINE_SEMANTIC_THRESHOLDS = Object.freeze({ nearDuplicate: 0.6, duplicate: 0.95 });

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

/**
 * Words the offline embedder drops: English stopwords and ad filler
 * (`AD_FILLER_WORDS`), except the small words that carry an offer ("no",
 * "off", "over", "under", "only", "up", "all", …), which go to the thesaurus.
 */
const CLAIM_WORDS: ReadonlySet<string> = new Set('no not nor off over under more most only up out few all any each every same before after again down against'.split(' '));

function isDropped(word: string): boolean {
	return (ENGLISH_STOPWORDS.has(word) || AD_FILLER_WORDS.has(word)) && !CLAIM_WORDS.has(word);
}

/** One token of the offline embedder's reading of a text. */
type OfflineToken = { text: string; weight: number } | { quantity: string; base: number };

/**
 * The embedder's reading of a text, before the thesaurus: numbers and
 * quantities read (`quantities.ts`), word forms brought to their base
 * (`WORD_FORMS`), dropped words removed, the rest stemmed.
 */
function readTokens(raw: string): OfflineToken[] {
	let ws = normalizeText(prepareNumbers(raw));
	const out: OfflineToken[] = [];
	if (!ws) return out;
	for (const [pattern, replacement] of PHRASE_REWRITES) ws = ws.replace(pattern, replacement);
	for (const t of readQuantities(ws.split(' '))) {
		if (t.kind === 'word') {
			const w = WORD_FORMS[t.word] ?? t.word;
			if (isDropped(w)) continue;
			out.push({ text: stem(w), weight: isEmoji(w) ? 0.4 : 1 });
		} else if (t.kind === 'number') out.push({ text: `#${t.key}`, weight: t.value === 1 ? 0.5 : 1 });
		else if (t.kind === 'percent') out.push({ text: `%${t.key}`, weight: 1 });
		else if (t.kind === 'times') out.push({ text: `x${t.key}`, weight: 1 });
		else out.push({ quantity: t.dimension, base: t.base });
	}
	return out;
}

interface PhraseTable {
	/** First token of a phrase → phrases starting with it, longest first. */
	byFirst: Map<string, Array<{ stems: string[]; concept: string }>>;
}

let phraseTable: PhraseTable | undefined;

function phrases(): PhraseTable {
	if (phraseTable) return phraseTable;
	const byFirst = new Map<string, Array<{ stems: string[]; concept: string }>>();
	for (const [concept, list] of AD_COPY_THESAURUS) {
		for (const phrase of list) {
			const tokens = readTokens(phrase);
			if (tokens.length === 0 || tokens.some((t) => !('text' in t))) continue;
			const stems = tokens.map((t) => (t as { text: string }).text);
			const arr = byFirst.get(stems[0]!) ?? [];
			// The first group that lists a phrase keeps it.
			if (arr.some((p) => p.stems.length === stems.length && p.stems.every((x, k) => x === stems[k]))) continue;
			arr.push({ stems, concept });
			byFirst.set(stems[0]!, arr);
		}
	}
	for (const arr of byFirst.values()) arr.sort((a, b) => b.stems.length - a.stems.length);
	phraseTable = { byFirst };
	return phraseTable;
}

/** A feature of the offline embedder with its weight. */
interface Feature {
	key: string;
	weight: number;
}

/**
 * The unigram features of a text in order: thesaurus concepts (`=concept`,
 * longest phrase first), other stems, numbers (`#49`), percentages (`%50`),
 * multipliers (`x2`), and quantities as two 5% buckets of their amount in a
 * base unit (`~time:203`, `~time:204`).
 */
function unigramFeatures(text: string): Feature[][] {
	const tokens = readTokens(text);
	const { byFirst } = phrases();
	const out: Feature[][] = [];
	for (let i = 0; i < tokens.length; ) {
		const t = tokens[i]!;
		if (!('text' in t)) {
			const [a, b] = quantityBuckets(t.base);
			out.push([
				{ key: `~${t.quantity}:${a}`, weight: QUANTITY_WEIGHT },
				{ key: `~${t.quantity}:${b}`, weight: QUANTITY_WEIGHT },
			]);
			i++;
			continue;
		}
		const options = byFirst.get(t.text);
		let matched = 0;
		if (options) {
			for (const { stems, concept } of options) {
				if (stems.every((s, k) => { const x = tokens[i + k]; return x !== undefined && 'text' in x && x.text === s; })) {
					out.push([{ key: `=${concept}`, weight: GENERIC_CONCEPTS.has(concept) ? GENERIC_WEIGHT : 1 }]);
					matched = stems.length;
					break;
				}
			}
		}
		if (matched === 0) {
			out.push([{ key: t.text, weight: t.weight }]);
			matched = 1;
		}
		i += matched;
	}
	return out;
}

/** Weight of a down-weighted concept ("buy", "now", "free", …). */
const GENERIC_WEIGHT = 0.35;
/** Weight of each of a quantity's two buckets (together about one feature). */
const QUANTITY_WEIGHT = 0.75;
/** Weight of a pair of adjacent features (a little word order). */
const BIGRAM_WEIGHT = 0;

/**
 * Content tokens with thesaurus phrases replaced by their concept (`=concept`),
 * longest match first, and numbers read: "Ships free to your door" →
 * ["=free_shipping", "=shipping"]; "50% off" → ["%50", "=discount"]. A
 * quantity shows as its first bucket.
 */
export function conceptTokens(text: string): string[] {
	return unigramFeatures(text).map((f) => f[0]!.key);
}

export interface OfflineEmbedderOptions {
	/** Vector length (default 512). More dimensions → fewer hash collisions, bigger vectors. */
	dimensions?: number;
}

/**
 * Offline embedding of one text: feature hashing ("the hashing trick") of
 * - each distinct unigram feature (`conceptTokens`: thesaurus concepts, stems,
 *   numbers, percentages, quantities in a base unit; weight 1, generic
 *   concepts like "buy", "now", "free" 0.35, emoji 0.4, the number one 0.5,
 *   each of a quantity's two buckets 0.75),
 * - each distinct pair of adjacent unigrams (weight 0.25: a little word order,
 *   little enough that another sentence shape of the same claim stays close),
 * into `dimensions` signed buckets, then L2-normalized.
 *
 * What it captures: shared words after inflection ("saving"/"saves",
 * "cooler"/"cool"), the thesaurus's synonyms and phrases ("free delivery" =
 * "we ship for free", "comfy" = "comfortable"), numbers however written
 * ("$49" = "forty-nine bucks"), percentages ("half price" = "50% off"),
 * durations and other quantities in any unit ("two weeks" = "14 days",
 * "250 g" = "0.25 kg"), emoji. What it does not: meaning. Paraphrases in
 * words outside the thesaurus, negation beyond "no"/"not" ("not
 * waterproof" still shares "waterproof"), sarcasm and other languages are
 * invisible to it, and unrelated texts get small nonzero cosines from hash
 * collisions (about ±1/√dimensions). OpenAI embeddings are the real
 * semantic signal when a key is set.
 */
export function offlineEmbed(text: string, dimensions = 512): Float32Array {
	const v = new Float64Array(dimensions);
	const features = unigramFeatures(text);
	const seen = new Set<string>();
	const add = (feature: string, weight: number): void => {
		if (seen.has(feature)) return;
		seen.add(feature);
		const h = fnv1a(feature);
		v[h % dimensions]! += h & 0x80000000 ? -weight : weight;
	};
	for (let i = 0; i < features.length; i++) {
		for (const f of features[i]!) add(`u:${f.key}`, f.weight);
		if (i > 0) add(`b:${features[i - 1]![0]!.key} ${features[i]![0]!.key}`, BIGRAM_WEIGHT);
	}
	return normalizeVector(v);
}

/** The offline embedder (model id `adops-offline-v2@<dimensions>`); synchronous work behind the async interface. */
export function offlineEmbedder(options: OfflineEmbedderOptions = {}): Embedder {
	const dimensions = options.dimensions ?? 512;
	if (!Number.isInteger(dimensions) || dimensions < 16 || dimensions > 65_536) throw new RangeError('dimensions must be an integer from 16 to 65536.');
	return {
		model: `adops-offline-v2@${dimensions}`,
		// About 0.05 ms a text: 100,000 texts would hold the event loop for seconds, so it is let in every 10 ms (yield.ts).
		embed: async (texts) => {
			const out: Float32Array[] = [];
			let start = performance.now();
			for (const t of texts) {
				out.push(offlineEmbed(t, dimensions));
				if (performance.now() - start >= DEFAULT_SLICE_MS) {
					await yieldToEventLoop();
					start = performance.now();
				}
			}
			return out;
		},
		semanticThresholds: OFFLINE_SEMANTIC_THRESHOLDS,
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
