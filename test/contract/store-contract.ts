/**
 * The Store contract: one list of cases, run against every adapter that can
 * be reached (see store.test.ts), and against deliberately broken adapters to
 * show the cases can fail.
 */
import assert from 'node:assert/strict';
import { createHash, randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, test } from 'vitest';
import { CREATIVE_VARIANT_STATUSES, MODERATION_ACTION_STATUSES, rowSchemas, type RowInput } from '../../nodes/shared/schema/rows';
import { MigrationError, StoreError, StoreValidationError, isValidatedRow, loadMigrations, migrate, validateRow, validateRows, type Store } from '../../nodes/shared/store';
import type { SqlExecutor } from '../../nodes/shared/store/sql-runner';

export interface ContractCase {
	name: string;
	run(store: Store): Promise<void>;
}

const uid = (prefix: string) => `${prefix}_${randomUUID().slice(0, 8)}`;
const hex64 = (seed: string) => createHash('sha256').update(seed).digest('hex');

function perfRow(account: string, campaign: string, date: string, extra: Partial<RowInput<'campaign_performance'>> = {}): RowInput<'campaign_performance'> {
	return {
		date,
		platform: 'meta',
		account_id: account,
		campaign_id: campaign,
		campaign_name: `Campaign ${campaign}`,
		currency: 'EUR',
		spend: 100.5,
		impressions: 10_000,
		clicks: 250,
		conversions: 12,
		revenue: 480.25,
		leads: 8,
		...extra,
	};
}

function day(offset: number): string {
	return new Date(Date.UTC(2025, 0, 1 + offset)).toISOString().slice(0, 10);
}

async function perfRows(store: Store, account: string) {
	return store.select('campaign_performance', {
		where: { account_id: account },
		order: [{ column: 'campaign_id' }, { column: 'date' }],
	});
}

