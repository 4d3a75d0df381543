// The stores a contract test runs on: PGlite always, PostgreSQL (a throw-away schema) when DATABASE_URL is set.
import { openStore, type Store } from '../../nodes/shared/store';
import { testStore, type TestStore } from './store';

export const STORE_KINDS: string[] = ['PGlite', ...(process.env.DATABASE_URL ? ['PostgreSQL'] : [])];

export interface OpenedTestStore {
	ts: TestStore;
	store: Store;
	/** Closes the store and drops the schema or removes the folder. */
	close(): Promise<void>;
}

/** A fresh store of `kind` ('PGlite' or 'PostgreSQL'), migrated. */
export async function openStoreOfKind(kind: string, prefix: string): Promise<OpenedTestStore> {
	const saved = process.env.DATABASE_URL;
	if (kind === 'PGlite') delete process.env.DATABASE_URL;
	let ts: TestStore;
	try {
		ts = await testStore(prefix);
	} finally {
		if (saved !== undefined) process.env.DATABASE_URL = saved;
	}
	const store = await openStore(ts.config);
	return {
		ts,
		store,
		async close() {
			await store.close();
			await ts.cleanup();
		},
	};
}
