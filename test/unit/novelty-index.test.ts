import assert from 'node:assert/strict';
import { describe, test } from 'vitest';
import fc from 'fast-check';
import {
	DEFAULT_THRESHOLDS,
	NoveltyIndex,
	NoveltyThresholdError,
	VectorFormatError,
	checkNovelty,
	cosine,
	embedderFromFunction,
	lexicalSimilarity,
	offlineEmbed,
	offlineEmbedder,
	pairVerdict,
	resolveThresholds,
	type CandidateVariant,
	type NoveltyThresholds,
	type PastVariant,
} from '../../nodes/shared/novelty';

const VOCAB = ['free', 'shipping', 'returns', 'warm', 'fleece', 'jacket', 'trail', 'sale', '20%', 'off', 'shop', 'now', 'the', 'our', 'café', '🔥', 'new', 'coats', 'cozy', 'delivery'];

const textArb = fc.array(fc.constantFrom(...VOCAB), { minLength: 0, maxLength: 10 }).map((w) => w.join(' '));

const thresholdArb: fc.Arbitrary<NoveltyThresholds> = fc
	.tuple(fc.double({ min: 0.05, max: 1, noNaN: true }), fc.double({ min: 0.05, max: 1, noNaN: true }), fc.double({ min: 0.05, max: 1, noNaN: true }), fc.double({ min: 0.05, max: 1, noNaN: true }))
	.map(([a, b, c, d]) => ({ lexical: { nearDuplicate: Math.min(a, b), duplicate: Math.max(a, b) }, semantic: { nearDuplicate: Math.min(c, d), duplicate: Math.max(c, d) } }));

describe('index vs brute force', () => {
	for (const [label, sparseBelow] of [
		['sparse strategy', 1],
		['dense strategy', 0],
	] as const) {
		test(`same results on random corpora, offline vectors, ${label} (property)`, () => {
			fc.assert(
				fc.property(
					fc.array(fc.tuple(textArb, fc.boolean()), { minLength: 0, maxLength: 40 }),
					fc.array(fc.tuple(textArb, fc.boolean()), { minLength: 1, maxLength: 6 }),
					thresholdArb,
					(pastSpec, candSpec, t) => {
						const past: PastVariant[] = pastSpec.map(([text, withVector], i) => ({ id: `p${i}`, text, vector: withVector ? offlineEmbed(text, 32) : null }));
						const candidates: CandidateVariant[] = candSpec.map(([text, withVector]) => ({ text, vector: withVector ? offlineEmbed(text, 32) : null }));
						const index = new NoveltyIndex({ sparseBelow }).add(past);
						const fast = index.check(candidates, t);
						assert.deepEqual(fast, index.bruteForce(candidates, t));
						// And the scores are the plain functions' scores.
						for (const [i, r] of fast.entries()) {
							if (!r.nearest) continue;
							const p = past.find((x) => x.id === r.nearest!.id)!;
							assert.equal(r.nearest.lexical, lexicalSimilarity(candidates[i]!.text, p.text));
							if (r.nearest.semantic === null) assert.ok(!candidates[i]!.vector || !p.vector);
							else assert.ok(Math.abs(r.nearest.semantic - cosine(candidates[i]!.vector!, p.vector!)) < 1e-6);
						}
					},
				),
				{ numRuns: 60 },
			);
		});
	}

	test('same results with random dense vectors and duplicates of past text (property)', () => {
		const vec = fc.array(fc.double({ min: -1, max: 1, noNaN: true }), { minLength: 8, maxLength: 8 }).map((xs) => Float32Array.from(xs));
		fc.assert(
			fc.property(fc.array(fc.tuple(textArb, vec), { minLength: 1, maxLength: 30 }), fc.array(fc.nat(), { minLength: 1, maxLength: 5 }), thresholdArb, (pastSpec, picks, t) => {
				const past = pastSpec.map(([text, vector], i) => ({ id: `p${i}`, text, vector }));
				// Candidates copy past variants (text and vector), so exact ties happen.
				const candidates = picks.map((k) => past[k % past.length]!);
				const index = new NoveltyIndex({ sparseBelow: 0 }).add(past);
				assert.equal(index.semanticMode, 'dense');
				assert.deepEqual(index.check(candidates, t), index.bruteForce(candidates, t));
			}),
			{ numRuns: 100 },
		);
	});

	test('offline vectors use the sparse strategy', () => {
		const index = new NoveltyIndex().add([{ id: 'a', text: 'Free shipping on jackets', vector: offlineEmbed('Free shipping on jackets') }]);
		assert.equal(index.semanticMode, 'sparse');
		assert.equal(new NoveltyIndex().add([{ id: 'a', text: 'x' }]).semanticMode, 'none');
	});
});

