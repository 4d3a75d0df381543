/**
 * The insights migration on PGlite (always) and PostgreSQL (DATABASE_URL):
 * anomalies and budget_plans with RLS and natural keys, the KPI views equal
 * to sums of campaign_performance, and no privilege for PUBLIC on any of them.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, test } from 'vitest';
import { Pool } from 'pg';
import { openStore, type Store } from '../../nodes/shared/store';
import { embeddedExecutor } from '../../nodes/shared/store/embedded';
import type { SqlExecutor } from '../../nodes/shared/store/sql-runner';

interface Target {
	name: string;
	open(): Promise<{ store: Store; exec: SqlExecutor; close(): Promise<void> }>;
}

const targets: Target[] = [
	{
		name: 'PGlite',
		async open() {
			const dir = mkdtempSync(join(tmpdir(), 'adops-insights-'));
			const store = await openStore({ kind: 'embedded', path: dir });
			const exec = (await embeddedExecutor(dir)) as SqlExecutor;
			return { store, exec, close: async () => (await store.close(), rmSync(dir, { recursive: true, force: true })) };
		},
	},
];
const DATABASE_URL = process.env.DATABASE_URL;
if (DATABASE_URL) {
	targets.push({
		name: 'PostgreSQL',
		async open() {
			const schema = `insights_${randomBytes(4).toString('hex')}`;
			const store = await openStore({ kind: 'postgres', connectionString: DATABASE_URL, ssl: 'disable', schema });
			const pool = new Pool({ connectionString: DATABASE_URL, max: 1, options: `-c search_path=${schema}` });
			const exec: SqlExecutor = {
				inTransaction: false,
				query: async (sql, params) => pool.query(sql, params as unknown[]) as never,
				transaction: async () => {
					throw new Error('not used');
				},
			};
			return {
				store,
				exec,
				close: async () => {
					await pool.query(`DROP SCHEMA ${schema} CASCADE`);
					await pool.end();
					await store.close();
				},
			};
		},
	});
}

for (const target of targets) {
	describe(`insights migration on ${target.name}`, () => {
		let handle: Awaited<ReturnType<Target['open']>>;
		afterAll(async () => handle && (await handle.close()));

		test('anomalies and budget_plans exist with RLS; PUBLIC holds nothing on them or on the views', async () => {
			handle = await target.open();
			const { rows } = await handle.exec.query(
				`SELECT c.relname AS name, c.relkind AS kind, c.relrowsecurity AS rls,
				        has_table_privilege('public', c.oid, 'SELECT') OR has_table_privilege('public', c.oid, 'INSERT') OR has_table_privilege('public', c.oid, 'TRUNCATE') AS public_can
				   FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
				  WHERE n.nspname = current_schema() AND c.relname IN ('anomalies', 'budget_plans', 'mv_campaign_daily_summary', 'mv_platform_comparison')
				  ORDER BY c.relname`,
			);
			assert.deepEqual(
				rows.map((r) => [r.name, r.kind, r.rls, r.public_can]),
				[
					['anomalies', 'r', true, false],
					['budget_plans', 'r', true, false],
					['mv_campaign_daily_summary', 'v', false, false],
					['mv_platform_comparison', 'v', false, false],
				],
			);
		});

		test('anomalies are idempotent per entity, metric and day; a plan per month', async () => {
			const insert = `INSERT INTO anomalies (platform, account_id, campaign_id, metric, date, episode_start, direction, actual, expected, lower_bound, upper_bound, score, volume, method, alpha)
			                VALUES ('meta', 'act_1', 'c1', 'spend', '2025-06-10', '2025-06-10', 'spike', $1, 100, 60, 140, 9.5, 300, 'stl', 0.05)
			                ON CONFLICT (platform, account_id, campaign_id, metric, date) DO UPDATE SET actual = EXCLUDED.actual`;
			await handle.exec.query(insert, [300]);
			await handle.exec.query(insert, [310]);
			const { rows } = await handle.exec.query(`SELECT count(*)::int AS n, max(actual)::float8 AS actual FROM anomalies`);
			assert.deepEqual([Number(rows[0].n), Number(rows[0].actual)], [1, 310]);
			await assert.rejects(handle.exec.query(`INSERT INTO budget_plans (platform, account_id, month, amount, currency) VALUES ('meta', 'act_1', '2025-06-15', 100, 'USD')`), /check/i);
			await handle.exec.query(`INSERT INTO budget_plans (platform, account_id, month, amount, currency) VALUES ('meta', 'act_1', '2025-06-01', 3000, 'USD')`);
			await assert.rejects(handle.exec.query(`INSERT INTO budget_plans (platform, account_id, month, amount, currency) VALUES ('meta', 'act_1', '2025-06-01', 4000, 'USD')`), /duplicate|unique/i);
		});

		test('the KPI views equal the sums of campaign_performance (ratios of sums)', async () => {
			const rows = [];
			for (const [campaign, spend, imp, clicks, conv, revenue] of [
				['c1', 100, 10_000, 200, 10, 300],
				['c2', 50, 5_000, 50, 0, null],
			] as const) {
				rows.push({ date: '2025-06-10', platform: 'meta' as const, account_id: 'act_1', campaign_id: campaign, currency: 'USD', spend, impressions: imp, clicks, conversions: conv, revenue });
			}
			await handle.store.upsert('campaign_performance', rows);
			const { rows: cmp } = await handle.exec.query(`SELECT spend::float8, impressions::float8, clicks::float8, conversions::float8, revenue::float8, ctr::float8, cpc::float8, cpa::float8, roas::float8, campaigns FROM mv_platform_comparison WHERE platform = 'meta' AND date = '2025-06-10'`);
			assert.deepEqual(cmp[0], { spend: 150, impressions: 15_000, clicks: 250, conversions: 10, revenue: 300, ctr: 250 / 15_000, cpc: 150 / 250, cpa: 15, roas: 2, campaigns: 2 });
			const { rows: daily } = await handle.exec.query(`SELECT campaign_id, cpa::float8, roas::float8 FROM mv_campaign_daily_summary ORDER BY campaign_id`);
			assert.deepEqual(daily, [
				{ campaign_id: 'c1', cpa: 10, roas: 3 },
				{ campaign_id: 'c2', cpa: null, roas: null },
			]);
		});
	});
}
