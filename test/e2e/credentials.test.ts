// Every AdOps credential's test inside real n8n 2.40.7, through the REST calls
// the editor's credential modal makes: save (`POST /rest/credentials`), then
// test (`POST /rest/credentials/test` with `{ credentials: { id, name, type, data } }`).
// n8n runs the `testedBy` method of a node that lists the credential type:
// Slack → AdOps Alert, Store → AdOps Alert / AdOps Ingest, Meta and Klaviyo →
// AdOps Ingest. One n8n server for the whole file.
//
// OAuth2 types (LinkedIn, Google Ads) are different in n8n 2.40.7: for a
// credential type that extends oAuth2Api and has no declarative `test`, n8n's
// CredentialsTester answers from the stored OAuth token alone (access token
// present → "Connection Successful!") without calling the node's method, and
// the editor offers no Test button for them (isCredentialTestable is false
// for OAuth types). The last block pins that behaviour.
import { test, beforeAll, afterAll, describe } from 'vitest';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { startSandbox, sandboxN8nCredentials, type Sandbox, type N8nCredential } from '../../scripts/sandbox';
import { freePort, type N8nRestClient } from '../../scripts/n8n-host/host';
import { startN8n, type N8nHost } from '../helpers/n8n';
import { skipWhen } from '../helpers/skip';

interface TestAnswer {
	status: 'OK' | 'Error';
	message: string;
}

