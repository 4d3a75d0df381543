/**
 * Novelty check: 50 candidates against 100,000 past variants of one account.
 *
 * The past variants are realistic-length ad copy (headline-like and primary
 * texts, 6–40 words) from a seeded word generator over one shared vocabulary
 * (products, benefits, offers, calls to action), and a tenth of them are
 * mutations of earlier ones (a word swapped, clauses reordered, a sentence
 * added), so there are real near neighbours. The 50 candidates: 10 one-word
 * changes of past variants, 5 reorderings, 5 exact copies with other
 * formatting, 30 freshly generated texts.
 *
 * Three vector corpora over the same texts, each timed on its own index:
 * 1. sparse: the offline embedder's vectors (feature-hashed, about 4% of the
 *    components nonzero), which get the sparse strategy (dimension postings).
 * 2. dense, realistic: a model of OpenAI text-embedding-3 vectors (every
 *    component nonzero). Each offline vector x goes through a fixed seeded
 *    Gaussian random projection R (DIMS × DIMS, nearly orthogonal, so
 *    neighbours stay neighbours), scaled per output dimension j by
 *    σ_j = (1 + j/16)^-0.75 (Matryoshka-style front-loaded energy: the first
 *    64 of 512 dimensions carry about two thirds of it) and renormalized, plus
 *    a shared direction μ (weight 0.65, then renormalized again) so unrelated
 *    copy of one account scores about 0.3 (median; 0.18–0.45 for 80% of
 *    random pairs), as real embeddings do. The decay and the 0.3 are
 *    assumptions about real vectors, not measurements.
 * 3. dense, worst case: the offline vectors themselves stored and scanned
 *    densely (forced with sparseBelow 0): no front-loaded energy, mostly
 *    zeros, hash-collision noise.
 * The dense strategy's cost barely depends on the vectors: its float32 SIMD
 * filter scans every dimension of every pair, and only pairs within the
 * filter's error bound (1.6e-5 at 512 dimensions) of the decision are
 * completed exactly, which the "exact dot products" line counts. Ties at the
 * top (identical or near-identical vectors) are what would make that count
 * grow.
 *
 * Printed per corpus, all in the same run: the cold build (adding 100,000
 * variants with their cached vectors and building the postings: every node
 * run did this before the run layer kept the index; now the first run of a
 * process does), the query time of the fast path for the 50, and two warm
 * runs in memory: the index of the run before gets the 50 variants that run
 * stored (`add`, delta postings) and checks the next 50, as the run layer's
 * cache does (nodes/shared/creative/novelty-cache.ts). Next to them the brute
 * force (every candidate against every variant, same scores) of each, the
 * ratio, the number of candidates whose verdict, nearest variant or scores
 * differ (must be 0), and how many nearest lexical scores equal
 * `lexicalSimilarity` of the two strings (the index's trigram extraction
 * is its own code). Embedding time is printed once: in production past
 * vectors are cached in the store.
 *
 * Then (section 4, BENCH_STORE=0 skips it) the run layer end to end on a
 * PGlite store: corpus 1 seeded with its vectors (rows created over the past
 * year), a cold run (no cached index: every row read with its vector, the
 * index built, the check), and two warm runs, each after the run before
 * stored its batch: the cached index brought up to date (id list, changed
 * rows, the new rows) and checked. Their results are compared with corpus
 * 1's in-memory ones (must be 0 disagreements). The cold read takes every
 * row's vector as bytes (`embedding_f32`, migration 20250612000000: 15–20 s
 * before, with `real[]`); a second cold run (a new cache: another process)
 * and, with BENCH_LEGACY=1 (the default), one over rows whose bytes were
 * cleared (stored before the column: read through their `real[]` and
 * backfilled) are timed too.
 *
 * Section 5 (BENCH_SNAPSHOT=0 skips it): a cold process before and after
 * persisted snapshots (nodes/shared/creative/novelty-snapshot.ts), on PGlite
 * and, with DATABASE_URL, on PostgreSQL (a fresh schema): corpus 1 seeded
 * with its vectors; "before" is today's cold path (every row read, the
 * index built: a new cache without snapshots), then a process that builds
 * and writes the snapshot, then two new processes that load it (read,
 * restore, bring up to date) and check; then the first batch is stored as
 * a run stores it and a new process loads the snapshot, reads the 50 rows
 * after it and checks the next batch. Disagreements: after against before
 * (the same store's ids, field for field) and against corpus 1 in memory.
 * Printed with the load average (`uptime`'s three figures) at its start
 * and end.
 *
 *   node --import tsx test/bench/novelty.bench.ts
 *
 * Options (env): BENCH_PAST (100000), BENCH_CANDIDATES (50), BENCH_DIMS (512),
 * BENCH_DENSE (1: also time the two dense corpora; 0 to skip), BENCH_STORE
 * (1: the end-to-end section on PGlite; 0 to skip), BENCH_LEGACY (1: time
 * a cold read of rows without bytes in section 4), BENCH_JS
 * (0; 1 also times the portable JavaScript dense scan used without
 * WebAssembly SIMD, on the realistic corpus).
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { Pool } from 'pg';
import { join } from 'node:path';
import { NoveltyIndexCache, backfillStats, checkStoredPast, openStoredPast } from '../../nodes/shared/creative/novelty-cache';
import { readSnapshot, restoreIndex } from '../../nodes/shared/creative/novelty-snapshot';
import {
	NoveltyIndex,
	lexicalSimilarity,
	offlineEmbed,
	offlineEmbedder,
	resolveThresholds,
	type CandidateVariant,
	type NoveltyIndexOptions,
	type NoveltyResult,
	type PastVariant,
} from '../../nodes/shared/novelty';
import { openStore, type Store } from '../../nodes/shared/store';
import { embeddedExecutor } from '../../nodes/shared/store/embedded';
import type { SqlExecutor } from '../../nodes/shared/store/sql-runner';
import { Rng } from '../../scripts/sandbox/rng';

const PAST = Number(process.env.BENCH_PAST ?? 100_000);
const CANDIDATES = Number(process.env.BENCH_CANDIDATES ?? 50);
const DIMS = Number(process.env.BENCH_DIMS ?? 512);
const DENSE = (process.env.BENCH_DENSE ?? '1') !== '0';
const JS = (process.env.BENCH_JS ?? '0') !== '0';
const STORE = (process.env.BENCH_STORE ?? '1') !== '0';
const LEGACY = (process.env.BENCH_LEGACY ?? '1') !== '0';
const SNAPSHOT = (process.env.BENCH_SNAPSHOT ?? '1') !== '0';

/** The sandbox's seeded mulberry32, as a function: the same sequence every run. */
function rng(seed: number): () => number {
	const r = new Rng(seed);
	return () => r.next();
}

