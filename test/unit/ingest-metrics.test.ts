import assert from 'node:assert/strict';
import { describe, test } from 'vitest';
import fc from 'fast-check';
import { divide, fromNumber, parseDecimal, pgDivScale, pgDivide, round, toPlainString } from '../../nodes/shared/text/decimal';
import { derivedMetrics } from '../../nodes/shared/ingest/metrics';

describe('decimal', () => {
	test('reads numbers as the decimal their JSON text denotes', () => {
		assert.deepEqual(fromNumber(12.34), { int: 1234n, scale: 2 });
		assert.deepEqual(fromNumber(1e-7), { int: 1n, scale: 7 });
		assert.deepEqual(fromNumber(1.5e21), { int: 1_500_000_000_000_000_000_000n, scale: 0 });
		assert.deepEqual(parseDecimal('-0.50'), { int: -50n, scale: 2 });
		assert.equal(toPlainString({ int: -5n, scale: 3 }), '-0.005');
	});

	test('rounds half away from zero', () => {
		assert.equal(toPlainString(round(parseDecimal('2.345'), 2)), '2.35');
		assert.equal(toPlainString(round(parseDecimal('-2.345'), 2)), '-2.35');
		assert.equal(toPlainString(round(parseDecimal('2.3449'), 2)), '2.34');
		assert.equal(toPlainString(divide(parseDecimal('1'), parseDecimal('3'), 4)), '0.3333');
		assert.equal(toPlainString(divide(parseDecimal('2'), parseDecimal('3'), 4)), '0.6667');
	});

	test('picks the result scale PostgreSQL picks (values checked against psql)', () => {
		// SELECT 1::numeric/3 → 0.33333333333333333333 (20 decimals)
		assert.equal(toPlainString(pgDivide(parseDecimal('1'), parseDecimal('3'))), '0.33333333333333333333');
		// SELECT 10::numeric/4 → 2.5000000000000000
		assert.equal(toPlainString(pgDivide(parseDecimal('10'), parseDecimal('4'))), '2.5000000000000000');
		// SELECT 12.34/7 → 1.7628571428571429
		assert.equal(toPlainString(pgDivide(parseDecimal('12.34'), parseDecimal('7'))), '1.7628571428571429');
		// SELECT 123456789::numeric/3 → 41152263.000000000000
		assert.equal(pgDivScale(parseDecimal('123456789'), parseDecimal('3')), 12);
	});
});

describe('derivedMetrics', () => {
	test('computes the five ratios', () => {
		const m = derivedMetrics({ spend: 50, impressions: 1000, clicks: 40, conversions: 4, revenue: 200, leads: 5 });
		assert.deepEqual(m, { ctr: 0.04, cpc: 1.25, cpa: 12.5, cpl: 10, roas: 4 });
	});

	test('zero or missing denominators give null, never Infinity or NaN', () => {
		assert.deepEqual(derivedMetrics({ spend: 0, impressions: 0, clicks: 0, conversions: 0, revenue: 10, leads: 0 }), {
			ctr: null,
			cpc: null,
			cpa: null,
			cpl: null,
			roas: null,
		});
		assert.deepEqual(derivedMetrics({ spend: 10, impressions: 100, clicks: 5, conversions: 0, revenue: null, leads: null }), {
			ctr: 0.05,
			cpc: 2,
			cpa: null,
			cpl: null,
			roas: null,
		});
		// spend 0 with clicks: cpc 0 (defined), roas null
		assert.deepEqual(derivedMetrics({ spend: 0, impressions: 10, clicks: 1, conversions: 1, revenue: 5 }), { ctr: 0.1, cpc: 0, cpa: 0, cpl: null, roas: null });
	});

	test('property: every metric is a finite non-negative number or null', () => {
		const money = fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 10_000_000_00 }).map((c) => c / 100), fc.double({ min: 0, max: 1e9, noNaN: true }));
		const count = fc.oneof(fc.constant(0), fc.nat({ max: 1_000_000_000 }));
		fc.assert(
			fc.property(money, count, count, money, fc.option(money), fc.option(money), (spend, impressions, clicks, conversions, revenue, leads) => {
				const m = derivedMetrics({ spend, impressions, clicks, conversions, revenue, leads });
				for (const [name, value] of Object.entries(m)) {
					assert.ok(value === null || (Number.isFinite(value) && value >= 0), `${name} = ${value}`);
				}
				assert.equal(m.ctr === null, impressions === 0);
				assert.equal(m.cpc === null, clicks === 0);
				assert.equal(m.cpa === null, conversions === 0 || !Number.isFinite(spend / conversions));
				assert.equal(m.cpl === null, !leads || !Number.isFinite(spend / leads));
				assert.equal(m.roas === null, spend === 0 || revenue === null || !Number.isFinite(revenue / spend));
			}),
			{ numRuns: 2000 },
		);
	});

	test('property: equals the double nearest to the exact quotient for cent amounts', () => {
		fc.assert(
			fc.property(fc.integer({ min: 0, max: 1e9 }), fc.integer({ min: 1, max: 1e6 }), (cents, clicks) => {
				const { cpc } = derivedMetrics({ spend: cents / 100, impressions: clicks, clicks, conversions: 0 });
				// within one part in 1e15 of the float quotient
				const expected = cents / 100 / clicks;
				assert.ok(Math.abs((cpc as number) - expected) <= Math.abs(expected) * 1e-15, `${cpc} vs ${expected}`);
			}),
			{ numRuns: 2000 },
		);
	});
});
