/**
 * Exact decimal arithmetic on BigInt for the few operations ingest needs:
 * reading a JS number as the decimal PostgreSQL stores for it, rounding money
 * to a currency's minor unit, FX multiplication, and PostgreSQL's own
 * `numeric / numeric` (so derived metrics computed here equal the database's
 * GENERATED columns bit for bit).
 *
 * A number travels to the database as its shortest JSON text (`12.34`,
 * `1e-7`), which PostgreSQL parses into an exact `numeric`; `fromNumber`
 * reads the same text, so both sides start from the same decimal.
 */

import { scaledIntegerToDecimalString } from '../platforms/money';

/** `int × 10^-scale`; `scale >= 0` (PostgreSQL's display scale, dscale). */
export interface Decimal {
	int: bigint;
	scale: number;
}

const POW10: bigint[] = [];
export function pow10(n: number): bigint {
	if (n < 0) throw new RangeError(`pow10(${n})`);
	if (n < 64) return (POW10[n] ??= 10n ** BigInt(n));
	return 10n ** BigInt(n);
}

/** The decimal PostgreSQL stores for `n` sent as JSON (exact reading of the shortest round-trip text). */
export function fromNumber(n: number): Decimal {
	if (!Number.isFinite(n)) throw new RangeError(`not a finite number: ${n}`);
	if (Number.isSafeInteger(n)) return { int: BigInt(n), scale: 0 };
	return parseDecimal(String(n));
}

/** Parses `-12.340`, `1e-7`, `1.5E+3` (the scale keeps trailing zeros, as numeric_in does). */
export function parseDecimal(text: string): Decimal {
	const m = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(text.trim());
	if (!m || (m[2] === '' && (m[3] ?? '') === '')) throw new RangeError(`not a decimal: ${text}`);
	const [, sign, whole, fraction = '', expText] = m;
	const exp = expText === undefined ? 0 : Number(expText);
	let int = BigInt((whole || '0') + fraction);
	let scale = fraction.length - exp;
	if (scale < 0) {
		int *= pow10(-scale);
		scale = 0;
	}
	return { int: sign === '-' ? -int : int, scale };
}

/** The decimal's text with every digit of its scale (`-0.050` for int -50, scale 3). */
export function toPlainString(d: Decimal): string {
	return scaledIntegerToDecimalString(d.int, d.scale, true);
}

/** The double nearest to the exact decimal (what reading the numeric back yields). */
export function toNumber(d: Decimal): number {
	return Number(toPlainString(d));
}

export function multiply(a: Decimal, b: Decimal): Decimal {
	return { int: a.int * b.int, scale: a.scale + b.scale };
}

/** Integer division rounding half away from zero (PostgreSQL numeric rounding). */
function divRoundHalfAway(num: bigint, den: bigint): bigint {
	if (den === 0n) throw new RangeError('division by zero');
	const negative = num < 0n !== den < 0n;
	const n = num < 0n ? -num : num;
	const d = den < 0n ? -den : den;
	let q = n / d;
	if ((n % d) * 2n >= d) q += 1n;
	return negative ? -q : q;
}

/** Rounds to `digits` decimals, half away from zero (like PostgreSQL `round(numeric, digits)`). */
export function round(d: Decimal, digits: number): Decimal {
	if (d.scale <= digits) return d;
	return { int: divRoundHalfAway(d.int, pow10(d.scale - digits)), scale: digits };
}

/** `a / b` rounded to `digits` decimals, half away from zero. */
export function divide(a: Decimal, b: Decimal, digits: number): Decimal {
	// a/b = (a.int / b.int) × 10^(b.scale - a.scale); scaled by 10^digits
	const shift = digits + b.scale - a.scale;
	const num = shift >= 0 ? a.int * pow10(shift) : a.int;
	const den = shift >= 0 ? b.int : b.int * pow10(-shift);
	return { int: divRoundHalfAway(num, den), scale: digits };
}

// ------------------------------------------------- PostgreSQL numeric division

const NUMERIC_MIN_SIG_DIGITS = 16;
const DEC_DIGITS = 4;
const NUMERIC_MAX_DISPLAY_SCALE = 1000;

function digitCount(abs: bigint): number {
	return abs.toString().length;
}

/** Weight (base-10000 digit position) and first base-10000 digit of a decimal, as PostgreSQL stores it. */
function pgWeight(d: Decimal): { weight: number; first: bigint } {
	const abs = d.int < 0n ? -d.int : d.int;
	if (abs === 0n) return { weight: 0, first: 0n };
	const exp10 = digitCount(abs) - 1 - d.scale; // decimal exponent of the leading digit
	const weight = Math.floor(exp10 / DEC_DIGITS);
	const shift = -d.scale - DEC_DIGITS * weight;
	const first = shift >= 0 ? abs * pow10(shift) : abs / pow10(-shift);
	return { weight, first };
}

/** Result scale PostgreSQL picks for `a / b` (select_div_scale in numeric.c). */
export function pgDivScale(a: Decimal, b: Decimal): number {
	const wa = pgWeight(a);
	const wb = pgWeight(b);
	let qweight = wa.weight - wb.weight;
	if (wa.first <= wb.first) qweight--;
	let rscale = NUMERIC_MIN_SIG_DIGITS - qweight * DEC_DIGITS;
	rscale = Math.max(rscale, a.scale, b.scale, 0);
	return Math.min(rscale, NUMERIC_MAX_DISPLAY_SCALE);
}

/** PostgreSQL `numeric / numeric` (scale per select_div_scale, rounded half away from zero). */
export function pgDivide(a: Decimal, b: Decimal): Decimal {
	return divide(a, b, pgDivScale(a, b));
}
