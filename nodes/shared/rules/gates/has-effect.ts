/** has_effect: the planned budget differs from the current one by at least one minor unit of the currency (after rounding toward the current budget). */
import { defineGate } from './types';

export const hasEffect = defineGate({
	name: 'has_effect',
	stage: 'evaluate',
	appliesTo: 'budget',
	meaning: 'The planned budget, rounded to the currency\'s minor unit (ISO 4217: JPY 0, USD 2, KWD 3 digits) toward the current budget, differs from it; a change that rounds to nothing is gated.',
	settings: {},
	merge: () => null,
	check: (ctx) => ctx.plan().gates.filter((g) => g.gate === 'has_effect'),
});
