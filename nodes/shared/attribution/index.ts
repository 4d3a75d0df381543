/**
 * Attribution of conversions to channels (issue 22): the rule-based models,
 * the Markov-chain removal effect and Shapley values behind one call.
 */
import { sortJourney, type ChannelCredit, type Journey } from './journey';
import { markovCredit } from './markov';
import { ruleCredit, type RuleModel, type RuleOptions } from './rules';
import { shapleyCredit, type ShapleyOptions } from './shapley';
import { MODEL_IDS } from './rows';

export * from './journey';
export { markovCredit } from './markov';
export { RULE_MODELS, ruleCredit, touchWeights, DEFAULT_HALF_LIFE_MS, type RuleModel, type RuleOptions } from './rules';
export { shapleyCredit, type ShapleyOptions, type ShapleyResult } from './shapley';

export const ATTRIBUTION_MODELS = MODEL_IDS;
export type AttributionModel = (typeof MODEL_IDS)[number];

/** How people call each model (AdOps Conversions' options and summaries). */
export const MODEL_LABELS: Readonly<Record<AttributionModel, string>> = {
	last_click: 'Last click',
	first_click: 'First click',
	linear: 'Linear',
	time_decay: 'Time decay',
	position_based: 'Position-based (40/20/40)',
	markov: 'Markov chain (removal effect)',
	shapley: 'Shapley value',
};

export type AttributeOptions = RuleOptions & ShapleyOptions;

/** Conversions and value per channel under `model`; touchpoints are put in time order first. */
export function attribute(model: AttributionModel, journeys: readonly Journey[], opts: AttributeOptions = {}): ChannelCredit[] {
	const sorted = journeys.map(sortJourney);
	if (model === 'markov') return markovCredit(sorted).credit;
	if (model === 'shapley') return shapleyCredit(sorted, opts).credit;
	return ruleCredit(model as RuleModel, sorted, opts);
}
