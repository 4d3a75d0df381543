/**
 * The learning loop (issue 20 item 3): what the account's own published
 * variants did, per copy angle, for grounding new copy and for people.
 *
 * Source: the store view `creative_variant_results` (migration
 * 20250621000000_creative_variant_results.sql), read in ONE query: each
 * published variant joined to its ad's `ad_performance` days by the ad id
 * derived from `platform_ad_id` (as ingest/variant-ads.ts `storedAdId`),
 * summed per reporting currency. Ratios come from nodes/shared/metrics
 * (`derivedMetrics` on the sums, `roundMetric` / `roundAmount` for the
 * digits shown), never from averaged daily ratios.
 *
 * Decisions:
 * - Minimum volume (`LEARNING_MINIMUM`): CTR needs 1,000 impressions and 20
 *   clicks; CPA and ROAS need 5 conversions (and ROAS a reported revenue and
 *   some spend). A variant below it is not ranked by that metric: it is
 *   listed as "information missing" with its numbers and what it lacks.
 * - Per angle: the angle is `copy_angle` trimmed, compared case-insensitively
 *   (shown in its most frequent spelling, ties in code-point order); no angle
 *   is "(no angle)".
 * - Best and worst are different variants: with one eligible variant there is
 *   a best and no worst. Ties order by impressions (more first), then id.
 * - Money metrics across currencies are not comparable: a variant whose ad
 *   reports in two currencies gets no CPA/ROAS, and CPA is ranked within an
 *   angle only when its eligible variants share one currency (otherwise the
 *   angle's CPA is "information missing" with the currencies named). ROAS is
 *   a ratio of two amounts in the same currency and may mix.
 */
import { derivedMetrics, roundAmount, roundMetric } from '../metrics';
import { fmtMoney } from '../platforms/currency';
import type { Store } from '../store/types';
import type { KpiSums, ViewRow } from '../store/views';
import { fmt } from '../text/number';

/** A count for people: thousands grouped, at most 2 decimals (conversions may be fractional). */
const count = (n: number): string => n.toLocaleString('en-US', { maximumFractionDigits: 2 });

export const LEARNING_METRICS = ['ctr', 'cpa', 'roas'] as const;
export type LearningMetric = (typeof LEARNING_METRICS)[number];

/** The minimum volume a variant needs before it is ranked by a metric. */
export const LEARNING_MINIMUM: { readonly [M in LearningMetric]: { impressions: number; clicks: number; conversions: number } } = {
	ctr: { impressions: 1000, clicks: 20, conversions: 0 },
	cpa: { impressions: 0, clicks: 0, conversions: 5 },
	roas: { impressions: 0, clicks: 0, conversions: 5 },
};

const LOWER_IS_BETTER: ReadonlySet<LearningMetric> = new Set(['cpa']);

export type VariantResultRow = ViewRow<'creative_variant_results'>;

/** The sums and ratios of a result (the KPI views' `KpiSums` without CPC): a published variant's here, a campaign's or variant's in a grounding entry (grounding.ts). */
export type ResultFigures = Omit<KpiSums, 'cpc'>;

/** One published variant's summed results (all its currencies' rows together). */
export interface PublishedVariantOutcome extends ResultFigures {
	variantId: string;
	platform: string;
	accountId: string | null;
	campaignId: string;
	angle: string;
	copy: { headline: string | null; primaryText: string | null; description: string | null };
	/** The one reporting currency of its ad's days; null with none or several (`currencies`). */
	currency: string | null;
	currencies: string[];
	days: number;
}

export interface MissingInformation {
	variant: PublishedVariantOutcome;
	/** Why it is not ranked, in words: "312 impressions and 4 clicks; CTR needs 1,000 and 20". */
	reason: string;
}

export interface MetricRanking {
	metric: LearningMetric;
	lowerIsBetter: boolean;
	best: PublishedVariantOutcome | null;
	worst: PublishedVariantOutcome | null;
	/** Variants with enough volume (ranked). */
	ranked: number;
	missing: MissingInformation[];
	/** Set when the angle's metric could not be ranked at all (CPA across currencies). */
	note: string | null;
}

export interface AngleLearning {
	angle: string;
	variants: number;
	rankings: { [M in LearningMetric]: MetricRanking };
}

