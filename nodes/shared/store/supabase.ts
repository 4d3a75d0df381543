/**
 * Supabase adapter over PostgREST (`@supabase/supabase-js`) with the
 * service-role key (bypasses RLS; server-side only).
 *
 * PostgREST cannot run DDL: apply migrations with `supabase db push`, or with
 * `npm run migrate -- --database-url <direct connection string>`.
 * Every request is its own transaction: a multi-chunk upsert commits chunk by
 * chunk. When a chunk fails, the earlier chunks stay committed; upserts are
 * idempotent, so retrying the whole batch is safe. `transaction()` is not
 * supported (use the Postgres adapter on the direct connection string).
 */
import { cleanText, cleanValue } from '../text/clean';
import { createClient, type SupabaseClient } from '@supabase/supabase-js';
import type { ActionLedgerEntry, Json, Row, RowInput, TableName } from '../schema/rows';
import { StoreError, StoreRequestError } from './errors';
import { completionConflict } from './sql-store';
import { fromDb, tableDef, type TableDef } from './tables';
import { isViewName, viewColumns, type ViewName, type ViewQuery, type ViewRow } from './views';
import type { ClaimIntent, ClaimResult, ColumnarRows, CompleteOutcome, ResolveOutcome, SelectQuery, Store, UpsertOptions, UpsertResult, Where } from './types';
import {
	checkChunkSize,
	checkColumns,
	checkLimit,
	checkOnConflict,
	checkOrder,
	checkUpdateMatch,
	checkWhere,
	chunk,
	claimRow,
	collapseByKey,
	upsertableDef,
	parseRowsAsync,
	rowsForInsert,
	validatePatch,
} from './validate';

export interface SupabaseOptions {
	url: string;
	serviceRoleKey: string;
	schema?: string;
	fetch?: typeof fetch;
}

/** PostgREST's default `max-rows` on Supabase; reads page at this size. */
const PAGE_SIZE = 1000;

interface RestError {
	message?: string;
	code?: string;
	hint?: string | null;
	details?: string | null;
}

/** Turns a PostgREST error into a StoreRequestError with a readable message. */
export function restError(
	table: string | undefined,
	operation: string,
	error: RestError,
	status: number,
	extra: { chunkIndex?: number; chunks?: number; chunkSize?: number } = {},
): StoreRequestError {
	const where = table ? `${table}: ` : '';
	const chunkText = extra.chunkIndex !== undefined && extra.chunks !== undefined ? ` chunk ${extra.chunkIndex + 1}/${extra.chunks}` : '';
	let head: string;
	if (status === 0) {
		head = `cannot reach Supabase (${error.message ?? 'network error'})`;
	} else if (status === 401 || status === 403) {
		head = `Supabase rejected the service role key (HTTP ${status}${error.code ? `, ${error.code}` : ''}: ${error.message ?? 'unauthorized'})`;
	} else {
		head = `HTTP ${status}${error.code ? `, ${pgCodeLabel(error.code)}` : ''}: ${error.message ?? 'request failed'}`;
	}
	const parts = [`${where}${operation}${chunkText} failed: ${head}`];
	if (status !== 0 && error.details) parts.push(`Details: ${error.details}`);
	if (error.hint) parts.push(`Hint: ${error.hint}`);
	if (error.code === 'PGRST205' || error.code === '42P01') {
		parts.push('The AdOps tables are missing: apply supabase/migrations with `supabase db push` (or `npm run migrate -- --database-url <direct connection string>`)');
	}
	if (extra.chunkIndex !== undefined && extra.chunkIndex > 0) {
		parts.push(
			`${extra.chunkIndex} earlier chunk(s)${extra.chunkSize ? ` (up to ${extra.chunkIndex * extra.chunkSize} rows)` : ''} were already committed; the upsert is idempotent, so retrying the whole batch is safe`,
		);
	}
	return new StoreRequestError(parts.join('. '), {
		status,
		table,
		code: error.code,
		hint: error.hint ?? undefined,
		details: status === 0 ? undefined : (error.details ?? undefined),
		chunkIndex: extra.chunkIndex,
		chunksCommitted: extra.chunkIndex,
	});
}

