/**
 * Rules on ad level (issue 20 item 4: "a rule on ad level pauses one ad, not
 * its campaign, once, with evidence"), against the sandbox's Meta, Google Ads
 * and LinkedIn APIs (Meta POST /{ad_id} status, Google Ads AdGroupAdService
 * mutate through google-ads-api, LinkedIn creatives PARTIAL_UPDATE
 * intendedStatus) and a real store: PGlite always, PostgreSQL when
 * DATABASE_URL is set. `ad_performance` holds the sandbox's own ad rows
 * (ad-reports.ts ground truth).
 *
 * - "pause ads with CTR < x over 7 days and spend > y": x and y are chosen from
 *   the ground truth so that one ad of the campaign matches (the expected set
 *   is computed here from the rows, by plain sums); exactly that ad is paused,
 *   its campaign and sibling ads keep their status, the item carries the
 *   evidence in words, a rerun sends nothing.
 * - A lost answer (timeout after the effect, every retry): unknown; the next
 *   run reads the ad back (PAUSED = target), records it applied and sends nothing.
 * - SIGKILL between the platform call and the ledger write (and after the
 *   ledger write): one pause in all; the next run reports it and sends nothing.
 *
 * Child mode: with ADLEVEL_CHILD set this file runs one optimizer run for the
 * SIGKILL tests instead of registering tests.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, test } from '../helpers/vitest-api';
import type { RuleInput } from '../../nodes/shared/rules';
import type { OptimizerAdapters } from '../../nodes/shared/rules/apply';
import { optimizerAlert } from '../../nodes/shared/rules/alert';
import { optimizationExecutor } from '../../nodes/shared/rules/executor';
import { runOptimizer, type OptimizerItem, type OptimizerResult, type OptimizerSettings } from '../../nodes/shared/rules/run';
import type { RowInput } from '../../nodes/shared/schema/rows';
import { openStore, type Store, type StoreConfig } from '../../nodes/shared/store';
import { startSandbox, type AdAccount, type Campaign, type Sandbox } from '../../scripts/sandbox';
import { adGroundTruth, type AdReportRow } from '../../scripts/sandbox/platforms/ad-reports';
import { adStatusWrites, sandboxAdStatus } from '../../scripts/sandbox/platforms/ad-status';
import { addDays } from '../../scripts/sandbox/rng';
import { assertKilledAt, runChildJob, runFailpointChild } from '../helpers/failpoint-child';
import { sandboxAdapters, type SandboxRef } from '../helpers/sandbox-adapters';
import { registerStoreSuites, type OpenStoreVariant } from '../helpers/store-suites';

const TODAY = '2026-03-02';
const STEP = 30 * 60_000;
// 09:00 to 13:00 UTC: the same local day (TODAY) in every sandbox account's zone (UTC−8 to UTC+9)
const T0 = Date.parse(`${TODAY}T09:00:00Z`);
/** The run instants of the suite, half an hour apart. */
const at = (step: number) => new Date(T0 + step * STEP);
const TIMEOUT_MS = 400;
const RETRIES = 2;
const LIVE: OptimizerSettings = { dryRun: false, gates: { cooldownHours: 24 } };
const PLATFORM = { meta: 'meta', linkedin: 'linkedin', google: 'google_ads' } as const;
type WorldPlatform = keyof typeof PLATFORM;
const PLATFORMS = ['meta', 'linkedin', 'google_ads'] as const;
const WRITE_ROUTE: Record<WorldPlatform, string> = { meta: 'meta.update', google: 'googleads.adGroupAds.mutate', linkedin: 'linkedin.creativeUpdate' };

/** Short client timeouts for the lost-answer tests; a patient client elsewhere, so a loaded machine does not turn one write into a retried second one. */
function adapters(sb: SandboxRef, timeoutMs = 15_000): OptimizerAdapters {
	return sandboxAdapters(sb, PLATFORMS, { retry: { maxRetries: RETRIES, initialDelayMs: 1, maxDelayMs: 5 }, timeoutMs, breaker: false });
}
const accountsOf = (a: AdAccount) => ({ [PLATFORM[a.platform]]: [a.platform === 'meta' ? `act_${a.id}` : a.id] });

