// The Slack channel list's failure message when Slack cannot be reached: the
// network error in words, the bot token never in it, and an empty token does
// not scramble the text (a split on '' put '***' between every character).
import { test } from 'vitest';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ILoadOptionsFunctions, INode } from 'n8n-workflow';
import { searchSlackChannels } from '../../nodes/common/slack';

async function closedPort(): Promise<number> {
	const server = createServer();
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as AddressInfo;
	await new Promise<void>((resolve) => server.close(() => resolve()));
	return port;
}

const node = { id: 'n1', name: 'AdOps Alert', type: 'n8n-nodes-adops.adOpsAlert', typeVersion: 1.1, position: [0, 0], parameters: {} } as unknown as INode;

for (const botToken of ['', 'xoxb-1111-2222-secret']) {
	test(`Slack unreachable, ${botToken ? 'a token' : 'no token'}: the error says so in words`, async () => {
		const apiUrl = `http://127.0.0.1:${await closedPort()}/api/`;
		const ctx = { getNode: () => node, getCredentials: async () => ({ botToken, apiUrl }) } as unknown as ILoadOptionsFunctions;
		await assert.rejects(
			() => searchSlackChannels.call(ctx),
			(e: Error) => {
				assert.match(e.message, /request error|ECONNREFUSED|fetch failed/i);
				assert.doesNotMatch(e.message, /\*\*\*./, 'no masking between characters');
				if (botToken) assert.ok(!e.message.includes(botToken));
				return true;
			},
		);
	}, 30_000);
}