export interface VariantLearning {
	minimum: typeof LEARNING_MINIMUM;
	angles: AngleLearning[];
}

/** The account's published variants with their summed results: one `selectView` query. */
export async function readVariantResults(store: Store, scope: { platform: string; accountId: string }): Promise<VariantResultRow[]> {
	return store.selectView('creative_variant_results', { where: { platform: scope.platform, account_id: scope.accountId }, order: [{ column: 'variant_id' }] });
}

const angleKey = (angle: string | null): string => (angle ?? '').trim().toLowerCase();
const angleName = (angle: string | null): string => (angle ?? '').trim() || '(no angle)';

/** Sums each variant's rows (one per currency) and computes its ratios with the metrics module. */
export function variantOutcomes(rows: readonly VariantResultRow[]): PublishedVariantOutcome[] {
	const byId = new Map<string, PublishedVariantOutcome>();
	for (const r of rows) {
		let o = byId.get(r.variant_id);
		if (!o) {
			o = {
				variantId: r.variant_id,
				platform: r.platform,
				accountId: r.account_id,
				campaignId: r.campaign_id,
				angle: angleName(r.copy_angle),
				copy: { headline: r.headline, primaryText: r.primary_text, description: r.description },
				currency: null,
				currencies: [],
				days: 0,
				spend: 0,
				impressions: 0,
				clicks: 0,
				conversions: 0,
				revenue: null,
				ctr: null,
				cpa: null,
				roas: null,
			};
			byId.set(r.variant_id, o);
		}
		if (r.currency && !o.currencies.includes(r.currency)) o.currencies.push(r.currency);
		o.days += Number(r.days);
		o.spend += Number(r.spend);
		o.impressions += Number(r.impressions);
		o.clicks += Number(r.clicks);
		o.conversions += Number(r.conversions);
		if (r.revenue !== null) o.revenue = (o.revenue ?? 0) + Number(r.revenue);
	}
	for (const o of byId.values()) {
		o.currencies.sort();
		o.currency = o.currencies.length === 1 ? o.currencies[0] : null;
		const m = derivedMetrics({ spend: o.spend, impressions: o.impressions, clicks: o.clicks, conversions: o.conversions, revenue: o.revenue });
		o.ctr = m.ctr;
		// money ratios only within one currency
		o.cpa = o.currencies.length > 1 ? null : m.cpa;
		o.roas = o.currencies.length > 1 ? null : m.roas;
	}
	return [...byId.values()];
}

/** Why `o` is not ranked by `metric`, or null when it is eligible. */
function lacking(o: PublishedVariantOutcome, metric: LearningMetric): string | null {
	const min = LEARNING_MINIMUM[metric];
	const name = metric.toUpperCase();
	if (metric === 'ctr') {
		if (o.impressions < min.impressions || o.clicks < min.clicks) return `${count(o.impressions)} impressions and ${count(o.clicks)} clicks; ${name} needs ${count(min.impressions)} and ${count(min.clicks)}`;
		return null;
	}
	if (o.currencies.length > 1) return `its ad reports in ${o.currencies.join(' and ')}; ${name} needs one currency`;
	if (o.conversions < min.conversions) return `${count(o.conversions)} conversions; ${name} needs ${count(min.conversions)}`;
	if (metric === 'roas' && o.revenue === null) return 'no revenue reported; ROAS needs revenue';
	if (metric === 'roas' && o.roas === null) return 'no spend; ROAS needs spend';
	return null;
}

function rank(variants: readonly PublishedVariantOutcome[], metric: LearningMetric): MetricRanking {
	const lowerIsBetter = LOWER_IS_BETTER.has(metric);
	const missing: MissingInformation[] = [];
	const eligible: PublishedVariantOutcome[] = [];
	for (const o of variants) {
		const why = lacking(o, metric);
		if (why === null && o[metric] !== null) eligible.push(o);
		else missing.push({ variant: o, reason: why ?? `no ${metric.toUpperCase()}` });
	}
	if (metric === 'cpa') {
		const currencies = [...new Set(eligible.map((o) => o.currency ?? ''))].sort();
		if (currencies.length > 1) {
			const note = `CPA not ranked: the variants report in ${currencies.join(' and ')}`;
			return { metric, lowerIsBetter, best: null, worst: null, ranked: 0, missing: [...missing, ...eligible.map((variant) => ({ variant, reason: note }))], note };
		}
	}
	eligible.sort((a, b) => (lowerIsBetter ? a[metric]! - b[metric]! : b[metric]! - a[metric]!) || b.impressions - a.impressions || (a.variantId < b.variantId ? -1 : a.variantId > b.variantId ? 1 : 0));
	return { metric, lowerIsBetter, best: eligible[0] ?? null, worst: eligible.length > 1 ? eligible[eligible.length - 1] : null, ranked: eligible.length, missing, note: null };
}

