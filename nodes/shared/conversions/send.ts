/**
 * Sending first-party conversions back to the ad platforms (issue 22, item 3), exactly once per event
 * and destination, through the action ledger.
 *
 *   settle earlier batches whose answer was lost (below) → select the eligible events not yet sent →
 *   batches of at most the registry's `conversions.batchLimit` → per batch: claim it in the ledger and
 *   write one `pending` row per event in conversion_uploads (one transaction) → send → record the
 *   platform's answer per event and complete the claim (one transaction).
 *
 * Eligible (`ineligibleReason`): a conversion type (lead and purchase by default), both consent
 * signals for ads given as true (`consent_ad_user_data`: the person's data may be sent to ad platforms;
 * `consent_ad_storage`: ad measurement; null is "not given", never sent), within the platform's
 * accepted age (Meta and TikTok 7 days, Google and LinkedIn 90), not in the future, and something the
 * platform matches on: Google needs the gclid (click conversions); Meta, LinkedIn and TikTok take
 * their click id or a hashed identifier they match on. Events without consent are never read into a
 * batch, so nothing about them leaves the store.
 *
 * Outcomes per batch, as every side effect here:
 * - the platform answered: each event `accepted` or `rejected` (with the platform's reason and code:
 *   Google's partial failure names the conversion's index, LinkedIn answers per element; Meta and
 *   TikTok take or refuse a request whole);
 * - refused whole before any effect (429 after the transport's retries, auth, a bad request): the
 *   claim ends `failed`, the rows `failed` with the reason, and the next run picks them again;
 * - the answer was lost or late (5xx, timeout, a malformed answer, or the process died holding the
 *   claim): the claim is `unknown` (or left `claimed`), the rows `unknown`. No platform offers a read
 *   of single received conversions, so the reconciliation is the platform's own dedupe: the next run
 *   sends the same batch again with the same ids (Meta and TikTok event_id, Google order_id and
 *   gclid/action/time, LinkedIn eventId), which the platform counts once — but ONLY while the first
 *   send is inside the platform's dedupe window (registry `conversions.dedupeWindowHours`, measured
 *   from the claim, which is before the first send). Past the window a resend could count twice, so
 *   the batch is `held`: left for a person, never resent. Google's answer to the resend says so
 *   itself (CLICK_CONVERSION_ALREADY_EXISTS: accepted, already there).
 *
 * Failpoints (SIGKILL tests): `conversions.send.after-claim` (claimed, nothing sent) and
 * `conversions.send.after-platform` (the platform has the batch, the ledger is still `claimed`).
 */
import { createHash } from 'node:crypto';
import { claimAbandoned, claimHolder, holderName } from '../moderation/reconcile';
import { PLATFORM_LABELS, PLATFORM_REGISTRY, conversionPlatforms, type ConversionApiRule, type PlatformId } from '../platforms/registry';
import { failpoint } from '../resilience/failpoints';
import { PlatformApiError } from '../resilience/errors';
import { sideEffectOutcome } from '../resilience/outcome';
import { plural } from '../text/number';
import { inOneTransaction } from '../store/transaction';
import type { ActionLedgerEntry, Json, Store } from '../store/types';
import { CONVERSION_EVENT_TYPES, type EventType } from '../events/rows';
import type { ConversionSender } from './clients';
import type { EventResult, EventRow } from './payloads';

export const SEND_LEDGER_KIND = 'conversions.send';
/** A destination as the texts name it: "Meta pixel (dataset) id 998877665544". */
export function destinationWords(platform: PlatformId, destination: string): string {
	const rule = PLATFORM_REGISTRY[platform].conversions;
	return `${PLATFORM_LABELS[platform]}${rule ? ` ${rule.destination.label}` : ''} ${destination}`;
}

/** Why `destination` is not one of the platform's destinations (its registry pattern), in words; null when it is. */
export function destinationProblem(platform: PlatformId, destination: string): string | null {
	const rule = PLATFORM_REGISTRY[platform].conversions;
	if (!rule || rule.destination.pattern.test(destination)) return null;
	return `"${destination}" is not a ${PLATFORM_LABELS[platform]} ${rule.destination.label} (expected ${rule.destination.accepted})`;
}

