import { test, describe } from 'vitest';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { verifySlackSignature, verifySlackRequest, computeSlackSignature, SLACK_SIGNATURE_WINDOW_SECONDS } from '../../nodes/shared/alerts/slack-signature';
import { signedInteraction, blockActionsPayload } from '../../scripts/sandbox/slack-interaction';
import { SANDBOX_CREDENTIALS } from '../../scripts/sandbox/world';

// Slack's worked example from "Verifying requests from Slack".
const DOC = {
	secret: '8f742231b10e8888abcd99yyyzzz85a5',
	timestamp: '1531420618',
	body: 'token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c',
	signature: 'v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503',
};
const docNow = Number(DOC.timestamp) * 1000;
const secret = SANDBOX_CREDENTIALS.slack.signingSecret;
const T = 1_760_000_000;

function signed(body?: string) {
	const payload = body ?? JSON.stringify(blockActionsPayload({ actionId: 'adops_approve', value: '{"id":"p1","hash":"abcdef0123456789"}', messageTs: '1760000000.000100' }));
	return signedInteraction({ signingSecret: secret, payload, timestamp: T });
}

function check(over: Partial<Parameters<typeof verifySlackSignature>[0]> = {}) {
	const req = signed();
	return verifySlackSignature({
		signingSecret: secret,
		timestamp: req.headers['x-slack-request-timestamp'],
		signature: req.headers['x-slack-signature'],
		rawBody: req.body,
		now: T * 1000,
		...over,
	});
}

