/**
 * Text at the data boundary: the one home of the rule every write follows.
 *
 * PostgreSQL cannot hold two things a JavaScript string can: the NUL
 * character (U+0000: `text` refuses it, SQLSTATE 22P05 inside JSON) and an
 * unpaired UTF-16 surrogate (not a character at all: the JSON the store sends
 * is refused with 22P02, PostgREST answers 400). One such character in one
 * campaign name or comment used to make the database refuse the whole batch.
 *
 * - Free text (names, comment text, messages, every string inside a jsonb
 *   value, object keys included) is cleaned: NUL removed, each unpaired
 *   surrogate replaced by U+FFFD (the replacement character). Valid pairs
 *   (emoji) are kept. Cleaning is idempotent.
 * - Identifiers are not altered silently (a changed id would address another
 *   object): callers that know a field is an identifier check it with
 *   `textFlaw` and quarantine the record with the reason.
 *
 * The store applies `cleanValue` to every row, patch, ledger claim and filter
 * value before validation (store/validate.ts), so every path that writes text
 * gets it.
 */

/** A NUL or any surrogate code unit (valid pairs are told apart by the slow path). */
// eslint-disable-next-line no-control-regex -- finding NUL is the point
const SUSPECT = /[\u0000\uD800-\uDFFF]/;

const isHigh = (c: number) => c >= 0xd800 && c <= 0xdbff;
const isLow = (c: number) => c >= 0xdc00 && c <= 0xdfff;

/** `text` without NUL characters, each unpaired surrogate replaced by U+FFFD; the same string when already clean. */
export function cleanText(text: string): string {
	if (!SUSPECT.test(text)) return text;
	let out = '';
	let start = 0;
	for (let i = 0; i < text.length; i++) {
		const c = text.charCodeAt(i);
		if (c === 0) {
			out += text.slice(start, i);
			start = i + 1;
		} else if (isHigh(c)) {
			if (i + 1 < text.length && isLow(text.charCodeAt(i + 1))) i++;
			else {
				out += `${text.slice(start, i)}\uFFFD`;
				start = i + 1;
			}
		} else if (isLow(c)) {
			out += `${text.slice(start, i)}\uFFFD`;
			start = i + 1;
		}
	}
	return out + text.slice(start);
}

/** True when `cleanText(text) === text`. */
export function isCleanText(text: string): boolean {
	return !SUSPECT.test(text) || cleanText(text) === text;
}

const hex = (c: number) => `U+${c.toString(16).toUpperCase().padStart(4, '0')}`;

/**
 * Why `text` cannot be stored as it is, in words (`contains a NUL character
 * (U+0000) at position 7`), or undefined when it can. For identifiers: the
 * record is quarantined with this reason instead of the id being altered.
 */
export function textFlaw(text: string): string | undefined {
	if (!SUSPECT.test(text)) return undefined;
	for (let i = 0; i < text.length; i++) {
		const c = text.charCodeAt(i);
		if (c === 0) return `contains a NUL character (U+0000) at position ${i + 1}`;
		if (isHigh(c)) {
			if (i + 1 < text.length && isLow(text.charCodeAt(i + 1))) {
				i++;
				continue;
			}
			return `contains an unpaired surrogate (${hex(c)}) at position ${i + 1}`;
		}
		if (isLow(c)) return `contains an unpaired surrogate (${hex(c)}) at position ${i + 1}`;
	}
	return undefined;
}

/**
 * `text` for a message people read: NUL and unpaired surrogates written as
 * visible escapes (`\u0000`, `\uD800`), so a reason names the id as it came
 * without carrying the character itself.
 */
export function visibleText(text: string): string {
	if (!SUSPECT.test(text)) return text;
	let out = '';
	for (let i = 0; i < text.length; i++) {
		const c = text.charCodeAt(i);
		if (c === 0) out += '\\u0000';
		else if (isHigh(c) && i + 1 < text.length && isLow(text.charCodeAt(i + 1))) {
			out += text[i]! + text[i + 1]!;
			i++;
		} else if (isHigh(c) || isLow(c)) out += `\\u${c.toString(16).toUpperCase()}`;
		else out += text[i]!;
	}
	return out;
}

function isPlainObject(value: object): value is Record<string, unknown> {
	const proto: unknown = Object.getPrototypeOf(value);
	return proto === Object.prototype || proto === null;
}

/**
 * `value` with `cleanText` applied to every string in it: strings, array
 * elements and plain-object keys and values, at any depth. Anything else
 * (numbers, Dates, class instances) is kept as it is. Returns the same
 * object when nothing needed cleaning (no copy on the common path); a
 * changed container is a shallow copy, the input is never modified. Two keys
 * of one object that clean to the same key keep the later value.
 */
export function cleanValue<T>(value: T): T {
	return clean(value, 0) as T;
}

const MAX_DEPTH = 200;

function clean(value: unknown, depth: number): unknown {
	if (typeof value === 'string') return cleanText(value);
	if (value === null || typeof value !== 'object' || depth > MAX_DEPTH) return value;
	if (Array.isArray(value)) {
		let out: unknown[] | undefined;
		for (let i = 0; i < value.length; i++) {
			const v: unknown = value[i];
			const c = clean(v, depth + 1);
			if (c !== v && out === undefined) out = value.slice(0, i);
			if (out !== undefined) out.push(c);
		}
		return out ?? value;
	}
	if (!isPlainObject(value)) return value;
	let changed = false;
	const entries: Array<[string, unknown]> = [];
	for (const key of Object.keys(value)) {
		const v = value[key];
		const k = cleanText(key);
		const c = clean(v, depth + 1);
		if (k !== key || c !== v) changed = true;
		entries.push([k, c]);
	}
	if (!changed) return value;
	const out: Record<string, unknown> = Object.getPrototypeOf(value) === null ? Object.create(null) : {};
	// defineProperty: a `__proto__` key (JSON.parse makes it an own key) stays a key
	for (const [k, c] of entries) Object.defineProperty(out, k, { value: c, enumerable: true, writable: true, configurable: true });
	return out;
}
