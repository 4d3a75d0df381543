/**
 * One ingest run per platform account: window → fetch → validate + normalize
 * → write changed rows → quarantine bad rows → one `ingest_runs` row.
 *
 * Window: from the day after the last successful (or partial) run's
 * `window_end`, minus `lookbackDays` (late conversions change the past), to
 * yesterday in the account's time zone; the first run backfills
 * `initialBackfillDays`. Idempotent: rows whose values equal the stored ones
 * are not written at all, so a rerun of the same window leaves
 * `campaign_performance` byte-identical (values, `ingest_run_id` and
 * `updated_at`); a corrected value overwrites and points `ingest_run_id` at the
 * run that wrote it. Changed rows are checked against the table's own
 * schema before the upsert (a row the store would reject is quarantined, not
 * the whole batch), and the store takes them without parsing them again.
 * Quarantine records are de-duplicated by the database on (source,
 * content_hash). Account ids are canonical (accounts.ts) everywhere.
 *
 * Failure boundary: nothing throws out of `runIngest`. A PlatformApiError (or
 * any other error) ends that account's run as `failed`, with the error's hint
 * and retry delay, in the returned outcome and in `ingest_runs.error`.
 */
import type { PlatformAdapter, DailyMetricRow, DailyMetricsResult, CallMeta } from '../platforms/types';
import { isKnownCurrency } from '../platforms/currency';
import { PLATFORM_REGISTRY } from '../platforms/registry';
import { isPlatformApiError, type PlatformErrorKind } from '../resilience/errors';
import { PLATFORMS, type Platform, type Row } from '../schema/rows';
import type { Json, RowInput, Store, ValidatedRow } from '../store/types';
import { checkChunkSize, validateRow } from '../store/validate';
import { canonicalAccountId } from './accounts';
import { computeWindow, dayIn, isValidTimeZone, type IngestWindow } from './dates';
import { FxTable } from './fx';
import { naturalKey, prepareRows, type PerformanceRow, type PrepareOptions, type PreparedBatch, type QuarantinedRow } from './normalize';
import { describeRow, quarantineHash, toJsonSafe } from './quarantine';

export const QUARANTINE_SOURCE = 'ingest';

export interface IngestDefaults {
	/** Days already loaded that are fetched again (default 3). */
	lookbackDays?: number;
	/** Days fetched on the first run of an account (default 30). */
	initialBackfillDays?: number;
	/** Time zone for "yesterday" before the account's own zone is known (default UTC). */
	timezone?: string;
	/** Oldest FX rate accepted for a row, in days before the row's date (default 7). */
	maxFxRateAgeDays?: number;
	/** Rows per upsert statement (default: the store's, 500). */
	chunkSize?: number;
	signal?: AbortSignal;
	/** Clock (tests): the current instant. */
	now?: () => Date;
}

export interface RunIngestOptions extends IngestDefaults {
	store: Store;
	adapter: PlatformAdapter;
	/** Defaults to `adapter.platform`. */
	platform?: Platform;
	accountId: string;
	/** ISO 4217 code every money column is converted into. */
	reportingCurrency: string;
	/** Explicit window (manual backfill / re-ingest); overrides the computed one. */
	window?: { start: string; end: string };
}

export type IngestStatus = 'success' | 'partial' | 'failed' | 'up_to_date';

export interface IngestErrorInfo {
	message: string;
	kind: PlatformErrorKind | 'store' | 'internal';
	hint: string | null;
	retryable: boolean;
	retryAfterMs: number | null;
	httpStatus: number | null;
}

