/**
 * Detect Anomalies' alerts as one Slack message per entity (account or
 * campaign) and day, against the sandbox's Slack through @slack/web-api and
 * the store (PGlite, or PostgreSQL with DATABASE_URL): a campaign whose
 * spend, impressions, clicks, conversions and revenue all spike is one
 * message naming each, with the charts of its three strongest; a rerun posts
 * nothing. The faults first: a message whose answer was lost is settled by
 * reading the channel before anything is posted again (a lost answer, a
 * late one, a run killed between its steps), also when the group has changed
 * since (a metric joined): found, its members are alerted and
 * only the newcomer is posted; not there, the whole group is posted once; the
 * channel unreadable, the members are held and nothing is posted on a guess.
 * A member that worsens on the same day is a new message. An open post of
 * the version before the grouping (one message per anomaly) is settled too.
 */
import assert from 'node:assert/strict';
import { afterAll, beforeAll, describe, test } from '../helpers/vitest-api';
import { renderAlert } from '../../nodes/shared/alerts/message';
import { createSlackClient } from '../../nodes/shared/alerts/post';
import { uploadSlackFile } from '../../nodes/shared/alerts/slack-files';
import { anomalyChart } from '../../nodes/shared/charts/from-insights';
import { alertKey, ANOMALY_ALERT_KIND } from '../../nodes/shared/insights/alerting';
import { anomalyAlert, deliverAnomalyGroups, detectAnomalies, type DetectedAnomaly } from '../../nodes/shared/insights/run';
import type { InsightMetric } from '../../nodes/shared/insights/series';
import { openStore, type Store } from '../../nodes/shared/store';
import { startSandbox, type Sandbox } from '../../scripts/sandbox';
import { END, series } from '../helpers/insights-world';
import { testStore, type TestStore } from '../helpers/store';
import { assertKilledAt, runChildJob, runFailpointChild } from '../helpers/failpoint-child';
import type { StoreConfig } from '../../nodes/shared/store';

const CHILD = process.env.ADOPS_INSIGHTS_GROUPS_CHILD;
interface ChildJob {
	store: StoreConfig;
	botToken: string;
	apiUrl: string;
	accountId: string;
	metrics: InsightMetric[];
}

const chartOf = (d: DetectedAnomaly) => ({ chart: anomalyChart(d.anomaly), filename: `${d.anomaly.campaignId ?? 'account'}-${d.anomaly.metric}.png` });

