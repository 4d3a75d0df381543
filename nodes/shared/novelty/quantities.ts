/**
 * Numbers, prices, percentages and units in English ad copy, for the offline
 * embedder: "$49", "49 dollars" and "forty-nine bucks" are one number;
 * "50% off", "50 percent off" and "half price" one percentage; "2 minutes"
 * and "120 seconds", "two weeks" and "14 days", "250 g" and "0.25 kg" one
 * quantity.
 *
 * Two steps:
 * 1. `prepareNumbers(raw)` rewrites the raw text before normalization, where
 *    punctuation still tells a decimal point from a sentence end: digit
 *    groups ("1,299" → 1299), decimals ("2.99" → a token `2dec99` that
 *    survives normalization), magnitude suffixes ("5M", "200k", "2bn"),
 *    multipliers ("2x"), "24/7", "-30°C", "/month", "X-free" ("ad-free" →
 *    "no ad"), clock times ("10 a.m.").
 * 2. `readQuantities(words)` reads the normalized words: number words ("one
 *    hundred twenty-nine", "forty five", "a dozen", "four and a half",
 *    "two ninety-nine" as a price), then what follows a number: a unit of
 *    time, mass, length, volume or data (a quantity), "percent" (a
 *    percentage), "times" (a multiplier), a currency name (dropped: the
 *    number is the price). A unit word without a number is one of it ("a
 *    week", "monthly"); "half"/"quarter" before a unit or "price"/"off"
 *    are fractions ("half a year", "half price" = 50 percent off).
 *
 * Each quantity becomes features that do not depend on the unit written:
 * the amount in a base unit (seconds, grams, metres, millilitres, bytes) on
 * a logarithmic scale with 5% steps, as two overlapping buckets, so amounts
 * within about 5% of each other ("12 months" and "365 days", "60 days" and
 * "two months") share at least one. English only: the package writes and
 * checks English copy.
 */

export type QuantityToken =
	| { kind: 'word'; word: string }
	| { kind: 'number'; key: string; value: number }
	| { kind: 'percent'; key: string }
	| { kind: 'times'; key: string }
	| { kind: 'quantity'; dimension: string; base: number };

const ONES: Readonly<Record<string, number>> = {
	zero: 0, one: 1, two: 2, three: 3, four: 4, five: 5, six: 6, seven: 7, eight: 8, nine: 9, ten: 10,
	eleven: 11, twelve: 12, thirteen: 13, fourteen: 14, fifteen: 15, sixteen: 16, seventeen: 17, eighteen: 18, nineteen: 19,
};
const TENS: Readonly<Record<string, number>> = { twenty: 20, thirty: 30, forty: 40, fourty: 40, fifty: 50, sixty: 60, seventy: 70, eighty: 80, ninety: 90 };
const SCALES: Readonly<Record<string, number>> = { hundred: 100, thousand: 1_000, million: 1_000_000, billion: 1_000_000_000 };
const FRACTIONS: Readonly<Record<string, number>> = { half: 0.5, quarter: 0.25 };
/** Words that stand for a number on their own. */
const COUNT_WORDS: Readonly<Record<string, number>> = { dozen: 12, couple: 2, pair: 2, twice: 2, double: 2, triple: 3, single: 1 };