export interface IngestOutcome {
	platform: Platform;
	/** Canonical account id (accounts.ts): the id in `ingest_runs` and on every stored row. */
	accountId: string;
	status: IngestStatus;
	/** `ingest_runs.id` (null when nothing was started). */
	runId: string | null;
	window: { start: string; end: string; mode: 'backfill' | 'incremental' | 'manual' } | null;
	/** Account time zone the dates are in. */
	timezone: string | null;
	rowsFetched: number;
	/** Rows inserted or changed. */
	rowsWritten: number;
	/** Valid rows equal to what was already stored (not written). */
	rowsUnchanged: number;
	/** Bad rows seen in this run (each is in `quarantine`, recorded once). */
	rowsQuarantined: number;
	/** Quarantine records added by this run (the others were recorded by an earlier run). */
	quarantineRecordsAdded: number;
	/** Kept rows with conversions > clicks. */
	rowsFlagged: number;
	duplicatesCollapsed: number;
	/** The first quarantine reasons (at most 20). */
	quarantineReasons: string[];
	warnings: string[];
	fetch: CallMeta | null;
	durationMs: number;
	error: IngestErrorInfo | null;
}

const DEFAULT_LOOKBACK = 3;
const DEFAULT_BACKFILL = 30;
const DEFAULT_FX_AGE = 7;

export class IngestConfigError extends Error {
	override readonly name = 'IngestConfigError';
}

export function errorInfo(error: unknown): IngestErrorInfo {
	if (isPlatformApiError(error)) {
		return {
			message: error.message,
			kind: error.kind,
			hint: error.hint,
			retryable: error.retryable,
			retryAfterMs: error.retryAfterMs ?? null,
			httpStatus: error.httpStatus ?? null,
		};
	}
	const e = error instanceof Error ? error : new Error(String(error));
	const isStore = e.name.startsWith('Store');
	const config = e instanceof IngestConfigError;
	return {
		message: e.message,
		kind: config ? 'config' : isStore ? 'store' : 'internal',
		hint: config ? e.message : null,
		retryable: false,
		retryAfterMs: null,
		httpStatus: null,
	};
}

/** The text stored in `ingest_runs.error`. */
export function errorText(info: IngestErrorInfo): string {
	const retry = info.retryAfterMs !== null ? ` (retry after ${Math.ceil(info.retryAfterMs / 1000)} s)` : '';
	return `[${info.kind}] ${info.message}${retry}`;
}

export function checkConfig(opts: Pick<RunIngestOptions, 'accountId' | 'reportingCurrency' | 'timezone'>, platform: string): void {
	if (!(PLATFORMS as readonly string[]).includes(platform)) throw new IngestConfigError(`Unknown platform "${platform}"`);
	if (typeof opts.accountId !== 'string') throw new IngestConfigError('The account id is empty');
	if (!isKnownCurrency(opts.reportingCurrency)) throw new IngestConfigError(`Reporting currency "${opts.reportingCurrency}" is not an ISO 4217 code`);
	if (opts.timezone !== undefined && !isValidTimeZone(opts.timezone)) throw new IngestConfigError(`Unknown time zone "${opts.timezone}"`);
}

/**
 * The canonical id of the run's account. A platform whose credential belongs
 * to exactly one account (registry `ingest.accountFromCredential`: Klaviyo's
 * private API key) may be given no id: the API names the account.
 */
export async function resolveAccountId(opts: Pick<RunIngestOptions, 'accountId' | 'adapter' | 'signal'>, platform: Platform): Promise<string> {
	const id = canonicalAccountId(platform, opts.accountId);
	if (id !== '') return id;
	if (!PLATFORM_REGISTRY[platform].ingest.accountFromCredential) throw new IngestConfigError('The account id is empty');
	const account = await opts.adapter.describeAccount('', opts.signal);
	const resolved = canonicalAccountId(platform, account.accountId ?? '');
	if (resolved === '') throw new IngestConfigError(`The account id is empty and ${PLATFORM_REGISTRY[platform].label} did not name the credential's account`);
	return resolved;
}

/** `window_end` of the last run of this account that loaded data (success or partial). */
export async function lastLoadedEnd(store: Store, platform: string, accountId: string): Promise<string | null> {
	const runs = await store.select('ingest_runs', {
		where: { platform, account_id: accountId, outcome: { in: ['success', 'partial'] } },
		order: { column: 'window_end', ascending: false },
		limit: 1,
	});
	return runs.length > 0 ? runs[0].window_end : null;
}