describe('insights: one Slack message per entity and day', () => {
	let sb: Sandbox;
	let ts: TestStore;
	let store: Store;
	const channel = () => sb.world.slack.channels.find((c) => c.id === 'C0ADOPSALR')!;
	const slack = (timeoutMs = 5_000) => ({ client: createSlackClient({ botToken: sb.credentials.slack.botToken, apiUrl: sb.urls.slack }, { retries: 0, timeoutMs }), channel: 'C0ADOPSALR' });

	/** One Detect Anomalies run as the node makes it: detect, then post each group. */
	async function run(accountId: string, metrics?: InsightMetric[], timeoutMs?: number) {
		const s = slack(timeoutMs);
		const result = await detectAnomalies(store, { platform: 'meta', accountIds: [accountId], slack: s, end: END, ...(metrics ? { metrics } : {}) });
		const deliveries = await deliverAnomalyGroups(store, s, result.groups, chartOf);
		return { ...result, deliveries };
	}
	/** A fault on every message the next run of this account posts (a probe detects without posting to count them). */
	async function faultEach(accountId: string, metrics: InsightMetric[], spec: Omit<Parameters<Sandbox['injectFault']>[0], 'count'>) {
		const probe = await detectAnomalies(store, { platform: 'meta', accountIds: [accountId], end: END, metrics });
		assert.ok(probe.groups.length > 0);
		sb.injectFault({ ...spec, count: probe.groups.length });
	}
	/** The campaign's group of a run (its entity and day). */
	const campaignGroup = (r: Awaited<ReturnType<typeof run>>, campaignId: string) => r.groups.find((g) => g.members[0]!.anomaly.campaignId === campaignId);
	/** A first run on spend and clicks whose every message meets `spec`: the planted campaign's post is unknown. */
	async function firstRunUnknown(accountId: string, spec: Omit<Parameters<Sandbox['injectFault']>[0], 'count'>, timeoutMs?: number) {
		const before = channel().messages.length;
		await faultEach(accountId, ['spend', 'clicks'], spec);
		const first = await run(accountId, ['spend', 'clicks'], timeoutMs);
		const g = campaignGroup(first, `${accountId}-c2`)!;
		assert.equal(first.deliveries.get(g.key)!.status, 'unknown', JSON.stringify(first.deliveries.get(g.key)));
		return { before, first, g };
	}

	beforeAll(async () => {
		sb = await startSandbox({ seed: 4 });
		ts = await testStore('adops-insights-groups');
		store = await openStore(ts.config);
		const rows = ['g1', 'g2', 'g3', 'g4', 'g5', 'g6', 'g7', 'g8'].flatMap((a, i) => series('meta', a, 4, 30 + i, { [`${a}-c2`]: 'spike' }));
		await store.upsert('campaign_performance', rows);
	}, 120_000);
	afterAll(async () => {
		await store?.close();
		await ts?.cleanup();
		await sb?.close();
	});

	test('a campaign whose five volume metrics spike is one message naming each, its three strongest charted; a rerun posts nothing', async () => {
		const before = channel().messages.length;
		const r = await run('g1');
		const g = campaignGroup(r, 'g1-c2')!;
		assert.ok(g, 'the planted campaign alerts');
		const metrics = g.members.map((m) => m.anomaly.metric).sort();
		assert.deepEqual(metrics, ['clicks', 'conversions', 'impressions', 'revenue', 'spend']);
		// every alerting anomaly is in exactly one group, one group per entity and day
		const alerting = r.anomalies.filter((d) => d.decision.alert);
		assert.equal(r.groups.reduce((n, x) => n + x.members.length, 0), alerting.length);
		assert.equal(new Set(r.groups.map((x) => x.key)).size, new Set(alerting.map((d) => `${d.anomaly.campaignId}|${d.anomaly.date}`)).size);
		const posted = channel().messages.slice(before);
		assert.equal(posted.length, r.groups.length);
		const m = posted.find((x) => x.text.includes('campaign Campaign 2 (g1-c2)'))!;
		assert.equal(m.files!.length, 3);
		for (const metric of ['Spend', 'Impressions', 'Clicks', 'Conversions', 'Revenue']) assert.match(m.text, new RegExp(`${metric} spiked to .+? on ${END}, against an expected`));
		assert.match(m.text, /5 metrics left their normal range on 2026-12-05; the 3 strongest are charted below/);
		assert.doesNotMatch(m.text, /[{}]/);
		// the charts are the three strongest members'
		const strongest = [...g.members].sort((x, y) => Math.abs(y.anomaly.score) - Math.abs(x.anomaly.score)).slice(0, 3);
		const names = m.files!.map((id) => sb.world.slack.files!.find((f) => f.id === id)!.name);
		assert.deepEqual(names, strongest.map((d) => chartOf(d).filename));
		const stored = await store.select('anomalies', { where: { account_id: 'g1' } } as never);
		assert.ok(stored.every((row) => (row as unknown as { alerted_score: number | null }).alerted_score !== null));

		const again = await run('g1');
		assert.equal(again.groups.length, 0);
		assert.ok(again.anomalies.every((d) => d.decision.reason === 'already_sent'));
		assert.equal(channel().messages.length, before + posted.length);
	});

	test('a lost answer, then a metric joins the group: the first message is found in the channel, only the newcomers are posted', async () => {
		const { before, first, g } = await firstRunUnknown('g2', { route: 'slack.completeUploadExternal', kind: '5xx', status: 502, afterEffect: true });
		const shared = channel().messages.length - before;
		assert.equal(shared, first.groups.length, 'the lost one was shared; only its answer was lost');

		// the next run scans every metric: the campaign's group is now five metrics, a different message
		const second = await run('g2');
		const next = campaignGroup(second, 'g2-c2')!;
		assert.notEqual(next.key, g.key);
		assert.deepEqual(next.members.map((m) => m.anomaly.metric).sort(), ['conversions', 'impressions', 'revenue']);
		assert.ok(second.settled.some((w) => /found in Slack/.test(w)), second.settled.join('; '));
		const added = channel().messages.slice(before + shared);
		const m = added.find((x) => x.text.includes('(g2-c2)'))!;
		assert.doesNotMatch(m.text, /Spend spiked|Clicks spiked/, 'spend and clicks were in the first message');
		assert.equal(added.filter((x) => x.text.includes('(g2-c2)')).length, 1);
		const [entry] = await store.select('action_ledger', { where: { idempotency_key: g.key } });
		assert.equal(entry!.status, 'succeeded');
		assert.equal(entry!.kind, ANOMALY_ALERT_KIND);
		assert.equal((await run('g2')).groups.length, 0);
	});

	test('refused before it was shared, then a metric joins: the channel shows it is not there, the whole group is posted once', async () => {
		const { before, g } = await firstRunUnknown('g3', { route: 'slack.completeUploadExternal', kind: '5xx', status: 503 });
		assert.ok(!channel().messages.slice(before).some((x) => x.text.includes('(g3-c2)')));

		const second = await run('g3');
		const next = campaignGroup(second, 'g3-c2')!;
		assert.deepEqual(next.members.map((m) => m.anomaly.metric).sort(), ['clicks', 'conversions', 'impressions', 'revenue', 'spend']);
		const ours = channel().messages.slice(before).filter((x) => x.text.includes('(g3-c2)'));
		assert.equal(ours.length, 1);
		assert.match(ours[0]!.text, /Spend spiked/);
		const [entry] = await store.select('action_ledger', { where: { idempotency_key: g.key } });
		assert.equal(entry!.status, 'failed');
		assert.match(String(entry!.resolution), /not in the channel history/);
	});

	test('a lost answer and the channel unreadable: its members are held and nothing is posted; the next run finds it', async () => {
		const { before } = await firstRunUnknown('g4', { route: 'slack.completeUploadExternal', kind: '5xx', status: 502, afterEffect: true });
		const shared = channel().messages.length - before;

		sb.injectFault({ route: 'slack.history', kind: '5xx', status: 503, count: 50 });
		const held = await run('g4');
		const ours = held.anomalies.filter((d) => d.anomaly.campaignId === 'g4-c2' && ['spend', 'clicks'].includes(d.anomaly.metric));
		assert.ok(ours.length === 2 && ours.every((d) => d.decision.reason === 'held'), JSON.stringify(ours.map((d) => d.decision)));
		assert.ok(held.settled.some((w) => /held: .*could not be read/.test(w)), held.settled.join('; '));
		const added = channel().messages.slice(before + shared).filter((x) => x.text.includes('(g4-c2)'));
		assert.ok(added.every((x) => !/Spend spiked|Clicks spiked/.test(x.text)), 'nothing held is posted');
		sb.clearFaults();

		const later = await run('g4');
		assert.ok(later.settled.some((w) => /found in Slack/.test(w)), later.settled.join('; '));
		const all = channel().messages.slice(before).filter((x) => x.text.includes('(g4-c2)'));
		assert.equal(all.filter((x) => /Spend spiked/.test(x.text)).length, 1, 'spend posted once over the three runs');
	});

	test('a late answer (past the client timeout, the message shared meanwhile), then a metric joins: found in the channel, only the newcomers are posted', async () => {
		const { before, first, g } = await firstRunUnknown('g8', { route: 'slack.completeUploadExternal', kind: 'latency', latencyMs: 1_200, afterEffect: true }, 300);
		await new Promise((r) => setTimeout(r, 1_300)); // the late answers arrive and are dropped
		const shared = channel().messages.length - before;
		assert.equal(shared, first.groups.length, 'shared; only the answers came too late');

		const second = await run('g8');
		assert.ok(second.settled.some((w) => /found in Slack/.test(w)), second.settled.join('; '));
		const all = channel().messages.slice(before).filter((x) => x.text.includes('(g8-c2)'));
		for (const metric of ['Spend', 'Clicks', 'Impressions', 'Conversions', 'Revenue']) assert.equal(all.filter((x) => new RegExp(`${metric} spiked`).test(x.text)).length, 1, `${metric} posted once`);
		const [entry] = await store.select('action_ledger', { where: { idempotency_key: g.key } });
		assert.equal(entry!.status, 'succeeded');
		assert.equal((await run('g8')).groups.length, 0);
	});

	test('a member that worsens on the same day is a new message; one that does not is not', async () => {
		const before = channel().messages.length;
		await run('g5');
		const posted = channel().messages.length;
		assert.ok(posted > before);
		// the day restated: spend twice what was planted (score well past 1.25 x), the rest as it was
		const [row] = await store.select('campaign_performance', { where: { account_id: 'g5', campaign_id: 'g5-c2', date: END } } as never);
		const r0 = row as unknown as Record<string, unknown>;
		const keep = ['date', 'platform', 'account_id', 'campaign_id', 'campaign_name', 'currency', 'impressions', 'clicks', 'conversions', 'revenue'];
		await store.upsert('campaign_performance', [{ ...Object.fromEntries(keep.map((k) => [k, r0[k]])), spend: Number(r0.spend) * 2 } as never]);
		const worse = await run('g5');
		const g = campaignGroup(worse, 'g5-c2')!;
		assert.ok(g.members.some((m) => m.anomaly.metric === 'spend' && m.decision.alert && m.decision.reason === 'worse'));
		const added = channel().messages.slice(posted);
		assert.equal(added.filter((x) => x.text.includes('(g5-c2)')).length, 1);
		assert.match(added.find((x) => x.text.includes('(g5-c2)'))!.text, /Worse than when first reported/);
		assert.equal((await run('g5')).groups.filter((x) => x.members[0]!.anomaly.campaignId === 'g5-c2').length, 0);
	});

	test('a run killed after Slack shared the message, before the ledger heard (SIGKILL, child process); the group then changes: found, only the newcomers are posted', async () => {
		const before = channel().messages.length;
		await store.close();
		const job: ChildJob = { store: ts.config, botToken: sb.credentials.slack.botToken, apiUrl: sb.urls.slack, accountId: 'g7', metrics: ['spend', 'clicks'] };
		const child = await runFailpointChild(__filename, 'ADOPS_INSIGHTS_GROUPS_CHILD', job, 'insights.after-post');
		store = await openStore(ts.config);
		assertKilledAt(child, 'insights.after-post');
		const shared = channel().messages.slice(before);
		assert.equal(shared.length, 1, 'the first message was shared, then the run died');
		const open = await store.select('action_ledger', { where: { kind: ANOMALY_ALERT_KIND, status: 'claimed' } } as never);
		assert.equal(open.length, 1);

		const r = await run('g7');
		assert.ok(r.settled.some((w) => /found in Slack/.test(w)), r.settled.join('; '));
		const added = channel().messages.slice(before + 1);
		const all = [...shared, ...added];
		for (const metric of ['Spend', 'Clicks', 'Impressions', 'Conversions', 'Revenue']) {
			const about = all.filter((x) => x.text.includes('(g7-c2)') && new RegExp(`${metric} spiked`).test(x.text));
			assert.equal(about.length, 1, `${metric} of g7-c2 posted once over the killed run and the next`);
		}
		const [entry] = await store.select('action_ledger', { where: { idempotency_key: (open[0] as unknown as { idempotency_key: string }).idempotency_key } });
		assert.equal(entry!.status, 'succeeded');
		assert.match(String(entry!.resolution), /stopped while posting; found in Slack/);
	});

	test("an open post of the version before the grouping (one message per anomaly) is settled: found, it is not posted again", async () => {
		// what the older version did: a per-anomaly key, kind insights.alert, its answer lost after Slack shared it
		const probe = await detectAnomalies(store, { platform: 'meta', accountIds: ['g6'], end: END, metrics: ['spend'] });
		const spend = probe.anomalies.find((d) => d.anomaly.campaignId === 'g6-c2')!;
		// the probe ran without Slack: undo what it recorded, as if it never alerted
		await store.update('anomalies', { account_id: 'g6' } as never, { alerted_score: null, alerted_at: null } as never);
		const alert = anomalyAlert(spend.anomaly, { alert: true, reason: 'new', previous: null });
		const key = alertKey(spend.anomaly);
		await store.claimAction(key, { kind: 'insights.alert', target: 'C0ADOPSALR', intent: { title: alert.title, files: ['old.png'], alert: alert as never } });
		await uploadSlackFile(slack().client, { channel: 'C0ADOPSALR', filename: 'old.png', bytes: chartOf(spend).chart.png, initialComment: renderAlert(alert).text, title: alert.title });
		await store.completeAction(key, { status: 'unknown', error: 'the answer was lost' });
		const before = channel().messages.length;

		const r = await run('g6');
		assert.ok(r.settled.some((w) => /spend of campaign g6-c2 .*found in Slack/.test(w)), r.settled.join('; '));
		const m = channel().messages.slice(before).find((x) => x.text.includes('(g6-c2)'))!;
		assert.ok(m, 'the other metrics are posted');
		assert.doesNotMatch(m.text, /Spend spiked/);
		const [entry] = await store.select('action_ledger', { where: { idempotency_key: key } });
		assert.equal(entry!.status, 'succeeded');
	});
});

if (CHILD) {
	const job = JSON.parse(CHILD) as ChildJob;
	runChildJob(async () => {
		const store = await openStore(job.store);
		const slack = { client: createSlackClient({ botToken: job.botToken, apiUrl: job.apiUrl }, { retries: 0, timeoutMs: 5_000 }), channel: 'C0ADOPSALR' };
		// the campaign's group only (the account's day would be a second message before the kill)
		const result = await detectAnomalies(store, { platform: 'meta', accountIds: [job.accountId], slack, end: END, metrics: job.metrics });
		await deliverAnomalyGroups(store, slack, result.groups.filter((g) => g.members[0]!.anomaly.campaignId !== null), chartOf);
		await store.close();
	});
}
