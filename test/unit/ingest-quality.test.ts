import assert from 'node:assert/strict';
import { describe, test } from 'vitest';
import {
	completenessCheck,
	freshnessCheck,
	overallScore,
	qualityLevel,
	relationshipsCheck,
	spendCheck,
	volumeCheck,
} from '../../nodes/shared/ingest/quality';
import type { Row } from '../../nodes/shared/schema/rows';

type Perf = Row<'campaign_performance'>;
type Run = Row<'ingest_runs'>;

let n = 0;
function perf(over: Partial<Perf>): Perf {
	n++;
	return {
		id: `p${n}`,
		date: '2025-06-03',
		platform: 'meta',
		account_id: 'a1',
		campaign_id: `c${n}`,
		campaign_name: 'Campaign',
		currency: 'USD',
		source_currency: 'USD',
		fx_rate: 1,
		fx_rate_date: null,
		spend: 100,
		impressions: 1000,
		clicks: 50,
		conversions: 5,
		revenue: null,
		leads: null,
		ingest_run_id: null,
		ctr: null,
		cpc: null,
		cpa: null,
		cpl: null,
		roas: null,
		created_at: '2025-06-04T06:00:00.000Z',
		updated_at: '2025-06-04T06:00:00.000Z',
		...over,
	};
}

function run(over: Partial<Run>): Run {
	n++;
	return {
		id: `r${n}`,
		platform: 'meta',
		account_id: 'a1',
		window_start: '2025-06-01',
		window_end: '2025-06-03',
		started_at: '2025-06-04T05:00:00.000Z',
		finished_at: '2025-06-04T05:01:00.000Z',
		duration_ms: 60_000,
		rows_written: 10,
		rows_quarantined: 0,
		rows_unchanged: 0,
		rows_flagged: 0,
		outcome: 'success',
		error: null,
		warnings: [],
		created_at: '2025-06-04T05:00:00.000Z',
		updated_at: '2025-06-04T05:01:00.000Z',
		...over,
	};
}

const now = new Date('2025-06-04T07:00:00Z');

describe('quality levels and score', () => {
	test('level thresholds', () => {
		assert.deepEqual([100, 90, 89.9, 75, 74.9, 60, 59.9, 40, 39.9, 0].map(qualityLevel), [
			'Excellent',
			'Excellent',
			'Good',
			'Good',
			'Fair',
			'Fair',
			'Poor',
			'Poor',
			'Critical',
			'Critical',
		]);
	});

	test('weighted by severity', () => {
		// (4·50 + 3·100 + 3·100 + 2·0 + 2·100) / 14 = 1000 / 14 = 71.43 → 71.4, Fair
		const score = overallScore([
			{ weight: 4, score: 50 },
			{ weight: 3, score: 100 },
			{ weight: 3, score: 100 },
			{ weight: 2, score: 0 },
			{ weight: 2, score: 100 },
		]);
		assert.equal(score, 71.4);
		assert.equal(qualityLevel(score), 'Fair');
	});
});

describe('quality checks', () => {
	test('freshness: loaded within 24 h through the report date', () => {
		const c = freshnessCheck(
			[
				run({ account_id: 'a1' }), // fresh
				run({ account_id: 'a2', finished_at: '2025-06-03T05:00:00.000Z', started_at: '2025-06-03T04:59:00.000Z' }), // 26 h old
				run({ account_id: 'a3', window_end: '2025-06-02' }), // recent but not through 06-03
				run({ account_id: 'a4', outcome: 'failed', started_at: '2025-06-04T06:00:00.000Z' }), // newest failed,
				run({ account_id: 'a4', outcome: 'partial', started_at: '2025-06-04T04:00:00.000Z', finished_at: '2025-06-04T04:30:00.000Z' }), // … older partial counts
			],
			now,
			'2025-06-03',
			24,
		);
		assert.equal(c.score, 50); // a1 and a4 of 4
		assert.deepEqual([c.details.accounts, c.details.fresh, c.details.stale], [4, 2, 2]);
		assert.equal(c.severity, 'critical');
	});

	test('completeness counts quarantined rows as incomplete', () => {
		const c = completenessCheck(
			[
				perf({}),
				perf({ campaign_name: null }),
				perf({ source_currency: 'EUR', fx_rate: 1.1, fx_rate_date: null }), // converted without a rate date
				perf({ source_currency: 'EUR', fx_rate: 1.1, fx_rate_date: '2025-06-03' }),
			],
			1,
		);
		assert.equal(c.score, 40); // 2 complete of 4 + 1 quarantined
		assert.deepEqual([c.details.missingCampaignName, c.details.missingFx], [1, 1]);
		assert.equal(completenessCheck([], 0).score, 0);
	});

	test('metric relationships: clicks > impressions costs 1, conversions > clicks ½', () => {
		const c = relationshipsCheck([perf({}), perf({ clicks: 2000 }), perf({ conversions: 60 }), perf({ conversions: 80 }), perf({})]);
		// 1 − (1 + ½·2) / 5 = 0.6
		assert.equal(c.score, 60);
		assert.deepEqual([c.details.clicksOverImpressions, c.details.conversionsOverClicks], [1, 2]);
	});

	test('volume consistency against the trailing 7 days', () => {
		const trailing = [
			...Array.from({ length: 14 }, () => perf({ account_id: 'a1', date: '2025-06-01' })), // mean 2/day
			...Array.from({ length: 70 }, () => perf({ account_id: 'a2', date: '2025-06-01' })), // mean 10/day
		];
		const current = [perf({ account_id: 'a1' }), perf({ account_id: 'a1' }), perf({ account_id: 'a1' }), perf({ account_id: 'a2' }), perf({ account_id: 'a3' })];
		const c = volumeCheck(current, trailing, 7, 0.5);
		// a1: 3 vs 2 (+50 %, inside); a2: 1 vs 10 (outside); a3: no history (passes) → 2 of 3
		assert.equal(c.score, 66.7);
	});

	test('spend consistency against ingest runs', () => {
		const trailing = [
			...Array.from({ length: 7 }, () => perf({ platform: 'meta', date: '2025-06-01', spend: 100 })),
			...Array.from({ length: 7 }, () => perf({ platform: 'google_ads', date: '2025-06-01', spend: 100 })),
			...Array.from({ length: 7 }, () => perf({ platform: 'linkedin', date: '2025-06-01', spend: 100 })),
		];
		const current = [perf({ platform: 'meta', spend: 150 }), perf({ platform: 'google_ads', spend: 450 }), perf({ platform: 'linkedin', spend: 90 })];
		const runs = [run({ platform: 'meta' }), run({ platform: 'google_ads' }), run({ platform: 'linkedin', outcome: 'failed' })];
		const c = spendCheck(current, trailing, runs, '2025-06-03', 7, 2);
		// meta: loaded, 150 vs 100 ok; google: 450 vs 100 (> 2×); linkedin: no successful run → 1 of 3
		assert.equal(c.score, 33.3);
		const per = c.details.perPlatform as Array<{ platform: string; consistent: boolean; share: number }>;
		assert.deepEqual(per.map((p) => [p.platform, p.consistent]), [['google_ads', false], ['linkedin', false], ['meta', true]]);
		assert.equal(per[0].share, 0.65); // 450 / 690
	});
});
