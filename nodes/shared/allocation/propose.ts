/**
 * Plan Budget (issue 19): a weekly budget plan over a scope of ad accounts,
 * turned into budget proposals that go the way of every budget change.
 *
 * 1. The campaigns as they are now, from their platforms (one listing per
 *    account); an account that cannot be listed stops the plan (a plan over
 *    part of the scope would move money between the rest).
 * 2. Their daily history from the store in one columnar read (read.ts), FX
 *    rates from `fx_rates` through ingest/fx.ts's FxTable.
 * 3. Curves and the plan (run.ts `planWithModels`: fit.ts, plan.ts).
 * 4. While an earlier plan of the same scope and objective still has
 *    proposals waiting (pending, approved, executing), nothing new is
 *    proposed: the item says which plan is waiting.
 * 5. Otherwise each moved campaign becomes one `set_budget` rule to the exact
 *    proposed budget, with approval, scoped to that campaign
 *    (insights/pace-proposal.ts does the same for pacing), and
 *    `runOptimizer` (live; every rule needs approval, so nothing executes)
 *    gates them like any budget change: floor and ceiling, change caps,
 *    rolling 24 h bound, cooldown, kill switch, outside changes, open
 *    changes. The change caps run in `fail` mode, so a proposal is either the
 *    plan's budget or gated with its reason, never a different budget.
 *    Approved, the `optimization` executor applies each once under its ledger
 *    key (rules/executor.ts).
 *
 * The plan id is a hash of the scope, the objective and its numbers, the ISO
 * week and every campaign's current and proposed budget; the rule ids carry
 * it, so the optimizer's proposal ids (its idempotency key) follow from the
 * plan's content.
 */
import { createHash } from 'node:crypto';
import { FxTable } from '../ingest/fx';
import { fmtMoney } from '../platforms/currency';
import type { CampaignState } from '../platforms/types';
import type { ProposalInput } from '../approvals/proposal';
import { controlFor, type OptimizerAdapters } from '../rules/apply';
import { runOptimizer, type OptimizerItem, type OptimizerResult, type OptimizerSettings } from '../rules/run';
import type { Store } from '../store/types';
import type { FitOptions } from './fit';
import type { Objective, Plan, PlannedCampaign, ResponseModel } from './plan';
import { historyWindow, readDailyHistory, seriesKey } from './read';
import { BUDGET_PLAN_KIND } from './executor';
import { planWithModels, type CampaignHistory } from './run';

export interface BudgetPlanRequest {
	/** Ad accounts per platform (the scope: one account, a platform's accounts, or all). */
	accounts: Partial<Record<string, readonly string[]>>;
	/** Words for the scope ("all accounts", a platform's id, "<platform> account 123"). */
	scopeLabel: string;
	objective: Objective;
	target?: number;
	/** Daily total in the plan currency; absent: today's total of the campaigns in scope (a reallocation). */
	totalBudget?: number;
	/** ISO 4217; absent: the one currency of all campaigns in scope. */
	currency?: string;
	/** Largest change per campaign (fraction, default 0.2); null for none. */
	maxStep?: number | null;
	/** Every campaign's floor / ceiling (its own currency), and per campaign id. */
	floor?: number;
	ceiling?: number;
	bounds?: Readonly<Record<string, { floor?: number; ceiling?: number }>>;
	/** Campaign ids held at their budget. */
	locked?: readonly string[];
	/** Days of history read (default 180). */
	historyDays?: number;
	fit?: FitOptions;
	/** One proposal per changed campaign (default), or one `budget_plan` proposal for the whole plan (executor.ts). */
	proposalMode?: 'campaign' | 'plan';
	/** Gate settings as AdOps Optimizer's (Gates JSON and the options); the change caps always run in fail mode. */
	settings?: Pick<OptimizerSettings, 'gates' | 'currencies' | 'killSwitch' | 'maxActionsPerRun'>;
}

