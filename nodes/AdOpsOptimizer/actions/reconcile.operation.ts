import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { reconcileOptimizationActions, holderId, type ReconciledEntry } from '../../shared/rules/apply';
import type { OptimizerContext } from './types';
import { executionRunId } from './run.operation';

/** Reconcile has no parameters of its own: the credentials select the platforms, the store holds the ledger. */
export const description: INodeProperties[] = [
	{
		displayName:
			'Settles every optimizer change whose outcome is unknown (its answer was lost) or whose run is gone, by reading the campaign on its platform: the target observed means it happened, the budget or status before means it did not. One item per entry, in words.',
		name: 'reconcileNotice',
		type: 'notice',
		default: '',
		displayOptions: { show: { operation: ['reconcile'] } },
	},
];

export const once = true;

/** "daily budget 100 → 120 USD", "pause". */
function changeWords(e: ReconciledEntry): string {
	const t = e.target;
	if (t.action === 'pause' || t.action === 'enable') return t.action;
	return `daily budget ${t.budgetBefore ?? '?'} → ${t.budgetAfter ?? '?'} ${t.currency}`;
}

/** One item's words: what, on which campaign, by which rule, how it ended and how that was observed. */
export function reconcileText(e: ReconciledEntry): string {
	const t = e.target;
	const lead = e.status === 'succeeded' ? 'Reconciled, it happened' : e.status === 'failed' ? 'Reconciled, it did not happen' : e.status === 'in_progress' ? 'Still in progress' : 'Still unknown, needs a person';
	return `${lead}: ${changeWords(e)} of ${t.platform} campaign ${t.campaignId} (account ${t.accountId}), rule ${t.ruleName ? `"${t.ruleName}"` : t.ruleId}, attempted ${t.attemptedAt ?? e.at}. ${e.reason}`;
}

export function reconcileItems(result: { resolved: ReconciledEntry[]; open: ReconciledEntry[]; errors: string[] }, itemIndex: number): INodeExecutionData[][] {
	const settled: INodeExecutionData[] = [];
	const stored: INodeExecutionData[] = [];
	const item = (e: ReconciledEntry, outcome: string): INodeExecutionData => ({
		json: {
			outcome,
			status: e.status,
			idempotencyKey: e.key,
			platform: e.target.platform,
			accountId: e.target.accountId,
			campaignId: e.target.campaignId,
			ruleId: e.target.ruleId,
			change: changeWords(e),
			reason: e.reason,
			text: reconcileText(e),
		} as IDataObject,
		pairedItem: { item: itemIndex },
	});
	for (const e of result.resolved) settled.push(item(e, 'reconciled'));
	for (const e of result.open) (e.status === 'in_progress' ? stored : settled).push(item(e, e.status === 'in_progress' ? 'in_progress' : 'unknown'));
	for (const error of result.errors) settled.push({ json: { outcome: 'reconcile_error', text: `Could not reconcile: ${error}` }, pairedItem: { item: itemIndex } });
	const summary = `${result.resolved.length} settled (${result.resolved.filter((e) => e.status === 'succeeded').length} happened, ${result.resolved.filter((e) => e.status === 'failed').length} did not), ${result.open.length} still open, ${result.errors.length} could not be read`;
	stored.push({ json: { outcome: 'summary', text: `Reconcile: ${summary}`, settled: result.resolved.length, open: result.open.length, errors: result.errors.length }, pairedItem: { item: itemIndex } });
	return [settled, [], stored];
}

export async function execute(this: IExecuteFunctions, itemIndex: number, ctx: OptimizerContext): Promise<INodeExecutionData[][]> {
	const platforms = Object.keys(ctx.adapters);
	const result = await reconcileOptimizationActions(ctx.store, ctx.adapters, { claimedBy: holderId(executionRunId(this)) });
	// entries of platforms without a selected credential cannot be read here: say so instead of guessing
	const skipped = [...result.resolved, ...result.open].filter((e) => !platforms.includes(e.target.platform));
	return reconcileItems({ ...result, errors: [...result.errors, ...skipped.map((e) => `${e.target.platform} campaign ${e.target.campaignId}: select its credential on this node`)] }, itemIndex);
}
