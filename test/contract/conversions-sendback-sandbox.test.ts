/**
 * The sandbox's conversion endpoints (scripts/sandbox/platforms/conversions.ts) answer as the platforms
 * document: each one's limit per request, its refusals in its own error shape, Google's partial failure
 * per conversion, and dedupe by the platform's id (a repeat is received but not counted). Raw HTTP, so
 * the shapes are checked without the package's clients in between.
 */
import assert from 'node:assert/strict';
import { afterAll, beforeAll, describe, test } from 'vitest';
import { OAuthTokenSource } from '../../nodes/shared/platforms/google-ads-rest';
import { pinnedApiVersion } from '../../nodes/shared/platforms/registry';
import { startSandbox, type Sandbox } from '../../scripts/sandbox';
import { conversionReceipts } from '../../scripts/sandbox/platforms/conversions';

const HEX = 'a'.repeat(64);

describe('sandbox conversion endpoints', () => {
	let sb: Sandbox;
	let customer: string;
	let googleToken: string;
	beforeAll(async () => {
		sb = await startSandbox({ seed: 5 });
		customer = sb.world.accounts.find((a) => a.platform === 'google')!.id;
		const g = sb.credentials.googleAds;
		googleToken = (await new OAuthTokenSource({ tokenUrl: sb.urls.googleOAuthToken, clientId: g.clientId, clientSecret: g.clientSecret, refreshToken: g.refreshToken }).get()).token;
	});
	afterAll(async () => sb?.close());

	const post = async (url: string, body: unknown, headers: Record<string, string> = {}) => {
		const r = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
		return { status: r.status, body: (await r.json()) as Record<string, unknown> };
	};
	const nowS = () => Math.floor(sb.now() / 1000);

	test("Meta: a batch is taken whole; an event over 7 days old, one without customer information or over 1,000 events refuse the request in Graph's shape; a repeated event_id is received, not counted", async () => {
		const url = `${sb.urls.meta}/${pinnedApiVersion('meta')}/555000111/events`;
		const event = (id: string, extra: Record<string, unknown> = {}) => ({ event_name: 'Purchase', event_time: nowS() - 60, event_id: id, action_source: 'website', user_data: { em: [HEX] }, ...extra });
		const ok = await post(url, { access_token: sb.credentials.meta.accessToken, data: [event('m1'), event('m2')] });
		assert.equal(ok.status, 200);
		assert.equal(ok.body.events_received, 2);
		const old = await post(url, { access_token: sb.credentials.meta.accessToken, data: [event('m3'), event('m4', { event_time: nowS() - 8 * 86_400 })] });
		assert.equal(old.status, 400);
		const error = old.body.error as Record<string, unknown>;
		assert.equal(error.code, 100);
		assert.equal(error.error_user_title, 'Event Timestamp Too Old');
		assert.match(String(error.error_user_msg), /^Event 1: /);
		const bare = await post(url, { access_token: sb.credentials.meta.accessToken, data: [event('m5', { user_data: {} })] });
		assert.equal((bare.body.error as Record<string, unknown>).error_user_title, 'Missing customer information parameters');
		const many = await post(url, { access_token: sb.credentials.meta.accessToken, data: Array.from({ length: 1001 }, (_, i) => event(`x${i}`)) });
		assert.match(String((many.body.error as Record<string, unknown>).error_user_msg), /at most 1000 events/);
		await post(url, { access_token: sb.credentials.meta.accessToken, data: [event('m1')] });
		const m1 = conversionReceipts(sb.world, 'meta').filter((r) => r.eventId === 'm1');
		assert.deepEqual(m1.map((r) => r.counted), [true, false]);
		assert.equal(conversionReceipts(sb.world, 'meta').filter((r) => r.eventId === 'm3').length, 0, 'a refused request is not received');
	});

	test("Google Ads: partial failure names each refused conversion's index (UNPARSEABLE_GCLID, NO_CONVERSION_ACTION_FOUND); a repeat is CLICK_CONVERSION_ALREADY_EXISTS; partialFailure false and 2,001 conversions are refused whole", async () => {
		const url = `${sb.urls.googleAds}/${pinnedApiVersion('google_ads')}/customers/${customer}:uploadClickConversions`;
		const headers = { authorization: `Bearer ${googleToken}`, 'developer-token': sb.credentials.googleAds.developerToken };
		const action = `customers/${customer}/conversionActions/42`;
		const c = (gclid: string, extra: Record<string, unknown> = {}) => ({ gclid, conversionAction: action, conversionDateTime: '2026-12-01 10:00:00+00:00', orderId: gclid, ...extra });
		const first = await post(url, { partialFailure: true, conversions: [c('Cj0KCQiAgoodclick01'), c('invalid-gclid-00000'), c('Cj0KCQiAgoodclick02', { conversionAction: 'customers/1/conversionActions/9' })] }, headers);
		assert.equal(first.status, 200);
		const results = first.body.results as Array<Record<string, unknown>>;
		assert.equal(results[0]!.gclid, 'Cj0KCQiAgoodclick01');
		assert.deepEqual(results.slice(1), [{}, {}]);
		const errors = ((first.body.partialFailureError as { details: Array<{ errors: Array<{ errorCode: Record<string, string>; location: { fieldPathElements: Array<{ index?: number }> } }> }> }).details[0]!.errors);
		assert.deepEqual(errors.map((e) => [Object.values(e.errorCode)[0], e.location.fieldPathElements[0]!.index]), [['UNPARSEABLE_GCLID', 1], ['NO_CONVERSION_ACTION_FOUND', 2]]);
		const again = await post(url, { partialFailure: true, conversions: [c('Cj0KCQiAgoodclick01')] }, headers);
		const e = (again.body.partialFailureError as { details: Array<{ errors: Array<{ errorCode: Record<string, string> }> }> }).details[0]!.errors[0]!;
		assert.equal(e.errorCode.conversionUploadError, 'CLICK_CONVERSION_ALREADY_EXISTS');
		assert.deepEqual(conversionReceipts(sb.world, 'google_ads').filter((r) => r.eventId === 'Cj0KCQiAgoodclick01').map((r) => r.counted), [true, false]);
		const whole = await post(url, { partialFailure: false, conversions: [c('Cj0KCQiAgoodclick03')] }, headers);
		assert.equal(whole.status, 400);
		const many = await post(url, { partialFailure: true, conversions: Array.from({ length: 2001 }, (_, i) => c(`Cj0KCQiAmany${String(i).padStart(6, '0')}`)) }, headers);
		assert.equal(many.status, 400);
		assert.match(JSON.stringify(many.body), /TOO_MANY_CONVERSIONS_IN_REQUEST/);
	});

	test('LinkedIn: BATCH_CREATE answers one status per element (201, or 400 naming the field); without the method header the batch is refused; a repeated eventId is not counted', async () => {
		const url = `${sb.urls.linkedin}/rest/conversionEvents`;
		const headers = { authorization: `Bearer ${sb.credentials.linkedin.accessToken}`, 'linkedin-version': pinnedApiVersion('linkedin'), 'x-restli-protocol-version': '2.0.0' };
		const el = (id: string, userIds: unknown[] = [{ idType: 'SHA256_EMAIL', idValue: HEX }]) => ({ conversion: 'urn:lla:llaPartnerConversion:77', conversionHappenedAt: sb.now() - 60_000, eventId: id, user: { userIds } });
		const r = await post(url, { elements: [el('l1'), el('l2', [])] }, { ...headers, 'x-restli-method': 'BATCH_CREATE' });
		assert.equal(r.status, 200);
		const elements = r.body.elements as Array<{ status: number; error?: { message: string } }>;
		assert.equal(elements[0]!.status, 201);
		assert.equal(elements[1]!.status, 400);
		assert.match(elements[1]!.error!.message, /\/user\/userIds/);
		assert.equal((await post(url, { elements: [el('l3')] }, headers)).status, 400);
		await post(url, { elements: [el('l1')] }, { ...headers, 'x-restli-method': 'BATCH_CREATE' });
		assert.deepEqual(conversionReceipts(sb.world, 'linkedin').filter((x) => x.eventId === 'l1').map((x) => x.counted), [true, false]);
	});

	test('TikTok: code 0 takes the batch; an event without a user key refuses it with 40002 naming the field; a repeated event_id is not counted', async () => {
		const url = `${sb.urls.tiktok}/open_api/${pinnedApiVersion('tiktok')}/event/track/`;
		const headers = { 'access-token': sb.credentials.tiktok.accessToken };
		const ev = (id: string, user: Record<string, string> = { email: HEX }) => ({ event: 'CompletePayment', event_time: nowS() - 60, event_id: id, user });
		const ok = await post(url, { event_source: 'web', event_source_id: 'CPIXELTEST01', data: [ev('t1')] }, headers);
		assert.equal(ok.body.code, 0);
		const bad = await post(url, { event_source: 'web', event_source_id: 'CPIXELTEST01', data: [ev('t2'), ev('t3', {})] }, headers);
		assert.equal(bad.status, 200);
		assert.equal(bad.body.code, 40002);
		assert.match(String(bad.body.message), /data\[1\]\.user/);
		await post(url, { event_source: 'web', event_source_id: 'CPIXELTEST01', data: [ev('t1')] }, headers);
		assert.deepEqual(conversionReceipts(sb.world, 'tiktok').filter((x) => x.eventId === 't1').map((x) => x.counted), [true, false]);
		assert.equal(conversionReceipts(sb.world, 'tiktok').filter((x) => x.eventId === 't2').length, 0);
	});
});
