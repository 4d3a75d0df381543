// Finding a published ad again (platforms/meta-publish.ts metaFindAd, linkedin-publish.ts linkedinFindAd) over
// a fake transport: every page is read, and a search cut short says "not known" (throws) instead of "not
// there" (null), which would let creative/publish.ts create a second ad after a lost answer.
import assert from 'node:assert/strict';
import { test } from 'vitest';
import type { CreateAdInput } from '../../nodes/shared/platforms/ad-publish';
import type { HttpTransport } from '../../nodes/shared/platforms/http';
import { LINKEDIN_FIND_PAGES, linkedinFindAd } from '../../nodes/shared/platforms/linkedin-publish';
import { META_FIND_PAGES, metaFindAd } from '../../nodes/shared/platforms/meta-publish';

const input: CreateAdInput = { accountId: '111', campaignId: '222', name: 'AdOps variant v-1', tag: 'v-1', status: 'PAUSED', copy: { headlines: [], descriptions: [], primaryText: null, callToAction: null, link: 'https://example.com' } };

/** A transport answering `page(n, url)` for the n-th request; counts requests. */
function fake(page: (n: number, url: string) => unknown): { http: HttpTransport; calls: string[] } {
	const calls: string[] = [];
	const http = { request: async (_ctx: unknown, req: { url: string; params?: Record<string, unknown> }) => ({ data: page(calls.push(`${req.url}${req.params?.after ? `?after=${String(req.params.after)}` : ''}`) - 1, req.url) }) };
	return { http: http as unknown as HttpTransport, calls };
}

const others = (n: number, prefix: string) => Array.from({ length: 100 }, (_, i) => ({ id: `${prefix}${n}-${i}`, name: `someone else's ad ${n}-${i}` }));

test('Meta: the ad is found on a later page by its name', async () => {
	const { http, calls } = fake((n) => ({ data: n === 2 ? [...others(n, 'x'), { id: '999', name: input.name, status: 'PAUSED', adset_id: '333' }] : others(n, 'x'), paging: { cursors: { after: `c${n + 1}` }, next: 'https://graph.facebook.com/next' } }));
	const found = await metaFindAd({ http, apiVersion: 'v21.0', auth: {} }, input);
	assert.deepEqual([found?.adId, found?.parentId, calls.length], ['999', '333', 3]);
});

test('Meta: the last page read without the ad is "not there"; a search cut short by the page cap is "not known" (throws)', async () => {
	const ended = fake((n) => ({ data: others(n, 'x'), paging: { cursors: { after: `c${n + 1}` }, ...(n < 4 ? { next: 'https://graph.facebook.com/next' } : {}) } }));
	assert.equal(await metaFindAd({ http: ended.http, apiVersion: 'v21.0', auth: {} }, input), null);
	assert.equal(ended.calls.length, 5);
	const endless = fake((n) => ({ data: others(n, 'x'), paging: { cursors: { after: `c${n + 1}` }, next: 'https://graph.facebook.com/next' } }));
	await assert.rejects(metaFindAd({ http: endless.http, apiVersion: 'v21.0', auth: {} }, input), /more ads than the 20000 read; no ad "AdOps variant v-1" among them, so whether it exists is not known/);
	assert.equal(endless.calls.length, META_FIND_PAGES);
});

test("LinkedIn: the creative is found on the second page (the next page's token followed); a search cut short is \"not known\" (throws)", async () => {
	const two = fake((n, url) => (n === 0 ? { elements: others(n, 'urn:li:sponsoredCreative:'), metadata: { nextPageToken: 'tok 2' } } : { elements: url.includes('pageToken=tok%202') ? [{ id: 'urn:li:sponsoredCreative:77', name: input.name, intendedStatus: 'PAUSED' }] : [], metadata: { nextPageToken: null } }));
	const found = await linkedinFindAd(two.http, input);
	assert.equal(found?.adId, 'urn:li:sponsoredCreative:77');
	assert.equal(two.calls.length, 2);
	const last = fake((n) => ({ elements: others(n, 'urn:li:sponsoredCreative:'), metadata: { nextPageToken: null } }));
	assert.equal(await linkedinFindAd(last.http, input), null);
	const endless = fake((n) => ({ elements: others(n, 'urn:li:sponsoredCreative:'), metadata: { nextPageToken: `t${n + 1}` } }));
	await assert.rejects(linkedinFindAd(endless.http, input), /more creatives than the 5000 read; none named "AdOps variant v-1" among them, so whether it exists is not known/);
	assert.equal(endless.calls.length, LINKEDIN_FIND_PAGES);
});
