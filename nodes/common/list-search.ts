// Resource locators ("From list", "By ID", "By URL") of the AdOps nodes: the
// list-search methods the editor calls, and reading a locator's value in a
// node (an `__rl` object, or the plain string older workflows hold).
import type { ILoadOptionsFunctions, INodeListSearchResult, INodePropertyMode } from 'n8n-workflow';
import { NodeApiError, NodeOperationError, type JsonObject } from 'n8n-workflow';
import { accountUrlExample, campaignUrlExample, campaignUrlPattern, hasCampaignUrl, parseAccountUrl, parseCampaignUrl } from '../shared/platforms/account-url';
import { activeCampaigns, campaignAccountChoices, campaignChoices, type ActiveCampaign } from '../shared/creative/campaigns';
import { CREATIVE_PLATFORMS, type CreativePlatform } from '../shared/creative/variant';
import { openStoreFromNode } from './store';
import { createPlatformAdapter, parseIdList, settingsAccountIds } from '../shared/platforms/factory';
import { accountChoices, listAccounts } from '../shared/platforms/listing';
import { canonicalAccountIdOf, isPlatformId, PLATFORM_REGISTRY, platformList, type PlatformId } from '../shared/platforms/registry';
import { ParameterError } from './params';
import { PLATFORM_CREDENTIAL, platformSettingsFromNode } from './platforms';
import { notionIdFromUrl } from './notion';

export interface LocatorValue {
	mode: string;
	value: string;
}

/** A locator parameter's value: `{__rl, mode, value}` as the editor saves it, or a plain string (read as "By ID"). */
export function locatorValue(raw: unknown): LocatorValue {
	if (raw && typeof raw === 'object' && 'value' in raw) {
		const { mode, value } = raw as { mode?: unknown; value?: unknown };
		return { mode: typeof mode === 'string' ? mode : 'id', value: value === undefined || value === null ? '' : String(value).trim() };
	}
	return { mode: 'id', value: raw === undefined || raw === null ? '' : String(raw).trim() };
}

/**
 * The account ids an account locator names: none when empty (the node then
 * uses the credential's list); "By URL" the id in the address; "From list"
 * and "By ID" the value, where "By ID" may hold several ids separated by commas.
 */
export function accountIdsFromLocator(platform: PlatformId, raw: unknown, label = 'Ad Account'): string[] {
	const { mode, value } = locatorValue(raw);
	if (!value) return [];
	if (mode === 'url') {
		const parsed = parseAccountUrl(platform, value);
		if ('problem' in parsed) throw new ParameterError(`${label}: ${parsed.problem}`);
		return [parsed.accountId];
	}
	return parseIdList(value);
}

/**
 * The list-search method of a platform's account locator on a node without a
 * Platform parameter (AdOps Optimizer: one locator per platform it controls),
 * e.g. `searchGoogleAdsAdAccounts`; nodes with a Platform parameter use `searchAdAccounts`.
 */
export function adAccountSearchMethod(platform: PlatformId): string {
	return `search${platform.replace(/(^|_)([a-z])/g, (_m, _s, c: string) => c.toUpperCase())}AdAccounts`;
}

/**
 * The modes of a platform's ad account locator, with its id forms and address
 * as placeholders; "From list" is searched by `method` (`searchAdAccounts`,
 * which reads the node's Platform, or the platform's own `adAccountSearchMethod`).
 */
export function adAccountModes(platform: PlatformId | readonly PlatformId[], method = 'searchAdAccounts', several = true): INodePropertyMode[] {
	// a node whose Platform may come from an expression has one locator for all its platforms: the first one's examples
	const first = typeof platform === 'string' ? platform : platform[0]!;
	const rule = PLATFORM_REGISTRY[first].accountId;
	const url = accountUrlExample(first);
	return [
		{ displayName: 'From List', name: 'list', type: 'list', typeOptions: { searchListMethod: method, searchable: true } },
		{ displayName: 'By ID', name: 'id', type: 'string', placeholder: `e.g. ${rule.example} (${rule.accepted}${several ? '; several separated by commas' : ''})` },
		...(url ? [{ displayName: 'By URL', name: 'url', type: 'string' as const, placeholder: `e.g. ${url}` }] : []),
	];
}

/** The accounts `platform`'s credential on the node reaches, named, filtered by `filter`. */
async function searchAccountsOf(ctx: ILoadOptionsFunctions, platform: PlatformId, filter?: string, paginationToken?: string): Promise<INodeListSearchResult> {
	const selected = ctx.getNode().credentials?.[PLATFORM_CREDENTIAL[platform]];
	if (!selected || (!selected.id && !selected.name)) throw new NodeOperationError(ctx.getNode(), `Select the ${PLATFORM_REGISTRY[platform].productLabel} credential first: the account list comes from it`);
	const settings = await platformSettingsFromNode(ctx, platform);
	const adapter = createPlatformAdapter(settings, { retry: { maxRetries: 1 }, breaker: false, timeoutMs: 20_000 });
	try {
		// the adapter follows the platform's own pages; the editor gets 100 at a time
		return listPage(accountChoices(await listAccounts(adapter, settingsAccountIds(settings)), filter), paginationToken);
	} catch (error) {
		const e = error as Error & { httpStatus?: number };
		throw new NodeApiError(ctx.getNode(), { message: e.message } as JsonObject, { message: e.message, ...(e.httpStatus ? { httpCode: String(e.httpStatus) } : {}) });
	}
}

