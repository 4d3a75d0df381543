/**
 * A snapshot of an account's novelty index, persisted in the store, so that
 * the first creative run of a new process loads it in a few reads instead
 * of reading every past variant with its vector and building the index
 * (issue 21, item 4: 100,000 variants took 5–25 s cold on PGlite).
 *
 * What it holds: the index's contents without its postings
 * (`NoveltyIndex.exportStateSteps`: ids, texts, trigram ids per variant,
 * the unit vectors) and what the run layer's cache keeps to tell whether
 * the index still equals a fresh build (per variant: `updated_at` and how
 * its vector relates to its row; the excluded ids; the newest `updated_at`
 * seen). The run layer (novelty-cache.ts) treats a loaded snapshot like an
 * index it cached itself: it reads every id of the account's rows, the rows
 * changed since the snapshot's newest change (less the margin) and every row
 * the snapshot does not hold, and adds or rebuilds by the same rules. So a
 * snapshot never hides a variant stored after it; it only saves reading and
 * indexing the ones it holds.
 *
 * Storage: the store's own state (`app_state`, jsonb; no table of its own,
 * the same on PGlite, PostgreSQL and Supabase). The bytes (a little-endian
 * container, see `encode`) are deflated, then written as base64 text in
 * parts of `PART_CHARS` (bytea crossed PGlite at about 1 MB/s in our
 * measurements, text at 30 MB/s and more) under
 *   creative.novelty_snapshot.<digest>.<slot>.<part>
 * and a head at `creative.novelty_snapshot.<digest>` names the slot, the
 * number of parts, their SHA-256 and the format. A write fills the slot the
 * head does not name, then replaces the head (one statement): a write
 * interrupted anywhere leaves the head naming the old, complete parts. A
 * reader checks the head's fields, the digest of the parts and the
 * container's consistency; anything else (another format, a torn
 * concurrent write, damaged bytes) is ignored: the run reads the rows as
 * without a snapshot and writes a new one.
 */
import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import { deflate, inflate } from 'node:zlib';
import { NoveltyIndex, NoveltyStateError, yieldToEventLoop, type NoveltyIndexOptions, type NoveltyIndexState } from '../novelty';
import { failpoint } from '../resilience/failpoints';
import type { Json, Store } from '../store/types';

const deflateAsync = promisify(deflate);
const inflateAsync = promisify(inflate);

/** Bumped whenever the container or what the index stores changes: older snapshots are then ignored. */
export const SNAPSHOT_FORMAT = 1;
const MAGIC = 0x534e4441; // 'ADNS' little-endian
const KEY_PREFIX = 'creative.novelty_snapshot.';
/** Base64 characters per part (one `app_state` row each, one read each: short blocks of the PGlite thread). */
export const PART_CHARS = 2 * 1024 * 1024;
/** Strings per JSON section (each parsed on its own, between turns of the event loop). */
const STRINGS_PER_SECTION = 8192;

/** What a snapshot restores: the index and the run layer's bookkeeping of it. */
export interface SnapshotContent {
	state: NoveltyIndexState;
	/** Per variant: how its vector relates to its row (novelty-cache.ts `Vec`, never `Unsaved`). */
	vec: Uint8Array;
	/** Per variant: `updated_at` in ms, as last read. */
	updated: Float64Array;
	/** Ids of the account's rows seen with an excluded status. */
	excluded: string[];
	/** Newest `updated_at` seen. */
	newest: string | null;
}

/** Whose snapshot: one per account, platform (or all) and embedding model, within the store. */
export interface SnapshotKey {
	accountId: string;
	platform: string | null;
	model: string;
}

interface Head {
	format: number;
	accountId: string;
	platform: string | null;
	model: string;
	slot: 0 | 1;
	parts: number;
	sha256: string;
	/** Deflated bytes. */
	bytes: number;
	/** Variants held. */
	size: number;
	writtenAt: string;
	/** Parts ever written in each slot (cleared beyond `parts` when a slot is reused). */
	written: [number, number];
}

/** Why a snapshot was not used, or what was done. */
export type SnapshotOutcome = { ok: true; content: SnapshotContent; size: number; bytes: number } | { ok: false; reason: string };

