// AdOps Approval: version 2 groups the operations by resource; workflows saved
// with version 1 store `operation` alone. Both are resolved here with n8n's
// own parameter resolution (n8n-workflow NodeHelpers, as the editor and the
// engine do): every operation keeps its value and its parameters at either
// version. The e2e suites run both versions in real n8n.
import { describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { NodeHelpers, type INode, type INodeParameters, type INodePropertyOptions } from 'n8n-workflow';
import { AdOpsApproval } from '../../nodes/AdOpsApproval/AdOpsApproval.node.js'; // .js: plain `.node` would resolve to the codex .node.json

const description = new AdOpsApproval().description;
const OPERATIONS = ['enqueue', 'executeApproved', 'expire', 'resolveStuck', 'syncDecisions', 'pollDecisions', 'slackInteraction'];

function resolve(typeVersion: number, parameters: INodeParameters) {
	const node: INode = { id: 'n1', name: 'Approval', type: 'n8n-nodes-adops.adOpsApproval', typeVersion, position: [0, 0], parameters };
	const resolved = NodeHelpers.getNodeParameters(description.properties, parameters, true, false, node, description)!;
	const issues = NodeHelpers.getNodeParametersIssues(description.properties, { ...node, parameters: resolved }, description);
	return { resolved, issues };
}

/** The operation lists the editor shows at a version (and resource). */
function operationLists(typeVersion: number): Map<string, string[]> {
	const lists = new Map<string, string[]>();
	for (const p of description.properties) {
		if (p.name !== 'operation') continue;
		const show = p.displayOptions?.show ?? {};
		if (!(show['@version'] as number[]).includes(typeVersion)) continue;
		lists.set(String((show.resource as string[] | undefined)?.[0] ?? '(none)'), (p.options as INodePropertyOptions[]).map((o) => String(o.value)));
	}
	return lists;
}

describe('AdOps Approval versions', () => {
	test('version 2 has a resource; version 1 keeps the one operation list; each operation is in exactly one resource', () => {
		assert.deepEqual(description.version, [1, 2]);
		assert.equal(description.defaultVersion, 2);
		const v1 = operationLists(1);
		const v2 = operationLists(2);
		assert.deepEqual([...v1.keys()], ['(none)']);
		assert.deepEqual(v1.get('(none)')!.slice().sort(), OPERATIONS.slice().sort());
		assert.deepEqual(Object.fromEntries(v2), { proposal: ['enqueue', 'executeApproved', 'expire', 'resolveStuck'], decision: ['slackInteraction', 'pollDecisions', 'syncDecisions'] });
		assert.deepEqual([...v2.values()].flat().sort(), OPERATIONS.slice().sort());
	});

	test('a stored version 1 node (operation, no resource) resolves every operation, with the same parameters and issues as version 2', () => {
		const v2 = operationLists(2);
		const resourceOf = (op: string) => [...v2].find(([, ops]) => ops.includes(op))![0];
		for (const operation of OPERATIONS) {
			const old = resolve(1, { operation });
			assert.equal(old.resolved.operation, operation);
			assert.equal(old.resolved.resource, undefined, 'version 1 shows no resource');
			const now = resolve(2, { resource: resourceOf(operation), operation });
			assert.equal(now.resolved.operation, operation);
			const { resource, ...rest } = now.resolved;
			assert.equal(resource, resourceOf(operation));
			assert.deepEqual(Object.keys(old.resolved).sort(), Object.keys(rest).sort(), operation);
			assert.deepEqual(old.issues, now.issues, operation);
		}
		// a new node: Proposal › Enqueue; Decision without an operation: Sync Decisions
		assert.deepEqual([resolve(2, {}).resolved.resource, resolve(2, {}).resolved.operation], ['proposal', 'enqueue']);
		assert.equal(resolve(2, { resource: 'decision' }).resolved.operation, 'syncDecisions');
	});

	test('the bundled workflows use version 2 with the resource of each operation', () => {
		const dir = join(__dirname, '..', '..', 'workflows');
		const v2 = operationLists(2);
		let seen = 0;
		for (const file of readdirSync(dir).filter((f) => f.endsWith('.json'))) {
			const workflow = JSON.parse(readFileSync(join(dir, file), 'utf8')) as { nodes: Array<{ name: string; type: string; typeVersion: number; parameters: INodeParameters }> };
			for (const n of workflow.nodes.filter((x) => x.type === 'n8n-nodes-adops.adOpsApproval')) {
				seen++;
				const where = `${file} › ${n.name}`;
				assert.equal(n.typeVersion, 2, where);
				assert.ok(v2.get(String(n.parameters.resource))?.includes(String(n.parameters.operation)), where);
				const { resolved, issues } = resolve(2, n.parameters);
				assert.equal(resolved.operation, n.parameters.operation, where);
				assert.equal(issues, null, `${where}: ${JSON.stringify(issues)}`);
			}
		}
		assert.ok(seen >= 6, `AdOps Approval nodes in the workflows: ${seen}`);
	});
});
