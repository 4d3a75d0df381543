/**
 * The anomaly scan over the store, in two reads that give exactly the
 * anomalies of one full read.
 *
 *   1. One columnar read of the days the gate reads in the last
 *      `lookback + 7 × gateWeeks` days: each lookback day and the same weekday
 *      of the `gateWeeks` weeks before it (15 of 31 days by default), of
 *      every campaign. A series (campaign or account, per metric) can have an
 *      anomaly in the lookback window only if one of its window days passes
 *      the same-weekday gate, which needs exactly these days (gate.ts). A series is also a candidate when these days show a
 *      currency change or a time-zone change (they mask values the gate
 *      reads) or a young series (fewer than `gateWeeks` past weekdays: the
 *      gate passes). One corner is not seen: a currency that changes and
 *      changes back between the days read, 29 to 31 days ago. Sums added in another order are covered by a 1e-9
 *      relative slack.
 *   2. A columnar read of the whole history of the candidates only (their
 *      accounts in full where an account series is a candidate), then the
 *      full method on them.
 *
 * Every anomaly of a full read is found, and nothing else (test/contract/
 * insights-scan-store.test.ts compares both). History problems (not enough
 * history, gaps, a currency change) are reported for the series read in
 * full; a quiet series is counted, not listed: `full: true` reads every
 * series in full and lists them all.
 */
import { dayNumber, dayString } from './days';
import { scanSeries, type ScanOptions, type ScanResult } from './detect';
import { GATE_WEEKS, windowMayFlag } from './gate';
import { selectColumnarParts, type Store } from '../store/types';
import { buildSeries, INSIGHT_METRICS, metricSeries, type EntitySeries, type PerformanceColumns } from './series';
import { DEFAULT_SLICE_MS, yieldToEventLoop } from '../resilience/steps';

/** What the scan needs of the store. */
export type PerformanceReader = Pick<Store, 'selectColumnar'>;
type Part = { length: number; columns: Record<string, unknown[]> };
type Query = Parameters<Store['selectColumnar']>[2];

function read(store: PerformanceReader, columns: readonly string[], query: { where: Record<string, unknown>; order?: unknown; limit?: number }): Promise<Part> {
	return store.selectColumnar('campaign_performance', columns as never, query as Query) as unknown as Promise<Part>;
}

/**
 * `where` with `column` in `values`, `size` values a read, read one after the other as one result
 * (store/types.ts's selectColumnarParts; none when `values` is empty).
 */
function readIn(store: PerformanceReader, columns: readonly string[], where: Record<string, unknown>, column: string, values: readonly string[], size: number): Promise<PerformanceColumns> {
	const queries: Array<{ where: Record<string, unknown> }> = [];
	for (let i = 0; i < values.length; i += size) queries.push({ where: { ...where, [column]: { in: values.slice(i, i + size) } } });
	return selectColumnarParts(store, 'campaign_performance', columns as never, queries as never) as unknown as Promise<PerformanceColumns>;
}

export interface StoreScanOptions extends ScanOptions {
	/** Last day scanned (default: the latest day in the store). */
	end?: string;
	/** Days of history per series (default 182). */
	historyDays?: number;
	/** Only these platforms / accounts. */
	platform?: string;
	accountIds?: readonly string[];
	/** Read every series in full (one read; slower; lists every history problem). */
	full?: boolean;
}

export interface StoreScanResult extends ScanResult {
	end: string | null;
	read: { stage1Rows: number; stage2Rows: number; candidateAccounts: number; candidateCampaigns: number; full: boolean };
	timings: { readMs: number; detectMs: number };
}

const BASE_COLUMNS = ['date', 'platform', 'account_id', 'campaign_id', 'currency', 'spend', 'impressions', 'clicks', 'conversions', 'revenue'] as const;
/** Candidate ids per stage-2 read (100 campaigns × 182 days: about 18,000 rows a read). */
const CHUNK = 100;
/** Candidate accounts per stage-2 read (an account's every campaign is read: a few at a time). */
const ACCOUNTS_PER_READ = 2;
/** Gate days per stage-1 read (3 days of 10,000 campaigns: 30,000 rows). */
const DAYS_PER_READ = 3;

