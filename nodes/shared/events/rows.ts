/**
 * Row schemas of the first-party event tables (migration
 * 20250617000000_marketing_events.sql), registered in schema/rows.ts
 * (rowSchemas) and store/tables.ts. Personal identifiers exist here only as
 * SHA-256 digests of their normalised form (identity.ts); no column takes a
 * raw e-mail address or phone number.
 */
import { z } from 'zod';
import { PLATFORM_DEFINITIONS, type PlatformId } from '../platforms/registry';

export const EVENT_TYPES = ['impression', 'click', 'lead', 'purchase', 'custom'] as const;
export type EventType = (typeof EVENT_TYPES)[number];
/** The event types that are conversions (the send-back's default and what the rules' first-party metrics count). */
export const CONVERSION_EVENT_TYPES: readonly EventType[] = ['lead', 'purchase'];

/** The click ids the platforms put on landing-page URLs. */
export const CLICK_ID_FIELDS = ['gclid', 'fbclid', 'li_fat_id', 'ttclid'] as const;
export type ClickIdField = (typeof CLICK_ID_FIELDS)[number];
/** The platform whose ads put each click id on the URL (the registry's `clickId`). */
export const CLICK_ID_PLATFORM = Object.fromEntries(
	CLICK_ID_FIELDS.map((field) => {
		const platform = PLATFORM_DEFINITIONS.find((p) => p.clickId === field);
		if (!platform) throw new Error(`no platform in the registry adds the click id ${field}`);
		return [field, platform.id];
	}),
) as Record<ClickIdField, PlatformId>;

export const UTM_FIELDS = ['source', 'medium', 'campaign', 'term', 'content'] as const;

/** Consent signals (Google Consent Mode v2 names); null = not given. */
export const CONSENT_FIELDS = ['ad_storage', 'ad_user_data', 'ad_personalization', 'analytics'] as const;

const digest = z.string().regex(/^[0-9a-f]{64}$/, 'must be a lower-case hex SHA-256 digest');
const text = z.string().nullable().default(null);
const flag = z.boolean().nullable().default(null);

export const marketingEventRow = z
	.object({
		source: z.string().min(1),
		event_id: z.string().min(1).max(200),
		event_type: z.enum(EVENT_TYPES),
		event_name: text,
		event_time: z.string().datetime({ offset: true }),
		value: z.number().finite().nonnegative().nullable().default(null),
		currency: z.string().regex(/^[A-Z]{3}$/).nullable().default(null),
		platform: text,
		campaign_id: text,
		external_id_sha256: digest.nullable().default(null),
		email_sha256: digest.nullable().default(null),
		/** Digits with country code (Meta, TikTok, LinkedIn). */
		phone_sha256: digest.nullable().default(null),
		/** E.164 with the leading + (Google Ads enhanced conversions). */
		phone_e164_sha256: digest.nullable().default(null),
		gclid: text,
		fbclid: text,
		li_fat_id: text,
		ttclid: text,
		utm_source: text,
		utm_medium: text,
		utm_campaign: text,
		utm_term: text,
		utm_content: text,
		consent_ad_storage: flag,
		consent_ad_user_data: flag,
		consent_ad_personalization: flag,
		consent_analytics: flag,
		received_at: z.string().datetime({ offset: true }),
	})
	.strict();

export const eventQuarantineRow = z
	.object({
		source: z.string().min(1),
		/** The event's id when it had a usable one. */
		event_id: text,
		reason: z.string().min(1),
		/** The event's known fields with identifiers hashed or removed (ingest.ts `safePayload`). */
		payload: z.record(z.unknown()),
		/** SHA-256 of the event as posted: the same bad event posted twice is kept once. */
		content_hash: digest,
		received_at: z.string().datetime({ offset: true }),
	})
	.strict();

export const MARKETING_EVENT_COLUMNS = {
	id: 'uuid',
	source: 'text',
	event_id: 'text',
	event_type: 'text',
	event_name: 'text',
	event_time: 'timestamptz',
	value: 'numeric',
	currency: 'text',
	platform: 'text',
	campaign_id: 'text',
	external_id_sha256: 'text',
	email_sha256: 'text',
	phone_sha256: 'text',
	phone_e164_sha256: 'text',
	gclid: 'text',
	fbclid: 'text',
	li_fat_id: 'text',
	ttclid: 'text',
	utm_source: 'text',
	utm_medium: 'text',
	utm_campaign: 'text',
	utm_term: 'text',
	utm_content: 'text',
	consent_ad_storage: 'boolean',
	consent_ad_user_data: 'boolean',
	consent_ad_personalization: 'boolean',
	consent_analytics: 'boolean',
	received_at: 'timestamptz',
	created_at: 'timestamptz',
} as const;
export const MARKETING_EVENT_NATURAL_KEY = ['source', 'event_id'] as const;

export const EVENT_QUARANTINE_COLUMNS = {
	id: 'uuid',
	source: 'text',
	event_id: 'text',
	reason: 'text',
	payload: 'jsonb',
	content_hash: 'text',
	received_at: 'timestamptz',
	created_at: 'timestamptz',
} as const;
export const EVENT_QUARANTINE_NATURAL_KEY = ['source', 'content_hash'] as const;
