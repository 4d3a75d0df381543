/**
 * From daily history to a plan in one call: what the Plan Budget operation will call with the
 * stored daily rows (one campaign's spend, conversions and revenue per day, oldest first) and the
 * campaigns' current budgets, bounds and locks.
 */
import { fitResponse, type FitOptions } from './fit';
import { planBudget, responseModel, type CampaignPlanInput, type PlanInput, type PlanResult } from './plan';

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

/** Fits the curves the objective needs (conversions, or revenue) and plans on them. */
export function planFromHistory(input: HistoryPlanInput): PlanResult {
	const needs = input.objective === 'conversions' || input.objective === 'target-cpa' ? 'conversions' : 'revenue';
	const campaigns: CampaignPlanInput[] = input.campaigns.map((c) => {
		const { spend, conversions, revenue, firstWeekday, ...rest } = c;
		const row: CampaignPlanInput = { ...rest };
		if (needs === 'conversions') row.conversions = responseModel(fitResponse({ firstWeekday, spend, outcome: conversions }, input.fit));
		else row.revenue = revenue ? responseModel(fitResponse({ firstWeekday, spend, outcome: revenue }, input.fit)) : 'no revenue reported';
		return row;
	});
	const { fit: _fit, ...plan } = input;
	void _fit;
	return planBudget({ ...plan, campaigns });
}