const random = rng(20250611);
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
const chance = (p: number): boolean => random() < p;

/** Pseudo-words from syllables: product names, materials, features nobody else uses. */
function coin(): string {
	const syl = ['ka', 'lo', 'ri', 'ven', 'tor', 'mi', 'sa', 'dex', 'lu', 'na', 'tri', 'vo', 'zan', 'el', 'pra', 'qui', 'mar', 'tis', 'gon', 'fel', 'ash', 'bri', 'cor', 'dun'];
	const n = 2 + Math.floor(random() * 2);
	return Array.from({ length: n }, () => pick(syl)).join('');
}

/** Real ad words shared by every account, and coined ones, drawn Zipf-like so some are common. */
function slot(real: string[], coined: number): { draw: () => string; all: string[] } {
	const all = [...real, ...Array.from({ length: coined }, coin)];
	// Zipf-like: rank r drawn with probability ∝ 1/(r+1).
	const weights = all.map((_, r) => 1 / (r + 1));
	const total = weights.reduce((a, b) => a + b, 0);
	const cdf: number[] = [];
	let acc = 0;
	for (const w of weights) cdf.push((acc += w / total));
	return {
		all,
		draw: () => {
			const x = random();
			let lo = 0;
			let hi = cdf.length - 1;
			while (lo < hi) {
				const mid = (lo + hi) >> 1;
				if (cdf[mid]! < x) lo = mid + 1;
				else hi = mid;
			}
			return all[lo]!;
		},
	};
}

const V = {
	product: slot(['jacket', 'rain shell', 'vest', 'boots', 'trail runners', 'base layer', 'socks', 'daypack', 'sleeping bag', 'stove', 'headlamp', 'bottle', 'poles', 'beanie', 'softshell', 'parka', 'pants', 'gaiters', 'duffel', 'mug', 'tent', 'hammock', 'gloves', 'hoodie'], 600),
	adjective: slot(['warm', 'light', 'lightweight', 'packable', 'waterproof', 'breathable', 'durable', 'recycled', 'soft', 'rugged', 'versatile', 'cozy', 'weatherproof', 'compact', 'comfortable', 'stretchy', 'quick-drying', 'windproof', 'insulated', 'sustainable', 'bold', 'classic', 'bright', 'quiet'], 400),
	place: slot(['trail', 'summit', 'campsite', 'commute', 'city', 'ridge', 'coast', 'backcountry', 'weekend', 'morning run', 'ski lift', 'canyon', 'lake', 'forest', 'road trip', 'office', 'festival', 'beach'], 500),
	verb: slot(['stays dry', 'packs small', 'keeps you warm', 'dries fast', 'weighs less', 'lasts', 'moves with you', 'blocks the wind', 'breathes', 'fits anywhere', 'handles the cold', 'feels soft', 'shrugs off rain', 'glows at night'], 300),
	material: slot(['fleece', 'merino', 'down', 'nylon', 'canvas', 'leather', 'cotton', 'hemp', 'wool', 'ripstop'], 400),
	offer: slot(['free shipping on every order', 'free returns for 30 days', 'up to 40% off this week', '20% off your first order', 'a lifetime warranty', 'free repairs for life', 'members save an extra 10%', 'buy one, get one half off', 'price match guaranteed', 'two-day delivery', 'no-questions-asked returns'], 0),
	cta: slot(['Shop now.', 'Shop the collection.', 'Find your fit.', 'Get yours today.', 'Gear up today.', 'See the new colors.', 'Order before Friday.', 'Explore the range.', 'Try it on at home.', 'Start your adventure.'], 0),
	opener: slot(['Meet the', 'Introducing the', 'Say hello to the', 'Your next', 'The only', 'Upgrade to the', 'Built for the', 'Discover the', 'Back in stock: the', 'Just landed: the'], 0),
	audience: slot(['hikers', 'climbers', 'runners', 'commuters', 'campers', 'families', 'skiers', 'dog walkers', 'explorers', 'thru-hikers', 'cyclists', 'students'], 300),
	number: slot(['2', '3', '5', '10', '12', '25', '30', '48', '100', '365'], 0),
};

