/**
 * The optimizer on TikTok Ads (issue 14: TikTok through the registry), against
 * the sandbox's TikTok Business API and PGlite:
 *
 * - TikTok is a controlled platform because its registry entry says so
 *   (`optimizer: true`): `CONTROLLED_PLATFORMS` and the node's credentials and
 *   account options derive from the registry.
 * - Lost answers on writes (`afterEffect`: HTTP 5xx with code 50000, a
 *   malformed body, no answer, an answer past the client timeout) on budget
 *   and status changes, at every retry: exactly one effect on TikTok (the
 *   budget to the cent), run one says `unknown`, run two reconciles it by
 *   reading `campaign/get/` and sends nothing.
 * - Refusals: TikTok's rate-limit code 40100 (HTTP 200, no Retry-After) on a
 *   write is retried; on every attempt it ends `failed` (known not applied),
 *   the campaign is unchanged and the next run makes the change.
 * - A budget in yen (no minor units) is sent as whole yen, once.
 * - The node's Reconcile operation settles a lost TikTok answer in words.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, test } from 'vitest';
import type { IExecuteFunctions } from 'n8n-workflow';
import { execute as reconcile } from '../../nodes/AdOpsOptimizer/actions/reconcile.operation';
import type { OptimizerContext } from '../../nodes/AdOpsOptimizer/actions/router';
import { ACCOUNT_OPTIONS, accountsFor } from '../../nodes/AdOpsOptimizer/actions/run.operation';
import { AdOpsOptimizer } from '../../nodes/AdOpsOptimizer/AdOpsOptimizer.node.js'; // .js: plain `.node` would resolve to the codex .node.json
import { createPlatformAdapter } from '../../nodes/shared/platforms/factory';
import { PLATFORM_REGISTRY } from '../../nodes/shared/platforms/registry';
import type { RuleInput } from '../../nodes/shared/rules';
import { CONTROLLED_PLATFORMS, controlFor, type OptimizerAdapters } from '../../nodes/shared/rules/apply';
import { runOptimizer, type OptimizerItem, type OptimizerResult, type OptimizerSettings } from '../../nodes/shared/rules/run';
import type { RowInput } from '../../nodes/shared/schema/rows';
import { openStore, type Store } from '../../nodes/shared/store';
import { startSandbox, type Campaign, type Sandbox } from '../../scripts/sandbox';
import { addDays } from '../../scripts/sandbox/rng';
import { applyCampaignChange } from '../../scripts/sandbox/world';

const TIKTOK = PLATFORM_REGISTRY.tiktok.id;
/** The sandbox's today, and a client that gives up after 400 ms and tries each call 3 times. */
const [TODAY, TIMEOUT_MS, RETRIES] = ['2026-03-02', 400, 2] as const;
const HOUR = 3_600_000;
/** Run times: hours after 18:00 UTC today. */
const at = (hours: number) => new Date(Date.parse(`${TODAY}T18:00:00Z`) + hours * HOUR);
const ALWAYS = { metric: 'impressions', window: 'last_7_days', op: '>=', value: 0 };
const MATRIX: OptimizerSettings = { dryRun: false, gates: { cooldownHours: 0, maxChangePct: 50, maxDailyChangePct: 1000, approval: { percent: 25 } } };
const STATUS_ROUTE = 'tiktok.campaignStatusUpdate';
const BUDGET_ROUTE = 'tiktok.campaignUpdate';

let sb: Sandbox;
let store: Store;
let adapters: OptimizerAdapters;
const dir = mkdtempSync(join(tmpdir(), 'adops-optimizer-tiktok-'));

const advertiser = (currency: string) => sb.world.tiktok.advertisers.find((a) => a.currency === currency)!;
/** An advertiser's campaigns that delivered in the last 7 days (the rules read that window). */
const delivering = (currency: string) => advertiser(currency).campaigns.filter((c) => c.daily.some((d) => d.date >= addDays(TODAY, -7) && d.impressions > 0));
const writes = (route: string) => sb.requests({ route }).filter((r) => r.method === 'POST').length;
const cents = (x: number) => Math.round(x * 100);
const rule = (id: string, c: Campaign, action: Record<string, unknown>): RuleInput => ({ id, name: `TikTok ${id}`, priority: 50, scope: { campaignIds: [c.id] }, conditions: ALWAYS, action });
const run = (rules: RuleInput[], accountId: string, when: Date, settings: OptimizerSettings = MATRIX) =>
	runOptimizer({ rules, useStoredRules: false, settings, accounts: { [TIKTOK]: [accountId] } }, { store, adapters, now: () => when });
