/**
 * Words for an earlier change (the cooldown and the 24 h cap name what they
 * counted): "budget changed 80.00 → 120.00 EUR by Jane Doe in Ads Manager at
 * 09:12 (outside the package)", "pause by rule r1 at 2025-06-10 22:05",
 * "changed (the platform says neither what nor by whom) at 09:12 (outside the
 * package)" (LinkedIn: the campaign's last modification time only).
 */
import { localClock, formatMinute } from '../time';
import { fmt, fmtMoney } from './common';
import type { ChangeEntry } from './types';

/** Local time of an instant for people: `09:12` on the same local day as `nowMs`, else `2025-06-10 22:05`. */
export function localAt(ms: number, timeZone: string, nowMs: number): string {
	try {
		const c = localClock(timeZone, ms);
		const today = localClock(timeZone, nowMs).date;
		return c.date === today ? formatMinute(c.minute) : `${c.date} ${formatMinute(c.minute)}`;
	} catch {
		return new Date(ms).toISOString();
	}
}

/** Hours between two instants for people: `3 h`, `0.5 h`. */
export function hoursAgo(atMs: number, nowMs: number): string {
	return `${fmt(Math.round((Math.max(0, nowMs - atMs) / 3_600_000) * 100) / 100)} h`;
}

/**
 * An outside change the platform only dates (LinkedIn's `lastModified`): no
 * budgets, no pause or enable, no person, no place.
 */
function undetailed(e: ChangeEntry): boolean {
	return e.source === 'outside' && e.action !== 'pause' && e.action !== 'enable' && (e.budgetBefore === null || e.budgetAfter === null) && !e.by && !e.via;
}

/** Who made a change: `by rule r1`, `by Jane Doe in Ads Manager`; `(the platform says neither what nor by whom)` for a change it only dates. */
export function changeAuthor(e: ChangeEntry): string {
	if (undetailed(e)) return '(the platform says neither what nor by whom)';
	if (e.source === 'outside') return `${e.by ? `by ${e.by}` : 'by someone'}${e.via ? ` in ${e.via}` : ''}`;
	return `by rule ${e.ruleId ?? '(unknown rule)'}${e.unknown ? ' (outcome unknown, counted as applied)' : ''}`;
}

/** What a change did: `budget changed 80.00 → 120.00 EUR`, `paused`, `enabled`; `changed` when the platform only dates it. */
export function changeWhat(e: ChangeEntry, currency: string): string {
	if (e.action === 'pause') return 'paused';
	if (e.action === 'enable') return 'enabled';
	if (undetailed(e)) return 'changed';
	if (e.budgetBefore !== null && e.budgetAfter !== null) {
		const before = fmtMoney(e.budgetBefore, currency);
		return `budget changed ${before.slice(0, before.length - currency.length - 1)} → ${fmtMoney(e.budgetAfter, currency)}`;
	}
	return e.source === 'outside' ? 'changed (the platform does not say what)' : `${e.action.replace('_', ' ')}`;
}

/** One line naming an earlier change: what, who, when (account's local time), and "outside the package" when it was. */
export function describeChange(e: ChangeEntry, currency: string, timeZone: string, nowMs: number): string {
	return `${changeWhat(e, currency)} ${changeAuthor(e)} at ${localAt(e.atMs, timeZone, nowMs)}${e.source === 'outside' ? ' (outside the package)' : ''}`;
}

/** The values of an earlier change, for the ledger and the card. */
export function changeValues(e: ChangeEntry, prefix: string): Record<string, string | number | boolean | null> {
	return {
		[`${prefix}At`]: new Date(e.atMs).toISOString(),
		[`${prefix}Source`]: e.source === 'outside' ? 'outside' : 'rule',
		[`${prefix}RuleId`]: e.ruleId,
		[`${prefix}Action`]: e.action,
		[`${prefix}BudgetBefore`]: e.budgetBefore,
		[`${prefix}BudgetAfter`]: e.budgetAfter,
		[`${prefix}By`]: e.by ?? null,
		[`${prefix}Via`]: e.via ?? null,
	};
}
