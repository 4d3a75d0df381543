/**
 * Databox: the daily KPIs (kpi.ts) sent to Databox, each value once.
 *
 * Two APIs, chosen on the AdOps Databox API credential:
 * - `datasets` (Databox API v1, https://api.databox.com, header `x-api-key`):
 *   `POST /v1/datasets/{datasetId}/data` with `{records: [...]}` (at most 100
 *   records per ingestion), answered `{requestId, status, ingestionId}`;
 *   `GET /v1/datasets/{id}/ingestions` and `…/ingestions/{ingestionId}` list
 *   the ingestions with their record counts; `GET /v1/auth/validate-key`.
 *   One record per metric, dimension and day: `{date, metric, level,
 *   platform, account_id, campaign_id, campaign_name, currency, value}`.
 * - `push` (the legacy push API of older accounts, https://push.databox.com,
 *   the data source's token as the basic-auth user, no password):
 *   `POST /data` with `[{key, value, date, unit, attributes: [{key, value}]}]`
 *   and `Accept: application/vnd.databox.v2+json`; `GET /ping`. The metric
 *   key is `adops.<level>.<metric>`; the dimension goes in the attributes.
 *
 * Idempotency: every value is one entry of the action ledger (kind
 * `databox_push`, `target` the Databox target and the day, so a run reads
 * its days' entries in one query), keyed by target, level, dimension,
 * metric, day and the value itself, so a rerun sends nothing already sent, and a value the
 * platform restated later (a new number for the same day) is sent once more.
 * Each send ends succeeded, failed (refused, or never left: sent again by
 * the next run) or unknown (the answer was lost). An unknown batch is
 * reconciled before anything is sent again: on the datasets API by reading
 * the dataset's ingestions (an ingestion received while the batch was in
 * flight, give or take DATABOX_CLOCK_SLACK_MS, with the batch's record
 * count and not already known as another batch's — the ids whose answer
 * arrived are kept in app_state — is the batch: succeeded; none: failed,
 * sent again; another writer's ingestion of the same size in that window
 * would be taken for it, a stated limit); the legacy push API has no way to read what it
 * received, so its unknown values stay unknown, are not sent again, and are
 * reported.
 */
import { randomUUID, createHash } from 'node:crypto';
import { failpoint } from '../resilience/failpoints';
import { sideEffectOutcome } from '../resilience/outcome';
import type { Json } from '../schema/rows';
import type { Store } from '../store/types';
import { KPI_METRICS, kpiDimension, MONEY_METRICS, type KpiLevel, type KpiMetric, type KpiRow } from './kpi';

export const DATABOX_CREDENTIAL = 'AdOps Databox API';
export const DATABOX_MODES = ['datasets', 'push'] as const;
export type DataboxMode = (typeof DATABOX_MODES)[number];
export const DATABOX_DEFAULT_URLS: { readonly [M in DataboxMode]: string } = { datasets: 'https://api.databox.com', push: 'https://push.databox.com' };
/** Records per ingestion (the datasets API's limit) and items per legacy push. */
export const DATABOX_BATCH = 100;
export const DATABOX_LEDGER_KIND = 'databox_push';
/** Clock difference allowed between this host and Databox when an ingestion is matched to a lost batch. */
export const DATABOX_CLOCK_SLACK_MS = 120_000;
/** A claim without an outcome older than this belongs to a run that stopped (a batch takes seconds). */
export const DATABOX_STALE_CLAIM_MS = 15 * 60_000;

export interface DataboxSettings {
	apiKey: string;
	mode: DataboxMode;
	/** Empty: the mode's Databox URL. */
	baseUrl?: string;
}

export type DataboxErrorKind = 'auth' | 'refused' | 'rate_limited' | 'not_found' | 'server' | 'network' | 'timeout' | 'malformed';

