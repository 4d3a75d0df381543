/**
 * Issue 13, outside changes: a person's edit in the platform's UI (made through
 * the sandbox's admin route, served by the platform's change-history endpoint
 * in the vendor's shape) counts for the cooldown and the rolling 24 h bound;
 * the package's own changes, which the platform's history lists too, are not
 * counted twice. Against the sandbox's Meta API and PGlite (and PostgreSQL
 * when DATABASE_URL is set, in its own schema).
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, test } from 'vitest';
import { createPlatformAdapter } from '../../nodes/shared/platforms/factory';
import type { CampaignControl } from '../../nodes/shared/platforms/types';
import type { RuleInput } from '../../nodes/shared/rules';
import type { OptimizerAdapters } from '../../nodes/shared/rules/apply';
import { runOptimizer, type OptimizerItem, type OptimizerResult } from '../../nodes/shared/rules/run';
import type { RowInput } from '../../nodes/shared/schema/rows';
import { openStore, type Store } from '../../nodes/shared/store';
import { startSandbox, type AdAccount, type Campaign, type Sandbox } from '../../scripts/sandbox';
import { addDays } from '../../scripts/sandbox/rng';

const TODAY = '2026-03-02';
const HOUR = 3_600_000;
const ALWAYS = { metric: 'impressions', window: 'last_7_days', op: '>=', value: 0 };
/** The sandbox's clock (TODAY at the real time of day): the platform stamps its history with it, so the runs use it too. */
const sandboxNow = () => Date.now() + Date.parse(TODAY) - Date.parse(new Date().toISOString().slice(0, 10));

