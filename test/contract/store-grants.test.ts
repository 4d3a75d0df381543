/**
 * Row Level Security does not cover TRUNCATE (nor REFERENCES or TRIGGER):
 * with Supabase's default grants, `anon` and `authenticated` could empty the
 * ledger through the API keys. The migrations revoke every table privilege
 * from `anon`, `authenticated` and PUBLIC (the service role is used server
 * side only), on every table and, through default privileges, on tables
 * created later.
 *
 * On PostgreSQL (DATABASE_URL): the roles are created when missing and given
 * what Supabase gives them (USAGE on the schema, ALL on its tables through
 * default privileges; PUBLIC too, stricter than Supabase) BEFORE migrating a
 * fresh schema; then, for every table the catalog lists in that schema (not
 * a hard-coded list), each role tries TRUNCATE, INSERT, SELECT, UPDATE,
 * DELETE, REFERENCES and TRIGGER under SET ROLE, and every attempt must be
 * refused with SQLSTATE 42501 (insufficient privilege). A table created after
 * the migration is probed as well. On PGlite (no such roles): the migration
 * applies and PUBLIC holds nothing.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, test } from 'vitest';
import { Pool, type PoolClient } from 'pg';
import { TABLE_NAMES } from '../../nodes/shared/schema/rows';
import { openStore } from '../../nodes/shared/store';
import { embeddedExecutor } from '../../nodes/shared/store/embedded';
import { PgPoolExecutor, type SqlExecutor } from '../../nodes/shared/store/sql-runner';
import { migrate } from '../../nodes/shared/store/migrations';
import { skipWhen } from '../helpers/skip';

const DATABASE_URL = process.env.DATABASE_URL;
const PRIVILEGES = ['TRUNCATE', 'INSERT', 'SELECT', 'UPDATE', 'DELETE', 'REFERENCES', 'TRIGGER'] as const;
type Privilege = (typeof PRIVILEGES)[number];
/** `public_probe` holds no grant of its own: what it can do, PUBLIC can. */
const ROLES = ['anon', 'authenticated', 'adops_public_probe'] as const;

const q = (name: string) => `"${name.replace(/"/g, '""')}"`;

interface TableInfo {
	name: string;
	oid: number;
	firstColumn: string;
	/** Primary key columns with their types (REFERENCES probe). */
	key: Array<{ name: string; type: string }>;
}

async function tablesOf(client: PoolClient | Pool, schema: string): Promise<TableInfo[]> {
	const { rows } = await client.query<{ name: string; oid: number; first: string; key: Array<{ name: string; type: string }> | null }>(
		`SELECT c.relname AS name, c.oid::int AS oid,
		        (SELECT a.attname FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum LIMIT 1) AS first,
		        (SELECT json_agg(json_build_object('name', a.attname, 'type', format_type(a.atttypid, a.atttypmod)) ORDER BY k.ord)
		           FROM pg_index i CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord)
		           JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
		          WHERE i.indrelid = c.oid AND i.indisprimary) AS key
		   FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
		  WHERE n.nspname = $1 AND c.relkind IN ('r', 'p')
		  ORDER BY c.relname`,
		[schema],
	);
	return rows.map((r) => ({ name: r.name, oid: r.oid, firstColumn: r.first, key: r.key ?? [] }));
}

function probeSql(schema: string, scratch: string, table: TableInfo, privilege: Privilege): string {
	const t = `${q(schema)}.${q(table.name)}`;
	const col = q(table.firstColumn);
	switch (privilege) {
		case 'TRUNCATE':
			return `TRUNCATE ${t} CASCADE`;
		case 'INSERT':
			return `INSERT INTO ${t} DEFAULT VALUES`;
		case 'SELECT':
			return `SELECT 1 FROM ${t} LIMIT 0`;
		case 'UPDATE':
			return `UPDATE ${t} SET ${col} = ${col} WHERE false`;
		case 'DELETE':
			return `DELETE FROM ${t} WHERE false`;
		case 'REFERENCES': {
			const cols = table.key.map((k, i) => `k${i} ${k.type}`).join(', ');
			return `CREATE TABLE ${q(scratch)}.ref_probe (${cols}, FOREIGN KEY (${table.key.map((_, i) => `k${i}`).join(', ')}) REFERENCES ${t} (${table.key.map((k) => q(k.name)).join(', ')}))`;
		}
		case 'TRIGGER':
			return `CREATE TRIGGER grants_probe BEFORE INSERT ON ${t} FOR EACH ROW EXECUTE FUNCTION ${q(scratch)}.noop_trigger()`;
	}
}

