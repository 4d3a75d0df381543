// AdOps Ingest run in-process by n8n-core against the sandbox's ad platforms and the store (PGlite, or
// PostgreSQL with DATABASE_URL): both operations, parameters that reach the core (accounts, backfill
// days, currency, platforms, report date), bad parameters with the item index, Continue On Fail,
// paired items, and workflows/ingest.json from Run Now with its item counts.
import { test, describe, beforeAll, afterAll, expect } from 'vitest';
import { openStore } from '../../nodes/shared/store';
import { startEngine, type Engine } from './harness';
import { ALERTS, expectNodeError, expectPaired, json, pairs, slackMessages } from './expect';
import { KLAVIYO_BURST_ONLY } from './world';

const DAY = 86_400_000;
const days = (a: string, b: string) => Math.round((Date.parse(b) - Date.parse(a)) / DAY);

describe('AdOps Ingest on n8n-core', () => {
	let engine: Engine;
	let creds: Record<string, { id: string; name: string }>;
	const node = (parameters: Record<string, unknown>) => ({ name: 'Ingest', type: 'adOpsIngest', parameters, credentials: creds });
	const rows = async (where: Record<string, unknown> = {}) => {
		const store = await openStore(engine.store.config);
		try {
			return await store.select('campaign_performance', { where });
		} finally {
			await store.close();
		}
	};
	beforeAll(async () => {
		engine = await startEngine({ seed: 21 });
		// Klaviyo's values reports at their burst window only: ingest.json backfills 30 days of them (world.ts).
		engine.credentials.values.adOpsStoreApi = { ...engine.credentials.values.adOpsStoreApi, quotas: KLAVIYO_BURST_ONLY };
		creds = { ...engine.credentialRef('adOpsStoreApi'), ...engine.credentialRef('adOpsMetaAdsApi'), ...engine.credentialRef('adOpsLinkedInAdsOAuth2Api'), ...engine.credentialRef('adOpsGoogleAdsOAuth2Api'), ...engine.credentialRef('adOpsKlaviyoApi') };
	});
	afterAll(async () => {
		await engine?.close();
	});

	test('ingest: Account IDs, Initial Backfill Days and Reporting Currency reach the run; one item per account, rows in the store', async () => {
		const meta = engine.sandbox.world.accounts.filter((a) => a.platform === 'meta');
		const account = meta[1]!;
		const run = await engine.runNode(node({ operation: 'ingest', platform: 'meta', accounts: account.id, reportingCurrency: 'eur', lookbackDays: 2, initialBackfillDays: 5, options: {} }));
		expect(run.status, run.error?.message).toBe('success');
		const out = json(run.items('Ingest'));
		expect(out).toHaveLength(1);
		const o = out[0] as { platform: string; accountId: string; status: string; window: { start: string; end: string; mode: string }; rowsWritten: number; reportingCurrency?: string };
		expect([o.platform, o.accountId, o.status, o.window.mode]).toEqual(['meta', account.id, 'success', 'backfill']);
		expect(days(o.window.start, o.window.end)).toBe(4);
		expect(o.rowsWritten).toBeGreaterThan(0);
		expectPaired(run);
		const stored = await rows({ account_id: account.id });
		expect(stored).toHaveLength(o.rowsWritten);
		expect(stored.every((r) => String(r.date) >= o.window.start && String(r.date) <= o.window.end)).toBe(true);
		// The EU account bills in EUR: reported in EUR, nothing converted.
		expect(account.currency).toBe('EUR');
		expect([...new Set(stored.map((r) => r.currency))]).toEqual(['EUR']);

		// The second run is incremental: Lookback Days (2) re-reads the last days only.
		const again = await engine.runNode(node({ operation: 'ingest', platform: 'meta', accounts: account.id, reportingCurrency: 'EUR', lookbackDays: 2, initialBackfillDays: 5, options: {} }));
		const w = (json(again.items('Ingest'))[0] as { window: { start: string; end: string; mode: string } }).window;
		expect(w.mode).not.toBe('backfill');
		expect(days(w.start, w.end)).toBeLessThanOrEqual(2);
	});

	test('quality report: Platforms and Report Date reach the report; one item paired with every input item', async () => {
		const run = await engine.runNode(node({ operation: 'qualityReport', platforms: ['meta'], reportDate: '={{ $today.minus({ days: 1 }).toFormat("yyyy-MM-dd") }}', options: { trailingDays: 3 } }), [{ a: 1 }, { a: 2 }, { a: 3 }]);
		expect(run.status, run.error?.message).toBe('success');
		const items = run.items('Ingest');
		expect(items).toHaveLength(1);
		const report = items[0]!.json as { reportDate: string; checks: unknown[]; accounts: number; alert: unknown };
		// $today is the instance's day (n8n's default zone, America/New_York, unless set), a day behind UTC's after midnight UTC
		const dayIn = (timeZone: string) => new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
		expect([...new Set([dayIn('UTC'), dayIn('America/New_York')])].map((today) => days(report.reportDate, today))).toContain(1);
		expect(report.checks.length).toBeGreaterThan(0);
		expect(items[0]!.pairedItem).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
		expect(report.alert).toBeTruthy();
	});

	test('bad parameters name themselves and the item: Lookback Days, Reporting Currency, Report Date', async () => {
		const lookback = await engine.runNode(node({ operation: 'ingest', platform: 'meta', accounts: '', reportingCurrency: 'USD', lookbackDays: '={{ $json.days }}', initialBackfillDays: 5, options: {} }), [{ days: 'abc' }]);
		expectNodeError(lookback, 'Ingest', /Lookback Days must be a whole number from 0 to 90; got "abc"/, 0);
		const currency = await engine.runNode(node({ operation: 'ingest', platform: 'linkedin', accounts: '', reportingCurrency: '={{ $json.currency }}', lookbackDays: 1, initialBackfillDays: 2, options: {} }), [{ currency: 'USD' }, { currency: 'dollars' }]);
		expectNodeError(currency, 'Ingest', /Reporting currency "DOLLARS" is not an ISO 4217 code/, 1);
		const report = await engine.runNode(node({ operation: 'qualityReport', platforms: [], reportDate: '5 March', options: {} }));
		expectNodeError(report, 'Ingest', /Report Date must be YYYY-MM-DD, got "5 March"/, 0);
	});

	test('continue on fail: the failing item is an error item paired with it; the other item ingests', async () => {
		const account = engine.sandbox.world.accounts.find((a) => a.platform === 'linkedin')!;
		const run = await engine.runNode(node({ operation: 'ingest', platform: 'linkedin', accounts: account.id, reportingCurrency: '={{ $json.currency }}', lookbackDays: 1, initialBackfillDays: 2, options: {} }), [{ currency: 'nope' }, { currency: 'USD' }], { continueOnFail: true });
		expect(run.status).toBe('success');
		const items = run.items('Ingest');
		expect(pairs(items)).toEqual([0, 1]);
		expect(String(items[0]!.json.error)).toMatch(/Reporting currency "NOPE"/);
		expect(items[1]!.json).toMatchObject({ platform: 'linkedin', accountId: account.id, status: 'success' });
	});

	test('workflows/ingest.json (Run Now): seven accounts on four platforms, merged, one quality report, one Slack summary', async () => {
		const before = slackMessages(engine).length;
		const run = await engine.run('ingest.json');
		expect(run.status, run.error?.message).toBe('success');
		const counts = Object.fromEntries(['Ingest Google Ads', 'Ingest Meta', 'Ingest LinkedIn', 'Ingest Klaviyo', 'All Accounts', 'Data Quality', 'Slack Summary'].map((n) => [n, run.items(n).length]));
		expect(counts).toEqual({ 'Ingest Google Ads': 2, 'Ingest Meta': 2, 'Ingest LinkedIn': 2, 'Ingest Klaviyo': 1, 'All Accounts': 7, 'Data Quality': 1, 'Slack Summary': 1 });
		const outcomes = json(run.items('All Accounts')) as Array<{ status: string; rowsFetched: number }>;
		// 'partial': the sandbox's world has rows that fail validation (quarantined with the reason); none failed.
		expect(outcomes.filter((o) => o.status !== 'success' && o.status !== 'partial')).toEqual([]);
		expect(outcomes.every((o) => o.rowsFetched > 0)).toBe(true);
		expect(run.items('Data Quality')[0]!.json).toMatchObject({ accounts: 7, failedAccounts: 0 });
		expectPaired(run);
		const posted = slackMessages(engine, ALERTS).slice(before);
		expect(posted).toHaveLength(1);
		expect(posted[0]!.text).toMatch(/Daily ingest/);
	});
});
