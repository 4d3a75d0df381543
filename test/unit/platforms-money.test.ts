import { test, describe } from 'vitest';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { microsToMajor, majorToMicros, scaledToMajor, majorToScaled, scaledIntegerToDecimalString, decimalField, sumFields } from '../../nodes/shared/platforms/money';
import { currencyExponent, metaMinorUnitDigits, isKnownCurrency } from '../../nodes/shared/platforms/currency';

describe('money conversion', () => {
	test('micros → major units exactly, to the cent and below', () => {
		assert.equal(microsToMajor(12_345_670_000), 12345.67);
		assert.equal(microsToMajor(10_000), 0.01);
		assert.equal(microsToMajor('1'), 0.000001);
		assert.equal(microsToMajor(-5_000_000), -5);
		assert.equal(microsToMajor(0), 0);
		assert.equal(microsToMajor(null), null);
		// beyond 2^53: the string is converted with integer arithmetic, not through a lossy double
		assert.equal(scaledIntegerToDecimalString(9007199254740993n, 6), '9007199254.740993');
		// trailing zeros dropped by default, kept on request (LinkedIn budgets, PostgreSQL numeric scale)
		assert.equal(scaledIntegerToDecimalString(10000n, 2), '100');
		assert.equal(scaledIntegerToDecimalString(10000n, 2, true), '100.00');
		assert.equal(scaledIntegerToDecimalString(-50n, 3, true), '-0.050');
		assert.equal(scaledIntegerToDecimalString(7n, 0, true), '7');
	});
	test('invalid values survive unchanged for the validator', () => {
		assert.equal(microsToMajor('12.5'), '12.5');
		assert.equal(microsToMajor('abc'), 'abc');
		assert.equal(decimalField('12,50'), '12,50');
		assert.equal(decimalField('  7.25 '), 7.25);
		assert.equal(decimalField(undefined), null);
	});
	test('property: micros ↔ major is exact and equals parsing the decimal text', () => {
		fc.assert(
			fc.property(fc.bigInt({ min: -(10n ** 15n), max: 10n ** 15n }), (micros) => {
				const major = microsToMajor(micros.toString()) as number;
				assert.equal(major, Number(scaledIntegerToDecimalString(micros, 6)));
				assert.equal(majorToMicros(major), micros);
			}),
			{ numRuns: 2000 },
		);
	});
	test('property: minor units ↔ major for 0-, 2- and 3-decimal currencies', () => {
		fc.assert(
			fc.property(fc.integer({ min: -1e12, max: 1e12 }), fc.constantFrom('JPY', 'USD', 'KWD', 'EUR', 'KRW', 'BHD'), (minor, currency) => {
				const digits = currencyExponent(currency) as number;
				const major = scaledToMajor(minor, digits) as number;
				assert.equal(majorToScaled(major, digits), BigInt(minor));
				// cents: the major amount printed with `digits` decimals is the minor amount
				assert.equal(major.toFixed(digits).replace('.', '').replace(/^(-?)0+(?=\d)/, '$1'), String(minor).replace(/^-0$/, '0'));
			}),
			{ numRuns: 2000 },
		);
	});
	test('majorToScaled refuses sub-unit amounts instead of rounding silently', () => {
		assert.throws(() => majorToScaled(1.005, 2), /more than 2 decimals/);
		assert.equal(majorToScaled(1e-6, 6), 1n);
		assert.equal(majorToScaled('100.10', 2), 10010n);
	});
	test('sums of decimals do not drift', () => {
		assert.equal(sumFields([0.1, 0.2]), 0.3);
		assert.equal(sumFields([250.1, 0.2]), 250.3);
		assert.equal(sumFields([null, null]), null);
		assert.equal(sumFields([1, 'x', 2]), 'x');
	});
});

describe('currency table', () => {
	test('ISO exponents: zero-, two- and three-decimal currencies', () => {
		assert.equal(currencyExponent('JPY'), 0);
		assert.equal(currencyExponent('KRW'), 0);
		assert.equal(currencyExponent('USD'), 2);
		assert.equal(currencyExponent('BHD'), 3);
		assert.equal(currencyExponent('KWD'), 3);
		assert.equal(currencyExponent('XXX'), undefined);
		assert.equal(isKnownCurrency('usd'), false);
	});
	test("Meta's offsets differ from ISO (HUF/TWD without minor unit, BHD with 2)", () => {
		assert.equal(metaMinorUnitDigits('JPY'), 0);
		assert.equal(metaMinorUnitDigits('HUF'), 0);
		assert.equal(metaMinorUnitDigits('TWD'), 0);
		assert.equal(metaMinorUnitDigits('BHD'), 2);
		assert.equal(metaMinorUnitDigits('USD'), 2);
		assert.equal(metaMinorUnitDigits('ZZZ'), undefined);
	});
});
