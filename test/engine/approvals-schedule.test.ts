// workflows/approvals.json started from its "Every 15 Minutes" schedule, run in-process by n8n-core
// against the sandbox's Notion, an effects receiver and the store: the sweep executes an approved
// proposal that no new decision will bring to Execute Approved (what a worker killed after the effect
// leaves behind; test/queue/queue.test.ts kills one), once, and expires overdue cards. Without the
// schedule's connection to Execute Approved the approved proposal would stay approved.
import { test, describe, beforeAll, afterAll, expect } from 'vitest';
import { readWorkflow, startEngine, type Engine } from './harness';
import { expectPaired, json } from './expect';

const KIND = 'engine.sweep';

type Card = { id: string; properties: Record<string, { rich_text?: Array<{ plain_text?: string }>; status?: { name: string } | null }> };

describe('workflows/approvals.json on its schedule', () => {
	let engine: Engine;
	const proposal = (id: string, extra: Record<string, unknown> = {}) => ({
		id,
		kind: KIND,
		title: `Raise budget of ${id} by 10%`,
		payload: { action: 'set_budget', campaignId: `c-${id}`, amount: 110 },
		evidence: { rule: 'scale-winners', roas7d: 4.2 },
		platform: 'meta',
		accountId: '998877',
		entity: `campaign c-${id}`,
		proposedChange: 'Daily budget 100.00 → 110.00 USD',
		impact: '+10% spend',
		...extra,
	});
	const plain = (p: Card, name: string) => (p.properties[name]?.rich_text ?? []).map((t) => t.plain_text).join('');
	async function card(proposalId: string): Promise<Card> {
		const res = await fetch(`${engine.sandbox.url}/_admin/notion/pages?data_source_id=${engine.sandbox.world.notion.approvalDataSourceId}`);
		const found = ((await res.json()) as { pages: Card[] }).pages.find((p) => plain(p, 'Proposal ID') === proposalId);
		expect(found, proposalId).toBeDefined();
		return found!;
	}
	async function approve(proposalId: string): Promise<void> {
		const res = await fetch(`${engine.sandbox.url}/_admin/notion/pages/${(await card(proposalId)).id}/edit`, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({ user: 'Maya Lopez', properties: { Status: { status: { name: 'Approved' } } } }),
		});
		expect(res.status, await res.text()).toBe(200);
	}
	const effects = (proposalId: string) => engine.sandbox.effects(KIND).filter((r) => (r.body as { proposalId?: string }).proposalId === proposalId);
	/** approvals.json as shipped, its Execute Approved pointed at the sandbox's effects receiver. */
	function shipped() {
		const wf = readWorkflow('approvals.json');
		for (const n of wf.nodes) if (n.name === 'Execute Approved') n.parameters.webhooks = { executor: [{ kind: KIND, url: `${engine.sandbox.urls.effects}/${KIND}`, timeout: 30 }] };
		return wf;
	}

	beforeAll(async () => {
		engine = await startEngine({ seed: 37 });
	});
	afterAll(async () => {
		await engine?.close();
	});

	test('the 15-minute sweep executes an approved proposal without a new decision, once, and expires the overdue one', async () => {
		const creds = { ...engine.credentialRef('adOpsStoreApi'), ...engine.credentialRef('adOpsNotionApi') };
		const enqueue = { name: 'Approval', type: 'adOpsApproval', typeVersion: 2, parameters: { resource: 'proposal', operation: 'enqueue', proposal: '={{ $json.proposal }}', queueOptions: {} }, credentials: creds };
		const overdue = { requestedAt: new Date(Date.now() - 7_200_000).toISOString(), expiresAt: new Date(Date.now() - 60_000).toISOString() };
		const queued = await engine.runNode(enqueue, [{ proposal: proposal('sweep-a') }, { proposal: proposal('sweep-old', overdue) }]);
		expect(queued.status, queued.error?.message).toBe('success');
		await approve('sweep-a');
		// the decision is read (the store records the approval) and consumed, but nothing executes it: as a run
		// killed after reading it, or after the effect, leaves it; no new decision will come for it
		const read = await engine.runNode({ name: 'Approval', type: 'adOpsApproval', typeVersion: 2, parameters: { resource: 'decision', operation: 'pollDecisions', consumer: 'approvals', queueOptions: {} }, credentials: creds });
		expect(json(read.items('Approval')).filter((d) => String(d.proposalId).startsWith('sweep-')).map((d) => `${d.proposalId}:${d.type}`)).toEqual(['sweep-a:approved']);

		const run = await engine.run(shipped(), { start: 'Every 15 Minutes' });
		expect(run.status, run.error?.message).toBe('success');
		// no decision was read: the schedule reaches Execute Approved directly
		expect(run.ran('Read New Decisions')).toBe(false);
		expect(json(run.items('Execute Approved')).filter((d) => String(d.proposalId).startsWith('sweep-')).map((d) => `${d.proposalId}:${d.type}`)).toEqual(['sweep-a:executed']);
		expect(run.items('Execution Alert')).toHaveLength(run.items('Execute Approved').length);
		expect(json(run.items('Expire Overdue')).filter((d) => String(d.proposalId).startsWith('sweep-')).map((d) => `${d.proposalId}:${d.type}`)).toEqual(['sweep-old:expired']);
		expect(effects('sweep-a')).toHaveLength(1);
		expect((await card('sweep-a')).properties.Status?.status?.name).toBe('Executed');
		expectPaired(run);

		// the next sweep finds nothing left to do: the effect is not repeated
		const again = await engine.run(shipped(), { start: 'Every 15 Minutes' });
		expect(again.status, again.error?.message).toBe('success');
		expect(json(again.items('Execute Approved')).filter((d) => String(d.proposalId).startsWith('sweep-'))).toEqual([]);
		expect(effects('sweep-a')).toHaveLength(1);
	});
});
