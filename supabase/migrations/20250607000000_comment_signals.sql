-- Comment signals as optimization metrics (issue 7, item 5): per ad and day,
-- how many comments people wrote and how many of them were negative or
-- abusive, read by the optimization rules as campaign metrics (`comments`,
-- `negative_comments`, `abusive_comments`, `negative_comment_share`,
-- `abusive_comment_share`; nodes/shared/rules/README.md).
--
-- The table itself came with the moderation run layer
-- (20250606000000_moderation.sql): one row per (platform, account_id, ad_id,
-- date), `date` the comment's calendar day in the ad account's time zone
-- (UTC when the moderation run is not told the zone), written by
-- nodes/shared/moderation/run.ts (`moderate`, `refreshCommentSignals`).
-- Column meanings, unchanged:
--   comments           comments counted: every classified comment of the
--                      ad and day except spam and scams (also hidden and
--                      removed ones)
--   negative_comments  counted comments with a negative sentiment
--   abusive_comments   counted comments classified harassment_abuse or hate
--   excluded_comments  spam and scam_phishing comments (not in `comments`)
--   negative_share, abusive_share
--                      the day's ratios to 4 decimals, NULL when comments = 0
--                      (rules recompute ratios from the counts of a window)
--
-- This migration adds the indexes of the two readers. Runs unchanged on
-- PostgreSQL 15+, PGlite and Supabase; no schema prefix (the migration runner
-- places objects via search_path).

-- The optimizer reads the signal of the run's accounts since the first day
-- its rules look at, in one query (nodes/shared/rules/run.ts).
CREATE INDEX idx_ad_comment_signals_account_date ON ad_comment_signals (platform, account_id, date);

-- A refresh recomputes the days of given ads and reads their stored rows
-- (the natural key starts with account_id, which a refresh does not filter on).
CREATE INDEX idx_ad_comment_signals_ad_date ON ad_comment_signals (platform, ad_id, date);
