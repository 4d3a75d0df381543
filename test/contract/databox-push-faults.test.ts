/**
 * Push KPIs to Databox (nodes/shared/insights/databox.ts) when the push is
 * interrupted, on PGlite (and PostgreSQL with DATABASE_URL) against the
 * sandbox's Databox datasets API:
 * - a late answer (Databox ingests the batch and answers after the client's
 *   timeout) ends unknown; the next run finds the ingestion and settles it
 *   as received; nothing is sent twice;
 * - a run killed between the claim and the answer (SIGKILL in a child
 *   process: this file, run with ADOPS_DATABOX_CHILD) at the failpoint
 *   `databox.after-claim` (claims committed, nothing sent) leaves its claims
 *   open; once stale, the next run finds no ingestion since and sends the
 *   values once; at `databox.after-ingest` (Databox received the batch, the
 *   ledger not told) the next run finds an ingestion it cannot explain and
 *   sends nothing, saying so.
 * - legacy push API: a lost answer stays unknown, is not pushed again, and
 *   is reported (that API cannot show what it received).
 * (test/contract/databox-push.test.ts holds the lost answer, the refused
 * key and the legacy push API.)
 */
import assert from 'node:assert/strict';
import { afterAll, beforeAll, describe, test } from '../helpers/vitest-api';
import { createDataboxClient, DATABOX_STALE_CLAIM_MS, databoxRecords, pushKpis } from '../../nodes/shared/insights/databox';
import { readKpis } from '../../nodes/shared/insights/kpi';
import { openStore, type RowInput, type Store, type StoreConfig } from '../../nodes/shared/store';
import { startSandbox, type Sandbox } from '../../scripts/sandbox';
import { databoxState, DATABOX_SANDBOX_API_KEY, DATABOX_SANDBOX_DATASET_ID, DATABOX_SANDBOX_PUSH_TOKEN } from '../../scripts/sandbox/platforms/databox';
import { assertKilledAt, runChildJob, runFailpointChild } from '../helpers/failpoint-child';
import { testStore, type TestStore } from '../helpers/store';

const CHILD = process.env.ADOPS_DATABOX_CHILD;

interface ChildJob {
	store: StoreConfig;
	baseUrl: string;
	day: string;
}

/** `campaigns` campaigns (default two) of one meta account on `date` (every odd one without revenue). */
function performance(date: string, k: number, campaigns = 2): Array<RowInput<'campaign_performance'>> {
	return Array.from({ length: campaigns }, (_, c) => c).map((c) => ({ date, platform: 'meta', account_id: 'act_f', campaign_id: `act_f_c${c}`, campaign_name: `Campaign ${c}`, currency: 'USD', spend: (10_000 + k * 733 + c * 91) / 100, impressions: 8_000 + k * 17, clicks: 120 + k + c, conversions: 3 + c, revenue: c % 2 === 1 ? null : (30_000 + k * 411) / 100 }));
}

const ingestions = (sandbox: Sandbox) => databoxState(sandbox.world).datasets.get(DATABOX_SANDBOX_DATASET_ID)!.ingestions.length;
const stale = () => Date.now() + DATABOX_STALE_CLAIM_MS + 60_000;