export const DEFAULT_CONVERSION_TYPES: readonly EventType[] = CONVERSION_EVENT_TYPES;

/** The platforms that take conversions: the registry's `conversions` entries. */
export const SEND_BACK_PLATFORMS: readonly PlatformId[] = conversionPlatforms();

export interface SendBackTarget {
	platform: PlatformId;
	/** Meta pixel id, Google Ads conversion action resource, LinkedIn conversion rule URN, TikTok pixel code. */
	destination: string;
}

export interface SendBackOptions {
	targets: readonly SendBackTarget[];
	/** Event types sent as conversions (default lead and purchase). */
	eventTypes?: readonly EventType[];
	/** Events per request, at most the platform's limit (default: the limit). */
	batchSize?: number;
	/** Most events read per target and run (default 20,000). */
	maxEvents?: number;
}

export interface SendBackDeps {
	store: Store;
	senders: Partial<Record<PlatformId, ConversionSender>>;
	now?: () => Date;
	/** Who sends (n8n's execution id): the ledger claims are held by it. */
	runId?: string;
	/** A claim older than this whose holder cannot be checked is taken as abandoned (default 10 min). */
	staleClaimMs?: number;
}

export interface TargetResult {
	platform: PlatformId;
	destination: string;
	/** Events taken by the platform in this run (new and resent). */
	accepted: number;
	rejected: number;
	/** Refused whole (retried by the next run). */
	failed: number;
	unknown: number;
	/** Unknown past the dedupe window: left for a person. */
	held: number;
	/** Events of earlier lost answers sent again within the dedupe window. */
	resent: number;
	batches: number;
	/** Conversion-type events in the platform's age range left out: consent not given, or nothing the platform matches on. */
	skipped: { noConsent: number; noIdentifier: number };
	/** Rejections in words, at most five. */
	reasons: string[];
	/** For a person. */
	text: string;
}

/** Why `event` cannot go to `platform`, or null when it can. */
export function ineligibleReason(event: EventRow, platform: PlatformId, rule: ConversionApiRule, now: Date, types: readonly string[] = DEFAULT_CONVERSION_TYPES): 'type' | 'consent' | 'age' | 'identifier' | null {
	if (!types.includes(event.event_type)) return 'type';
	if (event.consent_ad_user_data !== true || event.consent_ad_storage !== true) return 'consent';
	const at = Date.parse(event.event_time);
	if (!(at <= now.getTime()) || now.getTime() - at > rule.maxEventAgeDays * 86_400_000) return 'age';
	const clickField = PLATFORM_REGISTRY[platform].clickId as keyof EventRow | undefined;
	const click = clickField ? event[clickField] : null;
	if (rule.clickIdRequired) return click ? null : 'identifier';
	if (click) return null;
	return rule.identifiers.some((f) => event[f]) ? null : 'identifier';
}

/** The ledger key of a batch: platform, destination and the batch's events. */
export function batchKey(platform: PlatformId, destination: string, events: ReadonlyArray<{ source: string; event_id: string }>): string {
	const ids = events.map((e) => `${e.source}\u0000${e.event_id}`).sort();
	return `conversions:${platform}:${destination}:${createHash('sha256').update(ids.join('\u0001')).digest('hex').slice(0, 32)}`;
}

function message(error: unknown): string {
	return error instanceof Error ? error.message : String(error);
}

/** What happened to a lost answer, without the transport's advice (a timeout says "retried automatically", which an unknown send must not be). */
function lostCause(error: unknown): string {
	if (error instanceof PlatformApiError) return `${PLATFORM_LABELS[error.platform]} ${error.call} ${error.httpStatus ? `answered HTTP ${error.httpStatus}` : `ended with ${error.kind.replace(/_/g, ' ')}`}`;
	return message(error);
}


/** Sends every target's eligible conversions (see the module comment); one result per target, in words. */
export async function sendBackConversions(deps: SendBackDeps, options: SendBackOptions): Promise<TargetResult[]> {
	const out: TargetResult[] = [];
	for (const target of options.targets) out.push(await sendTarget(deps, options, target));
	return out;
}

