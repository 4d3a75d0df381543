/**
 * Text normalization for comparing ad copy, tokenization, English stopwords,
 * a light stemmer and pg_trgm-style character trigrams.
 *
 * Decisions:
 * - Unicode NFKC first (full-width letters, ligatures, superscripts become
 *   their plain forms), then case folding (lower case, `ß` → `ss`, final
 *   sigma → sigma), then diacritics are stripped (NFD and removal of
 *   non-spacing marks), so "Café" and "CAFE" compare equal. This also strips
 *   marks in scripts where they carry meaning (Devanagari vowel signs); both
 *   sides of a comparison are normalized alike, so it costs a little
 *   precision there and nothing for English.
 * - Emoji are kept, each pictograph one token: "🔥 Sale" and "Sale" are close
 *   but not identical. Variation selectors, skin-tone modifiers, zero-width
 *   joiners and the keycap mark are dropped, so "❤️" and "❤" are the same
 *   token and a ZWJ family becomes its members.
 * - Punctuation and symbols become spaces, except `&` → "and", `%` →
 *   "percent", `+` → "plus" (they carry words), and apostrophes inside or at
 *   the end of a word, which are removed ("don't" → "dont", "customers'" →
 *   "customers"). Currency signs are dropped: "$49" and "49" are the same copy.
 * - Whitespace is collapsed to single spaces and trimmed.
 */

