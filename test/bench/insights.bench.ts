/**
 * Insights benchmark (issue 18).
 *
 *   scan      scanStore: one columnar read of the last 31 days of every
 *             campaign, the exact same-weekday prefilter, a columnar read of
 *             the full history of the candidates, STL + ESD on them
 *             (anomalies of the last 3 days), checked equal to one full read
 *             + the in-memory scan;
 *   baseline  the same detection with one `select` per campaign (what a
 *             per-campaign loop does), the queries measured on a sample of
 *             campaigns and extrapolated;
 *   forecast  1,000 series of 180 days with model selection (rolling-origin
 *             backtest of seasonal naive and ETS), time per series.
 * PGlite always; PostgreSQL too when DATABASE_URL is set (fresh schema,
 * dropped afterwards). Loading the rows is setup, not measured.
 *
 *   node --import tsx test/bench/insights.bench.ts
 * Options (env): BENCH_CAMPAIGNS (10000), BENCH_DAYS (180), BENCH_QUERY_SAMPLE (200),
 * BENCH_FORECASTS (1000), BENCH_STORES (pglite,postgres), BENCH_PGLITE_DIR (a PGlite directory kept
 * between runs: loaded on the first, reused after). Each store also prints the floor of the first read:
 * the same rows counted, summed, and aggregated to JSON text unparsed; the scan prints wall and CPU time
 * and the load average.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { buildSeries, forecast, scanSeries, scanStore, type PerformanceColumns } from '../../nodes/shared/insights';
import { openStore, type Store } from '../../nodes/shared/store';
import { embeddedExecutor } from '../../nodes/shared/store/embedded';
import { analyzeUnanalyzed } from '../../nodes/shared/store/sql-store';
import { describeBlocks, measureBlocks } from '../helpers/event-loop';
import type { SqlExecutor } from '../../nodes/shared/store/sql-runner';
import { Pool } from 'pg';
import { generateSeries } from '../unit/insights-fixtures';

const CAMPAIGNS = Number(process.env.BENCH_CAMPAIGNS ?? 10_000);
const DAYS = Number(process.env.BENCH_DAYS ?? 180);
const SAMPLE = Number(process.env.BENCH_QUERY_SAMPLE ?? 200);
const FORECASTS = Number(process.env.BENCH_FORECASTS ?? 1000);
const STORES = (process.env.BENCH_STORES ?? 'pglite,postgres').split(',');
const END = '2025-06-30';
const COLUMNS = ['date', 'platform', 'account_id', 'campaign_id', 'currency', 'spend', 'impressions', 'clicks', 'conversions', 'revenue'] as const;

/** Rows generated in SQL: weekly pattern, noise, and a 3× spend spike on the last day of every 500th campaign. */
function seedSql(): string {
	return `INSERT INTO campaign_performance (date, platform, account_id, campaign_id, currency, spend, impressions, clicks, conversions, revenue)
	SELECT d, 'meta', 'act_' || (c % 100), 'c' || c, 'USD', s, (s * 100)::bigint, (s * 2)::bigint, round(s * 0.1), s * 3
	FROM (SELECT c, d, round(((50 + c % 97) * (1 + 0.2 * sin(2 * pi() * extract(doy FROM d) / 7)) * (0.9 + 0.2 * random()) * CASE WHEN c % 500 = 0 AND d = DATE '${END}' THEN 3 ELSE 1 END)::numeric, 2) AS s
	      FROM generate_series(0, ${CAMPAIGNS - 1}) AS c, generate_series(DATE '${END}' - ${DAYS - 1}, DATE '${END}', interval '1 day') AS g(d)) x`;
}

const load = (): string => `load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}`;

/** Time of one query, ms (the database's work and the transfer into the process, no parsing). */
async function timeQuery(exec: SqlExecutor, sql: string): Promise<{ ms: number; bytes: number }> {
	const t = performance.now();
	const r = await exec.query(sql);
	const ms = performance.now() - t;
	let bytes = 0;
	for (const v of Object.values((r.rows[0] ?? {}) as Record<string, unknown>)) bytes += typeof v === 'string' ? v.length : 0;
	return { ms, bytes };
}

