-- Status vocabularies in the database: `creative_variants.status` and
-- `moderation_actions.action_status` accept only the values the package
-- writes. The lists are the row schemas' enums (nodes/shared/schema/rows.ts,
-- CREATIVE_VARIANT_STATUSES and MODERATION_ACTION_STATUSES; a unit test keeps
-- this file and those lists equal):
--   creative_variants.status
--     draft               the column default (rows not written by a generation run)
--     pending_approval    novel, queued for approval (creative/run.ts)
--     rejected_duplicate  near-duplicate or duplicate of past copy (creative/run.ts)
--     rejected_policy     still broke a platform rule or blocking policy finding (creative/run.ts)
--     approved, rejected  decided by a person (creative/run.ts markCreativeDecision and
--                         the reconcile of a run, creative/executor.ts)
--   moderation_actions.action_status
--     dry_run, executed, already_done, failed, stuck, proposed
--                         moderation/run.ts (a run's outcome, the retry of failed ones)
--     acknowledged        moderation/executor.ts (a person handled the comment)
-- (20250606000000_moderation.sql also named `planned` and `skipped`; nothing
-- writes them. `rejected` is read as settled by moderation/run.ts but never
-- written.)
--
-- Why NOT VALID first: 20250604000000_creative.sql and
-- 20250606000000_moderation.sql left both columns free text on purpose, and
-- they are columns of the original design's tables, which other writers (a
-- team's own workflows through n8n's Postgres or Supabase nodes) may fill
-- with their own words. A plain CHECK would make this migration fail on such
-- a database and block every later one. So each constraint is added NOT
-- VALID (checked for every row inserted or updated from now on) and then
-- validated in the same transaction when every stored row already conforms,
-- which is always the case for a database only this package wrote. When
-- rows of another writer do not conform, the constraint stays NOT VALID and
-- the migration says so (a WARNING naming the command to run once those rows
-- are mapped to a listed value). Until then such a row can still be read,
-- but an UPDATE of it must also set a listed status: PostgreSQL checks the
-- whole new row version, whichever columns changed.
--
-- Runs unchanged on PostgreSQL 15+, PGlite and Supabase; no schema prefix
-- (the migration runner places objects via search_path).

ALTER TABLE creative_variants
	ADD CONSTRAINT creative_variants_status_check
	CHECK (status IN ('draft', 'pending_approval', 'rejected_duplicate', 'rejected_policy', 'approved', 'rejected')) NOT VALID;

ALTER TABLE moderation_actions
	ADD CONSTRAINT moderation_actions_action_status_check
	CHECK (action_status IN ('dry_run', 'proposed', 'executed', 'already_done', 'failed', 'stuck', 'acknowledged')) NOT VALID;

DO $validate$
BEGIN
	BEGIN
		ALTER TABLE creative_variants VALIDATE CONSTRAINT creative_variants_status_check;
	EXCEPTION WHEN check_violation THEN
		RAISE WARNING 'creative_variants holds rows whose status is not one the package writes; creative_variants_status_check stays NOT VALID (new and updated rows are checked). Map those rows to a listed status, then run: ALTER TABLE creative_variants VALIDATE CONSTRAINT creative_variants_status_check';
	END;
	BEGIN
		ALTER TABLE moderation_actions VALIDATE CONSTRAINT moderation_actions_action_status_check;
	EXCEPTION WHEN check_violation THEN
		RAISE WARNING 'moderation_actions holds rows whose action_status is not one the package writes; moderation_actions_action_status_check stays NOT VALID (new and updated rows are checked). Map those rows to a listed status, then run: ALTER TABLE moderation_actions VALIDATE CONSTRAINT moderation_actions_action_status_check';
	END;
END
$validate$;
