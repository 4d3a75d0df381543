import type { Json, Row, RowInput, RowWrite, TableName, ActionLedgerEntry, LedgerStatus } from '../schema/rows';
import type { ViewName, ViewQuery, ViewRow } from './views';

export type { Json, Row, RowInput, RowWrite, TableName, ActionLedgerEntry, LedgerStatus };

declare const validatedFor: unique symbol;

/**
 * A row parsed by the table's own write schema (`validateRow` /
 * `validateRows`), deep-frozen. Every adapter's upsert/insert takes it as it
 * is instead of parsing it again; any other object is parsed as usual.
 */
export type ValidatedRow<T extends TableName> = Readonly<RowWrite<T>> & { readonly [validatedFor]: T };

export type RowCheck<T extends TableName> = { ok: true; row: ValidatedRow<T> } | { ok: false; reason: string };

/** `update`: a row whose natural key exists overwrites it; `ignore`: it is left as stored (ON CONFLICT DO NOTHING). */
export type OnConflict = 'update' | 'ignore';

export type SslMode = 'disable' | 'require' | 'verify-full';

export type StoreConfig =
	| { kind: 'embedded'; path: string; autoMigrate?: boolean }
	| {
			kind: 'postgres';
			connectionString: string;
			ssl: SslMode;
			/** Schema holding the tables (default: the connection's search_path, normally `public`). */
			schema?: string;
			/** Apply pending migrations on open (default true). */
			autoMigrate?: boolean;
			/** Pool size (default 5). */
			maxConnections?: number;
	  }
	| {
			kind: 'supabase';
			url: string;
			serviceRoleKey: string;
			/** Schema exposed by PostgREST (default `public`). */
			schema?: string;
			/** Custom fetch (tests, proxies). */
			fetch?: typeof fetch;
	  };

import type { Condition } from './defs';

export type { Condition, Scalar } from './defs';

export type Where<T extends TableName> = { [K in keyof Row<T> & string]?: Condition };

export interface OrderBy<T extends TableName> {
	column: keyof Row<T> & string;
	ascending?: boolean;
}

export interface SelectQuery<T extends TableName> {
	where?: Where<T>;
	order?: OrderBy<T> | ReadonlyArray<OrderBy<T>>;
	limit?: number;
}

export interface UpsertOptions {
	/** Rows per statement / request (default 500). */
	chunkSize?: number;
	/**
	 * What happens to a row whose natural key is already stored (default
	 * `update`). `ignore` keeps the stored row untouched (SQL `ON CONFLICT …
	 * DO NOTHING`, PostgREST `Prefer: resolution=ignore-duplicates`) and the
	 * result tells how many rows were new.
	 */
	onConflict?: OnConflict;
}

export interface UpsertResult {
	/**
	 * `update`: distinct rows sent to the database (after collapsing
	 * duplicates), each now stored with the sent values.
	 * `ignore`: rows actually inserted (the new ones).
	 */
	written: number;
	/** Input rows dropped because a later row in the batch had the same natural key. */
	collapsed: number;
	/** `ignore`: distinct rows left out because their natural key was already stored; always 0 for `update`. */
	ignored: number;
}

export interface ClaimResult {
	/** True when this caller owns the action and must perform it. */
	claimed: boolean;
	entry: ActionLedgerEntry;
}

export interface ClaimIntent {
	kind: string;
	target: string;
	intent: Json;
	/** Re-claim an entry whose previous attempt ended `failed` (attempts + 1). Default false. An `unknown` entry is never re-claimed: resolve it first. */
	retryFailed?: boolean;
	/** Who claims (a run id, or host:pid): shown to other runs as "in progress by …". */
	claimedBy?: string;
}

export type CompleteOutcome =
	| { status: 'succeeded'; response?: Json }
	| { status: 'failed'; error: string; response?: Json }
	/** The answer was lost or late: the effect may have happened. */
	| { status: 'unknown'; error: string; response?: Json };

/**
 * Settles an `unknown` entry (or a `claimed` one whose holder died) after
 * reading the platform's state: `succeeded` when the effect is observed,
 * `failed` when it is observed not to have happened (then it may be claimed
 * again). `resolution` says how it was decided, in words.
 */
export interface ResolveOutcome {
	from: 'unknown' | 'claimed';
	status: 'succeeded' | 'failed';
	resolution: string;
	response?: Json;
	/** With `from: 'claimed'`: only when the entry still has this attempt count (the holder did not move on). */
	attempts?: number;
}

export type StoreKind = StoreConfig['kind'];

/** Rows as one array per column (what `selectColumnar` returns). */
export interface ColumnarRows<T extends TableName, K extends keyof Row<T> & string> {
	length: number;
	columns: { [C in K]: Array<Row<T>[C]> };
}

/**
 * Several columnar reads of one table as one result, read one after the
 * other: a large read split into parts (a few days, a hundred campaigns) so
 * that no single query blocks long on PGlite, which runs on the event loop's
 * thread (issue 21). The parts must not overlap.
 */
