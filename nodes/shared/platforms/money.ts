/**
 * Exact money conversions. Amounts in micros (Google Ads) and minor units
 * (Meta budgets) are integers; they are turned into a decimal *string* with
 * integer arithmetic (BigInt) and only then into a number, so the result is
 * the double nearest to the exact decimal — the same number as parsing the
 * platform's own decimal text — with no float drift (no 0.1 + 0.2 effects).
 *
 * Values that are not integers are returned unchanged (`InvalidNumber`), so the
 * validator downstream can quarantine them with the original payload.
 */

/** A value that should have been numeric but was not; kept as the platform sent it. */
export type InvalidNumber = string | boolean | object;
export type NumericField = number | null | InvalidNumber;

function toBigInt(value: unknown): bigint | undefined {
	if (typeof value === 'bigint') return value;
	if (typeof value === 'number') return Number.isSafeInteger(value) ? BigInt(value) : undefined;
	if (typeof value === 'string' && /^-?\d+$/.test(value.trim())) return BigInt(value.trim());
	if (value && typeof value === 'object' && typeof (value as { toString?: unknown }).toString === 'function') {
		// protobuf Long (gRPC responses of google-ads-api)
		const text = String(value);
		if (/^-?\d+$/.test(text)) return BigInt(text);
	}
	return undefined;
}

/**
 * Integer `units` scaled down by 10^digits, as an exact decimal string
 * ("-0.05", "1234.5678"); with `keepTrailingZeros` every digit is written
 * ("100.00", as a budget field shows it).
 */
export function scaledIntegerToDecimalString(units: bigint, digits: number, keepTrailingZeros = false): string {
	const negative = units < 0n;
	const abs = negative ? -units : units;
	if (digits === 0) return `${negative ? '-' : ''}${abs}`;
	const text = abs.toString().padStart(digits + 1, '0');
	const whole = text.slice(0, -digits);
	const fraction = keepTrailingZeros ? text.slice(-digits) : text.slice(-digits).replace(/0+$/, '');
	return `${negative ? '-' : ''}${whole}${fraction ? `.${fraction}` : ''}`;
}

/** Integer amount with `digits` implied decimals → major units; non-integers returned unchanged. */
export function scaledToMajor(value: unknown, digits: number): number | InvalidNumber | null {
	if (value === null || value === undefined) return null;
	const units = toBigInt(value);
	if (units === undefined) return value as InvalidNumber;
	return Number(scaledIntegerToDecimalString(units, digits));
}

/** Google Ads micros (1/1,000,000 of the currency unit) → major units. */
export function microsToMajor(value: unknown): number | InvalidNumber | null {
	return scaledToMajor(value, 6);
}

/**
 * Major units → integer with `digits` decimals (e.g. micros), exactly: the
 * shortest decimal text of the number is read digit by digit. Throws when
 * the amount has more decimals than `digits` allows.
 */
export function majorToScaled(major: number | string, digits: number): bigint {
	const text = typeof major === 'number' ? numberToPlainString(major) : major.trim();
	const match = /^(-?)(\d+)(?:\.(\d+))?$/.exec(text);
	if (!match) throw new RangeError(`not a decimal amount: ${text}`);
	const [, sign, whole, fraction = ''] = match;
	const trimmed = fraction.replace(/0+$/, '');
	if (trimmed.length > digits) throw new RangeError(`${text} has more than ${digits} decimals`);
	const units = BigInt(whole) * 10n ** BigInt(digits) + BigInt(trimmed.padEnd(digits, '0') || '0');
	return sign === '-' ? -units : units;
}

export function majorToMicros(major: number | string): bigint {
	return majorToScaled(major, 6);
}

function numberToPlainString(n: number): string {
	if (!Number.isFinite(n)) throw new RangeError(`not a finite amount: ${n}`);
	const text = String(n);
	if (!/e/i.test(text)) return text;
	// exponent notation (1e-7, 1e+21): expand exactly from the shortest repr
	const [mantissa, expText] = text.split(/e/i);
	const exp = Number(expText);
	const negative = mantissa.startsWith('-');
	const digitsOnly = mantissa.replace(/^-/, '').replace('.', '');
	const pointAt = (mantissa.replace(/^-/, '').indexOf('.') === -1 ? mantissa.replace(/^-/, '').length : mantissa.replace(/^-/, '').indexOf('.')) + exp;
	let out: string;
	if (pointAt <= 0) out = `0.${'0'.repeat(-pointAt)}${digitsOnly}`;
	else if (pointAt >= digitsOnly.length) out = digitsOnly + '0'.repeat(pointAt - digitsOnly.length);
	else out = `${digitsOnly.slice(0, pointAt)}.${digitsOnly.slice(pointAt)}`;
	return `${negative ? '-' : ''}${out}`;
}

/**
 * A platform number (JSON number or decimal string, e.g. Meta `"12.34"`,
 * LinkedIn `"0.87"`) → number; anything else returned unchanged for the
 * validator; absent → null.
 */
export function decimalField(value: unknown): NumericField {
	if (value === null || value === undefined) return null;
	if (typeof value === 'number') return value;
	if (typeof value === 'string') {
		const t = value.trim();
		if (/^-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(t)) return Number(t);
		return value;
	}
	return value as InvalidNumber;
}

/** The six metrics of a report row. */
export type ReportedMetrics = Record<'spend' | 'impressions' | 'clicks' | 'conversions' | 'revenue' | 'leads', NumericField>;

/**
 * A report row's metrics from decimal fields of a report that leaves out what
 * is zero (LinkedIn analytics, TikTok integrated reports): an absent count is
 * 0, spend is as reported (null when absent).
 */
export function reportedMetrics(v: Record<keyof ReportedMetrics, unknown>): ReportedMetrics {
	return {
		spend: decimalField(v.spend),
		impressions: decimalField(v.impressions) ?? 0,
		clicks: decimalField(v.clicks) ?? 0,
		conversions: decimalField(v.conversions) ?? 0,
		revenue: decimalField(v.revenue) ?? 0,
		leads: decimalField(v.leads) ?? 0,
	};
}

/** Sum of numeric fields where all are numbers; the first invalid one is kept as-is. */
export function sumFields(values: readonly NumericField[]): NumericField {
	let total: number | null = null;
	for (const v of values) {
		if (v === null) continue;
		if (typeof v !== 'number') return v;
		total = total === null ? v : total + v;
	}
	return total === null ? null : roundSum(total, values);
}

/** Sums of decimals drift (0.1+0.2); round to the most decimals any addend had. */
function roundSum(total: number, values: readonly NumericField[]): number {
	let decimals = 0;
	for (const v of values) {
		if (typeof v !== 'number') continue;
		const text = String(v);
		const dot = text.indexOf('.');
		if (/e/i.test(text)) return total;
		if (dot >= 0) decimals = Math.max(decimals, text.length - dot - 1);
	}
	return Number(total.toFixed(Math.min(decimals, 20)));
}
