/**
 * The novelty check of a creative run against every past variant of the
 * account, with a process-level cache of the built index.
 *
 * Building the index of 100,000 past variants (and reading them, with their
 * vectors, from the store) costs far more than checking 50 candidates
 * against it, and a run used to do both every time. `checkStoredPast` keeps
 * the index of each (store, account, platform, embedding model) in a
 * `NoveltyIndexCache` between runs of one n8n process, and on the next run
 * reads only what changed: the ids of the account's variants, the rows
 * changed since the newest change it saw, and the rows it does not hold yet,
 * which it adds to the index (`checkNoveltyWith`).
 *
 * What a run reads (the fresh build, and what the cached index must equal):
 * every `creative_variants` row of the account (on the platform, when one is
 * given) except `rejected_policy`, in (created_at, id) order: its id, its
 * text (`rowNoveltyText`), its `embedding` when `embedding_model` is the
 * embedder's (else the text is embedded and the vector written back, see
 * `cacheVectors`), and for the nearest variant its campaign and status. The
 * vectors travel as bytes (`embedding_f32`, the same float32 values, set by
 * the database from `embedding`; migration 20250612000000): one columnar
 * read of the rows' text and status, then their vectors in pages of 20,000
 * rows by id (a row whose version differs between the two is read again in
 * full); 100,000 rows took 15–20 s on PGlite as `real[]`. Rows stored before
 * that column are read through their `real[]` and backfilled (`loadPast`). A
 * candidate whose text repeats a past text with a stored vector takes that
 * vector (the first such row's) instead of an embedding call.
 *
 * The cache's rules (README.md of nodes/shared/novelty has the same):
 * 1. Key: the store's identity (a random id kept in the store's own state,
 *    `creative.novelty_cache.store_id`, so another database is another
 *    key), the account, the platform (or all) and the embedding model
 *    (with its dimensions, `text-embedding-3-small@512`).
 * 2. Membership is checked, not assumed: every run reads the ids of all the
 *    account's rows. A cached variant whose row is gone (deleted) means a
 *    rebuild. A row neither cached nor known as excluded is new, whatever
 *    its timestamps (a backfill, a late commit).
 * 3. Order: new rows are appended only when the database orders them after
 *    every cached one ((created_at, id), checked with the database's own
 *    ORDER BY, microseconds included); otherwise rebuild. The index then
 *    holds the rows in the order a fresh load reads them, which decides ties.
 * 4. Changes: of the rows whose `updated_at` is at or after the newest one
 *    seen, minus a margin (15 minutes by default), the text, status and
 *    vector model are read and compared; a row whose `updated_at` moved, or
 *    whose vector model no longer fits, is read in full and its stored
 *    vector compared bit for bit with the indexed one. A cached variant
 *    whose text changed, whose status became `rejected_policy`, whose
 *    stored vector differs or is gone means a rebuild; a row that lost the
 *    excluded status too. The margin covers transactions that commit up to
 *    that long after they started (`updated_at` is the transaction's start
 *    time); nothing in the package keeps one open that long. Timestamps
 *    arrive in milliseconds, so a vector replaced by another of the same
 *    model within the millisecond of the version read before goes unseen;
 *    the package never rewrites a stored vector of a model with that model.
 *    Status changes between other values (a decision) change nothing in the
 *    index: the nearest variant's campaign and status are read fresh for
 *    every check.
 * 5. A cached variant whose vector was computed by the embedder and not
 *    stored (the write-back did not land) means a rebuild, unless the
 *    embedder is the offline one and the row holds another model's vector,
 *    which the offline vector never replaces (a fresh build computes the
 *    same offline vector again and stores nothing either).
 * 6. An index in use is taken out of the cache (two concurrent runs of one
 *    account never share one); it goes back after a successful check, or
 *    after an embedding failure that left it untouched. Any other failure
 *    drops it.
 * 7. Bounds: at most `maxEntries` indexes (default 4) and `maxBytes` in
 *    total (default 1 GiB; an index takes about 3.9 KB per variant at 512
 *    dimensions, 390 MB for 100,000, counted from its actual buffers),
 *    least recently used out first; a single index above the bound is not
 *    kept. `ADOPS_NOVELTY_CACHE=0` turns the cache off
 *    (and frees it), `ADOPS_NOVELTY_CACHE_MB` and
 *    `ADOPS_NOVELTY_CACHE_ENTRIES` set the bounds; `CreativeRunDeps.noveltyCache`
 *    passes one (or null for none).
 * 8. Persisted snapshots (novelty-snapshot.ts, `snapshots` option; on in
 *    `defaultNoveltyCache` unless `ADOPS_NOVELTY_SNAPSHOT=0`): a run that
 *    finds no index in the cache loads the account's snapshot from the store
 *    and brings it up to date by rules 2–5, as if this process had cached
 *    it (`cache: 'snapshot'`); a snapshot that fails them, or is damaged or
 *    of another format, is ignored and the rows are read. A run that read
 *    every row, or added (or, loading it, read again) `max(1,024, 1/16)` of
 *    the snapshot's size since, writes a new one before putting its index
 *    back. 100,000 variants, at load 18–31 on 2 cores: a cold process
 *    29.8–35.3 s instead of 163.8 s on PGlite, 15.0–21.2 s instead of
 *    25.4 s on PostgreSQL (test/bench/novelty.bench.ts section 5).
 */
import { randomUUID } from 'node:crypto';
import { NoveltyIndex, checkNoveltyWith, toVector, unpackStoredVector, yieldToEventLoop, type CheckNoveltyOutput, type Embedder, type NoveltyThresholds } from '../novelty';
import type { CreativeVariantRecord } from '../schema/rows';
import type { ColumnarRows, Store, Where } from '../store/types';
import type { CreativePlatform } from './variant';
import { readSnapshot, restoreIndex, writeSnapshot, type SnapshotContent, type SnapshotKey } from './novelty-snapshot';

