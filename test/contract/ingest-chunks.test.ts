/**
 * Chunked writing in runIngest on a SQL store: the changed rows are checked
 * against the table's schema one chunk ahead of the chunk being written, all
 * chunks in one transaction. The result must not depend on the chunk size,
 * a row the table schema rejects is quarantined (the others are written), a
 * rerun leaves the table byte-identical, and a failing chunk writes nothing.
 * PGlite always, PostgreSQL when DATABASE_URL is set.
 */
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, test } from 'vitest';
import { Pool } from 'pg';
import { runIngest } from '../../nodes/shared/ingest';
import type { DailyMetricRow, PlatformAdapter } from '../../nodes/shared/platforms/types';
import type { RowInput, TableName } from '../../nodes/shared/schema/rows';
import { openStore, type Store, type UpsertOptions } from '../../nodes/shared/store';

const DATABASE_URL = process.env.DATABASE_URL;
const days = (from: string, n: number) => Array.from({ length: n }, (_, i) => new Date(Date.parse(from) + i * 86_400_000).toISOString().slice(0, 10));
const NOW = () => new Date('2025-06-11T04:00:00Z');
const WINDOW = { start: '2025-06-01', end: '2025-06-10' };
const meta = { requests: 1, retries: 0, retryWaitMs: 0, throttleWaitMs: 0, rateLimitWaitMs: 0, pages: 1 };

function adapterFor(accountId: string, rows: DailyMetricRow[]): PlatformAdapter {
	const account = { platform: 'meta' as const, accountId, name: 'chunks', currency: 'EUR', timezone: 'UTC', status: 'ACTIVE', raw: {} };
	return {
		platform: 'meta',
		describeAccount: async () => account,
		listCampaigns: async () => ({ campaigns: [], meta }),
		fetchDailyMetrics: async () => ({ rows, account, warnings: [], meta }),
	};
}

function rowsFor(accountId: string): DailyMetricRow[] {
	const rows: DailyMetricRow[] = [];
	for (const campaign of ['A', 'B', 'C', 'D', 'E', 'F', 'G']) {
		for (const [i, date] of days('2025-06-04', 5).entries()) {
			rows.push({
				platform: 'meta',
				accountId,
				campaignId: campaign,
				campaignName: `Campaign ${campaign}`,
				date,
				currency: campaign === 'B' ? 'USD' : 'EUR',
				spend: 10.05 * (i + 1),
				impressions: 1_000 + i,
				clicks: 20 + i,
				conversions: campaign === 'C' ? 30 : 2, // C: flagged, kept
				revenue: campaign === 'D' ? null : 33.35 * (i + 1),
				leads: campaign === 'E' ? 3 : null,
				raw: { campaign_id: campaign, date_start: date },
			});
		}
		// a row the ingest checks accept and the table schema rejects: 1 / 5e12 rounds to fx_rate 0
		if (campaign === 'D') rows.push({ ...rows[rows.length - 1], campaignId: 'Z', currency: 'IRR', raw: { campaign_id: 'Z' } });
	}
	return rows;
}

/** Stored rows of an account without what differs between accounts and runs. */
async function values(store: Store, accountId: string) {
	const rows = await store.select('campaign_performance', { where: { account_id: accountId }, order: [{ column: 'campaign_id' }, { column: 'date' }] });
	return rows.map(({ id: _id, account_id: _a, ingest_run_id: _r, created_at: _c, updated_at: _u, ...rest }) => rest);
}

async function snapshot(store: Store, accountId: string) {
	return store.select('campaign_performance', { where: { account_id: accountId }, order: [{ column: 'campaign_id' }, { column: 'date' }] });
}

/** `store` whose transactions fail the `failAt`-th campaign_performance upsert with `error`. */
function failingStore(store: Store, failAt: number, error: Error): Store {
	return Object.create(store, {
		transaction: {
			value: <R>(fn: (tx: Store) => Promise<R>) =>
				store.transaction((tx) => {
					let calls = 0;
					const upsert = <T extends TableName>(table: T, rows: ReadonlyArray<RowInput<T>>, opts?: UpsertOptions) =>
						table === 'campaign_performance' && ++calls === failAt ? Promise.reject(error) : tx.upsert(table, rows, opts);
					return fn(Object.create(tx, { upsert: { value: upsert } }) as Store);
				}),
		},
	}) as Store;
}

