/**
 * max_daily_spend — the worked example of "Adding a gate" (README): never
 * raise a budget when the campaign already spent more than X today.
 *
 * X is in the currency of the campaign's metric rows (its spend), set at node
 * level (`settings.gates.maxDailySpend`), per currency
 * (`settings.currencies.<ISO>.maxDailySpend`) or by a rule (`rule.gates.maxDailySpend`);
 * the smaller applies. "Today" is the account's local day, as the metric rows
 * store it. Not configured: nothing is listed. Only raises are gated: cuts,
 * pauses and notifications pass.
 */
import { finite } from '../schema-parts';
import { fmt, gate, minOf } from './common';
import { defineGate } from './types';

const amount = finite.positive('must be greater than 0');

export const maxDailySpend = defineGate({
	name: 'max_daily_spend',
	stage: 'evaluate',
	appliesTo: 'budget',
	meaning: 'A budget is never raised when the campaign has already spent more than maxDailySpend today (the account\'s local day, in the currency of its metric rows); the smallest of the node\'s, the currency\'s and the rule\'s value applies.',
	settings: {
		node: { maxDailySpend: amount.nullable().default(null) },
		rule: { maxDailySpend: amount.optional() },
		currency: { maxDailySpend: amount.nullable().optional() },
	},
	nodeOptions: [{ name: 'maxDailySpend', displayName: 'Max Spend Today to Raise a Budget', type: 'number', description: 'Never raise a budget once the campaign spent more than this today (0 = no limit)' }],
	merge: ({ node, rule, currency }) => {
		const base = Object.prototype.hasOwnProperty.call(currency, 'maxDailySpend') && currency.maxDailySpend !== undefined ? currency.maxDailySpend : node.maxDailySpend;
		return { maxDailySpend: minOf(base as number | null, rule.maxDailySpend as number | undefined) };
	},
	check: (ctx, own) => {
		if (own.maxDailySpend === null) return null; // not configured: nothing to say
		const spent = ctx.today().spend;
		const values = { spendToday: spent, maxDailySpend: own.maxDailySpend, date: ctx.clock.date };
		if (ctx.direction <= 0) return gate('max_daily_spend', 'skip', 'not a raise', values);
		return spent > own.maxDailySpend
			? gate('max_daily_spend', 'fail', `spent ${fmt(spent)} today (${ctx.clock.date}) > ${fmt(own.maxDailySpend)}: no raise today`, values)
			: gate('max_daily_spend', 'pass', `spent ${fmt(spent)} today (${ctx.clock.date}) <= ${fmt(own.maxDailySpend)}`, values);
	},
});
