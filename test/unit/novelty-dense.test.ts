import assert from 'node:assert/strict';
import { describe, test } from 'vitest';
import fc from 'fast-check';
import { NoveltyIndex, lexicalSimilarity, normalizeVector, type CandidateVariant, type NoveltyThresholds, type PastVariant } from '../../nodes/shared/novelty';
import { VectorStore, approxError, exactDot, strideOf } from '../../nodes/shared/novelty/dense';
import { createKernel, createMemory, scan4Module, simdAvailable } from '../../nodes/shared/novelty/simd';
import { Rng } from '../../scripts/sandbox/rng';

/** The sandbox's seeded mulberry32, as a function: the same sequence every run. */
function rng(seed: number): () => number {
	const r = new Rng(seed);
	return () => r.next();
}

/** What the kernel computes, in plain JS: float32 products, 4 lanes summed in float32, lanes added ((0 + 1) + 2) + 3. */
function kernelReference(q: Float32Array, p: Float32Array): number {
	const f = Math.fround;
	const lanes = [0, 0, 0, 0];
	for (let i = 0; i < strideOf(q.length); i++) {
		const x = f((q[i] ?? 0) * (p[i] ?? 0));
		lanes[i % 4] = f(lanes[i % 4]! + x);
	}
	return f(f(f(lanes[0]! + lanes[1]!) + lanes[2]!) + lanes[3]!);
}

const unit = (xs: number[]): Float32Array => normalizeVector(xs);

