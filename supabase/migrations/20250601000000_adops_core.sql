-- n8n-nodes-adops core schema.
--
-- Runs unchanged on PostgreSQL 15+, PGlite (PostgreSQL 17) and Supabase.
-- Objects are created in the current schema (no schema prefix), so the
-- migration runner and tests can place them in any schema via search_path.
-- Row Level Security is enabled on every table and no policy is created:
-- the anon/authenticated roles see nothing, the service role (BYPASSRLS)
-- and the table owner (direct Postgres connection) see everything.

CREATE FUNCTION adops_touch_updated_at() RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog
AS $fn$
BEGIN
	NEW.updated_at := now();
	RETURN NEW;
END;
$fn$;

-- ---------------------------------------------------------------------------
-- Ingest bookkeeping (referenced by campaign_performance and quarantine)
-- ---------------------------------------------------------------------------

CREATE TABLE ingest_runs (
	id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	platform text NOT NULL CHECK (length(platform) > 0),
	account_id text NOT NULL CHECK (length(account_id) > 0),
	window_start date NOT NULL,
	window_end date NOT NULL,
	started_at timestamptz NOT NULL DEFAULT now(),
	finished_at timestamptz,
	duration_ms bigint CHECK (duration_ms >= 0),
	rows_written integer NOT NULL DEFAULT 0 CHECK (rows_written >= 0),
	rows_quarantined integer NOT NULL DEFAULT 0 CHECK (rows_quarantined >= 0),
	outcome text CHECK (outcome IN ('success', 'partial', 'failed')),
	error text,
	created_at timestamptz NOT NULL DEFAULT now(),
	updated_at timestamptz NOT NULL DEFAULT now(),
	CHECK (window_end >= window_start)
);
CREATE INDEX idx_ingest_runs_platform_account_started ON ingest_runs (platform, account_id, started_at DESC);

