// AdOps Alert in real n8n 2.40.7 (installed from npm, this package installed
// like the community-node installer does), posting to the sandbox's Slack.
import { test, beforeAll, afterAll, describe } from 'vitest';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSandbox, sandboxN8nCredentials, type Sandbox } from '../../scripts/sandbox';
import { startN8n, nodeOutput, type N8nHost, type WorkflowInput } from '../helpers/n8n';

const CHANNEL_ID = 'C0ADOPSALR';

function apiMessages(sandbox: Sandbox) {
	const channel = sandbox.world.slack.channels.find((c) => c.id === CHANNEL_ID);
	assert.ok(channel, 'sandbox has the #adops-alerts channel');
	return channel.messages.filter((m) => m.viaApi);
}

function headerOf(message: { blocks?: unknown[] }): string {
	const header = (message.blocks ?? []).find((b) => (b as { type: string }).type === 'header') as { text: { text: string } } | undefined;
	return header?.text.text ?? '';
}

describe('AdOps Alert in real n8n', () => {
	let sandbox: Sandbox;
	let n8n: N8nHost;
	let storeDir: string;
	let demo: WorkflowInput;

	beforeAll(async () => {
		sandbox = await startSandbox({ seed: 11, today: '2026-03-02' });
		storeDir = await mkdtemp(join(tmpdir(), 'adops-e2e-store-'));
		n8n = await startN8n();
		await n8n.importCredentials([
			...sandboxN8nCredentials(sandbox, { backend: 'embedded', embeddedPath: storeDir }),
			{
				id: 'adopsSlackBadTok',
				name: 'AdOps Slack (revoked)',
				type: 'adOpsSlackApi',
				data: { botToken: 'xoxb-not-a-real-token', defaultChannel: '#adops-alerts', apiUrl: sandbox.urls.slack },
			},
		]);
		demo = JSON.parse(await readFile(join(__dirname, '..', '..', 'workflows', 'alert-demo.json'), 'utf8')) as WorkflowInput;
		await n8n.importWorkflow(demo);
	});

	afterAll(async () => {
		await n8n?.dispose();
		await sandbox?.close();
		if (storeDir) await rm(storeDir, { recursive: true, force: true });
	});

	test('workflows/alert-demo.json posts a Block Kit summary and a threaded follow-up', async () => {
		const result = await n8n.execute(demo.id as string);
		assert.equal(result.status, 'success', JSON.stringify(result.error));
		const [summary] = nodeOutput(result, 'Post Summary');
		const [followUp] = nodeOutput(result, 'Post Follow-up');
		assert.equal(summary.json.ok, true);
		assert.equal(summary.json.channel, CHANNEL_ID);

		const messages = apiMessages(sandbox);
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
		const threadParent = apiMessages(sandbox)[0].ts;
		sandbox.injectFault({ route: 'slack.postMessage', kind: '429', retryAfter: 1, count: 1 });
		const result = await n8n.execute(demo.id as string);
		assert.equal(result.status, 'success', JSON.stringify(result.error));
		const messages = apiMessages(sandbox);
		assert.equal(messages.length, 4, 'exactly two more messages: the 429 was retried, not duplicated');
		assert.equal(messages[2].threadTs, threadParent);
		assert.equal(messages[3].threadTs, threadParent);
		const limited = sandbox.requests({ route: 'slack.postMessage' }).filter((r) => r.status === 429);
		assert.equal(limited.length, 1);
	});

	test('an oversized alert is cut visibly and Slack accepts it', async () => {
		const wf: WorkflowInput = {
			id: 'AdOpsAlertLong01',
			name: 'AdOps: long alert',
			nodes: [
				{ parameters: {}, id: 'a1', name: 'Start', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 0] },
				{
					parameters: {
						operation: 'post',
						kind: 'failure',
						title: 'Ingest failed for many accounts',
						message: "={{ 'x'.repeat(9000) }}",
						items: "={{ JSON.stringify(Array.from({ length: 3000 }, (_, i) => 'account ' + i + ' failed: quota exhausted, retry in 60s')) }}",
						options: { mention: '@here' },
					},
					id: 'a2',
					name: 'Alert',
					type: 'n8n-nodes-adops.adOpsAlert',
					typeVersion: 1,
					position: [200, 0],
					credentials: { adOpsSlackApi: { id: 'adopsSlackCred01', name: 'AdOps Slack' } },
				},
			],
			connections: { Start: { main: [[{ node: 'Alert', type: 'main', index: 0 }]] } },
			settings: { executionOrder: 'v1' },
		};
		await n8n.importWorkflow(wf);
		const result = await n8n.execute('AdOpsAlertLong01');
		assert.equal(result.status, 'success', JSON.stringify(result.error));
		const [out] = nodeOutput(result, 'Alert');
		assert.equal(out.json.truncated, true);
		assert.equal(out.json.blockCount, 50);
		const posted = apiMessages(sandbox).at(-1)!;
		const json = JSON.stringify(posted.blocks);
		assert.match(json, /truncated: \d+ more characters/);
		assert.match(json, /\d+ more items not shown/);
		assert.match(json, /<!here>/);
	});

	test('a channel the bot cannot post to, and a rejected token, fail with a message saying what to do', async () => {
		const wf: WorkflowInput = {
			id: 'AdOpsAlertBad001',
			name: 'AdOps: bad channel',
			nodes: [
				{ parameters: {}, id: 'b1', name: 'Start', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 0] },
				{
					parameters: { operation: 'post', kind: 'info', title: 'hello', channel: '#no-such-channel', options: { retries: 0 } },
					id: 'b2',
					name: 'Alert',
					type: 'n8n-nodes-adops.adOpsAlert',
					typeVersion: 1,
					position: [200, 0],
					credentials: { adOpsSlackApi: { id: 'adopsSlackCred01', name: 'AdOps Slack' } },
				},
				{
					parameters: { operation: 'post', kind: 'info', title: 'hello', options: { retries: 0 } },
					id: 'b3',
					name: 'Alert Bad Token',
					type: 'n8n-nodes-adops.adOpsAlert',
					typeVersion: 1,
					// v1 execution order runs branches top to bottom: this one first.
					position: [200, -200],
					credentials: { adOpsSlackApi: { id: 'adopsSlackBadTok', name: 'AdOps Slack (revoked)' } },
					onError: 'continueRegularOutput',
				},
			],
			connections: { Start: { main: [[{ node: 'Alert Bad Token', type: 'main', index: 0 }, { node: 'Alert', type: 'main', index: 0 }]] } },
			settings: { executionOrder: 'v1' },
		};
		const before = apiMessages(sandbox).length;
		await n8n.importWorkflow(wf);
		const result = await n8n.execute('AdOpsAlertBad001', { allowError: true });
		assert.equal(result.status, 'error');
		assert.equal(result.error?.node, 'Alert');
		assert.match(result.error?.message ?? '', /#no-such-channel.*channel_not_found.*invite the bot/);
		const [badToken] = nodeOutput(result, 'Alert Bad Token');
		assert.equal(badToken.json.ok, false);
		assert.match(String(badToken.json.error), /invalid_auth.*check the AdOps Slack credential/);
		assert.doesNotMatch(JSON.stringify(result.raw), /xoxb-not-a-real-token/, 'the token never appears in the execution data');
		assert.equal(apiMessages(sandbox).length, before, 'nothing was posted');
	});
});
