import assert from 'node:assert/strict';
import { describe, test } from 'vitest';
import fc from 'fast-check';
import { ASCII_KEYS_PER_CHAR, TRIGRAM_KEY_SPACE, asciiTrigramKeys, contentTokens, eachTrigramKey, isStopword, normalizeText, stem, trigrams, words, wordTrigrams } from '../../nodes/shared/novelty/normalize';

describe('normalizeText', () => {
	test('case, punctuation and whitespace', () => {
		assert.equal(normalizeText('  Free   SHIPPING,\ton ALL orders!!!\n'), 'free shipping on all orders');
		assert.equal(normalizeText('Learn to code… get hired!'), 'learn to code get hired');
		assert.equal(normalizeText('30-day returns / 24/7 support'), '30 day returns 24 7 support');
	});

	test('Unicode: NFKC width and ligatures, case folding, diacritics', () => {
		assert.equal(normalizeText('ＨＩＩＴ at home'), 'hiit at home');
		assert.equal(normalizeText('ﬁt and ﬂow'), 'fit and flow');
		assert.equal(normalizeText('Café in MONTRÉAL'), 'cafe in montreal');
		assert.equal(normalizeText('STRASSE Straße'), 'strasse strasse');
		assert.equal(normalizeText('Crème brûlée, naïve façade'), 'creme brulee naive facade');
		assert.equal(normalizeText('ΟΔΟΣ'), normalizeText('οδοσ'), 'final sigma folds to sigma');
	});

	test('symbols that carry words; apostrophes and currency signs', () => {
		assert.equal(normalizeText('Coffee & croissants'), 'coffee and croissants');
		assert.equal(normalizeText('20% off'), '20 percent off');
		assert.equal(normalizeText('Google+ fans'), 'google plus fans');
		assert.equal(normalizeText("Don't miss our customers' favourite"), 'dont miss our customers favourite');
		assert.equal(normalizeText('Your dog’s NEW favorite'), 'your dogs new favorite');
		assert.equal(normalizeText('From $89 or €79'), 'from 89 or 79');
	});

	test('emoji are kept as one token each; presentation selectors and skin tones dropped', () => {
		assert.equal(normalizeText('🔥🔥Sale'), '🔥 🔥 sale');
		assert.equal(normalizeText('Love it ❤️'), normalizeText('Love it ❤'));
		assert.equal(normalizeText('👍🏽 yes'), normalizeText('👍 yes'));
		assert.equal(normalizeText('👨‍👩‍👧 family plan'), '👨 👩 👧 family plan');
		assert.equal(normalizeText('🇩🇪 shipping'), '🇩🇪 shipping', 'a flag stays one token');
		assert.equal(normalizeText('☕️'), '☕');
	});

	test('empty and symbol-only input', () => {
		assert.equal(normalizeText(''), '');
		assert.equal(normalizeText('   '), '');
		assert.equal(normalizeText('!!! --- ...'), '');
		assert.deepEqual(words('...'), []);
	});

	test('idempotent on any string (property)', () => {
		fc.assert(
			fc.property(fc.string({ unit: 'grapheme', maxLength: 60 }), (s) => {
				const n = normalizeText(s);
				assert.equal(normalizeText(n), n);
				assert.ok(!/\s{2}|^\s|\s$/.test(n));
			}),
			{ numRuns: 400 },
		);
	});

	test('the ASCII fast path agrees with the full path', () => {
		fc.assert(
			fc.property(fc.string({ unit: fc.constantFrom(...'aZ09 ,.!?&%+\'-’é'.split('')), maxLength: 40 }), (s) => {
				// Appending a non-ASCII letter forces the full path; it must only add that letter.
				const full = normalizeText(`${s} é`);
				const fast = normalizeText(s);
				assert.equal(full, `${fast} e`.trim());
			}),
			{ numRuns: 300 },
		);
	});
});

describe('tokens', () => {
	test('stopwords are English function words, not ad vocabulary', () => {
		for (const w of ['the', 'and', 'your', 'dont', 'with']) assert.ok(isStopword(w), w);
		for (const w of ['free', 'new', 'now', 'save', 'sale']) assert.ok(!isStopword(w), w);
	});

	test('stemming conflates inflections consistently', () => {
		const same = (a: string, b: string) => assert.equal(stem(a), stem(b), `${a} / ${b}`);
		same('deals', 'deal');
		same('saving', 'save');
		same('saved', 'saves');
		same('shipping', 'ship');
		same('shipped', 'ships');
		same('families', 'family');
		same('quickly', 'quick');
		same('prices', 'price');
		same('easily', 'easy');
		assert.equal(stem('free'), 'free');
		assert.equal(stem('bring'), 'bring');
		assert.equal(stem('café'), 'café', 'non-ASCII passes through');
		assert.equal(stem('2025'), '2025');
	});

	test('content tokens drop stopwords and stem', () => {
		assert.deepEqual(contentTokens('Get the deals you love 🔥'), ['deal', stem('love'), '🔥']);
	});
});

