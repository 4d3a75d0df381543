// Moved from test/e2e/tiktok.test.ts (issue 14's "done when"): TikTok Ads, the fifth platform, through
// AdOps Ingest and AdOps Optimizer workflows on n8n-core in-process, against the sandbox's TikTok Business
// API and the store; the assertions are the e2e's. The credential test through n8n's REST API stays in e2e.
//
// - AdOps Ingest for both TikTok advertisers (USD and JPY), each in its own currency: every stored
//   campaign-day equals the sandbox world's own figures to the cent (to the yen), while TikTok throttles
//   (code 40100 with HTTP 200, no Retry-After), answers a 5xx and a malformed body on the report: retried,
//   nothing lost; a rerun writes nothing. The data quality report scores TikTok.
// - AdOps Optimizer (live) with the AdOps TikTok Ads credential: a pause and a budget change executed
//   exactly once (the sandbox's write count proves it; the second run sends nothing); a budget change whose
//   every answer is lost after TikTok applied it (HTTP 5xx) is unknown, counted as applied, and the next
//   run reconciles it by reading the campaign: one effect, not doubled.
import { test, beforeAll, afterAll, describe } from 'vitest';
import assert from 'node:assert/strict';
import type { AdAccount, Campaign, Sandbox } from '../../scripts/sandbox';
import { WORKFLOW_CREDENTIAL_IDS } from '../../scripts/sandbox/n8n-credentials';
import { addDays } from '../../scripts/sandbox/rng';
import type { Store, StoreConfig } from '../../nodes/shared/store';
import type { IngestOutcome } from '../../nodes/shared/ingest';
import { PLATFORM_REGISTRY } from '../../nodes/shared/platforms/registry';
import { nodeOutput, type WorkflowInput } from '../helpers/n8n';
import { jsonOutput, withStore } from '../helpers/with-store';
import { startEngine, type Engine } from './harness';
import { cli, type EngineCli } from './cli';

const TIKTOK = PLATFORM_REGISTRY.tiktok.id;
const CREDENTIAL = PLATFORM_REGISTRY.tiktok.credentials[0].name;
const STORE = { adOpsStoreApi: { id: WORKFLOW_CREDENTIAL_IDS.store, name: 'AdOps Store' } };
const TIKTOK_CREDENTIAL = { [CREDENTIAL]: { id: WORKFLOW_CREDENTIAL_IDS.tiktok, name: 'AdOps TikTok Ads' } };
const ALWAYS = { metric: 'impressions', window: 'last_7_days', op: '>=', value: 0 };
const WRITE_ROUTES = ['tiktok.campaignStatusUpdate', 'tiktok.campaignUpdate'];

type Advertiser = AdAccount<'tiktok'>;

