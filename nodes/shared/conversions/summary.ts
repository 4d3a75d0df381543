/**
 * What the ad platforms say they converted next to what your own events credit
 * them with: per platform over a day (or window), the conversions the platform
 * reported (campaign_performance), the conversions one attribution model gave it
 * from the first-party events (attributed_conversions), and how many conversions
 * the first-party events hold in all. In words for people, an alert for Slack,
 * and a grouped bar chart (charts/render.ts). No n8n imports: AdOps Conversions'
 * Compare with Platforms calls it.
 */
import type { EChartsCoreOption } from 'echarts';
import type { Alert } from '../alerts/message';
import { MODEL_LABELS, type AttributionModel } from '../attribution';
import { renderChart, type RenderedChart } from '../charts/render';
import { isPlatformId, PLATFORM_IDS, PLATFORM_LABELS, type PlatformId } from '../platforms/registry';
import type { Store } from '../store/types';

export interface PlatformComparison {
	platform: PlatformId;
	label: string;
	/** Conversions the platform reported (campaign_performance.conversions summed). */
	reported: number;
	/** Conversions the model credits the platform with from your own events (2 decimals). */
	attributed: number;
	/** attributed against reported, in % (negative: your events credit fewer); null when the platform reported none. */
	differencePct: number | null;
	summary: string;
}

export interface ConversionsComparison {
	from: string;
	to: string;
	model: AttributionModel;
	modelLabel: string;
	/** Conversions among your own events in the window (every one, credited or not). */
	firstParty: number;
	/** Credited by the model to channels that are not ad platforms (UTM sources). */
	otherChannels: number;
	platforms: PlatformComparison[];
	summary: string;
}

export interface ComparisonInput {
	from: string;
	to: string;
	model: AttributionModel;
	reported: Partial<Record<string, number>>;
	attributed: Partial<Record<string, number>>;
	firstParty: number;
}

const round2 = (n: number): number => Math.round(n * 100) / 100;
const num = (n: number): string => n.toLocaleString('en-US', { maximumFractionDigits: 2 });
const conversions = (n: number): string => `${num(n)} ${n === 1 ? 'conversion' : 'conversions'}`;
const when = (from: string, to: string): string => (from === to ? `on ${from}` : `from ${from} to ${to}`);
/** The model's short name in a sentence: "Markov chain" for "Markov chain (removal effect)". */
const shortModel = (model: AttributionModel): string => MODEL_LABELS[model].replace(/\s*\(.*\)$/, '');

function platformSentence(p: Omit<PlatformComparison, 'summary'>, model: AttributionModel, from: string, to: string): string {
	const reported = p.reported === 0 ? `${p.label} reported no conversions ${when(from, to)}` : `${p.label} reported ${conversions(p.reported)} ${when(from, to)}`;
	const credit = p.attributed === 0 ? `your own events credit ${p.label} with none (${shortModel(model)})` : `your own events credit ${p.label} with ${num(p.attributed)} (${shortModel(model)})`;
	let diff = '';
	if (p.differencePct !== null) {
		const pct = Math.abs(p.differencePct);
		diff = pct < 0.5 ? ', about the same' : `, ${num(Math.round(pct))} % ${p.differencePct < 0 ? 'fewer' : 'more'}`;
	}
	return `${reported}; ${credit}${diff}.`;
}

/** The comparison from its numbers (no store): platforms in the registry's order, those with neither reported nor credited conversions left out. */
export function compareConversions(input: ComparisonInput): ConversionsComparison {
	const platforms: PlatformComparison[] = [];
	for (const platform of PLATFORM_IDS) {
		const reported = round2(input.reported[platform] ?? 0);
		const attributed = round2(input.attributed[platform] ?? 0);
		if (reported === 0 && attributed === 0) continue;
		const differencePct = reported > 0 ? round2(((attributed - reported) / reported) * 100) : null;
		const row = { platform, label: PLATFORM_LABELS[platform], reported, attributed, differencePct };
		platforms.push({ ...row, summary: platformSentence(row, input.model, input.from, input.to) });
	}
	const otherChannels = round2(Object.entries(input.attributed).reduce((s, [k, v]) => (isPlatformId(k) ? s : s + (v ?? 0)), 0));
	const credited = round2(platforms.reduce((s, p) => s + p.attributed, 0) + otherChannels);
	const lines = platforms.map((p) => p.summary);
	if (platforms.length === 0) lines.push(`No platform reported conversions ${when(input.from, input.to)}, and your own events credit none to a platform.`);
	const parts = [`Your own events hold ${conversions(input.firstParty)} ${when(input.from, input.to)}`];
	if (input.firstParty > 0) parts.push(`${shortModel(input.model)} credits ${num(credited)} of them to a touch`);
	if (otherChannels > 0) parts.push(`${num(otherChannels)} to channels other than ad platforms`);
	lines.push(`${parts.join('; ')}.`);
	return { from: input.from, to: input.to, model: input.model, modelLabel: MODEL_LABELS[input.model], firstParty: input.firstParty, otherChannels, platforms, summary: lines.join('\n') };
}

