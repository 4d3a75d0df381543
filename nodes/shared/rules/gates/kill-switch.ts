/** kill_switch: when the run's kill switch is on, every decision is gated (notifications too); nothing executes or is proposed. */
import { gate, memo, type GateResult } from './common';
import { defineGate } from './types';

/** `why`: whose switch it is (the stored switch's words: who turned it on, when, why), for the detail. */
export function killSwitchGate(on: boolean, why?: string): GateResult {
	return memo(`kill|${on}|${why ?? ''}`, () =>
		on
			? gate('kill_switch', 'fail', `kill switch is on${why ? ` (${why})` : ''}: nothing executes or is proposed`, { killSwitch: true })
			: gate('kill_switch', 'pass', 'kill switch is off', { killSwitch: false }),
	);
}

export const killSwitch = defineGate({
	name: 'kill_switch',
	stage: 'evaluate',
	appliesTo: 'every',
	meaning: 'With the kill switch on (settings.killSwitch: the node\'s "Kill Switch", or the stored switch that AdOps Optimizer\'s Set Kill Switch turns on for every run), every decision is gated, notifications included: nothing executes and nothing is proposed.',
	settings: {},
	merge: () => null,
	check: (ctx) => killSwitchGate(ctx.settings.killSwitch, ctx.settings.killSwitchReason),
});
