/**
 * attributed_conversions read back over a window, for people: per model,
 * platform, campaign and currency (days summed), each model's totals and
 * platform shares, and the run in words. Conversions (fractional credits)
 * to 2 decimals, money to its currency's minor unit. Rows a rerun set to zero
 * are left out.
 */
import type { Store } from '../store/types';
import { roundAmount } from '../metrics';
import { formatAmount } from '../insights/run';
import { isPlatformId, PLATFORM_REGISTRY } from '../platforms/registry';
import { MODEL_LABELS, type AttributionModel } from './index';
import type { AttributionRunResult } from './run';

/** How a touch's platform reads: the registry's label ("Meta"), or "UTM newsletter/email" for `utm:newsletter/email`. */
export function platformLabel(platform: string): string {
	if (isPlatformId(platform)) return PLATFORM_REGISTRY[platform].label;
	return platform.startsWith('utm:') ? `UTM ${platform.slice(4)}` : platform;
}

export interface AttributedWindowRow {
	model: AttributionModel;
	modelLabel: string;
	platform: string;
	campaignId: string | null;
	currency: string | null;
	conversions: number;
	revenue: number;
	summary: string;
}

export interface ModelTotals {
	model: AttributionModel;
	label: string;
	conversions: number;
	revenue: Record<string, number>;
	platforms: Array<{ platform: string; label: string; conversions: number; share: number }>;
}

export interface AttributionReadOptions {
	from: string;
	to: string;
	models: readonly AttributionModel[];
	/** The run that wrote the window (its counts go into the summary). */
	run?: AttributionRunResult & { lookbackDays: number };
}

const round2 = (n: number): number => Math.round(n * 100) / 100;
const num = (n: number): string => n.toLocaleString('en-US', { maximumFractionDigits: 2 });
const conversionsText = (n: number): string => `${num(n)} ${n === 1 ? 'conversion' : 'conversions'}`;

function days(from: string, to: string): string {
	return from === to ? from : `${from} to ${to}`;
}

function worth(revenue: Record<string, number>): string {
	const parts = Object.entries(revenue)
		.filter(([, v]) => v > 0)
		.map(([c, v]) => formatAmount(v, c));
	return parts.length ? ` worth ${parts.join(' and ')}` : '';
}

export async function readAttribution(store: Pick<Store, 'selectColumns'>, opts: AttributionReadOptions): Promise<{ rows: AttributedWindowRow[]; byModel: ModelTotals[]; summary: string }> {
	const stored = await store.selectColumns('attributed_conversions', ['model', 'platform', 'campaign_id', 'currency', 'conversions', 'revenue'], {
		where: { date: { gte: opts.from, lte: opts.to }, model: { in: [...opts.models] } },
	});
	const acc = new Map<string, { model: AttributionModel; platform: string; campaign: string; currency: string; conversions: number; revenue: number }>();
	for (const r of stored) {
		const key = `${r.model}|${r.platform}|${r.campaign_id}|${r.currency}`;
		const a = acc.get(key) ?? { model: r.model as AttributionModel, platform: r.platform, campaign: r.campaign_id ?? '', currency: r.currency ?? '', conversions: 0, revenue: 0 };
		a.conversions += Number(r.conversions);
		a.revenue += Number(r.revenue);
		acc.set(key, a);
	}
	const order = new Map(opts.models.map((m, i) => [m, i]));
	const rows: AttributedWindowRow[] = [...acc.values()]
		.filter((a) => a.conversions > 0 || a.revenue > 0)
		.sort((a, b) => (order.get(a.model) ?? 0) - (order.get(b.model) ?? 0) || b.conversions - a.conversions || a.platform.localeCompare(b.platform) || a.campaign.localeCompare(b.campaign) || a.currency.localeCompare(b.currency))
		.map((a) => {
			const conversions = round2(a.conversions);
			const revenue = roundAmount(a.revenue, a.currency || null);
			const where = `${platformLabel(a.platform)} ${a.campaign ? `campaign ${a.campaign}` : 'without a campaign'}`;
			const value = a.currency && revenue > 0 ? ` worth ${formatAmount(revenue, a.currency)}` : '';
			return {
				model: a.model,
				modelLabel: MODEL_LABELS[a.model],
				platform: a.platform,
				campaignId: a.campaign || null,
				currency: a.currency || null,
				conversions,
				revenue,
				summary: `${MODEL_LABELS[a.model]}: ${where}, ${conversionsText(conversions)}${value} on ${days(opts.from, opts.to)}.`,
			};
		});
	const byModel: ModelTotals[] = opts.models.map((model) => {
		const mine = [...acc.values()].filter((a) => a.model === model);
		const total = mine.reduce((s, a) => s + a.conversions, 0);
		const revenue: Record<string, number> = {};
		const perPlatform = new Map<string, number>();
		for (const a of mine) {
			if (a.currency) revenue[a.currency] = (revenue[a.currency] ?? 0) + a.revenue;
			perPlatform.set(a.platform, (perPlatform.get(a.platform) ?? 0) + a.conversions);
		}
		for (const c of Object.keys(revenue)) revenue[c] = roundAmount(revenue[c]!, c);
		const platforms = [...perPlatform.entries()]
			.filter(([, c]) => c > 0)
			.map(([platform, c]) => ({ platform, label: platformLabel(platform), conversions: round2(c), share: total > 0 ? Math.round((c / total) * 1000) / 1000 : 0 }))
			.sort((a, b) => b.conversions - a.conversions || a.platform.localeCompare(b.platform));
		return { model, label: MODEL_LABELS[model], conversions: round2(total), revenue, platforms };
	});
	const lines: string[] = [];
	const r = opts.run;
	if (r) {
		const noTouch = r.unattributed ? `; not credited, without a touch in the lookback: ${num(r.unattributed)}` : '';
		lines.push(
			`Attribution of ${days(opts.from, opts.to)} (UTC days, ${r.lookbackDays}-day lookback): ${conversionsText(r.conversions)} in ${num(r.journeys)} journeys from ${num(r.events)} events${noTouch}. ${num(r.rowsWritten)} rows written, ${num(r.rowsZeroed)} set to zero.`,
		);
	} else lines.push(`Attribution of ${days(opts.from, opts.to)} (UTC days) as stored.`);
	for (const m of byModel) {
		if (m.conversions === 0) {
			lines.push(`${m.label}: nothing credited.`);
			continue;
		}
		const shares = m.platforms.map((p) => `${p.label} ${num(Math.round(p.share * 1000) / 10)} %`).join(', ');
		lines.push(`${m.label}: ${shares} of ${conversionsText(m.conversions)}${worth(m.revenue)}.`);
	}
	return { rows, byModel, summary: lines.join('\n') };
}
