/**
 * The data boundary through the real ingest run: the real platform adapters
 * read the sandbox, whose world a test edits (a campaign name with a NUL or
 * a lone surrogate, a campaign id with one, a spend of 1e30), and the rows
 * are written to PGlite always and PostgreSQL when DATABASE_URL is set.
 *
 * Before the text boundary, one such character made PostgreSQL refuse the
 * whole upsert (SQLSTATE 22P05 for NUL, 22P02 for a lone surrogate inside
 * the JSON the store sends) and the account ingested nothing, every run.
 * Now the other rows are written, a bad name is cleaned (NUL removed, lone
 * surrogate → U+FFFD), a bad identifier quarantines its row with the reason
 * in words, and money above its currency's ceiling is quarantined.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, test } from 'vitest';
import fc from 'fast-check';
import { Pool } from 'pg';
import { startSandbox, type Sandbox } from '../../scripts/sandbox';
import { addDays } from '../../scripts/sandbox/rng';
import type { AdAccount, Campaign } from '../../scripts/sandbox/world';
import { runIngest } from '../../nodes/shared/ingest';
import { createPlatformAdapter, type PlatformSettings } from '../../nodes/shared/platforms/factory';
import { rowSchemas, TABLE_NAMES, type TableName } from '../../nodes/shared/schema/rows';
import { openStore, type Store } from '../../nodes/shared/store';
import { embeddedExecutor } from '../../nodes/shared/store/embedded';
import { PgPoolExecutor, type SqlExecutor } from '../../nodes/shared/store/sql-runner';
import { TABLES } from '../../nodes/shared/store/tables';
import { cleanText, cleanValue, textFlaw } from '../../nodes/shared/text/clean';
import { pinnedApiVersion } from '../../nodes/shared/platforms/registry';

const DATABASE_URL = process.env.DATABASE_URL;
const TODAY = '2026-03-02';
const WINDOW = { start: addDays(TODAY, -4), end: addDays(TODAY, -1) };
const NOW = () => new Date(`${TODAY}T12:00:00Z`);

let sandbox: Sandbox;
beforeAll(async () => {
	sandbox = await startSandbox({ seed: 11, today: TODAY });
});
afterAll(() => sandbox?.close());

function settings(platform: 'meta' | 'linkedin'): PlatformSettings {
	const c = sandbox.credentials;
	if (platform === 'meta') return { platform, accessToken: c.meta.accessToken, appSecret: c.meta.appSecret, apiVersion: pinnedApiVersion('meta'), baseUrl: sandbox.urls.meta, accountIds: [] };
	return { platform, accessToken: c.linkedin.accessToken, baseUrl: sandbox.urls.linkedin, accountIds: [] };
}

function account(platform: 'meta' | 'linkedin', currency: string): AdAccount {
	const found = sandbox.world.accounts.find((a) => a.platform === platform && a.currency === currency);
	assert.ok(found, `the sandbox world has a ${platform} ${currency} account`);
	return found;
}

/** Campaigns with spend on every day of the window (so each has rows to fetch). */
function deliveringCampaigns(acct: AdAccount): Campaign[] {
	return acct.campaigns.filter((c) => c.daily.filter((d) => d.date >= WINDOW.start && d.date <= WINDOW.end && d.impressions > 0).length > 0);
}

/** Edits the live world for the body of `fn`, then restores it. */
async function withEdits<R>(edits: Array<() => () => void>, fn: () => Promise<R>): Promise<R> {
	const undo = edits.map((edit) => edit());
	try {
		return await fn();
	} finally {
		for (const u of undo.reverse()) u();
	}
}

function setField<T extends object, K extends keyof T>(obj: T, key: K, value: T[K]): () => () => void {
	return () => {
		const old = obj[key];
		obj[key] = value;
		return () => {
			obj[key] = old;
		};
	};
}