describe('dense: the WebAssembly SIMD kernel', () => {
	test('the module validates and runs on this runtime', () => {
		const wasm = (globalThis as unknown as { WebAssembly: { validate(bytes: Uint8Array): boolean } }).WebAssembly;
		assert.ok(wasm.validate(scan4Module()));
		assert.equal(simdAvailable(), true);
		const memory = createMemory(1);
		assert.ok(memory);
		assert.equal(typeof createKernel(memory), 'function');
	});

	test('approximations are the float32 sums, bit for bit, and within approxError of exactDot', () => {
		const random = rng(7);
		for (const dims of [1, 2, 3, 4, 5, 7, 8, 13, 64, 511, 512, 1536]) {
			const store = new VectorStore(dims, true);
			assert.equal(store.simd, true);
			const past: Float32Array[] = [];
			for (let d = 0; d < 37; d++) {
				// Mixed magnitudes and signs, some exact zeros, one zero vector.
				const v = d === 5 ? new Float32Array(dims) : unit(Array.from({ length: dims }, (_, i) => (random() < 0.2 ? 0 : (random() - 0.5) * 10 ** Math.floor(random() * 6 - 3) * (i % 3 === 0 ? -1 : 1))));
				past.push(v);
				store.append(v);
			}
			const queries = Array.from({ length: 6 }, (_, k) => (k === 2 ? new Float32Array(dims) : k === 3 ? past[9]! : unit(Array.from({ length: dims }, () => random() - 0.5))));
			const rows = store.approxScores(queries)!;
			assert.equal(rows.length, queries.length);
			const err = approxError(dims);
			for (const [k, q] of queries.entries()) {
				for (const [d, p] of past.entries()) {
					const a = rows[k]![d]!;
					assert.equal(a, kernelReference(q, p), `dims ${dims}, query ${k}, vector ${d}`);
					const exact = exactDot(q, store.data, d * store.stride, dims);
					assert.ok(Math.abs(a - exact) <= err, `dims ${dims}: |${a} − ${exact}| > ${err}`);
					if (k === 2 || d === 5) assert.equal(a, 0);
				}
			}
		}
	});

	test('the error bound holds where float32 cancels worst: large terms of both signs summing to almost nothing', () => {
		const dims = 512;
		const store = new VectorStore(dims, true);
		const random = rng(11);
		const pairs: Array<[Float32Array, Float32Array]> = [];
		for (let k = 0; k < 50; k++) {
			const q = unit(Array.from({ length: dims }, () => random() - 0.5));
			// p ≈ a vector orthogonal to q with q's magnitudes: products q[i]p[i] of similar size and alternating sign.
			const raw = Array.from(q, (x, i) => (i % 2 === 0 ? x : -x) * (1 + random() * 1e-3));
			pairs.push([q, unit(raw)]);
		}
		for (const [, p] of pairs) store.append(p);
		const rows = store.approxScores(pairs.map(([q]) => q))!;
		const err = approxError(dims);
		let worst = 0;
		for (const [k, [q]] of pairs.entries()) {
			const exact = exactDot(q, store.data, k * store.stride, dims);
			worst = Math.max(worst, Math.abs(rows[k]![k]! - exact) / err);
		}
		assert.ok(worst <= 1, `worst error ${worst} × the bound`);
	});

	test('when the WebAssembly memory cannot grow, the store moves to an ordinary buffer, keeps its vectors and the index its results', () => {
		const random = rng(13);
		const dims = 40; // 160 bytes a vector: 600 of them outgrow the first 64 KiB page
		const past: PastVariant[] = Array.from({ length: 600 }, (_, i) => ({ id: `p${i}`, text: `t${i % 9}`, vector: Float32Array.from({ length: dims }, () => random() - 0.5) }));
		const candidates: CandidateVariant[] = [{ text: 't3', vector: past[77]!.vector! }, { text: 'x', vector: Float32Array.from({ length: dims }, () => random() - 0.5) }];
		const index = new NoveltyIndex({ sparseBelow: 0 }).add(past.slice(0, 10));
		const store = (index as unknown as { store: VectorStore }).store;
		assert.equal(store.simd, true);
		(store as unknown as { memory: { grow(pages: number): number } }).memory.grow = () => {
			throw new RangeError('WebAssembly.Memory.grow(): Maximum memory size exceeded');
		};
		index.add(past.slice(10));
		assert.equal(store.simd, false);
		assert.deepEqual(index.check(candidates), index.bruteForce(candidates));
		assert.equal(index.lastCheck!.kernel, 'js');
		assert.deepEqual(index.check(candidates), new NoveltyIndex({ sparseBelow: 0 }).add(past).check(candidates));
	});

	test('appendNormalized stores what normalizeVector gives, bit for bit, and refuses non-finite vectors', () => {
		const random = rng(29);
		for (const simd of [true, false]) {
			const store = new VectorStore(6, simd);
			const vs = [Float32Array.from({ length: 6 }, () => (random() - 0.5) * 1e30), new Float32Array(6), Float32Array.from([1e-45, 0, 0, 0, 0, 3]), Float32Array.from({ length: 6 }, () => random())];
			for (const v of vs) store.appendNormalized(v);
			assert.throws(() => store.appendNormalized(Float32Array.from([1, NaN, 0, 0, 0, 0])), /non-finite/);
			assert.throws(() => store.appendNormalized(new Float32Array(5)), /5 dimensions/);
			assert.equal(store.n, vs.length);
			for (const [d, v] of vs.entries()) {
				assert.deepEqual(store.data.subarray(d * store.stride, d * store.stride + 6), normalizeVector(v));
				assert.deepEqual([...store.data.subarray(d * store.stride + 6, (d + 1) * store.stride)], [0, 0]);
			}
		}
	});

	test('the portable scan gives exactDot bit for bit, for 1 to 9 queries', () => {
		const random = rng(3);
		for (const dims of [1, 3, 6, 17]) {
			const store = new VectorStore(dims, false);
			assert.equal(store.simd, false);
			assert.equal(store.approxScores([new Float32Array(dims)]), null);
			for (let d = 0; d < 20; d++) store.append(d % 7 === 0 ? null : unit(Array.from({ length: dims }, () => random() - 0.5)));
			for (let nq = 1; nq <= 9; nq++) {
				const queries = Array.from({ length: nq }, () => unit(Array.from({ length: dims }, () => random() - 0.5)));
				const rows = store.exactScores(queries);
				for (const [k, q] of queries.entries()) for (let d = 0; d < 20; d++) assert.equal(rows[k]![d], exactDot(q, store.data, d * store.stride, dims));
			}
		}
	});
});

/** Components from a few levels, so that scores tie exactly and verdict thresholds are hit. */
const componentArb = fc.constantFrom(0, 0, 1, -1, 2, 0.5, 3);
const dimsArb = fc.constantFrom(1, 2, 3, 5, 6, 7, 9, 13, 16);