const COMPARED = ['campaign_name', 'currency', 'source_currency', 'fx_rate', 'fx_rate_date', 'spend', 'impressions', 'clicks', 'conversions', 'revenue', 'leads'] as const;

function sameValues(stored: Row<'campaign_performance'>, row: PerformanceRow): boolean {
	for (const column of COMPARED) {
		if ((stored[column] ?? null) !== (row[column] ?? null)) return false;
	}
	return true;
}

/** Rows of `rows` that are new or differ from the stored ones. */
async function changedRows(store: Store, platform: string, rows: PerformanceRow[]): Promise<PerformanceRow[]> {
	if (rows.length === 0) return [];
	let min = rows[0].date;
	let max = rows[0].date;
	const accounts = new Set<string>();
	for (const r of rows) {
		if (r.date < min) min = r.date;
		if (r.date > max) max = r.date;
		accounts.add(r.account_id);
	}
	const stored = await store.select('campaign_performance', {
		where: { platform, account_id: { in: [...accounts] }, date: { gte: min, lte: max } },
	});
	if (stored.length === 0) return rows;
	const byKey = new Map(stored.map((s) => [naturalKey(s), s]));
	return rows.filter((r) => {
		const s = byKey.get(naturalKey(r));
		return !s || !sameValues(s, r);
	});
}

export function dayRange(rows: ReadonlyArray<{ date: unknown }>, fallback: { start: string; end: string }): { from: string; to: string } {
	let from = fallback.start;
	let to = fallback.end;
	for (const r of rows) {
		if (typeof r.date !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(r.date)) continue;
		if (r.date < from) from = r.date;
		if (r.date > to) to = r.date;
	}
	return { from, to };
}

/** An outcome before anything happened: failed, nothing counted (the run fills it in). */
export function failedOutcome(platform: Platform, accountId: string, error: IngestErrorInfo | null): IngestOutcome {
	return {
		platform,
		accountId,
		status: 'failed',
		runId: null,
		window: null,
		timezone: null,
		rowsFetched: 0,
		rowsWritten: 0,
		rowsUnchanged: 0,
		rowsQuarantined: 0,
		quarantineRecordsAdded: 0,
		rowsFlagged: 0,
		duplicatesCollapsed: 0,
		quarantineReasons: [],
		warnings: [],
		fetch: null,
		durationMs: 0,
		error,
	};
}

export async function runIngest(opts: RunIngestOptions): Promise<IngestOutcome> {
	const now = opts.now ?? (() => new Date());
	const startedAt = now();
	const t0 = performance.now();
	const platform = (opts.platform ?? opts.adapter?.platform) as Platform;
	const outcome = failedOutcome(platform, opts.accountId, null);
	const { store } = opts;
	return bounded(outcome, t0, async () => {
		checkConfig(opts, platform);
		const accountId = await resolveAccountId(opts, platform);
		outcome.accountId = accountId;
		const window = await runWindow(opts, () => lastLoadedEnd(store, platform, accountId), startedAt);
		if (!window) {
			outcome.status = 'up_to_date';
			return outcome;
		}
		outcome.window = { start: window.start, end: window.end, mode: window.mode };

		const { ids } = await store.insert('ingest_runs', [
			{ platform, account_id: accountId, window_start: window.start, window_end: window.end, started_at: startedAt.toISOString() },
		]);
		const runId = ids[0];
		outcome.runId = runId;
		try {
			await loadWindow(opts, platform, accountId, runId, window, now, outcome);
			outcome.status = outcome.rowsQuarantined > 0 ? 'partial' : 'success';
		} catch (error) {
			outcome.status = 'failed';
			outcome.error = errorInfo(error);
		}
		outcome.durationMs = Math.round(performance.now() - t0);
		try {
			await store.update(
				'ingest_runs',
				{ id: runId },
				{
					finished_at: now().toISOString(),
					duration_ms: outcome.durationMs,
					rows_written: outcome.rowsWritten,
					rows_quarantined: outcome.rowsQuarantined,
					rows_unchanged: outcome.rowsUnchanged,
					rows_flagged: outcome.rowsFlagged,
					warnings: storedWarnings(outcome.warnings),
					outcome: outcome.status as 'success' | 'partial' | 'failed',
					error: outcome.error ? errorText(outcome.error) : null,
				},
			);
		} catch (error) {
			// the data is written; the bookkeeping failed: report it, keep the counts
			outcome.status = 'failed';
			const info = errorInfo(error);
			outcome.error = outcome.error ?? { ...info, message: `recording the ingest run failed: ${info.message}` };
		}
		return outcome;
	});
}

