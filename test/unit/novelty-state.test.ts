/**
 * `NoveltyIndex.exportStateSteps` / `fromStateSteps` (what a persisted
 * snapshot stores, nodes/shared/creative/novelty-snapshot.ts): an index
 * restored from the state of another gives the same results field for
 * field, checked and brute-forced, also after more variants are added to
 * both; sparse and dense strategies, vectors with −0 and zero vectors,
 * variants without one, non-ASCII and empty text. A state that does not
 * hang together is refused with `NoveltyStateError`.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'vitest';
import fc from 'fast-check';
import { NoveltyIndex, NoveltyStateError, offlineEmbed, type CandidateVariant, type NoveltyIndexState, type PastVariant } from '../../nodes/shared/novelty';

const VOCAB = ['free', 'shipping', 'returns', 'warm', 'fleece', 'jacket', 'trail', 'sale', '20%', 'off', 'shop', 'now', 'café', 'über', '🔥', 'new', 'cozy', 'ß', ''];
const textArb = fc.array(fc.constantFrom(...VOCAB), { minLength: 0, maxLength: 9 }).map((w) => w.join(' '));
/** A vector kind: none, the offline one, a zero vector, one with −0 and tiny components, a random dense one. */
const vecKind = fc.constantFrom('none', 'offline', 'zero', 'signed', 'dense');

function vectorOf(kind: string, text: string, seed: number): Float32Array | null {
	if (kind === 'none') return null;
	if (kind === 'offline') return offlineEmbed(text, 16);
	if (kind === 'zero') return new Float32Array(16);
	const v = new Float32Array(16);
	if (kind === 'signed') {
		v[seed % 16] = 1;
		v[(seed + 3) % 16] = -0;
		v[(seed + 5) % 16] = -1e-45; // normalizes to −0
		return v;
	}
	for (let i = 0; i < 16; i++) v[i] = Math.sin(seed * 7 + i * 13);
	return v;
}

const restore = (state: NoveltyIndexState, sparseBelow: number) => {
	const gen = NoveltyIndex.fromStateSteps(state, { sparseBelow });
	for (;;) {
		const r = gen.next();
		if (r.done) return r.value;
	}
};

describe('novelty index state', () => {
	for (const sparseBelow of [0.35, 0]) {
		test(`a restored index answers as the original, before and after more variants (${sparseBelow ? 'sparse' : 'dense'}; property)`, () => {
			fc.assert(
				fc.property(
					fc.array(fc.tuple(textArb, vecKind), { minLength: 0, maxLength: 30 }),
					fc.array(fc.tuple(textArb, vecKind), { minLength: 0, maxLength: 8 }),
					fc.array(fc.tuple(textArb, fc.boolean()), { minLength: 1, maxLength: 5 }),
					(pastSpec, moreSpec, candSpec) => {
						const past: PastVariant[] = pastSpec.map(([text, kind], i) => ({ id: `p${i}`, text, vector: vectorOf(kind, text, i) }));
						const more: PastVariant[] = moreSpec.map(([text, kind], i) => ({ id: `m${i}`, text, vector: vectorOf(kind, text, 100 + i) }));
						const candidates: CandidateVariant[] = candSpec.map(([text, withVector]) => ({ text, vector: withVector ? offlineEmbed(text, 16) : null }));
						const original = new NoveltyIndex({ sparseBelow }).add(past);
						original.check(candidates); // built before the export: the state has no postings either way
						const state = original.exportState();
						const copy = restore(structuredClone(state), sparseBelow);
						assert.equal(copy.size, original.size);
						assert.equal(copy.semanticMode, original.semanticMode);
						assert.deepEqual(copy.check(candidates), original.check(candidates));
						assert.deepEqual(copy.bruteForce(candidates), original.bruteForce(candidates));
						for (let d = 0; d < past.length; d++) if (past[d]!.vector) assert.equal(copy.sameVector(d, past[d]!.vector!), original.sameVector(d, past[d]!.vector!));
						// The same again after more variants (delta postings, or a new strategy).
						try {
							original.add(more);
						} catch {
							return; // a vector the original refuses: nothing more to compare
						}
						copy.add(more);
						assert.deepEqual(copy.check(candidates), original.check(candidates));
						assert.deepEqual(copy.exportState(), original.exportState());
					},
				),
				{ numRuns: 80 },
			);
		});
	}

	test('a state that does not hang together is refused', () => {
		const index = new NoveltyIndex().add(['warm fleece jacket', 'free shipping', 'café über'].map((text, i) => ({ id: `p${i}`, text, vector: offlineEmbed(text, 16) })));
		const good = index.exportState();
		restore(structuredClone(good), 0.35);
		const broken: Array<(s: NoveltyIndexState) => void> = [
			(s) => s.ids.pop(),
			(s) => (s.docOff[1] = 999),
			(s) => (s.docTrig[0] = s.trigramCount),
			(s) => (s.trigramCount += 1),
			(s) => s.otherIds.push(['zzz', 0]),
			(s) => (s.nzDims![0] = 999),
			(s) => (s.values![0] = 0),
			(s) => (s.values = null),
			(s) => (s.dims = 0),
			(s) => (s.nzOff = s.nzOff!.subarray(1)),
		];
		for (const [k, damage] of broken.entries()) {
			const s = structuredClone(good);
			damage(s);
			assert.throws(() => restore(s, 0.35), NoveltyStateError, `damage ${k}`);
		}
	});
});
