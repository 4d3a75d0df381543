/**
 * Typed platform errors. A `PlatformApiError` says which platform, account
 * and call failed, what the platform answered, whether trying again can help
 * and, in one line, what the user should do. It never carries a secret: every
 * text that goes into it passes through `scrubSecrets`, and the original
 * transport error (whose config holds the tokens) is not attached.
 */

import { PLATFORM_LABELS, type PlatformId } from '../platforms/registry';

export type { PlatformId } from '../platforms/registry';

export type PlatformErrorKind =
	| 'auth' // token invalid, expired or revoked
	| 'permission' // token valid, but lacks a scope / role on the account
	| 'not_found' // wrong account id, wrong base URL path
	| 'bad_request' // request rejected (parameters, version)
	| 'rate_limited' // 429 or platform throttling code
	| 'quota' // daily / developer quota exhausted (Google Ads RESOURCE_EXHAUSTED)
	| 'server' // 5xx
	| 'timeout'
	| 'network' // DNS, connection refused, wrong host
	| 'circuit_open'
	| 'malformed_response'
	| 'config';

/** Platform id → label in texts, from the platform registry. */
export const PLATFORM_LABEL: Readonly<Record<PlatformId, string>> = PLATFORM_LABELS;

export interface PlatformApiErrorInit {
	platform: PlatformId;
	accountId?: string;
	call: string;
	kind: PlatformErrorKind;
	httpStatus?: number;
	code?: string | number;
	subcode?: string | number;
	platformMessage?: string;
	retryable: boolean;
	retryAfterMs?: number;
	hint: string;
	requestId?: string;
	/** Extra secrets to remove from every text (tokens, keys). */
	secrets?: readonly string[];
}

export class PlatformApiError extends Error {
	override readonly name = 'PlatformApiError';
	readonly platform: PlatformId;
	readonly accountId?: string;
	readonly call: string;
	readonly kind: PlatformErrorKind;
	readonly httpStatus?: number;
	readonly code?: string | number;
	readonly subcode?: string | number;
	readonly platformMessage?: string;
	readonly retryable: boolean;
	readonly retryAfterMs?: number;
	readonly hint: string;
	readonly requestId?: string;

	constructor(init: PlatformApiErrorInit) {
		const secrets = init.secrets ?? [];
		const platformMessage =
			init.platformMessage === undefined ? undefined : scrubSecrets(init.platformMessage, secrets);
		const hint = scrubSecrets(init.hint, secrets);
		const parts = [
			`${PLATFORM_LABEL[init.platform]} ${init.call}`,
			init.accountId ? `(account ${init.accountId})` : '',
			'failed',
			init.httpStatus ? `with HTTP ${init.httpStatus}` : '',
			init.code !== undefined ? `[code ${init.code}${init.subcode !== undefined ? `/${init.subcode}` : ''}]` : '',
		].filter(Boolean);
		let message = parts.join(' ');
		if (platformMessage) message += `: ${platformMessage}`;
		message += ` — ${hint}`;
		super(scrubSecrets(message, secrets));
		this.platform = init.platform;
		this.accountId = init.accountId;
		this.call = scrubSecrets(init.call, secrets);
		this.kind = init.kind;
		this.httpStatus = init.httpStatus;
		this.code = init.code;
		this.subcode = init.subcode;
		this.platformMessage = platformMessage;
		this.retryable = init.retryable;
		this.retryAfterMs = init.retryAfterMs;
		this.hint = hint;
		this.requestId = init.requestId;
	}

	toJSON() {
		return {
			name: this.name,
			message: this.message,
			platform: this.platform,
			accountId: this.accountId,
			call: this.call,
			kind: this.kind,
			httpStatus: this.httpStatus,
			code: this.code,
			subcode: this.subcode,
			platformMessage: this.platformMessage,
			retryable: this.retryable,
			retryAfterMs: this.retryAfterMs,
			hint: this.hint,
			requestId: this.requestId,
		};
	}
}

/**
 * The error of a call refused because its platform's circuit is open: `failures`
 * in a row (5xx, timeouts, network errors) paused calls for `remainingMs`;
 * `across` names where they were counted when more than this process shares them.
 */
export function circuitOpenError(platform: PlatformId, context: { call: string; accountId?: string }, failures: number, remainingMs: number, across = ''): PlatformApiError {
	return new PlatformApiError({
		platform,
		accountId: context.accountId,
		call: context.call,
		kind: 'circuit_open',
		retryable: false,
		retryAfterMs: remainingMs,
		hint: `${PLATFORM_LABEL[platform]} failed ${failures} times in a row (5xx, timeouts or network errors)${across}, so calls are paused for ${Math.ceil(remainingMs / 1000)} s: check the platform's status page or the API base URL, then run again`,
	});
}

export function isPlatformApiError(error: unknown): error is PlatformApiError {
	return error instanceof PlatformApiError;
}

const SECRET_QUERY_KEYS = [
	'access_token',
	'appsecret_proof',
	'client_secret',
	'refresh_token',
	'developer_token',
	'api_key',
	'apikey',
	'key',
	'token',
	'code',
	'password',
];

const QUERY_PATTERN = new RegExp(`([?&;\\s"']|^)(${SECRET_QUERY_KEYS.join('|')})=([^&\\s"'#]+)`, 'gi');
// a credential after the scheme: long, and with a digit or token punctuation (so "Basic access" stays readable)
const AUTH_SCHEMES = /\b(Bearer|Klaviyo-API-Key|Basic|OAuth)\s+(?=[A-Za-z0-9._~+/=-]*[0-9._~+/=-])[A-Za-z0-9._~+/=-]{12,}/g;
const JSON_SECRET_FIELDS = /("(?:access_token|refresh_token|client_secret|appsecret_proof|developer_token|api_key)"\s*:\s*")[^"]*(")/gi;

/**
 * Remove secrets from a text meant for messages, logs or items: secret query
 * parameters (`access_token=…`, `appsecret_proof=…`), `Authorization` header
 * values, JSON fields that hold tokens, and any literal secret given.
 */
export function scrubSecrets(text: string, secrets: readonly string[] = []): string {
	let out = text;
	for (const secret of secrets) {
		if (secret && secret.length >= 4) out = out.split(secret).join('***');
	}
	out = out.replace(QUERY_PATTERN, (_m, lead: string, key: string) => `${lead}${key}=***`);
	out = out.replace(AUTH_SCHEMES, (_m, scheme: string) => `${scheme} ***`);
	out = out.replace(JSON_SECRET_FIELDS, '$1***$2');
	return out;
}
