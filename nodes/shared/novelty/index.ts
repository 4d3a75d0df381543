/**
 * Novelty check of candidate ad copy against all past variants of an account
 * and against the other candidates of the batch.
 *
 * Scores (see lexical.ts and semantic.ts):
 * - lexical: Jaccard of pg_trgm-style character trigram sets of normalized text;
 * - semantic: cosine of the two embeddings (unit vectors, so a dot product),
 *   or null when either side has no vector.
 *
 * Verdict of one pair, for thresholds `L` (lexical) and `S` (semantic):
 * - duplicate when lexical ≥ L.duplicate or semantic ≥ S.duplicate;
 * - near_duplicate when lexical ≥ L.nearDuplicate or semantic ≥ S.nearDuplicate;
 * - novel otherwise.
 * A candidate's verdict is the worst over all past variants and all earlier
 * candidates of the batch.
 *
 * The nearest past variant is the one with the worst verdict and, among
 * those, the highest closeness `max(lexical / L.nearDuplicate, semantic /
 * S.nearDuplicate)` (≥ 1 exactly when the pair is at least a near-duplicate);
 * ties go to the variant added first. When nothing shares a trigram or a
 * nonzero dimension with the candidate (closeness 0) there is no nearest.
 *
 * The fast path is exact, not approximate: it returns the same results as
 * the brute force (`bruteForce`), field for field. The semantic score is
 * defined by its summation order: `exactDot` (dense.ts), the float64 sum of
 * q[i]·p[i] in ascending dimension order; every path computes those bits.
 * - Lexical: an inverted index trigram → variants (CSR arrays). For a
 *   candidate, walking the postings of its trigrams counts |T(c) ∩ T(p)| for
 *   every variant that shares one; all others have intersection 0.
 * - Semantic, sparse vectors (the offline embedder, feature-hashed models;
 *   chosen when under 35% of stored components are nonzero): an inverted
 *   index dimension → (variant, value). Accumulating q[i]·p[i] over the
 *   candidate's nonzero dimensions in ascending order gives bit for bit
 *   `exactDot` (the skipped terms are zeros), for every variant with a shared
 *   dimension; all others are exactly 0.
 * - Semantic, dense vectors (OpenAI embeddings): filter, then complete.
 *   The unit vectors live in one zero-padded Float32Array inside a
 *   WebAssembly memory. A hand-assembled SIMD kernel (simd.ts: f32x4, 4
 *   candidates per pass over a block of 128 stored vectors) computes float32
 *   dot products of every candidate with every variant, each within a proven
 *   bound `approxError` of the exact score (1.6e-5 at 512 dimensions, see
 *   dense.ts). `searchFiltered` then takes, per candidate, a key
 *   (verdict level, closeness) some variant is sure to reach (scores at
 *   approx − bound) and computes `exactDot` only for variants whose key at
 *   approx + bound can still reach it and beat the best so far, in ascending
 *   order through `better`, as the brute force does. In practice that is
 *   one or a few variants per candidate; ties within the bound at the top
 *   (identical vectors) all get completed, so the worst case is the brute
 *   force's cost, never a different answer. The work does not depend on
 *   how the vectors' energy is spread over dimensions. Without WebAssembly
 *   SIMD (or past its 4 GiB) the same store is scanned in plain JavaScript,
 *   4 candidates per pass with one float64 accumulator each: exact scores
 *   for every pair, about 5× slower.
 *   Measured (test/bench/novelty.bench.ts, 2 shared cores, 50 candidates ×
 *   100,000 variants × 512 dimensions): 0.45–0.5 s per check with SIMD,
 *   2.5 s without.
 *
 * Building: `add` takes the trigram keys of ASCII text in one pass over its
 * character codes (`asciiTrigramKeys`) and drops repeats with a stamp per
 * trigram, normalizes vectors in one pass plus one over their nonzero
 * components, and records the nonzero dimensions while the index is sparse;
 * the postings are built on the next check, for the variants added since
 * the last build only (delta postings) until those exceed 1/16 of the
 * index. 0.8–1.25 s for 100,000 variants (2–2.7 s before); adding 50 to a
 * built index and checking 50 takes 0.2–0.45 s. The creative run layer
 * keeps built indexes between runs (nodes/shared/creative/novelty-cache.ts).
 */
import { ASCII_KEYS_PER_CHAR, TRIGRAM_KEY_SPACE, asciiTrigramKeys, eachTrigramKey, normalizeText, trigrams, words } from './normalize';
import { VectorFormatError, normalizeVector, type Embedder } from './semantic';
import { VectorStore, approxError, exactDot } from './dense';
import { DEFAULT_SLICE_MS, runSteps, runStepsAsync, type Steps } from '../resilience/steps';
import { VERDICTS, closeness, pairLevel, resolveThresholds, verdictLevel, type NoveltyThresholds, type NoveltyThresholdsInput, type Verdict } from './verdict';

export * from './normalize';
export * from './lexical';
export * from './semantic';
export * from './packed';
export * from '../resilience/steps';
export * from './verdict';

/** A past variant of the account. */
export interface PastVariant {
	id: string;
	text: string;
	/** Its embedding, if known (any scale: it is normalized when added). */
	vector?: Float32Array | null;
}

/** A candidate to check. */
export interface CandidateVariant {
	text: string;
	vector?: Float32Array | null;
}

export interface PastMatch {
	id: string;
	text: string;
	lexical: number;
	/** Null when the candidate or the past variant has no vector. */
	semantic: number | null;
	verdict: Verdict;
}

export interface BatchMatch {
	/** Index of the earlier candidate in the batch. */
	index: number;
	lexical: number;
	semantic: number | null;
	verdict: Verdict;
}

export interface NoveltyResult {
	/** Position of the candidate in the batch. */
	index: number;
	/** Worst of the verdicts against past variants and against earlier candidates. */
	verdict: Verdict;
	/** Nearest past variant (see the top of this file), or null when none shares anything. */
	nearest: PastMatch | null;
	/** Nearest earlier candidate of the same batch, or null. */
	batch: BatchMatch | null;
	/** One line for a person: why this verdict. */
	reason: string;
}

export interface NoveltyIndexOptions {
	/**
	 * Use the sparse inverted index for vectors when less than this fraction
	 * of stored components is nonzero (default 0.35); otherwise scan densely.
	 * 0 forces the dense scan, anything above 1 the sparse index.
	 */
	sparseBelow?: number;
	/**
	 * Run the dense filter on WebAssembly SIMD when the runtime has it
	 * (default true). False forces the portable exact scan; results are the
	 * same either way, only the time differs.
	 */
	simd?: boolean;
}

/** What the last `check` did (for benchmarks and tests). */
export interface NoveltyCheckStats {
	semantic: 'none' | 'sparse' | 'dense';
	/** Dense only: 'simd' (float32 filter + exact completion) or 'js' (exact scan of every pair). */
	kernel: 'simd' | 'js' | null;
	/** Candidate × past-variant pairs with vectors on both sides. */
	pairs: number;
	/** Of those, how many the dense filter had to complete with the exact float64 dot product. */
	exactDots: number;
}

/** Variants added per step of `addSteps` (a power of 2). */
const ADD_STEP = 128;
/** Variants per step of a build (between two chances to let the event loop in). */
const BUILD_DOCS = 1024;
/** Postings (or vector components) per step of a build. */
const BUILD_ENTRIES = 1 << 16;
/** A search pauses every SCAN_MASK + 1 variants. */
const SCAN_MASK = 16383;
/** Candidates per pass of the dense kernel (simd.ts: 4 queries per f32x4 pass). */
const DENSE_GROUP = 4;

/**
 * The contents of an index without its postings (`exportStateSteps`,
 * `NoveltyIndex.fromStateSteps`): the variants in order, the trigram table
 * and every variant's distinct trigram ids, and the stored unit vectors.
 */