const one = (r: OptimizerResult, id: string): OptimizerItem => {
	const list = r.items.filter((i) => i.rule.id === id && !['reconciled', 'recovered'].includes(i.outcome) && (i.outcome !== 'unknown' || i.conditions.length > 0));
	assert.equal(list.length, 1, `one item for rule ${id}: ${JSON.stringify(r.items.map((i) => [i.rule.id, i.outcome, i.text]))}`);
	return list[0]!;
};
const ledger = async (key: string) => (await store.select('action_ledger', { where: { idempotency_key: key } }))[0]!;
const row = async (key: string) => (await store.select('optimization_actions', { where: { idempotency_key: key } }))[0]!;

beforeAll(async () => {
	sb = await startSandbox({ seed: 21, today: TODAY });
	store = await openStore({ kind: 'embedded', path: dir });
	adapters = {
		[TIKTOK]: createPlatformAdapter(
			{ platform: TIKTOK, accessToken: sb.credentials.tiktok.accessToken, baseUrl: sb.urls.tiktok, accountIds: [] },
			{ retry: { maxRetries: RETRIES, initialDelayMs: 1, maxDelayMs: 5 }, timeoutMs: TIMEOUT_MS, breaker: false },
		),
	};
	const perf: Array<RowInput<'campaign_performance'>> = [];
	for (const account of sb.world.tiktok.advertisers) {
		for (const c of account.campaigns) {
			for (const d of c.daily.filter((x) => x.date >= addDays(TODAY, -10) && x.impressions > 0)) {
				perf.push({ date: d.date, platform: TIKTOK, account_id: account.id, campaign_id: c.id, campaign_name: c.name, currency: account.currency, spend: d.spend, impressions: d.impressions, clicks: d.clicks, conversions: d.conversions, revenue: d.revenue, leads: d.leads });
			}
		}
	}
	await store.upsert('campaign_performance', perf);
});
afterAll(async () => {
	await store?.close();
	await sb?.close();
	rmSync(dir, { recursive: true, force: true });
});

test('TikTok is controlled because its registry entry says so: engine, node credentials and account options', () => {
	assert.ok(PLATFORM_REGISTRY.tiktok.capabilities.optimizer);
	assert.ok(CONTROLLED_PLATFORMS.includes(TIKTOK));
	assert.equal(controlFor(adapters, TIKTOK), adapters[TIKTOK]);
	const node = new AdOpsOptimizer().description;
	const credential = node.credentials!.find((c) => c.name === PLATFORM_REGISTRY.tiktok.credentials[0].name);
	assert.deepEqual(credential, { name: 'adOpsTikTokAdsApi', displayName: 'TikTok Ads', required: false, testedBy: 'adOpsTikTokAdsApiTest' });
	assert.match(node.description!, /TikTok/);
	const option = ACCOUNT_OPTIONS.find((o) => o.platform === TIKTOK)!.option;
	assert.equal(option.name, 'tiktokAccounts');
	assert.equal(option.displayName, 'TikTok Account IDs');
	// the node's list wins over the credential's; a list without a credential is an error that names the platform
	const ctx = { store, adapters, credentialAccounts: { [TIKTOK]: ['7010000000001'] } } as unknown as OptimizerContext;
	assert.deepEqual(accountsFor({}, ctx), { [TIKTOK]: ['7010000000001'] });
	assert.deepEqual(accountsFor({ tiktokAccounts: '7010000000002' }, ctx), { [TIKTOK]: ['7010000000002'] });
	assert.throws(() => accountsFor({ tiktokAccounts: '7010000000002' }, { ...ctx, adapters: {} }), /Account IDs are given for tiktok but no credential/);
});

const LOST = [
	{ label: 'lost (HTTP 5xx, code 50000, after the effect)', spec: { kind: '5xx' as const, afterEffect: true } },
	{ label: 'lost (malformed body after the effect)', spec: { kind: 'malformed' as const, afterEffect: true } },
	{ label: 'lost (no answer, client timeout)', spec: { kind: 'timeout' as const, afterEffect: true } },
	{ label: `late (answered ${TIMEOUT_MS + 300} ms after the effect)`, spec: { kind: 'latency' as const, afterEffect: true, latencyMs: TIMEOUT_MS + 300 } },
];

