/**
 * First-party counts as rule metrics (issue 22 item 4), read in one batch
 * like attribution's (attribution/rule-metrics.ts): one read of
 * `marketing_events` over the longest window of the enabled rules that use
 * them; nothing per campaign.
 *
 *   first_party_conversions  lead and purchase events of the campaign in the
 *                            rule's window
 *   first_party_revenue      their value in the campaign's currency (the
 *                            metric rows', else the budget's); values in other
 *                            currencies are left out and the condition says so
 *   first_party_roas         first_party_revenue / the campaign's spend over
 *                            the same window (the metrics module's `roas`
 *                            ratio): null when the spend is 0
 *
 * One definition: the join (attribution's `touchOf`: click ids, UTMs), the
 * windows and what an event counts for are live-counts.ts's, as in the
 * First-Party Metrics operation. `today` is todaySpan in the account's time
 * zone (its first instant to now), `last_hour` is lastHourSpan (now − 60 min <
 * time ≤ now); `yesterday` and `last_N_days` are the account's calendar days
 * (each event placed on its local day by its own time). Events after now are
 * not counted. The operation's "purchase" default is attribution's; the rules
 * count leads and purchases (the operation with both conversion types gives
 * the same numbers).
 *
 * Missing data: a campaign without a single first-party event (any type:
 * impression, click, lead, purchase, custom) in the window has no tracked
 * traffic to count, so every metric is null ("no data", never 0) and the
 * rules core gates the decision for missing first-party data. With events
 * but no conversion, first_party_conversions is 0.
 *
 * Keys are `platform|campaign` (attributionKey; events have no account).
 */
import type { Store } from '../store/types';
import { CONVERSION_EVENT_TYPES } from './rows';
import { DAY_MS, utcDate } from '../text/dates';
import { attributionKey } from '../attribution/rule-metrics';
import { ratio } from '../metrics';
import { fmtMoney } from '../platforms/currency';
import { countEvent, daysSpan, emptyCounts, lastHourSpan, readFirstPartyEvents, roundedCounts, startOfDateIn, todaySpan, type FirstPartyEvent, type LiveCounts, type Span } from './live-counts';

export const FIRST_PARTY_RULE_METRICS = ['first_party_conversions', 'first_party_revenue', 'first_party_roas'] as const;
export type FirstPartyRuleMetric = (typeof FIRST_PARTY_RULE_METRICS)[number];
/** The event types the rules count as conversions: rows.ts's conversion types (lead and purchase). */
const CONVERSION: ReadonlySet<string> = new Set(CONVERSION_EVENT_TYPES);

/** The windows a first-party condition may use: the rules' day windows but lifetime, and the last hour. */
export type FirstPartyWindowKind = 'today' | 'last_hour' | 'yesterday' | 'last_n_days';

/** A campaign's events of the read (every type), times ascending. */
export interface CampaignEvents {
	times: number[];
	events: FirstPartyEvent[];
}

/**
 * The events read for the rules, per `platform|campaign`, and the windows'
 * spans per time zone (a day's first instant is a search over the zone's
 * clock: worked out once per zone and day, not per campaign).
 */
export class FirstPartyRuleValues {
	readonly #spans = new Map<string, Span>();
	readonly #dayEnds = new Map<string, number>();
	constructor(
		readonly campaigns: ReadonlyMap<string, CampaignEvents>,
		/** Events the store returned. */
		readonly eventsRead: number,
	) {}

	get(platform: string, campaignId: string): CampaignEvents | undefined {
		return this.campaigns.get(attributionKey(platform, campaignId));
	}

	/**
	 * The span of a window for an account in `timeZone` at `nowMs`: `today`
	 * and `last_hour` as the First-Party Metrics operation's, calendar days
	 * [first, last] (day numbers) otherwise; never past `notAfterDay`'s end
	 * (the backtest hides its today) nor past now.
	 */
	span(kind: FirstPartyWindowKind, timeZone: string, first: number, last: number, nowMs: number, notAfterDay: number): Span {
		const key = `${kind}|${timeZone}|${first}|${last}|${nowMs}|${notAfterDay}`;
		let s = this.#spans.get(key);
		if (s === undefined) {
			const now = new Date(nowMs);
			s = kind === 'today' ? todaySpan(timeZone, now) : kind === 'last_hour' ? lastHourSpan(now) : daysSpan(timeZone, first, last, now);
			if (notAfterDay < last) {
				const end = this.#dayEnd(timeZone, notAfterDay, now);
				s = { from: s.from, until: Math.min(s.until, end) };
			}
			this.#spans.set(key, s);
		}
		return s;
	}

