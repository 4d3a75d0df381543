/**
 * Databox, both APIs the AdOps Databox API credential can use:
 *
 * - `/databox`: the Databox API v1 (https://api.databox.com), key in
 *   `x-api-key`. `GET /v1/auth/validate-key`, `GET /v1/accounts`,
 *   `POST /v1/data-sources`, `POST /v1/datasets` (`{title, dataSourceId,
 *   primaryKeys}`), `POST /v1/datasets/{id}/data` (`{records}`, 1–100 flat
 *   records; with primary keys a record with a stored key overwrites it),
 *   `GET /v1/datasets/{id}/ingestions` (paged), `GET …/ingestions/{id}`
 *   (record counts), `POST /v1/datasets/{id}/purge`. Errors in Databox's
 *   envelope `{requestId, status: "error", errors: [{code, message, field,
 *   type}]}`: 401 for a missing or wrong key, 404 for an unknown dataset,
 *   400 for a bad body.
 * - `/databox-push`: the legacy push API (https://push.databox.com), the
 *   data source's token as the basic-auth user, `Accept:
 *   application/vnd.databox.v2+json` required. `POST /data` (`[{key, value,
 *   date, unit, attributes: [{key, value}]}]`; a value for the same key, day
 *   and attributes replaces the earlier one), `GET /ping`, `GET /metrickeys`.
 *
 * What was pushed is kept per world (`databoxState(sandbox.world)`): the
 * datasets with their rows and ingestions, and the push API's data points.
 * Ingestion timestamps are the real clock (Databox's), not the sandbox's
 * pinned day: a client matches a lost batch to an ingestion by its own clock.
 */
import { randomUUID } from 'node:crypto';
import { bodyObject, header, json, type Ctx, type Platform, type Reply, type Route } from '../core';
import type { World } from '../world';

export const DATABOX_SANDBOX_API_KEY = 'dbx_sandbox_api_key_0123456789abcdef';
export const DATABOX_SANDBOX_PUSH_TOKEN = 'dbxpush0sandbox0token0123456789';
/** A dataset every world starts with: the KPI columns of AdOps Push KPIs as primary keys. */
export const DATABOX_SANDBOX_DATASET_ID = '4e1219d8-7fa8-44b7-96c6-a8f2a9cfb0bf';
export const DATABOX_SANDBOX_ACCOUNT_ID = 123456;
export const DATABOX_MAX_RECORDS = 100;

export interface DataboxIngestion {
	ingestionId: string;
	timestamp: string;
	status: 'success';
	received: number;
	appended: number;
	overwritten: number;
}

export interface DataboxDataset {
	id: string;
	title: string;
	dataSourceId: number;
	primaryKeys: string[] | null;
	/** Rows by primary key (or by arrival without one). */
	rows: Map<string, Record<string, unknown>>;
	ingestions: DataboxIngestion[];
}

export interface DataboxPoint {
	key: string;
	value: number;
	date: string | null;
	unit: string | null;
	attributes: Record<string, string>;
}

export interface DataboxState {
	dataSources: Array<{ id: number; title: string; accountId: number; timezone: string }>;
	datasets: Map<string, DataboxDataset>;
	/** Legacy push: the latest value per key, day and attributes. */
	points: Map<string, DataboxPoint>;
	/** Legacy push: every accepted request's items, oldest first. */
	pushes: Array<{ id: string; items: DataboxPoint[] }>;
}

const states = new WeakMap<World, DataboxState>();

/** What Databox holds in this world (created on first use). */
export function databoxState(world: World): DataboxState {
	let s = states.get(world);
	if (!s) {
		s = {
			dataSources: [{ id: 4754489, title: 'AdOps', accountId: DATABOX_SANDBOX_ACCOUNT_ID, timezone: 'UTC' }],
			datasets: new Map([[DATABOX_SANDBOX_DATASET_ID, { id: DATABOX_SANDBOX_DATASET_ID, title: 'AdOps KPIs', dataSourceId: 4754489, primaryKeys: ['date', 'metric', 'level', 'platform', 'account_id', 'campaign_id', 'currency'], rows: new Map(), ingestions: [] }]]),
			points: new Map(),
			pushes: [],
		};
		states.set(world, s);
	}
	return s;
}

// ---------------------------------------------------------------------------
// Databox API v1 (datasets)
// ---------------------------------------------------------------------------

type ApiError = { code: string; message: string; field?: string; type: string };

const apiError = (status: number, errors: ApiError[]): Reply => json(status, { requestId: randomUUID(), status: 'error', errors });
const invalid = (message: string, field: string): Reply => apiError(400, [{ code: 'invalid_input', message, field, type: 'validation' }]);

