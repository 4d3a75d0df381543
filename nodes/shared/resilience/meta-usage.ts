/**
 * Meta's rate-limit headers, read on every response so requests slow down
 * *before* Meta answers with a throttling error.
 *
 * - `X-App-Usage`: `{"call_count":28,"total_time":25,"total_cputime":25}` (percent of the app's limit)
 * - `X-Ad-Account-Usage`: `{"acc_id_util_pct":9.67,"reset_time_duration":0,"ads_api_access_tier":"standard_access"}`
 * - `X-Business-Use-Case-Usage`: `{"<business id>":[{"type":"ads_insights","call_count":28,
 *   "total_cputime":25,"total_time":25,"estimated_time_to_regain_access":0}]}`
 *   (`estimated_time_to_regain_access` in minutes)
 */

export interface MetaUsageEntry {
	header: 'x-app-usage' | 'x-ad-account-usage' | 'x-business-use-case-usage';
	/** Business use case type (`ads_insights`, `ads_management`, …) or undefined. */
	type?: string;
	businessId?: string;
	/** Highest of call_count / total_time / total_cputime / acc_id_util_pct, in percent. */
	pct: number;
	/** Time until access is restored, from `estimated_time_to_regain_access` or `reset_time_duration`. */
	regainAccessMs: number;
}

export interface MetaUsage {
	entries: MetaUsageEntry[];
	maxPct: number;
	regainAccessMs: number;
}

function num(value: unknown): number {
	const n = typeof value === 'string' ? Number(value) : value;
	return typeof n === 'number' && Number.isFinite(n) ? n : 0;
}

function headerValue(headers: Record<string, unknown>, name: string): string | undefined {
	for (const [key, value] of Object.entries(headers)) {
		if (key.toLowerCase() === name) {
			const v = Array.isArray(value) ? value[0] : value;
			return typeof v === 'string' ? v : undefined;
		}
	}
	return undefined;
}

function parseJson(text: string | undefined): unknown {
	if (!text) return undefined;
	try {
		return JSON.parse(text);
	} catch {
		return undefined;
	}
}

function pctOf(o: Record<string, unknown>): number {
	return Math.max(num(o.call_count), num(o.total_time), num(o.total_cputime), num(o.acc_id_util_pct));
}

/** Parse the three usage headers; returns undefined when none is present or parseable. */
export function parseMetaUsage(headers: Record<string, unknown>): MetaUsage | undefined {
	const entries: MetaUsageEntry[] = [];
	const app = parseJson(headerValue(headers, 'x-app-usage'));
	if (app && typeof app === 'object' && !Array.isArray(app)) {
		entries.push({ header: 'x-app-usage', pct: pctOf(app as Record<string, unknown>), regainAccessMs: 0 });
	}
	const account = parseJson(headerValue(headers, 'x-ad-account-usage'));
	if (account && typeof account === 'object' && !Array.isArray(account)) {
		const o = account as Record<string, unknown>;
		entries.push({
			header: 'x-ad-account-usage',
			pct: pctOf(o),
			// reset_time_duration: seconds until the account's usage resets (0 when not throttled)
			regainAccessMs: num(o.reset_time_duration) * 1000,
		});
	}
	const buc = parseJson(headerValue(headers, 'x-business-use-case-usage'));
	if (buc && typeof buc === 'object' && !Array.isArray(buc)) {
		for (const [businessId, list] of Object.entries(buc as Record<string, unknown>)) {
			if (!Array.isArray(list)) continue;
			for (const item of list) {
				if (!item || typeof item !== 'object') continue;
				const o = item as Record<string, unknown>;
				entries.push({
					header: 'x-business-use-case-usage',
					businessId,
					type: typeof o.type === 'string' ? o.type : undefined,
					pct: pctOf(o),
					regainAccessMs: num(o.estimated_time_to_regain_access) * 60_000,
				});
			}
		}
	}
	if (entries.length === 0) return undefined;
	return {
		entries,
		maxPct: Math.max(...entries.map((e) => e.pct)),
		regainAccessMs: Math.max(...entries.map((e) => e.regainAccessMs)),
	};
}

export interface UsageThrottleOptions {
	/** Start slowing down above this percentage (default 75). */
	thresholdPct?: number;
	/** Wait at 100 % usage; the wait grows linearly from 0 at the threshold (default 60 s). */
	maxDelayMs?: number;
}

/**
 * How long to wait before the next request given the last usage reading:
 * `estimated_time_to_regain_access` when Meta says access is blocked,
 * otherwise a wait proportional to how far usage is past the threshold.
 */
export function usageDelayMs(usage: MetaUsage | undefined, options: UsageThrottleOptions = {}): number {
	if (!usage) return 0;
	const threshold = options.thresholdPct ?? 75;
	const maxDelay = options.maxDelayMs ?? 60_000;
	if (usage.regainAccessMs > 0) return usage.regainAccessMs;
	if (usage.maxPct <= threshold) return 0;
	const fraction = Math.min(1, (usage.maxPct - threshold) / (100 - threshold));
	return Math.round(fraction * maxDelay);
}
