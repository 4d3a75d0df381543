// The published package: what n8n loads, and nothing else.
import { test } from 'vitest';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { skipWhen } from '../helpers/skip';

const root = resolve(__dirname, '..', '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

test('package.json is a community node package with every node and credential registered', () => {
	assert.equal(pkg.name, 'n8n-nodes-adops');
	assert.equal(pkg.license, 'MIT');
	assert.ok(pkg.keywords.includes('n8n-community-node-package'));
	assert.deepEqual(pkg.files, ['dist']);
	assert.deepEqual(pkg.peerDependencies, { 'n8n-workflow': '*' });
	assert.equal(pkg.n8n.n8nNodesApiVersion, 1);
	const sources = (list: string[]) => list.map((p) => p.replace(/^dist\//, '').replace(/\.js$/, '.ts'));
	for (const file of [...sources(pkg.n8n.nodes), ...sources(pkg.n8n.credentials)]) {
		assert.ok(existsSync(join(root, file)), `${file} is registered in package.json but missing`);
	}
	// Every node file in the tree is registered.
	const nodeFiles = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', 'nodes/*.node.ts', 'credentials/*.credentials.ts'], { cwd: root, encoding: 'utf8' })
		.split('\n')
		.filter(Boolean);
	assert.deepEqual(nodeFiles.sort(), [...sources(pkg.n8n.nodes), ...sources(pkg.n8n.credentials)].sort());
});

test('npm pack ships compiled code, icons, codex files and migrations only', { ...skipWhen(!existsSync(join(root, 'dist')) && 'run `npm run build` first') }, () => {
	const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--loglevel=error'], { cwd: root, encoding: 'utf8', env: { ...process.env, npm_config_ignore_scripts: 'true' } });
	const files = (JSON.parse(out) as Array<{ files: Array<{ path: string }> }>)[0].files.map((f) => f.path);
	const unexpected = files.filter((f) => !/^(package\.json|README\.md|LICENSE|dist\/.+\.(js|json|svg|sql))$/.test(f));
	assert.deepEqual(unexpected, [], 'only what n8n needs');
	for (const entry of [...pkg.n8n.nodes, ...pkg.n8n.credentials]) assert.ok(files.includes(entry), `${entry} is packed`);
	for (const node of pkg.n8n.nodes as string[]) {
		assert.ok(files.includes(node.replace(/\.js$/, '.json')), `${node}: its codex file is packed`);
		assert.ok(files.some((f) => f.startsWith(node.slice(0, node.lastIndexOf('/') + 1)) && f.endsWith('.svg')), `${node}: its icon is packed`);
	}
	assert.ok(files.some((f) => /^dist\/supabase\/migrations\/\d+_.+\.sql$/.test(f)), 'migrations ship for auto-migration');
	assert.ok(files.includes('dist/credentials/icons/adops.svg'));
});