// ---------------------------------------------------------------------------
// What a run reads
// ---------------------------------------------------------------------------

/** Statuses that are not past copy: drafts that broke a rule were never shown to anyone. */
export const PAST_EXCLUDED: ReadonlySet<string> = new Set(['rejected_policy']);
const OFFLINE_MODEL_PREFIX = 'adops-offline-';
const IN_CHUNK = 200;
const BACKFILL_CHUNK = 250;
const BACKFILL_MIN_MS = 2000;

/** The same text for a stored row (headline and description columns are newline-joined lists). */
export function rowNoveltyText(row: Pick<CreativeVariantRecord, 'headline' | 'primary_text' | 'description'>): string {
	return [row.headline ?? '', row.primary_text ?? '', row.description ?? ''].filter((s) => s.trim() !== '').join('\n');
}

/** The columns of a past row a run uses (its vector is read apart: `embedding_f32`, or `embedding` for older rows). */
export type PastRecord = Pick<CreativeVariantRecord, 'id' | 'updated_at' | 'status' | 'headline' | 'primary_text' | 'description' | 'embedding_model'> & {
	/** The row holds a vector (of any model). */
	hasEmbedding: boolean;
};

/** A past variant as a run reads it. */
export interface PastRow {
	row: PastRecord;
	text: string;
	/** The stored embedding when it is of the run's model (and readable), else null: embedded by the run. */
	vector: Float32Array | null;
}

/** The row's stored vector of `model`, or null (none, another model, unreadable: recomputed and re-cached). */
function storedVector(row: Pick<CreativeVariantRecord, 'embedding' | 'embedding_model'>, model: string): Float32Array | null {
	if (!row.embedding || row.embedding_model !== model) return null;
	try {
		return toVector(row.embedding);
	} catch {
		return null;
	}
}

function pastRecord(row: CreativeVariantRecord): PastRecord {
	const { id, updated_at, status, headline, primary_text, description, embedding_model } = row;
	return { id, updated_at, status, headline, primary_text, description, embedding_model, hasEmbedding: row.embedding !== null && row.embedding !== undefined };
}

function pastRow(row: CreativeVariantRecord, model: string): PastRow {
	return { row: pastRecord(row), text: rowNoveltyText(row), vector: storedVector(row, model) };
}

function pastWhere(accountId: string, platform: CreativePlatform | null): Where<'creative_variants'> {
	return { account_id: accountId, ...(platform ? { platform } : {}) };
}

const ORDER = [{ column: 'created_at' as const }, { column: 'id' as const }];

/**
 * What the cold read takes of every row: no `embedding` (`real[]`, text per
 * component), its bytes instead; no campaign (read for the nearest rows only,
 * after the check).
 */
const PAST_COLUMNS = ['id', 'updated_at', 'status', 'headline', 'primary_text', 'description'] as const;
/** The vector of a row with its version and model, read in pages of `pastReadOptions.vectorPage` rows by id. */
const VECTOR_COLUMNS = ['id', 'updated_at', 'embedding_model', 'embedding_f32'] as const;
/** Rows per page of the vector read (`vectorPage`; tests set it small to read in many pages). */
export const pastReadOptions = { vectorPage: 20_000 };

/** Rows whose `embedding_f32` the cold reads filled from their `real[]` (a lazy backfill), and rows a failed backfill left. */
export const backfillStats = { rows: 0, failed: 0 };

/** Rows the cold reads read again in full because they changed between the row read and the vector read (or vanished from the latter). */
export const pastReadStats = { reread: 0 };

/**
 * Past variants of the account on the platform (see the module comment), with
 * cached vectors of `model`. One read of the rows with their vectors as bytes
 * (`embedding_f32`, migration 20250612000000); rows stored before that
 * column existed are read again with their `real[]` and backfilled (the
 * database packs them; `updated_at` does not move), so the next cold read
 * takes the bytes. The vectors are the same float32 values either way.
 */