function sentence(): string {
	const a = V.adjective.draw;
	const p = V.product.draw;
	switch (Math.floor(random() * 8)) {
		case 0:
			return `${V.opener.draw()} ${a()} ${V.material.draw()} ${p()} that ${V.verb.draw()} on the ${V.place.draw()}.`;
		case 1:
			return `Made for ${V.audience.draw()} who love the ${V.place.draw()}, our ${a()} ${p()} ${V.verb.draw()}.`;
		case 2:
			return `${cap(a())}, ${a()} and ready for the ${V.place.draw()}.`;
		case 3:
			return `Enjoy ${V.offer.draw()} on the ${V.material.draw()} ${p()}.`;
		case 4:
			return `Over ${V.number.draw()},000 ${V.audience.draw()} trust our ${V.material.draw()} ${p()} on the ${V.place.draw()}.`;
		case 5:
			return `From the ${V.place.draw()} to the ${V.place.draw()}, this ${a()} ${p()} ${V.verb.draw()}.`;
		case 6:
			return `New ${V.material.draw()} ${p()} in ${a()} colors for ${V.audience.draw()}.`;
		default:
			return `Rated ${pick(['4.6', '4.7', '4.8', '4.9'])} stars by ${V.audience.draw()}: ${V.offer.draw()}.`;
	}
}

function cap(s: string): string {
	return s.charAt(0).toUpperCase() + s.slice(1);
}

function adCopy(): string {
	if (chance(0.3)) return `${cap(V.adjective.draw())} ${V.material.draw()} ${V.product.draw()} for the ${V.place.draw()}`; // headline
	const n = 1 + Math.floor(random() * 3);
	const parts = Array.from({ length: n }, sentence);
	if (chance(0.7)) parts.push(V.cta.draw());
	return parts.join(' ');
}

const ALL_WORDS = Object.values(V).flatMap((v) => v.all).join(' ').split(' ');

function swapWord(text: string): string {
	const words = text.split(' ');
	const i = Math.floor(random() * words.length);
	words[i] = pick(ALL_WORDS);
	return words.join(' ');
}

function reorder(text: string): string {
	const parts = text.split(/(?<=[.:,])\s+/);
	if (parts.length < 2) return text.split(' ').reverse().join(' ');
	for (let i = parts.length - 1; i > 0; i--) {
		const j = Math.floor(random() * (i + 1));
		[parts[i], parts[j]] = [parts[j]!, parts[i]!];
	}
	return parts.join(' ');
}

function reformat(text: string): string {
	return `${text.toUpperCase().replace(/\./g, '!')} 🔥`;
}

function mutate(text: string): string {
	const r = random();
	if (r < 0.5) return swapWord(text);
	if (r < 0.8) return reorder(text);
	return `${text} ${sentence()}`;
}

function generate(): { past: PastVariant[]; candidates: CandidateVariant[]; next: CandidateVariant[][] } {
	const texts: string[] = [];
	for (let i = 0; i < PAST; i++) texts.push(i > 100 && chance(0.1) ? mutate(texts[Math.floor(random() * i)]!) : adCopy());
	const candidates: string[] = [];
	for (let i = 0; i < CANDIDATES; i++) {
		const base = texts[Math.floor(random() * texts.length)]!;
		const kind = i % 10;
		candidates.push(kind < 2 ? swapWord(base) : kind === 2 ? reorder(base) : kind === 3 ? reformat(base) : adCopy());
	}
	// The next two runs' candidates, each checked after the previous batch was stored: a third are edits of it.
	const later = (previous: readonly string[]): string[] => {
		const out: string[] = [];
		for (let i = 0; i < CANDIDATES; i++) {
			const kind = i % 10;
			const stored = previous[Math.floor(random() * previous.length)]!;
			const old = texts[Math.floor(random() * texts.length)]!;
			out.push(kind < 2 ? swapWord(stored) : kind === 2 ? reformat(stored) : kind === 3 ? swapWord(old) : kind === 4 ? reorder(old) : adCopy());
		}
		return out;
	};
	const second = later(candidates);
	const third = later(second);
	const batch = (list: string[]) => list.map((text) => ({ text }));
	return { past: texts.map((text, i) => ({ id: `v${i}`, text })), candidates: batch(candidates), next: [batch(second), batch(third)] };
}

