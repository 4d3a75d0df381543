// n8n glue for the AdOps Notion credential: credential values → the approval
// queue, and the credential test.
import type { ICredentialDataDecryptedObject, ICredentialTestFunctions, ICredentialsDecrypted, IDataObject, ILoadOptionsFunctions, INodeCredentialTestResult, INodeListSearchResult, JsonObject } from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';
import { ApprovalQueue, notionClient, parseApprovers, parseSlackUsers, resolveApprovalDataSource, verifyApprovalDataSource } from '../shared/approvals';
import { scrubSecrets } from '../shared/resilience/errors';
import type { Store } from '../shared/store';
import type { RateLimiter } from '../shared/resilience/rate-limiter';

export interface NotionSettings {
	token: string;
	baseUrl: string | undefined;
	/** The database id or data source id as entered. */
	id: string;
}

export function notionSettings(data: ICredentialDataDecryptedObject): NotionSettings {
	const baseUrl = String(data.baseUrl ?? '').trim().replace(/\/+$/, '');
	return { token: String(data.token ?? '').trim(), baseUrl: baseUrl || undefined, id: String(data.dataSourceId ?? '').trim() };
}

/** Data source ids resolved from database ids, per token and base URL (one Notion call per process). */
const resolved = new Map<string, Promise<string>>();

export async function dataSourceFor(settings: NotionSettings): Promise<string> {
	const key = `${settings.baseUrl ?? ''}|${settings.id}|${settings.token.slice(-6)}`;
	let found = resolved.get(key);
	if (!found) {
		found = resolveApprovalDataSource(notionClient({ token: settings.token, baseUrl: settings.baseUrl }), settings.id);
		resolved.set(key, found);
		found.catch(() => resolved.delete(key));
	}
	return found;
}

/** Node options every operation of the approval nodes shares. */
export interface QueueOptions {
	/** The approval database (or data source) id chosen on the node; empty: the credential's. */
	database?: string;
	approvers?: string;
	slackUsers?: string | IDataObject;
	/** The AdOps Store credential's Shared Limits (`limitsFromNode`): every Notion request takes one of the integration's (about three a second). */
	limits?: RateLimiter;
}

export async function openApprovalQueue(data: ICredentialDataDecryptedObject, store: Store, options: QueueOptions = {}): Promise<ApprovalQueue> {
	const settings = notionSettings(data);
	if (options.database) settings.id = options.database;
	if (!settings.token) throw new Error('The AdOps Notion credential has no integration token');
	const dataSourceId = await dataSourceFor(settings);
	return new ApprovalQueue({
		store,
		notion: { token: settings.token, baseUrl: settings.baseUrl, dataSourceId, client: notionClient({ token: settings.token, baseUrl: settings.baseUrl }, { limits: options.limits }) },
		approvers: parseApprovers(options.approvers),
		slackUsers: parseSlackUsers(options.slackUsers),
	});
}

