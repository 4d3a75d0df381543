// The AdOps Slack credential test: `auth.test` through the same client the
// AdOps Alert node posts with, every failure explained in one sentence.
//
// A node method (`testedBy`) rather than a declarative `test` request: for a
// declarative test n8n 2.x reports an unreachable API URL as the bare
// transport code ("ECONNREFUSED") and a wrong path as "Not Found".
import type { ICredentialTestFunctions, ICredentialsDecrypted, ILoadOptionsFunctions, INodeCredentialTestResult, INodeListSearchResult, JsonObject } from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';
import { ErrorCode, LogLevel, WebClient } from '@slack/web-api';
import { normalizeSlackApiUrl } from '../shared/alerts/post';
import { scrubSecrets } from '../shared/resilience/errors';

const AUTH_ERRORS: Record<string, string> = {
	invalid_auth: 'Slack rejected the bot token (invalid_auth): copy the Bot User OAuth Token (xoxb-…) from the Slack app again',
	not_authed: 'No bot token was sent (not_authed): fill in Bot Token',
	token_revoked: 'The bot token was revoked (token_revoked): reinstall the Slack app and paste the new token',
	token_expired: 'The bot token expired (token_expired): reinstall the Slack app or turn off token rotation, and paste the new token',
	account_inactive: 'The token belongs to a deactivated app or user (account_inactive): reinstall the Slack app',
};

/** The most specific reason in an error's cause chain: a system code (ECONNREFUSED, ENOTFOUND, …) or the first message. */
function transportReason(error: unknown): string {
	let message: string | undefined;
	for (let e = error as { code?: unknown; message?: unknown; cause?: unknown } | undefined, depth = 0; e && depth < 5; e = e.cause as typeof e, depth++) {
		if (typeof e.code === 'string' && /^E[A-Z_]+$/.test(e.code)) return e.code;
		if (typeof e.message === 'string' && e.message && !message) message = e.message;
	}
	return message ?? 'no answer';
}

/** Calls `auth.test` with the credential's token and API URL; never throws, never echoes the token. */
export async function slackAuthTest(botToken: string, apiUrl: string | undefined, timeoutMs = 15_000): Promise<INodeCredentialTestResult> {
	const token = botToken.trim();
	if (!token) return { status: 'Error', message: 'No bot token: fill in Bot Token (xoxb-…)' };
	const base = normalizeSlackApiUrl(apiUrl);
	const endpoint = `${base}auth.test`;
	const scrub = (text: string) => scrubSecrets(text, [token]);
	try {
		const client = new WebClient(token, { slackApiUrl: base, retryConfig: { retries: 0 }, timeout: timeoutMs, rejectRateLimitedCalls: true, logLevel: LogLevel.ERROR });
		const answer = (await client.auth.test()) as { team?: string; user?: string; url?: string };
		const who = answer.user ? ` as ${answer.user}` : '';
		return { status: 'OK', message: scrub(`Connected to Slack workspace "${answer.team ?? answer.url ?? '?'}"${who}`) };
	} catch (error) {
		const e = error as { code?: string; data?: { error?: string }; original?: unknown; statusCode?: number; message?: string };
		let message: string;
		if (e?.code === ErrorCode.PlatformError && e.data?.error) {
			message = AUTH_ERRORS[e.data.error] ?? `Slack did not accept the token (${e.data.error}): check Bot Token and API URL`;
		} else if (e?.code === ErrorCode.RequestError) {
			const reason = transportReason(e.original);
			message = `Cannot reach the Slack API at ${endpoint} (${reason}): check API URL (default https://slack.com/api/) and the network`;
		} else if (e?.code === ErrorCode.HTTPError) {
			message = `${endpoint} answered HTTP ${e.statusCode ?? '?'}: API URL does not point at Slack's Web API (default https://slack.com/api/)`;
		} else if (e?.code === ErrorCode.RateLimitedError) {
			message = 'Slack rate-limited the test (HTTP 429): try again in a minute';
		} else {
			message = `Slack auth.test at ${endpoint} failed: ${(e?.message ?? String(error)).split('\n')[0]}`;
		}
		return { status: 'Error', message: scrub(message) };
	}
}

export async function adOpsSlackApiTest(this: ICredentialTestFunctions, credential: ICredentialsDecrypted): Promise<INodeCredentialTestResult> {
	const data = credential.data ?? {};
	return slackAuthTest(String(data.botToken ?? ''), typeof data.apiUrl === 'string' ? data.apiUrl : undefined);
}

/**
 * "From list" of a Slack channel locator: the workspace's channels the bot
 * may post to (`conversations.list`, public and the private ones it is in,
 * archived left out), one Slack page per call, filtered by what is typed.
 */
export async function searchSlackChannels(this: ILoadOptionsFunctions, filter?: string, paginationToken?: string): Promise<INodeListSearchResult> {
	const data = await this.getCredentials('adOpsSlackApi');
	const token = String(data.botToken ?? '').trim();
	const client = new WebClient(token, { slackApiUrl: normalizeSlackApiUrl(typeof data.apiUrl === 'string' ? data.apiUrl : undefined), retryConfig: { retries: 1 }, timeout: 20_000, logLevel: LogLevel.ERROR });
	let answer: { channels?: Array<{ id?: string; name?: string; is_private?: boolean; context_team_id?: string }>; response_metadata?: { next_cursor?: string } };
	try {
		answer = await client.conversations.list({ types: 'public_channel,private_channel', exclude_archived: true, limit: 200, ...(paginationToken ? { cursor: paginationToken } : {}) });
	} catch (error) {
		const e = error as { data?: { error?: string }; message?: string };
		const message = e.data?.error ? AUTH_ERRORS[e.data.error] ?? `Slack did not list the channels (${e.data.error})` : scrubSecrets(e.message ?? String(error), [token]);
		throw new NodeApiError(this.getNode(), { message } as JsonObject, { message });
	}
	const needle = (filter ?? '').trim().replace(/^#/, '').toLowerCase();
	const results = (answer.channels ?? [])
		.filter((c) => c.id && c.name && (!needle || c.name.toLowerCase().includes(needle)))
		.map((c) => ({ name: `#${c.name}${c.is_private ? ' (private)' : ''}`, value: c.id!, ...(c.context_team_id ? { url: `https://app.slack.com/client/${c.context_team_id}/${c.id}` } : {}) }))
		.sort((a, b) => a.name.localeCompare(b.name, 'en'));
	const next = answer.response_metadata?.next_cursor;
	return { results, ...(next ? { paginationToken: next } : {}) };
}