const ms = (t0: number): number => performance.now() - t0;

/** The longest gap between two turns of a 5 ms interval while it runs: the longest block of the event loop (issue 21, item 3). */
function blockProbe(): { stop: () => number } {
	let last = performance.now();
	let max = 0;
	const timer = setInterval(() => {
		const now = performance.now();
		max = Math.max(max, now - last);
		last = now;
	}, 5);
	return {
		stop: () => {
			clearInterval(timer);
			return Math.max(max, performance.now() - last);
		},
	};
}
const fmt = (x: number): string => `${x.toFixed(0)} ms`;

function disagreements(a: NoveltyResult[], b: NoveltyResult[]): number {
	let n = 0;
	for (let i = 0; i < a.length; i++) {
		const x = a[i]!;
		const y = b[i]!;
		const same = x.verdict === y.verdict && x.nearest?.id === y.nearest?.id && x.nearest?.lexical === y.nearest?.lexical && x.nearest?.semantic === y.nearest?.semantic && x.batch?.index === y.batch?.index;
		if (!same) n++;
	}
	return n;
}

/** A batch of candidates as a run stores them: past variants of the next run. */
const storedAs = (batch: readonly CandidateVariant[], k: number): PastVariant[] => batch.map((c, i) => ({ id: `n${k}-${i}`, text: c.text, vector: c.vector ?? null }));

/** The batches checked in order: the first against the past variants, each later one after the batch before it was stored. */
const batchesOf = (candidates: CandidateVariant[], next: CandidateVariant[][]): CandidateVariant[][] => [candidates, ...next];

interface Reference {
	/** The fast path's results for the first batch, against the past variants. */
	first: NoveltyResult[];
	/** The brute force's for each later batch, against the past variants and the batches stored before it. */
	next: NoveltyResult[][];
}

/**
 * One corpus: cold build, query, then the warm runs (the cached index gets
 * the batch checked before as new variants and checks the next one), the
 * brute force of each, disagreements.
 */
function run(label: string, past: PastVariant[], candidates: CandidateVariant[], next: CandidateVariant[][], options: NoveltyIndexOptions = {}): Reference {
	let t0 = performance.now();
	const index = new NoveltyIndex(options).add(past);
	const mode = index.semanticMode; // builds the postings
	const build = ms(t0);
	t0 = performance.now();
	const fast = index.check(candidates);
	const query = ms(t0);
	const stats = index.lastCheck!;
	t0 = performance.now();
	const brute = index.bruteForce(candidates);
	const bruteTime = ms(t0);
	// Warm runs: what the run layer does with a cached index (nodes/shared/creative/novelty-cache.ts), in memory.
	const batches = batchesOf(candidates, next);
	const warm: Array<{ time: number; results: NoveltyResult[]; brute: NoveltyResult[]; bruteTime: number }> = [];
	const texts = new Map(past.map((p) => [p.id, p.text]));
	for (let k = 1; k < batches.length; k++) {
		const added = storedAs(batches[k - 1]!, k - 1);
		for (const p of added) texts.set(p.id, p.text);
		t0 = performance.now();
		index.add(added);
		const results = index.check(batches[k]!);
		const time = ms(t0);
		t0 = performance.now();
		const bruteK = index.bruteForce(batches[k]!);
		warm.push({ time, results, brute: bruteK, bruteTime: ms(t0) });
	}
	const counts = { novel: 0, near_duplicate: 0, duplicate: 0 };
	for (const r of fast) counts[r.verdict]++;
	const checked = [fast, ...warm.map((w) => w.results)].flatMap((rs, k) => rs.map((r, i) => [r, batches[k]![i]!] as const));
	const lexicalAgrees = checked.filter(([r, c]) => !r.nearest || r.nearest.lexical === lexicalSimilarity(c.text, texts.get(r.nearest.id)!)).length;
	const n = past.length.toLocaleString('en');
	const target = (x: number) => (x < 1000 ? '  < 1 s target met' : '  ABOVE the 1 s target');
	console.log(`\n${label} (semantic strategy: ${mode}${stats.kernel ? `, ${stats.kernel} kernel` : ''})`);
	console.log(`  cold build (add ${n} variants with their vectors, build the postings): ${fmt(build)}`);
	console.log(`  query, ${candidates.length} candidates:      ${fmt(query)}  (${(query / candidates.length).toFixed(1)} ms each)${target(query)}`);
	console.log(`  cold build + query (every run before the cache; now the first of a process): ${fmt(build + query)}${build + query < 1000 ? '  < 1 s' : '  above 1 s'}`);
	for (const [k, w] of warm.entries()) console.log(`  warm run ${k + 1}, in memory (cached index + the ${batches[k]!.length} variants stored before added + delta postings + query of the next ${batches[k + 1]!.length}): ${fmt(w.time)}${target(w.time)}`);
	if (stats.kernel === 'simd') console.log(`  exact dot products completed:    ${stats.exactDots.toLocaleString('en')} of ${stats.pairs.toLocaleString('en')} pairs (first query)`);
	console.log(`  brute force, same run:           ${fmt(bruteTime)} (first batch); ${warm.map((w, k) => `${fmt(w.bruteTime)} (warm run ${k + 1})`).join(', ')}`);
	console.log(`  ratio brute / fast:              ${(bruteTime / query).toFixed(1)}x (query); ${warm.map((w, k) => `${(w.bruteTime / w.time).toFixed(1)}x (warm run ${k + 1})`).join(', ')}`);
	console.log(`  disagreements (verdict, nearest, scores): ${disagreements(fast, brute)} of ${candidates.length} (query); ${warm.map((w, k) => `${disagreements(w.results, w.brute)} of ${w.results.length} (warm run ${k + 1})`).join(', ')}`);
	console.log(`  nearest lexical scores equal to lexicalSimilarity of the two strings: ${lexicalAgrees} of ${checked.length}`);
	console.log(`  verdicts: ${counts.duplicate} duplicate, ${counts.near_duplicate} near-duplicate, ${counts.novel} novel`);
	return { first: fast, next: warm.map((w) => w.brute) };
}

