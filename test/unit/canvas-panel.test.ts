// The node panel's entries of AdOps Approval and AdOps Moderation (issue 16: they showed their trigger's
// description). n8n's editor merges a trigger into the node named like it without "Trigger" and gives the
// merged entry the trigger's description; the trigger itself appears inside the entry as an action named
// from a property called "Event" (or a placeholder without a description). This test applies those rules,
// copied from packages/frontend/editor-ui/src/features/shared/nodeCreator/composables/useActionsGeneration.ts
// (generateMergedNodesAndActions, triggersCategory, operationsCategory, resourceCategories;
// https://github.com/n8n-io/n8n/blob/master/packages/frontend/editor-ui/src/features/shared/nodeCreator/composables/useActionsGeneration.ts),
// to every AdOps node description, prefixed as n8n loads them.
import { test, describe, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { INodeProperties, INodePropertyOptions, INodeType, INodeTypeDescription } from 'n8n-workflow';

const ROOT = resolve(__dirname, '../..');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { name: string; n8n: { nodes: string[] } };

interface Action {
	displayName: string;
	description: string;
}
interface Entry {
	name: string;
	displayName: string;
	description: string;
	actions: Action[];
}

const startCase = (s: string) => s.replace(/([a-z])([A-Z])/g, '$1 $2').replace(/\b\w/g, (c) => c.toUpperCase());
const options = (p: INodeProperties | undefined) => ((p?.options ?? []) as INodePropertyOptions[]).filter((o) => !['*', '', ' '].includes(o.name));

/** triggersCategory: the "Event" options, else a placeholder "On new … event" without a description. */
function triggerActions(node: INodeTypeDescription): Action[] {
	if (!node.displayName.toLowerCase().includes('trigger')) return [];
	const event = node.properties.find((p) => ['event', 'events', 'trigger on'].includes(p.displayName.toLowerCase()));
	if (!event?.options) return [{ displayName: `On new ${node.displayName.replace('Trigger', '').trimEnd()} event`, description: '' }];
	return options(event).map((o) => ({ displayName: o.action ?? `On ${o.name}`, description: o.description ?? '' }));
}

/** operationsCategory (nodes without Resource) and resourceCategories (each resource's Operation list). */
function nodeActions(node: INodeTypeDescription): Action[] {
	const resource = node.properties.find((p) => p.name === 'resource');
	if (!resource) return options(node.properties.find((p) => p.name.toLowerCase() === 'operation')).map((o) => ({ displayName: o.action ?? startCase(o.name), description: o.description ?? '' }));
	return options(resource).flatMap((r) => options(node.properties.find((p) => p.name === 'operation' && (p.displayOptions?.show?.resource as unknown[] | undefined)?.includes(r.value))).map((o) => ({ displayName: o.action ?? `${r.name} ${startCase(o.name)}`, description: o.description ?? '' })));
}

/** generateMergedNodesAndActions: nodes first, then each trigger merged into its node (whose entry takes the trigger's description) or listed alone. */
function panel(nodes: INodeTypeDescription[]): Entry[] {
	const entries: Entry[] = nodes.filter((n) => !n.group.includes('trigger')).map((n) => ({ name: n.name, displayName: n.displayName, description: n.description, actions: nodeActions(n) }));
	for (const trigger of nodes.filter((n) => n.group.includes('trigger'))) {
		const app = entries.find((e) => e.name === trigger.name.replace('Trigger', ''));
		const actions = triggerActions(trigger);
		if (app && app.actions.length > 0) {
			app.actions = [...app.actions, ...actions];
			app.description = trigger.description;
		} else entries.push({ name: trigger.name, displayName: trigger.displayName, description: trigger.description, actions });
	}
	return entries;
}

describe('the node panel: AdOps Approval and AdOps Moderation with their triggers', async () => {
	const nodes = await Promise.all(
		pkg.n8n.nodes.map(async (dist) => {
			const mod = (await import(join(ROOT, dist.replace(/^dist\//, '').replace(/\.js$/, '.ts')))) as Record<string, new () => INodeType>;
			const description = new (Object.values(mod).find((v) => typeof v === 'function')!)().description;
			return { ...description, name: `${pkg.name}.${description.name}` } as INodeTypeDescription;
		}),
	);
	const byName = (displayName: string) => nodes.find((n) => n.displayName === displayName)!;
	const entries = panel(nodes);

	for (const [node, trigger, action] of [
		['AdOps Approval', 'AdOps Approval Trigger', 'On new decision'],
		['AdOps Moderation', 'AdOps Moderation Trigger', 'On new ad comment'],
	] as const) {
		test(`${node}: one entry with the node's own description; inside it, ${trigger} with its own words`, () => {
			const entry = entries.find((e) => e.displayName === node)!;
			expect(entry, `${trigger} is merged into ${node}`).toBeDefined();
			expect(entries.some((e) => e.displayName === trigger)).toBe(false);
			expect(entry.description).toBe(byName(node).description);
			const own = entry.actions.find((a) => a.displayName === action);
			expect(own, `${trigger}'s action`).toBeDefined();
			expect(own!.description).toMatch(/^Starts the workflow /);
			expect(own!.description).not.toBe(entry.description);
			// the node's actions keep their own descriptions
			expect(entry.actions.filter((a) => a !== own).every((a) => a.description && !/^Starts the workflow/.test(a.description))).toBe(true);
		});
	}

	test('every AdOps entry and action has a description (no placeholder without words)', () => {
		for (const e of entries.filter((x) => x.name.startsWith(`${pkg.name}.`))) {
			expect(e.description, e.displayName).toMatch(/\w/);
			for (const a of e.actions) expect(a.description, `${e.displayName} › ${a.displayName}`).toMatch(/\w/);
		}
	});
});
