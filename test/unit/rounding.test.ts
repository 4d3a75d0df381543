// What output items carry: money in the currency's minor unit, ratios with the digits the metrics module
// gives them (CTR 4, ROAS 2), ages in days with one decimal; never float noise like 277.42199999999997.
import { afterAll, beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { METRIC_DIGITS, roundAmount, roundMetric } from '../../nodes/shared/metrics';
import { roundMoney } from '../../nodes/shared/ingest/fx';
import { entityAgeGate } from '../../nodes/shared/rules/gates/entity-age';
import { activeCampaigns } from '../../nodes/shared/creative/campaigns';
import { openStore, type Store } from '../../nodes/shared/store';

const DAY = 86_400_000;

describe('rounding for people', () => {
	test('ratios: CTR 4 decimals, ROAS and the cost ratios 2; null stays null', () => {
		assert.deepEqual(METRIC_DIGITS, { ctr: 4, cpc: 2, cpa: 2, cpl: 2, roas: 2 });
		assert.equal(roundMetric('ctr', 0.031234567), 0.0312);
		assert.equal(roundMetric('roas', 4.215), 4.22, 'half away from zero on the decimal, not the double');
		assert.equal(roundMetric('cpa', 63.199999999999996), 63.2);
		assert.equal(roundMetric('roas', null), null);
	});

	test('money: the currency minor unit (JPY none, USD 2, KWD 3)', () => {
		assert.equal(roundMoney(277.42199999999997, 'USD'), 277.42);
		assert.equal(roundMoney(1234.5, 'JPY'), 1235);
		assert.equal(roundMoney(1.23456, 'KWD'), 1.235);
	});

	test('an amount as shown: its currency minor unit, 2 decimals (half away from zero) when the currency is unknown or mixed', () => {
		assert.equal(roundAmount(1234.5, 'JPY'), 1235);
		assert.equal(roundAmount(277.42199999999997, 'USD'), 277.42);
		assert.equal(roundAmount(277.42199999999997, null), 277.42);
		assert.equal(roundAmount(1.005, null), 1.01, 'on the decimal, not the double (Math.round(100.49999…) / 100 is 1)');
		assert.equal(roundAmount(-2.345, 'XYZ'), -2.35);
	});

	test('the learning-period gate shows and reports the age with one decimal, rounded down', () => {
		const now = Date.UTC(2026, 2, 2);
		const old = entityAgeGate(now - 187.3146 * DAY, now, 7);
		assert.equal(old.detail, 'age 187.3 days >= 7');
		assert.deepEqual(old.values, { ageDays: 187.3, minDays: 7 });
		assert.equal(entityAgeGate(now - 44.96 * DAY, now, 45).detail, 'age 44.9 days < 45 (learning period)');
	});
});

describe('List Active Campaigns: spend summed over days, in the minor unit', () => {
	let store: Store;
	let dir: string;
	beforeAll(async () => {
		dir = mkdtempSync(join(tmpdir(), 'rounding-'));
		store = await openStore({ kind: 'embedded', path: dir });
	});
	afterAll(async () => {
		await store?.close();
		rmSync(dir, { recursive: true, force: true });
	});

	test('0.1 + 0.2 style sums come out as 277.42 USD and 1235 JPY', async () => {
		const now = new Date('2026-03-02T12:00:00Z');
		const day = (i: number) => new Date(now.getTime() - i * DAY).toISOString().slice(0, 10);
		const row = (campaign: string, currency: string, date: string, spend: number) => ({ date, platform: 'meta' as const, account_id: 'act_1', campaign_id: campaign, campaign_name: campaign, currency, spend, impressions: 100, clicks: 1, conversions: 0 });
		await store.upsert('campaign_performance', [
			row('usd', 'USD', day(1), 92.474),
			row('usd', 'USD', day(2), 92.474),
			row('usd', 'USD', day(3), 92.474),
			row('jpy', 'JPY', day(1), 617.25),
			row('jpy', 'JPY', day(2), 617.25),
		]);
		const out = await activeCampaigns(store, { days: 7, platforms: ['meta'], now });
		assert.deepEqual(
			out.map((c) => [c.campaignId, c.spend]),
			[
				['jpy', 1235],
				['usd', 277.42],
			],
		);
	});
});
