/**
 * Work stored is work done (issue 12): a comment stored by a webhook or a
 * poll whose run died before moderating it, and a comment action whose answer
 * was lost, are counted by `moderationBacklog`, so AdOps Moderation's Poll
 * Comments hands the Moderate step an item even when nothing new came in, and
 * the Moderate run picks them up. On PGlite, and on PostgreSQL when
 * DATABASE_URL is set.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, test } from 'vitest';
import { Pool } from 'pg';
import { moderate, moderationBacklog } from '../../nodes/shared/moderation';
import { openStore, type Store } from '../../nodes/shared/store';

const DATABASE_URL = process.env.DATABASE_URL;

function comment(id: string, text: string | null, createdAt: string) {
	return { platform: 'meta' as const, object_id: id, object_type: 'comment', parent_id: 'post_1', post_id: 'post_1', ad_id: 'ad_1', user_id: 'u1', text, permalink: null, created_time: createdAt, raw_data: { via: 'webhook' }, account_id: '111', campaign_id: 'c1', is_hidden: false };
}

function registerSuite(name: string, open: () => Promise<Store>): void {
	describe(`moderation backlog: ${name}`, () => {
		let store: Store;
		beforeAll(async () => {
			store = await open();
		});
		afterAll(() => store.close());

		test('stored but not moderated comments and open comment actions are counted; a Moderate run takes them and the count falls to zero', async () => {
			const now = new Date();
			const tag = randomBytes(3).toString('hex');
			const ids = (
				await store.insert('social_media_items', [
					comment(`${tag}_1`, 'Where can I buy this in Lisbon?', now.toISOString()),
					comment(`${tag}_2`, 'Great product, love it', now.toISOString()),
				])
			).ids;
			const start = await moderationBacklog(store, { now });
			assert.ok(start.comments >= 2, `two stored comments wait: ${JSON.stringify(start)}`);
			assert.equal((await moderationBacklog(store, { now, exclude: ids })).comments, start.comments - 2, 'comments this poll just emitted are not counted twice');

			const key = `moderation:test:${tag}`;
			await store.claimAction(key, { kind: 'moderation.hide', target: `meta:comment:${tag}_9`, intent: { commentId: `${tag}_9` } });
			await store.completeAction(key, { status: 'unknown', error: 'answer lost (HTTP 502 after the request was sent)' });
			assert.equal((await moderationBacklog(store, { now })).openActions, start.openActions + 1, 'an unknown comment action is open work');

			// an old comment (past the age bound) is not counted
			await store.insert('social_media_items', [comment(`${tag}_old`, 'old one', new Date(now.getTime() - 30 * 86_400_000).toISOString())]);
			assert.equal((await moderationBacklog(store, { now: new Date(now.getTime() + 8 * 86_400_000) })).comments, 0, 'stored more than 7 days ago: out of the bound');

			const run = await moderate({ live: false }, { store });
			assert.ok(ids.every((id) => run.comments.some((c) => c.itemId === id)), 'the dry run took the stored comments without being named');
			const end = await moderationBacklog(store, { now });
			assert.equal(end.comments, 0);
			await store.resolveAction(key, { from: 'unknown', status: 'failed', resolution: 'observed: the comment is not hidden' });
			assert.equal((await moderationBacklog(store, { now })).openActions, start.openActions);
		});
	});
}

const dir = mkdtempSync(join(tmpdir(), 'adops-mod-backlog-'));
registerSuite('PGlite', () => openStore({ kind: 'embedded', path: dir }));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

if (DATABASE_URL) {
	const schema = `adops_modbacklog_${randomBytes(4).toString('hex')}`;
	registerSuite(`PostgreSQL (schema ${schema})`, () => openStore({ kind: 'postgres', connectionString: DATABASE_URL, ssl: 'disable', schema }));
	afterAll(async () => {
		const admin = new Pool({ connectionString: DATABASE_URL, max: 1 });
		await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
		await admin.end();
	});
}
