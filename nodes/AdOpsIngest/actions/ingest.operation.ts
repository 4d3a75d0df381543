import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties, JsonObject } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';
import { runAdIngest, runIngestAll, type IngestAccount, type IngestOutcome } from '../../shared/ingest';
import { canReportAds } from '../../shared/platforms/ad-report';
import { isKnownCurrency } from '../../shared/platforms/currency';
import { createPlatformAdapter, parseIdList, settingsAccountIds } from '../../shared/platforms/factory';
import { PLATFORM_LABEL, type PlatformId } from '../../shared/resilience/errors';
import { PLATFORM_REGISTRY, platformsWith } from '../../shared/platforms/registry';
import type { Store } from '../../shared/store';
import { numberParam } from '../../common/params';
import { PLATFORM_OPTIONS, platformSettingsFromNode } from '../../common/platforms';
import { limitsFromNode } from '../../common/shared-limits';
import { adAccountModes, accountIdsFromLocator } from '../../common/list-search';

const show = { show: { operation: ['ingest'] } };
const onVersion = (v: 1 | 2) => ({ show: { operation: ['ingest'], '@version': v === 1 ? [1] : [{ _cnd: { gte: 2 } }] } });

/** The platforms Ingest reads, by their names in the registry (alphabetical, as n8n's lint wants). */
const INGEST_PLATFORMS = PLATFORM_OPTIONS.filter((o) => PLATFORM_REGISTRY[o.value].capabilities.ingest).map((o) => ({ ...o, description: `Daily campaign metrics from ${o.name}, with the AdOps ${o.name} credential` }));

export const description: INodeProperties[] = [
	{
		displayName: 'Platform',
		name: 'platform',
		type: 'options',
		noDataExpression: true,
		default: PLATFORM_REGISTRY.meta.id,
		description: 'The ad or email platform to read; only its credential is asked for',
		displayOptions: show,
		options: INGEST_PLATFORMS,
	},
	{
		displayName: 'Account IDs',
		name: 'accounts',
		type: 'string',
		default: '',
		placeholder: 'act_123, act_456',
		description: "Comma-separated accounts to ingest. Empty uses the credential's list (Klaviyo: the key's own account).",
		displayOptions: onVersion(1),
	},
	// One per platform, so the ID forms and the address example are that platform's.
	...platformsWith('ingest').map(
		(id): INodeProperties => ({
			displayName: 'Ad Account',
			name: 'accounts',
			type: 'resourceLocator',
			default: { mode: 'list', value: '' },
			description: "The account to ingest. Empty: every account listed in the credential (Klaviyo: the key's own account). By ID takes several IDs separated by commas.",
			displayOptions: { show: { ...onVersion(2).show, platform: [id] } },
			modes: adAccountModes(id),
		}),
	),
	{
		displayName: 'Reporting Currency',
		name: 'reportingCurrency',
		type: 'string',
		default: 'USD',
		description: 'ISO 4217 code every money column is converted into, with rates from the fx_rates table',
		displayOptions: show,
	},
	{
		displayName: 'Lookback Days',
		name: 'lookbackDays',
		type: 'number',
		typeOptions: { minValue: 0, maxValue: 90 },
		default: 3,
		description: 'Days already loaded that are fetched again, because late conversions change the past',
		displayOptions: show,
	},
	{
		displayName: 'Initial Backfill Days',
		name: 'initialBackfillDays',
		type: 'number',
		typeOptions: { minValue: 1, maxValue: 1095 },
		default: 30,
		description: 'Days fetched the first time an account is ingested',
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
			{
				displayName: 'Fail When an Account Fails',
				name: 'failOnAccountError',
				type: 'boolean',
				default: false,
				description: 'Whether to stop the workflow (and trigger its error workflow) after all accounts ran, when any of them failed. Off: failures are output items with status "failed".',
			},
			{
				displayName: 'Klaviyo Conversion Metric ID',
				name: 'klaviyoConversionMetricId',
				type: 'string',
				default: '',
				description: 'ID of the Klaviyo metric whose value is revenue; wins over the name',
			},
			{
				displayName: 'Klaviyo Conversion Metric Name',
				name: 'klaviyoConversionMetric',
				type: 'string',
				default: 'Placed Order',
				description: 'Name of the Klaviyo metric whose value is revenue (looked up once per run)',
			},
			{
				displayName: 'Level',
				name: 'level',
				type: 'options',
				default: 'campaign',
				description: 'What to load: campaign rows (campaign_performance), ad rows (ad_performance: Google Ads, Meta, LinkedIn) or both; ad outcomes carry level "ad"',
				options: [
					{ name: 'Ads', value: 'ad', description: 'Daily metrics per ad and ad group / ad set into ad_performance' },
					{ name: 'Campaigns', value: 'campaign', description: 'Daily metrics per campaign into campaign_performance' },
					{ name: 'Campaigns and Ads', value: 'both', description: 'Campaigns first, then the ads of the same window' },
				],
			},
			{ displayName: 'Max Retries', name: 'maxRetries', type: 'number', default: 4, description: 'Retries per API call on 429, 5xx and timeouts' },
			{
				displayName: 'Meta Lead Action Types',
				name: 'metaLeadActionTypes',
				type: 'string',
				default: '',
				placeholder: 'lead, onsite_conversion.lead_grouped',
				description: 'Priority list of Meta action types counted as leads (the first present is used)',
			},
			{
				displayName: 'Meta Purchase Action Types',
				name: 'metaPurchaseActionTypes',
				type: 'string',
				default: '',
				placeholder: 'omni_purchase, purchase',
				description: 'Priority list of Meta action types counted as conversions and revenue (the first present is used)',
			},
			{ displayName: 'Window End', name: 'windowEnd', type: 'string', default: '', placeholder: 'YYYY-MM-DD', description: 'With Window Start: re-ingest exactly these dates (manual backfill)' },
			{ displayName: 'Window Start', name: 'windowStart', type: 'string', default: '', placeholder: 'YYYY-MM-DD', description: 'With Window End: re-ingest exactly these dates (manual backfill)' },
		],
	},
];

