/**
 * The small SQL-executor abstraction shared by the migration runner and the
 * SQL store: one interface over a `pg` Pool and a PGlite instance.
 */
import type { Pool, PoolClient } from 'pg';
import type { PGlite, Transaction } from '@electric-sql/pglite';

export interface SqlResult {
	rows: Array<Record<string, unknown>>;
	rowCount: number;
}

export interface SqlExecutor {
	query(sql: string, params?: readonly unknown[]): Promise<SqlResult>;
	/** Runs `fn` in a transaction (a savepoint when already inside one). */
	transaction<R>(fn: (tx: SqlExecutor) => Promise<R>): Promise<R>;
	readonly inTransaction: boolean;
}

export function quoteIdent(name: string): string {
	return `"${name.replace(/"/g, '""')}"`;
}

// ---------------------------------------------------------------- pg

export class PgPoolExecutor implements SqlExecutor {
	readonly inTransaction = false;

	constructor(private readonly pool: Pool) {}

	async query(sql: string, params?: readonly unknown[]): Promise<SqlResult> {
		const result = await this.pool.query(sql, params as unknown[] | undefined);
		return { rows: result.rows as Array<Record<string, unknown>>, rowCount: result.rowCount ?? 0 };
	}

	async transaction<R>(fn: (tx: SqlExecutor) => Promise<R>): Promise<R> {
		const client = await this.pool.connect();
		let broken: Error | undefined;
		try {
			await client.query('BEGIN');
			try {
				const result = await fn(new PgClientExecutor(client));
				await client.query('COMMIT');
				return result;
			} catch (error) {
				try {
					await client.query('ROLLBACK');
				} catch (rollbackError) {
					broken = rollbackError as Error;
				}
				throw error;
			}
		} finally {
			client.release(broken);
		}
	}
}

let savepointCounter = 0;

async function withSavepoint<R>(exec: SqlExecutor, fn: (tx: SqlExecutor) => Promise<R>): Promise<R> {
	const name = `adops_sp_${++savepointCounter}`;
	await exec.query(`SAVEPOINT ${name}`);
	try {
		const result = await fn(exec);
		await exec.query(`RELEASE SAVEPOINT ${name}`);
		return result;
	} catch (error) {
		await exec.query(`ROLLBACK TO SAVEPOINT ${name}`);
		throw error;
	}
}

class PgClientExecutor implements SqlExecutor {
	readonly inTransaction = true;

	constructor(private readonly client: PoolClient) {}

	async query(sql: string, params?: readonly unknown[]): Promise<SqlResult> {
		const result = await this.client.query(sql, params as unknown[] | undefined);
		return { rows: result.rows as Array<Record<string, unknown>>, rowCount: result.rowCount ?? 0 };
	}

	transaction<R>(fn: (tx: SqlExecutor) => Promise<R>): Promise<R> {
		return withSavepoint(this, fn);
	}
}

// ---------------------------------------------------------------- PGlite

export class PgliteExecutor implements SqlExecutor {
	readonly inTransaction = false;

	constructor(private readonly db: PGlite) {}

	async query(sql: string, params?: readonly unknown[]): Promise<SqlResult> {
		const result = await this.db.query<Record<string, unknown>>(sql, params as unknown[] | undefined);
		return { rows: result.rows, rowCount: result.affectedRows ?? result.rows.length };
	}

	transaction<R>(fn: (tx: SqlExecutor) => Promise<R>): Promise<R> {
		return this.db.transaction((tx) => fn(new PgliteTxExecutor(tx)));
	}
}

class PgliteTxExecutor implements SqlExecutor {
	readonly inTransaction = true;

	constructor(private readonly tx: Transaction) {}

	async query(sql: string, params?: readonly unknown[]): Promise<SqlResult> {
		const result = await this.tx.query<Record<string, unknown>>(sql, params as unknown[] | undefined);
		return { rows: result.rows, rowCount: result.affectedRows ?? result.rows.length };
	}

	transaction<R>(fn: (tx: SqlExecutor) => Promise<R>): Promise<R> {
		return withSavepoint(this, fn);
	}
}
