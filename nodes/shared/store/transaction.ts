/**
 * One place for "these writes commit together where the store can": a SQL
 * store (PGlite, PostgreSQL) runs `fn` in one database transaction; Supabase
 * (PostgREST) has no client transactions, so `fn` runs directly on the store
 * and its writes commit one by one. Callers that need the writes to agree on
 * Supabase too must repair a half-written state on their next run (creative
 * publishing does: a succeeded ledger entry rewrites the variant row).
 *
 * Generic over the store's shape so a caller can pass a narrowed `Pick` of
 * `Store` (the Databox push does).
 */
import type { Store } from './types';

export function inOneTransaction<S extends Pick<Store, 'kind' | 'transaction'>, R>(store: S, fn: (tx: S) => Promise<R>): Promise<R> {
	return store.kind === 'supabase' ? fn(store) : store.transaction((tx) => fn(tx as unknown as S));
}