/** Standard normal from the seeded generator (Box–Muller). */
function gaussian(next: () => number): number {
	const u = 1 - next();
	return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * next());
}

/**
 * Dense corpus 2 (see the top of this file): y = normalize(σ ∘ R x) + 0.65 μ,
 * renormalized. R and μ are seeded, so every run gets the same vectors.
 */
function realisticDense(dims: number): (x: Float32Array) => Float32Array {
	const next = rng(1_536);
	// cols[i] = σ ∘ R[:, i]: x is sparse, so y = Σ over nonzero i of x[i] · cols[i].
	const cols = new Float64Array(dims * dims);
	const scale = 1 / Math.sqrt(dims);
	for (let j = 0; j < dims; j++) {
		const sigma = (1 + j / 16) ** -0.75;
		for (let i = 0; i < dims; i++) cols[i * dims + j] = gaussian(next) * scale * sigma;
	}
	const mu = new Float64Array(dims);
	for (let j = 0; j < dims; j++) mu[j] = gaussian(next) * (1 + j / 16) ** -0.75;
	const muNorm = Math.hypot(...mu);
	for (let j = 0; j < dims; j++) mu[j] = (0.65 * mu[j]!) / muNorm;
	const y = new Float64Array(dims);
	return (x) => {
		y.fill(0);
		for (let i = 0; i < dims; i++) {
			const xi = x[i]!;
			if (xi === 0) continue;
			const base = i * dims;
			for (let j = 0; j < dims; j++) y[j]! += xi * cols[base + j]!;
		}
		let n = 0;
		for (let j = 0; j < dims; j++) n += y[j]! * y[j]!;
		n = Math.sqrt(n);
		const out = new Float32Array(dims);
		if (n === 0) return out; // empty text: a zero vector stays zero
		for (let j = 0; j < dims; j++) out[j] = y[j]! / n + mu[j]!;
		return out; // the index normalizes it
	};
}

/** One check of the run layer on the bench account (openStoredPast, then checkStoredPast), timed, with the longest event-loop block. */
async function timedCheck(store: Store, cache: NoveltyIndexCache, batch: readonly CandidateVariant[]) {
	const embedder = offlineEmbedder({ dimensions: DIMS });
	const probe = blockProbe();
	const t0 = performance.now();
	const opened = await openStoredPast({ store, accountId: 'bench', platform: 'meta', embedder, texts: batch.map((c) => c.text), cache });
	const read = ms(t0);
	const t1 = performance.now();
	const out = await checkStoredPast(opened, resolveThresholds());
	return { out, read, rest: ms(t1), how: opened.cache, block: probe.stop() };
}

/** Rows of the bench account, inserted in one statement per 2,000 (the Store's upsert validates every vector component: minutes at 100,000). */
async function insertRows(exec: SqlExecutor, rows: ReadonlyArray<{ hash: string; text: string; vector: Float32Array; at: number }>): Promise<void> {
	for (let i = 0; i < rows.length; i += 2000) {
		const chunk = rows.slice(i, i + 2000).map((r, k) => ({
			campaign_id: `c${(i + k) % 20}`,
			content_hash: r.hash,
			primary_text: r.text,
			embedding: `{${Array.from(r.vector).join(',')}}`,
			at: new Date(r.at).toISOString(),
		}));
		await exec.query(
			`INSERT INTO creative_variants (platform, account_id, campaign_id, content_hash, primary_text, status, embedding, embedding_model, created_at, updated_at)
			 SELECT 'meta', 'bench', campaign_id, content_hash, primary_text, 'approved', embedding::real[], $2, at, at
			 FROM json_to_recordset($1::json) AS x(campaign_id text, content_hash text, primary_text text, embedding text, at timestamptz)`,
			[JSON.stringify(chunk), offlineEmbedder({ dimensions: DIMS }).model],
		);
	}
}

/**
 * The run layer end to end (openStoredPast + checkStoredPast, what
 * checkNoveltyOfCopy and runCreative call) on PGlite: a cold run (cache
 * miss), the first batch stored as a run stores its output, then a warm run
 * of the next batch (cache hit). Compared with corpus 1's in-memory results.
 */