export interface BudgetPlanDeps {
	store: Store;
	adapters: OptimizerAdapters;
	now?: () => Date;
	runId?: string;
}

export interface PlanCampaignRow extends PlannedCampaign {
	platform: string;
	accountId: string;
	/** What became of the change: proposed (with its id), waiting (an earlier proposal), or gated with the gates' reasons. */
	proposal?: { outcome: string; proposalId: string | null; reasons: string[] };
}

export type BudgetPlanOutcome =
	| {
			status: 'planned' | 'pending';
			planId: string;
			week: string;
			scope: string;
			plan: Omit<Plan, 'campaigns'>;
			campaigns: PlanCampaignRow[];
			/** Campaigns in the accounts that the plan leaves out (paused, no daily budget of their own), with the reason. */
			leftOut: Array<{ platform: string; accountId: string; campaignId: string; name: string | null; reason: string }>;
			/** pending: the earlier plan's waiting proposals. */
			waiting: Array<{ proposalId: string; status: string; ruleId: string }>;
			/** New proposals for AdOps Approval (empty when pending or all gated). */
			proposals: ProposalInput[];
			/** The optimizer's items for the plan's changes (proposed and gated). */
			items: OptimizerItem[];
			optimizer: OptimizerResult | null;
			models: Map<string, ResponseModel | string>;
			historyRows: number;
			text: string[];
	  }
	| { status: 'refused'; scope: string; reason: string; problems: string[]; text: string[] };

/** ISO 8601 week of a UTC day: `2026-W50`. */
export function isoWeek(day: string): string {
	const d = new Date(`${day}T00:00:00Z`);
	const wd = (d.getUTCDay() + 6) % 7; // Monday 0
	d.setUTCDate(d.getUTCDate() - wd + 3); // the week's Thursday
	const year = d.getUTCFullYear();
	const jan4 = new Date(Date.UTC(year, 0, 4));
	const week = 1 + Math.round(((d.getTime() - jan4.getTime()) / 86_400_000 - 3 + ((jan4.getUTCDay() + 6) % 7)) / 7);
	return `${year}-W${String(week).padStart(2, '0')}`;
}

const hash = (parts: unknown, n: number) => createHash('sha256').update(JSON.stringify(parts)).digest('hex').slice(0, n);

/** The prefix of every rule id of plans over this scope and objective: `alloc:<10 hex>:`. */
export function planScopeKey(accounts: BudgetPlanRequest['accounts'], objective: Objective): string {
	const list = Object.entries(accounts)
		.flatMap(([p, ids]) => (ids ?? []).map((id) => `${p}|${String(id).trim()}`))
		.sort();
	return `alloc:${hash([list, objective], 10)}:`;
}

/** Statuses of a proposal that is still on its way (not decided against, not finished). */
const WAITING = ['pending', 'approved', 'executing'] as const;

/** Priority of plan rules: after the stop-losses and pauses (5–20) and pacing (40), before scaling (50). */
export const PLAN_RULE_PRIORITY = 45;

function refused(scope: string, reason: string, problems: string[] = []): BudgetPlanOutcome {
	return { status: 'refused', scope, reason, problems, text: [`No budget plan for ${scope}: ${reason}.`, ...problems.map((p) => `- ${p}`)] };
}

