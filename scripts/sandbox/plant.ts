/**
 * Planted anomalies in the sandbox world's daily metrics (issue 18): a spike,
 * a drop or a tracking break on chosen days of one campaign, so AdOps Ingest
 * reads it from the platform's API like any other day and AdOps Insights
 * finds it. The change is made in the world (the platforms' ground truth):
 *
 *   spike           spend, impressions, clicks, conversions, revenue × factor (default 3)
 *   drop            the same × factor (default 0.2)
 *   tracking_break  conversions, revenue and leads 0; spend, impressions, clicks unchanged
 *
 * With `metric` only that metric is scaled (e.g. a spend spike alone is a
 * cost spike: CPC and CPA rise with it). Counts stay whole numbers and money
 * is rounded to cents. Admin route: POST /admin/plant with the same fields.
 */
import { addDays } from './rng';
import type { DailyMetrics, World } from './world';

export const PLANT_KINDS = ['spike', 'drop', 'tracking_break'] as const;
export type PlantKind = (typeof PLANT_KINDS)[number];
const SCALED = ['spend', 'impressions', 'clicks', 'conversions', 'revenue'] as const;

export interface PlantSpec {
	campaignId: string;
	kind: PlantKind;
	/** First day changed (YYYY-MM-DD; default: yesterday of the world). */
	date?: string;
	/** Consecutive days changed (default 1). */
	days?: number;
	factor?: number;
	metric?: (typeof SCALED)[number];
}

export interface Planted {
	platform: string;
	accountId: string;
	campaignId: string;
	kind: PlantKind;
	days: Array<{ date: string; before: DailyMetrics; after: DailyMetrics }>;
}

export class PlantError extends Error {}

export function plantAnomaly(world: World, spec: PlantSpec): Planted {
	if (!PLANT_KINDS.includes(spec.kind)) throw new PlantError(`kind must be one of ${PLANT_KINDS.join(', ')}`);
	if (spec.metric !== undefined && !SCALED.includes(spec.metric)) throw new PlantError(`metric must be one of ${SCALED.join(', ')}`);
	const days = spec.days ?? 1;
	if (!Number.isInteger(days) || days < 1 || days > 60) throw new PlantError('days must be an integer 1-60');
	const factor = spec.factor ?? (spec.kind === 'spike' ? 3 : 0.2);
	if (!(factor >= 0) || !Number.isFinite(factor)) throw new PlantError('factor must be a non-negative number');
	for (const account of world.accounts) {
		const campaign = account.campaigns.find((c) => c.id === spec.campaignId);
		if (!campaign) continue;
		const first = spec.date ?? addDays(world.today, -1);
		const changed: Planted['days'] = [];
		for (let i = 0; i < days; i++) {
			const date = addDays(first, i);
			const d = campaign.daily.find((x) => x.date === date);
			if (!d) throw new PlantError(`campaign ${spec.campaignId} has no day ${date} in the world (${campaign.daily[0]?.date} to ${campaign.daily.at(-1)?.date})`);
			const before = { ...d };
			if (spec.kind === 'tracking_break') {
				d.conversions = 0;
				d.revenue = 0;
				d.leads = 0;
			} else {
				for (const m of spec.metric ? [spec.metric] : SCALED) {
					d[m] = m === 'spend' || m === 'revenue' ? Math.round(d[m] * factor * 100) / 100 : Math.round(d[m] * factor);
				}
				// a day cannot have more clicks than impressions, nor more conversions than clicks
				d.clicks = Math.min(d.clicks, d.impressions);
				d.conversions = Math.min(d.conversions, d.clicks);
			}
			changed.push({ date, before, after: { ...d } });
		}
		return { platform: account.platform, accountId: account.id, campaignId: campaign.id, kind: spec.kind, days: changed };
	}
	throw new PlantError(`no campaign ${spec.campaignId} in the sandbox world`);
}
