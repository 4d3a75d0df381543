import assert from 'node:assert/strict';
import { describe, test } from 'vitest';
import fc from 'fast-check';
import { dice, jaccard, lexicalSimilarity, overlap, tokenContainment, tokenSetSimilarity, trigramSimilarity } from '../../nodes/shared/novelty/lexical';
import {
	VectorFormatError,
	conceptTokens,
	cosine,
	norm,
	offlineEmbed,
	offlineEmbedder,
	openAIEmbedder,
	packVector,
	toVector,
	unpackVector,
	type OpenAIEmbeddingsClient,
} from '../../nodes/shared/novelty/semantic';

describe('set measures', () => {
	test('edge cases: empty sets', () => {
		const e = new Set<string>();
		const a = new Set(['x']);
		assert.equal(jaccard(e, e), 1);
		assert.equal(dice(e, e), 1);
		assert.equal(overlap(e, e), 1);
		assert.equal(jaccard(e, a), 0);
		assert.equal(dice(a, e), 0);
		assert.equal(overlap(a, e), 0);
	});

	test('formulas', () => {
		const a = new Set([1, 2, 3, 4]);
		const b = new Set([3, 4, 5]);
		assert.equal(jaccard(a, b), 2 / 5);
		assert.equal(dice(a, b), 4 / 7);
		assert.equal(overlap(a, b), 2 / 3);
	});
});

describe('lexical similarity', () => {
	test('identical, reordered and reformatted copy is 1', () => {
		assert.equal(lexicalSimilarity('Free returns on all jackets.', 'Free returns on all jackets.'), 1);
		assert.equal(lexicalSimilarity('Free returns on all jackets', 'On all jackets: FREE RETURNS!'), 1);
		assert.equal(lexicalSimilarity('Café stays', 'CAFE   stays'), 1);
	});

	test('one word changed in a sentence stays high; unrelated copy is low', () => {
		const one = lexicalSimilarity('Stay warm on every trail with our recycled fleece jacket.', 'Stay warm on every hike with our recycled fleece jacket.');
		assert.ok(one > 0.75 && one < 1, String(one));
		const other = lexicalSimilarity('Stay warm on every trail with our recycled fleece jacket.', 'Quarterly tax estimates calculated for you.');
		assert.ok(other < 0.15, String(other));
	});

	test('empty and emoji-only texts', () => {
		assert.equal(lexicalSimilarity('', ''), 1);
		assert.equal(lexicalSimilarity('', 'Shop now'), 0);
		assert.equal(lexicalSimilarity('!!!', '...'), 1, 'both empty after normalization');
		assert.equal(lexicalSimilarity('🔥🔥', '🔥'), 1, 'a set: repeats do not count');
		assert.equal(lexicalSimilarity('🔥', '❤️'), 0);
		assert.equal(lexicalSimilarity('❤️', '❤'), 1);
		assert.ok(lexicalSimilarity('Sale 🔥', 'Sale') > 0.6);
	});

	test('very long texts stay fast and sane', () => {
		const long = Array.from({ length: 20_000 }, (_, i) => `word${i}`).join(' ');
		const t0 = performance.now();
		assert.equal(lexicalSimilarity(long, long), 1);
		const half = lexicalSimilarity(long, long.slice(0, long.length / 2));
		assert.ok(half > 0.3 && half < 1, String(half));
		assert.ok(performance.now() - t0 < 1_000);
	});

	test('symmetric, in [0, 1] (property)', () => {
		const text = fc.array(fc.constantFrom('free', 'shipping', 'jacket', 'warm', 'sale', '🔥', 'Café', 'on', 'all', '20%'), { maxLength: 12 }).map((w) => w.join(' '));
		fc.assert(
			fc.property(text, text, (a, b) => {
				for (const f of [trigramSimilarity, tokenSetSimilarity, tokenContainment]) {
					const x = f(a, b);
					assert.equal(x, f(b, a));
					assert.ok(x >= 0 && x <= 1);
				}
				assert.equal(trigramSimilarity(a, a), 1);
			}),
			{ numRuns: 300 },
		);
	});

	test('token measures: order-free, stemmed, containment', () => {
		assert.equal(tokenSetSimilarity('Deals on jackets', 'jacket deal'), 1);
		assert.equal(tokenContainment('Warm jackets', 'Warm jackets with free returns for 30 days'), 1);
		assert.ok(tokenSetSimilarity('Warm jackets', 'Warm jackets with free returns for 30 days') < 0.7);
	});
});