for (const kind of ['PGlite', ...(process.env.DATABASE_URL ? ['PostgreSQL'] : [])]) {
	describe(`Push KPIs to Databox, interrupted (${kind})`, () => {
		let ts: TestStore;
		let store: Store;
		let sandbox: Sandbox;
		const datasets = { datasetId: DATABOX_SANDBOX_DATASET_ID };
		const client = () => createDataboxClient({ apiKey: DATABOX_SANDBOX_API_KEY, mode: 'datasets', baseUrl: sandbox.urls.databox });
		const day = async (date: string, k: number, campaigns?: number) => {
			await store.upsert('campaign_performance', performance(date, k, campaigns));
			return readKpis(store, { from: date, to: date });
		};

		beforeAll(async () => {
			const saved = process.env.DATABASE_URL;
			if (kind === 'PGlite') delete process.env.DATABASE_URL;
			ts = await testStore('databox_faults');
			if (saved !== undefined) process.env.DATABASE_URL = saved;
			store = await openStore(ts.config);
			sandbox = await startSandbox({ today: '2025-07-11' });
		});
		afterAll(async () => {
			await sandbox?.close();
			await store?.close();
			await ts?.cleanup();
		});

		test('a late answer (ingested, answered after the timeout) is unknown, then found received: sent once', async () => {
			const kpis = await day('2025-07-01', 1);
			const before = ingestions(sandbox);
			sandbox.injectFault({ route: 'databox.ingest', kind: 'latency', latencyMs: 1_200, afterEffect: true, count: 1 });
			const quick = createDataboxClient({ apiKey: DATABOX_SANDBOX_API_KEY, mode: 'datasets', baseUrl: sandbox.urls.databox }, { timeoutMs: 300 });
			const late = await pushKpis(store, quick, kpis, datasets);
			assert.deepEqual([late.sent, late.unknown, late.failed], [0, late.values, 0]);
			assert.match(late.problems.join('\n'), /the answer was lost \(Databox ingestion: no answer within .*\); they may have been received, so they are not sent again/);
			assert.equal(ingestions(sandbox), before + 1, 'Databox received the batch; only its answer was late');
			await new Promise((r) => setTimeout(r, 1_200)); // the late answer arrives and is dropped
			const settled = await pushKpis(store, client(), kpis, datasets);
			assert.deepEqual([settled.reconciled.received, settled.sent, settled.unknown, settled.alreadySent], [late.values, 0, 0, late.values]);
			const again = await pushKpis(store, client(), kpis, datasets);
			assert.deepEqual([again.sent, again.alreadySent, again.reconciled.received], [0, again.values, 0]);
			assert.equal(ingestions(sandbox), before + 1, 'the batch went out once');
		});

		test('legacy push API: a lost answer is unknown; the next run sends nothing and says to check Databox', async () => {
			const legacy = createDataboxClient({ apiKey: DATABOX_SANDBOX_PUSH_TOKEN, mode: 'push', baseUrl: sandbox.urls.databoxPush });
			const kpis = await day('2025-07-04', 4);
			const state = databoxState(sandbox.world);
			const before = state.pushes.length;
			sandbox.injectFault({ route: 'databoxpush.data', kind: '5xx', status: 502, afterEffect: true, count: 1 });
			const lost = await pushKpis(store, legacy, kpis);
			assert.deepEqual([lost.sent, lost.unknown, lost.failed], [0, lost.values, 0]);
			assert.equal(state.pushes.length, before + 1, 'Databox received the push; only its answer was lost');
			const next = await pushKpis(store, legacy, kpis);
			assert.deepEqual([next.sent, next.unknown, next.alreadySent], [0, next.values, 0]);
			assert.match(next.problems.join('\n'), /the legacy push API cannot show what it received, so they are not sent again: check them in Databox/);
			assert.match(next.summary, /with an unknown outcome/);
			assert.equal(state.pushes.length, before + 1, 'not pushed twice');
		});

		describe('a run killed between the claim and the answer (SIGKILL in a child process)', () => {
			/** The child owns the store while it runs (PGlite is one process at a time). */
			async function killedAt(point: string, date: string): Promise<void> {
				await store.close();
				const job: ChildJob = { store: ts.config, baseUrl: sandbox.urls.databox, day: date };
				const run = await runFailpointChild(__filename, 'ADOPS_DATABOX_CHILD', job, point);
				store = await openStore(ts.config);
				assertKilledAt(run, point);
			}

			test('after the claims, before sending: nothing at Databox; once stale, the next run sends the values once', async () => {
				const kpis = await day('2025-07-02', 2);
				const before = ingestions(sandbox);
				await killedAt('databox.after-claim', '2025-07-02');
				assert.equal(ingestions(sandbox), before, 'killed before sending');
				const fresh = await pushKpis(store, client(), kpis, datasets);
				assert.deepEqual([fresh.sent, fresh.inProgress], [0, fresh.values], 'a recent claim is another run at work');
				const settled = await pushKpis(store, client(), kpis, { ...datasets, now: stale });
				assert.deepEqual([settled.reconciled.notReceived, settled.sent, settled.inProgress], [settled.values, settled.values, 0]);
				assert.equal(ingestions(sandbox), before + 1);
				const again = await pushKpis(store, client(), kpis, { ...datasets, now: stale });
				assert.deepEqual([again.sent, again.alreadySent], [0, again.values]);
				assert.equal(ingestions(sandbox), before + 1, 'sent once');
				const held = [...databoxState(sandbox.world).datasets.get(DATABOX_SANDBOX_DATASET_ID)!.rows.values()].filter((r) => r.date === '2025-07-02');
				assert.deepEqual(held.map((r) => r.value).sort(), databoxRecords(kpis).map((r) => r.value).sort());
			});

			test('a batch is claimed only when it is sent: killed at the second batch, only its values wait for the stale claim', async () => {
				const kpis = await day('2025-07-05', 5, 30);
				const values = databoxRecords(kpis).length;
				assert.ok(values > 200, `three batches at least, got ${values} values`);
				const before = ingestions(sandbox);
				await killedAt('databox.after-claim@2', '2025-07-05');
				assert.equal(ingestions(sandbox), before + 1, 'the first batch went out');
				const fresh = await pushKpis(store, client(), kpis, datasets);
				assert.deepEqual([fresh.alreadySent, fresh.inProgress, fresh.sent], [100, 100, values - 200], 'only the batch in flight is held by the dead run');
				const settled = await pushKpis(store, client(), kpis, { ...datasets, now: stale });
				assert.deepEqual([settled.reconciled.notReceived, settled.sent, settled.inProgress], [100, 100, 0]);
				const held = [...databoxState(sandbox.world).datasets.get(DATABOX_SANDBOX_DATASET_ID)!.rows.values()].filter((r) => r.date === '2025-07-05');
				assert.deepEqual(held.map((r) => r.value).sort(), databoxRecords(kpis).map((r) => r.value).sort());
			});

			test('after Databox received the batch, before the ledger heard: the next run sends nothing and says why', async () => {
				const kpis = await day('2025-07-03', 3);
				const before = ingestions(sandbox);
				await killedAt('databox.after-ingest', '2025-07-03');
				assert.equal(ingestions(sandbox), before + 1, 'Databox received the batch');
				const next = await pushKpis(store, client(), kpis, { ...datasets, now: stale });
				assert.deepEqual([next.sent, next.inProgress], [0, next.values]);
				assert.match(next.problems.join('\n'), /claimed by a run that stopped before an answer, and Databox received an ingestion since \(.+\) that may hold them: not sent again/);
				assert.equal(ingestions(sandbox), before + 1, 'not sent twice');
			});
		});
	});
}

if (CHILD) {
	const job = JSON.parse(CHILD) as ChildJob;
	runChildJob(async () => {
		const store = await openStore(job.store);
		const kpis = await readKpis(store, { from: job.day, to: job.day });
		await pushKpis(store, createDataboxClient({ apiKey: DATABOX_SANDBOX_API_KEY, mode: 'datasets', baseUrl: job.baseUrl }), kpis, { datasetId: DATABOX_SANDBOX_DATASET_ID, claimedBy: 'killed-run' });
		await store.close();
	});
}
