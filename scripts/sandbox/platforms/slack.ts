/**
 * Slack Web API under `/slack/api/{method}`, and interaction `response_url`s
 * under `/slack/actions/{team}/{hook}/{token}` (`slackHooks`). Accepts form-encoded bodies (as
 * @slack/web-api sends them, `blocks` as a JSON string) and JSON bodies; the
 * token comes from `Authorization: Bearer` or a `token` field. Errors are
 * HTTP 200 with `{ok:false,error}` like Slack, except rate limits (HTTP 429 +
 * Retry-After). Block Kit limits are enforced as Slack documents them.
 */
import { createHmac } from 'node:crypto';
import { bearer, bodyObject, header, json, now, type Ctx, type Platform, type Reply, type Route, type SlackResponse } from '../core';
import { SANDBOX_CREDENTIALS, type SlackChannel, type SlackFile, type SlackMessage } from '../world';

function fail(error: string, extra?: Record<string, unknown>): Reply {
	return json(200, { ok: false, error, ...extra });
}

function arg(ctx: Ctx, name: string): unknown {
	const body = bodyObject(ctx);
	if (name in body) return body[name];
	return ctx.query.get(name) ?? undefined;
}

function str(ctx: Ctx, name: string): string | undefined {
	const v = arg(ctx, name);
	return v === undefined || v === null ? undefined : String(v);
}

