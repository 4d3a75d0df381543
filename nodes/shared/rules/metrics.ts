/**
 * Metric history pre-aggregated for window queries.
 *
 * `buildMetricIndex` takes the `campaign_performance` rows of one batch read
 * (any order) and builds, per campaign, its days in order with prefix sums of
 * every base metric, so the sums of any window are two binary searches and a
 * subtraction, whatever the number of rules and windows.
 *
 * Exact sums: money and conversions are summed as integer micro-units
 * (value × 10^6, rounded), counts as integers; every sum below 2^53 micro-units
 * (9 billion major units per campaign lifetime) is exact, so a window's sum does
 * not depend on the order of the rows.
 *
 * NULL handling (as the table's columns): spend, impressions, clicks and
 * conversions read NULL as 0; revenue and leads stay "not reported" — a
 * window's revenue is null when no row in it reports revenue, otherwise the sum
 * of the reported values.
 *
 * Derived metrics of a window are ratios of its sums with the same rules as the
 * GENERATED columns (the metrics module, `metrics/index.ts`): null when the denominator is 0 (or
 * revenue/leads is not reported). The quotient is the IEEE double of the exact
 * sums; the database's `numeric` division of a single row agrees to ~1e-15
 * relative, which no threshold can observe (a unit test checks this).
 *
 * Comment signal (`ad_comment_signals` rows, optional second input): per
 * campaign, the comments, negative and abusive comments of its ads are summed
 * per day into a series of their own (same key, own days), with prefix sums
 * like the metrics. A day without a signal row has 0 comments; the shares of a
 * window are ratios of its sums, null when it has no comment. Rows without a
 * campaign (the comment's campaign was not known) or with impossible counts
 * are rejected with their reason (`rejectedSignals`).
 */
import { BASE_METRICS, COMMENT_COUNT_METRICS, COMMENT_SHARE_METRICS, RulesInputError, type BaseMetric, type CommentCountMetric, type CommentShareMetric, type DerivedMetric, type Metric } from './rule-types';
import { dayNumber, dayString } from './time';
import { runSteps, runStepsAsync, type Steps } from '../resilience/steps';
import { ratio, type MetricRow } from '../metrics';
import type { InsightRuleValues } from '../insights/rule-metrics';
import type { AttributionRuleValues } from '../attribution/rule-metrics';
import type { FirstPartyRuleValues } from '../events/rule-metrics';

/** A `campaign_performance` row as the store returns it (extra columns are ignored). */
export interface MetricRowInput {
	date: string;
	platform: string;
	account_id: string;
	campaign_id: string;
	currency: string;
	spend: number | string | null;
	impressions: number | string | null;
	clicks: number | string | null;
	conversions: number | string | null;
	revenue?: number | string | null;
	leads?: number | string | null;
	/**
	 * An `ad_performance` row's ad (rules of level `ad`): the row belongs to
	 * the ad's own series (`entityKey(…, ad_id)`), never to its campaign's.
	 */
	ad_id?: string | null;
}

/**
 * A batch of `campaign_performance` rows as parallel arrays (a columnar store
 * read: `Store.selectColumnar`): row i is `{ date: date[i], platform: platform[i], … }`.
 * Saves one object per row on large reads.
 */
export type MetricColumns = ColumnsOf<MetricRowInput>;

/** Rows of type R as parallel arrays: one array per field (an optional field's array may be absent). */
export interface ColumnsOf<R> {
	length: number;
	columns: { [K in keyof R]: ReadonlyArray<Exclude<R[K], undefined>> };
}

/**
 * An `ad_comment_signals` row as the store returns it (extra columns are
 * ignored): one ad's counts of one day (the account's calendar day).
 */
export interface CommentSignalRowInput {
	date: string;
	platform: string;
	account_id: string;
	/** The ad's campaign; rows without one cannot be attributed and are rejected. */
	campaign_id: string | null;
	/** The ad; given, two rows of one ad and day are refused (the table's natural key). */
	ad_id?: string | null;
	comments: number | string | null;
	negative_comments: number | string | null;
	abusive_comments: number | string | null;
}

/** `ad_comment_signals` rows as parallel arrays (`Store.selectColumnar`). */
export type CommentSignalColumns = ColumnsOf<CommentSignalRowInput>;

/** The fields of a `campaign_performance` row the index reads, in table order. */
const METRIC_ROW_FIELDS = ['date', 'platform', 'account_id', 'campaign_id', 'currency', 'spend', 'impressions', 'clicks', 'conversions', 'revenue', 'leads', 'ad_id'] as const;
/** The fields of an `ad_comment_signals` row the index reads. */
const SIGNAL_ROW_FIELDS = ['date', 'platform', 'account_id', 'campaign_id', 'ad_id', 'comments', 'negative_comments', 'abusive_comments'] as const;