export async function loadPast(store: Store, accountId: string, platform: CreativePlatform | null, model: string, options: { backfill?: boolean } = {}): Promise<{ past: PastRow[]; excluded: string[]; newest: string | null }> {
	const where = pastWhere(accountId, platform);
	const read = await store.selectColumnar('creative_variants', PAST_COLUMNS, { where, order: ORDER });
	const c = read.columns;
	const legacy = new Map<string, { embedding: CreativeVariantRecord['embedding']; model: string | null }>();
	// The vectors, as bytes, in pages by id (one read of 100,000 dense vectors would be a 400 MB string),
	// each with the version (updated_at) and model it belongs to.
	const vectorOf = new Map<string, { updated: string; model: string | null; bytes: Uint8Array | null }>();
	let after: string | null = null;
	for (;;) {
		const page: ColumnarRows<'creative_variants', (typeof VECTOR_COLUMNS)[number]> = await store.selectColumnar('creative_variants', VECTOR_COLUMNS, { where: { ...where, ...(after === null ? {} : { id: { gt: after } }) }, order: { column: 'id' }, limit: pastReadOptions.vectorPage });
		const v = page.columns;
		for (let k = 0; k < page.length; k++) vectorOf.set(v.id[k]!, { updated: v.updated_at[k]!, model: v.embedding_model[k] ?? null, bytes: v.embedding_f32[k] ?? null });
		if (page.length < pastReadOptions.vectorPage) break;
		after = v.id[page.length - 1]!;
	}
	// Rows without bytes (older rows): their `real[]`, with its model.
	let missing = 0;
	for (const x of vectorOf.values()) if (x.bytes === null) missing++;
	if (missing > 0) {
		const t0 = performance.now();
		const older = await store.selectColumnar('creative_variants', ['id', 'updated_at', 'embedding', 'embedding_model'], { where: { ...where, embedding_f32: null } });
		const readMs = performance.now() - t0;
		const byModel = new Map<string | null, string[]>();
		for (let k = 0; k < older.length; k++) {
			const id = older.columns.id[k]!;
			const x = vectorOf.get(id);
			const embedding = older.columns.embedding[k] ?? null;
			const m = older.columns.embedding_model[k] ?? null;
			if (x && x.bytes === null && x.updated === older.columns.updated_at[k]) legacy.set(id, { embedding, model: m });
			if (embedding === null) continue;
			const list = byModel.get(m) ?? [];
			list.push(id);
			byModel.set(m, list);
		}
		// The database packs about one row a millisecond on PGlite (ten on PostgreSQL): a run spends at
		// most as long as reading those rows took (2 s at least), so a large history is filled over a few cold reads.
		if (options.backfill !== false) await backfill(store, where, byModel, Math.max(BACKFILL_MIN_MS, readMs));
	}
	// A row that changed between the reads (its version differs) is read again in full, all from one version.
	const changed: string[] = [];
	for (let k = 0; k < read.length; k++) {
		const id = c.id[k]!;
		const x = vectorOf.get(id);
		if (!x || x.updated !== c.updated_at[k] || (x.bytes === null && !legacy.has(id))) changed.push(id);
	}
	pastReadStats.reread += changed.length;
	const changedSet = new Set(changed);
	const again = new Map<string, CreativeVariantRecord>();
	for (const row of await rowsByIds(store, where, changed)) again.set(row.id, row);
	const past: PastRow[] = [];
	const excluded: string[] = [];
	let newest: string | null = null;
	let newestMs = -Infinity;
	const unreadable: number[] = [];
	for (let k = 0; k < read.length; k++) {
		const id = c.id[k]!;
		const full = again.get(id);
		if (!full && changedSet.has(id)) continue; // deleted since the first read
		const updated = full ? full.updated_at : c.updated_at[k]!;
		const updatedMs = Date.parse(updated);
		if (updatedMs > newestMs) {
			newestMs = updatedMs;
			newest = updated;
		}
		if (PAST_EXCLUDED.has(full ? full.status : c.status[k]!)) {
			excluded.push(id);
			continue;
		}
		if (full) {
			past.push(pastRow(full, model));
			continue;
		}
		const x = vectorOf.get(id)!;
		let vector: Float32Array | null = null;
		let embeddingModel = x.model;
		let hasEmbedding = x.bytes !== null;
		if (x.bytes !== null) {
			if (embeddingModel === model) {
				try {
					vector = unpackStoredVector(x.bytes);
				} catch {
					unreadable.push(past.length);
				}
			}
		} else {
			const l = legacy.get(id)!;
			embeddingModel = l.model;
			hasEmbedding = l.embedding !== null;
			vector = storedVector({ embedding: l.embedding, embedding_model: l.model }, model);
		}
		const row: PastRecord = {
			id,
			updated_at: updated,
			status: c.status[k]!,
			headline: c.headline[k] ?? null,
			primary_text: c.primary_text[k] ?? null,
			description: c.description[k] ?? null,
			embedding_model: embeddingModel,
			hasEmbedding,
		};
		past.push({ row, text: rowNoveltyText(row), vector });
	}
	// Bytes the layout does not read (nothing the trigger writes): the `real[]`, as before the column.
	for (let i = 0; i < unreadable.length; i += IN_CHUNK) {
		const part = unreadable.slice(i, i + IN_CHUNK);
		const got = new Map((await store.selectColumns('creative_variants', ['id', 'embedding', 'embedding_model'], { where: { ...where, id: { in: part.map((at) => past[at]!.row.id) } } })).map((r) => [r.id, r]));
		for (const at of part) {
			const p = past[at]!;
			const r = got.get(p.row.id);
			p.vector = r && r.embedding_model === p.row.embedding_model ? storedVector(r, model) : null;
		}
	}
	return { past, excluded, newest };
}

/**
 * Fills `embedding_f32` of older rows: a no-op update of each (its vector
 * model set to itself, only while the bytes are still missing), which the
 * database's trigger turns into the packed bytes, keeping `updated_at`.
 * Stops after `budgetMs` (the rest is left to the next cold read). Best
 * effort: a failure leaves the rows to the next cold read.
 */
async function backfill(store: Store, where: Where<'creative_variants'>, byModel: ReadonlyMap<string | null, string[]>, budgetMs: number): Promise<void> {
	const start = performance.now();
	for (const [m, ids] of byModel) {
		for (let i = 0; i < ids.length; i += BACKFILL_CHUNK) {
			if (performance.now() - start >= budgetMs) return;
			try {
				const { updated } = await store.update('creative_variants', { ...where, id: { in: ids.slice(i, i + BACKFILL_CHUNK) }, embedding_model: m, embedding_f32: null }, { embedding_model: m });
				backfillStats.rows += updated;
			} catch {
				backfillStats.failed += Math.min(BACKFILL_CHUNK, ids.length - i);
				return;
			}
		}
	}
}

function later(a: string | null, b: string | null | undefined): string | null {
	if (!b) return a;
	if (!a) return b;
	return Date.parse(b) > Date.parse(a) ? b : a;
}

/**
 * An embedder that answers texts it has already seen (cached vectors of
 * past rows, earlier calls) from memory and sends the rest, each distinct
 * text once.
 */
export function memoEmbedder(inner: Embedder, known: Map<string, Float32Array>): Embedder {
	return {
		model: inner.model,
		embed: async (texts) => {
			const todo = [...new Set(texts.filter((t) => !known.has(t)))];
			if (todo.length > 0) {
				const vectors = await inner.embed(todo);
				todo.forEach((t, i) => known.set(t, vectors[i]!));
			}
			return texts.map((t) => known.get(t)!);
		},
	};
}

type WriteBack = 'stored' | 'other' | 'unsaved';

