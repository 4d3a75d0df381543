import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { SEND_BACK_PLATFORMS, settleHeldConversions, type SettleVerdict } from '../../shared/conversions';
import { PLATFORM_REGISTRY } from '../../shared/platforms/registry';
import type { ConversionsContext } from './types';

const show = { show: { operation: ['settleHeld'] } };

export const description: INodeProperties[] = [
	{
		displayName: 'Platform',
		name: 'settlePlatform',
		type: 'options',
		// the registry's conversion platforms, not a list written here
		options: SEND_BACK_PLATFORMS.map((p) => ({ name: PLATFORM_REGISTRY[p].label, value: p })),
		default: SEND_BACK_PLATFORMS[0],
		required: true,
		displayOptions: show,
		description: 'The platform whose held conversions you checked',
	},
	{
		displayName: 'Destination',
		name: 'settleDestination',
		type: 'string',
		default: '',
		displayOptions: show,
		description: `Only the held conversions of this destination (${SEND_BACK_PLATFORMS.map((p) => `${PLATFORM_REGISTRY[p].label}: ${PLATFORM_REGISTRY[p].conversions!.destination.label}`).join('; ')}); empty: every destination of the platform`,
	},
	{
		displayName: 'Event IDs',
		name: 'settleEventIds',
		type: 'string',
		typeOptions: { rows: 3 },
		default: '',
		placeholder: 'order-1001, order-1002',
		displayOptions: show,
		description: 'Only these held events (separated by commas or new lines); empty: every held event of the platform and destination. An ID that is not held refuses the whole request and nothing changes.',
	},
	{
		displayName: 'Verdict',
		name: 'settleVerdict',
		type: 'options',
		options: [
			{ name: 'Received by the Platform (Count as Accepted)', value: 'accepted', description: 'The platform shows these events: they are marked accepted and never sent again' },
			{ name: 'Not Received (Send Again on the Next Run)', value: 'not_received', description: 'The platform does not have them: the next Send to Ad Platforms run sends each once' },
		],
		default: 'accepted',
		required: true,
		displayOptions: show,
		description: "What you found on the platform (its events tool, e.g. Meta's Events Manager) for the held event IDs",
	},
	{
		displayName: 'Decided By',
		name: 'settleDecidedBy',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'Ana Ops',
		displayOptions: show,
		description: 'Who checked the platform: recorded with the verdict on each event and in the action ledger',
	},
	{
		displayName: 'Note',
		name: 'settleNote',
		type: 'string',
		default: '',
		displayOptions: show,
		description: 'Optional words kept with the verdict (what you saw)',
	},
];

export async function execute(this: IExecuteFunctions, itemIndex: number, ctx: ConversionsContext): Promise<INodeExecutionData[]> {
	const text = (name: string) => String(this.getNodeParameter(name, itemIndex, '') ?? '').trim();
	// a refusal (SettleRefusedError: unknown platform, nothing held, an event id not held) becomes the router's NodeOperationError with the item's index
	const result = await settleHeldConversions(ctx.store, {
		platform: text('settlePlatform'),
		destination: text('settleDestination'),
		eventIds: text('settleEventIds'),
		verdict: text('settleVerdict') as SettleVerdict,
		decidedBy: text('settleDecidedBy'),
		note: text('settleNote'),
	});
	return [{ json: { outcome: 'settleHeld', ...result } as unknown as IDataObject, pairedItem: { item: itemIndex } }];
}
