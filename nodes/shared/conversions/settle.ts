/**
 * A person's verdict on held conversions (issue 22, item 3, send-back): send.ts marks a batch `held`
 * when its answer was lost longer ago than the platform's dedupe window, since a resend could then
 * count twice. No platform offers a read of single received conversions, so only a person looking at
 * the platform (Meta Events Manager, Google Ads conversion diagnostics, LinkedIn Campaign Manager,
 * TikTok Events Manager) can say whether it has them. This records that verdict:
 *
 * - `accepted` (the platform has them): the rows go `held` → `accepted` (settled now, the reason
 *   naming the person); they are counted and never sent again;
 * - `not_received` (the platform does not have them): the rows go `held` → `failed`, exactly the state
 *   of a batch refused whole before any effect, so the next send-back run picks them again (send.ts,
 *   step 2, takes `failed` rows as not sent) and sends each once.
 *
 * The batch's open ledger entry (kind `conversions.send`, idempotency key = the rows' batch_key, status
 * unknown or claimed) is resolved with resolveAction once no row of the batch is still open (pending,
 * unknown or held): `succeeded` when the platform has any of its events, `failed` when none (a failed
 * entry is what lets the next run claim the same batch again). Rows and ledger change in one
 * transaction where the store has them (inOneTransaction); on Supabase the entry is written before the
 * rows, so a stop in between leaves rows still held under a closed entry, which a second settle completes.
 * Only `held` rows are ever changed: an event id that is not held refuses the whole request, in words,
 * before anything is written.
 */
import { conversionPlatforms, isPlatformId, PLATFORM_LABELS, PLATFORM_REGISTRY, type PlatformId } from '../platforms/registry';
import { parseIdList } from '../platforms/factory';
import { inOneTransaction } from '../store/transaction';
import type { Row, Store } from '../store/types';
import { plural } from '../text/number';
import { destinationProblem, destinationWords, SEND_LEDGER_KIND } from './send';

export const SETTLE_VERDICTS = ['accepted', 'not_received'] as const;
export type SettleVerdict = (typeof SETTLE_VERDICTS)[number];

export interface SettleHeldInput {
	platform: string;
	/** Only this destination (pixel, conversion action, …); default: every destination of the platform. */
	destination?: string;
	/** Only these event ids (a list, or text separated by commas or new lines); default: every held row of the platform (and destination). */
	eventIds?: string | readonly string[];
	verdict: SettleVerdict;
	/** Who checked the platform and decided (recorded in the rows and the ledger). */
	decidedBy: string;
	note?: string;
}

export interface SettleHeldResult {
	platform: PlatformId;
	destination: string | null;
	verdict: SettleVerdict;
	/** Rows changed from held. */
	settled: number;
	/** Of them marked accepted (counted). */
	accepted: number;
	/** Of them failed: the next send-back run sends them. */
	toSend: number;
	/** Of the ones to send, older than the platform takes: the next run will leave them out. */
	tooOld: number;
	/** Batches whose ledger entry this closed (no row of them left open). */
	ledgerResolved: number;
	/** Held rows of the platform left after this. */
	stillHeld: number;
	/** For a person. */
	text: string;
}

/** A request the held rows cannot take (unknown platform, nothing held, an event id not held); nothing was changed. */
export class SettleRefusedError extends Error {
	constructor(message: string) {
		super(message);
		this.name = 'SettleRefusedError';
	}
}

type Upload = Row<'conversion_uploads'>;
const OPEN_STATUSES = ['pending', 'unknown', 'held'] as const;


/** The held rows per platform and destination, in words ("Meta pixel 123: 4; Google Ads …"), or null when none. */
export async function heldInWords(store: Store, platform?: PlatformId): Promise<string | null> {
	const rows = await store.selectColumns('conversion_uploads', ['platform', 'destination'], { where: { status: 'held', ...(platform ? { platform } : {}) } });
	if (rows.length === 0) return null;
	const by = new Map<string, number>();
	for (const r of rows) by.set(`${r.platform}\u0000${r.destination}`, (by.get(`${r.platform}\u0000${r.destination}`) ?? 0) + 1);
	return [...by]
		.sort(([a], [b]) => a.localeCompare(b))
		.map(([k, n]) => {
			const [p, d] = k.split('\u0000') as [string, string];
			return `${whereOf(p, d)}: ${plural(n, 'event')}`;
		})
		.join('; ');
}

