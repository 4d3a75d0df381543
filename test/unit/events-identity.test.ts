// Personal identifiers (nodes/shared/events/identity.ts), event validation (input.ts) and post authentication (auth.ts).
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'vitest';
import { authProblem, eventRow, hashIdentity, normalizeEmail, normalizePhone, safePayload, signBody, verifyRequest } from '../../nodes/shared/events';

const sha = (s: string) => createHash('sha256').update(s).digest('hex');
const NOW = new Date('2025-06-17T12:00:00Z');

test('e-mail: trimmed and lower-cased before hashing; not an address: refused without echoing it', () => {
	assert.deepEqual(normalizeEmail('  Ana.Silva@Example.COM '), { ok: true, value: 'ana.silva@example.com' });
	const bad = normalizeEmail('ana.silva-at-example');
	assert.equal(bad.ok, false);
	assert.ok(!bad.ok && !bad.reason.includes('ana.silva'));
	const id = hashIdentity({ email: ' Ana@Example.com' });
	assert.ok(id.ok);
	assert.equal(id.ok && id.value.email_sha256, sha('ana@example.com'));
});

test('phone: E.164 digits (+, 00, (0) trunk, separators; default country code); two digests', () => {
	assert.deepEqual(normalizePhone('+49 (0)151 234-5678'), { ok: true, value: '491512345678' });
	assert.deepEqual(normalizePhone('0049 151 2345678'), { ok: true, value: '491512345678' });
	assert.deepEqual(normalizePhone('(415) 555-0132', '1'), { ok: true, value: '14155550132' });
	assert.deepEqual(normalizePhone('0151 2345678', '+49'), { ok: true, value: '491512345678' });
	assert.match((normalizePhone('0151 2345678') as { reason: string }).reason, /no country code/);
	assert.match((normalizePhone('+49 151 CALL-ME') as { reason: string }).reason, /characters other than digits/);
	assert.match((normalizePhone('+12345') as { reason: string }).reason, /8 to 15/);
	const id = hashIdentity({ phone: '+49 151 2345678', id: ' u-42 ' });
	assert.ok(id.ok);
	if (id.ok) {
		assert.equal(id.value.phone_sha256, sha('491512345678'));
		assert.equal(id.value.phone_e164_sha256, sha('+491512345678'));
		assert.equal(id.value.external_id_sha256, sha('u-42'));
	}
	assert.deepEqual(hashIdentity({ email_sha256: sha('x').toUpperCase() }), { ok: true, value: { external_id_sha256: null, email_sha256: sha('x'), phone_sha256: null, phone_e164_sha256: null } });
	assert.equal(hashIdentity({ email_sha256: 'ana@example.com' }).ok, false);
});

test('an event becomes a row with hashes only; reasons name the field, never the value', () => {
	const r = eventRow(
		{
			event_id: 'ord-1',
			type: 'purchase',
			time: 1750161600,
			value: 49.9,
			currency: 'eur',
			platform: 'meta',
			user: { email: 'Ana@Example.com', phone: '+49 151 2345678', first_name: 'Ana' },
			click_ids: { fbclid: 'IwAR0abc_DEF-1' },
			utm: { source: 'newsletter', content: 'sent to ana@example.com' },
			consent: { ad_user_data: true },
		},
		{ source: 'shop', now: NOW },
	);
	assert.ok(r.ok);
	if (r.ok) {
		assert.equal(r.value.event_time, '2025-06-17T12:00:00.000Z');
		assert.equal(r.value.currency, 'EUR');
		assert.equal(r.value.email_sha256, sha('ana@example.com'));
		assert.equal(r.value.utm_content, 'sent to [e-mail removed]');
		assert.equal(r.value.consent_ad_user_data, true);
		assert.equal(r.value.consent_ad_storage, null);
		assert.ok(!JSON.stringify(r.value).includes('Ana'), 'no raw identifier (nor the unknown first_name) in the row');
	}
	const reason = (raw: Record<string, unknown>) => {
		const x = eventRow(raw, { source: 'shop', now: NOW });
		assert.equal(x.ok, false);
		return (x as { reason: string }).reason;
	};
	const base = { event_id: 'e1', type: 'lead', time: '2025-06-17T10:00:00Z' };
	assert.match(reason({ ...base, type: 'ana@example.com' }), /^type must be one of impression, click, lead, purchase, custom$/);
	assert.match(reason({ ...base, time: 'yesterday' }), /time must be an ISO-8601 timestamp/);
	assert.match(reason({ ...base, time: '2025-06-18T10:00:00Z' }), /time is in the future/);
	assert.match(reason({ ...base, type: 'custom' }), /custom event needs a name/);
	assert.match(reason({ ...base, value: 3 }), /value needs its currency/);
	assert.match(reason({ ...base, event_id: 'ana@example.com' }), /looks like an e-mail address/);
	assert.match(reason({ ...base, click_ids: { gclid: 'a b' } }), /click_ids.gclid must be a click id/);
	assert.equal(reason({ ...base, user: { phone: '+49 151' } }).includes('151'), false);
	// an epoch beyond what a Date holds is refused (it used to throw a RangeError and fail the whole post)
	assert.equal(reason({ ...base, time: 1e20 }), 'time is beyond the dates a timestamp can hold');
	assert.equal(reason({ ...base, time: 8.64e15 + 1 }), 'time is beyond the dates a timestamp can hold');
	// a numeric id above 2^53 was rounded by JSON.parse: refused rather than stored under a neighbour's id
	assert.match(reason({ ...base, event_id: JSON.parse('12345678901234567890') as number }), /^event_id as a number must be at most 9007199254740991; send larger ids as strings$/);
	assert.match(reason({ ...base, event_id: 'x'.repeat(201) }), /^event_id must be at most 200 characters$/);
	assert.match(reason({ type: 'lead', time: base.time }), /^event_id is missing$/);
	const ok = (raw: Record<string, unknown>) => {
		const x = eventRow(raw, { source: 'shop', now: NOW });
		assert.ok(x.ok, JSON.stringify(x));
		return x.value;
	};
	assert.equal(ok({ ...base, event_id: Number.MAX_SAFE_INTEGER }).event_id, '9007199254740991');
	// odd but valid zones: compact offsets, +14:00, -00:00, nanoseconds
	assert.equal(ok({ ...base, time: '2025-06-17T10:00:00+0530' }).event_time, '2025-06-17T04:30:00.000Z');
	assert.equal(ok({ ...base, time: '2025-06-17T10:00:00+14:00' }).event_time, '2025-06-16T20:00:00.000Z');
	assert.equal(ok({ ...base, time: '2025-06-17T10:00:00.123456789-00:00' }).event_time, '2025-06-17T10:00:00.123Z');
	// numbers as strings are refused with the field named, not coerced
	assert.equal(reason({ ...base, value: '49.90', currency: 'EUR' }), 'value must be number, not string');
	assert.match(reason({ ...base, time: '1750161600' }), /^time must be an ISO-8601 timestamp/);
});

