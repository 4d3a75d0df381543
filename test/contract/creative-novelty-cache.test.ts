/**
 * The creative run layer's novelty cache (nodes/shared/creative/novelty-cache.ts)
 * against a real store: PGlite always, PostgreSQL when DATABASE_URL is set
 * (fresh random schema, dropped afterwards).
 *
 * Every check made with a cache is compared, field for field, with the same
 * check made without one (a fresh build) on the same store state: a second
 * check, after new variants were stored (also by a real `runCreative`
 * against the sandbox's OpenAI), after a decision, a deletion, an edit, a
 * replaced vector, a status change, a backfill with an old timestamp, across
 * two accounts, two stores and concurrent checks. Deletions and edits go
 * through SQL: the Store has no delete, and nothing in the package edits copy.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, test } from 'vitest';
import OpenAI from 'openai';
import { Pool } from 'pg';
import { NoveltyIndexCache, checkNoveltyOfCopy, defaultNoveltyCache, runCreative, variantNoveltyText, type CopyNoveltyResult, type CreativePlatform } from '../../nodes/shared/creative';
import { checkStoredPast, openStoredPast } from '../../nodes/shared/creative/novelty-cache';
import { offlineEmbed, offlineEmbedder, resolveThresholds, type Embedder } from '../../nodes/shared/novelty';
import type { RowInput } from '../../nodes/shared/schema/rows';
import { openStore, type Store } from '../../nodes/shared/store';
import { embeddedExecutor } from '../../nodes/shared/store/embedded';
import { startSandbox, type Sandbox } from '../../scripts/sandbox';
import { sandboxCreativeCopy } from '../../scripts/sandbox/creative-responder';
import { Rng } from '../../scripts/sandbox/rng';

const DATABASE_URL = process.env.DATABASE_URL;
const OFFLINE = offlineEmbedder().model;
const sha = (text: string) => createHash('sha256').update(text).digest('hex');

/** The sandbox's seeded mulberry32, as a function: the same sequence every run. */
function rng(seed: number): () => number {
	const r = new Rng(seed);
	return () => r.next();
}

const WORDS = 'warm light recycled fleece jacket trail summit free shipping returns members save extra sale rain shell boots socks daypack hikers campers weekend city coast cozy packable waterproof durable order today shop now new colors lifetime warranty'.split(' ');

/** Ad-like texts; a fifth are edits of earlier ones (a word swapped), so there are near neighbours. */
function texts(seed: number, n: number): string[] {
	const random = rng(seed);
	const out: string[] = [];
	for (let i = 0; i < n; i++) {
		if (i > 5 && random() < 0.2) {
			const words = out[Math.floor(random() * i)]!.split(' ');
			words[Math.floor(random() * words.length)] = WORDS[Math.floor(random() * WORDS.length)]!;
			out.push(words.join(' '));
		} else {
			out.push(Array.from({ length: 5 + Math.floor(random() * 8) }, () => WORDS[Math.floor(random() * WORDS.length)]!).join(' ') + (random() < 0.3 ? '!' : '.'));
		}
	}
	return out;
}

const STATUSES = ['approved', 'pending_approval', 'rejected_duplicate', 'rejected', 'approved', 'rejected_policy', 'approved', 'pending_approval', 'approved', 'draft'] as const;

/**
 * Rows of past copy: every tenth `rejected_policy`; 60% with the offline
 * vector stored, a quarter without one, the rest with another model's; two
 * platforms, three campaigns; some in headline + description.
 */
function rows(account: string, seed: number, n: number): Array<RowInput<'creative_variants'>> {
	const random = rng(seed + 1);
	return texts(seed, n).map((text, i) => {
		const r = random();
		const vector = r < 0.6 ? { embedding: Array.from(offlineEmbed(text)), embedding_model: OFFLINE } : r < 0.85 ? {} : { embedding: [1, 0, 0], embedding_model: 'text-embedding-ada-002' };
		const split = i % 7 === 3 ? { headline: text.split(' ').slice(0, 3).join(' '), description: text.split(' ').slice(3).join(' ') } : { primary_text: text };
		return {
			platform: (i % 5 === 4 ? 'google_ads' : 'meta') as CreativePlatform,
			account_id: account,
			campaign_id: `c${i % 3}`,
			content_hash: sha(`${account}|${seed}|${i}|${text}`),
			status: STATUSES[i % STATUSES.length]!,
			...split,
			...vector,
		};
	});
}

