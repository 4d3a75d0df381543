// workflows/creative.json's weekly fatigue path on n8n-core against the sandbox (OpenAI, Notion, Slack) and the
// store: Every Monday 08:30 — Fatigue Check → Check Fatigue (AdOps Ingest) → the shipped Write Variants → Queue
// for Approval → Ask for Approval. The store holds two Meta ads of one account: one whose CTR fell from 2 % to
// 1.1 % over its last 7 days (published from a stored variant, so its copy is known) and one steady at 2 %.
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { RowInput } from '../../nodes/shared/schema/rows';
import { readWorkflow, startEngine, type Engine, type WorkflowJson } from './harness';
import { expectPaired, json, slackPosts } from './expect';
import { approvalCards, withStore } from './world';

const ACCOUNT = 'act-fatigue';
const TIRED = { campaignId: 'cmp-tired', campaignName: 'Spring rain', adGroupId: 'set-1', adId: '120000000000001', adName: 'Hero: stay dry' };
const HEALTHY = { campaignId: 'cmp-healthy', campaignName: 'Winter fleece', adGroupId: 'set-2', adId: '120000000000002', adName: 'Fleece carousel' };
const TRIGGER = 'Every Monday 08:30 — Fatigue Check';
const DAYS = 40;

/** `DAYS` days to yesterday; the CTR `ctrAt(t)` (t = 0 the first day) on 20,000 to 23,000 impressions a day. */
function adDays(ad: typeof TIRED, ctrAt: (t: number) => number): Array<RowInput<'ad_performance'>> {
	return Array.from({ length: DAYS }, (_, t) => {
		const date = new Date(Date.now() - (DAYS - t) * 86_400_000).toISOString().slice(0, 10);
		const impressions = 20_000 + ((t * 7919) % 3_000);
		return {
			date,
			platform: 'meta',
			account_id: ACCOUNT,
			campaign_id: ad.campaignId,
			campaign_name: ad.campaignName,
			ad_group_id: ad.adGroupId,
			ad_group_name: null,
			ad_id: ad.adId,
			ad_name: ad.adName,
			currency: 'USD',
			spend: 150,
			impressions,
			clicks: Math.round(impressions * ctrAt(t)),
			conversions: 3,
			revenue: 240,
		} as RowInput<'ad_performance'>;
	});
}