async function endToEnd(past: PastVariant[], candidates: CandidateVariant[], next: CandidateVariant[][], ref: Reference): Promise<void> {
	const dir = mkdtempSync(join(tmpdir(), 'adops-novelty-bench-'));
	const store = await openStore({ kind: 'embedded', path: dir });
	try {
		const exec = (await embeddedExecutor(dir))!;
		const t0 = performance.now();
		// Created over the past year, 5 minutes apart (so the changes window of the warm run holds only what the last run stored).
		const base = Date.UTC(2024, 5, 1);
		await insertRows(exec, past.map((p, i) => ({ hash: p.id, text: p.text, vector: p.vector!, at: base + i * 300_000 })));
		const seeded = ms(t0);
		const cache = new NoveltyIndexCache();
		const embedder = offlineEmbedder({ dimensions: DIMS });
		const thresholds = resolveThresholds();
		const check = (batch: readonly CandidateVariant[]) => timedCheck(store, cache, batch);
		const cold = await check(candidates);
		// Another process's first run: a new cache, the rows read with their vectors as bytes (embedding_f32).
		const cold2 = await timedCheck(store, new NoveltyIndexCache(), candidates);
		// Rows stored before the bytes column (BENCH_LEGACY=1): bytes cleared, the first cold read takes their real[] and backfills them.
		let legacy: { read: number; rest: number; out: typeof cold.out; block: number } | null = null;
		let filled = 0;
		if (LEGACY) {
			await exec.query('ALTER TABLE creative_variants DISABLE TRIGGER USER');
			await exec.query('UPDATE creative_variants SET embedding_f32 = NULL');
			await exec.query('ALTER TABLE creative_variants ENABLE TRIGGER USER');
			const probe = blockProbe();
			const filledBefore = backfillStats.rows;
			const t0 = performance.now();
			const opened = await openStoredPast({ store, accountId: 'bench', platform: 'meta', embedder, texts: candidates.map((c) => c.text), cache: new NoveltyIndexCache() });
			filled = backfillStats.rows - filledBefore;
			const read = ms(t0);
			const t1 = performance.now();
			legacy = { out: (await checkStoredPast(opened, thresholds)), read, rest: ms(t1), block: probe.stop() };
		}
		const batches = batchesOf(candidates, next);
		const warm: Array<Awaited<ReturnType<typeof check>>> = [];
		let stored = Math.max(Date.now(), base + past.length * 300_000 + 60_000);
		for (let k = 1; k < batches.length; k++) {
			// The run before stored its output: the batch it checked, created now (ordered as the in-memory runs add them).
			await insertRows(exec, storedAs(batches[k - 1]!, k - 1).map((p, i) => ({ hash: p.id, text: p.text, vector: p.vector!, at: stored + i })));
			stored += 1000;
			warm.push(await check(batches[k]!));
		}
		// Nearest ids → the bench's ids (kept as content_hash).
		const ids = [...new Set([cold, cold2, ...(legacy ? [legacy] : []), ...warm].flatMap((x) => x.out.results.flatMap((r) => (r.nearest ? [r.nearest.id] : []))))];
		const hash = new Map<string, string>();
		for (let i = 0; i < ids.length; i += 200) for (const row of await store.selectColumns('creative_variants', ['id', 'content_hash'], { where: { id: { in: ids.slice(i, i + 200) } } })) hash.set(row.id, row.content_hash);
		const mapped = (rs: NoveltyResult[]) => rs.map((r) => (r.nearest ? { ...r, nearest: { ...r.nearest, id: hash.get(r.nearest.id)! } } : r));
		const total = (x: { read: number; rest: number }) => x.read + x.rest;
		console.log(`\n4. the run layer end to end on PGlite (openStoredPast + checkStoredPast, as checkNoveltyOfCopy and runCreative call them; corpus 1, offline embedder)`);
		console.log(`  seeded ${past.length.toLocaleString('en')} rows with their vectors in ${fmt(seeded)} (created over the past year)`);
		const under2 = (x: number) => (x < 2000 ? '  < 2 s target met' : '  ABOVE the 2 s target');
		console.log(`  cold run (${cold.how}: read every row with its vector as bytes ${fmt(cold.read)}; build + query + nearest rows ${fmt(cold.rest)}): ${fmt(total(cold))}${under2(total(cold))}; longest event-loop block ${fmt(cold.block)}`);
		console.log(`  cold run of another process (${cold2.how}: read ${fmt(cold2.read)}; build + query + nearest rows ${fmt(cold2.rest)}): ${fmt(total(cold2))}${under2(total(cold2))}; longest event-loop block ${fmt(cold2.block)}`);
		if (legacy) console.log(`  cold run over rows stored before the bytes column (their real[] read, and ${filled.toLocaleString('en')} of ${past.length.toLocaleString('en')} backfilled within the time budget, ${fmt(legacy.read)}; build + query + nearest rows ${fmt(legacy.rest)}): ${fmt(total(legacy))}; longest event-loop block ${fmt(legacy.block)}; disagreements ${disagreements(mapped(legacy.out.results), ref.first)} of ${candidates.length}`);
		for (const [k, w] of warm.entries()) {
			console.log(
				`  warm run ${k + 1}, after the run before stored its ${batches[k]!.length} (${w.how}: id list + changed rows + the new rows read ${fmt(w.read)}; add + query + nearest rows ${fmt(w.rest)}): ${fmt(total(w))}${total(w) < 1000 ? '  < 1 s target met' : '  ABOVE the 1 s target'}; longest event-loop block ${fmt(w.block)}`,
			);
		}
		console.log(`  disagreements with corpus 1 in memory (verdict, nearest, scores): ${disagreements(mapped(cold.out.results), ref.first)} of ${candidates.length} (cold run, vs the fast path); ${disagreements(mapped(cold2.out.results), ref.first)} of ${candidates.length} (cold run of another process); ${warm.map((w, k) => `${disagreements(mapped(w.out.results), ref.next[k]!)} of ${w.out.results.length} (warm run ${k + 1}, vs its brute force)`).join(', ')}`);
	} finally {
		await store.close();
		rmSync(dir, { recursive: true, force: true });
	}
}

