import assert from 'node:assert/strict';
import { describe, test } from 'vitest';
import type { DailyMetricRow } from '../../nodes/shared/platforms/types';
import { computeWindow, dayIn } from '../../nodes/shared/ingest/dates';
import { FxTable, convertMoney, roundMoney } from '../../nodes/shared/ingest/fx';
import { prepareRows, type PrepareOptions } from '../../nodes/shared/ingest/normalize';
import { metricRowSchema, validateMetricRow, type ValidationContext } from '../../nodes/shared/ingest/validate';
import { quarantineHash, toJsonSafe } from '../../nodes/shared/ingest/quarantine';

const metaRow = (over: Partial<DailyMetricRow> = {}): DailyMetricRow => ({
	platform: 'meta',
	accountId: '1234567890',
	campaignId: '120210000000001',
	campaignName: 'Prospecting — Lookalike 1%',
	date: '2025-06-02',
	currency: 'EUR',
	spend: 123.45,
	impressions: 18_422,
	clicks: 311,
	conversions: 9,
	revenue: 842.1,
	leads: null,
	raw: { campaign_id: '120210000000001', date_start: '2025-06-02', spend: '123.45', impressions: '18422', clicks: '311' },
	...over,
});

const ctx: ValidationContext = { platform: 'meta', today: '2025-06-03', timezone: 'Europe/Berlin', accountCurrency: 'EUR' };
const schema = metricRowSchema(ctx);
const reasons = (row: DailyMetricRow, c: ValidationContext = ctx) => {
	const r = validateMetricRow(c === ctx ? schema : metricRowSchema(c), row, c);
	return r.ok ? [] : r.reasons;
};