/** A run's window: the explicit one, else `computeWindow` from the last day loaded (`lastEnd`) and today in the run's time zone; null when up to date. */
export async function runWindow(
	opts: Pick<RunIngestOptions, 'window' | 'lookbackDays' | 'initialBackfillDays' | 'timezone'>,
	lastEnd: () => Promise<string | null>,
	at: Date,
): Promise<IngestWindow | { start: string; end: string; mode: 'manual' } | null> {
	if (opts.window) {
		if (!(opts.window.start <= opts.window.end)) throw new IngestConfigError(`Window start ${opts.window.start} is after its end ${opts.window.end}`);
		return { ...opts.window, mode: 'manual' };
	}
	const today = dayIn(opts.timezone ?? 'UTC', at);
	return computeWindow({ lastEnd: await lastEnd(), lookbackDays: opts.lookbackDays ?? DEFAULT_LOOKBACK, initialBackfillDays: opts.initialBackfillDays ?? DEFAULT_BACKFILL, today });
}

/** The failure boundary of a run (campaigns here, ads in ads.ts): nothing throws out; a throw fails the outcome with its error; `durationMs` is the time since `t0`. */
export async function bounded(outcome: IngestOutcome, t0: number, run: () => Promise<IngestOutcome>): Promise<IngestOutcome> {
	try {
		return await run();
	} catch (error) {
		outcome.status = 'failed';
		outcome.error = errorInfo(error);
		return outcome;
	} finally {
		outcome.durationMs = Math.round(performance.now() - t0);
	}
}

const MAX_STORED_WARNINGS = 100;
const MAX_WARNING_LENGTH = 1000;

/** `ingest_runs.warnings`: the run's warnings, at most 100, each at most 1000 characters. */
export function storedWarnings(warnings: ReadonlyArray<string>): Json {
	const out: Json[] = warnings.slice(0, MAX_STORED_WARNINGS).map((w) => (w.length > MAX_WARNING_LENGTH ? `${w.slice(0, MAX_WARNING_LENGTH - 1)}…` : w));
	if (warnings.length > MAX_STORED_WARNINGS) out.push(`… and ${warnings.length - MAX_STORED_WARNINGS} more`);
	return out;
}

/**
 * What every run does with a platform's answer (campaign rows here, ad rows in ads.ts): count it,
 * check it is the run's account, take the account's time zone, load the FX rates of its days and
 * validate, convert and de-duplicate its rows (`extra`: the run id, the ad identity).
 */