export class DataboxError extends Error {
	override readonly name = 'DataboxError';
	readonly kind: DataboxErrorKind;
	readonly status?: number;
	readonly code?: string;
	/** The request provably did not change anything (refused, or never sent). */
	readonly knownNotApplied: boolean;
	constructor(message: string, init: { kind: DataboxErrorKind; status?: number; code?: string; knownNotApplied: boolean }) {
		super(message);
		this.kind = init.kind;
		this.status = init.status;
		this.code = init.code;
		this.knownNotApplied = init.knownNotApplied;
	}
}

export interface DataboxRecord {
	date: string;
	metric: KpiMetric;
	level: KpiLevel;
	platform: string;
	account_id: string;
	campaign_id: string;
	campaign_name: string;
	currency: string;
	value: number;
}

export interface DataboxPushItem {
	key: string;
	value: number;
	date: string;
	unit?: string;
	attributes: Array<{ key: string; value: string }>;
}

export interface IngestionSummary {
	ingestionId: string;
	timestamp: string;
	status: string;
}

export interface DataboxClient {
	readonly mode: DataboxMode;
	readonly baseUrl: string;
	/** A short identity of the target for ledger keys (dataset id, or a hash of the push token). */
	target(datasetId?: string): string;
	validateKey(): Promise<string>;
	ingest(datasetId: string, records: readonly DataboxRecord[]): Promise<{ ingestionId: string }>;
	listIngestions(datasetId: string): Promise<IngestionSummary[]>;
	ingestionRecords(datasetId: string, ingestionId: string): Promise<{ received: number; status: string }>;
	push(items: readonly DataboxPushItem[]): Promise<{ id: string | null }>;
}

const NOT_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ERR_INVALID_URL']);

function scrub(text: string, secret: string): string {
	return secret.length >= 4 ? text.split(secret).join('***') : text;
}

/** Databox's error words: `errors[].message` (datasets API and push API), else `message`. */
function errorWords(body: unknown): string {
	if (body && typeof body === 'object') {
		const b = body as { errors?: unknown; message?: unknown };
		if (Array.isArray(b.errors)) {
			const words = b.errors
				.map((e) => (e && typeof e === 'object' ? [(e as { field?: unknown }).field, (e as { message?: unknown }).message].filter((x) => typeof x === 'string' && x).join(': ') : ''))
				.filter(Boolean);
			if (words.length > 0) return words.join('; ');
		}
		if (typeof b.message === 'string') return b.message;
	}
	return '';
}

