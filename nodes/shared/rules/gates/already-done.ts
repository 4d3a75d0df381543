/**
 * already_done: the same rule, entity, action and evaluation window (the
 * idempotency key) was done before: hourly reruns of one local day act once.
 * It never stands in for the caps: the cooldown and the 24 h bound are checked
 * and listed too, whatever this gate says.
 */
import { gate, memo, type GateResult } from './common';
import { defineGate } from './types';

/** Fails when the ledger already holds this idempotency key. */
export function alreadyDoneGate(key: string, doneAtMs: number | null): GateResult {
	// the key itself is on the decision; a pass is the same for every key
	return doneAtMs === null
		? memo('done|pass', () => gate('already_done', 'pass', 'not done before (same rule, entity, action and window)'))
		: gate('already_done', 'fail', `already done at ${new Date(doneAtMs).toISOString()} (same rule, entity, action and window)`, { idempotencyKey: key, doneAt: new Date(doneAtMs).toISOString() });
}

export const alreadyDone = defineGate({
	name: 'already_done',
	stage: 'evaluate',
	appliesTo: 'every',
	meaning:
		'The same rule, campaign, action and evaluation window (the idempotency key: rule, entity, action with its parameter, local date, the rule\'s primary window) was done before (or its outcome is unknown): not done again. The cooldown and the 24 h bound are still checked and listed.',
	settings: {},
	merge: () => null,
	check: (ctx) => alreadyDoneGate(ctx.idempotencyKey, ctx.history.doneAt(ctx.idempotencyKey)),
});
