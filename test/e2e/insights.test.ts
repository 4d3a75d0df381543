// workflows/insights.json in real n8n 2.40.7 against the sandbox and the store (PostgreSQL when DATABASE_URL
// is set, PGlite otherwise). The sandbox plants a tracking break (conversions to zero, clicks held) on
// yesterday of one Meta campaign (POST /_admin/plant); AdOps Ingest reads the Meta accounts' last 59 days
// from the sandbox's Graph API into the store; then insights.json (Run Now) finds that anomaly and only it
// (with the account total it drags down) on the planted account, and posts each alert once with its PNG
// chart through Slack's external upload flow; a rerun posts nothing new. Then workflows/optimize.json (Live)
// with one stored rule on the finding, the issue's "pause when conversions break to zero on a campaign
// spending over 100/day" (anomaly_score yesterday <= -4 and spend over the last 7 days > 700): it pauses the
// planted campaign through the gates and the ledger exactly once (one platform write; a rerun writes nothing).
import { test, beforeAll, afterAll, describe } from 'vitest';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startSandbox, sandboxN8nCredentials, type Campaign, type Sandbox } from '../../scripts/sandbox';
import { addDays } from '../../scripts/sandbox/rng';
import { startN8n, type N8nHost, type WorkflowInput } from '../helpers/n8n';
import { jsonOutput, withStore } from '../helpers/with-store';
import { testStore } from '../helpers/store';
import { parseRule, ruleToRow } from '../../nodes/shared/rules';

const ROOT = join(__dirname, '..', '..');
const ALERTS = 'C0ADOPSALR';
const RATES: Record<string, number> = { EUR: 1.0825, GBP: 1.265, JPY: 0.006712 };
const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
type WfNode = { name: string; type: string; parameters: Record<string, unknown>; [k: string]: unknown };

