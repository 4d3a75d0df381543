-- Local-development seed: a handful of FX reference rates so currency
-- conversion has something to work with before the first ingest run.
-- Rates are approximate ECB euro reference rates for 2 January 2025
-- (1 EUR = rate units of quote), rounded to 4 decimals; production rates are
-- written by the ingest job. The optimization rules below follow.
INSERT INTO fx_rates (base, quote, rate_date, rate, source) VALUES
	('EUR', 'USD', '2025-01-02', 1.0321, 'seed:ecb-approx'),
	('EUR', 'GBP', '2025-01-02', 0.8283, 'seed:ecb-approx'),
	('EUR', 'JPY', '2025-01-02', 162.88, 'seed:ecb-approx'),
	('EUR', 'CAD', '2025-01-02', 1.4866, 'seed:ecb-approx'),
	('EUR', 'AUD', '2025-01-02', 1.6647, 'seed:ecb-approx')
ON CONFLICT (base, quote, rate_date) DO NOTHING;

-- Optimization rules that mirror common practice: nodes/shared/rules/seeds.ts
-- (SEED_RULES) through ruleToRow, one row each (the optimizer reads a rule's
-- id as its row uuid; `conditions.key` keeps the seed's own id). Money
-- thresholds are in the metric rows' currency, so every seed is scoped to
-- currencies worth about one US dollar; copy a rule with other thresholds for
-- JPY, INR and the like. The optimizer starts in dry run: these rules change
-- nothing until the AdOps Optimizer node is switched to live. The rule on
-- abusive comments reads the moderation signal (ad_comment_signals) and is
-- seeded inactive: enable it where AdOps Moderation runs; its pause always
-- waits for approval. Existing rules of the same name are left as they are.
-- test/contract/optimizer-run.test.ts checks that these rows read back as
-- SEED_RULES.
INSERT INTO optimization_rules (rule_name, platform, rule_type, conditions, actions, service_time_gating, priority, is_active) VALUES
	('Stop-loss: spend today without a conversion',
		NULL,
		'pause',
		'{"key":"stop-loss-today","description":"Pause a campaign that has spent 200 or more today without a single conversion. Needs intraday rows for today (an hourly ingest of the current day); with daily ingest only it never fires.","scope":{"currencies":["USD","EUR","GBP","CHF","CAD","AUD","NZD","SGD"]},"when":{"all":[{"metric":"spend","window":{"kind":"today"},"op":">=","value":200,"ifUndefined":"no_match"},{"metric":"conversions","window":{"kind":"today"},"op":"<=","value":0,"ifUndefined":"no_match"}]},"requireApproval":false}'::jsonb,
		'[{"type":"pause"}]'::jsonb,
		'{"minData":{"spend":200,"window":{"kind":"today"}}}'::jsonb,
		5,
		true),
	('Pause on high CPA with enough spend',
		NULL,
		'pause',
		'{"key":"pause-high-cpa","description":"Pause a campaign out of its learning period whose CPA over the last 7 days is above 50, or that has no conversion at all, once it has spent at least 150 and had 100 clicks in those 7 days.","scope":{"currencies":["USD","EUR","GBP","CHF","CAD","AUD","NZD","SGD"]},"when":{"all":[{"metric":"cpa","window":{"kind":"last_n_days","days":7},"op":">","value":50,"ifUndefined":"match"}]},"requireApproval":false}'::jsonb,
		'[{"type":"pause"}]'::jsonb,
		'{"minData":{"spend":150,"clicks":100,"window":{"kind":"last_n_days","days":7}},"minEntityAgeDays":7}'::jsonb,
		10,
		true),
	('Pause when abusive comments pass 20% (approval)',
		'meta',
		'pause',
		'{"key":"pause-abusive-comments","description":"Propose pausing a Meta campaign when more than 20% of the comments under its ads over the last 7 days were abusive (harassment or hate), once those days had at least 30 comments (spam and scams not counted). Needs the AdOps Moderation node with the ad account time zone; disabled until you enable it.","scope":{"platforms":["meta"]},"when":{"all":[{"metric":"abusive_comment_share","window":{"kind":"last_n_days","days":7},"op":">","value":0.2,"ifUndefined":"no_match"},{"metric":"comments","window":{"kind":"last_n_days","days":7},"op":">=","value":30,"ifUndefined":"no_match"}]},"requireApproval":true}'::jsonb,
		'[{"type":"pause"}]'::jsonb,
		'{}'::jsonb,
		20,
		false),
	('Scale winners by up to 20%',
		NULL,
		'scale_budget',
		'{"key":"scale-winners","description":"Raise the daily budget by 20% (never more) for a campaign with ROAS 3 or better and at least 10 conversions over the last 7 days, whose CPA did not rise more than 10% against the 7 days before. Weekdays 08:00-18:00 account time, at most every 72 h.","scope":{"currencies":["USD","EUR","GBP","CHF","CAD","AUD","NZD","SGD"]},"when":{"all":[{"metric":"roas","window":{"kind":"last_n_days","days":7},"op":">=","value":3,"ifUndefined":"no_match"},{"metric":"conversions","window":{"kind":"last_n_days","days":7},"op":">=","value":10,"ifUndefined":"no_match"},{"metric":"cpa","window":{"kind":"last_n_days","days":7},"op":"<=","value":10,"compareTo":"previous_window","ifUndefined":"no_match"}]},"requireApproval":false}'::jsonb,
		'[{"type":"scale_budget","percent":20}]'::jsonb,
		'{"minData":{"spend":300,"conversions":10,"window":{"kind":"last_n_days","days":7}},"minEntityAgeDays":7,"schedule":[{"days":["mon","tue","wed","thu","fri"],"from":"08:00","to":"18:00"}],"cooldownHours":72,"maxChangePct":20}'::jsonb,
		50,
		true),
	('Notify: CPA up more than 50% against the previous 3 days',
		NULL,
		'notify',
		'{"key":"notify-cpa-spike","description":"Tell the channel when the CPA of the last 3 days is more than 50% above the 3 days before, with at least 50 spent.","scope":{"currencies":["USD","EUR","GBP","CHF","CAD","AUD","NZD","SGD"]},"when":{"all":[{"metric":"cpa","window":{"kind":"last_n_days","days":3},"op":">","value":50,"compareTo":"previous_window","ifUndefined":"no_match"},{"metric":"spend","window":{"kind":"last_n_days","days":3},"op":">=","value":50,"ifUndefined":"no_match"}]},"requireApproval":false}'::jsonb,
		'[{"type":"notify","message":"CPA spiked: check creatives, audiences and tracking"}]'::jsonb,
		'{}'::jsonb,
		90,
		true)
ON CONFLICT (rule_name) DO NOTHING;
