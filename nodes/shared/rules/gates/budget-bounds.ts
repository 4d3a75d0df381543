/**
 * budget_bounds: every planned budget lies inside [floor, ceiling] (the
 * operator's, per currency, and the campaign's own: the larger floor, the
 * smaller ceiling). A request beyond a bound is clamped to it but never
 * reversed: a budget already at or beyond its ceiling is not "scaled up" to it.
 */
import { finite, nonNegative } from '../schema-parts';
import { maxOf, minOf } from './common';
import { defineGate } from './types';

export const budgetBounds = defineGate({
	name: 'budget_bounds',
	stage: 'evaluate',
	appliesTo: 'budget',
	meaning:
		'Every planned budget lies inside [floor, ceiling] (settings.gates, replaced per currency by settings.currencies.<ISO>, tightened by the campaign\'s own bounds). A request beyond a bound is clamped to it, never reversed; when the caps cannot bring a budget inside its bounds the action is gated.',
	settings: {
		node: { budgetFloor: nonNegative.nullable().default(null), budgetCeiling: finite.positive('must be greater than 0').nullable().default(null) },
		currency: { budgetFloor: nonNegative.nullable().optional(), budgetCeiling: finite.positive('must be greater than 0').nullable().optional() },
	},
	nodeOptions: [
		{ name: 'budgetFloor', displayName: 'Budget Floor', type: 'number', description: 'No budget is set below this (major units of the budget currency)' },
		{ name: 'budgetCeiling', displayName: 'Budget Ceiling', type: 'number', description: 'No budget is set above this (0 = none)' },
	],
	merge: ({ node, currency, entity }) => {
		const has = (k: string) => Object.prototype.hasOwnProperty.call(currency, k) && currency[k] !== undefined;
		return {
			budgetFloor: maxOf((has('budgetFloor') ? currency.budgetFloor : node.budgetFloor) as number | null, entity.budgetFloor),
			budgetCeiling: minOf((has('budgetCeiling') ? currency.budgetCeiling : node.budgetCeiling) as number | null, entity.budgetCeiling),
		};
	},
	check: (ctx) => ctx.plan().gates.filter((g) => g.gate === 'budget_bounds'),
});
