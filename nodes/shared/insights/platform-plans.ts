/**
 * Monthly plans from the platforms' own budgets (Pace Budgets' plan source
 * "platform"), read through the optimizer's adapters (`listCampaignStates`,
 * one listing per account, the same reads the optimizer makes):
 *
 *   a campaign with a daily budget of its own: daily budget × the days of
 *   the month, in the account's currency (the budget as it is today: a budget
 *   changed during the month paces against today's, which is what the
 *   platform will spend from now on);
 *   a campaign without one (a lifetime budget, a Google Ads shared budget, a
 *   Meta budget on its ad sets): no plan, and the result says why (the
 *   adapter's budget note), never a guessed amount;
 *   paused and removed campaigns: no plan (they spend nothing).
 */
import type { CampaignStates } from '../platforms/types';
import { controlFor, type OptimizerAdapters } from '../rules/apply';
import { daysInMonth } from './days';
import { InsightsInputError, type PlanInput } from './run';

export function platformPlans(listings: ReadonlyArray<CampaignStates>, month: string, scope: { campaignId?: string } = {}): { plans: PlanInput[]; problems: string[] } {
	const days = daysInMonth(month);
	const plans: PlanInput[] = [];
	const problems: string[] = [];
	for (const listing of listings) {
		for (const c of listing.campaigns) {
			if (scope.campaignId && c.campaignId !== scope.campaignId) continue;
			if (c.status !== 'ACTIVE') continue;
			const name = `${c.name ?? c.campaignId} (${c.campaignId})`;
			if (c.dailyBudget === null || !(c.dailyBudget > 0)) {
				problems.push(`${c.platform} account ${c.accountId}, campaign ${name}: no daily budget of its own${c.budgetNote ? ` (${c.budgetNote})` : ''}; not paced from the platform: add a budget_plans row or set Monthly Budget`);
				continue;
			}
			plans.push({ platform: c.platform, accountId: c.accountId, campaignId: c.campaignId, amount: Math.round(c.dailyBudget * days * 100) / 100, currency: c.currency, source: 'platform' });
		}
	}
	return { plans, problems };
}

/**
 * Lists the campaigns of every account in scope (one listing per account,
 * through the optimizer's adapters) and returns the plans of a month from
 * them: what Pace Budgets calls once it knows the month.
 */
export async function readPlatformPlans(
	adapters: OptimizerAdapters,
	accounts: Partial<Record<string, readonly string[]>>,
	scope: { platform?: string; accountId?: string; campaignId?: string } = {},
): Promise<(month: string) => Promise<{ plans: PlanInput[]; problems: string[] }>> {
	const platforms = Object.keys(adapters).filter((p) => !scope.platform || p === scope.platform);
	// one account id on every selected platform would ask the others for an account they do not have (an API error, not a plan)
	if (scope.accountId && platforms.length > 1) throw new InsightsInputError(`Plan Source Platforms' Own Budgets with Account ID ${scope.accountId}: set Platform too (${platforms.join(', ')} credentials are selected; the account is read on its own platform only)`);
	const listings: CampaignStates[] = [];
	for (const platform of platforms) {
		const control = controlFor(adapters, platform);
		for (const id of scope.accountId ? [scope.accountId] : (accounts[platform] ?? [])) listings.push(await control.listCampaignStates(id));
	}
	if (listings.length === 0) throw new Error("Plan Source is the platforms' own budgets: select at least one platform credential with the accounts to pace");
	return async (month) => platformPlans(listings, month, scope);
}
