-- Attributed conversions (issue 22, item 2): conversions and revenue credited
-- to each platform and campaign per day under each attribution model
-- (nodes/shared/attribution/run.ts), computed from marketing_events. One row
-- per model, conversion day (UTC), platform, campaign and currency; a rerun
-- over the same days overwrites its rows and sets rows it no longer produces
-- to zero. `platform` is a registry id, or `utm:<source>/<medium>` for touches
-- known only by their UTM parameters; `campaign_id` is '' when unknown.
--
-- Runs unchanged on PostgreSQL 15+, PGlite and Supabase; no schema prefix.

CREATE TABLE attributed_conversions (
	id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	model text NOT NULL CHECK (model IN ('last_click', 'first_click', 'linear', 'time_decay', 'position_based', 'markov', 'shapley')),
	date date NOT NULL,
	platform text NOT NULL CHECK (platform <> ''),
	campaign_id text NOT NULL DEFAULT '',
	currency text NOT NULL DEFAULT '',
	conversions numeric NOT NULL CHECK (conversions >= 0),
	revenue numeric NOT NULL CHECK (revenue >= 0),
	lookback_days integer NOT NULL CHECK (lookback_days > 0),
	computed_at timestamptz NOT NULL,
	created_at timestamptz NOT NULL DEFAULT now(),
	updated_at timestamptz NOT NULL DEFAULT now(),
	CONSTRAINT attributed_conversions_key UNIQUE (model, date, platform, campaign_id, currency)
);

CREATE INDEX idx_attributed_conversions_date ON attributed_conversions (date);

CREATE TRIGGER trg_attributed_conversions_updated_at BEFORE UPDATE ON attributed_conversions FOR EACH ROW EXECUTE FUNCTION adops_touch_updated_at();

ALTER TABLE attributed_conversions ENABLE ROW LEVEL SECURITY;
