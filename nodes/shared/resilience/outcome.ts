/**
 * The three outcomes of a side effect (a platform write, a Slack post, a
 * Notion write): **succeeded** (the answer says so), **failed** (known not to
 * have reached the platform, or refused by it: safe to try again) and
 * **unknown** (the answer was lost or late: the effect may have happened).
 *
 * `sideEffectOutcome` classifies an error thrown by a mutating call. It is
 * conservative: anything it cannot prove harmless is `unknown`, and an
 * unknown outcome counts as possibly applied for every gate until it is
 * reconciled by reading the platform's state. Never advise a retry of an
 * unknown outcome: reconcile it.
 */
import { PlatformApiError, type PlatformErrorKind } from './errors';

export type SideEffectOutcome = 'failed' | 'unknown';

/** Kinds whose answer came from the platform (or never left this process) and says the change was not made. */
const REFUSED_KINDS: ReadonlySet<PlatformErrorKind> = new Set(['auth', 'permission', 'not_found', 'bad_request', 'rate_limited', 'quota', 'circuit_open', 'config']);

/** Transport codes that mean the request never reached the server. */
const NOT_SENT_CODES: ReadonlySet<string> = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ERR_INVALID_URL', 'ERR_CANCELED_BEFORE_SEND']);

const UNKNOWN_MARK = Symbol.for('adops.outcomeUnknown');

/**
 * Marks `error` as the end of a call some earlier attempt of which may have
 * been applied (a timeout, then a 429 on the retry): the whole call is
 * unknown even though its last answer was a refusal.
 */
export function markOutcomeUnknown<E>(error: E): E {
	if (error && typeof error === 'object') {
		try {
			Object.defineProperty(error, UNKNOWN_MARK, { value: true, enumerable: false, configurable: true });
		} catch {
			// frozen errors cannot be marked; they are classified by their kind
		}
	}
	return error;
}

/** Whether an error of a mutating call leaves its effect `failed` (not applied) or `unknown` (maybe applied). */
export function sideEffectOutcome(error: unknown): SideEffectOutcome {
	if (error && typeof error === 'object' && (error as Record<symbol, unknown>)[UNKNOWN_MARK] === true) return 'unknown';
	if (error instanceof PlatformApiError) {
		if (REFUSED_KINDS.has(error.kind)) return 'failed';
		if (error.kind === 'network') {
			const code = typeof error.code === 'string' ? error.code : '';
			if (NOT_SENT_CODES.has(code)) return 'failed';
			// "request was cancelled" before any byte went out is still not provable here: unknown
			return 'unknown';
		}
		// server (5xx), timeout, malformed_response: the platform may have applied it
		return 'unknown';
	}
	if (error && typeof error === 'object') {
		const e = error as { code?: unknown; status?: unknown; knownNotApplied?: unknown };
		if (e.knownNotApplied === true) return 'failed';
		if (typeof e.code === 'string' && NOT_SENT_CODES.has(e.code)) return 'failed';
		// SDK errors with an HTTP status: 4xx other than 408 are refusals, the rest unknown
		const status = typeof e.status === 'number' ? e.status : undefined;
		if (status !== undefined && status >= 400 && status < 500 && status !== 408) return 'failed';
	}
	return 'unknown';
}

/** Words for a person: what an unknown outcome means and what happens next (never "retry"). */
export function unknownOutcomeText(what: string, cause: string): string {
	return `${what}: the outcome is unknown (${cause}); it may have been applied, so it counts as applied for every gate and is checked against the platform's state before anything acts on it again`;
}
