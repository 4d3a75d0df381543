/**
 * The sandbox's answers against the vendors' own specifications: vendored
 * excerpts under test/fixtures/specs (each names its source and commit),
 * validated with ajv. OpenAI (OpenAPI 3.1: chat completions with a JSON
 * schema response format, embeddings), Klaviyo (OpenAPI 3.0: campaign and
 * flow values reports, the requests the Klaviyo adapter sends), Slack
 * (chat.postMessage's 200 schema), Notion (the page object of the SDK's
 * types, for Notion-Version 2025-09-03). A drift of the sandbox from a
 * vendor's shape fails here with ajv's path and message.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, test } from 'vitest';
import Ajv, { type AnySchema, type ValidateFunction } from 'ajv';
import Ajv2020 from 'ajv/dist/2020';
import { KLAVIYO_REPORT_STATISTICS } from '../../nodes/shared/platforms/klaviyo';
import { pinnedApiVersion } from '../../nodes/shared/platforms/registry';
import { startSandbox, type Sandbox } from '../../scripts/sandbox';
import { addDays } from '../../scripts/sandbox/rng';
import { todoWhen } from '../helpers/skip';

const SPECS = join(__dirname, '..', 'fixtures', 'specs');
const spec = (name: string) => JSON.parse(readFileSync(join(SPECS, name), 'utf8')) as AnySchema & { $schema?: string };

function validator(name: string): ValidateFunction {
	const schema = spec(name);
	// strict: false — the excerpts keep OpenAPI's annotations (example, discriminator, deprecated …), which JSON Schema does not define.
	const ajv = String(schema.$schema).includes('2020-12') ? new Ajv2020({ strict: false, allErrors: true }) : new Ajv({ strict: false, allErrors: true });
	return ajv.compile(schema);
}

function assertValid(name: string, value: unknown): void {
	const validate = validator(name);
	const ok = validate(value);
	assert.ok(ok, `${name}: ${JSON.stringify(validate.errors?.slice(0, 5), null, 1)}`);
}

describe('sandbox answers match the vendors\' specifications', () => {
	let sb: Sandbox;
	beforeAll(async () => {
		sb = await startSandbox({ seed: 6, today: '2026-12-06' });
	});
	afterAll(async () => {
		await sb?.close();
	});

	const call = async (url: string, init: { method?: string; headers?: Record<string, string>; body?: unknown }) => {
		const res = await fetch(url, { method: init.method ?? 'GET', headers: { 'content-type': 'application/json', ...init.headers }, ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }) });
		return { status: res.status, body: (await res.json()) as Record<string, unknown> };
	};

	test('the excerpts reject what the vendor would not send (the check can fail)', () => {
		assert.equal(validator('openai-embedding-response.json')({ object: 'list', data: [{ object: 'embedding', index: 0, embedding: 'x' }], model: 'm', usage: { prompt_tokens: 1, total_tokens: 1 } }), false);
		assert.equal(validator('openai-chat-completion-response.json')({ id: 'x', object: 'chat.completion', created: 1, model: 'm', choices: [{ index: 0, message: { role: 'assistant', content: 'hi' } }] }), false, 'choices need finish_reason and logprobs');
		assert.equal(validator('slack-chat-postmessage-response.json')({ ok: true, channel: 'C1', ts: '1.2' }), false, 'message is required');
		assert.equal(validator('notion-page-object.json')({ object: 'page', id: 'x' }), false);
		assert.equal(validator('klaviyo-campaign-values-report-response.json')({ data: { type: 'campaign-values-report', attributes: {} } }), false);
	});

	test('OpenAI chat completion (json_schema response format) and embeddings', async () => {
		const auth = { authorization: `Bearer ${sb.credentials.openai.apiKey}` };
		const chat = await call(`${sb.urls.openai}/chat/completions`, {
			method: 'POST',
			headers: auth,
			body: {
				model: 'gpt-4o-mini',
				messages: [{ role: 'system', content: 'Write one headline.' }, { role: 'user', content: 'A warm recycled fleece jacket.' }],
				response_format: { type: 'json_schema', json_schema: { name: 'headline', strict: true, schema: { type: 'object', properties: { headline: { type: 'string' } }, required: ['headline'], additionalProperties: false } } },
			},
		});
		assert.equal(chat.status, 200);
		assertValid('openai-chat-completion-response.json', chat.body);
		const plain = await call(`${sb.urls.openai}/chat/completions`, { method: 'POST', headers: auth, body: { model: 'gpt-4o-mini', n: 2, messages: [{ role: 'user', content: 'hello' }] } });
		assertValid('openai-chat-completion-response.json', plain.body);
		for (const input of ['one text', ['two', 'texts']]) {
			const emb = await call(`${sb.urls.openai}/embeddings`, { method: 'POST', headers: auth, body: { model: 'text-embedding-3-small', input, dimensions: 64 } });
			assert.equal(emb.status, 200);
			assertValid('openai-embedding-response.json', emb.body);
		}
	});

	test('Klaviyo campaign and flow values reports (the adapter\'s request)', async () => {
		const day = addDays(sb.world.today, -3);
		for (const kind of ['campaign', 'flow'] as const) {
			const r = await call(`${sb.urls.klaviyo}/api/${kind}-values-reports/`, {
				method: 'POST',
				headers: { authorization: `Klaviyo-API-Key ${sb.credentials.klaviyo.apiKey}`, revision: pinnedApiVersion('klaviyo'), accept: 'application/vnd.api+json', 'content-type': 'application/vnd.api+json' },
				body: {
					data: {
						type: `${kind}-values-report`,
						attributes: {
							statistics: [...KLAVIYO_REPORT_STATISTICS],
							timeframe: { start: `${day}T00:00:00+00:00`, end: `${addDays(day, 1)}T00:00:00+00:00` },
							conversion_metric_id: sb.world.klaviyo.placedOrderMetricId,
							group_by: kind === 'campaign' ? ['campaign_id', 'campaign_message_id', 'send_channel'] : ['flow_id', 'flow_message_id', 'flow_name', 'send_channel'],
						},
					},
				},
			});
			assert.equal(r.status, 200, JSON.stringify(r.body).slice(0, 300));
			assertValid(`klaviyo-${kind}-values-report-response.json`, r.body);
		}
	});

	// Known gaps, reported: the sandbox's bot_profile lacks deleted, updated and icons (Slack sends them), and the
	// 2021 spec (the latest Slack published) has no app_id on a message, which Slack sends today.
	// scripts/sandbox/platforms/slack.ts is held by the insights work; this runs and reports until it is fixed.
	test('Slack chat.postMessage', { ...todoWhen('sandbox bot_profile without deleted/updated/icons; the 2021 spec lacks message.app_id') }, async () => {
		const r = await call(`${sb.urls.slack}chat.postMessage`, { method: 'POST', headers: { authorization: `Bearer ${sb.credentials.slack.botToken}` }, body: { channel: '#adops-alerts', text: 'Spec check: *bold* and a list', blocks: [{ type: 'section', text: { type: 'mrkdwn', text: 'Spec check' } }] } });
		assert.equal(r.status, 200);
		assert.equal(r.body.ok, true, JSON.stringify(r.body));
		assertValid('slack-chat-postmessage-response.json', r.body);
	});

	test('Notion page object: created, read back, updated', async () => {
		const headers = { authorization: `Bearer ${sb.credentials.notion.token}`, 'notion-version': '2025-09-03' };
		const created = await call(`${sb.urls.notion}/v1/pages`, { method: 'POST', headers, body: { parent: { type: 'data_source_id', data_source_id: sb.world.notion.approvalDataSourceId }, properties: { Name: { title: [{ type: 'text', text: { content: 'Spec check' } }] } } } });
		assert.equal(created.status, 200, JSON.stringify(created.body).slice(0, 300));
		assertValid('notion-page-object.json', created.body);
		const read = await call(`${sb.urls.notion}/v1/pages/${String(created.body.id)}`, { headers });
		assertValid('notion-page-object.json', read.body);
		const updated = await call(`${sb.urls.notion}/v1/pages/${String(created.body.id)}`, { method: 'PATCH', headers, body: { in_trash: true } });
		assertValid('notion-page-object.json', updated.body);
		assert.equal(updated.body.in_trash, true);
	});
});