const DAY = /^\d{4}-\d{2}-\d{2}$/;

export async function execute(this: IExecuteFunctions, itemIndex: number, store: Store): Promise<INodeExecutionData[]> {
	const platform = this.getNodeParameter('platform', itemIndex) as PlatformId;
	const options = this.getNodeParameter('options', itemIndex, {}) as IDataObject;
	const reportingCurrency = (this.getNodeParameter('reportingCurrency', itemIndex, 'USD') as string).trim().toUpperCase();
	if (!isKnownCurrency(reportingCurrency)) {
		throw new NodeOperationError(this.getNode(), `Reporting currency "${reportingCurrency}" is not an ISO 4217 code such as USD or EUR`, { itemIndex });
	}
	let window: { start: string; end: string } | undefined;
	if (options.windowStart || options.windowEnd) {
		const start = String(options.windowStart ?? '').trim();
		const end = String(options.windowEnd ?? '').trim();
		if (!DAY.test(start) || !DAY.test(end) || start > end) {
			throw new NodeOperationError(this.getNode(), `Window Start and Window End must both be dates (YYYY-MM-DD) with start ≤ end; got "${start}" and "${end}"`, { itemIndex });
		}
		window = { start, end };
	}

	const settings = await platformSettingsFromNode(this, platform);
	if (settings.platform === PLATFORM_REGISTRY.meta.id) {
		settings.purchaseActionTypes = parseIdList(options.metaPurchaseActionTypes as string);
		settings.leadActionTypes = parseIdList(options.metaLeadActionTypes as string);
	}
	if (settings.platform === PLATFORM_REGISTRY.klaviyo.id) {
		settings.conversionMetricId = String(options.klaviyoConversionMetricId ?? '').trim() || undefined;
		settings.conversionMetricName = String(options.klaviyoConversionMetric ?? '').trim() || undefined;
	}
	let adapter;
	try {
		adapter = createPlatformAdapter(settings, { retry: { maxRetries: numberParam(options.maxRetries, 'Max Retries', 4, { min: 0, integer: true }) }, limits: await limitsFromNode(this) });
	} catch (error) {
		throw new NodeOperationError(this.getNode(), error as Error, { itemIndex });
	}

	// Version 1: text; version 2: a locator (older values may still be plain text).
	let accountIds = accountIdsFromLocator(platform, this.getNodeParameter('accounts', itemIndex, ''));
	if (accountIds.length === 0) accountIds = settingsAccountIds(settings);
	// A credential that belongs to one account (Klaviyo's key): an empty id lets the core ask the API which.
	if (PLATFORM_REGISTRY[platform].ingest.accountFromCredential && accountIds.length === 0) accountIds = [''];
	if (accountIds.length === 0) {
		throw new NodeOperationError(this.getNode(), `No ${PLATFORM_LABEL[platform]} accounts to ingest: list them in the node's Account IDs or in the credential`, { itemIndex });
	}

	const level = String(options.level ?? 'campaign');
	if (level !== 'campaign' && !canReportAds(adapter)) {
		throw new NodeOperationError(this.getNode(), `${PLATFORM_LABEL[platform]} does not report metrics per ad here (ad level: Google Ads, Meta, LinkedIn): set Level to Campaigns`, { itemIndex });
	}
	const defaults = {
		store,
		reportingCurrency,
		lookbackDays: numberParam(this.getNodeParameter('lookbackDays', itemIndex, 3), 'Lookback Days', 3, { min: 0, max: 90, integer: true }),
		initialBackfillDays: numberParam(this.getNodeParameter('initialBackfillDays', itemIndex, 30), 'Initial Backfill Days', 30, { min: 1, max: 1095, integer: true }),
	};
	const outcomes: Array<IngestOutcome & { level?: 'ad' }> = level === 'ad' ? [] : await runIngestAll(accountIds.map((accountId): IngestAccount => ({ adapter, accountId, window })), defaults);
	if (level !== 'campaign' && canReportAds(adapter)) {
		for (const accountId of accountIds) outcomes.push({ ...(await runAdIngest({ ...defaults, adapter, accountId, window })), level: 'ad' });
	}
	const failed = outcomes.filter((o) => o.status === 'failed');
	if (options.failOnAccountError && failed.length > 0) {
		const message = `${failed.length} of ${outcomes.length} ${PLATFORM_LABEL[platform]} account(s) failed: ${failed.map((f) => `${f.accountId}: ${f.error?.message ?? 'failed'}`).join('; ')}`;
		// The platform refused (it answered with an HTTP error): n8n's API error, with the status and the item.
		const answered = failed.find((f) => f.error?.httpStatus);
		if (answered) {
			const response: JsonObject = { message, platform, accounts: failed.map((f) => ({ accountId: f.accountId, kind: f.error?.kind ?? null, httpStatus: f.error?.httpStatus ?? null })) };
			throw new NodeApiError(this.getNode(), response, { message, httpCode: String(answered.error!.httpStatus), itemIndex });
		}
		throw new NodeOperationError(this.getNode(), message, { itemIndex });
	}
	return outcomes.map((o) => ({ json: o as unknown as IDataObject, pairedItem: { item: itemIndex } }));
}