/**
 * Row i of rows or columns; columns are read through one reused object
 * (valid until the next call), an absent optional column as null.
 */
function columnReader<R extends object>(input: readonly R[] | ColumnsOf<R>, names: ReadonlyArray<keyof R & string>): { n: number; row: (i: number) => R } {
	if (Array.isArray(input)) return { n: input.length, row: (i) => input[i] };
	const { length, columns } = input as { length: number; columns: Partial<Record<string, ReadonlyArray<unknown>>> };
	const view: Record<string, unknown> = {};
	return {
		n: length,
		row: (i) => {
			for (const name of names) {
				const column = columns[name];
				view[name] = column ? column[i] : null;
			}
			return view as R;
		},
	};
}

/** Sums of a window's `campaign_performance` rows (revenue, leads: null when no row in the window reports them). */
export interface MetricSums extends MetricRow {
	/** Rows (days with data) of `campaign_performance` in the window. */
	rows: number;
}

/** Sums of a window: the metrics and the comment signal (0 without signal rows). */
export interface WindowSums extends MetricSums {
	comments: number;
	negative_comments: number;
	abusive_comments: number;
}

const MICRO = 1_000_000;
/** Prefix arrays: spend µ, impressions, clicks, conversions µ, revenue µ, rows reporting revenue, leads µ, rows reporting leads. */
const P_SPEND = 0;
const P_IMPR = 1;
const P_CLICKS = 2;
const P_CONV = 3;
const P_REV = 4;
const P_REV_N = 5;
const P_LEADS = 6;
const P_LEADS_N = 7;
const PREFIXES = 8;

/** A campaign's days with prefix sums (metrics or comment signal). */
export interface PrefixSeries {
	key: string;
	accountKey: string;
	/** Day numbers, ascending, unique. */
	days: Int32Array;
	/**
	 * Prefix arrays (PREFIXES for metrics, C_PREFIXES for comments) of length
	 * days.length + 1, laid out one after the other: prefix p at index i is
	 * `prefix[p * (days.length + 1) + i]`.
	 */
	prefix: Float64Array;
}

/** One campaign's history. */
export interface Series extends PrefixSeries {
	/** The rows' currency, or null when rows disagree (then `currencies` lists them). */
	currency: string | null;
	currencies: string[];
}

export interface RejectedRow {
	index: number;
	reason: string;
}

/** Comment signal prefix arrays: comments, negative, abusive. */
const C_COMMENTS = 0;
const C_NEGATIVE = 1;
const C_ABUSIVE = 2;
const C_PREFIXES = 3;

/** One campaign's comment signal: its ads' counts summed per day (days with a signal row). */
export type CommentSeries = PrefixSeries;

/**
 * Entity key: platform, account and campaign id, and for an ad (rules of
 * level `ad`) its id after `|ad:`. A campaign's key is unchanged by the ad
 * level, so campaign keys, ledger targets and idempotency keys stay as they were.
 */
export function entityKey(platform: string, accountId: string, campaignId: string, adId?: string | null): string {
	return adId ? `${platform}|${accountId}|${campaignId}|ad:${adId}` : `${platform}|${accountId}|${campaignId}`;
}

/**
 * Account key of an entity: `account_average` compares a campaign with the
 * account's campaigns and an ad with the account's ads (`|ads`).
 */
export function accountKey(platform: string, accountId: string, level: 'campaign' | 'ad' = 'campaign'): string {
	return level === 'ad' ? `${platform}|${accountId}|ads` : `${platform}|${accountId}`;
}

/** Sums of an account over a window: what `account_average` compares with. */
export interface AccountWindow {
	sums: WindowSums;
	/** Campaigns of the account with at least one `campaign_performance` row in the window. */
	campaigns: number;
	/** Campaigns with a performance row or a comment signal row in the window (the divisor of comment counts). */
	campaignsWithAnyData: number;
	/** null when the account's rows in the window use several currencies. */
	currency: string | null;
}

const FIELDS: ReadonlyArray<readonly [BaseMetric, number, number, boolean]> = [
	['spend', P_SPEND, -1, true],
	['impressions', P_IMPR, -1, false],
	['clicks', P_CLICKS, -1, false],
	['conversions', P_CONV, -1, true],
	['revenue', P_REV, P_REV_N, true],
	['leads', P_LEADS, P_LEADS_N, true],
];

/** Points where building an index may pause: every 16,384 rows (pass 1) and every 64 campaigns (pass 3). */
const STEP_ROWS = 0x3fff;
const STEP_SERIES = 63;