describe('validation', () => {
	test('a realistic Meta row passes unchanged', () => {
		const r = validateMetricRow(schema, metaRow(), ctx);
		assert.ok(r.ok);
		assert.deepEqual(r.warnings, []);
		assert.equal(r.row.spend, 123.45);
		assert.equal(r.row.currency, 'EUR');
	});

	test('non-numeric values are quarantined with the original value', () => {
		assert.deepEqual(reasons(metaRow({ spend: '1.234,56' })), ['spend: not a number (got "1.234,56")']);
		assert.deepEqual(reasons(metaRow({ impressions: { value: 3 } })), ['impressions: not a number (got {"value":3})']);
		assert.deepEqual(reasons(metaRow({ revenue: Number.NaN })), ['revenue: not a number (got NaN)']);
		assert.deepEqual(reasons(metaRow({ spend: Number.POSITIVE_INFINITY })), ['spend: not a finite number (got Infinity)']);
	});

	test('negative values are quarantined', () => {
		assert.deepEqual(reasons(metaRow({ spend: -12.5 })), ['spend: negative (got -12.5)']);
		assert.deepEqual(reasons(metaRow({ conversions: -1 })), ['conversions: negative (got -1)']);
	});

	test('fractional impressions or clicks are quarantined, fractional conversions kept', () => {
		assert.deepEqual(reasons(metaRow({ clicks: 31.5 })), ['clicks: not a whole number (got 31.5)']);
		assert.deepEqual(reasons(metaRow({ conversions: 2.37 })), []);
	});

	test('clicks > impressions is quarantined', () => {
		assert.deepEqual(reasons(metaRow({ impressions: 100, clicks: 120, conversions: 3 })), ['clicks (120) > impressions (100)']);
	});

	test('for email (Klaviyo), clicks > impressions is kept with a warning: clicks arrive after the send day', () => {
		const k: ValidationContext = { platform: 'klaviyo', today: '2025-06-03', timezone: 'America/New_York', accountCurrency: 'USD' };
		const row = metaRow({ platform: 'klaviyo', accountId: 'Nw7Kq2', campaignId: '01K0CAMPAIGN', currency: 'USD', spend: 0, impressions: 0, clicks: 77, conversions: 2 });
		const r = validateMetricRow(metricRowSchema(k), row, k);
		assert.equal(r.ok, true, JSON.stringify(r));
		if (r.ok) assert.match(r.warnings.join('\n'), /clicks \(77\) > impressions \(0\): kept/);
		// The same numbers from an ad platform are impossible, and quarantined.
		assert.match(reasons({ ...row, platform: 'meta' }).join('\n'), /clicks \(77\) > impressions \(0\)/);
	});

	test('conversions > clicks is kept with a warning (view-through)', () => {
		const r = validateMetricRow(schema, metaRow({ clicks: 4, conversions: 9 }), ctx);
		assert.ok(r.ok);
		assert.match(r.warnings[0], /conversions \(9\) > clicks \(4\)/);
	});

	test('dates after today in the account time zone are quarantined; today is accepted', () => {
		assert.deepEqual(reasons(metaRow({ date: '2025-06-04' })), ['2025-06-04 is in the future (today in Europe/Berlin is 2025-06-03)']);
		assert.deepEqual(reasons(metaRow({ date: '2025-06-03' })), []);
		assert.deepEqual(reasons(metaRow({ date: '2025-02-30' })), ['date: must be a date YYYY-MM-DD (got "2025-02-30")']);
		// 23:30 UTC on June 2 is already June 3 in Berlin
		assert.equal(dayIn('Europe/Berlin', new Date('2025-06-02T23:30:00Z')), '2025-06-03');
		assert.equal(dayIn('America/Los_Angeles', new Date('2025-06-03T05:00:00Z')), '2025-06-02');
	});

	test('unknown or missing currency is quarantined; lower case and the account currency are accepted', () => {
		assert.deepEqual(reasons(metaRow({ currency: 'EURO' })), ['"EURO" is not an ISO 4217 currency code']);
		assert.deepEqual(reasons(metaRow({ currency: 'XYZ' })), ['"XYZ" is not an ISO 4217 currency code']);
		assert.deepEqual(reasons(metaRow({ currency: null }), { ...ctx, accountCurrency: null }), ['currency is missing (neither the row nor the account has one)']);
		const r = validateMetricRow(schema, metaRow({ currency: null }), ctx);
		assert.ok(r.ok && r.row.currency === 'EUR');
		const lower = validateMetricRow(schema, metaRow({ currency: 'usd' }), ctx);
		assert.ok(lower.ok && lower.row.currency === 'USD');
	});

	test('missing ids are quarantined, every reason at once', () => {
		assert.deepEqual(reasons(metaRow({ campaignId: '' })), ['campaign id is missing']);
		assert.deepEqual(reasons(metaRow({ accountId: '  ', campaignId: undefined as unknown as string, date: '' })), [
			'account id is missing',
			'campaign id is missing',
			'date: must be a date YYYY-MM-DD (got "")',
		]);
		assert.deepEqual(reasons(metaRow({ platform: 'linkedin' })), ['"linkedin" is not the run\'s platform meta']);
	});

	test('unreported metrics: zero for counts and spend, null for revenue and leads', () => {
		const r = validateMetricRow(schema, metaRow({ spend: null, impressions: null, clicks: null, conversions: 3, revenue: null }), ctx);
		assert.ok(r.ok);
		assert.deepEqual([r.row.spend, r.row.impressions, r.row.clicks, r.row.revenue, r.row.leads], [0, 0, 0, null, null]);
		assert.deepEqual(r.warnings, [], 'no clicks reported: conversions > clicks is not flagged');
	});
});

