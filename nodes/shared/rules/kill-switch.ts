/**
 * The stored kill switch: one switch in the store (`app_state`, key `optimizer.kill_switch`) that every AdOps
 * Optimizer run, every Plan Budget and Pace Budgets proposal and every approved budget or status change reads before
 * it acts. The node parameter "Kill Switch" stops one run; the stored switch stops them all, on every worker, until a
 * person turns it off, and it also holds changes approved before it was turned on (Execute Approved leaves them
 * approved and runs them once it is off). A stored value that cannot be read counts as on: the switch fails safe.
 */
import { z } from 'zod';
import type { Store } from '../store/types';
import { utcMinute } from '../text/dates';

export const KILL_SWITCH_STATE_KEY = 'optimizer.kill_switch';

/** Input the switch refuses (no name): the node reports it as a parameter error, unlike a store failure. */
export class KillSwitchInputError extends Error {
	override name = 'KillSwitchInputError';
}

export interface StoredKillSwitch {
	on: boolean;
	/** Who turned it on or off, as the person or workflow gave it. */
	by: string;
	/** When (ISO-8601, UTC). */
	at: string;
	reason: string | null;
}

const stored = z.object({ on: z.boolean(), by: z.string(), at: z.string(), reason: z.string().nullable() }).strict();

/** The stored switch; null when it was never set (off). A value that is not a switch counts as on, with why. */
export async function readKillSwitch(store: Pick<Store, 'getState'>): Promise<StoredKillSwitch | null> {
	const value = await store.getState(KILL_SWITCH_STATE_KEY);
	if (value === undefined) return null;
	const parsed = stored.safeParse(value);
	if (parsed.success) return parsed.data;
	return { on: true, by: 'the store', at: new Date(0).toISOString(), reason: `the stored kill switch (app_state "${KILL_SWITCH_STATE_KEY}") cannot be read, so it counts as on; set it again to clear it` };
}

/** Turns the stored switch on or off; returns what was stored. `by` and `reason` are the person's words. */
export async function setKillSwitch(store: Pick<Store, 'setState'>, input: { on: boolean; by: string; reason?: string | null; now?: Date }): Promise<StoredKillSwitch> {
	const by = input.by.trim();
	if (!by) throw new KillSwitchInputError('Say who turns the kill switch ' + (input.on ? 'on' : 'off') + ' (Set By): the people it stops need to know whom to ask');
	const reason = input.reason?.trim() || null;
	const value: StoredKillSwitch = { on: input.on, by, at: (input.now ?? new Date()).toISOString(), reason };
	await store.setState(KILL_SWITCH_STATE_KEY, { ...value });
	return value;
}

/** "turned on by Dana at 2026-12-07 18:20 UTC: Black Friday freeze" (the switch in words, for gates, items and Slack). */
export function killSwitchWords(s: StoredKillSwitch): string {
	const t = new Date(s.at);
	const at = Number.isNaN(t.getTime()) ? s.at : utcMinute(t);
	return `turned ${s.on ? 'on' : 'off'} by ${s.by} at ${at}${s.reason ? `: ${s.reason}` : ''}`;
}

/** Why an approved change must wait (the stored switch is on), or null. */
export async function killSwitchHold(store: Pick<Store, 'getState'>): Promise<string | null> {
	const s = await readKillSwitch(store);
	return s?.on ? `the stored kill switch is on (${killSwitchWords(s)}); turn it off with AdOps Optimizer, Set Kill Switch, to let approved changes run` : null;
}

/**
 * A run's kill switch: its own setting, or the stored switch when that is on (its words become the gate's detail).
 * Returned unchanged when neither is on.
 */
export async function withStoredKillSwitch<S extends object>(store: Pick<Store, 'getState'>, settings: S): Promise<S> {
	const s = await readKillSwitch(store);
	if (!s?.on) return settings;
	return { ...settings, killSwitch: true, killSwitchReason: `stored kill switch ${killSwitchWords(s)}` };
}