describe('verdicts and nearest', () => {
	const past: PastVariant[] = [
		{ id: 'v1', text: 'Stay warm on every trail with our recycled fleece jacket.' },
		{ id: 'v2', text: 'Free returns on all jackets, all winter long.' },
		{ id: 'v3', text: 'Quarterly tax estimates calculated for you.' },
	];
	const index = new NoveltyIndex().add(past);

	test('duplicate, near-duplicate and novel, with the nearest past variant named', () => {
		const [dup, near, novel] = index.check([{ text: 'All winter long, FREE RETURNS on all jackets!' }, { text: 'Stay warm on every hike with our recycled fleece jacket.' }, { text: 'Puppy training classes online, taught by certified trainers.' }]);
		assert.equal(dup!.verdict, 'duplicate');
		assert.equal(dup!.nearest!.id, 'v2');
		assert.equal(dup!.nearest!.text, past[1]!.text);
		assert.equal(dup!.nearest!.lexical, 1);
		assert.equal(dup!.nearest!.semantic, null, 'no vectors, no semantic score');
		assert.match(dup!.reason, /Duplicate of past variant v2 \(lexical 1\.00; thresholds lexical 0\.9/);
		assert.equal(near!.verdict, 'near_duplicate');
		assert.equal(near!.nearest!.id, 'v1');
		assert.match(near!.reason, /Near-duplicate of past variant v1/);
		assert.equal(novel!.verdict, 'novel');
		assert.match(novel!.reason, /^Novel/);
	});

	test('thresholds are the user’s: stricter settings flag more', () => {
		const [r] = index.check([{ text: 'Winter coats with free returns.' }]);
		assert.equal(r!.verdict, 'novel');
		const [s] = index.check([{ text: 'Winter coats with free returns.' }], { lexical: { nearDuplicate: 0.3 } });
		assert.equal(s!.verdict, 'near_duplicate');
	});

	test('batch-internal duplicates: a later candidate is flagged against an earlier one', () => {
		const res = index.check([{ text: 'Puppy training classes online.' }, { text: 'Dental chews that freshen breath.' }, { text: 'Online puppy training classes!' }, { text: 'Puppy training classes online, now with a free first lesson.' }]);
		assert.equal(res[0]!.verdict, 'novel');
		assert.equal(res[0]!.batch, null);
		assert.equal(res[1]!.verdict, 'novel');
		assert.equal(res[2]!.verdict, 'duplicate');
		assert.equal(res[2]!.batch!.index, 0);
		assert.equal(res[2]!.batch!.verdict, 'duplicate');
		assert.match(res[2]!.reason, /candidate #1 in this batch/);
		assert.equal(res[3]!.batch!.index, 0);
		assert.equal(res[3]!.verdict, 'near_duplicate');
	});

	test('the verdict is the worse of past and batch', () => {
		const res = index.check([{ text: 'Free returns on all jackets, all winter long.' }, { text: 'Free returns on all jackets, all winter long.' }]);
		assert.equal(res[1]!.nearest!.verdict, 'duplicate');
		assert.equal(res[1]!.batch!.verdict, 'duplicate');
		assert.match(res[1]!.reason, /past variant v2/);
	});

	test('empty index, empty candidate, empty past text', () => {
		const [r] = new NoveltyIndex().check([{ text: 'Anything' }]);
		assert.equal(r!.verdict, 'novel');
		assert.equal(r!.nearest, null);
		assert.match(r!.reason, /shares nothing/);
		const withEmpty = new NoveltyIndex().add([{ id: 'e', text: '…' }, { id: 'x', text: 'Shop now' }]);
		const [e, f] = withEmpty.check([{ text: '' }, { text: 'Shop now' }]);
		assert.equal(e!.verdict, 'duplicate', 'empty equals empty');
		assert.equal(e!.nearest!.id, 'e');
		assert.equal(e!.reason, 'Empty copy: nothing to compare.');
		assert.equal(f!.nearest!.id, 'x');
	});

	test('ties go to the variant added first', () => {
		const idx = new NoveltyIndex().add([
			{ id: 'first', text: 'Shop the sale' },
			{ id: 'second', text: 'Shop the sale!' },
		]);
		assert.equal(idx.check([{ text: 'shop the SALE' }])[0]!.nearest!.id, 'first');
	});

	test('adding after a check rebuilds the postings', () => {
		const idx = new NoveltyIndex().add([{ id: 'a', text: 'Warm fleece jackets' }]);
		assert.equal(idx.check([{ text: 'Dental chews for dogs' }])[0]!.verdict, 'novel');
		idx.add([{ id: 'b', text: 'Dental chews for dogs' }]);
		assert.equal(idx.size, 2);
		assert.equal(idx.check([{ text: 'Dental chews for dogs' }])[0]!.nearest!.id, 'b');
	});

	test('semantic catches what lexical misses; variants without a vector get no semantic score', () => {
		const v = (t: string) => offlineEmbed(t, 128);
		const idx = new NoveltyIndex().add([
			{ id: 'with', text: 'Cheap jackets with free delivery', vector: v('Cheap jackets with free delivery') },
			{ id: 'without', text: 'Cheap jackets with free delivery today' },
		]);
		const [r] = idx.check([{ text: 'Affordable coats that ship free', vector: v('Affordable coats that ship free') }]);
		assert.equal(r!.nearest!.id, 'with');
		assert.ok(r!.nearest!.lexical < DEFAULT_THRESHOLDS.lexical.nearDuplicate);
		assert.ok(r!.nearest!.semantic! >= DEFAULT_THRESHOLDS.semantic.duplicate, 'same concepts: cheap=affordable, jackets=coats, free delivery=ship free');
		assert.equal(r!.verdict, 'duplicate');
	});

	test('vector dimensions must match', () => {
		const idx = new NoveltyIndex().add([{ id: 'a', text: 'x', vector: new Float32Array([1, 0]) }]);
		assert.equal(idx.dimensions, 2);
		assert.throws(() => idx.add([{ id: 'b', text: 'y', vector: new Float32Array(3) }]), VectorFormatError);
		assert.throws(() => idx.check([{ text: 'x', vector: new Float32Array(3) }]), VectorFormatError);
		assert.throws(() => new NoveltyIndex().add([{ id: 'a', text: 'x', vector: new Float32Array(0) }]), VectorFormatError);
		assert.throws(() => new NoveltyIndex().add([{ id: 'a', text: 'x', vector: new Float32Array([Number.NaN]) }]), VectorFormatError);
	});
});

describe('thresholds', () => {
	test('defaults and partial overrides', () => {
		assert.deepEqual(resolveThresholds(), { lexical: { ...DEFAULT_THRESHOLDS.lexical }, semantic: { ...DEFAULT_THRESHOLDS.semantic } });
		const t = resolveThresholds({ semantic: { nearDuplicate: 0.8 } });
		assert.equal(t.semantic.nearDuplicate, 0.8);
		assert.equal(t.semantic.duplicate, DEFAULT_THRESHOLDS.semantic.duplicate);
		assert.equal(t.lexical.nearDuplicate, DEFAULT_THRESHOLDS.lexical.nearDuplicate);
		assert.deepEqual(resolveThresholds({ lexical: { nearDuplicate: undefined } }).lexical, DEFAULT_THRESHOLDS.lexical);
		assert.ok(Object.isFrozen(DEFAULT_THRESHOLDS.lexical));
	});

	test('invalid values are refused with a reason', () => {
		const bad: Array<[unknown, RegExp]> = [
			[{ lexical: { nearDuplicate: 0 } }, /greater than 0/],
			[{ lexical: { duplicate: 1.2 } }, /at most 1/],
			[{ semantic: { nearDuplicate: Number.NaN } }, /must be a number/],
			[{ semantic: { duplicate: '0.9' } }, /must be a number/],
			[{ semantic: { nearDuplicate: 0.97, duplicate: 0.9 } }, /must not exceed/],
			[{ lexical: { nearDuplicate: 0.95 } }, /lexical\.nearDuplicate \(0\.95\) must not exceed lexical\.duplicate/],
		];
		for (const [input, message] of bad) assert.throws(() => resolveThresholds(input as never), (e: unknown) => e instanceof NoveltyThresholdError && message.test((e as Error).message));
		assert.throws(() => new NoveltyIndex().check([{ text: 'x' }], { lexical: { nearDuplicate: -1 } }), NoveltyThresholdError);
	});

	test('pair verdict boundaries are inclusive', () => {
		const t = resolveThresholds();
		assert.equal(pairVerdict(t.lexical.nearDuplicate, null, t), 'near_duplicate');
		assert.equal(pairVerdict(t.lexical.duplicate, null, t), 'duplicate');
		assert.equal(pairVerdict(0, t.semantic.duplicate, t), 'duplicate');
		assert.equal(pairVerdict(0, t.semantic.nearDuplicate - 1e-9, t), 'novel');
		assert.equal(pairVerdict(1, -1, t), 'duplicate');
	});
});

describe('checkNovelty', () => {
	test('embeds only what is missing or from another model, and hands it back for caching', async () => {
		const calls: string[][] = [];
		const inner = offlineEmbedder({ dimensions: 64 });
		const embedder = embedderFromFunction(inner.model, async (texts) => {
			calls.push(texts);
			return inner.embed(texts);
		});
		const cached = offlineEmbed('Warm fleece jackets', 64);
		const out = await checkNovelty({
			candidates: ['Warm fleece jackets!', 'Dental chews for dogs'],
			past: [
				{ id: 'a', text: 'Warm fleece jackets', vector: cached, vectorModel: inner.model },
				{ id: 'b', text: 'Free returns all winter', vector: new Float32Array(1536), vectorModel: 'text-embedding-3-small' },
				{ id: 'c', text: 'Shop the sale' },
			],
			embedder,
		});
		assert.deepEqual(calls, [['Free returns all winter', 'Shop the sale', 'Warm fleece jackets!', 'Dental chews for dogs']]);
		assert.deepEqual(
			out.computed.map((c) => [c.id, c.vectorModel, c.vector.length]),
			[
				['b', inner.model, 64],
				['c', inner.model, 64],
			],
		);
		assert.equal(out.model, inner.model);
		assert.equal(out.candidateVectors.length, 2);
		assert.equal(out.results[0]!.verdict, 'duplicate');
		assert.equal(out.results[0]!.nearest!.id, 'a');
		assert.ok(out.results[0]!.nearest!.semantic! > 0.99);
		assert.equal(out.results[1]!.verdict, 'novel');
	});

	test('without an embedder only the lexical score is used', async () => {
		const out = await checkNovelty({ candidates: ['Shop the sale now'], past: [{ id: 'a', text: 'Shop the sale', vector: new Float32Array([1, 0]), vectorModel: 'm' }] });
		assert.equal(out.results[0]!.nearest!.semantic, null);
		assert.deepEqual(out.computed, []);
		assert.deepEqual(out.candidateVectors, [null]);
		assert.equal(out.model, null);
	});

	test('an embedder that returns the wrong number of vectors is an error', async () => {
		const embedder = embedderFromFunction('broken', async () => [new Float32Array(2)]);
		await assert.rejects(checkNovelty({ candidates: ['a', 'b'], past: [], embedder }), VectorFormatError);
	});

	test('thresholds are validated before any embedding is paid for', async () => {
		let called = false;
		const embedder = embedderFromFunction('m', async (t) => {
			called = true;
			return t.map(() => new Float32Array(2));
		});
		await assert.rejects(checkNovelty({ candidates: ['a'], past: [], embedder, thresholds: { lexical: { nearDuplicate: 2 } } }), NoveltyThresholdError);
		assert.equal(called, false);
	});
});

describe('batch candidates without past vectors', () => {
	test('two paraphrased candidates are compared semantically even when no past variant has a vector', () => {
		const texts = ['Waterproof jacket that packs into its own pocket', 'A rain jacket that folds into its own pocket, fully waterproof'];
		const vectors = texts.map((t) => offlineEmbed(t));
		const empty = new NoveltyIndex();
		const [, second] = empty.check(texts.map((text, i) => ({ text, vector: vectors[i]! })));
		assert.ok(second!.batch, 'the second candidate has a batch neighbour');
		assert.notEqual(second!.batch!.semantic, null, 'with a semantic score');
		const withPast = new NoveltyIndex();
		withPast.add([{ id: 'p1', text: 'Something else entirely about shoes', vector: offlineEmbed('Something else entirely about shoes') }]);
		const [, again] = withPast.check(texts.map((text, i) => ({ text, vector: vectors[i]! })));
		assert.equal(second!.batch!.semantic, again!.batch!.semantic, 'the same score whether or not the index holds vectors');
	});
});
