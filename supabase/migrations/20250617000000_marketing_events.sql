-- First-party marketing events (issue 22, item 1): what the AdOps Events
-- Trigger receives (nodes/shared/events/ingest.ts), stored once per event id
-- and source, and the events it could not accept, with the reason.
--
-- Privacy: personal identifiers are normalised and SHA-256 hashed before they
-- reach the database (nodes/shared/events/identity.ts): e-mail trimmed and
-- lower-cased; phone as digits with country code (phone_sha256: Meta, TikTok,
-- LinkedIn) and as E.164 with the + (phone_e164_sha256: Google Ads); the
-- caller's own user id as external_id_sha256. No column holds a raw e-mail
-- address or phone number; the digest columns accept nothing but 64 lower-case
-- hex characters. event_quarantine.payload keeps only the event's known
-- fields, identifiers hashed or removed.
--
-- Runs unchanged on PostgreSQL 15+, PGlite and Supabase; no schema prefix
-- (the migration runner places objects via search_path).

CREATE TABLE marketing_events (
	id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	source text NOT NULL CHECK (source <> ''),
	event_id text NOT NULL CHECK (event_id <> '' AND length(event_id) <= 200),
	event_type text NOT NULL CHECK (event_type IN ('impression', 'click', 'lead', 'purchase', 'custom')),
	event_name text,
	event_time timestamptz NOT NULL,
	value numeric CHECK (value >= 0),
	currency text CHECK (currency ~ '^[A-Z]{3}$'),
	platform text,
	campaign_id text,
	external_id_sha256 text CHECK (external_id_sha256 ~ '^[0-9a-f]{64}$'),
	email_sha256 text CHECK (email_sha256 ~ '^[0-9a-f]{64}$'),
	phone_sha256 text CHECK (phone_sha256 ~ '^[0-9a-f]{64}$'),
	phone_e164_sha256 text CHECK (phone_e164_sha256 ~ '^[0-9a-f]{64}$'),
	gclid text,
	fbclid text,
	li_fat_id text,
	ttclid text,
	utm_source text,
	utm_medium text,
	utm_campaign text,
	utm_term text,
	utm_content text,
	consent_ad_storage boolean,
	consent_ad_user_data boolean,
	consent_ad_personalization boolean,
	consent_analytics boolean,
	received_at timestamptz NOT NULL DEFAULT now(),
	created_at timestamptz NOT NULL DEFAULT now(),
	CONSTRAINT marketing_events_source_event_id_key UNIQUE (source, event_id)
);

CREATE INDEX idx_marketing_events_time ON marketing_events (event_time);
CREATE INDEX idx_marketing_events_external_id ON marketing_events (external_id_sha256) WHERE external_id_sha256 IS NOT NULL;
CREATE INDEX idx_marketing_events_email ON marketing_events (email_sha256) WHERE email_sha256 IS NOT NULL;
CREATE INDEX idx_marketing_events_gclid ON marketing_events (gclid) WHERE gclid IS NOT NULL;
CREATE INDEX idx_marketing_events_fbclid ON marketing_events (fbclid) WHERE fbclid IS NOT NULL;

ALTER TABLE marketing_events ENABLE ROW LEVEL SECURITY;

CREATE TABLE event_quarantine (
	id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	source text NOT NULL CHECK (source <> ''),
	event_id text,
	reason text NOT NULL CHECK (reason <> ''),
	payload jsonb NOT NULL,
	content_hash text NOT NULL CHECK (content_hash ~ '^[0-9a-f]{64}$'),
	received_at timestamptz NOT NULL DEFAULT now(),
	created_at timestamptz NOT NULL DEFAULT now(),
	CONSTRAINT event_quarantine_source_content_hash_key UNIQUE (source, content_hash)
);

CREATE INDEX idx_event_quarantine_received ON event_quarantine (received_at);

ALTER TABLE event_quarantine ENABLE ROW LEVEL SECURITY;