export interface NoveltyIndexState {
	ids: string[];
	texts: string[];
	/** Trigram key (base 37) → trigram id, −1 for none; `TRIGRAM_KEY_SPACE` entries. */
	asciiIds: Int32Array;
	/** Other trigrams (non-ASCII) and their ids. */
	otherIds: Array<[string, number]>;
	trigramCount: number;
	/** Distinct trigram ids per variant, concatenated; `docOff`: offsets (n + 1). */
	docTrig: Uint32Array;
	docOff: Uint32Array;
	/** Variants without a trigram. */
	emptyDocs: Uint32Array;
	/** Per variant: 0 no vector, 1 a zero vector, 3 a nonzero one. */
	hasVec: Uint8Array;
	/** Vector length; null when no variant has a vector. */
	dims: number | null;
	/** Nonzero stored components, all variants together. */
	nonzeros: number;
	/** While sparse: nonzero dimensions per variant (ascending) and offsets (n + 1); null once dense. */
	nzDims: Uint32Array | null;
	nzOff: Uint32Array | null;
	/** Sparse: the unit vectors' values at `nzDims`; dense: every component, n × dims. */
	values: Float32Array | null;
	/** Sparse: (variant, dimension) pairs of stored −0 components, ascending. */
	negativeZeros: Uint32Array | null;
}

/** A `NoveltyIndexState` that does not hang together (a damaged snapshot). */
export class NoveltyStateError extends Error {
	override name = 'NoveltyStateError';
}

/** Growable typed arrays. */
class U32 {
	a = new Uint32Array(1024);
	n = 0;
	push(x: number): void {
		if (this.n === this.a.length) this.grow(this.n + 1);
		this.a[this.n++] = x;
	}
	grow(min: number): void {
		const b = new Uint32Array(Math.max(min, this.a.length * 2));
		b.set(this.a.subarray(0, this.n));
		this.a = b;
	}
	view(): Uint32Array {
		return this.a.subarray(0, this.n);
	}
}

/** Prepared query: trigram ids and vector of one candidate. */
interface Query {
	/** Distinct trigrams in the candidate (known or not to the index). */
	size: number;
	/** Ids of those trigrams the index knows, ascending. */
	known: Uint32Array;
	/** Unit vector or null. */
	vector: Float32Array | null;
	/** Nonzero dimensions of `vector`, ascending. */
	nz: Uint32Array;
}

/**
 * An in-memory index of one account's past variants. Add variants (with
 * their cached vectors), then `check` batches of candidates. Adding after a
 * check builds delta postings for the new variants on the next check (all
 * postings again once the delta passes 1/16 of the index); results are the
 * same as an index built in one `add`.
 */
export class NoveltyIndex {
	private readonly ids: string[] = [];
	private readonly texts: string[] = [];
	/** Trigram → id: packed ASCII trigrams in a table, others in a map (see `eachTrigramKey`). */
	private readonly asciiIds = new Int32Array(TRIGRAM_KEY_SPACE).fill(-1);
	private readonly otherIds = new Map<string, number>();
	private trigramCount = 0;
	/** Distinct trigram ids of every variant (in no particular order within one), concatenated; `docOff`: offsets, n + 1. */
	private readonly docTrig = new U32();
	private readonly docOff = new U32();
	private readonly emptyDocs: number[] = [];
	/** Reused buffer of `asciiTrigramKeys`. */
	private keys = new Uint32Array(4096);
	/** Per trigram id: the last `stampNow` that saw it (drops repeated trigrams of a text). */
	private stamp = new Uint32Array(1024);
	private stampNow = 0;
	/**
	 * Nonzero dimensions of every stored vector, ascending per variant
	 * (`nzOff`: offsets, n + 1), kept while the index is sparse; null once it
	 * is not (or before the first vector).
	 */
	private nzDims: U32 | null = null;
	private nzOff: U32 | null = null;
	/** Unit vectors of every variant (zero rows for variants without one), once a vector was added. */
	private store: VectorStore | null = null;
	/** Per variant: 0 no vector, 1 a zero vector, 3 a nonzero one (bit 1: nonzero). */
	private hasVec = new Uint8Array(1024);
	private dims: number | null = null;
	private nonzeros = 0;
	private readonly sparseBelow: number;
	private readonly simd: boolean;
	private stats: NoveltyCheckStats | null = null;

	// Built on demand.
	// Built on demand: postings of the variants [0, baseN) (trigram ids below
	// baseT), and delta postings of those added since, [baseN, n), so that
	// adding a few variants to a large index (a cached one) does not rebuild
	// it all. Each variant is in exactly one of the two.
	private built = false;
	private baseN = 0;
	private baseT = 0;
	private postOff = new Uint32Array(0);
	private postDocs = new Uint32Array(0);
	private sparse = false;
	private dimOff = new Uint32Array(0);
	private dimDocs = new Uint32Array(0);
	private dimVals = new Float32Array(0);
	private dPostOff = new Uint32Array(1);
	private dPostDocs = new Uint32Array(0);
	private dDimOff = new Uint32Array(1);
	private dDimDocs = new Uint32Array(0);
	private dDimVals = new Float32Array(0);
	private counts = new Uint16Array(0);
	private acc = new Float64Array(0);
	private isEmpty = new Uint8Array(0);

	constructor(options: NoveltyIndexOptions = {}) {
		this.sparseBelow = options.sparseBelow ?? 0.35;
		this.simd = options.simd ?? true;
		this.docOff.push(0);
	}

	/** Number of past variants. */
	get size(): number {
		return this.ids.length;
	}

	/** Vector length, once a vector was added. */
	get dimensions(): number | null {
		return this.dims;
	}

	/** Which semantic strategy the next check uses. */
	get semanticMode(): 'none' | 'sparse' | 'dense' {
		this.ensureBuilt();
		return this.dims === null ? 'none' : this.sparse ? 'sparse' : 'dense';
	}

	/** What the last `check` did, or null before the first. */
	get lastCheck(): NoveltyCheckStats | null {
		return this.stats;
	}

	/** Id of the variant added `doc`-th (0-based). */
	idAt(doc: number): string {
		return this.ids[doc]!;
	}

	/** Text of the variant added `doc`-th. */
	textAt(doc: number): string {
		return this.texts[doc]!;
	}

	/**
	 * Whether variant `doc` was added with a vector that stores the same unit
	 * vector as `vector` would, bit for bit (so the index would be the same
	 * with either). False when it was added without one.
	 */
	sameVector(doc: number, vector: Float32Array): boolean {
		if (!this.hasVec[doc] || !this.store || vector.length !== this.dims) return false;
		let unit: Float32Array;
		try {
			unit = normalizeVector(vector);
		} catch {
			return false;
		}
		const data = this.store.data;
		const stored = new Uint32Array(data.buffer, data.byteOffset + doc * this.store.stride * 4, vector.length);
		const mine = new Uint32Array(unit.buffer, unit.byteOffset, unit.length);
		for (let i = 0; i < mine.length; i++) if (stored[i] !== mine[i]) return false;
		return true;
	}

	/**
	 * Bytes the index holds, roughly: vectors (the whole buffer, in
	 * WebAssembly memory or not), trigram and vector postings, texts and ids.
	 */
	memoryBytes(): number {
		let bytes = this.store?.bytes ?? 0;
		for (const a of [this.asciiIds, this.docTrig.a, this.docOff.a, this.stamp, this.keys, this.hasVec, this.nzDims?.a, this.nzOff?.a, this.postOff, this.postDocs, this.dimOff, this.dimDocs, this.dimVals, this.dPostOff, this.dPostDocs, this.dDimOff, this.dDimDocs, this.dDimVals, this.counts, this.acc, this.isEmpty]) bytes += a?.byteLength ?? 0;
		for (let d = 0; d < this.ids.length; d++) bytes += 2 * (this.texts[d]!.length + this.ids[d]!.length) + 64;
		return bytes + this.otherIds.size * 64;
	}

