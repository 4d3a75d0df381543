/**
 * The store variants of a contract suite: PGlite in a fresh folder always,
 * PostgreSQL in a throw-away schema when DATABASE_URL is set. `register` is
 * called once per variant with its name and how to open it (a store, its
 * config for child processes, and the cleanup that removes folder or schema).
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pool } from 'pg';
import { openStore, type Store, type StoreConfig } from '../../nodes/shared/store';

export type OpenStoreVariant = () => Promise<{ store: Store; config: StoreConfig; cleanup: () => Promise<void> }>;

export function registerStoreSuites(prefix: string, register: (name: string, open: OpenStoreVariant) => void): void {
	register('PGlite', async () => {
		const dir = mkdtempSync(join(tmpdir(), `${prefix}-`));
		const config: StoreConfig = { kind: 'embedded', path: dir };
		return { store: await openStore(config), config, cleanup: async () => rmSync(dir, { recursive: true, force: true }) };
	});
	const url = process.env.DATABASE_URL;
	if (!url) return;
	const schema = `${prefix.replace(/-/g, '_')}_${randomBytes(5).toString('hex')}`;
	register(`PostgreSQL (schema ${schema})`, async () => {
		const config: StoreConfig = { kind: 'postgres', connectionString: url, ssl: 'disable', schema };
		return {
			store: await openStore(config),
			config,
			cleanup: async () => {
				const admin = new Pool({ connectionString: url, max: 1 });
				await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
				await admin.end();
			},
		};
	});
}
