// The sandbox world of the contract tests of rule metrics read from other tables (attribution's,
// first-party events): the sandbox's Meta (seed 11) on `today`, a real store, and one Meta USD
// account with three active campaigns delivering every day of the week before today, whose
// campaign_performance of the 35 days before today is stored. The tests add their own rows.
import assert from 'node:assert/strict';
import type { RuleInput } from '../../nodes/shared/rules';
import { runOptimizer, type OptimizerItem, type OptimizerResult, type OptimizerSettings } from '../../nodes/shared/rules/run';
import type { RowInput } from '../../nodes/shared/schema/rows';
import type { Store } from '../../nodes/shared/store';
import { startSandbox, type AdAccount, type Campaign, type Sandbox } from '../../scripts/sandbox';
import { addDays } from '../../scripts/sandbox/rng';
import { countingStore } from './counting-store';
import { sandboxAdapters } from './sandbox-adapters';
import type { OpenStoreVariant } from './store-suites';

/** A live run's gates for these tests: changes execute, none is held back by the caps. */
export const LIVE: OptimizerSettings = { dryRun: false, gates: { cooldownHours: 24, maxChangePct: 50, maxDailyChangePct: 100 } };

export interface RuleMetricsWorld {
	sb: Sandbox;
	store: Store;
	account: AdAccount;
	/** The three delivering campaigns, in the account's order. */
	campaigns: [Campaign, Campaign, Campaign];
	/** The campaign's spend over the 8 days before today (the sandbox's own figures). */
	weekSpend(c: Campaign): number;
	close(): Promise<void>;
}

export async function openRuleMetricsWorld(open: OpenStoreVariant, today: string): Promise<RuleMetricsWorld> {
	const sb = await startSandbox({ seed: 11, today });
	const { store, cleanup } = await open();
	const week = (c: Campaign) => c.daily.filter((d) => d.date >= addDays(today, -8) && d.date < today);
	let found: { account: AdAccount; campaigns: [Campaign, Campaign, Campaign] } | undefined;
	for (const a of sb.world.accounts.filter((x) => x.platform === 'meta' && x.currency === 'USD')) {
		const ok = a.campaigns.filter((c) => c.status === 'ACTIVE' && week(c).length >= 8 && week(c).every((d) => d.spend > 5));
		if (ok.length >= 3) {
			found = { account: a, campaigns: [ok[0]!, ok[1]!, ok[2]!] };
			break;
		}
	}
	assert.ok(found, 'the sandbox world has a Meta USD account with three delivering campaigns');
	const { account } = found;
	const perf: Array<RowInput<'campaign_performance'>> = [];
	for (const c of account.campaigns) {
		for (const d of c.daily.filter((x) => x.date >= addDays(today, -35) && x.date < today && x.impressions > 0)) {
			perf.push({ date: d.date, platform: 'meta', account_id: account.id, campaign_id: c.id, campaign_name: c.name, currency: account.currency, spend: d.spend, impressions: d.impressions, clicks: d.clicks, conversions: d.conversions, revenue: d.revenue, leads: d.leads });
		}
	}
	await store.upsert('campaign_performance', perf);
	return {
		sb,
		store,
		account,
		campaigns: found.campaigns,
		weekSpend: (c) => week(c).reduce((s, d) => s + d.spend, 0),
		close: async () => {
			await store.close();
			await cleanup();
			await sb.close();
		},
	};
}

/** One live run of `rules` (not the stored ones) over the world's account at `now`, reading through `store`. */
export function runRules(w: RuleMetricsWorld, rules: RuleInput[], store: Store, now: Date, settings: OptimizerSettings = LIVE): Promise<OptimizerResult> {
	return runOptimizer({ rules, useStoredRules: false, settings: { ...settings, output: 'full' }, accounts: { meta: [`act_${w.account.id}`] } }, { store, adapters: sandboxAdapters(w.sb, ['meta'], { retry: { maxRetries: 0 } }), now: () => now });
}

/** The run's one item of campaign `c` (asserted to be one). */
export function itemOf(r: OptimizerResult, c: Campaign): OptimizerItem {
	const list = r.items.filter((i) => i.entity.campaignId === c.id);
	assert.equal(list.length, 1, `${c.id}: ${r.items.map((i) => `${i.entity.campaignId} ${i.outcome}`).join(', ')}`);
	return list[0]!;
}

/** A rule that pauses one of the world's three campaigns when `conditions` hold (priority 10). */
export function pauseRule(w: RuleMetricsWorld, id: string, name: string, conditions: RuleInput['conditions'], over: Partial<RuleInput> = {}): RuleInput {
	return { id, name, priority: 10, scope: { campaignIds: w.campaigns.map((c) => c.id) }, conditions, action: { type: 'pause' }, ...over };
}

/**
 * `disabled` (a rule reading `table`, disabled) next to an enabled rule on
 * spend only: the run does not read `table`, and nothing is executed.
 */
export async function assertNotReadUnlessUsed(w: RuleMetricsWorld, disabled: RuleInput, table: string, now: Date): Promise<void> {
	const reads = new Map<string, number>();
	const spendOnly: RuleInput = { ...disabled, id: 'spend-only', enabled: true, conditions: { metric: 'spend', window: 'last_7_days', op: '<', value: 0 }, action: { type: 'notify' } };
	const r = await runRules(w, [{ ...disabled, enabled: false }, spendOnly], countingStore(w.store, reads), now);
	assert.equal(reads.get(table), undefined, `${table} was read`);
	assert.ok(r.items.every((i) => i.outcome !== 'executed'));
	assert.ok(w.campaigns.every((c) => c.status === 'ACTIVE'));
}

/**
 * One live run of `rule`, which reads `table`: the table is read once; the
 * first campaign is paused (the platform's status too) and the second and
 * third are not, the third's decision being gated for missing data (its
 * first condition unknown, not 0). Returns the three items for the test's
 * own checks.
 */
export async function runPausingFirst(w: RuleMetricsWorld, rule: RuleInput, table: string, now: Date): Promise<{ paused: OptimizerItem; kept: OptimizerItem; gated: OptimizerItem }> {
	const reads = new Map<string, number>();
	const r = await runRules(w, [rule], countingStore(w.store, reads), now);
	assert.equal(reads.get(table), 1, 'one batch read');
	const [first, second, third] = w.campaigns;
	const paused = itemOf(r, first);
	assert.equal(paused.outcome, 'executed');
	assert.equal(first.status, 'PAUSED', "the platform's ground truth");
	assert.equal(second.status, 'ACTIVE');
	assert.equal(third.status, 'ACTIVE');
	const kept = itemOf(r, second);
	assert.equal(kept.decision, 'no_match');
	const gated = itemOf(r, third);
	assert.equal(gated.outcome, 'gated');
	assert.equal(gated.decision, 'gated');
	assert.equal(gated.conditions[0]!.actual, null, 'unknown, not 0');
	assert.equal(gated.gates.find((g) => g.gate === 'data_volume')?.status, 'fail');
	return { paused, kept, gated };
}
