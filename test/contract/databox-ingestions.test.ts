/**
 * Databox push: the ingestions known to be ours (databox.ts rememberIngestion
 * / knownIngestions) survive runs remembering at once, on a real store
 * (PostgreSQL when DATABASE_URL is set, PGlite otherwise). Each ingestion is
 * one app_state row written by one upsert, so 20 concurrent remembers keep
 * all 20; the same 20 through a read-modify-write of one list (what the code
 * did before) lose some here, which shows the calls do interleave. A list
 * left by the older version is still read.
 */
import assert from 'node:assert/strict';
import { afterAll, beforeAll, describe, test } from 'vitest';
import { knownIngestions, rememberIngestion } from '../../nodes/shared/insights/databox';
import { openStore, type Store } from '../../nodes/shared/store';
import { testStore, type TestStore } from '../helpers/store';

describe(`Databox known ingestions on ${process.env.DATABASE_URL ? 'PostgreSQL' : 'PGlite'}`, () => {
	let ts: TestStore;
	let store: Store;
	beforeAll(async () => {
		ts = await testStore('adops-databox-ingestions');
		store = await openStore(ts.config);
	});
	afterAll(async () => {
		await store?.close();
		await ts?.cleanup();
	});

	test('20 runs remembering at once: all 20 known, another target none', async () => {
		const ids = Array.from({ length: 20 }, (_, i) => `ing-${i}`);
		await Promise.all(ids.map((id) => rememberIngestion(store, 'datasets:ds1', id)));
		const known = await knownIngestions(store, 'datasets:ds1', [...ids, 'ing-other']);
		assert.deepEqual([...known].sort(), [...ids].sort());
		assert.equal((await knownIngestions(store, 'datasets:ds2', ids)).size, 0);
		// remembering again changes nothing
		await Promise.all(ids.slice(0, 5).map((id) => rememberIngestion(store, 'datasets:ds1', id)));
		assert.equal((await knownIngestions(store, 'datasets:ds1', ids)).size, 20);
	});

	test('the replaced read-modify-write of one list loses concurrent remembers on this store (the calls interleave)', async () => {
		const key = 'databox:test-rmw';
		const rmw = async (id: string) => {
			const v = await store.getState(key);
			const list = Array.isArray(v) ? (v as string[]) : [];
			await store.setState(key, [...list, id]);
		};
		await Promise.all(Array.from({ length: 20 }, (_, i) => rmw(`x-${i}`)));
		const kept = ((await store.getState(key)) as string[]).length;
		assert.ok(kept < 20, `the list kept ${kept} of 20`);
	});

	test('a list left by the older version is still read', async () => {
		await store.setState('databox:ingestions:datasets:ds3', ['old-1', 'old-2']);
		await rememberIngestion(store, 'datasets:ds3', 'new-1');
		assert.deepEqual([...(await knownIngestions(store, 'datasets:ds3', ['old-1', 'new-1', 'old-9']))].sort(), ['new-1', 'old-1']);
	});
});
