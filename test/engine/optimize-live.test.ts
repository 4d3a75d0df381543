// Moved from test/e2e/optimize.test.ts: workflows/optimize.json against the sandbox (Meta, LinkedIn and
// Google Ads campaigns, Notion, Slack) and the store, on n8n-core in-process; nothing here needs the CLI.
// The store holds 35 days of the sandbox's performance, as ingest would have stored it, and four rules in
// optimization_rules scoped to chosen campaigns with a condition that always holds, so the test knows
// which decisions to expect. Mode is switched to Live, as a user does once the dry runs look right; every
// other node runs as shipped. Approved proposals are executed by a Manual Trigger → Poll Decisions →
// Execute Approved → Alert workflow with the same credentials approvals.json has. The assertions are the e2e's.
import { test, beforeAll, afterAll, describe } from 'vitest';
import assert from 'node:assert/strict';
import type { Sandbox } from '../../scripts/sandbox';
import { addDays } from '../../scripts/sandbox/rng';
import type { Store } from '../../nodes/shared/store';
import { parseRule, ruleToRow } from '../../nodes/shared/rules';
import type { WorkflowInput } from '../helpers/n8n';
import { jsonOutput as out } from '../helpers/with-store';
import { startEngine, type Engine } from './harness';
import { approvalsRunner, cli, liveOptimizeWorkflow, type EngineCli, type WfNode } from './cli';
import { slackPosts } from './expect';
import { approvalCards, cardText as text, pickCampaign, seedPerformance, withStore as withEngineStore, type PickedCampaign as Picked } from './world';

const ALWAYS = { metric: 'impressions', window: 'last_7_days', op: '>=', value: 0 };

