/**
 * Google Ads click conversions (send-back, nodes/shared/conversions):
 * `POST /{version}/customers/{id}:uploadClickConversions` with partialFailure true and conversions[]
 * (at most 2,000) of {gclid, conversionAction, conversionDateTime `yyyy-mm-dd hh:mm:ss+00:00`,
 * conversionValue, currencyCode, orderId (the event id), userIdentifiers [{hashedEmail},
 * {hashedPhoneNumber}] (enhanced conversions: one identifier each, SHA-256 of the normalised value,
 * the phone in E.164), consent}. With partial failure, results[i] is empty for a refused conversion and
 * partialFailureError's GoogleAdsFailure names index i; a repeat of an upload Google has is refused as
 * CLICK_CONVERSION_ALREADY_EXISTS or ORDER_ID_ALREADY_IN_USE, which here means "already there".
 * Access tokens come from the OAuth refresh-token grant (google-ads-rest.ts OAuthTokenSource).
 */
import type { ConversionModule } from '../conversions/clients';
import { postOnce } from '../conversions/clients';
import { money, type EventResult, type EventRow } from '../conversions/payloads';
import type { PlatformSettings } from './factory';
import { GOOGLE_ADS_API_BASE_URL, GOOGLE_OAUTH_TOKEN_URL, OAuthTokenSource } from './google-ads-rest';
import { HttpTransport, type ErrorInterpreter } from './http';
import { pinnedApiVersion, PLATFORM_REGISTRY } from './registry';

const GOOGLE = PLATFORM_REGISTRY.google_ads.id;

/** `2026-03-02 14:05:09+00:00`: Google's conversion_date_time, in UTC. */
export function googleDateTime(iso: string): string {
	return `${new Date(iso).toISOString().slice(0, 19).replace('T', ' ')}+00:00`;
}

export function googleConversionsBody(conversionAction: string, events: readonly EventRow[]): { conversions: Array<Record<string, unknown>>; partialFailure: true } {
	return {
		conversions: events.map((e) => {
			const ids: Array<Record<string, string>> = [];
			if (e.email_sha256) ids.push({ hashedEmail: e.email_sha256 });
			if (e.phone_e164_sha256) ids.push({ hashedPhoneNumber: e.phone_e164_sha256 });
			const m = money(e);
			return {
				gclid: e.gclid,
				conversionAction,
				conversionDateTime: googleDateTime(e.event_time),
				orderId: e.event_id,
				...(m ? { conversionValue: m.value, currencyCode: m.currency } : {}),
				...(ids.length ? { userIdentifiers: ids } : {}),
				consent: { adUserData: 'GRANTED', ...(e.consent_ad_personalization === null ? {} : { adPersonalization: e.consent_ad_personalization ? 'GRANTED' : 'DENIED' }) },
			};
		}),
		partialFailure: true,
	};
}

interface GoogleError {
	errorCode?: Record<string, string>;
	message?: string;
	location?: { fieldPathElements?: Array<{ fieldName?: string; index?: number }> };
}

/** Google's errors that say the conversion is already there: a repeat of an upload whose answer was lost. */
export const GOOGLE_ALREADY_THERE: ReadonlySet<string> = new Set(['CLICK_CONVERSION_ALREADY_EXISTS', 'ORDER_ID_ALREADY_IN_USE']);

/** uploadClickConversions' answer per conversion: a result, or the partial failure naming its index. */
export function googleConversionResults(events: readonly EventRow[], body: unknown): EventResult[] {
	const b = (body ?? {}) as { results?: unknown[]; partialFailureError?: { details?: Array<{ errors?: GoogleError[] }> } };
	const errors = new Map<number, GoogleError>();
	for (const detail of b.partialFailureError?.details ?? []) {
		for (const error of detail.errors ?? []) {
			const at = error.location?.fieldPathElements?.find((f) => f.fieldName === 'conversions')?.index;
			if (typeof at === 'number' && !errors.has(at)) errors.set(at, error);
		}
	}
	return events.map((e, i) => {
		const error = errors.get(i);
		if (!error) {
			const result = b.results?.[i];
			if (result && typeof result === 'object' && Object.keys(result).length > 0) return { source: e.source, eventId: e.event_id, status: 'accepted', reason: 'Google Ads returned the conversion' };
			return { source: e.source, eventId: e.event_id, status: 'rejected', reason: 'Google Ads returned neither a result nor an error for this conversion', code: 'NO_RESULT' };
		}
		const code = Object.values(error.errorCode ?? {})[0] ?? 'UNKNOWN';
		if (GOOGLE_ALREADY_THERE.has(code)) return { source: e.source, eventId: e.event_id, status: 'accepted', reason: `Google Ads already has it (${code}): an earlier upload of the same conversion arrived`, code };
		return { source: e.source, eventId: e.event_id, status: 'rejected', reason: error.message ?? code, code };
	});
}

/** Google's REST error body in our terms: the first error's code and message, the quota's retry delay. */
const interpretGoogle: ErrorInterpreter = (status, body) => {
	const error = (body as { error?: { message?: string; details?: Array<{ errors?: Array<{ errorCode?: Record<string, string>; message?: string; details?: { quotaErrorDetails?: { retryDelay?: string } } }> }> } } | undefined)?.error;
	const first = error?.details?.[0]?.errors?.[0];
	const delay = /^(\d+(?:\.\d+)?)s$/.exec(first?.details?.quotaErrorDetails?.retryDelay ?? '')?.[1];
	return {
		...(first?.errorCode ? { code: Object.values(first.errorCode)[0] } : {}),
		message: first?.message ?? error?.message,
		...(status === 429 ? { kind: 'rate_limited' as const, retryable: true } : {}),
		...(delay !== undefined ? { retryAfterMs: Number(delay) * 1000 } : {}),
	};
};

export const googleAdsConversions: ConversionModule = {
	platform: GOOGLE,
	create(settings, options) {
		const s = settings as Extract<PlatformSettings, { platform: typeof GOOGLE }>;
		const version = s.apiVersion || pinnedApiVersion(GOOGLE);
		const tokens = new OAuthTokenSource({ tokenUrl: s.tokenUrl || GOOGLE_OAUTH_TOKEN_URL, clientId: s.clientId, clientSecret: s.clientSecret, refreshToken: s.refreshToken });
		const http = new HttpTransport(GOOGLE, { ...options, baseUrl: s.apiBaseUrl, defaultBaseUrl: GOOGLE_ADS_API_BASE_URL }, interpretGoogle, () => [s.clientSecret, s.refreshToken, s.developerToken]);
		return {
			platform: GOOGLE,
			async send(conversionAction, events) {
				const customerId = /^customers\/(\d+)\//.exec(conversionAction)?.[1] ?? '';
				const { token } = await tokens.get();
				const headers: Record<string, string> = { Authorization: `Bearer ${token}`, 'developer-token': s.developerToken, ...(s.loginCustomerId ? { 'login-customer-id': s.loginCustomerId.replace(/-/g, '') } : {}) };
				const data = await postOnce<unknown>(http, { call: 'upload click conversions', accountId: customerId }, { url: `/${version}/customers/${customerId}:uploadClickConversions`, data: googleConversionsBody(conversionAction, events), headers });
				return googleConversionResults(events, data);
			},
		};
	},
};
