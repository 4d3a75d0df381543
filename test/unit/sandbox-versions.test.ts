// The sandbox refuses versions on the registry's dates: one schedule for the
// package's pins, `npm run check:versions` and the sandbox (issue 14 item 7).
import { test } from 'vitest';
import assert from 'node:assert/strict';
import { PLATFORM_REGISTRY, type PlatformId } from '../../nodes/shared/platforms/registry';
import { googleAdsVersion, isSunset, klaviyoRevision, latestMetaVersion, linkedInVersion, metaVersion, type VersionInfo } from '../../scripts/sandbox/versions';

const SANDBOX: Partial<Record<PlatformId, (version: string) => VersionInfo | undefined>> = {
	google_ads: googleAdsVersion,
	meta: metaVersion,
	linkedin: linkedInVersion,
	klaviyo: klaviyoRevision,
};

test('every version the registry lists has the same sunset in the sandbox, and is served the day before it', () => {
	let checked = 0;
	for (const [id, lookup] of Object.entries(SANDBOX) as Array<[PlatformId, (version: string) => VersionInfo | undefined]>) {
		const { api } = PLATFORM_REGISTRY[id];
		for (const v of [api, ...api.history]) {
			const info = lookup(v.version);
			assert.ok(info, `${id} ${v.version} is known to the sandbox`);
			assert.equal(info.sunset, v.sunset ?? undefined, `${id} ${v.version}: the sandbox's sunset is the registry's`);
			if (v.sunset) {
				const dayBefore = new Date(Date.parse(`${v.sunset}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
				assert.equal(isSunset(info, dayBefore), false, `${id} ${v.version} served on ${dayBefore}`);
				assert.equal(isSunset(info, v.sunset), true, `${id} ${v.version} refused on ${v.sunset}`);
			}
			checked++;
		}
	}
	assert.ok(checked >= 15, `${checked} versions checked`);
});

test('the sandbox names the registry\'s newest released Meta version, and refuses versions older than the registry lists', () => {
	const meta = PLATFORM_REGISTRY.meta.api;
	assert.equal(latestMetaVersion(meta.released), meta.version);
	const oldest = [...meta.history].sort((a, b) => (a.released < b.released ? -1 : 1))[0]!;
	const older = `v${Number(/^v(\d+)/.exec(oldest.version)![1]) - 1}.0`;
	assert.equal(isSunset(metaVersion(older)!, meta.released), true, `${older} is long expired`);
	assert.equal(googleAdsVersion('v99'), undefined, 'a Google Ads version above the pin does not exist');
});
