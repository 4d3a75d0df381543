/**
 * A Meta ad account whose campaigns deliver on known response curves (issue 19):
 * the budget allocator's ground truth in the sandbox. Each campaign's
 * conversions follow nodes/shared/allocation/simulate.ts's model (adstock
 * carry-over, a Hill / exponential / log saturation curve, weekday
 * seasonality, overdispersed noise, revenue per conversion), with 180 days of
 * history in which past weekly budget changes of ±12 % left the spread the fit
 * needs. Some campaigns are funded far beyond their saturation, some far
 * below, so a plan has something to move.
 *
 * Opt-in: `addAllocationAccount(world)` adds the account (tests call it; the
 * default world stays as it was). Days closed later by `advanceWorld` follow
 * the same curves at the budget then in force (world.ts calls the campaign's
 * `response`).
 */
import { simulateDays, simulateHistory, trueMean, type SimHistory, type TrueCampaign } from '../../nodes/shared/allocation/simulate';
import { addDays, dateRange, rngFor, roundMoney, weekday } from './rng';
import type { AdAccount, Campaign, DailyMetrics, World } from './world';

export const ALLOCATION_ACCOUNT_ID = '3049586172003';
export const ALLOCATION_HISTORY_DAYS = 180;

const carry = (theta: number) => {
	const w = Array.from({ length: 14 }, (_, l) => theta ** l);
	const s = w.reduce((a, b) => a + b, 0);
	return w.map((x) => x / s);
};
const season = (amp: number, phase: number) => {
	const raw = Array.from({ length: 7 }, (_, d) => 1 + amp * Math.sin((2 * Math.PI * d) / 7 + phase));
	const m = raw.reduce((a, b) => a + b, 0) / 7;
	return raw.map((x) => x / m);
};

/**
 * The campaigns' true curves (USD a day in, conversions a day out). Initial budgets are the history's
 * start; `k` is the spend at half saturation (Hill) or the scale of the others.
 */
export const ALLOCATION_CURVES: ReadonlyArray<{ id: string; name: string; curve: Omit<TrueCampaign, 'id'> }> = [
	{ id: '120210000000000901', name: 'Lab | Prospecting | Saturated', curve: { shape: 'hill', scale: 60, k: 80, alpha: 1.2, carry: carry(0.3), base: 1, season: season(0.15, 0.5), dispersion: 60, orderValue: 70, initial: 260 } },
	{ id: '120210000000000902', name: 'Lab | Retargeting | Hungry', curve: { shape: 'exp', scale: 90, k: 260, carry: carry(0.2), alpha: 1, base: 2, season: season(0.1, 1.5), dispersion: 80, orderValue: 55, initial: 90 } },
	{ id: '120210000000000903', name: 'Lab | Lookalike | Log', curve: { shape: 'log', scale: 70, k: 60, carry: carry(0.4), alpha: 1, base: 1, season: season(0.2, 3), dispersion: 60, orderValue: 90, initial: 150 } },
	{ id: '120210000000000904', name: 'Lab | Catalog | Steep', curve: { shape: 'hill', scale: 80, k: 220, alpha: 1.6, carry: carry(0.1), base: 0.5, season: season(0.12, 2), dispersion: 70, orderValue: 60, initial: 120 } },
	{ id: '120210000000000905', name: 'Lab | Video | Flat', curve: { shape: 'exp', scale: 30, k: 50, carry: carry(0.25), alpha: 1, base: 0.5, season: season(0.08, 4), dispersion: 60, orderValue: 40, initial: 180 } },
];

/** The true expected conversions a day of a lab campaign at a steady daily budget (the oracle's view). */
export function allocationTruth(campaignId: string, budget: number): number {
	const spec = ALLOCATION_CURVES.find((c) => c.id === campaignId);
	if (!spec) throw new Error(`no lab campaign ${campaignId}`);
	return trueMean({ id: spec.id, ...spec.curve }, budget);
}

function metricsOf(rngSeed: number, id: string, date: string, spend: number, conversions: number, revenue: number): DailyMetrics {
	const r = rngFor(rngSeed, 'alloc-metrics', id, date);
	const impressions = spend > 0 ? Math.round((spend / (9 * r.lognormal(0.1))) * 1000) : 0;
	const clicks = Math.max(conversions, Math.round(impressions * 0.012 * r.lognormal(0.1)));
	return { date, spend: roundMoney(spend, 'USD'), impressions, clicks, conversions, revenue: roundMoney(revenue, 'USD'), leads: 0 };
}

/** Adds the lab account (Meta, USD, UTC) to the world: 180 days of history to yesterday; returns it. */
export function addAllocationAccount(world: World): AdAccount {
	const existing = world.accounts.find((a) => a.platform === 'meta' && a.id === ALLOCATION_ACCOUNT_ID);
	if (existing) return existing;
	const first = addDays(world.today, -ALLOCATION_HISTORY_DAYS);
	const dates = dateRange(first, addDays(world.today, -1));
	const firstWeekday = weekday(first);
	const campaigns = ALLOCATION_CURVES.map((spec): Campaign => {
		const truth: TrueCampaign = { id: spec.id, ...spec.curve };
		const h = simulateHistory(rngFor(world.seed, 'alloc-history', spec.id), truth, dates.length, firstWeekday);
		const budget = roundMoney(h.budget, 'USD');
		const campaign: Campaign = {
			id: spec.id,
			name: spec.name,
			objective: 'OUTCOME_SALES',
			status: 'ACTIVE',
			dailyBudget: budget,
			createdDate: addDays(first, -30),
			profile: { cpmUsd: 9, ctr: 0.012, cvr: 0.05, aovUsd: spec.curve.orderValue, leadRate: 0, trend: 0 },
			statusHistory: [{ date: addDays(first, -30), status: 'ACTIVE' }],
			budgetHistory: [{ date: addDays(first, -30), dailyBudget: budget }],
			daily: dates.map((date, i) => metricsOf(world.seed, spec.id, date, h.spend[i]!, h.conversions[i]!, h.revenue[i]!)),
		};
		// later days: the same curve at the budget in force, carry-over from the days before
		campaign.response = (date, dailyBudget) => {
			const days = campaign.daily.filter((d) => d.date < date);
			const past: SimHistory = { spend: days.map((d) => d.spend), conversions: days.map((d) => d.conversions), revenue: days.map((d) => d.revenue), expected: days.map(() => 0), budget: dailyBudget };
			simulateDays(rngFor(world.seed, 'alloc-day', spec.id, date), truth, past, dailyBudget, 1, firstWeekday);
			const n = past.spend.length - 1;
			return metricsOf(world.seed, spec.id, date, past.spend[n]!, past.conversions[n]!, past.revenue[n]!);
		};
		return campaign;
	});
	const account: AdAccount = { platform: 'meta', id: ALLOCATION_ACCOUNT_ID, name: 'Northwind Budget Lab', currency: 'USD', timezone: 'UTC', campaigns };
	world.accounts.push(account);
	return account;
}