describe('vectors', () => {
	test('cosine: parallel, opposite, orthogonal, zero, length mismatch', () => {
		assert.equal(cosine([1, 0], [2, 0]), 1);
		assert.equal(cosine([1, 0], [-3, 0]), -1);
		assert.equal(cosine([1, 0], [0, 5]), 0);
		assert.equal(cosine([0, 0], [0, 0]), 0);
		assert.equal(cosine([0, 0], [1, 0]), 0);
		assert.throws(() => cosine([1, 0], [1, 0, 0]), VectorFormatError);
		assert.throws(() => cosine([0, 0], [1, 0, 0]), VectorFormatError);
	});

	test('pack/unpack round-trips float32 exactly (property)', () => {
		fc.assert(
			fc.property(fc.array(fc.float({ noNaN: true, noDefaultInfinity: true }), { maxLength: 64 }), (xs) => {
				const v = Float32Array.from(xs);
				const packed = packVector(v);
				assert.deepEqual(unpackVector(packed, v.length), v);
				assert.deepEqual(toVector(packed), v);
			}),
			{ numRuns: 200 },
		);
	});

	test('storable forms and their errors', () => {
		const v = new Float32Array([0.5, -0.25, 1]);
		assert.equal(packVector(v), Buffer.from(v.buffer).toString('base64'), 'little-endian, like OpenAI base64 embeddings');
		assert.deepEqual(toVector([0.5, -0.25, 1]), v);
		assert.deepEqual(toVector(v, 3), v);
		assert.throws(() => unpackVector('not base64!'), VectorFormatError);
		assert.throws(() => unpackVector('AAA='), /multiple of 4/);
		assert.throws(() => unpackVector(packVector(v), 4), /expected 4/);
		assert.throws(() => toVector([1, Number.NaN]), VectorFormatError);
		assert.throws(() => toVector({}), VectorFormatError);
		assert.throws(() => toVector([1, 2], 3), /expected 3/);
	});
});

describe('offline embedder', () => {
	test('deterministic unit vectors; empty text is the zero vector', async () => {
		const e = offlineEmbedder({ dimensions: 256 });
		assert.equal(e.model, 'adops-offline-v2@256');
		const [a, b, empty] = await e.embed(['Free shipping on jackets', 'Free shipping on jackets', '']);
		assert.deepEqual(a, b);
		assert.equal(a!.length, 256);
		assert.ok(Math.abs(norm(a!) - 1) < 1e-6);
		assert.equal(norm(empty!), 0);
		assert.throws(() => offlineEmbedder({ dimensions: 3 }), RangeError);
	});

	test('emoji-only text has a vector of its own', () => {
		const fire = offlineEmbed('🔥🔥');
		assert.ok(norm(fire) > 0);
		assert.ok(cosine(fire, offlineEmbed('🔥')) > 0.5, 'the repeat adds only a bigram');
		assert.equal(cosine(offlineEmbed('🔥'), offlineEmbed('❤️')), 0);
	});

	test('the thesaurus maps phrases to concepts, longest first', () => {
		assert.deepEqual(conceptTokens('Ships free to your door'), ['=free_shipping', '=shipping']);
		assert.deepEqual(conceptTokens('Free delivery'), ['=free_shipping']);
		assert.deepEqual(conceptTokens('Cozy parka'), ['=warm', '=jacket']);
	});

	test('synonyms and inflections bring vectors together; unrelated copy stays apart', () => {
		const a = offlineEmbed('Cheap jackets with free delivery');
		const b = offlineEmbed('Affordable coats that ship free');
		const c = offlineEmbed('Quarterly tax estimates for freelancers');
		assert.ok(cosine(a, b) > 0.6, String(cosine(a, b)));
		assert.ok(cosine(a, c) < 0.2, String(cosine(a, c)));
	});
});

describe('OpenAI embedder adapter', () => {
	test('batches, decodes base64, skips empty texts, keeps order', async () => {
		const calls: string[][] = [];
		const client: OpenAIEmbeddingsClient = {
			embeddings: {
				create: async (body) => {
					calls.push(body.input);
					assert.equal(body.encoding_format, 'base64');
					assert.equal(body.dimensions, 4);
					// Answer out of order, as the API may.
					const data = body.input.map((t, index) => ({ index, embedding: packVector(new Float32Array([t.length, 1, 0, 0])) }));
					return { data: data.reverse() };
				},
			},
		};
		const e = openAIEmbedder(client, { model: 'text-embedding-3-small', dimensions: 4, batchSize: 2 });
		assert.equal(e.model, 'text-embedding-3-small@4');
		const out = await e.embed(['a', '', 'abc', 'ab', '  ']);
		assert.deepEqual(calls, [['a', 'abc'], ['ab']]);
		assert.deepEqual(out.map((v) => v[0]), [1, 0, 3, 2, 0]);
		assert.equal(out[1]!.length, 4);
	});

	test('a missing vector in the answer is an error, not a zero vector', async () => {
		const client: OpenAIEmbeddingsClient = { embeddings: { create: async () => ({ data: [{ index: 0, embedding: [1, 0] }] }) } };
		await assert.rejects(openAIEmbedder(client).embed(['a', 'b']), VectorFormatError);
	});
});