export function createDataboxClient(settings: DataboxSettings, options: { fetch?: typeof fetch; timeoutMs?: number } = {}): DataboxClient {
	const apiKey = String(settings.apiKey ?? '').trim();
	const mode = settings.mode;
	if (!(DATABOX_MODES as readonly string[]).includes(mode)) throw new DataboxError(`${DATABOX_CREDENTIAL}: API mode must be "datasets" or "push", got "${String(mode)}"`, { kind: 'refused', knownNotApplied: true });
	if (!apiKey) throw new DataboxError(`${DATABOX_CREDENTIAL}: the API key is empty`, { kind: 'auth', knownNotApplied: true });
	const baseUrl = (String(settings.baseUrl ?? '').trim() || DATABOX_DEFAULT_URLS[mode]).replace(/\/+$/, '');
	const doFetch = options.fetch ?? fetch;
	const timeoutMs = options.timeoutMs ?? 30_000;
	const headers: Record<string, string> =
		mode === 'datasets'
			? { 'x-api-key': apiKey, accept: 'application/json' }
			: { authorization: `Basic ${Buffer.from(`${apiKey}:`).toString('base64')}`, accept: 'application/vnd.databox.v2+json' };

	async function call(method: 'GET' | 'POST', path: string, what: string, body?: unknown): Promise<unknown> {
		let res: Response;
		try {
			res = await doFetch(`${baseUrl}${path}`, {
				method,
				headers: body === undefined ? headers : { ...headers, 'content-type': 'application/json' },
				...(body === undefined ? {} : { body: JSON.stringify(body) }),
				signal: AbortSignal.timeout(timeoutMs),
			});
		} catch (error) {
			const cause = (error as { cause?: { code?: string; message?: string; errors?: Array<{ code?: string }> } }).cause;
			const code = cause?.code ?? cause?.errors?.[0]?.code ?? (error as { code?: string }).code;
			const timeout = (error as Error).name === 'TimeoutError' || (error as Error).name === 'AbortError';
			const words = timeout ? `no answer within ${Math.round(timeoutMs / 1000)} s from ${baseUrl}` : code ? `cannot reach ${baseUrl} (${code})` : `${scrub(cause?.message ?? (error as Error).message, apiKey)} (${baseUrl})`;
			throw new DataboxError(`Databox ${what}: ${words}`, { kind: timeout ? 'timeout' : 'network', ...(code ? { code } : {}), knownNotApplied: !timeout && code !== undefined && NOT_SENT.has(code) });
		}
		const text = await res.text().catch(() => '');
		let parsed: unknown;
		try {
			parsed = text ? JSON.parse(text) : undefined;
		} catch {
			if (res.ok) throw new DataboxError(`Databox ${what}: the answer (HTTP ${res.status}) is not JSON`, { kind: 'malformed', status: res.status, knownNotApplied: false });
		}
		if (res.ok) return parsed;
		const words = scrub(errorWords(parsed) || text.slice(0, 200), apiKey);
		const status = res.status;
		if (status === 401 || status === 403) {
			const where = mode === 'datasets' ? 'an API key from Account Management → Profile → API key' : "the push token of the Databox data source (legacy push API)";
			throw new DataboxError(`The ${DATABOX_CREDENTIAL} credential was refused by Databox (${what}, HTTP ${status}${words ? `: ${words}` : ''}). Check the API key (${where}) and the API mode.`, { kind: 'auth', status, knownNotApplied: true });
		}
		const kind: DataboxErrorKind = status === 429 ? 'rate_limited' : status === 404 ? 'not_found' : status >= 500 || status === 408 ? 'server' : 'refused';
		throw new DataboxError(`Databox ${what} failed with HTTP ${status}${words ? `: ${words}` : ''}`, { kind, status, knownNotApplied: kind !== 'server' });
	}

	const needDataset = (datasetId: string): string => {
		const id = String(datasetId ?? '').trim();
		if (!id) throw new DataboxError('Databox: the Dataset ID is empty (the datasets API ingests into one dataset)', { kind: 'refused', knownNotApplied: true });
		return encodeURIComponent(id);
	};

	return {
		mode,
		baseUrl,
		target(datasetId) {
			return mode === 'datasets' ? `dataset:${String(datasetId ?? '').trim()}` : `push:${createHash('sha256').update(apiKey).digest('hex').slice(0, 16)}`;
		},
		async validateKey() {
			if (mode === 'datasets') {
				await call('GET', '/v1/auth/validate-key', 'key check');
				return `Databox accepted the API key (${baseUrl})`;
			}
			await call('GET', '/ping', 'ping');
			return `Databox accepted the push token (${baseUrl})`;
		},
		async ingest(datasetId, records) {
			const body = (await call('POST', `/v1/datasets/${needDataset(datasetId)}/data`, 'ingestion', { records })) as { ingestionId?: unknown } | undefined;
			if (!body || typeof body.ingestionId !== 'string') throw new DataboxError('Databox ingestion: the answer has no ingestionId', { kind: 'malformed', knownNotApplied: false });
			return { ingestionId: body.ingestionId };
		},
		async listIngestions(datasetId) {
			const out: IngestionSummary[] = [];
			for (let page = 1; page <= 50; page++) {
				const body = (await call('GET', `/v1/datasets/${needDataset(datasetId)}/ingestions?page=${page}&pageSize=100`, 'ingestion list')) as { ingestions?: unknown; pagination?: { totalItems?: unknown } } | undefined;
				const list = Array.isArray(body?.ingestions) ? (body.ingestions as IngestionSummary[]) : [];
				out.push(...list.filter((i) => i && typeof i.ingestionId === 'string'));
				const total = Number(body?.pagination?.totalItems);
				if (list.length < 100 || (Number.isFinite(total) && out.length >= total)) break;
			}
			return out;
		},
		async ingestionRecords(datasetId, ingestionId) {
			const body = (await call('GET', `/v1/datasets/${needDataset(datasetId)}/ingestions/${encodeURIComponent(ingestionId)}`, 'ingestion details')) as
				| { status?: unknown; metrics?: { ingestionMetrics?: { receivedRecordsCount?: unknown } } }
				| undefined;
			return { received: Number(body?.metrics?.ingestionMetrics?.receivedRecordsCount ?? NaN), status: String(body?.status ?? '') };
		},
		async push(items) {
			const body = (await call('POST', '/data', 'push', items)) as { id?: unknown } | undefined;
			return { id: typeof body?.id === 'string' ? body.id : null };
		},
	};
}