describe('trigrams (pg_trgm style)', () => {
	test('word padding like show_trgm', () => {
		assert.deepEqual([...wordTrigrams('cat')].sort(), ['  c', ' ca', 'at ', 'cat']);
		assert.deepEqual([...wordTrigrams('ok')].sort(), ['  o', ' ok', 'ok ']);
		assert.deepEqual([...trigrams('a')].sort(), ['  a', ' a ']);
	});

	test('word order does not change the set; normalization applies first', () => {
		assert.deepEqual([...trigrams('free shipping on all orders')].sort(), [...trigrams('On all orders: FREE shipping!')].sort());
		assert.equal(trigrams('').size, 0);
		assert.equal(trigrams('🔥').size, 2);
	});

	test('asciiTrigramKeys: the keys of eachTrigramKey(words(text)) in the same order, for ASCII text (property)', () => {
		const general = (text: string): number[] => {
			const keys: number[] = [];
			eachTrigramKey(words(text), (k) => {
				assert.equal(typeof k, 'number', 'ASCII text gives numeric keys only');
				keys.push(k as number);
			});
			return keys;
		};
		const fast = (text: string): number[] => {
			const out = new Uint32Array(ASCII_KEYS_PER_CHAR * text.length + 1);
			const n = asciiTrigramKeys(text, out);
			assert.ok(n >= 0, 'ASCII text takes the fast path');
			return Array.from(out.subarray(0, n));
		};
		// Every ASCII code, with the characters normalization treats specially drawn more often.
		const tricky = [..."aZq09'`'`&%+ \t\n\r\v\f-_.,!?#*$@~^|\\/\"<>()[]{}:;="];
		const all = Array.from({ length: 128 }, (_, c) => String.fromCharCode(c));
		fc.assert(
			fc.property(fc.string({ unit: fc.oneof(fc.constantFrom(...tricky), fc.constantFrom(...all)), maxLength: 40 }), (text) => {
				assert.deepEqual(fast(text), general(text));
			}),
			{ numRuns: 3000 },
		);
		for (const text of [
			'',
			"Don't miss our CAFE-sale!",
			"rock'n'roll, customers' choice, 'quoted', it''s, a'`b, x'-y, 9'9, ''lead, trail''",
			'R&D + 50% off & more: 100%+ & %',
			'&&%%++',
			"a'&b a'%b a'+b",
			'\t\n\v\f\r  Free   SHIPPING,\ton ALL orders!!!\n',
			'\u0000\u001f\u007f control',
		]) {
			assert.deepEqual(fast(text), general(text), JSON.stringify(text));
		}
		assert.equal(asciiTrigramKeys('Café', new Uint32Array(64)), -1, 'non-ASCII text: -1');
		assert.equal(asciiTrigramKeys('sale 🔥', new Uint32Array(64)), -1);
	});

	test('eachTrigramKey gives one key per distinct trigram, the same key for the same trigram (property)', () => {
		const ch = (d: number): string => (d === 0 ? ' ' : d <= 10 ? String(d - 1) : String.fromCharCode(d + 86));
		const decode = (k: number | string): string => (typeof k === 'number' ? ch(Math.floor(k / 1369)) + ch(Math.floor(k / 37) % 37) + ch(k % 37) : k);
		fc.assert(
			fc.property(fc.array(fc.string({ unit: fc.constantFrom(...'abcé ü🔥xz109'.split(/(?:)/u)), maxLength: 8 }), { maxLength: 6 }), (parts) => {
				const text = parts.join(' ');
				const keys = new Set<number | string>();
				eachTrigramKey(words(text), (k) => keys.add(k));
				const decoded = new Set([...keys].map(decode));
				assert.equal(decoded.size, keys.size, 'no two keys decode to the same trigram');
				for (const k of keys) if (typeof k === 'number') assert.ok(k >= 0 && k < TRIGRAM_KEY_SPACE);
				assert.deepEqual([...decoded].sort(), [...trigrams(text)].sort());
			}),
			{ numRuns: 300 },
		);
	});
});