function vectorFrom(spec: number[] | null, dims: number, salt: number): Float32Array | null {
	if (spec === null) return null;
	return Float32Array.from({ length: dims }, (_, i) => spec[(i + salt) % spec.length] ?? 0);
}

const thresholdArb: fc.Arbitrary<NoveltyThresholds> = fc
	.tuple(fc.double({ min: 0.05, max: 1, noNaN: true }), fc.double({ min: 0.05, max: 1, noNaN: true }), fc.constantFrom(0.5, 0.8, 0.9, 1, 0.25), fc.constantFrom(0.5, 0.8, 0.95, 1))
	.map(([a, b, c, d]) => ({ lexical: { nearDuplicate: Math.min(a, b), duplicate: Math.max(a, b) }, semantic: { nearDuplicate: Math.min(c, d), duplicate: Math.max(c, d) } }));

const TEXTS = ['free shipping', 'warm fleece jacket', 'shop now', '', 'the new trail jacket', 'free returns', 'fleece', '20% off'];

const f32 = new Float32Array(1);
const f32Bits = new Int32Array(f32.buffer);

/** The next float32 from `v` toward `target`. */
function f32StepToward(v: number, target: number): number {
	if (v === 0) return Math.fround(target);
	f32[0] = v;
	f32Bits[0]! += v > target === v > 0 ? -1 : 1;
	return f32[0]!;
}

/**
 * Runs `fn` with `VectorStore.approxScores` replaced by exact ± up to the
 * error bound (the float32 values nearest the extremes 40% of the time each). The kernel's real
 * error is far below approxError, so this is what tests the filter's logic.
 */
function withAdversarialApprox(seed: number, fn: () => void): void {
	const original = VectorStore.prototype.approxScores;
	const random = rng(seed);
	VectorStore.prototype.approxScores = function (this: VectorStore, queries: readonly Float32Array[]): Float32Array[] | null {
		const err = approxError(this.dims);
		return queries.map((q) => {
			const row = new Float32Array(this.n);
			const zeroQ = q.every((x) => x === 0);
			for (let d = 0; d < this.n; d++) {
				const exact = exactDot(q, this.data, d * this.stride, this.dims);
				if (zeroQ || this.data.subarray(d * this.stride, d * this.stride + this.dims).every((x) => x === 0)) continue; // both exactly 0
				const r = random();
				let v = Math.fround(exact + (r < 0.4 ? -1 : r < 0.8 ? 1 : 2 * random() - 1) * err);
				while (Math.abs(v - exact) > err) v = f32StepToward(v, exact); // the float32 nearest the extreme, inside the bound
				row[d] = v;
			}
			return row;
		});
	};
	try {
		fn();
	} finally {
		VectorStore.prototype.approxScores = original;
	}
}

