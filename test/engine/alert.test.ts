// AdOps Alert run in-process by n8n-core (test/engine/harness.ts) against the sandbox's Slack:
// each message source, a bad parameter naming itself and the item, Continue On Fail, paired items,
// and the bundled alert-demo.json and ingest-error.json from their start nodes.
import { test, describe, beforeAll, afterAll, expect } from 'vitest';
import { startEngine, type Engine } from './harness';
import { ALERTS, expectNodeError, expectPaired, json, pairs, slackMessages } from './expect';

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
