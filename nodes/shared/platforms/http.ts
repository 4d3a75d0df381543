/**
 * The HTTP path shared by the axios-based adapters (Meta, LinkedIn, Klaviyo):
 * one axios instance with the configured base URL, every request run through
 * the resilience `CallExecutor`, every failure turned into a
 * `PlatformApiError` (status → kind, Retry-After → retryAfterMs, platform
 * error body → code/message/hint), with secrets scrubbed.
 */
import axios, { type AxiosInstance, type AxiosRequestConfig, type AxiosResponse, isAxiosError } from 'axios';
import { CallExecutor, type CallContext, type ExecutorOptions } from '../resilience/call-policy';
import { PLATFORM_LABEL, PlatformApiError, scrubSecrets, type PlatformErrorKind, type PlatformId } from '../resilience/errors';
import { parseRetryAfter } from '../resilience/retry-after';

export interface HttpOptions extends ExecutorOptions {
	/** API base URL (default: the platform's real host). The sandbox stands in through this. */
	baseUrl?: string;
	/** Per-request timeout (default 60 s). */
	timeoutMs?: number;
}

/** What a platform's error body says, in our terms. */
export interface InterpretedError {
	kind?: PlatformErrorKind;
	code?: string | number;
	subcode?: string | number;
	message?: string;
	retryable?: boolean;
	retryAfterMs?: number;
	hint?: string;
	requestId?: string;
}

export type ErrorInterpreter = (status: number, body: unknown, headers: Record<string, unknown>, context: CallContext) => InterpretedError;

export interface HttpResponse<T> {
	data: T;
	headers: Record<string, unknown>;
	status: number;
}

function defaultKind(status: number): PlatformErrorKind {
	if (status === 401) return 'auth';
	if (status === 403) return 'permission';
	if (status === 404) return 'not_found';
	if (status === 429) return 'rate_limited';
	if (status >= 500) return 'server';
	return 'bad_request';
}

function defaultHint(platform: PlatformId, kind: PlatformErrorKind, baseUrl: string): string {
	const label = PLATFORM_LABEL[platform];
	switch (kind) {
		case 'auth':
			return `${label} rejected the credentials: check or regenerate the token/key in the credential`;
		case 'permission':
			return `the credential is valid but lacks access to this account or endpoint: grant the missing permission/scope`;
		case 'not_found':
			return `not found: check the account id and that the API base URL (${baseUrl}) points at the ${label} API`;
		case 'rate_limited':
			return `${label} is throttling requests: it will be retried after the delay ${label} asked for; if it persists, run less often or for fewer accounts`;
		case 'server':
			return `${label} had a server error: usually temporary, retried automatically`;
		case 'timeout':
			return `${label} did not answer in time: retried automatically; raise the timeout if it persists`;
		case 'network':
			return `could not reach ${baseUrl}: check the API base URL and the network`;
		case 'malformed_response':
			return `${label} answered with a body that is not the expected JSON: retried automatically; check the API base URL if it persists`;
		default:
			return `${label} rejected the request: check the parameters and the API version`;
	}
}

export class HttpTransport {
	readonly axios: AxiosInstance;
	readonly executor: CallExecutor;
	readonly baseUrl: string;

	constructor(
		readonly platform: PlatformId,
		options: HttpOptions & { defaultBaseUrl: string; headers?: Record<string, string> },
		private readonly interpret: ErrorInterpreter,
		private readonly secrets: () => readonly string[],
		private readonly onHeaders?: (headers: Record<string, unknown>) => void,
	) {
		this.baseUrl = (options.baseUrl || options.defaultBaseUrl).replace(/\/+$/, '');
		this.axios = axios.create({
			baseURL: this.baseUrl,
			timeout: options.timeoutMs ?? 60_000,
			headers: options.headers,
			// keep the body text when JSON parsing fails, so we can report malformed bodies
			transitional: { silentJSONParsing: true, forcedJSONParsing: true, clarifyTimeoutError: true },
			maxRedirects: 0,
		});
		this.executor = new CallExecutor(platform, { breakerScope: this.baseUrl, ...options });
	}

	/** One request through limiter, usage gate, breaker and retries. The body must be a JSON object. */
	async request<T extends object>(context: CallContext, config: AxiosRequestConfig): Promise<HttpResponse<T>> {
		return this.executor.run(context, async () => {
			let response: AxiosResponse;
			try {
				response = await this.axios.request({ ...config, signal: context.signal });
			} catch (error) {
				throw this.toPlatformError(error, context);
			}
			const headers = { ...(response.headers as Record<string, unknown>) };
			this.onHeaders?.(headers);
			if (response.data === null || typeof response.data !== 'object') {
				throw new PlatformApiError({
					platform: this.platform,
					accountId: context.accountId,
					call: context.call,
					kind: 'malformed_response',
					httpStatus: response.status,
					platformMessage: `expected a JSON object, got ${typeof response.data === 'string' ? `text starting "${response.data.slice(0, 60)}"` : typeof response.data}`,
					retryable: true,
					hint: defaultHint(this.platform, 'malformed_response', this.baseUrl),
					secrets: this.secrets(),
				});
			}
			return { data: response.data as T, headers, status: response.status };
		});
	}

	/** Hands an answer's headers to the platform's usage reading (Meta's slow-down), for a call made on `axios` directly. */
	noteHeaders(headers: Record<string, unknown>): void {
		this.onHeaders?.(headers);
	}

	toPlatformError(error: unknown, context: CallContext): PlatformApiError {
		if (error instanceof PlatformApiError) return error;
		const base = { platform: this.platform, accountId: context.accountId, call: context.call, secrets: this.secrets() };
		if (isAxiosError(error)) {
			if (error.response) {
				const status = error.response.status;
				const headers = { ...(error.response.headers as Record<string, unknown>) };
				this.onHeaders?.(headers);
				const body = error.response.data;
				const found = this.interpret(status, body, headers, context);
				const kind = found.kind ?? defaultKind(status);
				const retryable = found.retryable ?? (status === 429 || status >= 500);
				const retryAfterMs = found.retryAfterMs ?? parseRetryAfter(headers['retry-after'], this.executor.clock.now());
				let message = found.message;
				if (message === undefined && typeof body === 'string' && body.trim()) message = body.trim().slice(0, 200);
				return new PlatformApiError({
					...base,
					kind,
					httpStatus: status,
					code: found.code,
					subcode: found.subcode,
					platformMessage: message,
					retryable,
					retryAfterMs,
					hint: found.hint ?? defaultHint(this.platform, kind, this.baseUrl),
					requestId: found.requestId,
				});
			}
			const code = error.code ?? '';
			if (code === 'ERR_CANCELED') {
				return new PlatformApiError({ ...base, kind: 'network', retryable: false, platformMessage: 'request was cancelled', hint: 'the run was cancelled' });
			}
			const timeout = code === 'ECONNABORTED' || code === 'ETIMEDOUT';
			const unknownHost = code === 'ENOTFOUND' || code === 'ERR_INVALID_URL';
			const kind: PlatformErrorKind = timeout ? 'timeout' : 'network';
			return new PlatformApiError({
				...base,
				kind,
				code: code || undefined,
				platformMessage: scrubSecrets(error.message, this.secrets()),
				retryable: !unknownHost,
				hint: defaultHint(this.platform, kind, this.baseUrl),
			});
		}
		const message = error instanceof Error ? error.message : String(error);
		return new PlatformApiError({ ...base, kind: 'network', retryable: false, platformMessage: message, hint: defaultHint(this.platform, 'network', this.baseUrl) });
	}
}
