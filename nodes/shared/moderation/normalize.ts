/**
 * De-obfuscation for the offline classifier: what a spammer does to slip
 * past word lists, undone before the lists are read.
 *
 * - Compatibility forms (NFKC): 𝗳𝗿𝗲𝗲, Ⓕⓡⓔⓔ, ＦＲＥＥ → free.
 * - Look-alike letters from other scripts inside Latin words (Cyrillic `а`,
 *   `е`, `о`, Greek `ο` …): `frее` with Cyrillic e → free. Words written
 *   wholly in another script are left alone.
 * - Spaced or dotted letters: `F R E E  F O L L O W E R S`, `b.u.y` → free
 *   followers, buy (a double space stays a word break).
 * - Invisible characters (zero-width joiners, soft hyphens) removed.
 *
 * Leetspeak (`1d10t`) is handled by `deleet` in classify.ts. Pure, linear
 * time (no nested quantifiers).
 */

const CONFUSABLES: Record<string, string> = {
	а: 'a', в: 'b', е: 'e', ё: 'e', к: 'k', м: 'm', н: 'h', о: 'o', р: 'p', с: 'c', т: 't', у: 'y', х: 'x', і: 'i', ї: 'i', ј: 'j', ѕ: 's', ԁ: 'd', ɡ: 'g', ӏ: 'l',
	α: 'a', β: 'b', ε: 'e', ι: 'i', κ: 'k', ν: 'v', ο: 'o', ρ: 'p', τ: 't', υ: 'u', χ: 'x', ζ: 'z',
};
const CONFUSABLE_RE = new RegExp(`[${Object.keys(CONFUSABLES).join('')}]`, 'u');

/** Letters of other scripts inside a word that also has Latin letters become their Latin look-alikes. */
function unconfuse(text: string): string {
	if (!CONFUSABLE_RE.test(text)) return text;
	return text.replace(/[\p{L}\p{M}]+/gu, (w) => (/[a-z]/u.test(w) && CONFUSABLE_RE.test(w) ? [...w].map((ch) => CONFUSABLES[ch] ?? ch).join('') : w));
}

/**
 * Runs of single characters (a letter with its marks, or a digit) apart by
 * spaces are glued: five or more in a row, where one space joins letters and
 * two or more separate words (`F R E E  F O L L O W E R S` → `free
 * followers`). Three or more joined by dots, dashes, underscores or
 * asterisks are glued too (`b.u.y` → `buy`; `3.5`, `u.s.` stay).
 */
export function despace(text: string): string {
	const unit = '(?:\\p{L}\\p{M}*|\\p{N})';
	const spaced = new RegExp(`(?<![\\p{L}\\p{M}\\p{N}])${unit}(?: {1,3}${unit}(?![\\p{L}\\p{M}\\p{N}])){4,}`, 'gu');
	const dotted = new RegExp(`(?<![\\p{L}\\p{N}])${unit}(?:[._*-]${unit}(?![\\p{L}\\p{M}\\p{N}])){2,}`, 'gu');
	return text
		.replace(spaced, (m) => m.split(/ {2,}/u).map((w) => w.replace(/ /gu, '')).join(' '))
		.replace(dotted, (m) => (/^[\d._-]+$/u.test(m) ? m : m.replace(/[._*-]/gu, '')));
}

/** Lower-cased, compatibility-normalised, de-confused, de-spaced text; Latin accents removed. */
export function deobfuscate(text: string): string {
	const nfkc = text
		.replace(/[\u200b-\u200f\u00ad\u2060\ufeff]/gu, '')
		.normalize('NFKC')
		.toLowerCase();
	// Latin accents off (cuánto → cuanto), other scripts recomposed as written.
	const unaccented = nfkc.normalize('NFD').replace(/[\u0300-\u036f]/gu, '').normalize('NFC').replace(/\u093c/gu, '');
	return despace(unconfuse(unaccented)).replace(/[’‘`´]/gu, "'").replace(/[“”„«»]/gu, '"');
}
