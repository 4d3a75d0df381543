/**
 * Persisted novelty snapshots (nodes/shared/creative/novelty-snapshot.ts,
 * issue 21 item 4) against a real store: PGlite always, PostgreSQL when
 * DATABASE_URL is set (fresh random schema, dropped afterwards).
 *
 * Each "process" is a new `NoveltyIndexCache({ snapshots: true })`; every
 * check it makes is compared, field for field, with the same check without
 * a cache (every row read, a fresh build) on the same store state:
 * - the first process builds from the rows and writes a snapshot; the next
 *   loads it (`cache: 'snapshot'`) with the same results;
 * - variants stored after the snapshot (including an exact copy of a
 *   candidate) are seen; a deleted or edited row, a row stored with an older
 *   timestamp make the snapshot stale: ignored, rows read, a new snapshot;
 * - a damaged part (digest), a head of another format, bytes that pass the
 *   digest but are not a container, a head of another account: ignored and
 *   written again;
 * - a write interrupted after any of its statements leaves the snapshot
 *   before it readable and whole; so does a writer killed (SIGKILL, a child
 *   process: this file, run with ADOPS_NOVELTY_SNAPSHOT_CHILD) after a part
 *   or before the head, and one killed after the head leaves the new one.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import { afterAll, beforeAll, describe, test } from '../helpers/vitest-api';
import { assertKilledAt, runChildJob, runFailpointChild } from '../helpers/failpoint-child';
import { Pool } from 'pg';
import { NoveltyIndexCache, checkNoveltyOfCopy, type CreativePlatform } from '../../nodes/shared/creative';
import { openStoredPast } from '../../nodes/shared/creative/novelty-cache';
import { SNAPSHOT_FORMAT, readSnapshot, snapshotHeadKey, writeSnapshot, type SnapshotKey } from '../../nodes/shared/creative/novelty-snapshot';
import { offlineEmbed, offlineEmbedder } from '../../nodes/shared/novelty';
import type { RowInput } from '../../nodes/shared/schema/rows';
import { openStore, type Store, type StoreConfig } from '../../nodes/shared/store';
import { embeddedExecutor } from '../../nodes/shared/store/embedded';
import { Rng } from '../../scripts/sandbox/rng';

const DATABASE_URL = process.env.DATABASE_URL;
const CHILD = process.env.ADOPS_NOVELTY_SNAPSHOT_CHILD;

interface ChildJob {
	store: StoreConfig;
	accountId: string;
	texts: string[];
}
const OFFLINE = offlineEmbedder().model;
const sha = (text: string) => createHash('sha256').update(text).digest('hex');

const VOCABULARY = 'stay dry on the ridge with our packable rain shell free returns for thirty days members save more merino socks that never itch bright colors for night runs order today ship free café über naïve 🔥'.split(' ');

function copy(seed: number, n: number): string[] {
	const r = new Rng(seed);
	const out: string[] = [];
	for (let i = 0; i < n; i++) {
		if (i > 3 && r.next() < 0.2) {
			const words = out[Math.floor(r.next() * i)]!.split(' ');
			words[Math.floor(r.next() * words.length)] = VOCABULARY[Math.floor(r.next() * VOCABULARY.length)]!;
			out.push(words.join(' '));
		} else out.push(Array.from({ length: 4 + Math.floor(r.next() * 9) }, () => VOCABULARY[Math.floor(r.next() * VOCABULARY.length)]!).join(' '));
	}
	return out;
}

/** Past rows: most with the offline vector, some without, some with another model's; every ninth held back by the policy; two platforms. */
function pastRows(account: string, seed: number, n: number): Array<RowInput<'creative_variants'>> {
	const r = new Rng(seed + 7);
	return copy(seed, n).map((text, i) => {
		const x = r.next();
		const vector = x < 0.7 ? { embedding: Array.from(offlineEmbed(text)), embedding_model: OFFLINE } : x < 0.85 ? {} : { embedding: [0.5, 0, -0.5], embedding_model: 'text-embedding-ada-002' };
		return {
			platform: (i % 6 === 5 ? 'google_ads' : 'meta') as CreativePlatform,
			account_id: account,
			campaign_id: `c${i % 4}`,
			content_hash: sha(`${account}|${seed}|${i}|${text}`),
			status: i % 9 === 4 ? 'rejected_policy' : i % 3 === 0 ? 'pending_approval' : 'approved',
			primary_text: text,
			...vector,
		};
	});
}

interface Backend {
	config: StoreConfig;
	open: () => Promise<Store>;
	/** SQL on the backend's schema. */
	sql: (text: string, params?: unknown[]) => Promise<void>;
	cleanup: () => Promise<void>;
}

