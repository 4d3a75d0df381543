// The n8n harness against a real n8n 2.40.7: built-in nodes run and their
// output comes back, failures come back as clear errors, credentials are
// decrypted at run time, env reaches n8n, the server serves a published
// webhook, and this package's node types load like a community package.
import { test, beforeAll, afterAll } from 'vitest';
import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { adopsPackage, N8nHostError, nodeOutput, startN8n, type N8nHost, type WorkflowInput } from '../helpers/n8n';

const manual = { id: 'n-start', name: 'Start', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 0], parameters: {} };

function chain(name: string, id: string, nodes: Array<Record<string, unknown>>, first: Record<string, unknown> = manual): WorkflowInput {
	const all = [first, ...nodes];
	const connections: Record<string, unknown> = {};
	for (let i = 0; i < all.length - 1; i++) {
		connections[String(all[i]?.name)] = { main: [[{ node: String(all[i + 1]?.name), type: 'main', index: 0 }]] };
	}
	return { id, name, nodes: all, connections, settings: {} };
}

const setAndCode = chain('set and code', 'adopsHostOk00001', [
	{
		id: 'n-set',
		name: 'Set',
		type: 'n8n-nodes-base.set',
		typeVersion: 3.4,
		position: [200, 0],
		parameters: {
			mode: 'manual',
			assignments: {
				assignments: [
					{ id: 'a1', name: 'campaign', value: 'spring-sale', type: 'string' },
					{ id: 'a2', name: 'spend', value: 12.5, type: 'number' },
				],
			},
			options: {},
		},
	},
	{
		id: 'n-code',
		name: 'Code',
		type: 'n8n-nodes-base.code',
		typeVersion: 2,
		position: [400, 0],
		parameters: {
			jsCode: "return $input.all().map((item) => ({ json: { ...item.json, doubled: item.json.spend * 2, runtime: 'n8n' } }));",
		},
	},
]);

const throwing = chain('throws', 'adopsHostBad0001', [
	{
		id: 'n-boom',
		name: 'Boom',
		type: 'n8n-nodes-base.code',
		typeVersion: 2,
		position: [200, 0],
		parameters: { jsCode: "throw new Error('budget cap exceeded on purpose');" },
	},
]);

const unknownType = chain('unknown type', 'adopsHostUnk0001', [
	{ id: 'n-x', name: 'Mystery', type: 'n8n-nodes-adops.adOpsDoesNotExist', typeVersion: 1, position: [200, 0], parameters: {} },
]);

const httpWithCredential = chain('http with credential', 'adopsHostHttp001', [
	{
		id: 'n-http',
		name: 'Call echo',
		type: 'n8n-nodes-base.httpRequest',
		typeVersion: 4.2,
		position: [200, 0],
		parameters: {
			method: 'GET',
			url: '={{ $env.ADOPS_ECHO_URL }}/echo',
			authentication: 'genericCredentialType',
			genericAuthType: 'httpHeaderAuth',
			options: {},
		},
		credentials: { httpHeaderAuth: { id: 'adopsEchoCred001', name: 'Echo key' } },
	},
]);

const webhook = chain(
	'webhook',
	'adopsHostHook001',
	[
		{
			id: 'n-reply',
			name: 'Reply',
			type: 'n8n-nodes-base.code',
			typeVersion: 2,
			position: [200, 0],
			parameters: { jsCode: "return [{ json: { got: $input.first().json.body.ping, from: 'webhook' } }];" },
		},
	],
	{
		id: 'n-hook',
		name: 'Hook',
		type: 'n8n-nodes-base.webhook',
		typeVersion: 2,
		position: [0, 0],
		webhookId: '6f1c1a52-6a4e-4c1e-9d0e-0a1b2c3d4e5f',
		parameters: { httpMethod: 'POST', path: 'adops-host-test', responseMode: 'lastNode', options: {} },
	},
);

let n8n: N8nHost;
let echo: Server;
let echoUrl: string;
const seenHeaders: IncomingHttpHeaders[] = [];

beforeAll(async () => {
	echo = createServer((req, res) => {
		seenHeaders.push(req.headers);
		res.setHeader('content-type', 'application/json');
		res.end(JSON.stringify({ path: req.url, key: req.headers['x-adops-key'] ?? null }));
	});
	await new Promise<void>((r) => echo.listen(0, '127.0.0.1', r));
	echoUrl = `http://127.0.0.1:${(echo.address() as AddressInfo).port}`;
	n8n = await startN8n({ env: { ADOPS_ECHO_URL: echoUrl, N8N_BLOCK_ENV_ACCESS_IN_NODE: 'false' } });
	await n8n.importCredentials([
		{ id: 'adopsEchoCred001', name: 'Echo key', type: 'httpHeaderAuth', data: { name: 'X-Adops-Key', value: 's3cret-from-credential' } },
	]);
	const ids = await n8n.importWorkflows([setAndCode, throwing, unknownType, httpWithCredential, webhook]);
	assert.deepEqual(ids, ['adopsHostOk00001', 'adopsHostBad0001', 'adopsHostUnk0001', 'adopsHostHttp001', 'adopsHostHook001']);
});

