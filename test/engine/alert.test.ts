// AdOps Alert run in-process by n8n-core (test/engine/harness.ts) against the sandbox's Slack:
// each message source, a bad parameter naming itself and the item, Continue On Fail, paired items,
// and the bundled alert-demo.json and ingest-error.json from their start nodes.
import { test, describe, beforeAll, afterAll, expect } from 'vitest';
import assert from 'node:assert/strict';
import type { Sandbox } from '../../scripts/sandbox';
import { nodeOutput, type WorkflowInput } from '../helpers/n8n';
import { readWorkflow, startEngine, type Engine } from './harness';
import { ALERTS, expectNodeError, expectPaired, json, pairs, slackMessages, slackPosts } from './expect';
import { cli, type EngineCli } from './cli';

describe('AdOps Alert on n8n-core', () => {
	let engine: Engine;
	let slack: Record<string, { id: string; name: string }>;
	const node = (parameters: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({ name: 'Alert', type: 'adOpsAlert', parameters: { operation: 'post', ...parameters }, credentials: slack, ...extra });
	beforeAll(async () => {
		engine = await startEngine({ seed: 11 });
		slack = engine.credentialRef('adOpsSlackApi');
	});
	afterAll(async () => {
		await engine?.close();
	});

	test('fields: kind, title, message, fields, items, channel and options reach the Slack message, one per item', async () => {
		const before = slackMessages(engine, 'C0ADOPSAPR').length;
		const run = await engine.runNode(
			node({
				source: 'fields',
				kind: 'failure',
				title: '={{ "Budget cut on " + $json.campaign }}',
				message: 'Spend *doubled* overnight',
				fields: { field: [{ label: 'Account', value: '={{ $json.account }}' }] },
				items: '["first bullet", "second bullet"]',
				channel: 'C0ADOPSAPR',
				options: { footer: 'engine footer', linkUrl: 'https://example.test/x', linkText: 'See it', mention: '@here' },
			}),
			[{ campaign: 'Winter Jackets', account: 'acc-1' }, { campaign: 'Rainwear', account: 'acc-2' }],
		);
		expect(run.status).toBe('success');
		const out = json(run.items('Alert'));
		expect(out.map((o) => [o.ok, o.kind, o.title, o.channel])).toEqual([
			[true, 'failure', 'Budget cut on Winter Jackets', 'C0ADOPSAPR'],
			[true, 'failure', 'Budget cut on Rainwear', 'C0ADOPSAPR'],
		]);
		expect(pairs(run.items('Alert'))).toEqual([0, 1]);
		expectPaired(run);
		const posted = slackMessages(engine, 'C0ADOPSAPR').slice(before);
		expect(posted).toHaveLength(2);
		for (const [i, text] of [['Winter Jackets', 'acc-1'], ['Rainwear', 'acc-2']].entries()) {
			expect(posted[i]!.text).toContain(`Budget cut on ${text[0]}`);
			expect(posted[i]!.text).toContain(text[1]);
			for (const word of ['Spend *doubled* overnight', 'first bullet', 'second bullet', 'engine footer', 'See it', 'Account']) expect(posted[i]!.text).toContain(word);
		}
	});

	test('json: the alert object of each item is posted to the credential default channel; an item without one passes unposted', async () => {
		const before = slackMessages(engine).length;
		const run = await engine.runNode(node({ source: 'json', alertJson: '={{ $json.alert }}' }), [
			{ alert: { kind: 'summary', title: 'Daily result', message: 'Seven accounts loaded' } },
			{ alert: null },
		]);
		expect(run.status).toBe('success');
		const out = json(run.items('Alert'));
		expect(out[0]).toMatchObject({ ok: true, kind: 'summary', title: 'Daily result', channel: ALERTS });
		expect(out[1]).toMatchObject({ ok: true, skipped: true });
		expect(pairs(run.items('Alert'))).toEqual([0, 1]);
		const posted = slackMessages(engine).slice(before);
		expect(posted).toHaveLength(1);
		expect(posted[0]!.text).toContain('Seven accounts loaded');
	});

	test('thread key: the second alert with the same key is a reply to the first (the store remembers the thread)', async () => {
		const creds = { ...slack, ...engine.credentialRef('adOpsStoreApi') };
		const first = await engine.runNode(node({ source: 'fields', kind: 'info', title: 'Thread root', threadKey: 'engine-thread' }, { credentials: creds }));
		const second = await engine.runNode(node({ source: 'fields', kind: 'info', title: 'Thread reply', threadKey: 'engine-thread' }, { credentials: creds }));
		const root = json(first.items('Alert'))[0]!;
		expect(json(second.items('Alert'))[0]).toMatchObject({ threadTs: root.ts, threadKey: 'engine-thread' });
	});

	test('a bad parameter fails the node with the parameter named and the item index', async () => {
		const run = await engine.runNode(node({ source: 'json', alertJson: '{"kind": "info", "title": ' }), [{ a: 1 }, { a: 2 }]);
		expectNodeError(run, 'Alert', /Alert \(JSON\) is not valid JSON/, 0);
	});

	test('a bad value on the second item names item 1; Items that are not a JSON array are named', async () => {
		const kind = await engine.runNode(node({ source: 'fields', kind: '={{ $json.kind }}', title: 'x' }), [{ kind: 'info' }, { kind: 'loud' }]);
		expectNodeError(kind, 'Alert', /Invalid alert: kind/, 1);
		const items = await engine.runNode(node({ source: 'fields', kind: 'info', title: 'x', items: '{"not": "a list"}' }));
		expectNodeError(items, 'Alert', /Items must be a JSON array of strings/, 0);
	});

	test('continue on fail: every failing item becomes an error item paired with its input, the others post', async () => {
		const before = slackMessages(engine).length;
		const run = await engine.runNode(node({ source: 'json', alertJson: '={{ $json.bad ? "{not json" : { kind: "info", title: "fine " + $json.n } }}' }), [{ n: 0, bad: true }, { n: 1 }, { n: 2, bad: true }], { continueOnFail: true });
		expect(run.status).toBe('success');
		const items = run.items('Alert');
		expect(items).toHaveLength(3);
		expect(pairs(items)).toEqual([0, 1, 2]);
		expect(json(items).map((o) => o.ok)).toEqual([false, true, false]);
		expect(String(json(items)[0]!.error)).toMatch(/Alert \(JSON\) is not valid JSON/);
		const posted = slackMessages(engine).slice(before);
		expect(posted).toHaveLength(1);
		expect(posted[0]!.text).toContain('fine 1');
	});

	test('workflows/alert-demo.json (Run Demo): two messages, the follow-up threaded under the summary', async () => {
		const before = slackMessages(engine).length;
		const run = await engine.run('alert-demo.json');
		expect(run.status).toBe('success');
		expect(run.order).toEqual(['Run Demo', 'Post Summary', 'Post Follow-up']);
		expect(run.items('Post Summary')).toHaveLength(1);
		expect(run.items('Post Follow-up')).toHaveLength(1);
		expectPaired(run);
		const posted = slackMessages(engine).slice(before);
		expect(posted).toHaveLength(2);
		expect(posted[0]!.text).toContain('AdOps demo: n8n is wired to Slack');
		expect(posted[1]!.threadTs).toBe(posted[0]!.ts);
	});

	test('workflows/ingest-error.json (When Ingest Fails): one failure alert naming the workflow, node and error', async () => {
		const before = slackMessages(engine).length;
		const failure = { execution: { id: '231', url: 'http://127.0.0.1:5678/workflow/1/executions/231', error: { message: 'Meta answered 190: token expired' }, lastNodeExecuted: 'Ingest Meta', mode: 'trigger' }, workflow: { id: '1', name: 'AdOps daily ingest' } };
		const run = await engine.run('ingest-error.json', { input: [{ json: failure }] });
		expect(run.status).toBe('success');
		expect(json(run.items('Slack Failure Alert'))).toMatchObject([{ ok: true, kind: 'failure', title: 'Workflow failed: AdOps daily ingest' }]);
		expectPaired(run);
		const posted = slackMessages(engine).slice(before);
		expect(posted).toHaveLength(1);
		for (const word of ['Meta answered 190: token expired', 'Ingest Meta', '231', 'Open execution']) expect(posted[0]!.text).toContain(word);
	});
});

// Moved from test/e2e/alert.test.ts (real n8n, `n8n execute`): the same workflows, credentials and assertions.
/** Start (manual trigger) → the given AdOps Alert nodes, each on the sandbox's Slack credential unless it names another. */
function alertWorkflow(id: string, name: string, alerts: Array<{ name: string; parameters: Record<string, unknown>; position?: [number, number]; [k: string]: unknown }>): WorkflowInput {
	return {
		id,
		name,
		nodes: [
			{ parameters: {}, name: 'Start', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 0] },
			...alerts.map((a) => ({ type: 'n8n-nodes-adops.adOpsAlert', typeVersion: 1, position: [200, 0], credentials: { adOpsSlackApi: { id: 'adopsSlackCred01', name: 'AdOps Slack' } }, ...a })),
		],
		connections: { Start: { main: [alerts.map((a) => ({ node: a.name, type: 'main', index: 0 }))] } },
		settings: { executionOrder: 'v1' },
	} as unknown as WorkflowInput;
}

