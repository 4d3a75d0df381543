-- Exactly once when answers are lost (issue 12): a side effect whose answer
-- was lost or late ends `unknown`, counts as possibly applied for every gate
-- and is settled by reading the platform's state (nodes/shared/store/types.ts
-- ResolveOutcome). The claim records who holds it, so a concurrent run reports
-- "in progress by …" instead of "stuck".
--
-- Runs unchanged on PostgreSQL 15+, PGlite and Supabase; no schema prefix.

ALTER TABLE action_ledger DROP CONSTRAINT IF EXISTS action_ledger_status_check;
ALTER TABLE action_ledger ADD CONSTRAINT action_ledger_status_check CHECK (status IN ('claimed', 'succeeded', 'failed', 'unknown'));

ALTER TABLE action_ledger
	-- the run (or host:pid) that holds or last held the claim
	ADD COLUMN claimed_by text CHECK (claimed_by IS NULL OR length(claimed_by) <= 500),
	-- how an unknown (or abandoned claimed) outcome was settled, in words
	ADD COLUMN resolution text,
	ADD COLUMN resolved_at timestamptz;

-- the reconcilers' read: every entry still open or unknown, per kind
CREATE INDEX idx_action_ledger_open ON action_ledger (kind, status) WHERE status IN ('claimed', 'unknown');
