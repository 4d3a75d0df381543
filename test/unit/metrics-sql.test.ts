/**
 * The metrics module against the database: the GENERATED columns of
 * `campaign_performance` (as the migrations define them, parsed here) use the
 * numerator, denominator and zero rule of DERIVED_DEFINITIONS; and evaluated
 * in PGlite on sample rows (zero and missing denominators included) they
 * equal `derivedMetrics` exactly and the rules' `ratio` to 1e-15 relative.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, test } from 'vitest';
import { DERIVED_DEFINITIONS, DERIVED_METRIC_NAMES, derivedMetrics, ratio, type MetricRow } from '../../nodes/shared/metrics';
import { openStore, type Store } from '../../nodes/shared/store';

const root = resolve(__dirname, '..', '..');

/** The last definition of each generated column of campaign_performance across the migrations, normalised. */
function generatedColumns(): Map<string, string> {
	const dir = join(root, 'supabase', 'migrations');
	const out = new Map<string, string>();
	for (const file of readdirSync(dir).filter((f) => f.endsWith('.sql')).sort()) {
		const sql = readFileSync(join(dir, file), 'utf8');
		for (const m of sql.matchAll(/^\s*(\w+)\s+numeric\s+GENERATED\s+ALWAYS\s+AS\s+\((.+)\)\s+STORED/gim)) out.set(m[1]!.toLowerCase(), m[2]!.replace(/\s+/g, ' ').trim());
	}
	return out;
}

test('each GENERATED column is numerator / denominator, NULL unless the denominator is above zero, as the module defines it', () => {
	const columns = generatedColumns();
	assert.deepEqual([...columns.keys()].sort(), [...DERIVED_METRIC_NAMES].sort(), 'one generated column per derived metric');
	for (const name of DERIVED_METRIC_NAMES) {
		const { numerator, denominator } = DERIVED_DEFINITIONS[name];
		const m = /^CASE WHEN (\w+) > 0 THEN (\w+)(?:::numeric)? \/ (\w+) END$/i.exec(columns.get(name)!);
		assert.ok(m, `${name}: ${columns.get(name)} has the form CASE WHEN d > 0 THEN n / d END`);
		assert.deepEqual([m[1], m[2], m[3]], [denominator, numerator, denominator], `${name} = ${numerator} / ${denominator}`);
	}
});

let store: Store;
let dir: string;
beforeAll(async () => {
	dir = mkdtempSync(join(tmpdir(), 'metrics-sql-'));
	store = await openStore({ kind: 'embedded', path: dir });
});
afterAll(async () => {
	await store?.close();
	rmSync(dir, { recursive: true, force: true });
});

test('PGlite computes what the module computes, zero and missing denominators included', async () => {
	const samples: MetricRow[] = [
		{ spend: 0, impressions: 0, clicks: 0, conversions: 0, revenue: null, leads: null },
		{ spend: 0, impressions: 100, clicks: 0, conversions: 0, revenue: 0, leads: 0 },
		{ spend: 12.34, impressions: 1000, clicks: 7, conversions: 3, revenue: 56.78, leads: 2 },
		{ spend: 10, impressions: 3, clicks: 3, conversions: 0.5, revenue: null, leads: 0 },
		{ spend: 0.01, impressions: 1, clicks: 1, conversions: 3, revenue: 1e6, leads: 7 },
		{ spend: 99999.99, impressions: 123456789, clicks: 98765, conversions: 1.333333, revenue: 0.07, leads: null },
		{ spend: 1, impressions: 7, clicks: 1, conversions: 0, revenue: 0, leads: 3 },
	];
	for (let i = 0; i < 40; i++) {
		samples.push({ spend: ((i * 7919) % 100000) / 100, impressions: (i * 104729) % 50000, clicks: (i * 31) % 97, conversions: ((i * 13) % 11) / 4, revenue: i % 3 === 0 ? null : ((i * 6151) % 90000) / 100, leads: i % 4 === 0 ? null : i % 5 });
	}
	const rows = samples.map((s, i) => ({ date: '2026-11-01', platform: 'meta' as const, account_id: 'metrics', campaign_id: String(i), currency: 'USD', ...s }));
	await store.upsert('campaign_performance', rows);
	const stored = await store.select('campaign_performance', { where: { account_id: 'metrics' } });
	assert.equal(stored.length, samples.length);
	let nulls = 0;
	for (const row of stored) {
		const sample = samples[Number(row.campaign_id)]!;
		const db = { ctr: row.ctr, cpc: row.cpc, cpa: row.cpa, cpl: row.cpl, roas: row.roas };
		assert.deepEqual(derivedMetrics(sample), db, `row ${row.campaign_id}: ${JSON.stringify(sample)}`);
		for (const name of DERIVED_METRIC_NAMES) {
			const double = ratio(name, sample);
			const exact = db[name];
			assert.equal(double === null, exact === null, `${name} of row ${row.campaign_id}: null in both or neither`);
			if (double !== null && exact !== null) assert.ok(Math.abs(double - exact) <= Math.abs(exact) * 1e-15, `${name} ${double} vs ${exact}`);
			if (exact === null) nulls++;
		}
	}
	assert.ok(nulls >= 20, `zero and missing denominators exercised (${nulls} nulls)`);
});
