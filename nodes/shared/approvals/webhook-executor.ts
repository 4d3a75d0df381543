/**
 * An executor that hands an approved proposal to an HTTP endpoint: another
 * n8n workflow's Webhook, an internal service, a CI job. It is how kinds that
 * have no built-in executor are executed, and the test kind of the approval
 * loop.
 *
 * The URL and headers are configuration (the node's parameters), never taken
 * from the proposal: a payload cannot choose where it is sent. Every request
 * carries the ledger key as `Idempotency-Key`.
 *
 * Outcomes: a 2xx answer is `executed`; a refusal (4xx, 429) or a connection
 * that was never made is `failed`; a timeout, a 5xx or a connection lost
 * mid-request is **unknown** (the receiver may have acted): the error is an
 * `ExecutionOutcomeUnknown` and the proposal is reconciled, never re-sent
 * blindly. Reconciliation needs the receiver's help, configured here:
 * - `lookupUrl`: a GET that says whether a key was received (2xx: yes, 404:
 *   no), e.g. the sandbox receiver's `/effects/{name}/receipts/{key}`;
 * - else `dedupesByKey`: the receiver is documented to act once per
 *   Idempotency-Key, so the same request is sent again with the same key and
 *   its 2xx settles it (the sandbox receiver and Stripe-style APIs do this);
 * - else the outcome stays unknown for a person (Resolve Stuck).
 */
import type { Json } from '../schema/rows';
import { unknownOutcomeText } from '../resilience/outcome';
import { ExecutionOutcomeUnknown, type ExecutionContext, type Executor, type ReconcileResult } from './executors';

export interface WebhookExecutorConfig {
	/** http(s) URL the proposal is POSTed to. */
	url: string;
	/** Extra request headers (e.g. an Authorization header). */
	headers?: Readonly<Record<string, string>>;
	/** Longest wait for the answer (default 30 s). */
	timeoutMs?: number;
	/**
	 * A URL that tells whether a request with a given Idempotency-Key was
	 * received: `{key}` is replaced by the URL-encoded key. GET; 2xx means
	 * received (applied), 404 means never received (not applied).
	 */
	lookupUrl?: string;
	/** The receiver acts at most once per Idempotency-Key (documented): reconcile by sending the same request again with the same key. */
	dedupesByKey?: boolean;
}

/** What is POSTed (JSON). */
export interface WebhookExecutorBody {
	proposalId: string;
	kind: string;
	title: string;
	payload: Json;
	payloadHash: string;
	idempotencyKey: string;
	attempt: number;
	decidedBy: string | null;
}

const MAX_ERROR_BODY = 300;
/** Transport codes that mean the request never reached the receiver. */
const NOT_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ERR_INVALID_URL', 'EHOSTUNREACH', 'ENETUNREACH']);

function checkedUrl(raw: string, what = 'The webhook executor URL'): URL {
	let url: URL;
	try {
		url = new URL(raw.trim());
	} catch {
		throw new Error(`${what} ${JSON.stringify(raw.slice(0, 200))} is not a URL`);
	}
	if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`${what} must be http(s), not ${url.protocol}`);
	return url;
}

/** The most specific reason in an error's cause chain: a system code (ECONNREFUSED, …), else the innermost message. */
function causeCode(error: unknown): string | undefined {
	let message: string | undefined;
	for (let e = error as { code?: unknown; message?: unknown; cause?: unknown } | undefined, depth = 0; e && depth < 5; e = e.cause as typeof e, depth++) {
		if (typeof e.code === 'string') return e.code;
		if (typeof e.message === 'string' && e.message) message = e.message;
	}
	return message;
}

function seconds(ms: number): string {
	return ms < 1000 ? `${ms} ms` : `${Math.round(ms / 1000)} s`;
}

