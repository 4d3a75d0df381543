// AdOps Insights run in-process by n8n-core (test/engine/harness.ts) against the store (PGlite) and the
// sandbox's Slack, with daily series planted in the store: a spend spike and a tracking break among quiet
// campaigns (Detect Anomalies finds those and only those, stores them once, alerts once), a month over and
// under its plan (Pace Budgets), and a forecast of an account's spend. With the AdOps Slack credential each
// alert is posted once as its PNG chart through Slack's external upload flow; a rerun posts nothing.
import { test, describe, beforeAll, afterAll, expect } from 'vitest';
import type { RowInput } from '../../nodes/shared/schema/rows';
import { METRIC_LABELS, type InsightMetric } from '../../nodes/shared/insights/series';
import { readWorkflow, startEngine, type Engine } from './harness';
import { json } from './expect';
import { withStore } from './world';
import { END, series } from '../helpers/insights-world';

const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

describe('AdOps Insights on n8n-core', () => {
	let engine: Engine;
	let creds: Record<string, { id: string; name: string }>;
	let slackCreds: Record<string, { id: string; name: string }>;
	const node = (parameters: Record<string, unknown>, slack = false) => ({ name: 'Insights', type: 'adOpsInsights', parameters, credentials: { ...creds, ...(slack ? slackCreds : {}) } });
	let planted: Array<RowInput<'campaign_performance'>>;

	beforeAll(async () => {
		engine = await startEngine({ seed: 18, today: '2026-12-06' });
		creds = engine.credentialRef('adOpsStoreApi');
		slackCreds = engine.credentialRef('adOpsSlackApi');
		planted = [
			...series('meta', 'act-ins', 10, 1, { 'act-ins-c3': 'spike', 'act-ins-c7': 'tracking_break' }),
			...series('linkedin', 'li-ins', 4, 2, { 'li-ins-c2': 'spike' }),
		];
		await withStore(engine, (store) => store.upsert('campaign_performance', planted));
	}, 240_000);
	afterAll(async () => {
		await engine?.close();
	});

	test('Detect Anomalies: the planted spike and tracking break and nothing else, stored once, alerted once', async () => {
		const run = await engine.runNode(node({ operation: 'detect', platform: 'meta', accountId: 'act-ins' }));
		expect(run.status).toBe('success');
		const items = json(run.items('Insights'));
		const anomalies = items.filter((i) => i.outcome === 'anomaly');
		const scan = items.find((i) => i.outcome === 'scan')!;
		expect(scan.end).toBe(END);
		// only the two planted campaigns, only the planted day
		expect([...new Set(anomalies.map((a) => a.campaignId))].sort()).toEqual(['act-ins-c3', 'act-ins-c7']);
		expect(new Set(anomalies.map((a) => a.date))).toEqual(new Set([END]));
		const spike = anomalies.find((a) => a.campaignId === 'act-ins-c3' && a.metric === 'spend')!;
		expect(spike).toMatchObject({ direction: 'spike', currency: 'EUR' });
		expect(spike.actual as number).toBeGreaterThan((spike.expectedBand as { upper: number }).upper);
		expect((spike.lastDays as unknown[]).length).toBe(14);
		const broken = anomalies.find((a) => a.campaignId === 'act-ins-c7' && a.metric === 'conversions')!;
		expect(broken).toMatchObject({ direction: 'drop', pattern: 'tracking_break', actual: 0 });
		expect(anomalies.some((a) => a.campaignId === 'act-ins-c7' && a.metric === 'clicks')).toBe(false);
		// every anomaly alerts the first time, with its chart as binary; one alert per campaign and day, in words, on the
		// group's lead item (a named pattern first): the spike's metrics together, the tracking break on its own message
		const groups = new Map<string, typeof anomalies>();
		for (const a of anomalies) {
			expect(a.alertDecision).toBe('new');
			expect(a.alertGroup).toBe(a.idempotencyKey);
			groups.set(String(a.alertGroup), [...(groups.get(String(a.alertGroup)) ?? []), a]);
		}
		expect(groups.size).toBe(2);
		for (const [key, members] of groups) {
			expect(new Set(members.map((m) => `${m.campaignId}|${m.date}`)).size).toBe(1);
			expect(key).toContain(`|${members[0]!.campaignId}|${END}|`);
			const alerts = members.filter((m) => m.alert !== null);
			expect(alerts).toHaveLength(1);
			// the lead: a named pattern, else the strongest score
			const strongest = Math.max(...members.map((m) => Math.abs(m.score as number)));
			expect(alerts[0]!.pattern !== null || Math.abs(alerts[0]!.score as number) === strongest).toBe(true);
			members.sort((x, y) => Number(x !== alerts[0]) - Number(y !== alerts[0]));
			const alert = alerts[0]!.alert as { title: string; message: string; kind: string };
			expect(alert.title).toContain('act-ins');
			expect(JSON.stringify(alert.message)).not.toMatch(/[{}]/);
			// each member's metric is named in the one message, with its numbers
			for (const m of members) expect(alert.message.toLowerCase()).toMatch(new RegExp(`${METRIC_LABELS[m.metric as InsightMetric]} (spiked|dropped) to .+? on ${END}, against an expected`));
			expect(alert.message.split('\n').filter((l) => l.startsWith('• '))).toHaveLength(members.length > 1 ? members.length : 0);
		}
		const breakGroup = [...groups.values()].find((m) => m[0]!.campaignId === 'act-ins-c7')!;
		expect(breakGroup[0]).toMatchObject({ metric: 'conversions', pattern: 'tracking_break' });
		expect((breakGroup[0]!.alert as { kind: string; title: string }).kind).toBe('failure');
		expect((breakGroup[0]!.alert as { title: string }).title).toMatch(/^Tracking break/);
		const spikeGroup = [...groups.values()].find((m) => m[0]!.campaignId === 'act-ins-c3')!;
		expect(spikeGroup.length).toBeGreaterThan(1); // spend, and what moves with it
		expect((spikeGroup[0]!.alert as { title: string }).title).toMatch(new RegExp(`and ${spikeGroup.length - 1} more on Meta account act-ins, campaign`));
		expect(scan.messages).toBe(2);
		const withChart = run.items('Insights').filter((i) => i.json.outcome === 'anomaly');
		expect(withChart.every((i) => i.binary?.chart?.mimeType === 'image/png')).toBe(true);
		const stored = await withStore(engine, (store) => store.select('anomalies', { where: { account_id: 'act-ins' } } as never));
		expect(stored).toHaveLength(anomalies.length);
		expect(stored.every((r) => (r as unknown as { alerted_score: unknown }).alerted_score !== null)).toBe(true);

		// rerun: the same anomalies, stored once (same rows), no alert again
		const again = await engine.runNode(node({ operation: 'detect', platform: 'meta', accountId: 'act-ins' }));
		const second = json(again.items('Insights')).filter((i) => i.outcome === 'anomaly');
		expect(second).toHaveLength(anomalies.length);
		expect(second.every((a) => a.alert === null && a.alertDecision === 'already_sent')).toBe(true);
		const storedAgain = await withStore(engine, (store) => store.select('anomalies', { where: { account_id: 'act-ins' } } as never));
		expect(storedAgain.map((r) => (r as unknown as { id: string }).id).sort()).toEqual(stored.map((r) => (r as unknown as { id: string }).id).sort());
	}, 180_000);

	test('Detect Anomalies with AdOps Slack: each alert posted once as its PNG chart (external upload flow); a rerun posts nothing', async () => {
		const channel = engine.sandbox.world.slack.channels.find((c) => c.id === 'C0ADOPSALR')!;
		const before = channel.messages.length;
		const run = await engine.runNode(node({ operation: 'detect', platform: 'linkedin', accountId: 'li-ins', channel: { mode: 'id', value: 'C0ADOPSALR' } }, true));
		expect(run.status).toBe('success');
		const anomalies = json(run.items('Insights')).filter((i) => i.outcome === 'anomaly');
		expect(anomalies.length).toBeGreaterThan(0);
		// the planted campaign, and the account as a whole (one campaign of four tripled: +50 %)
		expect(new Set(anomalies.map((a) => a.campaignId))).toEqual(new Set(['li-ins-c2', null]));
		expect(new Set(anomalies.map((a) => a.date))).toEqual(new Set([END]));
		// one message per entity and day (the campaign, the account), on the lead item; its strongest members charted
		const entities = new Set(anomalies.map((a) => `${a.campaignId}|${a.date}`));
		for (const a of anomalies) {
			expect(a.alert).toBeNull();
			const delivered = anomalies.filter((x) => x.alertGroup === a.alertGroup && x.slack !== undefined);
			expect(delivered).toHaveLength(1);
			expect(delivered[0]!.slack).toMatchObject({ status: 'posted', channel: 'C0ADOPSALR' });
		}
		const posted = channel.messages.slice(before);
		expect(posted).toHaveLength(entities.size);
		const files = engine.sandbox.world.slack.files ?? [];
		for (const m of posted) {
			// the message's group: the lead item whose delivery names the message's first file
			const lead = anomalies.find((a) => (a.slack as { fileIds?: string[] } | undefined)?.fileIds?.[0] === m.files?.[0])!;
			expect(lead).toBeDefined();
			const members = anomalies.filter((a) => a.alertGroup === lead.alertGroup);
			expect(m.files).toHaveLength(Math.min(3, members.length));
			expect((lead.slack as { fileIds: string[] }).fileIds).toEqual(m.files);
			for (const id of m.files!) {
				const f = files.find((x) => x.id === id)!;
				expect(f.completed).toBe(true);
				expect(f.channels).toEqual(['C0ADOPSALR']);
				expect(Buffer.from(f.bytes!.subarray(0, 8))).toEqual(PNG);
				expect(f.bytes!.length).toBe(f.length);
				expect(f.bytes!.length).toBeGreaterThan(10_000);
			}
			expect(m.text).toMatch(/li-ins/);
			// every member of the entity's day is named in its one message, with its numbers
			for (const a of members) expect(m.text.toLowerCase()).toMatch(new RegExp(`${METRIC_LABELS[a.metric as InsightMetric]} (spiked|dropped) to .+? on ${END}, against an expected`));
		}
		const again = await engine.runNode(node({ operation: 'detect', platform: 'linkedin', accountId: 'li-ins', channel: { mode: 'id', value: 'C0ADOPSALR' } }, true));
		expect(again.status).toBe('success');
		expect(channel.messages.length).toBe(before + posted.length);
		expect(json(again.items('Insights')).filter((i) => i.outcome === 'anomaly').every((a) => a.alertDecision === 'already_sent' && !a.slack)).toBe(true);
	}, 180_000);

	test('Pace Budgets: a plan from budget_plans (over) and a Monthly Budget parameter (under), with the daily budget that lands on plan', async () => {
		const december = planted.filter((r) => r.account_id === 'act-ins' && String(r.date) >= '2026-12-01');
		const spent = december.reduce((s, r) => s + Number(r.spend), 0);
		const perDay = spent / 5;
		await withStore(engine, (store) => store.upsert('budget_plans', [{ platform: 'meta', account_id: 'act-ins', campaign_id: '', month: '2026-12-01', amount: Math.round(perDay * 31 * 0.6), currency: 'EUR' }] as never));
		const run = await engine.runNode(node({ operation: 'pace', platform: 'meta', accountId: 'act-ins', planSource: 'table' }));
		expect(run.status).toBe('success');
		const [p] = json(run.items('Insights')).filter((i) => i.outcome === 'pacing');
		expect(p).toMatchObject({ status: 'over', month: '2026-12', asOf: END, planSource: 'budget_plans', currency: 'EUR', daysElapsed: 5, daysRemaining: 26 });
		expect(p!.spentToDate as number).toBeCloseTo(spent, 1);
		const plan = p!.plan as number;
		// the daily budget that lands on plan: what is left over the 26 days, shaped by weekday
		expect(p!.recommendedDailyBudget as number).toBeGreaterThan(((plan - spent) / 26) * 0.85);
		expect(p!.recommendedDailyBudget as number).toBeLessThan(((plan - spent) / 26) * 1.15);
		expect((p!.forecastMonthSpend as { mean: number }).mean / plan).toBeGreaterThan(1.4);
		expect(p!.alert).toMatchObject({ title: expect.stringContaining('over-pacing') });
		expect(run.items('Insights')[0]!.binary?.chart?.mimeType).toBe('image/png');

		const param = await engine.runNode(node({ operation: 'pace', platform: 'meta', accountId: 'act-ins', campaignId: 'act-ins-c1', planSource: 'parameter', monthlyBudget: 100_000 }));
		const [q] = json(param.items('Insights')).filter((i) => i.outcome === 'pacing');
		expect(q).toMatchObject({ status: 'under', planSource: 'parameter', campaignId: 'act-ins-c1' });

		const none = await engine.runNode(node({ operation: 'pace', platform: 'linkedin', accountId: 'li-ins', planSource: 'table' }));
		expect(json(none.items('Insights'))).toEqual([expect.objectContaining({ outcome: 'pacing_problems', problems: [expect.stringContaining('no budget plan for 2026-12')] })]);
	}, 180_000);

	test('Forecast: an account\'s spend for the next 7 days with intervals; a campaign\'s clicks', async () => {
		const run = await engine.runNode(node({ operation: 'forecast', platform: 'meta', accountId: 'act-ins', metric: 'spend', horizon: 7, level: 0.8 }));
		expect(run.status).toBe('success');
		const [f] = json(run.items('Insights'));
		expect(f).toMatchObject({ outcome: 'forecast', metric: 'spend', currency: 'EUR', lastDay: END, campaigns: 10, level: 0.8 });
		const days = f!.days as Array<{ date: string; mean: number; lower: number; upper: number }>;
		expect(days.map((d) => d.date)).toEqual(['2026-12-06', '2026-12-07', '2026-12-08', '2026-12-09', '2026-12-10', '2026-12-11', '2026-12-12']);
		for (const d of days) expect(d.lower <= d.mean && d.mean <= d.upper).toBe(true);
		// the last four weeks before the planted spike, as the yardstick
		const lastWeeks = planted.filter((r) => r.account_id === 'act-ins' && String(r.date) >= '2026-11-07' && String(r.date) < END).reduce((s, r) => s + Number(r.spend), 0) / 28;
		const total = f!.total as { mean: number };
		expect(total.mean / (lastWeeks * 7)).toBeGreaterThan(0.9);
		expect(total.mean / (lastWeeks * 7)).toBeLessThan(1.15);
		expect(String(f!.summary)).toMatch(/over the 7 days after 2026-12-05/);

		const c = await engine.runNode(node({ operation: 'forecast', platform: 'meta', accountId: 'act-ins', campaignId: 'act-ins-c2', metric: 'clicks', horizon: 3 }));
		expect(json(c.items('Insights'))[0]).toMatchObject({ campaigns: 1, currency: null });
	}, 180_000);
	test('workflows/insights.json (Run Now): a newly planted spike is posted once with its PNG, the off-pace plan once with its chart; a rerun posts nothing', async () => {
		await withStore(engine, (store) => store.upsert('campaign_performance', series('google_ads', 'g-ins', 8, 3, { 'g-ins-c5': 'spike' })));
		const channel = engine.sandbox.world.slack.channels.find((c) => c.id === 'C0ADOPSALR')!; // the credential's default, #adops-alerts
		const before = channel.messages.length;
		const run = await engine.run('insights.json');
		expect(run.status).toBe('success');
		const detected = json(run.items('Detect Anomalies')).filter((i) => i.outcome === 'anomaly');
		const posted = detected.filter((a) => a.slack);
		// earlier tests alerted act-ins and li-ins already: only the new account's anomalies post
		expect(new Set(posted.map((a) => a.accountId))).toEqual(new Set(['g-ins']));
		expect(new Set(posted.map((a) => a.campaignId ?? 'account'))).toEqual(new Set(['g-ins-c5']));
		expect(posted.every((a) => (a.slack as { status: string }).status === 'posted')).toBe(true);
		const paced = json(run.items('Pace Budgets')).filter((i) => i.outcome === 'pacing');
		expect(paced.map((p) => [p.accountId, p.status, (p.slack as { status: string }).status])).toEqual([['act-ins', 'over', 'posted']]);
		const added = channel.messages.slice(before);
		expect(added).toHaveLength(posted.length + 1);
		for (const m of added) {
			const f = engine.sandbox.world.slack.files!.find((x) => x.id === m.files?.[0])!;
			expect(Buffer.from(f.bytes!.subarray(0, 8))).toEqual(PNG);
		}
		expect(added.some((m) => /over-pacing/.test(m.text))).toBe(true);
		const again = await engine.run('insights.json');
		expect(again.status).toBe('success');
		expect(channel.messages.length).toBe(before + added.length);
	}, 240_000);
	test('Weekly Digest with AdOps Slack: one message with one spend chart per platform, the week\'s anomalies, pacing and movers in words; a rerun posts nothing', async () => {
		const channel = engine.sandbox.world.slack.channels.find((c) => c.id === 'C0ADOPSALR')!;
		const before = channel.messages.length;
		const run = await engine.runNode(node({ operation: 'digest', channel: { mode: 'id', value: 'C0ADOPSALR' } }, true));
		expect(run.status).toBe('success');
		const [d] = json(run.items('Insights'));
		expect(d).toMatchObject({ outcome: 'digest', end: END, from: '2026-11-29', alert: null, slack: { status: 'posted', channel: 'C0ADOPSALR' } });
		const stored = await withStore(engine, (store) => store.select('anomalies', {}));
		expect(d!.anomalies).toBe(stored.length);
		expect((d!.platforms as Array<{ platform: string }>).map((p) => p.platform)).toEqual(['google_ads', 'linkedin', 'meta']);
		expect(Object.keys(run.items('Insights')[0]!.binary ?? {}).sort()).toEqual(['chart_google_ads_EUR', 'chart_linkedin_EUR', 'chart_meta_EUR']);
		const added = channel.messages.slice(before);
		expect(added).toHaveLength(1);
		expect(added[0]!.files).toHaveLength(3);
		for (const id of added[0]!.files!) expect(Buffer.from(engine.sandbox.world.slack.files!.find((f) => f.id === id)!.bytes!.subarray(0, 8))).toEqual(PNG);
		expect(added[0]!.text).toMatch(new RegExp(`Week 2026-11-29 to ${END}: ${stored.length} anomalies, 1 of 1 plan off pace`));
		expect(added[0]!.text).toMatch(/tracking break/);
		expect(added[0]!.text).toMatch(/Mover: [^\n]*campaign Campaign \d+ \(/);
		const again = await engine.runNode(node({ operation: 'digest', channel: { mode: 'id', value: 'C0ADOPSALR' } }, true));
		expect(json(again.items('Insights'))[0]).toMatchObject({ slack: { status: 'already_posted' } });
		expect(channel.messages.length).toBe(before + 1);
	}, 180_000);
	test('workflows/insights.json with Propose Budget Changes on: one budget proposal per off-plan campaign reaches AdOps Approval (the on-track plan and the account plan none); a rerun adds none', async () => {
		// two active Meta campaigns of the sandbox in two accounts, with their stored days, and a December plan at 70 % of
		// what each is heading for (over-pacing); a third campaign at 100 % (on track). The account plan of act-ins is paced, not proposed.
		const world = engine.sandbox.world;
		const picked: Array<{ account: (typeof world.accounts)[number]; campaign: (typeof world.accounts)[number]['campaigns'][number]; share: number }> = [];
		const usable = world.accounts
			.filter((a) => a.platform === 'meta')
			.flatMap((account) => account.campaigns.filter((x) => x.status === 'ACTIVE' && x.dailyBudget > 0 && x.daily.filter((d) => d.date <= END && d.spend > 0).length >= 60 && x.daily.filter((d) => d.date <= END).slice(-28).every((d) => d.spend > 0)).map((campaign) => ({ account, campaign })));
		for (const u of usable) if (picked.length < 2 && !picked.some((p) => p.account.id === u.account.id)) picked.push({ ...u, share: 0.7 });
		const third = usable.find((u) => !picked.some((p) => p.campaign.id === u.campaign.id));
		if (third) picked.push({ ...third, share: 1 });
		expect(picked.length, 'two Meta accounts with an active campaign that spent 60 days, and a third campaign').toBe(3);
		await withStore(engine, async (store) => {
			for (const { account, campaign: c, share } of picked) {
				const days = c.daily.filter((d) => d.date <= END).slice(-70);
				await store.upsert('campaign_performance', days.map((d) => ({ date: d.date, platform: 'meta', account_id: account.id, campaign_id: c.id, campaign_name: c.name, currency: account.currency, spend: d.spend, impressions: d.impressions, clicks: d.clicks, conversions: d.conversions, revenue: d.revenue })) as Array<RowInput<'campaign_performance'>>);
				const recent = days.slice(-28);
				const heading = (recent.reduce((a, d) => a + d.spend, 0) / recent.length) * 31;
				await store.upsert('budget_plans', [{ platform: 'meta', account_id: account.id, campaign_id: c.id, month: '2026-12-01', amount: Math.round(heading * share * 100) / 100, currency: account.currency }]);
			}
		});
		const wf = readWorkflow('insights.json');
		const pace = wf.nodes.find((n) => n.name === 'Pace Budgets')!;
		expect(pace.parameters.proposeBudgets).toBe(false); // off as shipped
		pace.parameters.proposeBudgets = true;
		// this test is about the Pace branch: Detect Anomalies (tested above, and rendering a PNG per alert) is left out of the run
		wf.nodes = wf.nodes.filter((n) => n.name !== 'Detect Anomalies');
		for (const c of Object.values(wf.connections)) for (const out of c.main ?? []) if (out) out.splice(0, out.length, ...out.filter((x) => x.node !== 'Detect Anomalies'));
		const queued = async () => withStore(engine, (store) => store.select('approvals', {})) as unknown as Promise<Array<Record<string, unknown>>>;
		const before = new Set((await queued()).map((r) => r.id));
		const run = await engine.run(wf);
		expect(run.status, JSON.stringify(run.error)).toBe('success');
		const paced = json(run.items('Pace Budgets')).filter((i) => i.outcome === 'pacing');
		const over = picked.slice(0, 2).map((p) => p.campaign.id);
		for (const id of over) expect(paced.find((p) => p.campaignId === id), id).toMatchObject({ status: 'over', rule: { id: expect.any(String) } });
		expect(paced.find((p) => p.campaignId === picked[2]!.campaign.id)).toMatchObject({ status: 'on_track', rule: null });
		expect(paced.filter((p) => p.rule).map((p) => p.campaignId).sort()).toEqual([...over].sort()); // account plans are paced, never proposed
		// exactly one proposal per over-pacing campaign passed the optimizer's gates into AdOps Approval's queue
		const proposals = json(run.items('Queue Budget Proposals'));
		const targets = (rows: Array<Record<string, unknown>>) => rows.map((r) => JSON.stringify(r).match(new RegExp(over.join('|')))?.[0]).sort();
		expect(targets(proposals)).toEqual([...over].sort());
		const after = await queued();
		const added = after.filter((r) => !before.has(r.id));
		expect(targets(added)).toEqual([...over].sort());
		const again = await engine.run(wf);
		expect(again.status, JSON.stringify(again.error)).toBe('success');
		expect((await queued()).length).toBe(after.length);
	}, 480_000);
});