const load = (): string => loadavg().map((x) => x.toFixed(2)).join(', ');

/**
 * Section 5: a cold process (its first check of the account) before and
 * after persisted snapshots, on one store (see the top of this file).
 */
async function coldSnapshots(label: string, store: Store, exec: Pick<SqlExecutor, 'query'>, past: PastVariant[], candidates: CandidateVariant[], next: CandidateVariant[][], ref: Reference): Promise<void> {
	console.log(`\n5. cold process before and after persisted snapshots, ${label} (load average at start: ${load()})`);
	let t0 = performance.now();
	const base = Date.UTC(2024, 5, 1);
	await insertRows(exec as SqlExecutor, past.map((p, i) => ({ hash: p.id, text: p.text, vector: p.vector!, at: base + i * 300_000 })));
	console.log(`  seeded ${past.length.toLocaleString('en')} rows with their vectors in ${fmt(ms(t0))}`);
	const embedder = offlineEmbedder({ dimensions: DIMS });
	const cold = (cache: NoveltyIndexCache, batch: readonly CandidateVariant[]) => timedCheck(store, cache, batch);
	const total = (x: { read: number; rest: number }) => x.read + x.rest;
	const under2 = (x: number) => (x < 2000 ? '  < 2 s target met' : '  ABOVE the 2 s target');
	const before = await cold(new NoveltyIndexCache(), candidates);
	console.log(`  before, today's cold path (${before.how}: every row read with its vector as bytes ${fmt(before.read)}; build + query + nearest rows ${fmt(before.rest)}): ${fmt(total(before))}${under2(total(before))}; longest event-loop block ${fmt(before.block)}`);
	const writer = new NoveltyIndexCache({ snapshots: true });
	const written = await cold(writer, candidates);
	const headSnap = await readSnapshot(store, { accountId: 'bench', platform: 'meta', model: embedder.model });
	console.log(
		`  a process that builds and writes the snapshot (${written.how}: read ${fmt(written.read)}; build + query + nearest rows + snapshot write ${fmt(written.rest)}): ${fmt(total(written))}; ${writer.stats.snapshots.written} written, ${headSnap.ok ? `${(headSnap.bytes / 1e6).toFixed(1)} MB deflated` : `unreadable (${headSnap.reason})`}; longest event-loop block ${fmt(written.block)}`,
	);
	const afters: Array<Awaited<ReturnType<typeof cold>>> = [];
	for (let k = 0; k < 2; k++) {
		const cache = new NoveltyIndexCache({ snapshots: true });
		const after = await cold(cache, candidates);
		afters.push(after);
		console.log(`  after, cold process ${k + 1} (${after.how}: snapshot read + restore + id list and changed rows ${fmt(after.read)}; query + nearest rows ${fmt(after.rest)}): ${fmt(total(after))}${under2(total(after))}; longest event-loop block ${fmt(after.block)}`);
	}
	// Where the time of the snapshot load goes, measured apart.
	t0 = performance.now();
	const snap = await readSnapshot(store, { accountId: 'bench', platform: 'meta', model: embedder.model });
	const readMs = ms(t0);
	t0 = performance.now();
	const restored = snap.ok ? await restoreIndex(snap.content.state) : null;
	const restoreMs = ms(t0);
	t0 = performance.now();
	await restored?.buildAsync();
	console.log(`    of which, measured apart: the snapshot's parts read, digest, inflate and decode ${fmt(readMs)}; the index restored ${fmt(restoreMs)}; its postings built ${fmt(ms(t0))}`);
	// The run before stored its batch; a new process loads the snapshot, reads the rows after it and checks the next batch.
	const batches = batchesOf(candidates, next);
	await insertRows(exec as SqlExecutor, storedAs(batches[0]!, 0).map((p, i) => ({ hash: p.id, text: p.text, vector: p.vector!, at: Math.max(Date.now(), base + past.length * 300_000 + 60_000) + i })));
	const stale = await cold(new NoveltyIndexCache({ snapshots: true }), batches[1]!);
	console.log(`  after, cold process with ${batches[0]!.length} variants stored after the snapshot (${stale.how}: ${fmt(stale.read)}; add + query + nearest rows ${fmt(stale.rest)}): ${fmt(total(stale))}${under2(total(stale))}; longest event-loop block ${fmt(stale.block)}`);
	const ids = [...new Set([before, ...afters, stale].flatMap((x) => x.out.results.flatMap((r) => (r.nearest ? [r.nearest.id] : []))))];
	const hash = new Map<string, string>();
	for (let i = 0; i < ids.length; i += 200) for (const row of await store.selectColumns('creative_variants', ['id', 'content_hash'], { where: { id: { in: ids.slice(i, i + 200) } } })) hash.set(row.id, row.content_hash);
	const mapped = (rs: NoveltyResult[]) => rs.map((r) => (r.nearest ? { ...r, nearest: { ...r.nearest, id: hash.get(r.nearest.id)! } } : r));
	const strict = (a: NoveltyResult[], b: NoveltyResult[]) => a.filter((r, i) => JSON.stringify(r) !== JSON.stringify(b[i])).length;
	console.log(
		`  disagreements: after vs before, field for field: ${afters.map((a, k) => `${strict(a.out.results, before.out.results)} of ${candidates.length} (process ${k + 1})`).join(', ')}; vs corpus 1 in memory: ${disagreements(mapped(before.out.results), ref.first)} (before), ${afters.map((a) => disagreements(mapped(a.out.results), ref.first)).join(', ')} (after), ${disagreements(mapped(stale.out.results), ref.next[0]!)} of ${batches[1]!.length} (after, rows stored after the snapshot, vs its brute force)`,
	);
	console.log(`  load average at end: ${load()}`);
}

