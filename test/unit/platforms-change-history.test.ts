/**
 * Issue 13, outside changes: the Google Ads and LinkedIn adapters' reading of
 * their change histories (rows parsed by google-ads-api's own REST parser,
 * micros to major units in USD and JPY, the account's wall clock to UTC), the
 * change_event query Google accepts, how far back the run reads each
 * platform, and the words for a change LinkedIn only dates.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'vitest';
import { GoogleAdsApi } from 'google-ads-api';
import { GoogleAdsAdapter, googleAdsChangeEventQuery, googleAdsChangeFromRow } from '../../nodes/shared/platforms/google-ads';
import { libraryRestParser } from '../../nodes/shared/platforms/google-ads-rest';
import { KlaviyoAdapter } from '../../nodes/shared/platforms/klaviyo';
import { LinkedInAdsAdapter, linkedInChangeFromCampaign } from '../../nodes/shared/platforms/linkedin';
import { MetaAdsAdapter } from '../../nodes/shared/platforms/meta';
import { PLATFORM_DEFINITIONS } from '../../nodes/shared/platforms/registry';
import { PlatformApiError } from '../../nodes/shared/resilience/errors';
import { TikTokAdsAdapter } from '../../nodes/shared/platforms/tiktok';
import type { CampaignChange } from '../../nodes/shared/platforms/types';
import { cooldownGate } from '../../nodes/shared/rules/gates/cooldown';
import { changesSince, outsideChangeRecords } from '../../nodes/shared/rules/run';

/** google-ads-api's parser of REST JSON rows (snake_case keys, enums as numbers, INT64 as numbers), as the adapter gets them. */
const parse = libraryRestParser(new GoogleAdsApi({ client_id: 'c', client_secret: 's', developer_token: 'd' }).Customer({ customer_id: '1234567890', refresh_token: 'r' }));
type Row = Parameters<typeof googleAdsChangeFromRow>[0];

function restRow(event: Record<string, unknown>): Row {
	return parse({ changeEvent: { resourceName: 'customers/1234567890/changeEvents/1772443927000000~0~0', resourceChangeOperation: 'UPDATE', campaign: 'customers/1234567890/campaigns/111', ...event } }) as Row;
}

/** A CAMPAIGN_BUDGET event that moves amount_micros from `before` to `after` (micros, as strings; undefined leaves the amount out). */
function budgetRow(changeDateTime: string, clientType: string, userEmail: string, before: string | undefined, after: string | undefined, extra: Record<string, unknown> = {}): Row {
	const amount = (micros: string | undefined) => ({ campaignBudget: micros === undefined ? {} : { amountMicros: micros } });
	return restRow({ changeDateTime, changeResourceType: 'CAMPAIGN_BUDGET', clientType, userEmail, oldResource: amount(before), newResource: amount(after), changedFields: 'amountMicros', ...extra });
}

