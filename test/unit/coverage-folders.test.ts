// scripts/coverage-folders.ts: the README's per-folder coverage table from vitest's json-summary.
import assert from 'node:assert/strict';
import { test } from 'vitest';
import { coverageFolders, coverageTable, percentOf } from '../../scripts/coverage-folders';

const c = (covered: number, total: number) => ({ covered, total });

test('one row per folder under the root (subfolders in it), files at the root in their own row, the total last', () => {
	const cwd = '/repo';
	const rows = coverageFolders(
		{
			total: { statements: c(0, 0), branches: c(0, 0) },
			'/repo/nodes/shared/rules/evaluate.ts': { statements: c(8, 10), branches: c(3, 4) },
			'/repo/nodes/shared/rules/gates/cap.ts': { statements: c(2, 10), branches: c(1, 4) },
			'/repo/nodes/shared/alerts/post.ts': { statements: c(5, 5), branches: c(0, 0) },
			'/repo/nodes/shared/index.ts': { statements: c(1, 2), branches: c(0, 0) },
			'/repo/nodes/AdOpsAlert/AdOpsAlert.node.ts': { statements: c(9, 9), branches: c(9, 9) },
		},
		'nodes/shared',
		cwd,
	);
	assert.deepEqual(
		rows.map((r) => [r.folder, r.files, percentOf(r.statements), percentOf(r.branches)]),
		[
			['nodes/shared (files at the top)', 1, '50.0 % (1/2)', 'none to count'],
			['nodes/shared/alerts', 1, '100.0 % (5/5)', 'none to count'],
			['nodes/shared/rules', 2, '50.0 % (10/20)', '50.0 % (4/8)'],
			['nodes/shared', 4, '59.3 % (16/27)', '50.0 % (4/8)'],
		],
	);
	assert.equal(coverageTable(rows).split('\n').at(-1), '| **nodes/shared** | 4 | 59.3 % (16/27) | 50.0 % (4/8) |');
	assert.equal(percentOf(c(1234, 5678)), '21.7 % (1,234/5,678)');
});
