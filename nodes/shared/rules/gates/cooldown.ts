/**
 * cooldown: a change passes when at least cooldownHours passed since the
 * campaign's last change — by any rule of this package (this run included),
 * with an unknown outcome (counted as applied), or made outside the package (a
 * person in the platform's UI, read from the platform's change history).
 * Exactly the cooldown passes. The result names the change it counted.
 */
import { nonNegative } from '../schema-parts';
import { HOUR_MS } from '../time';
import { fmt, gate, maxOf, memo, type GateResult } from './common';
import { changeAuthor, changeValues, changeWhat, localAt } from './changes';
import { defineGate, type ChangeEntry } from './types';

const cooldownNone = new Map<number, GateResult>();

/**
 * Time since the entity's last change must reach the cooldown. `last` is the
 * change (named in the result) or its instant alone (epoch ms).
 */
export function cooldownGate(last: ChangeEntry | number | null, nowMs: number, hours: number, where: { currency: string; timeZone: string } = { currency: '', timeZone: 'UTC' }): GateResult {
	const lastChangeMs = last === null ? null : typeof last === 'number' ? last : last.atMs;
	const since = lastChangeMs === null ? null : Math.max(0, nowMs - lastChangeMs) / HOUR_MS;
	const values = { lastChangeAt: lastChangeMs === null ? null : new Date(lastChangeMs).toISOString(), hoursSince: since === null ? null : Math.round(since * 1000) / 1000, cooldownHours: hours };
	if (hours <= 0 && since === null) return memo('cooldown|skip', () => gate('cooldown', 'skip', 'no cooldown configured', values));
	if (hours <= 0) return gate('cooldown', 'skip', 'no cooldown configured', values);
	if (since === null) {
		// the usual case (no change in the history): one shared result per cooldown
		let r = cooldownNone.get(hours);
		if (!r) {
			r = memo(`cooldown|none|${hours}`, () => gate('cooldown', 'pass', `no earlier change (cooldown ${fmt(hours)} h)`, values));
			if (cooldownNone.size < 1000) cooldownNone.set(hours, r);
		}
		return r;
	}
	if (typeof last === 'number' || last === null) {
		return since >= hours
			? gate('cooldown', 'pass', `last change ${fmt(since)} h ago >= ${fmt(hours)} h`, values)
			: gate('cooldown', 'fail', `last change ${fmt(since)} h ago < cooldown ${fmt(hours)} h`, values);
	}
	const named = `${changeWhat(last, where.currency)} ${changeAuthor(last)} at ${localAt(last.atMs, where.timeZone, nowMs)}, ${fmt(since)} h ago`;
	const outside = last.source === 'outside' ? ' (a change made outside the package)' : '';
	const all = { ...values, ...changeValues(last, 'lastChange') };
	return since >= hours ? gate('cooldown', 'pass', `${named} >= ${fmt(hours)} h${outside}`, all) : gate('cooldown', 'fail', `${named} < cooldown ${fmt(hours)} h${outside}`, all);
}

export const cooldown = defineGate({
	name: 'cooldown',
	stage: 'evaluate',
	appliesTo: 'change',
	meaning:
		'A change (pause, enable, budget) needs at least cooldownHours since the campaign\'s last change: by any rule of this package (this run\'s included, unknown outcomes counted as applied) or outside it (read from the platform\'s change history). Exactly the cooldown passes. The larger of the operator\'s and the rule\'s cooldown applies; the result names the change it counted.',
	settings: { node: { cooldownHours: nonNegative.max(24 * 366).default(24) }, rule: { cooldownHours: nonNegative.max(24 * 366).optional() } },
	nodeOptions: [{ name: 'cooldownHours', displayName: 'Cooldown (Hours)', type: 'number', description: 'Minimum hours between two changes of one campaign, by any rule or by a person in the platform' }],
	merge: ({ node, rule }) => ({ cooldownHours: maxOf(node.cooldownHours as number, rule.cooldownHours as number | undefined) ?? 0 }),
	check: (ctx, own) => cooldownGate(ctx.history.lastChangeEntry(ctx.entity.key), ctx.nowMs, own.cooldownHours, { currency: ctx.entity.currency, timeZone: ctx.entity.timezone }),
});
