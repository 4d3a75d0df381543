import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { numberParam } from '../../common/params';
import { pacingChart } from '../../shared/charts/from-insights';
import { readPlatformPlans } from '../../shared/insights/platform-plans';
import { paceBudgets, type PaceOptions } from '../../shared/insights/run';
import { controlledAdaptersFromNode } from '../../common/platforms';
import { asJson, scopeOf } from './common';
import { deliveryJson, fileName, routeAlert, withChart } from './deliver';
import type { InsightsContext } from './types';

const show = { show: { operation: ['pace'] } };

export const description: INodeProperties[] = [
	{
		displayName: 'Plan Source',
		name: 'planSource',
		type: 'options',
		default: 'table',
		displayOptions: show,
		options: [
			{ name: 'Budget Plans Table', value: 'table', description: "The store's budget_plans rows of the month (per account or campaign)" },
			{ name: 'Monthly Budget Below', value: 'parameter', description: 'One plan for the scope chosen above' },
			{ name: "Platforms' Own Budgets", value: 'platform', description: "Each active campaign's daily budget × the days of the month, read from its platform (select the platform credentials); campaigns without a daily budget of their own are listed, not paced" },
		],
	},
	{
		displayName: 'Monthly Budget',
		name: 'monthlyBudget',
		type: 'number',
		default: 0,
		typeOptions: { minValue: 0 },
		displayOptions: { show: { operation: ['pace'], planSource: ['parameter'] } },
		description: "The month's plan for the scope, in its reporting currency",
	},
	{
		displayName: 'Propose Budget Changes',
		name: 'proposeBudgets',
		type: 'boolean',
		default: false,
		displayOptions: show,
		description:
			"Whether each off-pace campaign plan also outputs an optimizer rule (\"rule\"): set the daily budget that lands on plan, with approval. Give the rules to AdOps Optimizer's Rules (JSON) (workflows/insights.json does): its gates, AdOps Approval and the action ledger handle it like any budget change",
	},
	{
		displayName: 'Pace Options',
		name: 'paceOptions',
		type: 'collection',
		default: {},
		placeholder: 'Add Option',
		displayOptions: show,
		options: [
			{ displayName: 'As Of', name: 'asOf', type: 'string', default: '', placeholder: 'YYYY-MM-DD', description: 'Last complete day (empty: the latest day stored)' },
			{ displayName: 'Attach Charts', name: 'attachCharts', type: 'boolean', default: true, description: 'Whether each off-pace plan carries its PNG chart as binary "chart"' },
			{ displayName: 'Band at Month End', name: 'bandEnd', type: 'number', default: 0.01, typeOptions: { minValue: 0, numberPrecision: 3 }, description: 'Tolerance of the pacing band on the last day (0.01 = 99–101 %)' },
			{ displayName: 'Band on Day 1', name: 'bandEarly', type: 'number', default: 0.25, typeOptions: { minValue: 0, numberPrecision: 3 }, description: 'Tolerance of the pacing band on the first day (0.25 = 75–125 %)' },
			{ displayName: 'Month', name: 'month', type: 'string', default: '', placeholder: 'YYYY-MM', description: 'Month paced (empty: the month of As Of)' },
		],
	},
];

export const once = true;

export async function execute(this: IExecuteFunctions, itemIndex: number, ctx: InsightsContext): Promise<INodeExecutionData[]> {
	const o = this.getNodeParameter('paceOptions', itemIndex, {}) as IDataObject;
	const scope = scopeOf(this, itemIndex);
	const source = this.getNodeParameter('planSource', itemIndex, 'table') as string;
	let plansFor: PaceOptions['plansFor'];
	if (source === 'platform') {
		const { adapters, accounts } = await controlledAdaptersFromNode(this, { maxRetries: 3 });
		plansFor = await readPlatformPlans(adapters, accounts, scope);
	}
	const run = await paceBudgets(ctx.store, {
		...scope,
		...(String(o.asOf ?? '').trim() ? { asOf: String(o.asOf).trim() } : {}),
		...(String(o.month ?? '').trim() ? { month: String(o.month).trim() } : {}),
		...(source === 'parameter' ? { monthlyBudget: numberParam(this.getNodeParameter('monthlyBudget', itemIndex, 0), 'Monthly Budget', 0, { min: 0 }) } : {}),
		band: { early: numberParam(o.bandEarly, 'Band on Day 1', 0.25, { min: 0 }), end: numberParam(o.bandEnd, 'Band at Month End', 0.01, { min: 0 }) },
		proposeBudgets: this.getNodeParameter('proposeBudgets', itemIndex, false) === true,
		...(plansFor ? { plansFor } : {}),
	});
	const attach = o.attachCharts !== false;
	const out: INodeExecutionData[] = [];
	for (const p of run.pacing) {
		const r = p.result;
		const filename = fileName(['pacing', p.plan.platform, p.plan.accountId, p.plan.campaignId ?? 'account', r.month]);
		const { alert, delivery, chart } = await routeAlert(ctx, { key: p.alertKey, alert: p.alert, attach, chart: () => pacingChart(r, p.cumulative, p.label, p.currency ?? undefined), filename });
		const json: IDataObject = {
			outcome: 'pacing',
			platform: p.plan.platform ?? null,
			accountId: p.plan.accountId ?? null,
			campaignId: p.plan.campaignId ?? null,
			label: p.label,
			planSource: p.plan.source,
			currency: p.currency,
			month: r.month,
			asOf: run.asOf,
			status: r.status,
			plan: r.plan,
			spentToDate: r.spentToDate,
			daysElapsed: r.daysElapsed,
			daysRemaining: r.daysRemaining,
			forecastMonthSpend: asJson(r.forecastMonthSpend),
			forecastMonthConversions: asJson(r.forecastMonthConversions),
			model: r.model,
			pacingRatio: r.pacingRatio,
			band: asJson(r.band),
			recommendedDailyBudget: r.recommendedDailyBudget,
			linearDailyBudget: r.linearDailyBudget,
			summary: r.summary,
			idempotencyKey: p.alertKey,
			...(p.rule || p.proposalNote ? { rule: (p.rule as unknown as IDataObject) ?? null, proposalNote: p.proposalNote } : {}),
			alert: alert as unknown as IDataObject,
			...(delivery ? { slack: deliveryJson(delivery) } : {}),
		};
		const item: INodeExecutionData = { json, pairedItem: { item: itemIndex } };
		out.push(chart && attach ? await withChart(this, item, chart, filename) : item);
	}
	if (run.problems.length > 0 || out.length === 0) out.push({ json: { outcome: 'pacing_problems', asOf: run.asOf, month: run.month, problems: run.problems, alert: null }, pairedItem: { item: itemIndex } });
	return out;
}

