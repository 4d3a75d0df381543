// Moved from test/e2e/ingest.test.ts: workflows/ingest.json from Run Now against the sandbox and the
// store, on n8n-core in-process, three runs in a row (first load to the cent, an unchanged rerun, a run
// through faults); the error workflow (ingest-error.json, called by a published workflow) stays in e2e.
// The assertions are the e2e's.
import { test, beforeAll, afterAll, describe } from 'vitest';
import assert from 'node:assert/strict';
import { sandboxN8nCredentials, type Sandbox } from '../../scripts/sandbox';
import type { Store, StoreConfig } from '../../nodes/shared/store';
import { withStore as withStoreAt } from '../helpers/with-store';
import type { IngestOutcome } from '../../nodes/shared/ingest';
import { nodeOutput, type WorkflowInput, type ExecutionResult } from '../helpers/n8n';
import { readWorkflow, startEngine, type Engine } from './harness';
import { cli, type EngineCli } from './cli';
import { slackPosts } from './expect';
import { KLAVIYO_BURST_ONLY } from './world';

const RATES: Record<string, string> = { EUR: '1.0825', GBP: '1.2650', JPY: '0.006712' };
/** One run of ingest.json: over 3 min on a loaded 2-core machine (the engine project's default timeout). */
const RUN_TIMEOUT = 10 * 60_000;

/** amount × rate, rounded half away from zero to cents, in exact decimal arithmetic (independent of the code under test). */
function toUsdCents(amount: number, rate: string): number {
	const [ai, af = ''] = String(Math.abs(amount)).split('.');
	const [ri, rf = ''] = rate.split('.');
	const product = BigInt(ai + af) * BigInt(ri + rf); // scale 10^(af+rf)
	const scale = af.length + rf.length;
	const cents = scale >= 2 ? (product * 10n + 5n * 10n ** BigInt(scale - 2)) / (10n * 10n ** BigInt(scale - 2)) : product * 10n ** BigInt(2 - scale);
	return (amount < 0 ? -1 : 1) * Number(cents) / 100;
}

function inUsd(amount: number, currency: string): number {
	return currency === 'USD' ? amount : toUsdCents(amount, RATES[currency]!);
}


