/** max_actions: one run plans (executes or proposes) at most maxActionsPerRun changes, in the run's global order. */
import { gate, memo, notEvaluated, type GateResult } from './common';
import { defineGate } from './types';

export function maxActionsGate(used: number, max: number): GateResult {
	return used < max
		? gate('max_actions', 'pass', `action ${used + 1} of at most ${max} this run`, { used, max })
		: memo(`max|${used}|${max}`, () => gate('max_actions', 'fail', `${used} actions already planned this run (max ${max})`, { used, max }));
}

export const maxActions = defineGate({
	name: 'max_actions',
	stage: 'evaluate',
	appliesTo: 'change',
	meaning: 'One run plans at most maxActionsPerRun changes (executed or proposed), in one global order: priority, safer action, rule id, campaign.',
	settings: {},
	merge: () => null,
	check: (ctx) => (ctx.results.some((x) => x.status === 'fail') ? notEvaluated('max_actions', 'an earlier gate failed') : maxActionsGate(ctx.used, ctx.settings.maxActionsPerRun)),
});
