-- Moderation run layer: where a comment came from (account, campaign, hidden
-- or removed), how it was classified (score, source, reasons), what was done
-- about it (rule, mode, proposal, result), the per-ad daily comment signal
-- optimization rules read, and the replay keys of Meta webhook deliveries.
--
-- Runs unchanged on PostgreSQL 15+, PGlite and Supabase; no schema prefix
-- (the migration runner places objects via search_path).

-- ---------------------------------------------------------------------------
-- Comments: the ad account and campaign behind the post, platform state
-- ---------------------------------------------------------------------------

ALTER TABLE social_media_items
	-- the ad account and campaign of `ad_id` (Meta account without `act_`);
	-- NULL when the comment is under a post no known ad uses
	ADD COLUMN account_id text,
	ADD COLUMN campaign_id text,
	-- what the platform last said (webhook hide/unhide, a poll, our own hide)
	ADD COLUMN is_hidden boolean,
	-- when the platform reported the comment removed; removed comments are not moderated
	ADD COLUMN removed_at timestamptz,
	-- when a moderation run finished with the comment (classified, decided,
	-- acted on or proposed); NULL = still to do
	ADD COLUMN moderated_at timestamptz;

CREATE INDEX idx_social_media_items_ad_created ON social_media_items (platform, ad_id, created_time);
CREATE INDEX idx_social_media_items_post ON social_media_items (platform, post_id);
CREATE INDEX idx_social_media_items_pending ON social_media_items (platform, created_time) WHERE moderated_at IS NULL AND removed_at IS NULL;

-- ---------------------------------------------------------------------------
-- Classifications: sentiment score, which path produced them, and why
-- ---------------------------------------------------------------------------

ALTER TABLE item_classifications
	ADD COLUMN sentiment_score numeric CHECK (sentiment_score BETWEEN -1 AND 1),
	-- `llm` when the model's answer was used, `offline` for the rules (also per-comment fallbacks of the LLM path)
	ADD COLUMN source text CHECK (source IN ('llm', 'offline')),
	-- why the offline classifier stood in for the model (llm_error, llm_missing_result, …)
	ADD COLUMN fallback_reason text,
	-- short codes and phrases explaining the result, for people; never read by the policy
	ADD COLUMN reasons jsonb NOT NULL DEFAULT '[]'::jsonb;

-- ---------------------------------------------------------------------------
-- Actions: the policy rule behind each, how it runs, and what came of it
-- ---------------------------------------------------------------------------

-- `action_status` keeps its column (no CHECK: rows written before this
-- migration may hold other values). The package writes planned, dry_run,
-- executed, already_done, failed, stuck, proposed, acknowledged, skipped.
ALTER TABLE moderation_actions
	ADD COLUMN platform text,
	ADD COLUMN comment_id text,
	-- `auto` (runs at once in live mode) or `approval` (waits for a person)
	ADD COLUMN mode text CHECK (mode IN ('auto', 'approval')),
	-- the policy rule (hide.spam, reply.question, …) and the policy version
	ADD COLUMN rule_id text,
	ADD COLUMN policy_version text,
	ADD COLUMN reason text,
	-- the model whose classification the decision was made on
	ADD COLUMN model text,
	-- the approval proposal (approvals.proposal_id) of an action that waits for a person
	ADD COLUMN proposal_id text,
	-- what the platform answered (reply id, success) and the error of a failed attempt
	ADD COLUMN result jsonb,
	ADD COLUMN error text;

CREATE INDEX idx_moderation_actions_proposal ON moderation_actions (proposal_id);

-- ---------------------------------------------------------------------------
-- Per-ad daily comment signal (moderation/signal.ts)
-- ---------------------------------------------------------------------------

-- One row per (platform, account, ad, local date in the account's time
-- zone). Spam and scams are not counted in `comments` (see
-- `excluded_comments`); shares are NULL on days without counted comments.
CREATE TABLE ad_comment_signals (
	id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	platform text NOT NULL CHECK (length(platform) > 0),
	account_id text NOT NULL DEFAULT '',
	campaign_id text,
	ad_id text NOT NULL CHECK (length(ad_id) > 0),
	date date NOT NULL,
	comments integer NOT NULL CHECK (comments >= 0),
	negative_comments integer NOT NULL CHECK (negative_comments >= 0 AND negative_comments <= comments),
	abusive_comments integer NOT NULL CHECK (abusive_comments >= 0 AND abusive_comments <= comments),
	excluded_comments integer NOT NULL CHECK (excluded_comments >= 0),
	negative_share numeric CHECK (negative_share BETWEEN 0 AND 1),
	abusive_share numeric CHECK (abusive_share BETWEEN 0 AND 1),
	created_at timestamptz NOT NULL DEFAULT now(),
	updated_at timestamptz NOT NULL DEFAULT now(),
	CONSTRAINT ad_comment_signals_natural_key UNIQUE (platform, account_id, ad_id, date)
);
CREATE INDEX idx_ad_comment_signals_date ON ad_comment_signals (date, platform);

CREATE TRIGGER trg_ad_comment_signals_updated_at BEFORE UPDATE ON ad_comment_signals FOR EACH ROW EXECUTE FUNCTION adops_touch_updated_at();
ALTER TABLE ad_comment_signals ENABLE ROW LEVEL SECURITY;

-- ---------------------------------------------------------------------------
-- Webhook replay keys (moderation/store-replay.ts)
-- ---------------------------------------------------------------------------

-- A key is claimed by inserting it (unique) or, once expired, by moving its
-- expiry forward with a conditional UPDATE; both are atomic across workers.
-- Released keys get an expiry in the past. Rows expired for more than an hour
-- are deleted after each insert statement, so the table stays the size of
-- one TTL window of deliveries.
CREATE TABLE webhook_replay_keys (
	id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	replay_key text NOT NULL CHECK (length(replay_key) > 0),
	expires_at timestamptz NOT NULL,
	created_at timestamptz NOT NULL DEFAULT now(),
	updated_at timestamptz NOT NULL DEFAULT now(),
	CONSTRAINT webhook_replay_keys_natural_key UNIQUE (replay_key)
);
CREATE INDEX idx_webhook_replay_keys_expires ON webhook_replay_keys (expires_at);

-- The table is addressed through the trigger's own schema, so the function
-- needs no search_path of the caller.
CREATE FUNCTION adops_prune_webhook_replay_keys() RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog
AS $fn$
BEGIN
	EXECUTE format('DELETE FROM %I.%I WHERE expires_at < now() - interval ''1 hour''', TG_TABLE_SCHEMA, TG_TABLE_NAME);
	RETURN NULL;
END;
$fn$;

CREATE TRIGGER trg_webhook_replay_keys_updated_at BEFORE UPDATE ON webhook_replay_keys FOR EACH ROW EXECUTE FUNCTION adops_touch_updated_at();
CREATE TRIGGER trg_webhook_replay_keys_prune AFTER INSERT ON webhook_replay_keys FOR EACH STATEMENT EXECUTE FUNCTION adops_prune_webhook_replay_keys();
ALTER TABLE webhook_replay_keys ENABLE ROW LEVEL SECURITY;
