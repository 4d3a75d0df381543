/**
 * The API version check (scripts/check-api-versions.ts) as a unit test: on
 * today's date (the clock) every pinned version has more than 60 days left;
 * and the check fails, naming platform, version and date, when one does not.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { test } from 'vitest';
import { checkApiVersions, DEFAULT_MARGIN_DAYS } from '../../scripts/check-api-versions';
import { PLATFORM_REGISTRY, type PlatformDefinition } from '../../nodes/shared/platforms/registry';

const root = resolve(__dirname, '..', '..');

test('every pinned API version has more than 60 days before its sunset today', () => {
	const today = new Date().toISOString().slice(0, 10);
	const failed = checkApiVersions(today).filter((r) => !r.ok);
	assert.deepEqual(failed.map((f) => f.text), [], `on ${today}`);
});

test('a version within 60 days of its sunset, or past it, fails with platform, version and date', () => {
	const linkedin = PLATFORM_REGISTRY.linkedin;
	const sunset = linkedin.api.sunset!;
	const at = (days: number) => new Date(Date.parse(`${sunset}T00:00:00Z`) - days * 86_400_000).toISOString().slice(0, 10);
	const r61 = checkApiVersions(at(61)).find((r) => r.platform === 'linkedin')!;
	assert.equal(r61.ok, true);
	const r60 = checkApiVersions(at(DEFAULT_MARGIN_DAYS)).find((r) => r.platform === 'linkedin')!;
	assert.equal(r60.ok, false);
	assert.match(r60.text, new RegExp(`LinkedIn ${linkedin.api.version} is sunset on ${sunset}, in 60 days`));
	const past = checkApiVersions(at(-3)).find((r) => r.platform === 'linkedin')!;
	assert.equal(past.ok, false);
	assert.match(past.text, /was sunset on .*, 3 days ago/);
});

test('the old LinkedIn pin 202510 would fail today; a version without a sunset passes', () => {
	const old: PlatformDefinition = { ...PLATFORM_REGISTRY.linkedin, api: { ...PLATFORM_REGISTRY.linkedin.api, version: '202510', sunset: '2026-10-15', sunsetSource: 'published' } };
	const [r] = checkApiVersions('2026-12-06', 60, [old]);
	assert.equal(r!.ok, false);
	assert.match(r!.text, /LinkedIn 202510 was sunset on 2026-10-15, 52 days ago/);
	const [t] = checkApiVersions('2026-12-06', 60, [PLATFORM_REGISTRY.tiktok]);
	assert.equal(t!.ok, true);
	assert.match(t!.text, /TikTok v1\.3: no sunset announced/);
});

test('the script exits 1 and names the pins in trouble', () => {
	const run = (today: string) => spawnSync(process.execPath, ['--import', 'tsx', 'scripts/check-api-versions.ts', '--today', today], { cwd: root, encoding: 'utf8' });
	const bad = run('2027-06-20');
	assert.equal(bad.status, 1);
	assert.match(bad.stderr, /LinkedIn 202607 \(2027-07-15\)/);
	const good = run('2026-12-06');
	assert.equal(good.status, 0, good.stderr);
});