/** Plans the scope's budgets and proposes the changes; see the module doc. */
export async function runBudgetPlan(req: BudgetPlanRequest, deps: BudgetPlanDeps): Promise<BudgetPlanOutcome> {
	const now = deps.now ?? (() => new Date());
	const at = now();
	const today = at.toISOString().slice(0, 10);
	const week = isoWeek(today);
	const scope = req.scopeLabel;

	// 1. the campaigns as they are now
	const wanted = Object.entries(req.accounts).flatMap(([platform, ids]) => [...new Set((ids ?? []).map((x) => String(x).trim()).filter(Boolean))].map((accountId) => ({ platform, accountId })));
	if (wanted.length === 0) return refused(scope, 'no ad accounts in scope: select a platform credential that lists accounts, or give an Account ID');
	const listed = await Promise.all(
		wanted.map(async (w) => {
			try {
				return { w, list: await controlFor(deps.adapters, w.platform).listCampaignStates(w.accountId), error: null as string | null };
			} catch (error) {
				return { w, list: null, error: (error as Error).message };
			}
		}),
	);
	const failed = listed.filter((l) => l.error !== null);
	if (failed.length > 0) return refused(scope, `${failed.length} of ${listed.length} ad accounts could not be read, and a plan over the others would move their money around without them`, failed.map((f) => `${f.w.platform} account ${f.w.accountId}: ${f.error}`));
	const states: CampaignState[] = [];
	const accountsRead: Array<{ platform: string; accountId: string }> = [];
	for (const l of listed) {
		const canonical = l.list!.account.accountId;
		if (accountsRead.some((a) => a.platform === l.w.platform && a.accountId === canonical)) continue;
		accountsRead.push({ platform: l.w.platform, accountId: canonical });
		states.push(...l.list!.campaigns);
	}
	const leftOut: Extract<BudgetPlanOutcome, { status: 'planned' | 'pending' }>['leftOut'] = [];
	const inScope: CampaignState[] = [];
	for (const s of states) {
		const base = { platform: s.platform, accountId: s.accountId, campaignId: s.campaignId, name: s.name };
		if (s.status !== 'ACTIVE') leftOut.push({ ...base, reason: `status ${s.status}: a plan does not start campaigns` });
		else if (s.dailyBudget === null || !(s.dailyBudget > 0)) leftOut.push({ ...base, reason: s.budgetNote ?? 'no daily budget of its own' });
		else if (!s.currency) leftOut.push({ ...base, reason: 'its platform did not say the budget currency' });
		else inScope.push(s);
	}
	if (inScope.length === 0) return refused(scope, `no active campaign with a daily budget in scope (${states.length} campaigns listed)`, leftOut.map((l) => `${l.name ?? l.campaignId}: ${l.reason}`));

	// plan currency
	const currencies = [...new Set(inScope.map((s) => s.currency!))].sort();
	const currency = req.currency?.trim().toUpperCase() || (currencies.length === 1 ? currencies[0]! : '');
	if (!currency) return refused(scope, `the campaigns budget in ${currencies.join(', ')}: set the Plan Currency (the others are converted through the stored FX rates)`);

	// 2. history (one read) and FX
	const days = req.historyDays ?? 180;
	const window = historyWindow(today, days);
	const { series, rows } = await readDailyHistory(deps.store, { accounts: accountsRead, ...window });
	const fx: Record<string, number> = {};
	const fxProblems: string[] = [];
	const foreign = currencies.filter((c) => c !== currency);
	if (foreign.length > 0) {
		const table = await FxTable.load(deps.store, currency, window.to, window.to);
		for (const cur of foreign) {
			const found = table.lookup(cur, window.to);
			if (found.ok) fx[cur] = found.fx.rate;
			else fxProblems.push(found.reason);
		}
	}
	if (fxProblems.length > 0) {
		const missing = foreign.filter((c) => fx[c] === undefined);
		const names = (cur: string) => inScope.filter((x) => x.currency === cur).map((x) => x.name ?? x.campaignId);
		return refused(scope, `mixed currencies without FX rates: ${missing.join(', ')} cannot be converted into ${currency} (AdOps Ingest stores the rates in fx_rates)`, [...fxProblems, ...missing.map((c) => `in ${c}: ${names(c).join(', ')}`)]);
	}

	// 3. curves and plan
	const locked = new Set((req.locked ?? []).map((x) => String(x).trim()));
	const histories: CampaignHistory[] = [];
	const stateOf = new Map<string, CampaignState>();
	for (const s of inScope) {
		const id = `${s.platform}:${s.campaignId}`;
		stateOf.set(id, s);
		const ser = series.get(seriesKey(s.platform, s.accountId, s.campaignId));
		const own = req.bounds?.[s.campaignId];
		const h: CampaignHistory = {
			id,
			name: s.name ?? s.campaignId,
			currency: s.currency!,
			current: s.dailyBudget!,
			firstWeekday: ser ? new Date(`${ser.firstDate}T00:00:00Z`).getUTCDay() : 0,
			spend: ser?.spend ?? [],
			conversions: ser?.conversions ?? [],
			revenue: ser?.revenue ?? null,
		};
		const floor = own?.floor ?? req.floor;
		const ceiling = own?.ceiling ?? req.ceiling;
		if (floor !== undefined) h.floor = floor;
		if (ceiling !== undefined) h.ceiling = ceiling;
		if (locked.has(s.campaignId)) h.locked = 'locked by the plan settings';
		else if (!s.budgetEditable) h.locked = s.budgetNote ?? 'its budget cannot be changed here';
		else if (!ser) h.locked = `no stored history in ${window.from}..${window.to}`;
		else if (ser.mixedCurrencies.length > 0) h.locked = `its stored rows mix ${[ser.currency, ...ser.mixedCurrencies].join(', ')}`;
		else if (ser.currency && ser.currency !== s.currency) h.locked = `its stored rows are in ${ser.currency}, its budget in ${s.currency}`;
		histories.push(h);
	}
	const { result, models } = planWithModels({ objective: req.objective, target: req.target, totalBudget: req.totalBudget ?? (req.objective === 'conversions' || req.objective === 'revenue' ? totalNow(inScope, currency, fx) : undefined), currency, fx, maxStep: req.maxStep, campaigns: histories, fit: req.fit });
	if (result.status === 'refused') return refused(scope, result.reason, [...result.problems, ...fxProblems]);

	const rowsOut: PlanCampaignRow[] = result.campaigns.map((c) => {
		const s = stateOf.get(c.id)!;
		return { ...c, id: s.campaignId, platform: s.platform, accountId: s.accountId };
	});
	const planId = hash([planScopeKey(req.accounts, req.objective), req.objective, req.target ?? null, currency, week, rowsOut.map((r) => [r.platform, r.accountId, r.id, r.current, r.proposed])], 16);
	const { campaigns: _c, ...planRest } = result;
	void _c;
	const base = { planId, week, scope, plan: planRest, campaigns: rowsOut, leftOut, models: remap(models, stateOf), historyRows: rows };

	// 4. an earlier plan still waiting?
	const prefix = planScopeKey(req.accounts, req.objective);
	const open = await deps.store.selectColumns('approvals', ['proposal_id', 'status', 'payload'], { where: { kind: { in: ['optimization', BUDGET_PLAN_KIND] }, status: { in: [...WAITING] } } });
	const waiting = open.flatMap((r) => {
		const payload = r.payload as { ruleId?: unknown; changes?: Array<{ ruleId?: unknown }> } | null;
		const ruleId = [payload?.ruleId, ...(Array.isArray(payload?.changes) ? payload.changes.map((c) => c?.ruleId) : [])].find((id): id is string => typeof id === 'string' && id.startsWith(prefix));
		return ruleId ? [{ proposalId: r.proposal_id, status: r.status, ruleId }] : [];
	});
	if (waiting.length > 0) {
		const planIds = [...new Set(waiting.map((w) => w.ruleId.slice(prefix.length).split(':').slice(0, 2).join(' ')))];
		return {
			status: 'pending',
			...base,
			waiting,
			proposals: [],
			items: [],
			optimizer: null,
			text: [`Budget plan for ${scope}: an earlier plan (${planIds.join(', ')}) still has ${waiting.length} proposal${waiting.length === 1 ? '' : 's'} waiting (${countWords(waiting.map((w) => w.status))}); nothing new proposed until it is decided.`, ...result.text],
		};
	}

	// 5. one rule per moved campaign, gated and proposed by the optimizer
	const moved = rowsOut.filter((r) => r.status === 'moved');
	const ruleIdOf = new Map<string, PlanCampaignRow>();
	const rules = moved.map((r, i) => {
		const id = `${prefix}${week}:${planId}:${i + 1}`;
		ruleIdOf.set(id, r);
		const exp = r.expected ? ` Expected ${num(r.expected.current.value)} -> ${num(r.expected.proposed.value)} ${result.outcome === 'conversions' ? 'conversions' : result.currency} a day (95 % interval at the new budget ${num(r.expected.proposed.low)} to ${num(r.expected.proposed.high)}).` : '';
		return {
			id,
			name: `Budget plan ${week}: ${r.name}`,
			description: `AdOps Optimizer, Plan Budget (${scope}, ${result.objective}): ${fmtMoney(r.current, r.currency)} -> ${fmtMoney(r.proposed, r.currency)}.${exp}`.slice(0, 1000),
			priority: PLAN_RULE_PRIORITY,
			scope: { platforms: [r.platform], accountIds: [r.accountId], campaignIds: [r.id] },
			conditions: { metric: 'spend', window: 'last_7_days', op: '>=', value: 0, ifUndefined: 'match' },
			action: { type: 'set_budget', amount: r.proposed, currency: r.currency },
			requireApproval: true,
		};
	});
	if (rules.length === 0) {
		return { status: 'planned', ...base, waiting: [], proposals: [], items: [], optimizer: null, text: [`Budget plan for ${scope} (${week}): nothing to change.`, ...result.text] };
	}
	const step = req.maxStep === undefined ? 0.2 : req.maxStep;
	const userGates = (req.settings?.gates && typeof req.settings.gates === 'object' ? req.settings.gates : {}) as Record<string, unknown>;
	const gates = { maxChangePct: step === null ? 1000 : Math.max(step * 100, 0), ...userGates, changeMode: 'fail' };
	const optimizer = await runOptimizer(
		{
			rules,
			useStoredRules: false,
			settings: { ...req.settings, gates, dryRun: false, maxActionsPerRun: Math.max(req.settings?.maxActionsPerRun ?? 0, rules.length) },
			accounts: Object.fromEntries(Object.entries(req.accounts).map(([p, ids]) => [p, [...(ids ?? [])]])),
		},
		{ store: deps.store, adapters: deps.adapters, now, runId: deps.runId },
	);
	const items = optimizer.items.filter((it) => ruleIdOf.has(it.rule.id));
	for (const it of items) {
		const row = ruleIdOf.get(it.rule.id)!;
		const reasons = it.outcome === 'proposed' ? [] : it.reasons.length > 0 ? it.reasons : [it.text];
		row.proposal = { outcome: it.proposalStatus && it.outcome === 'proposed' ? `proposed (already ${it.proposalStatus})` : it.outcome, proposalId: it.proposal?.id ?? null, reasons };
		if (it.proposal) {
			const e = row.expected;
			it.proposal.impact = (`Part of budget plan ${week} for ${scope} (${planId}): ${result.text[1] ?? ''}` + (e ? ` This campaign: ${num(e.current.value)} -> ${num(e.proposed.value)} ${result.outcome === 'conversions' ? 'conversions' : result.currency} a day.` : '')).slice(0, 2000);
		}
	}
	for (const r of moved) if (!r.proposal) r.proposal = { outcome: 'not evaluated', proposalId: null, reasons: ['the optimizer did not evaluate this change (see its warnings)'] };
	let proposals = optimizer.proposals.filter((p) => items.some((it) => it.proposal?.id === p.id));
	for (const p of proposals) p.impact = items.find((it) => it.proposal?.id === p.id)!.proposal!.impact;
	if (req.proposalMode === 'plan' && proposals.length > 0) {
		const whole = wholePlanProposal(proposals, { planId, week, scope, text: result.text, rows: moved });
		for (const r of moved) if (r.proposal && proposals.some((p) => p.id === r.proposal!.proposalId)) r.proposal = { ...r.proposal, outcome: `proposed in ${whole.id}`, proposalId: whole.id };
		proposals = [whole];
	}
	const gated = moved.filter((r) => r.proposal && !r.proposal.outcome.startsWith('proposed'));
	// the refusals right after the totals, before the per-campaign lines: Slack shows the first 14 lines (slack.ts planAlert)
	const text = [
		`Budget plan for ${scope} (${week}, ${planId}): ${proposals.length} budget change${proposals.length === 1 ? '' : 's'} proposed for approval${gated.length > 0 ? `, ${gated.length} refused by the gates` : ''}.`,
		...result.text.slice(0, 2),
		...gated.map((r) => `Refused by the gates: ${r.name}: ${r.proposal!.reasons.join('; ')}.`),
		...result.text.slice(2),
		...optimizer.warnings.map((w) => `Warning: ${w}`),
	];
	return { status: 'planned', ...base, waiting: [], proposals, items, optimizer, text };
}

