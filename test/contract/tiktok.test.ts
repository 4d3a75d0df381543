/**
 * TikTok Ads, the fifth platform, against the sandbox: the adapter (reports
 * in the advertiser's currency and time zone, paging, 30-day report windows,
 * campaign state and control), TikTok's envelope and codes (40100 throttling
 * with HTTP 200, 5xx, a malformed body, a bad token, an unknown advertiser, an
 * unknown API version), the credential test, and the ingest run end to end on
 * PGlite and, when DATABASE_URL is set, PostgreSQL.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, it } from 'vitest';
import pg from 'pg';
import { startSandbox, type Sandbox } from '../../scripts/sandbox';
import { addDays } from '../../scripts/sandbox/rng';
import { adOpsTikTokAdsApiTest, platformSettings } from '../../nodes/common/platforms';
import { runIngest } from '../../nodes/shared/ingest';
import { createPlatformAdapter } from '../../nodes/shared/platforms/factory';
import { PLATFORM_REGISTRY } from '../../nodes/shared/platforms/registry';
import { TikTokAdsAdapter } from '../../nodes/shared/platforms/tiktok';
import { PlatformApiError } from '../../nodes/shared/resilience/errors';
import { sideEffectOutcome } from '../../nodes/shared/resilience/outcome';
import { openStore, type Store } from '../../nodes/shared/store';

const TODAY = '2026-12-06';
const FAST = { retry: { maxRetries: 3, initialDelayMs: 1, maxDelayMs: 5 }, breaker: false as const };

let sb: Sandbox;
beforeAll(async () => {
	sb = await startSandbox({ seed: 5, today: TODAY });
});
afterAll(() => sb?.close());

function adapter(extra: { accessToken?: string; apiVersion?: string; pageSize?: number } = {}): TikTokAdsAdapter {
	return new TikTokAdsAdapter({ accessToken: extra.accessToken ?? sb.credentials.tiktok.accessToken, baseUrl: sb.urls.tiktok, apiVersion: extra.apiVersion, pageSize: extra.pageSize, ...FAST });
}

/** The world's delivery of an advertiser over [since, until]: one entry per campaign-day with impressions. */
function truth(advertiserId: string, since: string, until: string) {
	const a = sb.world.tiktok.advertisers.find((x) => x.id === advertiserId)!;
	return a.campaigns.flatMap((c) => c.daily.filter((d) => d.date >= since && d.date <= until && d.impressions > 0).map((d) => ({ campaignId: c.id, ...d })));
}

function key(r: { campaignId: string; date: string }): string {
	return `${r.campaignId}|${r.date}`;
}

