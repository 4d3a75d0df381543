/**
 * The attribution operation over the store: read the events of a window
 * (conversions on the given days, touches from `lookbackDays` before),
 * stitch journeys, compute every model, write attributed_conversions. A rerun
 * over the same days overwrites their rows; a row it no longer produces (a
 * campaign that lost all credit, say after late events) is set to zero, so
 * the table always equals the last run.
 */
import type { Store } from '../store/types';
import { ATTRIBUTION_MODELS, type AttributeOptions, type AttributionModel } from './index';
import { attributedRows, stitchJourneys, type StoredEvent } from './stitch';

export interface AttributionRunOptions extends AttributeOptions {
	/** First and last conversion day (UTC), YYYY-MM-DD. */
	from: string;
	to: string;
	lookbackDays?: number;
	models?: readonly AttributionModel[];
	conversionTypes?: readonly string[];
	now?: () => Date;
}

export interface AttributionRunResult {
	events: number;
	journeys: number;
	conversions: number;
	/** Conversions with no touch in the window: nothing to credit. */
	unattributed: number;
	rowsWritten: number;
	rowsZeroed: number;
}

const COLUMNS = ['event_id', 'event_type', 'event_time', 'value', 'currency', 'platform', 'campaign_id', 'external_id_sha256', 'email_sha256', 'phone_sha256', 'gclid', 'fbclid', 'li_fat_id', 'ttclid', 'utm_source', 'utm_medium', 'utm_campaign'] as const;

function addDays(day: string, n: number): string {
	return new Date(Date.parse(`${day}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** Why these options cannot run (in words), or null. */
function optionsProblem(opts: AttributionRunOptions, lookbackDays: number): string | null {
	for (const [name, day] of [['from', opts.from], ['to', opts.to]] as const) {
		const ms = typeof day === 'string' && DAY.test(day) ? Date.parse(`${day}T00:00:00Z`) : NaN;
		if (Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 10) !== day) return `${name} must be a date YYYY-MM-DD`;
	}
	if (opts.from > opts.to) return `from (${opts.from}) is after to (${opts.to})`;
	if (!Number.isInteger(lookbackDays) || lookbackDays < 1 || lookbackDays > 365) return 'lookbackDays must be a whole number of days from 1 to 365';
	return null;
}

export async function runAttribution(store: Store, opts: AttributionRunOptions): Promise<AttributionRunResult> {
	const lookbackDays = opts.lookbackDays ?? 30;
	const problem = optionsProblem(opts, lookbackDays);
	if (problem) throw new Error(`Attribution not run: ${problem}.`);
	const models = opts.models ?? ATTRIBUTION_MODELS;
	const data = await store.selectColumnar('marketing_events', COLUMNS, {
		where: { event_time: { gte: `${addDays(opts.from, -lookbackDays)}T00:00:00Z`, lt: `${addDays(opts.to, 1)}T00:00:00Z` } },
	});
	const events: StoredEvent[] = new Array(data.length);
	for (let i = 0; i < data.length; i++) {
		const e = {} as Record<string, unknown>;
		for (const c of COLUMNS) e[c] = data.columns[c][i];
		events[i] = e as unknown as StoredEvent;
	}
	const all = stitchJourneys(events, { lookbackDays, conversionTypes: opts.conversionTypes });
	const from = Date.parse(`${opts.from}T00:00:00Z`);
	// conversions before `from` only close earlier journeys; they are not this run's to credit
	const journeys = all.filter((j) => !j.converted || (j.conversionTime as number) >= from);
	const computedAt = (opts.now ?? (() => new Date()))().toISOString();
	const rows = attributedRows(journeys, models, opts).map((r) => ({ ...r, lookback_days: lookbackDays, computed_at: computedAt }));
	const fresh = new Set(rows.map((r) => `${r.model}|${r.date}|${r.platform}|${r.campaign_id}|${r.currency}`));
	const before = await store.selectColumns('attributed_conversions', ['model', 'date', 'platform', 'campaign_id', 'currency'], {
		where: { date: { gte: opts.from, lte: opts.to }, model: { in: [...models] } },
	});
	const zeroed = before
		.filter((r) => !fresh.has(`${r.model}|${r.date}|${r.platform}|${r.campaign_id}|${r.currency}`))
		.map((r) => ({ ...r, conversions: 0, revenue: 0, lookback_days: lookbackDays, computed_at: computedAt }));
	const written = rows.length + zeroed.length ? (await store.upsert('attributed_conversions', [...rows, ...zeroed], { chunkSize: 2000 })).written : 0;
	const converting = journeys.filter((j) => j.converted);
	return {
		events: events.length,
		journeys: journeys.length,
		conversions: converting.length,
		unattributed: converting.filter((j) => j.touchpoints.length === 0).length,
		rowsWritten: written - zeroed.length,
		rowsZeroed: zeroed.length,
	};
}
