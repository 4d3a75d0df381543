/**
 * Builds the HTTP request Slack sends to an app's interactivity URL when a
 * user clicks a button (https://api.slack.com/reference/interaction-payloads/block-actions):
 * a `block_actions` payload JSON-encoded into the `payload` field of an
 * `application/x-www-form-urlencoded` body, signed with the app's signing
 * secret (`X-Slack-Signature: v0=HMAC-SHA256("v0:{ts}:{body}")`,
 * `X-Slack-Request-Timestamp`). The signing is written out here on its own,
 * not borrowed from the package, so tests that use it check the package's
 * verifier against an independent implementation.
 */
import { createHmac } from 'node:crypto';
import { slackResponseUrl } from './platforms/slack';
import { fnv1a } from './rng';
import { SANDBOX_CREDENTIALS } from './world';

export interface SignedInteraction {
	headers: Record<string, string>;
	/** The raw body exactly as signed; send it byte for byte. */
	body: string;
	/** The payload's `response_url` as signed, when it has one. */
	responseUrl?: string;
}

export interface SignOptions {
	signingSecret?: string;
	/** An object, or JSON already serialized (sent as is). */
	payload: unknown;
	/** Seconds since the epoch; defaults to now. */
	timestamp?: number;
	/**
	 * The sandbox's `urls.slackActions`. When set, an object payload without a
	 * `response_url`, or with `blockActionsPayload`'s placeholder, gets a fresh
	 * sandbox `response_url` (one per call), so replies land in
	 * `sandbox.slackResponses()`. An explicit `responseUrl` is kept.
	 */
	responseUrlBase?: string;
}

/** The `response_url` `blockActionsPayload` uses when none is given: Slack's shape, never reachable. */
const PLACEHOLDER_RESPONSE_URL = /^https:\/\/hooks\.slack\.com\/actions\/[^/]+\/1234567890\/sandboxResponseToken$/;

let hooksIssued = 0;

/** `payload` with a fresh sandbox `response_url` when `base` is given and it has none of its own. */
function withSandboxResponseUrl(payload: unknown, base: string | undefined, timestamp: string): unknown {
	if (!base || !payload || typeof payload !== 'object' || Array.isArray(payload)) return payload;
	const p = payload as Record<string, unknown>;
	if (p.response_url !== undefined && !(typeof p.response_url === 'string' && PLACEHOLDER_RESPONSE_URL.test(p.response_url))) return payload;
	const team = (p.team as { id?: unknown } | null | undefined)?.id;
	const teamId = typeof team === 'string' && /^[A-Z0-9]+$/.test(team) ? team : 'T0ADOPS001';
	const hookId = String(fnv1a(`${JSON.stringify(p)}|${timestamp}|${++hooksIssued}`));
	return { ...p, response_url: slackResponseUrl(base, teamId, hookId) };
}

/** Signs `payload` the way Slack does. */
export function signedInteraction(options: SignOptions): SignedInteraction {
	const signingSecret = options.signingSecret ?? SANDBOX_CREDENTIALS.slack.signingSecret;
	const timestamp = String(options.timestamp ?? Math.floor(Date.now() / 1000));
	const payload = withSandboxResponseUrl(options.payload, options.responseUrlBase, timestamp);
	const json = typeof payload === 'string' ? payload : JSON.stringify(payload);
	const body = new URLSearchParams({ payload: json }).toString();
	const signature = 'v0=' + createHmac('sha256', signingSecret).update(`v0:${timestamp}:${body}`, 'utf8').digest('hex');
	const responseUrl = (payload as { response_url?: unknown } | null)?.response_url;
	return {
		headers: {
			'content-type': 'application/x-www-form-urlencoded',
			'user-agent': 'Slackbot 1.0 (+https://api.slack.com/robots)',
			'x-slack-request-timestamp': timestamp,
			'x-slack-signature': signature,
		},
		body,
		...(typeof responseUrl === 'string' ? { responseUrl } : {}),
	};
}

export interface ButtonClick {
	actionId: string;
	/** The clicked button's value, as it was posted in the message. */
	value: string;
	buttonText?: string;
	userId?: string;
	userName?: string;
	channelId?: string;
	channelName?: string;
	/** The `ts` of the message the button is on. */
	messageTs: string;
	/** Where the app may answer (Slack's is `https://hooks.slack.com/actions/…`). Default: a placeholder that `signedInteraction`'s `responseUrlBase` replaces. */
	responseUrl?: string;
	teamId?: string;
	/** The blocks of the message the button is on, as Slack echoes them back. */
	messageBlocks?: unknown[];
	/** Seconds since the epoch; defaults to now. */
	actionTime?: number;
}

/** A `block_actions` payload for one button click, with the fields Slack sends. */
export function blockActionsPayload(click: ButtonClick): Record<string, unknown> {
	const teamId = click.teamId ?? 'T0ADOPS001';
	const userId = click.userId ?? 'U0MAYA0001';
	const userName = click.userName ?? 'maya';
	const channelId = click.channelId ?? 'C0ADOPSAPR';
	const now = click.actionTime ?? Date.now() / 1000;
	return {
		type: 'block_actions',
		user: { id: userId, username: userName, name: userName, team_id: teamId },
		api_app_id: 'A0ADOPSAPP',
		token: 'sandbox-verification-token-deprecated',
		container: { type: 'message', message_ts: click.messageTs, channel_id: channelId, is_ephemeral: false },
		trigger_id: `${Math.floor(now)}.${teamId}.sandboxtrigger`,
		team: { id: teamId, domain: 'adops-sandbox' },
		enterprise: null,
		is_enterprise_install: false,
		channel: { id: channelId, name: click.channelName ?? 'adops-approvals' },
		message: { type: 'message', ts: click.messageTs, bot_id: 'B0ADOPSBOT', text: '', blocks: click.messageBlocks ?? [] },
		state: { values: {} },
		response_url: click.responseUrl ?? `https://hooks.slack.com/actions/${teamId}/1234567890/sandboxResponseToken`,
		actions: [
			{
				action_id: click.actionId,
				block_id: 'adops_actions',
				text: { type: 'plain_text', text: click.buttonText ?? click.actionId, emoji: true },
				value: click.value,
				type: 'button',
				action_ts: now.toFixed(6),
			},
		],
	};
}
