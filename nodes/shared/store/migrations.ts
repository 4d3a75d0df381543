/**
 * Migration runner for PostgreSQL and PGlite.
 *
 * - Files: `<version>_<name>.sql` (Supabase CLI layout), applied in version order.
 * - Each file runs in one transaction together with its `schema_migrations`
 *   record, so a failing file leaves the schema exactly as it was.
 * - Applied versions are recorded with a SHA-256 checksum; re-running is a
 *   no-op, and an applied file whose content changed is refused.
 * - Concurrent runners (several n8n workers opening the store) serialise on a
 *   transaction-scoped advisory lock per schema.
 *
 * SQL location: `supabase/migrations` three levels above this module. From
 * source that is `<repo>/supabase/migrations`; from the built package
 * (`dist/nodes/shared/store`) it is `dist/supabase/migrations`, which the gulp
 * build copies there.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { MigrationError, isPgError } from './errors';
import { quoteIdent, type SqlExecutor } from './sql-runner';
import { lineAndColumn, splitStatements } from './sql-split';

export interface MigrationFile {
	version: string;
	name: string;
	file: string;
	sql: string;
	checksum: string;
}

export interface MigrateOptions {
	/** Directory of `<version>_<name>.sql` files (default: the package's migrations). */
	dir?: string;
	/** Pre-loaded migrations (takes precedence over `dir`). */
	migrations?: MigrationFile[];
	/** Schema to migrate; created if missing. Default: the connection's current schema. */
	schema?: string;
	log?: (line: string) => void;
}

export interface MigrateResult {
	applied: string[];
	skipped: string[];
}

const FILE_PATTERN = /^(\d+)_([A-Za-z0-9_.-]+)\.sql$/;

export function defaultMigrationsDir(): string {
	const candidates = [
		resolve(__dirname, '../../../supabase/migrations'),
		// dist build running inside a checkout
		resolve(__dirname, '../../../../supabase/migrations'),
	];
	for (const dir of candidates) {
		if (existsSync(dir) && readdirSync(dir).some((f) => FILE_PATTERN.test(f))) return dir;
	}
	throw new Error(
		`AdOps migrations not found (looked in ${candidates.join(', ')}). The package build must copy supabase/migrations/*.sql to dist/supabase/migrations.`,
	);
}

export function checksum(sql: string): string {
	return createHash('sha256').update(sql.replace(/\r\n/g, '\n')).digest('hex');
}

export function loadMigrations(dir: string = defaultMigrationsDir()): MigrationFile[] {
	const files = readdirSync(dir).filter((f) => f.endsWith('.sql'));
	const migrations: MigrationFile[] = [];
	for (const file of files) {
		const match = FILE_PATTERN.exec(file);
		if (!match) throw new Error(`Migration file name "${file}" does not match <version>_<name>.sql`);
		const sql = readFileSync(join(dir, file), 'utf8');
		migrations.push({ version: match[1], name: match[2], file, sql, checksum: checksum(sql) });
	}
	migrations.sort((a, b) => (a.version.length - b.version.length) || a.version.localeCompare(b.version));
	for (let i = 1; i < migrations.length; i++) {
		if (migrations[i].version === migrations[i - 1].version) {
			throw new Error(`Two migrations share version ${migrations[i].version}: ${migrations[i - 1].file}, ${migrations[i].file}`);
		}
	}
	return migrations;
}

const LEDGER_DDL = `CREATE TABLE IF NOT EXISTS schema_migrations (
	version text PRIMARY KEY,
	name text NOT NULL,
	checksum text NOT NULL,
	applied_at timestamptz NOT NULL DEFAULT now(),
	execution_ms integer
)`;

async function scoped(tx: SqlExecutor, schema: string | undefined): Promise<void> {
	if (schema) await tx.query(`SET LOCAL search_path TO ${quoteIdent(schema)}`);
	await tx.query(`SELECT pg_advisory_xact_lock(hashtext('n8n-nodes-adops:migrations:' || current_schema()))`);
}