	/**
	 * What the index holds (variants, trigram ids, unit vectors), without the
	 * postings a check builds from it: `NoveltyIndex.fromState` gives an
	 * index with the same results, field for field. A persisted snapshot
	 * (nodes/shared/creative/novelty-snapshot.ts) stores it, so a new process
	 * skips the trigram extraction and vector normalization of every variant.
	 * In steps (the −0 scan of every stored component, the copies).
	 */
	*exportStateSteps(): Steps<NoveltyIndexState> {
		const n = this.ids.length;
		const dims = this.dims;
		let values: Float32Array | null = null;
		let negativeZeros: Uint32Array | null = null;
		const nzDims = this.nzDims ? this.nzDims.view().slice() : null;
		const nzOff = this.nzOff ? this.nzOff.view().slice() : null;
		if (dims !== null && this.store) {
			const data = this.store.data;
			const stride = this.store.stride;
			const bits = new Uint32Array(data.buffer, data.byteOffset, data.length);
			if (nzDims && nzOff) {
				// Sparse: the values at the recorded nonzero dimensions, and where a stored component is −0.
				values = new Float32Array(nzDims.length);
				const negatives: number[] = [];
				for (let from = 0; from < n; from += BUILD_DOCS) {
					for (let d = from, end = Math.min(n, from + BUILD_DOCS); d < end; d++) {
						const base = d * stride;
						for (let k = nzOff[d]!; k < nzOff[d + 1]!; k++) values[k] = data[base + nzDims[k]!]!;
						for (let i = 0; i < dims; i++) if (bits[base + i] === 0x80000000) negatives.push(d, i);
					}
					yield;
				}
				negativeZeros = Uint32Array.from(negatives);
			} else {
				values = new Float32Array(n * dims);
				for (let from = 0; from < n; from += BUILD_DOCS) {
					for (let d = from, end = Math.min(n, from + BUILD_DOCS); d < end; d++) values.set(data.subarray(d * stride, d * stride + dims), d * dims);
					yield;
				}
			}
		}
		return {
			ids: this.ids.slice(),
			texts: this.texts.slice(),
			asciiIds: this.asciiIds.slice(),
			otherIds: [...this.otherIds],
			trigramCount: this.trigramCount,
			docTrig: this.docTrig.view().slice(),
			docOff: this.docOff.view().slice(),
			emptyDocs: Uint32Array.from(this.emptyDocs),
			hasVec: this.hasVec.slice(0, n),
			dims,
			nonzeros: this.nonzeros,
			nzDims,
			nzOff,
			values,
			negativeZeros,
		};
	}

	/** `exportStateSteps` at once. */
	exportState(): NoveltyIndexState {
		this.idle();
		return runSteps(this.exportStateSteps());
	}

	/**
	 * An index holding what `state` describes (see `exportStateSteps`), in
	 * steps. Throws `NoveltyStateError` when the state does not hang
	 * together (lengths, offsets, ids out of range): a damaged snapshot.
	 */
	static *fromStateSteps(state: NoveltyIndexState, options: NoveltyIndexOptions = {}): Steps<NoveltyIndex> {
		const index = new NoveltyIndex(options);
		const s = state;
		const n = s.ids.length;
		const fail = (what: string): never => {
			throw new NoveltyStateError(`Novelty index state: ${what}.`);
		};
		if (s.texts.length !== n || s.hasVec.length !== n || s.docOff.length !== n + 1 || s.docOff[0] !== 0 || s.docOff[n] !== s.docTrig.length) fail('lengths differ');
		if (s.asciiIds.length !== TRIGRAM_KEY_SPACE || !Number.isInteger(s.trigramCount) || s.trigramCount < 0) fail('trigram table');
		for (let d = 0; d < n; d++) if (s.docOff[d + 1]! < s.docOff[d]!) fail('offsets');
		for (let k = 0; k < s.docTrig.length; k++) if (s.docTrig[k]! >= s.trigramCount) fail('trigram id out of range');
		for (const d of s.emptyDocs) if (d >= n || s.docOff[d + 1] !== s.docOff[d]) fail('empty variants');
		yield;
		// The ids of the trigram table: each below trigramCount, each once.
		const seen = new Uint8Array(s.trigramCount);
		let known = 0;
		const take = (id: number): void => {
			if (!Number.isInteger(id) || id < 0 || id >= s.trigramCount || seen[id]) fail('trigram table');
			seen[id] = 1;
			known++;
		};
		for (let key = 0; key < s.asciiIds.length; key++) if (s.asciiIds[key]! >= 0) take(s.asciiIds[key]!);
		for (const [, id] of s.otherIds) take(id);
		if (known !== s.trigramCount) fail('trigram table');
		for (let d = 0; d < n; d++) {
			if (typeof s.ids[d] !== 'string' || typeof s.texts[d] !== 'string') fail('ids and texts');
			index.ids.push(s.ids[d]!);
			index.texts.push(s.texts[d]!);
		}
		index.asciiIds.set(s.asciiIds);
		for (const [key, id] of s.otherIds) index.otherIds.set(key, id);
		index.trigramCount = s.trigramCount;
		index.docTrig.a = s.docTrig.slice();
		index.docTrig.n = s.docTrig.length;
		index.docOff.a = s.docOff.slice();
		index.docOff.n = s.docOff.length;
		for (const d of s.emptyDocs) index.emptyDocs.push(d);
		index.stamp = new Uint32Array(Math.max(1024, s.trigramCount));
		index.hasVec = new Uint8Array(Math.max(1024, n));
		index.hasVec.set(s.hasVec);
		index.nonzeros = s.nonzeros;
		yield;
		if (s.dims !== null) {
			const dims = s.dims;
			if (!Number.isInteger(dims) || dims <= 0 || !s.values) fail('vectors');
			const store = new VectorStore(dims, index.simd);
			store.reserveFor(n);
			if (s.nzDims && s.nzOff) {
				const { nzDims, nzOff, values } = s;
				if (nzOff.length !== n + 1 || nzOff[0] !== 0 || nzOff[n] !== nzDims.length || values!.length !== nzDims.length) fail('sparse vectors');
				const negatives = s.negativeZeros ?? new Uint32Array(0);
				let neg = 0;
				// Zero rows in one fill, then only the nonzero components (and −0s) written: O(nonzeros).
				store.appendZeros(n);
				const data = store.data;
				const stride = store.stride;
				yield;
				for (let from = 0; from < n; from += BUILD_DOCS) {
					for (let d = from, end = Math.min(n, from + BUILD_DOCS); d < end; d++) {
						const base = d * stride;
						if (nzOff[d + 1]! < nzOff[d]!) fail('sparse vectors');
						for (let k = nzOff[d]!; k < nzOff[d + 1]!; k++) {
							if (nzDims[k]! >= dims || values![k] === 0) fail('sparse vectors');
							data[base + nzDims[k]!] = values![k]!;
						}
						for (; neg + 1 < negatives.length && negatives[neg] === d; neg += 2) {
							if (negatives[neg + 1]! >= dims) fail('sparse vectors');
							data[base + negatives[neg + 1]!] = -0;
						}
					}
					yield;
				}
				if (neg !== negatives.length) fail('sparse vectors');
				index.nzDims = new U32();
				index.nzDims.a = nzDims.slice();
				index.nzDims.n = nzDims.length;
				index.nzOff = new U32();
				index.nzOff.a = nzOff.slice();
				index.nzOff.n = nzOff.length;
			} else {
				const values = s.values!;
				if (values.length !== n * dims) fail('dense vectors');
				for (let from = 0; from < n; from += BUILD_DOCS) {
					for (let d = from, end = Math.min(n, from + BUILD_DOCS); d < end; d++) store.append(values.subarray(d * dims, (d + 1) * dims));
					yield;
				}
			}
			index.dims = dims;
			index.store = store;
		} else if (s.values || s.nzDims || s.nonzeros !== 0) {
			fail('vectors without dimensions');
		}
		return index;
	}