function baseWhere(options: StoreScanOptions, from: string, to: string): Record<string, unknown> {
	const where: Record<string, unknown> = { date: { gte: from, lte: to } };
	if (options.platform) where.platform = options.platform;
	if (options.accountIds && options.accountIds.length > 0) where.account_id = { in: [...options.accountIds] };
	return where;
}

async function latestDay(store: PerformanceReader, options: StoreScanOptions): Promise<string | null> {
	const where: Record<string, unknown> = {};
	if (options.platform) where.platform = options.platform;
	if (options.accountIds && options.accountIds.length > 0) where.account_id = { in: [...options.accountIds] };
	const r = await read(store, ['date'], { where, order: { column: 'date', ascending: false }, limit: 1 });
	return r.length > 0 ? String(r.columns.date[0]) : null;
}

function hasCurrencyChange(s: EntitySeries): boolean {
	let last = '';
	for (const c of s.currency) {
		if (c === '') continue;
		if (c === '*' || (last !== '' && c !== last)) return true;
		last = c;
	}
	return false;
}

/**
 * `scanSeries` a few series at a time, letting the event loop in every 10 ms
 * (issue 21: no block over 250 ms). Series are scanned independently, so the
 * result is the one of a single call: lists in series order, counts summed.
 */
async function scanInSlices(all: readonly EntitySeries[], options: ScanOptions): Promise<ScanResult> {
	const out: ScanResult = { anomalies: [], skipped: [], series: all.length, scanned: 0, decomposed: 0, quiet: 0 };
	let sliceStart = performance.now();
	for (let i = 0; i < all.length; i += SLICE_SERIES) {
		const part = scanSeries(all.slice(i, i + SLICE_SERIES), options);
		out.anomalies.push(...part.anomalies);
		out.skipped.push(...part.skipped);
		out.scanned += part.scanned;
		out.decomposed += part.decomposed;
		out.quiet += part.quiet;
		if (performance.now() - sliceStart >= DEFAULT_SLICE_MS) {
			await yieldToEventLoop();
			sliceStart = performance.now();
		}
	}
	return out;
}

/** Series per `scanSeries` call in `scanInSlices`. */
const SLICE_SERIES = 16;

