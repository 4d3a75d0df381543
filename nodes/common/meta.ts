// n8n glue for Meta comments: the AdOps Meta Ads credential → the comments client.
import type { ICredentialDataDecryptedObject } from 'n8n-workflow';
import { createPlatformAdapter, type PlatformSettings } from '../shared/platforms/factory';
import type { Json } from '../shared/schema/rows';
import type { Store } from '../shared/store';
import { MetaCommentsClient } from '../shared/platforms/meta-comments';
import { platformSettings } from './platforms';

export interface MetaCommentSettings {
	client: MetaCommentsClient;
	accountIds: string[];
	appSecret: string;
	verifyToken: string;
}

export function metaCommentSettings(data: ICredentialDataDecryptedObject): MetaCommentSettings {
	// The same reading of the credential as AdOps Ingest's.
	const meta = platformSettings('meta', data) as Extract<PlatformSettings, { platform: 'meta' }>;
	return {
		client: new MetaCommentsClient({ accessToken: meta.accessToken, appSecret: meta.appSecret || undefined, apiVersion: meta.apiVersion || undefined, baseUrl: meta.baseUrl || undefined }),
		accountIds: meta.accountIds,
		appSecret: meta.appSecret ?? '',
		verifyToken: String(data.webhookVerifyToken ?? '').trim(),
	};
}

const ZONES_STATE = 'meta.accountTimeZones';
const ZONES_MAX_AGE_MS = 7 * 24 * 3_600_000;

/**
 * Each ad account's IANA time zone as Meta reports it (the days of its
 * insights, so of campaign_performance), for the days of the comment signal.
 * Kept in the store (`app_state`) for a week, so a five-minute poll does not
 * read the accounts every time. An account Meta cannot describe right now
 * keeps its stored zone, or else UTC, and the warning says so.
 */
export async function metaAccountTimeZones(data: ICredentialDataDecryptedObject, store: Store, now = new Date()): Promise<{ zones: Record<string, string>; warnings: string[] }> {
	const meta = platformSettings('meta', data) as Extract<PlatformSettings, { platform: 'meta' }>;
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