/** A store whose `setState` fails after `allowed` calls (a write interrupted there: the process died, the database went away). */
function failingAfter(store: Store, allowed: number): Store {
	let calls = 0;
	return new Proxy(store, {
		get(target, prop, receiver) {
			if (prop === 'setState')
				return async (key: string, value: unknown) => {
					if (calls++ >= allowed) throw new Error('interrupted');
					return target.setState(key, value as never);
				};
			const v = Reflect.get(target, prop, receiver) as unknown;
			return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
		},
	});
}

function registerSuite(name: string, backend: () => Promise<Backend>): void {
	describe(`persisted novelty snapshots (${name})`, () => {
		let b: Backend;
		let store: Store;
		const tag = randomBytes(3).toString('hex');
		let seq = 0;
		const account = () => `snap-${tag}-${++seq}`;
		const newProcess = () => new NoveltyIndexCache({ snapshots: true });

		/** The check in a new process with snapshots, and without any cache: the same items; returns how the past was opened. */
		async function same(accountId: string, texts: readonly string[], cache = newProcess(), platform: CreativePlatform | null = 'meta'): Promise<{ cache: NoveltyIndexCache; items: Awaited<ReturnType<typeof checkNoveltyOfCopy>>['items'] }> {
			const withSnapshots = await checkNoveltyOfCopy({ accountId, platform, texts }, { store, embeddingModel: null, noveltyCache: cache });
			const fresh = await checkNoveltyOfCopy({ accountId, platform, texts }, { store, embeddingModel: null, noveltyCache: null });
			assert.deepEqual(withSnapshots.items, fresh.items);
			assert.equal(withSnapshots.pastVariants, fresh.pastVariants);
			return { cache, items: withSnapshots.items };
		}

		const key = (accountId: string, platform: string | null = 'meta'): SnapshotKey => ({ accountId, platform, model: OFFLINE });
		const queries = (seed: number, past: ReadonlyArray<RowInput<'creative_variants'>>) => {
			const r = new Rng(seed);
			const pick = () => past[Math.floor(r.next() * past.length)]!.primary_text!;
			return [pick(), `${pick()} today`, pick().replace(/\w+/, 'bright'), ...copy(seed + 50, 4), past.find((p) => p.status === 'rejected_policy')!.primary_text!];
		};

		/** A new account with `n` past rows, texts to check, and its first process's check (which writes the snapshot). */
		async function seeded(seed: number, n: number) {
			const A = account();
			const past = pastRows(A, seed, n);
			await store.upsert('creative_variants', past);
			const q = queries(seed + 1, past);
			const first = await same(A, q);
			return { A, past, q, first };
		}

		beforeAll(async () => {
			b = await backend();
			store = await b.open();
		});
		afterAll(async () => {
			await store?.close();
			await b?.cleanup();
		});

		test('the first process writes a snapshot; the next loads it and answers as a fresh build; variants stored after it are seen', async () => {
			const { A, q, first } = await seeded(1, 1500);
			assert.equal(first.cache.stats.snapshots.written, 1, JSON.stringify(first.cache.stats));
			const second = await same(A, q);
			assert.equal(second.cache.stats.snapshots.loaded, 1, JSON.stringify(second.cache.stats.snapshots));
			// Opened from the snapshot, not from the rows.
			const opened = await openStoredPast({ store, accountId: A, platform: 'meta', embedder: offlineEmbedder(), texts: q, cache: newProcess() });
			assert.equal(opened.cache, 'snapshot');
			// Stored after the snapshot: an exact copy of a new candidate, and more copy. The snapshot still loads; the new rows are read and added.
			const fresh = 'a brand new jacket nobody has seen before in bright colors';
			const later = pastRows(A, 3, 40).map((r, i) => (i === 7 ? { ...r, primary_text: fresh, content_hash: sha(`${A}|fresh`), status: 'approved', platform: 'meta' as const, embedding: Array.from(offlineEmbed(fresh)), embedding_model: OFFLINE } : r));
			await store.upsert('creative_variants', later);
			const third = await same(A, [...q, fresh]);
			assert.equal(third.cache.stats.snapshots.loaded, 1);
			const hit = third.items.at(-1)!;
			assert.equal(hit.verdict, 'duplicate');
			const [row] = await store.select('creative_variants', { where: { account_id: A, content_hash: sha(`${A}|fresh`) } });
			assert.equal(hit.nearest?.id, row!.id, 'the variant stored after the snapshot is the nearest');
			// Another platform scope is another snapshot.
			const all = await same(A, q, newProcess(), null);
			assert.equal(all.cache.stats.snapshots.written, 1);
		});

		test('a snapshot made stale by a deletion, an edit or an older row is ignored, the rows are read and a new snapshot written', async () => {
			const { A, q } = await seeded(11, 1200);
			const ids = (await store.selectColumns('creative_variants', ['id'], { where: { account_id: A, platform: 'meta', status: 'approved' }, order: [{ column: 'created_at' }, { column: 'id' }] })).map((r) => r.id);
			const stale = async (change: () => Promise<void>, reason: string) => {
				await change();
				const run = await same(A, q);
				assert.equal(run.cache.stats.snapshots.ignored[`stale: ${reason}`], 1, JSON.stringify(run.cache.stats.snapshots));
				assert.equal(run.cache.stats.snapshots.written, 1, 'written again');
				const next = await same(A, q);
				assert.equal(next.cache.stats.snapshots.loaded, 1, 'the new snapshot is used');
			};
			await stale(() => b.sql(`DELETE FROM creative_variants WHERE id = $1`, [ids[5]]), 'deleted');
			await stale(() => b.sql(`UPDATE creative_variants SET primary_text = primary_text || ' edited' WHERE id = $1`, [ids[9]]), 'text');
			await stale(async () => {
				const [older] = pastRows(A, 13, 1);
				const [id] = (await store.insert('creative_variants', [{ ...older!, platform: 'meta', status: 'approved' }])).ids;
				await b.sql(`UPDATE creative_variants SET created_at = now() - interval '400 days' WHERE id = $1`, [id]);
			}, 'order');
		});

		test('a damaged, foreign or other-format snapshot is ignored, the rows are read, and a good one written', async () => {
			const { A, q } = await seeded(21, 1100);
			const head = snapshotHeadKey(key(A));
			const headValue = (await store.getState(head)) as { slot: number; parts: number; sha256: string; bytes: number; format: number };
			const partKey = `${head}.${headValue.slot}.0`;
			const part = (await store.getState(partKey)) as string;
			const ignoredThenRewritten = async (damage: () => Promise<void>, reason: string) => {
				await damage();
				assert.equal(((await readSnapshot(store, key(A))) as { reason?: string }).reason, reason);
				const run = await same(A, q);
				assert.equal(run.cache.stats.snapshots.ignored[reason], 1, JSON.stringify(run.cache.stats.snapshots));
				assert.equal(run.cache.stats.snapshots.written, 1);
				assert.equal((await readSnapshot(store, key(A))).ok, true);
			};
			// One character of a part changed.
			await ignoredThenRewritten(() => store.setState(partKey, part.slice(0, 10) + (part[10] === 'A' ? 'B' : 'A') + part.slice(11)), 'digest');
			// A head of a later format.
			await ignoredThenRewritten(async () => store.setState(head, { ...((await store.getState(head)) as object), format: SNAPSHOT_FORMAT + 1 }), 'format');
			// Parts that pass the digest but hold no snapshot: deflated garbage, and a container cut short.
			for (const bytes of [deflateSync(randomBytes(5000)), deflateSync(Buffer.from('ADNS'))]) {
				await ignoredThenRewritten(async () => {
					const h = (await store.getState(head)) as typeof headValue;
					await store.setState(`${head}.${h.slot}.0`, bytes.toString('base64'));
					await store.setState(head, { ...h, parts: 1, bytes: bytes.byteLength, sha256: createHash('sha256').update(bytes).digest('hex') });
				}, 'damaged');
			}
			// Another account's head at this key (a hash collision, a copied row): not used.
			await ignoredThenRewritten(async () => store.setState(head, { ...((await store.getState(head)) as object), accountId: 'someone-else' }), 'head');
		});

		test('a write interrupted after any of its statements leaves the snapshot before it whole', async () => {
			const { A, q } = await seeded(31, 1000);
			const before = await readSnapshot(store, key(A));
			assert.ok(before.ok);
			// A later state: more variants, a new process's snapshot of them.
			await store.upsert('creative_variants', pastRows(A, 33, 2000));
			const writer = newProcess();
			await checkNoveltyOfCopy({ accountId: A, platform: 'meta', texts: q }, { store, embeddingModel: null, noveltyCache: writer });
			const after = await readSnapshot(store, key(A));
			assert.ok(after.ok && after.size > before.size, 'the later snapshot holds more');
			const content = after.content;
			// Put the earlier snapshot back (a complete write), then interrupt writes of the later one at each statement.
			await writeSnapshot(store, key(A), before.content, { maxBytes: 1e9 });
			const parts = ((await store.getState(snapshotHeadKey(key(A)))) as { parts: number }).parts;
			for (let allowed = 0; allowed <= parts; allowed++) {
				await assert.rejects(writeSnapshot(failingAfter(store, allowed), key(A), content, { maxBytes: 1e9 }), /interrupted/);
				const read = await readSnapshot(store, key(A));
				assert.ok(read.ok, `after ${allowed} statements: ${JSON.stringify(read)}`);
				assert.deepEqual(read.content.state.ids, before.content.state.ids, 'the earlier snapshot, whole');
				// And a process loading it sees every variant (the rows after it are read; this one writes none).
				const reader = await same(A, q, new NoveltyIndexCache({ snapshots: true, snapshotMinVariants: Infinity }));
				assert.equal(reader.cache.stats.snapshots.loaded, 1);
			}
			// Completed, it is the later one.
			await writeSnapshot(store, key(A), content, { maxBytes: 1e9 });
			const done = await readSnapshot(store, key(A));
			assert.ok(done.ok && done.size === after.size);
		});

		test('a writer killed (SIGKILL) after a part or before the head leaves the snapshot before it; killed after the head, the new one; every process after answers as a fresh build', async () => {
			const { A, q } = await seeded(41, 1000);
			const before = await readSnapshot(store, key(A));
			assert.ok(before.ok);
			await store.upsert('creative_variants', pastRows(A, 43, 2000)); // the next process's snapshot is due
			const killedAt = async (point: string) => {
				await store.close(); // PGlite is one process at a time
				const job: ChildJob = { store: b.config, accountId: A, texts: q };
				const run = await runFailpointChild(__filename, 'ADOPS_NOVELTY_SNAPSHOT_CHILD', job, point);
				store = await b.open();
				assertKilledAt(run, point);
			};
			for (const point of ['novelty.snapshot.after-part@1', 'novelty.snapshot.before-head']) {
				await killedAt(point);
				const read = await readSnapshot(store, key(A));
				assert.ok(read.ok, `${point}: ${JSON.stringify(read)}`);
				assert.deepEqual(read.content.state.ids, before.content.state.ids, `${point}: the snapshot before, whole`);
				const reader = await same(A, q, new NoveltyIndexCache({ snapshots: true, snapshotMinVariants: Infinity }));
				assert.equal(reader.cache.stats.snapshots.loaded, 1);
			}
			await killedAt('novelty.snapshot.after-head');
			const read = await readSnapshot(store, key(A));
			assert.ok(read.ok && read.size > before.size, 'the new snapshot');
			const reader = await same(A, q, new NoveltyIndexCache({ snapshots: true, snapshotMinVariants: Infinity }));
			assert.equal(reader.cache.stats.snapshots.loaded, 1);
		});
	});
}

