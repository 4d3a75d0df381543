/**
 * scanStore's two reads (31 recent days of everything, then the full history
 * of the candidates) give the same anomalies as one full read, on PGlite and
 * PostgreSQL (DATABASE_URL), over a mixed workload: planted spikes, drops and
 * a tracking break, a currency change 10 days ago, a campaign created three
 * weeks ago, gaps, a time-zone change, and quiet campaigns.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'vitest';
import { dayNumber, dayString, scanStore } from '../../nodes/shared/insights';
import { openStore, type Store } from '../../nodes/shared/store';
import { generateSeries } from '../unit/insights-fixtures';

const END = '2025-06-30';
const DAYS = 182;

function rows(): Array<Record<string, unknown>> {
	const out: Array<Record<string, unknown>> = [];
	const endDay = dayNumber(END);
	for (let c = 0; c < 40; c++) {
		const g = generateSeries(300 + c, { days: DAYS, anomalies: 0 });
		const clicks = generateSeries(700 + c, { days: DAYS, anomalies: 0, level: 300 });
		const account = `act_${c % 4}`;
		for (let t = 0; t < DAYS; t++) {
			if (c === 5 && t < DAYS - 21) continue; // created three weeks ago
			if (c === 6 && t % 9 === 0) continue; // gaps
			let spend = g.values[t];
			let clk = Math.round(clicks.values[t]);
			let conv = Math.round(clk * 0.05);
			if (c === 1 && t === DAYS - 1) spend *= 3; // spike today
			if (c === 2 && t >= DAYS - 2) spend *= 0.3; // drop for two days
			if (c === 3 && t >= DAYS - 2) conv = 0; // tracking break
			if (c === 4 && t === DAYS - 2) clk *= 4;
			const currency = c === 7 && t >= DAYS - 10 ? 'EUR' : 'USD';
			out.push({ date: dayString(endDay - DAYS + 1 + t), platform: c === 8 ? 'linkedin' : 'meta', account_id: account, campaign_id: `c${c}`, campaign_name: `Campaign ${c}`, currency, spend: Math.round(spend * 100) / 100, impressions: clk * 40, clicks: clk, conversions: conv, revenue: Math.round(spend * 250) / 100 });
		}
	}
	return out;
}

const targets: Array<{ name: string; open(): Promise<{ store: Store; close(): Promise<void> }> }> = [
	{
		name: 'PGlite',
		async open() {
			const dir = mkdtempSync(join(tmpdir(), 'adops-insights-scan-'));
			const store = await openStore({ kind: 'embedded', path: dir });
			return { store, close: async () => (await store.close(), rmSync(dir, { recursive: true, force: true })) };
		},
	},
];
if (process.env.DATABASE_URL) {
	const url = process.env.DATABASE_URL;
	targets.push({
		name: 'PostgreSQL',
		async open() {
			const schema = `insights_scan_${randomBytes(4).toString('hex')}`;
			const store = await openStore({ kind: 'postgres', connectionString: url, ssl: 'disable', schema });
			const { Pool } = await import('pg');
			return {
				store,
				close: async () => {
					await store.close();
					const pool = new Pool({ connectionString: url, max: 1 });
					await pool.query(`DROP SCHEMA ${schema} CASCADE`);
					await pool.end();
				},
			};
		},
	});
}

for (const target of targets) {
	describe(`insights: scanStore on ${target.name}`, () => {
		test('two reads find exactly the anomalies of one full read, and read far fewer rows', async () => {
			const { store, close } = await target.open();
			try {
				await store.upsert('campaign_performance', rows() as never);
				const key = (a: { platform: string; accountId: string; campaignId: string | null; metric: string; date: string; score: number; pattern: string | null }) => `${a.platform}|${a.accountId}|${a.campaignId}|${a.metric}|${a.date}|${a.score.toFixed(9)}|${a.pattern}`;
				for (const options of [{}, { timeZoneChanges: [{ platform: 'meta', accountId: 'act_2', date: dayString(dayNumber(END) - 12) }] }]) {
					const staged = await scanStore(store, { ...options, historyDays: DAYS });
					const full = await scanStore(store, { ...options, historyDays: DAYS, full: true });
					assert.equal(staged.end, END);
					assert.equal(staged.read.full, false);
					assert.deepEqual(staged.anomalies.map(key).sort(), full.anomalies.map(key).sort());
					if (!('timeZoneChanges' in options)) assert.ok(staged.read.stage1Rows + staged.read.stage2Rows < full.read.stage1Rows, `${staged.read.stage1Rows} + ${staged.read.stage2Rows} rows vs ${full.read.stage1Rows}`);
					const found = new Set(staged.anomalies.map((a) => `${a.campaignId}:${a.metric}:${a.direction}`));
					assert.ok(found.has('c1:spend:spike'), [...found].join(', '));
					assert.ok(found.has('c2:spend:drop'), [...found].join(', '));
					assert.ok(staged.anomalies.some((a) => a.campaignId === 'c3' && a.metric === 'conversions' && a.pattern === 'tracking_break'), [...found].join(', '));
					// the euro campaign's money metrics wait; the young campaign has not enough history: both are candidates, so both are said
					assert.ok(staged.skipped.some((s) => s.campaignId === 'c7' && s.status === 'currency_change'));
					assert.ok(staged.skipped.some((s) => s.campaignId === 'c5' && /not enough history: 21 of 28 days/.test(s.reason)));
					console.log(`${target.name}: ${staged.anomalies.length} anomalies; read ${staged.read.stage1Rows} + ${staged.read.stage2Rows} rows (${staged.read.candidateCampaigns} candidate campaigns, ${staged.read.candidateAccounts} accounts) vs ${full.read.stage1Rows}`);
				}
			} finally {
				await close();
			}
		});
	});
}
