/**
 * The ingest core against a real database: PGlite always, PostgreSQL when
 * DATABASE_URL is set (fresh random schema, dropped afterwards). Adapters are
 * small in-test fakes implementing PlatformAdapter.
 */
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, test } from 'vitest';
import fc from 'fast-check';
import { Pool } from 'pg';
import { derivedMetrics, qualityReport, quarantineHash, runIngest, runIngestAll, type IngestOutcome } from '../../nodes/shared/ingest';
import type { DailyMetricRow, DailyMetricsQuery, PlatformAdapter, PlatformId } from '../../nodes/shared/platforms/types';
import { PlatformApiError } from '../../nodes/shared/resilience/errors';
import type { RowInput } from '../../nodes/shared/schema/rows';
import { openStore, type Store } from '../../nodes/shared/store';

const DATABASE_URL = process.env.DATABASE_URL;

interface FakeAdapter extends PlatformAdapter {
	calls: DailyMetricsQuery[];
	rows: DailyMetricRow[];
	failWith?: Error;
}

function fakeAdapter(platform: PlatformId, rows: DailyMetricRow[], account: { currency: string; timezone: string }): FakeAdapter {
	const adapter: FakeAdapter = {
		platform,
		calls: [],
		rows,
		async describeAccount(accountId) {
			return { platform, accountId, name: 'Test account', currency: account.currency, timezone: account.timezone, status: 'ACTIVE', raw: {} };
		},
		async listCampaigns() {
			return { campaigns: [], meta: { requests: 0, retries: 0, retryWaitMs: 0, throttleWaitMs: 0, rateLimitWaitMs: 0, pages: 0 } };
		},
		async fetchDailyMetrics(query) {
			adapter.calls.push(query);
			if (adapter.failWith) throw adapter.failWith;
			return {
				rows: adapter.rows.filter((r) => r.accountId === query.accountId && r.date >= query.since && r.date <= query.until),
				account: await adapter.describeAccount(query.accountId),
				meta: { requests: 1, retries: 0, retryWaitMs: 0, throttleWaitMs: 0, rateLimitWaitMs: 0, pages: 1 },
				warnings: [],
			};
		},
	};
	return adapter;
}

function metaRow(accountId: string, campaignId: string, date: string, over: Partial<DailyMetricRow> = {}): DailyMetricRow {
	const row: DailyMetricRow = {
		platform: 'meta',
		accountId,
		campaignId,
		campaignName: `Campaign ${campaignId}`,
		date,
		currency: 'EUR',
		spend: 100.1,
		impressions: 12_000,
		clicks: 240,
		conversions: 6,
		revenue: 512.4,
		leads: null,
		raw: null,
		...over,
	};
	row.raw = { campaign_id: campaignId, date_start: date, spend: String(row.spend), impressions: String(row.impressions), clicks: String(row.clicks) };
	return row;
}

const days = (from: string, n: number) => Array.from({ length: n }, (_, i) => new Date(Date.parse(from) + i * 86_400_000).toISOString().slice(0, 10));
const at = (iso: string) => () => new Date(iso);

async function snapshot(store: Store, accountId: string) {
	return store.select('campaign_performance', {
		where: { account_id: accountId },
		order: [{ column: 'campaign_id' }, { column: 'date' }],
	});
}

