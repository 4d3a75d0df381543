// Resource locators ("From list", "By ID", "By URL") of the AdOps nodes: the
// list-search methods the editor calls, and reading a locator's value in a
// node (an `__rl` object, or the plain string older workflows hold).
import type { ILoadOptionsFunctions, INodeListSearchResult, INodePropertyMode } from 'n8n-workflow';
import { NodeApiError, NodeOperationError, type JsonObject } from 'n8n-workflow';
import { accountUrlExample, parseAccountUrl } from '../shared/platforms/account-url';
import { createPlatformAdapter, parseIdList, settingsAccountIds } from '../shared/platforms/factory';
import { accountChoices, listAccounts } from '../shared/platforms/listing';
import { isPlatformId, PLATFORM_REGISTRY, type PlatformId } from '../shared/platforms/registry';
import { ParameterError } from './params';
import { platformSettingsFromNode } from './platforms';
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

/** The modes of a platform's ad account locator (the list is searched by `searchAdAccounts`), with its id forms and address as placeholders. */
export function adAccountModes(platform: PlatformId): INodePropertyMode[] {
	const rule = PLATFORM_REGISTRY[platform].accountId;
	const url = accountUrlExample(platform);
	return [
		{ displayName: 'From List', name: 'list', type: 'list', typeOptions: { searchListMethod: 'searchAdAccounts', searchable: true } },
		{ displayName: 'By ID', name: 'id', type: 'string', placeholder: `e.g. ${rule.example} (${rule.accepted}; several separated by commas)` },
		...(url ? [{ displayName: 'By URL', name: 'url', type: 'string' as const, placeholder: `e.g. ${url}` }] : []),
	];
}

/**
 * "From list" of an ad account locator: the accounts the chosen Platform's
 * credential reaches, named, filtered by what the user types.
 */
export async function searchAdAccounts(this: ILoadOptionsFunctions, filter?: string): Promise<INodeListSearchResult> {
	const platform = this.getCurrentNodeParameter('platform');
	if (typeof platform !== 'string' || !isPlatformId(platform)) throw new NodeOperationError(this.getNode(), 'Choose a Platform first: the account list comes from its credential');
	const settings = await platformSettingsFromNode(this, platform);
	const adapter = createPlatformAdapter(settings, { retry: { maxRetries: 1 }, breaker: false, timeoutMs: 20_000 });
	try {
		return { results: accountChoices(await listAccounts(adapter, settingsAccountIds(settings)), filter) };
	} catch (error) {
		const e = error as Error & { httpStatus?: number };
		throw new NodeApiError(this.getNode(), { message: e.message } as JsonObject, { message: e.message, ...(e.httpStatus ? { httpCode: String(e.httpStatus) } : {}) });
	}
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
