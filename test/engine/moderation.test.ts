// AdOps Moderation run in-process by n8n-core against the sandbox's Meta comments (and OpenAI, Notion)
// and the store: Poll Comments and Moderate; Live Mode, Limit and Policy reaching the core; bad
// parameters with the item index; Continue On Fail; paired items; and workflows/moderation.json from
// Run Now with its item counts.
import { test, describe, beforeAll, afterAll, expect, onTestFinished } from 'vitest';
import type { INodeExecutionData } from 'n8n-workflow';
import { startEngine, type Engine } from './harness';
import { expectNodeError, expectPaired, json, pairs, slackMessages } from './expect';

describe('AdOps Moderation on n8n-core', () => {
	let engine: Engine;
	let creds: Record<string, { id: string; name: string }>;
	let polled: Array<Record<string, unknown>> = [];
	const moderatedIds = new Set<unknown>();
	const node = (parameters: Record<string, unknown>, credentials = creds) => ({ name: 'Moderation', type: 'adOpsModeration', parameters, credentials });
	const effects = () => engine.sandbox.requests().filter((r) => r.method === 'POST' || r.method === 'DELETE').filter((r) => /^meta\./.test(r.route) && /comment|hide|repl/i.test(r.route));
	beforeAll(async () => {
		engine = await startEngine({ seed: 7 });
		creds = { ...engine.credentialRef('adOpsStoreApi'), ...engine.credentialRef('adOpsMetaAdsApi') };
	});
	afterAll(async () => {
		await engine?.close();
	});

	test('workflows/moderation.json (Run Now): every polled comment moderated in dry run; Slack gets one digest of the run, not one alert per comment or approval request; no Notion card; a second dry run announces nothing again', async () => {
		// An engine of its own: every comment of its world is new to its store.
		const engine = await startEngine({ seed: 8 });
		onTestFinished(() => engine.close());
		const before = slackMessages(engine).length;
		const pagesBefore = engine.sandbox.world.notion.pages.length;
		const run = await engine.run('moderation.json');
		expect(run.status, run.error?.message).toBe('success');
		const polled = run.items('Poll Comments').length;
		const moderated = json(run.items('Moderate'));
		const comments = moderated.filter((o) => o.commentId);
		expect(polled).toBeGreaterThan(0);
		expect(comments.length).toBeGreaterThanOrEqual(polled);
		expect(comments.every((c) => c.dryRun === true)).toBe(true);
		expect(run.items('Moderation Alert')).toHaveLength(moderated.length);
		expectPaired(run);
		const posted = json(run.items('Moderation Alert')).filter((o) => o.ok && !o.skipped).length;
		expect(slackMessages(engine).length - before).toBe(posted);
		// One digest (the last item) says what the dry run classified and would do; the comments carry no alert of their own.
		expect(comments.every((c) => c.alert === null)).toBe(true);
		const digests = moderated.filter((o) => o.digest === true);
		expect(digests).toHaveLength(1);
		expect((digests[0]!.alert as { title: string }).title).toMatch(new RegExp(`^Comment moderation: ${comments.length} comment\\(s\\) classified`));
		// its approval requests (replies, escalations) are items without an alert, counted in the digest; a dry run creates no Notion card
		const requests = moderated.filter((o) => !o.commentId && o.digest !== true);
		expect(requests.every((o) => o.alert === null && o.proposal && o.type === undefined)).toBe(true);
		expect(moderated.at(-1)!.digest, 'the digest is the last item').toBe(true);
		expect(requests.length).toBeGreaterThan(0);
		expect((digests[0]!.alert as { message: string }).message).toContain(`A live run would ask a person about ${requests.length} of them`);
		expect(engine.sandbox.world.notion.pages.length - pagesBefore, 'Notion pages made by the dry run').toBe(0);
		expect(posted).toBe(1);

		// The next scheduled dry run (same comments, same day): nothing new to announce, no card
		const again = await engine.run('moderation.json');
		expect(again.status, again.error?.message).toBe('success');
		expect(slackMessages(engine).length - before, 'Slack messages after two dry runs').toBe(1);
		expect(engine.sandbox.world.notion.pages.length - pagesBefore, 'Notion pages after two dry runs').toBe(0);
	});

	test('poll comments, then moderate with Limit in dry run: one item per comment, paired, nothing done on Meta', async () => {
		const poll = await engine.runNode(node({ operation: 'pollComments' }));
		expect(poll.status, poll.error?.message).toBe('success');
		const comments = json(poll.items('Moderation'));
		polled = comments;
		expect(comments.length).toBeGreaterThan(6);
		expect(comments.every((c) => typeof c.itemId === 'string' && c.platform === 'meta')).toBe(true);
		expectPaired(poll);

		const before = effects().length;
		const run = await engine.runNode(node({ operation: 'moderate', live: false, brandVoice: 'Warm and short', moderateOptions: { limit: 3 } }));
		expect(run.status, run.error?.message).toBe('success');
		const out = json(run.items('Moderation')).filter((o) => o.commentId);
		expect(out).toHaveLength(3);
		for (const o of out) moderatedIds.add(o.itemId);
		expect(out.every((o) => o.dryRun === true && o.classification)).toBe(true);
		expectPaired(run);
		expect(effects().length).toBe(before);
	});

	let named: { waiting: Array<Record<string, unknown>>; items: INodeExecutionData[] } | undefined;
	test('moderate with input items: every comment the input names is moderated, every item paired', async () => {
		// Three polled comments the Limit above left waiting (which three it took depends on the store's order).
		const waiting = polled.filter((c) => !moderatedIds.has(c.itemId)).slice(0, 3);
		expect(waiting).toHaveLength(3);
		const run = await engine.runNode(node({ operation: 'moderate', live: false, brandVoice: 'Warm and short', moderateOptions: {} }), waiting);
		expect(run.status, run.error?.message).toBe('success');
		const items = run.items('Moderation');
		for (const input of waiting) expect(items.some((i) => i.json.itemId === input.itemId), `comment ${String(input.itemId)} moderated`).toBe(true);
		expectPaired(run);
		named = { waiting, items };
	});

	// Moderate runs once for all input items; each comment it outputs is paired with the input item that named it
	// (it used to pair every output with item 0, so `$('Poll Comments').item` after it read the first comment for all).
	test('moderate pairs each comment with the input item that named it', () => {
		const { waiting, items } = named!;
		for (const [k, input] of waiting.entries()) expect(pairs(items.filter((i) => i.json.itemId === input.itemId)), `comment of input item ${k}`).toEqual([k]);
	});

	test('bad parameters name themselves and the item: Policy (JSON), Limit', async () => {
		const policy = await engine.runNode(node({ operation: 'moderate', live: false, brandVoice: 'x', moderateOptions: { policy: '{"thresholds": ' } }));
		expectNodeError(policy, 'Moderation', /Policy \(JSON\) is not valid JSON/, 0);
		const limit = await engine.runNode(node({ operation: 'moderate', live: false, brandVoice: 'x', moderateOptions: { limit: 0 } }));
		expectNodeError(limit, 'Moderation', /Limit must be a whole number of at least 1; got 0/, 0);
	});

	test('continue on fail: the error is an item paired with the input', async () => {
		const run = await engine.runNode(node({ operation: 'moderate', live: false, brandVoice: 'x', moderateOptions: { limit: 'many' } }), [{ a: 1 }, { a: 2 }], { continueOnFail: true });
		expect(run.status).toBe('success');
		const items = run.items('Moderation');
		expect(items).toHaveLength(1);
		expect(String(items[0]!.json.error)).toMatch(/Limit must be a whole number of at least 1; got "many"/);
		expect(pairs(items)).toEqual([0]);
	});

});
