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
import type { Store } from '../store/types';

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
}

/** `postWithCharts` with one chart. */
export async function postWithChart(store: Store, slack: SlackDelivery, key: string, alert: Alert, chart: RenderedChart, filename: string, options: PostOptions = {}): Promise<Delivery> {
	return postWithCharts(store, slack, key, alert, [{ chart, filename }], options);
}

/** Several charts in the one message (the weekly digest: one per platform), at most 10. */
export async function postWithCharts(store: Store, slack: SlackDelivery, key: string, alert: Alert, charts: ReadonlyArray<{ chart: RenderedChart; filename: string }>, options: PostOptions = {}): Promise<Delivery> {
	const now = options.now ?? (() => new Date());
	const text = renderAlert(alert).text;
	const intent = { kind: 'insights.alert', target: slack.channel, intent: { title: alert.title, files: charts.map((c) => c.filename), alert: alert as unknown as Json }, retryFailed: true, claimedBy: options.claimedBy ?? claimHolder(`insights:${key}`) };
	let claim = await store.claimAction(key, intent);
	const open = !claim.claimed && (claim.entry.status === 'unknown' || (claim.entry.status === 'claimed' && claimAbandoned(claim.entry, now(), options.staleClaimMs)));
	if (open) {
		const from = claim.entry.status as 'unknown' | 'claimed';
		const why = from === 'unknown' ? "an earlier post's answer was lost" : 'an earlier run stopped while posting';
		let found: { ts: string; fileId: string } | undefined;
		try {
			found = await findSharedFile(slack.client, slack.channel, text, { now: now() });
		} catch (error) {
			return { status: 'unknown', error: `${why} and the channel could not be read (${(error as Error).message}); nothing was posted` };
		}
		const attempts = from === 'claimed' ? { attempts: claim.entry.attempts } : {};
		if (found) {
			await store.resolveAction(key, { from, status: 'succeeded', resolution: `${why}; found in Slack: message ${found.ts} with file ${found.fileId}`, response: found, ...attempts });
			return { status: 'already_posted', ledger: 'succeeded', ...found };
		}
		await store.resolveAction(key, { from, status: 'failed', resolution: `${why}; not in the channel history: the earlier post did not happen`, ...attempts });
		claim = await store.claimAction(key, intent);
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
