/**
 * The comment signal on the store: `ad_comment_signals` recomputed from the
 * stored comments and their classifications, per ad and local day
 * (`refreshSignals` after a moderation run, `refreshCommentSignals` for any
 * span). The counting itself is signal.ts; the run layer (run.ts) calls this
 * and re-exports it.
 */
import { metaAccountDigits } from '../platforms/meta';
import type { Row } from '../schema/rows';
import type { Store, Where } from '../store/types';
import { chunk } from '../store/validate';
import { OFFLINE_MODEL, type Classification } from './classify';
import { aggregateCommentSignals, localDate, type AdCommentSignal, type SignalInput } from './signal';

type ItemRow = Row<'social_media_items'>;

const SIGNAL_ITEM_COLUMNS = ['id', 'object_id', 'account_id', 'campaign_id', 'ad_id', 'created_time'] as const;
const SIGNAL_CLASS_COLUMNS = ['item_id', 'model', 'intent', 'sentiment', 'updated_at'] as const;
const SIGNAL_ROW_COLUMNS = ['platform', 'account_id', 'campaign_id', 'ad_id', 'date'] as const;
type SignalItem = Pick<ItemRow, (typeof SIGNAL_ITEM_COLUMNS)[number]>;
type SignalClass = Pick<Row<'item_classifications'>, (typeof SIGNAL_CLASS_COLUMNS)[number]>;
const HOUR_MS = 3_600_000;
/** Local days start up to 14 h before and end up to 12 h after their UTC date; reads reach this far past a range. */
const ZONE_MARGIN_MS = 26 * HOUR_MS;

/** The days of the signal: one IANA zone for every account, or one per ad account (account id with or without `act_`). */
export interface SignalZones {
	/** Default UTC. */
	timeZone?: string;
	timeZones?: Readonly<Record<string, string>>;
}

/** The zone of an account's days; every zone is checked first (RangeError for an unknown one, before anything is read). */
export function zoneResolver(options: SignalZones): (accountId: string | null) => string {
	const fallback = options.timeZone || 'UTC';
	const zones = new Map<string, string>();
	for (const [account, zone] of Object.entries(options.timeZones ?? {})) if (zone) zones.set(metaAccountDigits(account), zone);
	for (const zone of [fallback, ...zones.values()]) localDate('2000-01-01T00:00:00Z', zone);
	return (accountId) => (accountId && zones.get(metaAccountDigits(accountId))) || fallback;
}

/**
 * Whether classification `a` counts rather than `b` (same comment): a
 * model's classification over the offline classifier's (the offline one is
 * its fallback), then the one written last, then the model name.
 */
function preferredClassification(a: SignalClass, b: SignalClass): boolean {
	const offA = a.model === OFFLINE_MODEL;
	const offB = b.model === OFFLINE_MODEL;
	if (offA !== offB) return offB;
	if (a.updated_at !== b.updated_at) return a.updated_at > b.updated_at;
	return a.model > b.model;
}

function signalKey(s: Pick<AdCommentSignal, 'account_id' | 'ad_id' | 'date'>): string {
	return `${s.account_id}\u0000${s.ad_id}\u0000${s.date}`;
}

function bySignalKey(a: AdCommentSignal, b: AdCommentSignal): number {
	return a.platform.localeCompare(b.platform) || a.account_id.localeCompare(b.account_id) || a.ad_id.localeCompare(b.ad_id) || a.date.localeCompare(b.date);
}

interface Recompute {
	platform: string;
	/** The ads to read (null: every ad of the platform). */
	adIds: readonly string[] | null;
	/** Comments created in [fromMs, toMs) are read (null: open). */
	fromMs: number | null;
	toMs: number | null;
	zoneOf: (accountId: string | null) => string;
	/** The (account, ad, day) rows this recompute owns: written from the comments, or cleared when no comment gives them any more. */
	owns: (accountId: string, adId: string, date: string) => boolean;
	/** Stored rows of these dates are compared with the result (null: open). */
	storedFrom: string | null;
	storedTo: string | null;
}

export interface SignalRefresh {
	/** Rows written, sorted by platform, account, ad and date (the cleared ones included, with 0 comments). */
	signals: AdCommentSignal[];
	/** Stored rows no comment gives any more (time zone changed, comment moved to another ad): written with 0 comments. */
	cleared: number;
	/** Comments read (under an ad), and how many of them had a classification. */
	comments: number;
	classified: number;
}

