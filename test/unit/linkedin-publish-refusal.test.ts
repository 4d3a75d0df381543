// A LinkedIn creative refused naming a field (platforms/linkedin-publish.ts linkedinCreateAd) says what to
// change in words: the variant's text within LinkedIn's limits or the publish settings, not the transport's
// generic "check the parameters and the API version"; other refusals keep the transport's own hint.
import assert from 'node:assert/strict';
import { test } from 'vitest';
import type { CreateAdInput } from '../../nodes/shared/platforms/ad-publish';
import type { HttpTransport } from '../../nodes/shared/platforms/http';
import { linkedinCreateAd } from '../../nodes/shared/platforms/linkedin-publish';
import { PlatformApiError } from '../../nodes/shared/resilience/errors';

const input: CreateAdInput = {
	accountId: '508123456',
	campaignId: '222',
	name: 'AdOps variant v-1',
	tag: 'v-1',
	status: 'PAUSED',
	organizationId: '2414183',
	copy: { headlines: [{ text: 'Outfit your team' }], descriptions: [], primaryText: 'x'.repeat(713), callToAction: null, link: 'https://example.com' },
};

/** A transport whose request fails as HttpTransport fails it: a PlatformApiError with LinkedIn's message. */
function refusing(init: { httpStatus: number; platformMessage: string; hint: string }): HttpTransport {
	const request = async (ctx: { call: string; accountId?: string }) => {
		throw new PlatformApiError({ platform: 'linkedin', accountId: ctx.accountId, call: ctx.call, kind: 'bad_request', retryable: false, code: 'UNPROCESSABLE_ENTITY', ...init });
	};
	return { request } as unknown as HttpTransport;
}

test('a refused field: the message keeps LinkedIn\'s words (field, length, limit) and says to change the variant\'s text or the settings', async () => {
	const http = refusing({ httpStatus: 422, platformMessage: '/creative/inlineContent/post/commentary: The commentary has 713 characters; at most 600 are allowed.', hint: 'LinkedIn rejected the request: check the parameters and the API version' });
	const error = await linkedinCreateAd(http, input).then(
		() => assert.fail('expected a refusal'),
		(e: unknown) => e,
	);
	assert.ok(error instanceof PlatformApiError);
	assert.equal(error.kind, 'bad_request');
	assert.equal(error.retryable, false);
	assert.equal(error.httpStatus, 422);
	assert.match(error.message, /create sponsored content creative in campaign 222 \(account 508123456\) failed with HTTP 422/);
	assert.match(error.message, /\/creative\/inlineContent\/post\/commentary: The commentary has 713 characters; at most 600 are allowed/);
	assert.match(error.message, /change what LinkedIn names \(the variant's text within LinkedIn's limits, or the organization or link in the publish settings\) and publish again/);
	assert.doesNotMatch(error.message, /API version/);
});

test('a refusal that names no field (an inactive LinkedIn-Version) keeps its own hint', async () => {
	const http = refusing({ httpStatus: 426, platformMessage: 'Requested version 202001 is not active', hint: 'LinkedIn-Version 202001 is not active: set a current YYYYMM version in the credential' });
	await assert.rejects(linkedinCreateAd(http, input), (e: unknown) => e instanceof PlatformApiError && /set a current YYYYMM version/.test(e.message) && !/LinkedIn's limits/.test(e.message));
});
