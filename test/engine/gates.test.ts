// Moved from test/e2e/gates.test.ts (issue 13): workflows/optimize.json (Mode switched to Live) against
// the sandbox and the store, on n8n-core in-process; nothing here needs the CLI. A person's budget edit in
// Ads Manager (the sandbox's admin route, served back through Meta's activities edge) blocks the next
// hourly run for that campaign, and Slack says why, naming the person; a rule asking more than its
// approval threshold becomes a Notion card that shows what was asked, what the caps allow and what
// executes if approved; approving it executes exactly that budget, once. The assertions are the e2e's.
import { test, beforeAll, afterAll, describe } from 'vitest';
import assert from 'node:assert/strict';
import type { Sandbox } from '../../scripts/sandbox';
import { parseRule, ruleToRow } from '../../nodes/shared/rules';
import type { WorkflowInput } from '../helpers/n8n';
import { jsonOutput as out } from '../helpers/with-store';
import { startEngine, type Engine } from './harness';
import { approvalsRunner, cli, liveOptimizeWorkflow, type EngineCli } from './cli';
import { slackPosts } from './expect';
import { approvalCards, cardText as text, pickCampaign, seedPerformance, withStore, type ApprovalCard, type PickedCampaign as Picked } from './world';

const ALWAYS = { metric: 'impressions', window: 'last_7_days', op: '>=', value: 0 };

describe('issue 13 gates: workflows/optimize.json (Live) and the approvals, as `n8n execute` ran them (moved from test/e2e/gates.test.ts)', () => {
	let engine: Engine;
	let sandbox: Sandbox;
	let n8n: EngineCli;
	let workflow: WorkflowInput;
	let approvals: WorkflowInput;
	let M1: Picked; // edited by Jane 3 h ago: +10 % is blocked by the 24 h cooldown
	let M2: Picked; // +60 % asked, the workflow allows 25 % per action and approval above 20 %: a card
	const start = new Map<string, number>();
	const used = new Set<string>();
	let planned = 0;

	const writes = () => sandbox.requests().filter((r) => r.method === 'POST' && r.route === 'meta.update');
	const slack = () => slackPosts(sandbox);
	const cards = () => approvalCards(sandbox, 'optimization');
	const allText = (p: ApprovalCard) => Object.keys(p.properties).map((k) => text(p, k)).join('\n');

	beforeAll(async () => {
		engine = await startEngine({ seed: 23, storePrefix: 'adops-engine-gates' });
		sandbox = engine.sandbox;
		M1 = pickCampaign(sandbox, 'meta', used);
		M2 = pickCampaign(sandbox, 'meta', used);
		for (const c of [M1, M2]) start.set(c.id, c.dailyBudget);
		const rule = (id: string, c: Picked, action: Record<string, unknown>) => parseRule({ id, name: `E2E ${id}`, priority: 50, scope: { campaignIds: [c.id] }, conditions: ALWAYS, action });
		await seedPerformance(engine, 35);
		await withStore(engine, (store) => store.insert('optimization_rules', [ruleToRow(rule('raise-m1', M1, { type: 'scale_budget', percent: 10 })), ruleToRow(rule('big-m2', M2, { type: 'scale_budget', percent: 60 }))]));
		workflow = liveOptimizeWorkflow();
		approvals = approvalsRunner('AdOpsGatesApprovals', 'e2e gates approvals', 'gates-e2e');
		n8n = cli(engine);
		n8n.importWorkflows([workflow, approvals]);
	});

	afterAll(async () => {
		await engine?.close();
	});

	test('an edit in Ads Manager blocks the next hourly run, and Slack says who changed what, when, against which cooldown', async () => {
		const edited = Math.round(start.get(M1.id)! * 130) / 100;
		const res = await fetch(`${sandbox.urls.meta}/_admin/campaigns/${M1.id}/edit`, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({ dailyBudget: edited, who: 'Jane Doe', at: new Date(Date.now() - 3 * 3_600_000).toISOString(), access_token: sandbox.credentials.meta.accessToken }),
		});
		assert.equal(res.status, 200, await res.text());
		const slackBefore = slack().length;
		const writesBefore = writes().length;
		const run = await n8n.execute(workflow.id as string);
		const alerts = out(run, 'Optimizer', 0);
		const m1 = alerts.find((i) => (i.rule as { name: string }).name === 'E2E raise-m1');
		assert.ok(m1, `the blocked decision goes to the alerts: ${JSON.stringify(alerts.map((i) => [(i.rule as { name: string }).name, i.outcome]))}`);
		assert.equal(m1.outcome, 'gated');
		assert.equal(M1.dailyBudget, edited, 'not changed by the package');
		assert.equal(writes().length - writesBefore, 0, 'no platform write for M1 (M2 waits for approval)');
		const posted = slack().slice(slackBefore).map((m) => JSON.stringify(m));
		const why = posted.find((m) => m.includes('E2E raise-m1'));
		assert.ok(why, `Slack hears about it: ${posted.join('\n').slice(0, 2000)}`);
		assert.match(why, new RegExp(`budget changed ${start.get(M1.id)!.toFixed(2)} → ${edited.toFixed(2)} USD by Jane Doe in Ads Manager at (\\d{4}-\\d{2}-\\d{2} )?\\d{2}:\\d{2}, 3(\\.\\d+)? h ago &lt; cooldown 24 h`));
		// the next hourly run stores it without telling Slack again
		const again = slack().length;
		await n8n.execute(workflow.id as string);
		assert.equal(slack().slice(again).filter((m) => JSON.stringify(m).includes('E2E raise-m1')).length, 0, 'once per edit');
	});

	test('a rule asking more than its approval threshold becomes a Notion card showing asked vs allowed', async () => {
		const [card] = await cards();
		assert.ok(card, 'a card');
		const before = start.get(M2.id)!;
		planned = Math.floor(before * 1.25 * 100 + 1e-7) / 100;
		const words = allText(card);
		assert.match(words, new RegExp(`Asked \\+60% \\(${before.toFixed(2)} USD → ${(Math.round(before * 160) / 100).toFixed(2)} USD\\); the caps allow \\+25% \\(max_change\\); approving executes ${before.toFixed(2)} USD → ${planned.toFixed(2)} USD\\.`), words.slice(0, 2000));
		assert.equal(M2.dailyBudget, before, 'waits for approval');
	});

	test('approving it executes exactly what the card says, once', async () => {
		const writesBefore = writes().length;
		const [card] = await cards();
		const edit = await fetch(`${sandbox.url}/_admin/notion/pages/${card!.id}/edit`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user: 'Maya Lopez', properties: { Status: { status: { name: 'Approved' } } } }) });
		assert.equal(edit.status, 200, await edit.text());
		const run = await n8n.execute(approvals.id as string);
		assert.deepEqual(out(run, 'Execute Approved').map((e) => e.type), ['executed']);
		assert.equal(M2.dailyBudget, planned, 'the budget the card said');
		assert.equal(writes().length - writesBefore, 1);
		await n8n.execute(approvals.id as string);
		await n8n.execute(workflow.id as string);
		assert.equal(writes().length - writesBefore, 1, 'once');
		assert.equal(M2.dailyBudget, planned);
	});
});