describe('workflows/optimize.json (Live), its Backtest and the approvals, as `n8n execute` ran them (moved from test/e2e/optimize.test.ts)', () => {
	let engine: Engine;
	let sandbox: Sandbox;
	let n8n: EngineCli;
	let workflow: WorkflowInput;
	let approvals: WorkflowInput;
	let backtest: WorkflowInput;
	const used = new Set<string>();
	let M1: Picked; // pause → executes
	let L1: Picked; // +10 % → executes
	let G1: Picked; // −20 % → executes (the approval threshold is strictly above 20 %)
	let M2: Picked; // +40 %, clamped to the 25 % cap → above 20 %: a Notion card
	const budgets = new Map<string, number>();
	let proposalId = '';
	let plannedM2 = 0;

	const withStore = <T>(fn: (store: Store) => Promise<T>) => withEngineStore(engine, fn);
	/** "rule:outcome" of items (a stored rule's id is its row uuid; its name carries the test's id). */
	const decided = (items: Array<Record<string, unknown>>) => items.map((i) => `${(i.rule as { name: string }).name.replace('E2E ', '')}:${i.outcome}`).sort();
	const campaign = (platform: string) => pickCampaign(sandbox, platform, used);
	/** Campaign writes the platforms received (status and budget changes). */
	const writes = () => sandbox.requests().filter((r) => r.method === 'POST' && /^(meta\.update|linkedin\.campaignUpdate|googleads\.campaign(s|Budgets)\.mutate)$/.test(r.route));
	const slack = () => slackPosts(sandbox);
	const cards = () => approvalCards(sandbox, 'optimization');

	beforeAll(async () => {
		engine = await startEngine({ seed: 11, storePrefix: 'adops-engine-optimize-live' });
		sandbox = engine.sandbox;
		M1 = campaign('meta');
		M2 = campaign('meta');
		L1 = campaign('linkedin');
		G1 = campaign('google');
		for (const c of [M1, M2, L1, G1]) budgets.set(c.id, c.dailyBudget);
		const rule = (id: string, c: Picked, action: Record<string, unknown>) => parseRule({ id, name: `E2E ${id}`, priority: 50, scope: { campaignIds: [c.id] }, conditions: ALWAYS, action });
		await seedPerformance(engine, 35);
		await withStore(async (store) => {
			await store.insert('optimization_rules', [
				ruleToRow(rule('pause-m1', M1, { type: 'pause' })),
				ruleToRow(rule('scale-l1', L1, { type: 'scale_budget', percent: 10 })),
				ruleToRow(rule('trim-g1', G1, { type: 'scale_budget', percent: -20 })),
				ruleToRow(rule('raise-m2', M2, { type: 'scale_budget', percent: 40 })),
			]);
		});

		workflow = liveOptimizeWorkflow();
		approvals = approvalsRunner('AdOpsOptApprovals', 'e2e optimize approvals', 'optimize-e2e');
		const optimizer = (workflow.nodes as unknown as WfNode[]).find((n) => n.name === 'Optimizer')!;
		backtest = {
			id: 'AdOpsOptBacktest',
			name: 'e2e optimizer backtest',
			nodes: [
				{ parameters: {}, name: 'Start', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 0] },
				// the node as a user adds it: operation Backtest with its default dates (the last 30 days), the workflow's gates
				{ ...structuredClone(optimizer), name: 'Backtest', parameters: { operation: 'backtest', runOptions: optimizer.parameters.runOptions } },
			],
			connections: { Start: { main: [[{ node: 'Backtest', type: 'main', index: 0 }]] } },
			// $today in the default dates is the workflow's day: UTC here, as the test's own clock
			settings: { executionOrder: 'v1', timezone: 'UTC' },
		} as unknown as WorkflowInput;
		n8n = cli(engine);
		n8n.importWorkflows([workflow, approvals, backtest]);
	});

	afterAll(async () => {
		await engine?.close();
	});

	test('Backtest (before any live run): the last 30 days replayed from the stored rules, nothing changed or stored', async () => {
		const writesBefore = writes().length;
		const run = await n8n.execute(backtest.id as string);
		const report = out(run, 'Backtest', 2).find((i) => i.outcome === 'backtest_report')!;
		assert.ok(report, 'a report');
		const day = (offset: number) => addDays(new Date().toISOString().slice(0, 10), offset);
		assert.deepEqual([report.from, report.to], [day(-30), day(-1)], 'the default dates');
		const wouldExecute = out(run, 'Backtest', 0);
		const byRule = (name: string) => wouldExecute.filter((e) => e.ruleName === `E2E ${name}`);
		assert.equal(byRule('pause-m1').length, 1, 'paused once; nothing left to pause afterwards');
		assert.ok(byRule('scale-l1').length >= 10, `scaled again after each cooldown (${byRule('scale-l1').length})`);
		assert.ok(out(run, 'Backtest', 1).some((e) => e.ruleName === 'E2E raise-m2'), 'the large change would have been proposed');
		assert.equal(writes().length, writesBefore, 'no platform write');
		assert.equal(M1.status, 'ACTIVE');
		await withStore(async (store) => assert.equal((await store.select('optimization_actions')).length, 0, 'nothing stored'));
	});

	test('one hourly run executes the expected changes once, proposes the large one, and Slack shows the evidence', async () => {
		const slackBefore = slack().length;
		const writesBefore = writes().length;
		const run = await n8n.execute(workflow.id as string);

		const executed = out(run, 'Optimizer', 0);
		assert.deepEqual(decided(executed), ['pause-m1:executed', 'scale-l1:executed', 'trim-g1:executed']);
		const proposed = out(run, 'Optimizer', 1);
		assert.deepEqual(decided(proposed), ['raise-m2:proposed']);

		// the platforms' ground truth
		assert.equal(M1.status, 'PAUSED');
		assert.ok(Math.abs(L1.dailyBudget - budgets.get(L1.id)! * 1.1) < 0.011, `${L1.dailyBudget} ≈ ${budgets.get(L1.id)} × 1.1`);
		assert.ok(Math.abs(G1.dailyBudget - budgets.get(G1.id)! * 0.8) < 0.011, `${G1.dailyBudget} ≈ ${budgets.get(G1.id)} × 0.8`);
		assert.equal(M2.dailyBudget, budgets.get(M2.id), 'the change above the approval threshold waits');
		assert.equal(writes().length - writesBefore, 3, 'one platform write per executed change');

		// Slack: one alert per executed change, with the rule, the condition's value and the gates' numbers
		const announced = out(run, 'Announce Changes');
		assert.equal(announced.length, 3);
		const posted = slack().slice(slackBefore).map((m) => JSON.stringify(m));
		const l1 = posted.find((m) => m.includes('E2E scale-l1'));
		assert.ok(l1, `an alert names the rule: ${posted.join('\n').slice(0, 2000)}`);
		assert.match(l1, /impressions last 7 days \(\d{4}-\d{2}-\d{2}\.\.\d{4}-\d{2}-\d{2}\) = \d+ &gt;= 0 → met/);
		assert.match(l1, /cooldown: /);
		assert.match(l1, /max_change: /);
		assert.match(l1, /\+10%/);

		// the proposal: a Notion card with the evidence, and a Slack request with Approve/Reject
		const planned = proposed[0]!.action as { budgetAfter: number; changePct: number };
		assert.equal(planned.changePct, 25, 'clamped to the 25 % cap, still above the 20 % threshold');
		plannedM2 = planned.budgetAfter;
		const [card] = await cards();
		assert.ok(card, 'a Notion card');
		proposalId = text(card, 'Proposal ID');
		assert.equal(proposalId, (proposed[0]!.proposal as { id: string }).id);
		assert.match(text(card, 'Evidence') + text(card, 'Proposed change'), /E2E raise-m2|25%/);
		const ask = posted.find((m) => m.includes('adops_approve'));
		assert.ok(ask, 'Slack asks for approval with buttons');
		assert.match(ask, /E2E raise-m2/, 'the request names the rule');
		assert.match(ask, /impressions last 7 days \([^)]*\) = \d+ &gt;= 0 → met/, 'and the condition with its value');
		// issue 13: approval is judged on the change asked (+40 %), before the 25 % cap clamps it
		assert.match(ask, /Needs approval: asked \+40% \(the caps allow \+25%\) &gt; approval threshold 20%/, 'and why it needs approval');

		// the store: the executed rows with their evidence, the proposal's row
		await withStore(async (store) => {
			const rows = await store.select('optimization_actions', { where: { dry_run: false } });
			assert.deepEqual(rows.filter((r) => r.outcome === 'executed').map((r) => r.rule_key).sort(), executed.map((i) => (i.rule as { id: string }).id).sort());
			assert.ok(rows.every((r) => r.rule_id === null || r.rule_id === r.rule_key), 'stored rules are linked by their row id');
			assert.deepEqual(rows.filter((r) => r.outcome === 'proposed').map((r) => r.proposal_id), [proposalId]);
			for (const r of rows.filter((x) => x.outcome === 'executed')) assert.ok(r.platform_response && Array.isArray(r.gates) && r.executed_at);
		});
	});

	test('a rerun executes nothing new, queues nothing new and posts nothing', async () => {
		const slackBefore = slack().length;
		const writesBefore = writes().length;
		const cardsBefore = (await cards()).length;
		const run = await n8n.execute(workflow.id as string);
		assert.deepEqual(out(run, 'Optimizer', 0), []);
		assert.deepEqual(out(run, 'Optimizer', 1), []);
		const stored = out(run, 'Optimizer', 2).filter((i) => i.outcome !== 'summary');
		// the budget changes are gated by their own records (the paused campaign has nothing left to pause), the proposal is already queued
		assert.deepEqual(decided(stored), ['raise-m2:proposed', 'scale-l1:gated', 'trim-g1:gated']);
		assert.equal(stored.find((i) => i.outcome === 'proposed')!.proposalStatus, 'pending');
		for (const g of stored.filter((i) => i.outcome === 'gated')) assert.ok((g.gates as Array<{ status: string }>).some((x) => x.status === 'fail'), 'a failed gate says why');
		assert.equal(writes().length, writesBefore);
		assert.equal(slack().length, slackBefore);
		assert.equal((await cards()).length, cardsBefore);
	});

	test('the proposal executes only after approval, exactly once, and Slack says so', async () => {
		const writesBefore = writes().length;
		// not approved yet: nothing
		const idle = await n8n.execute(approvals.id as string);
		assert.deepEqual(out(idle, 'Decisions'), [], 'no decision yet');
		assert.equal(idle.runData['Execute Approved'], undefined);
		assert.equal(M2.dailyBudget, budgets.get(M2.id));

		const [card] = await cards();
		const edit = await fetch(`${sandbox.url}/_admin/notion/pages/${card!.id}/edit`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user: 'Maya Lopez', properties: { Status: { status: { name: 'Approved' } } } }) });
		assert.equal(edit.status, 200, await edit.text());
		const slackBefore = slack().length;
		const run = await n8n.execute(approvals.id as string);
		const events = out(run, 'Execute Approved');
		assert.deepEqual(events.map((e) => `${e.proposalId}:${e.type}`), [`${proposalId}:executed`]);
		assert.equal(M2.dailyBudget, plannedM2, 'the approved budget, exactly');
		assert.equal(writes().length - writesBefore, 1);
		const posted = slack().slice(slackBefore).map((m) => JSON.stringify(m));
		assert.ok(posted.some((m) => /executed/i.test(m)), `Slack reports the execution: ${posted.join('\n').slice(0, 1500)}`);

		await n8n.execute(approvals.id as string);
		await n8n.execute(workflow.id as string);
		assert.equal(writes().length - writesBefore, 1, 'neither the approvals nor the optimizer change it again');
		await withStore(async (store) => {
			const [row] = await store.select('optimization_actions', { where: { proposal_id: proposalId } });
			assert.equal(row?.outcome, 'executed');
			assert.equal(row?.action_taken, true);
		});
	});
});
