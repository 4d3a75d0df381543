import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { optionalCredentials } from '../../common/credentials';
import { jsonParam, numberParam, ParameterError } from '../../common/params';
import { limitsFromNode } from '../../common/shared-limits';
import { createSlackClient, type SlackSettings } from '../../shared/alerts/post';
import { BUDGET_PLAN_KIND } from '../../shared/allocation/executor';
import { OBJECTIVES, type Objective } from '../../shared/allocation/plan';
import { runBudgetPlan, type BudgetPlanOutcome, type BudgetPlanRequest } from '../../shared/allocation/propose';
import { deliverBudgetPlan, planWantsSlack } from '../../shared/allocation/slack';
import type { Delivery } from '../../shared/insights/deliver';
import { PLATFORM_REGISTRY } from '../../shared/platforms/registry';
import { CONTROLLED_PLATFORMS } from '../../shared/rules/apply';
import { optimizerAlert } from '../../shared/rules/alert';
import { executionRunId, GATE_OPTIONS, settingsFromOptions } from './run.operation';
import type { OptimizerContext } from './types';

const show = { show: { operation: ['planBudget'] } };
const showFor = (extra: Record<string, unknown[]>) => ({ show: { operation: ['planBudget'], ...extra } });

export const description: INodeProperties[] = [
	{
		displayName:
			'Fits a response curve per campaign to its stored daily history and splits the budget where it buys the most. Each changed budget becomes a proposal for AdOps Approval, gated like every budget change; nothing changes until it is approved. While an earlier plan of the same scope waits for approval, a rerun proposes nothing.',
		name: 'planNotice',
		type: 'notice',
		default: '',
		displayOptions: show,
	},
	{
		displayName: 'Scope',
		name: 'planScope',
		type: 'options',
		default: 'all',
		displayOptions: show,
		options: [
			{ name: 'All', value: 'all', description: 'Every account of every platform credential on this node' },
			{ name: 'Platform', value: 'platform', description: "Every account of one platform's credential" },
			{ name: 'Account', value: 'account', description: 'One ad account' },
		],
	},
	{
		displayName: 'Platform',
		name: 'planPlatform',
		type: 'options',
		default: CONTROLLED_PLATFORMS[0],
		displayOptions: showFor({ planScope: ['platform', 'account'] }),
		options: CONTROLLED_PLATFORMS.map((p) => ({ name: PLATFORM_REGISTRY[p].label, value: p })),
	},
	{
		displayName: 'Account ID',
		name: 'planAccountId',
		type: 'string',
		default: '',
		required: true,
		displayOptions: showFor({ planScope: ['account'] }),
	},
	{
		displayName: 'Objective',
		name: 'objective',
		type: 'options',
		default: 'conversions',
		displayOptions: show,
		options: [
			{ name: 'Max Conversions', value: 'conversions', description: 'The most conversions for the total budget' },
			{ name: 'Max Revenue', value: 'revenue', description: 'The most conversion value for the total budget' },
			{ name: 'Target CPA', value: 'target-cpa', description: 'The most conversions whose overall CPA meets the target, at the least spend' },
			{ name: 'Target ROAS', value: 'target-roas', description: 'The most revenue whose overall ROAS meets the target, at the least spend' },
		],
	},
	{
		displayName: 'Target',
		name: 'target',
		type: 'number',
		default: 0,
		typeOptions: { minValue: 0 },
		displayOptions: showFor({ objective: ['target-cpa', 'target-roas'] }),
		description: 'CPA in the plan currency, or ROAS as revenue per unit of spend (3 = 300 %)',
	},
	{
		displayName: 'Total Daily Budget',
		name: 'totalBudget',
		type: 'number',
		default: 0,
		typeOptions: { minValue: 0 },
		displayOptions: show,
		description: "Daily total over the campaigns in scope, plan currency; 0 keeps today's total (the plan only moves money). With a target objective: an upper limit, 0 for none.",
	},
	{
		displayName: 'Max Change per Step (%)',
		name: 'maxStepPct',
		type: 'number',
		default: 20,
		typeOptions: { minValue: 0 },
		displayOptions: show,
		description: 'No campaign moves by more than this percent of its current budget in one plan',
	},
	{
		displayName: 'Locked Campaign IDs',
		name: 'lockedCampaigns',
		type: 'string',
		default: '',
		displayOptions: show,
		description: 'Comma-separated: held at their budget (their budget still counts toward the total)',
	},
	{
		displayName: 'Proposals',
		name: 'proposalMode',
		type: 'options',
		default: 'campaign',
		displayOptions: show,
		options: [
			{ name: 'One per Changed Campaign', value: 'campaign', description: 'Each budget change is its own approval card, approved or rejected on its own' },
			{ name: 'One for the Whole Plan', value: 'plan', description: 'One approval card for every change of the plan; approved, each change is applied once through the same executor and checks' },
		],
	},
	{
		displayName: 'Slack Channel',
		name: 'planChannel',
		type: 'string',
		default: '',
		displayOptions: show,
		description: "With the Slack credential: where the plan's charts go (empty: the credential's default channel)",
	},
	{
		displayName: 'Options',
		name: 'planOptions',
		type: 'collection',
		default: {},
		placeholder: 'Add Option',
		displayOptions: show,
		options: [
			{ ...GATE_OPTIONS.budgetFloor, name: 'floor', description: "No campaign's budget goes below this (its own currency); 0 for none" },
			{ ...GATE_OPTIONS.budgetCeiling, name: 'ceiling', description: "No campaign's budget goes above this (its own currency); 0 for none" },
			{ displayName: 'Bounds per Campaign (JSON)', name: 'bounds', type: 'json', default: '{}', description: 'Floors and ceilings by campaign ID, e.g. {"120210000000000101": {"floor": 50, "ceiling": 400}}' },
			{ ...GATE_OPTIONS.cooldownHours, description: 'Minimum time between two changes of one campaign, by any rule or plan' },
			{ ...GATE_OPTIONS.gates, description: "AdOps Optimizer's gate configuration; the change caps always refuse rather than clamp a plan's budget" },
			{ displayName: 'History (Days)', name: 'historyDays', type: 'number', default: 180, typeOptions: { minValue: 28 }, description: 'Days of stored daily history the curves are fitted on' },
			{ displayName: 'Kill Switch', name: 'killSwitch', type: 'boolean', default: false, description: 'Whether every change of the plan is gated (nothing proposed)' },
			GATE_OPTIONS.maxDailyChangePct,
			{ displayName: 'Plan Currency', name: 'currency', type: 'string', default: '', placeholder: 'EUR', description: 'ISO 4217; empty: the one currency of all campaigns. Others are converted through the stored FX rates.' },
		],
	},
];