function suite(name: string, open: () => Promise<{ store: Store; cleanup: () => Promise<void> }>): void {
	describe(`outside changes count for the gates (${name})`, () => {
		let sb: Sandbox;
		let store: Store;
		let cleanup: () => Promise<void>;
		let adapters: OptimizerAdapters;
		const used = new Set<string>();
		const campaign = (): Campaign & { account: AdAccount } => {
			for (const account of sb.world.accounts.filter((a) => a.platform === 'meta' && ['USD', 'EUR', 'GBP', 'CAD', 'AUD'].includes(a.currency))) {
				for (const c of account.campaigns) {
					if (c.status !== 'ACTIVE' || used.has(c.id)) continue;
					used.add(c.id);
					return Object.assign(c, { account });
				}
			}
			throw new Error('no unused active Meta campaign in a two-digit currency');
		};
		const rule = (id: string, c: Campaign, action: Record<string, unknown>): RuleInput => ({ id, name: `Test ${id}`, priority: 50, scope: { campaignIds: [c.id] }, conditions: ALWAYS, action });
		const run = (rules: RuleInput[], gates: Record<string, unknown>, whenMs: number, dryRun = true): Promise<OptimizerResult> =>
			runOptimizer(
				{ rules, useStoredRules: false, settings: { dryRun, gates }, accounts: { meta: sb.world.accounts.filter((a) => a.platform === 'meta').map((a) => `act_${a.id}`) } },
				{ store, adapters, now: () => new Date(whenMs) },
			);
		const one = (r: OptimizerResult, id: string): OptimizerItem => {
			const list = r.items.filter((i) => i.rule.id === id);
			assert.equal(list.length, 1, JSON.stringify(r.items.map((i) => [i.rule.id, i.outcome])));
			return list[0]!;
		};
		/** Jane Doe changes the campaign in Ads Manager (the sandbox's admin route), `hoursAgo` before now. */
		async function janeEdits(c: Campaign, change: { dailyBudget?: number; status?: string }, hoursAgo: number): Promise<void> {
			const res = await fetch(`${sb.urls.meta}/_admin/campaigns/${c.id}/edit`, {
				method: 'POST',
				headers: { 'content-type': 'application/json' },
				body: JSON.stringify({ ...change, who: 'Jane Doe', at: new Date(sandboxNow() - hoursAgo * HOUR).toISOString(), access_token: sb.credentials.meta.accessToken }),
			});
			assert.equal(res.status, 200, await res.text());
		}

		beforeAll(async () => {
			sb = await startSandbox({ seed: 13, today: TODAY });
			({ store, cleanup } = await open());
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
			await cleanup?.();
			await sb?.close();
		});

		test('the change history reads Jane Doe\'s edit in Meta\'s activities shape: who, where, before → after in major units', async () => {
			const c = campaign();
			const start = c.dailyBudget;
			await janeEdits(c, { dailyBudget: start + 40 }, 3);
			const control = adapters.meta as unknown as CampaignControl;
			const changes = (await control.listCampaignChanges!(c.account.id, new Date(sandboxNow() - 24 * HOUR).toISOString())).filter((x) => x.campaignId === c.id);
			assert.equal(changes.length, 1);
			assert.equal(changes[0]!.kind, 'budget');
			assert.equal(changes[0]!.budgetBefore, start);
			assert.equal(changes[0]!.budgetAfter, start + 40);
			assert.equal(changes[0]!.by, 'Jane Doe');
			assert.equal(changes[0]!.via, 'Ads Manager');
			const raw = changes[0]!.raw as Record<string, unknown>;
			assert.equal(raw.event_type, 'update_campaign_budget');
			assert.equal(typeof raw.extra_data, 'string', 'Graph sends extra_data as a JSON string');
		});

		test('an edit in Ads Manager 3 h ago blocks a rule under a 24 h cooldown, with who, what and when in the reason', async () => {
			const c = campaign();
			const start = c.dailyBudget;
			await janeEdits(c, { dailyBudget: start * 1.5 }, 3);
			const r = await run([rule('scale', c, { type: 'scale_budget', percent: 10 })], { cooldownHours: 24 }, sandboxNow());
			const item = one(r, 'scale');
			assert.equal(item.outcome, 'gated');
			const cooldown = item.gates.find((g) => g.gate === 'cooldown')!;
			assert.equal(cooldown.status, 'fail');
			assert.match(cooldown.detail, new RegExp(`^budget changed ${start.toFixed(2)} → ${(start * 1.5).toFixed(2)} ${c.account.currency} by Jane Doe in Ads Manager at (\\d{4}-\\d{2}-\\d{2} )?\\d{2}:\\d{2}, 3(\\.\\d+)? h ago < cooldown 24 h \\(a change made outside the package\\)$`));
			assert.equal(cooldown.values.lastChangeSource, 'outside');
			assert.equal(cooldown.values.lastChangeBy, 'Jane Doe');
			assert.match(item.text, /gated by cooldown: budget changed .* by Jane Doe in Ads Manager/);
			// Slack hears it once per edit: this run routes it to the alerts, the next one stores it only
			assert.equal(item.route, 'alert');
			const rerun = await run([rule('scale', c, { type: 'scale_budget', percent: 10 })], { cooldownHours: 24 }, sandboxNow() + 60_000);
			assert.equal(one(rerun, 'scale').route, 'stored');
			// a pause by Jane counts the same way
			const p = campaign();
			await janeEdits(p, { status: 'PAUSED' }, 1);
			await janeEdits(p, { status: 'ACTIVE' }, 0.5);
			const r2 = await run([rule('raise', p, { type: 'scale_budget', percent: 10 })], { cooldownHours: 24 }, sandboxNow());
			assert.match(one(r2, 'raise').gates.find((g) => g.gate === 'cooldown')!.detail, /^enabled by Jane Doe in Ads Manager at (\d{4}-\d{2}-\d{2} )?\d{2}:\d{2}, 0\.5\d* h ago < cooldown 24 h \(a change made outside the package\)$/);
		});

		test('the 24 h bound counts the edit: 100 → 140 by Jane, +25 % asked under 50 % per 24 h reaches 1.5 × the lowest budget held, not 140 × 1.25', async () => {
			const c = campaign();
			const start = c.dailyBudget;
			await janeEdits(c, { dailyBudget: Math.round(start * 140) / 100 }, 2);
			const r = await run([rule('grow', c, { type: 'scale_budget', percent: 25 })], { cooldownHours: 0, maxChangePct: 25, maxDailyChangePct: 50 }, sandboxNow());
			const item = one(r, 'grow');
			assert.equal(item.outcome, 'dry_run');
			const bound = Math.floor(start * 1.5 * 100 + 1e-7) / 100;
			assert.equal(item.action!.budgetAfter, bound, `${start} × 1.5 rounded down`);
			assert.deepEqual(item.action!.clampedBy, ['daily_change']);
			assert.match(item.gates.find((g) => g.gate === 'daily_change')!.detail, /by Jane Doe in Ads Manager at (\d{4}-\d{2}-\d{2} )?\d{2}:\d{2} \(outside the package\)/);
		});

		test('the package\'s own change is in the platform\'s history too, but counted once, as the rule\'s', async () => {
			const c = campaign();
			const t = sandboxNow();
			const first = await run([rule('own', c, { type: 'scale_budget', percent: 10 })], { cooldownHours: 24 }, t, false);
			assert.equal(one(first, 'own').outcome, 'executed');
			const later = await run([rule('other', c, { type: 'pause' })], { cooldownHours: 24 }, t + HOUR);
			const cooldown = one(later, 'other').gates.find((g) => g.gate === 'cooldown')!;
			assert.equal(cooldown.status, 'fail');
			assert.match(cooldown.detail, /by rule own at (\d{4}-\d{2}-\d{2} )?\d{2}:\d{2}, 1 h ago < cooldown 24 h$/);
			assert.equal(cooldown.values.lastChangeSource, 'rule');
		});
	});
}

const dir = mkdtempSync(join(tmpdir(), 'adops-outside-'));
suite('PGlite', async () => {
	const store = await openStore({ kind: 'embedded', path: dir });
	return { store, cleanup: async () => { await store.close(); rmSync(dir, { recursive: true, force: true }); } };
});
if (process.env.DATABASE_URL) {
	const schema = `adops_outside_${randomBytes(5).toString('hex')}`;
	suite(`PostgreSQL (schema ${schema})`, async () => {
		const store = await openStore({ kind: 'postgres', connectionString: process.env.DATABASE_URL!, ssl: 'disable', schema });
		return {
			store,
			cleanup: async () => {
				await store.close();
				const { Pool } = await import('pg');
				const admin = new Pool({ connectionString: process.env.DATABASE_URL, max: 1 });
				await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
				await admin.end();
			},
		};
	});
}
