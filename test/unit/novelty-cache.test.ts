/**
 * What the creative run layer's index cache relies on (the store side is in
 * test/contract/creative-novelty-cache.test.ts):
 * - a `NoveltyIndex` that grows by `add` between checks answers exactly as
 *   one built in a single `add` (and as its brute force), whatever the
 *   vectors do meanwhile (first vector late, sparse turning dense and back);
 * - `checkNoveltyWith` on an index that already holds some variants is
 *   `checkNovelty` over all of them, with the same single embedding call;
 * - the fast trigram path of `add` scores as `lexicalSimilarity` on text
 *   full of what normalization treats specially;
 * - `NoveltyIndexCache`'s bounds and switches.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'vitest';
import fc from 'fast-check';
import { NoveltyIndexCache, defaultNoveltyCache, noveltyCacheEnabled } from '../../nodes/shared/creative/novelty-cache';
import {
	NoveltyIndex,
	checkNovelty,
	checkNoveltyWith,
	embedderFromFunction,
	lexicalSimilarity,
	normalizeVector,
	offlineEmbed,
	type CandidateVariant,
	type NoveltyThresholds,
	type PastVariant,
} from '../../nodes/shared/novelty';

const VOCAB = ['free', 'shipping', "don't", 'R&D', '20%', 'off', 'C++', 'rock`n`roll', "customers'", 'the', 'café', '🔥', 'new', 'COATS', 'cozy', '$49', 'a', 'x-ray', 'NOW!!', "it''s"];
const textArb = fc.tuple(fc.array(fc.constantFrom(...VOCAB), { minLength: 0, maxLength: 9 }), fc.constantFrom(' ', '  ', '\t', ', ', '-')).map(([w, sep]) => w.join(sep));
const thresholdArb: fc.Arbitrary<NoveltyThresholds> = fc
	.tuple(fc.double({ min: 0.05, max: 1, noNaN: true }), fc.double({ min: 0.05, max: 1, noNaN: true }), fc.double({ min: 0.05, max: 1, noNaN: true }), fc.double({ min: 0.05, max: 1, noNaN: true }))
	.map(([a, b, c, d]) => ({ lexical: { nearDuplicate: Math.min(a, b), duplicate: Math.max(a, b) }, semantic: { nearDuplicate: Math.min(c, d), duplicate: Math.max(c, d) } }));

/** none, the offline (sparse) vector, a dense one, or a zero vector. */
const DIMS = 24;
const vectorKind = fc.constantFrom('none', 'sparse', 'sparse', 'dense', 'zero');
const denseOf = (text: string): Float32Array => {
	let h = 2166136261;
	for (const ch of text) h = Math.imul(h ^ ch.codePointAt(0)!, 16777619) >>> 0;
	return Float32Array.from({ length: DIMS }, (_, i) => Math.sin(h + i * 7.1));
};
const vectorFor = (kind: string, text: string): Float32Array | null => (kind === 'none' ? null : kind === 'sparse' ? offlineEmbed(text, DIMS) : kind === 'dense' ? denseOf(text) : new Float32Array(DIMS));

