// LinkedIn's and Google Ads' access tokens expire; in real n8n (2.40.7, CLI executions on one database) AdOps
// Ingest gets them renewed through n8n's own OAuth2 helper: the first run finds the stored token refused, n8n
// exchanges the refresh token at the credential's Access Token URL (the sandbox's LinkedIn or Google token
// endpoint) and stores the new token; the next run, another process, uses the stored token and renews nothing.
// Google Ads' adapter used to exchange the refresh token itself in every process: it now takes n8n's token over.
import { test, beforeAll, afterAll, describe } from 'vitest';
import assert from 'node:assert/strict';
import { startSandbox, sandboxN8nCredentials, type Sandbox } from '../../scripts/sandbox';
import type { IngestOutcome } from '../../nodes/shared/ingest';
import { testStore } from '../helpers/store';
import { startN8n, nodeOutput, type N8nHost, type WorkflowInput } from '../helpers/n8n';

describe('expired OAuth2 access tokens (LinkedIn, Google Ads) are renewed by n8n in real n8n', () => {
	let sandbox: Sandbox;
	let n8n: N8nHost;
	let cleanup: () => Promise<void> = async () => undefined;
	const workflows: Record<'linkedin' | 'google_ads', WorkflowInput> = {} as never;

	beforeAll(async () => {
		sandbox = await startSandbox({ seed: 21 });
		const ts = await testStore('adops-e2e-oauth');
		cleanup = ts.cleanup;
		const credentials = sandboxN8nCredentials(sandbox, ts.credential);
		const store = credentials.find((c) => c.type === 'adOpsStoreApi')!;
		/** Run Now → Ingest of one account of the platform, with the credential's stored access token replaced by a stale one. */
		const ingest = (platform: 'linkedin' | 'google_ads', type: string, staleToken: string, id: string): WorkflowInput => {
			const credential = credentials.find((c) => c.type === type)!;
			credential.data.oauthTokenData = { ...(credential.data.oauthTokenData as Record<string, unknown>), access_token: staleToken };
			const account = sandbox.world.accounts.find((a) => a.platform === (platform === 'google_ads' ? 'google' : platform))!;
			return {
				id,
				name: `AdOps: ${platform} token renewal`,
				nodes: [
					{ id: 'trigger', name: 'Run Now', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 0], parameters: {} },
					{
						id: 'ingest',
						name: 'Ingest',
						type: 'n8n-nodes-adops.adOpsIngest',
						typeVersion: 2,
						position: [220, 0],
						parameters: { operation: 'ingest', platform, accounts: { __rl: true, mode: 'list', value: account.id }, reportingCurrency: account.currency, lookbackDays: 1, initialBackfillDays: 2, options: { failOnAccountError: true } },
						credentials: { adOpsStoreApi: { id: store.id, name: store.name }, [type]: { id: credential.id, name: credential.name } },
					},
				],
				connections: { 'Run Now': { main: [[{ node: 'Ingest', type: 'main', index: 0 }]] } },
				settings: {},
			};
		};
		workflows.linkedin = ingest('linkedin', 'adOpsLinkedInAdsOAuth2Api', 'AQVexpired-sandbox-token', 'AdOpsOAuthRefresh1');
		// not one the sandbox's token endpoint issued (or one past its hour): Google Ads answers 401 UNAUTHENTICATED
		workflows.google_ads = ingest('google_ads', 'adOpsGoogleAdsOAuth2Api', 'ya29.sandbox.expired-token', 'AdOpsOAuthRefresh2');
		n8n = await startN8n();
		await n8n.importCredentials(credentials);
		await n8n.importWorkflows(Object.values(workflows));
	});

	afterAll(async () => {
		await n8n?.dispose();
		await sandbox?.close();
		await cleanup();
	});

	const ingested = async (id: string): Promise<string[]> => {
		const run = await n8n.execute(id);
		assert.equal(run.status, 'success', JSON.stringify(run.error));
		return nodeOutput(run, 'Ingest').map((i) => (i.json as unknown as IngestOutcome).status);
	};

	test('LinkedIn: the first run renews the token once, the next run uses the stored one', async () => {
		const tokenCalls = () => sandbox.requests({ route: 'linkedin.accessToken' }).length;
		assert.deepEqual(await ingested(workflows.linkedin.id as string), ['success']);
		assert.equal(tokenCalls(), 1, 'one refresh-token exchange');
		const refused = sandbox.requests({ route: 'linkedin.accounts' }).filter((r) => r.status === 401).length;
		assert.equal(refused, 1, 'the expired token was refused once, then the call was repeated with the new one');

		assert.deepEqual(await ingested(workflows.linkedin.id as string), ['success']);
		assert.equal(tokenCalls(), 1, 'n8n stored the renewed token: nothing to renew');
	});

	test('Google Ads: the first run renews the token once through n8n, the adapter uses it, the next run exchanges nothing', async () => {
		const tokenCalls = () => sandbox.requests({ route: 'googleoauth.token' }).length;
		const refused = () => sandbox.requests({ platform: 'googleads' }).filter((r) => r.status === 401).length;
		assert.deepEqual(await ingested(workflows.google_ads.id as string), ['success']);
		assert.equal(tokenCalls(), 1, 'one refresh-token exchange (n8n\'s), none by the adapter');
		assert.equal(refused(), 1, 'the expired token was refused once (the check through n8n), then every call carried the new one');
		assert.ok(sandbox.requests({ route: 'googleads.searchStream' }).length > 0, 'the ingest read the account');

		assert.deepEqual(await ingested(workflows.google_ads.id as string), ['success']);
		assert.equal(tokenCalls(), 1, 'n8n stored the renewed token and the adapter took it over: no exchange in the second process');
		assert.equal(refused(), 1, 'nothing refused');
	});
});
