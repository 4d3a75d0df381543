import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { isPlatformId, PLATFORM_IDS } from '../../shared/platforms/registry';
import type { Scope } from '../../shared/insights/scope';
import { SLACK_CHANNEL_MODES } from '../../common/list-search';
import { ParameterError } from '../../common/params';
import { PLATFORM_OPTIONS } from '../../common/platforms';

/** Scope parameters every operation shares. */
export const common: INodeProperties[] = [
	{
		displayName: 'Platform',
		name: 'platform',
		type: 'options',
		default: '',
		options: [{ name: 'All Platforms', value: '' }, ...PLATFORM_OPTIONS],
		description: 'Only this platform (as stored by AdOps Ingest)',
	},
	{ displayName: 'Account ID', name: 'accountId', type: 'string', default: '', description: 'Only this ad account (empty: every account)' },
	{
		displayName: 'Campaign ID',
		name: 'campaignId',
		type: 'string',
		default: '',
		description: 'Only this campaign (Pace Budgets and Forecast; empty: the whole account or scope)',
		displayOptions: { show: { operation: ['pace', 'forecast'] } },
	},
	{
		displayName: 'Slack Channel',
		name: 'channel',
		type: 'resourceLocator',
		default: { mode: 'list', value: '' },
		description:
			"With an AdOps Slack credential: where each alert is posted with its PNG chart (empty: the credential's default channel). Without one, the alerts go out as the items' \"alert\" for AdOps Alert.",
		displayOptions: { show: { operation: ['detect', 'pace', 'digest'] } },
		modes: SLACK_CHANNEL_MODES,
	},
];

export function scopeOf(ctx: IExecuteFunctions, itemIndex: number): Scope {
	const text = (name: string) => String(ctx.getNodeParameter(name, itemIndex, '') ?? '').trim();
	const scope: Scope = {};
	const platform = text('platform');
	if (platform && !isPlatformId(platform)) throw new ParameterError(`Platform must be one of ${PLATFORM_IDS.join(', ')} (or empty for all), got "${platform}"`);
	if (platform) scope.platform = platform;
	if (text('accountId')) scope.accountId = text('accountId');
	const op = ctx.getNodeParameter('operation', itemIndex) as string;
	if (op !== 'detect' && text('campaignId')) scope.campaignId = text('campaignId');
	return scope;
}

export const asJson = (v: unknown): IDataObject => JSON.parse(JSON.stringify(v)) as IDataObject;