describe('verifySlackSignature', () => {
	test("Slack's documented example verifies, as a string and as bytes", () => {
		assert.equal(computeSlackSignature(DOC.secret, DOC.timestamp, DOC.body), DOC.signature);
		assert.deepEqual(verifySlackSignature({ signingSecret: DOC.secret, timestamp: DOC.timestamp, signature: DOC.signature, rawBody: DOC.body, now: docNow }), { ok: true });
		assert.deepEqual(verifySlackSignature({ signingSecret: DOC.secret, timestamp: DOC.timestamp, signature: DOC.signature, rawBody: Buffer.from(DOC.body), now: new Date(docNow) }), { ok: true });
	});

	test('a request signed by the sandbox helper verifies', () => {
		assert.deepEqual(check(), { ok: true });
		const req = signed();
		assert.equal(req.headers['content-type'], 'application/x-www-form-urlencoded');
		assert.match(req.body, /^payload=/);
		assert.deepEqual(verifySlackRequest({ signingSecret: secret, headers: { 'X-Slack-Signature': req.headers['x-slack-signature'], 'X-Slack-Request-Timestamp': req.headers['x-slack-request-timestamp'] }, rawBody: req.body, now: T * 1000 }), { ok: true });
	});

	test('a wrong secret is a bad signature, and the message never contains the secret', () => {
		const r = check({ signingSecret: 'another-apps-secret' });
		assert.equal(r.ok, false);
		assert.equal(!r.ok && r.reason, 'bad_signature');
		assert.ok(!r.ok && !r.message.includes('another-apps-secret') && !r.message.includes(secret));
	});

	test('a body altered by one byte is a bad signature', () => {
		const req = signed();
		const altered = req.body.slice(0, 20) + (req.body[20] === 'a' ? 'b' : 'a') + req.body.slice(21);
		const r = check({ rawBody: altered });
		assert.equal(!r.ok && r.reason, 'bad_signature');
		const appended = check({ rawBody: req.body + ' ' });
		assert.equal(!appended.ok && appended.reason, 'bad_signature');
	});

	test('missing headers', () => {
		for (const over of [{ timestamp: undefined }, { signature: undefined }, { timestamp: '' }, { signature: '  ' }, { timestamp: null, signature: null }]) {
			const r = check(over);
			assert.equal(!r.ok && r.reason, 'missing_headers', JSON.stringify(over));
		}
		const both = check({ timestamp: undefined, signature: undefined });
		assert.match(!both.ok ? both.message : '', /X-Slack-Request-Timestamp and X-Slack-Signature/);
		const viaHeaders = verifySlackRequest({ signingSecret: secret, headers: {}, rawBody: 'payload=x', now: T * 1000 });
		assert.equal(!viaHeaders.ok && viaHeaders.reason, 'missing_headers');
		const duplicated = verifySlackRequest({ signingSecret: secret, headers: { 'x-slack-signature': ['v0=a', 'v0=b'], 'x-slack-request-timestamp': String(T) }, rawBody: 'x', now: T * 1000 });
		assert.equal(!duplicated.ok && duplicated.reason, 'missing_headers');
	});

	test('a timestamp 6 minutes old or 6 minutes ahead is stale, even with a valid signature; 5 minutes is accepted', () => {
		for (const skew of [-6 * 60, 6 * 60, SLACK_SIGNATURE_WINDOW_SECONDS + 1, -(SLACK_SIGNATURE_WINDOW_SECONDS + 1)]) {
			const r = check({ now: (T + skew) * 1000 });
			assert.equal(!r.ok && r.reason, 'stale_timestamp', `skew ${skew}`);
		}
		assert.match((check({ now: (T + 360) * 1000 }) as { message: string }).message, /6 minute\(s\) old/);
		assert.match((check({ now: (T - 360) * 1000 }) as { message: string }).message, /in the future/);
		assert.deepEqual(check({ now: (T + 300) * 1000 }), { ok: true });
		assert.deepEqual(check({ now: (T - 300) * 1000 }), { ok: true });
	});

	test('a signature of a different length is refused without an exception', () => {
		const good = signed().headers['x-slack-signature'];
		for (const sig of [good.slice(0, -1), good + '0', 'v0=', 'v0=abc', good + good]) {
			const r = check({ signature: sig });
			assert.equal(!r.ok && r.reason, 'bad_signature', sig);
		}
		// Same length, different case: Slack sends lower-case hex and nothing else matches.
		assert.match(good.slice(3), /[a-f]/);
		const upper = check({ signature: 'v0=' + good.slice(3).toUpperCase() });
		assert.equal(!upper.ok && upper.reason, 'bad_signature');
	});

	test('malformed input is reported, never thrown', () => {
		const cases: Array<[Partial<Parameters<typeof verifySlackSignature>[0]>, RegExp]> = [
			[{ timestamp: 'yesterday' }, /not a number/],
			[{ timestamp: '1e9' }, /not a number/],
			[{ signature: 'v1=' + 'a'.repeat(64) }, /v0 signature scheme/],
			[{ signature: 'sha256=' + 'a'.repeat(64) }, /v0 signature scheme/],
			[{ signingSecret: '' }, /No Slack signing secret/],
			[{ rawBody: undefined as unknown as string }, /Raw Body/],
			[{ rawBody: { toString: () => 'x' } as unknown as string }, /Raw Body/],
			[{ signingSecret: 42 as unknown as string }, /signing secret/],
		];
		for (const [over, message] of cases) {
			const r = check(over);
			assert.equal(r.ok, false);
			assert.equal(!r.ok && r.reason, 'malformed', JSON.stringify(over));
			assert.match(!r.ok ? r.message : '', message);
		}
		const invalidClock = check({ now: new Date('not a date') });
		assert.equal(!invalidClock.ok && invalidClock.reason, 'stale_timestamp');
	});

	test('property: changing any single byte of the body makes the signature fail', () => {
		const req = signed();
		const body = Buffer.from(req.body, 'utf8');
		fc.assert(
			fc.property(fc.nat({ max: body.length - 1 }), fc.integer({ min: 1, max: 255 }), (index, delta) => {
				const mutated = Buffer.from(body);
				mutated[index] = (mutated[index] + delta) % 256;
				const r = verifySlackSignature({ signingSecret: secret, timestamp: String(T), signature: req.headers['x-slack-signature'], rawBody: mutated, now: T * 1000 });
				assert.equal(r.ok, false);
				assert.equal(!r.ok && r.reason, 'bad_signature');
			}),
			{ numRuns: 300 },
		);
	});

	test('property: arbitrary header and body values give a typed result, never an exception', () => {
		fc.assert(
			fc.property(fc.option(fc.string(), { nil: undefined }), fc.option(fc.string(), { nil: undefined }), fc.string(), (timestamp, signature, rawBody) => {
				const r = verifySlackSignature({ signingSecret: secret, timestamp, signature, rawBody, now: T * 1000 });
				assert.equal(r.ok, false);
				assert.ok(['missing_headers', 'stale_timestamp', 'bad_signature', 'malformed'].includes((r as { reason: string }).reason));
			}),
			{ numRuns: 300 },
		);
	});
});
