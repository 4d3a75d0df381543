/**
 * Issue 13: the gates registry must leave the decisions of the existing gates
 * byte-identical. The rules bench workload (test/fixtures/rules-workload: 20
 * rules × 10,000 campaigns × 30 days, four cases with and without an action
 * history) was evaluated by the code BEFORE the registry and the semantic
 * fixes, and each decision's JSON hashed (before.json.gz, capture.ts).
 *
 * Now: every decision must be the same in substance (kind, planned budget,
 * idempotency key, each gate's name and verdict, condition values, approval,
 * proposal id) — all of them, no exception. Its whole JSON must be
 * byte-identical too, except where issue 13 changed the words on purpose:
 * - the daily_change gate states the exact rolling-24 h bound with its numbers
 *   (budget 24 h ago, changes since, what is left) instead of "x % used";
 * - the cooldown gate names the earlier change it counted;
 * - a clamped proposal shows what was asked against what the caps allow.
 * And where issue 16 changed a number's display on purpose: the learning-period
 * gate (entity_age) shows the age in days with one decimal, rounded down
 * ("age 187.3 days", was "age 187.3146 days"); the comparison still uses the
 * exact age. The test recomputes the earlier display from the entity's
 * creation time and compares the rest byte for byte.
 * Any other difference fails, with the decision named.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'vitest';
import { gunzipSync } from 'node:zlib';
import { buildMetricIndex, evaluate, fmt, type Decision } from '../../nodes/shared/rules';
import { decisionCore } from '../fixtures/rules-workload/capture';
import { cases, workloadData } from '../fixtures/rules-workload/workload';

interface Snapshot {
	whole: string;
	count: number;
	summary: unknown;
	decisions: Record<string, string>;
	core: Record<string, string>;
}
const before = JSON.parse(gunzipSync(readFileSync(join(__dirname, '../fixtures/rules-workload/before.json.gz'))).toString()) as Record<string, Snapshot>;

/** Where issue 13 changed a decision's words on purpose (see the module doc). */
function wordsChangedOnPurpose(d: Decision): boolean {
	const daily = d.gates.find((g) => g.gate === 'daily_change');
	if (daily && daily.detail.startsWith('budget 24 h ago')) return true;
	const cooldown = d.gates.find((g) => g.gate === 'cooldown');
	if (cooldown && cooldown.values.lastChangeSource !== undefined) return true;
	const payload = d.proposal?.payload as Record<string, unknown> | undefined;
	return payload?.asked !== undefined;
}

const DAY_MS = 86_400_000;

/**
 * The decision's JSON with the entity_age gate written as before issue 16
 * (age rounded to 3 decimals in values, fmt's 4 decimals in the detail), from
 * the entity's creation time; every other byte as the decision has it.
 */
function withEarlierAgeDisplay(d: Decision, createdAtMs: ReadonlyMap<string, number>, nowMs: number): string {
	const copy = JSON.parse(JSON.stringify(d)) as Decision;
	const g = copy.gates.find((x) => x.gate === 'entity_age');
	const created = createdAtMs.get(d.entity.key);
	if (g && created !== undefined) {
		const age = (nowMs - created) / DAY_MS;
		g.values.ageDays = Math.round(age * 1000) / 1000;
		g.detail = g.detail.replace(/^age [0-9.]+ days/, `age ${fmt(age)} days`);
		copy.reasons = copy.reasons.map((r) => r.replace(/^entity_age: age [0-9.]+ days/, `entity_age: age ${fmt(age)} days`));
	}
	return JSON.stringify(copy);
}

test('rules bench workload: every decision the same as before the gates registry; words changed only where issue 13 says', { timeout: 600_000 }, () => {
	const { rows, entities } = workloadData();
	const index = buildMetricIndex(rows);
	const createdAtMs = new Map(entities.map((e) => [`${e.platform}|${e.accountId}|${e.campaignId}`, Date.parse(String(e.createdAt))]));
	const report: string[] = [];
	for (const c of cases()) {
		const b = before[c.name];
		assert.ok(b, `case ${c.name} captured`);
		const r = evaluate({ rules: c.rules, entities, metrics: index, actions: c.actions, settings: c.settings });
		assert.equal(r.decisions.length, b.count, `${c.name}: number of decisions`);
		assert.deepEqual(r.summary, b.summary, `${c.name}: summary`);
		let identical = 0;
		let reworded = 0;
		const whole = createHash('sha256');
		for (const d of r.decisions) {
			const k = `${d.ruleId}#${d.entity.key}`;
			const json = withEarlierAgeDisplay(d, createdAtMs, Date.parse(String(c.settings.now)));
			whole.update(json);
			whole.update('\n');
			const core = createHash('sha256').update(JSON.stringify(decisionCore(d))).digest('hex').slice(0, 12);
			assert.equal(core, b.core[k], `${c.name}: decision ${k} changed in substance`);
			const h = createHash('sha256').update(json).digest('hex').slice(0, 16);
			if (h === b.decisions[k]) identical++;
			else {
				assert.ok(wordsChangedOnPurpose(d), `${c.name}: decision ${k} changed its JSON outside the documented rewording: ${json.slice(0, 2000)}`);
				reworded++;
			}
		}
		report.push(`${c.name}: ${r.decisions.length} decisions, ${identical} byte-identical, ${reworded} reworded (daily_change numbers, cooldown naming the change, asked vs allowed)`);
		if (reworded === 0) assert.equal(whole.digest('hex'), b.whole, `${c.name}: whole JSON`);
	}
	console.log(report.join('\n'));
});
