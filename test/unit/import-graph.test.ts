/**
 * The package's import graph (scripts/import-graph.ts over the TypeScript
 * sources): no import cycles in nodes/, and the domain core (nodes/shared)
 * imports nothing of n8n and no file under nodes/ outside nodes/shared. The
 * ESLint rule that says the same at edit time (no-restricted-imports in
 * eslint.config.mjs) is proven against planted imports.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { test } from 'vitest';
import { ESLint } from 'eslint';
import { importCycles, importGraph, importsOf, type ImportEdge } from '../../scripts/import-graph';

const root = resolve(__dirname, '..', '..');
const rel = (f: string) => relative(root, f).split('\\').join('/');

/**
 * Folders that may still hold an import cycle: a cycle is tolerated only when
 * all its files are in one of them, and a folder listed here without a cycle
 * fails (the list only shrinks). Empty: the last two (rules/model.ts <->
 * rules/gates/*, AdOps Optimizer's router <-> operations) are gone.
 */
const KNOWN_CYCLE_FOLDERS: string[] = [];

test('the cycle finder finds cycles (type-only imports count) and nothing else', () => {
	const f = (n: string) => `/x/${n}.ts`;
	const e = (a: string, b: string, typeOnly = false): ImportEdge => ({ from: f(a), to: f(b), typeOnly });
	const files = ['router', 'op1', 'op2', 'types', 'lib', 'self'].map(f);
	const cycles = importCycles(files, [e('router', 'op1'), e('router', 'op2'), e('op1', 'router', true), e('op2', 'types'), e('op2', 'lib'), e('lib', 'types'), e('self', 'self')]);
	assert.deepEqual(cycles.map((c) => c.map((x) => x.slice(3, -3))).sort(), [['op1', 'router'], ['self']]);
	assert.deepEqual(importCycles(files, [e('router', 'op1'), e('op1', 'types'), e('router', 'types')]), []);
	assert.deepEqual(
		importsOf('a.ts', "import type { A } from './a';\nimport { type B, type C } from './b';\nimport { D, type E } from './c';\nexport * from './d';\nconst m = require('./e'); void import('./f');"),
		[
			{ specifier: './a', typeOnly: true },
			{ specifier: './b', typeOnly: true },
			{ specifier: './c', typeOnly: false },
			{ specifier: './d', typeOnly: false },
			{ specifier: './e', typeOnly: false },
			{ specifier: './f', typeOnly: false },
		],
	);
});

test('no import cycles in nodes/ (outside the folders still listed)', () => {
	const { files, edges } = importGraph([resolve(root, 'nodes')]);
	assert.ok(files.length > 100 && edges.length > 400, `read ${files.length} files, ${edges.length} imports`);
	const cycles = importCycles(files, edges).map((c) => c.map(rel));
	const unexpected = cycles.filter((c) => !KNOWN_CYCLE_FOLDERS.some((folder) => c.every((file) => file.startsWith(folder))));
	assert.deepEqual(unexpected, [], `import cycles:\n${unexpected.map((c) => c.join(' <-> ')).join('\n')}`);
	const gone = KNOWN_CYCLE_FOLDERS.filter((folder) => !cycles.some((c) => c[0]!.startsWith(folder)));
	assert.deepEqual(gone, [], 'these folders have no cycle any more: remove them from KNOWN_CYCLE_FOLDERS');
});

test('nodes/shared imports nothing of n8n and no file under nodes/ outside nodes/shared', () => {
	const { files, edges } = importGraph([resolve(root, 'nodes', 'shared')]);
	const outside = edges.filter((e) => !rel(e.to).startsWith('nodes/shared/')).map((e) => `${rel(e.from)} -> ${rel(e.to)}`);
	assert.deepEqual(outside, []);
	const n8n = files.flatMap((file) => importsOf(file, readFileSync(file, 'utf8')).filter((i) => /^n8n-(workflow|core)(\/|$)/.test(i.specifier)).map((i) => `${rel(file)}: ${i.specifier}`));
	assert.deepEqual(n8n, []);
});

test('ESLint fails a planted n8n or nodes/ import in nodes/shared, and passes the core\'s own imports', async () => {
	const eslint = new ESLint({ cwd: root });
	const restricted = async (filePath: string, code: string) => {
		const [result] = await eslint.lintText(`${code}\nexport const planted = 1;\n`, { filePath: resolve(root, filePath) });
		return result!.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
	};
	const plants: Array<[string, string]> = [
		['nodes/shared/alerts/planted.ts', "import { NodeApiError } from 'n8n-workflow';\nvoid NodeApiError;"],
		['nodes/shared/alerts/planted.ts', "import type { INodeType } from 'n8n-workflow';\nexport type T = INodeType;"],
		['nodes/shared/alerts/planted.ts', "export { NodeOperationError } from 'n8n-workflow/dist/errors';"],
		['nodes/shared/alerts/planted.ts', "import { ADOPS_NODE_OPTIONS } from '../../common/params';\nvoid ADOPS_NODE_OPTIONS;"],
		['nodes/shared/rules/gates/planted.ts', "import type { OptimizerContext } from '../../../AdOpsOptimizer/actions/router';\nexport type T = OptimizerContext;"],
		['nodes/shared/planted.ts', "import { x } from '../common/router';\nvoid x;"],
		['nodes/shared/ingest/planted.ts', "import { x } from '../../../nodes/common/router';\nvoid x;"],
	];
	for (const [file, code] of plants) {
		const messages = await restricted(file, code);
		assert.equal(messages.length, 1, `${file}: ${code} -> ${JSON.stringify(messages)}`);
		assert.match(messages[0]!, /nodes\/shared (is the domain core and never imports n8n|never imports node folders or nodes\/common)/);
	}
	const allowed: Array<[string, string]> = [
		['nodes/shared/alerts/planted.ts', "import { unknownOutcomeText } from '../resilience/outcome';\nvoid unknownOutcomeText;"],
		['nodes/shared/rules/gates/planted.ts', "import { x } from './common';\nimport { y } from '../model';\nimport { z } from '../../platforms/registry';\nvoid x; void y; void z;"],
		['nodes/shared/planted.ts', "import { z } from './platforms/registry';\nimport { WebClient } from '@slack/web-api';\nvoid z; void WebClient;"],
	];
	for (const [file, code] of allowed) assert.deepEqual(await restricted(file, code), [], `${file}: ${code}`);
	// Outside nodes/shared the rule does not apply: node files import n8n.
	assert.deepEqual(await restricted('nodes/common/planted.ts', "import { NodeApiError } from 'n8n-workflow';\nvoid NodeApiError;"), []);
});

test('alerts/ imports no domain: each domain renders its own alerts into the message shape', () => {
	const { edges } = importGraph([resolve(root, 'nodes', 'shared', 'alerts')]);
	const BELOW = /^nodes\/shared\/(alerts|text|resilience|http)\//;
	const upward = edges.filter((e) => !BELOW.test(rel(e.to))).map((e) => `${rel(e.from)} -> ${rel(e.to)}`);
	assert.deepEqual(upward, []);
});
