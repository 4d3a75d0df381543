/**
 * Store over SQL (PostgreSQL through `pg`, or PGlite). Rows travel as one
 * JSON parameter per chunk (`jsonb_to_recordset`), so there is no parameter
 * limit and no per-driver value serialisation; rows come back as `to_jsonb`,
 * so both drivers (and PostgREST) yield the same JavaScript values.
 */
import type { ActionLedgerEntry, Json, Row, RowInput, TableName } from '../schema/rows';
import { cleanText, cleanValue } from '../text/clean';
import { StoreError, wrapDbError } from './errors';
import { yieldToEventLoop } from '../resilience/steps';
import { quoteIdent as q, type SqlExecutor } from './sql-runner';
import { convert, fromDb, tableDef, type ColumnKind, type TableDef } from './tables';
import { isViewName, viewColumns, type ViewName, type ViewQuery, type ViewRow } from './views';
import { columnarToRows, type ClaimIntent, type ClaimResult, type ColumnarRows, type CompleteOutcome, type ResolveOutcome, type SelectQuery, type Store, type StoreKind, type UpsertOptions, type UpsertResult, type Where } from './types';
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
	writableColumns,
} from './validate';

function recordsetType(def: TableDef, columns: string[]): string {
	return columns.map((c) => `${q(c)} ${def.columns[c]}`).join(', ');
}

function castParam(index: number, kind: ColumnKind): string {
	return `$${index}::${kind}`;
}

function toParam(value: unknown): string {
	return typeof value === 'string' ? value : String(value);
}

/** WHERE clause from a checked `where`; parameters are appended to `params`. */
function whereSql(def: TableDef, where: Record<string, unknown> | undefined, params: unknown[], alias = 't'): string {
	const parts: string[] = [];
	for (const filter of checkWhere(def, where as never)) {
		const col = `${alias}.${q(filter.column)}`;
		switch (filter.op) {
			case 'is_null':
				parts.push(`${col} IS NULL`);
				break;
			case 'in': {
				const list = (filter.value as unknown[]).map((v) => {
					params.push(toParam(v));
					return castParam(params.length, filter.kind);
				});
				parts.push(list.length > 0 ? `${col} IN (${list.join(', ')})` : 'FALSE');
				break;
			}
			default: {
				const sqlOp = { eq: '=', gt: '>', gte: '>=', lt: '<', lte: '<=' }[filter.op];
				params.push(toParam(filter.value));
				parts.push(`${col} ${sqlOp} ${castParam(params.length, filter.kind)}`);
			}
		}
	}
	return parts.length > 0 ? `WHERE ${parts.join(' AND ')}` : '';
}

/** Every value is a number or null (a plain loop: a callback would box every double of a large column). */
function allNumbers(list: readonly unknown[]): boolean {
	for (let i = 0; i < list.length; i++) {
		const v = list[i];
		if (v !== null && typeof v !== 'number') return false;
	}
	return true;
}

function parseJsonRow(value: unknown): Record<string, unknown> {
	return (typeof value === 'string' ? JSON.parse(value) : value) as Record<string, unknown>;
}

/**
 * PGlite has no autovacuum, so without this its planner never has statistics
 * and plans from defaults (one campaign's history out of 1.8 million rows:
 * 56 ms through the wrong index, 1 ms after ANALYZE). The embedded store
 * counts the rows it writes per table and PGlite instance and runs ANALYZE
 * on a table once they reach ANALYZE_MIN_ROWS and a tenth of its rows (as
 * autovacuum's analyze threshold does); `analyzeUnanalyzed` covers tables
 * filled before, on open.
 */
export const EMBEDDED_ANALYZE = { minRows: 1_000, share: 0.1 };
const writtenSinceAnalyze = new WeakMap<SqlExecutor, Map<string, number>>();

/** ANALYZE every table of the embedded store's schema that holds data (1 MB or more) and has never been analyzed. */
export async function analyzeUnanalyzed(exec: SqlExecutor): Promise<string[]> {
	const r = await exec.query(`SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE n.nspname = current_schema() AND c.relkind = 'r' AND c.reltuples < 0 AND pg_relation_size(c.oid) >= 1048576`);
	const names = r.rows.map((row) => String(row.name));
	for (const name of names) await exec.query(`ANALYZE ${q(name)}`);
	return names;
}

