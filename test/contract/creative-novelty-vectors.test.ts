/**
 * Compact stored vectors (issue 21, item 4): `creative_variants.embedding_f32`
 * (migration 20250612000000_creative_vector_bytes.sql) against a real store,
 * PGlite always and PostgreSQL when DATABASE_URL is set.
 *
 * - The database packs every vector it stores (insert, update, the Store or
 *   raw SQL), and the bytes read back are the `real[]` values bit for bit
 *   (sparse and dense layouts, −0, tiny values), the same bytes as
 *   `packStoredVector`.
 * - A cold read (`openStoredPast` + `checkStoredPast`, no cached index) gives
 *   the results of the brute force over the rows as read the old way (every
 *   row with its `real[]`), field for field: offline (sparse) vectors, dense
 *   vectors of another model, rows without a vector or with another model's.
 * - Rows stored before the column (bytes NULL) are read through their
 *   `real[]` with the same results, and the read fills their bytes without
 *   moving `updated_at`.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, test } from 'vitest';
import { Pool } from 'pg';
import { backfillStats, checkStoredPast, openStoredPast, pastReadOptions, pastReadStats, rowNoveltyText } from '../../nodes/shared/creative/novelty-cache';
import { NoveltyIndex, offlineEmbed, offlineEmbedder, packStoredVector, resolveThresholds, toVector, unpackStoredVector, type Embedder, type NoveltyResult } from '../../nodes/shared/novelty';
import type { RowInput } from '../../nodes/shared/schema/rows';
import { openStore, type Store } from '../../nodes/shared/store';
import { embeddedExecutor } from '../../nodes/shared/store/embedded';
import { Rng } from '../../scripts/sandbox/rng';

const DATABASE_URL = process.env.DATABASE_URL;
const sha = (text: string) => createHash('sha256').update(text).digest('hex');

function rng(seed: number): () => number {
	const r = new Rng(seed);
	return () => r.next();
}

const WORDS = 'warm light recycled fleece jacket trail summit free shipping returns members save extra sale rain shell boots socks daypack hikers campers weekend city coast cozy packable waterproof durable order today shop now new colors lifetime warranty'.split(' ');

function texts(seed: number, n: number): string[] {
	const random = rng(seed);
	const out: string[] = [];
	for (let i = 0; i < n; i++) {
		if (i > 5 && random() < 0.25) {
			const words = out[Math.floor(random() * i)]!.split(' ');
			words[Math.floor(random() * words.length)] = WORDS[Math.floor(random() * WORDS.length)]!;
			out.push(words.join(' '));
		} else {
			out.push(Array.from({ length: 5 + Math.floor(random() * 8) }, () => WORDS[Math.floor(random() * WORDS.length)]!).join(' ') + (random() < 0.3 ? '!' : '.'));
		}
	}
	return out;
}

/** A dense embedder (every component nonzero, as OpenAI's): a seeded projection of the offline vector plus a shared direction. */
function denseEmbedder(dims: number): Embedder {
	const random = rng(77);
	const mix = Float64Array.from({ length: 512 * dims }, () => random() - 0.5);
	const mu = Float64Array.from({ length: dims }, () => random() - 0.5);
	const embed1 = (text: string): Float32Array => {
		const x = offlineEmbed(text);
		const y = new Float32Array(dims);
		for (let j = 0; j < dims; j++) {
			let s = 0.4 * mu[j]!;
			for (let i = 0; i < 512; i++) if (x[i] !== 0) s += x[i]! * mix[i * dims + j]!;
			y[j] = s;
		}
		return y;
	};
	return { model: `dense-test@${dims}`, embed: async (list) => list.map(embed1), semanticThresholds: { nearDuplicate: 0.9, duplicate: 0.97 } };
}

const STATUSES = ['approved', 'pending_approval', 'rejected_duplicate', 'rejected', 'rejected_policy', 'approved', 'draft'] as const;

/** Past rows: 70% with the model's vector, 15% none, 15% another model's; every seventh held back by the policy. */
function pastRows(account: string, seed: number, n: number, embedder: Embedder, vectors: Map<string, Float32Array>): Array<RowInput<'creative_variants'>> {
	const random = rng(seed + 1);
	return texts(seed, n).map((text, i) => {
		const r = random();
		const v = vectors.get(text)!;
		const vector = r < 0.7 ? { embedding: Array.from(v), embedding_model: embedder.model } : r < 0.85 ? {} : { embedding: [0.5, -0, 0.25], embedding_model: 'other-model@3' };
		return { platform: 'meta', account_id: account, campaign_id: `c${i % 3}`, content_hash: sha(`${account}|${i}|${text}`), status: STATUSES[i % STATUSES.length]!, primary_text: text, ...vector };
	});
}