describe('TikTok adapter against the sandbox', () => {
	it('reads each advertiser: name, currency and its IANA time zone', async () => {
		const a = adapter();
		for (const w of sb.world.tiktok.advertisers) {
			const info = await a.describeAccount(w.id);
			assert.deepEqual([info.platform, info.accountId, info.name, info.currency, info.timezone], ['tiktok', w.id, w.name, w.currency, w.timezone]);
		}
	});

	it('fetches daily campaign metrics equal to the world to the cent, over two 30-day report windows and many pages', async () => {
		const since = addDays(TODAY, -45);
		const until = addDays(TODAY, -1);
		for (const w of sb.world.tiktok.advertisers) {
			const before = sb.requests({ route: 'tiktok.report' }).length;
			const result = await adapter({ pageSize: 7 }).fetchDailyMetrics({ accountId: w.id, since, until });
			const reports = sb.requests({ route: 'tiktok.report' }).slice(before);
			const expected = truth(w.id, since, until);
			assert.equal(result.rows.length, expected.length, `${w.name}: one row per campaign-day with delivery`);
			assert.ok(reports.length >= Math.ceil(expected.length / 7), `${w.name}: paged (${reports.length} report requests)`);
			const windows = new Set(reports.map((r) => `${r.query.start_date}..${r.query.end_date}`));
			assert.deepEqual([...windows], [`${since}..${addDays(since, 29)}`, `${addDays(since, 30)}..${until}`], 'two report windows of at most 30 days');
			const byKey = new Map(result.rows.map((r) => [key(r), r]));
			for (const d of expected) {
				const row = byKey.get(key({ campaignId: d.campaignId, date: d.date }));
				assert.ok(row, `${d.campaignId} ${d.date}`);
				assert.equal(row.currency, w.currency);
				assert.equal(row.spend, d.spend, `spend ${d.campaignId} ${d.date} in ${w.currency}`);
				assert.equal(row.revenue, d.revenue);
				assert.deepEqual([row.impressions, row.clicks, row.conversions, row.leads], [d.impressions, d.clicks, d.conversions, d.leads]);
				assert.equal(row.campaignName, w.campaigns.find((c) => c.id === d.campaignId)!.name);
			}
		}
	});

	it('throttling is answered in TikTok\'s shape (HTTP 200, code 40100, no Retry-After) and retried; nothing lost', async () => {
		const w = sb.world.tiktok.advertisers[0]!;
		// the shape, as a client sees it
		sb.injectFault({ route: 'tiktok.advertiserInfo', kind: '429' });
		const raw = await fetch(`${sb.urls.tiktok}/open_api/v1.3/advertiser/info/?advertiser_ids=${encodeURIComponent(JSON.stringify([w.id]))}`, { headers: { 'Access-Token': sb.credentials.tiktok.accessToken } });
		const body = (await raw.json()) as { code: number; message: string; request_id: string; data: unknown };
		assert.equal(raw.status, 200);
		assert.equal(raw.headers.get('retry-after'), null);
		assert.equal(body.code, 40100);
		assert.match(body.message, /Too many requests/);
		assert.equal(typeof body.request_id, 'string');
		sb.clearFaults();

		const since = addDays(TODAY, -10);
		const until = addDays(TODAY, -1);
		sb.injectFault({ route: 'tiktok.report', kind: '429', count: 2 });
		const a = adapter();
		const result = await a.fetchDailyMetrics({ accountId: w.id, since, until });
		assert.equal(result.rows.length, truth(w.id, since, until).length);
		assert.equal(result.meta.retries, 2, 'two throttled answers, two retries');
	});

	it('survives a 5xx and a malformed body with every row', async () => {
		const w = sb.world.tiktok.advertisers[1]!;
		const since = addDays(TODAY, -12);
		const until = addDays(TODAY, -1);
		for (const fault of [{ kind: '5xx' as const, status: 503 }, { kind: 'malformed' as const }]) {
			sb.injectFault({ route: 'tiktok.report', ...fault });
			const result = await adapter().fetchDailyMetrics({ accountId: w.id, since, until });
			assert.equal(result.rows.length, truth(w.id, since, until).length, `${fault.kind}: nothing lost`);
			assert.equal(result.meta.retries, 1, `${fault.kind}: retried once`);
		}
		sb.clearFaults();
	});

	it('says what is wrong: bad token, unknown advertiser, unknown API version, exhausted retries', async () => {
		const w = sb.world.tiktok.advertisers[0]!;
		await assert.rejects(adapter({ accessToken: 'not-the-token' }).describeAccount(w.id), (e: unknown) => e instanceof PlatformApiError && e.kind === 'auth' && e.code === 40105 && /new long-term token/.test(e.message) && !e.message.includes('not-the-token'));
		await assert.rejects(adapter().describeAccount('7019999999999'), (e: unknown) => e instanceof PlatformApiError && e.kind === 'permission' && /advertiser 7019999999999/.test(e.message));
		await assert.rejects(adapter({ apiVersion: 'v1.2' }).describeAccount(w.id), (e: unknown) => e instanceof PlatformApiError && e.kind === 'bad_request' && e.code === 40051 && /v1\.3/.test(e.message));
		sb.injectFault({ route: 'tiktok.advertiserInfo', kind: '429', count: 10 });
		await assert.rejects(adapter().describeAccount(w.id), (e: unknown) => e instanceof PlatformApiError && e.kind === 'rate_limited' && e.code === 40100 && /throttling/.test(e.message));
		sb.clearFaults();
	});

	it('reads campaign state and pauses, re-activates and sets a daily budget in the advertiser currency', async () => {
		const w = sb.world.tiktok.advertisers[1]!; // JPY
		const c = w.campaigns.find((x) => x.status === 'ACTIVE')!;
		const a = adapter();
		const states = await a.listCampaignStates(w.id);
		assert.equal(states.campaigns.length, w.campaigns.length);
		const state = (await a.getCampaignState(w.id, c.id))!;
		assert.deepEqual([state.status, state.platformStatus, state.dailyBudget, state.currency, state.timezone, state.budgetEditable], ['ACTIVE', 'ENABLE', c.dailyBudget, 'JPY', 'Asia/Tokyo', true]);
		assert.equal(state.createdAt, `${c.createdDate}T00:00:00.000Z`);
		assert.equal(await a.getCampaignState(w.id, '1790000000009999'), null);

		const paused = await a.setStatus({ accountId: w.id, campaignId: c.id, status: 'PAUSED' });
		assert.equal(paused.call, 'setStatus');
		assert.equal(c.status, 'PAUSED');
		assert.equal((await a.getCampaignState(w.id, c.id))!.status, 'PAUSED');
		await a.setStatus({ accountId: w.id, campaignId: c.id, status: 'ACTIVE' });
		assert.equal(c.status, 'ACTIVE');

		const target = c.dailyBudget + 1200;
		const set = await a.setDailyBudget({ accountId: w.id, campaignId: c.id, dailyBudget: target, currency: 'JPY' });
		assert.equal(set.request.platformAmount, String(target));
		assert.equal(c.dailyBudget, target);
		await assert.rejects(a.setDailyBudget({ accountId: w.id, campaignId: c.id, dailyBudget: 10, currency: 'USD' }), (e: unknown) => e instanceof PlatformApiError && e.kind === 'config');
		await assert.rejects(a.setStatus({ accountId: w.id, campaignId: c.id, status: 'PAUSED', validateOnly: true }), /no validate-only mode/);
		assert.equal(c.status, 'ACTIVE', 'validate-only sent nothing');
	});

	it('a budget change whose answer is lost is applied once and never reported as failed', async () => {
		const w = sb.world.tiktok.advertisers[0]!;
		const c = w.campaigns[0]!;
		const target = c.dailyBudget + 7;
		const before = sb.requests({ route: 'tiktok.campaignUpdate' }).length;
		sb.injectFault({ route: 'tiktok.campaignUpdate', kind: '5xx', afterEffect: true, count: 10 });
		const error = await adapter().setDailyBudget({ accountId: w.id, campaignId: c.id, dailyBudget: target, currency: 'USD' }).then(() => undefined, (e: unknown) => e);
		sb.clearFaults();
		assert.ok(error instanceof PlatformApiError && error.kind === 'server');
		assert.equal(sideEffectOutcome(error), 'unknown', 'a lost answer is unknown, not failed');
		assert.equal(c.dailyBudget, target, 'the platform applied it (to the same value on every attempt)');
		assert.equal(c.budgetHistory.filter((h) => h.date === TODAY).length, 1, 'one budget in force from today');
		assert.equal(sb.requests({ route: 'tiktok.campaignUpdate' }).length - before, 4, 'idempotent: the first attempt and three retries');
	});
});

