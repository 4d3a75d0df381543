/**
 * Grounding for generation: the best and the worst past variants and
 * campaigns by the metric the user picks, with their numbers.
 *
 * Decisions:
 * - Records may be daily rows; rows of the same kind and id are summed first
 *   and the metric is computed from the totals with `derivedMetrics` (the one
 *   place metrics are computed), never averaged from daily ratios.
 * - ROAS and CTR: higher is better. CPA: lower is better.
 * - Minimum volume, so a lucky day with 3 clicks is not "the best": by
 *   default 1,000 impressions for every metric, plus 5 conversions for CPA
 *   and ROAS. Entities below it, without the metric (no conversions for CPA,
 *   no revenue for ROAS) or with invalid numbers are counted as skipped, not
 *   silently lost.
 * - Best and worst never overlap: with fewer than 2 × `perKind` eligible
 *   entities the better half is "best" and the rest "worst".
 * - Ties order by impressions (more first), then id, so the choice is stable.
 * - CPA across currencies is meaningless, so mixed currencies with CPA are an
 *   error (`GroundingError`); ROAS and CTR are ratios and may mix.
 */
import { derivedMetrics } from '../ingest/metrics';
import { learningLines, type ResultFigures, type VariantLearning } from './learning';

export const GROUNDING_METRICS = ['roas', 'cpa', 'ctr'] as const;
export type GroundingMetric = (typeof GROUNDING_METRICS)[number];

/** Lower is better for these metrics. */
export const LOWER_IS_BETTER: ReadonlySet<GroundingMetric> = new Set(['cpa']);

/** One past variant or campaign (or one day of it) with its performance. */
export interface PerformanceRecord {
	kind: 'variant' | 'campaign';
	id: string;
	/** Campaign name or another short human label. */
	label?: string | null;
	/** The copy of a past variant. */
	copy?: { headline?: string | null; primaryText?: string | null; description?: string | null } | null;
	currency?: string | null;
	spend: number;
	impressions: number;
	clicks: number;
	conversions: number;
	revenue?: number | null;
}

export interface VolumeMinimum {
	impressions: number;
	clicks: number;
	conversions: number;
	spend: number;
}

export interface GroundingOptions {
	metric: GroundingMetric;
	/** How many best and how many worst per kind. Default 3. */
	perKind?: number;
	/** Overrides of the minimum volume (see the module comment for defaults). */
	minimum?: Partial<VolumeMinimum>;
}

export interface GroundingEntry extends ResultFigures {
	kind: 'variant' | 'campaign';
	id: string;
	label: string | null;
	copy: { headline: string | null; primaryText: string | null; description: string | null } | null;
	currency: string | null;
	/** The chosen metric's value. */
	value: number;
}

export interface Grounding {
	metric: GroundingMetric;
	lowerIsBetter: boolean;
	minimum: VolumeMinimum;
	variants: { best: GroundingEntry[]; worst: GroundingEntry[] };
	campaigns: { best: GroundingEntry[]; worst: GroundingEntry[] };
	skipped: { belowMinimum: number; noMetric: number; invalid: number };
	/**
	 * The account's own published variants, best and worst per angle by CTR,
	 * CPA and ROAS (learning.ts); the prompt gets their lines when present.
	 */
	variantResults?: VariantLearning | null;
}

export class GroundingError extends Error {
	constructor(message: string) {
		super(message);
		this.name = 'GroundingError';
	}
}

/** Default minimum volume of a metric. */
export function defaultMinimum(metric: GroundingMetric): VolumeMinimum {
	return { impressions: 1000, clicks: 0, conversions: metric === 'ctr' ? 0 : 5, spend: 0 };
}

const isCount = (n: unknown): n is number => typeof n === 'number' && Number.isFinite(n) && n >= 0;

interface Totals {
	kind: 'variant' | 'campaign';
	id: string;
	label: string | null;
	copy: GroundingEntry['copy'];
	currencies: Set<string>;
	spend: number;
	impressions: number;
	clicks: number;
	conversions: number;
	revenue: number | null;
}

