/** The refresh brief of a fatigued ad (nodes/shared/fatigue/words.ts refreshBrief) and the fields its item gives Generate Variants. */
import assert from 'node:assert/strict';
import { test } from 'vitest';
import { Rng } from '../../scripts/sandbox/rng';
import { binomial, detectFatigue, fatigueItem, refreshBrief, type FatigueDay, type FatiguedAd } from '../../nodes/shared/fatigue';

function series(days: number, ctrAt: (t: number) => number, frequency: boolean, impressions = 20_000, seed = 3): FatigueDay[] {
	const rng = new Rng(seed);
	return Array.from({ length: days }, (_, t) => {
		const date = new Date(Date.UTC(2026, 9, 1 + t)).toISOString().slice(0, 10);
		return { date, impressions, clicks: binomial(rng, impressions, ctrAt(t)), frequency: frequency ? 1 + t / 7 : null };
	});
}

const tired = detectFatigue(series(40, (t) => (t >= 35 ? 0.0113 : 0.0182), false));
const ad: FatiguedAd = { platform: 'meta', accountId: 'act-1', campaignId: 'cmp-9', adGroupId: 'set-2', adId: '120001', adName: 'Spring hero', campaignName: 'Spring rain', verdict: tired };

test('the brief names the ad and its campaign, its CTR then and now in percent to two decimals, its age, and asks for another angle', () => {
	assert.equal(tired.fatigued, true);
	const brief = refreshBrief(ad);
	assert.match(brief, /^Replacement copy for a fatigued Meta ad: ad "Spring hero" \(120001\) in campaign "Spring rain" \(cmp-9\), account act-1\. /);
	const m = /Its click-through rate fell (\d+) % against its own past: from (\d+\.\d\d) % over the 28 days 2026-10-08 to 2026-11-04 to (\d+\.\d\d) % over the 5 days since 2026-11-05 \(weekdays taken into account\)\./.exec(brief);
	assert.ok(m, brief);
	assert.equal(m[2], (tired.baseline!.ctr * 100).toFixed(2));
	assert.equal(m[3], (tired.recentAdjustedCtr! * 100).toFixed(2));
	assert.equal(Number(m[1]), Math.round(-tired.change! * 100));
	assert.match(brief, /The ad is 40 days old\. Write/);
	assert.doesNotMatch(brief, /Frequency/, 'no frequency stored: none said');
	assert.match(brief, /Write replacements with a different angle than the ad's current one \(its copy is not stored here: it was not published from AdOps Creative\)\.$/);
	// never a raw float: every number is an integer or has at most two decimals
	for (const n of brief.match(/\d+\.\d+/g) ?? []) assert.ok(/^\d+\.\d{1,2}$/.test(n), `raw number ${n} in: ${brief}`);
	assert.doesNotMatch(brief, /[{}]/, 'no JSON');
});

test('with the copy it was published with: the brief quotes it (lines joined, long text cut) to move away from; frequency to one decimal when reported', () => {
	const v = detectFatigue(series(40, (t) => (t >= 35 ? 0.0113 : 0.0182), true));
	const brief = refreshBrief({ ...ad, verdict: v, copy: { headline: 'Stay dry\nRide on', primaryText: 'x'.repeat(400), description: null, angle: 'weatherproof' } });
	assert.match(brief, /Frequency went from \d+\.\d to \d+\.\d impressions per person\./);
	assert.match(brief, /different angle than its current copy: headline "Stay dry \/ Ride on"; text "x{299}…"; angle "weatherproof"\.$/);
	for (const n of brief.match(/\d+\.\d+/g) ?? []) assert.ok(/^\d+\.\d{1,2}$/.test(n), `raw number ${n}`);
});

test('without names: the ids stand in; another platform gets its own label', () => {
	const brief = refreshBrief({ ...ad, platform: 'google_ads', adName: null, campaignName: null });
	assert.match(brief, /^Replacement copy for a fatigued Google Ads ad: ad 120001 in campaign cmp-9, account act-1\. /);
});

test('the item carries what Write Variants reads (platform, accountId, campaignId, campaignName, brief), the numbers rounded', () => {
	const item = fatigueItem(ad, '2026-11-09', 2);
	assert.equal(item.platform, 'meta');
	assert.equal(item.accountId, 'act-1');
	assert.equal(item.campaignId, 'cmp-9');
	assert.equal(item.campaignName, 'Spring rain');
	assert.equal(item.brief, refreshBrief(ad));
	assert.equal(fatigueItem({ ...ad, campaignName: undefined }, null, 1).campaignName, null, 'an unknown name is null (Write Variants then takes the stored one)');
	// ratios to the metric's digits, the change to one decimal of a percent, the evidence to one decimal
	const decimals = (x: unknown) => (String(x).split('.')[1] ?? '').length;
	assert.ok(decimals(item.ctrBefore) <= 4 && decimals(item.ctrNow) <= 4, `${String(item.ctrBefore)} ${String(item.ctrNow)}`);
	assert.ok(decimals(item.ctrChangePct) <= 1 && decimals(item.evidence) <= 1, `${String(item.ctrChangePct)} ${String(item.evidence)}`);
	assert.doesNotMatch(JSON.stringify(item.brief), /\d\.\d{3,}/);
});