describe('workflows/creative.json: the weekly fatigue check writes replacements for the fatigued ad only', () => {
	let engine: Engine;
	let workflow: WorkflowJson;
	const approvalRequests = () => slackPosts(engine.sandbox).filter((m) => JSON.stringify(m.blocks).includes('Approval needed')).length;
	const cards = () => approvalCards(engine.sandbox, 'creative');

	beforeAll(async () => {
		engine = await startEngine({ seed: 43, storePrefix: 'adops-engine-creative-fatigue' });
		workflow = readWorkflow('creative.json');
		await withStore(engine, async (store) => {
			await store.upsert('ad_performance', [...adDays(TIRED, (t) => (t >= DAYS - 7 ? 0.011 : 0.02)), ...adDays(HEALTHY, () => 0.02)]);
			// the campaigns' own days, which Write Variants grounds on
			await store.upsert(
				'campaign_performance',
				[TIRED, HEALTHY].flatMap((c) => Array.from({ length: 14 }, (_, i) => ({ date: new Date(Date.now() - (i + 1) * 86_400_000).toISOString().slice(0, 10), platform: 'meta', account_id: ACCOUNT, campaign_id: c.campaignId, campaign_name: c.campaignName, currency: 'USD', spend: 300, impressions: 40_000, clicks: 600, conversions: 6, revenue: 480 }) as RowInput<'campaign_performance'>)),
			);
			// the tired ad was published from a stored variant: its copy is what the replacements move away from
			await store.upsert('creative_variants', [
				{ platform: 'meta', account_id: ACCOUNT, campaign_id: TIRED.campaignId, content_hash: 'published-hero', headline: 'Stay dry on every ride', primary_text: 'Our shell keeps the rain out from door to desk.', description: null, copy_angle: 'weatherproof', status: 'published', platform_ad_id: TIRED.adId, published_at: new Date(Date.now() - DAYS * 86_400_000).toISOString() },
			]);
		});
	});
	afterAll(async () => {
		await engine?.close();
	});

	test('one refresh brief, for the fatigued ad\'s campaign, reaches Write Variants; its variants become one Notion card and one Slack request; the healthy ad gets nothing', async () => {
		const cardsBefore = (await cards()).length;
		const requestsBefore = approvalRequests();
		const run = await engine.run(workflow, { start: TRIGGER, mode: 'trigger' });
		expect(run.status, run.error?.message).toBe('success');
		expect(run.ran('Active Campaigns'), 'the Monday 09:00 path does not run').toBe(false);

		const fatigued = json(run.items('Check Fatigue'));
		expect(fatigued.map((f) => [f.platform, f.accountId, f.campaignId, f.campaignName, f.adId])).toEqual([['meta', ACCOUNT, TIRED.campaignId, TIRED.campaignName, TIRED.adId]]);
		const brief = String(fatigued[0]!.brief);
		expect(brief).toMatch(/^Replacement copy for a fatigued Meta ad: ad "Hero: stay dry" \(120000000000001\) in campaign "Spring rain" \(cmp-tired\), account act-fatigue\. Its click-through rate fell \d+ % against its own past: from 2\.00 % over the 28 days \S+ to \S+ to 1\.\d\d % over the \d+ days since \S+ \(weekdays taken into account\)\. The ad is 40 days old\. /);
		expect(brief).toMatch(/different angle than its current copy: headline "Stay dry on every ride"; text "Our shell keeps the rain out from door to desk\."; angle "weatherproof"\.$/);

		// Write Variants ran once, on that item, for that campaign
		expect(run.tasks('Write Variants')).toHaveLength(1);
		const [queued, held] = run.outputs('Write Variants');
		expect(queued).toHaveLength(1);
		const proposal = queued![0]!.json as { variants?: unknown[]; proposal: { payload: { platform: string; accountId: string; campaignId: string } } };
		// the healthy campaign may be named in the grounding (the account's past), never as the campaign the copy is for
		expect(proposal.proposal.payload).toMatchObject({ platform: 'meta', accountId: ACCOUNT, campaignId: TIRED.campaignId });
		const variants = (Array.isArray(proposal.variants) ? proposal.variants.length : 1) + held!.filter((i) => i.json.digest !== true).length;
		expect(variants, 'five variants asked for (Write Variants: Variants 5)').toBe(5);

		expect(json(run.items('Queue for Approval')).map((e) => [e.type, e.created])).toEqual([['queued', true]]);
		expect(run.items('Ask for Approval')).toHaveLength(1);
		expect((await cards()).length - cardsBefore).toBe(1);
		expect(approvalRequests() - requestsBefore).toBe(1);
		expectPaired(run);

		const stored = await withStore(engine, async (store) => ({
			runs: await store.select('creative_runs', {}),
			healthy: await store.select('creative_variants', { where: { campaign_id: HEALTHY.campaignId } }),
			pending: await store.select('creative_variants', { where: { campaign_id: TIRED.campaignId, status: 'pending_approval' } }),
		}));
		expect(stored.runs.map((r) => [r.platform, r.account_id, r.campaign_id])).toEqual([['meta', ACCOUNT, TIRED.campaignId]]);
		expect(stored.runs[0]!.brief_hash, 'the run wrote from the refresh brief').toBe(createHash('sha256').update(brief).digest('hex'));
		expect(stored.healthy).toEqual([]);
		expect(stored.pending.length).toBe(Array.isArray(proposal.variants) ? proposal.variants.length : 1);
	});

	test('a rerun (the same week\'s numbers) queues nothing new: no card, no Slack request, no second pending row', async () => {
		const cardsBefore = (await cards()).length;
		const requestsBefore = approvalRequests();
		const pendingBefore = (await withStore(engine, (store) => store.select('creative_variants', { where: { status: 'pending_approval' } }))).length;
		const run = await engine.run(workflow, { start: TRIGGER, mode: 'trigger' });
		expect(run.status, run.error?.message).toBe('success');
		expect(run.items('Check Fatigue')).toHaveLength(1);
		expect(run.items('Write Variants', 0)).toHaveLength(0);
		const again = json(run.items('Write Variants', 1)).filter((i) => i.digest !== true);
		expect(again.every((i) => i.status === 'already_stored' || i.status === 'rejected_duplicate'), JSON.stringify(again.map((i) => [i.status, i.reason]))).toBe(true);
		expect(run.ran('Queue for Approval')).toBe(false);
		expect((await cards()).length).toBe(cardsBefore);
		expect(approvalRequests()).toBe(requestsBefore);
		expect((await withStore(engine, (store) => store.select('creative_variants', { where: { status: 'pending_approval' } }))).length).toBe(pendingBefore);
	});

	test('no fatigued ad: Check Fatigue outputs no item and the path stops there (no brief, no Write Variants)', async () => {
		await withStore(engine, (store) => store.upsert('ad_performance', adDays(TIRED, () => 0.02)));
		const run = await engine.run(workflow, { start: TRIGGER, mode: 'trigger' });
		expect(run.status, run.error?.message).toBe('success');
		expect(run.ran('Check Fatigue')).toBe(true);
		expect(run.items('Check Fatigue')).toHaveLength(0);
		expect(run.ran('Write Variants')).toBe(false);
	});

	test('the shipped workflow: Execute workflow still starts Run Now (the fatigue schedule is one more trigger after it)', () => {
		const nodes = workflow.nodes as Array<{ name: string; type: string }>;
		expect(nodes[0]!.name).toBe('Run Now');
		expect(nodes.find((n) => n.name === TRIGGER)?.type).toBe('n8n-nodes-base.scheduleTrigger');
		expect(workflow.connections[TRIGGER]).toEqual({ main: [[{ node: 'Check Fatigue', type: 'main', index: 0 }]] });
		expect(workflow.connections['Check Fatigue']).toEqual({ main: [[{ node: 'Write Variants', type: 'main', index: 0 }]] });
	});
});
