// n8n glue for the AdOps Notion credential: credential values → the approval
// queue, and the credential test.
import type { ICredentialDataDecryptedObject, ICredentialTestFunctions, ICredentialsDecrypted, IDataObject, INodeCredentialTestResult } from 'n8n-workflow';
import { ApprovalQueue, notionClient, parseApprovers, parseSlackUsers, resolveApprovalDataSource, verifyApprovalDataSource } from '../shared/approvals';
import type { Store } from '../shared/store';

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
	approvers?: string;
	slackUsers?: string | IDataObject;
}

export async function openApprovalQueue(data: ICredentialDataDecryptedObject, store: Store, options: QueueOptions = {}): Promise<ApprovalQueue> {
	const settings = notionSettings(data);
	if (!settings.token) throw new Error('The AdOps Notion credential has no integration token');
	const dataSourceId = await dataSourceFor(settings);
	return new ApprovalQueue({
		store,
		notion: { token: settings.token, baseUrl: settings.baseUrl, dataSourceId },
		approvers: parseApprovers(options.approvers),
		slackUsers: parseSlackUsers(options.slackUsers),
	});
}

function scrub(text: string, token: string): string {
	return token ? text.split(token).join('***') : text;
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
		return { status: 'Error', message: scrub(message, settings.token) };
	}
}

export async function adOpsNotionApiTest(this: ICredentialTestFunctions, credential: ICredentialsDecrypted): Promise<INodeCredentialTestResult> {
	return notionApprovalTest(credential.data ?? {});
}
