/**
 * Push KPIs to Databox on PGlite (and PostgreSQL with DATABASE_URL) against
 * the sandbox's Databox (scripts/sandbox/platforms/databox.ts):
 * - the KPI views' ratios equal nodes/shared/metrics' derivedMetrics on the
 *   same rows (campaign rows, and sums per account and platform);
 * - the values Databox holds equal the views' values, level by level;
 * - a rerun sends nothing; a restated day sends only what changed;
 * - a lost answer ends unknown, is not sent again, and the next run finds
 *   the ingestion and settles it; an answer lost before Databox received the
 *   batch is settled as not received and sent;
 * - a refused API key fails with an error naming the credential, and the
 *   refused values go out with the right key;
 * - claims a stopped run left open (written by the test) are settled once
 *   stale: sent when Databox received nothing since, else reported;
 * - the legacy push API (basic-auth token) holds the same values.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, test } from 'vitest';
import type { ICredentialDataDecryptedObject, ICredentialTestFunctions } from 'n8n-workflow';
import { adOpsDataboxApiTest } from '../../nodes/AdOpsInsights/actions/push-kpis.operation';
import { derivedMetrics } from '../../nodes/shared/metrics';
import { createDataboxClient, DATABOX_LEDGER_KIND, DataboxError, databoxRecords, ledgerTarget, pushItem, pushKpis, recordKey, type DataboxClient } from '../../nodes/shared/insights/databox';
import { lastDays, readKpis, viewRatiosAgree, type KpiRow } from '../../nodes/shared/insights/kpi';
import { Pool } from 'pg';
import { openStore, type RowInput, type Store } from '../../nodes/shared/store';
import { embeddedExecutor } from '../../nodes/shared/store/embedded';
import { startSandbox, type Sandbox } from '../../scripts/sandbox';
import { databoxState, DATABOX_SANDBOX_API_KEY, DATABOX_SANDBOX_DATASET_ID, DATABOX_SANDBOX_PUSH_TOKEN, pointKey } from '../../scripts/sandbox/platforms/databox';
import { testStore, type TestStore } from '../helpers/store';

type Perf = RowInput<'campaign_performance'>;

/** Three days, two platforms, three accounts (one meta account reports in EUR), with a campaign without clicks and one without revenue. */
function performance(days: readonly string[]): Perf[] {
	const rows: Perf[] = [];
	const accounts: Array<{ platform: Perf['platform']; account: string; currency: string }> = [
		{ platform: 'meta', account: 'act_1', currency: 'USD' },
		{ platform: 'meta', account: 'act_2', currency: 'EUR' },
		{ platform: 'linkedin', account: '5001', currency: 'USD' },
	];
	days.forEach((date, d) => {
		accounts.forEach(({ platform, account, currency }, a) => {
			for (let c = 0; c < 3; c++) {
				const k = d * 31 + a * 7 + c;
				rows.push({
					date,
					platform,
					account_id: account,
					campaign_id: `${account}_c${c}`,
					campaign_name: `Campaign ${c} of ${account}`,
					currency,
					spend: (12_345 + k * 977) / 100,
					impressions: 10_000 + k * 131,
					clicks: c === 2 ? 0 : 150 + k * 3,
					conversions: c === 1 ? 0 : 4.5 + k,
					revenue: c === 1 ? null : (40_000 + k * 1_313) / 100,
				});
			}
		});
	});
	return rows;
}

const DAYS = ['2025-06-08', '2025-06-09', '2025-06-10'];

function valuesOnSandbox(sandbox: Sandbox): Map<string, number> {
	const ds = databoxState(sandbox.world).datasets.get(DATABOX_SANDBOX_DATASET_ID)!;
	const out = new Map<string, number>();
	for (const r of ds.rows.values()) out.set(JSON.stringify([r.date, r.metric, r.level, r.platform, r.account_id, r.campaign_id, r.currency]), r.value as number);
	return out;
}

function viewValues(rows: readonly KpiRow[]): Map<string, number> {
	const out = new Map<string, number>();
	for (const r of databoxRecords(rows)) out.set(JSON.stringify([r.date, r.metric, r.level, r.platform, r.account_id, r.campaign_id, r.currency]), r.value);
	return out;
}

