/**
 * Embedded adapter: PGlite (WASM PostgreSQL) in a directory. Single process:
 * one PGlite instance per directory per process is shared by every store
 * opened on it (reference counted) and closed with the last one. Two
 * processes must never open the same directory.
 */
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PgliteExecutor } from './executor';
import { migrate } from './migrations';
import { SqlStore } from './sql-store';

interface Shared {
	ready: Promise<{ db: PGlite; exec: PgliteExecutor }>;
	refs: number;
	migrated?: Promise<unknown>;
}

const instances = new Map<string, Shared>();

export async function openEmbeddedStore(path: string, autoMigrate = true): Promise<SqlStore> {
	if (!path || typeof path !== 'string') throw new Error('Embedded store needs a directory path');
	const dir = resolve(path);
	let shared = instances.get(dir);
	if (!shared) {
		const ready = (async () => {
			mkdirSync(dir, { recursive: true });
			const db = await PGlite.create(dir);
			return { db, exec: new PgliteExecutor(db) };
		})();
		shared = { ready, refs: 0 };
		instances.set(dir, shared);
		ready.catch(() => instances.delete(dir));
	}
	const entry = shared;
	entry.refs++;
	let closed = false;
	const release = async () => {
		if (closed) return;
		closed = true;
		entry.refs--;
		if (entry.refs === 0 && instances.get(dir) === entry) {
			instances.delete(dir);
			const { db } = await entry.ready;
			await db.close();
		}
	};
	try {
		const { exec } = await entry.ready;
		if (autoMigrate) {
			entry.migrated ??= migrate(exec);
			try {
				await entry.migrated;
			} catch (error) {
				entry.migrated = undefined;
				throw error;
			}
		}
		return new SqlStore('embedded', exec, release);
	} catch (error) {
		await release().catch(() => undefined);
		throw error;
	}
}

/** The SQL executor of an open embedded instance (migration tooling and tests). */
export async function embeddedExecutor(path: string): Promise<PgliteExecutor | undefined> {
	const shared = instances.get(resolve(path));
	return shared ? (await shared.ready).exec : undefined;
}