/**
 * The reference: the rows read the old way (every column, the `real[]`), in
 * (created_at, id) order, past = all but `rejected_policy`, missing vectors
 * embedded, candidates taking the first stored vector of a past text they
 * repeat; then the brute force over every pair.
 */
async function bruteForce(store: Store, account: string, embedder: Embedder, candidates: readonly string[]): Promise<NoveltyResult[]> {
	const rows = await store.select('creative_variants', { where: { account_id: account, platform: 'meta' }, order: [{ column: 'created_at' }, { column: 'id' }] });
	const index = new NoveltyIndex();
	const known = new Map<string, Float32Array>();
	const past = rows.filter((r) => r.status !== 'rejected_policy').map((r) => ({ id: r.id, text: rowNoveltyText(r), vector: r.embedding && r.embedding_model === embedder.model ? toVector(r.embedding) : null }));
	for (const p of past) if (p.vector && !known.has(p.text)) known.set(p.text, p.vector);
	for (const p of past) if (!p.vector) p.vector = known.get(p.text) ?? (await embedder.embed([p.text]))[0]!;
	index.add(past);
	const vectors = await Promise.all(candidates.map(async (text) => known.get(text) ?? (await embedder.embed([text]))[0]!));
	return index.bruteForce(candidates.map((text, i) => ({ text, vector: vectors[i] })), resolveThresholds({}, embedder));
}

async function cold(store: Store, account: string, embedder: Embedder, candidates: readonly string[]) {
	const opened = await openStoredPast({ store, accountId: account, platform: 'meta', embedder, texts: candidates, cache: null });
	return checkStoredPast(opened, resolveThresholds({}, embedder));
}

const strip = (rs: NoveltyResult[]) => rs.map((r) => ({ verdict: r.verdict, nearest: r.nearest, batch: r.batch, reason: r.reason }));

interface Backend {
	open: () => Promise<Store>;
	sql: (text: string, params?: unknown[]) => Promise<Array<Record<string, unknown>>>;
	cleanup: () => Promise<void>;
}

