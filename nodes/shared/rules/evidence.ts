/**
 * A condition's evidence in words, for people (the run's items, the Slack
 * alert): the metric's name, the window with its dates, the value in the
 * metric's unit (CTR and comment shares as percents, money with its currency)
 * and the threshold it was compared with.
 *
 *   "click-through rate (ctr) over last 7 days (2026-11-30..2026-12-06) was 0.62 %, below the threshold of 1.00 %"
 *   "spend over last 7 days (2026-11-30..2026-12-06) was 310.40 EUR, above the threshold of 200.00 EUR"
 */
import { DERIVED_DEFINITIONS } from '../metrics';
import { fmtMoney } from '../platforms/currency';
import { readableNumber } from '../alerts/readable';
import { MONEY_METRICS, type Metric } from './rule-types';

/** What a condition's evidence is made of (a run item's condition, without its text). */
/** One condition of a decision as the optimizer's items and alerts show it (AdOps Optimizer output). */
export interface OptimizerCondition {
	metric: string;
	window: string;
	op: string;
	value: number | null;
	min: number | null;
	max: number | null;
	compareTo: string | null;
	actual: number | null;
	baseline: number | null;
	compared: number | null;
	result: boolean | null;
	/** Attribution metrics only: the attribution model whose credit was read (`markov`, `last_click`, …). */
	model?: string;
	/** First-party money only: what was left out ("12.00 EUR of conversion value in other currencies than USD left out"). */
	note?: string;
	/** "cpa last 7 days (2025-06-04..2025-06-10) = 63.2 > 50 → met" */
	text: string;
}

export type EvidenceLeaf = Omit<OptimizerCondition, 'text'>;

const FRACTIONS = new Set(['ctr', 'negative_comment_share', 'abusive_comment_share']);

function metricName(metric: string, model?: string): string {
	if (model) {
		// attributed_roas: "attributed return on ad spend (attributed_roas, Markov model)"
		const base = (DERIVED_DEFINITIONS as Record<string, { label: string } | undefined>)[metric.replace(/^attributed_/, '')];
		return `attributed ${base ? base.label : metric.replace(/^attributed_/, '').replace(/_/g, ' ')} (${metric}, ${model.replace(/_/g, ' ')} model)`;
	}
	if (metric.startsWith('first_party_')) {
		// first_party_roas: "first-party return on ad spend (first_party_roas)"
		const base = (DERIVED_DEFINITIONS as Record<string, { label: string } | undefined>)[metric.replace(/^first_party_/, '')];
		return `first-party ${base ? base.label : metric.replace(/^first_party_/, '').replace(/_/g, ' ')} (${metric})`;
	}
	const derived = (DERIVED_DEFINITIONS as Record<string, { label: string } | undefined>)[metric];
	return derived ? `${derived.label} (${metric})` : metric.replace(/_/g, ' ');
}

/** A value in the metric's unit: a fraction as a percent, money with its currency, else a readable number. */
export function metricValueWords(metric: string, value: number | null, currency: string | null): string {
	if (value === null || !Number.isFinite(value)) return 'undefined';
	if (FRACTIONS.has(metric)) return `${(value * 100).toFixed(2)} %`;
	if (MONEY_METRICS.has(metric as Metric) && currency) return fmtMoney(value, currency);
	if (metric === 'roas' || metric === 'attributed_roas' || metric === 'first_party_roas') return value.toFixed(2);
	return readableNumber(value);
}

const OP_WORDS: Record<string, string> = { '>': 'above', '>=': 'at least', '<': 'below', '<=': 'at most', '=': 'equal to', '!=': 'not equal to' };

/** One condition as a sentence; `currency` is the metric rows' (money metrics). */
export function conditionWords(l: EvidenceLeaf, currency: string | null): string {
	const subject = `${metricName(l.metric, l.model)} over ${l.window}`;
	const outcome = l.result === true ? '' : l.result === false ? ' (not met)' : ' (undefined)';
	if (l.compareTo !== null) {
		const against = l.compareTo === 'previous_window' ? 'the previous window' : 'the account average';
		const change = l.compared === null ? 'an undefined change' : `a change of ${l.compared >= 0 ? '+' : ''}${l.compared.toFixed(1)} %`;
		const threshold = l.op === 'between' ? `between ${readableNumber(l.min ?? 0)} % and ${readableNumber(l.max ?? 0)} %` : `${OP_WORDS[l.op] ?? l.op} the threshold of ${readableNumber(l.value ?? 0)} %`;
		return `${subject} was ${metricValueWords(l.metric, l.actual, currency)} against ${metricValueWords(l.metric, l.baseline, currency)} for ${against}: ${change}, ${threshold}${outcome}`;
	}
	const threshold =
		l.op === 'between'
			? `between ${metricValueWords(l.metric, l.min, currency)} and ${metricValueWords(l.metric, l.max, currency)}`
			: `${OP_WORDS[l.op] ?? l.op} the threshold of ${metricValueWords(l.metric, l.value, currency)}`;
	return `${subject} was ${metricValueWords(l.metric, l.actual, currency)}, ${threshold}${outcome}${l.note ? ` (${l.note})` : ''}`;
}