afterAll(async () => {
	await n8n?.dispose();
	await new Promise<void>((r) => (echo ? echo.close(() => r()) : r()));
});

test('real n8n runs Manual Trigger → Set → Code and hands back the output', async () => {
	const result = await n8n.execute('adopsHostOk00001');
	assert.equal(result.status, 'success');
	assert.equal(result.lastNodeExecuted, 'Code');
	assert.deepEqual(
		result.lastNodeOutput.map((i) => i.json),
		[{ campaign: 'spring-sale', spend: 12.5, doubled: 25, runtime: 'n8n' }],
	);
	assert.deepEqual(nodeOutput(result, 'Set').map((i) => i.json), [{ campaign: 'spring-sale', spend: 12.5 }]);
	assert.deepEqual(Object.keys(result.runData).sort(), ['Code', 'Set', 'Start']);
	process.stderr.write(`[n8n-host] one execute round trip: ${result.ms.toFixed(0)} ms\n`);
});

test('a node that fails gives an error naming the node and the reason', async () => {
	await assert.rejects(n8n.execute('adopsHostBad0001'), (error: unknown) => {
		assert.ok(error instanceof N8nHostError, String(error));
		assert.match(error.message, /workflow adopsHostBad0001 failed in node "Boom": budget cap exceeded on purpose/);
		assert.equal(error.result?.status, 'error');
		return true;
	});
	const result = await n8n.execute('adopsHostBad0001', { allowError: true });
	assert.equal(result.status, 'error');
	assert.equal(result.error?.node, 'Boom');
	assert.match(result.error?.message ?? '', /budget cap exceeded on purpose/);
});

test('n8n failures (unknown workflow, unknown node type) are errors with n8n’s reason', async () => {
	await assert.rejects(n8n.execute('adopsNoSuchWf001'), /could not execute workflow adopsNoSuchWf001: The workflow with the id "adopsNoSuchWf001" does not exist/);
	await assert.rejects(n8n.execute('adopsHostUnk0001'), /Unrecognized node type: n8n-nodes-adops\.adOpsDoesNotExist/);
});

test('imported credentials are encrypted by n8n and decrypted for the node; env reaches n8n', async () => {
	const result = await n8n.execute('adopsHostHttp001');
	assert.deepEqual(result.lastNodeOutput.map((i) => i.json), [{ path: '/echo', key: 's3cret-from-credential' }]);
	assert.equal(seenHeaders.at(-1)?.['x-adops-key'], 's3cret-from-credential');
	const exported = await n8n.cli(['export:credentials', '--id=adopsEchoCred001', '--output=/dev/stdout']);
	assert.doesNotMatch(exported.stdout, /s3cret-from-credential/, 'credential data is stored encrypted');
});

test('n8n start serves a published webhook workflow, then stops', async () => {
	await n8n.publishWorkflow('adopsHostHook001');
	const { url, ms } = await n8n.start();
	process.stderr.write(`[n8n-host] n8n start until ready: ${ms.toFixed(0)} ms\n`);
	try {
		const health = await fetch(`${url}/healthz`);
		assert.equal(health.status, 200);
		const response = await fetch(`${url}/webhook/adops-host-test`, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({ ping: 'pong-42' }),
		});
		assert.equal(response.status, 200, await response.clone().text());
		assert.deepEqual(await response.json(), { got: 'pong-42', from: 'webhook' });
	} finally {
		await n8n.stop();
	}
	await assert.rejects(fetch(`${url}/healthz`));
});

test('this package installs like a community package and its node types load', async (t) => {
	const pkg = await adopsPackage();
	if (pkg.n8n.nodes.length === 0) {
		t.skip('package.json lists no nodes yet');
		return;
	}
	const types = await n8n.nodeTypes();
	assert.ok(types.includes('n8n-nodes-base.code'), 'built-in nodes are listed too');
	const ours = types.filter((name) => name.startsWith(`${pkg.name}.`));
	assert.ok(ours.length >= pkg.n8n.nodes.length, `expected the package's nodes, n8n lists: ${ours.join(', ') || 'none'}`);
	if (pkg.n8n.nodes.some((file) => file.includes('/AdOpsAlert/'))) {
		assert.ok(ours.includes('n8n-nodes-adops.adOpsAlert'), ours.join(', '));
	}
});