export class MetricIndex {
	readonly series = new Map<string, Series>();
	readonly accounts = new Map<string, Series[]>();
	readonly rejected: RejectedRow[] = [];
	readonly rowCount: number;
	/** Comment signal per campaign key, and per account key. */
	readonly comments = new Map<string, CommentSeries>();
	readonly commentAccounts = new Map<string, CommentSeries[]>();
	/** Signal rows that could not be used (index into the signal input). */
	readonly rejectedSignals: RejectedRow[] = [];
	/** Signal rows read (set when the index is built). */
	signalRowCount = 0;
	/** AdOps Insights' values per `platform|account|campaign` (readInsightRuleMetrics), when a rule uses them; see `withInsights`. */
	insights: ReadonlyMap<string, InsightRuleValues> | null = null;
	/** account → start → end → sums (numeric keys: no key string per lookup). */
	readonly #accountCache = new Map<string, Map<number, Map<number, AccountWindow>>>();

	/** Attribution's stored credit per `platform|campaign` (readAttributionRuleMetrics), when a rule uses it; see `withInsights`. */
	attribution: ReadonlyMap<string, AttributionRuleValues> | null = null;

	/** First-party events per `platform|campaign` (readFirstPartyRuleMetrics), when a rule uses them; see `withInsights`. */
	firstParty: FirstPartyRuleValues | null = null;

	/**
	 * Attaches AdOps Insights' values (anomaly_score, pacing_ratio, …),
	 * attribution's credit (attributed_roas, …) and first-party events
	 * (first_party_conversions, …) for the rules that use them (undefined:
	 * none were read).
	 */
	withInsights(values: ReadonlyMap<string, InsightRuleValues> | undefined, attribution?: ReadonlyMap<string, AttributionRuleValues>, firstParty?: FirstPartyRuleValues): this {
		this.insights = values ?? null;
		this.attribution = attribution ?? null;
		this.firstParty = firstParty ?? null;
		return this;
	}

	/** Builds the index at once; `MetricIndex.build` builds the same index letting the event loop in. */
	constructor(input: readonly MetricRowInput[] | MetricColumns, signals: readonly CommentSignalRowInput[] | CommentSignalColumns = [], when: 'now' | 'later' = 'now') {
		this.rowCount = columnReader<MetricRowInput>(input, METRIC_ROW_FIELDS).n;
		if (when === 'now') runSteps(this.buildSteps(input, signals));
	}

	/** The index of `input`, built letting the event loop in every 10 ms (issue 21: a run over 10,000 campaigns blocks no more than 250 ms). */
	static async build(input: readonly MetricRowInput[] | MetricColumns, signals: readonly CommentSignalRowInput[] | CommentSignalColumns = []): Promise<MetricIndex> {
		const index = new MetricIndex(input, signals, 'later');
		await runStepsAsync(index.buildSteps(input, signals));
		return index;
	}