if (!CHILD) registerSuite('PGlite', async () => {
	const dir = mkdtempSync(join(tmpdir(), 'adops-novelty-snapshot-'));
	let exec: Awaited<ReturnType<typeof embeddedExecutor>> | undefined;
	return {
		config: { kind: 'embedded', path: dir },
		open: async () => {
			const opened = await openStore({ kind: 'embedded', path: dir });
			exec = await embeddedExecutor(dir);
			return opened;
		},
		sql: async (text, params) => {
			await exec!.query(text, params as never);
		},
		cleanup: async () => rmSync(dir, { recursive: true, force: true }),
	};
});

if (DATABASE_URL && !CHILD) {
	registerSuite('PostgreSQL', async () => {
		const schema = `novelty_snap_${randomBytes(4).toString('hex')}`;
		const pool = new Pool({ connectionString: DATABASE_URL, max: 2 });
		return {
			config: { kind: 'postgres', connectionString: DATABASE_URL, ssl: 'disable', schema },
			open: () => openStore({ kind: 'postgres', connectionString: DATABASE_URL, ssl: 'disable', schema }),
			sql: async (text, params) => {
				const client = await pool.connect();
				try {
					await client.query(`SET search_path TO ${schema}`);
					await client.query(text, params as never);
				} finally {
					client.release();
				}
			},
			cleanup: async () => {
				await pool.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
				await pool.end();
			},
		};
	});
}

if (CHILD) {
	const job = JSON.parse(CHILD) as ChildJob;
	runChildJob(async () => {
		const store = await openStore(job.store);
		const cache = new NoveltyIndexCache({ snapshots: true });
		await checkNoveltyOfCopy({ accountId: job.accountId, platform: 'meta', texts: job.texts }, { store, embeddingModel: null, noveltyCache: cache });
		process.stderr.write(`cache: ${JSON.stringify(cache.stats)}\n`); // survived: what the write did
		await store.close();
	});
}
