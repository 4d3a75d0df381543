// Reading a click on an Approve/Reject button from Slack's interaction request
// (https://api.slack.com/reference/interaction-payloads/block-actions): an
// `application/x-www-form-urlencoded` body whose `payload` field is JSON of
// type `block_actions`. Everything in it is untrusted: it is checked field by
// field, returned as data, and anything unexpected becomes a typed rejection,
// never an exception. Verify the request's signature (slack-signature.ts)
// before acting on what this returns.

export const APPROVE_ACTION_ID = 'adops_approve';
export const REJECT_ACTION_ID = 'adops_reject';

/** Larger bodies are refused before parsing. Slack's payload carries the whole message, so this is generous. */
export const MAX_INTERACTION_BODY_BYTES = 2 * 1024 * 1024;
/** Slack's limit for a button value. */
export const MAX_BUTTON_VALUE_LENGTH = 2000;
const MAX_USER_NAME_LENGTH = 256;
const MAX_URL_LENGTH = 3000;

const PROPOSAL_ID = /^[A-Za-z0-9][A-Za-z0-9._:@/-]{0,199}$/;
const PAYLOAD_HASH = /^[A-Za-z0-9][A-Za-z0-9_.:+/=-]{7,199}$/;
const USER_ID = /^[UW][A-Z0-9]{2,30}$/;
const CHANNEL_ID = /^[CDG][A-Z0-9]{2,30}$/;
const MESSAGE_TS = /^\d{1,12}\.\d{1,9}$/;
const TEAM_ID = /^[TE][A-Z0-9]{2,30}$/;

export type ApprovalDecision = 'approve' | 'reject';

export interface ApprovalInteraction {
	decision: ApprovalDecision;
	proposalId: string;
	payloadHash: string;
	slackUserId: string;
	/** The clicking user's handle; display only, it identifies nobody (use slackUserId). */
	slackUserName: string;
	/** Where to post a reply or replace the message (valid for 30 minutes, 5 uses). */
	responseUrl: string;
	channelId: string;
	/** The message the button was on. */
	messageTs: string;
	teamId?: string;
	actionTs?: string;
}

export type InteractionRejection =
	| 'missing_payload'
	| 'oversized'
	| 'malformed'
	| 'not_block_actions'
	| 'foreign_action'
	| 'invalid_value'
	| 'missing_fields';

export type ApprovalInteractionResult = { ok: true; interaction: ApprovalInteraction } | { ok: false; reason: InteractionRejection; message: string };

function reject(reason: InteractionRejection, message: string): ApprovalInteractionResult {
	return { ok: false, reason, message };
}

export function isValidProposalId(id: unknown): id is string {
	return typeof id === 'string' && PROPOSAL_ID.test(id);
}

export function isValidPayloadHash(hash: unknown): hash is string {
	return typeof hash === 'string' && PAYLOAD_HASH.test(hash);
}

/**
 * The value both buttons carry: compact JSON `{"id":…,"hash":…}`. Throws on an
 * id or hash that the parser would refuse, so a message can never carry a
 * button that cannot be read back.
 */
export function encodeApprovalValue(proposalId: string, payloadHash: string): string {
	if (!isValidProposalId(proposalId)) throw new Error(`Proposal id ${JSON.stringify(String(proposalId).slice(0, 80))} cannot go on a Slack button: use letters, digits and . _ : @ / - (at most 200)`);
	if (!isValidPayloadHash(payloadHash)) throw new Error(`Payload hash ${JSON.stringify(String(payloadHash).slice(0, 80))} cannot go on a Slack button: expected 8 to 200 characters of hex, base64 or base64url`);
	const value = JSON.stringify({ id: proposalId, hash: payloadHash });
	if (value.length > MAX_BUTTON_VALUE_LENGTH) throw new Error('The button value is longer than Slack allows');
	return value;
}

/** Reads a button value written by `encodeApprovalValue` (or the `id:hash` form); anything else is undefined. */
export function decodeApprovalValue(value: unknown): { proposalId: string; payloadHash: string } | undefined {
	if (typeof value !== 'string' || value.length === 0 || value.length > MAX_BUTTON_VALUE_LENGTH) return undefined;
	let id: unknown;
	let hash: unknown;
	if (value.startsWith('{')) {
		let parsed: unknown;
		try {
			parsed = JSON.parse(value);
		} catch {
			return undefined;
		}
		if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return undefined;
		const keys = Object.keys(parsed);
		if (keys.length !== 2 || !keys.includes('id') || !keys.includes('hash')) return undefined;
		({ id, hash } = parsed as { id: unknown; hash: unknown });
	} else {
		const colon = value.indexOf(':');
		if (colon <= 0) return undefined;
		id = value.slice(0, colon);
		hash = value.slice(colon + 1);
	}
	if (!isValidProposalId(id) || !isValidPayloadHash(hash)) return undefined;
	return { proposalId: id, payloadHash: hash };
}

type Json = Record<string, unknown>;

function obj(value: unknown): Json | undefined {
	return value && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : undefined;
}

function str(value: unknown): string | undefined {
	return typeof value === 'string' && value.length > 0 ? value : undefined;
}

