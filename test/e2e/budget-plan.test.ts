// workflows/budget-plan.json and workflows/approvals.json in real n8n 2.40.7 against the sandbox and the store
// (PostgreSQL when DATABASE_URL is set, as in CI; PGlite otherwise), one n8n instance for the whole file (issue 19).
// The sandbox's lab Meta account (scripts/sandbox/allocation.ts: five campaigns on known response curves) with its
// 180 days stored as ingest stores them. Plan Budget is narrowed to that account as a user narrows it; everything else
// runs as shipped (one proposal per changed campaign, Run Now started by `n8n execute` through the Manual Trigger (CLI)).
// 1. A person edited one campaign in Ads Manager 3 h ago: the weekly plan posts its PNG charts to Slack once, becomes one
//    Notion card per other moved campaign, and reports that campaign's change as refused by the gates (cooldown), in
//    words (in the plan item and its Slack message, on the gated output); nothing changes on Meta. A rerun while the
//    cards wait proposes nothing and posts nothing.
// 2. Approved in Notion, approvals.json (its Run Now: Read New Decisions → Execute Approved) sets exactly the proposed
//    budgets, one platform write each; a budget edited in Ads Manager after the proposal is refused (outside change),
//    reported on its card and in Slack, not forced; approvals run again: nothing sent.
import { test, beforeAll, afterAll, describe } from 'vitest';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startSandbox, sandboxN8nCredentials, type AdAccount, type Sandbox } from '../../scripts/sandbox';
import { addAllocationAccount, ALLOCATION_ACCOUNT_ID, ALLOCATION_CURVES } from '../../scripts/sandbox/allocation';
import type { RowInput } from '../../nodes/shared/schema/rows';
import type { Block } from '../../nodes/shared/alerts/message';
import { startN8n, type N8nHost, type WorkflowInput } from '../helpers/n8n';
import { jsonOutput, withStore } from '../helpers/with-store';
import { testStore } from '../helpers/store';
import { textsOf } from '../helpers/blocks';
import { approvalCards, cardText } from '../engine/world';

const ROOT = join(__dirname, '..', '..');
const ALERTS = 'C0ADOPSALR';
const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
type WfNode = { name: string; type: string; parameters: Record<string, unknown>; [k: string]: unknown };
type PlanRow = { id: string; name: string; status: string; current: number; proposed: number; proposal?: { outcome: string; proposalId: string | null; reasons: string[] } };

