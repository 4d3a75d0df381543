import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { ParameterError } from '../../common/params';
import { KillSwitchInputError, killSwitchWords, readKillSwitch, setKillSwitch, type StoredKillSwitch } from '../../shared/rules/kill-switch';
import type { OptimizerContext } from './types';

const show = { show: { operation: ['setKillSwitch'] } };

export const description: INodeProperties[] = [
	{
		displayName: 'Kill Switch',
		name: 'killSwitchState',
		type: 'options',
		default: 'on',
		displayOptions: show,
		options: [
			{ name: 'On: Hold Every Change', value: 'on', description: 'Every optimizer run (live or dry), Plan Budget and approved budget or status change is held, on every worker, until it is turned off' },
			{ name: 'Off: Let Changes Run', value: 'off', description: 'Runs act again through their gates; approved changes held meanwhile run at the next Execute Approved' },
			{ name: 'Show', value: 'show', description: 'Say whether it is on, who set it, when and why; change nothing' },
		],
	},
	{
		displayName: 'Set By',
		name: 'killSwitchBy',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'e.g. Dana (marketing ops)',
		description: 'Who turns it on or off: the people it stops see this name',
		displayOptions: { show: { operation: ['setKillSwitch'], killSwitchState: ['on', 'off'] } },
	},
	{
		displayName: 'Reason',
		name: 'killSwitchReason',
		type: 'string',
		default: '',
		placeholder: 'e.g. Black Friday freeze until Monday',
		description: 'Why, in a few words (shown with every change it holds)',
		displayOptions: { show: { operation: ['setKillSwitch'], killSwitchState: ['on', 'off'] } },
	},
];

export const once = true;

/** "Kill switch is on: turned on by Dana at …: why. …" */
export function killSwitchText(s: StoredKillSwitch | null, changed: boolean): string {
	if (!s) return 'Kill switch is off (never set): optimizer runs and approved changes act through their gates.';
	const lead = `Kill switch ${changed ? 'now' : 'is'} ${s.on ? 'on' : 'off'}: ${killSwitchWords(s)}.`;
	return s.on
		? `${lead} Every optimizer run (live or dry), Plan Budget and approved budget or status change is held on every worker until it is turned off; approved changes stay approved.`
		: `${lead} Optimizer runs and approved changes act again through their gates.`;
}

export async function execute(this: IExecuteFunctions, itemIndex: number, ctx: OptimizerContext): Promise<INodeExecutionData[][]> {
	const state = this.getNodeParameter('killSwitchState', itemIndex, 'on') as string;
	if (state !== 'on' && state !== 'off' && state !== 'show') throw new ParameterError(`Kill Switch must be On, Off or Show, not "${state}"`);
	const before = await readKillSwitch(ctx.store);
	const after =
		state === 'show'
			? before
			: await setKillSwitch(ctx.store, {
					on: state === 'on',
					by: String(this.getNodeParameter('killSwitchBy', itemIndex, '') ?? ''),
					reason: String(this.getNodeParameter('killSwitchReason', itemIndex, '') ?? ''),
				}).catch((error: unknown) => {
					throw error instanceof KillSwitchInputError ? new ParameterError(error.message) : error;
				});
	const json = {
		outcome: 'kill_switch',
		on: after?.on ?? false,
		by: after?.by ?? null,
		at: after?.at ?? null,
		reason: after?.reason ?? null,
		wasOn: before?.on ?? false,
		text: killSwitchText(after, state !== 'show'),
	};
	// the first output (Executed, where the alerts are): a person wants to hear that the switch moved
	return [[{ json, pairedItem: { item: itemIndex } }], [], []];
}