function registerIngestSuite(name: string, open: () => Promise<Store>) {
	describe(`ingest on ${name}`, () => {
		let store: Store;
		beforeAll(async () => {
			store = await open();
			const rates: Array<RowInput<'fx_rates'>> = days('2025-05-20', 30).map((d, i) => ({
				base: 'EUR',
				quote: 'USD',
				rate_date: d,
				rate: 1.1 + i / 1000,
				source: 'test',
			}));
			await store.upsert('fx_rates', rates);
		});

		test('derived metrics equal the generated columns on the same rows', async () => {
			const money = fc.oneof(
				fc.constantFrom(0, 0.01, 0.1, 1, 99.99, 1234.5, 0.07),
				fc.integer({ min: 0, max: 50_000_000 }).map((c) => c / 100),
				fc.integer({ min: 0, max: 10_000_000 }).map((c) => c / 1000),
			);
			const count = fc.oneof(fc.constantFrom(0, 1, 3, 7, 9_999), fc.integer({ min: 0, max: 5_000_000 }));
			const frac = fc.oneof(fc.constantFrom(0, 0.5, 1, 3), fc.integer({ min: 0, max: 100_000 }).map((x) => x / 100));
			const samples = fc.sample(
				fc.record({ spend: money, impressions: count, clicks: count, conversions: frac, revenue: fc.option(money), leads: fc.option(frac) }),
				{ numRuns: 400, seed: 42 },
			);
			const accountId = `metrics_${randomUUID().slice(0, 8)}`;
			const rows = samples.map((s, i) => ({
				date: '2025-06-01',
				platform: 'meta' as const,
				account_id: accountId,
				campaign_id: `c${i}`,
				currency: 'USD',
				...s,
				clicks: Math.min(s.clicks, s.impressions),
			}));
			await store.upsert('campaign_performance', rows);
			const stored = await store.select('campaign_performance', { where: { account_id: accountId } });
			assert.equal(stored.length, rows.length);
			let nulls = 0;
			let naiveDiffers = 0;
			for (const row of stored) {
				if (row.clicks > 0 && row.cpc !== row.spend / row.clicks) naiveDiffers++;
				const ours = derivedMetrics(row);
				const theirs = { ctr: row.ctr, cpc: row.cpc, cpa: row.cpa, cpl: row.cpl, roas: row.roas };
				assert.deepEqual(ours, theirs, JSON.stringify(row));
				nulls += Object.values(ours).filter((v) => v === null).length;
			}
			assert.ok(nulls > 50, 'the sample exercises zero denominators');
			assert.ok(naiveDiffers > 0, 'float division disagrees with numeric on some rows, so this comparison can fail');
		});

		test('first run backfills, second run of the same window changes nothing, a correction overwrites', async () => {
			const accountId = `acct_${randomUUID().slice(0, 8)}`;
			const rows = [
				...days('2025-06-06', 5).flatMap((d) => [metaRow(accountId, 'A', d), metaRow(accountId, 'B', d, { spend: 55.55, revenue: null })]),
				metaRow(accountId, 'C', '2025-06-07', { spend: -4 }),
				metaRow(accountId, 'D', '2025-06-08', { impressions: 10, clicks: 40 }),
			];
			const adapter = fakeAdapter('meta', rows, { currency: 'EUR', timezone: 'Europe/Berlin' });
			const base = { store, adapter, accountId, reportingCurrency: 'USD', lookbackDays: 3, initialBackfillDays: 5 };

			const first = await runIngest({ ...base, now: at('2025-06-11T04:00:00Z') });
			assert.equal(first.status, 'partial', JSON.stringify(first.error));
			assert.deepEqual(first.window, { start: '2025-06-06', end: '2025-06-10', mode: 'backfill' });
			assert.deepEqual(adapter.calls.at(-1), { accountId, since: '2025-06-06', until: '2025-06-10', signal: undefined });
			assert.deepEqual([first.rowsFetched, first.rowsWritten, first.rowsUnchanged, first.rowsQuarantined, first.quarantineRecordsAdded], [12, 10, 0, 2, 2]);
			assert.equal(first.timezone, 'Europe/Berlin');

			const [run] = await store.select('ingest_runs', { where: { id: first.runId } });
			assert.equal(run.outcome, 'partial');
			assert.equal(run.window_start, '2025-06-06');
			assert.equal(run.window_end, '2025-06-10');
			assert.equal(run.rows_written, 10);
			assert.equal(run.rows_quarantined, 2);
			assert.equal(run.rows_unchanged, 0);
			assert.equal(run.rows_flagged, 0);
			assert.deepEqual(run.warnings, []);
			assert.ok(run.duration_ms !== null && run.duration_ms >= 0);
			assert.ok(run.finished_at);

			const quarantine = await store.select('quarantine', { where: { ingest_run_id: first.runId }, order: { column: 'reason' } });
			assert.deepEqual(
				quarantine.map((q) => q.reason),
				[
					`meta account ${accountId} campaign C on 2025-06-07: spend: negative (got -4)`,
					`meta account ${accountId} campaign D on 2025-06-08: clicks (40) > impressions (10)`,
				],
			);
			assert.deepEqual(quarantine[0].raw_payload, { campaign_id: 'C', date_start: '2025-06-07', spend: '-4', impressions: '12000', clicks: '240' });
			for (const q of quarantine) assert.equal(q.content_hash, quarantineHash(q.platform, q.account_id, q.raw_payload, q.reason));

			// converted with the rate of the row's date, to the cent
			const before = await snapshot(store, accountId);
			const a0609 = before.find((r) => r.campaign_id === 'A' && r.date === '2025-06-09')!;
			const rate0609 = 1.1 + 20 / 1000; // 2025-05-20 + 20 days
			assert.deepEqual([a0609.fx_rate, a0609.fx_rate_date, a0609.source_currency, a0609.currency], [rate0609, '2025-06-09', 'EUR', 'USD']);
			assert.equal(a0609.spend, 112.11); // 100.1 × 1.12 = 112.112
			assert.equal(a0609.revenue, 573.89); // 512.4 × 1.12 = 573.888
			assert.equal(a0609.ingest_run_id, first.runId);

			// the same window again: the table is identical, quarantine not duplicated
			const second = await runIngest({ ...base, now: at('2025-06-11T05:00:00Z'), window: { start: '2025-06-06', end: '2025-06-10' } });
			assert.equal(second.status, 'partial');
			assert.deepEqual([second.rowsWritten, second.rowsUnchanged, second.rowsQuarantined, second.quarantineRecordsAdded], [0, 10, 2, 0]);
			assert.deepEqual(await snapshot(store, accountId), before);
			const allQuarantine = await store.select('quarantine', { where: { account_id: accountId } });
			assert.equal(allQuarantine.length, 2);
			assert.ok(allQuarantine.every((q) => q.ingest_run_id === first.runId), 'the first sighting is kept');
			const [run2] = await store.select('ingest_runs', { where: { id: second.runId } });
			assert.deepEqual([run2.rows_written, run2.rows_unchanged, run2.rows_quarantined], [0, 10, 2]);

			// next day: late conversions corrected a day inside the lookback, one new day
			adapter.rows = adapter.rows.map((r) => (r.campaignId === 'A' && r.date === '2025-06-09' ? { ...r, conversions: 8, revenue: 700 } : r));
			adapter.rows.push(metaRow(accountId, 'A', '2025-06-11'), metaRow(accountId, 'B', '2025-06-11'));
			const third = await runIngest({ ...base, now: at('2025-06-12T04:00:00Z') });
			assert.equal(third.status, 'partial'); // D on 06-08 is still bad and inside the window
			assert.deepEqual(third.window, { start: '2025-06-08', end: '2025-06-11', mode: 'incremental' });
			assert.deepEqual([third.rowsWritten, third.rowsUnchanged, third.quarantineRecordsAdded], [3, 5, 0]);
			const after3 = await snapshot(store, accountId);
			assert.equal(after3.length, 12);
			const corrected = after3.find((r) => r.campaign_id === 'A' && r.date === '2025-06-09')!;
			assert.deepEqual([corrected.conversions, corrected.revenue, corrected.ingest_run_id], [8, 784, third.runId]); // 700 × 1.12
			assert.equal(corrected.cpa, derivedMetrics(corrected).cpa);
			// untouched rows keep their run id and timestamps
			const untouched = after3.filter((r) => !(r.campaign_id === 'A' && r.date === '2025-06-09') && r.date <= '2025-06-10');
			assert.deepEqual(untouched, before.filter((r) => !(r.campaign_id === 'A' && r.date === '2025-06-09')));
		});

		test('missing FX rate and a future date are quarantined, the rest of the run continues', async () => {
			const accountId = `fx_${randomUUID().slice(0, 8)}`;
			const adapter = fakeAdapter(
				'meta',
				[
					metaRow(accountId, 'A', '2025-06-10', { currency: 'CHF' }),
					metaRow(accountId, 'B', '2025-06-10'),
					metaRow(accountId, 'E', '2025-06-10', { spend: 'NaN€' }),
				],
				{ currency: 'EUR', timezone: 'America/Los_Angeles' },
			);
			// a row dated "today" in Los Angeles is fine; the day after is the future
			adapter.fetchDailyMetrics = async (query) => ({
				rows: [...adapter.rows, metaRow(accountId, 'F', '2025-06-11', { raw: null })],
				account: await adapter.describeAccount(query.accountId),
				meta: { requests: 1, retries: 0, retryWaitMs: 0, throttleWaitMs: 0, rateLimitWaitMs: 0, pages: 1 },
				warnings: [],
			});
			const out = await runIngest({ store, adapter, accountId, reportingCurrency: 'USD', initialBackfillDays: 1, now: at('2025-06-11T05:00:00Z') });
			assert.equal(out.status, 'partial');
			assert.equal(out.rowsWritten, 1);
			assert.deepEqual(out.quarantineReasons.sort(), [
				`meta account ${accountId} campaign A on 2025-06-10: no FX rate CHF→USD on or before 2025-06-10`,
				`meta account ${accountId} campaign E on 2025-06-10: spend: not a number (got "NaN€")`,
				`meta account ${accountId} campaign F on 2025-06-11: 2025-06-11 is in the future (today in America/Los_Angeles is 2025-06-10)`,
			]);
			const stored = await store.select('quarantine', { where: { ingest_run_id: out.runId } });
			assert.equal(stored.length, 3);
		});

		test('one failing account does not lose the others; the failure is recorded with its hint', async () => {
			const ok1 = `iso1_${randomUUID().slice(0, 6)}`;
			const ok2 = `iso2_${randomUUID().slice(0, 6)}`;
			const bad = `iso3_${randomUUID().slice(0, 6)}`;
			const meta = fakeAdapter('meta', [metaRow(ok1, 'A', '2025-06-10'), metaRow(ok2, 'A', '2025-06-10')], { currency: 'EUR', timezone: 'UTC' });
			const google = fakeAdapter('google_ads', [], { currency: 'USD', timezone: 'UTC' });
			google.failWith = new PlatformApiError({
				platform: 'google_ads',
				accountId: bad,
				call: 'fetchDailyMetrics',
				kind: 'quota',
				code: 'RESOURCE_EXHAUSTED',
				retryable: true,
				retryAfterMs: 3_600_000,
				hint: 'Daily Google Ads API quota exhausted; the next run retries after the delay',
			});
			const thrower = fakeAdapter('linkedin', [], { currency: 'USD', timezone: 'UTC' });
			thrower.fetchDailyMetrics = async () => {
				throw new TypeError('Cannot read properties of undefined (reading elements)');
			};
			const outcomes: IngestOutcome[] = await runIngestAll(
				[
					{ adapter: meta, accountId: ok1 },
					{ adapter: google, accountId: bad },
					{ adapter: thrower, accountId: 'li_1' },
					{ adapter: meta, accountId: ok2 },
				],
				{ store, reportingCurrency: 'USD', initialBackfillDays: 1, now: at('2025-06-11T05:00:00Z'), concurrency: 2 },
			);
			assert.deepEqual(
				outcomes.map((o) => [o.platform, o.accountId, o.status]),
				[
					['meta', ok1, 'success'],
					['google_ads', bad, 'failed'],
					['linkedin', 'li_1', 'failed'],
					['meta', ok2, 'success'],
				],
			);
			const failed = outcomes[1];
			assert.equal(failed.error?.kind, 'quota');
			assert.equal(failed.error?.hint, 'Daily Google Ads API quota exhausted; the next run retries after the delay');
			assert.equal(failed.error?.retryAfterMs, 3_600_000);
			const [run] = await store.select('ingest_runs', { where: { id: failed.runId } });
			assert.equal(run.outcome, 'failed');
			assert.match(run.error ?? '', /^\[quota\] .*Daily Google Ads API quota exhausted.*\(retry after 3600 s\)$/);
			assert.equal(outcomes[2].error?.kind, 'internal');
			assert.equal((await store.select('campaign_performance', { where: { account_id: { in: [ok1, ok2] } } })).length, 2);
			// a failed run does not advance the window: the next run fetches the same days again
			const again = await runIngest({ store, adapter: google, accountId: bad, reportingCurrency: 'USD', initialBackfillDays: 1, now: at('2025-06-11T07:00:00Z') });
			assert.deepEqual(again.window, { start: '2025-06-10', end: '2025-06-10', mode: 'backfill' });
		});

		test('configuration errors fail the account, not the batch', async () => {
			const meta = fakeAdapter('meta', [], { currency: 'EUR', timezone: 'UTC' });
			const [out] = await runIngestAll([{ adapter: meta, accountId: 'x' }], { store, reportingCurrency: 'DOLLAR' });
			assert.equal(out.status, 'failed');
			assert.equal(out.error?.kind, 'config');
			assert.match(out.error?.message ?? '', /Reporting currency "DOLLAR" is not an ISO 4217 code/);
		});

		test('quality report is computed from the table and ingest runs and stored per report date', async () => {
			const platform: PlatformId = 'klaviyo'; // no other test uses it: the report covers the whole platform
			const accountId = `q_${randomUUID().slice(0, 6)}`;
			// 7 trailing days with 2 rows each, report date with 2 rows (one conversions > clicks)
			const rows: DailyMetricRow[] = days('2025-05-27', 8).flatMap((d) => [
				{ ...metaRow(accountId, 'A', d, { currency: 'USD' }), platform },
				{ ...metaRow(accountId, 'B', d, { currency: 'USD', clicks: d === '2025-06-03' ? 2 : 240 }), platform },
			]);
			const adapter = fakeAdapter(platform, rows, { currency: 'USD', timezone: 'UTC' });
			const out = await runIngest({ store, adapter, accountId, reportingCurrency: 'USD', initialBackfillDays: 8, now: at('2025-06-04T06:00:00Z') });
			assert.equal(out.status, 'success');
			assert.equal(out.rowsFlagged, 1);
			const report = await qualityReport({ store, platforms: [platform], now: new Date('2025-06-04T07:00:00Z') });
			assert.equal(report.reportDate, '2025-06-03');
			const scores = Object.fromEntries(report.checks.map((c) => [c.name, c.score]));
			// freshness 100 (one account, loaded 1 h ago through 06-03), completeness 100, relationships 1 − ½·1/2 = 75,
			// volume 100 (2 rows vs mean 2), spend 100 (same spend as the trailing mean)
			assert.deepEqual(scores, { freshness: 100, completeness: 100, metric_relationships: 75, volume_consistency: 100, spend_consistency: 100 });
			// (4·100 + 3·100 + 3·75 + 2·100 + 2·100) / 14 = 94.6
			assert.equal(report.score, 94.6);
			assert.equal(report.level, 'Excellent');
			assert.equal(report.scope, 'klaviyo');
			assert.equal(report.stored, true);
			const [run] = await store.select('ingest_runs', { where: { id: out.runId } });
			assert.equal(run.rows_flagged, 1);
			assert.equal((run.warnings as string[]).length, 1);
			assert.match((run.warnings as string[])[0], /campaign B on 2025-06-03: conversions \(6\) > clicks \(2\): kept/);
			const stored = await store.select('quality_reports', { where: { report_date: '2025-06-03', scope: 'klaviyo' } });
			assert.equal(stored.length, 1);
			assert.deepEqual([stored[0].score, stored[0].level, stored[0].generated_at], [94.6, 'Excellent', '2025-06-04T07:00:00.000Z']);
			assert.deepEqual(stored[0].checks, JSON.parse(JSON.stringify(report.checks)));
			// rerun for the same date and scope: replaced, not added
			const later = await qualityReport({ store, platforms: [platform, platform], now: new Date('2025-06-04T09:00:00Z') });
			assert.equal(later.scope, 'klaviyo');
			const again = await store.select('quality_reports', { where: { report_date: '2025-06-03', scope: 'klaviyo' } });
			assert.deepEqual([again.length, again[0].id, again[0].generated_at], [1, stored[0].id, '2025-06-04T09:00:00.000Z']);
			assert.equal(await store.getState('quality_report:2025-06-03'), undefined);
		});

		test('account ids are canonical: ingest_runs and campaign_performance agree whatever form was typed', async () => {
			const digits = String(Date.now()).slice(-9) + String(Math.floor(Math.random() * 1000)).padStart(3, '0');
			// like the Meta adapter: any form in, digits on the account and on every row
			const adapter = fakeAdapter('meta', [metaRow(digits, 'A', '2025-06-09'), metaRow(digits, 'A', '2025-06-10'), metaRow('999', 'X', '2025-06-10')], { currency: 'EUR', timezone: 'UTC' });
			const describe = adapter.describeAccount;
			adapter.describeAccount = (id) => describe(id.trim().replace(/^act_/, ''));
			adapter.fetchDailyMetrics = async (query) => {
				adapter.calls.push(query);
				return {
					rows: adapter.rows.filter((r) => r.date >= query.since && r.date <= query.until),
					account: await adapter.describeAccount(query.accountId),
					meta: { requests: 1, retries: 0, retryWaitMs: 0, throttleWaitMs: 0, rateLimitWaitMs: 0, pages: 1 },
					warnings: [],
				};
			};
			const first = await runIngest({ store, adapter, accountId: ` act_${digits} `, reportingCurrency: 'USD', initialBackfillDays: 2, now: at('2025-06-11T05:00:00Z') });
			assert.equal(first.accountId, digits);
			assert.equal(adapter.calls[0].accountId, digits);
			assert.equal(first.rowsWritten, 2);
			assert.deepEqual(first.quarantineReasons, [`meta account 999 campaign X on 2025-06-10: the row belongs to account 999, not to the run's account ${digits}`]);
			const [run] = await store.select('ingest_runs', { where: { id: first.runId } });
			assert.equal(run.account_id, digits);
			const rows = await store.select('campaign_performance', { where: { ingest_run_id: first.runId } });
			assert.deepEqual([...new Set(rows.map((r) => r.account_id))], [run.account_id]);
			// typed without act_ the next day: the same account, so the cursor continues incrementally
			adapter.rows.push(metaRow(digits, 'A', '2025-06-11'));
			const second = await runIngest({ store, adapter, accountId: digits, reportingCurrency: 'USD', lookbackDays: 0, now: at('2025-06-12T05:00:00Z') });
			assert.deepEqual(second.window, { start: '2025-06-11', end: '2025-06-11', mode: 'incremental' });
			assert.equal(second.rowsWritten, 1);

			// an adapter that answers for another account fails the run before anything is written
			const other = fakeAdapter('meta', [metaRow('777', 'A', '2025-06-10')], { currency: 'EUR', timezone: 'UTC' });
			other.describeAccount = async () => ({ platform: 'meta', accountId: '777', name: null, currency: 'EUR', timezone: 'UTC', status: null, raw: {} });
			other.fetchDailyMetrics = async () => ({ rows: other.rows, account: await other.describeAccount(''), meta: { requests: 1, retries: 0, retryWaitMs: 0, throttleWaitMs: 0, rateLimitWaitMs: 0, pages: 1 }, warnings: [] });
			const wrong = await runIngest({ store, adapter: other, accountId: `act_${digits}0`, reportingCurrency: 'USD', initialBackfillDays: 1, now: at('2025-06-11T05:00:00Z') });
			assert.equal(wrong.status, 'failed');
			assert.match(wrong.error?.message ?? '', new RegExp(`answered for account 777, not ${digits}0`));
			assert.equal((await store.select('campaign_performance', { where: { account_id: '777' } })).length, 0);

			// Klaviyo: an empty id is the API key's own account
			const klaviyoId = `K${digits}`;
			const klaviyo = fakeAdapter('klaviyo', [{ ...metaRow(klaviyoId, 'F1', '2025-06-10', { currency: 'USD' }), platform: 'klaviyo' }], { currency: 'USD', timezone: 'UTC' });
			klaviyo.describeAccount = async () => ({ platform: 'klaviyo', accountId: klaviyoId, name: null, currency: 'USD', timezone: 'UTC', status: null, raw: {} });
			const k = await runIngest({ store, adapter: klaviyo, accountId: '', reportingCurrency: 'USD', initialBackfillDays: 1, now: at('2025-06-11T05:00:00Z') });
			assert.equal(k.status, 'success', JSON.stringify(k.error));
			assert.equal(k.accountId, klaviyoId);
			const [krun] = await store.select('ingest_runs', { where: { id: k.runId } });
			assert.equal(krun.account_id, klaviyoId);
			const empty = await runIngest({ store, adapter, accountId: '  ', reportingCurrency: 'USD', now: at('2025-06-11T05:00:00Z') });
			assert.equal(empty.error?.message, 'The account id is empty');
		});
	});
}

const dir = mkdtempSync(join(tmpdir(), 'adops-ingest-'));
let embedded: Store | undefined;
registerIngestSuite('PGlite', async () => (embedded = await openStore({ kind: 'embedded', path: dir })));
afterAll(async () => {
	await embedded?.close();
	rmSync(dir, { recursive: true, force: true });
});

if (DATABASE_URL) {
	const schema = `adops_ingest_${randomBytes(5).toString('hex')}`;
	let pgStore: Store | undefined;
	registerIngestSuite(`PostgreSQL (schema ${schema})`, async () => (pgStore = await openStore({ kind: 'postgres', connectionString: DATABASE_URL, ssl: 'disable', schema })));
	afterAll(async () => {
		await pgStore?.close();
		const admin = new Pool({ connectionString: DATABASE_URL, max: 1 });
		await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
		await admin.end();
	});
}