async function snapshotSection(past: PastVariant[], candidates: CandidateVariant[], next: CandidateVariant[][], ref: Reference): Promise<void> {
	const dir = mkdtempSync(join(tmpdir(), 'adops-novelty-snapshot-bench-'));
	const store = await openStore({ kind: 'embedded', path: dir });
	try {
		await coldSnapshots('PGlite', store, (await embeddedExecutor(dir))!, past, candidates, next, ref);
	} finally {
		await store.close();
		rmSync(dir, { recursive: true, force: true });
	}
	const url = process.env.DATABASE_URL;
	if (!url) return;
	const schema = `novelty_bench_${randomBytes(4).toString('hex')}`;
	const pg = await openStore({ kind: 'postgres', connectionString: url, ssl: 'disable', schema });
	const pool = new Pool({ connectionString: url, max: 1, options: `-c search_path=${schema}` });
	try {
		await coldSnapshots('PostgreSQL', pg, { query: (sql, params) => pool.query(sql, params as unknown[]) as never }, past, candidates, next, ref);
	} finally {
		await pg.close();
		await pool.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
		await pool.end();
	}
}

async function main(): Promise<void> {
	console.log(`novelty bench: ${CANDIDATES} candidates × ${PAST.toLocaleString('en')} past variants, ${DIMS} dimensions, node ${process.version}`);
	let t0 = performance.now();
	const { past, candidates, next } = generate();
	const words = past.reduce((s, p) => s + p.text.split(' ').length, 0) / past.length;
	console.log(`  corpus generated in ${fmt(ms(t0))}, ${words.toFixed(1)} words per variant on average`);
	t0 = performance.now();
	for (const p of past) p.vector = offlineEmbed(p.text, DIMS);
	for (const c of [...candidates, ...next.flat()]) c.vector = offlineEmbed(c.text, DIMS);
	console.log(`  embedded ${past.length + candidates.length + next.flat().length} texts offline in ${fmt(ms(t0))} (once; cached in the store in production)`);
	const sparse = run('1. sparse: offline embedder vectors', past, candidates, next);
	if (STORE) await endToEnd(past, candidates, next, sparse);
	if (SNAPSHOT) await snapshotSection(past, candidates, next, sparse);
	if (!DENSE) return;
	t0 = performance.now();
	const project = realisticDense(DIMS);
	const densePast = past.map((p) => ({ ...p, vector: project(p.vector!) }));
	const denseCandidates = candidates.map((c) => ({ ...c, vector: project(c.vector!) }));
	const denseNext = next.map((batch) => batch.map((c) => ({ ...c, vector: project(c.vector!) })));
	console.log(`\n  realistic dense vectors derived in ${fmt(ms(t0))} (stand-in for cached OpenAI embeddings)`);
	run('2. dense, realistic: projected, front-loaded, anisotropic (models OpenAI text-embedding-3)', densePast, denseCandidates, denseNext);
	run('3. dense, worst case: offline hashed vectors scanned densely', past, candidates, next, { sparseBelow: 0 });
	if (JS) run('2 again with the portable JavaScript scan (no WebAssembly SIMD)', densePast, denseCandidates, denseNext, { simd: false });
}

void main();
