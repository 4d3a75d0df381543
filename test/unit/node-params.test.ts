// Node glue that needs no n8n host: parameters an expression may hand over as
// anything, and optional credentials.
import { test, describe } from 'vitest';
import assert from 'node:assert/strict';
import type { ICredentialDataDecryptedObject, INode } from 'n8n-workflow';
import { jsonParam, numberParam } from '../../nodes/common/params';
import { optionalCredentials, type CredentialSource } from '../../nodes/common/credentials';

describe('numberParam', () => {
	test('numbers and text holding one; empty gives the fallback', () => {
		assert.equal(numberParam(7, 'Limit', 10), 7);
		assert.equal(numberParam(' 12 ', 'Limit', 10), 12);
		assert.equal(numberParam(undefined, 'Limit', 10), 10);
		assert.equal(numberParam(null, 'Limit', 10), 10);
		assert.equal(numberParam('  ', 'Limit', 10), 10);
		assert.equal(numberParam(undefined, 'Limit', undefined), undefined);
	});

	test('text that is not a number is an error naming the parameter, never NaN', () => {
		assert.throws(() => numberParam('abc', 'Variants', 5, { min: 1, max: 50, integer: true }), { message: 'Variants must be a whole number from 1 to 50; got "abc"' });
		assert.throws(() => numberParam(Number.NaN, 'Limit', 10), { message: 'Limit must be a number; got NaN' });
		assert.throws(() => numberParam({}, 'Limit', 10), /Limit must be a number; got \{\}/);
		assert.throws(() => numberParam(true, 'Limit', 10), /Limit must be a number; got true/);
	});

	test('bounds and whole numbers are checked', () => {
		assert.throws(() => numberParam(-1, 'Max Tokens (Run Budget)', 0, { min: 0, integer: true }), /at least 0; got -1/);
		assert.throws(() => numberParam(2.5, 'Limit', 10, { min: 1, integer: true }), /whole number of at least 1; got 2.5/);
		assert.throws(() => numberParam(1.2, 'Threshold', undefined, { min: 0, max: 1 }), /a number from 0 to 1; got 1.2/);
		assert.throws(() => numberParam(91, 'Lookback Days', 3, { max: 90 }), /at most 90/);
		assert.equal(numberParam(0.5, 'Threshold', undefined, { min: 0, max: 1 }), 0.5);
	});
});

describe('jsonParam', () => {
	test('text is parsed, other values pass as they are, blank text is undefined', () => {
		assert.deepEqual(jsonParam('{"a":1}', 'Policy (JSON)'), { a: 1 });
		assert.equal(jsonParam('null', 'Policy (JSON)'), null);
		const value = { a: 1 };
		assert.equal(jsonParam(value, 'Policy (JSON)'), value);
		assert.equal(jsonParam(undefined, 'Policy (JSON)'), undefined);
		assert.equal(jsonParam(' ', 'Policy (JSON)'), undefined);
	});

	test('text that is not JSON is an error naming the parameter', () => {
		assert.throws(() => jsonParam('{a:1}', 'Policy (JSON)'), /^ParameterError: Policy \(JSON\) is not valid JSON: /);
	});
});

describe('optionalCredentials', () => {
	function source(credentials: INode['credentials'], read: () => Promise<ICredentialDataDecryptedObject>): CredentialSource & { reads: number } {
		const ctx = {
			reads: 0,
			getNode: () => ({ credentials }) as INode,
			getCredentials: async () => {
				ctx.reads++;
				return read();
			},
		};
		return ctx as unknown as CredentialSource & { reads: number };
	}

	test('not selected on the node: undefined, without asking n8n (which would throw)', async () => {
		const ctx = source(undefined, async () => {
			throw new Error('Node does not require credentials');
		});
		assert.equal(await optionalCredentials(ctx, 'adOpsStoreApi'), undefined);
		assert.equal(await optionalCredentials(source({ adOpsSlackApi: { id: '1', name: 'Slack' } }, async () => ({})), 'adOpsStoreApi'), undefined);
		assert.equal(ctx.reads, 0);
	});

	test('selected: its values', async () => {
		const ctx = source({ adOpsStoreApi: { id: '1', name: 'Store' } }, async () => ({ backend: 'embedded' }));
		assert.deepEqual(await optionalCredentials(ctx, 'adOpsStoreApi'), { backend: 'embedded' });
	});

	test('selected but unreadable (deleted, not decryptable): the error, never "no credential"', async () => {
		const ctx = source({ adOpsNotionApi: { id: '9', name: 'Gone' } }, async () => {
			throw new Error('Credential with ID "9" does not exist for type "adOpsNotionApi".');
		});
		await assert.rejects(optionalCredentials(ctx, 'adOpsNotionApi'), /does not exist/);
	});
});
