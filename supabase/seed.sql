-- Local-development seed: a handful of FX reference rates so currency
-- conversion has something to work with before the first ingest run.
-- Rates are approximate ECB euro reference rates for 2 January 2025
-- (1 EUR = rate units of quote), rounded to 4 decimals; production rates are
-- written by the ingest job. Rules are not seeded here.
INSERT INTO fx_rates (base, quote, rate_date, rate, source) VALUES
	('EUR', 'USD', '2025-01-02', 1.0321, 'seed:ecb-approx'),
	('EUR', 'GBP', '2025-01-02', 0.8283, 'seed:ecb-approx'),
	('EUR', 'JPY', '2025-01-02', 162.88, 'seed:ecb-approx'),
	('EUR', 'CAD', '2025-01-02', 1.4866, 'seed:ecb-approx'),
	('EUR', 'AUD', '2025-01-02', 1.6647, 'seed:ecb-approx')
ON CONFLICT (base, quote, rate_date) DO NOTHING;
