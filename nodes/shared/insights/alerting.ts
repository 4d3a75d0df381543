/**
 * When an anomaly alerts: once per episode (consecutive anomalous days of one
 * entity, metric and direction), and again only when it gets worse — its
 * |score| at least `worsening` times (default 1.25) the largest |score| an
 * alert of the episode was already sent at. An alert whose Slack answer was
 * lost (ledger `unknown`) counts as sent at its score: it is never repeated
 * on a guess.
 */
import type { Anomaly } from './detect';

export interface SentAlert {
	platform: string;
	accountId: string;
	campaignId: string | null;
	metric: string;
	episodeStart: string;
	/** The score the alert was sent (or possibly sent) at. */
	score: number;
}

export function episodeKey(a: Pick<Anomaly, 'platform' | 'accountId' | 'campaignId' | 'metric' | 'episodeStart'>): string {
	return `${a.platform}|${a.accountId}|${a.campaignId ?? ''}|${a.metric}|${a.episodeStart}`;
}

/** Ledger idempotency key of one alert: the episode and the day it was sent for. */
export function alertKey(a: Pick<Anomaly, 'platform' | 'accountId' | 'campaignId' | 'metric' | 'episodeStart' | 'date'>): string {
	return `insights.alert:${episodeKey(a)}|${a.date}`;
}

export type AlertDecision =
	| { alert: true; reason: 'new' | 'worse'; previous: number | null }
	| { alert: false; reason: 'already_sent'; previous: number }
	/** An earlier post of this episode may have gone out and could not be checked (its answer was lost and Slack's history was unreadable, or another run is posting it): nothing is sent on a guess. */
	| { alert: false; reason: 'held'; why: string };

/**
 * `held`: episode keys (episodeKey) whose earlier post is still open and could
 * not be settled, with why: their anomalies wait for the next run.
 */
export function decideAlerts(anomalies: readonly Anomaly[], sent: readonly SentAlert[], worsening = 1.25, held: ReadonlyMap<string, string> = new Map()): Array<{ anomaly: Anomaly; decision: AlertDecision }> {
	const worst = new Map<string, number>();
	for (const s of sent) {
		const k = episodeKey({ ...s, metric: s.metric as Anomaly['metric'] });
		worst.set(k, Math.max(worst.get(k) ?? 0, Math.abs(s.score)));
	}
	const out: Array<{ anomaly: Anomaly; decision: AlertDecision }> = [];
	// oldest day first, so a run's first day alerts and later days only when worse
	for (const a of [...anomalies].sort((x, y) => x.date.localeCompare(y.date))) {
		const k = episodeKey(a);
		const why = held.get(k);
		if (why !== undefined) {
			out.push({ anomaly: a, decision: { alert: false, reason: 'held', why } });
			continue;
		}
		const prev = worst.get(k);
		const score = Math.abs(a.score);
		if (prev === undefined) {
			out.push({ anomaly: a, decision: { alert: true, reason: 'new', previous: null } });
			worst.set(k, score);
		} else if (score >= worsening * prev) {
			out.push({ anomaly: a, decision: { alert: true, reason: 'worse', previous: prev } });
			worst.set(k, score);
		} else out.push({ anomaly: a, decision: { alert: false, reason: 'already_sent', previous: prev } });
	}
	return out;
}

// ---------------------------------------------------------------------------
// One message per entity and day
// ---------------------------------------------------------------------------

/** Ledger kind of an anomaly group's Slack post (deliver.ts); open entries of this kind are settled before a scan alerts. */
export const ANOMALY_ALERT_KIND = 'insights.anomaly_alert';

/** One anomaly of a group as its ledger entry records it: enough to mark it alerted once the post is settled. */
export interface GroupMember {
	platform: string;
	accountId: string;
	campaignId: string | null;
	metric: string;
	date: string;
	episodeStart: string;
	/** |score| the member was alerted at. */
	score: number;
}

/** Entity and day of an anomaly: what one alert message covers. */
export function entityDayKey(a: Pick<Anomaly, 'platform' | 'accountId' | 'campaignId' | 'date'>): string {
	return `${a.platform}|${a.accountId}|${a.campaignId ?? ''}|${a.date}`;
}

/**
 * Ledger idempotency key of one message: the entity, the day and each member
 * (metric, episode, and for a worse alert the score it is worse than), so a
 * rerun composes the same key, and a member that worsens or joins later makes
 * a new message instead of being swallowed by the first one's ledger entry.
 */
export function groupKey(members: ReadonlyArray<{ anomaly: Anomaly; decision: AlertDecision }>): string {
	const first = members[0]!.anomaly;
	const tokens = members
		.map(({ anomaly: a, decision }) => `${a.metric}@${a.episodeStart}${decision.alert && decision.reason === 'worse' && decision.previous !== null ? `>${decision.previous.toFixed(3)}` : ''}`)
		.sort();
	return `insights.anomalies:${entityDayKey(first)}|${tokens.join(',')}`;
}

/** The lead first: a named pattern (tracking break, …) before plain moves, then the larger |score|, then the metric's name. */
function leadOrder(x: Anomaly, y: Anomaly): number {
	return Number(y.pattern !== null) - Number(x.pattern !== null) || Math.abs(y.score) - Math.abs(x.score) || x.metric.localeCompare(y.metric);
}

/**
 * The alerting anomalies grouped per entity (account or campaign) and day,
 * members in lead order; anomalies that do not alert are in no group. Groups
 * come in the order of their first member in `decided`.
 */
export function groupAlerts<T extends { anomaly: Anomaly; decision: AlertDecision }>(decided: readonly T[]): Array<{ key: string; members: T[] }> {
	const byEntity = new Map<string, T[]>();
	for (const d of decided) {
		if (!d.decision.alert) continue;
		const k = entityDayKey(d.anomaly);
		const list = byEntity.get(k);
		if (list) list.push(d);
		else byEntity.set(k, [d]);
	}
	return [...byEntity.values()].map((members) => {
		members.sort((x, y) => leadOrder(x.anomaly, y.anomaly));
		return { key: groupKey(members), members };
	});
}

/** What a group's ledger entry keeps of its members. */
export function groupMembers(members: ReadonlyArray<{ anomaly: Anomaly }>): GroupMember[] {
	return members.map(({ anomaly: a }) => ({ platform: a.platform, accountId: a.accountId, campaignId: a.campaignId, metric: a.metric, date: a.date, episodeStart: a.episodeStart, score: Math.abs(a.score) }));
}
