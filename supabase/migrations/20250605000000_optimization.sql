-- Rule-gated optimization: what the optimizer records on every executed,
-- proposed or gated decision (nodes/shared/rules/rows.ts, run.ts) and reads
-- back in one query per run for cooldowns, the rolling 24 h cap and
-- idempotency. Rules themselves fit the existing optimization_rules columns
-- (the rule JSON is split over conditions / actions / service_time_gating).
--
-- Runs unchanged on PostgreSQL 15+, PGlite and Supabase; no schema prefix
-- (the migration runner places objects via search_path).

-- ---------------------------------------------------------------------------
-- optimization_actions: evidence, dry run, outcome, platform response
-- ---------------------------------------------------------------------------

ALTER TABLE optimization_actions
	-- the rule's id as the optimizer knew it: the optimization_rules uuid, or
	-- the id of a rule given as JSON in the node (rule_id stays NULL for those)
	ADD COLUMN rule_key text,
	-- the evaluation instant the decision was made at
	ADD COLUMN evaluated_at timestamptz,
	-- gate results with their numbers ([{gate, status, detail, values}]); the
	-- full evidence (conditions with values, planned action) is performance_snapshot
	ADD COLUMN gates jsonb CHECK (gates IS NULL OR jsonb_typeof(gates) = 'array'),
	-- a dry-run row records the same evidence and touches nothing on the platform
	ADD COLUMN dry_run boolean NOT NULL DEFAULT false,
	-- what became of the decision:
	--   executed      the platform confirmed the change (action_taken)
	--   dry_run       would have executed; nothing was sent
	--   proposed      waits in the approval queue (proposal_id)
	--   gated         a gate failed or the rule lost a conflict; stored only
	--   refused       not applied: the entity changed on the platform since the
	--                 evaluation (stale state) or cannot take the change
	--   failed        the platform refused or the call failed (error)
	--   in_progress   claimed in the ledger by another run that has not finished
	ADD COLUMN outcome text CHECK (outcome IN ('executed', 'dry_run', 'proposed', 'gated', 'refused', 'failed', 'in_progress')),
	ADD COLUMN proposal_id text CHECK (length(proposal_id) > 0),
	-- the platform's answer to the change (no secrets)
	ADD COLUMN platform_response jsonb,
	ADD COLUMN error text,
	-- when the platform confirmed the change; cooldowns and the 24 h cap count from here
	ADD COLUMN executed_at timestamptz;

-- Rows written before this migration that changed something count from their last update.
UPDATE optimization_actions SET executed_at = updated_at WHERE action_taken AND executed_at IS NULL;

ALTER TABLE optimization_actions
	ADD CONSTRAINT optimization_actions_executed_at_check CHECK (NOT action_taken OR executed_at IS NOT NULL),
	ADD CONSTRAINT optimization_actions_dry_run_check CHECK (NOT (dry_run AND action_taken));
-- Decisions of the rules core; NOT VALID keeps rows of other writers from before this migration readable.
ALTER TABLE optimization_actions ADD CONSTRAINT optimization_actions_decision_check CHECK (decision IS NULL OR decision IN ('execute', 'propose', 'gated')) NOT VALID;

-- The optimizer's history read: changes confirmed since (now − max(cooldown, 24 h)).
CREATE INDEX idx_optimization_actions_executed ON optimization_actions (executed_at) WHERE action_taken;
CREATE INDEX idx_optimization_actions_proposal ON optimization_actions (proposal_id) WHERE proposal_id IS NOT NULL;
CREATE INDEX idx_optimization_actions_evaluated ON optimization_actions (evaluated_at DESC);

-- ---------------------------------------------------------------------------
-- optimization_rules: the enabled rules in priority order, read once per run
-- ---------------------------------------------------------------------------

CREATE INDEX idx_optimization_rules_active ON optimization_rules (priority) WHERE is_active;
