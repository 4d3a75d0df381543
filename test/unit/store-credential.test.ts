// The AdOps Store credential's test, as n8n calls it (methods.credentialTest).
import { test, afterAll } from 'vitest';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ICredentialTestFunctions, ICredentialsDecrypted } from 'n8n-workflow';
import { adOpsStoreConnectionTest, storeConfigFromCredentials, defaultEmbeddedPath } from '../../nodes/common/store';
import { openStore } from '../../nodes/shared/store';
import { skipWhen } from '../helpers/skip';

const dirs: string[] = [];
afterAll(async () => {
	for (const d of dirs) await rm(d, { recursive: true, force: true });
});

function credential(data: Record<string, unknown>): ICredentialsDecrypted {
	return { id: 'c1', name: 'AdOps Store', type: 'adOpsStoreApi', data } as ICredentialsDecrypted;
}
const ctx = {} as ICredentialTestFunctions;

test('credential values map to store configs', () => {
	assert.deepEqual(storeConfigFromCredentials({ backend: 'embedded', embeddedPath: ' /tmp/x ' }), { kind: 'embedded', path: '/tmp/x' });
	assert.deepEqual(storeConfigFromCredentials({ backend: 'embedded' }), { kind: 'embedded', path: defaultEmbeddedPath() });
	assert.deepEqual(storeConfigFromCredentials({ backend: 'postgres', connectionString: 'postgres://u:p@h/db', ssl: 'disable', schema: 'ads' }), {
		kind: 'postgres',
		connectionString: 'postgres://u:p@h/db',
		ssl: 'disable',
		schema: 'ads',
	});
	assert.equal(storeConfigFromCredentials({ backend: 'supabase', supabaseUrl: 'https://x.supabase.co', serviceRoleKey: 'k' }).kind, 'supabase');
	assert.throws(() => storeConfigFromCredentials({ backend: 'mysql' }), /Unknown AdOps Store backend "mysql"/);
});

test('an embedded store in a new folder tests OK', async () => {
	const dir = await mkdtemp(join(tmpdir(), 'adops-cred-'));
	dirs.push(dir);
	const result = await adOpsStoreConnectionTest.call(ctx, credential({ backend: 'embedded', embeddedPath: join(dir, 'db') }));
	assert.equal(result.status, 'OK', result.message);
	assert.match(result.message, /Embedded database ready/);
});

test('a folder that is not a database, and a refused port are explained without secrets or stack traces', async () => {
	const dir = await mkdtemp(join(tmpdir(), 'adops-cred-'));
	dirs.push(dir);
	await writeFile(join(dir, 'notes.txt'), 'not a database');
	const notDb = await adOpsStoreConnectionTest.call(ctx, credential({ backend: 'embedded', embeddedPath: dir }));
	assert.equal(notDb.status, 'Error');
	assert.match(notDb.message, /not a PGlite database directory/);

	const refused = await adOpsStoreConnectionTest.call(ctx, credential({ backend: 'postgres', connectionString: 'postgres://adops:s3cret-pw@127.0.0.1:1/adops', ssl: 'disable' }));
	assert.equal(refused.status, 'Error');
	assert.match(refused.message, /Cannot connect to 127\.0\.0\.1:1: connection refused/);
	assert.doesNotMatch(refused.message, /s3cret-pw/);
	assert.doesNotMatch(refused.message, /\n\s+at /, 'no stack trace');
});

test('a database that does not exist on the real server is named', { ...skipWhen(!process.env.DATABASE_URL && 'DATABASE_URL not set') }, async () => {
	const url = new URL(process.env.DATABASE_URL!);
	url.pathname = '/adops_no_such_db';
	const result = await adOpsStoreConnectionTest.call(ctx, credential({ backend: 'postgres', connectionString: url.toString(), ssl: 'disable' }));
	assert.equal(result.status, 'Error');
	assert.match(result.message, /Database "adops_no_such_db" does not exist/);
});

test('opening an unreachable Postgres store fails with the same explanation, without the password', async () => {
	await assert.rejects(
		openStore({ kind: 'postgres', connectionString: 'postgres://adops:s3cret-pw@127.0.0.1:1/adops', ssl: 'disable' }),
		(error: Error) => {
			assert.match(error.message, /^AdOps Store: Cannot connect to 127\.0\.0\.1:1: connection refused\. Check host and port/);
			assert.doesNotMatch(error.message, /s3cret-pw/);
			return true;
		},
	);
});
