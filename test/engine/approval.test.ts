// AdOps Approval run in-process by n8n-core against the sandbox's Notion (and an effects receiver) and the
// store, as version 1 (one Operation list) and version 2 (Resource + Operation): Enqueue, Sync and Poll
// Decisions, Execute Approved, Expire, Resolve Stuck; bad parameters with the item index; Continue On Fail;
// paired items; workflows/approval-request.json and approvals.json from their manual triggers (and approvals.json
// from its 15-minute schedule: the sweep that finishes an approved proposal a crash left behind); and an approved
// TikTok budget change from AdOps Optimizer executed once (every controlled platform has a credential slot).
import { test, describe, beforeAll, afterAll, expect } from 'vitest';
import { APPROVE_ACTION_ID } from '../../nodes/shared/alerts/interaction';
import { proposalAlert, type ProposalAlertEvent } from '../../nodes/shared/alerts/proposal';
import { AdOpsApproval } from '../../nodes/AdOpsApproval/AdOpsApproval.node.js'; // .js: plain `.node` would resolve to the codex .node.json
import { CONTROLLED_CREDENTIALS } from '../../nodes/common/platforms';
import { PLATFORM_REGISTRY } from '../../nodes/shared/platforms/registry';
import type { RowInput } from '../../nodes/shared/schema/rows';
import { addDays } from '../../scripts/sandbox/rng';
import { blockActionsPayload, signedInteraction } from '../../scripts/sandbox/slack-interaction';
import { applyCampaignChange } from '../../scripts/sandbox/world';
import { readWorkflow, startEngine, type Engine } from './harness';
import { expectNodeError, expectPaired, json, pairs, slackMessages } from './expect';
import { withStore } from './world';

const KIND = 'engine.effect';

type Card = { id: string; properties: Record<string, { rich_text?: Array<{ plain_text?: string }>; select?: { name: string } | null; status?: { name: string } | null }> };

