/**
 * Poll Comments' per-post cursor never moves past the poll's own now: a
 * comment timestamped in the future (clock skew, or the sandbox's day of
 * comments right after midnight UTC) would otherwise set the cursor ahead,
 * and the next poll would skip the comments that arrive meanwhile with an
 * earlier timestamp.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, test } from 'vitest';
import { pollCursorKey, pollMetaComments } from '../../nodes/shared/moderation';
import { MetaCommentsClient } from '../../nodes/shared/platforms/meta-comments';
import { openStore, type Store } from '../../nodes/shared/store';
import { startSandbox, type Sandbox } from '../../scripts/sandbox';

const HOUR = 3_600_000;
const metaTime = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, '+0000');

describe('Poll Comments: the cursor stops at now', () => {
	const dir = mkdtempSync(join(tmpdir(), 'adops-poll-cursor-'));
	let sb: Sandbox;
	let store: Store;
	let meta: MetaCommentsClient;
	beforeAll(async () => {
		sb = await startSandbox({ seed: 7 });
		store = await openStore({ kind: 'embedded', path: dir });
		meta = new MetaCommentsClient({ accessToken: sb.credentials.meta.accessToken, appSecret: sb.credentials.meta.appSecret, baseUrl: sb.urls.meta, retry: { maxRetries: 1, initialDelayMs: 1 } });
	});
	afterAll(async () => {
		await store?.close();
		await sb?.close();
		rmSync(dir, { recursive: true, force: true });
	});

	test('a comment from the future sets the cursor to now, not to its time; a comment arriving later with an earlier time is polled', async () => {
		const accountId = sb.world.accounts.find((a) => a.platform === 'meta')!.id;
		const { targets } = await meta.findAdPosts(accountId);
		const t = targets.find((x) => x.source === 'facebook')!;
		const template = sb.world.meta.comments.find((c) => c.postId === t.objectId && !c.deleted && !c.byPage && !c.parentId)!;
		assert.ok(template, 'the post has a comment to copy');
		const now = Math.max(...sb.world.meta.comments.filter((c) => c.postId === t.objectId).map((c) => Date.parse(c.createdTime.replace('+0000', 'Z')))) + HOUR;
		sb.world.meta.comments.push({ ...template, id: `${t.objectId.split('_')[0]}_future1`, message: 'Does this come in blue?', createdTime: metaTime(now + 2 * HOUR) });

		const first = await pollMetaComments({ accountIds: [accountId], initialLookbackMs: 60 * 86_400_000 }, { store, metaComments: meta, now: () => new Date(now) });
		assert.deepEqual(first.errors, []);
		assert.ok(first.inserted.some((r) => r.object_id.endsWith('_future1')), 'the future comment is stored');
		const cursor = await store.getState<{ since: string }>(pollCursorKey(t.source, t.objectId));
		assert.equal(Date.parse(cursor!.since), now, `the cursor stops at the poll's now (${new Date(now).toISOString()}), not at the comment's time: ${cursor!.since}`);

		// A comment written meanwhile, timestamped between now and the future one, is read by the next poll.
		sb.world.meta.comments.push({ ...template, id: `${t.objectId.split('_')[0]}_meanwhile1`, message: 'Is there a student discount?', createdTime: metaTime(now + HOUR) });
		const second = await pollMetaComments({ accountIds: [accountId], initialLookbackMs: 60 * 86_400_000 }, { store, metaComments: meta, now: () => new Date(now + 3 * HOUR) });
		assert.deepEqual(second.errors, []);
		const stored = await store.select('social_media_items', { where: { platform: 'meta' } });
		assert.ok(stored.some((r) => r.object_id.endsWith('_meanwhile1')), 'the comment that arrived meanwhile is polled');
		assert.equal(stored.filter((r) => r.object_id.endsWith('_future1')).length, 1, 'the future comment is stored once');
	});
});