/** Rows from which a columnar read on PGlite lets the event loop in after the query and after the parse. */
const EMBEDDED_YIELD_ROWS = 1_000;

export class SqlStore implements Store {
	constructor(
		readonly kind: StoreKind,
		private readonly exec: SqlExecutor,
		private readonly onClose: () => Promise<void> = async () => undefined,
	) {}

	private inTx<R>(fn: (exec: SqlExecutor) => Promise<R>): Promise<R> {
		return this.exec.inTransaction ? fn(this.exec) : this.exec.transaction(fn);
	}

	/**
	 * Embedded store, outside a transaction: counts rows written to `table` and
	 * analyzes it when EMBEDDED_ANALYZE says so. Never fails the write that
	 * was already committed (a failed ANALYZE is tried again at the next count).
	 */
	private async countWrites(table: string, rows: number): Promise<void> {
		if (this.kind !== 'embedded' || this.exec.inTransaction || rows <= 0) return;
		let counts = writtenSinceAnalyze.get(this.exec);
		if (!counts) writtenSinceAnalyze.set(this.exec, (counts = new Map()));
		const written = (counts.get(table) ?? 0) + rows;
		counts.set(table, written);
		if (written < EMBEDDED_ANALYZE.minRows) return;
		try {
			const r = await this.exec.query(`SELECT reltuples::float8 AS n FROM pg_class WHERE oid = $1::regclass`, [q(table)]);
			const tuples = Number(r.rows[0]?.n ?? -1);
			if (tuples > 0 && written < EMBEDDED_ANALYZE.share * tuples) return;
			await this.exec.query(`ANALYZE ${q(table)}`);
			counts.set(table, 0);
		} catch {
			// statistics are an optimisation: the rows are written
		}
	}

	async upsert<T extends TableName>(table: T, rows: ReadonlyArray<RowInput<T>>, opts: UpsertOptions = {}): Promise<UpsertResult> {
		const def = upsertableDef(table);
		const size = checkChunkSize(opts.chunkSize);
		const mode = checkOnConflict(opts.onConflict);
		const parsed = await parseRowsAsync(table, rows);
		const { rows: unique, collapsed } = collapseByKey(def, parsed);
		if (unique.length === 0) return { written: 0, collapsed, ignored: 0 };

		const columns = writableColumns(table);
		const updatable = columns.filter((c) => !def.naturalKey.includes(c));
		const conflict =
			mode === 'ignore' || updatable.length === 0
				? 'DO NOTHING'
				: `DO UPDATE SET ${updatable.map((c) => `${q(c)} = EXCLUDED.${q(c)}`).join(', ')}
				   WHERE (${updatable.map((c) => `t.${q(c)}`).join(', ')}) IS DISTINCT FROM (${updatable.map((c) => `EXCLUDED.${q(c)}`).join(', ')})`;
		const sql = `INSERT INTO ${q(table)} AS t (${columns.map(q).join(', ')})
			SELECT ${columns.map((c) => `x.${q(c)}`).join(', ')} FROM jsonb_to_recordset($1::jsonb) AS x(${recordsetType(def, columns)})
			ON CONFLICT (${def.naturalKey.map(q).join(', ')}) ${conflict}`;

		const chunks = chunk(unique, size);
		let inserted = 0;
		await this.inTx(async (exec) => {
			for (let i = 0; i < chunks.length; i++) {
				try {
					inserted += (await exec.query(sql, [JSON.stringify(chunks[i])])).rowCount;
				} catch (error) {
					throw wrapDbError(error, table, `upsert (chunk ${i + 1}/${chunks.length}, nothing written)`);
				}
			}
		});
		await this.countWrites(table, inserted);
		// DO NOTHING reports the inserted rows only
		if (mode === 'ignore') return { written: inserted, collapsed, ignored: unique.length - inserted };
		return { written: unique.length, collapsed, ignored: 0 };
	}

