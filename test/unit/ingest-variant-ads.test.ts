/** A published variant's platform_ad_id → the ad id ad_performance stores (nodes/shared/ingest/variant-ads.ts). */
import assert from 'node:assert/strict';
import { test } from 'vitest';
import { storedAdId } from '../../nodes/shared/ingest';

test('Google Ads resource names, LinkedIn URNs and Meta ids map to the stored ad id; anything else is null', () => {
	assert.equal(storedAdId('google_ads', 'customers/1234567890/adGroupAds/555001~777'), '777');
	assert.equal(storedAdId('linkedin', 'urn:li:sponsoredCreative:9001'), '9001');
	assert.equal(storedAdId('meta', '120210000012300001'), '120210000012300001');
	assert.equal(storedAdId('meta', null), null);
	assert.equal(storedAdId('google_ads', 'customers/1/adGroups/2'), null);
	assert.equal(storedAdId('linkedin', 'urn:li:share:1'), null);
});
