/**
 * Small deterministic helpers: a seeded PRNG (mulberry32), string hashing
 * (FNV-1a, 32 bit) and calendar arithmetic on `YYYY-MM-DD` strings in UTC.
 * Nothing here reads the real clock or Math.random, so a world built from the
 * same seed and `today` is identical on every machine.
 */

export function fnv1a(text: string, seed = 0x811c9dc5): number {
	let hash = seed >>> 0;
	for (let i = 0; i < text.length; i++) {
		hash ^= text.charCodeAt(i);
		hash = Math.imul(hash, 0x01000193) >>> 0;
	}
	return hash >>> 0;
}

export class Rng {
	private state: number;

	constructor(seed: number | string) {
		this.state = (typeof seed === 'number' ? seed : fnv1a(seed)) >>> 0;
		if (this.state === 0) this.state = 0x9e3779b9;
	}

	/** Uniform float in [0, 1). */
	next(): number {
		this.state = (this.state + 0x6d2b79f5) >>> 0;
		let t = this.state;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	}

	float(min: number, max: number): number {
		return min + (max - min) * this.next();
	}

	/** Integer in [min, max] inclusive. */
	int(min: number, max: number): number {
		return min + Math.floor(this.next() * (max - min + 1));
	}

	chance(p: number): boolean {
		return this.next() < p;
	}

	pick<T>(items: readonly T[]): T {
		if (items.length === 0) throw new Error('pick from empty list');
		return items[Math.floor(this.next() * items.length)] as T;
	}

	/** Standard normal via Box-Muller. */
	normal(): number {
		const u = Math.max(this.next(), 1e-12);
		const v = this.next();
		return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
	}

	/** Multiplicative noise: exp(N(0, sigma)). */
	lognormal(sigma: number): number {
		return Math.exp(this.normal() * sigma);
	}

	shuffle<T>(items: T[]): T[] {
		for (let i = items.length - 1; i > 0; i--) {
			const j = Math.floor(this.next() * (i + 1));
			const a = items[i] as T;
			items[i] = items[j] as T;
			items[j] = a;
		}
		return items;
	}

	/** A string of decimal digits of the given length (no leading zero). */
	digits(length: number): string {
		let out = String(this.int(1, 9));
		for (let i = 1; i < length; i++) out += String(this.int(0, 9));
		return out;
	}

	hex(length: number): string {
		let out = '';
		for (let i = 0; i < length; i++) out += Math.floor(this.next() * 16).toString(16);
		return out;
	}
}

/** A child generator whose stream depends only on the seed and the labels. */
export function rngFor(seed: number, ...labels: Array<string | number>): Rng {
	return new Rng(fnv1a(labels.join('|'), fnv1a(String(seed))));
}

/** UUID-shaped id, deterministic from the inputs. */
export function uuidFrom(...labels: Array<string | number>): string {
	const rng = new Rng(labels.join('|'));
	const h = rng.hex(32);
	return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${'89ab'[rng.int(0, 3)]}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

const DAY_MS = 86_400_000;

export function isIsoDate(value: unknown): value is string {
	return typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value) && !Number.isNaN(Date.parse(`${value}T00:00:00Z`));
}

export function dateToMs(date: string): number {
	return Date.parse(`${date}T00:00:00Z`);
}

export function msToDate(ms: number): string {
	return new Date(ms).toISOString().slice(0, 10);
}

export function addDays(date: string, days: number): string {
	return msToDate(dateToMs(date) + days * DAY_MS);
}

export function daysBetween(from: string, to: string): number {
	return Math.round((dateToMs(to) - dateToMs(from)) / DAY_MS);
}

/** 0 = Sunday … 6 = Saturday. */
export function weekday(date: string): number {
	return new Date(dateToMs(date)).getUTCDay();
}

export function utcToday(): string {
	return new Date().toISOString().slice(0, 10);
}

/** Every date from `from` to `to` inclusive. */
export function dateRange(from: string, to: string): string[] {
	const out: string[] = [];
	for (let d = from; d <= to; d = addDays(d, 1)) out.push(d);
	return out;
}

export const MINOR_DIGITS: Record<string, number> = { USD: 2, EUR: 2, GBP: 2, JPY: 0 };

export function roundMoney(amount: number, currency: string): number {
	const digits = MINOR_DIGITS[currency] ?? 2;
	const f = 10 ** digits;
	return Math.round(amount * f) / f;
}

export function toMinor(amount: number, currency: string): number {
	return Math.round(amount * 10 ** (MINOR_DIGITS[currency] ?? 2));
}

export function fromMinor(minor: number, currency: string): number {
	return minor / 10 ** (MINOR_DIGITS[currency] ?? 2);
}

/** Decimal string with the currency's minor digits, like the platforms print money. */
export function moneyString(amount: number, currency: string): string {
	return amount.toFixed(MINOR_DIGITS[currency] ?? 2);
}
