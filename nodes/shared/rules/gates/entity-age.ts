/** entity_age: a campaign younger than the minimum age (its learning period) is left alone; an unknown age fails when a minimum is set. */
import { DAY_MS } from '../time';
import { nonNegative } from '../schema-parts';
import { fmt, gate, maxOf, type GateResult } from './common';
import { defineGate } from './types';

/** Learning period: the entity must be at least `minDays` old (unknown age fails when a minimum is set). */
export function entityAgeGate(createdAtMs: number | null, nowMs: number, minDays: number): GateResult {
	const ageDays = createdAtMs === null ? null : (nowMs - createdAtMs) / DAY_MS;
	// shown (and reported) with one decimal, rounded down so a fail never reads "45 < 45": "age 187.3 days"; the comparison uses the exact age
	const shown = ageDays === null ? null : Math.floor(ageDays * 10) / 10;
	const values = { ageDays: shown, minDays };
	if (minDays <= 0) return gate('entity_age', 'skip', 'no minimum age configured', values);
	if (ageDays === null) return gate('entity_age', 'fail', `age unknown (no createdAt), minimum ${fmt(minDays)} days`, values);
	return ageDays >= minDays
		? gate('entity_age', 'pass', `age ${fmt(shown)} days >= ${fmt(minDays)}`, values)
		: gate('entity_age', 'fail', `age ${fmt(shown)} days < ${fmt(minDays)} (learning period)`, values);
}

export const entityAge = defineGate({
	name: 'entity_age',
	stage: 'evaluate',
	appliesTo: 'every',
	meaning: 'The campaign must be at least minEntityAgeDays old (from its creation time, absolute time); the larger of the operator\'s and the rule\'s minimum applies.',
	settings: { node: { minEntityAgeDays: nonNegative.max(3650).default(0) }, rule: { minEntityAgeDays: nonNegative.max(3650).optional() } },
	nodeOptions: [{ name: 'minEntityAgeDays', displayName: 'Minimum Campaign Age (Days)', type: 'number', description: 'Learning period: campaigns younger than this are left alone' }],
	merge: ({ node, rule }) => ({ minEntityAgeDays: maxOf(node.minEntityAgeDays as number, rule.minEntityAgeDays as number | undefined) ?? 0 }),
	check: (ctx, own) => entityAgeGate(ctx.entity.createdAtMs, ctx.nowMs, own.minEntityAgeDays),
});