/** Finds the approval data source and checks its properties; never throws, never echoes the token. */
export async function notionApprovalTest(data: ICredentialDataDecryptedObject): Promise<INodeCredentialTestResult> {
	const settings = notionSettings(data);
	if (!settings.token) return { status: 'Error', message: 'No integration token: fill in Integration Token (ntn_… or secret_…)' };
	if (!settings.id) return { status: 'Error', message: 'No approval database: fill in Approval Database ID' };
	const where = settings.baseUrl ?? 'https://api.notion.com';
	try {
		const client = notionClient({ token: settings.token, baseUrl: settings.baseUrl, retry: false, timeoutMs: 15_000 });
		const dataSourceId = await resolveApprovalDataSource(client, settings.id);
		const schema = await verifyApprovalDataSource(client, dataSourceId);
		const extra = schema.hasResult ? '' : ' (no Result property: results and errors are kept in the store only)';
		return { status: 'OK', message: `Approval data source ${dataSourceId} has every property the queue needs${extra}` };
	} catch (error) {
		const e = error as { status?: number; code?: string; message?: string; cause?: { code?: string } };
		let message: string;
		if (e?.status === 401 || e?.code === 'unauthorized') message = 'Notion rejected the integration token (401): copy the Internal Integration Secret again';
		else if (e?.status === 403 || e?.code === 'restricted_resource') message = 'The integration may not read the approval database (403): share it with the integration (database menu → Connections)';
		else if (e?.code === 'notionhq_client_request_timeout') message = `No answer from the Notion API at ${where} within 15 s: check API URL and the network`;
		else if (typeof e?.status === 'number') message = `Notion answered HTTP ${e.status}: ${(e.message ?? '').split('\n')[0]}`;
		else if (e?.message && /fetch failed|ECONNREFUSED|ENOTFOUND/.test(`${e.message} ${e.cause?.code ?? ''}`)) message = `Cannot reach the Notion API at ${where} (${e.cause?.code ?? e.message}): check API URL (default https://api.notion.com) and the network`;
		else message = (e?.message ?? String(error)).split('\n')[0]!;
		return { status: 'Error', message: scrubSecrets(message, [settings.token]) };
	}
}

export async function adOpsNotionApiTest(this: ICredentialTestFunctions, credential: ICredentialsDecrypted): Promise<INodeCredentialTestResult> {
	return notionApprovalTest(credential.data ?? {});
}

/** A Notion page address → its 32-hex id, dashed (`https://www.notion.so/ws/Approvals-0123…cdef?v=…`). */
export function notionIdFromUrl(url: string): string | null {
	let path: string;
	try {
		const parsed = new URL(url.trim());
		if (!/(^|\.)notion\.(so|site)$/.test(parsed.hostname)) return null;
		path = parsed.pathname;
	} catch {
		return null;
	}
	const last = path.split('/').filter(Boolean).pop() ?? '';
	const hex = /([0-9a-f]{32})$/i.exec(last.replace(/-/g, ''))?.[1];
	if (!hex) return null;
	const h = hex.toLowerCase();
	return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/**
 * "From list" of the approval database locator: the databases shared with
 * the integration (Notion search for data sources), by title, filtered by
 * what is typed; the value is the database id, as in the database's address.
 */
export async function searchNotionDatabases(this: ILoadOptionsFunctions, filter?: string, paginationToken?: string): Promise<INodeListSearchResult> {
	const settings = notionSettings(await this.getCredentials('adOpsNotionApi'));
	const client = notionClient({ token: settings.token, baseUrl: settings.baseUrl, retry: { maxRetries: 1, initialRetryDelayMs: 1000, maxRetryDelayMs: 5000 } });
	let answer: Awaited<ReturnType<typeof client.search>>;
	try {
		answer = await client.search({ ...(filter?.trim() ? { query: filter.trim() } : {}), filter: { property: 'object', value: 'data_source' }, page_size: 100, ...(paginationToken ? { start_cursor: paginationToken } : {}) });
	} catch (error) {
		const message = scrubSecrets(error instanceof Error ? error.message : String(error), [settings.token]);
		throw new NodeApiError(this.getNode(), { message } as JsonObject, { message: `Notion did not list the databases: ${message}` });
	}
	const seen = new Set<string>();
	const results: INodeListSearchResult['results'] = [];
	for (const r of answer.results as Array<{ object?: string; id: string; title?: Array<{ plain_text?: string }>; parent?: { type?: string; database_id?: string } }>) {
		const databaseId = r.parent?.type === 'database_id' && r.parent.database_id ? r.parent.database_id : r.id;
		if (seen.has(databaseId)) continue;
		seen.add(databaseId);
		const title = (r.title ?? []).map((t) => t.plain_text ?? '').join('').trim() || 'Untitled';
		results.push({ name: title, value: databaseId, url: `https://www.notion.so/${databaseId.replace(/-/g, '')}` });
	}
	return { results, ...(answer.next_cursor ? { paginationToken: answer.next_cursor } : {}) };
}
