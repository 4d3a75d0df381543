/**
 * The README's gate table is the gate registry's own text: a gate added,
 * reordered or given a new meaning without `npx tsx scripts/gates-doc.ts --write`
 * fails here, naming the difference.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'vitest';
import { gatesBlock, readmeGatesBlock } from '../../scripts/gates-doc';
import { GATES } from '../../nodes/shared/rules';

const readme = readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8');

test('the README lists every registered gate, in check order, with its meaning from the registry', () => {
	const block = readmeGatesBlock(readme);
	assert.ok(block, 'README.md has the generated gate table');
	assert.equal(block, gatesBlock(), 'README gate table is stale: run `npx tsx scripts/gates-doc.ts --write`');
	const names = [...block.matchAll(/^\| \d+ \| `([a-z_]+)` \|/gm)].map((m) => m[1]);
	assert.deepEqual(names, GATES.map((g) => g.name));
	for (const g of GATES) assert.ok(g.meaning.length > 40, `${g.name} has a meaning in words`);
});

test('the README shows "Adding a gate" with the max_daily_spend example and the outside-change sources per platform', () => {
	const adding = readme.slice(readme.indexOf('#### Adding a gate'));
	assert.match(adding, /name: 'max_daily_spend'/);
	assert.match(adding, /maxDailySpend,/);
	for (const platform of ['Meta', 'Google Ads', 'LinkedIn']) assert.match(readme, new RegExp(`^\\| ${platform} \\| `, 'm'));
});
