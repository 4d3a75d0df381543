import { describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { OpenAICallError, describeOpenAIError, firstLine } from '../../nodes/shared/resilience/openai-errors';
import { describeModerationError } from '../../nodes/shared/moderation/openai';

/** An error shaped like the SDK's `APIError`. */
const apiError = (status: number, message: string, code: string | null = null) => Object.assign(new Error(`${status} ${message}`), { status, code, requestID: 'req_1', error: { message } });

describe('OpenAI error mapping (resilience/openai-errors)', () => {
	test('each call is named in the message; kinds by status and shape', () => {
		const cases: Array<[unknown, Parameters<typeof describeOpenAIError>[1], string, RegExp]> = [
			[apiError(429, 'Rate limit reached'), 'chat.completions', 'rate_limited', /^OpenAI chat completion with model "m" was rate-limited \(HTTP 429\)/],
			[apiError(429, 'You exceeded your current quota', 'insufficient_quota'), 'embeddings', 'quota_exceeded', /^OpenAI embeddings request with model "m" failed: the organization's quota is used up/],
			[apiError(503, 'Service unavailable'), 'moderations', 'server_error', /^OpenAI moderation request with model "m" failed on OpenAI's side \(HTTP 503\)/],
			[apiError(401, 'Incorrect API key provided: sk-ab***cdef'), 'moderations', 'authentication', /rejected the API key \(HTTP 401\)\. Check the AdOps OpenAI credential\.$/],
			[apiError(404, "The model 'x' does not exist"), 'moderations', 'model_not_found', /^OpenAI moderation request with model "m" failed: the model does not exist/],
			[apiError(400, 'bad', 'invalid_value'), 'chat.completions', 'bad_request', /rejected \(HTTP 400 invalid_value\): bad$/],
			[Object.assign(new Error('Request timed out.'), { name: 'APIConnectionTimeoutError' }), 'embeddings', 'timeout', /got no answer within the client's timeout/],
			[new Error('Connection error.'), 'chat.completions', 'connection', /could not reach the OpenAI API/],
			[new SyntaxError('Unexpected token < in JSON'), 'chat.completions', 'malformed_response', /not valid JSON/],
			['weird', 'moderations', 'other', /^OpenAI moderation request with model "m" failed: weird$/],
		];
		for (const [error, call, kind, message] of cases) {
			const e = describeOpenAIError(error, call, 'm');
			assert.ok(e instanceof OpenAICallError);
			assert.deepEqual([e.call, e.kind], [call, kind]);
			assert.match(e.message, message);
		}
		const known = describeOpenAIError(apiError(500, 'x'), 'embeddings', 'm');
		assert.equal(describeOpenAIError(known, 'chat.completions', 'other'), known, 'an already described error is kept');
		assert.deepEqual([known.status, known.requestId], [500, 'req_1']);
		assert.equal(firstLine('a\nb'), 'a');
		assert.equal(firstLine('abcdef', 4), 'abc…');
	});

	test('moderation endpoint: call `moderations`, what to do, and that classification goes on', () => {
		const missing = describeModerationError(apiError(404, "The model 'omni-x' does not exist"), 'omni-x');
		assert.ok(missing instanceof OpenAICallError);
		assert.deepEqual([missing.call, missing.kind, missing.status, missing.model], ['moderations', 'model_not_found', 404, 'omni-x']);
		assert.equal(missing.message, 'OpenAI moderation request with model "omni-x" failed: the model does not exist or this key cannot use it (HTTP 404): The model \'omni-x\' does not exist. Pick a moderation model this key can use (omni-moderation-latest). Classification goes on without toxicity categories.');
		const down = describeModerationError(apiError(502, 'Bad gateway'), 'omni-moderation-latest');
		assert.match(down.message, /failed on OpenAI's side \(HTTP 502\) after the client's retries: Bad gateway\. Try again later\. Classification goes on without toxicity categories\.$/);
	});
});