	async insert<T extends TableName>(table: T, rows: ReadonlyArray<RowInput<T>>): Promise<{ ids: string[] }> {
		const def = tableDef(table);
		const parsed = rowsForInsert(table, rows);
		if (parsed.length === 0) return { ids: [] };
		const columns = ['id', ...writableColumns(table)];
		const sql = `INSERT INTO ${q(table)} (${columns.map(q).join(', ')})
			SELECT ${columns.map((c) => `x.${q(c)}`).join(', ')} FROM jsonb_to_recordset($1::jsonb) AS x(${recordsetType(def, columns)})`;
		await this.inTx(async (exec) => {
			for (const part of chunk(parsed, 500)) {
				try {
					await exec.query(sql, [JSON.stringify(part)]);
				} catch (error) {
					throw wrapDbError(error, table, 'insert (nothing written)');
				}
			}
		});
		await this.countWrites(table, parsed.length);
		return { ids: parsed.map((row) => row.id) };
	}

	async update<T extends TableName>(table: T, match: Where<T>, patch: Partial<RowInput<T>>): Promise<{ updated: number }> {
		const def = tableDef(table);
		const clean = validatePatch(table, patch);
		checkUpdateMatch(def, match);
		const columns = Object.keys(clean);
		const params: unknown[] = [JSON.stringify(clean)];
		const where = whereSql(def, match as Record<string, unknown>, params);
		const sql = `UPDATE ${q(table)} AS t SET ${columns.map((c) => `${q(c)} = x.${q(c)}`).join(', ')}
			FROM jsonb_to_record($1::jsonb) AS x(${recordsetType(def, columns)}) ${where}`;
		try {
			const result = await this.exec.query(sql, params);
			await this.countWrites(table, result.rowCount);
			return { updated: result.rowCount };
		} catch (error) {
			throw wrapDbError(error, table, 'update');
		}
	}

	async select<T extends TableName>(table: T, query: SelectQuery<T> = {}): Promise<Array<Row<T>>> {
		const def = tableDef(table);
		const params: unknown[] = [];
		const where = whereSql(def, query.where as Record<string, unknown> | undefined, params);
		const order = checkOrder(def, query.order);
		const limit = checkLimit(query.limit);
		const sql = [
			`SELECT to_jsonb(t.*) AS r FROM ${q(table)} AS t`,
			where,
			order.length > 0 ? `ORDER BY ${order.map((o) => `t.${q(o.column)} ${o.ascending ? 'ASC' : 'DESC'}`).join(', ')}` : '',
			limit === undefined ? '' : `LIMIT ${limit}`,
		].join(' ');
		try {
			const result = await this.exec.query(sql, params);
			return result.rows.map((r) => fromDb(def, parseJsonRow(r.r)) as Row<T>);
		} catch (error) {
			throw wrapDbError(error, table, 'select');
		}
	}

	async selectColumns<T extends TableName, K extends keyof Row<T> & string>(table: T, columns: readonly K[], query: SelectQuery<T> = {}): Promise<Array<Pick<Row<T>, K>>> {
		return columnarToRows(await this.selectColumnar(table, columns, query));
	}

	async selectView<V extends ViewName>(view: V, query: ViewQuery<V> = {}): Promise<Array<ViewRow<V>>> {
		if (!isViewName(view)) throw new StoreError(`Unknown view "${String(view)}"`, { code: 'VALIDATION' });
		return (await this.selectColumns(view as unknown as TableName, viewColumns(view) as never, query as never)) as unknown as Array<ViewRow<V>>;
	}

