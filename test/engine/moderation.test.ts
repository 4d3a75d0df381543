// AdOps Moderation run in-process by n8n-core against the sandbox's Meta comments (and OpenAI, Notion)
// and the store: Poll Comments and Moderate; Live Mode, Limit and Policy reaching the core; bad
// parameters with the item index; Continue On Fail; paired items; and workflows/moderation.json from
// Run Now with its item counts.
import { test, describe, beforeAll, afterAll, expect, onTestFinished } from 'vitest';
import { startEngine, type Engine } from './harness';
import { expectNodeError, expectPaired, json, pairs, slackMessages } from './expect';

describe('AdOps Moderation on n8n-core', () => {
	let engine: Engine;
	let creds: Record<string, { id: string; name: string }>;
	const node = (parameters: Record<string, unknown>, credentials = creds) => ({ name: 'Moderation', type: 'adOpsModeration', parameters, credentials });
	const effects = () => engine.sandbox.requests().filter((r) => r.method === 'POST' || r.method === 'DELETE').filter((r) => /^meta\./.test(r.route) && /comment|hide|repl/i.test(r.route));
	beforeAll(async () => {
		engine = await startEngine({ seed: 7 });
		creds = { ...engine.credentialRef('adOpsStoreApi'), ...engine.credentialRef('adOpsMetaAdsApi') };
	});
	afterAll(async () => {
		await engine?.close();
	});

	test('workflows/moderation.json (Run Now): every polled comment moderated in dry run, one alert item per moderated item', async () => {
		// An engine of its own: every comment of its world is new to its store.
		const engine = await startEngine({ seed: 8 });
		onTestFinished(() => engine.close());
		const before = slackMessages(engine).length;
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
	});

	test('poll comments, then moderate with Limit in dry run: one item per comment, paired, nothing done on Meta', async () => {
		const poll = await engine.runNode(node({ operation: 'pollComments' }));
		expect(poll.status, poll.error?.message).toBe('success');
		const comments = json(poll.items('Moderation'));
		expect(comments.length).toBeGreaterThan(3);
		expect(comments.every((c) => typeof c.itemId === 'string' && c.platform === 'meta')).toBe(true);
		expectPaired(poll);

		const before = effects().length;
		const run = await engine.runNode(node({ operation: 'moderate', live: false, brandVoice: 'Warm and short', moderateOptions: { limit: 3 } }));
		expect(run.status, run.error?.message).toBe('success');
		const out = json(run.items('Moderation')).filter((o) => o.commentId);
		expect(out).toHaveLength(3);
		expect(out.every((o) => o.dryRun === true && o.classification)).toBe(true);
		expectPaired(run);
		expect(effects().length).toBe(before);
	});

	test('moderate the comments the input names first (a second poll item per comment)', async () => {
		const poll = await engine.runNode(node({ operation: 'pollComments' }));
		const fresh = json(poll.items('Moderation'));
		// Everything polled was moderated above or is waiting; name two waiting comments by their item ids.
		const run = await engine.runNode(node({ operation: 'moderate', live: false, brandVoice: 'Warm and short', moderateOptions: { limit: 2 } }), fresh.length ? fresh.slice(0, 2) : [{}]);
		expect(run.status, run.error?.message).toBe('success');
		expect(run.items('Moderation').length).toBeGreaterThan(0);
		expect(pairs(run.items('Moderation')).every((p) => p >= 0)).toBe(true);
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