describe('a NoveltyIndex grown between checks', () => {
	for (const sparseBelow of [0.35, 0, 2]) {
		test(`answers as one built at once and as the brute force (sparseBelow ${sparseBelow}, property)`, () => {
			fc.assert(
				fc.property(
					fc.array(fc.tuple(textArb, vectorKind), { minLength: 1, maxLength: 40 }),
					fc.array(fc.nat(), { minLength: 0, maxLength: 4 }),
					fc.array(fc.tuple(textArb, fc.boolean()), { minLength: 1, maxLength: 5 }),
					thresholdArb,
					(spec, cuts, candSpec, t) => {
						const past: PastVariant[] = spec.map(([text, kind], i) => ({ id: `p${i}`, text, vector: vectorFor(kind, text) }));
						const candidates: CandidateVariant[] = candSpec.map(([text, withVector]) => ({ text, vector: withVector ? vectorFor('sparse', text) : null }));
						const points = [...new Set(cuts.map((c) => c % (past.length + 1)))].sort((a, b) => a - b);
						const grown = new NoveltyIndex({ sparseBelow });
						let from = 0;
						for (const p of [...points, past.length]) {
							grown.add(past.slice(from, p));
							from = p;
							grown.check(candidates, t); // a check between adds
						}
						const once = new NoveltyIndex({ sparseBelow }).add(past);
						const expected = once.check(candidates, t);
						assert.deepEqual(grown.check(candidates, t), expected);
						assert.deepEqual(grown.bruteForce(candidates, t), expected);
						assert.equal(grown.semanticMode, once.semanticMode);
						for (const [i, r] of expected.entries()) {
							if (!r.nearest) continue;
							const p = past.find((x) => x.id === r.nearest!.id)!;
							assert.equal(r.nearest.lexical, lexicalSimilarity(candidates[i]!.text, p.text));
						}
						for (let d = 0; d < past.length; d++) {
							assert.equal(grown.idAt(d), past[d]!.id);
							assert.equal(grown.textAt(d), past[d]!.text);
							const v = past[d]!.vector;
							if (v) assert.ok(grown.sameVector(d, v) && grown.sameVector(d, Float32Array.from(v, (x) => x * 4)), 'the same unit vector');
						}
					},
				),
				{ numRuns: 80 },
			);
		});
	}

	test('dense, then sparse again: the postings come from a scan once the recorded dimensions were given up', () => {
		const idx = new NoveltyIndex();
		idx.add([{ id: 'd', text: 'dense one', vector: denseOf('dense one') }]);
		assert.equal(idx.semanticMode, 'dense');
		idx.add(Array.from({ length: 30 }, (_, i) => ({ id: `s${i}`, text: `sparse ${i} warm jacket`, vector: offlineEmbed(`sparse ${i} warm jacket`, DIMS).map((x, k) => (k % 6 === 0 ? x : 0)) })));
		assert.equal(idx.semanticMode, 'sparse');
		const candidates = [{ text: 'sparse 3 warm jacket', vector: offlineEmbed('sparse 3 warm jacket', DIMS) }, { text: 'dense one', vector: denseOf('dense one') }];
		assert.deepEqual(idx.check(candidates), idx.bruteForce(candidates));
	});

	test('sameVector tells vectors apart bit for bit, and says false without one', () => {
		const a = offlineEmbed('warm fleece jacket', DIMS);
		const idx = new NoveltyIndex().add([
			{ id: 'a', text: 'warm fleece jacket', vector: a },
			{ id: 'b', text: 'no vector' },
		]);
		assert.ok(idx.sameVector(0, a));
		const nudged = normalizeVector(a);
		const k = nudged.findIndex((x) => x !== 0);
		nudged[k] = Math.fround(nudged[k]! * (1 + 2 ** -20));
		assert.equal(idx.sameVector(0, nudged), false);
		assert.equal(idx.sameVector(1, a), false);
		assert.equal(idx.sameVector(0, new Float32Array(DIMS + 1)), false);
		assert.ok(idx.memoryBytes() > 37 ** 3 * 4);
	});

	test('a refused vector leaves the index as it was', () => {
		const idx = new NoveltyIndex().add([{ id: 'a', text: 'warm fleece jacket', vector: offlineEmbed('warm fleece jacket', DIMS) }]);
		assert.throws(() => idx.add([{ id: 'b', text: 'x', vector: new Float32Array(DIMS + 1) }]));
		assert.throws(() => idx.add([{ id: 'c', text: 'y', vector: Float32Array.from({ length: DIMS }, (_, i) => (i === 3 ? Number.NaN : 1)) }]));
		assert.equal(idx.size, 1);
		const c = [{ text: 'warm fleece jackets', vector: offlineEmbed('warm fleece jackets', DIMS) }];
		assert.deepEqual(idx.check(c), new NoveltyIndex().add([{ id: 'a', text: 'warm fleece jacket', vector: offlineEmbed('warm fleece jacket', DIMS) }]).check(c));
	});
});

describe('checkNoveltyWith', () => {
	test('on an index holding the first variants equals checkNovelty over all, with the same one embedding call (property)', async () => {
		await fc.assert(
			fc.asyncProperty(fc.array(fc.tuple(textArb, fc.boolean()), { minLength: 0, maxLength: 30 }), fc.nat(), fc.array(textArb, { minLength: 1, maxLength: 5 }), async (spec, cut, candidates) => {
				const model = 'test@24';
				const past = spec.map(([text, cached], i) => ({ id: `p${i}`, text, vector: cached ? offlineEmbed(text, DIMS) : null, vectorModel: cached ? model : null }));
				const k = past.length === 0 ? 0 : cut % (past.length + 1);
				const calls: string[][] = [];
				const embedder = embedderFromFunction(model, async (texts) => {
					calls.push([...texts]);
					return texts.map((t) => offlineEmbed(t, DIMS));
				});
				const all = await checkNovelty({ candidates, past, embedder });
				const callsAll = calls.splice(0);
				// The first k variants are in the index already, with their vectors (as a cached index holds them).
				const index = new NoveltyIndex().add(past.slice(0, k).map((p) => ({ ...p, vector: p.vector ?? offlineEmbed(p.text, DIMS) })));
				const rest = await checkNoveltyWith(index, { candidates, past: past.slice(k), embedder });
				assert.deepEqual(rest.results, all.results);
				assert.deepEqual(rest.candidateVectors, all.candidateVectors);
				assert.deepEqual(rest.computed, all.computed.filter((c) => Number(c.id.slice(1)) >= k));
				assert.equal(calls.length, 1);
				assert.deepEqual(calls[0], [...past.slice(k).filter((p) => !p.vector).map((p) => p.text), ...candidates]);
				assert.deepEqual(callsAll[0]!.slice(-candidates.length), candidates);
			}),
			{ numRuns: 60 },
		);
	});

	test('an embedding failure leaves the index untouched', async () => {
		const index = new NoveltyIndex().add([{ id: 'a', text: 'warm fleece jacket' }]);
		const failing = embedderFromFunction('test@24', async () => {
			throw new Error('down');
		});
		await assert.rejects(checkNoveltyWith(index, { candidates: ['x'], past: [{ id: 'b', text: 'y' }], embedder: failing }), /down/);
		assert.equal(index.size, 1);
	});
});

