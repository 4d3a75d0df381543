/**
 * schedule: changes and notifications happen only inside the allowed windows
 * of the local clock. Each window is read in its own `timeZone`, else in the
 * account's. Operator and rule schedules intersect: each must have a window
 * holding the moment.
 */
import { z } from 'zod';
import { scheduleWindowSchema, type ScheduleWindow } from '../schema-parts';
import { formatMinute, localClock, previousWeekday, type LocalClock } from '../time';
import { gate, type GateResult, type GateValue } from './common';
import { defineGate, type ResolvedGates } from './types';

function inWindow(w: ScheduleWindow, clock: LocalClock): boolean {
	if (w.fromMinute < w.toMinute) return w.days.includes(clock.weekday) && clock.minute >= w.fromMinute && clock.minute < w.toMinute;
	// wraps past midnight: the part after midnight belongs to the previous day's window
	return (w.days.includes(clock.weekday) && clock.minute >= w.fromMinute) || (w.days.includes(previousWeekday(clock.weekday)) && clock.minute < w.toMinute);
}

export function describeWindow(w: ScheduleWindow): string {
	const days = w.days.length === 7 ? 'every day' : w.days.join(',');
	return `${days} ${formatMinute(w.fromMinute)}-${formatMinute(w.toMinute)}${w.timeZone ? ` ${w.timeZone}` : ''}`;
}

/** Passes when every schedule has a window holding the local time (skip when none is configured). Windows with their own zone are read on that zone's clock. */
export function scheduleGate(schedules: ResolvedGates['schedules'], clock: LocalClock, nowMs?: number): GateResult {
	const local = `${clock.weekday} ${formatMinute(clock.minute)} ${clock.timeZone}`;
	const values: Record<string, GateValue> = { localTime: `${clock.date} ${formatMinute(clock.minute)}`, weekday: clock.weekday, timeZone: clock.timeZone };
	if (schedules.length === 0) return gate('schedule', 'skip', 'no schedule configured', values);
	const clocks = new Map<string, LocalClock>();
	const clockOf = (w: ScheduleWindow): LocalClock => {
		if (!w.timeZone || w.timeZone === clock.timeZone || nowMs === undefined) return clock;
		let c = clocks.get(w.timeZone);
		if (!c) clocks.set(w.timeZone, (c = localClock(w.timeZone, nowMs)));
		return c;
	};
	for (const s of schedules) {
		values[s.source] = s.windows.map(describeWindow).join('; ');
		if (!s.windows.some((w) => inWindow(w, clockOf(w)))) {
			const other = [...clocks.values()].map((c) => `, ${c.weekday} ${formatMinute(c.minute)} ${c.timeZone}`).join('');
			return gate('schedule', 'fail', `local time ${local}${other} is outside the ${s.source} schedule (${values[s.source]})`, values);
		}
	}
	const other = [...clocks.values()].map((c) => `, ${c.weekday} ${formatMinute(c.minute)} ${c.timeZone}`).join('');
	return gate('schedule', 'pass', `local time ${local}${other} is inside the schedule`, values);
}

// Results depend on the schedules (shared by a rule's decisions), the zone and the instant: built once per combination.
const cache = new WeakMap<object, Map<string, GateResult>>();

export const schedule = defineGate({
	name: 'schedule',
	stage: 'evaluate',
	appliesTo: 'every',
	meaning:
		'Acts only when the local clock is inside an allowed window: each window in its own timeZone, else the account\'s; the operator\'s and the rule\'s schedules must both allow the moment. A window from 22:00 to 06:00 keeps its after-midnight part on the day it started.',
	settings: {
		node: { schedule: z.array(scheduleWindowSchema).max(50).default([]) },
		rule: { schedule: z.array(scheduleWindowSchema).min(1, 'must not be empty (omit it for always)').max(50).optional() },
	},
	merge: ({ node, rule }) => {
		const schedules: ResolvedGates['schedules'] = [];
		const n = node.schedule as ScheduleWindow[] | undefined;
		const r = rule.schedule as ScheduleWindow[] | undefined;
		if (n && n.length > 0) schedules.push({ source: 'settings', windows: n });
		if (r && r.length > 0) schedules.push({ source: 'rule', windows: r });
		return { schedules };
	},
	check: (ctx, own) => {
		let byKey = cache.get(own);
		if (!byKey) cache.set(own, (byKey = new Map()));
		const k = `${ctx.clock.timeZone}|${ctx.nowMs}`;
		let r = byKey.get(k);
		if (!r) {
			r = scheduleGate(own.schedules, ctx.clock, ctx.nowMs);
			if (byKey.size > 1000) byKey.clear();
			byKey.set(k, r);
		}
		return r;
	},
});
