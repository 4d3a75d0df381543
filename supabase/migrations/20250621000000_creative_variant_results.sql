-- creative_variant_results: each published creative variant with its ad's
-- summed daily results (issue 20 item 3, the learning loop).
--
-- One row per published variant (platform_ad_id set) and reporting currency
-- of its ad's rows; a variant whose ad has no stored day yet has one row with
-- currency NULL and zero sums (LEFT JOIN), so the learning loop can name it
-- "information missing" instead of losing it.
--
-- The join key is the ad id ad_performance stores, derived from the
-- variant's platform_ad_id exactly as nodes/shared/ingest/variant-ads.ts
-- `storedAdId` does (test/contract/creative-learning.test.ts checks that both
-- give the same ad for every platform's id form):
--   google_ads  customers/C/adGroupAds/G~A  -> A   (or a bare numeric id)
--   linkedin    urn:li:sponsoredCreative:N  -> N   (or a bare numeric id)
--   others      a bare numeric id (Meta ad id)
-- The account must match when the variant has one.
--
-- Only sums here: the ratios (CTR, CPA, ROAS) are computed by
-- nodes/shared/metrics from these sums, the one place they are defined.
--
-- Runs on PostgreSQL 15+, PGlite and Supabase; no schema prefix.
-- security_invoker: reads both tables with the caller's rights.

CREATE VIEW creative_variant_results WITH (security_invoker = true) AS
WITH v AS (
	SELECT
		cv.id,
		cv.platform,
		cv.account_id,
		cv.campaign_id,
		cv.copy_angle,
		cv.headline,
		cv.primary_text,
		cv.description,
		cv.platform_ad_id,
		cv.published_at,
		CASE
			WHEN cv.platform = 'google_ads' THEN coalesce(substring(btrim(cv.platform_ad_id) FROM 'adGroupAds/[0-9]+~([0-9]+)$'), substring(btrim(cv.platform_ad_id) FROM '^([0-9]+)$'))
			WHEN cv.platform = 'linkedin' THEN coalesce(substring(btrim(cv.platform_ad_id) FROM '^urn:li:sponsoredCreative:([0-9]+)$'), substring(btrim(cv.platform_ad_id) FROM '^([0-9]+)$'))
			ELSE substring(btrim(cv.platform_ad_id) FROM '^([0-9]+)$')
		END AS ad_id
	FROM creative_variants cv
	WHERE cv.platform_ad_id IS NOT NULL
)
SELECT
	v.id::text AS variant_id,
	v.platform,
	v.account_id,
	v.campaign_id,
	v.copy_angle,
	v.headline,
	v.primary_text,
	v.description,
	v.platform_ad_id,
	v.published_at,
	v.ad_id,
	ap.currency,
	count(ap.id)::integer AS days,
	coalesce(sum(ap.spend), 0) AS spend,
	coalesce(sum(ap.impressions), 0)::numeric AS impressions,
	coalesce(sum(ap.clicks), 0)::numeric AS clicks,
	coalesce(sum(ap.conversions), 0) AS conversions,
	sum(ap.revenue) AS revenue
FROM v
LEFT JOIN ad_performance ap
	ON ap.platform = v.platform
	AND ap.ad_id = v.ad_id
	AND (v.account_id IS NULL OR ap.account_id = v.account_id)
GROUP BY v.id, v.platform, v.account_id, v.campaign_id, v.copy_angle, v.headline, v.primary_text, v.description, v.platform_ad_id, v.published_at, v.ad_id, ap.currency;

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
			EXECUTE format('REVOKE ALL ON TABLE %I FROM %s', 'creative_variant_results', grantee);
		END IF;
	END LOOP;
END $$;
