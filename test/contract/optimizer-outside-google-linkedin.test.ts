/**
 * Issue 13, outside changes on Google Ads and LinkedIn: a person's edit in
 * the Google Ads web interface or in Campaign Manager (made through the
 * sandbox's admin routes) counts for the cooldown, read from Google's
 * `change_event` (who by e-mail, what before → after) and from LinkedIn's
 * `changeAuditStamps.lastModified` (when only); the package's own changes,
 * which both platforms show too, are not counted twice; a change history that
 * cannot be read is a warning, and the run still evaluates. Against the
 * sandbox's APIs through the real adapters, and PGlite.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, test } from 'vitest';
import { pinnedApiVersion } from '../../nodes/shared/platforms/registry';
import type { CampaignControl } from '../../nodes/shared/platforms/types';
import type { RuleInput } from '../../nodes/shared/rules';
import type { OptimizerAdapters } from '../../nodes/shared/rules/apply';
import { runOptimizer, type OptimizerItem, type OptimizerResult } from '../../nodes/shared/rules/run';
import type { RowInput } from '../../nodes/shared/schema/rows';
import { openStore, type Store } from '../../nodes/shared/store';
import { startSandbox, type AdAccount, type Campaign, type Sandbox } from '../../scripts/sandbox';
import { addDays } from '../../scripts/sandbox/rng';
import { sandboxAdapters } from '../helpers/sandbox-adapters';

const TODAY = '2026-03-02';
const HOUR = 3_600_000;
const ALWAYS = { metric: 'impressions', window: 'last_7_days', op: '>=', value: 0 };
/** The sandbox's clock (TODAY at the real time of day): the platforms stamp their history with it, so the runs use it too. */
const sandboxNow = () => Date.now() + Date.parse(TODAY) - Date.parse(new Date().toISOString().slice(0, 10));

type WorldPlatform = 'google' | 'linkedin';
const PLATFORM = { google: 'google_ads', linkedin: 'linkedin' } as const;

