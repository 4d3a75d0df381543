-- Ingest follow-ups: quarantine de-duplication in the database, a table for
-- data quality reports, and the remaining per-run counters.
--
-- Runs unchanged on PostgreSQL 15+, PGlite and Supabase; no schema prefix
-- (the migration runner places objects via search_path).

-- ---------------------------------------------------------------------------
-- Quarantine: content hash, unique per source
-- ---------------------------------------------------------------------------

-- sha256 (hex) of the record's canonical content, computed by the writer.
-- NULL for records written before this migration and for writers that do not
-- de-duplicate; NULLs never conflict, so those rows stay plain inserts.
ALTER TABLE quarantine ADD COLUMN content_hash text CHECK (content_hash ~ '^[0-9a-f]{64}$');
ALTER TABLE quarantine ADD CONSTRAINT quarantine_natural_key UNIQUE (source, content_hash);

-- ---------------------------------------------------------------------------
-- Ingest runs: unchanged and flagged rows, warnings
-- ---------------------------------------------------------------------------

ALTER TABLE ingest_runs
	ADD COLUMN rows_unchanged integer NOT NULL DEFAULT 0 CHECK (rows_unchanged >= 0),
	ADD COLUMN rows_flagged integer NOT NULL DEFAULT 0 CHECK (rows_flagged >= 0),
	ADD COLUMN warnings jsonb;

-- Account ids are stored in the platform's canonical form (the form the
-- adapters put on every metric row), so a run and its rows always agree and
-- the incremental cursor finds earlier runs: Meta without `act_`, Google Ads
-- customer ids without dashes or spaces, LinkedIn ids without the URN prefix.
UPDATE ingest_runs SET account_id = regexp_replace(btrim(account_id), '^act_', '')
	WHERE platform = 'meta' AND account_id <> regexp_replace(btrim(account_id), '^act_', '');
UPDATE ingest_runs SET account_id = regexp_replace(account_id, '[[:space:]-]', '', 'g')
	WHERE platform = 'google_ads' AND account_id ~ '[[:space:]-]';
UPDATE ingest_runs SET account_id = regexp_replace(btrim(account_id), '^urn:li:[A-Za-z]+:', '')
	WHERE platform = 'linkedin' AND account_id <> regexp_replace(btrim(account_id), '^urn:li:[A-Za-z]+:', '');

-- ---------------------------------------------------------------------------
-- Data quality reports: one row per report date and scope
-- ---------------------------------------------------------------------------

CREATE TABLE quality_reports (
	id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	report_date date NOT NULL,
	-- 'all', or the sorted, comma-separated platforms the report covers
	scope text NOT NULL DEFAULT 'all' CHECK (length(scope) > 0),
	score numeric NOT NULL CHECK (score >= 0 AND score <= 100),
	level text NOT NULL CHECK (level IN ('Excellent', 'Good', 'Fair', 'Poor', 'Critical')),
	checks jsonb NOT NULL,
	generated_at timestamptz NOT NULL,
	created_at timestamptz NOT NULL DEFAULT now(),
	updated_at timestamptz NOT NULL DEFAULT now(),
	CONSTRAINT quality_reports_natural_key UNIQUE (report_date, scope)
);
CREATE INDEX idx_quality_reports_generated_at ON quality_reports (generated_at DESC);

CREATE TRIGGER trg_quality_reports_updated_at BEFORE UPDATE ON quality_reports FOR EACH ROW EXECUTE FUNCTION adops_touch_updated_at();
ALTER TABLE quality_reports ENABLE ROW LEVEL SECURITY;