export function snapshotHeadKey(key: SnapshotKey): string {
	return KEY_PREFIX + createHash('sha256').update(JSON.stringify([key.accountId, key.platform ?? '*', key.model])).digest('hex').slice(0, 32);
}

function partKey(head: string, slot: number, part: number): string {
	return `${head}.${slot}.${part}`;
}

function isHead(value: unknown, key: SnapshotKey): value is Head {
	if (typeof value !== 'object' || value === null) return false;
	const h = value as Record<string, unknown>;
	return (
		h.format === SNAPSHOT_FORMAT &&
		h.accountId === key.accountId &&
		(h.platform ?? null) === key.platform &&
		h.model === key.model &&
		(h.slot === 0 || h.slot === 1) &&
		Number.isInteger(h.parts) &&
		(h.parts as number) > 0 &&
		typeof h.sha256 === 'string' &&
		Number.isInteger(h.bytes) &&
		Array.isArray(h.written)
	);
}

// ---------------------------------------------------------------------------
// The container: magic, format, a JSON table of sections, the sections
// (typed arrays as their little-endian bytes, strings as JSON arrays).
// ---------------------------------------------------------------------------

type Section = { name: string; bytes: Uint8Array };

function typed(name: string, a: ArrayBufferView): Section {
	return { name, bytes: new Uint8Array(a.buffer, a.byteOffset, a.byteLength) };
}

async function encode(content: SnapshotContent): Promise<Uint8Array> {
	const { state } = content;
	const sections: Section[] = [];
	const utf8 = new TextEncoder();
	const strings = async (name: string, list: readonly string[]) => {
		for (let i = 0, k = 0; i < list.length || k === 0; i += STRINGS_PER_SECTION, k++) {
			sections.push({ name: `${name}.${k}`, bytes: utf8.encode(JSON.stringify(list.slice(i, i + STRINGS_PER_SECTION))) });
			await yieldToEventLoop();
		}
	};
	await strings('ids', state.ids);
	await strings('texts', state.texts);
	await strings('excluded', content.excluded);
	sections.push({ name: 'otherIds', bytes: utf8.encode(JSON.stringify(state.otherIds)) });
	sections.push(typed('asciiIds', state.asciiIds), typed('docTrig', state.docTrig), typed('docOff', state.docOff), typed('emptyDocs', state.emptyDocs), typed('hasVec', state.hasVec));
	if (state.nzDims) sections.push(typed('nzDims', state.nzDims));
	if (state.nzOff) sections.push(typed('nzOff', state.nzOff));
	if (state.values) sections.push(typed('values', state.values));
	if (state.negativeZeros) sections.push(typed('negativeZeros', state.negativeZeros));
	sections.push(typed('vec', content.vec), typed('updated', content.updated));
	const table: Array<[string, number, number]> = [];
	let offset = 0;
	for (const s of sections) {
		table.push([s.name, offset, s.bytes.byteLength]);
		offset += Math.ceil(s.bytes.byteLength / 8) * 8; // aligned for any typed array
	}
	const meta = utf8.encode(JSON.stringify({ n: state.ids.length, trigramCount: state.trigramCount, dims: state.dims, nonzeros: state.nonzeros, newest: content.newest, sections: table }));
	const headerBytes = Math.ceil((12 + meta.byteLength) / 8) * 8;
	const out = new Uint8Array(headerBytes + offset);
	const view = new DataView(out.buffer);
	view.setUint32(0, MAGIC, true);
	view.setUint32(4, SNAPSHOT_FORMAT, true);
	view.setUint32(8, meta.byteLength, true);
	out.set(meta, 12);
	for (let i = 0; i < sections.length; i++) {
		out.set(sections[i]!.bytes, headerBytes + table[i]![1]);
		if ((i & 7) === 7) await yieldToEventLoop();
	}
	return out;
}

class Damaged extends Error {}