describe('AdOps Approval on n8n-core (versions 1 and 2)', () => {
	let engine: Engine;
	let creds: Record<string, { id: string; name: string }>;
	/** Version 2 names the resource; version 1 has the operation only. Everything else is the same. */
	const node = (version: 1 | 2, resource: 'proposal' | 'decision', parameters: Record<string, unknown>) => ({
		name: 'Approval',
		type: 'adOpsApproval',
		typeVersion: version,
		parameters: { ...(version === 2 ? { resource } : {}), queueOptions: {}, ...parameters },
		credentials: creds,
	});
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
	const enqueue = (version: 1 | 2) => node(version, 'proposal', { operation: 'enqueue', proposal: '={{ $json.proposal }}' });
	const plain = (p: Card, name: string) => (p.properties[name]?.rich_text ?? []).map((t) => t.plain_text).join('');
	async function cards(prefix: string): Promise<Card[]> {
		const res = await fetch(`${engine.sandbox.url}/_admin/notion/pages?data_source_id=${engine.sandbox.world.notion.approvalDataSourceId}`);
		return ((await res.json()) as { pages: Card[] }).pages.filter((p) => plain(p, 'Proposal ID').startsWith(prefix));
	}
	async function decide(proposalId: string, status: 'Approved' | 'Rejected'): Promise<void> {
		const [card] = (await cards(proposalId)).filter((c) => plain(c, 'Proposal ID') === proposalId);
		const user = 'Maya Lopez'; // a person of the sandbox's workspace (the integration itself may not decide)
		const res = await fetch(`${engine.sandbox.url}/_admin/notion/pages/${card!.id}/edit`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user, properties: { Status: { status: { name: status } } } }) });
		expect(res.status, await res.text()).toBe(200);
	}
	/** Asked two hours ago, due a minute ago. */
	const overdue = () => ({ requestedAt: new Date(Date.now() - 7_200_000).toISOString(), expiresAt: new Date(Date.now() - 60_000).toISOString() });
	const executor = () => ({ executor: [{ kind: KIND, url: `${engine.sandbox.urls.effects}/${KIND}`, timeout: 30 }] });

	beforeAll(async () => {
		engine = await startEngine({ seed: 31 });
		creds = { ...engine.credentialRef('adOpsStoreApi'), ...engine.credentialRef('adOpsNotionApi') };
	});
	afterAll(async () => {
		await engine?.close();
	});

	for (const version of [1, 2] as const) {
		test(`v${version}: enqueue one card per proposal, decide in Notion, poll the decision once, execute the approved one once`, async () => {
			const p = `v${version}-`;
			const run = await engine.runNode(enqueue(version), [{ proposal: proposal(`${p}a`) }, { proposal: proposal(`${p}b`) }]);
			expect(run.status, run.error?.message).toBe('success');
			const queued = json(run.items('Approval'));
			expect(queued.map((q) => [q.type, q.proposalId, q.status])).toEqual([
				['queued', `${p}a`, 'pending'],
				['queued', `${p}b`, 'pending'],
			]);
			expect(pairs(run.items('Approval'))).toEqual([0, 1]);
			expect((queued[0]!.proposalEvent as { type: string }).type).toBe('awaiting');
			expect((await cards(p)).length).toBe(2);

			await decide(`${p}a`, 'Approved');
			await decide(`${p}b`, 'Rejected');
			const synced = await engine.runNode(node(version, 'decision', { operation: 'syncDecisions' }));
			expect(synced.status, synced.error?.message).toBe('success');
			const poll = node(version, 'decision', { operation: 'pollDecisions', consumer: `engine-v${version}` });
			const decided = await engine.runNode(poll);
			expect(decided.status, decided.error?.message).toBe('success');
			const events = json(decided.items('Approval')).filter((e) => String(e.proposalId).startsWith(p));
			expect(events.map((e) => `${e.proposalId}:${e.type}`).sort()).toEqual([`${p}a:approved`, `${p}b:rejected`]);
			expectPaired(decided);
			const again = await engine.runNode(poll);
			expect(json(again.items('Approval')).filter((e) => String(e.proposalId).startsWith(p))).toEqual([]);

			const execute = node(version, 'proposal', { operation: 'executeApproved', webhooks: executor(), executeOptions: {} });
			const done = await engine.runNode(execute);
			expect(done.status, done.error?.message).toBe('success');
			const executed = json(done.items('Approval')).filter((e) => String(e.proposalId).startsWith(p));
			expect(executed.map((e) => `${e.proposalId}:${e.type}`)).toEqual([`${p}a:executed`]);
			expectPaired(done);
			expect(engine.sandbox.effects(KIND).filter((r) => (r.body as { proposalId?: string }).proposalId === `${p}a`)).toHaveLength(1);
			const twice = await engine.runNode(execute);
			expect(json(twice.items('Approval')).filter((e) => String(e.proposalId).startsWith(p))).toEqual([]);
			expect(engine.sandbox.effects(KIND).filter((r) => (r.body as { proposalId?: string }).proposalId === `${p}a`)).toHaveLength(1);
		});
	}

	test('v1 and v2 give the same items for the same operation (the router reads operation only)', async () => {
		const one = await engine.runNode(enqueue(1), [{ proposal: proposal('same-1') }]);
		const two = await engine.runNode(enqueue(2), [{ proposal: proposal('same-2') }]);
		const shape = (r: typeof one) => json(r.items('Approval')).map((o) => Object.keys(o).sort().join(','));
		expect(shape(one)).toEqual(shape(two));
		expect(json(one.items('Approval'))[0]).toMatchObject({ type: 'queued', kind: KIND, status: 'pending' });
	});

	test('expire: a pending proposal past its expiry becomes expired; resolve stuck names an unknown proposal', async () => {
		await engine.runNode(enqueue(2), [{ proposal: proposal('exp-a', overdue()) }]);
		const run = await engine.runNode(node(2, 'proposal', { operation: 'expire' }), [{ a: 1 }, { a: 2 }]);
		expect(run.status, run.error?.message).toBe('success');
		expect(json(run.items('Approval')).filter((e) => e.proposalId === 'exp-a').map((e) => e.type)).toEqual(['expired']);
		expect(pairs(run.items('Approval')).every((p) => p === 0)).toBe(true);
		const stuck = await engine.runNode(node(1, 'proposal', { operation: 'resolveStuck', proposalId: '={{ $json.id }}', outcome: 'succeeded', note: 'checked' }), [{ id: 'nothing-here' }]);
		expectNodeError(stuck, 'Approval', /nothing-here/, 0);
	});

	test('bad parameters name themselves and the item: Proposal (JSON) on item 1', async () => {
		const run = await engine.runNode(node(2, 'proposal', { operation: 'enqueue', proposal: '={{ $json.raw }}' }), [{ raw: JSON.stringify(proposal('bad-ok')) }, { raw: '{"id": "broken", ' }]);
		expectNodeError(run, 'Approval', /Proposal \(JSON\) is not valid JSON/, 1);
		const list = await engine.runNode(node(1, 'proposal', { operation: 'enqueue', proposal: '={{ [1, 2] }}' }));
		expectNodeError(list, 'Approval', /Proposal \(JSON\) must be an object/, 0);
	});

	test('continue on fail: the bad proposal is an error item paired with it, the good ones queue', async () => {
		const run = await engine.runNode(enqueue(2), [{ proposal: proposal('cof-a') }, { proposal: [1] }, { proposal: proposal('cof-c') }], { continueOnFail: true });
		expect(run.status).toBe('success');
		const items = run.items('Approval');
		expect(pairs(items)).toEqual([0, 1, 2]);
		expect(json(items).map((o) => o.type ?? 'error')).toEqual(['queued', 'error', 'queued']);
		expect(String(items[1]!.json.error)).toMatch(/Proposal \(JSON\) must be an object/);
	});

	test('workflows/approval-request.json (Queue by Hand): one card, one approval request in Slack', async () => {
		const before = slackMessages(engine).length;
		const run = await engine.run('approval-request.json');
		expect(run.status, run.error?.message).toBe('success');
		expect(run.items('Queue Proposal')).toHaveLength(1);
		expect(json(run.items('Queue Proposal'))[0]).toMatchObject({ type: 'queued', kind: 'announce' });
		expect(run.items('Ask for Approval')).toHaveLength(1);
		expectPaired(run);
		expect(slackMessages(engine).length - before).toBe(1);
	});

	test('workflows/approvals.json (Run Now): each new decision alerted once, the approved one executed, overdue ones expired', async () => {
		await engine.runNode(enqueue(2), [{ proposal: proposal('wf-a') }, { proposal: proposal('wf-b') }, { proposal: proposal('wf-old', overdue()) }]);
		await decide('wf-a', 'Approved');
		await decide('wf-b', 'Rejected');
		const wf = readWorkflow('approvals.json');
		for (const n of wf.nodes) if (n.name === 'Execute Approved') n.parameters.webhooks = executor();
		const run = await engine.run(wf);
		expect(run.status, run.error?.message).toBe('success');
		const decisions = json(run.items('Read New Decisions'));
		expect(decisions.filter((d) => String(d.proposalId).startsWith('wf-')).map((d) => `${d.proposalId}:${d.type}`).sort()).toEqual(['wf-a:approved', 'wf-b:rejected']);
		expect(run.items('Decision Alert')).toHaveLength(decisions.length);
		expect(json(run.items('Execute Approved')).filter((d) => String(d.proposalId).startsWith('wf-')).map((d) => `${d.proposalId}:${d.type}`)).toEqual(['wf-a:executed']);
		expect(run.items('Execution Alert')).toHaveLength(run.items('Execute Approved').length);
		expect(json(run.items('Expire Overdue')).filter((d) => String(d.proposalId).startsWith('wf-')).map((d) => `${d.proposalId}:${d.type}`)).toEqual(['wf-old:expired']);
		expect(run.items('Expiry Alert')).toHaveLength(run.items('Expire Overdue').length);
		expectPaired(run);
	});

	test('workflows/approvals.json (Every 15 Minutes): the sweep executes an approved proposal whose decision was already read, once, and expires the overdue one', async () => {
		// approved, the decision read and consumed, nothing executed: what a run killed after reading it (or after
		// the effect) leaves; no new decision will bring it to Execute Approved, the schedule must
		await engine.runNode(enqueue(2), [{ proposal: proposal('sweep-a') }, { proposal: proposal('sweep-old', overdue()) }]);
		await decide('sweep-a', 'Approved');
		const read = await engine.runNode(node(2, 'decision', { operation: 'pollDecisions', consumer: 'approvals' }));
		expect(json(read.items('Approval')).filter((d) => String(d.proposalId).startsWith('sweep-')).map((d) => `${d.proposalId}:${d.type}`)).toEqual(['sweep-a:approved']);
		const shipped = () => {
			const wf = readWorkflow('approvals.json');
			for (const n of wf.nodes) if (n.name === 'Execute Approved') n.parameters.webhooks = executor();
			return wf;
		};
		const effects = () => engine.sandbox.effects(KIND).filter((r) => (r.body as { proposalId?: string }).proposalId === 'sweep-a');
		const run = await engine.run(shipped(), { start: 'Every 15 Minutes' });
		expect(run.status, run.error?.message).toBe('success');
		expect(run.ran('Read New Decisions')).toBe(false);
		expect(json(run.items('Execute Approved')).filter((d) => String(d.proposalId).startsWith('sweep-')).map((d) => `${d.proposalId}:${d.type}`)).toEqual(['sweep-a:executed']);
		expect(run.items('Execution Alert')).toHaveLength(run.items('Execute Approved').length);
		expect(json(run.items('Expire Overdue')).filter((d) => String(d.proposalId).startsWith('sweep-')).map((d) => `${d.proposalId}:${d.type}`)).toEqual(['sweep-old:expired']);
		expect(effects()).toHaveLength(1);
		expect((await cards('sweep-a')).find((c) => plain(c, 'Proposal ID') === 'sweep-a')?.properties.Status?.status?.name).toBe('Executed');
		expectPaired(run);
		// the next sweep repeats no effect
		const again = await engine.run(shipped(), { start: 'Every 15 Minutes' });
		expect(again.status, again.error?.message).toBe('success');
		expect(json(again.items('Execute Approved')).filter((d) => String(d.proposalId).startsWith('sweep-'))).toEqual([]);
		expect(effects()).toHaveLength(1);
	});

	test('workflows/approvals-slack.json (Slack Interactivity): a signed Approve click is verified and answered; a request without its raw body names the binary property', async () => {
		const [queued] = json((await engine.runNode(enqueue(2), [{ proposal: proposal('slack-a') }])).items('Approval'));
		const value = proposalAlert(queued!.proposalEvent as unknown as ProposalAlertEvent).actions![0]!.value;
		const signed = signedInteraction({ payload: blockActionsPayload({ actionId: APPROVE_ACTION_ID, value, messageTs: '1760000000.000100' }), responseUrlBase: engine.sandbox.urls.slackActions });
		const request = { json: { headers: signed.headers, params: {}, query: {}, body: {} }, binary: { data: { data: Buffer.from(signed.body).toString('base64'), mimeType: 'application/x-www-form-urlencoded' } } };
		const run = await engine.run('approvals-slack.json', { start: 'Slack Interactivity', input: [request] });
		expect(run.status, run.error?.message).toBe('success');
		const decision = json(run.items('Record Decision'));
		expect(decision).toHaveLength(1);
		expect(decision[0]).toMatchObject({ status: 200, outcome: 'decided', proposalId: 'slack-a', decision: 'approve' });
		expect((decision[0]!.events as Array<{ type: string }>).map((e) => e.type)).toEqual(['approved']);
		expect(run.items('Answer Slack')).toHaveLength(1);
		expect(run.outputs('Has Reply?').map((o) => o.length)).toEqual([1, 0]);
		expect(run.items('Tell the Clicker')).toHaveLength(1);
		// The reply reached the click's response_url.
		expect(engine.sandbox.slackResponses({ url: signed.responseUrl! }).length).toBe(1);
		expectPaired(run);

		const missing = await engine.run('approvals-slack.json', { start: 'Slack Interactivity', input: [{ json: { headers: signed.headers, body: {} } }] });
		expectNodeError(missing, 'Record Decision', /No raw request body in binary property "data"/, 0);
	});

	test('Execute Approved offers a credential for every platform the optimizer controls: an approved TikTok budget raise from AdOps Optimizer executes on TikTok once', async () => {
		const tiktok = PLATFORM_REGISTRY.tiktok;
		const approval = new AdOpsApproval();
		const slots = approval.description.credentials!.filter((c) => (c.displayOptions?.show?.operation as string[] | undefined)?.includes('executeApproved'));
		expect(slots.map((c) => c.name)).toEqual(CONTROLLED_CREDENTIALS.map((c) => c.credential));
		expect(slots.find((c) => c.name === tiktok.credentials[0].name)).toMatchObject({ displayName: 'TikTok Ads', required: false, testedBy: 'adOpsTikTokAdsApiTest' });
		for (const slot of slots) if (slot.testedBy) expect(Object.keys(approval.methods.credentialTest)).toContain(slot.testedBy);

		// a delivering TikTok campaign at 100.00 USD a day, its last 10 days stored as ingest stores them
		const { world } = engine.sandbox;
		const advertiser = world.tiktok.advertisers.find((a) => a.currency === 'USD')!;
		const c = advertiser.campaigns.find((x) => x.daily.some((d) => d.impressions > 0 && d.date >= addDays(world.today, -7)))!;
		applyCampaignChange(world, c, { status: 'ACTIVE', dailyBudget: 100 });
		const rows = c.daily
			.filter((d) => d.date >= addDays(world.today, -10) && d.impressions > 0)
			.map((d): RowInput<'campaign_performance'> => ({ date: d.date, platform: tiktok.id, account_id: advertiser.id, campaign_id: c.id, campaign_name: c.name, currency: advertiser.currency, spend: d.spend, impressions: d.impressions, clicks: d.clicks, conversions: d.conversions, revenue: d.revenue, leads: d.leads }));
		await withStore(engine, (store) => store.upsert('campaign_performance', rows));
		const tiktokCreds = engine.credentialRef(tiktok.credentials[0].name);

		// AdOps Optimizer (live) proposes +20 % (above its 10 % approval threshold): one proposal, nothing sent to TikTok
		const raise = { id: 'tt-approve', name: 'tt-approve', priority: 50, scope: { campaignIds: [c.id] }, conditions: { metric: 'impressions', window: 'last_7_days', op: '>=', value: 0 }, action: { type: 'scale_budget', percent: 20 } };
		const budgetWrites = () => engine.sandbox.requests({ route: 'tiktok.campaignUpdate' }).filter((r) => r.method === 'POST').length;
		const optimizer = await engine.runNode({
			name: 'Optimizer',
			type: 'adOpsOptimizer',
			parameters: { operation: 'run', mode: 'live', killSwitch: false, useStoredRules: false, rules: JSON.stringify([raise]), runOptions: { approvalPercent: 10, cooldownHours: 0, maxChangePct: 25, maxDailyChangePct: 50 } },
			credentials: { ...engine.credentialRef('adOpsStoreApi'), ...tiktokCreds },
		});
		expect(optimizer.status, optimizer.error?.message).toBe('success');
		const proposals = json(optimizer.items('Optimizer', 1));
		expect(proposals.map((p) => `${(p.rule as { id: string }).id}:${p.outcome}`)).toEqual(['tt-approve:proposed']);
		expect(budgetWrites()).toBe(0);
		expect(c.dailyBudget).toBe(100);

		// queued, approved in Notion, synced
		const queued = json((await engine.runNode(enqueue(2), proposals.map((p) => ({ proposal: p.proposal })))).items('Approval'));
		expect(queued.map((q) => [q.type, q.kind, q.status])).toEqual([['queued', 'optimization', 'pending']]);
		const id = String(queued[0]!.proposalId);
		await decide(id, 'Approved');
		expect((await engine.runNode(node(2, 'decision', { operation: 'syncDecisions' }))).status).toBe('success');

		// Execute Approved with the TikTok credential: executed once, the budget on TikTok is 120.00; a second run sends nothing
		const execute = { ...node(2, 'proposal', { operation: 'executeApproved', executeOptions: {} }), credentials: { ...creds, ...tiktokCreds } };
		const done = await engine.runNode(execute);
		expect(done.status, done.error?.message).toBe('success');
		expect(json(done.items('Approval')).filter((e) => e.proposalId === id).map((e) => e.type)).toEqual(['executed']);
		expect(c.dailyBudget).toBe(120);
		expect(budgetWrites()).toBe(1);
		const again = await engine.runNode(execute);
		expect(again.status, again.error?.message).toBe('success');
		expect(json(again.items('Approval')).filter((e) => e.proposalId === id)).toEqual([]);
		expect(budgetWrites()).toBe(1);
	});
});