const ingestions = (sandbox: Sandbox) => databoxState(sandbox.world).datasets.get(DATABOX_SANDBOX_DATASET_ID)!.ingestions.length;

for (const kind of ['PGlite', ...(process.env.DATABASE_URL ? ['PostgreSQL'] : [])]) {
	describe(`Push KPIs to Databox (${kind})`, () => {
		let ts: TestStore;
		let store: Store;
		let sandbox: Sandbox;
		let client: DataboxClient;
		const datasets = { datasetId: DATABOX_SANDBOX_DATASET_ID };

		beforeAll(async () => {
			const saved = process.env.DATABASE_URL;
			if (kind === 'PGlite') delete process.env.DATABASE_URL;
			ts = await testStore('databox');
			if (saved !== undefined) process.env.DATABASE_URL = saved;
			store = await openStore(ts.config);
			sandbox = await startSandbox({ today: '2025-06-11' });
			client = createDataboxClient({ apiKey: DATABOX_SANDBOX_API_KEY, mode: 'datasets', baseUrl: sandbox.urls.databox });
			await store.upsert('campaign_performance', performance(DAYS));
		});
		afterAll(async () => {
			await sandbox?.close();
			await store?.close();
			await ts?.cleanup();
		});

		test('mv_account_daily_summary is a view PUBLIC holds nothing on', async () => {
			const sql = `SELECT c.relkind AS kind, has_table_privilege('public', c.oid, 'SELECT') AS public_select
			               FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
			              WHERE n.nspname = current_schema() AND c.relname = 'mv_account_daily_summary'`;
			let rows: Array<Record<string, unknown>>;
			if (ts.config.kind === 'embedded') rows = (await (await embeddedExecutor(ts.config.path))!.query(sql)).rows;
			else {
				const pool = new Pool({ connectionString: process.env.DATABASE_URL, max: 1, options: `-c search_path=${ts.config.kind === 'postgres' ? ts.config.schema : 'public'}` });
				rows = (await pool.query(sql)).rows;
				await pool.end();
			}
			assert.deepEqual(rows, [{ kind: 'v', public_select: false }]);
		});

		test("the views' ratios equal derivedMetrics on the same rows", async () => {
			const kpis = await readKpis(store, { from: DAYS[0]!, to: DAYS[2]! });
			// 3 days × (2 platforms + 1 extra currency on meta) / 3 accounts / 9 campaigns
			assert.deepEqual(['platform', 'account', 'campaign'].map((l) => kpis.filter((k) => k.level === l).length), [9, 9, 27]);
			for (const row of kpis) assert.ok(viewRatiosAgree(row).agree, `ratios of ${row.level} ${row.platform} ${row.accountId} ${row.campaignId} ${row.date}`);
			// and from the inserted rows themselves: per campaign, and summed per account (cents as integers: exact)
			const input = performance(DAYS);
			for (const row of kpis.filter((k) => k.level === 'campaign')) {
				const src = input.find((r) => r.campaign_id === row.campaignId && r.date === row.date)!;
				const d = derivedMetrics({ spend: src.spend!, impressions: src.impressions!, clicks: src.clicks!, conversions: src.conversions!, revenue: src.revenue ?? null });
				assert.deepEqual([row.values.ctr, row.values.cpc, row.values.cpa, row.values.roas], [d.ctr, d.cpc, d.cpa, d.roas]);
			}
			for (const row of kpis.filter((k) => k.level === 'account')) {
				const src = input.filter((r) => r.account_id === row.accountId && r.date === row.date);
				const cents = src.reduce((s, r) => s + Math.round(r.spend! * 100), 0);
				const revenue = src.some((r) => r.revenue != null) ? src.reduce((s, r) => s + Math.round((r.revenue ?? 0) * 100), 0) / 100 : null;
				const sums = { spend: cents / 100, impressions: src.reduce((s, r) => s + r.impressions!, 0), clicks: src.reduce((s, r) => s + r.clicks!, 0), conversions: src.reduce((s, r) => s + r.conversions!, 0), revenue };
				assert.equal(row.values.spend, sums.spend);
				const d = derivedMetrics(sums);
				assert.deepEqual([row.values.ctr, row.values.cpc, row.values.cpa, row.values.roas], [d.ctr, d.cpc, d.cpa, d.roas]);
			}
		});

		test("Databox holds the views' values; a rerun sends nothing", async () => {
			const kpis = await readKpis(store, { from: DAYS[0]!, to: DAYS[2]! });
			const first = await pushKpis(store, client, kpis, datasets);
			assert.equal(first.values, databoxRecords(kpis).length);
			assert.equal(first.sent, first.values);
			assert.deepEqual([first.failed, first.unknown, first.alreadySent], [0, 0, 0]);
			assert.deepEqual(valuesOnSandbox(sandbox), viewValues(kpis));
			const before = ingestions(sandbox);
			const again = await pushKpis(store, client, kpis, datasets);
			assert.deepEqual([again.sent, again.alreadySent], [0, again.values]);
			assert.equal(ingestions(sandbox), before, 'no request sent');
			assert.match(again.summary, /^0 values sent to Databox dataset, \d+ already there/);
		});

		test('a restated day sends only the values that changed', async () => {
			await store.upsert('campaign_performance', [{ ...performance(DAYS).find((r) => r.campaign_id === 'act_1_c0' && r.date === DAYS[2])!, spend: 999.99 }]);
			const kpis = await readKpis(store, { from: DAYS[0]!, to: DAYS[2]! });
			const r = await pushKpis(store, client, kpis, datasets);
			// spend, cpc, cpa and roas of the campaign, its account and its platform
			assert.equal(r.sent, 12);
			assert.deepEqual(valuesOnSandbox(sandbox), viewValues(kpis));
		});

		test('a lost answer ends unknown, is not resent, and the next run finds the ingestion', async () => {
			await store.upsert('campaign_performance', performance(['2025-06-11']));
			const kpis = await readKpis(store, { from: '2025-06-11', to: '2025-06-11' });
			sandbox.injectFault({ route: 'databox.ingest', kind: '5xx', status: 502, afterEffect: true, count: 1 });
			const lost = await pushKpis(store, client, kpis, datasets);
			assert.equal(lost.unknown, Math.min(100, lost.values));
			assert.match(lost.problems.join('\n'), /the answer was lost .*HTTP 502.*not sent again/);
			const received = ingestions(sandbox);
			const settled = await pushKpis(store, client, kpis, datasets);
			assert.equal(settled.reconciled.received, lost.unknown);
			assert.deepEqual([settled.sent, settled.unknown, settled.alreadySent], [0, 0, settled.values]);
			assert.equal(ingestions(sandbox), received, 'the lost batch was not sent again');
			assert.deepEqual(valuesOnSandbox(sandbox), viewValues(await readKpis(store, { from: DAYS[0]!, to: '2025-06-11' })));
		});

		test('an answer lost before Databox received the batch is settled as not received and sent', async () => {
			await store.upsert('campaign_performance', performance(['2025-06-12']).slice(0, 4));
			const kpis = await readKpis(store, { from: '2025-06-12', to: '2025-06-12' });
			sandbox.injectFault({ route: 'databox.ingest', kind: 'timeout', count: 1 });
			const quick = createDataboxClient({ apiKey: DATABOX_SANDBOX_API_KEY, mode: 'datasets', baseUrl: sandbox.urls.databox }, { timeoutMs: 500 });
			const lost = await pushKpis(store, quick, kpis, datasets);
			assert.equal(lost.unknown, lost.values);
			assert.match(lost.problems[0]!, /no answer within/);
			const settled = await pushKpis(store, client, kpis, datasets);
			assert.deepEqual([settled.reconciled.notReceived, settled.sent], [lost.values, lost.values]);
			assert.deepEqual(valuesOnSandbox(sandbox), viewValues(await readKpis(store, { from: DAYS[0]!, to: '2025-06-12' })));
		});

		test('a refused API key names the credential; the refused values go out with the right key', async () => {
			// more than one batch: the values of the batches after the refused one were never sent
			await store.upsert('campaign_performance', performance(['2025-06-13']));
			const kpis = await readKpis(store, { from: '2025-06-13', to: '2025-06-13' });
			const wrong = createDataboxClient({ apiKey: 'dbx_wrong_key_000000', mode: 'datasets', baseUrl: sandbox.urls.databox });
			await assert.rejects(wrong.validateKey(), /AdOps Databox API credential was refused by Databox \(key check, HTTP 401: Invalid API key\)/);
			const error = await pushKpis(store, wrong, kpis, datasets).catch((e: unknown) => e);
			assert.ok(error instanceof DataboxError && error.kind === 'auth');
			assert.match(error.message, /The AdOps Databox API credential was refused by Databox \(ingestion, HTTP 401: Invalid API key\)\. Check the API key/);
			assert.doesNotMatch(error.message, /dbx_wrong_key/);
			await assert.rejects(pushKpis(store, client, kpis, { datasetId: 'no-such-dataset' }), /^DataboxError: Databox ingestion failed with HTTP 404: datasetId: Dataset not found$/);
			const ok = await pushKpis(store, client, kpis, datasets);
			assert.ok(ok.values > 100);
			assert.deepEqual([ok.sent, ok.inProgress], [ok.values, 0]);
			assert.deepEqual(valuesOnSandbox(sandbox), viewValues(await readKpis(store, { from: DAYS[0]!, to: '2025-06-13' })));
		});

		test('claims left open by a stopped run (written here by hand; the SIGKILLed runs are in databox-push-faults): never sent, the values go out; sent, nothing is sent again and it is reported', async () => {
			const later = () => Date.now() + 16 * 60_000;
			const target = client.target(DATABOX_SANDBOX_DATASET_ID);
			const claimAll = async (records: ReturnType<typeof databoxRecords>) => {
				for (const r of records) await store.claimAction(recordKey(target, r), { kind: DATABOX_LEDGER_KIND, target: ledgerTarget(target, r.date), intent: r as never, claimedBy: 'killed-run' });
			};
			// killed before sending
			await store.upsert('campaign_performance', performance(['2025-06-14']).slice(0, 1));
			const a = await readKpis(store, { from: '2025-06-14', to: '2025-06-14' });
			await claimAll(databoxRecords(a));
			const fresh = await pushKpis(store, client, a, datasets);
			assert.deepEqual([fresh.sent, fresh.inProgress], [0, fresh.values], 'a recent claim is another run at work');
			const settled = await pushKpis(store, client, a, { ...datasets, now: later });
			assert.deepEqual([settled.reconciled.notReceived, settled.sent, settled.inProgress], [settled.values, settled.values, 0]);
			// killed after sending, before recording
			await store.upsert('campaign_performance', performance(['2025-06-15']).slice(0, 1));
			const b = await readKpis(store, { from: '2025-06-15', to: '2025-06-15' });
			await claimAll(databoxRecords(b));
			await client.ingest(DATABOX_SANDBOX_DATASET_ID, databoxRecords(b));
			const before = ingestions(sandbox);
			const held = await pushKpis(store, client, b, { ...datasets, now: later });
			assert.deepEqual([held.sent, held.inProgress], [0, held.values]);
			assert.match(held.problems.join('\n'), /claimed by a run that stopped before an answer, and Databox received an ingestion since \(.+\) that may hold them: not sent again/);
			assert.equal(ingestions(sandbox), before);
			assert.deepEqual(valuesOnSandbox(sandbox), viewValues(await readKpis(store, { from: DAYS[0]!, to: '2025-06-15' })));
		});

		test('the legacy push API holds the same values; a rerun pushes nothing', async () => {
			const legacy = createDataboxClient({ apiKey: DATABOX_SANDBOX_PUSH_TOKEN, mode: 'push', baseUrl: sandbox.urls.databoxPush });
			assert.match(await legacy.validateKey(), /accepted the push token/);
			const kpis = await readKpis(store, { from: DAYS[0]!, to: DAYS[2]! });
			const first = await pushKpis(store, legacy, kpis);
			assert.equal(first.sent, first.values);
			const state = databoxState(sandbox.world);
			for (const r of databoxRecords(kpis)) {
				const item = pushItem(r);
				assert.equal(state.points.get(pointKey({ key: item.key, date: item.date, attributes: Object.fromEntries(item.attributes.map((a) => [a.key, a.value])) }))?.value, r.value);
			}
			const pushes = state.pushes.length;
			const again = await pushKpis(store, legacy, kpis);
			assert.deepEqual([again.sent, state.pushes.length], [0, pushes]);
			const wrong = createDataboxClient({ apiKey: 'not-the-token', mode: 'push', baseUrl: sandbox.urls.databoxPush });
			await assert.rejects(wrong.validateKey(), /AdOps Databox API credential was refused by Databox \(ping, HTTP 401: Invalid push token\)/);
		});
	});
}

