// The resource locators of AdOps Alert (Slack channel) and AdOps Approval (Notion approval database),
// run in-process by n8n-core against the sandbox: "From list" asks Slack (conversations.list) and Notion
// (search for data sources) what there is; "By URL" values reach the run; a foreign address fails naming
// the parameter and the item; text values of older nodes keep working.
import { test, describe, beforeAll, afterAll, expect } from 'vitest';
import type { ILoadOptionsFunctions, INode, INodeListSearchResult, INodeType } from 'n8n-workflow';
import { PREFIX, startEngine, type Engine } from './harness';
import { expectNodeError, json, slackMessages } from './expect';

describe('resource locators of AdOps Alert and AdOps Approval', () => {
	let engine: Engine;
	let creds: Record<string, { id: string; name: string }>;
	/** The editor's call of a node's list-search method, with the node's credentials. */
	const listSearch = (nodeType: INodeType, method: string, filter?: string): Promise<INodeListSearchResult> => {
		const node = { id: 'n1', name: 'Node', type: `${PREFIX}${nodeType.description.name}`, typeVersion: 1, position: [0, 0], parameters: {}, credentials: creds } as unknown as INode;
		const ctx = {
			getNode: () => node,
			getCurrentNodeParameter: () => undefined,
			getCredentials: async (type: string) => structuredClone(engine.credentials.values[type]),
		} as unknown as ILoadOptionsFunctions;
		return nodeType.methods!.listSearch![method]!.call(ctx, filter);
	};
	const alert = (parameters: Record<string, unknown>, typeVersion?: number) => ({ name: 'Alert', type: 'adOpsAlert', parameters: { operation: 'post', source: 'fields', kind: 'info', title: 'Locator check', ...parameters }, credentials: creds, ...(typeVersion ? { typeVersion } : {}) });

	beforeAll(async () => {
		engine = await startEngine({ seed: 11 });
		creds = { ...engine.credentialRef('adOpsStoreApi'), ...engine.credentialRef('adOpsSlackApi'), ...engine.credentialRef('adOpsNotionApi') };
	});
	afterAll(async () => {
		await engine?.close();
	});

	test('Alert: From list shows the channels the bot can post to; By URL posts in the channel of the address; version 1 text still posts', async () => {
		const type = engine.nodeTypes.getByNameAndVersion(`${PREFIX}adOpsAlert`, 1.1);
		expect(type.description.defaultVersion).toBe(1.1);
		const channels = engine.sandbox.world.slack.channels;
		const { results } = await listSearch(type, 'searchSlackChannels');
		expect(results.map((r) => r.value).sort()).toEqual(channels.filter((c) => !c.isPrivate || c.isMember).map((c) => c.id).sort());
		expect(results.find((r) => r.value === 'C0ADOPSAPR')?.name).toBe('#adops-approvals');
		expect((await listSearch(type, 'searchSlackChannels', '#APPROV')).results.map((r) => r.value)).toEqual(['C0ADOPSAPR']);

		const before = slackMessages(engine, 'C0ADOPSAPR').length;
		const byUrl = await engine.runNode(alert({ channel: { __rl: true, mode: 'url', value: 'https://northwind.slack.com/archives/C0ADOPSAPR/p1700000000000100' } }));
		expect(byUrl.status, byUrl.error?.message).toBe('success');
		expect(json(byUrl.items('Alert'))[0]).toMatchObject({ ok: true, channel: 'C0ADOPSAPR' });
		const fromList = await engine.runNode(alert({ channel: { __rl: true, mode: 'list', value: 'C0ADOPSAPR', cachedResultName: '#adops-approvals' } }));
		expect(json(fromList.items('Alert'))[0]).toMatchObject({ ok: true, channel: 'C0ADOPSAPR' });
		const v1 = await engine.runNode(alert({ channel: '#adops-approvals' }, 1));
		expect(json(v1.items('Alert'))[0]).toMatchObject({ ok: true, channel: 'C0ADOPSAPR' });
		expect(slackMessages(engine, 'C0ADOPSAPR').length - before).toBe(3);

		// A typed address that is not Slack's: n8n refuses the workflow before it runs (the mode's validation);
		// one from an expression reaches the node, which names the parameter and the item.
		const notion = 'https://www.notion.so/workspace/Approvals-0123456789abcdef0123456789abcdef';
		await expect(engine.runNode(alert({ channel: { __rl: true, mode: 'url', value: notion } }))).rejects.toThrow(/Not a Slack channel address/);
		const foreign = await engine.runNode(alert({ channel: { __rl: true, mode: 'url', value: `={{ "${notion}" }}` } }));
		expectNodeError(foreign, 'Alert', /Channel: "https:\/\/www\.notion\.so\/.*" is not a Slack channel address/, 0);
	});

	test('Approval: From list finds the approval database by title; By URL enqueues onto it; an address of another database fails', async () => {
		const type = engine.nodeTypes.getByNameAndVersion(`${PREFIX}adOpsApproval`, 2);
		const notion = engine.sandbox.world.notion;
		const { results } = await listSearch(type, 'searchNotionDatabases');
		expect(results).toContainEqual({ name: 'AdOps Approvals', value: notion.approvalDatabaseId, url: `https://www.notion.so/${notion.approvalDatabaseId.replace(/-/g, '')}` });
		expect((await listSearch(type, 'searchNotionDatabases', 'no such title')).results).toEqual([]);

		const enqueue = (approvalDatabase: unknown) => ({
			name: 'Approval',
			type: 'adOpsApproval',
			typeVersion: 2,
			parameters: { resource: 'proposal', operation: 'enqueue', proposal: '={{ $json.proposal }}', approvalDatabase, queueOptions: {} },
			credentials: creds,
		});
		const proposal = {
			id: 'locator-1',
			kind: 'locator-check',
			title: 'Check the database locator',
			payload: { action: 'set_budget', campaignId: 'c-locator', amount: 110 },
			evidence: { rule: 'scale-winners', roas7d: 4.2 },
			platform: 'meta',
			accountId: '998877',
			entity: 'campaign c-locator',
			proposedChange: 'Daily budget 100.00 → 110.00 USD',
			impact: '+10% spend',
		};
		const url = `https://www.notion.so/northwind/AdOps-Approvals-${notion.approvalDatabaseId.replace(/-/g, '')}?v=0123456789abcdef0123456789abcdef`;
		const run = await engine.runNode(enqueue({ __rl: true, mode: 'url', value: url }), [{ proposal }]);
		expect(run.status, run.error?.message).toBe('success');
		expect(json(run.items('Approval'))[0]).toMatchObject({ type: 'queued', proposalId: 'locator-1' });
		const cards = notion.pages.filter((p) => p.parent.type === 'data_source_id' && p.parent.dataSourceId === notion.approvalDataSourceId && JSON.stringify(p.properties).includes('locator-1'));
		expect(cards).toHaveLength(1);

		const other = await engine.runNode(enqueue({ __rl: true, mode: 'id', value: 'ffffffffffffffffffffffffffffffff' }), [{ proposal: { ...proposal, id: 'locator-2' } }]);
		expect(other.status).toBe('error');
		expect(other.error?.message).toMatch(/ffffffff/);
	});
});