function pgCodeLabel(code: string): string {
	const labels: Record<string, string> = {
		'23505': 'unique violation 23505',
		'23503': 'foreign key violation 23503',
		'23502': 'not-null violation 23502',
		'23514': 'check violation 23514',
		'22P02': 'invalid value 22P02',
	};
	return labels[code] ?? code;
}

type Filterable = {
	eq(column: string, value: unknown): Filterable;
	is(column: string, value: null): Filterable;
	in(column: string, values: readonly unknown[]): Filterable;
	gt(column: string, value: unknown): Filterable;
	gte(column: string, value: unknown): Filterable;
	lt(column: string, value: unknown): Filterable;
	lte(column: string, value: unknown): Filterable;
};

function applyWhere<B>(builder: B, def: TableDef, where: unknown): B {
	let b = builder as unknown as Filterable;
	for (const f of checkWhere(def, where as never)) {
		if (f.op === 'is_null') b = b.is(f.column, null);
		else if (f.op === 'in') b = b.in(f.column, f.value as unknown[]);
		else b = b[f.op](f.column, f.value);
	}
	return b as unknown as B;
}

export class SupabaseStore implements Store {
	readonly kind = 'supabase' as const;
	readonly client: SupabaseClient;

	constructor(opts: SupabaseOptions) {
		let parsed: URL;
		try {
			parsed = new URL(opts.url);
		} catch {
			throw new StoreError('The Supabase URL is not a valid URL (expected https://<project>.supabase.co)', { code: 'CONFIG' });
		}
		if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
			throw new StoreError('The Supabase URL must start with https://', { code: 'CONFIG' });
		}
		if (!opts.serviceRoleKey) throw new StoreError('The Supabase service role key is empty', { code: 'CONFIG' });
		this.client = createClient(opts.url, opts.serviceRoleKey, {
			auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
			db: { schema: opts.schema ?? 'public' },
			global: { fetch: opts.fetch, headers: { 'X-Client-Info': 'n8n-nodes-adops' } },
		}) as unknown as SupabaseClient;
	}

	private from(table: string) {
		return this.client.from(table);
	}

	async upsert<T extends TableName>(table: T, rows: ReadonlyArray<RowInput<T>>, opts: UpsertOptions = {}): Promise<UpsertResult> {
		const def = upsertableDef(table);
		const size = checkChunkSize(opts.chunkSize);
		const ignore = checkOnConflict(opts.onConflict) === 'ignore';
		const parsed = await parseRowsAsync(table, rows);
		const { rows: unique, collapsed } = collapseByKey(def, parsed);
		const chunks = chunk(unique, size);
		let inserted = 0;
		for (let i = 0; i < chunks.length; i++) {
			// ignore-duplicates is ON CONFLICT DO NOTHING: the exact count is the rows inserted
			const { error, status, count } = await this.from(table).upsert(chunks[i], {
				onConflict: def.naturalKey.join(','),
				ignoreDuplicates: ignore,
				...(ignore ? { count: 'exact' as const } : {}),
			});
			if (error) throw restError(table, 'upsert', error, status, { chunkIndex: i, chunks: chunks.length, chunkSize: size });
			if (ignore) {
				if (typeof count !== 'number') {
					throw restError(
						table,
						'upsert',
						{ message: 'the response has no row count (Content-Range), so the new rows cannot be told from the ignored ones; this chunk was written' },
						status,
						{ chunkIndex: i, chunks: chunks.length, chunkSize: size },
					);
				}
				inserted += count;
			}
		}
		if (ignore) return { written: inserted, collapsed, ignored: unique.length - inserted };
		return { written: unique.length, collapsed, ignored: 0 };
	}

	async insert<T extends TableName>(table: T, rows: ReadonlyArray<RowInput<T>>): Promise<{ ids: string[] }> {
		const parsed = rowsForInsert(table, rows);
		const chunks = chunk(parsed, 500);
		for (let i = 0; i < chunks.length; i++) {
			const { error, status } = await this.from(table).insert(chunks[i]);
			if (error) throw restError(table, 'insert', error, status, { chunkIndex: i, chunks: chunks.length, chunkSize: 500 });
		}
		return { ids: parsed.map((row) => row.id) };
	}

	async update<T extends TableName>(table: T, match: Where<T>, patch: Partial<RowInput<T>>): Promise<{ updated: number }> {
		const def = tableDef(table);
		const clean = validatePatch(table, patch);
		checkUpdateMatch(def, match);
		const builder = applyWhere(this.from(table).update(clean, { count: 'exact' }), def, match);
		const { error, status, count } = await builder;
		if (error) throw restError(table, 'update', error, status);
		return { updated: count ?? 0 };
	}

	async select<T extends TableName>(table: T, query: SelectQuery<T> = {}): Promise<Array<Row<T>>> {
		return this.page(table, '*', query) as Promise<Array<Row<T>>>;
	}

	/** PostgREST has no one-value form of a result: the columns are read page by page like `select`. */
	async selectColumns<T extends TableName, K extends keyof Row<T> & string>(table: T, columns: readonly K[], query: SelectQuery<T> = {}): Promise<Array<Pick<Row<T>, K>>> {
		const cols = checkColumns(tableDef(table), columns);
		return this.page(table, cols.join(','), query) as Promise<Array<Pick<Row<T>, K>>>;
	}

	async selectView<V extends ViewName>(view: V, query: ViewQuery<V> = {}): Promise<Array<ViewRow<V>>> {
		if (!isViewName(view)) throw new StoreError(`Unknown view "${String(view)}"`, { code: 'VALIDATION' });
		return (await this.selectColumns(view as unknown as TableName, viewColumns(view) as never, query as never)) as unknown as Array<ViewRow<V>>;
	}

	async selectColumnar<T extends TableName, K extends keyof Row<T> & string>(table: T, columns: readonly K[], query: SelectQuery<T> = {}): Promise<ColumnarRows<T, K>> {
		const cols = checkColumns(tableDef(table), columns);
		const rows = await this.page(table, cols.join(','), query);
		const out: Record<string, unknown[]> = {};
		for (const c of cols) out[c] = rows.map((r) => r[c]);
		return { length: rows.length, columns: out as ColumnarRows<T, K>['columns'] };
	}

	private async page<T extends TableName>(table: T, columns: string, query: SelectQuery<T>): Promise<Array<Record<string, unknown>>> {
		const def = tableDef(table);
		const order = checkOrder(def, query.order);
		const limit = checkLimit(query.limit);
		if (order.length === 0) order.push({ column: def.primaryKey, ascending: true }); // stable paging
		const out: Array<Record<string, unknown>> = [];
		for (let from = 0; ; from += PAGE_SIZE) {
			const want = limit === undefined ? PAGE_SIZE : Math.min(PAGE_SIZE, limit - from);
			if (want <= 0) break;
			let builder = applyWhere(this.from(table).select(columns), def, query.where);
			for (const o of order) builder = builder.order(o.column, { ascending: o.ascending });
			const { data, error, status } = await builder.range(from, from + want - 1);
			if (error) throw restError(table, columns === '*' ? 'select' : 'selectColumns', error, status);
			const rows = (data ?? []) as unknown as Array<Record<string, unknown>>;
			for (const row of rows) out.push(fromDb(def, row));
			if (rows.length < want) break;
		}
		return out;
	}

	private async ledgerEntry(key: string): Promise<ActionLedgerEntry | undefined> {
		const rows = await this.select('action_ledger', { where: { idempotency_key: key } });
		return rows[0];
	}

	async claimAction(key: string, intent: ClaimIntent): Promise<ClaimResult> {
		const row = claimRow(key, intent);
		const def = tableDef('action_ledger');
		const { data, error, status } = await this.from('action_ledger')
			.upsert(row, { onConflict: 'idempotency_key', ignoreDuplicates: true })
			.select('*');
		if (error) throw restError('action_ledger', 'claimAction', error, status);
		if (data && data.length > 0) return { claimed: true, entry: fromDb(def, data[0]) as ActionLedgerEntry };
		const existing = await this.ledgerEntry(key);
		if (!existing) throw new StoreError(`action_ledger: entry ${key} vanished while claiming`, { table: 'action_ledger' });
		if (intent.retryFailed && existing.status === 'failed') {
			// optimistic concurrency: only the caller that sees this exact attempt count wins
			const retried = await this.from('action_ledger')
				.update({ status: 'claimed', attempts: existing.attempts + 1, error: null, response: null, completed_at: null, claimed_by: row.claimed_by ?? null, resolution: null, resolved_at: null })
				.eq('idempotency_key', key)
				.eq('status', 'failed')
				.eq('attempts', existing.attempts)
				.select('*');
			if (retried.error) throw restError('action_ledger', 'claimAction', retried.error, retried.status);
			if (retried.data && retried.data.length > 0) return { claimed: true, entry: fromDb(def, retried.data[0]) as ActionLedgerEntry };
			return { claimed: false, entry: (await this.ledgerEntry(key)) ?? existing };
		}
		return { claimed: false, entry: existing };
	}

	async completeAction(dirtyKey: string, dirty: CompleteOutcome): Promise<ActionLedgerEntry> {
		const outcome = cleanValue(dirty);
		const key = cleanText(dirtyKey);
		const { data, error, status } = await this.from('action_ledger')
			.update({
				status: outcome.status,
				response: outcome.response ?? null,
				error: outcome.status === 'succeeded' ? null : outcome.error,
				completed_at: new Date().toISOString(),
			})
			.eq('idempotency_key', key)
			.eq('status', 'claimed')
			.select('*');
		if (error) throw restError('action_ledger', 'completeAction', error, status);
		if (data && data.length > 0) return fromDb(tableDef('action_ledger'), data[0]) as ActionLedgerEntry;
		return completionConflict(key, outcome, await this.ledgerEntry(key));
	}

	async resolveAction(dirtyKey: string, dirty: ResolveOutcome): Promise<{ resolved: boolean; entry: ActionLedgerEntry }> {
		const outcome = cleanValue(dirty);
		const key = cleanText(dirtyKey);
		const before = await this.ledgerEntry(key);
		if (!before) throw new StoreError(`action_ledger: no entry for idempotency key "${key}"`, { table: 'action_ledger', code: 'NOT_FOUND' });
		if (before.status !== outcome.from || (outcome.attempts !== undefined && before.attempts !== outcome.attempts)) return { resolved: false, entry: before };
		const now = new Date().toISOString();
		// compare-and-set on status and attempts: only one reconciler wins
		const { data, error, status } = await this.from('action_ledger')
			.update({
				status: outcome.status,
				resolution: outcome.resolution,
				resolved_at: now,
				completed_at: before.completed_at ?? now,
				response: outcome.response ?? before.response ?? null,
				error: outcome.status === 'succeeded' ? null : (before.error ?? outcome.resolution),
			})
			.eq('idempotency_key', key)
			.eq('status', outcome.from)
			.eq('attempts', before.attempts)
			.select('*');
		if (error) throw restError('action_ledger', 'resolveAction', error, status);
		if (data && data.length > 0) return { resolved: true, entry: fromDb(tableDef('action_ledger'), data[0]) as ActionLedgerEntry };
		return { resolved: false, entry: (await this.ledgerEntry(key)) ?? before };
	}

	async getState<V extends Json = Json>(key: string): Promise<V | undefined> {
		const rows = await this.select('app_state', { where: { key } });
		return rows.length > 0 ? (rows[0].value as V) : undefined;
	}

	async setState(key: string, value: Json): Promise<void> {
		await this.upsert('app_state', [{ key, value }]);
	}

	async transaction<R>(): Promise<R> {
		throw new StoreError(
			'Transactions are not supported by the Supabase (REST) store: PostgREST runs every request in its own transaction. Use the Postgres store with the Supabase direct connection string for transactional work.',
			{ code: 'UNSUPPORTED' },
		);
	}

	async ping(): Promise<void> {
		const { error, status } = await this.from('app_state').select('key').limit(1);
		if (error) throw restError('app_state', 'ping', error, status);
	}

	/** Nothing to release: the store never opens realtime channels, and HTTP is stateless. */
	async close(): Promise<void> {}
}
