/** max_change: one action changes a budget by at most maxChangePct of the current budget (clamped, or gated with changeMode 'fail'). */
import { z } from 'zod';
import { CHANGE_MODES, pctCapSchema } from './settings';
import { minOf } from './common';
import { defineGate } from './types';

export const maxChange = defineGate({
	name: 'max_change',
	stage: 'evaluate',
	appliesTo: 'budget',
	meaning:
		'One action changes a budget by at most maxChangePct of its current value (the smaller of the operator\'s and the rule\'s). changeMode clamp (default) shrinks a larger change to the cap; fail gates it. Approval is judged on the change the rule asked for, before this clamp.',
	settings: {
		node: { maxChangePct: pctCapSchema.default(25), changeMode: z.enum(CHANGE_MODES).default('clamp') },
		rule: { maxChangePct: pctCapSchema.optional() },
	},
	nodeOptions: [{ name: 'maxChangePct', displayName: 'Max Change per Action (%)', type: 'number', description: 'Largest budget change of one action, percent of the current budget' }],
	merge: ({ node, rule }) => ({ maxChangePct: minOf(node.maxChangePct as number, rule.maxChangePct as number | undefined) as number, changeMode: node.changeMode as (typeof CHANGE_MODES)[number] }),
	check: (ctx) => ctx.plan().gates.filter((g) => g.gate === 'max_change'),
});