	private *buildSteps(input: readonly MetricRowInput[] | MetricColumns, signals: readonly CommentSignalRowInput[] | CommentSignalColumns): Steps<void> {
		const { n, row: rowAt } = columnReader<MetricRowInput>(input, METRIC_ROW_FIELDS);
		// Columns are read in place; rows (objects) through the same names.
		const cols = Array.isArray(input) ? yield* rowsAsColumns(input as readonly MetricRowInput[]) : (input as MetricColumns).columns;
		const { platform: cPlatform, account_id: cAccount, campaign_id: cCampaign, date: cDate, currency: cCurrency, spend: cSpend, impressions: cImpressions, clicks: cClicks, conversions: cConversions } = cols;
		const cRevenue = cols.revenue ?? null;
		const cLeads = cols.leads ?? null;
		const cAd = cols.ad_id ?? null;
		// Pass 1: validate, find each row's series (nested maps: no key string per row) and day.
		// Most rows pass the quick checks (non-empty ids, a currency seen valid, numbers or
		// nulls, a calendar date); the others go through `checkRow`, which accepts them or
		// gives the reason of the rejection.
		const rowSeries = new Int32Array(n).fill(-1);
		const rowDay = new Int32Array(n);
		const ids = new Map<string, Map<string, Map<string, number>>>();
		const meta: Array<{ platform: string; accountId: string; campaignId: string; adId: string | null; count: number }> = [];
		const currencies = new Set<string>();
		// consecutive rows of one campaign (the usual order of a read) skip the map lookups
		let lastPlatform = '';
		let lastAccount = '';
		let lastCampaign = '';
		let lastId = -1;
		let valid = 0;
		for (let i = 0; i < n; i++) {
			if ((i & STEP_ROWS) === STEP_ROWS) yield;
			const platform = cPlatform[i];
			const account = cAccount[i];
			const ad = cAd === null ? null : cAd[i] || null;
			// an ad's series is found under its campaign id and ad id (NUL cannot occur in either)
			const campaign = ad === null ? cCampaign[i] : `${cCampaign[i]}\u0000${ad}`;
			let day =
				isRow(input, i) &&
				quickIds(platform, account, cCampaign[i]) &&
				quickCurrency(cCurrency[i], currencies) &&
				quickValue(cSpend[i], true) &&
				quickValue(cImpressions[i], false) &&
				quickValue(cClicks[i], false) &&
				quickValue(cConversions[i], true) &&
				(cRevenue === null || quickValue(cRevenue[i], true)) &&
				(cLeads === null || quickValue(cLeads[i], true))
					? quickDate(cDate[i])
					: Number.NaN;
			if (Number.isNaN(day)) {
				const row = rowAt(i);
				const reason = checkRow(row);
				if (reason !== null) {
					this.rejected.push({ index: i, reason });
					continue;
				}
				day = dayNumber(row.date);
			}
			let id: number;
			if (lastId >= 0 && campaign === lastCampaign && account === lastAccount && platform === lastPlatform) id = lastId;
			else {
				let byAccount = ids.get(platform);
				if (!byAccount) ids.set(platform, (byAccount = new Map()));
				let byCampaign = byAccount.get(account);
				if (!byCampaign) byAccount.set(account, (byCampaign = new Map()));
				let found = byCampaign.get(campaign);
				if (found === undefined) {
					found = meta.length;
					byCampaign.set(campaign, found);
					meta.push({ platform, accountId: account, campaignId: cCampaign[i], adId: ad, count: 0 });
				}
				id = found;
				lastId = id;
				lastPlatform = platform;
				lastAccount = account;
				lastCampaign = campaign;
			}
			rowSeries[i] = id;
			rowDay[i] = day;
			meta[id].count++;
			valid++;
		}
		// Pass 2: bucket row indices per series (counting sort).
		const offsets = new Int32Array(meta.length + 1);
		for (let s = 0; s < meta.length; s++) offsets[s + 1] = offsets[s] + meta[s].count;
		const fill = offsets.slice(0, meta.length);
		const order = new Int32Array(valid);
		for (let i = 0; i < n; i++) if (rowSeries[i] >= 0) order[fill[rowSeries[i]]++] = i;
		// Pass 3: per series, sort by day (rows usually come in day order already) and
		// build the prefix sums. Every series' days and prefix arrays are views of two
		// shared buffers: one allocation instead of two per campaign.
		const allDays = new Int32Array(valid);
		const allPrefix = new Float64Array(PREFIXES * (valid + meta.length));
		let prefixAt = 0;
		const byDay = (a: number, b: number) => rowDay[a] - rowDay[b];
		for (let s = 0; s < meta.length; s++) {
			if ((s & STEP_SERIES) === STEP_SERIES) yield;
			const m = meta[s];
			const bucket = order.subarray(offsets[s], offsets[s + 1]);
			const len = bucket.length;
			for (let j = 1; j < len; j++) {
				if (rowDay[bucket[j]] < rowDay[bucket[j - 1]]) {
					bucket.sort(byDay);
					break;
				}
			}
			const stride = len + 1;
			const days = allDays.subarray(offsets[s], offsets[s + 1]);
			const prefix = allPrefix.subarray(prefixAt, prefixAt + PREFIXES * stride);
			prefixAt += PREFIXES * stride;
			const key = entityKey(m.platform, m.accountId, m.campaignId, m.adId);
			let currency = '';
			let mixed: string[] | null = null;
			let spend = 0;
			let impressions = 0;
			let clicks = 0;
			let conversions = 0;
			let revenue = 0;
			let revenueRows = 0;
			let leads = 0;
			let leadsRows = 0;
			for (let j = 0; j < len; j++) {
				const i = bucket[j];
				if (j > 0 && rowDay[i] === days[j - 1]) throw new RulesInputError(`two metric rows for ${key} on ${dayString(rowDay[i])} (the natural key platform, account, campaign, date must be unique)`);
				days[j] = rowDay[i];
				const rowCurrency = cCurrency[i] as string;
				if (j === 0) currency = rowCurrency;
				else if (rowCurrency !== currency) {
					mixed ??= [currency];
					if (!mixed.includes(rowCurrency)) mixed.push(rowCurrency);
				}
				// the prefix increments: micro-units for money and conversions, counts for the rest (null adds 0)
				const at = j + 1;
				spend += increment(cSpend[i], true);
				prefix[P_SPEND * stride + at] = spend;
				impressions += increment(cImpressions[i], false);
				prefix[P_IMPR * stride + at] = impressions;
				clicks += increment(cClicks[i], false);
				prefix[P_CLICKS * stride + at] = clicks;
				conversions += increment(cConversions[i], true);
				prefix[P_CONV * stride + at] = conversions;
				const rev = cRevenue === null ? null : cRevenue[i];
				if (rev !== null && rev !== undefined) {
					revenue += increment(rev, true);
					revenueRows += 1;
				}
				prefix[P_REV * stride + at] = revenue;
				prefix[P_REV_N * stride + at] = revenueRows;
				const ld = cLeads === null ? null : cLeads[i];
				if (ld !== null && ld !== undefined) {
					leads += increment(ld, true);
					leadsRows += 1;
				}
				prefix[P_LEADS * stride + at] = leads;
				prefix[P_LEADS_N * stride + at] = leadsRows;
			}
			const rowCurrencies = mixed ? mixed.sort() : [currency];
			const series: Series = { key, accountKey: accountKey(m.platform, m.accountId, m.adId === null ? 'campaign' : 'ad'), days, prefix, currency: rowCurrencies.length === 1 ? rowCurrencies[0] : null, currencies: rowCurrencies };
			this.series.set(key, series);
			let list = this.accounts.get(series.accountKey);
			if (!list) this.accounts.set(series.accountKey, (list = []));
			list.push(series);
		}
		for (const list of this.accounts.values()) list.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
		yield;
		this.signalRowCount = this.#indexSignals(signals);
	}

