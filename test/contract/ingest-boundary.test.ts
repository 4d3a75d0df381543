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
import { after, before, describe, test } from 'node:test';
import { Pool } from 'pg';
import { startSandbox, type Sandbox } from '../../scripts/sandbox';
import { addDays } from '../../scripts/sandbox/rng';
import type { AdAccount, Campaign } from '../../scripts/sandbox/world';
import { runIngest } from '../../nodes/shared/ingest';
import { createPlatformAdapter, type PlatformSettings } from '../../nodes/shared/platforms/factory';
import { openStore, type Store } from '../../nodes/shared/store';

const DATABASE_URL = process.env.DATABASE_URL;
const TODAY = '2026-03-02';
const WINDOW = { start: addDays(TODAY, -4), end: addDays(TODAY, -1) };
const NOW = () => new Date(`${TODAY}T12:00:00Z`);

let sandbox: Sandbox;
before(async () => {
	sandbox = await startSandbox({ seed: 11, today: TODAY });
});
after(() => sandbox?.close());

function settings(platform: 'meta' | 'linkedin'): PlatformSettings {
	const c = sandbox.credentials;
	if (platform === 'meta') return { platform, accessToken: c.meta.accessToken, appSecret: c.meta.appSecret, apiVersion: 'v21.0', baseUrl: sandbox.urls.meta, accountIds: [] };
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
export const boundaryAttempts = { text: 0, identifiers: 0, money: 0 };

function registerBoundarySuite(name: string, open: () => Promise<Store>) {
	describe(`ingest boundary on ${name}`, () => {
		let store: Store;
		before(async () => {
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

const dir = mkdtempSync(join(tmpdir(), 'adops-boundary-'));
let embedded: Store | undefined;
registerBoundarySuite('PGlite', async () => (embedded = await openStore({ kind: 'embedded', path: dir })));
after(async () => {
	await embedded?.close();
	rmSync(dir, { recursive: true, force: true });
});

if (DATABASE_URL) {
	const schema = `adops_boundary_${randomBytes(5).toString('hex')}`;
	let pgStore: Store | undefined;
	registerBoundarySuite(`PostgreSQL (schema ${schema})`, async () => (pgStore = await openStore({ kind: 'postgres', connectionString: DATABASE_URL, ssl: 'disable', schema })));
	after(async () => {
		await pgStore?.close();
		const admin = new Pool({ connectionString: DATABASE_URL, max: 1 });
		await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
		await admin.end();
	});
}

after(() => {
	console.log(`boundary attempts: ${JSON.stringify(boundaryAttempts)}`);
});