/**
 * Writes vectors computed for past rows back to the store. Offline vectors
 * only fill rows without one: they never replace a stored vector of another
 * model (an OpenAI vector costs money to compute again). Returns, per id,
 * `stored`, `other` (left out for that reason) or `unsaved` (no row updated).
 */
async function cacheVectors(store: Store, computed: ReadonlyArray<{ id: string; vector: Float32Array; vectorModel: string }>, rowOf: ReadonlyMap<string, PastRow>): Promise<Map<string, WriteBack>> {
	const out = new Map<string, WriteBack>();
	for (const c of computed) {
		const stored = rowOf.get(c.id)?.row;
		if (c.vectorModel.startsWith(OFFLINE_MODEL_PREFIX) && stored?.hasEmbedding) {
			out.set(c.id, 'other');
			continue;
		}
		const res = await store.update('creative_variants', { id: c.id }, { embedding: Array.from(c.vector), embedding_model: c.vectorModel });
		out.set(c.id, res.updated > 0 ? 'stored' : 'unsaved');
	}
	return out;
}

// ---------------------------------------------------------------------------
// The cache
// ---------------------------------------------------------------------------

/** Per variant: how its indexed vector relates to its row. */
const enum Vec {
	/** Computed by the embedder and not stored: a fresh build would compute it again. */
	Unsaved = 0,
	/** The row's stored embedding of the model (read, or written back by a run). */
	Stored = 1,
	/** Computed by the offline embedder; the row keeps another model's vector. */
	Other = 2,
}

/** A cached index and what it takes to tell whether it still equals a fresh build. */
export interface CachedPast {
	readonly index: NoveltyIndex;
	/** Position in the index of each variant id. */
	readonly docOf: Map<string, number>;
	/** `Vec` per position. */
	vec: Uint8Array;
	/** `updated_at` (ms) per position, as last read. */
	updated: Float64Array;
	/** How many positions are `Vec.Unsaved`. */
	unsaved: number;
	/** Text → first position whose vector is stored: where a fresh run finds a vector for a text. */
	readonly firstStored: Map<string, number>;
	/** Rows of the account seen with an excluded status. */
	readonly excluded: Set<string>;
	/** Newest `updated_at` seen (database time). */
	newest: string | null;
	/** Bytes, as of the last `put`. */
	bytes: number;
	/** Variants of the persisted snapshot this index came from or last wrote (or tried to); null: none (novelty-snapshot.ts). */
	snapshotSize: number | null;
}

function emptyEntry(): CachedPast {
	return { index: new NoveltyIndex(), docOf: new Map(), vec: new Uint8Array(1024), updated: new Float64Array(1024), unsaved: 0, firstStored: new Map(), excluded: new Set(), newest: null, bytes: 0, snapshotSize: null };
}

/** Records the row at `doc`, just added to the index. */
function noteAdded(e: CachedPast, doc: number, row: Pick<CreativeVariantRecord, 'id' | 'updated_at'>, state: Vec): void {
	e.docOf.set(row.id, doc);
	if (e.vec.length <= doc) {
		const size = Math.max(doc + 1, e.vec.length * 2);
		const vec = new Uint8Array(size);
		vec.set(e.vec);
		e.vec = vec;
		const updated = new Float64Array(size);
		updated.set(e.updated);
		e.updated = updated;
	}
	e.updated[doc] = Date.parse(row.updated_at);
	e.vec[doc] = Vec.Unsaved;
	e.unsaved++;
	setVec(e, doc, state);
}

function setVec(e: CachedPast, doc: number, state: Vec): void {
	if (e.vec[doc] === Vec.Unsaved) e.unsaved--;
	if (state === Vec.Unsaved) e.unsaved++;
	e.vec[doc] = state;
	if (state === Vec.Stored) {
		const text = e.index.textAt(doc);
		const first = e.firstStored.get(text);
		if (first === undefined || first > doc) e.firstStored.set(text, doc);
	}
}

export interface NoveltyCacheOptions {
	/** Indexes kept (one per store, account, platform and model), least recently used out first. Default 4. */
	maxEntries?: number;
	/** Bytes of all kept indexes together; an index larger than this alone is not kept. Default 1 GiB. */
	maxBytes?: number;
	/** Rows changed up to this long before the newest change seen are read again (ms). Default 15 minutes. */
	changeMarginMs?: number;
	/**
	 * Persisted snapshots (novelty-snapshot.ts): a run that finds no index
	 * here loads the account's snapshot from the store (and brings it up to
	 * date as a cached index), and a run that built its index from every row,
	 * or added `max(1,024, 1/16)` of the snapshot's size since, writes one.
	 * Default false (`defaultNoveltyCache`: on, unless `ADOPS_NOVELTY_SNAPSHOT=0`).
	 */
	snapshots?: boolean;
	/** No snapshot for indexes of fewer variants (reading them is quick anyway). Default 0 (`defaultNoveltyCache`: 1,000). */
	snapshotMinVariants?: number;
	/** No snapshot above this size, uncompressed (bytes). Default 256 MiB (`ADOPS_NOVELTY_SNAPSHOT_MB`). */
	snapshotMaxBytes?: number;
}

export interface NoveltyCacheStats {
	/** Runs that found their index and used it. */
	hits: number;
	/** Runs that found none and built it. */
	misses: number;
	/** Runs that found one, could not use it and built it again, by reason. */
	rebuilds: Record<string, number>;
	/** Indexes dropped for the bounds, or not kept for being larger than `maxBytes`. */
	evicted: number;
	refused: number;
	/** Persisted snapshots: loaded and used, written, not used (by reason: none, format, digest, damaged, stale: <rebuild reason>, …), writes that failed. */
	snapshots: { loaded: number; written: number; ignored: Record<string, number>; failed: number; lastError: string | null };
}