async function decode(bytes: Uint8Array): Promise<SnapshotContent> {
	if (bytes.byteLength < 12) throw new Damaged('too short');
	const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
	if (view.getUint32(0, true) !== MAGIC) throw new Damaged('not a snapshot');
	if (view.getUint32(4, true) !== SNAPSHOT_FORMAT) throw new Damaged('format');
	const metaLength = view.getUint32(8, true);
	if (12 + metaLength > bytes.byteLength) throw new Damaged('header');
	const utf8 = new TextDecoder('utf-8', { fatal: true });
	const meta = JSON.parse(utf8.decode(bytes.subarray(12, 12 + metaLength))) as { n: number; trigramCount: number; dims: number | null; nonzeros: number; newest: string | null; sections: Array<[string, number, number]> };
	const headerBytes = Math.ceil((12 + metaLength) / 8) * 8;
	const at = new Map<string, Uint8Array>();
	for (const [name, offset, length] of meta.sections) {
		if (!Number.isInteger(offset) || !Number.isInteger(length) || offset < 0 || length < 0 || headerBytes + offset + length > bytes.byteLength) throw new Damaged('section bounds');
		at.set(name, bytes.subarray(headerBytes + offset, headerBytes + offset + length));
	}
	const section = (name: string): Uint8Array => {
		const s = at.get(name);
		if (!s) throw new Damaged(`no ${name}`);
		return s;
	};
	// Copies, so every array starts on its own aligned buffer.
	const u32 = (name: string) => {
		const s = section(name);
		if (s.byteLength % 4 !== 0) throw new Damaged(name);
		return new Uint32Array(s.slice().buffer);
	};
	const optional = <T>(name: string, make: (n: string) => T): T | null => (at.has(name) ? make(name) : null);
	const strings = async (name: string): Promise<string[]> => {
		const out: string[] = [];
		for (let k = 0; at.has(`${name}.${k}`); k++) {
			const list = JSON.parse(utf8.decode(section(`${name}.${k}`))) as unknown;
			if (!Array.isArray(list) || !list.every((x) => typeof x === 'string')) throw new Damaged(name);
			for (const x of list as string[]) out.push(x);
			await yieldToEventLoop();
		}
		return out;
	};
	const ids = await strings('ids');
	const texts = await strings('texts');
	const excluded = await strings('excluded');
	const otherIds = JSON.parse(utf8.decode(section('otherIds'))) as Array<[string, number]>;
	if (!Array.isArray(otherIds) || !otherIds.every((e) => Array.isArray(e) && typeof e[0] === 'string' && typeof e[1] === 'number')) throw new Damaged('otherIds');
	const f32 = (name: string) => {
		const s = section(name);
		if (s.byteLength % 4 !== 0) throw new Damaged(name);
		return new Float32Array(s.slice().buffer);
	};
	const asciiBytes = section('asciiIds');
	if (asciiBytes.byteLength % 4 !== 0) throw new Damaged('asciiIds');
	const updatedBytes = section('updated');
	if (updatedBytes.byteLength % 8 !== 0) throw new Damaged('updated');
	const state: NoveltyIndexState = {
		ids,
		texts,
		asciiIds: new Int32Array(asciiBytes.slice().buffer),
		otherIds,
		trigramCount: meta.trigramCount,
		docTrig: u32('docTrig'),
		docOff: u32('docOff'),
		emptyDocs: u32('emptyDocs'),
		hasVec: section('hasVec').slice(),
		dims: meta.dims,
		nonzeros: meta.nonzeros,
		nzDims: optional('nzDims', u32),
		nzOff: optional('nzOff', u32),
		values: optional('values', f32),
		negativeZeros: optional('negativeZeros', u32),
	};
	const vec = section('vec').slice();
	const updated = new Float64Array(updatedBytes.slice().buffer);
	if (ids.length !== meta.n || vec.length !== meta.n || updated.length !== meta.n) throw new Damaged('lengths');
	if (meta.newest !== null && typeof meta.newest !== 'string') throw new Damaged('newest');
	return { state, vec, updated, excluded, newest: meta.newest };
}

// ---------------------------------------------------------------------------
// Reading and writing
// ---------------------------------------------------------------------------

export interface SnapshotWriteOptions {
	/** Uncompressed bytes above which no snapshot is written. */
	maxBytes: number;
}

/**
 * Writes `content` as the snapshot of `key` (see the module comment: the
 * parts into the slot the head does not name, then the head). Returns the
 * deflated size, or why nothing was written. Errors are the store's.
 */
