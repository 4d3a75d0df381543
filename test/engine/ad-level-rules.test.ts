// Rules on ad level in n8n-core (issue 20 item 4): AdOps Ingest's Level "Campaigns and Ads" loads the
// Google Ads account's ad_performance from the sandbox, then AdOps Optimizer's Run Rules (Live) with one
// rule `{ level: "ad", conditions: CTR < x and spend > y over the last 7 days, action: pause }` pauses the
// one ad whose numbers match — not its campaign, not its sibling ads — and its Executed item carries the
// ad, the change and the evidence in words (also in the item's Slack alert). A second run sends nothing.
// x and y are chosen here from the stored rows by plain sums, so that exactly one ad matches.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { addDays } from '../../scripts/sandbox/rng';
import { adStatusWrites, sandboxAdStatus } from '../../scripts/sandbox/platforms/ad-status';
import { startEngine, type Engine } from './harness';
import { expectPaired, json } from './expect';
import { withStore } from './world';

describe('AdOps Optimizer Run Rules with a rule on ad level (n8n-core)', () => {
	let engine: Engine;
	let creds: Record<string, { id: string; name: string }>;
	beforeAll(async () => {
		engine = await startEngine({ seed: 11 });
		creds = { ...engine.credentialRef('adOpsStoreApi'), ...engine.credentialRef('adOpsGoogleAdsOAuth2Api') };
	});
	afterAll(async () => {
		await engine?.close();
	});

	test('ingest ads, then Run Rules pauses the one ad with CTR < x and spend > y over 7 days, with the evidence in its output item; a rerun sends nothing', async () => {
		const { world } = engine.sandbox;
		const account = world.accounts.find((a) => a.platform === 'google')!;
		const ingest = await engine.runNode({ name: 'Ingest', type: 'adOpsIngest', parameters: { operation: 'ingest', platform: 'google_ads', accounts: account.id, reportingCurrency: account.currency, lookbackDays: 1, initialBackfillDays: 12, options: { level: 'both' } }, credentials: creds });
		expect(ingest.status, ingest.error?.message).toBe('success');

		// the 7 complete days before the account's local today, summed per ad from the stored rows
		const today = new Intl.DateTimeFormat('en-CA', { timeZone: account.timezone }).format(new Date());
		const from = addDays(today, -7);
		const rows = await withStore(engine, (s) => s.select('ad_performance', { where: { platform: 'google_ads', account_id: account.id, date: { gte: from, lt: today } } }));
		const perAd = new Map<string, { campaign: string; clicks: number; impressions: number; spend: number }>();
		for (const r of rows) {
			const a = perAd.get(r.ad_id) ?? { campaign: r.campaign_id, clicks: 0, impressions: 0, spend: 0 };
			a.clicks += Number(r.clicks);
			a.impressions += Number(r.impressions);
			a.spend += Number(r.spend);
			perAd.set(r.ad_id, a);
		}
		const campaign = account.campaigns.find((c) => c.status === 'ACTIVE' && [...perAd.values()].filter((a) => a.campaign === c.id && a.impressions > 0).length >= 2)!;
		const ads = [...perAd.entries()].filter(([, a]) => a.campaign === campaign.id && a.impressions > 0).sort((a, b) => a[1].clicks / a[1].impressions - b[1].clicks / b[1].impressions);
		const [target, next] = [ads[0]!, ads[1]!];
		const ctr = target[1].clicks / target[1].impressions;
		const ctrBelow = (ctr + next[1].clicks / next[1].impressions) / 2;
		const spendAbove = Math.floor(target[1].spend * 50) / 100;
		expect(next[1].clicks / next[1].impressions).toBeGreaterThan(ctr);

		const rules = [
			{
				id: 'low-ctr-ads',
				name: 'Pause ads with a low CTR',
				level: 'ad',
				scope: { campaignIds: [campaign.id] },
				conditions: {
					all: [
						{ metric: 'ctr', window: 'last_7_days', op: '<', value: ctrBelow },
						{ metric: 'spend', window: 'last_7_days', op: '>', value: spendAbove },
					],
				},
				action: { type: 'pause' },
			},
		];
		const node = { name: 'Optimizer', type: 'adOpsOptimizer', parameters: { operation: 'run', mode: 'live', killSwitch: false, useStoredRules: false, rules: JSON.stringify(rules), runOptions: { cooldownHours: 24 } }, credentials: creds };
		const run = await engine.runNode(node);
		expect(run.status, run.error?.message).toBe('success');
		expectPaired(run);
		const executed = json(run.items('Optimizer', 0)) as Array<{ outcome: string; entity: { adId?: string; campaignId: string }; action: { summary: string }; evidence: string[]; alert: { fields: Array<{ label: string; value: string }> } }>;
		expect(executed.map((i) => [i.outcome, i.entity.adId, i.entity.campaignId])).toEqual([['executed', target[0], campaign.id]]);
		const item = executed[0]!;
		expect(item.action.summary).toMatch(new RegExp(`^pause ad ${target[0]} .*of campaign ${campaign.id} \\(now active\\)$`));
		const window = `last 7 days \\(${from}\\.\\.${addDays(today, -1)}\\)`;
		expect(item.evidence).toHaveLength(2);
		expect(item.evidence[0]).toMatch(new RegExp(`^click-through rate \\(ctr\\) over ${window} was ${(ctr * 100).toFixed(2).replace('.', '\\.')} %, below the threshold of ${(ctrBelow * 100).toFixed(2).replace('.', '\\.')} %$`));
		expect(item.evidence[1]).toMatch(new RegExp(`^spend over ${window} was ${target[1].spend.toFixed(2).replace('.', '\\.')} ${account.currency}, above the threshold of ${spendAbove.toFixed(2).replace('.', '\\.')} ${account.currency}$`));
		expect(item.alert.fields.find((f) => f.label === 'Evidence')!.value).toBe(item.evidence.join('; '));
		// the platform: that ad paused once; its campaign and siblings as they were
		expect(sandboxAdStatus(world, 'google', target[0])).toBe('PAUSED');
		for (const [sibling] of ads.slice(1)) expect(sandboxAdStatus(world, 'google', sibling)).toBe('ENABLED');
		expect(campaign.status).toBe('ACTIVE');
		expect(adStatusWrites(world).map((w) => w.adId)).toEqual([target[0]]);

		const again = await engine.runNode(node);
		expect(again.status, again.error?.message).toBe('success');
		expect(json(again.items('Optimizer', 0))).toEqual([]);
		expect(adStatusWrites(world)).toHaveLength(1);
	}, 180_000);
});
