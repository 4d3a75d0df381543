/**
 * The comment signal optimization rules read: per ad and day, how many
 * comments people wrote and which share of them was negative or abusive
 * ("pause the ad when abusive comments pass 20 % with at least 30 comments").
 *
 * Pure aggregation over classifications. Decisions recorded here:
 * - Spam and scams are not counted (they are bots and fraudsters, not the
 *   ad's audience) and are reported separately as `excluded_comments`.
 * - `abusive` is harassment_abuse or hate; `negative` is a negative
 *   sentiment (complaints, abuse, hate, negative anything).
 * - One classification per comment: a comment given twice counts once (the
 *   last one given wins, so pass the preferred model's classification last).
 * - The day is the comment's creation date in the account's time zone
 *   (`timeZone`, IANA, default UTC), like the platforms' daily reports.
 * - Shares are `null` on days without counted comments (no data ≠ 0 %).
 *
 * Storage: one row per (platform, account_id, ad_id, date) in the
 * `ad_comment_signals` table (migrations 20250606000000_moderation.sql and
 * 20250607000000_comment_signals.sql; the row schema is `adCommentSignalRow`
 * of schema/rows.ts), written by `moderate` and `refreshCommentSignals` in
 * run.ts. The optimization rules read the counts as campaign metrics of the
 * same names as `COMMENT_METRICS` (rules/metrics.ts sums a campaign's ads per
 * day); `toMetricRecords` gives one ad's numbers in that long form.
 */
import type { z } from 'zod';
import { adCommentSignalRow } from '../schema/rows';
import { dateInZone } from '../text/dates';
import type { Classification, Intent } from './classify';

/** Metric names of the optimization rules (rules/model.ts `COMMENT_COUNT_METRICS`, `COMMENT_SHARE_METRICS`). */
export const COMMENT_METRICS = {
	comments: 'comments',
	negativeShare: 'negative_comment_share',
	abusiveShare: 'abusive_comment_share',
	negativeComments: 'negative_comments',
	abusiveComments: 'abusive_comments',
} as const;

export interface SignalInput {
	platform: string;
	accountId?: string | null;
	campaignId?: string | null;
	/** The ad the comment is under; comments without an ad are not counted. */
	adId: string | null | undefined;
	commentId: string;
	/** When the comment was made (ISO-8601). */
	createdTime: string;
	classification: Pick<Classification, 'intent' | 'sentiment'>;
}

export interface SignalOptions {
	/** IANA time zone of the account (`Europe/Berlin`). Default `UTC`. */
	timeZone?: string;
	/** Intents left out of the counts. Default spam and scam_phishing. */
	excludeIntents?: readonly Intent[];
}

/** The stored row of a signal: the table's write schema. */
export { adCommentSignalRow };

export type AdCommentSignal = z.infer<typeof adCommentSignalRow>;

export interface SignalResult {
	signals: AdCommentSignal[];
	/** Inputs not counted: no ad, or an unreadable time. */
	skipped: Array<{ commentId: string; reason: 'no_ad' | 'invalid_time' }>;
}

const ABUSIVE: ReadonlySet<Intent> = new Set(['harassment_abuse', 'hate']);

/** `YYYY-MM-DD` of an instant in a time zone. Throws RangeError for an unknown time zone. */
export function localDate(iso: string, timeZone = 'UTC'): string | null {
	const ms = Date.parse(iso);
	if (!Number.isFinite(ms)) return null;
	return dateInZone(timeZone, ms);
}

function share(part: number, whole: number): number | null {
	return whole > 0 ? Math.round((part / whole) * 10_000) / 10_000 : null;
}

/** Aggregates classifications into per-ad, per-day signals, sorted by platform, account, ad and date. */
export function aggregateCommentSignals(inputs: readonly SignalInput[], options: SignalOptions = {}): SignalResult {
	const timeZone = options.timeZone ?? 'UTC';
	localDate('2000-01-01T00:00:00Z', timeZone); // unknown time zone: fail before counting anything
	const excluded: ReadonlySet<Intent> = new Set(options.excludeIntents ?? ['spam', 'scam_phishing']);
	const skipped: SignalResult['skipped'] = [];
	const latest = new Map<string, SignalInput>();
	for (const input of inputs) latest.set(`${input.platform}\u0000${input.commentId}`, input);

	const groups = new Map<string, AdCommentSignal>();
	for (const input of latest.values()) {
		if (!input.adId) {
			skipped.push({ commentId: input.commentId, reason: 'no_ad' });
			continue;
		}
		const date = localDate(input.createdTime, timeZone);
		if (!date) {
			skipped.push({ commentId: input.commentId, reason: 'invalid_time' });
			continue;
		}
		const accountId = input.accountId ?? '';
		const key = [input.platform, accountId, input.adId, date].join('\u0000');
		let g = groups.get(key);
		if (!g) {
			g = {
				platform: input.platform,
				account_id: accountId,
				campaign_id: input.campaignId ?? null,
				ad_id: input.adId,
				date,
				comments: 0,
				negative_comments: 0,
				abusive_comments: 0,
				excluded_comments: 0,
				negative_share: null,
				abusive_share: null,
			};
			groups.set(key, g);
		}
		if (!g.campaign_id && input.campaignId) g.campaign_id = input.campaignId;
		const { intent, sentiment } = input.classification;
		if (excluded.has(intent)) {
			g.excluded_comments++;
			continue;
		}
		g.comments++;
		if (sentiment === 'negative') g.negative_comments++;
		if (ABUSIVE.has(intent)) g.abusive_comments++;
	}
	const signals = [...groups.values()]
		.map((g) => ({ ...g, negative_share: share(g.negative_comments, g.comments), abusive_share: share(g.abusive_comments, g.comments) }))
		.sort((a, b) => a.platform.localeCompare(b.platform) || a.account_id.localeCompare(b.account_id) || a.ad_id.localeCompare(b.ad_id) || a.date.localeCompare(b.date));
	return { signals, skipped };
}

export interface MetricRecord {
	platform: string;
	account_id: string;
	entity_level: 'ad';
	entity_id: string;
	date: string;
	metric: string;
	/** `null` for shares on days without counted comments. */
	value: number | null;
}

/** The signal in long form, one record per metric. */
export function toMetricRecords(s: AdCommentSignal): MetricRecord[] {
	const base = { platform: s.platform, account_id: s.account_id, entity_level: 'ad' as const, entity_id: s.ad_id, date: s.date };
	return [
		{ ...base, metric: COMMENT_METRICS.comments, value: s.comments },
		{ ...base, metric: COMMENT_METRICS.negativeComments, value: s.negative_comments },
		{ ...base, metric: COMMENT_METRICS.abusiveComments, value: s.abusive_comments },
		{ ...base, metric: COMMENT_METRICS.negativeShare, value: s.negative_share },
		{ ...base, metric: COMMENT_METRICS.abusiveShare, value: s.abusive_share },
	];
}