/** The records of KPI rows: one per metric with a value (a ratio without denominator, revenue not reported: no record). */
export function databoxRecords(rows: readonly KpiRow[]): DataboxRecord[] {
	const out: DataboxRecord[] = [];
	for (const r of rows) {
		for (const metric of KPI_METRICS) {
			const value = r.values[metric];
			if (value === null || !Number.isFinite(value)) continue;
			out.push({ date: r.date, metric, level: r.level, platform: r.platform, account_id: r.accountId ?? '', campaign_id: r.campaignId ?? '', campaign_name: r.campaignName ?? '', currency: r.currency, value });
		}
	}
	return out;
}

/** A record as a legacy push item (`adops.<level>.<metric>`, the dimension as attributes, money with its currency as unit). */
export function pushItem(r: DataboxRecord): DataboxPushItem {
	const attributes = [{ key: 'platform', value: r.platform }];
	if (r.level !== 'platform') attributes.push({ key: 'account', value: r.account_id });
	if (r.level === 'campaign') attributes.push({ key: 'campaign', value: r.campaign_name ? `${r.campaign_name} (${r.campaign_id})` : r.campaign_id });
	attributes.push({ key: 'currency', value: r.currency });
	return { key: `adops.${r.level}.${r.metric}`, value: r.value, date: r.date, ...(MONEY_METRICS.has(r.metric) ? { unit: r.currency } : {}), attributes };
}

/** The ledger key of one value: target, level, dimension, metric, day and the value. */
export function recordKey(target: string, r: DataboxRecord): string {
	const dimension = kpiDimension({ level: r.level, platform: r.platform, accountId: r.account_id, campaignId: r.campaign_id, currency: r.currency });
	return `databox:${target}:${r.level}:${dimension}:${r.metric}:${r.date}:${String(r.value)}`;
}

export interface PushKpisOptions {
	/** The datasets API's dataset (required in `datasets` mode). */
	datasetId?: string;
	/** Who claims (a run id). */
	claimedBy?: string;
	/** Clock of this host (tests). */
	now?: () => number;
}

export interface PushKpisResult {
	mode: DataboxMode;
	target: string;
	/** Values read from the views (one per metric, dimension and day). */
	values: number;
	/** Sent and confirmed by this run. */
	sent: number;
	/** Sent by an earlier run (confirmed, or reconciled now as received). */
	alreadySent: number;
	/** Lost answers settled by this run from Databox's ingestions. */
	reconciled: { received: number; notReceived: number };
	/** Refused by Databox this run (sent again by the next run). */
	failed: number;
	/** The answer was lost: may have been received; not sent again before it is reconciled. */
	unknown: number;
	/** Claimed by another run that has not finished (or stopped, and Databox may hold them: see problems). */
	inProgress: number;
	ingestions: string[];
	problems: string[];
	/** The run in one sentence. */
	summary: string;
}

interface BatchNote {
	batch: string;
	sentAt: number;
	answeredAt: number;
	records: number;
}

