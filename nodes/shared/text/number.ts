/**
 * Numbers as people read them in alerts, gate reasons and cards: one rule
 * for the whole package (the gates' reasons, alerts/readable.ts).
 */

/** A number for people: at most 4 decimals, no trailing zeros. */
export function fmt(n: number | null | undefined): string {
	if (n === null || n === undefined || !Number.isFinite(n)) return 'undefined';
	if (Number.isInteger(n)) return String(n);
	const k = Math.round(n * 10_000);
	const r = k / 10_000;
	if (r === 0) return '0';
	// |k| < 1e13: String(k / 10^4) is k's decimal digits with the point 4 places
	// from the right (no shorter decimal rounds to the same double), so it is
	// written from the integer k without the shortest-round-trip search.
	return k > -1e13 && k < 1e13 ? fourDecimals(k) : String(r);
}

/** The decimal of k / 10^4 (k an integer, 0 < |k| < 1e13), trailing zeros dropped. */
function fourDecimals(k: number): string {
	const neg = k < 0;
	const a = neg ? -k : k;
	const whole = Math.floor(a / 10_000);
	let frac = a - whole * 10_000;
	let text = String(whole);
	if (frac !== 0) {
		let digits = 4;
		while (frac % 10 === 0) {
			frac /= 10;
			digits--;
		}
		text += `.${String(frac).padStart(digits, '0')}`;
	}
	return neg ? `-${text}` : text;
}

/** A count with its noun for people: "1 event", "1,204 events" (en-US digit groups; `many` when the plural is not `one` + s). */
export function plural(n: number, one: string, many = `${one}s`): string {
	return `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;
}