/** Unit word → [dimension, size in the base unit]. */
const UNITS: Readonly<Record<string, readonly [string, number]>> = (() => {
	const u: Record<string, readonly [string, number]> = {};
	const add = (dimension: string, size: number, names: string): void => {
		for (const n of names.split(' ')) u[n] = [dimension, size];
	};
	const day = 86_400;
	add('time', 1, 'second seconds sec secs');
	add('time', 60, 'minute minutes min mins minutely');
	add('time', 3_600, 'hour hours hr hrs h hourly');
	add('time', day, 'day days night nights daily nightly');
	add('time', 7 * day, 'week weeks wk wks weekly');
	add('time', 30.4375 * day, 'month months mo mos monthly');
	add('time', 365.25 * day, 'year years yr yrs yearly annual annually');
	add('mass', 1, 'g gram grams gr');
	add('mass', 1_000, 'kg kgs kilo kilos kilogram kilograms');
	add('mass', 28.3495, 'oz ounce ounces');
	add('mass', 453.592, 'lb lbs');
	add('length', 0.001, 'mm millimeter millimeters millimetre millimetres');
	add('length', 0.01, 'cm centimeter centimeters centimetre centimetres');
	add('length', 1, 'm meter meters metre metres');
	add('length', 1_000, 'km kms kilometer kilometers kilometre kilometres');
	add('length', 1_609.344, 'mi mile miles');
	add('length', 0.3048, 'ft foot feet');
	add('volume', 1, 'ml milliliter milliliters millilitre millilitres');
	add('volume', 1_000, 'l liter liters litre litres');
	add('data', 1e6, 'mb megabyte megabytes');
	add('data', 1e9, 'gb gig gigs gigabyte gigabytes');
	add('data', 1e12, 'tb terabyte terabytes');
	add('temperature', 1, 'degree degrees');
	return u;
})();

/** Currency names: the number before them is the price; the name adds nothing ("$49" = "49 dollars"). */
const CURRENCY_WORDS: ReadonlySet<string> = new Set('dollar dollars buck bucks usd euro euros eur pound pounds gbp quid cad aud'.split(' '));

/** Words skipped between a number and its unit ("half of an hour", "a quarter of a year"). */
const LINKERS: ReadonlySet<string> = new Set(['a', 'an', 'of', 'the']);

/**
 * Rewrites raw copy so that numbers survive normalization as whole tokens
 * (see the file's comment). The result is normalized by `normalizeText`
 * like any text.
 */
