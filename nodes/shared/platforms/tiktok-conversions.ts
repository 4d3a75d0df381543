/**
 * TikTok Events API 2.0 (send-back, nodes/shared/conversions): `POST /open_api/v1.3/event/track/` with
 * event_source `web`, event_source_id (the pixel code) and data[] (at most 1,000) of {event,
 * event_time (unix seconds), event_id (TikTok keeps the first of the same event + event_id within
 * 48 h), user {email, phone, external_id: SHA-256 digests; ttclid}, properties {value, currency}}.
 * TikTok answers HTTP 200 with `code`: 0 takes the request whole; anything else refuses it (40100
 * throttled, 40002 a bad field, 5xxxx its own server errors).
 */
import type { ConversionModule } from '../conversions/clients';
import { postOnce } from '../conversions/clients';
import { allAccepted, eventName, money, unixSeconds, type EventRow } from '../conversions/payloads';
import type { CallContext } from '../resilience/call-policy';
import { PlatformApiError } from '../resilience/errors';
import type { PlatformSettings } from './factory';
import { HttpTransport } from './http';
import { pinnedApiVersion, PLATFORM_REGISTRY } from './registry';
import { interpretTikTokCode, interpretTikTokError, TIKTOK_DEFAULT_BASE_URL } from './tiktok';

const TIKTOK = PLATFORM_REGISTRY.tiktok.id;
const STANDARD: Record<string, string> = { purchase: 'CompletePayment', lead: 'SubmitForm' };

export function tiktokConversionsBody(pixelCode: string, events: readonly EventRow[]): { event_source: 'web'; event_source_id: string; data: Array<Record<string, unknown>> } {
	return {
		event_source: 'web',
		event_source_id: pixelCode,
		data: events.map((e) => {
			const user: Record<string, string> = {};
			if (e.email_sha256) user.email = e.email_sha256;
			if (e.phone_sha256) user.phone = e.phone_sha256;
			if (e.external_id_sha256) user.external_id = e.external_id_sha256;
			if (e.ttclid) user.ttclid = e.ttclid;
			const m = money(e);
			return { event: eventName(e, STANDARD), event_time: unixSeconds(e.event_time), event_id: e.event_id, user, ...(m ? { properties: m } : {}) };
		}),
	};
}

export const tiktokConversions: ConversionModule = {
	platform: TIKTOK,
	create(settings, options) {
		const s = settings as Extract<PlatformSettings, { platform: typeof TIKTOK }>;
		const version = s.apiVersion || pinnedApiVersion(TIKTOK);
		const http = new HttpTransport(TIKTOK, { ...options, baseUrl: s.baseUrl, defaultBaseUrl: TIKTOK_DEFAULT_BASE_URL, headers: { 'Access-Token': s.accessToken } }, interpretTikTokError, () => [s.accessToken]);
		return {
			platform: TIKTOK,
			async send(pixelCode, events) {
				const context: CallContext = { call: 'send events', accountId: `pixel ${pixelCode}` };
				await postOnce<unknown>(http, context, { url: `/open_api/${version}/event/track/`, data: tiktokConversionsBody(pixelCode, events) }, (data) => {
					const b = data as { code?: unknown; message?: unknown; request_id?: unknown };
					const code = Number(b.code);
					if (code === 0) return undefined;
					const found = interpretTikTokCode(code, typeof b.message === 'string' ? b.message : undefined, context);
					return new PlatformApiError({ platform: TIKTOK, call: context.call, accountId: context.accountId, kind: found.kind, code, platformMessage: found.message, retryable: found.retryable, hint: found.hint ?? 'TikTok refused the events', ...(typeof b.request_id === 'string' ? { requestId: b.request_id } : {}) });
				});
				return allAccepted(events, `TikTok took the batch of ${events.length}`);
			},
		};
	},
};
