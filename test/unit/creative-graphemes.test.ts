import assert from 'node:assert/strict';
import { describe, test } from 'vitest';
import fc from 'fast-check';
import { graphemeLength, graphemes } from '../../nodes/shared/text/graphemes';
import { measureLength } from '../../nodes/shared/creative';

/** Units that are one grapheme each and never merge with a neighbour from this list. */
const UNITS: Array<{ text: string; wide: boolean; note: string }> = [
	{ text: 'a', wide: false, note: 'ASCII letter' },
	{ text: 'é', wide: false, note: 'precomposed e acute' },
	{ text: 'e\u0301', wide: false, note: 'e + combining acute' },
	{ text: 'a\u0308\u0323\u0304', wide: false, note: 'three stacked combining marks' },
	{ text: '👨‍👩‍👧‍👦', wide: false, note: 'ZWJ family, 11 code units' },
	{ text: '👍🏽', wide: false, note: 'thumbs up + skin tone' },
	{ text: '🧑🏿‍💻', wide: false, note: 'ZWJ with skin tone' },
	{ text: '🇩🇪', wide: false, note: 'flag (two regional indicators)' },
	{ text: '🏳️‍🌈', wide: false, note: 'rainbow flag (VS16 + ZWJ)' },
	{ text: '🏴󠁧󠁢󠁳󠁣󠁴󠁿', wide: false, note: 'Scotland (tag sequence)' },
	{ text: '1️⃣', wide: false, note: 'keycap' },
	{ text: '❤️', wide: false, note: 'heart + VS16' },
	{ text: '日', wide: true, note: 'Han' },
	{ text: 'か', wide: true, note: 'Hiragana' },
	{ text: 'カ', wide: true, note: 'Katakana' },
	{ text: '한', wide: true, note: 'precomposed Hangul syllable' },
	{ text: '\u1100\u1161\u11A8', wide: true, note: 'Hangul syllable from conjoining jamo' },
	{ text: 'Ａ', wide: true, note: 'full-width A' },
	{ text: '\r\n', wide: false, note: 'CR LF' },
];

describe('creative: grapheme counting', () => {
	for (const u of UNITS) {
		test(`${u.note} is one character`, () => {
			assert.equal(graphemeLength(u.text), 1);
			assert.deepEqual(graphemes(u.text), [u.text]);
			assert.equal(measureLength(u.text, 'graphemes'), 1);
			assert.equal(measureLength(u.text, 'google_width'), u.wide ? 2 : 1);
		});
	}

	test('code units and code points are not characters', () => {
		const family = '👨‍👩‍👧‍👦';
		assert.equal(family.length, 11);
		assert.equal([...family].length, 7);
		assert.equal(graphemeLength(family), 1);
		// Two flags side by side are two characters, not four or one.
		assert.equal(graphemeLength('🇩🇪🇫🇷'), 2);
		// Same letters in NFC and NFD count the same.
		assert.equal(graphemeLength('Crème brûlée'.normalize('NFD')), graphemeLength('Crème brûlée'.normalize('NFC')));
		assert.equal(graphemeLength(''), 0);
	});

	test('CJK: one character each, two each in Google width', () => {
		assert.equal(measureLength('日本語の広告', 'graphemes'), 6);
		assert.equal(measureLength('日本語の広告', 'google_width'), 12);
		assert.equal(measureLength('ABC 日本', 'google_width'), 8);
		assert.equal(measureLength('한국어', 'google_width'), 6);
	});

	test('property: a string of n units has n characters, and the Google width adds one per wide unit', () => {
		fc.assert(
			fc.property(fc.array(fc.constantFrom(...UNITS), { maxLength: 60 }), (units) => {
				const text = units.map((u) => u.text).join('');
				assert.equal(graphemeLength(text), units.length);
				assert.equal(measureLength(text, 'graphemes'), units.length);
				assert.equal(measureLength(text, 'google_width'), units.length + units.filter((u) => u.wide).length);
			}),
			{ numRuns: 300 },
		);
	});
});
