// No AdOps node may have what n8n's editor takes for an "authentication" field (issue 16: AdOps Store could not
// be picked on a new AdOps Ingest). The editor (packages/frontend/editor-ui nodeTypesUtils getMainAuthField and
// findAlternativeAuthField) picks a parameter named in the credentials' display options whose every option
// appears there as a plain value; it then hides that parameter and the ones it depends on from the panel and
// fills every required credential slot without display options with all of those credentials
// (useNodeCredentialOptions showMixedCredentials). The rule is applied here to every node of the package.
import { test } from 'vitest';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { INodeType, INodeTypeDescription, IVersionedNodeType } from 'n8n-workflow';

const NODES = resolve(__dirname, '..', '..', 'nodes');

async function descriptions(): Promise<Array<{ file: string; description: INodeTypeDescription }>> {
	const out: Array<{ file: string; description: INodeTypeDescription }> = [];
	for (const dir of readdirSync(NODES, { withFileTypes: true }).filter((d) => d.isDirectory() && d.name.startsWith('AdOps'))) {
		for (const file of readdirSync(join(NODES, dir.name)).filter((f) => f.endsWith('.node.ts'))) {
			const mod = (await import(join(NODES, dir.name, file))) as Record<string, new () => INodeType | IVersionedNodeType>;
			for (const Ctor of Object.values(mod).filter((v) => typeof v === 'function')) {
				const node = new Ctor();
				if ('nodeVersions' in node) for (const v of Object.values(node.nodeVersions)) out.push({ file, description: { ...node.description, ...v.description } as INodeTypeDescription });
				else out.push({ file, description: node.description });
			}
		}
	}
	return out;
}

/** The editor's main authentication field of a node type, or null (the rule of nodeTypesUtils). */
function mainAuthField(d: INodeTypeDescription): string | null {
	const credentials = d.credentials ?? [];
	const referenced = new Set(credentials.flatMap((c) => Object.keys(c.displayOptions?.show ?? {})));
	const values = (name: string) => credentials.flatMap((c) => (c.displayOptions?.show?.[name] ?? []) as unknown[]).map((v) => (v ? String(v) : ''));
	for (const prop of d.properties.filter((p) => referenced.has(p.name))) {
		if (prop.name === 'authentication' && !(prop.options ?? []).some((o) => 'value' in o && o.value === 'none')) return prop.name;
		if ((prop.options ?? []).every((o) => values(prop.name).includes(String((o as { value?: unknown }).value)))) return prop.name;
	}
	return null;
}

test('no AdOps node has a parameter the editor would take for its authentication field', async () => {
	const all = await descriptions();
	assert.ok(all.length >= 8, `found ${all.length} node descriptions`);
	const found = all.map(({ file, description }) => ({ file, field: mainAuthField(description) })).filter((x) => x.field);
	assert.deepEqual(found, []);
});

test('the rule catches the plain form: AdOps Ingest with plain platform values would hide Platform', async () => {
	const ingest = (await descriptions()).find((d) => d.description.name === 'adOpsIngest')!.description;
	const plain: INodeTypeDescription = {
		...ingest,
		credentials: (ingest.credentials ?? []).map((c) => {
			const platform = c.displayOptions?.show?.platform as unknown[] | undefined;
			if (!platform) return c;
			return { ...c, displayOptions: { show: { ...c.displayOptions!.show, platform: platform.map((v) => (v as { _cnd: { eq: string } })._cnd.eq) } } };
		}),
	};
	assert.equal(mainAuthField(plain), 'platform');
});