export async function migrate(exec: SqlExecutor, opts: MigrateOptions = {}): Promise<MigrateResult> {
	const migrations = opts.migrations ?? loadMigrations(opts.dir);
	const log = opts.log ?? (() => undefined);
	const schema = opts.schema;
	if (schema) await exec.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(schema)}`);

	await exec.transaction(async (tx) => {
		await scoped(tx, schema);
		const current = await tx.query('SELECT current_schema() AS s');
		if (current.rows[0]?.s == null) {
			throw new Error('No current schema: the search_path names no existing schema.');
		}
		await tx.query(LEDGER_DDL);
		// PostgREST exposes every table in an exposed schema; keep this one private too.
		await tx.query('ALTER TABLE schema_migrations ENABLE ROW LEVEL SECURITY');
	});

	const result: MigrateResult = { applied: [], skipped: [] };
	for (const migration of migrations) {
		const applied = await exec.transaction(async (tx) => {
			await scoped(tx, schema);
			const existing = await tx.query('SELECT checksum FROM schema_migrations WHERE version = $1', [migration.version]);
			if (existing.rows.length > 0) {
				const recorded = String(existing.rows[0].checksum);
				if (recorded !== migration.checksum) {
					throw new MigrationError(
						`Migration ${migration.file} was already applied, but the file has changed since (recorded checksum ${recorded.slice(0, 12)}…, file ${migration.checksum.slice(0, 12)}…). Applied migrations must never be edited: restore the file and add a new migration instead.`,
						{ file: migration.file, code: 'CHECKSUM_MISMATCH' },
					);
				}
				return false;
			}
			const started = Date.now();
			await runScript(tx, migration.file, migration.sql);
			await tx.query('INSERT INTO schema_migrations (version, name, checksum, execution_ms) VALUES ($1, $2, $3, $4)', [
				migration.version,
				migration.name,
				migration.checksum,
				Date.now() - started,
			]);
			return true;
		});
		(applied ? result.applied : result.skipped).push(migration.file);
		if (applied) log(`applied ${migration.file}`);
	}
	return result;
}

/** Runs every statement of `sql` on `tx`; a failure names the file, statement and line. */
export async function runScript(tx: SqlExecutor, file: string, sql: string): Promise<void> {
	let statements;
	try {
		statements = splitStatements(sql);
	} catch (error) {
		throw new MigrationError(`${file}: ${(error as Error).message}`, { file, cause: error });
	}
	for (let index = 0; index < statements.length; index++) {
		const statement = statements[index];
		try {
			await tx.query(statement.text);
		} catch (error) {
			const position = isPgError(error) ? Number((error as { position?: unknown }).position) : NaN;
			const offset = statement.offset + (Number.isFinite(position) && position > 0 ? position - 1 : 0);
			const { line, column } = lineAndColumn(sql, offset);
			const code = isPgError(error) ? error.code : undefined;
			const snippet = statement.text.length > 300 ? `${statement.text.slice(0, 300)}…` : statement.text;
			const where = Number.isFinite(position) && position > 0 ? `line ${line}, column ${column}` : `line ${line}`;
			throw new MigrationError(
				`Migration ${basename(file)} failed at statement ${index + 1} (${where}): ${(error as Error).message}${code ? ` [SQLSTATE ${code}]` : ''}. Nothing from this file was applied.\nStatement: ${snippet}`,
				{ file: basename(file), statement: statement.text, line, code, cause: error },
			);
		}
	}
}

/** Applies `supabase/seed.sql` (or another script) in one transaction. */
export async function applySeed(exec: SqlExecutor, file: string, schema?: string): Promise<void> {
	const sql = readFileSync(file, 'utf8');
	await exec.transaction(async (tx) => {
		if (schema) await tx.query(`SET LOCAL search_path TO ${quoteIdent(schema)}`);
		await runScript(tx, file, sql);
	});
}

export function defaultSeedFile(): string {
	return resolve(defaultMigrationsDir(), '..', 'seed.sql');
}