describe('Google Ads change_event rows', () => {
	test('a budget change in USD: micros to major units, the wall clock of New York to UTC, who by e-mail, the web interface in words', () => {
		const row = budgetRow('2026-03-02 04:12:07.250000', 'GOOGLE_ADS_WEB_CLIENT', 'jane.doe@example.com', '80000000', '120500000', { changeResourceName: 'customers/1234567890/campaignBudgets/999' });
		assert.equal(typeof (row.change_event as Record<string, unknown>).client_type, 'number', 'the library parses enums to numbers');
		const c = googleAdsChangeFromRow(row, '1234567890', 'America/New_York')!;
		assert.deepEqual({ ...c, raw: undefined }, {
			platform: 'google_ads',
			accountId: '1234567890',
			campaignId: '111',
			at: '2026-03-02T09:12:07.250Z',
			kind: 'budget',
			budgetBefore: 80,
			budgetAfter: 120.5,
			statusBefore: null,
			statusAfter: null,
			by: 'jane.doe@example.com',
			via: 'Google Ads web interface',
			raw: undefined,
		});
	});

	test('a budget change in JPY: micros are currency-free, 5,000 JPY is 5,000,000,000 micros', () => {
		const row = budgetRow('2026-03-02 18:00:00.000000', 'GOOGLE_ADS_EDITOR', 'tanaka@example.jp', '5000000000', '7500000000');
		const c = googleAdsChangeFromRow(row, '1234567890', 'Asia/Tokyo')!;
		assert.equal(c.budgetBefore, 5000);
		assert.equal(c.budgetAfter, 7500);
		assert.equal(c.at, '2026-03-02T09:00:00.000Z');
		assert.equal(c.via, 'Google Ads Editor');
	});

	test('a status change through the API; a name change, a shared budget and other resources are not budget or status changes', () => {
		const paused = googleAdsChangeFromRow(
			restRow({ changeDateTime: '2026-03-02 09:00:00', changeResourceType: 'CAMPAIGN', clientType: 'GOOGLE_ADS_API', userEmail: 'api@example.com', oldResource: { campaign: { status: 'ENABLED' } }, newResource: { campaign: { status: 'PAUSED' } }, changedFields: 'status' }),
			'1234567890',
			'UTC',
		)!;
		assert.deepEqual([paused.kind, paused.statusBefore, paused.statusAfter, paused.via], ['status', 'ACTIVE', 'PAUSED', 'the Google Ads API']);
		assert.equal(googleAdsChangeFromRow(restRow({ changeDateTime: '2026-03-02 09:00:00', changeResourceType: 'CAMPAIGN', oldResource: { campaign: { name: 'a' } }, newResource: { campaign: { name: 'b' } }, changedFields: 'name' }), '1', 'UTC'), null);
		assert.equal(googleAdsChangeFromRow(restRow({ changeDateTime: '2026-03-02 09:00:00', changeResourceType: 'AD_GROUP', changedFields: 'status' }), '1', 'UTC'), null);
		assert.equal(googleAdsChangeFromRow(restRow({ changeDateTime: '2026-03-02 09:00:00', campaign: undefined, changeResourceType: 'CAMPAIGN_BUDGET', newResource: { campaignBudget: { amountMicros: '1000000' } }, changedFields: 'amountMicros' }), '1', 'UTC'), null);
	});

	test('bad rows: a missing new amount is a budget change of unknown amount; an unreadable time or an unknown resource type is a clear error or no change', () => {
		const unknownAmount = googleAdsChangeFromRow(budgetRow('2026-03-02 09:00:00', 'GOOGLE_ADS_WEB_CLIENT', 'a@example.com', '80000000', undefined), '1234567890', 'UTC')!;
		assert.deepEqual([unknownAmount.kind, unknownAmount.budgetBefore, unknownAmount.budgetAfter, unknownAmount.at], ['budget', 80, null, '2026-03-02T09:00:00.000Z'], 'the change still counts for the cooldown');
		assert.equal(googleAdsChangeFromRow(budgetRow('2026-03-02 09:00:00', 'GOOGLE_ADS_WEB_CLIENT', 'a@example.com', undefined, undefined, { changedFields: 'name' }), '1', 'UTC'), null, 'a budget renamed is no budget change');
		for (const changeDateTime of [undefined, 'yesterday', '2026-13-40 25:00:00']) {
			assert.throws(
				() => googleAdsChangeFromRow(budgetRow(changeDateTime as string, 'GOOGLE_ADS_WEB_CLIENT', 'a@example.com', '80000000', '90000000'), '1234567890', 'UTC'),
				(e: unknown) => e instanceof PlatformApiError && e.kind === 'malformed_response' && /campaign 111 has no readable change_date_time/.test(e.message),
				String(changeDateTime),
			);
		}
		const unknownType = restRow({ changeDateTime: '2026-03-02 09:00:00', changeResourceType: 'SOME_FUTURE_RESOURCE', changedFields: 'status' });
		assert.equal(googleAdsChangeFromRow(unknownType, '1', 'UTC'), null);
		assert.equal(googleAdsChangeFromRow({ change_event: { ...(restRow({}).change_event as object), change_resource_type: 999, change_date_time: '2026-03-02 09:00:00', changed_fields: 'status' } } as Row, '1', 'UTC'), null, 'an enum number the library does not know');
	});

	test('the query: a finite change_date_time range in the account time zone, campaign and budget events only, newest first, LIMIT 10000', () => {
		const q = googleAdsChangeEventQuery(Date.parse('2026-03-01T09:12:00Z'), Date.parse('2026-03-03T00:00:00Z'), 'Asia/Tokyo');
		assert.match(q, / FROM change_event WHERE change_event\.change_date_time >= '2026-03-01 18:12:00' AND change_event\.change_date_time <= '2026-03-03 09:00:00' AND change_event\.change_resource_type IN \('CAMPAIGN', 'CAMPAIGN_BUDGET'\) ORDER BY change_event\.change_date_time DESC LIMIT 10000$/);
	});
});