/** Counted for the note's fault table: every NUL / surrogate / huge-money input the suites below run. */
export const boundaryAttempts = { text: 0, identifiers: 0, money: 0, storeStrings: 0, storeRows: 0 };

/** Strings dense in NULs and surrogate halves (and any code units). */
const dirtyString = fc
	.array(
		fc.oneof(
			{ weight: 3, arbitrary: fc.constantFrom('\u0000', '\uD800', '\uDBFF', '\uDC00', '\uDFFF', '\uD83D', '\uDE00', '😀', 'a', ' ', 'é', "'", '"', '\\') },
			{ weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 6 }) },
		),
		{ minLength: 1, maxLength: 16 },
	)
	.map((parts) => parts.join(''));

const sha = (i: number, salt: string) => (salt + i.toString(16)).padStart(64, '0').slice(-64);

/** A valid row of each table (i makes natural keys unique); the free text and jsonb columns are then overwritten with dirty values. */
function baseRow(table: TableName, i: number, tag: string, itemId: string): Record<string, unknown> {
	const day = new Date(Date.UTC(2020, 0, 1) + i * 86_400_000).toISOString().slice(0, 10);
	const id = `${tag}${i}`;
	switch (table) {
		case 'campaign_performance':
			return { date: '2025-06-01', platform: 'meta', account_id: id, campaign_id: id, currency: 'USD' };
		case 'ad_performance':
			return { date: '2025-06-01', platform: 'meta', account_id: id, campaign_id: id, ad_group_id: id, ad_id: id, currency: 'USD' };
		case 'fx_rates':
			return { base: 'EUR', quote: 'USD', rate_date: day, rate: 1.1 };
		case 'creative_variants':
			return { platform: 'meta', campaign_id: id, content_hash: id };
		case 'creative_runs':
			return { platform: 'meta', account_id: id, campaign_id: id, brief_hash: sha(i, 'b'), metric: 'roas', chat_model: 'm', embedding_model: 'e', variants_requested: 1, max_attempts: 1 };
		case 'optimization_rules':
			return { rule_name: id, rule_type: 'budget' };
		case 'optimization_actions':
			return { idempotency_key: id, platform: 'meta', campaign_id: id, action_type: 'set_budget' };
		case 'social_media_items':
			return { platform: 'meta', object_id: id, object_type: 'comment' };
		case 'item_classifications':
			return { item_id: itemId, model: id };
		case 'moderation_actions':
			return { idempotency_key: id, item_id: itemId, action_type: 'hide', action_status: 'dry_run' };
		case 'ad_comment_signals':
			return { platform: 'meta', account_id: id, campaign_id: null, ad_id: id, date: '2025-06-01', comments: 0, negative_comments: 0, abusive_comments: 0, excluded_comments: 0, negative_share: null, abusive_share: null };
		case 'webhook_replay_keys':
			return { replay_key: id, expires_at: '2030-01-01T00:00:00Z' };
		case 'ingest_runs':
			return { platform: 'meta', account_id: id, window_start: '2025-06-01', window_end: '2025-06-02' };
		case 'quarantine':
			return { source: id, raw_payload: {}, reason: 'r', content_hash: sha(i, tag.length.toString()) };
		case 'quality_reports':
			return { report_date: day, scope: id, score: 50, level: 'Fair', checks: {}, generated_at: '2025-06-01T00:00:00Z' };
		case 'approvals':
			return { proposal_id: id, kind: 'k', payload: {}, payload_hash: sha(i, 'c') };
		case 'action_ledger':
			return { idempotency_key: id, kind: 'k', target: 't', intent: {} };
		case 'alert_threads':
			return { channel: id, thread_key: id, ts: '1' };
		case 'app_state':
			return { key: id, value: {} };
		case 'anomalies':
			return { platform: 'meta', account_id: id, metric: 'spend', date: day, episode_start: day, direction: 'spike', actual: 3, expected: 1, lower_bound: 0.5, upper_bound: 1.5, score: 9, volume: 3, method: 'stl', alpha: 0.05 };
		case 'budget_plans':
			return { platform: 'meta', account_id: id, month: '2025-06-01', amount: 1000, currency: 'USD' };
		case 'marketing_events':
			return { source: id, event_id: id, event_type: 'custom', event_time: '2025-06-17T00:00:00Z', received_at: '2025-06-17T00:00:00Z' };
		case 'event_quarantine':
			return { source: id, reason: 'r', payload: {}, content_hash: sha(i, 'e'), received_at: '2025-06-17T00:00:00Z' };
		case 'attributed_conversions':
			return { model: 'linear', date: day, platform: id, conversions: 1, revenue: 0, lookback_days: 30, computed_at: '2025-06-17T00:00:00Z' };
		case 'conversion_uploads':
			return { platform: 'meta', destination: id, source: id, event_id: id, batch_key: id, status: 'pending', first_sent_at: '2025-06-17T00:00:00Z' };
	}
}

