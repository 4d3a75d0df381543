import assert from 'node:assert/strict';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { LogLevel, WebClient, WebClientEvent, type Logger, type WebAPICallError } from '@slack/web-api';
import { startSandbox, type Sandbox } from '../../../scripts/sandbox';

const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {}, setLevel() {}, getLevel: () => LogLevel.ERROR, setName() {} };

describe('sandbox: Slack Web API with @slack/web-api', () => {
	let sb: Sandbox;
	let slack: WebClient;
	beforeAll(async () => {
		sb = await startSandbox({ seed: 1, today: '2025-03-10' });
		slack = new WebClient(sb.credentials.slack.botToken, { slackApiUrl: sb.urls.slack, retryConfig: { retries: 2, factor: 1, minTimeout: 10, maxTimeout: 20 }, logger: quiet });
	});
	afterAll(() => sb.close());

	const code = async (p: Promise<unknown>): Promise<string> => {
		try {
			await p;
		} catch (e) {
			return String((e as WebAPICallError & { data?: { error?: string } }).data?.error ?? (e as Error).message);
		}
		return 'ok';
	};

	it('auth.test, post with blocks, thread reply, update, read back', async () => {
		const auth = await slack.auth.test();
		assert.equal(auth.user_id, sb.world.slack.botUserId);
		const posted = await slack.chat.postMessage({
			channel: '#adops-alerts',
			text: 'Budget alert',
			blocks: [
				{ type: 'header', text: { type: 'plain_text', text: 'Budget alert' } },
				{ type: 'section', text: { type: 'mrkdwn', text: '*Meta US* spent 120% of plan' } },
				{ type: 'actions', elements: [{ type: 'button', text: { type: 'plain_text', text: 'Approve' }, action_id: 'approve', value: 'p1', style: 'primary' }] },
			],
		});
		assert.equal(posted.ok, true);
		assert.equal(posted.channel, 'C0ADOPSALR');
		const reply = await slack.chat.postMessage({ channel: 'C0ADOPSALR', text: 'Executed once.', thread_ts: posted.ts! });
		await slack.chat.update({ channel: 'C0ADOPSALR', ts: posted.ts!, text: 'Budget alert (resolved)' });

		const history = await slack.conversations.history({ channel: 'C0ADOPSALR', limit: 2 });
		assert.equal(history.messages![0]!.ts, posted.ts);
		assert.equal(history.messages![0]!.text, 'Budget alert (resolved)');
		assert.equal(history.messages![0]!.reply_count, 1);
		assert.equal(history.has_more, true);
		const page2 = await slack.conversations.history({ channel: 'C0ADOPSALR', limit: 2, cursor: history.response_metadata!.next_cursor! });
		assert.equal(page2.messages!.length, 2);
		const replies = await slack.conversations.replies({ channel: 'C0ADOPSALR', ts: posted.ts! });
		assert.deepEqual(replies.messages!.map((m) => m.ts), [posted.ts, reply.ts]);
		const info = await slack.conversations.info({ channel: 'C0ADOPSALR' });
		assert.equal(info.channel!.name, 'adops-alerts');

		const admin = (await (await fetch(`${sb.url}/_admin/slack/messages?channel=adops-alerts`)).json()) as { messages: Array<{ ts: string; blocks?: unknown[]; threadTs?: string }> };
		const mine = admin.messages.filter((m) => m.ts === posted.ts || m.ts === reply.ts);
		assert.equal(mine.length, 2);
		assert.equal(mine[0]!.blocks!.length, 3);
		assert.equal(mine[1]!.threadTs, posted.ts);
	});

	it("enforces Slack's limits and errors", async () => {
		const section = (text: string) => ({ type: 'section', text: { type: 'mrkdwn', text } });
		assert.equal(await code(slack.chat.postMessage({ channel: 'C0ADOPSALR', text: 'x', blocks: Array.from({ length: 51 }, () => section('a')) })), 'invalid_blocks');
		assert.equal(await code(slack.chat.postMessage({ channel: 'C0ADOPSALR', text: 'x', blocks: Array.from({ length: 50 }, () => section('a')) })), 'ok');
		assert.equal(await code(slack.chat.postMessage({ channel: 'C0ADOPSALR', text: 'x', blocks: [section('a'.repeat(3001))] })), 'invalid_blocks');
		assert.equal(await code(slack.chat.postMessage({ channel: 'C0ADOPSALR', text: 'x', blocks: [section('a'.repeat(3000))] })), 'ok');
		assert.equal(await code(slack.chat.postMessage({ channel: 'C0ADOPSALR', text: 'x', blocks: [{ type: 'header', text: { type: 'plain_text', text: 'h'.repeat(151) } }] })), 'invalid_blocks');
		assert.equal(await code(slack.chat.postMessage({ channel: 'C0ADOPSALR', text: 'a'.repeat(40_001) })), 'msg_too_long');
		assert.equal(await code(slack.chat.postMessage({ channel: '#nope', text: 'x' })), 'channel_not_found');
		assert.equal(await code(slack.chat.postMessage({ channel: '#random', text: 'x' })), 'not_in_channel');
		const bad = new WebClient('xoxb-wrong', { slackApiUrl: sb.urls.slack, retryConfig: { retries: 0 }, logger: quiet });
		assert.equal(await code(bad.chat.postMessage({ channel: 'C0ADOPSALR', text: 'x' })), 'invalid_auth');
		try {
			await slack.chat.postMessage({ channel: 'C0ADOPSALR', text: 'x', blocks: [section('a'.repeat(3001))] });
			assert.fail('should fail');
		} catch (e) {
			const data = (e as { data: { errors: string[] } }).data;
			assert.match(data.errors[0]!, /must be less than 3001 characters \[json-pointer:\/blocks\/0\/text\/text\]/);
		}
	});

	it('a 429 with Retry-After is waited out by the SDK, then succeeds', async () => {
		sb.injectFault({ route: 'slack.postMessage', kind: '429', retryAfter: 1, count: 1 });
		const events: number[] = [];
		slack.on(WebClientEvent.RATE_LIMITED, (sec: number) => events.push(sec));
		const started = Date.now();
		const res = await slack.chat.postMessage({ channel: 'C0ADOPSALR', text: 'after rate limit' });
		assert.equal(res.ok, true);
		assert.deepEqual(events, [1]);
		assert.ok(Date.now() - started >= 950, 'waited for Retry-After');
		const log = sb.requests({ route: 'slack.postMessage' }).slice(-2);
		assert.deepEqual(log.map((e) => e.status), [429, 200]);
		assert.equal(log[0]!.fault, '429');
	});
});