/**
 * "From list" of an ad account locator: the accounts the chosen Platform's
 * credential reaches, named, filtered by what the user types.
 */
export async function searchAdAccounts(this: ILoadOptionsFunctions, filter?: string, paginationToken?: string): Promise<INodeListSearchResult> {
	const platform = this.getCurrentNodeParameter('platform');
	if (typeof platform !== 'string' || !isPlatformId(platform)) throw new NodeOperationError(this.getNode(), 'Choose a Platform first: the account list comes from its credential');
	return searchAccountsOf(this, platform, filter, paginationToken);
}

/** The `adAccountSearchMethod` of each platform in `platforms`, for a node's `methods.listSearch`. */
export function platformAdAccountSearches(platforms: readonly PlatformId[]): Record<string, (this: ILoadOptionsFunctions, filter?: string, paginationToken?: string) => Promise<INodeListSearchResult>> {
	return Object.fromEntries(
		platforms.map((platform) => [
			adAccountSearchMethod(platform),
			async function (this: ILoadOptionsFunctions, filter?: string, paginationToken?: string) {
				return searchAccountsOf(this, platform, filter, paginationToken);
			},
		]),
	);
}

/** The one account an account locator names, canonical ("" when empty); several ids are refused in words. */
export function accountIdFromLocator(platform: PlatformId, raw: unknown, label = 'Ad Account'): string {
	const ids = accountIdsFromLocator(platform, raw, label);
	if (ids.length > 1) throw new ParameterError(`${label}: give one account, not ${ids.length} (${ids.join(', ')})`);
	return ids[0] ? canonicalAccountIdOf(platform, ids[0]) : '';
}

/** Entries of one "From list" page; n8n asks for the next one with the `paginationToken` given back. */
export const LIST_PAGE_SIZE = 100;

/** One page of `choices` from `token` (an offset); the next page's token while there are more. */
export function listPage(choices: INodeListSearchResult['results'], token?: string | number): INodeListSearchResult {
	const from = Math.max(0, Number(token ?? 0) || 0);
	const results = choices.slice(from, from + LIST_PAGE_SIZE);
	return from + LIST_PAGE_SIZE < choices.length ? { results, paginationToken: String(from + LIST_PAGE_SIZE) } : { results };
}

/**
 * The modes of a campaign locator for `platforms` (one locator, as the
 * Platform may come from an expression): "From list" (searched by `method`),
 * "By ID" (digits) and "By URL" (a campaign's address in one of the
 * platforms' managers), each checked by the editor with its own message; the
 * node parses the address by the platform of the item.
 */
export function campaignModes(platforms: readonly PlatformId[], method = 'searchStoredCampaigns'): INodePropertyMode[] {
	const withUrl = platforms.filter(hasCampaignUrl);
	const names = platformList(withUrl, 'productLabel').replace(/ and /, ' or ');
	return [
		{ displayName: 'From List', name: 'list', type: 'list', typeOptions: { searchListMethod: method, searchable: true } },
		{
			displayName: 'By ID',
			name: 'id',
			type: 'string',
			placeholder: 'e.g. 120210000000001',
			validation: [{ type: 'regex', properties: { regex: '[0-9]+|=.*', errorMessage: 'A campaign ID is digits only' } }],
		},
		...(withUrl.length
			? [
					{
						displayName: 'By URL',
						name: 'url',
						type: 'string' as const,
						placeholder: `e.g. ${campaignUrlExample(withUrl[0]!)}`,
						validation: [{ type: 'regex' as const, properties: { regex: withUrl.map((p) => `(?:${campaignUrlPattern(p)})`).join('|'), errorMessage: `Not the address of a ${names} campaign (e.g. ${campaignUrlExample(withUrl[0]!)})` } }],
					},
				]
			: []),
	];
}

/** The campaign a campaign locator names ("" when empty), and the account its address holds (null when none). */
export function campaignFromLocator(platform: PlatformId, raw: unknown, label = 'Campaign'): { campaignId: string; accountId: string | null } {
	const { mode, value } = locatorValue(raw);
	if (!value || mode !== 'url') return { campaignId: value, accountId: null };
	const parsed = parseCampaignUrl(platform, value);
	if ('problem' in parsed) throw new ParameterError(`${label}: ${parsed.problem}`);
	return parsed;
}

/** Look-back of the store-backed campaign and account lists: campaigns with spend in this many days. */
export const STORED_CAMPAIGN_DAYS = 90;

