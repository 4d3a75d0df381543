/**
 * First-party metrics as batches land (issue 22, item 4): per platform and
 * campaign, today's and the last hour's clicks, leads, purchases, conversions
 * and conversion value per currency, read straight from marketing_events. No
 * cache and no rollup table: a query after a batch was stored counts it.
 *
 * - "Today" starts at the first instant of the current calendar day in the
 *   chosen IANA time zone (midnight, or the end of a DST gap where a zone skips
 *   midnight) and ends at `now`.
 * - "Last hour" is the 60 minutes ending at `now`: events with
 *   now − 60 min < time ≤ now. Just after midnight it reaches into yesterday.
 * - Events stamped after `now` (the events trigger accepts up to an hour of
 *   clock skew) are not counted until their time has come.
 * - An event's platform and campaign are attribution's (`touchOf`): its own
 *   platform, else its click id's; its campaign id, else its UTM campaign;
 *   an event with neither platform nor click id is `utm:<source>/<medium>`.
 *
 * The windows, the join and what an event counts for are live-counts.ts's,
 * which the rules' first-party metrics (rule-metrics.ts) use too. One read:
 * `event_time` in [min(start of today, now − 1 h), now], which the
 * `idx_marketing_events_time` index serves.
 */
import type { Store } from '../store/types';
import { DEFAULT_CONVERSION_TYPES } from '../attribution/stitch';
import { platformLabel } from '../attribution/read';
import { formatAmount } from '../insights/run';
import { wallClock } from '../text/dates';
import { plural } from '../text/number';
import { countEvent, emptyCounts, inSpan, lastHourSpan, LiveMetricsError, readFirstPartyEvents, roundedCounts, todaySpan, type LiveCounts } from './live-counts';

// the windows, the join and the counting are live-counts.ts's (shared with the rules' first-party metrics)
export { HOUR_MS, LiveMetricsError, startOfDayIn, type LiveCounts } from './live-counts';

export interface CampaignLiveMetrics {
	/** A registry platform id, or `utm:<source>/<medium>` for events without platform or click id. */
	platform: string;
	campaignId: string | null;
	/** "Meta campaign 1202…", "UTM newsletter/email, no campaign". */
	label: string;
	today: LiveCounts;
	lastHour: LiveCounts;
	/** In words, every number in it. */
	summary: string;
}

export interface LiveMetrics {
	timeZone: string;
	/** Today's calendar date in the zone. */
	day: string;
	/** First instant of today in the zone (ISO, UTC). */
	dayStart: string;
	/** Start of the last hour (ISO, UTC). */
	hourStart: string;
	/** The end of both windows (ISO, UTC). */
	asOf: string;
	/** Events read (both windows, before the filters). */
	eventsRead: number;
	/** Per platform and campaign, most of today's conversions first. */
	campaigns: CampaignLiveMetrics[];
	/** The whole answer in words. */
	summary: string;
}

export interface LiveMetricsOptions {
	/** IANA time zone of "today" (default UTC). */
	timeZone?: string;
	/** End of the windows (default: now). */
	now?: Date;
	/** Only this platform (a registry id, or `utm:<source>/<medium>`). */
	platform?: string;
	/** Only this campaign id. */
	campaignId?: string;
	/** Event types counted as conversions (default attribution's: purchase). */
	conversionTypes?: readonly string[];
}

/** "Meta campaign 120210", "Google Ads, no campaign", "UTM newsletter/email campaign spring". */
export function channelLabel(platform: string, campaignId: string | null): string {
	const name = platformLabel(platform);
	return campaignId ? `${name} campaign ${campaignId}` : `${name}, no campaign`;
}


function money(value: Record<string, number>): string {
	const parts = Object.entries(value).map(([currency, amount]) => formatAmount(amount, currency));
	return parts.length ? ` worth ${parts.join(' and ')}` : '';
}

/** What the conversions are called: the type's plural when there is one type. */
function conversionNouns(types: readonly string[]): [string, string] {
	if (types.length === 1 && types[0] === 'purchase') return ['purchase', 'purchases'];
	if (types.length === 1 && types[0] === 'lead') return ['lead', 'leads'];
	return ['conversion', 'conversions'];
}

