// Values for people: what a platform answered, a proposal's evidence, an
// execution's result, shown in Slack and on Notion cards as words and
// numbers, never as JSON. `{"daily_budget":12000,"status":"ACTIVE"}` reads
// "daily budget 12000, status ACTIVE".
import { fromNumber, round, toNumber } from '../text/decimal';
import { fmt } from '../text/number';

const MAX_DEPTH = 3;

/** `daily_budget`, `dailyBudget`, `daily-budget` → `daily budget`. */
export function keyWords(key: string): string {
	return key
		.replace(/([a-z0-9])([A-Z])/g, '$1 $2')
		.replace(/[_-]+/g, ' ')
		.replace(/\s+/g, ' ')
		.trim()
		.toLowerCase();
}

/**
 * A number without float noise: the gates' number for people (`fmt`, at most
 * 4 decimals), with 2 decimals from 100 up (`277.42199999999997` → `277.42`,
 * `0.30000000000000004` → `0.3`).
 */
export function readableNumber(n: number): string {
	if (!Number.isFinite(n)) return String(n);
	return fmt(Math.abs(n) >= 100 ? toNumber(round(fromNumber(n), 2)) : n);
}

/**
 * A value as readable text: strings as they are, numbers without float
 * noise, booleans as yes/no, lists comma-joined, objects as `key value`
 * pairs (nested ones in parentheses). Never JSON; deeper than three levels
 * is shown as `…`. `sortKeys` orders object keys (text that is hashed).
 */
export function readableValue(value: unknown, options: { sortKeys?: boolean } = {}, depth = 0): string {
	if (value === null || value === undefined) return '—';
	if (typeof value === 'string') return value;
	if (typeof value === 'number') return readableNumber(value);
	if (typeof value === 'boolean') return value ? 'yes' : 'no';
	if (typeof value === 'bigint') return String(value);
	if (depth >= MAX_DEPTH) return '…';
	if (Array.isArray(value)) {
		if (value.length === 0) return 'none';
		const parts = value.map((v) => readableValue(v, options, depth + 1));
		return parts.join(value.some((v) => v !== null && typeof v === 'object') ? '; ' : ', ');
	}
	if (typeof value === 'object') {
		const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
		// jsonb reorders keys: text that is hashed (a Notion card) sorts them
		if (options.sortKeys) entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
		if (entries.length === 0) return '—';
		return entries
			.map(([k, v]) => {
				const shown = readableValue(v, options, depth + 1);
				const nested = v !== null && typeof v === 'object' && !Array.isArray(v);
				return `${keyWords(k)} ${nested ? `(${shown})` : shown}`;
			})
			.join(', ');
	}
	return String(value);
}
