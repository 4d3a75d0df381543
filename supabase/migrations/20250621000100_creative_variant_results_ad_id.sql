-- creative_variant_results: the ad id derived from platform_ad_id by the ONE
-- rule of nodes/shared/ingest/variant-ads.ts `storedAdId`, for every platform
-- (it stopped branching on the platform in fe1b928; 20250621000000 still did,
-- so the view and the TS disagreed: a Google Ads variant holding a LinkedIn
-- URN, a Meta variant holding an ad group ad's resource name, an id with a
-- trailing newline or a non-breaking space, "xadGroupAds/1~2").
--
-- The rule: trim JavaScript's whitespace (String.prototype.trim's set), then
-- the digits at the end after "/adGroupAds/<digits>~", after a leading
-- "urn:li:sponsoredCreative:", or the whole id when it is all digits; else
-- NULL. test/contract/creative-learning.test.ts checks the view against
-- storedAdId on every form, odd ones included.
--
-- CREATE OR REPLACE keeps the columns, their order and types, and the
-- privileges 20250621000000 revoked. Runs on PostgreSQL 15+, PGlite and
-- Supabase; no schema prefix.

CREATE OR REPLACE VIEW creative_variant_results WITH (security_invoker = true) AS
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
		substring(
			btrim(cv.platform_ad_id, E' \t\n\r\f\u000B\u00A0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200A\u2028\u2029\u202F\u205F\u3000\uFEFF')
			FROM '(?:/adGroupAds/[0-9]+~|^urn:li:sponsoredCreative:|^)([0-9]+)$'
		) AS ad_id
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
