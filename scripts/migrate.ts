/**
 * Applies supabase/migrations to a PostgreSQL database or an embedded PGlite directory.
 *
 *   npm run migrate -- --database-url postgres://user:pass@host:5432/db [--ssl disable|require|verify-full] [--schema name] [--seed]
 *   npm run migrate -- --embedded .adops/db [--seed]
 *
 * DATABASE_URL is used when neither option is given. For a hosted Supabase
 * project use `supabase db push`, or this script with the direct connection string.
 */
import { parseArgs } from 'node:util';
import { PGlite } from '@electric-sql/pglite';
import { PgliteExecutor, PgPoolExecutor, type SqlExecutor } from '../nodes/shared/store/executor';
import { applySeed, defaultSeedFile, migrate } from '../nodes/shared/store/migrations';
import { createPool } from '../nodes/shared/store/postgres';
import { describePostgresError, StoreError } from '../nodes/shared/store';
import type { SslMode } from '../nodes/shared/store/types';

async function main(): Promise<number> {
	const { values } = parseArgs({
		options: {
			'database-url': { type: 'string' },
			embedded: { type: 'string' },
			ssl: { type: 'string', default: 'disable' },
			schema: { type: 'string' },
			dir: { type: 'string' },
			seed: { type: 'boolean', default: false },
			help: { type: 'boolean', short: 'h', default: false },
		},
	});
	if (values.help) {
		process.stdout.write('Usage: migrate (--database-url <url> [--ssl disable|require|verify-full] [--schema s] | --embedded <dir>) [--dir <migrations>] [--seed]\n');
		return 0;
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
		const db = await PGlite.create(values.embedded);
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
