// workflows/ingest.json in real n8n 2.40.7 against the sandbox and the store
// (PostgreSQL when DATABASE_URL is set, as in CI; PGlite otherwise): what needs the CLI, a published
// workflow that fails calling its published error workflow (ingest-error.json). The Run Now runs (first
// load to the cent, an unchanged rerun, a run through faults) are in test/engine/ingest-runs.test.ts.
import { test, beforeAll, afterAll, describe } from 'vitest';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startSandbox, sandboxN8nCredentials, type Sandbox } from '../../scripts/sandbox';
import { testStore } from '../helpers/store';
import { startN8n, type N8nHost, type WorkflowInput } from '../helpers/n8n';

const ALERTS = 'C0ADOPSALR';

describe('workflows/ingest.json in real n8n', () => {
	let sandbox: Sandbox;
	let n8n: N8nHost;
	let storeCredential: Record<string, unknown>;
	let workflow: WorkflowInput;
	let cleanup: () => Promise<void> = async () => undefined;

	function slackMessages() {
		return sandbox.world.slack.channels.find((c) => c.id === ALERTS)!.messages.filter((m) => m.viaApi);
	}

	beforeAll(async () => {
		sandbox = await startSandbox({ seed: 21 });
		const ts = await testStore('adops-e2e-ingest');
		storeCredential = ts.credential;
		cleanup = ts.cleanup;
		n8n = await startN8n();
		await n8n.importCredentials(sandboxN8nCredentials(sandbox, storeCredential));
		workflow = JSON.parse(await readFile(join(__dirname, '..', '..', 'workflows', 'ingest.json'), 'utf8')) as WorkflowInput;
		const errorWorkflow = JSON.parse(await readFile(join(__dirname, '..', '..', 'workflows', 'ingest-error.json'), 'utf8')) as WorkflowInput;
		await n8n.importWorkflows([errorWorkflow, workflow]);
	});

	afterAll(async () => {
		await n8n?.dispose();
		await sandbox?.close();
		await cleanup();
	});

	test('a failing run triggers ingest-error.json, which alerts Slack', async () => {
		// The same workflow, scheduled every few seconds and pointed at a store that cannot be reached.
		const failing = structuredClone(workflow);
		failing.id = 'AdOpsIngestFail1';
		failing.name = 'AdOps: daily ingest (broken store)';
		for (const node of failing.nodes as Array<{ type: string; parameters: Record<string, unknown>; credentials?: Record<string, { id: string; name: string }> }>) {
			if (node.type === 'n8n-nodes-base.scheduleTrigger') node.parameters = { rule: { interval: [{ field: 'seconds', secondsInterval: 5 }] } };
			if (node.credentials?.adOpsStoreApi) node.credentials.adOpsStoreApi = { id: 'adopsStoreBroken1', name: 'AdOps Store (unreachable)' };
		}
		await n8n.importCredentials([{ id: 'adopsStoreBroken1', name: 'AdOps Store (unreachable)', type: 'adOpsStoreApi', data: { backend: 'postgres', connectionString: 'postgres://adops:secret@127.0.0.1:1/adops', ssl: 'disable' } }]);
		await n8n.importWorkflow(failing);
		await n8n.publishWorkflow(failing.id as string);
		// n8n 2.x only calls a published error workflow.
		await n8n.publishWorkflow('AdOpsIngestErr01');
		const before = slackMessages().length;
		await n8n.start();
		let log = '';
		try {
			const deadline = Date.now() + 60_000;
			while (Date.now() < deadline && !slackMessages().slice(before).some((m) => /Workflow failed/.test(JSON.stringify(m.blocks)))) {
				await new Promise((r) => setTimeout(r, 500));
			}
		} finally {
			log = n8n.serverLog();
			await n8n.stop();
		}
		const failure = slackMessages().slice(before).find((m) => /Workflow failed/.test(JSON.stringify(m.blocks)));
		assert.ok(failure, `the error workflow posted to Slack; n8n said:\n${log.split('\n').slice(-40).join('\n')}`);
		const text = JSON.stringify(failure.blocks);
		assert.match(text, /Failure: Workflow failed: AdOps: daily ingest \(broken store\)/);
		assert.match(text, /AdOps Store: Cannot connect to 127\.0\.0\.1:1: connection refused/);
		assert.match(text, /<!here>/);
		assert.doesNotMatch(text, /secret/, 'no password in the alert');
	});
});
