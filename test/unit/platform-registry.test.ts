/**
 * The platform registry is the one definition of each platform: a platform id
 * written as a string literal anywhere else in the code fails here (adapters,
 * the registry, tests and the sandbox excepted), and what derives from the
 * registry (schema enum, labels, node options, credentials, account ids,
 * credential version defaults) agrees with it.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { test } from 'vitest';
import { PLATFORM_IDS, PLATFORM_REGISTRY, PLATFORM_DEFINITIONS, canonicalAccountIdOf, platformsWith } from '../../nodes/shared/platforms/registry';
import { PLATFORMS } from '../../nodes/shared/schema/rows';
import { PLATFORM_LABEL } from '../../nodes/shared/resilience/errors';
import { PLATFORM_CREDENTIAL, PLATFORM_OPTIONS, CONTROLLED_CREDENTIALS } from '../../nodes/common/platforms';
import { canonicalAccountId } from '../../nodes/shared/ingest/accounts';
import { linkedInAccountId } from '../../nodes/shared/platforms/linkedin';
import { AdOpsKlaviyoApi } from '../../credentials/AdOpsKlaviyoApi.credentials';
import { AdOpsLinkedInAdsOAuth2Api } from '../../credentials/AdOpsLinkedInAdsOAuth2Api.credentials';
import { AdOpsMetaAdsApi } from '../../credentials/AdOpsMetaAdsApi.credentials';
import { AdOpsTikTokAdsApi } from '../../credentials/AdOpsTikTokAdsApi.credentials';

const root = resolve(__dirname, '..', '..');
const LITERAL = new RegExp(`(['"\`])(${PLATFORM_IDS.join('|')})\\1`, 'g');

/** Where platform id literals belong: the registry and each platform's adapter files. */
const HOME = new RegExp(`^nodes/shared/platforms/(registry|${['google-ads', 'meta', 'linkedin', 'klaviyo', 'tiktok'].join('|')})[^/]*\\.ts$`);

/**
 * Files that still spell platform ids, with how many literals each may hold.
 * busy in issue 12 work, to be derived: the lead shrinks this list as those
 * files free up (a count may only go down; a file not listed may hold none).
 */
const ALLOWED: Record<string, number> = {
	// a brand word in the offline classifier's brand list ('meta', 'facebook', …), not a platform id
	'nodes/shared/moderation/classify.ts': 1,
	// held by the gates work (issue 13) when the list was last shrunk
	'nodes/shared/rules/seeds.ts': 1,
	// the creative platforms are a subset the creative core chooses (TikTok has creative limits in the registry but no copy rules yet)
	'nodes/shared/creative/variant.ts': 3,
	'nodes/AdOpsCreative/actions/generate.operation.ts': 4,
	'nodes/AdOpsCreative/actions/listCampaigns.operation.ts': 6,
};

test('platform id literals appear only in the registry, the adapters, tests and the sandbox', () => {
	const files = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', 'nodes', 'credentials', 'scripts'], { cwd: root, encoding: 'utf8' })
		.split('\n')
		.filter((f) => f.endsWith('.ts') && !f.startsWith('scripts/sandbox/') && !HOME.test(f));
	const found: string[] = [];
	for (const file of files) {
		let text: string;
		try {
			text = readFileSync(join(root, file), 'utf8');
		} catch {
			continue; // listed but deleted in the working tree
		}
		const count = (text.match(LITERAL) ?? []).length;
		if (count > (ALLOWED[file] ?? 0)) found.push(`${file}: ${count} platform id literal(s)${ALLOWED[file] ? ` (allowed ${ALLOWED[file]})` : ''}`);
	}
	assert.deepEqual(found, [], 'derive these from nodes/shared/platforms/registry.ts');
});

test('the scan catches a literal', () => {
	assert.equal(`const p = 'tiktok'; const q = "meta";`.match(LITERAL)?.length, 2);
	assert.equal(`metadata 'metal' meta_ads`.match(LITERAL), null);
});

