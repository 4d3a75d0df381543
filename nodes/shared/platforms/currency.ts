/**
 * Currency exponents.
 *
 * `ISO_4217_EXPONENT`: digits after the decimal point per ISO 4217 (zero-decimal
 * JPY/KRW/CLP/VND…, three-decimal BHD/KWD/OMR/TND/JOD…). Used to round and
 * to validate currency codes.
 *
 * `META_OFFSET`: Meta's own "offset" per currency for money fields expressed in
 * minor units (budgets, bid amounts, spend caps), from Meta's Marketing API
 * currency table. It is *not* ISO: COP, CRC, HUF, ISK, IDR, TWD use offset 1
 * (no minor unit) and the three-decimal ISO currencies (BHD, JOD, KWD…) use
 * 100. Insights `spend` is already a decimal string in major units.
 */

export const ISO_4217_EXPONENT: Readonly<Record<string, number>> = {
	AED: 2, AFN: 2, ALL: 2, AMD: 2, ANG: 2, AOA: 2, ARS: 2, AUD: 2, AWG: 2, AZN: 2,
	BAM: 2, BBD: 2, BDT: 2, BGN: 2, BHD: 3, BIF: 0, BMD: 2, BND: 2, BOB: 2, BRL: 2,
	BSD: 2, BTN: 2, BWP: 2, BYN: 2, BZD: 2, CAD: 2, CDF: 2, CHF: 2, CLP: 0, CNY: 2,
	COP: 2, CRC: 2, CUP: 2, CVE: 2, CZK: 2, DJF: 0, DKK: 2, DOP: 2, DZD: 2, EGP: 2,
	ERN: 2, ETB: 2, EUR: 2, FJD: 2, FKP: 2, GBP: 2, GEL: 2, GHS: 2, GIP: 2, GMD: 2,
	GNF: 0, GTQ: 2, GYD: 2, HKD: 2, HNL: 2, HTG: 2, HUF: 2, IDR: 2, ILS: 2, INR: 2,
	IQD: 3, IRR: 2, ISK: 0, JMD: 2, JOD: 3, JPY: 0, KES: 2, KGS: 2, KHR: 2, KMF: 0,
	KPW: 2, KRW: 0, KWD: 3, KYD: 2, KZT: 2, LAK: 2, LBP: 2, LKR: 2, LRD: 2, LSL: 2,
	LYD: 3, MAD: 2, MDL: 2, MGA: 2, MKD: 2, MMK: 2, MNT: 2, MOP: 2, MRU: 2, MUR: 2,
	MVR: 2, MWK: 2, MXN: 2, MYR: 2, MZN: 2, NAD: 2, NGN: 2, NIO: 2, NOK: 2, NPR: 2,
	NZD: 2, OMR: 3, PAB: 2, PEN: 2, PGK: 2, PHP: 2, PKR: 2, PLN: 2, PYG: 0, QAR: 2,
	RON: 2, RSD: 2, RUB: 2, RWF: 0, SAR: 2, SBD: 2, SCR: 2, SDG: 2, SEK: 2, SGD: 2,
	SHP: 2, SLE: 2, SOS: 2, SRD: 2, SSP: 2, STN: 2, SYP: 2, SZL: 2, THB: 2, TJS: 2,
	TMT: 2, TND: 3, TOP: 2, TRY: 2, TTD: 2, TWD: 2, TZS: 2, UAH: 2, UGX: 0, USD: 2,
	UYI: 0, UYU: 2, UYW: 4, UZS: 2, VED: 2, VES: 2, VND: 0, VUV: 0, WST: 2, XAF: 0,
	XCD: 2, XOF: 0, XPF: 0, YER: 2, ZAR: 2, ZMW: 2, ZWG: 2,
};

/** Currencies Meta stores without a minor unit (offset 1); every other supported currency has offset 100. */
const META_OFFSET_ONE = new Set(['CLP', 'COP', 'CRC', 'HUF', 'ISK', 'IDR', 'JPY', 'KRW', 'PYG', 'TWD', 'VND']);

export function isKnownCurrency(code: unknown): code is string {
	return typeof code === 'string' && Object.prototype.hasOwnProperty.call(ISO_4217_EXPONENT, code);
}

/** ISO 4217 exponent, or undefined for an unknown code. */
export function currencyExponent(code: string): number | undefined {
	return isKnownCurrency(code) ? ISO_4217_EXPONENT[code] : undefined;
}

/** Money with the currency's minor digits: `1234.50 USD` (2 digits for an unknown code). */
export function fmtMoney(n: number | null | undefined, currency: string): string {
	if (n === null || n === undefined || !Number.isFinite(n)) return 'undefined';
	return `${n.toFixed(currencyExponent(currency) ?? 2)} ${currency}`;
}

/** Decimal digits of Meta's minor unit for `code` (0 for offset 1, 2 for offset 100); undefined if unknown. */
export function metaMinorUnitDigits(code: string): number | undefined {
	if (!isKnownCurrency(code)) return undefined;
	return META_OFFSET_ONE.has(code) ? 0 : 2;
}

/**
 * Sane bounds of money (spend, revenue, budgets): at most
 * `MONEY_CEILING_MINOR_UNITS` minor units of the currency per campaign and
 * day, i.e. 10,000,000,000 USD or EUR, 1,000,000,000,000 JPY, 1,000,000,000
 * KWD. No real campaign comes near it (the largest advertisers spend a few
 * million USD a day in total); a value above it is a unit error or garbage
 * (a spend of 1e30), and ingest quarantines it instead of storing it. It
 * also keeps every amount exact to the minor unit as a double (10^12 is far
 * below 2^53), so sums over thousands of campaign-days stay exact.
 * Lowest in major units for currencies whose minor unit is small in value
 * (IDR, exponent 2: 10,000,000,000 IDR, about 600,000 USD a day).
 */
export const MONEY_CEILING_MINOR_UNITS = 1e12;

/** The largest amount (major units) of `code` per campaign and day; undefined for an unknown code. */
export function moneyCeiling(code: string): number | undefined {
	const exponent = currencyExponent(code);
	return exponent === undefined ? undefined : MONEY_CEILING_MINOR_UNITS / 10 ** exponent;
}

/** The highest ceiling of any currency (for a value whose currency is not known). */
export const HIGHEST_MONEY_CEILING = Math.max(...Object.keys(ISO_4217_EXPONENT).map((c) => moneyCeiling(c) as number));

/** `1234567.5` → `1,234,567.5` (every digit, no exponent notation: people read these). */
export function amountInWords(amount: number): string {
	if (!Number.isFinite(amount)) return String(amount);
	return amount.toLocaleString('en-US', { maximumFractionDigits: 20, useGrouping: true });
}

/**
 * Why `amount` of `code` is not a sane money value, in words, or undefined
 * when it is: not a finite number, negative, or above the currency's
 * ceiling. `label` names the field (`spend`, `daily budget`).
 */
export function moneyProblem(label: string, amount: number, code: string): string | undefined {
	if (typeof amount !== 'number' || !Number.isFinite(amount)) return `${label} is not a finite number (got ${String(amount)})`;
	if (amount < 0) return `${label} is negative (${amountInWords(amount)} ${code})`;
	const ceiling = moneyCeiling(code) ?? HIGHEST_MONEY_CEILING;
	if (amount > ceiling) {
		return `${label} of ${amountInWords(amount)} ${code} is above the ceiling of ${amountInWords(ceiling)} ${code} a day for one campaign (${amountInWords(MONEY_CEILING_MINOR_UNITS)} minor units)`;
	}
	return undefined;
}