function dataset(ctx: Ctx): DataboxDataset | Reply {
	const ds = databoxState(ctx.state.world).datasets.get(decodeURIComponent(ctx.params[0] ?? ''));
	return ds ?? apiError(404, [{ code: 'not_found', message: 'Dataset not found', field: 'datasetId', type: 'validation' }]);
}

const isScalar = (v: unknown): boolean => v === null || ['string', 'number', 'boolean'].includes(typeof v);

function ingest(ctx: Ctx): Reply {
	const d = dataset(ctx);
	if (!('rows' in d)) return d;
	if (ctx.bodyError) return invalid(`The request body is not valid JSON: ${ctx.bodyError}`, 'records');
	const records = bodyObject(ctx).records;
	if (!Array.isArray(records)) return invalid('records is required and must be an array', 'records');
	if (records.length === 0) return invalid('records must contain at least one record', 'records');
	if (records.length > DATABOX_MAX_RECORDS) return invalid(`A maximum of ${DATABOX_MAX_RECORDS} records can be ingested per request, got ${records.length}`, 'records');
	for (let i = 0; i < records.length; i++) {
		const r = records[i] as unknown;
		if (!r || typeof r !== 'object' || Array.isArray(r)) return invalid('Each record must be an object of column names to values', `records[${i}]`);
		for (const [k, v] of Object.entries(r)) if (!isScalar(v)) return invalid(`Column "${k}" must hold a string, number, boolean or null`, `records[${i}].${k}`);
		for (const k of d.primaryKeys ?? []) if ((r as Record<string, unknown>)[k] === undefined || (r as Record<string, unknown>)[k] === null) return invalid(`Primary key column "${k}" is missing`, `records[${i}].${k}`);
	}
	let appended = 0;
	let overwritten = 0;
	for (const r of records as Array<Record<string, unknown>>) {
		const key = d.primaryKeys ? JSON.stringify(d.primaryKeys.map((k) => r[k])) : `#${d.rows.size}`;
		if (d.rows.has(key)) overwritten++;
		else appended++;
		d.rows.set(key, { ...r });
	}
	const ingestion: DataboxIngestion = { ingestionId: randomUUID(), timestamp: new Date().toISOString(), status: 'success', received: records.length, appended, overwritten };
	d.ingestions.push(ingestion);
	return json(200, { requestId: randomUUID(), status: 'success', ingestionId: ingestion.ingestionId, message: 'Data ingestion request accepted' });
}

function listIngestions(ctx: Ctx): Reply {
	const ds = dataset(ctx);
	if (!('rows' in ds)) return ds;
	const page = Math.max(1, Number(ctx.query.get('page') ?? 1) || 1);
	const pageSize = Math.min(100, Math.max(1, Number(ctx.query.get('pageSize') ?? 50) || 50));
	const newestFirst = [...ds.ingestions].reverse();
	const slice = newestFirst.slice((page - 1) * pageSize, page * pageSize);
	return json(200, { requestId: randomUUID(), status: 'success', pagination: { page, pageSize, totalItems: ds.ingestions.length }, ingestions: slice.map((i) => ({ ingestionId: i.ingestionId, timestamp: i.timestamp, status: i.status })) });
}

function getIngestion(ctx: Ctx): Reply {
	const ds = dataset(ctx);
	if (!('rows' in ds)) return ds;
	const i = ds.ingestions.find((x) => x.ingestionId === decodeURIComponent(ctx.params[1] ?? ''));
	if (!i) return apiError(404, [{ code: 'not_found', message: 'Ingestion not found', field: 'ingestionId', type: 'validation' }]);
	return json(200, {
		requestId: randomUUID(),
		status: 'success',
		ingestionId: i.ingestionId,
		timestamp: i.timestamp,
		metrics: {
			datasetMetrics: { columnsCount: new Set([...ds.rows.values()].flatMap((r) => Object.keys(r))).size, datasetSizeMB: 0, totalDatasetRecordsCount: ds.rows.size },
			ingestionMetrics: { appendedRecordsCount: i.appended, receivedRecordsCount: i.received, rejectedRecordsCount: 0, overwrittenRecordsCount: i.overwritten },
		},
	});
}

