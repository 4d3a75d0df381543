// Every credential slot of every AdOps node names what it is for: n8n's editor labels a slot without a
// `displayName` just "Credential", so a node with several slots (AdOps Store and the platforms) would show
// a column of identical "Credential" fields (issue 16). Node descriptions are read as n8n loads them
// (package.json `n8n.nodes`), every version of a versioned node included.
import { test } from 'vitest';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { INodeType, INodeTypeDescription } from 'n8n-workflow';

const ROOT = resolve(__dirname, '../..');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { n8n: { nodes: string[] } };

async function descriptions(dist: string): Promise<INodeTypeDescription[]> {
	const mod = (await import(join(ROOT, dist.replace(/^dist\//, '').replace(/\.js$/, '.ts')))) as Record<string, new () => INodeType & { nodeVersions?: Record<string, INodeType> }>;
	const Class = Object.values(mod).find((v) => typeof v === 'function');
	if (!Class) throw new Error(`${dist}: no class exported`);
	const node = new Class();
	return node.nodeVersions ? Object.values(node.nodeVersions).map((v) => v.description) : [node.description];
}

test('every credential slot of every AdOps node has a name of its own (never the editor\'s bare "Credential")', async () => {
	const unnamed: string[] = [];
	for (const dist of pkg.n8n.nodes) {
		for (const d of await descriptions(dist)) {
			const names = (d.credentials ?? []).map((c) => c.displayName?.trim() ?? '');
			for (const [i, c] of (d.credentials ?? []).entries()) if (!names[i]) unnamed.push(`${d.displayName}: ${c.name}`);
			const shown = names.filter(Boolean);
			assert.equal(new Set(shown).size, shown.length, `${d.displayName}: two slots share a name (${shown.join(', ')})`);
		}
	}
	assert.deepEqual(unnamed, [], `slots the editor would label "Credential": ${unnamed.join('; ')}`);
});
