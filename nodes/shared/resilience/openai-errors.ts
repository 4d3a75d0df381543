/**
 * What a failed OpenAI call was, in one error type for every caller (the
 * creative core's chat and embeddings, the moderation core's chat and
 * moderation endpoint): which call on which model failed, the kind of
 * failure, the HTTP status, OpenAI's request id and what to do.
 *
 * Errors reach this point after the SDK's own retries (`maxRetries` on the
 * client: 429 honouring Retry-After, 408/409, 5xx, connection errors), so the
 * messages say so; nothing is retried here. Messages never hold the API key
 * (OpenAI's own error texts mask it; only their first line is kept).
 * No import of the SDK: errors are read by shape (`status`, `code`,
 * `requestID`, `error.message`, the class name).
 */

/** The OpenAI endpoints the package calls. */
export type OpenAICallName = 'chat.completions' | 'embeddings' | 'moderations';

export type OpenAIFailureKind =
	| 'rate_limited'
	| 'quota_exceeded'
	| 'server_error'
	| 'timeout'
	| 'connection'
	| 'authentication'
	| 'permission'
	| 'model_not_found'
	| 'bad_request'
	| 'malformed_response'
	| 'other';

/** A failed OpenAI call, after the SDK's own retries. */
export class OpenAICallError extends Error {
	override readonly name = 'OpenAICallError';
	readonly call: OpenAICallName;
	readonly model: string;
	readonly kind: OpenAIFailureKind;
	/** HTTP status, or null for connection problems. */
	readonly status: number | null;
	/** OpenAI's `x-request-id`, for support tickets. */
	readonly requestId: string | null;

	constructor(init: { call: OpenAICallName; model: string; kind: OpenAIFailureKind; status: number | null; requestId: string | null; message: string; cause?: unknown }) {
		super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
		this.call = init.call;
		this.model = init.model;
		this.kind = init.kind;
		this.status = init.status;
		this.requestId = init.requestId;
	}
}

const CALL_WORDS: Record<OpenAICallName, string> = { 'chat.completions': 'chat completion', embeddings: 'embeddings request', moderations: 'moderation request' };

/** What to do about a model that does not exist or the key cannot use (moderation adds its own advice). */
const MODEL_ADVICE: Record<OpenAICallName, string> = {
	'chat.completions': '. Pick a chat model this key can use (the organization\'s models at platform.openai.com, or GET /v1/models) and set it as the Chat Model of the AdOps OpenAI credential.',
	embeddings: '. Pick an embedding model this key can use (text-embedding-3-small, text-embedding-3-large) and set it as the Embedding Model of the AdOps OpenAI credential.',
	moderations: '',
};

/** The first line of `text`, at most `max` characters (an ellipsis marks a cut). */
export function firstLine(text: string, max = 300): string {
	const line = text.split('\n')[0] ?? '';
	return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

/** Classifies any error thrown by an SDK call into an `OpenAICallError` (returned, not thrown). */
export function describeOpenAIError(error: unknown, call: OpenAICallName, model: string): OpenAICallError {
	if (error instanceof OpenAICallError) return error;
	const e = (error ?? {}) as { status?: unknown; code?: unknown; requestID?: unknown; error?: { message?: unknown } | null; message?: unknown; name?: unknown; constructor?: { name?: string } };
	const status = typeof e.status === 'number' ? e.status : null;
	const requestId = typeof e.requestID === 'string' ? e.requestID : null;
	const code = typeof e.code === 'string' ? e.code : null;
	const apiMessage = typeof e.error?.message === 'string' ? e.error.message : typeof e.message === 'string' ? e.message.replace(/^\d{3}\s+/, '') : String(error);
	const detail = firstLine(apiMessage);
	const className = e.constructor?.name ?? (typeof e.name === 'string' ? e.name : '');
	const what = `OpenAI ${CALL_WORDS[call]} with model "${model}"`;
	const make = (kind: OpenAIFailureKind, message: string) => new OpenAICallError({ call, model, kind, status, requestId, message, cause: error });

	if (status === 429 && (code === 'insufficient_quota' || /quota/i.test(detail))) {
		return make('quota_exceeded', `${what} failed: the organization's quota is used up (HTTP 429 ${code ?? 'insufficient_quota'}): ${detail}. Check billing and limits at platform.openai.com.`);
	}
	if (status === 429) return make('rate_limited', `${what} was rate-limited (HTTP 429) and still was after the client's retries: ${detail}. Try again later, do less per run (fewer variants or comments), or raise the organization's rate limits.`);
	if (status !== null && status >= 500) return make('server_error', `${what} failed on OpenAI's side (HTTP ${status}) after the client's retries: ${detail}. Try again later.`);
	if (status === 401) return make('authentication', `${what} failed: OpenAI rejected the API key (HTTP 401). Check the AdOps OpenAI credential.`);
	if (status === 403) return make('permission', `${what} was refused (HTTP 403): ${detail}. Check the key's permissions, project and organization.`);
	if (status === 404) return make('model_not_found', `${what} failed: the model does not exist or this key cannot use it (HTTP 404): ${MODEL_ADVICE[call] ? detail.replace(/\.$/, '') : detail}${MODEL_ADVICE[call]}`);
	if (status !== null && status >= 400) return make('bad_request', `${what} was rejected (HTTP ${status}${code ? ` ${code}` : ''}): ${detail}`);
	if (className === 'APIConnectionTimeoutError' || /timed? ?out/i.test(detail)) return make('timeout', `${what} got no answer within the client's timeout, after its retries. Try again, or raise the timeout.`);
	if (className === 'APIConnectionError' || /connection error|ECONNREFUSED|ENOTFOUND|fetch failed/i.test(detail)) {
		return make('connection', `${what} could not reach the OpenAI API (after the client's retries): ${detail}. Check the Base URL and the network.`);
	}
	if (error instanceof SyntaxError || /JSON/.test(detail)) return make('malformed_response', `${what} got an answer that is not valid JSON: ${detail}`);
	return make('other', `${what} failed: ${detail}`);
}