/** Reads the comments and their classifications of a scope (batched, never one query per ad), aggregates them and upserts the rows it owns. */
async function recomputeSignals(store: Store, r: Recompute): Promise<SignalRefresh> {
	const range: { gte?: string; lt?: string } = {};
	if (r.fromMs !== null) range.gte = new Date(r.fromMs).toISOString();
	if (r.toMs !== null) range.lt = new Date(r.toMs).toISOString();
	// Without ads named, comments without an ad are read too and skipped below (no "IS NOT NULL" filter in the Store).
	const itemWhere = (ads: readonly string[] | null): Where<'social_media_items'> => ({
		platform: r.platform,
		...(ads ? { ad_id: { in: ads } } : {}),
		...(range.gte || range.lt ? { created_time: range } : {}),
	});
	const read: SignalItem[] = [];
	if (r.adIds) for (const part of chunk([...new Set(r.adIds)])) read.push(...(await store.selectColumns('social_media_items', SIGNAL_ITEM_COLUMNS, { where: itemWhere(part) })));
	else read.push(...(await store.selectColumns('social_media_items', SIGNAL_ITEM_COLUMNS, { where: itemWhere(null) })));
	const items = read.filter((c) => c.ad_id && c.created_time);

	const best = new Map<string, SignalClass>();
	for (const part of chunk(items.map((i) => i.id))) {
		for (const row of await store.selectColumns('item_classifications', SIGNAL_CLASS_COLUMNS, { where: { item_id: { in: part } } })) {
			const current = best.get(row.item_id);
			if (!current || preferredClassification(row, current)) best.set(row.item_id, row);
		}
	}

	const byZone = new Map<string, SignalInput[]>();
	let classified = 0;
	for (const c of items) {
		const cl = best.get(c.id);
		if (!cl || !cl.intent || !cl.sentiment) continue;
		classified++;
		const zone = r.zoneOf(c.account_id);
		let list = byZone.get(zone);
		if (!list) byZone.set(zone, (list = []));
		list.push({ platform: r.platform, accountId: c.account_id, campaignId: c.campaign_id, adId: c.ad_id, commentId: c.object_id, createdTime: c.created_time as string, classification: { intent: cl.intent as Classification['intent'], sentiment: cl.sentiment as Classification['sentiment'] } });
	}
	const signals: AdCommentSignal[] = [];
	for (const [zone, inputs] of byZone) {
		for (const s of aggregateCommentSignals(inputs, { timeZone: zone }).signals) if (r.owns(s.account_id, s.ad_id, s.date)) signals.push(s);
	}

	// Stored rows this recompute owns that no comment gives any more: cleared, so no comment is counted on two days.
	const computed = new Set(signals.map(signalKey));
	const dates: { gte?: string; lte?: string } = {};
	if (r.storedFrom) dates.gte = r.storedFrom;
	if (r.storedTo) dates.lte = r.storedTo;
	const storedWhere = (ads: readonly string[] | null): Where<'ad_comment_signals'> => ({ platform: r.platform, ...(ads ? { ad_id: { in: ads } } : {}), ...(dates.gte || dates.lte ? { date: dates } : {}) });
	const stored: Array<Pick<Row<'ad_comment_signals'>, (typeof SIGNAL_ROW_COLUMNS)[number]>> = [];
	if (r.adIds) for (const part of chunk([...new Set(r.adIds)])) stored.push(...(await store.selectColumns('ad_comment_signals', SIGNAL_ROW_COLUMNS, { where: storedWhere(part) })));
	else stored.push(...(await store.selectColumns('ad_comment_signals', SIGNAL_ROW_COLUMNS, { where: storedWhere(null) })));
	let cleared = 0;
	for (const row of stored) {
		if (!r.owns(row.account_id, row.ad_id, row.date) || computed.has(signalKey(row))) continue;
		signals.push({ ...row, comments: 0, negative_comments: 0, abusive_comments: 0, excluded_comments: 0, negative_share: null, abusive_share: null });
		cleared++;
	}
	signals.sort(bySignalKey);
	for (const part of chunk(signals)) await store.upsert('ad_comment_signals', part);
	return { signals, cleared, comments: items.length, classified };
}

/**
 * Recomputes the signal of every (ad, day) among `items` (a moderation
 * run's comments) from all classified comments of those ads and days, in
 * one batch, and upserts it. Idempotent: the rows depend only on the stored
 * comments and their classifications, so a rerun writes the same rows and a
 * reclassification changes the counts of its day (never counts twice).
 */