	/** Sums the signal rows per campaign and day and builds their prefix sums; returns the number of rows read. */
	#indexSignals(input: readonly CommentSignalRowInput[] | CommentSignalColumns): number {
		const { n, row: rowAt } = columnReader<CommentSignalRowInput>(input, SIGNAL_ROW_FIELDS);
		const perCampaign = new Map<string, { accountKey: string; byDay: Map<number, [number, number, number]> }>();
		const seen = new Set<string>();
		for (let i = 0; i < n; i++) {
			const row = rowAt(i);
			const checked = checkSignalRow(row);
			if (typeof checked === 'string') {
				this.rejectedSignals.push({ index: i, reason: checked });
				continue;
			}
			if (row.ad_id !== undefined && row.ad_id !== null && row.ad_id !== '') {
				const id = `${row.platform}\u0000${row.account_id}\u0000${row.ad_id}\u0000${row.date}`;
				if (seen.has(id)) throw new RulesInputError(`two comment signal rows for ad ${row.ad_id} of ${accountKey(row.platform, row.account_id)} on ${row.date} (the natural key platform, account, ad, date must be unique)`);
				seen.add(id);
			}
			const day = dayNumber(row.date);
			// summed per campaign, and per ad for the rules of level `ad` (the signal attaches to the ad itself)
			const ad = row.ad_id !== undefined && row.ad_id !== null && row.ad_id !== '' ? row.ad_id : null;
			for (const level of ad === null ? (['campaign'] as const) : (['campaign', 'ad'] as const)) {
				const key = entityKey(row.platform, row.account_id, row.campaign_id as string, level === 'ad' ? ad : null);
				let c = perCampaign.get(key);
				if (!c) perCampaign.set(key, (c = { accountKey: accountKey(row.platform, row.account_id, level), byDay: new Map() }));
				const sums = c.byDay.get(day);
				if (sums) for (let k = 0; k < C_PREFIXES; k++) sums[k] += checked[k];
				else c.byDay.set(day, [...checked]);
			}
		}
		for (const [key, c] of perCampaign) {
			const days = Int32Array.from([...c.byDay.keys()].sort((a, b) => a - b));
			const stride = days.length + 1;
			const prefix = new Float64Array(C_PREFIXES * stride);
			for (let j = 0; j < days.length; j++) {
				const v = c.byDay.get(days[j]) as [number, number, number];
				for (let p = 0; p < C_PREFIXES; p++) prefix[p * stride + j + 1] = prefix[p * stride + j] + v[p];
			}
			const series: CommentSeries = { key, accountKey: c.accountKey, days, prefix };
			this.comments.set(key, series);
			let list = this.commentAccounts.get(c.accountKey);
			if (!list) this.commentAccounts.set(c.accountKey, (list = []));
			list.push(series);
		}
		for (const list of this.commentAccounts.values()) list.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
		return n;
	}

	/** The sums of an account over [start, end] (cached: the index is immutable). */
	accountWindow(account: string, start: number, end: number): AccountWindow | null {
		let byStart = this.#accountCache.get(account);
		const cached = byStart?.get(start)?.get(end);
		if (cached) return cached;
		const list = this.accounts.get(account);
		const commentList = this.commentAccounts.get(account);
		if (!list && !commentList) return null;
		const total = new Float64Array(PREFIXES);
		let campaigns = 0;
		let rows = 0;
		// the currencies of the rows in the window: one (the usual case) or several
		let currency: string | undefined;
		let mixedCurrencies = false;
		// campaigns with a performance or a signal row: a set only when there are signal rows
		const withData = commentList ? new Set<string>() : null;
		for (const s of list ?? []) {
			const inWindow = addWindow(s, PREFIXES, start, end, total);
			if (inWindow === 0) continue;
			campaigns++;
			withData?.add(s.key);
			rows += inWindow;
			for (const c of s.currencies) {
				if (currency === undefined) currency = c;
				else if (c !== currency) mixedCurrencies = true;
			}
		}
		const commentTotal = new Float64Array(C_PREFIXES);
		for (const s of commentList ?? []) if (addWindow(s, C_PREFIXES, start, end, commentTotal) > 0) withData?.add(s.key);
		const sums = writeCommentSums(writeMetricSums(emptySums(), total, rows), commentTotal);
		const result: AccountWindow = { sums, campaigns, campaignsWithAnyData: withData ? withData.size : campaigns, currency: currency !== undefined && !mixedCurrencies ? currency : null };
		if (!byStart) this.#accountCache.set(account, (byStart = new Map()));
		let byEnd = byStart.get(start);
		if (!byEnd) byStart.set(start, (byEnd = new Map()));
		byEnd.set(end, result);
		return result;
	}
}