export const storeCases: ContractCase[] = [
	{
		name: 'upsert twice leaves an identical table',
		async run(store) {
			const account = uid('acct');
			const rows = [0, 1, 2].flatMap((d) => ['c1', 'c2'].map((c) => perfRow(account, c, day(d))));
			const first = await store.upsert('campaign_performance', rows);
			assert.deepEqual(first, { written: 6, collapsed: 0, ignored: 0 });
			const before = await perfRows(store, account);
			assert.equal(before.length, 6);
			const second = await store.upsert('campaign_performance', rows);
			assert.deepEqual(second, { written: 6, collapsed: 0, ignored: 0 });
			assert.deepEqual(await perfRows(store, account), before);
		},
	},
	{
		name: 'a corrected value overwrites the stored row',
		async run(store) {
			const account = uid('acct');
			await store.upsert('campaign_performance', [perfRow(account, 'c1', day(0), { spend: 10 })]);
			const [original] = await perfRows(store, account);
			await store.upsert('campaign_performance', [perfRow(account, 'c1', day(0), { spend: 12.75, campaign_name: 'Renamed' })]);
			const after = await perfRows(store, account);
			assert.equal(after.length, 1);
			assert.equal(after[0].spend, 12.75);
			assert.equal(after[0].campaign_name, 'Renamed');
			assert.equal(after[0].id, original.id);
			assert.ok(after[0].updated_at >= original.updated_at);
		},
	},
	{
		name: 'duplicate natural keys inside one batch collapse, last wins',
		async run(store) {
			const account = uid('acct');
			const result = await store.upsert('campaign_performance', [
				perfRow(account, 'c1', day(0), { spend: 1 }),
				perfRow(account, 'c2', day(0), { spend: 2 }),
				perfRow(account, 'c1', day(0), { spend: 3 }),
				perfRow(account, 'c1', day(1), { spend: 4 }),
			]);
			assert.deepEqual(result, { written: 3, collapsed: 1, ignored: 0 });
			const rows = await perfRows(store, account);
			assert.deepEqual(
				rows.map((r) => [r.campaign_id, r.date, r.spend]),
				[
					['c1', day(0), 3],
					['c1', day(1), 4],
					['c2', day(0), 2],
				],
			);
		},
	},
	{
		name: 'batches larger than the chunk size are written completely',
		async run(store) {
			const account = uid('acct');
			const rows = Array.from({ length: 1203 }, (_, i) => perfRow(account, `c${i % 41}`, day(Math.floor(i / 41)), { spend: i }));
			const result = await store.upsert('campaign_performance', rows, { chunkSize: 100 });
			assert.deepEqual(result, { written: 1203, collapsed: 0, ignored: 0 });
			const stored = await store.select('campaign_performance', { where: { account_id: account } });
			assert.equal(stored.length, 1203);
			assert.equal(stored.reduce((sum, r) => sum + r.spend, 0), (1202 * 1203) / 2);
		},
	},
	{
		name: "onConflict 'ignore' inserts only new keys, leaves stored rows untouched and counts them",
		async run(store) {
			const account = uid('acct');
			await store.upsert('campaign_performance', [perfRow(account, 'c1', day(0), { spend: 10 }), perfRow(account, 'c2', day(0), { spend: 20 })]);
			const before = await perfRows(store, account);
			const result = await store.upsert(
				'campaign_performance',
				[
					perfRow(account, 'c1', day(0), { spend: 99 }), // stored: ignored
					perfRow(account, 'c3', day(0), { spend: 30 }), // new
					perfRow(account, 'c3', day(0), { spend: 31 }), // same key in the batch: collapsed, last wins
					perfRow(account, 'c4', day(0), { spend: 40 }), // new
					perfRow(account, 'c2', day(0), { spend: 99 }), // stored: ignored
				],
				{ onConflict: 'ignore', chunkSize: 2 },
			);
			assert.deepEqual(result, { written: 2, collapsed: 1, ignored: 2 });
			const after = await perfRows(store, account);
			assert.deepEqual(after.map((r) => [r.campaign_id, r.spend]), [['c1', 10], ['c2', 20], ['c3', 31], ['c4', 40]]);
			assert.deepEqual(after.slice(0, 2), before); // ids, values and updated_at unchanged
			assert.deepEqual(await store.upsert('campaign_performance', [perfRow(account, 'c4', day(0))], { onConflict: 'ignore' }), { written: 0, collapsed: 0, ignored: 1 });
			// the default still overwrites
			assert.deepEqual(await store.upsert('campaign_performance', [perfRow(account, 'c1', day(0), { spend: 11 })], { onConflict: 'update' }), { written: 1, collapsed: 0, ignored: 0 });
			assert.equal((await perfRows(store, account))[0].spend, 11);
			await assert.rejects(store.upsert('campaign_performance', [perfRow(account, 'c9', day(0))], { onConflict: 'merge' as never }), /onConflict must be "update" or "ignore"/);
		},
	},
	{
		name: 'quarantine: one record per (source, content_hash); NULL hashes are plain inserts',
		async run(store) {
			const account = uid('acct');
			const record = (reason: string, hash: string | null) => ({ source: 'contract', platform: 'meta', account_id: account, raw_payload: { spend: 'x', reason }, reason, content_hash: hash });
			const [h1, h2] = [hex64(`${account}1`), hex64(`${account}2`)];
			assert.deepEqual(await store.upsert('quarantine', [record('a', h1), record('b', h2)], { onConflict: 'ignore' }), { written: 2, collapsed: 0, ignored: 0 });
			const first = await store.select('quarantine', { where: { account_id: account }, order: { column: 'reason' } });
			// a second sighting of h1 (even with other content) keeps the first record
			assert.deepEqual(await store.upsert('quarantine', [record('a again', h1), record('c', hex64(`${account}3`))], { onConflict: 'ignore' }), { written: 1, collapsed: 0, ignored: 1 });
			const after = await store.select('quarantine', { where: { account_id: account }, order: { column: 'reason' } });
			assert.deepEqual(after.map((q) => q.reason), ['a', 'b', 'c']);
			assert.deepEqual(after.slice(0, 2), first);
			// the database enforces the key, not only the store
			await assert.rejects(store.insert('quarantine', [record('dup', h2)]), (e: unknown) => e instanceof StoreError && e.code === '23505');
			// without a hash: plain inserts, never collapsed, but not upsertable
			await store.insert('quarantine', [record('n1', null), record('n1', null)]);
			assert.equal((await store.select('quarantine', { where: { account_id: account, content_hash: null } })).length, 2);
			await assert.rejects(store.upsert('quarantine', [record('n2', null)], { onConflict: 'ignore' }), (e: unknown) => {
				assert.ok(e instanceof StoreValidationError);
				assert.match(e.reason, /content_hash: is null, but it is part of the natural key \(source, content_hash\)/);
				return true;
			});
			await assert.rejects(store.insert('quarantine', [record('bad', 'ABC')]), /content_hash: must be a lower-case hex SHA-256 digest/);
		},
	},
	{
		name: 'quality_reports: one row per report date and scope, a rerun replaces it',
		async run(store) {
			const scope = uid('meta');
			const report = (score: number, level: string) => ({ report_date: day(40), scope, score, level: level as 'Good', checks: [{ name: 'freshness', score }], generated_at: new Date().toISOString() });
			await store.upsert('quality_reports', [report(80.5, 'Good')]);
			const [first] = await store.select('quality_reports', { where: { scope } });
			await store.upsert('quality_reports', [report(55, 'Poor')]);
			const rows = await store.select('quality_reports', { where: { scope } });
			assert.equal(rows.length, 1);
			assert.deepEqual([rows[0].id, rows[0].score, rows[0].level, rows[0].checks, rows[0].report_date], [first.id, 55, 'Poor', [{ name: 'freshness', score: 55 }], day(40)]);
			await assert.rejects(store.upsert('quality_reports', [report(101, 'Excellent')]), /score/);
			await assert.rejects(store.upsert('quality_reports', [report(50, 'Meh')]), /level/);
			// the default scope is 'all'
			await store.upsert('quality_reports', [{ ...report(90, 'Excellent'), scope: undefined, report_date: day(41) }]);
			assert.equal((await store.select('quality_reports', { where: { report_date: day(41), scope: 'all' } })).length, 1);
		},
	},
	{
		name: 'ingest_runs record unchanged and flagged rows and warnings',
		async run(store) {
			const account = uid('acct');
			const { ids } = await store.insert('ingest_runs', [{ platform: 'meta', account_id: account, window_start: day(0), window_end: day(1) }]);
			let [run] = await store.select('ingest_runs', { where: { id: ids[0] } });
			assert.deepEqual([run.rows_unchanged, run.rows_flagged, run.warnings], [0, 0, null]);
			await store.update('ingest_runs', { id: ids[0] }, { rows_unchanged: 7, rows_flagged: 2, warnings: ['conversions (3) > clicks (1)', 'ünïcode ✓'] });
			[run] = await store.select('ingest_runs', { where: { id: ids[0] } });
			assert.deepEqual([run.rows_unchanged, run.rows_flagged, run.warnings], [7, 2, ['conversions (3) > clicks (1)', 'ünïcode ✓']]);
			await assert.rejects(store.update('ingest_runs', { id: ids[0] }, { rows_flagged: -1 }), StoreValidationError);
		},
	},
	{
		name: 'rows validated with the table schema are written without a second parse; anything else is parsed',
		async run(store) {
			const account = uid('acct');
			const schema = rowSchemas.campaign_performance;
			const [a, b] = validateRows('campaign_performance', [perfRow(account, 'a', day(0)), perfRow(account, ' b ', day(0))]);
			assert.equal(b.campaign_id, 'b'); // the parse result, trimmed
			assert.ok(isValidatedRow('campaign_performance', a));
			assert.ok(!isValidatedRow('fx_rates', a));
			assert.ok(Object.isFrozen(a));
			assert.equal(Reflect.set(a, 'spend', -1), false);
			assert.equal(a.spend, 100.5);
			const bad = validateRow('campaign_performance', perfRow(account, 'x', day(0), { clicks: -1 }));
			assert.ok(!bad.ok && /clicks/.test(bad.reason));

			const original = schema.safeParse;
			let parses = 0;
			schema.safeParse = ((...args: Parameters<typeof original>) => {
				parses++;
				return original.apply(schema, args);
			}) as typeof original;
			try {
				await store.upsert('campaign_performance', [a, b, perfRow(account, 'c', day(0))]);
				assert.equal(parses, 1, 'only the plain row is parsed');
				// a copy is a plain object again: parsed, and rejected when invalid
				await assert.rejects(store.upsert('campaign_performance', [{ ...a, spend: -1 }]), StoreValidationError);
				// a row validated for another table is parsed with this table's schema
				const [rate] = validateRows('fx_rates', [{ base: 'EUR', quote: 'USD', rate_date: day(0), rate: 1.1 }]);
				await assert.rejects(store.upsert('campaign_performance', [rate as never]), StoreValidationError);
			} finally {
				schema.safeParse = original;
			}
			const stored = await perfRows(store, account);
			assert.deepEqual(stored.map((r) => [r.campaign_id, r.spend]), [['a', 100.5], ['b', 100.5], ['c', 100.5]]);
		},
	},
	{
		name: 'an invalid row rejects the whole batch with its index, nothing written',
		async run(store) {
			const account = uid('acct');
			const rows = [0, 1, 2, 3, 4].map((d) => perfRow(account, 'c1', day(d)));
			(rows[3] as Record<string, unknown>).spend = -5;
			await assert.rejects(store.upsert('campaign_performance', rows), (error: unknown) => {
				assert.ok(error instanceof StoreValidationError, String(error));
				assert.equal(error.rowIndex, 3);
				assert.match(error.reason, /spend/);
				return true;
			});
			const derived = [perfRow(account, 'c1', day(0)), { ...perfRow(account, 'c1', day(1)), ctr: 0.5 }];
			await assert.rejects(store.upsert('campaign_performance', derived as never), (error: unknown) => {
				assert.ok(error instanceof StoreValidationError);
				assert.equal(error.rowIndex, 1);
				assert.match(error.reason, /ctr/);
				return true;
			});
			assert.equal((await perfRows(store, account)).length, 0);
		},
	},
	{
		name: 'a batch the database rejects in a later chunk writes nothing',
		async run(store) {
			const account = uid('acct');
			const rows = Array.from({ length: 30 }, (_, i) => perfRow(account, `c${i}`, day(0)));
			// valid for the schema, but no such ingest run: foreign key violation in the last chunk
			rows[29] = perfRow(account, 'c29', day(0), { ingest_run_id: randomUUID() });
			await assert.rejects(store.upsert('campaign_performance', rows, { chunkSize: 10 }), (error: unknown) => {
				assert.ok(error instanceof StoreError);
				assert.match(error.message, /campaign_performance/);
				assert.equal(error.code, '23503');
				return true;
			});
			assert.equal((await perfRows(store, account)).length, 0);
		},
	},
	{
		name: 'derived metrics are computed by the database, NULL for zero denominators',
		async run(store) {
			const account = uid('acct');
			await store.upsert('campaign_performance', [
				perfRow(account, 'zero', day(0), { spend: 5, impressions: 0, clicks: 0, conversions: 0, leads: 0, revenue: null }),
				perfRow(account, 'full', day(0), { spend: 200, impressions: 8000, clicks: 160, conversions: 2.5, leads: 4, revenue: 500 }),
				perfRow(account, 'nospend', day(0), { spend: 0, impressions: 10, clicks: 1, conversions: 0, leads: null, revenue: 30 }),
			]);
			const rows = await perfRows(store, account);
			const by = Object.fromEntries(rows.map((r) => [r.campaign_id, r]));
			assert.deepEqual([by.zero.ctr, by.zero.cpc, by.zero.cpa, by.zero.cpl, by.zero.roas], [null, null, null, null, null]);
			assert.equal(by.full.ctr, 0.02);
			assert.equal(by.full.cpc, 1.25);
			assert.equal(by.full.cpa, 80);
			assert.equal(by.full.cpl, 50);
			assert.equal(by.full.roas, 2.5);
			assert.equal(by.full.conversions, 2.5);
			assert.equal(by.nospend.roas, null);
			assert.equal(by.nospend.ctr, 0.1);
			assert.equal(by.nospend.cpc, 0);
		},
	},
	{
		name: 'values come back with consistent JavaScript types',
		async run(store) {
			const account = uid('acct');
			await store.upsert('campaign_performance', [perfRow(account, 'c1', day(0), { spend: 1234.56, impressions: 9_007_199_254_740, fx_rate: 1.0321, source_currency: 'USD', fx_rate_date: day(0) })]);
			const [row] = await perfRows(store, account);
			assert.equal(row.spend, 1234.56);
			assert.equal(row.impressions, 9_007_199_254_740);
			assert.equal(row.fx_rate, 1.0321);
			assert.equal(row.date, day(0));
			assert.equal(row.fx_rate_date, day(0));
			assert.match(row.created_at, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
			assert.match(row.id, /^[0-9a-f-]{36}$/);
			await store.upsert('creative_variants', [
				{ platform: 'meta', campaign_id: account, content_hash: 'h1', headline: 'Hi', embedding: [0.5, -0.25, 1] },
			]);
			const [variant] = await store.select('creative_variants', { where: { campaign_id: account } });
			assert.deepEqual(variant.embedding, [0.5, -0.25, 1]);
			assert.equal(variant.status, 'draft');
		},
	},
	{
		name: 'select filters: eq, in, gte/lte, gt/lt, null, order, limit',
		async run(store) {
			const account = uid('acct');
			await store.upsert(
				'campaign_performance',
				[0, 1, 2, 3, 4].flatMap((d) => ['a', 'b', 'c'].map((c, i) => perfRow(account, c, day(d), { spend: d * 10 + i, campaign_name: c === 'c' ? null : c }))),
			);
			const base = { account_id: account };
			assert.equal((await store.select('campaign_performance', { where: { ...base, campaign_id: 'a' } })).length, 5);
			assert.equal((await store.select('campaign_performance', { where: { ...base, campaign_id: { in: ['a', 'c'] } } })).length, 10);
			assert.equal((await store.select('campaign_performance', { where: { ...base, campaign_id: { in: [] } } })).length, 0);
			const window = await store.select('campaign_performance', { where: { ...base, date: { gte: day(1), lte: day(3) } } });
			assert.deepEqual([...new Set(window.map((r) => r.date))].sort(), [day(1), day(2), day(3)]);
			const spend = await store.select('campaign_performance', { where: { ...base, spend: { gt: 20, lt: 31 } }, order: { column: 'spend' } });
			assert.deepEqual(spend.map((r) => r.spend), [21, 22, 30]);
			assert.equal((await store.select('campaign_performance', { where: { ...base, campaign_name: null } })).length, 5);
			const top = await store.select('campaign_performance', { where: base, order: [{ column: 'spend', ascending: false }], limit: 2 });
			assert.deepEqual(top.map((r) => r.spend), [42, 41]);
			await assert.rejects(store.select('campaign_performance', { where: { nope: 1 } as never }), /unknown column "nope"/);
			await assert.rejects(store.select('campaign_performance', { where: { spend: { like: '%' } } as never }), /unknown operator "like"/);
		},
	},
	{
		name: 'insert returns ids in order; update patches matching rows only',
		async run(store) {
			const account = uid('acct');
			const { ids } = await store.insert('ingest_runs', [
				{ platform: 'meta', account_id: account, window_start: day(0), window_end: day(1) },
				{ platform: 'meta', account_id: account, window_start: day(2), window_end: day(3) },
			]);
			assert.equal(ids.length, 2);
			const { updated } = await store.update('ingest_runs', { id: ids[1] }, { outcome: 'success', rows_written: 42, finished_at: new Date().toISOString() });
			assert.equal(updated, 1);
			const runs = await store.select('ingest_runs', { where: { account_id: account }, order: { column: 'window_start' } });
			assert.deepEqual(runs.map((r) => r.id), ids);
			assert.deepEqual(runs.map((r) => [r.outcome, r.rows_written]), [[null, 0], ['success', 42]]);
			await assert.rejects(store.update('ingest_runs', {}, { outcome: 'failed' }), /at least one match condition/);
			await assert.rejects(store.update('ingest_runs', { id: ids[0] }, { outcome: 'weird' } as never), StoreValidationError);
			await store.insert('quarantine', [{ source: 'meta.insights', account_id: account, ingest_run_id: ids[0], raw_payload: { spend: 'abc' }, reason: 'spend: not a number' }]);
			const [q] = await store.select('quarantine', { where: { ingest_run_id: ids[0] } });
			assert.deepEqual(q.raw_payload, { spend: 'abc' });
		},
	},
	{
		name: 'action ledger: concurrent claims, exactly one wins; completion; retry of failed',
		async run(store) {
			const key = uid('budget');
			const claims = await Promise.all(
				Array.from({ length: 8 }, () => store.claimAction(key, { kind: 'set_budget', target: 'meta:123', intent: { from: 100, to: 120 } })),
			);
			assert.equal(claims.filter((c) => c.claimed).length, 1);
			assert.equal(new Set(claims.map((c) => c.entry.id)).size, 1);
			assert.equal(claims[0].entry.status, 'claimed');
			assert.deepEqual(claims[0].entry.intent, { from: 100, to: 120 });
			const done = await store.completeAction(key, { status: 'succeeded', response: { ok: true } });
			assert.equal(done.status, 'succeeded');
			assert.ok(done.completed_at);
			const again = await store.claimAction(key, { kind: 'set_budget', target: 'meta:123', intent: {}, retryFailed: true });
			assert.equal(again.claimed, false);
			assert.equal(again.entry.status, 'succeeded');
			await assert.rejects(store.completeAction(key, { status: 'failed', error: 'x' }), /already succeeded/);

			const failing = uid('hide');
			await store.claimAction(failing, { kind: 'hide_comment', target: 'c1', intent: { hide: true } });
			await store.completeAction(failing, { status: 'failed', error: 'HTTP 500' });
			assert.equal((await store.claimAction(failing, { kind: 'hide_comment', target: 'c1', intent: {} })).claimed, false);
			const retried = await store.claimAction(failing, { kind: 'hide_comment', target: 'c1', intent: {}, retryFailed: true });
			assert.equal(retried.claimed, true);
			assert.equal(retried.entry.attempts, 2);
			assert.equal(retried.entry.error, null);
			await assert.rejects(store.completeAction(uid('missing'), { status: 'succeeded' }), /no entry/);
		},
	},
	{
		name: 'action ledger: an unknown outcome is never re-claimed; resolveAction settles it once (compare-and-set) and says how',
		async run(store) {
			const key = uid('lost');
			const first = await store.claimAction(key, { kind: 'set_budget', target: 'meta:9', intent: { to: 249.7 }, claimedBy: 'run-A' });
			assert.equal(first.entry.claimed_by, 'run-A');
			const lost = await store.completeAction(key, { status: 'unknown', error: 'answer lost: HTTP 502 after the request was sent' });
			assert.equal(lost.status, 'unknown');
			assert.match(lost.error ?? '', /answer lost/);
			// no caller can take an unknown entry over, with or without retryFailed
			for (const retryFailed of [false, true]) {
				const again = await store.claimAction(key, { kind: 'set_budget', target: 'meta:9', intent: { to: 274.67 }, retryFailed, claimedBy: 'run-B' });
				assert.equal(again.claimed, false);
				assert.equal(again.entry.status, 'unknown');
				assert.deepEqual(again.entry.intent, { to: 249.7 });
			}
			// two reconcilers race: exactly one settles it
			const races = await Promise.all(
				[1, 2, 3].map((i) => store.resolveAction(key, { from: 'unknown', status: 'succeeded', resolution: `observed by reconciler ${i}: daily budget 249.70 equals the target` })),
			);
			assert.equal(races.filter((r) => r.resolved).length, 1);
			const settled = races.find((r) => r.resolved)!.entry;
			assert.equal(settled.status, 'succeeded');
			assert.match(settled.resolution ?? '', /^observed by reconciler \d: daily budget 249\.70/);
			assert.ok(settled.resolved_at);
			assert.equal(settled.error, null);
			assert.ok(races.every((r) => r.entry.status === 'succeeded'));

			// observed not applied: failed, and then (only then) claimable again
			const notApplied = uid('lost');
			await store.claimAction(notApplied, { kind: 'moderation.reply', target: 'meta:comment:1', intent: { text: 'hi' } });
			await store.completeAction(notApplied, { status: 'unknown', error: 'timeout' });
			const failed = await store.resolveAction(notApplied, { from: 'unknown', status: 'failed', resolution: 'observed: no reply by the page among the comment replies' });
			assert.equal(failed.resolved, true);
			assert.equal(failed.entry.status, 'failed');
			assert.equal(failed.entry.error, 'timeout');
			const retried = await store.claimAction(notApplied, { kind: 'moderation.reply', target: 'meta:comment:1', intent: {}, retryFailed: true, claimedBy: 'run-C' });
			assert.equal(retried.claimed, true);
			assert.equal(retried.entry.attempts, 2);
			assert.equal(retried.entry.claimed_by, 'run-C');
			assert.equal(retried.entry.resolution, null);

			// an abandoned claim is settled only at the attempt count the reconciler saw
			const stale = await store.resolveAction(notApplied, { from: 'claimed', status: 'failed', resolution: 'holder gone', attempts: 1 });
			assert.equal(stale.resolved, false);
			assert.equal(stale.entry.status, 'claimed');
			const taken = await store.resolveAction(notApplied, { from: 'claimed', status: 'succeeded', resolution: 'observed: the reply is on the comment', attempts: 2 });
			assert.equal(taken.resolved, true);
			// a settled entry does not move again
			assert.equal((await store.resolveAction(notApplied, { from: 'unknown', status: 'failed', resolution: 'late' })).resolved, false);
			await assert.rejects(store.resolveAction(uid('missing'), { from: 'unknown', status: 'failed', resolution: 'x' }), /no entry/);
		},
	},
	{
		name: 'selectColumns returns what select returns for the same filter, order and limit',
		async run(store) {
			const account = uid('acct');
			const rows = [0, 1, 2, 3].flatMap((d) => ['c1', 'c2', 'c3'].map((c, i) => perfRow(account, c, day(d), { spend: 10.25 * (d + 1) + i, revenue: i === 1 ? null : 99.5, impressions: 2 ** 40 + d })));
			await store.upsert('campaign_performance', rows);
			const columns = ['campaign_id', 'date', 'spend', 'impressions', 'revenue', 'leads', 'cpa', 'created_at'] as const;
			const pick = (r: Record<string, unknown>) => Object.fromEntries(columns.map((c) => [c, r[c]]));
			const queries = [
				{ where: { account_id: account } },
				{ where: { account_id: account, date: { gte: day(1), lt: day(3) }, campaign_id: { in: ['c1', 'c3'] } }, order: [{ column: 'spend' as const, ascending: false }] },
				{ where: { account_id: account, revenue: null }, order: [{ column: 'date' as const }], limit: 3 },
			];
			for (const query of queries) {
				const expected = (await store.select('campaign_performance', query)).map(pick);
				const got = await store.selectColumns('campaign_performance', columns, query);
				if (!query.order) {
					const key = (r: Record<string, unknown>) => `${String(r.campaign_id)}|${String(r.date)}`;
					expected.sort((a, b) => (key(a) < key(b) ? -1 : 1));
					got.sort((a, b) => (key(a) < key(b) ? -1 : 1));
				}
				assert.deepEqual(got, expected);
			}
			const all = await store.selectColumns('campaign_performance', columns, queries[0]);
			assert.equal(all.length, 12);
			// the columnar form of the same read: one array per column, rows in the same order
			const columnar = await store.selectColumnar('campaign_performance', columns, queries[1]);
			const ordered = await store.selectColumns('campaign_performance', columns, queries[1]);
			assert.equal(columnar.length, ordered.length);
			for (const c of columns) assert.deepEqual(columnar.columns[c], ordered.map((r) => r[c]), c);
			assert.deepEqual(await store.selectColumnar('campaign_performance', ['spend', 'date'], { where: { account_id: uid('none') } }), { length: 0, columns: { spend: [], date: [] } });
			assert.ok(all.every((r) => typeof r.spend === 'number' && typeof r.impressions === 'number' && /^\d{4}-\d{2}-\d{2}$/.test(r.date) && r.created_at.endsWith('Z')));
			assert.deepEqual(await store.selectColumns('campaign_performance', ['spend'], { where: { account_id: uid('none') } }), []);
			// jsonb and timestamps of another table
			const proposal = uid('p');
			await store.upsert('approvals', [{ proposal_id: proposal, kind: 'optimization', payload: { a: [1, 'x', null] }, payload_hash: hex64(proposal), requested_at: '2025-01-01T00:00:00Z', expires_at: '2025-01-02T03:04:05.5+02:00' }]);
			const [approval] = await store.selectColumns('approvals', ['payload', 'expires_at', 'status', 'refusals'], { where: { proposal_id: proposal } });
			assert.deepEqual(approval, { payload: { a: [1, 'x', null] }, expires_at: '2025-01-02T01:04:05.500Z', status: 'pending', refusals: 0 });
			await assert.rejects(store.selectColumns('campaign_performance', [] as never[]), /at least one column/);
			await assert.rejects(store.selectColumns('campaign_performance', ['spend', 'spend']), /listed twice/);
			await assert.rejects(store.selectColumns('campaign_performance', ['nope' as 'spend']), /unknown column "nope"/);
		},
	},
	{
		name: 'optimization_actions: evidence, outcome and execution columns round-trip; the database refuses inconsistent rows',
		async run(store) {
			const key = uid('opt');
			const base = { idempotency_key: key, platform: 'meta' as const, account_id: 'a1', campaign_id: 'c1', action_type: 'scale_budget', decision: 'execute' as const };
			await store.upsert('optimization_actions', [{ ...base, rule_key: 'scale-winners', evaluated_at: '2025-06-11T10:00:00Z', gates: [{ gate: 'cooldown', status: 'pass', values: { hours: 30 } }], dry_run: false }]);
			await store.update('optimization_actions', { idempotency_key: key }, { action_taken: true, outcome: 'executed', executed_at: '2025-06-11T10:00:02Z', platform_response: { success: true } });
			const [row] = await store.select('optimization_actions', { where: { idempotency_key: key } });
			assert.equal(row.rule_key, 'scale-winners');
			assert.equal(row.evaluated_at, '2025-06-11T10:00:00.000Z');
			assert.deepEqual(row.gates, [{ gate: 'cooldown', status: 'pass', values: { hours: 30 } }]);
			assert.equal(row.outcome, 'executed');
			assert.equal(row.executed_at, '2025-06-11T10:00:02.000Z');
			assert.deepEqual(row.platform_response, { success: true });
			const taken = await store.selectColumns('optimization_actions', ['idempotency_key'], { where: { action_taken: true, executed_at: { gte: '2025-06-11T00:00:00Z' }, idempotency_key: key } });
			assert.deepEqual(taken, [{ idempotency_key: key }]);
			// a change without its execution time, or a dry run that claims to have changed something
			await assert.rejects(store.upsert('optimization_actions', [{ ...base, idempotency_key: uid('opt'), action_taken: true }]), /executed_at_check|check constraint/i);
			await assert.rejects(store.upsert('optimization_actions', [{ ...base, idempotency_key: uid('opt'), action_taken: true, dry_run: true, executed_at: '2025-06-11T10:00:02Z' }]), /dry_run_check|check constraint/i);
			const bad = validateRow('optimization_actions', { ...base, outcome: 'maybe' });
			assert.ok(!bad.ok && /outcome/.test(bad.reason));
		},
	},
	{
		name: 'creative_variants.status and moderation_actions.action_status: every listed value is stored; the store refuses any other',
		async run(store) {
			const campaign = uid('camp');
			await store.upsert('creative_variants', CREATIVE_VARIANT_STATUSES.map((status) => ({ platform: 'meta' as const, campaign_id: campaign, content_hash: `h-${status}`, status })));
			const variants = await store.select('creative_variants', { where: { campaign_id: campaign } });
			assert.deepEqual(variants.map((v) => v.status).sort(), [...CREATIVE_VARIANT_STATUSES].sort());
			const object = uid('comment');
			await store.upsert('social_media_items', [{ platform: 'meta', object_id: object, object_type: 'comment' }]);
			const [item] = await store.select('social_media_items', { where: { object_id: object } });
			await store.upsert('moderation_actions', MODERATION_ACTION_STATUSES.map((status) => ({ idempotency_key: `${object}:${status}`, item_id: item.id, action_type: 'hide', action_status: status })));
			const actions = await store.select('moderation_actions', { where: { item_id: item.id } });
			assert.deepEqual(actions.map((a) => a.action_status).sort(), [...MODERATION_ACTION_STATUSES].sort());

			const refused = (reason: RegExp) => (e: unknown) => e instanceof StoreValidationError && reason.test(e.reason);
			await assert.rejects(store.upsert('creative_variants', [{ platform: 'meta', campaign_id: campaign, content_hash: 'h-live', status: 'live' }]), refused(/^status: must be one of draft, /));
			await assert.rejects(store.update('creative_variants', { campaign_id: campaign, content_hash: 'h-draft' }, { status: 'archived' }), refused(/^status: must be one of /));
			await assert.rejects(store.upsert('moderation_actions', [{ idempotency_key: `${object}:x`, item_id: item.id, action_type: 'hide', action_status: 'planned' }]), refused(/^action_status: must be one of dry_run, /));
			await assert.rejects(store.update('moderation_actions', { idempotency_key: `${object}:proposed` }, { action_status: 'rejected' }), refused(/^action_status: must be one of /));
			assert.equal((await store.select('creative_variants', { where: { campaign_id: campaign, content_hash: 'h-draft' } }))[0].status, 'draft');
			assert.equal((await store.select('moderation_actions', { where: { idempotency_key: `${object}:proposed` } }))[0].action_status, 'proposed');
		},
	},
	{
		name: 'state: missing key, set, overwrite',
		async run(store) {
			const key = uid('cursor');
			assert.equal(await store.getState(key), undefined);
			await store.setState(key, { page: 'abc', at: day(3) });
			assert.deepEqual(await store.getState(key), { page: 'abc', at: day(3) });
			await store.setState(key, [1, 2, 3]);
			assert.deepEqual(await store.getState(key), [1, 2, 3]);
		},
	},
	{
		name: 'transaction commits on success and rolls back on error',
		async run(store) {
			const account = uid('acct');
			const key = uid('tx');
			await assert.rejects(
				store.transaction(async (tx) => {
					await tx.upsert('campaign_performance', [perfRow(account, 'c1', day(0))]);
					await tx.setState(key, 1);
					throw new Error('boom');
				}),
				/boom/,
			);
			assert.equal((await perfRows(store, account)).length, 0);
			assert.equal(await store.getState(key), undefined);
			const value = await store.transaction(async (tx) => {
				await tx.upsert('campaign_performance', [perfRow(account, 'c1', day(0))]);
				await tx.setState(key, 2);
				return 'done';
			});
			assert.equal(value, 'done');
			assert.equal((await perfRows(store, account)).length, 1);
			assert.equal(await store.getState(key), 2);
		},
	},
];

/** Registers the contract suite with vitest. */
export function registerStoreContract(label: string, open: () => Promise<{ store: Store; cleanup?: () => Promise<void> }>): void {
	describe(`Store contract: ${label}`, () => {
		let store: Store;
		let cleanup: (() => Promise<void>) | undefined;
		beforeAll(async () => {
			({ store, cleanup } = await open());
		});
		afterAll(async () => {
			await cleanup?.();
		});
		test('ping', () => store.ping());
		for (const c of storeCases) test(c.name, () => c.run(store));
	});
}

/** Runs every case and reports which failed (used to prove the suite catches broken adapters). */
export async function runStoreCases(store: Store): Promise<Array<{ name: string; error?: unknown }>> {
	const results = [];
	for (const c of storeCases) {
		try {
			await c.run(store);
			results.push({ name: c.name });
		} catch (error) {
			results.push({ name: c.name, error });
		}
	}
	return results;
}

export interface MigrationEnv {
	exec: SqlExecutor;
	/** Returns a fresh schema name; the env drops it afterwards. */
	schema(): string;
	tableExists(schema: string, table: string): Promise<boolean>;
	cleanup?: () => Promise<void>;
}

/** Migration runner contract over a raw SQL executor. */
export function registerMigrationContract(label: string, open: () => Promise<MigrationEnv>): void {
	describe(`Migration runner: ${label}`, () => {
		let env: MigrationEnv;
		beforeAll(async () => {
			env = await open();
		});
		afterAll(async () => {
			await env.cleanup?.();
		});

		test('applies the package migrations once; re-running is a no-op', async () => {
			const schema = env.schema();
			const files = loadMigrations().map((m) => m.file);
			const first = await migrate(env.exec, { schema });
			assert.deepEqual(first, { applied: files, skipped: [] });
			const second = await migrate(env.exec, { schema });
			assert.deepEqual(second, { applied: [], skipped: files });
			for (const table of ['campaign_performance', 'action_ledger', 'app_state', 'quality_reports', 'schema_migrations']) {
				assert.ok(await env.tableExists(schema, table), table);
			}
		});

		test('the follow-up migration brings stored ingest_runs account ids into canonical form', async () => {
			const schema = env.schema();
			const [core, ...rest] = loadMigrations();
			await migrate(env.exec, { schema, migrations: [core] });
			const inSchema = <R>(fn: (tx: SqlExecutor) => Promise<R>) =>
				env.exec.transaction(async (tx) => {
					await tx.query(`SET LOCAL search_path TO "${schema}"`);
					return fn(tx);
				});
			const before: Array<[string, string, string]> = [
				['meta', ' act_123 ', '123'],
				['meta', '456', '456'],
				['google_ads', '123-456-7890', '1234567890'],
				['google_ads', '123 456 7890', '1234567890'],
				['linkedin', 'urn:li:sponsoredAccount:987', '987'],
				['linkedin', '555', '555'],
				['klaviyo', 'act_XyZ-1', 'act_XyZ-1'],
			];
			await inSchema(async (tx) => {
				for (const [platform, id] of before) {
					await tx.query(`INSERT INTO ingest_runs (platform, account_id, window_start, window_end) VALUES ($1, $2, '2025-01-01', '2025-01-02')`, [platform, id]);
				}
			});
			assert.deepEqual((await migrate(env.exec, { schema })).applied, rest.map((m) => m.file));
			const after = await inSchema(async (tx) => (await tx.query('SELECT platform, account_id FROM ingest_runs ORDER BY created_at, platform, account_id')).rows);
			assert.deepEqual(
				after.map((r) => `${String(r.platform)}:${String(r.account_id)}`).sort(),
				before.map(([p, , canonical]) => `${p}:${canonical}`).sort(),
			);
		});

		test('status CHECKs: the database refuses statuses the package never writes; rows of other writers leave them NOT VALID instead of failing', async () => {
			const inSchema = <R>(schema: string, fn: (tx: SqlExecutor) => Promise<R>) =>
				env.exec.transaction(async (tx) => {
					await tx.query(`SET LOCAL search_path TO "${schema}"`);
					return fn(tx);
				});
			const validated = (schema: string) =>
				inSchema(schema, async (tx) =>
					Object.fromEntries(
						(await tx.query(`SELECT conname, convalidated FROM pg_constraint WHERE conname IN ('creative_variants_status_check', 'moderation_actions_action_status_check') AND connamespace = $1::regnamespace ORDER BY conname`, [schema])).rows.map((r) => [
							String(r.conname),
							r.convalidated,
						]),
					),
				);
			const addItem = (tx: SqlExecutor) => tx.query(`INSERT INTO social_media_items (platform, object_id, object_type) VALUES ('meta', $1, 'comment') RETURNING id`, [uid('c')]).then((r) => String(r.rows[0].id));
			const variant = (tx: SqlExecutor, status: string) => tx.query(`INSERT INTO creative_variants (platform, campaign_id, content_hash, status) VALUES ('meta', 'c1', $1, $2)`, [uid('h'), status]);
			const action = (tx: SqlExecutor, itemId: string, status: string) =>
				tx.query(`INSERT INTO moderation_actions (idempotency_key, item_id, action_type, action_status) VALUES ($1, $2, 'hide', $3)`, [uid('k'), itemId, status]);
			const refusedBy = (name: string) => (e: unknown) => new RegExp(`violates check constraint "${name}"`).test(String((e as Error).message));

			// a database only the package wrote: both constraints are validated
			const fresh = env.schema();
			await migrate(env.exec, { schema: fresh });
			assert.deepEqual(await validated(fresh), { creative_variants_status_check: true, moderation_actions_action_status_check: true });
			await inSchema(fresh, async (tx) => {
				for (const status of CREATIVE_VARIANT_STATUSES) await variant(tx, status);
				const itemId = await addItem(tx);
				for (const status of MODERATION_ACTION_STATUSES) await action(tx, itemId, status);
			});
			await assert.rejects(inSchema(fresh, (tx) => variant(tx, 'live')), refusedBy('creative_variants_status_check'));
			await assert.rejects(inSchema(fresh, async (tx) => action(tx, await addItem(tx), 'planned')), refusedBy('moderation_actions_action_status_check'));

			// rows another writer stored before: the migration applies, the constraints stay NOT VALID and still check what is written
			const legacy = env.schema();
			const all = loadMigrations();
			const statusChecks = all.findIndex((m) => m.file === '20250608000000_status_checks.sql');
			assert.ok(statusChecks > 0);
			await migrate(env.exec, { schema: legacy, migrations: all.slice(0, statusChecks) });
			await inSchema(legacy, async (tx) => {
				await variant(tx, 'live');
				await action(tx, await addItem(tx), 'planned');
			});
			assert.deepEqual((await migrate(env.exec, { schema: legacy })).applied, all.slice(statusChecks).map((m) => m.file));
			assert.deepEqual(await validated(legacy), { creative_variants_status_check: false, moderation_actions_action_status_check: false });
			assert.deepEqual(await inSchema(legacy, async (tx) => (await tx.query('SELECT status FROM creative_variants')).rows.map((r) => r.status)), ['live']);
			await assert.rejects(inSchema(legacy, (tx) => variant(tx, 'archived')), refusedBy('creative_variants_status_check'));
			await assert.rejects(inSchema(legacy, async (tx) => action(tx, await addItem(tx), 'skipped')), refusedBy('moderation_actions_action_status_check'));
			// an update of a legacy row must bring a listed status along; once all rows conform, the constraint validates
			await assert.rejects(inSchema(legacy, (tx) => tx.query(`UPDATE creative_variants SET rationale = 'x'`)), refusedBy('creative_variants_status_check'));
			await inSchema(legacy, async (tx) => {
				await tx.query(`UPDATE creative_variants SET status = 'draft' WHERE status = 'live'`);
				await tx.query(`UPDATE moderation_actions SET action_status = 'proposed' WHERE action_status = 'planned'`);
				await tx.query('ALTER TABLE creative_variants VALIDATE CONSTRAINT creative_variants_status_check');
				await tx.query('ALTER TABLE moderation_actions VALIDATE CONSTRAINT moderation_actions_action_status_check');
			});
			assert.deepEqual(await validated(legacy), { creative_variants_status_check: true, moderation_actions_action_status_check: true });
		});

		test('a failing migration leaves the schema as it was and names file and statement', async () => {
			const schema = env.schema();
			const dir = mkdtempSync(join(tmpdir(), 'adops-mig-'));
			writeFileSync(join(dir, '001_first.sql'), 'CREATE TABLE first_table (id int PRIMARY KEY);\n');
			writeFileSync(
				join(dir, '002_broken.sql'),
				[
					'-- creates a table, then fails',
					'CREATE TABLE second_table (id int PRIMARY KEY, body text);',
					"INSERT INTO second_table VALUES (1, 'a;b');",
					'INSERT INTO second_table (id, body)',
					'  VALUES (2, no_such_function(1));',
					'CREATE TABLE third_table (id int);',
				].join('\n'),
			);
			await assert.rejects(migrate(env.exec, { dir, schema }), (error: unknown) => {
				assert.ok(error instanceof MigrationError, String(error));
				assert.equal(error.file, '002_broken.sql');
				assert.match(error.message, /002_broken\.sql/);
				assert.match(error.message, /statement 3/);
				assert.match(error.message, /line 5, column 14/);
				assert.match(error.message, /no_such_function/);
				assert.match(error.statement ?? '', /^INSERT INTO second_table \(id, body\)\n {2}VALUES/);
				return true;
			});
			assert.ok(await env.tableExists(schema, 'first_table'));
			assert.equal(await env.tableExists(schema, 'second_table'), false);
			assert.equal(await env.tableExists(schema, 'third_table'), false);
			const recorded = await env.exec.transaction(async (tx) => {
				await tx.query(`SET LOCAL search_path TO "${schema}"`);
				return (await tx.query('SELECT version FROM schema_migrations ORDER BY version')).rows.map((r) => r.version);
			});
			assert.deepEqual(recorded, ['001']);

			// an applied migration whose file changed is refused
			writeFileSync(join(dir, '001_first.sql'), 'CREATE TABLE first_table (id bigint PRIMARY KEY);\n');
			await assert.rejects(migrate(env.exec, { dir, schema }), (error: unknown) => {
				assert.ok(error instanceof MigrationError);
				assert.equal(error.code, 'CHECKSUM_MISMATCH');
				assert.match(error.message, /001_first\.sql .*changed/);
				return true;
			});
		});
	});
}
