// workflows/budget-plan.json run in-process by n8n-core against the sandbox (issue 19): the lab Meta account of
// scripts/sandbox/allocation.ts (five campaigns on known response curves, 180 days stored as ingest stores them).
// Run Now → AdOps Optimizer Plan Budget → AdOps Approval enqueue → AdOps Alert: the plan posts its charts to Slack
// once, each moved campaign becomes one Notion card and nothing changes on Meta; a rerun while they wait proposes
// nothing; approving them and Execute Approved (with the Meta credential) sets exactly the proposed budgets once, a
// budget changed in Ads Manager after the proposal is refused and reported, a second execution sends nothing; planned
// again at once, the campaigns just changed meet the cooldown gate (reported, not proposed). One proposal for the
// whole plan: one card, executed through AdOps Approval's budget_plan executor, every budget once.
// Bad input through the node: all locked, a total below the floors, mixed currencies without FX, no history to fit,
// one campaign.
import { test, describe, beforeAll, afterAll, expect } from 'vitest';
import type { RowInput } from '../../nodes/shared/schema/rows';
import { addAllocationAccount, allocationTruth, ALLOCATION_ACCOUNT_ID } from '../../scripts/sandbox/allocation';
import { applyCampaignChange, type AdAccount } from '../../scripts/sandbox/world';
import { readWorkflow, startEngine, type Engine, type WorkflowJson } from './harness';
import { ALERTS, expectPaired, json, slackPosts } from './expect';
import { approvalCards, cardText, withStore } from './world';

const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