CREATE TABLE quarantine (
	id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	source text NOT NULL CHECK (length(source) > 0),
	platform text,
	account_id text,
	ingest_run_id uuid REFERENCES ingest_runs (id) ON DELETE SET NULL,
	raw_payload jsonb NOT NULL,
	reason text NOT NULL CHECK (length(reason) > 0),
	created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX idx_quarantine_ingest_run ON quarantine (ingest_run_id);
CREATE INDEX idx_quarantine_created_at ON quarantine (created_at);

-- ---------------------------------------------------------------------------
-- Performance
-- ---------------------------------------------------------------------------

CREATE TABLE campaign_performance (
	id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	date date NOT NULL,
	platform text NOT NULL CHECK (length(platform) > 0),
	account_id text NOT NULL CHECK (length(account_id) > 0),
	campaign_id text NOT NULL CHECK (length(campaign_id) > 0),
	campaign_name text,
	-- reporting currency: every money column below is in this currency
	currency text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
	-- currency the platform reported in, and the rate used to convert
	source_currency text CHECK (source_currency ~ '^[A-Z]{3}$'),
	fx_rate numeric CHECK (fx_rate > 0),
	fx_rate_date date,
	spend numeric NOT NULL DEFAULT 0 CHECK (spend >= 0),
	impressions bigint NOT NULL DEFAULT 0 CHECK (impressions >= 0),
	clicks bigint NOT NULL DEFAULT 0 CHECK (clicks >= 0),
	-- Google Ads reports fractional (modelled) conversions
	conversions numeric NOT NULL DEFAULT 0 CHECK (conversions >= 0),
	-- NULL = the platform does not report it (not "zero")
	revenue numeric CHECK (revenue >= 0),
	leads numeric CHECK (leads >= 0),
	-- Derived metrics: computed by the database, NULL when the denominator is 0
	ctr numeric GENERATED ALWAYS AS (CASE WHEN impressions > 0 THEN clicks::numeric / impressions END) STORED,
	cpc numeric GENERATED ALWAYS AS (CASE WHEN clicks > 0 THEN spend / clicks END) STORED,
	cpa numeric GENERATED ALWAYS AS (CASE WHEN conversions > 0 THEN spend / conversions END) STORED,
	cpl numeric GENERATED ALWAYS AS (CASE WHEN leads > 0 THEN spend / leads END) STORED,
	roas numeric GENERATED ALWAYS AS (CASE WHEN spend > 0 THEN revenue / spend END) STORED,
	ingest_run_id uuid REFERENCES ingest_runs (id) ON DELETE SET NULL,
	created_at timestamptz NOT NULL DEFAULT now(),
	updated_at timestamptz NOT NULL DEFAULT now(),
	CONSTRAINT campaign_performance_natural_key UNIQUE (platform, account_id, campaign_id, date)
);
CREATE INDEX idx_campaign_performance_date_platform ON campaign_performance (date, platform);
CREATE INDEX idx_campaign_performance_campaign_id ON campaign_performance (campaign_id);
CREATE INDEX idx_campaign_performance_platform_date_spend ON campaign_performance (platform, date, spend);
CREATE INDEX idx_campaign_performance_ingest_run ON campaign_performance (ingest_run_id);

CREATE TABLE fx_rates (
	id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	-- 1 unit of `base` = `rate` units of `quote`
	base text NOT NULL CHECK (base ~ '^[A-Z]{3}$'),
	quote text NOT NULL CHECK (quote ~ '^[A-Z]{3}$'),
	rate_date date NOT NULL,
	rate numeric NOT NULL CHECK (rate > 0),
	source text,
	created_at timestamptz NOT NULL DEFAULT now(),
	updated_at timestamptz NOT NULL DEFAULT now(),
	CONSTRAINT fx_rates_natural_key UNIQUE (base, quote, rate_date)
);

-- ---------------------------------------------------------------------------
-- Creatives
-- ---------------------------------------------------------------------------

CREATE TABLE creative_variants (
	id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	platform text NOT NULL CHECK (length(platform) > 0),
	account_id text,
	campaign_id text NOT NULL CHECK (length(campaign_id) > 0),
	headline text,
	primary_text text,
	description text,
	call_to_action text,
	copy_angle text,
	rationale text,
	similarity_score numeric CHECK (similarity_score BETWEEN -1 AND 1),
	nearest_variant_id uuid REFERENCES creative_variants (id) ON DELETE SET NULL,
	content_hash text NOT NULL CHECK (length(content_hash) > 0),
	embedding real[],
	status text NOT NULL DEFAULT 'draft',
	created_at timestamptz NOT NULL DEFAULT now(),
	updated_at timestamptz NOT NULL DEFAULT now(),
	CONSTRAINT creative_variants_natural_key UNIQUE (platform, campaign_id, content_hash)
);
CREATE INDEX idx_creative_variants_campaign_platform ON creative_variants (campaign_id, platform);

-- ---------------------------------------------------------------------------
-- Optimization
-- ---------------------------------------------------------------------------

CREATE TABLE optimization_rules (
	id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	rule_name text NOT NULL CHECK (length(rule_name) > 0),
	platform text,
	rule_type text NOT NULL,
	conditions jsonb NOT NULL DEFAULT '{}'::jsonb,
	actions jsonb NOT NULL DEFAULT '[]'::jsonb,
	service_time_gating jsonb,
	priority integer NOT NULL DEFAULT 100,
	is_active boolean NOT NULL DEFAULT true,
	created_at timestamptz NOT NULL DEFAULT now(),
	updated_at timestamptz NOT NULL DEFAULT now(),
	CONSTRAINT optimization_rules_rule_name_key UNIQUE (rule_name)
);

CREATE TABLE optimization_actions (
	id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	idempotency_key text NOT NULL CHECK (length(idempotency_key) > 0),
	platform text NOT NULL,
	account_id text,
	campaign_id text NOT NULL,
	rule_id uuid REFERENCES optimization_rules (id) ON DELETE SET NULL,
	action_type text NOT NULL,
	decision text,
	action_details jsonb,
	performance_snapshot jsonb,
	service_time_met boolean,
	action_taken boolean NOT NULL DEFAULT false,
	created_at timestamptz NOT NULL DEFAULT now(),
	updated_at timestamptz NOT NULL DEFAULT now(),
	CONSTRAINT optimization_actions_idempotency_key_key UNIQUE (idempotency_key)
);
CREATE INDEX idx_optimization_actions_campaign_platform ON optimization_actions (campaign_id, platform);
CREATE INDEX idx_optimization_actions_type_status ON optimization_actions (action_type, action_taken);

-- ---------------------------------------------------------------------------
-- Moderation
-- ---------------------------------------------------------------------------

CREATE TABLE social_media_items (
	id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	platform text NOT NULL CHECK (length(platform) > 0),
	object_id text NOT NULL CHECK (length(object_id) > 0),
	object_type text NOT NULL,
	parent_id text,
	post_id text,
	ad_id text,
	user_id text,
	text text,
	permalink text,
	created_time timestamptz,
	raw_data jsonb,
	created_at timestamptz NOT NULL DEFAULT now(),
	updated_at timestamptz NOT NULL DEFAULT now(),
	CONSTRAINT social_media_items_natural_key UNIQUE (platform, object_id)
);
CREATE INDEX idx_social_media_items_platform_type ON social_media_items (platform, object_type);

CREATE TABLE item_classifications (
	id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	item_id uuid NOT NULL REFERENCES social_media_items (id) ON DELETE CASCADE,
	model text NOT NULL CHECK (length(model) > 0),
	intent text,
	sentiment text,
	language text,
	categories jsonb NOT NULL DEFAULT '[]'::jsonb,
	confidence_score numeric CHECK (confidence_score BETWEEN 0 AND 1),
	reply_required boolean,
	created_at timestamptz NOT NULL DEFAULT now(),
	updated_at timestamptz NOT NULL DEFAULT now(),
	CONSTRAINT item_classifications_natural_key UNIQUE (item_id, model)
);
CREATE INDEX idx_item_classifications_intent ON item_classifications (intent);

CREATE TABLE moderation_actions (
	id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	idempotency_key text NOT NULL CHECK (length(idempotency_key) > 0),
	item_id uuid NOT NULL REFERENCES social_media_items (id) ON DELETE CASCADE,
	action_type text NOT NULL,
	action_status text NOT NULL,
	suggested_reply text,
	notion_record_id text,
	executed_at timestamptz,
	created_at timestamptz NOT NULL DEFAULT now(),
	updated_at timestamptz NOT NULL DEFAULT now(),
	CONSTRAINT moderation_actions_idempotency_key_key UNIQUE (idempotency_key)
);
CREATE INDEX idx_moderation_actions_status_type ON moderation_actions (action_status, action_type);
CREATE INDEX idx_moderation_actions_item ON moderation_actions (item_id);

-- ---------------------------------------------------------------------------
-- Approvals, action ledger, alerts, cursors
-- ---------------------------------------------------------------------------

CREATE TABLE approvals (
	id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	proposal_id text NOT NULL CHECK (length(proposal_id) > 0),
	kind text NOT NULL,
	status text NOT NULL DEFAULT 'pending'
		CHECK (status IN ('pending', 'approved', 'rejected', 'expired', 'executing', 'executed', 'failed')),
	payload jsonb NOT NULL,
	payload_hash text NOT NULL,
	evidence jsonb,
	expires_at timestamptz,
	notion_page_id text,
	decided_by text,
	decided_at timestamptz,
	result jsonb,
	error text,
	created_at timestamptz NOT NULL DEFAULT now(),
	updated_at timestamptz NOT NULL DEFAULT now(),
	CONSTRAINT approvals_proposal_id_key UNIQUE (proposal_id)
);
CREATE INDEX idx_approvals_status_expires ON approvals (status, expires_at);
CREATE INDEX idx_approvals_notion_page ON approvals (notion_page_id);

CREATE TABLE action_ledger (
	id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	idempotency_key text NOT NULL CHECK (length(idempotency_key) > 0),
	kind text NOT NULL,
	target text NOT NULL,
	intent jsonb NOT NULL,
	status text NOT NULL DEFAULT 'claimed' CHECK (status IN ('claimed', 'succeeded', 'failed')),
	attempts integer NOT NULL DEFAULT 1 CHECK (attempts >= 1),
	response jsonb,
	error text,
	completed_at timestamptz,
	created_at timestamptz NOT NULL DEFAULT now(),
	updated_at timestamptz NOT NULL DEFAULT now(),
	CONSTRAINT action_ledger_idempotency_key_key UNIQUE (idempotency_key)
);
CREATE INDEX idx_action_ledger_status_kind ON action_ledger (status, kind);

CREATE TABLE alert_threads (
	id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	channel text NOT NULL CHECK (length(channel) > 0),
	thread_key text NOT NULL CHECK (length(thread_key) > 0),
	ts text NOT NULL CHECK (length(ts) > 0),
	created_at timestamptz NOT NULL DEFAULT now(),
	updated_at timestamptz NOT NULL DEFAULT now(),
	CONSTRAINT alert_threads_natural_key UNIQUE (channel, thread_key)
);

CREATE TABLE app_state (
	key text PRIMARY KEY CHECK (length(key) > 0),
	value jsonb NOT NULL,
	updated_at timestamptz NOT NULL DEFAULT now()
);

-- ---------------------------------------------------------------------------
-- updated_at triggers and Row Level Security
-- ---------------------------------------------------------------------------

CREATE TRIGGER trg_ingest_runs_updated_at BEFORE UPDATE ON ingest_runs FOR EACH ROW EXECUTE FUNCTION adops_touch_updated_at();
CREATE TRIGGER trg_campaign_performance_updated_at BEFORE UPDATE ON campaign_performance FOR EACH ROW EXECUTE FUNCTION adops_touch_updated_at();
CREATE TRIGGER trg_fx_rates_updated_at BEFORE UPDATE ON fx_rates FOR EACH ROW EXECUTE FUNCTION adops_touch_updated_at();
CREATE TRIGGER trg_creative_variants_updated_at BEFORE UPDATE ON creative_variants FOR EACH ROW EXECUTE FUNCTION adops_touch_updated_at();
CREATE TRIGGER trg_optimization_rules_updated_at BEFORE UPDATE ON optimization_rules FOR EACH ROW EXECUTE FUNCTION adops_touch_updated_at();
CREATE TRIGGER trg_optimization_actions_updated_at BEFORE UPDATE ON optimization_actions FOR EACH ROW EXECUTE FUNCTION adops_touch_updated_at();
CREATE TRIGGER trg_social_media_items_updated_at BEFORE UPDATE ON social_media_items FOR EACH ROW EXECUTE FUNCTION adops_touch_updated_at();
CREATE TRIGGER trg_item_classifications_updated_at BEFORE UPDATE ON item_classifications FOR EACH ROW EXECUTE FUNCTION adops_touch_updated_at();
CREATE TRIGGER trg_moderation_actions_updated_at BEFORE UPDATE ON moderation_actions FOR EACH ROW EXECUTE FUNCTION adops_touch_updated_at();
CREATE TRIGGER trg_approvals_updated_at BEFORE UPDATE ON approvals FOR EACH ROW EXECUTE FUNCTION adops_touch_updated_at();
CREATE TRIGGER trg_action_ledger_updated_at BEFORE UPDATE ON action_ledger FOR EACH ROW EXECUTE FUNCTION adops_touch_updated_at();
CREATE TRIGGER trg_alert_threads_updated_at BEFORE UPDATE ON alert_threads FOR EACH ROW EXECUTE FUNCTION adops_touch_updated_at();
CREATE TRIGGER trg_app_state_updated_at BEFORE UPDATE ON app_state FOR EACH ROW EXECUTE FUNCTION adops_touch_updated_at();

ALTER TABLE ingest_runs ENABLE ROW LEVEL SECURITY;
ALTER TABLE quarantine ENABLE ROW LEVEL SECURITY;
ALTER TABLE campaign_performance ENABLE ROW LEVEL SECURITY;
ALTER TABLE fx_rates ENABLE ROW LEVEL SECURITY;
ALTER TABLE creative_variants ENABLE ROW LEVEL SECURITY;
ALTER TABLE optimization_rules ENABLE ROW LEVEL SECURITY;
ALTER TABLE optimization_actions ENABLE ROW LEVEL SECURITY;
ALTER TABLE social_media_items ENABLE ROW LEVEL SECURITY;
ALTER TABLE item_classifications ENABLE ROW LEVEL SECURITY;
ALTER TABLE moderation_actions ENABLE ROW LEVEL SECURITY;
ALTER TABLE approvals ENABLE ROW LEVEL SECURITY;
ALTER TABLE action_ledger ENABLE ROW LEVEL SECURITY;
ALTER TABLE alert_threads ENABLE ROW LEVEL SECURITY;
ALTER TABLE app_state ENABLE ROW LEVEL SECURITY;