export async function prepareFetched(
	opts: Pick<RunIngestOptions, 'store' | 'timezone' | 'reportingCurrency' | 'maxFxRateAgeDays'>,
	platform: Platform,
	accountId: string,
	fetched: Omit<DailyMetricsResult, 'rows'> & { rows: ReadonlyArray<DailyMetricRow> },
	window: { start: string; end: string },
	now: () => Date,
	outcome: IngestOutcome,
	extra: Pick<PrepareOptions, 'ingestRunId' | 'entity'>,
): Promise<PreparedBatch> {
	outcome.fetch = fetched.meta ?? null;
	outcome.rowsFetched = fetched.rows.length;
	outcome.warnings.push(...(fetched.warnings ?? []));
	const reported = typeof fetched.account?.accountId === 'string' ? canonicalAccountId(platform, fetched.account.accountId) : '';
	if (reported !== '' && reported !== accountId) {
		throw new IngestConfigError(`The ${platform} API answered for account ${reported}, not ${accountId}: set the account id to ${reported}`);
	}

	const accountZone = fetched.account?.timezone ?? null;
	let timezone = opts.timezone ?? 'UTC';
	if (accountZone && isValidTimeZone(accountZone)) timezone = accountZone;
	else if (accountZone) outcome.warnings.push(`Unknown account time zone "${accountZone}"; future dates are checked in ${timezone}`);
	outcome.timezone = timezone;

	const range = dayRange(fetched.rows, window);
	const fx = await FxTable.load(opts.store, opts.reportingCurrency, range.from, range.to, opts.maxFxRateAgeDays ?? DEFAULT_FX_AGE);
	const batch = prepareRows(fetched.rows, {
		platform,
		today: dayIn(timezone, now()),
		timezone,
		accountCurrency: fetched.account?.currency ?? null,
		reportingCurrency: opts.reportingCurrency,
		fx,
		accountId,
		...extra,
	});
	outcome.rowsFlagged = batch.flagged;
	outcome.duplicatesCollapsed = batch.duplicates;
	outcome.warnings.push(...batch.warnings);
	return batch;
}

async function loadWindow(
	opts: RunIngestOptions,
	platform: Platform,
	accountId: string,
	runId: string,
	window: { start: string; end: string },
	now: () => Date,
	outcome: IngestOutcome,
): Promise<void> {
	const { store } = opts;
	const fetched: DailyMetricsResult = await opts.adapter.fetchDailyMetrics({
		accountId,
		since: window.start,
		until: window.end,
		signal: opts.signal,
	});
	const batch = await prepareFetched(opts, platform, accountId, fetched, window, now, outcome, { ingestRunId: runId });

	const changed = await changedRows(store, platform, batch.rows);
	// The table's own schema, once: a row it rejects is quarantined (not the
	// batch), and the store takes the validated rows without parsing them again.
	const written = await writeChanged(store, changed, opts.chunkSize, batch.quarantined);
	outcome.rowsWritten = written;
	outcome.rowsUnchanged = batch.rows.length - changed.length;
	outcome.rowsQuarantined = batch.quarantined.length;
	outcome.quarantineReasons = batch.quarantined.slice(0, 20).map((q) => q.reason);
	outcome.quarantineRecordsAdded = await recordQuarantine(store, runId, batch.quarantined);
}

/** Checks rows against `campaign_performance`'s own schema; a rejected row becomes a quarantine record. */
function validForTable(rows: ReadonlyArray<PerformanceRow>, quarantined: QuarantinedRow[]): Array<ValidatedRow<'campaign_performance'>> {
	const valid: Array<ValidatedRow<'campaign_performance'>> = [];
	for (const row of rows) {
		const checked = validateRow('campaign_performance', row);
		if (checked.ok) valid.push(checked.row);
		else {
			// The run id is not part of what was wrong: leaving it out keeps the content hash (and so the record) the same across reruns.
			const { ingest_run_id: _run, ...payload } = row;
			quarantined.push({ platform: row.platform, accountId: row.account_id, payload: toJsonSafe(payload), reason: `${describeRow({ platform: row.platform, accountId: row.account_id, campaignId: row.campaign_id, date: row.date })}: ${checked.reason}` });
		}
	}
	return valid;
}

/** Stores that run a transaction over several statements (PostgREST does not). */
const TRANSACTIONAL = new Set<string>(['postgres', 'embedded']);

/**
 * Validates the changed rows with the table's schema and upserts the valid
 * ones; returns how many were written. On a SQL store every chunk is written
 * in one transaction (all or nothing, as one `upsert` call is), and the next
 * chunk is validated while the database writes the previous one, so the
 * CPU work overlaps the I/O. Rows, their order, the quarantine records and
 * their order are the same as validating everything first.
 */
