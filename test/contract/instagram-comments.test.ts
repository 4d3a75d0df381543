/**
 * Instagram comment paths against the sandbox's default world, which now
 * holds Instagram media behind Meta ads: the comments client finds the media
 * through the ads' creatives and reads their comments with replies; the
 * moderation poll stores them as Instagram comments (PGlite always,
 * PostgreSQL when DATABASE_URL is set); hide, reply and delete use
 * Instagram's edges, and the reconciliation reads see their effect.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, test } from 'vitest';
import { Pool } from 'pg';
import { pollMetaComments } from '../../nodes/shared/moderation/run';
import { COMMENT_OBJECT_TYPES } from '../../nodes/shared/moderation/meta-webhook';
import { MetaCommentsClient } from '../../nodes/shared/platforms/meta-comments';
import { pinnedApiVersion } from '../../nodes/shared/platforms/registry';
import { openStore, type Store } from '../../nodes/shared/store';
import { startSandbox, type Sandbox } from '../../scripts/sandbox';
import { createWorld } from '../../scripts/sandbox/world';

const DATABASE_URL = process.env.DATABASE_URL;
const TODAY = '2026-03-02';

test('the default world holds Instagram media with comments and replies, and the Facebook side is as before', () => {
	const world = createWorld(11, TODAY);
	assert.ok(world.instagram.media.length >= 2, 'media');
	assert.deepEqual([...new Set(world.instagram.media.map((m) => m.accountId))].sort(), [...new Set(world.meta.ads.map((a) => a.accountId))].sort(), 'every Meta account has Instagram media');
	assert.ok(world.instagram.comments.length >= 10);
	assert.ok(world.instagram.comments.some((c) => c.parentId), 'replies');
	for (const m of world.instagram.media) assert.ok(world.meta.ads.some((a) => a.id === m.adId));
	// The Instagram part comes from its own random streams: the rest of the world does not depend on it.
	const { instagram: _a, ...withIg } = world;
	const again = createWorld(11, TODAY) as Partial<typeof world>;
	delete again.instagram;
	assert.equal(JSON.stringify(withIg), JSON.stringify(again));
});

describe('Instagram comments through the package (sandbox)', () => {
	let sb: Sandbox;
	let client: MetaCommentsClient;
	beforeAll(async () => {
		sb = await startSandbox({ seed: 11, today: TODAY });
		client = new MetaCommentsClient({ accessToken: sb.credentials.meta.accessToken, appSecret: sb.credentials.meta.appSecret, baseUrl: sb.urls.meta, apiVersion: pinnedApiVersion('meta'), pageSize: 3, retry: { maxRetries: 0 } });
	});
	afterAll(async () => {
		await sb?.close();
	});

	test('findAdPosts names the Instagram media of the ads; listComments reads each with its replies, across pages', async () => {
		for (const account of [...new Set(sb.world.meta.ads.map((a) => a.accountId))]) {
			const { targets } = await client.findAdPosts(account, { activeOnly: false });
			const expected = sb.world.instagram.media.filter((m) => m.accountId === account).map((m) => m.id).sort();
			assert.deepEqual(targets.filter((t) => t.source === 'instagram').map((t) => t.objectId).sort(), expected, `act_${account}`);
			for (const target of targets.filter((t) => t.source === 'instagram')) {
				const { comments, pages } = await client.listComments(target);
				const truth = sb.world.instagram.comments.filter((c) => c.mediaId === target.objectId && !c.deleted);
				assert.deepEqual(comments.map((c) => c.commentId).sort(), truth.map((c) => c.id).sort(), `media ${target.objectId}`);
				for (const c of comments) {
					const t = truth.find((x) => x.id === c.commentId)!;
					assert.equal(c.message, t.text);
					assert.equal(c.from?.name, t.from.username);
					assert.equal(c.isHidden, false);
					assert.equal(c.parentId, t.parentId ?? null);
					assert.equal(c.source, 'instagram');
				}
				if (truth.filter((c) => !c.parentId).length > 3) assert.ok(pages > 1, 'paged');
			}
		}
	});

	test('hide, unhide, reply and delete use Instagram\'s edges; the reads for reconciliation see them', async () => {
		const target = sb.world.instagram.comments.find((c) => !c.parentId && !c.deleted)!;
		const ref = { commentId: target.id, source: 'instagram' as const, postId: target.mediaId };
		await client.hideComment(ref);
		assert.equal(target.hidden, true);
		assert.deepEqual(await client.readComment(ref).then((s) => [s.exists, s.isHidden]), [true, true]);
		await client.unhideComment(ref);
		assert.equal(target.hidden, false);
		const reply = await client.replyToComment(ref, 'Thanks for asking! DM us your order number.');
		assert.ok(sb.world.instagram.comments.some((c) => c.id === reply.replyId && c.parentId === target.id && c.byAccount));
		assert.equal((await client.findReply(ref, 'Thanks for asking! DM us your order number.'))?.commentId, reply.replyId);
		await assert.rejects(client.likeComment(ref), /Instagram Graph API cannot like comments/);
		await client.deleteComment(ref);
		assert.equal(target.deleted, true);
		assert.equal((await client.readComment(ref)).exists, false);
		const calls = sb.requests({ platform: 'meta' }).map((r) => `${r.method} ${r.route}`);
		assert.ok(calls.includes('POST meta.update') && calls.includes('POST meta.reply') && calls.includes('DELETE meta.delete'), calls.join(', '));
	});
});

function registerPollSuite(label: string, open: () => Promise<Store>): void {
	describe(`the moderation poll reads Instagram comments (${label})`, () => {
		let sb: Sandbox;
		let store: Store;
		beforeAll(async () => {
			sb = await startSandbox({ seed: 11, today: TODAY });
			store = await open();
		});
		afterAll(async () => {
			await store?.close();
			await sb?.close();
		});

		test('every Instagram comment of the ads is stored once as an Instagram comment', async () => {
			const metaComments = new MetaCommentsClient({ accessToken: sb.credentials.meta.accessToken, appSecret: sb.credentials.meta.appSecret, baseUrl: sb.urls.meta, apiVersion: pinnedApiVersion('meta'), retry: { maxRetries: 0 } });
			const accountIds = [...new Set(sb.world.meta.ads.map((a) => a.accountId))];
			const first = await pollMetaComments({ accountIds, activeOnly: false, initialLookbackMs: 30 * 86_400_000 }, { store, metaComments, now: () => new Date(sb.now()) });
			const truth = sb.world.instagram.comments.filter((c) => !c.deleted);
			const stored = first.inserted.filter((r) => r.object_type === COMMENT_OBJECT_TYPES.instagram);
			assert.deepEqual(stored.map((r) => r.object_id).sort(), truth.map((c) => c.id).sort());
			for (const row of stored) {
				const t = truth.find((c) => c.id === row.object_id)!;
				assert.equal(row.post_id, t.mediaId);
				assert.equal(row.text, t.text);
			}
			const again = await pollMetaComments({ accountIds, activeOnly: false, initialLookbackMs: 30 * 86_400_000 }, { store, metaComments, now: () => new Date(sb.now()) });
			assert.equal(again.inserted.filter((r) => r.object_type === COMMENT_OBJECT_TYPES.instagram).length, 0, 'nothing stored twice');
		});
	});
}

const pgliteDir = mkdtempSync(join(tmpdir(), 'adops-instagram-'));
registerPollSuite('PGlite', () => openStore({ kind: 'embedded', path: pgliteDir }));
afterAll(() => rmSync(pgliteDir, { recursive: true, force: true }));
if (DATABASE_URL) {
	const schema = `adops_instagram_${randomBytes(5).toString('hex')}`;
	registerPollSuite(`PostgreSQL (schema ${schema})`, () => openStore({ kind: 'postgres', connectionString: DATABASE_URL, ssl: 'disable', schema }));
	afterAll(async () => {
		const admin = new Pool({ connectionString: DATABASE_URL, max: 1 });
		await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
		await admin.end();
	});
}