/**
 * Builds the index of one batch of `campaign_performance` rows and,
 * optionally, the `ad_comment_signals` rows of the same accounts and days.
 * Throws RulesInputError on a duplicate natural key.
 */
export function buildMetricIndex(rows: readonly MetricRowInput[] | MetricColumns, signals?: readonly CommentSignalRowInput[] | CommentSignalColumns): MetricIndex {
	return new MetricIndex(rows, signals);
}

/** The counts of a usable signal row (comments, negative, abusive), or why it cannot be used. */
function checkSignalRow(row: CommentSignalRowInput): [number, number, number] | string {
	const keys = checkKeys(row, 'campaign_id is missing (the comments\' campaign was not known)');
	if (keys !== null) return keys;
	const out: [number, number, number] = [0, 0, 0];
	const names = ['comments', 'negative_comments', 'abusive_comments'] as const;
	for (let k = 0; k < names.length; k++) {
		const v = toNumber(row[names[k]]);
		if (v === undefined || (v !== null && (!Number.isInteger(v) || v > 2_147_483_647))) return `${names[k]} ${String(row[names[k]])} is not a whole number from 0 to 2147483647`;
		out[k] = v ?? 0;
	}
	if (out[C_NEGATIVE] > out[C_COMMENTS] || out[C_ABUSIVE] > out[C_COMMENTS]) return `negative_comments ${out[C_NEGATIVE]} or abusive_comments ${out[C_ABUSIVE]} exceeds comments ${out[C_COMMENTS]}`;
	return out;
}

function toNumber(value: unknown): number | null | undefined {
	if (value === null || value === undefined) return null;
	const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : Number.NaN;
	return Number.isFinite(n) && n >= 0 ? n : undefined;
}

/** Why a row's platform, account, campaign or date cannot be used (`campaignMissing` names a missing campaign), or null. */
function checkKeys(row: { platform: unknown; account_id: unknown; campaign_id: unknown; date: unknown }, campaignMissing: string): string | null {
	if (!row || typeof row !== 'object') return 'not an object';
	if (typeof row.platform !== 'string' || row.platform.length === 0) return 'platform is missing';
	if (typeof row.account_id !== 'string' || row.account_id.length === 0) return 'account_id is missing';
	if (typeof row.campaign_id !== 'string' || row.campaign_id.length === 0) return campaignMissing;
	if (typeof row.date !== 'string' || !Number.isFinite(dayNumber(row.date))) return `date ${String(row.date)} is not YYYY-MM-DD`;
	return null;
}

/** Why a row cannot be used, or null. */
function checkRow(row: MetricRowInput): string | null {
	const keys = checkKeys(row, 'campaign_id is missing');
	if (keys !== null) return keys;
	if (typeof row.currency !== 'string' || !/^[A-Z]{3}$/.test(row.currency)) return `currency ${String(row.currency)} is not an ISO 4217 code`;
	for (const [name, , , micro] of FIELDS) {
		const v = toNumber(row[name]);
		if (v === undefined) return `${name} ${String(row[name])} is not a number >= 0`;
		// beyond 2^53 units a prefix sum is no longer exact (and 1e303 × 10^6 is Infinity, which would poison every later window)
		if (v !== null && (micro ? v * MICRO : v) > Number.MAX_SAFE_INTEGER) return `${name} ${String(row[name])} is too large (at most ${micro ? '9007199254.740991' : '9007199254740991'})`;
	}
	return null;
}

