/**
 * Applies supabase/migrations to a PostgreSQL database or an embedded PGlite directory.
 *
 *   npm run migrate -- --database-url postgres://user:pass@host:5432/db [--ssl disable|require|verify-full] [--schema name] [--seed]
 *   npm run migrate -- --embedded .adops/db [--seed]
 *
 * DATABASE_URL is used when neither option is given. For a hosted Supabase
 * project use `supabase db push`, or this script with the direct connection string.
 */
import { statSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { PGlite } from '@electric-sql/pglite';
import { PgliteExecutor, PgPoolExecutor, type SqlExecutor } from '../nodes/shared/store/sql-runner';
import { applySeed, defaultSeedFile, migrate } from '../nodes/shared/store/migrations';
import { createPool } from '../nodes/shared/store/postgres';
import { describePostgresError, StoreError } from '../nodes/shared/store';
import type { SslMode } from '../nodes/shared/store/types';

const USAGE = 'Usage: migrate (--database-url <url> [--ssl disable|require|verify-full] [--schema s] | --embedded <dir>) [--dir <migrations>] [--seed]\n';

function args() {
	return parseArgs({
		options: {
			'database-url': { type: 'string' },
			embedded: { type: 'string' },
			ssl: { type: 'string', default: 'disable' },
			schema: { type: 'string' },
			dir: { type: 'string' },
			seed: { type: 'boolean', default: false },
			help: { type: 'boolean', short: 'h', default: false },
		},
	}).values;
}

async function main(): Promise<number> {
	let values: ReturnType<typeof args>;
	try {
		values = args();
	} catch (error) {
		process.stderr.write(`migrate: ${(error as Error).message}\n${USAGE}`);
		return 2;
	}
	if (values.help) {
		process.stdout.write(USAGE);
		return 0;
	}
	if (values['database-url'] && values.embedded) {
		process.stderr.write('Give either --database-url or --embedded, not both.\n');
		return 2;
	}
	const url = values['database-url'] ?? (values.embedded ? undefined : process.env.DATABASE_URL);
	if (!url && !values.embedded) {
		process.stderr.write('Give --database-url <url>, --embedded <dir>, or set DATABASE_URL.\n');
		return 2;
	}
	if (!['disable', 'require', 'verify-full'].includes(values.ssl ?? '')) {
		process.stderr.write(`--ssl must be disable, require or verify-full (got ${values.ssl}).\n`);
		return 2;
	}

	let exec: SqlExecutor;
	let close: () => Promise<void>;
	if (values.embedded) {
		if (statSync(values.embedded, { throwIfNoEntry: false })?.isDirectory() === false) {
			process.stderr.write(`migrate: ${values.embedded} exists and is not a directory; --embedded takes a folder (created if missing).\n`);
			return 2;
		}
		let db: PGlite;
		try {
			db = await PGlite.create(values.embedded);
		} catch (error) {
			process.stderr.write(`migrate: cannot open the embedded database at ${values.embedded}: ${error instanceof Error ? error.message : String(error)}\n`);
			return 1;
		}
		exec = new PgliteExecutor(db);
		close = () => db.close();
	} else {
		const pool = createPool({ connectionString: url as string, ssl: values.ssl as SslMode, schema: values.schema, maxConnections: 1 });
		exec = new PgPoolExecutor(pool);
		close = () => pool.end();
	}
	const log = (line: string) => process.stdout.write(`${line}\n`);
	try {
		const result = await migrate(exec, { dir: values.dir, schema: values.schema, log });
		log(`${result.applied.length} migration(s) applied, ${result.skipped.length} already applied.`);
		if (values.seed) {
			await applySeed(exec, defaultSeedFile(), values.schema);
			log('seed.sql applied.');
		}
		return 0;
	} catch (error) {
		const message =
			error instanceof StoreError || values.embedded
				? (error as Error).message
				: describePostgresError(error, url as string);
		process.stderr.write(`migrate: ${message}\n`);
		return 1;
	} finally {
		await close().catch(() => undefined);
	}
}

main().then((code) => {
	process.exitCode = code;
});