describe('workflows/budget-plan.json on n8n-core: a weekly plan becomes proposals, approved budgets change once through the gates', () => {
	let engine: Engine;
	let lab: AdAccount;
	/** The workflow with Plan Budget narrowed to the lab account (the shipped one plans every account of its credentials). */
	let workflow: WorkflowJson;
	const metaWrites = () => engine.sandbox.requests({ route: 'meta.update' }).filter((r) => r.method === 'POST' && lab.campaigns.some((c) => r.path.includes(c.id))).length;
	const planNode = (parameters: Record<string, unknown>) => ({
		name: 'Plan',
		type: 'adOpsOptimizer',
		typeVersion: 1.1,
		parameters: { operation: 'planBudget', planScope: 'account', planPlatform: 'meta', planAccountId: ALLOCATION_ACCOUNT_ID, objective: 'conversions', totalBudget: 0, maxStepPct: 20, lockedCampaigns: '', proposalMode: 'campaign', planOptions: {}, ...parameters },
		credentials: { ...engine.credentialRef('adOpsStoreApi'), ...engine.credentialRef('adOpsMetaAdsApi') },
	});
	async function decideAll(ids: string[], status: 'Approved' | 'Rejected', kind = 'optimization'): Promise<void> {
		const cards = await approvalCards(engine.sandbox, kind);
		for (const id of ids) {
			const card = cards.find((c) => cardText(c, 'Proposal ID') === id);
			expect(card, `card of ${id}`).toBeDefined();
			const res = await fetch(`${engine.sandbox.url}/_admin/notion/pages/${card!.id}/edit`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user: 'Maya Lopez', properties: { Status: { status: { name: status } } } }) });
			expect(res.status, await res.text()).toBe(200);
		}
	}

	beforeAll(async () => {
		engine = await startEngine({ seed: 19 });
		lab = addAllocationAccount(engine.sandbox.world);
		const rows: Array<RowInput<'campaign_performance'>> = lab.campaigns.flatMap((c) =>
			c.daily.map((d) => ({ date: d.date, platform: 'meta', account_id: lab.id, campaign_id: c.id, campaign_name: c.name, currency: lab.currency, spend: d.spend, impressions: d.impressions, clicks: d.clicks, conversions: d.conversions, revenue: d.revenue, leads: d.leads }) as RowInput<'campaign_performance'>),
		);
		await withStore(engine, (store) => store.upsert('campaign_performance', rows));
		workflow = readWorkflow('budget-plan.json');
		const plan = workflow.nodes.find((n) => n.name === 'Plan Budget')!;
		plan.parameters = { ...plan.parameters, planScope: 'account', planPlatform: 'meta', planAccountId: ALLOCATION_ACCOUNT_ID };
	}, 600_000);
	afterAll(async () => {
		await engine?.close();
	});

	test('the plan: charts in Slack once, one card per moved campaign, nothing changed on Meta; a rerun proposes nothing', async () => {
		const before = new Map(lab.campaigns.map((c) => [c.id, c.dailyBudget]));
		const posted = slackPosts(engine.sandbox, ALERTS).length;
		const run = await engine.run(workflow, { start: 'Run Now' });
		expect(run.status, run.error?.message).toBe('success');
		const [plan] = json(run.items('Plan Budget', 0));
		expect(plan, JSON.stringify(plan)).toMatchObject({ type: 'budget_plan', status: 'planned', scope: `Meta account ${ALLOCATION_ACCOUNT_ID}` });
		const campaigns = plan!.campaigns as Array<{ id: string; status: string; current: number; proposed: number; proposal?: { outcome: string; proposalId: string } }>;
		const moved = campaigns.filter((c) => c.status === 'moved');
		expect(moved.length).toBeGreaterThanOrEqual(3);
		for (const c of moved) expect(c.proposal?.outcome, JSON.stringify(c.proposal)).toBe('proposed');
		// the total is kept, every move within 20 %, and the plan buys more on the true curves than today's split
		const sum = (f: (c: (typeof campaigns)[number]) => number) => campaigns.reduce((s, c) => s + f(c), 0);
		expect(Math.abs(sum((c) => c.proposed) - sum((c) => c.current))).toBeLessThan(0.011);
		for (const c of campaigns) expect(Math.abs(c.proposed / c.current - 1)).toBeLessThanOrEqual(0.2 + 1e-9);
		const trueNow = sum((c) => allocationTruth(c.id, c.current));
		const trueNew = sum((c) => allocationTruth(c.id, c.proposed));
		expect(trueNew).toBeGreaterThan(trueNow);

		const proposals = json(run.items('Plan Budget', 1));
		expect(proposals.map((p) => (p.proposal as { id: string }).id).sort()).toEqual(moved.map((c) => c.proposal!.proposalId).sort());
		const queued = json(run.items('Queue Budget Proposals'));
		expect(queued.map((q) => [q.type, q.kind, q.status])).toEqual(moved.map(() => ['queued', 'optimization', 'pending']));
		expect(run.items('Ask for Budget Approval')).toHaveLength(moved.length);
		const cards = (await approvalCards(engine.sandbox, 'optimization')).filter((c) => moved.some((m) => m.proposal!.proposalId === cardText(c, 'Proposal ID')));
		expect(cards).toHaveLength(moved.length);
		for (const c of cards) expect(cardText(c, 'Impact')).toMatch(/^Part of budget plan \d{4}-W\d\d/);
		expectPaired(run);
		// the plan's charts: one message with the budgets and the top movers' curves
		const messages = slackPosts(engine.sandbox, ALERTS).slice(posted).filter((m) => (m.files ?? []).length > 0);
		expect(messages).toHaveLength(1);
		expect(messages[0]!.text).toMatch(/Budget plan/);
		expect(messages[0]!.files).toHaveLength(1 + Math.min(3, moved.length));
		for (const id of messages[0]!.files!) {
			const f = engine.sandbox.world.slack.files!.find((x) => x.id === id)!;
			expect(Buffer.from(f.bytes!.subarray(0, 8))).toEqual(PNG);
		}
		expect(plan!.slack).toMatchObject({ status: 'posted' });
		// nothing on Meta yet
		expect(metaWrites()).toBe(0);
		for (const c of lab.campaigns) expect(c.dailyBudget).toBe(before.get(c.id));

		// a rerun while the plan waits: nothing proposed, nothing posted
		const again = await engine.run(workflow, { start: 'Run Now' });
		expect(again.status, again.error?.message).toBe('success');
		const [pending] = json(again.items('Plan Budget', 0));
		expect(pending).toMatchObject({ status: 'pending', proposalsNew: 0 });
		expect(String(pending!.text)).toMatch(/still has \d+ proposals? waiting/);
		expect(again.items('Plan Budget', 1)).toHaveLength(0);
		expect(slackPosts(engine.sandbox, ALERTS).slice(posted).filter((m) => (m.files ?? []).length > 0)).toHaveLength(1);
		expect((await approvalCards(engine.sandbox, 'optimization')).length).toBe(cards.length);

		// approved; one budget edited in Ads Manager after the proposal: that one is refused, the others set exactly once
		const ids = moved.map((c) => c.proposal!.proposalId);
		await decideAll(ids, 'Approved');
		const approval = (parameters: Record<string, unknown>) => ({ name: 'Approval', type: 'adOpsApproval', typeVersion: 2, parameters: { queueOptions: {}, ...parameters }, credentials: { ...engine.credentialRef('adOpsStoreApi'), ...engine.credentialRef('adOpsNotionApi'), ...engine.credentialRef('adOpsMetaAdsApi') } });
		expect((await engine.runNode(approval({ resource: 'decision', operation: 'syncDecisions' }))).status).toBe('success');
		const edited = lab.campaigns.find((c) => c.id === moved[0]!.id)!;
		applyCampaignChange(engine.sandbox.world, edited, { dailyBudget: Math.round(edited.dailyBudget * 105) / 100 });
		const editedTo = edited.dailyBudget;
		const execute = approval({ resource: 'proposal', operation: 'executeApproved', executeOptions: {} });
		const done = await engine.runNode(execute);
		expect(done.status, done.error?.message).toBe('success');
		const events = json(done.items('Approval')).filter((e) => ids.includes(String(e.proposalId)));
		const byId = new Map(events.map((e) => [String(e.proposalId), e]));
		expect(byId.get(moved[0]!.proposal!.proposalId)?.type).toBe('failed');
		expect(JSON.stringify(byId.get(moved[0]!.proposal!.proposalId))).toMatch(/budget|changed|stale/i);
		for (const c of moved.slice(1)) expect(byId.get(c.proposal!.proposalId)?.type, JSON.stringify(byId.get(c.proposal!.proposalId))).toBe('executed');
		expect(metaWrites()).toBe(moved.length - 1);
		for (const c of moved.slice(1)) expect(lab.campaigns.find((x) => x.id === c.id)!.dailyBudget).toBe(c.proposed);
		expect(edited.dailyBudget).toBe(editedTo);
		for (const c of campaigns.filter((x) => x.status !== 'moved')) expect(lab.campaigns.find((x) => x.id === c.id)!.dailyBudget).toBe(before.get(c.id));
		// executed again: nothing sent
		const twice = await engine.runNode(execute);
		expect(twice.status, twice.error?.message).toBe('success');
		expect(json(twice.items('Approval')).filter((e) => ids.includes(String(e.proposalId)) && e.type === 'executed')).toEqual([]);
		expect(metaWrites()).toBe(moved.length - 1);

		// planned again right away: nothing waits any more, and a change of a campaign the plan just moved meets the
		// 24 h cooldown: refused by the gates and reported (in the plan's words and the gated output), not proposed
		const next = await engine.runNode(planNode({}));
		expect(next.status, next.error?.message).toBe('success');
		const [plan2] = json(next.items('Plan', 0));
		expect(plan2).toMatchObject({ status: 'planned' });
		const executedIds = new Set(moved.slice(1).map((c) => c.id));
		const again2 = (plan2!.campaigns as typeof campaigns).filter((c) => c.status === 'moved' && executedIds.has(c.id));
		expect(again2.length).toBeGreaterThan(0);
		for (const c of again2) {
			expect(c.proposal?.outcome).toBe('gated');
			expect((c.proposal as unknown as { reasons: string[] }).reasons.join(' ')).toMatch(/cooldown/i);
		}
		expect(String(plan2!.text)).toMatch(/refused by the gates/);
		const gatedItems = json(next.items('Plan', 2));
		for (const c of again2) expect(gatedItems.some((g) => (g.entity as { campaignId: string }).campaignId === c.id && g.outcome === 'gated')).toBe(true);
		for (const p of json(next.items('Plan', 1))) expect(executedIds.has((p.entity as { campaignId: string }).campaignId)).toBe(false);
		expect(metaWrites()).toBe(moved.length - 1);
	}, 300_000);

	test('bad input is refused in words, never a partial plan: all locked, total below the floors, mixed currencies without FX, nothing to fit, one campaign', async () => {
		const refusal = async (parameters: Record<string, unknown>) => {
			const run = await engine.runNode(planNode(parameters));
			expect(run.status, run.error?.message).toBe('success');
			const [item] = json(run.items('Plan', 0));
			expect(item, JSON.stringify(item)).toMatchObject({ type: 'budget_plan', status: 'refused' });
			expect(run.items('Plan', 1)).toHaveLength(0);
			return `${String(item!.reason)} | ${(item!.problems as string[]).join(' | ')}`;
		};
		expect(await refusal({ lockedCampaigns: lab.campaigns.map((c) => c.id).join(', ') })).toMatch(/nothing to plan: all 5 campaigns are locked or held.*locked by the plan settings/);
		expect(await refusal({ totalBudget: 100, planOptions: { floor: 50 } })).toMatch(/the total 100\.00 USD is below what the campaigns must get/);
		// the sandbox's two Meta accounts budget in USD and EUR; fx_rates is empty
		const mixed = await refusal({ planScope: 'platform', planOptions: { currency: 'USD' } });
		expect(mixed).toMatch(/mixed currencies without FX rates: EUR cannot be converted into USD/);
		expect(mixed).toMatch(/no FX rate EUR→USD/);
		// an account whose history is not in the store: every curve fails to fit, each named
		const other = engine.sandbox.world.accounts.find((a) => a.platform === 'meta' && a.currency === 'USD' && a.id !== lab.id)!;
		expect(await refusal({ planAccountId: other.id })).toMatch(/nothing to plan.*no stored history/);
		// one active campaign
		const paused = lab.campaigns.slice(1);
		for (const c of paused) applyCampaignChange(engine.sandbox.world, c, { status: 'PAUSED' });
		try {
			expect(await refusal({})).toMatch(/only one campaign in scope \(Lab \| Prospecting \| Saturated\)/);
		} finally {
			for (const c of paused) applyCampaignChange(engine.sandbox.world, c, { status: 'ACTIVE' });
		}
	}, 300_000);

	test('one proposal for the whole plan: one card; approved, Execute Approved sets every proposed budget once', async () => {
		// max revenue (a plan of its own); no cooldown: the first test has just moved these campaigns
		const run = await engine.runNode(planNode({ objective: 'revenue', proposalMode: 'plan', planOptions: { cooldownHours: 0, maxDailyChangePct: 100 } }));
		expect(run.status, run.error?.message).toBe('success');
		const [plan] = json(run.items('Plan', 0));
		expect(plan, JSON.stringify(plan)).toMatchObject({ status: 'planned', proposalsNew: 1 });
		const moved = (plan!.campaigns as Array<{ id: string; status: string; proposed: number; proposal?: { outcome: string } }>).filter((c) => c.status === 'moved');
		expect(moved.length).toBeGreaterThanOrEqual(2);
		const [item] = json(run.items('Plan', 1));
		const whole = item!.proposal as { id: string; kind: string; payload: { changes: Array<{ campaignId: string; budgetAfter: number }> } };
		expect(whole.kind).toBe('budget_plan');
		expect(whole.payload.changes.map((c) => c.campaignId).sort()).toEqual(moved.map((c) => c.id).sort());
		for (const c of moved) expect(c.proposal?.outcome).toBe(`proposed in ${whole.id}`);
		const approval = (parameters: Record<string, unknown>) => ({ name: 'Approval', type: 'adOpsApproval', typeVersion: 2, parameters: { queueOptions: {}, ...parameters }, credentials: { ...engine.credentialRef('adOpsStoreApi'), ...engine.credentialRef('adOpsNotionApi'), ...engine.credentialRef('adOpsMetaAdsApi') } });
		const queued = json((await engine.runNode(approval({ resource: 'proposal', operation: 'enqueue', proposal: '={{ $json.proposal }}' }), [{ proposal: whole }])).items('Approval'));
		expect(queued.map((q) => [q.type, q.kind, q.status])).toEqual([['queued', 'budget_plan', 'pending']]);
		const sent = metaWrites();
		await decideAll([whole.id], 'Approved', 'budget_plan');
		expect((await engine.runNode(approval({ resource: 'decision', operation: 'syncDecisions' }))).status).toBe('success');
		const execute = approval({ resource: 'proposal', operation: 'executeApproved', executeOptions: {} });
		const done = await engine.runNode(execute);
		expect(done.status, done.error?.message).toBe('success');
		const events = json(done.items('Approval')).filter((e) => e.proposalId === whole.id);
		expect(events.map((e) => e.type), JSON.stringify(events)).toEqual(['executed']);
		for (const c of whole.payload.changes) expect(lab.campaigns.find((x) => x.id === c.campaignId)!.dailyBudget).toBe(c.budgetAfter);
		expect(metaWrites() - sent).toBe(whole.payload.changes.length);
		const twice = await engine.runNode(execute);
		expect(json(twice.items('Approval')).filter((e) => e.proposalId === whole.id)).toEqual([]);
		expect(metaWrites() - sent).toBe(whole.payload.changes.length);
	}, 300_000);
});
