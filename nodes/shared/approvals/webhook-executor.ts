/**
 * An executor that hands an approved proposal to an HTTP endpoint: another
 * n8n workflow's Webhook, an internal service, a CI job. It is how kinds that
 * have no built-in executor are executed, and the test kind of the approval
 * loop.
 *
 * The URL and headers are configuration (the node's parameters), never taken
 * from the proposal: a payload cannot choose where it is sent. Every request
 * carries the ledger key as `Idempotency-Key`, so a receiver can drop a
 * duplicate should one ever arrive (the ledger already prevents it).
 */
import type { Json } from '../schema/rows';
import type { Executor } from './executors';

export interface WebhookExecutorConfig {
	/** http(s) URL the proposal is POSTed to. */
	url: string;
	/** Extra request headers (e.g. an Authorization header). */
	headers?: Readonly<Record<string, string>>;
	/** Longest wait for the answer (default 30 s). */
	timeoutMs?: number;
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

function checkedUrl(raw: string): URL {
	let url: URL;
	try {
		url = new URL(raw.trim());
	} catch {
		throw new Error(`The webhook executor URL ${JSON.stringify(raw.slice(0, 200))} is not a URL`);
	}
	if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`The webhook executor URL must be http(s), not ${url.protocol}`);
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

/** Builds the executor. Non-2xx answers and transport errors throw, with the URL, status and what the receiver said. */
export function webhookExecutor(config: WebhookExecutorConfig): Executor {
	const url = checkedUrl(config.url);
	const shown = `${url.origin}${url.pathname}`;
	const timeoutMs = config.timeoutMs ?? 30_000;
	if (!(timeoutMs > 0)) throw new Error('The webhook executor timeout must be positive');
	return async (payload, ctx) => {
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
		try {
			response = await fetch(url, {
				method: 'POST',
				headers: { ...config.headers, 'content-type': 'application/json', accept: 'application/json', 'idempotency-key': ctx.idempotencyKey },
				body: JSON.stringify(body),
				signal: AbortSignal.timeout(timeoutMs),
			});
		} catch (error) {
			const timedOut = error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
			throw new Error(
				timedOut
					? `POST ${shown} did not answer within ${timeoutMs < 1000 ? `${timeoutMs} ms` : `${Math.round(timeoutMs / 1000)} s`}; the receiver may or may not have acted (check it before retrying)`
					: `POST ${shown} failed before an answer (${causeCode(error) ?? String(error)}); check the URL and that the receiver is up`,
			);
		}
		const text = await response.text().catch(() => '');
		if (!response.ok) {
			const said = text.trim().slice(0, MAX_ERROR_BODY);
			throw new Error(`POST ${shown} answered HTTP ${response.status}${said ? `: ${said}` : ''}`);
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
}
