// The days of the comment signal are each Meta ad account's own days: the
// AdOps Moderation node reads the accounts' time zones from Meta (the
// sandbox's Graph API) once a week and keeps them in the store.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, test } from 'vitest';
import { metaAccountTimeZones } from '../../nodes/common/meta';
import { openStore, type Store } from '../../nodes/shared/store';
import { startSandbox, type Sandbox } from '../../scripts/sandbox';
import { pinnedApiVersion } from '../../nodes/shared/platforms/registry';

const dir = mkdtempSync(join(tmpdir(), 'adops-meta-tz-'));
let sb: Sandbox;
let store: Store;

beforeAll(async () => {
	sb = await startSandbox({ seed: 3 });
	store = await openStore({ kind: 'embedded', path: dir });
});
afterAll(async () => {
	await store?.close();
	await sb?.close();
	rmSync(dir, { recursive: true, force: true });
});

test("each account's zone from Meta, kept in the store for a week; an account Meta cannot describe falls back with a warning", async () => {
	const accounts = sb.world.accounts.filter((a) => a.platform === 'meta');
	const credential = { accessToken: sb.credentials.meta.accessToken, appSecret: sb.credentials.meta.appSecret, apiVersion: pinnedApiVersion('meta'), baseUrl: sb.urls.meta, adAccountIds: [...accounts.map((a) => `act_${a.id}`), 'act_999999999'].join(', ') };
	const now = new Date('2026-03-02T10:00:00Z');
	const first = await metaAccountTimeZones(credential, store, now);
	assert.deepEqual(first.zones, { ...Object.fromEntries(accounts.map((a) => [a.id, a.timezone])), '999999999': 'UTC' });
	assert.ok(new Set(accounts.map((a) => a.timezone)).size > 0 && accounts.every((a) => a.timezone !== 'UTC'), 'the sandbox accounts are not on UTC, so the test tells the zones apart');
	assert.equal(first.warnings.length, 1);
	assert.match(first.warnings[0]!, /Meta ad account 999999999 could not be read .*its comment signal days use UTC$/);

	const calls = () => sb.requests().filter((r) => /describeAccount|\/act_\d+$/.test(r.route + r.path) && r.method === 'GET').length;
	const before = calls();
	const second = await metaAccountTimeZones(credential, store, new Date(now.getTime() + 6 * 24 * 3_600_000));
	assert.deepEqual(second.zones, first.zones);
	assert.equal(calls() - before, 1, 'within a week only the account that failed is asked again');
	const later = await metaAccountTimeZones(credential, store, new Date(now.getTime() + 8 * 24 * 3_600_000));
	assert.deepEqual(later.zones, first.zones);
	assert.equal(calls() - before, 1 + accounts.length + 1, 'after a week every account is read again');
});