describe('TikTok Ads: ingest and optimizer workflows as `n8n execute` ran them (moved from test/e2e/tiktok.test.ts)', () => {
	let engine: Engine;
	let sandbox: Sandbox;
	let n8n: EngineCli;
	let storeConfig: StoreConfig;
	let US: Advertiser;
	let JP: Advertiser;
	let pauseMe: Campaign; // USD: paused by a rule
	let growMe: Campaign; // USD: +10 % budget
	let lostMe: Campaign; // JPY: +10 % whose answers are lost
	const startBudget = new Map<string, number>();

	const inStore = <T>(fn: (s: Store) => Promise<T>) => withStore(storeConfig, fn);
	const out = jsonOutput;
	const writes = () => sandbox.requests().filter((r) => r.method === 'POST' && WRITE_ROUTES.includes(r.route));
	const delivering = (a: Advertiser) => a.campaigns.filter((c) => c.status === 'ACTIVE' && c.dailyBudget > 0 && c.daily.some((d) => d.impressions > 0 && d.date >= addDays(sandbox.world.today, -7)));
	const byRule = (items: Array<Record<string, unknown>>, id: string) => items.filter((i) => (i.rule as { id?: string } | undefined)?.id === id);

	const ingestNode = (name: string, a: Advertiser, position: [number, number]) => ({
		parameters: { operation: 'ingest', platform: TIKTOK, accounts: a.id, reportingCurrency: a.currency, lookbackDays: 3, initialBackfillDays: 30, options: {} },
		name,
		type: 'n8n-nodes-adops.adOpsIngest',
		typeVersion: 1,
		position,
		executeOnce: true,
		credentials: { ...STORE, ...TIKTOK_CREDENTIAL },
	});
	const optimizerWorkflow = (id: string, rules: unknown[], runOptions: Record<string, unknown>): WorkflowInput =>
		({
			id,
			name: `e2e tiktok ${id}`,
			nodes: [
				{ parameters: {}, name: 'Start', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 0] },
				{
					parameters: { operation: 'run', mode: 'live', killSwitch: false, useStoredRules: false, rules: JSON.stringify(rules), runOptions: { cooldownHours: 24, maxChangePct: 25, maxDailyChangePct: 50, approvalPercent: 20, ...runOptions } },
					name: 'Optimizer',
					type: 'n8n-nodes-adops.adOpsOptimizer',
					typeVersion: 1,
					position: [240, 0],
					credentials: { ...STORE, ...TIKTOK_CREDENTIAL },
				},
			],
			connections: { Start: { main: [[{ node: 'Optimizer', type: 'main', index: 0 }]] } },
			settings: { executionOrder: 'v1' },
		}) as unknown as WorkflowInput;
	const rule = (id: string, c: Campaign, action: Record<string, unknown>) => ({ id, name: `E2E ${id}`, priority: 50, scope: { campaignIds: [c.id] }, conditions: ALWAYS, action });

	const INGEST = 'AdOpsTikTokIngest';
	const OPTIMIZE = 'AdOpsTikTokOptimize';
	const LOST = 'AdOpsTikTokLostAnswer';

	beforeAll(async () => {
		engine = await startEngine({ seed: 21, storePrefix: 'adops-engine-tiktok' });
		sandbox = engine.sandbox;
		US = sandbox.world.tiktok.advertisers.find((a) => a.currency === 'USD')!;
		JP = sandbox.world.tiktok.advertisers.find((a) => a.currency === 'JPY')!;
		const [p, g] = delivering(US);
		const [l] = delivering(JP);
		assert.ok(p && g && l, 'the sandbox world has two delivering USD campaigns and one JPY campaign');
		[pauseMe, growMe, lostMe] = [p, g, l];
		for (const c of [pauseMe, growMe, lostMe]) startBudget.set(c.id, c.dailyBudget);
		storeConfig = engine.store.config;
		n8n = cli(engine);
		const ingest = {
			id: INGEST,
			name: 'e2e tiktok ingest',
			nodes: [
				{ parameters: {}, name: 'Start', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 0] },
				ingestNode('Ingest TikTok US', US, [240, 0]),
				ingestNode('Ingest TikTok JP', JP, [480, 0]),
				{
					parameters: { operation: 'qualityReport', platforms: [TIKTOK], reportDate: '', options: {} },
					name: 'Data Quality',
					type: 'n8n-nodes-adops.adOpsIngest',
					typeVersion: 1,
					position: [720, 0],
					executeOnce: true,
					credentials: STORE,
				},
			],
			connections: {
				Start: { main: [[{ node: 'Ingest TikTok US', type: 'main', index: 0 }]] },
				'Ingest TikTok US': { main: [[{ node: 'Ingest TikTok JP', type: 'main', index: 0 }]] },
				'Ingest TikTok JP': { main: [[{ node: 'Data Quality', type: 'main', index: 0 }]] },
			},
			settings: { executionOrder: 'v1' },
		} as unknown as WorkflowInput;
		// the credential lists both advertisers: the run reads both, the rules name their campaigns
		const optimize = optimizerWorkflow(OPTIMIZE, [rule('pause-us', pauseMe, { type: 'pause' }), rule('grow-us', growMe, { type: 'scale_budget', percent: 10 })], {});
		// the node's own account list: only the JPY advertiser
		const lost = optimizerWorkflow(LOST, [rule('grow-jp', lostMe, { type: 'scale_budget', percent: 10 })], { tiktokAccounts: JP.id });
		n8n.importWorkflows([ingest, optimize, lost]);
	});

	afterAll(async () => {
		await engine?.close();
	});

	test('ingest: both advertisers in their own currency, equal to the sandbox to the cent, through a 40100 throttle, a 5xx and a malformed body', async () => {
		sandbox.injectFault({ route: 'tiktok.report', kind: '429', count: 1 });
		sandbox.injectFault({ route: 'tiktok.report', kind: '5xx', count: 1 });
		sandbox.injectFault({ route: 'tiktok.report', kind: 'malformed', count: 1 });
		const result = await n8n.execute(INGEST);
		sandbox.clearFaults();
		assert.equal(result.status, 'success', JSON.stringify(result.error));
		const faulted = sandbox.requests({ route: 'tiktok.report' }).filter((r) => r.fault);
		assert.deepEqual(faulted.map((r) => [r.fault, r.status]), [['429', 200], ['5xx', 500], ['malformed', 200]], 'TikTok throttles with HTTP 200 (code 40100); each fault was met once');

		const runs = [...nodeOutput(result, 'Ingest TikTok US'), ...nodeOutput(result, 'Ingest TikTok JP')].map((i) => i.json as unknown as IngestOutcome);
		assert.equal(runs.length, 2);
		const stored = await inStore((store) => store.select('campaign_performance', { where: { platform: TIKTOK } }));
		const byKey = new Map(stored.map((r) => [`${r.account_id}|${r.campaign_id}|${r.date}`, r]));
		let expected = 0;
		for (const a of [US, JP]) {
			const run = runs.find((o) => o.accountId === a.id)!;
			assert.equal(run.status, 'success', `${a.name}: ${run.error?.message}`);
			assert.equal(run.timezone, a.timezone, 'days are the advertiser’s calendar days');
			const window = run.window!;
			assert.equal(window.mode, 'backfill');
			for (const c of a.campaigns) {
				for (const d of c.daily) {
					if (d.date < window.start || d.date > window.end || d.impressions === 0) continue;
					expected++;
					const row = byKey.get(`${a.id}|${c.id}|${d.date}`);
					assert.ok(row, `${a.name} ${c.id} ${d.date} stored`);
					assert.deepEqual(
						[row.currency, row.source_currency, row.spend, row.revenue, row.impressions, row.clicks, row.conversions, row.leads],
						[a.currency, a.currency, d.spend, d.revenue, d.impressions, d.clicks, d.conversions, d.leads],
						`${a.name} ${c.id} ${d.date}: the world's own figures in ${a.currency}`,
					);
				}
			}
		}
		assert.equal(runs.reduce((n, r) => n + (r.fetch?.retries ?? 0), 0), 3, `each fault retried once: ${JSON.stringify(runs.map((r) => r.fetch))}`);
		assert.ok(expected > 100, `a month of two advertisers (${expected} campaign-days)`);
		assert.equal(stored.length, expected, 'no row beyond the ground truth, none lost');
		assert.equal(runs.reduce((n, r) => n + r.rowsWritten, 0), expected);

		const quality = out(result, 'Data Quality')[0]! as { score: number; level: string; platforms: string[]; scope: string; rows: number };
		assert.equal(quality.scope, TIKTOK);
		assert.deepEqual(quality.platforms, [TIKTOK]);
		assert.ok(quality.rows > 0, 'yesterday has TikTok rows');
		assert.ok(quality.score > 0 && quality.level, JSON.stringify(quality));
	});

	test('ingest rerun: the same window again writes nothing', async () => {
		const result = await n8n.execute(INGEST);
		const runs = [...nodeOutput(result, 'Ingest TikTok US'), ...nodeOutput(result, 'Ingest TikTok JP')].map((i) => i.json as unknown as IngestOutcome);
		for (const r of runs) {
			assert.equal(r.status, 'success');
			assert.equal(r.rowsWritten, 0, `${r.accountId}: ${JSON.stringify({ window: r.window, unchanged: r.rowsUnchanged })}`);
			assert.ok(r.rowsUnchanged > 0);
		}
	});

	test('optimizer: a pause and a budget change executed exactly once; the second run sends nothing', async () => {
		const before = writes().length;
		const first = await n8n.execute(OPTIMIZE);
		const executed = out(first, 'Optimizer', 0);
		assert.deepEqual(byRule(executed, 'pause-us').map((i) => i.outcome), ['executed'], JSON.stringify(executed.map((i) => i.text)));
		const grow = byRule(executed, 'grow-us');
		assert.deepEqual(grow.map((i) => i.outcome), ['executed']);
		const target = (grow[0]!.action as { budgetAfter: number }).budgetAfter;
		assert.equal(pauseMe.status, 'PAUSED', 'paused on TikTok');
		assert.equal(Math.round(growMe.dailyBudget * 100), Math.round(target * 100), 'the budget on TikTok is the target, to the cent');
		assert.ok(Math.abs(target - startBudget.get(growMe.id)! * 1.1) < 0.01, `${target} ≈ ${startBudget.get(growMe.id)} × 1.1`);
		const sent = writes().slice(before);
		assert.deepEqual(sent.map((r) => r.route).sort(), ['tiktok.campaignStatusUpdate', 'tiktok.campaignUpdate'], 'one write per change');

		const second = await n8n.execute(OPTIMIZE);
		assert.equal(writes().length - before, 2, 'the second run sends nothing');
		assert.deepEqual(byRule(out(second, 'Optimizer', 0), 'grow-us'), [], 'nothing executed again');
		assert.equal(growMe.dailyBudget, target);
		assert.equal(pauseMe.status, 'PAUSED');
		await inStore(async (store) => {
			const rows = (await store.select('optimization_actions', { where: { platform: TIKTOK } })).filter((r) => r.outcome === 'executed');
			assert.deepEqual(rows.map((r) => r.campaign_id).sort(), [pauseMe.id, growMe.id].sort(), 'one executed record per change');
		});
	});

	test('optimizer: every answer to a budget write lost after TikTok applied it → unknown, counted as applied; the next run reconciles it, not doubled', async () => {
		const before = writes().length;
		sandbox.injectFault({ route: 'tiktok.campaignUpdate', kind: '5xx', afterEffect: true, count: 10 });
		const first = await n8n.execute(LOST);
		sandbox.clearFaults();
		const item = byRule(out(first, 'Optimizer', 0), 'grow-jp');
		assert.deepEqual(item.map((i) => i.outcome), ['unknown'], JSON.stringify(out(first, 'Optimizer', 0).map((i) => i.text)));
		assert.match(String(item[0]!.text), /outcome is unknown/);
		assert.doesNotMatch(String(item[0]!.text), /retry|try again/i);
		const target = (item[0]!.action as { budgetAfter: number }).budgetAfter;
		assert.equal(target, Math.round(startBudget.get(lostMe.id)! * 1.1), 'whole yen');
		assert.equal(lostMe.dailyBudget, target, 'TikTok applied it; only the answers were lost');
		const attempts = writes().length - before;
		assert.equal(attempts, 4, 'the Optimizer node retries an idempotent set 3 times');
		assert.ok(writes().slice(before).every((r) => (r.body as { budget: number }).budget === target), 'every attempt sets the same value');
		await inStore(async (store) => {
			const [row] = await store.select('optimization_actions', { where: { idempotency_key: String(item[0]!.idempotencyKey) } });
			assert.equal(row?.outcome, 'unknown');
			assert.equal(row?.action_taken, true, 'counts as applied');
		});

		const second = await n8n.execute(LOST);
		assert.equal(writes().length - before, attempts, 'the next run sends nothing');
		assert.equal(lostMe.dailyBudget, target, 'one +10 %, not two');
		const reconciled = out(second, 'Optimizer', 0).filter((i) => i.outcome === 'reconciled' && i.idempotencyKey === item[0]!.idempotencyKey);
		assert.equal(reconciled.length, 1, JSON.stringify(out(second, 'Optimizer', 0).map((i) => [i.outcome, i.text])));
		assert.match(String(reconciled[0]!.text), /was applied/);
		await inStore(async (store) => {
			const [entry] = await store.select('action_ledger', { where: { idempotency_key: String(item[0]!.idempotencyKey) } });
			assert.equal(entry?.status, 'succeeded');
			assert.match(String(entry?.resolution), new RegExp(`^observed: daily budget ${target}(\\.0+)? JPY equals the target`));
		});
	});
});
