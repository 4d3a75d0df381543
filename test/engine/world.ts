// Store contents the engine tests start from, taken from the sandbox's world (its ground truth).
import type { Store } from '../../nodes/shared/store';
import type { RowInput } from '../../nodes/shared/schema/rows';
import type { AdAccount, Campaign, Sandbox } from '../../scripts/sandbox';
import { addDays } from '../../scripts/sandbox/rng';
import { withStore as withStoreAt } from '../helpers/with-store';
import type { Engine } from './harness';

const PLATFORM: Record<string, string> = { meta: 'meta', linkedin: 'linkedin', google: 'google_ads' };

/** Runs `fn` on the engine's store (PGlite: while no node holds it). */
export function withStore<T>(engine: Engine, fn: (store: Store) => Promise<T>): Promise<T> {
	return withStoreAt(engine.store.config, fn);
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

/** A campaign of the sandbox's world with the ad account it belongs to. */
export type PickedCampaign = Campaign & { account: AdAccount };

/**
 * The first active campaign of the platform (sandbox name) and currency with impressions in the last 7 days
 * that `used` does not hold yet; it is added to `used`.
 */
export function pickCampaign(sandbox: Sandbox, platform: string, used: Set<string>, currency = 'USD'): PickedCampaign {
	const { world } = sandbox;
	for (const account of world.accounts.filter((a) => a.platform === platform && a.currency === currency)) {
		for (const c of account.campaigns) {
			if (c.status !== 'ACTIVE' || used.has(c.id) || !c.daily.some((d) => d.impressions > 0 && d.date >= addDays(world.today, -7))) continue;
			used.add(c.id);
			return Object.assign(c, { account });
		}
	}
	throw new Error(`the sandbox world has no unused active ${platform} campaign in ${currency}`);
}

/** A page of the sandbox's Notion approval database, as its admin route returns it. */
export type ApprovalCard = {
	id: string;
	properties: Record<string, { rich_text?: Array<{ plain_text?: string }>; title?: Array<{ plain_text?: string }>; select?: { name: string } | null; status?: { name: string } | null }>;
};

/** A card property's text (rich text, or the title). */
export function cardText(card: ApprovalCard, name: string): string {
	const p = card.properties[name];
	return [...(p?.rich_text ?? []), ...(p?.title ?? [])].map((t) => t.plain_text).join('');
}

/** The approval cards of one kind ('optimization', 'creative'), without the workspace's own older cards ('historic-…'). */
export async function approvalCards(sandbox: Sandbox, kind: string): Promise<ApprovalCard[]> {
	const res = await fetch(`${sandbox.url}/_admin/notion/pages?data_source_id=${sandbox.world.notion.approvalDataSourceId}`);
	const { pages } = (await res.json()) as { pages: ApprovalCard[] };
	return pages.filter((p) => p.properties.Kind?.select?.name === kind && !cardText(p, 'Proposal ID').startsWith('historic-'));
}
