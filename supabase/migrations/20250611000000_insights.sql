-- AdOps Insights (issue 18): anomalies with their alert state, monthly budget
-- plans, and the daily KPI views of the original design.
--
-- Runs on PostgreSQL 15+, PGlite and Supabase; no schema prefix (the runner
-- sets the search_path). RLS is enabled on both tables without policies, and
-- anon/authenticated/PUBLIC hold no privilege on the tables or the views (the
-- views are security_invoker, so even a grant would not bypass the tables'
-- RLS). The grants contract test probes every table of the schema.

-- ---------------------------------------------------------------------------
-- Anomalies: one row per entity, metric and day (idempotent upsert)
-- ---------------------------------------------------------------------------

CREATE TABLE anomalies (
	id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	platform text NOT NULL CHECK (length(platform) > 0),
	account_id text NOT NULL CHECK (length(account_id) > 0),
	-- '' = the account as a whole (a natural-key column cannot be NULL)
	campaign_id text NOT NULL DEFAULT '',
	campaign_name text,
	metric text NOT NULL CHECK (metric IN ('spend', 'impressions', 'clicks', 'conversions', 'revenue', 'ctr', 'cpc', 'cpa', 'roas')),
	date date NOT NULL,
	-- first day of the run of consecutive anomalous days in this direction:
	-- one alert per episode, again only when it gets worse
	episode_start date NOT NULL,
	direction text NOT NULL CHECK (direction IN ('spike', 'drop')),
	pattern text CHECK (pattern IN ('tracking_break', 'spend_stuck_at_zero', 'delivery_collapse', 'cost_spike')),
	actual numeric NOT NULL,
	expected numeric NOT NULL,
	lower_bound numeric NOT NULL,
	upper_bound numeric NOT NULL,
	score numeric NOT NULL,
	volume numeric NOT NULL CHECK (volume >= 0),
	currency text CHECK (currency ~ '^[A-Z]{3}$'),
	method text NOT NULL CHECK (method IN ('stl', 'weekday')),
	alpha numeric NOT NULL CHECK (alpha > 0 AND alpha < 1),
	last_days jsonb NOT NULL DEFAULT '[]'::jsonb,
	-- alert state: the score an alert was sent at (NULL = not alerted)
	alerted_score numeric,
	alerted_at timestamptz,
	alert_ts text,
	created_at timestamptz NOT NULL DEFAULT now(),
	updated_at timestamptz NOT NULL DEFAULT now(),
	CHECK (episode_start <= date),
	CONSTRAINT anomalies_natural_key UNIQUE (platform, account_id, campaign_id, metric, date)
);
CREATE INDEX idx_anomalies_date ON anomalies (date DESC);
CREATE INDEX idx_anomalies_episode ON anomalies (platform, account_id, campaign_id, metric, episode_start);
CREATE TRIGGER trg_anomalies_updated_at BEFORE UPDATE ON anomalies FOR EACH ROW EXECUTE FUNCTION adops_touch_updated_at();
ALTER TABLE anomalies ENABLE ROW LEVEL SECURITY;

-- ---------------------------------------------------------------------------
-- Budget plans: a monthly amount per account ('' campaign) or campaign
-- ---------------------------------------------------------------------------

CREATE TABLE budget_plans (
	id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	platform text NOT NULL CHECK (length(platform) > 0),
	account_id text NOT NULL CHECK (length(account_id) > 0),
	campaign_id text NOT NULL DEFAULT '',
	-- the month's first day
	month date NOT NULL CHECK (extract(day FROM month) = 1),
	amount numeric NOT NULL CHECK (amount > 0),
	currency text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
	note text,
	created_at timestamptz NOT NULL DEFAULT now(),
	updated_at timestamptz NOT NULL DEFAULT now(),
	CONSTRAINT budget_plans_natural_key UNIQUE (platform, account_id, campaign_id, month)
);
CREATE TRIGGER trg_budget_plans_updated_at BEFORE UPDATE ON budget_plans FOR EACH ROW EXECUTE FUNCTION adops_touch_updated_at();
ALTER TABLE budget_plans ENABLE ROW LEVEL SECURITY;

-- ---------------------------------------------------------------------------
-- KPI views (plain views: always current, nothing to refresh; the names are
-- the original design's materialized views). Ratios are ratios of sums,
-- NULL when the denominator is 0, as in campaign_performance.
-- ---------------------------------------------------------------------------

CREATE VIEW mv_campaign_daily_summary WITH (security_invoker = true) AS
SELECT
	cp.platform,
	cp.account_id,
	cp.campaign_id,
	cp.campaign_name,
	cp.date,
	cp.currency,
	cp.spend,
	cp.impressions,
	cp.clicks,
	cp.conversions,
	cp.revenue,
	CASE WHEN cp.impressions > 0 THEN cp.clicks::numeric / cp.impressions END AS ctr,
	CASE WHEN cp.clicks > 0 THEN cp.spend / cp.clicks END AS cpc,
	CASE WHEN cp.conversions > 0 THEN cp.spend / cp.conversions END AS cpa,
	CASE WHEN cp.spend > 0 AND cp.revenue IS NOT NULL THEN cp.revenue / cp.spend END AS roas
FROM campaign_performance cp;

CREATE VIEW mv_platform_comparison WITH (security_invoker = true) AS
SELECT
	cp.platform,
	cp.date,
	cp.currency,
	count(DISTINCT cp.account_id)::integer AS accounts,
	count(*)::integer AS campaigns,
	sum(cp.spend) AS spend,
	sum(cp.impressions)::numeric AS impressions,
	sum(cp.clicks)::numeric AS clicks,
	sum(cp.conversions) AS conversions,
	sum(cp.revenue) AS revenue,
	CASE WHEN sum(cp.impressions) > 0 THEN sum(cp.clicks)::numeric / sum(cp.impressions) END AS ctr,
	CASE WHEN sum(cp.clicks) > 0 THEN sum(cp.spend) / sum(cp.clicks) END AS cpc,
	CASE WHEN sum(cp.conversions) > 0 THEN sum(cp.spend) / sum(cp.conversions) END AS cpa,
	CASE WHEN sum(cp.spend) > 0 AND count(cp.revenue) > 0 THEN sum(cp.revenue) / sum(cp.spend) END AS roas
FROM campaign_performance cp
GROUP BY cp.platform, cp.date, cp.currency;

-- No privilege for anon, authenticated or PUBLIC (as 20250609000200_revoke_grants.sql)
DO $$
DECLARE
	grantee text;
	rel text;
BEGIN
	FOREACH grantee IN ARRAY ARRAY['anon', 'authenticated', 'public'] LOOP
		IF grantee = 'public' OR EXISTS (SELECT 1 FROM pg_roles WHERE rolname = grantee) THEN
			IF grantee = 'public' THEN
				grantee := 'PUBLIC';
			ELSE
				grantee := quote_ident(grantee);
			END IF;
			FOREACH rel IN ARRAY ARRAY['anomalies', 'budget_plans', 'mv_campaign_daily_summary', 'mv_platform_comparison'] LOOP
				EXECUTE format('REVOKE ALL ON TABLE %I FROM %s', rel, grantee);
			END LOOP;
		END IF;
	END LOOP;
END $$;