/**
 * Runs `sql` as `role` in a transaction that is always rolled back: 'ok',
 * 'refused' for a privilege error (42501 "permission denied for …"; RLS
 * refusing a row also answers 42501, but "new row violates row-level
 * security policy", which does not count: it is not the grant), or the
 * SQLSTATE and message of any other failure.
 */
async function attempt(client: PoolClient, role: string, sql: string): Promise<string> {
	await client.query('BEGIN');
	try {
		await client.query(`SET LOCAL ROLE ${q(role)}`);
		await client.query(sql);
		return 'ok';
	} catch (error) {
		const { code, message } = error as { code?: string; message: string };
		if (code === '42501' && /^permission denied for (table|relation)/.test(message)) return 'refused';
		return `${code ?? '?'} (${message})`;
	} finally {
		await client.query('ROLLBACK');
	}
}

describe('table grants on PostgreSQL: anon, authenticated and PUBLIC can do nothing on any table', { ...skipWhen(DATABASE_URL ? false : 'DATABASE_URL is not set: the roles and SET ROLE need a PostgreSQL server') }, () => {
	const schema = `adops_grants_${randomBytes(5).toString('hex')}`;
	const scratch = `${schema}_scratch`;
	let admin: Pool;
	let client: PoolClient;

	beforeAll(async () => {
		admin = new Pool({ connectionString: DATABASE_URL, max: 2 });
		client = await admin.connect();
		for (const role of ROLES) {
			// roles are cluster-wide: created once, as Supabase has them (NOLOGIN)
			await client.query(`DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '${role}') THEN CREATE ROLE ${q(role)} NOLOGIN; END IF; END $$`).catch((error: { code?: string }) => {
				if (error.code !== '23505' && error.code !== '42710') throw error; // created concurrently by another run
			});
		}
		// What Supabase grants by default in an exposed schema, BEFORE the migrations run
		await client.query(`CREATE SCHEMA ${q(schema)}`);
		await client.query(`GRANT USAGE ON SCHEMA ${q(schema)} TO anon, authenticated, adops_public_probe`);
		await client.query(`ALTER DEFAULT PRIVILEGES IN SCHEMA ${q(schema)} GRANT ALL ON TABLES TO anon, authenticated, PUBLIC`);
		await client.query(`ALTER DEFAULT PRIVILEGES IN SCHEMA ${q(schema)} GRANT ALL ON SEQUENCES TO anon, authenticated, PUBLIC`);
		// a scratch schema where the roles may create things, so REFERENCES and TRIGGER are refused for the table's sake alone
		await client.query(`CREATE SCHEMA ${q(scratch)}`);
		await client.query(`GRANT USAGE, CREATE ON SCHEMA ${q(scratch)} TO anon, authenticated, adops_public_probe`);
		await client.query(`CREATE FUNCTION ${q(scratch)}.noop_trigger() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$`);
		await client.query(`GRANT EXECUTE ON FUNCTION ${q(scratch)}.noop_trigger() TO PUBLIC`);
	});

	afterAll(async () => {
		client?.release();
		await admin?.query(`DROP SCHEMA IF EXISTS ${q(schema)} CASCADE`);
		await admin?.query(`DROP SCHEMA IF EXISTS ${q(scratch)} CASCADE`);
		await admin?.end();
	});

	test('the Supabase-like setup is in force before migrating (so this test can fail): a new table grants anon TRUNCATE', async () => {
		await client.query(`CREATE TABLE ${q(schema)}.pre_migration_probe (id int PRIMARY KEY)`);
		const { rows } = await client.query(`SELECT has_table_privilege('anon', $1, 'TRUNCATE') AS anon, has_table_privilege('public', $1, 'SELECT') AS public`, [`${q(schema)}.pre_migration_probe`]);
		assert.deepEqual(rows[0], { anon: true, public: true });
		assert.equal(await attempt(client, 'anon', `TRUNCATE ${q(schema)}.pre_migration_probe`), 'ok', 'anon can truncate before the migration');
		assert.equal(await attempt(client, 'anon', `SELECT 1 FROM ${q(schema)}.pre_migration_probe`), 'ok');
		// and the probe can tell a revoked grant: a table with nothing granted is refused
		await client.query(`CREATE TABLE ${q(scratch)}.nothing_granted (id int PRIMARY KEY)`);
		await client.query(`REVOKE ALL ON ${q(scratch)}.nothing_granted FROM anon, PUBLIC`);
		assert.equal(await attempt(client, 'anon', `TRUNCATE ${q(scratch)}.nothing_granted`), 'refused');
	});

	test('after migrating, every table of the schema refuses every privilege to anon, authenticated and PUBLIC (SET ROLE: permission denied, SQLSTATE 42501)', async () => {
		const exec: SqlExecutor = new PgPoolExecutor(admin);
		await migrate(exec, { schema });
		// a table created after the migrations, by the role that migrates: default privileges cover it
		await client.query(`CREATE TABLE ${q(schema)}.after_migration_probe (id int PRIMARY KEY, note text)`);

		const tables = await tablesOf(client, schema);
		const names = new Set(tables.map((t) => t.name));
		for (const table of [...TABLE_NAMES, 'schema_migrations', 'pre_migration_probe', 'after_migration_probe']) assert.ok(names.has(table), `${table} is among the tables probed`);

		const notRefused: string[] = [];
		let attempts = 0;
		for (const table of tables) {
			assert.ok(table.key.length > 0, `${table.name} has a primary key to reference`);
			for (const role of ROLES) {
				for (const privilege of PRIVILEGES) {
					attempts++;
					const code = await attempt(client, role, probeSql(schema, scratch, table, privilege));
					if (code !== 'refused') notRefused.push(`${role} ${privilege} on ${table.name}: ${code === 'ok' ? 'allowed' : `failed with ${code}, not a permission error`}`);
				}
				const { rows } = await client.query<{ held: string[] }>(
					`SELECT coalesce(array_agg(p), '{}') AS held FROM unnest($3::text[]) AS p WHERE has_table_privilege($1, $2::oid, p)`,
					[role === 'adops_public_probe' ? 'public' : role, table.oid, [...PRIVILEGES]],
				);
				for (const p of rows[0].held) notRefused.push(`${role === 'adops_public_probe' ? 'PUBLIC' : role} holds ${p} on ${table.name} (catalog)`);
			}
		}
		const probesAllowed = notRefused.filter((n) => !n.endsWith('(catalog)')).length;
		assert.deepEqual(notRefused, [], `${probesAllowed} of ${attempts} SET ROLE attempts were not refused with 42501; catalog and attempts:\n${notRefused.join('\n')}`);
		assert.equal(attempts, tables.length * ROLES.length * PRIVILEGES.length);
		console.log(`grants: ${attempts} attempts on ${tables.length} tables × ${ROLES.length} roles × ${PRIVILEGES.length} privileges, all refused: permission denied (42501)`);
	});

	test('migrating again is a no-op and the grants stay revoked', async () => {
		const result = await migrate(new PgPoolExecutor(admin), { schema });
		assert.deepEqual(result.applied, []);
		const { rows } = await client.query(
			`SELECT count(*)::int AS n FROM information_schema.role_table_grants WHERE table_schema = $1 AND grantee IN ('anon', 'authenticated', 'PUBLIC', 'adops_public_probe')`,
			[schema],
		);
		assert.equal(rows[0].n, 0);
	});
});