describe("credential tests in real n8n (the editor's save-and-test)", () => {
	let sandbox: Sandbox;
	let n8n: N8nHost;
	let rest: N8nRestClient;
	let storeDir: string;
	/** An http URL on 127.0.0.1 where nothing listens: connections are refused. */
	let closedUrl: string;
	let good: Record<string, N8nCredential>;

	beforeAll(async () => {
		sandbox = await startSandbox({ seed: 7 });
		storeDir = await mkdtemp(join(tmpdir(), 'adops-e2e-cred-'));
		closedUrl = `http://127.0.0.1:${await freePort()}`;
		good = Object.fromEntries(sandboxN8nCredentials(sandbox, { backend: 'embedded', embeddedPath: join(storeDir, 'store') }).map((c) => [c.type, c]));
		n8n = await startN8n();
		await n8n.start();
		rest = await n8n.rest();
	});

	afterAll(async () => {
		await n8n?.dispose();
		await sandbox?.close();
		if (storeDir) await rm(storeDir, { recursive: true, force: true });
	});

	/**
	 * Saves the credential and tests it as the editor does. Every answer, good
	 * or bad: status OK or Error, no stack trace, none of `secrets` echoed.
	 */
	async function saveAndTest(type: string, data: Record<string, unknown>, secrets: readonly string[] = []): Promise<TestAnswer> {
		const name = `${type} ${randomBytes(3).toString('hex')}`;
		const saved = await rest.data<{ id: string; type: string }>('POST', '/credentials', { name, type, data });
		assert.ok(saved.id, 'n8n saved the credential');
		assert.equal(saved.type, type);
		const answer = await rest.data<TestAnswer>('POST', '/credentials/test', { credentials: { id: saved.id, name, type, data } });
		assert.ok(answer.status === 'OK' || answer.status === 'Error', `status OK or Error: ${JSON.stringify(answer)}`);
		assert.equal(typeof answer.message, 'string');
		assert.ok(answer.message.length > 0, 'a message');
		assert.doesNotMatch(answer.message, /\n\s+at /, 'no stack trace');
		for (const secret of secrets) assert.ok(!answer.message.includes(secret), `the message does not echo the secret "${secret.slice(0, 6)}…": ${answer.message}`);
		return answer;
	}

	function data(type: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
		const credential = good[type];
		assert.ok(credential, `the sandbox has a ${type} credential`);
		return { ...credential.data, ...overrides };
	}

	function accountNames(platform: string): string[] {
		return sandbox.world.accounts.filter((a) => a.platform === platform).map((a) => a.name);
	}

	test('the REST client is logged in as the owner', async () => {
		const me = await rest.data<{ email: string; role: string }>('GET', '/login');
		assert.equal(me.email, 'owner@adops.test');
		assert.match(me.role, /owner/);
	});

	describe('AdOps Slack API (testedBy adOpsSlackApiTest on AdOps Alert)', () => {
		const wrongToken = 'xoxb-1111-wrong-token-9999';

		test('good token: connected, names the workspace', async () => {
			const answer = await saveAndTest('adOpsSlackApi', data('adOpsSlackApi'), [sandbox.credentials.slack.botToken]);
			assert.deepEqual(answer, { status: 'OK', message: `Connected to Slack workspace "${sandbox.world.slack.teamName}" as adops` });
		});

		test('wrong token: Slack invalid_auth, explained', async () => {
			const answer = await saveAndTest('adOpsSlackApi', data('adOpsSlackApi', { botToken: wrongToken }), [wrongToken]);
			assert.equal(answer.status, 'Error');
			assert.match(answer.message, /^Slack rejected the bot token \(invalid_auth\): copy the Bot User OAuth Token/);
		});

		test('API URL with nothing listening: cannot reach it', async () => {
			const answer = await saveAndTest('adOpsSlackApi', data('adOpsSlackApi', { apiUrl: `${closedUrl}/api/` }), [sandbox.credentials.slack.botToken]);
			assert.equal(answer.status, 'Error');
			assert.equal(answer.message, `Cannot reach the Slack API at ${closedUrl}/api/auth.test (ECONNREFUSED): check API URL (default https://slack.com/api/) and the network`);
		});

		test('API URL that is not Slack: names the HTTP status', async () => {
			const notSlack = `${new URL(sandbox.urls.slack).origin}/not-slack/`;
			const answer = await saveAndTest('adOpsSlackApi', data('adOpsSlackApi', { apiUrl: notSlack }));
			assert.equal(answer.status, 'Error');
			assert.match(answer.message, /\/not-slack\/auth\.test answered HTTP 404: API URL does not point at Slack's Web API/);
		});
	});

	describe('AdOps Store (testedBy adOpsStoreConnectionTest)', () => {
		test('embedded: database ready', async () => {
			const answer = await saveAndTest('adOpsStoreApi', data('adOpsStoreApi'));
			assert.deepEqual(answer, { status: 'OK', message: `Embedded database ready at ${join(storeDir, 'store')}.` });
		});

		test('embedded path that is a file: says so', async () => {
			const file = join(storeDir, 'not-a-folder');
			await writeFile(file, 'x');
			const answer = await saveAndTest('adOpsStoreApi', { backend: 'embedded', embeddedPath: file });
			assert.deepEqual(answer, { status: 'Error', message: `${file} exists and is not a directory.` });
		});

		test('postgres with nothing listening: connection refused, password not echoed', async () => {
			const password = 'Pw-never-echoed-42';
			const hostPort = closedUrl.replace('http://', '');
			const answer = await saveAndTest('adOpsStoreApi', { backend: 'postgres', connectionString: `postgres://adops:${password}@${hostPort}/adops`, ssl: 'disable' }, [password]);
			assert.deepEqual(answer, { status: 'Error', message: `Cannot connect to ${hostPort}: connection refused. Check host and port, and that PostgreSQL is running.` });
		});

		test('supabase with nothing listening: cannot reach the URL, key not echoed', async () => {
			const key = 'sb_secret_never_echoed_0123456789';
			const answer = await saveAndTest('adOpsStoreApi', { backend: 'supabase', supabaseUrl: closedUrl, serviceRoleKey: key }, [key]);
			assert.equal(answer.status, 'Error');
			assert.match(answer.message, new RegExp(`^Cannot reach ${closedUrl.replace(/\./g, '\\.')}: `));
		});

		test('postgres at DATABASE_URL: connected', { ...skipWhen(!process.env.DATABASE_URL && 'DATABASE_URL is not set') }, async () => {
			const answer = await saveAndTest('adOpsStoreApi', { backend: 'postgres', connectionString: process.env.DATABASE_URL, ssl: 'disable' });
			assert.equal(answer.status, 'OK', answer.message);
			assert.match(answer.message, /^Connected \(PostgreSQL \d+[.\d]*.*, schema public\)/);
		});
	});

	describe('AdOps Meta Ads API (testedBy adOpsMetaAdsApiTest on AdOps Ingest)', () => {
		const wrongToken = 'EAAGwrong0token0never0echoed';

		test('good token: connected, names every ad account', async () => {
			const answer = await saveAndTest('adOpsMetaAdsApi', data('adOpsMetaAdsApi'), [sandbox.credentials.meta.accessToken, sandbox.credentials.meta.appSecret]);
			assert.equal(answer.status, 'OK', answer.message);
			assert.match(answer.message, /^Connected: /);
			const names = accountNames('meta');
			assert.ok(names.length >= 2);
			for (const name of names) assert.ok(answer.message.includes(name), `names ${name}: ${answer.message}`);
		});

		test('wrong token: code 190 with what to do', async () => {
			const answer = await saveAndTest('adOpsMetaAdsApi', data('adOpsMetaAdsApi', { accessToken: wrongToken }), [wrongToken]);
			assert.equal(answer.status, 'Error');
			assert.match(answer.message, /\[code 190\]/);
			assert.match(answer.message, /the access token expired or was revoked: generate a new one/);
		});

		test('base URL with nothing listening: could not reach it', async () => {
			const answer = await saveAndTest('adOpsMetaAdsApi', data('adOpsMetaAdsApi', { baseUrl: closedUrl }), [sandbox.credentials.meta.accessToken]);
			assert.equal(answer.status, 'Error');
			assert.match(answer.message, /ECONNREFUSED/);
			assert.ok(answer.message.includes(`could not reach ${closedUrl}: check the API base URL`), answer.message);
		});

		test('no ad account ids: asks for one', async () => {
			const answer = await saveAndTest('adOpsMetaAdsApi', data('adOpsMetaAdsApi', { adAccountIds: '' }));
			assert.deepEqual(answer, { status: 'Error', message: 'Add at least one account ID to the credential, so the test can read it.' });
		});
	});

	describe('AdOps Klaviyo API (testedBy adOpsKlaviyoApiTest on AdOps Ingest)', () => {
		const wrongKey = 'pk_wrong_key_never_echoed_0000';

		test('good key: connected, names the account', async () => {
			const answer = await saveAndTest('adOpsKlaviyoApi', data('adOpsKlaviyoApi'), [sandbox.credentials.klaviyo.apiKey]);
			assert.equal(answer.status, 'OK', answer.message);
			assert.match(answer.message, /^Connected: .+ \([^,]+, [A-Z]{3}, [A-Za-z_]+\/[A-Za-z_]+\)$/);
		});

		test('wrong key: HTTP 401 with what to do', async () => {
			const answer = await saveAndTest('adOpsKlaviyoApi', data('adOpsKlaviyoApi', { apiKey: wrongKey }), [wrongKey]);
			assert.equal(answer.status, 'Error');
			assert.match(answer.message, /HTTP 401/);
			assert.match(answer.message, /Klaviyo rejected the private API key: create a new private key/);
		});

		test('base URL with nothing listening: could not reach it', async () => {
			const answer = await saveAndTest('adOpsKlaviyoApi', data('adOpsKlaviyoApi', { baseUrl: closedUrl }), [sandbox.credentials.klaviyo.apiKey]);
			assert.equal(answer.status, 'Error');
			assert.ok(answer.message.includes(`could not reach ${closedUrl}: check the API base URL`), answer.message);
		});
	});

	describe('AdOps Notion API (testedBy adOpsNotionApiTest on AdOps Approval)', () => {
		const wrongToken = 'ntn_wrong_token_never_echoed_000';

		test('the approval database id: its data source is found and has every property', async () => {
			const answer = await saveAndTest('adOpsNotionApi', data('adOpsNotionApi'), [sandbox.credentials.notion.token]);
			assert.equal(answer.status, 'OK', answer.message);
			assert.match(answer.message, new RegExp(`^Approval data source ${sandbox.world.notion.approvalDataSourceId} has every property the queue needs$`));
		});

		test('wrong token: rejected, explained, not echoed', async () => {
			const answer = await saveAndTest('adOpsNotionApi', data('adOpsNotionApi', { token: wrongToken }), [wrongToken]);
			assert.deepEqual(answer, { status: 'Error', message: 'Notion rejected the integration token (401): copy the Internal Integration Secret again' });
		});

		test('an id Notion does not know: says to check it and share the database', async () => {
			const answer = await saveAndTest('adOpsNotionApi', data('adOpsNotionApi', { dataSourceId: '00000000-0000-4000-8000-0000000000aa' }));
			assert.equal(answer.status, 'Error');
			assert.match(answer.message, /no data source or database 00000000-0000-4000-8000-0000000000aa .*share the database with the integration/);
		});

		test('API URL with nothing listening: cannot reach it', async () => {
			const answer = await saveAndTest('adOpsNotionApi', data('adOpsNotionApi', { baseUrl: closedUrl }), [sandbox.credentials.notion.token]);
			assert.equal(answer.status, 'Error');
			assert.ok(answer.message.startsWith(`Cannot reach the Notion API at ${closedUrl}`), answer.message);
		});
	});

	describe('AdOps OpenAI API (testedBy adOpsOpenAiApiTest on AdOps Creative)', () => {
		test('a working key with both models', async () => {
			const answer = await saveAndTest('adOpsOpenAiApi', data('adOpsOpenAiApi'), [sandbox.credentials.openai.apiKey]);
			assert.deepEqual(answer, { status: 'OK', message: 'Connected; gpt-4o-mini and text-embedding-3-small are available' });
		});

		test('wrong key, and a model the key cannot use: each explained, the key never echoed', async () => {
			const wrong = await saveAndTest('adOpsOpenAiApi', data('adOpsOpenAiApi', { apiKey: 'sk-wrong-never-echoed' }), ['sk-wrong-never-echoed']);
			assert.deepEqual(wrong, { status: 'Error', message: 'OpenAI rejected the API key (401): create a new key and paste it again' });
			const model = await saveAndTest('adOpsOpenAiApi', data('adOpsOpenAiApi', { chatModel: 'gpt-imaginary' }), [sandbox.credentials.openai.apiKey]);
			assert.equal(model.status, 'Error');
			assert.match(model.message, /cannot use gpt-imaginary/);
		});
	});

	describe('OAuth2 types: n8n answers from the OAuth token, not the node method', () => {
		test('LinkedIn with a wrong access token and an unreachable URL still answers OK', async () => {
			const answer = await saveAndTest(
				'adOpsLinkedInAdsOAuth2Api',
				data('adOpsLinkedInAdsOAuth2Api', { oauthTokenData: { access_token: 'AQVwrong-never-echoed' }, baseUrl: closedUrl }),
				['AQVwrong-never-echoed'],
			);
			// n8n does not call a node's test method for OAuth2 types: the connect flow is the check.
			assert.deepEqual(answer, { status: 'OK', message: 'Connection Successful!' });
		});

		test('Google Ads with a good refresh token but no access token yet answers "not connected"', async () => {
			const answer = await saveAndTest('adOpsGoogleAdsOAuth2Api', data('adOpsGoogleAdsOAuth2Api'), [sandbox.credentials.googleAds.refreshToken]);
			assert.deepEqual(answer, { status: 'Error', message: 'This OAuth2 credential was not connected to an account.' });
		});
	});
});
