// What the trigger did not turn into a stored comment, and the log line that
// says so. Meta's Page webhook sends every feed change (likes, posts,
// comments under organic posts, edits of unknown shape); the core skips
// those with a reason (`MetaWebhookOutcome.skipped` for the delivery,
// `ingest.skipped` for comments it did not store). Nothing here holds
// comment text: reasons, fields, verbs and ids only.
import type { MetaWebhookOutcome } from '../shared/moderation';

export interface SkippedEntry {
	/** `delivery`: the change was not a usable comment change; `store`: a comment change that was not stored. */
	stage: 'delivery' | 'store';
	reason: string;
	field?: string;
	item?: string;
	verb?: string;
	commentId?: string;
}

/** Every skipped entry of a signed delivery, delivery-level first; none for other requests. */
export function skippedEntries(outcome: MetaWebhookOutcome): SkippedEntry[] {
	if (outcome.kind !== 'delivery') return [];
	return [
		...outcome.skipped.map((s): SkippedEntry => ({ stage: 'delivery', reason: s.reason, ...(s.field ? { field: s.field } : {}), ...(s.item ? { item: s.item } : {}), ...(s.verb ? { verb: s.verb } : {}) })),
		...(outcome.ingest?.skipped ?? []).map((s): SkippedEntry => ({ stage: 'store', reason: s.reason, commentId: s.commentId })),
	];
}

/** Reasons that lose data Meta sent (a broken body or change, a subscription to another object): worth a warning. */
const LOST: ReadonlySet<string> = new Set(['not_json', 'invalid_entry', 'invalid_change', 'unknown_object']);
/** Comments that were not stored (organic post, no text, a verb the core does not know): worth a line at info. */
const NOTABLE: ReadonlySet<string> = new Set(['not_an_ad_post', 'no_text', 'unknown_verb']);
/** Entries named in a log line's metadata at most. */
const SAMPLE = 10;

export interface OutcomeLog {
	level: 'warn' | 'info' | 'debug';
	message: string;
	meta: Record<string, unknown>;
}

/**
 * The log line of one webhook request, or undefined when there is nothing to
 * tell (a subscription check, a delivery stored in full). Refused requests
 * and lost data are warnings; skipped comments are info; the feed's other
 * changes (likes, posts), the package's own replies and replays are debug,
 * since Meta sends them all the time.
 */
export function outcomeLog(outcome: MetaWebhookOutcome, skipped: readonly SkippedEntry[] = skippedEntries(outcome)): OutcomeLog | undefined {
	const prefix = 'AdOps Moderation Trigger:';
	if (outcome.kind === 'rejected') {
		return { level: 'warn', message: `${prefix} refused a request (HTTP ${outcome.status}, ${outcome.reason ?? 'rejected'}); no workflow was started`, meta: { status: outcome.status, reason: outcome.reason } };
	}
	if (outcome.kind === 'duplicate') {
		return { level: 'debug', message: `${prefix} a replayed delivery was ignored`, meta: { replayed: outcome.replayed } };
	}
	if (outcome.kind !== 'delivery' || (skipped.length === 0 && outcome.replayed === 0)) return undefined;
	const byReason: Record<string, number> = {};
	for (const s of skipped) byReason[s.reason] = (byReason[s.reason] ?? 0) + 1;
	const reasons = Object.keys(byReason);
	const level = reasons.some((r) => LOST.has(r)) ? 'warn' : reasons.some((r) => NOTABLE.has(r)) ? 'info' : 'debug';
	const stored = outcome.ingest?.inserted.length ?? 0;
	const parts = [
		`${stored} new comment${stored === 1 ? '' : 's'} stored`,
		...(skipped.length ? [`${skipped.length} entr${skipped.length === 1 ? 'y' : 'ies'} skipped (${reasons.map((r) => `${r} ×${byReason[r]}`).join(', ')})`] : []),
		...(outcome.replayed ? [`${outcome.replayed} replayed change${outcome.replayed === 1 ? '' : 's'} ignored`] : []),
	];
	return {
		level,
		message: `${prefix} ${parts.join(', ')}`,
		meta: { stored, skipped: byReason, replayed: outcome.replayed, entries: skipped.slice(0, SAMPLE) },
	};
}