/** The prefix increment of a checked value: micro-units (money, conversions) or a count; 0 for null. */
function increment(value: number | string | null | undefined, micro: boolean): number {
	const v = typeof value === 'number' ? value : (toNumber(value) as number | null);
	if (v === null) return 0;
	return micro ? Math.round(v * MICRO) : Math.round(v);
}

/** A value `checkRow` accepts without reading it as text: null, or a finite number >= 0 below the exact-sum limit. */
function quickValue(v: unknown, micro: boolean): boolean {
	if (v === null || v === undefined) return true;
	return typeof v === 'number' && v >= 0 && (micro ? v * MICRO : v) <= Number.MAX_SAFE_INTEGER;
}

/** Row i is an object (columns: always). */
function isRow(input: readonly MetricRowInput[] | MetricColumns, i: number): boolean {
	if (!Array.isArray(input)) return true;
	const row = (input as readonly MetricRowInput[])[i];
	return row !== null && typeof row === 'object';
}

/** Non-empty ids (as `checkRow`). */
function quickIds(platform: unknown, account: unknown, campaign: unknown): boolean {
	return typeof platform === 'string' && platform.length > 0 && typeof account === 'string' && account.length > 0 && typeof campaign === 'string' && campaign.length > 0;
}

/** An ISO 4217 code (as `checkRow`), remembered in `seen`. */
function quickCurrency(currency: unknown, seen: Set<string>): boolean {
	if (typeof currency !== 'string') return false;
	if (seen.has(currency)) return true;
	if (!/^[A-Z]{3}$/.test(currency)) return false;
	seen.add(currency);
	return true;
}

/** The day number of a calendar date `YYYY-MM-DD`, NaN for anything else. */
function quickDate(date: unknown): number {
	return typeof date === 'string' ? dayNumber(date) : Number.NaN;
}

/**
 * The fields of rows as columns (one array per field, `undefined` for a row
 * that is not an object: `checkRow` rejects it), so the index reads rows and
 * columns alike.
 */
function* rowsAsColumns(rows: readonly MetricRowInput[]): Steps<MetricColumns['columns']> {
	const n = rows.length;
	// filled by push: `new Array(n)` past 100,000 elements is a dictionary (a hash insert per value, 20 times slower)
	const out = Object.fromEntries(METRIC_ROW_FIELDS.map((k) => [k, [] as unknown[]])) as unknown as Record<(typeof METRIC_ROW_FIELDS)[number], unknown[]>;
	for (let i = 0; i < n; i++) {
		if ((i & STEP_ROWS) === STEP_ROWS) yield;
		const r = rows[i];
		const row = r !== null && typeof r === 'object';
		for (const name of METRIC_ROW_FIELDS) out[name].push(row ? r[name] : undefined);
	}
	return out as unknown as MetricColumns['columns'];
}

function lowerBound(days: Int32Array, value: number): number {
	let lo = 0;
	let hi = days.length;
	while (lo < hi) {
		const mid = (lo + hi) >>> 1;
		if (days[mid] < value) lo = mid + 1;
		else hi = mid;
	}
	return lo;
}

/**
 * Adds the window's part of `s`'s first `count` prefix arrays (the days in
 * [start, end]) to `total`; returns the number of days in the window.
 */
function addWindow(s: PrefixSeries, count: number, start: number, end: number, total: Float64Array): number {
	const lo = lowerBound(s.days, start);
	const hi = lowerBound(s.days, end + 1);
	if (hi <= lo) return 0;
	const stride = s.days.length + 1;
	for (let p = 0; p < count; p++) total[p] += s.prefix[p * stride + hi] - s.prefix[p * stride + lo];
	return hi - lo;
}

/** The metric sums of `total` (PREFIXES totals: micro-units to major units; revenue and leads null when no row reports them) written into `out`. */
function writeMetricSums(out: WindowSums, total: Float64Array, rows: number): WindowSums {
	out.spend = total[P_SPEND] / MICRO;
	out.impressions = total[P_IMPR];
	out.clicks = total[P_CLICKS];
	out.conversions = total[P_CONV] / MICRO;
	out.revenue = total[P_REV_N] > 0 ? total[P_REV] / MICRO : null;
	out.leads = total[P_LEADS_N] > 0 ? total[P_LEADS] / MICRO : null;
	out.rows = rows;
	return out;
}