let hour = 0;
for (const change of ['budget', 'pause'] as const) {
	test(`${change}: every answer lost or late → one effect on TikTok, unknown, then reconciled by reading campaign/get and nothing sent again`, async () => {
		const account = advertiser('USD');
		const c = delivering('USD')[change === 'budget' ? 0 : 1]!;
		applyCampaignChange(sb.world, c, { status: 'ACTIVE' });
		const route = change === 'budget' ? BUDGET_ROUTE : STATUS_ROUTE;
		for (const fault of LOST) {
			if (change === 'pause') applyCampaignChange(sb.world, c, { status: 'ACTIVE' });
			const id = `tt-${change}-${fault.spec.kind}`;
			const before = c.dailyBudget;
			const rules = [rule(id, c, change === 'budget' ? { type: 'scale_budget', percent: 10 } : { type: 'pause' })];
			const sentBefore = writes(route);
			sb.injectFault({ route, ...fault.spec, count: RETRIES + 1 });
			const when = at(hour);
			hour += 0.05;
			const first = await run(rules, account.id, when);
			sb.clearFaults();
			const item = one(first, id);
			const label = `${id} (${fault.label})`;
			const sent = writes(route) - sentBefore;
			assert.equal(item.outcome, 'unknown', `${label}: ${item.text}`);
			assert.equal(item.route, 'alert');
			assert.match(item.error!.message, /outcome is unknown/);
			assert.doesNotMatch(item.text, /retry|try again/i, `${label}: never advises a retry`);
			assert.equal(sent, RETRIES + 1, `${label}: setting a value is idempotent, retried on every lost answer`);
			const key = item.idempotencyKey!;
			assert.equal((await ledger(key)).status, 'unknown');
			const r1 = await row(key);
			assert.equal(r1.outcome, 'unknown');
			assert.equal(r1.action_taken, true, 'an unknown change counts as applied');
			if (change === 'budget') assert.equal(cents(c.dailyBudget), cents(item.action!.budgetAfter!), `${label}: applied once on TikTok`);
			else assert.equal(c.status, 'PAUSED', label);

			const second = await run(rules, account.id, new Date(when.getTime() + HOUR));
			assert.equal(writes(route) - sentBefore, sent, `${label}: run two sends nothing`);
			const rec = second.items.filter((i) => i.outcome === 'reconciled' && i.idempotencyKey === key);
			assert.equal(rec.length, 1, `${label}: ${JSON.stringify(second.items.map((i) => [i.outcome, i.text]))}`);
			assert.match(rec[0]!.text, /was applied/);
			const entry = await ledger(key);
			assert.equal(entry.status, 'succeeded');
			assert.match(entry.resolution!, change === 'budget' ? new RegExp(`^observed: daily budget ${item.action!.budgetAfter!.toFixed(2)} USD equals the target at `) : /^observed: status PAUSED equals the target at /);
			assert.equal((await row(key)).outcome, 'executed');
			if (change === 'budget') {
				assert.equal(one(second, id).outcome, 'gated', 'already done today');
				assert.equal(cents(c.dailyBudget), cents(item.action!.budgetAfter!), `${label}: one +10 % effect, to the cent`);
				assert.ok(Math.abs(item.action!.budgetAfter! - before * 1.1) < 0.01, `${label}: +10 % of ${before}`);
			}
		}
	});
}