function headerOf(message: { blocks?: unknown[] }): string {
	const header = (message.blocks ?? []).find((b) => (b as { type: string }).type === 'header') as { text: { text: string } } | undefined;
	return header?.text.text ?? '';
}

describe('AdOps Alert as `n8n execute` runs it (moved from test/e2e/alert.test.ts)', () => {
	let engine: Engine;
	let sandbox: Sandbox;
	let n8n: EngineCli;
	let demo: WorkflowInput;

	beforeAll(async () => {
		engine = await startEngine({ seed: 11, today: '2026-03-02', storePrefix: 'adops-engine-alert-cli' });
		sandbox = engine.sandbox;
		n8n = cli(engine);
		n8n.importCredentials([
			{
				id: 'adopsSlackBadTok',
				name: 'AdOps Slack (revoked)',
				type: 'adOpsSlackApi',
				data: { botToken: 'xoxb-not-a-real-token', defaultChannel: '#adops-alerts', apiUrl: sandbox.urls.slack },
			},
		]);
		demo = readWorkflow('alert-demo.json') as unknown as WorkflowInput;
		n8n.importWorkflow(demo);
	});

	afterAll(async () => {
		await engine?.close();
	});

	test('workflows/alert-demo.json posts a Block Kit summary and a threaded follow-up', async () => {
		const result = await n8n.execute(demo.id as string);
		assert.equal(result.status, 'success', JSON.stringify(result.error));
		const [summary] = nodeOutput(result, 'Post Summary');
		const [followUp] = nodeOutput(result, 'Post Follow-up');
		assert.equal(summary.json.ok, true);
		assert.equal(summary.json.channel, ALERTS);

		const messages = slackPosts(sandbox);
		assert.equal(messages.length, 2);
		const [first, second] = messages;
		assert.equal(first.ts, summary.json.ts);
		assert.equal(headerOf(first), 'Summary: AdOps demo: n8n is wired to Slack');
		assert.equal(first.threadTs, undefined);
		assert.equal(second.ts, followUp.json.ts);
		assert.equal(second.threadTs, first.ts, 'the follow-up is a reply in the first message\'s thread');
		assert.equal(followUp.json.threadTs, first.ts);
		// Expressions were resolved by n8n, not posted literally.
		assert.doesNotMatch(JSON.stringify(first.blocks), /\{\{/);
		assert.match(JSON.stringify(first.blocks), /AdOps: alert demo/);
	});

	test('the thread survives across executions (kept in the AdOps Store), and a 429 is retried without a duplicate', async () => {
		const threadParent = slackPosts(sandbox)[0].ts;
		sandbox.injectFault({ route: 'slack.postMessage', kind: '429', retryAfter: 1, count: 1 });
		const result = await n8n.execute(demo.id as string);
		assert.equal(result.status, 'success', JSON.stringify(result.error));
		const messages = slackPosts(sandbox);
		assert.equal(messages.length, 4, 'exactly two more messages: the 429 was retried, not duplicated');
		assert.equal(messages[2].threadTs, threadParent);
		assert.equal(messages[3].threadTs, threadParent);
		const limited = sandbox.requests({ route: 'slack.postMessage' }).filter((r) => r.status === 429);
		assert.equal(limited.length, 1);
	});

	test('an oversized alert is cut visibly and Slack accepts it', async () => {
		const wf = alertWorkflow('AdOpsAlertLong01', 'AdOps: long alert', [
			{
				name: 'Alert',
				parameters: {
					operation: 'post',
					kind: 'failure',
					title: 'Ingest failed for many accounts',
					message: "={{ 'x'.repeat(9000) }}",
					items: "={{ JSON.stringify(Array.from({ length: 3000 }, (_, i) => 'account ' + i + ' failed: quota exhausted, retry in 60s')) }}",
					options: { mention: '@here' },
				},
			},
		]);
		n8n.importWorkflow(wf);
		const result = await n8n.execute('AdOpsAlertLong01');
		assert.equal(result.status, 'success', JSON.stringify(result.error));
		const [out] = nodeOutput(result, 'Alert');
		assert.equal(out.json.truncated, true);
		assert.equal(out.json.blockCount, 50);
		const posted = slackPosts(sandbox).at(-1)!;
		const json = JSON.stringify(posted.blocks);
		assert.match(json, /truncated: \d+ more characters/);
		assert.match(json, /\d+ more items not shown/);
		assert.match(json, /<!here>/);
	});

	test('a channel the bot cannot post to, and a rejected token, fail with a message saying what to do', async () => {
		// v1 execution order runs branches top to bottom: the bad token's (above) first.
		const wf = alertWorkflow('AdOpsAlertBad001', 'AdOps: bad channel', [
			{
				name: 'Alert Bad Token',
				parameters: { operation: 'post', kind: 'info', title: 'hello', options: { retries: 0 } },
				position: [200, -200],
				credentials: { adOpsSlackApi: { id: 'adopsSlackBadTok', name: 'AdOps Slack (revoked)' } },
				onError: 'continueRegularOutput',
			},
			{ name: 'Alert', parameters: { operation: 'post', kind: 'info', title: 'hello', channel: '#no-such-channel', options: { retries: 0 } } },
		]);
		const before = slackPosts(sandbox).length;
		n8n.importWorkflow(wf);
		const result = await n8n.execute('AdOpsAlertBad001', { allowError: true });
		assert.equal(result.status, 'error');
		assert.equal(result.error?.node, 'Alert');
		assert.match(result.error?.message ?? '', /#no-such-channel.*channel_not_found.*invite the bot/);
		const [badToken] = nodeOutput(result, 'Alert Bad Token');
		assert.equal(badToken.json.ok, false);
		assert.match(String(badToken.json.error), /invalid_auth.*check the AdOps Slack credential/);
		assert.doesNotMatch(JSON.stringify(result.raw), /xoxb-not-a-real-token/, 'the token never appears in the execution data');
		assert.equal(slackPosts(sandbox).length, before, 'nothing was posted');
	});
});
