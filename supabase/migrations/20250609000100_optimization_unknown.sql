-- Exactly once when answers are lost (issue 12), the optimizer's side: a
-- budget or status change whose answer was lost or late is recorded with
-- outcome `unknown`. It counts as applied for every gate (the row has
-- action_taken and executed_at = the attempt's time, at its target value)
-- until the optimizer reads the campaign on the platform and settles it:
-- `executed` when the campaign shows the target, `failed` when it shows the
-- value before the change (nodes/shared/rules/apply.ts reconcileOptimizationActions).
--
--   unknown   the platform may have applied the change (answer lost or late);
--             blocks further changes of the campaign until it is reconciled
--
-- Runs unchanged on PostgreSQL 15+, PGlite and Supabase; no schema prefix.

ALTER TABLE optimization_actions DROP CONSTRAINT IF EXISTS optimization_actions_outcome_check;
ALTER TABLE optimization_actions ADD CONSTRAINT optimization_actions_outcome_check
	CHECK (outcome IN ('executed', 'dry_run', 'proposed', 'gated', 'refused', 'failed', 'in_progress', 'unknown'));

-- An unknown change counts from its attempt: it carries executed_at like an executed one
-- (optimization_actions_executed_at_check: NOT action_taken OR executed_at IS NOT NULL),
-- and it is never a dry run (optimization_actions_dry_run_check covers it through action_taken).
ALTER TABLE optimization_actions ADD CONSTRAINT optimization_actions_unknown_check
	CHECK (outcome IS DISTINCT FROM 'unknown' OR (action_taken AND executed_at IS NOT NULL AND NOT dry_run));
