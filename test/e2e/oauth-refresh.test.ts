// LinkedIn's access token expires; in real n8n (2.40.7, CLI executions on one database) AdOps Ingest gets it
// renewed through n8n's own OAuth2 helper: the first run finds the stored token refused, n8n exchanges the
// refresh token at the credential's Access Token URL (the sandbox's LinkedIn token endpoint) and stores the new
// token; the next run, another process, uses the stored token and renews nothing.
import { test, beforeAll, afterAll, describe } from 'vitest';
import assert from 'node:assert/strict';
import { startSandbox, sandboxN8nCredentials, type Sandbox } from '../../scripts/sandbox';
import type { IngestOutcome } from '../../nodes/shared/ingest';
import { testStore } from '../helpers/store';
import { startN8n, nodeOutput, type N8nHost, type WorkflowInput } from '../helpers/n8n';

describe('an expired LinkedIn token is renewed by n8n in real n8n', () => {
	let sandbox: Sandbox;
	let n8n: N8nHost;
	let cleanup: () => Promise<void> = async () => undefined;
	let workflow: WorkflowInput;

	beforeAll(async () => {
		sandbox = await startSandbox({ seed: 21 });
		const ts = await testStore('adops-e2e-oauth');
		cleanup = ts.cleanup;
		const credentials = sandboxN8nCredentials(sandbox, ts.credential);
		const linkedin = credentials.find((c) => c.type === 'adOpsLinkedInAdsOAuth2Api')!;
		linkedin.data.oauthTokenData = { ...(linkedin.data.oauthTokenData as Record<string, unknown>), access_token: 'AQVexpired-sandbox-token' };
		const store = credentials.find((c) => c.type === 'adOpsStoreApi')!;
		const account = sandbox.world.accounts.find((a) => a.platform === 'linkedin')!;
		workflow = {
			id: 'AdOpsOAuthRefresh1',
			name: 'AdOps: LinkedIn token renewal',
			nodes: [
				{ id: 'trigger', name: 'Run Now', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 0], parameters: {} },
				{
					id: 'ingest',
					name: 'Ingest LinkedIn',
					type: 'n8n-nodes-adops.adOpsIngest',
					typeVersion: 2,
					position: [220, 0],
					parameters: { operation: 'ingest', platform: 'linkedin', accounts: { __rl: true, mode: 'list', value: account.id }, reportingCurrency: account.currency, lookbackDays: 1, initialBackfillDays: 2, options: { failOnAccountError: true } },
					credentials: { adOpsStoreApi: { id: store.id, name: store.name }, adOpsLinkedInAdsOAuth2Api: { id: linkedin.id, name: linkedin.name } },
				},
			],
			connections: { 'Run Now': { main: [[{ node: 'Ingest LinkedIn', type: 'main', index: 0 }]] } },
			settings: {},
		};
		n8n = await startN8n();
		await n8n.importCredentials(credentials);
		await n8n.importWorkflows([workflow]);
	});

	afterAll(async () => {
		await n8n?.dispose();
		await sandbox?.close();
		await cleanup();
	});

	test('the first run renews the token once, the next run uses the stored one', async () => {
		const tokenCalls = () => sandbox.requests({ route: 'linkedin.accessToken' }).length;
		const first = await n8n.execute(workflow.id as string);
		assert.equal(first.status, 'success', JSON.stringify(first.error));
		const outcome = nodeOutput(first, 'Ingest LinkedIn').map((i) => i.json as unknown as IngestOutcome);
		assert.deepEqual(outcome.map((o) => o.status), ['success']);
		assert.equal(tokenCalls(), 1, 'one refresh-token exchange');
		const refused = sandbox.requests({ route: 'linkedin.accounts' }).filter((r) => r.status === 401).length;
		assert.equal(refused, 1, 'the expired token was refused once, then the call was repeated with the new one');

		const second = await n8n.execute(workflow.id as string);
		assert.equal(second.status, 'success', JSON.stringify(second.error));
		assert.equal(tokenCalls(), 1, 'n8n stored the renewed token: nothing to renew');
	});
});