test("Push KPIs' days: the Days up to the End Date, a day that is not a calendar day refused in words", () => {
	assert.deepEqual(lastDays('2025-03-01', 3), { from: '2025-02-27', to: '2025-03-01' });
	assert.deepEqual(lastDays('2025-06-10', 1), { from: '2025-06-10', to: '2025-06-10' });
	assert.throws(() => lastDays('2025-02-30', 7), /^Error: End Date must be a day YYYY-MM-DD, got "2025-02-30"$/);
	assert.throws(() => lastDays('yesterday', 7), /End Date must be a day YYYY-MM-DD, got "yesterday"/);
	assert.throws(() => lastDays('2025-06-10', 0), /Days must be a whole number from 1, got 0/);
});

describe('the AdOps Databox API credential test', () => {
	let sandbox: Sandbox;
	beforeAll(async () => {
		sandbox = await startSandbox({ today: '2025-06-11' });
	});
	afterAll(async () => sandbox?.close());
	const check = (data: ICredentialDataDecryptedObject) => adOpsDataboxApiTest.call({} as ICredentialTestFunctions, { id: '1', name: 'AdOps Databox', type: 'adOpsDataboxApi', data });

	test('accepts the sandbox key and push token; names the credential when Databox refuses; says when Databox cannot be reached', async () => {
		assert.deepEqual(await check({ apiMode: 'datasets', apiKey: DATABOX_SANDBOX_API_KEY, baseUrl: sandbox.urls.databox }), { status: 'OK', message: `Databox accepted the API key (${sandbox.url}/databox)` });
		assert.equal((await check({ apiMode: 'push', apiKey: DATABOX_SANDBOX_PUSH_TOKEN, baseUrl: sandbox.urls.databoxPush })).status, 'OK');
		const refused = await check({ apiMode: 'datasets', apiKey: 'dbx_wrong_key_111111', baseUrl: sandbox.urls.databox });
		assert.equal(refused.status, 'Error');
		assert.match(refused.message, /^The AdOps Databox API credential was refused by Databox \(key check, HTTP 401: Invalid API key\)\. Check the API key/);
		// the push token of the legacy API is not a datasets API key: the mode is named in the hint
		assert.match((await check({ apiMode: 'datasets', apiKey: DATABOX_SANDBOX_PUSH_TOKEN, baseUrl: sandbox.urls.databox })).message, /and the API mode/);
		assert.deepEqual(await check({ apiMode: 'datasets', apiKey: '', baseUrl: sandbox.urls.databox }), { status: 'Error', message: 'AdOps Databox API: the API key is empty' });
		const closed = await new Promise<number>((resolve) => {
			const server = createServer().listen(0, '127.0.0.1', () => {
				const { port } = server.address() as AddressInfo;
				server.close(() => resolve(port));
			});
		});
		const unreachable = await check({ apiMode: 'datasets', apiKey: DATABOX_SANDBOX_API_KEY, baseUrl: `http://127.0.0.1:${closed}` });
		assert.deepEqual(unreachable, { status: 'Error', message: `Databox key check: cannot reach http://127.0.0.1:${closed} (ECONNREFUSED)` });
	});
});
