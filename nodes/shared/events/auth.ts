/**
 * Who may post events: a shared secret in a header, or an HMAC-SHA256 of the
 * raw body keyed with the secret (hex, optionally `sha256=`-prefixed, as
 * GitHub and Shopify-style senders write it). Compared in constant time. An
 * empty secret refuses everything rather than accepting everything. A replayed
 * signed post can only re-send the same events, which are stored once.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export type EventsAuthMode = 'header' | 'hmac';

export interface EventsAuth {
	mode: EventsAuthMode;
	/** Header carrying the secret or the signature (case-insensitive). */
	header: string;
	secret: string;
}

export const DEFAULT_HEADERS: Record<EventsAuthMode, string> = { header: 'x-adops-secret', hmac: 'x-adops-signature' };

export type AuthResult = { ok: true } | { ok: false; reason: string };

/** The shortest secret the credential test accepts. */
export const MIN_SECRET_LENGTH = 16;

/** What is wrong with a credential's settings (in words, without the secret), or null. */
export function authProblem(auth: EventsAuth): string | null {
	if (auth.secret.length < MIN_SECRET_LENGTH) return `The secret has ${auth.secret.length} characters; use at least ${MIN_SECRET_LENGTH} (e.g. openssl rand -hex 32).`;
	if (!/^[A-Za-z0-9-]+$/.test(auth.header)) return 'The header name may hold only letters, digits and -.';
	return null;
}

function equal(a: Buffer, b: Buffer): boolean {
	return a.length === b.length && timingSafeEqual(a, b);
}

export function signBody(secret: string, rawBody: Buffer | string): string {
	return createHmac('sha256', secret).update(rawBody).digest('hex');
}

export function verifyRequest(auth: EventsAuth, headers: Record<string, string | string[] | undefined>, rawBody: Buffer | string): AuthResult {
	if (!auth.secret) return { ok: false, reason: 'The AdOps Events credential has no secret: every post is refused until one is set.' };
	const name = (auth.header || DEFAULT_HEADERS[auth.mode]).toLowerCase();
	const found = Object.entries(headers).find(([k]) => k.toLowerCase() === name)?.[1];
	const value = Array.isArray(found) ? found[0] : found;
	if (!value) return { ok: false, reason: `Missing the ${name} header.` };
	if (auth.mode === 'header') {
		return equal(Buffer.from(value, 'utf8'), Buffer.from(auth.secret, 'utf8')) ? { ok: true } : { ok: false, reason: `The ${name} header does not hold the secret.` };
	}
	const given = value.trim().replace(/^sha256=/i, '');
	if (!/^[0-9a-fA-F]{64}$/.test(given)) return { ok: false, reason: `The ${name} header is not a hex HMAC-SHA256 signature.` };
	const expected = Buffer.from(signBody(auth.secret, rawBody), 'hex');
	return equal(Buffer.from(given, 'hex'), expected) ? { ok: true } : { ok: false, reason: `The ${name} signature does not match the body.` };
}
