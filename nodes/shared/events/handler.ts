/**
 * One HTTP post to the events trigger, from request to answer: method,
 * authentication (auth.ts) on the raw body, JSON, then ingestEvents. A post
 * that fails authentication is refused (401) before its body is parsed, so
 * nothing of it is stored. The answer holds counts and reasons only.
 */
import type { Store } from '../store/types';
import { verifyRequest, type EventsAuth } from './auth';
import { EventsBodyError, ingestEvents, type IngestAnswer, type IngestOptions } from './ingest';

export interface EventsPost {
	method: string;
	headers: Record<string, string | string[] | undefined>;
	/** The body's bytes as received (what an HMAC signs). */
	rawBody: Buffer | null;
	/** The body as the server already parsed it, used when the raw bytes are not available (shared-secret mode only). */
	body?: unknown;
}

export interface EventsOutcome {
	status: number;
	body: Record<string, unknown>;
	answer?: IngestAnswer;
	/** Why a post was refused (401, 400, 405), in words without any of its content. */
	refused?: string;
	ms: number;
}

export async function handleEventsPost(post: EventsPost, auth: EventsAuth, store: Store, opts: IngestOptions): Promise<EventsOutcome> {
	const started = performance.now();
	const done = (status: number, body: Record<string, unknown>, extra: Partial<EventsOutcome> = {}): EventsOutcome => ({ status, body, ms: performance.now() - started, ...extra });
	if (post.method.toUpperCase() !== 'POST') return done(405, { error: 'Send events with POST.' }, { refused: `method ${post.method}` });
	if (auth.mode === 'hmac' && !post.rawBody) {
		return done(401, { error: 'Unauthorized' }, { refused: 'the raw body was not available to check the HMAC signature' });
	}
	const verdict = verifyRequest(auth, post.headers, post.rawBody ?? '');
	if (!verdict.ok) return done(401, { error: 'Unauthorized' }, { refused: verdict.reason });
	let body: unknown = post.body;
	if (post.rawBody) {
		try {
			body = JSON.parse(post.rawBody.toString('utf8'));
		} catch {
			return done(400, { error: 'The body is not JSON.' }, { refused: 'body is not JSON' });
		}
	}
	try {
		const answer = await ingestEvents(store, body, opts);
		return done(200, { ...answer }, { answer });
	} catch (error) {
		if (error instanceof EventsBodyError) return done(400, { error: error.message }, { refused: error.message });
		throw error;
	}
}
