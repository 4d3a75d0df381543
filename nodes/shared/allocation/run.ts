/**
 * From daily history to a plan in one call: what the Plan Budget operation calls with the
 * stored daily rows (one campaign's spend, conversions and revenue per day, oldest first) and the
 * campaigns' current budgets, bounds and locks.
 */
import { fitResponse, type FitOptions } from './fit';
import { planBudget, responseModel, type CampaignPlanInput, type PlanInput, type PlanResult, type ResponseModel } from './plan';

export interface CampaignHistory extends Omit<CampaignPlanInput, 'conversions' | 'revenue'> {
	/** Weekday of the first day (0..6, any fixed convention). */
	firstWeekday: number;
	spend: ArrayLike<number>;
	conversions: ArrayLike<number>;
	/** Revenue per day (campaign currency), or null when the platform reports none. */
	revenue?: ArrayLike<number> | null;
}

export interface HistoryPlanInput extends Omit<PlanInput, 'campaigns'> {
	campaigns: readonly CampaignHistory[];
	fit?: FitOptions;
}

/** The plan and each campaign's fitted model (or why it has none), by campaign id: the charts draw the curves. */
export interface HistoryPlan {
	result: PlanResult;
	models: Map<string, ResponseModel | string>;
}

/** Fits the curves the objective needs (conversions, or revenue) and plans on them, keeping the models. */
export function planWithModels(input: HistoryPlanInput): HistoryPlan {
	const needs = input.objective === 'conversions' || input.objective === 'target-cpa' ? 'conversions' : 'revenue';
	const models = new Map<string, ResponseModel | string>();
	const campaigns: CampaignPlanInput[] = input.campaigns.map((c) => {
		const { spend, conversions, revenue, firstWeekday, ...rest } = c;
		const row: CampaignPlanInput = { ...rest };
		// a locked campaign is held anyway: its curve only gives its expected outcome
		const model = needs === 'conversions' ? responseModel(fitResponse({ firstWeekday, spend, outcome: conversions }, input.fit)) : revenue ? responseModel(fitResponse({ firstWeekday, spend, outcome: revenue }, input.fit)) : 'no revenue reported';
		models.set(c.id, model);
		if (needs === 'conversions') row.conversions = model;
		else row.revenue = model;
		return row;
	});
	const { fit: _fit, ...plan } = input;
	void _fit;
	return { result: planBudget({ ...plan, campaigns }), models };
}

/** Fits the curves the objective needs (conversions, or revenue) and plans on them. */
export function planFromHistory(input: HistoryPlanInput): PlanResult {
	return planWithModels(input).result;
}