/** Built novelty indexes between runs of one process (see the module comment). */
export class NoveltyIndexCache {
	readonly maxEntries: number;
	readonly maxBytes: number;
	readonly changeMarginMs: number;
	readonly snapshots: boolean;
	readonly snapshotMinVariants: number;
	readonly snapshotMaxBytes: number;
	readonly stats: NoveltyCacheStats = { hits: 0, misses: 0, rebuilds: {}, evicted: 0, refused: 0, snapshots: { loaded: 0, written: 0, ignored: {}, failed: 0, lastError: null } };
	/** Insertion order is recency: the first entry is the least recently used. */
	private readonly entries = new Map<string, CachedPast>();

	constructor(options: NoveltyCacheOptions = {}) {
		this.maxEntries = options.maxEntries ?? 4;
		this.maxBytes = options.maxBytes ?? 1024 ** 3;
		this.changeMarginMs = options.changeMarginMs ?? 15 * 60_000;
		this.snapshots = options.snapshots ?? false;
		this.snapshotMinVariants = options.snapshotMinVariants ?? 0;
		this.snapshotMaxBytes = options.snapshotMaxBytes ?? 256 * 1024 * 1024;
		if (!(this.maxEntries >= 0) || !(this.maxBytes >= 0) || !(this.changeMarginMs >= 0)) throw new RangeError('novelty cache bounds must be numbers ≥ 0');
	}

	/** Indexes kept. */
	get size(): number {
		return this.entries.size;
	}

	/** Bytes of the kept indexes. */
	get bytes(): number {
		let n = 0;
		for (const e of this.entries.values()) n += e.bytes;
		return n;
	}

	/** Keys of the kept indexes, least recently used first. */
	keys(): string[] {
		return [...this.entries.keys()];
	}

	/** Takes the index of `key` out (it is in use until `put` back). */
	take(key: string): CachedPast | undefined {
		const e = this.entries.get(key);
		if (e) this.entries.delete(key);
		return e;
	}

	/** Keeps `entry` as the most recently used; evicts the least recently used over the bounds. False when it is too large to keep. */
	put(key: string, entry: CachedPast): boolean {
		this.entries.delete(key);
		entry.bytes = entry.index.memoryBytes() + entry.docOf.size * 120 + entry.firstStored.size * 80 + entry.excluded.size * 80 + entry.vec.byteLength + entry.updated.byteLength;
		if (entry.bytes > this.maxBytes || this.maxEntries === 0) {
			this.stats.refused++;
			return false;
		}
		this.entries.set(key, entry);
		let total = this.bytes;
		for (const [k, e] of this.entries) {
			if (this.entries.size <= this.maxEntries && total <= this.maxBytes) break;
			if (k === key) continue;
			this.entries.delete(k);
			total -= e.bytes;
			this.stats.evicted++;
		}
		return true;
	}

	clear(): void {
		this.entries.clear();
	}
}

/** False when `ADOPS_NOVELTY_CACHE` is 0, false, off or no. */
export function noveltyCacheEnabled(env: Record<string, string | undefined> = process.env): boolean {
	return !['0', 'false', 'off', 'no'].includes((env.ADOPS_NOVELTY_CACHE ?? '').trim().toLowerCase());
}

let shared: NoveltyIndexCache | undefined;

/**
 * The process's cache, with the bounds of `ADOPS_NOVELTY_CACHE_MB` and
 * `ADOPS_NOVELTY_CACHE_ENTRIES`; null (and the cache freed) while
 * `ADOPS_NOVELTY_CACHE=0`.
 */
export function defaultNoveltyCache(): NoveltyIndexCache | null {
	if (!noveltyCacheEnabled()) {
		shared?.clear();
		shared = undefined;
		return null;
	}
	if (!shared) {
		const number = (name: string): number | undefined => {
			const raw = process.env[name]?.trim();
			const value = raw ? Number(raw) : NaN;
			return Number.isFinite(value) && value >= 0 ? value : undefined;
		};
		const mb = number('ADOPS_NOVELTY_CACHE_MB');
		const entries = number('ADOPS_NOVELTY_CACHE_ENTRIES');
		const snapshotMb = number('ADOPS_NOVELTY_SNAPSHOT_MB');
		shared = new NoveltyIndexCache({
			...(mb !== undefined ? { maxBytes: mb * 1024 * 1024 } : {}),
			...(entries !== undefined ? { maxEntries: Math.floor(entries) } : {}),
			snapshots: noveltyCacheEnabled({ ADOPS_NOVELTY_CACHE: process.env.ADOPS_NOVELTY_SNAPSHOT }),
			snapshotMinVariants: 1000,
			...(snapshotMb !== undefined ? { snapshotMaxBytes: snapshotMb * 1024 * 1024 } : {}),
		});
	}
	return shared;
}

const STORE_ID_KEY = 'creative.novelty_cache.store_id';
const storeIds = new WeakMap<Store, string>();

/** The store's identity: a random id kept in its own state (created on first use). Null when the state cannot be read or written. */
async function storeIdentity(store: Store): Promise<string | null> {
	const known = storeIds.get(store);
	if (known) return known;
	try {
		let id = await store.getState(STORE_ID_KEY);
		if (typeof id !== 'string' || id === '') {
			await store.setState(STORE_ID_KEY, randomUUID());
			id = await store.getState(STORE_ID_KEY); // whoever wrote last
		}
		if (typeof id !== 'string' || id === '') return null;
		storeIds.set(store, id);
		return id;
	} catch {
		return null;
	}
}

// ---------------------------------------------------------------------------
// Bringing a cached index up to date
// ---------------------------------------------------------------------------

/** What a check adds to the index and what it needs besides. */
interface Plan {
	/** Rows to add, in the order a fresh load reads them. */
	pending: PastRow[];
	/** Texts the check will ask the embedder for, answered from stored vectors. */
	known: Map<string, Float32Array>;
	/** Held rows read again in full (their `updated_at` moved): a snapshot this far behind is written again. */
	reread: number;
}

