// AdOps Insights → Push KPIs run in-process by n8n-core (test/engine/harness.ts) against the store and the
// sandbox's Databox: the KPI views of three days go to the sandbox dataset (the values it holds equal the
// views'), a rerun sends nothing, a refused key stops the node with an error naming the credential, and the
// node without a Databox credential says what is missing.
import { test, describe, beforeAll, afterAll, expect } from 'vitest';
import type { RowInput } from '../../nodes/shared/schema/rows';
import { databoxRecords } from '../../nodes/shared/insights/databox';
import { readKpis } from '../../nodes/shared/insights/kpi';
import { databoxState, DATABOX_SANDBOX_DATASET_ID } from '../../scripts/sandbox/platforms/databox';
import { startEngine, type Engine } from './harness';
import { json } from './expect';
import { withStore } from './world';

const DAYS = ['2026-12-03', '2026-12-04', '2026-12-05'];

function rows(): Array<RowInput<'campaign_performance'>> {
	return DAYS.flatMap((date, d) =>
		[1, 2, 3].map((c) => ({ date, platform: 'meta' as const, account_id: 'act-dbx', campaign_id: `act-dbx-c${c}`, campaign_name: `Campaign ${c}`, currency: 'EUR', spend: 100 + d * 10 + c * 3.33, impressions: 20_000 + c * 100, clicks: c === 3 ? 0 : 300 + d, conversions: 12 + c, revenue: c === 2 ? null : 400 + d * 7.5 })),
	);
}

describe('AdOps Insights Push KPIs on n8n-core', () => {
	let engine: Engine;
	let creds: Record<string, { id: string; name: string }>;
	const node = (parameters: Record<string, unknown>, withDatabox = true) => ({ name: 'Insights', type: 'adOpsInsights', parameters: { operation: 'pushKpis', datasetId: DATABOX_SANDBOX_DATASET_ID, days: 3, ...parameters }, credentials: { ...creds, ...(withDatabox ? engine.credentialRef('adOpsDataboxApi') : {}) } });

	beforeAll(async () => {
		engine = await startEngine({ seed: 18, today: '2026-12-06' });
		creds = engine.credentialRef('adOpsStoreApi');
		await withStore(engine, (store) => store.upsert('campaign_performance', rows()));
	}, 240_000);
	afterAll(async () => {
		await engine?.close();
	});

	test("the views' values reach the Databox dataset once", async () => {
		const run = await engine.runNode(node({}));
		expect(run.status).toBe('success');
		const [item] = json(run.items('Insights'));
		const expected = await withStore(engine, async (store) => databoxRecords(await readKpis(store, { from: DAYS[0]!, to: DAYS[2]! })));
		expect(item).toMatchObject({ outcome: 'pushKpis', from: DAYS[0], to: DAYS[2], mode: 'datasets', values: expected.length, sent: expected.length, unknown: 0, failed: 0 });
		expect(item!.summary).toBe(`${expected.length} values sent to Databox dataset, 0 already there (${expected.length} values read from the KPI views).`);
		const held = [...databoxState(engine.sandbox.world).datasets.get(DATABOX_SANDBOX_DATASET_ID)!.rows.values()];
		expect(held.map((r) => [r.date, r.metric, r.level, r.campaign_id, r.value]).sort()).toEqual(expected.map((r) => [r.date, r.metric, r.level, r.campaign_id, r.value]).sort());

		const again = json((await engine.runNode(node({}))).items('Insights'))[0]!;
		expect([again.sent, again.alreadySent]).toEqual([0, expected.length]);
	});

	test('a refused key stops the node with an error naming the credential', async () => {
		const key = Object.keys(engine.credentials.values).find((k) => k.startsWith('adOpsDataboxApi'))!;
		const saved = engine.credentials.values[key]!;
		engine.credentials.values[key] = { ...saved, apiKey: 'dbx_not_the_key_0000' };
		try {
			await withStore(engine, (store) => store.upsert('campaign_performance', [{ ...rows()[0]!, date: '2026-12-06' }]));
			const run = await engine.runNode(node({ days: 1 }));
			expect(run.status).toBe('error');
			expect(run.error?.message).toMatch(/The AdOps Databox API credential was refused by Databox \(ingestion, HTTP 401: Invalid API key\)/);
		} finally {
			engine.credentials.values[key] = saved;
		}
	});

	test('without a Databox credential the node says what is missing', async () => {
		const run = await engine.runNode(node({}, false));
		expect(run.status).toBe('error');
		expect(run.error?.message).toMatch(/Push KPIs needs an AdOps Databox API credential/);
	});
});
