/**
 * An insights alert posted to Slack as its chart(s) with the alert's text
 * (alerts/slack-files.ts's external upload flow), at most once per key
 * through the action ledger. No n8n imports: the AdOps Insights node calls it.
 *
 * Three steps, three outcomes: getUploadURLExternal and the upload leave
 * nothing in the channel when they fail (`failed`, posted again next run);
 * a lost or late answer of completeUploadExternal may have shared the file
 * (`unknown`). A run that died between the steps leaves its claim open
 * (`claimed`, holder gone: moderation/reconcile.ts's claimAbandoned). Both
 * are settled the same way before anything is posted again: the channel's
 * history is read for a file shared with exactly this text; found, it counts
 * as posted; not there, the ledger says failed and it is posted now. When the
 * channel cannot be read it stays open and nothing is posted on a guess.
 *
 * Failpoints (resilience/failpoints.ts): `slack.after-upload` (slack-files.ts:
 * the bytes are at Slack, the file not shared yet) and `insights.after-post`
 * (shared, the ledger not told yet).
 *
 * The claim records the alert itself (`intent.alert`, alertSchema), so a
 * caller that no longer composes the same text (allocation/slack.ts: a rerun
 * while the plan waits) settles the post with the exact text first sent.
 */
import type { WebClient } from '@slack/web-api';
import { renderAlert, type Alert } from '../alerts/message';
import { findSharedFile, SlackUploadError, uploadSlackFiles } from '../alerts/slack-files';
import type { RenderedChart } from '../charts/render';
import { claimAbandoned, claimHolder } from '../moderation/reconcile';
import { failpoint } from '../resilience/failpoints';
import type { Json } from '../schema/rows';
import type { ActionLedgerEntry, Store } from '../store/types';

/** Where alerts are posted with their charts: an AdOps Slack credential's client and channel. */
export interface SlackDelivery {
	client: Pick<WebClient, 'files' | 'conversations'>;
	channel: string;
}

export type Delivery =
	| { status: 'posted'; channel: string; fileId: string; fileIds: string[]; bytes: number }
	| { status: 'already_posted'; ledger: string; ts?: string; fileId?: string }
	| { status: 'failed' | 'unknown'; error: string };

export interface PostOptions {
	/** Who claims (default: this process); see moderation/reconcile.ts's claimHolder. */
	claimedBy?: string;
	now?: () => Date;
	/** A claim older than this whose holder cannot be checked is taken as abandoned (claimAbandoned's default: 10 minutes). */
	staleClaimMs?: number;
	/** Ledger kind (default `insights.alert`). */
	kind?: string;
	/** More for the claim's intent (an anomaly group: its members). */
	extra?: Record<string, Json>;
}

/** What settling an open post found: posted (`found`), not posted (`not_posted`: the entry is now `failed`), or nothing decided. */
export type Settled =
	| { state: 'found'; ts: string; fileId: string }
	| { state: 'not_posted' }
	| { state: 'unreadable'; error: string }
	/** The claim is held by a run that may still be posting (not abandoned). */
	| { state: 'busy' };

/**
 * Settles a post whose earlier attempt is open: `unknown` (its answer was
 * lost or late) or `claimed` by a run that stopped (claimAbandoned). Reads
 * the channel's history for a file shared with the text that attempt sent
 * (the alert its claim recorded; `text` when it recorded none): found, the
 * ledger says succeeded; not there, failed (it may be posted again); the
 * channel unreadable, it stays open. Nothing is posted here.
 */