test('every platform is defined once, completely, with its id as its key', () => {
	assert.deepEqual(Object.keys(PLATFORM_REGISTRY), [...PLATFORM_IDS]);
	for (const p of PLATFORM_DEFINITIONS) {
		assert.equal(PLATFORM_REGISTRY[p.id], p);
		assert.ok(p.label && p.productLabel && p.credentials.length > 0, p.id);
		assert.ok(/^\d{4}-\d{2}-\d{2}$/.test(p.api.released), `${p.id} release date`);
		assert.ok(p.api.sunset === null || (/^\d{4}-\d{2}-\d{2}$/.test(p.api.sunset) && p.api.sunset > p.api.released), `${p.id} sunset after release`);
		assert.equal(p.api.sunset === null, p.api.sunsetSource === 'none');
		assert.ok(p.api.reference.startsWith('https://'));
		assert.ok(!p.api.history.some((h) => h.version === p.api.version), `${p.id}: the pin is not in its own history`);
		assert.equal(p.capabilities.budget || p.capabilities.status, p.capabilities.budget && p.capabilities.status, `${p.id}: campaign control is status and budget together`);
		if (p.capabilities.optimizer) assert.ok(p.capabilities.status && p.capabilities.budget, `${p.id}: the optimizer needs campaign control`);
	}
});

test('schema enum, labels, node options and credentials derive from the registry', () => {
	assert.deepEqual([...PLATFORMS], [...PLATFORM_IDS]);
	for (const id of PLATFORM_IDS) {
		assert.equal(PLATFORM_LABEL[id], PLATFORM_REGISTRY[id].label);
		assert.equal(PLATFORM_CREDENTIAL[id], PLATFORM_REGISTRY[id].credentials[0].name);
	}
	assert.deepEqual(PLATFORM_OPTIONS.map((o) => o.name), ['Google Ads', 'Klaviyo', 'LinkedIn Ads', 'Meta Ads', 'TikTok Ads']);
	assert.deepEqual(CONTROLLED_CREDENTIALS.map((c) => c.platform), platformsWith('optimizer'));
	assert.deepEqual(new AdOpsTikTokAdsApi().name, PLATFORM_REGISTRY.tiktok.credentials[0].name);
});

test('the credentials default to the pinned API versions', () => {
	const def = (props: Array<{ name: string; default?: unknown }>, name: string) => props.find((p) => p.name === name)?.default;
	assert.equal(def(new AdOpsLinkedInAdsOAuth2Api().properties, 'linkedInVersion'), PLATFORM_REGISTRY.linkedin.api.version);
	assert.equal(def(new AdOpsKlaviyoApi().properties, 'revision'), PLATFORM_REGISTRY.klaviyo.api.version);
	assert.equal(def(new AdOpsMetaAdsApi().properties, 'apiVersion'), PLATFORM_REGISTRY.meta.api.version);
	assert.equal(def(new AdOpsTikTokAdsApi().properties, 'apiVersion'), PLATFORM_REGISTRY.tiktok.api.version);
	assert.notEqual(PLATFORM_REGISTRY.linkedin.api.version, '202510', 'sunset on 2026-10-15');
	assert.notEqual(PLATFORM_REGISTRY.klaviyo.api.version, '2025-10-15', 'deprecated');
});

test('canonical account ids: one rule per platform, the same as the adapters\'', () => {
	assert.equal(canonicalAccountIdOf('meta', ' act_123 '), '123');
	assert.equal(canonicalAccountIdOf('google_ads', '123-456 7890'), '1234567890');
	assert.equal(canonicalAccountIdOf('linkedin', 'urn:li:sponsoredAccount:508'), linkedInAccountId('urn:li:sponsoredAccount:508'));
	assert.equal(canonicalAccountIdOf('klaviyo', ' XyZ '), 'XyZ');
	assert.equal(canonicalAccountIdOf('tiktok', ' 7010000000001 '), '7010000000001');
	assert.equal(canonicalAccountIdOf('unknown', ' x '), 'x');
	for (const id of PLATFORM_IDS) assert.equal(canonicalAccountId(id, ` ${PLATFORM_REGISTRY[id].accountId.example} `), PLATFORM_REGISTRY[id].accountId.example);
});