export async function writeSnapshot(store: Store, key: SnapshotKey, content: SnapshotContent, options: SnapshotWriteOptions): Promise<{ written: boolean; bytes: number; reason?: string }> {
	const headKey = snapshotHeadKey(key);
	const raw = await encode(content);
	if (raw.byteLength > options.maxBytes) return { written: false, bytes: raw.byteLength, reason: 'too large' };
	const packed = new Uint8Array(await deflateAsync(raw, { level: 1 }));
	const hash = createHash('sha256');
	const parts: string[] = [];
	const partBytes = (PART_CHARS / 4) * 3;
	for (let i = 0; i < packed.byteLength; i += partBytes) {
		const chunk = packed.subarray(i, i + partBytes);
		hash.update(chunk);
		parts.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength).toString('base64'));
	}
	const previous = await store.getState(headKey);
	const old = isHead(previous, key) ? previous : null;
	const slot: 0 | 1 = old?.slot === 0 ? 1 : 0;
	const written: [number, number] = old && Array.isArray(old.written) && old.written.length === 2 ? [Number(old.written[0]) || 0, Number(old.written[1]) || 0] : [0, 0];
	for (let i = 0; i < parts.length; i++) {
		await store.setState(partKey(headKey, slot, i), parts[i]!);
		failpoint('novelty.snapshot.after-part');
	}
	failpoint('novelty.snapshot.before-head');
	const before = written[slot];
	written[slot] = parts.length;
	const head: Head = { format: SNAPSHOT_FORMAT, accountId: key.accountId, platform: key.platform, model: key.model, slot, parts: parts.length, sha256: hash.digest('hex'), bytes: packed.byteLength, size: content.state.ids.length, writtenAt: new Date().toISOString(), written };
	await store.setState(headKey, head as unknown as Json);
	failpoint('novelty.snapshot.after-head');
	// Parts of an earlier, longer snapshot in this slot: no longer read.
	for (let i = parts.length; i < before; i++) await store.setState(partKey(headKey, slot, i), null);
	return { written: true, bytes: packed.byteLength };
}

/**
 * The snapshot of `key`, checked (head, digest, container), or why there is
 * none to use. Errors of the store are returned as a reason too: a run
 * without a snapshot reads the rows.
 */
export async function readSnapshot(store: Store, key: SnapshotKey): Promise<SnapshotOutcome> {
	const headKey = snapshotHeadKey(key);
	let head: unknown;
	try {
		head = await store.getState(headKey);
	} catch (error) {
		return { ok: false, reason: `store: ${(error as Error).message}` };
	}
	if (head === undefined || head === null) return { ok: false, reason: 'none' };
	if (typeof head === 'object' && (head as { format?: unknown }).format !== SNAPSHOT_FORMAT) return { ok: false, reason: 'format' };
	if (!isHead(head, key)) return { ok: false, reason: 'head' };
	const hash = createHash('sha256');
	const chunks: Buffer[] = [];
	try {
		for (let i = 0; i < head.parts; i++) {
			const part = await store.getState(partKey(headKey, head.slot, i));
			if (typeof part !== 'string') return { ok: false, reason: 'parts' };
			const chunk = Buffer.from(part, 'base64');
			hash.update(chunk);
			chunks.push(chunk);
		}
	} catch (error) {
		return { ok: false, reason: `store: ${(error as Error).message}` };
	}
	if (hash.digest('hex') !== head.sha256) return { ok: false, reason: 'digest' };
	const packed = Buffer.concat(chunks);
	if (packed.byteLength !== head.bytes) return { ok: false, reason: 'digest' };
	try {
		const raw = new Uint8Array(await inflateAsync(packed));
		const content = await decode(raw);
		return { ok: true, content, size: content.state.ids.length, bytes: packed.byteLength };
	} catch (error) {
		if (error instanceof Damaged || error instanceof SyntaxError || error instanceof TypeError || (error as { code?: string }).code?.startsWith('Z_')) return { ok: false, reason: 'damaged' };
		throw error;
	}
}

/** The index of a snapshot's state, in 10 ms slices; null when the state does not hang together. */
export async function restoreIndex(state: NoveltyIndexState, options: NoveltyIndexOptions = {}): Promise<NoveltyIndex | null> {
	try {
		return await NoveltyIndex.fromStateAsync(state, options);
	} catch (error) {
		if (error instanceof NoveltyStateError) return null;
		throw error;
	}
}