export function prepareNumbers(raw: string): string {
	let s = raw.normalize('NFKC');
	// Digit groups: "1,299" → "1299" (repeat for "1,000,000").
	for (let i = 0; i < 4 && /\d,\d{3}/.test(s); i++) s = s.replace(/(\d),(\d{3})(?!\d)/g, '$1$2');
	// Magnitudes written as a suffix: 5M, 10m players? Only capital M (lower m is metres), k/K, bn/B.
	s = s.replace(/(\d+(?:\.\d+)?)\s?(?:M|MM|mn|mln)\b/g, '$1 million').replace(/(\d+(?:\.\d+)?)\s?[kK]\b/g, '$1 thousand').replace(/(\d+(?:\.\d+)?)\s?(?:B|bn)\b/g, '$1 billion');
	// Units written against the number: "30ml", "250g", "2kg", "24h".
	s = s.replace(/(\d)(?=(?:ml|l|g|kg|km|m|cm|mm|mi|oz|lbs?|gb|tb|mb|h|hrs?|mins?|secs?|mo|yrs?)\b)/gi, '$1 ');
	// Multipliers: "2x faster", "3×".
	s = s.replace(/(\d+(?:\.\d+)?)\s?[x×]\b/g, '$1 times');
	s = s.replace(/\b24\s*\/\s*7\b/g, ' around the clock ').replace(/\b24\s*\/\s*365\b/g, ' around the clock ');
	// Clock times: "10 a.m." → "10 oclock" (the letters would read as "a" and "m", metres).
	s = s.replace(/(\d)\s*(?:a\.\s?m\.?|am\b|p\.\s?m\.?|pm\b)/gi, '$1 oclock ');
	// Temperatures and signs.
	s = s.replace(/°\s*[CFcf]?\b/g, ' degrees ').replace(/(^|[\s(])[-−–](?=\d)/g, '$1minus ');
	// Decimals: "2.99" → "2dec99" (one token after normalization).
	s = s.replace(/(\d+)\.(\d+)/g, '$1dec$2');
	// Rates: "$9.99/month", "per user/month".
	s = s.replace(/([\p{L}\p{N}])\s*\/\s*(?=\p{L})/gu, '$1 per ');
	// "ad-free", "fragrance-free", "risk-free": no ad, no fragrance, no risk (not "free shipping").
	s = s.replace(/([\p{L}]+)[-‐‑]free\b/giu, 'no $1');
	return s;
}

function numberKey(value: number): string {
	// Digits without the decimal point: $2.99 and "two ninety-nine" are both 299; $25.00 is 25.
	const rounded = Math.round(value * 100) / 100;
	return Number.isInteger(rounded) ? String(rounded) : String(rounded).replace('.', '');
}

/** Reads a number starting at `i`; returns [value, words consumed] or null. */
function readNumber(words: readonly string[], i: number): [number, number] | null {
	const w = words[i]!;
	let value: number;
	let j = i + 1;
	const dec = /^(\d+)dec(\d+)$/.exec(w);
	if (dec) value = Number(`${dec[1]}.${dec[2]}`);
	else if (/^\d+$/.test(w)) value = Number(w);
	else if (w in COUNT_WORDS) return [COUNT_WORDS[w]!, 1];
	else if (w === 'zero' && !(words[i + 1] === 'percent' || (words[i + 1] !== undefined && words[i + 1]! in UNITS))) return null;
	else if (w in ONES || w in TENS || ((w === 'a' || w === 'an') && words[i + 1] !== undefined && words[i + 1]! in SCALES)) {
		const spelled = readSpelled(words, i);
		if (!spelled) return null;
		return spelled;
	} else return null;
	// A digit number may carry a scale word ("5 million") or a fraction ("4 and a half").
	if (j < words.length && words[j]! in SCALES) {
		value *= SCALES[words[j]!]!;
		j++;
	}
	return [value, j - i];
}

/**
 * A spelled-out number from `i`: "one hundred twenty nine", "forty five",
 * "a hundred", "ten thousand", "four and a half", and the price reading
 * "two ninety nine" (2 then 99: 299, the key of $2.99 and $299 alike).
 */
function readSpelled(words: readonly string[], i: number): [number, number] | null {
	let total = 0;
	let current = 0;
	let last: 'start' | 'ones' | 'tens' | 'hundred' | 'scale' | 'and' = 'start';
	let k = i;
	if (words[k] === 'a' || words[k] === 'an') {
		current = 1;
		last = 'ones';
		k++;
	}
	let firstOnes = false;
	let end = last === 'start' ? i : k;
	for (; k < words.length; k++) {
		const x = words[k]!;
		if (x in ONES) {
			if (last === 'start') firstOnes = true;
			else if (!(last === 'tens' && ONES[x]! < 10) && last !== 'hundred' && last !== 'scale' && last !== 'and') break;
			current += ONES[x]!;
			last = 'ones';
		} else if (x in TENS) {
			if (last === 'ones' && firstOnes && k === i + 1 && current < 10 && !(words[k + 1]! in SCALES)) current *= 100;
			else if (last !== 'start' && last !== 'hundred' && last !== 'scale' && last !== 'and') break;
			current += TENS[x]!;
			last = 'tens';
		} else if (x === 'hundred' && (last === 'ones' || last === 'tens')) {
			current *= 100;
			last = 'hundred';
		} else if (x in SCALES && x !== 'hundred' && (last === 'ones' || last === 'tens' || last === 'hundred')) {
			total += current * SCALES[x]!;
			current = 0;
			last = 'scale';
		} else if (x === 'dozen' && last === 'ones') {
			current *= 12;
			last = 'scale';
		} else if (x === 'and' && last !== 'and' && k + 1 < words.length) {
			const y = words[k + 1]!;
			if ((y === 'a' || y === 'an') && (words[k + 2] === 'half' || words[k + 2] === 'quarter')) {
				current += FRACTIONS[words[k + 2]!]!;
				end = k + 3;
				break;
			}
			if (!(y in ONES || y in TENS) || last === 'ones' || last === 'tens') break;
			last = 'and';
			continue;
		} else break;
		end = k + 1;
	}
	if (end === i || (current === 0 && total === 0 && words[i] !== 'zero')) return end === i ? null : [total + current, end - i];
	return [total + current, end - i];
}

const LOG_STEP = Math.log(1.05);

/** Two overlapping 5% buckets of a positive amount (see the file's comment). */
export function quantityBuckets(base: number): [number, number] {
	const b = Math.floor(Math.log(Math.max(base, 1e-9)) / LOG_STEP);
	return [b, b + 1];
}

/**
 * Reads numbers, percentages, multipliers and quantities out of normalized
 * words (from `normalizeText(prepareNumbers(raw))`); every other word passes
 * through as `{ kind: 'word' }`. Currency names after a number are dropped.
 */
export function readQuantities(words: readonly string[]): QuantityToken[] {
	const out: QuantityToken[] = [];
	for (let i = 0; i < words.length; ) {
		const w = words[i]!;
		let num: [number, number] | null = null;
		let fraction = false;
		if (w in FRACTIONS) {
			// "half price", "half off", "a quarter off", "half a year", "quarter of an hour".
			let k = i + 1;
			while (k < words.length && LINKERS.has(words[k]!)) k++;
			const next = words[k];
			if (next === 'price' || next === 'off' || next === 'priced') {
				out.push({ kind: 'percent', key: String(FRACTIONS[w]! * 100) });
				if (next !== 'off') out.push({ kind: 'word', word: 'off' });
				i = k + 1;
				continue;
			}
			if (next !== undefined && next in UNITS) {
				num = [FRACTIONS[w]!, k - i];
				fraction = true;
			}
		}
		if (!num && !fraction) num = readNumber(words, i);
		if (!num) {
			if (w in UNITS && (words[i - 1] === undefined || !/^\d/.test(words[i - 1]!))) {
				// A unit without a number: one of it ("a week", "monthly", "per hour").
				const [dimension, size] = UNITS[w]!;
				if (dimension === 'time') {
					out.push({ kind: 'quantity', dimension, base: size });
					i++;
					continue;
				}
			}
			out.push({ kind: 'word', word: w });
			i++;
			continue;
		}
		const [value, used] = num;
		let j = i + used;
		// "and a half" after a digit: "4 and a half".
		if (words[j] === 'and' && (words[j + 1] === 'a' || words[j + 1] === 'an') && (words[j + 2] === 'half' || words[j + 2] === 'quarter')) {
			num = [value + FRACTIONS[words[j + 2]!]!, used + 3];
			j += 3;
		}
		const amount = num[0];
		// The unit follows the number directly ("$54 a month" is a price per month, not 54 months);
		// a fraction may have linkers before it ("half a year"), already skipped above.
		const k = j;
		const unit = words[j] !== undefined && words[j]! in UNITS ? words[j]! : null;
		if (words[j] === 'percent' || (words[j] === 'per' && words[j + 1] === 'cent')) {
			out.push({ kind: 'percent', key: numberKey(amount) });
			i = j + (words[j] === 'percent' ? 1 : 2);
		} else if (words[j] === 'times' || w === 'twice' || w === 'double' || w === 'triple') {
			out.push({ kind: 'times', key: numberKey(amount) });
			i = words[j] === 'times' ? j + 1 : j;
		} else if (unit) {
			const [dimension, size] = UNITS[unit]!;
			out.push({ kind: 'quantity', dimension, base: amount * size });
			i = k + 1;
		} else {
			out.push({ kind: 'number', key: numberKey(amount), value: amount });
			i = j;
			if (words[i] !== undefined && CURRENCY_WORDS.has(words[i]!)) i++;
		}
	}
	return out;
}