describe('table grants on PGlite', () => {
	const dir = mkdtempSync(join(tmpdir(), 'adops-grants-'));
	afterAll(() => rmSync(dir, { recursive: true, force: true }));

	test('the revoke migration applies without the Supabase roles, and PUBLIC holds nothing on any table', async () => {
		const store = await openStore({ kind: 'embedded', path: dir });
		try {
			const exec = (await embeddedExecutor(dir)) as SqlExecutor;
			const applied = await exec.query(`SELECT version FROM schema_migrations WHERE name = 'revoke_grants'`);
			assert.equal(applied.rows.length, 1, 'the migration is recorded');
			const { rows } = await exec.query(
				`SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
				  WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p')
				    AND (has_table_privilege('public', c.oid, 'SELECT') OR has_table_privilege('public', c.oid, 'INSERT') OR has_table_privilege('public', c.oid, 'UPDATE')
				      OR has_table_privilege('public', c.oid, 'DELETE') OR has_table_privilege('public', c.oid, 'TRUNCATE') OR has_table_privilege('public', c.oid, 'REFERENCES')
				      OR has_table_privilege('public', c.oid, 'TRIGGER'))`,
			);
			assert.deepEqual(rows, []);
			const count = await exec.query(`SELECT count(*)::int AS n FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = current_schema() AND c.relkind = 'r'`);
			assert.ok(Number(count.rows[0].n) >= TABLE_NAMES.length);
		} finally {
			await store.close();
		}
	});
});