	/** `fromStateSteps`, letting the event loop in every `sliceMs`. */
	static fromStateAsync(state: NoveltyIndexState, options: NoveltyIndexOptions = {}, sliceMs: number = DEFAULT_SLICE_MS): Promise<NoveltyIndex> {
		return runStepsAsync(NoveltyIndex.fromStateSteps(state, options), sliceMs);
	}

	/** `exportStateSteps`, letting the event loop in every `sliceMs` (the index is busy meanwhile). */
	exportStateAsync(sliceMs: number = DEFAULT_SLICE_MS): Promise<NoveltyIndexState> {
		return this.inSlices(this.exportStateSteps(), sliceMs);
	}

	/** Adds past variants. Vectors must all have the same length. */
	add(variants: Iterable<PastVariant>): this {
		this.idle();
		return runSteps(this.addSteps(variants));
	}

	/**
	 * `add`, letting the event loop in every `sliceMs` (10 ms by default):
	 * the same index in the end. Do not use the index in other ways until it
	 * settles (other calls throw meanwhile).
	 */
	addAsync(variants: Iterable<PastVariant>, sliceMs: number = DEFAULT_SLICE_MS): Promise<this> {
		return this.inSlices(this.addSteps(variants), sliceMs);
	}

	/** Builds the postings now (a check builds them otherwise), letting the event loop in every `sliceMs`. */
	buildAsync(sliceMs: number = DEFAULT_SLICE_MS): Promise<void> {
		return this.inSlices(this.buildSteps(), sliceMs);
	}

	/**
	 * `check`, letting the event loop in every `sliceMs` (between steps of
	 * the build and between candidates): the same results.
	 */
	checkAsync(candidates: readonly CandidateVariant[], thresholds: NoveltyThresholdsInput | NoveltyThresholds = {}, sliceMs: number = DEFAULT_SLICE_MS): Promise<NoveltyResult[]> {
		return this.inSlices(this.checkSteps(candidates, thresholds), sliceMs);
	}

	/** An async operation in progress (`addAsync`, `buildAsync`, `checkAsync`): the index is not to be used meanwhile. */
	private busy = false;

	private idle(): void {
		if (this.busy) throw new Error('NoveltyIndex: an asynchronous add, build or check is in progress on this index; wait for it before using the index.');
	}

	private async inSlices<T>(steps: Steps<T>, sliceMs: number): Promise<T> {
		this.idle();
		this.busy = true;
		try {
			return await runStepsAsync(steps, sliceMs);
		} finally {
			this.busy = false;
		}
	}

	private *addSteps(variants: Iterable<PastVariant>): Steps<this> {
		const total = Array.isArray(variants) ? variants.length : 0;
		let reserved = total === 0;
		let k = 0;
		for (const v of variants) {
			this.addOne(v);
			k++;
			if (!reserved && this.store) {
				// Room for the rest of the vectors in one step (see `reserveFor`).
				this.store.reserveFor(this.store.n + total - k);
				reserved = true;
			}
			if ((k & (ADD_STEP - 1)) === 0) yield;
		}
		return this;
	}

	private addOne(v: PastVariant): void {
		const doc = this.ids.length;
		// The vector first: a refused one (length, non-finite) leaves the index as it was.
		let nz = -1;
		if (v.vector) {
			this.checkVector(v.vector, doc);
			nz = this.appendVector(v.vector);
		} else if (this.store) {
			this.store.append(null);
			this.nzOff?.push(this.nzDims!.n);
		}
		this.built = false;
		this.ids.push(v.id);
		this.texts.push(v.text);
		if (this.docTrigramIds(v.text) === 0) this.emptyDocs.push(doc);
		if (this.hasVec.length <= doc) {
			const h = new Uint8Array(this.hasVec.length * 2);
			h.set(this.hasVec);
			this.hasVec = h;
		}
		if (nz >= 0) {
			this.nonzeros += nz;
			this.hasVec[doc] = nz > 0 ? 3 : 1;
		}
	}

	/**
	 * Appends a variant's unit vector; returns its nonzero count. While the
	 * index is sparse it also records which dimensions are nonzero, so the
	 * dimension postings are built from those instead of a scan of every
	 * stored component (and stops, for good, once it is not).
	 */
	private appendVector(vector: Float32Array): number {
		const store = this.store!;
		const rec = this.nzDims;
		if (!rec) return store.appendNormalized(vector);
		if (rec.a.length < rec.n + store.dims) rec.grow(rec.n + store.dims);
		const nz = store.appendNormalized(vector, rec.a, rec.n);
		if (this.nonzeros + nz > this.sparseBelow * store.n * store.dims) {
			this.nzDims = null;
			this.nzOff = null;
		} else {
			rec.n += nz;
			this.nzOff!.push(rec.n);
		}
		return nz;
	}

	/** Grows the per-trigram stamp array to the trigram count. */
	private stampCapacity(): void {
		if (this.stamp.length >= this.trigramCount) return;
		const grown = new Uint32Array(Math.max(this.trigramCount, this.stamp.length * 2));
		grown.set(this.stamp);
		this.stamp = grown;
	}

	/**
	 * Appends the distinct trigram ids of a past variant's text to `docTrig`
	 * (new trigrams get new ids) and closes its `docOff` entry; returns how
	 * many. ASCII text (nearly all copy) goes through `asciiTrigramKeys` into
	 * a reused buffer and repeats are dropped with a per-trigram stamp: no
	 * string, array, Set or sort per text. Other text takes
	 * `eachTrigramKey(words(text))`. The keys, and so the ids, are the same
	 * either way, in the same order.
	 */
	private docTrigramIds(text: string): number {
		const docTrig = this.docTrig;
		const start = docTrig.n;
		const stamp = ++this.stampNow;
		const need = ASCII_KEYS_PER_CHAR * text.length + 1;
		if (this.keys.length < need) this.keys = new Uint32Array(Math.max(need, this.keys.length * 2));
		const keys = this.keys;
		const n = asciiTrigramKeys(text, keys);
		if (n >= 0) {
			if (docTrig.a.length < start + n) docTrig.grow(start + n);
			const asciiIds = this.asciiIds;
			let st = this.stamp;
			const a = docTrig.a;
			let k = start;
			for (let i = 0; i < n; i++) {
				const key = keys[i]!;
				let id = asciiIds[key]!;
				if (id < 0) {
					id = this.trigramCount++;
					asciiIds[key] = id;
					if (id >= st.length) {
						this.stampCapacity();
						st = this.stamp;
					}
				}
				if (st[id] === stamp) continue;
				st[id] = stamp;
				a[k++] = id;
			}
			docTrig.n = k;
		} else {
			const take = (key: number | string): void => {
				let id = typeof key === 'number' ? this.asciiIds[key]! : (this.otherIds.get(key) ?? -1);
				if (id < 0) {
					id = this.trigramCount++;
					if (typeof key === 'number') this.asciiIds[key] = id;
					else this.otherIds.set(key, id);
					this.stampCapacity();
				}
				if (this.stamp[id] === stamp) return;
				this.stamp[id] = stamp;
				if (docTrig.n === docTrig.a.length) docTrig.grow(docTrig.n + 1);
				docTrig.a[docTrig.n++] = id;
			};
			eachTrigramKey(words(text), take);
		}
		const m = docTrig.n - start;
		this.docOff.push(docTrig.n);
		if (this.stampNow === 0xffffffff) {
			this.stamp.fill(0);
			this.stampNow = 0;
		}
		return m;
	}

	/**
	 * Distinct trigram ids of a candidate's text that the index knows,
	 * ascending, and the number of distinct trigrams (known or not).
	 */
	private queryTrigramIds(text: string): { ids: Uint32Array; size: number } {
		const raw: number[] = [];
		const unknown = new Set<number | string>();
		eachTrigramKey(words(text), (key) => {
			const id = typeof key === 'number' ? this.asciiIds[key]! : (this.otherIds.get(key) ?? -1);
			if (id < 0) unknown.add(key);
			else raw.push(id);
		});
		const sorted = Uint32Array.from(raw).sort();
		let m = 0;
		for (let i = 0; i < sorted.length; i++) if (i === 0 || sorted[i] !== sorted[i - 1]) sorted[m++] = sorted[i]!;
		return { ids: sorted.slice(0, m), size: m + unknown.size };
	}

