/** PostgreSQL adapter (`pg` Pool); also Supabase's direct connection string. */
import { Pool, type PoolConfig } from 'pg';
import { StoreError } from './errors';
import { PgPoolExecutor } from './sql-runner';
import { migrate } from './migrations';
import { SqlStore } from './sql-store';
import type { SslMode } from './types';

export interface PostgresOptions {
	connectionString: string;
	ssl: SslMode;
	schema?: string;
	maxConnections?: number;
	connectionTimeoutMillis?: number;
}

const SCHEMA_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

const SSL_PARAMS = ['sslmode', 'ssl', 'sslcert', 'sslkey', 'sslrootcert', 'uselibpqcompat'];

/** The `ssl` option is authoritative: ssl parameters in the URL would override it inside pg. */
function stripSslParams(connectionString: string): string {
	try {
		const url = new URL(connectionString);
		for (const param of SSL_PARAMS) url.searchParams.delete(param);
		return url.toString();
	} catch {
		return connectionString;
	}
}

export function sslConfig(mode: SslMode): PoolConfig['ssl'] {
	switch (mode) {
		case 'disable':
			return false;
		case 'require':
			return { rejectUnauthorized: false };
		case 'verify-full':
			return { rejectUnauthorized: true };
	}
}

export function createPool(opts: PostgresOptions): Pool {
	if (opts.schema !== undefined && !SCHEMA_NAME.test(opts.schema)) {
		throw new StoreError(`Invalid schema name "${opts.schema}" (letters, digits and _ only)`, { code: 'CONFIG' });
	}
	const pool = new Pool({
		// search_path as a startup parameter: applies to every pooled connection
		...(opts.schema ? { options: `-c search_path=${opts.schema}` } : {}),
		connectionString: stripSslParams(opts.connectionString),
		ssl: sslConfig(opts.ssl),
		max: opts.maxConnections ?? 5,
		connectionTimeoutMillis: opts.connectionTimeoutMillis ?? 10_000,
		idleTimeoutMillis: 30_000,
		application_name: 'n8n-nodes-adops',
	});
	// An idle client losing its connection must not crash the n8n process;
	// the next query reports the problem instead.
	pool.on('error', () => undefined);
	return pool;
}

export async function openPostgresStore(opts: PostgresOptions & { autoMigrate?: boolean }, onClose?: () => Promise<void>): Promise<SqlStore> {
	const pool = createPool(opts);
	const exec = new PgPoolExecutor(pool);
	try {
		if (opts.autoMigrate !== false) await migrate(exec, { schema: opts.schema });
	} catch (error) {
		await pool.end().catch(() => undefined);
		throw error;
	}
	return new SqlStore('postgres', exec, async () => {
		await pool.end();
		await onClose?.();
	});
}