class Rebuild {
	constructor(readonly reason: string) {}
}

/** Rows of `creative_variants` by id, `IN_CHUNK` ids per query. */
async function rowsByIds(store: Store, where: Where<'creative_variants'>, ids: readonly string[]): Promise<CreativeVariantRecord[]> {
	const out: CreativeVariantRecord[] = [];
	for (let i = 0; i < ids.length; i += IN_CHUNK) out.push(...(await store.select('creative_variants', { where: { ...where, id: { in: ids.slice(i, i + IN_CHUNK) } } })));
	return out;
}

/** The columns of a row that decide its place in the index, except the vector. */
const WINDOW_COLUMNS = ['id', 'updated_at', 'status', 'headline', 'primary_text', 'description', 'embedding_model'] as const;

/**
 * Brings `e` up to date with the store (rules 2–5 of the module comment),
 * or says why it cannot. Changes `e` only in ways that hold whatever
 * happens next (exclusions seen, stored vectors confirmed, newest change).
 */
async function sync(store: Store, e: CachedPast, where: Where<'creative_variants'>, model: string, texts: readonly string[], marginMs: number, offline: boolean): Promise<Plan | Rebuild> {
	if (e.unsaved > 0) return new Rebuild('vectors not stored');
	// 2. Membership: every id of the account's rows (ids are unique, so
	// finding as many cached ones as the index holds means none is gone).
	const ids = (await store.selectColumnar('creative_variants', ['id'], { where })).columns.id as string[];
	const newIds: string[] = [];
	let cached = 0;
	let excluded = 0;
	for (const id of ids) {
		if (e.docOf.has(id)) cached++;
		else if (e.excluded.has(id)) excluded++;
		else newIds.push(id);
	}
	if (cached !== e.docOf.size) return new Rebuild('deleted');
	if (excluded !== e.excluded.size) {
		const present = new Set(ids);
		for (const id of e.excluded) if (!present.has(id)) e.excluded.delete(id);
	}
	// 4. Rows changed since the newest change seen, less the margin: their
	// text, status and vector model (no vectors). A cached row is read in
	// full when its updated_at moved or its vector model does not fit.
	const toRead = new Set(newIds);
	let newest = e.newest;
	if (e.newest !== null) {
		const since = new Date(Date.parse(e.newest) - marginMs).toISOString();
		const w = await store.selectColumnar('creative_variants', WINDOW_COLUMNS, { where: { ...where, updated_at: { gte: since } } });
		const c = w.columns;
		for (let k = 0; k < w.length; k++) {
			const id = c.id[k]!;
			newest = later(newest, c.updated_at[k]);
			const eligible = !PAST_EXCLUDED.has(c.status[k]!);
			const doc = e.docOf.get(id);
			if (doc !== undefined) {
				if (!eligible) return new Rebuild('status');
				if (rowNoveltyText({ headline: c.headline[k]!, primary_text: c.primary_text[k]!, description: c.description[k]! }) !== e.index.textAt(doc)) return new Rebuild('text');
				const m = c.embedding_model[k] ?? null;
				const fits = e.vec[doc] === Vec.Stored ? m === model : e.vec[doc] === Vec.Other && m !== null && m !== model;
				if (!fits || Date.parse(c.updated_at[k]!) !== e.updated[doc]) toRead.add(id);
			} else if (e.excluded.has(id) && eligible) {
				return new Rebuild('status');
			}
		}
	}
	// Read with them: the rows whose stored vector a candidate text takes (see `known` below).
	for (const text of texts) {
		const doc = e.firstStored.get(text);
		if (doc !== undefined) toRead.add(e.index.idAt(doc));
	}
	const rows = new Map<string, CreativeVariantRecord>();
	for (const row of await rowsByIds(store, where, [...toRead])) rows.set(row.id, row);
	for (const row of rows.values()) {
		const doc = e.docOf.get(row.id);
		if (doc === undefined) continue;
		if (PAST_EXCLUDED.has(row.status)) return new Rebuild('status');
		if (rowNoveltyText(row) !== e.index.textAt(doc)) return new Rebuild('text');
		const v = storedVector(row, model);
		if (v) {
			if (!e.index.sameVector(doc, v)) return new Rebuild('vector');
			if (e.vec[doc] !== Vec.Stored) setVec(e, doc, Vec.Stored);
		} else if (!(e.vec[doc] === Vec.Other && offline && row.embedding)) {
			// Lost its vector, or holds another model's now: a fresh build would embed it again.
			return new Rebuild('vector');
		}
		e.updated[doc] = Date.parse(row.updated_at);
	}
	// New rows: the excluded are remembered, the rest appended in the database's order.
	const fresh: CreativeVariantRecord[] = [];
	for (const id of newIds) {
		const row = rows.get(id);
		if (!row) continue; // deleted since the id list was read: a fresh load now would not see it either
		newest = later(newest, row.updated_at);
		if (PAST_EXCLUDED.has(row.status)) e.excluded.add(id);
		else fresh.push(row);
	}
	const pending: PastRow[] = [];
	if (fresh.length > 0) {
		// 3. Order: ask the database for (created_at, id) order of everything from
		// the oldest new row on (less 1 ms: timestamps arrive in milliseconds).
		let oldest = Infinity;
		for (const row of fresh) oldest = Math.min(oldest, Date.parse(row.created_at));
		const window = (await store.selectColumnar('creative_variants', ['id'], { where: { ...where, created_at: { gte: new Date(oldest - 1).toISOString() } }, order: ORDER })).columns.id as string[];
		const isFresh = new Map(fresh.map((row) => [row.id, row]));
		const last = e.index.size - 1;
		let prev = -1;
		let seenFresh = false;
		for (const id of window) {
			const row = isFresh.get(id);
			if (row) {
				pending.push(pastRow(row, model));
				seenFresh = true;
				continue;
			}
			const doc = e.docOf.get(id);
			if (doc === undefined) continue; // excluded, or newer than the id list
			if (seenFresh || (prev >= 0 && doc !== prev + 1)) return new Rebuild('order');
			prev = doc;
		}
		if (pending.length !== fresh.length || (prev >= 0 && prev !== last)) return new Rebuild('order');
	}
	e.newest = newest;
	// Stored vectors for the texts the check will embed (rows without one, and the candidates):
	// the first row's with that text, as a fresh load's memo has it.
	const known = new Map<string, Float32Array>();
	const asked = new Set([...pending.filter((p) => !p.vector).map((p) => p.text), ...texts]);
	const fromIndex = new Map<string, number>();
	for (const text of asked) {
		const doc = e.firstStored.get(text);
		if (doc !== undefined) fromIndex.set(e.index.idAt(doc), doc);
	}
	if (fromIndex.size > 0) {
		const missing = [...fromIndex.keys()].filter((id) => !rows.has(id));
		for (const row of await rowsByIds(store, where, missing)) rows.set(row.id, row);
		for (const [id, doc] of fromIndex) {
			const row = rows.get(id);
			if (!row) return new Rebuild('deleted');
			const v = storedVector(row, model);
			if (!v || !e.index.sameVector(doc, v)) return new Rebuild('vector');
			known.set(e.index.textAt(doc), v);
		}
	}
	for (const p of pending) if (p.vector && !known.has(p.text)) known.set(p.text, p.vector);
	let reread = 0;
	for (const id of toRead) if (e.docOf.has(id)) reread++;
	return { pending, known, reread };
}

