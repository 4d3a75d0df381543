/**
 * Quarantine records: the platform's original payload (made JSON-safe) and a
 * precise reason. A record is identified by a content hash of (platform,
 * account, campaign, date, canonical payload, reason), so re-running the same
 * window does not add the same bad row twice: the first sighting is kept,
 * with the run that first saw it. The same payload with a *different* reason
 * (e.g. a missing FX rate, later a negative spend) is a new record.
 */
import { createHash } from 'node:crypto';
import type { Json } from '../schema/rows';
import type { DailyMetricRow } from '../platforms/types';
import { visibleText } from '../text/clean';

/** A JSON-safe copy: non-finite numbers and bigints become strings, undefined / functions are dropped, cycles cut. */
export function toJsonSafe(value: unknown, seen = new WeakSet<object>()): Json {
	if (value === null || value === undefined) return null;
	switch (typeof value) {
		case 'string':
		case 'boolean':
			return value;
		case 'number':
			return Number.isFinite(value) ? value : String(value);
		case 'bigint':
			return value.toString();
		case 'object': {
			if (seen.has(value)) return '[circular]';
			seen.add(value);
			let out: Json;
			if (Array.isArray(value)) out = value.map((v) => toJsonSafe(v, seen));
			else if (value instanceof Date) out = Number.isNaN(value.getTime()) ? 'Invalid Date' : value.toISOString();
			else {
				const obj: { [key: string]: Json } = {};
				for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
					if (v === undefined || typeof v === 'function' || typeof v === 'symbol') continue;
					obj[k] = toJsonSafe(v, seen);
				}
				out = obj;
			}
			seen.delete(value);
			return out;
		}
		default:
			return null;
	}
}

/** JSON with object keys sorted (jsonb does not keep key order, so hashes use this form). */
export function canonicalJson(value: Json): string {
	if (value === null || typeof value !== 'object') return JSON.stringify(value);
	if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
	const keys = Object.keys(value).sort();
	return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k])}`).join(',')}}`;
}

/** The payload stored for a bad row: the platform's original row, or the mapped row when the adapter kept none. */
export function quarantinePayload(row: DailyMetricRow): Json {
	if (row.raw !== undefined && row.raw !== null) {
		const payload = toJsonSafe(row.raw);
		if (payload !== null) return payload;
	}
	const { raw: _raw, ...mapped } = row;
	return toJsonSafe(mapped) ?? {};
}

export function quarantineHash(platform: string | null, accountId: string | null, payload: Json, reason: string): string {
	return createHash('sha256')
		.update(canonicalJson([platform, accountId, payload, reason]))
		.digest('hex');
}

/** Row identity in a reason: `meta account 123 campaign 456 on 2025-06-01` (a NUL or lone surrogate written as `\u0000`). */
export function describeRow(row: Partial<DailyMetricRow>): string {
	const text = (v: unknown) => (typeof v === 'string' && v.trim() !== '' ? visibleText(v) : '?');
	return `${text(row.platform)} account ${text(row.accountId)} campaign ${text(row.campaignId)} on ${text(row.date)}`;
}