test('the quarantine payload keeps known fields, digests or "[removed]" for identifiers, names of unknown fields', () => {
	const payload = safePayload({
		event_id: 'e9',
		type: 'buy',
		user: { email: 'Ana@Example.com', phone: '12345', ssn: '078-05-1120' },
		utm: { source: 'mail to bob@example.org', evil: 'x' },
		phone: '+49 151 2345678',
		nested: { email: 'carl@example.net' },
	});
	assert.deepEqual(payload, {
		event_id: 'e9',
		type: 'buy',
		utm: { source: 'mail to [e-mail removed]' },
		user: { email_sha256: sha('ana@example.com'), phone: '[removed]' },
		unknown_fields: ['phone', 'nested'],
	});
});

test('authentication: shared secret header or HMAC-SHA256 of the raw body, constant-time; empty secret refuses all', () => {
	const body = Buffer.from('{"event_id":"e1"}');
	assert.deepEqual(verifyRequest({ mode: 'header', header: 'X-AdOps-Secret', secret: 's3cret' }, { 'x-adops-secret': 's3cret' }, body), { ok: true });
	assert.equal(verifyRequest({ mode: 'header', header: 'X-AdOps-Secret', secret: 's3cret' }, { 'x-adops-secret': 's3cret!' }, body).ok, false);
	assert.equal(verifyRequest({ mode: 'header', header: 'X-AdOps-Secret', secret: 's3cret' }, {}, body).ok, false);
	const sig = signBody('k', body);
	const hmac = { mode: 'hmac' as const, header: '', secret: 'k' };
	assert.deepEqual(verifyRequest(hmac, { 'X-AdOps-Signature': `sha256=${sig}` }, body), { ok: true });
	assert.deepEqual(verifyRequest(hmac, { 'x-adops-signature': sig }, body.toString()), { ok: true });
	assert.equal(verifyRequest(hmac, { 'x-adops-signature': sig }, Buffer.from('{"event_id":"e2"}')).ok, false);
	assert.equal(verifyRequest(hmac, { 'x-adops-signature': signBody('other', body) }, body).ok, false);
	assert.equal(verifyRequest(hmac, { 'x-adops-signature': 'zz' }, body).ok, false);
	assert.equal(verifyRequest({ mode: 'header', header: 'x', secret: '' }, { x: '' }, body).ok, false);
	// the credential test's checks (AdOpsEventsTrigger/credential.ts): length of the secret, shape of the header name, never the secret itself
	assert.equal(authProblem({ mode: 'hmac', header: 'X-AdOps-Signature', secret: 'a'.repeat(16) }), null);
	assert.equal(authProblem({ mode: 'hmac', header: 'X-AdOps-Signature', secret: 'short-secret' }), 'The secret has 12 characters; use at least 16 (e.g. openssl rand -hex 32).');
	assert.equal(authProblem({ mode: 'header', header: 'X AdOps: Secret', secret: 'a'.repeat(32) }), 'The header name may hold only letters, digits and -.');
});
