-- Creative generation: what the novelty check and the approval loop record on
-- each variant, and one row per generation run (tokens, budget, outcome).
--
-- Runs unchanged on PostgreSQL 15+, PGlite and Supabase; no schema prefix
-- (the migration runner places objects via search_path).

-- ---------------------------------------------------------------------------
-- Generation runs
-- ---------------------------------------------------------------------------

CREATE TABLE creative_runs (
	id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	platform text NOT NULL CHECK (length(platform) > 0),
	account_id text NOT NULL CHECK (length(account_id) > 0),
	campaign_id text NOT NULL CHECK (length(campaign_id) > 0),
	placement text,
	tone text,
	-- sha256 (hex) of the brief as given; the brief itself is not stored here
	brief_hash text NOT NULL CHECK (brief_hash ~ '^[0-9a-f]{64}$'),
	-- grounding metric: roas, cpa or ctr
	metric text NOT NULL CHECK (metric IN ('roas', 'cpa', 'ctr')),
	chat_model text NOT NULL CHECK (length(chat_model) > 0),
	-- `Embedder.model`: `text-embedding-3-small@512`, `adops-offline-v1@512`
	embedding_model text NOT NULL CHECK (length(embedding_model) > 0),
	variants_requested integer NOT NULL CHECK (variants_requested >= 1),
	max_attempts integer NOT NULL CHECK (max_attempts >= 1),
	-- chat tokens (prompt + completion) allowed for the run; NULL = no budget
	token_budget bigint CHECK (token_budget >= 1),
	prompt_tokens bigint NOT NULL DEFAULT 0 CHECK (prompt_tokens >= 0),
	completion_tokens bigint NOT NULL DEFAULT 0 CHECK (completion_tokens >= 0),
	embedding_tokens bigint NOT NULL DEFAULT 0 CHECK (embedding_tokens >= 0),
	chat_requests integer NOT NULL DEFAULT 0 CHECK (chat_requests >= 0),
	embedding_requests integer NOT NULL DEFAULT 0 CHECK (embedding_requests >= 0),
	status text NOT NULL DEFAULT 'running'
		CHECK (status IN ('running', 'complete', 'incomplete', 'budget_exhausted', 'error')),
	message text,
	-- counts of the run's variants by what happened to them
	variants_queued integer NOT NULL DEFAULT 0 CHECK (variants_queued >= 0),
	variants_duplicate integer NOT NULL DEFAULT 0 CHECK (variants_duplicate >= 0),
	variants_policy integer NOT NULL DEFAULT 0 CHECK (variants_policy >= 0),
	variants_existing integer NOT NULL DEFAULT 0 CHECK (variants_existing >= 0),
	variants_missing integer NOT NULL DEFAULT 0 CHECK (variants_missing >= 0),
	-- past variants whose embedding was computed (and cached) by this run
	embeddings_cached integer NOT NULL DEFAULT 0 CHECK (embeddings_cached >= 0),
	-- per request: round, outcome, usage, message (no prompt text)
	details jsonb,
	started_at timestamptz NOT NULL DEFAULT now(),
	finished_at timestamptz,
	created_at timestamptz NOT NULL DEFAULT now(),
	updated_at timestamptz NOT NULL DEFAULT now(),
	CHECK (finished_at IS NULL OR finished_at >= started_at)
);
CREATE INDEX idx_creative_runs_account_started ON creative_runs (platform, account_id, started_at DESC);

CREATE TRIGGER trg_creative_runs_updated_at BEFORE UPDATE ON creative_runs FOR EACH ROW EXECUTE FUNCTION adops_touch_updated_at();
ALTER TABLE creative_runs ENABLE ROW LEVEL SECURITY;

-- ---------------------------------------------------------------------------
-- Variants: novelty scores and verdict, provenance, approval link
-- ---------------------------------------------------------------------------

-- `status` keeps its column (no CHECK: rows written before this migration may
-- hold other values). The package writes draft, pending_approval,
-- rejected_duplicate, rejected_policy, approved and rejected.
ALTER TABLE creative_variants
	-- similarity to the nearest past variant (or earlier candidate of the run):
	-- trigram Jaccard of normalized text, and embedding cosine
	ADD COLUMN lexical_score numeric CHECK (lexical_score BETWEEN 0 AND 1),
	ADD COLUMN semantic_score numeric CHECK (semantic_score BETWEEN -1 AND 1),
	ADD COLUMN verdict text CHECK (verdict IN ('novel', 'near_duplicate', 'duplicate')),
	-- the model of `embedding`; vectors of another model are recomputed
	ADD COLUMN embedding_model text,
	ADD COLUMN run_id uuid REFERENCES creative_runs (id) ON DELETE SET NULL,
	-- the approval proposal of a queued variant (approvals.proposal_id)
	ADD COLUMN proposal_id text,
	ADD COLUMN placement text,
	ADD COLUMN tone text,
	-- the chat model that wrote the copy
	ADD COLUMN model text,
	ADD COLUMN grounding jsonb,
	ADD COLUMN evidence jsonb,
	-- why a variant was held back (rejected_duplicate, rejected_policy)
	ADD COLUMN rejection_reason text;

CREATE INDEX idx_creative_variants_account_platform ON creative_variants (account_id, platform);
CREATE INDEX idx_creative_variants_proposal ON creative_variants (proposal_id);
CREATE INDEX idx_creative_variants_run ON creative_variants (run_id);
