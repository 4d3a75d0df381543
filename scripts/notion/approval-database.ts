/**
 * Creates the AdOps approval database (one data source with the approval
 * card's properties) under a Notion page. Used by scripts/notion/provision.ts
 * and by tests.
 */
import { Client, LogLevel } from '@notionhq/client';
import { approvalDatabaseProperties, CARD_STATUSES, PROPS, TITLE_PROPERTY } from '../../nodes/shared/approvals/card';

export interface ProvisionOptions {
	token?: string;
	/** API base URL (default Notion's). */
	baseUrl?: string;
	/** Page the database is created under (id or a Notion page URL). */
	parentPageId: string;
	title?: string;
	/** `select` (default; creatable through the API everywhere) or `status`. */
	statusType?: 'select' | 'status';
	client?: Client;
}

export interface ProvisionResult {
	databaseId: string;
	dataSourceId: string;
	url?: string;
	title: string;
	properties: string[];
}

/** Accepts a bare id (with or without dashes) or a Notion URL ending in one. */
export function pageIdFrom(value: string): string {
	const match = /([0-9a-fA-F]{32}|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})(?:[?#].*)?$/.exec(value.trim());
	if (!match) throw new Error(`"${value}" is not a Notion page id or page URL`);
	const hex = match[1]!.replace(/-/g, '').toLowerCase();
	return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export async function provisionApprovalDatabase(options: ProvisionOptions): Promise<ProvisionResult> {
	const notion =
		options.client ??
		new Client({ auth: options.token, baseUrl: options.baseUrl, notionVersion: '2025-09-03', logLevel: LogLevel.ERROR, retry: { maxRetries: 5, initialRetryDelayMs: 1000, maxRetryDelayMs: 60_000 } });
	const title = options.title ?? 'AdOps Approvals';
	const db = await notion.databases.create({
		parent: { type: 'page_id', page_id: pageIdFrom(options.parentPageId) },
		title: [{ type: 'text', text: { content: title } }],
		initial_data_source: { properties: approvalDatabaseProperties(options.statusType ?? 'select') as never },
	});
	const sources = 'data_sources' in db ? db.data_sources : [];
	if (sources.length !== 1) throw new Error(`Notion created database ${db.id} with ${sources.length} data sources; expected one`);
	const dataSourceId = sources[0]!.id;
	// Read the schema back: every property the approval queue needs, with all card statuses.
	const ds = (await notion.dataSources.retrieve({ data_source_id: dataSourceId })) as { properties?: Record<string, { type: string; select?: { options?: Array<{ name: string }> }; status?: { options?: Array<{ name: string }> } }> };
	const props = ds.properties ?? {};
	const expected = [TITLE_PROPERTY, ...Object.values(PROPS)];
	const missing = expected.filter((name) => !props[name]);
	const status = props[PROPS.status];
	const statusOptions = new Set((status?.select ?? status?.status)?.options?.map((o) => o.name) ?? []);
	const missingStatuses = CARD_STATUSES.filter((s) => !statusOptions.has(s));
	if (missing.length || missingStatuses.length) {
		throw new Error(`Database ${db.id} was created, but its data source lacks ${[...missing, ...missingStatuses.map((s) => `Status option ${s}`)].join(', ')}`);
	}
	return { databaseId: db.id, dataSourceId, url: 'url' in db ? (db.url as string) : undefined, title, properties: Object.keys(props) };
}
