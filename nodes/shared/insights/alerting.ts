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

export type AlertDecision = { alert: true; reason: 'new' | 'worse'; previous: number | null } | { alert: false; reason: 'already_sent'; previous: number };

export function decideAlerts(anomalies: readonly Anomaly[], sent: readonly SentAlert[], worsening = 1.25): Array<{ anomaly: Anomaly; decision: AlertDecision }> {
	const worst = new Map<string, number>();
	for (const s of sent) {
		const k = episodeKey({ ...s, metric: s.metric as Anomaly['metric'] });
		worst.set(k, Math.max(worst.get(k) ?? 0, Math.abs(s.score)));
	}
	const out: Array<{ anomaly: Anomaly; decision: AlertDecision }> = [];
	// oldest day first, so a run's first day alerts and later days only when worse
	for (const a of [...anomalies].sort((x, y) => x.date.localeCompare(y.date))) {
		const k = episodeKey(a);
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