describe('FX conversion', () => {
	const fx = new FxTable('USD', [
		{ base: 'EUR', quote: 'USD', rate_date: '2025-05-30', rate: 1.1347 }, // Friday
		{ base: 'EUR', quote: 'USD', rate_date: '2025-06-02', rate: 1.1439 },
		{ base: 'USD', quote: 'JPY', rate_date: '2025-06-02', rate: 143.2 },
		{ base: 'GBP', quote: 'USD', rate_date: '2025-05-01', rate: 1.3321 },
	]);

	test('uses the rate of the row date, to the cent, rounding half away from zero', () => {
		const r = fx.lookup('EUR', '2025-06-02');
		assert.ok(r.ok);
		assert.deepEqual([r.fx.rate, r.fx.rateDate, r.fx.kind], [1.1439, '2025-06-02', 'direct']);
		assert.equal(convertMoney(123.45, r.fx, 'USD'), 141.21); // 141.214455
		assert.equal(convertMoney(0.1, r.fx, 'USD'), 0.11); // 0.11439
		assert.equal(convertMoney(842.1, r.fx, 'USD'), 963.28); // 963.27819
	});

	test('decimal-exact: no float drift on ties', () => {
		const half = new FxTable('USD', [{ base: 'EUR', quote: 'USD', rate_date: '2025-06-02', rate: 1.5 }]).lookup('EUR', '2025-06-02');
		assert.ok(half.ok);
		// 10.05 × 1.5 = 15.075 exactly → 15.08 (float: 10.05 * 1.5 = 15.075000000000001, 1.005 * 1.5 = 1.5074999999999998)
		assert.equal(convertMoney(10.05, half.fx, 'USD'), 15.08);
		assert.equal(convertMoney(1.005, half.fx, 'USD'), 1.51);
		assert.equal(roundMoney(1.005, 'USD'), 1.01); // Math.round(1.005 * 100) / 100 gives 1
		assert.equal(roundMoney(2.675, 'EUR'), 2.68); // (2.675).toFixed(2) gives 2.67
	});

	test('takes the latest earlier rate over a weekend', () => {
		const r = fx.lookup('EUR', '2025-06-01'); // Sunday
		assert.ok(r.ok);
		assert.deepEqual([r.fx.rate, r.fx.rateDate], [1.1347, '2025-05-30']);
		assert.equal(convertMoney(100, r.fx, 'USD'), 113.47);
	});

	test('inverse quotes divide', () => {
		const jpyFx = new FxTable('JPY', [{ base: 'USD', quote: 'JPY', rate_date: '2025-06-02', rate: 143.2 }]);
		const direct = jpyFx.lookup('USD', '2025-06-02');
		assert.ok(direct.ok);
		assert.equal(convertMoney(12.34, direct.fx, 'JPY'), 1767); // 1767.088 → JPY has no minor unit
		const inverse = fx.lookup('JPY', '2025-06-02');
		assert.ok(inverse.ok);
		assert.equal(inverse.fx.kind, 'inverse');
		assert.equal(convertMoney(10_000, inverse.fx, 'USD'), 69.83); // 10000 / 143.2 = 69.8324…
		assert.equal(inverse.fx.rate, 0.006983240223);
	});

	test('missing or stale rates give a reason naming the pair and date', () => {
		assert.deepEqual(fx.lookup('CHF', '2025-06-02'), { ok: false, reason: 'no FX rate CHF→USD on or before 2025-06-02' });
		assert.deepEqual(fx.lookup('EUR', '2025-05-29'), { ok: false, reason: 'no FX rate EUR→USD on or before 2025-05-29' });
		assert.deepEqual(fx.lookup('GBP', '2025-06-02'), {
			ok: false,
			reason: 'FX rate GBP→USD for 2025-06-02 is stale: latest is from 2025-05-01 (32 days, limit 7)',
		});
	});

	test('same currency: identity, rate 1, no rate date', () => {
		const r = fx.lookup('USD', '2025-06-02');
		assert.ok(r.ok);
		assert.deepEqual([r.fx.rate, r.fx.rateDate, r.fx.kind], [1, null, 'identity']);
	});
});