// ------------------------------------------------------------------------------------------------
// Child mode: one live run, killed at a failpoint (ADOPS_FAILPOINTS)
// ------------------------------------------------------------------------------------------------
const CHILD = process.env.ADLEVEL_CHILD;
if (CHILD) {
	runChildJob(async () => {
		const spec = JSON.parse(CHILD) as { sandbox: SandboxRef; store: StoreConfig; rules: RuleInput[]; accounts: Record<string, string[]>; at: string; runId: string };
		const store = await openStore(spec.store);
		await runOptimizer({ rules: spec.rules, useStoredRules: false, settings: LIVE, accounts: spec.accounts }, { store, adapters: adapters(spec.sandbox), now: () => new Date(spec.at), runId: spec.runId });
		await store.close();
	});
}

interface Target {
	account: AdAccount;
	campaign: Campaign;
	/** The ad the rule must pause, its siblings, and the thresholds that single it out. */
	ad: string;
	siblings: string[];
	ctrBelow: number;
	spendAbove: number;
	ctr: number;
	spend: number;
}

/** Per ad of a campaign: clicks / impressions and spend over the 7 complete days before TODAY (plain sums of the rows). */
function sevenDays(rows: readonly AdReportRow[], campaignId: string): Map<string, { clicks: number; impressions: number; spendMinor: number }> {
	const from = addDays(TODAY, -7);
	const out = new Map<string, { clicks: number; impressions: number; spendMinor: number }>();
	for (const r of rows) {
		if (r.campaign.id !== campaignId || r.metrics.date < from || r.metrics.date >= TODAY) continue;
		const s = out.get(r.ad.adId) ?? { clicks: 0, impressions: 0, spendMinor: 0 };
		s.clicks += r.metrics.clicks;
		s.impressions += r.metrics.impressions;
		s.spendMinor += Math.round(r.metrics.spend * 100);
		out.set(r.ad.adId, s);
	}
	return out;
}