function batchNote(entryResponse: unknown): BatchNote | undefined {
	if (!entryResponse || typeof entryResponse !== 'object') return undefined;
	const r = entryResponse as Record<string, unknown>;
	if (typeof r.batch !== 'string' || typeof r.sentAt !== 'string' || typeof r.answeredAt !== 'string' || typeof r.records !== 'number') return undefined;
	return { batch: r.batch, sentAt: Date.parse(r.sentAt), answeredAt: Date.parse(r.answeredAt), records: r.records };
}

type LedgerStore = Pick<Store, 'kind' | 'claimAction' | 'completeAction' | 'resolveAction' | 'getState' | 'setState' | 'selectColumns' | 'transaction'>;

/** A batch's ledger writes in one transaction on the SQL stores (one commit instead of one per value); one by one on Supabase. */
function inOneTransaction<R>(store: LedgerStore, fn: (tx: LedgerStore) => Promise<R>): Promise<R> {
	return store.kind === 'supabase' ? fn(store) : store.transaction((tx) => fn(tx));
}

/** The ledger's `target` of a value: the Databox target and the value's day, so one run reads its days' entries in one query. */
export function ledgerTarget(target: string, date: string): string {
	return `${target}|${date}`;
}

interface LedgerSeen {
	status: string;
	response: unknown;
	updatedAt: number;
	attempts: number;
}

async function ledgerEntries(store: LedgerStore, target: string, days: readonly string[]): Promise<Map<string, LedgerSeen>> {
	const out = new Map<string, LedgerSeen>();
	for (let i = 0; i < days.length; i += 50) {
		const rows = await store.selectColumns('action_ledger', ['idempotency_key', 'status', 'response', 'updated_at', 'attempts'], { where: { kind: DATABOX_LEDGER_KIND, target: { in: days.slice(i, i + 50).map((d) => ledgerTarget(target, d)) } } });
		for (const r of rows) out.set(r.idempotency_key, { status: r.status, response: r.response, updatedAt: Date.parse(r.updated_at), attempts: r.attempts });
	}
	return out;
}

/**
 * Ingestions known to be ours (their answer arrived, or a lost batch was
 * matched to them), per dataset: one app_state row per ingestion, written by
 * one upsert, so two runs remembering at once both keep theirs (the list in
 * one row that this replaced was read, extended and written back: two runs
 * at once lost one of the two, and a lost one later read as "not another
 * batch's"). A list left by that older version is still read.
 */
const legacyKey = (target: string) => `databox:ingestions:${target}`;
const ingestionKey = (target: string, id: string) => `databox:ingestion:${target}|${id}`;
const KNOWN_CHUNK = 200;

/** Which of `ids` are known as ours. */
export async function knownIngestions(store: Pick<Store, 'getState' | 'selectColumns'>, target: string, ids: readonly string[]): Promise<Set<string>> {
	const out = new Set<string>();
	const wanted = new Set(ids);
	const legacy = await store.getState(legacyKey(target));
	if (Array.isArray(legacy)) for (const x of legacy) if (typeof x === 'string' && wanted.has(x)) out.add(x);
	const byKey = new Map(ids.map((id) => [ingestionKey(target, id), id] as const));
	const keys = [...byKey.keys()];
	for (let i = 0; i < keys.length; i += KNOWN_CHUNK) {
		const rows = await store.selectColumns('app_state', ['key'], { where: { key: { in: keys.slice(i, i + KNOWN_CHUNK) } } });
		for (const r of rows) out.add(byKey.get(r.key)!);
	}
	return out;
}

/** Remembers one ingestion as ours: a single upsert of its own row (atomic; no read-modify-write). */
export async function rememberIngestion(store: Pick<Store, 'setState'>, target: string, id: string, at = new Date()): Promise<void> {
	await store.setState(ingestionKey(target, id), { at: at.toISOString() });
}

/**
 * Reads nothing itself: sends `rows` (from readKpis) to Databox through the
 * ledger. Throws a DataboxError naming the credential when Databox refuses
 * the key (nothing more is sent); every other failure is counted, in words.
 */