function httpUrl(value: unknown): string | undefined {
	const s = str(value);
	if (!s || s.length > MAX_URL_LENGTH) return undefined;
	try {
		const u = new URL(s);
		return u.protocol === 'https:' || u.protocol === 'http:' ? s : undefined;
	} catch {
		return undefined;
	}
}

function bodyText(rawBody: unknown): string | undefined {
	if (typeof rawBody === 'string') return rawBody;
	if (rawBody instanceof Uint8Array) return Buffer.from(rawBody.buffer, rawBody.byteOffset, rawBody.byteLength).toString('utf8');
	return undefined;
}

/** Parses the raw body of Slack's interaction request into an approval decision, or says why it is not one. */
export function parseApprovalInteraction(rawBody: string | Uint8Array): ApprovalInteractionResult {
	const size = typeof rawBody === 'string' ? Buffer.byteLength(rawBody, 'utf8') : rawBody instanceof Uint8Array ? rawBody.byteLength : -1;
	if (size > MAX_INTERACTION_BODY_BYTES) return reject('oversized', `The interaction body is ${size} bytes, over the ${MAX_INTERACTION_BODY_BYTES} accepted`);
	const text = bodyText(rawBody);
	if (text === undefined) return reject('malformed', 'The interaction body is not text');
	if (text.trim().length === 0) return reject('missing_payload', 'The interaction body is empty: Slack sends a form with a "payload" field');

	let payloads: string[];
	try {
		payloads = new URLSearchParams(text).getAll('payload');
	} catch {
		return reject('malformed', 'The interaction body is not a URL-encoded form');
	}
	if (payloads.length === 0) return reject('missing_payload', 'The interaction body has no "payload" field');
	if (payloads.length > 1) return reject('malformed', 'The interaction body has more than one "payload" field');

	let parsed: unknown;
	try {
		parsed = JSON.parse(payloads[0]);
	} catch {
		return reject('malformed', 'The "payload" field is not valid JSON');
	}
	const payload = obj(parsed);
	if (!payload) return reject('malformed', 'The "payload" field is not a JSON object');
	if (payload.type !== 'block_actions') {
		const type = typeof payload.type === 'string' ? JSON.stringify(payload.type.slice(0, 40)) : 'missing';
		return reject('not_block_actions', `The interaction type is ${type}, not "block_actions"`);
	}

	const actions = payload.actions;
	if (!Array.isArray(actions) || actions.length === 0) return reject('missing_fields', 'The interaction carries no action');
	if (actions.length > 1) return reject('malformed', `The interaction carries ${actions.length} actions; a button click carries one`);
	const action = obj(actions[0]);
	if (!action) return reject('malformed', 'The action is not a JSON object');
	const actionId = action.action_id;
	const decision: ApprovalDecision | undefined = actionId === APPROVE_ACTION_ID ? 'approve' : actionId === REJECT_ACTION_ID ? 'reject' : undefined;
	if (!decision) {
		const shown = typeof actionId === 'string' ? JSON.stringify(actionId.slice(0, 60)) : 'missing';
		return reject('foreign_action', `The action id is ${shown}, not an AdOps Approve or Reject button`);
	}
	if (action.type !== undefined && action.type !== 'button') return reject('foreign_action', 'The action is not a button click');
	const value = decodeApprovalValue(action.value);
	if (!value) return reject('invalid_value', 'The button value does not name a proposal and its payload hash as AdOps writes them');

	const user = obj(payload.user);
	const container = obj(payload.container);
	const channel = obj(payload.channel);
	const message = obj(payload.message);
	const team = obj(payload.team);

	const slackUserId = str(user?.id);
	const channelId = str(container?.channel_id) ?? str(channel?.id);
	const messageTs = str(container?.message_ts) ?? str(message?.ts);
	const responseUrl = httpUrl(payload.response_url);
	const missing = [
		!(slackUserId && USER_ID.test(slackUserId)) && 'user.id',
		!(channelId && CHANNEL_ID.test(channelId)) && 'channel id',
		!(messageTs && MESSAGE_TS.test(messageTs)) && 'message ts',
		!responseUrl && 'response_url',
	].filter((m): m is string => typeof m === 'string');
	if (missing.length > 0) return reject('missing_fields', `The interaction lacks a valid ${missing.join(', ')}`);

	const rawName = str(user?.username) ?? str(user?.name) ?? '';
	const teamId = str(team?.id) ?? str(user?.team_id);
	const actionTs = str(action.action_ts);
	return {
		ok: true,
		interaction: {
			decision,
			proposalId: value.proposalId,
			payloadHash: value.payloadHash,
			slackUserId: slackUserId!,
			slackUserName: Array.from(rawName).slice(0, MAX_USER_NAME_LENGTH).join(''),
			responseUrl: responseUrl!,
			channelId: channelId!,
			messageTs: messageTs!,
			...(teamId && TEAM_ID.test(teamId) ? { teamId } : {}),
			...(actionTs && MESSAGE_TS.test(actionTs) ? { actionTs } : {}),
		},
	};
}
