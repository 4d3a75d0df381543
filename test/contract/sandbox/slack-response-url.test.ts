import assert from 'node:assert/strict';
import { afterAll, beforeAll, beforeEach, describe, it } from 'vitest';
import { RESPONSE_URL_MAX_USES, slackResponseUrl, startSandbox, type Sandbox, type SlackResponse } from '../../../scripts/sandbox';
import { blockActionsPayload, signedInteraction } from '../../../scripts/sandbox/slack-interaction';

/** What an app sends to `response_url` to tell the clicking user something. */
const ephemeral = (text: string) => ({ response_type: 'ephemeral', replace_original: false, text });

describe('sandbox: Slack interaction response_url', () => {
	let sb: Sandbox;
	beforeAll(async () => {
		sb = await startSandbox({ seed: 1, today: '2025-03-10' });
	});
	beforeEach(() => sb.clearFaults());
	afterAll(() => sb.close());

	const click = (extra: Partial<Parameters<typeof blockActionsPayload>[0]> = {}) =>
		signedInteraction({ payload: blockActionsPayload({ actionId: 'adops_approve', value: '{"id":"p1"}', messageTs: '1741600000.000100', ...extra }), responseUrlBase: sb.urls.slackActions });

	const reply = (url: string, body: string, contentType = 'application/json') => fetch(url, { method: 'POST', headers: { 'content-type': contentType }, body });

	it('signedInteraction points response_url at the sandbox, one URL per click; explicit URLs and old callers are kept', () => {
		const a = click();
		const b = click();
		assert.ok(a.responseUrl!.startsWith(`${sb.urls.slackActions}/T0ADOPS001/`), a.responseUrl);
		assert.notEqual(a.responseUrl, b.responseUrl);
		const signed = JSON.parse(new URLSearchParams(a.body).get('payload')!) as { response_url: string };
		assert.equal(signed.response_url, a.responseUrl, 'the signed payload carries it');

		const explicit = click({ responseUrl: 'https://hooks.slack.com/actions/T0ADOPS001/1/test' });
		assert.equal(explicit.responseUrl, 'https://hooks.slack.com/actions/T0ADOPS001/1/test');
		const legacy = signedInteraction({ payload: blockActionsPayload({ actionId: 'x', value: 'y', messageTs: '1.2' }) });
		assert.match(legacy.responseUrl!, /^https:\/\/hooks\.slack\.com\/actions\//);
		assert.equal(signedInteraction({ payload: '{not json', responseUrlBase: sb.urls.slackActions }).responseUrl, undefined);
	});

	it('records each reply and answers like Slack: 200 "ok" as text/plain', async () => {
		const { responseUrl } = click({ userId: 'U0SAM00002', userName: 'sam' });
		const res = await reply(responseUrl!, JSON.stringify(ephemeral('Approved: the change runs now.')));
		assert.equal(res.status, 200);
		assert.match(res.headers.get('content-type') ?? '', /^text\/plain/);
		assert.equal(await res.text(), 'ok');
		const second = await reply(responseUrl!, JSON.stringify({ text: 'Executed once.', replace_original: true }));
		assert.equal(second.status, 200);

		const mine = sb.slackResponses({ url: responseUrl! });
		assert.deepEqual(
			mine.map((r) => [r.text, r.responseType, r.replaceOriginal]),
			[
				['Approved: the change runs now.', 'ephemeral', false],
				['Executed once.', 'ephemeral', true],
			],
		);
		assert.deepEqual(mine[0]!.body, ephemeral('Approved: the change runs now.'));
		assert.equal(mine[0]!.path, new URL(responseUrl!).pathname);
		assert.equal(mine[0]!.teamId, 'T0ADOPS001');
		assert.ok(mine[0]!.at.startsWith('2025-03-10T'), 'on the sandbox clock');
		assert.ok(mine[1]!.seq > mine[0]!.seq);

		const admin = (await (await fetch(`${sb.url}/_admin/slack/responses?url=${encodeURIComponent(responseUrl!)}`)).json()) as { responses: SlackResponse[] };
		assert.deepEqual(admin.responses, mine);
		const all = (await (await fetch(`${sb.url}/_admin/slack/responses`)).json()) as { responses: SlackResponse[] };
		assert.ok(all.responses.length >= 2);
		assert.deepEqual(sb.requests({ route: 'slack.responseUrl' }).slice(-2).map((e) => [e.platform, e.status]), [
			['slack', 200],
			['slack', 200],
		]);
	});

	it('refuses what Slack refuses, recording nothing', async () => {
		const { responseUrl } = click();
		const before = sb.slackResponses().length;
		const notJson = await reply(responseUrl!, 'Approved', 'text/plain');
		assert.deepEqual([notJson.status, await notJson.text()], [400, 'invalid_payload']);
		const broken = await reply(responseUrl!, '{"text": ');
		assert.deepEqual([broken.status, await broken.text()], [400, 'invalid_payload']);
		const noText = await reply(responseUrl!, JSON.stringify({ response_type: 'ephemeral' }));
		assert.deepEqual([noText.status, await noText.text()], [400, 'no_text']);
		const badBlocks = await reply(responseUrl!, JSON.stringify({ text: 'x', blocks: [{ type: 'header', text: { type: 'mrkdwn', text: 'h' } }] }));
		assert.deepEqual([badBlocks.status, await badBlocks.text()], [400, 'invalid_blocks']);
		const forged = await reply(responseUrl!.replace(/\/[^/]+$/, '/0123456789abcdef01234567'), JSON.stringify(ephemeral('x')));
		assert.deepEqual([forged.status, await forged.text()], [404, 'no_service']);
		const hooksShape = await reply(`${sb.urls.slackActions}/T0ADOPS001/1/test`, JSON.stringify(ephemeral('x')));
		assert.equal(hooksShape.status, 404, 'a URL the sandbox never issued');
		assert.equal(sb.slackResponses().length, before);

		const form = await reply(responseUrl!, new URLSearchParams({ payload: JSON.stringify(ephemeral('from a form')) }).toString(), 'application/x-www-form-urlencoded');
		assert.equal(form.status, 200, 'a form payload field works as for incoming webhooks');
		assert.equal(sb.slackResponses({ url: responseUrl! }).at(-1)!.text, 'from a form');
	});

	it(`allows ${RESPONSE_URL_MAX_USES} replies per URL, then 404 used_url`, async () => {
		const url = slackResponseUrl(sb.urls.slackActions, 'T0ADOPS001', '424242');
		for (let i = 1; i <= RESPONSE_URL_MAX_USES; i++) assert.equal((await reply(url, JSON.stringify(ephemeral(`reply ${i}`)))).status, 200);
		const sixth = await reply(url, JSON.stringify(ephemeral('one too many')));
		assert.deepEqual([sixth.status, await sixth.text()], [404, 'used_url']);
		assert.equal(sb.slackResponses({ url }).length, RESPONSE_URL_MAX_USES);
	});

	it('injected faults apply: 5xx and 429 record nothing, slack.* reaches it', async () => {
		const { responseUrl } = click();
		sb.injectFault({ route: 'slack.responseUrl', kind: '5xx', status: 502 });
		const failed = await reply(responseUrl!, JSON.stringify(ephemeral('lost')));
		assert.equal(failed.status, 502);
		sb.injectFault({ route: 'slack.*', kind: '429', retryAfter: 3 });
		const limited = await reply(responseUrl!, JSON.stringify(ephemeral('lost too')));
		assert.deepEqual([limited.status, limited.headers.get('retry-after'), await limited.text()], [429, '3', 'rate_limited']);
		assert.deepEqual(sb.slackResponses({ url: responseUrl! }), []);
		sb.injectFault({ route: 'POST /slack/actions/*', kind: 'latency', latencyMs: 150 });
		const started = Date.now();
		assert.equal((await reply(responseUrl!, JSON.stringify(ephemeral('late')))).status, 200);
		assert.ok(Date.now() - started >= 140);
		assert.deepEqual(sb.slackResponses({ url: responseUrl! }).map((r) => r.text), ['late']);
	});
});
