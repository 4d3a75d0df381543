/**
 * Files into Slack with the external upload flow (files.upload is retired):
 *
 *   1. `files.getUploadURLExternal` (filename, length in bytes, alt_txt)
 *      answers `{ upload_url, file_id }`;
 *   2. the bytes are POSTed to `upload_url` (raw body; Slack answers HTTP 200
 *      "OK - <length>");
 *   3. `files.completeUploadExternal` (files: [{ id, title }], channel_id,
 *      initial_comment, thread_ts) shares the file in the channel as one
 *      message whose text is the initial comment.
 *
 * Outcomes: an error in steps 1 and 2, or an `ok:false` of step 3, leaves
 * nothing in the channel (`failed`; an unfinished upload is never shared). A
 * lost answer of step 3 (timeout, 5xx, unreadable) may have shared the file:
 * `unknown`, and the caller must not upload it again on a guess (the ledger
 * keeps it as possibly sent).
 */
import { ErrorCode, type WebClient } from '@slack/web-api';
import { failpoint } from '../resilience/failpoints';
import { describeSlackError, slackPostOutcome, takeSlackMessage } from './post';

export class SlackUploadError extends Error {
	constructor(
		message: string,
		readonly outcome: 'failed' | 'unknown',
		readonly slackError?: string,
	) {
		super(message);
		this.name = 'SlackUploadError';
	}
}

export interface SlackFileUpload {
	/** Channel ID (C…) or name; a name is looked up with conversations.list. */
	channel: string;
	filename: string;
	bytes: Uint8Array;
	title?: string;
	/** The message text the file is shared with (Slack mrkdwn). */
	initialComment?: string;
	altText?: string;
	threadTs?: string;
}

export interface UploadedFile {
	fileId: string;
	channel: string;
	size: number;
	/** The shared file's permalink when Slack gave one. */
	permalink?: string;
}

type Client = Pick<WebClient, 'files' | 'conversations'>;

