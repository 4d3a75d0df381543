// n8n (2.40.7, packages/cli load-nodes-and-credentials.ts `injectCustomApiCallOptions`) appends a
// "Custom API Call" option to the Resource and Operation lists of every node whose credentials
// "support proxy auth": a credential type with an `authenticate` block, or one that extends
// oAuth2Api / googleOAuth2Api / oAuth1Api (directly or through a parent). The AdOps nodes do not
// implement that operation, so the option promises something they do not do. This test reads the
// package's node and credential descriptions as n8n loads them (package.json `n8n`) and applies the
// same rule.
import { test, describe } from 'vitest';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { ICredentialType, INodeType, INodeTypeDescription } from 'n8n-workflow';

const ROOT = resolve(__dirname, '../..');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { n8n: { nodes: string[]; credentials: string[] } };
const source = (dist: string) => join(ROOT, dist.replace(/^dist\//, '').replace(/\.js$/, '.ts'));

async function load<T>(dist: string): Promise<T> {
	const mod = (await import(source(dist))) as Record<string, new () => T>;
	const Class = Object.values(mod).find((v) => typeof v === 'function');
	if (!Class) throw new Error(`${dist}: no class exported`);
	return new Class();
}

const PROXY_AUTH_BASES = ['oAuth2Api', 'googleOAuth2Api', 'oAuth1Api'];

/** n8n's `supportsProxyAuth`: which of the node's credentials make n8n add "Custom API Call", and why. */
function proxyAuthCauses(node: INodeTypeDescription, credentials: ICredentialType[]): string[] {
	const byName = new Map(credentials.map((c) => [c.name, c]));
	const extendsBase = (c: ICredentialType, seen = new Set<string>()): boolean =>
		(c.extends ?? []).some((parent) => PROXY_AUTH_BASES.includes(parent) || (!seen.has(parent) && (seen.add(parent), byName.has(parent)) && extendsBase(byName.get(parent)!, seen)));
	return (node.credentials ?? []).flatMap(({ name }) => {
		const c = byName.get(name);
		if (!c) return [`${name}: unknown credential`];
		if (c.authenticate !== undefined) return [`${name} has an authenticate block`];
		if (extendsBase(c)) return [`${name} extends an OAuth base type`];
		return [];
	});
}

describe('"Custom API Call" in the operation lists', async () => {
	const credentials = await Promise.all(pkg.n8n.credentials.map((c) => load<ICredentialType>(c)));
	const nodes = (await Promise.all(pkg.n8n.nodes.map((n) => load<INodeType>(n)))).map((n) => n.description);
	const causes = new Map(nodes.map((n) => [n.displayName, proxyAuthCauses(n, credentials)]));

	test('Alert, Creative, Moderation and the triggers: no credential makes n8n add it', () => {
		for (const name of ['AdOps Alert', 'AdOps Creative', 'AdOps Moderation', 'AdOps Moderation Trigger', 'AdOps Approval Trigger']) {
			assert.ok(causes.has(name), `${name} is loaded`);
			assert.deepEqual(causes.get(name), [], `${name}: ${causes.get(name)!.join('; ')}`);
		}
	});

	test('the Slack, OpenAI and Notion credentials carry no authenticate block (the clients send tokens themselves)', () => {
		for (const name of ['adOpsSlackApi', 'adOpsOpenAiApi', 'adOpsNotionApi']) assert.equal(credentials.find((c) => c.name === name)?.authenticate, undefined, name);
	});

	test('only nodes with an n8n OAuth2 credential (Google Ads, LinkedIn) still get it: a known limit', () => {
		for (const [name, why] of causes) {
			if (why.length === 0) continue;
			assert.ok(why.some((w) => /(adOpsGoogleAdsOAuth2Api|adOpsLinkedInAdsOAuth2Api) extends an OAuth base type/.test(w)), `${name}: ${why.join('; ')}`);
		}
	});
});
