/**
 * Ad-level ingest (issue 20 item 2): one run per platform account, daily
 * metrics per ad into `ad_performance`, with the campaign ingest's rules
 * (run.ts): the same validation, FX conversion and rounding (normalize.ts
 * `prepareRows`, the ad's identity added to the natural key), the same
 * quarantine records (source `ingest_ad`, de-duplicated by content hash), and
 * the same idempotency: a row equal to the stored one is not written, so a
 * rerun of a window leaves the table byte-identical (values and updated_at).
 *
 * Window: the explicit one, else from `lookbackDays` before the last day the
 * account has in `ad_performance` to yesterday (the first run backfills
 * `initialBackfillDays`). Ad-level runs are not rows of `ingest_runs` (that
 * table's windows are the campaign ingest's): the outcome carries the counts,
 * `runId` is null.
 *
 * An ad row's identity is checked like the campaign's: a missing ad group or
 * ad id, or one carrying a NUL or a lone surrogate, quarantines the row.
 * Failure boundary as run.ts: nothing throws out of `runAdIngest`.
 */
import type { AdMetricRow, AdReporting } from '../platforms/ad-report';
import type { PlatformAdapter } from '../platforms/types';
import type { Platform, Row } from '../schema/rows';
import type { Store, ValidatedRow } from '../store/types';
import { validateRow } from '../store/validate';
import { cleanText, textFlaw } from '../text/clean';
import type { PerformanceRow, QuarantinedRow } from './normalize';
import { describeRow, toJsonSafe } from './quarantine';
import { bounded, checkConfig, dayRange, failedOutcome, prepareFetched, recordQuarantine, resolveAccountId, runWindow, IngestConfigError, type IngestDefaults, type IngestOutcome } from './run';

export const AD_QUARANTINE_SOURCE = 'ingest_ad';

export interface RunAdIngestOptions extends IngestDefaults {
	store: Store;
	adapter: PlatformAdapter & AdReporting;
	accountId: string;
	reportingCurrency: string;
	window?: { start: string; end: string };
}

export type AdPerformanceRow = Omit<PerformanceRow, 'ingest_run_id'> & { ad_group_id: string; ad_group_name: string | null; ad_id: string; ad_name: string | null };

const COMPARED = ['campaign_name', 'ad_group_name', 'ad_name', 'currency', 'source_currency', 'fx_rate', 'fx_rate_date', 'spend', 'impressions', 'clicks', 'conversions', 'revenue', 'leads'] as const;

export function adKey(row: { platform: string; account_id: string; campaign_id: string; ad_group_id: string; ad_id: string; date: string }): string {
	return [row.platform, row.account_id, row.campaign_id, row.ad_group_id, row.ad_id, row.date].join('\u0000');
}

/** The ad identity of a platform row, or why it is bad (the campaign identity's rules: present, never altered). */
export function adIdentity(raw: AdMetricRow): { key: string; columns: Record<string, string | null> } | { reason: string } {
	const reasons: string[] = [];
	const id = (value: unknown, label: string): string => {
		const text = typeof value === 'string' ? value.trim() : '';
		if (text === '') reasons.push(`${label} is missing`);
		else {
			const flaw = textFlaw(text);
			if (flaw !== undefined) reasons.push(`${label} ${flaw}; an identifier is never altered, so the row is quarantined`);
		}
		return text;
	};
	const group = id(raw.adGroupId, 'ad group id');
	const ad = id(raw.adId, 'ad id');
	if (reasons.length > 0) return { reason: `ad group ${group || '?'} ad ${ad || '?'}: ${reasons.join('; ')}` };
	const name = (v: unknown) => (typeof v === 'string' ? cleanText(v) : null);
	return { key: `${group}\u0000${ad}`, columns: { ad_group_id: group, ad_group_name: name(raw.adGroupName), ad_id: ad, ad_name: name(raw.adName) } };
}

/** The last day the account has in `ad_performance`, or null. */
export async function lastAdDay(store: Store, platform: string, accountId: string): Promise<string | null> {
	const rows = await store.select('ad_performance', { where: { platform, account_id: accountId }, order: { column: 'date', ascending: false }, limit: 1 });
	return rows.length > 0 ? rows[0].date : null;
}

function sameValues(stored: Row<'ad_performance'>, row: AdPerformanceRow): boolean {
	for (const column of COMPARED) if ((stored[column] ?? null) !== (row[column] ?? null)) return false;
	return true;
}

async function changedRows(store: Store, platform: string, accountId: string, rows: AdPerformanceRow[]): Promise<AdPerformanceRow[]> {
	if (rows.length === 0) return [];
	const { from, to } = dayRange(rows, { start: rows[0].date, end: rows[0].date });
	const stored = await store.select('ad_performance', { where: { platform, account_id: accountId, date: { gte: from, lte: to } } });
	const byKey = new Map(stored.map((s) => [adKey(s), s]));
	return rows.filter((r) => {
		const s = byKey.get(adKey(r));
		return !s || !sameValues(s, r);
	});
}

export async function runAdIngest(opts: RunAdIngestOptions): Promise<IngestOutcome> {
	const now = opts.now ?? (() => new Date());
	const t0 = performance.now();
	const platform = opts.adapter?.platform as Platform;
	const outcome = failedOutcome(platform, opts.accountId, null);
	const { store } = opts;
	return bounded(outcome, t0, async () => {
		checkConfig(opts, platform);
		if (typeof opts.adapter.fetchAdDailyMetrics !== 'function') throw new IngestConfigError(`${platform} does not report metrics per ad`);
		const accountId = await resolveAccountId(opts, platform);
		outcome.accountId = accountId;
		const window = await runWindow(opts, () => lastAdDay(store, platform, accountId), now());
		if (!window) {
			outcome.status = 'up_to_date';
			return outcome;
		}
		outcome.window = window;
		const fetched = await opts.adapter.fetchAdDailyMetrics({ accountId, since: window.start, until: window.end, signal: opts.signal });
		const batch = await prepareFetched(opts, platform, accountId, fetched, window, now, outcome, { entity: (raw) => adIdentity(raw as AdMetricRow) });
		const rows = batch.rows.map(({ ingest_run_id: _run, ...r }) => r as AdPerformanceRow);
		const changed = await changedRows(store, platform, accountId, rows);
		const valid: Array<ValidatedRow<'ad_performance'>> = [];
		for (const row of changed) {
			const checked = validateRow('ad_performance', row);
			if (checked.ok) valid.push(checked.row);
			else batch.quarantined.push(tableReject(row, checked.reason));
		}
		if (valid.length > 0) await store.upsert('ad_performance', valid, { chunkSize: opts.chunkSize });
		outcome.rowsWritten = valid.length;
		outcome.rowsUnchanged = rows.length - changed.length;
		outcome.rowsQuarantined = batch.quarantined.length;
		outcome.quarantineReasons = batch.quarantined.slice(0, 20).map((q) => q.reason);
		outcome.quarantineRecordsAdded = await recordQuarantine(store, null, batch.quarantined, AD_QUARANTINE_SOURCE);
		outcome.status = outcome.rowsQuarantined > 0 ? 'partial' : 'success';
		return outcome;
	});
}

function tableReject(row: AdPerformanceRow, reason: string): QuarantinedRow {
	return { platform: row.platform, accountId: row.account_id, payload: toJsonSafe(row), reason: `${describeRow({ platform: row.platform, accountId: row.account_id, campaignId: row.campaign_id, date: row.date })} ad ${row.ad_id}: ${reason}` };
}