export interface ComparisonReadOptions {
	from: string;
	to: string;
	model: AttributionModel;
	/** Which first-party event types count as conversions. */
	conversionTypes: readonly string[];
}

function nextDay(day: string): string {
	return new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
}

/** The comparison read from the store: campaign_performance, attributed_conversions (the model's rows) and marketing_events. */
export async function readComparison(store: Pick<Store, 'selectColumns'>, opts: ComparisonReadOptions): Promise<ConversionsComparison> {
	const reported: Record<string, number> = {};
	const perf = await store.selectColumns('campaign_performance', ['platform', 'conversions'], { where: { date: { gte: opts.from, lte: opts.to } } });
	for (const r of perf) reported[r.platform] = (reported[r.platform] ?? 0) + Number(r.conversions ?? 0);
	const attributed: Record<string, number> = {};
	const credit = await store.selectColumns('attributed_conversions', ['platform', 'conversions'], { where: { date: { gte: opts.from, lte: opts.to }, model: opts.model } });
	for (const r of credit) attributed[r.platform] = (attributed[r.platform] ?? 0) + Number(r.conversions ?? 0);
	const events = await store.selectColumns('marketing_events', ['event_id'], {
		where: { event_type: { in: [...opts.conversionTypes] }, event_time: { gte: `${opts.from}T00:00:00Z`, lt: `${nextDay(opts.to)}T00:00:00Z` } },
	});
	return compareConversions({ from: opts.from, to: opts.to, model: opts.model, reported, attributed, firstParty: events.length });
}

/** Grouped bars per platform: reported by the platform, credited by your own events. */
export function comparisonChartOption(c: ConversionsComparison): EChartsCoreOption {
	return {
		title: { text: `Conversions ${when(c.from, c.to)}`, subtext: `Reported by each platform vs credited by your own events (${c.modelLabel})`, left: 'center' },
		legend: { bottom: 0 },
		grid: { left: 60, right: 24, top: 70, bottom: 50 },
		tooltip: {},
		xAxis: { type: 'category', data: c.platforms.map((p) => p.label) },
		yAxis: { type: 'value', name: 'Conversions' },
		series: [
			{ name: 'Reported by the platform', type: 'bar', data: c.platforms.map((p) => p.reported), itemStyle: { color: '#8c8c8c' }, label: { show: true, position: 'top' } },
			{ name: `Your own events (${shortModel(c.model)})`, type: 'bar', data: c.platforms.map((p) => p.attributed), itemStyle: { color: '#2f6fde' }, label: { show: true, position: 'top' } },
		],
	};
}

export function comparisonChart(c: ConversionsComparison): RenderedChart {
	return renderChart(comparisonChartOption(c));
}

/** The comparison as a Slack alert (kind summary): the sentences, one field per platform. */
export function comparisonAlert(c: ConversionsComparison): Alert {
	return {
		kind: 'summary',
		title: `Conversions ${when(c.from, c.to)}: platforms vs your own events`,
		message: c.summary,
		fields: c.platforms.slice(0, 10).map((p) => ({ label: p.label, value: `reported ${num(p.reported)}, credited ${num(p.attributed)}` })),
	};
}

/** The ledger key of a comparison's post: once per window, model and conversion types. */
export function comparisonKey(c: Pick<ConversionsComparison, 'from' | 'to' | 'model'>, conversionTypes: readonly string[]): string {
	return `conversions.summary:${c.from}:${c.to}:${c.model}:${[...conversionTypes].sort().join('+')}`;
}