describe('dense: check equals bruteForce', () => {
	for (const simd of [true, false]) {
		test(`random vectors with exact ties, zero vectors, missing vectors, dims 1–16 (simd ${simd}, property)`, () => {
			fc.assert(
				fc.property(
					dimsArb,
					fc.array(fc.tuple(fc.nat(TEXTS.length - 1), fc.option(fc.array(componentArb, { minLength: 1, maxLength: 4 }), { freq: 5 }), fc.nat(3)), { minLength: 0, maxLength: 30 }),
					fc.array(fc.tuple(fc.nat(TEXTS.length - 1), fc.option(fc.array(componentArb, { minLength: 1, maxLength: 4 }), { freq: 5 }), fc.nat(3)), { minLength: 1, maxLength: 9 }),
					thresholdArb,
					(dims, pastSpec, candSpec, t) => {
						const past: PastVariant[] = pastSpec.map(([ti, spec, salt], i) => ({ id: `p${i}`, text: TEXTS[ti]!, vector: vectorFrom(spec, dims, salt) }));
						const candidates: CandidateVariant[] = candSpec.map(([ti, spec, salt]) => ({ text: TEXTS[ti]!, vector: vectorFrom(spec, dims, salt) }));
						const index = new NoveltyIndex({ sparseBelow: 0, simd }).add(past);
						const fast = index.check(candidates, t);
						assert.deepEqual(fast, index.bruteForce(candidates, t));
						if (index.dimensions !== null && candidates.some((c) => c.vector)) assert.equal(index.lastCheck!.kernel, simd ? 'simd' : 'js');
					},
				),
				{ numRuns: 300 },
			);
		});
	}

	for (const shared of [false, true]) {
		test(`near-ties closer than float32 can tell apart: the exact scores decide, ties go to the earlier variant (texts ${shared ? 'share trigrams' : 'share nothing'})`, () => {
			const random = rng(5);
			const dims = 24;
			const base = Array.from({ length: dims }, () => random() - 0.5);
			// Perturbations of 1e-9 to 1e-6: the float32 filter sees one score, the float64 sums differ.
			const past: PastVariant[] = Array.from({ length: 400 }, (_, i) => ({
				id: `p${i}`,
				text: shared ? `copy ${i % 7} of the ad` : `copy ${i}`,
				vector: Float32Array.from(base, (x, k) => x + (k === i % dims ? (random() - 0.5) * 10 ** -(6 + (i % 4)) : 0)),
			}));
			past.push({ id: 'same-as-p3', text: 'copy again', vector: past[3]!.vector! });
			const candidates: CandidateVariant[] = [{ text: shared ? 'one copy' : 'query one', vector: Float32Array.from(base) }, { text: 'query two', vector: past[200]!.vector! }, { text: shared ? 'copy 3 of the ad' : 'query three', vector: Float32Array.from(base, (x, k) => x * (k % 2 ? 1 : -1)) }];
			const index = new NoveltyIndex({ sparseBelow: 0 }).add(past);
			for (const t of [{}, { semantic: { nearDuplicate: 0.999999, duplicate: 1 } }, { semantic: { nearDuplicate: 0.5, duplicate: 0.5 } }]) {
				const fast = index.check(candidates, t);
				assert.deepEqual(fast, index.bruteForce(candidates, t));
				assert.ok(index.lastCheck!.exactDots > 1, 'near-ties need exact completion');
				assert.ok(index.lastCheck!.exactDots < index.lastCheck!.pairs);
				// And with approximations anywhere within the bound.
				for (let seed = 0; seed < 8; seed++) withAdversarialApprox(seed, () => assert.deepEqual(index.check(candidates, t), index.bruteForce(candidates, t)));
			}
		});
	}

	test('the filter is exact for any approximations within the bound, not just the kernel’s (adversarial approximations, property)', () => {
		fc.assert(
			fc.property(
				fc.integer(),
				fc.constantFrom(1, 3, 5, 24),
				fc.array(fc.tuple(fc.nat(TEXTS.length - 1), fc.option(fc.array(componentArb, { minLength: 1, maxLength: 4 }), { freq: 6 }), fc.nat(3), fc.boolean()), { minLength: 0, maxLength: 40 }),
				fc.array(fc.tuple(fc.nat(TEXTS.length - 1), fc.option(fc.array(componentArb, { minLength: 1, maxLength: 4 }), { freq: 6 }), fc.nat(3)), { minLength: 1, maxLength: 6 }),
				thresholdArb,
				(seed, dims, pastSpec, candSpec, t) => {
					const random = rng(seed);
					// Near-ties: some vectors nudged by less than the bound.
					const nudge = (v: Float32Array | null, on: boolean): Float32Array | null => (v && on ? v.map((x, i) => (i === 0 ? x * (1 + (random() - 0.5) * 1e-6) : x)) : v);
					const past: PastVariant[] = pastSpec.map(([ti, spec, salt, nudged], i) => ({ id: `p${i}`, text: TEXTS[ti]!, vector: nudge(vectorFrom(spec, dims, salt), nudged) }));
					const candidates: CandidateVariant[] = candSpec.map(([ti, spec, salt]) => ({ text: TEXTS[ti]!, vector: vectorFrom(spec, dims, salt) }));
					const index = new NoveltyIndex({ sparseBelow: 0 }).add(past);
					withAdversarialApprox(seed, () => assert.deepEqual(index.check(candidates, t), index.bruteForce(candidates, t)));
				},
			),
			{ numRuns: 400 },
		);
	});

	test('adversarial approximations: exact ties of variants sharing some text with the candidate, at and off the thresholds', () => {
		const random = rng(17);
		const dims = 7;
		const v = Float32Array.from({ length: dims }, () => random() - 0.5);
		const w = Float32Array.from({ length: dims }, () => random() - 0.5);
		// 30 variants with one vector and 30 with another, all sharing a little text with the candidate.
		const past: PastVariant[] = Array.from({ length: 60 }, (_, i) => ({ id: `p${i}`, text: i % 3 ? 'warm fleece' : 'fleece jacket sale', vector: i < 30 ? v : w }));
		const candidate: CandidateVariant = { text: 'warm fleece jacket for the trail today', vector: Float32Array.from(v, (x, i) => x + (i === 0 ? 0.3 : 0)) };
		const index = new NoveltyIndex({ sparseBelow: 0 }).add(past);
		const scores = index.bruteForce([candidate], { lexical: { nearDuplicate: 0.99, duplicate: 1 }, semantic: { nearDuplicate: 0.01, duplicate: 1 } })[0]!.nearest!;
		const s = scores.semantic!;
		const l = scores.lexical;
		for (const [seed, t] of [
			[1, { lexical: { nearDuplicate: 0.99, duplicate: 1 }, semantic: { nearDuplicate: 0.99, duplicate: 1 } }],
			[2, { lexical: { nearDuplicate: 0.99, duplicate: 1 }, semantic: { nearDuplicate: s, duplicate: 1 } }],
			[3, { lexical: { nearDuplicate: 0.99, duplicate: 1 }, semantic: { nearDuplicate: s / 2, duplicate: s } }],
			[4, { lexical: { nearDuplicate: l, duplicate: 1 }, semantic: { nearDuplicate: s, duplicate: 1 } }],
			[5, { lexical: { nearDuplicate: l / 2, duplicate: l }, semantic: { nearDuplicate: s, duplicate: 1 } }],
			[6, { lexical: { nearDuplicate: Math.min(1, l * 1.5), duplicate: 1 }, semantic: { nearDuplicate: s, duplicate: 1 } }],
			[7, { lexical: { nearDuplicate: l, duplicate: 1 }, semantic: { nearDuplicate: s * 0.9, duplicate: 1 } }],
		] as const) {
			for (let k = 0; k < 20; k++) withAdversarialApprox(seed * 100 + k, () => assert.deepEqual(index.check([candidate], t), index.bruteForce([candidate], t), `thresholds ${JSON.stringify(t)}`));
		}
		// A tie at (near-duplicate, closeness 1) between an earlier variant that gets
		// there semantically (score = the threshold) and later ones that get there
		// lexically (score = the threshold): the earlier one must win.
		const texts = ['warm fleece', 'fleece jacket sale'].sort((a, b) => lexicalSimilarity(candidate.text, a) - lexicalSimilarity(candidate.text, b));
		const tiePast: PastVariant[] = [{ id: 'semantic', text: texts[0]!, vector: v }, ...Array.from({ length: 20 }, (_, i) => ({ id: `lexical${i}`, text: texts[1]!, vector: w }))];
		const tieIndex = new NoveltyIndex({ sparseBelow: 0 }).add(tiePast);
		const t = { lexical: { nearDuplicate: lexicalSimilarity(candidate.text, texts[1]!), duplicate: 1 }, semantic: { nearDuplicate: s, duplicate: 1 } };
		assert.equal(tieIndex.bruteForce([candidate], t)[0]!.nearest!.id, 'semantic');
		for (let k = 0; k < 40; k++) withAdversarialApprox(k, () => assert.deepEqual(tieIndex.check([candidate], t), tieIndex.bruteForce([candidate], t)));
	});

	test('a threshold equal to an exact score is inclusive on the fast path too', () => {
		const random = rng(9);
		const dims = 10;
		const past: PastVariant[] = Array.from({ length: 200 }, (_, i) => ({ id: `p${i}`, text: `x${i}`, vector: Float32Array.from({ length: dims }, () => random() - 0.5) }));
		const candidate = { text: 'y', vector: Float32Array.from({ length: dims }, () => random() - 0.5) };
		const index = new NoveltyIndex({ sparseBelow: 0 }).add(past);
		const top = index.bruteForce([candidate])[0]!.nearest!.semantic!;
		assert.ok(top > 0 && top < 1);
		for (const t of [{ semantic: { nearDuplicate: top, duplicate: 1 } }, { semantic: { nearDuplicate: top / 2, duplicate: top } }, { semantic: { nearDuplicate: Math.min(1, top + 1e-12), duplicate: 1 } }]) {
			const fast = index.check([candidate], t);
			assert.deepEqual(fast, index.bruteForce([candidate], t));
		}
		assert.equal(index.check([candidate], { semantic: { nearDuplicate: top / 2, duplicate: top } })[0]!.verdict, 'duplicate');
	});

	test('a larger corpus: 3,000 variants × 96 dimensions, 13 candidates, and adding after a check', () => {
		const random = rng(21);
		const dims = 96;
		const centres = Array.from({ length: 30 }, () => Array.from({ length: dims }, () => random() - 0.5));
		const near = (c: number[], spread: number): Float32Array => Float32Array.from(c, (x) => x + (random() - 0.5) * spread);
		const words = ['free', 'shipping', 'jacket', 'warm', 'trail', 'shop', 'now', 'new', 'sale', 'fleece'];
		const text = (): string => Array.from({ length: 3 + Math.floor(random() * 5) }, () => words[Math.floor(random() * words.length)]).join(' ');
		const past: PastVariant[] = Array.from({ length: 3000 }, (_, i) => ({ id: `p${i}`, text: text(), vector: i % 97 === 0 ? null : near(centres[i % 30]!, 0.3) }));
		const candidates: CandidateVariant[] = Array.from({ length: 13 }, (_, i) => ({ text: text(), vector: i === 4 ? null : near(centres[(i * 7) % 30]!, 0.1) }));
		const index = new NoveltyIndex().add(past);
		assert.equal(index.semanticMode, 'dense');
		const fast = index.check(candidates);
		assert.deepEqual(fast, index.bruteForce(candidates));
		const stats = index.lastCheck!;
		assert.equal(stats.kernel, 'simd');
		assert.equal(stats.pairs, 12 * (3000 - Math.ceil(3000 / 97)));
		assert.ok(stats.exactDots < stats.pairs / 10, `${stats.exactDots} exact of ${stats.pairs}`);
		// More variants after a check: the store grows over the scratch area of the last check.
		const more: PastVariant[] = Array.from({ length: 500 }, (_, i) => ({ id: `q${i}`, text: text(), vector: near(centres[i % 30]!, 0.05) }));
		index.add(more);
		assert.deepEqual(index.check(candidates), index.bruteForce(candidates));
		// And the portable scan agrees with the SIMD filter.
		const t = { semantic: { nearDuplicate: 0.6, duplicate: 0.7 } };
		const portable = new NoveltyIndex({ simd: false }).add([...past, ...more]);
		assert.deepEqual(index.check(candidates, t), portable.check(candidates, t));
		assert.equal(portable.lastCheck!.kernel, 'js');
		assert.deepEqual(index.check(candidates, t), index.bruteForce(candidates, t));
	});

	test('variants without a vector before the first one, candidates without a vector, a batch without any', () => {
		const index = new NoveltyIndex({ sparseBelow: 0 }).add([
			{ id: 'a', text: 'free shipping on jackets' },
			{ id: 'b', text: 'warm fleece', vector: Float32Array.from([1, 2, 3, 4, 5]) },
			{ id: 'c', text: 'warm fleece too', vector: new Float32Array(5) },
			{ id: 'd', text: 'shop now' },
		]);
		for (const batch of [[{ text: 'free shipping on jackets' }, { text: 'warm fleece', vector: Float32Array.from([1, 2, 3, 4, 5.0001]) }, { text: '', vector: new Float32Array(5) }], [{ text: 'shop now' }], [{ text: 'nothing alike', vector: Float32Array.from([-1, -2, -3, -4, -5]) }]]) {
			assert.deepEqual(index.check(batch), index.bruteForce(batch));
		}
		assert.equal(index.check([{ text: 'x', vector: Float32Array.from([1, 2, 3, 4, 5]) }])[0]!.nearest!.id, 'b');
	});
});