function whereOf(platform: string, destination: string): string {
	return isPlatformId(platform) ? destinationWords(platform, destination) : `${platform} ${destination}`;
}

/** Records a person's verdict on held conversions (see the module comment); throws SettleRefusedError, in words, when nothing may change. */
export async function settleHeldConversions(store: Store, input: SettleHeldInput, now: () => Date = () => new Date()): Promise<SettleHeldResult> {
	const platforms = conversionPlatforms();
	const platformText = String(input.platform ?? '').trim();
	if (!isPlatformId(platformText) || !platforms.includes(platformText)) {
		throw new SettleRefusedError(`"${platformText}" is not a platform that takes conversions: choose one of ${platforms.map((p) => `${PLATFORM_LABELS[p]} (${p})`).join(', ')}`);
	}
	const platform: PlatformId = platformText;
	const label = PLATFORM_LABELS[platform];
	const rule = PLATFORM_REGISTRY[platform].conversions!;
	if (!(SETTLE_VERDICTS as readonly string[]).includes(input.verdict)) {
		throw new SettleRefusedError(`The verdict must be "accepted" (${label} has the events) or "not_received" (it does not, send them again); got "${String(input.verdict)}"`);
	}
	const who = String(input.decidedBy ?? '').trim();
	if (!who) throw new SettleRefusedError(`Say who checked ${label} and decided: the verdict is recorded under that name`);
	const destination = input.destination?.trim() || null;
	const wrong = destination === null ? null : destinationProblem(platform, destination);
	if (wrong) throw new SettleRefusedError(wrong);
	const ids = parseIdList(input.eventIds);
	const note = input.note?.trim() || '';
	const scope = destination ? whereOf(platform, destination) : label;

	// what the request names, read before anything is written
	const rows = await store.select('conversion_uploads', { where: { platform, ...(destination ? { destination } : {}), ...(ids.length ? { event_id: { in: ids } } : { status: 'held' }) } });
	if (ids.length) {
		const notHeld = ids.filter((id) => !rows.some((r) => r.event_id === id && r.status === 'held'));
		if (notHeld.length) {
			const said = notHeld.map((id) => {
				const found = rows.filter((r) => r.event_id === id);
				return found.length ? `${id} (${[...new Set(found.map((r) => r.status))].join(', ')})` : `${id} (never sent to ${scope})`;
			});
			throw new SettleRefusedError(`Nothing was changed: ${plural(notHeld.length, 'event id')} ${notHeld.length === 1 ? 'is' : 'are'} not held for ${scope}: ${said.slice(0, 20).join(', ')}${said.length > 20 ? `, and ${notHeld.length - 20} more` : ''}. Only held events take a verdict; name only those, or leave Event IDs empty for every held event of ${scope}`);
		}
	}
	const held = rows.filter((r) => r.status === 'held');
	if (held.length === 0) {
		const elsewhere = await heldInWords(store);
		throw new SettleRefusedError(`Nothing is held for ${scope}, so nothing was changed. ${elsewhere ? `Held now: ${elsewhere}` : 'No conversions are held for any platform'}`);
	}

	const at = now().toISOString();
	const day = at.slice(0, 16).replace('T', ' ');
	const noteText = note ? ` (note: ${note})` : '';
	const accepted = input.verdict === 'accepted';
	const reason = (
		accepted
			? `marked accepted by ${who} on ${day} UTC: ${label} has these events (checked after the answer was lost past its ${rule.dedupeWindowHours} h dedupe window); counted, never sent again${noteText}`
			: `marked not received by ${who} on ${day} UTC: ${label} does not have these events; the next send-back run sends them once${noteText}`
	).slice(0, 2000);
	const byBatch = new Map<string, Upload[]>();
	for (const r of held) byBatch.set(r.batch_key, [...(byBatch.get(r.batch_key) ?? []), r]);

	const done = await inOneTransaction(store, async (s) => {
		let settled = 0;
		const resolved = { succeeded: 0, failed: 0 };
		for (const [key, batch] of byBatch) {
			// read again inside the transaction: a row another settle took meanwhile is never changed again
			const named = ids.length ? new Set(batch.map((r) => r.event_id)) : null;
			const open = await s.selectColumns('conversion_uploads', ['event_id', 'status'], { where: { batch_key: key, status: { in: [...OPEN_STATUSES] } } });
			const mine = open.filter((r) => r.status === 'held' && (!named || named.has(r.event_id)));
			if (mine.length === 0) continue;
			// the ledger entry first, the rows after: on Supabase (no transaction) a stop in between leaves the
			// entry closed and the rows held, which the next settle completes (never an open entry over settled rows,
			// which would keep the next send-back from claiming the batch again)
			if (mine.length === open.length) {
				const [entry] = await s.select('action_ledger', { where: { idempotency_key: key, kind: SEND_LEDGER_KIND } });
				if (entry && (entry.status === 'unknown' || entry.status === 'claimed')) {
					const kept = accepted || (await s.selectColumns('conversion_uploads', ['id'], { where: { batch_key: key, status: { in: ['accepted', 'rejected'] } }, limit: 1 })).length > 0;
					const status = kept ? 'succeeded' : 'failed';
					const r = await s.resolveAction(key, {
						from: entry.status,
						status,
						resolution: `${who} checked ${whereOf(platform, batch[0]!.destination)} after the answer was lost past the ${rule.dedupeWindowHours} h dedupe window and found ${plural(mine.length, 'event')} ${accepted ? 'received: accepted' : 'not received: failed, sent again by the next run'}${noteText}`.slice(0, 2000),
						...(entry.status === 'claimed' ? { attempts: entry.attempts } : {}),
					});
					if (r.resolved) resolved[status] += 1;
				}
			}
			const match = { batch_key: key, status: 'held' as const, event_id: { in: mine.map((r) => r.event_id) } };
			const { updated } = await s.update('conversion_uploads', match, accepted ? { status: 'accepted', reason, reason_code: null, settled_at: at } : { status: 'failed', reason, reason_code: null, settled_at: null });
			settled += updated;
		}
		return { settled, resolved };
	});

	let tooOld = 0;
	if (!accepted) {
		const oldest = new Date(Date.parse(at) - rule.maxEventAgeDays * 86_400_000).toISOString();
		for (const [source, list] of groupBy(held, (r) => r.source)) {
			const events = await store.selectColumns('marketing_events', ['event_id', 'event_time'], { where: { source, event_id: { in: [...new Set(list.map((r) => r.event_id))] } } });
			tooOld += events.filter((e) => e.event_time < oldest).length;
		}
	}
	const stillHeld = (await store.selectColumns('conversion_uploads', ['id'], { where: { platform, status: 'held' } })).length;
	const result: SettleHeldResult = { platform, destination, verdict: input.verdict, settled: done.settled, accepted: accepted ? done.settled : 0, toSend: accepted ? 0 : done.settled, tooOld, ledgerResolved: done.resolved.succeeded + done.resolved.failed, stillHeld, text: '' };
	const parts = [
		accepted
			? `${plural(done.settled, 'held conversion')} for ${scope} marked accepted by ${who}: ${label} has them; they count as sent and are never sent again`
			: `${plural(done.settled, 'held conversion')} for ${scope} marked not received by ${who}: the next Send to Ad Platforms run sends them once, with the same ids`,
	];
	if (done.settled < held.length) parts.push(`${plural(held.length - done.settled, 'event')} had been settled by someone else meanwhile and were left as they were`);
	if (tooOld) parts.push(`${plural(tooOld, 'of them is', 'of them are')} older than the ${rule.maxEventAgeDays} days ${label} takes, so that run will leave ${tooOld === 1 ? 'it' : 'them'} out`);
	const closed = (['succeeded', 'failed'] as const).filter((k) => done.resolved[k]).map((k) => `${plural(done.resolved[k], 'batch', 'batches')} as ${k}`);
	parts.push(closed.length ? `closed in the action ledger: ${closed.join(', ')}` : 'no batch closed in the action ledger (other events of the same batches are still open)');
	parts.push(stillHeld ? `still held for ${label}: ${plural(stillHeld, 'event')}` : `nothing else is held for ${label}`);
	result.text = `${parts.join('; ')}${noteText}`;
	return result;
}

function groupBy<T>(items: readonly T[], key: (t: T) => string): Map<string, T[]> {
	const by = new Map<string, T[]>();
	for (const i of items) by.set(key(i), [...(by.get(key(i)) ?? []), i]);
	return by;
}