async function sendTarget(deps: SendBackDeps, options: SendBackOptions, target: SendBackTarget): Promise<TargetResult> {
	const { store } = deps;
	const now = deps.now ?? (() => new Date());
	const { platform, destination } = target;
	const label = PLATFORM_LABELS[platform];
	const rule = PLATFORM_REGISTRY[platform].conversions;
	const result: TargetResult = { platform, destination, accepted: 0, rejected: 0, failed: 0, unknown: 0, held: 0, resent: 0, batches: 0, skipped: { noConsent: 0, noIdentifier: 0 }, reasons: [], text: '' };
	if (!rule) {
		result.text = `${label} takes no conversions from the package: only ${SEND_BACK_PLATFORMS.map((p) => PLATFORM_LABELS[p]).join(', ')} do; nothing was sent`;
		return result;
	}
	const where = destinationWords(platform, destination);
	const wrong = destinationProblem(platform, destination);
	if (wrong) {
		result.text = `Nothing was sent: ${wrong}`;
		return result;
	}
	const sender = deps.senders[platform];
	if (!sender) {
		result.text = `Nothing was sent to ${where}: no ${label} credential was given`;
		return result;
	}
	const size = Math.max(1, Math.min(options.batchSize ?? rule.batchLimit, rule.batchLimit));
	const ledgerTarget = `${platform}:${destination}`;
	const holder = claimHolder(deps.runId ?? `send-back ${platform}`);

	const settle = async (key: string, events: readonly EventRow[], answers: EventResult[], done: (s: Store) => Promise<unknown>) => {
		const at = now().toISOString();
		const accepted = answers.filter((a) => a.status === 'accepted');
		const rejected = answers.filter((a) => a.status === 'rejected');
		await inOneTransaction(store, async (s) => {
			await done(s);
			for (const group of groupBySource(accepted)) {
				await s.update('conversion_uploads', { batch_key: key, source: group.source, event_id: { in: group.ids } }, { status: 'accepted', reason: null, reason_code: null, settled_at: at });
			}
			for (const r of rejected) {
				await s.update('conversion_uploads', { batch_key: key, source: r.source, event_id: r.eventId }, { status: 'rejected', reason: (r.reason ?? 'refused').slice(0, 2000), reason_code: r.code ?? null, settled_at: at });
			}
		});
		result.accepted += accepted.length;
		result.rejected += rejected.length;
		for (const r of rejected) if (result.reasons.length < 5) result.reasons.push(`event ${r.eventId}: ${r.reason ?? 'refused'}${r.code ? ` (${r.code})` : ''}`);
		void events;
	};

	// 1. batches whose answer was lost (unknown) or whose run died holding the claim
	const open = await store.select('action_ledger', { where: { kind: SEND_LEDGER_KIND, target: ledgerTarget, status: { in: ['unknown', 'claimed'] } }, order: { column: 'created_at', ascending: true } });
	for (const entry of open) {
		if (entry.status === 'claimed' && !claimAbandoned(entry, now(), deps.staleClaimMs)) continue; // a live run is sending it
		const rows = await store.select('conversion_uploads', { where: { batch_key: entry.idempotency_key, status: { in: ['pending', 'unknown'] } } });
		if (rows.length === 0) continue;
		const firstSentAt = rows.reduce((min, r) => (r.first_sent_at < min ? r.first_sent_at : min), rows[0]!.first_sent_at);
		const ageHours = (now().getTime() - Date.parse(firstSentAt)) / 3_600_000;
		if (ageHours >= rule.dedupeWindowHours) {
			const why = `the answer of its send at ${firstSentAt} was lost and ${label} drops repeats only within ${rule.dedupeWindowHours} h (${rule.dedupeKey}); sending it again now could count it twice. Check ${where} for these event ids, then mark them accepted or failed`;
			await store.update('conversion_uploads', { batch_key: entry.idempotency_key, status: { in: ['pending', 'unknown'] } }, { status: 'held', reason: why, settled_at: null });
			result.held += rows.length;
			continue;
		}
		const events = await eventsOf(store, rows);
		const from = entry.status as 'unknown' | 'claimed';
		const why = from === 'unknown' ? "an earlier send's answer was lost" : 'an earlier run stopped while sending';
		try {
			const answers = await sender.send(destination, events);
			await settle(entry.idempotency_key, events, answers, (s) =>
				s.resolveAction(entry.idempotency_key, { from, status: 'succeeded', resolution: `${why}; sent again with the same ids within ${label}'s ${rule.dedupeWindowHours} h dedupe window (${rule.dedupeKey}), which counts each event once`, response: summary(answers), ...(from === 'claimed' ? { attempts: entry.attempts } : {}) }),
			);
			result.resent += events.length;
			result.batches += 1;
		} catch (error) {
			// still possibly applied by the first send: stays unknown, tried again by the next run within the window
			await store.update('conversion_uploads', { batch_key: entry.idempotency_key, status: { in: ['pending', 'unknown'] } }, { status: 'unknown', reason: `${why}; sending it again failed: ${sideEffectOutcome(error) === 'failed' ? message(error) : lostCause(error)}`.slice(0, 2000) });
			result.unknown += rows.length;
		}
	}

	// 2. eligible events not yet sent to this destination (or refused whole before)
	const nowAt = now();
	const types = options.eventTypes ?? DEFAULT_CONVERSION_TYPES;
	const since = new Date(nowAt.getTime() - rule.maxEventAgeDays * 86_400_000).toISOString();
	const candidates = await store.select('marketing_events', { where: { event_type: { in: [...types] }, event_time: { gte: since, lte: nowAt.toISOString() } }, order: [{ column: 'event_time', ascending: true }, { column: 'id', ascending: true }], limit: options.maxEvents ?? 20_000 });
	const known = await store.selectColumns('conversion_uploads', ['source', 'event_id', 'status'], { where: { platform, destination } });
	const taken = new Map(known.map((k) => [`${k.source}\u0000${k.event_id}`, k.status]));
	const todo: EventRow[] = [];
	for (const e of candidates) {
		const status = taken.get(`${e.source}\u0000${e.event_id}`);
		if (status !== undefined && status !== 'failed') continue;
		const why = ineligibleReason(e, platform, rule, nowAt, types);
		if (why === 'consent') result.skipped.noConsent += 1;
		else if (why === 'identifier') result.skipped.noIdentifier += 1;
		else if (why === null) todo.push(e);
	}

	for (let i = 0; i < todo.length; i += size) {
		const batch = todo.slice(i, i + size);
		const key = batchKey(platform, destination, batch);
		const at = now().toISOString();
		const claim = () =>
			inOneTransaction(store, async (s) => {
				const c = await s.claimAction(key, { kind: SEND_LEDGER_KIND, target: ledgerTarget, intent: { platform, destination, events: batch.length, dedupeWindowHours: rule.dedupeWindowHours } as Json, retryFailed: true, claimedBy: holder });
				if (!c.claimed) return c.entry;
				await s.upsert('conversion_uploads', batch.map((e) => ({ platform, destination, source: e.source, event_id: e.event_id, batch_key: key, status: 'pending' as const, first_sent_at: at })), { onConflict: 'ignore' });
				for (const group of groupBySource(batch.map((e) => ({ source: e.source, eventId: e.event_id })))) {
					await s.update('conversion_uploads', { platform, destination, source: group.source, event_id: { in: group.ids }, status: 'failed' }, { status: 'pending', batch_key: key, reason: null, reason_code: null, first_sent_at: at });
				}
				return null;
			});
		let held = await claim();
		if (held?.status === 'claimed' && claimAbandoned(held, now(), deps.staleClaimMs)) {
			// Supabase (no transaction): a run died between its claim and its rows, so it sent nothing; settle it and claim again
			const written = await store.selectColumns('conversion_uploads', ['id'], { where: { batch_key: key }, limit: 1 });
			if (written.length === 0) {
				await store.resolveAction(key, { from: 'claimed', status: 'failed', resolution: 'the run that claimed this batch stopped before recording its events, so it sent nothing', attempts: held.attempts });
				held = await claim();
			}
		}
		if (held) {
			result.reasons.push(inProgress(held));
			continue;
		}
		// the rows this claim holds (a concurrent run may have taken some events first)
		const mine = new Set((await store.selectColumns('conversion_uploads', ['source', 'event_id'], { where: { batch_key: key, status: 'pending' } })).map((r) => `${r.source}\u0000${r.event_id}`));
		const events = batch.filter((e) => mine.has(`${e.source}\u0000${e.event_id}`));
		failpoint('conversions.send.after-claim');
		result.batches += 1;
		try {
			const answers = events.length ? await sender.send(destination, events) : [];
			failpoint('conversions.send.after-platform');
			await settle(key, events, answers, (s) => s.completeAction(key, { status: 'succeeded', response: summary(answers) }));
		} catch (error) {
			const outcome = sideEffectOutcome(error);
			const why = (outcome === 'failed' ? message(error) : lostCause(error)).slice(0, 2000);
			await inOneTransaction(store, async (s) => {
				await s.completeAction(key, { status: outcome, error: why });
				await s.update('conversion_uploads', { batch_key: key, status: 'pending' }, { status: outcome, reason: why, reason_code: null });
			});
			if (outcome === 'failed') result.failed += events.length;
			else result.unknown += events.length;
			if (result.reasons.length < 5) result.reasons.push(`${outcome === 'failed' ? 'refused' : 'answer lost'} for a batch of ${plural(events.length, 'event')}: ${why}`);
		}
	}
	result.text = words(result, where, rule);
	return result;
}

