// Store contents the engine tests start from, taken from the sandbox's world (its ground truth).
import { openStore, type Store } from '../../nodes/shared/store';
import type { RowInput } from '../../nodes/shared/schema/rows';
import { addDays } from '../../scripts/sandbox/rng';
import type { Engine } from './harness';

const PLATFORM: Record<string, string> = { meta: 'meta', linkedin: 'linkedin', google: 'google_ads' };

/** Runs `fn` on the engine's store (PGlite: while no node holds it). */
export async function withStore<T>(engine: Engine, fn: (store: Store) => Promise<T>): Promise<T> {
	const store = await openStore(engine.store.config);
	try {
		return await fn(store);
	} finally {
		await store.close();
	}
}

/** The last `days` days of every Meta, LinkedIn and Google Ads campaign with impressions, as ingest stores them. */
export async function seedPerformance(engine: Engine, days = 35): Promise<number> {
	const { world } = engine.sandbox;
	const rows: Array<RowInput<'campaign_performance'>> = [];
	for (const account of world.accounts) {
		const platform = PLATFORM[account.platform];
		if (!platform) continue;
		for (const c of account.campaigns) {
			for (const d of c.daily.filter((x) => x.date >= addDays(world.today, -days) && x.impressions > 0)) {
				rows.push({ date: d.date, platform, account_id: account.id, campaign_id: c.id, campaign_name: c.name, currency: account.currency, spend: d.spend, impressions: d.impressions, clicks: d.clicks, conversions: d.conversions, revenue: d.revenue, leads: d.leads } as RowInput<'campaign_performance'>);
			}
		}
	}
	await withStore(engine, (store) => store.upsert('campaign_performance', rows));
	return rows.length;
}

/**
 * AdOps Store credential Quotas that keep Klaviyo's values reports at their burst window (1 a second) only.
 * Since the In-Process limiter counts the published quotas (2 a minute per endpoint, 4d8c5ef), a first
 * 30-day backfill of day-by-day reports takes about 15 minutes; tests of other things use this. The pacing
 * itself is tested in test/contract/klaviyo-limits.test.ts and shared-limits.test.ts.
 */
export const KLAVIYO_BURST_ONLY = JSON.stringify({ 'klaviyo:reports': { windows: [{ points: 1, durationMs: 1_000 }], source: "test: Klaviyo's burst window only" } });