// ---------------------------------------------------------------------------
// Persisted snapshots (novelty-snapshot.ts)
// ---------------------------------------------------------------------------

function snapshotKey(input: Pick<StoredPastInput, 'accountId' | 'platform' | 'embedder'>): SnapshotKey {
	return { accountId: input.accountId, platform: input.platform, model: input.embedder.model };
}

/** A cached index from the store's snapshot of `key`, not yet brought up to date (`sync`), or why there is none. */
async function fromSnapshot(store: Store, key: SnapshotKey): Promise<CachedPast | Rebuild> {
	const read = await readSnapshot(store, key);
	if (!read.ok) return new Rebuild(read.reason);
	const { state, vec, updated, excluded, newest } = read.content;
	const index = await restoreIndex(state);
	if (!index) return new Rebuild('damaged');
	const n = index.size;
	const e = emptyEntry();
	const entry: CachedPast = { ...e, index, vec: new Uint8Array(Math.max(1024, n)), updated: new Float64Array(Math.max(1024, n)) };
	entry.vec.set(vec);
	entry.updated.set(updated);
	for (let doc = 0; doc < n; doc++) {
		const state = vec[doc];
		// A snapshot is written with every vector accounted for (no Unsaved).
		if (state !== Vec.Stored && state !== Vec.Other) return new Rebuild('damaged');
		entry.docOf.set(index.idAt(doc), doc);
		if (state === Vec.Stored) {
			const text = index.textAt(doc);
			if (!entry.firstStored.has(text)) entry.firstStored.set(text, doc);
		}
		if ((doc & 16383) === 16383) await yieldToEventLoop();
	}
	if (entry.docOf.size !== n) return new Rebuild('damaged');
	for (const id of excluded) entry.excluded.add(id);
	entry.newest = newest;
	entry.snapshotSize = n;
	return entry;
}

/**
 * Writes the snapshot of `e` when it is due: the index was built from every
 * row (no usable snapshot), or `max(1,024, 1/16)` of the snapshot's size was
 * added since (or, loading it, read again for changes). Never with a vector computed and not stored (a fresh build
 * would compute it again). Best effort: a failure is counted, the run goes on.
 */
async function maybeWriteSnapshot(cache: NoveltyIndexCache, store: Store, key: SnapshotKey, e: CachedPast, how: string, reread: number): Promise<void> {
	const n = e.index.size;
	if (e.unsaved > 0 || n < cache.snapshotMinVariants) return;
	const built = how !== 'hit' && how !== 'snapshot';
	const since = e.snapshotSize;
	const due = Math.max(1024, (since ?? 0) >> 4);
	if (!built && since !== null && n - since < due && !(how === 'snapshot' && reread >= due)) return;
	e.snapshotSize = n; // tried: not again before as many are added
	try {
		const content: SnapshotContent = { state: await e.index.exportStateAsync(), vec: e.vec.slice(0, n), updated: e.updated.slice(0, n), excluded: [...e.excluded], newest: e.newest };
		const res = await writeSnapshot(store, key, content, { maxBytes: cache.snapshotMaxBytes });
		if (res.written) cache.stats.snapshots.written++;
	} catch (error) {
		cache.stats.snapshots.failed++;
		cache.stats.snapshots.lastError = error instanceof Error ? error.message : String(error);
	}
}

// ---------------------------------------------------------------------------
// The check
// ---------------------------------------------------------------------------

export interface StoredPastInput {
	store: Store;
	accountId: string;
	/** Past copy of this platform only; null: every platform of the account id. */
	platform: CreativePlatform | null;
	embedder: Embedder;
	/** Candidate texts, in batch order. */
	texts: readonly string[];
	/** Null: no cache (a fresh build every time). */
	cache: NoveltyIndexCache | null;
}

/** The past of one check, read from the store (or the cache), not yet checked: `checkStoredPast`. */
export interface StoredPast {
	readonly input: StoredPastInput;
	readonly key: string | null;
	readonly entry: CachedPast;
	readonly plan: Plan;
	/** `off`: no cache; `miss`: built; `hit`: the cached index brought up to date; `rebuild: <reason>`. */
	readonly cache: string;
}

