/**
 * Issue 19, bad input: one campaign, all locked, a total below the floors, curves that fail to fit,
 * mixed currencies without FX, an unreachable target: each is a refusal that says why (never part
 * of a plan); campaigns whose curve failed are named and kept at their budget when the rest can be
 * planned. And the target objectives: the largest total whose CPA / ROAS meets the target.
 */
import assert from 'node:assert/strict';
import { test } from 'vitest';
import { fitResponse, planBudget, planFromHistory, responseModel, type CampaignPlanInput, type PlanResult, type ResponseModel } from '../../nodes/shared/allocation';

const logCurve = (scale: number, k: number): ResponseModel => ({ mean: (x) => scale * Math.log(1 + x / k) });

function campaigns(): CampaignPlanInput[] {
	return [
		{ id: 'a', name: 'Brand search', currency: 'EUR', current: 100, conversions: logCurve(10, 50), revenue: logCurve(800, 50) },
		{ id: 'b', name: 'Prospecting', currency: 'EUR', current: 100, conversions: logCurve(4, 50), revenue: logCurve(300, 50) },
		{ id: 'c', name: 'Retargeting', currency: 'EUR', current: 50, conversions: logCurve(6, 20), revenue: logCurve(500, 20) },
	];
}

function refused(r: PlanResult): { reason: string; problems: string[] } {
	assert.equal(r.status, 'refused', r.status === 'planned' ? r.text.join('\n') : '');
	assert.equal((r as unknown as { campaigns?: unknown }).campaigns, undefined);
	return r as { reason: string; problems: string[] };
}

test('one campaign, no campaign: nothing to split', () => {
	assert.match(refused(planBudget({ objective: 'conversions', totalBudget: 100, currency: 'EUR', campaigns: campaigns().slice(0, 1) })).reason, /only one campaign in scope \(Brand search\): a split needs two or more/);
	assert.match(refused(planBudget({ objective: 'conversions', totalBudget: 100, currency: 'EUR', campaigns: [] })).reason, /no campaigns in scope/);
});

test('all locked or held: nothing to plan, each named with its reason', () => {
	const cs = campaigns();
	cs[0]!.locked = true;
	cs[1]!.locked = 'launch week';
	cs[2]!.conversions = 'too little data: 9 days with spend, at least 28 needed';
	const r = refused(planBudget({ objective: 'conversions', totalBudget: 250, currency: 'EUR', campaigns: cs }));
	assert.match(r.reason, /nothing to plan: all 3 campaigns are locked or held/);
	assert.deepEqual(r.problems, ['Brand search: locked', 'Prospecting: launch week', 'Retargeting: too little data: 9 days with spend, at least 28 needed']);
});

test('a total below the floors (and the step cap) or above the ceilings is refused with the figures', () => {
	const cs = campaigns();
	cs[0]!.floor = 90;
	cs[1]!.floor = 95;
	const low = refused(planBudget({ objective: 'conversions', totalBudget: 150, currency: 'EUR', campaigns: cs }));
	// 90 + 95 floors, 40 for c (its 20 % step cap)
	assert.equal(low.reason, 'the total 150.00 EUR is below what the campaigns must get: 225.00 EUR (floors 185.00 EUR, the 20 % step cap and 0.00 EUR locked or held)');
	const high = refused(planBudget({ objective: 'conversions', totalBudget: 400, currency: 'EUR', campaigns: campaigns() }));
	assert.equal(high.reason, 'the total 400.00 EUR is above what ceilings and the 20 % step cap let the campaigns spend: 300.00 EUR (0.00 EUR of it locked or held)');
	const cs2 = campaigns();
	cs2[2]!.floor = 80;
	const r = refused(planBudget({ objective: 'conversions', totalBudget: 250, currency: 'EUR', campaigns: cs2 }));
	assert.deepEqual(r.problems, ['Retargeting: floor 80.00 EUR is above what one step of 20 % can reach from 50.00 EUR']);
	const cs3 = campaigns();
	cs3[0]!.floor = 120;
	cs3[0]!.ceiling = 110;
	assert.deepEqual(refused(planBudget({ objective: 'conversions', totalBudget: 250, currency: 'EUR', campaigns: cs3 })).problems, ['Brand search: floor 120.00 EUR is above its ceiling 110.00 EUR']);
});