	/** The end of local day `day` (the next day's first instant), or now when earlier. */
	#dayEnd(timeZone: string, day: number, now: Date): number {
		const key = `${timeZone}|${day}`;
		let end = this.#dayEnds.get(key);
		if (end === undefined) this.#dayEnds.set(key, (end = startOfDateIn(timeZone, utcDate((day + 1) * DAY_MS))));
		return Math.min(end, now.getTime() + 1);
	}
}

/** First index with times[i] >= t. */
function lowerBound(times: readonly number[], t: number): number {
	let lo = 0;
	let hi = times.length;
	while (lo < hi) {
		const mid = (lo + hi) >>> 1;
		if (times[mid]! < t) lo = mid + 1;
		else hi = mid;
	}
	return lo;
}

/** Events of any type of the campaign in the span (the missing-data gate's question). */
export function firstPartyEventCount(c: CampaignEvents | undefined, span: Span): number {
	return c ? lowerBound(c.times, span.until) - lowerBound(c.times, span.from) : 0;
}

/** The campaign's counts over the span (live-counts' countEvent, lead and purchase as conversions), values rounded. */
export function firstPartyCounts(c: CampaignEvents | undefined, span: Span): LiveCounts {
	const counts = emptyCounts();
	if (!c) return counts;
	for (let i = lowerBound(c.times, span.from), end = lowerBound(c.times, span.until); i < end; i++) {
		const e = c.events[i]!;
		countEvent(counts, e.type, CONVERSION.has(e.type), e.value, e.currency);
	}
	return roundedCounts(counts);
}

/** The campaign's spend over the same window and its currency, for first_party_roas. */
export interface FirstPartySpend {
	spend: number;
	currency: string | null;
}

export interface FirstPartyValue {
	/** null: no event in the window (missing data), no currency to count money in, or (roas) no spend. */
	value: number | null;
	/** Money left out, in words ("12.00 EUR and 3.00 GBP of conversion value in other currencies than USD left out"); null when none. */
	note: string | null;
}

/** A rule metric of a campaign over a span; see the module comment. `currency` is the campaign's. */
export function firstPartyMetricValue(c: CampaignEvents | undefined, metric: FirstPartyRuleMetric, span: Span, currency: string | null, spend: FirstPartySpend | null): FirstPartyValue {
	if (firstPartyEventCount(c, span) === 0) return { value: null, note: null };
	const counts = firstPartyCounts(c, span);
	if (metric === 'first_party_conversions') return { value: counts.conversions, note: null };
	if (!currency) return { value: null, note: 'the campaign has no known currency to count conversion value in' };
	const others = Object.entries(counts.value).filter(([k]) => k !== currency);
	const note = others.length ? `${others.map(([k, v]) => fmtMoney(v, k)).join(' and ')} of conversion value in other currencies than ${currency} left out` : null;
	const revenue = counts.value[currency] ?? 0;
	if (metric === 'first_party_revenue') return { value: revenue, note };
	if (!spend || (spend.currency !== null && spend.currency !== currency)) return { value: null, note };
	return { value: ratio('roas', { spend: spend.spend, revenue, impressions: 0, clicks: 0, conversions: 0, leads: null }), note };
}

export interface FirstPartyRuleMetricsInput {
	/** The run's platforms: events of other platforms and channels (utm:…) belong to no rule's entity. */
	platforms: readonly string[];
	/** First and last instant read (epoch ms, both included). */
	from: number;
	to: number;
}

/** One read of `marketing_events` (live-counts' readFirstPartyEvents), grouped per `platform|campaign`. */
export async function readFirstPartyRuleMetrics(store: Pick<Store, 'selectColumnar'>, input: FirstPartyRuleMetricsInput): Promise<FirstPartyRuleValues> {
	const grouped = new Map<string, FirstPartyEvent[]>();
	if (input.platforms.length === 0) return new FirstPartyRuleValues(new Map(), 0);
	const platforms = new Set(input.platforms);
	const { read, events } = await readFirstPartyEvents(store, input.from, input.to);
	for (const e of events) {
		if (!e.campaignId || !platforms.has(e.platform)) continue;
		const key = attributionKey(e.platform, e.campaignId);
		let list = grouped.get(key);
		if (!list) grouped.set(key, (list = []));
		list.push(e);
	}
	const campaigns = new Map<string, CampaignEvents>();
	for (const [key, list] of grouped) {
		list.sort((a, b) => a.time - b.time);
		campaigns.set(key, { times: list.map((e) => e.time), events: list });
	}
	return new FirstPartyRuleValues(campaigns, read);
}
