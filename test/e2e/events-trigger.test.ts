// The AdOps Events Trigger in real n8n 2.40.7: a published workflow whose
// trigger takes signed posts of 1,000 events (E2E_EVENTS, default 20,000;
// the full run is E2E_EVENTS=100000) with 5 % duplicates and 2 %
// malformed; every valid event stored once, the malformed quarantined with
// reasons, the answers' counts equal the store; forged and unsigned posts
// 401 and nothing stored; no raw e-mail or phone in the store, no raw e-mail
// in n8n's log (the answers, which become the output item, are scanned for
// both in test/contract/events-store.test.ts).
// Store: PostgreSQL when DATABASE_URL is set, PGlite otherwise (read after n8n stops).
import { afterAll, beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { availableParallelism, loadavg } from 'node:os';
import { signBody, type IngestAnswer } from '../../nodes/shared/events';
import { startN8n, type N8nHost, type WorkflowInput } from '../helpers/n8n';
import { testStore, type TestStore } from '../helpers/store';
import { withStore } from '../helpers/with-store';
import { generateEventPosts } from '../helpers/marketing-events';

const TOTAL = Number(process.env.E2E_EVENTS ?? 20_000);
const SECRET = 'e2e-events-secret-0123456789abcdef';
const WEBHOOK_ID = 'adops-events-e2e-0001';

describe('AdOps Events Trigger in real n8n', () => {
	let n8n: N8nHost;
	let ts: TestStore;
	let url = '';
	const data = generateEventPosts(TOTAL, 1_000, 100);
	const answers: IngestAnswer[] = [];
	const times: number[] = [];
	let retries = 0;

	beforeAll(async () => {
		ts = await testStore('adops-e2e-events');
		const workflow = {
			id: 'AdOpsEventsE2E01',
			name: 'e2e events',
			nodes: [
				{
					parameters: { source: 'shop', options: {} },
					name: 'Events',
					type: 'n8n-nodes-adops.adOpsEventsTrigger',
					typeVersion: 1,
					position: [0, 0],
					webhookId: WEBHOOK_ID,
					credentials: { adOpsEventsApi: { id: 'adopsEventsCred01', name: 'AdOps Events' }, adOpsStoreApi: { id: 'adopsStoreCred01', name: 'AdOps Store' } },
				},
			],
			connections: {},
			settings: { executionOrder: 'v1' },
		} as unknown as WorkflowInput;
		n8n = await startN8n();
		await n8n.importCredentials([
			{ id: 'adopsStoreCred01', name: 'AdOps Store', type: 'adOpsStoreApi', data: ts.credential },
			{ id: 'adopsEventsCred01', name: 'AdOps Events', type: 'adOpsEventsApi', data: { authMode: 'hmac', secret: SECRET } },
		]);
		await n8n.importWorkflows([workflow]);
		await n8n.publishWorkflow(workflow.id as string);
		await n8n.start();
		url = `${n8n.url}/webhook/${WEBHOOK_ID}/adops-events`;
	}, 900_000);

	afterAll(async () => {
		await n8n?.dispose();
		await ts?.cleanup();
	});

	const post = (body: string, headers: Record<string, string>) => fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });

	test('forged and unsigned posts get 401', async () => {
		const body = JSON.stringify(data.posts[0]);
		for (const headers of [{}, { 'x-adops-signature': signBody('guessed-secret-xxxxxxxx', body) }, { 'x-adops-secret': SECRET }] as Record<string, string>[]) {
			const res = await post(body, headers);
			assert.equal(res.status, 401, n8n.serverLog(20));
			assert.deepEqual(await res.json(), { error: 'Unauthorized' });
		}
	});

	test(`${TOTAL.toLocaleString('en-US')} events in signed posts of 1,000: counts answered, duplicates once, malformed quarantined`, { timeout: 1_800_000 }, async () => {
		for (const events of data.posts) {
			const body = JSON.stringify(events);
			const started = performance.now();
			let res = await post(body, { 'x-adops-signature': `sha256=${signBody(SECRET, body)}` });
			// n8n answers 503 "Database is not ready" before any node runs when its own database check is slow
			// (seen under heavy load); a sender retries, and the retry is safe either way
			for (let retry = 0; res.status === 503 && retry < 5; retry++) {
				retries++;
				await new Promise((r) => setTimeout(r, 2000));
				res = await post(body, { 'x-adops-signature': `sha256=${signBody(SECRET, body)}` });
			}
			const answer = (await res.json()) as IngestAnswer;
			times.push(performance.now() - started);
			assert.equal(res.status, 200, JSON.stringify(answer));
			answers.push(answer);
		}
		const sum = (k: keyof IngestAnswer) => answers.reduce((s, a) => s + (a[k] as number), 0);
		assert.equal(sum('received'), TOTAL);
		assert.equal(sum('stored'), data.validIds.size);
		assert.equal(sum('duplicates'), data.duplicates);
		assert.equal(sum('quarantined'), data.malformed);
		const sorted = [...times].sort((a, b) => a - b);
		const median = sorted[Math.floor(sorted.length / 2)];
		console.log(`real n8n (${ts.config.kind}): ${answers.length} posts of 1,000 events, median ${median.toFixed(0)} ms, slowest ${sorted[sorted.length - 1].toFixed(0)} ms (${Math.round(1000 / (median / 1000))} events/s, ${retries} posts retried after n8n's 503); load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
		// the bar (a 1,000-event batch acknowledged within a second) holds where the machine is not overloaded
		const cores = availableParallelism();
		if (loadavg()[0] / cores < 1) assert.ok(median < 1000, `median post of 1,000 events took ${median.toFixed(0)} ms in real n8n (load ${loadavg()[0].toFixed(1)} on ${cores} cores)`);
		const log = n8n.serverLog(5000).toLowerCase();
		for (const email of data.emails.slice(0, 2000)) assert.ok(!log.includes(email.toLowerCase()), 'no e-mail address in the n8n log');
		// PGlite is single-process: read the store once n8n has stopped
		await n8n.stop();
		await withStore(ts.config, async (store) => {
			const events = await store.select('marketing_events');
			const quarantine = await store.select('event_quarantine');
			assert.equal(events.length, data.validIds.size);
			assert.equal(new Set(events.map((e) => e.event_id)).size, events.length);
			assert.equal(quarantine.length, data.malformed);
			// every e-mail-like token and digit run in the stored rows, checked against what was posted
			const stored = JSON.stringify([events, quarantine]).toLowerCase();
			const emails = new Set(data.emails.map((e) => e.toLowerCase()));
			const phones = new Set(data.phones.map((p) => p.replace(/\D/g, '')));
			const leaked = (stored.match(/[^\s@"',;:<>()[\]{}\\]+@[^\s@"',;:<>()[\]{}\\]+/g) ?? []).filter((m) => emails.has(m));
			for (const run of stored.match(/\d{8,}/g) ?? []) for (let i = 0; i + 12 <= run.length; i++) if (phones.has(run.slice(i, i + 12))) leaked.push('a phone number');
			assert.deepEqual(leaked, [], 'no raw e-mail address or phone number in the store');
			assert.ok([...emails].some((e) => JSON.stringify(data.posts).toLowerCase().includes(e)), 'the check looks for what was posted');
		});
	});
});
