-- Ad-level performance (issue 20 item 2): daily metrics per ad, with its ad
-- group (Google Ads) / ad set (Meta) / campaign (LinkedIn, which has no level
-- between campaign and creative), normalised, validated and converted exactly
-- as campaign_performance, which stays the campaign rollup.
--
-- Runs on PostgreSQL 15+, PGlite and Supabase; no schema prefix (the runner
-- sets the search_path). RLS is enabled without policies; anon/authenticated/
-- PUBLIC hold no privilege (the grants contract test probes every table).

CREATE TABLE ad_performance (
	id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	date date NOT NULL,
	platform text NOT NULL CHECK (length(platform) > 0),
	account_id text NOT NULL CHECK (length(account_id) > 0),
	campaign_id text NOT NULL CHECK (length(campaign_id) > 0),
	campaign_name text,
	-- Google Ads ad group, Meta ad set; LinkedIn: the campaign id again
	ad_group_id text NOT NULL CHECK (length(ad_group_id) > 0),
	ad_group_name text,
	-- Google Ads ad id, Meta ad id, LinkedIn creative id (digits of the URN)
	ad_id text NOT NULL CHECK (length(ad_id) > 0),
	ad_name text,
	currency text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
	source_currency text CHECK (source_currency ~ '^[A-Z]{3}$'),
	fx_rate numeric CHECK (fx_rate > 0),
	fx_rate_date date,
	spend numeric NOT NULL DEFAULT 0 CHECK (spend >= 0),
	impressions bigint NOT NULL DEFAULT 0 CHECK (impressions >= 0),
	clicks bigint NOT NULL DEFAULT 0 CHECK (clicks >= 0),
	conversions numeric NOT NULL DEFAULT 0 CHECK (conversions >= 0),
	revenue numeric CHECK (revenue >= 0),
	leads numeric CHECK (leads >= 0),
	ctr numeric GENERATED ALWAYS AS (CASE WHEN impressions > 0 THEN clicks::numeric / impressions END) STORED,
	cpc numeric GENERATED ALWAYS AS (CASE WHEN clicks > 0 THEN spend / clicks END) STORED,
	cpa numeric GENERATED ALWAYS AS (CASE WHEN conversions > 0 THEN spend / conversions END) STORED,
	cpl numeric GENERATED ALWAYS AS (CASE WHEN leads > 0 THEN spend / leads END) STORED,
	roas numeric GENERATED ALWAYS AS (CASE WHEN spend > 0 THEN revenue / spend END) STORED,
	created_at timestamptz NOT NULL DEFAULT now(),
	updated_at timestamptz NOT NULL DEFAULT now(),
	CONSTRAINT ad_performance_natural_key UNIQUE (platform, account_id, campaign_id, ad_group_id, ad_id, date)
);
CREATE INDEX idx_ad_performance_account_date ON ad_performance (platform, account_id, date);
CREATE INDEX idx_ad_performance_ad ON ad_performance (platform, account_id, ad_id, date);
CREATE TRIGGER trg_ad_performance_updated_at BEFORE UPDATE ON ad_performance FOR EACH ROW EXECUTE FUNCTION adops_touch_updated_at();
ALTER TABLE ad_performance ENABLE ROW LEVEL SECURITY;

-- No privilege for anon, authenticated or PUBLIC (as 20250609000200_revoke_grants.sql)
DO $$
DECLARE
	grantee text;
BEGIN
	FOREACH grantee IN ARRAY ARRAY['anon', 'authenticated', 'public'] LOOP
		IF grantee = 'public' OR EXISTS (SELECT 1 FROM pg_roles WHERE rolname = grantee) THEN
			IF grantee = 'public' THEN
				grantee := 'PUBLIC';
			ELSE
				grantee := quote_ident(grantee);
			END IF;
			EXECUTE format('REVOKE ALL ON TABLE ad_performance FROM %s', grantee);
		END IF;
	END LOOP;
END $$;