/** Text columns the schema takes any string in (not enums, codes or formats), and the jsonb columns. */
function freeColumns(table: TableName): { text: string[]; jsonb: string[] } {
	const def = TABLES[table];
	const shape = rowSchemas[table].shape as Record<string, { safeParse(v: unknown): { success: boolean } }>;
	const text: string[] = [];
	const jsonb: string[] = [];
	for (const [column, kind] of Object.entries(def.columns)) {
		if (def.readOnly.includes(column) || !(column in shape)) continue;
		if (kind === 'text' && shape[column].safeParse('v0| any text').success) text.push(column);
		// free jsonb: takes any object or list (structured jsonb such as anomalies.last_days has its own schema)
		if (kind === 'jsonb' && (shape[column].safeParse({ k: 'v0| any text' }).success || shape[column].safeParse(['v0| any text']).success)) jsonb.push(column);
	}
	return { text, jsonb };
}

function registerBoundarySuite(name: string, open: () => Promise<Store>) {
	describe(`ingest boundary on ${name}`, () => {
		let store: Store;
		beforeAll(async () => {
			store = await open();
		});

		const ingest = (platform: 'meta' | 'linkedin', acct: AdAccount) =>
			runIngest({
				store,
				adapter: createPlatformAdapter(settings(platform), { retry: { maxRetries: 0 } }),
				accountId: acct.id,
				reportingCurrency: acct.currency,
				window: WINDOW,
				now: NOW,
			});

		test('a campaign name with a NUL and one with a lone surrogate: every row is written, the names cleaned, a rerun changes nothing', async () => {
			const acct = account('meta', 'EUR');
			const [first, second] = deliveringCampaigns(acct);
			assert.ok(first && second, 'two delivering campaigns');
			const names = [
				{ campaign: first, dirty: 'Winter\u0000 Jackets\u0000', clean: 'Winter Jackets' },
				{ campaign: second, dirty: 'Cart \uD800 Abandoners \uDC00!', clean: 'Cart \uFFFD Abandoners \uFFFD!' },
			];
			await withEdits(names.map((n) => setField(n.campaign, 'name', n.dirty)), async () => {
				const outcome = await ingest('meta', acct);
				boundaryAttempts.text += 2;
				assert.equal(outcome.status, 'success', JSON.stringify(outcome.error ?? outcome.quarantineReasons));
				assert.equal(outcome.rowsQuarantined, 0);
				assert.ok(outcome.rowsFetched > 0);
				assert.equal(outcome.rowsWritten, outcome.rowsFetched);
				for (const n of names) {
					const rows = await store.select('campaign_performance', { where: { platform: 'meta', account_id: acct.id, campaign_id: n.campaign.id } });
					assert.ok(rows.length > 0, `rows of ${n.campaign.id} stored`);
					for (const row of rows) assert.equal(row.campaign_name, n.clean);
				}
				// idempotent: the cleaned name equals the stored one, so nothing is written again
				const again = await ingest('meta', acct);
				assert.equal(again.status, 'success');
				assert.equal(again.rowsWritten, 0);
				assert.equal(again.rowsUnchanged, outcome.rowsFetched);
			});
		});

		test('a campaign id with a NUL or a lone surrogate: that campaign is quarantined with the reason, the others are written', async () => {
			const acct = account('meta', 'USD');
			const [first, second, ...rest] = deliveringCampaigns(acct);
			assert.ok(first && second && rest.length > 0, 'three delivering campaigns');
			const nulId = `${first.id}\u0000`;
			const loneId = `${second.id}\uDBFF`;
			await withEdits([setField(first, 'id', nulId), setField(second, 'id', loneId)], async () => {
				const outcome = await ingest('meta', acct);
				boundaryAttempts.identifiers += 2;
				assert.equal(outcome.status, 'partial', JSON.stringify(outcome.error));
				const badRows = outcome.rowsQuarantined;
				assert.ok(badRows >= 2, `both campaigns quarantined (${badRows})`);
				assert.equal(outcome.rowsWritten, outcome.rowsFetched - badRows);
				assert.ok(outcome.rowsWritten > 0, 'the other campaigns are written');
				assert.ok(outcome.quarantineReasons.some((r) => /campaign id contains a NUL character \(U\+0000\)/.test(r)), outcome.quarantineReasons.join('\n'));
				assert.ok(outcome.quarantineReasons.some((r) => /campaign id contains an unpaired surrogate \(U\+DBFF\)/.test(r)), outcome.quarantineReasons.join('\n'));
				const stored = await store.select('campaign_performance', { where: { platform: 'meta', account_id: acct.id } });
				const ids = new Set(stored.map((r) => r.campaign_id));
				for (const c of rest) assert.ok(ids.has(c.id), `campaign ${c.id} written`);
				assert.ok(![...ids].some((id) => id.startsWith(first.id) || id.startsWith(second.id)), 'no altered identifier was stored');
				const records = await store.select('quarantine', { where: { ingest_run_id: outcome.runId } });
				assert.equal(records.length, badRows);
				for (const r of records) assert.match(r.reason, /campaign id contains/);
				// the payload is kept (cleaned text), and the same bad rows are not recorded twice
				const again = await ingest('meta', acct);
				assert.equal(again.status, 'partial');
				assert.equal(again.quarantineRecordsAdded, 0);
				assert.equal(again.rowsWritten, 0);
			});
		});

		test('a spend of 1e30 is quarantined with the ceiling in words, not stored; the other rows are written', async () => {
			const acct = account('linkedin', 'USD');
			const [campaign] = deliveringCampaigns(acct);
			assert.ok(campaign);
			const day = campaign.daily.find((d) => d.date >= WINDOW.start && d.date <= WINDOW.end && d.impressions > 0)!;
			await withEdits([setField(day, 'spend', 1e30)], async () => {
				const outcome = await ingest('linkedin', acct);
				boundaryAttempts.money += 1;
				assert.equal(outcome.status, 'partial', JSON.stringify(outcome.error));
				assert.equal(outcome.rowsQuarantined, 1, outcome.quarantineReasons.join('\n'));
				assert.match(outcome.quarantineReasons[0]!, /spend .*above the ceiling of 10,000,000,000 USD a day/);
				assert.equal(outcome.rowsWritten, outcome.rowsFetched - 1);
				const stored = await store.select('campaign_performance', { where: { platform: 'linkedin', account_id: acct.id, campaign_id: campaign.id, date: day.date } });
				assert.equal(stored.length, 0, 'the row with 1e30 is not stored');
				const max = Math.max(...(await store.select('campaign_performance', { where: { platform: 'linkedin', account_id: acct.id } })).map((r) => r.spend));
				assert.ok(max < 1e6, `no absurd spend stored (max ${max})`);
			});
		});
	});
}