	/** Checks a past variant's vector length; the first vector fixes it and creates the store. */
	private checkVector(v: Float32Array, doc: number): void {
		if (this.dims === null) {
			if (v.length === 0) throw new VectorFormatError('A vector must have at least one dimension.');
			const store = new VectorStore(v.length, this.simd);
			// Earlier variants had no vector: give them zero rows.
			for (let d = 0; d < doc; d++) store.append(null);
			this.dims = v.length;
			this.store = store;
			this.nzDims = new U32();
			this.nzOff = new U32();
			for (let d = 0; d <= doc; d++) this.nzOff.push(0);
		}
		if (v.length !== this.dims) throw new VectorFormatError(`Vector has ${v.length} dimensions, the index holds ${this.dims}.`);
	}

	private ensureBuilt(): void {
		this.idle();
		if (!this.built) runSteps(this.buildSteps());
	}

	private *buildSteps(): Steps<void> {
		if (this.built) return;
		const n = this.ids.length;
		const dims = this.dims ?? 0;
		const sparse = dims > 0 && this.nonzeros < this.sparseBelow * n * dims;
		// A few variants added since the last full build (at most 1/16 of it, or 1,024): delta postings only.
		if (this.baseN > 0 && sparse === this.sparse && n - this.baseN <= Math.max(1024, this.baseN >> 4)) this.buildDelta();
		else yield* this.buildBaseSteps(sparse);
		this.counts = new Uint16Array(n);
		this.acc = new Float64Array(n);
		this.isEmpty = new Uint8Array(n);
		for (const d of this.emptyDocs) this.isEmpty[d] = 1;
		this.built = true;
	}

	/** Postings of every variant; the delta postings become empty. Pauses every `BUILD_DOCS` variants (or `BUILD_ENTRIES` postings). */
	private *buildBaseSteps(sparse: boolean): Steps<void> {
		const n = this.ids.length;
		const docTrig = this.docTrig.view();
		const docOff = this.docOff.view();
		const T = this.trigramCount;
		// Trigram postings (CSR) by counting sort.
		const postOff = new Uint32Array(T + 1);
		for (let from = 0; from < docTrig.length; from += BUILD_ENTRIES) {
			for (let i = from, end = Math.min(docTrig.length, from + BUILD_ENTRIES); i < end; i++) postOff[docTrig[i]! + 1]!++;
			yield;
		}
		for (let t = 0; t < T; t++) postOff[t + 1]! += postOff[t]!;
		const fill = postOff.slice(0, T);
		const postDocs = new Uint32Array(docTrig.length);
		for (let from = 0; from < n; from += BUILD_DOCS) {
			for (let d = from, end = Math.min(n, from + BUILD_DOCS); d < end; d++) for (let k = docOff[d]!; k < docOff[d + 1]!; k++) postDocs[fill[docTrig[k]!]!++] = d;
			yield;
		}
		this.postOff = postOff;
		this.postDocs = postDocs;
		// Vector postings when sparse.
		const dims = this.dims ?? 0;
		this.sparse = sparse;
		if (this.sparse) {
			const vecs = this.store!.data;
			const stride = this.store!.stride;
			let dimOff = new Uint32Array(dims + 1);
			const at = new Uint32Array(dims);
			let dimDocs: Uint32Array<ArrayBuffer>;
			let dimVals: Float32Array<ArrayBuffer>;
			if (this.nzDims && this.nzOff) {
				// From the recorded nonzero dimensions: O(nonzeros), not O(n · dims).
				const nzDims = this.nzDims.view();
				const nzOff = this.nzOff.view();
				for (let from = 0; from < nzDims.length; from += BUILD_ENTRIES) {
					for (let k = from, end = Math.min(nzDims.length, from + BUILD_ENTRIES); k < end; k++) dimOff[nzDims[k]! + 1]!++;
					yield;
				}
				for (let i = 0; i < dims; i++) dimOff[i + 1]! += dimOff[i]!;
				at.set(dimOff.subarray(0, dims));
				dimDocs = new Uint32Array(dimOff[dims]!);
				dimVals = new Float32Array(dimOff[dims]!);
				yield;
				for (let from = 0; from < n; from += BUILD_DOCS) {
					for (let d = from, end = Math.min(n, from + BUILD_DOCS); d < end; d++) {
						const base = d * stride;
						for (let k = nzOff[d]!, end = nzOff[d + 1]!; k < end; k++) {
							const i = nzDims[k]!;
							dimDocs[at[i]!] = d;
							dimVals[at[i]!++] = vecs[base + i]!;
						}
					}
					yield;
				}
			} else {
				[dimOff, dimDocs, dimVals] = yield* scanDimPostingsSteps(vecs, stride, dims, 0, n);
			}
			this.dimOff = dimOff;
			this.dimDocs = dimDocs;
			this.dimVals = dimVals;
		} else {
			this.dimOff = new Uint32Array(0);
			this.dimDocs = new Uint32Array(0);
			this.dimVals = new Float32Array(0);
		}
		this.baseN = n;
		this.baseT = T;
		this.dPostOff = new Uint32Array(T + 1);
		this.dPostDocs = new Uint32Array(0);
		this.dDimOff = new Uint32Array(dims + 1);
		this.dDimDocs = new Uint32Array(0);
		this.dDimVals = new Float32Array(0);
	}

	/** Delta postings of the variants added since the last full build; the base postings stay. */
	private buildDelta(): void {
		const n = this.ids.length;
		const from = this.baseN;
		const docTrig = this.docTrig.view();
		const docOff = this.docOff.view();
		const T = this.trigramCount;
		const dOff = new Uint32Array(T + 1);
		for (let k = docOff[from]!; k < docOff[n]!; k++) dOff[docTrig[k]! + 1]!++;
		for (let t = 0; t < T; t++) dOff[t + 1]! += dOff[t]!;
		const fill = dOff.slice(0, T);
		const dDocs = new Uint32Array(docOff[n]! - docOff[from]!);
		for (let d = from; d < n; d++) for (let k = docOff[d]!; k < docOff[d + 1]!; k++) dDocs[fill[docTrig[k]!]!++] = d;
		this.dPostOff = dOff;
		this.dPostDocs = dDocs;
		if (this.sparse) [this.dDimOff, this.dDimDocs, this.dDimVals] = scanDimPostings(this.store!.data, this.store!.stride, this.dims!, from, n);
	}

	private prepare(c: CandidateVariant): Query {
		const { ids: known, size } = this.queryTrigramIds(c.text);
		let vector: Float32Array | null = null;
		const nz: number[] = [];
		// Candidate vectors are kept even when no past variant has one: the batch is compared with itself too.
		if (c.vector) {
			if (this.dims !== null && c.vector.length !== this.dims) throw new VectorFormatError(`Candidate vector has ${c.vector.length} dimensions, the index holds ${this.dims}.`);
			vector = normalizeVector(c.vector);
			for (let i = 0; i < vector.length; i++) if (vector[i] !== 0) nz.push(i);
		}
		return { size, known, vector, nz: Uint32Array.from(nz) };
	}

	private prepareAll(candidates: readonly CandidateVariant[]): Query[] {
		const queries = candidates.map((c) => this.prepare(c));
		const lengths = new Set(queries.flatMap((q) => (q.vector ? [q.vector.length] : [])));
		if (lengths.size > 1) throw new VectorFormatError(`Candidate vectors have different dimensions (${[...lengths].join(', ')}).`);
		return queries;
	}

