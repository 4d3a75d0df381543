-- Conversions sent back to the platforms (issue 22, item 3): one row per
-- first-party event, platform and destination (a Meta pixel, a Google Ads
-- conversion action, a LinkedIn conversion rule, a TikTok pixel), written by
-- nodes/shared/conversions/send.ts. The row is the event's claim: it is
-- written `pending` with its batch's ledger key (action_ledger, kind
-- `conversions.send`) in the same transaction as the claim, before the
-- request, and settled with the platform's answer for that event:
--   accepted   the platform took it (Google: a result; LinkedIn: 201; Meta and
--              TikTok: the whole request was taken)
--   rejected   the platform refused this event (reason: its own words and code);
--              not sent again
--   failed     the request was refused whole before any effect (429 after the
--              retries, auth, a bad request): picked again by the next run
--   unknown    the answer was lost or late: sent again with the same ids only
--              within the platform's dedupe window (registry `conversions`)
--   held       unknown past that window: left for a person, never resent
-- No identifier is stored here: the payload is rebuilt from marketing_events.
--
-- Runs unchanged on PostgreSQL 15+, PGlite and Supabase; no schema prefix.

CREATE TABLE conversion_uploads (
	id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	platform text NOT NULL CHECK (platform <> ''),
	destination text NOT NULL CHECK (destination <> ''),
	source text NOT NULL CHECK (source <> ''),
	event_id text NOT NULL CHECK (event_id <> ''),
	batch_key text NOT NULL CHECK (batch_key <> ''),
	status text NOT NULL CHECK (status IN ('pending', 'accepted', 'rejected', 'failed', 'unknown', 'held')),
	reason text,
	reason_code text,
	attempts integer NOT NULL DEFAULT 1 CHECK (attempts >= 1),
	first_sent_at timestamptz NOT NULL,
	settled_at timestamptz,
	created_at timestamptz NOT NULL DEFAULT now(),
	updated_at timestamptz NOT NULL DEFAULT now(),
	CONSTRAINT conversion_uploads_key UNIQUE (platform, destination, source, event_id)
);

CREATE INDEX idx_conversion_uploads_batch ON conversion_uploads (batch_key);
CREATE INDEX idx_conversion_uploads_open ON conversion_uploads (platform, status) WHERE status IN ('pending', 'failed', 'unknown');

CREATE TRIGGER trg_conversion_uploads_updated_at BEFORE UPDATE ON conversion_uploads FOR EACH ROW EXECUTE FUNCTION adops_touch_updated_at();

ALTER TABLE conversion_uploads ENABLE ROW LEVEL SECURITY;