/** One `budget_plan` proposal carrying every change's optimizer payload (executor.ts applies each through the optimization executor). */
function wholePlanProposal(proposals: readonly ProposalInput[], plan: { planId: string; week: string; scope: string; text: string[]; rows: readonly PlanCampaignRow[] }): ProposalInput {
	const platforms = [...new Set(proposals.map((p) => p.platform).filter(Boolean))];
	const accounts = [...new Set(proposals.map((p) => p.accountId).filter(Boolean))];
	return {
		id: `plan-${plan.planId}`,
		kind: BUDGET_PLAN_KIND,
		title: `Budget plan ${plan.week}: ${proposals.length} budget changes (${plan.scope})`.slice(0, 300),
		payload: { version: 1, planId: plan.planId, week: plan.week, scope: plan.scope, changes: proposals.map((p) => p.payload) } as ProposalInput['payload'],
		evidence: { plan: plan.text.slice(0, 2), changes: proposals.map((p) => ({ id: p.id, entity: p.entity ?? null, proposedChange: p.proposedChange, evidence: p.evidence ?? null })) } as ProposalInput['evidence'],
		platform: platforms.length === 1 ? platforms[0]! : null,
		accountId: accounts.length === 1 ? accounts[0]! : null,
		entity: plan.scope,
		proposedChange: proposals.map((p) => `${p.entity ?? ''}: ${p.proposedChange}`).join('\n').slice(0, 10_000),
		impact: `${plan.text[1] ?? ''} Approving applies every change once, each re-checked against its campaign first.`.slice(0, 2000),
	};
}

function totalNow(states: readonly CampaignState[], currency: string, fx: Readonly<Record<string, number>>): number | undefined {
	let total = 0;
	for (const s of states) {
		const rate = s.currency === currency ? 1 : fx[s.currency!];
		if (rate === undefined) return undefined; // planBudget refuses it with the missing rate
		total += s.dailyBudget! * rate;
	}
	return Math.round(total * 100) / 100;
}

function remap(models: Map<string, ResponseModel | string>, stateOf: Map<string, CampaignState>): Map<string, ResponseModel | string> {
	const out = new Map<string, ResponseModel | string>();
	for (const [k, m] of models) out.set(stateOf.get(k)?.campaignId ?? k, m);
	return out;
}

function num(n: number): string {
	return (Math.round(n * 10) / 10).toLocaleString('en-US', { maximumFractionDigits: 1 });
}

function countWords(statuses: string[]): string {
	const counts = new Map<string, number>();
	for (const s of statuses) counts.set(s, (counts.get(s) ?? 0) + 1);
	return [...counts].map(([s, n]) => `${n} ${s}`).join(', ');
}