test('mixed currencies without FX: refused, naming the currency and the campaigns', () => {
	const cs = campaigns();
	cs[1]!.currency = 'GBP';
	cs[2]!.currency = 'GBP';
	const r = refused(planBudget({ objective: 'conversions', totalBudget: 250, currency: 'EUR', campaigns: cs }));
	assert.equal(r.reason, 'mixed currencies without FX rates: GBP cannot be converted into EUR');
	assert.deepEqual(r.problems, ['no FX rate from GBP to EUR for Prospecting, Retargeting']);
	// with the rate it plans, in each campaign's own currency
	const ok = planBudget({ objective: 'conversions', totalBudget: 100 + 150 * 1.17, currency: 'EUR', fx: { GBP: 1.17 }, campaigns: cs });
	assert.equal(ok.status, 'planned');
	if (ok.status !== 'planned') return;
	assert.ok(Math.abs(ok.totals.proposedSpend - (100 + 150 * 1.17)) < 0.02);
	assert.equal(ok.campaigns[1]!.currency, 'GBP');
});

test('curves that fail to fit: named and held when the rest can be planned; all failing is a refusal', () => {
	const days = 90;
	const spend = Array.from({ length: days }, (_, t) => 80 + 20 * Math.sin(t / 5));
	const conv = spend.map((x) => Math.round(3 * Math.log(1 + x / 40) * 10) / 10);
	const good = fitResponse({ firstWeekday: 0, spend, outcome: conv });
	const fits = {
		short: fitResponse({ firstWeekday: 0, spend: spend.slice(0, 20), outcome: conv.slice(0, 20) }),
		flat: fitResponse({ firstWeekday: 0, spend: spend.map(() => 80), outcome: conv }),
		broken: fitResponse({ firstWeekday: 0, spend: spend.map((x, t) => (t === 5 ? NaN : x)), outcome: conv }),
		none: fitResponse({ firstWeekday: 0, spend, outcome: conv.map(() => 0.1) }),
	};
	assert.equal(good.ok, true);
	const reasons = Object.fromEntries(Object.entries(fits).map(([k, f]) => [k, f.ok ? 'fitted' : f.reason]));
	assert.deepEqual(reasons, {
		short: 'too little data: 20 days with spend, at least 28 needed',
		flat: 'too little spend variation: daily spend moved 0 % (p10 to p90 over the median), at least 10 % needed',
		broken: 'day 6 has no valid spend or outcome',
		none: 'too few outcomes: 9 in 90 days, at least 20 needed',
	});
	const cs: CampaignPlanInput[] = [
		{ id: 'g1', currency: 'EUR', current: 80, conversions: responseModel(good) },
		{ id: 'g2', currency: 'EUR', current: 80, conversions: logCurve(2, 40) },
		...Object.entries(fits).map(([k, f]) => ({ id: k, currency: 'EUR', current: 50, conversions: responseModel(f) })),
	];
	const plan = planBudget({ objective: 'conversions', totalBudget: 360, currency: 'EUR', campaigns: cs });
	assert.equal(plan.status, 'planned');
	if (plan.status !== 'planned') return;
	for (const row of plan.campaigns.slice(2)) {
		assert.equal(row.status, 'held');
		assert.equal(row.proposed, 50);
		assert.equal(row.reason, reasons[row.id as keyof typeof reasons]);
	}
	assert.match(plan.text.join('\n'), /Kept at their budget: short \(too little data: 20 days with spend, at least 28 needed\); flat \(too little spend variation/);
	const all = refused(planBudget({ objective: 'conversions', totalBudget: 200, currency: 'EUR', campaigns: cs.slice(2) }));
	assert.match(all.reason, /nothing to plan: all 4 campaigns are locked or held/);
});

test('target CPA: the largest total whose CPA meets the target; unreachable targets refused with the best CPA', () => {
	const cs = campaigns();
	const cur = planBudget({ objective: 'conversions', totalBudget: 250, currency: 'EUR', maxStep: 0.5, campaigns: cs });
	assert.equal(cur.status, 'planned');
	if (cur.status !== 'planned') return;
	const target = cur.totals.currentRatio * 1.05;
	const plan = planBudget({ objective: 'target-cpa', target, currency: 'EUR', maxStep: 0.5, campaigns: cs });
	assert.equal(plan.status, 'planned');
	if (plan.status !== 'planned') return;
	assert.ok(plan.totals.proposedRatio <= target + 1e-3, `CPA ${plan.totals.proposedRatio} above target ${target}`);
	// one euro more on the frontier would break the target: the plan spends as much as the target allows
	const more = planBudget({ objective: 'conversions', totalBudget: Math.round((plan.totals.proposedSpend + 1) * 100) / 100, currency: 'EUR', maxStep: 0.5, campaigns: cs });
	assert.equal(more.status, 'planned');
	if (more.status === 'planned') assert.ok(more.totals.proposedRatio > target, `${more.totals.proposedRatio} at one euro more`);
	const r = refused(planBudget({ objective: 'target-cpa', target: 1, currency: 'EUR', campaigns: cs }));
	assert.match(r.reason, /^a CPA of 1\.00 EUR is not reachable: the lowest CPA these campaigns can reach within their bounds is \d+\.\d\d EUR, at \d+\.\d\d EUR a day$/);
	const roas = refused(planBudget({ objective: 'target-roas', target: 1000, currency: 'EUR', campaigns: cs }));
	assert.match(roas.reason, /^a ROAS of 1,000 is not reachable: the highest ROAS these campaigns can reach within their bounds is [\d.]+, at \d+\.\d\d EUR a day$/);
	const okRoas = planBudget({ objective: 'target-roas', target: 2, currency: 'EUR', campaigns: cs });
	assert.equal(okRoas.status, 'planned');
	if (okRoas.status === 'planned') assert.ok(okRoas.totals.proposedRatio >= 2 - 1e-6);
	assert.match(refused(planBudget({ objective: 'target-cpa', currency: 'EUR', campaigns: cs })).reason, /needs a positive target/);
});

test('a plan reads as sentences with money rounded, and its interval brackets the uplift', () => {
	const days = 120;
	const mk = (k: number, phase: number) => {
		const spend = Array.from({ length: days }, (_, t) => Math.round((100 + 30 * Math.sin(t / 6 + phase)) * 100) / 100);
		return responseModel(fitResponse({ firstWeekday: 0, spend, outcome: spend.map((x, t) => 8 * Math.log(1 + x / k) + 0.3 * Math.sin(t * 2.1)) }));
	};
	const plan = planBudget({
		objective: 'conversions',
		totalBudget: 300,
		currency: 'EUR',
		campaigns: [
			{ id: '1', name: 'Alpha', currency: 'EUR', current: 100, conversions: mk(30, 0) },
			{ id: '2', name: 'Beta', currency: 'EUR', current: 100, conversions: mk(200, 1) },
			{ id: '3', name: 'Gamma', currency: 'EUR', current: 100, conversions: mk(80, 2) },
		],
	});
	assert.equal(plan.status, 'planned');
	if (plan.status !== 'planned') return;
	const t = plan.totals;
	assert.ok(t.uplift.value > 0 && t.uplift.low <= t.uplift.value && t.uplift.value <= t.uplift.high);
	assert.match(plan.text[0]!, /^Daily budget 300\.00 EUR -> 300\.00 EUR over 3 campaigns \(2 moved\)\.$/);
	assert.match(plan.text[1]!, /^Expected [\d.]+ -> [\d.]+ conversions a day: \+[\d.]+ \(95 % interval [+-][\d.]+ to \+[\d.]+\), CPA \d+\.\d\d EUR -> \d+\.\d\d EUR\.$/);
	assert.match(plan.text.join('\n'), /Beta: 100\.00 EUR -> 80\.00 EUR \(-20 %\), [\d.]+ -> [\d.]+ a day, marginal CPA \d+\.\d\d EUR\./);
	const beta = plan.campaigns.find((c) => c.name === 'Beta')!;
	assert.equal(beta.proposed, 80);
	assert.ok(beta.fit!.r2 > 0.8, `R² ${beta.fit!.r2}`);
});

test('planFromHistory: fits what the objective needs; no revenue reported holds the campaign for a revenue plan', () => {
	const days = 84;
	const mk = (k: number, phase: number, revenue: boolean) => {
		const spend = Array.from({ length: days }, (_, t) => Math.round((100 + 30 * Math.sin(t / 6 + phase)) * 100) / 100);
		const conversions = spend.map((x) => 8 * Math.log(1 + x / k));
		return { firstWeekday: 3, spend, conversions, revenue: revenue ? conversions.map((v) => v * 60) : null };
	};
	const campaigns = [
		{ id: '1', name: 'Alpha', currency: 'EUR', current: 100, ...mk(30, 0, true) },
		{ id: '2', name: 'Beta', currency: 'EUR', current: 100, ...mk(200, 1, true) },
		{ id: '3', name: 'Gamma', currency: 'EUR', current: 100, ...mk(80, 2, false) },
	];
	const conv = planFromHistory({ objective: 'conversions', totalBudget: 300, currency: 'EUR', campaigns });
	assert.equal(conv.status, 'planned');
	// marginal return 8 / (k + x) at 100: Alpha 0.062, Gamma 0.044, Beta 0.027 a euro
	if (conv.status === 'planned') assert.deepEqual(conv.campaigns.map((c) => c.proposed), [120, 80, 100]);
	const rev = planFromHistory({ objective: 'revenue', totalBudget: 300, currency: 'EUR', campaigns });
	assert.equal(rev.status, 'planned');
	if (rev.status !== 'planned') return;
	assert.equal(rev.campaigns[2]!.status, 'held');
	assert.equal(rev.campaigns[2]!.reason, 'no revenue reported');
	assert.equal(rev.campaigns[0]!.proposed + rev.campaigns[1]!.proposed, 200);
	assert.deepEqual(rev.campaigns.map((c) => c.proposed), [120, 80, 100]);
});

test('a weekday that is not a whole number, a curve that gives no number, an unknown objective, a grid below 2: refused, never a plan of NaN', () => {
	const spend = Array.from({ length: 90 }, (_, t) => 80 + 20 * Math.sin(t / 5));
	const outcome = spend.map((x) => 3 * Math.log(1 + x / 40));
	// a fractional or NaN weekday once gave a fit with base NaN (every weekday group empty)
	for (const firstWeekday of [1.5, NaN]) {
		const f = fitResponse({ firstWeekday, spend, outcome });
		assert.equal(f.ok ? 'fitted' : f.reason, `the first day's weekday must be a whole number, got ${firstWeekday}`);
	}
	assert.equal(fitResponse({ firstWeekday: -1, spend, outcome }).ok, true, 'any whole number is a weekday (taken modulo 7)');
	const broken: ResponseModel = { mean: (x) => (x > 110 ? NaN : x / 10) };
	const cs = campaigns();
	cs[0]!.conversions = broken;
	const r = refused(planBudget({ objective: 'conversions', totalBudget: 250, currency: 'EUR', campaigns: cs }));
	assert.equal(r.reason, 'some response curves give no number on their range');
	assert.match(r.problems.join('\n'), /^Brand search: its conversions curve gives NaN at 110\.\d\d EUR$/);
	const locked = campaigns();
	locked[0]!.conversions = { mean: () => Infinity };
	locked[0]!.locked = true;
	assert.deepEqual(refused(planBudget({ objective: 'conversions', totalBudget: 250, currency: 'EUR', campaigns: locked })).problems, ['Brand search: its conversions curve gives Infinity at 100.00 EUR']);
	// an objective from a node parameter or JSON that is none of the four was planned as revenue
	assert.equal(refused(planBudget({ objective: 'cpa' as never, target: 20, totalBudget: 250, currency: 'EUR', campaigns: campaigns() })).reason, 'the objective must be one of conversions, revenue, target-cpa, target-roas, got cpa');
	for (const gridPoints of [NaN, 1, 2.5]) {
		assert.equal(refused(planBudget({ objective: 'conversions', totalBudget: 250, currency: 'EUR', gridPoints, campaigns: campaigns() })).reason, `the points sampled per curve must be a whole number of at least 2, got ${gridPoints}`);
	}
});