export async function selectColumnarParts<T extends TableName, K extends keyof Row<T> & string>(
	store: Pick<Store, 'selectColumnar'>,
	table: T,
	columns: readonly K[],
	queries: ReadonlyArray<SelectQuery<T>>,
): Promise<ColumnarRows<T, K>> {
	if (queries.length === 1) return store.selectColumnar(table, columns, queries[0]);
	const out = { length: 0, columns: Object.fromEntries(columns.map((c) => [c, [] as unknown[]])) } as unknown as ColumnarRows<T, K>;
	for (const query of queries) {
		const part = await store.selectColumnar(table, columns, query);
		out.length += part.length;
		for (const c of columns) {
			const to = out.columns[c] as unknown[];
			const from = part.columns[c] as unknown[];
			for (let i = 0; i < from.length; i++) to.push(from[i]);
		}
	}
	return out;
}

/** The rows of a columnar result, one object each. */
export function columnarToRows<T extends TableName, K extends keyof Row<T> & string>(data: ColumnarRows<T, K>): Array<Pick<Row<T>, K>> {
	const names = Object.keys(data.columns) as K[];
	const values = names.map((n) => data.columns[n]);
	const out = new Array<Pick<Row<T>, K>>(data.length);
	for (let r = 0; r < data.length; r++) {
		const row = {} as Record<string, unknown>;
		for (let i = 0; i < names.length; i++) row[names[i]] = values[i][r];
		out[r] = row as Pick<Row<T>, K>;
	}
	return out;
}

export interface Store {
	readonly kind: StoreKind;

	/**
	 * Validates every row (rows from `validateRow(s)` for this table are taken
	 * as they are), rejects NULL natural-key columns, collapses duplicate
	 * natural keys (last wins), then upserts in chunks. SQL adapters write the
	 * whole batch in one transaction; Supabase commits chunk by chunk (see
	 * StoreRequestError).
	 */
	upsert<T extends TableName>(table: T, rows: ReadonlyArray<RowInput<T>>, opts?: UpsertOptions): Promise<UpsertResult>;

	/** Plain insert (tables without natural key: ingest_runs, quarantine, …). Returns the new ids in input order. */
	insert<T extends TableName>(table: T, rows: ReadonlyArray<RowInput<T>>): Promise<{ ids: string[] }>;

	/** Updates rows matching `match` (at least one condition) with the validated partial `patch`. */
	update<T extends TableName>(table: T, match: Where<T>, patch: Partial<RowInput<T>>): Promise<{ updated: number }>;

	select<T extends TableName>(table: T, query?: SelectQuery<T>): Promise<Array<Row<T>>>;

	/**
	 * `select` of some columns only, for large batch reads (300,000 metric rows
	 * in one call). Same filters, order, limit and values as `select`. The SQL
	 * adapters aggregate the result into one JSON array per column in the
	 * database, so a whole read travels as one value instead of one protocol
	 * message per row (on PGlite that is an order of magnitude faster);
	 * Supabase pages through PostgREST with `select=<columns>`.
	 */
	selectColumns<T extends TableName, K extends keyof Row<T> & string>(table: T, columns: readonly K[], query?: SelectQuery<T>): Promise<Array<Pick<Row<T>, K>>>;

	/** `selectColumns` as parallel arrays (no object per row): `columns[c][i]` is row i's value of column c. */
	selectColumnar<T extends TableName, K extends keyof Row<T> & string>(table: T, columns: readonly K[], query?: SelectQuery<T>): Promise<ColumnarRows<T, K>>;

	/** Every column of a read-only view (views.ts: the KPI views), with the same filters, order and limit as `select`. */
	selectView<V extends ViewName>(view: V, query?: ViewQuery<V>): Promise<Array<ViewRow<V>>>;

	/** Claims an external side effect at most once (unique idempotency key). */
	claimAction(key: string, intent: ClaimIntent): Promise<ClaimResult>;
	completeAction(key: string, outcome: CompleteOutcome): Promise<ActionLedgerEntry>;
	/**
	 * Compare-and-set from `from` to the resolved status. Returns the entry as
	 * it is after the call and whether this call changed it (false when
	 * another reconciler got there first or the entry moved on).
	 */
	resolveAction(key: string, outcome: ResolveOutcome): Promise<{ resolved: boolean; entry: ActionLedgerEntry }>;

	getState<V extends Json = Json>(key: string): Promise<V | undefined>;
	setState(key: string, value: Json): Promise<void>;

	/**
	 * Runs `fn` in one database transaction; use only the `tx` store inside.
	 * Throws StoreError (code UNSUPPORTED) on Supabase.
	 */
	transaction<R>(fn: (tx: Store) => Promise<R>): Promise<R>;

	ping(): Promise<void>;
	close(): Promise<void>;
}
