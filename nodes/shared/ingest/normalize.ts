/**
 * Platform rows → `campaign_performance` rows.
 *
 * Dates: kept exactly as the platform reports them, i.e. the calendar day in
 * the ad account's own time zone (LinkedIn: UTC). Re-bucketing hourly data
 * into one global zone is not possible from daily reports and would make our
 * numbers disagree with every platform UI; cross-platform sums per date are
 * therefore sums of account-local days (same as Fivetran's ad_reporting).
 *
 * Money: converted into the reporting currency (see fx.ts) and rounded once
 * to the reporting currency's minor unit; the row records the source
 * currency, the rate used and the rate's date (identity: rate 1, no date).
 */
import type { DailyMetricRow } from '../platforms/types';
import type { MetricRow } from '../metrics';
import type { Json, RowInput } from '../schema/rows';
import { canonicalAccountId } from './accounts';
import { convertMoney, type FxTable } from './fx';
import { describeRow, quarantinePayload } from './quarantine';
import { metricRowSchema, validateMetricRow, type ValidationContext, type ValidMetricRow } from './validate';

export type PerformanceRow = RowInput<'campaign_performance'> & MetricRow & {
	campaign_name: string | null;
	source_currency: string;
	fx_rate: number;
	fx_rate_date: string | null;
	ingest_run_id: string | null;
};

export interface QuarantinedRow {
	platform: string | null;
	accountId: string | null;
	payload: Json;
	reason: string;
}

export interface PreparedBatch {
	rows: PerformanceRow[];
	quarantined: QuarantinedRow[];
	/** Row-level warnings (conversions > clicks, collapsed duplicates). */
	warnings: string[];
	/** Rows kept with conversions > clicks. */
	flagged: number;
	/** Input rows dropped because a later row had the same natural key. */
	duplicates: number;
}

export interface PrepareOptions extends ValidationContext {
	reportingCurrency: string;
	fx: FxTable;
	ingestRunId?: string | null;
	/**
	 * The run's canonical account id. Row account ids are brought into the
	 * same canonical form; a row of another account is quarantined.
	 */
	accountId?: string;
	/**
	 * Rows below the campaign (ads.ts): the row's identity below its campaign
	 * (part of the natural key) and the columns it adds, or why it is bad
	 * (quarantined like any other bad row).
	 */
	entity?: (raw: DailyMetricRow) => { key: string; columns: Record<string, string | null> } | { reason: string };
}

/** Converts one validated row; a missing or stale FX rate yields a reason instead. */
export function normalizeRow(
	row: ValidMetricRow,
	opts: { reportingCurrency: string; fx: FxTable; ingestRunId?: string | null },
): { ok: true; row: PerformanceRow } | { ok: false; reason: string } {
	const found = opts.fx.lookup(row.currency, row.date);
	if (!found.ok) return { ok: false, reason: found.reason };
	const { fx } = found;
	return {
		ok: true,
		row: {
			date: row.date,
			platform: row.platform,
			account_id: row.accountId,
			campaign_id: row.campaignId,
			campaign_name: row.campaignName,
			currency: opts.reportingCurrency,
			source_currency: row.currency,
			fx_rate: fx.rate,
			fx_rate_date: fx.rateDate,
			spend: convertMoney(row.spend, fx, opts.reportingCurrency),
			impressions: row.impressions,
			clicks: row.clicks,
			conversions: row.conversions,
			revenue: row.revenue === null ? null : convertMoney(row.revenue, fx, opts.reportingCurrency),
			leads: row.leads,
			ingest_run_id: opts.ingestRunId ?? null,
		},
	};
}

export function naturalKey(row: { platform: string; account_id: string; campaign_id: string; date: string }): string {
	return `${row.platform}\u0000${row.account_id}\u0000${row.campaign_id}\u0000${row.date}`;
}

const MAX_WARNINGS = 50;

/** Validates, converts and de-duplicates a batch; bad rows become quarantine records, the rest continues. */
export function prepareRows(input: ReadonlyArray<DailyMetricRow>, opts: PrepareOptions): PreparedBatch {
	const schema = metricRowSchema(opts);
	const byKey = new Map<string, PerformanceRow>();
	const quarantined: QuarantinedRow[] = [];
	const warnings: string[] = [];
	let flagged = 0;
	let duplicates = 0;
	const warn = (text: string) => {
		if (warnings.length < MAX_WARNINGS) warnings.push(text);
	};
	// canonical form of each distinct account id (a batch has one or a few)
	const canonical = new Map<string, string>();
	const canonicalOf = (id: string): string => {
		let c = canonical.get(id);
		if (c === undefined) canonical.set(id, (c = canonicalAccountId(opts.platform, id)));
		return c;
	};
	for (const raw of input) {
		const bad = (reason: string) =>
			quarantined.push({
				platform: typeof raw?.platform === 'string' ? raw.platform : opts.platform,
				accountId: typeof raw?.accountId === 'string' && raw.accountId.trim() !== '' ? canonicalAccountId(opts.platform, raw.accountId) : null,
				payload: quarantinePayload(raw),
				reason: `${describeRow(raw)}: ${reason}`,
			});
		if (raw === null || typeof raw !== 'object') {
			quarantined.push({ platform: opts.platform, accountId: null, payload: quarantinePayload({ raw: raw as unknown } as unknown as DailyMetricRow), reason: 'not a row object' });
			continue;
		}
		const checked = validateMetricRow(schema, raw, opts);
		if (!checked.ok) {
			bad(checked.reasons.join('; '));
			continue;
		}
		const account = canonicalOf(checked.row.accountId);
		if (opts.accountId !== undefined && account !== opts.accountId) {
			bad(`the row belongs to account ${account}, not to the run's account ${opts.accountId}`);
			continue;
		}
		checked.row.accountId = account;
		const converted = normalizeRow(checked.row, opts);
		if (!converted.ok) {
			bad(converted.reason);
			continue;
		}
		let key = naturalKey(converted.row);
		if (opts.entity) {
			const entity = opts.entity(raw);
			if ('reason' in entity) {
				bad(entity.reason);
				continue;
			}
			Object.assign(converted.row, entity.columns);
			key += `\u0000${entity.key}`;
		}
		if (checked.warnings.length > 0) {
			flagged++;
			for (const w of checked.warnings) warn(`${describeRow(raw)}: ${w}`);
		}
		if (byKey.has(key)) {
			duplicates++;
			byKey.delete(key); // last wins, in last-seen order
			warn(`${describeRow(raw)}: reported more than once; the last row wins`);
		}
		byKey.set(key, converted.row);
	}
	return { rows: [...byKey.values()], quarantined, warnings, flagged, duplicates };
}