function findChannel(ctx: Ctx, idOrName: string | undefined): SlackChannel | undefined {
	if (!idOrName) return undefined;
	const key = idOrName.replace(/^#/, '');
	return ctx.state.world.slack.channels.find((c) => c.id === key || c.name === key);
}

const BLOCK_TYPES = new Set(['section', 'header', 'divider', 'context', 'actions', 'image', 'rich_text', 'markdown', 'input', 'video', 'file']);

/** Validates blocks like Slack does; returns Slack's error strings. */
export function validateBlocks(blocks: unknown): string[] {
	const errors: string[] = [];
	const err = (msg: string, pointer: string): void => {
		errors.push(`${msg} [json-pointer:${pointer}]`);
	};
	if (!Array.isArray(blocks)) {
		err('must provide an array', '/blocks');
		return errors;
	}
	if (blocks.length > 50) err('no more than 50 items allowed', '/blocks');
	const textObj = (t: unknown, pointer: string, max: number, plainOnly = false): void => {
		if (!t || typeof t !== 'object') return err('must provide an object', pointer);
		const o = t as Record<string, unknown>;
		if (o.type !== 'plain_text' && o.type !== 'mrkdwn') return err('must be a valid enum value', `${pointer}/type`);
		if (plainOnly && o.type !== 'plain_text') return err('must be a valid enum value', `${pointer}/type`);
		if (typeof o.text !== 'string') return err('must provide a string', `${pointer}/text`);
		if (o.text.length === 0) return err('must be more than 0 characters', `${pointer}/text`);
		if (o.text.length > max) err(`must be less than ${max + 1} characters`, `${pointer}/text`);
	};
	const blockIds = new Set<string>();
	blocks.forEach((b, i) => {
		const p = `/blocks/${i}`;
		if (!b || typeof b !== 'object') return err('must provide an object', p);
		const block = b as Record<string, unknown>;
		if (typeof block.type !== 'string' || !BLOCK_TYPES.has(block.type)) return err('must be a valid enum value', `${p}/type`);
		if (block.block_id !== undefined) {
			if (typeof block.block_id !== 'string' || block.block_id.length > 255) err('must be less than 256 characters', `${p}/block_id`);
			else if (blockIds.has(block.block_id)) err('must be unique', `${p}/block_id`);
			else blockIds.add(block.block_id);
		}
		switch (block.type) {
			case 'section': {
				if (block.text === undefined && block.fields === undefined) err('must provide either text or fields', p);
				if (block.text !== undefined) textObj(block.text, `${p}/text`, 3000);
				if (block.fields !== undefined) {
					if (!Array.isArray(block.fields)) err('must provide an array', `${p}/fields`);
					else {
						if (block.fields.length > 10) err('no more than 10 items allowed', `${p}/fields`);
						block.fields.forEach((f, j) => textObj(f, `${p}/fields/${j}`, 2000));
					}
				}
				break;
			}
			case 'header':
				textObj(block.text, `${p}/text`, 150, true);
				break;
			case 'context': {
				const els = block.elements;
				if (!Array.isArray(els) || els.length === 0) err('must provide a non-empty array', `${p}/elements`);
				else {
					if (els.length > 10) err('no more than 10 items allowed', `${p}/elements`);
					els.forEach((el, j) => {
						const e = el as Record<string, unknown>;
						if (e?.type === 'image') return;
						textObj(e, `${p}/elements/${j}`, 3000);
					});
				}
				break;
			}
			case 'actions': {
				const els = block.elements;
				if (!Array.isArray(els) || els.length === 0) err('must provide a non-empty array', `${p}/elements`);
				else {
					if (els.length > 25) err('no more than 25 items allowed', `${p}/elements`);
					els.forEach((el, j) => {
						const e = (el ?? {}) as Record<string, unknown>;
						if (e.type === 'button') {
							textObj(e.text, `${p}/elements/${j}/text`, 75, true);
							if (e.action_id !== undefined && String(e.action_id).length > 255) err('must be less than 256 characters', `${p}/elements/${j}/action_id`);
							if (e.value !== undefined && String(e.value).length > 2000) err('must be less than 2001 characters', `${p}/elements/${j}/value`);
							if (e.url !== undefined && String(e.url).length > 3000) err('must be less than 3001 characters', `${p}/elements/${j}/url`);
							if (e.style !== undefined && e.style !== 'primary' && e.style !== 'danger') err('must be a valid enum value', `${p}/elements/${j}/style`);
						}
					});
				}
				break;
			}
			case 'image':
				if (typeof block.image_url !== 'string' && !block.slack_file) err('must provide image_url or slack_file', p);
				if (typeof block.alt_text !== 'string') err('must provide a string', `${p}/alt_text`);
				break;
			case 'markdown':
				if (typeof block.text !== 'string') err('must provide a string', `${p}/text`);
				else if (block.text.length > 12000) err('must be less than 12001 characters', `${p}/text`);
				break;
			default:
				break;
		}
	});
	return errors;
}

function parseBlocks(ctx: Ctx): { blocks?: unknown[]; error?: Reply } {
	const raw = arg(ctx, 'blocks');
	if (raw === undefined || raw === '') return {};
	let blocks: unknown = raw;
	if (typeof raw === 'string') {
		try {
			blocks = JSON.parse(raw);
		} catch {
			return { error: fail('invalid_blocks_format') };
		}
	}
	const errors = validateBlocks(blocks);
	if (errors.length) return { error: fail('invalid_blocks', { errors, response_metadata: { messages: errors.map((e) => `[ERROR] ${e}`) } }) };
	return { blocks: blocks as unknown[] };
}

/** Message metadata as Slack stores it (`chat.postMessage`'s `metadata`): shown by history/replies only with `include_all_metadata`. */
interface MessageMetadata {
	event_type: string;
	event_payload: Record<string, unknown>;
}
type StoredMessage = SlackMessage & { metadata?: MessageMetadata };

/** Parses `metadata` (a JSON string in form bodies, an object in JSON bodies) like Slack: `event_type` a string, `event_payload` an object. */
function parseMetadata(ctx: Ctx): { metadata?: MessageMetadata; error?: Reply } {
	const raw = arg(ctx, 'metadata');
	if (raw === undefined || raw === '') return {};
	let value: unknown = raw;
	if (typeof raw === 'string') {
		try {
			value = JSON.parse(raw);
		} catch {
			return { error: fail('invalid_metadata_format') };
		}
	}
	const m = value as { event_type?: unknown; event_payload?: unknown } | null;
	if (!m || typeof m !== 'object' || typeof m.event_type !== 'string' || !/^[A-Za-z0-9_.-]{1,255}$/.test(m.event_type)) return { error: fail('invalid_metadata_schema') };
	if (!m.event_payload || typeof m.event_payload !== 'object' || Array.isArray(m.event_payload)) return { error: fail('invalid_metadata_schema') };
	if (JSON.stringify(m.event_payload).length > 8000) return { error: fail('invalid_metadata_format') };
	return { metadata: { event_type: m.event_type, event_payload: m.event_payload as Record<string, unknown> } };
}

function wantsMetadata(ctx: Ctx): boolean {
	const v = str(ctx, 'include_all_metadata');
	return v === 'true' || v === '1';
}

function nextTs(ctx: Ctx): string {
	ctx.state.slackSeq++;
	return `${Math.floor(now(ctx.state) / 1000)}.${String(ctx.state.slackSeq % 1_000_000).padStart(6, '0')}`;
}

function messageJson(ctx: Ctx, m: StoredMessage, channel: SlackChannel, withMetadata = false): Record<string, unknown> {
	const slack = ctx.state.world.slack;
	const replies = channel.messages.filter((r) => r.threadTs === m.ts && r.ts !== m.ts);
	const out: Record<string, unknown> = {
		type: 'message',
		ts: m.ts,
		text: m.text,
		...(m.user ? { user: m.user } : {}),
		...(m.botId ? { bot_id: m.botId, app_id: slack.appId, bot_profile: { id: m.botId, app_id: slack.appId, name: 'AdOps', team_id: slack.teamId } } : {}),
		team: slack.teamId,
		...(m.blocks ? { blocks: m.blocks } : {}),
		...(m.threadTs ? { thread_ts: m.threadTs } : {}),
		...(m.threadTs && m.threadTs !== m.ts ? { parent_user_id: channel.messages.find((p) => p.ts === m.threadTs)?.user ?? slack.botUserId } : {}),
		...(m.replyBroadcast ? { subtype: 'thread_broadcast' } : {}),
		...(m.edited ? { edited: m.edited } : {}),
		...(withMetadata && m.metadata ? { metadata: m.metadata } : {}),
		...(m.files?.length ? { upload: true, display_as_bot: false, files: m.files.map((id) => slack.files?.find((f) => f.id === id)).filter((f): f is SlackFile => !!f).map((f) => fileJson(ctx, f)) } : {}),
	};
	if (!m.threadTs || m.threadTs === m.ts) {
		if (replies.length) {
			out.thread_ts = m.ts;
			out.reply_count = replies.length;
			out.reply_users_count = new Set(replies.map((r) => r.user)).size;
			out.latest_reply = replies[replies.length - 1]!.ts;
			out.reply_users = [...new Set(replies.map((r) => r.user))];
		}
	}
	return out;
}

function authTest(ctx: Ctx): Reply {
	const s = ctx.state.world.slack;
	return json(200, { ok: true, url: 'https://northwind-adops-sandbox.slack.com/', team: s.teamName, user: 'adops', team_id: s.teamId, user_id: s.botUserId, bot_id: s.botId, is_enterprise_install: false });
}

function writableChannel(ctx: Ctx): { channel?: SlackChannel; error?: Reply } {
	const name = str(ctx, 'channel');
	if (!name) return { error: fail('channel_not_found') };
	const channel = findChannel(ctx, name);
	if (!channel) return { error: fail('channel_not_found') };
	if (!channel.isMember) return { error: fail('not_in_channel') };
	return { channel };
}

function postMessage(ctx: Ctx): Reply {
	const { channel, error } = writableChannel(ctx);
	if (error) return error;
	const text = str(ctx, 'text') ?? '';
	const { blocks, error: blockError } = parseBlocks(ctx);
	if (blockError) return blockError;
	const { metadata, error: metadataError } = parseMetadata(ctx);
	if (metadataError) return metadataError;
	if (!text && !blocks?.length) return fail('no_text');
	if (text.length > 40_000) return fail('msg_too_long');
	const threadTs = str(ctx, 'thread_ts');
	if (threadTs && !channel!.messages.some((m) => m.ts === threadTs)) return fail('thread_not_found');
	const slack = ctx.state.world.slack;
	const parent = threadTs ? channel!.messages.find((m) => m.ts === threadTs) : undefined;
	const m: StoredMessage = {
		ts: nextTs(ctx),
		channel: channel!.id,
		user: slack.botUserId,
		botId: slack.botId,
		text,
		...(blocks ? { blocks } : {}),
		...(parent ? { threadTs: parent.threadTs ?? parent.ts } : {}),
		...(threadTs && String(arg(ctx, 'reply_broadcast')) === 'true' ? { replyBroadcast: true } : {}),
		viaApi: true,
		...(metadata ? { metadata } : {}),
	};
	channel!.messages.push(m);
	const warnings = !text && blocks ? ['missing_text_in_blocks'] : [];
	return json(200, { ok: true, channel: channel!.id, ts: m.ts, message: messageJson(ctx, m, channel!, true), ...(warnings.length ? { warning: warnings.join(','), response_metadata: { warnings } } : {}) });
}

function update(ctx: Ctx): Reply {
	const { channel, error } = writableChannel(ctx);
	if (error) return error;
	const ts = str(ctx, 'ts');
	const m = channel!.messages.find((x) => x.ts === ts);
	if (!m) return fail('message_not_found');
	if (!m.viaApi) return fail('cant_update_message');
	const text = str(ctx, 'text');
	const { blocks, error: blockError } = parseBlocks(ctx);
	if (blockError) return blockError;
	if (text === undefined && blocks === undefined) return fail('no_text');
	if (text !== undefined && text.length > 40_000) return fail('msg_too_long');
	if (text !== undefined) m.text = text;
	if (blocks !== undefined) m.blocks = blocks;
	m.edited = { user: ctx.state.world.slack.botUserId, ts: nextTs(ctx) };
	return json(200, { ok: true, channel: channel!.id, ts: m.ts, text: m.text, message: messageJson(ctx, m, channel!) });
}

function readable(ctx: Ctx): { channel?: SlackChannel; error?: Reply } {
	const channel = findChannel(ctx, str(ctx, 'channel'));
	if (!channel) return { error: fail('channel_not_found') };
	if (!channel.isMember && !channel.isPrivate) return { channel };
	if (!channel.isMember) return { error: fail('channel_not_found') };
	return { channel };
}

function limitArg(ctx: Ctx, max: number): number | Reply {
	const raw = str(ctx, 'limit');
	if (raw === undefined) return 100;
	const n = Number(raw);
	if (!Number.isInteger(n) || n < 1) return fail('invalid_limit');
	return Math.min(n, max);
}

function cursorArg(ctx: Ctx): number | Reply {
	const c = str(ctx, 'cursor');
	if (!c) return 0;
	const decoded = Buffer.from(c, 'base64').toString('utf8');
	const m = /^offset:(\d+)$/.exec(decoded);
	return m ? Number(m[1]) : fail('invalid_cursor');
}

function history(ctx: Ctx): Reply {
	const { channel, error } = readable(ctx);
	if (error) return error;
	const limit = limitArg(ctx, 999);
	if (typeof limit !== 'number') return limit;
	const start = cursorArg(ctx);
	if (typeof start !== 'number') return start;
	const oldest = str(ctx, 'oldest');
	const latest = str(ctx, 'latest');
	const inclusive = str(ctx, 'inclusive') === 'true' || str(ctx, 'inclusive') === '1';
	const top = channel!.messages
		.filter((m) => !m.threadTs || m.threadTs === m.ts || m.replyBroadcast)
		.filter((m) => (oldest ? (inclusive ? Number(m.ts) >= Number(oldest) : Number(m.ts) > Number(oldest)) : true))
		.filter((m) => (latest ? (inclusive ? Number(m.ts) <= Number(latest) : Number(m.ts) < Number(latest)) : true))
		.sort((a, b) => Number(b.ts) - Number(a.ts));
	const slice = top.slice(start, start + limit);
	const more = start + limit < top.length;
	return json(200, {
		ok: true,
		messages: slice.map((m) => messageJson(ctx, m, channel!, wantsMetadata(ctx))),
		has_more: more,
		pin_count: 0,
		channel_actions_ts: null,
		channel_actions_count: 0,
		response_metadata: { next_cursor: more ? Buffer.from(`offset:${start + limit}`).toString('base64') : '' },
	});
}

function replies(ctx: Ctx): Reply {
	const { channel, error } = readable(ctx);
	if (error) return error;
	const ts = str(ctx, 'ts');
	if (!ts) return fail('invalid_arguments');
	const parent = channel!.messages.find((m) => m.ts === ts);
	if (!parent) return fail('thread_not_found');
	const root = parent.threadTs ?? parent.ts;
	const rootMsg = channel!.messages.find((m) => m.ts === root)!;
	const limit = limitArg(ctx, 1000);
	if (typeof limit !== 'number') return limit;
	const start = cursorArg(ctx);
	if (typeof start !== 'number') return start;
	const all = [rootMsg, ...channel!.messages.filter((m) => m.threadTs === root && m.ts !== root).sort((a, b) => Number(a.ts) - Number(b.ts))];
	const slice = all.slice(start, start + limit);
	const more = start + limit < all.length;
	return json(200, { ok: true, messages: slice.map((m) => messageJson(ctx, m, channel!, wantsMetadata(ctx))), has_more: more, response_metadata: { next_cursor: more ? Buffer.from(`offset:${start + limit}`).toString('base64') : '' } });
}

function info(ctx: Ctx): Reply {
	const channel = findChannel(ctx, str(ctx, 'channel'));
	if (!channel) return fail('channel_not_found');
	return json(200, {
		ok: true,
		channel: {
			id: channel.id,
			name: channel.name,
			is_channel: true,
			is_group: false,
			is_im: false,
			is_private: channel.isPrivate,
			is_archived: false,
			is_general: channel.name === 'random',
			is_member: channel.isMember,
			created: channel.created,
			creator: 'U0MAYA0001',
			name_normalized: channel.name,
			topic: { value: channel.topic, creator: 'U0MAYA0001', last_set: channel.created },
			purpose: { value: '', creator: '', last_set: 0 },
		},
	});
}

/** `conversations.list`: channels the workspace has (public, and private ones the bot is in), cursor-paged. */
function list(ctx: Ctx): Reply {
	const limit = limitArg(ctx, 1000);
	if (typeof limit !== 'number') return limit;
	const start = cursorArg(ctx);
	if (typeof start !== 'number') return start;
	const types = (str(ctx, 'types') ?? 'public_channel').split(',').map((t) => t.trim());
	const all = ctx.state.world.slack.channels.filter((c) => (c.isPrivate ? types.includes('private_channel') && c.isMember : types.includes('public_channel')));
	const slice = all.slice(start, start + limit);
	const more = start + limit < all.length;
	return json(200, {
		ok: true,
		channels: slice.map((c) => ({ id: c.id, name: c.name, is_channel: !c.isPrivate, is_group: false, is_im: false, is_private: c.isPrivate, is_archived: false, is_member: c.isMember, created: c.created, name_normalized: c.name })),
		response_metadata: { next_cursor: more ? Buffer.from(`offset:${start + limit}`).toString('base64') : '' },
	});
}


// --- files: the external upload flow --------------------------------------------------------------

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

function mimetypeOf(bytes: Uint8Array, name: string): string {
	if (PNG_SIGNATURE.every((b, i) => bytes[i] === b)) return 'image/png';
	if (bytes[0] === 0xff && bytes[1] === 0xd8) return 'image/jpeg';
	return /\.txt$/i.test(name) ? 'text/plain' : 'application/octet-stream';
}

function fileJson(ctx: Ctx, f: SlackFile): Record<string, unknown> {
	const s = ctx.state.world.slack;
	const ext = f.mimetype === 'image/png' ? 'png' : f.mimetype === 'image/jpeg' ? 'jpg' : 'binary';
	return {
		id: f.id,
		created: f.created,
		timestamp: f.created,
		name: f.name,
		title: f.title ?? f.name,
		mimetype: f.mimetype,
		filetype: ext,
		pretty_type: ext.toUpperCase(),
		user: s.botUserId,
		size: f.bytes?.length ?? 0,
		is_external: false,
		is_public: f.channels.length > 0,
		channels: f.channels,
		groups: [],
		ims: [],
		...(f.altText ? { alt_txt: f.altText } : {}),
		url_private: `${ctx.origin}/slack/files-pri/${s.teamId}-${f.id}/${encodeURIComponent(f.name)}`,
		permalink: `https://northwind-adops-sandbox.slack.com/files/${s.botUserId}/${f.id}/${encodeURIComponent(f.name)}`,
	};
}

/** `files.getUploadURLExternal`: filename and length (bytes) required; answers the upload URL and the file's id. */
function getUploadUrl(ctx: Ctx): Reply {
	const filename = str(ctx, 'filename');
	const lengthText = str(ctx, 'length');
	if (!filename || lengthText === undefined) return fail('invalid_arguments', { response_metadata: { messages: [`[ERROR] missing required field: ${!filename ? 'filename' : 'length'}`] } });
	const length = Number(lengthText);
	if (!Number.isInteger(length) || length < 0) return fail('invalid_arguments', { response_metadata: { messages: ['[ERROR] length must be an integer'] } });
	if (length === 0) return fail('missing_argument');
	const altText = str(ctx, 'alt_txt');
	if (altText && altText.length > 1000) return fail('alt_txt_too_large');
	const slack = ctx.state.world.slack;
	slack.files ??= [];
	ctx.state.idSeq++;
	const id = `F0SBX${String(ctx.state.idSeq).padStart(6, '0')}`;
	const uploadToken = createHmac('sha256', ctx.state.world.credentials.slack.signingSecret).update(id).digest('hex').slice(0, 32);
	slack.files.push({ id, name: filename, ...(altText ? { altText } : {}), length, bytes: null, mimetype: 'application/octet-stream', uploadToken, channels: [], completed: false, created: Math.floor(now(ctx.state) / 1000) });
	return json(200, { ok: true, upload_url: `${ctx.origin}/slack/upload/v1/${uploadToken}`, file_id: id });
}

/** The upload URL: the file's bytes as the raw body (HTTP 200 "OK - <bytes>"); no token needed, the URL is the secret. */
function receiveUpload(ctx: Ctx): Reply {
	const f = ctx.state.world.slack.files?.find((x) => x.uploadToken === ctx.params[0]);
	if (!f) return { status: 404, headers: { 'content-type': 'text/plain' }, body: 'Not Found', raw: true };
	if (f.completed) return { status: 400, headers: { 'content-type': 'text/plain' }, body: 'upload already completed', raw: true };
	f.bytes = new Uint8Array(ctx.rawBytes);
	f.mimetype = mimetypeOf(f.bytes, f.name);
	return { status: 200, headers: { 'content-type': 'text/plain' }, body: `OK - ${f.bytes.length}`, raw: true };
}

/** `files.completeUploadExternal`: files [{id, title}], channel_id, initial_comment, thread_ts; shares the files as one message. */
function completeUpload(ctx: Ctx): Reply {
	let list = arg(ctx, 'files');
	if (typeof list === 'string') {
		try {
			list = JSON.parse(list);
		} catch {
			return fail('invalid_arguments', { response_metadata: { messages: ['[ERROR] files must be a JSON array'] } });
		}
	}
	if (!Array.isArray(list) || list.length === 0) return fail('invalid_arguments', { response_metadata: { messages: ['[ERROR] missing required field: files'] } });
	const slack = ctx.state.world.slack;
	const chosen: SlackFile[] = [];
	for (const entry of list as Array<{ id?: unknown; title?: unknown }>) {
		const f = slack.files?.find((x) => x.id === entry?.id);
		// a file never uploaded to its URL, or completed already, is not found (Slack drops unfinished uploads)
		if (!f || !f.bytes || f.completed) return fail('file_not_found');
		if (f.bytes.length !== f.length) return fail('file_upload_size_mismatch');
		chosen.push(f);
	}
	const channelId = str(ctx, 'channel_id') ?? str(ctx, 'channels')?.split(',')[0];
	let channel: SlackChannel | undefined;
	if (channelId) {
		channel = slack.channels.find((c) => c.id === channelId);
		if (!channel) return fail(channelId.startsWith('#') || !/^[CGD]/.test(channelId) ? 'invalid_channel' : 'channel_not_found');
		if (!channel.isMember) return fail('not_in_channel');
	}
	const threadTs = str(ctx, 'thread_ts');
	if (threadTs && channel && !channel.messages.some((m) => m.ts === threadTs)) return fail('thread_not_found');
	// nothing changes before every check passed: a refused call leaves the files as they were
	for (const [i, f] of chosen.entries()) {
		const { title } = (list as Array<{ title?: unknown }>)[i]!;
		if (typeof title === 'string' && title) f.title = title;
		f.completed = true;
		if (channel) f.channels.push(channel.id);
	}
	if (channel) {
		const m: StoredMessage = {
			ts: nextTs(ctx),
			channel: channel.id,
			user: slack.botUserId,
			botId: slack.botId,
			text: str(ctx, 'initial_comment') ?? '',
			...(threadTs ? { threadTs } : {}),
			viaApi: true,
			files: chosen.map((f) => f.id),
		};
		channel.messages.push(m);
	}
	return json(200, { ok: true, files: chosen.map((f) => fileJson(ctx, f)) });
}

function authenticate(ctx: Ctx): Reply | undefined {
	if (ctx.path.startsWith('/upload/')) return undefined; // the upload URL carries its own secret
	const token = bearer(ctx) ?? (str(ctx, 'token') || undefined);
	if (!token) return fail('not_authed');
	if (token !== ctx.state.world.credentials.slack.botToken) return fail('invalid_auth');
	return undefined;
}

const routes: Route[] = [
	{ name: 'slack.authTest', method: 'POST', pattern: /^\/api\/auth\.test$/, handler: authTest },
	{ name: 'slack.postMessage', method: 'POST', pattern: /^\/api\/chat\.postMessage$/, handler: postMessage },
	{ name: 'slack.update', method: 'POST', pattern: /^\/api\/chat\.update$/, handler: update },
	{ name: 'slack.history', method: 'POST', pattern: /^\/api\/conversations\.history$/, handler: history },
	{ name: 'slack.replies', method: 'POST', pattern: /^\/api\/conversations\.replies$/, handler: replies },
	{ name: 'slack.info', method: 'POST', pattern: /^\/api\/conversations\.info$/, handler: info },
	{ name: 'slack.list', method: 'POST', pattern: /^\/api\/conversations\.list$/, handler: list },
	{ name: 'slack.getUploadURLExternal', method: 'POST', pattern: /^\/api\/files\.getUploadURLExternal$/, handler: getUploadUrl },
	{ name: 'slack.completeUploadExternal', method: 'POST', pattern: /^\/api\/files\.completeUploadExternal$/, handler: completeUpload },
	{ name: 'slack.upload', method: 'POST', pattern: /^\/upload\/v1\/([a-f0-9]+)$/, handler: receiveUpload },
];
// Slack accepts GET for read methods as well.
for (const r of [...routes]) if (!['slack.postMessage', 'slack.update', 'slack.completeUploadExternal', 'slack.upload'].includes(r.name)) routes.push({ ...r, method: 'GET' });

export const slack: Platform = {
	name: 'slack',
	prefix: '/slack',
	routes,
	authenticate,
	errorReply(status, kind, message, retryAfter) {
		if (kind === 'rate_limit') return { status: 429, headers: { 'retry-after': String(retryAfter ?? 1) }, body: { ok: false, error: 'ratelimited' } };
		if (kind === 'server') return { status, headers: { 'content-type': 'text/html' }, body: `<html><body>Slack is having trouble (${status}). ${message}</body></html>`, raw: true };
		if (kind === 'not_found') return fail('unknown_method');
		return fail('invalid_arguments');
	},
};

/** Replies Slack accepts per `response_url` (within 30 minutes, which the sandbox does not model). */
export const RESPONSE_URL_MAX_USES = 5;

/** The token part of a sandbox `response_url`: only URLs the sandbox could have issued are accepted. */
export function responseUrlToken(signingSecret: string, teamId: string, hookId: string): string {
	return createHmac('sha256', signingSecret).update(`response_url:${teamId}/${hookId}`, 'utf8').digest('hex').slice(0, 24);
}

/** A `response_url` the sandbox accepts; `base` is the Sandbox's `urls.slackActions`. */
export function slackResponseUrl(base: string, teamId: string, hookId: string): string {
	return `${base.replace(/\/+$/, '')}/${teamId}/${hookId}/${responseUrlToken(SANDBOX_CREDENTIALS.slack.signingSecret, teamId, hookId)}`;
}

function hookReply(status: number, text: string, headers?: Record<string, string>): Reply {
	return { status, headers: { 'content-type': 'text/plain; charset=utf-8', ...headers }, body: text, raw: true };
}

/** The JSON message of a `response_url` POST: a JSON body, or a form's `payload` field as incoming webhooks also accept. */
function hookMessage(ctx: Ctx): Record<string, unknown> | undefined {
	if (ctx.bodyError || ctx.body === undefined) return undefined;
	let message: unknown = ctx.body;
	if ((header(ctx, 'content-type') ?? '').toLowerCase().includes('application/x-www-form-urlencoded')) {
		const payload = bodyObject(ctx).payload;
		if (typeof payload !== 'string') return undefined;
		try {
			message = JSON.parse(payload);
		} catch {
			return undefined;
		}
	}
	return message && typeof message === 'object' && !Array.isArray(message) ? (message as Record<string, unknown>) : undefined;
}

/** Slack's error code for a message it would refuse, or undefined. */
function hookMessageError(message: Record<string, unknown>): string | undefined {
	if (message.text !== undefined && typeof message.text !== 'string') return 'invalid_payload';
	if (message.blocks !== undefined && validateBlocks(message.blocks).length) return 'invalid_blocks';
	const hasBlocks = Array.isArray(message.blocks) && message.blocks.length > 0;
	const hasAttachments = Array.isArray(message.attachments) && message.attachments.length > 0;
	if (!message.text && !hasBlocks && !hasAttachments && message.delete_original !== true) return 'no_text';
	if (typeof message.text === 'string' && message.text.length > 40_000) return 'msg_too_long';
	return undefined;
}

function respond(ctx: Ctx): Reply {
	const [teamId, hookId, token] = ctx.params as [string, string, string];
	if (token !== responseUrlToken(ctx.state.world.credentials.slack.signingSecret, teamId, hookId)) return hookReply(404, 'no_service');
	const message = hookMessage(ctx);
	if (!message) return hookReply(400, 'invalid_payload');
	const error = hookMessageError(message);
	if (error) return hookReply(400, error);
	const uses = ctx.state.slackResponses.filter((r) => r.path === ctx.fullPath).length;
	if (uses >= RESPONSE_URL_MAX_USES) return hookReply(404, 'used_url');
	const record: SlackResponse = {
		seq: ++ctx.state.slackResponseSeq,
		at: new Date(now(ctx.state)).toISOString(),
		path: ctx.fullPath,
		teamId,
		hookId,
		body: message,
		text: typeof message.text === 'string' ? message.text : '',
		responseType: message.response_type === 'in_channel' ? 'in_channel' : 'ephemeral',
		replaceOriginal: message.replace_original === true,
		deleteOriginal: message.delete_original === true,
	};
	ctx.state.slackResponses.push(record);
	return hookReply(200, 'ok');
}

/**
 * Interaction `response_url`s, `POST /slack/actions/{team}/{hook}/{token}`
 * (Slack's are `https://hooks.slack.com/actions/T…/…/…`). An app POSTs a JSON
 * message there (`{response_type, replace_original, text, blocks}`); Slack
 * answers `200 ok` as text/plain and errors as text/plain codes: 400
 * `invalid_payload` (not a JSON object), `no_text`, `invalid_blocks`; 404
 * `no_service` for a URL Slack never issued; 404 `used_url` after five uses
 * (Slack allows five replies per URL within 30 minutes; the 30 minutes are
 * not modelled). Accepted messages are recorded in `state.slackResponses`;
 * they are not applied to the channel history. No bot token is needed: the
 * URL is the credential. Its own platform (prefix `/slack/actions`, text/plain
 * errors) named `slack`, route `slack.responseUrl`, so `slack.*` faults reach it.
 */
export const slackHooks: Platform = {
	name: 'slack',
	prefix: '/slack/actions',
	routes: [{ name: 'slack.responseUrl', method: 'POST', pattern: /^\/([A-Z0-9]+)\/(\d+)\/([A-Za-z0-9]+)$/, handler: respond }],
	errorReply(status, kind, _message, retryAfter) {
		if (kind === 'rate_limit') return hookReply(429, 'rate_limited', { 'retry-after': String(retryAfter ?? 1) });
		if (kind === 'server') return hookReply(status, 'rollup_error');
		if (kind === 'not_found') return hookReply(404, 'no_service');
		return hookReply(400, 'invalid_payload');
	},
};
