/**
 * Ingest throughput: 100,000 platform rows through runIngest (validate +
 * normalize + FX + change detection + upsert through the Store) against two
 * baselines measured in the same process on the same connection:
 *   (a) raw batched upsert: the already-normalized rows, plain multi-row
 *       INSERT … VALUES … ON CONFLICT DO UPDATE, same chunk size, one transaction;
 *   (b) row by row: one INSERT … ON CONFLICT per row (autocommit), measured on
 *       a sample and extrapolated.
 * The table is truncated before each measurement, so each one inserts 100,000
 * new rows into the same empty table.
 *
 *   node --import tsx test/bench/ingest.bench.ts            PGlite
 *   DATABASE_URL=postgres://… node --import tsx test/bench/ingest.bench.ts   + PostgreSQL
 *
 * Options (env): BENCH_ROWS (100000), BENCH_SAMPLE (2000), BENCH_CHUNK (500),
 * BENCH_STORES (`pglite,postgres`: which stores to measure; profiling one is quicker).
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { prepareRows, runIngest, FxTable, type PerformanceRow } from '../../nodes/shared/ingest';
import type { DailyMetricRow, PlatformAdapter } from '../../nodes/shared/platforms/types';
import { SqlStore, migrate, openStore, type Store } from '../../nodes/shared/store';
import { embeddedExecutor } from '../../nodes/shared/store/embedded';
import { PgPoolExecutor, type SqlExecutor } from '../../nodes/shared/store/sql-runner';
import { createPool } from '../../nodes/shared/store/postgres';

const ROWS = Number(process.env.BENCH_ROWS ?? 100_000);
const SAMPLE = Number(process.env.BENCH_SAMPLE ?? 2_000);
const CHUNK = Number(process.env.BENCH_CHUNK ?? 500);
const STORES = new Set((process.env.BENCH_STORES ?? 'pglite,postgres').split(',').map((s) => s.trim()));
const DAYS = 100;
const NOW = new Date('2025-06-11T06:00:00Z');
const firstDay = '2025-03-03'; // DAYS days ending 2025-06-10 (yesterday)

const day = (i: number) => new Date(Date.parse(firstDay) + i * 86_400_000).toISOString().slice(0, 10);

function platformRows(n: number, accountId: string): DailyMetricRow[] {
	const rows: DailyMetricRow[] = [];
	for (let i = 0; i < n; i++) {
		const campaign = Math.floor(i / DAYS);
		const date = day(i % DAYS);
		const impressions = 1_000 + ((i * 7919) % 50_000);
		const clicks = Math.floor(impressions * (0.005 + ((i * 13) % 40) / 1000));
		const spend = Math.round(clicks * (35 + ((i * 31) % 200))) / 100;
		rows.push({
			platform: 'meta',
			accountId,
			campaignId: `1202100${String(campaign).padStart(8, '0')}`,
			campaignName: `Campaign ${campaign}`,
			date,
			currency: campaign % 2 === 0 ? 'EUR' : 'USD',
			spend,
			impressions,
			clicks,
			conversions: Math.floor(clicks / 12),
			revenue: campaign % 3 === 0 ? null : Math.round(spend * 310) / 100,
			leads: campaign % 5 === 0 ? Math.floor(clicks / 20) : null,
			raw: { campaign_id: String(campaign), date_start: date, spend: String(spend) },
		});
	}
	return rows;
}

const COLUMNS = [
	'date', 'platform', 'account_id', 'campaign_id', 'campaign_name', 'currency', 'source_currency', 'fx_rate', 'fx_rate_date',
	'spend', 'impressions', 'clicks', 'conversions', 'revenue', 'leads', 'ingest_run_id',
] as const;
const KEY = ['platform', 'account_id', 'campaign_id', 'date'];
const UPDATE = COLUMNS.filter((c) => !KEY.includes(c)).map((c) => `${c} = EXCLUDED.${c}`).join(', ');

function insertSql(rows: number): string {
	const tuples: string[] = [];
	for (let r = 0; r < rows; r++) tuples.push(`(${COLUMNS.map((_, c) => `$${r * COLUMNS.length + c + 1}`).join(', ')})`);
	return `INSERT INTO campaign_performance (${COLUMNS.join(', ')}) VALUES ${tuples.join(', ')} ON CONFLICT (${KEY.join(', ')}) DO UPDATE SET ${UPDATE}`;
}

function params(rows: PerformanceRow[]): unknown[] {
	const out: unknown[] = [];
	for (const row of rows) for (const c of COLUMNS) out.push((row as Record<string, unknown>)[c] ?? null);
	return out;
}

async function rawBatched(exec: SqlExecutor, rows: PerformanceRow[]): Promise<void> {
	await exec.transaction(async (tx) => {
		const full = insertSql(CHUNK);
		for (let i = 0; i < rows.length; i += CHUNK) {
			const part = rows.slice(i, i + CHUNK);
			await tx.query(part.length === CHUNK ? full : insertSql(part.length), params(part));
		}
	});
}

async function rowByRow(exec: SqlExecutor, rows: PerformanceRow[]): Promise<void> {
	const sql = insertSql(1);
	for (const row of rows) await exec.query(sql, params([row]));
}

function fakeAdapter(rows: DailyMetricRow[]): PlatformAdapter {
	const account = { platform: 'meta' as const, accountId: rows[0].accountId, name: 'bench', currency: 'EUR', timezone: 'UTC', status: 'ACTIVE', raw: {} };
	return {
		platform: 'meta',
		describeAccount: async () => account,
		listCampaigns: async () => ({ campaigns: [], meta: { requests: 0, retries: 0, retryWaitMs: 0, throttleWaitMs: 0, rateLimitWaitMs: 0, pages: 0 } }),
		fetchDailyMetrics: async () => ({ rows, account, warnings: [], meta: { requests: 1, retries: 0, retryWaitMs: 0, throttleWaitMs: 0, rateLimitWaitMs: 0, pages: 1 } }),
	};
}

async function reset(exec: SqlExecutor): Promise<void> {
	await exec.query('TRUNCATE campaign_performance, quarantine, ingest_runs');
}

async function timed(fn: () => Promise<unknown>): Promise<number> {
	const t = performance.now();
	await fn();
	return (performance.now() - t) / 1000;
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

async function bench(label: string, store: Store, exec: SqlExecutor): Promise<void> {
	const accountId = 'bench_account';
	await store.upsert('fx_rates', Array.from({ length: DAYS + 10 }, (_, i) => ({ base: 'EUR', quote: 'USD', rate_date: day(i - 10), rate: 1.08 + (i % 17) / 1000, source: 'bench' })));
	const rows = platformRows(ROWS, accountId);
	const adapter = fakeAdapter(rows);
	const ingest = () =>
		runIngest({ store, adapter, accountId, reportingCurrency: 'USD', window: { start: day(0), end: day(DAYS - 1) }, now: () => NOW, chunkSize: CHUNK });

	// pre-built rows for the baselines: exactly what the pipeline writes
	const fx = await FxTable.load(store, 'USD', day(0), day(DAYS - 1));
	const prepared = prepareRows(rows, { platform: 'meta', today: '2025-06-11', timezone: 'UTC', accountCurrency: 'EUR', reportingCurrency: 'USD', fx }).rows;
	if (prepared.length !== ROWS) throw new Error(`expected ${ROWS} valid rows, got ${prepared.length}`);

	// warm-up (JIT, plan caches) on a small slice of each path
	await reset(exec);
	await rawBatched(exec, prepared.slice(0, 5_000));
	await reset(exec);
	await rowByRow(exec, prepared.slice(0, 200));
	await reset(exec);
	await runIngest({ store, adapter: fakeAdapter(rows.slice(0, 5_000)), accountId, reportingCurrency: 'USD', window: { start: day(0), end: day(DAYS - 1) }, now: () => NOW });

	await reset(exec);
	let outcome: Awaited<ReturnType<typeof ingest>> | undefined;
	const tIngest = await timed(async () => (outcome = await ingest()));
	if (outcome?.status !== 'success' || outcome.rowsWritten !== ROWS) throw new Error(`ingest did not write every row: ${JSON.stringify(outcome)}`);
	const tRerun = await timed(async () => (outcome = await ingest()));
	if (outcome?.rowsUnchanged !== ROWS) throw new Error('rerun changed rows');

	await reset(exec);
	const tRaw = await timed(() => rawBatched(exec, prepared));
	const count = await exec.query('SELECT count(*)::int AS n FROM campaign_performance');
	if (count.rows[0].n !== ROWS) throw new Error('raw baseline did not write every row');

	await reset(exec);
	const tRow = await timed(() => rowByRow(exec, prepared.slice(0, SAMPLE)));
	await reset(exec);

	const ingestRate = ROWS / tIngest;
	const rawRate = ROWS / tRaw;
	const rowRate = SAMPLE / tRow;
	console.log(`\n${label} — ${fmt(ROWS)} rows, chunk ${CHUNK}`);
	console.log(`  ingest (runIngest: validate+normalize+FX+diff+upsert)  ${tIngest.toFixed(2)} s  ${fmt(ingestRate)} rows/s`);
	console.log(`  raw batched upsert baseline (pre-built rows)          ${tRaw.toFixed(2)} s  ${fmt(rawRate)} rows/s`);
	console.log(`  row-by-row upsert baseline (${fmt(SAMPLE)}-row sample)      ${tRow.toFixed(2)} s  ${fmt(rowRate)} rows/s  (extrapolated to ${fmt(ROWS)} rows: ${(ROWS / rowRate).toFixed(1)} s)`);
	console.log(`  rerun of the same window (all rows unchanged, nothing written)  ${tRerun.toFixed(2)} s  ${fmt(ROWS / tRerun)} rows/s`);
	console.log(`  ratio ingest / raw        ${(ingestRate / rawRate).toFixed(2)}×  (target ≥ 0.5×)`);
	console.log(`  ratio ingest / row-by-row ${(ingestRate / rowRate).toFixed(1)}×  (target ≥ 10×)`);
}

async function main(): Promise<void> {
	if (STORES.has('pglite')) await benchPglite();
	else console.log('\nPGlite: skipped (BENCH_STORES)');
	const url = process.env.DATABASE_URL;
	if (url && STORES.has('postgres')) await benchPostgres(url);
	else console.log(`\nPostgreSQL: skipped (${url ? 'BENCH_STORES' : 'set DATABASE_URL'})`);
}

async function benchPglite(): Promise<void> {
	const dir = mkdtempSync(join(tmpdir(), 'adops-bench-'));
	try {
		const store = await openStore({ kind: 'embedded', path: dir });
		try {
			await bench('PGlite (embedded)', store, (await embeddedExecutor(dir)) as SqlExecutor);
		} finally {
			await store.close();
		}
	} finally {
		rmSync(dir, { recursive: true, force: true });
	}
}

async function benchPostgres(url: string): Promise<void> {
	const schema = `adops_bench_${randomBytes(4).toString('hex')}`;
	const pool = createPool({ connectionString: url, ssl: 'disable', schema, maxConnections: 4 });
	const exec = new PgPoolExecutor(pool);
	try {
		await migrate(exec, { schema });
		await bench(`PostgreSQL (${new URL(url).host}, schema ${schema})`, new SqlStore('postgres', exec), exec);
	} finally {
		await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
		await pool.end();
	}
}

main().catch((error) => {
	console.error(error);
	process.exitCode = 1;
});