	/**
	 * Checks candidates against every past variant and against the earlier
	 * candidates of the same batch. Exact: same results as `bruteForce`.
	 */
	check(candidates: readonly CandidateVariant[], thresholds: NoveltyThresholdsInput | NoveltyThresholds = {}): NoveltyResult[] {
		this.idle();
		return runSteps(this.checkSteps(candidates, thresholds));
	}

	/** `check` in steps: the build's, then one per candidate (the dense filter's float32 scan per group of 4 candidates, as the kernel takes them). */
	private *checkSteps(candidates: readonly CandidateVariant[], thresholds: NoveltyThresholdsInput | NoveltyThresholds): Steps<NoveltyResult[]> {
		const t = resolveThresholds(thresholds);
		yield* this.buildSteps();
		const queries = this.prepareAll(candidates);
		const store = this.store;
		const stats: NoveltyCheckStats = { semantic: store === null ? 'none' : this.sparse ? 'sparse' : 'dense', kernel: null, pairs: 0, exactDots: 0 };
		const withVector = store ? queries.filter((q) => q.vector).length : 0;
		stats.pairs = withVector * (store ? this.vectorCount() : 0);
		const pastBest: Array<Scored | null> = new Array<Scored | null>(queries.length).fill(null);
		if (store && !this.sparse && withVector > 0) {
			// Candidates with a vector, 4 at a time (the kernel's group): each one's scores are the same whatever the others are.
			const order = queries.flatMap((q, i) => (q.vector ? [i] : []));
			for (let g = 0; g < order.length; g += DENSE_GROUP) {
				const group = order.slice(g, g + DENSE_GROUP);
				const vectors = group.map((i) => queries[i]!.vector!);
				const approx = stats.kernel === 'js' ? null : store.approxScores(vectors);
				if (approx) {
					stats.kernel = 'simd';
					for (let k = 0; k < group.length; k++) pastBest[group[k]!] = yield* this.searchFiltered(queries[group[k]!]!, t, approx[k]!, stats);
				} else {
					// No SIMD (or its memory is full): the exact scan of every pair (the same scores the filter completes).
					if (stats.kernel === null) stats.kernel = 'js';
					stats.exactDots += group.length * this.vectorCount();
					const exact = store.exactScores(vectors);
					for (let k = 0; k < group.length; k++) pastBest[group[k]!] = yield* this.searchOne(queries[group[k]!]!, t, exact[k]!);
				}
				yield;
			}
			for (let i = 0; i < queries.length; i++) if (!queries[i]!.vector) pastBest[i] = yield* this.searchOne(queries[i]!, t, null);
		} else {
			for (let i = 0; i < queries.length; i++) {
				pastBest[i] = yield* this.searchOne(queries[i]!, t, null);
				yield;
			}
		}
		this.stats = stats;
		return yield* this.finishSteps(candidates, queries, pastBest, t);
	}

	/** Reference implementation: every candidate against every past variant, no index. */
	bruteForce(candidates: readonly CandidateVariant[], thresholds: NoveltyThresholdsInput | NoveltyThresholds = {}): NoveltyResult[] {
		const t = resolveThresholds(thresholds);
		this.ensureBuilt();
		const queries = this.prepareAll(candidates);
		const docTrig = this.docTrig.view();
		const docOff = this.docOff.view();
		const dims = this.dims ?? 0;
		const data = this.store?.data ?? new Float32Array(0);
		const stride = this.store?.stride ?? 0;
		const inQuery = new Uint8Array(this.trigramCount);
		const pastBest = queries.map((q) => {
			for (const id of q.known) inQuery[id] = 1;
			let best: Scored | null = null;
			for (let d = 0; d < this.ids.length; d++) {
				// |T(q) ∩ T(p)|: T(p)'s distinct ids that are among the candidate's.
				let inter = 0;
				for (let k = docOff[d]!; k < docOff[d + 1]!; k++) inter += inQuery[docTrig[k]!]!;
				const lex = jaccardFromCounts(inter, q.size, docOff[d + 1]! - docOff[d]!);
				const sem = q.vector && this.hasVec[d] ? exactDot(q.vector, data, d * stride, dims) : null;
				best = better(best, d, lex, sem, t);
			}
			for (const id of q.known) inQuery[id] = 0;
			return best;
		});
		return this.finish(candidates, queries, pastBest, t);
	}

	private vectorCount(): number {
		let n = 0;
		for (let d = 0; d < this.ids.length; d++) if (this.hasVec[d]) n++;
		return n;
	}

	/**
	 * |T(q) ∩ T(p)| for every variant p, through the trigram postings. Into a
	 * reused Uint16Array (half the cache footprint of 32-bit counts), unless
	 * the candidate has more than 65,535 known trigrams.
	 */
	private countShared(q: Query): Uint16Array | Uint32Array {
		const { postOff, postDocs, baseT, dPostOff, dPostDocs } = this;
		const known = q.known;
		const counts = known.length <= 0xffff ? this.counts.fill(0) : new Uint32Array(this.ids.length);
		for (let k = 0; k < known.length; k++) {
			const tri = known[k]!;
			if (tri < baseT) {
				const end = postOff[tri + 1]!;
				for (let p = postOff[tri]!; p < end; p++) counts[postDocs[p]!]!++;
			}
			const end = dPostOff[tri + 1]!;
			for (let p = dPostOff[tri]!; p < end; p++) counts[dPostDocs[p]!]!++;
		}
		return counts;
	}

	/** Best past variant when every semantic score is known exactly (`dense`, or the sparse postings) or absent. */
	private *searchOne(q: Query, t: NoveltyThresholds, dense: Float64Array | null): Steps<Scored | null> {
		const n = this.ids.length;
		const { acc, hasVec, isEmpty } = this;
		const counts = this.countShared(q);
		// Semantic: q·p for every variant, through the dimension postings
		// (ascending dimensions, as `exactDot` sums) or the dense scores.
		let sem: Float64Array | null = dense;
		if (q.vector && this.sparse) {
			acc.fill(0);
			// A variant is in the base or the delta postings, never both: its terms still add in ascending dimensions.
			const { dimOff, dimDocs, dimVals, dDimOff, dDimDocs, dDimVals } = this;
			for (let k = 0; k < q.nz.length; k++) {
				const i = q.nz[k]!;
				const qv = q.vector[i]!;
				const end = dimOff[i + 1]!;
				for (let p = dimOff[i]!; p < end; p++) acc[dimDocs[p]!]! += qv * dimVals[p]!;
				const dEnd = dDimOff[i + 1]!;
				for (let p = dDimOff[i]!; p < dEnd; p++) acc[dDimDocs[p]!]! += qv * dDimVals[p]!;
			}
			sem = acc;
		}
		const qEmpty = q.size === 0;
		const docOff = this.docOff.view();
		let best: Scored | null = null;
		yield;
		for (let d = 0; d < n; d++) {
			if ((d & SCAN_MASK) === SCAN_MASK) yield;
			const c = counts[d]!;
			const s = sem !== null && hasVec[d] ? sem[d]! : null;
			// Shares no trigram and no positive semantic score: closeness 0, never the nearest.
			if (c === 0 && (s === null || s <= 0) && !(qEmpty && isEmpty[d])) continue;
			best = better(best, d, jaccardFromCounts(c, q.size, docOff[d + 1]! - docOff[d]!), s, t);
		}
		return best;
	}