function createDataset(ctx: Ctx): Reply {
	const b = bodyObject(ctx);
	const state = databoxState(ctx.state.world);
	if (typeof b.title !== 'string') return invalid('title is required and must be a string', 'title');
	if (!state.dataSources.some((s) => s.id === b.dataSourceId)) return invalid('dataSourceId does not name a data source of this account', 'dataSourceId');
	if (b.primaryKeys !== undefined && b.primaryKeys !== null && (!Array.isArray(b.primaryKeys) || !b.primaryKeys.every((k) => typeof k === 'string' && k))) return invalid('primaryKeys must be an array of column names', 'primaryKeys');
	const id = randomUUID();
	state.datasets.set(id, { id, title: b.title, dataSourceId: b.dataSourceId as number, primaryKeys: (b.primaryKeys as string[] | null | undefined) ?? null, rows: new Map(), ingestions: [] });
	return json(200, { requestId: randomUUID(), status: 'success', id, title: b.title, created: new Date().toISOString() });
}

function createDataSource(ctx: Ctx): Reply {
	const b = bodyObject(ctx);
	if (typeof b.title !== 'string') return invalid('title is required and must be a string', 'title');
	const state = databoxState(ctx.state.world);
	const id = 4754489 + state.dataSources.length;
	state.dataSources.push({ id, title: b.title, accountId: DATABOX_SANDBOX_ACCOUNT_ID, timezone: typeof b.timezone === 'string' ? b.timezone : 'UTC' });
	return json(200, { requestId: randomUUID(), status: 'processing', id, title: b.title });
}

function purge(ctx: Ctx): Reply {
	const ds = dataset(ctx);
	if (!('rows' in ds)) return ds;
	ds.rows.clear();
	return json(200, { requestId: randomUUID(), status: 'success', message: 'Dataset purged successfully' });
}

const datasetsRoutes: Route[] = [
	{ name: 'databox.validateKey', method: 'GET', pattern: /^\/v1\/auth\/validate-key$/, handler: () => json(200, { requestId: randomUUID(), status: 'success', message: 'API key is valid' }) },
	{ name: 'databox.accounts', method: 'GET', pattern: /^\/v1\/accounts$/, handler: () => json(200, { requestId: randomUUID(), status: 'success', accounts: [{ id: DATABOX_SANDBOX_ACCOUNT_ID, name: 'Sandbox', accountType: 'standard' }] }) },
	{ name: 'databox.createDataSource', method: 'POST', pattern: /^\/v1\/data-sources$/, handler: createDataSource },
	{ name: 'databox.createDataset', method: 'POST', pattern: /^\/v1\/datasets$/, handler: createDataset },
	{ name: 'databox.ingest', method: 'POST', pattern: /^\/v1\/datasets\/([^/]+)\/data$/, handler: ingest },
	{ name: 'databox.purge', method: 'POST', pattern: /^\/v1\/datasets\/([^/]+)\/purge$/, handler: purge },
	{ name: 'databox.ingestions', method: 'GET', pattern: /^\/v1\/datasets\/([^/]+)\/ingestions$/, handler: listIngestions },
	{ name: 'databox.ingestion', method: 'GET', pattern: /^\/v1\/datasets\/([^/]+)\/ingestions\/([^/]+)$/, handler: getIngestion },
];

export const databox: Platform = {
	name: 'databox',
	prefix: '/databox',
	routes: datasetsRoutes,
	authenticate(ctx) {
		const key = header(ctx, 'x-api-key');
		if (!key) return apiError(401, [{ code: 'unauthorized', message: 'Missing API key: send it in the x-api-key header', type: 'authentication' }]);
		if (key !== DATABOX_SANDBOX_API_KEY) return apiError(401, [{ code: 'unauthorized', message: 'Invalid API key', type: 'authentication' }]);
		return undefined;
	},
	errorReply(status, kind, message) {
		if (kind === 'rate_limit') return apiError(429, [{ code: 'rate_limit_exceeded', message: 'Too many requests', type: 'rate_limit' }]);
		if (kind === 'server') return apiError(status, [{ code: 'internal_error', message: 'Internal server error', type: 'server' }]);
		if (kind === 'not_found') return apiError(404, [{ code: 'not_found', message: `No such endpoint: ${message}`, type: 'validation' }]);
		return invalid(message, '');
	},
};

// ---------------------------------------------------------------------------
// Legacy push API
// ---------------------------------------------------------------------------

const pushError = (status: number, type: string, message: string): Reply => json(status, { errors: [{ type, message }] });
const DATE_RE = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

