import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { numberParam, ParameterError } from '../../common/params';
import { createConversionSender, DEFAULT_CONVERSION_TYPES, SEND_BACK_PLATFORMS, sendBackConversions, type ConversionSender, type SendBackTarget } from '../../shared/conversions';
import type { EventType } from '../../shared/events/rows';
import { PLATFORM_REGISTRY, type PlatformId } from '../../shared/platforms/registry';
import { CONVERSION_TYPE_OPTIONS, conversionTypesOf } from './common';
import type { ConversionsContext } from './types';

const show = { show: { operation: ['sendBack'] } };

/** The destination parameter of a platform: `metaDestination`, `google_adsDestination`, … */
export const destinationParam = (platform: PlatformId): string => `${platform}Destination`;

export const description: INodeProperties[] = [
	// one destination per platform of the registry that takes conversions; empty: nothing goes there
	...SEND_BACK_PLATFORMS.map((p): INodeProperties => {
		const def = PLATFORM_REGISTRY[p];
		const rule = def.conversions!;
		return {
			displayName: `${def.label} ${rule.destination.label.replace(/\b\w/g, (c) => c.toUpperCase())}`,
			name: destinationParam(p),
			type: 'string',
			default: '',
			placeholder: rule.destination.accepted,
			displayOptions: show,
			description: `Where ${def.label}'s ${rule.product} receives the conversions (${rule.destination.accepted}); empty: none are sent to ${def.label}. Needs the ${def.label} credential on this node.`,
		};
	}),
	{
		displayName: 'Conversion Types',
		name: 'conversionTypes',
		type: 'multiOptions',
		default: [...DEFAULT_CONVERSION_TYPES],
		options: CONVERSION_TYPE_OPTIONS,
		displayOptions: show,
		description: 'Which first-party events are sent as conversions (a custom event goes under its own event name)',
	},
	{
		displayName: 'Batch Size',
		name: 'batchSize',
		type: 'number',
		default: 0,
		typeOptions: { minValue: 0 },
		displayOptions: show,
		// the limits read from the registry (one home), not written again here
		description: `Events per request; 0 uses each platform's limit (${SEND_BACK_PLATFORMS.map((p) => `${PLATFORM_REGISTRY[p].label} ${PLATFORM_REGISTRY[p].conversions!.batchLimit.toLocaleString('en-US')}`).join(', ')}), and a larger number is cut to it`,
	},
];

export async function execute(this: IExecuteFunctions, itemIndex: number, ctx: ConversionsContext): Promise<INodeExecutionData[]> {
	const targets: SendBackTarget[] = [];
	for (const platform of SEND_BACK_PLATFORMS) {
		const destination = String(this.getNodeParameter(destinationParam(platform), itemIndex, '') ?? '').trim();
		if (destination) targets.push({ platform, destination });
	}
	if (targets.length === 0) {
		throw new ParameterError(`No destination is set: fill in at least one of ${SEND_BACK_PLATFORMS.map((p) => `${PLATFORM_REGISTRY[p].label} ${PLATFORM_REGISTRY[p].conversions!.destination.label}`).join(', ')}`);
	}
	const eventTypes = conversionTypesOf(this.getNodeParameter('conversionTypes', itemIndex, [...DEFAULT_CONVERSION_TYPES])) as EventType[];
	const batchSize = numberParam(this.getNodeParameter('batchSize', itemIndex, 0), 'Batch Size', 0, { min: 0, integer: true });
	const limits = await ctx.limits();
	const senders: Partial<Record<PlatformId, ConversionSender>> = {};
	for (const { platform } of targets) {
		const settings = await ctx.platformSettings(platform);
		if (settings) senders[platform] = createConversionSender(settings, limits ? { limits } : {});
	}
	const results = await sendBackConversions({ store: ctx.store, senders, runId: `n8n-execution-${this.getExecutionId()}` }, { targets, eventTypes, ...(batchSize > 0 ? { batchSize } : {}) });
	return results.map((r) => ({ json: { outcome: 'sendBack', ...r } as unknown as IDataObject, pairedItem: { item: itemIndex } }));
}
