/**
 * LinkedIn Conversions API (send-back, nodes/shared/conversions): `POST /rest/conversionEvents` with
 * `X-RestLi-Method: BATCH_CREATE` and elements[] (at most 5,000) of {conversion (the conversion rule
 * URN), conversionHappenedAt (ms), conversionValue {currencyCode, amount}, eventId (LinkedIn drops an
 * event with an eventId it has), user.userIds [SHA256_EMAIL, LINKEDIN_FIRST_PARTY_ADS_TRACKING_UUID
 * (the li_fat_id click id)]}. LinkedIn answers one status per element (201 created, else an error).
 */
import type { ConversionModule } from '../conversions/clients';
import { postOnce } from '../conversions/clients';
import { money, type EventResult, type EventRow } from '../conversions/payloads';
import type { PlatformSettings } from './factory';
import { HttpTransport, type ErrorInterpreter } from './http';
import { interpretLinkedInError, LINKEDIN_DEFAULT_BASE_URL } from './linkedin';
import { pinnedApiVersion, PLATFORM_REGISTRY } from './registry';

const LINKEDIN = PLATFORM_REGISTRY.linkedin.id;

export function linkedinConversionsBody(conversionUrn: string, events: readonly EventRow[]): { elements: Array<Record<string, unknown>> } {
	return {
		elements: events.map((e) => {
			const userIds: Array<{ idType: string; idValue: string }> = [];
			if (e.email_sha256) userIds.push({ idType: 'SHA256_EMAIL', idValue: e.email_sha256 });
			if (e.li_fat_id) userIds.push({ idType: 'LINKEDIN_FIRST_PARTY_ADS_TRACKING_UUID', idValue: e.li_fat_id });
			const m = money(e);
			return {
				conversion: conversionUrn,
				conversionHappenedAt: Date.parse(e.event_time),
				eventId: e.event_id,
				...(m ? { conversionValue: { currencyCode: m.currency, amount: String(m.value) } } : {}),
				user: { userIds },
			};
		}),
	};
}

/** LinkedIn's BATCH_CREATE answer: one element per sent element, 201 when created. */
export function linkedinConversionResults(events: readonly EventRow[], body: unknown): EventResult[] {
	const elements = ((body ?? {}) as { elements?: Array<{ status?: number; error?: { message?: string; code?: string } }> }).elements ?? [];
	return events.map((e, i) => {
		const el = elements[i];
		if (el && (el.status === 201 || el.status === 200)) return { source: e.source, eventId: e.event_id, status: 'accepted', reason: 'LinkedIn created the conversion event' };
		const code = el?.error?.code ?? (el?.status !== undefined ? String(el.status) : 'NO_STATUS');
		return { source: e.source, eventId: e.event_id, status: 'rejected', reason: el?.error?.message ?? 'LinkedIn answered no status for this element', code };
	});
}

export const linkedinConversions: ConversionModule = {
	platform: LINKEDIN,
	create(settings, options) {
		const s = settings as Extract<PlatformSettings, { platform: typeof LINKEDIN }>;
		const version = s.linkedInVersion || pinnedApiVersion(LINKEDIN);
		const interpret: ErrorInterpreter = (status, body, headers, context) => interpretLinkedInError(status, body, headers, context, version);
		const http = new HttpTransport(LINKEDIN, { ...options, baseUrl: s.baseUrl, defaultBaseUrl: LINKEDIN_DEFAULT_BASE_URL, headers: { Authorization: `Bearer ${s.accessToken}`, 'LinkedIn-Version': version, 'X-Restli-Protocol-Version': '2.0.0' } }, interpret, () => [s.accessToken]);
		return {
			platform: LINKEDIN,
			async send(conversionUrn, events) {
				const data = await postOnce<unknown>(http, { call: 'send conversion events', accountId: conversionUrn }, { url: '/rest/conversionEvents', data: linkedinConversionsBody(conversionUrn, events), headers: { 'X-RestLi-Method': 'BATCH_CREATE' } });
				return linkedinConversionResults(events, data);
			},
		};
	},
};
