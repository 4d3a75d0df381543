import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';
import { qualityReport } from '../../shared/ingest';
import { ingestSummaryAlert, isIngestOutcome } from '../../shared/ingest/alert';
import type { PlatformId } from '../../shared/resilience/errors';
import type { Store } from '../../shared/store';
import { numberParam } from '../../common/params';
import { PLATFORM_OPTIONS } from '../../common/platforms';

const show = { show: { operation: ['qualityReport'] } };

export const description: INodeProperties[] = [
	{
		displayName: 'Platforms',
		name: 'platforms',
		type: 'multiOptions',
		default: [],
		description: 'Platforms to score; none selected scores all of them',
		displayOptions: show,
		options: PLATFORM_OPTIONS,
	},
	{
		displayName: 'Report Date',
		name: 'reportDate',
		type: 'string',
		default: '',
		placeholder: 'YYYY-MM-DD',
		description: 'Day to score. Empty: yesterday (UTC).',
		displayOptions: show,
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		default: {},
		placeholder: 'Add Option',
		displayOptions: show,
		options: [
			{ displayName: 'Freshness Hours', name: 'freshnessHours', type: 'number', default: 24, description: 'Data older than this fails the freshness check' },
			{ displayName: 'Trailing Days', name: 'trailingDays', type: 'number', default: 7, description: 'Days the volume check compares against' },
		],
	},
];

/** Runs once per execution: its input is every ingest outcome of the run. */
export const once = true;

export async function execute(this: IExecuteFunctions, itemIndex: number, store: Store): Promise<INodeExecutionData[]> {
	const reportDate = (this.getNodeParameter('reportDate', itemIndex, '') as string).trim();
	if (reportDate && !/^\d{4}-\d{2}-\d{2}$/.test(reportDate)) {
		throw new NodeOperationError(this.getNode(), `Report Date must be YYYY-MM-DD, got "${reportDate}"`, { itemIndex });
	}
	const options = this.getNodeParameter('options', itemIndex, {}) as IDataObject;
	const report = await qualityReport({
		store,
		platforms: this.getNodeParameter('platforms', itemIndex, []) as PlatformId[],
		reportDate: reportDate || undefined,
		freshnessHours: numberParam(options.freshnessHours, 'Freshness Hours', undefined, { min: 0 }),
		trailingDays: numberParam(options.trailingDays, 'Trailing Days', undefined, { min: 1, integer: true }),
	});
	// Ingest outcomes arriving as input are summarized with the report, ready for AdOps Alert (Message Source: JSON).
	const items = this.getInputData();
	const outcomes = items.map((i): unknown => i.json).filter(isIngestOutcome);
	const alert = ingestSummaryAlert(outcomes, report);
	return [
		{
			json: { ...report, accounts: outcomes.length, failedAccounts: outcomes.filter((o) => o.status === 'failed').length, alert } as unknown as IDataObject,
			pairedItem: items.map((_, item) => ({ item })),
		},
	];
}
