// AdOps Creative run in-process by n8n-core against the sandbox's OpenAI and the store: List Active
// Campaigns, Generate Variants (two outputs: Queued, Held Back), Check Novelty; parameters that reach
// the core, bad parameters with the item index, Continue On Fail (errors on Held Back), paired items on
// every output, and workflows/creative.json from Run Now with its item counts.
import { test, describe, beforeAll, afterAll, expect, onTestFinished } from 'vitest';
import { variantNoveltyText } from '../../nodes/shared/creative/run';
import { PREFIX, startEngine, type Engine } from './harness';
import { sandboxCreativeCopy } from '../../scripts/sandbox/creative-responder';
import { expectNodeError, expectPaired, json, pairs, slackMessages } from './expect';

/** The variants a generate run reported: each proposal's (a batch lists them under `variants`) and the held-back ones (not the digest). */
function variantsOf(queued: Array<{ json: Record<string, unknown> }>, held: Array<{ json: Record<string, unknown> }>): unknown[] {
	return [...queued.flatMap((i) => (Array.isArray(i.json.variants) ? i.json.variants : [i.json])), ...held.filter((i) => i.json.digest !== true && !i.json.error)];
}
import { seedPerformance } from './world';

describe('AdOps Creative on n8n-core', () => {
	let engine: Engine;
	let creds: Record<string, { id: string; name: string }>;
	const node = (parameters: Record<string, unknown>) => ({ name: 'Creative', type: 'adOpsCreative', parameters, credentials: creds });
	const generate = (extra: Record<string, unknown> = {}) =>
		node({ operation: 'generate', brief: '={{ $json.brief }}', platform: '={{ $json.platform }}', accountId: '={{ $json.accountId }}', campaignId: '={{ $json.campaignId }}', count: '={{ $json.count }}', metric: 'roas', generateOptions: { campaignName: '={{ $json.campaignName }}' }, ...extra });
	let meta: { accountId: string; campaignId: string; campaignName: string };
	beforeAll(async () => {
		engine = await startEngine({ seed: 41 });
		creds = { ...engine.credentialRef('adOpsStoreApi'), ...engine.credentialRef('adOpsOpenAiApi') };
		await seedPerformance(engine);
		const account = engine.sandbox.world.accounts.find((a) => a.platform === 'meta')!;
		const c = account.campaigns.find((x) => x.status === 'ACTIVE')!;
		meta = { accountId: account.id, campaignId: c.id, campaignName: c.name };
	});
	afterAll(async () => {
		await engine?.close();
	});

	test('list active campaigns: Platforms and Limit reach the query; one item per campaign with a brief', async () => {
		const run = await engine.runNode(node({ operation: 'listCampaigns', days: 7, platforms: ['meta'], limit: 2, defaultBrief: 'Brief for {campaign}' }));
		expect(run.status, run.error?.message).toBe('success');
		const out = json(run.items('Creative')) as Array<{ platform: string; campaignName: string; brief: string }>;
		expect(out).toHaveLength(2);
		expect(out.map((o) => o.platform)).toEqual(['meta', 'meta']);
		for (const o of out) expect(o.brief).toBe(`Brief for ${o.campaignName}`);
		expectPaired(run);
		const all = await engine.runNode(node({ operation: 'listCampaigns', days: 7, platforms: ['meta', 'linkedin'], limit: 50 }));
		expect(new Set(json(all.items('Creative')).map((o) => o.platform))).toEqual(new Set(['meta', 'linkedin']));
	});

	test('generate: Variants, platform, account and campaign reach the run; Queued and Held Back outputs, each item paired with its brief', async () => {
		const run = await engine.runNode(generate(), [{ brief: 'Winter jackets that keep you dry on the commute', platform: 'meta', count: 2, ...meta }]);
		expect(run.status, run.error?.message).toBe('success');
		const [queued, held] = run.outputs('Creative');
		expect(run.outputs('Creative')).toHaveLength(2);
		expect(variantsOf(queued!, held!)).toHaveLength(2);
		// One proposal for the campaign's new variants (a batch lists them under `variants`).
		expect(queued!).toHaveLength(1);
		expect(new Set(pairs([...queued!, ...held!]))).toEqual(new Set([0]));
		const proposal = (queued![0]!.json as { proposal: { kind: string; payload: Record<string, unknown> } }).proposal;
		expect(proposal.kind).toBe('creative');
		expect(JSON.stringify(proposal)).toContain(meta.campaignId);
		expect(JSON.stringify(proposal)).toContain(meta.accountId);
		expectPaired(run);
	});

	test('check novelty: one result per text, the copy just generated scores as a duplicate of itself', async () => {
		const seen = await engine.runNode(generate(), [{ brief: 'Rain shells for cyclists', platform: 'meta', count: 1, ...meta }]);
		const variant = ([...seen.items('Creative', 0), ...seen.items('Creative', 1)].find((i) => i.json.variant)!.json as { variant: Parameters<typeof variantNoveltyText>[0] }).variant;
		const copy = [variantNoveltyText(variant)];
		const run = await engine.runNode(node({ operation: 'checkNovelty', noveltyAccountId: '={{ $json.accountId }}', texts: '={{ $json.texts }}' }), [{ accountId: meta.accountId, texts: [...copy, 'Completely unrelated words about gardening tools'] }]);
		expect(run.status, run.error?.message).toBe('success');
		const out = run.items('Creative');
		expect(out).toHaveLength(2);
		expect(pairs(out)).toEqual([0, 0]);
		expect(Number((out[0]!.json as { pastVariants: number }).pastVariants)).toBeGreaterThan(0);
		// Account ID and Copy reach the check: the stored headline is found again, the unrelated text is new.
		expect(out.map((i) => i.json.verdict)).toEqual(['duplicate', 'novel']);
	});

	test('bad parameters name themselves and the item: Variants, Limit, Copy', async () => {
		const count = await engine.runNode(generate(), [{ brief: 'x', platform: 'meta', count: 2, ...meta }, { brief: 'x', platform: 'meta', count: 0, ...meta }]);
		expectNodeError(count, 'Creative', /Variants must be a whole number from 1 to \d+; got 0/, 1);
		const limit = await engine.runNode(node({ operation: 'listCampaigns', days: 7, platforms: ['meta'], limit: '={{ "ten" }}' }));
		expectNodeError(limit, 'Creative', /Limit must be a whole number of at least 1; got "ten"/, 0);
		const texts = await engine.runNode(node({ operation: 'checkNovelty', noveltyAccountId: meta.accountId, texts: '={{ [""] }}' }));
		expectNodeError(texts, 'Creative', /Copy must be a text or an array of non-empty texts/, 0);
	});

	test('continue on fail: a failing brief becomes an error item on Held Back, paired with it; the other item generates', async () => {
		const run = await engine.runNode(generate(), [{ brief: 'x', platform: 'tiktok-not-here', count: 1, ...meta }, { brief: 'Fleece for cold mornings', platform: 'meta', count: 1, ...meta }], { continueOnFail: true });
		expect(run.status).toBe('success');
		const [queued, held] = run.outputs('Creative');
		const errors = held!.filter((i) => i.json.error);
		expect(errors).toHaveLength(1);
		expect(String(errors[0]!.json.error)).toMatch(/Unknown platform "tiktok-not-here"/);
		expect(pairs(errors)).toEqual([0]);
		// Item 1's variant (and any proposal requeued by its run) pairs with item 1.
		const generated = [...queued!, ...held!.filter((i) => !i.json.error)];
		expect(generated.length).toBeGreaterThan(0);
		expect(new Set(pairs(generated))).toEqual(new Set([1]));
		expectPaired(run);
	});

	test('as an AI Agent\'s tool (type adOpsCreativeTool): one output, the held-back variant and its digest on it when nothing is queued', async () => {
		// n8n runs a node as a tool under `<type>Tool` and gives the agent only the first output; Queued is empty here.
		engine.nodeTypes.ours.set(`${PREFIX}adOpsCreativeTool`, engine.nodeTypes.getByName(`${PREFIX}adOpsCreative`));
		const base = 'Winter jackets that keep you dry on the commute.';
		const brief = Array.from({ length: 500 }, (_, k) => `${base} Edition ${k + 1}.`).find((b) => sandboxCreativeCopy({ brief: b, platform: 'meta' }, 0).breaks);
		expect(brief, 'a brief whose first variant breaks a hard rule').toBeDefined();
		const input = { brief, platform: 'meta', count: 1, ...meta, campaignId: `${meta.campaignId}-tool` };
		const asTool = { ...generate({ generateOptions: { campaignName: '={{ $json.campaignName }}', maxAttempts: 1 } }), type: 'adOpsCreativeTool' };
		const run = await engine.runNode(asTool, [input]);
		expect(run.status, run.error?.message).toBe('success');
		const outputs = run.outputs('Creative');
		expect(outputs).toHaveLength(1);
		const answer = outputs[0]!.map((i) => i.json as { status?: string; digest?: boolean });
		expect(answer.map((j) => (j.digest ? 'digest' : j.status))).toEqual(['rejected_policy', 'digest']);
		expectPaired(run);
	});

	test('workflows/creative.json (Run Now): five variants per active campaign; one approval card and request per campaign, one held-back digest per campaign', async () => {
		// An engine of its own: a store with performance only, no variants or proposals of the tests above.
		const engine = await startEngine({ seed: 41 });
		onTestFinished(() => engine.close());
		await seedPerformance(engine);
		const before = slackMessages(engine).length;
		const run = await engine.run('creative.json');
		expect(run.status, run.error?.message).toBe('success');
		const campaigns = run.items('Active Campaigns').length;
		expect(campaigns).toBeGreaterThan(0);
		expect(campaigns).toBeLessThanOrEqual(10);
		const [queued, held] = run.outputs('Write Variants');
		expect(variantsOf(queued!, held!)).toHaveLength(campaigns * 5);
		expect(queued!.length).toBeLessThanOrEqual(campaigns);
		expect(run.items('Queue for Approval')).toHaveLength(queued!.length);
		expect(run.items('Ask for Approval')).toHaveLength(queued!.length);
		expect(run.ran('Held Back Notice')).toBe(held!.length > 0);
		if (held!.length) expect(run.items('Held Back Notice')).toHaveLength(held!.length);
		expect(held!.filter((i) => i.json.digest === true).length).toBeLessThanOrEqual(campaigns);
		expectPaired(run);
		const posted = json([...run.items('Ask for Approval'), ...(held!.length ? run.items('Held Back Notice') : [])]).filter((o) => o.ok && !o.skipped);
		expect(slackMessages(engine).length - before).toBe(posted.length);
		// At most one approval request and one held-back digest per campaign, whatever the number of variants.
		expect(posted.length).toBeLessThanOrEqual(campaigns * 2);
	});
});
