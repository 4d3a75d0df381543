import type { ICredentialsDecrypted, ICredentialTestFunctions, IDataObject, IExecuteFunctions, INodeCredentialTestResult, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { optionalCredentials } from '../../common/credentials';
import { numberParam, ParameterError } from '../../common/params';
import { createDataboxClient, DATABOX_CREDENTIAL, pushKpis, type DataboxMode, type DataboxSettings } from '../../shared/insights/databox';
import { KPI_LEVELS, lastDays, latestKpiDay, readKpis, type KpiLevel } from '../../shared/insights/kpi';
import { asJson, scopeOf } from './common';
import type { InsightsContext } from './types';

export const DATABOX_CREDENTIAL_TYPE = 'adOpsDataboxApi';

const show = { show: { operation: ['pushKpis'] } };

export const description: INodeProperties[] = [
	{
		displayName: 'Dataset ID',
		name: 'datasetId',
		type: 'string',
		default: '',
		placeholder: '4e1219d8-7fa8-44b7-96c6-a8f2a9cfb0bf',
		displayOptions: show,
		description:
			"The Databox dataset that receives one record per metric, dimension and day (Databox API mode; ignored by the legacy push API). Give it the primary keys date, metric, level, platform, account_id, campaign_id and currency, so a restated value replaces the earlier one.",
	},
	{
		displayName: 'Days',
		name: 'days',
		type: 'number',
		default: 7,
		typeOptions: { minValue: 1, maxValue: 400 },
		displayOptions: show,
		description: 'How many days, up to the End Date, are sent (values already sent are not sent again)',
	},
	{
		displayName: 'End Date',
		name: 'endDate',
		type: 'string',
		default: '',
		placeholder: 'YYYY-MM-DD',
		displayOptions: show,
		description: 'Last day sent (empty: the latest day stored)',
	},
	{
		displayName: 'Levels',
		name: 'levels',
		type: 'multiOptions',
		default: ['platform', 'account', 'campaign'],
		options: [
			{ name: 'Platform', value: 'platform', description: 'One value per platform, day and currency (mv_platform_comparison)' },
			{ name: 'Account', value: 'account', description: 'One value per ad account and day (mv_account_daily_summary)' },
			{ name: 'Campaign', value: 'campaign', description: 'One value per campaign and day (mv_campaign_daily_summary)' },
		],
		displayOptions: show,
		description: 'Which KPI views are sent',
	},
];

export const once = true;

function settingsOf(data: Record<string, unknown>): DataboxSettings {
	return { apiKey: String(data.apiKey ?? ''), mode: (String(data.apiMode ?? 'datasets') || 'datasets') as DataboxMode, baseUrl: String(data.baseUrl ?? '') };
}

/** The credential test: Databox's key check (datasets API) or ping (legacy push API). */
export async function adOpsDataboxApiTest(this: ICredentialTestFunctions, credential: ICredentialsDecrypted): Promise<INodeCredentialTestResult> {
	try {
		return { status: 'OK', message: await createDataboxClient(settingsOf(credential.data ?? {}), { timeoutMs: 15_000 }).validateKey() };
	} catch (error) {
		return { status: 'Error', message: error instanceof Error ? error.message : String(error) };
	}
}

export async function execute(this: IExecuteFunctions, itemIndex: number, ctx: InsightsContext): Promise<INodeExecutionData[]> {
	const data = await optionalCredentials(this, DATABOX_CREDENTIAL_TYPE);
	if (!data) throw new ParameterError(`Push KPIs needs an ${DATABOX_CREDENTIAL} credential: select one in the node's "Databox" credential field`);
	const settings = settingsOf(data);
	const datasetId = String(this.getNodeParameter('datasetId', itemIndex, '') ?? '').trim();
	if (settings.mode === 'datasets' && !datasetId) throw new ParameterError('Dataset ID is empty: the Databox API ingests into one dataset (create it in Databox, or choose the legacy push API on the credential)');
	const days = numberParam(this.getNodeParameter('days', itemIndex, 7), 'Days', 7, { min: 1, max: 400, integer: true });
	const levels = (this.getNodeParameter('levels', itemIndex, [...KPI_LEVELS]) as string[]).filter((l): l is KpiLevel => (KPI_LEVELS as readonly string[]).includes(l));
	if (levels.length === 0) throw new ParameterError(`Levels must name at least one of ${KPI_LEVELS.join(', ')}`);
	const scope = scopeOf(this, itemIndex);
	const end = String(this.getNodeParameter('endDate', itemIndex, '') ?? '').trim() || (await latestKpiDay(ctx.store, scope.platform));
	if (!end) return [{ json: { outcome: 'pushKpis', summary: 'Nothing to send: no performance stored yet (run AdOps Ingest first).', sent: 0 }, pairedItem: { item: itemIndex } }];
	const { from } = lastDays(end, days);
	const rows = await readKpis(ctx.store, { from, to: end, levels, ...(scope.platform ? { platform: scope.platform } : {}), ...(scope.accountId ? { accountId: scope.accountId } : {}) });
	const client = createDataboxClient(settings);
	const result = await pushKpis(ctx.store, client, rows, { datasetId, claimedBy: `n8n:${this.getExecutionId?.() ?? 'run'}` });
	const { summary, ...rest } = result;
	return [{ json: { outcome: 'pushKpis', summary, from, to: end, levels, ...asJson(rest) } as IDataObject, pairedItem: { item: itemIndex } }];
}