/** The node's Platform when it is one whose campaigns the store holds for the creative run. */
function creativePlatformOf(ctx: ILoadOptionsFunctions): CreativePlatform {
	const platform = ctx.getCurrentNodeParameter('platform');
	if (typeof platform !== 'string' || !(CREATIVE_PLATFORMS as readonly string[]).includes(platform)) throw new NodeOperationError(ctx.getNode(), 'Choose a Platform first: the list shows its campaigns');
	return platform as CreativePlatform;
}

async function storedCampaigns(ctx: ILoadOptionsFunctions, platform: CreativePlatform, accountId?: string): Promise<ActiveCampaign[]> {
	const store = await openStoreFromNode(ctx);
	try {
		return await activeCampaigns(store, { days: STORED_CAMPAIGN_DAYS, platforms: [platform], ...(accountId ? { accountIds: [accountId] } : {}) });
	} finally {
		await store.release();
	}
}

/**
 * "From list" of a campaign locator on AdOps Creative, which holds no
 * platform credential: the campaigns of the chosen Platform (and Account,
 * when one is set) ingested into the store with spend in the last
 * STORED_CAMPAIGN_DAYS days, named, filtered, 100 a page.
 */
export async function searchStoredCampaigns(this: ILoadOptionsFunctions, filter?: string, paginationToken?: string): Promise<INodeListSearchResult> {
	const platform = creativePlatformOf(this);
	let accountId = '';
	try {
		const raw = locatorValue(this.getCurrentNodeParameter('accountId'));
		// an expression (the default reads the input item) names no account while the list is open
		if (raw.value && !raw.value.startsWith('=')) accountId = accountIdFromLocator(platform, this.getCurrentNodeParameter('accountId'));
	} catch {
		accountId = '';
	}
	return listPage(campaignChoices(await storedCampaigns(this, platform, accountId || undefined), { filter, accountNamed: !accountId }), paginationToken);
}

/** "From list" of the account locator on AdOps Creative: the accounts of the chosen Platform with campaigns in the store (as searchStoredCampaigns). */
export async function searchStoredAccounts(this: ILoadOptionsFunctions, filter?: string, paginationToken?: string): Promise<INodeListSearchResult> {
	return listPage(campaignAccountChoices(await storedCampaigns(this, creativePlatformOf(this)), filter), paginationToken);
}

/** A Slack channel address: `https://app.slack.com/client/T…/C…` or `https://<workspace>.slack.com/archives/C…[/p…]` (n8n anchors it with ^…$). */
const SLACK_CHANNEL_URL = 'https?://[^/\\s]*slack\\.com/(?:archives|client/[A-Z0-9]+)/([CGD][A-Z0-9]+)(?:[/?#].*)?';

/** The modes of a Slack channel locator (the list is searched by `searchSlackChannels`). */
export const SLACK_CHANNEL_MODES: INodePropertyMode[] = [
	{ displayName: 'From List', name: 'list', type: 'list', typeOptions: { searchListMethod: 'searchSlackChannels', searchable: true } },
	{ displayName: 'By ID', name: 'id', type: 'string', placeholder: 'e.g. C0123456789 or #ad-ops' },
	{
		displayName: 'By URL',
		name: 'url',
		type: 'string',
		placeholder: 'e.g. https://app.slack.com/client/T0123456789/C0123456789',
		validation: [{ type: 'regex', properties: { regex: SLACK_CHANNEL_URL, errorMessage: 'Not a Slack channel address (…slack.com/archives/C… or app.slack.com/client/T…/C…)' } }],
	},
];

/** The channel a Slack channel locator names ("" when empty): an id or #name as given, or the id in a channel address. */
export function slackChannelFromLocator(raw: unknown, label = 'Channel'): string {
	const { mode, value } = locatorValue(raw);
	if (!value || mode !== 'url') return value;
	const id = new RegExp(`^${SLACK_CHANNEL_URL}$`).exec(value)?.[1];
	if (!id) throw new ParameterError(`${label}: "${value}" is not a Slack channel address; expected one like https://app.slack.com/client/T0123456789/C0123456789`);
	return id;
}

/** The modes of a Notion database locator (the list is searched by `searchNotionDatabases`). */
export const NOTION_DATABASE_MODES: INodePropertyMode[] = [
	{ displayName: 'From List', name: 'list', type: 'list', typeOptions: { searchListMethod: 'searchNotionDatabases', searchable: true } },
	{ displayName: 'By ID', name: 'id', type: 'string', placeholder: 'e.g. 0123456789abcdef0123456789abcdef (database or data source ID)' },
	{ displayName: 'By URL', name: 'url', type: 'string', placeholder: 'e.g. https://www.notion.so/workspace/Approvals-0123456789abcdef0123456789abcdef?v=…' },
];

/** The database a Notion database locator names ("" when empty): the id as given, or the id in a Notion address. */
export function notionDatabaseFromLocator(raw: unknown, label = 'Approval Database'): string {
	const { mode, value } = locatorValue(raw);
	if (!value || mode !== 'url') return value;
	const id = notionIdFromUrl(value);
	if (!id) throw new ParameterError(`${label}: "${value}" is not a Notion database address; expected one like https://www.notion.so/workspace/Approvals-0123456789abcdef0123456789abcdef`);
	return id;
}
