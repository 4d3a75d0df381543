/**
 * text/clean.ts: the one cleaning rule of the data boundary (NUL removed,
 * unpaired surrogates → U+FFFD), checked against V8's own
 * `String.prototype.toWellFormed` on generated strings that are dense in
 * NULs and surrogate halves, plus the identifier reasons and the deep clean
 * of jsonb-shaped values.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'vitest';
import fc from 'fast-check';
import { cleanText, cleanValue, isCleanText, textFlaw, visibleText } from '../../nodes/shared/text/clean';

type WellFormed = { toWellFormed(): string; isWellFormed(): boolean };
const wf = (s: string) => s as unknown as WellFormed;
/** The reference: lone surrogates replaced by the engine, then NULs removed. */
const reference = (s: string) => wf(s).toWellFormed().replaceAll('\u0000', '');

/** Strings made of the awkward pieces (NUL, each kind of surrogate half, pairs) and any code units. */
export const dirtyString = fc
	.array(
		fc.oneof(
			{ weight: 3, arbitrary: fc.constantFrom('\u0000', '\uD800', '\uDBFF', '\uDC00', '\uDFFF', '\uD83D', '\uDE00', '😀', '\uFFFD', 'a', ' ', 'é') },
			{ weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 8 }) },
			{ weight: 1, arbitrary: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)) },
		),
		{ maxLength: 24 },
	)
	.map((parts) => parts.join(''));

describe('cleanText', () => {
	test('examples: NUL removed, lone halves replaced, valid pairs kept, a NUL between halves does not pair them', () => {
		const cases: Array<[string, string]> = [
			['', ''],
			['plain', 'plain'],
			['a\u0000b', 'ab'],
			['\u0000\u0000', ''],
			['x\uD800', 'x\uFFFD'],
			['\uDC00x', '\uFFFDx'],
			['\uDBFF\uDFFF', '\uDBFF\uDFFF'],
			['😀\uD83D', '😀\uFFFD'],
			['\uDE00\uD83D', '\uFFFD\uFFFD'],
			['\uD83D\u0000\uDE00', '\uFFFD\uFFFD'],
			['caf\u00e9 \uFFFD', 'caf\u00e9 \uFFFD'],
		];
		for (const [input, expected] of cases) assert.equal(cleanText(input), expected, JSON.stringify(input));
	});

	test('equals toWellFormed + NUL removal on 20,000 generated strings; the result is well formed, NUL-free and idempotent', () => {
		let changed = 0;
		fc.assert(
			fc.property(dirtyString, (s) => {
				const out = cleanText(s);
				assert.equal(out, reference(s));
				assert.ok(wf(out).isWellFormed());
				assert.ok(!out.includes('\u0000'));
				assert.equal(cleanText(out), out);
				assert.equal(isCleanText(s), out === s);
				assert.equal(textFlaw(s) === undefined, out === s);
				if (out !== s) changed++;
			}),
			{ numRuns: 20_000, seed: 12 },
		);
		assert.ok(changed > 10_000, `most generated strings needed cleaning (${changed})`);
	});

	test('a clean string comes back as the same string (no copy)', () => {
		const s = 'Northwind | Prospecting | 😀'.repeat(100);
		assert.equal(cleanText(s), s);
	});
});

describe('textFlaw and visibleText (identifiers and reasons)', () => {
	test('the first flaw is named with its code point and position', () => {
		assert.equal(textFlaw('123'), undefined);
		assert.equal(textFlaw('12😀'), undefined);
		assert.equal(textFlaw('12\u00003'), 'contains a NUL character (U+0000) at position 3');
		assert.equal(textFlaw('1\uD800'), 'contains an unpaired surrogate (U+D800) at position 2');
		assert.equal(textFlaw('\uDFFF\u0000'), 'contains an unpaired surrogate (U+DFFF) at position 1');
	});

	test('visibleText writes the characters as escapes: the result is clean and tells the flaws apart', () => {
		assert.equal(visibleText('a\u0000b\uD800c😀'), 'a\\u0000b\\uD800c😀');
		fc.assert(
			fc.property(dirtyString, (s) => {
				const out = visibleText(s);
				assert.equal(textFlaw(out), undefined);
				if (textFlaw(s) === undefined) assert.equal(out, s);
			}),
			{ numRuns: 5_000, seed: 3 },
		);
	});
});

describe('cleanValue (rows and jsonb values)', () => {
	test('cleans keys and values at any depth, never modifies its input, keeps non-plain objects', () => {
		const when = new Date(0);
		const input = { 'k\u0000ey': ['a\u0000', { deep: ['\uD800', 1, null, true] }], when, n: 5, ok: 'fine' };
		const frozen = structuredClone(input);
		const out = cleanValue(input) as Record<string, unknown>;
		assert.deepEqual(out, { key: ['a', { deep: ['\uFFFD', 1, null, true] }], when, n: 5, ok: 'fine' });
		assert.equal(out.when, when);
		assert.deepEqual(input, frozen, 'the input is unchanged');
	});

	test('a clean value comes back as the same object; only changed containers are copied', () => {
		const clean = { a: 'x', b: [1, 'y', { c: 'z' }], d: { e: 'f' } };
		assert.equal(cleanValue(clean), clean);
		const partly = { keep: { a: 'x' }, fix: ['\u0000'] };
		const out = cleanValue(partly);
		assert.notEqual(out, partly);
		assert.equal(out.keep, partly.keep);
		assert.deepEqual(out.fix, ['']);
	});

	test('a "__proto__" key (as JSON.parse makes it) stays a key and changes no prototype', () => {
		const parsed = JSON.parse('{"__proto__": {"polluted": "x\\u0000"}, "a": "b"}') as Record<string, unknown>;
		const out = cleanValue(parsed) as Record<string, unknown>;
		assert.equal(Object.getPrototypeOf(out), Object.prototype);
		assert.ok(Object.prototype.hasOwnProperty.call(out, '__proto__'));
		assert.deepEqual(Object.getOwnPropertyDescriptor(out, '__proto__')?.value, { polluted: 'x' });
		assert.equal(({} as Record<string, unknown>).polluted, undefined);
	});

	test('any JSON value: its JSON has no NUL and no lone surrogate escape after cleaning', () => {
		const dirtyJson = fc.letrec((tie) => ({
			value: fc.oneof(
				{ depthSize: 'small' },
				dirtyString,
				fc.double({ noNaN: true, noDefaultInfinity: true }),
				fc.boolean(),
				fc.constant(null),
				fc.array(tie('value'), { maxLength: 4 }),
				fc.dictionary(dirtyString, tie('value'), { maxKeys: 4 }),
			),
		})).value;
		fc.assert(
			fc.property(dirtyJson, (v) => {
				const text = JSON.stringify(cleanValue(v));
				assert.ok(!/\\u0000/.test(text), text);
				assert.ok(!/\\ud[89a-f][0-9a-f]{2}/i.test(text), text);
				assert.ok(wf(text).isWellFormed());
			}),
			{ numRuns: 3_000, seed: 7 },
		);
	});
});
