/** data_volume: every configured minimum (spend, impressions, clicks, conversions) must be reached over the data window. */
import { z } from 'zod';
import type { MetricSums } from '../metrics';
import { nonNegative, windowSchema } from '../schema-parts';
import { fmt, gate, maxOf, type GateResult, type GateValue } from './common';
import type { MinData } from './settings';
import { defineGate, type ResolvedGates } from './types';

export const minDataSchema: z.ZodType<MinData, z.ZodTypeDef, unknown> = z
	.object({
		spend: nonNegative.optional(),
		impressions: nonNegative.optional(),
		clicks: nonNegative.optional(),
		conversions: nonNegative.optional(),
		window: windowSchema.optional(),
	})
	.strict();

const DATA_VOLUME_KEYS = [
	['spend', 'min_spend'],
	['impressions', 'min_impressions'],
	['clicks', 'min_clicks'],
	['conversions', 'min_conversions'],
] as const;

/** Minimum data volume over the data window: every configured minimum must be reached. */
export function dataVolumeGate(min: ResolvedGates['minData'], sums: MetricSums, windowLabel: string): GateResult {
	const values: Record<string, GateValue> = { window: windowLabel };
	const short: string[] = [];
	const met: string[] = [];
	for (const [k, minKey] of DATA_VOLUME_KEYS) {
		const need = min[k];
		if (need === null) continue;
		values[minKey] = need;
		values[k] = sums[k];
		(sums[k] >= need ? met : short).push(`${k} ${fmt(sums[k])} ${sums[k] >= need ? '>=' : '<'} ${fmt(need)}`);
	}
	if (short.length === 0 && met.length === 0) return gate('data_volume', 'skip', 'no minimum data volume configured', values);
	return short.length > 0
		? gate('data_volume', 'fail', `not enough data over ${windowLabel}: ${short.join(', ')}`, values)
		: gate('data_volume', 'pass', `${met.join(', ')} over ${windowLabel}`, values);
}

export const dataVolume = defineGate({
	name: 'data_volume',
	stage: 'evaluate',
	appliesTo: 'every',
	meaning:
		'Every configured minimum (spend, impressions, clicks, conversions) must be reached over the data window (minData.window, else the rule\'s widest condition window); the larger of the operator\'s and the rule\'s minimum applies; settings.currencies.<ISO>.minSpend replaces the base minimum spend for that currency.',
	settings: {
		node: { minData: minDataSchema.default({}) },
		rule: { minData: minDataSchema.optional() },
		currency: { minSpend: nonNegative.nullable().optional() },
	},
	merge: ({ node, rule, currency, defaultDataWindow }) => {
		const base = (node.minData ?? {}) as MinData;
		const r = (rule.minData ?? {}) as MinData;
		const hasSpend = Object.prototype.hasOwnProperty.call(currency, 'minSpend') && currency.minSpend !== undefined;
		const baseSpend = hasSpend ? ((currency.minSpend as number | null) ?? null) : (base.spend ?? null);
		return {
			minData: {
				spend: maxOf(baseSpend, r.spend),
				impressions: maxOf(base.impressions, r.impressions),
				clicks: maxOf(base.clicks, r.clicks),
				conversions: maxOf(base.conversions, r.conversions),
			},
			dataWindow: r.window ?? base.window ?? defaultDataWindow,
		};
	},
	check: (ctx, own) => {
		const { sums, label } = ctx.dataVolume();
		return dataVolumeGate(own.minData, sums, label);
	},
});