function pickBestWorst(entries: GroundingEntry[], perKind: number, lowerIsBetter: boolean): { best: GroundingEntry[]; worst: GroundingEntry[] } {
	const sorted = [...entries].sort((a, b) => (lowerIsBetter ? a.value - b.value : b.value - a.value) || b.impressions - a.impressions || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
	const bestCount = Math.min(perKind, Math.ceil(sorted.length / 2));
	const worstCount = Math.min(perKind, sorted.length - bestCount);
	return { best: sorted.slice(0, bestCount), worst: sorted.slice(sorted.length - worstCount).reverse() };
}

/** Picks the best and worst past variants and campaigns by `options.metric`. Pure. */
export function selectGrounding(records: readonly PerformanceRecord[], options: GroundingOptions): Grounding {
	const { metric } = options;
	if (!GROUNDING_METRICS.includes(metric)) throw new GroundingError(`unknown grounding metric "${String(metric)}"; use roas, cpa or ctr`);
	const perKind = options.perKind ?? 3;
	if (!Number.isSafeInteger(perKind) || perKind < 1) throw new GroundingError(`perKind must be a whole number ≥ 1, got ${String(perKind)}`);
	const minimum = { ...defaultMinimum(metric), ...options.minimum };
	const lowerIsBetter = LOWER_IS_BETTER.has(metric);
	const skipped = { belowMinimum: 0, noMetric: 0, invalid: 0 };

	const totals = new Map<string, Totals>();
	for (const r of records) {
		const valid =
			r &&
			(r.kind === 'variant' || r.kind === 'campaign') &&
			typeof r.id === 'string' &&
			r.id !== '' &&
			isCount(r.spend) &&
			isCount(r.impressions) &&
			isCount(r.clicks) &&
			isCount(r.conversions) &&
			(r.revenue === undefined || r.revenue === null || isCount(r.revenue));
		if (!valid) {
			skipped.invalid++;
			continue;
		}
		const key = `${r.kind}\u0000${r.id}`;
		let t = totals.get(key);
		if (!t) {
			t = { kind: r.kind, id: r.id, label: null, copy: null, currencies: new Set(), spend: 0, impressions: 0, clicks: 0, conversions: 0, revenue: null };
			totals.set(key, t);
		}
		t.label ??= r.label ?? null;
		if (!t.copy && r.copy) t.copy = { headline: r.copy.headline ?? null, primaryText: r.copy.primaryText ?? null, description: r.copy.description ?? null };
		if (r.currency) t.currencies.add(r.currency);
		t.spend += r.spend;
		t.impressions += r.impressions;
		t.clicks += r.clicks;
		t.conversions += r.conversions;
		if (typeof r.revenue === 'number') t.revenue = (t.revenue ?? 0) + r.revenue;
	}

	const eligible: GroundingEntry[] = [];
	for (const t of totals.values()) {
		if (t.impressions < minimum.impressions || t.clicks < minimum.clicks || t.conversions < minimum.conversions || t.spend < minimum.spend) {
			skipped.belowMinimum++;
			continue;
		}
		const m = derivedMetrics({ spend: t.spend, impressions: t.impressions, clicks: t.clicks, conversions: t.conversions, revenue: t.revenue });
		const value = m[metric];
		if (value === null) {
			skipped.noMetric++;
			continue;
		}
		if (t.currencies.size > 1 && metric === 'cpa') throw new GroundingError(`${t.kind} ${t.id} mixes currencies (${[...t.currencies].join(', ')}); CPA needs one currency`);
		eligible.push({
			kind: t.kind,
			id: t.id,
			label: t.label,
			copy: t.copy,
			currency: t.currencies.size === 1 ? [...t.currencies][0] : null,
			value,
			spend: t.spend,
			impressions: t.impressions,
			clicks: t.clicks,
			conversions: t.conversions,
			revenue: t.revenue,
			ctr: m.ctr,
			cpa: m.cpa,
			roas: m.roas,
		});
	}
	if (metric === 'cpa') {
		const currencies = new Set(eligible.map((e) => e.currency ?? ''));
		currencies.delete('');
		if (currencies.size > 1) throw new GroundingError(`CPA across currencies (${[...currencies].sort().join(', ')}) is not comparable; convert to one reporting currency first`);
	}
	return {
		metric,
		lowerIsBetter,
		minimum,
		variants: pickBestWorst(
			eligible.filter((e) => e.kind === 'variant'),
			perKind,
			lowerIsBetter,
		),
		campaigns: pickBestWorst(
			eligible.filter((e) => e.kind === 'campaign'),
			perKind,
			lowerIsBetter,
		),
		skipped,
	};
}

const METRIC_WORDS: Record<GroundingMetric, string> = {
	roas: 'ROAS = revenue / spend, higher is better',
	cpa: 'CPA = spend / conversions, lower is better',
	ctr: 'CTR = clicks / impressions, higher is better',
};

const round = (n: number | null, digits: number): number | null => (n === null ? null : Number(n.toFixed(digits)));

function entryForPrompt(e: GroundingEntry): Record<string, unknown> {
	return {
		...(e.kind === 'variant' ? { copy: e.copy } : { campaign: e.label ?? e.id }),
		spend: round(e.spend, 2),
		currency: e.currency,
		impressions: e.impressions,
		clicks: e.clicks,
		conversions: round(e.conversions, 2),
		revenue: round(e.revenue, 2),
		ctr_percent: e.ctr === null ? null : round(e.ctr * 100, 2),
		cpa: round(e.cpa, 2),
		roas: round(e.roas, 2),
	};
}

/** `g` with the account's own variant results attached (learning.ts `learnFromVariants`). */
export function withVariantResults(g: Grounding, results: VariantLearning | null): Grounding {
	return { ...g, variantResults: results };
}

/**
 * The grounding as a compact JSON value for the prompt (numbers rounded for
 * reading). With variant results that have lines, one more key,
 * `own_variants_by_angle`: the best/worst lines in words; otherwise exactly
 * the five keys it always had.
 */
export function groundingForPrompt(g: Grounding): Record<string, unknown> {
	const own = g.variantResults ? learningLines(g.variantResults) : [];
	return {
		ranked_by: METRIC_WORDS[g.metric],
		best_variants: g.variants.best.map(entryForPrompt),
		worst_variants: g.variants.worst.map(entryForPrompt),
		best_campaigns: g.campaigns.best.map(entryForPrompt),
		worst_campaigns: g.campaigns.worst.map(entryForPrompt),
		...(own.length > 0 ? { own_variants_by_angle: own } : {}),
	};
}
