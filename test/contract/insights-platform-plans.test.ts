/**
 * Pace Budgets with the platforms' own budgets as the plan (plan source
 * "platform"), against the sandbox's Meta API through the optimizer's
 * adapters and a real store (PostgreSQL when DATABASE_URL is set, PGlite
 * otherwise): each active campaign with a daily budget of its own is planned
 * at daily budget × the days of the month in the account's currency and
 * paced against its stored spend; a campaign without one (a Google Ads shared
 * budget, in a listing built here) is listed with the reason, never given a
 * guessed plan; an Account ID with several platforms and no Platform is
 * refused in words before any platform is asked.
 */
import assert from 'node:assert/strict';
import { afterAll, beforeAll, describe, test } from 'vitest';
import { platformPlans, readPlatformPlans } from '../../nodes/shared/insights/platform-plans';
import { InsightsInputError, paceBudgets } from '../../nodes/shared/insights/run';
import type { CampaignStates } from '../../nodes/shared/platforms/types';
import type { RowInput } from '../../nodes/shared/schema/rows';
import { openStore, type Store } from '../../nodes/shared/store';
import { startSandbox, type Sandbox } from '../../scripts/sandbox';
import { addDays } from '../../scripts/sandbox/rng';
import { sandboxAdapters } from '../helpers/sandbox-adapters';
import { testStore } from '../helpers/store';

const TODAY = '2026-03-20';
const ASOF = addDays(TODAY, -1);

describe("Pace Budgets: plans from the platforms' own budgets", () => {
	let sb: Sandbox;
	let store: Store;
	let cleanup: () => Promise<void> = async () => undefined;

	beforeAll(async () => {
		sb = await startSandbox({ seed: 21, today: TODAY });
		const ts = await testStore('adops-platform-plans');
		cleanup = ts.cleanup;
		store = await openStore(ts.config);
	});
	afterAll(async () => {
		await store?.close();
		await sb?.close();
		await cleanup();
	});

	test('Meta: every active campaign with a daily budget is planned at budget × 31 days and paced against its stored spend', async () => {
		const account = sb.world.accounts.find((a) => a.platform === 'meta')!;
		const perf: Array<RowInput<'campaign_performance'>> = [];
		for (const c of account.campaigns) for (const d of c.daily.filter((x) => x.date >= addDays(ASOF, -70) && x.date <= ASOF)) perf.push({ date: d.date, platform: 'meta', account_id: account.id, campaign_id: c.id, campaign_name: c.name, currency: account.currency, spend: d.spend, impressions: d.impressions, clicks: d.clicks, conversions: d.conversions, revenue: d.revenue, leads: d.leads });
		await store.upsert('campaign_performance', perf);
		const adapters = sandboxAdapters(sb, ['meta'], { retry: { maxRetries: 1 }, breaker: false });
		const plansFor = await readPlatformPlans(adapters, { meta: [`act_${account.id}`] }, { platform: 'meta' });
		const { plans } = await plansFor('2026-03');
		const active = account.campaigns.filter((c) => c.status === 'ACTIVE' && c.dailyBudget > 0);
		assert.ok(active.length > 0);
		assert.deepEqual(
			plans.map((p) => [p.campaignId, p.amount, p.currency, p.source]).sort(),
			active.map((c) => [c.id, Math.round(c.dailyBudget * 31 * 100) / 100, account.currency, 'platform']).sort(),
		);
		const run = await paceBudgets(store, { platform: 'meta', asOf: ASOF, plansFor });
		const withHistory = run.pacing.map((p) => p.plan.campaignId).sort();
		assert.ok(withHistory.length > 0, JSON.stringify(run.problems));
		for (const p of run.pacing) {
			assert.equal(p.plan.source, 'platform');
			assert.equal(p.result.plan, plans.find((x) => x.campaignId === p.plan.campaignId)!.amount);
			assert.match(p.result.summary, /of [\d,.]+ after 19 of 31 days/);
		}
	});

	test('an Account ID with Meta and LinkedIn selected and no Platform is refused in words, before any platform is asked', async () => {
		const adapters = sandboxAdapters(sb, ['meta', 'linkedin'], { retry: { maxRetries: 1 }, breaker: false });
		const before = sb.requests().length;
		const e = await readPlatformPlans(adapters, { meta: ['act_1'], linkedin: ['2'] }, { accountId: '1' }).then(() => assert.fail('expected an error'), (x: unknown) => x as Error);
		assert.ok(e instanceof InsightsInputError, String(e));
		assert.match(e.message, /Plan Source Platforms' Own Budgets with Account ID 1: set Platform too \(meta, linkedin credentials are selected/);
		assert.equal(sb.requests().length, before, 'no platform was asked');
	});

	test('a campaign without a daily budget of its own is listed with the reason, not planned; paused ones are left out', () => {
		const listing = (campaigns: Array<Partial<CampaignStates['campaigns'][number]>>) => ({ account: {} as never, meta: {} as never, campaigns: campaigns.map((c) => ({ platform: 'google_ads', accountId: '123', campaignId: 'x', name: 'X', status: 'ACTIVE', platformStatus: null, dailyBudget: 10, budgetEditable: true, budgetNote: null, currency: 'EUR', timezone: 'Europe/Berlin', createdAt: null, raw: null, ...c })) }) as CampaignStates;
		const r = platformPlans([listing([{ campaignId: 'a', dailyBudget: 12.5 }, { campaignId: 'b', dailyBudget: null, budgetNote: 'a shared budget (3 campaigns)' }, { campaignId: 'c', status: 'PAUSED' }])], '2026-02');
		assert.deepEqual(r.plans, [{ platform: 'google_ads', accountId: '123', campaignId: 'a', amount: 350, currency: 'EUR', source: 'platform' }]);
		assert.deepEqual(r.problems, ['google_ads account 123, campaign X (b): no daily budget of its own (a shared budget (3 campaigns)); not paced from the platform: add a budget_plans row or set Monthly Budget']);
	});
});
