import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { jsonParam, numberParam, ParameterError } from '../../common/params';
import { runBacktest, type BacktestRunResult } from '../../shared/rules/backtest-run';
import type { OptimizerContext } from './types';
import { accountsFor, settingsFromOptions } from './run.operation';

const show = { show: { operation: ['backtest'] } };

export const description: INodeProperties[] = [
	{
		displayName: 'From',
		name: 'from',
		type: 'string',
		default: "={{ $today.minus({ days: 30 }).toFormat('yyyy-MM-dd') }}",
		required: true,
		displayOptions: show,
		description: 'First day replayed (YYYY-MM-DD, UTC)',
	},
	{
		displayName: 'To',
		name: 'to',
		type: 'string',
		default: "={{ $today.minus({ days: 1 }).toFormat('yyyy-MM-dd') }}",
		required: true,
		displayOptions: show,
		description: 'Last day replayed (YYYY-MM-DD, UTC)',
	},
	{
		displayName: 'Backtest Options',
		name: 'backtestOptions',
		type: 'collection',
		default: {},
		placeholder: 'Add Option',
		displayOptions: show,
		options: [
			{ displayName: 'Approve Proposals', name: 'approveProposals', type: 'boolean', default: false, description: 'Whether proposals apply as if approved at once (otherwise they never apply)' },
			{ displayName: 'Every (Hours)', name: 'everyHours', type: 'number', default: 24, typeOptions: { minValue: 1 }, description: 'Hours between two evaluations' },
			{ displayName: 'Include Gated', name: 'includeGated', type: 'boolean', default: true, description: 'Whether gated decisions are listed too' },
			{ displayName: 'Time of Day (UTC)', name: 'at', type: 'string', default: '06:00', placeholder: 'HH:MM', description: 'When each evaluation happens' },
		],
	},
];

export const once = true;

/** The backtest as the node's three outputs: would have executed, would have been proposed, gated; the report last. */
export function backtestOutputs(result: BacktestRunResult, itemIndex: number): INodeExecutionData[][] {
	const outputs: INodeExecutionData[][] = [[], [], []];
	const slot = { execute: 0, propose: 1, gated: 2 } as const;
	for (const e of result.report.events) outputs[slot[e.decision]]!.push({ json: { outcome: `backtest_${e.decision}`, ...e } as unknown as IDataObject, pairedItem: { item: itemIndex } });
	const { events: _events, ...report } = result.report;
	outputs[2]!.push({ json: { outcome: 'backtest_report', ...report, events: result.report.events.length, accounts: result.accounts, warnings: result.warnings, stats: result.stats } as unknown as IDataObject, pairedItem: { item: itemIndex } });
	return outputs;
}

export async function execute(this: IExecuteFunctions, itemIndex: number, ctx: OptimizerContext): Promise<INodeExecutionData[][]> {
	const options = this.getNodeParameter('runOptions', itemIndex, {}) as IDataObject;
	const b = this.getNodeParameter('backtestOptions', itemIndex, {}) as IDataObject;
	const rules = jsonParam(this.getNodeParameter('rules', itemIndex, '[]'), 'Rules (JSON)') ?? [];
	if (!Array.isArray(rules)) throw new ParameterError('Rules (JSON) must be a JSON array of rules');
	const result = await runBacktest(
		{
			rules,
			useStoredRules: this.getNodeParameter('useStoredRules', itemIndex, true) as boolean,
			settings: settingsFromOptions(options, true, false),
			accounts: accountsFor(options, ctx),
			from: String(this.getNodeParameter('from', itemIndex)).trim(),
			to: String(this.getNodeParameter('to', itemIndex)).trim(),
			...(b.at ? { at: String(b.at).trim() } : {}),
			...(b.everyHours !== undefined ? { everyHours: numberParam(b.everyHours, 'Every (Hours)', 24, { min: 1 }) } : {}),
			approveProposals: b.approveProposals === true,
			includeGated: b.includeGated !== false,
		},
		{ store: ctx.store, adapters: ctx.adapters },
	);
	return backtestOutputs(result, itemIndex);
}
