/**
 * AdOps Optimizer → Reconcile (issue 12 "on demand", issue 13): a live change
 * whose answer is lost after the platform applied it ends `unknown`; the
 * Reconcile operation reads the campaign back and settles it, one item per
 * entry in words. Against the sandbox's Meta API (afterEffect fault) and
 * PGlite.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, test } from 'vitest';
import type { IExecuteFunctions } from 'n8n-workflow';
import { execute } from '../../nodes/AdOpsOptimizer/actions/reconcile.operation';
import type { OptimizerContext } from '../../nodes/AdOpsOptimizer/actions/router';
import { createPlatformAdapter } from '../../nodes/shared/platforms/factory';
import type { OptimizerAdapters } from '../../nodes/shared/rules/apply';
import { runOptimizer } from '../../nodes/shared/rules/run';
import type { RowInput } from '../../nodes/shared/schema/rows';
import { openStore, type Store } from '../../nodes/shared/store';
import { startSandbox, type Sandbox } from '../../scripts/sandbox';
import { addDays } from '../../scripts/sandbox/rng';

const TODAY = '2026-03-02';
let sb: Sandbox;
let store: Store;
let adapters: OptimizerAdapters;
const dir = mkdtempSync(join(tmpdir(), 'adops-reconcile-op-'));

beforeAll(async () => {
	sb = await startSandbox({ seed: 17, today: TODAY });
	store = await openStore({ kind: 'embedded', path: dir });
	const c = sb.credentials;
	adapters = { meta: createPlatformAdapter({ platform: 'meta', accessToken: c.meta.accessToken, appSecret: c.meta.appSecret, baseUrl: sb.urls.meta, accountIds: [] }, { retry: { maxRetries: 0 } }) } as OptimizerAdapters;
	const perf: Array<RowInput<'campaign_performance'>> = [];
	for (const account of sb.world.accounts.filter((a) => a.platform === 'meta')) {
		for (const cm of account.campaigns) {
			for (const d of cm.daily.filter((x) => x.date >= addDays(TODAY, -10) && x.impressions > 0)) {
				perf.push({ date: d.date, platform: 'meta', account_id: account.id, campaign_id: cm.id, campaign_name: cm.name, currency: account.currency, spend: d.spend, impressions: d.impressions, clicks: d.clicks, conversions: d.conversions, revenue: d.revenue, leads: d.leads });
			}
		}
	}
	await store.upsert('campaign_performance', perf);
});
afterAll(async () => {
	await store?.close();
	rmSync(dir, { recursive: true, force: true });
	await sb?.close();
});

test('Reconcile settles a lost answer by reading the campaign: one item in words, the ledger resolved, nothing sent', async () => {
	const account = sb.world.accounts.find((a) => a.platform === 'meta' && a.currency === 'USD' && a.campaigns.some((c) => c.status === 'ACTIVE'))!;
	const campaign = account.campaigns.find((c) => c.status === 'ACTIVE')!;
	const start = campaign.dailyBudget;
	sb.injectFault({ route: 'meta.update', kind: '5xx', afterEffect: true, count: 1 });
	const rules = [{ id: 'grow', name: 'Grow', priority: 50, scope: { campaignIds: [campaign.id] }, conditions: { metric: 'impressions', window: 'last_7_days', op: '>=', value: 0 }, action: { type: 'scale_budget', percent: 10 } }];
	const run = await runOptimizer({ rules, useStoredRules: false, settings: { dryRun: false, gates: { cooldownHours: 24, maxChangePct: 50 } }, accounts: { meta: [`act_${account.id}`] } }, { store, adapters });
	const item = run.items.find((i) => i.rule.id === 'grow')!;
	assert.equal(item.outcome, 'unknown');
	const target = item.action!.budgetAfter!;
	assert.equal(campaign.dailyBudget, target, 'the platform applied it; only the answer was lost');

	const writes = sb.requests().filter((r) => r.method === 'POST' && r.route === 'meta.update').length;
	const fns = { getExecutionId: () => '4242' } as unknown as IExecuteFunctions;
	const ctx: OptimizerContext = { store, adapters: adapters as OptimizerContext['adapters'], credentialAccounts: {} };
	const [settled, proposals, stored] = await execute.call(fns, 0, ctx);
	assert.equal(proposals.length, 0);
	assert.equal(settled.length, 1, JSON.stringify(settled));
	const json = settled[0]!.json;
	assert.equal(json.outcome, 'reconciled');
	assert.equal(json.status, 'succeeded');
	assert.equal(json.idempotencyKey, item.idempotencyKey);
	assert.match(String(json.text), new RegExp(`^Reconciled, it happened: daily budget ${start} → ${target} USD of meta campaign ${campaign.id} \\(account ${account.id}\\), rule "Grow", attempted `));
	assert.ok(!String(json.text).includes('{'), 'words, no JSON');
	assert.equal(stored.at(-1)!.json.outcome, 'summary');
	assert.match(String(stored.at(-1)!.json.text), /^Reconcile: 1 settled \(1 happened, 0 did not\), 0 still open, 0 could not be read$/);
	const [entry] = await store.select('action_ledger', { where: { idempotency_key: item.idempotencyKey! } });
	assert.equal(entry?.status, 'succeeded');
	assert.ok(entry?.resolution && entry.resolution.length > 0);
	assert.equal(sb.requests().filter((r) => r.method === 'POST' && r.route === 'meta.update').length, writes, 'reconciling sends no change');

	// nothing open any more: a second Reconcile settles nothing
	const [again] = await execute.call(fns, 0, ctx);
	assert.equal(again.length, 0);
});
