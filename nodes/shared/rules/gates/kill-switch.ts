/** kill_switch: when the run's kill switch is on, every decision is gated (notifications too); nothing executes or is proposed. */
import { gate, memo, type GateResult } from './common';
import { defineGate } from './types';

export function killSwitchGate(on: boolean): GateResult {
	return memo(`kill|${on}`, () =>
		on ? gate('kill_switch', 'fail', 'kill switch is on: nothing executes or is proposed', { killSwitch: true }) : gate('kill_switch', 'pass', 'kill switch is off', { killSwitch: false }),
	);
}

export const killSwitch = defineGate({
	name: 'kill_switch',
	stage: 'evaluate',
	appliesTo: 'every',
	meaning: 'With the kill switch on (settings.killSwitch, the node\'s "Kill Switch"), every decision is gated, notifications included: nothing executes and nothing is proposed.',
	settings: {},
	merge: () => null,
	check: (ctx) => killSwitchGate(ctx.settings.killSwitch),
});
