/**
 * The fast path of `validateMetricRow` (plain checks, no zod) must give
 * exactly what the zod schema gives: the same accepted row (values, -0, key
 * set), the same warnings, and for every rejected row the schema's reasons.
 * Compared on generated rows built from awkward values.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'vitest';
import type { DailyMetricRow } from '../../nodes/shared/platforms/types';
import {
	metricRowSchema,
	validateMetricRow,
	validateMetricRowWithSchema,
	type ValidationContext,
} from '../../nodes/shared/ingest/validate';

/** Deterministic PRNG (mulberry32). */
function rng(seed: number): () => number {
	let a = seed >>> 0;
	return () => {
		a = (a + 0x6d2b79f5) >>> 0;
		let t = a;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

const POOLS: Record<string, unknown[]> = {
	platform: ['meta', 'meta', 'klaviyo', 'google_ads', 'linkedin', 'x', 'META', '', undefined, null, 1],
	accountId: ['123', ' 123 ', 'act_123', '', '  ', undefined, null, 123, {}, '12\u00003', '123\uD800', '\uDC00123', '12😀3'],
	campaignId: ['120210000000001', ' 7 ', '', '\t', undefined, null, 7, [], '\u0000', '7\u0000', '7\uDBFF', '7\uDFFF8', '7😀'],
	campaignName: ['Prospecting', '', ' x ', null, undefined, 5, {}, false, 'Pro\u0000spect', 'Pro\uD83Dspect', '\uDE00', 'Winter 😀 sale'],
	date: ['2025-06-02', '2025-06-03', '2025-06-04', '2024-02-29', '2025-02-29', '2025-02-30', '2025-13-01', '2025-2-01', '20250602', ' 2025-06-02', '2025-06-02T00:00:00Z', '', undefined, null, 20250602],
	currency: ['EUR', 'EUR', 'eur', ' usd ', 'JPY', 'XXX', 'ZZZ', 'EURO', '', ' ', undefined, null, 5],
	amount: [0, -0, 1, 123.45, 1e-7, 1e10, 1e10 + 0.01, 1e12, 1e30, 1e21, 1e300, 5e-324, Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER + 2, -1, -1e-9, NaN, Infinity, -Infinity, null, undefined, '1', '1.234,56', true, [], {}],
	count: [0, -0, 1, 100, 311, 18_422, 1.5, 1e16, Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER + 1, -1, NaN, Infinity, null, undefined, '100', false],
};
const FIELD_POOL: Record<string, string> = {
	platform: 'platform',
	accountId: 'accountId',
	campaignId: 'campaignId',
	campaignName: 'campaignName',
	date: 'date',
	currency: 'currency',
	spend: 'amount',
	conversions: 'amount',
	revenue: 'amount',
	leads: 'amount',
	impressions: 'count',
	clicks: 'count',
};

const goodRow = (): Record<string, unknown> => ({
	platform: 'meta',
	accountId: '1234567890',
	campaignId: '120210000000001',
	campaignName: 'Prospecting',
	date: '2025-06-02',
	currency: 'EUR',
	spend: 123.45,
	impressions: 18_422,
	clicks: 311,
	conversions: 9,
	revenue: 842.1,
	leads: null,
	raw: { spend: '123.45' },
});

const CONTEXTS: ValidationContext[] = [
	{ platform: 'meta', today: '2025-06-03', timezone: 'Europe/Berlin', accountCurrency: 'EUR' },
	{ platform: 'meta', today: '2025-06-03', timezone: 'UTC', accountCurrency: null },
	{ platform: 'klaviyo', today: '2025-06-03', timezone: 'UTC', accountCurrency: 'usd' },
	{ platform: 'google_ads', today: '2025-06-04', timezone: 'America/New_York', accountCurrency: 'XXX' },
];

function same(row: unknown, ctx: ValidationContext, schema = metricRowSchema(ctx)): boolean {
	const fast = validateMetricRow(schema, row as DailyMetricRow, ctx);
	const reference = validateMetricRowWithSchema(schema, row as DailyMetricRow, ctx);
	assert.deepStrictEqual(fast, reference, `row ${String(JSON.stringify(row))} in ${JSON.stringify(ctx)}`);
	if (fast.ok) assert.deepStrictEqual(Object.keys(fast.row), Object.keys(reference.ok ? reference.row : {}));
	return fast.ok;
}

describe('validateMetricRow fast path', () => {
	test('equals the zod schema on 40,000 generated rows (accepted and rejected)', () => {
		const random = rng(20250611);
		const pick = <T>(list: T[]) => list[Math.floor(random() * list.length)];
		const fields = Object.keys(FIELD_POOL);
		let accepted = 0;
		let rejected = 0;
		for (const ctx of CONTEXTS) {
			const schema = metricRowSchema(ctx);
			for (let i = 0; i < 10_000; i++) {
				const row = goodRow();
				if (ctx.platform !== 'meta') row.platform = ctx.platform;
				const changes = Math.floor(random() * 4); // 0..3 fields changed
				for (let c = 0; c < changes; c++) {
					const field = pick(fields);
					const value = pick(POOLS[FIELD_POOL[field]]);
					if (value === undefined && random() < 0.5) delete row[field];
					else row[field] = value;
				}
				if (same(row, ctx, schema)) accepted++;
				else rejected++;
			}
		}
		// both sides of the comparison are exercised
		assert.ok(accepted > 5_000, `accepted ${accepted}`);
		assert.ok(rejected > 5_000, `rejected ${rejected}`);
	});

	test('unusual row shapes go through the schema and get its answer', () => {
		const ctx = CONTEXTS[0];
		const nullProto = Object.assign(Object.create(null) as Record<string, unknown>, goodRow());
		class Row {
			constructor() {
				Object.assign(this, goodRow());
			}
		}
		const thenable = { ...goodRow(), then: () => undefined, catch: () => undefined };
		const inherited = Object.create(goodRow()) as object;
		for (const row of [nullProto, new Row(), thenable, inherited, [goodRow()], new Date(0), new Map(Object.entries(goodRow()))]) same(row, ctx);
		assert.equal(same(nullProto, ctx), true);
	});

	test('boundaries: today, clicks = impressions, the largest safe count, -0', () => {
		const ctx = CONTEXTS[0];
		assert.equal(same({ ...goodRow(), date: '2025-06-03' }, ctx), true);
		assert.equal(same({ ...goodRow(), date: '2025-06-04' }, ctx), false);
		assert.equal(same({ ...goodRow(), clicks: 100, impressions: 100 }, ctx), true);
		assert.equal(same({ ...goodRow(), clicks: 101, impressions: 100 }, ctx), false);
		assert.equal(same({ ...goodRow(), clicks: 0, impressions: Number.MAX_SAFE_INTEGER }, ctx), true);
		assert.equal(same({ ...goodRow(), spend: -0, clicks: -0 }, ctx), true);
		const r = validateMetricRow(metricRowSchema(ctx), { ...goodRow(), spend: -0 } as unknown as DailyMetricRow, ctx);
		assert.ok(r.ok && Object.is(r.row.spend, -0));
	});
});

describe('the data boundary in ingest validation', () => {
	const ctx = CONTEXTS[0];
	const schema = metricRowSchema(ctx);
	const check = (over: Record<string, unknown>) => validateMetricRow(schema, { ...goodRow(), ...over } as unknown as DailyMetricRow, ctx);

	test('an account or campaign id with a NUL or an unpaired surrogate is refused with the reason in words, never altered', () => {
		const cases: Array<[Record<string, unknown>, RegExp]> = [
			[{ campaignId: '1202\u00001' }, /^campaign id contains a NUL character \(U\+0000\) at position 5; an identifier is never altered/],
			[{ campaignId: '1202\uD800' }, /^campaign id contains an unpaired surrogate \(U\+D800\) at position 5/],
			[{ campaignId: '\uDC00' }, /^campaign id contains an unpaired surrogate \(U\+DC00\) at position 1/],
			[{ accountId: '12\u000034' }, /^account id contains a NUL character/],
			[{ accountId: '1234\uDBFF' }, /^account id contains an unpaired surrogate \(U\+DBFF\)/],
		];
		for (const [over, reason] of cases) {
			const result = check(over);
			assert.equal(result.ok, false, JSON.stringify(over));
			if (!result.ok) assert.match(result.reasons.join('; '), reason);
			assert.deepStrictEqual(result, validateMetricRowWithSchema(schema, { ...goodRow(), ...over } as unknown as DailyMetricRow, ctx));
		}
		// a valid pair (emoji) in an id is a character like any other
		assert.equal(check({ campaignId: 'summer-😀' }).ok, true);
	});

	test('a campaign name is cleaned: NUL removed, an unpaired surrogate replaced by U+FFFD, valid pairs kept', () => {
		const cases: Array<[string, string]> = [
			['Win\u0000ter', 'Winter'],
			['Cart \uD800 Abandoners', 'Cart \uFFFD Abandoners'],
			['\uDE00\uD83D', '\uFFFD\uFFFD'],
			['Sale 😀', 'Sale 😀'],
			['\u0000', ''],
		];
		for (const [dirty, clean] of cases) {
			const fast = check({ campaignName: dirty });
			const reference = validateMetricRowWithSchema(schema, { ...goodRow(), campaignName: dirty } as unknown as DailyMetricRow, ctx);
			assert.ok(fast.ok && reference.ok);
			assert.equal(fast.row.campaignName, clean);
			assert.equal(reference.row.campaignName, clean);
		}
	});

	test('spend and revenue above the currency ceiling (10^12 minor units a day for one campaign) are refused in words; at the ceiling they pass', () => {
		const over = check({ spend: 1e30 });
		assert.equal(over.ok, false);
		if (!over.ok) {
			assert.deepEqual(over.reasons, [
				'spend of 1,000,000,000,000,000,000,000,000,000,000 EUR is above the ceiling of 10,000,000,000 EUR a day for one campaign (1,000,000,000,000 minor units)',
			]);
		}
		assert.equal(check({ spend: 1e10 }).ok, true, 'exactly the EUR ceiling');
		assert.equal(check({ spend: 1e10 + 0.01 }).ok, false);
		const revenue = check({ revenue: 2e10 });
		assert.ok(!revenue.ok && /^revenue of 20,000,000,000 EUR is above the ceiling/.test(revenue.reasons[0]!));
		// per currency, from its ISO 4217 exponent
		const jpy = (spend: number) => validateMetricRow(schema, { ...goodRow(), currency: 'JPY', spend } as unknown as DailyMetricRow, ctx);
		assert.equal(jpy(1e12).ok, true);
		assert.equal(jpy(1e12 + 1).ok, false);
		const kwd = (spend: number) => validateMetricRow(schema, { ...goodRow(), currency: 'KWD', spend } as unknown as DailyMetricRow, ctx);
		assert.equal(kwd(1e9).ok, true);
		assert.equal(kwd(1.5e9).ok, false);
	});

	test('non-finite money is refused: NaN, Infinity and a decimal text beyond the double range', () => {
		for (const spend of [NaN, Infinity, -Infinity, Number('1e400')]) {
			const result = check({ spend });
			assert.equal(result.ok, false, String(spend));
			if (!result.ok) assert.match(result.reasons.join('; '), /spend: not a finite number|spend: not a number/);
		}
	});
});