interface Backend {
	open: () => Promise<Store>;
	/** SQL against the backend's creative_variants table (`$T` in `text`). */
	sql: (text: string, params?: unknown[]) => Promise<void>;
	/** A second, empty store of the same kind. */
	other: () => Promise<Store>;
	cleanup: () => Promise<void>;
}

function registerSuite(name: string, backend: () => Promise<Backend>): void {
	describe(`novelty cache of the creative run layer (${name})`, () => {
		let b: Backend;
		let store: Store;
		let sb: Sandbox;
		let openai: OpenAI;
		let seq = 0;
		const tag = randomBytes(3).toString('hex');
		const account = () => `acct-${tag}-${++seq}`;

		const check = (accountId: string, list: readonly string[], cache: NoveltyIndexCache | null, platform: CreativePlatform | null = 'meta', on: Store = store) =>
			checkNoveltyOfCopy({ accountId, platform, texts: list }, { store: on, embeddingModel: null, noveltyCache: cache });

		/** The check with `cache`, then the same without one: the same items, past count and model. */
		async function same(accountId: string, list: readonly string[], cache: NoveltyIndexCache, platform: CreativePlatform | null = 'meta', on: Store = store): Promise<CopyNoveltyResult> {
			const cached = await check(accountId, list, cache, platform, on);
			const cold = await check(accountId, list, null, platform, on);
			assert.deepEqual(cached.items, cold.items);
			assert.equal(cached.pastVariants, cold.pastVariants);
			assert.equal(cached.embeddingModel, cold.embeddingModel);
			return cached;
		}

		/** Texts to check: past copy as it is and edited, copy of excluded rows, new copy, a repeat within the batch. */
		function queries(seed: number, past: ReadonlyArray<RowInput<'creative_variants'>>): string[] {
			const random = rng(seed);
			const text = (r: RowInput<'creative_variants'>) => [r.headline, r.primary_text, r.description].filter((s): s is string => !!s && s.trim() !== '').join('\n');
			const pick = () => text(past[Math.floor(random() * past.length)]!);
			const out = [pick(), pick(), `${pick()} today`, pick().replace(/\b\w+\b/, 'bright'), ...texts(seed + 99, 4), text(past.find((r) => r.status === 'rejected_policy')!)];
			out.push(out[4]!);
			return out;
		}

		const selectIds = async (accountId: string) => (await store.select('creative_variants', { where: { account_id: accountId }, order: [{ column: 'created_at' }, { column: 'id' }] })).map((r) => r.id);

		beforeAll(async () => {
			b = await backend();
			store = await b.open();
			sb = await startSandbox({ seed: 5, today: '2025-06-10' });
			openai = new OpenAI({ apiKey: sb.credentials.openai.apiKey, baseURL: sb.urls.openai, maxRetries: 2 });
		});
		afterAll(async () => {
			await store?.close();
			await sb?.close();
			await b?.cleanup();
		});

		test('a cached check equals a fresh build: the second check, after new variants, after a decision, per account and platform', async () => {
			const cache = new NoveltyIndexCache();
			const A = account();
			const B = account();
			const pastA = rows(A, 1, 300);
			await store.upsert('creative_variants', pastA.slice(0, 150));
			await store.upsert('creative_variants', pastA.slice(150));
			await store.upsert('creative_variants', rows(B, 2, 200));
			const q = queries(3, pastA);

			const first = await same(A, q, cache);
			assert.deepEqual([cache.stats.misses, cache.stats.hits], [1, 0]);
			assert.equal(first.pastVariants, pastA.filter((r) => r.platform === 'meta' && r.status !== 'rejected_policy').length);
			assert.ok(first.items.some((i) => i.verdict === 'duplicate') && first.items.some((i) => i.verdict === 'novel'), 'both verdicts occur');
			assert.ok(first.embeddingsCached > 0, 'vectors computed for rows without one are stored');
			await same(A, q, cache);
			assert.deepEqual([cache.stats.misses, cache.stats.hits], [1, 1]);

			// New variants stored since (as a run stores its own): near copies of the queries, some held back by the policy, some without a vector.
			const fresh = q.slice(0, 6).map((text, i): RowInput<'creative_variants'> => ({
				platform: 'meta',
				account_id: A,
				campaign_id: 'c-new',
				primary_text: `${text} Shop the new colors.`,
				content_hash: sha(`${A}|new|${i}`),
				status: i === 2 ? 'rejected_policy' : 'pending_approval',
				...(i % 2 === 0 ? { embedding: Array.from(offlineEmbed(`${text} Shop the new colors.`)), embedding_model: OFFLINE } : {}),
			}));
			await store.upsert('creative_variants', fresh);
			const q2 = [...fresh.map((r) => `${r.primary_text!} Today.`), ...q];
			const afterNew = await same(A, q2, cache);
			assert.equal(cache.stats.hits, 2);
			assert.equal(afterNew.pastVariants, first.pastVariants + 5);
			const newIds = new Set((await store.select('creative_variants', { where: { account_id: A, campaign_id: 'c-new' } })).map((r) => r.id));
			assert.ok(afterNew.items.slice(0, 6).filter((i) => i.nearest && newIds.has(i.nearest.id!)).length >= 4, 'the new variants are the nearest of their near copies');

			// A decision changes the nearest variant's status, read fresh for the check.
			const decided = afterNew.items[0]!.nearest!.id!;
			await store.update('creative_variants', { id: decided }, { status: 'approved' });
			const afterDecision = await same(A, q2, cache);
			assert.equal(afterDecision.items[0]!.nearest!.status, 'approved');
			assert.equal(cache.stats.hits, 3);
			assert.deepEqual(cache.stats.rebuilds, {});

			// Another account, and all platforms of A: their own indexes.
			const onB = await same(B, queries(4, rows(B, 2, 200)), cache);
			assert.ok(onB.items.every((i) => !i.nearest || !newIds.has(i.nearest.id!)));
			await same(A, q2, cache, null);
			await same(A, q2, cache, null);
			await same(B, q2, cache);
			assert.equal(cache.size, 3);
			assert.deepEqual([cache.stats.misses, cache.stats.hits], [3, 5]);
			assert.equal(typeof (await store.getState('creative.novelty_cache.store_id')), 'string', 'the store keeps its identity');
		});

		test('runCreative: the second run, from the cache, decides as a fresh check of its copy against what the first run stored', async () => {
			const cache = new NoveltyIndexCache();
			const acct = account();
			await store.upsert('creative_variants', rows(acct, 7, 150));
			const deps = { store, openai, chatModel: 'gpt-4o-mini', embeddingModel: 'text-embedding-3-small', noveltyCache: cache };
			const brief = cleanBrief('Northwind recycled fleece jacket: warm, light, made from recycled bottles, free returns for 60 days. Audience: weekend hikers.');
			const input = { brief, accountId: acct, platform: 'meta' as const, metric: 'roas' as const, count: 3 };
			const run1 = await runCreative({ ...input, campaignId: 'c-first' }, deps);
			assert.equal(run1.status, 'complete', run1.message);
			assert.deepEqual([cache.stats.misses, cache.stats.hits], [1, 0]);
			assert.ok(run1.embeddingsCached > 0, 'the seeded rows had no vector of this model: computed and stored');

			// The same brief on another campaign writes the same copy: duplicates of what run 1 stored.
			const copy = run1.items.map((i) => variantNoveltyText(i.variant!));
			const cold = await checkNoveltyOfCopy({ accountId: acct, platform: 'meta', texts: copy }, { store, openai, embeddingModel: 'text-embedding-3-small', noveltyCache: null });
			const run2 = await runCreative({ ...input, campaignId: 'c-second' }, deps);
			assert.deepEqual([cache.stats.misses, cache.stats.hits], [1, 1]);
			assert.deepEqual(cache.stats.rebuilds, {});
			assert.deepEqual(run2.items.map((i) => variantNoveltyText(i.variant!)), copy);
			assert.deepEqual(
				run2.items.map((i) => [i.verdict, i.nearest]),
				cold.items.map((i) => [i.verdict, i.nearest]),
			);
			const run1Ids = new Set(run1.items.map((i) => i.variantId));
			assert.ok(run2.items.every((i) => i.status === 'rejected_duplicate' && i.verdict === 'duplicate' && run1Ids.has(i.nearest!.id)), run2.items.map((i) => i.reason).join('\n'));
			assert.equal(run2.embeddingsCached, 0);

			// A third run: its index now holds run 2's variants too.
			const run3 = await runCreative({ ...input, campaignId: 'c-third' }, deps);
			assert.equal(cache.stats.hits, 2);
			assert.ok(run3.items.every((i) => i.status === 'rejected_duplicate'));
		});

		test('a deletion, an edit, a replaced or lost vector, a status change and a backfill rebuild, and the results stay those of a fresh build', async () => {
			const cache = new NoveltyIndexCache();
			const acct = account();
			const past = rows(acct, 11, 200);
			await store.upsert('creative_variants', past);
			const q = queries(12, past);
			const r0 = await same(acct, q, cache);
			await same(acct, q, cache);
			assert.deepEqual(cache.stats.rebuilds, {});

			// The nearest of an edited text: only the id list can tell it is gone (no check text repeats its copy).
			const nearest = r0.items[2]!.nearest!.id!;
			assert.ok(!q.includes(r0.items[2]!.nearest!.text));
			await b.sql('DELETE FROM $T WHERE id = $1', [nearest]);
			const r1 = await same(acct, q, cache);
			assert.ok(r1.items.every((i) => i.nearest?.id !== nearest));
			assert.deepEqual({ ...cache.stats.rebuilds }, { deleted: 1 });

			const ids = await selectIds(acct);
			const eligible = async () => (await store.select('creative_variants', { where: { account_id: acct, platform: 'meta' } })).filter((r) => r.status !== 'rejected_policy');
			const [e1, e2, e3, e4] = (await eligible()).filter((r) => r.embedding_model === OFFLINE);
			await b.sql(`UPDATE $T SET primary_text = 'warm fleece jacket for the weekend trail', headline = NULL, description = NULL WHERE id = $1`, [e1!.id]);
			await same(acct, [...q, 'warm fleece jacket for the weekend trail'], cache);
			assert.equal(cache.stats.rebuilds.text, 1);

			await b.sql(`UPDATE $T SET embedding = ARRAY[${Array.from(offlineEmbed('something else entirely')).join(',')}]::real[] WHERE id = $1`, [e2!.id]);
			await same(acct, q, cache);
			await b.sql('UPDATE $T SET embedding = NULL, embedding_model = NULL WHERE id = $1', [e3!.id]);
			await same(acct, q, cache);
			assert.equal(cache.stats.rebuilds.vector, 2);

			await store.update('creative_variants', { id: e4!.id }, { status: 'rejected_policy' });
			await same(acct, q, cache);
			await store.update('creative_variants', { id: e4!.id }, { status: 'approved' });
			await same(acct, q, cache);
			assert.equal(cache.stats.rebuilds.status, 2);

			// A backfill: a new row whose created_at is older than rows the index holds.
			const backfill = `${q[0]!} Backfilled.`;
			await store.upsert('creative_variants', [{ platform: 'meta', account_id: acct, campaign_id: 'c-old', primary_text: backfill, content_hash: sha(`${acct}|backfill`), status: 'approved' }]);
			await b.sql(`UPDATE $T SET created_at = '2001-01-01T00:00:00Z' WHERE content_hash = $1`, [sha(`${acct}|backfill`)]);
			const r2 = await same(acct, [backfill, ...q], cache);
			assert.equal(r2.items[0]!.verdict, 'duplicate');
			assert.equal(cache.stats.rebuilds.order, 1);

			// And a row that merely gets a newer timestamp, or a decision: no rebuild.
			await store.update('creative_variants', { id: ids.at(-1)! }, { rejection_reason: 'touched' });
			const hits = cache.stats.hits;
			await same(acct, q, cache);
			assert.equal(cache.stats.hits, hits + 1);
			assert.equal(Object.values(cache.stats.rebuilds).reduce((a, n) => a + n, 0), 7);
		});

		test('stores are told apart, concurrent checks never share an index, an embedding failure keeps it, bounds and ADOPS_NOVELTY_CACHE=0 hold', async () => {
			const cache = new NoveltyIndexCache();
			const acct = account();
			const past = rows(acct, 21, 120);
			await store.upsert('creative_variants', past);
			const q = queries(22, past);
			await same(acct, q, cache);

			// The same account id and copy in another database: another index.
			const second = await b.other();
			try {
				await second.upsert('creative_variants', rows(acct, 21, 120).slice(0, 60));
				const there = await same(acct, q, cache, 'meta', second);
				assert.equal(there.pastVariants, rows(acct, 21, 120).slice(0, 60).filter((r) => r.platform === 'meta' && r.status !== 'rejected_policy').length);
				assert.equal(cache.size, 2);
				assert.notEqual(await second.getState('creative.novelty_cache.store_id'), await store.getState('creative.novelty_cache.store_id'));
			} finally {
				await second.close();
			}

			// Two checks of one account at once: one takes the index, the other builds its own.
			const [x, y] = await Promise.all([check(acct, q, cache), check(acct, q.slice().reverse(), cache)]);
			assert.deepEqual(x.items, (await check(acct, q, null)).items);
			assert.deepEqual(y.items, (await check(acct, q.slice().reverse(), null)).items);

			// An embedding failure leaves the cached index usable.
			const failing: Embedder = { model: OFFLINE, embed: async () => Promise.reject(new Error('embedding service down')) };
			const hits = cache.stats.hits;
			const past2 = await openStoredPast({ store, accountId: acct, platform: 'meta', embedder: failing, texts: ['a text nobody wrote'], cache });
			assert.equal(past2.cache, 'hit');
			await assert.rejects(checkStoredPast(past2, resolveThresholds()), /embedding service down/);
			await same(acct, q, cache);
			assert.equal(cache.stats.hits, hits + 2);

			// Bounds: one index at a time; an index over the byte bound is not kept.
			const one = new NoveltyIndexCache({ maxEntries: 1 });
			const other = account();
			await store.upsert('creative_variants', rows(other, 23, 50));
			await same(acct, q, one);
			await same(other, q, one);
			await same(acct, q, one);
			assert.deepEqual([one.stats.misses, one.stats.hits, one.stats.evicted, one.size], [3, 0, 2, 1]);
			const tiny = new NoveltyIndexCache({ maxBytes: 1000 });
			await same(acct, q, tiny);
			assert.deepEqual([tiny.size, tiny.stats.refused], [0, 1]);

			// ADOPS_NOVELTY_CACHE=0: no process cache, every check a fresh build.
			const saved = process.env.ADOPS_NOVELTY_CACHE;
			try {
				assert.ok(defaultNoveltyCache() instanceof NoveltyIndexCache);
				process.env.ADOPS_NOVELTY_CACHE = '0';
				assert.equal(defaultNoveltyCache(), null);
				const off = await checkNoveltyOfCopy({ accountId: acct, platform: 'meta', texts: q }, { store, embeddingModel: null });
				assert.deepEqual(off.items, (await check(acct, q, null)).items);
			} finally {
				if (saved === undefined) delete process.env.ADOPS_NOVELTY_CACHE;
				else process.env.ADOPS_NOVELTY_CACHE = saved;
			}
		});
	});
}