/** Pictographs that stand as tokens of their own. */
const EMOJI = /\p{Extended_Pictographic}/u;
/** Code points that decorate an emoji without changing which one it is. */
const EMOJI_DECORATION = /\u{FE0E}|\u{FE0F}|\u{200D}|\u{20E3}|\p{Emoji_Modifier}|[\u{E0020}-\u{E007F}]/gu;
const COMBINING_MARKS = /\p{Mn}/gu;
const APOSTROPHE_IN_WORD = /([\p{L}\p{N}])['’ʼ`´]+(?=[\p{L}\p{N}]|\s|$)/gu;
const NOT_TOKEN_CHAR = /[^\p{L}\p{N}\p{Extended_Pictographic}\p{Regional_Indicator}\s]+/gu;
const SPACES = /\s+/gu;
const EMOJI_ALL = /\p{Extended_Pictographic}/gu;
// eslint-disable-next-line no-control-regex
const ASCII = /^[\x00-\x7f]*$/;

/**
 * Normalizes text for comparison: NFKC, case fold, no diacritics, no
 * punctuation, emoji kept as separate tokens, single spaces.
 *
 * @example normalizeText("  Don't miss  our CAFÉ-sale! 🔥🔥 ") === "dont miss our cafe sale 🔥 🔥"
 */
export function normalizeText(text: string): string {
	if (!text) return '';
	let s: string;
	if (ASCII.test(text)) {
		// NFKC, NFD and emoji handling leave ASCII unchanged.
		s = text.toLowerCase();
	} else {
		s = text.normalize('NFKC').replace(EMOJI_DECORATION, '');
		s = s.toLowerCase().replace(/ß/g, 'ss').replace(/ς/g, 'σ');
		s = s.normalize('NFD').replace(COMBINING_MARKS, '').normalize('NFC');
		// Every pictograph on its own: "🔥🔥sale" → "🔥 🔥 sale".
		s = s.replace(EMOJI_ALL, ' $& ');
	}
	s = s.replace(APOSTROPHE_IN_WORD, '$1');
	s = s.replace(/&/g, ' and ').replace(/%/g, ' percent ').replace(/\+/g, ' plus ');
	return s.replace(NOT_TOKEN_CHAR, ' ').replace(SPACES, ' ').trim();
}

/** Words of normalized text (stopwords included); emoji are words too. */
export function words(text: string): string[] {
	const n = normalizeText(text);
	return n ? n.split(' ') : [];
}

/** True for a token that is a single pictograph. */
export function isEmoji(token: string): boolean {
	return EMOJI.test(token);
}

/** True for a token made only of digits. */
export function isNumber(token: string): boolean {
	return /^\p{N}+$/u.test(token);
}

/**
 * English function words (articles, pronouns, auxiliaries, prepositions,
 * conjunctions), in normalized form (apostrophes removed). Ad vocabulary such
 * as "free", "new", "now" is deliberately not here: it carries the offer.
 */
export const ENGLISH_STOPWORDS: ReadonlySet<string> = new Set(
	(
		'a about above after again against all am an and any are arent as at be because been before being below between both but by can cant could couldnt did didnt do does doesnt doing dont down during each few for from further had hadnt has hasnt have havent having he hed hell hes her here heres hers herself him himself his how hows i id ill im ive if in into is isnt it its itself lets me more most mustnt my myself no nor not of off on once only or other ought our ours ourselves out over own same shant she shed shell shes should shouldnt so some such than that thats the their theirs them themselves then there theres these they theyd theyll theyre theyve this those through to too under until up very was wasnt we wed well were weve werent what whats when whens where wheres which while who whos whom why whys will with wont would wouldnt you youd youll youre youve your yours yourself yourselves just also every get gets got us may might must shall s t d ll m re ve'
	).split(' '),
);

/** True for an English stopword (normalized form). */
export function isStopword(token: string): boolean {
	return ENGLISH_STOPWORDS.has(token);
}

const VOWEL = /[aeiouy]/;

/**
 * A light English suffix stripper, enough to conflate inflections in ad
 * copy ("deals"/"deal", "saving"/"saved"/"save", "quickly"/"quick",
 * "families"/"family"). Not Porter: stems need not be words, only consistent
 * ("save" → "sav"). Tokens with non-ASCII letters, numbers and emoji pass
 * through unchanged.
 */
export function stem(token: string): string {
	if (!/^[a-z]+$/.test(token) || token.length <= 3) return token;
	let w = token;
	if (w.endsWith('ies') && w.length > 4) w = w.slice(0, -3) + 'y';
	else if (w.endsWith('sses')) w = w.slice(0, -2);
	else if (w.endsWith('s') && !/(ss|us|is)$/.test(w)) w = w.slice(0, -1);
	if (w.length > 5 && w.endsWith('ing') && VOWEL.test(w.slice(0, -3))) w = undouble(w.slice(0, -3));
	else if (w.length > 4 && w.endsWith('ed') && !w.endsWith('eed') && VOWEL.test(w.slice(0, -2))) w = undouble(w.slice(0, -2));
	if (w.length > 5 && w.endsWith('ly')) w = w.slice(0, -2);
	if (w.length > 3 && w.endsWith('e') && !w.endsWith('ee') && !VOWEL.test(w[w.length - 2]!)) w = w.slice(0, -1);
	if (w.length > 3 && w.endsWith('y')) w = w.slice(0, -1) + 'i';
	return w;
}

function undouble(w: string): string {
	const last = w[w.length - 1]!;
	return w.length > 3 && last === w[w.length - 2] && !'lsz'.includes(last) ? w.slice(0, -1) : w;
}

/** Content tokens: words without stopwords, stemmed. Emoji and numbers kept. */
export function contentTokens(text: string): string[] {
	return words(text)
		.filter((w) => !ENGLISH_STOPWORDS.has(w))
		.map(stem);
}

/**
 * pg_trgm-style character trigrams of one normalized word: the word padded
 * with two spaces in front and one behind, every 3-code-point window.
 * "ok" → {"  o", " ok", "ok "}.
 */
export function wordTrigrams(word: string, into: Set<string> = new Set()): Set<string> {
	const cps = Array.from(`  ${word} `);
	for (let i = 0; i + 3 <= cps.length; i++) into.add(cps[i]! + cps[i + 1]! + cps[i + 2]!);
	return into;
}

/**
 * The set of character trigrams of `text` after normalization, taken word by
 * word like PostgreSQL's pg_trgm (`show_trgm`): word order does not change
 * the set, so reordered copy has the same shingles. Empty text → empty set.
 */
export function trigrams(text: string): Set<string> {
	const set = new Set<string>();
	for (const w of words(text)) wordTrigrams(w, set);
	return set;
}

/** Base-37 digit of a character of normalized English text (space, 0–9, a–z), or -1. */
function digit37(code: number): number {
	if (code === 32) return 0;
	if (code >= 48 && code <= 57) return code - 47;
	if (code >= 97 && code <= 122) return code - 86;
	return -1;
}

/** Number of distinct numeric keys `eachTrigramKey` can emit (37³). */
export const TRIGRAM_KEY_SPACE = 37 * 37 * 37;

/**
 * The trigrams of `wordTrigrams`, for an index: a trigram made only of
 * space, digits and a–z (nearly all of normalized English copy) as a number
 * below `TRIGRAM_KEY_SPACE` (base 37), any other as its string, so no string
 * is built for ordinary copy. A trigram gets the same key whichever word it
 * came from. Duplicates are emitted as often as they occur.
 */
export function eachTrigramKey(wordList: readonly string[], emit: (key: number | string) => void): void {
	for (const w of wordList) {
		let simple = true;
		for (let i = 0; i < w.length; i++) {
			if (digit37(w.charCodeAt(i)) < 0) {
				simple = false;
				break;
			}
		}
		if (simple) {
			// "  w " as digits: 0, 0, w…, 0.
			let a = 0;
			let b = 0;
			for (let i = 0; i <= w.length; i++) {
				const c = i < w.length ? digit37(w.charCodeAt(i)) : 0;
				emit(a * 1369 + b * 37 + c);
				a = b;
				b = c;
			}
		} else {
			const cps = Array.from(`  ${w} `);
			for (let i = 0; i + 3 <= cps.length; i++) {
				const x = cps[i]!;
				const y = cps[i + 1]!;
				const z = cps[i + 2]!;
				const dx = x.length === 1 ? digit37(x.charCodeAt(0)) : -1;
				const dy = y.length === 1 ? digit37(y.charCodeAt(0)) : -1;
				const dz = z.length === 1 ? digit37(z.charCodeAt(0)) : -1;
				if (dx >= 0 && dy >= 0 && dz >= 0) emit(dx * 1369 + dy * 37 + dz);
				else emit(x + y + z);
			}
		}
	}
}

/** `asciiTrigramKeys` writes at most this many keys per character of its input (`%` → " percent ": 8). */
export const ASCII_KEYS_PER_CHAR = 8;

/** Base-37 digits of the words `&`, `%` and `+` stand for ("and", "percent", "plus"). */
const SYMBOL_WORDS: Readonly<Record<number, readonly number[]>> = {
	38: [...'and'].map((c) => digit37(c.charCodeAt(0))),
	37: [...'percent'].map((c) => digit37(c.charCodeAt(0))),
	43: [...'plus'].map((c) => digit37(c.charCodeAt(0))),
};

/**
 * `eachTrigramKey(words(text), …)` for ASCII text, in one pass over its
 * character codes: the same keys in the same order, written into `out`
 * from index 0, without building the normalized string, the word list or a
 * closure call per key. Returns how many keys it wrote, or -1 (after writing
 * some) when `text` has a character above U+007F: the caller takes the
 * general path then. `out` must hold `ASCII_KEYS_PER_CHAR × text.length + 1`
 * keys.
 *
 * For ASCII, `normalizeText` is: lower case; an apostrophe run (`'`, `` ` ``)
 * between a letter or digit and a letter or digit disappears (it joins the
 * word: "don't" → "dont"); `&`, `%`, `+` become the words "and", "percent",
 * "plus"; every other character that is not a letter or digit separates
 * words (ASCII has no pictographs, and apostrophes elsewhere, removed or
 * not, only separate). Every resulting word is made of a–z and 0–9, so
 * every key is a number. test/unit/novelty-normalize.test.ts checks the
 * equivalence on random text.
 */
export function asciiTrigramKeys(text: string, out: Uint32Array): number {
	const len = text.length;
	let n = 0;
	let a = 0;
	let b = 0;
	let inWord = false;
	for (let i = 0; i < len; i++) {
		let c = text.charCodeAt(i);
		if (c > 0x7f) return -1;
		if (c >= 65 && c <= 90) c += 32;
		const d = c >= 97 && c <= 122 ? c - 86 : c >= 48 && c <= 57 ? c - 47 : -1;
		if (d > 0) {
			if (!inWord) {
				inWord = true;
				a = 0;
				b = 0;
			}
			out[n++] = a * 1369 + b * 37 + d;
			a = b;
			b = d;
			continue;
		}
		if (c === 39 || c === 96) {
			// An apostrophe run: skipped inside a word when a letter or digit follows.
			let j = i + 1;
			while (j < len && (text.charCodeAt(j) === 39 || text.charCodeAt(j) === 96)) j++;
			if (inWord && j < len) {
				const next = text.charCodeAt(j);
				if ((next >= 48 && next <= 57) || (next >= 65 && next <= 90) || (next >= 97 && next <= 122)) {
					i = j - 1;
					continue;
				}
			}
			i = j - 1;
		}
		if (inWord) {
			out[n++] = a * 1369 + b * 37;
			inWord = false;
		}
		const word = SYMBOL_WORDS[c];
		if (word !== undefined) {
			a = 0;
			b = 0;
			for (let k = 0; k < word.length; k++) {
				out[n++] = a * 1369 + b * 37 + word[k]!;
				a = b;
				b = word[k]!;
			}
			out[n++] = a * 1369 + b * 37;
		}
	}
	if (inWord) out[n++] = a * 1369 + b * 37;
	return n;
}