	/**
	 * Best past variant from float32 approximations of the semantic scores,
	 * each within ±`approxError` of the exact one (dense.ts). Exact all the
	 * same: ordering pairs by `better` is monotone in the semantic score, so
	 * 1. a variant's key (verdict level, closeness) at approx − error is a
	 *    lower bound of its exact key, and so is its lexical-only key; the
	 *    highest of these, `floor`, is at most the exact key of the true
	 *    nearest;
	 * 2. in ascending order, a variant whose key at approx + error is below
	 *    `floor`, or not above the best exact key found so far, can neither be
	 *    the nearest nor displace it (ties go to the earlier variant): skip;
	 *    every other one gets its exact score and goes through `better`, as in
	 *    the brute force.
	 * Variants with closeness 0 even at the upper bound are skipped as in
	 * `searchOne`: they are never the nearest.
	 */
	private *searchFiltered(q: Query, t: NoveltyThresholds, approx: Float32Array, stats: NoveltyCheckStats): Steps<Scored | null> {
		const n = this.ids.length;
		const { hasVec, isEmpty } = this;
		const store = this.store!;
		const counts = this.countShared(q);
		const size = q.size;
		const qEmpty = size === 0;
		const docOff = this.docOff.view();
		const err = q.nz.length > 0 ? approxError(store.dims) : 0;
		// 1. Floor: a key (level, closeness) that the true nearest is sure to
		//    reach. A pair's key is at least its lexical-only key and at least
		//    its semantic-only key at approx − error (level and closeness are
		//    maxima over the two, and grow with each score), so the larger of
		//    the key of the highest lexical score and the key of the highest
		//    approximation minus the error bound is one.
		let maxLexical = 0;
		let top = -Infinity;
		yield;
		for (let d = 0; d < n; d++) {
			if ((d & SCAN_MASK) === SCAN_MASK) yield;
			const c = counts[d]!;
			if (c !== 0 || (qEmpty && isEmpty[d] === 1)) {
				const l = jaccardFromCounts(c, size, docOff[d + 1]! - docOff[d]!);
				if (l > maxLexical) maxLexical = l;
			}
			if (hasVec[d]! & 2 && approx[d]! > top) top = approx[d]!;
		}
		let floorLevel = pairLevel(maxLexical, null, t);
		let floorCloseness = closeness(maxLexical, null, t);
		if (top > -Infinity) {
			const level = pairLevel(0, top - err, t);
			const cl = closeness(0, top - err, t);
			if (level > floorLevel || (level === floorLevel && cl > floorCloseness)) {
				floorLevel = level;
				floorCloseness = cl;
			}
		}
		// 2. Exact scores where the upper bound can still reach the floor and
		//    beat the best so far. A prefilter first (`Cuts`): most variants are
		//    passed over with a comparison or two.
		const cuts = new Cuts(floorLevel, floorCloseness, t, err);
		const zeroCut = cuts.zero;
		const data = store.data;
		const { stride, dims } = store;
		const vector = q.vector!;
		let best: Scored | null = null;
		let exactDots = 0;
		for (let d = 0; d < n; d++) {
			if ((d & SCAN_MASK) === SCAN_MASK) yield;
			const h = hasVec[d]!;
			const c = counts[d]!;
			let l = 0;
			if (c === 0 && !(qEmpty && isEmpty[d] === 1)) {
				if (!(h & 2) || approx[d]! < zeroCut) continue;
			} else {
				l = jaccardFromCounts(c, size, docOff[d + 1]! - docOff[d]!);
				if (!cuts.mayReach(l, h & 2 ? approx[d]! : null)) continue;
			}
			const hi = h === 0 ? null : h & 2 ? approx[d]! + err : 0;
			const level = pairLevel(l, hi, t);
			const cl = closeness(l, hi, t);
			if (cl <= 0 || level < floorLevel || (level === floorLevel && cl < floorCloseness)) continue;
			if (best && (best.level > level || (best.level === level && best.closeness >= cl))) continue;
			let s: number | null = null;
			if (h !== 0) {
				s = exactDot(vector, data, d * stride, dims);
				exactDots++;
			}
			best = better(best, d, l, s, t);
		}
		stats.exactDots += exactDots;
		return best;
	}

	private finish(candidates: readonly CandidateVariant[], queries: Query[], pastBest: Array<Scored | null>, t: NoveltyThresholds): NoveltyResult[] {
		return runSteps(this.finishSteps(candidates, queries, pastBest, t));
	}

	/** The results, one step per candidate (its batch comparison with the earlier ones). */
	private *finishSteps(candidates: readonly CandidateVariant[], queries: Query[], pastBest: Array<Scored | null>, t: NoveltyThresholds): Steps<NoveltyResult[]> {
		const sets: Array<Set<string>> = [];
		for (const c of candidates) sets.push(trigrams(c.text));
		const out: NoveltyResult[] = [];
		for (let i = 0; i < candidates.length; i++) {
			yield;
			out.push(this.result(candidates[i]!, i, queries, pastBest, sets, t));
		}
		return out;
	}

	private result(c: CandidateVariant, i: number, queries: Query[], pastBest: Array<Scored | null>, sets: Array<Set<string>>, t: NoveltyThresholds): NoveltyResult {
		const pb = pastBest[i] ?? null;
		const nearest: PastMatch | null = pb && pb.closeness > 0 ? { id: this.ids[pb.doc]!, text: this.texts[pb.doc]!, lexical: pb.lexical, semantic: pb.semantic, verdict: VERDICTS[pb.level]! } : null;
		// Batch: brute force over earlier candidates (batches are small).
		let bb: Scored | null = null;
		for (let j = 0; j < i; j++) {
			const lex = jaccardSets(sets[i]!, sets[j]!);
			const qi = queries[i]!.vector;
			const qj = queries[j]!.vector;
			const sem = qi && qj ? exactDot(qi, qj, 0, qi.length) : null;
			bb = better(bb, j, lex, sem, t);
		}
		const batch: BatchMatch | null = bb && bb.closeness > 0 ? { index: bb.doc, lexical: bb.lexical, semantic: bb.semantic, verdict: VERDICTS[bb.level]! } : null;
		const level = Math.max(nearest ? verdictLevel(nearest.verdict) : 0, batch ? verdictLevel(batch.verdict) : 0);
		const verdict = VERDICTS[level]!;
		return { index: i, verdict, nearest, batch, reason: explain(verdict, nearest, batch, t, c.text) };
	}
}

interface Scored {
	doc: number;
	level: number;
	closeness: number;
	lexical: number;
	semantic: number | null;
}

/** Keeps the better of the current best and variant `doc` (worse verdict, then higher closeness, then earlier). */
function better(best: Scored | null, doc: number, lexical: number, semantic: number | null, t: NoveltyThresholds): Scored | null {
	const level = pairLevel(lexical, semantic, t);
	const c = closeness(lexical, semantic, t);
	if (best && (best.level > level || (best.level === level && best.closeness >= c))) return best;
	return { doc, level, closeness: c, lexical, semantic };
}

/**
 * Prefilter of `searchFiltered`'s second pass: whether a variant with
 * lexical score `l` and approximate semantic score `approx` (null: no
 * nonzero vector, so semantic null or exactly 0) can have a key (level,
 * closeness) at or above the floor (F, fc) at its upper bound approx + err.
 * Only a necessary condition (false means it cannot); the full comparison
 * follows for the rest. With level = max(lexical level, semantic level) and
 * closeness = max(l / L.near, s / S.near):
 * - lexical level > F, or = F with l / L.near ≥ fc: the lexical part alone
 *   may reach the floor: maybe;
 * - lexical level = F otherwise: it needs semantic level > F or
 *   s / S.near ≥ fc, so s ≥ min(T[F + 1], fc · S.near);
 * - lexical level < F: it needs semantic level ≥ F, so s ≥ T[F], and with
 *   l = 0 the closeness must come from s too: s ≥ min(T[F + 1],
 *   max(T[F], fc · S.near)).
 * T = semantic thresholds by level (−∞, near, duplicate, +∞). The products
 * are lowered by a relative 2⁻⁴⁰ and the cuts by err + 2⁻⁴⁰, more than the
 * rounding of the divisions and of approx + err.
 */
class Cuts {
	private readonly lexNear: number;
	private readonly lexDup: number;
	/** Cuts on approx when the lexical level is F (l > 0), below F (l > 0), and when l = 0. */
	private readonly atLevel: number;
	private readonly below: number;
	readonly zero: number;