describe('outside changes on Google Ads and LinkedIn count for the cooldown (PGlite)', () => {
	let sb: Sandbox;
	let store: Store;
	let adapters: OptimizerAdapters;
	let googleToken: string;
	const dir = mkdtempSync(join(tmpdir(), 'adops-outside-gl-'));
	const used = new Set<string>();

	/** An active campaign of `platform` not used by another test, whose last modification is older than two days. */
	const campaign = (platform: WorldPlatform, currency?: string): Campaign & { account: AdAccount } => {
		const old = addDays(TODAY, -2);
		for (const account of sb.world.accounts.filter((a) => a.platform === platform && (!currency || a.currency === currency))) {
			for (const c of account.campaigns) {
				const last = [...c.statusHistory.map((h) => h.date), ...c.budgetHistory.map((h) => h.date)].sort().pop() ?? c.createdDate;
				if (c.status !== 'ACTIVE' || used.has(c.id) || last > old) continue;
				used.add(c.id);
				return Object.assign(c, { account });
			}
		}
		throw new Error(`no unused active ${platform} campaign${currency ? ` in ${currency}` : ''}`);
	};
	const accounts = (platform: WorldPlatform) => sb.world.accounts.filter((a) => a.platform === platform).map((a) => a.id);
	const rule = (id: string, c: Campaign, action: Record<string, unknown>): RuleInput => ({ id, name: `Test ${id}`, priority: 50, scope: { campaignIds: [c.id] }, conditions: ALWAYS, action });
	const run = (platform: WorldPlatform, rules: RuleInput[], gates: Record<string, unknown>, whenMs: number, dryRun = true): Promise<OptimizerResult> =>
		runOptimizer({ rules, useStoredRules: false, settings: { dryRun, gates }, accounts: { [PLATFORM[platform]]: accounts(platform) } }, { store, adapters, now: () => new Date(whenMs) });
	const one = (r: OptimizerResult, id: string): OptimizerItem => {
		const list = r.items.filter((i) => i.rule.id === id);
		assert.equal(list.length, 1, JSON.stringify(r.items.map((i) => [i.rule.id, i.outcome])));
		return list[0]!;
	};
	/** A person edits the campaign in the platform's UI (the sandbox's admin route), `hoursAgo` before now. */
	async function personEdits(c: Campaign & { account: AdAccount }, change: { dailyBudget?: number; status?: string }, hoursAgo: number, who: string): Promise<void> {
		const google = c.account.platform === 'google';
		const headers: Record<string, string> = google
			? { authorization: `Bearer ${googleToken}`, 'developer-token': sb.credentials.googleAds.developerToken }
			: { authorization: `Bearer ${sb.credentials.linkedin.accessToken}`, 'linkedin-version': pinnedApiVersion('linkedin'), 'x-restli-protocol-version': '2.0.0' };
		const res = await fetch(`${google ? sb.urls.googleAds : sb.urls.linkedin}/_admin/campaigns/${c.id}/edit`, {
			method: 'POST',
			headers: { 'content-type': 'application/json', ...headers },
			body: JSON.stringify({ ...change, who, at: new Date(sandboxNow() - hoursAgo * HOUR).toISOString() }),
		});
		assert.equal(res.status, 200, await res.text());
	}

	beforeAll(async () => {
		sb = await startSandbox({ seed: 13, today: TODAY });
		store = await openStore({ kind: 'embedded', path: dir });
		adapters = sandboxAdapters(sb, ['linkedin', 'google_ads'], { retry: { maxRetries: 0 } });
		const g = sb.credentials.googleAds;
		const res = await fetch(sb.urls.googleOAuthToken, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: g.refreshToken, client_id: g.clientId, client_secret: g.clientSecret }) });
		googleToken = ((await res.json()) as { access_token: string }).access_token;
		const perf: Array<RowInput<'campaign_performance'>> = [];
		for (const account of sb.world.accounts.filter((a) => a.platform === 'google' || a.platform === 'linkedin')) {
			for (const cm of account.campaigns) {
				for (const d of cm.daily.filter((x) => x.date >= addDays(TODAY, -10) && x.impressions > 0)) {
					perf.push({ date: d.date, platform: PLATFORM[account.platform as WorldPlatform], account_id: account.id, campaign_id: cm.id, campaign_name: cm.name, currency: account.currency, spend: d.spend, impressions: d.impressions, clicks: d.clicks, conversions: d.conversions, revenue: d.revenue, leads: d.leads });
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

	test("Google Ads: the change history reads the person's edit from change_event: who by e-mail, where, before → after in major units", async () => {
		const c = campaign('google');
		const start = c.dailyBudget;
		await personEdits(c, { dailyBudget: start + 20 }, 3, 'jane.doe@example.com');
		const control = adapters.google_ads as unknown as CampaignControl;
		const changes = (await control.listCampaignChanges!(c.account.id, new Date(sandboxNow() - 24 * HOUR).toISOString())).filter((x) => x.campaignId === c.id);
		assert.equal(changes.length, 1);
		const [change] = changes as [NonNullable<(typeof changes)[0]>];
		assert.equal(change.kind, 'budget');
		assert.equal(change.budgetBefore, start);
		assert.equal(change.budgetAfter, start + 20);
		assert.equal(change.by, 'jane.doe@example.com');
		assert.equal(change.via, 'Google Ads web interface');
		assert.ok(Math.abs(Date.parse(change.at) - (sandboxNow() - 3 * HOUR)) < 60_000, `${change.at} is 3 h ago`);
	});

	test('Google Ads: an edit in the web interface 3 h ago blocks a rule under a 24 h cooldown, with who, what and when in the reason', async () => {
		const c = campaign('google');
		const start = c.dailyBudget;
		const after = Math.round(start * 150) / 100;
		await personEdits(c, { dailyBudget: after }, 3, 'jane.doe@example.com');
		const r = await run('google', [rule('scale-g', c, { type: 'scale_budget', percent: 10 })], { cooldownHours: 24 }, sandboxNow());
		const item = one(r, 'scale-g');
		assert.equal(item.outcome, 'gated');
		const cooldown = item.gates.find((g) => g.gate === 'cooldown')!;
		assert.equal(cooldown.status, 'fail');
		const money = (v: number) => v.toFixed(c.account.currency === 'JPY' ? 0 : 2);
		assert.match(cooldown.detail, new RegExp(`^budget changed ${money(start)} → ${money(after)} ${c.account.currency} by jane\\.doe@example\\.com in Google Ads web interface at (\\d{4}-\\d{2}-\\d{2} )?\\d{2}:\\d{2}, 3(\\.\\d+)? h ago < cooldown 24 h \\(a change made outside the package\\)$`));
		assert.equal(cooldown.values.lastChangeSource, 'outside');
		assert.equal(cooldown.values.lastChangeBy, 'jane.doe@example.com');
		assert.equal(r.warnings.filter((w) => /change history/.test(w)).length, 0, r.warnings.join('\n'));
		// a pause in the web interface counts the same way
		const p = campaign('google');
		await personEdits(p, { status: 'PAUSED' }, 2, 'ops@example.com');
		const r2 = await run('google', [rule('enable-g', p, { type: 'enable' })], { cooldownHours: 24 }, sandboxNow());
		assert.match(one(r2, 'enable-g').gates.find((g) => g.gate === 'cooldown')!.detail, /^paused by ops@example\.com in Google Ads web interface at (\d{4}-\d{2}-\d{2} )?\d{2}:\d{2}, 2(\.\d+)? h ago < cooldown 24 h \(a change made outside the package\)$/);
	});

	test('Google Ads: a cooldown longer than the 30 days change_event keeps is read back 30 days, without an error', async () => {
		const c = campaign('google');
		await personEdits(c, { status: 'PAUSED' }, 5, 'jane.doe@example.com');
		const r = await run('google', [rule('long-g', c, { type: 'enable' })], { cooldownHours: 24 * 60 }, sandboxNow());
		assert.equal(r.warnings.filter((w) => /change history/.test(w)).length, 0, r.warnings.join('\n'));
		assert.match(one(r, 'long-g').gates.find((g) => g.gate === 'cooldown')!.detail, /^paused by jane\.doe@example\.com .* < cooldown 1440 h/);
	});

	test("LinkedIn: an edit in Campaign Manager 3 h ago blocks a rule under a 24 h cooldown; the reason says LinkedIn tells neither what nor who", async () => {
		const c = campaign('linkedin');
		await personEdits(c, { dailyBudget: c.dailyBudget + 10 }, 3, 'Jane Doe');
		const control = adapters.linkedin as unknown as CampaignControl;
		const changes = (await control.listCampaignChanges!(c.account.id, new Date(sandboxNow() - 24 * HOUR).toISOString())).filter((x) => x.campaignId === c.id);
		assert.equal(changes.length, 1);
		assert.deepEqual({ ...changes[0]!, raw: undefined, at: undefined }, { platform: 'linkedin', accountId: c.account.id, campaignId: c.id, at: undefined, kind: 'other', budgetBefore: null, budgetAfter: null, statusBefore: null, statusAfter: null, by: null, via: null, raw: undefined });
		const r = await run('linkedin', [rule('scale-l', c, { type: 'scale_budget', percent: 10 })], { cooldownHours: 24 }, sandboxNow());
		const item = one(r, 'scale-l');
		assert.equal(item.outcome, 'gated');
		const cooldown = item.gates.find((g) => g.gate === 'cooldown')!;
		assert.equal(cooldown.status, 'fail');
		assert.match(cooldown.detail, /^changed \(the platform says neither what nor by whom\) at (\d{4}-\d{2}-\d{2} )?\d{2}:\d{2}, 3(\.\d+)? h ago < cooldown 24 h \(a change made outside the package\)$/);
		assert.equal(cooldown.values.lastChangeSource, 'outside');
		assert.equal(cooldown.values.lastChangeBy, null);
		// an edit older than the cooldown does not block
		const d = campaign('linkedin');
		await personEdits(d, { status: 'PAUSED' }, 30, 'Jane Doe');
		const r2 = await run('linkedin', [rule('enable-l', d, { type: 'enable' })], { cooldownHours: 24 }, sandboxNow());
		assert.equal(one(r2, 'enable-l').gates.find((g) => g.gate === 'cooldown')!.status, 'pass');
	});

	for (const platform of ['google', 'linkedin'] as const) {
		test(`${PLATFORM[platform]}: the package's own change is in the platform's history too, but counted once, as the rule's`, async () => {
			const c = campaign(platform);
			const t = sandboxNow();
			const first = await run(platform, [rule(`own-${platform}`, c, { type: 'scale_budget', percent: 10 })], { cooldownHours: 24 }, t, false);
			assert.equal(one(first, `own-${platform}`).outcome, 'executed');
			const later = await run(platform, [rule(`other-${platform}`, c, { type: 'pause' })], { cooldownHours: 24 }, t + HOUR);
			const cooldown = one(later, `other-${platform}`).gates.find((g) => g.gate === 'cooldown')!;
			assert.equal(cooldown.status, 'fail');
			assert.match(cooldown.detail, new RegExp(`by rule own-${platform} at (\\d{4}-\\d{2}-\\d{2} )?\\d{2}:\\d{2}, 1 h ago < cooldown 24 h$`));
			assert.equal(cooldown.values.lastChangeSource, 'rule');
		});
	}

	test('LinkedIn: a change history that cannot be read is a warning; the run still evaluates the account', async () => {
		const c = campaign('linkedin');
		// the change read's campaign search is the run's first on that route (the listing reads the account first)
		sb.injectFault({ route: 'linkedin.campaigns', kind: '5xx', status: 500, count: 1 });
		const r = await run('linkedin', [rule('still-l', c, { type: 'scale_budget', percent: 10 })], { cooldownHours: 24 }, sandboxNow());
		sb.clearFaults();
		const warned = r.warnings.filter((w) => /^linkedin account \d+: its change history could not be read \(.+\); changes made outside the package are not counted for the cooldown and the 24 h bound this run$/.test(w));
		assert.equal(warned.length, 1, r.warnings.join('\n'));
		assert.equal(one(r, 'still-l').outcome, 'dry_run');
		assert.ok(r.accounts.every((a) => a.error === null), JSON.stringify(r.accounts));
	});
});
