/**
 * Personal identifiers: normalised the way the ad platforms match them, then
 * SHA-256 hashed. Raw values leave this module only as digests; errors name
 * the field and the problem, never the value.
 *
 * - E-mail: trimmed, lower-cased (Meta, Google, TikTok, LinkedIn all ask for
 *   at least this), checked for the shape local@domain.tld.
 * - Phone: digits with the country code. `+49 (0)151 …` style trunk zeros
 *   after the code are dropped, `00` counts as `+`; a number without `+` or
 *   `00` takes the configured default country code (its leading 0 dropped) or
 *   is refused. Two digests: of the digits (Meta, TikTok, LinkedIn) and of
 *   E.164 with the + (Google Ads enhanced conversions).
 * - User id (the caller's own id): trimmed, hashed as is.
 * - Already hashed identifiers (`email_sha256`, …) are taken when they are
 *   64 hex characters (lower-cased).
 */
import { createHash } from 'node:crypto';

export function sha256(text: string): string {
	return createHash('sha256').update(text, 'utf8').digest('hex');
}

export type Normalized<T> = { ok: true; value: T } | { ok: false; reason: string };

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
/** Something that looks like an e-mail address inside free text. */
export const EMAIL_IN_TEXT = /[^\s@<>"'(),;:]+@[^\s@<>"'(),;:]+\.[A-Za-z]{2,}/g;

export function normalizeEmail(raw: string): Normalized<string> {
	const email = raw.trim().toLowerCase();
	if (!EMAIL.test(email)) return { ok: false, reason: 'user.email is not an e-mail address (expected name@domain.tld)' };
	return { ok: true, value: email };
}

/** E.164 digits (no +), or why not. `defaultCountryCode`: digits only, e.g. "49". */
export function normalizePhone(raw: string, defaultCountryCode?: string): Normalized<string> {
	// "+49 (0)151 …": the trunk zero written after the country code is not dialled internationally
	let s = raw.trim().replace(/\(0\)/g, '').replace(/[\s().\-/]/g, '');
	let international = false;
	if (s.startsWith('+')) {
		international = true;
		s = s.slice(1);
	} else if (s.startsWith('00')) {
		international = true;
		s = s.slice(2);
	}
	if (!/^\d+$/.test(s)) return { ok: false, reason: 'user.phone holds characters other than digits, spaces, ( ) - . / and a leading +' };
	if (!international) {
		const cc = (defaultCountryCode ?? '').replace(/^\+/, '');
		if (!/^\d{1,3}$/.test(cc)) return { ok: false, reason: 'user.phone has no country code (write it as +<country code><number>, or set a default country code)' };
		s = cc + s.replace(/^0+/, '');
	}
	if (s.startsWith('0')) return { ok: false, reason: 'user.phone: a country code does not start with 0' };
	if (s.length < 8 || s.length > 15) return { ok: false, reason: `user.phone has ${s.length} digits with its country code; E.164 numbers have 8 to 15` };
	return { ok: true, value: s };
}

export interface HashedIdentity {
	external_id_sha256: string | null;
	email_sha256: string | null;
	phone_sha256: string | null;
	phone_e164_sha256: string | null;
}

export interface IdentityInput {
	id?: string | null;
	email?: string | null;
	phone?: string | null;
	email_sha256?: string | null;
	phone_sha256?: string | null;
	external_id_sha256?: string | null;
}

const DIGEST = /^[0-9a-fA-F]{64}$/;

/** The digests of a person's identifiers, or the first problem found (in words, without the value). */
export function hashIdentity(user: IdentityInput | undefined, opts: { defaultCountryCode?: string } = {}): Normalized<HashedIdentity> {
	const out: HashedIdentity = { external_id_sha256: null, email_sha256: null, phone_sha256: null, phone_e164_sha256: null };
	if (!user) return { ok: true, value: out };
	for (const field of ['email_sha256', 'phone_sha256', 'external_id_sha256'] as const) {
		const v = user[field];
		if (v == null || v === '') continue;
		if (!DIGEST.test(v)) return { ok: false, reason: `user.${field} is not a SHA-256 digest (64 hex characters)` };
		out[field] = v.toLowerCase();
	}
	if (user.id != null && user.id.trim() !== '') out.external_id_sha256 = sha256(user.id.trim());
	if (user.email != null && user.email.trim() !== '') {
		const email = normalizeEmail(user.email);
		if (!email.ok) return email;
		out.email_sha256 = sha256(email.value);
	}
	if (user.phone != null && user.phone.trim() !== '') {
		const phone = normalizePhone(user.phone, opts.defaultCountryCode);
		if (!phone.ok) return phone;
		out.phone_sha256 = sha256(phone.value);
		out.phone_e164_sha256 = sha256(`+${phone.value}`);
	}
	return { ok: true, value: out };
}

/** Free text with every e-mail address in it replaced by "[e-mail removed]". */
export function redactEmails(text: string): string {
	return text.replace(EMAIL_IN_TEXT, '[e-mail removed]');
}