export interface StoredPastOutput extends CheckNoveltyOutput {
	/** Campaign and status, read for this check, of every past variant named as nearest. */
	rowOf: Map<string, Pick<CreativeVariantRecord, 'id' | 'campaign_id' | 'status'>>;
	/** Past variants checked against. */
	pastCount: number;
	/** Past variants whose embedding this check computed and stored. */
	embeddingsCached: number;
	/** As in `StoredPast`. */
	cache: string;
}

/**
 * Reads the past variants of the account (see the module comment), or, with
 * a cache, brings the cached index up to date. Only store reads (and the
 * store's identity, kept in its state): errors are the store's.
 */
export async function openStoredPast(input: StoredPastInput): Promise<StoredPast> {
	const { store, cache, embedder } = input;
	const model = embedder.model;
	const where = pastWhere(input.accountId, input.platform);
	let key: string | null = null;
	let how = 'off';
	if (cache) {
		const storeId = await storeIdentity(store);
		if (storeId !== null) key = JSON.stringify([storeId, input.accountId, input.platform ?? '*', model]);
		const entry = key === null ? undefined : cache.take(key);
		if (entry) {
			const synced = await sync(store, entry, where, model, input.texts, cache.changeMarginMs, model.startsWith(OFFLINE_MODEL_PREFIX));
			if (!(synced instanceof Rebuild)) {
				cache.stats.hits++;
				return { input, key, entry, plan: synced, cache: 'hit' };
			}
			cache.stats.rebuilds[synced.reason] = (cache.stats.rebuilds[synced.reason] ?? 0) + 1;
			how = `rebuild: ${synced.reason}`;
		} else if (key !== null) {
			cache.stats.misses++;
			how = 'miss';
			if (cache.snapshots) {
				const loaded = await fromSnapshot(store, snapshotKey(input));
				if (loaded instanceof Rebuild) {
					if (loaded.reason !== 'none') cache.stats.snapshots.ignored[loaded.reason] = (cache.stats.snapshots.ignored[loaded.reason] ?? 0) + 1;
				} else {
					const synced = await sync(store, loaded, where, model, input.texts, cache.changeMarginMs, model.startsWith(OFFLINE_MODEL_PREFIX));
					if (!(synced instanceof Rebuild)) {
						cache.stats.snapshots.loaded++;
						return { input, key, entry: loaded, plan: synced, cache: 'snapshot' };
					}
					const reason = `stale: ${synced.reason}`;
					cache.stats.snapshots.ignored[reason] = (cache.stats.snapshots.ignored[reason] ?? 0) + 1;
					how = `miss, snapshot ${reason}`;
				}
			}
		}
	}
	const entry = emptyEntry();
	const loaded = await loadPast(store, input.accountId, input.platform, model);
	for (const id of loaded.excluded) entry.excluded.add(id);
	entry.newest = loaded.newest;
	const known = new Map<string, Float32Array>();
	for (const p of loaded.past) if (p.vector && !known.has(p.text)) known.set(p.text, p.vector);
	return { input, key, entry, plan: { pending: loaded.past, known, reread: 0 }, cache: how };
}

/**
 * `checkNovelty` of the candidate texts against every past variant of the
 * account (see the module comment): vectors stored with the rows are reused
 * (also for a candidate that repeats past copy word for word), the rest is
 * embedded once per text, and vectors computed for past rows are written
 * back. With a cached index only the variants new since the last check are
 * added; the results are those of a fresh build. Errors are the embedder's,
 * or the store's while writing vectors back.
 */
export async function checkStoredPast(past: StoredPast, thresholds: NoveltyThresholds): Promise<StoredPastOutput> {
	const { input, key, entry: e, plan } = past;
	const { store, cache, embedder } = input;
	const model = embedder.model;
	const before = e.index.size;
	const rowOf = new Map<string, PastRow>(plan.pending.map((p) => [p.row.id, p]));
	let out: CheckNoveltyOutput;
	try {
		out = await checkNoveltyWith(e.index, {
			candidates: input.texts,
			past: plan.pending.map((p) => ({ id: p.row.id, text: p.text, vector: p.vector, vectorModel: p.vector ? model : null })),
			embedder: memoEmbedder(embedder, plan.known),
			thresholds,
		});
	} catch (error) {
		// An embedding failure leaves the index as it was: keep it.
		if (cache && key !== null && e.index.size === before) cache.put(key, e);
		throw error;
	}
	const computed = new Set(out.computed.map((c) => c.id));
	plan.pending.forEach((p, k) => noteAdded(e, before + k, p.row, computed.has(p.row.id) ? Vec.Unsaved : Vec.Stored));
	const written = await cacheVectors(store, out.computed, rowOf);
	let embeddingsCached = 0;
	for (const [id, result] of written) {
		if (result === 'stored') embeddingsCached++;
		setVec(e, e.docOf.get(id)!, result === 'stored' ? Vec.Stored : result === 'other' ? Vec.Other : Vec.Unsaved);
	}
	// The nearest variants' campaign and status, as stored now (a decision changes the status).
	const named = new Map<string, Pick<CreativeVariantRecord, 'id' | 'campaign_id' | 'status'>>();
	const toRead = new Set<string>();
	for (const r of out.results) if (r.nearest) toRead.add(r.nearest.id);
	const ids = [...toRead];
	for (let i = 0; i < ids.length; i += IN_CHUNK) {
		for (const row of await store.selectColumns('creative_variants', ['id', 'campaign_id', 'status'], { where: { id: { in: ids.slice(i, i + IN_CHUNK) } } })) named.set(row.id, row);
	}
	if (cache && key !== null && cache.snapshots) await maybeWriteSnapshot(cache, store, snapshotKey(input), e, past.cache, plan.reread);
	if (cache && key !== null) cache.put(key, e);
	return { ...out, rowOf: named, pastCount: e.index.size, embeddingsCached, cache: past.cache };
}
