/**
 * Runs the Store contract against PGlite (always) and the PostgreSQL server
 * (when DATABASE_URL is set, in a fresh random schema that is dropped
 * afterwards), plus the migration runner contract, and shows that the
 * contract fails for broken adapters.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, test } from 'vitest';
import { Pool } from 'pg';
import { openStore, testStoreConnection, type Store } from '../../nodes/shared/store';
import { embeddedExecutor } from '../../nodes/shared/store/embedded';
import { PgPoolExecutor, type SqlExecutor } from '../../nodes/shared/store/sql-runner';
import { registerMigrationContract, registerStoreContract, runStoreCases } from './store-contract';

const DATABASE_URL = process.env.DATABASE_URL;
const dir = mkdtempSync(join(tmpdir(), 'adops-pglite-'));
const randomSchema = (prefix: string) => `${prefix}_${randomBytes(5).toString('hex')}`;

async function tableExistsVia(exec: SqlExecutor, schema: string, table: string): Promise<boolean> {
	const { rows } = await exec.query('SELECT to_regclass($1) IS NOT NULL AS present', [`"${schema}"."${table}"`]);
	return rows[0].present === true;
}

// One PGlite instance for the whole file (first open runs initdb, ~5-8 s).
let embedded: Store;
let embeddedOpen: Promise<Store> | undefined;
function openEmbedded(): Promise<Store> {
	embeddedOpen ??= openStore({ kind: 'embedded', path: dir }).then((s) => (embedded = s));
	return embeddedOpen;
}

registerStoreContract('embedded (PGlite)', async () => ({ store: await openEmbedded() }));

registerMigrationContract('PGlite', async () => {
	await openEmbedded();
	const exec = (await embeddedExecutor(dir)) as SqlExecutor;
	return { exec, schema: () => randomSchema('mig'), tableExists: (s, t) => tableExistsVia(exec, s, t) };
});

describe('embedded store', () => {
	test('a second open on the same path shares the instance and is already migrated', async () => {
		await openEmbedded();
		const started = Date.now();
		const second = await openStore({ kind: 'embedded', path: dir });
		assert.ok(Date.now() - started < 1000);
		await second.setState('shared-instance', true);
		assert.equal(await embedded.getState('shared-instance'), true);
		await second.close(); // the other handle stays usable
		await embedded.ping();
	});

	test('connection test reports a ready embedded database', async () => {
		const result = await testStoreConnection({ kind: 'embedded', path: dir });
		assert.deepEqual(result, { ok: true, message: `Embedded database ready at ${dir}.` });
	});

	test('the contract fails for broken adapters', async () => {
		const store = await openEmbedded();
		const dropsLastRow: Store = Object.assign(Object.create(store) as Store, {
			upsert: ((table, rows, opts) => store.upsert(table, rows.slice(0, -1), opts)) as Store['upsert'],
		});
		const ignoresNaturalKey: Store = Object.assign(Object.create(store) as Store, {
			upsert: (async (table, rows) => {
				const { ids } = await store.insert(table, rows);
				return { written: ids.length, collapsed: 0, ignored: 0 };
			}) as Store['upsert'],
		});
		const alwaysUpdates: Store = Object.assign(Object.create(store) as Store, {
			upsert: ((table, rows, opts) => store.upsert(table, rows, { ...opts, onConflict: 'update' })) as Store['upsert'],
		});
		const noRollback: Store = Object.assign(Object.create(store) as Store, {
			transaction: ((fn) => fn(store)) as Store['transaction'],
		});
		const failed = async (broken: Store) => (await runStoreCases(broken)).filter((r) => r.error).map((r) => r.name);

		const a = await failed(dropsLastRow);
		assert.ok(a.includes('batches larger than the chunk size are written completely'), a.join('\n'));
		assert.ok(a.includes('duplicate natural keys inside one batch collapse, last wins'), a.join('\n'));
		const b = await failed(ignoresNaturalKey);
		assert.ok(b.includes('upsert twice leaves an identical table'), b.join('\n'));
		assert.ok(b.includes('a corrected value overwrites the stored row'), b.join('\n'));
		const d = await failed(alwaysUpdates);
		assert.ok(d.includes("onConflict 'ignore' inserts only new keys, leaves stored rows untouched and counts them"), d.join('\n'));
		assert.ok(d.includes('quarantine: one record per (source, content_hash); NULL hashes are plain inserts'), d.join('\n'));
		const c = await failed(noRollback);
		assert.deepEqual(c, ['transaction commits on success and rolls back on error']);
	});
});

afterAll(async () => {
	if (embedded) await embedded.close();
	rmSync(dir, { recursive: true, force: true });
});

if (DATABASE_URL) {
	const admin = new Pool({ connectionString: DATABASE_URL, max: 2 });
	const schemas: string[] = [];
	const schema = randomSchema('adops_test');
	schemas.push(schema);

	registerStoreContract(`postgres (schema ${schema})`, async () => {
		const store = await openStore({ kind: 'postgres', connectionString: DATABASE_URL, ssl: 'disable', schema });
		return { store, cleanup: () => store.close() };
	});

	registerMigrationContract('PostgreSQL', async () => {
		const exec = new PgPoolExecutor(admin);
		return {
			exec,
			schema: () => {
				const s = randomSchema('adops_mig');
				schemas.push(s);
				return s;
			},
			tableExists: (s, t) => tableExistsVia(exec, s, t),
		};
	});

	describe('postgres connection test', () => {
		beforeAll(async () => {
			// make sure the contract schema exists even if this describe runs alone
			const store = await openStore({ kind: 'postgres', connectionString: DATABASE_URL, ssl: 'disable', schema });
			await store.close();
		});

		test('reports connected with tables present', async () => {
			const result = await testStoreConnection({ kind: 'postgres', connectionString: DATABASE_URL, ssl: 'disable', schema });
			assert.equal(result.ok, true, result.message);
			assert.match(result.message, /AdOps tables present/);
		});

		test('wrong database, port and user give short messages without secrets', async () => {
			const url = new URL(DATABASE_URL);
			url.password = 'S3cretPassw0rd';
			const wrongDb = new URL(url);
			wrongDb.pathname = '/no_such_db_adops';
			const r1 = await testStoreConnection({ kind: 'postgres', connectionString: wrongDb.toString(), ssl: 'disable' });
			assert.deepEqual(r1.ok, false);
			assert.match(r1.message, /Database "no_such_db_adops" does not exist/);
			const wrongPort = new URL(url);
			wrongPort.port = '1';
			const r2 = await testStoreConnection({ kind: 'postgres', connectionString: wrongPort.toString(), ssl: 'disable' });
			assert.match(r2.message, /connection refused/);
			const wrongUser = new URL(url);
			wrongUser.username = 'no_such_role_adops';
			const r3 = await testStoreConnection({ kind: 'postgres', connectionString: wrongUser.toString(), ssl: 'disable' });
			assert.equal(r3.ok, false);
			assert.match(r3.message, /no_such_role_adops/);
			const r4 = await testStoreConnection({ kind: 'postgres', connectionString: url.toString(), ssl: 'require' });
			assert.equal(r4.ok, false);
			assert.match(r4.message, /does not support SSL|SSL/);
			for (const r of [r1, r2, r3, r4]) {
				assert.ok(!r.message.includes('S3cretPassw0rd'), r.message);
				assert.ok(!/\n\s+at /.test(r.message), r.message);
			}
		});
	});

	afterAll(async () => {
		for (const s of schemas) await admin.query(`DROP SCHEMA IF EXISTS "${s}" CASCADE`);
		await admin.end();
	});
}
