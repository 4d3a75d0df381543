import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { ParameterError } from '../../common/params';
import { PLATFORM_OPTIONS } from '../../common/platforms';
import { liveMetrics } from '../../shared/events/realtime';
import { isPlatformId, PLATFORM_IDS } from '../../shared/platforms/registry';
import { conversionTypesOf } from './common';
import type { ConversionsContext } from './types';

const show = { show: { operation: ['metrics'] } };

export const description: INodeProperties[] = [
	{
		displayName: 'Time Zone',
		name: 'timeZone',
		type: 'string',
		default: 'UTC',
		placeholder: 'Europe/Berlin',
		displayOptions: show,
		description: '"Today" is the calendar day in this IANA time zone (the one your reports use)',
	},
	{
		displayName: 'Platform',
		name: 'platform',
		type: 'options',
		default: '',
		options: [{ name: 'All Platforms and Channels', value: '' }, ...PLATFORM_OPTIONS],
		displayOptions: show,
		description: "Only this platform's events (its own, or by its click id)",
	},
	{
		displayName: 'Campaign ID',
		name: 'campaignId',
		type: 'string',
		default: '',
		displayOptions: show,
		description: "Only this campaign (the event's campaign_id, else its UTM campaign; empty: every campaign)",
	},
	{
		displayName: 'Metrics Options',
		name: 'metricsOptions',
		type: 'collection',
		default: {},
		placeholder: 'Add Option',
		displayOptions: show,
		options: [
			{
				displayName: 'As Of',
				name: 'asOf',
				type: 'dateTime',
				default: '',
				description: 'The moment the metrics are taken at: today and the last hour end here (empty: now)',
			},
		],
	},
];

export async function execute(this: IExecuteFunctions, itemIndex: number, ctx: ConversionsContext): Promise<INodeExecutionData[]> {
	const text = (name: string) => String(this.getNodeParameter(name, itemIndex, '') ?? '').trim();
	const platform = text('platform');
	if (platform && !isPlatformId(platform)) throw new ParameterError(`Platform must be one of ${PLATFORM_IDS.join(', ')} (or empty for all), got "${platform}"`);
	const o = this.getNodeParameter('metricsOptions', itemIndex, {}) as IDataObject;
	const asOfText = String(o.asOf ?? '').trim();
	let now: Date | undefined;
	if (asOfText) {
		now = new Date(asOfText);
		if (Number.isNaN(now.getTime())) throw new ParameterError(`As Of must be a date and time (ISO 8601, such as 2026-12-07T10:30:00Z); got "${asOfText}"`);
	}
	const conversionTypes = conversionTypesOf(this.getNodeParameter('conversionTypes', itemIndex, ['purchase']));
	const m = await liveMetrics(ctx.store, {
		timeZone: text('timeZone') || 'UTC',
		conversionTypes,
		...(now ? { now } : {}),
		...(platform ? { platform } : {}),
		...(text('campaignId') ? { campaignId: text('campaignId') } : {}),
	});
	const window = { timeZone: m.timeZone, day: m.day, dayStart: m.dayStart, hourStart: m.hourStart, asOf: m.asOf, conversionTypes };
	if (m.campaigns.length === 0) return [{ json: { outcome: 'noEvents', ...window, eventsRead: m.eventsRead, summary: m.summary }, pairedItem: { item: itemIndex } }];
	return m.campaigns.map((c) => ({
		json: {
			outcome: 'firstPartyMetrics',
			platform: c.platform,
			campaignId: c.campaignId,
			label: c.label,
			...window,
			today: { ...c.today },
			lastHour: { ...c.lastHour },
			summary: c.summary,
		} as IDataObject,
		pairedItem: { item: itemIndex },
	}));
}
