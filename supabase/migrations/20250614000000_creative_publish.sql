-- Publishing approved creative variants (issue 20, item 1).
--
-- An approved variant is published to its platform as a paused ad
-- (nodes/shared/creative/publish.ts), exactly once through the action ledger
-- (key `publish:<variant id>`). The variant row keeps what was created and who
-- let it go live:
--   status 'published'      the ad exists on the platform (new listed status)
--   platform_ad_id          Meta ad id, Google Ads ad group ad resource name, LinkedIn creative URN
--   platform_creative_id    Meta ad creative id (the creative of the ad); LinkedIn's share URN
--   platform_parent_id      Meta ad set / Google Ads ad group the ad was created in
--   platform_status         the status it was created with (PAUSED unless asked otherwise)
--   approved_by, approved_at   the person who approved it and when (from the approval)
--   published_at            when the platform answered
--   publish_outcome         published | failed | unknown (the last attempt)
--   publish_error           a failed or unknown attempt's words: the account, the call, what to fix;
--                           a failed variant stays 'approved' and can be published again, an unknown
--                           one stays 'approved' and is reconciled before anything is sent again
--
-- Runs unchanged on PostgreSQL 15+, PGlite and Supabase; no schema prefix
-- (the migration runner places objects via search_path).

ALTER TABLE creative_variants
	ADD COLUMN platform_ad_id text,
	ADD COLUMN platform_creative_id text,
	ADD COLUMN platform_parent_id text,
	ADD COLUMN platform_status text,
	ADD COLUMN approved_by text,
	ADD COLUMN approved_at timestamptz,
	ADD COLUMN published_at timestamptz,
	ADD COLUMN publish_outcome text CHECK (publish_outcome IN ('published', 'failed', 'unknown')),
	ADD COLUMN publish_error text;

CREATE INDEX idx_creative_variants_platform_ad ON creative_variants (platform, platform_ad_id);

ALTER TABLE creative_variants DROP CONSTRAINT creative_variants_status_check;

ALTER TABLE creative_variants
	ADD CONSTRAINT creative_variants_status_check
	CHECK (status IN ('draft', 'pending_approval', 'rejected_duplicate', 'rejected_policy', 'approved', 'rejected', 'published')) NOT VALID;

DO $validate$
BEGIN
	BEGIN
		ALTER TABLE creative_variants VALIDATE CONSTRAINT creative_variants_status_check;
	EXCEPTION WHEN check_violation THEN
		RAISE WARNING 'creative_variants holds rows whose status is not one the package writes; creative_variants_status_check stays NOT VALID (new and updated rows are checked). Map those rows to a listed status, then run: ALTER TABLE creative_variants VALIDATE CONSTRAINT creative_variants_status_check';
	END;
END
$validate$;
