// "Custom API Call" must not appear in any AdOps node's Operation or Resource list. n8n adds it when
// it loads the nodes (packages/cli/src/load-nodes-and-credentials.ts, `injectCustomApiCallOptions`,
// https://github.com/n8n-io/n8n/blob/n8n%402.40.7/packages/cli/src/load-nodes-and-credentials.ts):
// to a node whose `defaultVersion` is undefined or equals its `version`, when one of its credentials
// has an `authenticate` block or extends oAuth2Api / googleOAuth2Api / oAuth1Api (directly or through
// a parent). AdOps Optimizer, Ingest and Approval hold the Google Ads and LinkedIn OAuth2 credentials
// (and TikTok's, which authenticates); they are nodes with several versions (`version: [1, 1.1]`,
// `defaultVersion: 1.1`), which n8n leaves alone. This test runs n8n 2.40.7's own method on every
// AdOps description when the harness's install is there (npm run n8n:install), and the same
// condition, copied, always.
import { test, describe, expect } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import type { ICredentialType, INodeProperties, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { n8nInstallDir } from '../../scripts/n8n-host/paths';
import { skipWhen } from '../helpers/skip';

const ROOT = resolve(__dirname, '../..');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { n8n: { nodes: string[]; credentials: string[] } };
const source = (dist: string) => join(ROOT, dist.replace(/^dist\//, '').replace(/\.js$/, '.ts'));
const CUSTOM_API_CALL_KEY = '__CUSTOM_API_CALL__';

async function load<T>(dist: string): Promise<T> {
	const mod = (await import(source(dist))) as Record<string, new () => T>;
	const Class = Object.values(mod).find((v) => typeof v === 'function');
	if (!Class) throw new Error(`${dist}: no class exported`);
	return new Class();
}

interface Types {
	nodes: INodeTypeDescription[];
	credentials: ICredentialType[];
}
type Inject = (types: Types) => void;

/** n8n's loader class of the harness's install, or why there is none. */
function n8nLoader(): { inject: Inject } | { missing: string } {
	const file = join(n8nInstallDir(), 'node_modules', 'n8n', 'dist', 'load-nodes-and-credentials.js');
	if (!existsSync(file)) return { missing: `n8n is not installed at ${n8nInstallDir()} (npm run n8n:install)` };
	const { LoadNodesAndCredentials } = createRequire(file)(file) as { LoadNodesAndCredentials: { prototype: object } };
	return {
		inject(types) {
			// the real method on the real prototype, with the two fields it reads
			const loader = Object.assign(Object.create(LoadNodesAndCredentials.prototype) as { injectCustomApiCallOptions(): void }, { types, logger: { warn() {} } });
			loader.injectCustomApiCallOptions();
		},
	};
}

/** The same condition, copied from the file above (2.40.7). */
const copied: Inject = (types) => {
	const extendsBase = (c: ICredentialType, seen = new Set<string>()): boolean =>
		Array.isArray(c.extends) &&
		c.extends.some((parent) => {
			if (['oAuth2Api', 'googleOAuth2Api', 'oAuth1Api'].includes(parent)) return true;
			if (seen.has(parent)) return false;
			seen.add(parent);
			const p = types.credentials.find((t) => t.name === parent);
			return p !== undefined && extendsBase(p, seen);
		});
	for (const node of types.nodes) {
		if (!(node.defaultVersion === undefined || node.defaultVersion === node.version)) continue;
		const proxy = (node.credentials ?? []).some(({ name }) => {
			const c = types.credentials.find((t) => t.name === name);
			return c !== undefined && (c.authenticate !== undefined || extendsBase(c));
		});
		if (!proxy) continue;
		for (const p of node.properties) {
			if (['resource', 'operation'].includes(p.name) && Array.isArray(p.options) && (p.options.at(-1) as { name?: string }).name !== 'Custom API Call') {
				(p.options as Array<{ name: string; value: string }>).push({ name: 'Custom API Call', value: CUSTOM_API_CALL_KEY });
			}
		}
	}
};

/** Nodes whose Resource or Operation list holds "Custom API Call" after `inject`. */
function injected(inject: Inject, nodes: INodeTypeDescription[], credentials: ICredentialType[]): string[] {
	const types: Types = { nodes: structuredClone(nodes), credentials: credentials.map((c) => ({ ...c })) };
	inject(types);
	const has = (p: INodeProperties) => ['resource', 'operation'].includes(p.name) && (p.options ?? []).some((o) => 'value' in o && o.value === CUSTOM_API_CALL_KEY);
	return types.nodes.filter((n) => n.properties.some(has)).map((n) => n.displayName);
}

describe('"Custom API Call" in the AdOps nodes\' operation lists', async () => {
	const credentials = await Promise.all(pkg.n8n.credentials.map((c) => load<ICredentialType>(c)));
	// n8n's types hold plain data: the description as loaded, the credential's fields (not its class)
	const nodes = (await Promise.all(pkg.n8n.nodes.map((n) => load<INodeType>(n)))).map((n) => JSON.parse(JSON.stringify(n.description)) as INodeTypeDescription);
	const real = n8nLoader();
	const oauthNodes = nodes.filter((n) => (n.credentials ?? []).some((c) => /OAuth2Api$/.test(c.name))).map((n) => n.displayName);

	test('the nodes with the Google Ads and LinkedIn OAuth2 credentials are the ones at risk', () => {
		expect(oauthNodes).toEqual(expect.arrayContaining(['AdOps Optimizer', 'AdOps Ingest', 'AdOps Approval']));
	});

	test("n8n 2.40.7's own injectCustomApiCallOptions adds it to no AdOps node", { ...skipWhen('missing' in real ? real.missing : false) }, () => {
		if ('missing' in real) return;
		expect(injected(real.inject, nodes, credentials)).toEqual([]);
		// the same method adds it to the Optimizer as a single-version node (what it was): the check can fail
		const single = nodes.map((n) => (n.displayName === 'AdOps Optimizer' ? { ...n, version: 1, defaultVersion: undefined } : n));
		expect(injected(real.inject, single, credentials)).toEqual(['AdOps Optimizer']);
	});

	test('the copied condition agrees: no AdOps node, and the single-version Optimizer would get it', () => {
		expect(injected(copied, nodes, credentials)).toEqual([]);
		for (const name of oauthNodes) {
			const single = nodes.map((n) => (n.displayName === name ? { ...n, version: 1, defaultVersion: undefined } : n));
			expect(injected(copied, single, credentials), name).toEqual([name]);
		}
	});

	test('the Slack, OpenAI and Notion credentials carry no authenticate block (the clients send tokens themselves)', () => {
		for (const name of ['adOpsSlackApi', 'adOpsOpenAiApi', 'adOpsNotionApi']) expect(credentials.find((c) => c.name === name)?.authenticate, name).toBeUndefined();
	});
});
