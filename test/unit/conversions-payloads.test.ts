/**
 * The send-back's pure parts (nodes/shared/conversions): each platform's request body from a stored event
 * (hashed identifiers only, the click id where the platform takes it), Google's partial failure read back
 * per conversion, LinkedIn's per-element statuses, and which events may go where (consent, type, age,
 * something the platform matches on).
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, test } from 'vitest';
import { batchKey, ineligibleReason } from '../../nodes/shared/conversions/send';
import type { EventRow } from '../../nodes/shared/conversions/payloads';
import { googleConversionResults as googleResults, googleConversionsBody as googleBody, googleDateTime } from '../../nodes/shared/platforms/google-ads-conversions';
import { linkedinConversionResults as linkedinResults, linkedinConversionsBody as linkedinBody } from '../../nodes/shared/platforms/linkedin-conversions';
import { metaConversionsBody as metaBody } from '../../nodes/shared/platforms/meta-conversions';
import { tiktokConversionsBody as tiktokBody } from '../../nodes/shared/platforms/tiktok-conversions';
import { PLATFORM_REGISTRY } from '../../nodes/shared/platforms/registry';

const sha = (s: string) => createHash('sha256').update(s).digest('hex');
const NOW = new Date('2026-12-07T12:00:00.000Z');

function event(over: Partial<EventRow> = {}): EventRow {
	return {
		id: '00000000-0000-4000-8000-000000000001',
		source: 'web',
		event_id: 'order-1001',
		event_type: 'purchase',
		event_name: null,
		event_time: '2026-12-07T09:30:15.000Z',
		value: 49.9,
		currency: 'EUR',
		platform: null,
		campaign_id: null,
		external_id_sha256: null,
		email_sha256: sha('ana@example.com'),
		phone_sha256: sha('4915123456789'),
		phone_e164_sha256: sha('+4915123456789'),
		gclid: 'Cj0KCQiA1234567890abc',
		fbclid: 'IwAR0abc',
		li_fat_id: 'a1b2c3d4-li',
		ttclid: 'E.C.P.xyz',
		utm_source: null,
		utm_medium: null,
		utm_campaign: null,
		utm_term: null,
		utm_content: null,
		consent_ad_storage: true,
		consent_ad_user_data: true,
		consent_ad_personalization: null,
		consent_analytics: true,
		received_at: '2026-12-07T09:30:16.000Z',
		created_at: '2026-12-07T09:30:16.000Z',
		...over,
	} as EventRow;
}

describe('conversion request bodies', () => {
	test("Meta: Purchase with event_id for dedupe, hashed em/ph as arrays, fbc from the fbclid with the event's time in ms, value and currency", () => {
		const [d] = metaBody([event()]).data;
		assert.deepEqual(d, {
			event_name: 'Purchase',
			event_time: Math.floor(Date.parse('2026-12-07T09:30:15.000Z') / 1000),
			event_id: 'order-1001',
			action_source: 'website',
			user_data: { em: [sha('ana@example.com')], ph: [sha('4915123456789')], fbc: `fb.1.${Date.parse('2026-12-07T09:30:15.000Z')}.IwAR0abc` },
			custom_data: { value: 49.9, currency: 'EUR' },
		});
		assert.equal(metaBody([event({ event_type: 'custom', event_name: 'StartTrial', value: null })]).data[0]!.event_name, 'StartTrial');
	});

	test("Google: gclid, the action, 'yyyy-mm-dd hh:mm:ss+00:00', order_id = event id, enhanced conversions' hashed e-mail and E.164 phone, partialFailure", () => {
		assert.equal(googleDateTime('2026-12-07T09:30:15.000Z'), '2026-12-07 09:30:15+00:00');
		const body = googleBody('customers/1234567890/conversionActions/555', [event()]);
		assert.equal(body.partialFailure, true);
		assert.deepEqual(body.conversions[0], {
			gclid: 'Cj0KCQiA1234567890abc',
			conversionAction: 'customers/1234567890/conversionActions/555',
			conversionDateTime: '2026-12-07 09:30:15+00:00',
			orderId: 'order-1001',
			conversionValue: 49.9,
			currencyCode: 'EUR',
			userIdentifiers: [{ hashedEmail: sha('ana@example.com') }, { hashedPhoneNumber: sha('+4915123456789') }],
			consent: { adUserData: 'GRANTED' },
		});
	});

	test('LinkedIn: the rule URN, ms, eventId, SHA256_EMAIL and the li_fat_id as LINKEDIN_FIRST_PARTY_ADS_TRACKING_UUID; TikTok: CompletePayment with event_id and ttclid', () => {
		const [l] = linkedinBody('urn:lla:llaPartnerConversion:42', [event()]).elements;
		assert.deepEqual(l, {
			conversion: 'urn:lla:llaPartnerConversion:42',
			conversionHappenedAt: Date.parse('2026-12-07T09:30:15.000Z'),
			eventId: 'order-1001',
			conversionValue: { currencyCode: 'EUR', amount: '49.9' },
			user: { userIds: [{ idType: 'SHA256_EMAIL', idValue: sha('ana@example.com') }, { idType: 'LINKEDIN_FIRST_PARTY_ADS_TRACKING_UUID', idValue: 'a1b2c3d4-li' }] },
		});
		const t = tiktokBody('CPIXEL0000001', [event({ event_type: 'lead', value: null })]);
		assert.equal(t.event_source, 'web');
		assert.equal(t.event_source_id, 'CPIXEL0000001');
		assert.deepEqual(t.data[0], { event: 'SubmitForm', event_time: Math.floor(Date.parse('2026-12-07T09:30:15.000Z') / 1000), event_id: 'order-1001', user: { email: sha('ana@example.com'), phone: sha('4915123456789'), ttclid: 'E.C.P.xyz' } });
	});

	test("Google's answer per conversion: a result is accepted, the partial failure's index rejected with its code and words, CLICK_CONVERSION_ALREADY_EXISTS accepted (already there)", () => {
		const events = [event({ event_id: 'a' }), event({ event_id: 'b' }), event({ event_id: 'c' })];
		const body = {
			results: [{ gclid: 'x' }, {}, {}],
			partialFailureError: { code: 3, details: [{ errors: [
				{ errorCode: { conversionUploadError: 'UNPARSEABLE_GCLID' }, message: 'The click ID could not be decoded.', location: { fieldPathElements: [{ fieldName: 'conversions', index: 1 }, { fieldName: 'gclid' }] } },
				{ errorCode: { conversionUploadError: 'CLICK_CONVERSION_ALREADY_EXISTS' }, message: 'already', location: { fieldPathElements: [{ fieldName: 'conversions', index: 2 }] } },
			] }] },
		};
		const r = googleResults(events, body);
		assert.deepEqual(r.map((x) => [x.eventId, x.status, x.code ?? null]), [['a', 'accepted', null], ['b', 'rejected', 'UNPARSEABLE_GCLID'], ['c', 'accepted', 'CLICK_CONVERSION_ALREADY_EXISTS']]);
		assert.equal(r[1]!.reason, 'The click ID could not be decoded.');
		const l = linkedinResults(events.slice(0, 2), { elements: [{ status: 201 }, { status: 400, error: { message: '/user/userIds: required', code: 'ILLEGAL_ARGUMENT' } }] });
		assert.deepEqual(l.map((x) => [x.status, x.code ?? null]), [['accepted', null], ['rejected', 'ILLEGAL_ARGUMENT']]);
	});
});

describe('which events go where', () => {
	const rule = (p: 'meta' | 'google_ads' | 'linkedin' | 'tiktok') => PLATFORM_REGISTRY[p].conversions!;
	test('consent: both ad_user_data and ad_storage must be true; null (not given) and false are never sent', () => {
		for (const over of [{ consent_ad_user_data: false }, { consent_ad_user_data: null }, { consent_ad_storage: null }, { consent_ad_storage: false }]) {
			for (const p of ['meta', 'google_ads', 'linkedin', 'tiktok'] as const) assert.equal(ineligibleReason(event(over), p, rule(p), NOW), 'consent', `${p} ${JSON.stringify(over)}`);
		}
		assert.equal(ineligibleReason(event(), 'meta', rule('meta'), NOW), null);
	});
	test('type, age (Meta 7 days, Google 90), a future time, and what each platform matches on', () => {
		assert.equal(ineligibleReason(event({ event_type: 'click' }), 'meta', rule('meta'), NOW), 'type');
		const old = event({ event_time: '2026-11-29T12:00:00.000Z' });
		assert.equal(ineligibleReason(old, 'meta', rule('meta'), NOW), 'age');
		assert.equal(ineligibleReason(old, 'google_ads', rule('google_ads'), NOW), null);
		assert.equal(ineligibleReason(event({ event_time: '2026-12-08T00:00:00.000Z' }), 'meta', rule('meta'), NOW), 'age');
		assert.equal(ineligibleReason(event({ gclid: null }), 'google_ads', rule('google_ads'), NOW), 'identifier', 'Google click conversions need the gclid');
		const bare = { email_sha256: null, phone_sha256: null, phone_e164_sha256: null, external_id_sha256: null, fbclid: null, li_fat_id: null, ttclid: null, gclid: null };
		for (const p of ['meta', 'linkedin', 'tiktok'] as const) assert.equal(ineligibleReason(event(bare), p, rule(p), NOW), 'identifier', p);
		assert.equal(ineligibleReason(event({ ...bare, li_fat_id: 'x' }), 'linkedin', rule('linkedin'), NOW), null);
		assert.equal(ineligibleReason(event({ ...bare, phone_sha256: sha('1') }), 'linkedin', rule('linkedin'), NOW), 'identifier', 'LinkedIn matches on hashed e-mail, not phone');
		assert.equal(ineligibleReason(event({ ...bare, phone_sha256: sha('1') }), 'tiktok', rule('tiktok'), NOW), null);
	});
	test("a batch's ledger key depends on its events, not their order", () => {
		const a = [{ source: 'web', event_id: '1' }, { source: 'web', event_id: '2' }];
		assert.equal(batchKey('meta', '123456', a), batchKey('meta', '123456', [...a].reverse()));
		assert.notEqual(batchKey('meta', '123456', a), batchKey('meta', '123456', a.slice(0, 1)));
		assert.notEqual(batchKey('meta', '123456', a), batchKey('meta', '654321', a));
	});
});
