/**
 * The creative run layer (`runCreative`, `checkNoveltyOfCopy`, the
 * `creative` executor) against the sandbox's OpenAI API through the real
 * `openai` SDK client, and a real store: PGlite always, PostgreSQL when
 * DATABASE_URL is set (fresh random schema, dropped afterwards).
 *
 * The sandbox writes the copy with its `creative_variants` responder
 * (scripts/sandbox/creative-responder.ts); `sandboxCreativeCopy` says in
 * advance what it writes, which is how near-duplicates are planted and how
 * briefs whose first variant breaks a rule are found.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, test } from 'vitest';
import OpenAI from 'openai';
import { Pool } from 'pg';
import { ApprovalQueue, ExecutorRegistry, createProposal } from '../../nodes/shared/approvals';
import {
	checkNoveltyOfCopy,
	creativeExecutor,
	markCreativeDecision,
	registerCreativeExecutor,
	rowNoveltyText,
	runCreative,
	variantNoveltyText,
	type CreativeRunDeps,
	type CreativeRunInput,
	type CreativeRunResult,
} from '../../nodes/shared/creative';
import { openStore, type Store } from '../../nodes/shared/store';
import { startSandbox, type Sandbox } from '../../scripts/sandbox';
import { creativeResponder, sandboxCreativeCopy, type SandboxCreativePlatform } from '../../scripts/sandbox/creative-responder';
import type { ResponderInput } from '../../scripts/sandbox/openai-model';

const DATABASE_URL = process.env.DATABASE_URL;
const pgliteDir = mkdtempSync(join(tmpdir(), 'adops-creative-'));
const CHAT_MODEL = 'gpt-4o-mini';
const EMBEDDING_MODEL = 'text-embedding-3-small';
const STORED_MODEL = 'text-embedding-3-small@512';

const sha = (text: string) => createHash('sha256').update(text).digest('hex');

const BRIEFS = {
	fleece: 'Northwind recycled fleece jacket: warm, light, made from recycled bottles, free returns for 60 days. Audience: weekend hikers.',
	tasks: 'Promote Tasklane, a project management tool for small agencies. Boards, timelines and client approvals in one place. Free 14-day trial.',
	coffee: 'Harbor cold brew concentrate: smooth, low acid, makes 32 cups per bottle, ships in two days. For busy parents.',
	plants: 'Greenroom indoor plant subscription: a new easy-care plant every month, pots included, pause anytime. For city apartments.',
};

/** A brief (a numbered variation of `base`) whose new variant `index` breaks a hard rule on `platform` and whose `others` do not. */
function briefBreaking(base: string, platform: SandboxCreativePlatform, index: number, others: number[] = []): string {
	for (let k = 1; k < 500; k++) {
		const brief = `${base} Edition ${k}.`;
		if (sandboxCreativeCopy({ brief, platform }, index).breaks && others.every((o) => !sandboxCreativeCopy({ brief, platform }, o).breaks)) return brief;
	}
	throw new Error('no such brief');
}

/** A brief whose first `count` new variants break no rule. */
function briefClean(base: string, platform: SandboxCreativePlatform, count: number): string {
	for (let k = 1; k < 500; k++) {
		const brief = k === 1 ? base : `${base} Edition ${k}.`;
		if (Array.from({ length: count }, (_, i) => sandboxCreativeCopy({ brief, platform }, i).breaks).every((b) => b === null)) return brief;
	}
	throw new Error('no such brief');
}