export async function pushKpis(store: LedgerStore, client: DataboxClient, rows: readonly KpiRow[], options: PushKpisOptions = {}): Promise<PushKpisResult> {
	const now = options.now ?? Date.now;
	if (client.mode === 'datasets' && !String(options.datasetId ?? '').trim()) throw new DataboxError('Databox: the Dataset ID is empty (the datasets API ingests into one dataset)', { kind: 'refused', knownNotApplied: true });
	const target = client.target(options.datasetId);
	const records = databoxRecords(rows);
	const result: PushKpisResult = { mode: client.mode, target, values: records.length, sent: 0, alreadySent: 0, reconciled: { received: 0, notReceived: 0 }, failed: 0, unknown: 0, inProgress: 0, ingestions: [], problems: [], summary: '' };
	const claimedBy = options.claimedBy ?? `databox:${randomUUID()}`;
	const unknown: Array<{ key: string; record: DataboxRecord; note: BatchNote | undefined }> = [];
	const stale: StaleClaim[] = [];

	const claim = async (on: LedgerStore, key: string, record: DataboxRecord) =>
		on.claimAction(key, { kind: DATABOX_LEDGER_KIND, target: ledgerTarget(target, record.date), intent: record as unknown as Json, claimedBy, retryFailed: true });

	// one read of the ledger for the run's days, so a rerun asks nothing per value
	const known = await ledgerEntries(store, target, [...new Set(records.map((r) => r.date))]);
	const toClaim: Array<{ key: string; record: DataboxRecord }> = [];
	for (const record of records) {
		const key = recordKey(target, record);
		const seen = known.get(key);
		if (seen?.status === 'succeeded') result.alreadySent++;
		else if (seen?.status === 'unknown') unknown.push({ key, record, note: batchNote(seen.response) });
		else if (seen?.status === 'claimed' && now() - seen.updatedAt > DATABOX_STALE_CLAIM_MS) stale.push({ key, record, claimedAt: seen.updatedAt, attempts: seen.attempts });
		else toClaim.push({ key, record });
	}
	// a value reconciled or settled as never received is sent again
	const resend = async (u: { key: string; record: DataboxRecord }) => {
		toClaim.push({ key: u.key, record: u.record });
	};
	if (unknown.length > 0) await reconcile(store, client, options.datasetId ?? '', target, unknown, result, resend);
	if (stale.length > 0) await settleStaleClaims(store, client, options.datasetId ?? '', target, stale, result, resend);

	// each batch is claimed (in one transaction) just before it is sent, so no claim waits longer than
	// its own batch: a run longer than DATABOX_STALE_CLAIM_MS never looks stopped, and a run that stops
	// leaves at most one batch claimed
	let changedMeanwhile = 0;
	for (let i = 0; i < toClaim.length; i += DATABOX_BATCH) {
		const part = toClaim.slice(i, i + DATABOX_BATCH);
		const claims = await inOneTransaction(store, async (tx) => {
			const out = [];
			for (const p of part) out.push(await claim(tx, p.key, p.record));
			return out;
		});
		const batch: typeof part = [];
		claims.forEach((c, j) => {
			if (c.claimed) batch.push(part[j]!);
			else if (c.entry.status === 'succeeded') result.alreadySent++;
			else if (c.entry.status === 'unknown') changedMeanwhile++;
			else result.inProgress++;
		});
		if (batch.length === 0) continue;
		failpoint('databox.after-claim'); // claimed, not sent: a run killed here leaves claims the next run settles
		const id = randomUUID();
		const sentAt = new Date(now()).toISOString();
		try {
			let ref: string | null;
			if (client.mode === 'datasets') ref = (await client.ingest(options.datasetId ?? '', batch.map((b) => b.record))).ingestionId;
			else ref = (await client.push(batch.map((b) => pushItem(b.record)))).id;
			failpoint('databox.after-ingest'); // Databox received the batch, the ledger not told
			const response = { batch: id, sentAt, answeredAt: new Date(now()).toISOString(), records: batch.length, ...(ref ? { ingestionId: ref } : {}) };
			await inOneTransaction(store, async (tx) => {
				for (const b of batch) await tx.completeAction(b.key, { status: 'succeeded', response });
			});
			result.sent += batch.length;
			if (ref) result.ingestions.push(ref);
			if (ref && client.mode === 'datasets') await rememberIngestion(store, target, ref);
		} catch (error) {
			const outcome = sideEffectOutcome(error);
			const message = error instanceof Error ? error.message : String(error);
			const response = { batch: id, sentAt, answeredAt: new Date(now()).toISOString(), records: batch.length };
			await inOneTransaction(store, async (tx) => {
				for (const b of batch) await tx.completeAction(b.key, outcome === 'failed' ? { status: 'failed', error: message, response } : { status: 'unknown', error: message, response });
			});
			if (outcome === 'failed') result.failed += batch.length;
			else result.unknown += batch.length;
			// every batch would be refused the same way (the key, the dataset): stop; the next batches are not claimed
			if (error instanceof DataboxError && (error.kind === 'auth' || error.kind === 'not_found')) throw error;
			result.problems.push(outcome === 'failed' ? `${batch.length} values refused: ${message} (sent again by the next run)` : `${batch.length} values: the answer was lost (${message}); they may have been received, so they are not sent again before Databox's ingestions are checked`);
		}
	}
	if (changedMeanwhile > 0) {
		result.unknown += changedMeanwhile;
		result.problems.push(`${changedMeanwhile} values: another run's answer was lost while this run read the ledger; checked against Databox by the next run`);
	}
	result.summary = summaryText(result);
	return result;
}