async function measure(name: string, store: Store, exec: SqlExecutor): Promise<void> {
	const have = Number((await exec.query('SELECT count(*)::int AS n FROM campaign_performance')).rows[0]?.n ?? 0);
	if (have === 0) {
		await exec.query(`SELECT setseed(0.42)`);
		const t0 = performance.now();
		await exec.query(seedSql());
		console.log(`${name}: loaded ${CAMPAIGNS * DAYS} rows in ${((performance.now() - t0) / 1000).toFixed(1)} s (setup)`);
		// rows loaded by SQL have no statistics; the embedded store analyzes such tables when it opens (PGlite has no autovacuum)
		if (name === 'PGlite') {
			const a0 = performance.now();
			const analyzed = await analyzeUnanalyzed(exec);
			console.log(`${name}: ANALYZE of ${analyzed.join(', ')} in ${((performance.now() - a0) / 1000).toFixed(1)} s (setup: what opening the store does)`);
		}
	} else console.log(`${name}: ${have} rows already loaded (BENCH_PGLITE_DIR)`);
	const start = new Date(Date.parse(`${END}T00:00:00Z`) - (DAYS - 1) * 86_400_000).toISOString().slice(0, 10);
	// the floor of stage 1's read: the same rows (the gate's 15 of the last 31 days) counted, their numbers summed, and the same
	// columns aggregated to JSON text as selectColumnar does, without parsing it; each twice, the second warm
	const gateDays: string[] = [];
	for (let k = 0; k <= 4; k++) for (let l = 0; l < 3; l++) gateDays.push(new Date(Date.parse(`${END}T00:00:00Z`) - (l + 7 * k) * 86_400_000).toISOString().slice(0, 10));
	const inDays = `date IN (${gateDays.map((d) => `DATE '${d}'`).join(', ')})`;
	const floors: Record<string, string> = {
		'count(*)': `SELECT count(*) AS n FROM campaign_performance WHERE ${inDays}`,
		'sum of the 5 numbers': `SELECT sum(spend) a, sum(impressions) b, sum(clicks) c, sum(conversions) d, sum(revenue) e FROM campaign_performance WHERE ${inDays}`,
		'json_agg of the 5 numbers': `SELECT json_build_array(json_agg(spend), json_agg(impressions), json_agg(clicks), json_agg(conversions), json_agg(revenue))::text AS j FROM (SELECT * FROM campaign_performance WHERE ${inDays}) x`,
		'json_agg of the 5 keys': `SELECT json_build_array(json_agg(date), json_agg(platform), json_agg(account_id), json_agg(campaign_id), json_agg(currency))::text AS j FROM (SELECT * FROM campaign_performance WHERE ${inDays}) x`,
		'json_agg of all 10 (stage 1 unparsed)': `SELECT count(*)::int AS n, json_build_array(${COLUMNS.map((c) => `json_agg(${c})`).join(', ')})::text AS j FROM (SELECT * FROM campaign_performance WHERE ${inDays}) x`,
	};
	for (const [what, sql] of Object.entries(floors)) {
		const a = await timeQuery(exec, sql);
		const b = await timeQuery(exec, sql);
		console.log(`${name} floor, ${what}: ${a.ms.toFixed(0)} ms, warm ${b.ms.toFixed(0)} ms${b.bytes ? ` (${(b.bytes / 1e6).toFixed(1)} MB of text)` : ''}; ${load()}`);
	}
	// the scan: two reads (31 recent days of everything, then the full history of the candidates) and the full method on them
	const cpu0 = process.cpuUsage();
	const s0 = performance.now();
	const staged = await scanStore(store, { end: END, historyDays: DAYS, lookbackDays: 3 });
	const s1 = performance.now();
	const cpu = process.cpuUsage(cpu0);
	const spikes = staged.anomalies.filter((a) => a.metric === 'spend' && a.campaignId !== null).length;
	console.log(
		`${name} scan: ${(s1 - s0).toFixed(0)} ms wall, ${((cpu.user + cpu.system) / 1000).toFixed(0)} ms CPU of this process (read ${staged.timings.readMs.toFixed(0)} ms: ${staged.read.stage1Rows} recent rows + ${staged.read.stage2Rows} rows of ${staged.read.candidateCampaigns} candidate campaigns and ${staged.read.candidateAccounts} accounts; detect ${staged.timings.detectMs.toFixed(0)} ms) for ${staged.scanned} series (${CAMPAIGNS} campaigns and their accounts × 9 metrics): ${staged.decomposed} decomposed, ${staged.quiet} proven quiet; ${staged.anomalies.length} anomalies, ${spikes} campaign spend anomalies (planted ${Math.ceil(CAMPAIGNS / 500)}); ${load()}`,
	);
	// the event loop during the scan (issue 21): the longest block, and the same anomalies (compared sorted, scores to 9 decimals)
	{
		const m = await measureBlocks(() => scanStore(store, { end: END, historyDays: DAYS, lookbackDays: 3 }));
		const key = (list: typeof staged.anomalies) => JSON.stringify(list.map((a) => `${a.platform}|${a.accountId}|${a.campaignId}|${a.metric}|${a.date}|${a.score.toFixed(9)}`).sort());
		console.log(`${name} scan, event loop: ${describeBlocks(m.blocks)}; the same ${m.value.anomalies.length} anomalies: ${key(m.value.anomalies) === key(staged.anomalies) ? 'yes' : 'NO'}; ${load()}`);
	}
	// one full columnar read + the in-memory scan (the prefilter on: exact, see the unit test)
	const r0 = performance.now();
	const cols = await store.selectColumnar('campaign_performance', [...COLUMNS], { where: { date: { gte: start, lte: END } } });
	const r1 = performance.now();
	const series = buildSeries(cols as unknown as PerformanceColumns, { end: END, historyDays: DAYS });
	const res = scanSeries(series, { lookbackDays: 3 });
	const r3 = performance.now();
	console.log(`${name} one full read: read ${(r1 - r0).toFixed(0)} ms + series and detect ${(r3 - r1).toFixed(0)} ms = ${(r3 - r0).toFixed(0)} ms; ${res.decomposed} series decomposed`);
	// scores to 9 decimals, as the contract test: an account's day is a sum whose last bits depend on the order the rows come back in
	const key = (a: { platform: string; accountId: string; campaignId: string | null; metric: string; date: string; score: number }) => `${a.platform}|${a.accountId}|${a.campaignId}|${a.metric}|${a.date}|${a.score.toFixed(9)}`;
	const same = JSON.stringify(staged.anomalies.map(key).sort()) === JSON.stringify(res.anomalies.map(key).sort());
	console.log(`${name} two reads vs one full read: ${same ? 'the same' : 'DIFFERENT'} ${res.anomalies.length} anomalies`);
	if (!same) process.exitCode = 1;
	// the full method without the prefilter on a sample (its cost per series)
	const sample = series.slice(0, Math.min(300, series.length));
	const p0 = performance.now();
	const full = scanSeries(sample, { lookbackDays: 3, prefilter: false });
	const perSeries = (performance.now() - p0) / full.scanned;
	console.log(`${name} full method without prefilter: ${(perSeries * 1000).toFixed(0)} µs per series → ${((perSeries * res.scanned) / 1000).toFixed(1)} s for all ${res.scanned} (from a sample of ${full.scanned})`);
	const r2 = r1;
	// baseline: one query per campaign (sample, extrapolated) + the same detection
	const q0 = performance.now();
	const n = Math.min(SAMPLE, CAMPAIGNS);
	for (let i = 0; i < n; i++) {
		const c = Math.floor((i * CAMPAIGNS) / n);
		await store.select('campaign_performance', { where: { campaign_id: `c${c}`, date: { gte: start, lte: END } } });
	}
	const perQuery = (performance.now() - q0) / n;
	const baseline = perQuery * CAMPAIGNS + (r3 - r2);
	console.log(`${name} per-campaign queries: ${perQuery.toFixed(2)} ms per campaign → ${(perQuery * CAMPAIGNS).toFixed(0)} ms of queries (from ${n} sampled) + the same detection = ${baseline.toFixed(0)} ms; the two-read scan is ${(baseline / (s1 - s0)).toFixed(1)}× faster`);
}