test('rate limit: TikTok code 40100 on a write is retried (executed once); on every attempt it is a refusal (failed, unchanged) and the next run makes the change', async () => {
	const account = advertiser('USD');
	const c = delivering('USD')[1]!;
	applyCampaignChange(sb.world, c, { status: 'ACTIVE', dailyBudget: 60 });
	// one throttled answer: the retry goes through
	let sentBefore = writes(BUDGET_ROUTE);
	sb.injectFault({ route: BUDGET_ROUTE, kind: '429', count: 1 });
	const first = await run([rule('tt-throttle-once', c, { type: 'set_budget', amount: 66 })], account.id, at(20));
	sb.clearFaults();
	const done = one(first, 'tt-throttle-once');
	assert.equal(done.outcome, 'executed', done.text);
	assert.equal(writes(BUDGET_ROUTE) - sentBefore, 2, 'one throttled attempt, one that applied');
	assert.equal(c.dailyBudget, 66);
	const throttled = sb.requests({ route: BUDGET_ROUTE }).filter((r) => r.fault === '429');
	assert.ok(throttled.length >= 1 && throttled.every((r) => r.status === 200), 'TikTok throttles with HTTP 200 and code 40100');

	// throttled on every attempt: refused, known not applied
	sentBefore = writes(BUDGET_ROUTE);
	sb.injectFault({ route: BUDGET_ROUTE, kind: '429', count: RETRIES + 1 });
	const rules = [rule('tt-throttle-all', c, { type: 'set_budget', amount: 72 })];
	const second = await run(rules, account.id, at(21));
	sb.clearFaults();
	const refused = one(second, 'tt-throttle-all');
	assert.equal(refused.outcome, 'failed', refused.text);
	assert.equal(refused.error!.kind, 'rate_limited');
	assert.equal(refused.error!.code, 40100);
	assert.match(refused.error!.message, /TikTok is throttling/);
	assert.equal(writes(BUDGET_ROUTE) - sentBefore, RETRIES + 1);
	assert.equal(c.dailyBudget, 66, 'unchanged');
	const key = refused.idempotencyKey!;
	assert.equal((await ledger(key)).status, 'failed');
	const r = await row(key);
	assert.equal(r.outcome, 'failed');
	assert.equal(r.action_taken, false, 'a refusal does not count as applied');

	// the next run makes the change (a failed attempt may be tried again), once
	const third = await run(rules, account.id, at(22));
	assert.equal(one(third, 'tt-throttle-all').outcome, 'executed');
	assert.equal(c.dailyBudget, 72);
	assert.equal(writes(BUDGET_ROUTE) - sentBefore, RETRIES + 2);
});

test('a budget in yen is sent as whole yen, once, and read back in yen', async () => {
	const account = advertiser('JPY');
	const c = delivering('JPY')[0]!;
	applyCampaignChange(sb.world, c, { status: 'ACTIVE', dailyBudget: 12345 });
	const sentBefore = writes(BUDGET_ROUTE);
	const rules = [rule('tt-yen', c, { type: 'scale_budget', percent: 10 })];
	const first = await run(rules, account.id, at(30));
	const item = one(first, 'tt-yen');
	assert.equal(item.outcome, 'executed', item.text);
	assert.equal(item.action!.budgetAfter, 13579, 'no minor units in yen');
	assert.equal(c.dailyBudget, 13579);
	const sent = sb.requests({ route: BUDGET_ROUTE }).filter((r) => r.method === 'POST').at(-1)!;
	assert.equal((sent.body as { budget: number }).budget, 13579);
	const second = await run(rules, account.id, at(31));
	assert.equal(one(second, 'tt-yen').outcome, 'gated');
	assert.equal(writes(BUDGET_ROUTE) - sentBefore, 1, 'once');
});

test('the Reconcile operation settles a lost TikTok answer in words, sending nothing', async () => {
	const account = advertiser('JPY');
	const c = delivering('JPY')[1]!;
	applyCampaignChange(sb.world, c, { status: 'ACTIVE' });
	const start = c.dailyBudget;
	sb.injectFault({ route: BUDGET_ROUTE, kind: '5xx', afterEffect: true, count: RETRIES + 1 });
	const first = await run([rule('tt-rec', c, { type: 'scale_budget', percent: 10 })], account.id, at(40));
	sb.clearFaults();
	const item = one(first, 'tt-rec');
	assert.equal(item.outcome, 'unknown', item.text);
	const target = item.action!.budgetAfter!;
	assert.equal(c.dailyBudget, target);
	const sentBefore = writes(BUDGET_ROUTE);
	const fns = { getExecutionId: () => '77' } as unknown as IExecuteFunctions;
	const ctx = { store, adapters, credentialAccounts: {} } as unknown as OptimizerContext;
	const [settled] = await reconcile.call(fns, 0, ctx);
	const mine = settled.filter((s) => s.json.idempotencyKey === item.idempotencyKey);
	assert.equal(mine.length, 1, JSON.stringify(settled.map((s) => s.json)));
	assert.equal(mine[0]!.json.status, 'succeeded');
	assert.match(String(mine[0]!.json.text), new RegExp(`^Reconciled, it happened: daily budget ${start} → ${target} JPY of tiktok campaign ${c.id} \\(account ${account.id}\\), rule "TikTok tt-rec", attempted `));
	assert.equal(writes(BUDGET_ROUTE), sentBefore, 'reconciling sends no change');
	assert.equal((await ledger(item.idempotencyKey!)).status, 'succeeded');
});