function registerSuite(name: string, open: OpenStoreVariant): void {
	describe(`rules on ad level: pause one ad once, with evidence (${name})`, () => {
		let sb: Sandbox;
		let store: Store;
		let config: StoreConfig;
		let cleanup: () => Promise<void>;
		let ads: OptimizerAdapters;
		let fast: OptimizerAdapters;
		const truth = new Map<string, AdReportRow[]>();
		const used = new Set<string>();

		/** An unused active campaign of `platform` with at least two ads and one ad singled out by CTR < x and spend > y. */
		function target(platform: WorldPlatform): Target {
			for (const account of sb.world.accounts.filter((a) => a.platform === platform)) {
				for (const campaign of account.campaigns) {
					if (campaign.status !== 'ACTIVE' || used.has(campaign.id)) continue;
					const per = [...sevenDays(truth.get(account.id) ?? [], campaign.id).entries()].filter(([, s]) => s.impressions > 0 && s.spendMinor > 0);
					if (per.length < 2) continue;
					per.sort((a, b) => a[1].clicks / a[1].impressions - b[1].clicks / b[1].impressions);
					const [low, next] = [per[0]!, per[1]!];
					const ctr = low[1].clicks / low[1].impressions;
					const nextCtr = next[1].clicks / next[1].impressions;
					if (!(nextCtr - ctr > 1e-4)) continue;
					used.add(campaign.id);
					return {
						account,
						campaign,
						ad: low[0],
						siblings: per.slice(1).map(([id]) => id),
						// between the lowest CTR and the next one; spend just under the ad's own
						ctrBelow: (ctr + nextCtr) / 2,
						spendAbove: Math.floor(low[1].spendMinor / 2) / 100,
						ctr,
						spend: low[1].spendMinor / 100,
					};
				}
			}
			throw new Error(`no unused ${platform} campaign with two ads left`);
		}
		const ctrRule = (id: string, t: Target, action: Record<string, unknown> = { type: 'pause' }, level: Record<string, unknown> = { level: 'ad' }): RuleInput => ({
			id,
			name: `Low CTR ads ${id}`,
			...level,
			priority: 50,
			scope: { campaignIds: [t.campaign.id] },
			conditions: {
				all: [
					{ metric: 'ctr', window: 'last_7_days', op: '<', value: t.ctrBelow },
					{ metric: 'spend', window: 'last_7_days', op: '>', value: t.spendAbove },
				],
			},
			action,
		});
		const run = (rules: RuleInput[], t: Target, when: Date, settings: OptimizerSettings = LIVE, client: OptimizerAdapters = ads) => runOptimizer({ rules, useStoredRules: false, settings, accounts: accountsOf(t.account) }, { store, adapters: client, now: () => when });
		const writesOf = (adId: string) => adStatusWrites(sb.world).filter((w) => w.adId === adId);
		const requests = (route: string) => sb.requests({ route }).filter((r) => r.method === 'POST').length;
		const mine = (r: OptimizerResult, id: string): OptimizerItem[] => r.items.filter((i) => i.rule.id === id && i.conditions.length > 0);
		const ledger = async (key: string) => (await store.select('action_ledger', { where: { idempotency_key: key } }))[0]!;
		const row = async (key: string) => (await store.select('optimization_actions', { where: { idempotency_key: key } }))[0]!;
		const paused = (_p: WorldPlatform) => 'PAUSED';
		const active = (p: WorldPlatform) => (p === 'google' ? 'ENABLED' : 'ACTIVE');

		beforeAll(async () => {
			sb = await startSandbox({ seed: 21, today: TODAY });
			({ store, config, cleanup } = await open());
			ads = adapters(sb);
			fast = adapters(sb, TIMEOUT_MS);
			const rows: Array<RowInput<'ad_performance'>> = [];
			for (const account of sb.world.accounts.filter((a) => a.platform in PLATFORM)) {
				const t = adGroundTruth(sb.world, account.platform, account.id, addDays(TODAY, -10), addDays(TODAY, -1));
				truth.set(account.id, t);
				for (const r of t) {
					rows.push({ date: r.metrics.date, platform: PLATFORM[account.platform], account_id: account.id, campaign_id: r.campaign.id, campaign_name: r.campaign.name, ad_group_id: r.ad.adGroupId, ad_group_name: r.ad.adGroupName, ad_id: r.ad.adId, ad_name: r.ad.adName, currency: account.currency, spend: r.metrics.spend, impressions: r.metrics.impressions, clicks: r.metrics.clicks, conversions: r.metrics.conversions, revenue: r.metrics.revenue, leads: r.metrics.leads });
				}
			}
			for (let i = 0; i < rows.length; i += 2_000) await store.upsert('ad_performance', rows.slice(i, i + 2_000));
		});
		afterAll(async () => {
			await store?.close();
			await sb?.close();
			await cleanup?.();
		});

		for (const platform of ['meta', 'google', 'linkedin'] as const) {
			test(`${platform}: "pause ads with CTR < x over 7 days and spend > y" pauses exactly the matching ad — not its campaign, not its siblings — with the evidence in words; a rerun does nothing`, async () => {
				const t = target(platform);
				const id = `ctr-${platform}`;
				const rules = [ctrRule(id, t, platform === 'meta' ? { type: 'pause_ad' } : { type: 'pause' }, platform === 'meta' ? {} : { level: 'ad' })];
				const first = await run(rules, t, at(0));
				const items = mine(first, id);
				assert.deepEqual(
					items.map((i) => [i.entity.adId, i.outcome]),
					[[t.ad, 'executed']],
					JSON.stringify(first.items.map((i) => [i.entity.adId ?? i.entity.campaignId, i.outcome, i.text])),
				);
				const item = items[0]!;
				assert.equal(item.entity.campaignId, t.campaign.id);
				assert.equal(item.action!.type, 'pause');
				assert.match(item.action!.summary, new RegExp(`^pause ad ${t.ad} .*of campaign ${t.campaign.id} \\(now active\\)$`));
				// the platform: the ad paused, once; the campaign and the siblings as they were
				assert.equal(sandboxAdStatus(sb.world, platform, t.ad), paused(platform));
				assert.deepEqual(writesOf(t.ad).map((w) => w.status), [paused(platform)]);
				for (const s of t.siblings) {
					assert.equal(sandboxAdStatus(sb.world, platform, s), active(platform), `sibling ${s}`);
					assert.deepEqual(writesOf(s), []);
				}
				assert.equal(t.campaign.status, 'ACTIVE', 'the campaign is not paused');
				// the evidence in words: metric, window with its dates, value and threshold in the metric's unit
				const window = `last 7 days \\(${addDays(TODAY, -7)}\\.\\.${addDays(TODAY, -1)}\\)`;
				const pct = (x: number) => `${(x * 100).toFixed(2)} %`;
				assert.equal(item.evidence.length, 2, item.evidence.join(' | '));
				assert.match(item.evidence[0]!, new RegExp(`^click-through rate \\(ctr\\) over ${window} was ${pct(t.ctr).replace('.', '\\.')}, below the threshold of ${pct(t.ctrBelow).replace('.', '\\.')}$`));
				assert.match(item.evidence[1]!, new RegExp(`^spend over ${window} was ${t.spend.toFixed(2).replace('.', '\\.')} ${t.account.currency}, above the threshold of ${t.spendAbove.toFixed(2).replace('.', '\\.')} ${t.account.currency}$`));
				const alert = optimizerAlert(item)!;
				assert.equal(alert.label, 'Executed');
				assert.equal(alert.fields!.find((f) => f.label === 'Ad')!.value.includes(`ad ${t.ad}`), true);
				assert.equal(alert.fields!.find((f) => f.label === 'Evidence')!.value, item.evidence.join('; '));
				for (const text of [alert.message ?? '', ...alert.fields!.map((f) => f.value), ...(alert.items ?? [])]) assert.doesNotMatch(text, /\{"|":/, `no raw JSON in the alert: ${text}`);
				// the ledger and the record: the ad's key, its campaign in campaign_id, the ad in the details
				const key = item.idempotencyKey!;
				const entry = await ledger(key);
				assert.equal(entry.status, 'succeeded');
				assert.equal(entry.target, `${PLATFORM[platform]}|${t.account.id}|${t.campaign.id}|ad:${t.ad}`);
				const rec = await row(key);
				assert.equal(rec.outcome, 'executed');
				assert.equal(rec.campaign_id, t.campaign.id);
				assert.equal((rec.action_details as Record<string, unknown>).adId, t.ad);
				assert.equal((rec.action_details as Record<string, unknown>).level, 'ad');

				// a rerun an hour later (and the same rule enabling it back is held by the ad's cooldown): nothing is sent
				const before = writesOf(t.ad).length;
				const enable = { ...ctrRule(`${id}-enable`, t, { type: 'enable' }), conditions: { metric: 'impressions', window: 'last_7_days', op: '>=', value: 0 } } as RuleInput;
				const second = await run([...rules, enable], t, at(1));
				assert.deepEqual(mine(second, id).filter((i) => i.outcome === 'executed' || i.outcome === 'unknown'), []);
				const back = mine(second, `${id}-enable`).filter((i) => i.entity.adId === t.ad);
				assert.deepEqual(back.map((i) => [i.outcome, i.gates.find((g) => g.gate === 'cooldown')?.status]), [['gated', 'fail']], JSON.stringify(back.map((i) => i.text)));
				assert.equal(writesOf(t.ad).length, before, 'the rerun sends nothing');
				assert.equal(sandboxAdStatus(sb.world, platform, t.ad), paused(platform));
				for (const s of t.siblings) assert.deepEqual(writesOf(s), [], `sibling ${s} untouched by the rerun`);
			}, 180_000);
		}

		test('the rule model: level "ad" takes pause, enable and notify only, and `pause_ad` says level "ad"', async () => {
			const t = target('google');
			const bad = await run([{ ...ctrRule('bad-budget', t), action: { type: 'scale_budget', percent: 10 } } as RuleInput], t, at(2)).then(
				() => null,
				(e: unknown) => e as Error,
			);
			assert.match(bad!.message, /rules\[0\]\.action\.type: "scale_budget" is not an ad-level action/);
			const clash = await run([ctrRule('bad-level', t, { type: 'pause_ad' }, { level: 'campaign' })], t, at(2)).then(
				() => null,
				(e: unknown) => e as Error,
			);
			assert.match(clash!.message, /rules\[0\]\.level: must be "ad" with action "pause_ad"/);
			// a campaign rule next to an ad rule still looks at campaigns only (no ad item for it)
			const both = await run([ctrRule('ads-dry', t), { ...ctrRule('campaign-dry', t, { type: 'notify' }, {}), conditions: { metric: 'impressions', window: 'last_7_days', op: '>=', value: 0 } } as RuleInput], t, at(2), { dryRun: true });
			assert.ok(mine(both, 'campaign-dry').every((i) => i.entity.adId === undefined));
			assert.deepEqual(mine(both, 'ads-dry').map((i) => [i.entity.adId, i.outcome]), [[t.ad, 'dry_run']]);
			assert.deepEqual(writesOf(t.ad), [], 'a dry run sends nothing');
		});

		test('every gate applies per ad: kill switch, schedule and max actions per run gate the ads a rule matches; nothing is sent', async () => {
			const t = target('google');
			// a threshold above the second lowest CTR: two ads of the campaign match
			const per = [...sevenDays(truth.get(t.account.id) ?? [], t.campaign.id).entries()].filter(([, x]) => x.impressions > 0).sort((a, b) => a[1].clicks / a[1].impressions - b[1].clicks / b[1].impressions);
			assert.ok(per.length >= 3, 'a Google Ads campaign of the sandbox has four ads');
			const ctrOf = (i: number) => per[i]![1].clicks / per[i]![1].impressions;
			const two = { ...ctrRule('gates-two', t), conditions: { all: [{ metric: 'ctr', window: 'last_7_days', op: '<', value: (ctrOf(1) + ctrOf(2)) / 2 }] } } as RuleInput;
			const matched = per.slice(0, 2).map(([id]) => id).sort();
			const decided = (r: OptimizerResult) => mine(r, 'gates-two').map((i) => [i.entity.adId, i.outcome, i.gates.filter((g) => g.status === 'fail').map((g) => g.gate).join(',')]).sort();
			const killed = await run([two], t, at(2), { ...LIVE, killSwitch: true });
			assert.deepEqual(decided(killed), matched.map((id) => [id, 'gated', 'kill_switch']));
			const closed = await run([two], t, at(2), { ...LIVE, gates: { cooldownHours: 24, schedule: [{ from: '00:00', to: '00:01' }] } });
			assert.deepEqual(decided(closed), matched.map((id) => [id, 'gated', 'schedule']));
			const capped = await run([two], t, at(2), { dryRun: true, maxActionsPerRun: 1 });
			const outcomes = decided(capped);
			assert.deepEqual(outcomes.map((o) => o[0]), matched);
			assert.deepEqual(outcomes.map((o) => `${o[1]}:${o[2]}`).sort(), ['dry_run:', 'gated:max_actions']);
			for (const [id] of per) assert.deepEqual(writesOf(id), [], `ad ${id}: nothing sent`);
		});

		test('approval: a rule on ad level with requireApproval proposes; the approved proposal pauses that ad once through the ledger', async () => {
			const t = target('google');
			const r = { ...ctrRule('approve-ad', t), requireApproval: true } as RuleInput;
			const first = await run([r], t, at(2));
			const proposed = mine(first, 'approve-ad');
			assert.deepEqual(proposed.map((i) => [i.entity.adId, i.outcome]), [[t.ad, 'proposed']]);
			const proposal = first.proposals[0]!;
			assert.equal((proposal.payload as { adId: string }).adId, t.ad);
			assert.deepEqual(writesOf(t.ad), [], 'nothing sent before approval');
			const execute = optimizationExecutor({ store, adapters: ads, now: () => at(2.5) });
			const ctx = { proposal: { ...proposal, decidedBy: 'notion:maya', evidence: null } } as unknown as Parameters<ReturnType<typeof optimizationExecutor>>[1];
			const done = (await execute(proposal.payload, ctx)) as { outcome: string };
			assert.equal(done.outcome, 'executed', JSON.stringify(done));
			assert.equal(sandboxAdStatus(sb.world, 'google', t.ad), 'PAUSED');
			const again = (await execute(proposal.payload, ctx)) as { outcome: string };
			assert.equal(again.outcome, 'already_executed');
			assert.deepEqual(writesOf(t.ad).map((w) => w.status), ['PAUSED'], 'one pause');
			for (const s of t.siblings) assert.deepEqual(writesOf(s), []);
			assert.equal(t.campaign.status, 'ACTIVE');
			const key = (proposal.payload as { idempotencyKey: string }).idempotencyKey;
			assert.equal((await ledger(key)).target, `google_ads|${t.account.id}|${t.campaign.id}|ad:${t.ad}`);
		});

		for (const platform of ['meta', 'google', 'linkedin'] as const) {
			test(`${platform}: a lost answer (timeout after the effect, every retry) is unknown; the next run reads the ad back, records it applied and sends nothing`, async () => {
				const t = target(platform);
				const id = `lost-${platform}`;
				const rules = [ctrRule(id, t)];
				const route = WRITE_ROUTE[platform];
				const sentBefore = requests(route);
				sb.injectFault({ route, kind: 'timeout', afterEffect: true, count: RETRIES + 1 });
				const first = await run(rules, t, at(3), LIVE, fast);
				sb.clearFaults();
				const item = mine(first, id).find((i) => i.entity.adId === t.ad)!;
				assert.equal(item.outcome, 'unknown', item.text);
				assert.match(item.error!.message, /outcome is unknown/);
				assert.match(item.error!.message, new RegExp(`pause of ${PLATFORM[platform]} ad ${t.ad} of campaign ${t.campaign.id}`));
				assert.doesNotMatch(item.text, /retry|try again/i);
				const sent = requests(route) - sentBefore;
				assert.equal(sent, RETRIES + 1, 'an idempotent set is retried on every lost answer');
				assert.equal(sandboxAdStatus(sb.world, platform, t.ad), paused(platform), 'applied on the platform');
				const key = item.idempotencyKey!;
				assert.equal((await ledger(key)).status, 'unknown');
				assert.equal((await row(key)).outcome, 'unknown');
				assert.equal((await row(key)).action_taken, true, 'an unknown change counts as applied');

				const second = await run(rules, t, at(4));
				assert.equal(requests(route) - sentBefore, sent, 'the next run sends nothing');
				const rec = second.items.filter((i) => i.outcome === 'reconciled' && i.idempotencyKey === key);
				assert.equal(rec.length, 1, JSON.stringify(second.items.map((i) => [i.outcome, i.text])));
				assert.match(rec[0]!.text, new RegExp(`^Reconciled: the pause of ${PLATFORM[platform]} ad ${t.ad} of campaign ${t.campaign.id} \\(account ${t.account.id}\\) tried at .* was applied — observed: status PAUSED equals the target`));
				assert.equal(rec[0]!.entity.adId, t.ad);
				const entry = await ledger(key);
				assert.equal(entry.status, 'succeeded');
				assert.equal((await row(key)).outcome, 'executed');
				assert.equal((await row(key)).executed_at, at(3).toISOString(), 'it counts from its attempt');
				assert.ok(writesOf(t.ad).every((w) => w.status === paused(platform)), 'only pauses were ever sent');
				for (const s of t.siblings) assert.deepEqual(writesOf(s), []);
				assert.equal(t.campaign.status, 'ACTIVE');
			}, 180_000);
		}

		for (const [platform, point] of [
			['linkedin', 'optimizer.after-platform'],
			['google', 'optimizer.after-platform'],
			['meta', 'optimizer.after-ledger'],
		] as const) {
			test(`${platform}: SIGKILL at ${point} leaves one pause in all; the next run reports it and sends nothing`, async () => {
				const t = target(platform);
				const id = `kill-${platform}`;
				const rules = [ctrRule(id, t)];
				const route = WRITE_ROUTE[platform];
				const sentBefore = requests(route);
				await store.close();
				const child = await runFailpointChild(join(__dirname, 'rules-ad-level.test.ts'), 'ADLEVEL_CHILD', { sandbox: { urls: sb.urls, credentials: sb.credentials }, store: config, rules, accounts: accountsOf(t.account), at: at(5).toISOString(), runId: `adlevel-crash-${platform}` }, point);
				assertKilledAt(child, point);
				store = await openStore(config);
				assert.equal(sandboxAdStatus(sb.world, platform, t.ad), paused(platform), 'the child paused it before it died');
				assert.equal(requests(route) - sentBefore, 1);

				const next = await run(rules, t, at(6));
				const told = next.items.filter((i) => (i.outcome === 'recovered' || i.outcome === 'reconciled') && i.entity.adId === t.ad);
				assert.equal(told.length, 1, JSON.stringify(next.items.map((i) => [i.outcome, i.text])));
				assert.match(told[0]!.text, new RegExp(`the pause of ${PLATFORM[platform]} ad ${t.ad} of campaign ${t.campaign.id} .*(was applied|was executed)`));
				assert.deepEqual(mine(next, id).filter((i) => i.outcome === 'executed'), [], 'not paused again');
				assert.equal(requests(route) - sentBefore, 1, 'one pause request in all');
				assert.deepEqual(writesOf(t.ad).map((w) => w.status), [paused(platform)], 'one pause in all');
				const key = told[0]!.idempotencyKey!;
				assert.equal((await ledger(key)).status, 'succeeded');
				assert.equal((await row(key)).outcome, 'executed');
				assert.equal((await row(key)).executed_at, at(5).toISOString());
				for (const s of t.siblings) assert.deepEqual(writesOf(s), []);
				// told once
				const later = await run(rules, t, at(7));
				assert.deepEqual(later.items.filter((i) => (i.outcome === 'recovered' || i.outcome === 'reconciled') && i.entity.adId === t.ad), []);
			}, 240_000);
		}
	});
}

if (!CHILD) registerStoreSuites('adops-rules-ad-level', registerSuite);