describe('TikTok credential test', () => {
	const data = (over: Record<string, unknown> = {}) => ({ accessToken: sb.credentials.tiktok.accessToken, advertiserIds: sb.world.tiktok.advertisers.map((a) => a.id).join(', '), baseUrl: sb.urls.tiktok, ...over });
	const test = (d: Record<string, unknown>) => adOpsTikTokAdsApiTest.call({} as never, { id: 'x', name: 'TikTok', type: 'adOpsTikTokAdsApi', data: d as never });

	it('names every advertiser it read, or what is wrong', async () => {
		const okResult = await test(data());
		assert.equal(okResult.status, 'OK');
		for (const a of sb.world.tiktok.advertisers) assert.ok(okResult.message.includes(`${a.name} (${a.id}, ${a.currency}, ${a.timezone})`), okResult.message);
		const bad = await test(data({ accessToken: 'wrong' }));
		assert.equal(bad.status, 'Error');
		assert.match(bad.message, /TikTok rejected the access token/);
		const none = await test(data({ advertiserIds: '' }));
		assert.match(none.message, /Add at least one account ID/);
		const unknown = await test(data({ advertiserIds: '7019999999999' }));
		assert.match(unknown.message, /cannot read advertiser 7019999999999/);
	});

	it('maps the credential to settings with the registry version as default', () => {
		const s = platformSettings('tiktok', data());
		assert.equal(s.platform, 'tiktok');
		const a = createPlatformAdapter(s) as TikTokAdsAdapter;
		assert.equal(a.apiVersion, PLATFORM_REGISTRY.tiktok.api.version);
	});
});

