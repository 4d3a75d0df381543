// AdOps Alert run in-process by n8n-core (test/engine/harness.ts): a bad parameter names itself and the item.
import { test, describe, beforeAll, afterAll, expect } from 'vitest';
import { startEngine, type Engine } from './harness';

describe('AdOps Alert on n8n-core', () => {
	let engine: Engine;
	beforeAll(async () => {
		engine = await startEngine({ seed: 11 });
	});
	afterAll(async () => {
		await engine?.close();
	});

	const badJson = {
		name: 'Alert',
		type: 'adOpsAlert',
		parameters: { operation: 'post', source: 'json', alertJson: '{"kind": "info", "title": ' },
		credentials: {},
	};

	test('a bad parameter fails the node with the parameter named and the item index', async () => {
		const run = await engine.runNode({ ...badJson, credentials: engine.credentialRef('adOpsSlackApi') }, [{ a: 1 }, { a: 2 }]);
		expect(run.status).toBe('error');
		expect(run.error?.message).toMatch(/Alert \(JSON\) is not valid JSON/);
		expect((run.error as { context?: { itemIndex?: number } }).context?.itemIndex).toBe(0);
	});
});