describe('NoveltyIndexCache', () => {
	const entry = (n: number) => {
		const index = new NoveltyIndex().add(Array.from({ length: n }, (_, i) => ({ id: `v${i}`, text: `variant ${i}` })));
		return { index, docOf: new Map(), vec: new Uint8Array(8), updated: new Float64Array(8), unsaved: 0, firstStored: new Map(), excluded: new Set<string>(), newest: null, bytes: 0, snapshotSize: null };
	};

	test('take hands an index out (a concurrent run finds none), put keeps the most recent ones within the bounds', () => {
		const cache = new NoveltyIndexCache({ maxEntries: 2 });
		const a = entry(3);
		assert.ok(cache.put('a', a));
		assert.ok(cache.put('b', entry(3)));
		assert.equal(cache.take('a'), a);
		assert.equal(cache.take('a'), undefined, 'in use: not handed out twice');
		cache.put('a', a); // back, now the most recent
		cache.put('c', entry(3));
		assert.deepEqual(cache.keys(), ['a', 'c'], 'b, least recently used, is out');
		assert.equal(cache.stats.evicted, 1);
		assert.ok(cache.bytes > 0 && cache.bytes === a.bytes + cache.take('c')!.bytes);
	});

	test('bytes: an index above the bound is not kept, and older ones make room for a new one', () => {
		const one = entry(10);
		const size = new NoveltyIndexCache().put('x', one) ? one.bytes : 0;
		const cache = new NoveltyIndexCache({ maxBytes: size * 2.5 });
		cache.put('a', entry(10));
		cache.put('b', entry(10));
		cache.put('c', entry(10));
		assert.deepEqual(cache.keys(), ['b', 'c']);
		const small = new NoveltyIndexCache({ maxBytes: size - 1 });
		assert.equal(small.put('a', entry(10)), false);
		assert.deepEqual([small.size, small.stats.refused], [0, 1]);
		assert.equal(new NoveltyIndexCache({ maxEntries: 0 }).put('a', entry(1)), false);
		assert.throws(() => new NoveltyIndexCache({ maxBytes: Number.NaN }), RangeError);
	});

	test('ADOPS_NOVELTY_CACHE turns the process cache off; ADOPS_NOVELTY_CACHE_MB and _ENTRIES bound it', () => {
		for (const off of ['0', 'false', 'OFF', ' no ']) assert.equal(noveltyCacheEnabled({ ADOPS_NOVELTY_CACHE: off }), false);
		for (const on of [undefined, '', '1', 'true']) assert.equal(noveltyCacheEnabled({ ADOPS_NOVELTY_CACHE: on }), true);
		const saved = { ...process.env };
		try {
			process.env.ADOPS_NOVELTY_CACHE = '0';
			assert.equal(defaultNoveltyCache(), null);
			process.env.ADOPS_NOVELTY_CACHE = '1';
			process.env.ADOPS_NOVELTY_CACHE_MB = '64';
			process.env.ADOPS_NOVELTY_CACHE_ENTRIES = '2';
			const cache = defaultNoveltyCache()!;
			assert.deepEqual([cache.maxBytes, cache.maxEntries], [64 * 1024 * 1024, 2]);
			assert.equal(defaultNoveltyCache(), cache, 'one per process');
			process.env.ADOPS_NOVELTY_CACHE = '0';
			assert.equal(defaultNoveltyCache(), null);
			process.env.ADOPS_NOVELTY_CACHE = '1';
			assert.notEqual(defaultNoveltyCache(), cache, 'turning it off freed it');
		} finally {
			for (const k of ['ADOPS_NOVELTY_CACHE', 'ADOPS_NOVELTY_CACHE_MB', 'ADOPS_NOVELTY_CACHE_ENTRIES']) {
				if (saved[k] === undefined) delete process.env[k];
				else process.env[k] = saved[k];
			}
		}
	});
});
