// Moved from test/e2e/creative.test.ts: workflows/creative.json against the sandbox (OpenAI, Notion,
// Slack) and the store, on n8n-core in-process. Nothing here needs the CLI: the e2e run replaced the
// Brief Webhook with a Code node (`n8n execute` cannot start at a Webhook); here the shipped workflow
// starts at its Brief Webhook with the request ({ body }) as its item. The assertions are the e2e's.
import { test, beforeAll, afterAll, describe } from 'vitest';
import assert from 'node:assert/strict';
import type { Sandbox } from '../../scripts/sandbox';
import { sandboxCreativeCopy } from '../../scripts/sandbox/creative-responder';
import type { Store, StoreConfig } from '../../nodes/shared/store';
import { withStore as withStoreAt } from '../helpers/with-store';
import type { WorkflowInput } from '../helpers/n8n';
import { jsonOutput as out } from '../helpers/with-store';
import { readWorkflow, startEngine, type Engine } from './harness';
import { cli as cli_, type EngineCli, type WfNode } from './cli';
import { slackPosts } from './expect';
import { approvalCards } from './world';

const ACCOUNT = 'act-e2e-creative';
const CAMPAIGN = 'cmp-spring-rain';
const BRIEF = 'Northwind rain jackets: fully waterproof, breathable, packs into its own pocket. Audience: city commuters who cycle. Offer: free returns for 60 days.';