/** Builds the executor. 2xx returns `{status, body}`; refusals throw an Error; lost answers throw ExecutionOutcomeUnknown. */
export function webhookExecutor(config: WebhookExecutorConfig): Executor {
	const url = checkedUrl(config.url);
	const shown = `${url.origin}${url.pathname}`;
	const timeoutMs = config.timeoutMs ?? 30_000;
	if (!(timeoutMs > 0)) throw new Error('The webhook executor timeout must be positive');
	const lookup = config.lookupUrl?.trim() ? config.lookupUrl.trim() : undefined;
	if (lookup) {
		if (!lookup.includes('{key}')) throw new Error('The webhook executor lookup URL must contain {key} (replaced by the Idempotency-Key)');
		checkedUrl(lookup.replace('{key}', 'k'), 'The webhook executor lookup URL');
	}

	const post = async (payload: Json, ctx: ExecutionContext): Promise<Json> => {
		const body: WebhookExecutorBody = {
			proposalId: ctx.proposal.id,
			kind: ctx.proposal.kind,
			title: ctx.proposal.title,
			payload,
			payloadHash: ctx.proposal.payloadHash,
			idempotencyKey: ctx.idempotencyKey,
			attempt: ctx.attempt,
			decidedBy: ctx.proposal.decidedBy,
		};
		let response: Response;
		let text: string;
		try {
			response = await fetch(url, {
				method: 'POST',
				headers: { ...config.headers, 'content-type': 'application/json', accept: 'application/json', 'idempotency-key': ctx.idempotencyKey },
				body: JSON.stringify(body),
				signal: AbortSignal.timeout(timeoutMs),
			});
			text = await response.text();
		} catch (error) {
			const timedOut = error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
			const code = causeCode(error);
			if (!timedOut && code && NOT_SENT.has(code)) {
				throw new Error(`POST ${shown} failed before the request was sent (${code}): nothing was executed; check the URL and that the receiver is up`);
			}
			const cause = timedOut ? `no answer within ${seconds(timeoutMs)}` : `the connection broke before an answer (${code ?? String(error)})`;
			throw new ExecutionOutcomeUnknown(unknownOutcomeText(`POST ${shown}`, cause), { cause: error });
		}
		if (!response.ok) {
			const said = text.trim().slice(0, MAX_ERROR_BODY);
			const what = `POST ${shown} answered HTTP ${response.status}${said ? `: ${said}` : ''}`;
			if (response.status >= 500 || response.status === 408) throw new ExecutionOutcomeUnknown(unknownOutcomeText(`POST ${shown}`, `HTTP ${response.status}, the receiver may have acted before it failed`));
			throw new Error(what);
		}
		let answer: Json = text;
		if ((response.headers.get('content-type') ?? '').includes('json')) {
			try {
				answer = JSON.parse(text) as Json;
			} catch {
				answer = text;
			}
		}
		return { status: response.status, body: answer };
	};

	const executor: Executor = (payload, ctx) => post(payload, ctx);
	if (lookup) {
		executor.reconcile = async (_payload, ctx): Promise<ReconcileResult> => {
			const at = lookup.replace('{key}', encodeURIComponent(ctx.idempotencyKey));
			const shownLookup = `GET ${new URL(at).origin}${new URL(at).pathname.replace(encodeURIComponent(ctx.idempotencyKey), '{key}')}`;
			let response: Response;
			let text: string;
			try {
				response = await fetch(at, { headers: { ...config.headers, accept: 'application/json' }, signal: AbortSignal.timeout(timeoutMs) });
				text = await response.text();
			} catch (error) {
				return { state: 'unknown', how: `${shownLookup} did not answer (${causeCode(error) ?? String(error)})` };
			}
			if (response.status === 404) return { state: 'not_applied', how: `${shownLookup} says no request with this Idempotency-Key was received` };
			if (!response.ok) return { state: 'unknown', how: `${shownLookup} answered HTTP ${response.status}` };
			let found: Json = text;
			try {
				found = JSON.parse(text) as Json;
			} catch {
				// a 2xx that is not JSON still says "received"
			}
			return { state: 'applied', result: { status: response.status, body: found, reconciled: 'lookup' }, how: `${shownLookup} says the request with this Idempotency-Key was received` };
		};
	} else if (config.dedupesByKey) {
		executor.reconcile = async (payload, ctx): Promise<ReconcileResult> => {
			try {
				const result = await post(payload, ctx);
				return { state: 'applied', result, how: `sent again with the same Idempotency-Key to ${shown}, which acts once per key; it answered 2xx` };
			} catch (error) {
				return { state: 'unknown', how: `sending again with the same Idempotency-Key did not settle it: ${error instanceof Error ? error.message : String(error)}` };
			}
		};
	}
	return executor;
}
