-- KPI views, per account (issue 18, item 5).
--
-- 20250611000000_insights.sql created the original design's two views:
-- mv_campaign_daily_summary (one row per campaign and day) and
-- mv_platform_comparison (one row per platform, day and reporting currency).
-- This adds the level between them, mv_account_daily_summary: one row per
-- platform, account, day and reporting currency. AdOps Insights → Push KPIs
-- reads the three levels (nodes/shared/insights/kpi.ts) and sends them to
-- Databox.
--
-- Money: campaign_performance holds every amount in its row's reporting
-- currency (`currency`; the platform's own currency and the FX rate used are
-- `source_currency` and `fx_rate`, converted at ingest), so sums are taken
-- per currency and never across currencies.
--
-- Ratios are ratios of the day's sums, exactly as mv_platform_comparison and
-- nodes/shared/metrics (DERIVED_DEFINITIONS, derivedMetrics): NULL when the
-- denominator is 0; ROAS NULL when no campaign reports revenue.
-- test/contract/databox-push.test.ts checks the views' ratios against
-- derivedMetrics on the same rows.
--
-- Runs on PostgreSQL 15+, PGlite and Supabase; no schema prefix (the runner
-- sets the search_path). security_invoker: the view reads
-- campaign_performance with the caller's rights (its RLS applies), and
-- anon/authenticated/PUBLIC hold no privilege on it.

CREATE VIEW mv_account_daily_summary WITH (security_invoker = true) AS
SELECT
	cp.platform,
	cp.account_id,
	cp.date,
	cp.currency,
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
GROUP BY cp.platform, cp.account_id, cp.date, cp.currency;

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
			EXECUTE format('REVOKE ALL ON TABLE %I FROM %s', 'mv_account_daily_summary', grantee);
		END IF;
	END LOOP;
END $$;