async function writeChanged(
	store: Store,
	changed: ReadonlyArray<PerformanceRow>,
	chunkSize: number | undefined,
	quarantined: QuarantinedRow[],
): Promise<number> {
	let size: number | undefined;
	try {
		size = checkChunkSize(chunkSize);
	} catch {
		size = undefined; // the store reports it, as before
	}
	if (size === undefined || !TRANSACTIONAL.has(store.kind)) {
		const valid = validForTable(changed, quarantined);
		if (valid.length > 0) await store.upsert('campaign_performance', valid, { chunkSize });
		return valid.length;
	}
	if (changed.length === 0) return 0;
	const step = size;
	const chunks = Math.ceil(changed.length / step);
	const validChunk = (index: number) => validForTable(changed.slice(index * step, (index + 1) * step), quarantined);
	let written = 0;
	let next = validChunk(0);
	if (chunks === 1 && next.length === 0) return 0;
	await store.transaction(async (tx) => {
		for (let index = 0; index < chunks; index++) {
			const part = next;
			const writing = part.length > 0 ? tx.upsert('campaign_performance', part, { chunkSize: step }) : undefined;
			// handled below; this only keeps a failure from counting as unhandled while the next chunk is validated
			writing?.catch(() => undefined);
			if (index + 1 < chunks) next = validChunk(index + 1);
			if (writing) {
				try {
					await writing;
				} catch (error) {
					// one statement per call here: name the chunk of the whole batch, as a single upsert call does
					if (error instanceof Error) error.message = error.message.replace('(chunk 1/1,', `(chunk ${index + 1}/${chunks},`);
					throw error;
				}
				written += part.length;
			}
		}
	});
	return written;
}

/** Quarantine rows of a run; the content hash makes the database keep the first sighting of each record. */
export function quarantineRows(runId: string | null, records: ReadonlyArray<QuarantinedRow>, source = QUARANTINE_SOURCE): Array<RowInput<'quarantine'>> {
	return records.map((q) => ({
		source,
		platform: q.platform,
		account_id: q.accountId,
		ingest_run_id: runId,
		raw_payload: q.payload,
		reason: q.reason,
		content_hash: quarantineHash(q.platform, q.accountId, q.payload, q.reason),
	}));
}

/** Writes the records the database does not hold yet (ON CONFLICT (source, content_hash) DO NOTHING); returns how many were new. */
export async function recordQuarantine(store: Store, runId: string | null, records: ReadonlyArray<QuarantinedRow>, source = QUARANTINE_SOURCE): Promise<number> {
	if (records.length === 0) return 0;
	const { written } = await store.upsert('quarantine', quarantineRows(runId, records, source), { onConflict: 'ignore' });
	return written;
}

export interface IngestAccount extends IngestDefaults {
	adapter: PlatformAdapter;
	accountId: string;
	platform?: Platform;
	window?: { start: string; end: string };
}

export interface RunIngestAllOptions extends IngestDefaults {
	store: Store;
	reportingCurrency: string;
	/** Accounts run at the same time (default 1: one after the other). */
	concurrency?: number;
}

/**
 * Runs every account independently: one account failing (API error, bad
 * configuration, even an unexpected exception) never loses the others.
 * Outcomes are returned in input order.
 */
export async function runIngestAll(accounts: ReadonlyArray<IngestAccount>, shared: RunIngestAllOptions): Promise<IngestOutcome[]> {
	const { concurrency = 1, ...defaults } = shared;
	const outcomes: IngestOutcome[] = new Array<IngestOutcome>(accounts.length);
	let next = 0;
	const worker = async () => {
		while (next < accounts.length) {
			const index = next++;
			const account = accounts[index];
			try {
				outcomes[index] = await runIngest({ ...defaults, ...account });
			} catch (error) {
				outcomes[index] = failedOutcome((account.platform ?? account.adapter?.platform) as Platform, account.accountId, errorInfo(error));
			}
		}
	};
	const workers = Math.max(1, Math.min(Math.floor(concurrency) || 1, accounts.length));
	await Promise.all(Array.from({ length: workers }, worker));
	return outcomes;
}
