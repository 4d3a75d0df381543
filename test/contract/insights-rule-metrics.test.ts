/**
 * readInsightRuleMetrics on PGlite (and PostgreSQL with DATABASE_URL): the
 * four rule metrics for every campaign of the run's accounts from three
 * batched reads; other accounts and older anomalies do not count.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'vitest';
import { dayNumber, dayString, insightKey, readInsightRuleMetrics } from '../../nodes/shared/insights';
import { openStore, type Store } from '../../nodes/shared/store';

async function open(kind: 'pglite' | 'postgres'): Promise<{ store: Store; close(): Promise<void> }> {
	if (kind === 'pglite') {
		const dir = mkdtempSync(join(tmpdir(), 'adops-insights-rm-'));
		const store = await openStore({ kind: 'embedded', path: dir });
		return { store, close: async () => (await store.close(), rmSync(dir, { recursive: true, force: true })) };
	}
	const url = process.env.DATABASE_URL!;
	const schema = `insights_rm_${randomBytes(4).toString('hex')}`;
	const store = await openStore({ kind: 'postgres', connectionString: url, ssl: 'disable', schema });
	const { Pool } = await import('pg');
	return {
		store,
		close: async () => {
			await store.close();
			const pool = new Pool({ connectionString: url, max: 1 });
			await pool.query(`DROP SCHEMA ${schema} CASCADE`);
			await pool.end();
		},
	};
}

const anomaly = (campaign: string, date: string, score: number, account = 'act_1') => ({
	platform: 'meta',
	account_id: account,
	campaign_id: campaign,
	metric: 'conversions' as const,
	date,
	episode_start: date,
	direction: score > 0 ? ('spike' as const) : ('drop' as const),
	pattern: score < 0 ? ('tracking_break' as const) : null,
	actual: score > 0 ? 40 : 0,
	expected: 20,
	lower_bound: 10,
	upper_bound: 30,
	score,
	volume: 20,
	method: 'stl' as const,
	alpha: 0.05,
});

for (const kind of ['pglite', ...(process.env.DATABASE_URL ? (['postgres'] as const) : [])] as const) {
	test(`rule metrics from three batched reads (${kind})`, async () => {
		const { store, close } = await open(kind);
		try {
			const asOf = '2025-06-15';
			const rows: Array<Record<string, unknown>> = [];
			for (let d = dayNumber('2025-04-20'); d <= dayNumber(asOf); d++) {
				for (const c of ['c1', 'c2']) rows.push({ date: dayString(d), platform: 'meta', account_id: 'act_1', campaign_id: c, currency: 'USD', spend: 100, impressions: 1000, clicks: 50, conversions: 5, revenue: 300 });
				rows.push({ date: dayString(d), platform: 'meta', account_id: 'act_9', campaign_id: 'x', currency: 'USD', spend: 100, impressions: 1000, clicks: 50, conversions: 5, revenue: 300 });
			}
			await store.upsert('campaign_performance', rows as never);
			await store.upsert('anomalies', [anomaly('c1', asOf, -6.5), anomaly('c1', asOf, 4), anomaly('c2', '2025-06-10', 9), anomaly('x', asOf, 12, 'act_9')].map((a, i) => (i === 1 ? { ...a, metric: 'spend' as const, pattern: null } : a)) as never);
			// c1 plans 3,000 for June at 100 a day (30 days): on plan; the account plans 4,500 for 6,000 of spend
			await store.upsert('budget_plans', [
				{ platform: 'meta', account_id: 'act_1', campaign_id: 'c1', month: '2025-06-01', amount: 3000, currency: 'USD' },
				{ platform: 'meta', account_id: 'act_1', campaign_id: '', month: '2025-06-01', amount: 4500, currency: 'USD' },
			] as never);
			const m = await readInsightRuleMetrics(store, { accounts: [{ platform: 'meta', accountId: 'act_1' }], asOf });
			const c1 = m.get(insightKey('meta', 'act_1', 'c1'))!;
			assert.equal(c1.anomaly_score, -6.5, 'the largest |score| of today, signed by direction');
			assert.equal(c1.anomaly_direction, -1);
			assert.match(c1.anomaly ?? '', /conversions drop on 2025-06-15: 0 against 20.00 expected \(score 6.5\), tracking break/);
			assert.ok(Math.abs(c1.forecast_month_spend! - 3000) < 1, String(c1.forecast_month_spend));
			assert.ok(Math.abs(c1.pacing_ratio! - 1) < 0.001, String(c1.pacing_ratio));
			const c2 = m.get(insightKey('meta', 'act_1', 'c2'))!;
			assert.equal(c2.anomaly_score, 0, 'an anomaly of five days ago is not today');
			assert.equal(c2.anomaly_direction, 0);
			assert.equal(c2.pacing_ratio, null, 'no plan');
			assert.ok(Math.abs(c2.forecast_month_spend! - 3000) < 1);
			const account = m.get(insightKey('meta', 'act_1', ''))!;
			assert.ok(Math.abs(account.pacing_ratio! - 6000 / 4500) < 0.001, String(account.pacing_ratio));
			assert.equal(m.has(insightKey('meta', 'act_9', 'x')), false, 'another account is not read');
			const week = await readInsightRuleMetrics(store, { accounts: [{ platform: 'meta', accountId: 'act_1' }], asOf, anomalyDays: 7, metrics: ['anomaly_score'] });
			assert.equal(week.get(insightKey('meta', 'act_1', 'c2'))!.anomaly_score, 9);
			assert.equal(week.get(insightKey('meta', 'act_1', 'c2'))!.forecast_month_spend, null, 'not asked');
		} finally {
			await close();
		}
	});
}
