// The resource locators of AdOps Alert (Slack channel), AdOps Approval (Notion approval database),
// AdOps Optimizer (an ad account per platform) and AdOps Creative (account and campaign), run in-process
// by n8n-core against the sandbox: "From list" asks Slack (conversations.list), Notion (search for data
// sources) and each ad platform (its account list, through the adapters) what there is, or the store for
// Creative, which holds no platform credential; "By URL" values reach the run; a foreign address fails
// naming the parameter and the item; text values of older nodes keep working.
import { test, describe, beforeAll, afterAll, expect } from 'vitest';
import type { ILoadOptionsFunctions, INode, INodeListSearchResult, INodeType } from 'n8n-workflow';
import { PREFIX, startEngine, type Engine } from './harness';
import { expectNodeError, json, slackMessages } from './expect';
import { seedPerformance } from './world';
import { accountUrl, campaignUrl } from '../../nodes/shared/platforms/account-url';
import { STORED_CAMPAIGN_DAYS } from '../../nodes/common/list-search';
import { addDays } from '../../scripts/sandbox/rng';

describe('resource locators of the AdOps nodes', () => {
	let engine: Engine;
	let creds: Record<string, { id: string; name: string }>;
	/** The editor's call of a node's list-search method, with the node's credentials. */
	const listSearch = (nodeType: INodeType, method: string, filter?: string, parameters: Record<string, unknown> = {}, credentials = creds, paginationToken?: string): Promise<INodeListSearchResult> => {
		const node = { id: 'n1', name: 'Node', type: `${PREFIX}${nodeType.description.name}`, typeVersion: 1, position: [0, 0], parameters, credentials } as unknown as INode;
		const ctx = {
			getNode: () => node,
			getCurrentNodeParameter: (name: string) => parameters[name],
			getCredentials: async (type: string) => structuredClone(engine.credentials.values[type]),
		} as unknown as ILoadOptionsFunctions;
		return nodeType.methods!.listSearch![method]!.call(ctx, filter, paginationToken);
	};
	const alert = (parameters: Record<string, unknown>, typeVersion?: number) => ({ name: 'Alert', type: 'adOpsAlert', parameters: { operation: 'post', source: 'fields', kind: 'info', title: 'Locator check', ...parameters }, credentials: creds, ...(typeVersion ? { typeVersion } : {}) });

	beforeAll(async () => {
		engine = await startEngine({ seed: 11 });
		creds = { ...engine.credentialRef('adOpsStoreApi'), ...engine.credentialRef('adOpsSlackApi'), ...engine.credentialRef('adOpsNotionApi') };
		await seedPerformance(engine, STORED_CAMPAIGN_DAYS);
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

	test('Optimizer 1.1: each platform\'s From list asks that platform for the accounts its credential reaches; By URL and version 1 text reach the run', async () => {
		const type = engine.nodeTypes.getByNameAndVersion(`${PREFIX}adOpsOptimizer`, 1.1);
		expect(type.description.defaultVersion).toBe(1.1);
		const platformCreds = { ...creds, ...engine.credentialRef('adOpsMetaAdsApi'), ...engine.credentialRef('adOpsLinkedInAdsOAuth2Api'), ...engine.credentialRef('adOpsGoogleAdsOAuth2Api') };
		const { world } = engine.sandbox;
		for (const [method, platform] of [['searchMetaAdAccounts', 'meta'], ['searchLinkedinAdAccounts', 'linkedin'], ['searchGoogleAdsAdAccounts', 'google']] as const) {
			const { results } = await listSearch(type, method, undefined, {}, platformCreds);
			const expected = world.accounts.filter((a) => a.platform === platform);
			expect(results.length, method).toBeGreaterThan(0);
			// every listed account is one of the platform's, named, with the link to it in the platform's manager
			for (const r of results) {
				const account = expected.find((a) => r.value === a.id || r.value === `act_${a.id}`);
				expect(account, `${method}: ${String(r.value)}`).toBeDefined();
				expect(r.name).toContain(account!.name);
			}
		}
		const meta = world.accounts.find((a) => a.platform === 'meta')!;
		expect((await listSearch(type, 'searchMetaAdAccounts', meta.name.slice(0, 6).toUpperCase(), {}, platformCreds)).results.map((r) => r.value)).toContain(meta.id);
		// no Meta credential on the node: said in words, not an API error
		await expect(listSearch(type, 'searchMetaAdAccounts', undefined, {}, creds)).rejects.toThrow(/Select the Meta Ads credential first/);
		// Meta failing (5xx on every try): n8n's NodeApiError with Meta's status, the token never in the message
		engine.sandbox.injectFault({ route: 'meta.myAdAccounts', kind: '5xx', status: 503, count: 5 });
		const failed = await listSearch(type, 'searchMetaAdAccounts', undefined, {}, platformCreds).then(
			() => null,
			(e: unknown) => e as Error & { httpCode?: string },
		);
		engine.sandbox.clearFaults();
		expect(failed?.name).toBe('NodeApiError');
		expect(failed?.httpCode).toBe('503');
		expect(failed?.message).not.toContain(String(engine.credentials.values.adOpsMetaAdsApi!.accessToken));

		const optimizer = (runOptions: Record<string, unknown>, typeVersion = 1.1) => ({
			name: 'Optimizer',
			type: 'adOpsOptimizer',
			typeVersion,
			parameters: { operation: 'run', mode: 'dryRun', useStoredRules: false, rules: '[]', runOptions: { output: 'full', ...runOptions } },
			credentials: { ...engine.credentialRef('adOpsStoreApi'), ...engine.credentialRef('adOpsMetaAdsApi') },
		});
		for (const [label, runOptions, typeVersion] of [
			['By URL', { metaAccounts: { __rl: true, mode: 'url', value: accountUrl('meta', meta.id) } }, 1.1],
			['From list', { metaAccounts: { __rl: true, mode: 'list', value: meta.id, cachedResultName: meta.name } }, 1.1],
			['version 1 text', { metaAccounts: meta.id }, 1],
		] as const) {
			const before = engine.sandbox.requests().at(-1)?.seq ?? 0;
			const run = await engine.runNode(optimizer(runOptions, typeVersion));
			expect(run.status, `${label}: ${run.error?.message}`).toBe('success');
			// the accounts the run read from Meta: the one the option names (the credential lists others)
			const read = new Set(
				engine.sandbox
					.requests({ platform: 'meta' })
					.filter((r) => r.seq > before)
					.map((r) => /act_(\d+)/.exec(r.path)?.[1])
					.filter((id) => id !== undefined),
			);
			expect([...read], label).toEqual([meta.id]);
		}
		// a LinkedIn address given for Meta, from an expression: the option and the item are named
		const wrong = await engine.runNode(optimizer({ metaAccounts: { __rl: true, mode: 'url', value: '={{ "https://www.linkedin.com/campaignmanager/accounts/508123456/campaigns" }}' } }));
		expectNodeError(wrong, 'Optimizer', /Meta Ads Ad Account: "https:\/\/www\.linkedin\.com\/.*" is not a Meta Ads account address/, 0);
	});

	test('Creative 1.1: From list shows the campaigns and accounts in the store for the Platform (filtered, paged); a campaign address reaches the run', async () => {
		const type = engine.nodeTypes.getByNameAndVersion(`${PREFIX}adOpsCreative`, 1.1);
		expect(type.description.defaultVersion).toBe(1.2); // a new AdOps Creative is 1.2 (Publish Approved), which keeps 1.1's locators
		const { world } = engine.sandbox;
		const account = world.accounts.find((a) => a.platform === 'meta' && a.campaigns.some((c) => c.status === 'ACTIVE'))!;
		const spent = (c: (typeof account.campaigns)[number]) => c.daily.some((d) => d.date >= addDays(world.today, -STORED_CAMPAIGN_DAYS) && d.impressions > 0 && d.spend > 0);
		const expected = account.campaigns.filter(spent);
		const { results } = await listSearch(type, 'searchStoredCampaigns', undefined, { platform: 'meta', accountId: { __rl: true, mode: 'list', value: account.id } });
		expect(results.map((r) => r.value).sort()).toEqual(expected.map((c) => c.id).sort());
		const one = expected[0]!;
		expect(results.find((r) => r.value === one.id)).toEqual({ name: `${one.name} · ${one.id}`, value: one.id, url: campaignUrl('meta', account.id, one.id) });
		expect((await listSearch(type, 'searchStoredCampaigns', one.name.toLowerCase(), { platform: 'meta', accountId: account.id })).results.map((r) => r.value)).toContain(one.id);
		// the Account still the default expression (the input item's): every Meta campaign in the store, naming its account
		const all = await listSearch(type, 'searchStoredCampaigns', undefined, { platform: 'meta', accountId: { __rl: true, mode: 'id', value: '={{ $json.accountId }}' } });
		const metaCampaigns = world.accounts.filter((a) => a.platform === 'meta').flatMap((a) => a.campaigns.filter(spent));
		expect(all.results.length).toBe(Math.min(100, metaCampaigns.length));
		expect(all.results[0]!.name).toMatch(/ · account \d+$/);
		const accounts = await listSearch(type, 'searchStoredAccounts', undefined, { platform: 'meta' });
		expect(accounts.results.map((r) => r.value)).toContain(account.id);
		await expect(listSearch(type, 'searchStoredCampaigns', undefined, { platform: '={{ $json.platform }}' })).rejects.toThrow(/Choose a Platform first/);

		// Generate Variants for the campaign of an Ads Manager address (the address names the account too)
		const generate = {
			name: 'Creative',
			type: 'adOpsCreative',
			parameters: {
				operation: 'generate',
				brief: 'Waterproof jackets for the commute',
				platform: 'meta',
				accountId: { __rl: true, mode: 'id', value: '' },
				campaignId: { __rl: true, mode: 'url', value: campaignUrl('meta', account.id, one.id) },
				count: 1,
				metric: 'roas',
				generateOptions: {},
			},
			credentials: { ...engine.credentialRef('adOpsStoreApi'), ...engine.credentialRef('adOpsOpenAiApi') },
		};
		const run = await engine.runNode(generate);
		expect(run.status, run.error?.message).toBe('success');
		const out = [...json(run.items('Creative', 0)), ...json(run.items('Creative', 1))].filter((o) => !o.digest);
		expect(out.length).toBeGreaterThan(0);
		const payloads = out.map((o) => (o.proposal as { payload: { accountId: string; campaignId: string } }).payload);
		expect(payloads.every((p) => p.campaignId === one.id && p.accountId === account.id)).toBe(true);

		// an Ad Account that is not the account of the Campaign's address is refused in words, nothing generated
		const other = world.accounts.find((a) => a.platform === 'meta' && a.id !== account.id)!;
		const mismatch = await engine.runNode({ ...generate, parameters: { ...generate.parameters, accountId: { __rl: true, mode: 'id', value: other.id } } });
		expectNodeError(mismatch, 'Creative', /^Campaign: the address is of account \S+, but Ad Account is \S+; pick one account$/, 0);
	});
});