	async selectColumnar<T extends TableName, K extends keyof Row<T> & string>(table: T, columns: readonly K[], query: SelectQuery<T> = {}): Promise<ColumnarRows<T, K>> {
		const def = tableDef(table);
		const cols = checkColumns(def, columns);
		const params: unknown[] = [];
		const where = whereSql(def, query.where as Record<string, unknown> | undefined, params);
		const order = checkOrder(def, query.order);
		const limit = checkLimit(query.limit);
		const dir = (o: { ascending: boolean }) => (o.ascending ? 'ASC' : 'DESC');
		// The sub-select fixes the rows (filter, order, limit); every json_agg of one
		// aggregate node reads them in the same sequence, so the columns line up.
		const inner = [
			`SELECT ${[...cols.map((c) => `t.${q(c)}`), ...order.map((o, i) => `t.${q(o.column)} AS __o${i}`)].join(', ')} FROM ${q(table)} AS t`,
			where,
			order.length > 0 ? `ORDER BY ${order.map((o) => `t.${q(o.column)} ${dir(o)}`).join(', ')}` : '',
			limit === undefined ? '' : `LIMIT ${limit}`,
		].join(' ');
		const aggOrder = order.length > 0 ? ` ORDER BY ${order.map((o, i) => `x.__o${i} ${dir(o)}`).join(', ')}` : '';
		const sql = `SELECT count(*)::int AS n, json_build_array(${cols.map((c) => `json_agg(x.${q(c)}${aggOrder})`).join(', ')})::text AS j FROM (${inner}) AS x`;
		// PGlite answers on this thread and its answer resolves as a microtask: after a large read the event loop gets a
		// turn after the query and after the parse, so the query, the parse and what the caller does next are three
		// blocks, not one (issue 21; the anomaly scan of 10,000 campaigns on PGlite: longest block 699 -> 488 ms)
		const yieldAfter = this.kind === 'embedded' ? EMBEDDED_YIELD_ROWS : Number.POSITIVE_INFINITY;
		let n: number;
		let data: unknown[][];
		try {
			const result = await this.exec.query(sql, params);
			n = Number(result.rows[0]?.n ?? 0);
			if (n >= yieldAfter) await yieldToEventLoop();
			data = n > 0 ? (JSON.parse(result.rows[0]!.j as string) as unknown[][]) : [];
			if (n >= yieldAfter) await yieldToEventLoop();
		} catch (error) {
			throw wrapDbError(error, table, 'selectColumns');
		}
		const out: Record<string, unknown[]> = {};
		cols.forEach((c, i) => {
			const kind = def.columns[c]!;
			const list = data[i] ?? [];
			const numeric = kind === 'numeric' || kind === 'bigint' || kind === 'integer';
			// dates, text, uuids, booleans, jsonb and numbers arrive in their final form; the rest goes through fromDb's conversion
			if (kind === 'date' || kind === 'text' || kind === 'uuid' || kind === 'boolean' || kind === 'jsonb' || (numeric && allNumbers(list))) out[c] = list;
			else out[c] = list.map((v) => convert(kind, v));
		});
		return { length: n, columns: out as ColumnarRows<T, K>['columns'] };
	}

	private ledgerRow(rows: Array<Record<string, unknown>>): ActionLedgerEntry | undefined {
		return rows.length > 0 ? (fromDb(tableDef('action_ledger'), parseJsonRow(rows[0].r)) as ActionLedgerEntry) : undefined;
	}

	async claimAction(key: string, intent: ClaimIntent): Promise<ClaimResult> {
		const row = claimRow(key, intent);
		try {
			const inserted = await this.exec.query(
				`INSERT INTO action_ledger AS t (idempotency_key, kind, target, intent, claimed_by) VALUES ($1, $2, $3, $4::jsonb, $5)
				 ON CONFLICT (idempotency_key) DO NOTHING RETURNING to_jsonb(t.*) AS r`,
				[row.idempotency_key, row.kind, row.target, JSON.stringify(row.intent), row.claimed_by ?? null],
			);
			const entry = this.ledgerRow(inserted.rows);
			if (entry) return { claimed: true, entry };
			if (intent.retryFailed) {
				const retried = await this.exec.query(
					`UPDATE action_ledger AS t SET status = 'claimed', attempts = t.attempts + 1, error = NULL, response = NULL, completed_at = NULL,
					   claimed_by = $2, resolution = NULL, resolved_at = NULL
					 WHERE t.idempotency_key = $1 AND t.status = 'failed' RETURNING to_jsonb(t.*) AS r`,
					[key, row.claimed_by ?? null],
				);
				const again = this.ledgerRow(retried.rows);
				if (again) return { claimed: true, entry: again };
			}
			const existing = this.ledgerRow((await this.exec.query('SELECT to_jsonb(t.*) AS r FROM action_ledger AS t WHERE idempotency_key = $1', [key])).rows);
			if (!existing) throw new StoreError(`action_ledger: entry ${key} vanished while claiming`, { table: 'action_ledger' });
			return { claimed: false, entry: existing };
		} catch (error) {
			throw wrapDbError(error, 'action_ledger', 'claimAction');
		}
	}

