/**
 * Meta Conversions API (send-back, nodes/shared/conversions): `POST /{version}/{pixel_id}/events` with
 * `data[]` (at most 1,000 events) of server events: event_name, event_time (unix seconds; Meta refuses
 * a request holding an event more than 7 days old), event_id (Meta keeps the first of the same
 * event_name + event_id within 48 h), action_source `website`, user_data {em, ph, external_id: SHA-256
 * digests as arrays; fbc `fb.1.<ms>.<fbclid>`}, custom_data {value, currency}. Meta answers for the
 * request as a whole ({events_received}); one bad event refuses all of them.
 */
import type { ConversionModule } from '../conversions/clients';
import { postOnce } from '../conversions/clients';
import { allAccepted, eventName, money, unixSeconds, type EventRow } from '../conversions/payloads';
import type { PlatformSettings } from './factory';
import type { ErrorInterpreter } from './http';
import { appSecretProof, interpretMetaError, metaSecrets, metaTransport } from './meta';
import { pinnedApiVersion, PLATFORM_REGISTRY } from './registry';
import { PlatformApiError } from '../resilience/errors';

const META = PLATFORM_REGISTRY.meta.id;
const STANDARD: Record<string, string> = { purchase: 'Purchase', lead: 'Lead' };

export function metaConversionsBody(events: readonly EventRow[]): { data: Array<Record<string, unknown>> } {
	return {
		data: events.map((e) => {
			const user: Record<string, unknown> = {};
			if (e.email_sha256) user.em = [e.email_sha256];
			if (e.phone_sha256) user.ph = [e.phone_sha256];
			if (e.external_id_sha256) user.external_id = [e.external_id_sha256];
			if (e.fbclid) user.fbc = `fb.1.${Date.parse(e.event_time)}.${e.fbclid}`;
			const m = money(e);
			return { event_name: eventName(e, STANDARD), event_time: unixSeconds(e.event_time), event_id: e.event_id, action_source: 'website', user_data: user, ...(m ? { custom_data: m } : {}) };
		}),
	};
}

export const metaConversions: ConversionModule = {
	platform: META,
	create(settings, options) {
		const s = settings as Extract<PlatformSettings, { platform: typeof META }>;
		const version = s.apiVersion || pinnedApiVersion(META);
		const interpret: ErrorInterpreter = (status, body, headers, context) => interpretMetaError(status, body, headers, context, version);
		// the adapter's one proof (meta.ts appSecretProof), redacted from logs and errors like the token and the secret
		const appsecretProof = s.appSecret ? appSecretProof(s.accessToken, s.appSecret) : undefined;
		// the adapter's transport: Meta's usage headers slow the next batch as they slow the adapter's calls
		const http = metaTransport({ ...options, baseUrl: s.baseUrl }, interpret, metaSecrets(s.accessToken, s.appSecret, appsecretProof));
		const proof = appsecretProof ? { appsecret_proof: appsecretProof } : {};
		return {
			platform: META,
			async send(pixelId, events) {
				const data = await postOnce<{ events_received?: number }>(http, { call: 'send conversions', accountId: `pixel ${pixelId}` }, { url: `/${version}/${pixelId}/events`, data: { ...metaConversionsBody(events), access_token: s.accessToken, ...proof } });
				if (data.events_received !== events.length) {
					throw new PlatformApiError({ platform: META, call: 'send conversions', kind: 'malformed_response', platformMessage: `Meta said it received ${String(data.events_received)} of ${events.length} events`, retryable: false, hint: 'Meta took part of the batch: check Events Manager for these event ids' });
				}
				return allAccepted(events, `Meta received the batch of ${events.length}`);
			},
		};
	},
};