function registerStoreBoundarySuite(name: string, open: () => Promise<{ store: Store; exec: SqlExecutor }>) {
	describe(`store text boundary on ${name}`, () => {
		let store: Store;
		let exec: SqlExecutor;
		beforeAll(async () => {
			({ store, exec } = await open());
		});

		test('the database itself refuses NUL (22P05) and a lone surrogate (22P02) in the JSON the store sends, so the cleaning is needed', async () => {
			const code = async (value: string) => {
				try {
					await exec.query('SELECT $1::jsonb AS v', [JSON.stringify({ name: value })]);
					return 'ok';
				} catch (error) {
					return String((error as { code?: string }).code);
				}
			};
			assert.equal(await code('a\u0000b'), '22P05');
			assert.equal(await code('a\uD800b'), '22P02');
			assert.equal(await code(cleanText('a\uD800\u0000b')), 'ok');
		});

		test('every table with text or jsonb columns: any string (NULs, lone surrogates, any code unit) is written, read back cleaned and found by a filter with the same dirty value', async () => {
			const tag = `b${randomBytes(3).toString('hex')}_`;
			// the comment the classification and moderation rows point at
			await store.upsert('social_media_items', [{ platform: 'meta', object_id: `${tag}parent`, object_type: 'comment' }]);
			const [parent] = await store.select('social_media_items', { where: { object_id: `${tag}parent` } });
			const ROWS = 12;
			let seed = 1;
			let tablesCovered = 0;
			for (const table of TABLE_NAMES) {
				const { text, jsonb } = freeColumns(table);
				if (text.length + jsonb.length === 0) continue;
				tablesCovered++;
				const def = TABLES[table];
				const strings = fc.sample(dirtyString, { numRuns: ROWS * (text.length + 2 * jsonb.length), seed: seed++ });
				let next = 0;
				const rows = Array.from({ length: ROWS }, (_, i) => {
					const row = baseRow(table, i, tag, parent.id);
					// the prefix keeps natural keys unique and non-empty; prefix and suffix leave nothing for the schema's trim
					for (const column of text) row[column] = `${tag}${i}|${strings[next++]}|`;
					for (const column of jsonb) {
						const value = { [strings[next++]!]: [strings[next++]!, { n: i, ok: true }] };
						row[column] = rowSchemas[table].shape[column as never] && (rowSchemas[table].shape as Record<string, { safeParse(v: unknown): { success: boolean } }>)[column].safeParse(value).success ? value : [value];
					}
					return row;
				});
				boundaryAttempts.storeStrings += ROWS * (text.length + 2 * jsonb.length);
				boundaryAttempts.storeRows += ROWS;
				// the write never throws (no 22P05 / 22P02 / 22021)
				let ids: string[] = [];
				if (def.naturalKey.length > 0) await store.upsert(table, rows as never);
				else ids = (await store.insert(table, rows as never)).ids;
				for (let i = 0; i < ROWS; i++) {
					const row = rows[i]!;
					// found through the dirty values: filters are cleaned like writes
					const where = def.naturalKey.length > 0 ? Object.fromEntries(def.naturalKey.map((k) => [k, row[k]])) : { id: ids[i] };
					const found = (await store.select(table, { where: where as never })) as unknown as Array<Record<string, unknown>>;
					assert.equal(found.length, 1, `${table} row ${i} found by ${JSON.stringify(where)}`);
					const stored = found[0]!;
					for (const column of text) {
						const expected = (rowSchemas[table].shape as Record<string, { parse(v: unknown): unknown }>)[column].parse(cleanText(row[column] as string));
						assert.equal(stored[column], expected, `${table}.${column}`);
						assert.equal(textFlaw(stored[column] as string), undefined);
					}
					for (const column of jsonb) assert.deepEqual(stored[column], cleanValue(row[column]), `${table}.${column}`);
				}
			}
			assert.ok(tablesCovered >= 17, `tables covered: ${tablesCovered}`);
		});

		test('update patches, ledger claims and state values are cleaned too', async () => {
			const tag = `p${randomBytes(3).toString('hex')}`;
			const { ids } = await store.insert('ingest_runs', [{ platform: 'meta', account_id: tag, window_start: '2025-06-01', window_end: '2025-06-01' }]);
			await store.update('ingest_runs', { id: ids[0] }, { error: 'bad\u0000 \uD800', warnings: ['w\u0000', { '\uDC00k': 'v' }] });
			const [run] = await store.select('ingest_runs', { where: { id: ids[0] } });
			assert.equal(run.error, 'bad \uFFFD');
			assert.deepEqual(run.warnings, ['w', { '\uFFFDk': 'v' }]);
			const claim = await store.claimAction(`${tag}\u0000key`, { kind: 'reply', target: 'comment \uD800', intent: { message: 'hi\u0000' }, claimedBy: 'host\u0000:1' });
			assert.equal(claim.claimed, true);
			assert.equal(claim.entry.idempotency_key, `${tag}key`);
			assert.equal(claim.entry.target, 'comment \uFFFD');
			assert.deepEqual(claim.entry.intent, { message: 'hi' });
			assert.equal(claim.entry.claimed_by, 'host:1');
			await store.setState(`${tag}\u0000state`, { note: '\uDBFF' });
			assert.deepEqual(await store.getState(`${tag}state`), { note: '\uFFFD' });
			boundaryAttempts.storeStrings += 9;
		});

		test('completing and resolving a ledger entry with a NUL or a lone surrogate in the error or response', async () => {
			const key = `c${randomBytes(3).toString('hex')}`;
			await store.claimAction(key, { kind: 'reply', target: 't', intent: {} });
			const done = await store.completeAction(key, { status: 'unknown', error: 'timeout\u0000', response: { body: 'x\uD800' } });
			assert.equal(done.error, 'timeout');
			const resolved = await store.resolveAction(key, { from: 'unknown', status: 'succeeded', resolution: 'found the reply \u0000', response: { id: '\uDC00' } });
			assert.equal(resolved.entry.resolution, 'found the reply ');
		});
	});
}

