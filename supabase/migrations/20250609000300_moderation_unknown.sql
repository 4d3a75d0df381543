-- Moderation actions whose answer was lost (issue 12): a hide, delete, like
-- or reply that Meta may or may not have applied is recorded `unknown` until
-- it is reconciled by reading the comment (nodes/shared/moderation/reconcile.ts),
-- then `executed` or `failed`. The CHECK of 20250608000000_status_checks.sql
-- gains that value; NOT VALID and then validated where existing rows allow,
-- as before.
--
-- Runs unchanged on PostgreSQL 15+, PGlite and Supabase; no schema prefix.

ALTER TABLE moderation_actions DROP CONSTRAINT IF EXISTS moderation_actions_action_status_check;
ALTER TABLE moderation_actions
	ADD CONSTRAINT moderation_actions_action_status_check
	CHECK (action_status IN ('dry_run', 'proposed', 'executed', 'already_done', 'failed', 'unknown', 'stuck', 'acknowledged')) NOT VALID;

DO $validate$
BEGIN
	ALTER TABLE moderation_actions VALIDATE CONSTRAINT moderation_actions_action_status_check;
EXCEPTION WHEN check_violation THEN
	RAISE WARNING 'moderation_actions holds rows whose action_status is not one the package writes; moderation_actions_action_status_check stays NOT VALID (new and updated rows are checked). Map those rows to a listed status, then run: ALTER TABLE moderation_actions VALIDATE CONSTRAINT moderation_actions_action_status_check';
END
$validate$;

-- the moderation run's backlog read: comments not moderated yet, by when they were stored
CREATE INDEX IF NOT EXISTS idx_social_media_items_unmoderated ON social_media_items (created_at) WHERE moderated_at IS NULL AND removed_at IS NULL;