async function main(): Promise<void> {
	// forecast with model selection
	const f0 = performance.now();
	const chosen: Record<string, number> = {};
	for (let i = 0; i < FORECASTS; i++) {
		const g = generateSeries(10_000 + i, { anomalies: 0, days: 180 });
		const f = forecast(g.values, 30);
		chosen[f.model] = (chosen[f.model] ?? 0) + 1;
	}
	const ft = performance.now() - f0;
	console.log(`forecast: ${FORECASTS} series × 180 days, 30-day horizon, model chosen by backtest: ${ft.toFixed(0)} ms, ${((ft / FORECASTS) * 1000).toFixed(0)} µs per series (generation included); chosen ${JSON.stringify(chosen)}`);
	if (STORES.includes('pglite')) {
		// BENCH_PGLITE_DIR: a directory kept between runs (loading 1.8 M rows into PGlite takes minutes on a loaded machine)
		const kept = process.env.BENCH_PGLITE_DIR;
		const dir = kept ?? mkdtempSync(join(tmpdir(), 'adops-insights-bench-'));
		const store = await openStore({ kind: 'embedded', path: dir });
		try {
			await measure('PGlite', store, (await embeddedExecutor(dir)) as SqlExecutor);
		} finally {
			await store.close();
			if (!kept) rmSync(dir, { recursive: true, force: true });
		}
	}
	const url = process.env.DATABASE_URL;
	if (url && STORES.includes('postgres')) {
		const schema = `bench_insights_${randomBytes(4).toString('hex')}`;
		const store = await openStore({ kind: 'postgres', connectionString: url, ssl: 'disable', schema });
		const pool = new Pool({ connectionString: url, max: 1, options: `-c search_path=${schema}` });
		try {
			await measure('PostgreSQL', store, { inTransaction: false, query: (sql: string, params?: readonly unknown[]) => pool.query(sql, params as unknown[]) as never, transaction: async () => Promise.reject(new Error('unused')) });
		} finally {
			await pool.query(`DROP SCHEMA ${schema} CASCADE`);
			await pool.end();
			await store.close();
		}
	}
}

void main();