export async function settleOpenPost(store: Pick<Store, 'resolveAction'>, slack: SlackDelivery, key: string, entry: ActionLedgerEntry, text: string | null, options: PostOptions = {}): Promise<Settled> {
	const now = options.now ?? (() => new Date());
	if (entry.status !== 'unknown' && !(entry.status === 'claimed' && claimAbandoned(entry, now(), options.staleClaimMs))) return { state: 'busy' };
	const from = entry.status as 'unknown' | 'claimed';
	const why = from === 'unknown' ? "an earlier post's answer was lost" : 'an earlier run stopped while posting';
	const recorded = (entry.intent as { alert?: unknown } | null)?.alert;
	const sentText = recorded && typeof recorded === 'object' ? renderAlert(recorded as unknown as Alert).text : text;
	if (sentText === null) return { state: 'unreadable', error: `${why} and its text was not recorded` };
	let found: { ts: string; fileId: string } | undefined;
	try {
		found = await findSharedFile(slack.client, slack.channel, sentText, { now: now() });
	} catch (error) {
		return { state: 'unreadable', error: `${why} and the channel could not be read (${(error as Error).message}); nothing was posted` };
	}
	const attempts = from === 'claimed' ? { attempts: entry.attempts } : {};
	if (found) {
		await store.resolveAction(key, { from, status: 'succeeded', resolution: `${why}; found in Slack: message ${found.ts} with file ${found.fileId}`, response: found, ...attempts });
		return { state: 'found', ...found };
	}
	await store.resolveAction(key, { from, status: 'failed', resolution: `${why}; not in the channel history: the earlier post did not happen`, ...attempts });
	return { state: 'not_posted' };
}

/** `postWithCharts` with one chart. */
export async function postWithChart(store: Store, slack: SlackDelivery, key: string, alert: Alert, chart: RenderedChart, filename: string, options: PostOptions = {}): Promise<Delivery> {
	return postWithCharts(store, slack, key, alert, [{ chart, filename }], options);
}

/** Several charts in the one message (the weekly digest: one per platform; an anomaly group: its strongest members), at most 10. */
export async function postWithCharts(store: Store, slack: SlackDelivery, key: string, alert: Alert, charts: ReadonlyArray<{ chart: RenderedChart; filename: string }>, options: PostOptions = {}): Promise<Delivery> {
	const text = renderAlert(alert).text;
	const intent = {
		kind: options.kind ?? 'insights.alert',
		target: slack.channel,
		intent: { title: alert.title, files: charts.map((c) => c.filename), alert: alert as unknown as Json, ...(options.extra ?? {}) },
		retryFailed: true,
		claimedBy: options.claimedBy ?? claimHolder(`insights:${key}`),
	};
	let claim = await store.claimAction(key, intent);
	if (!claim.claimed && (claim.entry.status === 'unknown' || claim.entry.status === 'claimed')) {
		const settled = await settleOpenPost(store, slack, key, claim.entry, text, options);
		if (settled.state === 'found') return { status: 'already_posted', ledger: 'succeeded', ts: settled.ts, fileId: settled.fileId };
		if (settled.state === 'unreadable') return { status: 'unknown', error: settled.error };
		if (settled.state === 'not_posted') claim = await store.claimAction(key, intent);
	}
	if (!claim.claimed) return { status: 'already_posted', ledger: claim.entry.status };
	try {
		const files = await uploadSlackFiles(slack.client, { channel: slack.channel, initialComment: text, files: charts.map((c) => ({ filename: c.filename, bytes: c.chart.png, title: alert.title, altText: alert.title })) });
		failpoint('insights.after-post');
		const bytes = files.reduce((n, f) => n + f.size, 0);
		await store.completeAction(key, { status: 'succeeded', response: { fileIds: files.map((f) => f.fileId), channel: files[0]!.channel, bytes } });
		return { status: 'posted', channel: files[0]!.channel, fileId: files[0]!.fileId, fileIds: files.map((f) => f.fileId), bytes };
	} catch (error) {
		const message = (error as Error).message;
		const outcome = error instanceof SlackUploadError ? error.outcome : 'unknown';
		await store.completeAction(key, outcome === 'failed' ? { status: 'failed', error: message } : { status: 'unknown', error: message });
		return { status: outcome, error: message };
	}
}