export async function scanStore(store: PerformanceReader, options: StoreScanOptions = {}): Promise<StoreScanResult> {
	const t0 = performance.now();
	const end = options.end ?? (await latestDay(store, options));
	const lookback = options.lookbackDays ?? 3;
	const historyDays = options.historyDays ?? 182;
	const metrics = options.metrics ?? INSIGHT_METRICS;
	const empty = (readMs: number): StoreScanResult => ({ anomalies: [], skipped: [], series: 0, scanned: 0, decomposed: 0, quiet: 0, end, read: { stage1Rows: 0, stage2Rows: 0, candidateAccounts: 0, candidateCampaigns: 0, full: false }, timings: { readMs, detectMs: 0 } });
	if (!end) return empty(performance.now() - t0);
	const endDay = dayNumber(end);
	const start = dayString(endDay - historyDays + 1);
	const gateWeeks = options.gateWeeks ?? GATE_WEEKS;
	const recentDays = lookback + 7 * gateWeeks;
	const staged = !options.full && options.prefilter !== false && lookback > 0 && recentDays < historyDays;
	if (!staged) {
		const cols = await read(store, [...BASE_COLUMNS, 'campaign_name'], { where: baseWhere(options, start, end) });
		const t1 = performance.now();
		const series = buildSeries(cols as unknown as PerformanceColumns, { end, historyDays });
		await yieldToEventLoop();
		const res = await scanInSlices(series, options);
		return { ...res, end, read: { stage1Rows: cols.length, stage2Rows: 0, candidateAccounts: 0, candidateCampaigns: 0, full: true }, timings: { readMs: t1 - t0, detectMs: performance.now() - t1 } };
	}

	// --- stage 1: the recent days of every series ------------------------------------------------
	// only the days the gate reads: each lookback day and the same weekday of the `gateWeeks` weeks before it
	// (3 + 3 × 4 = 15 of the 31 days by default); the other days stay gaps, which the gate never reads
	const recentFrom = dayString(endDay - recentDays + 1);
	const gateDays: string[] = [];
	for (let k = 0; k <= gateWeeks; k++) for (let l = 0; l < lookback; l++) gateDays.push(dayString(endDay - l - 7 * k));
	// a few days per read: on PGlite a query blocks the event loop for its duration (about 50 ms per 30,000 rows when idle; the
	// store lets the loop in after each read), and each day is an index range, so the parts cost what one read does
	const recent = await readIn(store, BASE_COLUMNS, baseWhere(options, recentFrom, end), 'date', gateDays.sort(), DAYS_PER_READ);
	const t1 = performance.now();
	const recentSeries = buildSeries(recent, { end, historyDays: recentDays });
	await yieldToEventLoop();
	const tzAccounts = new Set<string>();
	for (const c of options.timeZoneChanges ?? []) {
		const d = dayNumber(c.date);
		if (d >= endDay - recentDays + 1 && d <= endDay) tzAccounts.add(`${c.platform}|${c.accountId}`);
	}
	const minChange = options.minChange ?? 0.3;
	const candidateAccounts = new Map<string, { platform: string; accountId: string }>();
	const candidateCampaigns = new Map<string, { platform: string; accountId: string; campaignId: string }>();
	const scratch = { values: new Float64Array(recentDays), volume: new Float64Array(recentDays) };
	let sliceStart = performance.now();
	for (const s of recentSeries) {
		// issue 21: the event loop gets a turn every 10 ms (a queue-mode worker renews its job lock)
		if (performance.now() - sliceStart >= DEFAULT_SLICE_MS) {
			await yieldToEventLoop();
			sliceStart = performance.now();
		}
		let candidate = tzAccounts.has(`${s.platform}|${s.accountId}`) || hasCurrencyChange(s);
		for (let m = 0; !candidate && m < metrics.length; m++) {
			candidate = windowMayFlag(metricSeries(s, metrics[m], scratch).values, s.days - lookback, minChange, gateWeeks);
		}
		if (!candidate) continue;
		if (s.campaignId === null) candidateAccounts.set(s.key, { platform: s.platform, accountId: s.accountId });
		else candidateCampaigns.set(s.key, { platform: s.platform, accountId: s.accountId, campaignId: s.campaignId });
	}
	for (const [key, c] of candidateCampaigns) if (candidateAccounts.has(`${c.platform}|${c.accountId}`)) candidateCampaigns.delete(key);
	const detect1 = performance.now() - t1;

	// --- stage 2: the whole history of the candidates ---------------------------------------------
	const columns = [...BASE_COLUMNS, 'campaign_name'];
	const accountIds = [...new Set([...candidateAccounts.values()].map((a) => a.accountId))];
	const campaignIds = [...new Set([...candidateCampaigns.values()].map((c) => c.campaignId))];
	const accountRows = await readIn(store, columns, baseWhere(options, start, end), 'account_id', accountIds, ACCOUNTS_PER_READ);
	const campaignRows = await readIn(store, columns, baseWhere(options, start, end), 'campaign_id', campaignIds, CHUNK);
	const t2 = performance.now();
	const series: EntitySeries[] = [];
	for (const s of buildSeries(accountRows, { end, historyDays })) {
		// the same account id on another platform was read too: only the candidates' accounts are complete
		if (candidateAccounts.has(`${s.platform}|${s.accountId}`)) series.push(s);
	}
	for (const s of buildSeries(campaignRows, { end, historyDays, accounts: false })) if (candidateCampaigns.has(s.key)) series.push(s);
	const res = await scanInSlices(series, options);
	const stage2Rows = accountRows.length + campaignRows.length;
	const scannedAll = recentSeries.length * metrics.length;
	return {
		...res,
		series: recentSeries.length,
		scanned: scannedAll,
		quiet: scannedAll - res.scanned + res.quiet,
		end,
		read: { stage1Rows: recent.length, stage2Rows, candidateAccounts: candidateAccounts.size, candidateCampaigns: candidateCampaigns.size, full: false },
		timings: { readMs: t2 - t0 - detect1, detectMs: detect1 + (performance.now() - t2) },
	};
}
