/** conflict: at most one change per campaign per run; the losers of the choice are gated naming the winner. Decided before the other gates (evaluate.ts). */
import { gate, type GateResult } from './common';
import { defineGate } from './types';

export function conflictGate(winner: { id: string; name: string; priority: number }, loser: { priority: number }): GateResult {
	const why = winner.priority < loser.priority ? `priority ${winner.priority} < ${loser.priority}` : `same priority ${winner.priority}, tie-break (safer action, then rule id)`;
	return gate('conflict', 'fail', `lost to rule "${winner.name}" (${winner.id}) on this entity: ${why}`, { winnerRuleId: winner.id, winnerPriority: winner.priority });
}

export const conflict = defineGate({
	name: 'conflict',
	stage: 'external',
	appliesTo: 'change',
	meaning: 'At most one change per campaign per run: the matched change rule with the lowest priority number wins (ties: pause, budget cut, raise, enable, then rule id), chosen before its gates; the others are gated naming the winner.',
	settings: {},
	merge: () => null,
	check: () => null,
});