	constructor(
		private readonly floorLevel: number,
		private readonly floorCloseness: number,
		t: NoveltyThresholds,
		err: number,
	) {
		const T = [-Infinity, t.semantic.nearDuplicate, t.semantic.duplicate, Infinity];
		const byCloseness = floorCloseness * t.semantic.nearDuplicate * (1 - 2 ** -40);
		const margin = err + 2 ** -40;
		this.lexNear = t.lexical.nearDuplicate;
		this.lexDup = t.lexical.duplicate;
		this.atLevel = Math.min(T[floorLevel + 1]!, byCloseness) - margin;
		this.below = T[floorLevel]! - margin;
		this.zero = Math.min(T[floorLevel + 1]!, Math.max(T[floorLevel]!, byCloseness)) - margin;
	}

	mayReach(l: number, approx: number | null): boolean {
		const lexLevel = l >= this.lexDup ? 2 : l >= this.lexNear ? 1 : 0;
		if (lexLevel > this.floorLevel) return true;
		if (lexLevel === this.floorLevel) {
			if (l / this.lexNear >= this.floorCloseness) return true;
			return approx !== null && approx >= (l === 0 ? this.zero : this.atLevel);
		}
		return approx !== null && approx >= (l === 0 ? this.zero : this.below);
	}
}

/** Dimension postings (CSR: offsets, variants, values) of the stored vectors of variants [from, to), by a scan of their components. */
function scanDimPostings(vecs: Float32Array, stride: number, dims: number, from: number, to: number): [Uint32Array<ArrayBuffer>, Uint32Array<ArrayBuffer>, Float32Array<ArrayBuffer>] {
	return runSteps(scanDimPostingsSteps(vecs, stride, dims, from, to));
}

function* scanDimPostingsSteps(vecs: Float32Array, stride: number, dims: number, from: number, to: number): Steps<[Uint32Array<ArrayBuffer>, Uint32Array<ArrayBuffer>, Float32Array<ArrayBuffer>]> {
	const docs = Math.max(1, Math.floor(BUILD_ENTRIES / Math.max(1, dims)));
	const dimOff = new Uint32Array(dims + 1);
	for (let start = from; start < to; start += docs) {
		for (let d = start, end = Math.min(to, start + docs); d < end; d++) {
			const base = d * stride;
			for (let i = 0; i < dims; i++) if (vecs[base + i] !== 0) dimOff[i + 1]!++;
		}
		yield;
	}
	for (let i = 0; i < dims; i++) dimOff[i + 1]! += dimOff[i]!;
	const at = dimOff.slice(0, dims);
	const dimDocs = new Uint32Array(dimOff[dims]!);
	const dimVals = new Float32Array(dimOff[dims]!);
	for (let start = from; start < to; start += docs) {
		for (let d = start, end = Math.min(to, start + docs); d < end; d++) {
			const base = d * stride;
			for (let i = 0; i < dims; i++) {
				const x = vecs[base + i]!;
				if (x !== 0) {
					dimDocs[at[i]!] = d;
					dimVals[at[i]!++] = x;
				}
			}
		}
		yield;
	}
	return [dimOff, dimDocs, dimVals];
}

function jaccardFromCounts(inter: number, a: number, b: number): number {
	if (a === 0 && b === 0) return 1;
	return inter / (a + b - inter);
}

function jaccardSets(a: Set<string>, b: Set<string>): number {
	let inter = 0;
	for (const x of a) if (b.has(x)) inter++;
	return jaccardFromCounts(inter, a.size, b.size);
}

const fmt = (x: number): string => x.toFixed(2);

function explain(verdict: Verdict, nearest: PastMatch | null, batch: BatchMatch | null, t: NoveltyThresholds, text: string): string {
	if (!normalizeText(text)) return 'Empty copy: nothing to compare.';
	const scores = (m: { lexical: number; semantic: number | null }): string => `lexical ${fmt(m.lexical)}${m.semantic === null ? '' : `, semantic ${fmt(m.semantic)}`}`;
	const limits = (v: Verdict): string => {
		const k = v === 'duplicate' ? 'duplicate' : 'nearDuplicate';
		return `thresholds lexical ${t.lexical[k]}, semantic ${t.semantic[k]}`;
	};
	const label = verdict === 'duplicate' ? 'Duplicate' : 'Near-duplicate';
	if (verdict !== 'novel') {
		if (nearest && nearest.verdict === verdict) return `${label} of past variant ${nearest.id} (${scores(nearest)}; ${limits(verdict)}).`;
		if (batch) return `${label} of candidate #${batch.index + 1} in this batch (${scores(batch)}; ${limits(verdict)}).`;
	}
	if (!nearest) return 'Novel: shares nothing with any past variant.';
	return `Novel: nearest past variant ${nearest.id} (${scores(nearest)}) is below the near-duplicate ${limits('near_duplicate')}.`;
}

export interface CheckNoveltyInput {
	candidates: readonly string[];
	/** Past variants with their cached vectors, if any (any model; see `vectorModel`). */
	past: ReadonlyArray<{ id: string; text: string; vector?: Float32Array | null; vectorModel?: string | null }>;
	/** Embedding model; without one only the lexical score is used. */
	embedder?: Embedder | null;
	thresholds?: NoveltyThresholdsInput;
}

export interface CheckNoveltyOutput {
	results: NoveltyResult[];
	/** Vectors computed for past variants during this call (missing or of another model): cache them. */
	computed: Array<{ id: string; vector: Float32Array; vectorModel: string }>;
	/** Candidate vectors, in order (null without an embedder), to store with the variants that are kept. */
	candidateVectors: Array<Float32Array | null>;
	model: string | null;
	/** The thresholds the verdicts used (the input over the embedder's calibrated semantic pair over the defaults). */
	thresholds: NoveltyThresholds;
}

/**
 * One call for a node: embeds what is not cached yet (past variants whose
 * vector is missing or from another model, and the candidates), builds the
 * index and checks. The caller stores `computed` so the next run embeds
 * nothing it has seen.
 */
export async function checkNovelty(input: CheckNoveltyInput): Promise<CheckNoveltyOutput> {
	return checkNoveltyWith(new NoveltyIndex(), input);
}

/**
 * `checkNovelty` on an index that may already hold past variants (a cached
 * one): `input.past` are the variants to add to it, after those it holds,
 * and the check is against all of them. With an empty index this is
 * `checkNovelty`. The embedder sees one call, for the variants of
 * `input.past` that miss a vector and the candidates, as in `checkNovelty`.
 * When it throws, `index` is unchanged; when adding a variant throws
 * (vector length), the variants before it stay added.
 */
export async function checkNoveltyWith(index: NoveltyIndex, input: CheckNoveltyInput): Promise<CheckNoveltyOutput> {
	const embedder = input.embedder ?? null;
	const thresholds = resolveThresholds(input.thresholds, embedder);
	const model = embedder?.model ?? null;
	const past = input.past.map((p) => ({ id: p.id, text: p.text, vector: embedder && p.vector && p.vectorModel === model ? p.vector : null }));
	const computed: CheckNoveltyOutput['computed'] = [];
	let candidateVectors: Array<Float32Array | null> = input.candidates.map(() => null);
	if (embedder) {
		const missing = past.filter((p) => !p.vector);
		const texts = [...missing.map((p) => p.text), ...input.candidates];
		const vectors = texts.length ? await embedder.embed(texts) : [];
		if (vectors.length !== texts.length) throw new VectorFormatError(`Embedder returned ${vectors.length} vectors for ${texts.length} texts.`);
		missing.forEach((p, i) => {
			p.vector = vectors[i]!;
			computed.push({ id: p.id, vector: vectors[i]!, vectorModel: embedder.model });
		});
		candidateVectors = vectors.slice(missing.length);
	}
	// In slices: a 100,000-variant build or check never holds the event loop for long (yield.ts).
	await index.addAsync(past);
	const results = await index.checkAsync(
		input.candidates.map((text, i) => ({ text, vector: candidateVectors[i] })),
		thresholds,
	);
	return { results, computed, candidateVectors, model, thresholds };
}