describe('LinkedIn lastModified', () => {
	test('a campaign modified after `since` is one change of kind other with no who or what; before it, none; without its lastModified time or id, a clear error', () => {
		const campaign = { id: 712, changeAuditStamps: { created: { time: 1_700_000_000_000 }, lastModified: { time: Date.parse('2026-03-02T09:12:00Z') } } };
		const c = linkedInChangeFromCampaign(campaign, '508123456', Date.parse('2026-03-01T12:00:00Z'))!;
		assert.deepEqual({ ...c, raw: undefined }, { platform: 'linkedin', accountId: '508123456', campaignId: '712', at: '2026-03-02T09:12:00.000Z', kind: 'other', budgetBefore: null, budgetAfter: null, statusBefore: null, statusAfter: null, by: null, via: null, raw: undefined });
		assert.equal(linkedInChangeFromCampaign(campaign, '508123456', Date.parse('2026-03-02T10:00:00Z')), null);
		for (const bad of [{ id: 1 }, { id: 1, changeAuditStamps: { created: { time: 1_700_000_000_000 } } }, { id: 1, changeAuditStamps: { lastModified: { time: 'soon' } } }, { changeAuditStamps: campaign.changeAuditStamps }]) {
			assert.throws(
				() => linkedInChangeFromCampaign(bad, '508123456', 0),
				(e: unknown) => e instanceof PlatformApiError && e.kind === 'malformed_response' && /has no readable changeAuditStamps\.lastModified\.time|\(no id\)/.test(e.message),
				JSON.stringify(bad),
			);
		}
	});

	const other = (at: string): CampaignChange => ({ platform: 'linkedin', accountId: '5', campaignId: '7', at, kind: 'other', budgetBefore: null, budgetAfter: null, statusBefore: null, statusAfter: null, by: null, via: null, raw: null });

	test("an undetailed change is ours when one of our changes of the campaign is within 15 minutes; else it is outside, a change with no budgets", () => {
		const own = [{ platform: 'linkedin', accountId: '5', campaignId: '7', at: '2026-03-02T09:05:00Z', action: 'scale_budget' as const, budgetBefore: 100, budgetAfter: 110, ruleId: 'r1' }];
		assert.deepEqual(outsideChangeRecords([other('2026-03-02T09:12:00Z')], own), []);
		const [record] = outsideChangeRecords([other('2026-03-02T09:30:00Z')], own);
		assert.deepEqual(record, { platform: 'linkedin', accountId: '5', campaignId: '7', at: '2026-03-02T09:30:00Z', action: 'set_budget', budgetBefore: null, budgetAfter: null, ruleId: null, idempotencyKey: null, source: 'outside', by: null, via: null });
	});

	test('the cooldown names it with the time only', () => {
		const at = Date.parse('2026-03-02T09:12:00Z');
		const r = cooldownGate({ atMs: at, action: 'set_budget', budgetBefore: null, budgetAfter: null, ruleId: null, idempotencyKey: null, source: 'outside', by: null, via: null }, at + 3 * 3_600_000, 24, { currency: 'USD', timeZone: 'UTC' });
		assert.equal(r.status, 'fail');
		assert.equal(r.detail, 'changed (the platform says neither what nor by whom) at 09:12, 3 h ago < cooldown 24 h (a change made outside the package)');
	});
});

describe('how far back the run reads each platform', () => {
	const now = '2026-03-02T12:00:00.000Z';
	test("Google Ads no further than 30 days, Meta 90; LinkedIn's last modification at any age; shorter spans unchanged", () => {
		const sixty = '2026-01-01T12:00:00.000Z';
		assert.equal(changesSince('google_ads', sixty, now), '2026-01-31T12:00:00.000Z');
		assert.equal(changesSince('meta', '2025-10-01T12:00:00.000Z', now), '2025-12-02T12:00:00.000Z');
		assert.equal(changesSince('meta', sixty, now), sixty);
		assert.equal(changesSince('linkedin', sixty, now), sixty);
		assert.equal(changesSince('google_ads', '2026-03-01T12:00:00.000Z', now), '2026-03-01T12:00:00.000Z');
	});
});

test("the registry's changeHistory capability is what the adapters do, with a source and a depth for each", () => {
	const adapters: Record<string, { prototype: object }> = { meta: MetaAdsAdapter, google_ads: GoogleAdsAdapter, linkedin: LinkedInAdsAdapter, klaviyo: KlaviyoAdapter, tiktok: TikTokAdsAdapter };
	for (const p of PLATFORM_DEFINITIONS) {
		const reads = typeof (adapters[p.id]!.prototype as { listCampaignChanges?: unknown }).listCampaignChanges === 'function';
		assert.equal(p.capabilities.changeHistory, reads, `${p.id}: capabilities.changeHistory vs the adapter's listCampaignChanges`);
		assert.equal(p.changeHistory !== undefined, reads, `${p.id}: a change history needs its source and depth in the registry`);
	}
	assert.deepEqual(PLATFORM_DEFINITIONS.filter((p) => p.capabilities.changeHistory).map((p) => [p.id, p.changeHistory!.days]), [['google_ads', 30], ['meta', 90], ['linkedin', null]]);
});
