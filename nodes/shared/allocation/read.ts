/**
 * The stored daily history a budget plan fits its curves on: one columnar read
 * of `campaign_performance` for every account in scope (never one query per
 * campaign), turned into one day-by-day series per campaign (a day without a
 * row is a day without spend: paused, or not delivering).
 */
import { addDays, daysBetween } from '../ingest/dates';
import type { Store, Where } from '../store/types';

export interface HistoryScope {
	accounts: ReadonlyArray<{ platform: string; accountId: string }>;
	/** First and last day read, inclusive (`YYYY-MM-DD`). */
	from: string;
	to: string;
}

export interface StoredSeries {
	platform: string;
	accountId: string;
	campaignId: string;
	/** The rows' currency; `mixed` when they disagree (the series is then not usable). */
	currency: string | null;
	mixedCurrencies: string[];
	/** First day of the series (the campaign's first stored row in the window). */
	firstDate: string;
	spend: Float64Array;
	conversions: Float64Array;
	/** null when no row of the series reports revenue. */
	revenue: Float64Array | null;
}

const COLUMNS = ['date', 'platform', 'account_id', 'campaign_id', 'currency', 'spend', 'conversions', 'revenue'] as const;

export const seriesKey = (platform: string, accountId: string, campaignId: string): string => `${platform}\u0000${accountId}\u0000${campaignId}`;

/** Reads the scope's daily rows in one query; the series by `seriesKey`, and the number of rows read. */
export async function readDailyHistory(store: Store, scope: HistoryScope): Promise<{ series: Map<string, StoredSeries>; rows: number }> {
	const series = new Map<string, StoredSeries>();
	if (scope.accounts.length === 0) return { series, rows: 0 };
	const wanted = new Set(scope.accounts.map((a) => `${a.platform}\u0000${a.accountId}`));
	const where: Where<'campaign_performance'> = {
		platform: { in: [...new Set(scope.accounts.map((a) => a.platform))] },
		account_id: { in: [...new Set(scope.accounts.map((a) => a.accountId))] },
		date: { gte: scope.from, lte: scope.to },
	};
	const data = await store.selectColumnar('campaign_performance', COLUMNS, { where });
	const c = data.columns;
	// pass 1: each series' first day
	const first = new Map<string, string>();
	for (let i = 0; i < data.length; i++) {
		const p = String(c.platform[i]);
		const a = String(c.account_id[i]);
		if (!wanted.has(`${p}\u0000${a}`)) continue;
		const k = seriesKey(p, a, String(c.campaign_id[i]));
		const d = String(c.date[i]).slice(0, 10);
		const f = first.get(k);
		if (f === undefined || d < f) first.set(k, d);
	}
	for (const [k, f] of first) {
		const [platform, accountId, campaignId] = k.split('\u0000') as [string, string, string];
		const n = daysBetween(f, scope.to) + 1;
		series.set(k, { platform, accountId, campaignId, currency: null, mixedCurrencies: [], firstDate: f, spend: new Float64Array(n), conversions: new Float64Array(n), revenue: null });
	}
	// pass 2: the values
	for (let i = 0; i < data.length; i++) {
		const p = String(c.platform[i]);
		const a = String(c.account_id[i]);
		if (!wanted.has(`${p}\u0000${a}`)) continue;
		const s = series.get(seriesKey(p, a, String(c.campaign_id[i])))!;
		const day = daysBetween(s.firstDate, String(c.date[i]).slice(0, 10));
		const cur = c.currency[i] === null || c.currency[i] === undefined ? null : String(c.currency[i]);
		if (cur !== null) {
			if (s.currency === null) s.currency = cur;
			else if (cur !== s.currency && !s.mixedCurrencies.includes(cur)) s.mixedCurrencies.push(cur);
		}
		s.spend[day] = Number(c.spend[i] ?? 0);
		s.conversions[day] = Number(c.conversions[i] ?? 0);
		const rev = c.revenue[i];
		if (rev !== null && rev !== undefined) {
			if (!s.revenue) s.revenue = new Float64Array(s.spend.length);
			s.revenue[day] = Number(rev);
		}
	}
	return { series, rows: data.length };
}

/** The `days` complete days before `today` (UTC calendar day): [today - days, today - 1]. */
export function historyWindow(today: string, days: number): { from: string; to: string } {
	return { from: addDays(today, -days), to: addDays(today, -1) };
}
