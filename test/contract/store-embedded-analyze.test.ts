/**
 * PGlite has no autovacuum, so its planner would never get statistics. The
 * embedded store analyzes a table once the rows it wrote reach
 * EMBEDDED_ANALYZE.minRows and a tenth of the table, and on open analyzes
 * tables that hold data and were never analyzed (filled by SQL or an older
 * version). Checked through pg_class.reltuples (-1 until analyzed) and the
 * plan of one campaign's history.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, test } from 'vitest';
import type { RowInput } from '../../nodes/shared/schema/rows';
import { openStore, type Store } from '../../nodes/shared/store';
import { embeddedExecutor } from '../../nodes/shared/store/embedded';

const dirs: string[] = [];
const fresh = () => {
	const dir = mkdtempSync(join(tmpdir(), 'adops-analyze-'));
	dirs.push(dir);
	return dir;
};

function rows(campaigns: number, days: number, from = 0): Array<RowInput<'campaign_performance'>> {
	const out: Array<RowInput<'campaign_performance'>> = [];
	for (let c = from; c < from + campaigns; c++) {
		for (let d = 0; d < days; d++) {
			out.push({ date: new Date(Date.UTC(2025, 0, 1 + d)).toISOString().slice(0, 10), platform: 'meta', account_id: `a${c % 9}`, campaign_id: `c${c}`, currency: 'EUR', spend: c + d / 10, impressions: 100 * c, clicks: c, conversions: 1, revenue: 3 } as RowInput<'campaign_performance'>);
		}
	}
	return out;
}

async function tuples(dir: string): Promise<number> {
	const exec = (await embeddedExecutor(dir))!;
	const r = await exec.query(`SELECT reltuples::float8 AS n FROM pg_class WHERE relname = 'campaign_performance'`);
	return Number(r.rows[0]!.n);
}

async function planFor(dir: string): Promise<string> {
	const exec = (await embeddedExecutor(dir))!;
	const r = await exec.query(`EXPLAIN SELECT * FROM campaign_performance WHERE campaign_id = 'c5'`);
	return r.rows.map((x) => String(Object.values(x)[0])).join('\n');
}

describe('PGlite: statistics for the planner (no autovacuum)', () => {
	afterAll(() => {
		for (const d of dirs) rmSync(d, { recursive: true, force: true });
	});

	test('analyzed once a thousand rows and a tenth of the table were written, not on every write', async () => {
		const dir = fresh();
		const store: Store = await openStore({ kind: 'embedded', path: dir });
		try {
			assert.equal(await tuples(dir), -1, 'never analyzed before a write');
			await store.upsert('campaign_performance', rows(30, 20)); // 600 rows: under the 1,000
			assert.equal(await tuples(dir), -1);
			await store.upsert('campaign_performance', rows(30, 20, 30)); // 1,200 written
			assert.equal(await tuples(dir), 1200);
			assert.match(await planFor(dir), /idx_campaign_performance_campaign_id|campaign_performance_natural_key/);
			// counted from the last ANALYZE: 200 rows are under the 1,000, then 1,000 reach it
			await store.upsert('campaign_performance', rows(10, 20, 60)); // 200 written since: under 1,000
			assert.equal(await tuples(dir), 1200);
			await store.upsert('campaign_performance', rows(40, 20, 70)); // 1,000 since
			assert.equal(await tuples(dir), 2200);
			// an upsert that changes nothing writes nothing and counts nothing
			await store.upsert('campaign_performance', rows(60, 20));
			assert.equal(await tuples(dir), 2200);
			// inside a transaction nothing is counted (it may roll back); the rows written after it are
			await store.transaction((tx) => tx.upsert('campaign_performance', rows(50, 20, 200)));
			assert.equal(await tuples(dir), 2200);
		} finally {
			await store.close();
		}
	});

	test('a table filled without statistics (by SQL, or an older version) is analyzed when the store opens', async () => {
		const dir = fresh();
		let store: Store = await openStore({ kind: 'embedded', path: dir });
		const exec = (await embeddedExecutor(dir))!;
		await exec.query(`INSERT INTO campaign_performance (date, platform, account_id, campaign_id, currency, spend, impressions, clicks, conversions, revenue)
			SELECT DATE '2025-01-01' + (g % 100), 'meta', 'a' || (g % 7), 'c' || (g / 100), 'EUR', g % 50, g, g % 30, g % 3, g % 11 FROM generate_series(0, 19999) AS g`);
		assert.equal(await tuples(dir), -1);
		// without statistics the planner guesses the rows of one campaign (each campaign has 100)
		assert.doesNotMatch(await planFor(dir), /rows=100 /);
		await store.close();
		store = await openStore({ kind: 'embedded', path: dir });
		try {
			assert.equal(await tuples(dir), 20_000);
			const plan = await planFor(dir);
			assert.match(plan, /rows=100 /, plan);
			assert.match(plan, /Index/, plan);
		} finally {
			await store.close();
		}
	});
});