describe('workflows/creative.json from its Brief Webhook and the scheduled branch, as `n8n execute` ran them (moved from test/e2e/creative.test.ts)', () => {
	let engine: Engine;
	let sandbox: Sandbox;
	let n8n: EngineCli;
	let storeConfig: StoreConfig;
	let plantedId = '';
	const ids: Record<string, string> = {};

	const withStore = <T>(fn: (store: Store) => Promise<T>) => withStoreAt(storeConfig, fn);

	const cards = () => approvalCards(sandbox, 'creative');

	beforeAll(async () => {
		engine = await startEngine({ seed: 41, storePrefix: 'adops-engine-creative-brief' });
		sandbox = engine.sandbox;
		storeConfig = engine.store.config;
		// Performance to ground on, and one past variant planted as a near-copy of what the model will write first.
		const { fixed } = sandboxCreativeCopy({ brief: BRIEF, platform: 'meta' }, 0);
		const planted = (fixed.primaryText ?? '').replace(/\b(\w{4,})\b/, 'Honestly');
		assert.notEqual(planted, fixed.primaryText, 'the planted copy differs by one word');
		plantedId = await withStore(async (store) => {
			const days = Array.from({ length: 14 }, (_, i) => new Date(Date.now() - (i + 1) * 86_400_000).toISOString().slice(0, 10));
			await store.upsert(
				'campaign_performance',
				days.flatMap((date, i) => [
					{ platform: 'meta', account_id: ACCOUNT, campaign_id: CAMPAIGN, campaign_name: 'Spring rain', date, currency: 'USD', spend: 120 + i, impressions: 20_000, clicks: 400, conversions: 12, revenue: 900 },
					{ platform: 'meta', account_id: ACCOUNT, campaign_id: 'cmp-winter-sale', campaign_name: 'Winter sale', date, currency: 'USD', spend: 80, impressions: 15_000, clicks: 150, conversions: 2, revenue: 60 },
				]),
			);
			await store.upsert('creative_variants', [
				{ platform: 'meta', account_id: ACCOUNT, campaign_id: 'cmp-winter-sale', content_hash: 'planted-near-copy', headline: fixed.headlines.join('\n'), primary_text: planted, description: fixed.descriptions.join('\n') || null, status: 'approved' },
			]);
			const [row] = await store.select('creative_variants', { where: { content_hash: 'planted-near-copy' } });
			return row!.id as string;
		});

		const workflow = readWorkflow('creative.json') as unknown as WorkflowInput;
		const nodes = workflow.nodes as unknown as WfNode[];
		// The shipped workflow from its Brief Webhook (switched on, as when published), the request's shape ({ body }) as its item.
		const cli = { ...structuredClone(workflow), id: 'AdOpsCreativeCli' } as WorkflowInput;
		for (const n of cli.nodes as unknown as WfNode[]) if (n.name === 'Brief Webhook') delete n.disabled;
		const listing = {
			id: 'AdOpsCreativeList',
			name: 'e2e active campaigns',
			nodes: [{ parameters: {}, name: 'Start', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 0] }, { ...nodes.find((n) => n.name === 'Active Campaigns')!, position: [200, 0] }],
			connections: { Start: { main: [[{ node: 'Active Campaigns', type: 'main', index: 0 }]] } },
			settings: { executionOrder: 'v1' },
		} as unknown as WorkflowInput;
		const approvals = {
			id: 'AdOpsCreativeApprv',
			name: 'e2e creative approvals',
			nodes: [
				{ parameters: {}, name: 'Start', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 0] },
				{ parameters: { resource: 'decision', operation: 'pollDecisions', consumer: 'creative-e2e', queueOptions: {} }, name: 'Decisions', type: 'n8n-nodes-adops.adOpsApproval', typeVersion: 2, position: [200, 0], credentials: { adOpsNotionApi: { id: 'adopsNotionCred01', name: 'AdOps Notion' }, adOpsStoreApi: { id: 'adopsStoreCred01', name: 'AdOps Store' } } },
				{ parameters: { resource: 'proposal', operation: 'executeApproved', webhooks: {}, executeOptions: {}, queueOptions: {} }, name: 'Execute', type: 'n8n-nodes-adops.adOpsApproval', typeVersion: 2, position: [400, 0], executeOnce: true, credentials: { adOpsNotionApi: { id: 'adopsNotionCred01', name: 'AdOps Notion' }, adOpsStoreApi: { id: 'adopsStoreCred01', name: 'AdOps Store' } } },
			],
			connections: { Start: { main: [[{ node: 'Decisions', type: 'main', index: 0 }]] }, Decisions: { main: [[{ node: 'Execute', type: 'main', index: 0 }]] } },
			settings: { executionOrder: 'v1' },
		} as unknown as WorkflowInput;

		n8n = cli_(engine);
		n8n.importWorkflows([workflow, cli, listing, approvals]);
		Object.assign(ids, { cli: cli.id, listing: listing.id, approvals: approvals.id });
	});

	afterAll(async () => {
		await engine?.close();
	});
	const brief = { start: 'Brief Webhook', input: [{ json: { body: { brief: BRIEF, accountId: ACCOUNT, campaignId: CAMPAIGN, platform: 'meta', count: 4, tone: 'calm, practical' } } }] };

	test('the scheduled branch finds the campaigns with recent spend', async () => {
		const r = await n8n.execute(ids.listing!);
		const found = out(r, 'Active Campaigns').map((c) => `${c.platform}/${c.accountId}/${c.campaignId}`);
		assert.deepEqual(found.sort(), [`meta/${ACCOUNT}/${CAMPAIGN}`, `meta/${ACCOUNT}/cmp-winter-sale`]);
		assert.match(String(out(r, 'Active Campaigns')[0]!.brief), /Fresh variants for the campaign "(Spring rain|Winter sale)"/);
	});

	test('a brief: its novel variants become one Notion card and one Slack request; the planted near-duplicate is refused naming its neighbour', async () => {
		const r = await n8n.execute(ids.cli!, brief);
		const queued = out(r, 'Write Variants', 0);
		const heldBack = out(r, 'Write Variants', 1).filter((i) => i.digest !== true);
		// one proposal for the brief's novel variants (a batch lists them under `variants`)
		const novel = queued.flatMap((q) => (Array.isArray(q.variants) ? (q.variants as Array<Record<string, unknown>>) : [q]));
		assert.equal(novel.length + heldBack.length, 4, 'one item per requested variant');
		assert.equal(queued.length, 1, 'one approval proposal for the campaign');
		const duplicate = heldBack.find((i) => i.status === 'rejected_duplicate');
		assert.ok(duplicate, `a near-duplicate was held back: ${JSON.stringify(heldBack.map((h) => [h.status, h.reason]))}`);
		assert.equal((duplicate.nearest as { id: string }).id, plantedId, 'its nearest neighbour is the planted past variant');
		assert.ok(queued.length >= 1, 'at least one novel variant');
		for (const q of novel) {
			assert.equal(q.status, 'pending_approval');
			assert.equal(q.verdict, 'novel');
		}
		const enqueued = out(r, 'Queue for Approval');
		assert.equal(enqueued.length, queued.length);
		assert.ok(enqueued.every((e) => e.type === 'queued' && e.created === true));
		assert.equal((await cards()).length, queued.length);
		const slack = slackPosts(sandbox);
		assert.equal(slack.filter((m) => JSON.stringify(m.blocks).includes('Approval needed')).length, queued.length);
		assert.ok(slack.some((m) => JSON.stringify(m.blocks).includes(`uplicate of past variant ${plantedId}`)), 'Slack names the neighbour');

		const stored = await withStore((store) => store.select('creative_variants', { where: { account_id: ACCOUNT } }));
		assert.equal(stored.filter((v) => v.status === 'pending_approval').length, novel.length);
		assert.equal(stored.filter((v) => v.status === 'rejected_duplicate').length, heldBack.filter((h) => h.status === 'rejected_duplicate').length);
		const runs = await withStore((store) => store.select('creative_runs', {}));
		assert.equal(runs.length, 1);
		assert.ok(Number(runs[0]!.prompt_tokens) > 0, 'token usage recorded');
	});

	test('a second run with the same brief queues nothing again, and Slack gets no approval request and no notice for copy stored before', async () => {
		const before = (await cards()).length;
		const pendingBefore = (await withStore((store) => store.select('creative_variants', { where: { account_id: ACCOUNT, status: 'pending_approval' } }))).length;
		const slackBefore = sandbox.world.slack.channels.find((c) => c.id === 'C0ADOPSALR')!.messages.length;
		const r = await n8n.execute(ids.cli!, brief);
		assert.equal(out(r, 'Write Variants', 0).length, 0, 'nothing queued');
		const again = out(r, 'Write Variants', 1).filter((i) => i.digest !== true);
		assert.ok(again.some((i) => i.status === 'already_stored'), JSON.stringify(again.map((i) => i.status)));
		assert.ok(again.every((i) => i.status === 'already_stored' || i.status === 'rejected_duplicate'), JSON.stringify(again.map((i) => [i.status, i.reason])));
		assert.equal((await cards()).length, before, 'no new card');
		const stored = await withStore((store) => store.select('creative_variants', { where: { account_id: ACCOUNT, status: 'pending_approval' } }));
		assert.equal(stored.length, pendingBefore, 'no second pending row for the same copy');
		const posted = sandbox.world.slack.channels.find((c) => c.id === 'C0ADOPSALR')!.messages.slice(slackBefore);
		assert.ok(posted.every((m) => !JSON.stringify(m.blocks).includes('already stored')), 'copy seen before is not announced again');
		assert.ok(posted.every((m) => !JSON.stringify(m.blocks).includes('Approval needed')), 'no second approval request');
	});

	test("an approved creative card marks the campaign's variants approved (publishing is a later step)", async () => {
		const [card] = await cards();
		const res = await fetch(`${sandbox.url}/_admin/notion/pages/${card!.id}/edit`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user: 'Maya Lopez', properties: { Status: { status: { name: 'Approved' } } } }) });
		assert.equal(res.status, 200);
		const r = await n8n.execute(ids.approvals!);
		const executed = out(r, 'Execute');
		assert.deepEqual(executed.map((e) => e.type), ['executed']);
		const proposalId = executed[0]!.proposalId as string;
		const approved = await withStore((store) => store.select('creative_variants', { where: { proposal_id: proposalId } }));
		assert.ok(approved.length > 0 && approved.every((v) => v.status === 'approved'), JSON.stringify(approved.map((v) => v.status)));
	});
});