/** A channel ID as completeUploadExternal needs it (it takes no names). */
export async function slackChannelId(client: Client, channel: string): Promise<string> {
	const bare = channel.trim().replace(/^#/, '');
	if (/^[CGD][A-Z0-9]{6,}$/.test(bare)) return bare;
	let cursor: string | undefined;
	for (let page = 0; page < 20; page++) {
		const res = await client.conversations.list({ types: 'public_channel,private_channel', exclude_archived: true, limit: 200, ...(cursor ? { cursor } : {}) });
		const hit = res.channels?.find((c) => c.name === bare);
		if (hit?.id) return hit.id;
		cursor = res.response_metadata?.next_cursor || undefined;
		if (!cursor) break;
	}
	throw new SlackUploadError(`Slack has no channel named "${bare}" that the bot can see: use the channel ID (C…) or invite the bot`, 'failed', 'channel_not_found');
}

/**
 * Reads the channel's recent history for a file shared with exactly this
 * message text (what completeUploadExternal's initial_comment becomes): how
 * a lost answer is settled before anything is uploaded again. Undefined:
 * not shared in the last `lookbackMs` (default 7 days).
 */
export async function findSharedFile(client: Client, channel: string, text: string, options: { lookbackMs?: number; now?: Date } = {}): Promise<{ ts: string; fileId: string } | undefined> {
	const id = await slackChannelId(client, channel);
	const oldest = (((options.now ?? new Date()).getTime() - (options.lookbackMs ?? 7 * 86_400_000)) / 1000).toFixed(6);
	let cursor: string | undefined;
	for (let page = 0; page < 10; page++) {
		const res = await client.conversations.history({ channel: id, oldest, limit: 200, ...(cursor ? { cursor } : {}) });
		for (const m of res.messages ?? []) {
			const file = (m.files as Array<{ id?: string }> | undefined)?.[0];
			if (file?.id && m.ts && m.text === text) return { ts: m.ts, fileId: file.id };
		}
		cursor = res.has_more ? res.response_metadata?.next_cursor || undefined : undefined;
		if (!cursor) break;
	}
	return undefined;
}

/** The three calls for one file; throws SlackUploadError with its outcome. `fetchImpl` sends the bytes (default: global fetch). */
export async function uploadSlackFile(client: Client, file: SlackFileUpload, fetchImpl: typeof fetch = fetch): Promise<UploadedFile> {
	const [one] = await uploadSlackFiles(client, { channel: file.channel, initialComment: file.initialComment, threadTs: file.threadTs, files: [file] }, fetchImpl);
	return one!;
}

/**
 * Several files shared as one message (one URL and upload per file, then one
 * completeUploadExternal naming them all, at most 10 as Slack allows).
 */
export async function uploadSlackFiles(
	client: Client,
	input: { channel: string; initialComment?: string; threadTs?: string; files: ReadonlyArray<Pick<SlackFileUpload, 'filename' | 'bytes' | 'title' | 'altText'>> },
	fetchImpl: typeof fetch = fetch,
): Promise<UploadedFile[]> {
	if (input.files.length === 0 || input.files.length > 10) throw new SlackUploadError(`Slack shares 1 to 10 files in one message, got ${input.files.length}`, 'failed');
	const channel = await slackChannelId(client, input.channel);
	const ids: Array<{ id: string; title?: string; size: number }> = [];
	for (const file of input.files) {
		if (file.bytes.length === 0) throw new SlackUploadError(`Nothing to upload: ${file.filename} is empty`, 'failed');
		let upload: { upload_url?: string; file_id?: string };
		try {
			upload = await client.files.getUploadURLExternal({ filename: file.filename, length: file.bytes.length, ...(file.altText ? { alt_txt: file.altText.slice(0, 1000) } : {}) });
		} catch (error) {
			const e = describeSlackError(error, 'files.getUploadURLExternal', channel);
			throw new SlackUploadError(`${e.message} (nothing was shared)`, 'failed', e.slackError);
		}
		if (!upload.upload_url || !upload.file_id) throw new SlackUploadError('Slack files.getUploadURLExternal answered without an upload URL or file ID (nothing was shared)', 'failed');
		let res: Response;
		try {
			res = await fetchImpl(upload.upload_url, { method: 'POST', headers: { 'content-type': 'application/octet-stream' }, body: file.bytes, signal: AbortSignal.timeout(60_000) });
		} catch (error) {
			throw new SlackUploadError(`Sending ${file.bytes.length} bytes of ${file.filename} to Slack's upload URL failed (${(error as Error).message}); the file was not shared`, 'failed');
		}
		if (!res.ok) {
			const body = (await res.text().catch(() => '')).slice(0, 200);
			throw new SlackUploadError(`Slack's upload URL refused ${file.filename} with HTTP ${res.status}${body ? ` (${body})` : ''}; the file was not shared`, 'failed');
		}
		await res.arrayBuffer().catch(() => undefined);
		ids.push({ id: upload.file_id, ...(file.title ? { title: file.title } : {}), size: file.bytes.length });
	}
	const names = input.files.map((f) => f.filename).join(', ');
	failpoint('slack.after-upload'); // uploaded, not shared: a run killed here has nothing in the channel
	// sharing posts a message into the channel: it counts against the channel's message budget as a post does
	try {
		await takeSlackMessage(client, input.channel);
	} catch (error) {
		throw new SlackUploadError(`${(error as Error).message} (the files were uploaded, not shared)`, 'failed', 'ratelimited');
	}
	try {
		const done = await client.files.completeUploadExternal({
			files: ids.map(({ id, title }) => ({ id, ...(title ? { title } : {}) })),
			channel_id: channel,
			...(input.initialComment ? { initial_comment: input.initialComment } : {}),
			...(input.threadTs ? { thread_ts: input.threadTs } : {}),
		} as Parameters<Client['files']['completeUploadExternal']>[0]);
		const shared = (done.files as Array<{ id?: string; permalink?: string }> | undefined) ?? [];
		return ids.map((f, i) => ({ fileId: shared[i]?.id ?? f.id, channel, size: f.size, ...(shared[i]?.permalink ? { permalink: shared[i]!.permalink } : {}) }));
	} catch (error) {
		const e = describeSlackError(error, 'files.completeUploadExternal', channel);
		const outcome = slackPostOutcome(error);
		if (outcome === 'unknown' && (error as { code?: string }).code !== ErrorCode.PlatformError) {
			throw new SlackUploadError(`${e.message}: the answer was lost, so ${names} may have been shared; it is not sent again on a guess`, 'unknown');
		}
		throw new SlackUploadError(`${e.message} (the file was not shared)`, 'failed', e.slackError);
	}
}