export const once = true;

function campaignIds(raw: unknown): string[] {
	return String(raw ?? '')
		.split(',')
		.map((s) => s.trim())
		.filter(Boolean);
}

/** The node's parameters as the plan's request. */
export function planRequest(fns: Pick<IExecuteFunctions, 'getNodeParameter'>, itemIndex: number, ctx: OptimizerContext): BudgetPlanRequest {
	const scopeKind = fns.getNodeParameter('planScope', itemIndex, 'all') as string;
	const accounts: BudgetPlanRequest['accounts'] = {};
	let scopeLabel = 'all accounts';
	if (scopeKind === 'all') {
		for (const p of Object.keys(ctx.adapters)) accounts[p] = ctx.credentialAccounts[p as keyof typeof ctx.credentialAccounts] ?? [];
	} else {
		const platform = fns.getNodeParameter('planPlatform', itemIndex) as string;
		if (!ctx.adapters[platform as keyof typeof ctx.adapters]) throw new ParameterError(`Platform is ${PLATFORM_REGISTRY[platform as keyof typeof PLATFORM_REGISTRY]?.label ?? platform} but no credential for it is selected on this node`);
		if (scopeKind === 'account') {
			const id = String(fns.getNodeParameter('planAccountId', itemIndex, '')).trim();
			if (!id) throw new ParameterError('Account ID is empty: give the ad account to plan, or choose the scope Platform or All');
			accounts[platform] = [id];
			scopeLabel = `${PLATFORM_REGISTRY[platform as keyof typeof PLATFORM_REGISTRY].label} account ${id}`;
		} else {
			accounts[platform] = ctx.credentialAccounts[platform as keyof typeof ctx.credentialAccounts] ?? [];
			scopeLabel = `all ${PLATFORM_REGISTRY[platform as keyof typeof PLATFORM_REGISTRY].label} accounts`;
		}
	}
	const objective = fns.getNodeParameter('objective', itemIndex, 'conversions') as Objective;
	if (!OBJECTIVES.includes(objective)) throw new ParameterError(`Objective must be one of ${OBJECTIVES.join(', ')}, got ${String(objective)}`);
	const o = fns.getNodeParameter('planOptions', itemIndex, {}) as IDataObject;
	const total = numberParam(fns.getNodeParameter('totalBudget', itemIndex, 0), 'Total Daily Budget', 0, { min: 0 });
	const step = numberParam(fns.getNodeParameter('maxStepPct', itemIndex, 20), 'Max Change per Step (%)', 20, { min: 0 });
	const req: BudgetPlanRequest = { accounts, scopeLabel, objective, maxStep: step / 100, locked: campaignIds(fns.getNodeParameter('lockedCampaigns', itemIndex, '')) };
	if (total > 0) req.totalBudget = total;
	if (objective === 'target-cpa' || objective === 'target-roas') req.target = numberParam(fns.getNodeParameter('target', itemIndex, 0), 'Target', 0, { min: 0 });
	const floor = o.floor === undefined ? 0 : numberParam(o.floor, 'Budget Floor', 0, { min: 0 });
	const ceiling = o.ceiling === undefined ? 0 : numberParam(o.ceiling, 'Budget Ceiling', 0, { min: 0 });
	if (floor > 0) req.floor = floor;
	if (ceiling > 0) req.ceiling = ceiling;
	if (o.bounds !== undefined) {
		const bounds = jsonParam(o.bounds, 'Bounds per Campaign (JSON)') ?? {};
		if (typeof bounds !== 'object' || Array.isArray(bounds)) throw new ParameterError('Bounds per Campaign (JSON) must be an object of campaign IDs');
		req.bounds = bounds as BudgetPlanRequest['bounds'];
	}
	if (o.historyDays !== undefined) req.historyDays = numberParam(o.historyDays, 'History (Days)', 180, { min: 28, integer: true });
	if (typeof o.currency === 'string' && o.currency.trim()) req.currency = o.currency.trim().toUpperCase();
	// the optimizer's gate options, read as Run Rules reads them
	const gateOptions: IDataObject = {};
	for (const k of ['gates', 'cooldownHours', 'maxDailyChangePct'] as const) if (o[k] !== undefined) gateOptions[k] = o[k];
	if (floor > 0) gateOptions.budgetFloor = floor;
	if (ceiling > 0) gateOptions.budgetCeiling = ceiling;
	const settings = settingsFromOptions(gateOptions, false, o.killSwitch === true);
	req.settings = { gates: settings.gates, killSwitch: settings.killSwitch };
	return req;
}

