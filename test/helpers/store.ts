// The store an e2e test gives n8n: PostgreSQL in a throw-away schema when
// DATABASE_URL is set (as in CI), a fresh PGlite folder otherwise.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { StoreConfig } from '../../nodes/shared/store';

export interface TestStore {
	/** For `openStore` in the test process (PGlite: only while n8n is not running). */
	config: StoreConfig;
	/** The AdOps Store credential's data for n8n. */
	credential: Record<string, unknown>;
	/** Drops the schema or removes the folder. */
	cleanup(): Promise<void>;
}

export async function testStore(prefix: string): Promise<TestStore> {
	if (process.env.DATABASE_URL) {
		const url = process.env.DATABASE_URL;
		const schema = `${prefix.replace(/-/g, '_')}_${randomBytes(4).toString('hex')}`;
		return {
			config: { kind: 'postgres', connectionString: url, ssl: 'disable', schema },
			credential: { backend: 'postgres', connectionString: url, ssl: 'disable', schema },
			async cleanup() {
				const client = new pg.Client({ connectionString: url });
				await client.connect();
				await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
				await client.end();
			},
		};
	}
	const dir = await mkdtemp(join(tmpdir(), `${prefix}-`));
	return { config: { kind: 'embedded', path: dir }, credential: { backend: 'embedded', embeddedPath: dir }, cleanup: () => rm(dir, { recursive: true, force: true }) };
}