function inProgress(entry: ActionLedgerEntry): string {
	return `a batch is ${entry.status === 'claimed' ? `in progress by ${holderName(entry.claimed_by)}` : entry.status}; its events were left to it`;
}

function summary(answers: readonly EventResult[]): Json {
	return { accepted: answers.filter((a) => a.status === 'accepted').length, rejected: answers.filter((a) => a.status === 'rejected').length };
}

function groupBySource(items: ReadonlyArray<{ source: string; eventId: string }>): Array<{ source: string; ids: string[] }> {
	const by = new Map<string, string[]>();
	for (const i of items) by.set(i.source, [...(by.get(i.source) ?? []), i.eventId]);
	return [...by].map(([source, ids]) => ({ source, ids }));
}

async function eventsOf(store: Store, rows: ReadonlyArray<{ source: string; event_id: string }>): Promise<EventRow[]> {
	const out: EventRow[] = [];
	for (const group of groupBySource(rows.map((r) => ({ source: r.source, eventId: r.event_id })))) {
		out.push(...(await store.select('marketing_events', { where: { source: group.source, event_id: { in: group.ids } } })));
	}
	return out;
}

function words(r: TargetResult, where: string, rule: ConversionApiRule): string {
	const parts: string[] = [];
	parts.push(`${plural(r.accepted, 'conversion')} taken by ${where}${r.resent ? ` (${plural(r.resent, 'event')} of earlier lost answers sent again with the same ids inside the ${rule.dedupeWindowHours} h dedupe window)` : ''}`);
	if (r.rejected) parts.push(`${plural(r.rejected, 'event')} refused by the platform`);
	if (r.failed) parts.push(`${plural(r.failed, 'event')} not taken (the request was refused whole); the next run sends them`);
	if (r.unknown) parts.push(`${plural(r.unknown, 'event')} with a lost answer; the next run sends them again with the same ids while inside the dedupe window`);
	if (r.held) parts.push(`${plural(r.held, 'event')} held for a person: their answer was lost more than ${rule.dedupeWindowHours} h ago`);
	if (r.skipped.noConsent) parts.push(`${plural(r.skipped.noConsent, 'event')} not sent for lack of ad consent`);
	if (r.skipped.noIdentifier) parts.push(`${plural(r.skipped.noIdentifier, 'event')} without anything ${where.split(' ')[0]} matches on`);
	const text = parts.join('; ');
	return r.reasons.length ? `${text}. ${r.reasons.join('; ')}` : text;
}
