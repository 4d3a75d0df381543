/**
 * Currency conversion into the reporting currency from the store's
 * `fx_rates` (1 `base` = `rate` `quote`).
 *
 * For a row dated D in currency S the rate is the one of date D, or the
 * latest earlier one (markets close on weekends and holidays), but not older
 * than `maxAgeDays`. A direct quote S→R is used as `amount × rate`; when only
 * the inverse R→S exists, `amount ÷ rate`. Either way the amount is computed
 * exactly in decimal and rounded once, half away from zero, to the reporting
 * currency's ISO 4217 minor unit.
 */
import type { Store } from '../store/types';
import { currencyExponent } from '../platforms/currency';
import { divide, fromNumber, multiply, round, toNumber, type Decimal } from '../text/decimal';
import { addDays, daysBetween } from './dates';

export interface FxQuote {
	base: string;
	quote: string;
	rate_date: string;
	rate: number;
}

export interface FxChoice {
	/** Multiply a source amount by this to get the reporting amount (for an inverse quote: 1 / rate, 12 decimals). */
	rate: number;
	rateDate: string | null;
	/** `direct` (S→R), `inverse` (R→S, divided) or `identity` (same currency). */
	kind: 'direct' | 'inverse' | 'identity';
	/** The stored rate as a decimal. */
	stored: Decimal;
}

export type FxLookup = { ok: true; fx: FxChoice } | { ok: false; reason: string };

/** Rounds a money amount to the currency's minor unit (half away from zero). */
export function roundMoney(amount: number, currency: string): number {
	const digits = currencyExponent(currency);
	if (digits === undefined) throw new RangeError(`unknown currency ${currency}`);
	return toNumber(round(fromNumber(amount), digits));
}

export class FxTable {
	/** `${base}>${quote}` → quotes sorted by date ascending. */
	private readonly byPair = new Map<string, FxQuote[]>();
	/** `lookup` results by source currency and date (the quotes never change after construction). */
	private readonly looked = new Map<string, FxLookup>();

	constructor(
		readonly reportingCurrency: string,
		quotes: ReadonlyArray<FxQuote>,
		readonly maxAgeDays = 7,
	) {
		for (const q of quotes) {
			const key = `${q.base}>${q.quote}`;
			let list = this.byPair.get(key);
			if (!list) this.byPair.set(key, (list = []));
			list.push(q);
		}
		for (const list of this.byPair.values()) list.sort((a, b) => (a.rate_date < b.rate_date ? -1 : a.rate_date > b.rate_date ? 1 : 0));
	}

	/** Loads the quotes into and out of `reportingCurrency` dated from `from - maxAgeDays` to `to`. */
	static async load(store: Store, reportingCurrency: string, from: string, to: string, maxAgeDays = 7): Promise<FxTable> {
		const dates = { gte: addDays(from, -maxAgeDays), lte: to };
		const [direct, inverse] = await Promise.all([
			store.select('fx_rates', { where: { quote: reportingCurrency, rate_date: dates } }),
			store.select('fx_rates', { where: { base: reportingCurrency, rate_date: dates } }),
		]);
		return new FxTable(reportingCurrency, [...direct, ...inverse], maxAgeDays);
	}

	private latest(base: string, quote: string, date: string): FxQuote | undefined {
		const list = this.byPair.get(`${base}>${quote}`);
		if (!list) return undefined;
		// binary search: last quote with rate_date <= date
		let lo = 0;
		let hi = list.length - 1;
		let found: FxQuote | undefined;
		while (lo <= hi) {
			const mid = (lo + hi) >> 1;
			if (list[mid].rate_date <= date) {
				found = list[mid];
				lo = mid + 1;
			} else hi = mid - 1;
		}
		return found;
	}

	/** The rate converting `source` into the reporting currency for a row dated `date` (frozen; the same object for the same arguments). */
	lookup(source: string, date: string): FxLookup {
		const key = `${source}\u0000${date}`;
		let found = this.looked.get(key);
		if (found === undefined) {
			found = this.choose(source, date);
			if (found.ok) {
				Object.freeze(found.fx.stored);
				Object.freeze(found.fx);
			}
			this.looked.set(key, Object.freeze(found));
		}
		return found;
	}

	private choose(source: string, date: string): FxLookup {
		const target = this.reportingCurrency;
		if (source === target) return { ok: true, fx: { rate: 1, rateDate: null, kind: 'identity', stored: { int: 1n, scale: 0 } } };
		const direct = this.latest(source, target, date);
		const inverse = this.latest(target, source, date);
		const pick = direct && (!inverse || direct.rate_date >= inverse.rate_date) ? direct : inverse;
		if (!pick) return { ok: false, reason: `no FX rate ${source}→${target} on or before ${date}` };
		const age = daysBetween(pick.rate_date, date);
		if (age > this.maxAgeDays) {
			return {
				ok: false,
				reason: `FX rate ${source}→${target} for ${date} is stale: latest is from ${pick.rate_date} (${age} days, limit ${this.maxAgeDays})`,
			};
		}
		const stored = fromNumber(pick.rate);
		if (pick === direct) return { ok: true, fx: { rate: pick.rate, rateDate: pick.rate_date, kind: 'direct', stored } };
		return { ok: true, fx: { rate: toNumber(divide({ int: 1n, scale: 0 }, stored, 12)), rateDate: pick.rate_date, kind: 'inverse', stored } };
	}
}

/** Converts a money amount with a chosen rate and rounds it to the reporting currency's minor unit. */
export function convertMoney(amount: number, fx: FxChoice, reportingCurrency: string): number {
	const digits = currencyExponent(reportingCurrency);
	if (digits === undefined) throw new RangeError(`unknown currency ${reportingCurrency}`);
	const value = fromNumber(amount);
	switch (fx.kind) {
		case 'identity':
			return toNumber(round(value, digits));
		case 'direct':
			return toNumber(round(multiply(value, fx.stored), digits));
		case 'inverse':
			return toNumber(divide(value, fx.stored, digits));
	}
}