export async function refreshSignals(store: Store, items: ReadonlyArray<Pick<ItemRow, 'platform' | 'account_id' | 'ad_id' | 'created_time'>>, options: SignalZones = {}): Promise<AdCommentSignal[]> {
	const zoneOf = zoneResolver(options);
	const byPlatform = new Map<string, { days: Set<string>; ads: Set<string>; min: number; max: number; minDate: string; maxDate: string }>();
	for (const item of items) {
		if (!item.ad_id || !item.created_time) continue;
		const date = localDate(item.created_time, zoneOf(item.account_id));
		if (!date) continue;
		const ms = Date.parse(item.created_time);
		let t = byPlatform.get(item.platform);
		if (!t) byPlatform.set(item.platform, (t = { days: new Set(), ads: new Set(), min: ms, max: ms, minDate: date, maxDate: date }));
		t.days.add(signalKey({ account_id: item.account_id ?? '', ad_id: item.ad_id, date }));
		t.ads.add(item.ad_id);
		t.min = Math.min(t.min, ms);
		t.max = Math.max(t.max, ms);
		if (date < t.minDate) t.minDate = date;
		if (date > t.maxDate) t.maxDate = date;
	}
	const out: AdCommentSignal[] = [];
	for (const [platform, t] of byPlatform) {
		const done = await recomputeSignals(store, {
			platform,
			adIds: [...t.ads],
			fromMs: t.min - ZONE_MARGIN_MS,
			toMs: t.max + ZONE_MARGIN_MS + 1,
			zoneOf,
			owns: (accountId, adId, date) => t.days.has(signalKey({ account_id: accountId, ad_id: adId, date })),
			storedFrom: t.minDate,
			storedTo: t.maxDate,
		});
		out.push(...done.signals);
	}
	return out.sort(bySignalKey);
}

export interface RefreshCommentSignalsOptions extends SignalZones {
	/** The platform of the comments (`COMMENT_PLATFORM`: Meta). */
	platform: string;
	/** Only these ads (default: every ad with comments). */
	adIds?: readonly string[];
	/**
	 * First day to recompute: a date `YYYY-MM-DD` (that day in every
	 * account's zone) or an instant (its day in the account's zone).
	 * Default: every day.
	 */
	since?: string;
	/** Last day to recompute, the same way (default: every day from `since` on). */
	until?: string;
}

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

function dayBound(value: string | undefined, name: string): { ms: number; dayOf: (zone: string) => string } | null {
	if (value === undefined) return null;
	const ms = Date.parse(value);
	if (typeof value !== 'string' || !(DATE_ONLY.test(value) || INSTANT.test(value)) || !Number.isFinite(ms)) throw new TypeError(`${name} must be a date YYYY-MM-DD or an ISO-8601 instant with a time zone, got ${JSON.stringify(value)}`);
	if (DATE_ONLY.test(value)) return { ms, dayOf: () => value };
	return { ms, dayOf: (zone) => localDate(value, zone)! };
}

/**
 * Recomputes the stored signal of a platform's ads from the stored comments
 * and their classifications: every (ad, day) from `since` to `until` (both
 * optional, whole local days) is rewritten, and stored rows of that span
 * that no comment gives any more are cleared to 0 comments. For backfills,
 * after reclassifying comments outside a moderation run, or after changing
 * the time zone of the days (`moderate` itself refreshes the days it
 * touches). Reads in batches: one query per 500 ads, never one per ad.
 */
export async function refreshCommentSignals(store: Store, options: RefreshCommentSignalsOptions): Promise<SignalRefresh> {
	if (typeof options?.platform !== 'string' || options.platform.trim() === '') throw new TypeError('refreshCommentSignals needs the platform of the comments (meta)');
	const zoneOf = zoneResolver(options);
	const since = dayBound(options.since, 'since');
	const until = dayBound(options.until, 'until');
	if (since && until && until.ms < since.ms) throw new TypeError('until must not be before since');
	if (options.adIds && options.adIds.length === 0) return { signals: [], cleared: 0, comments: 0, classified: 0 };
	const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
	// A date-only `until` means the whole day: its end is a day after its start.
	const untilEnd = until ? until.ms + (options.until && DATE_ONLY.test(options.until) ? 24 * HOUR_MS : 0) : null;
	return recomputeSignals(store, {
		platform: options.platform,
		adIds: options.adIds ? options.adIds.map(String) : null,
		fromMs: since ? since.ms - ZONE_MARGIN_MS : null,
		toMs: untilEnd !== null ? untilEnd + ZONE_MARGIN_MS : null,
		zoneOf,
		owns: (accountId, _adId, date) => {
			const zone = zoneOf(accountId || null);
			return (!since || date >= since.dayOf(zone)) && (!until || date <= until.dayOf(zone));
		},
		storedFrom: since ? day(since.ms - ZONE_MARGIN_MS) : null,
		storedTo: untilEnd !== null ? day(untilEnd + ZONE_MARGIN_MS) : null,
	});
}