function registerSuite(name: string, open: () => Promise<Store>): void {
	describe(`creative runs against the sandbox's OpenAI (${name})`, () => {
		let sb: Sandbox;
		let store: Store;
		let openai: OpenAI;
		let seq = 0;
		const tag = randomBytes(3).toString('hex');
		const account = () => `acct-${tag}-${++seq}`;
		const deps = (patch: Partial<CreativeRunDeps> = {}): CreativeRunDeps => ({ store, openai, chatModel: CHAT_MODEL, embeddingModel: EMBEDDING_MODEL, ...patch });
		// One proposal per variant here (the tests below pin per-variant semantics); the batch has its own test.
		const run = (input: Partial<CreativeRunInput> & Pick<CreativeRunInput, 'accountId' | 'campaignId'>, patch: Partial<CreativeRunDeps> = {}) =>
			runCreative({ brief: BRIEFS.fleece, platform: 'meta', metric: 'roas', count: 3, batchApprovals: false, ...input }, deps(patch));
		const variants = (accountId: string) => store.select('creative_variants', { where: { account_id: accountId }, order: [{ column: 'created_at' }, { column: 'id' }] });
		const runRow = async (id: string) => (await store.select('creative_runs', { where: { id } }))[0]!;
		/** Requests to the sandbox's OpenAI routes after `mark`. */
		const requestsSince = (mark: number, route: 'openai.chat' | 'openai.embeddings') => sb.requests({ route }).filter((e) => e.seq > mark);
		const lastSeq = () => sb.requests().at(-1)?.seq ?? 0;
		const embeddedTexts = (mark: number) => requestsSince(mark, 'openai.embeddings').flatMap((e) => (e.body as { input: string[] }).input);
		const statuses = (r: CreativeRunResult) => r.items.map((i) => i.status);

		async function seedPerformance(accountId: string, campaigns: Array<{ id: string; name: string; spend: number; revenue: number; clicks: number; conversions: number }>): Promise<void> {
			const rows = [];
			for (let d = 1; d <= 7; d++) {
				const date = new Date(Date.now() - d * 86_400_000).toISOString().slice(0, 10);
				for (const c of campaigns) {
					rows.push({ date, platform: 'meta' as const, account_id: accountId, campaign_id: c.id, campaign_name: c.name, currency: 'USD', spend: c.spend / 7, impressions: 2000, clicks: Math.round(c.clicks / 7), conversions: c.conversions / 7, revenue: c.revenue / 7 });
				}
			}
			await store.upsert('campaign_performance', rows);
		}

		beforeAll(async () => {
			sb = await startSandbox({ seed: 11, today: '2025-06-10' });
			store = await open();
			openai = new OpenAI({ apiKey: sb.credentials.openai.apiKey, baseURL: sb.urls.openai, maxRetries: 2 });
		});
		afterAll(async () => {
			await store?.close();
			await sb?.close();
		});

		test('a brief produces validated variants stored pending_approval, each with a proposal; usage is recorded in creative_runs', async () => {
			const acct = account();
			await seedPerformance(acct, [
				{ id: 'c-winter', name: 'Winter hikers', spend: 700, revenue: 4900, clicks: 140, conversions: 70 },
				{ id: 'c-generic', name: 'Generic outdoor', spend: 700, revenue: 700, clicks: 70, conversions: 14 },
				{ id: 'c-fleece', name: 'Fleece launch', spend: 350, revenue: 1050, clicks: 90, conversions: 21 },
			]);
			const brief = briefClean(BRIEFS.fleece, 'meta', 3);
			const mark = lastSeq();
			// A clock that moves 1 ms on every reading: the expiry is counted from the proposal's own request time, however slow the run.
			let tick = Date.now();
			const res = await run({ brief, accountId: acct, campaignId: 'c-fleece', placement: 'feed', tone: 'warm, concrete', expiresInHours: 48 }, { now: () => new Date(++tick) });

			assert.equal(res.status, 'complete', res.message);
			assert.deepEqual(statuses(res), ['pending_approval', 'pending_approval', 'pending_approval'], res.items.map((i) => i.reason).join('\n'));
			res.items.forEach((item, i) => assert.deepEqual(item.variant!.headlines, sandboxCreativeCopy({ brief, platform: 'meta' }, i).fixed.headlines, 'the copy the sandbox helper predicts'));
			assert.equal(res.proposals.length, 3);

			const rows = await variants(acct);
			assert.equal(rows.length, 3);
			for (const [i, item] of res.items.entries()) {
				const row = rows.find((r) => r.id === item.variantId)!;
				assert.ok(row, `row of slot ${i}`);
				assert.equal(row.status, 'pending_approval');
				assert.equal(row.proposal_id, item.proposal!.id);
				assert.equal(row.run_id, res.runId);
				assert.equal(row.verdict, 'novel');
				assert.equal(row.model, CHAT_MODEL);
				assert.equal(row.embedding_model, STORED_MODEL);
				assert.equal(row.embedding!.length, 512);
				assert.deepEqual([row.placement, row.tone], ['feed', 'warm, concrete']);
				assert.equal(rowNoveltyText(row), variantNoveltyText(item.variant!));
				assert.equal((row.grounding as { best: Array<{ campaignId: string }> }).best[0]!.campaignId, 'c-winter');

				const p = createProposal(item.proposal!);
				assert.equal(p.kind, 'creative');
				assert.equal((p.payload as { contentHash: string }).contentHash, row.content_hash);
				assert.equal(Date.parse(p.expiresAt) - Date.parse(p.requestedAt), 48 * 3_600_000);
				const evidence = p.evidence as { rationale: string; grounding: { metric: string; best: Array<{ campaignId: string; value: number; spend: number }> }; novelty: { verdict: string; reason: string } };
				assert.equal(evidence.grounding.metric, 'roas');
				assert.deepEqual([evidence.grounding.best[0]!.campaignId, evidence.grounding.best[0]!.value, evidence.grounding.best[0]!.spend], ['c-winter', 7, 700]);
				assert.equal(evidence.novelty.verdict, 'novel');
				assert.match(evidence.rationale, /Winter hikers/, 'the sandbox model cites the best campaign');
			}
			assert.equal(res.grounding!.best[0]!.name, 'Winter hikers');
			assert.equal(res.grounding!.worst[0]!.campaignId, 'c-generic');

			const chats = requestsSince(mark, 'openai.chat');
			assert.equal(chats.length, 1);
			const body = chats[0]!.body as { model: string; response_format: { type: string; json_schema: { name: string; strict: boolean } }; messages: Array<{ role: string; content: string }> };
			assert.deepEqual([body.model, body.response_format.type, body.response_format.json_schema.name, body.response_format.json_schema.strict], [CHAT_MODEL, 'json_schema', 'creative_variants', true]);
			assert.match(body.messages[1]!.content, /<data name="grounding">[\s\S]*Winter hikers/);

			const r = await runRow(res.runId);
			assert.equal(r.status, 'complete');
			assert.equal(r.prompt_tokens, res.usage.promptTokens);
			assert.equal(r.completion_tokens, res.usage.completionTokens);
			assert.ok(r.prompt_tokens > 100 && r.completion_tokens > 20, `${r.prompt_tokens}/${r.completion_tokens}`);
			assert.equal(r.embedding_tokens, res.usage.embeddingTokens);
			assert.ok(r.embedding_tokens > 0);
			assert.deepEqual([r.chat_requests, r.embedding_requests], [1, requestsSince(mark, 'openai.embeddings').length]);
			assert.deepEqual([r.variants_requested, r.variants_queued, r.variants_duplicate, r.variants_policy, r.variants_missing], [3, 3, 0, 0, 0]);
			assert.deepEqual([r.chat_model, r.embedding_model, r.metric, r.brief_hash, r.token_budget], [CHAT_MODEL, STORED_MODEL, 'roas', sha(brief), null]);
			assert.ok(r.finished_at && r.finished_at >= r.started_at);
			assert.match(r.message!, /3 queued for approval/);
		});

		test('a planted near-duplicate of past copy is refused, naming its nearest neighbour; past embeddings are computed once and cached', async () => {
			const acct = account();
			const brief = briefClean(BRIEFS.tasks, 'linkedin', 3);
			const predicted = sandboxCreativeCopy({ brief, platform: 'linkedin' }, 1).fixed;
			const nearCopy = predicted.primaryText!.replace(/\bsee\b|\bthen\b|\bclient\b|\bto\b/i, (w) => (w.toLowerCase() === 'to' ? 'for' : 'our'));
			assert.notEqual(nearCopy, predicted.primaryText);
			await store.upsert('creative_variants', [
				{ platform: 'linkedin', account_id: acct, campaign_id: 'older-campaign', headline: predicted.headlines.join('\n'), primary_text: nearCopy, content_hash: sha(`planted|${nearCopy}`), status: 'approved' },
				// another past variant, with a vector of another model: recomputed with the current one
				{ platform: 'linkedin', account_id: acct, campaign_id: 'older-campaign', headline: 'Quarterly payroll reports for accountants', primary_text: 'Export payroll summaries in one click.', content_hash: sha('planted|payroll'), status: 'approved', embedding: [1, 0, 0], embedding_model: 'text-embedding-ada-002' },
			]);
			const pastRows = await variants(acct);
			const planted = pastRows.find((r) => r.primary_text === nearCopy);
			const payroll = pastRows.find((r) => r.content_hash === sha('planted|payroll'));
			const mark = lastSeq();
			const res = await run({ brief, platform: 'linkedin', accountId: acct, campaignId: 'new-campaign' });

			assert.deepEqual(statuses(res), ['pending_approval', 'rejected_duplicate', 'pending_approval'], res.items.map((i) => i.reason).join('\n'));
			const dup = res.items[1]!;
			assert.ok(dup.verdict === 'near_duplicate' || dup.verdict === 'duplicate');
			assert.equal(dup.nearest!.id, planted!.id);
			assert.equal(dup.nearest!.source, 'past');
			assert.equal(dup.nearest!.campaignId, 'older-campaign');
			assert.ok(dup.nearest!.lexical >= 0.5 || (dup.nearest!.semantic ?? 0) >= 0.6, JSON.stringify(dup.nearest));
			assert.equal(typeof dup.nearest!.semantic, 'number');
			assert.match(dup.reason, new RegExp(`past variant ${planted!.id}`));
			assert.equal(dup.proposal, null);
			assert.equal(res.proposals.length, 2);

			const row = (await variants(acct)).find((r) => r.id === dup.variantId)!;
			assert.equal(row.status, 'rejected_duplicate');
			assert.equal(row.nearest_variant_id, planted!.id);
			assert.equal(row.lexical_score, Math.round(dup.nearest!.lexical * 1e4) / 1e4);
			assert.equal(row.semantic_score, Math.round(dup.nearest!.semantic! * 1e4) / 1e4);
			assert.equal(row.proposal_id, null);
			assert.match(row.rejection_reason!, new RegExp(planted!.id));

			// Both past variants were embedded once, with the current model, and cached.
			const sent = embeddedTexts(mark);
			assert.equal(sent.filter((t) => t === rowNoveltyText(planted!)).length, 1);
			assert.equal(sent.filter((t) => t === rowNoveltyText(payroll!)).length, 1);
			assert.equal(res.embeddingsCached, 2);
			const after = await variants(acct);
			const plantedAfter = after.find((r) => r.id === planted!.id);
			const payrollAfter = after.find((r) => r.id === payroll!.id);
			assert.deepEqual([plantedAfter!.embedding_model, plantedAfter!.embedding!.length], [STORED_MODEL, 512]);
			assert.deepEqual([payrollAfter!.embedding_model, payrollAfter!.embedding!.length], [STORED_MODEL, 512]);
			assert.equal((await runRow(res.runId)).embeddings_cached, 2);
		});

		test('a second run queues nothing new and embeds no past variant again; approval marks the variant approved, a rejection is applied by the next run', async () => {
			const acct = account();
			const brief = briefClean(BRIEFS.coffee, 'google_ads', 3);
			const first = await run({ brief, platform: 'google_ads', accountId: acct, campaignId: 'c-brew' });
			assert.deepEqual(statuses(first), ['pending_approval', 'pending_approval', 'pending_approval'], first.items.map((i) => i.reason).join('\n'));
			const queue = new ApprovalQueue({ store, notion: { token: sb.credentials.notion.token, baseUrl: sb.urls.notion, dataSourceId: sb.world.notion.approvalDataSourceId } });
			const queued = await queue.enqueue(first.proposals);
			assert.deepEqual(queued.map((e) => [e.type, e.created]), [['queued', true], ['queued', true], ['queued', true]]);
			const rowsBefore = await variants(acct);

			const mark = lastSeq();
			const second = await run({ brief, platform: 'google_ads', accountId: acct, campaignId: 'c-brew' });
			assert.deepEqual(second.proposals, []);
			assert.deepEqual(second.requeued, []);
			assert.deepEqual(statuses(second), ['already_stored', 'already_stored', 'already_stored']);
			assert.deepEqual(second.items.map((i) => i.variantId), first.items.map((i) => i.variantId));
			assert.deepEqual(second.items.map((i) => i.storedStatus), ['pending_approval', 'pending_approval', 'pending_approval']);
			for (const i of second.items) assert.match(i.reason, /^The same copy is already stored for this campaign as variant [0-9a-f-]{36} \(pending_approval\); not stored or queued again\.$/);
			assert.deepEqual(await variants(acct), rowsBefore, 'no row written or changed');
			assert.deepEqual(requestsSince(mark, 'openai.embeddings'), [], 'nothing embedded');
			const secondRow = await runRow(second.runId);
			assert.deepEqual([secondRow.status, secondRow.variants_queued, secondRow.variants_existing, secondRow.embedding_requests, secondRow.embedding_tokens], ['complete', 0, 3, 0, 0]);
			assert.ok(secondRow.prompt_tokens > 0, 'the chat tokens of the second run are still counted');

			// Decisions in Notion: approve the first card, reject the second.
			const edit = async (pageId: string, status: string) => {
				const res = await fetch(`${sb.url}/_admin/notion/pages/${pageId}/edit`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user: 'Priya Nair', properties: { Status: { status: { name: status } } } }) });
				assert.equal(res.status, 200, await res.text());
			};
			await edit(queued[0]!.pageId!, 'Approved');
			await edit(queued[1]!.pageId!, 'Rejected');
			await queue.syncDecisions();
			const registry = new ExecutorRegistry();
			registerCreativeExecutor(registry, store);
			const executed = (await queue.executeApproved(registry)).filter((e) => e.proposalId === first.proposals[0]!.id);
			assert.deepEqual(executed.map((e) => e.type), ['executed'], JSON.stringify(executed));
			const result = (await queue.get(first.proposals[0]!.id))!.result as { action: string; variantId: string; published: boolean };
			assert.deepEqual([result.action, result.variantId, result.published], ['marked_approved', first.items[0]!.variantId, false]);
			const afterApproval = await variants(acct);
			assert.deepEqual(first.items.map((i) => afterApproval.find((r) => r.id === i.variantId)!.status), ['approved', 'pending_approval', 'pending_approval']);

			// A third run (another brief) applies the rejection, and embeds only what it has not seen: its own copy.
			const mark3 = lastSeq();
			const third = await run({ brief: briefClean(BRIEFS.plants, 'google_ads', 2), platform: 'google_ads', accountId: acct, campaignId: 'c-brew', count: 2 });
			assert.deepEqual(third.reconciled, { approved: 0, rejected: 1 });
			const afterThird = await variants(acct);
			assert.deepEqual(first.items.map((i) => afterThird.find((r) => r.id === i.variantId)!.status), ['approved', 'rejected', 'pending_approval']);
			const sent = embeddedTexts(mark3);
			for (const row of rowsBefore) assert.ok(!sent.includes(rowNoveltyText(row)), 'a past variant with a cached embedding is never sent again');
			assert.deepEqual(sent.sort(), third.items.filter((i) => i.variant).map((i) => variantNoveltyText(i.variant!)).sort());

			// The decision helper is idempotent and never flips a decided variant.
			const again = await markCreativeDecision(store, first.proposals[0]!.id, 'approved');
			assert.deepEqual([again.found, again.updated, again.variants[0]!.status], [1, 0, 'approved']);
			const flip = await markCreativeDecision(store, first.proposals[1]!.id, 'approved');
			assert.deepEqual([flip.found, flip.updated, flip.variants[0]!.status], [1, 0, 'rejected']);
		});

		test('batched (the default): one proposal for the novel variants of a campaign run; approving its one card approves them all; a batch never enqueued is offered again the same', async () => {
			const acct = account();
			const brief = briefClean(BRIEFS.coffee, 'meta', 3);
			const first = await run({ brief, accountId: acct, campaignId: 'c-batch', batchApprovals: true });
			assert.deepEqual(statuses(first), ['pending_approval', 'pending_approval', 'pending_approval'], first.items.map((i) => i.reason).join('\n'));
			assert.equal(first.proposals.length, 1);
			const batch = first.proposals[0]!;
			assert.match(batch.id, /^creative:c-batch:batch:[0-9a-f]{24}$/);
			assert.match(batch.title, /^3 new Meta copy variants for /);
			assert.equal((batch.payload as { contentHashes: string[] }).contentHashes.length, 3);
			assert.ok(first.items.every((i) => i.proposal?.id === batch.id));
			assert.deepEqual((await variants(acct)).map((r) => r.proposal_id), [batch.id, batch.id, batch.id]);

			// Never enqueued: the next run offers the same batch again (same id and payload), once.
			const second = await run({ brief, accountId: acct, campaignId: 'c-batch', batchApprovals: true });
			assert.deepEqual(second.proposals.map((p) => p.id), [batch.id]);
			assert.equal(createProposal(second.proposals[0]!).payloadHash, createProposal(batch).payloadHash);

			// A sync cursor of its own: the sandbox's Notion stamps edits with its pinned clock, behind the cursor an earlier test's sync left.
			const queue = new ApprovalQueue({ store, cursorKey: `approvals.sync.batch-${acct}`, notion: { token: sb.credentials.notion.token, baseUrl: sb.urls.notion, dataSourceId: sb.world.notion.approvalDataSourceId } });
			const queued = await queue.enqueue(first.proposals);
			assert.equal(queued.length, 1, 'one Notion card for the campaign');
			const res = await fetch(`${sb.url}/_admin/notion/pages/${queued[0]!.pageId}/edit`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user: 'Priya Nair', properties: { Status: { status: { name: 'Approved' } } } }) });
			assert.equal(res.status, 200, await res.text());
			await queue.syncDecisions();
			const registry = new ExecutorRegistry();
			registerCreativeExecutor(registry, store);
			const executed = (await queue.executeApproved(registry)).filter((e) => e.proposalId === batch.id);
			assert.deepEqual(executed.map((e) => e.type), ['executed'], JSON.stringify(executed));
			const result = (await queue.get(batch.id))!.result as { variantIds: string[] };
			assert.deepEqual([...result.variantIds].sort(), first.items.map((i) => i.variantId!).sort());
			assert.deepEqual((await variants(acct)).map((r) => r.status), ['approved', 'approved', 'approved']);
		});

		test('batched, under faults: a lost answer on its Notion card is settled by the enqueue (one card); a card never made (5xx, its row pending without a page) is offered again by the next run and made once; an executor run again after a kill marks nothing twice', async () => {
			const cardsOf = (id: string) => sb.world.notion.pages.filter((pg) => JSON.stringify(pg.properties['Proposal ID'] ?? '').includes(id));
			const queue = new ApprovalQueue({ store, cursorKey: `approvals.sync.batch-faults-${tag}`, notion: { token: sb.credentials.notion.token, baseUrl: sb.urls.notion, dataSourceId: sb.world.notion.approvalDataSourceId } });
			try {
				// 1. The answer to creating the batch's card is lost after the card was made: the same enqueue finds it by its Proposal ID.
				const lostAcct = account();
				const lost = (await run({ brief: briefClean(BRIEFS.tasks, 'meta', 2), accountId: lostAcct, campaignId: 'c-batch-lost', count: 2, batchApprovals: true })).proposals;
				assert.equal(lost.length, 1);
				sb.injectFault({ route: 'notion.createPage', kind: '5xx', afterEffect: true });
				const lostEvents = await queue.enqueue(lost);
				sb.clearFaults();
				assert.deepEqual(lostEvents.map((e) => [e.type, e.created]), [['queued', true]]);
				assert.equal(cardsOf(lost[0]!.id).length, 1, 'one card');
				assert.deepEqual(await run({ brief: briefClean(BRIEFS.tasks, 'meta', 2), accountId: lostAcct, campaignId: 'c-batch-lost', count: 2, batchApprovals: true }).then((r) => r.proposals), [], 'its card exists: nothing offered again');

				// 2. The card is never made (5xx before any effect): the approval row stays pending without a page.
				const acct = account();
				const brief = briefClean(BRIEFS.plants, 'meta', 3);
				const first = await run({ brief, accountId: acct, campaignId: 'c-batch-faults', batchApprovals: true });
				assert.equal(first.proposals.length, 1);
				const batch = first.proposals[0]!;
				sb.injectFault({ route: 'notion.createPage', kind: '5xx', count: 5 });
				const failed = await queue.enqueue([batch]).catch((e: Error) => e);
				sb.clearFaults();
				assert.ok(failed instanceof Error, 'the enqueue says the card was not made');
				assert.doesNotMatch(failed.message, /retry/i);
				assert.equal(cardsOf(batch.id).length, 0);
				assert.equal((await queue.get(batch.id))!.notionPageId, null);
				const second = await run({ brief, accountId: acct, campaignId: 'c-batch-faults', batchApprovals: true });
				assert.deepEqual(second.proposals.map((p) => p.id), [batch.id], 'the batch is offered again');
				assert.equal(createProposal(second.proposals[0]!).payloadHash, createProposal(batch).payloadHash, 'with the same payload');
				const events = await queue.enqueue(second.proposals);
				assert.deepEqual(events.map((e) => [e.type, e.created]), [['queued', true]]);
				assert.equal(cardsOf(batch.id).length, 1, 'one card');
				assert.deepEqual((await run({ brief, accountId: acct, campaignId: 'c-batch-faults', batchApprovals: true })).proposals, [], 'queued now: nothing offered again');

				// 3. Approved and executed; a kill after the executor's effect runs it again: the same variants, nothing changed twice.
				const execute = creativeExecutor(store);
				const once = (await execute(batch.payload, { proposal: { id: batch.id } } as never)) as { variantIds: string[]; changed: boolean };
				const again = (await execute(batch.payload, { proposal: { id: batch.id } } as never)) as { variantIds: string[]; changed: boolean };
				assert.deepEqual([once.changed, again.changed], [true, false]);
				assert.deepEqual(again.variantIds, once.variantIds);
				assert.deepEqual((await variants(acct)).map((r) => r.status), ['approved', 'approved', 'approved']);
			} finally {
				sb.clearFaults();
			}
		});

		test('a proposal whose enqueue never happened is offered again by the next run, with the same id and payload', async () => {
			const acct = account();
			const brief = briefClean(BRIEFS.plants, 'meta', 2);
			const first = await run({ brief, accountId: acct, campaignId: 'c-plants', count: 2 });
			assert.equal(first.proposals.length, 2);
			// Only the first proposal reaches the queue (say the Approval node failed after one).
			const queue = new ApprovalQueue({ store, notion: { token: sb.credentials.notion.token, baseUrl: sb.urls.notion, dataSourceId: sb.world.notion.approvalDataSourceId } });
			await queue.enqueue([first.proposals[0]!]);
			const second = await run({ brief, accountId: acct, campaignId: 'c-plants', count: 2 });
			assert.deepEqual(second.requeued.map((q) => q.variantId), [first.items[1]!.variantId]);
			assert.deepEqual(second.proposals.map((p) => p.id), [first.proposals[1]!.id]);
			assert.equal(createProposal(second.proposals[0]!).payloadHash, createProposal(first.proposals[1]!).payloadHash);
			const events = await queue.enqueue(second.proposals);
			assert.deepEqual(events.map((e) => [e.type, e.created]), [['queued', true]]);
			assert.deepEqual((await run({ brief, accountId: acct, campaignId: 'c-plants', count: 2 })).proposals, [], 'queued now: nothing offered again');
		});

		test('copy that breaks a hard rule is regenerated with the reason fed back; still failing after its attempts it is stored rejected_policy with the reasons', async () => {
			const brief = briefBreaking(BRIEFS.fleece, 'meta', 0);
			const expected = sandboxCreativeCopy({ brief, platform: 'meta' }, 0);
			const acct = account();
			const mark = lastSeq();
			const fixedRun = await run({ brief, accountId: acct, campaignId: 'c-fix', count: 1, maxAttempts: 2 });
			assert.equal(fixedRun.status, 'complete', fixedRun.message);
			assert.deepEqual(statuses(fixedRun), ['pending_approval']);
			assert.equal(fixedRun.items[0]!.attempts, 2);
			assert.deepEqual(fixedRun.items[0]!.variant!.headlines, expected.fixed.headlines);
			assert.deepEqual(fixedRun.requests.details.map((d) => [d.outcome, d.requested, d.repairs]), [['ok', 1, 0], ['ok', 1, 1]]);
			const repairPrompt = (requestsSince(mark, 'openai.chat')[1]!.body as { messages: Array<{ content: string }> }).messages[1]!.content;
			assert.match(repairPrompt, /<data name="variants_to_fix">[\s\S]*headlines\[0\] is \d+ characters; the limit is 40/);

			const held = await run({ brief, accountId: account(), campaignId: 'c-held', count: 1, maxAttempts: 1 });
			assert.equal(held.status, 'incomplete');
			const item = held.items[0]!;
			assert.equal(item.status, 'rejected_policy');
			assert.ok(item.violations.some((v) => v.rule === 'max_length' && v.severity === 'hard' && v.limit === 40));
			assert.match(item.reason, /Held back after 1 attempt: headlines\[0\] is \d+ characters; the limit is 40/);
			assert.equal(item.proposal, null);
			const [row] = await variants(held.accountId);
			assert.deepEqual([row!.id, row!.status, row!.verdict, row!.embedding, row!.proposal_id], [item.variantId, 'rejected_policy', null, null, null]);
			assert.equal(row!.rejection_reason, item.reason);
			assert.equal((await runRow(held.runId)).variants_policy, 1);

			// Policy: superlatives from the brief are blocked with their reason, and removed when regenerated; banned words are never written.
			const superlatives = 'Harbor cold brew: best taste, best value, best mornings, best price, best gift. For busy parents.';
			const bold = await run({ brief: superlatives, accountId: account(), campaignId: 'c-bold', count: 2, maxAttempts: 1, bannedWords: ['mornings'] });
			assert.deepEqual(statuses(bold), ['rejected_policy', 'rejected_policy'], bold.items.map((i) => i.reason).join('\n'));
			for (const i of bold.items) {
				assert.ok(i.findings.some((f) => f.ruleId === 'superlative' && f.severity === 'block'));
				assert.match(i.reason, /"best" — Superlatives and rank claims/);
				assert.doesNotMatch(variantNoveltyText(i.variant!), /mornings/i);
			}
			const repaired = await run({ brief: superlatives, accountId: account(), campaignId: 'c-bold', count: 2, maxAttempts: 2, bannedWords: ['mornings'] });
			assert.deepEqual(statuses(repaired), ['pending_approval', 'pending_approval'], repaired.items.map((i) => i.reason).join('\n'));
			for (const i of repaired.items) assert.doesNotMatch(variantNoveltyText(i.variant!), /\bbest\b|mornings/i);
		});

		test('OpenAI 429 is retried by the SDK; 429 and 500 beyond its retries end the run with a clear error and nothing stored', async () => {
			try {
				sb.injectFault({ route: 'openai.chat', kind: '429', retryAfter: 1, retryAfterMs: 30 });
				let mark = lastSeq();
				const retried = await run({ brief: briefClean(BRIEFS.fleece, 'meta', 2), accountId: account(), campaignId: 'c-429-once', count: 2 });
				assert.equal(retried.status, 'complete', retried.message);
				assert.deepEqual(requestsSince(mark, 'openai.chat').map((e) => e.status), [429, 200]);
				assert.deepEqual(statuses(retried), ['pending_approval', 'pending_approval']);

				for (const [fault, pattern] of [
					[{ route: 'openai.chat', kind: '429' as const, count: 10, retryAfterMs: 10 }, /OpenAI chat completion with model "gpt-4o-mini" was rate-limited \(HTTP 429\) and still was after the client's retries/],
					[{ route: 'openai.chat', kind: '5xx' as const, status: 500, count: 10, retryAfterMs: 10 }, /OpenAI chat completion with model "gpt-4o-mini" failed on OpenAI's side \(HTTP 500\) after the client's retries/],
				] as const) {
					sb.clearFaults();
					sb.injectFault(fault);
					mark = lastSeq();
					const acct = account();
					const res = await run({ accountId: acct, campaignId: 'c-failing', count: 2 });
					assert.equal(res.status, 'error');
					assert.match(res.message, pattern);
					assert.equal(requestsSince(mark, 'openai.chat').length, 3, 'the SDK tried 1 + maxRetries times, nothing on top');
					assert.deepEqual(statuses(res), ['missing', 'missing']);
					assert.match(res.items[0]!.reason, pattern);
					assert.deepEqual(res.requests.details.map((d) => d.outcome), ['error']);
					assert.deepEqual([res.proposals, await variants(acct)], [[], []]);
					const r = await runRow(res.runId);
					assert.equal(r.status, 'error');
					assert.match(r.message!, pattern);
					assert.deepEqual([r.prompt_tokens, r.completion_tokens, r.chat_requests], [0, 0, 1]);
				}

				// The embeddings call failing after generation: nothing unchecked is stored or queued.
				sb.clearFaults();
				sb.injectFault({ route: 'openai.embeddings', kind: '5xx', status: 503, count: 10, retryAfterMs: 10 });
				const acct = account();
				const res = await run({ brief: briefClean(BRIEFS.tasks, 'meta', 2), accountId: acct, campaignId: 'c-embed-down', count: 2 });
				assert.equal(res.status, 'error');
				assert.match(res.message, /Novelty check failed: OpenAI embeddings request with model "text-embedding-3-small" failed on OpenAI's side \(HTTP 503\)/);
				assert.deepEqual(statuses(res), ['not_checked', 'not_checked']);
				assert.deepEqual([res.proposals, await variants(acct)], [[], []]);
				const r = await runRow(res.runId);
				assert.equal(r.status, 'error');
				assert.ok(r.prompt_tokens > 0, 'the chat tokens spent are recorded');
			} finally {
				sb.clearFaults();
			}
		});

		test('schema-violating output and non-JSON content are invalid responses, retried in the next round; nothing unvalidated is stored', async () => {
			const brief = briefClean(BRIEFS.plants, 'meta', 2);
			let calls = 0;
			const off = sb.registerResponder('creative_variants', (input: ResponderInput) => {
				calls++;
				if (calls === 1) {
					const good = sandboxCreativeCopy({ brief, platform: 'meta' }, 1).fixed;
					return { variants: [{ headlines: 'Plants, delivered', descriptions: [], primaryText: 7, callToAction: null, copyAngle: 'x', rationale: 'y', extra: true }, good] };
				}
				if (calls === 2) return 'Sure! Here are two ads for your plant subscription: …';
				return creativeResponder(input);
			});
			try {
				const acct = account();
				const res = await run({ brief, accountId: acct, campaignId: 'c-junk', count: 2 });
				assert.equal(res.status, 'complete', res.message);
				const [r1, r2, r3] = res.requests.details;
				assert.deepEqual([r1!.outcome, r1!.received, r1!.accepted], ['ok', 2, 1]);
				assert.ok(r1!.issues.some((i) => /^variants\[0\]\.headlines: Expected array/.test(i)), r1!.issues.join('\n'));
				assert.ok(r1!.issues.some((i) => /^variants\[0\]/.test(i) && /extra|Unrecognized/.test(i)), r1!.issues.join('\n'));
				assert.deepEqual([r2!.outcome, r2!.finishReason], ['invalid', 'stop']);
				assert.match(r2!.detail!, /the content is not JSON/);
				assert.equal(r3!.outcome, 'ok');
				assert.deepEqual(statuses(res), ['pending_approval', 'pending_approval']);
				const rows = await variants(acct);
				assert.equal(rows.length, 2);
				assert.ok(rows.every((row) => row.headline !== 'Plants, delivered' && typeof row.primary_text === 'string'));

				// Junk in every round: the slots end missing, nothing is stored.
				calls = 0;
				const junk = sb.registerResponder('creative_variants', () => ({ variants: [{ headline: 'wrong shape' }] }));
				try {
					const acct2 = account();
					const bad = await run({ brief, accountId: acct2, campaignId: 'c-junk-2', count: 1, maxAttempts: 2 });
					assert.equal(bad.status, 'incomplete');
					assert.deepEqual(bad.requests.details.map((d) => d.outcome), ['invalid', 'invalid']);
					assert.deepEqual(statuses(bad), ['missing']);
					assert.match(bad.items[0]!.reason, /No valid variant was produced .*invalid "no variant in the response matches the schema"/);
					assert.deepEqual(await variants(acct2), []);
				} finally {
					junk();
				}
			} finally {
				off();
			}
		});

		test('a refusal is a clear outcome: retried in the next round, reported with its text when it persists', async () => {
			const brief = briefClean(BRIEFS.coffee, 'linkedin', 1);
			let refuse = 1;
			const off = sb.registerResponder('creative_variants', (input: ResponderInput) => (refuse-- > 0 ? { refusal: "I can't help with advertising this product." } : creativeResponder(input)));
			try {
				const once = await run({ brief, platform: 'linkedin', accountId: account(), campaignId: 'c-refuse-once', count: 1 });
				assert.equal(once.status, 'complete', once.message);
				assert.deepEqual(once.requests.details.map((d) => [d.outcome, d.message]), [['refusal', "I can't help with advertising this product."], ['ok', null]]);
				assert.deepEqual(statuses(once), ['pending_approval']);

				refuse = Infinity;
				const acct = account();
				const res = await run({ brief, platform: 'linkedin', accountId: acct, campaignId: 'c-refuse', count: 2 });
				assert.equal(res.status, 'incomplete');
				assert.deepEqual(res.requests.details.map((d) => d.outcome), ['refusal', 'refusal', 'refusal']);
				assert.deepEqual(statuses(res), ['missing', 'missing']);
				assert.match(res.items[0]!.reason, /refusal "I can't help with advertising this product\."/);
				assert.match(res.message, /0 queued for approval, 2 not produced/);
				assert.deepEqual([res.proposals, await variants(acct)], [[], []]);
				const r = await runRow(res.runId);
				assert.deepEqual([r.status, r.chat_requests, r.variants_missing], ['incomplete', 3, 2]);
				assert.ok(r.prompt_tokens > 0);
			} finally {
				off();
			}
		});

		test('the token budget stops the run cleanly: before the first request, or before a regeneration', async () => {
			const tiny = await run({ accountId: account(), campaignId: 'c-tiny', maxTokens: 100 });
			assert.equal(tiny.status, 'budget_exhausted');
			assert.match(tiny.message, /budget exhausted after 0 variant\(s\): 0 of 100 tokens used/);
			assert.deepEqual([tiny.requests.chat, tiny.usage.totalTokens, tiny.proposals.length], [0, 0, 0]);
			assert.deepEqual(statuses(tiny), ['missing', 'missing', 'missing']);
			const tinyRow = await runRow(tiny.runId);
			assert.deepEqual([tinyRow.status, tinyRow.token_budget, tinyRow.prompt_tokens, tinyRow.chat_requests], ['budget_exhausted', 100, 0, 0]);

			// Same prompt size twice (no grounding, campaign ids of equal length): measure round 1, then allow only it.
			const brief = briefBreaking(BRIEFS.tasks, 'meta', 0, [1]);
			const measured = await run({ brief, accountId: account(), campaignId: 'c-budget-1', count: 2 });
			assert.equal(measured.requests.chat, 2);
			const round1 = measured.requests.details[0]!.usage;
			const budget = round1.promptTokens + round1.completionTokens + 20;
			const acct = account();
			const res = await run({ brief, accountId: acct, campaignId: 'c-budget-2', count: 2, maxTokens: budget });
			assert.equal(res.status, 'budget_exhausted');
			assert.equal(res.requests.chat, 1);
			assert.deepEqual(statuses(res), ['rejected_policy', 'pending_approval']);
			assert.match(res.items[0]!.reason, /the token budget ran out before it could be regenerated/);
			assert.equal(res.proposals.length, 1);
			assert.deepEqual(res.budget, { maxTokens: budget, remaining: 20 });
			const r = await runRow(res.runId);
			assert.deepEqual([r.status, r.token_budget, r.prompt_tokens + r.completion_tokens, r.variants_queued, r.variants_policy], ['budget_exhausted', budget, budget - 20, 1, 1]);
			assert.match(r.message!, /budget exhausted after 1 variant/);
		});

		test('Check novelty of hand-written copy: verdicts with the nearest past variant, nothing stored but embeddings', async () => {
			const acct = account();
			const brief = briefClean(BRIEFS.fleece, 'meta', 2);
			const seeded = await run({ brief, accountId: acct, campaignId: 'c-hand', count: 2 });
			assert.deepEqual(statuses(seeded), ['pending_approval', 'pending_approval']);
			const [a] = await variants(acct);
			const exact = rowNoveltyText(a!);
			const edited = exact.replace(/\.\s*$/, '!').replace(/\b(simple|every|with|for|the)\b/i, (w) => `${w} really`);
			const fresh = 'Quarterly payroll exports for accountants, one click.';
			const rowsBefore = await variants(acct);
			const mark = lastSeq();
			const res = await checkNoveltyOfCopy({ accountId: acct, platform: 'meta', texts: [exact, edited, fresh] }, { store, openai, embeddingModel: EMBEDDING_MODEL });
			assert.equal(res.items[0]!.verdict, 'duplicate');
			assert.ok(['near_duplicate', 'duplicate'].includes(res.items[1]!.verdict), res.items[1]!.reason);
			assert.equal(res.items[2]!.verdict, 'novel');
			assert.equal(res.items[0]!.nearest!.id, a!.id);
			assert.equal(res.items[1]!.nearest!.id, a!.id);
			assert.match(res.items[0]!.reason, new RegExp(`Duplicate of past variant ${a!.id}`));
			assert.deepEqual(embeddedTexts(mark), [edited, fresh], 'cached past vectors and the exact copy of one are not sent');
			assert.deepEqual(await variants(acct), rowsBefore, 'nothing stored');
			assert.equal(res.pastVariants, 2);

			// Offline embedder: no network, and it never overwrites the stored OpenAI vectors.
			const offline = await checkNoveltyOfCopy({ accountId: acct, texts: [exact, fresh] }, { store, embeddingModel: null });
			assert.equal(offline.embeddingModel, 'adops-offline-v2@512');
			assert.deepEqual(offline.items.map((i) => i.verdict), ['duplicate', 'novel']);
			assert.equal(offline.embeddingsCached, 0);
			assert.ok((await variants(acct)).every((row) => row.embedding_model === STORED_MODEL));
			await assert.rejects(checkNoveltyOfCopy({ accountId: acct, texts: [] }, { store, embeddingModel: null }), /texts must hold 1 to 500/);
		});

		test('invalid input is refused before anything is recorded', async () => {
			const before = (await store.select('creative_runs')).length;
			await assert.rejects(run({ accountId: ' ', campaignId: 'c' }), /accountId must not be empty/);
			await assert.rejects(run({ accountId: 'a', campaignId: 'c', count: 0 }), /count must be a whole number from 1 to 50/);
			await assert.rejects(run({ accountId: 'a', campaignId: 'c', thresholds: { lexical: { nearDuplicate: 2 } } }), /novelty thresholds: lexical.nearDuplicate/);
			await assert.rejects(run({ accountId: 'a', campaignId: 'c', metric: 'cpm' as never }), /metric must be roas, cpa or ctr/);
			await assert.rejects(run({ accountId: 'a', campaignId: 'c', maxTokens: 0 }), /maxTokens/);
			assert.equal((await store.select('creative_runs')).length, before);
		});
	});
}

registerSuite('PGlite', () => openStore({ kind: 'embedded', path: pgliteDir }));
afterAll(() => rmSync(pgliteDir, { recursive: true, force: true }));

if (DATABASE_URL) {
	const schema = `adops_creative_${randomBytes(5).toString('hex')}`;
	registerSuite(`PostgreSQL (schema ${schema})`, () => openStore({ kind: 'postgres', connectionString: DATABASE_URL, ssl: 'disable', schema }));
	afterAll(async () => {
		const admin = new Pool({ connectionString: DATABASE_URL, max: 1 });
		await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
		await admin.end();
	});
}