/** The comment counts of `total` (C_PREFIXES totals) written into `out`. */
function writeCommentSums(out: WindowSums, total: Float64Array): WindowSums {
	out.comments = total[C_COMMENTS];
	out.negative_comments = total[C_NEGATIVE];
	out.abusive_comments = total[C_ABUSIVE];
	return out;
}

export const EMPTY_SUMS: Readonly<WindowSums> = Object.freeze({ spend: 0, impressions: 0, clicks: 0, conversions: 0, revenue: null, leads: null, rows: 0, comments: 0, negative_comments: 0, abusive_comments: 0 });

/**
 * Sums of one campaign over [start, end] (day numbers, inclusive): its
 * metric series and, when given, its comment signal.
 */
export function windowSums(series: Series | undefined, start: number, end: number, comments?: CommentSeries): WindowSums {
	return windowSumsInto(emptySums(), series, start, end, comments);
}

/** A mutable all-zero `WindowSums` (for `windowSumsInto`). */
export function emptySums(): WindowSums {
	return { ...EMPTY_SUMS };
}

/** Scratch totals of `windowSumsInto` (the index is single-threaded; each call zeroes them first). */
const metricScratch = new Float64Array(PREFIXES);
const commentScratch = new Float64Array(C_PREFIXES);

/**
 * `windowSums` written into `out` instead of a new object: the same values,
 * no allocation (for caches that reuse their objects). Returns `out`.
 */
export function windowSumsInto(out: WindowSums, series: Series | undefined, start: number, end: number, comments?: CommentSeries): WindowSums {
	metricScratch.fill(0);
	commentScratch.fill(0);
	const rows = series && end >= start ? addWindow(series, PREFIXES, start, end, metricScratch) : 0;
	if (comments && end >= start) addWindow(comments, C_PREFIXES, start, end, commentScratch);
	return writeCommentSums(writeMetricSums(out, metricScratch, rows), commentScratch);
}

/** A derived metric of a window's sums; null when the denominator is 0 or not reported (the metrics module's `ratio`). */
export function derivedValue(s: WindowSums, metric: DerivedMetric): number | null {
	return ratio(metric, s);
}

/** A comment share of a window's sums (fraction of its comments); null when the window has no comment. */
export function commentShare(s: WindowSums, metric: CommentShareMetric): number | null {
	if (s.comments <= 0) return null;
	return (metric === 'negative_comment_share' ? s.negative_comments : s.abusive_comments) / s.comments;
}

/** Any metric of a window's sums (base metrics and comment counts: the sum; revenue/leads null when not reported). */
export function metricValue(s: WindowSums, metric: Metric): number | null {
	switch (metric) {
		case 'spend':
		case 'impressions':
		case 'clicks':
		case 'conversions':
		case 'revenue':
		case 'leads':
		case 'comments':
		case 'negative_comments':
		case 'abusive_comments':
			return s[metric];
		case 'negative_comment_share':
		case 'abusive_comment_share':
			return commentShare(s, metric);
		case 'anomaly_score':
		case 'anomaly_direction':
		case 'pacing_ratio':
		case 'forecast_month_spend':
		case 'attributed_conversions':
		case 'attributed_revenue':
		case 'attributed_roas':
		case 'first_party_conversions':
		case 'first_party_revenue':
		case 'first_party_roas':
			return null; // not window sums: evaluate.ts reads them from the index's insight, attribution and first-party values
		default:
			return derivedValue(s, metric);
	}
}

/**
 * The account's average of a metric over a window: additive metrics are the
 * account total divided by the campaigns with data in the window (comment
 * counts: campaigns with a performance or a signal row, since a campaign
 * without a signal row had 0 comments); derived metrics and comment shares
 * are the account's ratio of sums. null without data or with mixed
 * currencies for a money metric.
 */
export function accountAverage(a: AccountWindow | null, metric: Metric, money: boolean): number | null {
	if (!a) return null;
	if (money && a.currency === null) return null;
	if (COMMENT_COUNTS.has(metric)) return a.campaignsWithAnyData > 0 ? a.sums[metric as CommentCountMetric] / a.campaignsWithAnyData : null;
	if (COMMENT_SHARES.has(metric)) return commentShare(a.sums, metric as CommentShareMetric);
	if (a.campaigns === 0) return null;
	const v = metricValue(a.sums, metric);
	if (v === null) return null;
	// additive metrics: per campaign with data; derived ones are the account's ratio
	return BASE.has(metric) ? v / a.campaigns : v;
}

const BASE: ReadonlySet<Metric> = new Set(BASE_METRICS);
const COMMENT_COUNTS: ReadonlySet<Metric> = new Set(COMMENT_COUNT_METRICS);
const COMMENT_SHARES: ReadonlySet<Metric> = new Set(COMMENT_SHARE_METRICS);