function groupByAngle(outcomes: readonly PublishedVariantOutcome[]): Array<{ angle: string; variants: PublishedVariantOutcome[] }> {
	const groups = new Map<string, { spellings: Map<string, number>; variants: PublishedVariantOutcome[] }>();
	for (const o of outcomes) {
		const key = angleKey(o.angle === '(no angle)' ? null : o.angle);
		const g = groups.get(key) ?? { spellings: new Map<string, number>(), variants: [] };
		g.variants.push(o);
		g.spellings.set(o.angle, (g.spellings.get(o.angle) ?? 0) + 1);
		groups.set(key, g);
	}
	// shown as its most frequent spelling (ties: the first in code-point order), whatever order the rows came in
	const shown = (spellings: Map<string, number>) => [...spellings].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))[0][0];
	return [...groups]
		.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
		.map(([, g]) => {
			const angle = shown(g.spellings);
			return { angle, variants: g.variants.map((o) => ({ ...o, angle })) };
		});
}

/** Best and worst published variants per angle by CTR, CPA and ROAS, with the volume gate. Pure. */
export function learnFromVariants(rows: readonly VariantResultRow[]): VariantLearning {
	const angles = groupByAngle(variantOutcomes(rows)).map(({ angle, variants }) => ({
		angle,
		variants: variants.length,
		rankings: { ctr: rank(variants, 'ctr'), cpa: rank(variants, 'cpa'), roas: rank(variants, 'roas') },
	}));
	return { minimum: LEARNING_MINIMUM, angles };
}

// ---------------------------------------------------------------------------
// Words
// ---------------------------------------------------------------------------

/** A metric's value as shown: CTR in percent, CPA as money, ROAS as a ratio; digits through the metrics module. */
function metricWords(metric: LearningMetric, o: PublishedVariantOutcome): string {
	const v = roundMetric(metric, o[metric]);
	if (v === null) return 'information missing';
	if (metric === 'ctr') return `CTR ${fmt(Number((v * 100).toFixed(2)))} %`;
	if (metric === 'cpa') return `CPA ${fmtMoney(roundAmount(o.cpa!, o.currency), o.currency ?? '')}`.trimEnd();
	return `ROAS ${fmt(v)}`;
}

const copyWords = (o: PublishedVariantOutcome): string => `"${o.copy.headline ?? o.copy.primaryText ?? o.copy.description ?? o.variantId}"`;

const volumeWords = (o: PublishedVariantOutcome, metric: LearningMetric): string =>
	metric === 'ctr' ? `${count(o.impressions)} impressions, ${count(o.clicks)} clicks` : `${count(o.conversions)} conversions, ${fmtMoney(roundAmount(o.spend, o.currency), o.currency ?? '')}`.trimEnd() + ' spent';

/**
 * The best/worst lines for the prompt, one per angle, metric and side, e.g.
 * `angle "time saved", best by CTR: "Save 3 hours a week" (CTR 3.1 %, 5,000 impressions, 155 clicks)`;
 * then one line per angle naming the variants with information missing. Empty when nothing is published.
 */
