// Meta ad accounts' IANA time zones (the days of their insights), kept in the
// store for a week; used for the days of the comment signal.
import { createPlatformAdapter, type PlatformSettings } from './factory';
import type { Json } from '../schema/rows';
import type { Store } from '../store';

const ZONES_STATE = 'meta.accountTimeZones';
const ZONES_MAX_AGE_MS = 7 * 24 * 3_600_000;

/**
 * Each ad account's IANA time zone as Meta reports it (the days of its
 * insights, so of campaign_performance), for the days of the comment signal.
 * Kept in the store (`app_state`) for a week, so a five-minute poll does not
 * read the accounts every time. An account Meta cannot describe right now
 * keeps its stored zone, or else UTC, and the warning says so.
 */
export async function accountTimeZones(meta: Extract<PlatformSettings, { platform: 'meta' }>, store: Store, now = new Date()): Promise<{ zones: Record<string, string>; warnings: string[] }> {
	const stored = ((await store.getState<Record<string, { zone: string; at: string }>>(ZONES_STATE)) ?? {}) as Record<string, { zone: string; at: string }>;
	const zones: Record<string, string> = {};
	const warnings: string[] = [];
	let changed = false;
	let adapter: ReturnType<typeof createPlatformAdapter> | undefined;
	for (const raw of meta.accountIds) {
		const id = raw.replace(/^act_/, '');
		const known = stored[id];
		if (known && now.getTime() - Date.parse(known.at) < ZONES_MAX_AGE_MS) {
			zones[id] = known.zone;
			continue;
		}
		try {
			adapter ??= createPlatformAdapter(meta, { retry: { maxRetries: 2 } });
			const info = await adapter.describeAccount(id);
			if (!info.timezone) throw new Error('Meta reported no time zone');
			zones[id] = info.timezone;
			stored[id] = { zone: info.timezone, at: now.toISOString() };
			changed = true;
		} catch (error) {
			zones[id] = known?.zone ?? 'UTC';
			warnings.push(`the time zone of Meta ad account ${id} could not be read (${error instanceof Error ? error.message : String(error)}); its comment signal days use ${zones[id]}`);
		}
	}
	if (changed) await store.setState(ZONES_STATE, stored as unknown as Json);
	return { zones, warnings };
}
