/**
 * AdOps Insights' operations refuse bad input in words before reading the
 * store (an expression can hand the node any value): an unknown metric (it
 * would be scanned as the previous metric's numbers under a wrong name), an
 * unknown method (it would be stored as the anomalies' method), a day that is
 * not a calendar day YYYY-MM-DD. Also: money in words to the currency's
 * minor unit (platforms/currency.ts).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'vitest';
import { scopeOf } from '../../nodes/AdOpsInsights/actions/common';
import { ParameterError } from '../../nodes/common/params';
import { detectAnomalies, forecastMetric, formatAmount, InsightsInputError, paceBudgets, parseTimeZoneChanges, weeklyDigest } from '../../nodes/shared/insights/run';

/** A store that fails the test if anything reads or writes it. */
const untouched = new Proxy({}, { get: (_t, name) => () => assert.fail(`the store was used (${String(name)}) before the input was checked`) }) as never;

async function refused(p: Promise<unknown>, message: RegExp): Promise<void> {
	const e = await p.then(() => assert.fail('expected an error'), (x: unknown) => x);
	assert.ok(e instanceof InsightsInputError, String(e));
	assert.match((e as Error).message, message);
}

describe('insights: bad input is refused in words', () => {
	test('Time Zone Changes: platform:account:first day, LinkedIn URNs with colons; anything else refused in words', () => {
		assert.deepEqual(parseTimeZoneChanges(' meta:act_1:2025-06-09,\nlinkedin:urn:li:sponsoredAccount:7:2025-06-01 '), [
			{ platform: 'meta', accountId: 'act_1', date: '2025-06-09' },
			{ platform: 'linkedin', accountId: 'urn:li:sponsoredAccount:7', date: '2025-06-01' },
		]);
		assert.throws(() => parseTimeZoneChanges('act_1:2025-06-09'), /Time Zone Changes: "act_1:2025-06-09" is not platform:account:YYYY-MM-DD/);
		assert.throws(() => parseTimeZoneChanges('meta:act_1:2025-06-31'), /Time Zone Changes \(meta:act_1\) must be a day YYYY-MM-DD, got "2025-06-31"/);
		assert.throws(() => parseTimeZoneChanges('facebook:act_1:2025-06-09'), /Time Zone Changes: "facebook" in "facebook:act_1:2025-06-09" is not a platform \(google_ads, meta, linkedin, klaviyo, tiktok\)/);
	});
	test('Detect Anomalies: an unknown metric, an unknown method, an End Date that is no day', async () => {
		await refused(detectAnomalies(untouched, { metrics: ['spend', 'cpm' as never] }), /Metrics must be among spend, impressions.*unknown: "cpm"/);
		await refused(detectAnomalies(untouched, { method: 'Weekday' as never }), /Method must be one of stl, weekday, got "Weekday"/);
		await refused(detectAnomalies(untouched, { end: '2025-3-9' }), /End Date must be a day YYYY-MM-DD, got "2025-3-9"/);
		await refused(detectAnomalies(untouched, { end: '2025-02-30' }), /End Date must be a day YYYY-MM-DD, got "2025-02-30"/);
	});

	test('Pace Budgets, Weekly Digest and Forecast: a day that is no day, a month that is no month', async () => {
		await refused(paceBudgets(untouched, { asOf: '31.01.2026' }), /As Of must be a day YYYY-MM-DD, got "31\.01\.2026"/);
		await refused(paceBudgets(untouched, { month: '2026-13' }), /Month must be YYYY-MM \(month 01 to 12\), got "2026-13"/);
		await refused(paceBudgets(untouched, { month: '2026-00' }), /Month must be YYYY-MM \(month 01 to 12\), got "2026-00"/);
		await refused(paceBudgets(untouched, { month: 'June 2026' }), /Month must be YYYY-MM \(month 01 to 12\), got "June 2026"/);
		await refused(weeklyDigest(untouched, { end: '2026-13-01' }), /Week Ending must be a day YYYY-MM-DD/);
		await refused(forecastMetric(untouched, {}, 'spend', 7, { end: 'yesterday' }), /End Date must be a day YYYY-MM-DD, got "yesterday"/);
	});
});

test('money in alerts to the currency\'s minor unit (ISO 4217: whole yen, cents, three-digit dinar); other numbers as before', () => {
	assert.equal(formatAmount(123456.4, 'JPY'), '123,456 JPY');
	assert.equal(formatAmount(912.4, 'EUR'), '912.40 EUR');
	assert.equal(formatAmount(12.3456, 'KWD'), '12.346 KWD');
	assert.equal(formatAmount(12.5, 'XYZ'), '12.50 XYZ'); // an unknown code: cents
	assert.equal(formatAmount(1234.567), '1,234.57');
	assert.equal(formatAmount(0.12345), '0.1235');
});

test('AdOps Insights: a Platform that is not in the registry (from an expression) is refused, not read as "no data"', () => {
	const ctx = (params: Record<string, unknown>) => ({ getNodeParameter: (name: string, _i: number, fallback?: unknown) => params[name] ?? fallback }) as never;
	assert.deepEqual(scopeOf(ctx({ operation: 'pace', platform: 'meta', accountId: ' 42 ', campaignId: '7' }), 0), { platform: 'meta', accountId: '42', campaignId: '7' });
	assert.deepEqual(scopeOf(ctx({ operation: 'detect', platform: '', campaignId: '7' }), 0), {});
	assert.throws(() => scopeOf(ctx({ operation: 'detect', platform: 'facebook' }), 0), (e: Error) => e instanceof ParameterError && /Platform must be one of google_ads, meta, linkedin, klaviyo, tiktok \(or empty for all\), got "facebook"/.test(e.message));
});
