import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, it } from 'vitest';
import axios, { type AxiosInstance } from 'axios';
import { accountTotals, findAccount, startSandbox, type Sandbox } from '../../../scripts/sandbox';

const TODAY = '2025-03-10';

describe('sandbox: Meta Graph, LinkedIn, Klaviyo over axios', () => {
	let sb: Sandbox;
	let meta: AxiosInstance;
	beforeAll(async () => {
		sb = await startSandbox({ seed: 11, today: TODAY });
		meta = axios.create({ baseURL: `${sb.urls.meta}/v21.0`, params: { access_token: sb.credentials.meta.accessToken }, validateStatus: () => true });
	});
	afterAll(() => sb.close());

	it('Meta insights: pages through paging.next and sums to the world truth to the cent', async () => {
		const account = findAccount(sb.world, 'meta', '2039485761002')!;
		const since = '2025-02-01';
		const until = '2025-03-09';
		let url: string | undefined = `${sb.urls.meta}/v21.0/act_${account.id}/insights?${new URLSearchParams({
			access_token: sb.credentials.meta.accessToken,
			level: 'campaign',
			time_increment: '1',
			time_range: JSON.stringify({ since, until }),
			fields: 'campaign_id,campaign_name,spend,impressions,clicks,actions,action_values,account_currency,date_start,date_stop',
			limit: '20',
		})}`;
		const rows: Array<Record<string, unknown>> = [];
		let pages = 0;
		const appUsage: number[] = [];
		while (url) {
			const res: { headers: Record<string, string>; data: { data: Array<Record<string, unknown>>; paging?: { next?: string } } } = await axios.get(url);
			pages++;
			appUsage.push(JSON.parse(res.headers['x-app-usage']).call_count);
			assert.ok(JSON.parse(res.headers['x-business-use-case-usage'])[account.id][0].type === 'ads_insights');
			rows.push(...res.data.data);
			url = res.data.paging?.next;
		}
		assert.ok(pages > 3, `paged ${pages} times`);
		assert.ok(appUsage.at(-1)! > appUsage[0]!, 'usage rises with call volume');
		const row = rows[0]!;
		assert.equal(typeof row.spend, 'string');
		assert.equal(row.account_currency, 'EUR');
		assert.equal(row.date_start, row.date_stop);
		const truth = accountTotals(account, since, until);
		const cents = rows.reduce((s, r) => s + Math.round(Number(r.spend) * 100), 0);
		assert.equal(cents, Math.round(truth.spend * 100));
		assert.equal(rows.reduce((s, r) => s + Number(r.impressions), 0), truth.impressions);
		const purchases = rows.reduce((s, r) => s + Number((r.actions as Array<{ action_type: string; value: string }> | undefined)?.find((a) => a.action_type === 'offsite_conversion.fb_pixel_purchase')?.value ?? 0), 0);
		assert.equal(purchases, truth.conversions);
		const value = rows.reduce((s, r) => s + Math.round(Number((r.action_values as Array<{ action_type: string; value: string }> | undefined)?.find((a) => a.action_type === 'offsite_conversion.fb_pixel_purchase')?.value ?? 0) * 100), 0);
		assert.equal(value, Math.round(truth.revenue * 100));
		const ids = new Set(rows.map((r) => `${r.campaign_id}|${r.date_start}`));
		assert.equal(ids.size, rows.length, 'no row twice across pages');
	});

	it('Meta account, campaigns in minor units, budget/status update, errors', async () => {
		const acc = await meta.get('/act_1029384756001', { params: { fields: 'name,currency,timezone_name' } });
		assert.deepEqual(acc.data, { id: 'act_1029384756001', name: 'Northwind Apparel US', currency: 'USD', timezone_name: 'America/Los_Angeles' });
		const list = await meta.get('/act_1029384756001/campaigns', { params: { fields: 'id,name,status,daily_budget' } });
		const c = list.data.data[0];
		const world = sb.world.accounts[0]!.campaigns[0]!;
		assert.equal(c.daily_budget, String(Math.round(world.dailyBudget * 100)));
		const upd = await meta.post(`/${c.id}`, new URLSearchParams({ daily_budget: '12345', status: 'PAUSED' }));
		assert.deepEqual(upd.data, { success: true });
		assert.equal(world.dailyBudget, 123.45);
		assert.equal(world.status, 'PAUSED');
		const low = await meta.post(`/${c.id}`, { daily_budget: 50 });
		assert.equal(low.data.error.error_subcode, 1885272);
		const badToken = await axios.get(`${sb.urls.meta}/v21.0/act_1029384756001`, { params: { access_token: 'nope' }, validateStatus: () => true });
		assert.equal(badToken.status, 400);
		assert.equal(badToken.data.error.code, 190);
		assert.equal(badToken.data.error.type, 'OAuthException');
		assert.ok(badToken.data.error.fbtrace_id);
		const proof = createHmac('sha256', sb.credentials.meta.appSecret).update(sb.credentials.meta.accessToken).digest('hex');
		assert.equal((await meta.get('/act_1029384756001', { params: { appsecret_proof: proof } })).status, 200);
		assert.equal((await meta.get('/act_1029384756001', { params: { appsecret_proof: 'bad' } })).data.error.code, 100);
		assert.equal((await meta.get('/act_1029384756001/insights', { params: { fields: 'spend,bogus' } })).data.error.code, 100);
	});

	it('Meta comments behind ads (incl. dark posts): list with paging and since, hide, reply, delete', async () => {
		const ads = await meta.get('/act_1029384756001/ads', { params: { fields: 'id,name,campaign_id,creative{effective_object_story_id}' } });
		const storyIds: string[] = ads.data.data.map((a: { creative: { effective_object_story_id: string } }) => a.creative.effective_object_story_id);
		assert.ok(storyIds.length >= 4 && storyIds.every(Boolean));
		assert.ok(storyIds.some((id) => sb.world.meta.posts.find((p) => p.id === id)?.published === false), 'an ad runs on a dark post');
		const postId = storyIds.find((id) => sb.world.meta.comments.filter((c) => c.postId === id).length >= 6)!;
		const expected = sb.world.meta.comments.filter((c) => c.postId === postId);
		const seen: Array<{ id: string; message: string; created_time: string }> = [];
		let after: string | undefined;
		do {
			const res = await meta.get(`/${postId}/comments`, { params: { filter: 'stream', limit: 4, fields: 'id,message,created_time,from,is_hidden', ...(after ? { after } : {}) } });
			seen.push(...res.data.data);
			after = res.data.paging?.next ? res.data.paging.cursors.after : undefined;
		} while (after);
		assert.deepEqual(seen.map((c) => c.id).sort(), expected.map((c) => c.id).sort());
		const mid = seen[Math.floor(seen.length / 2)]!;
		const since = Math.floor(Date.parse(mid.created_time.replace('+0000', 'Z')) / 1000);
		const recent = await meta.get(`/${postId}/comments`, { params: { filter: 'stream', since, limit: 100 } });
		assert.ok(recent.data.data.length < seen.length && recent.data.data.length >= 1);

		const target = seen[0]!;
		assert.deepEqual((await meta.post(`/${target.id}`, new URLSearchParams({ is_hidden: 'true' }))).data, { success: true });
		assert.equal(sb.world.meta.comments.find((c) => c.id === target.id)!.isHidden, true);
		const reply = await meta.post(`/${target.id}/comments`, new URLSearchParams({ message: 'Thanks, we will DM you.' }));
		assert.match(reply.data.id, /^\d+_\d+$/);
		const del = await meta.delete(`/${seen[1]!.id}`);
		assert.deepEqual(del.data, { success: true });
		const gone = await meta.get(`/${seen[1]!.id}`);
		assert.equal(gone.data.error.error_subcode, 33);
	});

	it('LinkedIn adAnalytics (Rest.li 2.0) matches the world; requires version headers; campaign partial update', async () => {
		const li = axios.create({ baseURL: `${sb.urls.linkedin}/rest`, headers: { Authorization: `Bearer ${sb.credentials.linkedin.accessToken}`, 'LinkedIn-Version': '202503', 'X-Restli-Protocol-Version': '2.0.0' }, validateStatus: () => true });
		const account = findAccount(sb.world, 'linkedin', '508765432')!;
		const q = `q=analytics&pivot=CAMPAIGN&timeGranularity=DAILY&dateRange=(start:(year:2025,month:2,day:1),end:(year:2025,month:2,day:28))&accounts=List(${encodeURIComponent('urn:li:sponsoredAccount:508765432')})&fields=dateRange,pivotValues,impressions,clicks,costInLocalCurrency,oneClickLeads,externalWebsiteConversions,conversionValueInLocalCurrency`;
		const res = await li.get(`/adAnalytics?${q}`);
		assert.equal(res.status, 200, JSON.stringify(res.data));
		const els = res.data.elements as Array<{ costInLocalCurrency: string; impressions: number; oneClickLeads: number; pivotValues: string[]; dateRange: { start: { day: number } } }>;
		assert.ok(els[0]!.pivotValues[0]!.startsWith('urn:li:sponsoredCampaign:'));
		const truth = accountTotals(account, '2025-02-01', '2025-02-28');
		assert.equal(els.reduce((s, e) => s + Math.round(Number(e.costInLocalCurrency) * 100), 0), Math.round(truth.spend * 100));
		assert.equal(els.reduce((s, e) => s + e.impressions, 0), truth.impressions);
		assert.equal(els.reduce((s, e) => s + e.oneClickLeads, 0), truth.leads);
		const unencoded = await li.get(`/adAnalytics?q=analytics&pivot=CAMPAIGN&timeGranularity=DAILY&dateRange=(start:(year:2025,month:2,day:1))&accounts=List(urn:li:sponsoredAccount:508765432)`);
		assert.equal(unencoded.status, 400);
		const noVersion = await axios.get(`${sb.urls.linkedin}/rest/adAccounts/508765432`, { headers: { Authorization: `Bearer ${sb.credentials.linkedin.accessToken}`, 'X-Restli-Protocol-Version': '2.0.0' }, validateStatus: () => true });
		assert.equal(noVersion.data.code, 'VERSION_MISSING');
		const badToken = await axios.get(`${sb.urls.linkedin}/rest/adAccounts/508765432`, { headers: { Authorization: 'Bearer x', 'LinkedIn-Version': '202503', 'X-Restli-Protocol-Version': '2.0.0' }, validateStatus: () => true });
		assert.equal(badToken.status, 401);
		assert.equal(badToken.data.code, 'INVALID_ACCESS_TOKEN');
		const acc = await li.get('/adAccounts/508765432');
		assert.equal(acc.data.currency, 'GBP');
		const campaigns = await li.get('/adAccounts/508765432/adCampaigns?q=search&search=(status:(values:List(ACTIVE,PAUSED)))&pageSize=2');
		assert.equal(campaigns.data.elements.length, 2);
		assert.ok(campaigns.data.metadata.nextPageToken);
		const id = campaigns.data.elements[0].id;
		const patch = await li.post(`/adAccounts/508765432/adCampaigns/${id}`, { patch: { $set: { status: 'PAUSED', dailyBudget: { amount: '75.00', currencyCode: 'GBP' } } } }, { headers: { 'X-RestLi-Method': 'PARTIAL_UPDATE' } });
		assert.equal(patch.status, 204);
		const after = await li.get(`/adAccounts/508765432/adCampaigns/${id}`);
		assert.equal(after.data.status, 'PAUSED');
		assert.deepEqual(after.data.dailyBudget, { amount: '75.00', currencyCode: 'GBP' });
	});

	it('Klaviyo accounts, metrics and values reports sum the world over the timeframe', async () => {
		const kl = axios.create({ baseURL: `${sb.urls.klaviyo}/api`, headers: { Authorization: `Klaviyo-API-Key ${sb.credentials.klaviyo.apiKey}`, revision: '2025-07-15', 'content-type': 'application/vnd.api+json' }, validateStatus: () => true });
		const acc = await kl.get('/accounts/');
		assert.equal(acc.data.data[0].attributes.preferred_currency, 'USD');
		const metrics = await kl.get('/metrics/');
		const placed = metrics.data.data.find((m: { attributes: { name: string } }) => m.attributes.name === 'Placed Order');
		const body = (type: string) => ({ data: { type, attributes: { statistics: ['recipients', 'conversions', 'conversion_value', 'open_rate'], timeframe: { start: '2025-02-01T00:00:00+00:00', end: '2025-03-01T00:00:00+00:00' }, conversion_metric_id: placed.id } } });
		const flows = await kl.post('/flow-values-reports/', body('flow-values-report'));
		assert.equal(flows.status, 200, JSON.stringify(flows.data));
		const results = flows.data.data.attributes.results as Array<{ groupings: { flow_id: string }; statistics: Record<string, number> }>;
		assert.equal(results.length, 3);
		for (const r of results) {
			const flow = sb.world.klaviyo.flows.find((f) => f.id === r.groupings.flow_id)!;
			const days = flow.daily.filter((d) => d.date >= '2025-02-01' && d.date <= '2025-02-28');
			assert.equal(r.statistics.recipients, days.reduce((s, d) => s + d.recipients, 0));
			assert.equal(Math.round(r.statistics.conversion_value! * 100), Math.round(days.reduce((s, d) => s + d.conversionValue, 0) * 100));
			assert.ok(r.statistics.open_rate! > 0 && r.statistics.open_rate! < 1);
		}
		const campaigns = await kl.post('/campaign-values-reports/', body('campaign-values-report'));
		assert.ok(campaigns.data.data.attributes.results.length >= 2);
		assert.equal(campaigns.data.data.attributes.results[0].groupings.send_channel, 'email');
		const wrongType = await kl.post('/flow-values-reports/', body('campaign-values-report'));
		assert.equal(wrongType.status, 409);
		// Names inherited from Object.prototype are not statistics or timeframe keys.
		const inherited = await kl.post('/flow-values-reports/', { data: { type: 'flow-values-report', attributes: { ...body('flow-values-report').data.attributes, statistics: ['toString'] } } });
		assert.equal(inherited.status, 400);
		assert.equal(inherited.data.errors[0].detail, "'toString' is not a valid statistic.");
		const inheritedKey = await kl.post('/flow-values-reports/', { data: { type: 'flow-values-report', attributes: { ...body('flow-values-report').data.attributes, timeframe: { key: 'constructor' } } } });
		assert.equal(inheritedKey.status, 400);
		assert.equal(inheritedKey.data.errors[0].detail, "'constructor' is not a valid timeframe key.");
		const badKey = await axios.get(`${sb.urls.klaviyo}/api/accounts/`, { headers: { Authorization: 'Klaviyo-API-Key pk_bad', revision: '2025-07-15' }, validateStatus: () => true });
		assert.equal(badKey.status, 401);
		assert.equal(badKey.data.errors[0].code, 'not_authenticated');
	});

	it('faults: 5xx burst then success, malformed body, timeout, latency, path patterns', async () => {
		const res = await fetch(`${sb.url}/_admin/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ faults: [{ route: 'meta.campaigns', kind: '5xx', status: 503, count: 3 }] }) });
		assert.equal(res.status, 200);
		const statuses: number[] = [];
		for (let i = 0; i < 4; i++) statuses.push((await meta.get('/act_1029384756001/campaigns')).status);
		assert.deepEqual(statuses, [503, 503, 503, 200]);
		const err = await meta.get('/act_1029384756001/campaigns').then(() => null);
		assert.equal(err, null);

		sb.injectFault({ route: 'GET /klaviyo/api/metrics*', kind: 'malformed', malformed: 'truncated' });
		const raw = await fetch(`${sb.urls.klaviyo}/api/metrics/`, { headers: { Authorization: `Klaviyo-API-Key ${sb.credentials.klaviyo.apiKey}`, revision: '2025-07-15' } });
		assert.equal(raw.status, 200);
		await assert.rejects(raw.json(), SyntaxError);

		sb.injectFault({ route: 'meta.insights', kind: 'timeout' });
		const t0 = Date.now();
		await assert.rejects(meta.get('/act_1029384756001/insights', { timeout: 300 }), /timeout/);
		assert.ok(Date.now() - t0 < 2000);

		sb.injectFault({ route: 'linkedin.*', kind: 'latency', latencyMs: 250 });
		const t1 = Date.now();
		const li = await axios.get(`${sb.urls.linkedin}/rest/adAccounts/508123456`, { headers: { Authorization: `Bearer ${sb.credentials.linkedin.accessToken}`, 'LinkedIn-Version': '202503', 'X-Restli-Protocol-Version': '2.0.0' } });
		assert.equal(li.status, 200);
		assert.ok(Date.now() - t1 >= 240);

		sb.injectFault({ route: 'meta.insights', kind: '429', retryAfter: 7 });
		const limited = await meta.get('/act_1029384756001/insights');
		assert.equal(limited.status, 429);
		assert.equal(limited.headers['retry-after'], '7');
		assert.equal(limited.data.error.code, 17);
		const log = (await (await fetch(`${sb.url}/_admin/requests?route=meta.insights`)).json()) as { requests: Array<{ fault?: string }> };
		assert.deepEqual(log.requests.slice(-2).map((r) => r.fault), ['timeout', '429']);
		assert.equal((await fetch(`${sb.url}/_admin/faults`, { method: 'DELETE' })).status, 200);
	});
});
