// TikTok Ads in real n8n 2.40.7: the credential test through n8n's REST API (the editor's save-and-test):
// connected with the advertisers' names, a clear error for a bad token and for an advertiser the token
// may not read, no secret echoed. Issue 14's ingest (both advertisers to the cent through throttles, 5xx
// and malformed bodies; a rerun writes nothing) and optimizer runs (a pause and a budget change executed
// once; a lost answer is unknown, counted as applied, reconciled) are in test/engine/tiktok.test.ts.
import { test, beforeAll, afterAll, describe } from 'vitest';
import assert from 'node:assert/strict';
import { startSandbox, sandboxN8nCredentials, type AdAccount, type Sandbox } from '../../scripts/sandbox';
import { PLATFORM_REGISTRY } from '../../nodes/shared/platforms/registry';
import { startN8n, type N8nHost } from '../helpers/n8n';

const CREDENTIAL = PLATFORM_REGISTRY.tiktok.credentials[0].name;

type Advertiser = AdAccount<'tiktok'>;

describe('TikTok Ads end to end in real n8n', () => {
	let sandbox: Sandbox;
	let n8n: N8nHost;
	let US: Advertiser;
	let JP: Advertiser;

	beforeAll(async () => {
		sandbox = await startSandbox({ seed: 21 });
		US = sandbox.world.tiktok.advertisers.find((a) => a.currency === 'USD')!;
		JP = sandbox.world.tiktok.advertisers.find((a) => a.currency === 'JPY')!;
		n8n = await startN8n();
	});

	afterAll(async () => {
		await n8n?.dispose();
		await sandbox?.close();
	});

	describe("credential test through n8n's REST API", () => {
		const save = async (data: Record<string, unknown>, secrets: string[]) => {
			const rest = await n8n.rest();
			const name = `TikTok ${Math.random().toString(36).slice(2, 8)}`;
			const saved = await rest.data<{ id: string }>('POST', '/credentials', { name, type: CREDENTIAL, data });
			const answer = await rest.data<{ status: string; message: string }>('POST', '/credentials/test', { credentials: { id: saved.id, name, type: CREDENTIAL, data } });
			assert.doesNotMatch(answer.message, /\n\s+at /, 'no stack trace');
			for (const s of secrets) assert.ok(!answer.message.includes(s), `no secret echoed: ${answer.message}`);
			return answer;
		};
		let good: Record<string, unknown>;
		beforeAll(async () => {
			good = sandboxN8nCredentials(sandbox, {}).find((c) => c.type === CREDENTIAL)!.data;
			await n8n.start();
		});

		test('good token: connected, names each advertiser with its currency and time zone', async () => {
			const answer = await save(good, [sandbox.credentials.tiktok.accessToken]);
			assert.deepEqual(answer, { status: 'OK', message: `Connected: ${[US, JP].map((a) => `${a.name} (${a.id}, ${a.currency}, ${a.timezone})`).join('; ')}` });
		});

		test('bad token: TikTok code 40105, explained, the token not echoed', async () => {
			const wrong = 'tt-wrong-token-5f3a9c';
			const answer = await save({ ...good, accessToken: wrong }, [wrong, sandbox.credentials.tiktok.accessToken]);
			assert.equal(answer.status, 'Error');
			assert.match(answer.message, /TikTok rejected the access token/);
			assert.match(answer.message, /new long-term token/);
		});

		test('an advertiser the token may not read: named, with what to do', async () => {
			const answer = await save({ ...good, advertiserIds: '7019999999999' }, [sandbox.credentials.tiktok.accessToken]);
			assert.equal(answer.status, 'Error');
			assert.match(answer.message, /advertiser 7019999999999/);
			assert.match(answer.message, /authorise the app/);
		});
	});
});