const dir = mkdtempSync(join(tmpdir(), 'adops-boundary-'));
let embedded: Store | undefined;
registerBoundarySuite('PGlite', async () => (embedded = await openStore({ kind: 'embedded', path: dir })));
registerStoreBoundarySuite('PGlite', async () => {
	const store = embedded ?? (embedded = await openStore({ kind: 'embedded', path: dir }));
	return { store, exec: (await embeddedExecutor(dir)) as SqlExecutor };
});
afterAll(async () => {
	await embedded?.close();
	rmSync(dir, { recursive: true, force: true });
});

if (DATABASE_URL) {
	const schema = `adops_boundary_${randomBytes(5).toString('hex')}`;
	let pgStore: Store | undefined;
	registerBoundarySuite(`PostgreSQL (schema ${schema})`, async () => (pgStore = await openStore({ kind: 'postgres', connectionString: DATABASE_URL, ssl: 'disable', schema })));
	let pool: Pool | undefined;
	registerStoreBoundarySuite(`PostgreSQL (schema ${schema})`, async () => {
		const store = pgStore ?? (pgStore = await openStore({ kind: 'postgres', connectionString: DATABASE_URL, ssl: 'disable', schema }));
		pool = new Pool({ connectionString: DATABASE_URL, max: 1 });
		return { store, exec: new PgPoolExecutor(pool) };
	});
	afterAll(async () => {
		await pool?.end();
		await pgStore?.close();
		const admin = new Pool({ connectionString: DATABASE_URL, max: 1 });
		await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
		await admin.end();
	});
}

afterAll(() => {
	console.log(`boundary attempts: ${JSON.stringify(boundaryAttempts)}`);
});
