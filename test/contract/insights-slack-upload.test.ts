/**
 * Insights charts into Slack with the external upload flow
 * (nodes/shared/alerts/slack-files.ts) against the sandbox's Slack through
 * @slack/web-api: the chart's PNG arrives once with the alert's text, byte
 * for byte; refusals leave nothing shared (`failed`); a completeUploadExternal
 * whose answer is lost is `unknown`; with the ledger (AdOps Insights'
 * postWithChart) a rerun posts nothing, and an unknown is settled by reading
 * the channel: found, nothing is posted; not there, it is posted once. A
 * late answer (past the client's timeout, the file shared meanwhile) is
 * settled the same way. A run killed between the steps (SIGKILL at
 * `slack.after-upload`: uploaded, not shared; at `insights.after-post`:
 * shared, the ledger not told), in a child process (this file, run with
 * ADOPS_INSIGHTS_SLACK_CHILD), leaves its claim open; the next run reads the
 * channel and posts it once, or finds it and posts nothing. Also the
 * sandbox's planting route.
 */
import assert from 'node:assert/strict';
import { afterAll, beforeAll, describe, test } from '../helpers/vitest-api';
import { renderAlert } from '../../nodes/shared/alerts/message';
import { createSlackClient } from '../../nodes/shared/alerts/post';
import { SlackUploadError, uploadSlackFile } from '../../nodes/shared/alerts/slack-files';
import { anomalyChart } from '../../nodes/shared/charts/from-insights';
import { dayNumber, dayString } from '../../nodes/shared/insights/days';
import type { Anomaly } from '../../nodes/shared/insights/detect';
import { anomalyAlert } from '../../nodes/shared/insights/run';
import { openStore, type Store, type StoreConfig } from '../../nodes/shared/store';
import { postWithChart } from '../../nodes/shared/insights/deliver';
import { startSandbox, type Sandbox } from '../../scripts/sandbox';
import { assertKilledAt, runChildJob, runFailpointChild } from '../helpers/failpoint-child';
import { testStore, type TestStore } from '../helpers/store';

const CHILD = process.env.ADOPS_INSIGHTS_SLACK_CHILD;

interface ChildJob {
	store: StoreConfig;
	botToken: string;
	apiUrl: string;
	key: string;
	title: string;
}

const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

const anomaly: Anomaly = {
	platform: 'meta',
	accountId: '1001',
	campaignId: '2002',
	campaignName: 'Winter Jackets',
	metric: 'spend',
	date: '2025-03-09',
	episodeStart: '2025-03-09',
	actual: 912.4,
	expected: 301.2,
	lower: 240.5,
	upper: 362,
	score: 9.4,
	direction: 'spike',
	volume: 912.4,
	currency: 'EUR',
	pattern: null,
	lastDays: Array.from({ length: 14 }, (_, i) => ({ date: dayString(dayNumber('2025-02-24') + i), value: i === 13 ? 912.4 : 290 + (i % 7) * 8, expected: 300 })),
};