/** The plan as items: output 0 the plan (and its Slack delivery), 1 the new proposals, 2 the gated changes. */
export function planOutputs(outcome: BudgetPlanOutcome, itemIndex: number, delivery?: Delivery): INodeExecutionData[][] {
	const paired = { item: itemIndex };
	if (outcome.status === 'refused') return [[{ json: { type: 'budget_plan', ...outcome, text: outcome.text.join('\n') } as unknown as IDataObject, pairedItem: paired }], [], []];
	const { models: _m, items, optimizer, proposals, text, ...rest } = outcome;
	void _m;
	const plan = { type: 'budget_plan', ...rest, proposalsNew: proposals.length, text: text.join('\n'), ...(delivery ? { slack: delivery } : {}), ...(optimizer ? { optimizerSummary: optimizer.summary, warnings: optimizer.warnings } : {}) };
	const ids = new Set(proposals.map((p) => p.id));
	// a whole-plan proposal carries the changes' own proposals (their ids in its evidence)
	const whole = proposals.find((p) => p.kind === BUDGET_PLAN_KIND);
	const inWhole = new Set(((whole?.evidence as { changes?: Array<{ id: string }> } | null)?.changes ?? []).map((c) => c.id));
	const proposed: INodeExecutionData[] = [];
	const gated: INodeExecutionData[] = [];
	for (const it of items) {
		const json = { ...it, alert: optimizerAlert(it) } as unknown as IDataObject;
		if (it.proposal && ids.has(it.proposal.id)) proposed.push({ json: { ...json, proposal: proposals.find((p) => p.id === it.proposal!.id) } as unknown as IDataObject, pairedItem: paired });
		else if (!(it.proposal && inWhole.has(it.proposal.id))) gated.push({ json, pairedItem: paired });
	}
	if (whole) proposed.push({ json: { outcome: 'proposed', route: 'approval', planId: outcome.planId, proposal: whole, text: whole.title } as unknown as IDataObject, pairedItem: paired });
	return [[{ json: plan as unknown as IDataObject, pairedItem: paired }], proposed, gated];
}

export async function execute(this: IExecuteFunctions, itemIndex: number, ctx: OptimizerContext): Promise<INodeExecutionData[][]> {
	const req = planRequest(this, itemIndex, ctx);
	const mode = this.getNodeParameter('proposalMode', itemIndex, 'campaign');
	if (mode !== 'campaign' && mode !== 'plan') throw new ParameterError(`Proposals must be One per Changed Campaign or One for the Whole Plan, got ${String(mode)}`);
	req.proposalMode = mode;
	const runId = executionRunId(this);
	const outcome = await runBudgetPlan(req, { store: ctx.store, adapters: ctx.adapters, runId });
	let delivery: Delivery | undefined;
	if (planWantsSlack(outcome)) {
		const data = await optionalCredentials(this, 'adOpsSlackApi');
		if (data) {
			const settings = data as unknown as SlackSettings;
			const channel = String(this.getNodeParameter('planChannel', itemIndex, '') || settings.defaultChannel || '').trim();
			if (!channel) throw new ParameterError('No Slack channel: set Slack Channel on the node or a default channel in the AdOps Slack credential');
			delivery = await deliverBudgetPlan(ctx.store, { client: createSlackClient(settings, { retries: 3, limits: await limitsFromNode(this) }), channel }, outcome);
		}
	}
	return planOutputs(outcome, itemIndex, delivery);
}