describe('prepareRows', () => {
	const opts: PrepareOptions = {
		...ctx,
		reportingCurrency: 'USD',
		fx: new FxTable('USD', [{ base: 'EUR', quote: 'USD', rate_date: '2025-06-02', rate: 1.1439 }]),
		ingestRunId: null,
	};

	test('converts good rows, quarantines bad ones with the raw payload, continues', () => {
		const batch = prepareRows(
			[
				metaRow(),
				metaRow({ campaignId: '2', spend: 'n/a', raw: { campaign_id: '2', spend: 'n/a' } }),
				metaRow({ campaignId: '3', currency: 'CHF' }),
				metaRow({ campaignId: '4', clicks: 2, conversions: 5 }),
			],
			opts,
		);
		assert.equal(batch.rows.length, 2);
		assert.deepEqual(batch.rows[0], {
			date: '2025-06-02',
			platform: 'meta',
			account_id: '1234567890',
			campaign_id: '120210000000001',
			campaign_name: 'Prospecting — Lookalike 1%',
			currency: 'USD',
			source_currency: 'EUR',
			fx_rate: 1.1439,
			fx_rate_date: '2025-06-02',
			spend: 141.21,
			impressions: 18_422,
			clicks: 311,
			conversions: 9,
			revenue: 963.28,
			leads: null,
			ingest_run_id: null,
		});
		assert.deepEqual(
			batch.quarantined.map((q) => q.reason),
			[
				'meta account 1234567890 campaign 2 on 2025-06-02: spend: not a number (got "n/a")',
				'meta account 1234567890 campaign 3 on 2025-06-02: no FX rate CHF→USD on or before 2025-06-02',
			],
		);
		assert.deepEqual(batch.quarantined[0].payload, { campaign_id: '2', spend: 'n/a' });
		assert.equal(batch.flagged, 1);
	});

	test('duplicate natural keys collapse, last wins', () => {
		const batch = prepareRows([metaRow({ spend: 1 }), metaRow({ spend: 2 })], opts);
		assert.equal(batch.rows.length, 1);
		assert.equal(batch.duplicates, 1);
		assert.equal(batch.rows[0].spend, 2.29); // 2 × 1.1439 = 2.2878
	});
});

describe('quarantine payload', () => {
	test('JSON-safe copy and a hash independent of key order', () => {
		assert.deepEqual(toJsonSafe({ a: Number.NaN, b: 10n, c: undefined, d: [Infinity] }), { a: 'NaN', b: '10', d: ['Infinity'] });
		assert.equal(quarantineHash('meta', '1', { a: 1, b: 2 }, 'r'), quarantineHash('meta', '1', { b: 2, a: 1 }, 'r'));
		assert.notEqual(quarantineHash('meta', '1', { a: 1 }, 'r'), quarantineHash('meta', '1', { a: 1 }, 'other reason'));
	});
});

describe('ingest window', () => {
	test('first run backfills initialBackfillDays ending yesterday', () => {
		assert.deepEqual(computeWindow({ lastEnd: null, lookbackDays: 3, initialBackfillDays: 30, today: '2025-06-10' }), {
			start: '2025-05-11',
			end: '2025-06-09',
			mode: 'backfill',
			lastEnd: null,
		});
	});

	test('incremental run re-fetches the last lookbackDays loaded days', () => {
		assert.deepEqual(computeWindow({ lastEnd: '2025-06-09', lookbackDays: 3, initialBackfillDays: 30, today: '2025-06-11' }), {
			start: '2025-06-07',
			end: '2025-06-10',
			mode: 'incremental',
			lastEnd: '2025-06-09',
		});
		// same day again: only the lookback days
		assert.deepEqual(computeWindow({ lastEnd: '2025-06-10', lookbackDays: 3, initialBackfillDays: 30, today: '2025-06-11' })?.start, '2025-06-08');
		// lookback 0 after a gap: strictly the missing days
		assert.deepEqual(computeWindow({ lastEnd: '2025-06-05', lookbackDays: 0, initialBackfillDays: 30, today: '2025-06-11' })?.start, '2025-06-06');
		// across a month boundary
		assert.equal(computeWindow({ lastEnd: '2025-03-01', lookbackDays: 2, initialBackfillDays: 30, today: '2025-03-02' })?.start, '2025-02-28');
	});

	test('nothing to fetch when loaded through yesterday without lookback', () => {
		assert.equal(computeWindow({ lastEnd: '2025-06-10', lookbackDays: 0, initialBackfillDays: 30, today: '2025-06-11' }), null);
	});

	test('rejects nonsense settings', () => {
		assert.throws(() => computeWindow({ lastEnd: null, lookbackDays: -1, initialBackfillDays: 30, today: '2025-06-11' }), /lookbackDays/);
		assert.throws(() => computeWindow({ lastEnd: null, lookbackDays: 1, initialBackfillDays: 0, today: '2025-06-11' }), /initialBackfillDays/);
	});
});