function registerSuite(name: string, open: () => Promise<Store>) {
	describe(`chunked ingest writes on ${name}`, () => {
		let store: Store;
		beforeAll(async () => {
			store = await open();
			await store.upsert('fx_rates', [
				...days('2025-05-28', 14).map((d, i) => ({ base: 'EUR', quote: 'USD', rate_date: d, rate: 1.1 + i / 1000, source: 'test' })),
				...days('2025-05-28', 14).map((d) => ({ base: 'USD', quote: 'IRR', rate_date: d, rate: 5e12, source: 'test' })),
			]);
		});

		test('the chunk size changes nothing; a row the table schema rejects is quarantined; a rerun is byte-identical', async () => {
			const small = `chunk4_${randomUUID().slice(0, 8)}`;
			const whole = `chunk500_${randomUUID().slice(0, 8)}`;
			const run = (accountId: string, chunkSize: number) =>
				runIngest({ store, adapter: adapterFor(accountId, rowsFor(accountId)), accountId, reportingCurrency: 'USD', window: WINDOW, now: NOW, chunkSize });

			const a = await run(small, 4);
			const b = await run(whole, 500);
			for (const outcome of [a, b]) {
				assert.equal(outcome.status, 'partial', JSON.stringify(outcome.error));
				assert.deepEqual([outcome.rowsFetched, outcome.rowsWritten, outcome.rowsUnchanged, outcome.rowsQuarantined, outcome.rowsFlagged], [36, 35, 0, 1, 5]);
				assert.equal(outcome.quarantineReasons.length, 1);
				assert.match(outcome.quarantineReasons[0], new RegExp(`^meta account ${outcome.accountId} campaign Z on 2025-06-08: fx_rate: `));
			}
			assert.deepEqual(await values(store, small), await values(store, whole));
			const stored = await snapshot(store, small);
			assert.equal(stored.length, 35);
			assert.ok(stored.every((r) => r.ingest_run_id === a.runId));

			const again = await run(small, 4);
			assert.deepEqual([again.rowsWritten, again.rowsUnchanged, again.rowsQuarantined], [0, 35, 1]);
			// The bad row is seen again but recorded once: its record does not depend on the run.
			assert.equal(a.quarantineRecordsAdded, 1);
			assert.equal(again.quarantineRecordsAdded, 0);
			const records = await store.select('quarantine', { where: { account_id: small } });
			assert.equal(records.length, 1);
			assert.deepEqual(await snapshot(store, small), stored);
		});

		test('a failing chunk writes nothing: every chunk is in one transaction, and the error names the chunk', async () => {
			const accountId = `fail_${randomUUID().slice(0, 8)}`;
			const failing = failingStore(store, 3, new Error('campaign_performance: upsert (chunk 1/1, nothing written) failed: disk full'));
			const outcome = await runIngest({ store: failing, adapter: adapterFor(accountId, rowsFor(accountId)), accountId, reportingCurrency: 'USD', window: WINDOW, now: NOW, chunkSize: 4 });
			assert.equal(outcome.status, 'failed');
			assert.equal(outcome.error?.message, 'campaign_performance: upsert (chunk 3/9, nothing written) failed: disk full');
			assert.deepEqual(await snapshot(store, accountId), []);
			const [run] = await store.select('ingest_runs', { where: { id: outcome.runId } });
			assert.equal(run.outcome, 'failed');

			// the next run writes everything
			const next = await runIngest({ store, adapter: adapterFor(accountId, rowsFor(accountId)), accountId, reportingCurrency: 'USD', window: WINDOW, now: NOW, chunkSize: 4 });
			assert.equal(next.rowsWritten, 35);
		});
	});
}

const dir = mkdtempSync(join(tmpdir(), 'adops-ingest-chunks-'));
let embedded: Store | undefined;
registerSuite('PGlite', async () => (embedded = await openStore({ kind: 'embedded', path: dir })));
afterAll(async () => {
	await embedded?.close();
	rmSync(dir, { recursive: true, force: true });
});

if (DATABASE_URL) {
	const schema = `adops_chunks_${randomBytes(5).toString('hex')}`;
	let pgStore: Store | undefined;
	registerSuite(`PostgreSQL (schema ${schema})`, async () => (pgStore = await openStore({ kind: 'postgres', connectionString: DATABASE_URL, ssl: 'disable', schema })));
	afterAll(async () => {
		await pgStore?.close();
		const admin = new Pool({ connectionString: DATABASE_URL, max: 1 });
		await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
		await admin.end();
	});
}