function registerSuite(name: string, backend: () => Promise<Backend>): void {
	describe(`compact stored vectors (${name})`, () => {
		let b: Backend;
		let store: Store;
		const tag = randomBytes(3).toString('hex');
		let seq = 0;
		const account = () => `vec-${tag}-${++seq}`;

		beforeAll(async () => {
			b = await backend();
			store = await b.open();
		});
		afterAll(async () => {
			await store?.close();
			await b?.cleanup();
		});

		test('the database packs every stored vector; the bytes read back are the real[] values bit for bit', async () => {
			const acct = account();
			const random = rng(9);
			const dense = Array.from({ length: 512 }, () => Math.fround(random() - 0.5));
			const cases: Array<[string, number[] | null]> = [
				['sparse', Array.from(offlineEmbed('Warm recycled fleece jacket for the trail. Free shipping.'))],
				['dense', dense],
				['signed zeros and tiny values', [0, -0, 1e-40, -3.4e38, 0.1, -0, 0, 0, 0, 0, 0, 7]],
				['short', [0.25, 0.5, -1]],
				['one component', [-2.5]],
				['none', null],
			];
			await store.upsert('creative_variants', cases.map(([label, embedding]) => ({ platform: 'meta' as const, account_id: acct, campaign_id: 'c', content_hash: sha(label), primary_text: label, embedding, embedding_model: embedding ? 'm@x' : null })));
			const check = async () => {
				const rows = await store.select('creative_variants', { where: { account_id: acct } });
				assert.equal(rows.length, cases.length);
				for (const row of rows) {
					const expected = cases.find(([label]) => label === row.primary_text)![1];
					if (expected === null) {
						assert.equal(row.embedding_f32, null, row.primary_text!);
						continue;
					}
					const bytes = row.embedding_f32!;
					assert.ok(bytes instanceof Uint8Array, row.primary_text!);
					assert.deepEqual(new Uint8Array(bytes), packStoredVector(row.embedding!), `${row.primary_text}: the database's bytes are packStoredVector's`);
					const back = unpackStoredVector(bytes);
					const real = Float32Array.from(row.embedding!);
					assert.deepEqual(new Uint32Array(back.buffer), new Uint32Array(real.buffer), `${row.primary_text}: bit for bit`);
					const nz = expected.filter((x) => x !== 0).length;
					assert.equal(bytes[0], 6 * nz < 4 * expected.length ? 2 : 1, `${row.primary_text}: the smaller layout`);
				}
				const columnar = await store.selectColumnar('creative_variants', ['primary_text', 'embedding_f32'], { where: { account_id: acct } });
				for (let k = 0; k < columnar.length; k++) {
					const row = rows.find((r) => r.primary_text === columnar.columns.primary_text[k])!;
					assert.deepEqual(columnar.columns.embedding_f32[k] ?? null, row.embedding_f32 ?? null, 'selectColumnar reads the same bytes');
				}
			};
			await check();
			// An update of the vector (the Store), and one through SQL: packed again; removing it clears the bytes.
			cases[0]![1] = Array.from(offlineEmbed('Packable rain shell that stays dry on the summit.'));
			await store.update('creative_variants', { account_id: acct, content_hash: sha('sparse') }, { embedding: cases[0]![1] });
			cases[3]![1] = [1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2];
			await b.sql(`UPDATE $T SET embedding = '{1,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,2}' WHERE account_id = $1 AND primary_text = 'short'`, [acct]);
			await check();
			// −0 (which JSON cannot carry: raw SQL) is a stored component of its own.
			await b.sql(`UPDATE $T SET embedding = '{-0,0,0,0,0,0,0,0,0,3}' WHERE account_id = $1 AND primary_text = 'one component'`, [acct]);
			const [signed] = await b.sql(`SELECT encode(embedding_f32, 'hex') AS hex FROM $T WHERE account_id = $1 AND primary_text = 'one component'`, [acct]);
			assert.equal(signed!.hex, '020000000a' + '0000' + '80000000' + '0009' + '40400000', '−0 kept in the sparse layout');
			const bits = new Uint32Array(unpackStoredVector(Buffer.from(signed!.hex as string, 'hex')).buffer);
			assert.deepEqual([...bits], [0x80000000, 0, 0, 0, 0, 0, 0, 0, 0, 0x40400000]);
			await b.sql(`UPDATE $T SET embedding = '{-2.5}' WHERE account_id = $1 AND primary_text = 'one component'`, [acct]);
			// Bytes written directly are replaced by the vector's own.
			await b.sql(`UPDATE $T SET embedding_f32 = '\\x0100000001deadbeef' WHERE account_id = $1 AND primary_text = 'dense'`, [acct]);
			await check();
			cases[1]![1] = null;
			await store.update('creative_variants', { account_id: acct, content_hash: sha('dense') }, { embedding: null, embedding_model: null });
			await check();
		});

		for (const kind of ['offline (sparse)', 'dense'] as const) {
			test(`a cold read equals the brute force over the rows read with their real[]: ${kind} vectors, also for rows stored before the column, which the read backfills`, async () => {
				const embedder = kind === 'dense' ? denseEmbedder(96) : offlineEmbedder();
				const acct = account();
				const all = texts(kind === 'dense' ? 21 : 11, 1_200);
				const vectors = new Map<string, Float32Array>();
				for (const [i, v] of (await embedder.embed(all)).entries()) vectors.set(all[i]!, v);
				const rows = pastRows(acct, kind === 'dense' ? 21 : 11, 1_200, embedder, vectors);
				await store.upsert('creative_variants', rows.slice(0, 600));
				await store.upsert('creative_variants', rows.slice(600));
				const random = rng(5);
				const pick = () => all[Math.floor(random() * all.length)]!;
				const candidates = [pick(), pick(), `${pick()} today`, pick().replace(/\b\w+\b/, 'bright'), ...texts(99, 6), rows.find((r) => r.status === 'rejected_policy')!.primary_text!];
				candidates.push(candidates[4]!);

				const reference = await bruteForce(store, acct, embedder, candidates);
				const first = await cold(store, acct, embedder, candidates);
				assert.deepEqual(strip(first.results), strip(reference));
				// The vectors read in many pages (97 rows each): the same.
				const page = pastReadOptions.vectorPage;
				pastReadOptions.vectorPage = 97;
				const reread = pastReadStats.reread;
				try {
					assert.deepEqual(strip((await cold(store, acct, embedder, candidates)).results), strip(reference), 'read in pages of 97 rows');
					assert.equal(pastReadStats.reread, reread, 'every row found in the pages (none read again in full)');
				} finally {
					pastReadOptions.vectorPage = page;
				}
				assert.ok(first.results.some((r) => r.verdict === 'duplicate') && first.results.some((r) => r.verdict !== 'duplicate'), `duplicates and others: ${first.results.map((r) => r.verdict).join(', ')}`);
				assert.ok(first.embeddingsCached > 0, 'rows without a vector got one');

				// Rows as stored before the column: bytes NULL (the triggers held off while they are cleared).
				await b.sql(`ALTER TABLE $T DISABLE TRIGGER USER`);
				try {
					await b.sql(`UPDATE $T SET embedding_f32 = NULL WHERE account_id = $1 AND abs(hashtext(id::text)) % 3 <> 0`, [acct]);
				} finally {
					await b.sql(`ALTER TABLE $T ENABLE TRIGGER USER`);
				}
				const before = await b.sql(`SELECT id::text AS id, updated_at::text AS u FROM $T WHERE account_id = $1 AND embedding IS NOT NULL ORDER BY id`, [acct]);
				const cleared = Number((await b.sql(`SELECT count(*)::int AS n FROM $T WHERE account_id = $1 AND embedding IS NOT NULL AND embedding_f32 IS NULL`, [acct]))[0]!.n);
				assert.ok(cleared > 200, `bytes cleared on ${cleared} rows`);
				const filled = backfillStats.rows;
				const left = async () => Number((await b.sql(`SELECT count(*)::int AS n FROM $T WHERE account_id = $1 AND embedding IS NOT NULL AND embedding_f32 IS NULL`, [acct]))[0]!.n);
				// Each cold read backfills for a bounded time (as long as its read of the real[] took, 2 s at least): until none is left.
				let before_ = cleared;
				for (let round = 1; before_ > 0; round++) {
					const legacy = await cold(store, acct, embedder, candidates);
					assert.deepEqual(strip(legacy.results), strip(reference), `cold read ${round} over rows without bytes: the same results`);
					const now = await left();
					assert.ok(now < before_, `cold read ${round} filled some bytes (${before_} → ${now})`);
					assert.ok(round < 30, 'the backfill converges');
					before_ = now;
				}
				assert.equal(backfillStats.rows - filled, cleared, 'the reads filled every missing byte string, once');
				const afterward = await b.sql(`SELECT id::text AS id, updated_at::text AS u FROM $T WHERE account_id = $1 AND embedding IS NOT NULL ORDER BY id`, [acct]);
				assert.deepEqual(afterward, before, 'the backfill moves no updated_at');
				// And read again from the bytes: the same.
				const again = await cold(store, acct, embedder, candidates);
				assert.deepEqual(strip(again.results), strip(reference));
				assert.equal(backfillStats.rows - filled, cleared, 'nothing left to backfill');
				// A real change still moves updated_at.
				await store.update('creative_variants', { id: first.results.find((r) => r.nearest)!.nearest!.id }, { status: 'approved' });
				const moved = await b.sql(`SELECT id::text AS id, updated_at::text AS u FROM $T WHERE account_id = $1 AND embedding IS NOT NULL ORDER BY id`, [acct]);
				assert.notDeepEqual(moved, before, 'a status change moves updated_at');
			});
		}
	});
}

const pgliteDir = mkdtempSync(join(tmpdir(), 'adops-novelty-vectors-'));
registerSuite('PGlite', async () => ({
	open: () => openStore({ kind: 'embedded', path: pgliteDir }),
	sql: async (text, params = []) => (await (await embeddedExecutor(pgliteDir))!.query(text.replace(/\$T/g, 'creative_variants'), params)).rows as Array<Record<string, unknown>>,
	cleanup: async () => rmSync(pgliteDir, { recursive: true, force: true }),
}));

if (DATABASE_URL) {
	const schema = `adops_novelty_vectors_${randomBytes(5).toString('hex')}`;
	registerSuite(`PostgreSQL (schema ${schema})`, async () => {
		const admin = new Pool({ connectionString: DATABASE_URL, max: 1 });
		return {
			open: () => openStore({ kind: 'postgres', connectionString: DATABASE_URL, ssl: 'disable', schema }),
			sql: async (text, params = []) => (await admin.query(text.replace(/\$T/g, `"${schema}".creative_variants`), params)).rows as Array<Record<string, unknown>>,
			cleanup: async () => {
				await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
				await admin.end();
			},
		};
	});
}
