// Verifies that an HTTP request really comes from Slack, as Slack documents it
// (https://api.slack.com/authentication/verifying-requests-from-slack):
// HMAC-SHA256 of `v0:{X-Slack-Request-Timestamp}:{raw body}` keyed with the
// app's signing secret, sent as `X-Slack-Signature: v0={hex}`, and a timestamp
// within five minutes of now (against replays). Pure: no I/O, no logging, and
// it never throws on what a caller received.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { requestHeader, type RequestHeaders } from '../http/headers';

/** How far the request timestamp may be from now, in either direction. */
export const SLACK_SIGNATURE_WINDOW_SECONDS = 5 * 60;
export const SLACK_SIGNATURE_VERSION = 'v0';
export const SLACK_TIMESTAMP_HEADER = 'x-slack-request-timestamp';
export const SLACK_SIGNATURE_HEADER = 'x-slack-signature';

export type SlackSignatureFailure = 'missing_headers' | 'stale_timestamp' | 'bad_signature' | 'malformed';

export type SlackSignatureResult = { ok: true } | { ok: false; reason: SlackSignatureFailure; message: string };

export interface SlackSignatureInput {
	signingSecret: string;
	/** The `X-Slack-Request-Timestamp` header (seconds since the epoch). */
	timestamp: string | undefined | null;
	/** The `X-Slack-Signature` header (`v0=` + 64 hex digits). */
	signature: string | undefined | null;
	/** The body exactly as received, before any parsing. */
	rawBody: string | Uint8Array;
	/** The current time (a Date, or milliseconds since the epoch); defaults to the clock. */
	now?: Date | number;
}

function failure(reason: SlackSignatureFailure, message: string): SlackSignatureResult {
	return { ok: false, reason, message };
}

/** `v0={hex}` for a timestamp and raw body: what Slack sends, and what the sandbox helper signs with. */
export function computeSlackSignature(signingSecret: string, timestamp: string, rawBody: string | Uint8Array): string {
	const hmac = createHmac('sha256', signingSecret);
	hmac.update(`${SLACK_SIGNATURE_VERSION}:${timestamp}:`, 'utf8');
	if (typeof rawBody === 'string') hmac.update(rawBody, 'utf8');
	else hmac.update(rawBody);
	return `${SLACK_SIGNATURE_VERSION}=${hmac.digest('hex')}`;
}

function nowSeconds(now: Date | number | undefined): number {
	const ms = now === undefined ? Date.now() : now instanceof Date ? now.getTime() : now;
	return Math.floor(ms / 1000);
}

export function verifySlackSignature(input: SlackSignatureInput): SlackSignatureResult {
	try {
		return verify(input);
	} catch {
		// Only reachable with inputs outside the declared types (e.g. a number as the secret).
		return failure('malformed', 'The Slack request could not be checked: its headers or body have an unexpected type');
	}
}

function verify({ signingSecret, timestamp, signature, rawBody, now }: SlackSignatureInput): SlackSignatureResult {
	if (typeof signingSecret !== 'string' || signingSecret.length === 0) {
		return failure('malformed', 'No Slack signing secret is configured: copy it from the Slack app\'s "Basic Information" page into the credential');
	}
	const ts = typeof timestamp === 'string' ? timestamp.trim() : '';
	const sig = typeof signature === 'string' ? signature.trim() : '';
	if (!ts || !sig) {
		const missing = [!ts && 'X-Slack-Request-Timestamp', !sig && 'X-Slack-Signature'].filter(Boolean).join(' and ');
		return failure('missing_headers', `The request has no ${missing} header, so it cannot be shown to come from Slack`);
	}
	if (typeof rawBody !== 'string' && !(rawBody instanceof Uint8Array)) {
		return failure('malformed', 'The raw request body is not available: enable "Raw Body" on the webhook so the signature can be checked');
	}
	if (!/^\d{1,12}$/.test(ts)) {
		return failure('malformed', 'X-Slack-Request-Timestamp is not a number of seconds');
	}
	if (!sig.startsWith(`${SLACK_SIGNATURE_VERSION}=`)) {
		return failure('malformed', `X-Slack-Signature does not use Slack's ${SLACK_SIGNATURE_VERSION} signature scheme`);
	}
	const skew = nowSeconds(now) - Number(ts);
	if (!Number.isFinite(skew) || Math.abs(skew) > SLACK_SIGNATURE_WINDOW_SECONDS) {
		const direction = skew > 0 ? `${Math.round(skew / 60)} minute(s) old` : `${Math.round(-skew / 60)} minute(s) in the future`;
		return failure('stale_timestamp', `The request timestamp is ${direction}; Slack requests older or newer than 5 minutes are refused as possible replays (check the server clock)`);
	}
	const expected = Buffer.from(computeSlackSignature(signingSecret, ts, rawBody), 'utf8');
	const received = Buffer.from(sig, 'utf8');
	// timingSafeEqual needs equal lengths; a length difference is not secret.
	if (expected.length !== received.length || !timingSafeEqual(expected, received)) {
		return failure('bad_signature', 'The X-Slack-Signature does not match the body and the signing secret: the request was not sent by this Slack app or was altered');
	}
	return { ok: true };
}

/** Header values by lower-cased name, as web frameworks and n8n webhooks hand them over. */
export type { RequestHeaders };

/** Same as `verifySlackSignature`, reading the two headers from a request's headers (any case). */
export function verifySlackRequest(input: { signingSecret: string; headers: RequestHeaders | undefined; rawBody: string | Uint8Array; now?: Date | number }): SlackSignatureResult {
	return verifySlackSignature({
		signingSecret: input.signingSecret,
		timestamp: requestHeader(input.headers, SLACK_TIMESTAMP_HEADER),
		signature: requestHeader(input.headers, SLACK_SIGNATURE_HEADER),
		rawBody: input.rawBody,
		now: input.now,
	});
}
