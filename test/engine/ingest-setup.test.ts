// AdOps Ingest set up from scratch (issue 16): the Platform parameter, only its credential next to AdOps Store
// (test/unit/credential-slots.test.ts checks the editor's authentication-field rule), the subtitle in words, and the
// Ad Account locator: "From list" asks the sandbox's platforms which accounts the credential reaches,
// "By URL" and "By ID" values reach the run, a bad address fails with the item index, version 1 still runs.
import { clearGoogleAccessTokenCache } from '../../nodes/shared/platforms/google-ads-rest';
import { test, describe, beforeAll, afterAll, expect } from 'vitest';
import { NodeHelpers, type ILoadOptionsFunctions, type INode, type INodeListSearchResult, type INodeParameters, type INodeType } from 'n8n-workflow';
import { PREFIX, startEngine, type Engine } from './harness';
import { expectNodeError, json } from './expect';
import { PLATFORM_REGISTRY, platformsWith, type PlatformId } from '../../nodes/shared/platforms/registry';
import { accountUrl } from '../../nodes/shared/platforms/account-url';
import { LINKEDIN_SANDBOX_OAUTH } from '../../scripts/sandbox/platforms/linkedin';

describe('AdOps Ingest set up from scratch', () => {
	let engine: Engine;
	let ingest: INodeType;
	let creds: Record<string, { id: string; name: string }>;
	const node = (parameters: Record<string, unknown>, typeVersion?: number) => ({ name: 'Ingest', type: 'adOpsIngest', parameters, credentials: creds, ...(typeVersion ? { typeVersion } : {}) });
	/** The editor's call of a list-search method: the node's current parameters and its credentials. */
	const listSearch = (method: string, parameters: Record<string, unknown>, filter?: string): Promise<INodeListSearchResult> => {
		const current = { id: 'n1', name: 'Ingest', type: `${PREFIX}adOpsIngest`, typeVersion: 2, position: [0, 0], parameters, credentials: creds } as unknown as INode;
		const ctx = {
			getNode: () => current,
			getCurrentNodeParameter: (name: string) => parameters[name],
			getCredentials: async (type: string) => structuredClone(engine.credentials.values[type]),
		} as unknown as ILoadOptionsFunctions;
		return ingest.methods!.listSearch![method]!.call(ctx, filter);
	};

	beforeAll(async () => {
		engine = await startEngine({ seed: 21 });
		ingest = engine.nodeTypes.getByNameAndVersion(`${PREFIX}adOpsIngest`, 2);
		creds = { ...engine.credentialRef('adOpsStoreApi'), ...engine.credentialRef('adOpsMetaAdsApi'), ...engine.credentialRef('adOpsLinkedInAdsOAuth2Api'), ...engine.credentialRef('adOpsGoogleAdsOAuth2Api'), ...engine.credentialRef('adOpsKlaviyoApi'), ...engine.credentialRef('adOpsTikTokAdsApi') };
	});
	afterAll(async () => {
		await engine?.close();
	});

	test('Platform lists the registry\'s ingest platforms by name; each shows AdOps Store and its own credential only', () => {
		const d = ingest.description;
		expect(d.defaultVersion).toBe(2);
		const platform = d.properties.find((p) => p.name === 'platform')!;
		expect(platform.type).toBe('options');
		expect((platform.options as Array<{ name: string; value: string }>).map((o) => o.value).sort()).toEqual([...platformsWith('ingest')].sort());
		expect((platform.options as Array<{ name: string; value: PlatformId }>).every((o) => o.name === PLATFORM_REGISTRY[o.value].productLabel)).toBe(true);
		const shown = (parameters: INodeParameters) => (d.credentials ?? []).filter((c) => NodeHelpers.displayParameter(parameters, c, null, d)).map((c) => c.name);
		for (const id of platformsWith('ingest')) {
			expect(shown({ operation: 'ingest', platform: id })).toEqual(['adOpsStoreApi', PLATFORM_REGISTRY[id].credentials[0].name]);
		}
		expect(shown({ operation: 'qualityReport', platform: 'meta' })).toEqual(['adOpsStoreApi']);
		// the Ad Account locator of version 2 shows the chosen platform's id forms and address
		for (const id of platformsWith('ingest')) {
			const v2 = { typeVersion: 2 } as INode;
			const locators = d.properties.filter((p) => p.name === 'accounts' && NodeHelpers.displayParameter({ operation: 'ingest', platform: id }, p, v2, d));
			expect(locators.map((p) => p.type), id).toEqual(['resourceLocator']);
			const modes = locators[0]!.modes!;
			expect(modes.find((m) => m.name === 'id')?.placeholder).toContain(PLATFORM_REGISTRY[id].accountId.example);
			expect(modes.find((m) => m.name === 'url')?.placeholder ?? null).toBe(PLATFORM_REGISTRY[id].ingest.accountFromCredential ? null : `e.g. ${accountUrl(id, PLATFORM_REGISTRY[id].accountId.example)}`);
		}
		// every slot named: AdOps Store, and each platform by its name
		expect((d.credentials ?? []).map((c) => c.displayName)).toEqual(['AdOps Store', ...platformsWith('ingest').map((id) => PLATFORM_REGISTRY[id].productLabel)]);
	});

	test('subtitle in words', () => {
		const subtitle = ingest.description.subtitle!;
		const body = /^=\{\{([\s\S]*)\}\}$/.exec(subtitle)![1]!;
		const evaluate = (p: Record<string, unknown>) => new Function('$parameter', `return (${body});`)(p) as string;
		expect(evaluate({ operation: 'ingest', platform: 'google_ads' })).toBe('Ingest · Google Ads');
		expect(evaluate({ operation: 'ingest', platform: 'meta' })).toBe('Ingest · Meta Ads');
		expect(evaluate({ operation: 'qualityReport' })).toBe('Data Quality Report');
	});

	test('From list: the accounts each platform says the credential reaches, named, filtered by what is typed', async () => {
		const world = engine.sandbox.world;
		const expected: Record<PlatformId, string[]> = {
			meta: world.accounts.filter((a) => a.platform === 'meta').map((a) => a.id),
			linkedin: world.accounts.filter((a) => a.platform === 'linkedin').map((a) => a.id),
			google_ads: world.accounts.filter((a) => a.platform === 'google').map((a) => a.id),
			klaviyo: [world.klaviyo.id],
			tiktok: world.tiktok.advertisers.map((a) => a.id),
		};
		for (const platform of platformsWith('ingest')) {
			const { results } = await listSearch('searchAdAccounts', { operation: 'ingest', platform });
			expect(results.map((r) => r.value).sort(), platform).toEqual([...expected[platform]].sort());
			for (const r of results) {
				expect(r.name, `${platform} ${String(r.value)} is named`).not.toBe(String(r.value));
				expect(r.url).toBe(accountUrl(platform, String(r.value)));
			}
		}
		// asked of the platforms themselves (TikTok: the credential's advertisers, described)
		for (const route of ['meta.myAdAccounts', 'linkedin.accounts', 'googleads.listAccessibleCustomers', 'klaviyo.accounts', 'tiktok.advertiserInfo']) {
			expect(engine.sandbox.requests({ route }).length, route).toBeGreaterThan(0);
		}
		const meta = world.accounts.filter((a) => a.platform === 'meta');
		const one = meta[0]!;
		const { results } = await listSearch('searchAdAccounts', { operation: 'ingest', platform: 'meta' }, one.name.slice(0, 12).toUpperCase());
		expect(results.map((r) => r.value)).toContain(one.id);
		expect(results.length).toBeLessThanOrEqual(meta.filter((a) => a.name.toLowerCase().includes(one.name.slice(0, 12).toLowerCase())).length);
		await expect(listSearch('searchAdAccounts', { operation: 'ingest', platform: 'nope' })).rejects.toThrow(/Choose a Platform/);
	});

	test('By URL and From list values reach the run; a foreign address fails with the item index; By ID takes several ids', async () => {
		const meta = engine.sandbox.world.accounts.filter((a) => a.platform === 'meta');
		const [a, b] = [meta[0]!, meta[1]!];
		const base = { operation: 'ingest', platform: 'meta', reportingCurrency: 'USD', lookbackDays: 1, initialBackfillDays: 2, options: {} };
		const byUrl = await engine.runNode(node({ ...base, accounts: { __rl: true, mode: 'url', value: `https://adsmanager.facebook.com/adsmanager/manage/campaigns?act=${a.id}&business_id=1` } }));
		expect(byUrl.status, byUrl.error?.message).toBe('success');
		expect(json(byUrl.items('Ingest')).map((o) => o.accountId)).toEqual([a.id]);
		const fromList = await engine.runNode(node({ ...base, accounts: { __rl: true, mode: 'list', value: b.id, cachedResultName: b.name } }));
		expect(json(fromList.items('Ingest')).map((o) => o.accountId)).toEqual([b.id]);
		const byId = await engine.runNode(node({ ...base, accounts: { __rl: true, mode: 'id', value: `act_${a.id}, ${b.id}` } }));
		expect(json(byId.items('Ingest')).map((o) => o.accountId).sort()).toEqual([a.id, b.id].sort());
		const foreign = await engine.runNode(node({ ...base, accounts: { __rl: true, mode: 'url', value: 'https://www.linkedin.com/campaignmanager/accounts/508123456/campaigns' } }));
		expectNodeError(foreign, 'Ingest', /is not a Meta Ads account address; expected one like https:\/\/adsmanager\.facebook\.com/, 0);
	});

	test('version 1 (Account IDs as text) still runs', async () => {
		const linkedin = engine.sandbox.world.accounts.filter((a) => a.platform === 'linkedin');
		const run = await engine.runNode(node({ operation: 'ingest', platform: 'linkedin', accounts: `urn:li:sponsoredAccount:${linkedin[0]!.id}`, reportingCurrency: 'USD', lookbackDays: 1, initialBackfillDays: 2, options: {} }, 1));
		expect(run.status, run.error?.message).toBe('success');
		expect(json(run.items('Ingest')).map((o) => o.accountId)).toEqual([linkedin[0]!.id]);
	});
	test('an expired LinkedIn access token is renewed through n8n\'s OAuth2 helper and stored with the credential', async () => {
		const type = 'adOpsLinkedInAdsOAuth2Api';
		const saved = engine.credentials.values[type]!;
		const linkedin = engine.sandbox.world.accounts.filter((a) => a.platform === 'linkedin');
		const base = { operation: 'ingest', platform: 'linkedin', accounts: { __rl: true, mode: 'list', value: linkedin[0]!.id }, reportingCurrency: 'USD', lookbackDays: 1, initialBackfillDays: 2, options: { failOnAccountError: true } };
		try {
			engine.credentials.values[type] = { ...saved, oauthTokenData: { access_token: 'AQVexpired-sandbox-token', expires_in: 5184000, refresh_token: LINKEDIN_SANDBOX_OAUTH.refreshToken } };
			const before = engine.sandbox.requests({ route: 'linkedin.accessToken' }).length;
			const run = await engine.runNode(node(base));
			expect(run.status, run.error?.message).toBe('success');
			expect(json(run.items('Ingest')).map((o) => [o.accountId, o.status])).toEqual([[linkedin[0]!.id, 'success']]);
			expect(engine.sandbox.requests({ route: 'linkedin.accessToken' }).length - before).toBe(1);
			const stored = engine.credentials.values[type]!.oauthTokenData as { access_token: string };
			expect(stored.access_token).toBe(engine.sandbox.credentials.linkedin.accessToken);
			// The stored token is good now: the next run renews nothing.
			const again = await engine.runNode(node(base));
			expect(again.status, again.error?.message).toBe('success');
			expect(engine.sandbox.requests({ route: 'linkedin.accessToken' }).length - before).toBe(1);

			// Without a refresh token nothing can renew it: the account fails, and Fail When an Account Fails
			// stops the run with n8n's API error (LinkedIn's HTTP 401) naming the item.
			engine.credentials.values[type] = { ...saved, oauthTokenData: { access_token: 'AQVexpired-sandbox-token' } };
			const expired = await engine.runNode(node(base));
			expectNodeError(expired, 'Ingest', /1 of 1 LinkedIn account\(s\) failed: .*HTTP 401.*reconnect the LinkedIn credential/, 0);
			expect(expired.error).toMatchObject({ name: 'NodeApiError', httpCode: '401' });
		} finally {
			engine.credentials.values[type] = saved;
		}
	});

	test('Google Ads: an expired access token is renewed through n8n\'s OAuth2 helper, stored, and used by the adapter; the next run exchanges nothing', async () => {
		const type = 'adOpsGoogleAdsOAuth2Api';
		const saved = engine.credentials.values[type]!;
		const google = engine.sandbox.world.accounts.filter((a) => a.platform === 'google');
		const base = { operation: 'ingest', platform: 'google_ads', accounts: { __rl: true, mode: 'id', value: google[0]!.id }, reportingCurrency: 'USD', lookbackDays: 1, initialBackfillDays: 2, options: { failOnAccountError: true } };
		const exchanges = () => engine.sandbox.requests({ route: 'googleoauth.token' }).length;
		const refused = () => engine.sandbox.requests({ platform: 'googleads' }).filter((r) => r.status === 401).length;
		try {
			// a token of another refresh token: the adapter's cache (per process) holds none for it
			const refreshToken = String((saved.oauthTokenData as { refresh_token: string }).refresh_token);
			engine.credentials.values[type] = { ...saved, oauthTokenData: { refresh_token: refreshToken, access_token: 'ya29.sandbox.1.expired', expires_in: 3599 } };
			clearGoogleAccessTokenCache();
			const before = { exchanges: exchanges(), refused: refused() };
			const run = await engine.runNode(node(base));
			expect(run.status, run.error?.message).toBe('success');
			expect(json(run.items('Ingest')).map((o) => o.status)).toEqual(['success']);
			expect(exchanges() - before.exchanges, 'one exchange, by n8n').toBe(1);
			expect(refused() - before.refused, 'the stale token refused once, on the check through n8n').toBe(1);
			const stored = engine.credentials.values[type]!.oauthTokenData as { access_token: string; refresh_token: string };
			expect(stored.access_token).toMatch(/^ya29\.sandbox\.\d+\./);
			expect(stored.refresh_token).toBe(refreshToken);
			// The next run (its adapter's cache emptied, as in another process) uses the stored token: nothing exchanged.
			clearGoogleAccessTokenCache();
			const again = await engine.runNode(node(base));
			expect(again.status, again.error?.message).toBe('success');
			expect(exchanges() - before.exchanges).toBe(1);
			expect(refused() - before.refused).toBe(1);
		} finally {
			engine.credentials.values[type] = saved;
			clearGoogleAccessTokenCache();
		}
	});
});