/** A brief whose first three new variants break no rule on Meta (the sandbox says in advance). */
function cleanBrief(base: string): string {
	for (let k = 1; k < 500; k++) {
		const brief = k === 1 ? base : `${base} Edition ${k}.`;
		if ([0, 1, 2].every((i) => sandboxCreativeCopy({ brief, platform: 'meta' }, i).breaks === null)) return brief;
	}
	throw new Error('no such brief');
}

const pgliteDir = mkdtempSync(join(tmpdir(), 'adops-novelty-cache-'));
const pgliteOther = mkdtempSync(join(tmpdir(), 'adops-novelty-cache-other-'));
registerSuite('PGlite', async () => ({
	open: () => openStore({ kind: 'embedded', path: pgliteDir }),
	sql: async (text, params = []) => {
		await (await embeddedExecutor(pgliteDir))!.query(text.replace(/\$T/g, 'creative_variants'), params);
	},
	other: () => openStore({ kind: 'embedded', path: pgliteOther }),
	cleanup: async () => {
		rmSync(pgliteDir, { recursive: true, force: true });
		rmSync(pgliteOther, { recursive: true, force: true });
	},
}));

if (DATABASE_URL) {
	const schema = `adops_novelty_cache_${randomBytes(5).toString('hex')}`;
	const otherSchema = `${schema}_other`;
	registerSuite(`PostgreSQL (schema ${schema})`, async () => {
		const admin = new Pool({ connectionString: DATABASE_URL, max: 1 });
		return {
			open: () => openStore({ kind: 'postgres', connectionString: DATABASE_URL, ssl: 'disable', schema }),
			sql: async (text, params = []) => {
				await admin.query(text.replace(/\$T/g, `"${schema}".creative_variants`), params);
			},
			other: () => openStore({ kind: 'postgres', connectionString: DATABASE_URL, ssl: 'disable', schema: otherSchema }),
			cleanup: async () => {
				await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
				await admin.query(`DROP SCHEMA IF EXISTS "${otherSchema}" CASCADE`);
				await admin.end();
			},
		};
	});
}