async function reconcile(
	store: LedgerStore,
	client: DataboxClient,
	datasetId: string,
	target: string,
	unknown: Array<{ key: string; record: DataboxRecord; note: BatchNote | undefined }>,
	result: PushKpisResult,
	resend: (u: { key: string; record: DataboxRecord }) => Promise<void>,
): Promise<void> {
	if (client.mode === 'push') {
		result.unknown += unknown.length;
		result.problems.push(`${unknown.length} values pushed earlier have an unknown outcome (the answer was lost); the legacy push API cannot show what it received, so they are not sent again: check them in Databox`);
		return;
	}
	const batches = new Map<string, { note: BatchNote; items: typeof unknown }>();
	for (const u of unknown) {
		if (!u.note) {
			result.unknown++;
			continue;
		}
		const b = batches.get(u.note.batch) ?? { note: u.note, items: [] };
		b.items.push(u);
		batches.set(u.note.batch, b);
	}
	if (batches.size === 0) return;
	const ingestions = await client.listIngestions(datasetId);
	// an ingestion whose answer reached us (or that a lost batch was matched to) is not a lost batch
	const taken = await knownIngestions(store, target, ingestions.map((i) => i.ingestionId));
	for (const { note, items } of batches.values()) {
		const from = note.sentAt - DATABOX_CLOCK_SLACK_MS;
		const to = note.answeredAt + DATABOX_CLOCK_SLACK_MS;
		const candidates = ingestions.filter((i) => !taken.has(i.ingestionId) && Date.parse(i.timestamp) >= from && Date.parse(i.timestamp) <= to);
		let match: IngestionSummary | undefined;
		let pending = false;
		for (const c of candidates) {
			const details = await client.ingestionRecords(datasetId, c.ingestionId);
			if (details.received !== note.records) continue;
			if (/fail|error|reject/i.test(c.status)) continue;
			match = c;
			pending = !/success|complete/i.test(c.status);
			break;
		}
		if (match && !pending) {
			taken.add(match.ingestionId);
			await rememberIngestion(store, target, match.ingestionId);
			for (const u of items) {
				const r = await store.resolveAction(u.key, { from: 'unknown', status: 'succeeded', resolution: `Databox ingestion ${match.ingestionId} at ${match.timestamp} received the batch's ${note.records} records`, response: { ...note, sentAt: new Date(note.sentAt).toISOString(), answeredAt: new Date(note.answeredAt).toISOString(), ingestionId: match.ingestionId } });
				if (r.resolved || r.entry.status === 'succeeded') result.reconciled.received++;
			}
			result.alreadySent += items.length;
		} else if (match) {
			result.unknown += items.length;
			result.problems.push(`${items.length} values: Databox ingestion ${match.ingestionId} may be the lost batch but is still "${match.status}"; checked again by the next run`);
		} else {
			for (const u of items) {
				const r = await store.resolveAction(u.key, { from: 'unknown', status: 'failed', resolution: `No Databox ingestion of ${note.records} records between ${new Date(from).toISOString()} and ${new Date(to).toISOString()}: the lost batch was not received` });
				if (r.resolved) {
					result.reconciled.notReceived++;
					await resend(u);
				} else if (r.entry.status === 'succeeded') result.alreadySent++;
			}
		}
	}
}