function pushData(ctx: Ctx): Reply {
	if (ctx.bodyError) return pushError(400, 'invalid_json', `Request body is not valid JSON: ${ctx.bodyError}`);
	const items = ctx.body;
	if (!Array.isArray(items) || items.length === 0) return pushError(400, 'invalid_json', 'The body must be a non-empty array of data items');
	const points: DataboxPoint[] = [];
	for (let i = 0; i < items.length; i++) {
		const it = items[i] as Record<string, unknown> | null;
		if (!it || typeof it !== 'object' || Array.isArray(it)) return pushError(400, 'invalid_json', `Item ${i} is not an object`);
		if (typeof it.key !== 'string' || !/^[A-Za-z0-9_.$-]{1,128}$/.test(it.key)) return pushError(400, 'invalid_key', `Item ${i}: key must be 1-128 letters, digits, "_", ".", "-" or "$"`);
		if (typeof it.value !== 'number' || !Number.isFinite(it.value)) return pushError(400, 'invalid_value', `Item ${i} (${it.key}): value must be a number`);
		if (it.date !== undefined && (typeof it.date !== 'string' || !DATE_RE.test(it.date))) return pushError(400, 'invalid_date', `Item ${i} (${it.key}): date must be ISO 8601`);
		if (it.unit !== undefined && typeof it.unit !== 'string') return pushError(400, 'invalid_unit', `Item ${i} (${it.key}): unit must be a string`);
		const attributes: Record<string, string> = {};
		if (it.attributes !== undefined) {
			if (!Array.isArray(it.attributes)) return pushError(400, 'invalid_attributes', `Item ${i} (${it.key}): attributes must be an array of {key, value}`);
			for (const a of it.attributes as Array<Record<string, unknown>>) {
				if (!a || typeof a.key !== 'string' || !a.key || (typeof a.value !== 'string' && typeof a.value !== 'number')) return pushError(400, 'invalid_attributes', `Item ${i} (${it.key}): each attribute needs a key and a string value`);
				attributes[a.key] = String(a.value);
			}
		}
		points.push({ key: it.key, value: it.value, date: (it.date as string | undefined) ?? null, unit: (it.unit as string | undefined) ?? null, attributes });
	}
	const state = databoxState(ctx.state.world);
	for (const p of points) state.points.set(pointKey(p), p);
	const id = randomUUID().replace(/-/g, '');
	state.pushes.push({ id, items: points });
	return json(200, { id, metrics: [...new Set(points.map((p) => p.key))] });
}

/** One data point's identity: key, day and attributes (a later push of it replaces the value). */
export function pointKey(p: Pick<DataboxPoint, 'key' | 'date' | 'attributes'>): string {
	return JSON.stringify([p.key, p.date, Object.entries(p.attributes).sort(([a], [b]) => a.localeCompare(b))]);
}

const pushRoutes: Route[] = [
	{ name: 'databoxpush.data', method: 'POST', pattern: /^\/data$/, handler: pushData },
	{ name: 'databoxpush.ping', method: 'GET', pattern: /^\/ping$/, handler: () => json(200, { status: 'ok' }) },
	{ name: 'databoxpush.metrickeys', method: 'GET', pattern: /^\/metrickeys$/, handler: (ctx) => json(200, [...new Set([...databoxState(ctx.state.world).points.values()].map((p) => p.key))].sort().map((key) => ({ key }))) },
];

function basicUser(ctx: Ctx): string | undefined {
	const auth = header(ctx, 'authorization');
	const m = auth ? /^Basic\s+(.+)$/i.exec(auth.trim()) : null;
	if (!m) return undefined;
	const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
	const colon = decoded.indexOf(':');
	return colon < 0 ? decoded : decoded.slice(0, colon);
}

export const databoxPush: Platform = {
	name: 'databox',
	prefix: '/databox-push',
	routes: pushRoutes,
	authenticate(ctx) {
		const user = basicUser(ctx);
		if (!user) return pushError(401, 'unauthorized', 'Missing push token: send it as the basic-auth user name');
		if (user !== DATABOX_SANDBOX_PUSH_TOKEN) return pushError(401, 'unauthorized', 'Invalid push token');
		const accept = header(ctx, 'accept') ?? '';
		if (!accept.includes('application/vnd.databox.v2+json')) return pushError(406, 'not_acceptable', 'Send Accept: application/vnd.databox.v2+json');
		return undefined;
	},
	errorReply(status, kind, message) {
		if (kind === 'rate_limit') return pushError(429, 'too_many_requests', 'Too many requests');
		if (kind === 'server') return pushError(status, 'internal_error', 'Internal server error');
		if (kind === 'not_found') return pushError(404, 'not_found', `No such endpoint: ${message}`);
		return pushError(400, 'bad_request', message);
	},
};