describe('workflows/ingest.json from Run Now, three runs, as `n8n execute` ran them (moved from test/e2e/ingest.test.ts)', () => {
	let engine: Engine;
	let sandbox: Sandbox;
	let n8n: EngineCli;
	let storeConfig: StoreConfig;
	let workflow: WorkflowInput;

	const withStore = <T>(fn: (store: Store) => Promise<T>) => withStoreAt(storeConfig, fn);

	function outcomes(result: ExecutionResult): IngestOutcome[] {
		return ['Ingest Google Ads', 'Ingest Meta', 'Ingest LinkedIn', 'Ingest Klaviyo'].flatMap((n) => nodeOutput(result, n).map((i) => i.json as unknown as IngestOutcome));
	}

	const slackMessages = () => slackPosts(sandbox);

	beforeAll(async () => {
		engine = await startEngine({ seed: 21, storePrefix: 'adops-engine-ingest-runs' });
		sandbox = engine.sandbox;
		storeConfig = engine.store.config;
		// Reporting currency USD: rates for every day the runs can touch.
		await withStore(async (store) => {
			const rows = [];
			for (let i = 0; i < 45; i++) {
				const day = new Date(Date.now() - i * 86_400_000).toISOString().slice(0, 10);
				for (const [base, rate] of Object.entries(RATES)) rows.push({ base, quote: 'USD', rate_date: day, rate: Number(rate), source: 'e2e' });
			}
			await store.upsert('fx_rates', rows);
		});

		// Klaviyo's values reports at their burst window only (world.ts): a first 30-day backfill otherwise takes
		// 15 minutes, more than `n8n execute` gave it.
		const credentials = sandboxN8nCredentials(sandbox, { ...engine.store.credential, quotas: KLAVIYO_BURST_ONLY });
		// One LinkedIn account given as a URN: ids are normalized before they are stored.
		const linkedin = credentials.find((c) => c.type === 'adOpsLinkedInAdsOAuth2Api')!;
		linkedin.data.adAccountIds = '508123456, urn:li:sponsoredAccount:508765432';
		n8n = cli(engine);
		n8n.importCredentials(credentials);
		workflow = readWorkflow('ingest.json') as unknown as WorkflowInput;
		n8n.importWorkflows([workflow]);
	});

	afterAll(async () => {
		await engine?.close();
	});

	let snapshot: string;

	test('first run: every account loaded, stored values equal the sandbox ground truth to the cent', { timeout: RUN_TIMEOUT }, async () => {
		const result = await n8n.execute(workflow.id as string);
		assert.equal(result.status, 'success', JSON.stringify(result.error));
		const runs = outcomes(result);
		assert.equal(runs.length, 7, 'two Google, two Meta, two LinkedIn accounts and the Klaviyo account');
		for (const o of runs) assert.equal(o.status, 'success', `${o.platform} ${o.accountId}: ${o.error?.message}`);

		const stored = await withStore((store) => store.select('campaign_performance', { order: [{ column: 'platform' }, { column: 'date' }] }));
		const byKey = new Map(stored.map((r) => [`${r.platform}|${r.account_id}|${r.campaign_id}|${r.date}`, r]));
		let expected = 0;
		for (const account of sandbox.world.accounts) {
			const platform = account.platform === 'google' ? 'google_ads' : account.platform;
			const run = runs.find((o) => o.platform === platform && o.accountId === account.id);
			assert.ok(run?.window, `${platform} ${account.id} ran with a window`);
			for (const campaign of account.campaigns) {
				for (const d of campaign.daily) {
					if (d.date < run.window.start || d.date > run.window.end || d.impressions === 0) continue;
					expected++;
					const row = byKey.get(`${platform}|${account.id}|${campaign.id}|${d.date}`);
					assert.ok(row, `${platform} ${account.id} ${campaign.id} ${d.date} stored`);
					assert.equal(row.currency, 'USD');
					assert.equal(row.source_currency, account.currency);
					assert.equal(row.spend, inUsd(d.spend, account.currency), `spend ${platform} ${campaign.id} ${d.date}: ${d.spend} ${account.currency}`);
					assert.equal(row.impressions, d.impressions);
					assert.equal(row.clicks, d.clicks);
					assert.equal(row.conversions, d.conversions);
					if (d.revenue > 0) assert.equal(row.revenue, inUsd(d.revenue, account.currency), `revenue ${platform} ${campaign.id} ${d.date}`);
					// The generated column, read back through n8n's store: clicks / impressions.
					assert.ok(Math.abs((row.ctr as number) - d.clicks / d.impressions) < 1e-12, `ctr ${platform} ${campaign.id} ${d.date}: ${row.ctr}`);
				}
			}
		}
		const klaviyo = runs.find((o) => o.platform === 'klaviyo')!;
		const klaviyoRows = stored.filter((r) => r.platform === 'klaviyo');
		assert.ok(klaviyoRows.length > 0, 'email revenue joined into the same table');
		for (const r of klaviyoRows) {
			const src = [...sandbox.world.klaviyo.campaigns, ...sandbox.world.klaviyo.flows.map((f) => ({ ...f, id: `flow:${f.id}` }))].find((s) => s.id === r.campaign_id);
			const day = src?.daily.find((x) => x.date === r.date);
			assert.ok(day, `klaviyo ${r.campaign_id} ${r.date} exists in the sandbox`);
			assert.equal(r.revenue, Math.round(day.conversionValue * 100) / 100);
			assert.equal(r.spend, 0);
		}
		assert.equal(stored.length, expected + klaviyoRows.length, 'no row beyond the ground truth');
		assert.equal(klaviyo.rowsWritten, klaviyoRows.length);

		const quality = nodeOutput(result, 'Data Quality')[0].json as { score: number; level: string };
		assert.ok(quality.score > 0 && quality.level);
		const summary = slackMessages().at(-1)!;
		assert.match(JSON.stringify(summary.blocks), /Daily ingest: 7 account\(s\) loaded/);
		snapshot = JSON.stringify(stored);
	});

	test('second run: nothing changes (values, run ids and timestamps identical)', { timeout: RUN_TIMEOUT }, async () => {
		const result = await n8n.execute(workflow.id as string);
		assert.equal(result.status, 'success', JSON.stringify(result.error));
		for (const o of outcomes(result)) {
			assert.equal(o.status, 'success');
			assert.equal(o.rowsWritten, 0, `${o.platform} ${o.accountId} wrote nothing`);
			assert.ok(o.rowsUnchanged > 0, `${o.platform} ${o.accountId} re-read its lookback days`);
		}
		const stored = await withStore((store) => store.select('campaign_performance', { order: [{ column: 'platform' }, { column: 'date' }] }));
		assert.equal(JSON.stringify(stored), snapshot);
		const runs = await withStore((store) => store.select('ingest_runs'));
		assert.equal(runs.length, 14, 'one ingest_runs row per account per run');
	});

	test('third run with 429s, 500s, a malformed body, bad rows and a quota stop: good rows stored, bad rows quarantined, Slack names the failures', { timeout: RUN_TIMEOUT }, async () => {
		// Corrupt two Meta rows inside the lookback window: the platform now reports impossible values.
		const meta = sandbox.world.accounts.find((a) => a.id === '1029384756001')!;
		const last = meta.campaigns.map((c) => ({ c, d: c.daily.filter((x) => x.impressions > 0).at(-2)! }));
		const [bad1, bad2] = last;
		bad1.d.clicks = bad1.d.impressions + 5;
		bad2.d.spend = -12.5;
		// A corrected value (late conversions) on a Meta row must overwrite.
		const corrected = last[2]!;
		corrected.d.conversions += 3;

		sandbox.injectFault({ route: 'meta.insights', kind: '429', retryAfter: 1, count: 1 });
		sandbox.injectFault({ route: 'linkedin.*', kind: '5xx', status: 503, count: 2 });
		sandbox.injectFault({ route: 'klaviyo.campaignReport', kind: 'malformed', count: 1 });
		// a quota stop: RESOURCE_EXHAUSTED with a long retry delay (a short one is retried since issue 12, like the other platforms)
		sandbox.injectFault({ route: 'POST /googleads/*/customers/9876543210/*', kind: '429', retryAfter: 600, count: 1 });

		const result = await n8n.execute(workflow.id as string);
		assert.equal(result.status, 'success', JSON.stringify(result.error));
		const runs = outcomes(result);
		const japan = runs.find((o) => o.accountId === '9876543210')!;
		assert.equal(japan.status, 'failed');
		assert.equal(japan.error?.kind, 'quota');
		assert.ok((japan.error?.retryAfterMs ?? 0) > 0, 'the quota stop reports the retry delay');
		for (const o of runs.filter((x) => x.accountId !== '9876543210')) {
			assert.ok(['success', 'partial'].includes(o.status), `${o.platform} ${o.accountId} survived the faults: ${o.error?.message}`);
		}
		const metaRun = runs.find((o) => o.accountId === '1029384756001')!;
		assert.equal(metaRun.status, 'partial');
		assert.equal(metaRun.rowsQuarantined, 2);
		assert.equal(metaRun.rowsWritten, 1, 'the corrected row, and nothing else');

		const [quarantine, stored] = await withStore(async (store) => [await store.select('quarantine'), await store.select('campaign_performance', { where: { platform: 'meta', account_id: '1029384756001' } })] as const);
		const reasons = quarantine.map((q) => q.reason).join('\n');
		assert.equal(quarantine.length, 2);
		assert.match(reasons, /clicks \(\d+\) > impressions \(\d+\)/);
		assert.match(reasons, /negative|spend/i);
		for (const q of quarantine) assert.ok(q.raw_payload && typeof q.raw_payload === 'object', 'raw payload kept');
		const fixed = stored.find((r) => r.campaign_id === corrected.c.id && r.date === corrected.d.date)!;
		assert.equal(fixed.conversions, corrected.d.conversions, 'a corrected value overwrites');
		const kept = stored.find((r) => r.campaign_id === bad1.c.id && r.date === bad1.d.date)!;
		assert.ok(kept.clicks <= kept.impressions, 'a bad row never overwrites the good one');

		const alert = JSON.stringify(slackMessages().at(-1)!.blocks);
		assert.match(alert, /Failure: Daily ingest: 1 of 7 account\(s\) failed/);
		assert.match(alert, /FAILED Google Ads 9876543210/);
		assert.match(alert, /QUARANTINED Meta 1029384756001: 2 row/);
		assert.ok(sandbox.requests({ route: 'meta.insights' }).some((r) => r.status === 429), 'the 429 happened and was retried');
	});
});