interface StaleClaim {
	key: string;
	record: DataboxRecord;
	/** When the claim was written (the ledger's updated_at). */
	claimedAt: number;
	attempts: number;
}

/**
 * Values claimed by a run that stopped before it recorded an outcome (killed
 * between the claim and the answer). Datasets API: when Databox holds no
 * ingestion from the claim's time on that is not known as another batch's,
 * the batch never arrived: the claim is settled as failed and the values are
 * sent; when there is one, it may hold them: nothing is sent, and they are
 * reported. The legacy push API cannot be read: reported.
 */
async function settleStaleClaims(
	store: LedgerStore,
	client: DataboxClient,
	datasetId: string,
	target: string,
	stale: StaleClaim[],
	result: PushKpisResult,
	resend: (u: { key: string; record: DataboxRecord }) => Promise<void>,
): Promise<void> {
	const since = Math.min(...stale.map((c) => c.claimedAt)) - DATABOX_CLOCK_SLACK_MS;
	if (client.mode === 'datasets') {
		const recent = (await client.listIngestions(datasetId)).filter((i) => Date.parse(i.timestamp) >= since);
		const known = await knownIngestions(store, target, recent.map((i) => i.ingestionId));
		const unexplained = recent.filter((i) => !known.has(i.ingestionId));
		if (unexplained.length === 0) {
			for (const c of stale) {
				const r = await store.resolveAction(c.key, { from: 'claimed', attempts: c.attempts, status: 'failed', resolution: `The run that claimed it stopped before an answer, and Databox holds no ingestion since ${new Date(since).toISOString()} that is not another batch's: never received` });
				if (r.resolved) {
					result.reconciled.notReceived++;
					await resend(c);
				} else if (r.entry.status === 'succeeded') result.alreadySent++;
				else result.inProgress++;
			}
			return;
		}
		result.problems.push(`${stale.length} values were claimed by a run that stopped before an answer, and Databox received ${unexplained.length === 1 ? 'an ingestion' : `${unexplained.length} ingestions`} since (${unexplained.map((i) => i.ingestionId).join(', ')}) that may hold them: not sent again; check the dataset`);
	} else {
		result.problems.push(`${stale.length} values were claimed by a run that stopped before an answer; the legacy push API cannot show what it received, so they are not sent again: check them in Databox`);
	}
	result.inProgress += stale.length;
}

function plural(n: number, one: string, many = `${one}s`): string {
	return `${n} ${n === 1 ? one : many}`;
}

function summaryText(r: PushKpisResult): string {
	const api = r.mode === 'datasets' ? 'Databox dataset' : 'Databox (legacy push)';
	const parts = [`${plural(r.sent, 'value')} sent to ${api}`, `${r.alreadySent} already there`];
	if (r.reconciled.received + r.reconciled.notReceived > 0) parts.push(`${r.reconciled.received} lost answers found received, ${r.reconciled.notReceived} not received (sent now)`);
	if (r.failed > 0) parts.push(`${r.failed} refused`);
	if (r.unknown > 0) parts.push(`${r.unknown} with an unknown outcome`);
	if (r.inProgress > 0) parts.push(`${r.inProgress} claimed by another run`);
	return `${parts.join(', ')} (${plural(r.values, 'value')} read from the KPI views).`;
}