	async completeAction(key: string, dirty: CompleteOutcome): Promise<ActionLedgerEntry> {
		const outcome = cleanValue(dirty);
		key = cleanText(key);
		const response = outcome.response === undefined ? null : JSON.stringify(outcome.response);
		const error = outcome.status === 'succeeded' ? null : outcome.error;
		try {
			const updated = await this.exec.query(
				`UPDATE action_ledger AS t SET status = $2, response = $3::jsonb, error = $4, completed_at = now()
				 WHERE t.idempotency_key = $1 AND t.status = 'claimed' RETURNING to_jsonb(t.*) AS r`,
				[key, outcome.status, response, error],
			);
			const entry = this.ledgerRow(updated.rows);
			if (entry) return entry;
			const existing = this.ledgerRow((await this.exec.query('SELECT to_jsonb(t.*) AS r FROM action_ledger AS t WHERE idempotency_key = $1', [key])).rows);
			return completionConflict(key, outcome, existing);
		} catch (e) {
			throw wrapDbError(e, 'action_ledger', 'completeAction');
		}
	}

	async resolveAction(key: string, dirty: ResolveOutcome): Promise<{ resolved: boolean; entry: ActionLedgerEntry }> {
		const outcome = cleanValue(dirty);
		key = cleanText(key);
		const response = outcome.response === undefined ? null : JSON.stringify(outcome.response);
		try {
			const updated = await this.exec.query(
				`UPDATE action_ledger AS t SET status = $2, resolution = $3, resolved_at = now(), completed_at = coalesce(t.completed_at, now()),
				   response = coalesce($4::jsonb, t.response), error = CASE WHEN $2 = 'succeeded' THEN NULL ELSE coalesce(t.error, $3) END
				 WHERE t.idempotency_key = $1 AND t.status = $5 AND ($6::integer IS NULL OR t.attempts = $6::integer) RETURNING to_jsonb(t.*) AS r`,
				[key, outcome.status, outcome.resolution, response, outcome.from, outcome.attempts ?? null],
			);
			const entry = this.ledgerRow(updated.rows);
			if (entry) return { resolved: true, entry };
			const existing = this.ledgerRow((await this.exec.query('SELECT to_jsonb(t.*) AS r FROM action_ledger AS t WHERE idempotency_key = $1', [key])).rows);
			if (!existing) throw new StoreError(`action_ledger: no entry for idempotency key "${key}"`, { table: 'action_ledger', code: 'NOT_FOUND' });
			return { resolved: false, entry: existing };
		} catch (e) {
			throw wrapDbError(e, 'action_ledger', 'resolveAction');
		}
	}

	async getState<V extends Json = Json>(key: string): Promise<V | undefined> {
		const rows = await this.select('app_state', { where: { key } });
		return rows.length > 0 ? (rows[0].value as V) : undefined;
	}

	async setState(key: string, value: Json): Promise<void> {
		await this.upsert('app_state', [{ key, value }]);
	}

	transaction<R>(fn: (tx: Store) => Promise<R>): Promise<R> {
		return this.exec.transaction((exec) => fn(new SqlStore(this.kind, exec, async () => {
			throw new StoreError('close() is not available inside a transaction', { code: 'UNSUPPORTED' });
		})));
	}

	async ping(): Promise<void> {
		try {
			await this.exec.query('SELECT 1');
		} catch (error) {
			throw wrapDbError(error, undefined, 'ping');
		}
	}

	close(): Promise<void> {
		return this.onClose();
	}
}

/** Shared by adapters: completing an entry that is not in `claimed` state. */
export function completionConflict(key: string, outcome: CompleteOutcome, existing: ActionLedgerEntry | undefined): ActionLedgerEntry {
	if (!existing) {
		throw new StoreError(`action_ledger: no entry for idempotency key "${key}"; claimAction() first`, { table: 'action_ledger', code: 'NOT_FOUND' });
	}
	if (existing.status === outcome.status) return existing; // completing twice with the same outcome is a no-op
	throw new StoreError(
		`action_ledger: entry "${key}" is already ${existing.status}; cannot mark it ${outcome.status}`,
		{ table: 'action_ledger', code: 'CONFLICT' },
	);
}