describe('workflows/insights.json in real n8n', () => {
	let sandbox: Sandbox;
	let n8n: N8nHost;
	let storeConfig: Parameters<typeof withStore>[0];
	let cleanup: () => Promise<void> = async () => undefined;
	let insights: WorkflowInput;
	let ingest: WorkflowInput;
	let optimize: WorkflowInput;
	let planted: { accountId: string; campaign: Campaign; date: string };
	const channel = () => sandbox.world.slack.channels.find((c) => c.id === ALERTS)!;

	beforeAll(async () => {
		sandbox = await startSandbox({ seed: 11 });
		const ts = await testStore('adops-e2e-insights');
		storeConfig = ts.config;
		cleanup = ts.cleanup;
		const account = sandbox.world.accounts.find((a) => a.platform === 'meta')!;
		// the account's own yesterday: Detect Anomalies scans the account's calendar days, and between midnight UTC and
		// midnight in Los Angeles the account's "today" is still the sandbox's (UTC) yesterday
		const localToday = new Intl.DateTimeFormat('en-CA', { timeZone: account.timezone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
		const yesterday = addDays(localToday < sandbox.world.today ? localToday : sandbox.world.today, -1);
		// a campaign spending over 100 a day (the rule's condition) with conversions yesterday
		const week = (c: Campaign) => c.daily.filter((d) => d.date > addDays(yesterday, -7) && d.date <= yesterday).reduce((a, d) => a + d.spend, 0);
		const campaign = account.campaigns.find((c) => c.status === 'ACTIVE' && (c.daily.find((d) => d.date === yesterday)?.conversions ?? 0) >= 10 && week(c) > 700)!;
		assert.ok(campaign, 'a Meta campaign with conversions yesterday and over 700 spent in the last 7 days');
		const res = await fetch(`${sandbox.url}/_admin/plant`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ campaignId: campaign.id, kind: 'tracking_break', date: yesterday }) });
		assert.equal(res.status, 200, await res.text());
		planted = { accountId: account.id, campaign, date: yesterday };
		await withStore(storeConfig, async (store) => {
			const rows = [];
			for (let i = 0; i < 70; i++) {
				const day = addDays(sandbox.world.today, -i);
				for (const [base, rate] of Object.entries(RATES)) rows.push({ base, quote: 'USD', rate_date: day, rate, source: 'e2e' });
			}
			await store.upsert('fx_rates', rows);
		});
		const shipped = JSON.parse(await readFile(join(ROOT, 'workflows', 'ingest.json'), 'utf8')) as WorkflowInput;
		const meta = structuredClone((shipped.nodes as unknown as WfNode[]).find((n) => n.name === 'Ingest Meta')!);
		meta.parameters.initialBackfillDays = 59;
		ingest = {
			id: 'AdOpsInsightsIngest',
			name: 'e2e insights ingest',
			nodes: [{ parameters: {}, name: 'Start', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 0] }, meta],
			connections: { Start: { main: [[{ node: 'Ingest Meta', type: 'main', index: 0 }]] } },
			settings: { executionOrder: 'v1' },
		} as unknown as WorkflowInput;
		insights = JSON.parse(await readFile(join(ROOT, 'workflows', 'insights.json'), 'utf8')) as WorkflowInput;
		// as a user narrows it to the account under watch: the count and money metrics of the last day
		const detect = (insights.nodes as unknown as WfNode[]).find((n) => n.name === 'Detect Anomalies')!;
		detect.parameters.accountId = account.id;
		detect.parameters.metrics = ['spend', 'impressions', 'clicks', 'conversions'];
		// the scan ends on the UTC yesterday; when the account's yesterday is a day earlier (see above), look back one more day
		detect.parameters.detectOptions = { lookbackDays: planted.date < addDays(sandbox.world.today, -1) ? 2 : 1 };
		optimize = JSON.parse(await readFile(join(ROOT, 'workflows', 'optimize.json'), 'utf8')) as WorkflowInput;
		for (const n of optimize.nodes as unknown as WfNode[]) if (n.name === 'Optimizer') n.parameters.mode = 'live';
		await withStore(storeConfig, (store) =>
			store.insert('optimization_rules', [
				ruleToRow(
					parseRule({
						id: 'pause-tracking-break',
						name: 'Pause when conversions break to zero on a campaign spending over 100/day',
						priority: 5,
						scope: { platforms: ['meta'] },
						conditions: { all: [{ metric: 'anomaly_score', window: 'yesterday', op: '<=', value: -4 }, { metric: 'spend', window: 'last_7_days', op: '>', value: 700 }] },
						action: { type: 'pause' },
					}),
				),
			]),
		);
		n8n = await startN8n();
		await n8n.importCredentials(sandboxN8nCredentials(sandbox, ts.credential));
		await n8n.importWorkflows([ingest, insights, optimize]);
	});

	afterAll(async () => {
		await n8n?.dispose();
		await sandbox?.close();
		await cleanup();
	});

	test('ingest, then insights: the planted tracking break, and no other drop, one message per entity and day posted once with its PNGs; a rerun posts nothing', async () => {
		const loaded = await n8n.execute(ingest.id as string);
		assert.equal(loaded.status, 'success', JSON.stringify(loaded.error));
		const before = channel().messages.length;
		const result = await n8n.execute(insights.id as string);
		assert.equal(result.status, 'success', JSON.stringify(result.error));
		const anomalies = jsonOutput(result, 'Detect Anomalies').filter((i) => i.outcome === 'anomaly');
		assert.ok(anomalies.length >= 1, `the planted anomaly is found (planted ${planted.date}): ${JSON.stringify(jsonOutput(result, 'Detect Anomalies'))}`.slice(0, 3000));
		// The planted break (its campaign, or the account total it drags down) and, besides it, only what the sandbox's
		// own data holds: since the newest days are scored against a fit that has not seen them, a real day of the world
		// can be reported too (7 December: campaign 101's clicks on the planted day, 352 against about 184). Nothing
		// else may be a drop, a tracking break or a value the platform did not report.
		// the account total counts as ours on the planted day; on another day it is the world's own data (between 00:00 UTC
		// and the account's midnight the scan also reads the world's newest day, 8 December 00:30: impressions +70 %)
		const ours = anomalies.filter((a) => a.campaignId === planted.campaign.id || (a.campaignId === null && a.accountId === planted.accountId && a.date === planted.date));
		for (const a of ours) {
			assert.equal(a.date, planted.date, JSON.stringify(a));
			assert.equal(a.metric, 'conversions');
			assert.equal(a.direction, 'drop');
		}
		for (const a of anomalies.filter((x) => !ours.includes(x))) {
			const campaigns = a.campaignId === null ? (sandbox.world.accounts.find((acc) => acc.id === a.accountId)?.campaigns ?? []) : sandbox.world.accounts.flatMap((acc) => acc.campaigns).filter((c) => c.id === a.campaignId);
			const days = campaigns.map((c) => c.daily.find((d) => d.date === a.date) as Record<string, number> | undefined).filter((d): d is Record<string, number> => d !== undefined);
			const volume = ['spend', 'impressions', 'clicks', 'conversions', 'revenue'].includes(String(a.metric));
			assert.ok(days.length > 0, `an unplanted anomaly is on a day the platform reported: ${JSON.stringify(a)}`);
			if (volume) assert.ok(Math.abs(days.reduce((t, d) => t + (d[String(a.metric)] ?? 0), 0) - Number(a.actual)) < 0.01, `an unplanted anomaly is the platform's own value: ${JSON.stringify(a)}`);
			assert.ok(a.direction === 'spike' && a.pattern !== 'tracking_break', `nothing but the planted campaign drops: ${JSON.stringify(a)}`);
		}
		const broken = anomalies.find((a) => a.campaignId === planted.campaign.id)!;
		assert.equal(broken.pattern, 'tracking_break');
		assert.equal(broken.actual, 0);
		const posted = channel().messages.slice(before);
		const entities = new Set(anomalies.map((a) => `${a.platform}|${a.accountId}|${a.campaignId}|${a.date}`));
		assert.equal(posted.length, entities.size, 'one Slack message per entity and day (no pacing plan: nothing else)');
		for (const m of posted) {
			assert.ok(m.files && m.files.length >= 1 && m.files.length <= 3, 'the message carries its charts (at most 3)');
			for (const id of m.files) {
				const f = sandbox.world.slack.files!.find((x) => x.id === id)!;
				assert.ok(f, 'the message carries its file');
				assert.deepEqual(Buffer.from(f.bytes!.subarray(0, 8)), PNG);
				assert.equal(f.bytes!.length, f.length);
			}
		}
		assert.equal(posted.filter((m) => /Conversions dropped to [\d,.]+ on /.test(m.text)).length, ours.length, 'one conversions-drop message per planted anomaly');
		assert.ok(posted.some((m) => /tracking break/.test(m.text)));
		const stored = await withStore(storeConfig, (store) => store.select('anomalies', {}));
		assert.equal(stored.length, anomalies.length);

		const again = await n8n.execute(insights.id as string);
		assert.equal(again.status, 'success', JSON.stringify(again.error));
		assert.equal(channel().messages.length, before + posted.length, 'a rerun posts nothing new');
		assert.ok(jsonOutput(again, 'Detect Anomalies').filter((i) => i.outcome === 'anomaly').every((a) => a.alertDecision === 'already_sent'));
	});

	test('a rule on anomaly_score pauses the planted campaign through the gates and the ledger exactly once', async () => {
		const writes = () => sandbox.requests().filter((r) => r.method === 'POST' && /^(meta\.update|linkedin\.campaignUpdate|googleads\.campaign(s|Budgets)\.mutate)$/.test(r.route));
		const before = writes().length;
		const run = await n8n.execute(optimize.id as string);
		assert.equal(run.status, 'success', JSON.stringify(run.error));
		const executed = jsonOutput(run, 'Optimizer').filter((i) => i.outcome === 'executed');
		assert.deepEqual(
			executed.map((i) => (i.entity as { campaignId: string }).campaignId),
			[planted.campaign.id],
			`only the planted campaign: ${JSON.stringify(jsonOutput(run, 'Optimizer')).slice(0, 2000)}`,
		);
		assert.match(JSON.stringify(executed[0]), /anomaly_score yesterday \([\d-]+\) = -\d+(\.\d+)? <= -4 → met/);
		assert.equal(planted.campaign.status, 'PAUSED', 'the platform holds the pause');
		assert.equal(writes().length - before, 1, 'one platform write');
		const rows = await withStore(storeConfig, (store) => store.select('optimization_actions', { where: { dry_run: false } }));
		assert.deepEqual(rows.filter((r) => r.outcome === 'executed').map((r) => r.campaign_id), [planted.campaign.id], 'one executed row');
		const ledger = await withStore(storeConfig, (store) => store.select('action_ledger', {}));
		// the alerts of Detect Anomalies have ledger entries too (insights.…); the optimizer's keys start with opt:
		const changes = ledger.filter((e) => String(e.idempotency_key).startsWith('opt:'));
		assert.equal(changes.length, 1, `one change in the ledger: ${JSON.stringify(changes)}`);
		assert.equal(changes[0]!.status, 'succeeded');

		const again = await n8n.execute(optimize.id as string);
		assert.equal(again.status, 'success', JSON.stringify(again.error));
		assert.deepEqual(jsonOutput(again, 'Optimizer').filter((i) => i.outcome === 'executed'), [], 'a rerun executes nothing');
		assert.equal(writes().length - before, 1, 'still one platform write');
	});
});