/** PGlite always; PostgreSQL in a throw-away schema when DATABASE_URL is set. */
const STORES: Array<{ name: string; open: () => Promise<{ store: Store; cleanup: () => Promise<void> }> }> = [
	{
		name: 'PGlite',
		open: async () => {
			const dir = mkdtempSync(join(tmpdir(), 'tiktok-ingest-'));
			const store = await openStore({ kind: 'embedded', path: dir });
			return { store, cleanup: async () => { await store.close(); rmSync(dir, { recursive: true, force: true }); } };
		},
	},
	...(process.env.DATABASE_URL
		? [
				{
					name: 'PostgreSQL',
					open: async () => {
						const url = process.env.DATABASE_URL!;
						const schema = `tiktok_${randomBytes(4).toString('hex')}`;
						const store = await openStore({ kind: 'postgres', connectionString: url, ssl: 'disable', schema });
						return {
							store,
							cleanup: async () => {
								await store.close();
								const client = new pg.Client({ connectionString: url });
								await client.connect();
								await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
								await client.end();
							},
						};
					},
				},
			]
		: []),
];

for (const { name, open } of STORES) {
	describe(`TikTok ingest end to end (${name})`, () => {
		it('stores every campaign-day to the cent in the advertiser currency, then a rerun writes nothing', async () => {
			const { store, cleanup } = await open();
			try {
				const now = () => new Date(`${TODAY}T18:00:00Z`);
				for (const w of sb.world.tiktok.advertisers) {
					const run = () => runIngest({ store, adapter: adapter({ pageSize: 50 }), accountId: w.id, reportingCurrency: w.currency, initialBackfillDays: 35, now });
					const first = await run();
					assert.equal(first.status, 'success', `${w.name}: ${first.error?.message}`);
					assert.equal(first.platform, 'tiktok');
					assert.equal(first.timezone, w.timezone);
					const expected = truth(w.id, first.window!.start, first.window!.end);
					assert.equal(first.rowsWritten, expected.length);
					const stored = await store.select('campaign_performance', { where: { platform: 'tiktok', account_id: w.id } });
					assert.equal(stored.length, expected.length);
					const byKey = new Map(stored.map((r) => [`${r.campaign_id}|${r.date}`, r]));
					for (const d of expected) {
						const row = byKey.get(key(d))!;
						assert.ok(row, `${d.campaignId} ${d.date} stored`);
						assert.deepEqual([row.currency, row.source_currency, Number(row.spend), Number(row.revenue), row.impressions, row.clicks, Number(row.conversions), Number(row.leads)], [w.currency, w.currency, d.spend, d.revenue, d.impressions, d.clicks, d.conversions, d.leads]);
					}
					const again = await runIngest({ store, adapter: adapter({ pageSize: 50 }), accountId: w.id, reportingCurrency: w.currency, window: first.window!, now });
					assert.equal(again.status, 'success');
					assert.deepEqual([again.rowsWritten, again.rowsUnchanged], [0, expected.length], 'a rerun of the window changes nothing');
				}
			} finally {
				await cleanup();
			}
		});
	});
}