describe('insights: charts into Slack with the external upload flow', () => {
	let sb: Sandbox;
	let ts: TestStore;
	let store: Store;
	const chart = anomalyChart(anomaly);
	const alert = anomalyAlert(anomaly, { alert: true, reason: 'new', previous: null });
	const client = () => createSlackClient({ botToken: sb.credentials.slack.botToken, apiUrl: sb.urls.slack }, { retries: 0, timeoutMs: 5_000 });
	const channel = () => sb.world.slack.channels.find((c) => c.id === 'C0ADOPSALR')!;
	const withFiles = () => channel().messages.filter((m) => m.files?.length);

	beforeAll(async () => {
		sb = await startSandbox({ seed: 3 }); // today: Slack's message times and the history read share the real clock
		ts = await testStore('adops-insights-slack');
		store = await openStore(ts.config);
	});
	afterAll(async () => {
		await store?.close();
		await ts?.cleanup();
		await sb?.close();
	});

	test('the PNG arrives once, byte for byte, with the alert text (a channel name is resolved to its ID)', async () => {
		assert.deepEqual(chart.png.subarray(0, 8), PNG);
		const before = withFiles().length;
		const up = await uploadSlackFile(client(), { channel: '#adops-alerts', filename: 'anomaly.png', bytes: chart.png, title: alert.title, initialComment: renderAlert(alert).text, altText: alert.title });
		assert.equal(up.channel, 'C0ADOPSALR');
		assert.equal(up.size, chart.png.length);
		const shared = withFiles().slice(before);
		assert.equal(shared.length, 1);
		assert.match(shared[0]!.text, /Spend spiked to 912\.40 EUR on 2025-03-09, against an expected 301\.20 EUR \(normal range 240\.50 EUR to 362\.00 EUR; \+203 % against expected\)/);
		const f = sb.world.slack.files!.find((x) => x.id === up.fileId)!;
		assert.equal(f.mimetype, 'image/png');
		assert.deepEqual(Buffer.from(f.bytes!), chart.png);
		assert.deepEqual(f.channels, ['C0ADOPSALR']);
	});

	test('refusals leave nothing shared: not in the channel, unknown channel, the upload URL failing', async () => {
		const before = sb.world.slack.channels.reduce((n, c) => n + c.messages.length, 0);
		const fail = async (p: Promise<unknown>) => {
			const e = await p.then(() => assert.fail('expected an error'), (x: unknown) => x);
			assert.ok(e instanceof SlackUploadError, String(e));
			return e;
		};
		const notIn = await fail(uploadSlackFile(client(), { channel: 'C0RANDOM01', filename: 'a.png', bytes: chart.png }));
		assert.equal(notIn.outcome, 'failed');
		assert.equal(notIn.slackError, 'not_in_channel');
		assert.match(notIn.message, /invite it/);
		const missing = await fail(uploadSlackFile(client(), { channel: '#no-such-channel', filename: 'a.png', bytes: chart.png }));
		assert.equal(missing.slackError, 'channel_not_found');
		sb.injectFault({ route: 'slack.upload', kind: '5xx', status: 503 });
		const url = await fail(uploadSlackFile(client(), { channel: 'C0ADOPSALR', filename: 'a.png', bytes: chart.png }));
		assert.equal(url.outcome, 'failed');
		assert.match(url.message, /HTTP 503/);
		assert.equal(sb.world.slack.channels.reduce((n, c) => n + c.messages.length, 0), before);
	});

	test('with the ledger: posted once; a rerun posts nothing; a lost completeUploadExternal answer is unknown, then settled by reading the channel', async () => {
		const slack = { client: client(), channel: 'C0ADOPSALR' };
		const before = withFiles().length;
		const first = await postWithChart(store, slack, 'insights.alert:test|1', alert, chart, 'a.png');
		assert.equal(first.status, 'posted');
		const again = await postWithChart(store, slack, 'insights.alert:test|1', alert, chart, 'a.png');
		assert.deepEqual(again, { status: 'already_posted', ledger: 'succeeded' });
		assert.equal(withFiles().length, before + 1);

		// shared, only the answer lost: the next attempt finds it in the channel and posts nothing
		const second = { ...alert, title: `${alert.title} (second)` };
		const fault = sb.injectFault({ route: 'slack.completeUploadExternal', kind: '5xx', status: 502, afterEffect: true });
		assert.equal(fault.spec.afterEffect, true);
		const lost = await postWithChart(store, slack, 'insights.alert:test|2', second, chart, 'b.png');
		assert.equal(lost.status, 'unknown');
		assert.equal(withFiles().length, before + 2); // it was shared: only its answer was lost
		const settled = await postWithChart(store, slack, 'insights.alert:test|2', second, chart, 'b.png');
		assert.equal(settled.status, 'already_posted');
		assert.equal((settled as { ledger: string }).ledger, 'succeeded');
		assert.equal(withFiles().length, before + 2);

		// refused with a 5xx before anything happened: unknown to the client; the channel shows it is not there, so it is posted once
		const third = { ...alert, title: `${alert.title} (third)` };
		sb.injectFault({ route: 'slack.completeUploadExternal', kind: '5xx', status: 503 });
		const refused = await postWithChart(store, slack, 'insights.alert:test|3', third, chart, 'c.png');
		assert.equal(refused.status, 'unknown');
		assert.equal(withFiles().length, before + 2);
		const retried = await postWithChart(store, slack, 'insights.alert:test|3', third, chart, 'c.png');
		assert.equal(retried.status, 'posted');
		assert.equal(withFiles().length, before + 3);
		assert.deepEqual(await postWithChart(store, slack, 'insights.alert:test|3', third, chart, 'c.png'), { status: 'already_posted', ledger: 'succeeded' });
		assert.equal(withFiles().length, before + 3);
	});

	test('a late completeUploadExternal answer (past the client timeout, the file shared meanwhile) is unknown, then found in the channel: posted once', async () => {
		const slack = { client: createSlackClient({ botToken: sb.credentials.slack.botToken, apiUrl: sb.urls.slack }, { retries: 0, timeoutMs: 300 }), channel: 'C0ADOPSALR' };
		const before = withFiles().length;
		const late = { ...alert, title: `${alert.title} (late)` };
		sb.injectFault({ route: 'slack.completeUploadExternal', kind: 'latency', latencyMs: 1_200, afterEffect: true });
		const first = await postWithChart(store, slack, 'insights.alert:test|late', late, chart, 'late.png');
		assert.equal(first.status, 'unknown', JSON.stringify(first));
		assert.equal(withFiles().length, before + 1); // shared; only the answer came too late
		await new Promise((r) => setTimeout(r, 1_200)); // the late answer arrives and is dropped
		const settled = await postWithChart(store, slack, 'insights.alert:test|late', late, chart, 'late.png');
		assert.equal(settled.status, 'already_posted');
		assert.equal((settled as { ledger: string }).ledger, 'succeeded');
		assert.equal(withFiles().length, before + 1);
		const [entry] = await store.select('action_ledger', { where: { idempotency_key: 'insights.alert:test|late' } });
		assert.equal(entry!.status, 'succeeded');
	});

	describe('a run killed between the steps (SIGKILL in a child process)', () => {
		const job = (key: string, title: string): ChildJob => ({ store: ts.config, botToken: sb.credentials.slack.botToken, apiUrl: sb.urls.slack, key, title });
		/** The child owns the store while it runs (PGlite is one process at a time). */
		async function killedAt(point: string, key: string, title: string): Promise<void> {
			await store.close();
			const run = await runFailpointChild(__filename, 'ADOPS_INSIGHTS_SLACK_CHILD', job(key, title), point);
			store = await openStore(ts.config);
			assertKilledAt(run, point);
			const [entry] = await store.select('action_ledger', { where: { idempotency_key: key } });
			assert.equal(entry!.status, 'claimed'); // the claim the dead run left open
		}

		test('after the upload, before completeUploadExternal: nothing shared; the next run posts it once', async () => {
			const slack = { client: client(), channel: 'C0ADOPSALR' };
			const key = 'insights.alert:test|kill-upload';
			const title = `${alert.title} (killed after upload)`;
			const before = withFiles().length;
			await killedAt('slack.after-upload', key, title);
			assert.equal(withFiles().length, before); // uploaded, never shared
			const next = await postWithChart(store, slack, key, { ...alert, title }, chart, 'k1.png');
			assert.equal(next.status, 'posted', JSON.stringify(next));
			assert.equal(withFiles().length, before + 1);
			assert.deepEqual(await postWithChart(store, slack, key, { ...alert, title }, chart, 'k1.png'), { status: 'already_posted', ledger: 'succeeded' });
			assert.equal(withFiles().length, before + 1);
		});

		test('after completeUploadExternal, before the ledger write: shared once; the next run finds it and posts nothing', async () => {
			const slack = { client: client(), channel: 'C0ADOPSALR' };
			const key = 'insights.alert:test|kill-post';
			const title = `${alert.title} (killed after post)`;
			const before = withFiles().length;
			await killedAt('insights.after-post', key, title);
			assert.equal(withFiles().length, before + 1);
			const next = await postWithChart(store, slack, key, { ...alert, title }, chart, 'k2.png');
			assert.equal(next.status, 'already_posted', JSON.stringify(next));
			assert.equal((next as { ledger: string }).ledger, 'succeeded');
			assert.equal(withFiles().length, before + 1);
			const [entry] = await store.select('action_ledger', { where: { idempotency_key: key } });
			assert.equal(entry!.status, 'succeeded');
			assert.match(String(entry!.resolution), /stopped while posting; found in Slack/);
		});
	});

	test('the sandbox plants a spike, a drop and a tracking break in the world (POST /_admin/plant)', async () => {
		const account = sb.world.accounts.find((a) => a.platform === 'meta')!;
		const campaign = account.campaigns.find((c) => c.daily.at(-2)!.clicks > 0)!;
		const day = campaign.daily.at(-2)!;
		const before = { ...day };
		const post = (body: unknown) => fetch(`${sb.url}/_admin/plant`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
		const res = await post({ campaignId: campaign.id, kind: 'tracking_break', date: day.date });
		assert.equal(res.status, 200);
		assert.equal(day.conversions, 0);
		assert.equal(day.clicks, before.clicks);
		const spike = await (await post({ campaignId: campaign.id, kind: 'spike', date: day.date, metric: 'spend', factor: 4 })).json() as { planted: { days: Array<{ after: { spend: number } }> } };
		assert.equal(spike.planted.days[0]!.after.spend, Math.round(before.spend * 400) / 100);
		const bad = await post({ campaignId: 'nope', kind: 'drop' });
		assert.equal(bad.status, 400);
		assert.match(((await bad.json()) as { error: string }).error, /no campaign nope/);
	});
});

if (CHILD) {
	const job = JSON.parse(CHILD) as ChildJob;
	runChildJob(async () => {
		const store = await openStore(job.store);
		const slack = { client: createSlackClient({ botToken: job.botToken, apiUrl: job.apiUrl }, { retries: 0, timeoutMs: 5_000 }), channel: 'C0ADOPSALR' };
		await postWithChart(store, slack, job.key, { ...anomalyAlert(anomaly, { alert: true, reason: 'new', previous: null }), title: job.title }, anomalyChart(anomaly), 'child.png');
		await store.close();
	});
}
