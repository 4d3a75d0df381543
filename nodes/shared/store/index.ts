/**
 * The AdOps Store: one interface (`Store`) over three backends.
 *
 *   openStore({ kind: 'embedded', path })                       PGlite directory, auto-migrated (zero setup)
 *   openStore({ kind: 'postgres', connectionString, ssl })      pg Pool, auto-migrated unless autoMigrate: false
 *   openStore({ kind: 'supabase', url, serviceRoleKey })        PostgREST; migrate with `supabase db push`
 *
 * Values read back are the same for every backend: numeric/bigint columns as
 * JS numbers (double precision; money is far inside that range), dates as
 * `YYYY-MM-DD`, timestamps as ISO-8601 UTC strings, jsonb as parsed JSON.
 */
import { readdirSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { openEmbeddedStore } from './embedded';
import { isPgError, StoreError } from './errors';
import { PgPoolExecutor } from './sql-runner';
import { createPool, openPostgresStore } from './postgres';
import { restError, SupabaseStore } from './supabase';
import type { StoreConfig, Store } from './types';

export * from './types';
export * from './errors';
export { migrate, loadMigrations, defaultMigrationsDir, applySeed, type MigrateResult, type MigrationFile } from './migrations';
export { TABLES, tableDef } from './tables';
export { validateRow, validateRows, isValidatedRow } from './validate';
export { SqlStore } from './sql-store';
export { SupabaseStore } from './supabase';

export async function openStore(config: StoreConfig): Promise<Store> {
	switch (config.kind) {
		case 'embedded':
			return openEmbeddedStore(config.path, config.autoMigrate !== false);
		case 'postgres':
			if (!config.connectionString) throw new StoreError('The Postgres connection string is empty', { code: 'CONFIG' });
			try {
				return await openPostgresStore(config);
			} catch (error) {
				if (error instanceof StoreError) throw error; // migration errors already say file and statement
				// A connection failure says where and what to check, never the password.
				throw new StoreError(`AdOps Store: ${scrub(describePostgresError(error, config.connectionString), config)}`, { code: 'CONNECTION' });
			}
		case 'supabase':
			return new SupabaseStore(config);
		default:
			throw new StoreError(`Unknown store kind "${(config as { kind: string }).kind}"`, { code: 'CONFIG' });
	}
}

export interface ConnectionTestResult {
	ok: boolean;
	message: string;
}

/** Removes every secret of `config` from a message. */
function scrub(message: string, config: StoreConfig): string {
	const secrets: string[] = [];
	if (config.kind === 'postgres') {
		secrets.push(config.connectionString);
		try {
			const url = new URL(config.connectionString);
			if (url.password) secrets.push(url.password, decodeURIComponent(url.password));
		} catch {
			/* not a URL: the whole string is already listed */
		}
	}
	if (config.kind === 'supabase' && config.serviceRoleKey) secrets.push(config.serviceRoleKey);
	let out = message;
	for (const secret of secrets.filter((s) => s.length >= 3).sort((a, b) => b.length - a.length)) {
		out = out.split(secret).join('***');
	}
	return out.split('\n')[0];
}

interface Target {
	host: string;
	port: string;
	user: string;
	database: string;
}

function pgTarget(connectionString: string): Target | undefined {
	try {
		const url = new URL(connectionString);
		if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') return undefined;
		return {
			host: url.hostname || 'localhost',
			port: url.port || '5432',
			user: decodeURIComponent(url.username) || 'postgres',
			database: decodeURIComponent(url.pathname.replace(/^\//, '')) || decodeURIComponent(url.username) || 'postgres',
		};
	} catch {
		return undefined;
	}
}

/** A short, human explanation of a PostgreSQL connection failure. */
export function describePostgresError(error: unknown, connectionString: string): string {
	const t = pgTarget(connectionString);
	const at = t ? `${t.host}:${t.port}` : 'the server';
	const code = (error as { code?: string }).code;
	const message = error instanceof Error ? error.message : String(error);
	switch (code) {
		case 'ECONNREFUSED':
			return `Cannot connect to ${at}: connection refused. Check host and port, and that PostgreSQL is running.`;
		case 'ENOTFOUND':
		case 'EAI_AGAIN':
			return `Host "${t?.host ?? '?'}" not found. Check the host name in the connection string.`;
		case 'ETIMEDOUT':
			return `Timed out connecting to ${at}. Check host, port and firewall.`;
		case 'ECONNRESET':
			return `The connection to ${at} was reset. If the server requires SSL, set SSL to "require".`;
		case '28P01':
			return `Password authentication failed for user "${t?.user ?? '?'}".`;
		case '28000':
			return `The server refused the login${t ? ` for user "${t.user}"` : ''}: ${message}`;
		case '3D000':
			return `Database "${t?.database ?? '?'}" does not exist on ${at}.`;
		case 'SELF_SIGNED_CERT_IN_CHAIN':
		case 'DEPTH_ZERO_SELF_SIGNED_CERT':
		case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
		case 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY':
		case 'CERT_HAS_EXPIRED':
		case 'ERR_TLS_CERT_ALTNAME_INVALID':
			return `The server's TLS certificate could not be verified (${code}). Use SSL "require" to encrypt without verifying, or install a trusted certificate.`;
	}
	if (/does not support SSL/i.test(message)) return `The server at ${at} does not support SSL. Set SSL to "disable".`;
	if (/timeout/i.test(message)) return `Timed out connecting to ${at}. Check host, port and firewall.`;
	if (/Invalid URL|invalid connection/i.test(message) || (!t && /^[a-z]+:\/\//i.test(connectionString))) {
		return 'The connection string is not valid. Expected postgres://user:password@host:5432/database.';
	}
	if (isPgError(error)) return `${message} (SQLSTATE ${code})`;
	return message;
}

function jwtRole(key: string): string | undefined {
	const parts = key.split('.');
	if (parts.length !== 3) return undefined;
	try {
		const payload = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8')) as { role?: unknown };
		return typeof payload.role === 'string' ? payload.role : undefined;
	} catch {
		return undefined;
	}
}

const REQUIRED_TABLE = 'campaign_performance';

async function testPostgres(config: Extract<StoreConfig, { kind: 'postgres' }>): Promise<ConnectionTestResult> {
	if (!config.connectionString) return { ok: false, message: 'The connection string is empty.' };
	let pool;
	try {
		pool = createPool({ ...config, maxConnections: 1, connectionTimeoutMillis: 8000 });
	} catch (error) {
		return { ok: false, message: describePostgresError(error, config.connectionString) };
	}
	try {
		const exec = new PgPoolExecutor(pool);
		const info = await exec.query(
			`SELECT current_setting('server_version') AS version, current_schema() AS schema,
			        to_regclass(${"'" + REQUIRED_TABLE + "'"}) IS NOT NULL AS has_tables`,
		);
		const row = info.rows[0] as { version: string; schema: string | null; has_tables: boolean };
		const where = `PostgreSQL ${row.version}, schema ${row.schema ?? config.schema ?? '(none)'}`;
		if (row.has_tables) return { ok: true, message: `Connected (${where}); AdOps tables present.` };
		if (config.autoMigrate === false) {
			return { ok: false, message: `Connected (${where}), but the AdOps tables are missing. Run: npm run migrate -- --database-url <url>.` };
		}
		return { ok: true, message: `Connected (${where}). The AdOps tables will be created on first use.` };
	} catch (error) {
		return { ok: false, message: scrub(describePostgresError(error, config.connectionString), config) };
	} finally {
		await pool.end().catch(() => undefined);
	}
}

async function testSupabase(config: Extract<StoreConfig, { kind: 'supabase' }>): Promise<ConnectionTestResult> {
	const key = (config.serviceRoleKey ?? '').trim();
	if (!key) return { ok: false, message: 'The service role key is empty.' };
	const role = jwtRole(key);
	if (role && role !== 'service_role') {
		return { ok: false, message: `This is the "${role}" key. Use the project's service_role (secret) key.` };
	}
	if (key.startsWith('sb_publishable_')) {
		return { ok: false, message: 'This is a publishable key. Use the project\'s secret (service_role) key.' };
	}
	let store: SupabaseStore;
	try {
		store = new SupabaseStore({ ...config, serviceRoleKey: key });
	} catch (error) {
		return { ok: false, message: scrub((error as Error).message, config) };
	}
	try {
		const { error, status } = await store.client.from(REQUIRED_TABLE).select('id').limit(1).retry(false);
		if (!error) return { ok: true, message: `Connected to Supabase at ${new URL(config.url).host}; AdOps tables present.` };
		if (status === 0) return { ok: false, message: `Cannot reach ${config.url}: ${scrub(error.message, config)}` };
		if (status === 401 || status === 403) {
			return { ok: false, message: `Supabase rejected the service role key (HTTP ${status}): ${scrub(error.message, config)}` };
		}
		if (error.code === 'PGRST205' || error.code === '42P01') {
			return { ok: false, message: 'Connected, but the AdOps tables are missing. Apply supabase/migrations with `supabase db push`.' };
		}
		if (status === 404 && !error.code) {
			return { ok: false, message: `No Supabase REST API at ${config.url} (HTTP 404). Check the project URL.` };
		}
		return { ok: false, message: scrub(restError(REQUIRED_TABLE, 'connection test', error, status).message, config) };
	} catch (error) {
		return { ok: false, message: scrub(error instanceof Error ? error.message : String(error), config) };
	} finally {
		await store.close().catch(() => undefined);
	}
}

async function testEmbedded(config: Extract<StoreConfig, { kind: 'embedded' }>): Promise<ConnectionTestResult> {
	if (!config.path) return { ok: false, message: 'The embedded database path is empty.' };
	const dir = resolve(config.path);
	try {
		const stat = statSync(dir, { throwIfNoEntry: false });
		if (stat && !stat.isDirectory()) return { ok: false, message: `${dir} exists and is not a directory.` };
		if (stat && readdirSync(dir).length > 0 && !readdirSync(dir).includes('PG_VERSION')) {
			return { ok: false, message: `${dir} is not empty and is not a PGlite database directory.` };
		}
		const store = await openStore(config);
		try {
			await store.ping();
		} finally {
			await store.close();
		}
		return { ok: true, message: `Embedded database ready at ${dir}.` };
	} catch (error) {
		return { ok: false, message: `Cannot open the embedded database at ${dir}: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}` };
	}
}

/** Connectivity and schema check for the n8n credential test. Never throws, never echoes secrets. */
export async function testStoreConnection(config: StoreConfig): Promise<ConnectionTestResult> {
	try {
		switch (config.kind) {
			case 'postgres':
				return await testPostgres(config);
			case 'supabase':
				return await testSupabase(config);
			case 'embedded':
				return await testEmbedded(config);
			default:
				return { ok: false, message: `Unknown store kind "${(config as { kind: string }).kind}".` };
		}
	} catch (error) {
		return { ok: false, message: scrub(error instanceof Error ? error.message : String(error), config) };
	}
}