export function learningLines(l: VariantLearning): string[] {
	const lines: string[] = [];
	for (const a of l.angles) {
		for (const metric of LEARNING_METRICS) {
			const r = a.rankings[metric];
			const word = metric.toUpperCase();
			if (r.best) lines.push(`angle "${a.angle}", best by ${word}: ${copyWords(r.best)} (${metricWords(metric, r.best)}, ${volumeWords(r.best, metric)})`);
			if (r.worst) lines.push(`angle "${a.angle}", worst by ${word}: ${copyWords(r.worst)} (${metricWords(metric, r.worst)}, ${volumeWords(r.worst, metric)})`);
		}
		const missing = new Map<string, PublishedVariantOutcome>();
		for (const metric of LEARNING_METRICS) for (const m of a.rankings[metric].missing) missing.set(m.variant.variantId, m.variant);
		const unranked = [...missing.values()].filter((o) => LEARNING_METRICS.every((metric) => a.rankings[metric].missing.some((m) => m.variant.variantId === o.variantId)));
		if (unranked.length) lines.push(`angle "${a.angle}", information missing (too little volume to rank): ${unranked.map(copyWords).join(', ')}`);
	}
	return lines;
}

// ---------------------------------------------------------------------------
// Scoreboard
// ---------------------------------------------------------------------------

export interface AngleScore {
	angle: string;
	variantsPublished: number;
	impressions: number;
	clicks: number;
	/** Rounded to METRIC_DIGITS.ctr (a fraction, 0.0312). */
	ctr: number | null;
	conversions: number;
	/** The angle's reporting currency; null when its variants mix currencies or have no days. */
	currency: string | null;
	spend: number | null;
	/** Rounded to the currency's minor unit; null without conversions or with mixed currencies. */
	cpa: number | null;
	/** Rounded to METRIC_DIGITS.roas; null without revenue or spend, or with mixed currencies. */
	roas: number | null;
}

export interface AngleScoreboard {
	platform: string;
	accountId: string;
	angles: AngleScore[];
}

/** The per-angle scoreboard of one account from its rows (`readVariantResults`). Pure. */
export function angleScoreboard(rows: readonly VariantResultRow[], scope: { platform: string; accountId: string }): AngleScoreboard {
	const mine = rows.filter((r) => r.platform === scope.platform && r.account_id === scope.accountId);
	const angles = groupByAngle(variantOutcomes(mine)).map(({ angle, variants }): AngleScore => {
		const currencies = [...new Set(variants.flatMap((o) => o.currencies))];
		const sum = (f: (o: PublishedVariantOutcome) => number) => variants.reduce((t, o) => t + f(o), 0);
		const impressions = sum((o) => o.impressions);
		const clicks = sum((o) => o.clicks);
		const conversions = sum((o) => o.conversions);
		const spend = sum((o) => o.spend);
		const revenue = variants.some((o) => o.revenue !== null) ? sum((o) => o.revenue ?? 0) : null;
		const m = derivedMetrics({ spend, impressions, clicks, conversions, revenue });
		const oneCurrency = currencies.length === 1 ? currencies[0] : null;
		const money = currencies.length <= 1;
		return {
			angle,
			variantsPublished: variants.length,
			impressions,
			clicks,
			ctr: roundMetric('ctr', m.ctr),
			conversions: Math.round(conversions * 100) / 100,
			currency: oneCurrency,
			spend: money ? roundAmount(spend, oneCurrency) : null,
			cpa: money && m.cpa !== null ? roundAmount(m.cpa, oneCurrency) : null,
			roas: money ? roundMetric('roas', m.roas) : null,
		};
	});
	return { platform: scope.platform, accountId: scope.accountId, angles };
}

/** The scoreboard in words for Slack: a title line, then one line per angle (never JSON). */
export function scoreboardWords(s: AngleScoreboard): string {
	const head = `Copy angles on ${s.platform} account ${s.accountId}`;
	if (s.angles.length === 0) return `${head}: no published variant yet.`;
	const lines = s.angles.map((a) => {
		const parts = [
			`${count(a.variantsPublished)} ${a.variantsPublished === 1 ? 'variant' : 'variants'} published`,
			`${count(a.impressions)} impressions`,
			`${count(a.clicks)} clicks`,
			a.ctr === null ? 'CTR information missing' : `CTR ${fmt(Number((a.ctr * 100).toFixed(2)))} %`,
			`${count(a.conversions)} conversions`,
			a.cpa === null ? 'CPA information missing' : `CPA ${fmtMoney(a.cpa, a.currency ?? '')}`.trimEnd(),
			a.roas === null ? 'ROAS information missing' : `ROAS ${fmt(a.roas)}`,
		];
		return `• "${a.angle}": ${parts.join(', ')}`;
	});
	return [`${head}:`, ...lines].join('\n');
}