describe('workflows/budget-plan.json in real n8n: a weekly plan becomes cards and charts; approved, each budget changes once through the gates', () => {
	let sandbox: Sandbox;
	let n8n: N8nHost;
	let storeConfig: Parameters<typeof withStore>[0];
	let cleanup: () => Promise<void> = async () => undefined;
	let lab: AdAccount;
	let plan: WorkflowInput;
	let approvals: WorkflowInput;
	/** The campaign a person edited before the plan (its change meets the cooldown gate) and its budget after the edit. */
	const early = { id: ALLOCATION_CURVES[0]!.id, budget: 0 };
	/** From the first plan run: every campaign's row, and the proposals with their titles. */
	let rows: PlanRow[] = [];
	let proposals: Array<{ id: string; title: string; campaignId: string }> = [];
	const budgets = () => new Map(lab.campaigns.map((c) => [c.id, c.dailyBudget]));
	let before = new Map<string, number>();

	const channel = () => sandbox.world.slack.channels.find((c) => c.id === ALERTS)!;
	const posts = () => channel().messages.filter((m) => m.viaApi);
	const texts = (m: { text: string; blocks?: unknown[] }) => [m.text, ...((m.blocks ?? []) as Block[]).flatMap(textsOf)].join('\n');
	/** Budget writes to the lab campaigns through Meta's API (an edit in Ads Manager is another route). */
	const metaWrites = () => sandbox.requests({ route: 'meta.update' }).filter((r) => r.method === 'POST' && lab.campaigns.some((c) => r.path.includes(c.id))).length;
	const cardsOfPlan = async () => (await approvalCards(sandbox, 'optimization')).filter((c) => proposals.some((p) => p.id === cardText(c, 'Proposal ID')));

	async function editInAdsManager(campaignId: string, dailyBudget: number, hoursAgo: number): Promise<void> {
		const res = await fetch(`${sandbox.urls.meta}/_admin/campaigns/${campaignId}/edit`, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({ dailyBudget, who: 'Jane Doe', at: new Date(Date.now() - hoursAgo * 3_600_000).toISOString(), access_token: sandbox.credentials.meta.accessToken }),
		});
		assert.equal(res.status, 200, await res.text());
	}

	beforeAll(async () => {
		sandbox = await startSandbox({ seed: 19 });
		lab = addAllocationAccount(sandbox.world);
		const ts = await testStore('adops-e2e-budget-plan');
		storeConfig = ts.config;
		cleanup = ts.cleanup;
		const history: Array<RowInput<'campaign_performance'>> = lab.campaigns.flatMap((c) =>
			c.daily.map((d) => ({ date: d.date, platform: 'meta', account_id: lab.id, campaign_id: c.id, campaign_name: c.name, currency: lab.currency, spend: d.spend, impressions: d.impressions, clicks: d.clicks, conversions: d.conversions, revenue: d.revenue, leads: d.leads }) as RowInput<'campaign_performance'>),
		);
		await withStore(storeConfig, (store) => store.upsert('campaign_performance', history));
		// Jane trimmed the saturated campaign by 2 % in Ads Manager 3 hours ago (the plan cuts it further: within the 24 h cooldown)
		const saturated = lab.campaigns.find((c) => c.id === early.id)!;
		early.budget = Math.round(saturated.dailyBudget * 98) / 100;
		await editInAdsManager(early.id, early.budget, 3);

		plan = JSON.parse(await readFile(join(ROOT, 'workflows', 'budget-plan.json'), 'utf8')) as WorkflowInput;
		const node = (plan.nodes as unknown as WfNode[]).find((n) => n.name === 'Plan Budget')!;
		node.parameters = { ...node.parameters, planScope: 'account', planPlatform: 'meta', planAccountId: ALLOCATION_ACCOUNT_ID };
		approvals = JSON.parse(await readFile(join(ROOT, 'workflows', 'approvals.json'), 'utf8')) as WorkflowInput;

		n8n = await startN8n();
		// after the lab account exists: the Meta credential lists the world's Meta accounts
		await n8n.importCredentials(sandboxN8nCredentials(sandbox, ts.credential));
		await n8n.importWorkflows([plan, approvals]);
	});

	afterAll(async () => {
		await n8n?.dispose();
		await sandbox?.close();
		await cleanup();
	});

	test('the weekly plan: its PNG charts in Slack once, one Notion card per proposed change, a change the gates refuse reported in words, nothing changed on Meta; a rerun while it waits proposes and posts nothing', async () => {
		before = budgets();
		const postedBefore = posts().length;
		const run = await n8n.execute(plan.id as string);
		assert.equal(run.status, 'success', JSON.stringify(run.error));
		const [item] = jsonOutput(run, 'Plan Budget', 0);
		assert.equal(item?.type, 'budget_plan');
		assert.equal(item?.status, 'planned', JSON.stringify(item).slice(0, 3000));
		assert.equal(item?.scope, `Meta account ${ALLOCATION_ACCOUNT_ID}`);
		rows = item!.campaigns as PlanRow[];
		assert.equal(rows.length, lab.campaigns.length);
		// the total kept, every move within 20 % of today's budget
		const sum = (f: (r: PlanRow) => number) => rows.reduce((s, r) => s + f(r), 0);
		assert.ok(Math.abs(sum((r) => r.proposed) - sum((r) => r.current)) < 0.011, `total kept: ${sum((r) => r.current)} -> ${sum((r) => r.proposed)}`);
		for (const r of rows) assert.ok(Math.abs(r.proposed / r.current - 1) <= 0.2 + 1e-9, `${r.name}: ${r.current} -> ${r.proposed}`);
		assert.equal(rows.find((r) => r.id === early.id)?.current, early.budget, 'the plan starts from the budget Jane set');

		// the edited campaign's change: refused by the cooldown gate, named with who changed what, in the plan's words and on the gated output
		const gated = rows.find((r) => r.id === early.id)!;
		assert.equal(gated.status, 'moved', JSON.stringify(gated));
		assert.equal(gated.proposal?.outcome, 'gated', JSON.stringify(gated.proposal));
		assert.match(gated.proposal!.reasons.join(' '), /cooldown/);
		assert.match(gated.proposal!.reasons.join(' '), /Jane Doe/);
		assert.match(String(item!.text), /1 refused by the gates/);
		assert.match(String(item!.text), new RegExp(`Refused by the gates: ${gated.name.replace(/\|/g, '\\|')}: .*cooldown`));
		assert.doesNotMatch(String(item!.text), /[{}]/, 'words, not JSON');
		assert.deepEqual(
			jsonOutput(run, 'Plan Budget', 2).map((g) => [(g.entity as { campaignId: string }).campaignId, g.outcome]),
			[[early.id, 'gated']],
		);

		// every other moved campaign: one proposal, one Notion card (pending, with the plan on it)
		const moved = rows.filter((r) => r.status === 'moved' && r.id !== early.id);
		assert.ok(moved.length >= 2, `at least two changes to approve: ${JSON.stringify(rows.map((r) => [r.name, r.status, r.proposal?.outcome]))}`);
		for (const r of moved) assert.equal(r.proposal?.outcome, 'proposed', `${r.name}: ${JSON.stringify(r.proposal)}`);
		proposals = jsonOutput(run, 'Plan Budget', 1).map((p) => {
			const proposal = p.proposal as { id: string; title: string; payload: { campaignId: string; budgetAfter: number } };
			return { id: proposal.id, title: proposal.title, campaignId: proposal.payload.campaignId };
		});
		assert.deepEqual(proposals.map((p) => p.id).sort(), moved.map((r) => r.proposal!.proposalId).sort());
		assert.deepEqual(
			jsonOutput(run, 'Queue Budget Proposals').map((q) => [q.type, q.status]),
			moved.map(() => ['queued', 'pending']),
		);
		const cards = await cardsOfPlan();
		assert.equal(cards.length, moved.length, 'one card per proposed change');
		for (const c of cards) {
			assert.equal(c.properties.Status?.status?.name, 'Pending');
			assert.match(cardText(c, 'Impact'), /^Part of budget plan \d{4}-W\d\d for Meta account /);
			const r = moved.find((m) => m.proposal!.proposalId === cardText(c, 'Proposal ID'))!;
			assert.match(cardText(c, 'Proposed change'), new RegExp(r.proposed.toFixed(2).replace('.', '\\.')), `the card shows the proposed budget ${r.proposed}: ${cardText(c, 'Proposed change')}`);
		}

		// Slack: the plan with its charts (budgets, and the curves of the top movers) once, plus one approval request per card
		const posted = posts().slice(postedBefore);
		const withFiles = posted.filter((m) => (m.files ?? []).length > 0);
		assert.equal(withFiles.length, 1, `one message with the plan's charts: ${posted.map((m) => m.text).join(' | ')}`);
		assert.match(withFiles[0]!.text, /Budget plan/);
		// the refused change in the plan's message, with the gate's reason
		assert.match(texts(withFiles[0]!), new RegExp(`1 refused by the gates[^]*Refused by the gates: ${gated.name.replace(/\|/g, '\\|')}: .*cooldown`));
		assert.equal(withFiles[0]!.files!.length, 1 + Math.min(3, moved.length + 1));
		for (const id of withFiles[0]!.files!) {
			const f = sandbox.world.slack.files!.find((x) => x.id === id)!;
			assert.ok(f, `file ${id} in the sandbox's Slack`);
			assert.deepEqual(Buffer.from(f.bytes!.subarray(0, 8)), PNG, `${f.id} is a PNG`);
			assert.equal(f.bytes!.length, f.length);
		}
		assert.deepEqual((item!.slack as { status: string }).status, 'posted');
		const requests = posted.filter((m) => !m.threadTs && (m.files ?? []).length === 0);
		assert.equal(requests.length, moved.length, 'one approval request per card');
		for (const p of proposals) assert.ok(requests.some((m) => texts(m).includes(p.title)), `an approval request for "${p.title}"`);

		// nothing on Meta before approval
		assert.equal(metaWrites(), 0);
		assert.deepEqual(budgets(), before);

		// a rerun while the cards wait: nothing proposed, queued or posted
		const slackCount = posts().length;
		const again = await n8n.execute(plan.id as string);
		assert.equal(again.status, 'success', JSON.stringify(again.error));
		const [pending] = jsonOutput(again, 'Plan Budget', 0);
		assert.equal(pending?.status, 'pending', JSON.stringify(pending).slice(0, 2000));
		assert.equal(pending?.proposalsNew, 0);
		assert.match(String(pending!.text), new RegExp(`still has ${moved.length} proposals? waiting`));
		assert.equal(jsonOutput(again, 'Plan Budget', 1).length, 0);
		assert.equal(again.runData['Queue Budget Proposals'], undefined, 'nothing queued');
		assert.equal(posts().length, slackCount, 'nothing posted');
		assert.equal((await cardsOfPlan()).length, moved.length);
		assert.equal((await approvalCards(sandbox, 'optimization')).length, moved.length, 'no other card');
		assert.equal(metaWrites(), 0);
	});

	test('approved in Notion, approvals.json sets exactly the proposed budgets once; a budget edited in Ads Manager after the proposal is refused and reported, not forced; run again, nothing is sent', async () => {
		assert.ok(proposals.length >= 2, 'the plan of the first test');
		for (const c of await cardsOfPlan()) {
			const res = await fetch(`${sandbox.url}/_admin/notion/pages/${c.id}/edit`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user: 'Maya Lopez', properties: { Status: { status: { name: 'Approved' } } } }) });
			assert.equal(res.status, 200, await res.text());
		}
		// after the proposal, before its execution: Jane raises one proposed campaign's budget by 5 % in Ads Manager
		const stale = proposals[0]!;
		const staleBudget = Math.round(before.get(stale.campaignId)! * 105) / 100;
		await editInAdsManager(stale.campaignId, staleBudget, 0);
		const done = proposals.slice(1);

		const run = await n8n.execute(approvals.id as string);
		assert.equal(run.status, 'success', JSON.stringify(run.error));
		const decided = jsonOutput(run, 'Read New Decisions').filter((e) => proposals.some((p) => p.id === e.proposalId));
		assert.deepEqual(decided.map((e) => e.type).sort(), proposals.map(() => 'approved'));
		const executed = new Map(jsonOutput(run, 'Execute Approved').map((e) => [String(e.proposalId), e as { type: string; message: string }]));
		for (const p of done) assert.equal(executed.get(p.id)?.type, 'executed', `${p.title}: ${JSON.stringify(executed.get(p.id))}`);
		const refused = executed.get(stale.id);
		assert.equal(refused?.type, 'failed', JSON.stringify(refused));
		assert.match(refused!.message, /changed outside the package since the proposal/);
		assert.match(refused!.message, /Jane Doe/);

		// exactly the proposed budgets, one write each; the refused one keeps Jane's, the gated and unmoved ones theirs
		const now = budgets();
		for (const p of done) assert.equal(now.get(p.campaignId), rows.find((r) => r.id === p.campaignId)!.proposed, p.title);
		assert.equal(now.get(stale.campaignId), staleBudget, 'not forced');
		for (const r of rows.filter((x) => !proposals.some((p) => p.campaignId === x.id))) assert.equal(now.get(r.id), before.get(r.id), `${r.name} untouched`);
		assert.equal(metaWrites(), done.length, 'one platform write per executed change');

		// reported: the card and the proposal's Slack thread say why, in words
		const cards = await cardsOfPlan();
		const card = (id: string) => cards.find((c) => cardText(c, 'Proposal ID') === id)!;
		for (const p of done) assert.equal(card(p.id).properties.Status?.status?.name, 'Executed', p.title);
		assert.equal(card(stale.id).properties.Status?.status?.name, 'Failed');
		const result = cardText(card(stale.id), 'Result');
		assert.match(result, /changed outside the package since the proposal/);
		assert.doesNotMatch(result, /[{}]/, `words, not JSON: ${result}`);
		const root = posts().find((m) => !m.threadTs && texts(m).includes(stale.title))!;
		const thread = posts().filter((m) => m.threadTs === root.ts).map(texts);
		assert.ok(thread.some((t) => /Failed/.test(t) && /changed outside the package/.test(t)), `Slack says so in the thread: ${thread.join(' | ')}`);

		// the ledger: one succeeded change per executed proposal, none for the refused one
		const ledger = await withStore(storeConfig, (store) => store.select('action_ledger', { where: { kind: 'optimization' } }));
		assert.deepEqual(ledger.map((e) => e.status), done.map(() => 'succeeded'));
		const statuses = await withStore(storeConfig, (store) => store.select('approvals', { where: { proposal_id: { in: proposals.map((p) => p.id) } } }));
		assert.deepEqual(Object.fromEntries(statuses.map((s) => [s.proposal_id, s.status])), Object.fromEntries(proposals.map((p) => [p.id, p === stale ? 'failed' : 'executed'])));

		// approvals run again: no decision emitted twice, nothing executed, nothing sent
		const twice = await n8n.execute(approvals.id as string);
		assert.equal(twice.status, 'success', JSON.stringify(twice.error));
		assert.deepEqual(jsonOutput(twice, 'Read New Decisions').filter((e) => proposals.some((p) => p.id === e.proposalId)), [], 'each decision is read once');
		assert.deepEqual(twice.runData['Execute Approved'] ? jsonOutput(twice, 'Execute Approved').filter((e) => e.type === 'executed') : [], []);
		assert.equal(metaWrites(), done.length);
		assert.deepEqual(budgets(), now);
	});
});