function campaignSummary(label: string, today: LiveCounts, hour: LiveCounts, types: readonly string[]): string {
	const [one, many] = conversionNouns(types);
	const parts = [`today ${plural(today.conversions, one, many)}${money(today.value)}, ${hour.conversions.toLocaleString('en-US')} in the last hour${hour.conversions ? money(hour.value) : ''}`];
	const others: Array<[keyof LiveCounts, string, string]> = [
		['purchases', 'purchase', 'purchases'],
		['leads', 'lead', 'leads'],
		['clicks', 'click', 'clicks'],
	];
	for (const [key, o, m] of others) {
		if (m === many) continue;
		const t = today[key] as number;
		const h = hour[key] as number;
		if (t || h) parts.push(`${plural(t, o, m)} today (${h.toLocaleString('en-US')} in the last hour)`);
	}
	return `${label}: ${parts.join('; ')}.`;
}

/** Today's and the last hour's first-party counts per platform and campaign; see the module comment. */
export async function liveMetrics(store: Pick<Store, 'selectColumnar'>, opts: LiveMetricsOptions = {}): Promise<LiveMetrics> {
	const timeZone = (opts.timeZone ?? '').trim() || 'UTC';
	const now = opts.now ?? new Date();
	if (Number.isNaN(now.getTime())) throw new LiveMetricsError('The time the metrics are taken at is not a valid date');
	const types = opts.conversionTypes?.length ? [...opts.conversionTypes] : [...DEFAULT_CONVERSION_TYPES];
	const conversionTypes = new Set(types);
	const today = todaySpan(timeZone, now);
	const hour = lastHourSpan(now);
	const from = Math.min(today.from, hour.from - 1);
	const { read, events } = await readFirstPartyEvents(store, from, now.getTime());
	const groups = new Map<string, { platform: string; campaignId: string | null; today: LiveCounts; lastHour: LiveCounts }>();
	for (const ev of events) {
		if (opts.platform && ev.platform !== opts.platform) continue;
		if (opts.campaignId && ev.campaignId !== opts.campaignId) continue;
		const key = `${ev.platform}\u0000${ev.campaignId ?? ''}`;
		let g = groups.get(key);
		if (!g) {
			g = { platform: ev.platform, campaignId: ev.campaignId, today: emptyCounts(), lastHour: emptyCounts() };
			groups.set(key, g);
		}
		const isConversion = conversionTypes.has(ev.type);
		if (inSpan(ev.time, today)) countEvent(g.today, ev.type, isConversion, ev.value, ev.currency);
		if (inSpan(ev.time, hour)) countEvent(g.lastHour, ev.type, isConversion, ev.value, ev.currency);
	}
	const campaigns = [...groups.values()]
		.map((g) => {
			const label = channelLabel(g.platform, g.campaignId);
			const today = roundedCounts(g.today);
			const lastHour = roundedCounts(g.lastHour);
			return { platform: g.platform, campaignId: g.campaignId, label, today, lastHour, summary: campaignSummary(label, today, lastHour, types) };
		})
		.sort((a, b) => b.today.conversions - a.today.conversions || b.lastHour.conversions - a.lastHour.conversions || a.platform.localeCompare(b.platform) || (a.campaignId ?? '').localeCompare(b.campaignId ?? ''));
	const day = wallClock(timeZone, now).date;
	const since = `since the start of ${day} (${timeZone})`;
	const scope = [opts.platform ? channelLabel(opts.platform, null).replace(/, no campaign$/, '') : '', opts.campaignId ? `campaign ${opts.campaignId}` : ''].filter(Boolean).join(' ');
	const [, many] = conversionNouns(types);
	const total = campaigns.reduce((s, c) => s + c.today.conversions, 0);
	const summary = campaigns.length
		? `${plural(campaigns.length, 'campaign', 'campaigns')}${scope ? ` of ${scope}` : ''} with first-party events ${since}, ${total.toLocaleString('en-US')} ${many} in all.`
		: `No first-party events${scope ? ` for ${scope}` : ''} ${since} or in the last hour.`;
	return {
		timeZone,
		day,
		dayStart: new Date(today.from).toISOString(),
		hourStart: new Date(hour.from - 1).toISOString(),
		asOf: now.toISOString(),
		eventsRead: read,
		campaigns,
		summary,
	};
}
