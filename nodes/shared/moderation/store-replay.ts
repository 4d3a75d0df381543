/**
 * The store-backed `ReplayGuard`: "seen this webhook delivery (or comment
 * change) within its TTL?" across n8n workers and restarts.
 *
 * Backed by the `webhook_replay_keys` table (unique `replay_key`,
 * `expires_at`), with the Store's own operations only, so it works on the
 * embedded store, PostgreSQL and Supabase alike:
 *
 * 1. insert the key (`upsert … onConflict: 'ignore'`): inserted → claimed;
 * 2. otherwise take it over only if it has expired (`update … where
 *    expires_at <= now`): one row updated → claimed. PostgreSQL re-checks the
 *    condition of a concurrent UPDATE after the other one commits, so of two
 *    workers racing for an expired key exactly one wins;
 * 3. otherwise it is a replay.
 *
 * `release` moves the expiry into the past, so Meta's retry of a delivery
 * whose processing failed is accepted. Rows expired for more than an hour
 * are deleted by a trigger after each insert (see the migration); should that
 * delete race with step 2, the claim starts over (at most three rounds).
 *
 * The decision is made with the caller's clock (`now`), which must be close
 * to the database's: the TTL is hours, so seconds of skew do not matter.
 */
import type { Store } from '../store/types';
import type { ReplayGuard } from './meta-webhook';

export interface StoreReplayGuardOptions {
	/** Clock (tests). Default `Date.now`. */
	now?: () => number;
}

/** Longest key the table takes (the core's keys are ~80 characters). */
const MAX_KEY_LENGTH = 500;

export class StoreReplayGuard implements ReplayGuard {
	readonly #store: Store;
	readonly #now: () => number;

	constructor(store: Store, options: StoreReplayGuardOptions = {}) {
		this.#store = store;
		this.#now = options.now ?? Date.now;
	}

	async claim(key: string, ttlMs: number): Promise<boolean> {
		if (typeof key !== 'string' || key.length === 0 || key.length > MAX_KEY_LENGTH) throw new TypeError(`replay key must be 1..${MAX_KEY_LENGTH} characters`);
		for (let round = 0; round < 3; round++) {
			const now = this.#now();
			const expiresAt = new Date(now + Math.max(0, ttlMs)).toISOString();
			const inserted = await this.#store.upsert('webhook_replay_keys', [{ replay_key: key, expires_at: expiresAt }], { onConflict: 'ignore' });
			if (inserted.written === 1) return true;
			const takenOver = await this.#store.update('webhook_replay_keys', { replay_key: key, expires_at: { lte: new Date(now).toISOString() } }, { expires_at: expiresAt });
			if (takenOver.updated === 1) return true;
			const [row] = await this.#store.select('webhook_replay_keys', { where: { replay_key: key }, limit: 1 });
			if (row) return false; // present and not expired: a replay
			// Pruned between the insert and the update: start over.
		}
		return false;
	}

	async release(key: string): Promise<void> {
		if (typeof key !== 'string' || key.length === 0 || key.length > MAX_KEY_LENGTH) return;
		await this.#store.update('webhook_replay_keys', { replay_key: key }, { expires_at: new Date(0).toISOString() });
	}
}
