import assert from 'node:assert/strict';
import { test } from 'vitest';
import fc from 'fast-check';
import { canonicalAccountId, reportScope, storedWarnings } from '../../nodes/shared/ingest';
import { googleCustomerId } from '../../nodes/shared/platforms/google-ads';
import { linkedInAccountId } from '../../nodes/shared/platforms/linkedin';
import { metaAccountDigits } from '../../nodes/shared/platforms/meta';

test('canonical account ids: the forms people type become the id the adapters put on rows', () => {
	assert.equal(canonicalAccountId('meta', ' act_1234567890 '), '1234567890');
	assert.equal(canonicalAccountId('meta', '1234567890'), '1234567890');
	assert.equal(canonicalAccountId('google_ads', '123-456-7890'), '1234567890');
	assert.equal(canonicalAccountId('google_ads', ' 123 456 7890'), '1234567890');
	assert.equal(canonicalAccountId('linkedin', 'urn:li:sponsoredAccount:508912345'), '508912345');
	assert.equal(canonicalAccountId('linkedin', ' 508912345 '), '508912345');
	assert.equal(canonicalAccountId('klaviyo', ' XyZ123 '), 'XyZ123');
	assert.equal(canonicalAccountId('klaviyo', 'act_1'), 'act_1'); // only Meta has the act_ prefix
});

test('canonical account ids agree with the adapters and are idempotent (property)', () => {
	const id = fc.oneof(
		fc.stringMatching(/^\s?(act_)?\d{1,15}\s?$/),
		fc.stringMatching(/^\d{3}[- ]?\d{3}[- ]?\d{4}$/),
		fc.stringMatching(/^(urn:li:sponsoredAccount:)?\d{1,12}$/),
		fc.string({ maxLength: 20 }),
	);
	fc.assert(
		fc.property(id, (raw) => {
			assert.equal(canonicalAccountId('meta', raw), metaAccountDigits(raw));
			assert.equal(canonicalAccountId('google_ads', raw), googleCustomerId(raw.trim()));
			assert.equal(canonicalAccountId('linkedin', raw), linkedInAccountId(raw));
			for (const p of ['meta', 'google_ads', 'linkedin', 'klaviyo']) {
				const once = canonicalAccountId(p, raw);
				assert.equal(canonicalAccountId(p, once), once);
			}
		}),
		{ numRuns: 500, seed: 7 },
	);
});

test('quality report scope: all, or the sorted distinct platforms', () => {
	assert.equal(reportScope(undefined), 'all');
	assert.equal(reportScope([]), 'all');
	assert.equal(reportScope(['meta']), 'meta');
	assert.equal(reportScope(['meta', 'google_ads', 'meta', ' ']), 'google_ads,meta');
	// every platform of the registry is "all" (the fifth, TikTok, made the four older ones a subset)
	assert.equal(reportScope(['klaviyo', 'linkedin', 'meta', 'google_ads', 'tiktok']), 'all');
	assert.equal(reportScope(['klaviyo', 'linkedin', 'meta', 'google_ads']), 'google_ads,klaviyo,linkedin,meta');
});

test('stored warnings are capped in number and length', () => {
	assert.deepEqual(storedWarnings([]), []);
	assert.deepEqual(storedWarnings(['a', 'b']), ['a', 'b']);
	const many = storedWarnings(Array.from({ length: 130 }, (_, i) => `w${i}`)) as string[];
	assert.equal(many.length, 101);
	assert.equal(many[99], 'w99');
	assert.equal(many[100], '… and 30 more');
	const [long] = storedWarnings(['x'.repeat(5000)]) as string[];
	assert.equal(long.length, 1000);
	assert.ok(long.endsWith('…'));
});
